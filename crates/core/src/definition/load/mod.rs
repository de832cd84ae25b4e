//! Loading a definition: JSON in, the checked model and every problem out.
//!
//! The loader walks the parsed JSON itself instead of deserializing it with serde, so that
//! one run reports every problem with its exact path, not just the first.

mod checks;
mod expressions;
mod fields;
mod read;
mod theme;

use std::collections::HashMap;

use serde_json::Value;

use self::checks::prescan;
use self::expressions::condition_fields;
use self::read::Path;
use super::diagnostic::{Diagnostic, IdKind, Problem, Severity};
use super::model::*;
use crate::formats;
use crate::text::LangTag;

/// The result of loading: the definition when it has no errors, and every diagnostic.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The checked definition; `None` when any diagnostic is an error.
    pub definition: Option<Definition>,
    /// Every problem found, errors and warnings, in document order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    /// The definition, or every diagnostic when it could not be built.
    pub fn into_result(self) -> Result<Definition, Vec<Diagnostic>> {
        self.definition.ok_or(self.diagnostics)
    }
}

/// Loads a definition from JSON text.
///
/// A key written twice in one object is an error at the second one (parsers disagree on which
/// value counts); the rest of the document is still checked, reading the last value.
pub fn load(json: &str) -> Loaded {
    match serde_json::from_str::<Value>(json) {
        Ok(value) => {
            let duplicates = crate::json::duplicate_keys(json);
            if duplicates.is_empty() {
                return load_value(&value);
            }
            let mut loaded = load_value(&value);
            let found = duplicates.into_iter().map(|d| Diagnostic {
                path: d.path,
                severity: Severity::Error,
                problem: Problem::DuplicateKey,
            });
            loaded.diagnostics.splice(0..0, found);
            loaded.definition = None;
            loaded
        }
        Err(e) => Loaded {
            definition: None,
            diagnostics: vec![Diagnostic {
                path: String::new(),
                severity: Severity::Error,
                problem: Problem::Syntax {
                    message: syntax_message(&e),
                    line: e.line(),
                    column: e.column(),
                },
            }],
        },
    }
}

