//! The conformance kit: `blankett-server conformance URL --form FORM_ID` acts as a citizen's
//! browser with a key of its own against any receiver, and checks rule by rule that it keeps
//! Blankett's contract (`docs/api/openapi.yaml` and the signature profile in
//! `docs/api/signatures.md`): a valid signed submission is stored once and answered with a
//! receipt, every refusal is the problem document the contract names, and nothing refused is
//! stored. It prints one line per rule (`PASS`, `FAIL` or `WARN`) and a summary, and exits
//! with 1 when a rule fails.
//!
//! The signature bases are built by `blankett_core::signing`, the code the browser uses; the
//! valid answers are made for the form's definition and checked with
//! [`Submission::build`], the browser's own check.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use blankett_core::answers::row_key;
use blankett_core::definition::{DateBound, FieldKind};
use blankett_core::protocol::{Problem, Receipt};
use blankett_core::signing::sf::{self, Item, Member};
use blankett_core::signing::{self, Message, SignatureInput, base64};
use blankett_core::{
    Answer, Answers, Context, Date, Definition, Field, FileRef, FileType, FormState, Lang,
    Submission,
};
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use serde_json::Value;
use time::OffsetDateTime;

/// The usage text of `blankett-server conformance`.
pub const USAGE: &str = "\
Checks that a receiver keeps Blankett's contract (docs/api/openapi.yaml and the signature
profile in docs/api/signatures.md), acting as a browser with a P-256 key of its own.

Usage:
  blankett-server conformance URL --form FORM_ID [--definition FILE] [--answers FILE]
                              [--max-body BYTES] [--admin-token TOKEN]

  URL                the address submissions are posted to (a form's submit.url), e.g.
                     http://127.0.0.1:8080/api/submissions; a bare origin means
                     <origin>/api/submissions
  --form FORM_ID     the form to submit; its definition is read from
                     <origin>/forms/FORM_ID.json unless --definition gives a file
  --definition FILE  the form's definition, for a receiver that does not serve it
  --answers FILE     answers to start from, a JSON object by field id (for questions the kit
                     cannot answer itself, such as text with a pattern)
  --max-body BYTES   the receiver's body limit: a body one byte larger must get 413
                     [default 1048576]
  --admin-token T    also read the stored submission back with Authorization: Bearer T

For a form with a file field it also uploads files (PUT <URL>/<submission_id>/files/<sha256>)
and checks the upload rules; the field must accept PDF, JPEG, PNG, GIF, TXT or CSV.
It sends real submissions, which the receiver stores: point it at a test installation.
Each rule prints one line: PASS, FAIL or WARN, the rule, and what the receiver answered.
Only http:// URLs are supported by this build.
Exit codes: 0 no rule failed (warnings allowed), 1 a rule failed, 2 usage error or the
submission could not be prepared (the definition cannot be read, no valid answers).
";

/// The kit's line in the receiver's list of commands.
pub const USAGE_LINE: &str = "  blankett-server conformance URL --form FORM_ID [--definition FILE] [--answers FILE]\n                              [--max-body BYTES] [--admin-token TOKEN]\n";

/// The kit's paragraph in the receiver's usage text.
pub const USAGE_NOTE: &str = "\
conformance checks that the receiver at URL (yours, or any other backend) keeps Blankett's
contract, acting as a browser with its own key; one line per rule (PASS/FAIL/WARN).
Exit codes: 0 no rule failed, 1 a rule failed, 2 usage error or nothing could be sent.
See `blankett-server conformance --help`.
";

/// Every rule the kit checks, in the order checked: its name and, in a few words, what the
/// contract expects (`stored-submission` only with an admin token).
#[rustfmt::skip] // One rule per line reads as a table.
pub const RULES: [(&str, &str); 34] = [
    ("valid-submission", "a valid signed submission: 201 with a receipt and Location"),
    ("receipt-signature", "the receipt is signed by a key in /.well-known/jwks.json"),
    ("jwks", "GET /.well-known/jwks.json: the receiver's JWK Set"),
    ("stored-submission", "GET Location with the admin token: the answers as sent"),
    ("retry-resigned", "the same body signed again: 200 with the same receipt"),
    ("exact-replay", "the first request byte for byte: 200 same receipt, or 401 signature_replayed"),
    ("id-conflict", "another body under the same submission_id: 409 submission_id_conflict"),
    ("nonce-reused", "a new submission signed with the first one's nonce: 401 signature_replayed"),
    ("digest-missing", "no Content-Digest: 400 digest_missing"),
    ("digest-unsupported", "Content-Digest with md5 only: 400 digest_unsupported"),
    ("digest-mismatch", "a changed body under the original digest: 400 digest_mismatch"),
    ("signature-missing", "no signature: 401 signature_missing"),
    ("signature-malformed", "a Signature that is not a byte sequence: 401 signature_malformed"),
    ("signature-incomplete", "Idempotency-Key not covered: 401 signature_incomplete"),
    ("signature-algorithm", "alg=\"hmac-sha256\": 401 signature_algorithm"),
    ("signature-key", "keyid not the thumbprint of Blankett-Key: 401 signature_key"),
    ("signature-tampered", "one bit of the signature flipped: 401 signature_invalid"),
    ("signed-header-tampered", "Idempotency-Key changed after signing: 401 signature_invalid or 400 idempotency_key_mismatch"),
    ("idempotency-key-mismatch", "Idempotency-Key signed but not the body's submission_id: 400 idempotency_key_mismatch"),
    ("created-stale", "created an hour ago: 401 signature_expired, with Date"),
    ("created-future", "created an hour ahead: 401 signature_expired, with Date"),
    ("body-too-large", "a body one byte over the limit: 413 payload_too_large"),
    ("invalid-json", "a body that is not JSON: 400 malformed_json"),
    ("invalid-answers", "answers that break the form's rules: 422 invalid_answers with errors"),
    ("unknown-form", "a form the receiver does not have: 404 unknown_form"),
    ("wrong-content-type", "Content-Type text/plain: 415 unsupported_media_type"),
    ("uri-too-long", "a request target of 64,000 bytes: 414 uri_too_long"),
    ("header-fields-too-large", "a header field of 128 KiB: 431 header_fields_too_large"),
    ("upload-file", "a signed file upload (PUT …/files/{sha256}): 201 with its sha256, size and type"),
    ("upload-repeat", "the same upload signed again: 200, stored once"),
    ("upload-digest-mismatch", "a file's bytes under another hash: 400 digest_mismatch"),
    ("upload-executable", "a program sent as application/pdf: 415 file_type"),
    ("files-missing", "a submission naming a file never uploaded: 422 files_missing, then 201 once uploaded"),
    ("stored-file", "GET Location/files/{sha256} with the admin token: the bytes as uploaded"),
];

/// The rules about attachments, checked only for a form with a `file` field the kit can
/// answer (`stored-file` only with an admin token).
pub const UPLOAD_RULES: [&str; 6] = [
    "upload-file",
    "upload-repeat",
    "upload-digest-mismatch",
    "upload-executable",
    "files-missing",
    "stored-file",
];

/// A small file of type `t` that `blankett_core::files::sniff` recognises, with `tag` in it
/// (so files can differ), for the types the kit can make; `None` for the others.
pub fn sample_file(t: FileType, tag: &str) -> Option<Vec<u8>> {
    let bytes = match t {
        FileType::Pdf => {
            format!("%PDF-1.4\n% Blankett conformance kit {tag}\n%%EOF\n").into_bytes()
        }
        FileType::Jpeg => {
            let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10];
            b.extend_from_slice(b"JFIF\0");
            b.extend_from_slice(tag.as_bytes());
            b.extend_from_slice(&[0xFF, 0xD9]);
            b
        }
        FileType::Png => {
            let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
            b.extend_from_slice(tag.as_bytes());
            b
        }
        FileType::Gif => format!("GIF89a{tag}").into_bytes(),
        FileType::Text => format!("Blankett conformance kit {tag}\n").into_bytes(),
        FileType::Csv => format!("kit;tag\nBlankett;{tag}\n").into_bytes(),
        _ => return None,
    };
    Some(bytes)
}

/// The reference to a sample file the kit attaches to a file field with these rules: the
/// first accepted type it can make, if any.
fn sample_ref(rules: &blankett_core::definition::FileRules) -> Option<(FileRef, Vec<u8>)> {
    rules.types().into_iter().find_map(|t| {
        let bytes = sample_file(t, "1")?;
        let name = format!("konformans.{}", t.extensions().first()?);
        (bytes.len() as u64 <= rules.max_file_size).then(|| {
            (
                FileRef {
                    name,
                    media_type: t.mime().to_owned(),
                    size: bytes.len() as u64,
                    sha256: signing::sha256_hex(&bytes),
                },
                bytes,
            )
        })
    })
}

/// The length of the request target the kit sends for `uri-too-long`: over every common
/// server's limit (8 KiB in nginx, Apache and Tomcat, 16 KiB in IIS), under the 64 KiB an
/// HTTP client will send.
pub const LONG_TARGET: usize = 64_000;

/// The size of the header field the kit sends for `header-fields-too-large`.
pub const LARGE_FIELD: usize = 128 * 1024;

/// The receiver's body limit the kit assumes unless told (the reference receiver's default).
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

/// How far from now the kit dates its stale and future signatures, in seconds.
pub const SKEW: i64 = 3600;

/// What the command line asks the kit to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The URL submissions are posted to.
    pub url: String,
    /// The form to submit.
    pub form: String,
    /// A definition file to use instead of fetching `<origin>/forms/<form>.json`.
    pub definition: Option<PathBuf>,
    /// A JSON file of answers to start from.
    pub answers: Option<PathBuf>,
    /// The receiver's body limit in bytes.
    pub max_body: usize,
    /// The receiver's admin token, to read the stored submission back.
    pub admin_token: Option<String>,
}

/// What the command line asks for: a run, or the usage text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Check a receiver.
    Run(Options),
    /// Print [`USAGE`].
    Help,
}

