//! Drafts: a form in progress as kept on the citizen's device, and opened again later, also
//! under a newer version of the form.
//!
//! What a draft keeps is decided here, so it is the same on every device and tested natively:
//! the answers (rows too), where the citizen was, the submission already sent but not yet
//! acknowledged (so a resend keeps its id), and when the draft expires. Times are passed in
//! as milliseconds since the Unix epoch; the engine reads no clock. Messages shown at fields
//! are not kept: they come back when the citizen leaves the field or presses Next.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::answers::{Answer, Answers, row_key};
use crate::definition::{Definition, FieldKind};
use crate::normalize::{Context, normalize};
use crate::protocol::Localized;
use crate::session::{FormSession, Position, display_answer};
use crate::submission::Submission;
use crate::text::{Lang, Text};

/// The draft format version this crate writes and reads.
pub const DRAFT_FORMAT: &str = "1";

/// How long a draft is kept after its last change when the definition does not say.
pub const DEFAULT_KEEP_DAYS: u32 = 30;

/// The longest a definition may ask for drafts to be kept.
pub const MAX_KEEP_DAYS: u32 = 365;

const DAY_MS: u64 = 86_400_000;

/// A form in progress as kept on the device (draft format 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draft {
    /// Format version marker; always `"1"`.
    pub blankett_draft: String,
    /// The draft's own id (several drafts of one form can be kept, e.g. one per child).
    pub draft_id: String,
    /// The form's id.
    pub form_id: String,
    /// The version of the form the answers were given in.
    pub form_version: String,
    /// The form's title, to list the draft without loading the form.
    pub title: Text,
    /// When the draft was made (ms since the Unix epoch).
    pub created_at: u64,
    /// When the citizen last changed it (ms since the Unix epoch).
    pub changed_at: u64,
    /// When it is deleted unless changed again (ms since the Unix epoch).
    pub expires_at: u64,
    /// Where the citizen was.
    pub at: DraftPosition,
    /// Whether Next leads back to the review page (the citizen came from "Change").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub return_to_review: bool,
    /// Progress as (step, of steps), to list the draft; `None` on the start page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<(usize, usize)>,
    /// Every answer as the citizen left it, also hidden ones and ones not yet valid.
    pub answers: Answers,
    /// The submission already sent without a receipt: sent again with the same id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<Submission>,
}

/// Where the citizen was, by step id (a step's index can change between versions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftPosition {
    /// The start page.
    Start,
    /// The step with this id.
    Step(String),
    /// The review page.
    Review,
}

/// Why a stored draft cannot be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DraftError {
    /// The stored text is not a draft.
    #[error("the saved draft cannot be read: {0}")]
    Malformed(String),
    /// A draft format this version does not read.
    #[error("the saved draft has format \"{0}\", which this version does not read")]
    UnsupportedFormat(String),
    /// The draft belongs to another form.
    #[error("the saved draft is for the form \"{found}\", not \"{expected}\"")]
    WrongForm {
        /// The form being opened.
        expected: String,
        /// The draft's form.
        found: String,
    },
}

impl DraftError {
    /// The message in `lang`, for the citizen.
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            DraftError::Malformed(e) => format!("det sparade utkastet kan inte läsas: {e}"),
            DraftError::UnsupportedFormat(v) => format!(
                "det sparade utkastet har formatet \"{v}\", som den här versionen inte läser"
            ),
            DraftError::WrongForm { expected, found } => {
                format!("det sparade utkastet gäller formuläret \"{found}\", inte \"{expected}\"")
            }
        }
    }
}

impl Draft {
    /// Reads a stored draft, checking its format version.
    pub fn from_json(text: &str) -> Result<Draft, DraftError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| DraftError::Malformed(e.to_string()))?;
        match value
            .get("blankett_draft")
            .and_then(serde_json::Value::as_str)
        {
            Some(DRAFT_FORMAT) => {}
            Some(other) => return Err(DraftError::UnsupportedFormat(other.to_owned())),
            None => return Err(DraftError::Malformed("no blankett_draft".into())),
        }
        serde_json::from_value(value).map_err(|e| DraftError::Malformed(e.to_string()))
    }

    /// The draft as stored.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Whether the draft has passed its expiry time at `now` (ms since the Unix epoch).
    pub fn is_expired(&self, now: u64) -> bool {
        now >= self.expires_at
    }
}

