//! Validation: the same rules in the browser and in the receiver.
//!
//! Each question gets at most one issue (the first rule it breaks), so the citizen is told
//! one thing to fix at a time. Nothing here reads a clock: today's date comes in [`Context`].

use crate::answers::{Answer, Answers};
use crate::definition::{Definition, Field, FieldKind, Step};
use crate::logic::FormState;
use crate::text::Text;

pub use crate::issue::{Issue, IssueCode};
pub use crate::normalize::{
    Context, Normalized, clean_text, format_number, is_removed_char, normalize, parse_number,
};

/// Checks one answer (by field id or row key); `None` when it is acceptable.
pub fn validate_field(
    def: &Definition,
    key: &str,
    answers: &Answers,
    cx: &Context,
) -> Option<IssueCode> {
    let field = def.field(key)?;
    check_field(
        def,
        &FormState::evaluate(def, answers, cx),
        field,
        key,
        answers,
        cx,
    )
}

/// [`validate_field`] with the form's state already evaluated (hidden fields have no issues):
/// `field` is the field `key` names. A repeating group is checked for its number of rows.
pub fn check_field(
    def: &Definition,
    state: &FormState,
    field: &Field,
    key: &str,
    answers: &Answers,
    cx: &Context,
) -> Option<IssueCode> {
    if !state.is_visible(key) {
        return None;
    }
    if let FieldKind::Repeat(r) = &field.kind {
        let rows = answers.row_count(key);
        return if rows < r.min_rows as usize {
            Some(IssueCode::TooFewRows(r.min_rows))
        } else {
            r.max_rows
                .filter(|max| rows > *max as usize)
                .map(IssueCode::TooManyRows)
        };
    }
    if !field.kind.is_question() {
        return None;
    }
    let answer = answers.get(key);
    let empty = answer.is_none_or(Answer::is_empty);
    if empty {
        return state.is_required(key).then_some(match field.kind {
            FieldKind::Select(_)
            | FieldKind::Radio(_)
            | FieldKind::Checkboxes(_)
            | FieldKind::YesNo => IssueCode::RequiredChoice,
            FieldKind::File(_) => IssueCode::RequiredFile,
            _ => IssueCode::Required,
        });
    }
    let answer = answer?;
    if let Err(code) = normalize(field, answer, cx) {
        return Some(code);
    }
    // In a row, `must_match` names a field of the same row.
    let other_key =
        field
            .must_match
            .as_ref()
            .map(|other| match crate::answers::split_row_key(key) {
                Some((repeat, row, _)) => crate::answers::row_key(repeat, row, other.as_str()),
                None => other.0.clone(),
            });
    if let (Some(other_id), Some(other_key)) = (&field.must_match, &other_key)
        && let Some(other) = def.field(other_key)
        && answers.get(other_key).map(|a| comparable(other, a, cx))
            != Some(comparable(field, answer, cx))
    {
        return Some(IssueCode::Mismatch(
            other
                .label
                .clone()
                .unwrap_or_else(|| Text::from(other_id.as_str())),
        ));
    }
    None
}

/// An answer as `must_match` compares it: its canonical form when valid (so `8112289874`
/// matches `811228-9874`), e-mail addresses without regard to case, otherwise the trimmed text.
fn comparable(field: &Field, a: &Answer, cx: &Context) -> String {
    match (normalize(field, a, cx), a) {
        (Ok(Normalized::Text(s)), _) if matches!(field.kind, FieldKind::Email(_)) => {
            s.to_lowercase()
        }
        (Ok(Normalized::Text(s)), _) => s,
        (Ok(Normalized::Number(n)), _) => crate::num::display(n),
        (Ok(Normalized::Bool(b)), _) => b.to_string(),
        (Ok(Normalized::Choices(c)), _) => c.join(","),
        (Ok(Normalized::Files(f)), _) => f
            .iter()
            .map(|f| f.sha256.as_str())
            .collect::<Vec<_>>()
            .join(","),
        (Err(_), Answer::Files(f)) => f
            .iter()
            .map(|f| f.sha256.as_str())
            .collect::<Vec<_>>()
            .join(","),
        (Err(_), Answer::Text(s)) => s.trim().to_owned(),
        (Err(_), Answer::Choices(c)) => c.join(","),
        (Err(_), Answer::Rows(_)) => String::new(),
    }
}

/// Every issue on one step, in document order, then its rules' issues.
pub fn validate_step(def: &Definition, step: &Step, answers: &Answers, cx: &Context) -> Vec<Issue> {
    check_step(
        def,
        &FormState::evaluate(def, answers, cx),
        step,
        answers,
        cx,
    )
}

/// [`validate_step`] with the form's state already evaluated.
pub fn check_step(
    def: &Definition,
    state: &FormState,
    step: &Step,
    answers: &Answers,
    cx: &Context,
) -> Vec<Issue> {
    let mut issues: Vec<Issue> = step
        .entries(answers)
        .into_iter()
        .filter_map(|(key, f)| {
            check_field(def, state, f, &key, answers, cx).map(|code| Issue { field: key, code })
        })
        .collect();
    add_rule_issues(&mut issues, state.check_rules(&step.rules, cx));
    issues
}

/// Every issue in the whole form: each step that applies, then the form's rules.
pub fn validate_form(def: &Definition, answers: &Answers, cx: &Context) -> Vec<Issue> {
    check_form(def, &FormState::evaluate(def, answers, cx), answers, cx)
}

/// [`validate_form`] with the form's state already evaluated.
pub fn check_form(
    def: &Definition,
    state: &FormState,
    answers: &Answers,
    cx: &Context,
) -> Vec<Issue> {
    let mut issues: Vec<Issue> = def
        .steps
        .iter()
        .enumerate()
        .filter(|(i, _)| state.step_applies(*i))
        .flat_map(|(_, s)| check_step(def, state, s, answers, cx))
        .collect();
    add_rule_issues(&mut issues, state.check_rules(&def.rules, cx));
    issues
}

/// One message per field: a rule's message only where the answer itself is fine.
fn add_rule_issues(issues: &mut Vec<Issue>, rule_issues: Vec<Issue>) {
    for issue in rule_issues {
        if !issues.iter().any(|i| i.field == issue.field) {
            issues.push(issue);
        }
    }
}

#[cfg(test)]
mod tests;
