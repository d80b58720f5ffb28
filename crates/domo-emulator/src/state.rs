//! Shared server state and the extractors every handler uses: the caller
//! (from the token headers), bodies with the size limit, and path/query
//! parameters whose rejections come out in the JSON error shape.

use std::collections::HashMap;
use std::io::Read;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::app::AppSite;
use crate::app::session::Presented;
use crate::clock::Clock;
use crate::directory::TOKEN_HEADERS;
use crate::error::ApiError;
use crate::store::{Store, UserId};

pub(crate) struct Inner {
    pub store: Arc<Store>,
    /// The store's clock (the same one, shared): what handlers read for
    /// "now", so they and the store agree.
    pub clock: Clock,
    pub tokens: HashMap<String, UserId>,
    pub max_body_bytes: usize,
    /// Largest reply body of a streamed query (`--max-reply-bytes`).
    pub max_reply_bytes: u64,
    /// The custom app served with `--app`, if any.
    pub app: Option<Arc<AppSite>>,
    /// The public API's OAuth clients and token signing (`--client`).
    pub public: crate::oauth::Auth,
}

/// Token values are secrets: `Debug` shows only whose they are.
impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inner")
            .field("store", &self.store)
            .field("clock", &self.clock)
            .field(
                "tokens",
                &crate::directory::redacted_tokens(self.tokens.values()),
            )
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_reply_bytes", &self.max_reply_bytes)
            .field("app", &self.app)
            .field("public", &self.public)
            .finish()
    }
}

pub(crate) type AppState = Arc<Inner>;

/// The authenticated user making the request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Caller(pub UserId);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // The app session (header, `ryuu_sid` query parameter or cookie);
        // `refuse_product_api` has already turned it away from `/api/`.
        if let Some(site) = state.app.as_deref() {
            match crate::app::session::presented_in(parts, site) {
                Presented::Session(_) => return Ok(Caller(site.session_user)),
                Presented::StaleSession => return Err(crate::app::session::stale_session()),
                Presented::OtherToken | Presented::Nothing => {}
            }
        }
        let mut presented = Vec::new();
        for name in TOKEN_HEADERS {
            if let Some(v) = parts.headers.get(name) {
                let Ok(token) = v.to_str().map(str::trim) else {
                    presented.push(String::new());
                    continue;
                };
                if let Some(user) = state.tokens.get(token) {
                    return Ok(Caller(*user));
                }
                presented.push(token.to_owned());
            }
        }
        // Minted access tokens and login sessions, valid at this moment:
        // a revoked or expired one is refused on the very next request.
        for token in presented.iter().filter(|t| !t.is_empty()) {
            let token = token.clone();
            if let Some(user) = state.store.run(move |s| s.resolve_token(&token)).await? {
                return Ok(Caller(user));
            }
        }
        let presented = !presented.is_empty();
        let message = if presented {
            "the token is not valid"
        } else {
            "missing authentication: send X-DOMO-Developer-Token (or X-DOMO-Authentication; from a custom app, X-DOMO-Ryuu-Session)"
        };
        Err(ApiError::new(StatusCode::UNAUTHORIZED, message))
    }
}

pub(crate) fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("request body exceeds the limit of {limit} bytes (--max-body-bytes)"),
    )
}

/// Reads a body, refusing to hold more than `limit` bytes.
pub(crate) async fn read_limited(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    let mut stream = body.into_data_stream();
    let mut buf = BytesMut::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk
            .map_err(|e| ApiError::bad_request(format!("cannot read the request body: {e}")))?;
        if buf.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

/// The raw request body, within `--max-body-bytes`.
#[derive(Debug)]
pub(crate) struct RawBody(pub Bytes);

impl FromRequest<AppState> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let limit = state.max_body_bytes;
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(too_large(limit));
        }
        read_limited(req.into_body(), limit).await.map(RawBody)
    }
}

/// Parses a whole JSON body, naming the path of the offending field on
/// failure. Anything but whitespace after the value (`{..} x`, `{..}{..}`)
/// is refused: acting on the first value of a body that says more would
/// guess at what the client meant.
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." || path.is_empty() {
            ApiError::bad_request(format!("invalid JSON body: {inner}"))
        } else {
            ApiError::bad_request(format!("invalid JSON body at `{path}`: {inner}"))
        }
    })?;
    de.end()
        .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))?;
    Ok(value)
}

