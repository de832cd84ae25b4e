//! The page shell: skip link, language switch, and what the URL asks for.

use blankett_core::Lang;
use blankett_core::definition::Id;
use leptos::prelude::*;

use crate::browser;
use crate::catalogue::Catalogue;
use crate::form::FormLoader;
use crate::i18n::{Key, UiLang, t};
use crate::my_drafts::MyDrafts;
use crate::offline::UpdateNotice;
use crate::outbox::Outbox;

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let lang = RwSignal::new(browser::initial_language());
    provide_context(UiLang(lang));
    Effect::new(move |_| browser::set_document_language(lang.get()));

    // `?form=<id>` opens a bundled example; `?src=<url>` a definition published elsewhere.
    let outbox = Outbox::start();
    let on_form = browser::query_param("form").is_some() || browser::query_param("src").is_some();
    let content = match (browser::query_param("form"), browser::query_param("src")) {
        _ if browser::query_param("drafts").is_some() => view! { <MyDrafts/> }.into_any(),
        (Some(id), _) if Id::new(&id).is_some() => {
            view! { <FormLoader url=format!("forms/{id}.json")/> }.into_any()
        }
        (None, Some(src)) => view! { <FormLoader url=src/> }.into_any(),
        _ => view! { <Catalogue/> }.into_any(),
    };

    view! {
        <a class="skip-link" href="#main">{move || t(lang.get(), Key::SkipToContent)}</a>
        <header class="site-header">
            <LanguageSwitch/>
        </header>
        <main id="main" tabindex="-1">
            <UpdateNotice/>
            // On a form's own page, its review page says what waits to be sent.
            {(!on_form).then(|| view! { <OutboxNotice outbox/> })}
            {content}
        </main>
    }
}

/// A button that switches to the other interface language, labelled in that language.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let UiLang(lang) = expect_context::<UiLang>();
    let other = move || {
        if lang.get() == Lang::Sv {
            Lang::En
        } else {
            Lang::Sv
        }
    };
    view! {
        <nav class="language" aria-label=move || t(lang.get(), Key::ChangeLanguage)>
            <button type="button" class="link-button" lang=move || other().code() on:click=move |_| lang.set(other())>
                {move || other().native_name()}
            </button>
        </nav>
    }
}

/// Submissions waiting on this device to be sent, said on the pages around the forms.
#[component]
fn OutboxNotice(outbox: Outbox) -> impl IntoView {
    let UiLang(lang) = expect_context::<UiLang>();
    view! {
        <div role="status">
            {move || {
                let n = outbox.waiting.get();
                (n > 0).then(|| view! {
                    <p class="notice">{t(lang.get(), Key::OutboxWaiting).replace("{n}", &n.to_string())}</p>
                })
            }}
        </div>
    }
}
