//! HTTP with the browser's fetch: getting definitions, posting submissions.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Why a request produced no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetError {
    /// No connection, a refused connection, a blocked request (CORS) or an aborted one.
    Network(String),
    /// The server answered with an error status.
    Status(u16, String),
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

/// GETs `url` and returns the body of a 2xx response.
pub async fn get_text(url: &str) -> Result<String, NetError> {
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    let request = web_sys::Request::new_with_str_and_init(url, &init)
        .map_err(|e| NetError::Network(js_message(e)))?;
    ok_body(send(request).await?)
}

/// Like [`get_text`], but takes the fetch of `url` that the page started before the app ran,
/// if it started one for this address (once: a retry fetches again).
pub async fn get_preloaded(url: &str) -> Result<String, NetError> {
    match take_preload(url) {
        Some(fetch) => ok_body(read(fetch).await?),
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
    let headers = web_sys::Headers::new().map_err(|e| NetError::Network(js_message(e)))?;
    headers
        .set("Content-Type", "application/json")
        .map_err(|e| NetError::Network(js_message(e)))?;
    headers
        .set("Accept", "application/json")
        .map_err(|e| NetError::Network(js_message(e)))?;
    for (name, value) in extra {
        headers
            .set(name, value)
            .map_err(|e| NetError::Network(js_message(e)))?;
    }
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&wasm_bindgen::JsValue::from_str(body));
    let request = web_sys::Request::new_with_str_and_init(url, &init)
        .map_err(|e| NetError::Network(js_message(e)))?;
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
