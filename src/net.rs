//! HTTP with the browser's fetch: getting definitions, posting submissions.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Why a request produced no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetError {
    /// No connection, a refused connection or an aborted request.
    Network(String),
    /// The device is online and the server is there, but this page may not read from
    /// `origin`: the page's Content-Security-Policy (`by_policy`) or the server's CORS answer
    /// refused it. A setting of the page or the server, never the citizen's connection.
    Blocked {
        /// The origin the page may not load from.
        origin: String,
        /// Whether the page's own policy blocked it (else the other server's CORS answer).
        by_policy: bool,
    },
    /// The server answered with an error status.
    Status(u16, String),
}

impl NetError {
    /// The failure in a few technical words (for the page's small print and the host's events).
    pub fn technical(&self) -> String {
        match self {
            NetError::Status(status, _) => format!("HTTP {status}"),
            NetError::Network(message) => message.clone(),
            NetError::Blocked {
                origin,
                by_policy: true,
            } => {
                format!("blocked by this page's Content-Security-Policy (connect-src): {origin}")
            }
            NetError::Blocked {
                origin,
                by_policy: false,
            } => {
                format!("blocked by CORS: {origin} does not allow this page")
            }
        }
    }
}

thread_local! {
    /// The addresses this page's Content-Security-Policy refused, as the browser reported them.
    static REFUSED: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
    /// Whether [`watch_policy`] listens already.
    static WATCHING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Starts noting the requests this page's Content-Security-Policy refuses, so a failed fetch
/// can be told apart from a lost connection. Once per page.
pub fn watch_policy() {
    if WATCHING.replace(true) {
        return;
    }
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let listener =
        wasm_bindgen::prelude::Closure::<dyn FnMut(web_sys::Event)>::new(|e: web_sys::Event| {
            let blocked = js_sys::Reflect::get(&e, &"blockedURI".into())
                .ok()
                .and_then(|v| v.as_string());
            if let Some(uri) = blocked {
                REFUSED.with_borrow_mut(|r| r.push(uri));
            }
        });
    let _ = doc.add_event_listener_with_callback_and_bool(
        "securitypolicyviolation",
        listener.as_ref().unchecked_ref(),
        true,
    );
    listener.forget();
}

/// The origin of `url` (`https://host[:port]`), or the text itself when it is not a URL.
fn origin_of(url: &str) -> String {
    web_sys::Url::new(url)
        .map(|u| u.origin())
        .unwrap_or_else(|_| url.to_owned())
}

/// Whether the page's policy refused a request to `origin`.
fn refused(origin: &str) -> bool {
    REFUSED.with_borrow(|r| {
        r.iter()
            .any(|uri| origin_of(uri) == origin || uri == origin)
    })
}

/// Waits `ms` milliseconds.
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// What a failed GET of `url` means: with the device online, a blocked address (the page's
/// policy, or the server answering a request that CORS then hid) rather than no connection.
/// Also says so in the browser's console, for the form's author.
async fn explain(url: &str, error: NetError) -> NetError {
    let NetError::Network(_) = error else {
        return error;
    };
    let Some(window) = web_sys::window() else {
        return error;
    };
    if !window.navigator().on_line() {
        return error;
    }
    let origin = origin_of(url);
    // A request the page may not read still reaches a server that is there (an opaque answer);
    // the page's own policy refuses even that, and reports it.
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    init.set_mode(web_sys::RequestMode::NoCors);
    init.set_credentials(web_sys::RequestCredentials::Omit);
    let reachable = match web_sys::Request::new_with_str_and_init(url, &init) {
        Ok(probe) => JsFuture::from(window.fetch_with_request(&probe))
            .await
            .is_ok(),
        Err(_) => false,
    };
    // The browser reports a violation in a task of its own.
    for _ in 0..5 {
        if refused(&origin) {
            break;
        }
        sleep(20).await;
    }
    let blocked = if refused(&origin) {
        NetError::Blocked {
            origin: origin.clone(),
            by_policy: true,
        }
    } else if reachable {
        NetError::Blocked {
            origin: origin.clone(),
            by_policy: false,
        }
    } else {
        return error;
    };
    web_sys::console::error_1(
        &format!(
            "Blankett: this page may not load {url}: {}. For the form's author: allow {origin} in \
             the page's Content-Security-Policy connect-src (on Blankett's receiver: \
             --connect-origin {origin}), and make {origin} answer with \
             Access-Control-Allow-Origin for this page's origin.",
            blocked.technical()
        )
        .into(),
    );
    blocked
}

/// A response: status, the header fields the page may read, and body text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The HTTP status code.
    pub status: u16,
    /// Header fields with lowercase names (for another origin, only those it exposes).
    pub headers: Vec<(String, String)>,
    /// The body as text.
    pub body: String,
}

fn js_message(e: wasm_bindgen::JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| format!("{e:?}"))
}

async fn send(request: web_sys::Request) -> Result<Reply, NetError> {
    let window = web_sys::window().ok_or_else(|| NetError::Network("no window".into()))?;
    read(window.fetch_with_request(&request)).await
}

