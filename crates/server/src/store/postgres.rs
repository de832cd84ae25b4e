//! The shared backend: a PostgreSQL database that several receivers use at once.
//!
//! Every write is one `SERIALIZABLE` transaction, retried when the server refuses it as
//! conflicting with a concurrent one (SQLSTATE 40001, 40P01), so two receivers deciding the
//! same submission id, nonce or receiver key at the same moment end with one row and agree
//! on it. Reference numbers come from a sequence (`submission_numbers`): unique across
//! receivers, with gaps where a transaction was rolled back. The SQL stays within what
//! CockroachDB and Citus also run (docs/operations.md says what holds there).
//!
//! The client is `postgres` (blocking; callers are in `spawn_blocking` already) behind an
//! `r2d2` pool of at most `--db-pool` connections. A request that gets no connection within
//! `--db-timeout`, or whose statement runs longer, fails with an error that
//! [`StoreError::is_unavailable`] answers `503` with `Retry-After`, so the browser's outbox
//! sends again later.

use std::time::Duration;

use ::postgres::{Client, GenericClient, IsolationLevel, NoTls, error::SqlState};
use blankett_core::protocol::Receipt;
use r2d2_postgres::PostgresConnectionManager;

use super::{
    Expired, HEAD_BYTES, Inserted, NewSubmission, PROBE_BYTES, ReceiverKeyRow, SignedBy, Staged,
    StagedFile, StoreError, StoreOptions, Stored, StoredFile, Swept, Unwritable, Upload, reference,
    staged_key,
};

/// The schema, one migration per entry, the same in meaning as SQLite's
/// ([`super::MIGRATIONS`]) at the same index; `blankett_schema.version` counts them.
///
/// Never edit an entry once released: add a new one here and in SQLite's list.
pub const MIGRATIONS: &[&str] = &[
    "CREATE SEQUENCE submission_numbers;
    CREATE TABLE submissions (
        id BIGINT PRIMARY KEY,
        reference TEXT NOT NULL UNIQUE,
        submission_id TEXT NOT NULL UNIQUE,
        form_id TEXT NOT NULL,
        form_version TEXT NOT NULL,
        language TEXT NOT NULL,
        answers TEXT NOT NULL,
        body TEXT NOT NULL,
        received_at TEXT NOT NULL
    );
    CREATE INDEX submissions_form ON submissions (form_id, received_at);",
    "CREATE TABLE signing_keys (
        keyid TEXT PRIMARY KEY,
        jwk TEXT NOT NULL,
        first_seen TEXT NOT NULL
    );
    ALTER TABLE submissions ADD COLUMN key_id TEXT REFERENCES signing_keys (keyid);
    ALTER TABLE submissions ADD COLUMN idempotency_key TEXT;
    CREATE TABLE nonces (
        keyid TEXT NOT NULL,
        nonce TEXT NOT NULL,
        expires_at BIGINT NOT NULL,
        PRIMARY KEY (keyid, nonce)
    );
    CREATE INDEX nonces_expiry ON nonces (expires_at);
    CREATE TABLE receiver_keys (
        kid TEXT PRIMARY KEY,
        private_key BYTEA NOT NULL,
        jwk TEXT NOT NULL,
        created_at TEXT NOT NULL
    );",
    "CREATE TABLE readiness (
        id INT PRIMARY KEY CHECK (id = 1),
        checked_at TEXT NOT NULL,
        pad BYTEA NOT NULL
    );",
    "ALTER TABLE submissions ADD COLUMN first_read_at TEXT;
    CREATE INDEX submissions_received ON submissions (received_at);",
    "CREATE TABLE files (
        sha256 TEXT PRIMARY KEY,
        media_type TEXT NOT NULL,
        size BIGINT NOT NULL,
        bytes BYTEA NOT NULL,
        stored_at TEXT NOT NULL
    );
    CREATE TABLE staged_files (
        submission_id TEXT NOT NULL,
        sha256 TEXT NOT NULL REFERENCES files (sha256),
        key_id TEXT NOT NULL,
        media_type TEXT NOT NULL,
        received_at TEXT NOT NULL,
        PRIMARY KEY (submission_id, sha256, key_id)
    );
    CREATE INDEX staged_files_received ON staged_files (received_at);
    CREATE INDEX staged_files_sha256 ON staged_files (sha256);
    CREATE TABLE submission_files (
        submission BIGINT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
        answer_key TEXT NOT NULL,
        position INT NOT NULL,
        name TEXT NOT NULL,
        media_type TEXT NOT NULL,
        sha256 TEXT NOT NULL REFERENCES files (sha256),
        PRIMARY KEY (submission, answer_key, position)
    );
    CREATE INDEX submission_files_sha256 ON submission_files (sha256);",
];

