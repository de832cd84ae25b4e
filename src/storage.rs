//! The device's IndexedDB, for drafts (and the definitions they were made with).
//!
//! IndexedDB, not localStorage: a localStorage write made a moment before the browser is
//! killed is lost, while a committed IndexedDB transaction survives. Every write here waits
//! for its transaction's `complete` event, asked for with `durability: "strict"` where the
//! browser has it, before it reports success, so "Sparat" is only said of what is on disk.
//! What a draft holds is core's business ([`blankett_core::Draft`]); this module only
//! stores text under keys.

use std::cell::RefCell;

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbObjectStoreParameters, IdbRequest, IdbTransaction};

const DB_NAME: &str = "blankett";
const DB_VERSION: u32 = 3;
/// Drafts by draft id: `{ "draft": <draft JSON>, "source": <the definition's address> }`.
const DRAFTS: &str = "drafts";
/// Definition texts by `<form id>@<version>`, so a draft made under an older version can
/// name the questions it loses.
const DEFINITIONS: &str = "definitions";
/// Every store, for creating them and for deleting everything.
const ALL: [&str; 6] = [DRAFTS, DEFINITIONS, "keys", "outbox", "receipts", "files"];

/// The stores other modules keep values in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    /// The device's signing key pair (`CryptoKey`s, which never leave the browser).
    Keys,
    /// Submissions on their way to the receiver, by submission id.
    Outbox,
    /// Receipts, with the submission as sent, by reference.
    Receipts,
    /// Attached files (`{ blob, stored_at }`), by the SHA-256 of their bytes.
    Files,
}

impl Store {
    fn name(self) -> &'static str {
        match self {
            Store::Keys => "keys",
            Store::Outbox => "outbox",
            Store::Receipts => "receipts",
            Store::Files => "files",
        }
    }
}

/// Why the device's storage could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageError {
    /// No IndexedDB here: blocked by the browser's settings or a private window.
    Unavailable(String),
    /// The device (or the browser's share of it) is full.
    Full,
    /// Anything else that failed, with the browser's words.
    Failed(String),
}

impl StorageError {
    fn from_js(e: &JsValue) -> StorageError {
        let name = Reflect::get(e, &"name".into())
            .ok()
            .and_then(|n| n.as_string())
            .unwrap_or_default();
        let message = Reflect::get(e, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_else(|| format!("{e:?}"));
        match name.as_str() {
            "QuotaExceededError" => StorageError::Full,
            "InvalidStateError" | "SecurityError" | "UnknownError" => {
                StorageError::Unavailable(message)
            }
            _ => StorageError::Failed(if name.is_empty() {
                message
            } else {
                format!("{name}: {message}")
            }),
        }
    }
}

/// One stored draft, as text, with the address its definition was loaded from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDraft {
    /// The draft's JSON ([`blankett_core::Draft`]).
    pub draft: String,
    /// The definition's address, to open the form again.
    pub source: String,
}

#[wasm_bindgen]
extern "C" {
    /// An `IDBDatabase`, for the one call web-sys's stable API lacks.
    type Database;

    /// `IDBDatabase.transaction(stores, mode, options)`: `durability` is not in web-sys's
    /// stable API yet.
    #[wasm_bindgen(method, catch, js_name = transaction)]
    fn transaction_with_options(
        this: &Database,
        stores: &JsValue,
        mode: &str,
        options: &JsValue,
    ) -> Result<IdbTransaction, JsValue>;
}

thread_local! {
    /// The open database, shared by every form on the page.
    static DB: RefCell<Option<IdbDatabase>> = const { RefCell::new(None) };
}

/// Resolves with a request's result, or fails with its error.
async fn request(req: &IdbRequest) -> Result<JsValue, StorageError> {
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        let ok = Closure::once_into_js(move |e: web_sys::Event| {
            let result = e
                .target()
                .and_then(|t| t.dyn_into::<IdbRequest>().ok())
                .and_then(|r| r.result().ok())
                .unwrap_or(JsValue::UNDEFINED);
            let _ = resolve.call1(&JsValue::NULL, &result);
        });
        let failed = Closure::once_into_js(move |e: web_sys::Event| {
            let error = e
                .target()
                .and_then(|t| t.dyn_into::<IdbRequest>().ok())
                .and_then(|r| r.error().ok().flatten())
                .map_or(JsValue::NULL, JsValue::from);
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        req.set_onsuccess(Some(ok.unchecked_ref()));
        req.set_onerror(Some(failed.unchecked_ref()));
    });
    JsFuture::from(promise)
        .await
        .map_err(|e| StorageError::from_js(&e))
}

