//! `cargo bench -p blankett-server --bench receiver` (run by `cargo xtask bench`): submissions
//! per second through the reference receiver on loopback, with p50 and p99 latency, signed
//! (RFC 9421, docs/api/signatures.md) beside unsigned, and with durable commits
//! (`--synchronous full`, the default) beside `--synchronous normal`, in one run.
//!
//! Two receivers run as processes of their own (`blankett-server serve --allow-unsigned`, so
//! they take both kinds), each on a fresh SQLite file in the same folder, one with each
//! `--synchronous`; this process is the clients. A third receiver, like the first, is sent
//! the same signed submissions while [`SLOW`] connections are held open against it (each
//! sends a request line and one header field, then nothing, and connects again when the
//! receiver's header-read timeout cuts it off, so that many are open all the time): the
//! figure beside the first row is what slow clients cost the citizens served meanwhile. All
//! three run with the default limits (`--max-connections` 1024 is above the 500 + 8 needed). Every request is built and signed before the
//! clock starts, so the figures are the receiver's work (parse, digest, verify, store in one
//! transaction, sign the receipt) and the loopback, not the client's signing. Rounds alternate
//! between every kind so a busy machine slows them alike. Figures to read, never assertions;
//! `BLANKETT_BENCH_N` sets the submissions per round.
//!
//! Two more receivers share one PostgreSQL database (issue 19) in a throw-away cluster with
//! the server's default durability (`fsync` on, `synchronous_commit` on): the row "signed,
//! PostgreSQL" sends to one of them, "signed, PostgreSQL ×2" alternates requests between
//! both, as a load balancer would.
//!
//! Last, upload throughput (issue 18): [`UPLOADS`] signed uploads of a 10 MB file each (each
//! a new file), [`UPLOADS_IN_FLIGHT`] at a time, to the SQLite FULL receiver and to one on
//! PostgreSQL, in MB/s with each upload's p50 and p99; signed before the clock starts.

#![allow(clippy::unwrap_used)] // a bench fails loudly on purpose

#[path = "../tests/common/mod.rs"]
mod common;

use std::ffi::OsString;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{ChildReceiver, Device, Signing};

/// Submissions per round, unless `BLANKETT_BENCH_N` says otherwise.
const DEFAULT_N: usize = 400;
/// Rounds of each kind.
const ROUNDS: usize = 3;
/// Requests in flight at once, as many citizens submitting at the same moment.
const CONCURRENCY: usize = 8;
/// Uploads of a 10 MB file to each measured receiver, unless `BLANKETT_BENCH_UPLOADS` says
/// otherwise.
const UPLOADS: usize = 16;
/// The size of each uploaded file: 10 MB, a phone photo or a scanned drawing.
const UPLOAD_BYTES: usize = 10_000_000;
/// Uploads in flight at once: the receiver's default `--upload-concurrency`.
const UPLOADS_IN_FLIGHT: usize = 4;

/// One way of sending: its name, whether requests carry a signature, and which receivers
/// take them, in turn (indexes into [`SYNCHRONOUS`], then the PostgreSQL receivers).
#[derive(Debug, Clone, Copy)]
struct Kind {
    name: &'static str,
    signed: bool,
    receivers: &'static [usize],
}

/// The SQLite receivers' `--synchronous`, one receiver each; the third is held by slow
/// clients.
const SYNCHRONOUS: [&str; 3] = ["full", "normal", "full"];
/// The first of the two receivers on PostgreSQL (the second is the next index).
const PG: usize = SYNCHRONOUS.len();
/// The receiver that [`SLOW`] slow connections are held open against.
const HELD: usize = 2;
/// Slow connections held open against receiver [`HELD`].
const SLOW: usize = 500;

const KINDS: [Kind; 6] = [
    Kind {
        name: "signed, FULL",
        signed: true,
        receivers: &[0],
    },
    Kind {
        name: "signed, FULL, 500 slow conn.",
        signed: true,
        receivers: &[HELD],
    },
    Kind {
        name: "signed, NORMAL",
        signed: true,
        receivers: &[1],
    },
    Kind {
        name: "unsigned, FULL",
        signed: false,
        receivers: &[0],
    },
    Kind {
        name: "signed, PostgreSQL",
        signed: true,
        receivers: &[PG],
    },
    Kind {
        name: "signed, PostgreSQL ×2",
        signed: true,
        receivers: &[PG, PG + 1],
    },
];

