//! Verifying a submission's signature, in the order of Blankett's signature profile
//! (docs/api/signatures.md): the `Content-Digest` over the bytes received, the `blankett`
//! signature (`blankett_core::signing::find_signature`), its key, the cryptography, and the
//! `Idempotency-Key`. The duplicate and nonce checks need the database: `api.rs` and
//! `store.rs` make them.

use axum::http::{HeaderMap, Uri, header};
use blankett_core::signing::sf::{self, Item, Member, ParamItem};
use blankett_core::signing::{
    ALG_ED25519, ALG_ES256, KEY_HEADER, LABEL, Message, REQUEST_COMPONENTS, SigError, base64,
    check_content_digest, find_signature, jwk_alg, jwk_thumbprint,
};
use serde_json::{Value, json};

use crate::problems::ApiError;
use crate::store::SignedBy;

/// What the receiver asks of a submission's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Whether a submission without a signature is accepted (a present one is verified).
    pub allow_unsigned: bool,
    /// How far `created` may be from the receiver's clock, in seconds, either way.
    pub window: i64,
    /// The address citizens' browsers use (`https://kommun.se/blankett`); `None`: `http://`
    /// and the `Host` header.
    pub public_url: Option<String>,
}

/// A request signature that verified: the key that made it and the nonce to remember.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The key's thumbprint, the signature's `keyid`.
    pub keyid: String,
    /// The public key as compact JWK JSON (its public members only).
    pub jwk: String,
    /// The signature's `nonce`.
    pub nonce: String,
    /// The signature's `created` (seconds since the epoch).
    pub created: i64,
}

impl Verified {
    /// What the store keeps of it: the nonce is remembered as long as a signature with that
    /// `created` is within the window.
    pub fn signed_by(&self, now: i64, window: i64) -> SignedBy {
        SignedBy {
            keyid: self.keyid.clone(),
            jwk: self.jwk.clone(),
            nonce: self.nonce.clone(),
            nonce_expires_at: self.created.max(now) + window,
            now,
        }
    }
}

/// A request's header fields as signatures see them: lowercase names, values as received.
pub fn header_fields(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// The `@target-uri` the browser posted to: the configured public URL joined with the
/// request's path and query, or without one `http://` + `Host` + path and query.
pub fn target_uri(public_url: Option<&str>, headers: &HeaderMap, uri: &Uri) -> String {
    let path_and_query = uri.path_and_query().map_or("/", |pq| pq.as_str());
    match public_url {
        Some(base) => format!("{}{path_and_query}", base.trim_end_matches('/')),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .or_else(|| uri.authority().map(|a| a.as_str()))
                .unwrap_or_default();
            format!("http://{host}{path_and_query}")
        }
    }
}

/// Whether a signature field carries a `blankett` member (a field that cannot be parsed
/// counts: it is verified, and refused as malformed).
fn has_blankett_member(field: Option<String>) -> bool {
    field.is_some_and(|f| {
        sf::parse_dictionary(&f).map_or(true, |e| e.iter().any(|e| e.key == LABEL))
    })
}

/// Checks the request's digest and signature; `Ok(None)` for an unsigned request that the
/// policy accepts. `now` is the receiver's clock in seconds since the epoch.
pub fn verify_request(
    request: &Message<'_>,
    body: &[u8],
    policy: &Policy,
    now: i64,
) -> Result<Option<Verified>, ApiError> {
    let digest = request.field("content-digest");
    let signed = has_blankett_member(request.field("signature-input"))
        || has_blankett_member(request.field("signature"));
    if !signed && policy.allow_unsigned {
        // An old client: nothing to verify, but a digest it sent must still match.
        if digest.is_some() {
            check_digest(digest.as_deref(), body)?;
        }
        return Ok(None);
    }
    check_digest(digest.as_deref(), body)?;
    let found = find_signature(request, &REQUEST_COMPONENTS, true, now, policy.window)?;
    let key = request
        .field(KEY_HEADER)
        .ok_or_else(|| ApiError::SignatureKey("the request has no Blankett-Key".into()))?;
    let jwk: Value = serde_json::from_str(&key)
        .map_err(|_| ApiError::SignatureKey("Blankett-Key is not a JSON object".into()))?;
    if jwk_thumbprint(&jwk)? != found.keyid {
        return Err(ApiError::SignatureKey(
            "keyid is not the thumbprint of Blankett-Key".into(),
        ));
    }
    // The algorithm is fixed by the key, never by `alg` alone (RFC 9421 section 7.3.6).
    if jwk_alg(&jwk) != Some(found.alg.as_str()) {
        return Err(ApiError::SignatureKey(format!(
            "Blankett-Key is not a key for {}",
            found.alg
        )));
    }
    check_signature(&found.alg, &jwk, found.base.as_bytes(), &found.signature)?;
    Ok(Some(Verified {
        keyid: found.keyid,
        jwk: public_members(&jwk).to_string(),
        nonce: found.nonce.unwrap_or_default(),
        created: found.created,
    }))
}

/// `Content-Digest` against the body: the 400s (an unreadable field is an unsupported one).
fn check_digest(field: Option<&str>, body: &[u8]) -> Result<(), ApiError> {
    check_content_digest(field, body).map_err(|e| match e {
        SigError::Malformed(_) => ApiError::DigestUnsupported,
        e => ApiError::from(e),
    })
}

