//! The `blankett-server` binary: `check`, `--help`, usage errors and a real `serve`.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_blankett-server");

fn run(args: &[&str], cwd: &Path) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap();
    (
        status.code().unwrap(),
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
    )
}

/// `check`'s output without its plain-language summary lines (tested on their own).
fn without_summary(out: &str) -> String {
    out.lines()
        .filter(|l| !l.contains(": plain language: ") && !l.contains(": klarspråk: "))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Given the serving receiver's `--connect-origin` list, `check` warns about a definition's
/// addresses on origins that receiver's policy would block (and only then).
#[test]
fn check_warns_about_addresses_the_policy_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = common::FORM.replace(
        r#""submit": { "url": "/api/submissions" }"#,
        r#""submit": { "url": "https://arende.exempelby.se/api/submissions" }"#,
    );
    std::fs::write(dir.path().join("elsewhere.json"), elsewhere).unwrap();
    let (code, out, _) = run(&["check", "elsewhere.json"], dir.path());
    assert_eq!(
        (code, without_summary(&out).as_str()),
        (0, "elsewhere.json: ok\n"),
        "nothing said without the list"
    );
    let (code, out, _) = run(
        &[
            "check",
            "elsewhere.json",
            "--connect-origin",
            "https://forms.exempelby.se",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "a warning, not an error");
    assert!(
        out.contains("elsewhere.json: submit.url: (warning) https://arende.exempelby.se/api/submissions is on https://arende.exempelby.se")
            && out.contains("--connect-origin https://arende.exempelby.se"),
        "{out}"
    );
    let (_, out, _) = run(
        &[
            "check",
            "elsewhere.json",
            "--connect-origin",
            "https://arende.exempelby.se",
            "--lang",
            "sv",
        ],
        dir.path(),
    );
    assert_eq!(
        without_summary(&out),
        "elsewhere.json: ok\n",
        "an allowed origin is not warned about"
    );
    let (_, out, _) = run(
        &[
            "check",
            "elsewhere.json",
            "--connect-origin",
            "https://x.se",
            "--lang",
            "sv",
        ],
        dir.path(),
    );
    assert!(
        out.contains("(varning)") && out.contains("tillåter"),
        "{out}"
    );
}

/// A deliberately bureaucratic definition: every kind of plain-language suggestion, each a
/// warning at its JSON path, the form's LIX as counted by hand, and the file still passes.
#[test]
fn check_suggests_plainer_swedish() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let (code, out, err) = run(&["check", "byrakratisk.json"], &dir);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    let d = "byrakratisk.json: steps[0].description.sv: (warning) ";
    let expected = [
        // 19 words in one sentence, 7 of them long: 19 + 700/19 = 55.8.
        format!("{d}the text has LIX 56 (hard): write shorter sentences and commoner, shorter words"),
        format!("{d}\"Vederbörande\" is officialese: write du, den det gäller (you, the person concerned) instead"),
        format!("{d}\"inkomma\" is officialese: write komma in, skicka (send) instead"),
        format!("{d}\"samt\" is officialese: write och (and) instead"),
        format!("{d}\"tillhandahålla\" is officialese: write ge, ha, erbjuda (give, have, offer) instead"),
        format!("{d}\"erfordras\" looks like a passive form: use the active voice and say who acts (\"vi skickar\", we send, rather than \"skickas\", is sent)"),
        format!("{d}\"därest\" is officialese: write om (if) instead"),
        "byrakratisk.json: steps[0].fields[0].hint: (warning) the sentence \"Du som bor i kommunen och …\" has 26 words (over 25): split it".to_owned(),
        "byrakratisk.json: steps[0].fields[1].text: (warning) \"skickas\" looks like a passive form: use the active voice and say who acts (\"vi skickar\", we send, rather than \"skickas\", is sent)".to_owned(),
        // 67 words, 21 long, 12 sentences in 12 texts: 67/12 + 2100/67 = 36.9.
        "byrakratisk.json: plain language: the form's LIX is 37 (easy), 67 words in 12 Swedish texts, 9 suggestions".to_owned(),
        "byrakratisk.json: ok".to_owned(),
    ];
    assert_eq!(lines, expected, "{out}");
    // The English version of the description is not checked; Swedish messages with --lang sv.
    assert!(!out.contains("end of March"));
    let (code, out, _) = run(&["check", "--lang", "sv", "byrakratisk.json"], &dir);
    assert_eq!(code, 0);
    assert!(
        out.contains(
            "steps[0].description.sv: (varning) \"samt\" är kanslisvenska: skriv hellre och"
        ),
        "{out}"
    );
    assert!(out.contains("byrakratisk.json: klarspråk: formulärets LIX är 37 (lättläst), 67 ord i 12 svenska texter, 9 förslag"), "{out}");
}

/// A definition offering languages: the checker says what the runtime's own interface lacks
/// in each (a whole language file, or the messages built with parts, said in Swedish).
#[test]
fn check_reports_interface_texts_a_language_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let offered = common::FORM.replace(
        r#""version": "3","#,
        r#""version": "3", "languages": ["sv", "en", "fi", "se"],"#,
    );
    std::fs::write(dir.path().join("languages.json"), offered).unwrap();
    let (code, out, _) = run(&["check", "languages.json"], dir.path());
    assert_eq!(code, 0, "warnings only: {out}");
    let lines: Vec<&str> = out.lines().filter(|l| l.contains("languages[")).collect();
    assert_eq!(
        lines,
        [
            "languages.json: languages[3]: (warning) the runtime's own texts (buttons, headings, messages) have no \"se\" version and are shown in Swedish",
        ],
        "{out}"
    );
    // Swedish and English are complete: nothing said about them, nor about a form without
    // `languages` (Swedish and English).
    let (_, out, _) = run(&["check", "--lang", "sv", "languages.json"], dir.path());
    assert!(
        out.contains("languages[3]: (varning) körtidens egna texter"),
        "{out}"
    );
    std::fs::write(dir.path().join("plain.json"), common::FORM).unwrap();
    let (_, out, _) = run(&["check", "plain.json"], dir.path());
    assert!(!out.contains("languages["), "{out}");
}

