//! The form's draft on this device: saved as the citizen goes, offered again when the form is
//! opened, and deleted once the receiver has the submission.
//!
//! What a draft keeps and how it comes back (also under a newer version of the form) is
//! core's ([`blankett_core::Draft`]); this module decides when to save (300 ms after the last
//! change, at least every 2 s while the citizen keeps typing, and at once when the page is
//! hidden or left), and shows what saving came to.

use std::sync::Arc;
use std::time::Duration;

use blankett_core::{Definition, Draft, Dropped, FormSession, LangTag, Position};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::FormCtx;
use crate::browser;
use crate::i18n::{Key, t};
use crate::storage::{self, StorageError, StoredDraft};
use crate::tabs;

/// How long after the last change a draft is saved.
const QUIET: Duration = Duration::from_millis(300);
/// The longest a change waits to be saved while the citizen keeps typing.
const MAX_WAIT_MS: f64 = 2_000.0;

/// What saving the draft has come to.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveState {
    /// Nothing to save yet: the citizen has changed nothing.
    Idle,
    /// The form's definition says drafts are not kept.
    Off,
    /// The last change is on disk, saved at this time (ms since the Unix epoch).
    Saved(u64),
    /// The device's storage failed.
    Failed(StorageError),
    /// Another tab has this draft open; this one does not save over it.
    OtherTab,
}

/// The draft this form is saved as.
#[derive(Debug, Clone)]
struct Slot {
    id: String,
    created_at: u64,
    /// Whether this tab holds the draft's lock (see [`tabs::hold`]).
    held: bool,
}

/// A draft of this form found on the device, offered to continue.
#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    /// The most recently changed one.
    pub latest: Draft,
    /// How many drafts of this form there are.
    pub count: usize,
}

/// The draft state of one form, shared by its components.
#[derive(Debug, Clone, Copy)]
pub struct Drafts {
    ctx: FormCtx,
    /// What saving has come to, shown by [`SaveStatus`].
    pub state: RwSignal<SaveState>,
    /// A draft of this form to continue, shown by [`ResumeOffer`].
    pub offer: RwSignal<Option<Offer>>,
    /// Answers a newer version of the form did not keep, shown by [`DroppedNotice`].
    pub dropped: RwSignal<Vec<Dropped>>,
    /// Why a saved draft could not be opened.
    pub unreadable: RwSignal<Option<String>>,
    slot: StoredValue<Option<Slot>>,
    timer: StoredValue<Option<TimeoutHandle>>,
    /// When the oldest unsaved change was made (ms), while one waits.
    waiting_since: StoredValue<Option<f64>>,
    /// Where the citizen was at the last save: moving to another page saves at once.
    saved_at_position: StoredValue<Option<Position>>,
    definition: StoredValue<Arc<Definition>>,
    /// The definition's text, kept with the first save so a later version can name what it drops.
    definition_text: StoredValue<Arc<str>>,
    /// The address the definition came from, to open the form again from the drafts page.
    source: StoredValue<String>,
    /// A draft to open at once (from the drafts page).
    wanted: StoredValue<Option<String>>,
    /// What deleting an offered draft came to.
    notice: RwSignal<Option<String>>,
}

impl Drafts {
    /// Starts the drafts of the form in `ctx`: looks for drafts to continue (or opens the one
    /// `wanted` names), saves on every change, and deletes the draft on the receipt.
    pub fn start(
        ctx: FormCtx,
        def: Arc<Definition>,
        text: Arc<str>,
        source: String,
        wanted: Option<String>,
    ) -> Drafts {
        let keeps = def.keeps_drafts();
        let drafts = Drafts {
            ctx,
            state: RwSignal::new(if keeps {
                SaveState::Idle
            } else {
                SaveState::Off
            }),
            offer: RwSignal::new(None),
            dropped: RwSignal::new(Vec::new()),
            unreadable: RwSignal::new(None),
            slot: StoredValue::new(None),
            timer: StoredValue::new(None),
            waiting_since: StoredValue::new(None),
            saved_at_position: StoredValue::new(None),
            definition: StoredValue::new(def),
            definition_text: StoredValue::new(text),
            source: StoredValue::new(source),
            wanted: StoredValue::new(wanted),
            notice: RwSignal::new(None),
        };
        provide_context(drafts);
        if !keeps {
            return drafts;
        }
        spawn_local(drafts.look_for_drafts());
        // Every change the citizen makes schedules a save; the first one also withdraws the
        // offer to continue (this is a new draft now, and the old one stays on the drafts page).
        let edits = ctx.edits();
        Effect::new(move |first: Option<()>| {
            edits.track();
            if first.is_some() {
                drafts.offer.set(None);
                drafts.schedule();
            }
        });
        let hidden = window_event_listener(leptos::ev::visibilitychange, move |_| {
            if browser::page_hidden() {
                drafts.flush();
            }
        });
        let left = window_event_listener(leptos::ev::pagehide, move |_| drafts.flush());
        on_cleanup(move || {
            hidden.remove();
            left.remove();
        });
        // The receiver has it: the draft has done its job.
        Effect::new(move |_| {
            if ctx.read(|s| s.receipt().is_some()) {
                drafts.forget();
            }
        });
        drafts
    }

