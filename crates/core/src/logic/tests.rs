//! Conditions, computed values and rules: one definition, many answer sets.

use std::sync::Arc;

use serde_json::json;

use super::*;
use crate::session::{Focus, FormSession, Position};
use crate::submission::Submission;
use crate::test_support::{cx, refused, test_definition, text};

/// Contact details on condition, a chain of conditions, a conditional step, a fee.
fn def() -> crate::Definition {
    test_definition(
        "villkor",
        "1",
        json!("Villkor"),
        json!([
            { "id": "one", "title": "Ett", "fields": [
                { "id": "contact", "type": "yes_no", "label": "Vill du bli kontaktad?", "required": true },
                { "id": "details", "type": "group", "label": "Kontakt",
                  "visible_if": { "choice": "contact", "any_of": ["yes"] },
                  "fields": [
                    { "id": "email", "type": "email", "label": "E-post", "required_if": { "!": { "var": "phone" } } },
                    { "id": "phone", "type": "phone", "label": "Telefon" }
                  ] },
                { "id": "why", "type": "text", "label": "Varför?", "visible_if": { "!!": { "var": "email" } } },
                { "id": "kind", "type": "checkboxes", "label": "Vad gäller det?", "options": [
                    { "value": "lamp", "label": "Lampa" }, { "value": "road", "label": "Väg" }, { "value": "park", "label": "Park" } ] },
                { "id": "lamp_no", "type": "text", "label": "Stolpnummer",
                  "visible_if": { "choice": "kind", "any_of": ["lamp"] },
                  "read_only_if": { "choice": "kind", "all_of": ["lamp", "road"] } }
            ]},
            { "id": "fee", "title": "Avgift", "visible_if": { "choice": "kind", "any_of": ["park"] }, "fields": [
                { "id": "start", "type": "date", "label": "Från", "required": true },
                { "id": "end", "type": "date", "label": "Till", "required": true },
                { "id": "days", "type": "computed", "label": "Dagar",
                  "expression": { "if": [{ "missing": ["start", "end"] }, null,
                                         { "+": [{ "days_between": [{ "var": "start" }, { "var": "end" }] }, 1] }] } },
                { "id": "cost", "type": "computed", "label": "Avgift", "unit": "kr",
                  "expression": { "*": [{ "var": "days" }, 150] } }
              ],
              "rules": [{ "rule": { "<=": [{ "var": "start" }, { "var": "end" }] },
                          "message": { "sv": "Till kan inte vara före Från.", "en": "To cannot be before From." },
                          "fields": ["end"] }]
            },
            { "id": "last", "title": "Sist", "fields": [
                { "id": "note", "type": "textarea", "label": "Övrigt" }
            ]}
        ]),
    )
}

fn answers(pairs: &[(&str, Answer)]) -> Answers {
    let mut a = Answers::new();
    for (k, v) in pairs {
        a.set(*k, v.clone());
    }
    a
}

#[test]
fn a_choice_shows_and_hides_a_group() {
    let def = def();
    let hidden = FormState::evaluate(&def, &answers(&[("contact", text("no"))]), &cx());
    for id in ["details", "email", "phone"] {
        assert!(!hidden.is_visible(id), "{id} hidden when the answer is no");
    }
    let shown = FormState::evaluate(&def, &answers(&[("contact", text("yes"))]), &cx());
    for id in ["details", "email", "phone"] {
        assert!(shown.is_visible(id), "{id} shown when the answer is yes");
    }
    assert!(
        shown.is_required("email"),
        "required_if: e-mail is needed without a phone"
    );
    let with_phone = FormState::evaluate(
        &def,
        &answers(&[("contact", text("yes")), ("phone", text("070-123 45 67"))]),
        &cx(),
    );
    assert!(!with_phone.is_required("email"));
}

#[test]
fn a_hidden_answer_does_not_keep_its_dependents_visible() {
    let def = def();
    let a = answers(&[("contact", text("yes")), ("email", text("a@b.se"))]);
    assert!(FormState::evaluate(&def, &a, &cx()).is_visible("why"));
    let mut a = a;
    a.set("contact", text("no"));
    let state = FormState::evaluate(&def, &a, &cx());
    assert!(!state.is_visible("email"));
    assert!(
        !state.is_visible("why"),
        "why depends on the e-mail, which is hidden"
    );
    assert!(
        !state.data().contains_key("email"),
        "a hidden field has no value for expressions"
    );
}

#[test]
fn checkbox_short_forms_any_and_all() {
    let def = def();
    let state = |chosen: &[&str]| {
        let a = answers(&[(
            "kind",
            Answer::Choices(chosen.iter().map(|s| (*s).to_owned()).collect()),
        )]);
        FormState::evaluate(&def, &a, &cx())
    };
    assert!(!state(&["road"]).is_visible("lamp_no"));
    assert!(state(&["road", "lamp"]).is_visible("lamp_no"));
    assert!(!state(&["lamp"]).is_read_only("lamp_no"));
    assert!(
        state(&["lamp", "road"]).is_read_only("lamp_no"),
        "all_of needs every value"
    );
    assert!(!state(&[]).step_applies(1));
    assert!(state(&["park"]).step_applies(1));
}

