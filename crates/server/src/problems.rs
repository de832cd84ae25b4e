//! Every refusal the receiver makes, as one error type: [`ApiError`], whose catalogue gives
//! each refusal its RFC 9457 problem document (status, `code`, title and the citizen's text
//! in Swedish and English) in one place.

use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use blankett_core::SubmissionError;
use blankett_core::protocol::{FieldError, Localized, Problem};
use blankett_core::signing::SigError;
use blankett_core::submission::ParseError;
use time::OffsetDateTime;
use time::macros::format_description;

use crate::store::{StoreError, Unwritable};

/// The media type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Why the receiver refuses a request; each variant answers with one problem document.
#[derive(Debug)]
pub enum ApiError {
    /// The body is not sent as `application/json`.
    UnsupportedMediaType,
    /// The body is larger than the receiver accepts.
    PayloadTooLarge {
        /// The largest body accepted, in bytes.
        limit: usize,
    },
    /// The body could not be read; what the reader said.
    UnreadableBody(String),
    /// The body is not JSON; serde_json's message.
    MalformedJson(String),
    /// The body is not UTF-8.
    NotUtf8,
    /// The body is JSON but not a submission; serde_json's message.
    NotASubmission(String),
    /// The body has a key twice in one object; the path of the second.
    DuplicateKey(String),
    /// A submission for a form the receiver does not have; the form id.
    UnknownForm(String),
    /// An Open ePlatform export or schema of a form the receiver does not have; the form id.
    UnknownExportForm(String),
    /// The form's definition refuses the submission (`422`, with the refused answers).
    Unprocessable(SubmissionError),
    /// Another submission with the same id is already stored.
    SubmissionIdConflict,
    /// Storage failed for a reason of the environment; a later retry may succeed.
    StorageUnavailable,
    /// Something failed in the receiver itself.
    Internal,
    /// No such resource under `/api/`.
    NotFound,
    /// A method other than `POST` or `OPTIONS` on `/api/submissions`.
    MethodNotAllowed,
    /// The admin token is missing or wrong.
    Unauthorized,
    /// No stored submission has the reference asked for.
    UnknownReference,
    /// The form is not delivered as Open ePlatform XML (no `x-oep`); the form id.
    OepExportOff(String),
    /// A request that must be signed has no `Content-Digest`.
    DigestMissing,
    /// `Content-Digest` has no `sha-256` or `sha-512` value, or cannot be read.
    DigestUnsupported,
    /// `Content-Digest` does not match the body received.
    DigestMismatch,
    /// The request has no signature labelled `blankett`.
    SignatureMissing,
    /// A signature field cannot be read; what is wrong.
    SignatureMalformed(String),
    /// The signature leaves out a component or parameter the profile requires; which.
    SignatureIncomplete(String),
    /// The signature's `alg` is not one the profile allows; the algorithm.
    SignatureAlgorithm(String),
    /// `Blankett-Key` is missing or is not the key `keyid` and `alg` name; why.
    SignatureKey(String),
    /// The signature's `created` is outside the window around the receiver's clock.
    SignatureExpired {
        /// The signature's `created` (seconds since the epoch).
        created: i64,
        /// The receiver's clock (seconds since the epoch), also sent as `Date`.
        now: i64,
    },
    /// The signature does not verify over the signature base with the key.
    SignatureInvalid,
    /// The signature's nonce was already used by this key within the window.
    SignatureReplayed,
    /// `Idempotency-Key` is not the body's `submission_id` as a structured-field string.
    IdempotencyKeyMismatch,
    /// The request target (path and query) is longer than the receiver takes.
    UriTooLong,
    /// The request's header fields are larger (or more) than the receiver takes.
    HeaderFieldsTooLarge,
    /// `/readyz`: the database cannot take a write now; why.
    NotReady(Unwritable),
    /// The receiver holds as many connections as it serves at once.
    Overloaded,
    /// This client has sent more submissions than the receiver takes per minute.
    TooManyRequests {
        /// Seconds until the client may send again (`Retry-After`).
        retry_after: u64,
    },
    /// An uploaded file is larger than any loaded form takes (`Content-Length` or the bytes
    /// read).
    FileTooLarge {
        /// The largest file accepted, in bytes.
        limit: u64,
    },
    /// An uploaded file's bytes do not have the SHA-256 of its address.
    FileDigestMismatch,
    /// An uploaded file's content is none of the known types, or not the `Content-Type` sent.
    FileType,
    /// The scanner hook refused an uploaded file.
    FileRefused,
    /// The scanner hook failed or took too long; a later retry may succeed.
    ScannerUnavailable,
    /// A file upload for a submission id that is already stored (it takes no new files).
    AlreadySubmitted,
    /// Files the submission names are not uploaded (staged) for it by its key.
    FilesMissing(Vec<MissingFile>),
    /// The stored submission has no file with that hash.
    UnknownFile,
    /// A method other than `PUT`, `GET` or `OPTIONS` on a file's address.
    FileMethodNotAllowed,
}

/// A file a submission names that the receiver does not have for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingFile {
    /// The answer key (`situationsplan`, `bilagor[1].intyg`).
    pub key: String,
    /// The file's SHA-256 (lowercase hex).
    pub sha256: String,
    /// The file's name as the submission gives it.
    pub name: String,
}

/// Seconds a client waits before uploading again when the scanner is unavailable.
pub const SCANNER_RETRY_AFTER: u32 = 30;

/// A problem's status, `code` and title, and its `detail`.
type Entry = (StatusCode, &'static str, &'static str, Localized);

