//! Blankett's profile of HTTP Message Signatures (RFC 9421) with Content-Digest (RFC 9530):
//! what a submission's signature covers, how its signature base is built, and what a
//! verifier checks before the cryptography. The browser signs the base with WebCrypto and
//! the receiver verifies it with its own crate; both build the base here, so they agree.
//!
//! The profile (also in `docs/api/signatures.md`):
//! - label `blankett`; covered, in this order: `"@method" "@target-uri" "content-type"
//!   "content-digest" "idempotency-key"`; parameters `created`, `nonce`, `keyid`, `alg`;
//! - `alg` is `ecdsa-p256-sha256` (raw `r‖s`, as WebCrypto signs) or `ed25519`; `keyid` is
//!   the RFC 7638 thumbprint of the public JWK, which travels in `Blankett-Key`;
//! - `Content-Digest` is `sha-256` of the body bytes (a verifier also takes `sha-512`);
//! - a receipt (201/200) is signed by the receiver under the same label, covering
//!   `"@status" "content-type" "content-digest" "signature";req;key="blankett"`, which binds
//!   it to the request's signature.

pub mod base64;
pub mod sf;

use sha2::{Digest, Sha256, Sha512};

use sf::{Entry, Item, Member, ParamItem, Params};

/// The signature label of the profile, in requests and receipts.
pub const LABEL: &str = "blankett";
/// ECDSA with P-256 and SHA-256, signatures as raw `r‖s` (64 bytes).
pub const ALG_ES256: &str = "ecdsa-p256-sha256";
/// Ed25519 (RFC 8032).
pub const ALG_ED25519: &str = "ed25519";
/// The request components a submission's signature covers, in order.
pub const REQUEST_COMPONENTS: [&str; 5] = [
    "@method",
    "@target-uri",
    "content-type",
    "content-digest",
    "idempotency-key",
];
/// The header that carries the signer's public key as a JWK (compact JSON).
pub const KEY_HEADER: &str = "blankett-key";

/// `Content-Digest: sha-256=:…:` for a body.
pub fn content_digest(body: &[u8]) -> String {
    format!("sha-256=:{}:", base64::encode(&Sha256::digest(body)))
}

/// SHA-256 of some bytes (for thumbprints and the signature bases the browser hashes).
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Bytes as lowercase hexadecimal (a file's SHA-256 as submissions name it, a nonce).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of some bytes in lowercase hexadecimal: a file's hash as a submission names it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&sha256(bytes))
}

/// Why a signature or digest does not hold, before or instead of the cryptography.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigError {
    /// No `Content-Digest` field.
    #[error("the request has no Content-Digest")]
    MissingDigest,
    /// `Content-Digest` names no algorithm this profile takes (sha-256, sha-512).
    #[error("Content-Digest has no sha-256 or sha-512 value")]
    UnsupportedDigest,
    /// The digest does not match the body received.
    #[error("Content-Digest does not match the body")]
    DigestMismatch,
    /// No `Signature-Input` or `Signature` member labelled `blankett`.
    #[error("the request has no signature labelled \"blankett\"")]
    MissingSignature,
    /// A signature field is not a valid structured field, or has the wrong shape.
    #[error("malformed signature field: {0}")]
    Malformed(String),
    /// A component the profile requires is not covered.
    #[error("the signature does not cover {0}")]
    NotCovered(String),
    /// A parameter the profile requires is missing.
    #[error("the signature has no {0} parameter")]
    MissingParam(&'static str),
    /// An algorithm the profile does not allow.
    #[error("the signature algorithm \"{0}\" is not allowed")]
    UnsupportedAlg(String),
    /// `created` is too far from the verifier's clock.
    #[error("the signature was created {created}, outside the accepted window around {now}")]
    Stale {
        /// The signature's `created`.
        created: i64,
        /// The verifier's time.
        now: i64,
    },
    /// A covered component has no value in the message.
    #[error("the message has no {0}")]
    MissingComponent(String),
    /// The public key is not a JWK of the algorithm, or its thumbprint is not the `keyid`.
    #[error("the public key does not match keyid: {0}")]
    BadKey(String),
}

impl SigError {
    /// A stable machine-readable code for the reason.
    pub fn code(&self) -> &'static str {
        match self {
            SigError::MissingDigest => "digest_missing",
            SigError::UnsupportedDigest => "digest_unsupported",
            SigError::DigestMismatch => "digest_mismatch",
            SigError::MissingSignature => "signature_missing",
            SigError::Malformed(_) => "signature_malformed",
            SigError::NotCovered(_) => "signature_incomplete",
            SigError::MissingParam(_) => "signature_incomplete",
            SigError::UnsupportedAlg(_) => "signature_algorithm",
            SigError::Stale { .. } => "signature_expired",
            SigError::MissingComponent(_) => "signature_incomplete",
            SigError::BadKey(_) => "signature_key",
        }
    }
}

