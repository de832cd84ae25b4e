//! Submission tests: canonical building, the receiver's check, and that both decide alike.

use serde_json::{Value, json};

use super::*;
use crate::formats::PersonnummerError;
use crate::test_support::{cx, test_definition, text};

const ID: &str = "6f1c2b9e-4d3a-4c5b-8e7f-0a1b2c3d4e5f";

fn choices(values: &[&str]) -> Answer {
    Answer::Choices(values.iter().map(|v| (*v).to_owned()).collect())
}

fn answers(pairs: &[(&str, Answer)]) -> Answers {
    let mut out = Answers::new();
    for (id, a) in pairs {
        out.set(*id, a.clone());
    }
    out
}

fn issue(field: &str, code: IssueCode) -> Issue {
    Issue {
        field: field.to_owned(),
        code,
    }
}

/// Two steps, a group and an info text; every kind that has a canonical form.
fn def() -> Definition {
    test_definition(
        "ansokan",
        "2026-11-01",
        json!("Ansökan"),
        json!([
            { "id": "person", "title": "Person", "fields": [
                { "id": "pnr", "type": "personnummer", "label": "Personnummer", "required": true },
                { "id": "name", "type": "text", "label": "Namn", "required": true,
                  "min_length": 2, "max_length": 40 },
                { "id": "about", "type": "info", "text": "Vi frågar om din adress." },
                { "id": "contact", "type": "group", "label": "Kontakt", "fields": [
                    { "id": "zip", "type": "postal_code", "label": "Postnummer" },
                    { "id": "email", "type": "email", "label": "E-post" },
                    { "id": "email2", "type": "email", "label": "Upprepa e-post", "must_match": "email" },
                    { "id": "phone", "type": "phone", "label": "Telefon" }
                ]}
            ]},
            { "id": "details", "title": "Detaljer", "fields": [
                { "id": "count", "type": "integer", "label": "Antal", "min": -100, "max": 100 },
                { "id": "total", "type": "integer", "label": "Summa" },
                { "id": "amount", "type": "number", "label": "Belopp" },
                { "id": "agree", "type": "yes_no", "label": "Godkänner du?" },
                { "id": "extras", "type": "checkboxes", "label": "Tillval", "max_choices": 3, "options": [
                    { "value": "a", "label": "A" }, { "value": "b", "label": "B" },
                    { "value": "c", "label": "C" }, { "value": "d", "label": "D" } ] },
                { "id": "kind", "type": "radio", "label": "Typ", "options": [
                    { "value": "private", "label": "Privat" }, { "value": "company", "label": "Företag" } ] },
                { "id": "when", "type": "date", "label": "Datum", "max": "today" },
                { "id": "org", "type": "organisationsnummer", "label": "Organisationsnummer" },
                { "id": "note", "type": "textarea", "label": "Övrigt", "max_length": 200 }
            ]}
        ]),
    )
}

/// A complete set of answers, written the way a citizen might type them.
fn full_answers() -> Answers {
    answers(&[
        ("pnr", text("8112289874")),
        ("name", text("  Anna Andersson ")),
        ("zip", text("12345")),
        ("email", text("anna@exempel.se")),
        ("email2", text(" anna@exempel.se")),
        ("phone", text("070-123  45 67")),
        ("count", text("42")),
        ("total", text("1 000")),
        ("amount", text("12,5")),
        ("agree", text("yes")),
        ("extras", choices(&["c", "a"])),
        ("kind", text("company")),
        ("when", text("2026-01-05")),
        ("org", text("5560160680")),
        ("note", text("   ")),
    ])
}

fn build(a: &Answers) -> Submission {
    Submission::build(&def(), a, Lang::Sv, ID, &cx()).expect("the answers are valid")
}

#[test]
fn build_puts_every_answer_in_canonical_form() {
    let s = build(&full_answers());
    assert_eq!(s.blankett_submission, "1");
    assert_eq!(s.submission_id, ID);
    assert_eq!(s.form_id, "ansokan");
    assert_eq!(s.form_version, "2026-11-01");
    assert_eq!(s.language, "sv");
    let expected = json!({
        "pnr": "19811228-9874",
        "name": "Anna Andersson",
        "zip": "123 45",
        "email": "anna@exempel.se",
        "email2": "anna@exempel.se",
        "phone": "070-123 45 67",
        "count": 42,
        "total": 1000,
        "amount": 12.5,
        "agree": true,
        "extras": ["a", "c"],
        "kind": "company",
        "when": "2026-01-05",
        "org": "556016-0680"
    });
    assert_eq!(
        serde_json::to_value(&s.answers).expect("serializes"),
        expected
    );
    assert!(
        !s.answers.contains_key("note"),
        "a blank optional answer is left out"
    );
    assert!(
        !s.answers.contains_key("about"),
        "an info text is never an answer"
    );
    assert!(
        !s.answers.contains_key("contact"),
        "a group is never an answer"
    );
}

