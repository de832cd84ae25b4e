//! The embedded backend: one SQLite file, one connection behind a mutex.
//!
//! The receiver's write rate on one machine is a few thousand a second at most, and SQLite
//! serializes writers anyway. Callers run these blocking methods in
//! `tokio::task::spawn_blocking`.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use blankett_core::protocol::Receipt;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{
    Expired, HEAD_BYTES, Inserted, NewSubmission, PROBE_BYTES, ReceiverKeyRow, SignedBy, Staged,
    StagedFile, StoreError, Stored, StoredFile, Swept, Synchronous, Upload, reference, staged_key,
};

/// The schema, one migration per entry, applied in order; `PRAGMA user_version` counts them.
///
/// Never edit an entry once released: add a new one.
pub const MIGRATIONS: &[&str] = &[
    "CREATE TABLE submissions (
        id INTEGER PRIMARY KEY,
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
    // Signatures (docs/api/signatures.md): who signed each submission, the devices' public
    // keys, the nonces seen within the window, and the receiver's own key for receipts.
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
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (keyid, nonce)
    );
    CREATE INDEX nonces_expiry ON nonces (expires_at);
    CREATE TABLE receiver_keys (
        kid TEXT PRIMARY KEY,
        private_key BLOB NOT NULL,
        jwk TEXT NOT NULL,
        created_at TEXT NOT NULL
    );",
    // Readiness (`/readyz`): one row, written again by every check that the database takes
    // a write.
    "CREATE TABLE readiness (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        checked_at TEXT NOT NULL,
        pad BLOB NOT NULL
    );",
    // Retention: when a case first left the receiver through the admin API (as JSON or as
    // FlowInstance XML), so a deployment can keep cases nobody has read yet.
    "ALTER TABLE submissions ADD COLUMN first_read_at TEXT;
    CREATE INDEX submissions_received ON submissions (received_at);",
    // Attachments (issue 18): each file once by its hash; the uploads staged for a
    // submission id by one key (`''` unsigned) until the submission claims them; and which
    // files each stored submission carries, where in its answers and by what name.
    "CREATE TABLE files (
        sha256 TEXT PRIMARY KEY,
        media_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        bytes BLOB NOT NULL,
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
        submission INTEGER NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
        answer_key TEXT NOT NULL,
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        media_type TEXT NOT NULL,
        sha256 TEXT NOT NULL REFERENCES files (sha256),
        PRIMARY KEY (submission, answer_key, position)
    );
    CREATE INDEX submission_files_sha256 ON submission_files (sha256);",
];

/// How long a statement waits for another process's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A SQLite database file, open.
#[derive(Debug)]
pub struct Sqlite {
    conn: Mutex<Connection>,
}

