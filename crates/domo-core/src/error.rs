//! One error type for everything a call can run into, with predicates
//! instead of a public enum tree, so new causes don't break callers.

use std::fmt;

use crate::method::Method;

/// What kind of failure an [`Error`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The caller's input was refused before anything was sent (a bad id, an
    /// insecure URL, a malformed CSV).
    InvalidInput,
    /// 401: the token is missing, wrong or expired.
    Unauthorized,
    /// A login the server refused (Domo says so with HTTP 200 and
    /// `success: false`): [`Error::auth_reason`] says why.
    AuthFailed,
    /// 403 that is not rate limiting: the user lacks access.
    Forbidden,
    /// 404.
    NotFound,
    /// 409: the request conflicts with the server's state (an upload that
    /// was already committed).
    Conflict,
    /// 413: the body is larger than the server accepts.
    PayloadTooLarge,
    /// 429, or Domo's `403 API Rate limit reached`.
    RateLimited,
    /// 408: the server gave up waiting for the request.
    RequestTimeout,
    /// Any other 4xx.
    BadRequest,
    /// 5xx, including HTML maintenance pages.
    Server,
    /// An HTML page where JSON was expected on a success status: Domo's
    /// `Domo - Blocked` page when an IP allow-list blocks the caller.
    Blocked,
    /// A success status whose body did not match the expected shape.
    Decode,
    /// The connection could not be made; the request never left.
    Connect,
    /// No reply within the timeout.
    Timeout,
    /// The connection broke while the request or the reply was in flight.
    Transport,
    /// A local file could not be read or written.
    Io,
    /// A load was committed but the data version it made holds a different
    /// number of rows than were sent: [`Error::rows_sent`] and
    /// [`Error::rows_stored`] give both.
    RowCountMismatch,
    /// The caller cancelled the operation; the message says what was left
    /// undone.
    Cancelled,
    /// The request is on the other one of Domo's two APIs than the
    /// client's credentials reach: OAuth client credentials reach the
    /// public API (`api.domo.com/v1`), developer and session tokens the
    /// product API. Nothing was sent; the message names this client's way
    /// to the same thing, or says there is none.
    WrongApi,
}

/// The error of every call. `Display` names the method and path, the status,
/// the server's message and a short excerpt of the body; never a credential.
pub struct Error(Box<Inner>);

struct Inner {
    kind: ErrorKind,
    message: String,
    method: Option<Method>,
    path: Option<String>,
    status: Option<u16>,
    body: Option<String>,
    json_path: Option<String>,
    retry_after: Option<String>,
    auth_reason: Option<String>,
    rows: Option<(u64, u64)>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// The longest body kept on an error; enough for any error page.
const BODY_KEEP: usize = 64 * 1024;
/// The longest body excerpt shown by `Display`.
const BODY_SHOW: usize = 200;

impl Error {
    /// An error of `kind` with `message`.
    ///
    /// For the domo-* crates, not part of the public API: errors describe
    /// what a server or the library saw, so callers do not build them.
    #[doc(hidden)]
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error(Box::new(Inner {
            kind,
            message: message.into(),
            method: None,
            path: None,
            status: None,
            body: None,
            json_path: None,
            retry_after: None,
            auth_reason: None,
            rows: None,
            source: None,
        }))
    }

    /// A committed load whose data version holds `stored` rows where `sent`
    /// were sent.
    ///
    /// For the domo-* crates, not part of the public API: errors describe
    /// what a server or the library saw, so callers do not build them.
    #[doc(hidden)]
    pub fn row_count_mismatch(sent: u64, stored: u64, message: impl Into<String>) -> Error {
        let mut e = Error::new(ErrorKind::RowCountMismatch, message);
        e.0.rows = Some((sent, stored));
        e
    }

