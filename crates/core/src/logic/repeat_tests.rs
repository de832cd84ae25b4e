//! Repeating groups: rows in the state, in validation, in the session, in the submission and
//! at the receiver.

use std::sync::Arc;

use serde_json::json;

use super::*;
use crate::answers::row_key;
use crate::session::{Control, ControlPart, Focus, FormSession, Position};
use crate::submission::{Submission, SubmissionError};
use crate::test_support::{cx, refused, test_definition, text};

const ID: &str = "0f8b3c2e-6a55-4a4c-9c3e-1d2f3a4b5c6d";

/// Children with a conditional school field, a count rule, and a total over the rows.
fn def() -> crate::Definition {
    test_definition(
        "rader",
        "1",
        json!("Rader"),
        json!([
            { "id": "one", "title": "Barn", "fields": [
                { "id": "barn", "type": "repeat", "label": "Barn", "item_label": "Barn",
                  "min_rows": 1, "max_rows": 3, "fields": [
                    { "id": "namn", "type": "text", "label": "Förnamn", "required": true },
                    { "id": "skola", "type": "yes_no", "label": "Går i skolan?", "required": true },
                    { "id": "skolnamn", "type": "text", "label": "Skola", "required": true,
                      "visible_if": { "choice": "skola", "any_of": ["yes"] } },
                    { "id": "pnr", "type": "personnummer", "label": "Personnummer" },
                    { "id": "pnr2", "type": "personnummer", "label": "Upprepa", "must_match": "pnr" },
                    { "id": "belopp", "type": "integer", "label": "Belopp" }
                  ] },
                { "id": "summa", "type": "computed", "label": "Summa", "unit": "kr",
                  "expression": { "reduce": [{ "var": "barn" },
                    { "+": [{ "var": "accumulator" }, { "var": ["current.belopp", 0] }] }, 0] } },
                { "id": "fler", "type": "text", "label": "Något mer om barnen",
                  "visible_if": { ">": [{ "length": { "var": "barn" } }, 1] } }
            ]}
        ]),
    )
}

fn issues_of(session: &FormSession) -> Vec<(String, &'static str)> {
    session
        .summary()
        .iter()
        .map(|i| (i.field.clone(), i.code.code()))
        .collect()
}

#[test]
fn a_session_starts_with_min_rows_and_keeps_between_min_and_max() {
    let mut s = FormSession::new(Arc::new(def()), cx());
    assert_eq!(
        s.answers().row_count("barn"),
        1,
        "min_rows rows are there at the start"
    );
    assert!(!s.can_remove_row("barn"));
    assert_eq!(s.remove_row("barn", 0), Focus::Stay, "not below min_rows");
    let first_question = |row: usize| {
        Focus::Control(Control {
            key: format!("barn[{row}].namn"),
            part: ControlPart::Input,
        })
    };
    assert_eq!(s.add_row("barn"), first_question(1), "focus on the new row");
    assert_eq!(
        s.row_announcement("barn", crate::Lang::Sv.into())
            .as_deref(),
        Some("Barn 2 har lagts till.")
    );
    assert_eq!(s.add_row("barn"), first_question(2));
    assert!(!s.can_add_row("barn"));
    assert_eq!(s.add_row("barn"), Focus::Stay, "not above max_rows");
    assert_eq!(s.answers().row_count("barn"), 3);
}

#[test]
fn conditions_in_a_row_read_that_rows_answers() {
    let def = def();
    let mut a = Answers::new();
    a.add_row("barn");
    a.add_row("barn");
    a.set("barn[0].skola", text("yes"));
    a.set("barn[1].skola", text("no"));
    let state = FormState::evaluate(&def, &a, &cx());
    assert!(state.is_visible("barn[0].skolnamn"));
    assert!(!state.is_visible("barn[1].skolnamn"));
    assert!(state.is_required("barn[0].namn") && state.is_required("barn[1].namn"));
    assert!(
        state.is_visible("fler"),
        "form-level conditions see the rows as an array"
    );
    assert_eq!(
        state.data().get("barn"),
        Some(&json!([{ "skola": true }, { "skola": false }]))
    );
}

#[test]
fn a_computed_value_sums_the_rows() {
    let def = def();
    let mut a = Answers::new();
    for amount in ["100", "250"] {
        let row = a.add_row("barn");
        a.set(row_key("barn", row, "belopp"), text(amount));
    }
    let state = FormState::evaluate(&def, &a, &cx());
    assert_eq!(state.computed("summa"), Some(&json!(350)));
}

