//! The list of bundled e-services (`forms/index.json`).

use blankett_core::Text;
use leptos::prelude::*;
use serde::Deserialize;

use crate::i18n::{Key, UiLang, t};
use crate::net;

/// One e-service in the catalogue.
#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Entry {
    id: String,
    title: Text,
    #[serde(default)]
    description: Option<Text>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Index {
    forms: Vec<Entry>,
}

/// The start page: every e-service with a link to it.
#[component]
pub fn Catalogue() -> impl IntoView {
    let UiLang(lang) = expect_context::<UiLang>();
    let index = LocalResource::new(|| async {
        let text = net::get_text("forms/index.json").await.ok()?;
        serde_json::from_str::<Index>(&text).ok()
    });
    view! {
        <h1>{move || t(lang.get(), Key::CatalogueTitle)}</h1>
        <p>{move || t(lang.get(), Key::CatalogueIntro)}</p>
        <p><a href=move || format!("?drafts=1&lang={}", lang.get().code())>{move || t(lang.get(), Key::AllDrafts)}</a></p>
        {move || match index.get() {
            None => view! { <p role="status">{t(lang.get(), Key::Loading)}</p> }.into_any(),
            Some(None) => view! { <p class="notice notice--error" role="alert">{t(lang.get(), Key::CatalogueLoadFailed)}</p> }.into_any(),
            Some(Some(index)) => {
                let l = lang.get();
                view! {
                    <ul class="catalogue">
                        {index.forms.into_iter().map(|e| view! {
                            <li>
                                <a href=format!("?form={}&lang={}", e.id, l.code())>{e.title.get(l).to_owned()}</a>
                                {e.description.map(|d| view! { <p>{d.get(l).to_owned()}</p> })}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }
        }}
    }
}
