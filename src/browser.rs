//! Small adapters to the browser: page URL, language attribute, today's date.

use blankett_core::{Date, LangTag};
use wasm_bindgen::JsCast;

/// A query parameter of the page's URL.
pub fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}

/// `rtl` for a language written right to left, else `ltr`: the `dir` of the app's root.
pub fn direction(lang: LangTag) -> &'static str {
    if lang.is_rtl() { "rtl" } else { "ltr" }
}

/// Sets `<html lang>` and `dir` and remembers the language in the URL (so a reload keeps it).
pub fn set_document_language(lang: LangTag) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Some(root) = window.document().and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", lang.code());
        let _ = root.set_attribute("dir", direction(lang));
    }
    let Ok(href) = window.location().href() else {
        return;
    };
    if let Ok(url) = web_sys::Url::new(&href) {
        url.search_params().set("lang", lang.code());
        if let Ok(history) = window.history() {
            let _ =
                history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url.href()));
        }
    }
}

/// The language to start in: `?lang=`, else the browser's, else Swedish.
pub fn initial_language() -> LangTag {
    query_param("lang")
        .and_then(|c| LangTag::parse(&c))
        .or_else(|| {
            web_sys::window()?
                .navigator()
                .language()
                .and_then(|c| LangTag::parse(&c))
        })
        .unwrap_or_default()
}

/// Whether a `focusout` takes focus out of the element whose handler runs (not just from one
/// of its options to another).
pub fn focus_left(e: &web_sys::FocusEvent) -> bool {
    match (e.current_target(), e.related_target()) {
        (Some(group), Some(next)) => !group
            .dyn_ref::<web_sys::Node>()
            .is_some_and(|g| g.contains(next.dyn_ref::<web_sys::Node>())),
        _ => true,
    }
}

/// Today's date in the citizen's time zone.
pub fn today() -> Date {
    let now = js_sys::Date::new_0();
    Date::new(
        now.get_full_year() as i32,
        now.get_month() as u8 + 1,
        now.get_date() as u8,
    )
    .unwrap_or_else(|| Date::new(2000, 1, 1).unwrap_or_else(|| unreachable!()))
}

/// A new random UUID (v4) from the browser's CSPRNG.
pub fn random_uuid() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_default()
}

/// Resolves `url` against the page's address (for a definition's address in the page's).
pub fn resolve_url(url: &str) -> String {
    let base = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    resolve_against(&base, url)
}

/// Resolves `url` against `base` (a definition's relative submit, code list and prefill
/// addresses against the definition's own address).
pub fn resolve_against(base: &str, url: &str) -> String {
    web_sys::Url::new_with_base(url, base)
        .map(|u| u.href())
        .unwrap_or_else(|_| url.to_owned())
}

/// An RFC 3339 timestamp as the citizen reads it, in their time zone ("23 november 2026 10:41").
pub fn human_time(rfc3339: &str, lang: LangTag) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    local_string(
        &date,
        lang,
        &[("dateStyle", "long"), ("timeStyle", "short")],
    )
}

/// A time in ms since the Unix epoch as the citizen reads it ("23 november 2026 10:41").
pub fn human_time_ms(ms: u64, lang: LangTag) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    local_string(
        &date,
        lang,
        &[("dateStyle", "long"), ("timeStyle", "short")],
    )
}

/// The time of day of a time in ms since the Unix epoch ("10:41").
pub fn clock_time_ms(ms: u64, lang: LangTag) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    local_string(&date, lang, &[("timeStyle", "short")])
}

fn local_string(date: &js_sys::Date, lang: LangTag, options: &[(&str, &str)]) -> String {
    let object = js_sys::Object::new();
    for (key, value) in options {
        let _ = js_sys::Reflect::set(&object, &(*key).into(), &(*value).into());
    }
    // Swedish and English as in Sweden and Britain; any other language with Western digits,
    // as dates and numbers stay left to right in a right-to-left page too.
    let locale = match lang.code() {
        "sv" => "sv-SE".to_owned(),
        "en" => "en-GB".to_owned(),
        other => format!("{other}-u-nu-latn"),
    };
    String::from(date.to_locale_string(&locale, &object))
}

/// Starts a User Timing measurement called `name` (see [`measure_end`]).
pub fn measure_start(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(&format!("{name}-start"));
    }
}

/// Ends the measurement `name` started by [`measure_start`]: a `measure` entry on the page's
/// timeline that a benchmark or the browser's profiler reads. Only the latest one is kept.
pub fn measure_end(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let start = format!("{name}-start");
        p.clear_measures_with_measure_name(name);
        let _ = p.measure_with_start_mark(name, &start);
        p.clear_marks_with_mark_name(&start);
    }
}

/// Opens the browser's print dialog (the receipt page has a print style).
pub fn print() {
    if let Some(w) = web_sys::window() {
        let _ = w.print();
    }
}

