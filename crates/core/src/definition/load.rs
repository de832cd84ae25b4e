//! Loading a definition: JSON in, the checked model and every problem out.
//!
//! The loader walks the parsed JSON itself instead of deserializing it with serde, so that
//! one run reports every problem with its exact path, not just the first.

use std::collections::BTreeMap;
use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::diagnostic::{Diagnostic, IdKind, Problem, Severity};
use super::model::*;
use crate::expr::Expr;
use crate::formats;
use crate::text::Text;

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
pub fn load(json: &str) -> Loaded {
    match serde_json::from_str::<Value>(json) {
        Ok(value) => load_value(&value),
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
pub(crate) fn option_list(v: &Value) -> Result<Vec<ChoiceOption>, Vec<Diagnostic>> {
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

/// How deep groups may nest inside a step.
const MAX_GROUP_DEPTH: usize = 3;

const COMMON_FIELD_KEYS: &[&str] = &[
    "prefill",
    "visible_if",
    "required_if",
    "read_only_if",
    "id",
    "type",
    "label",
    "hint",
    "required",
    "autocomplete",
    "inputmode",
    "must_match",
];

/// The type-specific properties of each field type.
fn type_keys(field_type: &str) -> &'static [&'static str] {
    match field_type {
        "text" | "textarea" | "email" => &["min_length", "max_length", "pattern"],
        "number" | "integer" | "date" => &["min", "max"],
        "select" | "radio" => &["options", "options_from"],
        "checkboxes" => &["options", "options_from", "min_choices", "max_choices"],
        "personnummer" => &["allow_samordningsnummer"],
        "info" => &["text"],
        "group" => &["fields"],
        "repeat" => &["fields", "min_rows", "max_rows", "item_label", "add_label"],
        "computed" => &["expression", "unit"],
        _ => &[],
    }
}

/// Common properties only questions take (not `info`, `group` or `computed`).
const QUESTION_ONLY_KEYS: &[&str] = &[
    "required",
    "prefill",
    "autocomplete",
    "inputmode",
    "must_match",
    "required_if",
    "read_only_if",
];

/// Whether a common property makes no sense for a type.
fn excludes(field_type: &str, key: &str) -> bool {
    match field_type {
        "info" => key == "hint" || QUESTION_ONLY_KEYS.contains(&key),
        "group" | "repeat" | "computed" => QUESTION_ONLY_KEYS.contains(&key),
        "select" | "radio" | "checkboxes" | "yes_no" => key == "inputmode",
        _ => false,
    }
}

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

#[derive(Clone)]
struct Path(String);

impl Path {
    fn root() -> Path {
        Path(String::new())
    }

    fn key(&self, key: &str) -> Path {
        let simple = key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            && !key.is_empty();
        match (self.0.is_empty(), simple) {
            (true, true) => Path(key.to_owned()),
            (false, true) => Path(format!("{}.{key}", self.0)),
            (_, false) => Path(format!("{}[{}]", self.0, Value::String(key.to_owned()))),
        }
    }

    fn index(&self, i: usize) -> Path {
        Path(format!("{}[{i}]", self.0))
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// An object being read; remembers which keys were read so the rest can be reported.
struct Obj<'v> {
    map: &'v Map<String, Value>,
    path: Path,
}

impl<'v> Obj<'v> {
    fn get(&self, key: &str) -> Option<(&'v Value, Path)> {
        self.map.get(key).map(|v| (v, self.path.key(key)))
    }
}

impl Cx {
    fn error(&mut self, path: &Path, problem: Problem) {
        self.diags.push(Diagnostic {
            path: path.0.clone(),
            severity: Severity::Error,
            problem,
        });
    }

    fn warning(&mut self, path: &Path, problem: Problem) {
        self.diags.push(Diagnostic {
            path: path.0.clone(),
            severity: Severity::Warning,
            problem,
        });
    }

    fn object<'v>(&mut self, v: &'v Value, path: &Path) -> Option<Obj<'v>> {
        match v {
            Value::Object(map) => Some(Obj {
                map,
                path: path.clone(),
            }),
            other => {
                self.error(
                    path,
                    Problem::WrongType {
                        expected: "an object",
                        found: kind_of(other),
                    },
                );
                None
            }
        }
    }

    /// Reports keys of `obj` that are not in `known` (extensions `x-…` and `$…` are allowed).
    fn unknown_keys(&mut self, obj: &Obj<'_>, known: &[&'static str]) {
        for key in obj.map.keys() {
            if known.contains(&key.as_str()) || key.starts_with("x-") || key.starts_with('$') {
                continue;
            }
            let suggestion = closest(key, known.iter().copied());
            self.error(
                &obj.path.key(key),
                Problem::UnknownProperty {
                    name: key.clone(),
                    suggestion,
                },
            );
        }
    }

    fn required<'v>(&mut self, obj: &Obj<'v>, key: &'static str) -> Option<(&'v Value, Path)> {
        let found = obj.get(key);
        if found.is_none() {
            self.error(&obj.path, Problem::Missing(key));
        }
        found
    }

    fn string(&mut self, v: &Value, path: &Path) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            other => {
                self.error(
                    path,
                    Problem::WrongType {
                        expected: "a string",
                        found: kind_of(other),
                    },
                );
                None
            }
        }
    }

    fn nonempty_string(&mut self, v: &Value, path: &Path) -> Option<String> {
        let s = self.string(v, path)?;
        if s.trim().is_empty() {
            self.error(path, Problem::EmptyText);
            return None;
        }
        Some(s)
    }

    fn boolean(&mut self, v: &Value, path: &Path) -> Option<bool> {
        match v {
            Value::Bool(b) => Some(*b),
            other => {
                self.error(
                    path,
                    Problem::WrongType {
                        expected: "true or false",
                        found: kind_of(other),
                    },
                );
                None
            }
        }
    }

    fn count(&mut self, v: &Value, path: &Path) -> Option<u32> {
        match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) => Some(n),
            None => {
                self.error(
                    path,
                    Problem::WrongType {
                        expected: "a whole number ≥ 0",
                        found: kind_of(v),
                    },
                );
                None
            }
        }
    }

    fn number(&mut self, v: &Value, path: &Path) -> Option<f64> {
        match v.as_f64() {
            Some(n) => Some(n),
            None => {
                self.error(
                    path,
                    Problem::WrongType {
                        expected: "a number",
                        found: kind_of(v),
                    },
                );
                None
            }
        }
    }

    fn id(&mut self, v: &Value, path: &Path) -> Option<Id> {
        let s = self.string(v, path)?;
        let id = Id::new(&s);
        if id.is_none() {
            self.error(path, Problem::InvalidId(s));
        }
        id
    }

    /// An id that must not repeat among `seen` (which maps ids to the path of their first use).
    fn unique_id(
        &mut self,
        v: &Value,
        path: &Path,
        kind: IdKind,
        seen: &mut HashMap<String, String>,
    ) -> Option<Id> {
        let id = self.id(v, path)?;
        if let Some(first) = seen.get(id.as_str()) {
            let problem = Problem::DuplicateId {
                kind,
                id: id.0.clone(),
                first: first.clone(),
            };
            self.error(path, problem);
            return None;
        }
        seen.insert(id.0.clone(), path.0.clone());
        Some(id)
    }

    fn text(&mut self, v: &Value, path: &Path) -> Option<Text> {
        match v {
            Value::String(s) => {
                if s.trim().is_empty() {
                    self.error(path, Problem::EmptyText);
                    return None;
                }
                Some(Text::Plain(s.clone()))
            }
            Value::Object(map) => {
                let mut out = BTreeMap::new();
                let mut ok = true;
                for (code, text) in map {
                    let p = path.key(code);
                    if !is_language_code(code) {
                        self.error(&p, Problem::BadLanguageCode(code.clone()));
                        ok = false;
                    }
                    match self.string(text, &p) {
                        Some(s) if !s.trim().is_empty() => {
                            out.insert(code.clone(), s);
                        }
                        Some(_) => {
                            self.error(&p, Problem::EmptyText);
                            ok = false;
                        }
                        None => ok = false,
                    }
                }
                if map.is_empty() {
                    self.error(path, Problem::EmptyText);
                    return None;
                }
                if !map.contains_key("sv") {
                    self.warning(path, Problem::MissingSwedish);
                }
                ok.then_some(Text::Localized(out))
            }
            other => {
                self.error(
                    path,
                    Problem::WrongType {
                        expected: "a string or an object of language codes to strings",
                        found: kind_of(other),
                    },
                );
                None
            }
        }
    }

    fn opt<T>(
        &mut self,
        obj: &Obj<'_>,
        key: &str,
        read: impl FnOnce(&mut Self, &Value, &Path) -> Option<T>,
    ) -> Result<Option<T>, ()> {
        match obj.get(key) {
            None | Some((Value::Null, _)) => Ok(None),
            Some((v, p)) => read(self, v, &p).map(Some).ok_or(()),
        }
    }

    fn url(&mut self, v: &Value, path: &Path) -> Option<String> {
        let s = self.nonempty_string(v, path)?;
        if is_acceptable_url(&s) {
            Some(s)
        } else {
            self.error(path, Problem::InvalidUrl(s));
            None
        }
    }

    fn definition(&mut self, v: &Value) -> Option<Definition> {
        let root = Path::root();
        let obj = self.object(v, &root)?;
        self.unknown_keys(
            &obj,
            &[
                "blankett",
                "id",
                "version",
                "title",
                "description",
                "organisation",
                "privacy",
                "submit",
                "steps",
                "rules",
                "prefill",
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
        Some(Definition {
            blankett: blankett?,
            id: id?,
            version: version?,
            title: title?,
            description: description.ok()?,
            organisation: organisation?,
            privacy: privacy?,
            submit: submit?,
            steps: steps?,
            rules: rules.ok()?.unwrap_or_default(),
            prefill: prefill.ok()?,
        })
    }

    fn organisation(&mut self, v: &Value, path: &Path) -> Option<Organisation> {
        let obj = self.object(v, path)?;
        self.unknown_keys(&obj, &["name", "contact"]);
        let name = self
            .required(&obj, "name")
            .and_then(|(v, p)| self.text(v, &p));
        let contact = self
            .required(&obj, "contact")
            .and_then(|(v, p)| self.contact(v, &p));
        Some(Organisation {
            name: name?,
            contact: contact?,
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
        Some(PrivacyNotice {
            controller: controller?,
            purpose: purpose?,
            legal_basis: legal_basis?,
            retention: retention?,
            recipients: recipients?,
            rights_url: rights_url?,
            contact: contact.ok()?,
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

    /// An array whose items are each read by `item`. Every item is read, so every problem is
    /// reported; the result is `None` if any item failed. `empty` is the problem for `[]`.
    fn array<T>(
        &mut self,
        v: &Value,
        path: &Path,
        empty: Option<Problem>,
        mut item: impl FnMut(&mut Self, &Value, &Path) -> Option<T>,
    ) -> Option<Vec<T>> {
        let Value::Array(items) = v else {
            self.error(
                path,
                Problem::WrongType {
                    expected: "an array",
                    found: kind_of(v),
                },
            );
            return None;
        };
        if items.is_empty()
            && let Some(problem) = empty
        {
            self.error(path, problem);
            return None;
        }
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, value) in items.iter().enumerate() {
            match item(self, value, &path.index(i)) {
                Some(x) => out.push(x),
                None => ok = false,
            }
        }
        ok.then_some(out)
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

    fn fields(&mut self, v: &Value, path: &Path, depth: usize) -> Option<Vec<Field>> {
        self.array(v, path, Some(Problem::NoFields), |cx, item, p| {
            cx.field(item, p, depth)
        })
    }

    fn field(&mut self, v: &Value, path: &Path, depth: usize) -> Option<Field> {
        let obj = self.object(v, path)?;
        let id = self.required(&obj, "id").and_then(|(v, p)| {
            let mut ids = std::mem::take(&mut self.field_ids);
            let id = self.unique_id(v, &p, IdKind::Field, &mut ids);
            self.field_ids = ids;
            id
        });

        // The type decides which other properties are allowed, so read it first.
        let type_name: Option<&'static str> = self.required(&obj, "type").and_then(|(v, p)| {
            let s = self.string(v, &p)?;
            match FIELD_TYPES.iter().find(|t| **t == s) {
                Some(t) => Some(*t),
                None => {
                    let suggestion = closest(&s, FIELD_TYPES.iter().copied());
                    self.error(
                        &p,
                        Problem::UnknownFieldType {
                            found: s,
                            suggestion,
                        },
                    );
                    None
                }
            }
        });
        let Some(field_type) = type_name else {
            // Without a type nothing else can be checked meaningfully; the id is still recorded.
            return None;
        };
        self.check_field_keys(&obj, field_type);

        let label = match self.opt(&obj, "label", Self::text) {
            Ok(None) if field_type != "info" => {
                self.error(path, Problem::Missing("label"));
                Err(())
            }
            other => other,
        };
        let hint = self.opt(&obj, "hint", Self::text);
        let required = self.opt(&obj, "required", Self::boolean);
        let autocomplete = self.opt(&obj, "autocomplete", |cx, v, p| {
            let s = cx.string(v, p)?;
            if is_autocomplete(&s) {
                Some(s)
            } else {
                cx.error(p, Problem::UnknownAutocomplete(s));
                None
            }
        });
        let inputmode = self.opt(&obj, "inputmode", |cx, v, p| {
            let s = cx.string(v, p)?;
            let mode = InputMode::parse(&s);
            if mode.is_none() {
                cx.error(p, Problem::UnknownInputMode(s));
            }
            mode
        });
        let must_match = self.opt(&obj, "must_match", Self::id);
        let visible_if = self.opt(&obj, "visible_if", Self::condition);
        let required_if = self.opt(&obj, "required_if", Self::condition);
        let read_only_if = self.opt(&obj, "read_only_if", Self::condition);
        let prefill = self.opt(&obj, "prefill", |cx, v, p| {
            let obj = cx.object(v, p)?;
            cx.unknown_keys(&obj, &["key", "lock"]);
            let key = cx
                .required(&obj, "key")
                .and_then(|(v, p)| cx.nonempty_string(v, &p));
            let lock = cx.opt(&obj, "lock", Self::boolean);
            Some(Prefill {
                key: key?,
                lock: lock.ok()?.unwrap_or(false),
            })
        });
        // A group's condition decides its fields too.
        let own = condition_fields(&visible_if);
        let mut deps: Vec<String> = self.scope_deps.iter().flatten().cloned().collect();
        deps.extend(own.iter().cloned());
        self.scope_deps.push(own);
        let kind = self.field_kind(&obj, field_type, depth);
        self.scope_deps.pop();

        let id = id?;
        self.questions.insert(
            id.0.clone(),
            !matches!(field_type, "info" | "group" | "computed"),
        );
        if !matches!(field_type, "info" | "group") {
            if let Some(FieldKind::Computed(c)) = &kind {
                deps.extend(
                    referenced_fields(c.expression.expr())
                        .into_iter()
                        .map(str::to_owned),
                );
            }
            self.value_deps.push((id.0.clone(), path.0.clone(), deps));
        }
        if let Ok(Some(target)) = &must_match {
            self.references.push((
                path.key("must_match").0,
                id.0.clone(),
                target.0.clone(),
                self.repeat.clone(),
            ));
        }
        if let Some(repeat) = &self.repeat {
            self.row_fields.insert(id.0.clone(), repeat.clone());
            if matches!(prefill, Ok(Some(_))) {
                self.error(&path.key("prefill"), Problem::NotInRepeat("prefill"));
            }
        }
        Some(Field {
            id,
            label: label.ok()?,
            hint: hint.ok()?,
            required: required.ok()?.unwrap_or(false),
            autocomplete: autocomplete.ok()?,
            inputmode: inputmode.ok()?,
            must_match: must_match.ok()?,
            visible_if: visible_if.ok()?,
            required_if: required_if.ok()?,
            read_only_if: read_only_if.ok()?,
            prefill: prefill.ok()?,
            kind: kind?,
        })
    }

    fn check_field_keys(&mut self, obj: &Obj<'_>, field_type: &'static str) {
        let specific = type_keys(field_type);
        for key in obj.map.keys() {
            let k = key.as_str();
            if k.starts_with("x-") || k.starts_with('$') {
                continue;
            }
            let common = COMMON_FIELD_KEYS.contains(&k);
            if (common && !excludes(field_type, k)) || specific.contains(&k) {
                continue;
            }
            let known_elsewhere = common || FIELD_TYPES.iter().any(|t| type_keys(t).contains(&k));
            let problem = if known_elsewhere {
                Problem::NotApplicable {
                    property: key.clone(),
                    field_type,
                }
            } else {
                let candidates = COMMON_FIELD_KEYS.iter().chain(specific).copied();
                Problem::UnknownProperty {
                    name: key.clone(),
                    suggestion: closest(k, candidates),
                }
            };
            self.error(&obj.path.key(k), problem);
        }
    }

    fn field_kind(
        &mut self,
        obj: &Obj<'_>,
        field_type: &'static str,
        depth: usize,
    ) -> Option<FieldKind> {
        Some(match field_type {
            "text" => FieldKind::Text(self.text_rules(obj)?),
            "textarea" => FieldKind::Textarea(self.text_rules(obj)?),
            "email" => FieldKind::Email(self.text_rules(obj)?),
            "number" => FieldKind::Number(self.number_rules(obj, false)?),
            "integer" => FieldKind::Integer(self.number_rules(obj, true)?),
            "phone" => FieldKind::Phone,
            "date" => {
                let min = self.opt(obj, "min", Self::date_bound);
                let max = self.opt(obj, "max", Self::date_bound);
                let (min, max) = (min.ok()?, max.ok()?);
                if let (Some(DateBound::Fixed(lo)), Some(DateBound::Fixed(hi))) = (min, max)
                    && lo > hi
                {
                    self.reversed(&obj.path, "min", lo, "max", hi);
                    return None;
                }
                FieldKind::Date(DateRules { min, max })
            }
            "select" => FieldKind::Select(ChoiceRules {
                list: self.options(obj, 1)?,
            }),
            "radio" => FieldKind::Radio(ChoiceRules {
                list: self.options(obj, 2)?,
            }),
            "checkboxes" => {
                let options = self.options(obj, 1);
                let min_choices = self.opt(obj, "min_choices", Self::count);
                let max_choices = self.opt(obj, "max_choices", Self::count);
                let (options, min_choices, max_choices) =
                    (options?, min_choices.ok()?, max_choices.ok()?);
                if let (Some(lo), Some(hi)) = (min_choices, max_choices)
                    && lo > hi
                {
                    self.reversed(&obj.path, "min_choices", lo, "max_choices", hi);
                    return None;
                }
                for (property, value) in
                    [("min_choices", min_choices), ("max_choices", max_choices)]
                {
                    // A remote list's length is known only when it is fetched.
                    if let Some(value) = value
                        && let OptionList::Inline { options } = &options
                        && value as usize > options.len()
                    {
                        let options = options.len();
                        self.error(
                            &obj.path.key(property),
                            Problem::MoreChoicesThanOptions {
                                property,
                                value,
                                options,
                            },
                        );
                        return None;
                    }
                }
                FieldKind::Checkboxes(MultiChoiceRules {
                    list: options,
                    min_choices,
                    max_choices,
                })
            }
            "yes_no" => FieldKind::YesNo,
            "personnummer" => {
                let allow = self
                    .opt(obj, "allow_samordningsnummer", Self::boolean)
                    .ok()?;
                FieldKind::Personnummer(PersonnummerRules {
                    allow_samordningsnummer: allow.unwrap_or(true),
                })
            }
            "organisationsnummer" => FieldKind::Organisationsnummer,
            "postal_code" => FieldKind::PostalCode,
            "computed" if self.repeat.is_some() => {
                self.error(
                    &obj.path.key("type"),
                    Problem::NotInRepeat("a computed field"),
                );
                return None;
            }
            "repeat" => {
                if self.repeat.is_some() {
                    self.error(
                        &obj.path.key("type"),
                        Problem::NotInRepeat("a repeating group"),
                    );
                    return None;
                }
                let min_rows = self.opt(obj, "min_rows", Self::count);
                let max_rows = self.opt(obj, "max_rows", Self::count);
                let item_label = self.opt(obj, "item_label", Self::text);
                let add_label = self.opt(obj, "add_label", Self::text);
                let id = obj.map.get("id").and_then(Value::as_str).unwrap_or("");
                self.repeat = Some(id.to_owned());
                let fields = self
                    .required(obj, "fields")
                    .and_then(|(v, p)| self.fields(v, &p, depth + 1));
                self.repeat = None;
                let (min_rows, max_rows) = (min_rows.ok()?, max_rows.ok()?);
                if max_rows == Some(0) {
                    self.error(&obj.path.key("max_rows"), Problem::ZeroRows);
                    return None;
                }
                if let (Some(lo), Some(hi)) = (min_rows, max_rows)
                    && lo > hi
                {
                    self.reversed(&obj.path, "min_rows", lo, "max_rows", hi);
                    return None;
                }
                FieldKind::Repeat(RepeatContent {
                    fields: fields?,
                    min_rows: min_rows.unwrap_or(0),
                    max_rows,
                    item_label: item_label.ok()?,
                    add_label: add_label.ok()?,
                })
            }
            "computed" => {
                let expression = self
                    .required(obj, "expression")
                    .and_then(|(v, p)| self.expression(v, &p));
                let unit = self.opt(obj, "unit", Self::text);
                FieldKind::Computed(ComputedRules {
                    expression: expression?,
                    unit: unit.ok()?,
                })
            }
            "info" => {
                let text = self
                    .required(obj, "text")
                    .and_then(|(v, p)| self.text(v, &p))?;
                FieldKind::Info(InfoContent { text })
            }
            "group" => {
                if depth >= MAX_GROUP_DEPTH {
                    self.error(&obj.path, Problem::TooDeep(MAX_GROUP_DEPTH));
                    return None;
                }
                let fields = self
                    .required(obj, "fields")
                    .and_then(|(v, p)| self.fields(v, &p, depth + 1))?;
                FieldKind::Group(GroupContent { fields })
            }
            _ => return None,
        })
    }

    fn reversed(
        &mut self,
        path: &Path,
        low: &'static str,
        lo: impl ToString,
        high: &'static str,
        hi: impl ToString,
    ) {
        self.error(
            path,
            Problem::LimitsReversed {
                low,
                low_value: lo.to_string(),
                high,
                high_value: hi.to_string(),
            },
        );
    }

    fn text_rules(&mut self, obj: &Obj<'_>) -> Option<TextRules> {
        let min_length = self.opt(obj, "min_length", Self::count);
        let max_length = self.opt(obj, "max_length", Self::count);
        let pattern = self.opt(obj, "pattern", Self::pattern);
        let (min_length, max_length, pattern) = (min_length.ok()?, max_length.ok()?, pattern.ok()?);
        if let (Some(lo), Some(hi)) = (min_length, max_length)
            && lo > hi
        {
            self.reversed(&obj.path, "min_length", lo, "max_length", hi);
            return None;
        }
        Some(TextRules {
            min_length,
            max_length,
            pattern,
        })
    }

    fn pattern(&mut self, v: &Value, path: &Path) -> Option<Pattern> {
        let obj = self.object(v, path)?;
        self.unknown_keys(&obj, &["regex", "message"]);
        let regex = self
            .required(&obj, "regex")
            .and_then(|(v, p)| Some((self.nonempty_string(v, &p)?, p)));
        let message = self
            .required(&obj, "message")
            .and_then(|(v, p)| self.text(v, &p));
        let ((regex, regex_path), message) = (regex?, message?);
        match Pattern::new(&regex, message) {
            Ok(p) => Some(p),
            Err(e) => {
                self.error(&regex_path, Problem::InvalidPattern(e.to_string()));
                None
            }
        }
    }

    fn number_rules(&mut self, obj: &Obj<'_>, whole: bool) -> Option<NumberRules> {
        let read = |cx: &mut Self, key| {
            cx.opt(obj, key, |cx, v, p| {
                let n = cx.number(v, p)?;
                if whole && n.fract() != 0.0 {
                    cx.error(p, Problem::NotWholeNumber);
                    return None;
                }
                Some(n)
            })
        };
        let min = read(self, "min");
        let max = read(self, "max");
        let (min, max) = (min.ok()?, max.ok()?);
        if let (Some(lo), Some(hi)) = (min, max)
            && lo > hi
        {
            self.reversed(&obj.path, "min", lo, "max", hi);
            return None;
        }
        Some(NumberRules { min, max })
    }

    fn date_bound(&mut self, v: &Value, path: &Path) -> Option<DateBound> {
        let s = self.string(v, path)?;
        let bound = DateBound::parse(&s);
        if bound.is_none() {
            self.error(path, Problem::InvalidDate(s));
        }
        bound
    }

    /// Options written out (at least `at_least`), or `options_from` naming a code list.
    fn options(&mut self, obj: &Obj<'_>, at_least: usize) -> Option<OptionList> {
        if let Some((v, path)) = obj.get("options_from") {
            if obj.get("options").is_some() {
                self.error(&obj.path, Problem::OptionsTwice);
                return None;
            }
            let o = self.object(v, &path)?;
            self.unknown_keys(&o, &["url"]);
            let url = self
                .required(&o, "url")
                .and_then(|(v, p)| self.url(v, &p))?;
            return Some(OptionList::Remote {
                options_from: OptionsSource { url },
                resolved: Vec::new(),
            });
        }
        let (v, path) = self.required(obj, "options")?;
        let options = self.option_items(v, &path);
        if v.as_array().is_some_and(|items| items.len() < at_least) {
            self.error(&path, Problem::TooFewOptions(at_least));
            return None;
        }
        Some(OptionList::Inline { options: options? })
    }

    /// An array of options with unique values.
    fn option_items(&mut self, v: &Value, path: &Path) -> Option<Vec<ChoiceOption>> {
        let mut seen: HashMap<String, String> = HashMap::new();
        self.array(v, path, None, |cx, item, p| {
            let o = cx.object(item, p)?;
            cx.unknown_keys(&o, &["value", "label", "hint"]);
            let value = cx
                .required(&o, "value")
                .and_then(|(v, vp)| cx.unique_id(v, &vp, IdKind::Option, &mut seen));
            let label = cx.required(&o, "label").and_then(|(v, lp)| cx.text(v, &lp));
            let hint = cx.opt(&o, "hint", Self::text);
            Some(ChoiceOption {
                value: value?,
                label: label?,
                hint: hint.ok()?,
            })
        })
    }

    /// A JsonLogic expression; its field references are checked after the walk.
    fn expression(&mut self, v: &Value, path: &Path) -> Option<Expression> {
        match Expr::compile(v) {
            Ok(expr) => {
                self.check_comparisons(v, path);
                let refs = referenced_fields(&expr)
                    .into_iter()
                    .map(str::to_owned)
                    .collect();
                self.expression_refs
                    .push((path.0.clone(), refs, self.repeat.clone()));
                Some(Expression(expr))
            }
            Err(errors) => {
                for e in errors {
                    let at = if e.path.is_empty() {
                        path.clone()
                    } else {
                        Path(format!("{}.{}", path.0, e.path))
                    };
                    self.error(&at, Problem::Expression(e.kind));
                }
                None
            }
        }
    }

    /// A condition: a JsonLogic expression, or the short form for choices.
    fn condition(&mut self, v: &Value, path: &Path) -> Option<Condition> {
        let Some(map) = v.as_object().filter(|m| m.contains_key("choice")) else {
            let expr = self.expression(v, path)?;
            return Some(Condition {
                source: v.clone(),
                choice: None,
                expr: expr.0,
            });
        };
        let obj = Obj {
            map,
            path: path.clone(),
        };
        self.unknown_keys(&obj, &["choice", "any_of", "all_of", "none_of"]);
        let (field_value, field_path) = obj.get("choice")?;
        let field = self.id(field_value, &field_path)?;
        let modes: Vec<&str> = ["any_of", "all_of", "none_of"]
            .into_iter()
            .filter(|m| map.contains_key(*m))
            .collect();
        let [mode] = modes.as_slice() else {
            self.error(path, Problem::ChoiceFormShape);
            return None;
        };
        let (values_json, values_path) = obj.get(mode)?;
        let Some(values) = values_json.as_array().filter(|a| !a.is_empty()) else {
            self.error(
                &values_path,
                Problem::WrongType {
                    expected: "a non-empty array",
                    found: kind_of(values_json),
                },
            );
            return None;
        };
        let Some((field_type, options)) = self.prescan.get(field.as_str()).cloned() else {
            self.error(&field_path, Problem::UnknownField(field.0.clone()));
            return None;
        };
        // The short form compares with the values the submission carries: yes/no are booleans.
        let mut wanted = Vec::with_capacity(values.len());
        for (i, value) in values.iter().enumerate() {
            let known = match field_type.as_str() {
                "yes_no" => match value.as_str() {
                    Some("yes") => Some(Value::Bool(true)),
                    Some("no") => Some(Value::Bool(false)),
                    _ => None,
                },
                "select" | "radio" | "checkboxes" => match &options {
                    Some(options) => options.contains(value).then(|| value.clone()),
                    // A code list is checked when it is fetched.
                    None => value.is_string().then(|| value.clone()),
                },
                _ => {
                    self.error(&field_path, Problem::NotAChoiceField(field.0.clone()));
                    return None;
                }
            };
            match known {
                Some(v) => wanted.push(v),
                None => {
                    let value = value
                        .as_str()
                        .map_or_else(|| value.to_string(), str::to_owned);
                    self.error(
                        &values_path.index(i),
                        Problem::UnknownOptionValue {
                            field: field.0.clone(),
                            value,
                        },
                    );
                    return None;
                }
            }
        }
        let var = json!({ "var": field.as_str() });
        let one = |w: &Value| {
            if field_type == "checkboxes" {
                json!({ "in": [w, var] })
            } else {
                json!({ "==": [var, w] })
            }
        };
        let any: Vec<Value> = wanted.iter().map(one).collect();
        let logic = match *mode {
            "any_of" => json!({ "or": any }),
            "all_of" => json!({ "and": any }),
            _ => json!({ "!": { "or": any } }),
        };
        let expr = self.expression(&logic, path)?;
        Some(Condition {
            source: v.clone(),
            choice: Some(field),
            expr: expr.0,
        })
    }

    /// Cross-field rules of a step or of the whole form.
    fn rules(&mut self, v: &Value, path: &Path) -> Option<Vec<Rule>> {
        self.array(v, path, None, |cx, item, p| {
            let obj = cx.object(item, p)?;
            cx.unknown_keys(&obj, &["rule", "message", "fields"]);
            let rule = cx
                .required(&obj, "rule")
                .and_then(|(v, p)| cx.expression(v, &p));
            let message = cx
                .required(&obj, "message")
                .and_then(|(v, p)| cx.text(v, &p));
            let fields = cx.required(&obj, "fields").and_then(|(v, fp)| {
                let read = cx.array(v, &fp, Some(Problem::RuleWithoutFields), |cx, id, p| {
                    cx.id(id, p)
                });
                if let Some(read) = &read {
                    // The fields a message is shown at must exist and take an answer.
                    let targets = read.iter().map(|id| id.0.clone()).collect();
                    cx.expression_refs
                        .push((fp.0.clone(), targets, cx.repeat.clone()));
                }
                read
            });
            Some(Rule {
                rule: rule?,
                message: message?,
                fields: fields?,
            })
        })
    }

    /// Warns about comparisons that can never be true because the literal has the wrong type
    /// for the field (`{"==": [{"var": "yes_no_field"}, "yes"]}`) or is not one of its options.
    fn check_comparisons(&mut self, v: &Value, path: &Path) {
        let Value::Object(map) = v else {
            if let Value::Array(items) = v {
                for (i, item) in items.iter().enumerate() {
                    self.check_comparisons(item, &path.index(i));
                }
            }
            return;
        };
        for (op, args) in map {
            let at = Path(format!("{}.{op}", path.0));
            if matches!(op.as_str(), "==" | "===" | "!=" | "!==")
                && let Some([a, b]) = args.as_array().map(Vec::as_slice)
            {
                for (var, literal) in [(a, b), (b, a)] {
                    let Some(id) = var.get("var").and_then(Value::as_str) else {
                        continue;
                    };
                    if literal.is_object() || literal.is_null() {
                        continue;
                    }
                    let Some((field_type, options)) = self.prescan.get(id) else {
                        continue;
                    };
                    let expected = match field_type.as_str() {
                        "yes_no" if !literal.is_boolean() => Some("true or false"),
                        "number" | "integer" if !literal.is_number() => Some("a number"),
                        "checkboxes" => Some("an array (test one option with \"in\")"),
                        "select" | "radio"
                            if options.as_ref().is_some_and(|o| !o.contains(literal)) =>
                        {
                            Some("one of the field's option values")
                        }
                        _ => None,
                    };
                    if let Some(expected) = expected {
                        let problem = Problem::ComparisonNeverTrue {
                            field: id.to_owned(),
                            literal: literal.to_string(),
                            expected,
                        };
                        self.warning(&at, problem);
                    }
                }
            }
            self.check_comparisons(args, &at);
        }
    }

    /// Every field an expression reads must exist and have a value.
    fn check_expression_references(&mut self) {
        for (path, refs, scope) in std::mem::take(&mut self.expression_refs) {
            for id in refs {
                let repeat = self.row_fields.get(&id).cloned();
                match self.prescan.get(&id).map(|(t, _)| t.as_str()) {
                    None => self.error(&Path(path.clone()), Problem::UnknownField(id)),
                    Some("info" | "group") => {
                        self.error(&Path(path.clone()), Problem::NotAQuestion(id))
                    }
                    Some(_) => match repeat {
                        // A row's fields are read from that row only.
                        Some(repeat) if scope.as_ref() != Some(&repeat) => self.error(
                            &Path(path.clone()),
                            Problem::RowFieldOutside { field: id, repeat },
                        ),
                        _ => {}
                    },
                }
            }
        }
    }

    /// Visibility and computed values must not depend on themselves through other fields.
    fn check_cycles(&mut self) {
        let deps: HashMap<&str, &[String]> = self
            .value_deps
            .iter()
            .map(|(id, _, d)| (id.as_str(), d.as_slice()))
            .collect();
        let paths: HashMap<&str, &str> = self
            .value_deps
            .iter()
            .map(|(id, p, _)| (id.as_str(), p.as_str()))
            .collect();
        // Iterative depth-first search with colours: 1 = on the stack, 2 = done.
        let mut colour: HashMap<&str, u8> = HashMap::new();
        let mut found: Vec<Vec<String>> = Vec::new();
        for (start, _, _) in &self.value_deps {
            if colour.contains_key(start.as_str()) {
                continue;
            }
            let mut stack: Vec<(&str, usize)> = vec![(start.as_str(), 0)];
            colour.insert(start.as_str(), 1);
            while let Some((node, next)) = stack.pop() {
                let edges = deps.get(node).copied().unwrap_or_default();
                if let Some(dep) = edges.get(next) {
                    stack.push((node, next + 1));
                    let dep = dep.as_str();
                    match colour.get(dep) {
                        Some(1) => {
                            let from = stack.iter().position(|(n, _)| *n == dep).unwrap_or(0);
                            let mut cycle: Vec<String> =
                                stack[from..].iter().map(|(n, _)| (*n).to_owned()).collect();
                            cycle.push(dep.to_owned());
                            found.push(cycle);
                        }
                        Some(_) => {}
                        None if deps.contains_key(dep) => {
                            colour.insert(dep, 1);
                            stack.push((dep, 0));
                        }
                        None => {}
                    }
                } else {
                    colour.insert(node, 2);
                }
            }
        }
        let located: Vec<(String, Vec<String>)> = found
            .into_iter()
            .map(|cycle| {
                (
                    paths
                        .get(cycle[0].as_str())
                        .copied()
                        .unwrap_or("")
                        .to_owned(),
                    cycle,
                )
            })
            .collect();
        for (at, cycle) in located {
            self.error(&Path(at), Problem::Cycle(cycle));
        }
    }

    fn check_references(&mut self, _def: Option<&Definition>) {
        let refs = std::mem::take(&mut self.references);
        for (path, from, target, scope) in refs {
            let path = Path(path);
            match self.questions.get(&target) {
                _ if from == target => self.error(&path, Problem::SelfReference),
                None => self.error(&path, Problem::UnknownField(target)),
                Some(false) => self.error(&path, Problem::NotAQuestion(target)),
                Some(true) => {
                    let target_repeat = self.row_fields.get(&target);
                    match (&scope, target_repeat) {
                        (Some(_), _) if scope.as_ref() != target_repeat => {
                            self.error(&path, Problem::MustMatchOutsideRow(target))
                        }
                        (None, Some(repeat)) => {
                            let repeat = repeat.clone();
                            self.error(
                                &path,
                                Problem::RowFieldOutside {
                                    field: target,
                                    repeat,
                                },
                            )
                        }
                        _ => {}
                    }
                }
            }
        }
    }
}

fn is_language_code(code: &str) -> bool {
    let mut parts = code.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_lowercase()));
    primary_ok
        && parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// An https address, a same-site path, or plain http to the local machine (for development).
fn is_acceptable_url(s: &str) -> bool {
    let rest_ok = |rest: &str| {
        !rest.is_empty()
            && !rest.starts_with('/')
            && !rest.chars().any(|c| c.is_whitespace() || c.is_control())
    };
    if let Some(rest) = s.strip_prefix("https://") {
        return rest_ok(rest);
    }
    if let Some(rest) = s.strip_prefix("http://") {
        let local = ["localhost", "127.0.0.1", "[::1]"].iter().any(|host| {
            rest.strip_prefix(host)
                .is_some_and(|after| after.is_empty() || after.starts_with([':', '/']))
        });
        return rest_ok(rest) && local;
    }
    s.starts_with('/')
        && !s.starts_with("//")
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The autocomplete field names of the HTML standard (§ 4.10.18.7).
const AUTOCOMPLETE_NAMES: &[&str] = &[
    "name",
    "honorific-prefix",
    "given-name",
    "additional-name",
    "family-name",
    "honorific-suffix",
    "nickname",
    "username",
    "new-password",
    "current-password",
    "one-time-code",
    "organization-title",
    "organization",
    "street-address",
    "address-line1",
    "address-line2",
    "address-line3",
    "address-level4",
    "address-level3",
    "address-level2",
    "address-level1",
    "country",
    "country-name",
    "postal-code",
    "cc-name",
    "cc-given-name",
    "cc-additional-name",
    "cc-family-name",
    "cc-number",
    "cc-exp",
    "cc-exp-month",
    "cc-exp-year",
    "cc-csc",
    "cc-type",
    "transaction-currency",
    "transaction-amount",
    "language",
    "bday",
    "bday-day",
    "bday-month",
    "bday-year",
    "sex",
    "url",
    "photo",
    "tel",
    "tel-country-code",
    "tel-national",
    "tel-area-code",
    "tel-local",
    "tel-local-prefix",
    "tel-local-suffix",
    "tel-extension",
    "email",
    "impp",
];

/// Whether `s` is a valid autocomplete value: `on`, `off`, or `[section-x] [shipping|billing]
/// [home|work|mobile|fax|pager] name [webauthn]`.
fn is_autocomplete(s: &str) -> bool {
    let tokens: Vec<&str> = s.split_ascii_whitespace().collect();
    if let [single] = tokens.as_slice()
        && (*single == "on" || *single == "off")
    {
        return true;
    }
    let mut rest = tokens.as_slice();
    if let [webauthn_less @ .., "webauthn"] = rest {
        rest = webauthn_less;
    }
    let Some((name, mut modifiers)) = rest.split_last() else {
        return false;
    };
    if !AUTOCOMPLETE_NAMES.contains(name) {
        return false;
    }
    if let [first, tail @ ..] = modifiers
        && first.starts_with("section-")
    {
        modifiers = tail;
    }
    if let [first, tail @ ..] = modifiers
        && (*first == "shipping" || *first == "billing")
    {
        modifiers = tail;
    }
    if let [first, tail @ ..] = modifiers
        && matches!(*first, "home" | "work" | "mobile" | "fax" | "pager")
        && (name.starts_with("tel") || *name == "email" || *name == "impp")
    {
        modifiers = tail;
    }
    modifiers.is_empty()
}

/// The candidate within edit distance 2 of `word` (and closer than its length), if any.
fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, c)| *d <= 2 && *d < c.len().max(word.len()))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The type and option values of every field, read leniently before the checked walk.
fn prescan(root: &Value) -> HashMap<String, (String, Option<Vec<Value>>)> {
    fn walk(fields: &Value, out: &mut HashMap<String, (String, Option<Vec<Value>>)>) {
        for field in fields.as_array().into_iter().flatten() {
            let (Some(id), Some(kind)) = (
                field.get("id").and_then(Value::as_str),
                field.get("type").and_then(Value::as_str),
            ) else {
                continue;
            };
            let options = if field.get("options_from").is_some() {
                None
            } else {
                Some(
                    field
                        .get("options")
                        .and_then(Value::as_array)
                        .map(|o| o.iter().filter_map(|o| o.get("value").cloned()).collect())
                        .unwrap_or_default(),
                )
            };
            out.entry(id.to_owned())
                .or_insert((kind.to_owned(), options));
            if let Some(inner) = field.get("fields") {
                walk(inner, out);
            }
        }
    }
    let mut out = HashMap::new();
    for step in root
        .get("steps")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(fields) = step.get("fields") {
            walk(fields, &mut out);
        }
    }
    out
}

/// The field ids a parsed optional condition reads.
fn condition_fields(c: &Result<Option<Condition>, ()>) -> Vec<String> {
    match c {
        Ok(Some(c)) => c.fields().into_iter().map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}
