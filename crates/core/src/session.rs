//! The form engine the UI drives: answers in, what to show out.
//!
//! The UI holds a [`FormSession`] in a signal, calls its methods on citizen actions and
//! renders what its getters say. Every rule about when errors appear and where navigation
//! goes lives here, so it is tested natively without a browser.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::answers::{Answer, Answers};
use crate::definition::{Definition, Field, FieldKind};
use crate::logic::FormState;
use crate::submission::Submission;
use crate::text::Lang;
use crate::validate::{Context, Issue, IssueCode, check_field, check_step};

/// What [`FormSession::set_answer`] changed, so a view redraws only what depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Nothing: the field is locked by the embedding page.
    Nothing,
    /// The field's own answer alone: no condition, rule or computed value reads it.
    Answer,
    /// Anything derived from the answers may have changed.
    Form,
}

/// Where the citizen is in the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// The start page: description and privacy notice.
    Start,
    /// A step, by index.
    Step(usize),
    /// The review page listing every answer.
    Review,
    /// The submission was received.
    Done,
}

/// The state of one citizen filling in one form.
#[derive(Debug, Clone, PartialEq)]
pub struct FormSession {
    def: Arc<Definition>,
    answers: Answers,
    position: Position,
    shown: BTreeMap<String, IssueCode>,
    summary: Vec<Issue>,
    return_to_review: bool,
    cx: Context,
    state: FormState,
    /// Where each prefilled answer came from (removed when the citizen changes it).
    prefilled: BTreeMap<String, PrefillOrigin>,
    /// Fields locked by a trusted prefilled value.
    locked: BTreeSet<String>,
    /// The field ids expressions read; typing in any other field changes no condition.
    read_by_expressions: Arc<std::collections::HashSet<String>>,
}

/// Where prefilled values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrefillOrigin {
    /// The page's URL (`?prefill.key=value`): anyone can write such a link, so it never locks.
    Url,
    /// The embedding page's configuration: trusted, may lock.
    Page,
    /// The definition's prefill endpoint (e.g. data from login): trusted, may lock.
    Endpoint,
}

impl PrefillOrigin {
    fn trusted(self) -> bool {
        self != PrefillOrigin::Url
    }
}

/// One answered (or unanswered) question on the review page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewItem {
    /// The field's id, for the "Change" link.
    pub field: String,
    /// The field's label.
    pub label: String,
    /// The answer as the citizen should read it; empty when not answered.
    pub value: String,
    /// Whether the citizen can change it (not computed, not read-only).
    pub editable: bool,
}

/// The answers of one step on the review page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewSection {
    /// The step's index.
    pub step: usize,
    /// The step's title.
    pub title: String,
    /// Its questions, in order.
    pub items: Vec<ReviewItem>,
}

impl FormSession {
    /// A new session on the start page with no answers; `cx` carries today's date.
    pub fn new(def: Arc<Definition>, cx: Context) -> FormSession {
        let mut answers = Answers::new();
        // A repeating group starts with the rows it must have, ready to fill in.
        for (_, field) in def.fields() {
            if let FieldKind::Repeat(r) = &field.kind {
                for _ in 0..r.min_rows {
                    answers.add_row(field.id.as_str());
                }
            }
        }
        let state = FormState::evaluate(&def, &answers, &cx);
        let read_by_expressions = Arc::new(def.read_by_expressions());
        FormSession {
            read_by_expressions,
            def,
            answers,
            position: Position::Start,
            shown: BTreeMap::new(),
            summary: Vec::new(),
            return_to_review: false,
            cx,
            state,
            prefilled: BTreeMap::new(),
            locked: BTreeSet::new(),
        }
    }

