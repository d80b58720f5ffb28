//! Uploads at any size: the CSV is cut into parts on record boundaries as it
//! is read (never held whole), the header row is checked against the
//! dataset's schema before anything is sent, parts go up with bounded
//! concurrency (each retried on its own), and the commit is sent only when
//! every part is in. A file's parts are streamed from disk, so memory stays
//! flat; a reader's parts are buffered, `concurrency + 1` parts at most.
//!
//! Two kinds of session take the parts (domo-core's [`UploadTarget`]): a v3
//! upload of a dataset and a stream execution. Both run through the same
//! input checks, cutter and part loop here; after the commit, both are
//! verified by domo-core's [`domo_core::uploads::verify_load`]. A stream execution that fails
//! is aborted.

use std::fmt;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use bytes::{Bytes, BytesMut};
use domo_core::csv_plan::{
    CsvStart, Cut, HeaderMode, PartCutter, READ_CHUNK, check_header, empty_input_part, read_start,
};
use domo_core::streams::{
    AbortExecution, CommitExecution, RunStream, check_stream_action, execution_id,
};
use domo_core::uploads::{CommitUpload, StartUpload, UploadTarget, verify_read};
use domo_core::versions::ListVersionCounts;
use domo_core::{Error, ErrorKind};
use domo_model::Id;
use domo_model::streams::{Execution, RunStreamRequest};
use domo_model::uploads::{CommitResult, UploadAction, UploadSession};
use futures_util::stream::{self, TryStreamExt};
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::client::Client;

/// Called as an upload progresses; cheap to call often.
pub type UploadProgressFn = Arc<dyn Fn(&UploadProgress) + Send + Sync>;

/// Where an upload stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UploadProgress {
    /// Bytes of the input read so far (header included).
    pub bytes_read: u64,
    /// The input's size, when known (files).
    pub total_bytes: Option<u64>,
    pub parts_started: u32,
    pub parts_done: u32,
    /// Data rows read so far.
    pub rows: u64,
}

/// How an upload is cut and sent.
#[derive(Clone)]
pub struct UploadOptions {
    pub action: UploadAction,
    /// Target bytes per part; parts end on record boundaries.
    pub part_size: usize,
    /// Parts in flight at once.
    pub concurrency: usize,
    /// Append into (or replace) this partition (`dataTag`).
    pub partition: Option<String>,
    /// Compress parts (`Content-Encoding: gzip`).
    pub gzip: bool,
    /// Whether the first row is a header (checked against the schema).
    pub header: HeaderMode,
    /// After the commit, read the load's data version and check that it
    /// holds the rows sent ([`domo_core::uploads::verify_load`]); a
    /// mismatch is [`ErrorKind::RowCountMismatch`]. On by default.
    pub verify: bool,
    pub progress: Option<UploadProgressFn>,
}

impl fmt::Debug for UploadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadOptions")
            .field("action", &self.action)
            .field("part_size", &self.part_size)
            .field("concurrency", &self.concurrency)
            .field("partition", &self.partition)
            .field("gzip", &self.gzip)
            .field("header", &self.header)
            .field("verify", &self.verify)
            .field("progress", &self.progress.as_ref().map(|_| "<callback>"))
            .finish()
    }
}

impl UploadOptions {
    /// 32 MiB: Domo's guidance is tens of MB per part.
    pub const DEFAULT_PART_SIZE: usize = domo_core::csv_plan::DEFAULT_PART_SIZE;
    pub const DEFAULT_CONCURRENCY: usize = domo_core::csv_plan::DEFAULT_CONCURRENCY;

    pub fn new(action: UploadAction) -> UploadOptions {
        UploadOptions {
            action,
            part_size: Self::DEFAULT_PART_SIZE,
            concurrency: Self::DEFAULT_CONCURRENCY,
            partition: None,
            gzip: false,
            header: HeaderMode::Detect,
            verify: true,
            progress: None,
        }
    }
}

