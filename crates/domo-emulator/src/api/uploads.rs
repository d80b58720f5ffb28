//! The three-stage CSV upload (create, parts, commit) and "append row".
//!
//! A commit parses every staged part inside one SQLite transaction: any bad
//! row aborts the transaction, so a failed commit changes nothing and a
//! successful one lands rows, counts, data version, partition bookkeeping
//! and the upload's committed mark together.

use std::io::Read;
use std::time::Instant;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use rusqlite::{
    Connection, OptionalExtension, Statement, Transaction, TransactionBehavior, params,
};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::csvio::{self, CsvReader, Record};
use crate::db::{self, Dataset, Need, PARTITION_COLUMN, now_ms, open_dataset, quote_ident};
use crate::error::ApiError;
use crate::state::{
    ApiPath, AppState, Caller, JsonBody, OptionalJson, RawBody, parse_id, parse_json, too_large,
};

/// At most this many partitions per dataset, as on Domo.
pub const MAX_PARTITIONS: i64 = 400;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateBody {
    action: Option<String>,
    data_tag: Option<String>,
}

#[derive(Debug, Deserialize)]
struct AppendRowBody {
    values: String,
    delimiter: Option<String>,
}

fn parse_action(field: &str, a: &str) -> Result<&'static str, ApiError> {
    match a {
        "APPEND" => Ok("APPEND"),
        "REPLACE" => Ok("REPLACE"),
        other => Err(ApiError::bad_request(format!(
            "{field} must be APPEND or REPLACE, got `{other}`"
        ))),
    }
}

fn normalize_tag(tag: Option<String>) -> Option<String> {
    tag.filter(|t| !t.trim().is_empty())
}

/// `POST .../uploads`: starts an upload, or, when the body carries
/// `values`, appends that one row right away.
pub(crate) async fn create(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    OptionalJson(body): OptionalJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let body = body.unwrap_or(Value::Null);
    if body.get("values").is_some() {
        let row: AppendRowBody = parse_json(body.to_string().as_bytes())?;
        let delimiter = match row.delimiter.as_deref() {
            None | Some("") => b',',
            Some(d) if d.len() == 1 && d.is_ascii() && d != "\"" && d != "\n" && d != "\r" => {
                d.as_bytes()[0]
            }
            Some(d) => {
                return Err(ApiError::bad_request(format!(
                    "delimiter must be a single ASCII character other than a quote or newline, got `{d}`"
                )));
            }
        };
        state
            .db
            .write(move |conn| {
                let ds = open_dataset(conn, &id, user, Need::Write)?;
                let values = row
                    .values
                    .trim_end_matches(['\r', '\n'])
                    .as_bytes()
                    .to_vec();
                let started = now_ms();
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let mut ingest = Ingest::new(&tx, &ds)?;
                let n = ingest.part(None, &values, delimiter, None)?;
                if n != 1 {
                    return Err(ApiError::bad_request(format!(
                        "values must hold exactly one row, found {n}"
                    )));
                }
                drop(ingest);
                record_version(&tx, &ds, "APPEND", None, 1, values.len() as i64, started)?;
                db::touch_rows(&tx, ds.pk, 1, now_ms())?;
                tx.commit()?;
                Ok(())
            })
            .await?;
        return Ok(Json(json!({})));
    }
    let create: CreateBody = if body.is_null() {
        CreateBody {
            action: None,
            data_tag: None,
        }
    } else {
        parse_json(body.to_string().as_bytes())?
    };
    let action = create
        .action
        .as_deref()
        .map(|a| parse_action("action", a))
        .transpose()?;
    let tag = normalize_tag(create.data_tag);
    let value = state
        .db
        .write(move |conn| {
            let ds = open_dataset(conn, &id, user, Need::Write)?;
            let now = now_ms();
            conn.execute(
                "INSERT INTO uploads (dataset_pk, action, data_tag, requested_ms) VALUES (?, ?, ?, ?)",
                params![ds.pk, action, tag, now],
            )?;
            Ok(json!({"dataSourceId": ds.id, "uploadId": conn.last_insert_rowid(), "requestedAsOf": now}))
        })
        .await?;
    Ok(Json(value))
}