/// A JSON scalar as the text a policy or filter compares: a string as it
/// is, a number or a boolean as written (`7`, `true`); `None` for null,
/// arrays and objects.
pub(crate) fn json_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The items of a JSON array of values, each as [`json_text`]; an item
/// that is not a scalar is refused naming it (`{at}.values[2]`).
pub(crate) fn json_texts(items: &[serde_json::Value], at: &str) -> Result<Vec<String>, ApiError> {
    items
        .iter()
        .enumerate()
        .map(|(j, v)| {
            json_text(v).ok_or_else(|| {
                ApiError::bad_request(format!("{at}.values[{j}] must be a string or a number"))
            })
        })
        .collect()
}

fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_whitespace)
}

/// A CSV part body (uploads and stream executions): the raw bytes, gunzipped
/// when `Content-Encoding: gzip` says so; the decompressed size is held to
/// `--max-body-bytes` too.
#[derive(Debug)]
pub(crate) struct CsvPart(pub Vec<u8>);

pub(crate) fn gunzip(bytes: &[u8], limit: usize) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::new();
    let mut dec = flate2::read::MultiGzDecoder::new(bytes).take(limit as u64 + 1);
    dec.read_to_end(&mut out)
        .map_err(|e| ApiError::bad_request(format!("the part body is not valid gzip: {e}")))?;
    if out.len() > limit {
        return Err(too_large(limit));
    }
    Ok(out)
}

impl FromRequest<AppState> for CsvPart {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let encoding = req
            .headers()
            .get(header::CONTENT_ENCODING)
            .map(|v| v.to_str().unwrap_or("?").trim().to_ascii_lowercase())
            .unwrap_or_default();
        let RawBody(body) = RawBody::from_request(req, state).await?;
        match encoding.as_str() {
            "" | "identity" => Ok(CsvPart(body.to_vec())),
            "gzip" | "x-gzip" => {
                let limit = state.max_body_bytes;
                tokio::task::spawn_blocking(move || gunzip(&body, limit))
                    .await
                    .map_err(|e| ApiError::internal(format!("decompression task failed: {e}")))?
                    .map(CsvPart)
            }
            other => Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("Content-Encoding `{other}` is not supported; send identity or gzip"),
            )),
        }
    }
}

/// A part number from a path: an integer of at least 1.
pub(crate) fn part_number(raw: &str) -> Result<i64, ApiError> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "part number must be an integer of at least 1, got `{raw}`"
            ))
        })
}

/// A required JSON body.
#[derive(Debug)]
pub(crate) struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let RawBody(bytes) = RawBody::from_request(req, state).await?;
        if is_blank(&bytes) {
            return Err(ApiError::bad_request("a JSON request body is required"));
        }
        parse_json(&bytes).map(JsonBody)
    }
}

/// A JSON body that may be absent (empty body or `null`).
#[derive(Debug)]
pub(crate) struct OptionalJson<T>(pub Option<T>);

impl<T: DeserializeOwned> FromRequest<AppState> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let RawBody(bytes) = RawBody::from_request(req, state).await?;
        if is_blank(&bytes) {
            return Ok(OptionalJson(None));
        }
        parse_json::<Option<T>>(&bytes).map(OptionalJson)
    }
}

/// Path parameters with JSON-shaped rejections.
#[derive(Debug)]
pub(crate) struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(t)| ApiPath(t))
            .map_err(|e| ApiError::bad_request(format!("invalid path: {}", e.body_text())))
    }
}

/// Query parameters with JSON-shaped rejections.
#[derive(Debug)]
pub(crate) struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(t)| ApiQuery(t))
            .map_err(|e| ApiError::bad_request(format!("invalid query string: {}", e.body_text())))
    }
}

/// A boolean query parameter: `true`/`false` or `1`/`0`.
pub(crate) fn parse_bool(name: &str, v: Option<&str>) -> Result<Option<bool>, ApiError> {
    match v.map(|s| s.trim().to_ascii_lowercase()) {
        None => Ok(None),
        Some(s) if s == "true" || s == "1" => Ok(Some(true)),
        Some(s) if s == "false" || s == "0" => Ok(Some(false)),
        Some(s) => Err(ApiError::bad_request(format!(
            "query parameter {name} must be true or false, got `{s}`"
        ))),
    }
}