/// What an upload did.
#[derive(Debug, Clone, PartialEq)]
pub struct UploadReport {
    /// The v3 upload id, or the stream execution id.
    pub upload_id: String,
    pub parts: u32,
    /// Data rows sent (header excluded).
    pub rows: u64,
    /// Data bytes sent, before compression.
    pub bytes: u64,
    /// The v3 commit's reply (the default for a stream execution).
    pub commit: CommitResult,
    /// A stream execution's state after its commit (`None` for v3 uploads).
    pub execution: Option<Execution>,
    /// The data version the load made, when verified.
    pub version_id: Option<Id>,
    /// The rows that version holds, equal to `rows` (checked), when
    /// verified ([`UploadOptions::verify`]); `None` with a `version_id`
    /// when the server withholds the version's count (a row policy filters
    /// the caller's rows), so there was nothing to compare.
    pub verified_rows: Option<u64>,
}

/// What to upload: bytes in memory, a file (streamed from disk), or any
/// reader (stdin, a socket, a decompressor; parts buffered).
pub enum UploadSource {
    Bytes(Bytes),
    File(PathBuf),
    Reader(Box<dyn AsyncRead + Unpin + Send>),
}

impl fmt::Debug for UploadSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UploadSource::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            UploadSource::File(p) => write!(f, "File({})", p.display()),
            UploadSource::Reader(_) => f.write_str("Reader"),
        }
    }
}

impl UploadSource {
    pub fn bytes(csv: impl Into<Bytes>) -> UploadSource {
        UploadSource::Bytes(csv.into())
    }

    pub fn file(path: impl AsRef<Path>) -> UploadSource {
        UploadSource::File(path.as_ref().to_path_buf())
    }

    pub fn reader<R: AsyncRead + Unpin + Send + 'static>(reader: R) -> UploadSource {
        UploadSource::Reader(Box::new(reader))
    }

    /// Open the input; the size when known.
    async fn open(self) -> Result<(Source, Option<u64>), Error> {
        match self {
            UploadSource::Bytes(csv) => {
                let total = csv.len() as u64;
                Ok((
                    Source::Reader(Box::new(std::io::Cursor::new(csv))),
                    Some(total),
                ))
            }
            UploadSource::File(path) => {
                let io = |e: std::io::Error| {
                    Error::new(
                        ErrorKind::Io,
                        format!("cannot read {}: {e}", path.display()),
                    )
                };
                let file = tokio::fs::File::open(&path).await.map_err(io)?;
                let total = file.metadata().await.map_err(io)?.len();
                Ok((Source::File { path, file }, Some(total)))
            }
            UploadSource::Reader(r) => Ok((Source::Reader(r), None)),
        }
    }
}

/// The input, checked and positioned at its first data row.
struct Input {
    reader: Box<dyn AsyncRead + Unpin + Send>,
    file: Option<PathBuf>,
    /// Bytes read past the header.
    carry: Vec<u8>,
    data_offset: u64,
    progress: Progress,
}

/// What the part loop sent.
struct Sent {
    parts: u32,
    rows: u64,
    bytes: u64,
}

impl Client {
    /// Upload CSV held in memory: `APPEND` adds the rows, `REPLACE` replaces
    /// the dataset's rows. A header row is detected and checked against the
    /// schema. Nothing changes unless every part arrived.
    pub async fn upload_csv(
        &self,
        dataset_id: &str,
        csv: impl Into<Bytes>,
        action: UploadAction,
    ) -> Result<UploadReport, Error> {
        self.upload_csv_with(dataset_id, csv, &UploadOptions::new(action))
            .await
    }

    /// [`Client::upload_csv`] with control over parts, header and partition.
    pub async fn upload_csv_with(
        &self,
        dataset_id: &str,
        csv: impl Into<Bytes>,
        options: &UploadOptions,
    ) -> Result<UploadReport, Error> {
        self.upload(dataset_id, UploadSource::bytes(csv), options)
            .await
    }

