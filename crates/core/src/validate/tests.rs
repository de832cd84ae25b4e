//! Validation tests: one field of every kind, fed real answers, checked against the exact issue.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::*;
use crate::formats::{Date, OrganisationsnummerError as Org, PersonnummerError as Pnr};
use crate::test_support::{cx, test_definition, text};
use crate::text::Lang;

fn date(y: i32, m: u8, d: u8) -> Date {
    Date::new(y, m, d).expect("a real date")
}

fn sv_en(sv: &str, en: &str) -> Text {
    Text::Localized(BTreeMap::from([
        ("sv".to_owned(), sv.to_owned()),
        ("en".to_owned(), en.to_owned()),
    ]))
}

fn choices(values: &[&str]) -> Answer {
    Answer::Choices(values.iter().map(|v| (*v).to_owned()).collect())
}

fn def() -> Definition {
    test_definition(
        "validering",
        "1",
        json!("Validering"),
        json!([{ "id": "all", "title": "Allt", "fields": [
            { "id": "name", "type": "text", "label": "Namn", "required": true,
              "min_length": 2, "max_length": 5 },
            { "id": "note", "type": "textarea", "label": "Övrigt", "max_length": 10 },
            { "id": "code", "type": "text", "label": "Kod", "pattern": {
                "regex": "[A-Z]{3}[0-9]{3}",
                "message": { "sv": "Skriv tre versaler och tre siffror.",
                             "en": "Enter three capital letters and three digits." } } },
            { "id": "email", "type": "email", "label": { "sv": "E-post", "en": "E-mail" } },
            { "id": "email2", "type": "email", "label": "Upprepa e-post", "must_match": "email" },
            { "id": "amount", "type": "number", "label": "Belopp" },
            { "id": "share", "type": "number", "label": "Andel", "min": 0.5, "max": 99.5 },
            { "id": "count", "type": "integer", "label": "Antal", "min": -2, "max": 10 },
            { "id": "phone", "type": "phone", "label": "Telefon" },
            { "id": "when", "type": "date", "label": "Datum", "required": true,
              "min": "2026-01-01", "max": "today" },
            { "id": "visit", "type": "date", "label": "Besök", "min": "today" },
            { "id": "kind", "type": "select", "label": "Typ", "required": true, "options": [
                { "value": "a", "label": "A" }, { "value": "b", "label": "B" } ] },
            { "id": "size", "type": "radio", "label": "Storlek", "required": true, "options": [
                { "value": "s", "label": "Liten" }, { "value": "m", "label": "Mellan" },
                { "value": "l", "label": "Stor" } ] },
            { "id": "extras", "type": "checkboxes", "label": "Tillval",
              "min_choices": 2, "max_choices": 3, "options": [
                { "value": "w", "label": "W" }, { "value": "x", "label": "X" },
                { "value": "y", "label": "Y" }, { "value": "z", "label": "Z" } ] },
            { "id": "topics", "type": "checkboxes", "label": "Ämnen", "required": true, "options": [
                { "value": "t1", "label": "Ett" }, { "value": "t2", "label": "Två" } ] },
            { "id": "agree", "type": "yes_no", "label": "Godkänner du?", "required": true },
            { "id": "pnr", "type": "personnummer", "label": "Personnummer", "required": true },
            { "id": "pnr_strict", "type": "personnummer", "label": "Personnummer",
              "allow_samordningsnummer": false },
            { "id": "org", "type": "organisationsnummer", "label": "Organisationsnummer" },
            { "id": "zip", "type": "postal_code", "label": "Postnummer" },
            { "id": "about", "type": "info", "text": "Läs noga." }
        ]}]),
    )
}

/// Validates `field` given `answers` and compares the issue with `expected`.
fn check_with(answers: &[(&str, Answer)], field: &str, expected: Option<IssueCode>, reason: &str) {
    let def = def();
    let mut all = Answers::new();
    for (id, a) in answers {
        all.set(*id, a.clone());
    }
    let f = def.field(field).expect("the field exists");
    assert_eq!(
        validate_field(&def, f.id.as_str(), &all, &cx()),
        expected,
        "{field} with {answers:?}: {reason}"
    );
}

/// Validates `answer` as the only answer to `field` (no answer when `None`).
fn check(field: &str, answer: Option<Answer>, expected: Option<IssueCode>, reason: &str) {
    let answers: Vec<(&str, Answer)> = answer.into_iter().map(|a| (field, a)).collect();
    check_with(&answers, field, expected, reason);
}

