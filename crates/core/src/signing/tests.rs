//! The profile against the RFCs' own examples, and every reason a signature is refused.

use ed25519_dalek::Verifier as _;
use serde_json::json;

use super::*;

/// RFC 9421 appendix B.1's `test-request`, with the fields a test needs.
fn test_request_fields() -> Vec<(String, String)> {
    vec![
        ("host".into(), "example.com".into()),
        ("date".into(), "Tue, 20 Apr 2021 02:07:55 GMT".into()),
        ("content-type".into(), "application/json".into()),
        (
            "content-digest".into(),
            "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:".into(),
        ),
        ("content-length".into(), "18".into()),
    ]
}

const TEST_URI: &str = "https://example.com/foo?param=Value&Pet=dog";

fn inner_list(field: &str) -> (Vec<ParamItem>, String) {
    let entries = sf::parse_dictionary(field).expect("parses");
    match &entries[0].value {
        Member::InnerList(items, _) => (items.clone(), entries[0].raw.clone()),
        Member::Item(_) => panic!("not an inner list"),
    }
}

fn bytes_of(field: &str) -> Vec<u8> {
    match &sf::parse_dictionary(field).expect("parses")[0].value {
        Member::Item(ParamItem {
            item: Item::Bytes(b),
            ..
        }) => b.clone(),
        other => panic!("not bytes: {other:?}"),
    }
}

#[test]
fn rfc9421_b23_full_coverage_base() {
    let fields = test_request_fields();
    let msg = Message {
        method: "POST",
        target_uri: TEST_URI,
        fields: &fields,
        ..Message::default()
    };
    let (components, raw) = inner_list(
        r#"sig-b23=("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss""#,
    );
    let base = signature_base(&msg, &components, &raw).expect("a base");
    assert_eq!(
        base,
        concat!(
            "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n",
            "\"@method\": POST\n",
            "\"@path\": /foo\n",
            "\"@query\": ?param=Value&Pet=dog\n",
            "\"@authority\": example.com\n",
            "\"content-type\": application/json\n",
            "\"content-digest\": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:\n",
            "\"content-length\": 18\n",
            "\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@query\" \"@authority\" \"content-type\" \"content-digest\" \"content-length\");created=1618884473;keyid=\"test-key-rsa-pss\""
        )
    );
}

#[test]
fn rfc9421_b26_ed25519_request_verifies() {
    let mut fields = test_request_fields();
    fields.push((
        "signature-input".into(),
        r#"sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519""#.into(),
    ));
    fields.push((
        "signature".into(),
        "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:".into(),
    ));
    let msg = Message {
        method: "POST",
        target_uri: TEST_URI,
        fields: &fields,
        ..Message::default()
    };
    let (components, raw) = inner_list(&msg.field("signature-input").expect("field"));
    let base = signature_base(&msg, &components, &raw).expect("a base");
    let key = base64::decode_url("JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs").expect("x");
    let key =
        ed25519_dalek::VerifyingKey::from_bytes(&key.try_into().expect("32 bytes")).expect("key");
    let sig = bytes_of(&msg.field("signature").expect("field"));
    let sig = ed25519_dalek::Signature::from_slice(&sig).expect("64 bytes");
    assert!(
        key.verify(base.as_bytes(), &sig).is_ok(),
        "the RFC's signature verifies over our base"
    );
    assert!(
        key.verify(base.replace("POST", "PUT").as_bytes(), &sig)
            .is_err()
    );
}

