//! Several receivers on one PostgreSQL database (issue 19), as processes, over HTTP.
//!
//! - Two receivers; N signed submissions (1,000 by default, `BLANKETT_CLUSTER_N`) sent by
//!   eight outbox-like clients, every request sent to both receivers at once; one receiver
//!   killed (SIGKILL) mid-run and started again. Exactly N rows; wherever both receivers
//!   answered, they named the same reference.
//! - One receiver whose database is stopped for a few seconds mid-run: `503` with
//!   `Retry-After` meanwhile, `/readyz` not ready, and once the database is back every
//!   submission lands once.
//!
//! The clients send again after any answer they cannot use, each attempt signed anew, as
//! the browser's outbox does; nothing here waits for a time to decide an outcome.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::collections::HashMap;
use std::ffi::OsString;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use blankett_core::protocol::SendOutcome;
use common::pg::Cluster;
use common::{ChildReceiver, Device, Signing};

/// The URL both receivers are told citizens use (`--public-url`): the load balancer's.
const PUBLIC: &str = "http://receivers.test";

/// Outbox-like clients sending at once.
const CLIENTS: usize = 8;

/// The longest a test may run before it counts as hung.
const GUARD: Duration = Duration::from_secs(600);

/// How many submissions the two-receiver run sends.
fn n() -> usize {
    std::env::var("BLANKETT_CLUSTER_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n >= 10)
        .unwrap_or(1000)
}

/// One submission: its id and exact body.
#[derive(Clone)]
struct Item {
    id: String,
    body: String,
}

fn items(n: usize, run: u32) -> Vec<Item> {
    (0..n)
        .map(|i| {
            let id = format!("{run:08x}-0000-4000-8000-{i:012}");
            let body = common::submission(&id, &format!("Person {i}")).to_canonical_json();
            Item { id, body }
        })
        .collect()
}

/// The arguments of a receiver on database `url`.
fn receiver_args(dir: &std::path::Path, url: &str, extra: &[&str]) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec![
        "--db".into(),
        url.into(),
        "--forms".into(),
        dir.join("forms").into(),
        "--dist".into(),
        dir.join("dist").into(),
        "--public-url".into(),
        PUBLIC.into(),
    ];
    args.extend(extra.iter().map(OsString::from));
    args
}

/// What one receiver answered to one attempt.
#[derive(Debug)]
struct Answer {
    status: u16,
    outcome: SendOutcome,
    retry_after: Option<String>,
}

/// Sends `body` signed by `device` to `base` (the receiver's real address; the signature
/// covers the public URL).
async fn send(
    http: &reqwest::Client,
    base: &str,
    headers: &[(String, String)],
    body: &str,
) -> Answer {
    let mut request = http
        .post(format!("{base}/api/submissions"))
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            match response.text().await {
                Ok(text) => Answer {
                    status,
                    outcome: SendOutcome::from_reply(status, &text),
                    retry_after,
                },
                Err(_) => Answer {
                    status,
                    outcome: SendOutcome::NO_REPLY,
                    retry_after,
                },
            }
        }
        Err(_) => Answer {
            status: 0,
            outcome: SendOutcome::NO_REPLY,
            retry_after: None,
        },
    }
}

fn signed(device: &Device, item: &Item) -> Vec<(String, String)> {
    let signing = Signing {
        target_uri: format!("{PUBLIC}/api/submissions"),
        content_type: "application/json".into(),
        idempotency_key: common::idempotency_key_of(&item.body),
        created: common::now(),
        nonce: common::nonce(),
        input: None,
    };
    common::signed_headers(device, item.body.as_bytes(), &signing)
}

/// What the clients saw, for the checks at the end.
#[derive(Default)]
struct Seen {
    /// Every reference any receiver named for each submission id.
    references: HashMap<String, Vec<String>>,
    /// Answers by status code.
    statuses: HashMap<u16, usize>,
    /// 503 answers without a `Retry-After`.
    unavailable_without_retry_after: usize,
}