#[test]
fn build_canonical_values_per_kind() {
    let cases: &[(&str, Answer, Value)] = &[
        ("pnr", text("8112289874"), json!("19811228-9874")),
        ("pnr", text("811228-9874"), json!("19811228-9874")),
        ("pnr", text("701063-2391"), json!("19701063-2391")),
        ("zip", text("12345"), json!("123 45")),
        ("zip", text(" 123 45 "), json!("123 45")),
        ("count", text("42"), json!(42)),
        ("count", text("\u{2212}7"), json!(-7)),
        ("count", text("7,0"), json!(7)),
        ("amount", text("12,5"), json!(12.5)),
        ("amount", text("-0,25"), json!(-0.25)),
        ("amount", text("3"), json!(3)),
        ("agree", text("yes"), json!(true)),
        ("agree", text("no"), json!(false)),
        ("extras", choices(&["d", "b", "a"]), json!(["a", "b", "d"])),
        ("extras", choices(&["b", "b"]), json!(["b"])),
        ("when", text(" 2026-11-23 "), json!("2026-11-23")),
        ("org", text("16 556016-0680"), json!("556016-0680")),
    ];
    for (field, answer, expected) in cases {
        let mut a = answers(&[("pnr", text("811228-9874")), ("name", text("Anna"))]);
        a.set(*field, answer.clone());
        let s = build(&a);
        assert_eq!(
            s.answers.get(*field),
            Some(expected),
            "{field} = {answer:?}"
        );
    }
}

#[test]
fn build_reports_every_issue_in_document_order() {
    let a = answers(&[
        ("zip", text("01234")),
        ("count", text("101")),
        ("extras", choices(&["a", "b", "c", "d"])),
    ]);
    assert_eq!(
        Submission::build(&def(), &a, Lang::Sv, ID, &cx()),
        Err(vec![
            issue("pnr", IssueCode::Required),
            issue("name", IssueCode::Required),
            issue("zip", IssueCode::InvalidPostalCode),
            issue("count", IssueCode::AboveMax("100".into())),
            issue("extras", IssueCode::TooManyChoices(3)),
        ])
    );
}

#[test]
fn canonical_json_is_exact() {
    let s = Submission::build(
        &def(),
        &answers(&[
            ("pnr", text("8112289874")),
            ("name", text("Anna")),
            ("count", text("42")),
            ("extras", choices(&["b", "a"])),
            ("agree", text("no")),
        ]),
        Lang::En,
        ID,
        &cx(),
    )
    .expect("valid");
    assert_eq!(
        s.to_canonical_json(),
        r#"{"blankett_submission":"1","submission_id":"6f1c2b9e-4d3a-4c5b-8e7f-0a1b2c3d4e5f","form_id":"ansokan","form_version":"2026-11-01","language":"en","answers":{"agree":false,"count":42,"extras":["a","b"],"name":"Anna","pnr":"19811228-9874"}}"#
    );
}

#[test]
fn the_same_answers_give_the_same_bytes() {
    let forward = full_answers();
    let mut backward = Answers::new();
    let mut pairs: Vec<(String, Answer)> = forward
        .iter()
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect();
    pairs.reverse();
    for (k, v) in pairs {
        backward.set(k, v);
    }
    // The same answers spelled differently: canonical forms, choices in another order.
    let respelled = {
        let mut a = full_answers();
        a.set("pnr", text("19811228-9874"));
        a.set("zip", text("123 45"));
        a.set("name", text("Anna Andersson"));
        a.set("amount", text("12.50"));
        a.set("total", text("1000"));
        a.set("extras", choices(&["a", "c", "a"]));
        a.remove("note");
        a
    };
    let bytes = build(&forward).to_canonical_json();
    assert_eq!(build(&backward).to_canonical_json(), bytes);
    assert_eq!(build(&respelled).to_canonical_json(), bytes);
}

#[test]
fn check_accepts_what_build_made_and_agrees_with_it() {
    let built = build(&full_answers());
    let json = built.to_canonical_json();
    let received: Submission = serde_json::from_str(&json).expect("parses");
    assert_eq!(received, built);
    let checked = received
        .check(&def(), &cx())
        .expect("the receiver accepts it");
    assert_eq!(
        checked,
        answers(&[
            ("pnr", text("19811228-9874")),
            ("name", text("Anna Andersson")),
            ("zip", text("123 45")),
            ("email", text("anna@exempel.se")),
            ("email2", text("anna@exempel.se")),
            ("phone", text("070-123 45 67")),
            ("count", text("42")),
            ("total", text("1000")),
            ("amount", text("12.5")),
            ("agree", text("yes")),
            ("extras", choices(&["a", "c"])),
            ("kind", text("company")),
            ("when", text("2026-01-05")),
            ("org", text("556016-0680")),
        ])
    );
    assert_eq!(build(&checked).to_canonical_json(), json);
}