    /// Upload a CSV file, streamed: parts are read from disk as they are
    /// sent, so memory does not grow with the file.
    pub async fn upload_file(
        &self,
        dataset_id: &str,
        path: impl AsRef<Path>,
        options: &UploadOptions,
    ) -> Result<UploadReport, Error> {
        self.upload(dataset_id, UploadSource::file(path), options)
            .await
    }

    /// Upload CSV from any reader (stdin, a socket, a decompressor). Parts are
    /// buffered: at most `concurrency + 1` of them are in memory.
    pub async fn upload_reader<R: AsyncRead + Unpin + Send + 'static>(
        &self,
        dataset_id: &str,
        reader: R,
        options: &UploadOptions,
    ) -> Result<UploadReport, Error> {
        self.upload(dataset_id, UploadSource::reader(reader), options)
            .await
    }

    /// Upload `source` into the dataset through a v3 upload (open, parts,
    /// commit), then verify the load. `UploadAction::Upsert` first checks
    /// that the dataset's schema has upsert keys, and commits as `APPEND`.
    pub async fn upload(
        &self,
        dataset_id: &str,
        source: UploadSource,
        options: &UploadOptions,
    ) -> Result<UploadReport, Error> {
        domo_core::csv_plan::check_upload_settings(options.part_size, options.concurrency)?;
        let (source, total) = source.open().await?;
        let input = self
            .prepare_input(dataset_id, source, total, options)
            .await?;
        let session = self.open_upload(dataset_id, options).await?;
        let target = UploadTarget::Dataset {
            dataset_id: dataset_id.to_owned(),
            upload_id: session.upload_id.to_string(),
        };
        let sent = self.send_parts(&target, input, options).await?;
        let commit = self
            .commit_once(dataset_id, target.session_id(), options)
            .await?;
        let verified = self
            .verify(
                dataset_id,
                sent.rows,
                commit.data_version_id.as_ref(),
                options,
            )
            .await?;
        Ok(UploadReport {
            upload_id: target.session_id().to_owned(),
            parts: sent.parts,
            rows: sent.rows,
            bytes: sent.bytes,
            commit,
            execution: None,
            version_id: verified.as_ref().map(|v| v.version_id.clone()),
            verified_rows: verified.and_then(|v| v.rows),
        })
    }

    /// Load `source` through a stream execution, the path Domo's Java CLI,
    /// DomoR and pydomo use: `POST .../streams/{sid}/executions`, the parts
    /// (`PUT .../executions/{eid}/part/{n}`), `PUT .../commit`; then the
    /// load is verified against the stream's dataset. The same input checks,
    /// cutter, parallelism and retries as [`Client::upload`]. The stream's
    /// `updateMethod` decides what the commit does, so `options.action` must
    /// match it (checked before anything is sent); partitions are not
    /// supported here. A load that fails after its execution was opened is
    /// aborted (`PUT .../abort`), never left open.
    pub async fn upload_via_stream(
        &self,
        stream_id: &str,
        source: UploadSource,
        options: &UploadOptions,
    ) -> Result<UploadReport, Error> {
        domo_core::csv_plan::check_upload_settings(options.part_size, options.concurrency)?;
        if options.partition.is_some() {
            return Err(Error::invalid_input(
                "a stream-execution load cannot target a partition; upload to the dataset instead",
            ));
        }
        let stream = self.stream(stream_id).await?;
        check_stream_action(stream_id, &stream, options.action)?;
        let dataset_id = stream
            .dataset_id()
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Decode,
                    format!("stream {stream_id} names no dataset (dataSource.id)"),
                )
            })?
            .to_owned();
        let (source, total) = source.open().await?;
        let input = self
            .prepare_input(&dataset_id, source, total, options)
            .await?;
        let execution = self.open_execution(stream_id).await?;
        let target = UploadTarget::Stream {
            stream_id: stream_id.to_owned(),
            execution_id: execution_id(stream_id, &execution)?,
        };
        let eid = target.session_id().to_owned();
        let loaded = async {
            let sent = self.send_parts(&target, input, options).await?;
            let commit = CommitExecution {
                stream_id: stream_id.to_owned(),
                execution_id: eid.clone(),
            };
            let result = self.inner.call_counted(&commit).await;
            let done = commit.settle(result.result, result.attempts)?;
            Ok::<_, Error>((sent, done))
        }
        .await;
        let (sent, done) = match loaded {
            Ok(v) => v,
            Err(e) => return Err(self.abort_execution_after(stream_id, &eid, e).await),
        };
        let named = done
            .extra
            .get("dataVersionId")
            .and_then(|v| serde_json::from_value::<Id>(v.clone()).ok());
        let verified = self
            .verify(&dataset_id, sent.rows, named.as_ref(), options)
            .await?;
        Ok(UploadReport {
            upload_id: eid,
            parts: sent.parts,
            rows: sent.rows,
            bytes: sent.bytes,
            commit: CommitResult::default(),
            execution: Some(done),
            version_id: verified.as_ref().map(|v| v.version_id.clone()),
            verified_rows: verified.and_then(|v| v.rows),
        })
    }

    /// Everything about the input that can be wrong before the first part
    /// is found, found before a session is opened: the start of the CSV,
    /// the header against the schema, an upsert's keys.
    async fn prepare_input(
        &self,
        dataset_id: &str,
        source: Source,
        total: Option<u64>,
        options: &UploadOptions,
    ) -> Result<Input, Error> {
        let progress = Progress::new(total, options.progress.clone());
        let (file, mut reader): (Option<PathBuf>, Box<dyn AsyncRead + Unpin + Send>) = match source
        {
            Source::File { path, file } => (Some(path), Box::new(file)),
            Source::Reader(r) => (None, r),
        };
        let (mut buf, start) = read_prelude(&mut reader, &progress).await?;
        let upsert = options.action == UploadAction::Upsert;
        let header_fields = start.fields_to_check(options.header);
        let schema = if upsert || header_fields.is_some() {
            Some(self.latest_schema(dataset_id).await?.schema)
        } else {
            None
        };
        if let (true, Some(schema)) = (upsert, &schema) {
            domo_core::schema::upsert_keys(dataset_id, schema)?;
        }
        let is_header = match (header_fields, &schema) {
            (Some(fields), Some(schema)) => {
                let names: Vec<&str> = schema.column_names().collect();
                check_header(fields, &names, options.header)?
            }
            _ => false,
        };
        let data_offset = start.data_offset(is_header);
        let carry = buf.split_off(data_offset);
        Ok(Input {
            reader,
            file,
            carry,
            data_offset: data_offset as u64,
            progress,
        })
    }

    /// The part loop of every load: cut as read, `concurrency` parts in
    /// flight, each retried on its own.
    async fn send_parts(
        &self,
        target: &UploadTarget,
        input: Input,
        options: &UploadOptions,
    ) -> Result<Sent, Error> {
        let Input {
            reader,
            file,
            carry,
            data_offset,
            progress,
        } = input;
        let cutter = Cutter::new(reader, file.is_none(), options, carry, data_offset);
        let parts = stream::try_unfold((cutter, progress.clone()), |(mut c, p)| async move {
            Ok(c.next(&p).await?.map(|part| (part, (c, p))))
        });
        let ctx = PartContext {
            client: self,
            target,
            file: file.as_deref(),
            gzip: options.gzip,
            progress: &progress,
        };
        let (parts, rows, bytes) = parts
            .map_ok(|part| ctx.send(part))
            .try_buffer_unordered(options.concurrency)
            .try_fold((0u32, 0u64, 0u64), |(n, r, b), (rows, len)| async move {
                Ok((n + 1, r + rows, b + len))
            })
            .await?;
        Ok(Sent { parts, rows, bytes })
    }

    /// Read the dataset's data versions and check the load's own
    /// ([`verify_read`]); `None` when verification is off.
    async fn verify(
        &self,
        dataset_id: &str,
        rows: u64,
        named_version: Option<&Id>,
        options: &UploadOptions,
    ) -> Result<Option<domo_core::uploads::VerifiedLoad>, Error> {
        if !options.verify {
            return Ok(None);
        }
        let read = self
            .inner
            .call(&ListVersionCounts {
                dataset_id: dataset_id.to_owned(),
            })
            .await;
        verify_read(dataset_id, rows, named_version, read).map(Some)
    }

    /// Open a stream execution. Opening is not idempotent, so as with v3
    /// uploads ([`StartUpload::reopen_after`]) a failed open is retried by
    /// opening a fresh one.
    async fn open_execution(&self, stream_id: &str) -> Result<Execution, Error> {
        let run = RunStream {
            stream_id: stream_id.to_owned(),
            request: RunStreamRequest::default(),
        };
        let mut tries = 0;
        loop {
            tries += 1;
            match self.inner.call(&run).await {
                Err(e) if StartUpload::reopen_after(&e, tries) => {
                    tracing::warn!(tries, kind = ?e.kind(), "opening the stream execution failed; opening a fresh one");
                }
                other => return other,
            }
        }
    }

    /// Abort execution `eid` after `error`; the error says whether the
    /// abort went through.
    async fn abort_execution_after(&self, stream_id: &str, eid: &str, error: Error) -> Error {
        let abort = AbortExecution {
            stream_id: stream_id.to_owned(),
            execution_id: eid.to_owned(),
        };
        match self.inner.call(&abort).await {
            Ok(_) => error.context(format!(
                "stream {stream_id}: execution {eid} was aborted, nothing was loaded"
            )),
            Err(abort_error) => error.context(format!(
                "stream {stream_id}: aborting execution {eid} failed too ({abort_error})"
            )),
        }
    }

    async fn open_upload(
        &self,
        dataset_id: &str,
        options: &UploadOptions,
    ) -> Result<UploadSession, Error> {
        let start = StartUpload::new(dataset_id, options.partition.as_deref());
        let mut tries = 0;
        loop {
            tries += 1;
            match self.inner.call(&start).await {
                Err(e) if StartUpload::reopen_after(&e, tries) => {
                    tracing::warn!(tries, kind = ?e.kind(), "opening the upload failed; opening a fresh one");
                }
                other => return other,
            }
        }
    }

    async fn commit_once(
        &self,
        dataset_id: &str,
        upload_id: &str,
        options: &UploadOptions,
    ) -> Result<CommitResult, Error> {
        let commit = CommitUpload::new(
            dataset_id,
            upload_id,
            options.action,
            options.partition.as_deref(),
        );
        let sent = self.inner.call_counted(&commit).await;
        commit.settle(sent.result, sent.attempts).map_err(|e| {
            e.context(format!(
                "committing upload {upload_id} into dataset {dataset_id} failed"
            ))
        })
    }
}