/// Resolves when a transaction has committed (its writes are on disk), or fails when it
/// aborted.
async fn committed(tx: &IdbTransaction) -> Result<(), StorageError> {
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        let done = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let tx_for_error = tx.clone();
        let failed = Closure::<dyn FnMut()>::new(move || {
            let error = tx_for_error.error().map_or(JsValue::NULL, JsValue::from);
            let _ = reject.call1(&JsValue::NULL, &error);
        })
        .into_js_value();
        tx.set_oncomplete(Some(done.unchecked_ref()));
        tx.set_onerror(Some(failed.unchecked_ref()));
        tx.set_onabort(Some(failed.unchecked_ref()));
    });
    JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|e| StorageError::from_js(&e))
}

/// The database, opened (and created or upgraded) on first use.
async fn db() -> Result<IdbDatabase, StorageError> {
    if let Some(db) = DB.with(|d| d.borrow().clone()) {
        return Ok(db);
    }
    let factory = web_sys::window()
        .ok_or_else(|| StorageError::Unavailable("no window".into()))?
        .indexed_db()
        .map_err(|e| StorageError::from_js(&e))?
        .ok_or_else(|| StorageError::Unavailable("IndexedDB is not available".into()))?;
    let open = factory
        .open_with_u32(DB_NAME, DB_VERSION)
        .map_err(|e| StorageError::from_js(&e))?;
    let upgrade = Closure::<dyn FnMut(web_sys::IdbVersionChangeEvent)>::new(
        move |e: web_sys::IdbVersionChangeEvent| {
            let Some(db) = e
                .target()
                .and_then(|t| t.dyn_into::<IdbRequest>().ok())
                .and_then(|r| r.result().ok())
                .and_then(|r| r.dyn_into::<IdbDatabase>().ok())
            else {
                return;
            };
            let names = db.object_store_names();
            for store in ALL {
                if !names.contains(store) {
                    let _ = db.create_object_store_with_optional_parameters(
                        store,
                        &IdbObjectStoreParameters::new(),
                    );
                }
            }
        },
    );
    open.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let result = request(&open).await;
    drop(upgrade);
    let db: IdbDatabase = result?
        .dyn_into()
        .map_err(|_| StorageError::Failed("the database did not open".into()))?;
    // Another tab deleting or upgrading the database: let it, and open again when needed.
    let closing = db.clone();
    let on_version_change = Closure::<dyn FnMut()>::new(move || {
        closing.close();
        DB.with(|d| d.borrow_mut().take());
    })
    .into_js_value();
    db.set_onversionchange(Some(on_version_change.unchecked_ref()));
    DB.with(|d| *d.borrow_mut() = Some(db.clone()));
    Ok(db)
}

/// A read-write transaction on `stores` that commits durably.
async fn write(stores: &[&str]) -> Result<IdbTransaction, StorageError> {
    let db = db().await?;
    let names: Array = stores.iter().map(|s| JsValue::from_str(s)).collect();
    let options = Object::new();
    let _ = Reflect::set(&options, &"durability".into(), &"strict".into());
    db.unchecked_ref::<Database>()
        .transaction_with_options(&names, "readwrite", &options)
        .map_err(|e| StorageError::from_js(&e))
}

/// A read-only transaction on one store.
async fn read(store: &str) -> Result<web_sys::IdbObjectStore, StorageError> {
    let db = db().await?;
    db.transaction_with_str(store)
        .and_then(|tx| tx.object_store(store))
        .map_err(|e| StorageError::from_js(&e))
}

/// A write on its way to disk.
pub struct Pending(IdbTransaction);

impl Pending {
    /// Waits until the write is committed to disk.
    pub async fn committed(self) -> Result<(), StorageError> {
        committed(&self.0).await
    }
}

/// Starts storing a draft under its id (the request is made before this returns, so what
/// stays is disk work off the page's thread); [`Pending::committed`] says when it is on disk.
pub async fn put_draft(id: &str, stored: &StoredDraft) -> Result<Pending, StorageError> {
    let tx = write(&[DRAFTS]).await?;
    let record = Object::new();
    let _ = Reflect::set(&record, &"draft".into(), &stored.draft.as_str().into());
    let _ = Reflect::set(&record, &"source".into(), &stored.source.as_str().into());
    tx.object_store(DRAFTS)
        .and_then(|s| s.put_with_key(&record, &id.into()))
        .map_err(|e| StorageError::from_js(&e))?;
    Ok(Pending(tx))
}