/// Checks a `Content-Digest` field against the body received (sha-256 or sha-512).
pub fn check_content_digest(field: Option<&str>, body: &[u8]) -> Result<(), SigError> {
    let field = field.ok_or(SigError::MissingDigest)?;
    let entries = sf::parse_dictionary(field).map_err(|e| SigError::Malformed(e.to_string()))?;
    let bytes = |alg: &str| {
        entries
            .iter()
            .find(|e| e.key == alg)
            .and_then(|e| match &e.value {
                Member::Item(ParamItem {
                    item: Item::Bytes(b),
                    ..
                }) => Some(b.clone()),
                _ => None,
            })
    };
    let ok = match (bytes("sha-256"), bytes("sha-512")) {
        (Some(d), _) => d == Sha256::digest(body).as_slice(),
        (None, Some(d)) => d == Sha512::digest(body).as_slice(),
        (None, None) => return Err(SigError::UnsupportedDigest),
    };
    ok.then_some(()).ok_or(SigError::DigestMismatch)
}

/// A message as a signature sees it: the request's method and URI, or the response's
/// status, its header fields, and (for a response) the request it answers.
#[derive(Debug, Clone, Default)]
pub struct Message<'a> {
    /// The request method (`POST`).
    pub method: &'a str,
    /// The request's absolute URI as the client sent it (`https://host/path?query`).
    pub target_uri: &'a str,
    /// The response status; `None` for a request.
    pub status: Option<u16>,
    /// Header fields with lowercase names; repeated names are combined with ", ".
    pub fields: &'a [(String, String)],
    /// For a response: the request, for components with `;req`.
    pub request: Option<&'a Message<'a>>,
}

impl Message<'_> {
    /// A field's value: every line of that name, trimmed, joined with ", ".
    pub fn field(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .fields
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }

    fn authority(&self) -> Option<String> {
        let rest = self.target_uri.split_once("://")?.1;
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = rest[..end].rsplit('@').next()?.to_ascii_lowercase();
        // The default port is left out (RFC 9421 section 2.2.3).
        Some(
            authority
                .strip_suffix(":443")
                .filter(|_| self.target_uri.starts_with("https:"))
                .or_else(|| {
                    authority
                        .strip_suffix(":80")
                        .filter(|_| self.target_uri.starts_with("http:"))
                })
                .unwrap_or(&authority)
                .to_owned(),
        )
    }

    fn path_and_query(&self) -> (String, Option<String>) {
        let rest = self
            .target_uri
            .split_once("://")
            .map_or(self.target_uri, |(_, r)| r);
        let after = rest.find('/').map_or("", |i| &rest[i..]);
        let after = after.split('#').next().unwrap_or("");
        match after.split_once('?') {
            Some((path, query)) => (
                if path.is_empty() { "/" } else { path }.to_owned(),
                Some(format!("?{query}")),
            ),
            None => (if after.is_empty() { "/" } else { after }.to_owned(), None),
        }
    }

    /// The value of one covered component (RFC 9421 sections 2.1 and 2.2).
    fn component(&self, c: &ParamItem) -> Result<String, SigError> {
        let Item::String(name) = &c.item else {
            return Err(SigError::Malformed(
                "a component name is not a string".into(),
            ));
        };
        let param = |k: &str| c.params.iter().find(|(n, _)| n == k).map(|(_, v)| v);
        if param("req").is_some() {
            let request = self
                .request
                .ok_or_else(|| SigError::MissingComponent(format!("{name};req")))?;
            let plain = ParamItem {
                item: c.item.clone(),
                params: c
                    .params
                    .iter()
                    .filter(|(k, _)| k != "req")
                    .cloned()
                    .collect(),
            };
            return request.component(&plain);
        }
        let missing = || SigError::MissingComponent(name.clone());
        match name.as_str() {
            "@method" => Ok(self.method.to_owned()),
            "@target-uri" => Ok(self.target_uri.to_owned()),
            "@authority" => self.authority().ok_or_else(missing),
            "@path" => Ok(self.path_and_query().0),
            "@query" => Ok(self.path_and_query().1.unwrap_or_else(|| "?".into())),
            "@status" => self.status.map(|s| s.to_string()).ok_or_else(missing),
            n if n.starts_with('@') => Err(SigError::Malformed(format!(
                "unknown derived component {n}"
            ))),
            n if n.bytes().any(|b| b.is_ascii_uppercase()) => Err(SigError::Malformed(format!(
                "a field name in upper case: {n}"
            ))),
            n => {
                let value = self.field(n).ok_or_else(missing)?;
                match param("key") {
                    Some(Item::String(key)) => {
                        let entries = sf::parse_dictionary(&value)
                            .map_err(|e| SigError::Malformed(e.to_string()))?;
                        let entry = entries
                            .iter()
                            .find(|e| &e.key == key)
                            .ok_or_else(|| SigError::MissingComponent(format!("{n};key={key}")))?;
                        Ok(member_value(entry))
                    }
                    Some(_) => Err(SigError::Malformed("key must be a string".into())),
                    None => Ok(value),
                }
            }
        }
    }
}

