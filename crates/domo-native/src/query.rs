//! Query results at any size: rows decoded while the reply arrives (the
//! core's [`QueryDecoder`]), paged queries as one stream over pages, and
//! rows written to a writer as CSV or JSON Lines as they come. Memory is
//! one chunk plus one row (plus the writer's 64 KiB buffer), whatever the
//! result's size.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use domo_core::csv_plan::strip_bom;
use domo_core::query::{ExecuteQuery, ExecuteQueryCsv, QueryPages};
use domo_core::query_stream::{QueryDecoder, QueryEvent, QueryHeader, QueryTail, assemble};
use domo_core::rows::{CsvRecordCounter, RowFormat, RowWriter, csv_row_json};
use domo_core::v1::datasets::V1Query;
use domo_core::{Endpoint, Error, ErrorKind, RequestLabel};
use domo_model::DatasetId;
use domo_model::query::{ColumnMetadata, QueryResult};
use domo_model::schema::ColumnType;
use futures_util::Stream;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::client::Client;

/// One row of a query result: `row[i]` is the value of `columns()[i]`.
pub type Row = Vec<Value>;

/// Written output is handed to the writer in pieces of about this size.
const WRITE_BUFFER: usize = 64 * 1024;

/// One reply being read.
struct Page {
    response: reqwest::Response,
    decoder: QueryDecoder,
    label: RequestLabel,
    received: u64,
    tail: Option<QueryTail>,
    raw: bool,
}

impl Page {
    async fn open<E: Endpoint>(client: &Client, endpoint: &E, raw: bool) -> Result<Page, Error> {
        let label = client.inner.config.prepare(endpoint)?.label;
        let response = client.inner.open_stream(endpoint).await?;
        Ok(Page::new(response, label, raw))
    }

    /// `raw`: rows come as their JSON text (for the CSV writer).
    fn new(response: reqwest::Response, label: RequestLabel, raw: bool) -> Page {
        Page {
            response,
            decoder: if raw {
                QueryDecoder::new().with_raw_rows()
            } else {
                QueryDecoder::new()
            },
            raw,
            label,
            received: 0,
            tail: None,
        }
    }

    fn tag(&self, e: Error) -> Error {
        e.with_request(self.label.method, &self.label.path)
    }

    /// The next event of this reply; `None` once it ended complete.
    async fn next_event(&mut self) -> Result<Option<QueryEvent>, Error> {
        loop {
            if let Some(ev) = self.decoder.next_event().map_err(|e| self.tag(e))? {
                return Ok(Some(ev));
            }
            if self.tail.is_some() {
                return Ok(None);
            }
            let chunk = self.response.chunk().await.map_err(|e| {
                self.tag(
                    Error::new(
                        ErrorKind::Transport,
                        format!(
                            "the query reply broke off after {} bytes and {} rows: {e}",
                            self.received,
                            self.decoder.rows()
                        ),
                    )
                    .with_source(e.without_url()),
                )
            })?;
            match chunk {
                Some(c) => {
                    self.received += c.len() as u64;
                    self.decoder.feed(&c);
                }
                None => {
                    let tail = self.decoder.finish().map_err(|e| self.tag(e))?;
                    self.tail = Some(tail);
                }
            }
        }
    }

    /// Reads up to the header (always the first event).
    async fn header(&mut self) -> Result<QueryHeader, Error> {
        match self.next_event().await? {
            Some(QueryEvent::Header(h)) => Ok(h),
            _ => Err(self.tag(Error::new(
                ErrorKind::Decode,
                "the query reply has no column names",
            ))),
        }
    }
}

/// The state a [`QueryRows`] moves between its polls.
struct Cursor {
    client: Client,
    dataset_id: DatasetId,
    pages: Option<QueryPages>,
    page: Page,
    columns: Vec<String>,
    in_page: u64,
}

impl Cursor {
    async fn next_row(&mut self) -> Result<Option<Row>, Error> {
        match self.next_item().await? {
            Some(event) => self.event_row(event).transpose(),
            None => Ok(None),
        }
    }