/// `items` newest first by `changed_at` (equal times keep their order): how the app lists
/// drafts. One sort of indices serves every caller, where sorting each list by its own key
/// would put one more copy of the sort in the browser's build.
pub fn newest_first<T>(items: Vec<T>, changed_at: impl Fn(&T) -> u64) -> Vec<T> {
    let keys: Vec<u64> = items.iter().map(changed_at).collect();
    let order = newest_first_order(&keys);
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|i| slots.get_mut(i).and_then(Option::take))
        .collect()
}

fn newest_first_order(keys: &[u64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|a, b| keys.get(*b).cmp(&keys.get(*a)));
    order
}

/// An answer the form's new version could not take over, as the citizen reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    /// The answer's key in the old version.
    pub key: String,
    /// The question it answered (the old version's label when the old definition is known).
    pub label: Localized,
    /// The answer as the citizen gave it.
    pub value: Localized,
}

/// A session opened from a draft, and the answers it could not keep.
#[derive(Debug, Clone)]
pub struct Restored {
    /// The session, where the citizen left it.
    pub session: FormSession,
    /// Answers from an older version that the form no longer takes, to show before they go.
    pub dropped: Vec<Dropped>,
}

impl FormSession {
    /// The session as a draft with id `draft_id`, made at `created_at`, changed `now` (ms
    /// since the Unix epoch); it expires after the form's `drafts.keep_days`.
    pub fn to_draft(&self, draft_id: &str, created_at: u64, now: u64) -> Draft {
        let def = self.definition();
        let at = match self.position() {
            Position::Start => DraftPosition::Start,
            Position::Step(i) => DraftPosition::Step(def.steps[i].id.to_string()),
            Position::Review | Position::Done => DraftPosition::Review,
        };
        Draft {
            blankett_draft: DRAFT_FORMAT.to_owned(),
            draft_id: draft_id.to_owned(),
            form_id: def.id.to_string(),
            form_version: def.version.clone(),
            title: def.title.clone(),
            created_at,
            changed_at: now,
            expires_at: now.saturating_add(u64::from(def.keep_days()) * DAY_MS),
            at,
            return_to_review: self.returns_to_review(),
            progress: self.progress(),
            answers: self.answers().clone(),
            pending: self.pending_submission().cloned(),
        }
    }

    /// Opens `draft` on the form `def`. Under the version it was made with, everything comes
    /// back as it was. Under another version, an answer is kept only if its field still takes
    /// it and it still passes the field's rules; the rest are listed (with the old version's
    /// labels when `old` is that version's definition).
    pub fn restore(
        def: Arc<Definition>,
        cx: Context,
        draft: &Draft,
        old: Option<&Definition>,
    ) -> Result<Restored, DraftError> {
        if draft.form_id != def.id.as_str() {
            return Err(DraftError::WrongForm {
                expected: def.id.to_string(),
                found: draft.form_id.clone(),
            });
        }
        let same_version = draft.form_version == def.version;
        let old = old.filter(|o| o.id == def.id && o.version == draft.form_version);
        let mut carried = Carry {
            fields: def.fields().map(|(_, f)| (f.id.as_str(), f)).collect(),
            old,
            cx: &cx,
            strict: !same_version,
            kept: Answers::new(),
            dropped: Vec::new(),
        };
        for (key, answer) in draft.answers.iter() {
            carried.answer(key, answer);
        }
        let Carry { kept, dropped, .. } = carried;
        let position = match &draft.at {
            DraftPosition::Start => Position::Start,
            DraftPosition::Review => Position::Review,
            DraftPosition::Step(id) => def
                .steps
                .iter()
                .position(|s| s.id.as_str() == id)
                .map_or(Position::Start, Position::Step),
        };
        let pending = draft.pending.clone().filter(|_| same_version);
        let session = FormSession::resume(
            def,
            cx,
            kept,
            position,
            draft.return_to_review && same_version,
            pending,
        );
        Ok(Restored { session, dropped })
    }
}

