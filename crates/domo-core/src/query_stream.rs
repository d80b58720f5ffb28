//! Query replies decoded while they arrive: feed the body in chunks of any
//! size, take the header and each row as soon as its bytes are in.
//!
//! The decoder only finds where each JSON value ends (strings, escapes and
//! nesting tracked byte by byte) and hands that one value to `serde_json`,
//! so it holds the unread part of the last chunk plus at most one row,
//! never the whole body. It reads both forms of the reply: the real
//! `{"columns", "metadata", "rows": [[...]], ...}` envelope and the seed's
//! list of row objects. A body that stops before its end is an error at
//! [`QueryDecoder::finish`], never a shorter result.

use std::collections::VecDeque;

use domo_model::query::{ColumnMetadata, QueryResult};
use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind};

/// The largest single value (one row, or one envelope field) the decoder
/// holds by default. A larger one is an error rather than unbounded memory.
pub const DEFAULT_MAX_VALUE_BYTES: usize = 256 * 1024 * 1024;

/// What a query reply says before its rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryHeader {
    /// The result's column names, in order.
    pub columns: Vec<String>,
    /// `metadata[i]` describes `columns[i]`; empty when the server sent none
    /// before the rows (and always for the list-of-objects form).
    pub metadata: Vec<ColumnMetadata>,
    /// The dataset the server says it read (`datasource`), when it says.
    pub datasource: Option<String>,
}

impl QueryHeader {
    /// The Domo type of column `i`, when the server said.
    pub fn column_type(&self, i: usize) -> Option<&domo_model::schema::ColumnType> {
        self.metadata.get(i).map(|m| &m.kind)
    }
}

/// What the envelope says besides the header and the rows, known at the end.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryTail {
    /// `numRows` as the server sent it.
    pub num_rows: Option<u64>,
    /// `numColumns` as the server sent it.
    pub num_columns: Option<u64>,
    /// `fromcache`: whether the server answered from its cache.
    pub fromcache: Option<bool>,
    /// Fields this decoder does not know, kept as sent.
    pub extra: Map<String, Value>,
    /// Metadata that came after the rows (real servers send it before).
    pub late_metadata: Option<Vec<ColumnMetadata>>,
    /// The dataset named in the envelope, when it came after the rows.
    pub datasource: Option<String>,
    /// Rows decoded.
    pub rows: u64,
}

/// One step of a decoded reply. The header always comes once, before any row.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryEvent {
    /// The columns, before any row.
    Header(QueryHeader),
    /// One row's values, in column order.
    Row(Vec<Value>),
    /// A row of the envelope as its JSON text (`[...]`), from a decoder
    /// made [`with_raw_rows`](QueryDecoder::with_raw_rows): for writers that
    /// transcode it without building `Value`s ([`crate::rows::csv_row_json`]).
    /// Its bounds are checked, its content is checked by whoever parses it.
    RawRow(Vec<u8>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the first byte: `{` or `[`.
    Start,
    /// In the envelope, expecting a key (or `}` when `first`).
    Key {
        first: bool,
    },
    Colon,
    Value,
    /// After a field: `,` or `}`.
    AfterField,
    /// Inside `"rows": [`: a row (or `]` when `first`).
    Row {
        first: bool,
    },
    AfterRow,
    /// Inside the list-of-objects form.
    Object {
        first: bool,
    },
    AfterObject,
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    String,
    Container,
    Scalar,
}

/// Where the scan of one value stands, so a value split over many chunks is
/// read once, not again from its start at every chunk.
#[derive(Debug, Clone, Copy)]
struct Scan {
    len: usize,
    depth: u32,
    in_string: bool,
    escape: bool,
    kind: Kind,
}

