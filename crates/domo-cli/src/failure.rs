//! Why a command failed, as one sentence for stderr, and the exit code.
//!
//! Exit codes: 0 success; 1 the request was sent and failed, or a local
//! file could not be read or written; 2 the command cannot run as given
//! (usage, missing or invalid configuration, input refused before
//! anything was sent).

use std::fmt;

use domo_core::Secret;
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
    /// stdout was closed by its reader (`domoctl export ID | head`): stop
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
        ErrorKind::Unauthorized => {
            "not authorised (is DOMO_TOKEN right and current, or the profile's session? `domoctl login` starts a new one; with client credentials: are DOMO_CLIENT_ID and DOMO_CLIENT_SECRET right?)"
        }
        ErrorKind::AuthFailed => "login refused",
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
        ErrorKind::RowCountMismatch => "verification failed",
        ErrorKind::WrongApi => "not on this API",
        _ => "request failed",
    };
    // A refused login's message says so itself ("login failed: ...").
    let mut text = match e.kind() {
        ErrorKind::AuthFailed => e.message().to_owned(),
        _ => format!("{what}: {}", e.message()),
    };
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

/// The shortest text [`redact`] treats as a token. Shorter values are no
/// credential anyone issues (Domo's developer tokens run to dozens of
/// characters; six is the shortest common secret, a PIN), but they are
/// whole words of ordinary messages (`x`, `id`, `GET`, `404`, `true`), so
/// scrubbing them would damage what is printed and protect nothing.
pub const MIN_REDACTED_LEN: usize = 6;

/// Replaces each whole occurrence of `secret` in `text`: the last line of
/// defence should a server echo the token back in an error message (the
/// CLI itself only ever holds the token as a `Secret`). An occurrence is
/// whole when no token character (letter, digit, `-`, `_`) touches it on
/// either side, so a token never cuts into a longer word, path or token
/// that merely contains it; a secret shorter than [`MIN_REDACTED_LEN`] is
/// left alone.
pub fn redact(text: &str, secret: Option<&str>) -> String {
    let Some(secret) = secret
        .map(str::trim)
        .filter(|s| s.chars().count() >= MIN_REDACTED_LEN)
    else {
        return text.to_owned();
    };
    let is_token_char = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = text[from..].find(secret) {
        let start = from + found;
        let end = start + secret.len();
        let whole = !text[..start].chars().next_back().is_some_and(is_token_char)
            && !text[end..].chars().next().is_some_and(is_token_char);
        if whole {
            out.push_str(&text[copied..start]);
            out.push_str("[redacted]");
            copied = end;
            from = end;
        } else {
            // Overlapping occurrences are possible: step one character.
            from = start + text[start..].chars().next().map_or(1, char::len_utf8);
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// [`redact`] for each of `secrets`.
pub fn redact_all(text: &str, secrets: &[Secret]) -> String {
    secrets
        .iter()
        .fold(text.to_owned(), |text, s| redact(&text, Some(s.expose())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_errors_name_kind_message_request_and_status() {
        let e = Error::new(ErrorKind::NotFound, "dataset `x` does not exist")
            .with_request(domo_core::Method::Get, "/api/data/v3/datasources/x")
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

    #[test]
    fn redaction_leaves_short_secrets_and_longer_runs_alone() {
        // Too short to be a token: the message stays whole.
        let text = "cannot read /nonexistent.csv: x is not a file";
        assert_eq!(redact(text, Some("x")), text);
        assert_eq!(redact(text, Some("abcde")), text);
        // A token inside a longer word, path component or token is not
        // that token.
        let token = "DDCIa1b2c3d4e5f6";
        for text in [
            "DDCIa1b2c3d4e5f6789 is another token",
            "/tmp/xDDCIa1b2c3d4e5f6/file.csv",
            "prefix_DDCIa1b2c3d4e5f6",
            "DDCIa1b2c3d4e5f6-suffix",
        ] {
            assert_eq!(redact(text, Some(token)), text);
        }
    }

    #[test]
    fn redaction_scrubs_whole_tokens_wherever_they_stand() {
        let token = "DDCIa1b2c3d4e5f6";
        for (text, want) in [
            ("DDCIa1b2c3d4e5f6", "[redacted]"),
            (
                "invalid token DDCIa1b2c3d4e5f6.",
                "invalid token [redacted].",
            ),
            (
                "header X-DOMO-Developer-Token: DDCIa1b2c3d4e5f6, refused",
                "header X-DOMO-Developer-Token: [redacted], refused",
            ),
            ("token=\"DDCIa1b2c3d4e5f6\"", "token=\"[redacted]\""),
            ("/t/DDCIa1b2c3d4e5f6/x", "/t/[redacted]/x"),
            // Not whole at the first place it appears, whole at the second.
            (
                "xDDCIa1b2c3d4e5f6 DDCIa1b2c3d4e5f6",
                "xDDCIa1b2c3d4e5f6 [redacted]",
            ),
            ("é DDCIa1b2c3d4e5f6 é", "é [redacted] é"),
        ] {
            assert_eq!(redact(text, Some(token)), want, "{text}");
        }
        // Overlapping candidates: the whole one is found.
        assert_eq!(
            redact("aaaaaaa aaaaaa", Some("aaaaaa")),
            "aaaaaaa [redacted]"
        );
        // Whitespace around the secret (a pasted newline) is not part of it.
        assert_eq!(
            redact("bad DDCIa1b2c3d4e5f6", Some("DDCIa1b2c3d4e5f6\n")),
            "bad [redacted]"
        );
    }

    #[test]
    fn redact_all_scrubs_each_secret() {
        let secrets = [Secret::new("first-token-1"), Secret::new("second-token-2")];
        assert_eq!(
            redact_all("first-token-1 then second-token-2, x", &secrets),
            "[redacted] then [redacted], x"
        );
    }
}
