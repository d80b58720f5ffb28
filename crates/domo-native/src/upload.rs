//! Uploads at any size, the way domo-core's [`Load`] plan says: the
//! header row is checked against the dataset's schema before anything is
//! sent, the CSV is cut into parts on record boundaries as it is read
//! (never held whole), parts go up with bounded concurrency (each retried
//! on its own), and the commit is sent only when every part is in; then
//! the load is verified. A file's parts are streamed from disk, so memory
//! stays flat; a reader's parts are buffered, `concurrency + 1` parts at
//! most. This module only moves bytes: every decision is the plan's.

use std::fmt;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use bytes::{Bytes, BytesMut};
use domo_core::csv_plan::{
    CsvStart, Cut, HeaderMode, PartCutter, READ_CHUNK, empty_input_part, read_start,
};
use domo_core::load::{Destination, Load, LoadReport, LoadSettings, PartsSent, Step, part_call};
use domo_core::uploads::{AppendRow, UploadTarget};
use domo_core::{Error, ErrorKind};
use domo_model::uploads::UploadAction;
use domo_model::{DatasetId, Id};
use futures_util::stream::{self, TryStreamExt};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio_util::sync::CancellationToken;

use crate::client::Client;

/// What a load did: [`LoadReport`].
pub type UploadReport = LoadReport;

/// Called as an upload progresses; cheap to call often.
pub type UploadProgressFn = Arc<dyn Fn(&UploadProgress) + Send + Sync>;

/// Where an upload stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadProgress {
    /// Bytes of the input read so far (header included).
    pub bytes_read: u64,
    /// The input's size, when known (files, bytes).
    pub total_bytes: Option<u64>,
    /// Parts started.
    pub parts_started: u32,
    /// Parts sent.
    pub parts_done: u32,
    /// Data rows read so far.
    pub rows: u64,
}

/// How an upload is cut and sent; [`UploadOptions::new`] gives domo-core's
/// defaults.
///
/// ```no_run
/// # async fn run(client: domo_native::Client) -> Result<(), domo_native::Error> {
/// use domo_native::{CancellationToken, UploadAction, UploadOptions, UploadSource};
/// let cancel = CancellationToken::new();
/// let options = UploadOptions::new(UploadAction::Replace)
///     .part_size(64 << 20)
///     .concurrency(8)
///     .gzip()
///     .progress(|p| eprintln!("{} of {:?} bytes", p.bytes_read, p.total_bytes))
///     .cancel_with(cancel.clone());
/// let report = client.upload("9b2c7e0e", UploadSource::file("sales.csv"), &options).await?;
/// println!("verified {:?} rows in version {:?}", report.verified_rows, report.version_id);
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct UploadOptions {
    /// Action, partition, header rule, verification, part size and
    /// concurrency.
    pub settings: LoadSettings,
    /// Compress parts (`Content-Encoding: gzip`).
    pub gzip: bool,
    /// Called as the upload progresses.
    pub progress: Option<UploadProgressFn>,
    /// Stops the upload when cancelled: nothing is committed, and a stream
    /// execution is aborted. (Dropping the upload's future stops it too,
    /// but cannot abort an execution.)
    pub cancel: Option<CancellationToken>,
}

impl fmt::Debug for UploadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadOptions")
            .field("settings", &self.settings)
            .field("gzip", &self.gzip)
            .field("progress", &self.progress.as_ref().map(|_| "<callback>"))
            .field("cancel", &self.cancel)
            .finish()
    }
}

impl UploadOptions {
    /// 32 MiB: Domo's guidance is tens of MB per part.
    pub const DEFAULT_PART_SIZE: usize = domo_core::csv_plan::DEFAULT_PART_SIZE;
    /// Parts in flight at once when not set.
    pub const DEFAULT_CONCURRENCY: usize = domo_core::csv_plan::DEFAULT_CONCURRENCY;

