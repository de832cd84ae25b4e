//! A `file` field through the engine: loading its rules, checking files, the submission the
//! browser builds and the receiver checks, and a draft that keeps the references.

use serde_json::json;

use crate::answers::{Answer, Answers};
use crate::definition::{Capture, Downscale, FieldKind};
use crate::files::{FileRef, FileType};
use crate::test_support::{cx, definition_json, test_definition, text};
use crate::{IssueCode, Submission, SubmissionError};

const ID: &str = "6f1c2b9e-4d3a-4c5b-8e7f-0a1b2c3d4e5f";

fn file(name: &str, mime: &str, size: u64, byte: u8) -> FileRef {
    FileRef {
        name: name.to_owned(),
        media_type: mime.to_owned(),
        size,
        sha256: format!("{byte:02x}").repeat(32),
    }
}

fn pdf(name: &str, size: u64, byte: u8) -> FileRef {
    file(name, "application/pdf", size, byte)
}

fn def() -> crate::Definition {
    test_definition(
        "bygglov",
        "1",
        json!("Bygganmälan"),
        json!([{ "id": "s", "title": "Bilagor", "fields": [
            { "id": "plan", "type": "file", "label": "Situationsplan", "required": true,
              "accept": ["application/pdf", ".jpg", ".PNG"],
              "max_file_size": 1000, "max_files": 2, "max_total_size": 1500,
              "capture": "environment", "downscale": { "max_side": 2000 } },
            { "id": "ovrigt", "type": "file", "label": "Övrigt", "accept": [".pdf"] },
            { "id": "intyg", "type": "repeat", "label": "Intyg", "fields": [
                { "id": "namn", "type": "text", "label": "Namn" },
                { "id": "fil", "type": "file", "label": "Fil", "accept": ["application/pdf"] }
            ]}
        ]}]),
    )
}

fn load_errors(field: serde_json::Value) -> Vec<String> {
    let doc = definition_json(
        "x",
        "1",
        json!("X"),
        json!([{ "id": "s", "title": "S", "fields": [field] }]),
    );
    match crate::load(&doc.to_string()).into_result() {
        Ok(_) => Vec::new(),
        Err(diagnostics) => diagnostics
            .iter()
            .map(|d| d.line(crate::Lang::En))
            .collect(),
    }
}

#[test]
fn a_file_field_loads_with_its_limits_and_defaults() {
    let def = def();
    let Some(FieldKind::File(rules)) = def.field("plan").map(|f| &f.kind) else {
        panic!("plan is a file field");
    };
    assert_eq!(
        rules.types(),
        vec![FileType::Pdf, FileType::Jpeg, FileType::Png]
    );
    assert_eq!(
        (rules.max_file_size, rules.max_files, rules.max_total_size),
        (1000, 2, 1500)
    );
    assert_eq!(rules.capture, Some(Capture::Environment));
    assert_eq!(
        rules.downscale,
        Some(Downscale {
            max_side: 2000,
            jpeg_quality: 85
        })
    );
    assert!(rules.accept_attribute().contains("application/pdf,.pdf"));
    let Some(FieldKind::File(other)) = def.field("ovrigt").map(|f| &f.kind) else {
        panic!("ovrigt is a file field");
    };
    assert_eq!(other.max_file_size, 10 * 1024 * 1024);
    assert_eq!(other.max_files, 1);
    assert_eq!(other.max_total_size, other.max_file_size);
    // The model writes the format back: accepted types as MIME types.
    let written = serde_json::to_value(def.field("plan").expect("test data")).expect("test data");
    assert_eq!(written["type"], "file");
    assert_eq!(
        written["accept"],
        json!(["application/pdf", "image/jpeg", "image/png"])
    );
}

