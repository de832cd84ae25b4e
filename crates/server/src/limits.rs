//! How large a request's head may be, and the answers when it is larger: `414` for a long
//! request target and `431` for large header fields, each an RFC 9457 problem document like
//! every other refusal.
//!
//! Two layers give those answers. The receiver's own limits ([`MAX_TARGET`],
//! [`MAX_HEADER_BYTES`]) are checked by the [`check_head`] middleware before any handler.
//! Beyond them, hyper refuses a head it will not parse at all (a target over 64 KiB, more
//! than 100 fields, a head over its buffer) and writes a bare `414`/`431` itself, with no
//! body, before the router ever sees the request; [`ProblemIo`] recognises that automatic
//! answer on the connection and writes the problem document in its place.
//!
//! The connection loop ([`serve`]) also cuts off slow and idle clients and caps how many
//! connections are served at once ([`Timeouts`]), and [`has_overlong_segment`] spots a
//! path no file can have.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use crate::problems::{ApiError, PROBLEM_JSON};

/// The longest request target (path and query) the receiver takes, in bytes, as common
/// servers do (nginx, Apache and Tomcat allow about 8 KiB).
pub const MAX_TARGET: usize = 8 * 1024;

/// The most header-field bytes (names, values and their separators) the receiver takes.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

/// Refuses a request whose target or header fields are larger than the receiver takes.
pub async fn check_head(request: Request, next: Next) -> Response {
    if let Some(refusal) = head_refusal(&request) {
        return refusal.into_response();
    }
    next.run(request).await
}

/// The refusal a request's head earns, if any.
fn head_refusal(request: &Request) -> Option<ApiError> {
    let target = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if target > MAX_TARGET {
        return Some(ApiError::UriTooLong);
    }
    let header_bytes: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    (header_bytes > MAX_HEADER_BYTES).then_some(ApiError::HeaderFieldsTooLarge)
}

/// The address of the client at the other end of a connection, for handlers that need it
/// (`ConnectInfo<ClientAddr>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub SocketAddr);

/// A connection that writes what hyper writes, except that hyper's own bodiless `414` and
/// `431` answers become problem documents.
#[derive(Debug)]
pub struct ProblemIo<S> {
    inner: S,
    /// A rewritten answer not yet written, and how much of it is.
    pending: Vec<u8>,
    written: usize,
}

impl<S> ProblemIo<S> {
    /// Wraps a connection.
    pub fn new(inner: S) -> ProblemIo<S> {
        ProblemIo {
            inner,
            pending: Vec::new(),
            written: 0,
        }
    }
}

