//! The conformance kit (`blankett-server conformance`): the reference receiver keeps every
//! rule, and a receiver that answers 201 to everything is caught, rule by rule.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::body::Bytes;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use blankett_server::conformance::{self, Options, Report, Verdict};
use common::start;

const TOKEN: &str = "conformance-admin-token";

fn options(url: String) -> Options {
    Options {
        url,
        form: "test".into(),
        definition: None,
        answers: None,
        max_body: 16 * 1024,
        admin_token: None,
    }
}

async fn run(options: &Options) -> (Report, String) {
    let mut out = Vec::new();
    let report = conformance::run(options, &mut out).await.unwrap();
    (report, String::from_utf8(out).unwrap())
}

/// The kit against a reference receiver on `db` (a new SQLite file when `None`), with the
/// admin token: every rule passes, none warns.
async fn run_against_the_reference(db: Option<std::path::PathBuf>) -> (Report, String) {
    let server = start(common::Options {
        admin_token: Some(TOKEN.into()),
        db,
        ..common::Options::default()
    })
    .await;
    let mut options = options(server.url("/api/submissions"));
    options.admin_token = Some(TOKEN.into());
    let (report, out) = run(&options).await;
    println!("{out}");
    assert!(!report.failed(), "{out}");
    assert_eq!(report.rules(Verdict::Warn), Vec::<&str>::new(), "{out}");
    (report, out)
}

#[tokio::test]
async fn the_reference_receiver_keeps_every_rule() {
    let (report, out) = run_against_the_reference(None).await;
    let checked: Vec<&str> = report.outcomes.iter().map(|o| o.rule).collect();
    // The form has no file field: the upload rules are not checked.
    let rules: Vec<&str> = conformance::RULES
        .iter()
        .map(|(rule, _)| *rule)
        .filter(|rule| !conformance::UPLOAD_RULES.contains(rule))
        .collect();
    assert_eq!(checked, rules, "{out}");
    for outcome in &report.outcomes {
        let line = outcome.to_string();
        assert!(line.starts_with("PASS  "), "{line}");
        assert!(out.contains(&line), "{line}");
    }
    assert!(out.contains("key:"), "{out}");
    assert!(
        out.trim_end()
            .ends_with("28 rules: 28 passed, 0 failed, 0 warnings"),
        "{out}"
    );
    // The reference receiver answers an exact replay of a stored submission with its receipt
    // (step 7 of the profile comes before the nonce check).
    let replay = report.get("exact-replay").unwrap();
    assert!(replay.seen.contains("saw 200"), "{}", replay.seen);
}

/// The same kit against a receiver storing in PostgreSQL (issue 19): every rule holds.
#[tokio::test]
async fn the_reference_receiver_on_postgresql_keeps_every_rule() {
    let (cluster, url) = common::pg::start_with_database(false).await;
    let (report, out) = run_against_the_reference(Some(url.into())).await;
    assert_eq!(
        report.outcomes.len(),
        conformance::RULES.len() - conformance::UPLOAD_RULES.len(),
        "{out}"
    );
    drop(cluster);
}

/// A form with file fields: every rule, the upload rules too, holds (issue 18).
#[tokio::test]
async fn the_reference_receiver_keeps_the_upload_rules() {
    let server = start(common::Options {
        admin_token: Some(TOKEN.into()),
        extra_forms: vec![("bilagor.json".into(), common::file_form())],
        ..common::Options::default()
    })
    .await;
    let mut options = options(server.url("/api/submissions"));
    options.form = "bilagor".into();
    options.admin_token = Some(TOKEN.into());
    let (report, out) = run(&options).await;
    println!("{out}");
    assert!(!report.failed(), "{out}");
    let checked: Vec<&str> = report.outcomes.iter().map(|o| o.rule).collect();
    let rules: Vec<&str> = conformance::RULES.iter().map(|(rule, _)| *rule).collect();
    assert_eq!(checked, rules, "{out}");
    assert!(
        out.trim_end()
            .ends_with("34 rules: 34 passed, 0 failed, 0 warnings"),
        "{out}"
    );
}

#[tokio::test]
async fn a_bare_origin_means_api_submissions() {
    let server = start(common::Options::default()).await;
    let (report, out) = run(&options(server.base.clone())).await;
    assert!(!report.failed(), "{out}");
    assert!(
        out.contains(&format!("receiver: {}/api/submissions", server.base)),
        "{out}"
    );
}

#[tokio::test]
async fn a_receiver_that_allows_unsigned_submissions_gets_a_warning() {
    let server = start(common::Options {
        allow_unsigned: true,
        ..common::Options::default()
    })
    .await;
    let (report, out) = run(&options(server.url("/api/submissions"))).await;
    assert!(!report.failed(), "{out}");
    assert_eq!(report.rules(Verdict::Warn), ["signature-missing"], "{out}");
    assert!(out.contains("WARN  signature-missing"), "{out}");
}

