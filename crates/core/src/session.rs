//! The form engine the UI drives: answers in, what to show out.
//!
//! The UI holds a [`FormSession`] in a signal, calls one intent method per citizen action
//! (`type_text`, `leave`, `choose`, `toggle`, `next`, `back`, `change`, `add_row`,
//! `remove_row`, `begin_submit`/`finish_submit`) and renders what its getters say. Every rule
//! about when errors appear, where navigation and focus go, and what sending came to lives
//! here, so it is tested natively without a browser.

mod display;
mod submit;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::answers::{Answer, Answers};
use crate::definition::{Definition, FieldKind};
use crate::logic::FormState;
use crate::validate::{Context, Issue, IssueCode, check_field, check_step};

pub use display::{
    ReviewItem, ReviewSection, SummaryItem, display_answer, display_computed, file_names,
    message_lang, yes_no_label,
};
pub use submit::SendStatus;

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

/// Where focus goes after a citizen's action, in the page's terms (the UI maps each to an
/// element): focus follows what changed, so a keyboard or screen-reader user is never left
/// on a part of the page that is gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Focus {
    /// Focus stays where it is.
    Stay,
    /// The page's main region (back on the start page).
    Main,
    /// The heading of the page now shown: a step, the review page or the receipt.
    Heading,
    /// The error summary.
    ErrorSummary,
    /// The status of sending, which says what went wrong.
    SendStatus,
    /// The control of one answer.
    Control(Control),
}

/// The control that takes focus for an answer: its input, its first option, or a repeating
/// group's add button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Control {
    /// The answer's key (`namn`, `syskon[1].syskon_namn`).
    pub key: String,
    /// Which part of the answer's view.
    pub part: ControlPart,
}

/// Which element of an answer's view takes focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlPart {
    /// The one input, text area or list.
    Input,
    /// The first option of a group of radio buttons or checkboxes.
    FirstOption,
    /// A repeating group's add button.
    AddRow,
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
    /// The submission being sent or last sent, with its id: sending the same answers again
    /// reuses it, so a receiver that has it answers with the first receipt.
    pending: Option<crate::Submission>,
    /// What sending came to; a receipt here is what makes the form done.
    send: SendStatus,
    /// The last row added or removed, for the repeating group's announcement.
    row_change: Option<RowChange>,
}

/// A row added to or removed from a repeating group, as announced.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RowChange {
    repeat: String,
    row: usize,
    added: bool,
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

impl FormSession {
    /// A new session on the start page with no answers; `cx` carries today's date.
    pub fn new(def: Arc<Definition>, cx: Context) -> FormSession {
        FormSession::with_answers(def, cx, Answers::new())
    }

