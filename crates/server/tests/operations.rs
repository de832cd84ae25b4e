//! What operating the receiver needs beyond receiving: the admin endpoint slows down
//! guessing of its token without ever refusing the right one, and `/readyz` fails while the
//! database cannot take a write (a full file system, a lock held too long) and recovers;
//! `blankett-server backup` copies the database under load, and the copy restores.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::time::Duration;

use blankett_server::throttle::Policy;
use common::{Options, admin_get, problem, start, submission};

const TOKEN: &str = "operations-admin-token-0123456789abcdef";

#[tokio::test]
async fn wrong_admin_tokens_are_slowed_down_and_the_right_one_never_is() {
    let server = start(Options {
        admin_token: Some(TOKEN.into()),
        // Two mistakes are free; the third wrong token waits an hour.
        admin_throttle: Some(Policy {
            free: 2,
            first_delay: Duration::from_secs(3600),
            max_delay: Duration::from_secs(3600),
            forget_after: Duration::from_secs(3600),
        }),
        ..Options::default()
    })
    .await;
    let created = server
        .post(submission("9f0e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f", "Greta Gris").to_canonical_json())
        .await;
    assert_eq!(created.status(), 201);
    let reference = common::json_of(created).await["reference"]
        .as_str()
        .unwrap()
        .to_owned();

    // A wrong token and a missing one are the two free mistakes.
    problem(
        admin_get(&server, &reference, Some("guess")).await,
        401,
        "unauthorized",
    )
    .await;
    problem(
        admin_get(&server, &reference, None).await,
        401,
        "unauthorized",
    )
    .await;
    // The next wrong token is held back.
    let held = {
        let client = server.client.clone();
        let url = server.url(&format!("/api/submissions/{reference}"));
        tokio::spawn(async move { client.get(url).bearer_auth("guess").send().await })
    };
    let localhost = std::net::IpAddr::from([127, 0, 0, 1]);
    while server.state.admin_throttle.failures(localhost) < 3 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // The right one, from the same client, is answered at once, as often as it comes.
    for _ in 0..3 {
        let found = admin_get(&server, &reference, Some(TOKEN)).await;
        assert_eq!(found.status(), 200);
    }
    assert!(!held.is_finished(), "the wrong token is still waiting");
    held.abort();
    // The right token cleared the record: a typo after it is answered at once again.
    let typo = tokio::time::timeout(
        Duration::from_secs(60),
        admin_get(&server, &reference, Some("typo")),
    )
    .await
    .expect("a first mistake after the right token waits for nothing");
    problem(typo, 401, "unauthorized").await;
}

