//! Session tests: what the citizen sees after each action, from the start page to the receipt.

use crate::LangTag;
use serde_json::json;

use super::*;
use crate::protocol::{Localized, Receipt, SendOutcome};
use crate::test_support::{cx, test_definition, text};
use crate::{Lang, Submission};

const ID: &str = "6f1c2b9e-4d3a-4c5b-8e7f-0a1b2c3d4e5f";

/// Three steps (so four with the review page); a group on the first, an info text on the second.
fn def() -> Definition {
    test_definition(
        "felanmalan",
        "1",
        json!({ "sv": "Felanmälan", "en": "Report a fault" }),
        json!([
            { "id": "contact", "title": { "sv": "Kontakt", "en": "Contact" }, "fields": [
                { "id": "name", "type": "text", "label": { "sv": "Namn", "en": "Name" }, "required": true },
                { "id": "email", "type": "email", "label": { "sv": "E-post", "en": "E-mail" }, "required": true },
                { "id": "address", "type": "group", "label": { "sv": "Adress", "en": "Address" }, "fields": [
                    { "id": "street", "type": "text", "label": { "sv": "Gata", "en": "Street" } },
                    { "id": "zip", "type": "postal_code", "label": { "sv": "Postnummer", "en": "Postcode" },
                      "required": true }
                ]}
            ]},
            { "id": "fault", "title": { "sv": "Felet", "en": "The fault" }, "fields": [
                { "id": "about", "type": "info", "text": "Beskriv felet så noga du kan." },
                { "id": "kind", "type": "radio", "label": { "sv": "Vad är fel?", "en": "What is wrong?" },
                  "required": true, "options": [
                    { "value": "pothole", "label": { "sv": "Gropp i vägen", "en": "Pothole" } },
                    { "value": "light", "label": { "sv": "Trasig lampa", "en": "Broken light" } } ] },
                { "id": "where", "type": "checkboxes", "label": { "sv": "Var?", "en": "Where?" }, "options": [
                    { "value": "road", "label": { "sv": "Väg", "en": "Road" } },
                    { "value": "path", "label": { "sv": "Gångväg", "en": "Footpath" } },
                    { "value": "park", "label": { "sv": "Park", "en": "Park" } } ] },
                { "id": "urgent", "type": "yes_no", "label": { "sv": "Är det bråttom?", "en": "Is it urgent?" } }
            ]},
            { "id": "when", "title": { "sv": "När", "en": "When" }, "fields": [
                { "id": "seen", "type": "date", "label": { "sv": "Datum", "en": "Date" }, "max": "today" },
                { "id": "count", "type": "integer", "label": { "sv": "Antal", "en": "Number" }, "min": 1 }
            ]}
        ]),
    )
}

fn session() -> FormSession {
    FormSession::new(Arc::new(def()), cx())
}

/// The fields listed in the error summary, in order.
fn summary(s: &FormSession) -> Vec<(&str, &str)> {
    s.summary()
        .iter()
        .map(|i| (i.field.as_str(), i.code.code()))
        .collect()
}

/// The inline message codes shown at `fields`, in order (`None` for no message).
fn shown<'a>(s: &'a FormSession, fields: &[&'a str]) -> Vec<(&'a str, Option<&'static str>)> {
    fields
        .iter()
        .map(|f| (*f, s.error(f).map(IssueCode::code)))
        .collect()
}

/// A session on the first step with every step answered correctly.
fn filled() -> FormSession {
    let mut s = session();
    s.start();
    for (field, answer) in [
        ("name", text(" Anna ")),
        ("email", text("anna@exempel.se")),
        ("zip", text("12345")),
        ("kind", text("light")),
        ("where", Answer::Choices(vec!["road".into(), "park".into()])),
        ("urgent", text("yes")),
    ] {
        s.set_answer(field, answer);
    }
    s
}

/// A correctly filled-in session moved to `position` the way a citizen gets there.
fn at(position: Position) -> FormSession {
    let mut s = filled();
    match position {
        Position::Start => {
            s.back();
        }
        Position::Step(i) => {
            for _ in 0..i {
                assert_eq!(s.next(&cx()), Focus::Heading, "every step is answered");
            }
        }
        Position::Review => {
            while s.position() != Position::Review {
                assert_eq!(s.next(&cx()), Focus::Heading, "every step is answered");
            }
        }
        Position::Done => {
            s = at(Position::Review);
            received(&mut s);
        }
    }
    assert_eq!(s.position(), position, "setting up");
    s
}

