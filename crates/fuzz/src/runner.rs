//! Running inputs: each one with its panics caught, its time and its peak allocation
//! measured; generating inputs for a while; keeping a corpus of the smallest input per
//! outcome.

use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::Value;

use crate::alloc;
use crate::generate::{self, JSON_TOKENS, SF_TOKENS};
use crate::targets::{self, HOST, NOW, PATH, Target};

/// The longest one input may take.
pub const TIME_LIMIT: Duration = Duration::from_secs(1);
/// The corpus keeps inputs up to this size.
const MAX_SAVED: usize = 8 << 10;
/// At most this many files per target in the corpus.
const MAX_FILES: usize = 160;

/// What one input did.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The outcome's name, or what went wrong (a panic, a broken property, too slow, too
    /// much memory).
    pub outcome: Result<String, String>,
    /// How long it took.
    pub elapsed: Duration,
    /// Its peak heap use in bytes.
    pub peak: usize,
}

thread_local! {
    static PANIC: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Replaces the panic hook with one that remembers the message instead of printing it.
pub fn quiet_panics() {
    panic::set_hook(Box::new(|info| {
        let msg = info.to_string();
        PANIC.with(|p| *p.borrow_mut() = msg);
    }));
}

/// Runs one input of a target, within the time and allocation bounds.
pub fn run_one(target: Target, input: &[u8], time_limit: Duration) -> Checked {
    alloc::start();
    let start = Instant::now();
    let result = panic::catch_unwind(AssertUnwindSafe(|| target.run(input)));
    let elapsed = start.elapsed();
    let peak = alloc::peak();
    let mut outcome = match result {
        Ok(r) => r,
        Err(_) => Err(format!(
            "panic: {}",
            PANIC.with(|p| std::mem::take(&mut *p.borrow_mut()))
        )),
    };
    if outcome.is_ok() && elapsed > time_limit {
        outcome = Err(format!("took {elapsed:?}"));
    }
    if outcome.is_ok() && peak > alloc::LIMIT {
        outcome = Err(format!("allocated {peak} bytes at once"));
    }
    Checked {
        outcome,
        elapsed,
        peak,
    }
}

/// What a run of one target came to.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Inputs run.
    pub inputs: u64,
    /// The slowest input's time and size.
    pub slowest: (Duration, usize),
    /// The largest peak allocation of one input, in bytes.
    pub peak: usize,
    /// Distinct outcomes seen.
    pub outcomes: usize,
    /// Corpus files added or replaced by smaller ones.
    pub saved: usize,
    /// Inputs that broke a property, saved under the findings folder.
    pub findings: Vec<(String, PathBuf)>,
}

/// The corpus folder of a target.
pub fn corpus_dir(target: Target) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target.name())
}

/// The corpus files of a target, sorted.
pub fn corpus_files(target: Target) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir(target))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.is_file());
    files.sort();
    files
}

/// FNV-1a, for corpus file names.
fn name_of(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Generates and runs inputs for `duration`; saves new outcomes' inputs to the corpus and
/// findings to `findings`. `report` is called every few seconds with the stats so far.
pub fn fuzz(
    target: Target,
    duration: Duration,
    seed: u64,
    findings: &Path,
    report: &mut dyn FnMut(&Stats),
) -> Stats {
    let mut stats = Stats::default();
    // The corpus as it is: outcome → (file, size).
    let mut kept: BTreeMap<String, (PathBuf, usize)> = BTreeMap::new();
    for file in corpus_files(target) {
        let Ok(bytes) = std::fs::read(&file) else {
            continue;
        };
        if let Ok(key) = run_one(target, &bytes, TIME_LIMIT).outcome {
            kept.entry(key).or_insert((file, bytes.len()));
        }
    }
    // Seeds first, so the corpus always holds the valid inputs.
    let mut queue: Vec<Vec<u8>> = seeds(target);
    let strategy = strategy(target);
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&(target as u64).to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &key),
    );
    let start = Instant::now();
    let mut last_report = Instant::now();
    while start.elapsed() < duration {
        let input = match queue.pop() {
            Some(i) => i,
            None => match strategy.new_tree(&mut runner) {
                Ok(tree) => tree.current(),
                Err(_) => continue,
            },
        };
        let checked = run_one(target, &input, TIME_LIMIT);
        stats.inputs += 1;
        if checked.elapsed > stats.slowest.0 {
            stats.slowest = (checked.elapsed, input.len());
            // Kept to look at (`--replay`): is it the input or was the machine busy?
            let _ = std::fs::create_dir_all(findings);
            let _ = std::fs::write(
                findings.join(format!("slowest-{}.bin", target.name())),
                &input,
            );
        }
        stats.peak = stats.peak.max(checked.peak);
        match checked.outcome {
            Ok(outcome) => {
                let smaller = kept.get(&outcome).is_none_or(|(_, len)| input.len() < *len);
                let room = kept.contains_key(&outcome) || kept.len() < MAX_FILES;
                if smaller && room && input.len() <= MAX_SAVED {
                    let dir = corpus_dir(target);
                    let _ = std::fs::create_dir_all(&dir);
                    let path = dir.join(format!("{}.bin", name_of(&input)));
                    if std::fs::write(&path, &input).is_ok() {
                        if let Some((old, _)) = kept.insert(outcome, (path.clone(), input.len()))
                            && old != path
                        {
                            let _ = std::fs::remove_file(old);
                        }
                        stats.saved += 1;
                    }
                }
            }
            Err(what) => {
                let _ = std::fs::create_dir_all(findings);
                let path = findings.join(format!("{}-{}.bin", target.name(), name_of(&input)));
                let _ = std::fs::write(&path, &input);
                eprintln!(
                    "FINDING {}: {what} ({} bytes, saved to {})",
                    target.name(),
                    input.len(),
                    path.display()
                );
                if stats.findings.len() < 1000 {
                    stats.findings.push((what, path));
                }
            }
        }
        stats.outcomes = kept.len();
        if last_report.elapsed() > Duration::from_secs(30) {
            report(&stats);
            last_report = Instant::now();
        }
    }
    stats
}

