//! "Mina påbörjade ärenden": the drafts on this device, to continue or delete each, and the
//! button that deletes everything this app keeps on the device.

use blankett_core::{Draft, LangTag};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser;
use crate::i18n::{Key, UiLang, t};
use crate::storage::{self, StorageError};

/// One draft on the device, with the address of its definition.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    draft: Draft,
    source: String,
}

/// Every readable, unexpired draft, latest first; expired ones are deleted on the way.
async fn entries() -> Result<Vec<Entry>, StorageError> {
    let now = browser::now_ms();
    let mut out = Vec::new();
    for record in storage::drafts().await? {
        let Ok(draft) = Draft::from_json(&record.draft) else {
            continue;
        };
        if draft.is_expired(now) {
            let _ = storage::delete_draft(&draft.draft_id).await;
            continue;
        }
        out.push(Entry {
            draft,
            source: record.source,
        });
    }
    Ok(blankett_core::draft::newest_first(out, |e| {
        e.draft.changed_at
    }))
}

/// The page's address that opens `entry` again: `?form=<id>` for a form this site serves,
/// else `?src=<definition address>`, with the draft and the language.
fn open_link(entry: &Entry, lang: LangTag) -> String {
    let id = entry.draft.form_id.as_str();
    let bundled = browser::resolve_url(&format!("forms/{id}.json"));
    let form = if entry.source == bundled || entry.source.is_empty() {
        format!("form={id}")
    } else {
        format!(
            "src={}",
            String::from(js_sys::encode_uri_component(&entry.source))
        )
    };
    format!(
        "?{form}&draft={}&lang={}",
        String::from(js_sys::encode_uri_component(&entry.draft.draft_id)),
        lang.code()
    )
}

/// The drafts page.
#[component]
pub fn MyDrafts() -> impl IntoView {
    let UiLang(lang) = expect_context::<UiLang>();
    let host = expect_context::<crate::host::Host>();
    let reload = RwSignal::new(0u32);
    let list = LocalResource::new(move || {
        reload.track();
        entries()
    });
    let status = RwSignal::new(None::<String>);
    let confirm_all = RwSignal::new(false);
    let delete_all = move |_| {
        spawn_local(async move {
            let l = lang.get_untracked();
            let done = storage::clear_all().await;
            browser::forget_local();
            crate::offline::forget_cached_data().await;
            confirm_all.set(false);
            status.set(Some(match done {
                Ok(()) => t(l, Key::AllDeleted).to_owned(),
                Err(e) => t(l, Key::DeleteFailed).replace("{reason}", &storage_reason(&e, l)),
            }));
            reload.update(|n| *n += 1);
            host.focus_after_update("drafts-status".into());
        });
    };
    view! {
        <h1>{move || t(lang.get(), Key::DraftsTitle)}</h1>
        <p>{move || t(lang.get(), Key::DraftsIntro)}</p>
        <div id="drafts-status" role="status" tabindex="-1">
            {move || status.get().map(|s| view! { <p class="notice">{s}</p> })}
        </div>
        {move || match list.get() {
            None => view! { <p role="status">{t(lang.get(), Key::Loading)}</p> }.into_any(),
            Some(Err(e)) => view! {
                <p class="notice notice--error">{t(lang.get(), Key::SaveUnavailable)}</p>
                <p class="technical">{storage_reason(&e, lang.get())}</p>
            }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! { <p>{t(lang.get(), Key::DraftsNone)}</p> }.into_any(),
            Some(Ok(list)) => view! {
                <ul class="drafts">
                    {list.into_iter().map(|entry| view! { <DraftItem entry status reload/> }).collect_view()}
                </ul>
            }.into_any(),
        }}
        <section class="delete-all" aria-labelledby="delete-all-title">
            <h2 id="delete-all-title">{move || t(lang.get(), Key::DeleteAllData)}</h2>
            {move || if confirm_all.get() {
                view! {
                    <p>{t(lang.get(), Key::ConfirmDeleteAll)}</p>
                    <div class="actions">
                        <button type="button" id="delete-all-yes" class="button button--danger" on:click=delete_all>
                            {t(lang.get(), Key::ConfirmDeleteAllYes)}
                        </button>
                        <button type="button" class="button button--secondary" on:click=move |_| {
                            confirm_all.set(false);
                            host.focus_after_update("delete-all".into());
                        }>{t(lang.get(), Key::Cancel)}</button>
                    </div>
                }.into_any()
            } else {
                view! {
                    <button type="button" id="delete-all" class="button button--secondary" on:click=move |_| {
                        confirm_all.set(true);
                        host.focus_after_update("delete-all-yes".into());
                    }>{t(lang.get(), Key::DeleteAllData)}</button>
                }.into_any()
            }}
        </section>
        <p><a href="./">{move || t(lang.get(), Key::BackToCatalogue)}</a></p>
    }
}

