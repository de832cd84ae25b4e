//! Signed submissions and signed receipts (docs/api/signatures.md), against a real receiver:
//! every reason a request is refused, replays, unsigned submissions, what is stored, the
//! receiver's JWK Set and its receipts' signatures, the public URL, and CORS.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use blankett_core::signing::sf::Item;
use blankett_core::signing::{
    self, ALG_ES256, Message, SignatureInput, base64, check_content_digest, find_signature,
    jwk_thumbprint,
};
use common::{
    Device, Options, TestServer, admin_get, assert_allows_signed_headers, header, json_of, now,
    problem, signed_headers, start, submission, with, without,
};
use p256::ecdsa::signature::Verifier as _;
use serde_json::{Value, json};

const TOKEN: &str = "s3cret-admin-token";

/// A submission id: a UUID ending in `n`.
fn id(n: u32) -> String {
    format!("3f2c8a4e-9b1d-4c7a-8e5f-0a1b2c3d{n:04}")
}

/// A valid submission body with id `n`.
fn body(n: u32) -> String {
    submission(&id(n), "Greta Gris").to_canonical_json()
}

/// A refusal case: what it is, the request's headers and body, and the status and code.
type Case<'a> = (&'a str, Vec<(String, String)>, &'a str, u16, &'a str);

/// How many rows `table` has.
fn count(server: &TestServer, table: &str) -> i64 {
    rusqlite::Connection::open(&server.db)
        .unwrap()
        .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

/// The server's profile signature input for `body`, changed by `change`.
fn input_with(
    server: &TestServer,
    body: &str,
    change: impl FnOnce(&mut SignatureInput),
) -> Vec<(String, String)> {
    let mut signing = server.signing(body);
    let mut input = signing.input(&server.device);
    change(&mut input);
    signing.input = Some(input);
    server.signed(body, &signing)
}

/// Sets a signature parameter.
fn set_param(input: &mut SignatureInput, name: &str, value: &str) {
    for (k, v) in &mut input.params {
        if k == name {
            *v = Item::String(value.to_owned());
        }
    }
}

/// The receiver's key from its JWK Set: its `kid` and the key.
async fn receiver_key(server: &TestServer) -> (String, p256::ecdsa::VerifyingKey) {
    let jwks = json_of(server.get("/.well-known/jwks.json").await).await;
    let jwk = &jwks["keys"][0];
    let coordinate = |k: &str| base64::decode_url(jwk[k].as_str().unwrap()).unwrap();
    let mut sec1 = vec![4u8];
    sec1.extend(coordinate("x"));
    sec1.extend(coordinate("y"));
    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).unwrap();
    (jwk["kid"].as_str().unwrap().to_owned(), key)
}

/// A receipt as received: status, headers and body bytes.
struct Reply {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    async fn of(response: reqwest::Response) -> Reply {
        Reply {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response.bytes().await.unwrap().to_vec(),
        }
    }

    fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// Checks a receipt's `Content-Digest` and its signature with the receiver's published key
/// over the base rebuilt with the request it answers (`target_uri` and `request` fields);
/// returns the signature base.
async fn verify_receipt(
    server: &TestServer,
    reply: &Reply,
    target_uri: &str,
    request: &[(String, String)],
) -> String {
    let (kid, key) = receiver_key(server).await;
    let digest = reply.header("content-digest");
    assert_eq!(digest, signing::content_digest(&reply.body));
    check_content_digest(Some(&digest), &reply.body).unwrap();
    let fields: Vec<(String, String)> = [
        "content-type",
        "content-digest",
        "signature-input",
        "signature",
    ]
    .iter()
    .map(|n| ((*n).to_owned(), reply.header(n)))
    .collect();
    assert_eq!(fields[0].1, "application/json");
    let request = Message {
        method: "POST",
        target_uri,
        fields: request,
        ..Message::default()
    };
    let response = Message {
        status: Some(reply.status),
        fields: &fields,
        request: Some(&request),
        ..Message::default()
    };
    let found = find_signature(
        &response,
        &["@status", "content-type", "content-digest"],
        false,
        now(),
        60,
    )
    .unwrap();
    assert_eq!(
        (found.keyid.as_str(), found.alg.as_str()),
        (kid.as_str(), ALG_ES256)
    );
    let signature = p256::ecdsa::Signature::from_slice(&found.signature).unwrap();
    key.verify(found.base.as_bytes(), &signature)
        .expect("the receipt verifies with the published key");
    found.base
}

#[tokio::test]
async fn every_refusal_has_its_reason() {
    let server = start(Options::default()).await;
    let b = body(1);
    let signed = server.signed(&b, &server.signing(&b));
    let signed_with = |change: &dyn Fn(&mut common::Signing)| {
        let mut signing = server.signing(&b);
        change(&mut signing);
        server.signed(&b, &signing)
    };
    let signature = &signed.iter().find(|(n, _)| n == "signature").unwrap().1;
    let mut flipped = base64::decode(
        signature
            .trim_start_matches("blankett=:")
            .trim_end_matches(':'),
    )
    .unwrap();
    flipped[10] ^= 1;
    let flipped = format!("blankett=:{}:", base64::encode(&flipped));
    let another_key = Device::p256().jwk().to_string();
    let changed_body = b.replace("Greta Gris", "Greta Grus");

    // In the profile's order: each request changes one thing of a valid one.
    #[rustfmt::skip] // One refusal per row reads as a table; rustfmt would split them.
    let cases: Vec<Case> = vec![
        // 1. Content-Digest, over the bytes received.
        ("no digest", without(&signed, "content-digest"), &b, 400, "digest_missing"),
        ("md5 digest", with(&signed, "content-digest", "md5=:AAAAAAAAAAAAAAAAAAAAAA==:"), &b, 400, "digest_unsupported"),
        ("unreadable digest", with(&signed, "content-digest", "sha-256=not-bytes"), &b, 400, "digest_unsupported"),
        ("changed body", signed.clone(), &changed_body, 400, "digest_mismatch"),
        // 2. The signature is there, complete, with an allowed algorithm.
        ("no signature", without(&without(&signed, "signature"), "signature-input"), &b, 401, "signature_missing"),
        ("no Signature", without(&signed, "signature"), &b, 401, "signature_missing"),
        ("another label", with(&signed, "signature", "other=:AAAA:"), &b, 401, "signature_missing"),
        ("signature not bytes", with(&signed, "signature", "blankett=\"abc\""), &b, 401, "signature_malformed"),
        ("input cut off", with(&signed, "signature-input", "blankett=(\"@method\""), &b, 401, "signature_malformed"),
        ("idempotency-key not covered", input_with(&server, &b, |input| {
            input.components.retain(|c| c.item != Item::String("idempotency-key".into()));
        }), &b, 401, "signature_incomplete"),
        ("no nonce", input_with(&server, &b, |input| input.params.retain(|(k, _)| k != "nonce")), &b, 401, "signature_incomplete"),
        ("no Idempotency-Key", without(&signed, "idempotency-key"), &b, 401, "signature_incomplete"),
        ("hmac", input_with(&server, &b, |input| set_param(input, "alg", "hmac-sha256")), &b, 401, "signature_algorithm"),
        // 3. The key: keyid is the thumbprint of Blankett-Key, alg is the key's.
        ("another keyid", input_with(&server, &b, |input| set_param(input, "keyid", "someone-else")), &b, 401, "signature_key"),
        ("no Blankett-Key", without(&signed, "blankett-key"), &b, 401, "signature_key"),
        ("Blankett-Key not JSON", with(&signed, "blankett-key", "not json"), &b, 401, "signature_key"),
        ("another device's key", with(&signed, "blankett-key", &another_key), &b, 401, "signature_key"),
        ("alg not the key's", input_with(&server, &b, |input| set_param(input, "alg", "ed25519")), &b, 401, "signature_key"),
        // 4. The time, either way (the Date is checked below).
        ("an hour ago", signed_with(&|s| s.created = now() - 3600), &b, 401, "signature_expired"),
        ("an hour ahead", signed_with(&|s| s.created = now() + 3600), &b, 401, "signature_expired"),
        // 5. The cryptography: a flipped bit, another address, a header changed after signing.
        ("flipped bit", with(&signed, "signature", &flipped), &b, 401, "signature_invalid"),
        ("another address", signed_with(&|s| s.target_uri = "https://annan.example/api/submissions".into()), &b, 401, "signature_invalid"),
        ("content-type changed", with(&signed, "content-type", "application/json; charset=utf-8"), &b, 401, "signature_invalid"),
        // 6. The Idempotency-Key is the body's submission_id, as a string.
        ("another id", signed_with(&|s| s.idempotency_key = format!("\"{}\"", id(2))), &b, 400, "idempotency_key_mismatch"),
        ("id as a token", signed_with(&|s| s.idempotency_key = id(1)), &b, 400, "idempotency_key_mismatch"),
    ];
    for (case, headers, body, status, code) in cases {
        let response = server
            .send("/api/submissions", &headers, body.to_owned())
            .await;
        if code == "signature_expired" {
            let date = header(&response, "date");
            assert!(date.ends_with(" GMT"), "{case}: {date}");
            assert!(header(&response, "access-control-expose-headers").contains("Date"));
        }
        let refusal = problem(response, status, code).await;
        let en = refusal["detail"]["en"].as_str().unwrap();
        let sv = refusal["detail"]["sv"].as_str().unwrap();
        match code {
            "signature_expired" => assert!(
                en.contains("clock") && sv.contains("klocka"),
                "{case}: {refusal}"
            ),
            "signature_incomplete" => assert!(en.contains("missing: "), "{case}: {refusal}"),
            _ => {}
        }
    }

    // Nothing was stored, no key and no nonce remembered; the request itself is fine.
    for table in ["submissions", "signing_keys", "nonces"] {
        assert_eq!(count(&server, table), 0, "{table}");
    }
    let response = server.send("/api/submissions", &signed, b).await;
    assert_eq!(response.status().as_u16(), 201);
}

#[tokio::test]
async fn a_window_is_the_receivers_choice() {
    let server = start(Options {
        signature_window: Some(30),
        ..Options::default()
    })
    .await;
    let b = body(1);
    let mut signing = server.signing(&b);
    signing.created = now() - 120;
    problem(
        server
            .send("/api/submissions", &server.signed(&b, &signing), b.clone())
            .await,
        401,
        "signature_expired",
    )
    .await;
    signing.created = now() - 5;
    let response = server
        .send("/api/submissions", &server.signed(&b, &signing), b)
        .await;
    assert_eq!(response.status().as_u16(), 201);
}

#[tokio::test]
async fn replays_get_the_first_receipt_and_nonces_are_used_once() {
    let server = start(Options::default()).await;
    let first_body = body(1);
    let first_signing = server.signing(&first_body);
    let first = server.signed(&first_body, &first_signing);
    let created = server
        .send("/api/submissions", &first, first_body.clone())
        .await;
    assert_eq!(created.status().as_u16(), 201);
    let receipt = json_of(created).await;

    // The same request byte for byte: the stored submission answers before the nonce.
    let replay = server
        .send("/api/submissions", &first, first_body.clone())
        .await;
    assert_eq!(replay.status().as_u16(), 200);
    assert_eq!(json_of(replay).await, receipt);
    // The same body signed again (what the outbox does): the same receipt.
    let retry = server.post(first_body.clone()).await;
    assert_eq!(retry.status().as_u16(), 200);
    assert_eq!(json_of(retry).await, receipt);
    // Another body under the same id: a conflict.
    let other = submission(&id(1), "Someone Else").to_canonical_json();
    problem(server.post(other).await, 409, "submission_id_conflict").await;

    // A new submission signed with the first one's nonce: replayed.
    let second_body = body(2);
    let mut reused = server.signing(&second_body);
    reused.nonce = first_signing.nonce.clone();
    let reused = server.signed(&second_body, &reused);
    let response = server
        .send("/api/submissions", &reused, second_body.clone())
        .await;
    let refusal = problem(response, 401, "signature_replayed").await;
    assert!(
        refusal["detail"]["en"]
            .as_str()
            .unwrap()
            .contains("already been used")
    );
    // With a new nonce it goes through; another device may use the same nonce.
    assert_eq!(server.post(second_body).await.status().as_u16(), 201);
    let third_body = body(3);
    let mut signing = server.signing(&third_body);
    signing.nonce = first_signing.nonce;
    let other_device = signed_headers(&Device::p256(), third_body.as_bytes(), &signing);
    let response = server
        .send("/api/submissions", &other_device, third_body)
        .await;
    assert_eq!(response.status().as_u16(), 201);

    assert_eq!(count(&server, "submissions"), 3);
    assert_eq!(count(&server, "signing_keys"), 2);
    assert_eq!(count(&server, "nonces"), 3);
}

#[tokio::test]
async fn unsigned_submissions_only_with_the_flag() {
    let strict = start(Options::default()).await;
    let b = body(1);
    problem(strict.post_unsigned(b.clone()).await, 400, "digest_missing").await;
    let digest_only = [
        ("content-type".to_owned(), "application/json".to_owned()),
        (
            "content-digest".to_owned(),
            signing::content_digest(b.as_bytes()),
        ),
    ];
    problem(
        strict
            .send("/api/submissions", &digest_only, b.clone())
            .await,
        401,
        "signature_missing",
    )
    .await;
    assert_eq!(count(&strict, "submissions"), 0);

    let lenient = start(Options {
        allow_unsigned: true,
        admin_token: Some(TOKEN.into()),
        ..Options::default()
    })
    .await;
    let reply = Reply::of(lenient.post_unsigned(b.clone()).await).await;
    assert_eq!(reply.status, 201);
    // The receipt is signed, without the request's signature (there is none).
    assert!(
        reply
            .header("signature-input")
            .starts_with("blankett=(\"@status\" \"content-type\" \"content-digest\");created="),
        "{}",
        reply.header("signature-input")
    );
    let target = lenient.url("/api/submissions");
    let base = verify_receipt(&lenient, &reply, &target, &[]).await;
    assert!(!base.contains("\"signature\";req"), "{base}");
    let reference = reply.json()["reference"].as_str().unwrap().to_owned();
    let stored = json_of(admin_get(&lenient, &reference, Some(TOKEN)).await).await;
    assert_eq!(stored["key_id"], Value::Null);

    // A present digest, Idempotency-Key or signature is still checked.
    problem(
        lenient
            .send(
                "/api/submissions",
                &digest_only,
                b.replace("Greta", "Greto"),
            )
            .await,
        400,
        "digest_mismatch",
    )
    .await;
    let wrong_key = [
        ("content-type".to_owned(), "application/json".to_owned()),
        ("idempotency-key".to_owned(), format!("\"{}\"", id(9))),
    ];
    problem(
        lenient.send("/api/submissions", &wrong_key, body(2)).await,
        400,
        "idempotency_key_mismatch",
    )
    .await;
    let b3 = body(3);
    let mut elsewhere = lenient.signing(&b3);
    elsewhere.target_uri = "https://annan.example/api/submissions".into();
    problem(
        lenient
            .send(
                "/api/submissions",
                &lenient.signed(&b3, &elsewhere),
                b3.clone(),
            )
            .await,
        401,
        "signature_invalid",
    )
    .await;
    // A signed submission is verified and stored with its key.
    assert_eq!(lenient.post(b3).await.status().as_u16(), 201);
    assert_eq!(count(&lenient, "submissions"), 2);
}

#[tokio::test]
async fn the_key_id_and_idempotency_key_are_stored_with_the_submission() {
    let server = start(Options {
        admin_token: Some(TOKEN.into()),
        ..Options::default()
    })
    .await;
    let created = json_of(server.post(body(1)).await).await;
    let reference = created["reference"].as_str().unwrap();
    let stored = json_of(admin_get(&server, reference, Some(TOKEN)).await).await;
    assert_eq!(stored["key_id"], server.device.keyid());

    let conn = rusqlite::Connection::open(&server.db).unwrap();
    let (key_id, idempotency_key, received_at): (String, String, String) = conn
        .query_row(
            "SELECT key_id, idempotency_key, received_at FROM submissions WHERE reference = ?1",
            [reference],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(idempotency_key, id(1));
    assert_eq!(key_id, server.device.keyid());
    let (jwk, first_seen): (String, String) = conn
        .query_row(
            "SELECT jwk, first_seen FROM signing_keys WHERE keyid = ?1",
            [&key_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let jwk: Value = serde_json::from_str(&jwk).unwrap();
    assert_eq!(jwk, server.device.jwk());
    assert_eq!(jwk_thumbprint(&jwk).unwrap(), key_id);
    assert_eq!(first_seen, received_at);
    let expires_at: i64 = conn
        .query_row(
            "SELECT expires_at FROM nonces WHERE keyid = ?1",
            [&key_id],
            |r| r.get(0),
        )
        .unwrap();
    assert!((expires_at - now() - 300).abs() < 10, "{expires_at}");
}

#[tokio::test]
async fn an_ed25519_device_is_accepted() {
    let mut server = start(Options::default()).await;
    server.device = Device::ed25519();
    let b = body(1);
    let signing = server.signing(&b);
    let request = server.signed(&b, &signing);
    assert!(request.iter().any(|(_, v)| v.contains("alg=\"ed25519\"")));
    let reply = Reply::of(server.send("/api/submissions", &request, b).await).await;
    assert_eq!(reply.status, 201);
    verify_receipt(&server, &reply, &signing.target_uri, &request).await;
}

#[tokio::test]
async fn receipts_are_signed_with_the_published_key() {
    let server = start(Options::default()).await;

    let jwks = server.get("/.well-known/jwks.json").await;
    assert_eq!(jwks.status().as_u16(), 200);
    assert_eq!(header(&jwks, "cache-control"), "public, max-age=3600");
    assert_eq!(header(&jwks, "content-type"), "application/jwk-set+json");
    let jwks = json_of(jwks).await;
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    let jwk = &keys[0];
    for (member, value) in [
        ("kty", "EC"),
        ("crv", "P-256"),
        ("alg", "ES256"),
        ("use", "sig"),
    ] {
        assert_eq!(jwk[member], value, "{jwk}");
    }
    assert!(
        jwk.get("d").is_none(),
        "the private key never leaves the database"
    );
    assert_eq!(jwk["kid"], jwk_thumbprint(jwk).unwrap());

    let b = body(1);
    let signing = server.signing(&b);
    let request = server.signed(&b, &signing);
    for status in [201, 200] {
        let reply = Reply::of(server.send("/api/submissions", &request, b.clone()).await).await;
        assert_eq!(reply.status, status);
        let input = reply.header("signature-input");
        assert!(
            input.starts_with(
                "blankett=(\"@status\" \"content-type\" \"content-digest\" \"signature\";req;key=\"blankett\");created="
            ),
            "{input}"
        );
        let base = verify_receipt(&server, &reply, &signing.target_uri, &request).await;
        let request_signature = &request.iter().find(|(n, _)| n == "signature").unwrap().1;
        assert!(
            base.contains(&format!(
                "\"signature\";req;key=\"blankett\": {}\n",
                &request_signature["blankett=".len()..]
            )),
            "the receipt is bound to the request's signature: {base}"
        );
        assert!(
            base.starts_with(&format!("\"@status\": {status}\n")),
            "{base}"
        );
    }

    // The key is kept in the database: a restart publishes the same one.
    let restarted = start(Options {
        db: Some(server.db.clone()),
        ..Options::default()
    })
    .await;
    let again = json_of(restarted.get("/.well-known/jwks.json").await).await;
    assert_eq!(again, jwks);
    let conn = rusqlite::Connection::open(&server.db).unwrap();
    let (kid, secret): (String, Vec<u8>) = conn
        .query_row("SELECT kid, private_key FROM receiver_keys", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(json!(kid), jwk["kid"]);
    assert_eq!(secret.len(), 32);
}

#[tokio::test]
async fn the_target_uri_is_rebuilt_from_the_public_url() {
    let server = start(Options {
        public_url: Some("https://kommun.example/blankett".into()),
        ..Options::default()
    })
    .await;
    let b = body(1);
    // Signed for the receiver's own address, which is not the one the browser uses.
    problem(server.post(b.clone()).await, 401, "signature_invalid").await;
    let mut signing = server.signing(&b);
    signing.target_uri = "https://kommun.example/blankett/api/submissions".into();
    let request = server.signed(&b, &signing);
    let reply = Reply::of(server.send("/api/submissions", &request, b).await).await;
    assert_eq!(reply.status, 201);
    verify_receipt(&server, &reply, &signing.target_uri, &request).await;
    // The query is part of it.
    let b = body(2);
    let mut signing = server.signing(&b);
    signing.target_uri = "https://kommun.example/blankett/api/submissions?src=embed".into();
    let response = server
        .send(
            "/api/submissions?src=embed",
            &server.signed(&b, &signing),
            b,
        )
        .await;
    assert_eq!(response.status().as_u16(), 201);
}

#[tokio::test]
async fn cors_answers_only_the_allowed_origins() {
    const ALLOWED: &str = "https://www.exempelby.se";
    let server = start(Options {
        allowed_origins: vec![ALLOWED.into(), "https://intra.exempelby.se".into()],
        ..Options::default()
    })
    .await;
    let response = server.preflight(ALLOWED).await;
    assert!(response.status().is_success());
    assert_eq!(header(&response, "access-control-allow-origin"), ALLOWED);
    assert_eq!(header(&response, "vary"), "Origin");
    assert_allows_signed_headers(&response);

    let refused = server.preflight("https://evil.example").await;
    assert_eq!(header(&refused, "access-control-allow-origin"), "");
    assert_eq!(header(&refused, "access-control-allow-headers"), "");
    assert_eq!(header(&refused, "vary"), "Origin");

    // The submission's answer, and the JWK Set, name the origin and expose the receipt's
    // headers.
    let b = body(1);
    let mut request = server.signed(&b, &server.signing(&b));
    request.push(("origin".into(), ALLOWED.into()));
    let created = server.send("/api/submissions", &request, b).await;
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(header(&created, "access-control-allow-origin"), ALLOWED);
    assert_eq!(
        header(&created, "access-control-expose-headers"),
        "Location, Signature, Signature-Input, Content-Digest, Date"
    );
    let jwks = server
        .client
        .get(server.url("/.well-known/jwks.json"))
        .header("origin", "https://intra.exempelby.se")
        .send()
        .await
        .unwrap();
    assert_eq!(
        header(&jwks, "access-control-allow-origin"),
        "https://intra.exempelby.se"
    );

    // Without configured origins, every origin may post.
    let open = start(Options::default()).await;
    let response = open.post(body(1)).await;
    assert_eq!(header(&response, "access-control-allow-origin"), "*");
    assert_eq!(header(&response, "vary"), "");
    assert!(header(&response, "access-control-expose-headers").contains("Signature-Input"));
}
