//! The store's suite, run against both backends (issue 19): a SQLite file and a PostgreSQL
//! database in a throw-away cluster (`common::pg`). Each case gets a new empty database;
//! what differs between the backends is only how a case opens one and counts a table's rows.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::sync::Arc;

use blankett_server::store::{
    Database, Inserted, NewFile, NewSubmission, ReceiverKeyRow, SignedBy, Staged, Store,
    StoreError, StoreOptions, Swept, Upload,
};

/// A new empty database of one backend, opened as the receiver opens it.
struct Backend {
    name: &'static str,
    db: Database,
    /// PostgreSQL: store submissions `SERIALIZABLE`.
    serializable: bool,
    /// Keeps a SQLite file's folder alive.
    _dir: Option<tempfile::TempDir>,
}

impl Backend {
    fn open(&self) -> Store {
        Store::connect(&self.db, self.options()).unwrap()
    }

    fn options(&self) -> StoreOptions {
        StoreOptions {
            serializable: self.serializable,
            ..StoreOptions::default()
        }
    }

    /// The number of rows in `table`, read beside the store.
    fn rows(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        match &self.db {
            Database::Sqlite(path) => rusqlite::Connection::open(path)
                .unwrap()
                .query_row(&sql, [], |r| r.get(0))
                .unwrap(),
            Database::Postgres(url) => postgres::Client::connect(url, postgres::NoTls)
                .unwrap()
                .query_one(sql.as_str(), &[])
                .unwrap()
                .get(0),
        }
    }

    /// Makes the database refuse a submission with an empty form id, with a trigger that
    /// fires after the nonce and the key are written in the same transaction.
    fn refuse_empty_form_id(&self) {
        match &self.db {
            Database::Sqlite(path) => rusqlite::Connection::open(path)
                .unwrap()
                .execute_batch(
                    "CREATE TRIGGER no_empty BEFORE INSERT ON submissions WHEN NEW.form_id = ''
                     BEGIN SELECT RAISE(ABORT, 'empty form id'); END;",
                )
                .unwrap(),
            Database::Postgres(url) => postgres::Client::connect(url, postgres::NoTls)
                .unwrap()
                .batch_execute(
                    "CREATE FUNCTION no_empty() RETURNS trigger AS $$
                     BEGIN
                         IF NEW.form_id = '' THEN RAISE EXCEPTION 'empty form id'; END IF;
                         RETURN NEW;
                     END $$ LANGUAGE plpgsql;
                     CREATE TRIGGER no_empty BEFORE INSERT ON submissions
                         FOR EACH ROW EXECUTE FUNCTION no_empty();",
                )
                .unwrap(),
        }
    }

    /// Sets the database's schema version as a newer receiver would have left it.
    fn set_schema_version(&self, version: i64) {
        match &self.db {
            Database::Sqlite(path) => rusqlite::Connection::open(path)
                .unwrap()
                .pragma_update(None, "user_version", version)
                .unwrap(),
            Database::Postgres(url) => {
                postgres::Client::connect(url, postgres::NoTls)
                    .unwrap()
                    .execute(
                        "UPDATE blankett_schema SET version = $1",
                        &[&i32::try_from(version).unwrap()],
                    )
                    .unwrap();
            }
        }
    }
}

fn new(id: &str, body: &str) -> NewSubmission {
    NewSubmission {
        submission_id: id.into(),
        form_id: "f".into(),
        form_version: "1".into(),
        language: "sv".into(),
        answers: "{}".into(),
        body: body.into(),
        received_at: "2026-01-02T03:04:05Z".into(),
        year: 2026,
        idempotency_key: Some(id.into()),
        signed: None,
        files: Vec::new(),
    }
}

fn signed(id: &str, body: &str, nonce: &str, now: i64) -> NewSubmission {
    NewSubmission {
        signed: Some(SignedBy {
            keyid: "kid-1".into(),
            jwk: r#"{"crv":"Ed25519","kty":"OKP","x":"AAAA"}"#.into(),
            nonce: nonce.into(),
            nonce_expires_at: now + 300,
            now,
        }),
        ..new(id, body)
    }
}

fn created(inserted: Inserted) -> blankett_core::protocol::Receipt {
    match inserted {
        Inserted::Created(receipt) => receipt,
        other => panic!("not created: {other:?}"),
    }
}

