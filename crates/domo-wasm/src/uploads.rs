//! `uploadCsv` and `uploadCsvViaStream`: domo-core's [`Load`] plan run over
//! fetch, as the native client runs it. The CSV is read from a `Blob` in
//! chunks only to find where parts end (domo-core's `PartCutter`); each
//! part is then sent as a slice of the same `Blob`, so memory holds one
//! chunk, whatever the file's size. Parts go up with bounded concurrency
//! (each retried on its own) and the commit is sent only when every part
//! is in; then the load is verified.

use std::cell::RefCell;
use std::rc::Rc;

use bytes::Bytes;
use domo_core::csv_plan::{
    CsvStart, Cut, HeaderMode, PartCutter, READ_CHUNK, empty_input_part, read_start,
};
use domo_core::json::JsonDoc;
use domo_core::load::{Destination, Load, LoadReport, LoadSettings, PartsSent, Step, part_call};
use domo_core::uploads::UploadTarget;
use domo_core::{Error, ErrorKind};
use domo_model::uploads::UploadAction;
use domo_model::{DatasetId, Id};
use futures_util::stream::{self, StreamExt, TryStreamExt};
use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

use crate::client::{DomoClient, arg, promise};
use crate::js::Options;
use crate::json::Js;
use crate::transport::{Transport, js_error_text};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "UploadCsvOptions")]
    pub type UploadCsvOptionsArg;
}

#[wasm_bindgen]
impl DomoClient {
    /// Upload CSV into a dataset: the header row is checked against the
    /// schema, the CSV is cut into parts on record boundaries and sent with
    /// bounded concurrency (each part retried on its own), committed only
    /// when every part is in, and verified.
    #[wasm_bindgen(js_name = uploadCsv, unchecked_return_type = "Promise<UploadReport>")]
    pub fn upload_csv(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
        #[wasm_bindgen(unchecked_param_type = "string | Blob | Uint8Array | ArrayBuffer")]
        csv: JsValue,
        options: Option<UploadCsvOptionsArg>,
    ) -> Promise {
        let dataset_id = DatasetId::from(dataset_id);
        // With client credentials, through an execution of the stream
        // behind the dataset on the public API.
        let destination = if self.transport.config.credentials.is_public_api() {
            Destination::PublicDataset(dataset_id)
        } else {
            Destination::Dataset(dataset_id)
        };
        self.load(destination, csv, arg(options))
    }

    /// Load CSV through an execution of a stream (the path Domo's Java CLI
    /// and pydomo use): the same checks, parts and verification as
    /// `uploadCsv`; the stream's `updateMethod` must match the action, and
    /// an execution that fails after it was opened is aborted.
    #[wasm_bindgen(js_name = uploadCsvViaStream, unchecked_return_type = "Promise<UploadReport>")]
    pub fn upload_csv_via_stream(
        &self,
        #[wasm_bindgen(js_name = streamId, unchecked_param_type = "Id")] stream_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | Blob | Uint8Array | ArrayBuffer")]
        csv: JsValue,
        options: Option<UploadCsvOptionsArg>,
    ) -> Promise {
        let id = Js(stream_id);
        let stream_id = match (id.as_str(), id.as_u64()) {
            (Some(s), _) => Id::Str(s),
            (None, Some(n)) => Id::Num(n),
            (None, None) => {
                return promise(async {
                    Err(Error::invalid_input(
                        "uploadCsvViaStream: `streamId` must be a string or a non-negative integer",
                    ))
                });
            }
        };
        self.load(Destination::Stream(stream_id), csv, arg(options))
    }
}

impl DomoClient {
    fn load(&self, destination: Destination, csv: JsValue, options: JsValue) -> Promise {
        let t = self.transport.clone();
        promise(async move {
            let options = upload_options(&options)?;
            let blob = csv_blob(&csv)?;
            let report = run(t, destination, blob, options).await?;
            Ok(report_js(&report))
        })
    }
}

