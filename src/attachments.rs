//! Files a citizen attaches: read from the file chooser, made smaller when the form asks,
//! typed by their content, hashed, and kept on the device (IndexedDB, as Blobs) until they are
//! delivered. What a file reference holds and which files a field takes is core's business
//! (`blankett_core::files`); this module only does the browser's part.
//!
//! A file is kept under the SHA-256 of its bytes, so the same photo attached to two drafts is
//! stored once. Files no draft and no submission on its way names any more are deleted
//! ([`collect_garbage`]), after a grace period that covers a file another tab has just
//! attached but not yet saved in its draft.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use blankett_core::definition::{Downscale, FileRules};
use blankett_core::files::{FileRef, FileType, SNIFF_LEN, clean_name, sniff};
use blankett_core::{Answer, Answers, Draft};
use js_sys::{ArrayBuffer, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::storage::{self, Store};
use crate::{browser, outbox};

/// How long a kept file no draft names is spared: another tab may have just attached it.
const GRACE_MS: u64 = 10 * 60 * 1000;

thread_local! {
    /// The files taken on this page, by hash: a file is sent from here when the device's
    /// storage cannot keep it (blocked, private mode, full), so the form still works for as
    /// long as the page is open.
    static TAKEN: RefCell<HashMap<String, web_sys::Blob>> = RefCell::new(HashMap::new());
}

/// Why a chosen file could not be taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TakeError {
    /// The browser could not read the file (moved, deleted, or a permission).
    Unreadable,
}

/// Reads a chosen file and returns its reference. A JPEG photo larger than the field's
/// `downscale` is made smaller first. The type comes from the first bytes, never from the
/// name. A file the field can take is kept on the device; one it cannot (a type not
/// accepted, or larger than allowed) is not read whole nor kept: its reference is enough for
/// the session to say what is wrong, and it can never be sent.
pub async fn take(file: &web_sys::File, rules: &FileRules) -> Result<FileRef, TakeError> {
    let name = clean_name(&file.name());
    let mut blob: web_sys::Blob = file.clone().into();
    let head = bytes(&blob, Some(SNIFF_LEN)).await?;
    let kind = sniff(&head, &name);
    let mime = kind.map_or("application/octet-stream", FileType::mime);
    if let (Some(scale), Some(FileType::Jpeg)) = (rules.downscale, kind)
        && let Some(smaller) = downscale(&blob, scale).await
        && smaller.size() < blob.size()
    {
        blob = smaller;
    }
    let size = blob.size() as u64;
    let acceptable = kind.is_some_and(|k| rules.accepts(k)) && size <= rules.max_file_size;
    if !acceptable || size == 0 {
        // Never sent: a stand-in hash, unique to this choice, without reading the whole file.
        let stand_in = format!("{name}\u{0}{size}\u{0}{}", file.last_modified());
        let sha256 = digest_hex(&Uint8Array::from(stand_in.as_bytes()).buffer()).await?;
        return Ok(FileRef {
            name,
            media_type: mime.to_owned(),
            size,
            sha256,
        });
    }
    let buffer = array_buffer(&blob).await?;
    let sha256 = digest_hex(&buffer).await?;
    TAKEN.with(|t| t.borrow_mut().insert(sha256.clone(), blob.clone()));
    let record = Object::new();
    let _ = Reflect::set(&record, &"blob".into(), &blob);
    let _ = Reflect::set(
        &record,
        &"stored_at".into(),
        &(browser::now_ms() as f64).into(),
    );
    // Storage that cannot be used is said by the drafts' status; the file is kept on the page.
    let _ = storage::put(Store::Files, &sha256, &record).await;
    Ok(FileRef {
        name,
        media_type: mime.to_owned(),
        size,
        sha256,
    })
}

/// The kept Blob of a file, by its hash.
pub async fn blob(sha256: &str) -> Option<web_sys::Blob> {
    if let Some(blob) = TAKEN.with(|t| t.borrow().get(sha256).cloned()) {
        return Some(blob);
    }
    let record = storage::get(Store::Files, sha256).await.ok()??;
    Reflect::get(&record, &"blob".into())
        .ok()?
        .dyn_into::<web_sys::Blob>()
        .ok()
}

/// Which of `files` are no longer on the device (the browser's storage was cleared).
pub async fn missing(files: &[FileRef]) -> Vec<FileRef> {
    let mut kept: HashSet<String> = storage::keys(Store::Files)
        .await
        .unwrap_or_default()
        .into_iter()
        .collect();
    TAKEN.with(|t| kept.extend(t.borrow().keys().cloned()));
    files
        .iter()
        .filter(|f| !kept.contains(&f.sha256))
        .cloned()
        .collect()
}

