//! Blankett in the browser: mounts the app; everything else is in the modules.

mod app;
mod attachments;
mod browser;
mod catalogue;
mod form;
mod host;
mod i18n;
mod my_drafts;
mod net;
mod offline;
mod outbox;
mod signer;
mod storage;
mod tabs;

use leptos::prelude::*;

fn main() {
    std::panic::set_hook(Box::new(show_panic));
    net::watch_policy();
    browser::watch_presses();
    // Loaded by `embed.js` on a host page: the script mounts each `<blankett-form>` itself
    // (`host::mount_embedded`), and the host page is not the app's to take.
    if embedded_by_script() {
        return;
    }
    let (setup, host) = (host::Setup::from_page(), host::Host::page());
    leptos::mount::mount_to_body(move || view! { <app::App setup host/> });
    offline::register();
}

/// Whether `embed.js` loaded the runtime (it sets `window.blankett.embedded` first).
fn embedded_by_script() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    js_sys::Reflect::get(&window, &"blankett".into())
        .and_then(|b| js_sys::Reflect::get(&b, &"embedded".into()))
        .is_ok_and(|v| v.is_truthy())
}

/// Never a blank page: if the runtime itself fails, say so in both languages and log why.
fn show_panic(info: &std::panic::PanicHookInfo<'_>) {
    web_sys::console::error_1(&info.to_string().into());
    const TEXT: &str = "Något gick fel i e-tjänsten. Ladda om sidan och försök igen. \
         Something went wrong in the e-service. Reload the page and try again.";
    // On a host page, in the forms' own places, never in the host's page.
    if embedded_by_script() {
        host::show_failure(TEXT);
        return;
    }
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = doc.body() else { return };
    let Ok(p) = doc.create_element("p") else {
        return;
    };
    let _ = p.set_attribute("role", "alert");
    let _ = p.set_attribute("class", "notice notice--error");
    p.set_text_content(Some(TEXT));
    let _ = body.prepend_with_node_1(&p);
}