    /// `action` with the defaults: header detected, verified, 32 MiB parts,
    /// 4 at a time, no compression.
    pub fn new(action: UploadAction) -> UploadOptions {
        UploadOptions {
            settings: LoadSettings::new(action),
            gzip: false,
            progress: None,
            cancel: None,
        }
    }

    /// Target bytes per part; parts end on record boundaries.
    pub fn part_size(mut self, bytes: usize) -> UploadOptions {
        self.settings.part_size = bytes;
        self
    }

    /// Parts in flight at once.
    pub fn concurrency(mut self, parts: usize) -> UploadOptions {
        self.settings.concurrency = parts;
        self
    }

    /// Append into (or replace) this partition (`dataTag`).
    pub fn partition(mut self, tag: impl Into<String>) -> UploadOptions {
        self.settings.partition = Some(tag.into());
        self
    }

    /// Whether the first row is a header (detected when not set).
    pub fn header(mut self, mode: HeaderMode) -> UploadOptions {
        self.settings.header = mode;
        self
    }

    /// Compress parts with gzip.
    pub fn gzip(mut self) -> UploadOptions {
        self.gzip = true;
        self
    }

    /// Skip reading the load's data version after the commit.
    pub fn no_verify(mut self) -> UploadOptions {
        self.settings.verify = false;
        self
    }

    /// Report progress to `f`.
    pub fn progress(
        mut self,
        f: impl Fn(&UploadProgress) + Send + Sync + 'static,
    ) -> UploadOptions {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Stop when `token` is cancelled.
    pub fn cancel_with(mut self, token: CancellationToken) -> UploadOptions {
        self.cancel = Some(token);
        self
    }
}

/// What to upload: bytes in memory, a file (streamed from disk), or any
/// reader (stdin, a socket, a decompressor; parts buffered).
pub enum UploadSource {
    /// CSV in memory.
    Bytes(Bytes),
    /// A CSV file, streamed from disk.
    File(PathBuf),
    /// Any reader.
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

impl From<Bytes> for UploadSource {
    fn from(csv: Bytes) -> Self {
        UploadSource::Bytes(csv)
    }
}

impl From<Vec<u8>> for UploadSource {
    fn from(csv: Vec<u8>) -> Self {
        UploadSource::Bytes(csv.into())
    }
}

impl From<String> for UploadSource {
    fn from(csv: String) -> Self {
        UploadSource::Bytes(csv.into())
    }
}

impl From<PathBuf> for UploadSource {
    fn from(path: PathBuf) -> Self {
        UploadSource::File(path)
    }
}

impl From<&Path> for UploadSource {
    fn from(path: &Path) -> Self {
        UploadSource::File(path.to_path_buf())
    }
}

impl UploadSource {
    /// CSV in memory.
    pub fn bytes(csv: impl Into<Bytes>) -> UploadSource {
        UploadSource::Bytes(csv.into())
    }

    /// A CSV file, streamed from disk.
    pub fn file(path: impl AsRef<Path>) -> UploadSource {
        UploadSource::File(path.as_ref().to_path_buf())
    }

    /// Any reader; its parts are buffered.
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

impl Client {
    /// Upload `source` into the dataset through a v3 upload (open, parts,
    /// commit), then verify the load: the plan of domo-core's [`Load`].
    /// `UploadAction::Upsert` first checks that the dataset's schema has
    /// upsert keys, and commits as `APPEND`. Nothing changes unless every
    /// part arrived.
    ///
    /// With client credentials the load runs on the public API: an
    /// execution of the stream feeding the dataset (found by
    /// `dataSource.id`), the same cutter, parallel parts, per-part retries
    /// and gzip, committed only when every part is in (aborted otherwise),
    /// and verified by the dataset's row count (append or replace; no
    /// partitions or upserts there).
    ///
    /// ```no_run
    /// # async fn run(client: domo_native::Client) -> Result<(), domo_native::Error> {
    /// use domo_native::{UploadAction, UploadOptions, UploadSource};
    /// let csv = "region,amount\neast,10.5\nwest,7\n";
    /// let report = client
    ///     .upload("9b2c7e0e", UploadSource::bytes(csv), &UploadOptions::new(UploadAction::Append))
    ///     .await?;
    /// assert_eq!(report.rows, 2);
    /// # Ok(()) }
    /// ```
    pub async fn upload(
        &self,
        dataset_id: impl Into<DatasetId>,
        source: impl Into<UploadSource>,
        options: &UploadOptions,
    ) -> Result<UploadReport, Error> {
        let destination = if self.is_public_api() {
            Destination::PublicDataset(dataset_id.into())
        } else {
            Destination::Dataset(dataset_id.into())
        };
        self.load(destination, source.into(), options).await
    }

