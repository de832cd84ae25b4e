//! Drafts: what is kept, what comes back, and what a newer version of the form drops.

use crate::LangTag;
use std::sync::Arc;

use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::protocol::SendOutcome;
use crate::session::{Focus, SendStatus};
use crate::test_support::{cx, definition_json, test_definition, text};

const DRAFT: &str = "8d6f4f0e-1c2b-4a3d-9e8f-7a6b5c4d3e2f";
const SUBMISSION: &str = "3c2b1a09-8f7e-4d6c-9b5a-493827160504";
const T0: u64 = 1_764_000_000_000;
const DAY: u64 = 86_400_000;

fn steps(version: &str) -> serde_json::Value {
    // Version 2: `tel` becomes an integer (so "070-1" no longer fits), `ort` is gone, a new
    // required `epost` appears, `barn` allows two rows and loses `skola`.
    let v2 = version == "2";
    json!([
        { "id": "du", "title": "Du", "fields": [
            { "id": "namn", "type": "text", "label": { "sv": "Namn", "en": "Name" }, "required": true },
            { "id": "tel", "type": if v2 { "integer" } else { "text" }, "label": "Telefon" },
            if v2 { json!({ "id": "epost", "type": "email", "label": "E-post", "required": true }) }
            else { json!({ "id": "ort", "type": "text", "label": { "sv": "Ort", "en": "Town" } }) },
            { "id": "val", "type": "radio", "label": "Val", "options": [
                { "value": "a", "label": { "sv": "Alfa", "en": "Alpha" } },
                { "value": "b", "label": "Beta" } ] },
            { "id": "har_barn", "type": "yes_no", "label": "Har du barn?" }
        ]},
        { "id": "barnen", "title": "Barnen", "visible_if": { "choice": "har_barn", "any_of": ["yes"] },
          "fields": [
            { "id": "barn", "type": "repeat", "label": "Barn", "item_label": "Barn",
              "min_rows": 1, "max_rows": if v2 { 2 } else { 4 }, "fields":
                if v2 { json!([{ "id": "bnamn", "type": "text", "label": "Förnamn" }]) }
                else { json!([
                    { "id": "bnamn", "type": "text", "label": "Förnamn" },
                    { "id": "skola", "type": "text", "label": "Skola" } ]) } }
        ]},
        { "id": "sist", "title": "Sist", "fields": [
            { "id": "ovrigt", "type": "textarea", "label": "Övrigt" }
        ]}
    ])
}

fn def(version: &str) -> Arc<Definition> {
    Arc::new(test_definition(
        "ansokan",
        version,
        json!("Ansökan"),
        steps(version),
    ))
}

/// Half a form: the first step answered (one answer not yet valid), three children, on the
/// second step.
fn half_filled() -> FormSession {
    let mut s = FormSession::new(def("1"), cx());
    s.start();
    for (key, value) in [
        ("namn", "Ada"),
        ("tel", "070-1"),
        ("ort", "Umeå"),
        ("val", "a"),
        ("har_barn", "yes"),
    ] {
        s.type_text(key, value.into());
    }
    assert_eq!(s.next(&cx()), Focus::Heading);
    s.add_row("barn");
    s.add_row("barn");
    s.type_text("barn[0].bnamn", "Bo".into());
    s.type_text("barn[0].skola", "Eken".into());
    s.type_text("barn[2].bnamn", "Cy".into());
    s
}