/// Read up to the end of the first row (or the end of a short input).
/// Returns the bytes read and what they start with.
async fn read_prelude(
    reader: &mut (dyn AsyncRead + Unpin + Send),
    progress: &Progress,
) -> Result<(Vec<u8>, CsvStart), Error> {
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = reader.read(&mut chunk).await.map_err(read_error)?;
        buf.extend_from_slice(&chunk[..n]);
        progress.read(n as u64, 0);
        match read_start(&buf, n == 0)? {
            CsvStart::NeedMore => {}
            found => return Ok((buf, found)),
        }
    }
}

enum Source {
    File {
        path: PathBuf,
        file: tokio::fs::File,
    },
    Reader(Box<dyn AsyncRead + Unpin + Send>),
}

fn read_error(e: std::io::Error) -> Error {
    Error::new(ErrorKind::Io, format!("cannot read the CSV: {e}"))
}

/// Shared counters behind the progress callback.
#[derive(Clone)]
struct Progress(Arc<ProgressState>);

struct ProgressState {
    total: Option<u64>,
    bytes_read: AtomicU64,
    rows: AtomicU64,
    started: AtomicU32,
    done: AtomicU32,
    callback: Option<UploadProgressFn>,
}

impl Progress {
    fn new(total: Option<u64>, callback: Option<UploadProgressFn>) -> Progress {
        Progress(Arc::new(ProgressState {
            total,
            bytes_read: AtomicU64::new(0),
            rows: AtomicU64::new(0),
            started: AtomicU32::new(0),
            done: AtomicU32::new(0),
            callback,
        }))
    }