    /// A row already decoded from what has arrived, without waiting (the
    /// stream's fast path: most rows are); `None` when more must be read.
    fn buffered_row(&mut self) -> Option<Result<Row, Error>> {
        loop {
            let event = match self.page.decoder.next_event() {
                Ok(Some(ev)) => ev,
                Ok(None) => return None,
                Err(e) => return Some(Err(self.page.tag(e))),
            };
            match self.row_event(event) {
                Ok(Some(row)) => return self.event_row(row),
                Ok(None) => {}
                Err(e) => return Some(Err(e)),
            }
        }
    }

    /// A row event as a [`Row`] (a raw row parsed); `None` for a header.
    fn event_row(&self, event: QueryEvent) -> Option<Result<Row, Error>> {
        match event {
            QueryEvent::Row(r) => Some(Ok(r)),
            QueryEvent::RawRow(json) => Some(serde_json::from_slice(&json).map_err(|e| {
                self.page.tag(Error::new(
                    ErrorKind::Decode,
                    format!("a row of the query reply: {e}"),
                ))
            })),
            QueryEvent::Header(_) => None,
        }
    }

    /// A row event counted and passed on; a page's header checked against
    /// the first page's columns and consumed (`None`).
    fn row_event(&mut self, event: QueryEvent) -> Result<Option<QueryEvent>, Error> {
        match event {
            QueryEvent::Header(h) => {
                if h.columns != self.columns {
                    let offset = self.pages.as_ref().map_or(0, QueryPages::offset);
                    return Err(self.page.tag(Error::new(
                        ErrorKind::Decode,
                        format!(
                            "the page at offset {offset} has columns {:?}, the first page had {:?}",
                            h.columns, self.columns
                        ),
                    )));
                }
                Ok(None)
            }
            row => {
                self.in_page += 1;
                Ok(Some(row))
            }
        }
    }

    /// The next row event (`Row`, or `RawRow` from a raw page), over pages.
    async fn next_item(&mut self) -> Result<Option<QueryEvent>, Error> {
        loop {
            match self.page.next_event().await? {
                Some(event) => {
                    if let Some(row) = self.row_event(event)? {
                        return Ok(Some(row));
                    }
                }
                None => {
                    let Some(pages) = self.pages.as_mut() else {
                        return Ok(None);
                    };
                    pages.page_ended(self.in_page);
                    let Some(sql) = pages.next_sql() else {
                        return Ok(None);
                    };
                    self.page =
                        open_query(&self.client, &self.dataset_id, sql, self.page.raw).await?;
                    self.in_page = 0;
                }
            }
        }
    }
}

/// Opens the reply to `sql` on the API the client's credentials reach:
/// the product API's query, or the public API's (`/v1/datasets/query/
/// execute`), which answers the same envelope.
async fn open_query(
    client: &Client,
    dataset_id: &DatasetId,
    sql: String,
    raw: bool,
) -> Result<Page, Error> {
    let dataset_id = dataset_id.clone();
    if client.is_public_api() {
        Page::open(client, &V1Query { dataset_id, sql }, raw).await
    } else {
        Page::open(client, &ExecuteQuery { dataset_id, sql }, raw).await
    }
}

/// Sends the first (or only) query and reads up to its header.
async fn open_cursor(
    client: &Client,
    dataset_id: &DatasetId,
    sql: &str,
    pages: Option<QueryPages>,
    raw: bool,
) -> Result<(Cursor, QueryHeader), Error> {
    let first_sql = match &pages {
        Some(p) => p.next_sql().unwrap_or_default(),
        None => sql.to_owned(),
    };
    let mut page = open_query(client, dataset_id, first_sql, raw).await?;
    let header = page.header().await?;
    Ok((
        cursor_over(client, dataset_id, page, &header, pages),
        header,
    ))
}

fn cursor_over(
    client: &Client,
    dataset_id: &DatasetId,
    page: Page,
    header: &QueryHeader,
    pages: Option<QueryPages>,
) -> Cursor {
    Cursor {
        client: client.clone(),
        dataset_id: dataset_id.clone(),
        pages,
        page,
        columns: header.columns.clone(),
        in_page: 0,
    }
}

