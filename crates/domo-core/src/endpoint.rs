//! An endpoint is a type whose [`Spec`] says everything about its request
//! and reply (declared with [`crate::declare!`]). [`Config::prepare`](crate::Config::prepare) turns
//! one into a request any transport can send; [`Endpoint::handle`] turns
//! the [`Reply`] into the output or an [`Error`]. [`check`], the reading of
//! error statuses and HTML pages, is the same for every transport.

use bytes::Bytes;

use crate::error::{Error, ErrorKind};
use crate::json::JsonDoc;
use crate::spec::{Fixup, ReplyShape, Spec};

/// A reply as the core reads it: the status, the two headers the core
/// decides anything on, and the body.
#[derive(Clone, PartialEq, Eq)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// `Content-Type`, if sent.
    pub content_type: Option<String>,
    /// `Retry-After`, if sent.
    pub retry_after: Option<String>,
    /// The whole body.
    pub body: Bytes,
}

/// The body's length, not its bytes: a reply may hold a token.
impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .field("retry_after", &self.retry_after)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl Reply {
    /// A reply with a status and a body, no headers.
    pub fn new(status: u16, body: impl Into<Bytes>) -> Reply {
        Reply {
            status,
            content_type: None,
            retry_after: None,
            body: body.into(),
        }
    }

    /// The same reply with a `Content-Type`.
    pub fn with_content_type(mut self, content_type: &str) -> Reply {
        self.content_type = Some(content_type.to_owned());
        self
    }

    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}

/// Every response header the core reads. A transport that copies headers
/// one at a time (fetch's `Headers`) copies these and may skip the rest.
pub const RESPONSE_HEADERS: [&str; 2] = ["content-type", "retry-after"];

/// Turn a non-success status, or an HTML page where data was expected,
/// into an error; pass anything else through. `J` is the JSON the
/// transport reads error bodies with (their `message` or `statusReason`).
pub fn check<J: JsonDoc>(spec: &Spec, reply: Reply) -> Result<Reply, Error> {
    let html = is_html(reply.content_type.as_deref(), &reply.body);
    if (200..300).contains(&reply.status) {
        if html {
            let title = html_title(&reply.body).unwrap_or_default();
            let blocked = title.to_ascii_lowercase().contains("blocked");
            let (kind, what) = if blocked {
                (
                    ErrorKind::Blocked,
                    "the request was blocked (an IP allow-list?)",
                )
            } else {
                (
                    ErrorKind::Decode,
                    "expected data but the server sent an HTML page",
                )
            };
            let msg = match title.is_empty() {
                true => what.to_owned(),
                false => format!("{what}: {title:?}"),
            };
            return Err(Error::new(kind, msg)
                .with_status(reply.status)
                .with_body(&reply.body));
        }
        return Ok(reply);
    }
    let no_instance = reply.status == 403
        && reply.body.trim_ascii() == b"Forbidden"
        && fixups(spec).contains(&Fixup::ForbiddenTextIsNoInstance);
    if no_instance {
        return Err(Error::new(
            ErrorKind::Forbidden,
            "no Domo instance answers at this address (HTTP 403 `Forbidden` to the login): check the instance name or base URL",
        )
        .with_status(403));
    }
    Err(status_error::<J>(&reply, html))
}

fn fixups(spec: &Spec) -> &'static [Fixup] {
    match spec.reply {
        ReplyShape::Json(f) => f,
        _ => &[],
    }
}