/// A receiver that stores nothing and checks nothing: 201 with a new receipt for anything.
fn lax_receiver() -> Router {
    let counter = Arc::new(AtomicU32::new(0));
    Router::new().fallback(move |body: Bytes| {
        let counter = Arc::clone(&counter);
        async move {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            let id = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["submission_id"].as_str().map(str::to_owned))
                .unwrap_or_default();
            let reference = format!("LAX-{n:06}");
            let receipt = serde_json::json!({
                "reference": reference,
                "submission_id": id,
                "received_at": "2026-11-23T09:41:07Z",
            });
            let response: Response = (
                StatusCode::CREATED,
                [
                    (header::CONTENT_TYPE, "application/json".to_owned()),
                    (header::LOCATION, format!("/api/submissions/{reference}")),
                ],
                receipt.to_string(),
            )
                .into_response();
            response
        }
    })
}

async fn start_lax() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, lax_receiver()).await.unwrap() });
    base
}

/// Runs the kit against a new lax receiver with `definition` as form `form`.
async fn run_against_lax(form: &str, definition: &str) -> (Report, String) {
    let base = start_lax().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{form}.json"));
    std::fs::write(&path, definition).unwrap();
    let mut options = options(format!("{base}/api/submissions"));
    options.form = form.into();
    options.definition = Some(path);
    run(&options).await
}

#[tokio::test]
async fn a_lax_receiver_fails_and_the_output_names_the_rules_it_breaks() {
    let (report, out) = run_against_lax("test", common::FORM).await;
    println!("{out}");
    assert!(report.failed(), "{out}");
    let broken = [
        "retry-resigned",
        "exact-replay",
        "id-conflict",
        "nonce-reused",
        "digest-missing",
        "digest-unsupported",
        "digest-mismatch",
        "signature-malformed",
        "signature-incomplete",
        "signature-algorithm",
        "signature-key",
        "signature-tampered",
        "signed-header-tampered",
        "idempotency-key-mismatch",
        "created-stale",
        "created-future",
        "body-too-large",
        "invalid-json",
        "invalid-answers",
        "unknown-form",
        "wrong-content-type",
        "uri-too-long",
        "header-fields-too-large",
    ];
    assert_eq!(report.rules(Verdict::Fail), broken, "{out}");
    for rule in broken {
        assert!(out.contains(&format!("FAIL  {rule}")), "{rule}: {out}");
    }
    // It answers a valid submission as it should; what it leaves out is optional today.
    assert_eq!(report.rules(Verdict::Pass), ["valid-submission"], "{out}");
    assert_eq!(
        report.rules(Verdict::Warn),
        ["receipt-signature", "jwks", "signature-missing"],
        "{out}"
    );
    let seen = &report.get("retry-resigned").unwrap().seen;
    assert!(seen.contains("stored twice"), "{seen}");
    let seen = &report.get("digest-mismatch").unwrap().seen;
    assert!(seen.contains("saw 201 with receipt LAX-"), "{seen}");
    assert!(
        out.trim_end()
            .ends_with("27 rules: 1 passed, 23 failed, 3 warnings"),
        "{out}"
    );
}

/// The lax receiver against a form with file fields: it breaks every upload rule.
#[tokio::test]
async fn a_lax_receiver_breaks_the_upload_rules() {
    let (report, out) = run_against_lax("bilagor", &common::file_form()).await;
    for rule in [
        "upload-file",
        "upload-repeat",
        "upload-digest-mismatch",
        "upload-executable",
        "files-missing",
    ] {
        assert_eq!(
            report.get(rule).map(|o| o.verdict),
            Some(Verdict::Fail),
            "{rule}: {out}"
        );
    }
    assert!(report.get("stored-file").is_none(), "no admin token: {out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_exits_0_for_the_reference_receiver_and_1_for_a_lax_one() {
    let server = start(common::Options::default()).await;
    let lax = start_lax().await;
    let dir = tempfile::tempdir().unwrap();
    let definition = dir.path().join("test.json");
    std::fs::write(&definition, common::FORM).unwrap();
    let run = |args: Vec<String>| {
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_blankett-server"))
                .args(args)
                .output()
                .unwrap()
        })
    };
    let good = run(vec![
        "conformance".into(),
        server.url("/api/submissions"),
        "--form".into(),
        "test".into(),
        "--max-body=16384".into(),
    ])
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&good.stdout);
    assert_eq!(good.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("PASS  valid-submission"), "{stdout}");

    let bad = run(vec![
        "conformance".into(),
        format!("{lax}/api/submissions"),
        "--form".into(),
        "test".into(),
        "--definition".into(),
        definition.display().to_string(),
    ])
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&bad.stdout);
    assert_eq!(bad.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAIL  digest-mismatch"), "{stdout}");

    let usage = run(vec!["conformance".into(), "--form".into(), "test".into()])
        .await
        .unwrap();
    assert_eq!(usage.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&usage.stderr).contains("Usage:"));

    let help = run(vec!["--help".into()]).await.unwrap();
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(
        text.contains("blankett-server conformance URL --form FORM_ID"),
        "{text}"
    );

    let unknown = run(vec![
        "conformance".into(),
        server.url("/api/submissions"),
        "--form".into(),
        "nope".into(),
    ])
    .await
    .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("cannot read the definition"),
        "{}",
        String::from_utf8_lossy(&unknown.stderr)
    );
}

