//! The five hand-written OEP exports in `tests/oep/`: each converts to a definition the checker
//! accepts, and their questions, validators and rules come out as the flows mean them.

use blankett_core::{Answer, Answers, Context, Date, FormState, Lang};
use blankett_oep::import::{Imported, NoteKind, Options, decode, import};
use serde_json::{Value, json};

fn fixture(name: &str) -> Imported {
    let path = format!(
        "{}/../../tests/oep/{name}.oeflow",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let xml = decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    import(&xml, &Options::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn checked(imported: &Imported) -> blankett_core::Definition {
    let loaded = blankett_core::load(&imported.definition.to_string());
    let lines: Vec<String> = loaded
        .diagnostics
        .iter()
        .map(|d| d.line(Lang::En))
        .collect();
    assert!(lines.is_empty(), "{lines:#?}");
    loaded.definition.expect("loads")
}

/// The field with this id anywhere in the definition JSON.
fn field<'a>(def: &'a Value, id: &str) -> &'a Value {
    fn find<'a>(fields: &'a Value, id: &str) -> Option<&'a Value> {
        fields.as_array()?.iter().find_map(|f| {
            if f["id"] == id {
                Some(f)
            } else {
                find(&f["fields"], id)
            }
        })
    }
    def["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|s| find(&s["fields"], id))
        .unwrap_or_else(|| panic!("no field {id}"))
}

