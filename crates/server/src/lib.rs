//! Blankett's reference receiver: checks submissions again with the same engine as the
//! browser, stores each one exactly once in SQLite, and serves the built app.
//!
//! `main.rs` only parses arguments; everything here can be started in-process by tests
//! with [`AppState::open`] and [`serve_with_listener`].

pub mod api;
pub mod backup;
pub mod check;
pub mod config;
pub mod conformance;
pub mod forms;
pub mod import;
pub mod keys;
pub mod limits;
pub mod problems;
pub mod rate;
pub mod retention;
pub mod store;
pub mod throttle;
pub mod uploads;
pub mod verify;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post, put};
use tokio::net::TcpListener;
use tower::ServiceExt;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

pub use config::Config;
use forms::{Forms, Skipped};
use keys::{KeyError, ReceiverKey};
use store::{Store, StoreError};

/// The Content-Security-Policy of HTML pages.
///
/// No inline script runs: the app's page gets [`csp_with_nonce`] instead, whose fresh nonce
/// admits only trunk's own loader.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
    base-uri 'none'; frame-ancestors 'self'";

/// The placeholder trunk writes (`create_nonce = true`) where each response's nonce goes.
pub const NONCE_PLACEHOLDER: &str = "{{__TRUNK NONCE__}}";

/// The policy for the app's page: [`CSP`] with `'nonce-…'` for trunk's inline loader.
pub fn csp_with_nonce(nonce: &str) -> String {
    CSP.replacen(
        "'wasm-unsafe-eval'",
        &format!("'wasm-unsafe-eval' 'nonce-{nonce}'"),
        1,
    )
}

/// A fresh nonce: 128 random bits from the operating system, hex-encoded.
fn new_nonce() -> Option<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).ok()?;
    Some(blankett_core::signing::hex(&bytes))
}

/// The request headers a cross-origin page may send with a submission.
const CORS_ALLOW_HEADERS: &str =
    "Content-Type, Idempotency-Key, Signature, Signature-Input, Content-Digest, Blankett-Key";

/// The response headers a cross-origin page may read: the receipt's address, its signature
/// and digest, and the receiver's clock (for a `signature_expired`).
const CORS_EXPOSE_HEADERS: &str = "Location, Signature, Signature-Input, Content-Digest, Date";

/// Where the receiver publishes its receipt-signing key.
pub const JWKS_PATH: &str = "/.well-known/jwks.json";

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The database could not be opened or migrated.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The receiver's signing key could not be loaded or made.
    #[error("{0}")]
    ReceiverKey(#[from] KeyError),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// Serving failed.
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
}

/// Everything the handlers share.
#[derive(Debug)]
pub struct AppState {
    /// The loaded definitions.
    pub forms: Forms,
    /// Definition files that were skipped, and why.
    pub skipped: Vec<Skipped>,
    /// The submissions database.
    pub store: Store,
    /// The admin endpoint's bearer token; `None` disables the endpoint.
    pub admin_token: Option<String>,
    /// The admin endpoint's memory of wrong tokens, which slows guessing down.
    pub admin_throttle: throttle::Throttle,
    /// Other origins the served app may fetch from and post to (`connect-src`).
    pub connect_origins: Vec<String>,
    /// The largest request body accepted, in bytes.
    pub max_body: usize,
    /// The built app's folder.
    pub dist: PathBuf,
    /// The definitions' folder, served at `/forms/`.
    pub forms_dir: PathBuf,
    /// What the receiver asks of submissions' signatures.
    pub signatures: verify::Policy,
    /// The origins that may post cross-origin; empty: every origin.
    pub allowed_origins: Vec<String>,
    /// The receiver's own key, which signs receipts.
    pub receiver_key: ReceiverKey,
    /// What the last readiness check found (`/readyz`), so a change is logged once.
    pub ready: std::sync::atomic::AtomicBool,
    /// The per-client limit on `POST /api/submissions`; `None`: off.
    pub submit_rate: Option<rate::RateLimit>,
    /// Timeouts and the connection cap the server loop applies.
    pub limits: limits::Timeouts,
    /// File uploads: how many are read at once, how large, and the scanner.
    pub uploads: uploads::Uploads,
}

