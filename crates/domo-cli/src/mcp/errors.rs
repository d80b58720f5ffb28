//! Tool errors: what went wrong as the agent reads it, in one message that
//! names the HTTP status, the cause and a next step. A Domo failure is a
//! tool result with `isError`, never a protocol error, so the model sees
//! it and can act on it.

use domo_native::{Error, ErrorKind};

use crate::failure::describe_api_error;

/// A tool call that did not succeed: the text the agent reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolError(pub String);

/// What the failed call was doing, for the next step to suggest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doing {
    /// Reading a dataset, its schema or what belongs to it.
    Reading,
    /// Listing or searching datasets.
    Listing,
    /// Running SQL.
    Querying,
    /// Changing Domo.
    Writing,
}

impl ToolError {
    /// Arguments the tool cannot use: what to change.
    pub fn invalid(message: impl Into<String>) -> ToolError {
        ToolError(format!("Invalid arguments: {}", message.into()))
    }

    /// A Domo call that failed while `doing`, with the next step.
    pub fn domo(e: &Error, doing: Doing) -> ToolError {
        let status = match e.status() {
            Some(s) => format!("Domo answered HTTP {s}"),
            None => "The request to Domo failed".to_owned(),
        };
        ToolError(format!(
            "{status}: {}\nNext step: {}",
            describe_api_error(e),
            next_step(e, doing)
        ))
    }
}

/// What the agent (or its user) can do about `e`.
fn next_step(e: &Error, doing: Doing) -> &'static str {
    match (e.kind(), doing) {
        (ErrorKind::NotFound, Doing::Querying) => {
            "check the dataset id (search_datasets finds datasets by name); in SQL the dataset is always named `table`."
        }
        (ErrorKind::NotFound, _) => {
            "check the dataset id: search_datasets or list_datasets find datasets and their ids."
        }
        (ErrorKind::BadRequest | ErrorKind::InvalidInput, Doing::Querying) => {
            "fix the SQL: the dataset is named `table`, column names come from get_schema (quote names with spaces in backticks), and only SELECT is allowed."
        }
        (ErrorKind::BadRequest | ErrorKind::InvalidInput, _) => {
            "fix the argument the message names and call the tool again."
        }
        (ErrorKind::Unauthorized, _) => {
            "the server's Domo credentials are missing, wrong or expired; retrying will not help. The person running `domoctl mcp` must set DOMO_TOKEN (or run `domoctl login`) and restart it."
        }
        (ErrorKind::Forbidden, _) => {
            "the Domo user behind this server may not do this; ask the dataset's owner for access, or work with another dataset."
        }
        (ErrorKind::Conflict, Doing::Writing) => {
            "the dataset changed or is busy (another load or change in progress); read its state again, then retry once."
        }
        (ErrorKind::PayloadTooLarge, _) => {
            "send less: fewer rows or a smaller file, or split it into several appends."
        }
        (ErrorKind::RateLimited, _) => {
            "Domo is limiting requests; wait a minute before calling again."
        }
        (ErrorKind::RowCountMismatch, _) => {
            "the load committed but Domo holds a different row count; check the data with preview_rows or query_dataset before loading again."
        }
        (ErrorKind::Timeout | ErrorKind::Transport, Doing::Writing) => {
            "the write may or may not have happened; check the dataset (get_dataset, preview_rows) before retrying."
        }
        (ErrorKind::Connect, _) => {
            "Domo cannot be reached from this server; check_connection tells whether it is back. Retry later."
        }
        (ErrorKind::Timeout | ErrorKind::Server | ErrorKind::Transport, Doing::Querying) => {
            "retry later, or make the query cheaper: filter, aggregate or LIMIT it."
        }
        (ErrorKind::Timeout | ErrorKind::Server | ErrorKind::Transport, _) => {
            "Domo failed to answer; retry later (reads were already retried)."
        }
        (ErrorKind::Decode, _) => {
            "Domo's reply was not in the form expected; retrying will not help. Report it with the message above."
        }
        _ => "read the message above; retry only if it says the failure was temporary.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_domo_failure_names_status_cause_and_next_step() {
        let e = Error::new(ErrorKind::BadRequest, "Unknown column 'regin'")
            .with_request(domo_core::Method::Post, "/api/query/v1/execute/abc")
            .with_status(400);
        let ToolError(text) = ToolError::domo(&e, Doing::Querying);
        assert!(text.starts_with("Domo answered HTTP 400: bad request: Unknown column 'regin'"));
        assert!(text.contains("Next step: fix the SQL"), "{text}");
        let e = Error::new(ErrorKind::Timeout, "no reply within 60s");
        let ToolError(text) = ToolError::domo(&e, Doing::Writing);
        assert!(text.starts_with("The request to Domo failed: timed out"));
        assert!(text.contains("may or may not have happened"), "{text}");
    }
}
