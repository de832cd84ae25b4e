//! HTTP handlers of the receiver's API; every refusal is an [`ApiError`], answered with its
//! RFC 9457 problem document.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, OriginalUri, Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use blankett_core::protocol::Receipt;
use blankett_core::signing::{Message, content_digest};
use blankett_core::{Context, Date, Submission};
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::AppState;
use crate::limits::ClientAddr;
use crate::problems::ApiError;
use crate::store::{Inserted, NewSubmission, Store, StoreError, Stored, staged_key};
use crate::{uploads, verify};

pub use crate::problems::PROBLEM_JSON;

/// What a receipt answers: the request as its signature saw it, and whether that request
/// was signed (then the receipt's signature covers the request's).
struct Answering<'a> {
    request: &'a Message<'a>,
    signed: bool,
}

/// The receipt: `201 Created` (or `200 OK` for a repeat), with its `Location`, its
/// `Content-Digest`, and the receiver's signature over it.
fn receipt_response(
    app: &AppState,
    status: StatusCode,
    receipt: &Receipt,
    answering: &Answering<'_>,
) -> Result<Response, ApiError> {
    let body = serde_json::to_vec(receipt).map_err(|_| ApiError::Internal)?;
    let fields = vec![
        ("content-type".to_owned(), "application/json".to_owned()),
        ("content-digest".to_owned(), content_digest(&body)),
    ];
    let message = Message {
        status: Some(status.as_u16()),
        fields: &fields,
        request: Some(answering.request),
        ..Message::default()
    };
    let created = OffsetDateTime::now_utc().unix_timestamp();
    let mut headers: Vec<(HeaderName, String)> = vec![
        (
            header::LOCATION,
            format!("/api/submissions/{}", receipt.reference),
        ),
        (header::CONTENT_TYPE, fields[0].1.clone()),
        (
            HeaderName::from_static("content-digest"),
            fields[1].1.clone(),
        ),
    ];
    match app
        .receiver_key
        .sign_receipt(&message, answering.signed, created)
    {
        Ok((input, signature)) => {
            headers.push((HeaderName::from_static("signature-input"), input));
            headers.push((HeaderName::from_static("signature"), signature));
        }
        // Cannot happen with a request that verified; the receipt still goes out.
        Err(e) => tracing::error!("cannot sign the receipt: {e}"),
    }
    let mut response = (status, body).into_response();
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, value);
        }
    }
    Ok(response)
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// Today's date (UTC) for validation rules such as "not in the future".
fn today(now: OffsetDateTime) -> Option<Date> {
    Date::new(now.year(), u8::from(now.month()), now.day())
}

