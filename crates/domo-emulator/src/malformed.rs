//! Requests hyper refuses before any handler runs still get the emulator's
//! JSON error (`{"status","statusReason","message","toe"}`), and so do
//! request targets longer than `MAX_URI_BYTES`.
//!
//! Why a connection wrapper: hyper answers a request it cannot parse (a
//! bad request line or header: 400; a request target over 65,534 bytes:
//! 414; a request head over its buffer: 431) by itself, writing a status
//! line and headers with no body and then closing the connection
//! (hyper 1.x, `proto/h1/role.rs`, `Server::on_error`). No middleware sees
//! that request, and clients that insist on JSON error bodies break on it.
//! `Guarded` recognises that automatic head as hyper writes it and writes a
//! complete JSON response in its place. Nothing else can match: it is
//! written only before any response has started, it is a head alone with
//! no body and no Content-Type, and every error the emulator itself sends
//! has both. `Guarded` reports `is_write_vectored() == false`, so hyper
//! flattens what it writes into one buffer and the head arrives whole in
//! one `poll_write`.
//!
//! `refuse_long_uris` answers targets from `MAX_URI_BYTES` up to hyper's
//! limit with the same JSON 414, so both sides of hyper's limit agree.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use crate::cors::EVERY_RESPONSE;
use crate::error::{ApiError, error_body};
use crate::limits::MAX_URI_BYTES;

/// hyper's own limit on a request target (`MAX_URI_LEN`).
const HYPER_MAX_URI: usize = u16::MAX as usize - 1;

/// Middleware: a JSON 414 for a request target longer than `MAX_URI_BYTES`.
pub(crate) async fn refuse_long_uris(req: Request, next: Next) -> Response {
    let len = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if len > MAX_URI_BYTES {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            format!("the request URI is {len} bytes; the limit is {MAX_URI_BYTES} bytes"),
        )
        .into_response();
    }
    next.run(req).await
}

/// Accepts TCP connections and wraps each in `Guarded`.
#[derive(Debug)]
pub(crate) struct GuardedListener(pub TcpListener);

impl axum::serve::Listener for GuardedListener {
    type Io = Guarded<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.0.accept().await {
                Ok((stream, addr)) => return (Guarded::new(stream), addr),
                // As axum's own listener: a failed handshake is the peer's
                // problem; anything else (out of file descriptors) is waited out.
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::ConnectionRefused
                            | io::ErrorKind::ConnectionAborted
                            | io::ErrorKind::ConnectionReset
                    ) => {}
                Err(_) => tokio::time::sleep(Duration::from_secs(1)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// A replacement response being written in place of hyper's automatic head.
#[derive(Debug)]
struct Pending {
    bytes: Vec<u8>,
    written: usize,
    /// What hyper is told was written: its whole head.
    reported: usize,
}

/// A connection whose automatic bodiless 400/414/431 becomes a JSON error.
#[derive(Debug)]
pub(crate) struct Guarded<IO> {
    io: IO,
    pending: Option<Pending>,
}

impl<IO> Guarded<IO> {
    pub(crate) fn new(io: IO) -> Self {
        Self { io, pending: None }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The status of hyper's automatic error head, when `buf` is exactly one:
/// `HTTP/1.x 400|414|431 ...`, headers without Content-Type, a zero (or no)
/// Content-Length, and nothing after the head.
fn automatic_error(buf: &[u8]) -> Option<(StatusCode, Option<&str>)> {
    // Every write of every response comes here, bodies of large replies
    // included: the status line rules nearly all of them out before the
    // head is searched for its end.
    let code = buf.get(9..12)?;
    if !(buf.starts_with(b"HTTP/1.1 ") || buf.starts_with(b"HTTP/1.0 "))
        || !matches!(code, b"400" | b"414" | b"431")
    {
        return None;
    }
    let end = find(buf, b"\r\n\r\n")?;
    if end + 4 != buf.len() {
        return None;
    }
    let head = std::str::from_utf8(&buf[..end]).ok()?;
    // The header lines, after the status line checked above.
    let lines = head.split("\r\n").skip(1);
    let mut date = None;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let (name, value) = (name.trim(), value.trim());
        if name.eq_ignore_ascii_case("content-type")
            || (name.eq_ignore_ascii_case("content-length") && value != "0")
        {
            return None;
        }
        if name.eq_ignore_ascii_case("date") {
            date = Some(value);
        }
    }
    Some((StatusCode::from_bytes(code).ok()?, date))
}

/// A whole JSON error response for `status`; the connection then closes.
fn json_error_response(status: StatusCode, date: Option<&str>) -> Vec<u8> {
    let message = match status {
        StatusCode::URI_TOO_LONG => format!(
            "the request URI is over {HYPER_MAX_URI} bytes; the limit is {MAX_URI_BYTES} bytes"
        ),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => {
            "the request line and headers are too large to be read".to_owned()
        }
        _ => "the request is not valid HTTP/1.1: its request line or a header cannot be parsed"
            .to_owned(),
    };
    let body = serde_json::to_vec(&error_body(status, &message)).unwrap_or_else(|_| b"{}".to_vec());
    let mut out = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error"),
        body.len()
    );
    for (name, value) in EVERY_RESPONSE {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(date) = date {
        out.push_str(&format!("date: {date}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&body);
    bytes
}

impl<IO: AsyncRead + Unpin> AsyncRead for Guarded<IO> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Guarded<IO> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.pending.is_none() {
            let Some((status, date)) = automatic_error(buf) else {
                return Pin::new(&mut this.io).poll_write(cx, buf);
            };
            this.pending = Some(Pending {
                bytes: json_error_response(status, date),
                written: 0,
                reported: buf.len(),
            });
        }
        // After a Pending, hyper calls again with the same head: carry on.
        let Some(p) = this.pending.as_mut() else {
            return Poll::Ready(Ok(0));
        };
        while p.written < p.bytes.len() {
            match ready!(Pin::new(&mut this.io).poll_write(cx, &p.bytes[p.written..])) {
                Ok(0) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Ok(n) => p.written += n,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
        let reported = p.reported;
        this.pending = None;
        Poll::Ready(Ok(reported))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_only_hyper_s_bodiless_error_heads() {
        let auto = b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\ndate: Thu, 01 Jan 2026 00:00:00 GMT\r\n\r\n";
        let (status, date) = automatic_error(auto).unwrap();
        assert_eq!(status, StatusCode::URI_TOO_LONG);
        assert_eq!(date, Some("Thu, 01 Jan 2026 00:00:00 GMT"));
        assert!(
            automatic_error(b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n").is_some()
        );
        for ours in [
            &b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 0\r\n\r\n"[..],
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 12\r\n\r\n",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n{}",
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\n",
            // A body chunk that happens to hold a blank line.
            b"{\"rows\": [\"HTTP/1.1 400 \r\n\r\n",
        ] {
            assert!(automatic_error(ours).is_none(), "{}", String::from_utf8_lossy(ours));
        }
        let out = String::from_utf8(json_error_response(StatusCode::URI_TOO_LONG, None)).unwrap();
        let (head, body) = out.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 414 URI Too Long\r\n"), "{head}");
        assert!(head.contains("content-type: application/json"), "{head}");
        assert!(
            head.contains(&format!("content-length: {}", body.len())),
            "{head}"
        );
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["status"], 414);
        assert!(v["message"].as_str().unwrap().contains("16384"), "{v}");
    }
}