#[derive(Debug)]
struct Upload {
    id: i64,
    action: Option<String>,
    data_tag: Option<String>,
    committed: bool,
    data_version_id: Option<i64>,
}

/// The upload, which must belong to this dataset (else 404) and still be open (else 409).
fn open_upload(conn: &Connection, ds: &Dataset, raw_id: &str) -> Result<Upload, ApiError> {
    let uid = parse_id("upload", raw_id)?;
    let upload = conn
        .query_row(
            "SELECT id, action, data_tag, committed, data_version_id FROM uploads WHERE id = ? AND dataset_pk = ?",
            params![uid, ds.pk],
            |r| {
                Ok(Upload {
                    id: r.get(0)?,
                    action: r.get(1)?,
                    data_tag: r.get(2)?,
                    committed: r.get(3)?,
                    data_version_id: r.get(4)?,
                })
            },
        )
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("upload {uid} does not exist on dataset {}", ds.id)))?;
    if upload.committed {
        return Err(ApiError::conflict(format!(
            "upload {uid} was already committed (data version {}); start a new upload to send more data",
            upload.data_version_id.unwrap_or_default()
        )));
    }
    Ok(upload)
}

fn decompress(bytes: &[u8], limit: usize) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::new();
    let mut dec = flate2::read::MultiGzDecoder::new(bytes).take(limit as u64 + 1);
    dec.read_to_end(&mut out)
        .map_err(|e| ApiError::bad_request(format!("the part body is not valid gzip: {e}")))?;
    if out.len() > limit {
        return Err(too_large(limit));
    }
    Ok(out)
}

/// `PUT .../uploads/{uploadId}/parts/{n}`: stages (or replaces) part n.
pub(crate) async fn put_part(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, upload_id, part)): ApiPath<(String, String, String)>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Json<Value>, ApiError> {
    let part_no = part
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "part number must be an integer of at least 1, got `{part}`"
            ))
        })?;
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap_or("?").trim().to_ascii_lowercase())
        .unwrap_or_default();
    let data = match encoding.as_str() {
        "" | "identity" => body.to_vec(),
        "gzip" | "x-gzip" => {
            let limit = state.max_body_bytes;
            tokio::task::spawn_blocking(move || decompress(&body, limit))
                .await
                .map_err(|e| ApiError::internal(format!("decompression task failed: {e}")))??
        }
        other => {
            return Err(ApiError::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("Content-Encoding `{other}` is not supported; send identity or gzip"),
            ));
        }
    };
    let size = data.len() as i64;
    let value = state
        .db
        .write(move |conn| {
            let ds = open_dataset(conn, &id, user, Need::Write)?;
            let upload = open_upload(conn, &ds, &upload_id)?;
            conn.execute(
                "INSERT OR REPLACE INTO upload_parts (upload_id, part_no, data) VALUES (?, ?, ?)",
                params![upload.id, part_no, data],
            )?;
            Ok(json!({"uploadId": upload.id, "partId": part_no, "sizeBytes": size}))
        })
        .await?;
    Ok(Json(value))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CommitBody {
    action: Option<String>,
    /// Indexing is immediate here; accepted (and type-checked) for compatibility.
    index: Option<bool>,
    data_tag: Option<String>,
    /// `"latest"` is the only form clients send; nothing to do with it here.
    append_id: Option<Value>,
}

/// Inserts parsed rows into a dataset's row table with one prepared statement.
struct Ingest<'c> {
    ds: &'c Dataset,
    stmt: Statement<'c>,
    record: Record,
}

