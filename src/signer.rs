//! The device's signing key (WebCrypto) and what it signs and checks: a submission's HTTP
//! Message Signature, and the receiver's signed receipt.
//!
//! The key is generated once per browser profile, non-extractable (its private half can be
//! used, never read, by this site's pages), and kept in IndexedDB. Ed25519 is used where the
//! browser has it, ECDSA P-256 otherwise. What a signature covers and how its base is built
//! is `blankett_core::signing`; this module only holds keys and calls `crypto.subtle`.
//!
//! A host page can supply another signer (e.g. a key its backend bound to an e-ID login):
//! `window.blankettSigner = { jwk, alg, sign(bytes) }`, where `jwk` is the public key as a JWK,
//! `alg` is `"ecdsa-p256-sha256"` or `"ed25519"`, and `sign` returns (a promise of) the raw
//! signature of the bytes given. See docs/api/signatures.md.

use blankett_core::signing::{self, ALG_ED25519, ALG_ES256, base64};
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

use crate::storage::{self, Store};

/// Why nothing could be signed or checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CryptoError(pub String);

fn err(e: JsValue) -> CryptoError {
    CryptoError(
        Reflect::get(&e, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_else(|| format!("{e:?}")),
    )
}

/// Who signs: the device's key, or the host page's signer.
#[derive(Debug, Clone)]
pub struct Signer {
    /// The public key as a JWK.
    pub jwk: serde_json::Value,
    /// Its RFC 7638 thumbprint, the signature's `keyid`.
    pub keyid: String,
    /// The profile algorithm.
    pub alg: &'static str,
    how: How,
}

#[derive(Debug, Clone)]
enum How {
    Device(CryptoKey),
    Host(Function),
}

fn subtle() -> Result<SubtleCrypto, CryptoError> {
    Ok(web_sys::window()
        .ok_or_else(|| CryptoError("no window".into()))?
        .crypto()
        .map_err(err)?
        .subtle())
}

async fn wait(p: Result<Promise, JsValue>) -> Result<JsValue, CryptoError> {
    JsFuture::from(p.map_err(err)?).await.map_err(err)
}

fn object(pairs: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &(*k).into(), v);
    }
    o
}

/// The WebCrypto algorithm object for generating or importing a key of `alg`.
fn key_algorithm(alg: &str) -> Object {
    if alg == ALG_ED25519 {
        object(&[("name", "Ed25519".into())])
    } else {
        object(&[("name", "ECDSA".into()), ("namedCurve", "P-256".into())])
    }
}

/// The WebCrypto algorithm object for signing or verifying with `alg`.
fn sign_algorithm(alg: &str) -> Object {
    if alg == ALG_ED25519 {
        object(&[("name", "Ed25519".into())])
    } else {
        object(&[("name", "ECDSA".into()), ("hash", "SHA-256".into())])
    }
}

/// Random bytes from the browser's CSPRNG, base64url (a signature's `nonce`).
pub fn nonce() -> String {
    let mut bytes = [0u8; 16];
    if let Some(c) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = c.get_random_values_with_u8_array(&mut bytes);
    }
    base64::encode_url(&bytes)
}

impl Signer {
    /// The host page's signer if it set one, else the device's key (made on first use).
    pub async fn get() -> Result<Signer, CryptoError> {
        if let Some(host) = host_signer() {
            return host;
        }
        device_key().await
    }

    /// Signs `bytes` (a signature base) and returns the raw signature.
    pub async fn sign(&self, bytes: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let signed = match &self.how {
            How::Device(key) => {
                wait(subtle()?.sign_with_object_and_u8_array(&sign_algorithm(self.alg), key, bytes))
                    .await?
            }
            How::Host(sign) => {
                let value = sign
                    .call1(&JsValue::NULL, &Uint8Array::from(bytes))
                    .map_err(err)?;
                match value.dyn_into::<Promise>() {
                    Ok(p) => JsFuture::from(p).await.map_err(err)?,
                    Err(v) => v,
                }
            }
        };
        Ok(Uint8Array::new(&signed).to_vec())
    }
}

