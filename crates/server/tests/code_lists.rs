//! Code lists (`options_from`): the receiver reads them from its forms folder, so it checks
//! answers against the same options the app showed.

#![allow(clippy::unwrap_used)] // tests fail loudly

mod common;

use blankett_core::{Answer, Answers, Context, Date, Lang, Submission, SubmissionError};
use blankett_server::forms::Forms;

fn with_list(url: &str) -> String {
    common::FORM.replace(
        r#""options": [
        { "value": "a", "label": "A" }, { "value": "b", "label": "B" }
      ]"#,
        &format!(r#""options_from": {{ "url": "{url}" }}"#),
    )
}

#[test]
fn lists_under_forms_are_read_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("lists")).unwrap();
    std::fs::write(
        dir.path().join("lists/typer.json"),
        r#"[{ "value": "lamp", "label": "Lampa" }, { "value": "road", "label": { "sv": "Väg", "en": "Road" } }]"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("test.json"),
        with_list("/forms/lists/typer.json"),
    )
    .unwrap();
    let missing =
        with_list("/forms/lists/saknas.json").replace(r#""id": "test""#, r#""id": "missing""#);
    std::fs::write(dir.path().join("missing.json"), missing).unwrap();
    let remote =
        with_list("https://example.se/typer.json").replace(r#""id": "test""#, r#""id": "remote""#);
    std::fs::write(dir.path().join("remote.json"), remote).unwrap();
    let escape = with_list("/forms/../secret.json").replace(r#""id": "test""#, r#""id": "escape""#);
    std::fs::write(dir.path().join("escape.json"), escape).unwrap();

    let (forms, skipped) = Forms::load_dir(dir.path());
    assert_eq!(
        forms.len(),
        1,
        "only the form whose list could be read loads"
    );
    let reasons: Vec<String> = skipped.iter().flat_map(|s| s.lines.clone()).collect();
    assert!(
        reasons
            .iter()
            .any(|l| l.contains("saknas.json") && l.contains("cannot read")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(
            |l| l.contains("https://example.se/typer.json") && l.contains("only under /forms/")
        ),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|l| l.contains("/forms/../secret.json")),
        "{reasons:?}"
    );

    let def = forms.get("test").unwrap();
    let cx = Context {
        today: Date::new(2026, 11, 23).unwrap(),
    };
    let submit = |kind: &str| {
        let mut answers = Answers::new();
        answers.set("name", Answer::Text("Anna".into()));
        answers.set("pnr", Answer::Text("19121212-1212".into()));
        answers.set("kind", Answer::Text(kind.into()));
        answers
    };
    let good = Submission::build(
        def,
        &submit("road"),
        Lang::Sv,
        "6f1c2b9e-4d3a-4c5b-8e7f-0a1b2c3d4e5f",
        &cx,
    )
    .unwrap();
    assert!(good.check(def, &cx).is_ok());
    let mut bad = good.clone();
    bad.answers.insert("kind".into(), serde_json::json!("park"));
    match bad.check(def, &cx) {
        Err(SubmissionError::Invalid(issues)) => {
            assert_eq!(
                issues
                    .iter()
                    .map(|i| (i.field.as_str(), i.code.code()))
                    .collect::<Vec<_>>(),
                [("kind", "unknown_option")]
            );
        }
        other => panic!("expected invalid answers, got {other:?}"),
    }
}

/// The Open ePlatform block is read when the form loads: a broken one skips the form with a
/// clear line instead of failing the first export request.
#[test]
fn an_x_oep_block_is_read_at_load() {
    let dir = tempfile::tempdir().unwrap();
    let with = |id: &str, block: &str| {
        common::FORM
            .replace(r#""id": "test""#, &format!(r#""id": "{id}""#))
            .replacen('{', &format!(r#"{{ "x-oep": {block},"#), 1)
    };
    std::fs::write(dir.path().join("on.json"), with("on", "{}")).unwrap();
    std::fs::write(
        dir.path().join("broken.json"),
        with("broken", r#"{ "queries": [{ "type": "TextFieldQuery" }] }"#),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("off.json"),
        with("off", "null").replace(r#""x-oep": null,"#, ""),
    )
    .unwrap();
    let (forms, skipped) = Forms::load_dir(dir.path());
    assert!(forms.oep("on").is_some());
    assert!(forms.get("off").is_some() && forms.oep("off").is_none());
    assert!(forms.get("broken").is_none());
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(
        skipped[0].lines,
        [
            "x-oep: the definition's x-oep block is malformed: queries[0]: query_id must be a positive number"
        ]
    );
}