impl<S: AsyncWrite + Unpin> ProblemIo<S> {
    /// Writes the rest of a rewritten answer.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n =
                ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.pending.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }

    /// Takes `buf` as written when it is hyper's automatic answer, keeping its replacement to
    /// write; `None` when `buf` is anything else.
    fn take_automatic(
        &mut self,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Option<Poll<io::Result<usize>>> {
        let replacement = rewrite_automatic(buf)?;
        self.pending = replacement;
        self.written = 0;
        // The caller's bytes are taken either way; what is left is written on the next
        // write, flush or shutdown.
        Some(match self.poll_pending(cx) {
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            _ => Poll::Ready(Ok(buf.len())),
        })
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for ProblemIo<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for ProblemIo<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        if let Some(taken) = this.take_automatic(cx, buf) {
            return taken;
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        let mut filled = bufs.iter().filter(|b| !b.is_empty());
        if let (Some(only), None) = (filled.next(), filled.next())
            && let Some(taken) = this.take_automatic(cx, only)
        {
            return taken;
        }
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

/// The problem document that replaces `written`, when `written` is exactly the head of one
/// of hyper's automatic answers: status `414` or `431`, `content-length: 0` and no
/// `content-type` (the router's answers always name their type).
fn rewrite_automatic(written: &[u8]) -> Option<Vec<u8>> {
    let refusal = if written.starts_with(b"HTTP/1.1 414 ") || written.starts_with(b"HTTP/1.0 414 ")
    {
        ApiError::UriTooLong
    } else if written.starts_with(b"HTTP/1.1 431 ") || written.starts_with(b"HTTP/1.0 431 ") {
        ApiError::HeaderFieldsTooLarge
    } else {
        return None;
    };
    let head = std::str::from_utf8(written.strip_suffix(b"\r\n\r\n")?).ok()?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let fields: Vec<&str> = lines.collect();
    let value_of = |line: &str, name: &str| {
        line.split_once(':')
            .filter(|(n, _)| n.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_owned())
    };
    let lengths: Vec<String> = fields
        .iter()
        .filter_map(|line| value_of(line, "content-length"))
        .collect();
    let typed = fields
        .iter()
        .any(|line| value_of(line, "content-type").is_some());
    if lengths != ["0"] || typed {
        return None;
    }
    let body = serde_json::to_vec(&refusal.problem()).ok()?;
    let mut out = format!(
        "{status_line}\r\ncontent-type: {PROBLEM_JSON}\r\ncontent-length: {}\r\n\
         x-content-type-options: nosniff\r\ncache-control: no-store\r\n",
        body.len()
    );
    for line in &fields {
        if value_of(line, "content-length").is_none() {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(&body);
    Some(out)
}

/// How long a client may take, and how many connections it may hold: the defences against
/// clients that open connections and then send nothing, or very slowly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// From waiting for a request's head (on a new connection, or after the previous answer
    /// on a kept-alive one) to its last header field.
    pub header: Duration,
    /// From a request's head to the last byte of its body.
    pub body: Duration,
    /// A connection with no request in flight and no byte either way for this long is closed.
    pub idle: Duration,
    /// Connections served at once; one more is answered `503` and closed.
    pub max_connections: usize,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            header: Duration::from_secs(crate::config::DEFAULT_HEADER_TIMEOUT),
            body: Duration::from_secs(crate::config::DEFAULT_BODY_TIMEOUT),
            idle: Duration::from_secs(crate::config::DEFAULT_IDLE_TIMEOUT),
            max_connections: crate::config::DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// How long the `503` to a connection over the cap may take to write (and the client to
/// close its side) before the connection is dropped.
const OVERLOAD_WRITE: Duration = Duration::from_secs(2);

/// Serves `app` on `listener` until `shutdown` completes, then lets the requests in flight
/// finish: HTTP/1 with hyper's header-read timeout, [`IdleIo`]'s idle timeout and the
/// connection cap of `limits`, each connection wrapped in [`ProblemIo`] and its requests
/// given `ConnectInfo<ClientAddr>`. (`axum::serve` sets no header-read timeout and no cap.)
pub async fn serve(
    listener: TcpListener,
    app: axum::Router,
    limits: Timeouts,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header);
    tokio::pin!(shutdown);
    loop {
        let (stream, addr) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little, as axum::serve does.
                    tracing::debug!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else {
            tracing::debug!(
                "{addr}: over {} connections, answered 503",
                limits.max_connections
            );
            tokio::spawn(refuse_overloaded(stream));
            continue;
        };
        let in_flight = Arc::new(AtomicUsize::new(0));
        let io = TokioIo::new(IdleIo::new(
            ProblemIo::new(stream),
            limits.idle,
            Arc::clone(&in_flight),
        ));
        let service = request_service(app.clone(), addr, limits.body, in_flight);
        let conn = builder.serve_connection(io, TowerToHyperService::new(service));
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let _permit = permit;
            tokio::pin!(conn);
            loop {
                tokio::select! {
                    result = conn.as_mut() => {
                        if let Err(e) = result {
                            // A client's doing (a timeout, a reset, a bad head): not ours.
                            tracing::debug!("{addr}: connection ended: {e}");
                        }
                        break;
                    }
                    _ = stop.changed() => conn.as_mut().graceful_shutdown(),
                }
            }
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // Every open connection holds a permit: all of them back means all have finished.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = permits.acquire_many(all).await;
    Ok(())
}

/// The service for one connection's requests: `app` with the client's address, the body
/// timeout, and the count of requests in flight that [`IdleIo`] reads.
fn request_service(
    app: axum::Router,
    addr: SocketAddr,
    body: Duration,
    in_flight: Arc<AtomicUsize>,
) -> impl tower::Service<
    Request<hyper::body::Incoming>,
    Response = Response,
    Error = std::convert::Infallible,
    Future = impl Future<Output = Result<Response, std::convert::Infallible>> + Send,
> + Clone
+ Send
+ 'static {
    let timed = tower::ServiceBuilder::new()
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(body))
        .service(app);
    tower::service_fn(move |mut request: Request<hyper::body::Incoming>| {
        request
            .extensions_mut()
            .insert(ConnectInfo(ClientAddr(addr)));
        let in_flight = Arc::clone(&in_flight);
        let mut timed = timed.clone();
        in_flight.fetch_add(1, Ordering::SeqCst);
        async move {
            let response = tower::Service::call(&mut timed, request.map(Body::new)).await;
            in_flight.fetch_sub(1, Ordering::SeqCst);
            response
        }
    })
}

/// Answers a connection over the cap with a `503` problem document and closes it, without
/// reading its request: a client may retry a moment later.
async fn refuse_overloaded(mut stream: TcpStream) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let body = serde_json::to_vec(&ApiError::Overloaded.problem()).unwrap_or_default();
    let mut answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: {PROBLEM_JSON}\r\n\
         content-length: {}\r\nretry-after: {OVERLOAD_RETRY_AFTER}\r\nconnection: close\r\n\
         x-content-type-options: nosniff\r\ncache-control: no-store\r\n\r\n",
        body.len()
    )
    .into_bytes();
    answer.extend_from_slice(&body);
    let _ = tokio::time::timeout(OVERLOAD_WRITE, async {
        stream.write_all(&answer).await?;
        stream.shutdown().await?;
        // Read what the client sent until it closes (or the time is up): closing with its
        // request unread would make the kernel reset the connection, and the client might
        // see the reset instead of the answer.
        let mut unread = [0u8; 1024];
        while stream.read(&mut unread).await? > 0 {}
        io::Result::Ok(())
    })
    .await;
}

/// The `Retry-After` of the `503` over the connection cap, in seconds.
pub const OVERLOAD_RETRY_AFTER: u64 = 1;

/// A connection that ends (reads as closed) when it has had no request in flight and no
/// byte in either direction for its idle time: the idle keep-alive timeout.
#[derive(Debug)]
pub struct IdleIo<S> {
    inner: S,
    idle: Duration,
    timer: Pin<Box<tokio::time::Sleep>>,
    in_flight: Arc<AtomicUsize>,
}

impl<S> IdleIo<S> {
    /// Wraps a connection.
    pub fn new(inner: S, idle: Duration, in_flight: Arc<AtomicUsize>) -> IdleIo<S> {
        IdleIo {
            inner,
            idle,
            timer: Box::pin(tokio::time::sleep(idle)),
            in_flight,
        }
    }

    /// Starts the idle time again: something happened.
    fn touch(&mut self) {
        let deadline = tokio::time::Instant::now() + self.idle;
        self.timer.as_mut().reset(deadline);
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for IdleIo<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Pending => {
                if this.in_flight.load(Ordering::SeqCst) > 0 {
                    this.touch();
                }
                if this.timer.as_mut().poll(cx).is_ready() {
                    // Read as the end of the connection: hyper closes it.
                    tracing::debug!("idle connection closed");
                    return Poll::Ready(Ok(()));
                }
                Poll::Pending
            }
            ready => {
                this.touch();
                ready
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for IdleIo<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = ready!(Pin::new(&mut this.inner).poll_write(cx, buf));
        this.touch();
        Poll::Ready(written)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = ready!(Pin::new(&mut this.inner).poll_write_vectored(cx, bufs));
        this.touch();
        Poll::Ready(written)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// Whether a request path has a segment longer than a file name may be (255 bytes, once
/// percent-decoded): no file has such a name, and the file system refuses to look.
pub fn has_overlong_segment(path: &str) -> bool {
    path.split('/').any(|segment| {
        let bytes = segment.as_bytes();
        let escapes = bytes
            .windows(3)
            .filter(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit())
            .count();
        bytes.len().saturating_sub(2 * escapes) > MAX_SEGMENT
    })
}

/// The longest file name most file systems take, in bytes.
pub const MAX_SEGMENT: usize = 255;

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod tests {
    use super::*;

    const HYPER_431: &[u8] = b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\ndate: Fri, 04 Dec 2026 08:16:46 GMT\r\n\r\n";

    #[test]
    fn hypers_bare_answers_become_problem_documents() {
        let out = String::from_utf8(rewrite_automatic(HYPER_431).unwrap()).unwrap();
        let (head, body) = out.split_once("\r\n\r\n").unwrap();
        assert!(
            head.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"),
            "{head}"
        );
        assert!(
            head.contains("\r\ncontent-type: application/problem+json\r\n"),
            "{head}"
        );
        assert!(
            head.contains(&format!("\r\ncontent-length: {}\r\n", body.len())),
            "{head}"
        );
        assert!(head.contains("\r\nconnection: close\r\n"), "{head}");
        assert!(
            head.contains("\r\ndate: Fri, 04 Dec 2026 08:16:46 GMT"),
            "{head}"
        );
        assert!(!head.contains("content-length: 0"), "{head}");
        let problem: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(problem["code"], "header_fields_too_large");
        assert_eq!(problem["status"], 431);

        let uri = b"HTTP/1.1 414 URI Too Long\r\nconnection: close\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let out = String::from_utf8(rewrite_automatic(uri).unwrap()).unwrap();
        assert!(out.contains("\"code\":\"uri_too_long\""), "{out}");
    }

    #[test]
    fn every_other_write_passes_unchanged() {
        for written in [
            &b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"[..],
            // The router's own 414 names its type.
            b"HTTP/1.1 414 URI Too Long\r\ncontent-type: application/problem+json\r\ncontent-length: 0\r\n\r\n",
            // A head with a body after it, or only part of a head.
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 2\r\n\r\nok",
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n",
            b"body bytes",
        ] {
            assert_eq!(rewrite_automatic(written), None, "{}", String::from_utf8_lossy(written));
        }
    }

    #[tokio::test]
    async fn the_connection_writes_the_replacement_whole() {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let (client, server) = tokio::io::duplex(64);
        let mut server = ProblemIo::new(server);
        let writer = tokio::spawn(async move {
            server
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                .await
                .unwrap();
            server.write_all(HYPER_431).await.unwrap();
            server.shutdown().await.unwrap();
        });
        let mut read = Vec::new();
        let mut client = client;
        client.read_to_end(&mut read).await.unwrap();
        writer.await.unwrap();
        let text = String::from_utf8(read).unwrap();
        let (first, second) = text.split_at("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok".len());
        assert_eq!(first, "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
        assert_eq!(second.as_bytes(), rewrite_automatic(HYPER_431).unwrap());
    }
}