/// Deletes every kept file that no draft and no submission waiting in the outbox names,
/// once it has been kept longer than the grace period.
pub async fn collect_garbage() {
    let Ok(kept) = storage::keys(Store::Files).await else {
        return;
    };
    if kept.is_empty() {
        return;
    }
    let mut named: HashSet<String> = HashSet::new();
    for stored in storage::drafts().await.unwrap_or_default() {
        if let Ok(draft) = Draft::from_json(&stored.draft) {
            collect_named(&draft.answers, &mut named);
        }
    }
    for item in outbox::waiting().await {
        named.extend(item.files.iter().map(|f| f.sha256.clone()));
    }
    let now = browser::now_ms();
    for sha256 in kept.into_iter().filter(|k| !named.contains(k)) {
        let stored_at = storage::get(Store::Files, &sha256)
            .await
            .ok()
            .flatten()
            .and_then(|r| Reflect::get(&r, &"stored_at".into()).ok())
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0) as u64;
        if now.saturating_sub(stored_at) > GRACE_MS {
            let _ = storage::delete(Store::Files, &sha256).await;
        }
    }
}

/// Every file hash named in `answers`, rows of repeating groups included.
fn collect_named(answers: &Answers, out: &mut HashSet<String>) {
    for (_, answer) in answers.iter() {
        match answer {
            Answer::Files(files) => out.extend(files.iter().map(|f| f.sha256.clone())),
            Answer::Rows(rows) => rows.iter().for_each(|r| collect_named(r, out)),
            Answer::Text(_) | Answer::Choices(_) => {}
        }
    }
}

/// The bytes of a Blob (the first `limit` only, when given).
async fn bytes(blob: &web_sys::Blob, limit: Option<usize>) -> Result<Vec<u8>, TakeError> {
    let part = match limit {
        Some(n) => blob
            .slice_with_f64_and_f64(0.0, n as f64)
            .map_err(|_| TakeError::Unreadable)?,
        None => blob.clone(),
    };
    let buffer: wasm_bindgen::JsValue = array_buffer(&part).await?.into();
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// A Blob's bytes as an `ArrayBuffer` (they stay on the JavaScript side).
async fn array_buffer(blob: &web_sys::Blob) -> Result<ArrayBuffer, TakeError> {
    JsFuture::from(blob.array_buffer())
        .await
        .map(|b| b.unchecked_into())
        .map_err(|_| TakeError::Unreadable)
}

/// The SHA-256 of the bytes, as 64 lowercase hexadecimal digits (WebCrypto, off the page's
/// thread where the browser can).
async fn digest_hex(buffer: &ArrayBuffer) -> Result<String, TakeError> {
    let subtle = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.subtle())
        .ok_or(TakeError::Unreadable)?;
    let promise = subtle
        .digest_with_str_and_buffer_source("SHA-256", buffer)
        .map_err(|_| TakeError::Unreadable)?;
    let digest = JsFuture::from(promise)
        .await
        .map_err(|_| TakeError::Unreadable)?;
    Ok(blankett_core::signing::hex(
        &Uint8Array::new(&digest).to_vec(),
    ))
}

/// A JPEG copy of a photo whose longest side is at most `scale.max_side` (the photo turned
/// as its EXIF says, which `createImageBitmap` does); `None` when the photo is small enough
/// already or the browser cannot draw it.
async fn downscale(blob: &web_sys::Blob, scale: Downscale) -> Option<web_sys::Blob> {
    let window = web_sys::window()?;
    let bitmap: web_sys::ImageBitmap =
        JsFuture::from(window.create_image_bitmap_with_blob(blob).ok()?)
            .await
            .ok()?
            .dyn_into()
            .ok()?;
    let (w, h) = (bitmap.width(), bitmap.height());
    let longest = w.max(h);
    if longest <= scale.max_side || longest == 0 {
        bitmap.close();
        return None;
    }
    let ratio = f64::from(scale.max_side) / f64::from(longest);
    let (nw, nh) = (
        ((f64::from(w) * ratio).round() as u32).max(1),
        ((f64::from(h) * ratio).round() as u32).max(1),
    );
    let canvas: web_sys::HtmlCanvasElement = window
        .document()?
        .create_element("canvas")
        .ok()?
        .dyn_into()
        .ok()?;
    canvas.set_width(nw);
    canvas.set_height(nh);
    let context: web_sys::CanvasRenderingContext2d =
        canvas.get_context("2d").ok()??.dyn_into().ok()?;
    context
        .draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, 0.0, 0.0, f64::from(nw), f64::from(nh))
        .ok()?;
    bitmap.close();
    let quality = f64::from(scale.jpeg_quality) / 100.0;
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let callback = wasm_bindgen::closure::Closure::once_into_js(move |b: JsValue| {
            let _ = resolve.call1(&JsValue::NULL, &b);
        });
        let _ = canvas.to_blob_with_type_and_encoder_options(
            callback.unchecked_ref(),
            "image/jpeg",
            &quality.into(),
        );
    });
    JsFuture::from(promise).await.ok()?.dyn_into().ok()
}
