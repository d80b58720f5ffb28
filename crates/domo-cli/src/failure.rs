//! Why a command failed, as one sentence for stderr, and the exit code.
//!
//! Exit codes: 0 success; 1 the request was sent and failed, or a local
//! file could not be read or written; 2 the command cannot run as given
//! (usage, missing or invalid configuration, input refused before
//! anything was sent).

use std::fmt;

use domo_native::{Error, ErrorKind};

pub const EXIT_FAILURE: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

#[derive(Debug)]
pub enum Failure {
    /// The command cannot run as given: what to change.
    Usage(String),
    /// A call to Domo failed.
    Api(Error),
    /// A local file or stream failed.
    Io(String),
    /// stdout was closed by its reader (`domo export ID | head`): stop
    /// quietly, that reader has what it wanted.
    BrokenPipe,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure::Usage(message.into())
    }

    pub fn io(what: impl fmt::Display, err: std::io::Error) -> Failure {
        if err.kind() == std::io::ErrorKind::BrokenPipe {
            return Failure::BrokenPipe;
        }
        Failure::Io(format!("{what}: {err}"))
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) => EXIT_USAGE,
            Failure::Api(e) if e.kind() == ErrorKind::InvalidInput => EXIT_USAGE,
            Failure::Api(_) | Failure::Io(_) => EXIT_FAILURE,
            Failure::BrokenPipe => 0,
        }
    }

    /// The sentence printed after `error: `; `None` when nothing should be
    /// said.
    pub fn describe(&self) -> Option<String> {
        match self {
            Failure::Usage(m) | Failure::Io(m) => Some(m.clone()),
            Failure::Api(e) => Some(describe_api_error(e)),
            Failure::BrokenPipe => None,
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Api(e)
    }
}

/// `not found: no dataset abc (GET /api/data/v3/datasources/abc answered HTTP 404)`.
pub fn describe_api_error(e: &Error) -> String {
    let what = match e.kind() {
        ErrorKind::InvalidInput => "invalid input",
        ErrorKind::Unauthorized => "not authorised (is DOMO_TOKEN right and current?)",
        ErrorKind::Forbidden => "forbidden",
        ErrorKind::NotFound => "not found",
        ErrorKind::Conflict => "conflict",
        ErrorKind::PayloadTooLarge => "too large",
        ErrorKind::RateLimited => "rate limited (gave up after retrying)",
        ErrorKind::RequestTimeout => "the server timed out waiting for the request",
        ErrorKind::BadRequest => "bad request",
        ErrorKind::Server => "server error",
        ErrorKind::Blocked => "blocked",
        ErrorKind::Decode => "unexpected reply",
        ErrorKind::Connect => "cannot connect",
        ErrorKind::Timeout => "timed out",
        ErrorKind::Transport => "connection failed",
        ErrorKind::Io => "local I/O failed",
        _ => "request failed",
    };
    let mut text = format!("{what}: {}", e.message());
    if let Some(path) = e.json_path() {
        text.push_str(&format!(" (at `{path}`)"));
    }
    // A plain-text body the core could not read a message from says more
    // than the status's name.
    if let Some(body) = e.body().map(str::trim) {
        let plain =
            !body.is_empty() && !body.starts_with(['{', '[', '<']) && !e.message().contains(body);
        if plain {
            let excerpt: String = body.chars().take(120).collect();
            let cut = if excerpt.len() < body.len() {
                "…"
            } else {
                ""
            };
            text.push_str(&format!(" ({}{cut})", excerpt.replace(['\r', '\n'], " ")));
        }
    }
    // The innermost source says why a connection failed ("Connection
    // refused"); the layers above it only repeat that something did.
    let mut source = std::error::Error::source(e);
    let mut innermost = None;
    while let Some(s) = source {
        innermost = Some(s.to_string());
        source = s.source();
    }
    if let Some(cause) = innermost.filter(|c| !text.contains(c.as_str())) {
        text.push_str(&format!(" ({cause})"));
    }
    match (e.method(), e.path(), e.status()) {
        (Some(m), Some(p), Some(s)) => text.push_str(&format!(" [{m} {p} answered HTTP {s}]")),
        (Some(m), Some(p), None) => text.push_str(&format!(" [{m} {p}]")),
        (_, _, Some(s)) => text.push_str(&format!(" [HTTP {s}]")),
        _ => {}
    }
    text
}

/// Replaces every occurrence of `secret` in `text`: the last line of
/// defence should a server echo the token back in an error message.
pub fn redact(text: &str, secret: Option<&str>) -> String {
    match secret {
        Some(s) if !s.is_empty() => text.replace(s, "[redacted]"),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_errors_name_kind_message_request_and_status() {
        let e = Error::new(ErrorKind::NotFound, "dataset `x` does not exist")
            .with_request(&http::Method::GET, "/api/data/v3/datasources/x")
            .with_status(404)
            .with_body(br#"{"message":"dataset `x` does not exist"}"#);
        let f = Failure::from(e);
        assert_eq!(f.exit_code(), EXIT_FAILURE);
        assert_eq!(
            f.describe().unwrap(),
            "not found: dataset `x` does not exist [GET /api/data/v3/datasources/x answered HTTP 404]"
        );
    }

    #[test]
    fn invalid_input_is_a_usage_failure() {
        let f = Failure::from(Error::invalid_input("dataset id must not be empty"));
        assert_eq!(f.exit_code(), EXIT_USAGE);
        assert_eq!(
            f.describe().unwrap(),
            "invalid input: dataset id must not be empty"
        );
    }

    #[test]
    fn plain_text_bodies_are_quoted_briefly() {
        let e = Error::new(ErrorKind::Server, "Bad Gateway")
            .with_status(502)
            .with_body(b"upstream\nunavailable");
        assert_eq!(
            describe_api_error(&e),
            "server error: Bad Gateway (upstream unavailable) [HTTP 502]"
        );
    }

    #[test]
    fn broken_pipe_is_silent_success() {
        let f = Failure::io(
            "writing",
            std::io::Error::from(std::io::ErrorKind::BrokenPipe),
        );
        assert_eq!(f.exit_code(), 0);
        assert_eq!(f.describe(), None);
    }

    #[test]
    fn redaction_removes_every_occurrence() {
        assert_eq!(
            redact("token abc123 and abc123", Some("abc123")),
            "token [redacted] and [redacted]"
        );
        assert_eq!(redact("nothing", Some("")), "nothing");
        assert_eq!(redact("nothing", None), "nothing");
    }
}
