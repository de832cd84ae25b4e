//! The codes the citizen's page lists: each problem has one, each is explained in the docs,
//! and the citizen's listing and the checker's agree on every definition.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::Value;

use crate::Lang;
use crate::definition::{Diagnostic, Severity};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The string literals inside `fn code` in a source file: every code that function returns.
fn codes_in(path: &str) -> Vec<String> {
    let source = read(path);
    let start = source.find("pub fn code(&self)").expect("a code function");
    let body = &source[start..];
    let body = &body[..body.find("\n    }\n").expect("its end")];
    body.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// The codes in docs/form-definition.md's table under "Diagnostic codes".
fn documented() -> Vec<String> {
    let docs = read("docs/form-definition.md");
    let start = docs.find("### Diagnostic codes").expect("the section");
    docs[start..]
        .lines()
        .skip_while(|l| !l.starts_with("| `"))
        .take_while(|l| l.starts_with("| `"))
        .filter_map(|l| l.split('`').nth(1).map(str::to_owned))
        .collect()
}

#[test]
fn every_code_is_unique_and_documented() {
    let mut codes = codes_in("crates/core/src/definition/diagnostic.rs");
    codes.extend(codes_in("crates/core/src/expr/error.rs"));
    let unique: BTreeSet<&String> = codes.iter().collect();
    assert_eq!(unique.len(), codes.len(), "no code twice: {codes:?}");
    assert!(codes.iter().all(|c| {
        c.bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'.')
    }));
    assert_eq!(
        documented(),
        codes,
        "the docs list every code once, in the source's order"
    );
}

#[test]
fn a_code_line_is_the_path_and_the_code() {
    let loaded = crate::load(&read("tests/e2e/forms/broken-example.json"));
    let lines: Vec<String> = loaded
        .diagnostics
        .iter()
        .map(Diagnostic::code_line)
        .collect();
    assert!(
        lines.contains(&"steps[0].fields[0].type: unknown_field_type".to_owned()),
        "{lines:?}"
    );
    assert!(lines.contains(&"privacy: missing".to_owned()), "{lines:?}");
    assert!(
        lines.contains(&"steps[0].fields[1].id: duplicate_id".to_owned()),
        "{lines:?}"
    );
    let syntax = crate::load("{\n  \"id\": \n}");
    let lines: Vec<String> = syntax
        .diagnostics
        .iter()
        .map(Diagnostic::code_line)
        .collect();
    assert_eq!(lines, ["syntax"]);
}

/// What the citizen's page lists for a definition, as `src/form/mod.rs` builds it: `None`
/// when the form loads.
fn citizen(text: &str) -> Option<Vec<String>> {
    let loaded = crate::load(text);
    match loaded.definition {
        Some(_) => None,
        None => Some(
            loaded
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .map(Diagnostic::code_line)
                .collect(),
        ),
    }
}

/// Checks that the citizen's page and `blankett-server check`'s lines agree on `text`: the
/// same refusal, one listed line per error line of the checker, with its path and code.
fn agree(text: &str, documented: &BTreeSet<String>) {
    let loaded = crate::load(text);
    let errors: Vec<&Diagnostic> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    let listed = citizen(text);
    assert_eq!(
        listed.is_some(),
        !errors.is_empty(),
        "refused by both or by neither"
    );
    let Some(listed) = listed else { return };
    assert_eq!(listed.len(), errors.len(), "one listed line per error");
    for (line, d) in listed.iter().zip(errors) {
        let checker = format!("{} [{}]", d.line(Lang::En), d.problem.code());
        let code = d.problem.code();
        assert!(documented.contains(code), "{code} is in the docs");
        assert!(
            line.ends_with(code) && checker.ends_with(&format!("[{code}]")),
            "{line} / {checker}"
        );
        if !d.path.is_empty() {
            assert!(
                line.starts_with(&d.path) && checker.starts_with(&d.path),
                "{line} / {checker}"
            );
        }
    }
}

/// Every definition in the repository: the examples, the browser tests' forms, fixtures
/// (read once for all the cases of the proptest).
fn fixtures() -> &'static [(PathBuf, String)] {
    static ALL: OnceLock<Vec<(PathBuf, String)>> = OnceLock::new();
    ALL.get_or_init(read_fixtures)
}

fn read_fixtures() -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for dir in [
        "public/forms",
        "tests/e2e/forms",
        "crates/server/tests/fixtures",
    ] {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(repo().join(dir))
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .filter(|p| p.file_name().is_some_and(|n| n != "index.json"))
            .collect();
        entries.sort();
        for path in entries {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            out.push((path, text));
        }
    }
    out
}

#[test]
fn the_citizens_page_and_the_checker_agree_on_every_fixture() {
    let documented: BTreeSet<String> = documented().into_iter().collect();
    let all = fixtures();
    assert!(all.len() >= 10, "{} fixtures", all.len());
    for (path, text) in all {
        eprintln!("{}", path.display());
        agree(text, &documented);
    }
}

/// One change to a JSON document at the `pick`-th node (depth first): removed, replaced by
/// another type, an id copied over, an unknown key added or a string emptied.
fn mutate(value: &mut Value, pick: &mut usize, how: u8) -> bool {
    if *pick == 0 {
        *value = match how % 6 {
            0 => Value::Null,
            1 => Value::from(-1),
            2 => Value::from(""),
            3 => Value::from("txt"),
            4 => serde_json::json!({ "labl": "x" }),
            _ => serde_json::json!([]),
        };
        return true;
    }
    *pick -= 1;
    match value {
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                if *pick == 0 && how % 7 == 6 {
                    map.remove(&key);
                    return true;
                }
                if let Some(v) = map.get_mut(&key)
                    && mutate(v, pick, how)
                {
                    return true;
                }
            }
            false
        }
        Value::Array(items) => items.iter_mut().any(|v| mutate(v, pick, how)),
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]
    #[test]
    fn the_citizens_page_and_the_checker_agree_on_mutated_definitions(
        which in 0usize..64,
        picks in proptest::collection::vec((0usize..400, any::<u8>()), 1..4),
        cut in proptest::option::of(0usize..4000),
    ) {
        let all = fixtures();
        let (_, text) = &all[which % all.len()];
        static DOCUMENTED: OnceLock<BTreeSet<String>> = OnceLock::new();
        let documented = DOCUMENTED.get_or_init(|| documented().into_iter().collect());
        let mut text = match serde_json::from_str::<Value>(text) {
            Ok(mut value) => {
                for (pick, how) in picks {
                    let mut pick = pick;
                    mutate(&mut value, &mut pick, how);
                }
                serde_json::to_string_pretty(&value).unwrap_or_default()
            }
            Err(_) => text.clone(),
        };
        // Sometimes the text is cut short, as a broken upload would be.
        if let Some(cut) = cut.filter(|c| *c < text.len() && text.is_char_boundary(*c)) {
            text.truncate(cut);
        }
        agree(&text, documented);
    }
}
