//! Hostile clients (issue 21): a client that never finishes its head, stalls its body or
//! sits idle is cut off while others are served; connections over the cap are answered
//! `503` at once; the per-client submission rate answers `429` when it is set and never when
//! it is not; a path segment no file can have is `404` (or `414`), never a `500` or an error
//! in the log.
//!
//! Each receiver runs as a process of its own with short timeouts (1 s); the waits are
//! generous (30 s and more) and nothing asserts how fast anything is.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::ffi::OsString;
use std::time::Duration;

use common::{ChildReceiver, raw_request, submission, write_test_forms};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// Long enough for anything on a busy machine; nothing here waits this long when it works.
const GENEROUS: Duration = Duration::from_secs(60);

/// A receiver process with its forms, an app page and `args` (timeouts, caps).
async fn receiver(dir: &tempfile::TempDir, args: &[&str]) -> ChildReceiver {
    let forms = dir.path().join("forms");
    write_test_forms(&forms);
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>Blankett</title>",
    )
    .unwrap();
    let mut all: Vec<OsString> = vec![
        "--db".into(),
        dir.path().join("blankett.sqlite3").into(),
        "--forms".into(),
        forms.into(),
        "--dist".into(),
        dist.into(),
    ];
    all.extend(args.iter().map(OsString::from));
    ChildReceiver::start(all, Vec::new()).await
}

/// A new connection to the receiver.
async fn connect(receiver: &ChildReceiver) -> TcpStream {
    TcpStream::connect(receiver.base.strip_prefix("http://").unwrap())
        .await
        .unwrap()
}

/// Reads until the receiver closes `stream` (or resets it); what it wrote before. Panics
/// when the connection is still open after [`GENEROUS`].
async fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut read = Vec::new();
    let mut buf = [0u8; 4096];
    tokio::time::timeout(GENEROUS, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => read.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .expect("the receiver kept the connection open");
    read
}

/// `GET path` over a new connection that asks to be closed: the status.
async fn get_status(receiver: &ChildReceiver, path: &str) -> u16 {
    let request = format!("GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
    raw_request(&receiver.base, request.as_bytes()).await.status
}

#[tokio::test]
async fn a_client_that_never_finishes_its_head_is_cut_off_while_others_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let receiver = receiver(&dir, &["--header-timeout", "1", "--idle-timeout", "600"]).await;
    // A request line and one header field, then nothing, as a slow-headers attack sends.
    let mut slow = Vec::new();
    for _ in 0..20 {
        let mut stream = connect(&receiver).await;
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n")
            .await
            .unwrap();
        slow.push(stream);
    }
    // Meanwhile a normal client is served.
    assert_eq!(get_status(&receiver, "/healthz").await, 200);
    for stream in &mut slow {
        let answer = read_until_closed(stream).await;
        // hyper closes it (it may say 408 first); never a 200 for a head that never ended.
        assert!(
            !String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"),
            "{}",
            String::from_utf8_lossy(&answer)
        );
    }
    assert_eq!(get_status(&receiver, "/healthz").await, 200);
}

#[tokio::test]
async fn an_idle_connection_is_closed_after_the_idle_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let receiver = receiver(&dir, &["--header-timeout", "600", "--idle-timeout", "1"]).await;
    // One that never sends a byte.
    let mut silent = connect(&receiver).await;
    assert!(read_until_closed(&mut silent).await.is_empty());
    // One kept alive after an answer.
    let mut kept = connect(&receiver).await;
    kept.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let answer = read_until_closed(&mut kept).await;
    assert!(
        String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
}

#[tokio::test]
async fn a_body_that_stalls_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let receiver = receiver(
        &dir,
        &[
            "--body-timeout",
            "1",
            "--header-timeout",
            "600",
            "--idle-timeout",
            "600",
            "--allow-unsigned",
        ],
    )
    .await;
    let mut stream = connect(&receiver).await;
    stream
        .write_all(
            b"POST /api/submissions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n\
              content-length: 1000\r\n\r\n{\"submission_id\":",
        )
        .await
        .unwrap();
    let answer = String::from_utf8_lossy(&read_until_closed(&mut stream).await).into_owned();
    // Answered as a body that could not be read, and closed; nothing stored.
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    assert!(answer.contains("\"code\":\"unreadable_body\""), "{answer}");
    assert_eq!(get_status(&receiver, "/healthz").await, 200);
}

