//! Attachments (issue 18, docs/receiver-api.md "Attachments"): the browser uploads each file
//! of a submission with `PUT /api/submissions/{submission_id}/files/{sha256}`, signed as a
//! submission is, before it posts the submission; the receiver stages the bytes, and the
//! submission claims them in the transaction that stores it.
//!
//! An upload is refused before its body is read when `Content-Length` is over the limit
//! (the largest `max_file_size` of the loaded forms), and reading stops at the limit
//! otherwise; at most `--upload-concurrency` bodies are read at once, so memory stays
//! bounded whatever is sent. The bytes must have the hash of the address and be of the type
//! sent, by content ([`blankett_core::files::sniff`]); the scanner hook (`--scan-command`) sees them
//! before they are staged.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use blankett_core::signing::{Message, content_digest, sha256_hex};
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::Semaphore;

use blankett_core::definition::FieldKind;
use blankett_core::{Definition, Submission};

use crate::AppState;
use crate::api::{Client, note_read, stored_for_admin, with_store};
use crate::problems::{ApiError, MissingFile};
use crate::store::{NewFile, Staged, Upload, staged_key};
use crate::verify;
use blankett_core::files::{self as core_files, FileType};

/// What the receiver does with uploads: how many it reads at once, how large one may be,
/// and the scanner each one passes.
#[derive(Debug)]
pub struct Uploads {
    /// One permit per upload body in memory (`--upload-concurrency`).
    pub permits: Arc<Semaphore>,
    /// The largest file accepted: the largest `max_file_size` of the loaded forms' file
    /// fields (0 when no form takes files).
    pub max_file_size: u64,
    /// The scanner hook (`--scan-command`), if any.
    pub scanner: Option<Scanner>,
}

/// The scanner hook: a command run by `sh -c` with the file on stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scanner {
    /// The command (`clamdscan --no-summary -`).
    pub command: String,
    /// The longest it may take per file.
    pub timeout: Duration,
}

/// The scanner's verdict on one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scan {
    /// Exit status 0: the file is clean.
    Clean,
    /// Exit status 1: the scanner refuses the file; what it printed.
    Refused(String),
    /// Any other status, no status, a timeout, or the command could not run; why.
    Failed(String),
}

/// At most this many characters of what a scanner printed go to the log.
const SCANNER_OUTPUT: usize = 500;

impl Scanner {
    /// Runs the command with `bytes` on stdin and waits (no longer than the timeout, then
    /// its process group is killed) for its verdict.
    pub async fn scan(&self, bytes: Bytes) -> Scan {
        use tokio::io::AsyncWriteExt as _;
        let mut command = tokio::process::Command::new("sh");
        command
            .arg("-c")
            .arg(&self.command)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        // Its own process group, so a timeout kills what the shell started too.
        #[cfg(unix)]
        command.process_group(0);
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(e) => return Scan::Failed(format!("cannot run the scan command: {e}")),
        };
        let pid = child.id();
        let stdin = child.stdin.take();
        let feed = async move {
            if let Some(mut stdin) = stdin {
                // A scanner may stop reading once it has decided: not an error.
                let _ = stdin.write_all(&bytes).await;
                let _ = stdin.shutdown().await;
            }
        };
        let run = async {
            let ((), output) = tokio::join!(feed, child.wait_with_output());
            output
        };
        match tokio::time::timeout(self.timeout, run).await {
            Err(_) => {
                kill_group(pid);
                Scan::Failed(format!(
                    "no verdict within {} s (--scan-timeout)",
                    self.timeout.as_secs()
                ))
            }
            Ok(Err(e)) => Scan::Failed(format!("the scan command failed: {e}")),
            Ok(Ok(output)) => {
                let printed = printed(&output.stdout, &output.stderr);
                match output.status.code() {
                    Some(0) => Scan::Clean,
                    Some(1) => Scan::Refused(printed),
                    Some(code) => Scan::Failed(format!("exit status {code}: {printed}")),
                    None => Scan::Failed(format!("killed by a signal: {printed}")),
                }
            }
        }
    }
}

/// Kills the process group `pid` leads (the scan command and whatever it started).
fn kill_group(pid: Option<u32>) {
    #[cfg(unix)]
    if let Some(pid) = pid {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", "--", &format!("-{pid}")])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
    #[cfg(not(unix))]
    let _ = pid;
}

/// What a scanner printed, on one line, shortened for the log.
fn printed(stdout: &[u8], stderr: &[u8]) -> String {
    let text = format!(
        "{} {}",
        String::from_utf8_lossy(stdout).trim(),
        String::from_utf8_lossy(stderr).trim()
    );
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    line.chars().take(SCANNER_OUTPUT).collect()
}

/// The reply to an upload that was staged (`201`) or already there (`200`).
#[derive(Debug, Clone, Serialize)]
struct Uploaded<'a> {
    sha256: &'a str,
    size: usize,
    #[serde(rename = "type")]
    media_type: &'a str,
}

