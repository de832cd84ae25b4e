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

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use axum::extract::Request;
use axum::extract::connect_info::Connected;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

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

/// A TCP listener whose connections answer hyper's automatic `414` and `431` with problem
/// documents ([`ProblemIo`]).
#[derive(Debug)]
pub struct ProblemListener(pub TcpListener);

impl Listener for ProblemListener {
    type Io = ProblemIo<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (stream, addr) = Listener::accept(&mut self.0).await;
        (ProblemIo::new(stream), addr)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

/// The address of the client at the other end of a connection, for handlers that need it
/// (`ConnectInfo<ClientAddr>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub SocketAddr);

impl Connected<IncomingStream<'_, ProblemListener>> for ClientAddr {
    fn connect_info(stream: IncomingStream<'_, ProblemListener>) -> ClientAddr {
        ClientAddr(*stream.remote_addr())
    }
}

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