    /// Load `source` through an execution of the stream (the path Domo's
    /// Java CLI, DomoR and pydomo use): the same checks, cutter,
    /// parallelism, retries and verification as [`Client::upload`]. The
    /// stream's `updateMethod` decides what the commit does, so the action
    /// must match it (checked before anything is sent); partitions are not
    /// supported here. A load that fails (or is cancelled) after its
    /// execution was opened is aborted (`PUT .../abort`), never left open.
    pub async fn upload_via_stream(
        &self,
        stream_id: impl Into<Id>,
        source: impl Into<UploadSource>,
        options: &UploadOptions,
    ) -> Result<UploadReport, Error> {
        let destination = Destination::Stream(stream_id.into());
        self.load(destination, source.into(), options).await
    }

    /// Append one delimited row (`{"values", "delimiter"}`).
    pub async fn append_row(
        &self,
        dataset_id: impl Into<DatasetId>,
        values: impl Into<String>,
        delimiter: char,
    ) -> Result<(), Error> {
        self.send(&AppendRow {
            dataset_id: dataset_id.into(),
            values: values.into(),
            delimiter: delimiter.to_string(),
        })
        .await
    }

    /// Run a load's plan: its requests through the transport, its parts
    /// from the input.
    async fn load(
        &self,
        destination: Destination,
        source: UploadSource,
        options: &UploadOptions,
    ) -> Result<UploadReport, Error> {
        domo_core::csv_plan::check_upload_settings(
            options.settings.part_size,
            options.settings.concurrency,
        )?;
        let cancel = options.cancel.clone().unwrap_or_default();
        let (source, total) = cancellable(&cancel, source.open()).await?;
        let progress = Progress::new(total, options.progress.clone());
        let (file, mut reader): (Option<PathBuf>, Box<dyn AsyncRead + Unpin + Send>) = match source
        {
            Source::File { path, file } => (Some(path), Box::new(file)),
            Source::Reader(r) => (None, r),
        };
        let (buf, start) = cancellable(&cancel, read_prelude(&mut reader, &progress)).await?;
        let mut load = Load::new(destination, options.settings.clone(), start)?;
        let mut input = Some((reader, buf));
        let mut step = load.next_step();
        loop {
            step = match step {
                Step::Send(call) => {
                    // Cleaning up after a failure (an abort) is never
                    // itself cancelled.
                    let sent = if load.cleaning_up() {
                        self.inner.call_plan(&call, None).await
                    } else {
                        match cancellable(&cancel, async {
                            Ok(self.inner.call_plan(&call, None).await)
                        })
                        .await
                        {
                            Ok(sent) => sent,
                            Err(e) => crate::transport::Sent {
                                result: Err(e),
                                attempts: 1,
                            },
                        }
                    };
                    load.reply(sent.result, sent.attempts)
                }
                Step::SendParts {
                    target,
                    data_offset,
                } => {
                    let Some((reader, mut buf)) = input.take() else {
                        return Err(Error::invalid_input("the load asked for its parts twice"));
                    };
                    let carry = buf.split_off(data_offset.min(buf.len()));
                    let parts = PartsInput {
                        reader,
                        file: file.clone(),
                        carry,
                        data_offset: data_offset as u64,
                    };
                    let sent =
                        cancellable(&cancel, self.send_parts(&target, parts, options, &progress))
                            .await;
                    load.parts_sent(sent)
                }
                Step::Done(report) => return Ok(report),
                Step::Failed(e) => return Err(e),
            };
        }
    }