/// `uploadCsv`'s options, with domo-core's defaults.
fn upload_options(value: &JsValue) -> Result<UploadOptions, Error> {
    let o = Options::new(value, "uploadCsv options")?;
    let mut settings = LoadSettings::default();
    if let Some(n) = o.integer("partSize", 1)? {
        settings.part_size = n as usize;
    }
    if let Some(n) = o.integer("concurrency", 1)? {
        settings.concurrency = n as usize;
    }
    settings.action = match o.string("action")?.as_deref() {
        None | Some("APPEND") => UploadAction::Append,
        Some("REPLACE") => UploadAction::Replace,
        Some("UPSERT") => UploadAction::Upsert,
        Some(other) => {
            return Err(Error::invalid_input(format!(
                "action must be \"APPEND\", \"REPLACE\" or \"UPSERT\", got \"{other}\""
            )));
        }
    };
    settings.header = match o.string("header")?.as_deref() {
        None | Some("detect") => HeaderMode::Detect,
        Some("present") => HeaderMode::Present,
        Some("absent") => HeaderMode::Absent,
        Some(other) => {
            return Err(Error::invalid_input(format!(
                "header must be \"detect\", \"present\" or \"absent\", got \"{other}\""
            )));
        }
    };
    settings.partition = o.string("partition")?;
    settings.verify = o.bool("verify")?.unwrap_or(true);
    let signal = o.object::<web_sys::AbortSignal>("signal", "an AbortSignal")?;
    Ok(UploadOptions {
        settings,
        on_progress: o.function("onProgress")?,
        signal,
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
    settings: LoadSettings,
    on_progress: Option<js_sys::Function>,
    /// Stops the upload between requests when aborted.
    signal: Option<web_sys::AbortSignal>,
}

impl UploadOptions {
    fn check_cancelled(&self) -> Result<(), Error> {
        match &self.signal {
            Some(s) if s.aborted() => Err(Error::cancelled(
                "the upload was cancelled; nothing was committed",
            )),
            _ => Ok(()),
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Progress {
    bytes_sent: u64,
    total_bytes: u64,
    parts_done: u32,
    parts_total: u32,
}

fn set(object: &Object, key: &str, value: JsValue) {
    // Setting a property of a fresh object cannot fail.
    let _ = Reflect::set(object, &JsValue::from_str(key), &value);
}

fn id_js(id: &Id) -> JsValue {
    match id {
        Id::Num(n) => JsValue::from_f64(*n as f64),
        Id::Str(s) => JsValue::from_str(s),
    }
}

/// What an upload did (`UploadReport` in TypeScript).
fn report_js(r: &LoadReport) -> JsValue {
    let o = Object::new();
    set(&o, "datasetId", JsValue::from_str(r.dataset_id.as_str()));
    set(&o, "uploadId", id_js(&r.upload_id));
    set(&o, "parts", JsValue::from_f64(f64::from(r.parts)));
    set(&o, "rows", JsValue::from_f64(r.rows as f64));
    set(&o, "bytes", JsValue::from_f64(r.bytes as f64));
    set(
        &o,
        "versionId",
        r.version_id.as_ref().map_or(JsValue::NULL, id_js),
    );
    set(
        &o,
        "verifiedRows",
        r.verified_rows
            .map_or(JsValue::NULL, |n| JsValue::from_f64(n as f64)),
    );
    o.into()
}

fn progress_js(p: &Progress) -> JsValue {
    let o = Object::new();
    set(&o, "bytesSent", JsValue::from_f64(p.bytes_sent as f64));
    set(&o, "totalBytes", JsValue::from_f64(p.total_bytes as f64));
    set(&o, "partsDone", JsValue::from_f64(f64::from(p.parts_done)));
    set(
        &o,
        "partsTotal",
        JsValue::from_f64(f64::from(p.parts_total)),
    );
    o.into()
}

async fn read(blob: &Blob, start: u64, end: u64) -> Result<Vec<u8>, Error> {
    let buffer = JsFuture::from(slice(blob, start, end)?.array_buffer())
        .await
        .map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("cannot read the CSV: {}", js_error_text(&e)),
            )
        })?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

fn slice(blob: &Blob, start: u64, end: u64) -> Result<Blob, Error> {
    blob.slice_with_f64_and_f64(start as f64, end as f64)
        .map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("cannot slice the CSV: {}", js_error_text(&e)),
            )
        })
}

