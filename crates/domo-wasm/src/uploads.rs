//! `uploadCsv`, as the native client does it: the header row is checked
//! against the schema before anything is sent, the CSV is cut on record
//! boundaries (domo-core's `RecordScanner`) while it is read from a `Blob`
//! in chunks, parts go up with bounded concurrency (each retried on its
//! own), and the commit is sent only when every part is in. Only the
//! offsets of parts are planned; a part's bytes are read when it is sent,
//! so memory holds `concurrency` parts, whatever the file's size.

use std::cell::RefCell;
use std::rc::Rc;

use bytes::Bytes;
use domo_core::csv_plan::{CsvStart, HeaderMode, RecordScanner, check_header, read_start};
use domo_core::schema::GetLatestSchema;
use domo_core::uploads::{CommitUpload, StartUpload, UploadPart};
use domo_core::{Error, ErrorKind};
use domo_model::uploads::{CommitResult, UploadAction, UploadSession};
use futures_util::stream::{self, StreamExt, TryStreamExt};
use serde::Serialize;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

use crate::js::to_js;
use crate::transport::Transport;
use crate::transport::js_error_text;

/// 32 MiB, as the native client: Domo's guidance is tens of MB per part.
pub(crate) const DEFAULT_PART_SIZE: usize = 32 * 1024 * 1024;
pub(crate) const DEFAULT_CONCURRENCY: usize = 4;
/// Read size while scanning.
const CHUNK: usize = 256 * 1024;

pub(crate) struct UploadOptions {
    pub action: UploadAction,
    pub part_size: usize,
    pub concurrency: usize,
    pub partition: Option<String>,
    pub header: HeaderMode,
    pub on_progress: Option<js_sys::Function>,
}

/// What an upload did (`UploadReport` in TypeScript).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UploadReport {
    pub upload_id: String,
    pub parts: u32,
    /// Data rows sent (header excluded).
    pub rows: u64,
    /// Data bytes sent.
    pub bytes: u64,
    pub commit: CommitResult,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct Progress {
    bytes_sent: u64,
    total_bytes: u64,
    parts_done: u32,
    parts_total: u32,
}

/// One planned part: where it is in the input.
#[derive(Debug, Clone, Copy)]
struct PartSpan {
    number: u32,
    offset: u64,
    len: u64,
    records: u64,
}

async fn read(blob: &Blob, start: u64, end: u64) -> Result<Vec<u8>, Error> {
    let slice = blob
        .slice_with_f64_and_f64(start as f64, end as f64)
        .map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("cannot slice the CSV: {}", js_error_text(&e)),
            )
        })?;
    let buffer = JsFuture::from(slice.array_buffer()).await.map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("cannot read the CSV: {}", js_error_text(&e)),
        )
    })?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

pub(crate) async fn upload_csv(
    transport: Rc<Transport>,
    dataset_id: String,
    blob: Blob,
    options: UploadOptions,
) -> Result<UploadReport, Error> {
    domo_core::csv_plan::check_upload_settings(options.part_size, options.concurrency)?;
    let size = blob.size() as u64;

    // Everything about the input that can be wrong is found before the
    // upload is opened: the header, then every record boundary.
    let data_offset = prelude(&transport, &dataset_id, &blob, size, options.header).await?;
    let plan = plan(&blob, data_offset, size, options.part_size).await?;

    let progress = Rc::new(RefCell::new(Progress {
        total_bytes: plan.iter().map(|p| p.len).sum(),
        parts_total: plan.len() as u32,
        ..Progress::default()
    }));
    let report = |p: &Progress| {
        if let Some(cb) = &options.on_progress {
            if let Ok(v) = to_js(p) {
                // A throwing progress callback must not break the upload.
                let _ = cb.call1(&JsValue::NULL, &v);
            }
        }
    };
    report(&progress.borrow());

    let session = open_upload(&transport, &dataset_id, &options).await?;
    let upload_id = session.upload_id.to_string();
    let total = plan.len();

    let (rows, bytes) = stream::iter(plan)
        .map(|part| {
            let (transport, blob, dataset_id, upload_id) =
                (&transport, &blob, &dataset_id, &upload_id);
            let (progress, report) = (&progress, &report);
            async move {
                let sent = async {
                    let csv = read(blob, part.offset, part.offset + part.len).await?;
                    transport
                        .call(&UploadPart {
                            dataset_id: dataset_id.clone(),
                            upload_id: upload_id.clone(),
                            part: part.number,
                            csv: Bytes::from(csv),
                            gzip: false,
                        })
                        .await
                }
                .await
                .map_err(|e| {
                    e.context(format!(
                        "upload part {} of {total} failed; nothing was committed",
                        part.number
                    ))
                });
                if sent.is_ok() {
                    let snapshot = {
                        let mut p = progress.borrow_mut();
                        p.bytes_sent += part.len;
                        p.parts_done += 1;
                        *p
                    };
                    report(&snapshot);
                }
                sent.map(|()| (part.records, part.len))
            }
        })
        .buffer_unordered(options.concurrency)
        .try_fold((0u64, 0u64), |(r, b), (rows, len)| async move {
            Ok((r + rows, b + len))
        })
        .await?;

    let commit = commit_once(&transport, &dataset_id, &upload_id, &options).await?;
    Ok(UploadReport {
        upload_id,
        parts: total as u32,
        rows,
        bytes,
        commit,
    })
}