/// Runs a table of text answers.
fn check_texts(cases: &[(&str, &str, Option<IssueCode>, &str)]) {
    for (field, input, expected, reason) in cases {
        check(field, Some(text(input)), expected.clone(), reason);
    }
}

#[test]
fn required_fields_say_required_or_required_choice() {
    use IssueCode::{Required, RequiredChoice};
    let cases: &[(&str, Option<Answer>, IssueCode, &str)] = &[
        ("name", None, Required, "text, no answer"),
        ("name", Some(text("")), Required, "text, empty"),
        (
            "name",
            Some(text(" \t\n")),
            Required,
            "text, only whitespace",
        ),
        ("when", None, Required, "date"),
        ("pnr", Some(text("  ")), Required, "personnummer"),
        ("kind", None, RequiredChoice, "select"),
        (
            "kind",
            Some(text("")),
            RequiredChoice,
            "select, empty value",
        ),
        ("size", None, RequiredChoice, "radio"),
        ("topics", None, RequiredChoice, "checkboxes, no answer"),
        (
            "topics",
            Some(choices(&[])),
            RequiredChoice,
            "checkboxes, none chosen",
        ),
        ("agree", None, RequiredChoice, "yes_no"),
        (
            "name",
            Some(choices(&[])),
            Required,
            "an empty choice list on a text field is just empty",
        ),
    ];
    for (field, answer, expected, reason) in cases {
        check(field, answer.clone(), Some(expected.clone()), reason);
    }
}

#[test]
fn empty_optional_answers_produce_nothing() {
    let optional = [
        "note",
        "code",
        "email",
        "email2",
        "amount",
        "share",
        "count",
        "phone",
        "visit",
        "extras",
        "pnr_strict",
        "org",
        "zip",
    ];
    for field in optional {
        for answer in [None, Some(text("")), Some(text("   ")), Some(choices(&[]))] {
            check(field, answer, None, "optional and empty");
        }
    }
}

#[test]
fn text_length_is_counted_in_characters_after_trimming() {
    check_texts(&[
        ("name", "Åsa", None, "3 characters"),
        (
            "name",
            "åäöÅÄ",
            None,
            "5 characters, 10 bytes: at the limit",
        ),
        ("name", "Bo", None, "2 characters: at the minimum"),
        ("name", "  Bo  ", None, "surrounding spaces do not count"),
        (
            "name",
            "Ö",
            Some(IssueCode::TooShort { min: 2 }),
            "1 character",
        ),
        (
            "name",
            "  Ö  ",
            Some(IssueCode::TooShort { min: 2 }),
            "trimmed to 1 character",
        ),
        (
            "name",
            "Åsa Öberg",
            Some(IssueCode::TooLong { max: 5, actual: 9 }),
            "9 characters",
        ),
        (
            "name",
            "åäöåäö",
            Some(IssueCode::TooLong { max: 5, actual: 6 }),
            "6 characters, 12 bytes",
        ),
        (
            "note",
            "ett\ntvå\ntr",
            None,
            "a textarea: 10 characters with the newlines",
        ),
        (
            "note",
            "ett\ntvå\ntre",
            Some(IssueCode::TooLong {
                max: 10,
                actual: 11,
            }),
            "newlines count as characters",
        ),
    ]);
}

#[test]
fn pattern_carries_the_authors_message() {
    let message = sv_en(
        "Skriv tre versaler och tre siffror.",
        "Enter three capital letters and three digits.",
    );
    check_texts(&[
        ("code", "ABC123", None, "matches"),
        ("code", " ABC123 ", None, "matched after trimming"),
        (
            "code",
            "abc123",
            Some(IssueCode::Pattern(message.clone())),
            "lower case",
        ),
        (
            "code",
            "ABC1234",
            Some(IssueCode::Pattern(message.clone())),
            "the whole answer must match",
        ),
        (
            "code",
            "xABC123",
            Some(IssueCode::Pattern(message.clone())),
            "anchored at the start",
        ),
    ]);
    let code = IssueCode::Pattern(message);
    assert_eq!(
        code.message(Lang::Sv),
        "Skriv tre versaler och tre siffror."
    );
    assert_eq!(
        code.message(Lang::En),
        "Enter three capital letters and three digits."
    );
    assert_eq!(code.code(), "pattern");
}

