//! Replies written while SQLite yields their rows: the store operation
//! runs on a blocking thread holding its reader, an encoder (a `RowSink`)
//! turns rows into bytes, and chunks of about `CHUNK_BYTES` go through a
//! small channel into the response body. Memory is a few chunks plus one
//! row, whatever the result's size.
//!
//! Nothing is sent before the first chunk is full (or the result ends), so
//! a refusal or an error in the first rows is an ordinary 4xx reply. An
//! error after that (the time limit, `--max-reply-bytes`) aborts the body:
//! hyper closes the connection without the final empty chunk, which every
//! HTTP client reports as a broken transfer, never as a complete reply.
//! The body also ends that way if the task ends without saying it is done.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use rusqlite::types::ValueRef;
use serde_json::json;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;

use crate::clock::{Clock, Deadline, Timer};
use crate::csvio::{self, ColumnType};
use crate::error::ApiError;
use crate::store::sink::{Field, ResultColumn, RowSink, RowValues, decimal_json};
use crate::store::{self, Store, StoreError};

/// Bytes gathered before a chunk is sent.
const CHUNK_BYTES: usize = 64 * 1024;
/// Chunks in flight between the query and the socket.
const CHANNEL_CHUNKS: usize = 4;

/// Default `--max-reply-bytes`: 4 GiB.
pub const DEFAULT_MAX_REPLY_BYTES: u64 = 4 * 1024 * 1024 * 1024;

enum Msg {
    Chunk(Bytes),
    Failed(StoreError),
    Done,
}

/// What `--query-timeout` bounds in a streamed reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeLimit {
    /// The whole reply, the query's work and the client's reading alike
    /// (SQL and `/data` JSON, which hold a reader connection throughout).
    Whole,
    /// Each wait for the client to take the next chunk (the CSV export,
    /// whose reads are short transactions of a few thousand stored rows:
    /// a large export may take longer than the limit, a stalled client not).
    Stall,
}

/// The sending end: a buffer, the byte limit and the time limit.
pub(crate) struct ChunkSender {
    tx: mpsc::Sender<Msg>,
    runtime: tokio::runtime::Handle,
    pub(crate) buf: Vec<u8>,
    sent: u64,
    max_bytes: u64,
    /// The whole reply's limit (`TimeLimit::Whole`), armed when the
    /// reply's task starts; `None` for `TimeLimit::Stall`.
    whole: Option<Deadline>,
    /// The emulator's clock, for each wait of a `TimeLimit::Stall` reply.
    clock: Clock,
    timeout: Duration,
}