#[tokio::test]
async fn connections_over_the_cap_are_answered_503_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let receiver = receiver(
        &dir,
        &[
            "--max-connections",
            "2",
            "--header-timeout",
            "600",
            "--idle-timeout",
            "600",
        ],
    )
    .await;
    let mut held = vec![connect(&receiver).await, connect(&receiver).await];
    for stream in &mut held {
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\n")
            .await
            .unwrap();
    }
    // The receiver accepts the two first; wait until a third is refused (each try is a
    // new connection: the first may come before the receiver took both).
    let over = tokio::time::timeout(GENEROUS, async {
        loop {
            let answer = raw_request(
                &receiver.base,
                b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
            )
            .await;
            if answer.status == 503 {
                break answer;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("a connection over the cap was never refused");
    let header = |name: &str| {
        over.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(
        header("content-type").as_deref(),
        Some("application/problem+json")
    );
    assert_eq!(header("retry-after").as_deref(), Some("1"));
    let problem: serde_json::Value = serde_json::from_slice(&over.body).unwrap();
    assert_eq!(problem["code"], "overloaded");
    assert_eq!(problem["status"], 503);
    // Once those two go, others are served again.
    drop(held);
    tokio::time::timeout(GENEROUS, async {
        while get_status(&receiver, "/healthz").await != 200 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the receiver did not serve again after the held connections closed");
}

/// POSTs an unsigned submission with a fresh id; the status and `Retry-After`.
async fn post(client: &reqwest::Client, base: &str, n: u32) -> (u16, Option<String>) {
    let id = format!("9f0e8d7c-6b5a-4c3d-8e2f-1a0b9c8d{n:04x}");
    let response = client
        .post(format!("{base}/api/submissions"))
        .header("content-type", "application/json")
        .body(submission(&id, "Greta Gris").to_canonical_json())
        .send()
        .await
        .unwrap();
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (response.status().as_u16(), retry)
}

#[tokio::test]
async fn the_submission_rate_answers_429_when_set_and_never_when_not() {
    let client = reqwest::Client::new();
    let dir = tempfile::tempdir().unwrap();
    let limited = receiver(&dir, &["--allow-unsigned", "--submit-rate", "3"]).await;
    for n in 0..3 {
        assert_eq!(post(&client, &limited.base, n).await.0, 201);
    }
    let (status, retry) = post(&client, &limited.base, 3).await;
    assert_eq!(status, 429);
    let retry: u64 = retry.unwrap().parse().unwrap();
    assert!((1..=20).contains(&retry), "{retry}");
    // Other requests are not counted.
    assert_eq!(get_status(&limited, "/healthz").await, 200);

    let dir = tempfile::tempdir().unwrap();
    let open = receiver(&dir, &["--allow-unsigned"]).await;
    for n in 0..30 {
        assert_eq!(post(&client, &open.base, n).await.0, 201, "submission {n}");
    }
}

#[tokio::test]
async fn a_path_segment_no_file_can_have_is_404_and_no_error() {
    let dir = tempfile::tempdir().unwrap();
    let receiver = receiver(&dir, &[]).await;
    let long = "a".repeat(300);
    for path in [
        format!("/{long}"),
        format!("/forms/{long}.json"),
        format!("/assets/{long}/app.js"),
        format!("/{}", "%61".repeat(300)),
        format!("/api/submissions/{long}"),
    ] {
        assert_eq!(get_status(&receiver, &path).await, 404, "{path}");
    }
    // Over the receiver's limit on the whole target.
    assert_eq!(
        get_status(&receiver, &format!("/{}", "a".repeat(9000))).await,
        414
    );
    // A name as long as a file's may be is looked up as usual.
    assert_eq!(
        get_status(&receiver, &format!("/{}", "a".repeat(255))).await,
        404
    );
    assert_eq!(get_status(&receiver, "/").await, 200);
    // Give the log a moment to arrive, then look: the receiver logs at error level here.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.log(), "");
}