std::thread_local! {
    /// The column count of the reply being decoded on this thread, for
    /// [`SizedRow`] (`StreamDeserializer` takes no seed to pass it in).
    static ROW_WIDTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// A row decoded into a `Vec` made as long as the reply's columns at once,
/// not grown value by value (JSON says no length up front).
struct SizedRow(Vec<Value>);

impl<'de> serde::Deserialize<'de> for SizedRow {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Row(usize);
        impl<'de> serde::de::Visitor<'de> for Row {
            type Value = Vec<Value>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a row: an array of values")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Vec<Value>, A::Error> {
                // Capped: the width is the server's word, not yet checked.
                let mut row = Vec::with_capacity(self.0.min(4096));
                while let Some(v) = seq.next_element()? {
                    row.push(v);
                }
                Ok(row)
            }
        }
        d.deserialize_seq(Row(ROW_WIDTH.with(std::cell::Cell::get)))
            .map(SizedRow)
    }
}

/// The incremental decoder. Call [`feed`](Self::feed) with each chunk,
/// drain [`next_event`](Self::next_event) until it gives `None`, and at the
/// end of the body call [`finish`](Self::finish).
#[derive(Debug)]
pub struct QueryDecoder {
    buf: Vec<u8>,
    pos: usize,
    /// Body bytes dropped from the front of `buf`, for error offsets.
    base: u64,
    state: State,
    scan: Option<Scan>,
    key: String,
    max_value_bytes: usize,
    columns: Option<Vec<String>>,
    metadata: Option<Vec<ColumnMetadata>>,
    header_sent: bool,
    /// Rows that came before the column names (an unusual field order).
    held: VecDeque<QueryEvent>,
    raw_rows: bool,
    out: VecDeque<QueryEvent>,
    tail: QueryTail,
    failed: bool,
}

impl Default for QueryDecoder {
    fn default() -> Self {
        QueryDecoder::new()
    }
}

impl QueryDecoder {
    /// A decoder waiting for the first byte of a reply.
    pub fn new() -> QueryDecoder {
        QueryDecoder {
            buf: Vec::new(),
            pos: 0,
            base: 0,
            state: State::Start,
            scan: None,
            key: String::new(),
            max_value_bytes: DEFAULT_MAX_VALUE_BYTES,
            columns: None,
            metadata: None,
            header_sent: false,
            held: VecDeque::new(),
            raw_rows: false,
            out: VecDeque::new(),
            tail: QueryTail::default(),
            failed: false,
        }
    }

    /// Refuse any single row or field larger than `bytes`.
    pub fn with_max_value_bytes(mut self, bytes: usize) -> QueryDecoder {
        self.max_value_bytes = bytes.max(1);
        self
    }

    /// Rows of the envelope come as [`QueryEvent::RawRow`] (the seed's
    /// list of objects still comes as [`QueryEvent::Row`]).
    pub fn with_raw_rows(mut self) -> QueryDecoder {
        self.raw_rows = true;
        self
    }

    /// Bytes held right now (the unread input plus a partial value).
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Rows decoded so far.
    pub fn rows(&self) -> u64 {
        self.tail.rows
    }