    /// A session on the start page with `answers`; a repeating group gets the rows it must
    /// have, ready to fill in.
    fn with_answers(def: Arc<Definition>, cx: Context, mut answers: Answers) -> FormSession {
        for (_, field) in def.fields() {
            if let FieldKind::Repeat(r) = &field.kind {
                while answers.row_count(field.id.as_str()) < r.min_rows as usize {
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
            pending: None,
            send: SendStatus::NotSent,
            row_change: None,
        }
    }

    /// A session with `answers` at `position`, as a draft left it: repeating groups get the
    /// rows they must have, a step that no longer applies falls back to the nearest earlier
    /// one that does, and a submission sent without a receipt is ready to be sent again.
    pub(crate) fn resume(
        def: Arc<Definition>,
        cx: Context,
        answers: Answers,
        position: Position,
        return_to_review: bool,
        pending: Option<crate::Submission>,
    ) -> FormSession {
        let mut s = FormSession::with_answers(def, cx, answers);
        s.position = match position {
            Position::Step(i) if !s.state.step_applies(i) => {
                s.previous_step(i).map_or(Position::Start, Position::Step)
            }
            Position::Done => Position::Review,
            other => other,
        };
        s.return_to_review = return_to_review && matches!(s.position, Position::Step(_));
        if pending.is_some() {
            s.pending = pending;
            s.send = SendStatus::TryAgain {
                status: None,
                detail: None,
            };
        }
        s
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

    /// Where the citizen is: [`Position::Done`] once the receiver has given a receipt.
    pub fn position(&self) -> Position {
        if self.receipt().is_some() {
            Position::Done
        } else {
            self.position
        }
    }

    /// Leaves the start page for the first step.
    pub fn start(&mut self) -> Focus {
        self.position = match (0..self.def.steps.len()).find(|j| self.state.step_applies(*j)) {
            Some(first) => Position::Step(first),
            None => Position::Review,
        };
        Focus::Heading
    }

    /// The citizen typed in a text field: records the text and says what it changed. Nothing
    /// is validated while the citizen types.
    pub fn type_text(&mut self, key: &str, text: String) -> Change {
        self.set_answer(key, Answer::Text(text))
    }

    /// The citizen chose an option (a radio button, yes or no, an entry of a list). A choice
    /// is complete when made, so a shown message is checked again at once; none appears.
    pub fn choose(&mut self, key: &str, value: &str, cx: &Context) -> Change {
        let change = self.set_answer(key, Answer::Text(value.to_owned()));
        self.recheck_shown(key, cx);
        change
    }

    /// The citizen ticked (`on`) or unticked a checkbox; the answer keeps the others.
    pub fn toggle(&mut self, key: &str, value: &str, on: bool, cx: &Context) -> Change {
        let mut chosen = self.answers.choices(key).to_vec();
        chosen.retain(|c| c != value);
        if on {
            chosen.push(value.to_owned());
        }
        let change = self.set_answer(key, Answer::Choices(chosen));
        self.recheck_shown(key, cx);
        change
    }

    /// The citizen chose files for a file field: they are added after those already attached
    /// and the field is checked at once, so a file of a type not accepted, too large, attached
    /// twice or one too many is told now, with its name (the file stays listed, with its
    /// remove button, until the citizen removes it).
    pub fn attach_files(
        &mut self,
        key: &str,
        files: Vec<crate::files::FileRef>,
        cx: &Context,
    ) -> Change {
        let mut all = self.answers.files(key).to_vec();
        all.extend(files);
        let change = self.set_answer(key, Answer::Files(all));
        self.leave(key, cx);
        change
    }

    /// The citizen removed one attached file (by its place in the list). A message already
    /// shown is checked again; focus goes to the field's file chooser.
    pub fn remove_file(&mut self, key: &str, index: usize, cx: &Context) -> Focus {
        let mut files = self.answers.files(key).to_vec();
        if index < files.len() {
            files.remove(index);
            self.set_answer(key, Answer::Files(files));
            self.recheck_shown(key, cx);
        }
        Focus::Control(Control {
            key: key.to_owned(),
            part: ControlPart::Input,
        })
    }

    /// Checks a field again only to clear or update a message already shown.
    fn recheck_shown(&mut self, key: &str, cx: &Context) {
        if self.shown.contains_key(key) {
            self.leave(key, cx);
        }
    }

    /// Whether `value` is chosen in the answer `key` (a radio group's value, or one of a
    /// checkbox group's).
    pub fn is_chosen(&self, key: &str, value: &str) -> bool {
        match self.answers.get(key) {
            Some(Answer::Choices(chosen)) => chosen.iter().any(|c| c == value),
            Some(Answer::Text(v)) => v == value,
            _ => false,
        }
    }

    /// Records an answer and says what it changed, so a view can redraw only that. Nothing is
    /// validated.
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

    /// Adds an empty row to a repeating group (not above `max_rows`); focus goes to the new
    /// row's first question, and the row is announced.
    pub fn add_row(&mut self, repeat: &str) -> Focus {
        if !self.can_add_row(repeat) || self.locked.contains(repeat) {
            return Focus::Stay;
        }
        let row = self.answers.add_row(repeat);
        // "Too few rows" is answered once a row is added.
        if self.shown.contains_key(repeat) {
            let cx = self.cx;
            self.refresh();
            self.leave(repeat, &cx);
        } else {
            self.refresh();
        }
        self.row_change = Some(RowChange {
            repeat: repeat.to_owned(),
            row,
            added: true,
        });
        let first = self.def.repeat(repeat).and_then(|r| {
            r.row_fields()
                .find(|f| f.kind.is_question())
                .map(|f| crate::answers::row_key(repeat, row, f.id.as_str()))
        });
        first
            .and_then(|key| self.control(&key))
            .map_or(Focus::Stay, Focus::Control)
    }

    /// Removes one row of a repeating group (not below `min_rows`); later rows move up, and
    /// their messages with them. Focus goes to the group's add button, and the removal is
    /// announced.
    pub fn remove_row(&mut self, repeat: &str, row: usize) -> Focus {
        if !self.can_remove_row(repeat) || self.answers.remove_row(repeat, row).is_none() {
            return Focus::Stay;
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
        self.row_change = Some(RowChange {
            repeat: repeat.to_owned(),
            row,
            added: false,
        });
        self.remove_row_focus(repeat)
    }

    /// Where focus goes when a row of `repeat` is removed: the group's add button (known
    /// before the removal, so the UI can move focus there first when the button is shown).
    pub fn remove_row_focus(&self, repeat: &str) -> Focus {
        Focus::Control(Control {
            key: repeat.to_owned(),
            part: ControlPart::AddRow,
        })
    }

    /// The control that takes focus for the answer `key`, if the form has that field.
    pub fn control(&self, key: &str) -> Option<Control> {
        let part = match self.def.field(key)?.kind {
            FieldKind::Radio(_) | FieldKind::Checkboxes(_) | FieldKind::YesNo => {
                ControlPart::FirstOption
            }
            FieldKind::Repeat(_) => ControlPart::AddRow,
            _ => ControlPart::Input,
        };
        Some(Control {
            key: key.to_owned(),
            part,
        })
    }

    /// The citizen left a field: check it and show or clear its message.
    ///
    /// An untouched empty field stays quiet: "required" is only said on Next.
    pub fn leave(&mut self, field: &str, cx: &Context) {
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

    /// Next on a step: validates it; on success moves on (focus to the next page's heading),
    /// otherwise shows every issue inline and in the summary (focus to the summary).
    pub fn next(&mut self, cx: &Context) -> Focus {
        self.row_change = None;
        let Position::Step(i) = self.position() else {
            if self.position() == Position::Start {
                return self.start();
            }
            return Focus::Stay;
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
            return Focus::ErrorSummary;
        }
        self.summary.clear();
        self.position = match self.next_step(i) {
            Some(next) if !self.return_to_review => Position::Step(next),
            _ => {
                self.return_to_review = false;
                Position::Review
            }
        };
        Focus::Heading
    }

    /// Back: to the previous step, the start page (focus to the page's main region), or from
    /// review to the last step.
    pub fn back(&mut self) -> Focus {
        self.row_change = None;
        if self.position() == Position::Done {
            return Focus::Stay;
        }
        self.summary.clear();
        self.return_to_review = false;
        let previous = |i| {
            self.previous_step(i)
                .map_or(Position::Start, Position::Step)
        };
        self.position = match self.position {
            Position::Start | Position::Done => Position::Start,
            Position::Step(i) => previous(i),
            Position::Review => previous(self.def.steps.len()),
        };
        if self.position == Position::Start {
            Focus::Main
        } else {
            Focus::Heading
        }
    }

    /// "Change" on the review page: go to the field's step, focus on its control; Next then
    /// returns to review.
    pub fn change(&mut self, field: &str) -> Focus {
        self.row_change = None;
        let Some(step) = self.def.step_of(field) else {
            return Focus::Stay;
        };
        self.position = Position::Step(step);
        self.return_to_review = true;
        self.summary.clear();
        self.control(field).map_or(Focus::Heading, Focus::Control)
    }

    /// Whether Next on this step leads back to the review page.
    pub fn returns_to_review(&self) -> bool {
        self.return_to_review
    }

    /// Whether Next on the current step leads to the review page (no later step applies).
    pub fn next_is_review(&self) -> bool {
        match self.position() {
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
        match self.position() {
            Position::Step(i) => Some((applicable.iter().filter(|j| **j < i).count() + 1, total)),
            Position::Review => Some((total, total)),
            Position::Start | Position::Done => None,
        }
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
}

#[cfg(test)]
mod tests;

/// A prefill value by key: the key itself first, then as a dotted path into nested objects.
fn prefill_lookup<'a>(values: &'a serde_json::Value, key: &str) -> Option<&'a serde_json::Value> {
    values
        .get(key)
        .or_else(|| key.split('.').try_fold(values, |v, part| v.get(part)))
}