    /// Finds this form's drafts, deletes expired ones (of any form), and opens the one the
    /// address names or offers the latest.
    async fn look_for_drafts(self) {
        let stored = match storage::drafts().await {
            Ok(stored) => stored,
            Err(e) => return self.state.set(SaveState::Failed(e)),
        };
        let now = browser::now_ms();
        let form_id = self.definition.with_value(|d| d.id.to_string());
        let mut mine: Vec<Draft> = Vec::new();
        for record in stored {
            match Draft::from_json(&record.draft) {
                Ok(d) if d.is_expired(now) => {
                    let _ = storage::delete_draft(&d.draft_id).await;
                }
                Ok(d) if d.form_id == form_id => mine.push(d),
                Ok(_) => {}
                // One this form cannot open is said here; others only on their own form.
                Err(e) if record.draft.contains(&format!("\"form_id\":\"{form_id}\"")) => {
                    self.unreadable
                        .set(Some(e.message(self.ctx.lang.get_untracked().messages())));
                }
                Err(_) => {}
            }
        }
        let mine = blankett_core::draft::newest_first(mine, |d| d.changed_at);
        let wanted = self.wanted.get_value();
        if let Some(d) = wanted.and_then(|id| mine.iter().find(|d| d.draft_id == id).cloned()) {
            return self.restore(d).await;
        }
        if let Some(latest) = mine.first().cloned() {
            self.offer.set(Some(Offer {
                latest,
                count: mine.len(),
            }));
        }
    }

    /// Continues the draft offered.
    pub fn continue_offered(self) {
        if let Some(offer) = self.offer.get_untracked() {
            self.offer.set(None);
            spawn_local(self.restore(offer.latest));
        }
    }

    /// Deletes the draft offered (where there is no drafts page to delete it from: embedded, or
    /// in a frame), says so, and offers the next one of this form if there is one.
    pub fn delete_offered(self) {
        let Some(offer) = self.offer.get_untracked() else {
            return;
        };
        self.offer.set(None);
        spawn_local(async move {
            let l = self.ctx.lang.get_untracked();
            self.notice.set(Some(
                match storage::delete_draft(&offer.latest.draft_id).await {
                    Ok(()) => t(l, Key::OfferedDeleted).to_owned(),
                    Err(e) => t(l, Key::DeleteFailed)
                        .replace("{reason}", &crate::my_drafts::storage_reason(&e, l)),
                },
            ));
            self.ctx.host.focus_after_update("main".into());
            self.look_for_drafts().await;
        });
    }

    /// Declines the offer: the form starts empty, and the draft stays on the drafts page.
    pub fn decline(self) {
        self.offer.set(None);
        self.ctx.host.focus_after_update("main".into());
    }

    /// Opens `draft` in this form, with the definition it was made with when that differs.
    async fn restore(self, draft: Draft) {
        let def = self.definition.get_value();
        let old = if draft.form_version == def.version {
            None
        } else {
            storage::definition(&definition_key(&draft.form_id, &draft.form_version))
                .await
                .and_then(|text| blankett_core::load(&text).definition)
        };
        browser::measure_start("blankett-restore");
        let restored = FormSession::restore(def, self.ctx.validation(), &draft, old.as_ref());
        let restored = match restored {
            Ok(r) => r,
            Err(e) => {
                return self
                    .unreadable
                    .set(Some(e.message(self.ctx.lang.get_untracked().messages())));
            }
        };
        let held = tabs::hold(&lock_name(&draft.draft_id)).await;
        self.slot.set_value(Some(Slot {
            id: draft.draft_id.clone(),
            created_at: draft.created_at,
            held,
        }));
        self.dropped.set(restored.dropped);
        self.state.set(if held {
            SaveState::Saved(draft.changed_at)
        } else {
            SaveState::OtherTab
        });
        self.ctx.replace(restored.session);
        browser::measure_end("blankett-restore");
        // Sent before the reload? Its receipt, or the submission waiting to go.
        let _ = self.ctx.take_over_from_device().await;
    }

