//! `blankett-server check`: prints every problem in definition files, as form authors see them.

use std::io::Write;
use std::path::PathBuf;

use blankett_core::{Lang, Severity};

/// Exit code when every file loads (warnings allowed).
pub const EXIT_OK: i32 = 0;
/// Exit code when any file has errors.
pub const EXIT_ERRORS: i32 = 1;
/// Exit code for a usage error or a file that cannot be read.
pub const EXIT_USAGE: i32 = 2;

/// Checks each file, printing `FILE: diagnostic` lines to `out` (and `FILE: ok` when a file
/// has no errors) and read failures to `err`; returns the exit code.
pub fn run(files: &[PathBuf], lang: Lang, out: &mut impl Write, err: &mut impl Write) -> i32 {
    let mut code = EXIT_OK;
    for path in files {
        let name = path.display();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                // Output errors (a closed pipe) cannot be reported anywhere better: ignore.
                let _ = writeln!(err, "{name}: cannot read the file: {e}");
                code = code.max(EXIT_USAGE);
                continue;
            }
        };
        let loaded = blankett_core::load(&text);
        for d in &loaded.diagnostics {
            let _ = writeln!(out, "{name}: {}", d.line(lang));
        }
        if loaded
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
        {
            code = code.max(EXIT_ERRORS);
        } else {
            let _ = writeln!(out, "{name}: ok");
        }
    }
    code
}