type NextRow = Pin<Box<dyn Future<Output = (Box<Cursor>, Result<Option<Row>, Error>)> + Send>>;

/// The rows of a query as they arrive: a [`Stream`] of [`Row`]s whose
/// column names are known before the first row. Made by
/// [`Client::query_rows`] (one reply) and [`Client::query_all`] (pages).
/// A reply that breaks off is an error item, never a quiet end.
pub struct QueryRows {
    header: QueryHeader,
    cursor: Option<Box<Cursor>>,
    pending: Option<NextRow>,
    finished: bool,
    rows: u64,
}

impl std::fmt::Debug for QueryRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryRows")
            .field("columns", &self.header.columns)
            .field("rows", &self.rows)
            .field("finished", &self.finished)
            .finish()
    }
}

impl QueryRows {
    async fn start(
        client: &Client,
        dataset_id: &DatasetId,
        sql: &str,
        pages: Option<QueryPages>,
    ) -> Result<QueryRows, Error> {
        let (cursor, header) = open_cursor(client, dataset_id, sql, pages, false).await?;
        Ok(QueryRows::over(cursor, header))
    }

    fn over(cursor: Cursor, header: QueryHeader) -> QueryRows {
        QueryRows {
            cursor: Some(Box::new(cursor)),
            header,
            pending: None,
            finished: false,
            rows: 0,
        }
    }

    /// The result's column names, in order.
    pub fn columns(&self) -> &[String] {
        &self.header.columns
    }

    /// Column metadata sent before the rows (Domo sends it there).
    pub fn metadata(&self) -> &[ColumnMetadata] {
        &self.header.metadata
    }

    /// Everything the reply said before its rows.
    pub fn header(&self) -> &QueryHeader {
        &self.header
    }

    /// Rows yielded so far.
    pub fn rows_read(&self) -> u64 {
        self.rows
    }

    /// The envelope fields after the rows (`numRows`, `fromcache`, ...) of
    /// the last reply, once the stream has ended.
    pub fn tail(&self) -> Option<&QueryTail> {
        match (&self.cursor, self.finished) {
            (Some(c), true) => c.page.tail.as_ref(),
            _ => None,
        }
    }

    /// The next row, `None` at the end. The same as polling the stream.
    pub async fn next_row(&mut self) -> Result<Option<Row>, Error> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx))
            .await
            .transpose()
    }

    /// Every remaining row in memory as a [`QueryResult`]: for results known
    /// to be small.
    pub async fn collect_result(mut self) -> Result<QueryResult, Error> {
        let mut rows = Vec::new();
        while let Some(r) = self.next_row().await? {
            rows.push(r);
        }
        let mut tail = self.tail().cloned().unwrap_or_default();
        if self.cursor.as_ref().is_some_and(|c| c.pages.is_some()) {
            // The last page's counts describe that page only.
            tail.num_rows = None;
        }
        Ok(assemble(self.header, rows, tail))
    }
}

impl Stream for QueryRows {
    type Item = Result<Row, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.finished {
            return Poll::Ready(None);
        }
        if self.pending.is_none() {
            let buffered = self.cursor.as_mut().and_then(|c| c.buffered_row());
            match buffered {
                Some(Ok(row)) => {
                    self.rows += 1;
                    return Poll::Ready(Some(Ok(row)));
                }
                Some(Err(e)) => {
                    self.finished = true;
                    return Poll::Ready(Some(Err(e)));
                }
                None => {}
            }
            let Some(mut cursor) = self.cursor.take() else {
                return Poll::Ready(None);
            };
            self.pending = Some(Box::pin(async move {
                let r = cursor.next_row().await;
                (cursor, r)
            }));
        }
        let Some(pending) = self.pending.as_mut() else {
            return Poll::Ready(None);
        };
        let (cursor, result) = match pending.as_mut().poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(done) => done,
        };
        self.pending = None;
        self.cursor = Some(cursor);
        match result {
            Ok(Some(row)) => {
                self.rows += 1;
                Poll::Ready(Some(Ok(row)))
            }
            Ok(None) => {
                self.finished = true;
                Poll::Ready(None)
            }
            Err(e) => {
                self.finished = true;
                Poll::Ready(Some(Err(e)))
            }
        }
    }
}

