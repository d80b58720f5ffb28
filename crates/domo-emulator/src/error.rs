//! Errors: `ApiError` is what a request handler answers with (always the
//! public-API JSON shape), `Error` is what starting the emulator can fail with.

use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::rng::SplitMix64;
use crate::store::{ErrorKind, StoreError};

/// A failed request, rendered as `{"status","statusReason","message","toe"}`.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status, self.message)
    }
}

impl std::error::Error for ApiError {}

/// Each kind of store refusal has its status code.
impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        let status = match e.kind {
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::Invalid => StatusCode::BAD_REQUEST,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::Locked => StatusCode::LOCKED,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError::new(status, e.message)
    }
}

/// A "trace of error" id like Domo's: unique enough to grep a log for.
fn next_toe() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    // std's SipHash keys are random per process (and stepped per hasher):
    // a seed that needs no clock.
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(n);
    let mut rng = SplitMix64::new(h.finish());
    format!("{:016X}-{:04X}", rng.next_u64(), n & 0xFFFF)
}

pub(crate) fn error_body(status: StatusCode, message: &str) -> serde_json::Value {
    serde_json::json!({
        "status": status.as_u16(),
        "statusReason": status.canonical_reason().unwrap_or("Error"),
        "message": message,
        "toe": next_toe(),
    })
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = error_body(self.status, &self.message);
        json_response(self.status, &body)
    }
}

/// Serialises JSON with the content type real clients insist on.
pub(crate) fn json_response(status: StatusCode, value: &serde_json::Value) -> Response {
    let bytes = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    let mut resp = (status, bytes).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// Why the emulator could not start.
#[derive(Debug)]
pub enum Error {
    /// The listening address could not be bound.
    Bind(std::io::Error),
    /// The data directory or its SQLite database could not be opened.
    Storage(String),
    /// A command-line or configuration value was invalid (e.g. a bad `--faults` spec).
    Config(String),
    /// Serving failed after start.
    Serve(std::io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Bind(e) => write!(f, "cannot bind the listening address: {e}"),
            Error::Storage(m) => write!(f, "storage: {m}"),
            Error::Config(m) => write!(f, "invalid configuration: {m}"),
            Error::Serve(e) => write!(f, "server error: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Bind(e) | Error::Serve(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Storage(e.to_string())
    }
}