/// One request ready to send: its URL, its header fields and its body.
type Request<B> = (String, Vec<(String, String)>, B);

/// A submission ready to send.
type Prepared = Request<String>;

fn main() {
    let n = std::env::var("BLANKETT_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or(DEFAULT_N);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(n));
}

async fn run(n: usize) {
    let dir = tempfile::tempdir().unwrap();
    let forms = dir.path().join("forms");
    common::write_test_forms(&forms);
    // A form with file fields, so the receivers take uploads of up to 10 MiB.
    std::fs::write(forms.join("bilagor.json"), common::file_form()).unwrap();
    let mut receivers = Vec::new();
    for (r, synchronous) in SYNCHRONOUS.iter().enumerate() {
        let args: Vec<OsString> = vec![
            "--db".into(),
            dir.path().join(format!("{r}-{synchronous}.sqlite3")).into(),
            "--forms".into(),
            forms.clone().into(),
            "--dist".into(),
            dir.path().join("dist").into(),
            "--allow-unsigned".into(),
            "--synchronous".into(),
            (*synchronous).into(),
        ];
        receivers.push(ChildReceiver::start(args, Vec::new()).await);
    }
    let (cluster, pg_url) = common::pg::start_with_database(true).await;
    let cluster = Arc::new(cluster);
    for _ in 0..2 {
        let args: Vec<OsString> = vec![
            "--db".into(),
            pg_url.clone().into(),
            "--forms".into(),
            forms.clone().into(),
            "--dist".into(),
            dir.path().join("dist").into(),
            "--allow-unsigned".into(),
        ];
        receivers.push(ChildReceiver::start(args, Vec::new()).await);
    }
    let urls: Vec<String> = receivers
        .iter()
        .map(|r| format!("{}/api/submissions", r.base))
        .collect();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY * receivers.len())
        .build()
        .unwrap();

    let held = hold_slow_connections(&receivers[HELD].base, SLOW).await;

    // A warm-up round of each kind: connections open, SQLite's file grown, code paged in.
    for kind in KINDS {
        send_all(&http, prepare(kind, n / 4, &urls, "warm")).await;
    }

    let mut latencies: Vec<Vec<Duration>> = vec![Vec::new(); KINDS.len()];
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); KINDS.len()];
    for round in 0..ROUNDS {
        for (k, kind) in KINDS.iter().enumerate() {
            let requests = prepare(*kind, n, &urls, &format!("r{round}"));
            let started = Instant::now();
            let mut times = send_all(&http, requests).await;
            let elapsed = started.elapsed().as_secs_f64();
            rates[k].push(n as f64 / elapsed);
            latencies[k].append(&mut times);
        }
    }

    let reconnects: usize = held.iter().map(|h| h.1.load(Ordering::Relaxed)).sum();
    for (task, _) in held {
        task.abort();
    }

    println!(
        "\nReceiver on loopback: {n} submissions a round, {ROUNDS} rounds of each kind \
         alternating, {CONCURRENCY} in flight, SQLite WAL on this machine's disk; FULL and \
         NORMAL are --synchronous; PostgreSQL {}: a local cluster with its default \
         durability, \"×2\": two receivers on it, requests alternating; \"500 slow conn.\": {SLOW} connections held open that \
         sent a request line and one header field, then nothing (cut off by the receiver \
         {reconnects} times in all during the run, each then opened again)",
        pg_version(&cluster).await
    );
    println!(
        "{:<30}{:>14}{:>14}{:>12}{:>12}",
        "requests", "subm./s (med)", "range", "p50 ms", "p99 ms"
    );
    for (k, kind) in KINDS.iter().enumerate() {
        let rate = &mut rates[k];
        rate.sort_by(f64::total_cmp);
        let times = &mut latencies[k];
        times.sort();
        println!(
            "{:<30}{:>14.0}{:>14}{:>12.2}{:>12.2}",
            kind.name,
            rate[rate.len() / 2],
            format!("{:.0}–{:.0}", rate[0], rate[rate.len() - 1]),
            percentile(times, 0.50),
            percentile(times, 0.99),
        );
    }

    let uploads = std::env::var("BLANKETT_BENCH_UPLOADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or(UPLOADS);
    println!(
        "\nUploads: {uploads} signed uploads of a {} MB file each (every one a new file), \
         {UPLOADS_IN_FLIGHT} in flight, each checked (digest, signature, hash, type by \
         content) and stored in the database",
        UPLOAD_BYTES / 1_000_000
    );
    println!(
        "{:<30}{:>14}{:>14}{:>12}{:>12}",
        "receiver", "MB/s", "uploads/s", "p50 ms", "p99 ms"
    );
    for (name, r) in [("SQLite, FULL", 0), ("PostgreSQL", PG)] {
        let requests = prepare_uploads(&receivers[r].base, uploads, name);
        let started = Instant::now();
        let mut times = send_uploads(&http, requests).await;
        let elapsed = started.elapsed().as_secs_f64();
        times.sort();
        println!(
            "{:<30}{:>14.1}{:>14.2}{:>12.0}{:>12.0}",
            name,
            (uploads * UPLOAD_BYTES) as f64 / 1e6 / elapsed,
            uploads as f64 / elapsed,
            percentile(&times, 0.50),
            percentile(&times, 0.99),
        );
    }
}