/// Sends the session's submission (id [`ID`]) and lets the receiver accept it.
fn received(s: &mut FormSession) -> Receipt {
    let sent = s
        .begin_submit(Lang::Sv, ID, &cx())
        .expect("every answer is valid");
    let receipt = Receipt {
        reference: "B-2026-000001".into(),
        submission_id: sent.submission_id,
        received_at: "2026-11-23T10:00:00Z".into(),
    };
    assert_eq!(
        s.finish_submit(SendOutcome::Received(receipt.clone())),
        Focus::Heading,
        "focus to the receipt's heading"
    );
    receipt
}

#[test]
fn start_page_then_the_first_step() {
    let mut s = session();
    assert_eq!(s.position(), Position::Start);
    assert_eq!(s.progress(), None);
    s.start();
    assert_eq!(s.position(), Position::Step(0));
    assert_eq!(s.progress(), Some((1, 4)));

    let mut s = session();
    assert_eq!(
        s.next(&cx()),
        Focus::Heading,
        "Next on the start page starts the form"
    );
    assert_eq!(s.position(), Position::Step(0));
}

#[test]
fn typing_shows_nothing() {
    let mut s = session();
    s.start();
    s.set_answer("email", text("anna@"));
    s.set_answer("zip", text("0"));
    assert_eq!(s.answers().text("email"), "anna@");
    assert_eq!(
        shown(&s, &["email", "zip"]),
        [("email", None), ("zip", None)]
    );
    assert_eq!(summary(&s), []);
}

#[test]
fn blank_answers_are_removed() {
    let mut s = session();
    s.set_answer("name", text("Anna"));
    s.set_answer("name", text("   "));
    assert_eq!(s.answers().get("name"), None);
    s.set_answer("where", Answer::Choices(vec!["road".into()]));
    s.set_answer("where", Answer::Choices(vec![]));
    assert_eq!(s.answers().get("where"), None);
}

#[test]
fn blur_shows_and_clears_one_fields_message() {
    // (value typed before leaving the field, the message shown afterwards)
    let cases: &[(&str, Option<&str>, Option<&str>, &str)] = &[
        (
            "name",
            None,
            None,
            "an untouched empty required field stays quiet",
        ),
        ("name", Some("   "), None, "blank counts as untouched"),
        (
            "email",
            Some("anna@"),
            Some("invalid_email"),
            "an invalid value is shown",
        ),
        (
            "email",
            Some("anna@exempel.se"),
            None,
            "a valid value shows nothing",
        ),
        (
            "zip",
            Some("1234"),
            Some("invalid_postal_code"),
            "in a group too",
        ),
        ("street", None, None, "an optional empty field"),
        (
            "nosuchfield",
            Some("x"),
            None,
            "an unknown field is ignored",
        ),
    ];
    for (field, typed, expected, reason) in cases {
        let mut s = session();
        s.start();
        if let Some(t) = typed {
            s.set_answer(field, text(t));
        }
        s.leave(field, &cx());
        assert_eq!(
            s.error(field).map(IssueCode::code),
            *expected,
            "{field}: {reason}"
        );
        assert_eq!(summary(&s), [], "{field}: blur never fills the summary");
    }
}

#[test]
fn blur_updates_a_shown_message() {
    let mut s = session();
    s.start();
    s.set_answer("email", text("anna@"));
    s.leave("email", &cx());
    assert_eq!(s.error("email"), Some(&IssueCode::InvalidEmail));
    s.set_answer("email", text(""));
    s.leave("email", &cx());
    assert_eq!(
        s.error("email"),
        Some(&IssueCode::Required),
        "emptying a field with a message says it is required"
    );
    s.set_answer("email", text("anna@exempel.se"));
    s.leave("email", &cx());
    assert_eq!(s.error("email"), None, "fixed");
}

#[test]
fn next_with_errors_stays_and_lists_them_in_document_order() {
    let mut s = session();
    s.start();
    s.set_answer("zip", text("0"));
    assert_eq!(s.next(&cx()), Focus::ErrorSummary);
    assert_eq!(s.position(), Position::Step(0));
    assert_eq!(
        summary(&s),
        [
            ("name", "required"),
            ("email", "required"),
            ("zip", "invalid_postal_code")
        ]
    );
    assert_eq!(
        shown(&s, &["name", "email", "street", "zip"]),
        [
            ("name", Some("required")),
            ("email", Some("required")),
            ("street", None),
            ("zip", Some("invalid_postal_code")),
        ]
    );
    assert_eq!(s.progress(), Some((1, 4)));
}

