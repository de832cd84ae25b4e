//! The form's context: the session, held privately, and one method per citizen action.
//!
//! Views read the session through [`FormCtx::read`] and act through the intent methods, each
//! one call to the session that also moves focus where the session says. Nothing here
//! decides a rule.

use std::collections::HashMap;

use blankett_core::{
    Change, Context, Focus, FormSession, LangTag, PrefillOrigin, SendOutcome, Submission,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::field::control_id;
use crate::host::Host;
use crate::{browser, outbox, storage};

/// What a form component needs: the session and the interface language.
#[derive(Debug, Clone, Copy)]
pub struct FormCtx {
    /// The citizen's progress and answers; changed only through the intent methods.
    session: RwSignal<FormSession>,
    /// The interface language.
    pub lang: RwSignal<LangTag>,
    /// One trigger per answer key, for the views of that answer alone: typing in a field
    /// that nothing else reads redraws that field, not every field on the step.
    answer_triggers: StoredValue<HashMap<String, ArcTrigger>>,
    /// Notified by every change the citizen makes that a draft keeps (answers, position,
    /// rows, sending), for autosave.
    edits: Trigger,
    /// The prefill values applied so far, applied again to a session restored from a draft
    /// (a trusted value still locks its field).
    prefills: StoredValue<Vec<(PrefillOrigin, serde_json::Value)>>,
    /// Where the views are: focus is looked for there.
    pub host: Host,
    /// Where submissions go (absolute).
    submit_url: StoredValue<String>,
}

impl FormCtx {
    /// A context for `session`, in the interface language `lang`, with views in `host`,
    /// sending to `submit_url`.
    pub fn new(
        session: FormSession,
        lang: RwSignal<LangTag>,
        host: Host,
        submit_url: String,
    ) -> FormCtx {
        FormCtx {
            session: RwSignal::new(session),
            lang,
            answer_triggers: StoredValue::new(HashMap::new()),
            edits: Trigger::new(),
            prefills: StoredValue::new(Vec::new()),
            host,
            submit_url: StoredValue::new(submit_url),
        }
    }

    /// The trigger every change a draft keeps notifies.
    pub fn edits(&self) -> Trigger {
        self.edits
    }

    /// Puts a session restored from a draft in place of this one, with the prefill values
    /// applied again, and moves focus to its page's heading.
    pub fn replace(&self, mut session: FormSession) {
        self.prefills.with_value(|prefills| {
            for (origin, values) in prefills {
                session.apply_prefill(*origin, values);
            }
        });
        let focus = if session.position() == blankett_core::Position::Start {
            Focus::Main
        } else {
            Focus::Heading
        };
        self.session.set(session);
        self.move_focus(&focus);
    }

    /// Reads the session, tracking it: the calling view runs again when the session changes.
    pub fn read<T>(&self, f: impl FnOnce(&FormSession) -> T) -> T {
        self.session.with(f)
    }

    /// Reads the session without tracking it (in handlers and one-off setup).
    pub fn read_untracked<T>(&self, f: impl FnOnce(&FormSession) -> T) -> T {
        self.session.with_untracked(f)
    }

    /// The trigger of `key`'s answer, for a view of that answer to track besides the session:
    /// [`FormCtx::type_text`] wakes it when that answer changes alone. Taken once per view.
    pub fn answer_trigger(&self, key: &str) -> ArcTrigger {
        self.answer_triggers
            .try_update_value(|triggers| triggers.entry(key.to_owned()).or_default().clone())
            .unwrap_or_default()
    }

    /// Runs an action that changes what a draft keeps, and moves focus where it says.
    fn act(&self, action: impl FnOnce(&mut FormSession, &Context) -> Focus) {
        self.check(action);
        self.edits.notify();
    }

    /// Runs an action that changes only what is shown, and moves focus where it says.
    fn check(&self, action: impl FnOnce(&mut FormSession, &Context) -> Focus) {
        let cx = self.validation();
        if let Some(focus) = self.session.try_update(|s| action(s, &cx)) {
            self.move_focus(&focus);
        }
    }

    /// Prefills from the link, the embedding page's configuration, then (later) the endpoint,
    /// and opens the first step at once when asked.
    pub fn prefill(&self, origin: PrefillOrigin, values: &serde_json::Value) {
        self.prefills
            .update_value(|p| p.push((origin, values.clone())));
        self.session.update(|s| {
            s.apply_prefill(origin, values);
        });
    }

    /// Start on the start page.
    pub fn start(&self) {
        self.act(|s, _| s.start());
    }

    /// Opens the first step without moving focus (the page around the form introduces it).
    pub fn start_quietly(&self) {
        self.session.update(|s| {
            s.start();
        });
    }

    /// The citizen typed. Only the views of that answer are redrawn, unless a condition, rule
    /// or computed value reads it.
    pub fn type_text(&self, key: &str, text: String) {
        match self
            .session
            .try_update_untracked(|s| s.type_text(key, text))
        {
            Some(Change::Form) => self.session.notify(),
            Some(Change::Answer) => {
                let trigger = self
                    .answer_triggers
                    .with_value(|triggers| triggers.get(key).cloned());
                if let Some(trigger) = trigger {
                    trigger.notify();
                }
            }
            Some(Change::Nothing) | None => return,
        }
        self.edits.notify();
    }

    /// The citizen left a field (or a group of options). With a pointer press under way (the
    /// field lost focus to a tap or click on a button), the message's change waits for the
    /// click, so the button does not move away under the press.
    pub fn leave(&self, key: &str) {
        let ctx = *self;
        let key = key.to_owned();
        browser::after_press(move || {
            ctx.check(|s, cx| {
                s.leave(&key, cx);
                Focus::Stay
            });
        });
    }

    /// The citizen chose an option.
    pub fn choose(&self, key: &str, value: &str) {
        self.act(|s, cx| {
            s.choose(key, value, cx);
            Focus::Stay
        });
    }

    /// The citizen ticked or unticked a checkbox.
    pub fn toggle(&self, key: &str, value: &str, on: bool) {
        self.act(|s, cx| {
            s.toggle(key, value, on, cx);
            Focus::Stay
        });
    }

    /// Next on a step.
    pub fn next(&self) {
        self.act(|s, cx| s.next(cx));
    }

    /// Back on a step or the review page.
    pub fn back(&self) {
        self.act(|s, _| s.back());
    }

    /// "Change" on the review page.
    pub fn change(&self, key: &str) {
        self.act(|s, _| s.change(key));
    }

    /// The citizen chose files for a file field (already read and kept on the device).
    pub fn attach_files(&self, key: &str, files: Vec<blankett_core::FileRef>) {
        self.act(|s, cx| {
            s.attach_files(key, files, cx);
            Focus::Stay
        });
    }

    /// The citizen removed an attached file; focus goes to the field's file chooser.
    pub fn remove_file(&self, key: &str, index: usize) {
        self.act(|s, cx| s.remove_file(key, index, cx));
    }

    /// Add a row to a repeating group.
    pub fn add_row(&self, repeat: &str) {
        self.act(|s, _| s.add_row(repeat));
    }

    /// Remove a row of a repeating group. Focus goes to where the session says before the row
    /// (and the button that has focus) goes, when that is on the page already.
    pub fn remove_row(&self, repeat: &str, row: usize) {
        let ahead = self.read_untracked(|s| s.remove_row_focus(repeat));
        if let Some(id) = focus_target(&ahead) {
            self.host.focus_now(&id);
        }
        self.act(|s, _| s.remove_row(repeat, row));
    }

    /// Submit on the review page: the session builds the submission (or shows what is wrong),
    /// the outbox keeps it on the device and sends it signed, and the session reads the reply.
    pub fn submit(&self) {
        if self.read_untracked(|s| s.is_sending()) {
            return;
        }
        let ctx = *self;
        let background = use_context::<outbox::Outbox>();
        spawn_local(async move {
            // A submission of these very answers already on the device (sent before a reload
            // that lost the answer): the same one goes, or its receipt is shown.
            if ctx.take_over_from_device().await {
                return;
            }
            // The page's work from here to the submission on disk, for the benchmark.
            browser::measure_start("blankett-enqueue");
            let lang = ctx.lang.get_untracked();
            let cx = ctx.validation();
            let fresh_id = browser::random_uuid();
            let previous =
                ctx.read_untracked(|s| s.pending_submission().map(|p| p.submission_id.clone()));
            let begun = ctx
                .session
                .try_update(|s| s.begin_submit(lang, &fresh_id, &cx));
            let submission: Submission = match begun {
                Some(Ok(submission)) => {
                    // The draft keeps the submission and its id before it leaves the device.
                    ctx.edits.notify();
                    submission
                }
                Some(Err(focus)) => return ctx.move_focus(&focus),
                None => return,
            };
            let url = ctx.submit_url.get_value();
            let (title, files) = ctx.read_untracked(|s| {
                let files = submission.files(s.definition());
                (s.definition().title.clone(), files)
            });
            let files = files.into_iter().map(|(_, f)| f).collect();
            let mut item = outbox::Item::new(&submission, url, title, files);
            // Changed answers are another submission: the earlier one must not go too.
            if let Some(previous) = previous.filter(|p| *p != item.submission_id) {
                let _ = storage::delete(storage::Store::Outbox, &previous).await;
            }
            // On the device before the first byte is sent; not yet due for the background
            // sending, which takes over only if this attempt gets no answer.
            item.next_at = browser::now_ms() + 5_000;
            let _ = outbox::enqueue(&item).await;
            browser::measure_end("blankett-enqueue");
            let (outcome, _) = outbox::send(&item).await;
            ctx.finish(outcome);
            // Count what still waits, and plan its next try.
            if let Some(o) = background {
                o.drain();
            }
        });
    }

    /// Looks on the device for a submission these answers build exactly: one delivered
    /// already (its receipt is shown; returns `true`) or one waiting in the outbox (the session
    /// takes it over, so Submit sends it under its id).
    pub async fn take_over_from_device(&self) -> bool {
        let form_id = self.read_untracked(|s| s.definition().id.to_string());
        let (waiting, received) = outbox::on_device(&form_id).await;
        let lang = self.lang.get_untracked();
        let cx = self.validation();
        let delivered = self
            .session
            .try_update(|s| {
                s.adopt_pending(received.iter().map(|(sub, _)| sub), lang, &cx)
                    .map(|sub| sub.submission_id.clone())
            })
            .flatten();
        if let Some(id) = delivered
            && let Some((_, receipt)) = received
                .into_iter()
                .find(|(sub, _)| sub.submission_id == id)
        {
            self.finish(SendOutcome::Received(receipt));
            return true;
        }
        self.session.update(|s| {
            s.adopt_pending(&waiting, lang, &cx);
        });
        false
    }

    /// Applies what sending came to (here, or delivered in the background).
    pub fn finish(&self, outcome: SendOutcome) {
        if let Some(focus) = self.session.try_update(|s| s.finish_submit(outcome)) {
            self.edits.notify();
            self.move_focus(&focus);
        }
    }
}

impl FormCtx {
    /// Validation context: today's date from the browser.
    pub fn validation(&self) -> Context {
        Context {
            today: browser::today(),
        }
    }
}

/// The element a [`Focus`] names, by id.
fn focus_target(focus: &Focus) -> Option<String> {
    match focus {
        Focus::Stay => None,
        Focus::Main => Some("main".into()),
        Focus::Heading => Some("step-heading".into()),
        Focus::ErrorSummary => Some("error-summary".into()),
        Focus::SendStatus => Some("send-status".into()),
        Focus::Control(control) => Some(control_id(control)),
    }
}

impl FormCtx {
    /// Moves focus where the session said, once the views show the change.
    fn move_focus(&self, focus: &Focus) {
        if let Some(id) = focus_target(focus) {
            self.host.focus_after_update(id);
        }
    }
}
