//! What applies now: which steps and fields are shown, required and read-only, and the
//! computed values, for one set of answers.
//!
//! Expressions read the answers as the submission carries them (`{"var": "field_id"}` is the
//! submitted value: numbers as numbers, yes/no as booleans, checkboxes as arrays). A hidden
//! field has no value for expressions, so a chain of conditions collapses as it should; its
//! answer stays in [`Answers`] (the draft), so showing it again restores what was typed.

use std::collections::{BTreeMap, HashSet};

use serde_json::{Map, Value};

use crate::answers::{Answer, Answers, row_key};
use crate::definition::{Definition, Field, FieldKind, Rule};
use crate::expr::EvalContext;
use crate::issue::{Issue, IssueCode};
use crate::normalize::{Context, Normalized, normalize};

/// The snapshot the UI renders from and validation obeys.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FormState {
    steps: Vec<bool>,
    hidden: HashSet<String>,
    required: HashSet<String>,
    read_only: HashSet<String>,
    computed: BTreeMap<String, Value>,
    /// Always a JSON object: what `{"var": …}` reads.
    data: Value,
}

impl FormState {
    /// Evaluates every condition and computed value of `def` for `answers`.
    pub fn evaluate(def: &Definition, answers: &Answers, cx: &Context) -> FormState {
        let ecx = EvalContext { today: cx.today };
        let base = base_values(def, answers, cx);
        // Iterate to a fixpoint: hiding a field removes its value, which may hide others or
        // change a computed value. The loader rejects cycles, so this settles within
        // (number of fields + 1) passes; the bound guarantees termination regardless.
        let mut data = Value::Object(base.clone());
        let mut state = FormState::default();
        let bound = def
            .fields()
            .map(|(_, f)| match &f.kind {
                FieldKind::Repeat(r) => 1 + r.row_fields().count(),
                _ => 1,
            })
            .sum::<usize>()
            + 2;
        for _ in 0..bound {
            state = pass(def, &base, &data, &ecx);
            if state.data == data {
                break;
            }
            data = state.data.clone();
        }
        state
    }

    /// Sets one form-level value that no expression reads (only `data` changes), instead of
    /// evaluating everything again.
    pub(crate) fn set_value(&mut self, field: &str, value: Option<Value>) {
        if !self.is_visible(field) {
            return;
        }
        if let Value::Object(map) = &mut self.data {
            match value {
                Some(v) => map.insert(field.to_owned(), v),
                None => map.remove(field),
            };
        }
    }

