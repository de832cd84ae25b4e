//! Attachments (issue 18) through the receiver: signed uploads staged, then claimed by the
//! submission that names them; every refusal of a file (hash, type by content, size before
//! reading, the scanner), a submission without its files, the admin read of the bytes, and a
//! receiver killed in the middle of an upload.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::time::Duration;

use blankett_core::{Answer, Answers, Context, Date, FileRef, Lang, Submission};
use common::{
    ChildReceiver, Device, Options, Signing, TestServer, file_form, header, nonce, now, problem,
    signed_request_headers, start,
};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// The upload limit of [`file_form`]: its largest `max_file_size`.
const LIMIT: usize = 10 * 1024 * 1024;

/// The EICAR test string, which every virus scanner reports.
const EICAR: &str = r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

/// A small PDF-looking file (core finds the type by its first bytes).
fn pdf(tag: &str) -> Vec<u8> {
    format!("%PDF-1.7\n% {tag}\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n").into_bytes()
}

/// A JPEG-looking file of `len` bytes.
fn jpeg(len: usize) -> Vec<u8> {
    let mut bytes = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0,
    ];
    bytes.extend((0..len.saturating_sub(bytes.len())).map(|i| (i * 31 % 251) as u8));
    bytes
}

fn sha256_hex(bytes: &[u8]) -> String {
    blankett_core::signing::sha256_hex(bytes)
}

fn file_ref(name: &str, media_type: &str, bytes: &[u8]) -> FileRef {
    FileRef {
        name: name.into(),
        media_type: media_type.into(),
        size: bytes.len() as u64,
        sha256: sha256_hex(bytes),
    }
}

/// A valid submission of [`file_form`] with these site-plan files.
fn submission(id: &str, plan: Vec<FileRef>) -> String {
    let def = blankett_core::load(&file_form()).definition.unwrap();
    let mut answers = Answers::new();
    answers.set("namn", Answer::Text("Anna".into()));
    answers.set("plan", Answer::Files(plan));
    let cx = Context {
        today: Date::new(2026, 1, 15).unwrap(),
    };
    Submission::build(&def, &answers, Lang::Sv, id, &cx)
        .unwrap()
        .to_canonical_json()
}

/// The path a file is uploaded to.
fn file_path(id: &str, sha256: &str) -> String {
    format!("/api/submissions/{id}/files/{sha256}")
}

/// The signed headers of an upload of `bytes` to `base` + `path` by `device`.
fn upload_headers(
    device: &Device,
    base: &str,
    path: &str,
    id: &str,
    bytes: &[u8],
    media_type: &str,
) -> Vec<(String, String)> {
    let signing = Signing {
        target_uri: format!("{base}{path}"),
        content_type: media_type.into(),
        idempotency_key: format!("\"{id}\""),
        created: now(),
        nonce: nonce(),
        input: None,
    };
    signed_request_headers(device, "PUT", bytes, &signing)
}

/// PUTs `bytes` with these headers.
async fn put(
    client: &reqwest::Client,
    url: String,
    headers: &[(String, String)],
    bytes: Vec<u8>,
) -> reqwest::Response {
    let mut request = client.put(url).body(bytes);
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    request.send().await.unwrap()
}

/// Uploads `bytes` for submission `id` to the path of `sha256`, signed by the server's device.
async fn upload_as(
    server: &TestServer,
    id: &str,
    sha256: &str,
    bytes: &[u8],
    media_type: &str,
) -> reqwest::Response {
    let path = file_path(id, sha256);
    let headers = upload_headers(&server.device, &server.base, &path, id, bytes, media_type);
    put(&server.client, server.url(&path), &headers, bytes.to_vec()).await
}

/// Uploads `bytes` for submission `id` to its own hash's path.
async fn upload(
    server: &TestServer,
    id: &str,
    bytes: &[u8],
    media_type: &str,
) -> reqwest::Response {
    upload_as(server, id, &sha256_hex(bytes), bytes, media_type).await
}

/// A receiver with [`file_form`] loaded and an admin token.
async fn file_server(scan_command: Option<String>) -> TestServer {
    start(Options {
        admin_token: Some("secret-token-secret-token-secret".into()),
        extra_forms: vec![("bilagor.json".into(), file_form())],
        scan_command,
        ..Options::default()
    })
    .await
}

/// The number of rows in `table` of a receiver's SQLite file.
fn rows(db: &std::path::Path, table: &str) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

