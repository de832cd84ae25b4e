//! Filling in one form: loading its definition, then start page, steps, review and receipt.

mod field;
mod markdown;
mod pages;
mod submit;

use std::collections::HashMap;
use std::sync::Arc;

use blankett_core::{
    Answer, Change, Context, Definition, Diagnostic, FormSession, Lang, Position, PrefillOrigin,
    Text,
};
use leptos::prelude::*;

use crate::app::UiLang;
use crate::browser;
use crate::i18n::{Key, t};
use crate::net::{self, NetError};

pub use submit::SendState;

/// What a form component needs: the session and the interface language.
#[derive(Debug, Clone, Copy)]
pub struct FormCtx {
    /// The citizen's progress and answers.
    pub session: RwSignal<FormSession>,
    /// The interface language.
    pub lang: RwSignal<Lang>,
    /// The state of sending the submission.
    pub send: RwSignal<SendState>,
    /// One trigger per answer key, for the views of that answer alone: typing in a field
    /// that nothing else reads redraws that field, not every field on the step.
    answer_triggers: StoredValue<HashMap<String, ArcTrigger>>,
}

impl FormCtx {
    /// A context for `session`, in the interface language `lang`.
    fn new(session: FormSession, lang: RwSignal<Lang>) -> FormCtx {
        FormCtx {
            session: RwSignal::new(session),
            lang,
            send: RwSignal::new(SendState::Idle),
            answer_triggers: StoredValue::new(HashMap::new()),
        }
    }

    /// The trigger of `key`'s answer, for a view of that answer to track besides the session:
    /// [`FormCtx::type_answer`] wakes it when that answer changes alone. Taken once per view.
    pub fn answer_trigger(&self, key: &str) -> ArcTrigger {
        self.answer_triggers
            .try_update_value(|triggers| triggers.entry(key.to_owned()).or_default().clone())
            .unwrap_or_default()
    }

    /// Records what the citizen typed. Only the views of that answer are redrawn, unless a
    /// condition, rule or computed value reads it.
    pub fn type_answer(&self, key: &str, answer: Answer) {
        match self
            .session
            .try_update_untracked(|s| s.set_answer(key, answer))
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
            Some(Change::Nothing) | None => {}
        }
    }

    /// Validation context: today's date from the browser.
    pub fn validation(&self) -> Context {
        Context {
            today: browser::today(),
        }
    }
}

/// Why a form could not be shown.
#[derive(Debug, Clone)]
enum LoadFailure {
    Network(NetError),
    Broken(Vec<Diagnostic>),
}

/// Fetches every code list the definition names and puts it in place. A list that cannot be
/// fetched comes from the copy kept from an earlier visit; a broken list is a broken form.
async fn resolve_option_lists(def: &mut Definition) -> Result<(), LoadFailure> {
    for url in def.option_urls() {
        let absolute = browser::resolve_url(&url);
        let text = match net::get_text(&absolute).await {
            Ok(text) => {
                browser::store_local(&format!("blankett:list:{absolute}"), &text);
                text
            }
            Err(e) => browser::load_local(&format!("blankett:list:{absolute}"))
                .ok_or(LoadFailure::Network(e))?,
        };
        let list: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            LoadFailure::Broken(vec![Diagnostic {
                path: url.clone(),
                severity: blankett_core::Severity::Error,
                problem: blankett_core::definition::Problem::Syntax {
                    message: e.to_string(),
                    line: e.line(),
                    column: e.column(),
                },
            }])
        })?;
        def.resolve_options(&url, &list).map_err(|diagnostics| {
            LoadFailure::Broken(
                diagnostics
                    .into_iter()
                    .map(|mut d| {
                        d.path = format!(
                            "{url}{}{}",
                            if d.path.starts_with('[') { "" } else { " " },
                            d.path
                        );
                        d
                    })
                    .collect(),
            )
        })?;
    }
    Ok(())
}

/// Fetches a definition from `url` and shows the form, or says exactly why it cannot.
#[component]
pub fn FormLoader(url: String) -> impl IntoView {
    let UiLang(lang) = expect_context::<UiLang>();
    let url = browser::resolve_url(&url);
    let loaded = LocalResource::new(move || {
        let url = url.clone();
        async move {
            let text = net::get_preloaded(&url)
                .await
                .map_err(LoadFailure::Network)?;
            let loaded = blankett_core::load(&text);
            match loaded.definition {
                Some(mut def) => {
                    resolve_option_lists(&mut def).await?;
                    Ok(Arc::new(def))
                }
                None => Err(LoadFailure::Broken(loaded.diagnostics)),
            }
        }
    });
    move || {
        match loaded.get() {
        None => view! { <p role="status">{move || t(lang.get(), Key::Loading)}</p> }.into_any(),
        Some(Ok(def)) => view! { <FormView def/> }.into_any(),
        Some(Err(LoadFailure::Network(error))) => view! {
            <h1>{move || t(lang.get(), Key::FormBroken)}</h1>
            <p class="notice notice--error" role="alert">{move || t(lang.get(), Key::FormLoadFailed)}</p>
            <p class="technical">{match error {
                NetError::Status(status, _) => format!("HTTP {status}"),
                NetError::Network(message) => message,
            }}</p>
            <p><a href="./">{move || t(lang.get(), Key::BackToCatalogue)}</a></p>
        }
        .into_any(),
        Some(Err(LoadFailure::Broken(diagnostics))) => view! { <BrokenForm diagnostics/> }.into_any(),
    }
    }
}

