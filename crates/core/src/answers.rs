//! The citizen's answers, as the UI holds them and a draft would store them.

use std::collections::BTreeMap;

/// One answer: text typed or picked, or the set of options chosen in a checkbox field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Text as typed (or the chosen option value, or `yes`/`no`).
    Text(String),
    /// The values of the chosen checkbox options.
    Choices(Vec<String>),
}

impl Answer {
    /// Whether the answer counts as not given (only whitespace, or nothing chosen).
    pub fn is_empty(&self) -> bool {
        match self {
            Answer::Text(s) => s.trim().is_empty(),
            Answer::Choices(c) => c.is_empty(),
        }
    }

    /// The text, if this is a text answer.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Answer::Text(s) => Some(s),
            Answer::Choices(_) => None,
        }
    }
}

/// All answers of one form, keyed by field id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Answers(BTreeMap<String, Answer>);

impl Answers {
    /// No answers yet.
    pub fn new() -> Answers {
        Answers::default()
    }

    /// The answer to a field, if any.
    pub fn get(&self, field: &str) -> Option<&Answer> {
        self.0.get(field)
    }

    /// The text answer to a field, or `""`.
    pub fn text(&self, field: &str) -> &str {
        self.get(field).and_then(Answer::as_text).unwrap_or("")
    }

    /// The chosen options of a checkbox field, or none.
    pub fn choices(&self, field: &str) -> &[String] {
        match self.get(field) {
            Some(Answer::Choices(c)) => c,
            _ => &[],
        }
    }

    /// Sets (or replaces) the answer to a field.
    pub fn set(&mut self, field: impl Into<String>, answer: Answer) {
        self.0.insert(field.into(), answer);
    }

    /// Removes the answer to a field.
    pub fn remove(&mut self, field: &str) -> Option<Answer> {
        self.0.remove(field)
    }

    /// Every answer, in field-id order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Answer)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
}
