//! Reading at any size: exports streamed to a writer or a file, JSON rows
//! as a stream of pages, typed and paged queries.

use std::path::Path;
use std::sync::Arc;

use domo_core::data::{DataWindow, ExportCsv, GetDataCsv};
use domo_core::{Endpoint, Error, ErrorKind};
use domo_model::query::QueryResult;
use domo_model::schema::ColumnType;
use futures_util::Stream;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::client::Client;

/// Called with the bytes written so far.
pub type ExportProgressFn = Arc<dyn Fn(u64) + Send + Sync>;

/// How an export is written.
#[derive(Clone, Default)]
pub struct ExportOptions {
    pub include_header: bool,
    pub progress: Option<ExportProgressFn>,
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
    /// size. Returns the bytes written.
    pub async fn export_to<W: AsyncWrite + Unpin>(
        &self,
        dataset_id: &str,
        out: &mut W,
        options: &ExportOptions,
    ) -> Result<u64, Error> {
        let e = ExportCsv {
            dataset_id: dataset_id.into(),
            include_header: options.include_header,
        };
        self.stream_into(&e, out, options.progress.as_ref()).await
    }

    /// [`Client::export_to`] into a file. The data goes to `PATH.partial`
    /// first and is renamed to `path` only when complete, so a failed
    /// export never leaves a truncated file under the final name.
    pub async fn export_to_file(
        &self,
        dataset_id: &str,
        path: impl AsRef<Path>,
        options: &ExportOptions,
    ) -> Result<u64, Error> {
        let path = path.as_ref();
        let partial = {
            let mut p = path.as_os_str().to_owned();
            p.push(".partial");
            std::path::PathBuf::from(p)
        };
        let io = |what: &str, e: std::io::Error| {
            Error::new(
                ErrorKind::Io,
                format!("cannot {what} {}: {e}", path.display()),
            )
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
                tokio::fs::rename(&partial, path)
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

    /// The whole dataset as CSV (legacy export) in memory. Prefer
    /// [`Client::export_to`].
    pub async fn export_csv(
        &self,
        dataset_id: &str,
        include_header: bool,
    ) -> Result<bytes::Bytes, Error> {
        self.inner
            .call(&ExportCsv {
                dataset_id: dataset_id.into(),
                include_header,
            })
            .await
    }

    /// Shorthand for [`Client::export_to`] without progress.
    pub async fn export_csv_to<W: AsyncWrite + Unpin>(
        &self,
        dataset_id: &str,
        include_header: bool,
        out: &mut W,
    ) -> Result<u64, Error> {
        self.export_to(
            dataset_id,
            out,
            &ExportOptions {
                include_header,
                progress: None,
            },
        )
        .await
    }

    /// `.../data?format=csv` (with a header row) streamed into `out`.
    pub async fn data_csv_to<W: AsyncWrite + Unpin>(
        &self,
        dataset_id: &str,
        window: DataWindow,
        out: &mut W,
    ) -> Result<u64, Error> {
        self.stream_into(
            &GetDataCsv {
                dataset_id: dataset_id.into(),
                window,
            },
            out,
            None,
        )
        .await
    }

    async fn stream_into<E: Endpoint, W: AsyncWrite + Unpin>(
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
                .with_request(&label.method, &label.path)
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

    /// Every row of the dataset as JSON, a page at a time: a stream of rows
    /// whose memory is one page whatever the dataset's size.
    pub fn data_rows(
        &self,
        dataset_id: &str,
        page_size: u64,
    ) -> impl Stream<Item = Result<Vec<Value>, Error>> + Send + '_ {
        let dataset_id = dataset_id.to_owned();
        let page_size = page_size.max(1);
        let pages = futures_util::stream::try_unfold(Some(0u64), move |offset| {
            let dataset_id = dataset_id.clone();
            async move {
                let Some(offset) = offset else {
                    return Ok(None);
                };
                let window = DataWindow {
                    offset: Some(offset),
                    limit: Some(page_size),
                    filter: None,
                };
                let page = self.data(&dataset_id, window).await?;
                let n = page.rows.len() as u64;
                let next = (n == page_size).then_some(offset + n);
                Ok(Some((
                    futures_util::stream::iter(page.rows.into_iter().map(Ok)),
                    next,
                )))
            }
        });
        futures_util::TryStreamExt::try_flatten(pages)
    }

    /// Run `sql` and map each row onto `T` by column name. Domo types map
    /// to Rust types: `LONG` → integers, `DOUBLE` → `f64`, `DECIMAL` →
    /// [`domo_model::types::Decimal`] (or `f64`), `DATE`/`DATETIME` →
    /// [`domo_model::types::Date`]/[`DateTime`](domo_model::types::DateTime)
    /// (or `String`), `STRING` → `String`; nulls → `Option`.
    pub async fn query_as<T: DeserializeOwned>(
        &self,
        dataset_id: &str,
        sql: &str,
    ) -> Result<Vec<T>, Error> {
        let result = self.query(dataset_id, sql).await?;
        rows_as(&result)
    }
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
pub(crate) fn row_as<'k, T: DeserializeOwned>(
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