/// One case of the suite: what it checks, and the check.
type Case = (&'static str, fn(&Backend));

/// The cases, each run on a new database of the backend.
const CASES: &[Case] = &[
    (
        "insert, replay, conflict and reopen",
        insert_replay_conflict_and_reopen,
    ),
    (
        "a signed submission, its key and nonce",
        signed_key_and_nonce,
    ),
    (
        "a failed insert leaves no nonce and no key",
        failed_insert_leaves_nothing,
    ),
    ("the receiver key is made once", receiver_key_made_once),
    ("the write check", write_check),
    ("read marks, forms and retention", read_marks_and_retention),
    ("a newer schema is refused", newer_schema_refused),
    (
        "concurrent writers store each submission once",
        concurrent_writers,
    ),
    (
        "uploads are staged once and claimed with their submission",
        uploads_staged_and_claimed,
    ),
    (
        "a submission whose files are not staged stores nothing",
        files_missing_store_nothing,
    ),
    (
        "retention deletes unclaimed uploads and unreferenced files",
        retention_sweeps_files,
    ),
];

/// A file's SHA-256 in lowercase hex.
fn hash(bytes: &[u8]) -> String {
    blankett_core::signing::sha256_hex(bytes)
}

/// An upload of `bytes` (a PDF) for `id`, received at `at`, signed by `signed` if given.
fn upload<'a>(
    id: &'a str,
    sha256: &'a str,
    bytes: &'a [u8],
    at: &'a str,
    signed: Option<&'a SignedBy>,
) -> Upload<'a> {
    Upload {
        submission_id: id,
        sha256,
        media_type: "application/pdf",
        bytes,
        received_at: at,
        signed,
    }
}

/// The submission `new` with `bytes` attached as answer `plan`, position `position`.
fn with_file(mut new: NewSubmission, bytes: &[u8], position: u32) -> NewSubmission {
    new.files.push(NewFile {
        answer_key: "plan".into(),
        position,
        name: format!("plan-{position}.pdf"),
        sha256: hash(bytes),
        size: bytes.len() as u64,
        media_type: "application/pdf".into(),
    });
    new
}

fn uploads_staged_and_claimed(b: &Backend) {
    let store = b.open();
    let (pdf, other) = (b"%PDF-1.7 one".as_slice(), b"%PDF-1.7 two".as_slice());
    let (h1, h2) = (hash(pdf), hash(other));
    let at = "2026-01-02T03:04:00Z";
    let key = signed("a", "x", "n-up", 1000).signed.unwrap();
    assert_eq!(store.upload_state("a", &h1, "kid-1").unwrap(), None);
    assert_eq!(
        store.stage(&upload("a", &h1, pdf, at, Some(&key))).unwrap(),
        Staged::Created
    );
    // Again (even with the same nonce): already there, nothing stored twice.
    assert_eq!(
        store.stage(&upload("a", &h1, pdf, at, Some(&key))).unwrap(),
        Staged::Already
    );
    // The same bytes for another submission: a staged row more, the file once.
    assert_eq!(
        store.stage(&upload("b", &h1, pdf, at, None)).unwrap(),
        Staged::Created
    );
    assert_eq!((b.rows("files"), b.rows("staged_files")), (1, 2));
    // Another upload with a nonce this key has used is refused.
    let mut reused = key.clone();
    reused.now = 1001;
    assert_eq!(
        store
            .stage(&upload("a", &h2, other, at, Some(&reused)))
            .unwrap(),
        Staged::NonceReplayed
    );
    let mut key2 = key.clone();
    key2.nonce = "n-up-2".into();
    assert_eq!(
        store
            .stage(&upload("a", &h2, other, at, Some(&key2)))
            .unwrap(),
        Staged::Created
    );
    let staged = store.staged_file("a", &h1, "kid-1").unwrap().unwrap();
    assert_eq!(
        (
            staged.size,
            staged.media_type.as_str(),
            staged.head.as_slice()
        ),
        (pdf.len() as u64, "application/pdf", pdf)
    );
    assert_eq!(
        store.staged_file("a", &h1, "").unwrap(),
        None,
        "not unsigned"
    );
    // The submission claims its one file; the other upload for it goes too.
    let new = with_file(signed("a", "x", "n-sub", 1000), pdf, 0);
    let receipt = created(store.insert(&new).unwrap());
    assert_eq!(b.rows("submission_files"), 1);
    assert_eq!(b.rows("staged_files"), 1, "only b's upload is left");
    let file = store
        .submission_file(&receipt.reference, &h1)
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            file.name.as_str(),
            file.media_type.as_str(),
            file.bytes.as_slice()
        ),
        ("plan-0.pdf", "application/pdf", pdf)
    );
    assert_eq!(
        store.submission_file(&receipt.reference, &h2).unwrap(),
        None
    );
    // A finished submission takes no new files, but knows its own.
    assert_eq!(
        store.upload_state("a", &h1, "kid-1").unwrap(),
        Some(Staged::SubmissionStored(true))
    );
    assert_eq!(
        store.upload_state("a", &h2, "kid-1").unwrap(),
        Some(Staged::SubmissionStored(false))
    );
    // A replay answers the first receipt without touching the files.
    assert_eq!(store.insert(&new).unwrap(), Inserted::Replayed(receipt));
    assert_eq!(b.rows("submission_files"), 1);
}