    /// Schedules a save after the citizen's last change (or at once when a change has
    /// waited too long, or the citizen moved to another page).
    fn schedule(self) {
        if let Some(t) = self.timer.try_update_value(Option::take).flatten() {
            t.clear();
        }
        let now = js_sys::Date::now();
        let since = self
            .waiting_since
            .try_update_value(|w| *w.get_or_insert(now))
            .unwrap_or(now);
        let position = Some(self.ctx.read_untracked(|s| s.position()));
        let moved = self
            .saved_at_position
            .try_update_value(|p| std::mem::replace(p, position) != position)
            .unwrap_or(false);
        if moved || now - since >= MAX_WAIT_MS {
            return self.flush();
        }
        let timer = set_timeout_with_handle(move || self.flush(), QUIET).ok();
        self.timer.set_value(timer);
    }

    /// Saves now if a change waits.
    pub fn flush(self) {
        if let Some(t) = self.timer.try_update_value(Option::take).flatten() {
            t.clear();
        }
        if self
            .waiting_since
            .try_update_value(Option::take)
            .flatten()
            .is_some()
        {
            spawn_local(self.save());
        }
    }

    /// Writes the draft; the status says "saved" only once it is on disk.
    async fn save(self) {
        if matches!(
            self.state.get_untracked(),
            SaveState::Off | SaveState::OtherTab
        ) || self.ctx.read_untracked(|s| s.receipt().is_some())
        {
            return;
        }
        let slot = match self.slot.get_value() {
            Some(slot) => slot,
            None => {
                let slot = Slot {
                    id: browser::random_uuid(),
                    created_at: browser::now_ms(),
                    held: false,
                };
                self.slot.set_value(Some(slot.clone()));
                let held = tabs::hold(&lock_name(&slot.id)).await;
                self.slot.update_value(|s| {
                    if let Some(s) = s {
                        s.held = held;
                    }
                });
                // The first save: keep the definition this draft is made with, and ask the
                // browser to keep the site's storage under pressure.
                let def = self.definition.get_value();
                let text = self.definition_text.get_value();
                let _ =
                    storage::put_definition(&definition_key(def.id.as_str(), &def.version), &text)
                        .await;
                let _ = storage::ask_persistent().await;
                slot
            }
        };
        // The page's own work of a save, measured for the benchmark: the draft made, written
        // as text and handed to IndexedDB; committing it is the browser's disk work.
        browser::measure_start("blankett-autosave");
        let now = browser::now_ms();
        let draft = self
            .ctx
            .read_untracked(|s| s.to_draft(&slot.id, slot.created_at, now));
        let stored = StoredDraft {
            draft: draft.to_json(),
            source: self.source.get_value(),
        };
        let pending = storage::put_draft(&slot.id, &stored).await;
        browser::measure_end("blankett-autosave");
        let written = match pending {
            Ok(pending) => pending.committed().await,
            Err(e) => Err(e),
        };
        if written.is_ok() {
            let (id, version) = self
                .definition
                .with_value(|d| (d.id.to_string(), d.version.to_string()));
            self.ctx.host.emit(
                "draft-saved",
                &serde_json::json!({ "form": { "id": id, "version": version }, "saved_at": now }),
            );
        }
        self.state.set(match written {
            Ok(()) => SaveState::Saved(now),
            Err(e) => SaveState::Failed(e),
        });
    }

    /// Deletes this form's draft (the receiver has the submission).
    fn forget(self) {
        if let Some(t) = self.timer.try_update_value(Option::take).flatten() {
            t.clear();
        }
        self.waiting_since.set_value(None);
        if let Some(slot) = self.slot.try_update_value(Option::take).flatten() {
            spawn_local(async move {
                let _ = storage::delete_draft(&slot.id).await;
            });
        }
    }
}

/// The key a definition's text is kept under.
fn definition_key(form_id: &str, version: &str) -> String {
    format!("{form_id}@{version}")
}

/// The lock a tab holds while it has a draft open.
fn lock_name(draft_id: &str) -> String {
    format!("blankett-draft-{draft_id}")
}

/// The offer to continue a draft of this form, first in the form's reading order.
#[component]
pub fn ResumeOffer() -> impl IntoView {
    let drafts = expect_context::<Drafts>();
    let lang = drafts.ctx.lang;
    // Without the app's drafts page (embedded, or in a frame), the offer itself deletes.
    let here = !drafts.ctx.host.standalone();
    let notice = move || {
        view! {
            <div role="status">
                {move || drafts.notice.get().map(|n| view! { <p class="notice">{n}</p> })}
            </div>
        }
    };
    let offer = move || {
        let offer = drafts.offer.get()?;
        let l = lang.get();
        let date = browser::human_time_ms(offer.latest.changed_at, l);
        let text = if offer.count > 1 {
            t(l, Key::ResumeMany)
                .replace("{n}", &offer.count.to_string())
                .replace("{date}", &date)
        } else {
            t(l, Key::ResumeText).replace("{date}", &date)
        };
        Some(view! {
            <section class="resume" aria-labelledby=drafts.ctx.host.region_label("resume-title")>
                <h2 id="resume-title">{t(l, Key::ResumeTitle)}</h2>
                <p>{text}</p>
                <div class="actions">
                    <button type="button" class="button button--primary" on:click=move |_| drafts.continue_offered()>
                        {t(l, Key::Continue)}
                    </button>
                    <button type="button" class="button button--secondary" aria-describedby="resume-hint" on:click=move |_| drafts.decline()>
                        {t(l, Key::StartOver)}
                    </button>
                    {here.then(|| view! {
                        <button type="button" class="button button--secondary" on:click=move |_| drafts.delete_offered()>
                            {t(l, Key::DeleteOffered)}
                        </button>
                    })}
                </div>
                <p class="hint" id="resume-hint">
                    {if here { t(l, Key::StartOverHintHere) } else { t(l, Key::StartOverHint) }}
                    // The drafts page is the app's own page, not a host's.
                    {(!here).then(|| view! {
                        " "<a href="?drafts=1">{t(l, Key::AllDrafts)}</a>
                    })}
                </p>
            </section>
        })
    };
    view! { {notice} {offer} }
}

