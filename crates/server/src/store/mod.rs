//! Storage of received submissions, on one of two backends chosen by `--db`: a SQLite file
//! (the embedded default, one receiver) or a PostgreSQL database shared by several receivers.
//!
//! Everything that makes a submission exactly-once or refuses a replay (submission ids,
//! idempotency keys, signature nonces, device keys, reference numbers, the receiver's own
//! key) lives in the database under a unique constraint and is decided in one transaction,
//! never in one process's memory. Callers run these blocking methods in
//! `tokio::task::spawn_blocking`.

pub mod postgres;
pub mod sqlite;

use std::path::Path;
use std::time::Duration;

use blankett_core::protocol::Receipt;

pub use sqlite::MIGRATIONS;

/// How many bytes a readiness check writes: about a large submission, so a disk that has
/// room for the check has room for a case.
pub const PROBE_BYTES: i64 = 16 * 1024;

/// Which database `--db` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file (created with its folder if missing).
    Sqlite(std::path::PathBuf),
    /// A PostgreSQL connection URL (`postgres://` or `postgresql://`).
    Postgres(String),
}

impl Database {
    /// Reads `--db`: a `postgres://` or `postgresql://` URL, else a file path.
    pub fn from_arg(db: &Path) -> Database {
        match db.to_str() {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Database::Postgres(url.to_owned())
            }
            _ => Database::Sqlite(db.to_owned()),
        }
    }

    /// The database as logs and messages may show it: a URL without its password.
    pub fn display(&self) -> String {
        match self {
            Database::Sqlite(path) => path.display().to_string(),
            Database::Postgres(url) => postgres::redact(url),
        }
    }
}

/// How the receiver uses its database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    /// SQLite: when a commit waits for the disk.
    pub synchronous: Synchronous,
    /// PostgreSQL: the most connections one receiver opens.
    pub pool_size: u32,
    /// PostgreSQL: how long a statement may run, and how long a request waits for a free
    /// connection (or a new one) before it is answered 503.
    pub timeout: Duration,
    /// PostgreSQL: store submissions `SERIALIZABLE` too (as CockroachDB always does), not
    /// `READ COMMITTED`.
    pub serializable: bool,
}

impl Default for StoreOptions {
    fn default() -> StoreOptions {
        StoreOptions {
            synchronous: Synchronous::Full,
            pool_size: 8,
            timeout: Duration::from_secs(5),
            serializable: false,
        }
    }
}

/// When SQLite waits for the disk at a commit (`PRAGMA synchronous`, in WAL mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Synchronous {
    /// Every commit is on the disk before it returns: a receipt survives a power loss.
    #[default]
    Full,
    /// Commits reach the disk at the next checkpoint: faster, but a power loss (not a
    /// crash of the process) can lose submissions that were already answered 201.
    Normal,
}

impl Synchronous {
    /// The value of `PRAGMA synchronous`.
    pub fn pragma(self) -> &'static str {
        match self {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
        }
    }
}

/// Why storage failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database folder could not be created.
    #[error("cannot create the database folder {path}: {source}")]
    CreateDir {
        /// The folder.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// SQLite failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed (or its connection did).
    #[error("database error: {0}")]
    Postgres(#[from] ::postgres::Error),
    /// No connection to PostgreSQL could be had within the timeout.
    #[error("no connection to the database {database} within {seconds} s: {reason}")]
    NoConnection {
        /// The database, without its password.
        database: String,
        /// The timeout.
        seconds: u64,
        /// What the last attempt to connect said.
        reason: String,
    },
    /// `--db` is a URL PostgreSQL's client does not read.
    #[error("--db is not a PostgreSQL URL it can read ({database}): {reason}")]
    BadUrl {
        /// The URL, without its password.
        database: String,
        /// What the client said.
        reason: String,
    },
    /// Concurrent transactions kept conflicting (serialization failures) after every retry.
    #[error("the database refused the transaction {attempts} times as conflicting with others")]
    Contention {
        /// How many times it was tried.
        attempts: u32,
    },
    /// The database was made by a newer version of this server.
    #[error("the database has schema version {found}; this server knows only up to {known}")]
    TooNew {
        /// The database's schema version.
        found: i64,
        /// How many migrations this server has.
        known: usize,
    },
}

/// Why the database cannot take a write, as the readiness check says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unwritable {
    /// The disk (or the database's size limit) is full.
    DiskFull,
    /// The database or its file system is read-only.
    ReadOnly,
    /// Another process held the database's lock for longer than the busy timeout.
    Locked,
    /// The database server cannot be reached (down, restarting, or every connection busy).
    Unreachable,
    /// Another failure: an I/O error, the file gone, a database that cannot be opened.
    Other,
}

