//! Uploads (domo-core's `uploads`): `uploadPart`, whose body is bytes, and
//! `uploadCsv`, as the native client does it (the other stages are rows of
//! `js/methods.js`): the
//! header row is checked against the schema before anything is sent, the
//! CSV is read from a `Blob` in chunks and cut where domo-core's
//! `PartCutter` says, parts go up with bounded concurrency (each retried on
//! its own), and the commit is sent only when every part is in. Only the
//! offsets of parts are planned; a part's bytes are read when it is sent,
//! so memory holds `concurrency` parts, whatever the file's size.

use std::cell::RefCell;
use std::rc::Rc;

use bytes::Bytes;
use domo_core::csv_plan::{
    CsvStart, Cut, DEFAULT_CONCURRENCY, DEFAULT_PART_SIZE, HeaderMode, PartCutter, READ_CHUNK,
    check_header, empty_input_part, read_start,
};
use domo_core::schema::GetLatestSchema;
use domo_core::uploads::{CommitUpload, StartUpload, UploadPart, verify_read};
use domo_core::versions::ListVersionCounts;
use domo_core::{Error, ErrorKind};
use domo_model::Id;
use domo_model::uploads::{CommitResult, UploadAction, UploadSession};
use futures_util::stream::{self, StreamExt, TryStreamExt};
use js_sys::Promise;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

use crate::client::{DomoClient, arg, promise};
use crate::js::{Options, id_text, to_js};
use crate::transport::{Transport, js_error_text};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "UploadCsvOptions")]
    pub type UploadCsvOptionsArg;
}

#[wasm_bindgen]
impl DomoClient {
    /// Stage 2: one part (from 1), CSV without a header row.
    #[wasm_bindgen(js_name = uploadPart, unchecked_return_type = "Promise<void>")]
    pub fn upload_part(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
        #[wasm_bindgen(js_name = uploadId, unchecked_param_type = "Id")] upload_id: JsValue,
        part: u32,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] csv: JsValue,
    ) -> Promise {
        let endpoint = (|| {
            let csv = if let Some(s) = csv.as_string() {
                Bytes::from(s)
            } else if csv.is_instance_of::<js_sys::Uint8Array>() {
                Bytes::from(js_sys::Uint8Array::new(&csv).to_vec())
            } else {
                return Err(Error::invalid_input(
                    "uploadPart: the CSV must be a string or a Uint8Array",
                ));
            };
            Ok(domo_core::named::empty(UploadPart {
                dataset_id,
                upload_id: id_text(&upload_id, "uploadId")?,
                part,
                csv,
                gzip: false,
            }))
        })();
        self.run(endpoint)
    }

    /// Upload CSV in parts cut on record boundaries, sent with bounded
    /// concurrency (each part retried on its own), committed only when every
    /// part is in. A header row is detected and checked against the schema.
    #[wasm_bindgen(js_name = uploadCsv, unchecked_return_type = "Promise<UploadReport>")]
    pub fn upload_csv(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
        #[wasm_bindgen(unchecked_param_type = "string | Blob | Uint8Array | ArrayBuffer")]
        csv: JsValue,
        options: Option<UploadCsvOptionsArg>,
    ) -> Promise {
        let t = self.transport.clone();
        promise(async move {
            let options = upload_options(&arg(options))?;
            let blob = csv_blob(&csv)?;
            to_js(&upload_csv(t, dataset_id, blob, options).await?)
        })
    }
}