impl ApiError {
    /// The catalogue: every refusal's status, `code`, title and Swedish and English detail.
    #[rustfmt::skip] // One refusal per entry reads as a table; rustfmt would split them.
    fn entry(&self) -> Entry {
        use ApiError as E;
        use StatusCode as S;
        match self {
            E::UnsupportedMediaType => (S::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "Unsupported media type", Localized::new(
                "Inlämningen måste skickas som JSON (Content-Type: application/json).",
                "The submission must be sent as JSON (Content-Type: application/json).")),
            E::PayloadTooLarge { limit } => (S::PAYLOAD_TOO_LARGE, "payload_too_large", "Payload too large", Localized::new(
                format!("Inlämningen är för stor. Mottagaren tar emot högst {limit} byte."),
                format!("The submission is too large. The receiver accepts at most {limit} bytes."))),
            E::UnreadableBody(why) => (S::BAD_REQUEST, "unreadable_body", "Unreadable body", Localized::new(
                format!("Inlämningen kunde inte läsas: {why}"),
                format!("The submission could not be read: {why}"))),
            E::MalformedJson(why) => (S::BAD_REQUEST, "malformed_json", "Malformed JSON", Localized::new(
                format!("Inlämningen är inte giltig JSON: {why}"),
                format!("The body is not valid JSON: {why}"))),
            E::NotUtf8 => (S::BAD_REQUEST, "malformed_json", "Malformed JSON", Localized::new(
                "Inlämningen är inte giltig UTF-8.",
                "The submission is not valid UTF-8.")),
            E::NotASubmission(why) => (S::BAD_REQUEST, "invalid_submission", "Not a submission", Localized::new(
                format!("Inlämningen har inte rätt form: {why}"),
                format!("The body is not a submission: {why}"))),
            E::DuplicateKey(path) => (S::BAD_REQUEST, "duplicate_key", "Duplicate key", Localized::new(
                format!("Inlämningen har samma nyckel två gånger i ett objekt ({path}), så olika mottagare kan läsa olika svar. Den har inte tagits emot."),
                format!("The submission has the same key twice in one object ({path}), so different readers could read different answers. It has not been received."))),
            E::UnknownForm(form) => (S::NOT_FOUND, "unknown_form", "Unknown form", Localized::new(
                format!("Mottagaren känner inte till formuläret \"{form}\"."),
                format!("The receiver does not know the form \"{form}\"."))),
            E::UnknownExportForm(form) => (S::NOT_FOUND, "unknown_form", "Unknown form", Localized::new(
                format!("Formuläret \"{form}\" finns inte hos den här mottagaren."),
                format!("The form \"{form}\" is not on this receiver."))),
            E::Unprocessable(err) => (S::UNPROCESSABLE_ENTITY, err.code(), match err {
                SubmissionError::Invalid(_) => "Invalid answers",
                SubmissionError::VersionMismatch { .. } => "Form version mismatch",
                _ => "Unprocessable submission",
            }, Localized::from_fn(|lang| err.message(lang))),
            E::SubmissionIdConflict => (S::CONFLICT, "submission_id_conflict", "Submission id conflict", Localized::new(
                "En annan inlämning med samma id har redan tagits emot.",
                "Another submission with the same id has already been received.")),
            E::StorageUnavailable => (S::SERVICE_UNAVAILABLE, "storage_unavailable", "Storage unavailable", Localized::new(
                "Dina svar kunde inte sparas just nu. De har inte skickats in. Försök igen om en stund.",
                "Your answers could not be stored right now. They have not been submitted. Please try again in a while.")),
            E::Internal => (S::INTERNAL_SERVER_ERROR, "internal_error", "Internal server error", Localized::new(
                "Något gick fel hos mottagaren. Dina svar har inte skickats in. Försök igen om en stund.",
                "Something went wrong at the receiver. Your answers have not been submitted. Please try again in a while.")),
            E::NotFound => (S::NOT_FOUND, "not_found", "Not found", Localized::new(
                "Sidan finns inte.",
                "There is no such resource.")),
            E::MethodNotAllowed => (S::METHOD_NOT_ALLOWED, "method_not_allowed", "Method not allowed", Localized::new(
                "Skicka inlämningar med POST.",
                "Send submissions with POST.")),
            E::Unauthorized => (S::UNAUTHORIZED, "unauthorized", "Unauthorized", Localized::new(
                "Ange en giltig administratörsnyckel (Authorization: Bearer …).",
                "Give a valid admin token (Authorization: Bearer …).")),
            E::UnknownReference => (S::NOT_FOUND, "unknown_reference", "Unknown reference", Localized::new(
                "Det finns ingen inlämning med det referensnumret.",
                "There is no submission with that reference number.")),
            E::OepExportOff(form) => (S::NOT_FOUND, "oep_export_off", "Open ePlatform export is off for this form", Localized::new(
                format!("Formuläret \"{form}\" levereras inte som FlowInstance-XML: lägg till \"x-oep\": {{}} i definitionen för att slå på det."),
                format!("The form \"{form}\" is not delivered as FlowInstance XML: add \"x-oep\": {{}} to its definition to turn it on."))),
            E::DigestMissing => (S::BAD_REQUEST, "digest_missing", "Content-Digest missing", Localized::new(
                "Inlämningen saknar kontrollsumma (Content-Digest), så mottagaren kan inte se att den kom fram hel. Den har inte tagits emot. Ladda om sidan och skicka igen.",
                "The submission has no checksum (Content-Digest), so the receiver cannot tell that it arrived whole. It has not been received. Reload the page and send it again.")),
            E::DigestUnsupported => (S::BAD_REQUEST, "digest_unsupported", "Unsupported Content-Digest", Localized::new(
                "Inlämningens kontrollsumma (Content-Digest) är inte av ett slag som mottagaren tar emot: den ska vara sha-256. Den har inte tagits emot. Ladda om sidan och skicka igen.",
                "The submission's checksum (Content-Digest) is not of a kind the receiver accepts: it must be sha-256. It has not been received. Reload the page and send it again.")),
            E::DigestMismatch => (S::BAD_REQUEST, "digest_mismatch", "Content-Digest mismatch", Localized::new(
                "Inlämningen ändrades på vägen till mottagaren (kontrollsumman stämmer inte). Den har inte tagits emot. Skicka igen.",
                "The submission changed on its way to the receiver (its checksum does not match). It has not been received. Please send it again.")),
            E::SignatureMissing => (S::UNAUTHORIZED, "signature_missing", "Signature missing", Localized::new(
                "Inlämningen är inte signerad, och mottagaren tar bara emot signerade inlämningar. Den har inte tagits emot. Ladda om sidan och skicka igen.",
                "The submission is not signed, and the receiver only accepts signed submissions. It has not been received. Reload the page and send it again.")),
            E::SignatureMalformed(why) => (S::UNAUTHORIZED, "signature_malformed", "Malformed signature", Localized::new(
                format!("Inlämningens signatur kunde inte läsas ({why}). Den har inte tagits emot. Ladda om sidan och skicka igen."),
                format!("The submission's signature could not be read ({why}). It has not been received. Reload the page and send it again."))),
            E::SignatureIncomplete(what) => (S::UNAUTHORIZED, "signature_incomplete", "Incomplete signature", Localized::new(
                format!("Inlämningens signatur är ofullständig (saknas: {what}). Den har inte tagits emot. Ladda om sidan och skicka igen."),
                format!("The submission's signature is incomplete (missing: {what}). It has not been received. Reload the page and send it again."))),
            E::SignatureAlgorithm(alg) => (S::UNAUTHORIZED, "signature_algorithm", "Signature algorithm not allowed", Localized::new(
                format!("Inlämningen är signerad med ett sätt som mottagaren inte tar emot (\"{alg}\"); den tar emot ecdsa-p256-sha256 och ed25519. Den har inte tagits emot."),
                format!("The submission is signed in a way the receiver does not accept (\"{alg}\"); it accepts ecdsa-p256-sha256 and ed25519. It has not been received."))),
            E::SignatureKey(why) => (S::UNAUTHORIZED, "signature_key", "Signature key mismatch", Localized::new(
                format!("Nyckeln som följde med inlämningen är inte den som signaturen anger ({why}). Den har inte tagits emot. Ladda om sidan och skicka igen."),
                format!("The key sent with the submission is not the one its signature names ({why}). It has not been received. Reload the page and send it again."))),
            E::SignatureExpired { now, .. } => (S::UNAUTHORIZED, "signature_expired", "Signature expired", Localized::new(
                format!("Inlämningens signatur har fel tid, så den har inte tagits emot. Klockan i din enhet kan gå fel: ställ in rätt datum och tid (helst automatiskt) och skicka igen. Mottagarens klocka visar {} UTC.", clock(*now)),
                format!("The submission's signature has the wrong time, so it has not been received. The clock on your device may be wrong: set the right date and time (automatic is best) and send it again. The receiver's clock says {} UTC.", clock(*now)))),
            E::SignatureInvalid => (S::UNAUTHORIZED, "signature_invalid", "Invalid signature", Localized::new(
                "Inlämningens signatur stämmer inte: den kan ha ändrats på vägen eller skickats till en annan adress än den signerades för. Den har inte tagits emot. Ladda om sidan och skicka igen.",
                "The submission's signature does not match: it may have been changed on its way, or sent to another address than it was signed for. It has not been received. Reload the page and send it again.")),
            E::SignatureReplayed => (S::UNAUTHORIZED, "signature_replayed", "Signature replayed", Localized::new(
                "Den här signaturen har redan använts en gång, så inlämningen har inte tagits emot nu. Skicka igen: varje försök signeras på nytt.",
                "This signature has already been used once, so the submission has not been received now. Send it again: every attempt is signed anew.")),
            E::IdempotencyKeyMismatch => (S::BAD_REQUEST, "idempotency_key_mismatch", "Idempotency-Key mismatch", Localized::new(
                "Inlämningens Idempotency-Key är inte dess submission_id (som en sträng inom citattecken). Den har inte tagits emot. Ladda om sidan och skicka igen.",
                "The submission's Idempotency-Key is not its submission_id (as a quoted string). It has not been received. Reload the page and send it again.")),
            E::UriTooLong => (S::URI_TOO_LONG, "uri_too_long", "URI too long", Localized::new(
                "Adressen är för lång för mottagaren. Använd en kortare länk.",
                "The address is too long for the receiver. Use a shorter link.")),
            E::HeaderFieldsTooLarge => (S::REQUEST_HEADER_FIELDS_TOO_LARGE, "header_fields_too_large", "Request header fields too large", Localized::new(
                "Förfrågan har för stora eller för många rubrikfält. Det kan bero på för många eller för stora kakor (cookies): rensa kakorna för webbplatsen och försök igen.",
                "The request's header fields are too large or too many. Too many or too large cookies can cause this: clear the site's cookies and try again.")),
            E::NotReady(why) => {
                let (sv, en) = match why {
                    Unwritable::DiskFull => ("disken är full", "the disk is full"),
                    Unwritable::ReadOnly => ("databasen går bara att läsa", "the database is read-only"),
                    Unwritable::Locked => ("databasen är låst av en annan process", "the database is locked by another process"),
                    Unwritable::Unreachable => ("databasservern går inte att nå", "the database server cannot be reached"),
                    Unwritable::Other => ("databasen tar inte emot skrivningar", "the database does not take writes"),
                };
                (S::SERVICE_UNAVAILABLE, "not_ready", "Not ready", Localized::new(
                    format!("Mottagaren kan inte spara inlämningar just nu: {sv}."),
                    format!("The receiver cannot store submissions now: {en}.")))
            }
            E::Overloaded => (S::SERVICE_UNAVAILABLE, "overloaded", "Overloaded", Localized::new(
                "Mottagaren har för många anslutningar just nu. Dina svar har inte skickats in. Försök igen om en stund.",
                "The receiver has too many connections right now. Your answers have not been submitted. Please try again in a moment.")),
            E::FileTooLarge { limit } => (S::PAYLOAD_TOO_LARGE, "file_too_large", "File too large", Localized::new(
                format!("Filen är för stor. Mottagaren tar emot filer på högst {}.", blankett_core::files::format_size(*limit, true)),
                format!("The file is too large. The receiver accepts files of at most {}.", blankett_core::files::format_size(*limit, false)))),
            E::FileDigestMismatch => (S::BAD_REQUEST, "digest_mismatch", "Content-Digest mismatch", Localized::new(
                "Filen ändrades på vägen till mottagaren eller kom inte fram hel (kontrollsumman stämmer inte). Den har inte tagits emot. Skicka igen.",
                "The file changed on its way to the receiver or did not arrive whole (its checksum does not match). It has not been received. Please send it again.")),
            E::FileType => (S::UNSUPPORTED_MEDIA_TYPE, "file_type", "Unsupported file type", Localized::new(
                "Filens innehåll är inte av en filtyp som mottagaren tar emot, eller inte av den typ den skickades som. Den har inte tagits emot. Välj en annan fil.",
                "The file's content is not of a type the receiver accepts, or not of the type it was sent as. It has not been received. Choose another file.")),
            E::FileRefused => (S::UNPROCESSABLE_ENTITY, "file_refused", "File refused", Localized::new(
                "Filen togs inte emot: mottagarens kontroll av skadlig kod stoppade den. Välj en annan fil.",
                "The file was not received: the receiver's malware check stopped it. Choose another file.")),
            E::ScannerUnavailable => (S::SERVICE_UNAVAILABLE, "scanner_unavailable", "Scanner unavailable", Localized::new(
                "Filen kunde inte kontrolleras just nu, så den har inte tagits emot. Försök igen om en stund.",
                "The file could not be checked right now, so it has not been received. Please try again in a while.")),
            E::AlreadySubmitted => (S::CONFLICT, "already_submitted", "Already submitted", Localized::new(
                "Inlämningen har redan tagits emot och kan inte få fler filer.",
                "The submission has already been received and cannot take more files.")),
            E::FilesMissing(missing) => (S::UNPROCESSABLE_ENTITY, "files_missing", "Files missing", Localized::new(
                format!("{} bifogade filer har inte kommit fram till mottagaren. Inlämningen har inte tagits emot. Skicka igen.", missing.len()),
                format!("{} attached file(s) have not reached the receiver. The submission has not been received. Please send it again.", missing.len()))),
            E::UnknownFile => (S::NOT_FOUND, "unknown_file", "Unknown file", Localized::new(
                "Inlämningen har ingen fil med den kontrollsumman.",
                "The submission has no file with that checksum.")),
            E::FileMethodNotAllowed => (S::METHOD_NOT_ALLOWED, "method_not_allowed", "Method not allowed", Localized::new(
                "Ladda upp en fil med PUT och läs den med GET.",
                "Upload a file with PUT, and read it with GET.")),
            E::TooManyRequests { retry_after } => (S::TOO_MANY_REQUESTS, "too_many_requests", "Too many requests", Localized::new(
                format!("Det har skickats för många inlämningar från din adress på kort tid. Dina svar har inte skickats in. Försök igen om {retry_after} sekunder."),
                format!("Too many submissions have been sent from your address in a short time. Your answers have not been submitted. Please try again in {retry_after} seconds."))),
        }
    }