impl ChunkSender {
    /// The buffer encoders append to.
    fn buf(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// Refuses to go on once the reply (with `pending` bytes not yet in the
    /// buffer) would pass `--max-reply-bytes`.
    pub(crate) fn check_limit(&self, pending: usize, rows: u64) -> store::Result<()> {
        if self.sent + (self.buf.len() + pending) as u64 > self.max_bytes {
            return Err(StoreError::invalid(format!(
                "the reply passed the limit of {} bytes (--max-reply-bytes) after {rows} rows and was stopped; page through the result with LIMIT and OFFSET",
                self.max_bytes
            )));
        }
        Ok(())
    }

    /// Sends the buffer once it holds a chunk, in chunks of `CHUNK_BYTES`
    /// (a large row, or the export's read of many rows, is cut: what is in
    /// flight stays a few chunks); the rest stays for the next.
    pub(crate) fn flush_if_full(&mut self) -> store::Result<()> {
        if self.buf.len() < CHUNK_BYTES {
            return Ok(());
        }
        let full = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK_BYTES + 4096));
        let mut bytes = Bytes::from(full);
        while bytes.len() >= CHUNK_BYTES {
            let chunk = bytes.split_to(CHUNK_BYTES);
            self.sent += chunk.len() as u64;
            self.send(Msg::Chunk(chunk))?;
        }
        self.buf.extend_from_slice(&bytes);
        Ok(())
    }

    /// Waits for room in the channel until the time limit: a client that
    /// stops reading cannot hold a reader connection (or an export) forever.
    fn send(&self, msg: Msg) -> store::Result<()> {
        // The body was dropped: the client went away. The error only stops
        // the query; nobody is left to read it.
        let closed = || StoreError::conflict("the client closed the connection");
        match &self.whole {
            Some(deadline) => match self.send_until(deadline, msg) {
                Some(Ok(())) => Ok(()),
                Some(Err(_)) => Err(closed()),
                None => Err(StoreError::invalid(format!(
                    "the query ran past the time limit of {} s (--query-timeout) while the client read the reply",
                    self.timeout.as_secs_f64()
                ))),
            },
            None => {
                // Only a full channel waits, so the clock's ClientRead
                // timer is armed exactly while the client holds the export up.
                let msg = match self.tx.try_send(msg) {
                    Ok(()) => return Ok(()),
                    Err(TrySendError::Closed(_)) => return Err(closed()),
                    Err(TrySendError::Full(msg)) => msg,
                };
                let deadline = self.clock.deadline(Timer::ClientRead, self.timeout);
                let sent = self.send_until(&deadline, msg);
                // Passed, even if the chunk went at the same moment: the
                // clock said the client read nothing for the whole limit.
                let passed = deadline.close();
                match sent {
                    Some(Err(_)) => Err(closed()),
                    Some(Ok(())) if !passed => Ok(()),
                    _ => Err(StoreError::invalid(format!(
                        "the client read nothing for {} s (--query-timeout) and the reply was stopped",
                        self.timeout.as_secs_f64()
                    ))),
                }
            }
        }
    }

    /// Sends `msg` unless `deadline` passes first (`None`). A message the
    /// channel takes at once goes even past the deadline: the error that
    /// ends a reply must still reach it.
    fn send_until(
        &self,
        deadline: &Deadline,
        msg: Msg,
    ) -> Option<Result<(), mpsc::error::SendError<Msg>>> {
        self.runtime.block_on(async {
            tokio::select! {
                biased;
                sent = self.tx.send(msg) => Some(sent),
                () = deadline.reached() => None,
            }
        })
    }

    /// Ends the reply: the rest of the buffer and the end mark, or the error.
    pub(crate) fn end(mut self, result: store::Result<()>) {
        let result = result.and_then(|()| {
            if !self.buf.is_empty() {
                let chunk = std::mem::take(&mut self.buf);
                self.sent += chunk.len() as u64;
                self.send(Msg::Chunk(Bytes::from(chunk)))?;
            }
            Ok(())
        });
        match result {
            Ok(()) => {
                let _ = self.send(Msg::Done);
            }
            // An error never waits for room: before the first chunk the
            // channel is empty, and after it, the sender dropped with the
            // channel full breaks the body off just the same. (Waiting
            // would hold this thread for a client that may never read.)
            Err(e) => {
                let _ = self.tx.try_send(Msg::Failed(e));
            }
        }
    }
}

/// An encoder of one reply format.
pub(crate) trait Encoder: RowSink + Send + 'static {
    /// Writes what follows the last row.
    fn finish(&mut self) -> store::Result<()>;
    fn sender(self) -> ChunkSender;
}

/// Runs `op` on a blocking thread with an encoder made by `encoder`, and
/// answers with what it writes (`content_type`), or with the error it
/// ends with before the first chunk. The time limit is the whole reply's.
pub(crate) async fn stream_reply<E: Encoder>(
    store: &Arc<Store>,
    max_reply_bytes: u64,
    content_type: &'static str,
    encoder: impl FnOnce(ChunkSender) -> E + Send + 'static,
    op: impl FnOnce(&Store, &mut E) -> store::Result<()> + Send + 'static,
) -> Result<Response, ApiError> {
    stream_with(
        store,
        max_reply_bytes,
        TimeLimit::Whole,
        content_type,
        move |store, sender| {
            let mut enc = encoder(sender);
            let result = op(store, &mut enc).and_then(|()| enc.finish());
            enc.sender().end(result);
        },
    )
    .await
}