const ID: &str = "0f8b6c1e-7a2d-4b1e-9c3f-2a1b3c4d5e6f";

/// Opens a connection of its own to `base` and sends `start` (`PUT /path`), its header
/// fields with `content-length: len`, and the first part of the body: for tests that cut a
/// request off, or finish it later on the returned stream.
async fn send_part(
    base: &str,
    start: &str,
    len: usize,
    fields: &[(String, String)],
    body_part: &[u8],
) -> tokio::net::TcpStream {
    let host = base.strip_prefix("http://").unwrap();
    let mut head = format!("{start} HTTP/1.1\r\nhost: {host}\r\ncontent-length: {len}\r\n");
    for (name, value) in fields {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body_part).await.unwrap();
    stream.flush().await.unwrap();
    stream
}

#[tokio::test]
async fn a_pdf_and_a_jpeg_are_uploaded_submitted_and_read_back_byte_for_byte() {
    let server = file_server(None).await;
    let (plan, photo) = (pdf("plan"), jpeg(300_000));
    let response = upload(&server, ID, &plan, "application/pdf").await;
    assert_eq!(response.status(), 201);
    let body = common::json_of(response).await;
    assert_eq!(body["sha256"], sha256_hex(&plan));
    assert_eq!(body["size"], plan.len());
    assert_eq!(body["type"], "application/pdf");
    assert_eq!(
        upload(&server, ID, &photo, "image/jpeg").await.status(),
        201
    );
    // The outbox may send an upload again: 200, and the bytes are stored once.
    assert_eq!(
        upload(&server, ID, &photo, "image/jpeg").await.status(),
        200
    );
    assert_eq!(rows(&server.db, "files"), 2);
    assert_eq!(rows(&server.db, "staged_files"), 2);

    let refs = vec![
        file_ref("Situationsplan öster.pdf", "application/pdf", &plan),
        file_ref("IMG_0001.jpg", "image/jpeg", &photo),
    ];
    let body = submission(ID, refs.clone());
    let response = server.post(body.clone()).await;
    assert_eq!(response.status(), 201);
    let receipt = common::json_of(response).await;
    let reference = receipt["reference"].as_str().unwrap().to_owned();
    assert_eq!(rows(&server.db, "submission_files"), 2);
    assert_eq!(
        rows(&server.db, "staged_files"),
        0,
        "claimed by the submission"
    );

    // A resend of the submission gets its first receipt.
    let again = server.post(body).await;
    assert_eq!(again.status(), 200);
    assert_eq!(common::json_of(again).await["reference"], reference);

    for (file, bytes) in refs.iter().zip([&plan, &photo]) {
        let response = server
            .client
            .get(server.url(&format!(
                "/api/submissions/{reference}/files/{}",
                file.sha256
            )))
            .bearer_auth("secret-token-secret-token-secret")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(header(&response, "content-type"), file.media_type);
        assert_eq!(
            header(&response, "content-digest"),
            blankett_core::signing::content_digest(bytes)
        );
        assert!(
            header(&response, "content-disposition").starts_with("attachment; "),
            "{}",
            header(&response, "content-disposition")
        );
        let read = response.bytes().await.unwrap();
        assert_eq!(read.as_ref(), bytes.as_slice(), "{}", file.name);
        assert_eq!(sha256_hex(&read), file.sha256);
    }
    let named = server
        .client
        .get(server.url(&format!(
            "/api/submissions/{reference}/files/{}",
            refs[0].sha256
        )))
        .bearer_auth("secret-token-secret-token-secret")
        .send()
        .await
        .unwrap();
    assert_eq!(
        header(&named, "content-disposition"),
        "attachment; filename=\"Situationsplan _ster.pdf\"; \
         filename*=UTF-8''Situationsplan%20%C3%B6ster.pdf"
    );
    // The answers name the files as sent.
    let stored = common::admin_get(
        &server,
        &reference,
        Some("secret-token-secret-token-secret"),
    )
    .await;
    let stored = common::json_of(stored).await;
    assert_eq!(stored["answers"]["plan"][1]["sha256"], refs[1].sha256);

    // Without the token, or for a hash the case does not have: refused.
    let anonymous = server
        .get(&format!(
            "/api/submissions/{reference}/files/{}",
            refs[0].sha256
        ))
        .await;
    problem(anonymous, 401, "unauthorized").await;
    let unknown = server
        .client
        .get(server.url(&format!(
            "/api/submissions/{reference}/files/{}",
            "0".repeat(64)
        )))
        .bearer_auth("secret-token-secret-token-secret")
        .send()
        .await
        .unwrap();
    problem(unknown, 404, "unknown_file").await;

    // A stored submission takes no new files; its own are answered as already there.
    assert_eq!(
        upload(&server, ID, &plan, "application/pdf").await.status(),
        200
    );
    let late = upload(&server, ID, &pdf("late"), "application/pdf").await;
    problem(late, 409, "already_submitted").await;
}

