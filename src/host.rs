//! Where the app runs and what it was asked to show: a page of its own (settings from the URL),
//! a host page's `<blankett-form>` element (settings from its attributes, views in its shadow
//! root), or an iframe on a host page (a page of its own that tells the host its height).
//!
//! Everything that reaches past the app's own views goes through [`Host`]: finding an element
//! by id (in the document, or in the element's shadow root, where two forms on one page can
//! use the same ids), the document's title and language (a page of its own only: an embedded
//! form never changes its host's), the theme's custom properties, and the events a host page
//! listens to.

use std::cell::RefCell;

use blankett_core::LangTag;
use leptos::prelude::*;
use serde::Deserialize;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlElement, ShadowRoot};

use crate::browser;

/// What the app shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Show {
    /// The list of forms (the app's start page).
    Catalogue,
    /// The drafts kept on this device.
    Drafts,
    /// The form whose definition is at this (absolute) URL.
    Form(String),
}

/// What the page's address or the element's attributes asked for.
#[derive(Debug, Clone)]
pub struct Setup {
    /// What to show.
    pub show: Show,
    /// The interface language asked for, if any.
    pub lang: Option<LangTag>,
    /// Open the first step at once (the page around the form already introduces it).
    pub start: bool,
    /// Where submissions go instead of the definition's `submit.url` (absolute).
    pub submit_url: Option<String>,
    /// Prefill from the address (`?prefill.key=value`): suggestions the citizen can change.
    pub url_prefill: serde_json::Value,
    /// Prefill from the page or element that embeds the form.
    pub page_prefill: Option<serde_json::Value>,
    /// A draft to open at once (`?draft=<id>`, from the drafts page).
    pub draft: Option<String>,
}

impl Setup {
    /// The settings of the app's own page: `?form=<id>` (a bundled form), `?src=<url>` (a
    /// definition published elsewhere), `?drafts=1`, `?lang=`, `?start=1`, `?draft=<id>`,
    /// `?prefill.<key>=<value>`, and the page's `<script type="application/json"
    /// id="blankett-config">` (`prefill`, `start`).
    pub fn from_page() -> Setup {
        let param = browser::query_param;
        let show = match (param("form"), param("src")) {
            _ if param("drafts").is_some() => Show::Drafts,
            (Some(id), _) if blankett_core::definition::Id::new(&id).is_some() => {
                Show::Form(browser::resolve_url(&format!("forms/{id}.json")))
            }
            (None, Some(src)) => Show::Form(browser::resolve_url(&src)),
            _ => Show::Catalogue,
        };
        let config = browser::page_config();
        let start = param("start").as_deref() == Some("1")
            || config.as_ref().and_then(|c| c.get("start")?.as_bool()) == Some(true);
        Setup {
            show,
            lang: param("lang").and_then(|c| LangTag::parse(&c)),
            start,
            submit_url: None,
            url_prefill: browser::url_prefill(),
            page_prefill: config.and_then(|c| c.get("prefill").cloned()),
            draft: param("draft"),
        }
    }
}

/// The settings `public/embed.js` reads from a `<blankett-form>` element's attributes.
#[derive(Debug, Deserialize)]
struct ElementConfig {
    /// `src`: the definition's address, absolute (the script resolves it against the page).
    src: String,
    /// `lang`: `sv` or `en`.
    #[serde(default)]
    lang: Option<String>,
    /// `start`: present to open the first step at once.
    #[serde(default)]
    start: bool,
    /// `submit-url`: where submissions go instead, absolute.
    #[serde(default)]
    submit_url: Option<String>,
    /// `prefill`: a JSON object of values.
    #[serde(default)]
    prefill: Option<serde_json::Value>,
}

/// Where the views live.
enum Place {
    /// A page of the app's own; `frame` is the host page's origin when it runs in an iframe.
    Page { frame: Option<String> },
    /// A host page's `<blankett-form>`: the element, and its shadow root with the views.
    Element {
        element: HtmlElement,
        root: ShadowRoot,
        container: HtmlElement,
    },
}

/// The place the app runs in, shared by every view of one app (one per embedded form).
#[derive(Clone, Copy)]
pub struct Host(StoredValue<Place, LocalStorage>);

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.embedded() {
            "Host(element)"
        } else {
            "Host(page)"
        })
    }
}

impl Host {
    /// The app's own page (in an iframe when `?frame=<host origin>` says so).
    pub fn page() -> Host {
        let frame = browser::query_param("frame").filter(|o| is_origin(o));
        Host(StoredValue::new_local(Place::Page { frame }))
    }

    /// Whether the form is inside a host page's element (not a page of its own).
    pub fn embedded(&self) -> bool {
        self.0.with_value(|p| matches!(p, Place::Element { .. }))
    }

