//! Loading the form definitions the receiver checks submissions against.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use blankett_core::{Definition, Lang, Severity, Text};
use serde::Serialize;

/// The definitions that loaded, by form id.
#[derive(Debug, Clone, Default)]
pub struct Forms {
    by_id: BTreeMap<String, Definition>,
    /// How each form with an `x-oep` block is delivered as Open ePlatform FlowInstance XML,
    /// read once when the form loads.
    oep: BTreeMap<String, blankett_oep::export::Mapping>,
}

/// A definition file that was not loaded, and why (English lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The file.
    pub path: PathBuf,
    /// Every reason, one line each.
    pub lines: Vec<String>,
}

/// One entry of `GET /api/forms`.
#[derive(Debug, Clone, Serialize)]
pub struct FormSummary {
    /// The form id.
    pub id: String,
    /// The definition version.
    pub version: String,
    /// The form title.
    pub title: Text,
}

impl Forms {
    /// No forms.
    pub fn new() -> Forms {
        Forms::default()
    }

    /// Adds a definition; an earlier one with the same id is kept and `false` returned.
    pub fn insert(&mut self, def: Definition) -> bool {
        let id = def.id.as_str().to_owned();
        if self.by_id.contains_key(&id) {
            return false;
        }
        self.by_id.insert(id, def);
        true
    }

    /// Every loaded definition, by form id.
    pub fn definitions(&self) -> impl Iterator<Item = &Definition> {
        self.by_id.values()
    }

    /// The definition of `form_id`, if loaded.
    pub fn get(&self, form_id: &str) -> Option<&Definition> {
        self.by_id.get(form_id)
    }

    /// The form's `x-oep` block: present when the form's cases may be delivered as OEP
    /// FlowInstance XML.
    pub fn oep(&self, form_id: &str) -> Option<&blankett_oep::export::Mapping> {
        self.oep.get(form_id)
    }

    /// How many forms are loaded.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether no form is loaded.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Every loaded form as id, version and title, by id.
    pub fn summaries(&self) -> Vec<FormSummary> {
        self.by_id
            .values()
            .map(|d| FormSummary {
                id: d.id.as_str().to_owned(),
                version: d.version.clone(),
                title: d.title.clone(),
            })
            .collect()
    }

    /// Loads every `*.json` in `dir` except `index.json`, in file-name order.
    ///
    /// Nothing here is fatal: a file that cannot be read or has errors is skipped and
    /// reported; a missing folder gives no forms. Warnings are logged but do not skip.
    pub fn load_dir(dir: &Path) -> (Forms, Vec<Skipped>) {
        let mut forms = Forms::new();
        let mut skipped = Vec::new();
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => {
                skipped.push(Skipped {
                    path: dir.to_path_buf(),
                    lines: vec![format!("cannot read the forms folder: {e}")],
                });
                return (forms, skipped);
            }
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.is_file()
                    && p.extension().is_some_and(|x| x == "json")
                    && p.file_name().is_some_and(|n| n != "index.json")
            })
            .collect();
        paths.sort();
        for path in paths {
            let text = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(e) => {
                    skipped.push(Skipped {
                        lines: vec![format!("cannot read the file: {e}")],
                        path,
                    });
                    continue;
                }
            };
            let loaded = blankett_core::load(&text);
            for d in &loaded.diagnostics {
                if d.severity == Severity::Warning {
                    tracing::warn!("{}: {}", path.display(), d.line(Lang::En));
                }
            }
            let lines: Vec<String> = loaded
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .map(|d| d.line(Lang::En))
                .collect();
            let resolved = loaded.definition.map(|mut def| {
                resolve_lists(&mut def, dir)?;
                let mapping = oep_mapping(&def, &text)?;
                Ok((def, mapping))
            });
            match resolved {
                Some(Err(lines)) => skipped.push(Skipped { path, lines }),
                Some(Ok((def, mapping))) => {
                    let id = def.id.as_str().to_owned();
                    if forms.insert(def) {
                        if let Some(mapping) = mapping {
                            forms.oep.insert(id, mapping);
                        }
                    } else {
                        skipped.push(Skipped {
                            lines: vec![format!(
                                "another file already defines the form \"{id}\"; this one is ignored"
                            )],
                            path,
                        });
                    }
                }
                None => skipped.push(Skipped { path, lines }),
            }
        }
        (forms, skipped)
    }
}

/// The Open ePlatform mapping of a definition with an `x-oep` block (the loader ignores
/// `x-…` keys, so it is read from the file's text); a malformed block skips the form.
fn oep_mapping(
    def: &Definition,
    text: &str,
) -> Result<Option<blankett_oep::export::Mapping>, Vec<String>> {
    let json: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    let Some(block) = json.get("x-oep") else {
        return Ok(None);
    };
    blankett_oep::export::Mapping::new(def, Some(block))
        .map(Some)
        .map_err(|e| vec![format!("x-oep: {e}")])
}

/// Puts in place the code lists a definition names. The receiver serves the forms folder at
/// `/forms/`, so a list at `/forms/lists/x.json` is read from `<forms>/lists/x.json`: the app
/// and the receiver use the same file. Other addresses are refused (this receiver makes no
/// outgoing requests); every problem is returned.
fn resolve_lists(def: &mut Definition, forms_dir: &Path) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    for url in def.option_urls() {
        let Some(relative) = url
            .strip_prefix("/forms/")
            .filter(|r| !r.split('/').any(|part| part == ".." || part.is_empty()))
        else {
            problems.push(format!(
                "options_from \"{url}\": this receiver reads code lists only under /forms/ (its forms folder)"
            ));
            continue;
        };
        let file = forms_dir.join(relative);
        let list = std::fs::read_to_string(&file)
            .map_err(|e| {
                format!(
                    "options_from \"{url}\": cannot read {}: {e}",
                    file.display()
                )
            })
            .and_then(|text| {
                serde_json::from_str::<serde_json::Value>(&text)
                    .map_err(|e| format!("options_from \"{url}\": not valid JSON: {e}"))
            });
        match list {
            Ok(list) => {
                if let Err(diagnostics) = def.resolve_options(&url, &list) {
                    problems.extend(
                        diagnostics
                            .iter()
                            .map(|d| format!("options_from \"{url}\": {}", d.line(Lang::En))),
                    );
                }
            }
            Err(problem) => problems.push(problem),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}