#[test]
fn email_addresses() {
    check_texts(&[
        ("email", "anna@exempel.se", None, "ordinary"),
        ("email", " anna@exempel.se ", None, "trimmed"),
        (
            "email",
            "anna.andersson+felanmalan@kommun.exempelby.se",
            None,
            "dots, plus, subdomain",
        ),
        ("email", "åsa@exempel.se", None, "Swedish letters"),
        ("email", "anna", Some(IssueCode::InvalidEmail), "no @"),
        ("email", "anna@", Some(IssueCode::InvalidEmail), "no domain"),
        (
            "email",
            "anna@exempel",
            Some(IssueCode::InvalidEmail),
            "no top-level domain",
        ),
        (
            "email",
            "anna@@exempel.se",
            Some(IssueCode::InvalidEmail),
            "two @",
        ),
        (
            "email",
            "anna andersson@exempel.se",
            Some(IssueCode::InvalidEmail),
            "space inside",
        ),
    ]);
}

#[test]
fn parse_number_accepts_how_swedes_write_numbers() {
    let cases: &[(&str, Option<f64>, &str)] = &[
        ("12", Some(12.0), "whole number"),
        ("-3", Some(-3.0), "negative"),
        ("+3", Some(3.0), "explicit plus"),
        ("\u{2212}3", Some(-3.0), "U+2212 minus sign"),
        ("12,5", Some(12.5), "decimal comma"),
        ("12.5", Some(12.5), "decimal point"),
        ("0,5", Some(0.5), "leading zero"),
        ("1 000", Some(1000.0), "space as thousands separator"),
        ("1\u{a0}000", Some(1000.0), "no-break space"),
        (
            "1\u{202f}000,25",
            Some(1000.25),
            "narrow no-break space and decimals",
        ),
        (" 7 ", Some(7.0), "trimmed"),
        ("1e3", None, "exponent notation"),
        ("12,", None, "nothing after the comma"),
        ("12.", None, "nothing after the point"),
        (",5", None, "nothing before the comma"),
        (".5", None, "nothing before the point"),
        ("-", None, "only a sign"),
        ("--3", None, "two signs"),
        ("", None, "empty"),
        ("1,000.5", None, "two decimal signs"),
        ("1.2.3", None, "three groups"),
        ("12 kr", None, "unit"),
        ("1_000", None, "underscore separator"),
        ("NaN", None, "not a number"),
        ("inf", None, "infinity"),
        ("0x10", None, "hexadecimal"),
        ("١٢", None, "non-ASCII digits"),
    ];
    for (input, expected, reason) in cases {
        assert_eq!(parse_number(input), *expected, "{input:?}: {reason}");
    }
}

#[test]
fn numbers_and_their_limits() {
    use IssueCode::{AboveMax, BelowMin, NotANumber, NotAWholeNumber};
    check_texts(&[
        ("amount", "12", None, "whole"),
        ("amount", "-3", None, "negative"),
        ("amount", "12,5", None, "decimal comma"),
        ("amount", "12.5", None, "decimal point"),
        ("amount", "1 000", None, "thousands separator"),
        ("amount", "\u{2212}3", None, "U+2212 minus"),
        ("amount", "1e3", Some(NotANumber), "exponent"),
        ("amount", "12,", Some(NotANumber), "trailing comma"),
        ("amount", ",5", Some(NotANumber), "leading comma"),
        ("amount", "tolv", Some(NotANumber), "a word"),
        ("share", "0,5", None, "at the minimum"),
        ("share", "99,5", None, "at the maximum"),
        ("share", "0,4", Some(BelowMin("0.5".into())), "below min"),
        ("share", "99.6", Some(AboveMax("99.5".into())), "above max"),
        ("count", "10", None, "at the maximum"),
        ("count", "-2", None, "at the minimum"),
        ("count", "\u{2212}2", None, "at the minimum, U+2212 minus"),
        (
            "count",
            "7,0",
            None,
            "a whole number written with a fraction",
        ),
        ("count", "12,5", Some(NotAWholeNumber), "fraction"),
        (
            "count",
            "12.5",
            Some(NotAWholeNumber),
            "fraction with a point",
        ),
        (
            "count",
            "tolv",
            Some(NotAWholeNumber),
            "not a number at all, said as whole number",
        ),
        ("count", "1e1", Some(NotAWholeNumber), "exponent"),
        (
            "count",
            "11",
            Some(AboveMax("10".into())),
            "above max, without .0",
        ),
        (
            "count",
            "-3",
            Some(BelowMin("-2".into())),
            "below min, without .0",
        ),
    ]);
}