    /// The part loop of every load: cut as read, `concurrency` parts in
    /// flight, each retried on its own.
    async fn send_parts(
        &self,
        target: &UploadTarget,
        input: PartsInput,
        options: &UploadOptions,
        progress: &Progress,
    ) -> Result<PartsSent, Error> {
        let PartsInput {
            reader,
            file,
            carry,
            data_offset,
        } = input;
        let cutter = Cutter::new(
            reader,
            file.is_none(),
            &options.settings,
            carry,
            data_offset,
        );
        let parts = stream::try_unfold((cutter, progress.clone()), |(mut c, p)| async move {
            Ok(c.next(&p).await?.map(|part| (part, (c, p))))
        });
        let ctx = PartContext {
            client: self,
            target,
            file: file.as_deref(),
            gzip: options.gzip,
            progress,
        };
        let (parts, rows, bytes) = parts
            .map_ok(|part| ctx.send(part))
            .try_buffer_unordered(options.settings.concurrency)
            .try_fold((0u32, 0u64, 0u64), |(n, r, b), (rows, len)| async move {
                Ok((n + 1, r + rows, b + len))
            })
            .await?;
        Ok(PartsSent { parts, rows, bytes })
    }
}

/// `future`, unless `cancel` fires first: then the
/// [`ErrorKind::Cancelled`] error.
async fn cancellable<T>(
    cancel: &CancellationToken,
    future: impl std::future::Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    let cancelled = cancel.cancelled();
    futures_util::pin_mut!(cancelled);
    futures_util::pin_mut!(future);
    match futures_util::future::select(future, cancelled).await {
        futures_util::future::Either::Left((result, _)) => result,
        futures_util::future::Either::Right(((), _)) => Err(Error::cancelled(
            "the upload was cancelled; nothing was committed",
        )),
    }
}

/// The input as the part loop takes it: positioned past the header.
struct PartsInput {
    reader: Box<dyn AsyncRead + Unpin + Send>,
    file: Option<PathBuf>,
    /// Bytes the prelude read past the header.
    carry: Vec<u8>,
    /// Where the data starts in the input.
    data_offset: u64,
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
        settings: &LoadSettings,
        carry: Vec<u8>,
        data_offset: u64,
    ) -> Cutter {
        Cutter {
            reader,
            keep,
            cutter: PartCutter::new(settings.part_size),
            action: settings.action,
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
        let call = |csv: Bytes, gzip: bool| part_call(self.target, part.number, csv, gzip);
        let raw = match (&part.data, self.file) {
            (Some(d), _) => d.clone(),
            (None, Some(path)) if !self.gzip => {
                // Streamed from disk, each attempt reading it afresh.
                let (offset, len) = (part.offset, part.len);
                let body = move || file_body(path, offset, len);
                let sent = self
                    .client
                    .inner
                    .call_plan(&call(Bytes::new(), false), Some((&body, len)))
                    .await;
                return sent.result.map(drop);
            }
            (None, Some(path)) => read_range(path.to_owned(), part.offset, part.len).await?,
            (None, None) => {
                return Err(Error::invalid_input(
                    "internal: a part has neither bytes nor a file",
                ));
            }
        };
        let call = if self.gzip {
            let packed = tokio::task::spawn_blocking(move || gzip(&raw))
                .await
                .map_err(|e| Error::new(ErrorKind::Io, format!("compression failed: {e}")))??;
            call(packed, true)
        } else {
            call(raw, false)
        };
        self.client
            .inner
            .call_plan(&call, None)
            .await
            .result
            .map(drop)
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
        let mut settings = LoadSettings::new(UploadAction::Append);
        settings.part_size = part_size;
        let mut cutter = Cutter::new(reader, file.is_none(), &settings, carry, offset as u64);
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