#[test]
fn the_checker_refuses_impossible_limits_with_their_paths() {
    let base = |extra: serde_json::Value| {
        let mut f = json!({ "id": "f", "type": "file", "label": "F", "accept": [".pdf"] });
        for (k, v) in extra.as_object().expect("test data") {
            f[k] = v.clone();
        }
        load_errors(f)
    };
    let one = |extra| {
        let errors = base(extra);
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors[0].clone()
    };
    assert!(one(json!({"accept": [".exe"]})).contains("\".exe\" is not a file type"));
    assert!(one(json!({"accept": ["image/*"]})).contains("accept[0]"));
    assert!(one(json!({"accept": []})).contains("at least one file type"));
    assert!(one(json!({"max_file_size": 0})).contains("max_file_size: must be at least 1"));
    assert!(one(json!({"max_file_size": 104_857_601})).contains("at most 104857600 bytes"));
    assert!(one(json!({"max_files": 0})).contains("max_files: must be at least 1"));
    assert!(one(json!({"max_files": 21})).contains("max_files: must be at most 20"));
    assert!(
        one(json!({"max_file_size": 2000, "max_total_size": 1000}))
            .contains("\"max_file_size\" (2000) is greater than \"max_total_size\" (1000)")
    );
    assert!(one(json!({"capture": "environment"})).contains("\"capture\" needs an image type"));
    assert!(one(json!({"capture": "back"})).contains("\"back\" is not a camera"));
    assert!(
        one(json!({"accept": [".png"], "downscale": {"max_side": 1000}}))
            .contains("\"downscale\" needs image/jpeg")
    );
    assert!(
        one(json!({"accept": [".jpg"], "downscale": {"max_side": 100}}))
            .contains("downscale.max_side: must be at least 320")
    );
    assert!(
        one(json!({"accept": [".jpg"], "downscale": {"max_side": 1000, "jpeg_quality": 101}}))
            .contains("downscale.jpeg_quality: must be at most 100")
    );
    assert!(
        one(json!({"autocomplete": "name"})).contains("does not apply to a field of type \"file\"")
    );
    assert!(one(json!({"max_size": 5})).contains("unknown property \"max_size\""));
    // Missing accept.
    let errors = load_errors(json!({ "id": "f", "type": "file", "label": "F" }));
    assert!(
        errors.iter().any(|e| e.contains("\"accept\"")),
        "{errors:?}"
    );
}

fn issue_for(files: Vec<FileRef>) -> Option<IssueCode> {
    let def = def();
    let mut a = Answers::new();
    a.set("plan", Answer::Files(files));
    crate::validate::validate_field(&def, "plan", &a, &cx())
}

#[test]
fn files_are_checked_one_by_one_then_together() {
    assert_eq!(issue_for(vec![pdf("a.pdf", 1000, 1)]), None);
    assert_eq!(
        issue_for(vec![pdf("a.pdf", 10, 1), file("b.gif", "image/gif", 10, 2)]),
        Some(IssueCode::FileType {
            name: "b.gif".into(),
            accepted: vec![FileType::Pdf, FileType::Jpeg, FileType::Png],
        })
    );
    assert_eq!(
        issue_for(vec![file("x.pdf", "application/x-msdownload", 10, 2)]).map(|c| c.code()),
        Some("file_type")
    );
    assert_eq!(
        issue_for(vec![pdf("stor.pdf", 1001, 1)]),
        Some(IssueCode::FileTooLarge {
            name: "stor.pdf".into(),
            size: 1001,
            max: 1000
        })
    );
    assert_eq!(
        issue_for(vec![pdf("tom.pdf", 0, 1)]),
        Some(IssueCode::FileEmpty {
            name: "tom.pdf".into()
        })
    );
    assert_eq!(
        issue_for(vec![pdf("a.pdf", 10, 1), pdf("kopia.pdf", 10, 1)]),
        Some(IssueCode::FileTwice {
            name: "kopia.pdf".into()
        })
    );
    assert_eq!(
        issue_for(vec![
            pdf("a.pdf", 10, 1),
            pdf("b.pdf", 10, 2),
            pdf("c.pdf", 10, 3)
        ]),
        Some(IssueCode::TooManyFiles(2))
    );
    assert_eq!(
        issue_for(vec![pdf("a.pdf", 900, 1), pdf("b.pdf", 900, 2)]),
        Some(IssueCode::FilesTooLarge {
            total: 1800,
            max: 1500
        })
    );
    assert_eq!(issue_for(vec![]), Some(IssueCode::RequiredFile));
    let mut bad = pdf("a.pdf", 10, 1);
    bad.sha256 = "ABC".into();
    assert_eq!(issue_for(vec![bad]), Some(IssueCode::WrongShape));
    assert_eq!(
        issue_for(vec![pdf("mapp/a.pdf", 10, 1)]),
        Some(IssueCode::NotNormalized)
    );
}

#[test]
fn file_messages_name_the_file_and_the_limits_in_each_language() {
    let large = IssueCode::FileTooLarge {
        name: "plan.pdf".into(),
        size: 12_400_000,
        max: 10 * 1024 * 1024,
    };
    assert_eq!(
        large.message(crate::Lang::Sv),
        "plan.pdf är 12,4 MB. En fil får vara högst 10,5 MB."
    );
    assert_eq!(
        large.message(crate::Lang::En),
        "plan.pdf is 12.4 MB. A file may be at most 10.5 MB."
    );
    let wrong = IssueCode::FileType {
        name: "virus.exe".into(),
        accepted: vec![FileType::Pdf, FileType::Jpeg],
    };
    assert_eq!(
        wrong.message(crate::Lang::Sv),
        "virus.exe är av en filtyp som inte tas emot här. Välj en fil av typen PDF, JPEG."
    );
    let fi = wrong.message(crate::LangTag::parse("fi").expect("test data"));
    assert!(fi.contains("virus.exe") && fi.contains("PDF, JPEG"), "{fi}");
    assert_eq!(
        IssueCode::TooManyFiles(2).message(crate::Lang::Sv),
        "Ta bort filer så att det är högst 2 kvar."
    );
}

