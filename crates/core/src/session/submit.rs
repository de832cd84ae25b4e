//! Sending: the session builds the canonical submission, keeps its id for the same answers,
//! and applies what the receiver answered. The app only carries the bytes.

use super::{Focus, FormSession, Position};
use crate::protocol::{Localized, Receipt, SendOutcome};
use crate::submission::Submission;
use crate::text::LangTag;
use crate::validate::{Context, Issue};

/// What sending the submission has come to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendStatus {
    /// Nothing sent yet, or the receiver's objections are being fixed.
    NotSent,
    /// A request is on its way.
    Sending,
    /// No usable answer (no connection, the receiver down or busy): the same submission can
    /// be sent again, and the answers are kept.
    TryAgain {
        /// The HTTP status, or `None` when no reply arrived.
        status: Option<u16>,
        /// The receiver's message, if it gave one.
        detail: Option<Localized>,
    },
    /// The receiver refused the submission as a whole; the answers are kept.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The receiver's message, if it gave one.
        detail: Option<Localized>,
    },
    /// The receiver has it: the receipt.
    Received(Receipt),
}

impl FormSession {
    /// Submit on the review page: validates every answer and builds the canonical submission
    /// to send, or shows what is wrong on its step and returns where focus goes.
    ///
    /// The same submission as last time (same answers, language and date) keeps its id, so a
    /// receiver that already has it answers with the first receipt; anything else takes
    /// `fresh_id`, a new UUID from the caller (the engine makes no randomness).
    pub fn begin_submit(
        &mut self,
        lang: impl Into<LangTag>,
        fresh_id: &str,
        cx: &Context,
    ) -> Result<Submission, Focus> {
        let lang = lang.into();
        if self.send == SendStatus::Sending || self.position() == Position::Done {
            return Err(Focus::Stay);
        }
        self.set_context(*cx);
        let again = self.pending.as_ref().and_then(|pending| {
            Submission::build(&self.def, &self.answers, lang, &pending.submission_id, cx)
                .ok()
                .filter(|rebuilt| rebuilt == pending)
        });
        let submission = match again {
            Some(same) => same,
            None => Submission::build(&self.def, &self.answers, lang, fresh_id, cx).map_err(
                |issues| {
                    self.send = SendStatus::NotSent;
                    self.show_issues(issues);
                    Focus::ErrorSummary
                },
            )?,
        };
        self.pending = Some(submission.clone());
        self.send = SendStatus::Sending;
        Ok(submission)
    }

    /// Takes over a submission already on its way or delivered (kept on the device beyond a
    /// reload, in an outbox or with a receipt) when these answers build exactly it again:
    /// Submit then sends it under its id, so the receiver answers with its first receipt
    /// instead of opening a second case. Returns the one taken over.
    pub fn adopt_pending<'a>(
        &mut self,
        candidates: impl IntoIterator<Item = &'a Submission>,
        lang: impl Into<LangTag>,
        cx: &Context,
    ) -> Option<&Submission> {
        let lang = lang.into();
        let same = candidates.into_iter().find(|c| {
            c.form_id == self.def.id.as_str()
                && Submission::build(&self.def, &self.answers, lang, &c.submission_id, cx)
                    .is_ok_and(|rebuilt| rebuilt == **c)
        })?;
        self.pending = Some(same.clone());
        self.pending.as_ref()
    }

    /// Applies what sending came to, and returns where focus goes: the receipt's heading, the
    /// first refused answer's step (its summary), or the status that says what went wrong.
    pub fn finish_submit(&mut self, outcome: SendOutcome) -> Focus {
        match outcome {
            SendOutcome::Received(receipt) => {
                self.summary.clear();
                self.send = SendStatus::Received(receipt);
                Focus::Heading
            }
            SendOutcome::Invalid { issues, detail } => {
                let on_form: Vec<Issue> = issues
                    .into_iter()
                    .filter(|i| self.def.field(&i.field).is_some())
                    .collect();
                if on_form.is_empty() {
                    self.send = SendStatus::Refused {
                        status: 422,
                        detail,
                    };
                    return Focus::SendStatus;
                }
                self.send = SendStatus::NotSent;
                self.show_issues(on_form);
                Focus::ErrorSummary
            }
            SendOutcome::Refused { status, detail } => {
                self.send = SendStatus::Refused { status, detail };
                Focus::SendStatus
            }
            SendOutcome::TryAgain { status, detail } => {
                self.send = SendStatus::TryAgain { status, detail };
                Focus::SendStatus
            }
        }
    }

    /// What sending has come to.
    pub fn send_status(&self) -> &SendStatus {
        &self.send
    }

    /// Whether a request is on its way (Submit is not pressed twice).
    pub fn is_sending(&self) -> bool {
        self.send == SendStatus::Sending
    }

    /// The receiver's receipt, once it has the submission.
    pub fn receipt(&self) -> Option<&Receipt> {
        match &self.send {
            SendStatus::Received(receipt) => Some(receipt),
            _ => None,
        }
    }

    /// The submission being sent or last sent, with its id (for a draft or an outbox to keep).
    pub fn pending_submission(&self) -> Option<&Submission> {
        self.pending.as_ref()
    }
}
