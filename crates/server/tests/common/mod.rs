//! Shared test helpers: a real receiver on 127.0.0.1:0 with a temporary database and forms.

#![allow(dead_code, clippy::unwrap_used)] // helpers used by some test files only; tests fail loudly

use std::path::{Path, PathBuf};

use blankett_core::{Answer, Answers, Context, Date, Lang, Submission};
use blankett_server::forms::Forms;
use blankett_server::store::Store;
use blankett_server::{AppState, Config, serve_with_listener};
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

    /// POSTs `body` as JSON to `/api/submissions`.
    pub async fn post(&self, body: impl Into<reqwest::Body>) -> reqwest::Response {
        self.client
            .post(self.url("/api/submissions"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap()
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
}

fn write_forms(dir: &Path, version: Option<&str>) {
    std::fs::create_dir_all(dir).unwrap();
    let form = match version {
        Some(v) => FORM.replace(r#""version": "3""#, &format!(r#""version": "{v}""#)),
        None => FORM.to_owned(),
    };
    std::fs::write(dir.join("test.json"), form).unwrap();
    std::fs::write(dir.join("other.json"), other_form()).unwrap();
    std::fs::write(dir.join("broken.json"), broken_form()).unwrap();
    std::fs::write(dir.join("index.json"), r#"{"forms": []}"#).unwrap();
}

/// Starts a receiver on 127.0.0.1:0 with its own temporary folder.
pub async fn start(options: Options) -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let forms = dir.path().join("forms");
    write_forms(&forms, options.form_version.as_deref());
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
    };
    let state = if options.full_disk {
        drop(Store::open(&config.db).unwrap());
        let conn = rusqlite::Connection::open(&config.db).unwrap();
        let pages: i64 = conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap();
        conn.pragma_update(None, "max_page_count", pages).unwrap();
        let (forms, skipped) = Forms::load_dir(&config.forms);
        AppState {
            forms,
            skipped,
            store: Store::from_connection(conn).unwrap(),
            admin_token: config.admin_token.clone(),
            max_body: config.max_body,
            dist: config.dist.clone(),
            forms_dir: config.forms.clone(),
        }
    } else {
        AppState::open(&config).unwrap()
    };
    let skipped = state
        .skipped
        .iter()
        .map(|s| s.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let listener = TcpListener::bind(&config.addr).await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = oneshot::channel::<()>();
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
        _shutdown: tx,
        _dir: dir,
    }
}