/// Parses the arguments after `conformance`.
pub fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut args = args.into_iter();
    let (mut url, mut form, mut definition, mut answers, mut admin_token) =
        (None, None, None, None, None);
    let mut max_body = DEFAULT_MAX_BODY;
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if arg.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("option {name} needs a value"))
        };
        match name.as_str() {
            "--help" | "-h" => return Ok(Command::Help),
            "--form" => form = Some(value()?),
            "--definition" => definition = Some(PathBuf::from(value()?)),
            "--answers" => answers = Some(PathBuf::from(value()?)),
            "--admin-token" => admin_token = Some(value()?),
            "--max-body" => {
                let v = value()?;
                max_body = v.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| {
                    format!(
                        "invalid value \"{v}\" for --max-body: expected a positive number of bytes"
                    )
                })?;
            }
            _ if arg.starts_with('-') => return Err(format!("unknown option \"{arg}\"")),
            _ if url.is_none() => url = Some(arg),
            _ => return Err(format!("unexpected argument \"{arg}\"")),
        }
    }
    let url = url.ok_or("conformance needs the URL submissions are posted to")?;
    let form = form.ok_or("conformance needs --form FORM_ID")?;
    Ok(Command::Run(Options {
        url,
        form,
        definition,
        answers,
        max_body,
        admin_token,
    }))
}

/// `blankett-server conformance …`: parses `args` (after `conformance`), runs the kit and
/// prints its report to stdout; the exit code says whether a rule failed.
pub fn main(args: impl IntoIterator<Item = String>) -> ExitCode {
    let options = match parse_args(args) {
        Ok(Command::Run(options)) => options,
        Ok(Command::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("blankett-server conformance: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("blankett-server conformance: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let mut stdout = std::io::stdout();
    match runtime.block_on(run(&options, &mut stdout)) {
        Ok(report) if report.failed() => ExitCode::from(1),
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("blankett-server conformance: {e}");
            ExitCode::from(2)
        }
    }
}

/// A rule's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The receiver keeps the rule.
    Pass,
    /// The receiver breaks the rule.
    Fail,
    /// Allowed by the contract, but worth a look (an optional part is missing, a setting).
    Warn,
}

impl Verdict {
    /// `PASS`, `FAIL` or `WARN`.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Warn => "WARN",
        }
    }
}

/// One rule checked: its verdict, its name, what it expects and what the receiver did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The verdict.
    pub verdict: Verdict,
    /// The rule's short name (`digest-mismatch`).
    pub rule: &'static str,
    /// What the contract expects, in a few words.
    pub expect: &'static str,
    /// What the receiver answered.
    pub seen: String,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}  {:<24} {} — {}",
            self.verdict.label(),
            self.rule,
            self.expect,
            self.seen
        )
    }
}

/// Every rule's outcome, in the order checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The outcomes.
    pub outcomes: Vec<Outcome>,
}

impl Report {
    /// Whether any rule failed.
    pub fn failed(&self) -> bool {
        self.outcomes.iter().any(|o| o.verdict == Verdict::Fail)
    }

    /// The outcome of a rule, by name.
    pub fn get(&self, rule: &str) -> Option<&Outcome> {
        self.outcomes.iter().find(|o| o.rule == rule)
    }

    /// The names of the rules with this verdict.
    pub fn rules(&self, verdict: Verdict) -> Vec<&'static str> {
        self.outcomes
            .iter()
            .filter(|o| o.verdict == verdict)
            .map(|o| o.rule)
            .collect()
    }

    /// `N rules: P passed, F failed, W warnings`.
    pub fn summary(&self) -> String {
        let count = |v| self.outcomes.iter().filter(|o| o.verdict == v).count();
        format!(
            "{} rules: {} passed, {} failed, {} warnings",
            self.outcomes.len(),
            count(Verdict::Pass),
            count(Verdict::Fail),
            count(Verdict::Warn)
        )
    }
}

/// Why the kit could not start checking.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The URL is not an http(s) URL.
    #[error("\"{0}\" is not an http:// or https:// URL")]
    BadUrl(String),
    /// An `https://` URL, which this build cannot reach.
    #[error(
        "\"{0}\": this build speaks http:// only (https:// needs reqwest's rustls-tls feature); \
         check a test installation over http, or build with TLS"
    )]
    NoTls(String),
    /// The definition could not be read or fetched.
    #[error("cannot read the definition: {0}")]
    Definition(String),
    /// The answers file could not be used.
    #[error("cannot use the answers file: {0}")]
    Answers(String),
    /// No valid answers could be made for the form.
    #[error("cannot make a valid submission for the form: {0}")]
    NoValidAnswers(String),
    /// The HTTP client or the key could not be made.
    #[error("{0}")]
    Environment(String),
}

/// Random bytes from the operating system (checked to work when the kit starts).
fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    #[allow(clippy::expect_used)] // checked by `Signer::generate` before any other use
    getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
    bytes
}

/// A fresh random (version 4) UUID, as the browser makes a submission id.
pub fn new_uuid() -> String {
    uuid_v4(random())
}