    /// The header the answer needs besides its problem document, if any.
    fn header(&self) -> Option<(HeaderName, String)> {
        match self {
            ApiError::MethodNotAllowed => Some((header::ALLOW, "POST, OPTIONS".into())),
            ApiError::FileMethodNotAllowed => Some((header::ALLOW, "GET, PUT, OPTIONS".into())),
            ApiError::Unauthorized => Some((header::WWW_AUTHENTICATE, "Bearer".into())),
            // The receiver's clock, so a client whose clock is wrong can sign again.
            ApiError::SignatureExpired { now, .. } => Some((header::DATE, http_date(*now))),
            ApiError::TooManyRequests { retry_after } => {
                Some((header::RETRY_AFTER, retry_after.to_string()))
            }
            ApiError::Overloaded => Some((
                header::RETRY_AFTER,
                crate::limits::OVERLOAD_RETRY_AFTER.to_string(),
            )),
            ApiError::ScannerUnavailable => {
                Some((header::RETRY_AFTER, SCANNER_RETRY_AFTER.to_string()))
            }
            // The database is down, restarting or out of connections: the outbox sends again.
            ApiError::StorageUnavailable | ApiError::NotReady(_) => {
                Some((header::RETRY_AFTER, STORAGE_RETRY_AFTER.to_string()))
            }
            _ => None,
        }
    }

