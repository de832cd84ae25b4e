//! Retention: deleting stored cases once their form's privacy notice says they are no longer
//! kept (`privacy.keep_days` in the definition, counted from when each case arrived).
//!
//! Run by `blankett-server retention` or, when asked for (`--retention-every HOURS`), by the
//! receiver itself. A form without `keep_days`, and cases of a form the receiver has not
//! loaded, are never deleted. With `keep_unread`, a case nobody has read or exported through
//! the admin API is kept however old it is. The clock is passed in.

use std::fmt;

use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::forms::Forms;
use crate::store::{Expired, Store, StoreError, Swept};

/// What a retention run may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Keep expired cases that nobody has read or exported yet.
    pub keep_unread: bool,
    /// Count what would be deleted, and delete nothing.
    pub dry_run: bool,
    /// Delete uploads no submission claimed this many hours after they arrived.
    pub staged_hours: u32,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            keep_unread: false,
            dry_run: false,
            staged_hours: crate::config::DEFAULT_STAGED_HOURS,
        }
    }
}

/// What a run did with one form's cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormRun {
    /// The form id.
    pub form_id: String,
    /// The cases it had before the run.
    pub cases: usize,
    /// What was done, by why.
    pub outcome: Outcome,
}

/// Why a form's cases were or were not deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The form keeps cases `keep_days`; those received before `before` expired.
    Expired {
        /// The form's `privacy.keep_days`.
        keep_days: u32,
        /// The cut-off (RFC 3339): cases received before it expired.
        before: String,
        /// What became of them.
        expired: Expired,
    },
    /// The definition has no `privacy.keep_days`: every case is kept.
    NoRetention,
    /// The receiver has not loaded this form's definition: every case is kept.
    NotLoaded,
}

/// What a whole run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// When it ran (RFC 3339).
    pub at: String,
    /// Whether it only counted.
    pub dry_run: bool,
    /// Each form with stored cases, by id.
    pub forms: Vec<FormRun>,
    /// Uploads received before this (RFC 3339) that no submission claimed expired.
    pub staged_before: String,
    /// The expired uploads and the files nothing names any more, deleted (or counted).
    pub files: Swept,
}

impl Report {
    /// Cases deleted (or, in a dry run, that would be) in all.
    pub fn deleted(&self) -> usize {
        self.total(|e| e.deleted)
    }

    /// Expired cases kept because nobody has read them, in all.
    pub fn kept_unread(&self) -> usize {
        self.total(|e| e.kept_unread)
    }

    /// The sum of one count over the forms whose cases expire.
    fn total(&self, count: impl Fn(&Expired) -> usize) -> usize {
        self.forms
            .iter()
            .map(|f| match &f.outcome {
                Outcome::Expired { expired, .. } => count(expired),
                _ => 0,
            })
            .sum()
    }
}

impl fmt::Display for FormRun {
    /// One line: the form, and what became of its cases.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = &self.form_id;
        match &self.outcome {
            Outcome::Expired {
                keep_days,
                before,
                expired,
            } => {
                write!(
                    f,
                    "{id}: kept {keep_days} days: {} of {} case(s) deleted (received before {before})",
                    expired.deleted, self.cases
                )?;
                if expired.kept_unread > 0 {
                    write!(
                        f,
                        ", {} expired case(s) kept: not read or exported yet",
                        expired.kept_unread
                    )?;
                }
                Ok(())
            }
            Outcome::NoRetention => write!(
                f,
                "{id}: no privacy.keep_days in the definition: {} case(s) kept",
                self.cases
            ),
            Outcome::NotLoaded => write!(
                f,
                "{id}: the receiver has not loaded this form: {} case(s) kept",
                self.cases
            ),
        }
    }
}

impl fmt::Display for Report {
    /// One line per form, then the total.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let would = if self.dry_run {
            " (dry run: nothing deleted)"
        } else {
            ""
        };
        writeln!(f, "retention at {}{would}", self.at)?;
        for form in &self.forms {
            writeln!(f, "  {form}")?;
        }
        let would = if self.dry_run { "would be " } else { "" };
        writeln!(
            f,
            "  uploads: {} not claimed by a submission (received before {}) and {} file(s) \
             no case or upload names {would}deleted",
            self.files.staged, self.staged_before, self.files.files
        )?;
        write!(
            f,
            "{} case(s) {would}deleted, {} expired case(s) kept unread",
            self.deleted(),
            self.kept_unread()
        )
    }
}