/// `POST /api/submissions`: verifies the signature, checks the submission again and stores
/// it once, in the order of the signature profile (docs/api/signatures.md).
pub async fn post_submission(
    State(app): State<Arc<AppState>>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    if !is_json(&headers) {
        return Err(ApiError::UnsupportedMediaType);
    }
    let body = body.map_err(|rejection| ApiError::from_body_rejection(&rejection, app.max_body))?;
    let now = OffsetDateTime::now_utc();
    let fields = verify::header_fields(&headers);
    let target_uri = verify::target_uri(app.signatures.public_url.as_deref(), &headers, &uri);
    let request = Message {
        method: method.as_str(),
        target_uri: &target_uri,
        fields: &fields,
        ..Message::default()
    };
    let verified = verify::verify_request(&request, &body, &app.signatures, now.unix_timestamp())?;
    let submission = Submission::from_json(&body).map_err(|e| ApiError::from_parse(&e))?;
    let text = String::from_utf8(body.to_vec()).map_err(|_| ApiError::NotUtf8)?;
    let idempotency_key = verify::idempotency_key(&request, &submission.submission_id)?;
    let signed = verified.map(|v| v.signed_by(now.unix_timestamp(), app.signatures.window));
    let answering = Answering {
        request: &request,
        signed: signed.is_some(),
    };
    // A resend of a submission already stored gets its first receipt, even if the form has
    // changed since: it was valid when it arrived, and the citizen must not send it twice.
    let stored_already = || {
        let (id, body) = (submission.submission_id.clone(), text.clone());
        with_store(&app, move |store| store.find_existing(&id, &body))
    };
    if let Some(existing) = stored_already().await? {
        return stored_outcome(&app, existing, &answering);
    }
    if let Some(signed) = signed.clone() {
        // Checked again when storing, in the same transaction as the insert.
        if with_store(&app, move |store| store.nonce_seen(&signed)).await? {
            // The nonce may be this very request's, stored with the submission by another
            // receiver (or an earlier copy of the request) since the lookup above: the
            // submission and its nonce are committed together, so look again.
            return match stored_already().await? {
                Some(existing) => stored_outcome(&app, existing, &answering),
                None => Err(ApiError::SignatureReplayed),
            };
        }
    }
    let Some(def) = app.forms.get(&submission.form_id) else {
        return Err(ApiError::UnknownForm(submission.form_id));
    };
    let today = today(now).ok_or(ApiError::Internal)?;
    submission
        .check(def, &Context { today })
        .map_err(ApiError::Unprocessable)?;
    let files = uploads::submission_files(&submission, def);
    let key_id = staged_key(signed.as_ref()).to_owned();
    uploads::check_staged(&app, &submission.submission_id, &key_id, &files).await?;
    let received_at = now
        .replace_nanosecond(0)
        .unwrap_or(now)
        .format(&Rfc3339)
        .map_err(|_| ApiError::Internal)?;
    let new = NewSubmission {
        files: files.clone(),
        answers: serde_json::to_string(&submission.answers).map_err(|_| ApiError::Internal)?,
        submission_id: submission.submission_id,
        form_id: submission.form_id,
        form_version: submission.form_version,
        language: submission.language,
        body: text,
        received_at,
        year: now.year(),
        idempotency_key,
        signed,
    };
    let inserted = with_store(&app, move |store| store.insert(&new)).await?;
    if let Inserted::FilesMissing(hashes) = &inserted {
        // Staged when checked above, gone by the transaction (retention, another receiver).
        return Err(ApiError::FilesMissing(
            files
                .iter()
                .filter(|f| hashes.contains(&f.sha256))
                .map(uploads::missing_file)
                .collect(),
        ));
    }
    stored_outcome(&app, inserted, &answering)
}

/// Runs blocking storage work off the async threads; failures become refusals.
pub(crate) async fn with_store<T: Send + 'static>(
    app: &Arc<AppState>,
    work: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, ApiError> {
    let app = Arc::clone(app);
    tokio::task::spawn_blocking(move || work(&app.store))
        .await
        .map_err(|e| {
            tracing::error!("storage task failed: {e}");
            ApiError::Internal
        })?
        .map_err(ApiError::from)
}

/// The answer for what the store did with a submission.
fn stored_outcome(
    app: &AppState,
    inserted: Inserted,
    answering: &Answering<'_>,
) -> Result<Response, ApiError> {
    match inserted {
        Inserted::Created(receipt) => {
            tracing::info!(reference = %receipt.reference, "submission stored");
            receipt_response(app, StatusCode::CREATED, &receipt, answering)
        }
        Inserted::Replayed(receipt) => receipt_response(app, StatusCode::OK, &receipt, answering),
        Inserted::Conflict => Err(ApiError::SubmissionIdConflict),
        Inserted::NonceReplayed => Err(ApiError::SignatureReplayed),
        Inserted::FilesMissing(_) => Err(ApiError::FilesMissing(Vec::new())),
    }
}

/// `OPTIONS /api/submissions`: the CORS preflight (headers are added by the middleware).
pub async fn preflight() -> StatusCode {
    StatusCode::NO_CONTENT
}

/// Any other method on `/api/submissions`.
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// Unknown paths under `/api/`.
pub async fn api_not_found() -> ApiError {
    ApiError::NotFound
}