    /// The HTTP status and the problem document.
    fn status_and_problem(&self) -> (StatusCode, Problem) {
        let (status, code, title, detail) = self.entry();
        let mut problem = Problem::new(status.as_u16(), code, title, detail);
        if let ApiError::Unprocessable(SubmissionError::Invalid(issues)) = self {
            problem.errors = issues
                .iter()
                .map(|issue| FieldError {
                    field: issue.field.clone(),
                    code: issue.code.code().to_owned(),
                    message: Localized::from_fn(|lang| issue.code.message(lang)),
                })
                .collect();
        }
        if let ApiError::FilesMissing(missing) = self {
            problem.errors = missing
                .iter()
                .map(|m| FieldError {
                    field: m.key.clone(),
                    code: "file_missing".to_owned(),
                    message: Localized::new(
                        format!(
                            "Filen {} har inte kommit fram (SHA-256 {}).",
                            m.name, m.sha256
                        ),
                        format!(
                            "The file {} has not arrived (SHA-256 {}).",
                            m.name, m.sha256
                        ),
                    ),
                })
                .collect();
        }
        if let ApiError::DuplicateKey(path) = self {
            problem.path = Some(path.clone());
        }
        (status, problem)
    }

    /// The problem document this refusal answers with.
    pub fn problem(&self) -> Problem {
        self.status_and_problem().1
    }

