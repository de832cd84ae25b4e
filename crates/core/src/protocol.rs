//! The submit protocol: what a receiver answers to a submission, as one set of types that the
//! reference receiver writes and the app reads.
//!
//! A receiver answers `201 Created` (or `200 OK` for a repeat of a submission it already has)
//! with a [`Receipt`], and refuses with an RFC 9457 problem document ([`Problem`]), whose
//! `errors` name the answers it refuses on `422`. [`SendOutcome::from_reply`] reads any reply,
//! from our receiver or another backend, into what the citizen's form does next; replies that
//! are not what the contract says are read as leniently as is safe.

use serde::{Deserialize, Deserializer, Serialize};

use crate::issue::{Issue, IssueCode};
use crate::text::{Lang, Text};

/// A text in Swedish and English, as receivers write `detail` and error messages.
///
/// Read leniently: a plain string (as RFC 9457 has `detail`) is the same text in both
/// languages, and a map with only one of the two uses it for both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Localized {
    /// Swedish.
    pub sv: String,
    /// English.
    pub en: String,
}

impl Localized {
    /// A text from its Swedish and English versions.
    pub fn new(sv: impl Into<String>, en: impl Into<String>) -> Localized {
        Localized {
            sv: sv.into(),
            en: en.into(),
        }
    }

    /// A text made by calling `f` for each language.
    pub fn from_fn(f: impl Fn(Lang) -> String) -> Localized {
        Localized {
            sv: f(Lang::Sv),
            en: f(Lang::En),
        }
    }

    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Sv => &self.sv,
            Lang::En => &self.en,
        }
    }

    /// Whether there is nothing to show in either language.
    pub fn is_blank(&self) -> bool {
        self.sv.trim().is_empty() && self.en.trim().is_empty()
    }
}

impl From<Localized> for Text {
    fn from(l: Localized) -> Text {
        Text::Localized([("sv".to_owned(), l.sv), ("en".to_owned(), l.en)].into())
    }
}

impl<'de> Deserialize<'de> for Localized {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Localized, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Plain(String),
            Map {
                #[serde(default)]
                sv: Option<String>,
                #[serde(default)]
                en: Option<String>,
            },
        }
        Ok(match Raw::deserialize(d)? {
            Raw::Plain(s) => Localized::new(s.clone(), s),
            Raw::Map { sv, en } => {
                let sv_or_en = sv.clone().or_else(|| en.clone()).unwrap_or_default();
                Localized::new(sv_or_en, en.or(sv).unwrap_or_default())
            }
        })
    }
}

/// What a receiver answers when it has the submission: `201`, or `200` for a repeat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The reference number the citizen keeps (`B-2026-000042`).
    pub reference: String,
    /// The submission's id, as sent.
    pub submission_id: String,
    /// When the receiver stored it (RFC 3339).
    pub received_at: String,
}

/// One problem with one answer, in a problem document's `errors`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The answer's key (`namn`, or `syskon[1].syskon_namn` in a row).
    pub field: String,
    /// The machine-readable code (`required`, `personnummer_checksum`, …).
    #[serde(default)]
    pub code: String,
    /// The message to show at the field.
    pub message: Localized,
}

/// An RFC 9457 problem document; `type` is `/problems/<code>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The problem type, `/problems/<code>` (`about:blank` when a receiver gives none).
    #[serde(rename = "type", default = "about_blank")]
    pub type_: String,
    /// A short English summary of the problem type.
    #[serde(default)]
    pub title: String,
    /// The HTTP status.
    #[serde(default)]
    pub status: u16,
    /// The machine-readable code (extension member; also the last segment of `type`).
    #[serde(default)]
    pub code: String,
    /// What happened and what to do, for the citizen.
    #[serde(default, deserialize_with = "lenient_detail")]
    pub detail: Option<Localized>,
    /// Problems with single answers (empty unless some answer is wrong).
    #[serde(default)]
    pub errors: Vec<FieldError>,
    /// Where in the request body the problem is, as the definition loader writes paths
    /// (`answers.namn`); only on refusals of one place in the body (`duplicate_key`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