/// Compares two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = u8::from(a.len() != b.len());
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        diff |= x ^ y;
    }
    diff == 0
}

fn authorized(headers: &HeaderMap, token: &str) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some((scheme, given)) = value.trim().split_once(' ') else {
        return false;
    };
    scheme.eq_ignore_ascii_case("bearer")
        && constant_time_eq(given.trim().as_bytes(), token.as_bytes())
}

/// A stored submission as `GET /api/submissions/{reference}` returns it.
#[derive(Debug, Clone, Serialize)]
struct StoredBody {
    reference: String,
    submission_id: String,
    form_id: String,
    form_version: String,
    language: String,
    answers: Value,
    received_at: String,
    /// The thumbprint of the device key that signed it; `null` when it came unsigned.
    key_id: Option<String>,
}

/// The client at the other end of the connection, as the server recorded it.
pub(crate) type Client = Option<Extension<ConnectInfo<ClientAddr>>>;

/// The client's IP address; the unspecified address when the server recorded none.
pub(crate) fn client_ip(client: &Client) -> std::net::IpAddr {
    client.as_ref().map_or(
        std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
        |Extension(ConnectInfo(ClientAddr(addr)))| addr.ip(),
    )
}

/// The stored submission `reference`, for a caller with the admin token. A wrong token is
/// answered after the pause the client's earlier wrong tokens earn ([`crate::throttle`]);
/// the right one at once.
pub(crate) async fn stored_for_admin(
    app: &Arc<AppState>,
    reference: String,
    headers: &HeaderMap,
    client: &Client,
) -> Result<Stored, ApiError> {
    let Some(token) = app.admin_token.as_deref() else {
        return Err(ApiError::NotFound);
    };
    let ip = client_ip(client);
    if !authorized(headers, token) {
        app.admin_throttle.refuse(ip).await;
        return Err(ApiError::Unauthorized);
    }
    app.admin_throttle.succeeded(ip);
    with_store(app, move |store| store.get(&reference))
        .await?
        .ok_or(ApiError::UnknownReference)
}

/// Notes that the case `reference` has been read or exported (for retention's
/// `--keep-unread`); a failure is logged, never the reader's problem: the case is then kept
/// longer, not deleted sooner.
pub(crate) async fn note_read(app: &Arc<AppState>, reference: String) {
    let Ok(now) = OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| OffsetDateTime::now_utc())
        .format(&Rfc3339)
    else {
        return;
    };
    if let Err(e) = with_store(app, move |store| store.mark_read(&reference, &now)).await {
        tracing::warn!("cannot note that a case was read: {e:?}");
    }
}

/// `GET /api/submissions/{reference}`: one stored submission, for integrators (bearer token).
pub async fn get_submission(
    State(app): State<Arc<AppState>>,
    Path(reference): Path<String>,
    client: Client,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let stored = stored_for_admin(&app, reference, &headers, &client).await?;
    let answers = serde_json::from_str(&stored.answers).unwrap_or(Value::Null);
    note_read(&app, stored.reference.clone()).await;
    Ok(Json(StoredBody {
        reference: stored.reference,
        submission_id: stored.submission_id,
        form_id: stored.form_id,
        form_version: stored.form_version,
        language: stored.language,
        answers,
        received_at: stored.received_at,
        key_id: stored.key_id,
    })
    .into_response())
}

/// The form's Open ePlatform mapping, or why its cases cannot be delivered as OEP XML.
fn oep_mapping<'a>(
    app: &'a AppState,
    form_id: &str,
) -> Result<&'a blankett_oep::export::Mapping, ApiError> {
    if app.forms.get(form_id).is_none() {
        return Err(ApiError::UnknownExportForm(form_id.to_owned()));
    }
    app.forms
        .oep(form_id)
        .ok_or_else(|| ApiError::OepExportOff(form_id.to_owned()))
}