/// Read up to the end of the first row; skip a BOM; decide whether the row
/// is a header (checking it against the schema). Returns where data starts.
async fn prelude(
    transport: &Transport,
    dataset_id: &str,
    blob: &Blob,
    size: u64,
    header: HeaderMode,
) -> Result<u64, Error> {
    let mut buf = Vec::new();
    let start = loop {
        let from = buf.len() as u64;
        let end = (from + 64 * 1024).min(size);
        buf.extend(read(blob, from, end).await?);
        match read_start(&buf, end >= size)? {
            CsvStart::NeedMore => {}
            found => break found,
        }
    };
    let is_header = match (&start, header) {
        (CsvStart::FirstRow { fields, .. }, mode @ (HeaderMode::Detect | HeaderMode::Present)) => {
            let schema = transport
                .call(&GetLatestSchema {
                    dataset_id: dataset_id.to_owned(),
                })
                .await?
                .schema;
            let names: Vec<&str> = schema.column_names().collect();
            check_header(fields, &names, mode)?
        }
        // No row, or declared header-less: the server checks each row.
        _ => false,
    };
    Ok(start.data_offset(is_header) as u64)
}

/// Cut `[start, size)` into parts of about `part_size` bytes that end on
/// record boundaries; fails on a quoted field that never closes.
async fn plan(
    blob: &Blob,
    start: u64,
    size: u64,
    part_size: usize,
) -> Result<Vec<PartSpan>, Error> {
    let chunk = CHUNK.min(part_size).max(1) as u64;
    let mut scanner = RecordScanner::new();
    let mut parts = Vec::new();
    let (mut pos, mut part_start, mut records_emitted) = (start, start, 0u64);
    let mut emit = |end: u64, records: u64, part_start: &mut u64, emitted: &mut u64| {
        parts.push(PartSpan {
            number: parts.len() as u32 + 1,
            offset: *part_start,
            len: end - *part_start,
            records,
        });
        *part_start = end;
        *emitted += records;
    };
    while pos < size {
        let end = (pos + chunk).min(size);
        let bytes = read(blob, pos, end).await?;
        let boundary = scanner.scan(&bytes);
        let chunk_start = pos;
        pos = end;
        if let Some(b) = boundary {
            let cut = chunk_start + b as u64;
            if cut - part_start >= part_size as u64 {
                let records = scanner.records() - records_emitted;
                emit(cut, records, &mut part_start, &mut records_emitted);
            }
        }
    }
    let total = scanner
        .finish()
        .map_err(|e| e.context("the CSV is malformed; nothing was sent"))?;
    let records = total - records_emitted;
    if pos > part_start && records > 0 {
        emit(pos, records, &mut part_start, &mut records_emitted);
    }
    Ok(parts)
}

async fn open_upload(
    transport: &Transport,
    dataset_id: &str,
    options: &UploadOptions,
) -> Result<UploadSession, Error> {
    let start = StartUpload::new(dataset_id, options.partition.as_deref());
    let mut tries = 0;
    loop {
        tries += 1;
        match transport.call(&start).await {
            Err(e) if StartUpload::reopen_after(&e, tries) => continue,
            other => return other,
        }
    }
}

/// Commit, settling a 409 on a retry as domo-core says.
async fn commit_once(
    transport: &Transport,
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
    let sent = transport.call_counted(&commit).await;
    commit.settle(sent.result, sent.attempts)
}