impl AppState {
    /// Opens the database (with `config`'s commit durability) and loads the forms named by
    /// `config`; broken forms are logged and skipped, never fatal.
    ///
    /// Blocks (PostgreSQL's client runs its own runtime): from async code, call it in
    /// `spawn_blocking`.
    pub fn open(config: &Config) -> Result<AppState, ServerError> {
        let database = config.database();
        let store = Store::connect(&database, config.store_options())?;
        tracing::info!(
            "storing submissions in {} at {}",
            store.backend(),
            database.display()
        );
        AppState::with_store(config, store)
    }

    /// [`AppState::open`] with a database already open: loads the forms and the receiver's
    /// key (made and stored on first start).
    pub fn with_store(config: &Config, store: Store) -> Result<AppState, ServerError> {
        let now = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let receiver_key = ReceiverKey::load_or_create(&store, &now)?;
        let (forms, skipped) = Forms::load_dir(&config.forms);
        for s in &skipped {
            tracing::error!("skipping {}:", s.path.display());
            for line in &s.lines {
                tracing::error!("  {}: {line}", s.path.display());
            }
        }
        tracing::info!(
            "{} form(s) loaded from {}",
            forms.len(),
            config.forms.display()
        );
        if let Some(token) = &config.admin_token
            && token.chars().count() < throttle::MIN_TOKEN_LEN
        {
            tracing::warn!(
                "BLANKETT_ADMIN_TOKEN is shorter than {} characters: use a long random one, \
                 such as the output of `openssl rand -hex 32`",
                throttle::MIN_TOKEN_LEN
            );
        }
        let uploads = uploads::Uploads {
            permits: Arc::new(tokio::sync::Semaphore::new(
                config.upload_concurrency.max(1),
            )),
            max_file_size: uploads::max_file_size(&forms),
            scanner: config.scan_command.clone().map(|command| uploads::Scanner {
                command,
                timeout: config.scan_timeout,
            }),
        };
        Ok(AppState {
            uploads,
            forms,
            skipped,
            store,
            admin_token: config.admin_token.clone(),
            admin_throttle: throttle::Throttle::default(),
            connect_origins: config.connect_origins.clone(),
            max_body: config.max_body,
            dist: config.dist.clone(),
            forms_dir: config.forms.clone(),
            signatures: verify::Policy {
                allow_unsigned: config.allow_unsigned,
                window: config.signature_window,
                public_url: config.public_url.clone(),
            },
            allowed_origins: config.allowed_origins.clone(),
            receiver_key,
            ready: std::sync::atomic::AtomicBool::new(true),
            submit_rate: config.submit_rate.map(rate::RateLimit::new),
            limits: config.limits,
        })
    }
}

