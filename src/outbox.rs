//! Submissions on their way to the receiver, delivered exactly once.
//!
//! Submit writes the submission (its exact body bytes and its id, which is also its
//! `Idempotency-Key`) to an outbox in IndexedDB before the first byte is sent. Each attempt
//! is signed anew (fresh `created` and `nonce`, `blankett_core::signing`), and the body never
//! changes, so a receiver that already stored an earlier attempt answers with the same
//! receipt. A submission that gets no usable answer stays in the outbox and is sent again on
//! the next start of the app, when the device comes online, when the page becomes visible,
//! and on a timer that backs off (with jitter) after each failed attempt; one tab at a time
//! does this (Web Locks). A receipt is checked against the receiver's published key, kept on
//! the device with what was sent, and only then is the submission taken out of the outbox
//! and its draft deleted.
//!
//! Attached files go first, each as its own signed upload (`PUT <submit url>/<submission
//! id>/files/<sha256>`, its `Content-Digest` the file's hash), then the submission that names
//! them. The outbox item lists the files already uploaded, so a retry after a cut connection
//! uploads only what is missing; a receiver that lost them (`files_missing`) gets them again.

use std::time::Duration;

use blankett_core::files::FileRef;
use blankett_core::signing::{self, Message, SignatureInput};
use blankett_core::{Draft, Localized, Receipt, SendOutcome, Submission, Text};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};

use crate::net::{self, Reply};
use crate::signer::Signer;
use crate::storage::{self, Store};
use crate::{browser, tabs};

/// The first wait after a failed attempt; it doubles with each attempt.
const FIRST_RETRY_MS: f64 = 5_000.0;
/// The longest wait between attempts.
const LONGEST_RETRY_MS: f64 = 600_000.0;

/// One submission in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// The submission's id, also its `Idempotency-Key` and the key in the outbox.
    pub submission_id: String,
    /// Where it is posted (absolute).
    pub url: String,
    /// The canonical submission JSON, byte for byte what is sent every time.
    pub body: String,
    /// The form's id and title, to say what is waiting.
    pub form_id: String,
    /// The form's title.
    pub title: Text,
    /// When it was put in the outbox (ms since the Unix epoch).
    pub queued_at: u64,
    /// Attempts made so far.
    pub attempts: u32,
    /// The earliest time of the next attempt (ms since the Unix epoch).
    pub next_at: u64,
    /// The files the submission names, uploaded before it.
    #[serde(default)]
    pub files: Vec<FileRef>,
    /// The hashes of the files the receiver has confirmed.
    #[serde(default)]
    pub uploaded: Vec<String>,
}

impl Item {
    /// A new outbox item for `submission`, posted to `url`, with the files it names.
    pub fn new(submission: &Submission, url: String, title: Text, files: Vec<FileRef>) -> Item {
        Item {
            submission_id: submission.submission_id.clone(),
            url,
            body: submission.to_canonical_json(),
            form_id: submission.form_id.clone(),
            title,
            queued_at: browser::now_ms(),
            attempts: 0,
            next_at: 0,
            files,
            uploaded: Vec::new(),
        }
    }

    /// Where one of its files is uploaded: beside the submission's address.
    fn file_url(&self, sha256: &str) -> String {
        format!(
            "{}/{}/files/{sha256}",
            self.url.trim_end_matches('/'),
            self.submission_id
        )
    }
}

/// A receipt kept on the device with what was sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeptReceipt {
    /// The receipt.
    pub receipt: Receipt,
    /// The form's id and title.
    pub form_id: String,
    /// The form's title.
    pub title: Text,
    /// The submission exactly as sent.
    pub sent: String,
    /// Whether the receiver signed it and the signature checked out against its published key.
    pub verified: bool,
    /// The receipt response's header fields and body, to prove it later.
    pub response_headers: Vec<(String, String)>,
    /// The receipt response's body.
    pub response_body: String,
}

