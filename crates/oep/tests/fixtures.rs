//! The hand-written OEP exports in `tests/oep/`: each converts to a definition the checker
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
fn bygglov_keeps_its_questions_and_uploads_and_reports_maps() {
    let im = fixture("bygglov-altan");
    checked(&im);
    let d = &im.definition;
    let titles = step_titles(d);
    assert_eq!(
        titles,
        [
            "Fastighet och placering",
            "Åtgärd",
            "Ritningar och bilagor",
            "Sökande"
        ],
        "the step of uploads is kept"
    );
    let missing = not_converted(&im);
    assert!(
        !missing.iter().any(|m| m.contains("FileUploadQuery")),
        "{missing:#?}"
    );
    let plan = field(d, "q4109");
    assert_eq!(
        (
            plan["type"].clone(),
            plan["accept"].clone(),
            plan["max_file_size"].clone(),
            plan["max_files"].clone(),
            plan["required"].clone()
        ),
        (
            json!("file"),
            json!(["application/pdf", "image/jpeg", "image/png"]),
            json!(10_485_760),
            json!(2),
            json!(true)
        )
    );
    assert_eq!(
        (
            field(d, "q4110")["max_file_size"].clone(),
            field(d, "q4110")["max_total_size"].clone()
        ),
        (json!(20_971_520), json!(52_428_800)),
        "OEP's bytes are Blankett's bytes"
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

#[test]
fn skolskjuts_file_uploads_convert_with_their_types_limits_and_rules() {
    let im = fixture("skolskjuts");
    let def = checked(&im);
    let d = &im.definition;
    assert_eq!(step_titles(d), ["Eleven", "Bilagor", "Vårdnadshavare"]);
    assert_eq!(
        not_converted(&im),
        Vec::<String>::new(),
        "nothing is left out"
    );

    // OEP's extensions as types (jpg and jpeg are one type); bytes stay bytes; the help text
    // is the hint, the description an info text; required only with "Medicinska skäl".
    let intyg = field(d, "q6201");
    assert_eq!(intyg["type"], "file");
    assert_eq!(
        intyg["accept"],
        json!(["application/pdf", "image/jpeg", "image/png"])
    );
    assert_eq!(
        (intyg["max_file_size"].clone(), intyg["max_files"].clone()),
        (json!(5_242_880), json!(2))
    );
    assert_eq!(intyg["hint"], "Intyget får vara högst ett år gammalt.");
    assert_eq!(
        field(d, "q6201_info")["text"],
        "Intyget ska visa **varför** eleven inte kan ta sig till skolan själv."
    );
    let medical = json!({ "==": [{ "var": "q6102" }, "a9602"] });
    assert_eq!(
        (intyg["visible_if"].clone(), intyg["required_if"].clone()),
        (medical.clone(), medical)
    );
    let state = |reason: &str| {
        let mut a = Answers::new();
        a.set("q6102", Answer::Text(reason.into()));
        let s = FormState::evaluate(&def, &a, &cx());
        (s.is_visible("q6201"), s.is_required("q6201"))
    };
    assert_eq!(state("a9601"), (false, false));
    assert_eq!(state("a9602"), (true, true));

    // Unknown extensions are named and left out; no count in OEP is Blankett's most; the
    // total stays; the content is left out of the XML as OEP's setting says.
    let ovriga = field(d, "q6202");
    assert_eq!(
        ovriga["accept"],
        json!([
            "application/pdf",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.oasis.opendocument.text"
        ])
    );
    assert_eq!(
        (
            ovriga["max_files"].clone(),
            ovriga["max_file_size"].clone(),
            ovriga["max_total_size"].clone()
        ),
        (json!(20), json!(26_214_400), json!(52_428_800))
    );
    let changed = |id: &str| -> Vec<String> {
        im.report
            .iter()
            .filter(|n| n.kind == NoteKind::Changed && n.at.ends_with(&format!("[{id}]")))
            .map(|n| n.en.clone())
            .collect()
    };
    let notes = changed("6202");
    assert!(
        notes.iter().any(|n| n.contains(".rtf, .msg, .zip")),
        "{notes:#?}"
    );
    assert!(
        notes.iter().any(|n| n.contains("any number of files")),
        "{notes:#?}"
    );

    // No extensions in OEP: every type Blankett knows; no size of its own: Blankett's
    // default, here lowered to the total OEP allows; more files than Blankett takes.
    let bilder = field(d, "q6203");
    assert_eq!(bilder["accept"].as_array().map(Vec::len), Some(15));
    assert_eq!(
        (
            bilder["max_files"].clone(),
            bilder["max_file_size"].clone(),
            bilder["max_total_size"].clone()
        ),
        (json!(20), json!(4_194_304), json!(4_194_304))
    );
    assert_eq!(changed("6203").len(), 4, "{:#?}", changed("6203"));

    // Case and a dot in OEP's list are forgiven; above the ceiling is the ceiling.
    let karta = field(d, "q6204");
    assert_eq!(karta["accept"], json!(["application/pdf", "image/tiff"]));
    assert_eq!(karta["max_file_size"], json!(104_857_600));
    assert!(
        changed("6204").iter().any(|n| n.contains(".dwg")),
        "{:#?}",
        changed("6204")
    );

    // The export mapping: exported questions only, OEP's count and content setting kept.
    let queries = d["x-oep"]["queries"].as_array().expect("queries");
    let files: Vec<&Value> = queries
        .iter()
        .filter(|q| q["type"] == "FileUploadQuery")
        .collect();
    assert_eq!(
        files,
        [
            &json!({ "query_id": 6201, "name": "Läkarintyg", "element": "Lakarintyg", "type": "FileUploadQuery", "field": "q6201", "max": 2 }),
            &json!({ "query_id": 6202, "name": "Övriga handlingar", "element": "OvrigaHandlingar", "type": "FileUploadQuery", "field": "q6202", "exclude_content": true }),
            &json!({ "query_id": 6204, "name": "Karta över skolvägen", "element": "Karta", "type": "FileUploadQuery", "field": "q6204", "max": 1 }),
        ]
    );
}
