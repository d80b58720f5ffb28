//! An endpoint is a type: it knows its method, path, query, body and how to
//! read its response. [`Config::prepare`] turns one into a request any
//! transport can send; [`Endpoint::handle`] turns the response into the
//! output or an [`Error`].

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_ENCODING, CONTENT_TYPE, HeaderName, HeaderValue, USER_AGENT};
use http::{HeaderMap, Method, Request, Response, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::config::Config;
use crate::error::{Error, ErrorKind};

/// A request body and its content type.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Empty,
    Json(Bytes),
    /// CSV; `gzip` means the bytes are already gzip-compressed.
    Csv {
        data: Bytes,
        gzip: bool,
    },
    Text(Bytes),
}

impl Body {
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<Body, Error> {
        serde_json::to_vec(value)
            .map(|v| Body::Json(v.into()))
            .map_err(|e| Error::invalid_input(format!("cannot encode request body: {e}")))
    }

    fn bytes(&self) -> Bytes {
        match self {
            Body::Empty => Bytes::new(),
            Body::Json(b) | Body::Text(b) => b.clone(),
            Body::Csv { data, .. } => data.clone(),
        }
    }
}

/// One API endpoint.
pub trait Endpoint {
    type Output;

    fn method(&self) -> Method;

    /// The path, ids already validated and encoded (see [`crate::path`]).
    fn path(&self) -> Result<String, Error>;

    /// Query parameters, unencoded.
    fn query(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    fn body(&self) -> Result<Body, Error> {
        Ok(Body::Empty)
    }

    fn accept(&self) -> &'static str {
        "application/json"
    }

    /// Whether sending the request twice has the effect of sending it once.
    /// A request that is not may only be retried when the server certainly
    /// did not act on it.
    fn idempotent(&self) -> bool {
        matches!(
            self.method(),
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE
        )
    }

    /// Read a success response.
    fn parse(&self, response: Response<Bytes>) -> Result<Self::Output, Error>;

    /// Read any response: errors for non-success statuses and HTML pages,
    /// otherwise [`Endpoint::parse`]. The error names the request.
    fn handle(
        &self,
        request: &RequestLabel,
        response: Response<Bytes>,
    ) -> Result<Self::Output, Error> {
        check(response)
            .and_then(|r| self.parse(r))
            .map_err(|e| e.with_request(&request.method, &request.path))
    }
}

/// Method and path of a request, for errors and tracing. Never holds a
/// credential or the query string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLabel {
    pub method: Method,
    pub path: String,
}

/// A built request that a transport can send as many times as its retries
/// need: `Bytes` bodies clone without copying.
#[derive(Clone)]
pub struct Prepared {
    pub label: RequestLabel,
    pub uri: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub idempotent: bool,
}

/// The body's length, not its bytes: a login body holds a password.
/// (`HeaderMap` already prints sensitive values as `Sensitive`.)
impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("label", &self.label)
            .field("uri", &self.uri)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .field("idempotent", &self.idempotent)
            .finish()
    }
}

impl Prepared {
    pub fn to_http(&self) -> Request<Bytes> {
        let mut req = Request::new(self.body.clone());
        *req.method_mut() = self.label.method.clone();
        // The uri was validated when it was built.
        *req.uri_mut() = self.uri.parse().unwrap_or_default();
        *req.headers_mut() = self.headers.clone();
        req
    }
}