/// A dictionary member's value, serialized (for `;key=`).
fn member_value(entry: &Entry) -> String {
    match &entry.value {
        Member::Item(p) => format!("{}{}", p.item.serialize(), sf::serialize_params(&p.params)),
        Member::InnerList(..) => entry.raw.clone(),
    }
}

/// The covered components and parameters of one signature, as a `Signature-Input` member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureInput {
    /// The covered components, in order.
    pub components: Vec<ParamItem>,
    /// The signature parameters, in order.
    pub params: Params,
}

impl SignatureInput {
    /// The profile's request signature input.
    pub fn request(created: i64, nonce: &str, keyid: &str, alg: &str) -> SignatureInput {
        SignatureInput {
            components: REQUEST_COMPONENTS.iter().map(|c| component(c)).collect(),
            params: vec![
                ("created".into(), Item::Integer(created)),
                ("nonce".into(), Item::String(nonce.to_owned())),
                ("keyid".into(), Item::String(keyid.to_owned())),
                ("alg".into(), Item::String(alg.to_owned())),
            ],
        }
    }

    /// The profile's receipt signature input: status, content type and digest, bound to the
    /// request's `blankett` signature.
    pub fn receipt(created: i64, keyid: &str, alg: &str) -> SignatureInput {
        let mut bound = component("signature");
        bound.params = vec![
            ("req".into(), Item::Boolean(true)),
            ("key".into(), Item::String(LABEL.into())),
        ];
        SignatureInput {
            components: vec![
                component("@status"),
                component("content-type"),
                component("content-digest"),
                bound,
            ],
            params: vec![
                ("created".into(), Item::Integer(created)),
                ("keyid".into(), Item::String(keyid.to_owned())),
                ("alg".into(), Item::String(alg.to_owned())),
            ],
        }
    }

    /// The inner list as it goes into `Signature-Input` and the `@signature-params` line.
    pub fn serialize(&self) -> String {
        let items: Vec<String> = self
            .components
            .iter()
            .map(|c| format!("{}{}", c.item.serialize(), sf::serialize_params(&c.params)))
            .collect();
        format!(
            "({}){}",
            items.join(" "),
            sf::serialize_params(&self.params)
        )
    }

    /// A parameter's value.
    pub fn param(&self, name: &str) -> Option<&Item> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

/// A covered component with no parameters.
fn component(name: &str) -> ParamItem {
    ParamItem {
        item: Item::String(name.to_owned()),
        params: Vec::new(),
    }
}

/// The signature base (RFC 9421 section 2.5): one line per covered component, then the
/// `@signature-params` line with `params` exactly as they appear in `Signature-Input`.
pub fn signature_base(
    message: &Message<'_>,
    components: &[ParamItem],
    params: &str,
) -> Result<String, SigError> {
    let mut base = String::new();
    let mut seen: Vec<String> = Vec::new();
    for c in components {
        let id = format!("{}{}", c.item.serialize(), sf::serialize_params(&c.params));
        if seen.contains(&id) {
            return Err(SigError::Malformed(format!("{id} is covered twice")));
        }
        let value = message.component(c)?;
        if value.contains(['\n', '\r']) {
            return Err(SigError::Malformed(format!("{id} has a line break")));
        }
        base.push_str(&format!("{id}: {value}\n"));
        seen.push(id);
    }
    base.push_str(&format!("\"@signature-params\": {params}"));
    Ok(base)
}

/// The two header values for one signature: `Signature-Input` and `Signature`.
pub fn signature_fields(input: &SignatureInput, signature: &[u8]) -> (String, String) {
    (
        format!("{LABEL}={}", input.serialize()),
        format!("{LABEL}=:{}:", base64::encode(signature)),
    )
}

/// A signature found in a message, checked against the profile and ready for the
/// cryptography: the bytes to verify, the signature, and who claims to have made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The signature base the signature must be over.
    pub base: String,
    /// The signature bytes.
    pub signature: Vec<u8>,
    /// The `keyid` parameter.
    pub keyid: String,
    /// The `alg` parameter (one the profile allows).
    pub alg: String,
    /// The `created` parameter (seconds since the Unix epoch).
    pub created: i64,
    /// The `nonce` parameter, when there is one.
    pub nonce: Option<String>,
}