    fn read(&self, bytes: u64, rows: u64) {
        self.0.bytes_read.fetch_add(bytes, Ordering::Relaxed);
        self.0.rows.fetch_add(rows, Ordering::Relaxed);
        self.report();
    }

    fn part(&self, started: u32, done: u32) {
        self.0.started.fetch_add(started, Ordering::Relaxed);
        self.0.done.fetch_add(done, Ordering::Relaxed);
        self.report();
    }

    fn report(&self) {
        if let Some(cb) = &self.0.callback {
            cb(&UploadProgress {
                bytes_read: self.0.bytes_read.load(Ordering::Relaxed),
                total_bytes: self.0.total,
                parts_started: self.0.started.load(Ordering::Relaxed),
                parts_done: self.0.done.load(Ordering::Relaxed),
                rows: self.0.rows.load(Ordering::Relaxed),
            });
        }
    }
}

/// One cut part: where it is in the input, and its bytes when buffered.
struct CutPart {
    number: u32,
    offset: u64,
    len: u64,
    records: u64,
    data: Option<Bytes>,
}

/// Reads the input and feeds domo-core's [`PartCutter`], which says where
/// each part ends; this only moves bytes.
struct Cutter {
    reader: Box<dyn AsyncRead + Unpin + Send>,
    /// Keep the bytes (reader input) or only offsets (file input).
    keep: bool,
    cutter: PartCutter,
    /// What the commit will do: an empty REPLACE still sends a part.
    action: UploadAction,
    parts: u32,
    /// Bytes read and not yet fed: first what the prelude read past the
    /// header, then each read of the input.
    buf: Vec<u8>,
    filled: usize,
    at: usize,
    /// Bytes fed and not yet in a part (kept input only).
    pending: BytesMut,
    /// Where the data starts in the input (past a BOM and header).
    data_offset: u64,
    done: bool,
}