#[tokio::test]
async fn a_file_under_another_hash_is_refused_and_nothing_is_staged() {
    let server = file_server(None).await;
    let (plan, other) = (pdf("plan"), pdf("other"));
    let response = upload_as(&server, ID, &sha256_hex(&other), &plan, "application/pdf").await;
    let body = problem(response, 400, "digest_mismatch").await;
    assert!(
        body["detail"]["en"].as_str().unwrap().contains("file"),
        "{body}"
    );
    // Bytes changed after signing: the Content-Digest does not match them.
    let path = file_path(ID, &sha256_hex(&plan));
    let headers = upload_headers(
        &server.device,
        &server.base,
        &path,
        ID,
        &plan,
        "application/pdf",
    );
    let mut changed = plan.clone();
    changed[12] ^= 1;
    let response = put(&server.client, server.url(&path), &headers, changed).await;
    problem(response, 400, "digest_mismatch").await;
    assert_eq!(rows(&server.db, "staged_files"), 0);
    assert_eq!(rows(&server.db, "files"), 0);
}

#[tokio::test]
async fn an_executable_claiming_to_be_a_pdf_is_refused() {
    let server = file_server(None).await;
    let mut elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0\x01\0\0\0".to_vec();
    elf.resize(4096, 0);
    let mut pe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0\xb8\0\0\0".to_vec();
    pe.resize(4096, 0x90);
    for program in [elf, pe] {
        let response = upload(&server, ID, &program, "application/pdf").await;
        problem(response, 415, "file_type").await;
    }
    // A real JPEG sent as a PDF, and a type the format does not know, are refused too.
    problem(
        upload(&server, ID, &jpeg(2000), "application/pdf").await,
        415,
        "file_type",
    )
    .await;
    problem(
        upload(&server, ID, &pdf("x"), "application/x-msdownload").await,
        415,
        "file_type",
    )
    .await;
    assert_eq!(rows(&server.db, "staged_files"), 0);
}

#[tokio::test]
async fn a_submission_naming_a_file_never_uploaded_is_refused_until_it_is() {
    let server = file_server(None).await;
    let (plan, photo) = (pdf("plan"), jpeg(5000));
    assert_eq!(
        upload(&server, ID, &plan, "application/pdf").await.status(),
        201
    );
    let refs = vec![
        file_ref("plan.pdf", "application/pdf", &plan),
        file_ref("foto.jpg", "image/jpeg", &photo),
    ];
    let body = submission(ID, refs.clone());
    let response = server.post(body.clone()).await;
    let refused = problem(response, 422, "files_missing").await;
    let errors = refused["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{refused}");
    assert_eq!(errors[0]["field"], "plan");
    assert_eq!(errors[0]["code"], "file_missing");
    assert!(
        errors[0]["message"]["en"]
            .as_str()
            .unwrap()
            .contains(&refs[1].sha256),
        "{refused}"
    );
    assert_eq!(server.state.store.count().unwrap(), 0);
    // A file uploaded for another submission id does not count.
    let other_id = "11111111-2222-4333-8444-555555555555";
    assert_eq!(
        upload(&server, other_id, &photo, "image/jpeg")
            .await
            .status(),
        201
    );
    problem(server.post(body.clone()).await, 422, "files_missing").await;
    // Uploaded for this one, the same submission (signed again) is stored.
    assert_eq!(
        upload(&server, ID, &photo, "image/jpeg").await.status(),
        201
    );
    assert_eq!(server.post(body).await.status(), 201);
    assert_eq!(rows(&server.db, "submission_files"), 2);
}

