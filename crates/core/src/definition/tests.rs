//! Loader tests: a valid base definition, mutated, checked against the exact diagnostics.

use serde_json::{Value, json};

use super::*;
use crate::Lang;

fn base() -> Value {
    crate::test_support::definition_json(
        "test",
        "1",
        json!({ "sv": "Testformulär", "en": "Test form" }),
        json!([
            { "id": "one", "title": "Ett", "fields": [
                { "id": "name", "type": "text", "label": "Namn", "required": true, "autocomplete": "name" },
                { "id": "email", "type": "email", "label": "E-post" },
                { "id": "email2", "type": "email", "label": "Upprepa e-post", "must_match": "email" }
            ]},
            { "id": "two", "title": "Två", "fields": [
                { "id": "kind", "type": "radio", "label": "Typ", "options": [
                    { "value": "a", "label": "A" }, { "value": "b", "label": "B" }
                ]},
                { "id": "about", "type": "info", "text": "**Obs!** Läs [mer](https://exempelby.se)." }
            ]},
            { "id": "three", "title": "Tre", "fields": [
                { "id": "n", "type": "integer", "label": "Antal", "min": 0, "max": 10 }
            ]}
        ]),
    )
}

/// Every diagnostic line of a load, in English.
fn english_lines(loaded: &Loaded) -> Vec<String> {
    loaded
        .diagnostics
        .iter()
        .map(|d| d.line(Lang::En))
        .collect()
}

/// Applies `edit` to the base definition and compares every diagnostic line (English).
fn check(edit: impl FnOnce(&mut Value), expected: &[&str]) {
    let mut v = base();
    edit(&mut v);
    let loaded = load(&v.to_string());
    let lines = english_lines(&loaded);
    assert_eq!(lines, expected, "diagnostics differ");
    let any_error = loaded
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error);
    assert_eq!(
        loaded.definition.is_none(),
        any_error,
        "a definition is returned exactly when there are no errors"
    );
}

#[test]
fn base_definition_loads_cleanly() {
    check(|_| {}, &[]);
}

#[test]
fn invalid_json_reports_line_and_column() {
    let loaded = load("{\n  \"blankett\": \"1\",\n  \"id\": \n}");
    let lines: Vec<String> = loaded
        .diagnostics
        .iter()
        .map(|d| d.line(Lang::En))
        .collect();
    assert_eq!(lines, ["not valid JSON: expected value (line 4, column 1)"]);
    assert_eq!(
        loaded.diagnostics[0].line(Lang::Sv),
        "inte giltig JSON: expected value (rad 4, kolumn 1)"
    );
}