#[test]
fn the_receiver_accepts_numbers_of_any_size() {
    // Canonical JSON writes these with an exponent (`1e+16`, `1e-7`), which a citizen may not
    // type; the receiver must still read them as the numbers the browser accepted.
    let cases: &[(&str, &str, &str)] = &[
        ("total", "10000000000000000", "an integer written as 1e+16"),
        ("total", "123456789012345678901234567890", "30 digits"),
        ("total", "-9000000000000001", "a large negative integer"),
        ("amount", "0,0000001", "a small fraction"),
        ("amount", "-0,000000000123", "a small negative fraction"),
        (
            "amount",
            "12345678901234567,5",
            "a large number with a fraction",
        ),
    ];
    for (field, input, reason) in cases {
        let mut a = answers(&[("pnr", text("811228-9874")), ("name", text("Anna"))]);
        a.set(*field, text(input));
        let json = build(&a).to_canonical_json();
        let received: Submission = serde_json::from_str(&json).expect("parses");
        let checked = received.check(&def(), &cx());
        assert!(
            checked.is_ok(),
            "{input:?} ({reason}): {json} rejected: {checked:?}"
        );
    }
}

#[test]
fn numbers_with_up_to_15_digits_give_the_same_bytes_after_the_round_trip() {
    let cases = [
        "10000000000000000",
        "0,0000001",
        "-0,000000000123",
        "999999999999999000000",
        "0,1",
    ];
    for input in cases {
        let mut a = answers(&[("pnr", text("811228-9874")), ("name", text("Anna"))]);
        a.set("amount", text(input));
        let json = build(&a).to_canonical_json();
        let received: Submission = serde_json::from_str(&json).expect("parses");
        let checked = received.check(&def(), &cx()).expect("accepted");
        assert_eq!(build(&checked).to_canonical_json(), json, "{input:?}");
    }
}

#[test]
fn check_accepts_non_canonical_but_valid_answers() {
    let received: Submission = serde_json::from_value(json!({
        "blankett_submission": "1",
        "submission_id": ID.to_uppercase(),
        "form_id": "ansokan",
        "form_version": "2026-11-01",
        "language": "en",
        "answers": {
            "pnr": "811228-9874",
            "name": " Anna ",
            "extras": ["c", "a"],
            "count": 42.0,
            "zip": "12345"
        }
    }))
    .expect("parses");
    let checked = received.check(&def(), &cx()).expect("accepted");
    let rebuilt = Submission::build(&def(), &checked, Lang::En, ID, &cx()).expect("valid");
    assert_eq!(
        serde_json::to_value(&rebuilt.answers).expect("serializes"),
        json!({ "count": 42, "extras": ["a", "c"], "name": "Anna", "pnr": "19811228-9874", "zip": "123 45" })
    );
}

/// A minimal valid submission as JSON, for the receiver tests to break.
fn valid_json() -> Value {
    json!({
        "blankett_submission": "1",
        "submission_id": ID,
        "form_id": "ansokan",
        "form_version": "2026-11-01",
        "language": "sv",
        "answers": { "pnr": "19811228-9874", "name": "Anna", "count": 42, "agree": true, "extras": ["a"] }
    })
}

/// Applies `edit` to a valid submission and compares what the receiver says.
fn check(edit: impl FnOnce(&mut Value), expected: Result<(), SubmissionError>) {
    let mut v = valid_json();
    edit(&mut v);
    let s: Submission = serde_json::from_value(v.clone()).expect("the envelope parses");
    assert_eq!(s.check(&def(), &cx()).map(|_| ()), expected, "{v}");
}

#[test]
fn check_envelope_errors() {
    use SubmissionError::*;
    check(|_| {}, Ok(()));
    check(
        |v| v["blankett_submission"] = json!("2"),
        Err(UnsupportedFormat("2".into())),
    );
    check(
        |v| v["form_id"] = json!("bygglov"),
        Err(WrongForm {
            expected: "ansokan".into(),
            found: "bygglov".into(),
        }),
    );
    check(
        |v| v["form_version"] = json!("2026-10-01"),
        Err(VersionMismatch {
            expected: "2026-11-01".into(),
            found: "2026-10-01".into(),
        }),
    );
    check(
        |v| v["submission_id"] = json!("not-a-uuid"),
        Err(InvalidSubmissionId("not-a-uuid".into())),
    );
    for lang in ["sv-SE", "SV", "en-GB", "de", ""] {
        check(
            |v| v["language"] = json!(lang),
            Err(UnsupportedLanguage(lang.into())),
        );
    }
    check(|v| v["language"] = json!("en"), Ok(()));
}

