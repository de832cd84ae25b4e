//! Blankett in the browser: mounts the app; everything else is in the modules.

mod app;
mod browser;
mod catalogue;
mod form;
mod i18n;
mod net;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