#[test]
fn unknown_field_type_names_the_path_and_a_suggestion() {
    check(
        |v| v["steps"][2]["fields"][0]["type"] = json!("txt"),
        &[r#"steps[2].fields[0].type: unknown field type "txt" (did you mean "text"?)"#],
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    check(
        |v| {
            v.as_object_mut().map(|o| o.remove("privacy"));
            v["steps"][0]["fields"][1]["id"] = json!("name");
            v["steps"][1]["fields"][0]["type"] = json!("radioo");
            v["steps"][0]["fields"][2]["must_match"] = json!("mail");
            v["steps"][2]["fields"][0]["max"] = json!(-1);
        },
        &[
            r#"missing required property "privacy""#,
            r#"steps[0].fields[1].id: duplicate field id "name", first used at steps[0].fields[0].id"#,
            r#"steps[1].fields[0].type: unknown field type "radioo" (did you mean "radio"?)"#,
            r#"steps[2].fields[0]: "min" (0) is greater than "max" (-1)"#,
            r#"steps[0].fields[2].must_match: refers to field "mail", which does not exist"#,
        ],
    );
}

#[test]
fn references_must_point_at_questions() {
    check(
        |v| v["steps"][0]["fields"][2]["must_match"] = json!("about"),
        &[r#"steps[0].fields[2].must_match: refers to "about", which takes no answer"#],
    );
    check(
        |v| v["steps"][0]["fields"][2]["must_match"] = json!("email2"),
        &["steps[0].fields[2].must_match: refers to the field itself"],
    );
}

#[test]
fn unknown_and_misplaced_properties() {
    check(
        |v| {
            v["steps"][0]["fields"][0]["requird"] = json!(true);
            v["steps"][0]["fields"][0]["options"] = json!([]);
            v["steps"][0]["fields"][0]["x-cms-note"] = json!("extensions are allowed");
            v["titel"] = json!("x");
        },
        &[
            r#"titel: unknown property "titel" (did you mean "title"?)"#,
            r#"steps[0].fields[0].options: "options" does not apply to a field of type "text""#,
            r#"steps[0].fields[0].requird: unknown property "requird" (did you mean "required"?)"#,
        ],
    );
}

#[test]
fn wrong_types_and_missing_labels() {
    check(
        |v| {
            v["steps"][0]["fields"][0]["required"] = json!("yes");
            v["steps"][0]["fields"][1]
                .as_object_mut()
                .map(|o| o.remove("label"));
            v["steps"][0]["title"] = json!(3);
        },
        &[
            "steps[0].title: expected a string or an object of language codes to strings, found a number",
            "steps[0].fields[0].required: expected true or false, found a string",
            r#"steps[0].fields[1]: missing required property "label""#,
        ],
    );
}

#[test]
fn version_ids_and_urls() {
    check(
        |v| {
            v["blankett"] = json!("2");
            v["id"] = json!("1bad id");
            v["submit"]["url"] = json!("http://evil.example/collect");
            v["privacy"]["rights_url"] = json!("javascript:alert(1)");
        },
        &[
            r#"blankett: unsupported format version "2": this runtime reads version "1""#,
            r#"id: "1bad id" is not a valid id: start with a letter, then use letters, digits, "_" or "-" (at most 64)"#,
            r#"privacy.rights_url: "javascript:alert(1)" is not an https:// address or a path starting with "/""#,
            r#"submit.url: "http://evil.example/collect" is not an https:// address or a path starting with "/""#,
        ],
    );
    check(
        |v| v["submit"]["url"] = json!("http://localhost:8080/api/submissions"),
        &[],
    );
}

#[test]
fn texts_and_languages() {
    check(
        |v| {
            v["title"] = json!({ "en": "Only English" });
            v["steps"][0]["title"] = json!({ "sv": " " });
            v["steps"][1]["title"] = json!({ "Svenska": "Två" });
        },
        &[
            r#"title: (warning) text has no Swedish version ("sv"); Swedish is shown when a language is missing"#,
            "steps[0].title.sv: text is empty",
            r#"steps[1].title.Svenska: "Svenska" is not a language code (use e.g. "sv", "en", "fi")"#,
            r#"steps[1].title: (warning) text has no Swedish version ("sv"); Swedish is shown when a language is missing"#,
        ],
    );
}

#[test]
fn languages_are_tags_without_repeats_swedish_first() {
    check(
        |v| v["languages"] = json!(["sv", "fi", "Suomi", "fi", "ar"]),
        &[r#"languages[2]: "Suomi" is not a language code (use e.g. "sv", "en", "fi")"#],
    );
    check(
        |v| v["languages"] = json!(["sv", "fi", "fi"]),
        &[r#"languages[2]: "fi" is listed twice"#],
    );
    check(
        |v| v["languages"] = json!(["fi", "sv"]),
        &[
            r#"languages[0]: the first language must be Swedish ("sv"): a text missing in another language is shown in Swedish"#,
        ],
    );
    check(
        |v| v["languages"] = json!("sv"),
        &["languages: expected an array, found a string"],
    );
}

#[test]
fn languages_default_to_swedish_and_english() {
    let mut v = base();
    let def = crate::load(&v.to_string())
        .into_result()
        .unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(def.languages, [crate::LangTag::SV, crate::LangTag::EN]);
    assert!(
        serde_json::to_value(&def).is_ok_and(|j| j.get("languages").is_none()),
        "format v1 unchanged"
    );
    v["languages"] = json!(["sv", "fi", "fit", "se", "ar"]);
    let def = crate::load(&v.to_string())
        .into_result()
        .unwrap_or_else(|d| panic!("{d:#?}"));
    let codes: Vec<&str> = def.languages.iter().map(|l| l.code()).collect();
    assert_eq!(codes, ["sv", "fi", "fit", "se", "ar"]);
    assert_eq!(
        serde_json::to_value(&def)
            .ok()
            .and_then(|j| j.get("languages").cloned()),
        Some(json!(["sv", "fi", "fit", "se", "ar"]))
    );
}

#[test]
fn field_rules_are_checked() {
    check(
        |v| {
            v["steps"][0]["fields"][0]["pattern"] = json!({ "regex": "[a-", "message": "Fel" });
            v["steps"][0]["fields"][0]["autocomplete"] = json!("fullname");
            v["steps"][0]["fields"][1]["inputmode"] = json!("keyboard");
            v["steps"][1]["fields"][0]["options"] =
                json!([{ "value": "a", "label": "A" }, { "value": "a", "label": "B" }]);
            v["steps"][2]["fields"][0]["min"] = json!(1.5);
        },
        &[
            "steps[0].fields[0].autocomplete: \"fullname\" is not an HTML autocomplete token (e.g. \"given-name\", \"email\", \"postal-code\")",
            "steps[0].fields[0].pattern.regex: invalid regular expression: invalid range in character class",
            "steps[0].fields[1].inputmode: unknown inputmode \"keyboard\" (use text, decimal, numeric, tel, email, url or search)",
            "steps[1].fields[0].options[1].value: duplicate option value \"a\", first used at steps[1].fields[0].options[0].value",
            "steps[2].fields[0].min: must be a whole number",
        ],
    );
}

#[test]
fn choices_and_groups() {
    check(
        |v| {
            v["steps"][1]["fields"][0] = json!({
                "id": "kids", "type": "checkboxes", "label": "Barn", "max_choices": 3,
                "options": [{ "value": "a", "label": "A" }, { "value": "b", "label": "B" }]
            });
            v["steps"][2]["fields"][0] =
                json!({ "id": "g", "type": "group", "label": "Grupp", "fields": [] });
        },
        &[
            r#"steps[1].fields[0].max_choices: "max_choices" is 3, but there are only 2 options"#,
            "steps[2].fields[0].fields: has no fields",
        ],
    );
    check(
        |v| v["steps"][1]["fields"][0]["options"] = json!([{ "value": "a", "label": "A" }]),
        &["steps[1].fields[0].options: needs at least 2 option(s)"],
    );
}

#[test]
fn required_privacy_notice_parts() {
    check(
        |v| {
            v["privacy"]
                .as_object_mut()
                .map(|o| o.remove("legal_basis"));
            v["organisation"]["contact"] = json!({});
        },
        &[
            r#"organisation.contact: give at least one of "email", "phone" or "url""#,
            r#"privacy: missing required property "legal_basis""#,
        ],
    );
}

#[test]
fn messages_are_localized() {
    let mut v = base();
    v["steps"][2]["fields"][0]["type"] = json!("txt");
    let loaded = load(&v.to_string());
    assert_eq!(
        loaded.diagnostics[0].line(Lang::Sv),
        r#"steps[2].fields[0].type: okänd fälttyp "txt" (menade du "text"?)"#
    );
}

#[test]
fn not_an_object_at_all() {
    let lines: Vec<String> = load("[]")
        .diagnostics
        .iter()
        .map(|d| d.line(Lang::En))
        .collect();
    assert_eq!(lines, ["expected an object, found an array"]);
}

#[test]
fn model_serializes_back_to_the_same_definition() {
    let def = load(&base().to_string()).into_result().expect("base loads");
    let again = serde_json::to_string(&def).expect("serializes");
    let reloaded = load(&again).into_result().expect("serialized form loads");
    assert_eq!(def, reloaded);
}

#[test]
fn autocomplete_grammar() {
    for ok in [
        "on",
        "off",
        "email",
        "shipping postal-code",
        "section-a billing street-address",
        "work tel",
        "mobile tel-national",
    ] {
        check(
            |v| v["steps"][0]["fields"][0]["autocomplete"] = json!(ok),
            &[],
        );
    }
}

#[test]
fn steps_and_limits() {
    check(
        |v| v["steps"] = json!([]),
        &["steps: the form has no steps"],
    );
    check(
        |v| {
            v["steps"][1]["id"] = json!("one");
            v["steps"][0]["fields"][0]["min_length"] = json!(10);
            v["steps"][0]["fields"][0]["max_length"] = json!(2);
            v["steps"][2]["fields"][0] = json!({ "id": "d", "type": "date", "label": "Datum", "min": "2027-01-01", "max": "2026-01-01" });
        },
        &[
            r#"steps[0].fields[0]: "min_length" (10) is greater than "max_length" (2)"#,
            r#"steps[1].id: duplicate step id "one", first used at steps[0].id"#,
            r#"steps[2].fields[0]: "min" (2027-01-01) is greater than "max" (2026-01-01)"#,
        ],
    );
}

#[test]
fn dates_contacts_and_depth() {
    check(
        |v| {
            v["organisation"]["contact"]["email"] = json!("info(at)exempelby.se");
            v["steps"][2]["fields"][0] = json!({ "id": "d", "type": "date", "label": "Datum", "min": "tomorrow", "max": "2026-02-30" });
        },
        &[
            r#"organisation.contact.email: "info(at)exempelby.se" is not an e-mail address"#,
            r#"steps[2].fields[0].min: "tomorrow" is not a date (YYYY-MM-DD) or "today""#,
            r#"steps[2].fields[0].max: "2026-02-30" is not a date (YYYY-MM-DD) or "today""#,
        ],
    );
    let leaf = json!({ "id": "leaf", "type": "text", "label": "Löv" });
    let g3 = json!({ "id": "g3", "type": "group", "label": "G3", "fields": [leaf] });
    let g2 = json!({ "id": "g2", "type": "group", "label": "G2", "fields": [g3] });
    let g1 = json!({ "id": "g1", "type": "group", "label": "G1", "fields": [g2] });
    check(|v| v["steps"][2]["fields"][0] = g1.clone(), &[]);
    let g0 = json!({ "id": "g0", "type": "group", "label": "G0", "fields": [g1] });
    check(
        |v| v["steps"][2]["fields"][0] = g0,
        &[
            "steps[2].fields[0].fields[0].fields[0].fields[0]: groups may be nested at most 3 levels deep",
        ],
    );
}

#[test]
fn every_problem_has_a_swedish_message() {
    // A representative definition with many problems: no Swedish line may fall back to English.
    let mut v = base();
    v["blankett"] = json!("2");
    v["steps"][0]["fields"][0]["type"] = json!("txt");
    v["steps"][0]["fields"][1]["inputmode"] = json!("x");
    v["steps"][2]["fields"][0]["max"] = json!(-1);
    v["privacy"]["rights_url"] = json!("ftp://x");
    let loaded = load(&v.to_string());
    assert!(loaded.diagnostics.len() >= 5);
    for d in &loaded.diagnostics {
        assert_ne!(
            d.line(Lang::Sv),
            d.line(Lang::En),
            "{d} has no Swedish message"
        );
    }
}

#[test]
fn conditions_short_form_is_checked_against_the_field() {
    check(
        |v| {
            v["steps"][0]["fields"][1]["visible_if"] =
                json!({ "choice": "kind", "any_of": ["a", "c"] });
            v["steps"][0]["fields"][2]["visible_if"] = json!({ "choice": "name", "any_of": ["x"] });
            v["steps"][2]["fields"][0]["visible_if"] =
                json!({ "choice": "kind", "any_of": ["a"], "none_of": ["b"] });
        },
        &[
            r#"steps[0].fields[1].visible_if.any_of[1]: "c" is not an option of "kind" (yes_no fields have "yes" and "no")"#,
            r#"steps[0].fields[2].visible_if.choice: "name" is not a select, radio, checkboxes or yes_no field, so it has no options to choose"#,
            r#"steps[2].fields[0].visible_if: give exactly one of "any_of", "all_of" or "none_of""#,
        ],
    );
    check(
        |v| {
            v["steps"][2]["fields"][0]["visible_if"] = json!({ "choice": "kind", "none_of": ["b"] })
        },
        &[],
    );
}

#[test]
fn expressions_must_read_fields_that_exist_and_have_values() {
    check(
        |v| {
            v["steps"][0]["fields"][1]["visible_if"] = json!({ "==": [{ "var": "nme" }, "x"] });
            v["steps"][0]["fields"][2]["required_if"] = json!({ "!!": { "var": "about" } });
        },
        &[
            r#"steps[0].fields[1].visible_if: refers to field "nme", which does not exist"#,
            r#"steps[0].fields[2].required_if: refers to "about", which takes no answer"#,
        ],
    );
}

#[test]
fn fields_may_not_depend_on_each_other_in_a_circle() {
    check(
        |v| {
            v["steps"][0]["fields"][1]["visible_if"] = json!({ "!!": { "var": "email2" } });
            v["steps"][0]["fields"][2]["visible_if"] = json!({ "!!": { "var": "email" } });
        },
        &[
            "steps[0].fields[1]: these fields depend on each other in a circle: email → email2 → email",
        ],
    );
    check(
        |v| {
            if let Some(f) = v["steps"][2]["fields"].as_array_mut() {
                f.push(json!({ "id": "a", "type": "computed", "label": "A", "expression": { "+": [{ "var": "b" }, 1] } }));
                f.push(json!({ "id": "b", "type": "computed", "label": "B", "expression": { "+": [{ "var": "a" }, 1] } }));
            }
        },
        &["steps[2].fields[1]: these fields depend on each other in a circle: a → b → a"],
    );
}

#[test]
fn rules_and_computed_fields() {
    check(
        |v| {
            v["steps"][2]["rules"] = json!([
                { "rule": { "<": [{ "var": "n" }, 5] }, "message": "Högst fyra", "fields": [] },
                { "rule": { "<": [{ "var": "n" }, 5] }, "message": "Högst fyra", "fields": ["m"] }
            ]);
            if let Some(f) = v["steps"][2]["fields"].as_array_mut() {
                f.push(json!({ "id": "c", "type": "computed", "label": "C", "required": true, "expression": { "*": [{ "var": "n" }, 2] } }));
            }
        },
        &[
            r#"steps[2].fields[1].required: "required" does not apply to a field of type "computed""#,
            "steps[2].rules[0].fields: a rule needs at least one field in \"fields\" to show its message at",
            r#"steps[2].rules[1].fields: refers to field "m", which does not exist"#,
        ],
    );
    check(
        |v| {
            v["rules"] = json!([{ "rule": { ">": [{ "var": "n" }, 0] }, "message": { "sv": "Minst ett", "en": "At least one" }, "fields": ["n"] }]);
            if let Some(f) = v["steps"][2]["fields"].as_array_mut() {
                f.push(json!({ "id": "c", "type": "computed", "label": "C", "unit": "kr", "expression": { "*": [{ "var": "n" }, 2] } }));
            }
        },
        &[],
    );
}

#[test]
fn expression_errors_carry_their_path_inside_the_expression() {
    let mut v = base();
    v["steps"][0]["fields"][1]["visible_if"] = json!({ "and": [true, { "eq": [1, 1] }] });
    let lines = english_lines(&load(&v.to_string()));
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("steps[0].fields[1].visible_if.and[1]"),
        "{lines:?}"
    );
    assert!(lines[0].contains("eq"), "{lines:?}");
}

#[test]
fn prefill_marks_and_endpoint() {
    check(
        |v| {
            v["prefill"] = json!({ "endpoint": "/api/me" });
            v["steps"][0]["fields"][0]["prefill"] = json!({ "key": "given_name", "lock": true });
        },
        &[],
    );
    check(
        |v| {
            v["prefill"] = json!({ "endpoint": "http://evil.example/me", "cache": true });
            v["steps"][0]["fields"][0]["prefill"] = json!({ "key": "", "locked": true });
            v["steps"][1]["fields"][1]["prefill"] = json!({ "key": "x" });
        },
        &[
            r#"steps[0].fields[0].prefill.locked: unknown property "locked" (did you mean "lock"?)"#,
            "steps[0].fields[0].prefill.key: text is empty",
            r#"steps[1].fields[1].prefill: "prefill" does not apply to a field of type "info""#,
            r#"prefill.cache: unknown property "cache""#,
            r#"prefill.endpoint: "http://evil.example/me" is not an https:// address or a path starting with "/""#,
        ],
    );
}

#[test]
fn comparisons_that_can_never_hold_are_warned_about() {
    check(
        |v| {
            v["steps"][0]["fields"][0]["visible_if"] = json!({ "and": [
                { "==": [{ "var": "kind" }, "c"] },
                { "==": [{ "var": "kind" }, "a"] },
                { "!=": ["3", { "var": "n" }] }
            ]});
        },
        &[
            r#"steps[0].fields[0].visible_if.and[0].==: (warning) compares "kind" with "c", which it never equals: its value is one of the field's option values"#,
            r#"steps[0].fields[0].visible_if.and[2].!=: (warning) compares "n" with "3", which it never equals: its value is a number"#,
        ],
    );
}

#[test]
fn options_from_a_code_list() {
    let mut v = base();
    v["steps"][1]["fields"][0] = json!({
        "id": "kind", "type": "radio", "label": "Typ", "options_from": { "url": "/forms/lists/typer.json" }
    });
    v["steps"][2]["fields"][0]["visible_if"] = json!({ "choice": "kind", "any_of": ["b"] });
    let mut def = load(&v.to_string())
        .into_result()
        .expect("a code list loads");
    assert_eq!(def.option_urls(), ["/forms/lists/typer.json"]);
    let again = load(&serde_json::to_string(&def).expect("serializes"))
        .into_result()
        .expect("round trip");
    assert_eq!(again, def, "options_from serializes back as written");

    let field = def.field("kind").expect("field").clone();
    let cx = crate::Context {
        today: crate::Date::new(2026, 11, 23).expect("date"),
    };
    let mut answers = crate::Answers::new();
    answers.set("kind", crate::Answer::Text("b".into()));
    assert!(
        crate::validate::validate_field(&def, field.id.as_str(), &answers, &cx).is_some(),
        "an unresolved list accepts nothing"
    );

    let broken = def.resolve_options(
        "/forms/lists/typer.json",
        &json!([{ "value": "a" }, { "value": "a", "label": "A" }]),
    );
    let lines: Vec<String> = broken
        .expect_err("checked")
        .iter()
        .map(|d| d.line(Lang::En))
        .collect();
    assert_eq!(
        lines,
        [
            r#"[0]: missing required property "label""#,
            r#"[1].value: duplicate option value "a", first used at [0].value"#
        ]
    );
    def.resolve_options(
        "/forms/lists/typer.json",
        &json!({ "options": [
            { "value": "a", "label": "A" }, { "value": "b", "label": { "sv": "Bé", "en": "Bee" } }
        ]}),
    )
    .expect("a good list resolves");
    let field = def.field("kind").expect("field").clone();
    assert_eq!(
        crate::validate::validate_field(&def, field.id.as_str(), &answers, &cx),
        None
    );
    assert_eq!(field.kind.options().map(<[_]>::len), Some(2));
}

#[test]
fn options_or_options_from() {
    check(
        |v| {
            v["steps"][1]["fields"][0]["options_from"] = json!({ "url": "ftp://x" });
        },
        &[r#"steps[1].fields[0]: give either "options" or "options_from", not both"#],
    );
    check(
        |v| {
            v["steps"][1]["fields"][0]
                .as_object_mut()
                .map(|o| o.remove("options"));
            v["steps"][1]["fields"][0]["options_from"] = json!({ "url": "ftp://x" });
        },
        &[
            r#"steps[1].fields[0].options_from.url: "ftp://x" is not an https:// address or a path starting with "/""#,
        ],
    );
}

#[test]
fn repeating_groups_are_checked() {
    let repeat = |fields: Value| {
        json!({ "id": "rows", "type": "repeat", "label": "Rader", "item_label": "Rad",
                "min_rows": 1, "max_rows": 4, "fields": fields })
    };
    let put = |v: &mut Value, step: usize, index: usize, field: Value| {
        let fields = v["steps"][step]["fields"].as_array_mut().expect("fields");
        if index < fields.len() {
            fields[index] = field;
        } else {
            fields.push(field);
        }
    };
    // A good one loads and serializes back as written.
    let mut v = base();
    put(
        &mut v,
        2,
        1,
        repeat(json!([
            { "id": "a", "type": "text", "label": "A" },
            { "id": "a2", "type": "text", "label": "A igen", "must_match": "a",
              "visible_if": { "!!": { "var": "a" } } }
        ])),
    );
    put(
        &mut v,
        2,
        2,
        json!({ "id": "count", "type": "computed", "label": "Antal",
        "expression": { "length": { "var": "rows" } } }),
    );
    let def = load(&v.to_string()).into_result().expect("loads");
    let again = load(&serde_json::to_string(&def).expect("serializes"))
        .into_result()
        .expect("reloads");
    assert_eq!(again, def);
    assert_eq!(def.field("rows[2].a2").map(|f| f.id.as_str()), Some("a2"));
    assert_eq!(
        def.field("a2"),
        None,
        "a row's field is reached by its row key"
    );
    assert_eq!(def.step_of("rows[0].a"), Some(2));

    check(
        |v| {
            put(
                v,
                2,
                1,
                repeat(json!([
                    { "id": "inner", "type": "repeat", "label": "I", "fields": [
                        { "id": "x", "type": "text", "label": "X" } ] },
                    { "id": "fee", "type": "computed", "label": "F", "expression": 1 },
                    { "id": "p", "type": "text", "label": "P", "prefill": { "key": "p" } },
                    { "id": "m", "type": "text", "label": "M", "must_match": "name" }
                ])),
            );
            v["steps"][2]["fields"][1]["required"] = json!(true);
            v["steps"][2]["fields"][1]["min_rows"] = json!(5);
            put(
                v,
                2,
                2,
                json!({ "id": "q", "type": "text", "label": "Q",
                "visible_if": { "var": "p" }, "must_match": "m" }),
            );
            v["steps"][2]["rules"] = json!([{ "rule": true, "message": "M", "fields": ["p"] }]);
            put(
                v,
                1,
                2,
                json!({ "id": "none", "type": "repeat", "label": "R",
                "max_rows": 0, "fields": [{ "id": "y", "type": "text", "label": "Y" }] }),
            );
        },
        &[
            r#"steps[1].fields[2].max_rows: must be at least 1"#,
            r#"steps[2].fields[1].required: "required" does not apply to a field of type "repeat""#,
            r#"steps[2].fields[1].fields[0].type: a repeating group is not supported inside a repeating group"#,
            r#"steps[2].fields[1].fields[1].type: a computed field is not supported inside a repeating group"#,
            r#"steps[2].fields[1].fields[2].prefill: prefill is not supported inside a repeating group"#,
            r#"steps[2].fields[1]: "min_rows" (5) is greater than "max_rows" (4)"#,
            r#"steps[2].fields[1].fields[3].must_match: in a repeating group, must_match names a field of the same row; "name" is not one"#,
            r#"steps[2].fields[2].must_match: refers to "m", which is inside the repeating group "rows": outside it, read the rows with {"var": "rows"} (an array of objects)"#,
            r#"steps[2].fields[2].visible_if: refers to "p", which is inside the repeating group "rows": outside it, read the rows with {"var": "rows"} (an array of objects)"#,
            r#"steps[2].rules[0].fields: refers to "p", which is inside the repeating group "rows": outside it, read the rows with {"var": "rows"} (an array of objects)"#,
        ],
    );
    // Every new problem speaks Swedish too.
    let mut v = base();
    put(
        &mut v,
        2,
        1,
        repeat(json!([
            { "id": "inner", "type": "repeat", "label": "I", "fields": [
                { "id": "x", "type": "text", "label": "X" } ] },
            { "id": "m", "type": "text", "label": "M", "must_match": "name" }
        ])),
    );
    v["steps"][2]["fields"][1]["max_rows"] = json!(0);
    put(
        &mut v,
        2,
        2,
        json!({ "id": "q", "type": "text", "label": "Q",
        "visible_if": { "var": "m" } }),
    );
    let loaded = load(&v.to_string());
    assert_eq!(loaded.diagnostics.len(), 4, "{:#?}", loaded.diagnostics);
    for d in &loaded.diagnostics {
        assert_ne!(
            d.line(Lang::Sv),
            d.line(Lang::En),
            "{d} has no Swedish message"
        );
    }
}

#[test]
fn privacy_says_how_long_the_receiver_keeps_a_case() {
    let with = |keep_days: Value| {
        let mut v = base();
        v["privacy"]["keep_days"] = keep_days;
        load(&v.to_string())
    };
    let def = with(json!(730)).definition.expect("loads");
    assert_eq!(def.privacy.keep_days, Some(730));
    let written = serde_json::to_value(&def).expect("serializes");
    assert_eq!(written["privacy"]["keep_days"], 730);
    assert_eq!(
        load(&base().to_string())
            .definition
            .expect("loads")
            .privacy
            .keep_days,
        None,
        "without it, cases are kept until deleted by hand"
    );
    assert_eq!(
        english_lines(&with(json!(0))),
        ["privacy.keep_days: must be at least 1"]
    );
    assert_eq!(
        english_lines(&with(json!(36501))),
        ["privacy.keep_days: must be at most 36500"]
    );
    assert_eq!(
        english_lines(&with(json!("två år"))),
        ["privacy.keep_days: expected a whole number ≥ 0, found a string"]
    );
    let swedish: Vec<String> = with(json!(0))
        .diagnostics
        .iter()
        .map(|d| d.line(Lang::Sv))
        .collect();
    assert_eq!(swedish, ["privacy.keep_days: måste vara minst 1"]);
}

#[test]
fn a_key_written_twice_is_refused_at_its_path() {
    let once = base().to_string();
    let label = r#""label":"Namn""#;
    assert!(once.contains(label) && once.starts_with('{'));
    let twice = once
        .replacen(label, r#""label":"Namn","label":"Efternamn""#, 1)
        .replacen('{', r#"{"id":"first","#, 1);
    let loaded = load(&twice);
    assert!(loaded.definition.is_none());
    assert_eq!(
        english_lines(&loaded),
        [
            "id: the key is written twice in the same object; keep one",
            "steps[0].fields[0].label: the key is written twice in the same object; keep one",
        ]
    );
    assert_eq!(
        loaded.diagnostics[1].line(Lang::Sv),
        "steps[0].fields[0].label: nyckeln står två gånger i samma objekt; behåll en av dem"
    );
    // The same key in two objects is no duplicate.
    assert!(load(&once).definition.is_some());
}