    /// Whether the app is a page of its own in a browser tab (not embedded, not in a frame):
    /// only then do its links to its other pages (the catalogue, the drafts page) lead anywhere
    /// the citizen can use.
    pub fn standalone(&self) -> bool {
        self.0
            .with_value(|p| matches!(p, Place::Page { frame: None }))
    }

    /// The element with `id` among the app's views.
    pub fn find(&self, id: &str) -> Option<web_sys::Element> {
        self.0.with_value(|p| match p {
            Place::Page { .. } => web_sys::window()?.document()?.get_element_by_id(id),
            Place::Element { root, .. } => root.get_element_by_id(id),
        })
    }

    /// Moves focus to the element with `id` now, scrolling it into view; whether it exists.
    pub fn focus_now(&self, id: &str) -> bool {
        let Some(el) = self.find(id).and_then(|e| e.dyn_into::<HtmlElement>().ok()) else {
            return false;
        };
        let _ = el.focus();
        el.scroll_into_view_with_bool(true);
        true
    }

    /// Moves focus to the element with `id` once the views show the change just made, in the
    /// same task as that change: focus never rests on `<body>` between the removal of the
    /// element that held it and its arrival at `id`, where a screen reader would announce the
    /// whole page.
    ///
    /// A session change wakes the views that read it at once, and the executor runs woken
    /// tasks in order, in the microtasks of the current task; this runs after them (and after
    /// a few more rounds, for views they woke in turn). A target that is still missing then (a
    /// view that waits for something) is tried again at the next frames.
    pub fn focus_after_update(self, id: String) {
        leptos::task::spawn_local(async move {
            for _ in 0..3 {
                leptos::task::tick().await;
            }
            if !self.focus_now(&id) {
                self.focus_in_frames(id, 30);
            }
        });
    }

    fn focus_in_frames(self, id: String, frames_left: u32) {
        request_animation_frame(move || {
            if !self.focus_now(&id) && frames_left > 0 {
                self.focus_in_frames(id, frames_left - 1);
            }
        });
    }

    /// The `aria-labelledby` of a region titled by the element `id`: with the form's title
    /// too when embedded, so two forms on one page never have two regions of the same name.
    pub fn region_label(&self, id: &str) -> String {
        if self.embedded() {
            format!("{id} form-title")
        } else {
            id.to_owned()
        }
    }

    /// Sets the document's title (WCAG 2.4.2: each step is its own "page"); an embedded form
    /// leaves its host's title alone.
    pub fn set_title(&self, title: &str) {
        if !self.embedded() {
            browser::set_title(title);
        }
        self.tell_frame("title", &serde_json::json!({ "title": title }));
    }

    /// Sets the page's language and direction on the app's root: `<html lang dir>` and the address on a page
    /// of its own (so a reload keeps it), the views' container when embedded.
    pub fn set_language(&self, lang: LangTag) {
        self.0.with_value(|p| match p {
            Place::Page { .. } => browser::set_document_language(lang),
            Place::Element { container, .. } => {
                let _ = container.set_attribute("lang", lang.code());
                let _ = container.set_attribute("dir", browser::direction(lang));
            }
        });
    }

    /// Sets the CSS custom properties `tokens` (name, value) where the stylesheet reads them:
    /// on `<html>` for a page of its own, on the element when embedded (where the host page's
    /// own `--bk-*` values still win over these `--bk-org-*` ones).
    pub fn set_tokens(&self, tokens: &[(&str, String)]) {
        let style = self.0.with_value(|p| match p {
            Place::Page { .. } => web_sys::window()?
                .document()?
                .document_element()?
                .dyn_into::<HtmlElement>()
                .ok()
                .map(|e| e.style()),
            Place::Element { element, .. } => Some(element.style()),
        });
        if let Some(style) = style {
            for (name, value) in tokens {
                let _ = style.set_property(name, value);
            }
        }
    }