/// Run a load's plan: its requests through the transport, its parts as
/// slices of the blob.
async fn run(
    t: Rc<Transport>,
    destination: Destination,
    blob: Blob,
    options: UploadOptions,
) -> Result<LoadReport, Error> {
    let size = blob.size() as u64;
    let start = read_prelude(&blob, size).await?;
    let mut load = Load::new(destination, options.settings.clone(), start)?;
    let mut step = load.next_step();
    loop {
        step = match step {
            Step::Send(call) => {
                // Cleaning up after a failure (an abort) goes on when the
                // caller has cancelled.
                if let (false, Err(e)) = (load.cleaning_up(), options.check_cancelled()) {
                    load.reply::<Js>(Err(e), 1)
                } else {
                    let sent = match call.prepare::<Js>(&t.config) {
                        Ok(p) => t.send(call.spec, &p, None).await,
                        Err(e) => crate::transport::Sent {
                            result: Err(e),
                            attempts: 0,
                        },
                    };
                    load.reply(sent.result.map(Js), sent.attempts)
                }
            }
            Step::SendParts {
                target,
                data_offset,
            } => {
                let sent = send_parts(&t, &blob, &target, data_offset as u64, size, &options).await;
                load.parts_sent(sent)
            }
            Step::Done(report) => return Ok(report),
            Step::Failed(e) => return Err(e),
        };
    }
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

/// Every part of `[start, size)`, where domo-core's [`PartCutter`] ends
/// them (offsets in the blob); fails on a quoted field that never closes.
async fn plan(
    blob: &Blob,
    start: u64,
    size: u64,
    settings: &LoadSettings,
) -> Result<Vec<Cut>, Error> {
    let mut cutter = PartCutter::new(settings.part_size);
    let mut cuts = Vec::new();
    let mut pos = start;
    while pos < size {
        let end = (pos + READ_CHUNK as u64).min(size);
        cutter.feed_all(&read(blob, pos, end).await?, &mut cuts);
        pos = end;
    }
    let last = cutter
        .finish()
        .map_err(|e| e.context("the CSV is malformed; nothing was committed"))?;
    cuts.extend(last);
    cuts.extend(empty_input_part(settings.action, cuts.len() as u32));
    Ok(cuts
        .into_iter()
        .map(|c| Cut {
            offset: start + c.offset,
            ..c
        })
        .collect())
}

/// The part loop: where parts end is found first (nothing sent before the
/// whole input is known to be CSV), then the parts go up, `concurrency` at
/// a time, each a slice of the blob.
async fn send_parts(
    t: &Transport,
    blob: &Blob,
    target: &UploadTarget,
    data_offset: u64,
    size: u64,
    options: &UploadOptions,
) -> Result<PartsSent, Error> {
    let cuts = plan(blob, data_offset, size, &options.settings).await?;
    let total = cuts.len();
    let progress = RefCell::new(Progress {
        total_bytes: cuts.iter().map(|p| p.len).sum(),
        parts_total: total as u32,
        ..Progress::default()
    });
    let report = |p: &Progress| {
        if let Some(cb) = &options.on_progress {
            // A throwing progress callback must not break the upload.
            let _ = cb.call1(&JsValue::NULL, &progress_js(p));
        }
    };
    report(&progress.borrow());
    let (parts, rows, bytes) = stream::iter(cuts)
        .map(|part| {
            let (progress, report) = (&progress, &report);
            async move {
                options.check_cancelled()?;
                let call = part_call(target, part.number, Bytes::new(), false);
                let body = slice(blob, part.offset, part.offset + part.len)?;
                let prepared = call.prepare::<Js>(&t.config)?;
                t.send(call.spec, &prepared, Some(&body))
                    .await
                    .result
                    .map_err(|e| {
                        e.context(format!(
                            "upload part {} of {total} failed; nothing was committed",
                            part.number
                        ))
                    })?;
                let snapshot = {
                    let mut p = progress.borrow_mut();
                    p.bytes_sent += part.len;
                    p.parts_done += 1;
                    *p
                };
                report(&snapshot);
                Ok::<_, Error>((part.records, part.len))
            }
        })
        .buffer_unordered(options.settings.concurrency)
        .try_fold((0u32, 0u64, 0u64), |(n, r, b), (rows, len)| async move {
            Ok((n + 1, r + rows, b + len))
        })
        .await?;
    Ok(PartsSent { parts, rows, bytes })
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
            let mut settings = LoadSettings::default();
            settings.part_size = sample.part_size;
            let mut got = Vec::new();
            for part in plan(&blob, offset, size, &settings).await.unwrap() {
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