/// How many times a transaction is tried when the server refuses it as conflicting.
const ATTEMPTS: u32 = 12;

/// Transactions run again in this process after a conflict (see [`conflicts_retried`]).
static RETRIED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many transactions this process has run again because the server refused them as
/// conflicting with a concurrent one (for logs and tests of the retry path).
pub fn conflicts_retried() -> u64 {
    RETRIED.load(std::sync::atomic::Ordering::Relaxed)
}

type Pool = r2d2::Pool<PostgresConnectionManager<NoTls>>;

/// A PostgreSQL database, through a bounded pool of connections.
pub struct Postgres {
    pool: Pool,
    database: String,
    timeout: Duration,
    /// The isolation level submissions are stored at.
    insert_level: IsolationLevel,
}

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Postgres")
            .field("database", &self.database)
            .field("pool", &self.pool.state())
            .finish_non_exhaustive()
    }
}

/// `url` with its password (in the user part or a `password=` parameter) replaced by `***`.
pub fn redact(url: &str) -> String {
    let mut out = url.to_owned();
    if let Some(scheme_end) = out.find("://") {
        let rest = &out[scheme_end + 3..];
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        if let Some(at) = rest[..authority_end].rfind('@')
            && let Some(colon) = rest[..at].find(':')
        {
            let (start, end) = (scheme_end + 3 + colon + 1, scheme_end + 3 + at);
            out.replace_range(start..end, "***");
        }
    }
    if let Some(at) = out.find("password=") {
        let start = at + "password=".len();
        let end = out[start..].find('&').map_or(out.len(), |e| start + e);
        out.replace_range(start..end, "***");
    }
    out
}

/// Sets each new connection's statement timeout.
#[derive(Debug)]
struct Session {
    statement_timeout_ms: u128,
}

impl r2d2::CustomizeConnection<Client, ::postgres::Error> for Session {
    fn on_acquire(&self, conn: &mut Client) -> Result<(), ::postgres::Error> {
        conn.batch_execute(&format!(
            "SET statement_timeout = {}",
            self.statement_timeout_ms
        ))
    }
}

/// Logs a failed connection attempt once per attempt, through `tracing`.
#[derive(Debug)]
struct LogErrors;

impl r2d2::HandleError<::postgres::Error> for LogErrors {
    fn handle_error(&self, error: ::postgres::Error) {
        tracing::warn!("cannot connect to the database: {error}");
    }
}

impl Postgres {
    /// Connects to the database at `url` and migrates it (receivers starting together run
    /// each migration once).
    pub fn connect(url: &str, options: StoreOptions) -> Result<Postgres, StoreError> {
        let database = redact(url);
        let mut config: ::postgres::Config =
            url.parse()
                .map_err(|e: ::postgres::Error| StoreError::BadUrl {
                    database: database.clone(),
                    reason: e.to_string(),
                })?;
        config.connect_timeout(options.timeout);
        if config.get_application_name().is_none() {
            config.application_name("blankett-server");
        }
        let pool = r2d2::Pool::builder()
            .max_size(options.pool_size.max(1))
            .min_idle(Some(1))
            .connection_timeout(options.timeout)
            .connection_customizer(Box::new(Session {
                statement_timeout_ms: options.timeout.as_millis(),
            }))
            .error_handler(Box::new(LogErrors))
            .build_unchecked(PostgresConnectionManager::new(config, NoTls));
        let db = Postgres {
            pool,
            database,
            timeout: options.timeout,
            insert_level: if options.serializable {
                IsolationLevel::Serializable
            } else {
                IsolationLevel::ReadCommitted
            },
        };
        db.migrate()?;
        Ok(db)
    }