impl Config {
    /// Build the request for `endpoint`.
    pub fn prepare<E: Endpoint + ?Sized>(&self, endpoint: &E) -> Result<Prepared, Error> {
        let method = endpoint.method();
        let path = endpoint.path()?;
        let mut uri = format!("{}{}", self.base_url.as_str(), path);
        let query = endpoint.query();
        for (i, (k, v)) in query.iter().enumerate() {
            uri.push(if i == 0 { '?' } else { '&' });
            uri.push_str(k);
            uri.push('=');
            uri.push_str(&crate::path::query_value(v));
        }
        // Both forms parse: an absolute URL, and in custom-app mode a
        // relative one (`/data/v1/sales?...`, an origin-form URI).
        // `Prepared::to_http` relies on this check.
        uri.parse::<http::Uri>()
            .map_err(|e| Error::invalid_input(format!("cannot build a URL from {uri:?}: {e}")))?;

        let body = endpoint.body()?;
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static(endpoint.accept()));
        match &body {
            Body::Empty => {}
            Body::Json(_) => {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            }
            Body::Csv { gzip, .. } => {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/csv"));
                if *gzip {
                    headers.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                }
            }
            Body::Text(_) => {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
            }
        }
        if let Some((name, secret)) = self.credentials.header() {
            let mut value = HeaderValue::from_str(secret.expose()).map_err(|_| {
                Error::invalid_input(
                    "the token contains characters that cannot go in an HTTP header",
                )
            })?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        if let Ok(ua) = HeaderValue::from_str(&self.user_agent) {
            headers.insert(USER_AGENT, ua);
        }
        Ok(Prepared {
            idempotent: endpoint.idempotent(),
            label: RequestLabel { method, path },
            uri,
            headers,
            body: body.bytes(),
        })
    }
}

/// Turn a non-success status, or an HTML page where data was expected, into
/// an error; pass anything else through.
pub fn check(response: Response<Bytes>) -> Result<Response<Bytes>, Error> {
    let status = response.status();
    let body = response.body();
    let html = is_html(response.headers(), body);
    if status.is_success() {
        if html {
            let title = html_title(body).unwrap_or_default();
            let kind = if title.to_ascii_lowercase().contains("blocked") {
                ErrorKind::Blocked
            } else {
                ErrorKind::Decode
            };
            let what = if kind == ErrorKind::Blocked {
                "the request was blocked (an IP allow-list?)"
            } else {
                "expected data but the server sent an HTML page"
            };
            let msg = match title.is_empty() {
                true => what.to_owned(),
                false => format!("{what}: {title:?}"),
            };
            return Err(Error::new(kind, msg)
                .with_status(status.as_u16())
                .with_body(body));
        }
        return Ok(response);
    }
    Err(status_error(status, response.headers(), body, html))
}

/// Every response header the core reads. A transport that has to copy
/// headers one at a time (fetch's `Headers`) copies these and may skip the
/// rest: the core decides nothing on any other.
pub const RESPONSE_HEADERS: [HeaderName; 2] = [CONTENT_TYPE, http::header::RETRY_AFTER];

fn status_error(status: StatusCode, headers: &HeaderMap, body: &[u8], html: bool) -> Error {
    let server_message = if html {
        html_title(body).map(|t| format!("the server sent an HTML page: {t:?}"))
    } else {
        serde_json::from_slice::<domo_model::error::ErrorBody>(body)
            .ok()
            .and_then(|b| b.message.or(b.status_reason))
    };
    let rate_limit_text = server_message
        .as_deref()
        .is_some_and(|m| m.to_ascii_lowercase().contains("rate limit"));
    let kind = match status.as_u16() {
        401 => ErrorKind::Unauthorized,
        403 if rate_limit_text => ErrorKind::RateLimited,
        403 => ErrorKind::Forbidden,
        404 => ErrorKind::NotFound,
        408 => ErrorKind::RequestTimeout,
        409 => ErrorKind::Conflict,
        413 => ErrorKind::PayloadTooLarge,
        429 => ErrorKind::RateLimited,
        400..=499 => ErrorKind::BadRequest,
        _ => ErrorKind::Server,
    };
    // The error carries the status; without a server message, say so
    // rather than repeat the status's reason phrase (http's table of them
    // costs the browser package about 1 KB).
    let message = server_message.unwrap_or_else(|| "the server sent no message".to_owned());
    let mut e = Error::new(kind, message)
        .with_status(status.as_u16())
        .with_body(body);
    if let Some(ra) = headers
        .get(http::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
    {
        e = e.with_retry_after(ra);
    }
    e
}

fn is_html(headers: &HeaderMap, body: &[u8]) -> bool {
    let ct_html = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.to_ascii_lowercase().contains("text/html"));
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|i| &body[i..])
        .unwrap_or(&[]);
    let looks_html = start.len() >= 5 && {
        let head = String::from_utf8_lossy(&start[..start.len().min(15)]).to_ascii_lowercase();
        head.starts_with("<!doctype")
            || head.starts_with("<html")
            || head.starts_with("<head")
            || head.starts_with("<title")
    };
    ct_html || looks_html
}