#[test]
fn next_shows_every_rows_issues_by_row_key_and_removing_a_row_moves_them_up() {
    let mut s = FormSession::new(Arc::new(def()), cx());
    s.start();
    s.add_row("barn");
    s.add_row("barn");
    s.set_answer("barn[1].namn", text("Bo"));
    s.set_answer("barn[1].skola", text("no"));
    s.set_answer("barn[2].skola", text("yes"));
    s.set_answer("barn[2].pnr", text("811228-9874"));
    s.set_answer("barn[2].pnr2", text("670919-9530"));
    assert_eq!(s.next(&cx()), Focus::ErrorSummary);
    assert_eq!(
        issues_of(&s),
        [
            ("barn[0].namn".to_owned(), "required"),
            ("barn[0].skola".to_owned(), "required_choice"),
            ("barn[2].namn".to_owned(), "required"),
            ("barn[2].skolnamn".to_owned(), "required"),
            ("barn[2].pnr2".to_owned(), "mismatch"),
        ]
    );
    assert!(s.error("barn[2].skolnamn").is_some());
    assert_eq!(
        s.remove_row("barn", 0),
        Focus::Control(Control {
            key: "barn".into(),
            part: ControlPart::AddRow
        }),
        "focus on the add button"
    );
    assert_eq!(
        s.row_announcement("barn", crate::Lang::En.into())
            .as_deref(),
        Some("Barn 1 has been removed.")
    );
    assert_eq!(
        issues_of(&s),
        [
            ("barn[1].namn".to_owned(), "required"),
            ("barn[1].skolnamn".to_owned(), "required"),
            ("barn[1].pnr2".to_owned(), "mismatch"),
        ],
        "the removed row's messages go, the later rows' move up"
    );
    assert!(s.error("barn[2].skolnamn").is_none());
    assert!(s.error("barn[1].skolnamn").is_some());
    assert_eq!(s.answers().text("barn[0].namn"), "Bo");
}

#[test]
fn too_few_rows_is_said_at_the_group_and_cleared_by_adding_one() {
    let def = test_definition(
        "rader",
        "1",
        json!("Rader"),
        json!([{ "id": "one", "title": "Ett", "fields": [
            { "id": "bilar", "type": "repeat", "label": "Bilar", "min_rows": 0, "fields": [
                { "id": "regnr", "type": "text", "label": "Registreringsnummer" } ] },
            { "id": "maste", "type": "repeat", "label": "Minst två", "min_rows": 2, "fields": [
                { "id": "x", "type": "text", "label": "X" } ] }
        ]}]),
    );
    let mut s = FormSession::new(Arc::new(def), cx());
    s.start();
    assert_eq!(s.answers().row_count("bilar"), 0);
    assert_eq!(
        s.next(&cx()),
        Focus::Heading,
        "no rows is fine without min_rows"
    );
    // A receiver-side count problem.
    let sub = Submission {
        blankett_submission: "1".into(),
        submission_id: ID.into(),
        form_id: "rader".into(),
        form_version: "1".into(),
        language: "sv".into(),
        answers: [("maste".to_owned(), json!([{ "x": "a" }]))].into(),
    };
    match sub.check(s.definition(), &cx()) {
        Err(SubmissionError::Invalid(issues)) => {
            assert_eq!(issues.len(), 1);
            assert_eq!(issues[0].field, "maste");
            assert_eq!(issues[0].code, IssueCode::TooFewRows(2));
            assert_eq!(
                issues[0].code.message(crate::Lang::Sv),
                "Fyll i minst 2. Lägg till fler med knappen."
            );
        }
        other => panic!("expected too few rows, got {other:?}"),
    }
}

