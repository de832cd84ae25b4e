//! The receiver's HTTP API, against a real server on 127.0.0.1:0; submissions are signed
//! as the browser signs them (signatures themselves: `signatures.rs`).

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use common::{
    Options, admin_get, assert_allows_signed_headers, header, json_of, problem, start, submission,
};
use serde_json::json;

const ID: &str = "3f2c8a4e-9b1d-4c7a-8e5f-0a1b2c3d4e5f";
const ID2: &str = "7d9e1f20-3a4b-4c5d-9e6f-a1b2c3d4e5f6";
const TOKEN: &str = "s3cret-admin-token";

#[tokio::test]
async fn stores_a_valid_submission_once() {
    let server = start(Options {
        admin_token: Some(TOKEN.into()),
        ..Options::default()
    })
    .await;
    let sub = submission(ID, "Greta Gris");
    let body = sub.to_canonical_json();

    let created = server.post(body.clone()).await;
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(header(&created, "access-control-allow-origin"), "*");
    assert_eq!(header(&created, "cache-control"), "no-store");
    let location = header(&created, "location");
    let receipt = json_of(created).await;
    let reference = receipt["reference"].as_str().unwrap().to_owned();
    assert!(
        reference.starts_with("B-20") && reference.ends_with("-000001"),
        "{reference}"
    );
    assert_eq!(location, format!("/api/submissions/{reference}"));
    assert_eq!(receipt["submission_id"], ID);
    let received_at = receipt["received_at"].as_str().unwrap().to_owned();
    assert!(
        received_at.ends_with('Z') && received_at.contains('T'),
        "{received_at}"
    );

    // The admin endpoint returns it.
    let stored = admin_get(&server, &reference, Some(TOKEN)).await;
    assert_eq!(stored.status().as_u16(), 200);
    let stored = json_of(stored).await;
    assert_eq!(
        stored,
        json!({
            "reference": reference,
            "submission_id": ID,
            "form_id": "test",
            "form_version": "3",
            "language": "sv",
            "answers": serde_json::to_value(&sub.answers).unwrap(),
            "received_at": received_at,
            "key_id": server.device.keyid(),
        })
    );
    assert_eq!(stored["answers"]["name"], "Greta Gris");

    // So does SQLite, with the exact body bytes.
    {
        let conn = rusqlite::Connection::open(&server.db).unwrap();
        let (count, row_body, answers, row_ref): (i64, String, String, String) = conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM submissions), body, answers, reference
                 FROM submissions WHERE submission_id = ?1",
                [ID],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(count, 1);
        assert_eq!(row_body, body);
        assert_eq!(answers, serde_json::to_string(&sub.answers).unwrap());
        assert_eq!(row_ref, reference);
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    // An identical retry is answered 200 with the original receipt, and no new row.
    let replay = server.post(body.clone()).await;
    assert_eq!(replay.status().as_u16(), 200);
    let replay = json_of(replay).await;
    assert_eq!(replay["reference"], reference.as_str());
    assert_eq!(replay["received_at"], received_at.as_str());

    // The same id with other answers is a conflict.
    let other = submission(ID, "Someone Else").to_canonical_json();
    problem(server.post(other).await, 409, "submission_id_conflict").await;

    let conn = rusqlite::Connection::open(&server.db).unwrap();
    let count: i64 = conn
        .query_row("SELECT COUNT(*) FROM submissions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 1);

    // A second submission gets the next reference.
    let second = server
        .post(submission(ID2, "Greta Gris").to_canonical_json())
        .await;
    assert_eq!(second.status().as_u16(), 201);
    let second = json_of(second).await;
    assert!(second["reference"].as_str().unwrap().ends_with("-000002"));
}

#[tokio::test]
async fn a_resend_after_the_form_changed_gets_the_first_receipt() {
    let first = start(Options::default()).await;
    let body = submission(ID, "Greta Gris").to_canonical_json();
    let created = first.post(body.clone()).await;
    assert_eq!(created.status().as_u16(), 201);
    let created = json_of(created).await;

    // The same database, but the form is now version 4: a new submission made with
    // version 3 is refused, while the resend of the stored one still gets its receipt.
    let updated = start(Options {
        db: Some(first.db.clone()),
        form_version: Some("4".into()),
        ..Options::default()
    })
    .await;
    let replay = updated.post(body).await;
    assert_eq!(replay.status().as_u16(), 200);
    assert_eq!(json_of(replay).await, created);
    problem(
        updated
            .post(submission(ID2, "Greta Gris").to_canonical_json())
            .await,
        422,
        "version_mismatch",
    )
    .await;
}

#[tokio::test]
async fn rejects_bodies_that_are_not_submissions() {
    let server = start(Options::default()).await;

    let body = problem(
        server
            .post("{\n  \"blankett_submission\": \"1\",\n  oops\n}")
            .await,
        400,
        "malformed_json",
    )
    .await;
    let en = body["detail"]["en"].as_str().unwrap();
    assert!(en.contains("line 3 column 3"), "{en}");

    let body = problem(
        server.post(r#"{"hello": 1}"#).await,
        400,
        "invalid_submission",
    )
    .await;
    let en = body["detail"]["en"].as_str().unwrap();
    assert!(
        en.contains("unknown field `hello`") && en.contains("line 1"),
        "{en}"
    );

    // Over the 16 KiB limit of the test server.
    let big = format!(r#"{{"pad": "{}"}}"#, "x".repeat(20 * 1024));
    problem(server.post(big).await, 413, "payload_too_large").await;

    let response = server
        .client
        .post(server.url("/api/submissions"))
        .header("content-type", "text/plain")
        .body(submission(ID, "Greta").to_canonical_json())
        .send()
        .await
        .unwrap();
    problem(response, 415, "unsupported_media_type").await;

    let response = server
        .client
        .post(server.url("/api/submissions"))
        .body(submission(ID, "Greta").to_canonical_json())
        .send()
        .await
        .unwrap();
    problem(response, 415, "unsupported_media_type").await;

    // A charset parameter is fine.
    let body = submission(ID, "Greta").to_canonical_json();
    let mut signing = server.signing(&body);
    signing.content_type = "application/json; charset=utf-8".into();
    let response = server
        .send("/api/submissions", &server.signed(&body, &signing), body)
        .await;
    assert_eq!(response.status().as_u16(), 201);
}

#[tokio::test]
async fn refuses_unknown_forms_and_invalid_answers() {
    let server = start(Options::default()).await;

    let mut sub = submission(ID, "Greta Gris");
    sub.form_id = "nosuchform".into();
    problem(
        server.post(sub.to_canonical_json()).await,
        404,
        "unknown_form",
    )
    .await;

    let mut sub = submission(ID, "Greta Gris");
    sub.answers.remove("name");
    sub.answers.insert("pnr".into(), json!("19121212-1213"));
    sub.answers.insert("nope".into(), json!("x"));
    let body = problem(
        server.post(sub.to_canonical_json()).await,
        422,
        "invalid_answers",
    )
    .await;
    let errors = body["errors"].as_array().unwrap();
    let codes: Vec<(&str, &str)> = errors
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(errors.len(), 3, "{body}");
    assert!(codes.contains(&("name", "required")), "{codes:?}");
    assert!(
        codes.contains(&("pnr", "personnummer_checksum")),
        "{codes:?}"
    );
    assert!(codes.contains(&("nope", "unknown_field")), "{codes:?}");
    for e in errors {
        assert!(e["message"]["sv"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(e["message"]["en"].as_str().is_some_and(|s| !s.is_empty()));
    }
    let name = errors.iter().find(|e| e["field"] == "name").unwrap();
    assert_eq!(name["message"]["sv"], "Fyll i det här fältet.");
    assert_eq!(name["message"]["en"], "Fill in this field.");

    let mut sub = submission(ID, "Greta Gris");
    sub.form_version = "2".into();
    let body = problem(
        server.post(sub.to_canonical_json()).await,
        422,
        "version_mismatch",
    )
    .await;
    assert_eq!(body["errors"], json!([]));
    assert!(body["detail"]["en"].as_str().unwrap().contains("\"2\""));

    let mut sub = submission(ID, "Greta Gris");
    sub.submission_id = "not-a-uuid".into();
    problem(
        server.post(sub.to_canonical_json()).await,
        422,
        "invalid_submission_id",
    )
    .await;

    // Nothing was stored.
    let conn = rusqlite::Connection::open(&server.db).unwrap();
    let count: i64 = conn
        .query_row("SELECT COUNT(*) FROM submissions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn admin_endpoint_needs_the_token() {
    let server = start(Options {
        admin_token: Some(TOKEN.into()),
        ..Options::default()
    })
    .await;
    let created = json_of(
        server
            .post(submission(ID, "Greta Gris").to_canonical_json())
            .await,
    )
    .await;
    let reference = created["reference"].as_str().unwrap();

    let response = admin_get(&server, reference, None).await;
    assert_eq!(header(&response, "www-authenticate"), "Bearer");
    problem(response, 401, "unauthorized").await;
    problem(
        admin_get(&server, reference, Some("wrong")).await,
        401,
        "unauthorized",
    )
    .await;
    problem(
        admin_get(&server, reference, Some(&format!("{TOKEN}x"))).await,
        401,
        "unauthorized",
    )
    .await;
    problem(
        admin_get(&server, "B-2000-999999", Some(TOKEN)).await,
        404,
        "unknown_reference",
    )
    .await;
    assert_eq!(
        admin_get(&server, reference, Some(TOKEN))
            .await
            .status()
            .as_u16(),
        200
    );

    // Without a configured token the endpoint does not exist.
    let no_admin = start(Options::default()).await;
    problem(
        admin_get(&no_admin, reference, Some(TOKEN)).await,
        404,
        "not_found",
    )
    .await;
    problem(
        admin_get(&no_admin, reference, None).await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn broken_definitions_are_skipped() {
    let server = start(Options::default()).await;
    assert_eq!(server.skipped, ["broken.json"]);
    let forms = json_of(server.get("/api/forms").await).await;
    assert_eq!(
        forms,
        json!([
            { "id": "other", "version": "3", "title": { "sv": "Testformulär", "en": "Test form" } },
            { "id": "test", "version": "3", "title": { "sv": "Testformulär", "en": "Test form" } },
        ])
    );
    let mut sub = submission(ID, "Greta Gris");
    sub.form_id = "other".into();
    assert_eq!(
        server.post(sub.to_canonical_json()).await.status().as_u16(),
        201
    );
}

#[tokio::test]
async fn cors_preflight() {
    let server = start(Options::default()).await;
    let response = server.preflight("https://www.exempelby.se").await;
    assert!(response.status().is_success(), "{}", response.status());
    assert_eq!(header(&response, "access-control-allow-origin"), "*");
    let methods = header(&response, "access-control-allow-methods");
    assert!(
        methods.contains("POST") && methods.contains("OPTIONS"),
        "{methods}"
    );
    assert_allows_signed_headers(&response);
    // Errors carry the CORS header too, so a cross-origin page can read them.
    let response = server.post("nope").await;
    assert_eq!(header(&response, "access-control-allow-origin"), "*");
}

#[tokio::test]
async fn disk_full_is_a_503_problem() {
    let server = start(Options {
        full_disk: true,
        ..Options::default()
    })
    .await;
    let body = problem(
        server
            .post(submission(ID, &"Greta Gris ".repeat(1000)).to_canonical_json())
            .await,
        503,
        "storage_unavailable",
    )
    .await;
    assert!(
        body["detail"]["sv"]
            .as_str()
            .unwrap()
            .contains("Försök igen")
    );
    assert!(body["detail"]["en"].as_str().unwrap().contains("try again"));
}

/// The app's pages may fetch from exactly the configured other origins, no more.
#[tokio::test]
async fn connect_origins_in_the_policy() {
    let plain = start(Options {
        with_dist: true,
        ..Options::default()
    })
    .await;
    let csp = header(&plain.get("/").await, "content-security-policy");
    assert!(
        csp.contains("connect-src 'self';"),
        "the default stays 'self': {csp}"
    );
    let server = start(Options {
        with_dist: true,
        connect_origins: vec![
            "https://forms.exempelby.se".into(),
            "http://127.0.0.1:9".into(),
        ],
        ..Options::default()
    })
    .await;
    for path in ["/", "/index.html"] {
        let csp = header(&server.get(path).await, "content-security-policy");
        assert!(
            csp.contains("connect-src 'self' https://forms.exempelby.se http://127.0.0.1:9;"),
            "{path}: {csp}"
        );
        assert!(
            csp.contains("img-src 'self' data: https://forms.exempelby.se http://127.0.0.1:9;"),
            "a definition's logo there: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'self'"), "{csp}");
    }
}

/// A host page on another origin loads the runtime, its module and the forms (CORS), and
/// the hosts allowed to call the API may frame the app (iframe mode).
#[tokio::test]
async fn embedding_headers() {
    let server = start(Options {
        with_dist: true,
        allowed_origins: vec!["https://www.exempelby.se".into()],
        ..Options::default()
    })
    .await;
    std::fs::write(server.dist.join("embed.js"), "export {};").unwrap();
    let script = server.get("/embed.js").await;
    assert_eq!(script.status().as_u16(), 200);
    assert_eq!(header(&script, "access-control-allow-origin"), "*");
    assert_eq!(
        header(&script, "cache-control"),
        "no-cache",
        "a new build is seen at once"
    );
    let form = server.get("/forms/test.json").await;
    assert_eq!(header(&form, "access-control-allow-origin"), "*");
    let page = server.get("/").await;
    let csp = header(&page, "content-security-policy");
    assert!(
        csp.contains("frame-ancestors 'self' https://www.exempelby.se"),
        "{csp}"
    );
    // The API still answers only the allowed origins.
    let jwks = server
        .client
        .get(server.url("/.well-known/jwks.json"))
        .header("origin", "https://elsewhere.example")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&jwks, "access-control-allow-origin"), "");
}

#[tokio::test]
async fn static_files_health_and_headers() {
    let server = start(Options {
        with_dist: true,
        ..Options::default()
    })
    .await;
    let health = server.get("/healthz").await;
    assert_eq!(health.status().as_u16(), 200);
    assert_eq!(header(&health, "x-content-type-options"), "nosniff");
    assert_eq!(health.text().await.unwrap(), "ok");

    let index = server.get("/").await;
    assert_eq!(index.status().as_u16(), 200);
    assert!(header(&index, "content-type").starts_with("text/html"));
    assert_eq!(header(&index, "cache-control"), "no-cache");
    assert_eq!(header(&index, "x-content-type-options"), "nosniff");
    assert_eq!(header(&index, "referrer-policy"), "no-referrer");
    let csp = header(&index, "content-security-policy");
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("the page's policy has a nonce")
        .to_owned();
    assert_eq!(nonce.len(), 32);
    let html = index.text().await.unwrap();
    assert!(html.contains("<title>Blankett</title>"));
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the loader carries the header's nonce: {html}"
    );
    assert!(!html.contains("__TRUNK NONCE__"));
    let again = server.get("/index.html").await;
    assert!(
        !header(&again, "content-security-policy").contains(&nonce),
        "every response gets a new nonce"
    );

    let form = server.get("/forms/test.json").await;
    assert_eq!(form.status().as_u16(), 200);
    assert_eq!(header(&form, "cache-control"), "no-cache");
    assert_eq!(header(&form, "content-security-policy"), "");

    let missing = server.get("/nope.js").await;
    assert_eq!(missing.status().as_u16(), 404);
    assert_eq!(header(&missing, "x-content-type-options"), "nosniff");

    let api_missing = server.get("/api/nothing").await;
    problem(api_missing, 404, "not_found").await;

    // Without a built app the page says how to build it.
    let unbuilt = start(Options::default()).await;
    assert!(!unbuilt.dist.exists());
    let response = unbuilt.get("/").await;
    assert_eq!(response.status().as_u16(), 503);
    assert!(response.text().await.unwrap().contains("cargo xtask build"));
}

#[tokio::test]
async fn rows_are_checked_one_by_one_and_stored_as_an_array() {
    let server = start(Options {
        admin_token: Some(TOKEN.into()),
        ..Options::default()
    })
    .await;
    let mut sub = submission(ID, "Greta Gris");
    sub.answers.insert(
        "kids".into(),
        json!([{ "kid": "Ada" }, {}, { "kid": "Bo", "age": 3 }]),
    );
    let body = problem(
        server.post(sub.to_canonical_json()).await,
        422,
        "invalid_answers",
    )
    .await;
    let errors: Vec<(&str, &str)> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errors,
        [
            ("kids[2].age", "unknown_field"),
            ("kids", "too_many_rows"),
            ("kids[1].kid", "required"),
        ],
        "{body}"
    );

    sub.answers
        .insert("kids".into(), json!([{ "kid": "Ada" }, { "kid": "Bo" }]));
    let created = server.post(sub.to_canonical_json()).await;
    assert_eq!(created.status(), 201);
    let reference = json_of(created).await["reference"]
        .as_str()
        .unwrap()
        .to_owned();
    let stored = json_of(admin_get(&server, &reference, Some(TOKEN)).await).await;
    assert_eq!(
        stored["answers"]["kids"],
        json!([{ "kid": "Ada" }, { "kid": "Bo" }])
    );
}