fn files_missing_store_nothing(b: &Backend) {
    let store = b.open();
    let pdf = b"%PDF-1.7 three".as_slice();
    let at = "2026-01-02T03:04:00Z";
    // Staged unsigned, claimed by a signed submission: not the same key.
    store
        .stage(&upload("a", &hash(pdf), pdf, at, None))
        .unwrap();
    let by_key = with_file(signed("a", "x", "n1", 1000), pdf, 0);
    assert_eq!(
        store.insert(&by_key).unwrap(),
        Inserted::FilesMissing(vec![hash(pdf)])
    );
    // The size must be the staged one's too.
    let mut wrong_size = with_file(new("a", "x"), pdf, 0);
    wrong_size.files[0].size += 1;
    assert_eq!(
        store.insert(&wrong_size).unwrap(),
        Inserted::FilesMissing(vec![hash(pdf)])
    );
    assert_eq!(
        (
            b.rows("submissions"),
            b.rows("nonces"),
            b.rows("signing_keys")
        ),
        (0, 0, 0)
    );
    assert_eq!(b.rows("staged_files"), 1, "still staged");
    // The same file twice in one submission is claimed once.
    let twice = with_file(with_file(new("a", "x"), pdf, 0), pdf, 1);
    created(store.insert(&twice).unwrap());
    assert_eq!((b.rows("submission_files"), b.rows("files")), (2, 1));
}

fn retention_sweeps_files(b: &Backend) {
    let store = b.open();
    let (old, fresh, kept) = (
        b"%PDF-1.7 old".as_slice(),
        b"%PDF-1.7 fresh".as_slice(),
        b"%PDF-1.7 kept".as_slice(),
    );
    store
        .stage(&upload("o", &hash(old), old, "2025-12-01T00:00:00Z", None))
        .unwrap();
    store
        .stage(&upload(
            "f",
            &hash(fresh),
            fresh,
            "2026-01-02T00:00:00Z",
            None,
        ))
        .unwrap();
    store
        .stage(&upload(
            "k",
            &hash(kept),
            kept,
            "2025-12-01T00:00:00Z",
            None,
        ))
        .unwrap();
    let mut case = with_file(new("k", "x"), kept, 0);
    case.received_at = "2025-12-01T00:00:00Z".into();
    let case = created(store.insert(&case).unwrap());
    let before = "2026-01-01T00:00:00Z";
    assert_eq!(
        store.sweep_files(before, true).unwrap(),
        Swept {
            staged: 1,
            files: 1
        },
        "a dry run counts"
    );
    assert_eq!((b.rows("staged_files"), b.rows("files")), (2, 3));
    assert_eq!(
        store.sweep_files(before, false).unwrap(),
        Swept {
            staged: 1,
            files: 1
        }
    );
    assert_eq!((b.rows("staged_files"), b.rows("files")), (1, 2));
    assert_eq!(store.staged_file("o", &hash(old), "").unwrap(), None);
    assert!(store.staged_file("f", &hash(fresh), "").unwrap().is_some());
    // The case's file goes with the case (at the next sweep), never before.
    assert!(
        store
            .submission_file(&case.reference, &hash(kept))
            .unwrap()
            .is_some()
    );
    store.delete_expired("f", before, false, false).unwrap();
    assert_eq!(b.rows("submission_files"), 0);
    assert_eq!(
        store.sweep_files(before, false).unwrap(),
        Swept {
            staged: 0,
            files: 1
        }
    );
    assert_eq!(b.rows("files"), 1, "only the fresh upload's file is left");
    assert!(store.checkpoint().unwrap());
}

