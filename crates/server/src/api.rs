//! HTTP handlers of the receiver's API; every error is an RFC 9457 problem document.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use blankett_core::protocol::Receipt;
use blankett_core::{Context, Date, Lang, Submission, SubmissionError};
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::AppState;
use crate::store::{Inserted, NewSubmission, Store, StoreError};

/// The media type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A text in Swedish and English, as the app reads `detail` and error messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Localized {
    /// Swedish.
    pub sv: String,
    /// English.
    pub en: String,
}

impl Localized {
    /// A text from its Swedish and English versions.
    pub fn new(sv: impl Into<String>, en: impl Into<String>) -> Localized {
        Localized {
            sv: sv.into(),
            en: en.into(),
        }
    }

    /// A text made by calling `f` for each language.
    pub fn from_fn(f: impl Fn(Lang) -> String) -> Localized {
        Localized {
            sv: f(Lang::Sv),
            en: f(Lang::En),
        }
    }
}

/// One problem with one answer, in a problem document's `errors`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field id.
    pub field: String,
    /// The machine-readable code (`required`, `personnummer_checksum`, …).
    pub code: String,
    /// The message to show next to the field.
    pub message: Localized,
}

/// An RFC 9457 problem document; `type` is `/problems/<code>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The problem type, `/problems/<code>`.
    #[serde(rename = "type")]
    pub type_: String,
    /// A short English summary of the problem type.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// The machine-readable code (extension member; also the last segment of `type`).
    pub code: String,
    /// What happened and what to do, for the citizen.
    pub detail: Localized,
    /// Problems with single answers (empty unless some answer is wrong).
    pub errors: Vec<FieldError>,
}

impl Problem {
    /// A problem without field errors.
    pub fn new(status: StatusCode, code: &str, title: &str, detail: Localized) -> Problem {
        Problem {
            type_: format!("/problems/{code}"),
            title: title.to_owned(),
            status: status.as_u16(),
            code: code.to_owned(),
            detail,
            errors: Vec::new(),
        }
    }

    fn storage_unavailable(err: &StoreError) -> Problem {
        tracing::error!("storage failed: {err}");
        if err.is_unavailable() {
            Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "storage_unavailable",
                "Storage unavailable",
                Localized::new(
                    "Dina svar kunde inte sparas just nu. De har inte skickats in. Försök igen om en stund.",
                    "Your answers could not be stored right now. They have not been submitted. Please try again in a while.",
                ),
            )
        } else {
            Problem::internal()
        }
    }

    fn internal() -> Problem {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Internal server error",
            Localized::new(
                "Något gick fel hos mottagaren. Dina svar har inte skickats in. Försök igen om en stund.",
                "Something went wrong at the receiver. Your answers have not been submitted. Please try again in a while.",
            ),
        )
    }

    fn not_found() -> Problem {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Not found",
            Localized::new("Sidan finns inte.", "There is no such resource."),
        )
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// The receipt: `201 Created` (or `200 OK` for a repeat), with its `Location`.
fn receipt_response(status: StatusCode, receipt: Receipt) -> Response {
    let location = HeaderValue::from_str(&format!("/api/submissions/{}", receipt.reference));
    let mut response = (status, Json(receipt)).into_response();
    if let Ok(location) = location {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
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

/// `POST /api/submissions`: checks the submission again and stores it once.
pub async fn post_submission(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match receive(app, headers, body).await {
        Ok(response) => response,
        Err(problem) => problem.into_response(),
    }
}

async fn receive(
    app: Arc<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    if !is_json(&headers) {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Unsupported media type",
            Localized::new(
                "Inlämningen måste skickas som JSON (Content-Type: application/json).",
                "The submission must be sent as JSON (Content-Type: application/json).",
            ),
        ));
    }
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            let limit = app.max_body;
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "Payload too large",
                Localized::new(
                    format!("Inlämningen är för stor. Mottagaren tar emot högst {limit} byte."),
                    format!(
                        "The submission is too large. The receiver accepts at most {limit} bytes."
                    ),
                ),
            )
        } else {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "unreadable_body",
                "Unreadable body",
                Localized::new(
                    format!("Inlämningen kunde inte läsas: {}", rejection.body_text()),
                    format!(
                        "The submission could not be read: {}",
                        rejection.body_text()
                    ),
                ),
            )
        }
    })?;
    let submission: Submission = serde_json::from_slice(&body).map_err(json_problem)?;
    let text = String::from_utf8(body.to_vec()).map_err(|_| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "Malformed JSON",
            Localized::new(
                "Inlämningen är inte giltig UTF-8.",
                "The submission is not valid UTF-8.",
            ),
        )
    })?;
    // A resend of a submission already stored gets its first receipt, even if the form has
    // changed since: it was valid when it arrived, and the citizen must not send it twice.
    let (id, lookup_body) = (submission.submission_id.clone(), text.clone());
    let existing = with_store(&app, move |store| store.find_existing(&id, &lookup_body)).await?;
    if let Some(existing) = existing {
        return Ok(stored_outcome(existing));
    }
    let Some(def) = app.forms.get(&submission.form_id) else {
        let id = &submission.form_id;
        return Err(Problem::new(
            StatusCode::NOT_FOUND,
            "unknown_form",
            "Unknown form",
            Localized::new(
                format!("Mottagaren känner inte till formuläret \"{id}\"."),
                format!("The receiver does not know the form \"{id}\"."),
            ),
        ));
    };
    let now = OffsetDateTime::now_utc();
    let today = today(now).ok_or_else(Problem::internal)?;
    submission
        .check(def, &Context { today })
        .map_err(submission_problem)?;
    let received_at = now
        .replace_nanosecond(0)
        .unwrap_or(now)
        .format(&Rfc3339)
        .map_err(|_| Problem::internal())?;
    let new = NewSubmission {
        answers: serde_json::to_string(&submission.answers).map_err(|_| Problem::internal())?,
        submission_id: submission.submission_id,
        form_id: submission.form_id,
        form_version: submission.form_version,
        language: submission.language,
        body: text,
        received_at,
        year: now.year(),
    };
    let inserted = with_store(&app, move |store| store.insert(&new)).await?;
    Ok(stored_outcome(inserted))
}