    /// Add the next bytes of the body.
    pub fn feed(&mut self, chunk: &[u8]) {
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.base += self.pos as u64;
            self.pos = 0;
        }
        self.buf.extend_from_slice(chunk);
    }

    /// The next header or row, `None` when more input is needed (or the
    /// reply is complete). An error is final.
    pub fn next_event(&mut self) -> Result<Option<QueryEvent>, Error> {
        if self.failed {
            return Err(self.error("the reply could not be decoded (see the first error)"));
        }
        loop {
            if let Some(ev) = self.out.pop_front() {
                return Ok(Some(ev));
            }
            match self.step() {
                Ok(true) => {}
                Ok(false) => return Ok(None),
                Err(e) => {
                    self.failed = true;
                    return Err(e);
                }
            }
        }
    }

    /// The end of the body: an error unless the reply was complete (events
    /// still queued are not lost: drain them first).
    pub fn finish(&mut self) -> Result<QueryTail, Error> {
        if self.failed {
            return Err(self.error("the reply could not be decoded"));
        }
        // Whatever is left must be complete events and trailing whitespace.
        while self.step()? {}
        if self.state != State::Done {
            let at = match self.state {
                State::Row { .. } | State::AfterRow => {
                    format!("in the rows, after row {}", self.tail.rows)
                }
                State::Object { .. } | State::AfterObject => {
                    format!("in the list of rows, after row {}", self.tail.rows)
                }
                State::Start => "before it began".to_owned(),
                _ => "inside the envelope".to_owned(),
            };
            let partial = if self.scan.is_some() {
                " in the middle of a value"
            } else {
                ""
            };
            return Err(self.error(format!(
                "the query reply ended early ({at}{partial}, {} bytes): the result is incomplete",
                self.base + self.buf.len() as u64
            )));
        }
        Ok(self.tail.clone())
    }

    fn error(&self, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Decode, message)
    }

    fn error_at(&self, message: impl std::fmt::Display) -> Error {
        self.error(format!(
            "{message} (at byte {} of the query reply)",
            self.base + self.pos as u64
        ))
    }

    /// The next non-whitespace byte, not consumed; `None` when more input
    /// is needed.
    fn peek(&mut self) -> Option<u8> {
        while let Some(&b) = self.buf.get(self.pos) {
            if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                self.pos += 1;
            } else {
                return Some(b);
            }
        }
        None
    }

    /// Scans the value starting at `pos`; its length once complete.
    fn scan_value(&mut self) -> Result<Option<usize>, Error> {
        let bytes = &self.buf[self.pos..];
        let mut s = match self.scan {
            Some(s) => s,
            None => {
                let Some(&first) = bytes.first() else {
                    return Ok(None);
                };
                let (kind, in_string) = match first {
                    b'"' => (Kind::String, true),
                    b'[' | b'{' => (Kind::Container, false),
                    _ => (Kind::Scalar, false),
                };
                Scan {
                    len: 1,
                    depth: u32::from(kind == Kind::Container),
                    in_string,
                    escape: false,
                    kind,
                }
            }
        };
        let mut i = s.len;
        let end = loop {
            if i >= bytes.len() {
                break None;
            }
            if s.in_string {
                // Skip plain string bytes quickly.
                match bytes[i..].iter().position(|&b| b == b'"' || b == b'\\') {
                    None => {
                        i = bytes.len();
                        s.escape = false;
                        break None;
                    }
                    Some(p) if s.escape && p > 0 => {
                        s.escape = false;
                        i += p;
                        continue;
                    }
                    Some(p) => {
                        i += p;
                    }
                }
                let b = bytes[i];
                i += 1;
                if s.escape {
                    s.escape = false;
                } else if b == b'\\' {
                    s.escape = true;
                } else {
                    s.in_string = false;
                    if s.kind == Kind::String {
                        break Some(i);
                    }
                }
                continue;
            }
            if s.kind == Kind::Scalar {
                if matches!(
                    bytes[i],
                    b',' | b']' | b'}' | b':' | b' ' | b'\t' | b'\n' | b'\r'
                ) {
                    break Some(i);
                }
                i += 1;
                continue;
            }
            // In a container, outside strings: only these bytes matter.
            let Some(p) = bytes[i..]
                .iter()
                .position(|&b| matches!(b, b'"' | b'[' | b']' | b'{' | b'}'))
            else {
                i = bytes.len();
                break None;
            };
            i += p;
            match bytes[i] {
                b'"' => s.in_string = true,
                b'[' | b'{' => s.depth += 1,
                _ => {
                    s.depth -= 1;
                    if s.depth == 0 {
                        break Some(i + 1);
                    }
                }
            }
            i += 1;
        };
        // A character escaped just before the chunk ended: the flag stands.
        if let Some(len) = end {
            self.scan = None;
            return Ok(Some(len));
        }
        s.len = i;
        if s.len > self.max_value_bytes {
            return Err(self.error_at(format!(
                "a value of the query reply is larger than the {} byte limit",
                self.max_value_bytes
            )));
        }
        self.scan = Some(s);
        Ok(None)
    }

    /// Takes the complete value of `len` bytes at `pos` and decodes it.
    fn take<T: serde::de::DeserializeOwned>(&mut self, len: usize, what: &str) -> Result<T, Error> {
        let slice = &self.buf[self.pos..self.pos + len];
        match serde_json::from_slice::<T>(slice) {
            Ok(v) => {
                self.pos += len;
                Ok(v)
            }
            Err(e) => {
                let excerpt = String::from_utf8_lossy(&slice[..slice.len().min(120)]).into_owned();
                Err(self
                    .error_at(format!("{what}: {e}"))
                    .with_body(excerpt.as_bytes()))
            }
        }
    }

    /// Decodes the value at `pos` in place when the buffer holds all of it
    /// (a row is usually much smaller than a chunk), sparing the separate
    /// scan for its end. `None` when it does not decode, which is most
    /// often because the buffer ends inside it (serde_json reports some of
    /// those cuts, `-` or `1.` at the end, as bad numbers): then the scan
    /// takes over from the value's start, and a value that is bad indeed
    /// is reported by `take` once the scan has found its end. So each
    /// value is parsed once, plus at most one attempt cut short.
    fn take_whole<T: serde::de::DeserializeOwned>(&mut self) -> Option<T> {
        let slice = &self.buf[self.pos..];
        let mut values = serde_json::Deserializer::from_slice(slice).into_iter::<T>();
        let v = values.next()?.ok()?;
        self.pos += values.byte_offset();
        Some(v)
    }

    fn expect(&self, what: &str, found: u8) -> Error {
        let found = match found {
            0x20..=0x7e => format!("{:?}", found as char),
            b => format!("byte 0x{b:02x}"),
        };
        self.error_at(format!("expected {what}, found {found}"))
    }

    fn send_header(&mut self) {
        if self.header_sent {
            return;
        }
        if let Some(columns) = &self.columns {
            self.header_sent = true;
            self.out.push_back(QueryEvent::Header(QueryHeader {
                columns: columns.clone(),
                metadata: self.metadata.clone().unwrap_or_default(),
                datasource: self.tail.datasource.clone(),
            }));
            self.out.extend(self.held.drain(..));
        }
    }

    fn push_row(&mut self, row: QueryEvent) {
        self.tail.rows += 1;
        if self.header_sent {
            self.out.push_back(row);
        } else {
            self.held.push_back(row);
        }
    }

    /// One transition; `false` when more input is needed.
    fn step(&mut self) -> Result<bool, Error> {
        if self.scan.is_none() && !matches!(self.state, State::Done) && self.peek().is_none() {
            return Ok(false);
        }
        match self.state {
            State::Start => {
                let b = self.peek().unwrap_or_default();
                self.pos += 1;
                self.state = match b {
                    b'{' => State::Key { first: true },
                    b'[' => State::Object { first: true },
                    _ => {
                        self.pos -= 1;
                        return Err(
                            self.expect("the columns/rows envelope or a list of row objects", b)
                        );
                    }
                };
            }
            State::Key { first } => {
                if self.scan.is_none() {
                    match self.peek().unwrap_or_default() {
                        b'}' if first => {
                            self.pos += 1;
                            return self.end_envelope();
                        }
                        b'"' => {}
                        b => return Err(self.expect("a field name", b)),
                    }
                }
                let Some(len) = self.scan_value()? else {
                    return Ok(false);
                };
                self.key = self.take(len, "a field name")?;
                self.state = State::Colon;
            }
            State::Colon => match self.peek().unwrap_or_default() {
                b':' => {
                    self.pos += 1;
                    self.state = State::Value;
                }
                b => return Err(self.expect("':'", b)),
            },
            State::Value => {
                if self.scan.is_none() && self.key == "rows" && self.peek() == Some(b'[') {
                    self.pos += 1;
                    self.send_header();
                    self.state = State::Row { first: true };
                    return Ok(true);
                }
                let Some(len) = self.scan_value()? else {
                    return Ok(false);
                };
                self.field(len)?;
                self.state = State::AfterField;
            }
            State::AfterField => match self.peek().unwrap_or_default() {
                b',' => {
                    self.pos += 1;
                    self.state = State::Key { first: false };
                }
                b'}' => {
                    self.pos += 1;
                    return self.end_envelope();
                }
                b => return Err(self.expect("',' or '}' after a field", b)),
            },
            State::Row { first } => {
                if self.scan.is_none() {
                    match self.peek().unwrap_or_default() {
                        b']' if first => {
                            self.pos += 1;
                            self.state = State::AfterField;
                            return Ok(true);
                        }
                        b'[' => {}
                        b => {
                            return Err(self.expect(
                                &format!("row {} as an array of values", self.tail.rows + 1),
                                b,
                            ));
                        }
                    }
                }
                if self.scan.is_none() && !self.raw_rows {
                    let width = self.columns.as_ref().map_or(0, Vec::len);
                    ROW_WIDTH.with(|w| w.set(width));
                    if let Some(SizedRow(row)) = self.take_whole() {
                        self.push_row(QueryEvent::Row(row));
                        self.state = State::AfterRow;
                        return Ok(true);
                    }
                }
                let Some(len) = self.scan_value()? else {
                    return Ok(false);
                };
                let row = if self.raw_rows {
                    let bytes = self.buf[self.pos..self.pos + len].to_vec();
                    self.pos += len;
                    QueryEvent::RawRow(bytes)
                } else {
                    let what = format!("row {}", self.tail.rows + 1);
                    QueryEvent::Row(self.take(len, &what)?)
                };
                self.push_row(row);
                self.state = State::AfterRow;
            }
            State::AfterRow => match self.peek().unwrap_or_default() {
                b',' => {
                    self.pos += 1;
                    self.state = State::Row { first: false };
                }
                b']' => {
                    self.pos += 1;
                    self.state = State::AfterField;
                }
                b => {
                    return Err(self.expect(&format!("',' or ']' after row {}", self.tail.rows), b));
                }
            },
            State::Object { first } => {
                if self.scan.is_none() {
                    match self.peek().unwrap_or_default() {
                        b']' if first => {
                            self.pos += 1;
                            self.columns.get_or_insert_with(Vec::new);
                            self.send_header();
                            self.state = State::Done;
                            return Ok(true);
                        }
                        b'{' => {}
                        b => {
                            return Err(
                                self.expect(&format!("row {} as an object", self.tail.rows + 1), b)
                            );
                        }
                    }
                }
                let Some(len) = self.scan_value()? else {
                    return Ok(false);
                };
                let what = format!("row {}", self.tail.rows + 1);
                let object: Map<String, Value> = self.take(len, &what)?;
                let row = self.object_row(object)?;
                self.push_row(QueryEvent::Row(row));
                self.state = State::AfterObject;
            }
            State::AfterObject => match self.peek().unwrap_or_default() {
                b',' => {
                    self.pos += 1;
                    self.state = State::Object { first: false };
                }
                b']' => {
                    self.pos += 1;
                    self.state = State::Done;
                }
                b => {
                    return Err(self.expect(&format!("',' or ']' after row {}", self.tail.rows), b));
                }
            },
            State::Done => {
                return match self.peek() {
                    None => Ok(false),
                    Some(b) => Err(self.expect("nothing after the end of the reply", b)),
                };
            }
        }
        Ok(true)
    }

    fn end_envelope(&mut self) -> Result<bool, Error> {
        if self.columns.is_none() {
            return Err(self.error_at("the query reply has no \"columns\" field"));
        }
        self.send_header();
        self.state = State::Done;
        Ok(true)
    }

    /// A whole envelope field other than the streamed rows.
    fn field(&mut self, len: usize) -> Result<(), Error> {
        let key = std::mem::take(&mut self.key);
        let what = format!("field {key:?}");
        match key.as_str() {
            "columns" => self.columns = Some(self.take(len, &what)?),
            "metadata" => {
                let m: Option<Vec<ColumnMetadata>> = self.take(len, &what)?;
                if self.header_sent {
                    self.tail.late_metadata = m;
                } else {
                    self.metadata = m;
                }
            }
            "rows" => {
                // Only `null` is left: an array was streamed.
                let rows: Option<Vec<Vec<Value>>> = self.take(len, &what)?;
                for row in rows.into_iter().flatten() {
                    self.push_row(QueryEvent::Row(row));
                }
            }
            "numRows" => self.tail.num_rows = self.take(len, &what)?,
            "numColumns" => self.tail.num_columns = self.take(len, &what)?,
            "datasource" => self.tail.datasource = self.take(len, &what)?,
            "fromcache" => self.tail.fromcache = self.take(len, &what)?,
            _ => {
                let v: Value = self.take(len, &what)?;
                self.tail.extra.insert(key, v);
            }
        }
        Ok(())
    }

    /// A row object of the list form, in the first object's column order.
    fn object_row(&mut self, object: Map<String, Value>) -> Result<Vec<Value>, Error> {
        let columns = match &self.columns {
            Some(c) => c,
            None => {
                self.columns = Some(object.keys().cloned().collect());
                self.send_header();
                return Ok(object.into_iter().map(|(_, v)| v).collect());
            }
        };
        let mut row = vec![Value::Null; columns.len()];
        for (k, v) in object {
            match columns.iter().position(|c| *c == k) {
                Some(p) => row[p] = v,
                None => {
                    return Err(self.error(format!(
                        "row {}: column {k:?} is not in the first row",
                        self.tail.rows + 1
                    )));
                }
            }
        }
        Ok(row)
    }
}