/// Whether a submission id may name uploads: 1 to 100 ASCII letters, digits and `-` (a
/// UUID is 36), so it is safe in logs and as a key.
pub fn is_submission_id(id: &str) -> bool {
    (1..=100).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The request's `Content-Length`, when it has a readable one.
fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The known type `Content-Type` names exactly (parameters ignored).
fn sent_type(headers: &HeaderMap) -> Option<FileType> {
    let essence = headers
        .get(header::CONTENT_TYPE)?
        .to_str()
        .ok()?
        .split(';')
        .next()?
        .trim()
        .to_ascii_lowercase();
    FileType::from_mime(&essence).filter(|t| t.mime() == essence)
}

/// Reads a body to its end, but never more than `limit` bytes (plus the one chunk that
/// crosses it): `413 file_too_large` as soon as it is over, `400 unreadable_body` when the
/// body breaks off (a dropped connection, a `Content-Length` larger than what came).
pub async fn read_limited(
    mut body: Body,
    limit: u64,
    expected: Option<u64>,
) -> Result<Bytes, ApiError> {
    use http_body_util::BodyExt as _;
    let capacity = usize::try_from(expected.unwrap_or(0).min(limit)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| ApiError::UnreadableBody(e.to_string()))?;
        if let Ok(data) = frame.into_data() {
            if (bytes.len() + data.len()) as u64 > limit {
                return Err(ApiError::FileTooLarge { limit });
            }
            bytes.extend_from_slice(&data);
        }
    }
    Ok(Bytes::from(bytes))
}