    /// A connection from the pool, waiting no longer than the timeout.
    fn client(
        &self,
    ) -> Result<r2d2::PooledConnection<PostgresConnectionManager<NoTls>>, StoreError> {
        self.pool.get().map_err(|e| StoreError::NoConnection {
            database: self.database.clone(),
            seconds: self.timeout.as_secs(),
            reason: e.to_string(),
        })
    }

    /// Runs `work` in a `SERIALIZABLE` transaction on a pooled connection, again while the
    /// server refuses it as conflicting.
    fn write<T>(
        &self,
        work: impl FnMut(&mut ::postgres::Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut client = self.client()?;
        transaction(&mut client, IsolationLevel::Serializable, work)
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let mut client = self.client()?;
        // Receivers starting together may both create the table: the loser's error is a
        // unique violation in the catalogue, and the second attempt finds the table.
        let create = "CREATE TABLE IF NOT EXISTS blankett_schema (
                id INT PRIMARY KEY CHECK (id = 1),
                version INT NOT NULL
            );
            INSERT INTO blankett_schema (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING";
        let exists: bool = client
            .query_one("SELECT to_regclass('blankett_schema') IS NOT NULL", &[])?
            .get(0);
        if !exists && let Err(e) = client.batch_execute(create) {
            tracing::debug!("creating the schema table again after: {e}");
            client.batch_execute(create)?;
        }
        let known = MIGRATIONS.len();
        loop {
            // The row lock makes a second receiver wait, then (SERIALIZABLE) retry and read
            // the version the first one wrote.
            let applied = transaction(&mut client, IsolationLevel::Serializable, |tx| {
                let found: i32 = tx
                    .query_one(
                        "SELECT version FROM blankett_schema WHERE id = 1 FOR UPDATE",
                        &[],
                    )?
                    .get(0);
                let version = usize::try_from(found).unwrap_or(usize::MAX);
                if version > known {
                    return Err(StoreError::TooNew {
                        found: i64::from(found),
                        known,
                    });
                }
                let Some(sql) = MIGRATIONS.get(version) else {
                    return Ok(None);
                };
                tx.batch_execute(sql)?;
                tx.execute(
                    "UPDATE blankett_schema SET version = $1 WHERE id = 1",
                    &[&(found + 1)],
                )?;
                Ok(Some(found + 1))
            })?;
            match applied {
                Some(version) => tracing::info!("database migrated to schema version {version}"),
                None => return Ok(()),
            }
        }
    }

    /// Stores a submission once: a replay of the same bytes returns the first receipt.
    ///
    /// `READ COMMITTED` unless `--db-isolation serializable`: what makes it exactly-once
    /// are the unique constraints on the submission id and on (key, nonce), which hold at
    /// any isolation level; the reads first only answer a replay without writing. At
    /// `SERIALIZABLE` (which CockroachDB always is), concurrent inserts into small tables
    /// are refused as conflicting far more often than they conflict (the predicate locks
    /// cover whole index pages), and each refusal costs a retry.
    pub fn insert(&self, new: &NewSubmission) -> Result<Inserted, StoreError> {
        let mut client = self.client()?;
        let stored = transaction(&mut client, self.insert_level, |tx| try_insert(tx, new));
        drop(client);
        match stored {
            Err(StoreError::Postgres(e)) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                // Another receiver stored the same submission id (or nonce) first: decide
                // by reading what it stored.
                let mut client = self.client()?;
                match lookup(&mut *client, &new.submission_id, &new.body)? {
                    Some(found) => Ok(found),
                    None if nonce_used(&mut *client, new.signed.as_ref())? => {
                        Ok(Inserted::NonceReplayed)
                    }
                    None => Err(StoreError::Postgres(e)),
                }
            }
            other => other,
        }
    }

    /// See [`super::Store::find_existing`].
    pub fn find_existing(
        &self,
        submission_id: &str,
        body: &str,
    ) -> Result<Option<Inserted>, StoreError> {
        lookup(&mut *self.client()?, submission_id, body)
    }

    /// See [`super::Store::nonce_seen`].
    pub fn nonce_seen(&self, signed: &SignedBy) -> Result<bool, StoreError> {
        nonce_used(&mut *self.client()?, Some(signed))
    }