/// The reply to a fetch in flight.
async fn read(fetch: js_sys::Promise) -> Result<Reply, NetError> {
    let response: web_sys::Response = JsFuture::from(fetch)
        .await
        .map_err(|e| NetError::Network(js_message(e)))?
        .unchecked_into();
    let text = response
        .text()
        .map_err(|e| NetError::Network(js_message(e)))?;
    let body = JsFuture::from(text)
        .await
        .map_err(|e| NetError::Network(js_message(e)))?;
    let mut headers = Vec::new();
    if let Ok(Some(entries)) = js_sys::try_iter(&response.headers()) {
        for entry in entries.flatten() {
            let pair = js_sys::Array::from(&entry);
            if let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                headers.push((name.to_ascii_lowercase(), value));
            }
        }
    }
    Ok(Reply {
        status: response.status(),
        headers,
        body: body.as_string().unwrap_or_default(),
    })
}

/// GETs `url` and returns the body of a 2xx response; a failure says whether the address was
/// blocked ([`NetError::Blocked`]) or the connection failed.
pub async fn get_text(url: &str) -> Result<String, NetError> {
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    let request = web_sys::Request::new_with_str_and_init(url, &init)
        .map_err(|e| NetError::Network(js_message(e)))?;
    match send(request).await {
        Ok(reply) => ok_body(reply),
        Err(e) => Err(explain(url, e).await),
    }
}

/// Like [`get_text`], but takes the fetch of `url` that the page started before the app ran,
/// if it started one for this address (once: a retry fetches again).
pub async fn get_preloaded(url: &str) -> Result<String, NetError> {
    match take_preload(url) {
        Some(fetch) => match read(fetch).await {
            Ok(reply) => ok_body(reply),
            Err(e) => Err(explain(url, e).await),
        },
        None => get_text(url).await,
    }
}

/// The fetch of `url` that index.html or embed.js started (`window.blankett.preloads[url]`),
/// removed from there.
fn take_preload(url: &str) -> Option<js_sys::Promise> {
    let window: wasm_bindgen::JsValue = web_sys::window()?.into();
    let ns = js_sys::Reflect::get(&window, &"blankett".into()).ok()?;
    let preloads = js_sys::Reflect::get(&ns, &"preloads".into()).ok()?;
    let key = wasm_bindgen::JsValue::from_str(url);
    let fetch = js_sys::Reflect::get(&preloads, &key)
        .ok()?
        .dyn_into::<js_sys::Promise>()
        .ok()?;
    js_sys::Reflect::delete_property(preloads.dyn_ref::<js_sys::Object>()?, &key).ok()?;
    Some(fetch)
}

/// The body of a 2xx reply, or the status as an error.
fn ok_body(reply: Reply) -> Result<String, NetError> {
    if (200..300).contains(&reply.status) {
        Ok(reply.body)
    } else {
        Err(NetError::Status(reply.status, reply.body))
    }
}

/// POSTs a JSON body with `extra` header fields and returns whatever the server answered.
pub async fn post_json(
    url: &str,
    body: &str,
    extra: &[(String, String)],
) -> Result<Reply, NetError> {
    let json = [("Content-Type".to_owned(), "application/json".to_owned())];
    let fields = json.iter().chain(extra);
    send_body("POST", url, &wasm_bindgen::JsValue::from_str(body), fields).await
}

/// PUTs a Blob (an attached file) with the given header fields (`content-type` among them);
/// the browser streams it from the device's storage.
pub async fn put_blob(
    url: &str,
    blob: &web_sys::Blob,
    fields: &[(String, String)],
) -> Result<Reply, NetError> {
    send_body("PUT", url, blob, fields.iter()).await
}

/// Sends `body` with `method`, `Accept: application/json` and `fields`; whatever the server
/// answered.
async fn send_body(
    method: &str,
    url: &str,
    body: &wasm_bindgen::JsValue,
    fields: impl Iterator<Item = &(String, String)>,
) -> Result<Reply, NetError> {
    let network = |e| NetError::Network(js_message(e));
    let headers = web_sys::Headers::new().map_err(network)?;
    headers.set("Accept", "application/json").map_err(network)?;
    for (name, value) in fields {
        headers.set(name, value).map_err(network)?;
    }
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_headers(&headers);
    init.set_body(body);
    let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(network)?;
    send(request).await
}

/// GETs JSON with the citizen's cookies (a prefill endpoint behind the host's login).
pub async fn get_json_with_credentials(url: &str) -> Result<serde_json::Value, NetError> {
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    init.set_credentials(web_sys::RequestCredentials::Include);
    let request = web_sys::Request::new_with_str_and_init(url, &init)
        .map_err(|e| NetError::Network(js_message(e)))?;
    let reply = send(request).await?;
    if !(200..300).contains(&reply.status) {
        return Err(NetError::Status(reply.status, reply.body));
    }
    serde_json::from_str(&reply.body).map_err(|e| NetError::Network(e.to_string()))
}