#[test]
fn check_prints_diagnostics_with_file_names() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.json"), common::FORM).unwrap();
    std::fs::write(dir.path().join("bad.json"), common::broken_form()).unwrap();
    // A per-language title without Swedish is a warning, not an error.
    let warned = common::FORM.replace(
        r#""title": { "sv": "Testformulär", "en": "Test form" }"#,
        r#""title": { "en": "Test form" }"#,
    );
    std::fs::write(dir.path().join("warn.json"), warned).unwrap();

    let (code, out, err) = run(&["check", "good.json"], dir.path());
    // Its Swedish texts: 21 words (9 over six letters) in 15 texts of one sentence each:
    // 21/15 + 100·9/21 = 44.3.
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            0,
            "good.json: plain language: the form's LIX is 44 (medium), 21 words in 15 \
             Swedish texts, 0 suggestions\ngood.json: ok\n",
            ""
        )
    );

    let (code, out, _) = run(&["check", "warn.json"], dir.path());
    assert_eq!(code, 0);
    assert_eq!(
        without_summary(&out),
        "warn.json: title: (warning) text has no Swedish version (\"sv\"); Swedish is shown when a language is missing [missing_swedish]\nwarn.json: ok\n"
    );

    let (code, out, _) = run(&["check", "good.json", "bad.json"], dir.path());
    assert_eq!(code, 1);
    let out = without_summary(&out);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "good.json: ok");
    assert!(
        lines[1].starts_with("bad.json: steps[0].fields[0].type: unknown field type \"txt\"")
            && lines[1].ends_with(" [unknown_field_type]"),
        "{out}"
    );
    assert!(!out.contains("bad.json: ok"));

    // Swedish messages.
    let (code, out, _) = run(&["check", "--lang", "sv", "bad.json"], dir.path());
    assert_eq!(code, 1);
    assert!(
        out.starts_with("bad.json: steps[0].fields[0].type: "),
        "{out}"
    );
    assert!(!out.contains("unknown field type"), "{out}");

    // Invalid JSON reports line and column.
    std::fs::write(dir.path().join("syntax.json"), "{\n  \"id\": \n}").unwrap();
    let (code, out, _) = run(&["check", "syntax.json"], dir.path());
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "syntax.json: not valid JSON: expected value (line 3, column 1) [syntax]\n"
    );

    // A missing file is a usage error (2), and the other files are still checked.
    let (code, out, err) = run(
        &["check", "missing.json", "good.json", "bad.json"],
        dir.path(),
    );
    assert_eq!(code, 2);
    assert!(
        err.starts_with("missing.json: cannot read the file: "),
        "{err}"
    );
    assert!(err.contains("No such file"), "{err}");
    assert!(out.contains("good.json: ok"));
}

#[test]
fn help_and_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = run(&["--help"], dir.path());
    assert_eq!(code, 0);
    assert!(out.contains("blankett-server serve") && out.contains("blankett-server check"));

    for args in [
        &[][..],
        &["frobnicate"][..],
        &["check"][..],
        &["check", "a.json", "--lang", "de"][..],
        &["serve", "--nope"][..],
        &["serve", "--max-body", "-1"][..],
    ] {
        let (code, out, err) = run(args, dir.path());
        assert_eq!(code, 2, "{args:?}");
        assert_eq!(out, "", "{args:?}");
        assert!(err.starts_with("blankett-server: "), "{args:?}: {err}");
        assert!(err.contains("Usage:"), "{args:?}: {err}");
    }
}

/// Runs the real binary, reads its one stdout line, talks to it, and stops it with SIGTERM.
#[cfg(unix)]
#[tokio::test]
async fn serve_prints_its_address_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let forms = dir.path().join("forms");
    std::fs::create_dir_all(&forms).unwrap();
    std::fs::write(forms.join("test.json"), common::FORM).unwrap();
    std::fs::write(forms.join("broken.json"), common::broken_form()).unwrap();
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--forms", "forms"])
        .env("BLANKETT_DB", "state/db/blankett.sqlite3")
        .env_remove("BLANKETT_ADDR")
        .env_remove("BLANKETT_ADMIN_TOKEN")
        .env("RUST_LOG", "info")
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let url = line
        .strip_prefix("Blankett is running at ")
        .and_then(|rest| rest.strip_suffix("/\n"))
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let client = reqwest::Client::new();
    let health = client.get(format!("{url}/healthz")).send().await.unwrap();
    assert_eq!(health.status().as_u16(), 200);
    let forms: serde_json::Value = client
        .get(format!("{url}/api/forms"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(forms.as_array().unwrap().len(), 1);
    assert!(dir.path().join("state/db/blankett.sqlite3").is_file());

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert_eq!(rest, "", "only one line on stdout");
    let mut log = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut log).unwrap();
    assert!(log.contains("broken.json"), "{log}");
    assert!(
        log.contains("unknown field type \\\"txt\\\"")
            || log.contains("unknown field type \"txt\""),
        "{log}"
    );
}