    /// See [`super::Store::receiver_key`]: receivers starting together agree on one key.
    pub fn receiver_key(
        &self,
        make: impl FnOnce() -> ReceiverKeyRow,
        created_at: &str,
    ) -> Result<ReceiverKeyRow, StoreError> {
        if let Some(found) = first_key(&mut *self.client()?)? {
            return Ok(found);
        }
        let key = make();
        let stored = self.write(|tx| {
            if let Some(found) = first_key(tx)? {
                return Ok(found);
            }
            tx.execute(
                "INSERT INTO receiver_keys (kid, private_key, jwk, created_at)
                 VALUES ($1, $2, $3, $4)",
                &[&key.kid, &key.private_key, &key.jwk, &created_at],
            )?;
            Ok(key.clone())
        })?;
        if stored.kid == key.kid {
            tracing::info!(kid = %key.kid, "generated the receiver's signing key");
        }
        Ok(stored)
    }

    /// See [`super::Store::check_writable`].
    pub fn check_writable(&self, now: &str) -> Result<(), StoreError> {
        let pad = vec![0u8; usize::try_from(PROBE_BYTES).unwrap_or(16 * 1024)];
        self.write(|tx| {
            tx.execute(
                "INSERT INTO readiness (id, checked_at, pad) VALUES (1, $1, $2)
                 ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at, pad = excluded.pad",
                &[&now, &pad],
            )?;
            Ok(())
        })
    }