fn insert_replay_conflict_and_reopen(b: &Backend) {
    let store = b.open();
    let first = created(store.insert(&new("a", "x")).unwrap());
    assert_eq!(first.reference, "B-2026-000001");
    assert_eq!(
        store.insert(&new("a", "x")).unwrap(),
        Inserted::Replayed(first.clone())
    );
    assert_eq!(store.insert(&new("a", "y")).unwrap(), Inserted::Conflict);
    assert_eq!(
        store.find_existing("a", "x").unwrap(),
        Some(Inserted::Replayed(first.clone()))
    );
    assert_eq!(store.find_existing("b", "x").unwrap(), None);
    let second = created(store.insert(&new("b", "y")).unwrap());
    assert_eq!(second.reference, "B-2026-000002");
    drop(store);
    // Reopening runs no migration twice and keeps the rows.
    let store = b.open();
    let stored = store.get("B-2026-000001").unwrap().unwrap();
    assert_eq!(
        (stored.submission_id.as_str(), stored.form_id.as_str()),
        ("a", "f")
    );
    assert_eq!(stored.received_at, "2026-01-02T03:04:05Z");
    assert_eq!(stored.idempotency_key.as_deref(), Some("a"));
    assert_eq!(store.get("B-2026-000009").unwrap(), None);
    assert_eq!(store.count().unwrap(), 2);
}

fn signed_key_and_nonce(b: &Backend) {
    let store = b.open();
    let first = signed("a", "x", "n1", 1000);
    assert!(!store.nonce_seen(first.signed.as_ref().unwrap()).unwrap());
    let receipt = created(store.insert(&first).unwrap());
    assert!(store.nonce_seen(first.signed.as_ref().unwrap()).unwrap());
    let stored = store.get(&receipt.reference).unwrap().unwrap();
    assert_eq!(stored.key_id.as_deref(), Some("kid-1"));
    // The same bytes again are a replay, answered before the nonce.
    assert_eq!(store.insert(&first).unwrap(), Inserted::Replayed(receipt));
    // Another submission with a used nonce is refused, and nothing is written.
    assert_eq!(
        store.insert(&signed("b", "y", "n1", 1100)).unwrap(),
        Inserted::NonceReplayed
    );
    assert_eq!(b.rows("submissions"), 1);
    // Once the nonce has expired, this key's old nonces are deleted as a new one is
    // written.
    created(store.insert(&signed("c", "z", "n2", 1400)).unwrap());
    assert_eq!(b.rows("nonces"), 1);
    assert_eq!(b.rows("signing_keys"), 1);
    assert!(!store.nonce_seen(first.signed.as_ref().unwrap()).unwrap());
    // The retention pass forgets every key's expired nonces.
    assert_eq!(store.forget_nonces(1400 + 301).unwrap(), 1);
    assert_eq!(b.rows("nonces"), 0);
}

fn failed_insert_leaves_nothing(b: &Backend) {
    let store = b.open();
    created(store.insert(&signed("a", "x", "n1", 1000)).unwrap());
    b.refuse_empty_form_id();
    let mut broken = signed("b", "y", "n2", 1000);
    broken.signed.as_mut().unwrap().keyid = "kid-2".into();
    broken.form_id = String::new();
    let err = store.insert(&broken).unwrap_err();
    assert!(
        !err.is_unavailable(),
        "a refused row is not the database's absence: {err}"
    );
    assert_eq!(b.rows("submissions"), 1);
    assert_eq!(b.rows("signing_keys"), 1);
    assert_eq!(b.rows("nonces"), 1);
    assert!(!store.nonce_seen(broken.signed.as_ref().unwrap()).unwrap());
}

fn receiver_key_made_once(b: &Backend) {
    let row = |kid: &str| ReceiverKeyRow {
        kid: kid.into(),
        private_key: vec![1, 2, 3],
        jwk: "{}".into(),
    };
    let store = b.open();
    let first = store
        .receiver_key(|| row("k1"), "2026-01-01T00:00:00Z")
        .unwrap();
    assert_eq!(first.kid, "k1");
    drop(store);
    let store = b.open();
    let again = store
        .receiver_key(|| panic!("a key exists"), "2026-01-02T00:00:00Z")
        .unwrap();
    assert_eq!(again, first);
    assert!(
        !format!("{again:?}").contains("[1, 2, 3]"),
        "no secret in logs"
    );
}