/// What the outbox says to the pages: how many submissions wait, and the last delivered.
#[derive(Debug, Clone, Copy)]
pub struct Outbox {
    /// How many submissions are waiting to be sent.
    pub waiting: RwSignal<usize>,
    /// The last submission delivered in the background: its id and receipt.
    pub delivered: RwSignal<Option<(String, Receipt)>>,
    timer: StoredValue<Option<TimeoutHandle>>,
}

impl Outbox {
    /// Starts the outbox for this page: sends what waits now, when the device comes online,
    /// when the page becomes visible, and when a retry is due.
    pub fn start() -> Outbox {
        let outbox = Outbox {
            waiting: RwSignal::new(0),
            delivered: RwSignal::new(None),
            timer: StoredValue::new(None),
        };
        provide_context(outbox);
        outbox.drain();
        spawn_local(crate::attachments::collect_garbage());
        let online = window_event_listener(leptos::ev::online, move |_| outbox.drain());
        let visible = window_event_listener(leptos::ev::visibilitychange, move |_| {
            if !browser::page_hidden() {
                outbox.drain();
            }
        });
        on_cleanup(move || {
            online.remove();
            visible.remove();
        });
        outbox
    }

    /// Sends every submission that is due, in one tab at a time, then plans the next try.
    pub fn drain(self) {
        spawn_local(async move {
            tabs::with_lock("blankett-outbox", async move {
                let now = browser::now_ms();
                for item in waiting().await {
                    if item.next_at <= now {
                        let (outcome, _) = send(&item).await;
                        if let SendOutcome::Received(receipt) = outcome {
                            self.delivered
                                .set(Some((item.submission_id.clone(), receipt)));
                        }
                    }
                }
            })
            .await;
            self.plan().await;
        });
    }

    /// Counts what waits and sets the timer for the earliest retry.
    async fn plan(self) {
        let items = waiting().await;
        self.waiting.set(items.len());
        if let Some(t) = self.timer.try_update_value(Option::take).flatten() {
            t.clear();
        }
        if let Some(next) = items.iter().map(|i| i.next_at).min() {
            let wait = next.saturating_sub(browser::now_ms()).max(1_000);
            let handle =
                set_timeout_with_handle(move || self.drain(), Duration::from_millis(wait)).ok();
            self.timer.set_value(handle);
        }
    }
}

/// Every submission in the outbox.
pub async fn waiting() -> Vec<Item> {
    storage::all(Store::Outbox)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| v.as_string())
        .filter_map(|s| serde_json::from_str(&s).ok())
        .collect()
}

/// Puts a submission in the outbox; returns once it is on disk.
pub async fn enqueue(item: &Item) -> Result<(), storage::StorageError> {
    let text = serde_json::to_string(item).unwrap_or_default();
    storage::put(Store::Outbox, &item.submission_id, &text.into()).await
}

/// One attempt to deliver `item`: signed, posted, and its answer applied to the outbox (a
/// receipt is checked and kept, then the item and its draft go; a refusal takes it out;
/// anything else plans another attempt). Returns what the receiver's answer means, and the
/// receipt as kept.
pub async fn send(item: &Item) -> (SendOutcome, Option<KeptReceipt>) {
    let mut item = item.clone();
    match upload_files(&mut item).await {
        Ok(()) => {}
        Err(Stop::Later(outcome)) => return (retry_later(&item, outcome).await, None),
        Err(Stop::Refused(outcome)) => {
            let _ = storage::delete(Store::Outbox, &item.submission_id).await;
            return (outcome, None);
        }
    }
    let item = &item;
    let reply = match attempt(item, 0).await {
        Ok(reply) => reply,
        Err(()) => return (retry_later(item, None).await, None),
    };
    // A wrong clock on the device: sign again with the receiver's time.
    let reply = match skew_from(&reply) {
        Some(skew) => attempt(item, skew).await.unwrap_or(reply),
        None => reply,
    };
    let outcome = SendOutcome::from_reply(reply.status, &reply.body);
    if reply.status == 422 && problem_code(&reply.body).as_deref() == Some("files_missing") {
        // The receiver has lost uploads it confirmed (expired, or another receiver's): all
        // again on the next attempt.
        let mut again = item.clone();
        again.uploaded.clear();
        return (retry_later(&again, Some(SendOutcome::NO_REPLY)).await, None);
    }
    match &outcome {
        SendOutcome::Received(receipt) => {
            let kept = keep_receipt(item, receipt, &reply).await;
            let _ = storage::delete(Store::Outbox, &item.submission_id).await;
            delete_draft_of(&item.submission_id).await;
            crate::attachments::collect_garbage().await;
            (outcome, Some(kept))
        }
        SendOutcome::TryAgain { .. } => (retry_later(item, Some(outcome.clone())).await, None),
        SendOutcome::Invalid { .. } | SendOutcome::Refused { .. } => {
            // Sending it again unchanged cannot succeed: the citizen must act on the form.
            let _ = storage::delete(Store::Outbox, &item.submission_id).await;
            (outcome, None)
        }
    }
}