/// The whole HTTP application: API, forms, the built app, and the common headers.
pub fn router(state: Arc<AppState>) -> Router {
    let submissions = post(api::post_submission)
        .options(api::preflight)
        .fallback(api::method_not_allowed)
        .layer(DefaultBodyLimit::max(state.max_body))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            rate::limit_submissions,
        ));
    // Files citizens' browsers download: compressed (by the build where it wrote `.br` and
    // `.gz` copies, else as sent). The API's answers are not: they are small, and some
    // carry personal data beside what a client sent, which compression can leak (BREACH).
    let public = Router::new()
        .nest_service(
            "/forms",
            ServeDir::new(&state.forms_dir)
                .precompressed_br()
                .precompressed_gzip(),
        )
        .fallback(static_app)
        .layer(
            CompressionLayer::new()
                .br(true)
                .gzip(true)
                .no_deflate()
                .no_zstd(),
        );
    Router::new()
        .route("/api/submissions", submissions)
        .route("/api/submissions/{reference}", get(api::get_submission))
        .route(
            "/api/submissions/{reference}/files/{sha256}",
            put(uploads::put_file)
                .get(uploads::get_file)
                .options(api::preflight)
                .fallback(uploads::method_not_allowed),
        )
        .route(
            "/api/submissions/{reference}/flowinstance.xml",
            get(api::get_flowinstance_xml),
        )
        .route("/api/forms", get(api::list_forms))
        .route("/api/forms/{form}/flowinstance.xsd", get(api::get_form_xsd))
        .route("/api", any(api::api_not_found))
        .route("/api/{*rest}", any(api::api_not_found))
        .route("/healthz", get(api::healthz))
        .route("/readyz", get(api::readyz))
        .route(JWKS_PATH, get(api::jwks))
        .merge(public)
        .layer(middleware::from_fn(not_a_file_name))
        .layer(middleware::from_fn(limits::check_head))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            common_headers,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Answers `404` to a path with a segment no file can be named ([`limits::has_overlong_segment`])
/// before the static file services ask the file system, which refuses with an error
/// (`ENAMETOOLONG`) that they would answer `500`. Routes under `/api` answer for themselves.
async fn not_a_file_name(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if !path.starts_with("/api/") && limits::has_overlong_segment(path) {
        tracing::debug!(
            "404: a path segment longer than {} bytes",
            limits::MAX_SEGMENT
        );
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Not found\n",
        )
            .into_response();
    }
    next.run(request).await
}

/// Serves the built app, or says how to build it when it is missing.
async fn static_app(State(app): State<Arc<AppState>>, request: Request) -> Response {
    if !app.dist.is_dir() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!(
                "The app is not built: {} does not exist. Run `cargo xtask build`, then reload.\n",
                app.dist.display()
            ),
        )
            .into_response();
    }
    let path = request.uri().path();
    if path == "/" || path == "/index.html" {
        return app_page(&app.dist.join("index.html")).await;
    }
    let files = ServeDir::new(&app.dist)
        .precompressed_br()
        .precompressed_gzip();
    match files.oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    }
}

/// The app's page with a fresh nonce in trunk's loader and the matching policy header.
///
/// A nonce fixed at build time would be no protection, so every response gets its own.
async fn app_page(index: &std::path::Path) -> Response {
    let html = match tokio::fs::read_to_string(index).await {
        Ok(html) => html,
        Err(e) => {
            tracing::error!("cannot read {}: {e}", index.display());
            return (
                StatusCode::NOT_FOUND,
                "index.html is missing from the built app\n",
            )
                .into_response();
        }
    };
    let Some(nonce) = new_nonce() else {
        tracing::error!("the operating system gave no random bytes for a CSP nonce");
        return (StatusCode::SERVICE_UNAVAILABLE, "try again\n").into_response();
    };
    let csp = csp_with_nonce(&nonce);
    let mut response = (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html.replace(NONCE_PLACEHOLDER, &nonce),
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&csp) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// Whether `path` names a file whose name carries its content's hash, as trunk and the
/// build name them (`blankett-0123456789abcdef_bg.wasm`, `embed-0123456789abcdef.js`): a
/// hyphen, then 16 hexadecimal digits, then `_` or `.`.
fn is_hashed_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.match_indices('-').any(|(at, _)| {
        let rest = &name[at + 1..];
        rest.len() > 17
            && rest[..16].bytes().all(|b| b.is_ascii_hexdigit())
            && matches!(rest.as_bytes()[16], b'.' | b'_')
    })
}

/// Whether a path is a file upload's, `/api/submissions/{submission_id}/files/{sha256}`.
fn is_upload_path(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    matches!(parts.as_slice(), ["", "api", "submissions", id, "files", hash] if !id.is_empty() && !hash.is_empty())
}