    /// Prefills the fields that allow it from `values` (an object; keys may be dotted paths).
    ///
    /// Never overwrites what the citizen typed, except with a locking value from a trusted
    /// source; a trusted value replaces one that came from the URL. Returns how many fields
    /// were filled.
    pub fn apply_prefill(&mut self, origin: PrefillOrigin, values: &serde_json::Value) -> usize {
        let mut filled = 0;
        for (_, field) in self.def.questions() {
            let Some(prefill) = &field.prefill else {
                continue;
            };
            let Some(value) = prefill_lookup(values, &prefill.key) else {
                continue;
            };
            let Some(answer) =
                crate::submission::answer_from_json(field, value).filter(|a| !a.is_empty())
            else {
                continue;
            };
            let id = field.id.as_str();
            let locks = origin.trusted() && prefill.lock;
            let replace = match (self.answers.get(id).is_some(), self.prefilled.get(id)) {
                (false, _) => true,
                // A link's value is only a suggestion.
                (true, Some(PrefillOrigin::Url)) => true,
                // Typed by the citizen, or prefilled by a trusted source: only a lock wins.
                (true, _) => locks && !self.locked.contains(id),
            };
            if !replace {
                continue;
            }
            self.answers.set(id, answer);
            self.prefilled.insert(id.to_owned(), origin);
            if locks {
                self.locked.insert(id.to_owned());
            }
            filled += 1;
        }
        self.refresh();
        filled
    }

    /// Whether a field's answer was prefilled (and not changed since).
    pub fn is_prefilled(&self, field: &str) -> bool {
        self.prefilled.contains_key(field)
    }

    /// What applies now: shown steps and fields, required and read-only ones, computed values.
    pub fn state(&self) -> &FormState {
        &self.state
    }

    /// Sets today's date (a form left open past midnight) and re-evaluates.
    pub fn set_context(&mut self, cx: Context) {
        if cx != self.cx {
            self.cx = cx;
            self.refresh();
        }
    }

    fn refresh(&mut self) {
        self.state = FormState::evaluate(&self.def, &self.answers, &self.cx);
        for id in &self.locked {
            self.state.lock(id);
        }
        // A field that disappeared takes its message with it.
        let state = &self.state;
        self.shown.retain(|id, _| state.is_visible(id));
        self.summary.retain(|i| state.is_visible(&i.field));
    }

    /// The step after `i` that applies, if any.
    fn next_step(&self, i: usize) -> Option<usize> {
        (i + 1..self.def.steps.len()).find(|j| self.state.step_applies(*j))
    }

    /// The step before `i` that applies, if any.
    fn previous_step(&self, i: usize) -> Option<usize> {
        (0..i).rev().find(|j| self.state.step_applies(*j))
    }

    /// The definition being filled in.
    pub fn definition(&self) -> &Definition {
        &self.def
    }

    /// The answers so far.
    pub fn answers(&self) -> &Answers {
        &self.answers
    }

    /// Where the citizen is.
    pub fn position(&self) -> Position {
        self.position
    }

    /// Leaves the start page for the first step.
    pub fn start(&mut self) {
        self.position = match (0..self.def.steps.len()).find(|j| self.state.step_applies(*j)) {
            Some(first) => Position::Step(first),
            None => Position::Review,
        };
    }

    /// Records an answer and says what it changed, so a view can redraw only that. Nothing is
    /// validated while the citizen types.
    pub fn set_answer(&mut self, field: &str, answer: Answer) -> Change {
        if self.locked.contains(field) {
            return Change::Nothing;
        }
        self.prefilled.remove(field);
        if answer.is_empty() {
            self.answers.remove(field);
        } else {
            self.answers.set(field, answer);
        }
        // Re-evaluating a 1,000-field form on every keystroke is the costly part of typing:
        // when no expression reads the field (or, in a row, its group), only its own value for
        // expressions changes, and a row's value only counts through its group.
        let row = crate::answers::split_row_key(field);
        let read = match row {
            Some((repeat, _, id)) => {
                self.read_by_expressions.contains(repeat) || self.read_by_expressions.contains(id)
            }
            None => self.read_by_expressions.contains(field),
        };
        if read {
            self.refresh();
            return Change::Form;
        }
        if row.is_none()
            && let Some(f) = self.def.field(field)
        {
            let value = self
                .answers
                .get(field)
                .and_then(|a| crate::logic::expression_value(f, a, &self.cx));
            self.state.set_value(field, value);
        }
        Change::Answer
    }