impl<'c> Ingest<'c> {
    fn new(conn: &'c Connection, ds: &'c Dataset) -> Result<Self, ApiError> {
        let mut names: Vec<String> = ds.columns.iter().map(|c| quote_ident(&c.name)).collect();
        names.push(quote_ident(PARTITION_COLUMN));
        let marks = vec!["?"; names.len()].join(", ");
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({marks})",
            ds.table(),
            names.join(", ")
        );
        Ok(Self {
            ds,
            stmt: conn.prepare(&sql)?,
            record: Record::default(),
        })
    }

    /// Parses and inserts one part; returns its row count. Errors name the
    /// part, the 1-based row within it and the column.
    fn part(
        &mut self,
        part: Option<i64>,
        data: &[u8],
        delimiter: u8,
        tag: Option<&str>,
    ) -> Result<i64, ApiError> {
        let cols = &self.ds.columns;
        let mut reader = CsvReader::new(data, delimiter);
        let mut row = 0i64;
        let place = |row: i64| match part {
            Some(p) => format!("part {p}, row {row}"),
            None => format!("values, row {row}"),
        };
        loop {
            let more = reader.next_record(&mut self.record).map_err(|e| {
                ApiError::bad_request(format!("{}: invalid CSV: {e}", place(row + 1)))
            })?;
            if !more {
                break;
            }
            row += 1;
            let rec = &self.record;
            // A blank line is a null row only when there is one column;
            // otherwise it is spacing and is skipped.
            if rec.is_blank_line() && cols.len() != 1 {
                row -= 1;
                continue;
            }
            if rec.field_count() != cols.len() {
                let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
                return Err(ApiError::bad_request(format!(
                    "{}: has {} values, expected {} (columns: {})",
                    place(row),
                    rec.field_count(),
                    cols.len(),
                    names.join(", ")
                )));
            }
            for (i, col) in cols.iter().enumerate() {
                let Some((bytes, quoted)) = rec.field(i) else {
                    return Err(ApiError::internal("record shorter than its length"));
                };
                let text = std::str::from_utf8(bytes).map_err(|_| {
                    ApiError::bad_request(format!(
                        "{}, column `{}`: value is not valid UTF-8",
                        place(row),
                        col.name
                    ))
                })?;
                let value = csvio::parse_value(col.ty, text, quoted).map_err(|e| {
                    ApiError::bad_request(format!("{}, column `{}`: {e}", place(row), col.name))
                })?;
                self.stmt.raw_bind_parameter(i + 1, value)?;
            }
            self.stmt.raw_bind_parameter(cols.len() + 1, tag)?;
            self.stmt.raw_execute()?;
        }
        Ok(row)
    }
}

fn record_version(
    tx: &Transaction<'_>,
    ds: &Dataset,
    action: &str,
    tag: Option<&str>,
    rows: i64,
    size: i64,
    started_ms: i64,
) -> Result<i64, ApiError> {
    let version = db::next_version(tx, ds.pk)?;
    let done = now_ms();
    tx.execute(
        "INSERT INTO data_versions (dataset_pk, version_id, status, recorded_ms, completed_ms, duration_s,
                                    size_bytes, row_count, action, data_tag)
         VALUES (?, ?, 'SUCCESS', ?, ?, ?, ?, ?, ?, ?)",
        params![ds.pk, version, started_ms, done, (done - started_ms) / 1000, size, rows, action, tag],
    )?;
    if let Some(tag) = tag {
        let count: i64 = tx.query_row(
            &format!(
                "SELECT COUNT(*) FROM {} WHERE {} = ?",
                ds.table(),
                quote_ident(PARTITION_COLUMN)
            ),
            [tag],
            |r| r.get(0),
        )?;
        tx.execute(
            "INSERT INTO partitions (dataset_pk, tag, row_count, data_version_id, date_completed_ms)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (dataset_pk, tag) DO UPDATE SET row_count = excluded.row_count,
                 data_version_id = excluded.data_version_id, date_completed_ms = excluded.date_completed_ms",
            params![ds.pk, tag, count, version, done],
        )?;
    }
    Ok(version)
}

/// `PUT .../uploads/{uploadId}/commit`.
pub(crate) async fn commit(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, upload_id)): ApiPath<(String, String)>,
    JsonBody(body): JsonBody<CommitBody>,
) -> Result<Json<Value>, ApiError> {
    let value = state
        .db
        .write(move |conn| commit_blocking(conn, &id, &upload_id, user, body))
        .await?;
    Ok(Json(value))
}

