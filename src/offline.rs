//! Working without a network: the service worker that keeps the app and the forms opened on
//! this device, the notice of a new version, and forgetting what the worker keeps.
//!
//! The worker itself is `public/sw.js`, which `cargo xtask build` writes to `dist/sw.js` with
//! the build's id and files. A new deployment is a new worker: it installs beside the running
//! one and waits; [`UpdateNotice`] says so, and only the citizen's press on Update lets it take
//! over and reloads the page (draft saving flushes on `pagehide`, which the reload fires).

use std::cell::{Cell, RefCell};

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    ServiceWorker, ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState,
};

use crate::i18n::{Key, UiLang, t};

/// The prefix of every Cache Storage cache this app makes.
const CACHE_PREFIX: &str = "blankett";

/// The worker's address, relative to the page: its default scope is the app's folder, also
/// when the app is served from a sub-path.
const WORKER_URL: &str = "./sw.js";

/// What the page tells a waiting worker to make it take over (`public/sw.js`).
const SKIP_WAITING: &str = "skipWaiting";

thread_local! {
    /// The app's registration, once the browser has made it.
    static REGISTRATION: RefCell<Option<ServiceWorkerRegistration>> = const { RefCell::new(None) };
    /// Whether a new version is installed and waiting (shown by [`UpdateNotice`]).
    static UPDATE_WAITING: ArcRwSignal<bool> = ArcRwSignal::new(false);
    /// Whether the citizen pressed Update: only then does a change of worker reload the page.
    static UPDATING: Cell<bool> = const { Cell::new(false) };
}

/// Deletes every cache this app keeps in Cache Storage (the app's files, definitions and code
/// lists kept for offline use); quietly does nothing where there is no Cache Storage.
pub async fn forget_cached_data() {
    let Some(caches) = web_sys::window().and_then(|w| w.caches().ok()) else {
        return;
    };
    let Ok(keys) = JsFuture::from(caches.keys()).await else {
        return;
    };
    for name in js_sys::Array::from(&keys).iter() {
        let Some(name) = name.as_string() else {
            continue;
        };
        if name.starts_with(CACHE_PREFIX) {
            let _ = JsFuture::from(caches.delete(&name)).await;
        }
    }
}

/// Registers the service worker (`./sw.js`, default scope) once the page has loaded, so that
/// it does not compete with the first visit's downloads. Quietly does nothing where the
/// browser has no service workers (an `http:` page other than localhost, an old browser).
pub fn register() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(container) = container() else {
        return;
    };
    // A new worker took over: reload into it, but only when the citizen asked for that. The
    // first install also takes over the page (so it works offline at once) and must not reload.
    listen(&container, "controllerchange", || {
        if UPDATING.get()
            && let Some(window) = web_sys::window()
        {
            let _ = window.location().reload();
        }
    });
    let loaded = window
        .document()
        .is_some_and(|d| d.ready_state() == "complete");
    if loaded {
        wasm_bindgen_futures::spawn_local(register_worker(container));
    } else {
        let once = Closure::once_into_js(move || {
            wasm_bindgen_futures::spawn_local(register_worker(container));
        });
        let _ = window.add_event_listener_with_callback("load", once.unchecked_ref());
    }
}

/// The page's service worker container, where the browser offers one to this page.
fn container() -> Option<ServiceWorkerContainer> {
    let window = web_sys::window()?;
    if !window.is_secure_context() {
        return None;
    }
    let navigator = window.navigator();
    let container = js_sys::Reflect::get(&navigator, &"serviceWorker".into()).ok()?;
    container.dyn_into::<ServiceWorkerContainer>().ok()
}

/// Calls `f` on every `event` of `target`, for the page's lifetime.
fn listen(target: &web_sys::EventTarget, event: &str, f: impl FnMut() + 'static) {
    let callback = Closure::<dyn FnMut()>::new(f).into_js_value();
    let _ = target.add_event_listener_with_callback(event, callback.unchecked_ref());
}

/// Registers the worker and watches for a new version of it.
async fn register_worker(container: ServiceWorkerContainer) {
    let registration = match JsFuture::from(container.register(WORKER_URL)).await {
        Ok(registration) => registration.unchecked_into::<ServiceWorkerRegistration>(),
        Err(e) => {
            // The app works without it, only not offline (e.g. `trunk serve` has no sw.js).
            web_sys::console::warn_2(
                &"Blankett: no service worker, so no offline use:".into(),
                &e,
            );
            return;
        }
    };
    REGISTRATION.with(|r| *r.borrow_mut() = Some(registration.clone()));
    if registration.waiting().is_some() {
        announce_if_replacing();
    }
    if let Some(installing) = registration.installing() {
        watch_installing(installing);
    }
    let found = registration.clone();
    listen(&registration, "updatefound", move || {
        if let Some(installing) = found.installing() {
            watch_installing(installing);
        }
    });
}

/// Announces the new version when `worker` has installed, unless it is the first one.
fn watch_installing(worker: ServiceWorker) {
    let watched = worker.clone();
    listen(&worker, "statechange", move || {
        if watched.state() == ServiceWorkerState::Installed {
            announce_if_replacing();
        }
    });
}

/// Shows the notice when a worker already controls this page (a new deployment); the first
/// install has nothing to replace and says nothing.
fn announce_if_replacing() {
    if container().and_then(|c| c.controller()).is_some() {
        UPDATE_WAITING.with(|w| w.set(true));
    }
}

/// The citizen pressed Update: the waiting worker takes over, and the page reloads when it
/// has (`controllerchange`). If another tab already let it take over, reload now.
fn apply_update() {
    UPDATING.set(true);
    let waiting = REGISTRATION.with(|r| r.borrow().as_ref().and_then(|r| r.waiting()));
    let asked = waiting.is_some_and(|w| w.post_message(&SKIP_WAITING.into()).is_ok());
    if !asked && let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

/// "A new version of the e-service is available." with an Update button, when a new
/// deployment's worker is waiting. A polite status region: announced, never moving focus, and
/// the page reloads only when the citizen presses Update.
#[component]
pub fn UpdateNotice() -> impl IntoView {
    let UiLang(lang) = expect_context::<UiLang>();
    let waiting = UPDATE_WAITING.with(ArcRwSignal::clone);
    // The region is on the page from the start, so a screen reader hears what appears in it.
    view! {
        <div class="update-notice" role="status">
            <Show when=move || waiting.get()>
                <div class="notice">
                    <p>{move || t(lang.get(), Key::UpdateAvailable)}</p>
                    <button type="button" class="button button--secondary" on:click=|_| apply_update()>
                        {move || t(lang.get(), Key::UpdateApp)}
                    </button>
                </div>
            </Show>
        </div>
    }
}