impl StoreError {
    /// Why a write failed, in the readiness check's words.
    pub fn unwritable(&self) -> Unwritable {
        use rusqlite::ErrorCode as C;
        match self {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => match e.code {
                C::DiskFull => Unwritable::DiskFull,
                C::ReadOnly => Unwritable::ReadOnly,
                C::DatabaseBusy | C::DatabaseLocked => Unwritable::Locked,
                _ => Unwritable::Other,
            },
            StoreError::Postgres(e) => postgres::unwritable(e),
            StoreError::NoConnection { .. } => Unwritable::Unreachable,
            StoreError::Contention { .. } => Unwritable::Locked,
            _ => Unwritable::Other,
        }
    }

    /// Whether the failure is the environment's (disk full, I/O, locked, read-only, the
    /// database server down or too busy), so a later retry may succeed.
    pub fn is_unavailable(&self) -> bool {
        use rusqlite::ErrorCode as C;
        match self {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.code,
                C::DiskFull
                    | C::SystemIoFailure
                    | C::DatabaseBusy
                    | C::DatabaseLocked
                    | C::ReadOnly
                    | C::CannotOpen
                    | C::OutOfMemory
                    | C::FileLockingProtocolFailed
            ),
            StoreError::Postgres(e) => postgres::is_unavailable(e),
            StoreError::CreateDir { .. }
            | StoreError::NoConnection { .. }
            | StoreError::Contention { .. } => true,
            _ => false,
        }
    }
}

/// A submission to store, already checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubmission {
    /// The browser's UUID for the submission.
    pub submission_id: String,
    /// The form id.
    pub form_id: String,
    /// The definition version.
    pub form_version: String,
    /// The citizen's language.
    pub language: String,
    /// The canonical JSON of the answers map.
    pub answers: String,
    /// The exact request body.
    pub body: String,
    /// When it arrived, RFC 3339 UTC.
    pub received_at: String,
    /// The year it arrived, for the reference number.
    pub year: i32,
    /// The `Idempotency-Key` it was sent with (its `submission_id`), if any.
    pub idempotency_key: Option<String>,
    /// The device key that signed it and its signature's nonce; `None` when unsigned.
    pub signed: Option<SignedBy>,
    /// Its attached files, each claimed from the uploads staged for this submission id by
    /// the same key, in the same transaction as the submission row.
    pub files: Vec<NewFile>,
}

/// One attached file of a submission to store: where it is in the answers and what the
/// submission says of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFile {
    /// The answer key (`situationsplan`, `bilagor[1].intyg`).
    pub answer_key: String,
    /// Its place in that answer's list, from 0.
    pub position: u32,
    /// The file's name, as the submission gives it.
    pub name: String,
    /// The SHA-256 of its bytes, 64 lowercase hexadecimal digits.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its type (MIME), found by content.
    pub media_type: String,
}

/// The `key_id` an upload is staged under: the signing key's thumbprint, or `""` unsigned.
pub fn staged_key(signed: Option<&SignedBy>) -> &str {
    signed.map_or("", |s| s.keyid.as_str())
}

/// One upload to stage: a file's bytes for a submission not stored yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Upload<'a> {
    /// The submission id the browser uploads for.
    pub submission_id: &'a str,
    /// The SHA-256 of `bytes`, 64 lowercase hexadecimal digits (checked by the caller).
    pub sha256: &'a str,
    /// The type found by content (MIME).
    pub media_type: &'a str,
    /// The file's bytes.
    pub bytes: &'a [u8],
    /// When it arrived, RFC 3339 UTC.
    pub received_at: &'a str,
    /// The device key that signed the upload and its nonce; `None` when unsigned.
    pub signed: Option<&'a SignedBy>,
}

/// What the store did with an upload, or already had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Staged {
    /// Staged now.
    Created,
    /// This submission id already had this file from this key: nothing stored twice.
    Already,
    /// The submission id is already stored; `true` when it carries this very file.
    SubmissionStored(bool),
    /// The signature's nonce was already used by this key within the window.
    NonceReplayed,
}