/// A tmpfs mounted on a new folder, unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size`; why not, where this process may not mount one.
    fn mount(size: &str) -> Result<Tmpfs, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let out = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !out.status.success() {
            let why = String::from_utf8_lossy(&out.stderr);
            return Err(why.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        Ok(Tmpfs { dir })
    }

    fn path(&self) -> &std::path::Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        // Lazily, so a receiver that still has the database open cannot keep it mounted.
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

/// Fills the file system that holds `dir` with one file, until it has no room left.
fn fill(dir: &std::path::Path) -> std::path::PathBuf {
    use std::io::Write as _;
    let path = dir.join("filler");
    let mut file = std::fs::File::create(&path).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    loop {
        if let Err(e) = file.write_all(&chunk).and_then(|()| file.sync_all()) {
            assert_eq!(e.raw_os_error(), Some(28), "ENOSPC expected: {e}");
            break;
        }
    }
    // Whatever fits of a smaller write too.
    for size in [4096, 512, 1] {
        while file.write_all(&chunk[..size]).is_ok() {}
    }
    path
}

/// GETs `/readyz` and returns its status and body.
async fn readiness(server: &common::TestServer) -> (u16, serde_json::Value) {
    let response = server.get("/readyz").await;
    let status = response.status().as_u16();
    if status == 200 {
        assert_eq!(common::header(&response, "cache-control"), "no-store");
        assert_eq!(response.text().await.unwrap(), "ok");
        return (200, serde_json::Value::Null);
    }
    (status, problem(response, 503, "not_ready").await)
}

/// Asserts that `/readyz` answers 503 `not_ready` and says `why` in English; the document.
async fn assert_not_ready(server: &common::TestServer, why: &str) -> serde_json::Value {
    let (status, body) = readiness(server).await;
    assert_eq!(status, 503, "{body}");
    let english = body["detail"]["en"].as_str().unwrap();
    assert!(english.contains(why), "{body}");
    body
}

#[tokio::test]
async fn readiness_fails_on_a_full_filesystem_and_recovers() {
    let tmpfs = match Tmpfs::mount("4m") {
        Ok(tmpfs) => tmpfs,
        Err(why) => {
            // Straight to stderr, past the test harness's capture, so the skip is seen.
            use std::io::Write as _;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED readiness_fails_on_a_full_filesystem_and_recovers: cannot mount a \
                 tmpfs here ({why}); it needs root with CAP_SYS_ADMIN. The full disk is still \
                 tested with SQLite's page limit in readiness_fails_when_the_database_is_full."
            );
            return;
        }
    };
    let server = start(Options {
        db: Some(tmpfs.path().join("blankett.sqlite3")),
        ..Options::default()
    })
    .await;
    assert_eq!(readiness(&server).await.0, 200);
    let id = |n: u32| format!("5e6f7a8b-9c0d-4e1f-8a2b-{n:012}");
    let first = server
        .post(submission(&id(1), "Före").to_canonical_json())
        .await;
    assert_eq!(first.status(), 201);

    // The disk fills up: not ready, and a submission is refused with 503 and not stored.
    let filler = fill(tmpfs.path());
    let body = assert_not_ready(&server, "the disk is full").await;
    assert!(
        body["detail"]["sv"]
            .as_str()
            .unwrap()
            .contains("disken är full"),
        "{body}"
    );
    let refused = server
        .post(submission(&id(2), "Under").to_canonical_json())
        .await;
    problem(refused, 503, "storage_unavailable").await;
    assert_eq!(server.get("/healthz").await.status(), 200, "still alive");

    // Room again: ready, and the same submission is stored.
    std::fs::remove_file(&filler).unwrap();
    assert_eq!(readiness(&server).await.0, 200);
    let stored = server
        .post(submission(&id(2), "Under").to_canonical_json())
        .await;
    assert_eq!(stored.status(), 201);
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_full() {
    // SQLite's page limit stands in for a full disk where no tmpfs can be mounted.
    let server = start(Options {
        full_disk: true,
        ..Options::default()
    })
    .await;
    assert_not_ready(&server, "the disk is full").await;
    assert_eq!(
        server.get("/healthz").await.status(),
        200,
        "liveness is not readiness"
    );
}

#[tokio::test]
async fn readiness_fails_while_another_process_holds_the_lock_past_the_busy_timeout() {
    let server = start(Options::default()).await;
    assert_eq!(readiness(&server).await.0, 200);
    let other = rusqlite::Connection::open(&server.db).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    // The check waits the busy timeout (5 s) for the lock, then gives up.
    assert_not_ready(&server, "locked by another process").await;
    other.execute_batch("ROLLBACK").unwrap();
    assert_eq!(readiness(&server).await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_load_restores_every_acknowledged_submission() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};

    let server = Arc::new(
        start(Options {
            admin_token: Some(TOKEN.into()),
            ..Options::default()
        })
        .await,
    );
    // Four citizens keep submitting until the backup is done; each 201 is noted.
    let acknowledged: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let citizens: Vec<_> = (0..4)
        .map(|c| {
            let (server, acknowledged, stop) = (
                Arc::clone(&server),
                Arc::clone(&acknowledged),
                Arc::clone(&stop),
            );
            tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    let id = blankett_server::conformance::new_uuid();
                    let body = submission(&id, &format!("Medborgare {c} nr {n}"));
                    let response = server.post(body.to_canonical_json()).await;
                    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
                    let receipt = common::json_of(response).await;
                    let reference = receipt["reference"].as_str().unwrap().to_owned();
                    acknowledged.lock().unwrap().push((reference, id));
                    n += 1;
                }
            })
        })
        .collect();
    while acknowledged.lock().unwrap().len() < 40 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("backup.sqlite3");
    let before: Vec<(String, String)> = acknowledged.lock().unwrap().clone();
    let output = tokio::process::Command::new(common::SERVER_BIN)
        .arg("backup")
        .arg(&dest)
        .arg("--db")
        .arg(&server.db)
        .output()
        .await
        .unwrap();
    let during = acknowledged.lock().unwrap().len() - before.len();
    stop.store(true, Ordering::Relaxed);
    for citizen in citizens {
        citizen.await.unwrap();
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.starts_with("backed up "), "{stdout}");
    println!(
        "{stdout}{} acknowledged before the backup started, {during} while it ran",
        before.len()
    );

    // Restore as docs/operations.md says: the copy in place of the database, then start.
    let restored_dir = tempfile::tempdir().unwrap();
    let restored = restored_dir.path().join("blankett.sqlite3");
    std::fs::copy(&dest, &restored).unwrap();
    let again = start(Options {
        admin_token: Some(TOKEN.into()),
        db: Some(restored),
        ..Options::default()
    })
    .await;
    for (reference, id) in &before {
        let found = admin_get(&again, reference, Some(TOKEN)).await;
        assert_eq!(
            found.status(),
            200,
            "{reference} is missing from the backup"
        );
        assert_eq!(common::json_of(found).await["submission_id"], id.as_str());
    }
    // The receipts' key came along, so receipts given before the backup still verify.
    let jwks = "/.well-known/jwks.json";
    assert_eq!(
        server.get(jwks).await.text().await.unwrap(),
        again.get(jwks).await.text().await.unwrap()
    );
    // And the restored receiver takes new submissions.
    let next = blankett_server::conformance::new_uuid();
    let created = again
        .post(submission(&next, "Efter").to_canonical_json())
        .await;
    assert_eq!(created.status(), 201);
}