/// An upload ready to send: its URL, headers and body.
type PreparedUpload = Request<Vec<u8>>;

/// `count` signed uploads of a new 10 MB JPEG-looking file each, for one submission id, to
/// the receiver at `base`.
fn prepare_uploads(base: &str, count: usize, tag: &str) -> Vec<PreparedUpload> {
    let device = Device::p256();
    let id = uuid_for(tag, 0);
    (0..count)
        .map(|i| {
            let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0];
            bytes.extend_from_slice(format!("{tag} {i}").as_bytes());
            let mut x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            bytes.extend((bytes.len()..UPLOAD_BYTES).map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            }));
            let sha256 = blankett_core::signing::sha256_hex(&bytes);
            let url = format!("{base}/api/submissions/{id}/files/{sha256}");
            let signing = Signing {
                target_uri: url.clone(),
                content_type: "image/jpeg".into(),
                idempotency_key: format!("\"{id}\""),
                created: common::now(),
                nonce: common::nonce(),
                input: None,
            };
            let headers = common::signed_request_headers(&device, "PUT", &bytes, &signing);
            (url, headers, bytes)
        })
        .collect()
}

/// Sends every upload, [`UPLOADS_IN_FLIGHT`] at a time, and returns each one's latency;
/// panics on any answer other than 201.
async fn send_uploads(http: &reqwest::Client, uploads: Vec<PreparedUpload>) -> Vec<Duration> {
    send_queued(http, reqwest::Method::PUT, uploads, UPLOADS_IN_FLIGHT).await
}

/// The server's version, e.g. "15.18".
async fn pg_version(cluster: &Arc<common::pg::Cluster>) -> String {
    let cluster = Arc::clone(cluster);
    tokio::task::spawn_blocking(move || {
        cluster
            .client("postgres")
            .query_one("SHOW server_version", &[])
            .unwrap()
            .get::<_, String>(0)
    })
    .await
    .unwrap()
}

/// `count` new submissions of the test form, each with its own id, as `kind` sends them,
/// to its receivers in turn (`urls` are every receiver's submission URL).
fn prepare(kind: Kind, count: usize, urls: &[String], tag: &str) -> Vec<Prepared> {
    let device = Device::p256();
    (0..count)
        .map(|i| {
            let url = &urls[kind.receivers[i % kind.receivers.len()]];
            let id = uuid_for(tag, i);
            let body = common::submission(&id, &format!("Bänk {tag} {i}")).to_canonical_json();
            let headers = if kind.signed {
                let signing = Signing {
                    target_uri: url.to_owned(),
                    content_type: "application/json".into(),
                    idempotency_key: common::idempotency_key_of(&body),
                    created: common::now(),
                    nonce: common::nonce(),
                    input: None,
                };
                common::signed_headers(&device, body.as_bytes(), &signing)
            } else {
                vec![("content-type".to_owned(), "application/json".to_owned())]
            };
            (url.clone(), headers, body)
        })
        .collect()
}

