//! Shared test helpers: a real receiver on 127.0.0.1:0 with a temporary database and forms,
//! and a native signing client that signs submissions as the browser does
//! (docs/api/signatures.md), building its signature bases with `blankett_core::signing`.

#![allow(dead_code, clippy::unwrap_used)] // helpers used by some test files only; tests fail loudly

pub mod pg;

use std::path::{Path, PathBuf};

use blankett_core::signing::{self, ALG_ED25519, ALG_ES256, Message, SignatureInput, base64};
use blankett_core::{Answer, Answers, Context, Date, Lang, Submission};
use blankett_server::keys::ReceiverKey;
use blankett_server::store::Store;
use blankett_server::{AppState, Config, serve_with_listener};
use rand_core::RngCore as _;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// A valid definition with a required text field, a personnummer field, a select and an
/// optional repeating group.
pub const FORM: &str = r#"{
  "blankett": "1",
  "id": "test",
  "version": "3",
  "title": { "sv": "Testformulär", "en": "Test form" },
  "organisation": { "name": "Exempelby kommun", "contact": { "email": "info@exempelby.se" } },
  "privacy": {
    "controller": "Kommunstyrelsen",
    "purpose": "Att handlägga ärendet.",
    "legal_basis": "Allmänt intresse",
    "retention": "Två år",
    "recipients": "Ingen",
    "rights_url": "https://exempelby.se/personuppgifter"
  },
  "submit": { "url": "/api/submissions" },
  "steps": [
    { "id": "one", "title": "Ett", "fields": [
      { "id": "name", "type": "text", "label": "Namn", "required": true },
      { "id": "pnr", "type": "personnummer", "label": "Personnummer", "required": true },
      { "id": "kind", "type": "select", "label": "Typ", "options": [
        { "value": "a", "label": "A" }, { "value": "b", "label": "B" }
      ]},
      { "id": "kids", "type": "repeat", "label": "Barn", "max_rows": 2, "fields": [
        { "id": "kid", "type": "text", "label": "Barnets namn", "required": true }
      ]}
    ]}
  ]
}"#;