    /// Whether any question shown on step `i` must be answered now (its rows' questions too),
    /// so the page can say what the asterisk means.
    pub fn step_has_required(&self, i: usize) -> bool {
        let Some(step) = self.def.steps.get(i) else {
            return false;
        };
        let state = &self.state;
        step.questions()
            .iter()
            .any(|f| state.is_required(f.id.as_str()))
            || step.value_fields().iter().any(|f| match &f.kind {
                FieldKind::Repeat(r) => (0..self.answers.row_count(f.id.as_str())).any(|row| {
                    r.row_fields().any(|rf| {
                        state.is_required(&crate::answers::row_key(
                            f.id.as_str(),
                            row,
                            rf.id.as_str(),
                        ))
                    })
                }),
                _ => false,
            })
    }

    /// Whether another row may be added to a repeating group (below `max_rows`).
    pub fn can_add_row(&self, repeat: &str) -> bool {
        self.def.repeat(repeat).is_some_and(|r| {
            r.max_rows
                .is_none_or(|max| self.answers.row_count(repeat) < max as usize)
        })
    }

    /// Whether rows may be removed from a repeating group (above `min_rows`).
    pub fn can_remove_row(&self, repeat: &str) -> bool {
        self.def
            .repeat(repeat)
            .is_some_and(|r| self.answers.row_count(repeat) > r.min_rows as usize)
    }

    /// Adds an empty row to a repeating group; its index, or `None` at `max_rows`.
    pub fn add_row(&mut self, repeat: &str) -> Option<usize> {
        if !self.can_add_row(repeat) || self.locked.contains(repeat) {
            return None;
        }
        let row = self.answers.add_row(repeat);
        // "Too few rows" is answered once a row is added.
        if self.shown.contains_key(repeat) {
            let cx = self.cx;
            self.refresh();
            self.blur(repeat, &cx);
        } else {
            self.refresh();
        }
        Some(row)
    }

    /// Removes one row of a repeating group (not below `min_rows`); later rows move up, and
    /// their messages with them. Returns whether a row was removed.
    pub fn remove_row(&mut self, repeat: &str, row: usize) -> bool {
        if !self.can_remove_row(repeat) || self.answers.remove_row(repeat, row).is_none() {
            return false;
        }
        let moved = |key: &str| -> Option<Option<String>> {
            let (r, i, f) = crate::answers::split_row_key(key)?;
            (r == repeat && i >= row)
                .then(|| (i > row).then(|| crate::answers::row_key(r, i - 1, f)))
        };
        let shown = std::mem::take(&mut self.shown);
        for (key, code) in shown {
            match moved(&key) {
                None => {
                    self.shown.insert(key, code);
                }
                Some(Some(new_key)) => {
                    self.shown.insert(new_key, code);
                }
                Some(None) => {}
            }
        }
        let summary = std::mem::take(&mut self.summary);
        self.summary = summary
            .into_iter()
            .filter_map(|mut issue| match moved(&issue.field) {
                None => Some(issue),
                Some(Some(new_key)) => {
                    issue.field = new_key;
                    Some(issue)
                }
                Some(None) => None,
            })
            .collect();
        self.refresh();
        true
    }

    /// The citizen left a field: check it and show or clear its message.
    ///
    /// An untouched empty field stays quiet: "required" is only said on Next.
    pub fn blur(&mut self, field: &str, cx: &Context) {
        self.set_context(*cx);
        let Some(f) = self.def.field(field) else {
            return;
        };
        let empty = self.answers.get(field).is_none_or(Answer::is_empty);
        match check_field(&self.def, &self.state, f, field, &self.answers, cx) {
            Some(_) if empty && !self.shown.contains_key(field) => {}
            Some(code) => {
                // A summary entry for this field says what is wrong now, not before.
                for issue in self.summary.iter_mut().filter(|i| i.field == field) {
                    issue.code = code.clone();
                }
                self.shown.insert(field.to_owned(), code);
            }
            None => {
                self.shown.remove(field);
                self.summary.retain(|i| i.field != field);
            }
        }
    }

