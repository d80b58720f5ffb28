//! Printing results on stdout in the format asked for. Data goes to
//! stdout; progress and notes go to stderr, so pipes get only data.

use std::io::Write;

use serde::Serialize;

use crate::args::OutputArgs;
use crate::failure::Failure;
use crate::table::{Record, Table};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Csv,
}

impl From<OutputArgs> for Format {
    fn from(a: OutputArgs) -> Format {
        match (a.json, a.csv) {
            (true, _) => Format::Json,
            (_, true) => Format::Csv,
            _ => Format::Table,
        }
    }
}

/// stdout in one format.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub format: Format,
}

impl Output {
    pub fn new(format: Format) -> Output {
        Output { format }
    }

    /// Writes text to stdout as it is.
    pub fn raw(&self, text: impl AsRef<[u8]>) -> Result<(), Failure> {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_ref())
            .and_then(|()| out.flush())
            .map_err(|e| Failure::io("cannot write to stdout", e))
    }

    /// Pretty JSON and a line feed.
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> Result<(), Failure> {
        let mut text = serde_json::to_string_pretty(value)
            .map_err(|e| Failure::Io(format!("cannot encode the result as JSON: {e}")))?;
        text.push('\n');
        self.raw(text)
    }

    /// A list: `value` as JSON, or `table(value)` as a table or CSV.
    pub fn list<T: Serialize + ?Sized>(
        &self,
        value: &T,
        table: impl FnOnce(&T) -> Table,
    ) -> Result<(), Failure> {
        match self.format {
            Format::Json => self.json(value),
            Format::Csv => self.raw(table(value).to_csv()),
            Format::Table => {
                let t = table(value);
                let empty = t.is_empty();
                self.raw(t.render())?;
                if empty {
                    note("(none)");
                }
                Ok(())
            }
        }
    }

    /// One object: `value` as JSON, or `record(value)` as lines or CSV.
    pub fn record<T: Serialize + ?Sized>(
        &self,
        value: &T,
        record: impl FnOnce(&T) -> Record,
    ) -> Result<(), Failure> {
        match self.format {
            Format::Json => self.json(value),
            Format::Csv => self.raw(record(value).to_csv()),
            Format::Table => self.raw(record(value).render()),
        }
    }

    /// The outcome of a change the server answers with nothing: a sentence
    /// for people, `json` for scripts, nothing in CSV.
    pub fn done(&self, sentence: &str, json: serde_json::Value) -> Result<(), Failure> {
        match self.format {
            Format::Json => self.json(&json),
            Format::Csv => Ok(()),
            Format::Table => self.raw(format!("{sentence}\n")),
        }
    }
}

/// A line for the person at the terminal, on stderr (never mixed into data).
pub fn note(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// A JSON value as a table cell: text without quotes, `NULL` for null.
pub fn cell_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "NULL".to_owned(),
        other => other.to_string(),
    }
}

/// An optional value as a table cell (empty when absent).
pub fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// stdout for streamed data (exports), remembering whether its reader went
/// away, so a closed pipe (`domoctl export ID | head`) ends quietly.
#[derive(Debug)]
pub struct StreamedStdout {
    inner: tokio::io::Stdout,
    closed: bool,
}

impl StreamedStdout {
    pub fn new() -> StreamedStdout {
        StreamedStdout {
            inner: tokio::io::stdout(),
            closed: false,
        }
    }

    /// The failure to report for `e`, a failed streamed write to stdout.
    pub fn failure(&self, e: domo_native::Error) -> Failure {
        if self.closed {
            Failure::BrokenPipe
        } else {
            Failure::Api(e)
        }
    }

    fn watch<T>(&mut self, r: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &r
            && e.kind() == std::io::ErrorKind::BrokenPipe
        {
            self.closed = true;
        }
        r
    }
}

impl Default for StreamedStdout {
    fn default() -> Self {
        StreamedStdout::new()
    }
}

impl tokio::io::AsyncWrite for StreamedStdout {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let polled = std::pin::Pin::new(&mut self.inner).poll_write(cx, buf);
        polled.map(|r| self.watch(r))
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let polled = std::pin::Pin::new(&mut self.inner).poll_flush(cx);
        polled.map(|r| self.watch(r))
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let polled = std::pin::Pin::new(&mut self.inner).poll_shutdown(cx);
        polled.map(|r| self.watch(r))
    }
}