/// A whole reply decoded through [`QueryDecoder`]: the small-result path
/// (`ExecuteQuery`) reads exactly what the streamed path reads.
pub fn decode_result(body: &[u8]) -> Result<QueryResult, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::new(ErrorKind::Decode, "the query reply is empty"));
    }
    let mut d = QueryDecoder::new();
    d.feed(body);
    let mut header = QueryHeader::default();
    let mut rows = Vec::new();
    while let Some(ev) = d.next_event()? {
        match ev {
            QueryEvent::Header(h) => header = h,
            QueryEvent::Row(r) => rows.push(r),
            // Not asked for here; parsed the same way if it ever came.
            QueryEvent::RawRow(b) => rows.push(serde_json::from_slice(&b).map_err(|e| {
                Error::new(ErrorKind::Decode, format!("row {}: {e}", rows.len() + 1))
            })?),
        }
    }
    let tail = d.finish()?;
    Ok(assemble(header, rows, tail))
}

/// A [`QueryResult`] from the pieces a decoder gave.
pub fn assemble(header: QueryHeader, rows: Vec<Vec<Value>>, tail: QueryTail) -> QueryResult {
    QueryResult {
        datasource: header.datasource.or(tail.datasource),
        num_rows: tail.num_rows.unwrap_or(rows.len() as u64),
        num_columns: tail.num_columns.unwrap_or(header.columns.len() as u64),
        columns: header.columns,
        metadata: tail.late_metadata.unwrap_or(header.metadata),
        rows,
        fromcache: tail.fromcache,
        extra: tail.extra,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ENVELOPE: &str = r#"{"datasource":"abc","columns":["city","n","note"],
        "metadata":[{"type":"STRING","maxLength":-1},{"type":"LONG"},{"type":"STRING"}],
        "rows":[["Oslo",3,"a \"quoted\" \\ back\/slash"],["Zürich 🚀",-1.5e3,null],
                ["\u00e9t\u00e9 \ud83d\ude80",0,{"nested":[1,[2,"]"]]}],["",12345678901234,"line\nbreak, comma"]],
        "numRows":4,"numColumns":3,"fromcache":false,"other":{"x":[1,2]}}"#;

    const OBJECTS: &str = r#"[{"b":"x,\"y\"","a":1},{"a":2,"b":null},{"b":"ü"}]"#;

    /// Every event of `chunks`, fed one by one, and the tail.
    fn run(chunks: &[&[u8]]) -> Result<(Vec<QueryEvent>, QueryTail), Error> {
        let mut d = QueryDecoder::new();
        let mut events = Vec::new();
        for c in chunks {
            d.feed(c);
            while let Some(e) = d.next_event()? {
                events.push(e);
            }
        }
        let tail = d.finish()?;
        Ok((events, tail))
    }

    #[test]
    fn envelope_decodes_header_then_rows() {
        let (events, tail) = run(&[ENVELOPE.as_bytes()]).unwrap();
        let QueryEvent::Header(h) = &events[0] else {
            panic!("{events:?}")
        };
        assert_eq!(h.columns, ["city", "n", "note"]);
        assert_eq!(h.datasource.as_deref(), Some("abc"));
        assert_eq!(h.metadata.len(), 3);
        assert_eq!(events.len(), 5);
        assert_eq!(
            events[1],
            QueryEvent::Row(vec![
                json!("Oslo"),
                json!(3),
                json!("a \"quoted\" \\ back/slash")
            ])
        );
        assert_eq!(
            events[3],
            QueryEvent::Row(vec![
                json!("été 🚀"),
                json!(0),
                json!({"nested": [1, [2, "]"]]})
            ])
        );
        assert_eq!(tail.num_rows, Some(4));
        assert_eq!(tail.fromcache, Some(false));
        assert_eq!(tail.extra["other"], json!({"x": [1, 2]}));
        assert_eq!(tail.rows, 4);
    }

    #[test]
    fn every_chunk_boundary_gives_the_whole_body_result() {
        for body in [ENVELOPE, OBJECTS] {
            let body = body.as_bytes();
            let whole = run(&[body]).unwrap();
            for cut in 0..=body.len() {
                let (a, b) = body.split_at(cut);
                assert_eq!(run(&[a, b]).unwrap(), whole, "cut at {cut}");
            }
            for cut in 0..body.len() {
                for second in (cut + 1..body.len()).step_by(7) {
                    let parts = [&body[..cut], &body[cut..second], &body[second..]];
                    assert_eq!(run(&parts).unwrap(), whole, "cuts at {cut}, {second}");
                }
            }
            // One byte at a time.
            let bytes: Vec<&[u8]> = body.chunks(1).collect();
            assert_eq!(run(&bytes).unwrap(), whole);
        }
    }

    #[test]
    fn raw_rows_carry_the_same_rows_at_every_boundary() {
        let body = ENVELOPE.as_bytes();
        let (whole, _) = run(&[body]).unwrap();
        for cut in 0..=body.len() {
            let mut d = QueryDecoder::new().with_raw_rows();
            let mut events = Vec::new();
            for c in [&body[..cut], &body[cut..]] {
                d.feed(c);
                while let Some(e) = d.next_event().unwrap() {
                    events.push(match e {
                        QueryEvent::RawRow(b) => {
                            QueryEvent::Row(serde_json::from_slice(&b).unwrap())
                        }
                        other => other,
                    });
                }
            }
            d.finish().unwrap();
            assert_eq!(events, whole, "cut at {cut}");
        }
    }

    #[test]
    fn truncation_anywhere_is_an_error_never_a_shorter_result() {
        for body in [ENVELOPE, OBJECTS] {
            let body = body.as_bytes();
            for cut in 0..body.len() {
                let cut_body = &body[..cut];
                if cut_body.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let r = run(&[cut_body]);
                assert!(r.is_err(), "cut at {cut} decoded: {r:?}");
                let e = r.unwrap_err();
                assert_eq!(e.kind(), ErrorKind::Decode);
            }
        }
        let e = run(&[br#"{"columns":["a"],"rows":[[1],[2,"#]).unwrap_err();
        assert!(e.message().contains("after row 1"), "{e}");
        assert!(e.message().contains("incomplete"), "{e}");
    }

    #[test]
    fn rows_keep_their_own_length_and_bad_rows_name_themselves() {
        // The header's width only sizes the row's Vec up front.
        let (events, _) =
            run(&[br#"{"columns":["a","b"],"rows":[[1,2,3,4,5],[],[null]]}"#]).unwrap();
        assert_eq!(
            events[1..],
            [
                QueryEvent::Row(vec![json!(1), json!(2), json!(3), json!(4), json!(5)]),
                QueryEvent::Row(vec![]),
                QueryEvent::Row(vec![Value::Null]),
            ]
        );
        // A bad value inside a row whose end is in the buffer: the in-place
        // decode gives way, the scan finds the row, `take` reports it.
        for chunks in [
            &[&br#"{"columns":["a"],"rows":[[1],[tru],[3]]}"#[..]][..],
            &[br#"{"columns":["a"],"rows":[[1],[tr"#, br#"u],[3]]}"#],
        ] {
            let e = run(chunks).unwrap_err();
            assert!(e.message().contains("row 2"), "{e}");
        }
    }

    #[test]
    fn memory_is_one_row_not_the_body() {
        let mut d = QueryDecoder::new();
        d.feed(br#"{"columns":["v"],"rows":["#);
        let row = format!("[\"{}\"],", "x".repeat(1000));
        let mut most = 0;
        for _ in 0..10_000 {
            d.feed(row.as_bytes());
            while let Some(e) = d.next_event().unwrap() {
                assert!(matches!(e, QueryEvent::Header(_) | QueryEvent::Row(_)));
            }
            most = most.max(d.buffered());
        }
        d.feed(b"[\"end\"]]}");
        while d.next_event().unwrap().is_some() {}
        assert_eq!(d.finish().unwrap().rows, 10_001);
        assert!(most < 2 * row.len(), "held {most} bytes");
    }

    #[test]
    fn values_past_the_limit_are_an_error() {
        let mut d = QueryDecoder::new().with_max_value_bytes(100);
        d.feed(br#"{"columns":["v"],"rows":[[""#);
        while d.next_event().unwrap().is_some() {}
        d.feed(&[b'x'; 200]);
        let e = d.next_event().unwrap_err();
        assert!(e.message().contains("100 byte limit"), "{e}");
    }

    #[test]
    fn rows_before_columns_wait_for_the_header() {
        let (events, _) =
            run(&[br#"{"rows":[[1],[2]],"metadata":[{"type":"LONG"}],"columns":["n"]}"#]).unwrap();
        assert_eq!(
            events,
            [
                QueryEvent::Header(QueryHeader {
                    columns: vec!["n".into()],
                    metadata: vec![ColumnMetadata {
                        kind: domo_model::schema::ColumnType::Long,
                        extra: Default::default()
                    }],
                    datasource: None,
                }),
                QueryEvent::Row(vec![json!(1)]),
                QueryEvent::Row(vec![json!(2)]),
            ]
        );
    }

    #[test]
    fn list_of_objects_takes_the_first_objects_columns() {
        let r = decode_result(OBJECTS.as_bytes()).unwrap();
        assert_eq!(r.columns, ["b", "a"]);
        assert_eq!(r.rows[1], [Value::Null, json!(2)]);
        assert_eq!(r.rows[2], [json!("ü"), Value::Null]);
        let e = decode_result(br#"[{"a":1},{"z":2}]"#).unwrap_err();
        assert!(e.message().contains("row 2: column \"z\""), "{e}");
        let empty = decode_result(b" [ ] ").unwrap();
        assert!(empty.columns.is_empty() && empty.rows.is_empty());
    }

    #[test]
    fn bad_shapes_name_what_was_expected() {
        let cases: [(&[u8], &str); 8] = [
            (b"\"x\"", "envelope"),
            (b"[1]", "row 1 as an object"),
            (br#"{"rows":[]}"#, "no \"columns\""),
            (
                br#"{"columns":["a"],"rows":[[1],"oops"]}"#,
                "row 2 as an array",
            ),
            (br#"{"columns":["a"],"rows":[[1,]]}"#, "row 1"),
            (br#"{"columns":["a"]} x"#, "nothing after"),
            (br#"{"columns":"a"}"#, "field \"columns\""),
            (br#"{"columns":["a"],}"#, "a field name"),
        ];
        for (body, needle) in cases {
            let e = decode_result(body).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Decode);
            assert!(e.message().contains(needle), "{e} lacks {needle:?}");
        }
        assert!(
            decode_result(b"  ")
                .unwrap_err()
                .message()
                .contains("empty")
        );
    }

    #[test]
    fn whole_result_matches_the_serde_form() {
        let via_decoder = decode_result(ENVELOPE.as_bytes()).unwrap();
        let via_serde: QueryResult = serde_json::from_str(ENVELOPE).unwrap();
        assert_eq!(via_decoder, via_serde);
        let via_decoder = decode_result(OBJECTS.as_bytes()).unwrap();
        let via_serde: QueryResult = serde_json::from_str(OBJECTS).unwrap();
        assert_eq!(via_decoder.rows, via_serde.rows);
        assert_eq!(via_decoder.columns, via_serde.columns);
        // `rows: null` and a missing `rows` are no rows.
        let r = decode_result(br#"{"columns":["a"],"rows":null}"#).unwrap();
        assert!(r.rows.is_empty());
    }
}