/// Called with what has been written so far.
pub type QueryProgressFn = Arc<dyn Fn(QueryProgress) + Send + Sync>;

/// How far a [`Client::query_to`] has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueryProgress {
    /// Rows written.
    pub rows: u64,
    /// Bytes written.
    pub bytes: u64,
}

/// How [`Client::query_to`] runs and writes a query.
#[derive(Clone)]
#[non_exhaustive]
pub struct QueryToOptions {
    /// CSV or JSON Lines.
    pub format: RowFormat,
    /// Page with `LIMIT/OFFSET`, this many rows a page (the JSON route).
    pub page_size: Option<u64>,
    /// For CSV of one reply, ask the CSV route first
    /// (`POST /api/query/v1/execute/export/{id}`); a server without it
    /// (404/406) gets the JSON route, its rows written as CSV.
    pub csv_route: bool,
    /// Called as output is written.
    pub progress: Option<QueryProgressFn>,
}

impl QueryToOptions {
    /// Write rows in `format`, in one reply, the CSV route when there is one.
    pub fn new(format: RowFormat) -> QueryToOptions {
        QueryToOptions {
            format,
            page_size: None,
            csv_route: true,
            progress: None,
        }
    }

    /// Page with `LIMIT/OFFSET`, `rows` a page (see [`Client::query_all`]).
    pub fn page_size(mut self, rows: u64) -> QueryToOptions {
        self.page_size = Some(rows);
        self
    }

    /// Read the JSON reply even where the server offers CSV.
    pub fn json_route(mut self) -> QueryToOptions {
        self.csv_route = false;
        self
    }

    /// Report progress to `f`.
    pub fn progress(mut self, f: impl Fn(QueryProgress) + Send + Sync + 'static) -> QueryToOptions {
        self.progress = Some(Arc::new(f));
        self
    }
}

impl std::fmt::Debug for QueryToOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryToOptions")
            .field("format", &self.format)
            .field("page_size", &self.page_size)
            .field("csv_route", &self.csv_route)
            .field("progress", &self.progress.as_ref().map(|_| "<callback>"))
            .finish()
    }
}

/// What [`Client::query_to`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueryWritten {
    /// Data rows (the CSV header row not counted).
    pub rows: u64,
    /// Bytes written.
    pub bytes: u64,
    /// Whether the server's CSV route produced the output.
    pub csv_route: bool,
}

/// Buffers output and hands it to the writer in [`WRITE_BUFFER`] pieces.
struct Sink<'w, W> {
    out: &'w mut W,
    buf: Vec<u8>,
    written: QueryProgress,
    progress: Option<QueryProgressFn>,
}

impl<W: AsyncWrite + Unpin> Sink<'_, W> {
    async fn maybe_flush(&mut self) -> Result<(), Error> {
        if self.buf.len() >= WRITE_BUFFER {
            self.flush_buf().await?;
        }
        Ok(())
    }

    async fn flush_buf(&mut self) -> Result<(), Error> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.out.write_all(&self.buf).await.map_err(write_error)?;
        self.written.bytes += self.buf.len() as u64;
        self.buf.clear();
        if let Some(p) = &self.progress {
            p(self.written);
        }
        Ok(())
    }

    async fn finish(mut self) -> Result<QueryProgress, Error> {
        self.flush_buf().await?;
        self.out.flush().await.map_err(write_error)?;
        Ok(self.written)
    }
}

fn write_error(e: std::io::Error) -> Error {
    Error::new(ErrorKind::Io, format!("cannot write the query result: {e}")).with_source(e)
}