/// Why sending stopped before the submission was posted.
enum Stop {
    /// Try again later (no reply, the receiver busy or down).
    Later(Option<SendOutcome>),
    /// The receiver refused a file, or a file is no longer on the device: sending again
    /// unchanged cannot succeed.
    Refused(SendOutcome),
}

/// Uploads every file of `item` the receiver has not confirmed yet, recording each
/// confirmation in the outbox as it comes.
async fn upload_files(item: &mut Item) -> Result<(), Stop> {
    let pending: Vec<FileRef> = item
        .files
        .iter()
        .filter(|f| !item.uploaded.contains(&f.sha256))
        .cloned()
        .collect();
    for file in pending {
        let Some(blob) = crate::attachments::blob(&file.sha256).await else {
            return Err(Stop::Refused(SendOutcome::Refused {
                status: 0,
                detail: Some(Localized::from_fn(|lang| {
                    blankett_core::i18n::t(
                        blankett_core::LangTag::from(lang),
                        blankett_core::i18n::Key::FileLost,
                    )
                    .replace("{name}", &file.name)
                })),
            }));
        };
        let url = item.file_url(&file.sha256);
        let digest = hex_digest_field(&file.sha256).ok_or(Stop::Later(None))?;
        let reply = match signed_fields("PUT", &url, &file.media_type, digest, item, 0).await {
            Ok(fields) => net::put_blob(&url, &blob, &fields).await.ok(),
            Err(()) => None,
        };
        let Some(reply) = reply else {
            return Err(Stop::Later(None));
        };
        match reply.status {
            200..=299 => {
                item.uploaded.push(file.sha256.clone());
                let _ = enqueue(item).await;
            }
            _ => match SendOutcome::from_reply(reply.status, &reply.body) {
                outcome @ SendOutcome::TryAgain { .. } => return Err(Stop::Later(Some(outcome))),
                // A 401 for the clock is the submission's to sort out; try again later.
                _ if reply.status == 401 => return Err(Stop::Later(None)),
                outcome => return Err(Stop::Refused(outcome)),
            },
        }
    }
    Ok(())
}

/// `Content-Digest` for a file from its hash in hex (the digest is the file's SHA-256).
fn hex_digest_field(hex: &str) -> Option<String> {
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect();
    Some(format!("sha-256=:{}:", signing::base64::encode(&bytes?)))
}

/// The machine-readable code of a problem document, if the body is one.
fn problem_code(body: &str) -> Option<String> {
    serde_json::from_str::<blankett_core::Problem>(body)
        .ok()
        .map(|p| p.code)
}