/// Runs `write` on a blocking thread with a `ChunkSender` (which `write`
/// must `end`), and answers with what it sends, or with the error it ends
/// with before the first chunk.
pub(crate) async fn stream_with(
    store: &Arc<Store>,
    max_reply_bytes: u64,
    limit: TimeLimit,
    content_type: &'static str,
    write: impl FnOnce(&Store, ChunkSender) + Send + 'static,
) -> Result<Response, ApiError> {
    let (tx, mut rx) = mpsc::channel(CHANNEL_CHUNKS);
    let store = Arc::clone(store);
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let timeout = store.query_timeout();
        let clock = store.clock().clone();
        let sender = ChunkSender {
            tx,
            runtime,
            buf: Vec::with_capacity(CHUNK_BYTES + 4096),
            sent: 0,
            max_bytes: max_reply_bytes,
            whole: (limit == TimeLimit::Whole).then(|| clock.deadline(Timer::Reply, timeout)),
            clock,
            timeout,
        };
        write(&store, sender);
    });
    let first = match rx.recv().await {
        Some(Msg::Chunk(b)) => Some(b),
        Some(Msg::Done) => None,
        Some(Msg::Failed(e)) => return Err(e.into()),
        None => return Err(ApiError::internal("the reply's task ended without a reply")),
    };
    let done = first.is_none();
    let body =
        futures_util::stream::unfold((rx, first, done), |(mut rx, first, done)| async move {
            if let Some(b) = first {
                return Some((Ok(b), (rx, None, false)));
            }
            if done {
                return None;
            }
            let item = match rx.recv().await {
                Some(Msg::Chunk(b)) => Ok(b),
                Some(Msg::Done) => return None,
                Some(Msg::Failed(e)) => Err(std::io::Error::other(e.message)),
                None => Err(std::io::Error::other("the reply's task ended early")),
            };
            let failed = item.is_err();
            Some((item, (rx, None, failed)))
        });
    let mut resp = (StatusCode::OK, Body::from_stream(body)).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    Ok(resp)
}

pub(crate) const JSON: &str = "application/json";
pub(crate) const CSV: &str = "text/csv; charset=utf-8";

/// A value as JSON, written straight into `out`: the bytes
/// `serde_json::to_vec(&csvio::json_value(ty, v))` would make.
fn write_json_value(out: &mut Vec<u8>, ty: Option<ColumnType>, v: &Field<'_>) {
    let v = match v {
        // Exact digits: JSON numbers have no precision limit of their own.
        Field::Decimal(text) => return out.extend_from_slice(text.as_bytes()),
        Field::Sql(v) => *v,
    };
    match v {
        ValueRef::Null => out.extend_from_slice(b"null"),
        ValueRef::Integer(i) => {
            let _ = serde_json::to_writer(&mut *out, &i);
        }
        ValueRef::Text(t) if ty != Some(ColumnType::Decimal) => {
            let _ = serde_json::to_writer(&mut *out, &*csvio::text(t));
        }
        // A stored DECIMAL (its text as uploaded), written exactly.
        ValueRef::Text(t) => match decimal_json(t) {
            Some(text) => out.extend_from_slice(text.as_bytes()),
            None => {
                let _ = serde_json::to_writer(&mut *out, &csvio::json_value(ty, v));
            }
        },
        other => {
            let _ = serde_json::to_writer(&mut *out, &csvio::json_value(ty, other));
        }
    }
}

fn write_json_row(
    out: &mut Vec<u8>,
    declared: &[Option<ColumnType>],
    row: &RowValues<'_, '_>,
) -> store::Result<()> {
    out.push(b'[');
    for (i, ty) in declared.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_json_value(out, *ty, &row.get(i)?);
    }
    out.push(b']');
    Ok(())
}