/// A staged upload as the submission check reads it: its size, its type and its first
/// bytes (at most [`blankett_core::files::SNIFF_LEN`]), to find its type by content again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagedFile {
    /// The size in bytes.
    pub size: u64,
    /// The type the upload was staged with (MIME).
    pub media_type: String,
    /// The first bytes.
    pub head: Vec<u8>,
}

/// One stored file of a stored submission, as the admin read returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// The name the submission gives it.
    pub name: String,
    /// Its type (MIME).
    pub media_type: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// What [`Store::sweep_files`] deleted (or, in a dry run, would delete).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Swept {
    /// Staged uploads no submission claimed within `--staged-hours`.
    pub staged: usize,
    /// Files that no stored submission and no staged upload names any more.
    pub files: usize,
}

/// The most bytes of a staged file read back to find its type again: what `sniff` reads.
pub const HEAD_BYTES: i64 = blankett_core::files::SNIFF_LEN as i64;

/// The device key that signed a submission, and the nonce of that signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedBy {
    /// The key's RFC 7638 thumbprint (the signature's `keyid`).
    pub keyid: String,
    /// The public key as compact JWK JSON, stored the first time the key is seen.
    pub jwk: String,
    /// The signature's `nonce`.
    pub nonce: String,
    /// Until when (seconds since the epoch) the nonce must be remembered.
    pub nonce_expires_at: i64,
    /// The receiver's time (seconds since the epoch): nonces expired by then are deleted.
    pub now: i64,
}

/// The receiver's own signing key as stored: the private scalar never leaves the database
/// except into the running receiver.
#[derive(Clone, PartialEq, Eq)]
pub struct ReceiverKeyRow {
    /// The key's thumbprint (its `kid` and the receipts' `keyid`).
    pub kid: String,
    /// The private key's bytes.
    pub private_key: Vec<u8>,
    /// The public key as JWK JSON.
    pub jwk: String,
}

impl std::fmt::Debug for ReceiverKeyRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceiverKeyRow")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// The outcome of [`Store::insert`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inserted {
    /// A new row.
    Created(Receipt),
    /// The same submission (same id, same bytes) was already stored: its original receipt.
    Replayed(Receipt),
    /// Another submission with the same id but different bytes is stored.
    Conflict,
    /// The signature's nonce was already used by this key within the window.
    NonceReplayed,
    /// These files (by SHA-256) are not staged for the submission by its key, with the
    /// size and type it gives: nothing was stored.
    FilesMissing(Vec<String>),
}

/// A stored submission, as the admin endpoint returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// The reference number.
    pub reference: String,
    /// The submission's UUID.
    pub submission_id: String,
    /// The form id.
    pub form_id: String,
    /// The definition version.
    pub form_version: String,
    /// The citizen's language.
    pub language: String,
    /// The canonical JSON of the answers map.
    pub answers: String,
    /// When it was received, RFC 3339 UTC.
    pub received_at: String,
    /// The thumbprint of the device key that signed it; `None` when it came unsigned.
    pub key_id: Option<String>,
    /// The `Idempotency-Key` it was sent with, if any.
    pub idempotency_key: Option<String>,
}

/// What [`Store::delete_expired`] did (or, in a dry run, would do) to one form's cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Expired {
    /// Cases deleted.
    pub deleted: usize,
    /// Expired cases kept because nobody has read or exported them yet.
    pub kept_unread: usize,
}

/// The submissions database, on either backend.
#[derive(Debug)]
pub enum Store {
    /// A SQLite file: one receiver.
    Sqlite(sqlite::Sqlite),
    /// A PostgreSQL database: one or many receivers.
    Postgres(postgres::Postgres),
}

/// The reference number of row `id` received in `year`.
pub fn reference(year: i32, id: i64) -> String {
    format!("B-{year}-{id:06}")
}