#[test]
fn valid_answers_fill_every_shown_question_and_pass_the_engines_check() {
    let def = common::definition();
    let today = conformance::today().unwrap();
    let answers = conformance::valid_answers(&def, &blankett_core::Answers::new(), today).unwrap();
    for key in ["name", "pnr", "kind", "kids[0].kid"] {
        assert!(answers.get(key).is_some(), "{key}");
    }
    let cx = blankett_core::Context { today };
    let sub = blankett_core::Submission::build(
        &def,
        &answers,
        blankett_core::Lang::Sv,
        &conformance::new_uuid(),
        &cx,
    )
    .unwrap();
    assert!(sub.check(&def, &cx).is_ok());

    // A required question the kit cannot answer (a pattern) is named, and --answers helps.
    let with_pattern = common::FORM.replace(
        r#""label": "Namn", "required": true"#,
        r#""label": "Namn", "required": true, "pattern": { "regex": "[A-Z]{3}", "message": "Tre versaler." }"#,
    );
    let def = blankett_core::load(&with_pattern).definition.unwrap();
    let err = conformance::valid_answers(&def, &blankett_core::Answers::new(), today).unwrap_err();
    assert!(
        err.contains("name (required") && err.contains("--answers"),
        "{err}"
    );
    let given = conformance::answers_from_json(&serde_json::json!({ "name": "ABC" })).unwrap();
    let answers = conformance::valid_answers(&def, &given, today).unwrap();
    assert_eq!(answers.text("name"), "ABC");
}

#[test]
fn problem_documents_are_checked_strictly() {
    let good = br#"{"type":"/problems/digest_mismatch","title":"Content-Digest mismatch","status":400,"code":"digest_mismatch","detail":{"sv":"a","en":"b"},"errors":[]}"#;
    let json = Some("application/problem+json");
    assert!(conformance::check_problem(400, json, good).is_ok());
    assert!(conformance::check_problem(400, Some("application/json"), good).is_err());
    assert!(
        conformance::check_problem(401, json, good)
            .unwrap_err()
            .contains("status")
    );
    let plain_detail = br#"{"type":"/problems/x","title":"X","status":400,"code":"x","detail":"text","errors":[]}"#;
    assert!(
        conformance::check_problem(400, json, plain_detail)
            .unwrap_err()
            .contains("detail")
    );
    let wrong_type = br#"{"type":"about:blank","title":"X","status":400,"code":"x","detail":{"sv":"a","en":"b"},"errors":[]}"#;
    assert!(
        conformance::check_problem(400, json, wrong_type)
            .unwrap_err()
            .contains("type")
    );
    let no_errors = br#"{"type":"/problems/x","title":"X","status":400,"code":"x","detail":{"sv":"a","en":"b"}}"#;
    assert!(
        conformance::check_problem(400, json, no_errors)
            .unwrap_err()
            .contains("errors")
    );
    let absolute = br#"{"type":"https://kommun.se/problems/x","title":"X","status":400,"code":"x","detail":{"sv":"a","en":"b"},"errors":[{"field":"f","code":"required","message":{"sv":"a","en":"b"}}]}"#;
    assert!(conformance::check_problem(400, json, absolute).is_ok());
}

#[test]
fn arguments() {
    let parse = |args: &[&str]| conformance::parse_args(args.iter().map(|a| (*a).to_owned()));
    assert_eq!(
        parse(&[
            "http://x/api/submissions",
            "--form",
            "f",
            "--max-body=10",
            "--admin-token",
            "t"
        ]),
        Ok(conformance::Command::Run(Options {
            url: "http://x/api/submissions".into(),
            form: "f".into(),
            definition: None,
            answers: None,
            max_body: 10,
            admin_token: Some("t".into()),
        }))
    );
    assert_eq!(parse(&["--help"]), Ok(conformance::Command::Help));
    assert!(parse(&["http://x"]).unwrap_err().contains("--form"));
    assert!(parse(&["--form", "f"]).unwrap_err().contains("URL"));
    assert!(parse(&["http://x", "--form", "f", "--max-body", "0"]).is_err());
    assert!(parse(&["http://x", "--form", "f", "--nope"]).is_err());
}

#[tokio::test]
async fn https_and_other_urls_are_refused_before_anything_is_sent() {
    let mut out = Vec::new();
    let https = options("https://e-tjanster.exempelby.se/api/submissions".into());
    let err = conformance::run(&https, &mut out).await.unwrap_err();
    assert!(err.to_string().contains("rustls-tls"), "{err}");
    let ftp = options("ftp://exempelby.se/".into());
    let err = conformance::run(&ftp, &mut out).await.unwrap_err();
    assert!(err.to_string().contains("not an http://"), "{err}");
    assert!(out.is_empty());
}