/// `window.blankettSigner`, checked.
fn host_signer() -> Option<Result<Signer, CryptoError>> {
    let window: JsValue = web_sys::window()?.into();
    let host = Reflect::get(&window, &"blankettSigner".into()).ok()?;
    if host.is_undefined() || host.is_null() {
        return None;
    }
    let check = || -> Result<Signer, CryptoError> {
        let get = |k: &str| Reflect::get(&host, &k.into()).unwrap_or(JsValue::UNDEFINED);
        let jwk: serde_json::Value = js_sys::JSON::stringify(&get("jwk"))
            .ok()
            .and_then(|s| s.as_string())
            .and_then(|s| serde_json::from_str(&s).ok())
            .ok_or_else(|| CryptoError("blankettSigner.jwk is not a JWK".into()))?;
        let alg = match get("alg").as_string().as_deref() {
            Some(ALG_ES256) => ALG_ES256,
            Some(ALG_ED25519) => ALG_ED25519,
            other => {
                return Err(CryptoError(format!(
                    "blankettSigner.alg {other:?} is not allowed"
                )));
            }
        };
        if signing::jwk_alg(&jwk) != Some(alg) {
            return Err(CryptoError(
                "blankettSigner.jwk is not a key for its alg".into(),
            ));
        }
        let sign = get("sign")
            .dyn_into::<Function>()
            .map_err(|_| CryptoError("blankettSigner.sign is not a function".into()))?;
        let keyid = signing::jwk_thumbprint(&jwk).map_err(|e| CryptoError(e.to_string()))?;
        Ok(Signer {
            jwk,
            keyid,
            alg,
            how: How::Host(sign),
        })
    };
    Some(check())
}

/// The device's key pair from IndexedDB, or a new one kept there.
async fn device_key() -> Result<Signer, CryptoError> {
    if let Ok(Some(stored)) = storage::get(Store::Keys, "device").await
        && let Some(signer) = from_stored(&stored).await
    {
        return Ok(signer);
    }
    let (pair, alg) = match generate(ALG_ED25519).await {
        Ok(pair) => (pair, ALG_ED25519),
        Err(_) => (generate(ALG_ES256).await?, ALG_ES256),
    };
    let stored = object(&[
        (
            "privateKey",
            Reflect::get(&pair, &"privateKey".into()).map_err(err)?,
        ),
        (
            "publicKey",
            Reflect::get(&pair, &"publicKey".into()).map_err(err)?,
        ),
        ("alg", alg.into()),
    ]);
    // A browser that cannot keep keys (some private modes) signs with this one for the session.
    let _ = storage::put(Store::Keys, "device", &stored).await;
    from_stored(&stored)
        .await
        .ok_or_else(|| CryptoError("the new key could not be read".into()))
}

async fn generate(alg: &str) -> Result<JsValue, CryptoError> {
    let usages = Array::of2(&"sign".into(), &"verify".into());
    wait(subtle()?.generate_key_with_object(&key_algorithm(alg), false, &usages)).await
}

/// A signer from a stored `{privateKey, publicKey, alg}`.
async fn from_stored(stored: &JsValue) -> Option<Signer> {
    let private: CryptoKey = Reflect::get(stored, &"privateKey".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let public: CryptoKey = Reflect::get(stored, &"publicKey".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let alg = match Reflect::get(stored, &"alg".into())
        .ok()?
        .as_string()?
        .as_str()
    {
        ALG_ED25519 => ALG_ED25519,
        _ => ALG_ES256,
    };
    let exported = wait(subtle().ok()?.export_key("jwk", &public)).await.ok()?;
    let text = js_sys::JSON::stringify(&exported).ok()?.as_string()?;
    let full: serde_json::Value = serde_json::from_str(&text).ok()?;
    // Only the public members: what travels in Blankett-Key.
    let mut jwk = serde_json::Map::new();
    for k in ["kty", "crv", "x", "y"] {
        if let Some(v) = full.get(k) {
            jwk.insert(k.to_owned(), v.clone());
        }
    }
    let jwk = serde_json::Value::Object(jwk);
    let keyid = signing::jwk_thumbprint(&jwk).ok()?;
    Some(Signer {
        jwk,
        keyid,
        alg,
        how: How::Device(private),
    })
}

/// Checks `signature` over `data` with a receiver's public key (a JWK of `alg`).
pub async fn verify(
    jwk: &serde_json::Value,
    alg: &str,
    signature: &[u8],
    data: &[u8],
) -> Result<bool, CryptoError> {
    let key_data = js_sys::JSON::parse(&jwk.to_string())
        .map_err(err)?
        .dyn_into::<Object>()
        .map_err(err)?;
    let usages = Array::of1(&"verify".into());
    let key: CryptoKey = wait(subtle()?.import_key_with_object(
        "jwk",
        &key_data,
        &key_algorithm(alg),
        false,
        &usages,
    ))
    .await?
    .dyn_into()
    .map_err(err)?;
    let ok = wait(subtle()?.verify_with_object_and_u8_array_and_u8_array(
        &sign_algorithm(alg),
        &key,
        signature,
        data,
    ))
    .await?;
    Ok(ok.as_bool().unwrap_or(false))
}