#[test]
fn fixing_a_field_clears_it_from_the_summary_on_blur() {
    let mut s = session();
    s.start();
    assert_eq!(s.next(&cx()), Focus::ErrorSummary);
    s.set_answer("email", text("anna@exempel.se"));
    s.leave("email", &cx());
    assert_eq!(summary(&s), [("name", "required"), ("zip", "required")]);
    assert_eq!(s.error("email"), None);
    s.set_answer("zip", text("1"));
    s.leave("zip", &cx());
    assert_eq!(
        summary(&s),
        [("name", "required"), ("zip", "invalid_postal_code")],
        "a field still wrong keeps its summary entry, saying what is wrong now"
    );
    assert_eq!(s.error("zip"), Some(&IssueCode::InvalidPostalCode));
}

#[test]
fn next_checks_the_whole_step_again() {
    let mut s = session();
    s.start();
    assert_eq!(s.next(&cx()), Focus::ErrorSummary);
    // Fixed without leaving the field: Next still notices.
    s.set_answer("name", text("Anna"));
    s.set_answer("email", text("anna@"));
    assert_eq!(s.next(&cx()), Focus::ErrorSummary);
    assert_eq!(
        summary(&s),
        [("email", "invalid_email"), ("zip", "required")]
    );
    assert_eq!(
        shown(&s, &["name", "email", "zip"]),
        [
            ("name", None),
            ("email", Some("invalid_email")),
            ("zip", Some("required"))
        ]
    );
}

#[test]
fn next_when_valid_moves_on_and_clears_the_summary() {
    let mut s = filled();
    s.set_answer("zip", text("0"));
    assert_eq!(s.next(&cx()), Focus::ErrorSummary);
    assert_eq!(summary(&s), [("zip", "invalid_postal_code")]);
    s.set_answer("zip", text("123 45"));
    assert_eq!(s.next(&cx()), Focus::Heading);
    assert_eq!(s.position(), Position::Step(1));
    assert_eq!(summary(&s), []);
    assert_eq!(s.error("zip"), None);
    assert_eq!(s.progress(), Some((2, 4)));
    assert_eq!(s.next(&cx()), Focus::Heading);
    assert_eq!(s.position(), Position::Step(2));
    assert_eq!(s.progress(), Some((3, 4)));
    assert_eq!(
        s.next(&cx()),
        Focus::Heading,
        "the last step has only optional questions"
    );
    assert_eq!(s.position(), Position::Review);
    assert_eq!(s.progress(), Some((4, 4)));
    assert!(!s.returns_to_review());
}

#[test]
fn back_goes_one_place_back() {
    let cases: &[(Position, Position)] = &[
        (Position::Start, Position::Start),
        (Position::Step(0), Position::Start),
        (Position::Step(1), Position::Step(0)),
        (Position::Step(2), Position::Step(1)),
        (Position::Review, Position::Step(2)),
        (Position::Done, Position::Done),
    ];
    for (from, to) in cases {
        let mut s = at(*from);
        s.back();
        assert_eq!(s.position(), *to, "back from {from:?}");
    }
}

#[test]
fn back_clears_the_summary() {
    let mut s = at(Position::Step(1));
    s.set_answer("kind", text("x"));
    assert_eq!(s.next(&cx()), Focus::ErrorSummary);
    assert_eq!(summary(&s), [("kind", "unknown_option")]);
    s.back();
    assert_eq!(s.position(), Position::Step(0));
    assert_eq!(summary(&s), []);
}

#[test]
fn change_from_review_returns_to_review() {
    let mut s = at(Position::Review);
    s.change("zip");
    assert_eq!(
        s.position(),
        Position::Step(0),
        "zip is in a group on the first step"
    );
    assert!(s.returns_to_review());
    s.set_answer("zip", text("9"));
    assert_eq!(s.next(&cx()), Focus::ErrorSummary);
    assert_eq!(s.position(), Position::Step(0));
    assert!(s.returns_to_review(), "still on the way back to review");
    s.set_answer("zip", text("981 31"));
    assert_eq!(s.next(&cx()), Focus::Heading);
    assert_eq!(
        s.position(),
        Position::Review,
        "straight back, skipping steps 2 and 3"
    );
    assert!(!s.returns_to_review());

    s.change("urgent");
    assert_eq!(s.position(), Position::Step(1));
    s.back();
    assert_eq!(s.position(), Position::Step(0));
    assert!(!s.returns_to_review(), "Back leaves the change journey");

    let before = s.clone();
    s.change("nosuchfield");
    assert_eq!(s, before, "an unknown field changes nothing");
}