/// The signed header fields of one request of `item` (`content-type` first), with `skew`
/// seconds added to the device's clock.
async fn signed_fields(
    method: &str,
    url: &str,
    content_type: &str,
    digest: String,
    item: &Item,
    skew: i64,
) -> Result<Vec<(String, String)>, ()> {
    let Ok(signer) = Signer::get().await else {
        return Err(());
    };
    let key = format!("\"{}\"", item.submission_id);
    let mut fields = vec![
        ("content-type".to_owned(), content_type.to_owned()),
        ("content-digest".to_owned(), digest),
        ("idempotency-key".to_owned(), key),
    ];
    let created = (browser::now_ms() / 1000) as i64 + skew;
    let input =
        SignatureInput::request(created, &crate::signer::nonce(), &signer.keyid, signer.alg);
    let message = Message {
        method,
        target_uri: url,
        fields: &fields,
        ..Message::default()
    };
    let base =
        signing::signature_base(&message, &input.components, &input.serialize()).map_err(|_| ())?;
    let signature = signer.sign(base.as_bytes()).await.map_err(|_| ())?;
    let (signature_input, signature) = signing::signature_fields(&input, &signature);
    fields.push(("blankett-key".into(), signer.jwk.to_string()));
    fields.push(("signature-input".into(), signature_input));
    fields.push(("signature".into(), signature));
    Ok(fields)
}

/// Signs and posts `item` once, with `skew` seconds added to the device's clock.
async fn attempt(item: &Item, skew: i64) -> Result<Reply, ()> {
    // The page's work of signing (the key fetched, digest, base, WebCrypto), for the benchmark.
    browser::measure_start("blankett-sign");
    let digest = signing::content_digest(item.body.as_bytes());
    let fields = signed_fields("POST", &item.url, "application/json", digest, item, skew).await?;
    let extra: Vec<(String, String)> = fields[1..].to_vec();
    browser::measure_end("blankett-sign");
    let mut reply = net::post_json(&item.url, &item.body, &extra)
        .await
        .map_err(|_| ())?;
    // Kept for binding the receipt to this request's signature.
    reply
        .headers
        .extend(fields.into_iter().map(|(n, v)| (format!("request:{n}"), v)));
    Ok(reply)
}

/// The receiver's clock minus the device's, in seconds, when it refused a signature as
/// expired and said its time.
fn skew_from(reply: &Reply) -> Option<i64> {
    if reply.status != 401 || !reply.body.contains("signature_expired") {
        return None;
    }
    let date = reply.headers.iter().find(|(n, _)| n == "date")?.1.clone();
    let server = js_sys::Date::parse(&date);
    (!server.is_nan()).then(|| ((server - js_sys::Date::now()) / 1000.0).round() as i64)
}

/// Plans another attempt with exponential backoff and jitter; returns the outcome to show.
async fn retry_later(item: &Item, outcome: Option<SendOutcome>) -> SendOutcome {
    let mut next = item.clone();
    next.attempts += 1;
    let base = (FIRST_RETRY_MS * 2f64.powi(next.attempts.min(16) as i32 - 1)).min(LONGEST_RETRY_MS);
    let jitter = 0.5 + js_sys::Math::random();
    next.next_at = browser::now_ms() + (base * jitter) as u64;
    let _ = enqueue(&next).await;
    outcome.unwrap_or(SendOutcome::NO_REPLY)
}

/// Checks a receipt's signature against the receiver's published key and keeps it.
async fn keep_receipt(item: &Item, receipt: &Receipt, reply: &Reply) -> KeptReceipt {
    let (request_fields, response_fields): (Vec<_>, Vec<_>) = reply
        .headers
        .iter()
        .cloned()
        .partition(|(n, _)| n.starts_with("request:"));
    let request_fields: Vec<(String, String)> = request_fields
        .into_iter()
        .map(|(n, v)| (n["request:".len()..].to_owned(), v))
        .collect();
    let verified = verify_receipt(item, &request_fields, &response_fields, reply).await;
    let kept = KeptReceipt {
        receipt: receipt.clone(),
        form_id: item.form_id.clone(),
        title: item.title.clone(),
        sent: item.body.clone(),
        verified,
        response_headers: response_fields,
        response_body: reply.body.clone(),
    };
    let text = serde_json::to_string(&kept).unwrap_or_default();
    let _ = storage::put(Store::Receipts, &receipt.reference, &text.into()).await;
    kept
}

