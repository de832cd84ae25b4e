//! The `.oeflow` importer, exported to JavaScript for the developer page `dev/oep.html`:
//! the same conversion as `blankett-server import-oep`, run in the browser on a picked file.

use blankett_core::{Lang, Severity};
use blankett_oep::import::{ImportError, Options, decode, import};
use serde_json::json;
use wasm_bindgen::prelude::wasm_bindgen;

/// Converts an `.oeflow` file's bytes; returns JSON: `{"ok": true, "definition": …,
/// "report": […], "diagnostics": […], "checks": bool, "plain": {"summary": "…", "findings":
/// […]} or null}` or `{"ok": false, "error": "…", "report": […]}`.
#[wasm_bindgen]
pub fn convert_oeflow(bytes: &[u8], lang: &str) -> String {
    convert(bytes, if lang == "en" { Lang::En } else { Lang::Sv }).to_string()
}

/// [`convert_oeflow`] as a JSON value (native, for tests).
pub fn convert(bytes: &[u8], lang: Lang) -> serde_json::Value {
    let note = |n: &blankett_oep::import::Note| {
        json!({
            "kind": n.kind,
            "label": n.kind.label(lang),
            "at": n.at,
            "message": if lang == Lang::Sv { &n.sv } else { &n.en },
        })
    };
    match decode(bytes).and_then(|xml| import(&xml, &Options::default())) {
        Ok(imported) => {
            let text = serde_json::to_string_pretty(&imported.definition).unwrap_or_default();
            let loaded = blankett_core::load(&text);
            // Plain Swedish, as `blankett-server check` prints it: suggestions, never errors.
            let plain = loaded.definition.as_ref().map(|def| {
                let report = blankett_core::plain::check(def);
                json!({
                    "summary": report.summary(lang),
                    "findings": report.findings.iter()
                        .map(|f| format!("{}: {}", f.path, f.message(lang)))
                        .collect::<Vec<_>>(),
                })
            });
            json!({
                "ok": true,
                "definition": text,
                "id": imported.definition["id"],
                "report": imported.report.iter().map(note).collect::<Vec<_>>(),
                "diagnostics": loaded.diagnostics.iter().map(|d| d.line(lang)).collect::<Vec<_>>(),
                "checks": !loaded.diagnostics.iter().any(|d| d.severity == Severity::Error),
                "plain": plain,
            })
        }
        Err(e) => {
            let notes = match &e {
                ImportError::NothingConverted(notes) => notes.iter().map(note).collect(),
                _ => Vec::new(),
            };
            json!({ "ok": false, "error": e.message(lang), "report": notes })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_file_is_a_clear_error_and_a_good_one_converts() {
        let bad = convert(b"<Flow><name>x", Lang::Sv);
        assert_eq!(bad["ok"], false);
        assert!(
            bad["error"]
                .as_str()
                .unwrap_or("")
                .starts_with("inte välformad XML"),
            "{bad}"
        );
        let other = convert(b"<?xml version=\"1.0\"?><Form/>", Lang::En);
        assert!(
            other["error"].as_str().unwrap_or("").contains("not <Flow>"),
            "{other}"
        );
    }
}