    /// See [`super::Store::mark_read`].
    pub fn mark_read(&self, reference: &str, at: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE submissions SET first_read_at = $2
                 WHERE reference = $1 AND first_read_at IS NULL",
                &[&reference, &at],
            )?;
            Ok(())
        })
    }

    /// See [`super::Store::forms_with_cases`].
    pub fn forms_with_cases(&self) -> Result<Vec<(String, usize)>, StoreError> {
        let rows = self.client()?.query(
            "SELECT form_id, COUNT(*) FROM submissions GROUP BY form_id ORDER BY form_id",
            &[],
        )?;
        Ok(rows
            .iter()
            .map(|r| {
                let n: i64 = r.get(1);
                (r.get(0), usize::try_from(n).unwrap_or(0))
            })
            .collect())
    }

    /// See [`super::Store::delete_expired`].
    pub fn delete_expired(
        &self,
        form_id: &str,
        before: &str,
        keep_unread: bool,
        dry_run: bool,
    ) -> Result<Expired, StoreError> {
        self.write(|tx| {
            let count = |tx: &mut ::postgres::Transaction<'_>, read: bool| -> Result<usize, StoreError> {
                let n: i64 = tx
                    .query_one(
                        "SELECT COUNT(*) FROM submissions
                         WHERE form_id = $1 AND received_at < $2 AND (first_read_at IS NOT NULL) = $3",
                        &[&form_id, &before, &read],
                    )?
                    .get(0);
                Ok(usize::try_from(n).unwrap_or(0))
            };
            let unread = count(tx, false)?;
            let read = count(tx, true)?;
            let expired = if keep_unread {
                Expired {
                    deleted: read,
                    kept_unread: unread,
                }
            } else {
                Expired {
                    deleted: read + unread,
                    kept_unread: 0,
                }
            };
            if dry_run || expired.deleted == 0 {
                return Ok(expired);
            }
            let deleted = tx.execute(
                "DELETE FROM submissions WHERE form_id = $1 AND received_at < $2
                 AND (NOT $3 OR first_read_at IS NOT NULL)",
                &[&form_id, &before, &keep_unread],
            )?;
            tx.execute(
                "DELETE FROM signing_keys WHERE keyid NOT IN
                    (SELECT key_id FROM submissions WHERE key_id IS NOT NULL)",
                &[],
            )?;
            Ok(Expired {
                deleted: usize::try_from(deleted).unwrap_or(0),
                ..expired
            })
        })
    }

    /// Forgets the nonces whose window ended before `now` (seconds since the epoch), for
    /// every key; returns how many.
    pub fn forget_nonces(&self, now: i64) -> Result<u64, StoreError> {
        self.write(|tx| Ok(tx.execute("DELETE FROM nonces WHERE expires_at < $1", &[&now])?))
    }

    /// Reclaims the space of deleted cases (`VACUUM`), so their rows are not left in the
    /// table's files; always `true`.
    pub fn vacuum(&self) -> Result<bool, StoreError> {
        let mut client = self.client()?;
        // One statement at a time: several in one call are one transaction, which VACUUM
        // refuses.
        for table in [
            "submissions",
            "signing_keys",
            "nonces",
            "submission_files",
            "staged_files",
            "files",
        ] {
            client.batch_execute(&format!("VACUUM {table}"))?;
        }
        Ok(true)
    }

    /// See [`super::Store::stage`]: one `SERIALIZABLE` transaction, so two receivers
    /// staging the same file at once end with one row, and retention never deletes a file
    /// an upload is naming.
    pub fn stage(&self, upload: &Upload<'_>) -> Result<Staged, StoreError> {
        let key_id = staged_key(upload.signed);
        let staged = self.write(|tx| {
            if let Some(found) = upload_state(tx, upload.submission_id, upload.sha256, key_id)? {
                return Ok(found);
            }
            if let Some(signed) = upload.signed {
                if nonce_used(tx, Some(signed))? {
                    return Ok(Staged::NonceReplayed);
                }
                record_nonce(tx, signed)?;
            }
            let size = i64::try_from(upload.bytes.len()).unwrap_or(i64::MAX);
            tx.execute(
                "INSERT INTO files (sha256, media_type, size, bytes, stored_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING",
                &[
                    &upload.sha256,
                    &upload.media_type,
                    &size,
                    &upload.bytes,
                    &upload.received_at,
                ],
            )?;
            tx.execute(
                "INSERT INTO staged_files (submission_id, sha256, key_id, media_type, received_at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &upload.submission_id,
                    &upload.sha256,
                    &key_id,
                    &upload.media_type,
                    &upload.received_at,
                ],
            )?;
            Ok(Staged::Created)
        });
        match staged {
            Err(StoreError::Postgres(e)) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                // Another receiver staged the same upload (or used the nonce) first.
                let mut client = self.client()?;
                match upload_state(&mut *client, upload.submission_id, upload.sha256, key_id)? {
                    Some(found) => Ok(found),
                    None if nonce_used(&mut *client, upload.signed)? => Ok(Staged::NonceReplayed),
                    None => Err(StoreError::Postgres(e)),
                }
            }
            other => other,
        }
    }

    /// See [`super::Store::upload_state`].
    pub fn upload_state(
        &self,
        submission_id: &str,
        sha256: &str,
        key_id: &str,
    ) -> Result<Option<Staged>, StoreError> {
        upload_state(&mut *self.client()?, submission_id, sha256, key_id)
    }

    /// See [`super::Store::staged_file`].
    pub fn staged_file(
        &self,
        submission_id: &str,
        sha256: &str,
        key_id: &str,
    ) -> Result<Option<StagedFile>, StoreError> {
        let head = i32::try_from(HEAD_BYTES).unwrap_or(4096);
        let row = self.client()?.query_opt(
            "SELECT f.size, s.media_type, substring(f.bytes FROM 1 FOR $4)
             FROM staged_files s JOIN files f ON f.sha256 = s.sha256
             WHERE s.submission_id = $1 AND s.sha256 = $2 AND s.key_id = $3",
            &[&submission_id, &sha256, &key_id, &head],
        )?;
        Ok(row.map(|r| StagedFile {
            size: u64::try_from(r.get::<_, i64>(0)).unwrap_or(0),
            media_type: r.get(1),
            head: r.get(2),
        }))
    }

    /// See [`super::Store::submission_file`].
    pub fn submission_file(
        &self,
        reference: &str,
        sha256: &str,
    ) -> Result<Option<StoredFile>, StoreError> {
        let row = self.client()?.query_opt(
            "SELECT sf.name, sf.media_type, f.bytes
             FROM submissions s
             JOIN submission_files sf ON sf.submission = s.id
             JOIN files f ON f.sha256 = sf.sha256
             WHERE s.reference = $1 AND sf.sha256 = $2
             ORDER BY sf.answer_key, sf.position LIMIT 1",
            &[&reference, &sha256],
        )?;
        Ok(row.map(|r| StoredFile {
            name: r.get(0),
            media_type: r.get(1),
            bytes: r.get(2),
        }))
    }

    /// See [`super::Store::sweep_files`].
    pub fn sweep_files(&self, before: &str, dry_run: bool) -> Result<Swept, StoreError> {
        self.write(|tx| {
            let count =
                |tx: &mut ::postgres::Transaction<'_>, sql: &str| -> Result<usize, StoreError> {
                    let n: i64 = tx.query_one(sql, &[&before])?.get(0);
                    Ok(usize::try_from(n).unwrap_or(0))
                };
            let staged = count(
                tx,
                "SELECT COUNT(*) FROM staged_files WHERE received_at < $1",
            )?;
            if dry_run {
                let files = count(
                    tx,
                    "SELECT COUNT(*) FROM files WHERE sha256 NOT IN
                        (SELECT sha256 FROM submission_files)
                     AND sha256 NOT IN (SELECT sha256 FROM staged_files WHERE received_at >= $1)",
                )?;
                return Ok(Swept { staged, files });
            }
            tx.execute(
                "DELETE FROM staged_files WHERE received_at < $1",
                &[&before],
            )?;
            let files = tx.execute(
                "DELETE FROM files WHERE sha256 NOT IN (SELECT sha256 FROM submission_files)
                 AND sha256 NOT IN (SELECT sha256 FROM staged_files)",
                &[],
            )?;
            Ok(Swept {
                staged,
                files: usize::try_from(files).unwrap_or(0),
            })
        })
    }

    /// See [`super::Store::get`].
    pub fn get(&self, reference: &str) -> Result<Option<Stored>, StoreError> {
        let row = self.client()?.query_opt(
            "SELECT reference, submission_id, form_id, form_version, language, answers,
                    received_at, key_id, idempotency_key
             FROM submissions WHERE reference = $1",
            &[&reference],
        )?;
        Ok(row.map(|r| Stored {
            reference: r.get(0),
            submission_id: r.get(1),
            form_id: r.get(2),
            form_version: r.get(3),
            language: r.get(4),
            answers: r.get(5),
            received_at: r.get(6),
            key_id: r.get(7),
            idempotency_key: r.get(8),
        }))
    }

    /// How many submissions are stored.
    pub fn count(&self) -> Result<i64, StoreError> {
        Ok(self
            .client()?
            .query_one("SELECT COUNT(*) FROM submissions", &[])?
            .get(0))
    }
}

