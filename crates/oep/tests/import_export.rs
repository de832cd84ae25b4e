//! The importer and the exporter together: a small flow in, a definition that the checker
//! accepts and behaves like the flow, and a case out that xmllint validates against the XSD.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Arc;

use blankett_core::{Answer, Answers, Context, Date, FormState, Lang, Submission};
use blankett_oep::export::{Case, ExportError, Mapping};
use blankett_oep::import::{ImportError, NoteKind, Options, decode, import};
use serde_json::{Value, json};

const PARKERING: &str = include_str!("parkering.oeflow");

fn cx() -> Context {
    Context {
        today: Date::new(2026, 11, 23).expect("a date"),
    }
}

fn definition(json: &Value) -> blankett_core::Definition {
    let loaded = blankett_core::load(&json.to_string());
    assert!(
        loaded.diagnostics.is_empty(),
        "the checker finds: {:#?}",
        loaded
            .diagnostics
            .iter()
            .map(|d| d.line(Lang::En))
            .collect::<Vec<_>>()
    );
    loaded.definition.expect("a definition")
}

#[test]
fn a_flow_becomes_a_definition_that_behaves_like_it() {
    let imported = import(PARKERING, &Options::default()).expect("imports");
    let d = &imported.definition;
    assert_eq!(d["id"], "ansokan-om-parkeringstillstand");
    assert_eq!(d["organisation"]["name"], "Exempelby kommun, gatukontoret");
    assert_eq!(
        d["organisation"]["contact"],
        json!({ "email": "parkering@exempelby.se" })
    );
    assert_eq!(
        d["x-oep"]["flow"],
        json!({ "family_id": 7, "flow_id": 42, "version": 3, "name": "Ansökan om parkeringstillstånd" })
    );
    assert_eq!(
        d["x-oep"]["status"],
        json!({ "id": 12, "name": "Inskickat ärende" })
    );
    let def = definition(d);

    // "Show the personal details, required, when Jag själv is chosen."
    let shown = json!({ "==": [{ "var": "q101" }, "a1001"] });
    let group = &d["steps"][1]["fields"][0];
    assert_eq!(group["type"], "group");
    assert_eq!(group["visible_if"], shown);
    assert_eq!(group["fields"][1]["required_if"], shown);
    assert_eq!(group["fields"][2]["type"], "personnummer");
    assert_eq!(group["fields"][2]["allow_samordningsnummer"], false);
    let mut answers = Answers::new();
    let state = FormState::evaluate(&def, &answers, &cx());
    assert!(!state.is_visible("q201"));
    answers.set("q101", Answer::Text("a1001".into()));
    let state = FormState::evaluate(&def, &answers, &cx());
    assert!(state.is_visible("q201") && state.is_required("q201_2001"));
    answers.set("q101", Answer::Text("a1002".into()));
    assert!(!FormState::evaluate(&def, &answers, &cx()).is_visible("q201"));

    let kinds: Vec<(NoteKind, &str)> = imported
        .report
        .iter()
        .map(|n| (n.kind, n.at.as_str()))
        .collect();
    assert!(kinds.contains(&(NoteKind::FillIn, "privacy")), "{kinds:?}");
    assert!(
        kinds.contains(&(NoteKind::Changed, "Ansökan om parkeringstillstånd")),
        "login: {kinds:?}"
    );
    assert!(
        !kinds.iter().any(|(k, _)| *k == NoteKind::NotConverted),
        "{kinds:?}"
    );
    // The session works on it end to end.
    let session = blankett_core::FormSession::new(Arc::new(def), cx());
    assert_eq!(session.progress(), None);
}