/// A form offered in Finnish records a Finnish page's submissions as `fi`, and the receiver
/// takes them; a page in a language the form does not offer records Swedish.
#[test]
fn the_language_of_a_submission_is_one_the_form_offers() {
    let mut finnish = def();
    finnish.languages = ["sv", "fi"]
        .iter()
        .filter_map(|c| crate::text::LangTag::parse(c))
        .collect();
    let mut a = Answers::new();
    a.set("pnr", Answer::Text("19121212-1212".into()));
    a.set("name", Answer::Text("Aino".into()));
    let fi = crate::text::LangTag::parse("fi").expect("a tag");
    let sent = Submission::build(&finnish, &a, fi, ID, &cx()).expect("the answers are valid");
    assert_eq!(sent.language, "fi");
    assert_eq!(sent.check(&finnish, &cx()).map(|_| ()), Ok(()));
    // The same page language on a form without Finnish: Swedish, and "fi" is refused there.
    let plain = Submission::build(&def(), &a, fi, ID, &cx()).expect("the answers are valid");
    assert_eq!(plain.language, "sv");
    assert_eq!(
        sent.check(&def(), &cx()).map(|_| ()),
        Err(SubmissionError::UnsupportedLanguage("fi".into()))
    );
    let ar = crate::text::LangTag::parse("ar").expect("a tag");
    assert_eq!(
        Submission::build(&finnish, &a, ar, ID, &cx())
            .expect("the answers are valid")
            .language,
        "sv"
    );
}

#[test]
fn check_reports_the_first_envelope_error_only() {
    check(
        |v| {
            v["form_id"] = json!("bygglov");
            v["form_version"] = json!("9");
            v["submission_id"] = json!("x");
            v["answers"]["pnr"] = json!(1);
        },
        Err(SubmissionError::WrongForm {
            expected: "ansokan".into(),
            found: "bygglov".into(),
        }),
    );
    check(
        |v| {
            v["submission_id"] = json!("x");
            v["language"] = json!("de");
        },
        Err(SubmissionError::InvalidSubmissionId("x".into())),
    );
}

#[test]
fn check_answer_issues() {
    use IssueCode::*;
    let invalid = |issues: Vec<Issue>| Err(SubmissionError::Invalid(issues));
    let cases: Vec<(&str, Value, Result<(), SubmissionError>)> = vec![
        (
            "unknown",
            json!("x"),
            invalid(vec![issue("unknown", UnknownField)]),
        ),
        (
            "about",
            json!("x"),
            invalid(vec![issue("about", UnknownField)]),
        ),
        (
            "contact",
            json!("x"),
            invalid(vec![issue("contact", UnknownField)]),
        ),
        (
            "count",
            json!("42"),
            invalid(vec![issue("count", WrongShape)]),
        ),
        (
            "count",
            json!(true),
            invalid(vec![issue("count", WrongShape)]),
        ),
        (
            "agree",
            json!("yes"),
            invalid(vec![issue("agree", WrongShape)]),
        ),
        (
            "extras",
            json!("a"),
            invalid(vec![issue("extras", WrongShape)]),
        ),
        (
            "extras",
            json!(["a", 1]),
            invalid(vec![issue("extras", WrongShape)]),
        ),
        (
            "kind",
            json!(["private"]),
            invalid(vec![issue("kind", WrongShape)]),
        ),
        ("zip", json!(12345), invalid(vec![issue("zip", WrongShape)])),
        ("zip", Value::Null, invalid(vec![issue("zip", WrongShape)])),
        // A shape problem on a required field is not reported again as "required".
        ("name", json!(42), invalid(vec![issue("name", WrongShape)])),
        ("pnr", Value::Null, invalid(vec![issue("pnr", WrongShape)])),
        ("pnr", json!(""), invalid(vec![issue("pnr", Required)])),
        ("name", json!("   "), invalid(vec![issue("name", Required)])),
        (
            "pnr",
            json!("811228-9875"),
            invalid(vec![issue(
                "pnr",
                Personnummer(PersonnummerError::Checksum),
            )]),
        ),
        (
            "count",
            json!(42.5),
            invalid(vec![issue("count", NotAWholeNumber)]),
        ),
        (
            "count",
            json!(101),
            invalid(vec![issue("count", AboveMax("100".into()))]),
        ),
        (
            "extras",
            json!(["a", "e"]),
            invalid(vec![issue("extras", UnknownOption)]),
        ),
        (
            "kind",
            json!("other"),
            invalid(vec![issue("kind", UnknownOption)]),
        ),
        (
            "when",
            json!("2026-11-24"),
            invalid(vec![issue("when", DateTooLate(cx().today))]),
        ),
        ("extras", json!([]), Ok(())),
        ("agree", json!(false), Ok(())),
        ("total", json!(-5), Ok(())),
        ("amount", json!(0.1), Ok(())),
    ];
    for (field, value, expected) in cases {
        check(|v| v["answers"][field] = value, expected);
    }
    check(
        |v| {
            if let Some(a) = v["answers"].as_object_mut() {
                a.remove("pnr");
            }
        },
        invalid(vec![issue("pnr", Required)]),
    );
}