#[test]
fn rfc9421_b24_ecdsa_response_verifies() {
    // The appendix's base uses this digest (its message shows another one).
    let fields = vec![
        ("content-type".into(), "application/json".into()),
        ("content-digest".into(), "sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:".into()),
        ("content-length".into(), "23".into()),
    ];
    let msg = Message {
        status: Some(200),
        fields: &fields,
        ..Message::default()
    };
    let (components, raw) = inner_list(
        r#"sig-b24=("@status" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-ecc-p256""#,
    );
    let base = signature_base(&msg, &components, &raw).expect("a base");
    assert!(base.starts_with("\"@status\": 200\n\"content-type\": application/json\n"));
    let jwk = json!({ "kty": "EC", "crv": "P-256",
        "x": "qIVYZVLCrPZHGHjP17CTW0_-D9Lfw0EkjqF7xB4FivA", "y": "Mc4nN9LTDOBhfoUeg8Ye9WedFRhnZXZJA12Qp0zZ6F0" });
    let key = verifying_key(&jwk);
    let sig = base64::decode(
        "wNmSUAhwb5LxtOtOpNa6W5xj067m5hFrj0XQ4fvpaCLx0NKocgPquLgyahnzDnDAUy5eCdlYUEkLIj+32oiasw==",
    )
    .expect("b64");
    let sig = p256::ecdsa::Signature::from_slice(&sig).expect("r||s");
    assert!(key.verify(base.as_bytes(), &sig).is_ok());
}

fn verifying_key(jwk: &serde_json::Value) -> p256::ecdsa::VerifyingKey {
    let coord = |k: &str| base64::decode_url(jwk[k].as_str().expect("coordinate")).expect("b64url");
    let mut sec1 = vec![4u8];
    sec1.extend(coord("x"));
    sec1.extend(coord("y"));
    p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).expect("a P-256 point")
}

#[test]
fn rfc9530_digests() {
    assert_eq!(
        content_digest(b"{\"hello\": \"world\"}\n"),
        "sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:"
    );
    let body = b"{\"hello\": \"world\"}";
    assert_eq!(
        check_content_digest(Some(&content_digest(body)), body),
        Ok(())
    );
    let sha512 = "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:";
    assert_eq!(check_content_digest(Some(sha512), body), Ok(()));
    assert_eq!(
        check_content_digest(Some(sha512), b"{\"hello\": \"World\"}"),
        Err(SigError::DigestMismatch)
    );
    assert_eq!(
        check_content_digest(None, body),
        Err(SigError::MissingDigest)
    );
    assert_eq!(
        check_content_digest(Some("md5=:AAAA:"), body),
        Err(SigError::UnsupportedDigest)
    );
    assert!(matches!(
        check_content_digest(Some("sha-256=AAAA"), body),
        Err(SigError::UnsupportedDigest | SigError::Malformed(_))
    ));
}

#[test]
fn rfc7638_thumbprint() {
    // RFC 7638's own example is RSA; for EC the members are crv, kty, x, y in that order.
    let jwk = json!({ "kty": "EC", "crv": "P-256", "kid": "ignored",
        "x": "qIVYZVLCrPZHGHjP17CTW0_-D9Lfw0EkjqF7xB4FivA", "y": "Mc4nN9LTDOBhfoUeg8Ye9WedFRhnZXZJA12Qp0zZ6F0" });
    let canonical = r#"{"crv":"P-256","kty":"EC","x":"qIVYZVLCrPZHGHjP17CTW0_-D9Lfw0EkjqF7xB4FivA","y":"Mc4nN9LTDOBhfoUeg8Ye9WedFRhnZXZJA12Qp0zZ6F0"}"#;
    assert_eq!(
        jwk_thumbprint(&jwk),
        Ok(base64::encode_url(&sha256(canonical.as_bytes())))
    );
    assert_eq!(jwk_alg(&jwk), Some(ALG_ES256));
    assert!(matches!(
        jwk_thumbprint(&json!({ "kty": "RSA", "crv": "x" })),
        Err(SigError::BadKey(_))
    ));
    assert!(matches!(
        jwk_thumbprint(&json!({ "kty": "EC", "crv": "P-256", "x": "a" })),
        Err(SigError::BadKey(_))
    ));
}

