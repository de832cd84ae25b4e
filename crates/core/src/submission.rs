//! The submission: what the browser sends and the receiver checks again.
//!
//! Its JSON is canonical (keys in a fixed order, answers sorted by field id, values in their
//! normalized form), so the same answers always give the same bytes: a later signature can
//! cover them, and a resend is byte-for-byte identical.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::answers::{Answer, Answers, row_key};
use crate::definition::{Definition, FieldKind};
use crate::json::{DuplicateKey, duplicate_keys};
use crate::logic::{FormState, normalized_json};
use crate::normalize::{is_multiline, is_typed};
use crate::text::{Lang, LangTag};
use crate::validate::{Context, Issue, IssueCode, check_form, clean_text, normalize};

/// The submission format version this crate writes and reads.
pub const SUBMISSION_FORMAT: &str = "1";

/// A finished form as sent to a receiver (format version 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// Format version marker; always `"1"`.
    pub blankett_submission: String,
    /// A UUID the browser made when the citizen pressed Submit; stays the same on every resend.
    pub submission_id: String,
    /// The form's id.
    pub form_id: String,
    /// The definition version the citizen filled in.
    pub form_version: String,
    /// The language the citizen used (`sv`, `en`).
    pub language: String,
    /// The answers of every question answered, keyed by field id, in canonical form.
    pub answers: BTreeMap<String, serde_json::Value>,
}

/// Why a submission cannot be accepted as a whole (answer problems are [`Issue`]s).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SubmissionError {
    /// `blankett_submission` names a version this crate does not read.
    #[error("unsupported submission format \"{0}\": this receiver reads \"1\"")]
    UnsupportedFormat(String),
    /// The submission is for another form than the definition given.
    #[error("the submission is for form \"{found}\", not \"{expected}\"")]
    WrongForm {
        /// The definition's id.
        expected: String,
        /// The submission's form id.
        found: String,
    },
    /// The form was filled in against another version of the definition.
    #[error(
        "the submission was made with version \"{found}\" of the form; the current version is \"{expected}\""
    )]
    VersionMismatch {
        /// The definition's version.
        expected: String,
        /// The submission's version.
        found: String,
    },
    /// `submission_id` is not a UUID.
    #[error("submission_id \"{0}\" is not a UUID")]
    InvalidSubmissionId(String),
    /// `language` is not a language this runtime speaks.
    #[error("language \"{0}\" is not one the form offers, nor \"sv\" or \"en\"")]
    UnsupportedLanguage(String),
    /// One or more answers break the form's rules.
    #[error("{} answer(s) break the form's rules", .0.len())]
    Invalid(Vec<Issue>),
}

impl SubmissionError {
    /// A stable machine-readable name for the error.
    pub fn code(&self) -> &'static str {
        match self {
            SubmissionError::UnsupportedFormat(_) => "unsupported_format",
            SubmissionError::WrongForm { .. } => "wrong_form",
            SubmissionError::VersionMismatch { .. } => "version_mismatch",
            SubmissionError::InvalidSubmissionId(_) => "invalid_submission_id",
            SubmissionError::UnsupportedLanguage(_) => "unsupported_language",
            SubmissionError::Invalid(_) => "invalid_answers",
        }
    }

    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            SubmissionError::UnsupportedFormat(v) => {
                format!("inlämningsformatet \"{v}\" stöds inte: mottagaren läser \"1\"")
            }
            SubmissionError::WrongForm { expected, found } => {
                format!("inlämningen gäller formuläret \"{found}\", inte \"{expected}\"")
            }
            SubmissionError::VersionMismatch { expected, found } => format!(
                "inlämningen gjordes med version \"{found}\" av formuläret; den aktuella versionen är \"{expected}\""
            ),
            SubmissionError::InvalidSubmissionId(id) => {
                format!("submission_id \"{id}\" är inget UUID")
            }
            SubmissionError::UnsupportedLanguage(l) => {
                format!("språket \"{l}\" finns inte i formuläret och är inte \"sv\" eller \"en\"")
            }
            SubmissionError::Invalid(issues) => {
                format!("{} svar följer inte formulärets regler", issues.len())
            }
        }
    }
}

