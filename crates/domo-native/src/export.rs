//! Reading a dataset's rows at any size: the export streamed to a writer
//! or a file, `.../data` as JSON pages or CSV, and every row as a stream of
//! pages. Memory stays flat whatever the size.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use domo_core::data::{DataPages, DataWindow, ExportCsv, GetData, GetDataCsv};
use domo_core::{Endpoint, Error, ErrorKind};
use domo_model::DatasetId;
use domo_model::data::DataPage;
use futures_util::Stream;
use serde_json::Value;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::client::Client;

/// Called with the bytes written so far.
pub type ExportProgressFn = Arc<dyn Fn(u64) + Send + Sync>;

/// How an export is written. Every client includes the header row unless
/// told not to.
#[derive(Clone)]
#[non_exhaustive]
pub struct ExportOptions {
    /// Whether the first line names the columns (on by default).
    pub include_header: bool,
    /// Called with the bytes written so far.
    pub progress: Option<ExportProgressFn>,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            include_header: true,
            progress: None,
        }
    }
}

impl ExportOptions {
    /// No header row: data only.
    pub fn without_header(mut self) -> ExportOptions {
        self.include_header = false;
        self
    }

    /// Report progress to `f` (bytes written so far).
    pub fn progress(mut self, f: impl Fn(u64) + Send + Sync + 'static) -> ExportOptions {
        self.progress = Some(Arc::new(f));
        self
    }
}

impl std::fmt::Debug for ExportOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportOptions")
            .field("include_header", &self.include_header)
            .field("progress", &self.progress.as_ref().map(|_| "<callback>"))
            .finish()
    }
}

impl Client {
    /// The whole dataset as CSV through the v2 export (`\N` for nulls),
    /// streamed into `out` chunk by chunk: memory stays flat whatever the
    /// size. Returns the bytes written. With client credentials it goes
    /// through the public API's export ([`crate::PublicApi::export_to`]),
    /// which writes nulls as empty fields.
    pub async fn export_to<W: AsyncWrite + Unpin>(
        &self,
        dataset_id: impl Into<DatasetId>,
        out: &mut W,
        options: &ExportOptions,
    ) -> Result<u64, Error> {
        if self.is_public_api() {
            return self.v1().export_to(dataset_id, out, options).await;
        }
        let e = ExportCsv {
            dataset_id: dataset_id.into(),
            include_header: options.include_header,
        };
        self.stream_into(&e, out, options.progress.as_ref()).await
    }

    /// [`Client::export_to`] into a file. The data goes to `PATH.partial`
    /// first and is renamed to `path` only when complete, so a failed
    /// export never leaves a truncated file under the final name. A
    /// symbolic link is followed (the link stays; its target gets the
    /// data). A name that leads to something other than a regular file or
    /// a directory (`/dev/null`, `/dev/stdout`, a named pipe) is written
    /// in place: renaming over it would replace the device with a file.
    pub async fn export_to_file(
        &self,
        dataset_id: impl Into<DatasetId>,
        path: impl AsRef<Path>,
        options: &ExportOptions,
    ) -> Result<u64, Error> {
        let path = path.as_ref();
        let io = |what: &str, e: std::io::Error| {
            Error::new(
                ErrorKind::Io,
                format!("cannot {what} {}: {e}", path.display()),
            )
        };
        let target = match tokio::fs::metadata(path).await {
            Ok(m) if m.is_dir() => {
                return Err(Error::new(
                    ErrorKind::Io,
                    format!(
                        "cannot export into {}: it is a directory; name a file",
                        path.display()
                    ),
                ));
            }
            Ok(m) if !m.is_file() => {
                let file = tokio::fs::OpenOptions::new()
                    .write(true)
                    .open(path)
                    .await
                    .map_err(|e| io("open", e))?;
                let mut out = tokio::io::BufWriter::with_capacity(256 * 1024, file);
                let n = self.export_to(dataset_id, &mut out, options).await?;
                out.flush().await.map_err(|e| io("write", e))?;
                return Ok(n);
            }
            // The link's target, so the rename lands beside it and the link
            // survives.
            Ok(_) => tokio::fs::canonicalize(path)
                .await
                .map_err(|e| io("resolve", e))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => path.to_owned(),
            Err(e) => return Err(io("inspect", e)),
        };
        let partial = {
            let mut p = target.as_os_str().to_owned();
            p.push(".partial");
            std::path::PathBuf::from(p)
        };
        let file = tokio::fs::File::create(&partial)
            .await
            .map_err(|e| io("create", e))?;
        let mut out = tokio::io::BufWriter::with_capacity(256 * 1024, file);
        let result = self.export_to(dataset_id, &mut out, options).await;
        let result = match result {
            Ok(n) => match out.into_inner().sync_all().await {
                Ok(()) => Ok(n),
                Err(e) => Err(io("write", e)),
            },
            Err(e) => Err(e),
        };
        match result {
            Ok(n) => {
                tokio::fs::rename(&partial, &target)
                    .await
                    .map_err(|e| io("rename into", e))?;
                Ok(n)
            }
            Err(e) => {
                let _ = tokio::fs::remove_file(&partial).await;
                Err(e)
            }
        }
    }