/// Now, in ms since the Unix epoch.
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// Whether the page is hidden (another tab, the phone's home screen, a locked screen).
pub fn page_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}

/// Sets the document title (WCAG 2.4.2: each step is its own "page").
pub fn set_title(title: &str) {
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        doc.set_title(title);
    }
}

/// Prefill values from the URL: `?prefill.<key>=<value>`, typed where the text is a JSON
/// number or boolean (`yes`/`no` count as booleans).
pub fn url_prefill() -> serde_json::Value {
    let mut out = serde_json::Map::new();
    let Some(search) = web_sys::window().and_then(|w| w.location().search().ok()) else {
        return serde_json::Value::Object(out);
    };
    for pair in search.trim_start_matches('?').split('&') {
        let mut kv = pair.splitn(2, '=');
        let (Some(k), Some(v)) = (kv.next(), kv.next()) else {
            continue;
        };
        let decode = |s: &str| {
            js_sys::decode_uri_component(&s.replace('+', " "))
                .ok()
                .map(String::from)
        };
        let (Some(k), Some(v)) = (decode(k), decode(v)) else {
            continue;
        };
        let Some(key) = k.strip_prefix("prefill.") else {
            continue;
        };
        let value = match v.as_str() {
            "yes" => serde_json::Value::Bool(true),
            "no" => serde_json::Value::Bool(false),
            _ => serde_json::from_str::<serde_json::Value>(&v)
                .ok()
                .filter(|j| j.is_number() || j.is_boolean())
                .unwrap_or(serde_json::Value::String(v)),
        };
        out.insert(key.to_owned(), value);
    }
    serde_json::Value::Object(out)
}

/// The embedding page's configuration: `<script type="application/json" id="blankett-config">`.
pub fn page_config() -> Option<serde_json::Value> {
    let text = web_sys::window()?
        .document()?
        .get_element_by_id("blankett-config")?
        .text_content()?;
    serde_json::from_str(&text).ok()
}

/// Keeps a small text (a code list) for the next visit; failures (private mode, full
/// storage) are ignored: it is only a fallback.
pub fn store_local(key: &str, value: &str) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(key, value);
    }
}

/// Deletes every text [`store_local`] kept (code lists from earlier visits).
pub fn forget_local() {
    let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) else {
        return;
    };
    let keys: Vec<String> = (0..storage.length().unwrap_or(0))
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|k| k.starts_with("blankett:"))
        .collect();
    for key in keys {
        let _ = storage.remove_item(&key);
    }
}

/// A text kept by [`store_local`].
pub fn load_local(key: &str) -> Option<String> {
    web_sys::window()?
        .local_storage()
        .ok()
        .flatten()?
        .get_item(key)
        .ok()
        .flatten()
}

thread_local! {
    /// Whether a pointer (mouse, finger, pen) press is under way: from `pointerdown` to the
    /// `click` it becomes (or a second after it ends without one).
    static PRESSING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// What waits for the press to end ([`after_press`]).
    static AFTER_PRESS: std::cell::RefCell<Vec<Box<dyn FnOnce()>>> =
        const { std::cell::RefCell::new(Vec::new()) };
    /// Whether [`watch_presses`] listens already.
    static WATCHING_PRESSES: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Starts following pointer presses on the page (once), for [`after_press`].
pub fn watch_presses() {
    if WATCHING_PRESSES.replace(true) {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let on = |name: &str, f: Box<dyn FnMut()>| {
        let closure = wasm_bindgen::prelude::Closure::<dyn FnMut()>::wrap(f);
        let _ = window.add_event_listener_with_callback_and_bool(
            name,
            closure.as_ref().unchecked_ref(),
            true,
        );
        closure.forget();
    };
    on("pointerdown", Box::new(|| PRESSING.set(true)));
    // After the click's own handlers (a task later), or a second after a press that makes no
    // click (a drag), what waited runs.
    on("click", Box::new(|| end_press_in(0)));
    on("pointercancel", Box::new(|| end_press_in(0)));
    on("pointerup", Box::new(|| end_press_in(1_000)));
}

/// Ends the press after `ms` milliseconds and runs what waited for it.
fn end_press_in(ms: i32) {
    leptos::prelude::set_timeout(
        || {
            if !PRESSING.replace(false) {
                return;
            }
            let waiting = AFTER_PRESS.with_borrow_mut(std::mem::take);
            for f in waiting {
                f();
            }
        },
        std::time::Duration::from_millis(u64::try_from(ms).unwrap_or(0)),
    );
}

/// Runs `f` now, or, while a pointer press is under way, once it has ended (after its click):
/// a change that moves the page (a message appearing or going when a field loses focus) must
/// not move the button under the citizen's finger between the press and the click, or the
/// click lands elsewhere and is lost.
pub fn after_press(f: impl FnOnce() + 'static) {
    if PRESSING.get() {
        AFTER_PRESS.with_borrow_mut(|w| w.push(Box::new(f)));
    } else {
        f();
    }
}