/// Carries a draft's answers over to a definition.
struct Carry<'a> {
    /// The definition's form-level fields by id (a draft of a 1,000-field form looks up every
    /// answer's field: a linear search each would cost more than the rest of restoring).
    fields: std::collections::HashMap<&'a str, &'a crate::Field>,
    old: Option<&'a Definition>,
    cx: &'a Context,
    /// Another version: keep only answers that pass their field's rules.
    strict: bool,
    kept: Answers,
    dropped: Vec<Dropped>,
}

impl<'a> Carry<'a> {
    /// The field of the answer `key` (an id, or a row key).
    fn field(&self, key: &str) -> Option<&'a crate::Field> {
        match crate::answers::split_row_key(key) {
            Some((repeat, _, id)) => match &self.fields.get(repeat)?.kind {
                FieldKind::Repeat(r) => r.row_field(id),
                _ => None,
            },
            None => self.fields.get(key).copied(),
        }
    }

    fn answer(&mut self, id: &str, answer: &Answer) {
        let field = self
            .field(id)
            .filter(|f| f.kind.is_question() || is_repeat(&f.kind));
        match (field.map(|f| &f.kind), answer) {
            (Some(FieldKind::Repeat(r)), Answer::Rows(rows)) => {
                let max = r.max_rows.map_or(usize::MAX, |m| m as usize);
                for (i, row) in rows.iter().enumerate() {
                    if i >= max {
                        for (field, a) in row.iter() {
                            self.drop(&row_key(id, i, field), a);
                        }
                        continue;
                    }
                    let new_row = self.kept.add_row(id);
                    for (field, a) in row.iter() {
                        let key = row_key(id, i, field);
                        if self.takes(&key, a) {
                            self.kept.set(row_key(id, new_row, field), a.clone());
                        } else {
                            self.drop(&key, a);
                        }
                    }
                }
            }
            (Some(_), _) if self.takes(id, answer) => self.kept.set(id, answer.clone()),
            (_, Answer::Rows(rows)) => {
                for (i, row) in rows.iter().enumerate() {
                    for (field, a) in row.iter() {
                        self.drop(&row_key(id, i, field), a);
                    }
                }
            }
            _ => self.drop(id, answer),
        }
    }

    /// Whether the definition's field for `key` takes `answer`.
    fn takes(&self, key: &str, answer: &Answer) -> bool {
        let Some(field) = self.field(key).filter(|f| f.kind.is_question()) else {
            return false;
        };
        let shape_fits = match (&field.kind, answer) {
            (FieldKind::Checkboxes(_), Answer::Choices(_)) => true,
            (FieldKind::File(_), Answer::Files(_)) => true,
            (FieldKind::Checkboxes(_) | FieldKind::File(_), _)
            | (_, Answer::Choices(_) | Answer::Rows(_) | Answer::Files(_)) => false,
            _ => true,
        };
        shape_fits && (!self.strict || normalize(field, answer, self.cx).is_ok())
    }

    fn drop(&mut self, key: &str, answer: &Answer) {
        let field = self.old.and_then(|old| old.field(key));
        let label = Localized::from_fn(|lang| match field {
            Some(f) if f.label.is_some() => f.label_in(lang).to_owned(),
            _ => key.to_owned(),
        });
        let value = Localized::from_fn(|lang| match field {
            Some(f) => display_answer(f, Some(answer), lang.into()),
            None => match answer {
                Answer::Text(t) => t.trim().to_owned(),
                Answer::Choices(c) => c.join(", "),
                Answer::Rows(r) => r.len().to_string(),
                Answer::Files(f) => crate::session::file_names(f, lang.into()),
            },
        });
        self.dropped.push(Dropped {
            key: key.to_owned(),
            label,
            value,
        });
    }
}

fn is_repeat(kind: &FieldKind) -> bool {
    matches!(kind, FieldKind::Repeat(_))
}

#[cfg(test)]
mod tests;