#[test]
fn rows_are_submitted_as_an_array_and_the_receiver_checks_each_row() {
    let def = def();
    let mut a = Answers::new();
    a.add_row("barn");
    a.add_row("barn");
    a.set("barn[0].namn", text(" Ada "));
    a.set("barn[0].skola", text("no"));
    // Typed while "yes", then hidden: kept in the draft, never sent.
    a.set("barn[0].skolnamn", text("Solskolan"));
    a.set("barn[0].belopp", text("100"));
    a.set("barn[1].namn", text("Bo"));
    a.set("barn[1].skola", text("yes"));
    a.set("barn[1].skolnamn", text("Månskolan"));
    let sub =
        Submission::build(&def, &a, crate::Lang::Sv, ID, &cx()).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        sub.answers.get("barn"),
        Some(&json!([
            { "belopp": 100, "namn": "Ada", "skola": false },
            { "namn": "Bo", "skola": true, "skolnamn": "Månskolan" }
        ]))
    );
    assert_eq!(sub.answers.get("summa"), Some(&json!(100)));
    let received = sub.check(&def, &cx()).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(received.text("barn[1].skolnamn"), "Månskolan");

    let codes = |sub: &Submission| refused(sub, &def);
    let tamper = |rows: serde_json::Value| {
        let mut t = sub.clone();
        t.answers.insert("barn".into(), rows);
        t
    };
    assert_eq!(
        codes(&tamper(
            json!([{ "namn": "Ada", "skola": false, "skolnamn": "X", "belopp": 100 },
                             { "namn": "Bo", "skola": true, "skolnamn": "Månskolan" }])
        )),
        [("barn[0].skolnamn".to_owned(), "hidden_field")]
    );
    assert_eq!(
        codes(&tamper(
            json!([{ "namn": "Ada", "skola": false, "belopp": 100, "hack": 1 },
                             { "namn": "Bo", "skola": true, "skolnamn": "Månskolan" }])
        )),
        [("barn[0].hack".to_owned(), "unknown_field")]
    );
    assert_eq!(
        codes(&tamper(
            json!([{ "namn": "Ada", "skola": "nej", "belopp": 100 },
                             { "namn": "Bo", "skola": true, "skolnamn": "Månskolan" }])
        )),
        [("barn[0].skola".to_owned(), "wrong_shape")]
    );
    assert_eq!(
        codes(&tamper(json!([{ "skola": false, "belopp": 100 },
                             { "namn": "Bo", "skola": true, "skolnamn": "Månskolan" }]))),
        [("barn[0].namn".to_owned(), "required")]
    );
    // Without readable rows the total cannot be what was sent either.
    let unreadable = [
        ("barn".to_owned(), "wrong_shape"),
        ("summa".to_owned(), "computed_mismatch"),
    ];
    assert_eq!(codes(&tamper(json!("Ada"))), unreadable);
    assert_eq!(codes(&tamper(json!(["Ada"]))), unreadable);
    let four = json!({ "namn": "Ada", "skola": false });
    assert_eq!(
        codes(&tamper(json!([four, four, four, four]))),
        [
            ("summa".to_owned(), "computed_mismatch"),
            ("barn".to_owned(), "too_many_rows")
        ]
    );
}

#[test]
fn the_review_lists_each_rows_answers_under_its_number() {
    let mut s = FormSession::new(Arc::new(def()), cx());
    s.start();
    s.set_answer("barn[0].namn", text("Ada"));
    s.set_answer("barn[0].skola", text("yes"));
    s.set_answer("barn[0].skolnamn", text("Solskolan"));
    assert_eq!(s.next(&cx()), Focus::Heading);
    assert_eq!(s.position(), Position::Review);
    let review = s.review(crate::Lang::Sv.into());
    let items: Vec<(&str, &str, &str)> = review[0]
        .items
        .iter()
        .map(|i| (i.field.as_str(), i.label.as_str(), i.value.as_str()))
        .collect();
    assert_eq!(
        items,
        [
            ("barn[0].namn", "Barn 1: Förnamn", "Ada"),
            ("barn[0].skola", "Barn 1: Går i skolan?", "Ja"),
            ("barn[0].skolnamn", "Barn 1: Skola", "Solskolan"),
            ("barn[0].pnr", "Barn 1: Personnummer", ""),
            ("barn[0].pnr2", "Barn 1: Upprepa", ""),
            ("barn[0].belopp", "Barn 1: Belopp", ""),
            ("summa", "Summa", "0 kr"),
        ]
    );
    s.change("barn[0].skolnamn");
    assert_eq!(s.position(), Position::Step(0));
}

mod properties {
    //! For any rows: the browser sends what the receiver accepts, byte for byte, and a row
    //! field hidden by its row's answers is never sent.

    use proptest::prelude::*;

    use super::*;

    fn row() -> impl Strategy<Value = Vec<(&'static str, Answer)>> {
        (
            prop::option::of("[A-Za-zåäö]{1,12}".prop_map(|s| text(&s))),
            prop::option::of(prop::sample::select(vec!["yes", "no"]).prop_map(text)),
            prop::option::of("[A-Za-z ]{1,12}".prop_map(|s| text(&s))),
            prop::option::of((0u32..5000).prop_map(|n| text(&n.to_string()))),
        )
            .prop_map(|(namn, skola, skolnamn, belopp)| {
                [
                    ("namn", namn),
                    ("skola", skola),
                    ("skolnamn", skolnamn),
                    ("belopp", belopp),
                ]
                .into_iter()
                .filter_map(|(k, v)| Some((k, v?)))
                .collect()
            })
    }