/// The version 4 UUID of 16 random bytes (their version and variant bits set).
pub fn uuid_v4(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// A fresh nonce: 18 random bytes, base64url (the profile asks for at least 16).
pub fn new_nonce() -> String {
    base64::encode_url(&random::<18>())
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Today's date in UTC, as the reference receiver validates.
pub fn today() -> Option<Date> {
    let now = OffsetDateTime::now_utc();
    Date::new(now.year(), u8::from(now.month()), now.day())
}

/// A device key as the browser has one: ECDSA P-256, its public JWK and its thumbprint.
#[derive(Debug, Clone)]
pub struct Signer {
    key: p256::ecdsa::SigningKey,
    jwk: String,
    keyid: String,
}

/// What one signed request is made of; the kit varies these to break one rule at a time.
#[derive(Debug, Clone)]
pub struct Signing {
    /// `Content-Type`.
    pub content_type: String,
    /// `Content-Digest`; `None` leaves it out (and out of the signature).
    pub digest: Option<String>,
    /// The submission id for `Idempotency-Key`.
    pub idempotency_key: String,
    /// `created`.
    pub created: i64,
    /// `nonce`.
    pub nonce: String,
    /// `keyid`.
    pub keyid: String,
    /// `alg`.
    pub alg: String,
    /// The covered components, in order.
    pub components: Vec<&'static str>,
}

impl Signer {
    /// A new random key.
    pub fn generate() -> Result<Signer, SetupError> {
        let key = loop {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).map_err(|e| {
                SetupError::Environment(format!("the operating system gives no random bytes: {e}"))
            })?;
            if let Ok(key) = p256::ecdsa::SigningKey::from_slice(&bytes) {
                break key;
            }
        };
        let point = key.verifying_key().to_encoded_point(false);
        let (Some(x), Some(y)) = (point.x(), point.y()) else {
            return Err(SetupError::Environment(
                "the new key has no coordinates".into(),
            ));
        };
        let jwk = format!(
            r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
            base64::encode_url(x),
            base64::encode_url(y)
        );
        let value: Value = serde_json::from_str(&jwk)
            .map_err(|e| SetupError::Environment(format!("the key's JWK: {e}")))?;
        let keyid = signing::jwk_thumbprint(&value)
            .map_err(|e| SetupError::Environment(format!("the key's thumbprint: {e}")))?;
        Ok(Signer { key, jwk, keyid })
    }

    /// The public key as the compact JWK sent in `Blankett-Key`.
    pub fn jwk(&self) -> &str {
        &self.jwk
    }

    /// The key's RFC 7638 thumbprint, the signatures' `keyid`.
    pub fn keyid(&self) -> &str {
        &self.keyid
    }

    /// The profile's signing of `body` as a submission with this id, created now.
    pub fn signing(&self, body: &[u8], submission_id: &str) -> Signing {
        Signing {
            content_type: "application/json".into(),
            digest: Some(signing::content_digest(body)),
            idempotency_key: submission_id.to_owned(),
            created: now(),
            nonce: new_nonce(),
            keyid: self.keyid.clone(),
            alg: signing::ALG_ES256.into(),
            components: signing::REQUEST_COMPONENTS.to_vec(),
        }
    }

    /// The header fields (lowercase names) of a request to `url` without a signature.
    pub fn unsigned_fields(&self, s: &Signing) -> Vec<(String, String)> {
        let mut fields = vec![("content-type".to_owned(), s.content_type.clone())];
        if let Some(digest) = &s.digest {
            fields.push(("content-digest".into(), digest.clone()));
        }
        fields.push((
            "idempotency-key".into(),
            Item::String(s.idempotency_key.clone()).serialize(),
        ));
        fields
    }

    /// The header fields of a request to `url` signed as `s` says, with `Blankett-Key`,
    /// `Signature-Input` and `Signature`.
    pub fn signed_fields(
        &self,
        url: &str,
        s: &Signing,
    ) -> Result<Vec<(String, String)>, signing::SigError> {
        self.signed_request_fields("POST", url, s)
    }

    /// [`Signer::signed_fields`] for a request with another method (`PUT`: a file upload).
    pub fn signed_request_fields(
        &self,
        method: &str,
        url: &str,
        s: &Signing,
    ) -> Result<Vec<(String, String)>, signing::SigError> {
        let mut fields = self.unsigned_fields(s);
        fields.push((signing::KEY_HEADER.into(), self.jwk.clone()));
        let mut input = SignatureInput::request(s.created, &s.nonce, &s.keyid, &s.alg);
        input.components = s
            .components
            .iter()
            .map(|c| sf::ParamItem {
                item: Item::String((*c).to_owned()),
                params: Vec::new(),
            })
            .collect();
        let message = Message {
            method,
            target_uri: url,
            status: None,
            fields: &fields,
            request: None,
        };
        let base = signing::signature_base(&message, &input.components, &input.serialize())?;
        let signature: p256::ecdsa::Signature = self.key.sign(base.as_bytes());
        let (signature_input, signature) = signing::signature_fields(&input, &signature.to_bytes());
        fields.push(("signature-input".into(), signature_input));
        fields.push(("signature".into(), signature));
        Ok(fields)
    }

    /// The header fields of a profile request posting `body` (a submission with this id) to
    /// `url`, signed now with a fresh nonce.
    pub fn sign(
        &self,
        url: &str,
        body: &[u8],
        submission_id: &str,
    ) -> Result<Vec<(String, String)>, signing::SigError> {
        self.signed_fields(url, &self.signing(body, submission_id))
    }
}

/// Reads answers to start from: a JSON object by field id whose values are a string (text,
/// a chosen option, `yes`/`no`), `true`/`false`, a number, an array of strings (checkboxes),
/// or an array of row objects (a repeating group) keyed the same way.
pub fn answers_from_json(value: &Value) -> Result<Answers, String> {
    fn answer(key: &str, value: &Value) -> Result<Option<Answer>, String> {
        Ok(Some(match value {
            Value::String(s) => Answer::Text(s.clone()),
            Value::Bool(b) => Answer::Text(if *b { "yes" } else { "no" }.into()),
            Value::Number(n) => Answer::Text(n.to_string()),
            Value::Array(items) if items.iter().all(Value::is_string) => Answer::Choices(
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
            ),
            Value::Array(_) => return Ok(None),
            Value::Null => return Ok(None),
            Value::Object(_) => return Err(format!("\"{key}\": an object is not an answer")),
        }))
    }
    let Some(object) = value.as_object() else {
        return Err("expected a JSON object of answers by field id".into());
    };
    let mut answers = Answers::new();
    for (key, value) in object {
        if let Some(a) = answer(key, value)? {
            answers.set(key.clone(), a);
            continue;
        }
        let Value::Array(rows) = value else { continue };
        for (i, row) in rows.iter().enumerate() {
            let Some(row) = row.as_object() else {
                return Err(format!("\"{key}\"[{i}]: a row must be an object"));
            };
            let index = answers.add_row(key);
            for (inner, v) in row {
                if let Some(a) = answer(inner, v)? {
                    answers.set(row_key(key, index, inner), a);
                }
            }
        }
    }
    Ok(answers)
}

/// A valid value for a question, by its type and rules, as the browser tests' filler makes
/// one (`None` when the kit cannot make one, e.g. text with a pattern).
fn valid_value(field: &Field, answers: &Answers, key: &str, today: Date) -> Option<Answer> {
    if let Some(other) = &field.must_match {
        let same_row = match blankett_core::answers::split_row_key(key) {
            Some((repeat, row, _)) => row_key(repeat, row, other.as_str()),
            None => other.as_str().to_owned(),
        };
        return answers
            .get(&same_row)
            .or_else(|| answers.get(other.as_str()))
            .cloned();
    }
    let fit = |s: &str, min: Option<u32>, max: Option<u32>| {
        let mut v = s.to_owned();
        while min.is_some_and(|m| v.chars().count() < m as usize) {
            v.push_str(" och mer text");
        }
        if let Some(max) = max {
            v = v
                .chars()
                .take(max as usize)
                .collect::<String>()
                .trim()
                .to_owned();
        }
        v
    };
    let text = |s: String| Some(Answer::Text(s));
    match &field.kind {
        FieldKind::Text(r) if r.pattern.is_some() => None,
        FieldKind::Text(r) => text(fit("Testvärde", r.min_length, r.max_length)),
        FieldKind::Textarea(r) if r.pattern.is_some() => None,
        FieldKind::Textarea(r) => text(fit(
            "En beskrivning skriven av konformanstestet.",
            r.min_length,
            r.max_length,
        )),
        FieldKind::Email(_) => text("test.person@example.se".into()),
        FieldKind::Phone => text("070-123 45 67".into()),
        FieldKind::Number(r) | FieldKind::Integer(r) => {
            let lo = r.min.unwrap_or(1.0);
            let hi = r.max.unwrap_or(lo + 10.0);
            let v = lo.ceil().min(hi).max(lo);
            if v.fract() == 0.0 && v.abs() < 1e15 {
                #[allow(clippy::cast_possible_truncation)] // whole and small, checked above
                let whole = v as i64;
                text(whole.to_string())
            } else {
                text(v.to_string())
            }
        }
        FieldKind::Date(r) => {
            let bound = |b: Option<DateBound>| b.map(|b| b.resolve(today));
            let (min, max) = (bound(r.min), bound(r.max));
            let shift = if r.min == Some(DateBound::Today) {
                30
            } else {
                -30
            };
            let mut day = today.day_number() + shift;
            if let Some(min) = min
                && day < min.day_number()
            {
                day = min.day_number() + 1;
            }
            if let Some(max) = max
                && day > max.day_number()
            {
                day = max.day_number() - 1;
            }
            if let Some(min) = min
                && day < min.day_number()
            {
                day = min.day_number();
            }
            Date::from_day_number(day).map(|d| Answer::Text(d.to_string()))
        }
        FieldKind::Personnummer(_) => text("19121212-1212".into()),
        FieldKind::Organisationsnummer => text("212000-0142".into()),
        FieldKind::PostalCode => text("123 45".into()),
        FieldKind::Select(c) | FieldKind::Radio(c) => c
            .list
            .options()
            .first()
            .map(|o| Answer::Text(o.value.as_str().to_owned())),
        FieldKind::YesNo => text("yes".into()),
        FieldKind::Checkboxes(c) => {
            let want = c.min_choices.unwrap_or(1).max(1) as usize;
            let chosen: Vec<String> = c
                .list
                .options()
                .iter()
                .take(want)
                .map(|o| o.value.as_str().to_owned())
                .collect();
            (!chosen.is_empty()).then_some(Answer::Choices(chosen))
        }
        // A sample file of an accepted type; the kit uploads it before each submission.
        FieldKind::File(rules) => sample_ref(rules).map(|(r, _)| Answer::Files(vec![r])),
        FieldKind::Info(_)
        | FieldKind::Group(_)
        | FieldKind::Repeat(_)
        | FieldKind::Computed(_) => None,
    }
}

/// A fixed id for trying answers (the id plays no part in their validity).
const TRIAL_ID: &str = "00000000-0000-4000-8000-000000000000";

/// Valid answers for every shown question of `def` (one row in each repeating group, more if
/// `min_rows` asks), starting from `given`; checked with [`Submission::build`], so they are
/// valid by the browser's own rules. An answer the engine refuses on an optional question is
/// left out; the error names every required question the kit could not answer.
pub fn valid_answers(def: &Definition, given: &Answers, today: Date) -> Result<Answers, String> {
    let cx = Context { today };
    let mut answers = given.clone();
    let fill = |answers: &mut Answers, state: &FormState, field: &Field, key: &str| {
        let empty = answers.get(key).is_none_or(Answer::is_empty);
        if empty
            && state.is_visible(key)
            && !state.is_read_only(key)
            && let Some(value) = valid_value(field, answers, key, today)
        {
            answers.set(key.to_owned(), value);
        }
    };
    // Answering a question can show others: go round until nothing changes.
    for _ in 0..32 {
        let before = answers.clone();
        let state = FormState::evaluate(def, &answers, &cx);
        for (_, field) in def.fields() {
            let id = field.id.as_str();
            if !state.is_visible(id) {
                continue;
            }
            match &field.kind {
                FieldKind::Repeat(r) => {
                    let want = (r.min_rows.max(1) as usize)
                        .min(r.max_rows.map_or(usize::MAX, |m| m as usize));
                    while answers.row_count(id) < want {
                        answers.add_row(id);
                    }
                    let state = FormState::evaluate(def, &answers, &cx);
                    for row in 0..answers.row_count(id) {
                        for inner in r.row_fields().filter(|f| f.kind.is_question()) {
                            fill(
                                &mut answers,
                                &state,
                                inner,
                                &row_key(id, row, inner.id.as_str()),
                            );
                        }
                    }
                }
                kind if kind.is_question() => fill(&mut answers, &state, field, id),
                _ => {}
            }
        }
        if answers == before {
            break;
        }
    }
    for _ in 0..32 {
        let issues = match Submission::build(def, &answers, Lang::Sv, TRIAL_ID, &cx) {
            Ok(_) => return Ok(answers),
            Err(issues) => issues,
        };
        let state = FormState::evaluate(def, &answers, &cx);
        let optional: Vec<&str> = issues
            .iter()
            .map(|i| i.field.as_str())
            .filter(|f| !state.is_required(f) && answers.get(f).is_some() && given.get(f).is_none())
            .collect();
        if optional.is_empty() {
            let list: Vec<String> = issues
                .iter()
                .map(|i| {
                    format!(
                        "{} ({}: {})",
                        i.field,
                        i.code.code(),
                        i.code.message(Lang::En)
                    )
                })
                .collect();
            return Err(format!(
                "{}; give answers for these questions with --answers FILE",
                list.join(", ")
            ));
        }
        for key in optional.into_iter().map(str::to_owned).collect::<Vec<_>>() {
            answers.remove(&key);
        }
    }
    Err("the answers did not settle".into())
}

/// A problem document as the contract describes it, checked strictly: served as
/// `application/problem+json`, with `type` `/problems/<code>` (or an absolute URI ending so),
/// `title`, `status` equal to the HTTP status, `code`, `detail` with `sv` and `en`, and
/// `errors`, an array of `{field, code, message: {sv, en}}`.
pub fn check_problem(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Problem, String> {
    let essence = content_type
        .and_then(|c| c.split(';').next())
        .map(|c| c.trim().to_ascii_lowercase());
    if essence.as_deref() != Some("application/problem+json") {
        return Err(format!(
            "Content-Type is {}, not application/problem+json",
            content_type.map_or("missing".to_owned(), |c| format!("\"{c}\""))
        ));
    }
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    let object = value.as_object().ok_or("the body is not a JSON object")?;
    let string = |v: &Value, name: &str| -> Result<String, String> {
        v.get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("\"{name}\" is missing or not a string"))
    };
    let localized = |v: Option<&Value>, what: &str| -> Result<(), String> {
        let v = v.ok_or_else(|| format!("\"{what}\" is missing"))?;
        for lang in ["sv", "en"] {
            if v.get(lang)
                .and_then(Value::as_str)
                .is_none_or(|s| s.trim().is_empty())
            {
                return Err(format!("\"{what}\" has no text in \"{lang}\""));
            }
        }
        Ok(())
    };
    let code = string(&value, "code")?;
    if code.is_empty()
        || !code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(format!("\"code\" \"{code}\" is not a snake_case code"));
    }
    let type_ = string(&value, "type")?;
    if !(type_ == format!("/problems/{code}")
        || (type_.contains("://") && type_.ends_with(&format!("/problems/{code}"))))
    {
        return Err(format!("\"type\" is \"{type_}\", not \"/problems/{code}\""));
    }
    string(&value, "title")?;
    match object.get("status").and_then(Value::as_u64) {
        Some(s) if s == u64::from(status) => {}
        Some(s) => {
            return Err(format!(
                "\"status\" is {s}, but the HTTP status is {status}"
            ));
        }
        None => return Err("\"status\" is missing or not a number".into()),
    }
    localized(object.get("detail"), "detail")?;
    let errors = object
        .get("errors")
        .and_then(Value::as_array)
        .ok_or("\"errors\" is missing or not an array")?;
    for (i, error) in errors.iter().enumerate() {
        string(error, "field").map_err(|e| format!("errors[{i}]: {e}"))?;
        string(error, "code").map_err(|e| format!("errors[{i}]: {e}"))?;
        localized(error.get("message"), "message").map_err(|e| format!("errors[{i}]: {e}"))?;
    }
    serde_json::from_value(value).map_err(|e| format!("not a problem document: {e}"))
}