impl Cutter {
    fn new(
        reader: Box<dyn AsyncRead + Unpin + Send>,
        keep: bool,
        options: &UploadOptions,
        carry: Vec<u8>,
        data_offset: u64,
    ) -> Cutter {
        Cutter {
            reader,
            keep,
            cutter: PartCutter::new(options.part_size),
            action: options.action,
            parts: 0,
            filled: carry.len(),
            buf: carry,
            at: 0,
            pending: BytesMut::new(),
            data_offset,
            done: false,
        }
    }

    async fn next(&mut self, progress: &Progress) -> Result<Option<CutPart>, Error> {
        while !self.done {
            if self.at == self.filled {
                if self.buf.len() < READ_CHUNK {
                    self.buf.resize(READ_CHUNK, 0);
                }
                let n = self.reader.read(&mut self.buf).await.map_err(read_error)?;
                (self.at, self.filled) = (0, n);
                progress.read(n as u64, 0);
                if n == 0 {
                    self.done = true;
                    let before = self.cutter.records();
                    let last = self
                        .cutter
                        .finish()
                        .map_err(|e| e.context("the CSV is malformed; nothing was committed"))?;
                    progress.read(0, self.cutter.records() - before);
                    let last = last.or_else(|| empty_input_part(self.action, self.parts));
                    return Ok(last.map(|cut| self.emit(cut)));
                }
            }
            let chunk = &self.buf[self.at..self.filled];
            let before = self.cutter.records();
            let (taken, cut) = self.cutter.feed(chunk);
            if self.keep {
                self.pending.extend_from_slice(&chunk[..taken]);
            }
            self.at += taken;
            progress.read(0, self.cutter.records() - before);
            if let Some(cut) = cut {
                return Ok(Some(self.emit(cut)));
            }
        }
        Ok(None)
    }