/// Whether a path is the app's page, its service worker or a form definition, which must never
/// be cached stale (a stale `sw.js` would hide a new deployment from the browser).
fn no_cache_path(path: &str) -> bool {
    path == "/"
        || path == "/sw.js"
        || path == "/embed.js"
        || path.ends_with("/index.html")
        || (path.starts_with("/forms/") && path.ends_with(".json"))
}

/// `policy` with the configured origins added: `connect` to `connect-src` (definitions, code
/// lists and submissions elsewhere) and `img-src` (a definition's logo there), `framing` to
/// `frame-ancestors` (iframe mode).
pub fn policy_for(policy: &str, connect: &[String], framing: &[String]) -> String {
    let mut policy = policy.to_owned();
    for (directive, origins) in [
        ("connect-src 'self'", connect),
        ("img-src 'self' data:", connect),
        ("frame-ancestors 'self'", framing),
    ] {
        if !origins.is_empty() {
            policy = policy.replace(directive, &format!("{directive} {}", origins.join(" ")));
        }
    }
    policy
}

/// The `Access-Control-Allow-Origin` for a request from `origin`: `*` when no origins are
/// configured, else the origin itself when it is one of them, else none.
fn allow_origin(allowed: &[String], origin: Option<&HeaderValue>) -> Option<HeaderValue> {
    if allowed.is_empty() {
        return Some(HeaderValue::from_static("*"));
    }
    let origin = origin?;
    let text = origin.to_str().ok()?.to_ascii_lowercase();
    allowed.contains(&text).then(|| origin.clone())
}

/// The CORS headers of `/api/submissions` and the JWK Set.
fn cors_headers(
    headers: &mut HeaderMap,
    allowed: &[String],
    origin: Option<&HeaderValue>,
    submissions: bool,
    is_preflight: bool,
) {
    if !allowed.is_empty() {
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
    }
    let Some(allow) = allow_origin(allowed, origin) else {
        return;
    };
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow);
    if !submissions {
        return;
    }
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(CORS_EXPOSE_HEADERS),
    );
    if is_preflight {
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("POST, PUT, OPTIONS"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(CORS_ALLOW_HEADERS),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("86400"),
        );
    }
}

