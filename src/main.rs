//! Blankett in the browser: mounts the app; everything else is in the modules.

mod app;
mod browser;
mod catalogue;
mod form;
mod i18n;
mod my_drafts;
mod net;
mod offline;
mod outbox;
mod signer;
mod storage;
mod tabs;

fn main() {
    std::panic::set_hook(Box::new(show_panic));
    leptos::mount::mount_to_body(app::App);
    offline::register();
}

/// Never a blank page: if the runtime itself fails, say so in both languages and log why.
fn show_panic(info: &std::panic::PanicHookInfo<'_>) {
    web_sys::console::error_1(&info.to_string().into());
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = doc.body() else { return };
    let Ok(p) = doc.create_element("p") else {
        return;
    };
    let _ = p.set_attribute("role", "alert");
    let _ = p.set_attribute("class", "notice notice--error");
    p.set_text_content(Some(
        "Något gick fel i e-tjänsten. Ladda om sidan och försök igen. \
         Something went wrong in the e-service. Reload the page and try again.",
    ));
    let _ = body.prepend_with_node_1(&p);
}
