//! Fault injection (issue 15): N signed submissions, each sent by a client that behaves like
//! the browser's outbox (`src/outbox.rs`: every attempt signed anew with a fresh `created` and
//! `nonce`, the same body bytes and `Idempotency-Key`, another attempt after any answer it
//! cannot use, with backoff and jitter), go through a TCP proxy that loses the receiver's
//! answers, answers 500 itself, holds requests until the client gives up, delivers some of
//! those late, and kills the receiver (SIGKILL) mid-request and starts it again on the same
//! SQLite file. At the end the database holds exactly N rows, one per submission, and every
//! receipt anyone saw for a submission (the client's, and those the proxy kept from it) names
//! the same reference.
//!
//! Each attempt's fault is a function of a fixed seed, the submission and the attempt's
//! number, so a run injects the same faults at the same places however the clients'
//! requests interleave. Nothing waits for a time to decide the outcome: the proxy holds a
//! request until the client hangs up, and the checks run after every connection is done.
//!
//! `BLANKETT_FAULTS_N` sets N (200 by default); `cargo xtask bench` runs it with more.
//! `-- --nocapture` prints what was injected and what the clients saw.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use blankett_core::answers::row_key;
use blankett_core::{Answer, Answers, Context, Date, Lang, Receipt, SendOutcome, Submission};
use common::{ChildReceiver, Device, Signing};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The seed of everything the test chooses: the answers, the ids and the faults.
const SEED: u64 = 0x0b1a_4e77_f417_5eed;
/// Submissions sent, unless `BLANKETT_FAULTS_N` says otherwise.
const DEFAULT_N: usize = 200;
/// Devices sending at once, each its own key and outbox, one submission at a time.
const CLIENTS: usize = 8;
/// How long a client waits for an answer before it gives up on an attempt.
const CLIENT_TIMEOUT: Duration = Duration::from_millis(500);
/// Attempts after this many of a submission pass through untouched, so every one ends.
const FAULTY_ATTEMPTS: u32 = 4;
/// How many times the receiver is killed and started again during a run.
const RESTARTS: usize = 3;
/// A client's attempts at one submission before the test gives up on the receiver.
const MAX_ATTEMPTS: u32 = 200;
/// The receiver's admin token, to read stored submissions back.
const TOKEN: &str = "faults-admin-token";
/// The whole run must end within this; it is a guard against a hang, not a measurement.
const GUARD: Duration = Duration::from_secs(240);

/// A small xorshift64* generator: the only randomness here apart from keys and nonces.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(mix(seed) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// splitmix64's finaliser: one number spread over all 64 bits.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// What the proxy does with one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fault {
    /// Forwarded, and the receiver's answer passed on.
    None,
    /// Forwarded, the receiver's whole answer read (it has committed), then the client's
    /// connection cut without a byte of it.
    Lost,
    /// Forwarded, then only the first part of the receiver's answer passed on before the cut.
    Truncated,
    /// Never forwarded: the proxy answers `500` itself.
    ServerError,
    /// Never forwarded: held until the client gives up on it.
    Held,
    /// Held until the client gave up, then forwarded anyway: it reaches the receiver late,
    /// racing the client's next attempt.
    Late,
    /// Forwarded, then the receiver killed before it answered and started again.
    KillBeforeAnswer,
    /// Forwarded, the receiver's answer read, then the receiver killed and started again; the
    /// client gets nothing.
    KillAfterAnswer,
}

/// Which fault each attempt gets.
#[derive(Debug)]
struct Plan {
    seed: u64,
    /// The submissions whose first attempt kills the receiver.
    restarts: Vec<usize>,
}

impl Plan {
    fn new(seed: u64, n: usize) -> Plan {
        let mut rng = Rng::new(seed ^ 0x4e57_a47e);
        let restarts = (0..RESTARTS)
            .map(|k| n * (k + 1) / (RESTARTS + 1) + rng.below(n / (2 * RESTARTS + 2)))
            .collect();
        Plan { seed, restarts }
    }

    /// The fault of the `attempt`th request (from 0) of submission `index`.
    fn fault(&self, index: usize, attempt: u32) -> Fault {
        if attempt == 0
            && let Some(k) = self.restarts.iter().position(|&i| i == index)
        {
            return if k % 2 == 0 {
                Fault::KillBeforeAnswer
            } else {
                Fault::KillAfterAnswer
            };
        }
        if attempt >= FAULTY_ATTEMPTS {
            return Fault::None;
        }
        match mix(self.seed ^ ((index as u64) << 8 | u64::from(attempt))) % 100 {
            0..52 => Fault::None,
            52..64 => Fault::Lost,
            64..70 => Fault::Truncated,
            70..82 => Fault::ServerError,
            82..91 => Fault::Held,
            _ => Fault::Late,
        }
    }
}