    /// `.../data?format=csv` (with a header row) streamed into `out`.
    pub async fn data_csv_to<W: AsyncWrite + Unpin>(
        &self,
        dataset_id: impl Into<DatasetId>,
        window: &DataWindow,
        out: &mut W,
    ) -> Result<u64, Error> {
        self.stream_into(&GetDataCsv::new(dataset_id, window), out, None)
            .await
    }

    /// One page of rows as JSON (`offset`, `limit`, `filter`).
    pub async fn data(
        &self,
        dataset_id: impl Into<DatasetId>,
        window: &DataWindow,
    ) -> Result<DataPage, Error> {
        self.send(&GetData::new(dataset_id, window)).await
    }

    /// Rows as CSV with a header row (`.../data?format=csv`), in memory;
    /// [`Client::data_csv_to`] streams them.
    pub async fn data_csv(
        &self,
        dataset_id: impl Into<DatasetId>,
        window: &DataWindow,
    ) -> Result<Bytes, Error> {
        self.send(&GetDataCsv::new(dataset_id, window)).await
    }

    pub(crate) async fn stream_into<E: Endpoint, W: AsyncWrite + Unpin>(
        &self,
        endpoint: &E,
        out: &mut W,
        progress: Option<&ExportProgressFn>,
    ) -> Result<u64, Error> {
        let label = self.inner.config.prepare(endpoint)?.label;
        let mut response = self.inner.open_stream(endpoint).await?;
        let mut written = 0u64;
        let write_error =
            |e: std::io::Error| Error::new(ErrorKind::Io, format!("cannot write the export: {e}"));
        loop {
            let chunk = response.chunk().await.map_err(|e| {
                Error::new(
                    ErrorKind::Transport,
                    format!("the download broke off after {written} bytes: {e}"),
                )
                .with_request(label.method, &label.path)
            })?;
            let Some(chunk) = chunk else { break };
            out.write_all(&chunk).await.map_err(write_error)?;
            written += chunk.len() as u64;
            if let Some(p) = progress {
                p(written);
            }
        }
        out.flush().await.map_err(write_error)?;
        Ok(written)
    }

    /// Every row of the dataset as JSON, a page at a time (paged as
    /// domo-core's [`DataPages`] says): a stream of rows whose memory is
    /// one page whatever the dataset's size. It holds a clone of the
    /// client, so it can outlive this borrow.
    pub fn data_rows(
        &self,
        dataset_id: impl Into<DatasetId>,
        page_size: u64,
    ) -> impl Stream<Item = Result<Vec<Value>, Error>> + Send + 'static {
        self.paged(DataPages::new(dataset_id, page_size))
    }
}