    /// The refusal of a body axum could not read: too large for `limit` bytes, or unreadable.
    pub fn from_body_rejection(rejection: &BytesRejection, limit: usize) -> ApiError {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge { limit }
        } else {
            ApiError::UnreadableBody(rejection.body_text())
        }
    }

    /// The refusal of a body that cannot be read as a submission.
    pub fn from_parse(e: &ParseError) -> ApiError {
        match e {
            ParseError::Json(e) => ApiError::from_json(e),
            ParseError::DuplicateKey(d) => ApiError::DuplicateKey(d.path.clone()),
        }
    }

    /// The refusal of a body that is not JSON, or JSON that is not a submission.
    pub fn from_json(e: &serde_json::Error) -> ApiError {
        use serde_json::error::Category;
        match e.classify() {
            Category::Data => ApiError::NotASubmission(e.to_string()),
            Category::Syntax | Category::Eof | Category::Io => {
                ApiError::MalformedJson(e.to_string())
            }
        }
    }
}

/// A time (seconds since the epoch) as HTTP writes it in `Date` (IMF-fixdate, RFC 9110).
pub fn http_date(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(format_description!(
                "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
            ))
            .ok()
        })
        .unwrap_or_default()
}

/// A time (seconds since the epoch) as a person reads it: `2026-11-23 09:41`.
fn clock(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(format_description!("[year]-[month]-[day] [hour]:[minute]"))
                .ok()
        })
        .unwrap_or_default()
}

/// Why a signature does not hold, as the refusal with the profile's code
/// ([`SigError::code`]); digest failures are the 400s, the rest 401s.
impl From<SigError> for ApiError {
    fn from(err: SigError) -> ApiError {
        match err {
            SigError::MissingDigest => ApiError::DigestMissing,
            SigError::UnsupportedDigest => ApiError::DigestUnsupported,
            SigError::DigestMismatch => ApiError::DigestMismatch,
            SigError::MissingSignature => ApiError::SignatureMissing,
            SigError::Malformed(why) => ApiError::SignatureMalformed(why),
            SigError::NotCovered(c) | SigError::MissingComponent(c) => {
                ApiError::SignatureIncomplete(c)
            }
            SigError::MissingParam(p) => ApiError::SignatureIncomplete(p.to_owned()),
            SigError::UnsupportedAlg(alg) => ApiError::SignatureAlgorithm(alg),
            SigError::Stale { created, now } => ApiError::SignatureExpired { created, now },
            SigError::BadKey(why) => ApiError::SignatureKey(why),
        }
    }
}

/// Seconds a client waits before sending again when storage is unavailable (`Retry-After`).
pub const STORAGE_RETRY_AFTER: u32 = 5;

