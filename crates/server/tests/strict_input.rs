//! Hostile input the engine's strict reading refuses (issue 21): a key written twice in one
//! object (400 with its path) and text answers not in the engine's normal form — control and
//! bidirectional formatting characters, or not NFC (422 at the field).

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use common::{problem, start, submission};
use serde_json::json;

const ID: &str = "3f2c8a4e-9b1d-4c7a-8e5f-0a1b2c3d4e5f";

fn stored(db: &std::path::Path) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT COUNT(*) FROM submissions", [], |r| r.get(0))
        .unwrap()
}

#[tokio::test]
async fn a_key_written_twice_is_refused_with_its_path() {
    let server = start(common::Options::default()).await;
    let body = submission(ID, "Anna").to_canonical_json();
    for (twice, path) in [
        (
            body.replacen(r#""name":"Anna""#, r#""name":"Anna","name":"Bo""#, 1),
            "answers.name",
        ),
        (body.replacen('{', r#"{"form_id":"annan","#, 1), "form_id"),
    ] {
        assert_ne!(twice, body);
        let refusal = problem(server.post(twice).await, 400, "duplicate_key").await;
        assert_eq!(refusal["path"], path, "{refusal}");
        assert!(
            refusal["detail"]["en"].as_str().unwrap().contains(path),
            "{refusal}"
        );
    }
    assert_eq!(stored(&server.db), 0);
    // The same body once is stored.
    assert_eq!(server.post(body).await.status().as_u16(), 201);
}

#[tokio::test]
async fn text_not_in_the_engines_normal_form_is_refused_at_its_field() {
    let server = start(common::Options::default()).await;
    for name in [
        "An\u{0}na",
        "Anna\u{202E}gnirts",
        "\u{2066}Anna\u{2069}",
        "An\tna",
        "Anna\n",
        "A\u{30A}sa",
    ] {
        let mut sub = submission(ID, "Anna");
        sub.answers.insert("name".into(), json!(name));
        let refusal = problem(
            server.post(sub.to_canonical_json()).await,
            422,
            "invalid_answers",
        )
        .await;
        assert_eq!(
            refusal["errors"],
            json!([{
                "field": "name",
                "code": "not_normalized",
                "message": {
                    "sv": "Svaret innehåller osynliga styrtecken eller är inte i Unicode-normalform (NFC).",
                    "en": "The answer contains invisible control characters or is not in Unicode normal form (NFC).",
                },
            }]),
            "{name:?}"
        );
    }
    assert_eq!(stored(&server.db), 0);
    // What the engine makes of the same typing is taken.
    let sub = submission(ID, "  A\u{30A}sa\u{202E}\u{0} ");
    assert_eq!(sub.answers["name"], "Åsa");
    assert_eq!(
        server.post(sub.to_canonical_json()).await.status().as_u16(),
        201
    );
}
