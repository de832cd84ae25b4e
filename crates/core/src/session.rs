//! The form engine the UI drives: answers in, what to show out.
//!
//! The UI holds a [`FormSession`] in a signal, calls its methods on citizen actions and
//! renders what its getters say. Every rule about when errors appear and where navigation
//! goes lives here, so it is tested natively without a browser.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::answers::{Answer, Answers};
use crate::definition::{Definition, Field, FieldKind};
use crate::submission::Submission;
use crate::text::Lang;
use crate::validate::{Context, Issue, IssueCode, validate_field, validate_step};

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
    /// A new session on the start page with no answers.
    pub fn new(def: Arc<Definition>) -> FormSession {
        FormSession {
            def,
            answers: Answers::new(),
            position: Position::Start,
            shown: BTreeMap::new(),
            summary: Vec::new(),
            return_to_review: false,
        }
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
        self.position = Position::Step(0);
    }

    /// Records an answer. Nothing is validated while the citizen types.
    pub fn set_answer(&mut self, field: &str, answer: Answer) {
        if answer.is_empty() {
            self.answers.remove(field);
        } else {
            self.answers.set(field, answer);
        }
    }

    /// The citizen left a field: check it and show or clear its message.
    ///
    /// An untouched empty field stays quiet: "required" is only said on Next.
    pub fn blur(&mut self, field: &str, cx: &Context) {
        let Some(f) = self.def.field(field) else {
            return;
        };
        let empty = self.answers.get(field).is_none_or(Answer::is_empty);
        match validate_field(&self.def, f, &self.answers, cx) {
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
        let issues = validate_step(&self.def, &self.def.steps[i], &self.answers, cx);
        let step_fields: Vec<String> = self.def.steps[i]
            .questions()
            .iter()
            .map(|f| f.id.0.clone())
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
        self.position = if self.return_to_review || i + 1 >= self.def.steps.len() {
            self.return_to_review = false;
            Position::Review
        } else {
            Position::Step(i + 1)
        };
        true
    }

    /// Back: to the previous step, the start page, or from review to the last step.
    pub fn back(&mut self) {
        self.summary.clear();
        self.return_to_review = false;
        self.position = match self.position {
            Position::Start | Position::Step(0) => Position::Start,
            Position::Step(i) => Position::Step(i - 1),
            Position::Review => Position::Step(self.def.steps.len() - 1),
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

    /// The message shown at a field, if any.
    pub fn error(&self, field: &str) -> Option<&IssueCode> {
        self.shown.get(field)
    }

    /// The issues listed in the error summary (after a failed Next or submit).
    pub fn summary(&self) -> &[Issue] {
        &self.summary
    }

    /// The progress as (current, total), counting the review page as the last step.
    pub fn progress(&self) -> Option<(usize, usize)> {
        let total = self.def.steps.len() + 1;
        match self.position {
            Position::Step(i) => Some((i + 1, total)),
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
    pub fn review(&self, lang: Lang) -> Vec<ReviewSection> {
        self.def
            .steps
            .iter()
            .enumerate()
            .map(|(i, step)| ReviewSection {
                step: i,
                title: step.title.get(lang).to_owned(),
                items: step
                    .questions()
                    .into_iter()
                    .map(|f| ReviewItem {
                        field: f.id.0.clone(),
                        label: f.label_in(lang).to_owned(),
                        value: display_answer(f, self.answers.get(f.id.as_str()), lang),
                    })
                    .collect(),
            })
            .collect()
    }
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
    }
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