/// Writes a request head, then its body a little at a time, no more than `cap` bytes in
/// all, stopping as soon as the receiver answers; returns the answer's status and how many
/// body bytes had been written when it came. A receiver that waits for more than `cap`
/// bytes before answering fails the test (after a minute): deterministic, no timing assert.
async fn stream_until_answered(
    base: &str,
    head: String,
    chunked: bool,
    cap: usize,
) -> (u16, usize) {
    let addr = base.strip_prefix("http://").unwrap();
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let answered = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let sending = {
        let (answered, sent) = (answered.clone(), sent.clone());
        tokio::spawn(async move {
            use std::sync::atomic::Ordering::SeqCst;
            writer.write_all(head.as_bytes()).await.unwrap();
            let chunk = vec![b'%'; 64 * 1024];
            while !answered.load(SeqCst) && sent.load(SeqCst) + chunk.len() <= cap {
                let written = if chunked {
                    let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
                    framed.extend_from_slice(&chunk);
                    framed.extend_from_slice(b"\r\n");
                    writer.write_all(&framed).await
                } else {
                    writer.write_all(&chunk).await
                };
                if written.is_err() {
                    break; // the receiver closed the connection after answering
                }
                sent.fetch_add(chunk.len(), SeqCst);
                // Slowly, as a phone on a bad connection sends.
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            // Keep the connection open (without sending more) until the answer has come.
            while !answered.load(SeqCst) {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };
    let answer = async {
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = reader.read(&mut buf).await.unwrap();
            assert!(
                n > 0,
                "the receiver closed the connection without answering"
            );
            head.extend_from_slice(&buf[..n]);
        }
        String::from_utf8_lossy(&head).into_owned()
    };
    let head = tokio::time::timeout(Duration::from_secs(60), answer)
        .await
        .expect("no answer while the body was held back: the receiver waited for it");
    let sent_when_answered = sent.load(std::sync::atomic::Ordering::SeqCst);
    answered.store(true, std::sync::atomic::Ordering::SeqCst);
    sending.await.unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, sent_when_answered)
}

/// A field of `/proc/PID/status` in kB (`VmRSS`, `VmHWM`).
fn proc_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// A receiver process of its own on a new SQLite file with [`file_form`], and its folder.
async fn child_receiver() -> (ChildReceiver, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let forms = dir.path().join("forms");
    common::write_test_forms(&forms);
    std::fs::write(forms.join("bilagor.json"), file_form()).unwrap();
    let receiver = ChildReceiver::start(
        vec![
            "--db".into(),
            dir.path().join("db.sqlite3").into(),
            "--forms".into(),
            forms.into(),
        ],
        Vec::new(),
    )
    .await;
    (receiver, dir)
}

/// 100 MB against a 10 MiB limit: refused on `Content-Length` before one byte of the body
/// is read, and, sent without a length, refused once the limit is passed; the receiver's
/// memory stays flat either way.
#[tokio::test]
async fn a_100_mb_body_is_refused_early_and_memory_stays_flat() {
    let (receiver, _dir) = child_receiver().await;
    let pid = receiver.pid();
    let before = proc_kb(pid, "VmRSS");
    let path = file_path(ID, &"a".repeat(64));
    let hundred_mb = 100 * 1024 * 1024;
    // Content-Length says 100 MB: the answer comes while at most 1 MiB of it was sent.
    let head = format!(
        "PUT {path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/pdf\r\n\
         content-length: {hundred_mb}\r\n\r\n"
    );
    let (status, sent) = stream_until_answered(&receiver.base, head, false, 1024 * 1024).await;
    assert_eq!(status, 413);
    assert!(sent <= 1024 * 1024, "{sent} bytes sent");
    // No length: the receiver reads up to the limit and stops; the client never gets to
    // send more than twice the limit before the answer.
    let head = format!(
        "PUT {path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/pdf\r\n\
         transfer-encoding: chunked\r\n\r\n"
    );
    let (status, sent) = stream_until_answered(&receiver.base, head, true, 2 * LIMIT).await;
    assert_eq!(status, 413);
    assert!(sent <= 2 * LIMIT, "{sent} bytes sent");
    // The peak memory of the process: never near the 100 MB sent at it.
    let peak = proc_kb(pid, "VmHWM");
    eprintln!(
        "VmRSS before {before} kB, VmHWM after {peak} kB; chunked: {sent} bytes sent when answered"
    );
    assert!(
        peak < before + 40 * 1024,
        "memory grew from {before} kB to a peak of {peak} kB"
    );
}

/// A body that ends before its `Content-Length` (the connection dropped mid-body) stages
/// nothing: the next, whole upload of the same file is new (201).
#[tokio::test]
async fn a_truncated_upload_stages_nothing() {
    let server = file_server(None).await;
    let plan = jpeg(200_000);
    let path = file_path(ID, &sha256_hex(&plan));
    let headers = upload_headers(&server.device, &server.base, &path, ID, &plan, "image/jpeg");
    let start = format!("PUT {path}");
    let part = &plan[..plan.len() / 2];
    let mut stream = send_part(&server.base, &start, plan.len(), &headers, part).await;
    stream.shutdown().await.unwrap();
    // Whatever the receiver answers (or not), it closes the connection.
    let mut rest = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut rest))
        .await
        .expect("the receiver kept a cut-off upload open")
        .ok();
    let text = String::from_utf8_lossy(&rest);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 400 "),
        "{text}"
    );
    assert_eq!(rows(&server.db, "staged_files"), 0);
    assert_eq!(rows(&server.db, "files"), 0);
    assert_eq!(upload(&server, ID, &plan, "image/jpeg").await.status(), 201);
}

