//! Sending the submission to the receiver and reading its answer.

use blankett_core::{Answers, Issue, IssueCode, Lang, Text};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;

use super::FormCtx;
use crate::browser::{focus_after_update, random_uuid, resolve_url};
use crate::net::{self, NetError};

/// The state of sending.
#[derive(Debug, Clone, PartialEq)]
pub enum SendState {
    /// Nothing sent yet (or ready to try again).
    Idle,
    /// A request is on its way.
    Sending,
    /// No answer: the network failed. The answers are kept; the citizen can try again.
    Failed,
    /// The receiver refused the submission as a whole, with its message.
    Rejected(Text),
    /// The receiver accepted it.
    Done(Receipt),
}

/// What the receiver answered on success.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Receipt {
    /// The reference number for the citizen.
    pub reference: String,
    /// When it was received (RFC 3339).
    pub received_at: String,
}

/// The receiver's problem document (RFC 9457), with per-field errors on 422.
#[derive(Debug, Deserialize)]
struct Problem {
    #[serde(default)]
    detail: Option<Text>,
    #[serde(default)]
    errors: Vec<FieldError>,
}

#[derive(Debug, Deserialize)]
struct FieldError {
    field: String,
    code: String,
    message: Text,
}

thread_local! {
    /// The submission id and the answers and language it was made for. A retry of the same
    /// answers reuses it (so the receiver can answer a repeat with the first receipt); changed
    /// answers are a different submission and get a new id.
    static SUBMISSION_ID: std::cell::RefCell<Option<(Answers, Lang, String)>> = const { std::cell::RefCell::new(None) };
}

fn submission_id_for(answers: &Answers, lang: Lang) -> String {
    SUBMISSION_ID.with(|cell| {
        let mut cell = cell.borrow_mut();
        match &*cell {
            Some((a, l, id)) if a == answers && *l == lang => id.clone(),
            _ => {
                let id = random_uuid();
                *cell = Some((answers.clone(), lang, id.clone()));
                id
            }
        }
    })
}

/// Validates, builds and sends the submission; updates the session with the outcome.
pub fn submit(ctx: FormCtx) {
    if ctx.send.get_untracked() == SendState::Sending {
        return;
    }
    let cx = ctx.validation();
    let lang = ctx.lang.get_untracked();
    let id = ctx
        .session
        .with_untracked(|s| submission_id_for(s.answers(), lang));
    let built = ctx.session.try_update(|s| s.submission(lang, &id, &cx));
    let Some(Ok(submission)) = built else {
        focus_after_update("error-summary".into());
        return;
    };
    let url = resolve_url(
        &ctx.session
            .with_untracked(|s| s.definition().submit.url.clone()),
    );
    let body = submission.to_canonical_json();
    ctx.send.set(SendState::Sending);
    spawn_local(async move {
        let outcome = net::post_json(&url, &body).await;
        match outcome {
            Ok(reply) if reply.status == 200 || reply.status == 201 => {
                match serde_json::from_str::<Receipt>(&reply.body) {
                    Ok(receipt) => {
                        SUBMISSION_ID.with(|cell| cell.borrow_mut().take());
                        ctx.send.set(SendState::Done(receipt));
                        ctx.session.update(|s| s.mark_done());
                        focus_after_update("step-heading".into());
                    }
                    Err(_) => reject(ctx, None),
                }
            }
            Ok(reply) if reply.status == 422 => {
                let problem = serde_json::from_str::<Problem>(&reply.body).ok();
                let issues: Vec<Issue> = problem
                    .as_ref()
                    .map(|p| {
                        p.errors
                            .iter()
                            .map(|e| Issue {
                                field: e.field.clone(),
                                code: IssueCode::Receiver {
                                    code: e.code.clone(),
                                    message: e.message.clone(),
                                },
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let on_fields = ctx.session.with_untracked(|s| {
                    issues
                        .iter()
                        .any(|i| s.definition().field(&i.field).is_some())
                });
                if on_fields {
                    ctx.send.set(SendState::Idle);
                    ctx.session.update(|s| s.show_issues(issues));
                    focus_after_update("error-summary".into());
                } else {
                    reject(ctx, problem.and_then(|p| p.detail));
                }
            }
            Ok(reply) => {
                let detail = serde_json::from_str::<Problem>(&reply.body)
                    .ok()
                    .and_then(|p| p.detail);
                reject(
                    ctx,
                    detail.or_else(|| Some(Text::Plain(format!("HTTP {}", reply.status)))),
                );
            }
            Err(NetError::Network(_)) | Err(NetError::Status(..)) => {
                ctx.send.set(SendState::Failed);
                focus_after_update("send-status".into());
            }
        }
    });
}

fn reject(ctx: FormCtx, detail: Option<Text>) {
    ctx.send.set(SendState::Rejected(
        detail.unwrap_or_else(|| Text::Plain(String::new())),
    ));
    focus_after_update("send-status".into());
}