/// The last matching rule decides; with none, the default state.
#[test]
fn several_rules_on_one_question_follow_the_last_that_matches() {
    let flow = r#"<Flow><name>Regler</name><Steps><Step><name>Ett</name><sortIndex>0</sortIndex><QueryDescriptors>
      <QueryDescriptor><queryID>1</queryID><name>Färg</name><sortIndex>0</sortIndex><defaultQueryState>VISIBLE</defaultQueryState>
        <EvaluatorDescriptors>
          <EvaluatorDescriptor><name>Dölj vid röd</name><sortIndex>0</sortIndex><enabled>true</enabled>
            <TargetQueryIDs><queryID>2</queryID></TargetQueryIDs>
            <QueryStateEvaluator><selectionMode>ANY</selectionMode><RequiredAlternativeIDs><alternativeID>11</alternativeID></RequiredAlternativeIDs><queryState>HIDDEN</queryState></QueryStateEvaluator></EvaluatorDescriptor>
          <EvaluatorDescriptor><name>Kräv vid röd och blå</name><sortIndex>1</sortIndex><enabled>true</enabled>
            <TargetQueryIDs><queryID>2</queryID></TargetQueryIDs>
            <QueryStateEvaluator><selectionMode>ALL</selectionMode><RequiredAlternativeIDs><alternativeID>11</alternativeID><alternativeID>12</alternativeID></RequiredAlternativeIDs><queryState>VISIBLE_REQUIRED</queryState></QueryStateEvaluator></EvaluatorDescriptor>
          <EvaluatorDescriptor><name>Avstängd</name><sortIndex>2</sortIndex><enabled>false</enabled>
            <TargetQueryIDs><queryID>2</queryID></TargetQueryIDs>
            <QueryStateEvaluator><selectionMode>ANY</selectionMode><RequiredAlternativeIDs><alternativeID>12</alternativeID></RequiredAlternativeIDs><queryState>HIDDEN</queryState></QueryStateEvaluator></EvaluatorDescriptor>
        </EvaluatorDescriptors>
        <CheckboxQuery><Alternatives>
          <CheckboxAlternative><alternativeID>12</alternativeID><name>Blå</name><sortIndex>2</sortIndex></CheckboxAlternative>
          <CheckboxAlternative><alternativeID>11</alternativeID><name>Röd</name><sortIndex>1</sortIndex></CheckboxAlternative>
        </Alternatives><freeTextAlternative>Annan färg</freeTextAlternative></CheckboxQuery></QueryDescriptor>
      <QueryDescriptor><queryID>2</queryID><name>Varför?</name><sortIndex>1</sortIndex><defaultQueryState>VISIBLE</defaultQueryState>
        <TextAreaQuery><maxLength>500</maxLength></TextAreaQuery></QueryDescriptor>
      <QueryDescriptor><queryID>3</queryID><name>Var?</name><sortIndex>2</sortIndex><defaultQueryState>VISIBLE</defaultQueryState>
        <GeneralMapQuery><startX>0</startX></GeneralMapQuery></QueryDescriptor>
    </QueryDescriptors></Step></Steps></Flow>"#;
    let imported = import(
        flow,
        &Options {
            organisation: Some("Testby kommun".into()),
            ..Options::default()
        },
    )
    .expect("imports");
    let def = definition(&imported.definition);
    let options: Vec<&str> = imported.definition["steps"][0]["fields"][0]["options"]
        .as_array()
        .expect("options")
        .iter()
        .map(|o| o["label"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        options,
        ["Röd", "Blå", "Annan färg"],
        "in sortIndex order, free text last"
    );
    let state_with = |chosen: &[&str]| {
        let mut a = Answers::new();
        a.set(
            "q1",
            Answer::Choices(chosen.iter().map(|s| (*s).to_owned()).collect()),
        );
        let s = FormState::evaluate(&def, &a, &cx());
        (s.is_visible("q2"), s.is_required("q2"))
    };
    assert_eq!(state_with(&[]), (true, false), "default: visible, optional");
    assert_eq!(state_with(&["a11"]), (false, false), "red hides it");
    assert_eq!(
        state_with(&["a11", "a12"]),
        (true, true),
        "red and blue: the later rule requires it"
    );
    assert_eq!(
        state_with(&["a12"]),
        (true, false),
        "the disabled rule is not there"
    );
    let kinds: Vec<(NoteKind, String)> = imported
        .report
        .iter()
        .map(|n| (n.kind, n.en.clone()))
        .collect();
    assert!(
        kinds
            .iter()
            .any(|(k, m)| *k == NoteKind::NotConverted && m.contains("GeneralMapQuery")),
        "{kinds:?}"
    );
    assert!(
        kinds
            .iter()
            .any(|(k, m)| *k == NoteKind::NotConverted && m.contains("disabled")),
        "{kinds:?}"
    );
}

#[test]
fn files_that_are_not_flows_get_clear_errors() {
    assert!(matches!(
        import("<Flow><name>x", &Options::default()),
        Err(ImportError::Xml(_))
    ));
    assert_eq!(
        import("<Form/>", &Options::default()).map(|_| ()),
        Err(ImportError::NotAFlow("Form".into()))
    );
    assert_eq!(
        import("<Flow/>", &Options::default()).map(|_| ()),
        Err(ImportError::NoName)
    );
    assert!(matches!(
        import(
            "<Flow><name>Extern</name><externalLink>https://x.se</externalLink></Flow>",
            &Options::default()
        ),
        Err(ImportError::ExternalLink(_))
    ));
    let only_map = "<Flow><name>Karta</name><Steps><Step><name>S</name><sortIndex>0</sortIndex><QueryDescriptors><QueryDescriptor><queryID>1</queryID><name>Rita</name><sortIndex>0</sortIndex><defaultQueryState>VISIBLE</defaultQueryState><GeneralMapQuery/></QueryDescriptor></QueryDescriptors></Step></Steps></Flow>";
    match import(only_map, &Options::default()) {
        Err(ImportError::NothingConverted(notes)) => {
            assert!(notes.iter().any(|n| n.en.contains("map question")))
        }
        other => panic!("{other:?}"),
    }
    assert!(ImportError::NoName.message(Lang::Sv).contains("saknar"));
    // ISO-8859-1, as many OEP installations write their exports.
    let latin1: Vec<u8> = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><Flow><name>Bygglov för altan</name></Flow>"
        .chars()
        .map(|c| u8::try_from(u32::from(c)).expect("latin-1"))
        .collect();
    assert!(
        decode(&latin1)
            .expect("decodes")
            .contains("Bygglov för altan")
    );
    assert!(matches!(
        decode(b"\xff\xfe<"),
        Err(ImportError::Encoding(_))
    ));
    assert!(matches!(
        decode(b"<?xml version=\"1.0\" encoding=\"EBCDIC\"?><Flow/>"),
        Err(ImportError::UnsupportedEncoding(_))
    ));
}

/// Writes the files and runs `xmllint --schema`; the error output when it refuses.
fn xmllint(xsd: &str, xml: &[u8]) -> Result<(), String> {
    // Tests run in parallel: each call its own folder.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("blankett-oep-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let (xsd_path, xml_path) = (dir.join("flow.xsd"), dir.join("case.xml"));
    std::fs::write(&xsd_path, xsd).map_err(|e| e.to_string())?;
    std::fs::write(&xml_path, xml).map_err(|e| e.to_string())?;
    let out = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&xsd_path)
        .arg(&xml_path)
        .output()
        .map_err(|e| {
            format!("cannot run xmllint ({e}); `cargo xtask install` installs it (libxml2-utils)")
        })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[test]
fn a_submitted_case_is_flowinstance_xml_that_the_xsd_accepts() {
    let imported = import(PARKERING, &Options::default()).expect("imports");
    let def = definition(&imported.definition);
    let mut answers = Answers::new();
    answers.set("q101", Answer::Text("a1001".into()));
    answers.set("q201_2001", Answer::Text("Åsa Öberg & Co <3".into()));
    answers.set("q201_2002", Answer::Text("191212121212".into()));
    let sub = Submission::build(
        &def,
        &answers,
        Lang::Sv,
        "0f8b3c2e-6a55-4a4c-9c3e-1d2f3a4b5c6d",
        &cx(),
    )
    .expect("valid answers");
    let answers_json = serde_json::to_value(&sub.answers).expect("json");
    let mapping = Mapping::new(&def, imported.definition.get("x-oep")).expect("mapping");
    let xml = mapping
        .flowinstance_xml(&Case {
            flow_instance_id: 42,
            received_at: "2026-11-23T09:14:03Z",
            answers: &answers_json,
            files: &BTreeMap::new(),
        })
        .expect("no files to miss");
    let text: String = xml.iter().map(|b| char::from(*b)).collect();
    for expected in [
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>",
        "<FamilyID>7</FamilyID>",
        "<FlowID>42</FlowID>",
        "<FlowInstanceID>42</FlowInstanceID>",
        "<ID>12</ID>",
        "<Posted>2026-11-23T10:14:03</Posted>",
        "<Sokande>\n      <QueryID>101</QueryID>\n      <Name>Vem gäller ansökan?</Name>\n      <Value>Jag själv</Value>",
        "<Namn>Åsa Öberg &amp; Co &lt;3</Namn>",
        "<Personnummer>19121212-1212</Personnummer>",
    ] {
        assert!(text.contains(expected), "{expected} is not in\n{text}");
    }
    let xsd = mapping.xsd();
    xmllint(&xsd, &xml).unwrap_or_else(|e| panic!("xmllint refuses the case: {e}\n{text}\n{xsd}"));

    // A case that breaks the schema is caught by the same check: the test can fail.
    let tampered = text.replace(
        "<Value>Jag själv</Value>",
        "<Value>Någon helt annan</Value>",
    );
    let bytes: Vec<u8> = tampered
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect();
    assert!(
        xmllint(&xsd, &bytes).is_err(),
        "a value outside the enumeration is refused"
    );

    // With the other answer, the hidden question is left out, as OEP leaves it out.
    let mut other = Answers::new();
    other.set("q101", Answer::Text("a1002".into()));
    let sub = Submission::build(
        &def,
        &other,
        Lang::Sv,
        "0f8b3c2e-6a55-4a4c-9c3e-1d2f3a4b5c6e",
        &cx(),
    )
    .expect("valid");
    let xml = mapping
        .flowinstance_xml(&Case {
            flow_instance_id: 43,
            received_at: "2026-07-01T12:00:00Z",
            answers: &serde_json::to_value(&sub.answers).expect("json"),
            files: &BTreeMap::new(),
        })
        .expect("no files to miss");
    let text: String = xml.iter().map(|b| char::from(*b)).collect();
    assert!(!text.contains("<Personuppgifter>"), "{text}");
    assert!(
        text.contains("<Posted>2026-07-01T14:00:00</Posted>"),
        "summer time: {text}"
    );
    xmllint(&xsd, &xml).unwrap_or_else(|e| panic!("{e}\n{text}"));
}

/// The example Felanmälan, a form written for Blankett, not converted from OEP.
fn felanmalan() -> blankett_core::Definition {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../public/forms/felanmalan.json"
    ))
    .expect("example");
    blankett_core::load(&text).definition.expect("loads")
}