    proptest! {
        #[test]
        fn browser_and_receiver_decide_alike_on_rows(rows in prop::collection::vec(row(), 0..5)) {
            let def = def();
            let mut a = Answers::new();
            for values in &rows {
                let i = a.add_row("barn");
                for (k, v) in values {
                    a.set(row_key("barn", i, k), v.clone());
                }
            }
            let state = FormState::evaluate(&def, &a, &cx());
            match Submission::build(&def, &a, crate::Lang::Sv, ID, &cx()) {
                Ok(sub) => {
                    prop_assert!((1..=3).contains(&rows.len()));
                    let sent = sub.answers.get("barn").and_then(|v| v.as_array()).cloned().unwrap_or_default();
                    for (i, r) in sent.iter().enumerate() {
                        for key in r.as_object().into_iter().flat_map(|o| o.keys()) {
                            let k = row_key("barn", i, key);
                            prop_assert!(state.is_visible(&k), "{k} is hidden but was sent");
                        }
                    }
                    let parsed: Submission = serde_json::from_str(&sub.to_canonical_json()).map_err(|e| TestCaseError::fail(e.to_string()))?;
                    let received = parsed.check(&def, &cx()).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                    let again = Submission::build(&def, &received, crate::Lang::Sv, ID, &cx()).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                    prop_assert_eq!(again.to_canonical_json(), sub.to_canonical_json());
                }
                Err(issues) => {
                    for issue in &issues {
                        prop_assert!(state.is_visible(&issue.field), "an issue at hidden {}", issue.field);
                    }
                }
            }
        }
    }
}

mod incremental {
    //! Typing in a field no expression reads skips re-evaluating the form: the session must
    //! still decide exactly as a full evaluation does, for any sequence of answers.

    use proptest::prelude::*;

    use crate::session::Change;

    use super::*;

    const KEYS: [&str; 8] = [
        "barn[0].namn",
        "barn[0].skola",
        "barn[0].skolnamn",
        "barn[0].belopp",
        "barn[1].namn",
        "barn[1].skola",
        "barn[1].belopp",
        "fler",
    ];

    fn edits() -> impl Strategy<Value = Vec<(usize, String)>> {
        prop::collection::vec(
            (
                0..KEYS.len(),
                prop::sample::select(vec!["", "yes", "no", "Ada", "250", "x"]),
            ),
            0..20,
        )
        .prop_map(|v| v.into_iter().map(|(i, s)| (i, s.to_owned())).collect())
    }

    proptest! {
        #[test]
        fn the_session_decides_like_a_full_evaluation(edits in edits(), rows in 1usize..3) {
            let keys = KEYS;
            let mut s = FormSession::new(Arc::new(def()), cx());
            for _ in 1..rows {
                s.add_row("barn");
            }
            for (i, value) in edits {
                let before = s.state().clone();
                let change = s.set_answer(keys[i], text(&value));
                let full = FormState::evaluate(s.definition(), s.answers(), &cx());
                prop_assert!(s.state().decides_like(&full), "after {} = {value:?}", keys[i]);
                // The app redraws only the typed field on `Change::Answer`: nothing else shown
                // may differ then.
                if change == Change::Answer {
                    prop_assert!(before.shows_like(&full), "{} said Answer but changed the form", keys[i]);
                }
            }
        }
    }
}

#[test]
fn a_step_has_required_questions_in_its_rows_too() {
    let def = test_definition(
        "rader",
        "1",
        json!("Rader"),
        json!([{ "id": "one", "title": "Ett", "fields": [
            { "id": "bilar", "type": "repeat", "label": "Bilar", "fields": [
                { "id": "regnr", "type": "text", "label": "Registreringsnummer", "required": true } ] },
            { "id": "ovrigt", "type": "text", "label": "Övrigt" }
        ]}]),
    );
    let mut s = FormSession::new(Arc::new(def), cx());
    assert!(!s.step_has_required(0), "no rows, nothing required");
    s.add_row("bilar");
    assert!(s.step_has_required(0), "a row's required question");
    assert!(!s.step_has_required(7), "no such step");
}