#[test]
fn progress_counts_review_as_the_last_step() {
    let mut s = filled();
    let mut seen = vec![s.progress()];
    while s.position() != Position::Review {
        assert_eq!(s.next(&cx()), Focus::Heading);
        seen.push(s.progress());
    }
    received(&mut s);
    seen.push(s.progress());
    assert_eq!(
        seen,
        [Some((1, 4)), Some((2, 4)), Some((3, 4)), Some((4, 4)), None]
    );
    assert_eq!(session().progress(), None, "the start page has no progress");
}

fn item(field: &str, label: &str, value: &str) -> ReviewItem {
    ReviewItem {
        field: field.to_owned(),
        label: label.to_owned(),
        value: value.to_owned(),
        editable: true,
        // The e-mail, postal code, date and number of `filled()` read left to right in every
        // language.
        ltr: ["email", "zip", "seen", "count"].contains(&field),
    }
}

#[test]
fn review_lists_every_question_with_display_values() {
    let s = filled();
    assert_eq!(
        s.review(LangTag::SV),
        [
            ReviewSection {
                step: 0,
                title: "Kontakt".into(),
                items: vec![
                    item("name", "Namn", "Anna"),
                    item("email", "E-post", "anna@exempel.se"),
                    item("street", "Gata", ""),
                    item("zip", "Postnummer", "12345"),
                ],
            },
            ReviewSection {
                step: 1,
                title: "Felet".into(),
                items: vec![
                    item("kind", "Vad är fel?", "Trasig lampa"),
                    item("where", "Var?", "Väg, Park"),
                    item("urgent", "Är det bråttom?", "Ja"),
                ],
            },
            ReviewSection {
                step: 2,
                title: "När".into(),
                items: vec![item("seen", "Datum", ""), item("count", "Antal", "")],
            },
        ]
    );
    let en = s.review(LangTag::EN);
    let values: Vec<(&str, &str)> = en
        .iter()
        .flat_map(|sec| sec.items.iter())
        .map(|i| (i.label.as_str(), i.value.as_str()))
        .collect();
    assert_eq!(
        values,
        [
            ("Name", "Anna"),
            ("E-mail", "anna@exempel.se"),
            ("Street", ""),
            ("Postcode", "12345"),
            ("What is wrong?", "Broken light"),
            ("Where?", "Road, Park"),
            ("Is it urgent?", "Yes"),
            ("Date", ""),
            ("Number", ""),
        ]
    );
    assert_eq!(en[1].title, "The fault");
}

#[test]
fn display_answer_per_kind() {
    let def = def();
    let f = |id: &str| def.field(id).expect("the field exists");
    let cases: &[(&str, Option<Answer>, Lang, &str)] = &[
        ("name", Some(text("  Anna  ")), Lang::Sv, "Anna"),
        ("name", None, Lang::Sv, ""),
        ("name", Some(text("  ")), Lang::Sv, ""),
        ("zip", Some(text("12345")), Lang::Sv, "12345"),
        ("kind", Some(text("pothole")), Lang::Sv, "Gropp i vägen"),
        ("kind", Some(text("pothole")), Lang::En, "Pothole"),
        ("kind", Some(text("other")), Lang::Sv, "other"),
        (
            "where",
            Some(Answer::Choices(vec!["road".into(), "path".into()])),
            Lang::Sv,
            "Väg, Gångväg",
        ),
        ("where", Some(Answer::Choices(vec![])), Lang::Sv, ""),
        ("urgent", Some(text("yes")), Lang::Sv, "Ja"),
        ("urgent", Some(text("no")), Lang::Sv, "Nej"),
        ("urgent", Some(text("yes")), Lang::En, "Yes"),
        ("urgent", Some(text("no")), Lang::En, "No"),
    ];
    for (id, answer, lang, expected) in cases {
        assert_eq!(
            display_answer(f(id), answer.as_ref(), (*lang).into()),
            *expected,
            "{id} = {answer:?} in {lang}"
        );
    }
}

#[test]
fn yes_no_labels() {
    assert_eq!(
        [
            yes_no_label(true, LangTag::SV),
            yes_no_label(false, LangTag::SV),
            yes_no_label(true, LangTag::EN),
            yes_no_label(false, LangTag::EN),
        ],
        ["Ja", "Nej", "Yes", "No"]
    );
}

fn issue(field: &str, code: IssueCode) -> Issue {
    Issue {
        field: field.to_owned(),
        code,
    }
}