#[test]
fn any_form_can_be_exported_under_its_field_ids() {
    let def = felanmalan();
    let mapping = Mapping::new(&def, Some(&json!({}))).expect("derived");
    let xsd = mapping.xsd();
    assert!(xsd.contains("RadioButtonQuery"), "{xsd}");
    let xml = mapping
        .flowinstance_xml(&Case {
            flow_instance_id: 1,
            received_at: "2026-11-23T09:14:03Z",
            answers: &json!({}),
            files: &BTreeMap::new(),
        })
        .expect("no files to miss");
    xmllint(&xsd, &xml).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn text_fields_without_element_names_are_named_like_oep_names_them() {
    let flow = r#"<Flow><name>Namn</name><Steps><Step><name>S</name><sortIndex>0</sortIndex><QueryDescriptors>
      <QueryDescriptor><queryID>1</queryID><name>Vårdnadshavare</name><sortIndex>0</sortIndex><defaultQueryState>VISIBLE</defaultQueryState>
        <exported>true</exported><xsdElementName>Vardnadshavare</xsdElementName>
        <TextFieldQuery><Fields>
          <TextField><textFieldID>1</textFieldID><label>Namn</label><sortIndex>0</sortIndex></TextField>
          <TextField><textFieldID>2</textFieldID><label>Namn</label><sortIndex>1</sortIndex></TextField>
          <TextField><textFieldID>3</textFieldID><label>Ort &amp; län</label><sortIndex>2</sortIndex></TextField>
          <TextField><textFieldID>4</textFieldID><label>1:a hand</label><sortIndex>3</sortIndex><xsdElementName>Forsta</xsdElementName></TextField>
        </Fields></TextFieldQuery></QueryDescriptor>
    </QueryDescriptors></Step></Steps></Flow>"#;
    let imported = import(flow, &Options::default()).expect("imports");
    let elements: Vec<&str> = imported.definition["x-oep"]["queries"][0]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["element"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(elements, ["Namn", "Namn1", "Ort___lan", "Forsta"]);
}

/// A one-page-ish PDF and a 1×1 PNG header, with their SHA-256 and Base64 as `sha256sum` and
/// `base64 -w0` print them (not computed by the code under test).
const PDF: &[u8] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
const PDF_SHA256: &str = "92d4ef0d3bd81e9fe82b0920b20e8b02e81b98e79377609929b388ee763e7db5";
const PDF_BASE64: &str = "JVBERi0xLjQKJeLjz9MKMSAwIG9iajw8Pj5lbmRvYmoKdHJhaWxlcjw8Pj4KJSVFT0YK";
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const PNG_SHA256: &str = "4ffd8bb30991e3a6f28d1d03f1aedcd02ccf8e0cc16bb9e969e7bc2bda1ddf03";
const PNG_BASE64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ";
/// Another PDF, attached where OEP leaves the content out of the XML (never given as bytes).
const OTHER_PDF_SHA256: &str = "1e7313ace78f0fb481a486939b4885902663102818090805515553d84e0bbfd3";

fn file_ref(name: &str, media_type: &str, size: usize, sha256: &str) -> blankett_core::FileRef {
    blankett_core::FileRef {
        name: name.into(),
        media_type: media_type.into(),
        size: size as u64,
        sha256: sha256.into(),
    }
}

/// Latin-1 bytes as text (the XML is ISO-8859-1).
fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|b| char::from(*b)).collect()
}