fn html_title(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(&body[..body.len().min(16 * 1024)]);
    let lower = text.to_ascii_lowercase();
    let start = lower.find("<title")?;
    let open_end = start + lower[start..].find('>')? + 1;
    let close = open_end + lower[open_end..].find("</title")?;
    Some(text[open_end..close].trim().to_owned())
}

/// Decode a JSON success body, keeping the JSON path and the raw body on
/// failure.
pub fn json<T: DeserializeOwned>(response: Response<Bytes>) -> Result<T, Error> {
    let body = response.into_body();
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::new(
            ErrorKind::Decode,
            "expected a JSON body but the response was empty",
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(&body);
    // Path tracking costs code size (a third of the browser build), so it
    // is a feature: on for native clients, off for the wasm package.
    #[cfg(feature = "json-path")]
    let decoded = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        (Some(path), e.into_inner())
    });
    #[cfg(not(feature = "json-path"))]
    let decoded = T::deserialize(&mut de).map_err(|e| (None::<String>, e));
    let value = decoded.and_then(|v| de.end().map(|()| v).map_err(|e| (None, e)));
    value.map_err(|(path, inner)| {
        let what = if inner.is_eof() {
            format!("the JSON body is truncated: {inner}")
        } else {
            format!("the response did not match the expected shape: {inner}")
        };
        let err = Error::new(ErrorKind::Decode, what).with_body(&body);
        match path {
            Some(p) if p != "." => err.with_json_path(p),
            _ => err,
        }
    })
}

/// Like [`json`], but an empty body decodes as `T::default()`: for endpoints
/// that answer with an empty 200 on some servers and an object on others.
pub fn json_or_default<T: DeserializeOwned + Default>(
    response: Response<Bytes>,
) -> Result<T, Error> {
    if response.body().iter().all(u8::is_ascii_whitespace) {
        Ok(T::default())
    } else {
        json(response)
    }
}

/// An endpoint whose success reply is JSON, read without its typed decode:
/// for transports that hand results on as plain JSON (the browser package,
/// whose size budget cannot carry a typed decoder for every reply).
///
/// [`JsonEndpoint::parse_json`] gives the reply as sent with the seed's
/// alternative forms rewritten to the real ones (field aliases, a bare
/// permission array, an empty body). Every field the typed
/// [`Endpoint::parse`] reports is there under the same name with the same
/// value; `tests/endpoints.rs` checks this on every documented and real
/// reply. What it does not do is check the values' types, and a field the
/// server sent as `null` stays `null` where the typed value has nothing.
pub trait JsonEndpoint: Endpoint {
    fn parse_json(&self, response: Response<Bytes>) -> Result<serde_json::Value, Error> {
        json(response)
    }

    /// [`Endpoint::handle`] with [`JsonEndpoint::parse_json`]: the same
    /// errors for non-success statuses and HTML pages.
    fn handle_json(
        &self,
        request: &RequestLabel,
        response: Response<Bytes>,
    ) -> Result<serde_json::Value, Error> {
        check(response)
            .and_then(|r| self.parse_json(r))
            .map_err(|e| e.with_request(&request.method, &request.path))
    }
}