#[test]
fn show_issues_goes_to_the_first_issues_step() {
    let mut s = at(Position::Review);
    let receiver = IssueCode::Receiver {
        code: "out_of_area".into(),
        message: crate::Text::from("Adressen ligger utanför kommunen."),
    };
    s.show_issues(vec![
        issue("urgent", IssueCode::InvalidYesNo),
        issue("zip", receiver.clone()),
        issue("kind", IssueCode::UnknownOption),
    ]);
    assert_eq!(s.position(), Position::Step(1));
    assert!(s.returns_to_review());
    assert_eq!(
        summary(&s),
        [("urgent", "invalid_yes_no"), ("kind", "unknown_option")],
        "only the issues on this step, in the order given"
    );
    assert_eq!(
        s.error("zip"),
        Some(&receiver),
        "shown at its field for later"
    );
    assert_eq!(s.error("urgent"), Some(&IssueCode::InvalidYesNo));

    let before = s.clone();
    s.show_issues(vec![]);
    assert_eq!(s, before, "no issues change nothing");
}

#[test]
fn submission_builds_or_shows_what_is_wrong() {
    let mut s = at(Position::Review);
    let ok = s
        .begin_submit(Lang::En, ID, &cx())
        .expect("every answer is valid");
    assert_eq!(ok.language, "en");
    assert_eq!(ok.answers["zip"], json!("123 45"));
    assert_eq!(ok.answers["where"], json!(["road", "park"]));
    assert_eq!(s.position(), Position::Review);

    assert_eq!(s.finish_submit(SendOutcome::NO_REPLY), Focus::SendStatus);
    // An answer changed behind the review page's back is caught at submit.
    s.set_answer("count", text("0"));
    let err = s.begin_submit(Lang::Sv, ID, &cx());
    assert_eq!(err.map(|_| ()), Err(Focus::ErrorSummary));
    assert_eq!(s.send_status(), &SendStatus::NotSent, "no stale failure");
    assert_eq!(s.position(), Position::Step(2));
    assert_eq!(summary(&s), [("count", "below_min")]);
    assert_eq!(s.error("count"), Some(&IssueCode::BelowMin("1".into())));
    s.set_answer("count", text("3"));
    assert_eq!(s.next(&cx()), Focus::Heading);
    assert_eq!(s.position(), Position::Review);
}

#[test]
fn a_receipt_makes_the_form_done() {
    let mut s = at(Position::Review);
    let receipt = received(&mut s);
    assert_eq!(s.position(), Position::Done);
    assert_eq!(s.receipt(), Some(&receipt));
    assert_eq!(s.send_status(), &SendStatus::Received(receipt));
    assert_eq!(summary(&s), []);
    assert_eq!(s.progress(), None);
    assert_eq!(
        s.next(&cx()),
        Focus::Stay,
        "Next does nothing on the receipt"
    );
    assert_eq!(s.back(), Focus::Stay, "nor does Back");
    assert_eq!(s.position(), Position::Done);
    assert_eq!(
        s.begin_submit(Lang::Sv, OTHER_ID, &cx()).map(|_| ()),
        Err(Focus::Stay),
        "a received form is not sent again"
    );
}

const OTHER_ID: &str = "0b7e5c1a-2f3d-4e5f-8a9b-c0d1e2f3a4b5";

#[test]
fn a_resend_of_the_same_answers_keeps_its_id_and_bytes() {
    let mut s = at(Position::Review);
    let first = s.begin_submit(Lang::Sv, ID, &cx()).expect("valid");
    assert!(s.is_sending());
    assert_eq!(
        s.begin_submit(Lang::Sv, OTHER_ID, &cx()).map(|_| ()),
        Err(Focus::Stay),
        "not twice at once"
    );
    assert_eq!(s.finish_submit(SendOutcome::NO_REPLY), Focus::SendStatus);
    assert_eq!(
        s.send_status(),
        &SendStatus::TryAgain {
            status: None,
            detail: None
        }
    );
    assert!(!s.is_sending());
    let again = s.begin_submit(Lang::Sv, OTHER_ID, &cx()).expect("valid");
    assert_eq!(
        again.to_canonical_json(),
        first.to_canonical_json(),
        "the same bytes, with the same id"
    );
    assert_eq!(s.pending_submission(), Some(&again));

    // A changed answer is another submission; so is another language.
    s.finish_submit(SendOutcome::NO_REPLY);
    s.set_answer("count", text("2"));
    let changed = s.begin_submit(Lang::Sv, OTHER_ID, &cx()).expect("valid");
    assert_eq!(changed.submission_id, OTHER_ID);
    s.finish_submit(SendOutcome::NO_REPLY);
    let english: Submission = s.begin_submit(Lang::En, ID, &cx()).expect("valid");
    assert_eq!(english.submission_id, ID);

    // A hidden answer changes nothing that is sent: the same submission.
    s.finish_submit(SendOutcome::NO_REPLY);
    let before = s.pending_submission().cloned();
    s.set_answer("street", text("Storgatan 1"));
    s.set_answer("street", text(""));
    assert_eq!(s.begin_submit(Lang::En, OTHER_ID, &cx()).ok(), before);
}