fn write_check(b: &Backend) {
    let store = b.open();
    store.check_writable("2026-01-01T00:00:00Z").unwrap();
    store.check_writable("2026-01-01T00:00:01Z").unwrap();
    assert_eq!(b.rows("readiness"), 1, "one row, written again");
}

fn read_marks_and_retention(b: &Backend) {
    let store = b.open();
    let mut old = signed("old", "1", "n1", 1000);
    old.received_at = "2025-01-01T00:00:00Z".into();
    let old = created(store.insert(&old).unwrap());
    let mut read = new("read", "2");
    read.received_at = "2025-01-02T00:00:00Z".into();
    let read = created(store.insert(&read).unwrap());
    let mut other = new("other", "3");
    other.form_id = "g".into();
    created(store.insert(&other).unwrap());
    created(store.insert(&new("recent", "4")).unwrap());
    assert_eq!(
        store.forms_with_cases().unwrap(),
        vec![("f".to_owned(), 3), ("g".to_owned(), 1)]
    );
    store
        .mark_read(&read.reference, "2026-01-03T00:00:00Z")
        .unwrap();
    let before = "2026-01-01T00:00:00Z";
    // A dry run counts; keeping unread cases deletes only the read one.
    let counted = store.delete_expired("f", before, false, true).unwrap();
    assert_eq!((counted.deleted, counted.kept_unread), (2, 0));
    assert_eq!(store.count().unwrap(), 4);
    let kept = store.delete_expired("f", before, true, false).unwrap();
    assert_eq!((kept.deleted, kept.kept_unread), (1, 1));
    assert_eq!(store.get(&read.reference).unwrap(), None);
    assert!(store.get(&old.reference).unwrap().is_some());
    assert_eq!(
        b.rows("signing_keys"),
        1,
        "the old case still names its key"
    );
    let all = store.delete_expired("f", before, false, false).unwrap();
    assert_eq!((all.deleted, all.kept_unread), (1, 0));
    assert_eq!(b.rows("signing_keys"), 0, "no case names the key any more");
    assert_eq!(store.count().unwrap(), 2);
    assert!(store.checkpoint().unwrap());
}

fn newer_schema_refused(b: &Backend) {
    drop(b.open());
    b.set_schema_version(99);
    assert!(matches!(
        Store::connect(&b.db, b.options()),
        Err(StoreError::TooNew { found: 99, .. })
    ));
}

/// Eight writers store the same 40 submissions at once, each in its own order: 40 rows,
/// and every writer got the same receipt for each.
fn concurrent_writers(b: &Backend) {
    let store = Arc::new(b.open());
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                let mut receipts = Vec::new();
                for i in 0..40 {
                    let i = (i + w * 5) % 40;
                    let item = signed(
                        &format!("s{i}"),
                        &format!("body {i}"),
                        &format!("n{i}"),
                        1000,
                    );
                    match store.insert(&item).unwrap() {
                        Inserted::Created(r) | Inserted::Replayed(r) => receipts.push((i, r)),
                        other => panic!("submission {i}: {other:?}"),
                    }
                }
                receipts.sort_by_key(|(i, _)| *i);
                receipts
            })
        })
        .collect();
    let results: Vec<_> = writers.into_iter().map(|w| w.join().unwrap()).collect();
    for other in &results[1..] {
        assert_eq!(other, &results[0], "two writers got different receipts");
    }
    let mut references: Vec<_> = results[0].iter().map(|(_, r)| &r.reference).collect();
    references.sort();
    references.dedup();
    assert_eq!(references.len(), 40);
    assert_eq!(b.rows("submissions"), 40);
    assert_eq!(b.rows("nonces"), 40);
}

#[test]
fn the_suite_on_sqlite() {
    for (name, case) in CASES {
        let dir = tempfile::tempdir().unwrap();
        let backend = Backend {
            name: "SQLite",
            db: Database::Sqlite(dir.path().join("db.sqlite3")),
            serializable: false,
            _dir: Some(dir),
        };
        eprintln!("{}: {name}", backend.name);
        case(&backend);
    }
}