    fn emit(&mut self, cut: Cut) -> CutPart {
        self.parts += 1;
        CutPart {
            number: cut.number,
            offset: self.data_offset + cut.offset,
            len: cut.len,
            records: cut.records,
            data: self
                .keep
                .then(|| self.pending.split_to(cut.len as usize).freeze()),
        }
    }
}

struct PartContext<'a> {
    client: &'a Client,
    target: &'a UploadTarget,
    file: Option<&'a Path>,
    gzip: bool,
    progress: &'a Progress,
}

impl PartContext<'_> {
    /// Send one part (retried on its own); returns its rows and bytes.
    async fn send(&self, part: CutPart) -> Result<(u64, u64), Error> {
        self.progress.part(1, 0);
        let number = part.number;
        let result = self.send_inner(&part).await;
        let result = result.map_err(|e| {
            e.context(format!(
                "upload part {number} failed; nothing was committed"
            ))
        });
        self.progress.part(0, 1);
        result.map(|()| (part.records, part.len))
    }

    async fn send_inner(&self, part: &CutPart) -> Result<(), Error> {
        let endpoint = |csv: Bytes, gzip: bool| self.target.part(part.number, csv, gzip);
        if self.gzip {
            let raw = match (&part.data, self.file) {
                (Some(d), _) => d.clone(),
                (None, Some(path)) => read_range(path.to_owned(), part.offset, part.len).await?,
                (None, None) => {
                    return Err(Error::invalid_input(
                        "internal: a part has neither bytes nor a file",
                    ));
                }
            };
            let packed = tokio::task::spawn_blocking(move || gzip(&raw))
                .await
                .map_err(|e| Error::new(ErrorKind::Io, format!("compression failed: {e}")))??;
            return self.client.inner.call(&endpoint(packed, true)).await;
        }
        match (&part.data, self.file) {
            (Some(d), _) => self.client.inner.call(&endpoint(d.clone(), false)).await,
            (None, Some(path)) => {
                let (offset, len) = (part.offset, part.len);
                let body = move || file_body(path, offset, len);
                self.client
                    .inner
                    .call_with_body(&endpoint(Bytes::new(), false), &body, len)
                    .await
            }
            (None, None) => Err(Error::invalid_input(
                "internal: a part has neither bytes nor a file",
            )),
        }
    }
}

/// A request body streaming `len` bytes of `path` from `offset`; made anew
/// for each attempt.
fn file_body(path: &Path, offset: u64, len: u64) -> Result<reqwest::Body, Error> {
    let io = |e: std::io::Error| {
        Error::new(
            ErrorKind::Io,
            format!("cannot read {}: {e}", path.display()),
        )
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    file.seek(SeekFrom::Start(offset)).map_err(io)?;
    let reader = tokio::fs::File::from_std(file).take(len);
    Ok(reqwest::Body::wrap_stream(
        tokio_util::io::ReaderStream::with_capacity(reader, 256 * 1024),
    ))
}

async fn read_range(path: PathBuf, offset: u64, len: u64) -> Result<Bytes, Error> {
    tokio::task::spawn_blocking(move || {
        let io = |e: std::io::Error| {
            Error::new(
                ErrorKind::Io,
                format!("cannot read {}: {e}", path.display()),
            )
        };
        let mut file = std::fs::File::open(&path).map_err(io)?;
        file.seek(SeekFrom::Start(offset)).map_err(io)?;
        let mut buf = Vec::with_capacity(len as usize);
        file.take(len).read_to_end(&mut buf).map_err(io)?;
        Ok(Bytes::from(buf))
    })
    .await
    .map_err(|e| Error::new(ErrorKind::Io, format!("reading a part failed: {e}")))?
}

fn gzip(data: &[u8]) -> Result<Bytes, Error> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(data.len() / 4),
        flate2::Compression::fast(),
    );
    enc.write_all(data)
        .and_then(|()| enc.finish())
        .map(Bytes::from)
        .map_err(|e| Error::new(ErrorKind::Io, format!("gzip failed: {e}")))
}

