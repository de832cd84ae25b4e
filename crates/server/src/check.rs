//! `blankett-server check`: prints every problem in definition files, as form authors see them
//! (each with the code the citizen's page lists for it),
//! then the plain-language suggestions for their Swedish texts and the form's LIX
//! ([`blankett_core::plain`]), which never make a file fail.

use std::io::Write;
use std::path::PathBuf;

use blankett_core::definition::warning_word;
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
    run_for(files, lang, None, out, err)
}

/// [`run`], and with `connect` (the serving receiver's `--connect-origin` list) a warning for
/// every address in a definition (`submit.url`, code lists, the prefill endpoint) on another
/// origin that receiver's Content-Security-Policy would block.
pub fn run_for(
    files: &[PathBuf],
    lang: Lang,
    connect: Option<&[String]>,
    out: &mut impl Write,
    err: &mut impl Write,
) -> i32 {
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
        // Each with its code, the one the citizen's page shows for an error.
        for d in &loaded.diagnostics {
            let _ = writeln!(out, "{name}: {} [{}]", d.line(lang), d.problem.code());
        }
        if let Some(def) = &loaded.definition {
            // Plain Swedish: suggestions only, never an error (authors decide).
            let plain = blankett_core::plain::check(def);
            for finding in &plain.findings {
                let _ = writeln!(
                    out,
                    "{name}: {}: ({}) {}",
                    finding.path,
                    warning_word(lang),
                    finding.message(lang)
                );
            }
            let _ = writeln!(out, "{name}: {}", plain.summary(lang));
            for (i, offered) in def.languages.iter().enumerate() {
                if let Some(line) = interface_warning(*offered, lang) {
                    let _ = writeln!(
                        out,
                        "{name}: languages[{i}]: ({}) {line}",
                        warning_word(lang)
                    );
                }
            }
        }
        if let (Some(def), Some(allowed)) = (&loaded.definition, connect) {
            for (path, url, origin) in blocked_addresses(def, allowed) {
                let _ = writeln!(
                    out,
                    "{name}: {path}: {}",
                    blocked_warning(&url, &origin, lang)
                );
            }
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

/// What the runtime's own interface lacks in `offered`, a language the definition offers: its
/// whole language file, or some of its texts (named); an answer's messages are texts of the same
/// files. `None` when nothing is missing.
pub fn interface_warning(offered: blankett_core::LangTag, lang: Lang) -> Option<String> {
    let code = offered.code();
    match (blankett_core::i18n::missing(offered), lang) {
        (None, Lang::Sv) => Some(format!(
            "körtidens egna texter (knappar, rubriker, meddelanden) finns inte på \"{code}\" \
             och visas på svenska"
        )),
        (None, Lang::En) => Some(format!(
            "the runtime's own texts (buttons, headings, messages) have no \"{code}\" version \
             and are shown in Swedish"
        )),
        (Some(keys), _) if keys.is_empty() => None,
        (Some(keys), Lang::Sv) => Some(format!(
            "körtidens texter på \"{code}\" saknar {} och de visas på svenska",
            key_names(&keys)
        )),
        (Some(keys), Lang::En) => Some(format!(
            "the runtime's \"{code}\" texts lack {}, shown in Swedish",
            key_names(&keys)
        )),
    }
}

fn key_names(keys: &[blankett_core::i18n::Key]) -> String {
    keys.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
}

/// The addresses in `def` on an origin outside `allowed` (relative and root-relative ones are
/// the serving receiver's own): (path in the definition, address, its origin).
pub fn blocked_addresses(
    def: &blankett_core::Definition,
    allowed: &[String],
) -> Vec<(String, String, String)> {
    let mut addresses = vec![("submit.url".to_owned(), def.submit.url.clone())];
    addresses.extend(
        def.option_urls()
            .into_iter()
            .map(|u| ("options_from.url".to_owned(), u)),
    );
    if let Some(prefill) = &def.prefill {
        addresses.push(("prefill.endpoint".to_owned(), prefill.endpoint.clone()));
    }
    addresses
        .into_iter()
        .filter_map(|(path, url)| {
            let origin = origin_of(&url)?;
            (!allowed.iter().any(|a| a.eq_ignore_ascii_case(&origin)))
                .then_some((path, url, origin))
        })
        .collect()
}

/// `scheme://host[:port]` of an absolute `http(s)` address; `None` for a relative one.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next()?;
    Some(format!(
        "{}://{}",
        scheme.to_ascii_lowercase(),
        host.to_ascii_lowercase()
    ))
}

/// The checker's warning for an address the serving receiver's policy would block.
fn blocked_warning(url: &str, origin: &str, lang: Lang) -> String {
    match lang {
        Lang::Sv => format!(
            "(varning) {url} ligger på {origin}, som mottagarens Content-Security-Policy inte \
             tillåter: starta den med --connect-origin {origin} (och {origin} måste tillåta \
             sidans ursprung med CORS)"
        ),
        Lang::En => format!(
            "(warning) {url} is on {origin}, which the receiver's Content-Security-Policy does \
             not allow: start it with --connect-origin {origin} (and {origin} must allow the \
             page's origin by CORS)"
        ),
    }
}