/// The error page for a definition that does not load: every problem, with its path.
#[component]
fn BrokenForm(diagnostics: Vec<Diagnostic>) -> impl IntoView {
    let UiLang(lang) = expect_context::<UiLang>();
    view! {
        <h1>{move || t(lang.get(), Key::FormBroken)}</h1>
        <p>{move || t(lang.get(), Key::FormBrokenIntro)}</p>
        <ul class="diagnostics">
            {move || {
                let l = lang.get();
                diagnostics.iter().map(|d| view! { <li><code>{d.line(l)}</code></li> }).collect_view()
            }}
        </ul>
        <p><a href="./">{move || t(lang.get(), Key::BackToCatalogue)}</a></p>
    }
}

/// One form being filled in.
#[component]
fn FormView(def: Arc<Definition>) -> impl IntoView {
    let UiLang(lang) = expect_context::<UiLang>();
    let title = def.title.clone();
    let ctx = FormCtx::new(
        FormSession::new(
            def,
            Context {
                today: browser::today(),
            },
        ),
        lang,
    );
    provide_context(ctx);
    // Prefill: the link's suggestions, the embedding page's values, then the endpoint's.
    let prefill_failed = RwSignal::new(false);
    ctx.session.update(|s| {
        s.apply_prefill(PrefillOrigin::Url, &browser::url_prefill());
        let config = browser::page_config();
        if let Some(prefill) = config.as_ref().and_then(|c| c.get("prefill").cloned()) {
            s.apply_prefill(PrefillOrigin::Page, &prefill);
        }
        // `?start=1` or `"start": true` in the embedding page's configuration: the page around
        // the form already introduces it, so open the first step (the privacy notice stays
        // on every step).
        let start = browser::query_param("start").as_deref() == Some("1")
            || config.and_then(|c| c.get("start").and_then(serde_json::Value::as_bool))
                == Some(true);
        if start {
            s.start();
        }
    });
    if let Some(source) = ctx
        .session
        .with_untracked(|s| s.definition().prefill.clone())
    {
        let url = browser::resolve_url(&source.endpoint);
        leptos::task::spawn_local(async move {
            match net::get_json_with_credentials(&url).await {
                Ok(values) => ctx.session.update(|s| {
                    s.apply_prefill(PrefillOrigin::Endpoint, &values);
                }),
                Err(_) => prefill_failed.set(true),
            }
        });
    }
    let position = Memo::new(move |_| ctx.session.with(|s| s.position()));
    // Each step is its own page for assistive technology: its title says where the citizen is.
    let page_title = title.clone();
    Effect::new(move |_| {
        let l = lang.get();
        let (heading, has_errors) = ctx.session.with(|s| {
            let heading = match s.position() {
                Position::Start => None,
                Position::Step(i) => Some(s.definition().steps[i].title.get(l).to_owned()),
                Position::Review => Some(t(l, Key::ReviewTitle).to_owned()),
                Position::Done => Some(t(l, Key::ReceiptTitle).to_owned()),
            };
            let progress = s.progress().map(|(n, total)| {
                t(l, Key::StepOf)
                    .replace("{n}", &n.to_string())
                    .replace("{total}", &total.to_string())
            });
            let heading = match (progress, heading) {
                (Some(p), Some(h)) => Some(format!("{p}: {h}")),
                (_, h) => h,
            };
            (heading, !s.summary().is_empty())
        });
        let mut parts: Vec<String> = Vec::new();
        if has_errors {
            parts.push(t(l, Key::ErrorPrefix).to_owned());
        }
        parts.extend(heading.map(|h| format!("{h} –")));
        parts.push(page_title.get(l).to_owned());
        browser::set_title(&parts.join(" "));
    });
    view! {
        {move || prefill_failed.get().then(|| view! {
            <p class="notice" role="status">{t(lang.get(), Key::PrefillFailed)}</p>
        })}
        <h1 lang=move || lang_attr(&title, lang.get())>{
            let title = title.clone();
            move || title.get(lang.get()).to_owned()
        }</h1>
        {move || match position.get() {
            Position::Start => view! { <pages::StartPage/> }.into_any(),
            Position::Step(index) => view! { <pages::StepPage index/> }.into_any(),
            Position::Review => view! { <pages::ReviewPage/> }.into_any(),
            Position::Done => view! { <pages::ReceiptPage/> }.into_any(),
        }}
    }
}

/// The `lang` attribute a definition text needs when it is not in the interface language.
pub fn lang_attr(text: &Text, ui: Lang) -> Option<String> {
    text.lang_of(ui)
        .filter(|code| *code != ui.code())
        .map(str::to_owned)
}

/// A definition text in the interface language, reactive.
pub fn tr(
    text: &Text,
    lang: RwSignal<Lang>,
) -> impl Fn() -> String + Send + Sync + 'static + use<> {
    let text = text.clone();
    move || text.get(lang.get()).to_owned()
}