/// One device's outbox: each submission until a receipt, every attempt signed anew and sent
/// to every receiver in `bases` at once.
async fn outbox(
    items: Vec<Item>,
    bases: Vec<Arc<RwLock<String>>>,
    seen: Arc<Mutex<Seen>>,
    delivered: Arc<AtomicUsize>,
) {
    let device = Device::p256();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    for item in items {
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            let headers = signed(&device, &item);
            let sends = bases.iter().map(|base| {
                let base = base.read().unwrap().clone();
                let (http, headers, body) = (http.clone(), headers.clone(), item.body.clone());
                async move { send(&http, &base, &headers, &body).await }
            });
            let answers = join_all(sends).await;
            let mut got = false;
            {
                let mut seen = seen.lock().unwrap();
                for answer in &answers {
                    *seen.statuses.entry(answer.status).or_default() += 1;
                    if answer.status == 503 && answer.retry_after.is_none() {
                        seen.unavailable_without_retry_after += 1;
                    }
                    match &answer.outcome {
                        SendOutcome::Received(receipt) => {
                            assert_eq!(receipt.submission_id, item.id);
                            seen.references
                                .entry(item.id.clone())
                                .or_default()
                                .push(receipt.reference.clone());
                            got = true;
                        }
                        SendOutcome::TryAgain { .. } => {}
                        other => panic!("{} refused: {} {other:?}", item.id, answer.status),
                    }
                }
            }
            if got {
                delivered.fetch_add(1, Ordering::Relaxed);
                break;
            }
            assert!(
                attempts < 500,
                "{} got no receipt in {attempts} attempts",
                item.id
            );
            tokio::time::sleep(Duration::from_millis(50 * u64::from(attempts.min(6)))).await;
        }
    }
}

/// Runs every future at once and collects their outputs in order.
async fn join_all<F: std::future::Future<Output = Answer> + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<Answer> {
    let tasks: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(tasks.len());
    for task in tasks {
        out.push(task.await.unwrap());
    }
    out
}

/// The stored rows: submission id → (reference, body).
async fn stored(cluster: Arc<Cluster>) -> HashMap<String, (String, String)> {
    tokio::task::spawn_blocking(move || {
        cluster
            .client("blankett")
            .query(
                "SELECT submission_id, reference, body FROM submissions",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| (r.get(0), (r.get(1), r.get(2))))
            .collect()
    })
    .await
    .unwrap()
}

/// Exactly one row per item, each the bytes sent, under the one reference every receipt
/// for it named; references distinct.
async fn check_exactly_once(cluster: Arc<Cluster>, items: &[Item], seen: &Seen) {
    let rows = stored(cluster).await;
    assert_eq!(rows.len(), items.len(), "rows in the database");
    let mut references = Vec::new();
    for item in items {
        let (reference, body) = rows
            .get(&item.id)
            .unwrap_or_else(|| panic!("{} not stored", item.id));
        assert_eq!(body, &item.body, "{}: stored bytes", item.id);
        let named = &seen.references[&item.id];
        assert!(
            named.iter().all(|r| r == reference),
            "{}: receipts name {named:?}, stored as {reference}",
            item.id
        );
        references.push(reference.clone());
    }
    references.sort();
    references.dedup();
    assert_eq!(
        references.len(),
        items.len(),
        "two submissions share a reference"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_receivers_store_every_duplicated_submission_once_through_a_kill() {
    tokio::time::timeout(GUARD, two_receivers(n()))
        .await
        .expect("the run did not end in time");
}

async fn two_receivers(n: usize) {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    common::write_test_forms(&dir.path().join("forms"));
    let (cluster, url) = common::pg::start_with_database(false).await;
    let cluster = Arc::new(cluster);
    // Both start at once on the empty database: one migrates, one key is made.
    let (first, second) = tokio::join!(
        ChildReceiver::start(receiver_args(dir.path(), &url, &[]), vec![]),
        ChildReceiver::start(receiver_args(dir.path(), &url, &[]), vec![]),
    );
    let keys: Vec<serde_json::Value> = jwks_of(&[&first.base, &second.base]).await;
    assert_eq!(keys[0], keys[1], "the receivers sign receipts with one key");
    let bases = [
        Arc::new(RwLock::new(first.base.clone())),
        Arc::new(RwLock::new(second.base.clone())),
    ];
    let items = items(n, 1);
    let seen = Arc::new(Mutex::new(Seen::default()));
    let delivered = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let mine = items.iter().skip(c).step_by(CLIENTS).cloned().collect();
            tokio::spawn(outbox(
                mine,
                bases.to_vec(),
                Arc::clone(&seen),
                Arc::clone(&delivered),
            ))
        })
        .collect();
    // A third of the way through, the second receiver is killed and started again.
    let mut second = second;
    while delivered.load(Ordering::Relaxed) < n / 3 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    second.kill().await;
    let killed_at = delivered.load(Ordering::Relaxed);
    tokio::time::sleep(Duration::from_millis(300)).await;
    second.restart().await;
    *bases[1].write().unwrap() = second.base.clone();
    for client in clients {
        client.await.unwrap();
    }
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    check_exactly_once(Arc::clone(&cluster), &items, &seen).await;
    let both = seen.references.values().filter(|r| r.len() >= 2).count();
    println!(
        "\nTwo receivers, one PostgreSQL: {n} submissions from {CLIENTS} clients, each request \
         sent to both, in {:.1} s; the second receiver killed after {killed_at} and started again",
        started.elapsed().as_secs_f64()
    );
    let mut statuses: Vec<_> = seen.statuses.iter().collect();
    statuses.sort();
    println!("  answers by status (0: no answer): {statuses:?}");
    println!("  submissions with a receipt from both receivers: {both}");
    assert!(
        both > n / 2,
        "most duplicates were answered by both: {both}"
    );
    assert!(
        seen.statuses.get(&200).copied().unwrap_or(0) > 0,
        "no duplicate was answered 200"
    );
    assert_eq!(first.log(), "", "the first receiver logged errors");
}

