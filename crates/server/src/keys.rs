//! The receiver's own signing key (ECDSA P-256): made on first start and kept in the
//! database (`receiver_keys`), published as a JWK Set at `/.well-known/jwks.json`, and used
//! to sign every receipt (docs/api/signatures.md, "Signed receipts").

use blankett_core::signing::{
    ALG_ES256, Message, SigError, SignatureInput, base64, jwk_thumbprint, signature_base,
    signature_fields,
};
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use serde_json::{Value, json};

use crate::store::{ReceiverKeyRow, Store, StoreError};

/// Why the receiver's key could not be loaded or made.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The database failed.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The stored key is not a P-256 private key.
    #[error("the receiver key {kid} in the database is not a P-256 private key")]
    Corrupt {
        /// The stored key's id.
        kid: String,
    },
}

/// The receiver's signing key, with its public JWK and its thumbprint (`kid`).
pub struct ReceiverKey {
    key: SigningKey,
    kid: String,
    jwk: Value,
}

impl std::fmt::Debug for ReceiverKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceiverKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// The public JWK of a P-256 key: `crv`, `kty`, `x`, `y`, the members its thumbprint hashes.
fn public_jwk(key: &SigningKey) -> Value {
    let point = key.verifying_key().to_encoded_point(false);
    let coordinate =
        |c: Option<&p256::FieldBytes>| c.map_or_else(String::new, |c| base64::encode_url(c));
    json!({
        "kty": "EC",
        "crv": "P-256",
        "x": coordinate(point.x()),
        "y": coordinate(point.y()),
    })
}

impl ReceiverKey {
    /// The key stored in `store`, or a new one made and stored there (on first start);
    /// `now` (RFC 3339) is recorded as its creation time.
    pub fn load_or_create(store: &Store, now: &str) -> Result<ReceiverKey, KeyError> {
        let row = store.receiver_key(
            || {
                let key = SigningKey::random(&mut rand_core::OsRng);
                let jwk = public_jwk(&key);
                ReceiverKeyRow {
                    kid: jwk_thumbprint(&jwk).unwrap_or_default(),
                    private_key: key.to_bytes().to_vec(),
                    jwk: jwk.to_string(),
                }
            },
            now,
        )?;
        let key = SigningKey::from_slice(&row.private_key).map_err(|_| KeyError::Corrupt {
            kid: row.kid.clone(),
        })?;
        let jwk = public_jwk(&key);
        let kid = jwk_thumbprint(&jwk).map_err(|_| KeyError::Corrupt { kid: row.kid })?;
        Ok(ReceiverKey { key, kid, jwk })
    }

    /// The key's RFC 7638 thumbprint: its `kid` in the JWK Set, the receipts' `keyid`.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The JWK Set served at `/.well-known/jwks.json`.
    pub fn jwks(&self) -> Value {
        let mut jwk = self.jwk.clone();
        if let Some(members) = jwk.as_object_mut() {
            members.insert("kid".into(), self.kid.clone().into());
            members.insert("alg".into(), "ES256".into());
            members.insert("use".into(), "sig".into());
        }
        json!({ "keys": [jwk] })
    }

    /// `Signature-Input` and `Signature` for a receipt `response` (whose `request` is the
    /// request it answers), created at `created`. With `bound`, the signature covers the
    /// request's `blankett` signature (`"signature";req;key="blankett"`); an unsigned request
    /// has none, so its receipt covers only `@status`, `content-type` and `content-digest`.
    pub fn sign_receipt(
        &self,
        response: &Message<'_>,
        bound: bool,
        created: i64,
    ) -> Result<(String, String), SigError> {
        let mut input = SignatureInput::receipt(created, &self.kid, ALG_ES256);
        if !bound {
            input.components.truncate(3);
        }
        let base = signature_base(response, &input.components, &input.serialize())?;
        let signature: Signature = self.key.sign(base.as_bytes());
        Ok(signature_fields(&input, &signature.to_bytes()))
    }
}