    /// Input refused before anything was sent.
    pub fn invalid_input(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidInput, message)
    }

    /// An operation the caller cancelled.
    pub fn cancelled(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Cancelled, message)
    }

    /// Attach the request this error belongs to.
    ///
    /// For the domo-* crates, not part of the public API: errors describe
    /// what a server or the library saw, so callers do not build them.
    #[doc(hidden)]
    pub fn with_request(mut self, method: Method, path: &str) -> Error {
        self.0.method = Some(method);
        self.0.path = Some(path.to_owned());
        self
    }

    /// Attach the reply's HTTP status.
    ///
    /// For the domo-* crates, not part of the public API: errors describe
    /// what a server or the library saw, so callers do not build them.
    #[doc(hidden)]
    pub fn with_status(mut self, status: u16) -> Error {
        self.0.status = Some(status);
        self
    }

    /// Keep the raw body (up to 64 KiB) for [`Error::body`].
    ///
    /// For the domo-* crates, not part of the public API: errors describe
    /// what a server or the library saw, so callers do not build them.
    #[doc(hidden)]
    pub fn with_body(mut self, body: &[u8]) -> Error {
        let keep = &body[..body.len().min(BODY_KEEP)];
        self.0.body = Some(String::from_utf8_lossy(keep).into_owned());
        self
    }

    /// Attach where in the JSON reply decoding failed.
    ///
    /// For the domo-* crates, not part of the public API: errors describe
    /// what a server or the library saw, so callers do not build them.
    #[doc(hidden)]
    pub fn with_json_path(mut self, path: impl Into<String>) -> Error {
        self.0.json_path = Some(path.into());
        self
    }

    /// Attach the server's `Retry-After` value.
    ///
    /// For the domo-* crates, not part of the public API: errors describe
    /// what a server or the library saw, so callers do not build them.
    #[doc(hidden)]
    pub fn with_retry_after(mut self, value: impl Into<String>) -> Error {
        self.0.retry_after = Some(value.into());
        self
    }

    /// Why a login was refused (`INVALID_CREDENTIALS`, `ACCOUNT_LOCKED`).
    ///
    /// For the domo-* crates, not part of the public API: errors describe
    /// what a server or the library saw, so callers do not build them.
    #[doc(hidden)]
    pub fn with_auth_reason(mut self, reason: impl Into<String>) -> Error {
        self.0.auth_reason = Some(reason.into());
        self
    }

    /// Attach the underlying error ([`std::error::Error::source`]).
    ///
    /// For the domo-* crates, not part of the public API: errors describe
    /// what a server or the library saw, so callers do not build them.
    #[doc(hidden)]
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Error {
        self.0.source = Some(Box::new(source));
        self
    }

    /// Prefix the message with context ("part 3", "row 17").
    pub fn context(mut self, context: impl fmt::Display) -> Error {
        self.0.message = format!("{context}: {}", self.0.message);
        self
    }

    /// What went wrong, for matching.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The server's (or this library's) explanation, without request details.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// What went wrong, in words (the server's message when it sent one).
    pub fn method(&self) -> Option<Method> {
        self.0.method
    }

    /// The request path (without query string).
    pub fn path(&self) -> Option<&str> {
        self.0.path.as_deref()
    }

    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<u16> {
        self.0.status
    }

    /// The response body as text (lossy UTF-8, at most 64 KiB).
    pub fn body(&self) -> Option<&str> {
        self.0.body.as_deref()
    }

    /// Where in the JSON a decode failed (`rows[3][1]`).
    pub fn json_path(&self) -> Option<&str> {
        self.0.json_path.as_deref()
    }

    /// The raw `Retry-After` header of the response, if any.
    pub fn retry_after(&self) -> Option<&str> {
        self.0.retry_after.as_deref()
    }

    /// Why the server refused a login, as it said it (`INVALID_CREDENTIALS`,
    /// `ACCOUNT_LOCKED`); set on [`ErrorKind::AuthFailed`] errors.
    pub fn auth_reason(&self) -> Option<&str> {
        self.0.auth_reason.as_deref()
    }

    /// Rows a load sent, on a [`ErrorKind::RowCountMismatch`].
    pub fn rows_sent(&self) -> Option<u64> {
        self.0.rows.map(|(sent, _)| sent)
    }

    /// Rows the load's data version holds, on a
    /// [`ErrorKind::RowCountMismatch`].
    pub fn rows_stored(&self) -> Option<u64> {
        self.0.rows.map(|(_, stored)| stored)
    }

    /// Whether the server refused the call for its rate (HTTP 429).
    pub fn is_rate_limited(&self) -> bool {
        self.0.kind == ErrorKind::RateLimited
    }

    /// Whether trying the same request again may succeed (for a request the
    /// server has not acted on). [`crate::retry::RetryPolicy`] adds the rules
    /// for requests that are not idempotent.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.0.kind,
            ErrorKind::RateLimited
                | ErrorKind::RequestTimeout
                | ErrorKind::Server
                | ErrorKind::Connect
                | ErrorKind::Timeout
                | ErrorKind::Transport
        )
    }

    /// Whether the server certainly did not act on the request: it was never
    /// sent, or the server refused it before doing anything.
    pub fn server_did_not_act(&self) -> bool {
        match self.0.kind {
            ErrorKind::Connect | ErrorKind::RateLimited | ErrorKind::RequestTimeout => true,
            // 503 is the "not now" status of gateways and maintenance pages.
            ErrorKind::Server => self.0.status == Some(503),
            _ => false,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.0;
        if let (Some(m), Some(p)) = (&i.method, &i.path) {
            write!(f, "{m} {p}: ")?;
        }
        if let Some(s) = i.status {
            write!(f, "HTTP {s}: ")?;
        }
        f.write_str(&i.message)?;
        if let Some(jp) = &i.json_path {
            write!(f, " (at `{jp}`)")?;
        }
        if let Some(body) = &i.body {
            let body = body.trim();
            if !body.is_empty() && !i.message.contains(body) {
                let mut excerpt: String = body.chars().take(BODY_SHOW).collect();
                if excerpt.len() < body.len() {
                    excerpt.push('…');
                }
                write!(f, "; body: {}", excerpt.replace(['\n', '\r'], " "))?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.0;
        f.debug_struct("Error")
            .field("kind", &i.kind)
            .field("message", &i.message)
            .field("method", &i.method)
            .field("path", &i.path)
            .field("status", &i.status)
            .field("json_path", &i.json_path)
            .field("auth_reason", &i.auth_reason)
            .field("body_len", &i.body.as_ref().map(String::len))
            .field("source", &i.source)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_request_status_and_a_short_body() {
        let e = Error::new(ErrorKind::Server, "maintenance page")
            .with_request(Method::Put, "/api/x")
            .with_status(503)
            .with_body("x".repeat(5000).as_bytes());
        let s = e.to_string();
        assert!(
            s.starts_with("PUT /api/x: HTTP 503: maintenance page; body: xxx"),
            "{s}"
        );
        assert!(s.len() < 300);
        assert_eq!(e.body().unwrap().len(), 5000);
        assert!(e.is_retryable());
        assert!(e.server_did_not_act());
    }

    #[test]
    fn predicates_follow_the_kind() {
        let e = Error::new(ErrorKind::RateLimited, "slow down");
        assert!(e.is_rate_limited() && e.is_retryable() && e.server_did_not_act());
        let e = Error::new(ErrorKind::Server, "boom").with_status(500);
        assert!(e.is_retryable() && !e.server_did_not_act());
        let e = Error::new(ErrorKind::Timeout, "slow");
        assert!(e.is_retryable() && !e.server_did_not_act());
        for k in [
            ErrorKind::NotFound,
            ErrorKind::Decode,
            ErrorKind::Blocked,
            ErrorKind::Forbidden,
        ] {
            assert!(!Error::new(k, "x").is_retryable(), "{k:?}");
        }
    }
}