/// One draft: what it is, how far it got, and Continue / Delete (asked twice).
#[component]
fn DraftItem(
    entry: Entry,
    status: RwSignal<Option<String>>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let UiLang(lang) = expect_context::<UiLang>();
    let host = expect_context::<crate::host::Host>();
    let confirm = RwSignal::new(false);
    let id = entry.draft.draft_id.clone();
    let dom = format!(
        "draft-{}",
        id.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
    );
    let (delete_id, yes_id) = (format!("{dom}-delete"), format!("{dom}-yes"));
    let title = entry.draft.title.clone();
    let delete = {
        let (id, title) = (id.clone(), title.clone());
        move |_| {
            let (id, title) = (id.clone(), title.clone());
            spawn_local(async move {
                let l = lang.get_untracked();
                let name = title.get(l).to_owned();
                status.set(Some(match storage::delete_draft(&id).await {
                    Ok(()) => t(l, Key::DraftDeleted).replace("{form}", &name),
                    Err(e) => t(l, Key::DeleteFailed).replace("{reason}", &storage_reason(&e, l)),
                }));
                reload.update(|n| *n += 1);
                host.focus_after_update("drafts-status".into());
            });
        }
    };
    move || {
        let l = lang.get();
        let name = title.get(l).to_owned();
        let progress = entry.draft.progress.map_or_else(
            || t(l, Key::Start).to_owned(),
            |(n, total)| {
                t(l, Key::StepOf)
                    .replace("{n}", &n.to_string())
                    .replace("{total}", &total.to_string())
            },
        );
        let actions = if confirm.get() {
            view! {
                <p>{t(l, Key::ConfirmDeleteDraft).replace("{form}", &name)}</p>
                <div class="actions">
                    <button type="button" id=yes_id.clone() class="button button--danger" on:click=delete.clone()>
                        {t(l, Key::ConfirmYes)}
                    </button>
                    <button type="button" class="button button--secondary" on:click={
                        let delete_id = delete_id.clone();
                        move |_| {
                            confirm.set(false);
                            host.focus_after_update(delete_id.clone());
                        }
                    }>{t(l, Key::Cancel)}</button>
                </div>
            }
            .into_any()
        } else {
            view! {
                <div class="actions">
                    <a class="button button--primary" href=open_link(&entry, l)>
                        {t(l, Key::Continue)}<span class="visually-hidden">" "{name.clone()}</span>
                    </a>
                    <button type="button" id=delete_id.clone() class="button button--secondary" on:click={
                        let yes_id = yes_id.clone();
                        move |_| {
                            confirm.set(true);
                            host.focus_after_update(yes_id.clone());
                        }
                    }>
                        {t(l, Key::DeleteDraft)}<span class="visually-hidden">" "{name.clone()}</span>
                    </button>
                </div>
            }
            .into_any()
        };
        view! {
            <li class="draft">
                <h2>{name.clone()}</h2>
                <dl>
                    <dt>{t(l, Key::DraftChanged)}</dt>
                    <dd>{browser::human_time_ms(entry.draft.changed_at, l)}</dd>
                    <dt>{t(l, Key::DraftProgress)}</dt>
                    <dd>{progress}</dd>
                    <dt>{t(l, Key::DraftExpires)}</dt>
                    <dd>{browser::human_time_ms(entry.draft.expires_at, l)}</dd>
                </dl>
                {actions}
            </li>
        }
    }
}

/// What went wrong with the device's storage, in words.
pub fn storage_reason(e: &StorageError, lang: LangTag) -> String {
    match e {
        StorageError::Full => t(lang, Key::SaveFull).to_owned(),
        StorageError::Unavailable(reason) | StorageError::Failed(reason) => reason.clone(),
    }
}