#[test]
fn format_number_drops_a_trailing_zero_fraction() {
    let cases: &[(f64, &str)] = &[
        (10.0, "10"),
        (-2.0, "-2"),
        (0.0, "0"),
        (0.5, "0.5"),
        (99.5, "99.5"),
        (1000.0, "1000"),
        (12.25, "12.25"),
        (1e15, "1000000000000000"),
    ];
    for (n, expected) in cases {
        assert_eq!(format_number(*n), *expected, "{n}");
    }
}

#[test]
fn phone_numbers() {
    check_texts(&[
        ("phone", "070-123 45 67", None, "mobile"),
        ("phone", "+46 70 123 45 67", None, "international"),
        ("phone", "08-123 45", None, "Stockholm"),
        (
            "phone",
            "123 45 67",
            Some(IssueCode::InvalidPhone),
            "no area code",
        ),
        (
            "phone",
            "070-123 45 67 8",
            Some(IssueCode::InvalidPhone),
            "too many digits",
        ),
        ("phone", "ring mig", Some(IssueCode::InvalidPhone), "words"),
    ]);
}

#[test]
fn dates_and_their_limits() {
    use IssueCode::{DateTooEarly, DateTooLate, InvalidDate};
    check_texts(&[
        ("when", "2026-06-15", None, "inside the range"),
        ("when", "2026-01-01", None, "the first allowed day"),
        ("when", "2026-11-23", None, "today is the last allowed day"),
        ("when", " 2026-11-23 ", None, "trimmed"),
        ("when", "2026-02-30", Some(InvalidDate), "30 February"),
        ("when", "2026-13-01", Some(InvalidDate), "month 13"),
        ("when", "23/11/2026", Some(InvalidDate), "another format"),
        ("when", "2026-1-5", Some(InvalidDate), "no leading zeros"),
        ("when", "idag", Some(InvalidDate), "a word"),
        (
            "when",
            "2025-12-31",
            Some(DateTooEarly(date(2026, 1, 1))),
            "before the fixed min",
        ),
        (
            "when",
            "2026-11-24",
            Some(DateTooLate(date(2026, 11, 23))),
            "tomorrow, max today",
        ),
        ("visit", "2026-11-23", None, "today, min today"),
        ("visit", "2030-01-01", None, "far ahead, no max"),
        (
            "visit",
            "2026-11-22",
            Some(DateTooEarly(date(2026, 11, 23))),
            "yesterday, min today",
        ),
    ]);
}

#[test]
fn today_comes_from_the_context() {
    let def = def();
    let field = def.field("when").expect("the field exists");
    let mut answers = Answers::new();
    answers.set("when", text("2026-11-24"));
    let tomorrow = Context {
        today: date(2026, 11, 24),
    };
    assert_eq!(
        validate_field(&def, field.id.as_str(), &answers, &cx()),
        Some(IssueCode::DateTooLate(date(2026, 11, 23)))
    );
    assert_eq!(
        validate_field(&def, field.id.as_str(), &answers, &tomorrow),
        None
    );
}

#[test]
fn single_choices_must_be_an_option() {
    use IssueCode::UnknownOption;
    check_texts(&[
        ("kind", "a", None, "an option"),
        ("kind", " b ", None, "trimmed"),
        (
            "kind",
            "A",
            Some(UnknownOption),
            "values are case-sensitive",
        ),
        ("kind", "c", Some(UnknownOption), "not an option"),
        ("size", "m", None, "an option"),
        (
            "size",
            "Mellan",
            Some(UnknownOption),
            "the label is not the value",
        ),
        ("size", "xl", Some(UnknownOption), "not an option"),
    ]);
}

