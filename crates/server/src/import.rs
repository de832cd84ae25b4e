//! `blankett-server import-oep`: an Open ePlatform export in, a checked definition out.

use std::io::Write;
use std::path::Path;

use blankett_core::{Lang, Severity};
use blankett_oep::import::{ImportError, Options, import};

/// Converts `file`, writing the definition (pretty JSON) to `out` and the report and the
/// checker's verdict to `err`; returns the exit code (0 ok, 1 checker errors, 2 not converted).
pub fn run(
    file: &Path,
    options: &Options,
    lang: Lang,
    out: &mut impl Write,
    err: &mut impl Write,
) -> i32 {
    let name = file.display();
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(e) => {
            let _ = writeln!(err, "{name}: cannot read the file: {e}");
            return 2;
        }
    };
    let imported = blankett_oep::import::decode(&bytes).and_then(|xml| import(&xml, options));
    let imported = match imported {
        Ok(imported) => imported,
        Err(e) => {
            let _ = writeln!(err, "{name}: {}", e.message(lang));
            if let ImportError::NothingConverted(notes) = &e {
                for n in notes {
                    let _ = writeln!(
                        err,
                        "  {}: {}: {}",
                        n.kind.label(lang),
                        n.at,
                        if lang == Lang::Sv { &n.sv } else { &n.en }
                    );
                }
            }
            return 2;
        }
    };
    let json = serde_json::to_string_pretty(&imported.definition).unwrap_or_default();
    let _ = writeln!(out, "{json}");
    for n in &imported.report {
        let message = if lang == Lang::Sv { &n.sv } else { &n.en };
        let _ = writeln!(err, "{name}: {}: {}: {message}", n.kind.label(lang), n.at);
    }
    let loaded = blankett_core::load(&json);
    for d in &loaded.diagnostics {
        let _ = writeln!(err, "{name}: definition: {}", d.line(lang));
    }
    if loaded
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error)
    {
        1
    } else {
        let _ = writeln!(
            err,
            "{name}: {}",
            if lang == Lang::Sv {
                "definitionen godkänns av kontrollen"
            } else {
                "the definition passes the checker"
            }
        );
        0
    }
}