/// Why bytes cannot be read as a submission (before any answer is checked).
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// Not JSON, or JSON that is not a submission; serde_json's error.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// A key written twice in one object (the first such key).
    #[error(transparent)]
    DuplicateKey(DuplicateKey),
}

impl Submission {
    /// Reads a submission from its JSON bytes, as the receiver does: a key written twice in
    /// one object is refused with its path (parsers disagree on which value counts), before
    /// serde_json, which would keep the last, reads it.
    pub fn from_json(bytes: &[u8]) -> Result<Submission, ParseError> {
        // Not UTF-8 is serde_json's to refuse, with its position.
        let text = std::str::from_utf8(bytes).unwrap_or_default();
        if let Some(duplicate) = duplicate_keys(text).into_iter().next() {
            return Err(ParseError::DuplicateKey(duplicate));
        }
        Ok(serde_json::from_slice(bytes)?)
    }

    /// Validates every answer and builds the submission; the issues when any answer is wrong.
    pub fn build(
        def: &Definition,
        answers: &Answers,
        lang: impl Into<LangTag>,
        submission_id: &str,
        cx: &Context,
    ) -> Result<Submission, Vec<Issue>> {
        let lang = submission_language(def, lang.into());
        let state = FormState::evaluate(def, answers, cx);
        let issues = check_form(def, &state, answers, cx);
        if !issues.is_empty() {
            return Err(issues);
        }
        // Shown questions' answers and computed values; a hidden field's answer stays in the
        // draft but is never sent.
        let mut out: BTreeMap<String, serde_json::Value> = state.computed_values().clone();
        // Validation passed, so normalizing cannot fail; keep the error path anyway.
        let value_of =
            |field: &crate::Field, key: &str| -> Result<Option<serde_json::Value>, Vec<Issue>> {
                let Some(answer) = answers.get(key).filter(|a| !a.is_empty()) else {
                    return Ok(None);
                };
                normalize(field, answer, cx)
                    .map(|n| Some(normalized_json(n)))
                    .map_err(|code| {
                        vec![Issue {
                            field: key.to_owned(),
                            code,
                        }]
                    })
            };
        for (_, field) in def.fields() {
            let id = field.id.as_str();
            if !state.is_visible(id) {
                continue;
            }
            match &field.kind {
                FieldKind::Repeat(r) => {
                    let count = answers.row_count(id);
                    if count == 0 {
                        continue;
                    }
                    let mut rows = Vec::with_capacity(count);
                    for row in 0..count {
                        let mut values = serde_json::Map::new();
                        for inner in r.row_fields().filter(|f| f.kind.is_question()) {
                            let key = row_key(id, row, inner.id.as_str());
                            if !state.is_visible(&key) {
                                continue;
                            }
                            if let Some(v) = value_of(inner, &key)? {
                                values.insert(inner.id.0.clone(), v);
                            }
                        }
                        rows.push(serde_json::Value::Object(values));
                    }
                    out.insert(id.to_owned(), serde_json::Value::Array(rows));
                }
                kind if kind.is_question() => {
                    if let Some(v) = value_of(field, id)? {
                        out.insert(id.to_owned(), v);
                    }
                }
                _ => {}
            }
        }
        Ok(Submission {
            blankett_submission: SUBMISSION_FORMAT.to_owned(),
            submission_id: submission_id.to_owned(),
            form_id: def.id.0.clone(),
            form_version: def.version.clone(),
            language: lang,
            answers: out,
        })
    }

