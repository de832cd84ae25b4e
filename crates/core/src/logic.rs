//! What applies now: which steps and fields are shown, required and read-only, and the
//! computed values, for one set of answers.
//!
//! Expressions read the answers as the submission carries them (`{"var": "field_id"}` is the
//! submitted value: numbers as numbers, yes/no as booleans, checkboxes as arrays). A hidden
//! field has no value for expressions, so a chain of conditions collapses as it should; its
//! answer stays in [`Answers`] (the draft), so showing it again restores what was typed.

use std::collections::{BTreeMap, HashSet};

use serde_json::{Map, Value};

use crate::answers::{Answer, Answers};
use crate::definition::{Definition, Field, FieldKind, Rule};
use crate::expr::EvalContext;
use crate::validate::{Context, Issue, IssueCode, Normalized, normalize};

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
        let base: Map<String, Value> = def
            .questions()
            .filter_map(|(_, f)| {
                Some((
                    f.id.to_string(),
                    expression_value(f, answers.get(f.id.as_str())?, cx)?,
                ))
            })
            .collect();
        // Iterate to a fixpoint: hiding a field removes its value, which may hide others or
        // change a computed value. The loader rejects cycles, so this settles within
        // (number of fields + 1) passes; the bound guarantees termination regardless.
        let mut data = Value::Object(base.clone());
        let mut state = FormState::default();
        let bound = def.fields().count() + 2;
        for _ in 0..bound {
            state = pass(def, &base, &data, &ecx);
            if state.data == data {
                break;
            }
            data = state.data.clone();
        }
        for (_, field) in def.fields() {
            let id = field.id.as_str();
            if state.hidden.contains(id) || !field.kind.is_question() {
                continue;
            }
            if field.required
                || field
                    .required_if
                    .as_ref()
                    .is_some_and(|c| c.holds(&data, &ecx))
            {
                state.required.insert(id.to_owned());
            }
            if field
                .read_only_if
                .as_ref()
                .is_some_and(|c| c.holds(&data, &ecx))
            {
                state.read_only.insert(id.to_owned());
            }
        }
        state
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

/// One evaluation pass over the form with `data` as the values expressions see.
fn pass(def: &Definition, base: &Map<String, Value>, data: &Value, ecx: &EvalContext) -> FormState {
    let mut state = FormState {
        steps: Vec::with_capacity(def.steps.len()),
        data: Value::Object(Map::new()),
        ..FormState::default()
    };
    for step in &def.steps {
        let applies = step.visible_if.as_ref().is_none_or(|c| c.holds(data, ecx));
        state.steps.push(applies);
        walk(&step.fields, applies, base, data, ecx, &mut state);
    }
    state
}

fn walk(
    fields: &[Field],
    shown: bool,
    base: &Map<String, Value>,
    data: &Value,
    ecx: &EvalContext,
    state: &mut FormState,
) {
    for field in fields {
        let id = field.id.as_str();
        let visible = shown && field.visible_if.as_ref().is_none_or(|c| c.holds(data, ecx));
        if !visible {
            state.hidden.insert(id.to_owned());
        }
        match &field.kind {
            FieldKind::Group(g) => walk(&g.fields, visible, base, data, ecx, state),
            FieldKind::Computed(c) if visible => {
                let value = c.expression.expr().eval(data, ecx);
                if !value.is_null() {
                    insert(&mut state.data, id, value.clone());
                    state.computed.insert(id.to_owned(), value);
                }
            }
            _ if visible => {
                if let Some(v) = base.get(id) {
                    insert(&mut state.data, id, v.clone());
                }
            }
            _ => {}
        }
    }
}

fn insert(data: &mut Value, id: &str, value: Value) {
    if let Value::Object(map) = data {
        map.insert(id.to_owned(), value);
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
    }
}

#[cfg(test)]
mod tests;