/// `GET /api/submissions/{reference}/flowinstance.xml`: the stored case as Open ePlatform
/// FlowInstance XML (ISO-8859-1), for integrations that read OEP cases (bearer token).
pub async fn get_flowinstance_xml(
    State(app): State<Arc<AppState>>,
    Path(reference): Path<String>,
    client: Client,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let stored = stored_for_admin(&app, reference, &headers, &client).await?;
    let mapping = oep_mapping(&app, &stored.form_id)?;
    let answers: Value = serde_json::from_str(&stored.answers).unwrap_or(Value::Null);
    let case_id = stored
        .reference
        .rsplit('-')
        .next()
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or(1);
    // The attached files the XML carries, read from the store before the XML is written.
    let mut files = std::collections::BTreeMap::new();
    for hash in mapping.file_hashes(&answers) {
        let reference = stored.reference.clone();
        let wanted = hash.clone();
        if let Some(file) = with_store(&app, move |store| {
            store.submission_file(&reference, &wanted)
        })
        .await?
        {
            files.insert(hash, file.bytes);
        }
    }
    let xml = mapping
        .flowinstance_xml(&blankett_oep::export::Case {
            flow_instance_id: case_id,
            received_at: &stored.received_at,
            answers: &answers,
            files: &files,
        })
        .map_err(|e| {
            tracing::error!(
                "{}: cannot write the FlowInstance XML: {e}",
                stored.reference
            );
            ApiError::Internal
        })?;
    note_read(&app, stored.reference.clone()).await;
    Ok((
        [(header::CONTENT_TYPE, "application/xml; charset=ISO-8859-1")],
        xml,
    )
        .into_response())
}

/// `GET /api/forms/{form}/flowinstance.xsd`: the XML Schema the form's FlowInstance XML
/// follows, generated the way Open ePlatform generates one per flow.
pub async fn get_form_xsd(
    State(app): State<Arc<AppState>>,
    Path(form): Path<String>,
) -> Result<Response, ApiError> {
    let mapping = oep_mapping(&app, &form)?;
    Ok((
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        mapping.xsd(),
    )
        .into_response())
}

/// `GET /api/forms`: id, version and title of every loaded form.
pub async fn list_forms(State(app): State<Arc<AppState>>) -> Response {
    Json(app.forms.summaries()).into_response()
}

/// `GET /.well-known/jwks.json`: the receiver's public key, by which its receipts verify;
/// cacheable for an hour.
pub async fn jwks(State(app): State<Arc<AppState>>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/jwk-set+json"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        app.receiver_key.jwks().to_string(),
    )
        .into_response()
}

/// `GET /healthz`: the process is up (liveness; says nothing of the database).
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: whether the receiver can store a submission now, checked by committing a
/// write ([`Store::check_writable`]); `503 not_ready` while it cannot (disk full, read-only,
/// locked beyond the busy timeout), so a load balancer sends citizens elsewhere. A change
/// either way is logged once.
pub async fn readyz(State(app): State<Arc<AppState>>) -> Result<Response, ApiError> {
    let now = OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .map_err(|_| ApiError::Internal)?;
    let store = Arc::clone(&app);
    let checked = tokio::task::spawn_blocking(move || store.store.check_writable(&now))
        .await
        .map_err(|_| ApiError::Internal)?;
    let was_ready = app
        .ready
        .swap(checked.is_ok(), std::sync::atomic::Ordering::Relaxed);
    match checked {
        Ok(()) => {
            if !was_ready {
                tracing::info!("ready: the database takes writes again");
            }
            Ok(([(header::CACHE_CONTROL, "no-store")], "ok").into_response())
        }
        Err(e) => {
            if was_ready {
                tracing::error!("not ready: the database cannot take a write: {e}");
            }
            Err(ApiError::NotReady(e.unwritable()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret2"));
        assert!(!constant_time_eq(b"", b"x"));
        assert!(constant_time_eq(b"", b""));
    }

    #[test]
    fn content_type_essence() {
        let mut h = HeaderMap::new();
        assert!(!is_json(&h));
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("Application/JSON; charset=utf-8"),
        );
        assert!(is_json(&h));
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        assert!(!is_json(&h));
    }
}