    /// Next on a step: validates it; on success moves on and returns `true`, otherwise
    /// shows every issue (inline and in the summary) and returns `false`.
    pub fn next(&mut self, cx: &Context) -> bool {
        let Position::Step(i) = self.position else {
            if self.position == Position::Start {
                self.start();
            }
            return true;
        };
        self.set_context(*cx);
        let issues = check_step(
            &self.def,
            &self.state,
            &self.def.steps[i],
            &self.answers,
            cx,
        );
        let step_fields: Vec<String> = self.def.steps[i]
            .entries(&self.answers)
            .into_iter()
            .map(|(key, _)| key)
            .collect();
        self.shown.retain(|k, _| !step_fields.contains(k));
        if !issues.is_empty() {
            for issue in &issues {
                self.shown.insert(issue.field.clone(), issue.code.clone());
            }
            self.summary = issues;
            return false;
        }
        self.summary.clear();
        self.position = match self.next_step(i) {
            Some(next) if !self.return_to_review => Position::Step(next),
            _ => {
                self.return_to_review = false;
                Position::Review
            }
        };
        true
    }

    /// Back: to the previous step, the start page, or from review to the last step.
    pub fn back(&mut self) {
        self.summary.clear();
        self.return_to_review = false;
        let previous = |i| {
            self.previous_step(i)
                .map_or(Position::Start, Position::Step)
        };
        self.position = match self.position {
            Position::Start => Position::Start,
            Position::Step(i) => previous(i),
            Position::Review => previous(self.def.steps.len()),
            Position::Done => Position::Done,
        };
    }

    /// "Change" on the review page: go to the field's step; Next then returns to review.
    pub fn change(&mut self, field: &str) {
        if let Some(step) = self.def.step_of(field) {
            self.position = Position::Step(step);
            self.return_to_review = true;
            self.summary.clear();
        }
    }

    /// Whether Next on this step leads back to the review page.
    pub fn returns_to_review(&self) -> bool {
        self.return_to_review
    }

    /// Whether Next on the current step leads to the review page (no later step applies).
    pub fn next_is_review(&self) -> bool {
        match self.position {
            Position::Step(i) => self.next_step(i).is_none(),
            _ => false,
        }
    }

    /// The message shown at a field, if any.
    pub fn error(&self, field: &str) -> Option<&IssueCode> {
        self.shown.get(field)
    }

    /// The issues listed in the error summary (after a failed Next or submit).
    pub fn summary(&self) -> &[Issue] {
        &self.summary
    }

    /// The progress as (current, total) over the steps that apply, counting the review page
    /// as the last step.
    pub fn progress(&self) -> Option<(usize, usize)> {
        let applicable = self.state.applicable_steps();
        let total = applicable.len() + 1;
        match self.position {
            Position::Step(i) => Some((applicable.iter().filter(|j| **j < i).count() + 1, total)),
            Position::Review => Some((total, total)),
            Position::Start | Position::Done => None,
        }
    }

    /// Builds the submission, or shows the issues (e.g. from a receiver's 422) on their step.
    pub fn submission(
        &mut self,
        lang: Lang,
        submission_id: &str,
        cx: &Context,
    ) -> Result<Submission, Vec<Issue>> {
        self.set_context(*cx);
        Submission::build(&self.def, &self.answers, lang, submission_id, cx).inspect_err(|issues| {
            self.show_issues(issues.clone());
        })
    }