#[test]
fn the_session_attaches_tells_at_once_and_removes() {
    let def = std::sync::Arc::new(def());
    let mut s = crate::FormSession::new(def, cx());
    s.start();
    s.attach_files("plan", vec![pdf("a.pdf", 10, 1)], &cx());
    assert_eq!(s.error("plan"), None);
    s.attach_files("plan", vec![file("b.gif", "image/gif", 10, 2)], &cx());
    assert_eq!(s.error("plan").map(IssueCode::code), Some("file_type"));
    assert_eq!(s.answers().files("plan").len(), 2);
    let focus = s.remove_file("plan", 1, &cx());
    assert!(matches!(focus, crate::Focus::Control(c) if c.key == "plan"));
    assert_eq!(s.error("plan"), None, "the message goes with the file");
    assert_eq!(s.answers().files("plan"), &[pdf("a.pdf", 10, 1)]);
    // Removing the last file empties the answer.
    s.remove_file("plan", 0, &cx());
    assert!(s.answers().get("plan").is_none());
}

#[test]
fn the_submission_carries_references_the_receiver_checks_again() {
    let def = def();
    let mut a = Answers::new();
    a.set(
        "plan",
        Answer::Files(vec![
            pdf("plan.pdf", 900, 1),
            file("foto.jpg", "image/jpeg", 500, 2),
        ]),
    );
    a.add_row("intyg");
    a.set("intyg[0].namn", text("Läkarintyg"));
    a.set(
        "intyg[0].fil",
        Answer::Files(vec![pdf("intyg.pdf", 100, 3)]),
    );
    let sub = Submission::build(&def, &a, crate::Lang::Sv, ID, &cx()).expect("valid");
    let json = sub.to_canonical_json();
    assert!(
        json.contains(&format!(
            r#""plan":[{{"name":"plan.pdf","sha256":"{}","size":900,"type":"application/pdf"}},"#,
            "01".repeat(32)
        )),
        "{json}"
    );
    let back = Submission::from_json(json.as_bytes()).expect("test data");
    let answers = back
        .check(&def, &cx())
        .expect("the receiver accepts what the browser built");
    assert_eq!(answers.files("plan").len(), 2);
    let files = back.files(&def);
    let keys: Vec<(&str, &str)> = files
        .iter()
        .map(|(k, f)| (k.as_str(), f.name.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("intyg[0].fil", "intyg.pdf"),
            ("plan", "plan.pdf"),
            ("plan", "foto.jpg")
        ]
    );

    // Tampered on the way: each refused for its field.
    let tamper = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut v: serde_json::Value = serde_json::from_str(&json).expect("test data");
        edit(&mut v);
        let sub = Submission::from_json(v.to_string().as_bytes()).expect("test data");
        match sub.check(&def, &cx()) {
            Err(SubmissionError::Invalid(issues)) => issues
                .into_iter()
                .map(|i| (i.field, i.code.code()))
                .collect::<Vec<_>>(),
            other => panic!("expected refused answers, got {other:?}"),
        }
    };
    assert_eq!(
        tamper(&|v| v["answers"]["plan"][0]["type"] = json!("application/x-msdownload")),
        [("plan".to_owned(), "file_type")]
    );
    assert_eq!(
        tamper(&|v| v["answers"]["plan"][0]["size"] = json!(5000)),
        [("plan".to_owned(), "file_too_large")]
    );
    assert_eq!(
        tamper(&|v| v["answers"]["plan"][0]["extra"] = json!(1)),
        [("plan".to_owned(), "wrong_shape")]
    );
    assert_eq!(
        tamper(&|v| v["answers"]["plan"] = json!("plan.pdf")),
        [("plan".to_owned(), "wrong_shape")]
    );
    assert_eq!(
        tamper(&|v| v["answers"]["plan"][1]["name"] = json!("../../etc/passwd")),
        [("plan".to_owned(), "not_normalized")]
    );
}

#[test]
fn a_draft_keeps_file_references_and_reads_them_back() {
    let mut a = Answers::new();
    a.set("plan", Answer::Files(vec![pdf("plan.pdf", 900, 1)]));
    a.set("namn", text("Ada"));
    let json = serde_json::to_string(&a).expect("test data");
    assert!(
        json.contains(r#""plan":{"files":[{"name":"plan.pdf""#),
        "{json}"
    );
    let back: Answers = serde_json::from_str(&json).expect("test data");
    assert_eq!(back, a);
}