/// Runs every case on a new database in one throw-away cluster.
fn postgres_suite(name: &'static str, serializable: bool) {
    let cluster = common::pg::Cluster::start(false);
    for (i, (case_name, case)) in CASES.iter().enumerate() {
        let backend = Backend {
            name,
            db: Database::Postgres(cluster.create_database(&format!("case{i}"))),
            serializable,
            _dir: None,
        };
        eprintln!("{}: {case_name}", backend.name);
        case(&backend);
    }
}

#[test]
fn the_suite_on_postgresql() {
    postgres_suite("PostgreSQL", false);
}

/// Every write `SERIALIZABLE`, as on CockroachDB: the same outcomes, through retries of the
/// transactions the server refuses as conflicting (the concurrent writers case meets them).
#[test]
fn the_suite_on_postgresql_serializable() {
    postgres_suite("PostgreSQL, SERIALIZABLE", true);
}

/// A database that is down answers as unavailable (503), and one that is back is used again
/// without a restart of the receiver.
#[test]
fn postgresql_down_is_unavailable_and_back_is_used_again() {
    let cluster = common::pg::Cluster::start(false);
    let url = cluster.create_database("blankett");
    let options = StoreOptions {
        timeout: std::time::Duration::from_secs(1),
        ..StoreOptions::default()
    };
    let store = Store::connect(&Database::Postgres(url), options).unwrap();
    created(store.insert(&new("a", "x")).unwrap());
    cluster.stop_server();
    let err = store.insert(&new("b", "y")).unwrap_err();
    assert!(err.is_unavailable(), "{err}");
    let err = store.check_writable("2026-01-01T00:00:00Z").unwrap_err();
    assert_eq!(
        err.unwritable(),
        blankett_server::store::Unwritable::Unreachable,
        "{err}"
    );
    cluster.start_server();
    created(store.insert(&new("b", "y")).unwrap());
    store.check_writable("2026-01-01T00:00:01Z").unwrap();
    assert_eq!(store.count().unwrap(), 2);
}

/// The receiver refuses to start on a database it cannot reach, saying which (without the
/// password) and why.
#[test]
fn an_unreachable_postgresql_is_named_without_its_password() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://blankett:s3cret@127.0.0.1:{port}/blankett");
    let options = StoreOptions {
        timeout: std::time::Duration::from_secs(1),
        ..StoreOptions::default()
    };
    let err = Store::connect(&Database::Postgres(url), options).unwrap_err();
    let text = err.to_string();
    assert!(err.is_unavailable(), "{text}");
    assert!(
        text.contains(&format!(
            "postgres://blankett:***@127.0.0.1:{port}/blankett"
        )),
        "{text}"
    );
    assert!(!text.contains("s3cret"), "{text}");
    let err = Store::connect(
        &Database::Postgres("postgres://h/db?port=x".into()),
        options,
    )
    .unwrap_err();
    assert!(matches!(err, StoreError::BadUrl { .. }), "{err}");
}

/// The retry path, made certain: another session updates the schema row and holds it while
/// a receiver starts; the receiver's migration check waits for it, is refused as conflicting
/// once the other commits (SQLSTATE 40001 at SERIALIZABLE) and succeeds on its next attempt.
#[test]
fn a_serialization_failure_is_retried() {
    let cluster = common::pg::Cluster::start(false);
    let url = cluster.create_database("blankett");
    drop(Store::connect(&Database::Postgres(url.clone()), StoreOptions::default()).unwrap());
    let before = blankett_server::store::postgres::conflicts_retried();
    let mut other = cluster.client("blankett");
    let mut tx = other.transaction().unwrap();
    tx.execute(
        "UPDATE blankett_schema SET version = version WHERE id = 1",
        &[],
    )
    .unwrap();
    let opening = std::thread::spawn({
        let url = url.clone();
        move || Store::connect(&Database::Postgres(url), StoreOptions::default())
    });
    // Wait until the receiver's statement waits for the row lock.
    let mut watcher = cluster.client("blankett");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let waiting: i64 = watcher
            .query_one(
                "SELECT COUNT(*) FROM pg_stat_activity
                 WHERE wait_event_type = 'Lock' AND application_name = 'blankett-server'",
                &[],
            )
            .unwrap()
            .get(0);
        if waiting > 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the receiver never waited for the lock"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    tx.commit().unwrap();
    let store = opening.join().unwrap().unwrap();
    assert!(
        blankett_server::store::postgres::conflicts_retried() > before,
        "no transaction was retried"
    );
    created(store.insert(&new("a", "x")).unwrap());
}