#[test]
fn check_lists_shape_issues_first_then_rule_issues_in_document_order() {
    use IssueCode::*;
    check(
        |v| {
            let a = &mut v["answers"];
            a["zzz"] = json!(1);
            a["name"] = json!(["Anna"]);
            a["count"] = json!(1000);
            a["zip"] = json!("0");
            if let Some(o) = a.as_object_mut() {
                o.remove("pnr");
            }
        },
        Err(SubmissionError::Invalid(vec![
            issue("name", WrongShape),
            issue("zzz", UnknownField),
            issue("pnr", Required),
            issue("zip", InvalidPostalCode),
            issue("count", AboveMax("100".into())),
        ])),
    );
}

#[test]
fn the_envelope_has_a_fixed_shape() {
    let mut extra = valid_json();
    extra["signature"] = json!("x");
    assert!(
        serde_json::from_value::<Submission>(extra).is_err(),
        "unknown key"
    );
    let mut missing = valid_json();
    if let Some(o) = missing.as_object_mut() {
        o.remove("language");
    }
    assert!(
        serde_json::from_value::<Submission>(missing).is_err(),
        "missing key"
    );
}

#[test]
fn uuids() {
    let cases: &[(&str, bool, &str)] = &[
        (
            "6f1c2b9e-4d3a-4c5b-8e7f-0a1b2c3d4e5f",
            true,
            "version 4, lower case",
        ),
        ("6F1C2B9E-4D3A-4C5B-8E7F-0A1B2C3D4E5F", true, "upper case"),
        ("00000000-0000-0000-0000-000000000000", true, "the nil UUID"),
        ("6f1c2b9e4d3a4c5b8e7f0a1b2c3d4e5f", false, "no hyphens"),
        ("{6f1c2b9e-4d3a-4c5b-8e7f-0a1b2c3d4e5f}", false, "braces"),
        (
            "6f1c2b9e-4d3a-4c5b-8e7f-0a1b2c3d4e5",
            false,
            "one digit short",
        ),
        (
            "6f1c2b9e-4d3a-4c5b-8e7f-0a1b2c3d4e5f0",
            false,
            "one digit long",
        ),
        (
            "6f1c2b9e-4d3a4-c5b-8e7f-0a1b2c3d4e5f",
            false,
            "hyphen in the wrong place",
        ),
        (
            "6f1c2b9g-4d3a-4c5b-8e7f-0a1b2c3d4e5f",
            false,
            "g is not hex",
        ),
        (
            " 6f1c2b9e-4d3a-4c5b-8e7f-0a1b2c3d4e5",
            false,
            "leading space",
        ),
        (
            "6f1c2b9e-4d3a-4c5b-8e7f-0a1b2c3d4e5é",
            false,
            "a non-ASCII byte",
        ),
        ("", false, "empty"),
    ];
    for (s, expected, reason) in cases {
        assert_eq!(is_uuid(s), *expected, "{s:?}: {reason}");
    }
}

#[test]
fn error_codes_and_messages() {
    use SubmissionError::*;
    let cases: &[(SubmissionError, &str, &str, &str)] = &[
        (
            UnsupportedFormat("2".into()),
            "unsupported_format",
            "inlämningsformatet \"2\" stöds inte: mottagaren läser \"1\"",
            "unsupported submission format \"2\": this receiver reads \"1\"",
        ),
        (
            WrongForm {
                expected: "ansokan".into(),
                found: "bygglov".into(),
            },
            "wrong_form",
            "inlämningen gäller formuläret \"bygglov\", inte \"ansokan\"",
            "the submission is for form \"bygglov\", not \"ansokan\"",
        ),
        (
            VersionMismatch {
                expected: "2".into(),
                found: "1".into(),
            },
            "version_mismatch",
            "inlämningen gjordes med version \"1\" av formuläret; den aktuella versionen är \"2\"",
            "the submission was made with version \"1\" of the form; the current version is \"2\"",
        ),
        (
            InvalidSubmissionId("x".into()),
            "invalid_submission_id",
            "submission_id \"x\" är inget UUID",
            "submission_id \"x\" is not a UUID",
        ),
        (
            UnsupportedLanguage("sv-SE".into()),
            "unsupported_language",
            "språket \"sv-SE\" finns inte i formuläret och är inte \"sv\" eller \"en\"",
            "language \"sv-SE\" is not one the form offers, nor \"sv\" or \"en\"",
        ),
        (
            Invalid(vec![
                issue("pnr", IssueCode::Required),
                issue("name", IssueCode::Required),
            ]),
            "invalid_answers",
            "2 svar följer inte formulärets regler",
            "2 answer(s) break the form's rules",
        ),
    ];
    for (error, code, sv, en) in cases {
        assert_eq!(error.code(), *code);
        assert_eq!(error.message(Lang::Sv), *sv, "{code} in Swedish");
        assert_eq!(error.message(Lang::En), *en, "{code} in English");
        assert_eq!(
            error.to_string(),
            *en,
            "{code}: Display is the English message"
        );
    }
}