/// A request signed as the browser signs it, with the RFC's P-256 test key.
fn signed_request(created: i64) -> (Vec<(String, String)>, &'static str) {
    use p256::ecdsa::signature::Signer as _;
    let body = br#"{"blankett_submission":"1"}"#;
    let uri = "https://kommun.example/api/submissions";
    let mut fields = vec![
        ("content-type".to_owned(), "application/json".to_owned()),
        ("content-digest".to_owned(), content_digest(body)),
        (
            "idempotency-key".to_owned(),
            "\"0f8b3c2e-6a55-4a4c-9c3e-1d2f3a4b5c6d\"".to_owned(),
        ),
    ];
    let input = SignatureInput::request(created, "bm9uY2U", "kid-1", ALG_ES256);
    let msg = Message {
        method: "POST",
        target_uri: uri,
        fields: &fields,
        ..Message::default()
    };
    let base = signature_base(&msg, &input.components, &input.serialize()).expect("a base");
    let d = base64::decode_url("UpuF81l-kOxbjf7T4mNSv0r5tN67Gim7rnf6EFpcYDs").expect("d");
    let key = p256::ecdsa::SigningKey::from_slice(&d).expect("key");
    let sig: p256::ecdsa::Signature = key.sign(base.as_bytes());
    let (si, s) = signature_fields(&input, &sig.to_bytes());
    fields.push(("signature-input".into(), si));
    fields.push(("signature".into(), s));
    (fields, uri)
}

#[test]
fn a_profile_request_is_found_and_verifies() {
    let (fields, uri) = signed_request(1_764_000_000);
    assert_eq!(
        fields[3].1,
        r#"blankett=("@method" "@target-uri" "content-type" "content-digest" "idempotency-key");created=1764000000;nonce="bm9uY2U";keyid="kid-1";alg="ecdsa-p256-sha256""#
    );
    let msg = Message {
        method: "POST",
        target_uri: uri,
        fields: &fields,
        ..Message::default()
    };
    let found = find_signature(&msg, &REQUEST_COMPONENTS, true, 1_764_000_100, 300).expect("found");
    assert_eq!(
        (found.keyid.as_str(), found.alg.as_str(), found.created),
        ("kid-1", ALG_ES256, 1_764_000_000)
    );
    assert_eq!(found.nonce.as_deref(), Some("bm9uY2U"));
    assert!(found.base.starts_with(
        "\"@method\": POST\n\"@target-uri\": https://kommun.example/api/submissions\n"
    ));
    let jwk = json!({ "kty": "EC", "crv": "P-256",
        "x": "qIVYZVLCrPZHGHjP17CTW0_-D9Lfw0EkjqF7xB4FivA", "y": "Mc4nN9LTDOBhfoUeg8Ye9WedFRhnZXZJA12Qp0zZ6F0" });
    let sig = p256::ecdsa::Signature::from_slice(&found.signature).expect("r||s");
    assert!(
        verifying_key(&jwk)
            .verify(found.base.as_bytes(), &sig)
            .is_ok()
    );
    // Another address (a replay to another receiver) is another base: it does not verify.
    let elsewhere = Message {
        target_uri: "https://annan.example/api/submissions",
        ..msg.clone()
    };
    let other =
        find_signature(&elsewhere, &REQUEST_COMPONENTS, true, 1_764_000_100, 300).expect("found");
    assert!(
        verifying_key(&jwk)
            .verify(other.base.as_bytes(), &sig)
            .is_err()
    );
}