/// Each receiver's published receipt keys (its JWKS).
async fn jwks_of(bases: &[&str]) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for base in bases {
        let response = reqwest::get(format!("{base}{}", blankett_server::JWKS_PATH))
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        out.push(response.json().await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_stopped_mid_run_gives_503s_then_every_submission_lands_once() {
    tokio::time::timeout(GUARD, database_outage(200))
        .await
        .expect("the run did not end in time");
}

async fn database_outage(n: usize) {
    let dir = tempfile::tempdir().unwrap();
    common::write_test_forms(&dir.path().join("forms"));
    let (cluster, url) = common::pg::start_with_database(false).await;
    let cluster = Arc::new(cluster);
    let receiver = ChildReceiver::start(
        receiver_args(dir.path(), &url, &["--db-timeout", "1"]),
        vec![],
    )
    .await;
    let base = Arc::new(RwLock::new(receiver.base.clone()));
    let items = items(n, 2);
    let seen = Arc::new(Mutex::new(Seen::default()));
    let delivered = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..4)
        .map(|c| {
            let mine = items.iter().skip(c).step_by(4).cloned().collect();
            tokio::spawn(outbox(
                mine,
                vec![Arc::clone(&base)],
                Arc::clone(&seen),
                Arc::clone(&delivered),
            ))
        })
        .collect();
    while delivered.load(Ordering::Relaxed) < n / 4 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let stopping = Arc::clone(&cluster);
    tokio::task::spawn_blocking(move || stopping.stop_server())
        .await
        .unwrap();
    let stopped_at = delivered.load(Ordering::Relaxed);
    // While it is down the receiver says it is not ready, and why.
    let ready = reqwest::get(format!("{}/readyz", receiver.base))
        .await
        .unwrap();
    assert_eq!(ready.status(), 503);
    assert!(ready.headers().contains_key("retry-after"));
    let problem: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(problem["code"], "not_ready", "{problem}");
    // Wait until the clients have met the outage, then start the database again.
    let outage = Instant::now();
    while seen
        .lock()
        .unwrap()
        .statuses
        .get(&503)
        .copied()
        .unwrap_or(0)
        < 4
    {
        assert!(
            outage.elapsed() < Duration::from_secs(60),
            "no 503 while the database was down"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let starting = Arc::clone(&cluster);
    tokio::task::spawn_blocking(move || starting.start_server())
        .await
        .unwrap();
    for client in clients {
        client.await.unwrap();
    }
    let ready = reqwest::get(format!("{}/readyz", receiver.base))
        .await
        .unwrap();
    assert_eq!(ready.status(), 200, "ready again");
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    check_exactly_once(Arc::clone(&cluster), &items, &seen).await;
    let unavailable = seen.statuses.get(&503).copied().unwrap_or(0);
    println!(
        "\nDatabase stopped after {stopped_at} of {n} submissions for {:.1} s: {unavailable} answers 503; \
         every submission stored once",
        outage.elapsed().as_secs_f64()
    );
    assert_eq!(
        seen.unavailable_without_retry_after, 0,
        "a 503 without Retry-After"
    );
    assert!(
        stopped_at < n,
        "the database was stopped after every submission had landed"
    );
}