/// Every stored draft, in no particular order.
pub async fn drafts() -> Result<Vec<StoredDraft>, StorageError> {
    let store = read(DRAFTS).await?;
    let all = request(&store.get_all().map_err(|e| StorageError::from_js(&e))?).await?;
    let field = |record: &JsValue, name: &str| {
        Reflect::get(record, &name.into())
            .ok()
            .and_then(|v| v.as_string())
    };
    Ok(Array::from(&all)
        .iter()
        .filter_map(|record| {
            Some(StoredDraft {
                draft: field(&record, "draft")?,
                source: field(&record, "source").unwrap_or_default(),
            })
        })
        .collect())
}

/// Deletes one draft; returns once that is committed.
pub async fn delete_draft(id: &str) -> Result<(), StorageError> {
    let tx = write(&[DRAFTS]).await?;
    tx.object_store(DRAFTS)
        .and_then(|s| s.delete(&id.into()))
        .map_err(|e| StorageError::from_js(&e))?;
    committed(&tx).await
}

/// Keeps a definition's text under `<form id>@<version>`.
pub async fn put_definition(key: &str, text: &str) -> Result<(), StorageError> {
    let tx = write(&[DEFINITIONS]).await?;
    tx.object_store(DEFINITIONS)
        .and_then(|s| s.put_with_key(&text.into(), &key.into()))
        .map_err(|e| StorageError::from_js(&e))?;
    committed(&tx).await
}

/// A definition kept by [`put_definition`].
pub async fn definition(key: &str) -> Option<String> {
    let store = read(DEFINITIONS).await.ok()?;
    let req = store.get(&key.into()).ok()?;
    request(&req).await.ok()?.as_string()
}

/// Stores `value` (any structured-clonable value, a `CryptoKey` too) under `key`; returns
/// once it is committed to disk.
pub async fn put(store: Store, key: &str, value: &JsValue) -> Result<(), StorageError> {
    let tx = write(&[store.name()]).await?;
    tx.object_store(store.name())
        .and_then(|s| s.put_with_key(value, &key.into()))
        .map_err(|e| StorageError::from_js(&e))?;
    committed(&tx).await
}

/// The value under `key`, if any.
pub async fn get(store: Store, key: &str) -> Result<Option<JsValue>, StorageError> {
    let req = read(store.name())
        .await?
        .get(&key.into())
        .map_err(|e| StorageError::from_js(&e))?;
    let value = request(&req).await?;
    Ok((!value.is_undefined()).then_some(value))
}

/// Every key of a store.
pub async fn keys(store: Store) -> Result<Vec<String>, StorageError> {
    let req = read(store.name())
        .await?
        .get_all_keys()
        .map_err(|e| StorageError::from_js(&e))?;
    Ok(Array::from(&request(&req).await?)
        .iter()
        .filter_map(|k| k.as_string())
        .collect())
}

/// Every value of a store.
pub async fn all(store: Store) -> Result<Vec<JsValue>, StorageError> {
    let req = read(store.name())
        .await?
        .get_all()
        .map_err(|e| StorageError::from_js(&e))?;
    Ok(Array::from(&request(&req).await?).iter().collect())
}

/// Deletes the value under `key`; returns once that is committed.
pub async fn delete(store: Store, key: &str) -> Result<(), StorageError> {
    let tx = write(&[store.name()]).await?;
    tx.object_store(store.name())
        .and_then(|s| s.delete(&key.into()))
        .map_err(|e| StorageError::from_js(&e))?;
    committed(&tx).await
}

/// Deletes everything this app keeps in IndexedDB on this device: drafts, the definitions
/// kept with them, attached files, submissions waiting to be sent, receipts and the device's
/// key.
pub async fn clear_all() -> Result<(), StorageError> {
    let tx = write(&ALL).await?;
    for store in ALL {
        tx.object_store(store)
            .and_then(|s| s.clear())
            .map_err(|e| StorageError::from_js(&e))?;
    }
    committed(&tx).await
}

/// Asks the browser to keep this site's storage under storage pressure (it may decline).
pub async fn ask_persistent() -> bool {
    let Some(storage) = web_sys::window().map(|w| w.navigator().storage()) else {
        return false;
    };
    let Ok(promise) = storage.persist() else {
        return false;
    };
    JsFuture::from(promise)
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}
