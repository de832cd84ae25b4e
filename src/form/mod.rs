//! Filling in one form: loading its definition, then start page, steps, review and receipt.

mod ctx;
mod drafts;
mod events;
mod field;
mod markdown;
mod pages;

use std::sync::Arc;

use blankett_core::{
    Context, Definition, Diagnostic, FormSession, LangTag, Position, PrefillOrigin, Text,
};
use leptos::prelude::*;

pub use ctx::FormCtx;

use crate::browser;
use crate::host::{Host, Setup};
use crate::i18n::{Key, Offered, UiLang, t};
use crate::net::{self, NetError};

/// Why a form could not be shown.
#[derive(Debug, Clone)]
enum LoadFailure {
    Network(NetError),
    Broken(Vec<Diagnostic>),
}

/// Fetches every code list the definition names and puts it in place. A list that cannot be
/// fetched comes from the copy kept from an earlier visit; a broken list is a broken form.
async fn resolve_option_lists(def: &mut Definition, source: &str) -> Result<(), LoadFailure> {
    for url in def.option_urls() {
        let absolute = browser::resolve_against(source, &url);
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

/// Fetches a definition from `url` (absolute) and shows the form as `setup` asks, or says
/// exactly why it cannot.
#[component]
pub fn FormLoader(url: String, setup: Setup) -> impl IntoView {
    let UiLang(lang) = expect_context::<UiLang>();
    let host = expect_context::<Host>();
    let source = url.clone();
    let source_for_event = url.clone();
    let loaded = LocalResource::new(move || {
        let url = url.clone();
        async move {
            let text = net::get_preloaded(&url)
                .await
                .map_err(LoadFailure::Network)?;
            let loaded = blankett_core::load(&text);
            match loaded.definition {
                Some(mut def) => {
                    resolve_option_lists(&mut def, &url).await?;
                    Ok((Arc::new(def), Arc::<str>::from(text)))
                }
                None => Err(LoadFailure::Broken(loaded.diagnostics)),
            }
        }
    });
    // The host page hears why a form could not be shown.
    Effect::new(move |_| {
        let detail = match loaded.get() {
            Some(Err(LoadFailure::Network(e))) => serde_json::json!({
                "kind": if matches!(e, NetError::Blocked { .. }) { "blocked" } else { "load" },
                "url": source_for_event.clone(), "message": e.technical(),
            }),
            Some(Err(LoadFailure::Broken(d))) => serde_json::json!({
                "kind": "definition", "url": source_for_event.clone(),
                "message": errors(&d).map(Diagnostic::code_line).collect::<Vec<_>>().join("; "),
            }),
            _ => return,
        };
        host.emit("error", &detail);
    });
    let standalone = host.standalone();
    move || {
        match loaded.get() {
            None => view! { <p role="status">{move || t(lang.get(), Key::Loading)}</p> }.into_any(),
            Some(Ok((def, text))) => {
                view! { <FormView def text source=source.clone() setup=setup.clone()/> }.into_any()
            }
            Some(Err(LoadFailure::Network(error))) => view! {
                <h1>{move || t(lang.get(), Key::FormBroken)}</h1>
                <p class="notice notice--error" role="alert">{
                    // A blocked address is the page's setting, not the citizen's connection.
                    let blocked = match &error {
                        NetError::Blocked { origin, .. } => Some(origin.clone()),
                        _ => None,
                    };
                    move || match &blocked {
                        Some(origin) => t(lang.get(), Key::FormBlocked).replace("{origin}", origin),
                        None => t(lang.get(), Key::FormLoadFailed).to_owned(),
                    }
                }</p>
                <p class="technical">{error.technical()}</p>
                {standalone.then(|| view! {
                    <p><a href="./">{move || t(lang.get(), Key::BackToCatalogue)}</a></p>
                })}
            }
            .into_any(),
            Some(Err(LoadFailure::Broken(diagnostics))) => {
                view! { <BrokenForm diagnostics/> }.into_any()
            }
        }
    }
}

/// The errors among a broken definition's diagnostics: what stops it from loading.
fn errors(diagnostics: &[Diagnostic]) -> impl Iterator<Item = &Diagnostic> {
    diagnostics
        .iter()
        .filter(|d| d.severity == blankett_core::Severity::Error)
}

/// The error page for a definition that does not load: every error by its path and code
/// (enough for a support ticket), and where the form's author reads each in full. The
/// author's texts live in the checker, not in the citizen's download (issue 17).
#[component]
fn BrokenForm(diagnostics: Vec<Diagnostic>) -> impl IntoView {
    let UiLang(lang) = expect_context::<UiLang>();
    let standalone = expect_context::<Host>().standalone();
    let lines: Vec<String> = errors(&diagnostics).map(Diagnostic::code_line).collect();
    view! {
        <h1>{move || t(lang.get(), Key::FormBroken)}</h1>
        <p>{move || t(lang.get(), Key::FormBrokenIntro)}</p>
        <ul class="diagnostics">
            {lines.into_iter().map(|line| view! { <li><code dir="ltr">{line}</code></li> }).collect_view()}
        </ul>
        <p class="technical">{move || t(lang.get(), Key::FormBrokenAuthor)}</p>
        {standalone.then(|| view! {
            <p><a href="./">{move || t(lang.get(), Key::BackToCatalogue)}</a></p>
        })}
    }
}

/// One form being filled in: `text` is the definition as fetched from `source`.
#[component]
fn FormView(def: Arc<Definition>, text: Arc<str>, source: String, setup: Setup) -> impl IntoView {
    let UiLang(lang) = expect_context::<UiLang>();
    let host = expect_context::<Host>();
    // The switch offers the definition's languages; the page is in one of them (the wish from
    // the address or the browser if offered, else the definition's first, Swedish).
    let Offered(offered) = expect_context::<Offered>();
    offered.set(def.languages.clone());
    let best = lang.get_untracked().best_of(&def.languages);
    if best != lang.get_untracked() {
        lang.set(best);
    }
    // The organisation's look, below whatever the host page's own CSS says (style/main.css).
    if let Some(theme) = &def.organisation.theme {
        host.set_tokens(&theme.tokens());
    }
    let logo = def.organisation.logo.clone().map(|logo| {
        let src = browser::resolve_against(&source, &logo.src);
        view! { <img class="bk-logo" src=src alt=tr(&logo.alt, lang)/> }
    });
    let title = def.title.clone();
    let has_endpoint = def.prefill.clone();
    // Relative addresses in a definition are relative to the definition, as in any web
    // document; the element's `submit-url` overrides where submissions go.
    let submit_url = setup
        .submit_url
        .clone()
        .unwrap_or_else(|| browser::resolve_against(&source, &def.submit.url));
    let ctx = FormCtx::new(
        FormSession::new(
            def.clone(),
            Context {
                today: browser::today(),
            },
        ),
        lang,
        host,
        submit_url,
    );
    provide_context(ctx);
    drafts::Drafts::start(ctx, def.clone(), text, source.clone(), setup.draft.clone());
    // A submission of this form delivered in the background (after a reload, or by another
    // tab): the receipt is this page's too.
    if let Some(outbox) = use_context::<crate::outbox::Outbox>() {
        Effect::new(move |_| {
            let Some((id, receipt)) = outbox.delivered.get() else {
                return;
            };
            let mine = ctx.read_untracked(|s| {
                s.receipt().is_none()
                    && s.pending_submission()
                        .is_some_and(|p| p.submission_id == id)
            });
            if mine {
                ctx.finish(blankett_core::SendOutcome::Received(receipt));
            }
        });
    }
    // Prefill: the link's suggestions, the embedding page's values, then the endpoint's.
    ctx.prefill(PrefillOrigin::Url, &setup.url_prefill);
    if let Some(prefill) = &setup.page_prefill {
        ctx.prefill(PrefillOrigin::Page, prefill);
    }
    // The page around the form already introduces it: open the first step (the privacy
    // notice stays on every step).
    if setup.start {
        ctx.start_quietly();
    }
    let prefill_failed = RwSignal::new(false);
    if let Some(endpoint) = has_endpoint {
        let url = browser::resolve_against(&source, &endpoint.endpoint);
        leptos::task::spawn_local(async move {
            match net::get_json_with_credentials(&url).await {
                Ok(values) => ctx.prefill(PrefillOrigin::Endpoint, &values),
                Err(_) => prefill_failed.set(true),
            }
        });
    }
    let position = Memo::new(move |_| ctx.read(|s| s.position()));
    // Each step is its own page for assistive technology: its title says where the citizen is.
    Effect::new(move |_| host.set_title(&ctx.read(|s| s.page_title(lang.get()))));
    events::tell_host(ctx, host, &def, position);
    view! {
        {move || prefill_failed.get().then(|| view! {
            <p class="notice" role="status">{t(lang.get(), Key::PrefillFailed)}</p>
        })}
        {logo}
        <h1 id="form-title" lang=move || lang_attr(&title, lang.get())>{
            let title = title.clone();
            move || title.get(lang.get()).to_owned()
        }</h1>
        <drafts::ResumeOffer/>
        <drafts::DroppedNotice/>
        {move || match position.get() {
            Position::Start => view! { <pages::StartPage/> }.into_any(),
            Position::Step(index) => view! { <pages::StepPage index/> }.into_any(),
            Position::Review => view! { <pages::ReviewPage/> }.into_any(),
            Position::Done => view! { <pages::ReceiptPage/> }.into_any(),
        }}
        {move || (position.get() != Position::Done).then(|| view! { <drafts::SaveStatus/> })}
    }
}

/// The `lang` attribute a definition text needs when it is not in the interface language.
pub fn lang_attr(text: &Text, ui: LangTag) -> Option<String> {
    text.lang_of(ui)
        .filter(|code| *code != ui.code())
        .map(str::to_owned)
}

/// A definition text in the interface language, reactive.
pub fn tr(
    text: &Text,
    lang: RwSignal<LangTag>,
) -> impl Fn() -> String + Send + Sync + 'static + use<> {
    let text = text.clone();
    move || text.get(lang.get()).to_owned()
}