/// [`json_or_default`] for JSON values: an empty body reads as `{}`.
pub fn json_object_or_empty(response: Response<Bytes>) -> Result<serde_json::Value, Error> {
    if response.body().iter().all(u8::is_ascii_whitespace) {
        Ok(serde_json::Value::Object(serde_json::Map::new()))
    } else {
        json(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, ct: &str, body: &str) -> Response<Bytes> {
        Response::builder()
            .status(status)
            .header(CONTENT_TYPE, ct)
            .body(Bytes::from(body.to_owned()))
            .unwrap()
    }

    /// A transport that copies only [`RESPONSE_HEADERS`] (the browser's)
    /// gets the same outcome as one that copies every header.
    #[test]
    fn the_response_headers_list_is_all_the_core_reads() {
        let cases = [
            (429, "application/json", r#"{"message":"slow down"}"#),
            (503, "text/html", "<html><title>Down</title></html>"),
            (
                200,
                "text/html; charset=utf-8",
                "<!doctype html><title>Blocked</title>",
            ),
            (
                403,
                "application/json",
                r#"{"message":"Rate limit exceeded"}"#,
            ),
            (200, "application/json", "{}"),
        ];
        for (status, ct, body) in cases {
            let mut full = resp(status, ct, body);
            let h = full.headers_mut();
            h.insert(http::header::RETRY_AFTER, HeaderValue::from_static("7"));
            h.insert("x-request-id", HeaderValue::from_static("abc"));
            h.insert(http::header::SERVER, HeaderValue::from_static("domo"));
            let mut copied = resp(status, "", body);
            *copied.headers_mut() = HeaderMap::new();
            for name in RESPONSE_HEADERS {
                if let Some(v) = full.headers().get(&name) {
                    copied.headers_mut().insert(name, v.clone());
                }
            }
            let outcome = |r: Response<Bytes>| match check(r) {
                Ok(r) => format!("ok {:?}", r.body()),
                Err(e) => format!("{e} {:?} {:?} {:?}", e.kind(), e.retry_after(), e.status()),
            };
            assert_eq!(outcome(full), outcome(copied), "{status} {ct}");
        }
    }

    #[test]
    fn json_error_body_gives_the_message() {
        let e = check(resp(
            400,
            "application/json",
            r#"{"status":400,"statusReason":"Bad Request","message":"Column count mismatch on row 3","toe":"X1"}"#,
        ))
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadRequest);
        assert_eq!(e.status(), Some(400));
        assert_eq!(e.message(), "Column count mismatch on row 3");
        assert!(e.body().unwrap().contains("X1"));
    }

    #[test]
    fn html_maintenance_page_is_a_server_error_not_a_decode_failure() {
        let e = check(resp(
            503,
            "text/html",
            "<!DOCTYPE html><html><head><title>Domo is down for maintenance</title></head></html>",
        ))
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Server);
        assert!(e.message().contains("Domo is down for maintenance"), "{e}");
        assert!(e.is_retryable());
    }

    #[test]
    fn blocked_page_on_200_is_an_error() {
        let e = check(resp(
            200,
            "text/html",
            "<html><head><title>Domo - Blocked</title></head><body>no</body></html>",
        ))
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Blocked);
        assert!(!e.is_retryable());
        // Even without a content type.
        let e = check(resp(
            200,
            "application/octet-stream",
            "  <html><title>Domo - Blocked</title>",
        ))
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Blocked);
    }

    #[test]
    fn rate_limit_as_403_is_rate_limited() {
        let e = check(resp(
            403,
            "application/json",
            r#"{"message":"API Rate limit reached."}"#,
        ))
        .unwrap_err();
        assert!(e.is_rate_limited());
        let e = check(resp(403, "application/json", r#"{"message":"Forbidden"}"#)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Forbidden);
        let r = Response::builder()
            .status(429)
            .header("retry-after", "7")
            .body(Bytes::new())
            .unwrap();
        let e = check(r).unwrap_err();
        assert!(e.is_rate_limited());
        assert_eq!(e.retry_after(), Some("7"));
        assert_eq!(e.message(), "the server sent no message");
        assert_eq!(e.status(), Some(429));
    }

    #[test]
    fn empty_and_truncated_json_are_decode_errors_with_context() {
        let e =
            json::<domo_model::datasets::Dataset>(resp(200, "application/json", "")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(e.message().contains("empty"));
        let e = json::<domo_model::datasets::Dataset>(resp(
            200,
            "application/json",
            r#"{"id":"a","name":"#,
        ))
        .unwrap_err();
        assert!(e.message().contains("truncated"), "{e}");
        let e = json::<domo_model::query::QueryResult>(resp(
            200,
            "application/json",
            r#"{"columns":["a"],"rows":[[1],"oops"]}"#,
        ))
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(e.body().unwrap().contains("oops"));
        let e = json::<domo_model::versions::DataVersion>(resp(
            200,
            "application/json",
            r#"{"rowCount":"many"}"#,
        ))
        .unwrap_err();
        #[cfg(feature = "json-path")]
        assert_eq!(e.json_path(), Some("rowCount"), "{e}");
        assert!(e.message().contains("invalid type"), "{e}");
    }
}
