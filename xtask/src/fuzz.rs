//! `cargo xtask fuzz --minutes N [--target NAME] [--seed N]`: builds `crates/fuzz` in the
//! `fuzz` profile (optimised, unwinding, overflow-checked) and runs it. Inputs that keep
//! a new outcome land in `crates/fuzz/corpus/<target>/` (replayed by `cargo xtask test`);
//! inputs that broke a rule land in `target/fuzz-findings/`.

use std::process::Command;

use crate::{cargo, run};

/// Runs the fuzzer with the given arguments (`--minutes`, `--target`, `--seed`, `--replay`).
pub fn run_fuzz(args: &[String]) -> Result<(), String> {
    if !args.iter().any(|a| a == "--minutes" || a == "--replay") {
        return Err("fuzz: say for how long, e.g. `cargo xtask fuzz --minutes 30`".into());
    }
    run(cargo().args(["build", "--profile", "fuzz", "-p", "blankett-fuzz"]))?;
    let bin = crate::root().join("target/fuzz/blankett-fuzz");
    run(Command::new(bin).args(args))
}