/// `PUT /api/submissions/{submission_id}/files/{sha256}`: stages one file of a submission
/// not stored yet, in the order of docs/receiver-api.md: limits, body, signature, hash,
/// type by content, what is already there, nonce, scanner, store.
pub async fn put_file(
    State(app): State<Arc<AppState>>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    Path((submission_id, hash)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    if !is_submission_id(&submission_id) || !core_files::is_sha256_hex(&hash) {
        return Err(ApiError::NotFound);
    }
    let limit = app.uploads.max_file_size;
    let expected = content_length(&headers);
    if expected.is_some_and(|n| n > limit) {
        // Refused on its head: not one byte of the body is read.
        return Err(ApiError::FileTooLarge { limit });
    }
    let file_type = sent_type(&headers).ok_or(ApiError::FileType)?;
    let _permit = Arc::clone(&app.uploads.permits)
        .acquire_owned()
        .await
        .map_err(|_| ApiError::Internal)?;
    let bytes = read_limited(body, limit, expected).await?;
    let now = OffsetDateTime::now_utc();
    let fields = verify::header_fields(&headers);
    let target_uri = verify::target_uri(app.signatures.public_url.as_deref(), &headers, &uri);
    let request = Message {
        method: method.as_str(),
        target_uri: &target_uri,
        fields: &fields,
        ..Message::default()
    };
    let verified = verify::verify_request(&request, &bytes, &app.signatures, now.unix_timestamp())?;
    verify::idempotency_key(&request, &submission_id)?;
    if sha256_hex(&bytes) != hash {
        return Err(ApiError::FileDigestMismatch);
    }
    // The type by content, the name only telling apart types that share a container.
    let name = format!("file.{}", file_type.extensions().first().unwrap_or(&"bin"));
    if core_files::sniff(&bytes, &name) != Some(file_type) {
        return Err(ApiError::FileType);
    }
    let signed = verified.map(|v| v.signed_by(now.unix_timestamp(), app.signatures.window));
    let key_id = staged_key(signed.as_ref()).to_owned();
    let reply = |status: StatusCode| uploaded(status, &hash, bytes.len(), file_type);
    if let Some(found) = upload_state(&app, &submission_id, &hash, &key_id).await? {
        return answer(found, reply);
    }
    if let Some(signed) = signed.clone()
        && with_store(&app, move |store| store.nonce_seen(&signed)).await?
    {
        // This very upload may have been staged with its nonce since the lookup above.
        return match upload_state(&app, &submission_id, &hash, &key_id).await? {
            Some(found) => answer(found, reply),
            None => Err(ApiError::SignatureReplayed),
        };
    }
    if let Some(scanner) = &app.uploads.scanner {
        match scanner.scan(bytes.clone()).await {
            Scan::Clean => {}
            Scan::Refused(printed) => {
                tracing::warn!(%submission_id, sha256 = %hash, "the scanner refused an upload: {printed}");
                return Err(ApiError::FileRefused);
            }
            Scan::Failed(why) => {
                tracing::error!(%submission_id, sha256 = %hash, "the scanner gave no verdict: {why}");
                return Err(ApiError::ScannerUnavailable);
            }
        }
    }
    let received_at = now
        .replace_nanosecond(0)
        .unwrap_or(now)
        .format(&Rfc3339)
        .map_err(|_| ApiError::Internal)?;
    let staged = {
        let (id, hash, bytes) = (submission_id.clone(), hash.clone(), bytes.clone());
        with_store(&app, move |store| {
            store.stage(&Upload {
                submission_id: &id,
                sha256: &hash,
                media_type: file_type.mime(),
                bytes: &bytes,
                received_at: &received_at,
                signed: signed.as_ref(),
            })
        })
        .await?
    };
    if staged == Staged::Created {
        tracing::info!(%submission_id, sha256 = %hash, size = bytes.len(), "upload staged");
    }
    answer(staged, reply)
}

/// Any other method on a file's address.
pub async fn method_not_allowed() -> ApiError {
    ApiError::FileMethodNotAllowed
}

/// What the store already has of an upload (off the async threads).
async fn upload_state(
    app: &Arc<AppState>,
    submission_id: &str,
    hash: &str,
    key_id: &str,
) -> Result<Option<Staged>, ApiError> {
    let (id, hash, key_id) = (submission_id.to_owned(), hash.to_owned(), key_id.to_owned());
    with_store(app, move |store| store.upload_state(&id, &hash, &key_id)).await
}

/// The reply for what the store found or did with an upload.
fn answer(staged: Staged, reply: impl Fn(StatusCode) -> Response) -> Result<Response, ApiError> {
    match staged {
        Staged::Created => Ok(reply(StatusCode::CREATED)),
        Staged::Already | Staged::SubmissionStored(true) => Ok(reply(StatusCode::OK)),
        Staged::SubmissionStored(false) => Err(ApiError::AlreadySubmitted),
        Staged::NonceReplayed => Err(ApiError::SignatureReplayed),
    }
}

/// `{"sha256": …, "size": …, "type": …}` with `status`.
fn uploaded(status: StatusCode, hash: &str, size: usize, file_type: FileType) -> Response {
    let body = serde_json::to_vec(&Uploaded {
        sha256: hash,
        size,
        media_type: file_type.mime(),
    })
    .unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Checks every file a submission names against what is staged for it by `key_id`: the same
/// size and type, and the type found again by content in the stored bytes with the file's
/// name; `422 files_missing` listing each file that is not.
pub async fn check_staged(
    app: &Arc<AppState>,
    submission_id: &str,
    key_id: &str,
    files: &[NewFile],
) -> Result<(), ApiError> {
    let mut missing = Vec::new();
    for file in files {
        let found = {
            let (id, hash, key_id) = (
                submission_id.to_owned(),
                file.sha256.clone(),
                key_id.to_owned(),
            );
            with_store(app, move |store| store.staged_file(&id, &hash, &key_id)).await?
        };
        let fits = found.is_some_and(|staged| {
            staged.size == file.size
                && staged.media_type == file.media_type
                && core_files::sniff(&staged.head, &file.name).map(FileType::mime)
                    == Some(file.media_type.as_str())
        });
        if !fits {
            missing.push(missing_file(file));
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ApiError::FilesMissing(missing))
    }
}

/// A file as `files_missing` lists it.
pub fn missing_file(file: &NewFile) -> MissingFile {
    MissingFile {
        key: file.answer_key.clone(),
        sha256: file.sha256.clone(),
        name: file.name.clone(),
    }
}

/// `Content-Disposition: attachment` with the file's name: an ASCII `filename` for old
/// clients and the exact name as `filename*` (RFC 6266, RFC 8187).
pub fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// `GET /api/submissions/{reference}/files/{sha256}`: one file of a stored submission, for
/// integrators (bearer token), with its type, its name and its digest.
pub async fn get_file(
    State(app): State<Arc<AppState>>,
    Path((reference, hash)): Path<(String, String)>,
    client: Client,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let stored = stored_for_admin(&app, reference, &headers, &client).await?;
    if !core_files::is_sha256_hex(&hash) {
        return Err(ApiError::UnknownFile);
    }
    let reference = stored.reference.clone();
    let file = with_store(&app, move |store| store.submission_file(&reference, &hash))
        .await?
        .ok_or(ApiError::UnknownFile)?;
    note_read(&app, stored.reference).await;
    let mut response = file.bytes.clone().into_response();
    let fields = [
        (header::CONTENT_TYPE, file.media_type.clone()),
        (header::CONTENT_DISPOSITION, content_disposition(&file.name)),
        (
            HeaderName::from_static("content-digest"),
            content_digest(&file.bytes),
        ),
    ];
    for (name, value) in fields {
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, value);
        }
    }
    Ok(response)
}