/// The valid inputs every run starts from.
pub fn seeds(target: Target) -> Vec<Vec<u8>> {
    match target {
        Target::Definition => targets::definition_texts()
            .iter()
            .map(|(_, t)| t.as_bytes().to_vec())
            .collect(),
        Target::Submission => targets::valid_submissions()
            .iter()
            .map(|b| b.as_bytes().to_vec())
            .collect(),
        Target::Markdown => vec![
            b"# Rubrik\n\nText med **fet** och *kursiv* och [en l\xc3\xa4nk](https://example.se).\n\n- ett\n- tv\xc3\xa5\n\n1. f\xc3\xb6rst\n2. sen"
                .to_vec(),
        ],
        Target::Signature => targets::valid_submissions()
            .iter()
            .filter_map(|b| signed(b.as_bytes(), &SignPlan::default()))
            .collect(),
    }
}

/// How a request is signed; the default is Blankett's profile, correctly.
#[derive(Debug, Clone, Default)]
pub struct SignPlan {
    /// Covered components instead of the profile's.
    pub components: Option<Vec<&'static str>>,
    /// `alg` instead of ES256.
    pub alg: Option<&'static str>,
    /// Seconds added to `created`.
    pub created: i64,
    /// `keyid` instead of the key's thumbprint.
    pub keyid: Option<String>,
    /// `nonce`.
    pub nonce: Option<String>,
    /// `Content-Digest`: `Some(None)` leaves it out, `Some(Some(v))` sends `v`.
    pub digest: Option<Option<String>>,
}

const COMPONENTS: &[&str] = &[
    "@method",
    "@target-uri",
    "@authority",
    "@scheme",
    "@request-target",
    "@path",
    "@query",
    "@status",
    "@query-param",
    "@signature-params",
    "content-type",
    "content-digest",
    "idempotency-key",
    "blankett-key",
    "host",
    "x-missing",
    "signature",
];