#[test]
fn what_the_receiver_answers_decides_what_the_citizen_sees() {
    let detail = Some(Localized::new("Försök senare.", "Try later."));
    // Down or busy: the same submission can be sent again.
    let mut s = at(Position::Review);
    s.begin_submit(Lang::Sv, ID, &cx()).expect("valid");
    let focus = s.finish_submit(SendOutcome::TryAgain {
        status: Some(503),
        detail: detail.clone(),
    });
    assert_eq!(focus, Focus::SendStatus);
    assert_eq!(s.position(), Position::Review, "the answers are kept");
    assert_eq!(
        s.send_status(),
        &SendStatus::TryAgain {
            status: Some(503),
            detail: detail.clone()
        }
    );

    // Refused as a whole.
    s.begin_submit(Lang::Sv, ID, &cx()).expect("valid");
    let focus = s.finish_submit(SendOutcome::Refused {
        status: 409,
        detail: detail.clone(),
    });
    assert_eq!(focus, Focus::SendStatus);
    assert_eq!(s.position(), Position::Review);

    // Answers refused: shown at their fields, on the first one's step.
    s.begin_submit(Lang::Sv, ID, &cx()).expect("valid");
    let refused = issue(
        "zip",
        IssueCode::Receiver {
            code: "out_of_area".into(),
            message: crate::Text::from("Utanför kommunen."),
        },
    );
    let focus = s.finish_submit(SendOutcome::Invalid {
        issues: vec![
            refused.clone(),
            issue("nosuchfield", IssueCode::UnknownField),
        ],
        detail: detail.clone(),
    });
    assert_eq!(focus, Focus::ErrorSummary);
    assert_eq!(s.position(), Position::Step(0));
    assert_eq!(summary(&s), [("zip", "receiver")]);
    assert_eq!(s.send_status(), &SendStatus::NotSent);

    // Refused answers that are not on this form: a refusal with the problem's own words.
    let mut s = at(Position::Review);
    s.begin_submit(Lang::Sv, ID, &cx()).expect("valid");
    let focus = s.finish_submit(SendOutcome::Invalid {
        issues: vec![issue("nosuchfield", IssueCode::UnknownField)],
        detail: detail.clone(),
    });
    assert_eq!(focus, Focus::SendStatus);
    assert_eq!(s.position(), Position::Review);
    assert_eq!(
        s.send_status(),
        &SendStatus::Refused {
            status: 422,
            detail
        }
    );
}

#[test]
fn focus_follows_each_action() {
    let mut s = session();
    assert_eq!(s.start(), Focus::Heading);
    assert_eq!(s.next(&cx()), Focus::ErrorSummary, "errors on the step");
    assert_eq!(s.back(), Focus::Main, "back on the start page");
    let mut s = at(Position::Review);
    let control = |key: &str, part| {
        Focus::Control(Control {
            key: key.into(),
            part,
        })
    };
    assert_eq!(s.change("zip"), control("zip", ControlPart::Input));
    assert_eq!(s.back(), Focus::Main);
    let mut s = at(Position::Review);
    assert_eq!(s.change("kind"), control("kind", ControlPart::FirstOption));
    assert_eq!(s.next(&cx()), Focus::Heading, "back to the review page");
    assert_eq!(s.back(), Focus::Heading, "to the last step");
    assert_eq!(s.change("nosuchfield"), Focus::Stay);
}

#[test]
fn choosing_checks_again_only_to_update_a_shown_message() {
    let mut s = at(Position::Step(1));
    assert_eq!(s.choose("kind", "nosuch", &cx()), Change::Answer);
    assert_eq!(
        s.error("kind"),
        None,
        "a choice never brings a message itself"
    );
    assert_eq!(s.next(&cx()), Focus::ErrorSummary);
    assert_eq!(s.error("kind"), Some(&IssueCode::UnknownOption));
    s.choose("kind", "pothole", &cx());
    assert_eq!(s.error("kind"), None, "the right choice clears it at once");
    assert!(s.is_chosen("kind", "pothole"));
    assert!(!s.is_chosen("kind", "light"));
}

#[test]
fn ticking_keeps_the_other_boxes() {
    let mut s = at(Position::Step(1));
    s.toggle("where", "park", true, &cx());
    s.toggle("where", "road", true, &cx());
    s.toggle("where", "park", false, &cx());
    assert_eq!(s.answers().choices("where"), ["road".to_owned()]);
    assert!(s.is_chosen("where", "road") && !s.is_chosen("where", "park"));
    s.toggle("where", "road", false, &cx());
    assert_eq!(s.answers().get("where"), None, "none ticked is no answer");
}