    /// Shows issues found elsewhere (the receiver) at their fields, on the first one's step.
    pub fn show_issues(&mut self, issues: Vec<Issue>) {
        let Some(first) = issues.first() else { return };
        if let Some(step) = self.def.step_of(&first.field) {
            self.position = Position::Step(step);
            self.return_to_review = true;
        }
        let on_step: Vec<Issue> = match self.position {
            Position::Step(i) => issues
                .iter()
                .filter(|x| self.def.step_of(&x.field) == Some(i))
                .cloned()
                .collect(),
            _ => Vec::new(),
        };
        for issue in &issues {
            self.shown.insert(issue.field.clone(), issue.code.clone());
        }
        self.summary = on_step;
    }

    /// The receiver accepted the submission.
    pub fn mark_done(&mut self) {
        self.position = Position::Done;
        self.summary.clear();
    }

    /// Every step's questions and answers, for the review page.
    ///
    /// Labels that occur more than once on the page (two "Förnamn" in the groups "Person 1"
    /// and "Person 2") are prefixed with their group's legend, so every "Change" button says
    /// which answer it changes.
    pub fn review(&self, lang: Lang) -> Vec<ReviewSection> {
        let mut sections: Vec<ReviewSection> = self
            .def
            .steps
            .iter()
            .enumerate()
            .filter(|(i, _)| self.state.step_applies(*i))
            .map(|(i, step)| ReviewSection {
                step: i,
                title: step.title.get(lang).to_owned(),
                items: step
                    .entries(&self.answers)
                    .into_iter()
                    .filter(|(key, f)| f.kind.has_value() && self.state.is_visible(key))
                    .filter_map(|(key, f)| self.review_item(key, f, lang))
                    .collect(),
            })
            .collect();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for item in sections.iter().flat_map(|s| &s.items) {
            *seen.entry(item.label.clone()).or_default() += 1;
        }
        let groups = group_legends(&self.def, lang);
        for item in sections.iter_mut().flat_map(|s| &mut s.items) {
            if seen.get(&item.label).is_some_and(|n| *n > 1)
                && let Some(legend) = groups.get(item.field.as_str())
            {
                item.label = format!("{legend}: {}", item.label);
            }
        }
        sections
    }
}

impl FormSession {
    fn review_item(&self, key: String, f: &Field, lang: Lang) -> Option<ReviewItem> {
        let value = match &f.kind {
            FieldKind::Computed(c) => {
                display_computed(self.state.computed(&key), c.unit.as_ref(), lang)
            }
            // A group with rows is shown through its rows' answers.
            FieldKind::Repeat(_) if self.answers.row_count(&key) > 0 => return None,
            FieldKind::Repeat(_) => String::new(),
            _ => display_answer(f, self.answers.get(&key), lang),
        };
        let label = match crate::answers::split_row_key(&key) {
            Some((repeat, row, _)) => format!(
                "{} {}: {}",
                self.row_label(repeat, lang),
                row + 1,
                f.label_in(lang)
            ),
            None => f.label_in(lang).to_owned(),
        };
        Some(ReviewItem {
            editable: (f.kind.is_question() || matches!(f.kind, FieldKind::Repeat(_)))
                && !self.state.is_read_only(&key),
            field: key,
            label,
            value,
        })
    }

    /// What one row of a repeating group is called ("Syskon"), before its number.
    pub fn row_label(&self, repeat: &str, lang: Lang) -> String {
        let Some(field) = self.def.field(repeat) else {
            return String::new();
        };
        match &field.kind {
            FieldKind::Repeat(r) => r.item_label.as_ref().map_or_else(
                || if lang == Lang::Sv { "Rad" } else { "Row" }.to_owned(),
                |t| t.get(lang).to_owned(),
            ),
            _ => field.label_in(lang).to_owned(),
        }
    }
}