/// Adds the security, caching and CORS headers every response needs.
async fn common_headers(
    State(app): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let is_preflight = request.method() == Method::OPTIONS;
    let method = request.method().clone();
    let is_upload = is_upload_path(&path);
    let origin = request.headers().get(header::ORIGIN).cloned();
    let mut response = next.run(request).await;
    let status = response.status();
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if is_html && !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    if path.starts_with("/api/") {
        // API answers carry personal data or one-off outcomes: never cache them.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else if no_cache_path(&path) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    } else if is_hashed_file(&path) && status.is_success() {
        // The name changes whenever the content does: a browser never asks again.
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    }
    if !path.starts_with("/api")
        && !headers.get_all(header::VARY).iter().any(|v| {
            v.to_str()
                .is_ok_and(|v| v.to_ascii_lowercase().contains("accept-encoding"))
        })
    {
        // The same address has a brotli, a gzip and a plain body: caches must keep them apart.
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if !path.starts_with("/api")
        && path != JWKS_PATH
        && !headers.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN)
    {
        // The runtime's files and the forms are public: a host page on any origin may load
        // them (embed.js is a module script, fetched with CORS, as are the module and the
        // definitions it loads). Nothing here depends on who asks.
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
    }
    if is_html
        && let Some(policy) = headers
            .get(header::CONTENT_SECURITY_POLICY)
            .and_then(|v| v.to_str().ok())
    {
        // The other origins the app may load from and post to; iframe mode: the host pages
        // allowed to call the API may also frame the app.
        let policy = policy_for(policy, &app.connect_origins, &app.allowed_origins);
        if let Ok(value) = HeaderValue::from_str(&policy) {
            headers.insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
    let upload = is_upload && matches!(method, Method::PUT | Method::OPTIONS);
    if path == "/api/submissions" || path == JWKS_PATH || upload {
        cors_headers(
            headers,
            &app.allowed_origins,
            origin.as_ref(),
            path == "/api/submissions" || upload,
            is_preflight,
        );
    }
    response
}

/// Serves on `listener` until `shutdown` completes, then finishes the requests in flight.
/// hyper's own answers to heads it will not parse are rewritten as problem documents
/// ([`limits::ProblemIo`]).
///
/// Prints `Blankett is running at http://ADDR/` to stdout once listening. `state` may be
/// shared, so a caller can look at it while serving.
pub async fn serve_with_listener(
    listener: TcpListener,
    state: impl Into<Arc<AppState>>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let addr = listener.local_addr()?;
    let state: Arc<AppState> = state.into();
    let timeouts = state.limits;
    println!("Blankett is running at http://{addr}/");
    limits::serve(listener, router(state), timeouts, shutdown).await?;
    Ok(())
}

/// Opens everything `config` names, binds its address and serves until Ctrl-C or SIGTERM.
/// With `--retention-every`, retention runs once before listening and then on schedule.
pub async fn run(config: Config) -> Result<(), ServerError> {
    let opening = config.clone();
    let state = Arc::new(
        tokio::task::spawn_blocking(move || AppState::open(&opening))
            .await
            .map_err(|e| ServerError::Io(std::io::Error::other(e)))??,
    );
    if let Some(hours) = config.retention_every {
        let options = retention::Options {
            keep_unread: config.keep_unread,
            dry_run: false,
            staged_hours: config.staged_hours,
        };
        retention_pass(&state, options);
        let every = std::time::Duration::from_secs(u64::from(hours) * 3600);
        let scheduled = Arc::clone(&state);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let state = Arc::clone(&scheduled);
                if let Err(e) =
                    tokio::task::spawn_blocking(move || retention_pass(&state, options)).await
                {
                    tracing::error!("retention stopped: {e}");
                }
            }
        });
    }
    let listener = TcpListener::bind(&config.addr)
        .await
        .map_err(|source| ServerError::Bind {
            addr: config.addr.clone(),
            source,
        })?;
    serve_with_listener(listener, state, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// One retention run over the receiver's database and forms, now; a failure is logged and
/// the next run tries again.
fn retention_pass(state: &AppState, options: retention::Options) {
    let now = time::OffsetDateTime::now_utc();
    if let Err(e) = retention::run(&state.store, &state.forms, now, options) {
        tracing::error!("retention failed: {e}");
    }
}

/// Completes on Ctrl-C, or on SIGTERM on Unix.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::{is_hashed_file, no_cache_path};

    #[test]
    fn hashed_file_names() {
        for hashed in [
            "/blankett-0123456789abcdef_bg.wasm",
            "/blankett-0123456789abcdef.js",
            "/main-9d2b2ed704bf2a74.css",
            "/embed-944430619bfaab42.js",
            "/dev/oep-web-0123456789ABCDEF_bg.wasm",
        ] {
            assert!(is_hashed_file(hashed), "{hashed}");
        }
        for plain in [
            "/embed.js",
            "/sw.js",
            "/index.html",
            "/forms/bygglov-0123456789abcdef",
            "/blankett-0123456789abcde.js",
            "/blankett-0123456789abcdeg.js",
            "/a-0123456789abcdef",
        ] {
            assert!(!is_hashed_file(plain), "{plain}");
        }
    }

    #[test]
    fn the_page_its_worker_and_definitions_are_revalidated() {
        for path in ["/", "/index.html", "/sw.js", "/forms/felanmalan.json"] {
            assert!(no_cache_path(path), "{path}");
        }
        for path in [
            "/blankett-1234.js",
            "/main-5678.css",
            "/forms/sw.js",
            "/dev/oep.js",
        ] {
            assert!(!no_cache_path(path), "{path}");
        }
    }
}
