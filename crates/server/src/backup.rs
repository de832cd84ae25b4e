//! `blankett-server backup DEST`: a consistent copy of the submissions database, taken with
//! SQLite's online backup API while the receiver keeps running.
//!
//! The whole database is copied in one step, inside one read transaction of the source: the
//! copy is the database as it was at one moment, with every submission committed before it
//! and none half written. In WAL mode that read does not block the receiver's writes. The
//! copy is written to `DEST.partial`, checked (`PRAGMA integrity_check`), flushed to the disk
//! and only then renamed to `DEST`, so `DEST` is never a half copy. It holds the receiver's
//! private signing key, like the database: it is made readable by its owner only.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

/// How long the copy waits for the source's lock, in all.
const LOCK_WAIT: Duration = Duration::from_secs(30);

/// Why a backup was not made.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The destination exists; a backup never overwrites.
    #[error("{0} exists: a backup never overwrites a file; give a new name")]
    DestinationExists(PathBuf),
    /// `--db` names a PostgreSQL database, which its own tools back up.
    #[error(
        "{0} is a PostgreSQL database: back it up with pg_dump or the server's own backups \
         (docs/operations.md); this command copies a SQLite file"
    )]
    Postgres(String),
    /// The database to copy does not exist.
    #[error("there is no database at {0} (give it with --db or BLANKETT_DB)")]
    NoDatabase(PathBuf),
    /// SQLite failed while copying or checking.
    #[error("{what}: {source}")]
    Sqlite {
        /// What was being done.
        what: &'static str,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// The source stayed locked by another writer for longer than the backup waits.
    #[error("the database stayed locked for {} s; try again", LOCK_WAIT.as_secs())]
    Locked,
    /// The copy does not pass SQLite's integrity check.
    #[error("the copy failed SQLite's integrity check: {0}")]
    Corrupt(String),
    /// Writing, flushing or renaming the copy failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

/// What a backup copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The submissions in the copy.
    pub submissions: i64,
    /// The copy's schema version (`PRAGMA user_version`).
    pub schema_version: i64,
    /// The copy's size in bytes.
    pub bytes: u64,
}

fn sqlite(what: &'static str) -> impl FnOnce(rusqlite::Error) -> BackupError {
    move |source| BackupError::Sqlite { what, source }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_owned(),
        source,
    }
}

/// `DEST.partial`, where the copy is written before it becomes `dest`.
fn partial_path(dest: &Path) -> PathBuf {
    let mut name = dest.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// Copies the database at `db` to `dest` (a new file) while the receiver may be writing.
pub fn backup(db: &Path, dest: &Path) -> Result<Summary, BackupError> {
    if dest.exists() {
        return Err(BackupError::DestinationExists(dest.to_owned()));
    }
    if let crate::store::Database::Postgres(url) = crate::store::Database::from_arg(db) {
        return Err(BackupError::Postgres(crate::store::postgres::redact(&url)));
    }
    if !db.is_file() {
        return Err(BackupError::NoDatabase(db.to_owned()));
    }
    // Read-write without create: a wrong path is an error, not a new empty database.
    let source = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sqlite("cannot open the database"))?;
    source
        .busy_timeout(Duration::from_secs(5))
        .map_err(sqlite("cannot set the busy timeout"))?;
    let partial = partial_path(dest);
    match std::fs::remove_file(&partial) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(&partial)(e)),
        _ => {}
    }
    let copied = copy(&source, &partial);
    if copied.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    let summary = copied?;
    std::fs::rename(&partial, dest).map_err(io(dest))?;
    if let Some(folder) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
        // The rename is on the disk only once the folder is.
        std::fs::File::open(folder)
            .and_then(|f| f.sync_all())
            .map_err(io(folder))?;
    }
    Ok(summary)
}

/// Copies `source` into a new database at `to`, checks it and flushes it to the disk.
fn copy(source: &Connection, to: &Path) -> Result<Summary, BackupError> {
    let mut target = Connection::open(to).map_err(sqlite("cannot create the copy"))?;
    {
        let backup = Backup::new(source, &mut target).map_err(sqlite("cannot start the copy"))?;
        let started = Instant::now();
        // -1: every page in one step, under one read transaction of the source.
        loop {
            match backup.step(-1).map_err(sqlite("copying failed"))? {
                StepResult::Done => break,
                StepResult::More => {}
                // Busy or locked (StepResult is non-exhaustive): wait a little, then again.
                _ if started.elapsed() < LOCK_WAIT => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                _ => return Err(BackupError::Locked),
            }
        }
    }
    let check: String = target
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(sqlite("cannot check the copy"))?;
    if check != "ok" {
        return Err(BackupError::Corrupt(check));
    }
    let submissions = target
        .query_row("SELECT COUNT(*) FROM submissions", [], |r| r.get(0))
        .map_err(sqlite("cannot count the copy's submissions"))?;
    let schema_version = target
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(sqlite("cannot read the copy's schema version"))?;
    target
        .close()
        .map_err(|(_, e)| sqlite("cannot close the copy")(e))?;
    let file = std::fs::File::open(to).map_err(io(to))?;
    file.sync_all().map_err(io(to))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o600)).map_err(io(to))?;
    }
    let bytes = file.metadata().map_err(io(to))?.len();
    Ok(Summary {
        submissions,
        schema_version,
        bytes,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn a_copy_is_made_once_and_never_over_another_file() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db.sqlite3");
        drop(Store::open(&db).unwrap());
        let dest = dir.path().join("copy.sqlite3");
        let summary = backup(&db, &dest).unwrap();
        assert_eq!(summary.submissions, 0);
        assert_eq!(
            summary.schema_version,
            crate::store::MIGRATIONS.len() as i64
        );
        assert!(!partial_path(&dest).exists());
        assert!(matches!(
            backup(&db, &dest),
            Err(BackupError::DestinationExists(_))
        ));
        assert!(matches!(
            backup(&dir.path().join("nope.sqlite3"), &dir.path().join("x")),
            Err(BackupError::NoDatabase(_))
        ));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&dest).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "the copy holds the receiver's key");
        }
        // The copy opens as a receiver's database.
        assert!(Store::open(&dest).is_ok());
    }
}