/// A receiver killed (SIGKILL) in the middle of an upload and started again has no staged
/// upload and no file of it; killed in the middle of the submission, it has no case and the
/// upload still staged; the submission then goes through.
#[tokio::test]
async fn a_receiver_killed_mid_upload_leaves_no_staged_row_and_no_file() {
    let (mut receiver, dir) = child_receiver().await;
    let device = Device::p256();
    let plan = jpeg(4 * 1024 * 1024);
    let path = file_path(ID, &sha256_hex(&plan));
    let headers = upload_headers(&device, &receiver.base, &path, ID, &plan, "image/jpeg");
    let start = format!("PUT {path}");
    let part = &plan[..plan.len() / 2];
    let stream = send_part(&receiver.base, &start, plan.len(), &headers, part).await;
    receiver.restart().await;
    drop(stream);
    let db = dir.path().join("db.sqlite3");
    assert_eq!(rows(&db, "staged_files"), 0);
    assert_eq!(rows(&db, "files"), 0);
    assert_eq!(rows(&db, "submissions"), 0);
    // Sent again whole to the restarted receiver: staged.
    let client = reqwest::Client::new();
    let headers = upload_headers(&device, &receiver.base, &path, ID, &plan, "image/jpeg");
    let response = put(
        &client,
        format!("{}{path}", receiver.base),
        &headers,
        plan.clone(),
    )
    .await;
    assert_eq!(response.status(), 201);
    // Killed in the middle of the submission that claims it: no case, the upload staged.
    let body = submission(ID, vec![file_ref("foto.jpg", "image/jpeg", &plan)]);
    let post_headers = |base: &str| {
        let signing = Signing {
            target_uri: format!("{base}/api/submissions"),
            content_type: "application/json".into(),
            idempotency_key: format!("\"{ID}\""),
            created: now(),
            nonce: nonce(),
            input: None,
        };
        common::signed_headers(&device, body.as_bytes(), &signing)
    };
    let fields = post_headers(&receiver.base);
    let part = &body.as_bytes()[..body.len() / 2];
    let stream = send_part(
        &receiver.base,
        "POST /api/submissions",
        body.len(),
        &fields,
        part,
    )
    .await;
    receiver.restart().await;
    drop(stream);
    assert_eq!(
        (rows(&db, "submissions"), rows(&db, "submission_files")),
        (0, 0)
    );
    assert_eq!((rows(&db, "staged_files"), rows(&db, "files")), (1, 1));
    // The outbox sends the submission again: it claims the staged upload.
    let headers = post_headers(&receiver.base);
    let mut post = client.post(format!("{}/api/submissions", receiver.base));
    for (name, value) in &headers {
        post = post.header(name.as_str(), value.as_str());
    }
    assert_eq!(post.body(body.clone()).send().await.unwrap().status(), 201);
    assert_eq!(
        (rows(&db, "submission_files"), rows(&db, "staged_files")),
        (1, 0)
    );
}

/// The scanner hook: a script that refuses a file with the EICAR string gets 422
/// `file_refused`; a scanner that fails gets 503 `scanner_unavailable` with `Retry-After`.
#[tokio::test]
async fn the_scanner_hook_refuses_and_fails_safely() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("scan.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\n# Exit 1 (refused) when the file on stdin holds the EICAR test string.\n\
         if grep -q 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE'; then echo 'stdin: Eicar FOUND'; exit 1; fi\n\
         exit 0\n",
    )
    .unwrap();
    let server = file_server(Some(format!("sh {}", script.display()))).await;
    let note = format!("Hej! {EICAR}\n").into_bytes();
    let refused = upload(&server, ID, &note, "text/plain").await;
    problem(refused, 422, "file_refused").await;
    let clean = b"Ett vanligt meddelande.\n".to_vec();
    assert_eq!(
        upload(&server, ID, &clean, "text/plain").await.status(),
        201
    );
    assert_eq!(rows(&server.db, "files"), 1, "only the clean file");

    let failing = file_server(Some("echo 'cannot connect to clamd' >&2; exit 2".into())).await;
    let response = upload(&failing, ID, &clean, "text/plain").await;
    assert_eq!(header(&response, "retry-after"), "30");
    problem(response, 503, "scanner_unavailable").await;
    assert_eq!(rows(&failing.db, "staged_files"), 0);
}