/// `uploadCsv`'s options, with domo-core's defaults.
fn upload_options(value: &JsValue) -> Result<UploadOptions, Error> {
    let o = Options::new(value, "uploadCsv options")?;
    let count = |name: &str, default: usize| -> Result<usize, Error> {
        Ok(o.integer(name, 1)?.map_or(default, |n| n as usize))
    };
    let action = match o.string("action")?.as_deref() {
        None | Some("APPEND") => UploadAction::Append,
        Some("REPLACE") => UploadAction::Replace,
        Some("UPSERT") => UploadAction::Upsert,
        Some(other) => {
            return Err(Error::invalid_input(format!(
                "action must be \"APPEND\", \"REPLACE\" or \"UPSERT\", got \"{other}\""
            )));
        }
    };
    let header = match o.string("header")?.as_deref() {
        None | Some("detect") => HeaderMode::Detect,
        Some("present") => HeaderMode::Present,
        Some("absent") => HeaderMode::Absent,
        Some(other) => {
            return Err(Error::invalid_input(format!(
                "header must be \"detect\", \"present\" or \"absent\", got \"{other}\""
            )));
        }
    };
    Ok(UploadOptions {
        action,
        part_size: count("partSize", DEFAULT_PART_SIZE)?,
        concurrency: count("concurrency", DEFAULT_CONCURRENCY)?,
        partition: o.string("partition")?,
        header,
        on_progress: o.function("onProgress")?,
        verify: o.bool("verify")?.unwrap_or(true),
    })
}

/// The CSV argument of uploads as a Blob: strings and bytes are wrapped,
/// Blobs and Files are read in slices.
fn csv_blob(value: &JsValue) -> Result<Blob, Error> {
    if let Some(b) = value.dyn_ref::<Blob>() {
        return Ok(b.clone());
    }
    let parts = js_sys::Array::of1(value);
    let made = if value.is_string() {
        Blob::new_with_str_sequence(&parts)
    } else if value.is_instance_of::<js_sys::Uint8Array>()
        || value.is_instance_of::<js_sys::ArrayBuffer>()
    {
        Blob::new_with_buffer_source_sequence(&parts)
    } else {
        return Err(Error::invalid_input(
            "the CSV must be a string, a Blob, a File, a Uint8Array or an ArrayBuffer",
        ));
    };
    made.map_err(|e| Error::invalid_input(format!("cannot read the CSV: {}", js_error_text(&e))))
}

struct UploadOptions {
    action: UploadAction,
    part_size: usize,
    concurrency: usize,
    partition: Option<String>,
    header: HeaderMode,
    on_progress: Option<js_sys::Function>,
    /// Read the data version after the commit and check its row count.
    verify: bool,
}