impl Client {
    /// Run SQL against one dataset, named `table` in the SQL, and read the
    /// whole result into memory. For results of any size use
    /// [`Client::query_rows`] (a stream) or [`Client::query_to`] (a writer).
    /// With client credentials, this and the other query methods run on
    /// the public API (`/v1/datasets/query/execute`).
    pub async fn query(
        &self,
        dataset_id: impl Into<DatasetId>,
        sql: impl Into<String>,
    ) -> Result<QueryResult, Error> {
        let (dataset_id, sql) = (dataset_id.into(), sql.into());
        if self.is_public_api() {
            return self.v1().query(dataset_id, &sql).await;
        }
        self.send(&ExecuteQuery { dataset_id, sql }).await
    }

    /// Run `sql` and map each row onto `T` by column name. Domo types map
    /// to Rust types: `LONG` → integers, `DOUBLE` → `f64`, `DECIMAL` →
    /// [`domo_model::types::Decimal`] (or `f64`), `DATE`/`DATETIME` →
    /// [`domo_model::types::Date`]/[`DateTime`](domo_model::types::DateTime)
    /// (or `String`), `STRING` → `String`; nulls → `Option`.
    pub async fn query_as<T: DeserializeOwned>(
        &self,
        dataset_id: impl Into<DatasetId>,
        sql: impl Into<String>,
    ) -> Result<Vec<T>, Error> {
        let result = self.query(dataset_id, sql).await?;
        rows_as(&result)
    }

    /// Run `sql` and read its rows as they arrive. Returns once the column
    /// names are in; the rows follow as a stream. Memory stays one chunk
    /// plus one row however large the result.
    pub async fn query_rows(
        &self,
        dataset_id: impl Into<DatasetId>,
        sql: &str,
    ) -> Result<QueryRows, Error> {
        QueryRows::start(self, &dataset_id.into(), sql, None).await
    }