/// Uploads are signed as submissions are: an unsigned upload is refused where signatures
/// are required, and a nonce may not be used for a second upload.
#[tokio::test]
async fn uploads_are_signed_and_their_nonces_used_once() {
    let server = file_server(None).await;
    let plan = pdf("plan");
    let path = file_path(ID, &sha256_hex(&plan));
    let unsigned = [
        ("content-type".to_owned(), "application/pdf".to_owned()),
        ("idempotency-key".to_owned(), format!("\"{ID}\"")),
    ];
    let response = put(&server.client, server.url(&path), &unsigned, plan.clone()).await;
    problem(response, 400, "digest_missing").await;
    let digested = common::with(
        &unsigned,
        "content-digest",
        &blankett_core::signing::content_digest(&plan),
    );
    let response = put(&server.client, server.url(&path), &digested, plan.clone()).await;
    problem(response, 401, "signature_missing").await;
    let signing = Signing {
        target_uri: server.url(&path),
        content_type: "application/pdf".into(),
        idempotency_key: format!("\"{ID}\""),
        created: now(),
        nonce: nonce(),
        input: None,
    };
    let headers = signed_request_headers(&server.device, "PUT", &plan, &signing);
    assert_eq!(
        put(&server.client, server.url(&path), &headers, plan.clone())
            .await
            .status(),
        201
    );
    // The very same request again: already staged, 200.
    assert_eq!(
        put(&server.client, server.url(&path), &headers, plan.clone())
            .await
            .status(),
        200
    );
    // Another file signed with the same nonce: a replay.
    let other = pdf("other");
    let other_path = file_path(ID, &sha256_hex(&other));
    let reused = Signing {
        target_uri: server.url(&other_path),
        ..signing
    };
    let headers = signed_request_headers(&server.device, "PUT", &other, &reused);
    let response = put(&server.client, server.url(&other_path), &headers, other).await;
    problem(response, 401, "signature_replayed").await;
    // The Idempotency-Key must be the submission id of the address.
    let wrong = Signing {
        target_uri: server.url(&path),
        idempotency_key: "\"another-id\"".into(),
        nonce: nonce(),
        ..reused
    };
    let headers = signed_request_headers(&server.device, "PUT", &plan, &wrong);
    let response = put(&server.client, server.url(&path), &headers, plan).await;
    problem(response, 400, "idempotency_key_mismatch").await;
}

