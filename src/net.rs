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

/// A response: status and body text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The HTTP status code.
    pub status: u16,
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
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|e| NetError::Network(js_message(e)))?
        .unchecked_into();
    let text = response
        .text()
        .map_err(|e| NetError::Network(js_message(e)))?;
    let body = JsFuture::from(text)
        .await
        .map_err(|e| NetError::Network(js_message(e)))?;
    Ok(Reply {
        status: response.status(),
        body: body.as_string().unwrap_or_default(),
    })
}

/// GETs `url` and returns the body of a 2xx response.
pub async fn get_text(url: &str) -> Result<String, NetError> {
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    let request = web_sys::Request::new_with_str_and_init(url, &init)
        .map_err(|e| NetError::Network(js_message(e)))?;
    let reply = send(request).await?;
    if (200..300).contains(&reply.status) {
        Ok(reply.body)
    } else {
        Err(NetError::Status(reply.status, reply.body))
    }
}

/// POSTs a JSON body and returns whatever the server answered.
pub async fn post_json(url: &str, body: &str) -> Result<Reply, NetError> {
    let headers = web_sys::Headers::new().map_err(|e| NetError::Network(js_message(e)))?;
    headers
        .set("Content-Type", "application/json")
        .map_err(|e| NetError::Network(js_message(e)))?;
    headers
        .set("Accept", "application/json")
        .map_err(|e| NetError::Network(js_message(e)))?;
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