#[test]
fn computed_values_follow_the_answers() {
    let def = def();
    let mut a = answers(&[
        ("kind", Answer::Choices(vec!["park".into()])),
        ("start", text("2026-12-01")),
    ]);
    assert_eq!(
        FormState::evaluate(&def, &a, &cx()).computed("days"),
        None,
        "not yet computable"
    );
    a.set("end", text("2026-12-03"));
    let state = FormState::evaluate(&def, &a, &cx());
    assert_eq!(state.computed("days"), Some(&json!(3)));
    assert_eq!(
        state.computed("cost"),
        Some(&json!(450)),
        "a computed value can read another"
    );
    a.set("kind", Answer::Choices(vec!["road".into()]));
    let state = FormState::evaluate(&def, &a, &cx());
    assert_eq!(state.computed("cost"), None, "the fee step does not apply");
}

#[test]
fn hidden_answers_are_not_validated_or_sent_but_kept_in_the_draft() {
    let def = Arc::new(def());
    let mut s = FormSession::new(def.clone(), cx());
    s.set_answer("contact", text("yes"));
    s.set_answer("email", text("not an e-mail"));
    s.set_answer("contact", text("no"));
    assert_eq!(
        crate::validate::validate_form(&def, s.answers(), &cx()),
        vec![],
        "the hidden e-mail is not checked"
    );
    let sub = Submission::build(
        &def,
        s.answers(),
        crate::Lang::Sv,
        "0f8b3c2e-6a55-4a4c-9c3e-1d2f3a4b5c6d",
        &cx(),
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(sub.answers.keys().collect::<Vec<_>>(), ["contact"]);
    assert_eq!(
        s.answers().text("email"),
        "not an e-mail",
        "the draft keeps it"
    );
    s.set_answer("contact", text("yes"));
    assert!(s.state().is_visible("email"));
}

#[test]
fn navigation_and_progress_skip_steps_that_do_not_apply() {
    let def = Arc::new(def());
    let mut s = FormSession::new(def, cx());
    s.start();
    s.set_answer("contact", text("no"));
    assert_eq!(
        s.progress(),
        Some((1, 3)),
        "two steps apply, plus the review"
    );
    assert_eq!(s.next(&cx()), Focus::Heading);
    assert_eq!(s.position(), Position::Step(2), "the fee step is skipped");
    assert_eq!(s.progress(), Some((2, 3)));
    s.back();
    assert_eq!(s.position(), Position::Step(0));
    s.set_answer("kind", Answer::Choices(vec!["park".into()]));
    assert_eq!(s.progress(), Some((1, 4)));
    assert_eq!(s.next(&cx()), Focus::Heading);
    assert_eq!(s.position(), Position::Step(1));
}

#[test]
fn a_step_rule_shows_its_message_at_its_field() {
    let def = Arc::new(def());
    let mut s = FormSession::new(def, cx());
    s.start();
    s.set_answer("contact", text("no"));
    s.set_answer("kind", Answer::Choices(vec!["park".into()]));
    assert_eq!(s.next(&cx()), Focus::Heading);
    s.set_answer("start", text("2026-12-05"));
    s.set_answer("end", text("2026-12-01"));
    assert_eq!(s.next(&cx()), Focus::ErrorSummary);
    let summary: Vec<(String, String)> = s
        .summary()
        .iter()
        .map(|i| (i.field.clone(), i.code.message(crate::Lang::Sv)))
        .collect();
    assert_eq!(
        summary,
        [("end".to_owned(), "Till kan inte vara före Från.".to_owned())]
    );
    s.set_answer("end", text("2026-12-06"));
    assert_eq!(s.next(&cx()), Focus::Heading);
}

#[test]
fn the_receiver_refuses_hidden_answers_and_wrong_computed_values() {
    let def = def();
    let id = "0f8b3c2e-6a55-4a4c-9c3e-1d2f3a4b5c6d";
    let a = answers(&[
        ("contact", text("no")),
        ("kind", Answer::Choices(vec!["park".into()])),
        ("start", text("2026-12-01")),
        ("end", text("2026-12-02")),
    ]);
    let good =
        Submission::build(&def, &a, crate::Lang::Sv, id, &cx()).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        good.answers.get("cost"),
        Some(&json!(300)),
        "computed values are sent"
    );
    assert!(good.check(&def, &cx()).is_ok());

    let codes = |sub: &Submission| refused(sub, &def);
    let mut tampered = good.clone();
    tampered.answers.insert("cost".into(), json!(1));
    assert_eq!(codes(&tampered), [("cost".to_owned(), "computed_mismatch")]);
    let mut smuggled = good.clone();
    smuggled.answers.insert("email".into(), json!("a@b.se"));
    assert_eq!(codes(&smuggled), [("email".to_owned(), "hidden_field")]);
    let mut reversed = good;
    reversed.answers.insert("end".into(), json!("2026-11-30"));
    reversed.answers.insert("days".into(), json!(0));
    reversed.answers.insert("cost".into(), json!(0));
    assert_eq!(codes(&reversed), [("end".to_owned(), "rule")]);
}