/// Runs `work` in a transaction at `level` on `client`, again (after a short, jittered
/// pause) while the server refuses it as conflicting; [`StoreError::Contention`] when it
/// never got through.
fn transaction<T>(
    client: &mut Client,
    level: IsolationLevel,
    mut work: impl FnMut(&mut ::postgres::Transaction<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    for attempt in 1..=ATTEMPTS {
        let outcome = (|| {
            let mut tx = client.build_transaction().isolation_level(level).start()?;
            let value = work(&mut tx)?;
            tx.commit()?;
            Ok(value)
        })();
        match outcome {
            Err(StoreError::Postgres(e)) if is_conflict(&e) => {
                RETRIED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tracing::debug!("transaction attempt {attempt} refused as conflicting: {e}");
                std::thread::sleep(pause(attempt));
            }
            other => return other,
        }
    }
    Err(StoreError::Contention { attempts: ATTEMPTS })
}

/// Whether the server refused a transaction because a concurrent one conflicted with it, so
/// running it again may succeed.
fn is_conflict(e: &::postgres::Error) -> bool {
    matches!(
        e.code(),
        Some(c) if *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED
    )
}

/// Up to 1, 2, 4 … 64 ms, the upper half random, before attempt `attempt + 1`.
fn pause(attempt: u32) -> Duration {
    let ceiling = 1u64 << attempt.min(6);
    let mut byte = [0u8; 1];
    let random = getrandom::fill(&mut byte).map_or(128, |()| u64::from(byte[0]));
    Duration::from_micros(ceiling * 500 + ceiling * 500 * random / 255)
}

/// Whether the failure is the environment's (the server down, restarting, out of
/// connections or disk, a statement timed out, the connection lost), so a retry may succeed.
pub(super) fn is_unavailable(e: &::postgres::Error) -> bool {
    match e.code() {
        // No SQLSTATE: the connection itself failed (refused, closed, timed out).
        None => true,
        Some(code) => {
            let c = code.code();
            c.starts_with("08") // connection exception
                || c.starts_with("53") // insufficient resources (disk full, out of memory)
                || c.starts_with("57") // operator intervention: shutdown, statement timeout
                || c.starts_with("40") // transaction rollback: serialization, deadlock
                || c == "25006" // read-only transaction (a standby)
                || c == "55P03" // lock not available
                || c == "58030" // I/O error
        }
    }
}

/// Why a write failed, in the readiness check's words.
pub(super) fn unwritable(e: &::postgres::Error) -> Unwritable {
    match e.code().map(SqlState::code) {
        None => Unwritable::Unreachable,
        Some("53100") => Unwritable::DiskFull,
        Some("25006") => Unwritable::ReadOnly,
        Some("55P03" | "57014" | "40001" | "40P01") => Unwritable::Locked,
        Some(c) if c.starts_with("08") || c.starts_with("57P") || c == "53300" => {
            Unwritable::Unreachable
        }
        Some(_) => Unwritable::Other,
    }
}

fn lookup(
    client: &mut impl GenericClient,
    submission_id: &str,
    new_body: &str,
) -> Result<Option<Inserted>, StoreError> {
    let row = client.query_opt(
        "SELECT reference, received_at, body FROM submissions WHERE submission_id = $1",
        &[&submission_id],
    )?;
    Ok(row.map(|r| {
        let body: &str = r.get(2);
        if body == new_body {
            Inserted::Replayed(Receipt {
                reference: r.get(0),
                submission_id: submission_id.to_owned(),
                received_at: r.get(1),
            })
        } else {
            Inserted::Conflict
        }
    }))
}

/// Records a request's nonce as used, in the caller's transaction. Only this key's expired
/// nonces are forgotten: a sweep of every key's would make every two concurrent submissions
/// conflict. The retention pass forgets the rest.
fn record_nonce(client: &mut impl GenericClient, signed: &SignedBy) -> Result<(), StoreError> {
    client.execute(
        "DELETE FROM nonces WHERE keyid = $1 AND expires_at < $2",
        &[&signed.keyid, &signed.now],
    )?;
    client.execute(
        "INSERT INTO nonces (keyid, nonce, expires_at) VALUES ($1, $2, $3)",
        &[&signed.keyid, &signed.nonce, &signed.nonce_expires_at],
    )?;
    Ok(())
}

fn nonce_used(
    client: &mut impl GenericClient,
    signed: Option<&SignedBy>,
) -> Result<bool, StoreError> {
    let Some(signed) = signed else {
        return Ok(false);
    };
    Ok(client
        .query_opt(
            "SELECT 1 FROM nonces WHERE keyid = $1 AND nonce = $2 AND expires_at >= $3",
            &[&signed.keyid, &signed.nonce, &signed.now],
        )?
        .is_some())
}

/// What an upload of `sha256` for `submission_id` by `key_id` finds already there.
fn upload_state(
    client: &mut impl GenericClient,
    submission_id: &str,
    sha256: &str,
    key_id: &str,
) -> Result<Option<Staged>, StoreError> {
    let stored = client.query_opt(
        "SELECT EXISTS (SELECT 1 FROM submission_files sf
            WHERE sf.submission = s.id AND sf.sha256 = $2)
         FROM submissions s WHERE s.submission_id = $1",
        &[&submission_id, &sha256],
    )?;
    if let Some(row) = stored {
        return Ok(Some(Staged::SubmissionStored(row.get(0))));
    }
    let staged = client.query_opt(
        "SELECT 1 FROM staged_files WHERE submission_id = $1 AND sha256 = $2 AND key_id = $3",
        &[&submission_id, &sha256, &key_id],
    )?;
    Ok(staged.map(|_| Staged::Already))
}