/// Runs blocking storage work off the async threads; failures become problems.
async fn with_store<T: Send + 'static>(
    app: &Arc<AppState>,
    work: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, Problem> {
    let app = Arc::clone(app);
    tokio::task::spawn_blocking(move || work(&app.store))
        .await
        .map_err(|e| {
            tracing::error!("storage task failed: {e}");
            Problem::internal()
        })?
        .map_err(|e| Problem::storage_unavailable(&e))
}

/// The answer for what the store did with a submission.
fn stored_outcome(inserted: Inserted) -> Response {
    match inserted {
        Inserted::Created(receipt) => {
            tracing::info!(reference = %receipt.reference, "submission stored");
            receipt_response(StatusCode::CREATED, receipt)
        }
        Inserted::Replayed(receipt) => receipt_response(StatusCode::OK, receipt),
        Inserted::Conflict => Problem::new(
            StatusCode::CONFLICT,
            "submission_id_conflict",
            "Submission id conflict",
            Localized::new(
                "En annan inlämning med samma id har redan tagits emot.",
                "Another submission with the same id has already been received.",
            ),
        )
        .into_response(),
    }
}

/// A 400 problem for a body that is not JSON, or not a submission.
fn json_problem(e: serde_json::Error) -> Problem {
    use serde_json::error::Category;
    let message = e.to_string();
    match e.classify() {
        Category::Data => Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid_submission",
            "Not a submission",
            Localized::new(
                format!("Inlämningen har inte rätt form: {message}"),
                format!("The body is not a submission: {message}"),
            ),
        ),
        Category::Syntax | Category::Eof | Category::Io => Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "Malformed JSON",
            Localized::new(
                format!("Inlämningen är inte giltig JSON: {message}"),
                format!("The body is not valid JSON: {message}"),
            ),
        ),
    }
}

/// A 422 problem for a submission its definition refuses.
fn submission_problem(err: SubmissionError) -> Problem {
    let mut problem = Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        err.code(),
        match &err {
            SubmissionError::Invalid(_) => "Invalid answers",
            SubmissionError::VersionMismatch { .. } => "Form version mismatch",
            _ => "Unprocessable submission",
        },
        Localized::from_fn(|lang| err.message(lang)),
    );
    if let SubmissionError::Invalid(issues) = &err {
        problem.errors = issues
            .iter()
            .map(|issue| FieldError {
                field: issue.field.clone(),
                code: issue.code.code().to_owned(),
                message: Localized::from_fn(|lang| issue.code.message(lang)),
            })
            .collect();
    }
    problem
}

/// `OPTIONS /api/submissions`: the CORS preflight (headers are added by the middleware).
pub async fn preflight() -> StatusCode {
    StatusCode::NO_CONTENT
}

/// Any other method on `/api/submissions`.
pub async fn method_not_allowed() -> Response {
    let mut response = Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Method not allowed",
        Localized::new(
            "Skicka inlämningar med POST.",
            "Send submissions with POST.",
        ),
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST, OPTIONS"));
    response
}

/// Unknown paths under `/api/`.
pub async fn api_not_found() -> Problem {
    Problem::not_found()
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
}