fn syntax_message(e: &serde_json::Error) -> String {
    // serde_json appends " at line L column C"; the diagnostic carries those separately.
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

/// Loads a definition from an already parsed JSON value.
pub fn load_value(value: &Value) -> Loaded {
    let mut cx = Cx {
        prescan: prescan(value),
        ..Cx::default()
    };
    let definition = cx.definition(value);
    cx.check_references(definition.as_ref());
    cx.check_step_sizes(definition.as_ref());
    cx.check_expression_references();
    cx.check_cycles();
    let has_errors = cx.diags.iter().any(|d| d.severity == Severity::Error);
    Loaded {
        definition: if has_errors { None } else { definition },
        diagnostics: cx.diags,
    }
}

/// Reads a fetched code list (an array of options, or `{"options": [...]}`) with the rules
/// for options written in a definition.
fn option_list(v: &Value) -> Result<Vec<ChoiceOption>, Vec<Diagnostic>> {
    let mut cx = Cx::default();
    let (items, path) = match v.get("options") {
        Some(items) if v.is_object() => (items, Path::root().key("options")),
        _ => (v, Path::root()),
    };
    if items.as_array().is_some_and(Vec::is_empty) {
        cx.error(&path, Problem::TooFewOptions(1));
        return Err(cx.diags);
    }
    cx.option_items(items, &path).ok_or(cx.diags)
}

/// Code lists: the options a definition names by URL, read when they are fetched.
impl Definition {
    /// Puts a fetched code list in place for every field that names `url`.
    ///
    /// The list is checked with the same rules as options written in a definition; on
    /// problems nothing changes and every problem is returned (paths relative to the list).
    pub fn resolve_options(
        &mut self,
        url: &str,
        list: &serde_json::Value,
    ) -> Result<(), Vec<Diagnostic>> {
        let options = option_list(list)?;
        fn walk(fields: &mut [Field], url: &str, options: &[ChoiceOption]) {
            for field in fields {
                match &mut field.kind {
                    FieldKind::Group(g) => walk(&mut g.fields, url, options),
                    FieldKind::Repeat(r) => walk(&mut r.fields, url, options),
                    _ => {}
                }
                let list = match &mut field.kind {
                    FieldKind::Select(c) | FieldKind::Radio(c) => &mut c.list,
                    FieldKind::Checkboxes(c) => &mut c.list,
                    _ => continue,
                };
                if let OptionList::Remote {
                    options_from,
                    resolved,
                } = list
                    && options_from.url == url
                {
                    *resolved = options.to_vec();
                }
            }
        }
        for step in &mut self.steps {
            walk(&mut step.fields, url, &options);
        }
        Ok(())
    }
}

/// The walk's state: the diagnostics so far, and what the checks across fields collect.
#[derive(Default)]
struct Cx {
    diags: Vec<Diagnostic>,
    field_ids: HashMap<String, String>,
    /// Every field id with whether it takes an answer.
    questions: HashMap<String, bool>,
    /// `must_match` references: (path, from field id, target id, the repeating group it is in).
    references: Vec<(String, String, String, Option<String>)>,
    /// Every field's type and option values (`None` for a list fetched from a URL), read
    /// before the walk (for the choice short form).
    prescan: HashMap<String, (String, Option<Vec<Value>>)>,
    /// Fields read by expressions: (path of the expression, field ids it reads, the
    /// repeating group it is inside).
    expression_refs: Vec<(String, Vec<String>, Option<String>)>,
    /// The repeating group being walked, if any.
    repeat: Option<String>,
    /// The fields of repeating groups' rows, with their group's id.
    row_fields: HashMap<String, String>,
    /// The fields the enclosing step's and groups' `visible_if` read, innermost last.
    scope_deps: Vec<Vec<String>>,
    /// For each field with a value: (id, path, the fields its presence or value depends on).
    value_deps: Vec<(String, String, Vec<String>)>,
}

impl Cx {
    fn definition(&mut self, v: &Value) -> Option<Definition> {
        let root = Path::root();
        let obj = self.object(v, &root)?;
        self.unknown_keys(
            &obj,
            &[
                "blankett",
                "id",
                "version",
                "languages",
                "title",
                "description",
                "organisation",
                "privacy",
                "submit",
                "steps",
                "rules",
                "prefill",
                "drafts",
            ],
        );
        let blankett = self.required(&obj, "blankett").and_then(|(v, p)| {
            let s = self.string(v, &p)?;
            if s == FORMAT_VERSION {
                Some(s)
            } else {
                self.error(&p, Problem::UnsupportedVersion(s));
                None
            }
        });
        let id = self.required(&obj, "id").and_then(|(v, p)| self.id(v, &p));
        let version = self.required(&obj, "version").and_then(|(v, p)| match v {
            // A bare number is a common way to write a version; keep it as written.
            Value::Number(n) => Some(n.to_string()),
            _ => self.nonempty_string(v, &p),
        });
        let languages = self.opt(&obj, "languages", Self::languages);
        let title = self
            .required(&obj, "title")
            .and_then(|(v, p)| self.text(v, &p));
        let description = self.opt(&obj, "description", Self::text);
        let organisation = self
            .required(&obj, "organisation")
            .and_then(|(v, p)| self.organisation(v, &p));
        let privacy = self
            .required(&obj, "privacy")
            .and_then(|(v, p)| self.privacy(v, &p));
        let submit = self
            .required(&obj, "submit")
            .and_then(|(v, p)| self.submit(v, &p));
        let steps = self
            .required(&obj, "steps")
            .and_then(|(v, p)| self.steps(v, &p));
        let rules = self.opt(&obj, "rules", Self::rules);
        let prefill = self.opt(&obj, "prefill", |cx, v, p| {
            let obj = cx.object(v, p)?;
            cx.unknown_keys(&obj, &["endpoint"]);
            let endpoint = cx
                .required(&obj, "endpoint")
                .and_then(|(v, p)| cx.url(v, &p))?;
            Some(PrefillSource { endpoint })
        });
        let drafts = self.opt(&obj, "drafts", |cx, v, p| {
            let obj = cx.object(v, p)?;
            cx.unknown_keys(&obj, &["keep_days"]);
            let (v, p) = cx.required(&obj, "keep_days")?;
            let keep_days = cx.count(v, &p)?;
            if keep_days > crate::draft::MAX_KEEP_DAYS {
                cx.error(
                    &p,
                    Problem::TooLarge {
                        max: crate::draft::MAX_KEEP_DAYS,
                    },
                );
                return None;
            }
            Some(DraftPolicy { keep_days })
        });
        Some(Definition {
            blankett: blankett?,
            id: id?,
            version: version?,
            languages: languages
                .ok()?
                .unwrap_or_else(super::model::default_languages),
            title: title?,
            description: description.ok()?,
            organisation: organisation?,
            privacy: privacy?,
            submit: submit?,
            steps: steps?,
            rules: rules.ok()?.unwrap_or_default(),
            prefill: prefill.ok()?,
            drafts: drafts.ok()?,
        })
    }

    /// `languages`: BCP 47 tags, none twice, Swedish first.
    fn languages(&mut self, v: &Value, path: &Path) -> Option<Vec<LangTag>> {
        let tags = self.array(v, path, None, |cx, v, p| {
            let s = cx.string(v, p)?;
            let tag = LangTag::parse(&s);
            if tag.is_none() {
                cx.error(p, Problem::BadLanguageCode(s));
            }
            tag
        })?;
        let mut ok = true;
        for (i, tag) in tags.iter().enumerate() {
            if tags[..i].contains(tag) {
                self.error(
                    &path.index(i),
                    Problem::DuplicateLanguage(tag.code().to_owned()),
                );
                ok = false;
            }
        }
        if tags.first() != Some(&LangTag::SV) {
            self.error(&path.index(0), Problem::FirstLanguageNotSwedish);
            ok = false;
        }
        ok.then_some(tags)
    }

    fn organisation(&mut self, v: &Value, path: &Path) -> Option<Organisation> {
        let obj = self.object(v, path)?;
        self.unknown_keys(&obj, &["name", "contact", "logo", "theme"]);
        let name = self
            .required(&obj, "name")
            .and_then(|(v, p)| self.text(v, &p));
        let contact = self
            .required(&obj, "contact")
            .and_then(|(v, p)| self.contact(v, &p));
        let logo = self.opt(&obj, "logo", Self::logo);
        let theme = self.opt(&obj, "theme", Self::theme);
        Some(Organisation {
            name: name?,
            contact: contact?,
            logo: logo.ok()?,
            theme: theme.ok()?,
        })
    }

    fn contact(&mut self, v: &Value, path: &Path) -> Option<Contact> {
        let obj = self.object(v, path)?;
        self.unknown_keys(&obj, &["email", "phone", "url"]);
        let email = self.opt(&obj, "email", |cx, v, p| {
            let s = cx.nonempty_string(v, p)?;
            if formats::is_valid_email(&s) {
                Some(s)
            } else {
                cx.error(p, Problem::InvalidEmail(s));
                None
            }
        });
        let phone = self.opt(&obj, "phone", Self::nonempty_string);
        let url = self.opt(&obj, "url", Self::url);
        let contact = Contact {
            email: email.ok()?,
            phone: phone.ok()?,
            url: url.ok()?,
        };
        if contact == Contact::default() {
            self.error(path, Problem::NoContact);
            return None;
        }
        Some(contact)
    }

    fn privacy(&mut self, v: &Value, path: &Path) -> Option<PrivacyNotice> {
        let obj = self.object(v, path)?;
        self.unknown_keys(
            &obj,
            &[
                "controller",
                "purpose",
                "legal_basis",
                "retention",
                "recipients",
                "rights_url",
                "contact",
                "keep_days",
            ],
        );
        let text = |cx: &mut Self, key| cx.required(&obj, key).and_then(|(v, p)| cx.text(v, &p));
        let controller = text(self, "controller");
        let purpose = text(self, "purpose");
        let legal_basis = text(self, "legal_basis");
        let retention = text(self, "retention");
        let recipients = text(self, "recipients");
        let rights_url = self
            .required(&obj, "rights_url")
            .and_then(|(v, p)| self.url(v, &p));
        let contact = self.opt(&obj, "contact", Self::text);
        let keep_days = self.opt(&obj, "keep_days", |cx, v, p| {
            let days = cx.count(v, p)?;
            let problem = match days {
                0 => Problem::TooSmall { min: 1 },
                d if d > MAX_CASE_KEEP_DAYS => Problem::TooLarge {
                    max: MAX_CASE_KEEP_DAYS,
                },
                d => return Some(d),
            };
            cx.error(p, problem);
            None
        });
        Some(PrivacyNotice {
            controller: controller?,
            purpose: purpose?,
            legal_basis: legal_basis?,
            retention: retention?,
            recipients: recipients?,
            rights_url: rights_url?,
            contact: contact.ok()?,
            keep_days: keep_days.ok()?,
        })
    }

    fn submit(&mut self, v: &Value, path: &Path) -> Option<Submit> {
        let obj = self.object(v, path)?;
        self.unknown_keys(&obj, &["url"]);
        let url = self
            .required(&obj, "url")
            .and_then(|(v, p)| self.url(v, &p));
        Some(Submit { url: url? })
    }

    fn steps(&mut self, v: &Value, path: &Path) -> Option<Vec<Step>> {
        let mut seen: HashMap<String, String> = HashMap::new();
        self.array(v, path, Some(Problem::NoSteps), |cx, item, p| {
            cx.step(item, p, &mut seen)
        })
    }

    fn step(&mut self, v: &Value, path: &Path, seen: &mut HashMap<String, String>) -> Option<Step> {
        let obj = self.object(v, path)?;
        self.unknown_keys(
            &obj,
            &[
                "id",
                "title",
                "description",
                "visible_if",
                "fields",
                "rules",
            ],
        );
        let id = self
            .required(&obj, "id")
            .and_then(|(v, p)| self.unique_id(v, &p, IdKind::Step, seen));
        let title = self
            .required(&obj, "title")
            .and_then(|(v, p)| self.text(v, &p));
        let description = self.opt(&obj, "description", Self::text);
        let visible_if = self.opt(&obj, "visible_if", Self::condition);
        let scope = condition_fields(&visible_if);
        self.scope_deps.push(scope);
        let fields = self
            .required(&obj, "fields")
            .and_then(|(v, p)| self.fields(v, &p, 0));
        self.scope_deps.pop();
        let rules = self.opt(&obj, "rules", Self::rules);
        Some(Step {
            id: id?,
            title: title?,
            description: description.ok()?,
            visible_if: visible_if.ok()?,
            fields: fields?,
            rules: rules.ok()?.unwrap_or_default(),
        })
    }
}