/// What the proxy counted.
#[derive(Debug, Default)]
struct Tally {
    /// Requests seen per submission.
    attempts: HashMap<usize, u32>,
    /// Faults injected, by kind.
    faults: BTreeMap<Fault, usize>,
    /// Requests answered `502` because the receiver was down or died under them.
    unreachable: usize,
    /// The references in every receipt the receiver gave, passed on or not, per submission.
    receipts: HashMap<usize, Vec<String>>,
    /// Anything the proxy did not expect; the test fails on any.
    problems: Vec<String>,
}

/// The fault-injecting proxy in front of the receiver.
struct Proxy {
    plan: Plan,
    /// Submission id → its index.
    ids: HashMap<String, usize>,
    /// The receiver's process; locked while it is killed and started again.
    receiver: tokio::sync::Mutex<ChildReceiver>,
    /// `host:port` of the running receiver.
    upstream: Mutex<String>,
    tally: Mutex<Tally>,
    /// Every connection's task, to wait for before the checks.
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl Proxy {
    fn upstream(&self) -> String {
        self.upstream.lock().unwrap().clone()
    }

    fn problem(&self, text: String) {
        self.tally.lock().unwrap().problems.push(text);
    }

    /// Handles one connection: one request, one fault.
    async fn handle(self: Arc<Self>, mut client: TcpStream) {
        let Some(request) = read_request(&mut client).await else {
            return;
        };
        let Some(&index) = key_of(&request).and_then(|k| self.ids.get(&k)) else {
            self.problem(format!(
                "a request without a known Idempotency-Key: {:?}",
                String::from_utf8_lossy(&request[..request.len().min(200)])
            ));
            return;
        };
        let fault = {
            let mut tally = self.tally.lock().unwrap();
            let attempt = tally.attempts.entry(index).or_default();
            let fault = self.plan.fault(index, *attempt);
            *attempt += 1;
            *tally.faults.entry(fault).or_default() += 1;
            fault
        };
        match fault {
            Fault::None | Fault::Lost | Fault::Truncated | Fault::Late => {
                if fault == Fault::Late {
                    wait_for_hang_up(&mut client).await;
                }
                let answer = self.forward(index, &request).await;
                let answer = match (fault, answer) {
                    (Fault::Late | Fault::Lost, _) => return,
                    (_, Some(answer)) => answer,
                    (_, None) => {
                        self.tally.lock().unwrap().unreachable += 1;
                        BAD_GATEWAY.to_vec()
                    }
                };
                let end = if fault == Fault::Truncated {
                    1 + (mix(self.plan.seed ^ index as u64) as usize % (answer.len() - 1))
                } else {
                    answer.len()
                };
                let _ = client.write_all(&answer[..end]).await;
            }
            Fault::ServerError => {
                let _ = client.write_all(SERVER_ERROR).await;
            }
            Fault::Held => wait_for_hang_up(&mut client).await,
            Fault::KillBeforeAnswer | Fault::KillAfterAnswer => {
                let mut receiver = self.receiver.lock().await;
                let Ok(mut upstream) = TcpStream::connect(self.upstream()).await else {
                    return self.problem(format!("submission {index}: no receiver to kill"));
                };
                if upstream.write_all(&request).await.is_ok() && fault == Fault::KillAfterAnswer {
                    let mut answer = Vec::new();
                    let _ = upstream.read_to_end(&mut answer).await;
                    self.observe(index, &answer);
                }
                receiver.restart().await;
                *self.upstream.lock().unwrap() = receiver.base.replace("http://", "");
            }
        }
    }

    /// Sends `request` to the receiver and reads its whole answer (it closes the connection
    /// after answering); `None` when it is down or dies before answering.
    async fn forward(&self, index: usize, request: &[u8]) -> Option<Vec<u8>> {
        let mut upstream = TcpStream::connect(self.upstream()).await.ok()?;
        upstream.write_all(request).await.ok()?;
        let mut answer = Vec::new();
        upstream.read_to_end(&mut answer).await.ok()?;
        if answer.is_empty() {
            return None;
        }
        self.observe(index, &answer);
        Some(answer)
    }

    /// Keeps the reference of a receipt in the receiver's answer to submission `index`.
    fn observe(&self, index: usize, answer: &[u8]) {
        let text = String::from_utf8_lossy(answer);
        let Some((head, body)) = text.split_once("\r\n\r\n") else {
            return;
        };
        let status: u16 = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        if !(200..300).contains(&status) {
            return self.problem(format!("submission {index}: the receiver answered {head}"));
        }
        match serde_json::from_str::<Receipt>(body) {
            Ok(receipt) => {
                let mut tally = self.tally.lock().unwrap();
                tally
                    .receipts
                    .entry(index)
                    .or_default()
                    .push(receipt.reference);
            }
            Err(e) => self.problem(format!(
                "submission {index}: a receipt that is not one: {e}"
            )),
        }
    }
}

/// The proxy's own `500`.
const SERVER_ERROR: &[u8] = b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/plain\r\ncontent-length: 22\r\nconnection: close\r\n\r\ninjected by the proxy\n";
/// The proxy's answer when the receiver is down.
const BAD_GATEWAY: &[u8] = b"HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/plain\r\ncontent-length: 20\r\nconnection: close\r\n\r\nthe receiver is down";

/// Reads one HTTP/1.1 request with a `Content-Length` body and returns it with
/// `connection: close` added, so the receiver closes after answering it.
async fn read_request(client: &mut TcpStream) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let read = client.read(&mut buffer).await.ok()?;
        if read == 0 {
            return None;
        }
        bytes.extend_from_slice(&buffer[..read]);
    };
    let head = String::from_utf8_lossy(&bytes[..head_end]).into_owned();
    let length: usize = header_of(&head, "content-length")?.parse().ok()?;
    while bytes.len() < head_end + length {
        let read = client.read(&mut buffer).await.ok()?;
        if read == 0 {
            return None;
        }
        bytes.extend_from_slice(&buffer[..read]);
    }
    let line_end = head.find("\r\n")? + 2;
    let mut request = bytes[..line_end].to_vec();
    request.extend_from_slice(b"connection: close\r\n");
    request.extend_from_slice(&bytes[line_end..]);
    Some(request)
}