#[test]
fn checkboxes_options_and_counts() {
    use IssueCode::{TooFewChoices, TooManyChoices, UnknownOption, WrongShape};
    let cases: &[(&str, Answer, Option<IssueCode>, &str)] = &[
        ("extras", choices(&["w", "x"]), None, "two: the minimum"),
        (
            "extras",
            choices(&["z", "x", "w"]),
            None,
            "three: the maximum",
        ),
        ("extras", choices(&["x"]), Some(TooFewChoices(2)), "one"),
        (
            "extras",
            choices(&["x", "x"]),
            Some(TooFewChoices(2)),
            "a value counts once",
        ),
        (
            "extras",
            choices(&["w", "x", "y", "z"]),
            Some(TooManyChoices(3)),
            "four",
        ),
        (
            "extras",
            choices(&["w", "q"]),
            Some(UnknownOption),
            "an unknown value",
        ),
        (
            "extras",
            choices(&["w", ""]),
            Some(UnknownOption),
            "an empty value",
        ),
        (
            "extras",
            choices(&["q"]),
            Some(UnknownOption),
            "unknown comes before too few",
        ),
        ("extras", text("w"), Some(WrongShape), "text for checkboxes"),
        ("topics", choices(&["t2"]), None, "required, one chosen"),
    ];
    for (field, answer, expected, reason) in cases {
        check(field, Some(answer.clone()), expected.clone(), reason);
    }
}

#[test]
fn yes_no_takes_yes_or_no() {
    check_texts(&[
        ("agree", "yes", None, "yes"),
        ("agree", "no", None, "no"),
        ("agree", " no ", None, "trimmed"),
        (
            "agree",
            "Yes",
            Some(IssueCode::InvalidYesNo),
            "case-sensitive",
        ),
        (
            "agree",
            "ja",
            Some(IssueCode::InvalidYesNo),
            "the Swedish label",
        ),
        (
            "agree",
            "true",
            Some(IssueCode::InvalidYesNo),
            "a boolean as text",
        ),
    ]);
}

#[test]
fn personnummer_each_rule() {
    use IssueCode::Personnummer as P;
    check_texts(&[
        ("pnr", "811228-9874", None, "10 digits"),
        ("pnr", "19811228-9874", None, "12 digits"),
        ("pnr", "8112289874", None, "no separator"),
        (
            "pnr",
            "701063-2391",
            None,
            "samordningsnummer allowed by default",
        ),
        ("pnr", "811228-987", Some(P(Pnr::Format)), "too short"),
        ("pnr", "81122B-9874", Some(P(Pnr::Format)), "a letter"),
        (
            "pnr",
            "19900230-0000",
            Some(P(Pnr::InvalidDate)),
            "30 February",
        ),
        (
            "pnr",
            "20261124-0000",
            Some(P(Pnr::InFuture)),
            "born tomorrow",
        ),
        (
            "pnr",
            "811228-9875",
            Some(P(Pnr::Checksum)),
            "wrong check digit",
        ),
        ("pnr_strict", "811228-9874", None, "a personnummer"),
        (
            "pnr_strict",
            "701063-2391",
            Some(P(Pnr::SamordningsnummerNotAllowed)),
            "samordningsnummer turned off",
        ),
        (
            "pnr_strict",
            "701063-2392",
            Some(P(Pnr::Checksum)),
            "the checksum is reported before the samordningsnummer rule",
        ),
    ]);
}

#[test]
fn organisationsnummer_each_rule() {
    use IssueCode::Organisationsnummer as O;
    check_texts(&[
        ("org", "556016-0680", None, "a limited company"),
        ("org", "5560160680", None, "no separator"),
        ("org", "16556016-0680", None, "16 prefix"),
        ("org", "556016-068", Some(O(Org::Format)), "too short"),
        ("org", "556016+0680", Some(O(Org::Format)), "+ separator"),
        (
            "org",
            "811228-9874",
            Some(O(Org::NotAnOrganisation)),
            "a personnummer",
        ),
        (
            "org",
            "556016-0681",
            Some(O(Org::Checksum)),
            "wrong check digit",
        ),
    ]);
}

#[test]
fn postal_codes() {
    check_texts(&[
        ("zip", "12345", None, "five digits"),
        ("zip", "123 45", None, "canonical"),
        (
            "zip",
            "01234",
            Some(IssueCode::InvalidPostalCode),
            "starts with 0",
        ),
        (
            "zip",
            "1234",
            Some(IssueCode::InvalidPostalCode),
            "four digits",
        ),
        ("zip", "123-45", Some(IssueCode::InvalidPostalCode), "dash"),
        (
            "zip",
            "12 345",
            Some(IssueCode::InvalidPostalCode),
            "space in the wrong place",
        ),
        (
            "zip",
            "SE-123 45",
            Some(IssueCode::InvalidPostalCode),
            "country prefix",
        ),
    ]);
}