/// The time as stored in `received_at`: RFC 3339, UTC, whole seconds.
fn stored_time(t: OffsetDateTime) -> String {
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// Deletes, at `now`, every stored case older than its form's `privacy.keep_days`, as
/// `options` allow; logs and returns what it did. Expired signature nonces are forgotten,
/// and deleted cases are then checkpointed out of SQLite's WAL (PostgreSQL: vacuumed).
pub fn run(
    store: &Store,
    forms: &Forms,
    now: OffsetDateTime,
    options: Options,
) -> Result<Report, StoreError> {
    let mut report = Report {
        at: stored_time(now),
        dry_run: options.dry_run,
        forms: Vec::new(),
        staged_before: stored_time(now - Duration::hours(i64::from(options.staged_hours))),
        files: Swept::default(),
    };
    for (form_id, cases) in store.forms_with_cases()? {
        let outcome = match forms.get(&form_id).map(|d| d.privacy.keep_days) {
            None => Outcome::NotLoaded,
            Some(None) => Outcome::NoRetention,
            Some(Some(keep_days)) => {
                let before = stored_time(now - Duration::days(i64::from(keep_days)));
                let expired = store.delete_expired(
                    &form_id,
                    &before,
                    options.keep_unread,
                    options.dry_run,
                )?;
                Outcome::Expired {
                    keep_days,
                    before,
                    expired,
                }
            }
        };
        let run = FormRun {
            form_id,
            cases,
            outcome,
        };
        tracing::info!("retention: {run}");
        report.forms.push(run);
    }
    // After the cases: the files of the cases just deleted are unreferenced now too.
    report.files = store.sweep_files(&report.staged_before, options.dry_run)?;
    tracing::info!(
        "retention: {} unclaimed upload(s) and {} unreferenced file(s) {}deleted",
        report.files.staged,
        report.files.files,
        if options.dry_run { "would be " } else { "" }
    );
    if !options.dry_run {
        let forgotten = store.forget_nonces(now.unix_timestamp())?;
        tracing::debug!("retention: {forgotten} expired signature nonce(s) forgotten");
    }
    let deleted_any = report.deleted() > 0 || report.files != Swept::default();
    if deleted_any && !options.dry_run && !store.checkpoint()? {
        tracing::warn!(
            "retention: the WAL could not be emptied now (another connection is reading); \
             the deleted cases leave it at the next checkpoint"
        );
    }
    tracing::info!(
        deleted = report.deleted(),
        kept_unread = report.kept_unread(),
        dry_run = options.dry_run,
        "retention: {} case(s) deleted",
        report.deleted()
    );
    Ok(report)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod tests {
    use super::*;
    use crate::store::{Inserted, NewSubmission, SignedBy};

    const NOW: OffsetDateTime = time::macros::datetime!(2026-11-23 09:41:07 UTC);

    fn form(id: &str, keep_days: Option<u32>) -> blankett_core::Definition {
        let keep = keep_days.map_or(String::new(), |d| format!(r#""keep_days": {d},"#));
        let json = format!(
            r#"{{ "blankett": "1", "id": "{id}", "version": "1", "title": "T",
              "organisation": {{ "name": "Exempelby kommun", "contact": {{ "email": "a@exempelby.se" }} }},
              "privacy": {{ {keep} "controller": "K", "purpose": "P", "legal_basis": "L",
                "retention": "R", "recipients": "Ingen", "rights_url": "https://exempelby.se/r" }},
              "submit": {{ "url": "/api/submissions" }},
              "steps": [ {{ "id": "s", "title": "S", "fields": [
                {{ "id": "q", "type": "text", "label": "Q" }} ] }} ] }}"#
        );
        blankett_core::load(&json).definition.unwrap()
    }

    /// Stores a case of `form` received `days_ago` days (and `extra_s` seconds) before NOW,
    /// signed by `key` if given; returns its reference.
    fn case(store: &Store, form: &str, days_ago: i64, extra_s: i64, key: Option<&str>) -> String {
        let at = NOW - Duration::days(days_ago) - Duration::seconds(extra_s);
        let n = store
            .forms_with_cases()
            .unwrap()
            .iter()
            .map(|(_, c)| c)
            .sum::<usize>();
        let id = format!("00000000-0000-4000-8000-{n:012}");
        let new = NewSubmission {
            submission_id: id.clone(),
            form_id: form.into(),
            form_version: "1".into(),
            language: "sv".into(),
            answers: "{}".into(),
            body: id,
            received_at: stored_time(at),
            year: at.year(),
            idempotency_key: None,
            signed: key.map(|k| SignedBy {
                keyid: k.into(),
                jwk: "{}".into(),
                nonce: format!("n{n}"),
                nonce_expires_at: 0,
                now: 0,
            }),
            files: Vec::new(),
        };
        match store.insert(&new).unwrap() {
            Inserted::Created(receipt) => receipt.reference,
            other => panic!("not stored: {other:?}"),
        }
    }

    fn setup() -> (tempfile::TempDir, Store, Forms) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        let mut forms = Forms::new();
        forms.insert(form("kort", Some(30)));
        forms.insert(form("evig", None));
        (dir, store, forms)
    }

    fn exists(store: &Store, reference: &str) -> bool {
        store.get(reference).unwrap().is_some()
    }

    #[test]
    fn exactly_the_cases_older_than_their_forms_retention_are_deleted() {
        let (_dir, store, forms) = setup();
        let old = case(&store, "kort", 31, 0, None);
        let just_over = case(&store, "kort", 30, 1, None);
        let exactly = case(&store, "kort", 30, 0, None);
        let fresh = case(&store, "kort", 29, 0, None);
        let forever = case(&store, "evig", 4000, 0, None);
        let orphan = case(&store, "borttagen", 4000, 0, None);
        let report = run(&store, &forms, NOW, Options::default()).unwrap();
        assert_eq!(report.deleted(), 2);
        assert!(!exists(&store, &old) && !exists(&store, &just_over));
        for kept in [&exactly, &fresh, &forever, &orphan] {
            assert!(exists(&store, kept), "{kept}");
        }
        assert_eq!(
            report.to_string(),
            "retention at 2026-11-23T09:41:07Z
  borttagen: the receiver has not loaded this form: 1 case(s) kept
  evig: no privacy.keep_days in the definition: 1 case(s) kept
  kort: kept 30 days: 2 of 4 case(s) deleted (received before 2026-10-24T09:41:07Z)
  uploads: 0 not claimed by a submission (received before 2026-11-16T09:41:07Z) and 0 file(s) no case or upload names deleted
2 case(s) deleted, 0 expired case(s) kept unread"
        );
        // A day later the case received exactly 30 days before has expired too.
        let later = NOW + Duration::days(1);
        assert_eq!(
            run(&store, &forms, later, Options::default())
                .unwrap()
                .deleted(),
            1
        );
        assert!(!exists(&store, &exactly) && exists(&store, &fresh));
    }

    #[test]
    fn unread_cases_are_kept_when_the_deployment_asks() {
        let (_dir, store, forms) = setup();
        let read = case(&store, "kort", 40, 0, None);
        let unread = case(&store, "kort", 40, 0, None);
        store.mark_read(&read, "2026-10-15T08:00:00Z").unwrap();
        let options = Options {
            keep_unread: true,
            ..Options::default()
        };
        let report = run(&store, &forms, NOW, options).unwrap();
        assert_eq!((report.deleted(), report.kept_unread()), (1, 1));
        assert!(!exists(&store, &read));
        assert!(exists(&store, &unread));
        assert!(
            report.to_string().contains(
                "1 of 2 case(s) deleted (received before 2026-10-24T09:41:07Z), \
                 1 expired case(s) kept: not read or exported yet"
            ),
            "{report}"
        );
        // Once exported, it goes at the next run.
        store.mark_read(&unread, "2026-11-23T10:00:00Z").unwrap();
        assert_eq!(run(&store, &forms, NOW, options).unwrap().deleted(), 1);
        assert!(!exists(&store, &unread));
    }

    #[test]
    fn a_dry_run_counts_and_deletes_nothing() {
        let (_dir, store, forms) = setup();
        let old = case(&store, "kort", 31, 0, None);
        let options = Options {
            dry_run: true,
            ..Options::default()
        };
        let report = run(&store, &forms, NOW, options).unwrap();
        assert_eq!(report.deleted(), 1);
        assert!(
            report.to_string().contains("1 case(s) would be deleted"),
            "{report}"
        );
        assert!(exists(&store, &old));
    }

    #[test]
    fn a_device_key_goes_with_its_last_case() {
        let (dir, store, forms) = setup();
        case(&store, "kort", 31, 0, Some("kid-old"));
        case(&store, "kort", 31, 0, Some("kid-both"));
        let keeps = case(&store, "kort", 1, 0, Some("kid-both"));
        run(&store, &forms, NOW, Options::default()).unwrap();
        assert_eq!(
            store.get(&keeps).unwrap().unwrap().key_id.as_deref(),
            Some("kid-both")
        );
        let conn = rusqlite::Connection::open(dir.path().join("db.sqlite3")).unwrap();
        let keys = |kid: &str| -> i64 {
            conn.query_row(
                "SELECT COUNT(*) FROM signing_keys WHERE keyid = ?1",
                [kid],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert_eq!(keys("kid-both"), 1);
        assert_eq!(keys("kid-old"), 0);
    }
}