#[test]
fn titles_progress_and_the_summary_say_where_the_citizen_is() {
    let mut s = session();
    assert_eq!(s.page_title(LangTag::SV), "Felanmälan");
    s.start();
    assert_eq!(
        s.page_title(LangTag::SV),
        "Steg 1 av 4: Kontakt – Felanmälan"
    );
    assert_eq!(s.progress_text(LangTag::EN).as_deref(), Some("Step 1 of 4"));
    assert_eq!(s.next_label(LangTag::SV), "Nästa");
    s.set_answer("email", text("anna@"));
    s.next(&cx());
    assert_eq!(
        s.page_title(LangTag::EN),
        "Error: Step 1 of 4: Contact – Report a fault"
    );
    let items: Vec<(String, String)> = s
        .summary_items(LangTag::SV)
        .into_iter()
        .map(|i| (i.control.key.clone(), i.text()))
        .collect();
    assert_eq!(
        items,
        [
            ("name".to_owned(), "Namn: Fyll i det här fältet.".to_owned()),
            (
                "email".to_owned(),
                "E-post: Skriv e-postadressen i formatet namn@exempel.se.".to_owned()
            ),
            (
                "zip".to_owned(),
                "Postnummer: Fyll i det här fältet.".to_owned()
            ),
        ]
    );
    let mut s = at(Position::Step(2));
    assert_eq!(s.next_label(LangTag::SV), "Granska dina svar");
    s.next(&cx());
    assert_eq!(
        s.page_title(LangTag::SV),
        "Steg 4 av 4: Granska dina svar – Felanmälan"
    );
    s.change("seen");
    assert_eq!(s.next_label(LangTag::EN), "Save and return to the review");
    let mut s = at(Position::Review);
    received(&mut s);
    assert_eq!(
        s.page_title(LangTag::SV),
        "Tack! Vi har tagit emot dina uppgifter – Felanmälan"
    );
}

#[test]
fn yes_no_options_have_their_labels_and_others_the_definitions() {
    let s = session();
    let labels = |key: &str, lang| -> Vec<(String, String)> {
        s.options(key)
            .iter()
            .map(|o| (o.value.to_string(), o.label.get(lang).to_owned()))
            .collect()
    };
    assert_eq!(
        labels("urgent", Lang::Sv),
        [
            ("yes".to_owned(), "Ja".to_owned()),
            ("no".to_owned(), "Nej".to_owned())
        ]
    );
    assert_eq!(labels("urgent", Lang::En)[1].1, "No");
    assert_eq!(
        labels("kind", Lang::En),
        [
            ("pothole".to_owned(), "Pothole".to_owned()),
            ("light".to_owned(), "Broken light".to_owned())
        ]
    );
    assert!(labels("name", Lang::Sv).is_empty());
    assert!(labels("nosuchfield", Lang::Sv).is_empty());
}

#[test]
fn review_lists_ticked_options_in_the_options_order() {
    let def = def();
    let field = def.field("where").expect("checkbox field");
    let options: Vec<String> = field
        .kind
        .options()
        .expect("options")
        .iter()
        .map(|o| o.value.to_string())
        .collect();
    assert!(options.len() >= 2);
    let ticked_backwards = Answer::Choices(options.iter().rev().cloned().collect());
    let in_order = Answer::Choices(options.clone());
    assert_eq!(
        display_answer(field, Some(&ticked_backwards), LangTag::SV),
        display_answer(field, Some(&in_order), LangTag::SV),
        "the review shows what the submission sends: the options' order"
    );
}

mod prefill {
    use super::*;
    use crate::session::PrefillOrigin;
    use crate::test_support::test_definition;

    fn session() -> FormSession {
        let def = test_definition(
            "prefill",
            "1",
            json!("Förifyllt"),
            json!([{ "id": "s", "title": "S", "fields": [
                { "id": "given", "type": "text", "label": "Förnamn", "prefill": { "key": "given_name", "lock": true } },
                { "id": "zip", "type": "postal_code", "label": "Postnummer", "prefill": { "key": "address.postal_code" } },
                { "id": "news", "type": "yes_no", "label": "Nyhetsbrev", "prefill": { "key": "news" } },
                { "id": "other", "type": "text", "label": "Annat" }
            ]}]),
        );
        FormSession::new(Arc::new(def), cx())
    }