/// The `{datasource, columns, metadata, numRows, numColumns, rows,
/// fromcache}` envelope of `/api/query/v1/execute` and `/sql/v1`.
///
/// A reply that fits in the first chunk is written as it always was. A
/// larger one streams: `numRows` and `numColumns` follow the rows, and
/// `metadata` precedes them only when the first chunk's rows showed the
/// type of every column (a column's type is its declared one, else that
/// of its first non-null value); otherwise it follows the rows, exact.
pub(crate) struct JsonEnvelope {
    out: ChunkSender,
    dataset_id: String,
    names: Vec<String>,
    declared: Vec<Option<ColumnType>>,
    inferred: Vec<Option<ColumnType>>,
    /// Rows held until the envelope's head is written.
    pending: Vec<u8>,
    rows: u64,
    streaming: bool,
    metadata_late: bool,
}

impl JsonEnvelope {
    pub fn new(out: ChunkSender, dataset_id: String) -> Self {
        Self {
            out,
            dataset_id,
            names: Vec::new(),
            declared: Vec::new(),
            inferred: Vec::new(),
            pending: Vec::new(),
            rows: 0,
            streaming: false,
            metadata_late: false,
        }
    }

    fn types_known(&self) -> bool {
        self.declared
            .iter()
            .zip(&self.inferred)
            .all(|(d, i)| d.is_some() || i.is_some())
    }

    fn write_head(&mut self) {
        let buf = &mut self.out.buf;
        buf.extend_from_slice(b"{\"datasource\":");
        let _ = serde_json::to_writer(&mut *buf, &self.dataset_id);
        buf.extend_from_slice(b",\"columns\":");
        let _ = serde_json::to_writer(&mut *buf, &self.names);
    }

    fn write_metadata(&mut self) {
        let metadata: Vec<serde_json::Value> = self
            .declared
            .iter()
            .zip(&self.inferred)
            .map(|(d, i)| {
                let ty = d.or(*i).unwrap_or(ColumnType::String);
                json!({
                    "type": ty.as_str(),
                    "dataSourceId": self.dataset_id,
                    "maxLength": -1,
                    "minLength": -1,
                    "periodIndex": 0,
                    "aggregated": false,
                })
            })
            .collect();
        self.out.buf.extend_from_slice(b"\"metadata\":");
        let _ = serde_json::to_writer(&mut self.out.buf, &metadata);
    }

    fn write_counts(&mut self) {
        let counts = format!(
            "\"numRows\":{},\"numColumns\":{}",
            self.rows,
            self.names.len()
        );
        self.out.buf.extend_from_slice(counts.as_bytes());
    }
}

impl RowSink for JsonEnvelope {
    fn columns(&mut self, columns: &[ResultColumn]) -> store::Result<()> {
        self.names = columns.iter().map(|c| c.name.clone()).collect();
        self.declared = columns.iter().map(|c| c.declared).collect();
        self.inferred = vec![None; columns.len()];
        Ok(())
    }

    fn row(&mut self, row: &RowValues<'_, '_>) -> store::Result<()> {
        if !self.streaming || self.metadata_late {
            for (i, slot) in self.inferred.iter_mut().enumerate() {
                if slot.is_none() {
                    *slot = row.get(i)?.column_type();
                }
            }
        }
        if self.streaming {
            if self.rows > 0 {
                self.out.buf.push(b',');
            }
            write_json_row(&mut self.out.buf, &self.declared, row)?;
            self.rows += 1;
            self.out.check_limit(0, self.rows)?;
            return self.out.flush_if_full();
        }
        if self.rows > 0 {
            self.pending.push(b',');
        }
        write_json_row(&mut self.pending, &self.declared, row)?;
        self.rows += 1;
        self.out.check_limit(self.pending.len(), self.rows)?;
        if self.pending.len() >= CHUNK_BYTES {
            self.write_head();
            self.out.buf.push(b',');
            if self.types_known() {
                self.write_metadata();
                self.out.buf.push(b',');
            } else {
                self.metadata_late = true;
            }
            self.out.buf.extend_from_slice(b"\"rows\":[");
            let pending = std::mem::take(&mut self.pending);
            self.out.buf.extend_from_slice(&pending);
            self.streaming = true;
            self.out.flush_if_full()?;
        }
        Ok(())
    }
}