fn status_error<J: JsonDoc>(reply: &Reply, html: bool) -> Error {
    let body = &reply.body;
    let server_message = if html {
        html_title(body).map(|t| format!("the server sent an HTML page: {t:?}"))
    } else {
        std::str::from_utf8(body)
            .ok()
            .and_then(|text| J::parse(text).ok())
            .and_then(|v| {
                let text = |key| v.get(key).and_then(|m| m.as_str());
                text("message").or_else(|| text("statusReason"))
            })
    };
    let rate_limit_text = server_message
        .as_deref()
        .is_some_and(|m| m.to_ascii_lowercase().contains("rate limit"));
    let kind = match reply.status {
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
    // rather than repeat the status's reason phrase.
    let message = server_message.unwrap_or_else(|| "the server sent no message".to_owned());
    let mut e = Error::new(kind, message)
        .with_status(reply.status)
        .with_body(body);
    if let Some(ra) = &reply.retry_after {
        e = e.with_retry_after(ra.as_str());
    }
    e
}

fn is_html(content_type: Option<&str>, body: &[u8]) -> bool {
    let ct_html = content_type.is_some_and(|ct| ct.to_ascii_lowercase().contains("text/html"));
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

/// The text of a `text/*` reply (CSV), less a UTF-8 byte order mark.
pub fn text_body(reply: Reply) -> Bytes {
    let start = reply.body.len() - crate::csv_plan::strip_bom(&reply.body).len();
    reply.body.slice(start..)
}

#[cfg(feature = "typed")]
pub use typed::*;

#[cfg(feature = "typed")]
mod typed {
    use serde::de::DeserializeOwned;

    use super::*;
    use crate::args::Args;
    use crate::config::Config;
    use crate::request::Prepared;

    /// One API endpoint, typed: its arguments are its fields, its output a
    /// model type. Declared with [`crate::declare!`].
    pub trait Endpoint: Args<Json = serde_json::Value> {
        /// What a success reply decodes to.
        type Output;

        /// What the endpoint is.
        fn spec(&self) -> &'static Spec;

        /// Read a success reply; `sent` is the request it answers.
        fn parse(&self, reply: Reply, sent: &Prepared) -> Result<Self::Output, Error>;

        /// Read any reply: errors for non-success statuses and HTML pages,
        /// otherwise [`Endpoint::parse`]. The error names the request.
        fn handle(&self, sent: &Prepared, reply: Reply) -> Result<Self::Output, Error> {
            check::<serde_json::Value>(self.spec(), reply)
                .and_then(|r| self.parse(r, sent))
                .map_err(|e| e.with_request(sent.label.method, &sent.label.path))
        }
    }

    impl Config {
        /// Build the request for `endpoint`.
        pub fn prepare<E: Endpoint>(&self, endpoint: &E) -> Result<Prepared, Error> {
            self.prepare_spec(endpoint.spec(), endpoint)
        }
    }

    /// Decode a JSON reply through its spec's steps into `T`, keeping the
    /// JSON path and the raw body on failure (not the body when `secret`:
    /// the reply may hold a credential).
    pub fn decode<T: DeserializeOwned>(
        spec: &Spec,
        reply: &Reply,
        sent: &Prepared,
    ) -> Result<T, Error> {
        let fixups = super::fixups(spec);
        let secret = fixups.contains(&Fixup::Secret);
        let keep_body = |e: Error| if secret { e } else { e.with_body(&reply.body) };
        if fixups.is_empty() {
            return from_slice(&reply.body).map_err(keep_body);
        }
        let text = std::str::from_utf8(&reply.body)
            .map_err(|_| keep_body(Error::new(ErrorKind::Decode, "the reply is not UTF-8 text")))?;
        let sent_body = std::str::from_utf8(&sent.body).ok();
        let value: serde_json::Value =
            crate::steps::read_reply(fixups, text, sent_body).map_err(|e| {
                if e.kind() == ErrorKind::Decode {
                    keep_body(e)
                } else {
                    e
                }
            })?;
        from_value(value, secret).map_err(keep_body)
    }

    /// Decode JSON bytes into `T`, keeping the JSON path on failure.
    pub fn from_slice<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::new(
                ErrorKind::Decode,
                "expected a JSON body but the response was empty",
            ));
        }
        let mut de = serde_json::Deserializer::from_slice(body);
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
            let err = Error::new(ErrorKind::Decode, what);
            match path {
                Some(p) if p != "." => err.with_json_path(p),
                _ => err,
            }
        })
    }

    /// Decode a parsed reply into `T`, keeping the JSON path on failure;
    /// `secret`: the message names no value (the reply held a credential).
    pub fn from_value<T: DeserializeOwned>(
        value: serde_json::Value,
        secret: bool,
    ) -> Result<T, Error> {
        #[cfg(feature = "json-path")]
        let decoded = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            (Some(path), e.into_inner())
        });
        #[cfg(not(feature = "json-path"))]
        let decoded = T::deserialize(value).map_err(|e| (None::<String>, e));
        decoded.map_err(|(path, inner)| {
            let text = inner.to_string();
            let what = if !secret {
                format!("the response did not match the expected shape: {text}")
            } else if text.starts_with("missing field") {
                // serde_json's messages quote values for type errors only.
                format!("the response did not match the expected shape ({text})")
            } else {
                "the response did not match the expected shape".to_owned()
            };
            let err = Error::new(ErrorKind::Decode, what);
            match path {
                Some(p) if p != "." => err.with_json_path(p),
                _ => err,
            }
        })
    }
}

#[cfg(all(test, feature = "typed"))]
mod tests {
    use super::*;
    use crate::spec::Method;

    static SPEC: Spec = Spec::base("Test", Method::Get, "/x", &[], "void");

    fn check(reply: Reply) -> Result<Reply, Error> {
        super::check::<serde_json::Value>(&SPEC, reply)
    }

    fn resp(status: u16, ct: &str, body: &str) -> Reply {
        Reply::new(status, body.to_owned()).with_content_type(ct)
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
        let e = check(resp(
            404,
            "application/json",
            r#"{"statusReason":"Not Found"}"#,
        ))
        .unwrap_err();
        assert_eq!(e.message(), "Not Found");
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
        let mut r = Reply::new(429, Bytes::new());
        r.retry_after = Some("7".into());
        let e = check(r).unwrap_err();
        assert!(e.is_rate_limited());
        assert_eq!(e.retry_after(), Some("7"));
        assert_eq!(e.message(), "the server sent no message");
        assert_eq!(e.status(), Some(429));
    }

    #[test]
    fn empty_and_truncated_json_are_decode_errors_with_context() {
        let e = from_slice::<domo_model::datasets::Dataset>(b"").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(e.message().contains("empty"));
        let e = from_slice::<domo_model::datasets::Dataset>(br#"{"id":"a","name":"#).unwrap_err();
        assert!(e.message().contains("truncated"), "{e}");
        let e =
            from_slice::<domo_model::versions::DataVersion>(br#"{"rowCount":"many"}"#).unwrap_err();
        #[cfg(feature = "json-path")]
        assert_eq!(e.json_path(), Some("rowCount"), "{e}");
        assert!(e.message().contains("invalid type"), "{e}");
    }
}