    /// Tells the host page something happened: a `blankett:<name>` `CustomEvent` with `detail`
    /// on the `<blankett-form>` element (bubbling, and out of the shadow root), on the document
    /// for a page of its own, and to the host page by `postMessage` in an iframe. The details
    /// never hold an answer.
    pub fn emit(&self, name: &str, detail: &serde_json::Value) {
        let event = format!("blankett:{name}");
        let detail_js = js_sys::JSON::parse(&detail.to_string()).unwrap_or(JsValue::NULL);
        let init = web_sys::CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(&detail_js);
        let Ok(custom) = web_sys::CustomEvent::new_with_event_init_dict(&event, &init) else {
            return;
        };
        self.0.with_value(|p| match p {
            Place::Element { element, .. } => {
                let _ = element.dispatch_event(&custom);
            }
            Place::Page { .. } => {
                if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
                    let _ = doc.dispatch_event(&custom);
                }
            }
        });
        self.tell_frame(name, detail);
    }

    /// Posts `{ blankett: name, detail }` to the host page when the app runs in its iframe,
    /// addressed to the host's origin only.
    fn tell_frame(&self, name: &str, detail: &serde_json::Value) {
        let Some(origin) = self.0.with_value(|p| match p {
            Place::Page { frame } => frame.clone(),
            Place::Element { .. } => None,
        }) else {
            return;
        };
        let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) else {
            return;
        };
        let message = serde_json::json!({ "blankett": name, "detail": detail });
        if let Ok(value) = js_sys::JSON::parse(&message.to_string()) {
            let _ = parent.post_message(&value, &origin);
        }
    }

    /// In an iframe, tells the host page the content's height whenever it changes, so the
    /// frame grows and shrinks with it and never scrolls inside.
    pub fn follow_height(&self) {
        if self
            .0
            .with_value(|p| !matches!(p, Place::Page { frame: Some(_) }))
        {
            return;
        }
        let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        else {
            return;
        };
        let _ = root.class_list().add_1("bk-framed");
        let host = *self;
        let measured = root.clone();
        let callback = Closure::<dyn FnMut()>::new(move || {
            let height = measured.get_bounding_client_rect().height().ceil();
            host.tell_frame("height", &serde_json::json!({ "height": height }));
        });
        if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
            observer.observe(&root);
            // Observes for the page's whole life.
            std::mem::forget(observer);
        }
        callback.forget();
    }
}

/// Whether `text` is an `http(s)://host[:port]` origin and nothing more.
fn is_origin(text: &str) -> bool {
    web_sys::Url::new(text)
        .is_ok_and(|u| matches!(u.protocol().as_str(), "https:" | "http:") && u.origin() == text)
}

thread_local! {
    /// The forms mounted in host elements, to unmount when an element leaves its page.
    static MOUNTED: RefCell<Vec<(HtmlElement, leptos::mount::UnmountHandle<leptos::tachys::view::any_view::AnyViewState>)>> =
        const { RefCell::new(Vec::new()) };
}

/// Mounts a form in a `<blankett-form>` element (called by `public/embed.js`): `container` is
/// the element in `root` (its shadow root) that holds the views, `config` the element's
/// settings as JSON. Returns an error text for a setting that cannot be used.
#[wasm_bindgen]
pub fn mount_embedded(
    element: HtmlElement,
    root: ShadowRoot,
    container: HtmlElement,
    config: &str,
) -> Result<(), JsValue> {
    let config: ElementConfig = serde_json::from_str(config)
        .map_err(|e| JsValue::from_str(&format!("blankett-form: {e}")))?;
    let setup = Setup {
        show: Show::Form(config.src),
        lang: config.lang.as_deref().and_then(LangTag::parse),
        start: config.start,
        submit_url: config.submit_url,
        url_prefill: serde_json::Value::Object(serde_json::Map::new()),
        page_prefill: config.prefill,
        draft: None,
    };
    let place = Place::Element {
        element: element.clone(),
        root,
        container: container.clone(),
    };
    let handle = leptos::mount::mount_to(container, move || {
        let host = Host(StoredValue::new_local(place));
        crate::app::App(crate::app::AppProps { setup, host }).into_any()
    });
    MOUNTED.with_borrow_mut(|m| m.push((element, handle)));
    Ok(())
}

/// Puts `text` (a failure of the runtime itself) in place of every embedded form, inside its
/// shadow root, leaving the host's page alone.
pub fn show_failure(text: &str) {
    let Ok(elements) = MOUNTED.try_with(|m| {
        m.try_borrow()
            .map(|m| m.iter().map(|(e, _)| e.clone()).collect::<Vec<_>>())
            .unwrap_or_default()
    }) else {
        return;
    };
    for element in elements {
        let Some(root) = element.shadow_root() else {
            continue;
        };
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let Ok(p) = doc.create_element("p") else {
            return;
        };
        let _ = p.set_attribute("role", "alert");
        let _ = p.set_attribute("class", "notice notice--error");
        p.set_text_content(Some(text));
        root.replace_children_with_node_1(&p);
    }
}

/// Unmounts the form of a `<blankett-form>` element that left its page (called by
/// `public/embed.js`), so its listeners and timers stop.
#[wasm_bindgen]
pub fn unmount_embedded(element: &HtmlElement) {
    let handle = MOUNTED.with_borrow_mut(|m| {
        let i = m.iter().position(|(e, _)| e == element)?;
        Some(m.swap_remove(i).1)
    });
    drop(handle);
}
