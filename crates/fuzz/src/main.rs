//! `blankett-fuzz [--minutes N] [--target NAME] [--seed N]`: runs the targets for N minutes
//! in all (split evenly), prints what each came to, and fails when an input broke a rule.
//! `--target NAME --replay FILE` runs saved inputs again.

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use blankett_fuzz::runner::{self, Stats};
use blankett_fuzz::targets::Target;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut minutes = 1.0f64;
    let mut targets: Vec<Target> = Target::ALL.to_vec();
    let mut seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut replay: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let value = it.next();
        match (a.as_str(), value) {
            ("--minutes", Some(v)) => match v.parse::<f64>() {
                Ok(m) if m > 0.0 => minutes = m,
                _ => return usage(&format!("--minutes {v}: not a positive number")),
            },
            ("--target", Some(v)) => match Target::from_name(v) {
                Some(t) => targets = vec![t],
                None => return usage(&format!("--target {v}: no such target")),
            },
            ("--seed", Some(v)) => match v.parse() {
                Ok(s) => seed = s,
                Err(_) => return usage(&format!("--seed {v}: not a number")),
            },
            ("--replay", Some(v)) => replay.push(v.clone()),
            _ => return usage(&format!("unknown argument {a}")),
        }
    }
    runner::quiet_panics();
    if !replay.is_empty() {
        // Runs saved inputs again (e.g. a finding after a fix), each with its outcome.
        let mut failed = false;
        for path in &replay {
            let Ok(bytes) = std::fs::read(path) else {
                return usage(&format!("--replay {path}: cannot read it"));
            };
            for t in &targets {
                let c = runner::run_one(*t, &bytes, runner::TIME_LIMIT);
                failed |= c.outcome.is_err();
                println!(
                    "{path} ({}): {:?} in {:.1} ms, peak {:.2} MiB",
                    t.name(),
                    c.outcome,
                    c.elapsed.as_secs_f64() * 1000.0,
                    c.peak as f64 / f64::from(1u32 << 20)
                );
            }
        }
        return if failed {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        };
    }
    let findings = blankett_fuzz::targets::root().join("target/fuzz-findings");
    let each = Duration::from_secs_f64(minutes * 60.0 / targets.len() as f64);
    println!(
        "blankett-fuzz: seed {seed}, {:.1} min per target, limits {:?} and {} MiB per input",
        each.as_secs_f64() / 60.0,
        runner::TIME_LIMIT,
        blankett_fuzz::alloc::LIMIT >> 20
    );
    let mut all: Vec<(Target, Stats)> = Vec::new();
    for t in targets {
        let stats = runner::fuzz(t, each, seed, &findings, &mut |s| {
            println!("  {}: {}", t.name(), line(s));
        });
        println!("{}: {}", t.name(), line(&stats));
        all.push((t, stats));
    }
    let found: usize = all.iter().map(|(_, s)| s.findings.len()).sum();
    println!("\nsummary (seed {seed}):");
    for (t, s) in &all {
        println!("  {:<11} {}", t.name(), line(s));
        for (what, path) in s.findings.iter().take(10) {
            println!("      {what}: {}", path.display());
        }
    }
    if found > 0 {
        println!("{found} findings in {}", findings.display());
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn line(s: &Stats) -> String {
    format!(
        "{} inputs, slowest {:.1} ms ({} bytes), peak {:.2} MiB, {} outcomes, {} saved, {} findings",
        s.inputs,
        s.slowest.0.as_secs_f64() * 1000.0,
        s.slowest.1,
        s.peak as f64 / f64::from(1u32 << 20),
        s.outcomes,
        s.saved,
        s.findings.len()
    )
}

fn usage(e: &str) -> ExitCode {
    eprintln!(
        "blankett-fuzz: {e}\nusage: blankett-fuzz [--minutes N] [--target definition|submission|markdown|signature] [--seed N] [--replay FILE]…"
    );
    ExitCode::FAILURE
}