/// A request (in the saved form) posting `body`, signed as `plan` says.
pub fn signed(body: &[u8], plan: &SignPlan) -> Option<Vec<u8>> {
    let signer = targets::signer();
    let id = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| {
            v.get("submission_id")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_else(|| targets::SEED_ID.to_owned());
    let mut s = signer.signing(body, &id);
    s.created = NOW.saturating_add(plan.created);
    s.nonce = plan
        .nonce
        .clone()
        .unwrap_or_else(|| "bm9uY2Utc2VlZA".to_owned());
    if let Some(c) = &plan.components {
        s.components = c.clone();
    }
    if let Some(a) = plan.alg {
        s.alg = a.to_owned();
    }
    if let Some(k) = &plan.keyid {
        s.keyid = k.clone();
    }
    if let Some(d) = &plan.digest {
        s.digest = d.clone();
    }
    let url = format!("http://{HOST}{PATH}");
    let mut fields = vec![("host".to_owned(), HOST.to_owned())];
    fields.extend(
        signer
            .signed_fields(&url, &s)
            .unwrap_or_else(|_| signer.unsigned_fields(&s)),
    );
    Some(targets::join_request(&fields, body))
}

fn parsed(texts: &[Vec<u8>]) -> Vec<Value> {
    texts
        .iter()
        .filter_map(|t| serde_json::from_slice(t).ok())
        .collect()
}

/// A JSON document from one of `docs`, changed structurally and then as text.
fn mutated_json(docs: Vec<Value>, dict: Vec<String>) -> BoxedStrategy<Vec<u8>> {
    let n = docs.len().max(1);
    let docs2 = docs.clone();
    prop_oneof![
        6 => (0..n, prop::collection::vec(generate::mutation(dict.clone()), 1..6),
              prop::collection::vec(generate::text_op(JSON_TOKENS), 0..3))
            .prop_map(move |(i, ms, ops)| {
                let mut doc = docs.get(i).cloned().unwrap_or(Value::Null);
                generate::apply(&mut doc, &ms);
                let mut bytes = serde_json::to_vec(&doc).unwrap_or_default();
                generate::apply_text(&mut bytes, &ops);
                bytes
            }),
        1 => (0..n, prop::collection::vec(generate::text_op(JSON_TOKENS), 1..8))
            .prop_map(move |(i, ops)| {
                let doc = docs2.get(i).cloned().unwrap_or(Value::Null);
                let mut bytes = serde_json::to_vec_pretty(&doc).unwrap_or_default();
                generate::apply_text(&mut bytes, &ops);
                bytes
            }),
        1 => generate::json(dict).prop_map(|v| serde_json::to_vec(&v).unwrap_or_default()),
    ]
    .boxed()
}

/// The generator of a target's inputs.
pub fn strategy(target: Target) -> BoxedStrategy<Vec<u8>> {
    match target {
        Target::Definition | Target::Submission => {
            let docs = parsed(&seeds(target));
            let dict = generate::dictionary(&docs);
            mutated_json(docs, dict)
        }
        Target::Markdown => generate::markdown().prop_map(String::into_bytes).boxed(),
        Target::Signature => {
            let bodies = parsed(&seeds(Target::Submission));
            let dict = generate::dictionary(&bodies);
            let n = bodies.len().max(1);
            let plan = (
                prop::option::of(prop::collection::vec(select(COMPONENTS), 0..8)),
                prop::option::of(select(
                    &[
                        "ed25519",
                        "ecdsa-p256-sha256",
                        "rsa-pss-sha512",
                        "",
                        "hmac-sha256",
                    ][..],
                )),
                prop_oneof![
                    Just(0i64),
                    Just(-300),
                    Just(300),
                    Just(-301),
                    Just(301),
                    Just(i64::MIN),
                    Just(i64::MAX),
                    any::<i64>()
                ],
                prop::option::of(prop_oneof![
                    select(generate::HOSTILE).prop_map(str::to_owned),
                    "[a-zA-Z0-9_-]{0,50}"
                ]),
                prop::option::of(prop_oneof![
                    select(generate::HOSTILE).prop_map(str::to_owned),
                    "[a-zA-Z0-9_-]{0,40}"
                ]),
                prop::option::of(prop::option::of(prop_oneof![
                    select(SF_TOKENS).prop_map(str::to_owned),
                    "sha-(256|512)=:[A-Za-z0-9+/=]{0,90}:"
                ])),
            )
                .prop_map(|(components, alg, created, keyid, nonce, digest)| {
                    SignPlan {
                        components,
                        alg,
                        created,
                        keyid,
                        nonce,
                        digest,
                    }
                });
            (
                0..n,
                prop::collection::vec(generate::mutation(dict), 0..3),
                prop::option::of(plan),
                prop::collection::vec((any::<u8>(), generate::text_op(SF_TOKENS)), 0..4),
            )
                .prop_map(move |(i, ms, plan, ops)| {
                    let mut doc = bodies.get(i).cloned().unwrap_or(Value::Null);
                    generate::apply(&mut doc, &ms);
                    let body = serde_json::to_vec(&doc).unwrap_or_default();
                    // Without a plan the body changes after signing (as on the network).
                    let request = match &plan {
                        Some(p) => signed(&body, p),
                        None => {
                            let original =
                                serde_json::to_vec(&bodies.get(i).cloned().unwrap_or(Value::Null))
                                    .unwrap_or_default();
                            signed(&original, &SignPlan::default()).map(|r| {
                                let head = r.len() - original.len();
                                let mut out = r[..head].to_vec();
                                out.extend_from_slice(&body);
                                out
                            })
                        }
                    }
                    .unwrap_or_default();
                    if ops.is_empty() {
                        return request;
                    }
                    // Change the header lines' values as text.
                    let split = request
                        .windows(2)
                        .position(|w| w == b"\n\n")
                        .unwrap_or(request.len());
                    let (head, rest) = request.split_at(split);
                    let mut lines: Vec<Vec<u8>> =
                        head.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
                    for (which, op) in ops {
                        let k = usize::from(which) % lines.len().max(1);
                        if let Some(line) = lines.get_mut(k) {
                            generate::apply_text(line, std::slice::from_ref(&op));
                        }
                        if which == 255 && !lines.is_empty() {
                            let copy = lines[k].clone();
                            lines.push(copy);
                        }
                    }
                    let mut out = lines.join(&b'\n');
                    out.extend_from_slice(rest);
                    out
                })
                .boxed()
        }
    }
}