/// What an upload did (`UploadReport` in TypeScript).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct UploadReport {
    upload_id: String,
    parts: u32,
    /// Data rows sent (header excluded).
    rows: u64,
    /// Data bytes sent.
    bytes: u64,
    commit: CommitResult,
    /// The data version the load made (`None` when not verified).
    version_id: Option<Id>,
    /// The rows that version holds, equal to `rows`; `None` when not
    /// verified or when the server withholds the count.
    verified_rows: Option<u64>,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct Progress {
    bytes_sent: u64,
    total_bytes: u64,
    parts_done: u32,
    parts_total: u32,
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

async fn upload_csv(
    transport: Rc<Transport>,
    dataset_id: String,
    blob: Blob,
    options: UploadOptions,
) -> Result<UploadReport, Error> {
    domo_core::csv_plan::check_upload_settings(options.part_size, options.concurrency)?;
    let size = blob.size() as u64;

    // Everything about the input that can be wrong is found before the
    // upload is opened: the header, then every record boundary.
    let start = read_prelude(&blob, size).await?;
    let data_offset = data_offset(&transport, &dataset_id, &start, &options).await?;
    let mut plan = plan(&blob, data_offset, size, options.part_size).await?;
    plan.extend(empty_input_part(options.action, plan.len() as u32));

    let progress = Rc::new(RefCell::new(Progress {
        total_bytes: plan.iter().map(|p| p.len).sum(),
        parts_total: plan.len() as u32,
        ..Progress::default()
    }));
    let report = |p: &Progress| {
        if let Some(cb) = &options.on_progress
            && let Ok(v) = to_js(p)
        {
            // A throwing progress callback must not break the upload.
            let _ = cb.call1(&JsValue::NULL, &v);
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
    let verified = if options.verify {
        let read = transport
            .call(&ListVersionCounts {
                dataset_id: dataset_id.clone(),
            })
            .await;
        Some(verify_read(
            &dataset_id,
            rows,
            commit.data_version_id.as_ref(),
            read,
        )?)
    } else {
        None
    };
    Ok(UploadReport {
        upload_id,
        parts: total as u32,
        rows,
        bytes,
        commit,
        version_id: verified.as_ref().map(|v| v.version_id.clone()),
        verified_rows: verified.and_then(|v| v.rows),
    })
}

/// Read up to the end of the first row (or the end of a short input).
async fn read_prelude(blob: &Blob, size: u64) -> Result<CsvStart, Error> {
    let mut buf = Vec::new();
    loop {
        let from = buf.len() as u64;
        let end = (from + 64 * 1024).min(size);
        buf.extend(read(blob, from, end).await?);
        match read_start(&buf, end >= size)? {
            CsvStart::NeedMore => {}
            found => return Ok(found),
        }
    }
}

/// Where the data starts: past a BOM, and past the first row when it is a
/// header (checked against the schema, fetched only when the mode asks or
/// for an upsert, whose keys domo-core's `upsert_keys` checks).
async fn data_offset(
    transport: &Transport,
    dataset_id: &str,
    start: &CsvStart,
    options: &UploadOptions,
) -> Result<u64, Error> {
    let header = options.header;
    let fields = start.fields_to_check(header);
    let upsert = options.action == UploadAction::Upsert;
    if fields.is_none() && !upsert {
        return Ok(start.data_offset(false) as u64);
    }
    let schema = transport
        .call(&GetLatestSchema {
            dataset_id: dataset_id.to_owned(),
        })
        .await?
        .schema;
    if upsert {
        domo_core::schema::upsert_keys(dataset_id, &schema)?;
    }
    let is_header = match fields {
        Some(fields) => {
            let names: Vec<&str> = schema.column_names().collect();
            check_header(fields, &names, header)?
        }
        None => false,
    };
    Ok(start.data_offset(is_header) as u64)
}

/// Every part of `[start, size)`, where domo-core's [`PartCutter`] ends
/// them (offsets in the blob); fails on a quoted field that never closes.
async fn plan(blob: &Blob, start: u64, size: u64, part_size: usize) -> Result<Vec<Cut>, Error> {
    let mut cutter = PartCutter::new(part_size);
    let mut cuts = Vec::new();
    let mut pos = start;
    while pos < size {
        let end = (pos + READ_CHUNK as u64).min(size);
        cutter.feed_all(&read(blob, pos, end).await?, &mut cuts);
        pos = end;
    }
    let last = cutter
        .finish()
        .map_err(|e| e.context("the CSV is malformed; nothing was sent"))?;
    cuts.extend(last);
    Ok(cuts
        .into_iter()
        .map(|c| Cut {
            offset: start + c.offset,
            ..c
        })
        .collect())
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

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use domo_core::csv_plan::samples::samples;
    use wasm_bindgen_test::*;

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    /// The same generated CSVs give the parts domo-core's cutter gives,
    /// byte for byte, read from a Blob as `uploadCsv` reads them (the
    /// native client's test checks the same samples against the same
    /// expectation).
    #[wasm_bindgen_test]
    async fn parts_are_the_core_cutters_byte_for_byte() {
        for sample in samples() {
            let bytes = js_sys::Uint8Array::from(&sample.csv[..]);
            let blob = csv_blob(&bytes.into()).unwrap();
            let size = blob.size() as u64;
            let start = read_prelude(&blob, size).await.unwrap();
            let offset = start.data_offset(false) as u64;
            let mut got = Vec::new();
            for part in plan(&blob, offset, size, sample.part_size).await.unwrap() {
                got.push(
                    read(&blob, part.offset, part.offset + part.len)
                        .await
                        .unwrap(),
                );
            }
            assert!(got == sample.expected_parts(), "{}", sample.name);
        }
    }
}