/// The answers a newer version of the form did not keep, listed until the citizen has seen
/// them.
#[component]
pub fn DroppedNotice() -> impl IntoView {
    let drafts = expect_context::<Drafts>();
    let lang = drafts.ctx.lang;
    let dismiss = move |_| {
        drafts.dropped.set(Vec::new());
        drafts.ctx.host.focus_after_update("main".into());
    };
    move || {
        let dropped = drafts.dropped.get();
        let l = lang.get();
        (!dropped.is_empty()).then(|| {
            view! {
                <section class="notice notice--warning version-notice" aria-labelledby=drafts.ctx.host.region_label("version-title")>
                    <h2 id="version-title">{t(l, Key::VersionChangedTitle)}</h2>
                    <p>{t(l, Key::VersionChangedText)}</p>
                    <dl>
                        {dropped.into_iter().map(|d| view! {
                            <dt>{d.label.get(l.messages()).to_owned()}</dt>
                            <dd>{d.value.get(l.messages()).to_owned()}</dd>
                        }).collect_view()}
                    </dl>
                    <button type="button" class="button button--secondary" on:click=dismiss>
                        {t(l, Key::VersionChangedOk)}
                    </button>
                </section>
            }
        })
    }
}

/// What saving came to: said politely (once a minute at most while the citizen types, as
/// the time shown changes), or plainly when the device cannot keep the answers.
#[component]
pub fn SaveStatus() -> impl IntoView {
    let drafts = expect_context::<Drafts>();
    let lang = drafts.ctx.lang;
    let message = Memo::new(move |_| -> Option<(String, &'static str)> {
        let l = lang.get();
        let problem = |text: String| Some((text, "notice notice--error"));
        match drafts.state.get() {
            SaveState::Idle => None,
            SaveState::Saved(at) => Some((
                t(l, Key::Saved).replace("{time}", &browser::clock_time_ms(at, l)),
                "saved",
            )),
            SaveState::Off => Some((t(l, Key::DraftsOff).to_owned(), "notice")),
            SaveState::OtherTab => problem(t(l, Key::OtherTab).to_owned()),
            SaveState::Failed(StorageError::Full) => problem(t(l, Key::SaveFull).to_owned()),
            SaveState::Failed(StorageError::Unavailable(_)) => {
                problem(t(l, Key::SaveUnavailable).to_owned())
            }
            SaveState::Failed(StorageError::Failed(reason)) => {
                problem(t(l, Key::SaveFailed).replace("{reason}", &reason))
            }
        }
    });
    let unreadable = move || {
        drafts.unreadable.get().map(|reason| {
            let text = t(lang.get(), Key::DraftUnreadable).replace("{reason}", &reason);
            view! { <p class="notice notice--error">{text}</p> }
        })
    };
    view! {
        <div
            class="save-status"
            id="save-status"
            role="status"
            aria-live="polite"
            data-saved-at=move || match drafts.state.get() {
                SaveState::Saved(at) => Some(at.to_string()),
                _ => None,
            }
        >
            {unreadable}
            // The text changes only when saving says something new (the time shown is to
            // the minute), so a screen reader hears it once per burst of saves.
            {move || message.get().map(|(text, class)| view! { <p class=class>{text}</p> })}
        </div>
    }
}

/// What the privacy notice says about this device: how long drafts are kept, or that none is.
pub fn privacy_text(def: &Definition, lang: LangTag, standalone: bool) -> String {
    if def.keeps_drafts() {
        // Without the app's drafts page, the form itself offers deleting.
        let key = if standalone {
            Key::PrivacyOnDeviceText
        } else {
            Key::PrivacyOnDeviceTextHere
        };
        t(lang, key).replace("{days}", &def.keep_days().to_string())
    } else {
        t(lang, Key::PrivacyOnDeviceOff).to_owned()
    }
}