#[test]
fn a_backup_never_overwrites_and_needs_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&std::ffi::OsStr]| {
        let out = std::process::Command::new(common::SERVER_BIN)
            .arg("backup")
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let existing = dir.path().join("exists.sqlite3");
    std::fs::write(&existing, "keep me").unwrap();
    let db = dir.path().join("db.sqlite3");
    drop(blankett_server::store::Store::open(&db).unwrap());
    let (code, stderr) = run(&[existing.as_os_str(), "--db".as_ref(), db.as_os_str()]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("never overwrites"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me");
    let missing = dir.path().join("missing.sqlite3");
    let (code, stderr) = run(&[
        dir.path().join("new.sqlite3").as_os_str(),
        "--db".as_ref(),
        missing.as_os_str(),
    ]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("there is no database"), "{stderr}");
    assert!(!missing.exists(), "no empty database is made");
    let (code, stderr) = run(&[]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("backup needs the DEST file"), "{stderr}");
    // A PostgreSQL database is backed up with its own tools; the password is not shown.
    let dest = dir.path().join("pg.sqlite3");
    let (code, stderr) = run(&[
        dest.as_os_str(),
        "--db".as_ref(),
        "postgres://u:s3cret@db.internal/blankett".as_ref(),
    ]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("pg_dump"), "{stderr}");
    assert!(
        stderr.contains("postgres://u:***@db.internal/blankett"),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cret") && !dest.exists(), "{stderr}");
}

/// `retention --db postgres://…` runs on a PostgreSQL database as on a SQLite file.
#[test]
fn retention_runs_on_postgresql() {
    let cluster = common::pg::Cluster::start(false);
    let url = cluster.create_database("blankett");
    let dir = tempfile::tempdir().unwrap();
    let forms = dir.path().join("forms");
    std::fs::create_dir_all(&forms).unwrap();
    let form = common::FORM.replacen(
        r#""purpose": "Att handlägga ärendet.","#,
        r#""purpose": "Att handlägga ärendet.", "keep_days": 30,"#,
        1,
    );
    assert_ne!(form, common::FORM, "keep_days was added");
    std::fs::write(forms.join("test.json"), form).unwrap();
    let db = std::path::PathBuf::from(&url);
    let old = old_case(&db, "test", 40, 1);
    let recent = old_case(&db, "test", 10, 2);
    let out = std::process::Command::new(common::SERVER_BIN)
        .args(["retention", "--db", &url, "--forms"])
        .arg(&forms)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = blankett_server::store::Store::connect(
        &blankett_server::store::Database::Postgres(url),
        blankett_server::store::StoreOptions::default(),
    )
    .unwrap();
    assert_eq!(store.get(&old).unwrap(), None, "{stdout}");
    assert!(store.get(&recent).unwrap().is_some(), "{stdout}");
}

/// Stores a case of `form` received `days_ago` days ago straight into the database at `db`;
/// its reference.
fn old_case(db: &std::path::Path, form: &str, days_ago: i64, n: u32) -> String {
    use blankett_server::store::{Inserted, NewSubmission, Store};
    let at = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap()
        - time::Duration::days(days_ago);
    let id = format!("00000000-0000-4000-8000-{n:012}");
    let new = NewSubmission {
        submission_id: id.clone(),
        form_id: form.into(),
        form_version: "3".into(),
        language: "sv".into(),
        answers: r#"{"name":"Gammal"}"#.into(),
        body: id,
        received_at: at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap(),
        year: at.year(),
        idempotency_key: None,
        signed: None,
        files: Vec::new(),
    };
    let store = Store::connect(
        &blankett_server::store::Database::from_arg(db),
        blankett_server::store::StoreOptions::default(),
    )
    .unwrap();
    match store.insert(&new).unwrap() {
        Inserted::Created(receipt) => receipt.reference,
        other => panic!("not stored: {other:?}"),
    }
}

#[tokio::test]
async fn retention_deletes_exactly_the_expired_cases_by_command_and_in_the_receiver() {
    let dir = tempfile::tempdir().unwrap();
    let forms = dir.path().join("forms");
    common::write_test_forms(&forms);
    // The test form keeps cases 30 days; the other form says nothing, so keeps them.
    let test_form = std::fs::read_to_string(forms.join("test.json")).unwrap();
    let kept_30 = test_form.replace(
        r#""retention": "Två år","#,
        r#""retention": "30 dagar", "keep_days": 30,"#,
    );
    assert_ne!(test_form, kept_30);
    std::fs::write(forms.join("test.json"), kept_30).unwrap();
    let db = dir.path().join("blankett.sqlite3");
    let read = old_case(&db, "test", 40, 1);
    let unread = old_case(&db, "test", 40, 2);
    let fresh = old_case(&db, "test", 1, 3);
    let other = old_case(&db, "other", 400, 4);

    // The integration reads one expired case.
    {
        let server = start(Options {
            admin_token: Some(TOKEN.into()),
            db: Some(db.clone()),
            ..Options::default()
        })
        .await;
        assert_eq!(admin_get(&server, &read, Some(TOKEN)).await.status(), 200);
    }

    // The command, asked to keep what nobody has read: only the read case goes.
    let command = |extra: &[&str]| {
        let out = std::process::Command::new(common::SERVER_BIN)
            .arg("retention")
            .arg("--db")
            .arg(&db)
            .arg("--forms")
            .arg(&forms)
            .args(extra)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let dry = command(&["--keep-unread", "--dry-run"]);
    assert!(dry.contains("1 case(s) would be deleted"), "{dry}");
    let report = command(&["--keep-unread"]);
    println!("{report}");
    assert!(
        report.contains("test: kept 30 days: 1 of 3 case(s) deleted (received before "),
        "{report}"
    );
    assert!(
        report.contains("1 expired case(s) kept: not read or exported yet"),
        "{report}"
    );
    assert!(
        report.contains("other: no privacy.keep_days in the definition: 1 case(s) kept"),
        "{report}"
    );

    // The receiver with scheduled retention (and without --keep-unread) runs it before it
    // listens: the expired unread case goes too; the fresh one and the other form's stay.
    let receiver = common::ChildReceiver::start(
        vec![
            "--db".into(),
            db.clone().into(),
            "--forms".into(),
            forms.clone().into(),
            "--dist".into(),
            dir.path().join("dist").into(),
            "--retention-every".into(),
            "24".into(),
        ],
        vec![("BLANKETT_ADMIN_TOKEN".into(), TOKEN.into())],
    )
    .await;
    let http = reqwest::Client::new();
    let status = |reference: String| {
        let request = http
            .get(format!("{}/api/submissions/{reference}", receiver.base))
            .bearer_auth(TOKEN);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(status(read).await, 404);
    assert_eq!(status(unread).await, 404);
    assert_eq!(status(fresh).await, 200);
    assert_eq!(status(other).await, 200);
}
