//! Uploads at any size: the CSV is cut into parts on record boundaries as it
//! is read (never held whole), the header row is checked against the
//! dataset's schema before anything is sent, parts go up with bounded
//! concurrency (each retried on its own), and the commit is sent only when
//! every part is in. A file's parts are streamed from disk, so memory stays
//! flat; a reader's parts are buffered, `concurrency + 1` parts at most.

use std::fmt;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use bytes::{Bytes, BytesMut};
use domo_core::csv_plan::{CsvStart, HeaderMode, RecordScanner, check_header, read_start};
use domo_core::uploads::{CommitUpload, StartUpload, UploadPart};
use domo_core::{Error, ErrorKind};
use domo_model::uploads::{CommitResult, UploadAction, UploadSession};
use futures_util::stream::{self, TryStreamExt};
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::Client;

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
            .field("progress", &self.progress.as_ref().map(|_| "<callback>"))
            .finish()
    }
}

impl UploadOptions {
    /// 32 MiB: Domo's guidance is tens of MB per part.
    pub const DEFAULT_PART_SIZE: usize = 32 * 1024 * 1024;
    pub const DEFAULT_CONCURRENCY: usize = 4;

    pub fn new(action: UploadAction) -> UploadOptions {
        UploadOptions {
            action,
            part_size: Self::DEFAULT_PART_SIZE,
            concurrency: Self::DEFAULT_CONCURRENCY,
            partition: None,
            gzip: false,
            header: HeaderMode::Detect,
            progress: None,
        }
    }
}

/// What an upload did.
#[derive(Debug, Clone, PartialEq)]
pub struct UploadReport {
    pub upload_id: String,
    pub parts: u32,
    /// Data rows sent (header excluded).
    pub rows: u64,
    /// Data bytes sent, before compression.
    pub bytes: u64,
    pub commit: CommitResult,
}