impl Encoder for JsonEnvelope {
    fn finish(&mut self) -> store::Result<()> {
        if self.streaming {
            self.out.buf.extend_from_slice(b"],");
            if self.metadata_late {
                self.write_metadata();
                self.out.buf.push(b',');
            }
            self.write_counts();
        } else {
            self.write_head();
            self.out.buf.push(b',');
            self.write_metadata();
            self.out.buf.push(b',');
            self.write_counts();
            self.out.buf.extend_from_slice(b",\"rows\":[");
            let pending = std::mem::take(&mut self.pending);
            self.out.buf.extend_from_slice(&pending);
            self.out.buf.push(b']');
        }
        self.out.buf.extend_from_slice(b",\"fromcache\":false}");
        self.out.check_limit(0, self.rows)
    }

    fn sender(self) -> ChunkSender {
        self.out
    }
}

/// `GET .../data` as JSON: `{"columns": [...], "rows": [[...]]}`.
pub(crate) struct DataPage {
    out: ChunkSender,
    declared: Vec<Option<ColumnType>>,
    rows: u64,
}

impl DataPage {
    pub fn new(out: ChunkSender) -> Self {
        Self {
            out,
            declared: Vec::new(),
            rows: 0,
        }
    }
}

impl RowSink for DataPage {
    fn columns(&mut self, columns: &[ResultColumn]) -> store::Result<()> {
        self.declared = columns.iter().map(|c| c.declared).collect();
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        let buf = self.out.buf();
        buf.extend_from_slice(b"{\"columns\":");
        let _ = serde_json::to_writer(&mut *buf, &names);
        buf.extend_from_slice(b",\"rows\":[");
        Ok(())
    }

    fn row(&mut self, row: &RowValues<'_, '_>) -> store::Result<()> {
        if self.rows > 0 {
            self.out.buf.push(b',');
        }
        write_json_row(&mut self.out.buf, &self.declared, row)?;
        self.rows += 1;
        self.out.check_limit(0, self.rows)?;
        self.out.flush_if_full()
    }
}

impl Encoder for DataPage {
    fn finish(&mut self) -> store::Result<()> {
        self.out.buf.extend_from_slice(b"]}");
        self.out.check_limit(0, self.rows)
    }

    fn sender(self) -> ChunkSender {
        self.out
    }
}

/// CSV in the export's dialect (`\N` for null), with a header row when asked.
pub(crate) struct CsvRows {
    out: ChunkSender,
    header: bool,
    rows: u64,
}

impl CsvRows {
    pub fn new(out: ChunkSender, header: bool) -> Self {
        Self {
            out,
            header,
            rows: 0,
        }
    }
}

impl RowSink for CsvRows {
    fn columns(&mut self, columns: &[ResultColumn]) -> store::Result<()> {
        if self.header {
            csvio::write_header(self.out.buf(), columns.iter().map(|c| c.name.as_str()));
        }
        Ok(())
    }

    fn row(&mut self, row: &RowValues<'_, '_>) -> store::Result<()> {
        let buf = &mut self.out.buf;
        for i in 0..row.len() {
            if i > 0 {
                buf.push(b',');
            }
            csvio::write_value(buf, row.get(i)?.value_ref());
        }
        buf.push(b'\n');
        self.rows += 1;
        self.out.check_limit(0, self.rows)?;
        self.out.flush_if_full()
    }
}

impl Encoder for CsvRows {
    fn finish(&mut self) -> store::Result<()> {
        self.out.check_limit(0, self.rows)
    }

    fn sender(self) -> ChunkSender {
        self.out
    }
}