/// The legend of the innermost group around each form-level field, by field id.
fn group_legends(def: &Definition, lang: Lang) -> BTreeMap<String, String> {
    fn walk(
        fields: &[Field],
        legend: Option<&str>,
        lang: Lang,
        out: &mut BTreeMap<String, String>,
    ) {
        for f in fields {
            if let Some(l) = legend {
                out.insert(f.id.0.clone(), l.to_owned());
            }
            if let FieldKind::Group(g) = &f.kind {
                walk(&g.fields, Some(f.label_in(lang)), lang, out);
            }
        }
    }
    let mut out = BTreeMap::new();
    for step in &def.steps {
        walk(&step.fields, None, lang, &mut out);
    }
    out
}

/// An answer as a citizen reads it: option labels instead of values, "Ja"/"Nej", as typed otherwise.
pub fn display_answer(field: &Field, answer: Option<&Answer>, lang: Lang) -> String {
    let Some(answer) = answer.filter(|a| !a.is_empty()) else {
        return String::new();
    };
    let option_label = |v: &str| {
        field
            .kind
            .options()
            .and_then(|opts| opts.iter().find(|o| o.value.as_str() == v))
            .map_or_else(|| v.to_owned(), |o| o.label.get(lang).to_owned())
    };
    match (answer, &field.kind) {
        // In the options' order, as submitted, whatever order they were ticked in.
        (Answer::Choices(values), kind) => match kind.options() {
            Some(options) => options
                .iter()
                .filter(|o| values.iter().any(|v| v == o.value.as_str()))
                .map(|o| o.label.get(lang).to_owned())
                .collect::<Vec<_>>()
                .join(", "),
            None => values.join(", "),
        },
        (Answer::Text(v), FieldKind::YesNo) => yes_no_label(v == "yes", lang).to_owned(),
        (Answer::Text(v), FieldKind::Select(_) | FieldKind::Radio(_)) => option_label(v),
        (Answer::Text(v), _) => v.trim().to_owned(),
        (Answer::Rows(rows), _) => rows.len().to_string(),
    }
}

/// A computed value as the citizen reads it: a number with a decimal comma in Swedish and
/// spaces between thousands, then its unit; empty when it cannot be computed yet.
pub fn display_computed(
    value: Option<&serde_json::Value>,
    unit: Option<&crate::Text>,
    lang: Lang,
) -> String {
    let text = match value {
        None | Some(serde_json::Value::Null) => return String::new(),
        Some(serde_json::Value::Number(n)) => format_amount(n.as_f64().unwrap_or(0.0), lang),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Bool(b)) => yes_no_label(*b, lang).to_owned(),
        Some(other) => other.to_string(),
    };
    match unit {
        Some(u) => format!("{text} {}", u.get(lang)),
        None => text,
    }
}

/// `1234.5` as `1 234,5` (Swedish) or `1,234.5` (English), with at most two decimals.
fn format_amount(x: f64, lang: Lang) -> String {
    let rounded = (x * 100.0).round() / 100.0;
    let negative = rounded < 0.0;
    let whole = rounded.abs().trunc() as u64;
    let cents = ((rounded.abs() - rounded.abs().trunc()) * 100.0).round() as u64;
    let (group, decimal) = if lang == Lang::Sv {
        ('\u{a0}', ',')
    } else {
        (',', '.')
    };
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(group);
        }
        out.push(c);
    }
    if cents > 0 {
        out.push(decimal);
        out.push_str(format!("{cents:02}").trim_end_matches('0'));
    }
    if negative { format!("-{out}") } else { out }
}

/// "Ja"/"Nej" or "Yes"/"No".
pub fn yes_no_label(yes: bool, lang: Lang) -> &'static str {
    match (yes, lang) {
        (true, Lang::Sv) => "Ja",
        (false, Lang::Sv) => "Nej",
        (true, Lang::En) => "Yes",
        (false, Lang::En) => "No",
    }
}

#[cfg(test)]
mod tests;

/// A prefill value by key: the key itself first, then as a dotted path into nested objects.
fn prefill_lookup<'a>(values: &'a serde_json::Value, key: &str) -> Option<&'a serde_json::Value> {
    values
        .get(key)
        .or_else(|| key.split('.').try_fold(values, |v, part| v.get(part)))
}