/// Read size while scanning.
const CHUNK: usize = 256 * 1024;

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
        let csv: Bytes = csv.into();
        let total = csv.len() as u64;
        self.upload_source(
            dataset_id,
            Source::Reader(Box::new(std::io::Cursor::new(csv))),
            Some(total),
            options,
        )
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
        let path = path.as_ref().to_path_buf();
        let io = |e: std::io::Error| {
            Error::new(
                ErrorKind::Io,
                format!("cannot read {}: {e}", path.display()),
            )
        };
        let file = tokio::fs::File::open(&path).await.map_err(io)?;
        let total = file.metadata().await.map_err(io)?.len();
        self.upload_source(
            dataset_id,
            Source::File {
                path: path.clone(),
                file,
            },
            Some(total),
            options,
        )
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
        self.upload_source(dataset_id, Source::Reader(Box::new(reader)), None, options)
            .await
    }

    async fn upload_source(
        &self,
        dataset_id: &str,
        source: Source,
        total: Option<u64>,
        options: &UploadOptions,
    ) -> Result<UploadReport, Error> {
        domo_core::csv_plan::check_upload_settings(options.part_size, options.concurrency)?;
        let progress = Progress::new(total, options.progress.clone());
        let (file_path, mut reader): (Option<PathBuf>, Box<dyn AsyncRead + Unpin + Send>) =
            match source {
                Source::File { path, file } => (Some(path), Box::new(file)),
                Source::Reader(r) => (None, r),
            };

        // Everything about the input that can be wrong is found before the
        // upload is opened.
        let (carry, data_offset) = self
            .prelude(dataset_id, &mut reader, options, &progress)
            .await?;
        let session = self.open_upload(dataset_id, options).await?;
        let upload_id = session.upload_id.to_string();

        let cutter = Cutter {
            reader,
            keep: file_path.is_none(),
            part_size: options.part_size as u64,
            scanner: RecordScanner::new(),
            carry,
            carry_pos: 0,
            pending: BytesMut::new(),
            pos: data_offset,
            part_start: data_offset,
            records_emitted: 0,
            next_number: 1,
            done: false,
            chunk: vec![0; CHUNK.min(options.part_size).max(1)],
        };
        let parts = stream::try_unfold((cutter, progress.clone()), |(mut c, p)| async move {
            Ok(c.next(&p).await?.map(|part| (part, (c, p))))
        });
        let ctx = PartContext {
            client: self,
            dataset_id,
            upload_id: &upload_id,
            file: file_path.as_deref(),
            gzip: options.gzip,
            progress: &progress,
        };
        let (count, rows, bytes) = parts
            .map_ok(|part| ctx.send(part))
            .try_buffer_unordered(options.concurrency)
            .try_fold((0u32, 0u64, 0u64), |(n, r, b), (rows, len)| async move {
                Ok((n + 1, r + rows, b + len))
            })
            .await?;

        let commit = self.commit_once(dataset_id, &upload_id, options).await?;
        Ok(UploadReport {
            upload_id,
            parts: count,
            rows,
            bytes,
            commit,
        })
    }

    /// Read up to the end of the first row; drop a BOM; decide whether the
    /// row is a header (checking it against the schema). Returns the bytes
    /// read past the header (still to be uploaded) and their offset.
    async fn prelude(
        &self,
        dataset_id: &str,
        reader: &mut (dyn AsyncRead + Unpin + Send),
        options: &UploadOptions,
        progress: &Progress,
    ) -> Result<(Vec<u8>, u64), Error> {
        let mut buf = Vec::new();
        let mut chunk = vec![0u8; 64 * 1024];
        let start = loop {
            let n = reader.read(&mut chunk).await.map_err(read_error)?;
            buf.extend_from_slice(&chunk[..n]);
            progress.read(n as u64, 0);
            match read_start(&buf, n == 0)? {
                CsvStart::NeedMore => {}
                found => break found,
            }
        };
        let is_header = match (&start, options.header) {
            (
                CsvStart::FirstRow { fields, .. },
                mode @ (HeaderMode::Detect | HeaderMode::Present),
            ) => {
                let schema = self.latest_schema(dataset_id).await?.schema;
                let names: Vec<&str> = schema.column_names().collect();
                check_header(fields, &names, mode)?
            }
            // No row, or declared header-less: the server checks each row.
            _ => false,
        };
        let skip = start.data_offset(is_header);
        Ok((buf.split_off(skip), skip as u64))
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
        commit.settle(sent.result, sent.attempts)
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

/// Reads the input and cuts it into parts at record boundaries.
struct Cutter {
    reader: Box<dyn AsyncRead + Unpin + Send>,
    /// Keep the bytes (reader input) or only offsets (file input).
    keep: bool,
    part_size: u64,
    scanner: RecordScanner,
    /// Bytes read by the prelude, scanned (a chunk at a time, so parts
    /// are cut the same way) before reading more.
    carry: Vec<u8>,
    carry_pos: usize,
    pending: BytesMut,
    pos: u64,
    part_start: u64,
    records_emitted: u64,
    next_number: u32,
    done: bool,
    chunk: Vec<u8>,
}

impl Cutter {
    async fn next(&mut self, progress: &Progress) -> Result<Option<CutPart>, Error> {
        loop {
            if self.done {
                return Ok(None);
            }
            let from_carry = self.carry_pos < self.carry.len();
            let chunk: &[u8] = if from_carry {
                let end = (self.carry_pos + self.chunk.len()).min(self.carry.len());
                let piece = &self.carry[self.carry_pos..end];
                self.carry_pos = end;
                piece
            } else {
                let n = self
                    .reader
                    .read(&mut self.chunk)
                    .await
                    .map_err(read_error)?;
                &self.chunk[..n]
            };
            if chunk.is_empty() {
                self.done = true;
                let before = self.scanner.records();
                let total = self
                    .scanner
                    .finish()
                    .map_err(|e| e.context("the CSV is malformed; nothing was committed"))?;
                progress.read(0, total - before);
                let records = total - self.records_emitted;
                if self.pos > self.part_start && records > 0 {
                    return Ok(Some(self.emit(self.pos, records)));
                }
                return Ok(None);
            }
            let chunk_start = self.pos;
            let before = self.scanner.records();
            let boundary = self.scanner.scan(chunk);
            if self.keep {
                self.pending.extend_from_slice(chunk);
            }
            self.pos += chunk.len() as u64;
            let read = if from_carry { 0 } else { chunk.len() as u64 };
            progress.read(read, self.scanner.records() - before);
            if let Some(b) = boundary {
                let cut = chunk_start + b as u64;
                if cut - self.part_start >= self.part_size {
                    let records = self.scanner.records() - self.records_emitted;
                    return Ok(Some(self.emit(cut, records)));
                }
            }
        }
    }

    fn emit(&mut self, end: u64, records: u64) -> CutPart {
        let len = end - self.part_start;
        let data = self
            .keep
            .then(|| self.pending.split_to(len as usize).freeze());
        let part = CutPart {
            number: self.next_number,
            offset: self.part_start,
            len,
            records,
            data,
        };
        self.next_number += 1;
        self.part_start = end;
        self.records_emitted += records;
        part
    }
}

struct PartContext<'a> {
    client: &'a Client,
    dataset_id: &'a str,
    upload_id: &'a str,
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
        let endpoint = |csv: Bytes, gzip: bool| UploadPart {
            dataset_id: self.dataset_id.to_owned(),
            upload_id: self.upload_id.to_owned(),
            part: part.number,
            csv,
            gzip,
        };
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