#[cfg(test)]
mod tests {
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use domo_core::csv_plan::samples::samples;
    use tokio::io::ReadBuf;

    use super::*;

    /// A reader that hands out at most `step` bytes a read, so reads end at
    /// odd places (inside quoted fields, CRLFs and the BOM).
    struct Trickle {
        data: Vec<u8>,
        at: usize,
        step: usize,
    }

    impl AsyncRead for Trickle {
        fn poll_read(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<std::io::Result<()>> {
            let n = self
                .step
                .min(buf.remaining())
                .min(self.data.len() - self.at);
            let at = self.at;
            buf.put_slice(&self.data[at..at + n]);
            self.at += n;
            Poll::Ready(Ok(()))
        }
    }

    /// The parts this client sends for `input`: the prelude, the cutter,
    /// and for a file each part read back from disk as it is sent.
    async fn parts_sent(
        reader: Box<dyn AsyncRead + Unpin + Send>,
        file: Option<&Path>,
        part_size: usize,
    ) -> Vec<Vec<u8>> {
        let progress = Progress::new(None, None);
        let mut reader = reader;
        let (mut buf, start) = read_prelude(&mut reader, &progress).await.unwrap();
        let offset = start.data_offset(false);
        let carry = buf.split_off(offset);
        let options = UploadOptions {
            part_size,
            ..UploadOptions::new(UploadAction::Append)
        };
        let mut cutter = Cutter::new(reader, file.is_none(), &options, carry, offset as u64);
        let mut parts = Vec::new();
        while let Some(part) = cutter.next(&progress).await.unwrap() {
            let bytes = match (part.data, file) {
                (Some(data), _) => data,
                (None, Some(path)) => read_range(path.to_owned(), part.offset, part.len)
                    .await
                    .unwrap(),
                (None, None) => unreachable!("kept input has its bytes"),
            };
            parts.push(bytes.to_vec());
        }
        parts
    }

    /// The same generated CSVs give the parts domo-core's cutter gives,
    /// byte for byte, whether read from memory in odd-sized reads or
    /// streamed from a file (the wasm package's test checks the same
    /// samples against the same expectation).
    #[tokio::test]
    async fn parts_are_the_core_cutters_byte_for_byte() {
        let dir = tempfile_dir();
        for (i, sample) in samples().into_iter().enumerate() {
            let want = sample.expected_parts();
            for step in [1, 7, 4096, usize::MAX] {
                if step == 1 && sample.csv.len() > 100_000 {
                    continue;
                }
                let reader = Box::new(Trickle {
                    data: sample.csv.clone(),
                    at: 0,
                    step,
                });
                let got = parts_sent(reader, None, sample.part_size).await;
                assert!(got == want, "{} (reads of {step} bytes)", sample.name);
            }
            let path = dir.join(format!("sample-{i}.csv"));
            std::fs::write(&path, &sample.csv).unwrap();
            let file = Box::new(tokio::fs::File::open(&path).await.unwrap());
            let got = parts_sent(file, Some(&path), sample.part_size).await;
            assert!(got == want, "{} (from a file)", sample.name);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("domo-native-cut-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