#[test]
fn must_match_compares_canonical_answers_and_names_the_other_field() {
    let other = sv_en("E-post", "E-mail");
    let mismatch = Some(IssueCode::Mismatch(other.clone()));
    // (the first e-mail, the repeated one, the issue at the repeated one, why)
    type Case<'a> = (Option<&'a str>, Option<&'a str>, Option<IssueCode>, &'a str);
    let cases: &[Case] = &[
        (
            Some("anna@exempel.se"),
            Some("anna@exempel.se"),
            None,
            "the same",
        ),
        (
            Some("anna@exempel.se"),
            Some("  anna@exempel.se\t"),
            None,
            "the same after trimming",
        ),
        (
            Some("anna@exempel.se"),
            Some("anna@exempel.com"),
            mismatch.clone(),
            "different",
        ),
        (
            Some("anna@exempel.se"),
            Some("Anna@Exempel.se"),
            None,
            "e-mail addresses are compared without regard to case",
        ),
        (
            None,
            Some("anna@exempel.se"),
            mismatch,
            "the other is empty",
        ),
        (
            Some("anna@exempel.se"),
            Some("anna"),
            Some(IssueCode::InvalidEmail),
            "the field's own rules come first",
        ),
        (
            Some("anna@exempel.se"),
            None,
            None,
            "an empty optional repeat is not checked",
        ),
    ];
    for (email, email2, expected, reason) in cases {
        let answers: Vec<(&str, Answer)> = [("email", email), ("email2", email2)]
            .into_iter()
            .filter_map(|(id, v)| v.map(|v| (id, text(v))))
            .collect();
        check_with(&answers, "email2", expected.clone(), reason);
    }
    let code = IssueCode::Mismatch(other);
    assert_eq!(
        code.message(Lang::Sv),
        "Ska vara samma som i fältet ”E-post”."
    );
    assert_eq!(
        code.message(Lang::En),
        "Must be the same as in the field “E-mail”."
    );
}

#[test]
fn choices_given_to_a_text_like_field_are_the_wrong_shape() {
    for field in [
        "name", "email", "amount", "count", "phone", "when", "kind", "size", "agree", "pnr", "org",
        "zip",
    ] {
        check(
            field,
            Some(choices(&["a"])),
            Some(IssueCode::WrongShape),
            "choices for text",
        );
    }
}

#[test]
fn normalize_gives_the_canonical_form() {
    use Normalized::{Bool, Choices, Number, Text as T};
    let def = def();
    let cases: &[(&str, Answer, Normalized)] = &[
        ("name", text("  Åsa "), T("Åsa".into())),
        ("amount", text("12,5"), Number(12.5)),
        ("amount", text("1 000"), Number(1000.0)),
        ("amount", text("\u{2212}3"), Number(-3.0)),
        ("count", text("7,0"), Number(7.0)),
        (
            "phone",
            text("  070-123   45 67 "),
            T("070-123 45 67".into()),
        ),
        ("when", text(" 2026-01-05 "), T("2026-01-05".into())),
        ("kind", text(" a "), T("a".into())),
        (
            "extras",
            choices(&["z", "w", "z"]),
            Choices(vec!["w".into(), "z".into()]),
        ),
        ("agree", text("yes"), Bool(true)),
        ("agree", text("no"), Bool(false)),
        ("pnr", text("8112289874"), T("19811228-9874".into())),
        ("pnr", text("701063-2391"), T("19701063-2391".into())),
        ("org", text("16 5560160680"), T("556016-0680".into())),
        ("zip", text("12345"), T("123 45".into())),
    ];
    for (field, answer, expected) in cases {
        let f = def.field(field).expect("the field exists");
        assert_eq!(
            normalize(f, answer, &cx()).as_ref(),
            Ok(expected),
            "{field} = {answer:?}"
        );
    }
    let info = def.field("about").expect("the info text exists");
    assert_eq!(
        normalize(info, &text("x"), &cx()),
        Err(IssueCode::UnknownField)
    );
}