/// A request as sent: its header fields (lowercase names) and body.
#[derive(Debug, Clone)]
struct Outgoing {
    fields: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Outgoing {
    fn set(&mut self, name: &str, value: String) {
        match self.fields.iter_mut().find(|(n, _)| n == name) {
            Some((_, v)) => *v = value,
            None => self.fields.push((name.to_owned(), value)),
        }
    }

    fn remove(&mut self, name: &str) {
        self.fields.retain(|(n, _)| n != name);
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A reply: status, header fields (lowercase names) and body.
#[derive(Debug, Clone)]
struct Reply {
    status: u16,
    fields: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// A receipt, if the body is one (a non-blank `reference`).
    fn receipt(&self) -> Option<Receipt> {
        serde_json::from_slice::<Receipt>(&self.body)
            .ok()
            .filter(|r| !r.reference.trim().is_empty())
    }

    /// What the reply is, in a few words.
    fn describe(&self) -> String {
        if let Some(receipt) = self.receipt() {
            return format!("{} with receipt {}", self.status, receipt.reference);
        }
        if let Some(code) = self
            .json()
            .and_then(|v| v.get("code").and_then(Value::as_str).map(str::to_owned))
        {
            return format!("{} {code}", self.status);
        }
        format!(
            "{} ({}, {} bytes)",
            self.status,
            self.header("content-type").unwrap_or("no Content-Type"),
            self.body.len()
        )
    }
}

/// What a request came to: a reply, or why there was none.
type Sent = Result<Reply, String>;

/// The first submission: the request and the receipt, for the rules that repeat it.
#[derive(Debug, Clone)]
struct First {
    submission: Submission,
    request: Outgoing,
    reply: Reply,
    receipt: Receipt,
}

/// The kit against one receiver and one form.
struct Kit {
    http: reqwest::Client,
    url: String,
    origin: reqwest::Url,
    signer: Signer,
    def: Definition,
    template: Submission,
    today: Date,
    max_body: usize,
    admin_token: Option<String>,
    /// The files the template's answers name, with their bytes (uploaded before each
    /// submission).
    files: Vec<(FileRef, Vec<u8>)>,
}

/// An upload the kit made, for the rules that repeat it.
#[derive(Debug, Clone)]
struct Uploaded {
    submission_id: String,
    bytes: Vec<u8>,
    file: FileRef,
}

/// The URL to post to (`<origin>/api/submissions` for a bare origin) and its origin.
fn endpoint(url: &str) -> Result<(String, reqwest::Url), SetupError> {
    let mut parsed = reqwest::Url::parse(url).map_err(|_| SetupError::BadUrl(url.to_owned()))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(SetupError::BadUrl(url.to_owned()));
    }
    if parsed.scheme() == "https" {
        return Err(SetupError::NoTls(url.to_owned()));
    }
    if parsed.path() == "/" {
        parsed.set_path("/api/submissions");
    }
    let mut origin = parsed.clone();
    origin.set_path("/");
    origin.set_query(None);
    origin.set_fragment(None);
    Ok((parsed.to_string(), origin))
}

/// The causes of an error, joined, so a refused connection says so.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Fetches a URL's body as text, for the definition and its code lists.
async fn fetch_text(http: &reqwest::Client, url: &reqwest::Url) -> Result<String, String> {
    let response = http
        .get(url.clone())
        .send()
        .await
        .map_err(|e| format!("GET {url}: {}", error_chain(&e)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("GET {url}: {status}"));
    }
    response
        .text()
        .await
        .map_err(|e| format!("GET {url}: {}", error_chain(&e)))
}

/// Runs every rule against the receiver `options` name, writing each outcome to `out` as it
/// is known and the summary last. `Err` only when checking could not start.
pub async fn run(options: &Options, out: &mut (dyn Write + Send)) -> Result<Report, SetupError> {
    let (url, origin) = endpoint(&options.url)?;
    let signer = Signer::generate()?;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| SetupError::Environment(format!("cannot make an HTTP client: {e}")))?;
    let text = match &options.definition {
        Some(file) => std::fs::read_to_string(file)
            .map_err(|e| SetupError::Definition(format!("{}: {e}", file.display())))?,
        None => {
            let at = origin
                .join(&format!("forms/{}.json", options.form))
                .map_err(|e| SetupError::Definition(e.to_string()))?;
            fetch_text(&http, &at).await.map_err(|e| {
                SetupError::Definition(format!("{e} (give the file with --definition)"))
            })?
        }
    };
    let loaded = blankett_core::load(&text);
    let Some(mut def) = loaded.definition else {
        let lines: Vec<String> = loaded
            .diagnostics
            .iter()
            .map(|d| d.line(Lang::En))
            .collect();
        return Err(SetupError::Definition(lines.join("; ")));
    };
    if def.id.as_str() != options.form {
        return Err(SetupError::Definition(format!(
            "the definition is form \"{}\", not \"{}\"",
            def.id.as_str(),
            options.form
        )));
    }
    let mut notes = Vec::new();
    for list in def.option_urls() {
        let fetched = match origin.join(&list) {
            Ok(at) => fetch_text(&http, &at).await,
            Err(e) => Err(e.to_string()),
        };
        let resolved = fetched.and_then(|t| {
            let value: Value = serde_json::from_str(&t).map_err(|e| e.to_string())?;
            def.resolve_options(&list, &value).map_err(|d| {
                d.iter()
                    .map(|d| d.line(Lang::En))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
        });
        if let Err(e) = resolved {
            notes.push(format!("code list {list} not read: {e}"));
        }
    }
    let given = match &options.answers {
        Some(file) => {
            let text = std::fs::read_to_string(file)
                .map_err(|e| SetupError::Answers(format!("{}: {e}", file.display())))?;
            let value: Value = serde_json::from_str(&text)
                .map_err(|e| SetupError::Answers(format!("{}: {e}", file.display())))?;
            answers_from_json(&value).map_err(SetupError::Answers)?
        }
        None => Answers::new(),
    };
    let today = today().ok_or_else(|| SetupError::Environment("no date today".into()))?;
    let answers = valid_answers(&def, &given, today).map_err(|e| {
        SetupError::NoValidAnswers(if notes.is_empty() {
            e
        } else {
            format!("{e} ({})", notes.join("; "))
        })
    })?;
    let header = format!(
        "Blankett conformance kit\n  receiver: {url}\n  form:     {} version {}\n  key:      {} (P-256)\n",
        def.id.as_str(),
        def.version,
        signer.keyid()
    );
    let _ = out.write_all(header.as_bytes());
    for note in &notes {
        let _ = writeln!(out, "  note:     {note}");
    }
    let _ = writeln!(out);
    let template = Submission::build(&def, &answers, Lang::Sv, TRIAL_ID, &Context { today })
        .map_err(|issues| {
            SetupError::NoValidAnswers(format!("{} answer(s) refused", issues.len()))
        })?;
    let files = template
        .files(&def)
        .into_iter()
        .filter_map(|(_, file)| {
            let bytes = sample_file(file.file_type()?, "1")?;
            (signing::sha256_hex(&bytes) == file.sha256).then_some((file, bytes))
        })
        .collect();
    let kit = Kit {
        files,
        http,
        url,
        origin,
        signer,
        def,
        template,
        today,
        max_body: options.max_body,
        admin_token: options.admin_token.clone(),
    };
    let report = kit.check_all(out).await;
    let _ = writeln!(out, "\n{}", report.summary());
    Ok(report)
}

/// The verdict and what was seen, for a reply that should be a refusal with one of `statuses`
/// and one of `codes`, in a problem document of the contract's shape.
fn refusal(sent: &Sent, statuses: &[u16], codes: &[&str]) -> (Verdict, String) {
    let reply = match sent {
        Ok(reply) => reply,
        Err(e) => return (Verdict::Fail, format!("no reply: {e}")),
    };
    if !statuses.contains(&reply.status) {
        return (Verdict::Fail, format!("saw {}", reply.describe()));
    }
    match check_problem(reply.status, reply.header("content-type"), &reply.body) {
        Err(why) => (
            Verdict::Fail,
            format!("saw {}, but not a problem document: {why}", reply.status),
        ),
        Ok(problem) if !codes.contains(&problem.code.as_str()) => (
            Verdict::Fail,
            format!(
                "saw {} {}, expected code {}",
                reply.status,
                problem.code,
                codes.join(" or ")
            ),
        ),
        Ok(problem) => (
            Verdict::Pass,
            format!("saw {} {}", reply.status, problem.code),
        ),
    }
}

impl Kit {
    /// A fresh valid submission (a new id) and its canonical bytes, its files uploaded.
    async fn fresh(&self) -> (Submission, Vec<u8>) {
        let (sub, body) = self.fresh_without_files();
        for (file, bytes) in &self.files {
            // A refusal shows in the rule that sends the submission.
            let _ = self.upload(&sub.submission_id, file, bytes).await;
        }
        (sub, body)
    }

    /// A fresh valid submission (a new id) and its canonical bytes, nothing uploaded.
    fn fresh_without_files(&self) -> (Submission, Vec<u8>) {
        let sub = Submission {
            submission_id: new_uuid(),
            ..self.template.clone()
        };
        let body = sub.to_canonical_json().into_bytes();
        (sub, body)
    }

    /// The address of a file upload: `{url}/{submission_id}/files/{sha256}`.
    fn upload_url(&self, submission_id: &str, sha256: &str) -> String {
        format!(
            "{}/{submission_id}/files/{sha256}",
            self.url.trim_end_matches('/')
        )
    }

    /// Uploads the bytes of `file` for a submission, signed now.
    async fn upload(&self, submission_id: &str, file: &FileRef, bytes: &[u8]) -> Sent {
        self.upload_as(submission_id, &file.sha256, bytes, &file.media_type)
            .await
    }

    /// Uploads `bytes` to the address of `sha256` as `media_type`, signed now.
    async fn upload_as(
        &self,
        submission_id: &str,
        sha256: &str,
        bytes: &[u8],
        media_type: &str,
    ) -> Sent {
        let url = self.upload_url(submission_id, sha256);
        let mut s = self.signer.signing(bytes, submission_id);
        s.content_type = media_type.to_owned();
        let fields = self
            .signer
            .signed_request_fields("PUT", &url, &s)
            .map_err(|e| e.to_string())?;
        let request = Outgoing {
            fields,
            body: bytes.to_vec(),
        };
        self.send_with(reqwest::Method::PUT, &url, &request).await
    }

    /// A request signed as `s` says, or unsigned if the signature base cannot be built.
    fn signed(&self, body: Vec<u8>, s: &Signing) -> Outgoing {
        let fields = self
            .signer
            .signed_fields(&self.url, s)
            .unwrap_or_else(|_| self.signer.unsigned_fields(s));
        Outgoing { fields, body }
    }

    /// The profile's request for `body`, signed now.
    fn request(&self, body: Vec<u8>, id: &str) -> Outgoing {
        let s = self.signer.signing(&body, id);
        self.signed(body, &s)
    }

    async fn send(&self, request: &Outgoing) -> Sent {
        self.send_to(&self.url, request).await
    }

    async fn send_to(&self, url: &str, request: &Outgoing) -> Sent {
        self.send_with(reqwest::Method::POST, url, request).await
    }

    async fn send_with(&self, method: reqwest::Method, url: &str, request: &Outgoing) -> Sent {
        let mut builder = self.http.request(method, url);
        for (name, value) in &request.fields {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let response = builder
            .body(request.body.clone())
            .send()
            .await
            .map_err(|e| error_chain(&e))?;
        let status = response.status().as_u16();
        let fields = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response
            .bytes()
            .await
            .map_err(|e| error_chain(&e))?
            .to_vec();
        Ok(Reply {
            status,
            fields,
            body,
        })
    }

    /// Sends the submission properly signed after a refusal: a receiver that stored nothing
    /// answers 201. The verdict of the rule, given the refusal's.
    async fn nothing_stored(
        &self,
        verdict: (Verdict, String),
        body: &[u8],
        id: &str,
    ) -> (Verdict, String) {
        if verdict.0 == Verdict::Fail {
            return verdict;
        }
        match self.send(&self.request(body.to_vec(), id)).await {
            Ok(reply) if reply.status == 201 => {
                (verdict.0, format!("{}; nothing stored", verdict.1))
            }
            Ok(reply) => (
                Verdict::Fail,
                format!(
                    "{}, but the same submission signed properly then got {} instead of 201: the refused request was stored",
                    verdict.1,
                    reply.describe()
                ),
            ),
            Err(e) => (Verdict::Fail, format!("{}; then no reply: {e}", verdict.1)),
        }
    }

    /// Checks every rule of [`RULES`] in order, writing each outcome to `out` as it is known.
    async fn check_all(&self, out: &mut (dyn Write + Send)) -> Report {
        let mut report = Report::default();
        let mut first = None;
        let mut upload = None;
        let mut receipts_signed = false;
        for (rule, expect) in RULES {
            let (verdict, seen) = match rule {
                "valid-submission" => {
                    let (outcome, kept) = self.valid().await;
                    first = kept;
                    outcome
                }
                "receipt-signature" => {
                    let outcome = match &first {
                        Some(first) => self.receipt_signature(first).await,
                        None => (Verdict::Fail, "no receipt to check".into()),
                    };
                    receipts_signed = outcome.0 != Verdict::Warn;
                    outcome
                }
                "jwks" => self.jwks(receipts_signed).await,
                "stored-submission" if self.admin_token.is_none() => continue,
                "stored-submission" => self.stored(first.as_ref()).await,
                "retry-resigned" => self.retry(first.as_ref()).await,
                "exact-replay" => self.replay(first.as_ref()).await,
                "id-conflict" => self.conflict(first.as_ref()).await,
                "nonce-reused" => self.nonce_reused(first.as_ref()).await,
                "digest-missing" => self.digest_missing().await,
                "digest-unsupported" => self.digest_unsupported().await,
                "digest-mismatch" => self.digest_mismatch().await,
                "signature-missing" => self.signature_missing().await,
                "signature-malformed" => self.signature_malformed().await,
                "signature-incomplete" => self.signature_incomplete().await,
                "signature-algorithm" => self.signature_algorithm().await,
                "signature-key" => self.signature_key().await,
                "signature-tampered" => self.signature_tampered().await,
                "signed-header-tampered" => self.header_tampered().await,
                "idempotency-key-mismatch" => self.idempotency_mismatch().await,
                "created-stale" => self.created(-SKEW).await,
                "created-future" => self.created(SKEW).await,
                "body-too-large" => self.too_large().await,
                "invalid-json" => self.invalid_json().await,
                "invalid-answers" => self.invalid_answers().await,
                "unknown-form" => self.unknown_form().await,
                "wrong-content-type" => self.wrong_content_type().await,
                "uri-too-long" => self.uri_too_long().await,
                "header-fields-too-large" => self.header_fields_too_large().await,
                rule if UPLOAD_RULES.contains(&rule) && self.files.is_empty() => continue,
                "stored-file" if self.admin_token.is_none() => continue,
                "upload-file" => {
                    let (outcome, kept) = self.upload_file().await;
                    upload = kept;
                    outcome
                }
                "upload-repeat" => self.upload_repeat(upload.as_ref()).await,
                "upload-digest-mismatch" => self.upload_digest_mismatch().await,
                "upload-executable" => self.upload_executable().await,
                "files-missing" => self.files_missing().await,
                "stored-file" => self.stored_file(first.as_ref()).await,
                other => (Verdict::Fail, format!("the kit has no check for {other}")),
            };
            let outcome = Outcome {
                verdict,
                rule,
                expect,
                seen,
            };
            let _ = writeln!(out, "{outcome}");
            let _ = out.flush();
            report.outcomes.push(outcome);
        }
        report
    }

    /// A signed upload of the form's sample file for a new submission id: 201, and the
    /// body says what was stored.
    async fn upload_file(&self) -> ((Verdict, String), Option<Uploaded>) {
        let Some((file, bytes)) = self.files.first().cloned() else {
            return ((Verdict::Fail, "no file to upload".into()), None);
        };
        let submission_id = new_uuid();
        let reply = match self.upload(&submission_id, &file, &bytes).await {
            Ok(reply) => reply,
            Err(e) => return ((Verdict::Fail, format!("no reply: {e}")), None),
        };
        let kept = Uploaded {
            submission_id,
            bytes,
            file: file.clone(),
        };
        if reply.status != 201 {
            return (
                (Verdict::Fail, format!("saw {}", reply.describe())),
                Some(kept),
            );
        }
        let body = reply.json().unwrap_or_default();
        let says = |k: &str| body.get(k).cloned().unwrap_or_default();
        let expected = (
            Value::from(file.sha256.as_str()),
            Value::from(file.size),
            Value::from(file.media_type.as_str()),
        );
        let outcome = if (says("sha256"), says("size"), says("type")) == expected {
            (
                Verdict::Pass,
                format!("saw 201, {} bytes of {}", file.size, file.media_type),
            )
        } else {
            (
                Verdict::Fail,
                format!("saw 201, but the body is {body} instead of its sha256, size and type"),
            )
        };
        (outcome, Some(kept))
    }

    /// The same upload again, signed anew: 200 (stored once).
    async fn upload_repeat(&self, first: Option<&Uploaded>) -> (Verdict, String) {
        let Some(first) = first else {
            return (Verdict::Fail, "no first upload to repeat".into());
        };
        match self
            .upload(&first.submission_id, &first.file, &first.bytes)
            .await
        {
            Ok(reply) if reply.status == 200 => (Verdict::Pass, "saw 200".into()),
            Ok(reply) => (Verdict::Fail, format!("saw {}", reply.describe())),
            Err(e) => (Verdict::Fail, format!("no reply: {e}")),
        }
    }

    /// A file's bytes (with their own Content-Digest) sent to another file's address.
    async fn upload_digest_mismatch(&self) -> (Verdict, String) {
        let Some((file, bytes)) = self.files.first() else {
            return (Verdict::Fail, "no file to upload".into());
        };
        let other = signing::sha256_hex(b"another file");
        let sent = self
            .upload_as(&new_uuid(), &other, bytes, &file.media_type)
            .await;
        refusal(&sent, &[400], &["digest_mismatch"])
    }

    /// A program (an ELF header) sent as `application/pdf` to its own address.
    async fn upload_executable(&self) -> (Verdict, String) {
        let mut program = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0".to_vec();
        program.resize(512, 0);
        let sha256 = signing::sha256_hex(&program);
        let sent = self
            .upload_as(&new_uuid(), &sha256, &program, "application/pdf")
            .await;
        refusal(&sent, &[415], &["file_type"])
    }

    /// A valid submission whose files were never uploaded: 422 `files_missing` naming each
    /// by answer key and hash; once they are uploaded, the same submission is stored.
    async fn files_missing(&self) -> (Verdict, String) {
        let (sub, body) = self.fresh_without_files();
        let sent = self
            .send(&self.request(body.clone(), &sub.submission_id))
            .await;
        let mut verdict = refusal(&sent, &[422], &["files_missing"]);
        if verdict.0 == Verdict::Pass {
            let named = sent
                .as_ref()
                .ok()
                .and_then(Reply::json)
                .and_then(|v| v.get("errors").cloned())
                .unwrap_or_default()
                .to_string();
            let unnamed: Vec<String> = sub
                .files(&self.def)
                .into_iter()
                .filter(|(key, file)| {
                    !named.contains(&format!("\"{key}\"")) || !named.contains(&file.sha256)
                })
                .map(|(key, _)| key)
                .collect();
            if !unnamed.is_empty() {
                verdict = (
                    Verdict::Fail,
                    format!(
                        "{}, but its errors do not name {} with its hash",
                        verdict.1,
                        unnamed.join(", ")
                    ),
                );
            }
        }
        for (file, bytes) in &self.files {
            let _ = self.upload(&sub.submission_id, file, bytes).await;
        }
        self.nothing_stored(verdict, &body, &sub.submission_id)
            .await
    }

    /// The first submission's file read back with the admin token: the bytes as uploaded.
    async fn stored_file(&self, first: Option<&First>) -> (Verdict, String) {
        let (Some(first), Some((file, bytes))) = (first, self.files.first()) else {
            return (Verdict::Fail, "no stored submission with a file".into());
        };
        let response = match self
            .admin_get(first, &format!("/files/{}", file.sha256))
            .await
        {
            Ok(r) => r,
            Err(fail) => return fail,
        };
        let status = response.status().as_u16();
        let read = response
            .bytes()
            .await
            .map(|b| b.to_vec())
            .unwrap_or_default();
        if status == 200 && read == *bytes {
            (
                Verdict::Pass,
                format!("saw 200, the {} bytes as uploaded", read.len()),
            )
        } else {
            (
                Verdict::Fail,
                format!("saw {status} with {} bytes", read.len()),
            )
        }
    }

    /// A valid signed submission: 201, a receipt for its id, `Location`, JSON.
    async fn valid(&self) -> ((Verdict, String), Option<First>) {
        let (submission, body) = self.fresh().await;
        let request = self.request(body, &submission.submission_id);
        let reply = match self.send(&request).await {
            Ok(reply) => reply,
            Err(e) => return ((Verdict::Fail, format!("no reply: {e}")), None),
        };
        let Some(receipt) = reply.receipt() else {
            return (
                (
                    Verdict::Fail,
                    format!("saw {}, no receipt", reply.describe()),
                ),
                None,
            );
        };
        let mut wrong = Vec::new();
        if reply.status != 201 {
            wrong.push(format!("status {} instead of 201", reply.status));
        }
        if receipt.submission_id != submission.submission_id {
            wrong.push(format!(
                "the receipt's submission_id is \"{}\"",
                receipt.submission_id
            ));
        }
        if !is_rfc3339(&receipt.received_at) {
            wrong.push(format!(
                "received_at \"{}\" is not RFC 3339",
                receipt.received_at
            ));
        }
        let json = reply
            .header("content-type")
            .and_then(|c| c.split(';').next())
            .is_some_and(|c| c.trim().eq_ignore_ascii_case("application/json"));
        if !json {
            wrong.push("Content-Type is not application/json".into());
        }
        let location = reply.header("location").map(str::to_owned);
        if location.is_none() {
            wrong.push("no Location".into());
        }
        let seen = format!(
            "saw {} with receipt {}, Location {}",
            reply.status,
            receipt.reference,
            location.as_deref().unwrap_or("missing")
        );
        let first = First {
            submission,
            request,
            reply,
            receipt,
        };
        if wrong.is_empty() {
            ((Verdict::Pass, seen), Some(first))
        } else {
            (
                (Verdict::Fail, format!("{seen}: {}", wrong.join(", "))),
                Some(first),
            )
        }
    }

    async fn fetch_jwks(&self) -> Result<Value, String> {
        let url = self
            .origin
            .join(".well-known/jwks.json")
            .map_err(|e| e.to_string())?;
        let response =
            self.http.get(url).send().await.map_err(|e| {
                format!("GET /.well-known/jwks.json: no reply: {}", error_chain(&e))
            })?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(format!("GET /.well-known/jwks.json: {status}"));
        }
        let bytes = response.bytes().await.map_err(|e| error_chain(&e))?;
        let value: Value =
            serde_json::from_slice(&bytes).map_err(|e| format!("the JWK Set is not JSON: {e}"))?;
        let keys = value
            .get("keys")
            .and_then(Value::as_array)
            .ok_or("the JWK Set has no \"keys\" array")?;
        if keys.is_empty() {
            return Err("the JWK Set has no keys".into());
        }
        for key in keys {
            signing::jwk_thumbprint(key).map_err(|e| format!("a key in the JWK Set: {e}"))?;
        }
        Ok(value)
    }

    async fn jwks(&self, receipts_signed: bool) -> (Verdict, String) {
        match self.fetch_jwks().await {
            Ok(set) => {
                let n = set
                    .get("keys")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
                (Verdict::Pass, format!("saw {n} profile key(s)"))
            }
            Err(e) if receipts_signed => (Verdict::Fail, e),
            Err(e) => (
                Verdict::Warn,
                format!("{e} (needed once receipts are signed)"),
            ),
        }
    }

    /// Verifies the first receipt's signature, if it has one.
    async fn receipt_signature(&self, first: &First) -> (Verdict, String) {
        if first.reply.header("signature").is_none() {
            return (
                Verdict::Warn,
                "the receipt is not signed: the browser cannot prove it (the profile asks receivers to sign receipts)".into(),
            );
        }
        let jwks = self.fetch_jwks().await;
        verify_receipt(&first.reply, &first.request, &self.url, jwks)
    }

    /// GETs the first submission's `Location` followed by `rest` (`""`, `/files/<sha256>`)
    /// with the admin token; the failed rule's verdict when there is nothing to ask or no reply.
    async fn admin_get(
        &self,
        first: &First,
        rest: &str,
    ) -> Result<reqwest::Response, (Verdict, String)> {
        let Some(location) = first.reply.header("location") else {
            return Err((Verdict::Fail, "the receipt had no Location".into()));
        };
        let Ok(url) =
            reqwest::Url::parse(&self.url).and_then(|u| u.join(&format!("{location}{rest}")))
        else {
            return Err((
                Verdict::Fail,
                format!("Location \"{location}\" is not a URL"),
            ));
        };
        let mut request = self.http.get(url);
        if let Some(token) = &self.admin_token {
            request = request.bearer_auth(token);
        }
        request
            .send()
            .await
            .map_err(|e| (Verdict::Fail, format!("no reply: {}", error_chain(&e))))
    }

    /// Reads the first submission back with the admin token.
    async fn stored(&self, first: Option<&First>) -> (Verdict, String) {
        let Some(first) = first else {
            return (Verdict::Fail, "no first submission to read back".into());
        };
        let response = match self.admin_get(first, "").await {
            Ok(r) => r,
            Err(fail) => return fail,
        };
        let status = response.status().as_u16();
        let value: Option<Value> = response
            .bytes()
            .await
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok());
        let Some(value) = value.filter(|_| status == 200) else {
            return (Verdict::Fail, format!("saw {status}"));
        };
        let answers = serde_json::to_value(&first.submission.answers).unwrap_or_default();
        let same = value.get("answers") == Some(&answers)
            && value.get("submission_id").and_then(Value::as_str)
                == Some(first.submission.submission_id.as_str())
            && value.get("reference").and_then(Value::as_str)
                == Some(first.receipt.reference.as_str());
        if same {
            (
                Verdict::Pass,
                format!("saw 200, {} as sent", first.receipt.reference),
            )
        } else {
            (
                Verdict::Fail,
                format!("saw 200, but not the submission sent: {value}"),
            )
        }
    }

    /// The first body signed anew: 200 and the same receipt.
    async fn retry(&self, first: Option<&First>) -> (Verdict, String) {
        let Some(first) = first else {
            return (Verdict::Fail, "no first submission to repeat".into());
        };
        let request = self.request(first.request.body.clone(), &first.submission.submission_id);
        same_receipt(&self.send(&request).await, &first.receipt)
    }

    /// The first request again, byte for byte.
    async fn replay(&self, first: Option<&First>) -> (Verdict, String) {
        let Some(first) = first else {
            return (Verdict::Fail, "no first submission to replay".into());
        };
        let sent = self.send(&first.request).await;
        if let Ok(reply) = &sent
            && reply.status == 401
        {
            let (verdict, seen) = refusal(&sent, &[401], &["signature_replayed"]);
            return (verdict, format!("{seen} (refused as a replay)"));
        }
        match same_receipt(&sent, &first.receipt) {
            (Verdict::Pass, seen) => (
                Verdict::Pass,
                format!("{seen} (answered with the stored receipt)"),
            ),
            other => other,
        }
    }

    /// Another valid body under the first submission's id.
    async fn conflict(&self, first: Option<&First>) -> (Verdict, String) {
        let Some(first) = first else {
            return (Verdict::Fail, "no first submission to conflict with".into());
        };
        let other = Submission {
            language: if first.submission.language == "en" {
                "sv"
            } else {
                "en"
            }
            .into(),
            ..first.submission.clone()
        };
        let body = other.to_canonical_json().into_bytes();
        let sent = self.send(&self.request(body, &other.submission_id)).await;
        refusal(&sent, &[409], &["submission_id_conflict"])
    }

    /// A new submission signed with the first request's nonce.
    async fn nonce_reused(&self, first: Option<&First>) -> (Verdict, String) {
        let Some(nonce) = first
            .and_then(|f| f.request.get("signature-input"))
            .and_then(nonce_of)
        else {
            return (
                Verdict::Fail,
                "no first request whose nonce to reuse".into(),
            );
        };
        let (sub, body) = self.fresh().await;
        let mut s = self.signer.signing(&body, &sub.submission_id);
        s.nonce = nonce;
        let sent = self.send(&self.signed(body.clone(), &s)).await;
        let verdict = refusal(&sent, &[401], &["signature_replayed"]);
        self.nothing_stored(verdict, &body, &sub.submission_id)
            .await
    }

    async fn digest_missing(&self) -> (Verdict, String) {
        let (sub, body) = self.fresh().await;
        let mut request = self.request(body.clone(), &sub.submission_id);
        request.remove("content-digest");
        let verdict = refusal(&self.send(&request).await, &[400], &["digest_missing"]);
        self.nothing_stored(verdict, &body, &sub.submission_id)
            .await
    }

    async fn digest_unsupported(&self) -> (Verdict, String) {
        let (sub, body) = self.fresh().await;
        let mut s = self.signer.signing(&body, &sub.submission_id);
        s.digest = Some(format!("md5=:{}:", base64::encode(&[0u8; 16])));
        let sent = self.send(&self.signed(body.clone(), &s)).await;
        let verdict = refusal(&sent, &[400], &["digest_unsupported"]);
        self.nothing_stored(verdict, &body, &sub.submission_id)
            .await
    }

    async fn digest_mismatch(&self) -> (Verdict, String) {
        let (sub, body) = self.fresh().await;
        let mut request = self.request(body.clone(), &sub.submission_id);
        let tampered = Submission {
            language: "en".into(),
            ..sub.clone()
        };
        request.body = tampered.to_canonical_json().into_bytes();
        let verdict = refusal(&self.send(&request).await, &[400], &["digest_mismatch"]);
        self.nothing_stored(verdict, &body, &sub.submission_id)
            .await
    }

    /// No signature at all: refused, or accepted by a receiver set to take unsigned
    /// submissions from old clients (a warning).
    async fn signature_missing(&self) -> (Verdict, String) {
        let (sub, body) = self.fresh().await;
        let s = self.signer.signing(&body, &sub.submission_id);
        let request = Outgoing {
            fields: self.signer.unsigned_fields(&s),
            body: body.clone(),
        };
        let sent = self.send(&request).await;
        if let Ok(reply) = &sent
            && reply.status == 201
            && reply.receipt().is_some()
        {
            return (
                Verdict::Warn,
                format!(
                    "saw {}: the receiver accepts unsigned submissions (allowed only while old clients are served, e.g. --allow-unsigned)",
                    reply.describe()
                ),
            );
        }
        let verdict = refusal(&sent, &[401], &["signature_missing"]);
        self.nothing_stored(verdict, &body, &sub.submission_id)
            .await
    }

    async fn signature_malformed(&self) -> (Verdict, String) {
        let (sub, body) = self.fresh().await;
        let mut request = self.request(body.clone(), &sub.submission_id);
        request.set(
            "signature",
            format!("{}=not-a-byte-sequence", signing::LABEL),
        );
        let verdict = refusal(&self.send(&request).await, &[401], &["signature_malformed"]);
        self.nothing_stored(verdict, &body, &sub.submission_id)
            .await
    }

    async fn signature_incomplete(&self) -> (Verdict, String) {
        let (sub, body) = self.fresh().await;
        let mut s = self.signer.signing(&body, &sub.submission_id);
        s.components.retain(|c| *c != "idempotency-key");
        let sent = self.send(&self.signed(body.clone(), &s)).await;
        let verdict = refusal(&sent, &[401], &["signature_incomplete"]);
        self.nothing_stored(verdict, &body, &sub.submission_id)
            .await
    }

    async fn signature_algorithm(&self) -> (Verdict, String) {
        let (sub, body) = self.fresh().await;
        let mut s = self.signer.signing(&body, &sub.submission_id);
        s.alg = "hmac-sha256".into();
        let sent = self.send(&self.signed(body.clone(), &s)).await;
        let verdict = refusal(&sent, &[401], &["signature_algorithm"]);
        self.nothing_stored(verdict, &body, &sub.submission_id)
            .await
    }

    async fn signature_key(&self) -> (Verdict, String) {
        let (sub, body) = self.fresh().await;
        let mut s = self.signer.signing(&body, &sub.submission_id);
        s.keyid = base64::encode_url(&signing::sha256(b"not this key"));
        let sent = self.send(&self.signed(body.clone(), &s)).await;
        let verdict = refusal(&sent, &[401], &["signature_key"]);
        self.nothing_stored(verdict, &body, &sub.submission_id)
            .await
    }

    async fn signature_tampered(&self) -> (Verdict, String) {
        let (sub, body) = self.fresh().await;
        let mut request = self.request(body.clone(), &sub.submission_id);
        let flipped = request.get("signature").and_then(flip_signature_bit);
        let Some(flipped) = flipped else {
            return (
                Verdict::Fail,
                "the kit could not read its own signature".into(),
            );
        };
        request.set("signature", flipped);
        let verdict = refusal(&self.send(&request).await, &[401], &["signature_invalid"]);
        self.nothing_stored(verdict, &body, &sub.submission_id)
            .await
    }

    /// Idempotency-Key changed after signing: the signature no longer holds (401), or the
    /// receiver sees the key is not the body's id first (400).
    async fn header_tampered(&self) -> (Verdict, String) {
        let (sub, body) = self.fresh().await;
        let mut request = self.request(body.clone(), &sub.submission_id);
        request.set("idempotency-key", Item::String(new_uuid()).serialize());
        let sent = self.send(&request).await;
        let verdict = refusal(
            &sent,
            &[400, 401],
            &["signature_invalid", "idempotency_key_mismatch"],
        );
        let verdict = match (&sent, verdict) {
            (Ok(reply), (Verdict::Pass, _)) if reply.status == 400 => {
                refusal(&sent, &[400], &["idempotency_key_mismatch"])
            }
            (Ok(_), (Verdict::Pass, _)) => refusal(&sent, &[401], &["signature_invalid"]),
            (_, other) => other,
        };
        self.nothing_stored(verdict, &body, &sub.submission_id)
            .await
    }

    /// A properly signed Idempotency-Key that is not the body's submission_id.
    async fn idempotency_mismatch(&self) -> (Verdict, String) {
        let (sub, body) = self.fresh().await;
        let s = self.signer.signing(&body, &new_uuid());
        let sent = self.send(&self.signed(body.clone(), &s)).await;
        let verdict = refusal(&sent, &[400], &["idempotency_key_mismatch"]);
        self.nothing_stored(verdict, &body, &sub.submission_id)
            .await
    }

    /// `created` `offset` seconds from now: outside any sensible window.
    async fn created(&self, offset: i64) -> (Verdict, String) {
        let (sub, body) = self.fresh().await;
        let mut s = self.signer.signing(&body, &sub.submission_id);
        s.created += offset;
        let sent = self.send(&self.signed(body.clone(), &s)).await;
        let mut verdict = refusal(&sent, &[401], &["signature_expired"]);
        if verdict.0 == Verdict::Pass
            && let Ok(reply) = &sent
        {
            match reply.header("date") {
                Some(date) => verdict.1 = format!("{}, Date {date}", verdict.1),
                None => {
                    verdict = (
                        Verdict::Warn,
                        format!(
                            "{}, but no Date header: a client with a wrong clock cannot correct it",
                            verdict.1
                        ),
                    );
                }
            }
        }
        self.nothing_stored(verdict, &body, &sub.submission_id)
            .await
    }

    /// A signed body one byte over the limit.
    async fn too_large(&self) -> (Verdict, String) {
        let (mut sub, _) = self.fresh().await;
        sub.answers
            .insert("x_conformance_padding".into(), Value::String(String::new()));
        let base = sub.to_canonical_json().len();
        let pad = (self.max_body + 1).saturating_sub(base);
        sub.answers.insert(
            "x_conformance_padding".into(),
            Value::String("x".repeat(pad)),
        );
        let body = sub.to_canonical_json().into_bytes();
        let size = body.len();
        let sent = self.send(&self.request(body, &sub.submission_id)).await;
        let (verdict, seen) = refusal(&sent, &[413], &["payload_too_large"]);
        (verdict, format!("{seen} ({size} bytes sent)"))
    }

    async fn invalid_json(&self) -> (Verdict, String) {
        let id = new_uuid();
        let body = format!(r#"{{"blankett_submission":"1","submission_id":"{id}","#).into_bytes();
        let sent = self.send(&self.request(body, &id)).await;
        refusal(&sent, &[400], &["malformed_json"])
    }

    /// A required answer left out (or, in a form without one, an answer to no question).
    async fn invalid_answers(&self) -> (Verdict, String) {
        let (mut sub, _) = self.fresh().await;
        let state = FormState::evaluate(&self.def, &Answers::new(), &Context { today: self.today });
        let required = self
            .def
            .questions()
            .map(|(_, f)| f.id.as_str())
            .find(|id| state.is_required(id) && sub.answers.contains_key(*id))
            .map(str::to_owned);
        let field = match required {
            Some(id) => {
                sub.answers.remove(&id);
                id
            }
            None => {
                sub.answers
                    .insert("x_conformance_unknown".into(), Value::String("?".into()));
                "x_conformance_unknown".to_owned()
            }
        };
        let body = sub.to_canonical_json().into_bytes();
        let sent = self
            .send(&self.request(body.clone(), &sub.submission_id))
            .await;
        let (verdict, seen) = refusal(&sent, &[422], &["invalid_answers"]);
        if verdict != Verdict::Pass {
            return (verdict, seen);
        }
        let errors = sent
            .ok()
            .and_then(|r| serde_json::from_slice::<Problem>(&r.body).ok())
            .map(|p| p.errors)
            .unwrap_or_default();
        let named: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        if named.contains(&field.as_str()) {
            let codes: Vec<String> = errors
                .iter()
                .map(|e| format!("{} {}", e.field, e.code))
                .collect();
            (
                Verdict::Pass,
                format!("{seen}, errors: {}", codes.join(", ")),
            )
        } else {
            (
                Verdict::Fail,
                format!("{seen}, but errors do not name \"{field}\": {named:?}"),
            )
        }
    }

    async fn unknown_form(&self) -> (Verdict, String) {
        let (sub, _) = self.fresh().await;
        let other = Submission {
            form_id: "x-conformance-no-such-form".into(),
            ..sub
        };
        let body = other.to_canonical_json().into_bytes();
        let sent = self.send(&self.request(body, &other.submission_id)).await;
        refusal(&sent, &[404], &["unknown_form"])
    }

    async fn wrong_content_type(&self) -> (Verdict, String) {
        let (sub, body) = self.fresh().await;
        let mut s = self.signer.signing(&body, &sub.submission_id);
        s.content_type = "text/plain".into();
        let sent = self.send(&self.signed(body.clone(), &s)).await;
        let verdict = refusal(&sent, &[415], &["unsupported_media_type"]);
        self.nothing_stored(verdict, &body, &sub.submission_id)
            .await
    }

    /// A valid submission signed for, and posted to, the URL with a query that makes its
    /// target [`LONG_TARGET`] bytes long.
    async fn uri_too_long(&self) -> (Verdict, String) {
        let (sub, body) = self.fresh().await;
        let target_now = reqwest::Url::parse(&self.url).map_or(self.url.len(), |u| {
            u.path().len() + u.query().map_or(0, |q| q.len() + 1)
        });
        let join = if self.url.contains('?') { '&' } else { '?' };
        let pad = LONG_TARGET.saturating_sub(target_now + "x_conformance_padding=".len() + 1);
        let url = format!(
            "{}{join}x_conformance_padding={}",
            self.url,
            "x".repeat(pad)
        );
        let s = self.signer.signing(&body, &sub.submission_id);
        let fields = self
            .signer
            .signed_fields(&url, &s)
            .unwrap_or_else(|_| self.signer.unsigned_fields(&s));
        let request = Outgoing {
            fields,
            body: body.clone(),
        };
        let verdict = refusal(
            &self.send_to(&url, &request).await,
            &[414],
            &["uri_too_long"],
        );
        self.nothing_stored(verdict, &body, &sub.submission_id)
            .await
    }

    /// A valid signed submission with one more (unsigned) header field of [`LARGE_FIELD`]
    /// bytes.
    async fn header_fields_too_large(&self) -> (Verdict, String) {
        let (sub, body) = self.fresh().await;
        let mut request = self.request(body.clone(), &sub.submission_id);
        request.set("x-conformance-padding", "x".repeat(LARGE_FIELD));
        let verdict = refusal(
            &self.send(&request).await,
            &[431],
            &["header_fields_too_large"],
        );
        self.nothing_stored(verdict, &body, &sub.submission_id)
            .await
    }
}

/// Whether a text is an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS`, an optional fraction,
/// and `Z` or an offset.
fn is_rfc3339(text: &str) -> bool {
    let b = text.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let shape = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b't')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !shape {
        return false;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let n = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    let offset = rest.as_bytes();
    matches!(rest, "Z" | "z")
        || (offset.len() == 6
            && matches!(offset[0], b'+' | b'-')
            && offset[1..3].iter().all(u8::is_ascii_digit)
            && offset[3] == b':'
            && offset[4..6].iter().all(u8::is_ascii_digit))
}

/// 200 with the receipt of the first submission.
fn same_receipt(sent: &Sent, first: &Receipt) -> (Verdict, String) {
    let reply = match sent {
        Ok(reply) => reply,
        Err(e) => return (Verdict::Fail, format!("no reply: {e}")),
    };
    match reply.receipt() {
        Some(receipt) if reply.status == 200 && receipt == *first => (
            Verdict::Pass,
            format!("saw 200 with receipt {}", receipt.reference),
        ),
        Some(receipt) if receipt.reference != first.reference => (
            Verdict::Fail,
            format!(
                "saw {} with another receipt {} (the first was {}): stored twice",
                reply.status, receipt.reference, first.reference
            ),
        ),
        _ => (Verdict::Fail, format!("saw {}", reply.describe())),
    }
}

/// The `nonce` of a request's `blankett` signature.
fn nonce_of(signature_input: &str) -> Option<String> {
    let entries = sf::parse_dictionary(signature_input).ok()?;
    let entry = entries.iter().find(|e| e.key == signing::LABEL)?;
    let Member::InnerList(_, params) = &entry.value else {
        return None;
    };
    params.iter().find_map(|(k, v)| match (k.as_str(), v) {
        ("nonce", Item::String(n)) => Some(n.clone()),
        _ => None,
    })
}

/// `Signature` with one bit of the `blankett` signature flipped.
fn flip_signature_bit(signature: &str) -> Option<String> {
    let entries = sf::parse_dictionary(signature).ok()?;
    let entry = entries.iter().find(|e| e.key == signing::LABEL)?;
    let Member::Item(sf::ParamItem {
        item: Item::Bytes(bytes),
        ..
    }) = &entry.value
    else {
        return None;
    };
    let mut bytes = bytes.clone();
    *bytes.get_mut(10)? ^= 0x01;
    Some(format!("{}=:{}:", signing::LABEL, base64::encode(&bytes)))
}

/// Verifies a signature over `base` with a public JWK (ES256 or Ed25519).
fn verify(jwk: &Value, base: &[u8], signature: &[u8]) -> Result<(), String> {
    let coordinate = |name: &str| {
        jwk.get(name)
            .and_then(Value::as_str)
            .and_then(base64::decode_url)
            .ok_or_else(|| format!("the JWK's \"{name}\" is not base64url"))
    };
    match signing::jwk_alg(jwk) {
        Some(signing::ALG_ES256) => {
            let mut point = vec![0x04];
            point.extend(coordinate("x")?);
            point.extend(coordinate("y")?);
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&point)
                .map_err(|_| "the JWK is not a P-256 point".to_owned())?;
            let signature = p256::ecdsa::Signature::from_slice(signature)
                .map_err(|_| "the signature is not 64 bytes r‖s".to_owned())?;
            key.verify(base, &signature)
                .map_err(|_| "the signature does not verify".to_owned())
        }
        Some(signing::ALG_ED25519) => {
            let x: [u8; 32] = coordinate("x")?
                .try_into()
                .map_err(|_| "the JWK's x is not 32 bytes".to_owned())?;
            let key = ed25519_dalek::VerifyingKey::from_bytes(&x)
                .map_err(|_| "the JWK is not an Ed25519 key".to_owned())?;
            let signature: [u8; 64] = signature
                .try_into()
                .map_err(|_| "the signature is not 64 bytes".to_owned())?;
            key.verify_strict(base, &ed25519_dalek::Signature::from_bytes(&signature))
                .map_err(|_| "the signature does not verify".to_owned())
        }
        _ => Err("the JWK is not a profile key".into()),
    }
}

/// Checks a signed receipt: its digest, its binding to the request's signature, and its
/// signature by the key in the receiver's JWK Set that its `keyid` names.
fn verify_receipt(
    reply: &Reply,
    request: &Outgoing,
    url: &str,
    jwks: Result<Value, String>,
) -> (Verdict, String) {
    let fail = |why: String| (Verdict::Fail, why);
    if let Err(e) = signing::check_content_digest(reply.header("content-digest"), &reply.body) {
        return fail(format!("the receipt's Content-Digest: {e}"));
    }
    let Some(input) = reply.header("signature-input") else {
        return fail("Signature without Signature-Input".into());
    };
    let bound = sf::parse_dictionary(input).ok().and_then(|entries| {
        entries
            .into_iter()
            .find(|e| e.key == signing::LABEL)
            .map(|e| match e.value {
                Member::InnerList(components, _) => components.iter().any(|c| {
                    c.item == Item::String("signature".into())
                        && c.params
                            .iter()
                            .any(|(k, v)| k == "req" && *v == Item::Boolean(true))
                        && c.params
                            .iter()
                            .any(|(k, v)| k == "key" && *v == Item::String(signing::LABEL.into()))
                }),
                Member::Item(_) => false,
            })
    });
    if bound != Some(true) {
        return fail("the receipt's signature does not cover the request's signature (\"signature\";req;key=\"blankett\")".into());
    }
    let request_message = Message {
        method: "POST",
        target_uri: url,
        status: None,
        fields: &request.fields,
        request: None,
    };
    let response_message = Message {
        method: "",
        target_uri: "",
        status: Some(reply.status),
        fields: &reply.fields,
        request: Some(&request_message),
    };
    let found = match signing::find_signature(
        &response_message,
        &["@status", "content-type", "content-digest"],
        false,
        now(),
        SKEW,
    ) {
        Ok(found) => found,
        Err(e) => return fail(format!("the receipt's signature: {e}")),
    };
    let jwks = match jwks {
        Ok(jwks) => jwks,
        Err(e) => return fail(format!("the receipt is signed, but {e}")),
    };
    let key = jwks.get("keys").and_then(Value::as_array).and_then(|keys| {
        keys.iter()
            .find(|k| signing::jwk_thumbprint(k).ok().as_deref() == Some(found.keyid.as_str()))
    });
    let Some(key) = key else {
        return fail(format!(
            "no key in the JWK Set has the thumbprint {}",
            found.keyid
        ));
    };
    if signing::jwk_alg(key) != Some(found.alg.as_str()) {
        return fail(format!(
            "alg \"{}\" is not the algorithm of key {}",
            found.alg, found.keyid
        ));
    }
    match verify(key, found.base.as_bytes(), &found.signature) {
        Ok(()) => (
            Verdict::Pass,
            format!(
                "signed with {} by key {}, bound to the request's signature",
                found.alg, found.keyid
            ),
        ),
        Err(e) => fail(format!("key {}: {e}", found.keyid)),
    }
}