/// The hashes of `new`'s files that are not staged for it by its key with the size and type
/// it gives (each hash once); the staged rows found are locked until the transaction ends,
/// so retention cannot delete them under the submission that claims them.
fn unclaimable(
    client: &mut impl GenericClient,
    new: &NewSubmission,
) -> Result<Vec<String>, StoreError> {
    let key_id = staged_key(new.signed.as_ref());
    let mut missing: Vec<String> = Vec::new();
    for file in &new.files {
        if missing.contains(&file.sha256) {
            continue;
        }
        let size = i64::try_from(file.size).unwrap_or(i64::MAX);
        let found = client.query_opt(
            "SELECT 1 FROM staged_files s JOIN files f ON f.sha256 = s.sha256
             WHERE s.submission_id = $1 AND s.sha256 = $2 AND s.key_id = $3
               AND s.media_type = $4 AND f.size = $5
             FOR UPDATE OF s",
            &[
                &new.submission_id,
                &file.sha256,
                &key_id,
                &file.media_type,
                &size,
            ],
        )?;
        if found.is_none() {
            missing.push(file.sha256.clone());
        }
    }
    Ok(missing)
}

fn first_key(client: &mut impl GenericClient) -> Result<Option<ReceiverKeyRow>, StoreError> {
    Ok(client
        .query_opt(
            "SELECT kid, private_key, jwk FROM receiver_keys ORDER BY created_at, kid LIMIT 1",
            &[],
        )?
        .map(|r| ReceiverKeyRow {
            kid: r.get(0),
            private_key: r.get(1),
            jwk: r.get(2),
        }))
}