#[test]
fn a_draft_keeps_answers_rows_position_and_times() {
    let s = half_filled();
    let d = s.to_draft(DRAFT, T0, T0 + 5_000);
    assert_eq!(d.blankett_draft, "1");
    assert_eq!(
        (d.form_id.as_str(), d.form_version.as_str()),
        ("ansokan", "1")
    );
    assert_eq!(d.at, DraftPosition::Step("barnen".into()));
    assert_eq!(d.progress, Some((2, 4)));
    assert_eq!((d.created_at, d.changed_at), (T0, T0 + 5_000));
    assert_eq!(d.expires_at, T0 + 5_000 + 30 * DAY, "30 days by default");
    assert!(!d.is_expired(T0 + 30 * DAY) && d.is_expired(T0 + 5_000 + 30 * DAY));
    assert_eq!(d.answers.text("barn[2].bnamn"), "Cy");
    assert_eq!(d.pending, None);
    let json = d.to_json();
    assert!(
        json.starts_with(r#"{"blankett_draft":"1","draft_id":"8d6f4f0e"#),
        "{json}"
    );
    assert_eq!(Draft::from_json(&json), Ok(d));
}

#[test]
fn the_same_version_restores_everything_as_it_was() {
    let s = half_filled();
    let d = s.to_draft(DRAFT, T0, T0);
    let r = FormSession::restore(def("1"), cx(), &d, None).expect("same form");
    assert!(r.dropped.is_empty());
    assert_eq!(
        r.session.answers(),
        s.answers(),
        "an answer not yet valid too"
    );
    assert_eq!(r.session.position(), Position::Step(1));
    assert_eq!(r.session.progress(), s.progress());
    assert_eq!(r.session.send_status(), &SendStatus::NotSent);
}

#[test]
fn a_newer_version_keeps_what_still_fits_and_lists_the_rest() {
    let d = half_filled().to_draft(DRAFT, T0, T0);
    let old = def("1");
    let r = FormSession::restore(def("2"), cx(), &d, Some(&old)).expect("same form");
    let s = &r.session;
    assert_eq!(s.answers().text("namn"), "Ada");
    assert_eq!(s.answers().text("val"), "a");
    assert_eq!(s.answers().get("tel"), None, "no longer a whole number");
    assert_eq!(s.answers().get("ort"), None, "the field is gone");
    assert_eq!(s.answers().row_count("barn"), 2, "max_rows is now 2");
    assert_eq!(s.answers().text("barn[0].bnamn"), "Bo");
    assert_eq!(s.answers().get("barn[0].skola"), None);
    let dropped: Vec<(&str, &str, &str, &str)> = r
        .dropped
        .iter()
        .map(|d| {
            (
                d.key.as_str(),
                d.label.get(Lang::En),
                d.value.get(Lang::Sv),
                d.label.get(Lang::Sv),
            )
        })
        .collect();
    assert_eq!(
        dropped,
        [
            ("barn[0].skola", "Skola", "Eken", "Skola"),
            ("barn[2].bnamn", "Förnamn", "Cy", "Förnamn"),
            ("ort", "Town", "Umeå", "Ort"),
            ("tel", "Telefon", "070-1", "Telefon"),
        ],
        "with the old version's labels, in key order"
    );
    assert_eq!(
        s.position(),
        Position::Step(1),
        "the step is found by its id"
    );

    // Without the old definition the key stands in for the label.
    let r = FormSession::restore(def("2"), cx(), &d, None).expect("same form");
    assert_eq!(r.dropped[2].label.get(Lang::Sv), "ort");
}

#[test]
fn a_step_that_no_longer_applies_falls_back_to_one_that_does() {
    let mut s = half_filled();
    s.type_text("har_barn", "no".into());
    let mut d = s.to_draft(DRAFT, T0, T0);
    d.at = DraftPosition::Step("barnen".into());
    let r = FormSession::restore(def("1"), cx(), &d, None).expect("same form");
    assert_eq!(r.session.position(), Position::Step(0));
    d.at = DraftPosition::Step("nosuchstep".into());
    let r = FormSession::restore(def("1"), cx(), &d, None).expect("same form");
    assert_eq!(r.session.position(), Position::Start);
}

#[test]
fn a_submission_sent_without_a_receipt_is_sent_again_with_its_id() {
    let mut s = half_filled();
    while s.position() != Position::Review {
        assert_eq!(s.next(&cx()), Focus::Heading);
    }
    let sent = s.begin_submit(Lang::Sv, SUBMISSION, &cx()).expect("valid");
    s.finish_submit(SendOutcome::NO_REPLY);
    let d = s.to_draft(DRAFT, T0, T0);
    assert_eq!(d.at, DraftPosition::Review);
    let mut r = FormSession::restore(def("1"), cx(), &d, None).expect("same form");
    assert_eq!(
        r.session.send_status(),
        &SendStatus::TryAgain {
            status: None,
            detail: None
        },
        "the citizen is told it was not sent"
    );
    let again = r
        .session
        .begin_submit(Lang::Sv, "another-id", &cx())
        .expect("valid");
    assert_eq!(again.to_canonical_json(), sent.to_canonical_json());
}

#[test]
fn stored_drafts_that_cannot_be_opened_say_why() {
    assert_eq!(
        Draft::from_json(r#"{"blankett_draft":"9"}"#),
        Err(DraftError::UnsupportedFormat("9".into()))
    );
    assert!(matches!(
        Draft::from_json("{not json"),
        Err(DraftError::Malformed(_))
    ));
    assert!(matches!(
        Draft::from_json(r#"{"draft_id":"x"}"#),
        Err(DraftError::Malformed(_))
    ));
    let mut d = half_filled().to_draft(DRAFT, T0, T0);
    let mut json: serde_json::Value = serde_json::from_str(&d.to_json()).expect("json");
    json["answers"]["namn"] = json!(42);
    assert!(matches!(
        Draft::from_json(&json.to_string()),
        Err(DraftError::Malformed(_))
    ));
    d.form_id = "annat".into();
    let err = FormSession::restore(def("1"), cx(), &d, None).map(|_| ());
    assert_eq!(
        err,
        Err(DraftError::WrongForm {
            expected: "ansokan".into(),
            found: "annat".into()
        })
    );
    assert_eq!(
        err.expect_err("another form").message(Lang::Sv),
        "det sparade utkastet gäller formuläret \"annat\", inte \"ansokan\""
    );
}

#[test]
fn a_definition_says_how_long_drafts_are_kept() {
    let with = |drafts: serde_json::Value| {
        let mut d = definition_json("f", "1", json!("F"), steps("1"));
        d["drafts"] = drafts;
        crate::load(&d.to_string())
    };
    let def = with(json!({ "keep_days": 7 })).definition.expect("loads");
    assert_eq!(def.keep_days(), 7);
    let s = FormSession::new(Arc::new(def), cx());
    assert_eq!(s.to_draft(DRAFT, T0, T0).expires_at, T0 + 7 * DAY);
    let none = with(json!({ "keep_days": 0 })).definition.expect("loads");
    assert!(!none.keeps_drafts());
    let lines = |l: crate::Loaded| -> Vec<String> {
        l.diagnostics.iter().map(|d| d.line(Lang::En)).collect()
    };
    assert_eq!(
        lines(with(json!({ "keep_days": 400 }))),
        ["drafts.keep_days: must be at most 365"]
    );
    assert_eq!(
        lines(with(json!({ "keep_days": -1 }))),
        ["drafts.keep_days: expected a whole number ≥ 0, found a number"]
    );
    assert_eq!(
        lines(with(json!({ "days": 3 }))),
        [
            "drafts.days: unknown property \"days\"",
            "drafts: missing required property \"keep_days\""
        ]
    );
}

/// A key and a value that some field of version 1 takes or refuses.
fn answer_strategy() -> impl Strategy<Value = (String, String)> {
    let keys = prop::sample::select(vec![
        "namn",
        "tel",
        "ort",
        "val",
        "har_barn",
        "ovrigt",
        "barn[0].bnamn",
        "barn[1].skola",
        "barn[2].bnamn",
    ]);
    let values = prop::sample::select(vec!["", "Ada", "a", "b", "yes", "no", "070-1", " x "]);
    (keys, values).prop_map(|(k, v)| (k.to_owned(), v.to_owned()))
}

proptest! {
    /// restore(save(session)) decides like the session did: the same answers, position,
    /// steps, progress, review, and the same issues on Next.
    #[test]
    fn a_restored_draft_decides_like_the_session(
        answers in prop::collection::vec(answer_strategy(), 0..12),
        rows in 0usize..4,
        nexts in 0usize..4,
    ) {
        let mut s = FormSession::new(def("1"), cx());
        s.start();
        for _ in 0..rows {
            s.add_row("barn");
        }
        for (key, value) in &answers {
            s.set_answer(key, text(value));
        }
        for _ in 0..nexts {
            s.next(&cx());
        }
        let d = Draft::from_json(&s.to_draft(DRAFT, T0, T0).to_json()).expect("reads back");
        let mut r = FormSession::restore(def("1"), cx(), &d, None).expect("same form").session;
        prop_assert_eq!(r.answers(), s.answers());
        prop_assert_eq!(r.position(), s.position());
        prop_assert_eq!(r.progress(), s.progress());
        prop_assert!(r.state().decides_like(s.state()), "{:?} / {:?}", r.state(), s.state());
        prop_assert_eq!(r.review(LangTag::SV), s.review(LangTag::SV));
        let (mut s2, focus) = (s.clone(), s.clone().next(&cx()));
        prop_assert_eq!(r.next(&cx()), focus);
        s2.next(&cx());
        prop_assert_eq!(r.summary(), s2.summary());
        prop_assert_eq!(r.position(), s2.position());
    }
}

#[test]
fn newest_first_orders_by_time_and_keeps_ties_in_order() {
    let items = vec![("a", 5), ("b", 9), ("c", 5), ("d", 1), ("e", 9)];
    let sorted = super::newest_first(items, |(_, t)| *t);
    let names: Vec<&str> = sorted.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["b", "e", "a", "c", "d"]);
    assert!(super::newest_first(Vec::<(u8, u64)>::new(), |(_, t)| *t).is_empty());
}