/// A header's value in a request or response head.
fn header_of(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_owned())
    })
}

/// The submission id in a request's `Idempotency-Key`.
fn key_of(request: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(request);
    let head = text.split("\r\n\r\n").next()?;
    Some(
        header_of(head, "idempotency-key")?
            .trim_matches('"')
            .to_owned(),
    )
}

/// Waits until the client closes its side of the connection (it gave up on the request).
async fn wait_for_hang_up(client: &mut TcpStream) {
    let mut buffer = [0u8; 256];
    while matches!(client.read(&mut buffer).await, Ok(n) if n > 0) {}
}

/// One submission waiting in a client's outbox.
#[derive(Debug, Clone)]
struct Item {
    index: usize,
    id: String,
    /// The canonical JSON, byte for byte what every attempt sends.
    body: String,
}

/// What a client got for one submission.
#[derive(Debug)]
struct Delivered {
    index: usize,
    /// The reference of every receipt the client got for it (the outbox stops at the first).
    references: Vec<String>,
    attempts: u32,
    /// The statuses of the receipts: 201 stored now, 200 stored before.
    status: u16,
}

/// A random version 4 UUID from `rng`.
fn uuid(rng: &mut Rng) -> String {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&rng.next().to_le_bytes());
    bytes[8..].copy_from_slice(&rng.next().to_le_bytes());
    blankett_server::conformance::uuid_v4(bytes)
}

/// A random valid personnummer, `YYYYMMDD-NNNC`.
fn personnummer(rng: &mut Rng) -> String {
    let date = format!(
        "{}{:02}{:02}",
        1940 + rng.below(66),
        1 + rng.below(12),
        1 + rng.below(28)
    );
    let serial = format!("{:03}", rng.below(1000));
    let digits: Vec<u32> = format!("{}{serial}", &date[2..])
        .chars()
        .filter_map(|c| c.to_digit(10))
        .collect();
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { d * 2 } else { *d })
        .map(|d| d / 10 + d % 10)
        .sum();
    format!("{date}-{serial}{}", (10 - sum % 10) % 10)
}

/// A random name of two to four syllables.
fn name(rng: &mut Rng) -> String {
    const SYLLABLES: [&str; 12] = [
        "an", "bo", "ci", "då", "el", "fä", "gu", "hö", "is", "jo", "ka", "ly",
    ];
    let mut name: String = (0..2 + rng.below(3))
        .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
        .collect();
    name[..1].make_ascii_uppercase();
    name
}