/// The largest `max_file_size` of the file fields of `forms` (in groups and repeating
/// groups too); 0 when no form takes files.
pub fn max_file_size(forms: &crate::forms::Forms) -> u64 {
    fn largest(fields: &[blankett_core::Field]) -> u64 {
        fields
            .iter()
            .map(|field| match &field.kind {
                FieldKind::File(rules) => rules.max_file_size,
                FieldKind::Group(g) => largest(&g.fields),
                FieldKind::Repeat(r) => largest(&r.fields),
                _ => 0,
            })
            .max()
            .unwrap_or(0)
    }
    forms
        .definitions()
        .flat_map(|def| def.steps.iter().map(|step| largest(&step.fields)))
        .max()
        .unwrap_or(0)
}

/// The files `submission` names (after [`Submission::check`] passed), as the store takes
/// them: by answer key, in the order the citizen attached them.
pub fn submission_files(submission: &Submission, def: &Definition) -> Vec<NewFile> {
    let mut positions: Vec<(String, u32)> = Vec::new();
    submission
        .files(def)
        .into_iter()
        .map(|(key, file)| {
            let position = match positions.iter_mut().find(|(k, _)| *k == key) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    positions.push((key.clone(), 0));
                    0
                }
            };
            NewFile {
                answer_key: key,
                position,
                name: file.name,
                sha256: file.sha256,
                size: file.size,
                media_type: file.media_type,
            }
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod tests {
    use super::*;

    #[test]
    fn a_name_is_sent_as_ascii_and_exactly() {
        assert_eq!(
            content_disposition("plan.pdf"),
            "attachment; filename=\"plan.pdf\"; filename*=UTF-8''plan.pdf"
        );
        assert_eq!(
            content_disposition("Situationsplan öster \"ny\".pdf"),
            "attachment; filename=\"Situationsplan _ster _ny_.pdf\"; \
             filename*=UTF-8''Situationsplan%20%C3%B6ster%20%22ny%22.pdf"
        );
    }

    #[test]
    fn submission_ids_are_uuid_like() {
        assert!(is_submission_id("0f8b6c1e-7a2d-4b1e-9c3f-2a1b3c4d5e6f"));
        for bad in ["", "a/b", "a b", "ä", &"a".repeat(101)] {
            assert!(!is_submission_id(bad), "{bad}");
        }
    }

    #[tokio::test]
    async fn reading_stops_at_the_limit() {
        let body = Body::from(vec![7u8; 100]);
        assert_eq!(read_limited(body, 100, Some(100)).await.unwrap().len(), 100);
        let body = Body::from(vec![7u8; 101]);
        assert!(matches!(
            read_limited(body, 100, None).await,
            Err(ApiError::FileTooLarge { limit: 100 })
        ));
    }

    fn scanner(command: &str, timeout: u64) -> Scanner {
        Scanner {
            command: command.into(),
            timeout: Duration::from_secs(timeout),
        }
    }

    #[tokio::test]
    async fn the_scanner_says_clean_refused_or_nothing() {
        let eicar = scanner("if grep -q EICAR; then echo FOUND; exit 1; fi", 30);
        assert_eq!(eicar.scan(Bytes::from_static(b"clean")).await, Scan::Clean);
        assert_eq!(
            eicar.scan(Bytes::from_static(b"X5O EICAR test")).await,
            Scan::Refused("FOUND".into())
        );
        assert!(matches!(
            scanner("exit 2", 30).scan(Bytes::new()).await,
            Scan::Failed(why) if why.starts_with("exit status 2")
        ));
        // A scanner that never answers is killed at the timeout, with what it started.
        assert!(matches!(
            scanner("sleep 600", 1).scan(Bytes::new()).await,
            Scan::Failed(why) if why.contains("no verdict within 1 s")
        ));
        // One that exits without reading a large file is no failure of the receiver's.
        let big = Bytes::from(vec![b'a'; 4 * 1024 * 1024]);
        assert_eq!(scanner("exit 0", 30).scan(big).await, Scan::Clean);
    }
}
