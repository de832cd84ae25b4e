//! Replays the saved corpus (`corpus/<target>/`) and the regressions the fuzzer found: no
//! panic, no broken property, every input within the time and allocation bounds. One test
//! function, so that nothing else allocates while an input is measured.

use std::time::Duration;

use blankett_fuzz::runner::{self, corpus_files, run_one};
use blankett_fuzz::targets::Target;

/// Unoptimised test builds are several times slower than the fuzzer's build.
fn time_limit() -> Duration {
    if cfg!(debug_assertions) {
        runner::TIME_LIMIT * 10
    } else {
        runner::TIME_LIMIT
    }
}

#[test]
fn corpus_replays_within_bounds() {
    runner::quiet_panics();
    let mut failures = Vec::new();
    let mut count = 0;
    for target in Target::ALL {
        let files = corpus_files(target);
        assert!(!files.is_empty(), "{}: no corpus", target.name());
        for file in files {
            let bytes = std::fs::read(&file).unwrap_or_default();
            let checked = run_one(target, &bytes, time_limit());
            count += 1;
            if let Err(what) = checked.outcome {
                failures.push(format!("{}: {what}", file.display()));
            }
        }
        // The valid inputs are accepted, end to end.
        for seed in runner::seeds(target) {
            let checked = run_one(target, &seed, time_limit());
            match (target, checked.outcome) {
                (_, Err(what)) => failures.push(format!("{} seed: {what}", target.name())),
                (Target::Submission, Ok(o)) if !o.starts_with("accepted:") => {
                    failures.push(format!("a valid submission was refused: {o}"));
                }
                (Target::Signature, Ok(o)) if !o.starts_with("verified:accepted:") => {
                    failures.push(format!("a correctly signed submission was refused: {o}"));
                }
                (Target::Definition, Ok(o)) if o.starts_with("refused") => {
                    // tests/e2e/forms/broken-example.json is broken on purpose.
                }
                _ => {}
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(count > 0);

    // Regression (found by the fuzzer): a link whose destination is refused turns back into
    // its text; nested ones kept every level's copy, 100 MB for 94 KB of `[[[…`.
    let levels = 3000;
    let nested = format!(
        "{}{}",
        "[a".repeat(levels),
        "](javascript:x)".repeat(levels)
    );
    let checked = run_one(Target::Markdown, nested.as_bytes(), time_limit());
    assert!(checked.outcome.is_ok(), "{:?}", checked.outcome);
    assert!(
        checked.peak < 8 << 20,
        "nested refused links allocated {} bytes",
        checked.peak
    );
}