fn commit_blocking(
    conn: &mut Connection,
    id: &str,
    upload_id: &str,
    user: i64,
    body: CommitBody,
) -> Result<Value, ApiError> {
    let _accepted = (body.index, &body.append_id);
    let started = now_ms();
    let clock = Instant::now();
    let ds = open_dataset(conn, id, user, Need::Write)?;
    let upload = open_upload(conn, &ds, upload_id)?;
    let action = match body.action.as_deref().or(upload.action.as_deref()) {
        Some(a) => parse_action("action", a)?,
        None => {
            return Err(ApiError::bad_request(
                "action is required: APPEND or REPLACE",
            ));
        }
    };
    let tag = normalize_tag(body.data_tag).or(upload.data_tag.clone());

    let parts: Vec<i64> = conn
        .prepare("SELECT part_no FROM upload_parts WHERE upload_id = ? ORDER BY part_no")?
        .query_map([upload.id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for (i, p) in parts.iter().enumerate() {
        let expected = i as i64 + 1;
        if *p != expected {
            let received: Vec<String> = parts.iter().map(i64::to_string).collect();
            return Err(ApiError::bad_request(format!(
                "part {expected} is missing: parts must be numbered 1..{} without gaps (received parts: {})",
                parts.len(),
                received.join(", ")
            )));
        }
    }
    if let Some(tag) = &tag {
        let (known, count): (bool, i64) = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM partitions WHERE dataset_pk = ?1 AND tag = ?2),
                    (SELECT COUNT(*) FROM partitions WHERE dataset_pk = ?1)",
            params![ds.pk, tag],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if !known && count >= MAX_PARTITIONS {
            return Err(ApiError::bad_request(format!(
                "dataset {} already has {count} partitions, the most allowed ({MAX_PARTITIONS}); delete one before adding partition `{tag}`",
                ds.id
            )));
        }
    }

    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut removed = 0i64;
    if action == "REPLACE" {
        match &tag {
            Some(tag) => {
                removed = tx.execute(
                    &format!(
                        "DELETE FROM {} WHERE {} = ?",
                        ds.table(),
                        quote_ident(PARTITION_COLUMN)
                    ),
                    [tag],
                )? as i64;
            }
            None => {
                removed = tx.execute(&format!("DELETE FROM {}", ds.table()), [])? as i64;
                // Every row is gone, so every partition is too.
                tx.execute("DELETE FROM partitions WHERE dataset_pk = ?", [ds.pk])?;
            }
        }
    }
    let mut added = 0i64;
    let mut size = 0i64;
    {
        let mut ingest = Ingest::new(&tx, &ds)?;
        let mut fetch =
            tx.prepare("SELECT data FROM upload_parts WHERE upload_id = ? AND part_no = ?")?;
        for p in &parts {
            let data: Vec<u8> = fetch.query_row(params![upload.id, p], |r| r.get(0))?;
            size += data.len() as i64;
            added += ingest.part(Some(*p), &data, b',', tag.as_deref())?;
        }
    }
    let version = record_version(&tx, &ds, action, tag.as_deref(), added, size, started)?;
    db::touch_rows(&tx, ds.pk, added - removed, now_ms())?;
    tx.execute(
        "UPDATE uploads SET committed = 1, data_version_id = ? WHERE id = ?",
        params![version, upload.id],
    )?;
    // The staged bytes are now rows; keeping them would double the storage.
    tx.execute("DELETE FROM upload_parts WHERE upload_id = ?", [upload.id])?;
    tx.execute(
        "UPDATE data_versions SET duration_s = ? WHERE dataset_pk = ? AND version_id = ?",
        params![clock.elapsed().as_secs() as i64, ds.pk, version],
    )?;
    tx.commit()?;
    Ok(json!({
        "dataSourceId": ds.id,
        "uploadId": upload.id,
        "dataVersionId": version,
        "rowCount": added,
        "status": "SUCCESS",
    }))
}

/// Replaces a dataset's rows with `data` (CSV without a header) in one
/// transaction and records the data version; seeds the demo dataset.
pub(crate) fn replace_with_csv(
    conn: &mut Connection,
    ds: &Dataset,
    data: &[u8],
) -> Result<i64, ApiError> {
    let started = now_ms();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let removed = tx.execute(&format!("DELETE FROM {}", ds.table()), [])? as i64;
    let added = Ingest::new(&tx, ds)?.part(Some(1), data, b',', None)?;
    record_version(&tx, ds, "REPLACE", None, added, data.len() as i64, started)?;
    db::touch_rows(&tx, ds.pk, added - removed, now_ms())?;
    tx.commit()?;
    Ok(added)
}
