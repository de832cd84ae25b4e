//! `cargo xtask e2e`: the browser suite alone, as often as asked, under CPU pressure.
//!
//! CI runs on a busy machine; a test that passes only when the machine is idle fails there
//! one time in some. This runs the suite with busy-loop threads beside it (`--busy`) and
//! Chromium's own CPU throttling on every page (`--cpu-throttle`), `--repeat` times in a row,
//! and says how many runs passed.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// How the browser suite is run: which files, and how slow every page's CPU is.
#[derive(Debug, Clone, PartialEq)]
pub struct Pressure {
    /// Chromium runs every page this many times slower (1: not throttled).
    pub cpu_throttle: f64,
    /// Only the test files whose names contain this.
    pub only: Option<String>,
}

impl Default for Pressure {
    fn default() -> Pressure {
        Pressure {
            cpu_throttle: 1.0,
            only: None,
        }
    }
}

/// What `cargo xtask e2e` was asked to do.
#[derive(Debug, Clone, PartialEq)]
struct Options {
    repeat: u32,
    busy: u32,
    pressure: Pressure,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        repeat: 1,
        busy: 0,
        pressure: Pressure::default(),
    };
    let mut args = args.iter().skip_while(|a| *a == "--");
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| format!("{flag} needs a value"))
                .cloned()
        };
        let number = |v: String| {
            v.parse::<f64>()
                .ok()
                .filter(|n| n.is_finite() && *n >= 0.0)
                .ok_or_else(|| format!("{flag}: \"{v}\" is not a number"))
        };
        match flag.as_str() {
            "--repeat" => options.repeat = number(value()?)?.max(1.0) as u32,
            "--busy" => options.busy = number(value()?)? as u32,
            "--cpu-throttle" => options.pressure.cpu_throttle = number(value()?)?.max(1.0),
            "--only" => options.pressure.only = Some(value()?),
            other => return Err(format!("e2e: unknown option {other}")),
        }
    }
    Ok(options)
}

/// Builds the app, then runs the browser suite as the options say.
pub fn run(args: &[String]) -> Result<(), String> {
    let options = parse(args)?;
    crate::install::build_tools()?;
    crate::install::test_tools()?;
    crate::build_app()?;
    // Build the receiver before the loops start, so they press on the tests, not on rustc.
    crate::run(crate::cargo().args(["build", "-p", "blankett-server"]))?;
    let stop = Arc::new(AtomicBool::new(false));
    let loops: Vec<_> = (0..options.busy)
        .map(|_| {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut x: u64 = 1;
                while !stop.load(Ordering::Relaxed) {
                    x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
                }
            })
        })
        .collect();
    let mut failed = Vec::new();
    for n in 1..=options.repeat {
        let started = Instant::now();
        eprintln!(
            "xtask: browser suite, run {n} of {} ({} busy loops, CPU throttle {}x)",
            options.repeat, options.busy, options.pressure.cpu_throttle
        );
        let result = crate::browser_tests(&options.pressure);
        let secs = started.elapsed().as_secs();
        match result {
            Ok(()) => eprintln!("xtask: run {n} passed in {secs} s"),
            Err(e) => {
                eprintln!("xtask: run {n} FAILED in {secs} s: {e}");
                failed.push(n);
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    for l in loops {
        let _ = l.join();
    }
    let passed = options.repeat as usize - failed.len();
    eprintln!(
        "xtask: {passed} of {} runs passed ({} busy loops, CPU throttle {}x)",
        options.repeat, options.busy, options.pressure.cpu_throttle
    );
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("runs {failed:?} failed"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn options_default_to_one_plain_run() {
        assert_eq!(
            parse(&[]),
            Ok(Options {
                repeat: 1,
                busy: 0,
                pressure: Pressure::default()
            })
        );
    }

    #[test]
    fn options_are_read() {
        let o = parse(&args(
            "-- --repeat 10 --busy 2 --cpu-throttle 4 --only journeys",
        ));
        assert_eq!(
            o,
            Ok(Options {
                repeat: 10,
                busy: 2,
                pressure: Pressure {
                    cpu_throttle: 4.0,
                    only: Some("journeys".into())
                }
            })
        );
    }

    #[test]
    fn bad_options_say_what_is_wrong() {
        assert_eq!(parse(&args("--busy")), Err("--busy needs a value".into()));
        assert_eq!(
            parse(&args("--repeat many")),
            Err("--repeat: \"many\" is not a number".into())
        );
        assert_eq!(
            parse(&args("--fast")),
            Err("e2e: unknown option --fast".into())
        );
    }
}