/// Whether the receipt is signed by the receiver, bound to this request's signature, with a
/// digest that matches its body, and verifies with a key the receiver publishes.
async fn verify_receipt(
    item: &Item,
    request_fields: &[(String, String)],
    response_fields: &[(String, String)],
    reply: &Reply,
) -> bool {
    let request = Message {
        method: "POST",
        target_uri: &item.url,
        fields: request_fields,
        ..Message::default()
    };
    let response = Message {
        status: Some(reply.status),
        fields: response_fields,
        request: Some(&request),
        ..Message::default()
    };
    if signing::check_content_digest(
        response.field("content-digest").as_deref(),
        reply.body.as_bytes(),
    )
    .is_err()
    {
        return false;
    }
    let now = (browser::now_ms() / 1000) as i64;
    let Ok(found) = signing::find_signature(
        &response,
        &["@status", "content-type", "content-digest"],
        false,
        now,
        i64::MAX / 4,
    ) else {
        return false;
    };
    if !found.base.contains("\"signature\";req;key=\"blankett\": ") {
        return false;
    }
    let Some(jwk) = receiver_key(&item.url, &found.keyid).await else {
        return false;
    };
    if signing::jwk_alg(&jwk) != Some(found.alg.as_str()) {
        return false;
    }
    crate::signer::verify(&jwk, &found.alg, &found.signature, found.base.as_bytes())
        .await
        .unwrap_or(false)
}

/// The receiver's published public key `keyid` (its JWK Set at `/.well-known/jwks.json` on
/// the origin the submission went to), with the public members only.
async fn receiver_key(url: &str, keyid: &str) -> Option<serde_json::Value> {
    let origin = web_sys::Url::new(url).ok()?.origin();
    let text = net::get_text(&format!("{origin}/.well-known/jwks.json"))
        .await
        .ok()?;
    let set: serde_json::Value = serde_json::from_str(&text).ok()?;
    let key = set
        .get("keys")?
        .as_array()?
        .iter()
        .find(|k| signing::jwk_thumbprint(k).ok().as_deref() == Some(keyid))?;
    let mut public = serde_json::Map::new();
    for k in ["kty", "crv", "x", "y"] {
        if let Some(v) = key.get(k) {
            public.insert(k.to_owned(), v.clone());
        }
    }
    Some(serde_json::Value::Object(public))
}

/// Deletes the draft whose submission this was (it may be in another tab's form).
async fn delete_draft_of(submission_id: &str) {
    for stored in storage::drafts().await.unwrap_or_default() {
        if let Ok(draft) = Draft::from_json(&stored.draft)
            && draft
                .pending
                .as_ref()
                .is_some_and(|p| p.submission_id == submission_id)
        {
            let _ = storage::delete_draft(&draft.draft_id).await;
        }
    }
}

/// What the device holds of a form's submissions: those waiting in the outbox, and those
/// delivered, with their receipts.
pub async fn on_device(form_id: &str) -> (Vec<Submission>, Vec<(Submission, Receipt)>) {
    let waiting = waiting()
        .await
        .into_iter()
        .filter(|i| i.form_id == form_id)
        .filter_map(|i| serde_json::from_str(&i.body).ok())
        .collect();
    let received = storage::all(Store::Receipts)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| serde_json::from_str::<KeptReceipt>(&v.as_string()?).ok())
        .filter(|k| k.form_id == form_id)
        .filter_map(|k| Some((serde_json::from_str(&k.sent).ok()?, k.receipt)))
        .collect();
    (waiting, received)
}

/// A receipt kept on the device.
pub async fn kept_receipt(reference: &str) -> Option<KeptReceipt> {
    let value = storage::get(Store::Receipts, reference).await.ok()??;
    serde_json::from_str(&value.as_string()?).ok()
}