    /// Whether two states decide the same: steps, shown, required, read-only, computed, and
    /// the form-level values (rows' values are left out: no expression reads rows whose
    /// fields are updated without re-evaluating).
    #[cfg(test)]
    pub(crate) fn decides_like(&self, other: &FormState) -> bool {
        let form_level = |s: &FormState| -> Map<String, Value> {
            s.data()
                .iter()
                .filter(|(_, v)| !v.is_array())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        self.shows_like(other) && form_level(self) == form_level(other)
    }

    /// Whether two states show the same steps and fields alike (visible, required, read-only,
    /// computed values), whatever the answers behind them.
    #[cfg(test)]
    pub(crate) fn shows_like(&self, other: &FormState) -> bool {
        self.steps == other.steps
            && self.hidden == other.hidden
            && self.required == other.required
            && self.read_only == other.read_only
            && self.computed == other.computed
    }

    /// Makes a shown field read-only (a locked prefilled value).
    pub(crate) fn lock(&mut self, field: &str) {
        if self.is_visible(field) {
            self.read_only.insert(field.to_owned());
        }
    }

    /// Whether step `index` applies (its `visible_if` holds).
    pub fn step_applies(&self, index: usize) -> bool {
        self.steps.get(index).copied().unwrap_or(false)
    }

    /// The indexes of the steps that apply, in order.
    pub fn applicable_steps(&self) -> Vec<usize> {
        (0..self.steps.len()).filter(|i| self.steps[*i]).collect()
    }

    /// Whether a field is shown (its step, its groups and itself apply).
    pub fn is_visible(&self, field: &str) -> bool {
        !self.hidden.contains(field)
    }

    /// Whether a shown question must be answered (`required` or `required_if`).
    pub fn is_required(&self, field: &str) -> bool {
        self.required.contains(field)
    }

    /// Whether the citizen may not change a shown question now (`read_only_if`).
    pub fn is_read_only(&self, field: &str) -> bool {
        self.read_only.contains(field)
    }

    /// A shown computed field's value (`None` when it cannot be computed yet).
    pub fn computed(&self, field: &str) -> Option<&Value> {
        self.computed.get(field)
    }

    /// Every shown computed value, by field id.
    pub fn computed_values(&self) -> &BTreeMap<String, Value> {
        &self.computed
    }

    /// The values expressions read: shown questions' answers and computed values.
    pub fn data(&self) -> &Map<String, Value> {
        static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
        self.data
            .as_object()
            .unwrap_or_else(|| EMPTY.get_or_init(Map::new))
    }

    /// The issues of `rules` whose expression is false. A rule speaks only about answers that
    /// are given: it is checked when every field it reads has a value.
    pub fn check_rules(&self, rules: &[Rule], cx: &Context) -> Vec<Issue> {
        let ecx = EvalContext { today: cx.today };
        let mut issues = Vec::new();
        for rule in rules {
            let reads = crate::definition::referenced_fields(rule.rule.expr());
            if reads.iter().any(|id| !self.data().contains_key(*id)) {
                continue;
            }
            if !rule.rule.expr().is_true(&self.data, &ecx) {
                for target in rule.fields.iter().filter(|t| self.is_visible(t.as_str())) {
                    issues.push(Issue {
                        field: target.to_string(),
                        code: IssueCode::Rule(rule.message.clone()),
                    });
                }
            }
        }
        issues
    }
}

/// The expression values of every answer: form-level questions by id, and each repeating
/// group as an array with one object per row.
fn base_values(def: &Definition, answers: &Answers, cx: &Context) -> Map<String, Value> {
    let mut base = Map::new();
    for (_, f) in def.fields() {
        let id = f.id.as_str();
        match &f.kind {
            FieldKind::Repeat(r) => {
                let rows = answers.rows(id);
                if rows.is_empty() {
                    continue;
                }
                let rows = rows
                    .iter()
                    .map(|row| {
                        // Inserted one by one: collecting into a map sorts, and that
                        // sort would be one more copy in the browser's build.
                        let mut values = Map::new();
                        for rf in r.row_fields().filter(|rf| rf.kind.is_question()) {
                            if let Some(v) = row
                                .get(rf.id.as_str())
                                .and_then(|a| expression_value(rf, a, cx))
                            {
                                values.insert(rf.id.0.clone(), v);
                            }
                        }
                        Value::Object(values)
                    })
                    .collect();
                base.insert(id.to_owned(), Value::Array(rows));
            }
            kind if kind.is_question() => {
                if let Some(v) = answers.get(id).and_then(|a| expression_value(f, a, cx)) {
                    base.insert(id.to_owned(), v);
                }
            }
            _ => {}
        }
    }
    base
}

/// One evaluation pass over the form with `data` as the values expressions see.
fn pass(def: &Definition, base: &Map<String, Value>, data: &Value, ecx: &EvalContext) -> FormState {
    let mut state = FormState {
        steps: Vec::with_capacity(def.steps.len()),
        ..FormState::default()
    };
    let mut out = Map::new();
    let level = Level {
        base,
        scope: data,
        row: None,
    };
    for step in &def.steps {
        let applies = step.visible_if.as_ref().is_none_or(|c| c.holds(data, ecx));
        state.steps.push(applies);
        walk(&step.fields, applies, &level, ecx, &mut state, &mut out);
    }
    state.data = Value::Object(out);
    state
}

/// Where a walk is: the whole form, or one row of a repeating group.
struct Level<'a> {
    /// The answers' values at this level (the form's, or the row's).
    base: &'a Map<String, Value>,
    /// What expressions read here: the form's values, and in a row the row's values on top.
    scope: &'a Value,
    /// The repeating group and row index, inside a row.
    row: Option<(&'a str, usize)>,
}

impl Level<'_> {
    fn key(&self, id: &str) -> String {
        match self.row {
            Some((repeat, row)) => row_key(repeat, row, id),
            None => id.to_owned(),
        }
    }
}