mod properties {
    //! For any valid answers, the browser's `build` and the receiver's `check` agree.

    use proptest::prelude::*;

    use super::*;

    const PERSONNUMMER: [&str; 7] = [
        "811228-9874",
        "8112289874",
        "19811228-9874",
        "670919-9530",
        "701063-2391",
        "19121212-1212",
        "121212+1212",
    ];
    const ORGANISATIONSNUMMER: [&str; 4] =
        ["556016-0680", "5560160680", "16202100-5448", "212000-0142"];
    const PHONES: [&str; 4] = [
        "070-123 45 67",
        "08-123 45",
        "+46 70 123 45 67",
        "0046 8 123 456 78",
    ];
    const EMAILS: [&str; 3] = [
        "anna@exempel.se",
        "åsa.öberg@kommun.exempelby.se",
        "a+b@x.io",
    ];

    fn name() -> impl Strategy<Value = String> {
        (
            "[A-Za-zÅÄÖåäöé][A-Za-zÅÄÖåäöé '-]{0,38}[A-Za-zÅÄÖåäöé]",
            "[ \t]{0,2}",
        )
            .prop_map(|(n, pad)| format!("{pad}{n}{pad}"))
    }

    /// An integer in -100..=100, written as a citizen might.
    fn count() -> impl Strategy<Value = String> {
        (-100i32..=100, 0u8..3).prop_map(|(n, style)| match style {
            0 => n.to_string(),
            1 => n.to_string().replace('-', "\u{2212}"),
            _ => format!(" {n},0 "),
        })
    }

    /// Up to 15 significant digits times a power of ten, except whole numbers of 16 digits.
    ///
    /// Canonical JSON writes those in full as floats (`9001036244807100.0`), and `serde_json`
    /// without its `float_roundtrip` feature may read them back one unit off; everything else
    /// here it reads back exactly.
    fn digits_and_exponent(
        exponents: std::ops::RangeInclusive<i32>,
    ) -> impl Strategy<Value = (i64, i32)> {
        (-999_999_999_999_999i64..=999_999_999_999_999, exponents)
            .prop_filter("no 16-digit whole numbers", |&(m, e)| {
                e < 0 || m.unsigned_abs().to_string().len() + e.unsigned_abs() as usize != 16
            })
    }

    /// `m` times ten to the `e`, written out in full (no exponent), with a decimal comma.
    fn written_out(m: i64, e: i32) -> String {
        let sign = if m < 0 { "-" } else { "" };
        let digits = m.unsigned_abs().to_string();
        if e >= 0 {
            return format!("{sign}{digits}{}", "0".repeat(e.unsigned_abs() as usize));
        }
        let places = e.unsigned_abs() as usize;
        let padded = format!("{digits:0>width$}", width = places + 1);
        let (int, frac) = padded.split_at(padded.len() - places);
        format!("{sign}{int},{frac}")
    }

    /// Any whole number: exact JSON integers up to 9e15, or up to 25 digits beyond.
    fn total() -> impl Strategy<Value = String> {
        let n = prop_oneof![
            (-8_999_999_999_999_999i64..=8_999_999_999_999_999).prop_map(|n| n.to_string()),
            digits_and_exponent(0..=10).prop_map(|(m, e)| written_out(m, e)),
        ];
        (n, any::<bool>()).prop_map(|(n, grouped)| {
            let negative = n.starts_with('-');
            let plain = n.trim_start_matches('-').to_owned();
            let digits = if grouped {
                let mut out = String::new();
                for (i, c) in plain.chars().enumerate() {
                    if i > 0 && (plain.len() - i) % 3 == 0 {
                        out.push(' ');
                    }
                    out.push(c);
                }
                out
            } else {
                plain
            };
            if negative {
                format!("-{digits}")
            } else {
                digits
            }
        })
    }

    /// A number with a decimal comma or point: kronor and öre, or up to 15 significant digits.
    fn amount() -> impl Strategy<Value = String> {
        let n = prop_oneof![
            (-10_000_000i64..10_000_000, 0u8..100).prop_map(|(i, c)| format!("{i},{c:02}")),
            digits_and_exponent(-20..=10).prop_map(|(m, e)| written_out(m, e)),
        ];
        (n, any::<bool>()).prop_map(|(n, point)| if point { n.replace(',', ".") } else { n })
    }

    fn extras() -> impl Strategy<Value = Vec<String>> {
        proptest::sample::subsequence(vec!["a", "b", "c", "d"], 0..=3)
            .prop_shuffle()
            .prop_map(|v| v.into_iter().map(str::to_owned).collect())
    }