/// A form with two file fields: a required site plan (PDF or JPEG, up to 3 files of 10 MiB)
/// and an optional text note. [`FORM`]'s organisation, privacy notice and receiver.
pub fn file_form() -> String {
    let head = &FORM[..FORM.find(r#""steps""#).unwrap()];
    let head = head
        .replace(r#""id": "test""#, r#""id": "bilagor""#)
        .replace(r#""version": "3""#, r#""version": "1""#)
        .replace(
            r#"{ "sv": "Testformulär", "en": "Test form" }"#,
            r#"{ "sv": "Bilagor", "en": "Attachments" }"#,
        );
    head + r#""steps": [
    { "id": "one", "title": "Ett", "fields": [
      { "id": "namn", "type": "text", "label": "Namn", "required": true },
      { "id": "plan", "type": "file", "label": "Situationsplan", "required": true,
        "accept": ["application/pdf", "image/jpeg"], "max_files": 3,
        "max_file_size": 10485760 },
      { "id": "notis", "type": "file", "label": "Notis", "accept": [".txt"] }
    ]}
  ]
}"#
}

/// A second valid form, so tests can see that several load.
pub fn other_form() -> String {
    FORM.replace(r#""id": "test""#, r#""id": "other""#)
}

/// A broken definition: an unknown field type.
pub fn broken_form() -> String {
    FORM.replace(r#""type": "text""#, r#""type": "txt""#)
}

/// The definition of [`FORM`].
pub fn definition() -> blankett_core::Definition {
    blankett_core::load(FORM).definition.unwrap()
}

/// A valid submission of [`FORM`] with the given UUID.
pub fn submission(id: &str, name: &str) -> Submission {
    let def = definition();
    let mut answers = Answers::new();
    answers.set("name", Answer::Text(name.into()));
    answers.set("pnr", Answer::Text("19121212-1212".into()));
    answers.set("kind", Answer::Text("b".into()));
    let cx = Context {
        today: Date::new(2026, 1, 15).unwrap(),
    };
    Submission::build(&def, &answers, Lang::Sv, id, &cx).unwrap()
}

/// The receiver's clock: seconds since the epoch.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A fresh nonce: 16 random bytes, base64url.
pub fn nonce() -> String {
    let mut bytes = [0u8; 16];
    rand_core::OsRng.fill_bytes(&mut bytes);
    base64::encode_url(&bytes)
}

/// A device's key pair, as the browser keeps one (P-256 by default, Ed25519 where offered).
pub enum Device {
    /// ECDSA P-256 (`ecdsa-p256-sha256`).
    P256(p256::ecdsa::SigningKey),
    /// Ed25519 (`ed25519`).
    Ed25519(ed25519_dalek::SigningKey),
}

impl Device {
    /// A new P-256 key.
    pub fn p256() -> Device {
        Device::P256(p256::ecdsa::SigningKey::random(&mut rand_core::OsRng))
    }

    /// A new Ed25519 key.
    pub fn ed25519() -> Device {
        let mut secret = [0u8; 32];
        rand_core::OsRng.fill_bytes(&mut secret);
        Device::Ed25519(ed25519_dalek::SigningKey::from_bytes(&secret))
    }

    /// The public key as the JWK sent in `Blankett-Key`.
    pub fn jwk(&self) -> Value {
        match self {
            Device::P256(key) => {
                let point = key.verifying_key().to_encoded_point(false);
                json!({ "crv": "P-256", "kty": "EC",
                    "x": base64::encode_url(point.x().unwrap()),
                    "y": base64::encode_url(point.y().unwrap()) })
            }
            Device::Ed25519(key) => json!({ "crv": "Ed25519", "kty": "OKP",
                "x": base64::encode_url(key.verifying_key().as_bytes()) }),
        }
    }

    /// The key's thumbprint, the signature's `keyid`.
    pub fn keyid(&self) -> String {
        signing::jwk_thumbprint(&self.jwk()).unwrap()
    }

    /// The signature algorithm of the key.
    pub fn alg(&self) -> &'static str {
        match self {
            Device::P256(_) => ALG_ES256,
            Device::Ed25519(_) => ALG_ED25519,
        }
    }

    /// Signs `bytes`: raw `r‖s` for P-256 (as WebCrypto returns), 64 bytes for Ed25519.
    pub fn sign(&self, bytes: &[u8]) -> Vec<u8> {
        use ed25519_dalek::Signer as _;
        match self {
            Device::P256(key) => {
                let signature: p256::ecdsa::Signature = key.sign(bytes);
                signature.to_bytes().to_vec()
            }
            Device::Ed25519(key) => key.sign(bytes).to_bytes().to_vec(),
        }
    }
}

/// What goes into one signed request; a test changes one thing to see it refused.
#[derive(Debug, Clone)]
pub struct Signing {
    /// The `@target-uri` signed.
    pub target_uri: String,
    /// `Content-Type`.
    pub content_type: String,
    /// `Idempotency-Key` as sent (a structured-field string: `"…"`).
    pub idempotency_key: String,
    /// `created`.
    pub created: i64,
    /// `nonce`.
    pub nonce: String,
    /// Another `Signature-Input` than the profile's (with `created`, `nonce`, the key).
    pub input: Option<SignatureInput>,
}

impl Signing {
    /// The profile's request signature input for these values and `device`.
    pub fn input(&self, device: &Device) -> SignatureInput {
        self.input.clone().unwrap_or_else(|| {
            SignatureInput::request(self.created, &self.nonce, &device.keyid(), device.alg())
        })
    }
}

/// The headers of a request signed by `device` as the profile says: `Content-Type`,
/// `Content-Digest`, `Idempotency-Key`, `Blankett-Key`, `Signature-Input`, `Signature`.
pub fn signed_headers(device: &Device, body: &[u8], signing: &Signing) -> Vec<(String, String)> {
    signed_request_headers(device, "POST", body, signing)
}

/// [`signed_headers`] for a request with another method (`PUT` for a file upload).
pub fn signed_request_headers(
    device: &Device,
    method: &str,
    body: &[u8],
    signing: &Signing,
) -> Vec<(String, String)> {
    let mut fields = vec![
        ("content-type".to_owned(), signing.content_type.clone()),
        ("content-digest".to_owned(), signing::content_digest(body)),
        (
            "idempotency-key".to_owned(),
            signing.idempotency_key.clone(),
        ),
        ("blankett-key".to_owned(), device.jwk().to_string()),
    ];
    let input = signing.input(device);
    let message = Message {
        method,
        target_uri: &signing.target_uri,
        fields: &fields,
        ..Message::default()
    };
    let base = signing::signature_base(&message, &input.components, &input.serialize()).unwrap();
    let (signature_input, signature) =
        signing::signature_fields(&input, &device.sign(base.as_bytes()));
    fields.push(("signature-input".to_owned(), signature_input));
    fields.push(("signature".to_owned(), signature));
    fields
}

/// The `submission_id` of a body, as a structured-field string (a fixed UUID for a body
/// that has none).
pub fn idempotency_key_of(body: &str) -> String {
    let id = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["submission_id"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "00000000-0000-4000-8000-000000000000".to_owned());
    format!("\"{id}\"")
}

/// `headers` with `name` set to `value` (added when missing).
pub fn with(headers: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    let mut out = without(headers, name);
    out.push((name.to_owned(), value.to_owned()));
    out
}

/// `headers` without `name`.
pub fn without(headers: &[(String, String)], name: &str) -> Vec<(String, String)> {
    headers.iter().filter(|(n, _)| n != name).cloned().collect()
}

/// A response's body as JSON.
pub async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.unwrap()
}

/// A response header's value, or `""`.
pub fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// Asserts the problem document shape and returns it.
pub async fn problem(response: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status().as_u16(), status, "expected {code}");
    assert_eq!(
        header(&response, "content-type"),
        "application/problem+json"
    );
    let body = json_of(response).await;
    assert_eq!(body["type"], format!("/problems/{code}"), "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status);
    assert!(body["title"].is_string());
    assert!(body["detail"]["sv"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(body["detail"]["en"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(body["errors"].is_array());
    body
}

/// An answer read off a raw connection: status, header fields (lowercase names), body.
pub struct RawAnswer {
    /// The status code.
    pub status: u16,
    /// The header fields, names in lowercase.
    pub headers: Vec<(String, String)>,
    /// The body (the rest of the connection after the head).
    pub body: Vec<u8>,
}

/// Writes `request` (which asks for `connection: close`) as it is to the receiver at `base`
/// (`http://host:port`) over a new connection and reads until the receiver closes it: for
/// heads no HTTP client will send. Panics when nothing closes it within a minute.
pub async fn raw_request(base: &str, request: &[u8]) -> RawAnswer {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let addr = base.strip_prefix("http://").unwrap();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let exchange = async {
        // The receiver may answer and close before it has read everything: ignore a reset.
        let _ = stream.write_all(request).await;
        let mut answer = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break answer,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    };
    let answer = tokio::time::timeout(std::time::Duration::from_secs(60), exchange)
        .await
        .expect("the receiver neither answered nor closed the connection");
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no head in {:?}", String::from_utf8_lossy(&answer)));
    let head = String::from_utf8(answer[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            (name.trim().to_ascii_lowercase(), value.trim().to_owned())
        })
        .collect();
    RawAnswer {
        status,
        headers,
        body: answer[split + 4..].to_vec(),
    }
}

/// A `POST /api/submissions` head whose target is `target_len` bytes long.
pub fn long_target_request(target_len: usize) -> Vec<u8> {
    let path = "/api/submissions?pad=";
    let target = format!(
        "{path}{}",
        "x".repeat(target_len.saturating_sub(path.len()))
    );
    format!("POST {target} HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: 0\r\n\r\n")
        .into_bytes()
}

/// A `POST /api/submissions` head with one header field of `value_len` bytes, or with
/// `count` small fields.
pub fn large_header_request(value_len: usize, count: usize) -> Vec<u8> {
    let mut head =
        String::from("POST /api/submissions HTTP/1.1\r\nhost: x\r\nconnection: close\r\n");
    if value_len > 0 {
        head.push_str(&format!("x-pad: {}\r\n", "x".repeat(value_len)));
    }
    for i in 0..count {
        head.push_str(&format!("x-pad-{i}: x\r\n"));
    }
    head.push_str("content-length: 0\r\n\r\n");
    head.into_bytes()
}

/// `GET /api/submissions/{reference}`, with the admin token when one is given.
pub async fn admin_get(
    server: &TestServer,
    reference: &str,
    token: Option<&str>,
) -> reqwest::Response {
    let mut request = server
        .client
        .get(server.url(&format!("/api/submissions/{reference}")));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

/// Asserts that a preflight answer allows every header a signed submission sends.
pub fn assert_allows_signed_headers(response: &reqwest::Response) {
    let allowed = header(response, "access-control-allow-headers").to_ascii_lowercase();
    for h in [
        "content-type",
        "idempotency-key",
        "signature",
        "signature-input",
        "content-digest",
        "blankett-key",
    ] {
        assert!(allowed.split(", ").any(|a| a == h), "{h} in {allowed}");
    }
}

/// A running receiver; dropping it shuts the server down.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The SQLite file.
    pub db: PathBuf,
    /// The forms folder.
    pub forms: PathBuf,
    /// The dist folder (may not exist).
    pub dist: PathBuf,
    /// Names of skipped definition files.
    pub skipped: Vec<String>,
    /// A client.
    pub client: reqwest::Client,
    /// The device key [`TestServer::post`] signs with.
    pub device: Device,
    /// The running receiver's state.
    pub state: std::sync::Arc<AppState>,
    _shutdown: oneshot::Sender<()>,
    _dir: tempfile::TempDir,
}

impl TestServer {
    /// The URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// GETs `path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// The profile's values for signing `body` to `/api/submissions` now, with a new nonce.
    pub fn signing(&self, body: &str) -> Signing {
        Signing {
            target_uri: self.url("/api/submissions"),
            content_type: "application/json".into(),
            idempotency_key: idempotency_key_of(body),
            created: now(),
            nonce: nonce(),
            input: None,
        }
    }

    /// The headers of `body` signed with this server's device and `signing`.
    pub fn signed(&self, body: &str, signing: &Signing) -> Vec<(String, String)> {
        signed_headers(&self.device, body.as_bytes(), signing)
    }

    /// POSTs `body` as JSON to `/api/submissions`, signed as the browser signs it.
    pub async fn post(&self, body: impl Into<String>) -> reqwest::Response {
        let body = body.into();
        let headers = self.signed(&body, &self.signing(&body));
        self.send("/api/submissions", &headers, body).await
    }

    /// POSTs `body` to `/api/submissions` as JSON without signing it.
    pub async fn post_unsigned(&self, body: impl Into<String>) -> reqwest::Response {
        let headers = [("content-type".to_owned(), "application/json".to_owned())];
        self.send("/api/submissions", &headers, body.into()).await
    }

    /// The CORS preflight of a signed submission from `origin`.
    pub async fn preflight(&self, origin: &str) -> reqwest::Response {
        self.client
            .request(reqwest::Method::OPTIONS, self.url("/api/submissions"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type, idempotency-key, signature, signature-input, content-digest, blankett-key",
            )
            .send()
            .await
            .unwrap()
    }

    /// POSTs `body` to `path` with exactly these headers.
    pub async fn send(
        &self,
        path: &str,
        headers: &[(String, String)],
        body: impl Into<reqwest::Body>,
    ) -> reqwest::Response {
        let mut request = self.client.post(self.url(path)).body(body);
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_str());
        }
        request.send().await.unwrap()
    }
}

/// Options for [`start`].
#[derive(Default)]
pub struct Options {
    /// The admin token.
    pub admin_token: Option<String>,
    /// The body limit; 16 KiB when `None`.
    pub max_body: Option<usize>,
    /// Whether to write a dist folder with an `index.html`.
    pub with_dist: bool,
    /// Limit the database to its size after migration, so every insert fails with "disk full".
    pub full_disk: bool,
    /// Use this database file instead of a new one.
    pub db: Option<PathBuf>,
    /// Write `test.json` with this version instead of "3".
    pub form_version: Option<String>,
    /// Accept unsigned submissions.
    pub allow_unsigned: bool,
    /// The receiver's public URL.
    pub public_url: Option<String>,
    /// The origins allowed to post cross-origin.
    pub allowed_origins: Vec<String>,
    /// `--connect-origin`.
    pub connect_origins: Vec<String>,
    /// The signature window in seconds; 300 when `None`.
    pub signature_window: Option<i64>,
    /// How wrong admin tokens are slowed down; the receiver's default when `None`.
    pub admin_throttle: Option<blankett_server::throttle::Policy>,
    /// `--scan-command`.
    pub scan_command: Option<String>,
    /// More definitions to write into the forms folder: file name and JSON.
    pub extra_forms: Vec<(String, String)>,
    /// `--upload-concurrency`; the receiver's default when `None`.
    pub upload_concurrency: Option<usize>,
}

fn write_forms(dir: &Path, version: Option<&str>) {
    write_valid_forms(dir, version);
    std::fs::write(dir.join("broken.json"), broken_form()).unwrap();
}

/// Writes [`FORM`] (in `version`, if given) as `test.json`, another valid form and an empty
/// index into `dir`.
fn write_valid_forms(dir: &Path, version: Option<&str>) {
    std::fs::create_dir_all(dir).unwrap();
    let form = match version {
        Some(v) => FORM.replace(r#""version": "3""#, &format!(r#""version": "{v}""#)),
        None => FORM.to_owned(),
    };
    std::fs::write(dir.join("test.json"), form).unwrap();
    std::fs::write(dir.join("other.json"), other_form()).unwrap();
    std::fs::write(dir.join("index.json"), r#"{"forms": []}"#).unwrap();
}

/// Starts a receiver on 127.0.0.1:0 with its own temporary folder.
pub async fn start(options: Options) -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let forms = dir.path().join("forms");
    write_forms(&forms, options.form_version.as_deref());
    for (name, json) in &options.extra_forms {
        std::fs::write(forms.join(name), json).unwrap();
    }
    let dist = dir.path().join("dist");
    if options.with_dist {
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(
            dist.join("index.html"),
            "<!doctype html><title>Blankett</title><script type=\"module\" nonce=\"{{__TRUNK NONCE__}}\">import init from '/app.js';</script>",
        )
        .unwrap();
    }
    let config = Config {
        addr: "127.0.0.1:0".into(),
        db: options
            .db
            .unwrap_or_else(|| dir.path().join("data/blankett.sqlite3")),
        forms: forms.clone(),
        dist: dist.clone(),
        max_body: options.max_body.unwrap_or(16 * 1024),
        admin_token: options.admin_token,
        public_url: options.public_url,
        allow_unsigned: options.allow_unsigned,
        signature_window: options.signature_window.unwrap_or(300),
        allowed_origins: options.allowed_origins,
        connect_origins: options.connect_origins,
        synchronous: Default::default(),
        db_pool: blankett_server::config::DEFAULT_DB_POOL,
        db_timeout: std::time::Duration::from_secs(blankett_server::config::DEFAULT_DB_TIMEOUT),
        db_serializable: false,
        retention_every: None,
        keep_unread: false,
        limits: Default::default(),
        submit_rate: None,
        upload_concurrency: options
            .upload_concurrency
            .unwrap_or(blankett_server::config::DEFAULT_UPLOAD_CONCURRENCY),
        scan_command: options.scan_command,
        scan_timeout: std::time::Duration::from_secs(blankett_server::config::DEFAULT_SCAN_TIMEOUT),
        staged_hours: blankett_server::config::DEFAULT_STAGED_HOURS,
    };
    let mut state = if options.full_disk {
        // The receiver's key is made first: it must fit before the disk is "full".
        let store = Store::open(&config.db).unwrap();
        ReceiverKey::load_or_create(&store, "2026-01-01T00:00:00Z").unwrap();
        drop(store);
        let conn = rusqlite::Connection::open(&config.db).unwrap();
        let pages: i64 = conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap();
        conn.pragma_update(None, "max_page_count", pages).unwrap();
        AppState::with_store(&config, Store::from_connection(conn).unwrap()).unwrap()
    } else {
        // Blocking (PostgreSQL's client runs its own runtime): off the async threads.
        let opening = config.clone();
        tokio::task::spawn_blocking(move || AppState::open(&opening))
            .await
            .unwrap()
            .unwrap()
    };
    if let Some(policy) = options.admin_throttle {
        state.admin_throttle = blankett_server::throttle::Throttle::new(policy);
    }
    let skipped = state
        .skipped
        .iter()
        .map(|s| s.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let listener = TcpListener::bind(&config.addr).await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = oneshot::channel::<()>();
    let state = std::sync::Arc::new(state);
    let shared = std::sync::Arc::clone(&state);
    tokio::spawn(async move {
        serve_with_listener(listener, state, async {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    TestServer {
        base,
        db: config.db,
        forms,
        dist,
        skipped,
        client: reqwest::Client::new(),
        device: Device::p256(),
        state: shared,
        _shutdown: tx,
        _dir: dir,
    }
}

/// Writes the valid forms of these tests ([`FORM`] as `test.json` and another) into `dir`,
/// for a receiver started as a process of its own (which would log the broken one).
pub fn write_test_forms(dir: &Path) {
    write_valid_forms(dir, None);
}

/// The receiver's binary, as cargo built it for these tests.
pub const SERVER_BIN: &str = env!("CARGO_BIN_EXE_blankett-server");

/// A receiver in a process of its own (`blankett-server serve` on 127.0.0.1:0), so a test
/// can kill it with SIGKILL in the middle of a request and start it again on the same
/// database, as a crash and a restart would.
pub struct ChildReceiver {
    /// `http://127.0.0.1:PORT` of the running process; a new port after each restart.
    pub base: String,
    args: Vec<std::ffi::OsString>,
    envs: Vec<(String, String)>,
    child: tokio::process::Child,
    /// Everything the process wrote to stderr (its log at `RUST_LOG=error`).
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl ChildReceiver {
    /// Starts `blankett-server serve --addr 127.0.0.1:0` with `args` (`--db`, `--forms`, …)
    /// and the environment `envs` (`BLANKETT_ADMIN_TOKEN`, …), and waits until it listens.
    pub async fn start(
        args: Vec<std::ffi::OsString>,
        envs: Vec<(String, String)>,
    ) -> ChildReceiver {
        let log = std::sync::Arc::default();
        let (child, base) = spawn_receiver(&args, &envs, &log).await;
        ChildReceiver {
            base,
            args,
            envs,
            child,
            log,
        }
    }

    /// The process id of the running receiver.
    pub fn pid(&self) -> u32 {
        self.child.id().unwrap()
    }

    /// What the process has logged so far (error level: every line is an error).
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Kills the process with SIGKILL (no graceful shutdown: requests in flight are cut,
    /// whatever SQLite committed stays) and waits until it is gone.
    pub async fn kill(&mut self) {
        self.child.kill().await.unwrap();
    }

    /// [`ChildReceiver::kill`], then a new process with the same arguments (the same
    /// database); returns once the new one listens.
    pub async fn restart(&mut self) {
        self.kill().await;
        let (child, base) = spawn_receiver(&self.args, &self.envs, &self.log).await;
        self.child = child;
        self.base = base;
    }
}

/// Starts the receiver's process and reads its `Blankett is running at URL` line.
async fn spawn_receiver(
    args: &[std::ffi::OsString],
    envs: &[(String, String)],
    log: &std::sync::Arc<std::sync::Mutex<String>>,
) -> (tokio::process::Child, String) {
    use tokio::io::AsyncBufReadExt as _;
    let mut child = tokio::process::Command::new(SERVER_BIN)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(args)
        .envs(envs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut errors = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let log = std::sync::Arc::clone(log);
    tokio::spawn(async move {
        while let Ok(Some(line)) = errors.next_line().await {
            // Still shown with the test's output, as before.
            eprintln!("{line}");
            let mut log = log.lock().unwrap();
            log.push_str(&line);
            log.push('\n');
        }
    });
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    while let Some(line) = lines.next_line().await.unwrap() {
        if let Some(url) = line.strip_prefix("Blankett is running at ") {
            // Keep reading, so the receiver never blocks on a full pipe.
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return (child, url.trim().trim_end_matches('/').to_owned());
        }
    }
    panic!("the receiver exited before it listened");
}