    /// [`Client::query_rows`] with each row mapped onto `T` as
    /// [`Client::query_as`] maps them (by column name, or by position for
    /// tuples); an error names the row and column.
    pub async fn query_rows_as<T: DeserializeOwned>(
        &self,
        dataset_id: impl Into<DatasetId>,
        sql: &str,
    ) -> Result<impl Stream<Item = Result<T, Error>> + Send + Unpin + 'static, Error> {
        Ok(typed(self.query_rows(dataset_id, sql).await?))
    }

    /// Every row of `sql`, paging with `LIMIT/OFFSET` (the server does not
    /// page): `SELECT * FROM (sql) AS page LIMIT n OFFSET m` until a short
    /// page. Each page's rows are yielded as they arrive; nothing
    /// accumulates. Give the SQL an `ORDER BY` for a stable order across
    /// pages. [`QueryRows::collect_result`] gathers a small result.
    pub async fn query_all(
        &self,
        dataset_id: impl Into<DatasetId>,
        sql: &str,
        page_size: u64,
    ) -> Result<QueryRows, Error> {
        let pages = Some(QueryPages::new(sql, page_size));
        QueryRows::start(self, &dataset_id.into(), sql, pages).await
    }

    /// [`Client::query_all`] mapped onto `T` as [`Client::query_rows_as`].
    pub async fn query_all_as<T: DeserializeOwned>(
        &self,
        dataset_id: impl Into<DatasetId>,
        sql: &str,
        page_size: u64,
    ) -> Result<impl Stream<Item = Result<T, Error>> + Send + Unpin + 'static, Error> {
        Ok(typed(self.query_all(dataset_id, sql, page_size).await?))
    }

    /// Run `sql` and write its rows to `out` as they arrive: CSV (header
    /// row, `\N` for null, as the export writes) or JSON Lines, as
    /// `options` say. CSV uses the server's CSV route when it has one.
    ///
    /// ```no_run
    /// # async fn run(client: domo_native::Client) -> Result<(), domo_native::Error> {
    /// use domo_native::{QueryToOptions, RowFormat};
    /// let mut out: Vec<u8> = Vec::new();
    /// let options = QueryToOptions::new(RowFormat::Csv).progress(|p| eprintln!("{} rows", p.rows));
    /// let written = client.query_to("9b2c7e0e", "SELECT * FROM table", &options, &mut out).await?;
    /// eprintln!("{} rows, {} bytes", written.rows, written.bytes);
    /// # Ok(()) }
    /// ```
    pub async fn query_to<W: AsyncWrite + Unpin>(
        &self,
        dataset_id: impl Into<DatasetId>,
        sql: &str,
        options: &QueryToOptions,
        out: &mut W,
    ) -> Result<QueryWritten, Error> {
        let dataset_id = &dataset_id.into();
        let mut sink = Sink {
            out,
            buf: Vec::with_capacity(WRITE_BUFFER + 4096),
            written: QueryProgress { rows: 0, bytes: 0 },
            progress: options.progress.clone(),
        };
        // The public API has no CSV route for queries.
        let wants_csv_route = options.format == RowFormat::Csv
            && options.csv_route
            && options.page_size.is_none()
            && !self.is_public_api();
        if wants_csv_route {
            let endpoint = ExecuteQueryCsv {
                dataset_id: dataset_id.clone(),
                sql: sql.to_owned(),
                include_header: true,
            };
            let label = self.inner.config.prepare(&endpoint)?.label;
            match self.inner.open_stream(&endpoint).await {
                Ok(response) => {
                    let is_json = response
                        .headers()
                        .get(reqwest::header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .is_some_and(|ct| ct.to_ascii_lowercase().contains("json"));
                    if is_json {
                        // The route answered with the JSON envelope.
                        let mut page = Page::new(response, label, true);
                        let header = page.header().await?;
                        let cursor = cursor_over(self, dataset_id, page, &header, None);
                        let mut written = write_rows(cursor, &header, RowFormat::Csv, sink).await?;
                        written.csv_route = true;
                        return Ok(written);
                    }
                    return copy_csv(response, &label, sink).await;
                }
                Err(e) if ExecuteQueryCsv::not_offered(&e) => {
                    tracing::debug!(
                        status = e.status(),
                        "no CSV query route; using the JSON route"
                    );
                }
                Err(e) => return Err(e),
            }
        }
        let pages = options.page_size.map(|n| QueryPages::new(sql, n));
        // CSV is written from each row's JSON text, without `Value`s.
        let raw = options.format == RowFormat::Csv;
        let (cursor, header) = open_cursor(self, dataset_id, sql, pages, raw).await?;
        sink.buf.clear();
        write_rows(cursor, &header, options.format, sink).await
    }
}

async fn write_rows<W: AsyncWrite + Unpin>(
    mut cursor: Cursor,
    header: &QueryHeader,
    format: RowFormat,
    mut sink: Sink<'_, W>,
) -> Result<QueryWritten, Error> {
    let writer = RowWriter::new(format, header.columns.clone());
    writer.header(&mut sink.buf);
    while let Some(item) = cursor.next_item().await? {
        let bad_row = |e: serde_json::Error| {
            Error::new(
                ErrorKind::Decode,
                format!("row {} of the query reply: {e}", sink.written.rows + 1),
            )
        };
        match item {
            QueryEvent::RawRow(json) if format == RowFormat::Csv => {
                csv_row_json(&mut sink.buf, &json).map_err(|e| cursor.page.tag(bad_row(e)))?;
            }
            QueryEvent::RawRow(json) => {
                let row: Row =
                    serde_json::from_slice(&json).map_err(|e| cursor.page.tag(bad_row(e)))?;
                writer.row(&mut sink.buf, &row);
            }
            QueryEvent::Row(row) => writer.row(&mut sink.buf, &row),
            QueryEvent::Header(_) => continue,
        }
        sink.written.rows += 1;
        sink.maybe_flush().await?;
    }
    let done = sink.finish().await?;
    Ok(QueryWritten {
        rows: done.rows,
        bytes: done.bytes,
        csv_route: false,
    })
}