/// A form on another origin uploads cross-origin: the preflight of an upload allows `PUT`
/// and the signed headers, and the upload's answer carries the CORS headers.
#[tokio::test]
async fn uploads_are_allowed_cross_origin() {
    let server = file_server(None).await;
    let plan = pdf("plan");
    let path = file_path(ID, &sha256_hex(&plan));
    let preflight = server
        .client
        .request(reqwest::Method::OPTIONS, server.url(&path))
        .header("origin", "https://www.exempelby.se")
        .header("access-control-request-method", "PUT")
        .header(
            "access-control-request-headers",
            "content-type, idempotency-key, signature, signature-input, content-digest, blankett-key",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    assert_eq!(header(&preflight, "access-control-allow-origin"), "*");
    assert!(
        header(&preflight, "access-control-allow-methods").contains("PUT"),
        "{}",
        header(&preflight, "access-control-allow-methods")
    );
    common::assert_allows_signed_headers(&preflight);
    let uploaded = upload(&server, ID, &plan, "application/pdf").await;
    assert_eq!(uploaded.status(), 201);
    assert_eq!(header(&uploaded, "access-control-allow-origin"), "*");
    assert_eq!(header(&uploaded, "cache-control"), "no-store");
    // Any other method on a file's address is a problem document naming the allowed ones.
    let deleted = server
        .client
        .delete(server.url(&path))
        .send()
        .await
        .unwrap();
    assert_eq!(header(&deleted, "allow"), "GET, PUT, OPTIONS");
    problem(deleted, 405, "method_not_allowed").await;
}

/// The same files through a receiver on PostgreSQL (issue 19's shared store): staged,
/// claimed in the submission's transaction, read back byte for byte.
#[tokio::test]
async fn attachments_on_postgresql() {
    let (cluster, url) = common::pg::start_with_database(false).await;
    let server = start(Options {
        admin_token: Some("secret-token-secret-token-secret".into()),
        extra_forms: vec![("bilagor.json".into(), file_form())],
        db: Some(url.clone().into()),
        ..Options::default()
    })
    .await;
    let (plan, photo) = (pdf("plan"), jpeg(1_000_000));
    assert_eq!(
        upload(&server, ID, &plan, "application/pdf").await.status(),
        201
    );
    assert_eq!(
        upload(&server, ID, &plan, "application/pdf").await.status(),
        200
    );
    let refs = vec![
        file_ref("plan.pdf", "application/pdf", &plan),
        file_ref("foto.jpg", "image/jpeg", &photo),
    ];
    let body = submission(ID, refs.clone());
    problem(server.post(body.clone()).await, 422, "files_missing").await;
    assert_eq!(
        upload(&server, ID, &photo, "image/jpeg").await.status(),
        201
    );
    let response = server.post(body).await;
    assert_eq!(response.status(), 201);
    let reference = common::json_of(response).await["reference"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = server
        .client
        .get(server.url(&format!(
            "/api/submissions/{reference}/files/{}",
            refs[1].sha256
        )))
        .bearer_auth("secret-token-secret-token-secret")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap().as_ref(), photo.as_slice());
    let counts = tokio::task::spawn_blocking(move || {
        let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        ["files", "staged_files", "submission_files"].map(|table| {
            client
                .query_one(&format!("SELECT COUNT(*) FROM {table}"), &[])
                .unwrap()
                .get::<_, i64>(0)
        })
    })
    .await
    .unwrap();
    assert_eq!(counts, [2, 0, 2]);
    drop(server);
    drop(cluster);
}

/// Waits (at most a minute) until the receiver has `free` upload permits.
async fn permits_become(server: &TestServer, free: usize) {
    let wait = async {
        while server.state.uploads.permits.available_permits() != free {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(60), wait)
        .await
        .unwrap_or_else(|_| panic!("the receiver never had {free} free upload permit(s)"));
}

/// An upload holds one of the `--upload-concurrency` permits while its body is read, and
/// gives it back when it is answered: with one permit, the next upload waits its turn.
#[tokio::test]
async fn an_upload_body_is_read_under_a_permit() {
    let server = start(Options {
        extra_forms: vec![("bilagor.json".into(), file_form())],
        upload_concurrency: Some(1),
        ..Options::default()
    })
    .await;
    permits_become(&server, 1).await;
    let plan = jpeg(1_000_000);
    let path = file_path(ID, &sha256_hex(&plan));
    let mut headers = upload_headers(&server.device, &server.base, &path, ID, &plan, "image/jpeg");
    headers.push(("connection".into(), "close".into()));
    let start = format!("PUT {path}");
    let mut slow = send_part(&server.base, &start, plan.len(), &headers, &plan[..1000]).await;
    // The slow upload's body is being read: it holds the only permit.
    permits_become(&server, 0).await;
    let other = pdf("waits");
    let waiting = {
        let (client, base, device_headers) = (
            server.client.clone(),
            server.base.clone(),
            upload_headers(
                &server.device,
                &server.base,
                &file_path(ID, &sha256_hex(&other)),
                ID,
                &other,
                "application/pdf",
            ),
        );
        let url = format!("{base}{}", file_path(ID, &sha256_hex(&other)));
        let other = other.clone();
        tokio::spawn(async move { put(&client, url, &device_headers, other).await.status() })
    };
    // The rest of the slow body: it is staged, and the waiting upload gets the permit.
    slow.write_all(&plan[1000..]).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), slow.read_to_end(&mut answer))
        .await
        .unwrap()
        .unwrap();
    assert!(
        answer.starts_with(b"HTTP/1.1 201 "),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    assert_eq!(waiting.await.unwrap(), 201);
    permits_become(&server, 1).await;
    assert_eq!(rows(&server.db, "staged_files"), 2);
}

/// A submission claims only the uploads of the key that signs it: with `--allow-unsigned`,
/// an unsigned submission claims unsigned uploads, never a device's signed ones.
#[tokio::test]
async fn a_submission_claims_only_the_uploads_of_its_own_key() {
    let server = start(Options {
        extra_forms: vec![("bilagor.json".into(), file_form())],
        allow_unsigned: true,
        ..Options::default()
    })
    .await;
    let plan = pdf("plan");
    // Signed by the device.
    assert_eq!(
        upload(&server, ID, &plan, "application/pdf").await.status(),
        201
    );
    let body = submission(ID, vec![file_ref("plan.pdf", "application/pdf", &plan)]);
    problem(
        server.post_unsigned(body.clone()).await,
        422,
        "files_missing",
    )
    .await;
    // Uploaded unsigned as well: the unsigned submission is stored.
    let path = file_path(ID, &sha256_hex(&plan));
    let unsigned = [
        ("content-type".to_owned(), "application/pdf".to_owned()),
        ("idempotency-key".to_owned(), format!("\"{ID}\"")),
    ];
    let response = put(&server.client, server.url(&path), &unsigned, plan.clone()).await;
    assert_eq!(response.status(), 201);
    assert_eq!(rows(&server.db, "files"), 1, "the same bytes, stored once");
    assert_eq!(server.post_unsigned(body).await.status(), 201);
    let key: Option<String> = rusqlite::Connection::open(&server.db)
        .unwrap()
        .query_row("SELECT key_id FROM submissions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(key, None);
    assert_eq!(rows(&server.db, "submission_files"), 1);
    assert_eq!(
        rows(&server.db, "staged_files"),
        0,
        "the signed one goes too"
    );
}

#[tokio::test]
async fn the_flowinstance_xml_carries_the_files_bytes_as_oep_writes_them() {
    const TOKEN: &str = "secret-token-secret-token-secret";
    const OEP_ID: &str = "5d2c9a7e-3b1f-4c6d-8e0a-9f8e7d6c5b4a";
    // The same form, delivered as Open ePlatform FlowInstance XML under its field ids.
    let with_oep = file_form().replacen('{', r#"{ "x-oep": {},"#, 1);
    let server = start(Options {
        admin_token: Some(TOKEN.into()),
        extra_forms: vec![("bilagor.json".into(), with_oep)],
        ..Options::default()
    })
    .await;
    let (plan, photo) = (pdf("oep"), jpeg(3000));
    for (bytes, media_type) in [(&plan, "application/pdf"), (&photo, "image/jpeg")] {
        let status = upload(&server, OEP_ID, bytes, media_type).await.status();
        assert_eq!(status, 201);
    }
    let refs = vec![
        file_ref("Situationsplan öster.pdf", "application/pdf", &plan),
        file_ref("IMG_0001.jpg", "image/jpeg", &photo),
    ];
    let response = server.post(submission(OEP_ID, refs.clone())).await;
    assert_eq!(response.status(), 201);
    let reference = common::json_of(response).await["reference"]
        .as_str()
        .unwrap()
        .to_owned();

    let xml = server
        .client
        .get(server.url(&format!("/api/submissions/{reference}/flowinstance.xml")))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(xml.status(), 200);
    let xml = xml.bytes().await.unwrap().to_vec();
    let text: String = xml.iter().map(|b| char::from(*b)).collect();
    for (file, bytes) in refs.iter().zip([&plan, &photo]) {
        let element = format!(
            "<File>\n        <ID>{}</ID>\n        <Name>{}</Name>\n        <Size>{}</Size>\n        <EncodedData>{}</EncodedData>\n      </File>",
            file.sha256,
            file.name,
            bytes.len(),
            blankett_core::signing::base64::encode(bytes)
        );
        assert!(text.contains(&element), "{element}\nis not in\n{text}");
    }

    // The form's schema accepts the case (xmllint, as integrators check it).
    let xsd = server.get("/api/forms/bilagor/flowinstance.xsd").await;
    assert_eq!(xsd.status(), 200);
    let xsd = xsd.bytes().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (xsd_path, xml_path) = (dir.path().join("flow.xsd"), dir.path().join("case.xml"));
    std::fs::write(&xsd_path, &xsd).unwrap();
    std::fs::write(&xml_path, &xml).unwrap();
    let out = std::process::Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&xsd_path)
        .arg(&xml_path)
        .output()
        .expect("xmllint (`cargo xtask install` installs libxml2-utils)");
    assert!(
        out.status.success(),
        "{}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
}