    #[test]
    fn values_fill_fields_that_allow_it_by_key_or_path() {
        let mut s = session();
        let n = s.apply_prefill(
            PrefillOrigin::Page,
            &json!({ "given_name": "Anna", "address": { "postal_code": "12345" }, "news": true, "other": "x" }),
        );
        assert_eq!(n, 3);
        assert_eq!(s.answers().text("given"), "Anna");
        assert_eq!(s.answers().text("zip"), "12345");
        assert_eq!(s.answers().text("news"), "yes");
        assert_eq!(
            s.answers().get("other"),
            None,
            "a field without prefill is never filled"
        );
        assert!(
            s.state().is_read_only("given"),
            "a trusted locking value locks"
        );
        assert!(!s.state().is_read_only("zip"));
        s.set_answer("given", text("Mallory"));
        assert_eq!(
            s.answers().text("given"),
            "Anna",
            "a locked field cannot be changed"
        );
    }

    #[test]
    fn a_link_suggests_but_never_locks_or_overrides_typing() {
        let mut s = session();
        s.set_answer("zip", text("54321"));
        s.apply_prefill(
            PrefillOrigin::Url,
            &json!({ "given_name": "Eve", "address.postal_code": "11111" }),
        );
        assert_eq!(
            s.answers().text("zip"),
            "54321",
            "what the citizen typed stays"
        );
        assert_eq!(s.answers().text("given"), "Eve");
        assert!(!s.state().is_read_only("given"), "a URL never locks");
        assert!(s.is_prefilled("given"));
        s.apply_prefill(PrefillOrigin::Endpoint, &json!({ "given_name": "Anna" }));
        assert_eq!(
            s.answers().text("given"),
            "Anna",
            "a trusted value replaces the link's"
        );
        assert!(s.state().is_read_only("given"));
    }

    #[test]
    fn values_of_the_wrong_shape_are_ignored() {
        let mut s = session();
        assert_eq!(
            s.apply_prefill(
                PrefillOrigin::Page,
                &json!({ "given_name": 42, "news": "yes" })
            ),
            0
        );
        assert_eq!(s.answers().get("given"), None);
        assert_eq!(s.answers().get("news"), None);
    }
}

#[test]
fn review_labels_that_repeat_say_which_group_they_belong_to() {
    let def = crate::test_support::test_definition(
        "vigsel",
        "1",
        serde_json::json!("Vigsel"),
        serde_json::json!([{ "id": "one", "title": "Ni", "fields": [
            { "id": "p1", "type": "group", "label": "Person 1", "fields": [
                { "id": "p1_namn", "type": "text", "label": "Förnamn" } ] },
            { "id": "p2", "type": "group", "label": "Person 2", "fields": [
                { "id": "p2_namn", "type": "text", "label": "Förnamn" } ] },
            { "id": "ort", "type": "text", "label": "Ort" }
        ]}]),
    );
    let mut s = FormSession::new(std::sync::Arc::new(def), cx());
    s.start();
    s.set_answer("p1_namn", text("Ada"));
    s.set_answer("p2_namn", text("Bo"));
    assert_eq!(s.next(&cx()), Focus::Heading);
    let labels: Vec<String> = s.review(crate::Lang::Sv.into())[0]
        .items
        .iter()
        .map(|i| i.label.clone())
        .collect();
    assert_eq!(labels, ["Person 1: Förnamn", "Person 2: Förnamn", "Ort"]);
}

#[test]
fn a_submission_on_its_way_is_taken_over_when_the_answers_build_it_again() {
    let mut s = at(Position::Review);
    let sent = s.begin_submit(Lang::Sv, ID, &cx()).expect("valid");
    // A reload that lost the session's memory of it: only the device's outbox has it.
    let mut fresh = at(Position::Review);
    let other = {
        let mut o = at(Position::Review);
        o.set_answer("count", text("5"));
        o.begin_submit(Lang::Sv, OTHER_ID, &cx()).expect("valid")
    };
    assert_eq!(
        fresh.adopt_pending([&other, &sent], Lang::Sv, &cx()),
        Some(&sent),
        "the one these answers build"
    );
    let again = fresh
        .begin_submit(Lang::Sv, OTHER_ID, &cx())
        .expect("valid");
    assert_eq!(again.to_canonical_json(), sent.to_canonical_json());
    // Changed answers build another submission: nothing to take over.
    let mut changed = at(Position::Review);
    changed.set_answer("count", text("7"));
    assert_eq!(changed.adopt_pending([&sent], Lang::Sv, &cx()), None);
    assert_eq!(
        changed.adopt_pending([&sent], Lang::En, &cx()),
        None,
        "another language too"
    );
}