#[test]
fn attached_files_are_written_as_oep_writes_them_and_the_xsd_accepts_them() {
    let flow = include_str!("../../../tests/oep/skolskjuts.oeflow");
    let imported = import(flow, &Options::default()).expect("imports");
    let def = definition(&imported.definition);
    let mut answers = Answers::new();
    for (field, value) in [
        ("q6101_8101", "Elin Ek"),
        ("q6101_8102", "191212121212"),
        ("q6102", "a9602"),
        ("q6301_fornamn", "Åsa"),
        ("q6301_efternamn", "Ek"),
        ("q6301_adress", "Skolvägen 1"),
        ("q6301_postnummer", "12345"),
        ("q6301_postort", "Exempelby"),
        ("q6301_epost", "asa@example.se"),
    ] {
        answers.set(field, Answer::Text(value.into()));
    }
    answers.set(
        "q6201",
        Answer::Files(vec![
            file_ref(
                "läkarintyg & skolskjuts.pdf",
                "application/pdf",
                PDF.len(),
                PDF_SHA256,
            ),
            file_ref("intyg sida 2.png", "image/png", PNG.len(), PNG_SHA256),
        ]),
    );
    answers.set(
        "q6202",
        Answer::Files(vec![file_ref(
            "beslut.pdf",
            "application/pdf",
            15,
            OTHER_PDF_SHA256,
        )]),
    );
    // The same file in another question: its bytes are given once.
    answers.set(
        "q6204",
        Answer::Files(vec![file_ref(
            "karta.pdf",
            "application/pdf",
            PDF.len(),
            PDF_SHA256,
        )]),
    );
    let sub = Submission::build(
        &def,
        &answers,
        Lang::Sv,
        "3c8e2f1a-9b7d-4e6f-8a5b-2c1d0e9f8a7b",
        &cx(),
    )
    .expect("valid answers");
    let answers_json = serde_json::to_value(&sub.answers).expect("json");
    let mapping = Mapping::new(&def, imported.definition.get("x-oep")).expect("mapping");

    // Only the files whose content the XML carries, each once.
    assert_eq!(mapping.file_hashes(&answers_json), [PDF_SHA256, PNG_SHA256]);
    let files: BTreeMap<String, Vec<u8>> = [
        (PDF_SHA256.to_owned(), PDF.to_vec()),
        (PNG_SHA256.to_owned(), PNG.to_vec()),
    ]
    .into();
    let xml = mapping
        .flowinstance_xml(&Case {
            flow_instance_id: 7,
            received_at: "2026-11-23T09:14:03Z",
            answers: &answers_json,
            files: &files,
        })
        .expect("every file given");
    let text = latin1(&xml);
    let intyg = format!(
        "<Lakarintyg>
      <QueryID>6201</QueryID>
      <Name>Läkarintyg</Name>
      <File>
        <ID>{PDF_SHA256}</ID>
        <Name>läkarintyg &amp; skolskjuts.pdf</Name>
        <Size>{}</Size>
        <EncodedData>{PDF_BASE64}</EncodedData>
      </File>
      <File>
        <ID>{PNG_SHA256}</ID>
        <Name>intyg sida 2.png</Name>
        <Size>{}</Size>
        <EncodedData>{PNG_BASE64}</EncodedData>
      </File>
    </Lakarintyg>",
        PDF.len(),
        PNG.len()
    );
    let ovriga = format!(
        "<OvrigaHandlingar>
      <QueryID>6202</QueryID>
      <Name>Övriga handlingar</Name>
      <File>
        <ID>{OTHER_PDF_SHA256}</ID>
        <Name>beslut.pdf</Name>
        <Size>15</Size>
      </File>
    </OvrigaHandlingar>"
    );
    for expected in [
        intyg.as_str(),
        ovriga.as_str(),
        "<Karta>",
        "<Value>MEDICINSKT</Value>",
    ] {
        assert!(text.contains(expected), "{expected}\nis not in\n{text}");
    }
    let xsd = mapping.xsd();
    for expected in [
        r#"<xs:element name="Lakarintyg" type="FileUploadQuery6201" minOccurs="0" maxOccurs="1"/>"#,
        r#"<xs:element name="File" type="FileType6201" minOccurs="0" maxOccurs="2"/>"#,
        r#"<xs:element name="File" type="FileType6202" minOccurs="0" maxOccurs="unbounded"/>"#,
        r#"<xs:element name="EncodedData" type="xs:string" minOccurs="1" maxOccurs="1"/>"#,
    ] {
        assert!(xsd.contains(expected), "{expected}\nis not in\n{xsd}");
    }
    xmllint(&xsd, &xml).unwrap_or_else(|e| panic!("xmllint refuses the case: {e}\n{text}\n{xsd}"));

    // The schema can refuse: a second map where OEP takes one, a file without its content,
    // content where OEP's setting leaves it out.
    let karta_file = format!(
        "<File>\n        <ID>{PDF_SHA256}</ID>\n        <Name>karta.pdf</Name>\n        <Size>{}</Size>\n        <EncodedData>{PDF_BASE64}</EncodedData>\n      </File>",
        PDF.len()
    );
    assert!(text.contains(&karta_file), "{text}");
    let encoded = format!("\n        <EncodedData>{PNG_BASE64}</EncodedData>");
    for (what, tampered) in [
        (
            "two files in Karta",
            text.replace(&karta_file, &format!("{karta_file}\n      {karta_file}")),
        ),
        ("a file without EncodedData", text.replace(&encoded, "")),
        (
            "EncodedData in OvrigaHandlingar",
            text.replace(
                "<Size>15</Size>",
                "<Size>15</Size>\n        <EncodedData>JVBERi0=</EncodedData>",
            ),
        ),
    ] {
        assert_ne!(tampered, text, "{what}: the replacement applies");
        let bytes: Vec<u8> = tampered
            .chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
            .collect();
        assert!(xmllint(&xsd, &bytes).is_err(), "{what} is refused");
    }

    // A file the caller could not give is an error, never a case without it.
    let without_png: BTreeMap<String, Vec<u8>> = [(PDF_SHA256.to_owned(), PDF.to_vec())].into();
    let missing = mapping.flowinstance_xml(&Case {
        flow_instance_id: 7,
        received_at: "2026-11-23T09:14:03Z",
        answers: &answers_json,
        files: &without_png,
    });
    assert_eq!(
        missing,
        Err(ExportError::MissingFile {
            field: "q6201".into(),
            sha256: PNG_SHA256.into(),
        })
    );
}

