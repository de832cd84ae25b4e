//! The app's shell: skip link, language switch, and what the page or the element asks for.

use blankett_core::LangTag;
use leptos::prelude::*;

use crate::browser;
use crate::catalogue::Catalogue;
use crate::form::FormLoader;
use crate::host::{Host, Setup, Show};
use crate::i18n::{Key, Offered, UiLang, t};
use crate::my_drafts::MyDrafts;
use crate::offline::UpdateNotice;
use crate::outbox::Outbox;

/// The app: the whole page, or one embedded form.
#[component]
pub fn App(setup: Setup, host: Host) -> impl IntoView {
    provide_context(host);
    let lang = RwSignal::new(setup.lang.unwrap_or_else(browser::initial_language));
    provide_context(UiLang(lang));
    provide_context(Offered(RwSignal::new(vec![LangTag::SV, LangTag::EN])));
    Effect::new(move |_| host.set_language(lang.get()));
    host.follow_height();

    let outbox = Outbox::start();
    let on_form = matches!(setup.show, Show::Form(_));
    // Around the forms the page is in Swedish or English; a form's page keeps the wish until
    // its definition says which languages it offers (`FormView`).
    if !on_form {
        lang.set(lang.get_untracked().best_of(&[LangTag::SV, LangTag::EN]));
    }
    let embedded = host.embedded();
    let content = match setup.show.clone() {
        Show::Drafts => view! { <MyDrafts/> }.into_any(),
        Show::Form(url) => view! { <FormLoader url setup/> }.into_any(),
        Show::Catalogue => view! { <Catalogue/> }.into_any(),
    };
    let notice = (!on_form).then(|| view! { <OutboxNotice outbox/> });
    if embedded {
        // Inside a host page: no skip link or second `<main>` (the host has its own), and the
        // host's page stays the host's; the form is a region named by its title.
        return view! {
            <div class="bk-app bk-app--embedded" id="main" tabindex="-1">
                <div class="site-header"><LanguageSwitch landmark=false/></div>
                {content}
            </div>
        }
        .into_any();
    }
    view! {
        <a class="skip-link" href="#main">{move || t(lang.get(), Key::SkipToContent)}</a>
        <header class="site-header">
            <LanguageSwitch/>
        </header>
        <main id="main" class="bk-app" tabindex="-1">
            <UpdateNotice/>
            // On a form's own page, its review page says what waits to be sent.
            {notice}
            {content}
        </main>
    }
    .into_any()
}

/// The languages the page offers, each a button labelled with the language's own name in that
/// language ("suomi", "العربية"); the current one is marked `aria-current`. In a navigation
/// landmark of its own on the app's page (`landmark`), not among a host page's.
#[component]
fn LanguageSwitch(#[prop(default = true)] landmark: bool) -> impl IntoView {
    let UiLang(lang) = expect_context::<UiLang>();
    let Offered(offered) = expect_context::<Offered>();
    let buttons = move || {
        offered
            .get()
            .into_iter()
            .map(|l| {
                let current = move || (lang.get() == l).then_some("true");
                view! {
                    <li>
                        <button type="button" class="link-button" lang=l.code().to_owned() dir=if l.is_rtl() { "rtl" } else { "ltr" }
                            aria-current=current on:click=move |_| lang.set(l)>
                            {l.native_name().to_owned()}
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    let list = move || view! { <ul class="language-list">{buttons}</ul> };
    if landmark {
        view! { <nav class="language" aria-label=move || t(lang.get(), Key::ChangeLanguage)>{list()}</nav> }
            .into_any()
    } else {
        view! { <div class="language" role="group" aria-label=move || t(lang.get(), Key::ChangeLanguage)>{list()}</div> }.into_any()
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