/// The stored submission `reference`, for a caller with the admin token; the problem otherwise.
async fn stored_for_admin(
    app: &Arc<AppState>,
    reference: String,
    headers: &HeaderMap,
) -> Result<crate::store::Stored, Response> {
    let Some(token) = app.admin_token.as_deref() else {
        return Err(Problem::not_found().into_response());
    };
    if !authorized(headers, token) {
        return Err(Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Unauthorized",
            Localized::new(
                "Ange en giltig administratörsnyckel (Authorization: Bearer …).",
                "Give a valid admin token (Authorization: Bearer …).",
            ),
        )
        .into_response());
    }
    let found = match with_store(app, move |store| store.get(&reference)).await {
        Ok(found) => found,
        Err(problem) => return Err(problem.into_response()),
    };
    found.ok_or_else(|| {
        Problem::new(
            StatusCode::NOT_FOUND,
            "unknown_reference",
            "Unknown reference",
            Localized::new(
                "Det finns ingen inlämning med det referensnumret.",
                "There is no submission with that reference number.",
            ),
        )
        .into_response()
    })
}

/// `GET /api/submissions/{reference}`: one stored submission, for integrators (bearer token).
pub async fn get_submission(
    State(app): State<Arc<AppState>>,
    Path(reference): Path<String>,
    headers: HeaderMap,
) -> Response {
    let stored = match stored_for_admin(&app, reference, &headers).await {
        Ok(stored) => stored,
        Err(response) => return response,
    };
    let answers = serde_json::from_str(&stored.answers).unwrap_or(Value::Null);
    Json(StoredBody {
        reference: stored.reference,
        submission_id: stored.submission_id,
        form_id: stored.form_id,
        form_version: stored.form_version,
        language: stored.language,
        answers,
        received_at: stored.received_at,
    })
    .into_response()
}

/// The form's Open ePlatform mapping, or why its cases cannot be delivered as OEP XML.
fn oep_mapping<'a>(
    app: &'a AppState,
    form_id: &str,
) -> Result<&'a blankett_oep::export::Mapping, Box<Response>> {
    if app.forms.get(form_id).is_none() {
        return Err(Box::new(
            Problem::new(
                StatusCode::NOT_FOUND,
                "unknown_form",
                "Unknown form",
                Localized::new(
                    format!("Formuläret \"{form_id}\" finns inte hos den här mottagaren."),
                    format!("The form \"{form_id}\" is not on this receiver."),
                ),
            )
            .into_response(),
        ));
    }
    app.forms.oep(form_id).ok_or_else(|| {
        Box::new(
            Problem::new(
                StatusCode::NOT_FOUND,
                "oep_export_off",
                "Open ePlatform export is off for this form",
                Localized::new(
                    format!(
                        "Formuläret \"{form_id}\" levereras inte som FlowInstance-XML: lägg till \"x-oep\": {{}} i definitionen för att slå på det."
                    ),
                    format!(
                        "The form \"{form_id}\" is not delivered as FlowInstance XML: add \"x-oep\": {{}} to its definition to turn it on."
                    ),
                ),
            )
            .into_response(),
        )
    })
}

/// `GET /api/submissions/{reference}/flowinstance.xml`: the stored case as Open ePlatform
/// FlowInstance XML (ISO-8859-1), for integrations that read OEP cases (bearer token).
pub async fn get_flowinstance_xml(
    State(app): State<Arc<AppState>>,
    Path(reference): Path<String>,
    headers: HeaderMap,
) -> Response {
    let stored = match stored_for_admin(&app, reference, &headers).await {
        Ok(stored) => stored,
        Err(response) => return response,
    };
    let mapping = match oep_mapping(&app, &stored.form_id) {
        Ok(mapping) => mapping,
        Err(response) => return *response,
    };
    let answers: Value = serde_json::from_str(&stored.answers).unwrap_or(Value::Null);
    let case_id = stored
        .reference
        .rsplit('-')
        .next()
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or(1);
    let xml = mapping.flowinstance_xml(&blankett_oep::export::Case {
        flow_instance_id: case_id,
        received_at: &stored.received_at,
        answers: &answers,
    });
    (
        [(header::CONTENT_TYPE, "application/xml; charset=ISO-8859-1")],
        xml,
    )
        .into_response()
}

/// `GET /api/forms/{form}/flowinstance.xsd`: the XML Schema the form's FlowInstance XML
/// follows, generated the way Open ePlatform generates one per flow.
pub async fn get_form_xsd(State(app): State<Arc<AppState>>, Path(form): Path<String>) -> Response {
    match oep_mapping(&app, &form) {
        Ok(mapping) => (
            [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
            mapping.xsd(),
        )
            .into_response(),
        Err(response) => *response,
    }
}

/// `GET /api/forms`: id, version and title of every loaded form.
pub async fn list_forms(State(app): State<Arc<AppState>>) -> Response {
    Json(app.forms.summaries()).into_response()
}

/// `GET /healthz`: the process is up.
pub async fn healthz() -> &'static str {
    "ok"
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