/// `n` valid submissions of the test form, each with its own id and random answers.
fn submissions(n: usize, rng: &mut Rng) -> Vec<Item> {
    let def = common::definition();
    let cx = Context {
        today: Date::new(2026, 1, 15).unwrap(),
    };
    (0..n)
        .map(|index| {
            let mut answers = Answers::new();
            answers.set("name", Answer::Text(format!("{} {}", name(rng), name(rng))));
            answers.set("pnr", Answer::Text(personnummer(rng)));
            if rng.below(3) > 0 {
                answers.set("kind", Answer::Text(["a", "b"][rng.below(2)].into()));
            }
            for _ in 0..rng.below(3) {
                let row = answers.add_row("kids");
                answers.set(row_key("kids", row, "kid"), Answer::Text(name(rng)));
            }
            let id = uuid(rng);
            let submission = Submission::build(&def, &answers, Lang::Sv, &id, &cx).unwrap();
            Item {
                index,
                id,
                body: submission.to_canonical_json(),
            }
        })
        .collect()
}

/// One device's outbox: sends its submissions one after the other, each until a receipt,
/// signing every attempt anew, as `src/outbox.rs` does.
async fn outbox(device: Device, items: Vec<Item>, url: String, seed: u64) -> Vec<Delivered> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(CLIENT_TIMEOUT)
        .build()
        .unwrap();
    let mut rng = Rng::new(seed);
    let mut delivered = Vec::new();
    for item in items {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let signing = Signing {
                target_uri: url.clone(),
                content_type: "application/json".into(),
                idempotency_key: common::idempotency_key_of(&item.body),
                created: common::now(),
                nonce: common::nonce(),
                input: None,
            };
            let headers = common::signed_headers(&device, item.body.as_bytes(), &signing);
            let mut request = http.post(&url).body(item.body.clone());
            for (name, value) in &headers {
                request = request.header(name.as_str(), value.as_str());
            }
            let (status, outcome) = match request.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    match response.text().await {
                        Ok(body) => (status, SendOutcome::from_reply(status, &body)),
                        Err(_) => (status, SendOutcome::NO_REPLY),
                    }
                }
                Err(_) => (0, SendOutcome::NO_REPLY),
            };
            match outcome {
                SendOutcome::Received(receipt) => {
                    assert_eq!(receipt.submission_id, item.id, "a receipt for another id");
                    delivered.push(Delivered {
                        index: item.index,
                        references: vec![receipt.reference],
                        attempts,
                        status,
                    });
                    break;
                }
                SendOutcome::TryAgain { .. } => {
                    assert!(
                        attempts < MAX_ATTEMPTS,
                        "submission {} got no receipt in {attempts} attempts",
                        item.index
                    );
                    // The outbox's backoff, in milliseconds instead of seconds.
                    let base = (10u64 << attempts.min(5)).min(200);
                    let jitter = 50 + rng.below(100) as u64;
                    tokio::time::sleep(Duration::from_millis(base * jitter / 100)).await;
                }
                other => panic!("submission {} refused: {status} {other:?}", item.index),
            }
        }
    }
    delivered
}