mod properties {
    //! For any answers: what the browser sends is exactly what the receiver accepts, and a
    //! field hidden by its conditions never reaches the submission.

    use proptest::prelude::*;

    use super::*;

    fn answer_sets() -> impl Strategy<Value = Vec<(&'static str, Answer)>> {
        let yes_no = prop::sample::select(vec!["yes", "no"]).prop_map(text);
        let kinds = prop::sample::subsequence(vec!["lamp", "road", "park"], 0..=3)
            .prop_map(|v| Answer::Choices(v.into_iter().map(str::to_owned).collect()));
        let email = prop::sample::select(vec!["a@b.se", "anna@exempel.se"]).prop_map(text);
        let phone = prop::sample::select(vec!["070-123 45 67", "08-123 45"]).prop_map(text);
        let day = (1u8..=28).prop_map(|d| text(&format!("2026-12-{d:02}")));
        (
            yes_no,
            prop::option::of(email),
            prop::option::of(phone),
            prop::option::of("[a-zåäö ]{1,20}".prop_map(|s| text(&s))),
            kinds,
            prop::option::of("[A-Z]{1,2}[0-9]{1,4}".prop_map(|s| text(&s))),
            day.clone(),
            day,
        )
            .prop_map(|(contact, email, phone, why, kind, lamp, start, end)| {
                let mut out = vec![
                    ("contact", contact),
                    ("kind", kind),
                    ("start", start),
                    ("end", end),
                ];
                out.extend(email.map(|a| ("email", a)));
                out.extend(phone.map(|a| ("phone", a)));
                out.extend(why.map(|a| ("why", a)));
                out.extend(lamp.map(|a| ("lamp_no", a)));
                out
            })
    }

    proptest! {
        #[test]
        fn browser_and_receiver_decide_alike(pairs in answer_sets()) {
            let def = def();
            let a = answers(&pairs);
            let state = FormState::evaluate(&def, &a, &cx());
            let id = "0f8b3c2e-6a55-4a4c-9c3e-1d2f3a4b5c6d";
            match Submission::build(&def, &a, crate::Lang::Sv, id, &cx()) {
                Ok(sub) => {
                    for key in sub.answers.keys() {
                        prop_assert!(state.is_visible(key), "{key} is hidden but was sent");
                    }
                    // The receiver parses the exact bytes and accepts them, computing the same state.
                    let parsed: Submission = serde_json::from_str(&sub.to_canonical_json()).map_err(|e| TestCaseError::fail(e.to_string()))?;
                    let received = parsed.check(&def, &cx()).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                    let again = Submission::build(&def, &received, crate::Lang::Sv, id, &cx()).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                    prop_assert_eq!(again.to_canonical_json(), sub.to_canonical_json());
                    let received_state = FormState::evaluate(&def, &received, &cx());
                    prop_assert_eq!(received_state.computed_values(), state.computed_values());
                }
                Err(issues) => {
                    // What the browser refuses, it refuses at shown fields only.
                    for issue in &issues {
                        prop_assert!(state.is_visible(&issue.field), "an issue at hidden {}", issue.field);
                    }
                }
            }
        }
    }
}

mod incremental {
    //! The same for form-level fields, read and unread by expressions.

    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn the_session_decides_like_a_full_evaluation(edits in prop::collection::vec((0usize..8, prop::sample::select(vec!["", "yes", "no", "a@b.se", "2026-12-01", "lamp", "x"])), 0..25)) {
            let keys = ["contact", "email", "phone", "why", "lamp_no", "start", "end", "kind"];
            let mut s = FormSession::new(Arc::new(def()), cx());
            for (i, value) in edits {
                let answer = if keys[i] == "kind" {
                    Answer::Choices(if value.is_empty() { vec![] } else { vec![value.to_owned()] })
                } else {
                    text(value)
                };
                let before = s.state().clone();
                let change = s.set_answer(keys[i], answer);
                let full = FormState::evaluate(s.definition(), s.answers(), &cx());
                prop_assert!(s.state().decides_like(&full), "after {} = {value:?}", keys[i]);
                if change == crate::session::Change::Answer {
                    prop_assert!(before.shows_like(&full), "{} said Answer but changed the form", keys[i]);
                }
            }
        }
    }
}