#[test]
fn every_refusal_has_its_reason() {
    let (fields, uri) = signed_request(1_764_000_000);
    let check = |fields: &[(String, String)], now: i64| {
        let msg = Message {
            method: "POST",
            target_uri: uri,
            fields,
            ..Message::default()
        };
        find_signature(&msg, &REQUEST_COMPONENTS, true, now, 300).map(|_| ())
    };
    let without = |name: &str| {
        fields
            .iter()
            .filter(|(n, _)| n != name)
            .cloned()
            .collect::<Vec<_>>()
    };
    let replace = |name: &str, value: &str| {
        fields
            .iter()
            .map(|(n, v)| {
                (
                    n.clone(),
                    if n == name {
                        value.to_owned()
                    } else {
                        v.clone()
                    },
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        check(&fields, 1_764_000_301),
        Err(SigError::Stale {
            created: 1_764_000_000,
            now: 1_764_000_301
        })
    );
    assert_eq!(
        check(&fields, 1_763_999_699),
        Err(SigError::Stale {
            created: 1_764_000_000,
            now: 1_763_999_699
        }),
        "from the future too"
    );
    assert_eq!(
        check(&without("signature"), 1_764_000_000),
        Err(SigError::MissingSignature)
    );
    assert_eq!(
        check(&without("signature-input"), 1_764_000_000),
        Err(SigError::MissingSignature)
    );
    assert_eq!(
        check(&without("idempotency-key"), 1_764_000_000),
        Err(SigError::MissingComponent("idempotency-key".into()))
    );
    let input = &fields[3].1;
    assert_eq!(
        check(
            &replace(
                "signature-input",
                &input.replace(r#" "idempotency-key""#, "")
            ),
            1_764_000_000
        ),
        Err(SigError::NotCovered("idempotency-key".into()))
    );
    assert_eq!(
        check(
            &replace("signature-input", &input.replace(r#";nonce="bm9uY2U""#, "")),
            1_764_000_000
        ),
        Err(SigError::MissingParam("nonce"))
    );
    assert_eq!(
        check(
            &replace(
                "signature-input",
                &input.replace("ecdsa-p256-sha256", "hmac-sha256")
            ),
            1_764_000_000
        ),
        Err(SigError::UnsupportedAlg("hmac-sha256".into()))
    );
    assert!(matches!(
        check(
            &replace("signature-input", "blankett=(\"@method\""),
            1_764_000_000
        ),
        Err(SigError::Malformed(_))
    ));
    assert!(matches!(
        check(&replace("signature", "blankett=\"abc\""), 1_764_000_000),
        Err(SigError::Malformed(_))
    ));
    assert_eq!(
        check(&replace("signature", "other=:AAAA:"), 1_764_000_000),
        Err(SigError::MissingSignature)
    );
    for e in [
        SigError::Stale { created: 0, now: 0 },
        SigError::DigestMismatch,
        SigError::MissingSignature,
    ] {
        assert!(!e.code().is_empty());
    }
}

#[test]
fn a_receipt_signature_is_bound_to_the_requests() {
    let (request_fields, uri) = signed_request(1_764_000_000);
    let request = Message {
        method: "POST",
        target_uri: uri,
        fields: &request_fields,
        ..Message::default()
    };
    let body = br#"{"reference":"B-2026-000001"}"#;
    let fields = vec![
        ("content-type".to_owned(), "application/json".to_owned()),
        ("content-digest".to_owned(), content_digest(body)),
    ];
    let response = Message {
        status: Some(201),
        fields: &fields,
        request: Some(&request),
        ..Message::default()
    };
    let input = SignatureInput::receipt(1_764_000_001, "server-key", ALG_ES256);
    assert_eq!(
        input.serialize(),
        r#"("@status" "content-type" "content-digest" "signature";req;key="blankett");created=1764000001;keyid="server-key";alg="ecdsa-p256-sha256""#
    );
    let base = signature_base(&response, &input.components, &input.serialize()).expect("a base");
    let request_sig = &request_fields[4].1["blankett=".len()..];
    assert!(
        base.contains(&format!(
            "\"signature\";req;key=\"blankett\": {request_sig}\n"
        )),
        "{base}"
    );
    // Without the request, the binding cannot be made.
    let alone = Message {
        request: None,
        ..response
    };
    assert!(matches!(
        signature_base(&alone, &input.components, &input.serialize()),
        Err(SigError::MissingComponent(_))
    ));
}