fn about_blank() -> String {
    "about:blank".to_owned()
}

/// A `detail` that is not text (a number, an object of another shape) is no detail.
fn lenient_detail<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Localized>, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    Ok(serde_json::from_value::<Localized>(value)
        .ok()
        .filter(|l| !l.is_blank()))
}

impl Problem {
    /// A problem without field errors; `type` is made from `code`.
    pub fn new(status: u16, code: &str, title: &str, detail: Localized) -> Problem {
        Problem {
            type_: format!("/problems/{code}"),
            title: title.to_owned(),
            status,
            code: code.to_owned(),
            detail: Some(detail),
            errors: Vec::new(),
            path: None,
        }
    }

    /// The field errors as issues the session shows at their fields.
    pub fn issues(&self) -> Vec<Issue> {
        self.errors
            .iter()
            .map(|e| Issue {
                field: e.field.clone(),
                code: IssueCode::Receiver {
                    code: e.code.clone(),
                    message: e.message.clone().into(),
                },
            })
            .collect()
    }
}

/// What sending a submission came to, read from the receiver's reply (or its absence).
#[derive(Debug, Clone, PartialEq)]
pub enum SendOutcome {
    /// The receiver has the submission (`201`, or `200` for a repeat it already had).
    Received(Receipt),
    /// The receiver refuses answers (`422` with `errors`): they are shown at their fields.
    Invalid {
        /// The refused answers.
        issues: Vec<Issue>,
        /// The problem's own message, for when none of the answers is on the form.
        detail: Option<Localized>,
    },
    /// The receiver refuses the submission as a whole; sending it again unchanged will not
    /// help (an unknown form, a changed form version, an id used for other answers).
    Refused {
        /// The HTTP status.
        status: u16,
        /// The receiver's message, if it gave one.
        detail: Option<Localized>,
    },
    /// No answer to act on: no connection, the receiver is down or busy (`5xx`, `408`, `429`),
    /// or said "received" without a receipt. The same submission can be sent again: a
    /// receiver that already has it answers with the first receipt.
    TryAgain {
        /// The HTTP status, or `None` when no reply arrived at all.
        status: Option<u16>,
        /// The receiver's message, if it gave one.
        detail: Option<Localized>,
    },
}

impl SendOutcome {
    /// No reply arrived: the connection failed, was refused, blocked or cut off.
    pub const NO_REPLY: SendOutcome = SendOutcome::TryAgain {
        status: None,
        detail: None,
    };

    /// Reads a receiver's reply: its HTTP status and body.
    pub fn from_reply(status: u16, body: &str) -> SendOutcome {
        let problem = || serde_json::from_str::<Problem>(body).ok();
        match status {
            200..=299 => match serde_json::from_str::<Receipt>(body) {
                Ok(receipt) if !receipt.reference.trim().is_empty() => {
                    SendOutcome::Received(receipt)
                }
                // Received, by its status, but no reference to show: asking again with the same
                // submission gets the receipt from a receiver that keeps its promise.
                _ => SendOutcome::TryAgain {
                    status: Some(status),
                    detail: None,
                },
            },
            422 => match problem() {
                Some(p) if !p.errors.is_empty() => SendOutcome::Invalid {
                    issues: p.issues(),
                    detail: p.detail,
                },
                p => SendOutcome::Refused {
                    status,
                    detail: p.and_then(|p| p.detail),
                },
            },
            408 | 425 | 429 | 500..=599 => SendOutcome::TryAgain {
                status: Some(status),
                detail: problem().and_then(|p| p.detail),
            },
            _ => SendOutcome::Refused {
                status,
                detail: problem().and_then(|p| p.detail),
            },
        }
    }
}

#[cfg(test)]
mod tests;