/// The CSV route's body into the sink, without its byte order mark; rows
/// are counted as records outside quotes.
async fn copy_csv<W: AsyncWrite + Unpin>(
    mut response: reqwest::Response,
    label: &RequestLabel,
    mut sink: Sink<'_, W>,
) -> Result<QueryWritten, Error> {
    let mut counter = CsvRecordCounter::default();
    // Held until three bytes are in: the byte order mark may itself be
    // split across chunks.
    let mut head: Option<Vec<u8>> = Some(Vec::new());
    let mut received = 0u64;
    loop {
        let chunk = response.chunk().await.map_err(|e| {
            Error::new(
                ErrorKind::Transport,
                format!("the CSV query reply broke off after {received} bytes: {e}"),
            )
            .with_request(label.method, &label.path)
        })?;
        let Some(chunk) = chunk else { break };
        received += chunk.len() as u64;
        let owned;
        let data: &[u8] = match head.as_mut() {
            Some(h) => {
                h.extend_from_slice(&chunk);
                if h.len() < 3 && b"\xEF\xBB\xBF".starts_with(h) {
                    continue;
                }
                owned = head.take().unwrap_or_default();
                strip_bom(&owned)
            }
            None => &chunk,
        };
        counter.feed(data);
        sink.buf.extend_from_slice(data);
        sink.written.rows = counter.records().saturating_sub(1);
        sink.maybe_flush().await?;
    }
    if let Some(h) = head {
        let rest = strip_bom(&h);
        counter.feed(rest);
        sink.buf.extend_from_slice(rest);
    }
    sink.written.rows = counter.finish().saturating_sub(1);
    let done = sink.finish().await?;
    Ok(QueryWritten {
        rows: done.rows,
        bytes: done.bytes,
        csv_route: true,
    })
}

fn typed<T: DeserializeOwned>(
    rows: QueryRows,
) -> impl Stream<Item = Result<T, Error>> + Send + Unpin + 'static {
    let header = Arc::new(rows.header().clone());
    let mut index = 0usize;
    futures_util::StreamExt::map(rows, move |row| {
        index += 1;
        row.and_then(|row| row_as(&header.columns, |c| header.column_type(c), index - 1, &row))
    })
}

/// Map the rows of a result onto `T` by column name (structs, maps) or by
/// position (tuples), naming the row and column of a value that does not fit.
pub fn rows_as<T: DeserializeOwned>(result: &QueryResult) -> Result<Vec<T>, Error> {
    result
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| row_as(&result.columns, |c| result.column_type(c), i, row))
        .collect()
}

/// Row `index` (from 0) onto `T`; `kind(c)` is the Domo type of column `c`.
fn row_as<'k, T: DeserializeOwned>(
    columns: &[String],
    kind: impl Fn(usize) -> Option<&'k ColumnType>,
    index: usize,
    row: &[Value],
) -> Result<T, Error> {
    let object: serde_json::Map<String, Value> = columns
        .iter()
        .zip(row)
        .enumerate()
        .map(|(c, (name, v))| (name.clone(), normalise(kind(c), v)))
        .collect();
    let by_name = serde_path_to_error::deserialize(Value::Object(object));
    // Tuples and sequences take the row positionally.
    let by_name = by_name.or_else(|e| {
        let values: Vec<Value> = row
            .iter()
            .enumerate()
            .map(|(c, v)| normalise(kind(c), v))
            .collect();
        serde_json::from_value(Value::Array(values)).map_err(|_| e)
    });
    by_name.map_err(|e| {
        let column = e.path().to_string();
        Error::new(
            ErrorKind::Decode,
            format!("row {}, column {column:?}: {}", index + 1, e.into_inner()),
        )
    })
}

/// Servers send some numbers as strings; make `LONG`, `DOUBLE` and
/// `DECIMAL` values JSON numbers where they parse as one.
fn normalise(kind: Option<&ColumnType>, v: &Value) -> Value {
    match (kind, v) {
        (Some(ColumnType::Long), Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| v.clone()),
        (Some(ColumnType::Double), Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or_else(|| v.clone()),
        _ => v.clone(),
    }
}