fn step_titles(def: &Value) -> Vec<&str> {
    def["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["title"].as_str().unwrap_or(""))
        .collect()
}

fn not_converted(imported: &Imported) -> Vec<String> {
    imported
        .report
        .iter()
        .filter(|n| n.kind == NoteKind::NotConverted)
        .map(|n| n.en.clone())
        .collect()
}

fn cx() -> Context {
    Context {
        today: Date::new(2026, 11, 23).expect("date"),
    }
}

#[test]
fn bygglov_keeps_its_questions_and_reports_maps_and_uploads() {
    let im = fixture("bygglov-altan");
    checked(&im);
    let d = &im.definition;
    let titles = step_titles(d);
    assert_eq!(
        titles,
        ["Fastighet och placering", "Åtgärd", "Sökande"],
        "the step of uploads only is left out"
    );
    let missing = not_converted(&im);
    assert_eq!(
        missing
            .iter()
            .filter(|m| m.contains("FileUploadQuery"))
            .count(),
        3,
        "{missing:#?}"
    );
    assert_eq!(
        missing
            .iter()
            .filter(|m| m.contains("GeneralMapQuery"))
            .count(),
        1,
        "{missing:#?}"
    );
    // Queries in sortIndex order within the step, whatever the document order.
    let ids: Vec<&str> = d["steps"][1]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter(|f| f["type"] != "info")
        .map(|f| f["id"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(ids, ["q4104", "q4105", "q4106", "q4107", "q4108"]);
    assert_eq!(
        field(d, "q4107")["visible_if"],
        json!({ "==": [{ "var": "q4104" }, "a9103"] })
    );
    // One text field labelled like its question is the question itself.
    let single = field(d, "q4102_7101");
    assert_eq!(single["type"], "text");
    assert_eq!(
        (single["min_length"].clone(), single["max_length"].clone()),
        (json!(3), json!(100))
    );
    assert_eq!(field(d, "q4105_7102")["type"], "integer");
    assert!(
        im.report
            .iter()
            .any(|n| n.en.contains("FastighetsbeteckningValidator"))
    );
}

#[test]
fn trygghetslarm_rules_from_gdpr_acceptance_and_several_rules_on_one_question() {
    let im = fixture("trygghetslarm");
    let def = checked(&im);
    let d = &im.definition;
    assert_eq!(
        field(d, "q5202")["visible_if"],
        json!({ "in": ["godkant", { "var": "q5201" }] })
    );
    assert_eq!(
        field(d, "q5202_fornamn")["required_if"],
        json!({ "in": ["godkant", { "var": "q5201" }] })
    );
    assert_eq!(
        field(d, "q5209")["visible_if"],
        json!({ "!": { "==": [{ "var": "q5208" }, "a9210"] } })
    );
    assert_eq!(field(d, "q5205_fritext")["type"], "text");
    assert_eq!(
        d["x-oep"]["status"],
        json!({ "id": 1201, "name": "Inskickat" })
    );
    let visible = |pairs: &[(&str, Answer)]| {
        let mut a = Answers::new();
        for (k, v) in pairs {
            a.set(*k, v.clone());
        }
        FormState::evaluate(&def, &a, &cx()).is_visible("q5207")
    };
    let choices = |v: &[&str]| Answer::Choices(v.iter().map(|s| (*s).to_owned()).collect());
    assert!(!visible(&[]), "hidden by default");
    assert!(
        visible(&[("q5205", choices(&["a9204"]))]),
        "ANY of two alternatives"
    );
    assert!(
        visible(&[("q5206", Answer::Text("a9207".into()))]),
        "the other rule"
    );
    assert!(!visible(&[
        ("q5205", choices(&["a9205"])),
        ("q5206", Answer::Text("a9208".into()))
    ]));
    assert!(
        im.report
            .iter()
            .any(|n| n.kind == NoteKind::Changed && n.en.contains("Do not reset"))
    );
}

#[test]
fn vigsel_stop_question_blocks_the_step_at_the_question_that_shows_it() {
    let im = fixture("borgerlig-vigsel");
    let def = checked(&im);
    let step = &def.steps[0];
    assert_eq!(step.rules.len(), 1);
    let mut a = Answers::new();
    a.set("q3101", Answer::Text("a9302".into()));
    let issues = blankett_core::validate::validate_step(&def, step, &a, &cx());
    let rule: Vec<_> = issues.iter().filter(|i| i.code.code() == "rule").collect();
    assert_eq!(rule.len(), 1, "{issues:?}");
    assert_eq!(rule[0].field, "q3101");
    assert!(
        rule[0].code.message(Lang::Sv).contains("18 år"),
        "{}",
        rule[0].code.message(Lang::Sv)
    );
    a.set("q3101", Answer::Text("a9301".into()));
    assert!(
        !blankett_core::validate::validate_step(&def, step, &a, &cx())
            .iter()
            .any(|i| i.code.code() == "rule")
    );
    // Free text alone shows a question; a drop-down rule with two alternatives another.
    let d = &im.definition;
    assert_eq!(
        field(d, "q3106")["visible_if"],
        json!({ "==": [{ "var": "q3103" }, "fritext"] })
    );
    assert_eq!(
        field(d, "q3105")["visible_if"],
        json!({ "or": [{ "==": [{ "var": "q3103" }, "a9304"] }, { "==": [{ "var": "q3103" }, "a9305"] }] })
    );
    assert_eq!(field(d, "q3104_7301")["type"], "date");
    assert_eq!(field(d, "q3107_7307")["type"], "email");
    assert_eq!(field(d, "q3107_7308")["type"], "phone");
}

#[test]
fn foreningsbidrag_in_latin1_with_an_all_rule() {
    let im = fixture("foreningsbidrag");
    checked(&im);
    let d = &im.definition;
    assert_eq!(
        field(d, "q4404")["visible_if"],
        json!({ "and": [{ "in": ["a9401", { "var": "q4403" }] }, { "in": ["a9402", { "var": "q4403" }] }] })
    );
    assert_eq!(field(d, "q4402_7403")["label"], "Varav medlemmar 7–20 år");
    assert_eq!(field(d, "q4402_7401")["type"], "organisationsnummer");
    assert_eq!(
        (
            field(d, "q4404")["min_choices"].clone(),
            field(d, "q4404")["max_choices"].clone()
        ),
        (json!(1), json!(3))
    );
    assert_eq!(field(d, "q4401_orgnr")["type"], "organisationsnummer");
    assert_eq!(
        d["organisation"]["name"], "Kultur- och fritidsnämnden",
        "the flow family owner"
    );
}

#[test]
fn felanmalan_sorts_steps_and_reports_trees_and_disabled_rules() {
    let im = fixture("felanmalan-gata-park");
    checked(&im);
    let d = &im.definition;
    let titles = step_titles(d);
    assert_eq!(
        titles,
        ["Vad gäller felet?", "Plats och bild", "Kontaktuppgifter"]
    );
    let missing = not_converted(&im);
    assert!(
        missing.iter().any(|m| m.contains("TreeQuery")),
        "{missing:#?}"
    );
    assert!(
        missing.iter().any(|m| m.contains("disabled")),
        "{missing:#?}"
    );
    assert_eq!(
        field(d, "q5504")["required_if"],
        json!({ "==": [{ "var": "q5503" }, "fritext"] })
    );
    assert!(
        field(d, "q5504").get("visible_if").is_none(),
        "visible by default, only required by the rule"
    );
}