fn try_insert(
    tx: &mut ::postgres::Transaction<'_>,
    new: &NewSubmission,
) -> Result<Inserted, StoreError> {
    if let Some(found) = lookup(tx, &new.submission_id, &new.body)? {
        return Ok(found);
    }
    if let Some(signed) = &new.signed
        && nonce_used(tx, Some(signed))?
    {
        // Each statement sees the latest commits (READ COMMITTED): the nonce may be this
        // very submission's, stored with it by another receiver since the lookup above.
        let found = lookup(tx, &new.submission_id, &new.body)?;
        return Ok(found.unwrap_or(Inserted::NonceReplayed));
    }
    // Every file must be staged before anything is written.
    let missing = unclaimable(tx, new)?;
    if !missing.is_empty() {
        // Another receiver may have stored this very submission (and claimed its files)
        // while this one waited for the rows' locks.
        let found = lookup(tx, &new.submission_id, &new.body)?;
        return Ok(found.unwrap_or(Inserted::FilesMissing(missing)));
    }
    if let Some(signed) = &new.signed {
        record_nonce(tx, signed)?;
        tx.execute(
            "INSERT INTO signing_keys (keyid, jwk, first_seen) VALUES ($1, $2, $3)
             ON CONFLICT (keyid) DO NOTHING",
            &[&signed.keyid, &signed.jwk, &new.received_at],
        )?;
    }
    let id: i64 = tx
        .query_one("SELECT nextval('submission_numbers')", &[])?
        .get(0);
    let reference = reference(new.year, id);
    tx.execute(
        "INSERT INTO submissions
            (id, reference, submission_id, form_id, form_version, language, answers, body,
             received_at, key_id, idempotency_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &[
            &id,
            &reference,
            &new.submission_id,
            &new.form_id,
            &new.form_version,
            &new.language,
            &new.answers,
            &new.body,
            &new.received_at,
            &new.signed.as_ref().map(|s| s.keyid.as_str()),
            &new.idempotency_key,
        ],
    )?;
    for file in &new.files {
        let position = i32::try_from(file.position).unwrap_or(i32::MAX);
        tx.execute(
            "INSERT INTO submission_files (submission, answer_key, position, name, media_type, sha256)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &id,
                &file.answer_key,
                &position,
                &file.name,
                &file.media_type,
                &file.sha256,
            ],
        )?;
    }
    tx.execute(
        "DELETE FROM staged_files WHERE submission_id = $1",
        &[&new.submission_id],
    )?;
    Ok(Inserted::Created(Receipt {
        reference,
        submission_id: new.submission_id.clone(),
        received_at: new.received_at.clone(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            redact("postgres://u:s3cret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(
            redact("postgresql://h/db?user=u&password=s3cret&sslmode=disable"),
            "postgresql://h/db?user=u&password=***&sslmode=disable"
        );
        assert_eq!(
            redact("postgres://h/db?password=x"),
            "postgres://h/db?password=***"
        );
    }
}