#[test]
fn messages_in_both_languages() {
    let cases: &[(IssueCode, &str, &str)] = &[
        (
            IssueCode::Required,
            "Fyll i det här fältet.",
            "Fill in this field.",
        ),
        (
            IssueCode::RequiredChoice,
            "Välj ett alternativ.",
            "Choose an option.",
        ),
        (
            IssueCode::TooShort { min: 2 },
            "Skriv minst 2 tecken.",
            "Enter at least 2 characters.",
        ),
        (
            IssueCode::TooLong { max: 5, actual: 9 },
            "Skriv högst 5 tecken. Du har skrivit 9.",
            "Enter at most 5 characters. You have entered 9.",
        ),
        (
            IssueCode::BelowMin("0.5".into()),
            "Talet måste vara 0,5 eller större.",
            "The number must be 0.5 or more.",
        ),
        (
            IssueCode::AboveMax("10".into()),
            "Talet måste vara 10 eller mindre.",
            "The number must be 10 or less.",
        ),
        (
            IssueCode::DateTooEarly(date(2026, 1, 1)),
            "Datumet får inte vara tidigare än 2026-01-01.",
            "The date must be 2026-01-01 or later.",
        ),
        (
            IssueCode::DateTooLate(date(2026, 11, 23)),
            "Datumet får inte vara senare än 2026-11-23.",
            "The date must be 2026-11-23 or earlier.",
        ),
        (
            IssueCode::TooFewChoices(2),
            "Välj minst 2 alternativ.",
            "Choose at least 2 options.",
        ),
        (
            IssueCode::InvalidYesNo,
            "Välj Ja eller Nej.",
            "Choose Yes or No.",
        ),
        (
            IssueCode::Personnummer(Pnr::Checksum),
            "Personnumret stämmer inte. Kontrollera att du har skrivit rätt siffror.",
            "The personal identity number is not correct. Check that you entered the right digits.",
        ),
        (
            IssueCode::Organisationsnummer(Org::NotAnOrganisation),
            "Det här är inget organisationsnummer. Den tredje siffran ska vara 2 eller högre.",
            "This is not an organisation number. The third digit must be 2 or higher.",
        ),
        (
            IssueCode::InvalidPostalCode,
            "Skriv postnumret med fem siffror, till exempel 123 45.",
            "Enter the postcode with five digits, for example 123 45.",
        ),
        (
            IssueCode::Receiver {
                code: "duplicate".into(),
                message: sv_en("Ärendet finns redan.", "The case already exists."),
            },
            "Ärendet finns redan.",
            "The case already exists.",
        ),
    ];
    for (code, sv, en) in cases {
        assert_eq!(code.message(Lang::Sv), *sv, "{code:?} in Swedish");
        assert_eq!(code.message(Lang::En), *en, "{code:?} in English");
    }
}

#[test]
fn codes_are_stable_and_unique() {
    let all = [
        IssueCode::Required,
        IssueCode::RequiredChoice,
        IssueCode::TooShort { min: 1 },
        IssueCode::TooLong { max: 1, actual: 2 },
        IssueCode::Pattern(Text::from("x")),
        IssueCode::NotANumber,
        IssueCode::NotAWholeNumber,
        IssueCode::BelowMin("1".into()),
        IssueCode::AboveMax("1".into()),
        IssueCode::InvalidEmail,
        IssueCode::InvalidPhone,
        IssueCode::InvalidDate,
        IssueCode::DateTooEarly(date(2026, 1, 1)),
        IssueCode::DateTooLate(date(2026, 1, 1)),
        IssueCode::UnknownOption,
        IssueCode::TooFewChoices(1),
        IssueCode::TooManyChoices(1),
        IssueCode::InvalidYesNo,
        IssueCode::Personnummer(Pnr::Format),
        IssueCode::Personnummer(Pnr::InvalidDate),
        IssueCode::Personnummer(Pnr::InFuture),
        IssueCode::Personnummer(Pnr::Checksum),
        IssueCode::Personnummer(Pnr::SamordningsnummerNotAllowed),
        IssueCode::Organisationsnummer(Org::Format),
        IssueCode::Organisationsnummer(Org::NotAnOrganisation),
        IssueCode::Organisationsnummer(Org::Checksum),
        IssueCode::InvalidPostalCode,
        IssueCode::Mismatch(Text::from("x")),
        IssueCode::WrongShape,
        IssueCode::UnknownField,
        IssueCode::Receiver {
            code: "x".into(),
            message: Text::from("x"),
        },
    ];
    let codes: Vec<&str> = all.iter().map(IssueCode::code).collect();
    assert_eq!(
        codes,
        [
            "required",
            "required_choice",
            "too_short",
            "too_long",
            "pattern",
            "not_a_number",
            "not_a_whole_number",
            "below_min",
            "above_max",
            "invalid_email",
            "invalid_phone",
            "invalid_date",
            "date_too_early",
            "date_too_late",
            "unknown_option",
            "too_few_choices",
            "too_many_choices",
            "invalid_yes_no",
            "personnummer_format",
            "personnummer_date",
            "personnummer_future",
            "personnummer_checksum",
            "samordningsnummer_not_allowed",
            "organisationsnummer_format",
            "organisationsnummer_not_organisation",
            "organisationsnummer_checksum",
            "invalid_postal_code",
            "mismatch",
            "wrong_shape",
            "unknown_field",
            "receiver",
        ]
    );
    let unique: BTreeSet<&str> = codes.iter().copied().collect();
    assert_eq!(unique.len(), codes.len(), "every code names one problem");
    for code in &all {
        for lang in Lang::ALL {
            assert!(
                !code.message(lang).is_empty(),
                "{code:?} has a message in {lang}"
            );
        }
    }
}