/// The number of submissions to send: `BLANKETT_FAULTS_N`, else [`DEFAULT_N`].
fn n() -> usize {
    std::env::var("BLANKETT_FAULTS_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n >= 2 * (RESTARTS + 1))
        .unwrap_or(DEFAULT_N)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_submission_is_stored_once_through_lost_answers_errors_timeouts_and_crashes() {
    tokio::time::timeout(GUARD, run(n()))
        .await
        .expect("the run did not end in time: a client or the proxy hangs");
}

async fn run(n: usize) {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let forms = dir.path().join("forms");
    common::write_test_forms(&forms);
    let db = dir.path().join("blankett.sqlite3");

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_base = format!("http://{}", listener.local_addr().unwrap());
    let args: Vec<OsString> = vec![
        "--db".into(),
        db.clone().into(),
        "--forms".into(),
        forms.into(),
        "--dist".into(),
        dir.path().join("dist").into(),
        "--public-url".into(),
        proxy_base.clone().into(),
    ];
    let receiver =
        ChildReceiver::start(args, vec![("BLANKETT_ADMIN_TOKEN".into(), TOKEN.into())]).await;

    let mut rng = Rng::new(SEED);
    let items = submissions(n, &mut rng);
    let proxy = Arc::new(Proxy {
        plan: Plan::new(SEED, n),
        ids: items.iter().map(|i| (i.id.clone(), i.index)).collect(),
        upstream: Mutex::new(receiver.base.replace("http://", "")),
        receiver: tokio::sync::Mutex::new(receiver),
        tally: Mutex::default(),
        tasks: Mutex::default(),
    });
    let accepting = tokio::spawn({
        let proxy = Arc::clone(&proxy);
        async move {
            while let Ok((client, _)) = listener.accept().await {
                let task = tokio::spawn(Arc::clone(&proxy).handle(client));
                proxy.tasks.lock().unwrap().push(task);
            }
        }
    });

    let url = format!("{proxy_base}/api/submissions");
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let mine = items.iter().skip(c).step_by(CLIENTS).cloned().collect();
            tokio::spawn(outbox(Device::p256(), mine, url.clone(), SEED ^ c as u64))
        })
        .collect();
    let mut delivered = Vec::new();
    for client in clients {
        delivered.extend(client.await.unwrap());
    }
    // Every connection finished (late deliveries too) before anything is counted.
    accepting.abort();
    let tasks = std::mem::take(&mut *proxy.tasks.lock().unwrap());
    for task in tasks {
        task.await.unwrap();
    }
    let tally = std::mem::take(&mut *proxy.tally.lock().unwrap());
    assert_eq!(tally.problems, Vec::<String>::new());

    // One receipt per submission, and every receipt anyone saw for it names one reference.
    delivered.sort_by_key(|d| d.index);
    assert_eq!(delivered.len(), n);
    let mut references = Vec::new();
    for d in &delivered {
        let mut seen = d.references.clone();
        seen.extend(tally.receipts.get(&d.index).cloned().unwrap_or_default());
        assert!(
            seen.iter().all(|r| *r == d.references[0]),
            "submission {}: receipts name {seen:?}",
            d.index
        );
        references.push(d.references[0].clone());
    }
    let mut distinct = references.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), n, "two submissions got the same reference");

    // Exactly n rows, each the submission as sent, under the reference its client got.
    let receiver = proxy.receiver.lock().await;
    let conn = rusqlite::Connection::open(&db).unwrap();
    let rows: i64 = conn
        .query_row("SELECT COUNT(*) FROM submissions", [], |r| r.get(0))
        .unwrap();
    let mut stored = HashMap::new();
    let mut query = conn
        .prepare("SELECT submission_id, reference, body FROM submissions")
        .unwrap();
    for row in query
        .query_map([], |r| Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?))))
        .unwrap()
    {
        let (id, value): (String, (String, String)) = row.unwrap();
        stored.insert(id, value);
    }
    for (item, reference) in items.iter().zip(&references) {
        assert_eq!(
            stored.get(&item.id),
            Some(&(reference.clone(), item.body.clone())),
            "submission {}",
            item.index
        );
    }
    // And the admin API reads each back under its reference.
    let http = reqwest::Client::new();
    for (item, reference) in items.iter().zip(&references) {
        let response = http
            .get(format!("{}/api/submissions/{reference}", receiver.base))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{reference}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["submission_id"], item.id.as_str(), "{reference}");
    }

    let attempts: u32 = delivered.iter().map(|d| d.attempts).sum();
    let replays = delivered.iter().filter(|d| d.status == 200).count();
    let kills = tally
        .faults
        .iter()
        .filter(|(f, _)| matches!(f, Fault::KillBeforeAnswer | Fault::KillAfterAnswer))
        .map(|(_, c)| c)
        .sum::<usize>();
    println!(
        "\nFault injection: {n} submissions from {CLIENTS} clients, {attempts} attempts, {:.1} s",
        started.elapsed().as_secs_f64()
    );
    for (fault, count) in &tally.faults {
        println!("  {:<18}{count:>6}", format!("{fault:?}"));
    }
    println!("  {:<18}{:>6}", "502 (receiver down)", tally.unreachable);
    println!(
        "  receipts: {} with 201, {replays} with 200 (stored by an earlier attempt)",
        n - replays
    );
    println!("  rows expected {n}, rows stored {rows}");
    assert_eq!(rows, n as i64, "rows in the database");
    assert_eq!(kills, RESTARTS, "the receiver was restarted {kills} times");
    for fault in [
        Fault::Lost,
        Fault::Truncated,
        Fault::ServerError,
        Fault::Held,
        Fault::Late,
    ] {
        assert!(tally.faults.contains_key(&fault), "no {fault:?} injected");
    }
}