/// The members of a profile JWK that make the public key (never a private `d` a careless
/// client might send along).
fn public_members(jwk: &Value) -> Value {
    let member = |k: &str| jwk.get(k).cloned().unwrap_or(Value::Null);
    match jwk_alg(jwk) {
        Some(ALG_ES256) => {
            json!({ "crv": member("crv"), "kty": member("kty"), "x": member("x"), "y": member("y") })
        }
        _ => json!({ "crv": member("crv"), "kty": member("kty"), "x": member("x") }),
    }
}

/// A JWK coordinate: base64url of exactly 32 bytes.
fn coordinate(jwk: &Value, name: &str) -> Result<[u8; 32], ApiError> {
    jwk.get(name)
        .and_then(Value::as_str)
        .and_then(base64::decode_url)
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .ok_or_else(|| ApiError::SignatureKey(format!("the key's {name} is not 32 bytes")))
}

/// The cryptography: `signature` over `base` with the public key `jwk`, for `alg`.
fn check_signature(alg: &str, jwk: &Value, base: &[u8], signature: &[u8]) -> Result<(), ApiError> {
    match alg {
        ALG_ES256 => {
            use p256::ecdsa::signature::Verifier as _;
            let mut sec1 = vec![4u8];
            sec1.extend(coordinate(jwk, "x")?);
            sec1.extend(coordinate(jwk, "y")?);
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1)
                .map_err(|_| ApiError::SignatureKey("the key is not a point on P-256".into()))?;
            let signature = p256::ecdsa::Signature::from_slice(signature)
                .map_err(|_| ApiError::SignatureInvalid)?;
            key.verify(base, &signature)
                .map_err(|_| ApiError::SignatureInvalid)
        }
        ALG_ED25519 => {
            let key = ed25519_dalek::VerifyingKey::from_bytes(&coordinate(jwk, "x")?)
                .map_err(|_| ApiError::SignatureKey("the key is not an Ed25519 key".into()))?;
            let signature = ed25519_dalek::Signature::from_slice(signature)
                .map_err(|_| ApiError::SignatureInvalid)?;
            key.verify_strict(base, &signature)
                .map_err(|_| ApiError::SignatureInvalid)
        }
        other => Err(ApiError::SignatureAlgorithm(other.to_owned())),
    }
}

/// The `Idempotency-Key` of the request, which must be the body's `submission_id` as a
/// structured-field string (`"0f8b…"`); `None` when the request has none (a signed request
/// always has one: the signature covers it).
pub fn idempotency_key(
    request: &Message<'_>,
    submission_id: &str,
) -> Result<Option<String>, ApiError> {
    let Some(field) = request.field("idempotency-key") else {
        return Ok(None);
    };
    match sf_string(&field) {
        Some(key) if key == submission_id => Ok(Some(key)),
        _ => Err(ApiError::IdempotencyKeyMismatch),
    }
}

/// A structured-field string item without parameters, read with core's strict parser (as
/// the one member of a dictionary) and required to be written exactly as RFC 8941 writes it.
fn sf_string(field: &str) -> Option<String> {
    let entries = sf::parse_dictionary(&format!("k={field}")).ok()?;
    match entries.as_slice() {
        [
            sf::Entry {
                value:
                    Member::Item(ParamItem {
                        item: item @ Item::String(s),
                        params,
                    }),
                ..
            },
        ] if params.is_empty() && item.serialize() == field => Some(s.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_keys_are_quoted_strings() {
        assert_eq!(sf_string("\"abc-1\"").as_deref(), Some("abc-1"));
        for bad in [
            "abc-1",
            "\"abc-1\";x=1",
            "a, k=\"abc-1\"",
            "\"abc-1",
            "",
            ":AAAA:",
        ] {
            assert_eq!(sf_string(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_target_uri_is_rebuilt() {
        let uri: Uri = "/api/submissions?x=1".parse().unwrap_or_default();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::HOST,
            "127.0.0.1:8080"
                .parse()
                .unwrap_or(header::HeaderValue::from_static("")),
        );
        assert_eq!(
            target_uri(None, &headers, &uri),
            "http://127.0.0.1:8080/api/submissions?x=1"
        );
        assert_eq!(
            target_uri(Some("https://kommun.se/blankett/"), &headers, &uri),
            "https://kommun.se/blankett/api/submissions?x=1"
        );
    }

    #[test]
    fn a_high_s_ecdsa_signature_verifies() {
        // WebCrypto does not normalize s: both halves of the curve order must verify.
        use p256::ecdsa::signature::Signer as _;
        let key = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).expect("a key");
        let point = key.verifying_key().to_encoded_point(false);
        let jwk = json!({ "kty": "EC", "crv": "P-256",
            "x": base64::encode_url(point.x().expect("x")),
            "y": base64::encode_url(point.y().expect("y")) });
        let signature: p256::ecdsa::Signature = key.sign(b"base");
        let (r, s) = signature.split_scalars();
        let flipped = p256::ecdsa::Signature::from_scalars(r, -s).expect("a signature");
        for sig in [signature, flipped] {
            assert!(check_signature(ALG_ES256, &jwk, b"base", &sig.to_bytes()).is_ok());
        }
        assert!(matches!(
            check_signature(ALG_ES256, &jwk, b"other", &signature.to_bytes()),
            Err(ApiError::SignatureInvalid)
        ));
        assert!(matches!(
            check_signature(ALG_ES256, &jwk, b"base", &[0u8; 63]),
            Err(ApiError::SignatureInvalid)
        ));
    }

    #[test]
    fn only_public_members_are_kept() {
        let jwk = json!({ "kty": "OKP", "crv": "Ed25519", "x": "AAAA", "d": "secret" });
        assert_eq!(
            public_members(&jwk).to_string(),
            r#"{"crv":"Ed25519","kty":"OKP","x":"AAAA"}"#
        );
    }
}