    fn zip() -> impl Strategy<Value = String> {
        ("[1-9][0-9]{2}", "[0-9]{2}", any::<bool>()).prop_map(|(a, b, spaced)| {
            if spaced {
                format!("{a} {b}")
            } else {
                format!("{a}{b}")
            }
        })
    }

    fn date() -> impl Strategy<Value = String> {
        (1900i32..=2026, 1u8..=12, 1u8..=28)
            .prop_filter("not after today", |&(y, m, d)| (y, m, d) <= (2026, 11, 23))
            .prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
    }

    fn note() -> impl Strategy<Value = String> {
        proptest::collection::vec(any::<char>(), 0..200).prop_map(String::from_iter)
    }

    prop_compose! {
        fn valid_answers()(
            pnr in proptest::sample::select(PERSONNUMMER.to_vec()),
            name in name(),
            zip in proptest::option::of(zip()),
            email in proptest::option::of((proptest::sample::select(EMAILS.to_vec()), any::<bool>())),
            phone in proptest::option::of(proptest::sample::select(PHONES.to_vec())),
            count in proptest::option::of(count()),
            total in proptest::option::of(total()),
            amount in proptest::option::of(amount()),
            agree in proptest::option::of(any::<bool>()),
            extras in extras(),
            kind in proptest::option::of(proptest::sample::select(vec!["private", "company"])),
            when in proptest::option::of(date()),
            org in proptest::option::of(proptest::sample::select(ORGANISATIONSNUMMER.to_vec())),
            note in proptest::option::of(note()),
        ) -> Answers {
            let mut a = Answers::new();
            a.set("pnr", text(pnr));
            a.set("name", Answer::Text(name));
            if let Some(z) = zip { a.set("zip", Answer::Text(z)); }
            if let Some((e, repeated)) = email {
                a.set("email", text(e));
                if repeated { a.set("email2", Answer::Text(format!(" {e} "))); }
            }
            if let Some(p) = phone { a.set("phone", text(p)); }
            if let Some(c) = count { a.set("count", Answer::Text(c)); }
            if let Some(t) = total { a.set("total", Answer::Text(t)); }
            if let Some(x) = amount { a.set("amount", Answer::Text(x)); }
            if let Some(y) = agree { a.set("agree", text(if y { "yes" } else { "no" })); }
            a.set("extras", Answer::Choices(extras));
            if let Some(k) = kind { a.set("kind", text(k)); }
            if let Some(w) = when { a.set("when", Answer::Text(w)); }
            if let Some(o) = org { a.set("org", text(o)); }
            if let Some(n) = note { a.set("note", Answer::Text(n)); }
            a
        }
    }

    proptest! {
        #[test]
        fn build_and_check_decide_alike(a in valid_answers(), english in any::<bool>()) {
            let def = def();
            let lang = if english { Lang::En } else { Lang::Sv };
            let built = Submission::build(&def, &a, lang, ID, &cx());
            prop_assert!(built.is_ok(), "build rejected valid answers: {:?}", built);
            let built = built.expect("checked above");
            let json = built.to_canonical_json();
            let received: Submission = serde_json::from_str(&json).expect("canonical JSON parses");
            prop_assert_eq!(&received, &built);
            let checked = received.check(&def, &cx());
            prop_assert!(checked.is_ok(), "check rejected {}: {:?}", json, checked);
            let rebuilt = Submission::build(&def, &checked.expect("checked above"), lang, ID, &cx());
            prop_assert!(rebuilt.is_ok(), "build rejected checked answers: {:?}", rebuilt);
            prop_assert_eq!(rebuilt.expect("checked above").to_canonical_json(), json);
        }
    }
}