impl Sqlite {
    /// Opens (or creates) the database at `path`, creating its folder, and migrates it.
    pub fn open(path: &Path, synchronous: Synchronous) -> Result<Sqlite, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::CreateDir {
                path: parent.display().to_string(),
                source,
            })?;
        }
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", synchronous.pragma())?;
        Sqlite::from_connection(conn)
    }

    /// Wraps an open connection: sets the busy timeout and foreign keys, and migrates.
    pub fn from_connection(mut conn: Connection) -> Result<Sqlite, StoreError> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrate(&mut conn)?;
        Ok(Sqlite {
            conn: Mutex::new(conn),
        })
    }

    /// The connection's `PRAGMA synchronous`: 2 is FULL, 1 NORMAL.
    pub fn synchronous(&self) -> Result<i64, StoreError> {
        Ok(self
            .lock()
            .query_row("PRAGMA synchronous", [], |r| r.get(0))?)
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock rolled back its transaction on unwind; the
        // connection is still fine to use.
        self.conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Stores a submission once: a replay of the same bytes returns the first receipt.
    pub fn insert(&self, new: &NewSubmission) -> Result<Inserted, StoreError> {
        let mut conn = self.lock();
        match try_insert(&mut conn, new) {
            Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                // Another writer stored the same submission id (or nonce) between our read
                // and our insert (another process on the same file): decide by re-reading.
                match existing(&conn, new)? {
                    Some(found) => Ok(found),
                    None if nonce_used(&conn, new.signed.as_ref())? => Ok(Inserted::NonceReplayed),
                    None => Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, None))),
                }
            }
            other => other,
        }
    }

    /// What inserting `submission_id` with `body` would give if it is already stored:
    /// [`Inserted::Replayed`] for the same bytes, [`Inserted::Conflict`] for others.
    pub fn find_existing(
        &self,
        submission_id: &str,
        body: &str,
    ) -> Result<Option<Inserted>, StoreError> {
        let conn = self.lock();
        lookup(&conn, submission_id, body)
    }

    /// Whether `signed`'s nonce was already used by its key and is still remembered.
    pub fn nonce_seen(&self, signed: &SignedBy) -> Result<bool, StoreError> {
        let conn = self.lock();
        nonce_used(&conn, Some(signed))
    }

    /// The receiver's signing key: the first one stored, or (on first start) the one `make`
    /// returns, stored in the same transaction so two processes agree on one key.
    pub fn receiver_key(
        &self,
        make: impl FnOnce() -> ReceiverKeyRow,
        created_at: &str,
    ) -> Result<ReceiverKeyRow, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found = tx
            .query_row(
                "SELECT kid, private_key, jwk FROM receiver_keys ORDER BY rowid LIMIT 1",
                [],
                |r| {
                    Ok(ReceiverKeyRow {
                        kid: r.get(0)?,
                        private_key: r.get(1)?,
                        jwk: r.get(2)?,
                    })
                },
            )
            .optional()?;
        if let Some(found) = found {
            return Ok(found);
        }
        let key = make();
        tx.execute(
            "INSERT INTO receiver_keys (kid, private_key, jwk, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![key.kid, key.private_key, key.jwk, created_at],
        )?;
        tx.commit()?;
        tracing::info!(kid = %key.kid, "generated the receiver's signing key");
        Ok(key)
    }

    /// Whether the database takes a write now: writes [`PROBE_BYTES`] in a transaction of
    /// its own (waiting for another process's lock no longer than the busy timeout) and
    /// commits it as a submission is committed.
    pub fn check_writable(&self, now: &str) -> Result<(), StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO readiness (id, checked_at, pad) VALUES (1, ?1, zeroblob(?2))
             ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at, pad = excluded.pad",
            params![now, PROBE_BYTES],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Notes that the case `reference` was read or exported at `at` (RFC 3339), unless it was
    /// before.
    pub fn mark_read(&self, reference: &str, at: &str) -> Result<(), StoreError> {
        self.lock().execute(
            "UPDATE submissions SET first_read_at = ?2 WHERE reference = ?1 AND first_read_at IS NULL",
            params![reference, at],
        )?;
        Ok(())
    }

    /// Every form id with stored cases, and how many.
    pub fn forms_with_cases(&self) -> Result<Vec<(String, usize)>, StoreError> {
        let conn = self.lock();
        let mut statement = conn.prepare(
            "SELECT form_id, COUNT(*) FROM submissions GROUP BY form_id ORDER BY form_id",
        )?;
        let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Deletes the cases of `form_id` received before `before` (RFC 3339, UTC), except, when
    /// `keep_unread`, those nobody has read or exported; and then the device keys no case
    /// names any more. Deleted rows are overwritten (`secure_delete`). A `dry_run` counts and
    /// deletes nothing.
    pub fn delete_expired(
        &self,
        form_id: &str,
        before: &str,
        keep_unread: bool,
        dry_run: bool,
    ) -> Result<Expired, StoreError> {
        let mut conn = self.lock();
        conn.pragma_update(None, "secure_delete", "ON")?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let count = |read: &str| -> Result<usize, StoreError> {
            Ok(tx.query_row(
                &format!(
                    "SELECT COUNT(*) FROM submissions
                     WHERE form_id = ?1 AND received_at < ?2 AND {read}"
                ),
                params![form_id, before],
                |r| r.get(0),
            )?)
        };
        let unread = count("first_read_at IS NULL")?;
        let read = count("first_read_at IS NOT NULL")?;
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
            "DELETE FROM submissions WHERE form_id = ?1 AND received_at < ?2
             AND (?3 = 0 OR first_read_at IS NOT NULL)",
            params![form_id, before, keep_unread],
        )?;
        // A key is stored with the first case it signs, in that case's transaction, so one
        // that no case names is no longer needed.
        tx.execute(
            "DELETE FROM signing_keys WHERE keyid NOT IN
                (SELECT key_id FROM submissions WHERE key_id IS NOT NULL)",
            [],
        )?;
        tx.commit()?;
        Ok(Expired { deleted, ..expired })
    }

    /// Moves every commit from the WAL into the database file and empties the WAL, so deleted
    /// cases do not linger there; `false` when another connection kept it from finishing.
    pub fn checkpoint(&self) -> Result<bool, StoreError> {
        let busy: i64 = self
            .lock()
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        Ok(busy == 0)
    }

    /// How many submissions are stored.
    pub fn count(&self) -> Result<i64, StoreError> {
        Ok(self
            .lock()
            .query_row("SELECT COUNT(*) FROM submissions", [], |r| r.get(0))?)
    }

    /// Forgets the nonces whose window ended before `now` (seconds since the epoch); returns
    /// how many.
    pub fn forget_nonces(&self, now: i64) -> Result<u64, StoreError> {
        let n = self
            .lock()
            .execute("DELETE FROM nonces WHERE expires_at < ?1", params![now])?;
        Ok(n as u64)
    }

    /// See [`super::Store::stage`]: one `IMMEDIATE` transaction.
    pub fn stage(&self, upload: &Upload<'_>) -> Result<Staged, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let key_id = staged_key(upload.signed);
        if let Some(found) = upload_state(&tx, upload.submission_id, upload.sha256, key_id)? {
            return Ok(found);
        }
        if let Some(signed) = upload.signed {
            if nonce_used(&tx, Some(signed))? {
                return Ok(Staged::NonceReplayed);
            }
            record_nonce(&tx, signed)?;
        }
        tx.execute(
            "INSERT INTO files (sha256, media_type, size, bytes, stored_at)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (sha256) DO NOTHING",
            params![
                upload.sha256,
                upload.media_type,
                upload.bytes.len() as i64,
                upload.bytes,
                upload.received_at
            ],
        )?;
        tx.execute(
            "INSERT INTO staged_files (submission_id, sha256, key_id, media_type, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                upload.submission_id,
                upload.sha256,
                key_id,
                upload.media_type,
                upload.received_at
            ],
        )?;
        tx.commit()?;
        Ok(Staged::Created)
    }

    /// See [`super::Store::upload_state`].
    pub fn upload_state(
        &self,
        submission_id: &str,
        sha256: &str,
        key_id: &str,
    ) -> Result<Option<Staged>, StoreError> {
        upload_state(&self.lock(), submission_id, sha256, key_id)
    }

    /// See [`super::Store::staged_file`].
    pub fn staged_file(
        &self,
        submission_id: &str,
        sha256: &str,
        key_id: &str,
    ) -> Result<Option<StagedFile>, StoreError> {
        Ok(self
            .lock()
            .query_row(
                "SELECT f.size, s.media_type, substr(f.bytes, 1, ?4)
                 FROM staged_files s JOIN files f ON f.sha256 = s.sha256
                 WHERE s.submission_id = ?1 AND s.sha256 = ?2 AND s.key_id = ?3",
                params![submission_id, sha256, key_id, HEAD_BYTES],
                |r| {
                    Ok(StagedFile {
                        size: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                        media_type: r.get(1)?,
                        head: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    /// See [`super::Store::submission_file`].
    pub fn submission_file(
        &self,
        reference: &str,
        sha256: &str,
    ) -> Result<Option<StoredFile>, StoreError> {
        Ok(self
            .lock()
            .query_row(
                "SELECT sf.name, sf.media_type, f.bytes
                 FROM submissions s
                 JOIN submission_files sf ON sf.submission = s.id
                 JOIN files f ON f.sha256 = sf.sha256
                 WHERE s.reference = ?1 AND sf.sha256 = ?2
                 ORDER BY sf.answer_key, sf.position LIMIT 1",
                params![reference, sha256],
                |r| {
                    Ok(StoredFile {
                        name: r.get(0)?,
                        media_type: r.get(1)?,
                        bytes: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    /// See [`super::Store::sweep_files`]; deleted rows are overwritten (`secure_delete`).
    pub fn sweep_files(&self, before: &str, dry_run: bool) -> Result<Swept, StoreError> {
        let mut conn = self.lock();
        conn.pragma_update(None, "secure_delete", "ON")?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let count = |sql: &str| -> Result<usize, StoreError> {
            Ok(tx.query_row(sql, params![before], |r| r.get(0))?)
        };
        let staged = count("SELECT COUNT(*) FROM staged_files WHERE received_at < ?1")?;
        if dry_run {
            // The files that would be left unreferenced once those uploads are gone.
            let files = count(
                "SELECT COUNT(*) FROM files WHERE sha256 NOT IN
                    (SELECT sha256 FROM submission_files)
                 AND sha256 NOT IN (SELECT sha256 FROM staged_files WHERE received_at >= ?1)",
            )?;
            return Ok(Swept { staged, files });
        }
        tx.execute(
            "DELETE FROM staged_files WHERE received_at < ?1",
            params![before],
        )?;
        let files = tx.execute(
            "DELETE FROM files WHERE sha256 NOT IN (SELECT sha256 FROM submission_files)
             AND sha256 NOT IN (SELECT sha256 FROM staged_files)",
            [],
        )?;
        tx.commit()?;
        Ok(Swept { staged, files })
    }

    /// The stored submission with this reference number.
    pub fn get(&self, reference: &str) -> Result<Option<Stored>, StoreError> {
        let conn = self.lock();
        let row = conn
            .query_row(
                "SELECT reference, submission_id, form_id, form_version, language, answers, received_at,
                        key_id, idempotency_key
                 FROM submissions WHERE reference = ?1",
                [reference],
                |r| {
                    Ok(Stored {
                        reference: r.get(0)?,
                        submission_id: r.get(1)?,
                        form_id: r.get(2)?,
                        form_version: r.get(3)?,
                        language: r.get(4)?,
                        answers: r.get(5)?,
                        received_at: r.get(6)?,
                        key_id: r.get(7)?,
                        idempotency_key: r.get(8)?,
                    })
                },
            )
            .optional()?;
        Ok(row)
    }
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = MIGRATIONS.len();
    if usize::try_from(version).map_or(true, |v| v > known) {
        return Err(StoreError::TooNew {
            found: version,
            known,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i + 1)?;
        tx.commit()?;
        tracing::info!("database migrated to schema version {}", i + 1);
    }
    Ok(())
}

/// The outcome for a submission id that is already stored, if it is.
fn existing(conn: &Connection, new: &NewSubmission) -> Result<Option<Inserted>, StoreError> {
    lookup(conn, &new.submission_id, &new.body)
}

fn lookup(
    conn: &Connection,
    submission_id: &str,
    new_body: &str,
) -> Result<Option<Inserted>, StoreError> {
    let row = conn
        .query_row(
            "SELECT reference, received_at, body FROM submissions WHERE submission_id = ?1",
            [submission_id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            },
        )
        .optional()?;
    Ok(row.map(|(reference, received_at, body)| {
        if body == new_body {
            Inserted::Replayed(Receipt {
                reference,
                submission_id: submission_id.to_owned(),
                received_at,
            })
        } else {
            Inserted::Conflict
        }
    }))
}

/// Whether the nonce of `signed` was used by its key and has not expired yet.
/// Records a request's nonce as used (forgetting expired ones), in the caller's transaction.
fn record_nonce(conn: &Connection, signed: &SignedBy) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM nonces WHERE expires_at < ?1",
        params![signed.now],
    )?;
    conn.execute(
        "INSERT INTO nonces (keyid, nonce, expires_at) VALUES (?1, ?2, ?3)",
        params![signed.keyid, signed.nonce, signed.nonce_expires_at],
    )?;
    Ok(())
}

fn nonce_used(conn: &Connection, signed: Option<&SignedBy>) -> Result<bool, StoreError> {
    let Some(signed) = signed else {
        return Ok(false);
    };
    let found = conn
        .query_row(
            "SELECT 1 FROM nonces WHERE keyid = ?1 AND nonce = ?2 AND expires_at >= ?3",
            params![signed.keyid, signed.nonce, signed.now],
            |_| Ok(()),
        )
        .optional()?;
    Ok(found.is_some())
}

/// What an upload of `sha256` for `submission_id` by `key_id` finds already there.
fn upload_state(
    conn: &Connection,
    submission_id: &str,
    sha256: &str,
    key_id: &str,
) -> Result<Option<Staged>, StoreError> {
    let stored: Option<bool> = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM submission_files sf
                WHERE sf.submission = s.id AND sf.sha256 = ?2)
             FROM submissions s WHERE s.submission_id = ?1",
            params![submission_id, sha256],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(has_file) = stored {
        return Ok(Some(Staged::SubmissionStored(has_file)));
    }
    let staged = conn
        .query_row(
            "SELECT 1 FROM staged_files WHERE submission_id = ?1 AND sha256 = ?2 AND key_id = ?3",
            params![submission_id, sha256, key_id],
            |_| Ok(()),
        )
        .optional()?;
    Ok(staged.map(|()| Staged::Already))
}

/// The hashes of `new`'s files that are not staged for it by its key with the size and type
/// it gives (each hash once).
fn unclaimable(conn: &Connection, new: &NewSubmission) -> Result<Vec<String>, StoreError> {
    let key_id = staged_key(new.signed.as_ref());
    let mut missing: Vec<String> = Vec::new();
    for file in &new.files {
        if missing.contains(&file.sha256) {
            continue;
        }
        let found = conn
            .query_row(
                "SELECT 1 FROM staged_files s JOIN files f ON f.sha256 = s.sha256
                 WHERE s.submission_id = ?1 AND s.sha256 = ?2 AND s.key_id = ?3
                   AND s.media_type = ?4 AND f.size = ?5",
                params![
                    new.submission_id,
                    file.sha256,
                    key_id,
                    file.media_type,
                    i64::try_from(file.size).unwrap_or(i64::MAX)
                ],
                |_| Ok(()),
            )
            .optional()?;
        if found.is_none() {
            missing.push(file.sha256.clone());
        }
    }
    Ok(missing)
}

fn try_insert(conn: &mut Connection, new: &NewSubmission) -> Result<Inserted, StoreError> {
    // IMMEDIATE takes the write lock first, so the reads and the inserts are one step.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if let Some(found) = existing(&tx, new)? {
        return Ok(found);
    }
    if nonce_used(&tx, new.signed.as_ref())? {
        return Ok(Inserted::NonceReplayed);
    }
    // Every file must be staged before anything is written (dropping the transaction
    // rolls back nothing).
    let missing = unclaimable(&tx, new)?;
    if !missing.is_empty() {
        return Ok(Inserted::FilesMissing(missing));
    }
    if let Some(signed) = &new.signed {
        record_nonce(&tx, signed)?;
        tx.execute(
            "INSERT OR IGNORE INTO signing_keys (keyid, jwk, first_seen) VALUES (?1, ?2, ?3)",
            params![signed.keyid, signed.jwk, new.received_at],
        )?;
    }
    // The reference contains the row id, known only after the insert: insert with a
    // unique placeholder, then set the real reference in the same transaction.
    tx.execute(
        "INSERT INTO submissions
            (reference, submission_id, form_id, form_version, language, answers, body, received_at,
             key_id, idempotency_key)
         VALUES ('pending:' || ?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            new.submission_id,
            new.form_id,
            new.form_version,
            new.language,
            new.answers,
            new.body,
            new.received_at,
            new.signed.as_ref().map(|s| &s.keyid),
            new.idempotency_key
        ],
    )?;
    let id = tx.last_insert_rowid();
    let reference = reference(new.year, id);
    tx.execute(
        "UPDATE submissions SET reference = ?1 WHERE id = ?2",
        params![reference, id],
    )?;
    for file in &new.files {
        tx.execute(
            "INSERT INTO submission_files (submission, answer_key, position, name, media_type, sha256)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                id,
                file.answer_key,
                file.position,
                file.name,
                file.media_type,
                file.sha256
            ],
        )?;
    }
    // A finished submission takes no more files: whatever else was staged for it goes
    // (its bytes with the next retention run, unless another upload or case names them).
    tx.execute(
        "DELETE FROM staged_files WHERE submission_id = ?1",
        params![new.submission_id],
    )?;
    tx.commit()?;
    Ok(Inserted::Created(Receipt {
        reference,
        submission_id: new.submission_id.clone(),
        received_at: new.received_at.clone(),
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod tests {
    use super::*;
    use crate::store::Unwritable;

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

    impl Sqlite {
        fn open_full(path: &Path) -> Result<Sqlite, StoreError> {
            Sqlite::open(path, Synchronous::Full)
        }
    }

    fn count(store: &Sqlite, table: &str) -> i64 {
        store
            .lock()
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_database_of_the_first_schema_keeps_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute(
                "INSERT INTO submissions (reference, submission_id, form_id, form_version,
                    language, answers, body, received_at)
                 VALUES ('B-2025-000001', 'a', 'f', '1', 'sv', '{}', 'x', '2025-01-01T00:00:00Z')",
                [],
            )
            .unwrap();
        }
        let store = Sqlite::open_full(&path).unwrap();
        let old = store.get("B-2025-000001").unwrap().unwrap();
        assert_eq!((old.key_id, old.idempotency_key), (None, None));
        assert!(matches!(
            store.insert(&new("a", "x")).unwrap(),
            Inserted::Replayed(_)
        ));
    }

    #[test]
    fn commits_wait_for_the_disk_unless_told_otherwise() {
        let dir = tempfile::tempdir().unwrap();
        let store = Sqlite::open_full(&dir.path().join("a.sqlite3")).unwrap();
        assert_eq!(store.synchronous().unwrap(), 2, "FULL by default");
        let store = Sqlite::open(&dir.path().join("b.sqlite3"), Synchronous::Normal).unwrap();
        assert_eq!(store.synchronous().unwrap(), 1);
        let mode: String = store
            .lock()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn the_write_check_says_why_it_fails() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        let store = Sqlite::open_full(&path).unwrap();
        store.check_writable("2026-01-01T00:00:00Z").unwrap();
        store.check_writable("2026-01-01T00:00:01Z").unwrap();
        assert_eq!(count(&store, "readiness"), 1, "one row, written again");
        // Another process holds the write lock: the check fails once the busy timeout is
        // over (shortened here).
        store
            .lock()
            .busy_timeout(Duration::from_millis(10))
            .unwrap();
        let other = Connection::open(&path).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        let err = store.check_writable("2026-01-01T00:00:02Z").unwrap_err();
        assert_eq!(err.unwritable(), Unwritable::Locked, "{err}");
        other.execute_batch("ROLLBACK").unwrap();
        store.check_writable("2026-01-01T00:00:03Z").unwrap();
        // A read-only database.
        drop(store);
        let conn =
            Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        let store = Sqlite {
            conn: Mutex::new(conn),
        };
        let err = store.check_writable("2026-01-01T00:00:04Z").unwrap_err();
        assert_eq!(err.unwritable(), Unwritable::ReadOnly, "{err}");
    }

    #[test]
    fn disk_full_is_unavailable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        drop(Sqlite::open_full(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        let pages: i64 = conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap();
        conn.pragma_update(None, "max_page_count", pages).unwrap();
        let store = Sqlite::from_connection(conn).unwrap();
        let big = "x".repeat(64 * 1024);
        let err = store.insert(&new("a", &big)).unwrap_err();
        assert!(err.is_unavailable(), "{err}");
        let err = store.check_writable("2026-01-01T00:00:00Z").unwrap_err();
        assert_eq!(err.unwritable(), Unwritable::DiskFull, "{err}");
    }
}
