//! `cargo xtask bench`: figures to read, never assertions.
//!
//! Prints the release bundle's size (raw, gzip -9, brotli -q 11) per file type, then runs
//! `crates/core/examples/engine_bench.rs` for the engine's timings,
//! `crates/server/benches/receiver.rs` for submissions per second through the receiver (signed
//! beside unsigned), `crates/server/tests/faults.rs` with N = 1,000,
//! `tests/bench/conditions.mjs` for the same change in headless Chromium,
//! `tests/bench/offline.mjs` for a second visit with the network off (the service worker
//! serving the app, beside a static HTML page of the same fields), `tests/bench/drafts.mjs` for
//! one autosave and one restore of a 1,000-answer draft, `tests/bench/sign.mjs` for the page's
//! work from Submit to the signed request leaving (sign and enqueue), `tests/bench/embed.mjs`
//! for bytes and time to the first field of an embedded form beside the app's own page,
//! `tests/bench/long-step.mjs` for one step of 125, 250 and 500 questions,
//! `tests/bench/attach.mjs` for attaching a 10 MB file and a 10 MB photo on the phone profile,
//! `tests/bench/served.mjs` for the bytes of a first and a repeat visit as the receiver
//! serves the app (compressed copies, cache headers), and last
//! `bench/run.mjs`, the comparison with SurveyJS and Form.io on the same forms (it prints a
//! table and writes it to `bench/results/latest.md`).

use crate::root;

/// Builds the release app and prints every figure.
pub fn run() -> Result<(), String> {
    crate::install::build_tools()?;
    crate::run(std::process::Command::new("trunk").args(["build", "--release", "--offline"]))?;
    crate::after_trunk(&root().join("dist"))?;
    crate::precompress_dist()?;
    bundle_sizes()?;
    // Timings come from an optimised build; xtask itself is built in debug.
    crate::run(
        std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())).args(
            [
                "run",
                "--quiet",
                "--release",
                "-p",
                "blankett-core",
                "--example",
                "engine_bench",
            ],
        ),
    )?;
    receiver()?;
    browser_conditions()?;
    comparison(&[])
}

/// The receiver's figures: submissions per second signed beside unsigned
/// (`crates/server/benches/receiver.rs`), then the fault-injection run of
/// `crates/server/tests/faults.rs` with a larger N than the test suite's.
fn receiver() -> Result<(), String> {
    let cargo =
        || std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    crate::run(cargo().args([
        "bench",
        "--quiet",
        "-p",
        "blankett-server",
        "--bench",
        "receiver",
    ]))?;
    crate::run(
        cargo()
            .args([
                "test",
                "--quiet",
                "--release",
                "-p",
                "blankett-server",
                "--test",
                "faults",
                "--",
                "--nocapture",
            ])
            .env("BLANKETT_FAULTS_N", "1000"),
    )
}

/// The comparison harness's smoke test: one size, one run; fails unless Blankett, SurveyJS and
/// Form.io each render the form and give every figure. Writes no results.
pub fn smoke() -> Result<(), String> {
    comparison(&["--smoke"])
}

/// `node bench/run.mjs` with `args`, after installing its npm packages (and Chromium) if missing.
fn comparison(args: &[&str]) -> Result<(), String> {
    crate::install::test_tools()?;
    crate::run(
        std::process::Command::new("node")
            .arg(root().join("bench/run.mjs"))
            .args(args),
    )
}

/// The same kind of change in headless Chromium, through the built app and the receiver; then
/// a second visit to the same form with the network off; then one autosave and one restore of
/// a draft with 1,000 answers; then the page's work from Submit to a signed request leaving;
/// then the first field of a form embedded on the demo host page beside the app's own page.
fn browser_conditions() -> Result<(), String> {
    crate::install::test_tools()?;
    let script = root().join("tests/bench/conditions.mjs");
    let offline = root().join("tests/bench/offline.mjs");
    let drafts = root().join("tests/bench/drafts.mjs");
    let sign = root().join("tests/bench/sign.mjs");
    let embed = root().join("tests/bench/embed.mjs");
    let long_step = root().join("tests/bench/long-step.mjs");
    let served = root().join("tests/bench/served.mjs");
    let attach = root().join("tests/bench/attach.mjs");
    crate::with_receiver(
        "bench",
        // The example forms, for the demo host page of the embedding figure.
        &["public/forms"],
        |forms| {
            for generate in [&script, &sign, &long_step, &attach] {
                crate::run(
                    std::process::Command::new("node")
                        .arg(generate)
                        .arg("generate")
                        .arg(forms),
                )?;
            }
            Ok(())
        },
        |url, _| {
            for measure in [
                &served, &script, &offline, &drafts, &sign, &embed, &long_step, &attach,
            ] {
                crate::run(
                    std::process::Command::new("node")
                        .arg(measure)
                        .arg("measure")
                        .arg(url),
                )?;
            }
            Ok(())
        },
    )
}

fn bundle_sizes() -> Result<(), String> {
    let dist = root().join("dist");
    let mut rows: Vec<(&str, usize, usize, usize)> = Vec::new();
    for (kind, ext) in [
        ("wasm", ".wasm"),
        ("js", ".js"),
        ("css", ".css"),
        ("html", ".html"),
    ] {
        let mut raw = 0;
        let mut gz = 0;
        let mut br = 0;
        for entry in std::fs::read_dir(&dist)
            .map_err(|e| format!("{}: {e}", dist.display()))?
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(ext) {
                let data = std::fs::read(entry.path()).map_err(|e| e.to_string())?;
                raw += data.len();
                gz += crate::precompress::gzip(&data).len();
                br += crate::precompress::brotli(&data).len();
            }
        }
        rows.push((kind, raw, gz, br));
    }
    let total = rows
        .iter()
        .filter(|r| r.0 != "html")
        .fold((0, 0, 0), |a, r| (a.0 + r.1, a.1 + r.2, a.2 + r.3));
    println!("\nRelease bundle (dist/), bytes");
    println!(
        "{:<8}{:>12}{:>12}{:>12}",
        "file", "raw", "gzip -9", "brotli 11"
    );
    for (kind, raw, gz, br) in &rows {
        println!("{kind:<8}{raw:>12}{gz:>12}{br:>12}");
    }
    println!(
        "{:<8}{:>12}{:>12}{:>12}",
        "runtime", total.0, total.1, total.2
    );
    println!("(runtime = wasm + js + css, what a citizen downloads before the form definition)");
    Ok(())
}
