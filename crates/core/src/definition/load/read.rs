//! Reading helpers: paths, typed getters that report what is wrong where, arrays, texts
//! and unknown keys.

use std::collections::BTreeMap;
use std::collections::HashMap;

use serde_json::{Map, Value};

use super::Cx;
use crate::definition::diagnostic::{Diagnostic, IdKind, Problem, Severity};
use crate::definition::model::Id;
use crate::text::Text;

#[derive(Clone)]
pub(super) struct Path(pub(super) String);

impl Path {
    pub(super) fn root() -> Path {
        Path(String::new())
    }

    pub(super) fn key(&self, key: &str) -> Path {
        let mut path = self.0.clone();
        crate::json::push_key(&mut path, key);
        Path(path)
    }

    pub(super) fn index(&self, i: usize) -> Path {
        Path(format!("{}[{i}]", self.0))
    }
}

pub(super) fn kind_of(v: &Value) -> &'static str {
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
pub(super) struct Obj<'v> {
    pub(super) map: &'v Map<String, Value>,
    pub(super) path: Path,
}

impl<'v> Obj<'v> {
    pub(super) fn get(&self, key: &str) -> Option<(&'v Value, Path)> {
        self.map.get(key).map(|v| (v, self.path.key(key)))
    }
}

impl Cx {
    pub(super) fn error(&mut self, path: &Path, problem: Problem) {
        self.diags.push(Diagnostic {
            path: path.0.clone(),
            severity: Severity::Error,
            problem,
        });
    }

    pub(super) fn warning(&mut self, path: &Path, problem: Problem) {
        self.diags.push(Diagnostic {
            path: path.0.clone(),
            severity: Severity::Warning,
            problem,
        });
    }

    pub(super) fn object<'v>(&mut self, v: &'v Value, path: &Path) -> Option<Obj<'v>> {
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
    pub(super) fn unknown_keys(&mut self, obj: &Obj<'_>, known: &[&'static str]) {
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

    pub(super) fn required<'v>(
        &mut self,
        obj: &Obj<'v>,
        key: &'static str,
    ) -> Option<(&'v Value, Path)> {
        let found = obj.get(key);
        if found.is_none() {
            self.error(&obj.path, Problem::Missing(key));
        }
        found
    }

    pub(super) fn string(&mut self, v: &Value, path: &Path) -> Option<String> {
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

    pub(super) fn nonempty_string(&mut self, v: &Value, path: &Path) -> Option<String> {
        let s = self.string(v, path)?;
        if s.trim().is_empty() {
            self.error(path, Problem::EmptyText);
            return None;
        }
        Some(s)
    }

    /// A string that `parse` accepts; else the `problem` made from it is reported.
    pub(super) fn parsed<T>(
        &mut self,
        v: &Value,
        path: &Path,
        parse: impl FnOnce(&str) -> Option<T>,
        problem: impl FnOnce(String) -> Problem,
    ) -> Option<T> {
        let s = self.string(v, path)?;
        let parsed = parse(&s);
        if parsed.is_none() {
            self.error(path, problem(s));
        }
        parsed
    }

    pub(super) fn boolean(&mut self, v: &Value, path: &Path) -> Option<bool> {
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

    pub(super) fn count(&mut self, v: &Value, path: &Path) -> Option<u32> {
        self.whole(v, path, |n| u32::try_from(n).ok())
    }

    /// A size in bytes: a whole number ≥ 0.
    pub(super) fn byte_count(&mut self, v: &Value, path: &Path) -> Option<u64> {
        self.whole(v, path, Some)
    }

    /// A whole number ≥ 0 that `fits` takes; else a wrong-type problem.
    fn whole<T>(
        &mut self,
        v: &Value,
        path: &Path,
        fits: impl FnOnce(u64) -> Option<T>,
    ) -> Option<T> {
        match v.as_u64().and_then(fits) {
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

    pub(super) fn number(&mut self, v: &Value, path: &Path) -> Option<f64> {
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

    pub(super) fn id(&mut self, v: &Value, path: &Path) -> Option<Id> {
        let s = self.string(v, path)?;
        let id = Id::new(&s);
        if id.is_none() {
            self.error(path, Problem::InvalidId(s));
        }
        id
    }

    /// An id that must not repeat among `seen` (which maps ids to the path of their first use).
    pub(super) fn unique_id(
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

    pub(super) fn text(&mut self, v: &Value, path: &Path) -> Option<Text> {
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

    pub(super) fn opt<T>(
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

    pub(super) fn url(&mut self, v: &Value, path: &Path) -> Option<String> {
        let s = self.nonempty_string(v, path)?;
        if is_acceptable_url(&s) {
            Some(s)
        } else {
            self.error(path, Problem::InvalidUrl(s));
            None
        }
    }

    /// An array whose items are each read by `item`. Every item is read, so every problem is
    /// reported; the result is `None` if any item failed. `empty` is the problem for `[]`.
    pub(super) fn array<T>(
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
pub(super) fn is_acceptable_url(s: &str) -> bool {
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

/// The candidate within edit distance 2 of `word` (and closer than its length), if any.
pub(super) fn closest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
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