fn walk(
    fields: &[Field],
    shown: bool,
    level: &Level<'_>,
    ecx: &EvalContext,
    state: &mut FormState,
    out: &mut Map<String, Value>,
) {
    let scope = level.scope;
    for field in fields {
        let id = field.id.as_str();
        // Keys are made only for what is recorded: most fields are shown and optional.
        let visible = shown
            && field
                .visible_if
                .as_ref()
                .is_none_or(|c| c.holds(scope, ecx));
        if !visible {
            state.hidden.insert(level.key(id));
        } else if field.kind.is_question() {
            if field.required
                || field
                    .required_if
                    .as_ref()
                    .is_some_and(|c| c.holds(scope, ecx))
            {
                state.required.insert(level.key(id));
            }
            if field
                .read_only_if
                .as_ref()
                .is_some_and(|c| c.holds(scope, ecx))
            {
                state.read_only.insert(level.key(id));
            }
        }
        match &field.kind {
            FieldKind::Group(g) => walk(&g.fields, visible, level, ecx, state, out),
            FieldKind::Repeat(r) => {
                let rows = level.base.get(id).and_then(Value::as_array);
                let rows = rows.map_or(&[][..], Vec::as_slice);
                if !visible {
                    for row in 0..rows.len() {
                        for inner in r.row_fields() {
                            state.hidden.insert(row_key(id, row, inner.id.as_str()));
                        }
                    }
                    continue;
                }
                let previous = scope.get(id).and_then(Value::as_array);
                let empty = Map::new();
                let mut out_rows = Vec::with_capacity(rows.len());
                for (row, values) in rows.iter().enumerate() {
                    // In a row, a field id means that row's answer.
                    let mut row_scope = scope.clone();
                    if let (Value::Object(s), Some(Value::Object(prev))) =
                        (&mut row_scope, previous.and_then(|p| p.get(row)))
                    {
                        s.extend(prev.iter().map(|(k, v)| (k.clone(), v.clone())));
                    }
                    let row_level = Level {
                        base: values.as_object().unwrap_or(&empty),
                        scope: &row_scope,
                        row: Some((id, row)),
                    };
                    let mut row_out = Map::new();
                    walk(&r.fields, true, &row_level, ecx, state, &mut row_out);
                    out_rows.push(Value::Object(row_out));
                }
                out.insert(id.to_owned(), Value::Array(out_rows));
            }
            FieldKind::Computed(c) if visible => {
                let value = c.expression.expr().eval(scope, ecx);
                if !value.is_null() {
                    out.insert(id.to_owned(), value.clone());
                    state.computed.insert(level.key(id), value);
                }
            }
            _ if visible => {
                if let Some(v) = level.base.get(id) {
                    out.insert(id.to_owned(), v.clone());
                }
            }
            _ => {}
        }
    }
}

/// The value an expression sees for an answer: its submitted form when valid; while still
/// invalid, the text as typed (so a length or "not empty" condition reacts at once), and no
/// value for an unreadable number or date.
pub fn expression_value(field: &Field, answer: &Answer, cx: &Context) -> Option<Value> {
    if answer.is_empty() {
        return None;
    }
    match normalize(field, answer, cx) {
        Ok(n) => Some(normalized_json(n)),
        Err(_) => match (answer, &field.kind) {
            (
                _,
                FieldKind::Number(_)
                | FieldKind::Integer(_)
                | FieldKind::Date(_)
                | FieldKind::YesNo,
            ) => None,
            (Answer::Text(s), _) => Some(Value::String(s.trim().to_owned())),
            (Answer::Choices(c), _) => Some(Value::from(c.clone())),
            (Answer::Rows(_), _) => None,
            // Files a rule refuses still count as attached for `length` and "not empty".
            (Answer::Files(files), _) => serde_json::to_value(files).ok(),
        },
    }
}

/// A normalized answer as JSON: exactly what the submission carries.
pub fn normalized_json(n: Normalized) -> Value {
    match n {
        Normalized::Text(s) => Value::String(s),
        Normalized::Number(x) => {
            if x.fract() == 0.0 && x.abs() < 9.0e15 {
                Value::from(x as i64)
            } else {
                serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
            }
        }
        Normalized::Bool(b) => Value::Bool(b),
        Normalized::Choices(c) => Value::from(c),
        Normalized::Files(files) => serde_json::to_value(files).unwrap_or(Value::Null),
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod repeat_tests;