/// A version 4 UUID unique to this run, `tag` and `i`.
fn uuid_for(tag: &str, i: usize) -> String {
    use std::hash::{BuildHasher as _, RandomState};
    let state = RandomState::new();
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&state.hash_one((tag, i, 1u8)).to_le_bytes());
    bytes[8..].copy_from_slice(&state.hash_one((tag, i, 2u8)).to_le_bytes());
    blankett_server::conformance::uuid_v4(bytes)
}

/// Sends every request, [`CONCURRENCY`] at a time, and returns each one's latency; panics on
/// any answer other than 201, since a figure over refusals would mean nothing.
async fn send_all(http: &reqwest::Client, requests: Vec<Prepared>) -> Vec<Duration> {
    send_queued(http, reqwest::Method::POST, requests, CONCURRENCY).await
}

/// Sends every request of a queue with `in_flight` workers, each taking the next request when
/// its last one is answered; returns each one's latency and panics on any answer but 201.
async fn send_queued<B>(
    http: &reqwest::Client,
    method: reqwest::Method,
    requests: Vec<Request<B>>,
    in_flight: usize,
) -> Vec<Duration>
where
    B: Into<reqwest::Body> + Send + 'static,
{
    let queue = Arc::new(std::sync::Mutex::new(requests));
    let workers: Vec<_> = (0..in_flight)
        .map(|_| {
            let queue = Arc::clone(&queue);
            let (http, method) = (http.clone(), method.clone());
            tokio::spawn(async move {
                let mut times = Vec::new();
                loop {
                    let Some((url, headers, body)) = queue.lock().unwrap().pop() else {
                        break times;
                    };
                    let mut request = http.request(method.clone(), &url).body(body);
                    for (name, value) in &headers {
                        request = request.header(name.as_str(), value.as_str());
                    }
                    let started = Instant::now();
                    let response = request.send().await.unwrap();
                    let status = response.status();
                    let text = response.text().await.unwrap();
                    times.push(started.elapsed());
                    assert_eq!(status, 201, "the receiver refused {method} {url}: {text}");
                }
            })
        })
        .collect();
    let mut times = Vec::new();
    for worker in workers {
        times.extend(worker.await.unwrap());
    }
    times
}

/// A held slow connection's task and how often the receiver has cut it off.
type Held = (tokio::task::JoinHandle<()>, Arc<AtomicUsize>);

/// Opens `count` connections to `base` that each send a request line and one header field,
/// then nothing; each connects again as soon as the receiver closes it. Returns once all are
/// open.
async fn hold_slow_connections(base: &str, count: usize) -> Vec<Held> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let addr = base.strip_prefix("http://").unwrap().to_owned();
    let (opened_tx, mut opened_rx) = tokio::sync::mpsc::channel::<()>(count);
    let held = (0..count)
        .map(|_| {
            let addr = addr.clone();
            let opened = opened_tx.clone();
            let cut = Arc::new(AtomicUsize::new(0));
            let counter = Arc::clone(&cut);
            let task = tokio::spawn(async move {
                let mut first = true;
                loop {
                    let Ok(mut stream) = tokio::net::TcpStream::connect(&addr).await else {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    };
                    if stream
                        .write_all(b"POST /api/submissions HTTP/1.1\r\nhost: bench\r\n")
                        .await
                        .is_ok()
                    {
                        if first {
                            first = false;
                            let _ = opened.send(()).await;
                        }
                        let mut buf = [0u8; 1024];
                        while let Ok(n) = stream.read(&mut buf).await {
                            if n == 0 {
                                break;
                            }
                        }
                    }
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            });
            (task, cut)
        })
        .collect();
    for _ in 0..count {
        opened_rx.recv().await.unwrap();
    }
    held
}

/// The `q` quantile of sorted `times`, in milliseconds.
fn percentile(times: &[Duration], q: f64) -> f64 {
    let index = ((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1;
    times[index].as_secs_f64() * 1000.0
}