    /// Every file the submission names, with the key of its answer (`situationsplan`, or
    /// `bilagor[1].intyg` in a row of a repeating group), in answer-key order and then in the
    /// order attached. Read from the answers as sent: call it after [`Submission::check`].
    pub fn files(&self, def: &Definition) -> Vec<(String, crate::files::FileRef)> {
        let refs = |value: &serde_json::Value| {
            serde_json::from_value::<Vec<crate::files::FileRef>>(value.clone()).unwrap_or_default()
        };
        let mut out = Vec::new();
        for (id, value) in &self.answers {
            match def.field(id).map(|f| &f.kind) {
                Some(FieldKind::File(_)) => {
                    out.extend(refs(value).into_iter().map(|f| (id.clone(), f)));
                }
                Some(FieldKind::Repeat(r)) => {
                    for (row, item) in value.as_array().into_iter().flatten().enumerate() {
                        for (inner, v) in item.as_object().into_iter().flatten() {
                            if let Some(FieldKind::File(_)) = r.row_field(inner).map(|f| &f.kind) {
                                let key = row_key(id, row, inner);
                                out.extend(refs(v).into_iter().map(|f| (key.clone(), f)));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The canonical JSON bytes of the submission.
    pub fn to_canonical_json(&self) -> String {
        // Field order is fixed by the struct and answers are a BTreeMap: deterministic.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Checks a received submission against its definition: envelope first, then every answer.
    pub fn check(&self, def: &Definition, cx: &Context) -> Result<Answers, SubmissionError> {
        if self.blankett_submission != SUBMISSION_FORMAT {
            return Err(SubmissionError::UnsupportedFormat(
                self.blankett_submission.clone(),
            ));
        }
        if self.form_id != def.id.as_str() {
            return Err(SubmissionError::WrongForm {
                expected: def.id.0.clone(),
                found: self.form_id.clone(),
            });
        }
        if self.form_version != def.version {
            return Err(SubmissionError::VersionMismatch {
                expected: def.version.clone(),
                found: self.form_version.clone(),
            });
        }
        if !is_uuid(&self.submission_id) {
            return Err(SubmissionError::InvalidSubmissionId(
                self.submission_id.clone(),
            ));
        }
        let offered = def.languages.iter().any(|l| l.code() == self.language);
        let builtin = Lang::from_code(&self.language).is_some_and(|l| l.code() == self.language);
        if !offered && !builtin {
            return Err(SubmissionError::UnsupportedLanguage(self.language.clone()));
        }
        let (answers, mut issues) = answers_from_json(def, &self.answers);
        let state = FormState::evaluate(def, &answers, cx);
        // Hidden fields must carry no answer; computed values must be what the rules compute.
        for (id, answer) in answers.iter() {
            let hidden = |key: &str| {
                (!state.is_visible(key)).then(|| Issue {
                    field: key.to_owned(),
                    code: IssueCode::HiddenField,
                })
            };
            match answer {
                Answer::Rows(rows) if state.is_visible(id) => {
                    for (row, values) in rows.iter().enumerate() {
                        issues.extend(
                            values
                                .iter()
                                .filter_map(|(inner, _)| hidden(&row_key(id, row, inner))),
                        );
                    }
                }
                _ => issues.extend(hidden(id)),
            }
        }
        for (_, field) in def
            .fields()
            .filter(|(_, f)| matches!(f.kind, FieldKind::Computed(_)))
        {
            let id = field.id.as_str();
            if self.answers.get(id) != state.computed(id) {
                issues.push(Issue {
                    field: id.to_owned(),
                    code: IssueCode::ComputedMismatch,
                });
            }
        }
        let flagged: Vec<String> = issues.iter().map(|i| i.field.clone()).collect();
        issues.extend(
            check_form(def, &state, &answers, cx)
                .into_iter()
                .filter(|i| !flagged.contains(&i.field)),
        );
        if issues.is_empty() {
            Ok(answers)
        } else {
            Err(SubmissionError::Invalid(issues))
        }
    }
}

/// Turns submitted JSON values back into answers; shape problems become issues.
fn answers_from_json(
    def: &Definition,
    values: &BTreeMap<String, serde_json::Value>,
) -> (Answers, Vec<Issue>) {
    let mut answers = Answers::new();
    let mut issues = Vec::new();
    for (id, value) in values {
        let issue = |code| Issue {
            field: id.clone(),
            code,
        };
        let Some(field) = def.field(id).filter(|f| f.kind.has_value()) else {
            issues.push(issue(IssueCode::UnknownField));
            continue;
        };
        if matches!(field.kind, FieldKind::Computed(_)) {
            // Checked against the recomputed value in `check`; not an answer.
            continue;
        }
        if let FieldKind::Repeat(r) = &field.kind {
            match rows_from_json(id, r, value) {
                Ok((rows, row_issues)) => {
                    answers.set(id.clone(), Answer::Rows(rows));
                    issues.extend(row_issues);
                }
                Err(code) => issues.push(issue(code)),
            }
            continue;
        }
        let answer = answer_from_json(field, value);
        match answer {
            Some(a) => {
                if !is_normal(field, &a) {
                    issues.push(issue(IssueCode::NotNormalized));
                }
                answers.set(id.clone(), a);
            }
            None => issues.push(issue(IssueCode::WrongShape)),
        }
    }
    (answers, issues)
}

/// A repeating group's submitted rows (an array of objects keyed by field id) as answers.
fn rows_from_json(
    id: &str,
    repeat: &crate::definition::RepeatContent,
    value: &serde_json::Value,
) -> Result<(Vec<Answers>, Vec<Issue>), IssueCode> {
    let items = value.as_array().ok_or(IssueCode::WrongShape)?;
    let mut rows = Vec::with_capacity(items.len());
    let mut issues = Vec::new();
    for (row, item) in items.iter().enumerate() {
        let object = item.as_object().ok_or(IssueCode::WrongShape)?;
        let mut answers = Answers::new();
        for (inner_id, v) in object {
            let key = row_key(id, row, inner_id);
            let Some(inner) = repeat.row_field(inner_id).filter(|f| f.kind.is_question()) else {
                issues.push(Issue {
                    field: key,
                    code: IssueCode::UnknownField,
                });
                continue;
            };
            match answer_from_json(inner, v) {
                Some(a) => {
                    if !is_normal(inner, &a) {
                        issues.push(Issue {
                            field: key,
                            code: IssueCode::NotNormalized,
                        });
                    }
                    answers.set(inner_id.clone(), a);
                }
                None => issues.push(Issue {
                    field: key,
                    code: IssueCode::WrongShape,
                }),
            }
        }
        rows.push(answers);
    }
    Ok((rows, issues))
}

/// Whether a submitted answer is in the engine's normal form: typed text as
/// [`clean_text`] leaves it. A compliant browser never sends anything else.
fn is_normal(field: &crate::Field, answer: &Answer) -> bool {
    match answer {
        Answer::Text(s) if is_typed(&field.kind) => {
            matches!(clean_text(s, is_multiline(&field.kind)), Cow::Borrowed(_))
        }
        _ => true,
    }
}

/// A JSON value in the submitted shape as the answer a citizen would have given, if it has
/// that shape (yes/no as a boolean, numbers as numbers, checkboxes as an array of strings).
pub(crate) fn answer_from_json(field: &crate::Field, value: &serde_json::Value) -> Option<Answer> {
    use serde_json::Value;
    match (&field.kind, value) {
        (FieldKind::Checkboxes(_), Value::Array(items)) => {
            let strings: Option<Vec<String>> = items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect();
            strings.map(Answer::Choices)
        }
        // An array of file references; nothing else, and no key a reference does not have.
        (FieldKind::File(_), Value::Array(_)) => {
            serde_json::from_value::<Vec<crate::files::FileRef>>(value.clone())
                .ok()
                .map(Answer::Files)
        }
        (FieldKind::YesNo, Value::Bool(b)) => {
            Some(Answer::Text(if *b { "yes" } else { "no" }.to_owned()))
        }
        (FieldKind::Number(_) | FieldKind::Integer(_), Value::Number(n)) => {
            // JSON writes large and tiny floats with an exponent (`1e+16`), which
            // `parse_number` refuses; Rust's `Display` for `f64` never uses one.
            Some(Answer::Text(match n.as_f64() {
                Some(x) if n.is_f64() => crate::num::display(x),
                _ => n.to_string(),
            }))
        }
        (
            FieldKind::Checkboxes(_)
            | FieldKind::File(_)
            | FieldKind::YesNo
            | FieldKind::Number(_)
            | FieldKind::Integer(_),
            _,
        ) => None,
        (_, Value::String(s)) => Some(Answer::Text(s.clone())),
        _ => None,
    }
}

/// Whether `s` is a UUID in its canonical hyphenated form (any version, either case).
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// The `language` a submission made on a page in `lang` records: `lang` when the definition
/// offers it, else the language the page fell back to (Swedish, or English).
fn submission_language(def: &Definition, lang: LangTag) -> String {
    if def.languages.contains(&lang) {
        lang.code().to_owned()
    } else {
        lang.messages().code().to_owned()
    }
}

#[cfg(test)]
mod tests;