/// A storage failure: logged, and answered as unavailable when a retry may succeed.
impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> ApiError {
        tracing::error!("storage failed: {err}");
        if err.is_unavailable() {
            ApiError::StorageUnavailable
        } else {
            ApiError::Internal
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, problem) = self.status_and_problem();
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some((name, value)) = self.header()
            && let Ok(value) = HeaderValue::from_str(&value)
        {
            headers.insert(name, value);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use blankett_core::{Issue, IssueCode};

    use super::*;

    fn version_mismatch() -> SubmissionError {
        SubmissionError::VersionMismatch {
            expected: "3".into(),
            found: "2".into(),
        }
    }

    fn invalid() -> SubmissionError {
        SubmissionError::Invalid(vec![Issue {
            field: "namn".into(),
            code: IssueCode::Required,
        }])
    }

    /// A refusal with its status, code, title, Swedish and English detail, and extra header.
    type Row = (
        ApiError,
        u16,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        Option<(HeaderName, &'static str)>,
    );

    /// Every refusal, as the receiver answers it today.
    #[rustfmt::skip] // One refusal per row reads as a table; rustfmt would split them.
    fn catalogue() -> Vec<Row> {
        use ApiError as E;
        vec![
            (E::UnsupportedMediaType, 415, "unsupported_media_type", "Unsupported media type",
                "Inlämningen måste skickas som JSON (Content-Type: application/json).",
                "The submission must be sent as JSON (Content-Type: application/json).", None),
            (E::PayloadTooLarge { limit: 2000 }, 413, "payload_too_large", "Payload too large",
                "Inlämningen är för stor. Mottagaren tar emot högst 2000 byte.",
                "The submission is too large. The receiver accepts at most 2000 bytes.", None),
            (E::UnreadableBody("cut off".into()), 400, "unreadable_body", "Unreadable body",
                "Inlämningen kunde inte läsas: cut off",
                "The submission could not be read: cut off", None),
            (E::MalformedJson("EOF at line 1".into()), 400, "malformed_json", "Malformed JSON",
                "Inlämningen är inte giltig JSON: EOF at line 1",
                "The body is not valid JSON: EOF at line 1", None),
            (E::NotUtf8, 400, "malformed_json", "Malformed JSON",
                "Inlämningen är inte giltig UTF-8.",
                "The submission is not valid UTF-8.", None),
            (E::NotASubmission("missing field `answers`".into()), 400, "invalid_submission", "Not a submission",
                "Inlämningen har inte rätt form: missing field `answers`",
                "The body is not a submission: missing field `answers`", None),
            (E::DuplicateKey("answers.namn".into()), 400, "duplicate_key", "Duplicate key",
                "Inlämningen har samma nyckel två gånger i ett objekt (answers.namn), så olika mottagare kan läsa olika svar. Den har inte tagits emot.",
                "The submission has the same key twice in one object (answers.namn), so different readers could read different answers. It has not been received.", None),
            (E::UnknownForm("nope".into()), 404, "unknown_form", "Unknown form",
                "Mottagaren känner inte till formuläret \"nope\".",
                "The receiver does not know the form \"nope\".", None),
            (E::UnknownExportForm("nope".into()), 404, "unknown_form", "Unknown form",
                "Formuläret \"nope\" finns inte hos den här mottagaren.",
                "The form \"nope\" is not on this receiver.", None),
            (E::Unprocessable(invalid()), 422, "invalid_answers", "Invalid answers",
                "1 svar följer inte formulärets regler",
                "1 answer(s) break the form's rules", None),
            (E::Unprocessable(version_mismatch()), 422, "version_mismatch", "Form version mismatch",
                "inlämningen gjordes med version \"2\" av formuläret; den aktuella versionen är \"3\"",
                "the submission was made with version \"2\" of the form; the current version is \"3\"", None),
            (E::Unprocessable(SubmissionError::UnsupportedLanguage("de".into())), 422, "unsupported_language", "Unprocessable submission",
                "språket \"de\" finns inte i formuläret och är inte \"sv\" eller \"en\"",
                "language \"de\" is not one the form offers, nor \"sv\" or \"en\"", None),
            (E::SubmissionIdConflict, 409, "submission_id_conflict", "Submission id conflict",
                "En annan inlämning med samma id har redan tagits emot.",
                "Another submission with the same id has already been received.", None),
            (E::StorageUnavailable, 503, "storage_unavailable", "Storage unavailable",
                "Dina svar kunde inte sparas just nu. De har inte skickats in. Försök igen om en stund.",
                "Your answers could not be stored right now. They have not been submitted. Please try again in a while.", Some((header::RETRY_AFTER, "5"))),
            (E::Internal, 500, "internal_error", "Internal server error",
                "Något gick fel hos mottagaren. Dina svar har inte skickats in. Försök igen om en stund.",
                "Something went wrong at the receiver. Your answers have not been submitted. Please try again in a while.", None),
            (E::NotFound, 404, "not_found", "Not found",
                "Sidan finns inte.",
                "There is no such resource.", None),
            (E::MethodNotAllowed, 405, "method_not_allowed", "Method not allowed",
                "Skicka inlämningar med POST.",
                "Send submissions with POST.", Some((header::ALLOW, "POST, OPTIONS"))),
            (E::Unauthorized, 401, "unauthorized", "Unauthorized",
                "Ange en giltig administratörsnyckel (Authorization: Bearer …).",
                "Give a valid admin token (Authorization: Bearer …).", Some((header::WWW_AUTHENTICATE, "Bearer"))),
            (E::UnknownReference, 404, "unknown_reference", "Unknown reference",
                "Det finns ingen inlämning med det referensnumret.",
                "There is no submission with that reference number.", None),
            (E::OepExportOff("test".into()), 404, "oep_export_off", "Open ePlatform export is off for this form",
                "Formuläret \"test\" levereras inte som FlowInstance-XML: lägg till \"x-oep\": {} i definitionen för att slå på det.",
                "The form \"test\" is not delivered as FlowInstance XML: add \"x-oep\": {} to its definition to turn it on.", None),
            (E::DigestMissing, 400, "digest_missing", "Content-Digest missing",
                "Inlämningen saknar kontrollsumma (Content-Digest), så mottagaren kan inte se att den kom fram hel. Den har inte tagits emot. Ladda om sidan och skicka igen.",
                "The submission has no checksum (Content-Digest), so the receiver cannot tell that it arrived whole. It has not been received. Reload the page and send it again.", None),
            (E::DigestUnsupported, 400, "digest_unsupported", "Unsupported Content-Digest",
                "Inlämningens kontrollsumma (Content-Digest) är inte av ett slag som mottagaren tar emot: den ska vara sha-256. Den har inte tagits emot. Ladda om sidan och skicka igen.",
                "The submission's checksum (Content-Digest) is not of a kind the receiver accepts: it must be sha-256. It has not been received. Reload the page and send it again.", None),
            (E::DigestMismatch, 400, "digest_mismatch", "Content-Digest mismatch",
                "Inlämningen ändrades på vägen till mottagaren (kontrollsumman stämmer inte). Den har inte tagits emot. Skicka igen.",
                "The submission changed on its way to the receiver (its checksum does not match). It has not been received. Please send it again.", None),
            (E::SignatureMissing, 401, "signature_missing", "Signature missing",
                "Inlämningen är inte signerad, och mottagaren tar bara emot signerade inlämningar. Den har inte tagits emot. Ladda om sidan och skicka igen.",
                "The submission is not signed, and the receiver only accepts signed submissions. It has not been received. Reload the page and send it again.", None),
            (E::SignatureMalformed("Signature-Input is not an inner list".into()), 401, "signature_malformed", "Malformed signature",
                "Inlämningens signatur kunde inte läsas (Signature-Input is not an inner list). Den har inte tagits emot. Ladda om sidan och skicka igen.",
                "The submission's signature could not be read (Signature-Input is not an inner list). It has not been received. Reload the page and send it again.", None),
            (E::SignatureIncomplete("nonce".into()), 401, "signature_incomplete", "Incomplete signature",
                "Inlämningens signatur är ofullständig (saknas: nonce). Den har inte tagits emot. Ladda om sidan och skicka igen.",
                "The submission's signature is incomplete (missing: nonce). It has not been received. Reload the page and send it again.", None),
            (E::SignatureAlgorithm("hmac-sha256".into()), 401, "signature_algorithm", "Signature algorithm not allowed",
                "Inlämningen är signerad med ett sätt som mottagaren inte tar emot (\"hmac-sha256\"); den tar emot ecdsa-p256-sha256 och ed25519. Den har inte tagits emot.",
                "The submission is signed in a way the receiver does not accept (\"hmac-sha256\"); it accepts ecdsa-p256-sha256 and ed25519. It has not been received.", None),
            (E::SignatureKey("keyid is not the thumbprint of Blankett-Key".into()), 401, "signature_key", "Signature key mismatch",
                "Nyckeln som följde med inlämningen är inte den som signaturen anger (keyid is not the thumbprint of Blankett-Key). Den har inte tagits emot. Ladda om sidan och skicka igen.",
                "The key sent with the submission is not the one its signature names (keyid is not the thumbprint of Blankett-Key). It has not been received. Reload the page and send it again.", None),
            (E::SignatureExpired { created: 1_763_990_000, now: 1_764_000_000 }, 401, "signature_expired", "Signature expired",
                "Inlämningens signatur har fel tid, så den har inte tagits emot. Klockan i din enhet kan gå fel: ställ in rätt datum och tid (helst automatiskt) och skicka igen. Mottagarens klocka visar 2025-11-24 16:00 UTC.",
                "The submission's signature has the wrong time, so it has not been received. The clock on your device may be wrong: set the right date and time (automatic is best) and send it again. The receiver's clock says 2025-11-24 16:00 UTC.",
                Some((header::DATE, "Mon, 24 Nov 2025 16:00:00 GMT"))),
            (E::SignatureInvalid, 401, "signature_invalid", "Invalid signature",
                "Inlämningens signatur stämmer inte: den kan ha ändrats på vägen eller skickats till en annan adress än den signerades för. Den har inte tagits emot. Ladda om sidan och skicka igen.",
                "The submission's signature does not match: it may have been changed on its way, or sent to another address than it was signed for. It has not been received. Reload the page and send it again.", None),
            (E::SignatureReplayed, 401, "signature_replayed", "Signature replayed",
                "Den här signaturen har redan använts en gång, så inlämningen har inte tagits emot nu. Skicka igen: varje försök signeras på nytt.",
                "This signature has already been used once, so the submission has not been received now. Send it again: every attempt is signed anew.", None),
            (E::IdempotencyKeyMismatch, 400, "idempotency_key_mismatch", "Idempotency-Key mismatch",
                "Inlämningens Idempotency-Key är inte dess submission_id (som en sträng inom citattecken). Den har inte tagits emot. Ladda om sidan och skicka igen.",
                "The submission's Idempotency-Key is not its submission_id (as a quoted string). It has not been received. Reload the page and send it again.", None),
            (E::UriTooLong, 414, "uri_too_long", "URI too long",
                "Adressen är för lång för mottagaren. Använd en kortare länk.",
                "The address is too long for the receiver. Use a shorter link.", None),
            (E::HeaderFieldsTooLarge, 431, "header_fields_too_large", "Request header fields too large",
                "Förfrågan har för stora eller för många rubrikfält. Det kan bero på för många eller för stora kakor (cookies): rensa kakorna för webbplatsen och försök igen.",
                "The request's header fields are too large or too many. Too many or too large cookies can cause this: clear the site's cookies and try again.", None),
            (E::NotReady(Unwritable::DiskFull), 503, "not_ready", "Not ready",
                "Mottagaren kan inte spara inlämningar just nu: disken är full.",
                "The receiver cannot store submissions now: the disk is full.", Some((header::RETRY_AFTER, "5"))),
            (E::NotReady(Unwritable::ReadOnly), 503, "not_ready", "Not ready",
                "Mottagaren kan inte spara inlämningar just nu: databasen går bara att läsa.",
                "The receiver cannot store submissions now: the database is read-only.", Some((header::RETRY_AFTER, "5"))),
            (E::NotReady(Unwritable::Locked), 503, "not_ready", "Not ready",
                "Mottagaren kan inte spara inlämningar just nu: databasen är låst av en annan process.",
                "The receiver cannot store submissions now: the database is locked by another process.", Some((header::RETRY_AFTER, "5"))),
            (E::NotReady(Unwritable::Unreachable), 503, "not_ready", "Not ready",
                "Mottagaren kan inte spara inlämningar just nu: databasservern går inte att nå.",
                "The receiver cannot store submissions now: the database server cannot be reached.", Some((header::RETRY_AFTER, "5"))),
            (E::NotReady(Unwritable::Other), 503, "not_ready", "Not ready",
                "Mottagaren kan inte spara inlämningar just nu: databasen tar inte emot skrivningar.",
                "The receiver cannot store submissions now: the database does not take writes.", Some((header::RETRY_AFTER, "5"))),
            (E::Overloaded, 503, "overloaded", "Overloaded",
                "Mottagaren har för många anslutningar just nu. Dina svar har inte skickats in. Försök igen om en stund.",
                "The receiver has too many connections right now. Your answers have not been submitted. Please try again in a moment.", Some((header::RETRY_AFTER, "1"))),
            (E::FileTooLarge { limit: 10 * 1024 * 1024 }, 413, "file_too_large", "File too large",
                "Filen är för stor. Mottagaren tar emot filer på högst 10,5 MB.",
                "The file is too large. The receiver accepts files of at most 10.5 MB.", None),
            (E::FileDigestMismatch, 400, "digest_mismatch", "Content-Digest mismatch",
                "Filen ändrades på vägen till mottagaren eller kom inte fram hel (kontrollsumman stämmer inte). Den har inte tagits emot. Skicka igen.",
                "The file changed on its way to the receiver or did not arrive whole (its checksum does not match). It has not been received. Please send it again.", None),
            (E::FileType, 415, "file_type", "Unsupported file type",
                "Filens innehåll är inte av en filtyp som mottagaren tar emot, eller inte av den typ den skickades som. Den har inte tagits emot. Välj en annan fil.",
                "The file's content is not of a type the receiver accepts, or not of the type it was sent as. It has not been received. Choose another file.", None),
            (E::FileRefused, 422, "file_refused", "File refused",
                "Filen togs inte emot: mottagarens kontroll av skadlig kod stoppade den. Välj en annan fil.",
                "The file was not received: the receiver's malware check stopped it. Choose another file.", None),
            (E::ScannerUnavailable, 503, "scanner_unavailable", "Scanner unavailable",
                "Filen kunde inte kontrolleras just nu, så den har inte tagits emot. Försök igen om en stund.",
                "The file could not be checked right now, so it has not been received. Please try again in a while.", Some((header::RETRY_AFTER, "30"))),
            (E::AlreadySubmitted, 409, "already_submitted", "Already submitted",
                "Inlämningen har redan tagits emot och kan inte få fler filer.",
                "The submission has already been received and cannot take more files.", None),
            (E::FilesMissing(vec![MissingFile { key: "plan".into(), sha256: "ab".repeat(32), name: "plan.pdf".into() }]), 422, "files_missing", "Files missing",
                "1 bifogade filer har inte kommit fram till mottagaren. Inlämningen har inte tagits emot. Skicka igen.",
                "1 attached file(s) have not reached the receiver. The submission has not been received. Please send it again.", None),
            (E::UnknownFile, 404, "unknown_file", "Unknown file",
                "Inlämningen har ingen fil med den kontrollsumman.",
                "The submission has no file with that checksum.", None),
            (E::FileMethodNotAllowed, 405, "method_not_allowed", "Method not allowed",
                "Ladda upp en fil med PUT och läs den med GET.",
                "Upload a file with PUT, and read it with GET.", Some((header::ALLOW, "GET, PUT, OPTIONS"))),
            (E::TooManyRequests { retry_after: 7 }, 429, "too_many_requests", "Too many requests",
                "Det har skickats för många inlämningar från din adress på kort tid. Dina svar har inte skickats in. Försök igen om 7 sekunder.",
                "Too many submissions have been sent from your address in a short time. Your answers have not been submitted. Please try again in 7 seconds.", Some((header::RETRY_AFTER, "7"))),
        ]
    }

    #[test]
    fn every_refusal_has_its_status_code_title_and_texts() {
        for (error, status, code, title, sv, en, extra) in catalogue() {
            let problem = error.problem();
            assert_eq!(problem.status, status, "{code}");
            assert_eq!(problem.code, code);
            assert_eq!(problem.type_, format!("/problems/{code}"));
            assert_eq!(problem.title, title, "{code}");
            assert_eq!(problem.detail, Some(Localized::new(sv, en)), "{code}");
            let response = error.into_response();
            assert_eq!(response.status().as_u16(), status, "{code}");
            let headers = response.headers();
            assert_eq!(headers[header::CONTENT_TYPE], PROBLEM_JSON, "{code}");
            for name in [
                header::ALLOW,
                header::WWW_AUTHENTICATE,
                header::DATE,
                header::RETRY_AFTER,
            ] {
                let expected = extra.as_ref().filter(|(n, _)| *n == name).map(|(_, v)| *v);
                let found = headers.get(&name).and_then(|v| v.to_str().ok());
                assert_eq!(found, expected, "{code}: {name}");
            }
        }
    }

    #[test]
    fn missing_files_are_listed_by_answer_key_and_hash() {
        let sha = "9f".repeat(32);
        let problem = ApiError::FilesMissing(vec![MissingFile {
            key: "bilagor[1].intyg".into(),
            sha256: sha.clone(),
            name: "intyg.pdf".into(),
        }])
        .problem();
        assert_eq!(problem.errors.len(), 1);
        assert_eq!(problem.errors[0].field, "bilagor[1].intyg");
        assert_eq!(problem.errors[0].code, "file_missing");
        assert_eq!(
            problem.errors[0].message,
            Localized::new(
                format!("Filen intyg.pdf har inte kommit fram (SHA-256 {sha})."),
                format!("The file intyg.pdf has not arrived (SHA-256 {sha}).")
            )
        );
    }

    #[test]
    fn the_document_is_written_in_the_order_and_shape_the_app_reads() {
        let json = serde_json::to_string(&ApiError::NotFound.problem()).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"type":"/problems/not_found","title":"Not found","status":404,"code":"not_found","detail":{"sv":"Sidan finns inte.","en":"There is no such resource."},"errors":[]}"#
        );
    }

    #[test]
    fn refused_answers_are_field_errors() {
        let problem = ApiError::Unprocessable(invalid()).problem();
        assert_eq!(
            problem.errors,
            [FieldError {
                field: "namn".into(),
                code: "required".into(),
                message: Localized::new("Fyll i det här fältet.", "Fill in this field."),
            }]
        );
        assert!(
            ApiError::Unprocessable(version_mismatch())
                .problem()
                .errors
                .is_empty()
        );
    }

    #[test]
    fn a_body_that_is_not_json_is_told_from_json_that_is_not_a_submission() {
        let refusal = |body: &str| {
            serde_json::from_str::<blankett_core::Submission>(body)
                .err()
                .map(|e| ApiError::from_json(&e))
        };
        assert!(matches!(refusal("{"), Some(ApiError::MalformedJson(_))));
        assert!(matches!(refusal("{nope"), Some(ApiError::MalformedJson(_))));
        assert!(matches!(refusal("{}"), Some(ApiError::NotASubmission(_))));
    }

    #[test]
    fn a_duplicate_key_is_refused_with_its_path() {
        let body = br#"{"blankett_submission":"1","answers":{"namn":"Anna","namn":"Bo"}}"#;
        let refusal = blankett_core::Submission::from_json(body)
            .err()
            .map(|e| ApiError::from_parse(&e));
        let problem = refusal.map(|r| r.problem());
        assert_eq!(
            problem.as_ref().map(|p| p.code.as_str()),
            Some("duplicate_key")
        );
        assert_eq!(
            problem.and_then(|p| p.path),
            Some("answers.namn".to_owned())
        );
        assert_eq!(ApiError::NotFound.problem().path, None);
    }

    #[test]
    fn every_signature_error_is_the_refusal_with_its_code() {
        for err in [
            SigError::MissingDigest,
            SigError::UnsupportedDigest,
            SigError::DigestMismatch,
            SigError::MissingSignature,
            SigError::Malformed("x".into()),
            SigError::NotCovered("idempotency-key".into()),
            SigError::MissingParam("nonce"),
            SigError::UnsupportedAlg("hmac-sha256".into()),
            SigError::Stale {
                created: 0,
                now: 1000,
            },
            SigError::MissingComponent("idempotency-key".into()),
            SigError::BadKey("x".into()),
        ] {
            let code = err.code();
            assert_eq!(ApiError::from(err).problem().code, code);
        }
    }

    #[test]
    fn storage_failures_are_unavailable_only_when_a_retry_may_help() {
        let io = StoreError::CreateDir {
            path: "/data".into(),
            source: std::io::Error::other("read-only"),
        };
        assert!(matches!(ApiError::from(io), ApiError::StorageUnavailable));
        let too_new = StoreError::TooNew { found: 9, known: 1 };
        assert!(matches!(ApiError::from(too_new), ApiError::Internal));
    }
}