/// Finds the `blankett` signature of `message`, checks that it covers `required` and has
/// `created` within `window` seconds of `now` (and `keyid`, `alg`, and `nonce` when
/// `need_nonce`), and builds its signature base.
pub fn find_signature(
    message: &Message<'_>,
    required: &[&str],
    need_nonce: bool,
    now: i64,
    window: i64,
) -> Result<Found, SigError> {
    let malformed = |e: sf::SfError| SigError::Malformed(e.to_string());
    let inputs = sf::parse_dictionary(
        &message
            .field("signature-input")
            .ok_or(SigError::MissingSignature)?,
    )
    .map_err(malformed)?;
    let signatures = sf::parse_dictionary(
        &message
            .field("signature")
            .ok_or(SigError::MissingSignature)?,
    )
    .map_err(malformed)?;
    let input = inputs
        .iter()
        .find(|e| e.key == LABEL)
        .ok_or(SigError::MissingSignature)?;
    let signature = match signatures.iter().find(|e| e.key == LABEL).map(|e| &e.value) {
        Some(Member::Item(ParamItem {
            item: Item::Bytes(b),
            ..
        })) => b.clone(),
        Some(_) => {
            return Err(SigError::Malformed(
                "the signature is not a byte sequence".into(),
            ));
        }
        None => return Err(SigError::MissingSignature),
    };
    let Member::InnerList(components, params) = &input.value else {
        return Err(SigError::Malformed(
            "Signature-Input is not an inner list".into(),
        ));
    };
    for name in required {
        let covered = components
            .iter()
            .any(|c| c.item == Item::String((*name).to_owned()) && c.params.is_empty());
        if !covered {
            return Err(SigError::NotCovered((*name).to_owned()));
        }
    }
    let param = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v);
    let string = |k: &'static str| match param(k) {
        Some(Item::String(s)) => Ok(s.clone()),
        Some(_) => Err(SigError::Malformed(format!("{k} is not a string"))),
        None => Err(SigError::MissingParam(k)),
    };
    let created = match param("created") {
        Some(Item::Integer(n)) => *n,
        Some(_) => return Err(SigError::Malformed("created is not an integer".into())),
        None => return Err(SigError::MissingParam("created")),
    };
    let keyid = string("keyid")?;
    let alg = string("alg")?;
    if alg != ALG_ES256 && alg != ALG_ED25519 {
        return Err(SigError::UnsupportedAlg(alg));
    }
    let nonce = match string("nonce") {
        Ok(n) => Some(n),
        Err(SigError::MissingParam(_)) if !need_nonce => None,
        Err(e) => return Err(e),
    };
    if (created - now).abs() > window {
        return Err(SigError::Stale { created, now });
    }
    if let Some(Item::Integer(expires)) = param("expires")
        && *expires < now
    {
        return Err(SigError::Stale { created, now });
    }
    let base = signature_base(message, components, &input.raw)?;
    Ok(Found {
        base,
        signature,
        keyid,
        alg,
        created,
        nonce,
    })
}

/// The RFC 7638 thumbprint of a public JWK (EC P-256 or OKP Ed25519): base64url(SHA-256 of
/// its required members in lexicographic order), the profile's `keyid`.
pub fn jwk_thumbprint(jwk: &serde_json::Value) -> Result<String, SigError> {
    let member = |k: &str| {
        jwk.get(k)
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| SigError::BadKey(format!("the JWK has no {k}")))
    };
    let canonical = match (member("kty")?, member("crv")?) {
        ("EC", "P-256") => format!(
            r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
            member("x")?,
            member("y")?
        ),
        ("OKP", "Ed25519") => format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#, member("x")?),
        (kty, crv) => {
            return Err(SigError::BadKey(format!(
                "{kty} {crv} is not a profile key"
            )));
        }
    };
    Ok(base64::encode_url(&sha256(canonical.as_bytes())))
}

/// The algorithm a JWK is for: the verifier fixes it by the key, never by the signature's
/// `alg` parameter alone (RFC 9421 section 7.3.6).
pub fn jwk_alg(jwk: &serde_json::Value) -> Option<&'static str> {
    match (
        jwk.get("kty").and_then(serde_json::Value::as_str),
        jwk.get("crv").and_then(serde_json::Value::as_str),
    ) {
        (Some("EC"), Some("P-256")) => Some(ALG_ES256),
        (Some("OKP"), Some("Ed25519")) => Some(ALG_ED25519),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
