//! A file field: the browser's own file chooser (keyboard and screen-reader friendly as it
//! is, the phone's camera offered when the form asks), the limits in plain words under the
//! label, and the attached files listed with their size and a remove button each. A file's
//! problem (a type not accepted, too large, attached twice, one too many) is told at once, at
//! the field and in the error summary; the file stays listed until the citizen removes it.

use blankett_core::definition::{Field, FieldKind, FileRules};
use blankett_core::files::format_size;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::{Parts, dom_id, error_view, hint_view, label_content};
use crate::attachments;
use crate::form::FormCtx;
use crate::i18n::{Key, t};

/// The file chooser, the limits, the list of attached files and a status region.
#[component]
pub fn FileField(field: Field, key: String) -> impl IntoView {
    let ctx = expect_context::<FormCtx>();
    let lang = ctx.lang;
    let FieldKind::File(rules) = field.kind.clone() else {
        return ().into_any();
    };
    let parts = Parts::new(ctx, &field, &key);
    let dom = dom_id(&key);
    let limits_id = format!("{dom}-limits");
    let status = RwSignal::new(String::new());
    let trigger = ctx.answer_trigger(&key);
    let files = {
        let key = key.clone();
        Memo::new(move |_| {
            trigger.track();
            ctx.read(|s| s.answers().files(&key).to_vec())
        })
    };
    // Files of a draft whose Blobs the browser no longer has (its storage was cleared).
    let lost = RwSignal::new(Vec::<String>::new());
    let kept_rules = rules.clone();
    Effect::new(move |_| {
        // Only files the field takes are kept; the others have their own message.
        let shown: Vec<_> = files
            .get()
            .into_iter()
            .filter(|f| {
                f.size > 0
                    && f.size <= kept_rules.max_file_size
                    && f.file_type().is_some_and(|k| kept_rules.accepts(k))
            })
            .collect();
        spawn_local(async move {
            let gone = attachments::missing(&shown).await;
            lost.set(gone.into_iter().map(|f| f.sha256).collect());
        });
    });
    let described_by = {
        let (hint, err, error, limits) = (
            parts.hint_id.clone(),
            parts.error_id.clone(),
            parts.error,
            limits_id.clone(),
        );
        move || {
            let mut ids: Vec<&str> = hint.iter().map(String::as_str).collect();
            ids.push(&limits);
            if error.get().is_some() {
                ids.push(&err);
            }
            ids.join(" ")
        }
    };
    let limits = {
        let rules = rules.clone();
        move || limits_text(&rules, lang.get())
    };
    let on_change = {
        let (key, rules) = (key.clone(), rules.clone());
        move |e: leptos::ev::Event| {
            let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let chosen: Vec<web_sys::File> = input
                .files()
                .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
                .unwrap_or_default();
            // The same file can be chosen again after it was removed.
            input.set_value("");
            if chosen.is_empty() {
                return;
            }
            let (key, rules) = (key.clone(), rules.clone());
            spawn_local(async move {
                // Reading, downscaling, hashing and keeping the chosen files, for the benchmark.
                crate::browser::measure_start("blankett-attach");
                let lang = lang.get_untracked();
                let mut taken = Vec::new();
                for file in &chosen {
                    status.set(t(lang, Key::FileReading).replace("{name}", &file.name()));
                    match attachments::take(file, &rules).await {
                        Ok(reference) => taken.push(reference),
                        Err(_) => {
                            status
                                .set(t(lang, Key::FileUnreadable).replace("{name}", &file.name()));
                            continue;
                        }
                    }
                }
                if taken.is_empty() {
                    return;
                }
                let said = taken
                    .iter()
                    .map(|f| t(lang, Key::FileAttached).replace("{name}", &f.name))
                    .collect::<Vec<_>>()
                    .join(" ");
                ctx.attach_files(&key, taken);
                crate::browser::measure_end("blankett-attach");
                status.set(said);
            });
        }
    };
    let list = {
        let key = key.clone();
        move || {
            let shown = files.get();
            (!shown.is_empty()).then(|| {
                let items = shown
                    .into_iter()
                    .enumerate()
                    .map(|(index, file)| {
                        let key = key.clone();
                        let name = file.name.clone();
                        let remove = move |_| {
                            let lang = lang.get_untracked();
                            ctx.remove_file(&key, index);
                            status.set(t(lang, Key::FileRemovedAnnounce).replace("{name}", &name));
                        };
                        let size = move || {
                            let l = lang.get();
                            format!("({})", format_size(file.size, l.is("sv") || l.is("fi")))
                        };
                        let label = {
                            let name = file.name.clone();
                            move || t(lang.get(), Key::FileRemoveNamed).replace("{name}", &name)
                        };
                        let gone = {
                            let (sha, name) = (file.sha256.clone(), file.name.clone());
                            move || {
                                lost.with(|l| l.contains(&sha)).then(|| {
                                    let text = t(lang.get(), Key::FileLost).replace("{name}", &name);
                                    view! { <span class="file-list__lost">" "{text}</span> }
                                })
                            }
                        };
                        view! {
                            <li class="file-list__item">
                                <bdi class="file-list__name">{file.name.clone()}</bdi>
                                " "
                                <span class="file-list__size" dir="ltr">{size}</span>
                                {gone}
                                <button type="button" class="button button--secondary file-list__remove"
                                    aria-label=label on:click=remove>
                                    {move || t(lang.get(), Key::FileRemove)}
                                </button>
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <ul class="file-list" aria-label=move || t(lang.get(), Key::FileListLabel)>{items}</ul>
                }
            })
        }
    };
    let accept = rules.accept_attribute();
    let multiple = rules.max_files > 1;
    let capture = rules.capture.map(|c| c.as_str());
    let none_yet = Memo::new(move |_| files.with(Vec::is_empty));
    view! {
        <div class=parts.wrapper_class("field field--file")>
            <label for=dom.clone()>{label_content(ctx, &field, &key)}</label>
            {hint_view(ctx, &field, &parts)}
            <p class="hint" id=limits_id>{limits}</p>
            {error_view(ctx, &parts)}
            <input
                type="file"
                id=dom.clone()
                name=key.clone()
                accept=accept
                multiple=multiple
                capture=capture
                required=move || parts.required.get() && none_yet.get()
                disabled=move || parts.read_only.get()
                aria-describedby=described_by
                aria-invalid=parts.invalid()
                on:change=on_change
            />
            {list}
            <p class="visually-hidden" role="status">{move || status.get()}</p>
        </div>
    }
    .into_any()
}

/// The field's limits in plain words: the types, the size per file, and (for more than one
/// file) how many and how much in all.
fn limits_text(rules: &FileRules, lang: blankett_core::LangTag) -> String {
    let comma = lang.is("sv") || lang.is("fi");
    let types = blankett_core::files::type_labels(&rules.types());
    let mut text = t(lang, Key::FileHintTypes).replace("{types}", &types);
    text.push(' ');
    text.push_str(
        &t(lang, Key::FileHintSize).replace("{size}", &format_size(rules.max_file_size, comma)),
    );
    if rules.max_files > 1 {
        text.push(' ');
        text.push_str(
            &t(lang, Key::FileHintCount)
                .replace("{n}", &rules.max_files.to_string())
                .replace("{size}", &format_size(rules.max_total_size, comma)),
        );
    }
    text
}
