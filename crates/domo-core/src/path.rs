//! Ids are validated, then percent-encoded one path segment at a time, so
//! that no id can change which endpoint a request reaches.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::error::Error;

/// Everything but RFC 3986's unreserved characters is encoded: `/`, `%`,
/// `?`, `#`, `;` and spaces included.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The longest id accepted. Real ids are UUIDs or integers; anything much
/// longer is a mistake, and proxies reject long URLs with unhelpful errors.
pub const MAX_ID_LEN: usize = 512;

/// Validate `value` as the id named `what` and return it encoded as one path
/// segment.
pub fn segment(what: &str, value: &str) -> Result<String, Error> {
    let problem = if value.is_empty() {
        Some("must not be empty".to_owned())
    } else if value.trim().is_empty() {
        Some("must not be blank".to_owned())
    } else if value == "." || value == ".." {
        Some("must not be `.` or `..`".to_owned())
    } else if value.chars().any(char::is_control) {
        Some("must not contain control characters (such as CR or LF)".to_owned())
    } else if value.len() > MAX_ID_LEN {
        Some(format!(
            "is {} bytes long; at most {MAX_ID_LEN} are accepted",
            value.len()
        ))
    } else {
        None
    };
    match problem {
        Some(p) => Err(Error::invalid_input(format!(
            "invalid {what} {}: it {p}",
            preview(value)
        ))),
        None => Ok(utf8_percent_encode(value, SEGMENT).to_string()),
    }
}

/// Encode a query-string value.
pub fn query_value(value: &str) -> String {
    utf8_percent_encode(value, SEGMENT).to_string()
}

/// A short, escaped rendering of a rejected id for error messages.
fn preview(value: &str) -> String {
    const MAX: usize = 40;
    if value.chars().count() > MAX {
        let head: String = value.chars().take(MAX).collect();
        format!("{head:?}…")
    } else {
        format!("{value:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_ids_are_encoded_so_they_stay_one_segment() {
        for (raw, encoded) in [
            ("abc-123_x.y~z", "abc-123_x.y~z"),
            ("../x", "..%2Fx"),
            ("a/b", "a%2Fb"),
            ("%2e%2e", "%252e%252e"),
            ("a?b#c", "a%3Fb%23c"),
            ("a b", "a%20b"),
            ("ünï", "%C3%BCn%C3%AF"),
            ("...", "..."),
        ] {
            assert_eq!(segment("dataset id", raw).unwrap(), encoded, "{raw}");
        }
    }

    #[test]
    fn ids_that_cannot_be_an_id_are_rejected_with_a_reason() {
        for (raw, why) in [
            ("", "empty"),
            ("   ", "blank"),
            (".", "`.` or `..`"),
            ("..", "`.` or `..`"),
            ("a\r\nX-Evil: 1", "control characters"),
            ("tab\there", "control characters"),
        ] {
            let e = segment("dataset id", raw).unwrap_err();
            assert!(e.to_string().contains(why), "{raw:?}: {e}");
            assert!(e.to_string().contains("dataset id"), "{e}");
            assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
        }
        let long = "x".repeat(MAX_ID_LEN + 1);
        let e = segment("user id", &long).unwrap_err().to_string();
        assert!(e.contains("513 bytes"), "{e}");
        assert!(e.len() < 200, "message quotes a short preview only: {e}");
        assert!(segment("user id", &"x".repeat(MAX_ID_LEN)).is_ok());
    }
}