#[test]
fn from_json_refuses_a_key_written_twice_with_its_path() {
    let body = build(&full_answers()).to_canonical_json();
    let read = Submission::from_json(body.as_bytes()).expect("canonical JSON reads");
    assert_eq!(read, build(&full_answers()));
    let twice = body.replacen(
        r#""name":"Anna Andersson""#,
        r#""name":"Anna Andersson","name":"Bo Andersson""#,
        1,
    );
    assert_ne!(twice, body);
    match Submission::from_json(twice.as_bytes()) {
        Err(ParseError::DuplicateKey(d)) => assert_eq!(d.path, "answers.name"),
        other => panic!("not refused as a duplicate: {other:?}"),
    }
    let envelope = body.replacen('{', r#"{"language":"en","#, 1);
    match Submission::from_json(envelope.as_bytes()) {
        Err(ParseError::DuplicateKey(d)) => assert_eq!(d.path, "language"),
        other => panic!("not refused as a duplicate: {other:?}"),
    }
    // Not JSON, or not a submission: serde_json's error, as before.
    assert!(matches!(
        Submission::from_json(b"{"),
        Err(ParseError::Json(_))
    ));
    assert!(matches!(
        Submission::from_json(b"{}"),
        Err(ParseError::Json(_))
    ));
}

/// Text with every character the engine removes from a single-line field, one at a time.
fn removed_chars() -> Vec<char> {
    (0u32..0x20)
        .chain(0x202A..=0x202E)
        .chain(0x2066..=0x2069)
        .filter_map(char::from_u32)
        .collect()
}

#[test]
fn every_control_and_bidi_character_is_removed_from_typed_text() {
    for c in removed_chars() {
        let typed = format!("An{c}na");
        let multiline = matches!(c, '\n' | '\t');
        assert_eq!(clean_text(&typed, false), "Anna", "U+{:04X}", c as u32);
        let in_textarea = if multiline { typed.as_str() } else { "Anna" };
        assert_eq!(clean_text(&typed, true), in_textarea, "U+{:04X}", c as u32);
        // What is built and sent is the cleaned text, in every kind of typed field.
        let mut a = answers(&[
            ("pnr", text(&format!("811228{c}-9874"))),
            ("name", text(&typed)),
        ]);
        a.set("note", text(&format!("rad ett{c}rad två")));
        let s = build(&a);
        assert_eq!(s.answers["name"], json!("Anna"), "U+{:04X}", c as u32);
        assert_eq!(
            s.answers["pnr"],
            json!("19811228-9874"),
            "U+{:04X}",
            c as u32
        );
        let note = if multiline {
            format!("rad ett{c}rad två")
        } else {
            "rad ettrad två".into()
        };
        assert_eq!(s.answers["note"], json!(note), "U+{:04X}", c as u32);
    }
    // Characters next to the ranges stay.
    for kept in [
        "\u{7f}", "\u{2029}", "\u{202F}", "\u{2065}", "\u{206A}", "\u{200F}",
    ] {
        assert_eq!(clean_text(kept, false), kept);
    }
    assert_eq!(clean_text("a\r\nb", true), "a\nb");
}

#[test]
fn typed_text_is_put_in_nfc() {
    for (typed, nfc) in [
        ("a\u{30A}", "å"),
        ("A\u{30A}ngstro\u{308}m", "Ångström"),
        ("Jose\u{301} Mu\u{308}ller", "José Müller"),
        // A control character between a letter and its mark: removed, then composed.
        ("a\u{0}\u{30A}", "å"),
        ("\u{212B}", "Å"),
        ("åäö", "åäö"),
    ] {
        assert_eq!(clean_text(typed, false), nfc, "{typed:?}");
    }
    assert!(matches!(clean_text("Ångström", false), Cow::Borrowed(_)));
    assert!(matches!(clean_text("rad\nrad", true), Cow::Borrowed(_)));
    let a = answers(&[("pnr", text("811228-9874")), ("name", text("A\u{30A}sa"))]);
    assert_eq!(build(&a).answers["name"], json!("Åsa"));
    // Length rules count what is sent: two characters, not three.
    let short = answers(&[
        ("pnr", text("811228-9874")),
        ("name", text("a\u{30A}\u{202E}")),
    ]);
    assert_eq!(
        Submission::build(&def(), &short, Lang::Sv, ID, &cx()).err(),
        Some(vec![issue("name", IssueCode::TooShort { min: 2 })])
    );
    // Only removed characters: no answer at all.
    let blank = answers(&[
        ("pnr", text("811228-9874")),
        ("name", text("\u{202E}\u{0}")),
    ]);
    assert_eq!(
        Submission::build(&def(), &blank, Lang::Sv, ID, &cx()).err(),
        Some(vec![issue("name", IssueCode::Required)])
    );
}

#[test]
fn the_receiver_refuses_text_not_in_normal_form_at_its_field() {
    let check = |name: &str, note: &str| {
        let mut s = build(&answers(&[
            ("pnr", text("811228-9874")),
            ("name", text("Anna")),
        ]));
        s.answers.insert("name".into(), json!(name));
        s.answers.insert("note".into(), json!(note));
        match s.check(&def(), &cx()) {
            Ok(_) => Vec::new(),
            Err(SubmissionError::Invalid(issues)) => issues,
            Err(other) => panic!("{other:?}"),
        }
    };
    assert_eq!(check("Anna", "rad ett\nrad\ttvå"), []);
    for c in removed_chars() {
        let expected = if matches!(c, '\n' | '\t') {
            vec![issue("name", IssueCode::NotNormalized)]
        } else {
            vec![
                issue("name", IssueCode::NotNormalized),
                issue("note", IssueCode::NotNormalized),
            ]
        };
        assert_eq!(
            check(&format!("An{c}na"), &format!("rad{c}två")),
            expected,
            "U+{:04X}",
            c as u32
        );
    }
    assert_eq!(
        check("A\u{30A}sa", "Åsa"),
        [issue("name", IssueCode::NotNormalized)]
    );
    assert_eq!(IssueCode::NotNormalized.code(), "not_normalized");
}