#[test]
fn a_file_field_of_any_form_is_exported_as_a_file_upload_query() {
    let def = felanmalan();
    let mapping = Mapping::new(&def, Some(&json!({}))).expect("derived");
    let answers = json!({
        "foton": [{ "name": "lykta.png", "type": "image/png", "size": PNG.len(), "sha256": PNG_SHA256 }]
    });
    assert_eq!(mapping.file_hashes(&answers), [PNG_SHA256]);
    let files: BTreeMap<String, Vec<u8>> = [(PNG_SHA256.to_owned(), PNG.to_vec())].into();
    let xml = mapping
        .flowinstance_xml(&Case {
            flow_instance_id: 3,
            received_at: "2026-11-23T09:14:03Z",
            answers: &answers,
            files: &files,
        })
        .expect("the file is given");
    let text = latin1(&xml);
    assert!(
        text.contains("<foton>\n      <QueryID>")
            && text.contains(&format!("<EncodedData>{PNG_BASE64}</EncodedData>")),
        "{text}"
    );
    let xsd = mapping.xsd();
    assert!(xsd.contains("FileUploadQuery"), "{xsd}");
    xmllint(&xsd, &xml).unwrap_or_else(|e| panic!("{e}\n{text}\n{xsd}"));
}

#[test]
fn an_upload_of_only_unknown_types_is_not_converted_and_named() {
    let flow = r#"<Flow><name>Ritning</name><Steps><Step><name>S</name><sortIndex>0</sortIndex><QueryDescriptors>
      <QueryDescriptor><queryID>1</queryID><name>Namn</name><sortIndex>0</sortIndex><defaultQueryState>VISIBLE</defaultQueryState>
        <TextAreaQuery/></QueryDescriptor>
      <QueryDescriptor><queryID>2</queryID><name>CAD-ritning</name><sortIndex>1</sortIndex><defaultQueryState>VISIBLE_REQUIRED</defaultQueryState>
        <FileUploadQuery><maxFileCount>1</maxFileCount><allowedFileExtensions><value>dwg</value><value>DXF</value><value>dwg</value></allowedFileExtensions></FileUploadQuery></QueryDescriptor>
    </QueryDescriptors></Step></Steps></Flow>"#;
    let imported = import(flow, &Options::default()).expect("imports");
    let notes: Vec<(NoteKind, &str, &str)> = imported
        .report
        .iter()
        .filter(|n| n.at.ends_with("[2]"))
        .map(|n| (n.kind, n.sv.as_str(), n.en.as_str()))
        .collect();
    assert_eq!(notes.len(), 1, "{notes:#?}");
    let (kind, sv, en) = notes[0];
    assert_eq!(kind, NoteKind::NotConverted);
    assert!(
        sv.contains("(.dwg, .dxf)") && sv.contains("följer inte med"),
        "{sv}"
    );
    assert!(
        en.contains("(.dwg, .dxf)") && en.contains("left out"),
        "{en}"
    );
    let ids: Vec<&str> = imported.definition["steps"][0]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["id"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(ids, ["q1"]);
}

#[test]
fn the_schema_takes_as_many_files_as_the_form_does() {
    let flow = include_str!("../../../tests/oep/skolskjuts.oeflow");
    let imported = import(flow, &Options::default()).expect("imports");
    // An author raises the certificate's count above OEP's 2.
    let mut raised = imported.definition.clone();
    raised["steps"][1]["fields"][1]["max_files"] = json!(3);
    assert_eq!(raised["steps"][1]["fields"][1]["id"], "q6201");
    let def = definition(&raised);
    let xsd = Mapping::new(&def, raised.get("x-oep"))
        .expect("mapping")
        .xsd();
    assert!(
        xsd.contains(
            r#"<xs:element name="File" type="FileType6201" minOccurs="0" maxOccurs="3"/>"#
        ),
        "{xsd}"
    );
}