impl Store {
    /// Opens (or creates) the SQLite database at `path`, creating its folder, and migrates
    /// it; every commit waits for the disk ([`Synchronous::Full`]).
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with(path, Synchronous::Full)
    }

    /// [`Store::open`] with the commits' `synchronous` setting.
    pub fn open_with(path: &Path, synchronous: Synchronous) -> Result<Store, StoreError> {
        Ok(Store::Sqlite(sqlite::Sqlite::open(path, synchronous)?))
    }

    /// Opens the database `--db` names (a SQLite file or a PostgreSQL URL) and migrates it.
    ///
    /// Blocks: PostgreSQL's client runs its own runtime, so call this outside async code
    /// (or in `spawn_blocking`).
    pub fn connect(db: &Database, options: StoreOptions) -> Result<Store, StoreError> {
        match db {
            Database::Sqlite(path) => Store::open_with(path, options.synchronous),
            Database::Postgres(url) => {
                Ok(Store::Postgres(postgres::Postgres::connect(url, options)?))
            }
        }
    }

    /// Wraps an open SQLite connection: sets the busy timeout and foreign keys, and migrates.
    pub fn from_connection(conn: rusqlite::Connection) -> Result<Store, StoreError> {
        Ok(Store::Sqlite(sqlite::Sqlite::from_connection(conn)?))
    }

    /// Which backend this is, for logs: `"SQLite"` or `"PostgreSQL"`.
    pub fn backend(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "SQLite",
            Store::Postgres(_) => "PostgreSQL",
        }
    }

    /// SQLite's `PRAGMA synchronous` (2 is FULL, 1 NORMAL); `None` on PostgreSQL, whose
    /// commits wait for the disk as its server is configured (`synchronous_commit`).
    pub fn synchronous(&self) -> Result<Option<i64>, StoreError> {
        match self {
            Store::Sqlite(db) => db.synchronous().map(Some),
            Store::Postgres(_) => Ok(None),
        }
    }

    /// Stores a submission once: a replay of the same bytes returns the first receipt.
    pub fn insert(&self, new: &NewSubmission) -> Result<Inserted, StoreError> {
        match self {
            Store::Sqlite(db) => db.insert(new),
            Store::Postgres(db) => db.insert(new),
        }
    }

    /// What inserting `submission_id` with `body` would give if it is already stored:
    /// [`Inserted::Replayed`] for the same bytes, [`Inserted::Conflict`] for others.
    pub fn find_existing(
        &self,
        submission_id: &str,
        body: &str,
    ) -> Result<Option<Inserted>, StoreError> {
        match self {
            Store::Sqlite(db) => db.find_existing(submission_id, body),
            Store::Postgres(db) => db.find_existing(submission_id, body),
        }
    }

    /// Whether `signed`'s nonce was already used by its key and is still remembered.
    pub fn nonce_seen(&self, signed: &SignedBy) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(db) => db.nonce_seen(signed),
            Store::Postgres(db) => db.nonce_seen(signed),
        }
    }

    /// The receiver's signing key: the first one stored, or (on first start) the one `make`
    /// returns, stored in the same transaction so two receivers agree on one key.
    pub fn receiver_key(
        &self,
        make: impl FnOnce() -> ReceiverKeyRow,
        created_at: &str,
    ) -> Result<ReceiverKeyRow, StoreError> {
        match self {
            Store::Sqlite(db) => db.receiver_key(make, created_at),
            Store::Postgres(db) => db.receiver_key(make, created_at),
        }
    }

    /// Whether the database takes a write now: writes [`PROBE_BYTES`] in a transaction of
    /// its own and commits it as a submission is committed.
    pub fn check_writable(&self, now: &str) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(db) => db.check_writable(now),
            Store::Postgres(db) => db.check_writable(now),
        }
    }

    /// Notes that the case `reference` was read or exported at `at` (RFC 3339), unless it was
    /// before.
    pub fn mark_read(&self, reference: &str, at: &str) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(db) => db.mark_read(reference, at),
            Store::Postgres(db) => db.mark_read(reference, at),
        }
    }

    /// Every form id with stored cases, and how many.
    pub fn forms_with_cases(&self) -> Result<Vec<(String, usize)>, StoreError> {
        match self {
            Store::Sqlite(db) => db.forms_with_cases(),
            Store::Postgres(db) => db.forms_with_cases(),
        }
    }

    /// Deletes the cases of `form_id` received before `before` (RFC 3339, UTC), except, when
    /// `keep_unread`, those nobody has read or exported; and then the device keys no case
    /// names any more. A `dry_run` counts and deletes nothing.
    pub fn delete_expired(
        &self,
        form_id: &str,
        before: &str,
        keep_unread: bool,
        dry_run: bool,
    ) -> Result<Expired, StoreError> {
        match self {
            Store::Sqlite(db) => db.delete_expired(form_id, before, keep_unread, dry_run),
            Store::Postgres(db) => db.delete_expired(form_id, before, keep_unread, dry_run),
        }
    }

    /// Makes deleted cases unrecoverable from the database's own files: SQLite empties its
    /// WAL (`false` when another connection kept it from finishing); PostgreSQL vacuums the
    /// tables cases are deleted from.
    pub fn checkpoint(&self) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(db) => db.checkpoint(),
            Store::Postgres(db) => db.vacuum(),
        }
    }

    /// Forgets the signature nonces whose window ended before `now` (seconds since the
    /// epoch), for every key; returns how many.
    pub fn forget_nonces(&self, now: i64) -> Result<u64, StoreError> {
        match self {
            Store::Sqlite(db) => db.forget_nonces(now),
            Store::Postgres(db) => db.forget_nonces(now),
        }
    }

    /// Stages an upload: the file (once, by its hash) and the staged row, with the
    /// signature's nonce, in one transaction; or says why not, or that it was there.
    pub fn stage(&self, upload: &Upload<'_>) -> Result<Staged, StoreError> {
        match self {
            Store::Sqlite(db) => db.stage(upload),
            Store::Postgres(db) => db.stage(upload),
        }
    }

    /// What staging `sha256` for `submission_id` by `key_id` (`""` unsigned) would find
    /// already there: [`Staged::Already`] or [`Staged::SubmissionStored`]; `None`: nothing.
    pub fn upload_state(
        &self,
        submission_id: &str,
        sha256: &str,
        key_id: &str,
    ) -> Result<Option<Staged>, StoreError> {
        match self {
            Store::Sqlite(db) => db.upload_state(submission_id, sha256, key_id),
            Store::Postgres(db) => db.upload_state(submission_id, sha256, key_id),
        }
    }

    /// The upload of `sha256` staged for `submission_id` by `key_id` (`""` unsigned).
    pub fn staged_file(
        &self,
        submission_id: &str,
        sha256: &str,
        key_id: &str,
    ) -> Result<Option<StagedFile>, StoreError> {
        match self {
            Store::Sqlite(db) => db.staged_file(submission_id, sha256, key_id),
            Store::Postgres(db) => db.staged_file(submission_id, sha256, key_id),
        }
    }

    /// The file `sha256` of the stored submission `reference`, with the name it gives it.
    pub fn submission_file(
        &self,
        reference: &str,
        sha256: &str,
    ) -> Result<Option<StoredFile>, StoreError> {
        match self {
            Store::Sqlite(db) => db.submission_file(reference, sha256),
            Store::Postgres(db) => db.submission_file(reference, sha256),
        }
    }

    /// Deletes the staged uploads received before `before` (RFC 3339, UTC) that no
    /// submission claimed, then every file no stored submission and no staged upload names.
    /// A `dry_run` counts and deletes nothing.
    pub fn sweep_files(&self, before: &str, dry_run: bool) -> Result<Swept, StoreError> {
        match self {
            Store::Sqlite(db) => db.sweep_files(before, dry_run),
            Store::Postgres(db) => db.sweep_files(before, dry_run),
        }
    }

    /// The stored submission with this reference number.
    pub fn get(&self, reference: &str) -> Result<Option<Stored>, StoreError> {
        match self {
            Store::Sqlite(db) => db.get(reference),
            Store::Postgres(db) => db.get(reference),
        }
    }

    /// How many submissions are stored (for operators and tests).
    pub fn count(&self) -> Result<i64, StoreError> {
        match self {
            Store::Sqlite(db) => db.count(),
            Store::Postgres(db) => db.count(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn db_names_a_file_or_a_postgres_url() {
        assert_eq!(
            Database::from_arg(Path::new("data/x.sqlite3")),
            Database::Sqlite("data/x.sqlite3".into())
        );
        for url in [
            "postgres://u:secret@h/db",
            "postgresql://h:5433/db?sslmode=disable",
        ] {
            assert_eq!(
                Database::from_arg(Path::new(url)),
                Database::Postgres(url.into())
            );
        }
        assert_eq!(
            Database::from_arg(Path::new("postgres://u:secret@h/db")).display(),
            "postgres://u:***@h/db"
        );
    }
}