/// Two steps; the first has a group between its questions. Ids sort differently from the document.
fn ordered_def() -> Definition {
    test_definition(
        "ordning",
        "1",
        json!("Ordning"),
        json!([
            { "id": "one", "title": "Ett", "fields": [
                { "id": "z_first", "type": "text", "label": "Först", "required": true },
                { "id": "intro", "type": "info", "text": "Om adressen." },
                { "id": "address", "type": "group", "label": "Adress", "fields": [
                    { "id": "m_street", "type": "text", "label": "Gata", "required": true },
                    { "id": "b_zip", "type": "postal_code", "label": "Postnummer", "required": true }
                ]},
                { "id": "a_last", "type": "yes_no", "label": "Sist", "required": true }
            ]},
            { "id": "two", "title": "Två", "fields": [
                { "id": "c_second_step", "type": "integer", "label": "Antal", "min": 1 }
            ]}
        ]),
    )
}

#[test]
fn validate_step_and_form_report_in_document_order() {
    let def = ordered_def();
    let mut answers = Answers::new();
    answers.set("b_zip", text("0123"));
    answers.set("c_second_step", text("0"));
    let issue = |field: &str, code| Issue {
        field: field.to_owned(),
        code,
    };
    let step_one = vec![
        issue("z_first", IssueCode::Required),
        issue("m_street", IssueCode::Required),
        issue("b_zip", IssueCode::InvalidPostalCode),
        issue("a_last", IssueCode::RequiredChoice),
    ];
    let step_two = vec![issue("c_second_step", IssueCode::BelowMin("1".into()))];
    assert_eq!(
        validate_step(&def, &def.steps[0], &answers, &cx()),
        step_one
    );
    assert_eq!(
        validate_step(&def, &def.steps[1], &answers, &cx()),
        step_two
    );
    assert_eq!(
        validate_form(&def, &answers, &cx()),
        [step_one, step_two].concat()
    );

    for (id, answer) in [
        ("z_first", text("x")),
        ("m_street", text("Storgatan 1")),
        ("b_zip", text("12345")),
        ("a_last", text("no")),
        ("c_second_step", text("1")),
    ] {
        answers.set(id, answer);
    }
    assert_eq!(validate_form(&def, &answers, &cx()), []);
}

#[test]
fn must_match_compares_canonical_forms() {
    let def = test_definition(
        "t",
        "1",
        json!("T"),
        json!([{ "id": "s", "title": "S", "fields": [
            { "id": "pnr", "type": "personnummer", "label": "Personnummer" },
            { "id": "pnr2", "type": "personnummer", "label": "Upprepa", "must_match": "pnr" }
        ]}]),
    );
    let field = def.field("pnr2").expect("field");
    let mut answers = Answers::new();
    answers.set("pnr", Answer::Text("8112289874".into()));
    answers.set("pnr2", Answer::Text("19811228-9874".into()));
    assert_eq!(
        validate_field(&def, field.id.as_str(), &answers, &cx()),
        None,
        "the same number written two ways"
    );
    answers.set("pnr2", Answer::Text("670919-9530".into()));
    assert!(matches!(
        validate_field(&def, field.id.as_str(), &answers, &cx()),
        Some(IssueCode::Mismatch(_))
    ));
}
