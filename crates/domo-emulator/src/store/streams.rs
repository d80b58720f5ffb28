//! Streams: how datasets are created (`CreateStream`), updated
//! (`UpdateStream`, including schema changes), found (`GetStream`,
//! `SearchStreams`), loaded through executions (`RunStream`, which
//! starts one; `ExecutionPart`, `CommitExecution`,
//! `AbortExecution`) and their history (`StreamHistory`).
//!
//! An execution is a load, as on Domo for an API stream ("running" a
//! stream is starting one): created `ACTIVE` with an upload to stage its
//! parts in, it ends `SUCCESS` (committed through `uploads::apply_upload`,
//! the one commit path, as the stream's `updateMethod` says), `FAILED`
//! (the data was refused; nothing landed) or `ABORTED`.

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value};

use super::datasets::{NewRecord, insert_dataset, new_dataset_id};
use super::schema::{NewColumn, change_schema, validate_columns};
use super::uploads::{Load, apply_upload, check_load, staged_parts};
use super::{
    Column, Dataset, Need, Owner, Result, Store, StoreError, UserId, authorize, find_dataset,
    open_dataset, parse_id, stream_id_of, touch,
};

/// What creating a stream (and its dataset) needs.
#[derive(Debug, Clone)]
pub(crate) struct NewStream {
    /// `None`: a fresh random UUID. The demo dataset has a fixed one.
    pub dataset_id: Option<String>,
    pub name: String,
    pub description: String,
    /// As sent; validated here.
    pub columns: Vec<NewColumn>,
    /// As sent; APPEND, REPLACE or UPSERT.
    pub update_method: String,
    pub transport: Value,
    pub data_provider: Value,
    /// Connector-style fields (configuration, account, advancedScheduleJson),
    /// kept and echoed as they came.
    pub extra: Map<String, Value>,
}

/// A change to a stream; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default)]
pub(crate) struct StreamUpdate {
    pub name: Option<String>,
    pub description: Option<String>,
    /// A whole new schema, applied like `AlterSchema` (see `schema`).
    pub columns: Option<Vec<NewColumn>>,
    pub update_method: Option<String>,
    pub transport: Option<Value>,
    pub data_provider: Option<Value>,
    /// Merged into the stored connector-style fields.
    pub extra: Map<String, Value>,
}

/// The dataset a stream feeds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StreamDataset {
    pub id: String,
    pub name: String,
    pub description: String,
    pub owner: Owner,
    /// Stored rows (the public API's `dataSet.rows`).
    pub rows: i64,
    pub column_count: usize,
    pub created_ms: i64,
    pub last_updated_ms: i64,
    pub pdp_enabled: bool,
}

/// One execution of a stream (module docs).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Execution {
    pub id: i64,
    pub stream_id: i64,
    /// `ACTIVE`, `SUCCESS`, `FAILED` or `ABORTED`.
    pub state: String,
    pub rows_inserted: i64,
    pub bytes_inserted: i64,
    pub started_s: i64,
    /// `None` while ACTIVE.
    pub ended_s: Option<i64>,
    pub update_method: String,
    /// Why a load FAILED.
    pub message: Option<String>,
    /// The data version a committed load made.
    pub data_version_id: Option<i64>,
}

/// A stream with its dataset and last execution.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stream {
    pub id: i64,
    pub dataset: StreamDataset,
    pub transport: Value,
    pub data_provider: Value,
    pub update_method: String,
    pub columns: Vec<Column>,
    pub last_execution: Option<Execution>,
    pub created_s: i64,
    pub modified_s: i64,
    /// The stored connector-style fields (an object).
    pub extra: Value,
}

fn validate_update_method(m: &str) -> Result<&'static str> {
    match m {
        "APPEND" => Ok("APPEND"),
        "REPLACE" => Ok("REPLACE"),
        "UPSERT" => Ok("UPSERT"),
        other => Err(StoreError::invalid(format!(
            "updateMethod must be APPEND, REPLACE or UPSERT, got `{other}`"
        ))),
    }
}

#[derive(Debug)]
pub(super) struct StreamRow {
    pub(super) id: i64,
    pub(super) dataset_pk: i64,
    pub(super) transport: String,
    pub(super) data_provider: String,
    pub(super) update_method: String,
    pub(super) extra: String,
    pub(super) created_s: i64,
    pub(super) modified_s: i64,
    pub(super) last_execution_id: Option<i64>,
}

pub(super) fn load_stream(conn: &Connection, sid: i64) -> Result<Option<StreamRow>> {
    Ok(conn
        .query_row(
            "SELECT id, dataset_pk, transport, data_provider, update_method, extra, created_s, modified_s,
                    last_execution_id FROM streams WHERE id = ?",
            [sid],
            |r| {
                Ok(StreamRow {
                    id: r.get(0)?,
                    dataset_pk: r.get(1)?,
                    transport: r.get(2)?,
                    data_provider: r.get(3)?,
                    update_method: r.get(4)?,
                    extra: r.get(5)?,
                    created_s: r.get(6)?,
                    modified_s: r.get(7)?,
                    last_execution_id: r.get(8)?,
                })
            },
        )
        .optional()?)
}

fn dataset_id_of(conn: &Connection, pk: i64) -> Result<String> {
    Ok(conn.query_row("SELECT id FROM datasets WHERE pk = ?", [pk], |r| r.get(0))?)
}

/// Loads a stream and its dataset, checking the caller's access to it.
pub(super) fn open_stream(
    conn: &Connection,
    raw_sid: &str,
    user: UserId,
    need: Need,
) -> Result<(StreamRow, Dataset)> {
    let sid = parse_id("stream", raw_sid)?;
    let stream = load_stream(conn, sid)?
        .ok_or_else(|| StoreError::not_found(format!("stream {sid} does not exist")))?;
    let ds_id = dataset_id_of(conn, stream.dataset_pk)?;
    let ds = open_dataset(conn, &ds_id, user, need)?;
    Ok((stream, ds))
}

pub(super) const EXECUTION_COLUMNS: &str =
    "id, stream_id, state, rows_inserted, bytes_inserted, started_s, ended_s,
     update_method, message, data_version_id";

pub(super) fn execution_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Execution> {
    let state: String = r.get(2)?;
    Ok(Execution {
        id: r.get(0)?,
        stream_id: r.get(1)?,
        rows_inserted: r.get(3)?,
        bytes_inserted: r.get(4)?,
        started_s: r.get(5)?,
        ended_s: (state != "ACTIVE").then(|| r.get(6)).transpose()?,
        state,
        update_method: r.get(7)?,
        message: r.get(8)?,
        data_version_id: r.get(9)?,
    })
}

pub(super) fn load_execution(conn: &Connection, eid: i64) -> Result<Execution> {
    Ok(conn.query_row(
        &format!("SELECT {EXECUTION_COLUMNS} FROM executions WHERE id = ?"),
        [eid],
        execution_row,
    )?)
}

/// A load execution of this stream and its upload (404 for an unknown
/// execution or another stream's). Executions recorded before loads
/// existed (manual runs, no upload) cannot be loaded into.
pub(super) fn open_load(
    conn: &Connection,
    s: &StreamRow,
    raw_eid: &str,
) -> Result<(Execution, i64)> {
    let eid = parse_id("execution", raw_eid)?;
    let found: Option<(i64, Option<i64>)> = conn
        .query_row(
            "SELECT stream_id, upload_id FROM executions WHERE id = ?",
            [eid],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match found {
        Some((stream, Some(upload))) if stream == s.id => Ok((load_execution(conn, eid)?, upload)),
        Some((stream, None)) if stream == s.id => Err(StoreError::conflict(format!(
            "execution {eid} of stream {} ended before it could take parts; start a new execution",
            s.id
        ))),
        _ => Err(StoreError::not_found(format!(
            "execution {eid} does not exist on stream {}",
            s.id
        ))),
    }
}

/// A load that must still be ACTIVE to `what` it (else 409).
pub(super) fn open_active_load(
    conn: &Connection,
    s: &StreamRow,
    raw_eid: &str,
    what: &str,
) -> Result<(Execution, i64)> {
    let (e, upload) = open_load(conn, s, raw_eid)?;
    if e.state != "ACTIVE" {
        let why = match e.state.as_str() {
            "SUCCESS" => "it was committed".to_owned(),
            "ABORTED" => "it was aborted".to_owned(),
            _ => format!(
                "it failed ({})",
                e.message.as_deref().unwrap_or("no message")
            ),
        };
        return Err(StoreError::conflict(format!(
            "cannot {what} execution {} of stream {}: it is {}, not ACTIVE ({why}); start a new execution",
            e.id, s.id, e.state
        )));
    }
    Ok((e, upload))
}

fn parse_stored(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or(Value::Null)
}

pub(super) fn stream_of(conn: &Connection, s: &StreamRow, ds: &Dataset) -> Result<Stream> {
    let last_execution = match s.last_execution_id {
        Some(eid) => Some(load_execution(conn, eid)?),
        None => None,
    };
    Ok(Stream {
        id: s.id,
        dataset: StreamDataset {
            id: ds.id.clone(),
            name: ds.name.clone(),
            description: ds.description.clone(),
            owner: ds.owner(conn)?,
            rows: ds.row_count,
            column_count: ds.columns.len(),
            created_ms: ds.created_ms,
            last_updated_ms: ds.last_updated_ms,
            pdp_enabled: super::policies::pdp_enabled(conn, ds.pk)?,
        },
        transport: parse_stored(&s.transport),
        data_provider: parse_stored(&s.data_provider),
        update_method: s.update_method.clone(),
        columns: ds.columns.clone(),
        last_execution,
        created_s: s.created_s,
        modified_s: s.modified_s,
        extra: parse_stored(&s.extra),
    })
}

impl Store {
    /// Creates dataset, schema, row table, OWNER permission (for `user`)
    /// and stream together.
    pub(crate) fn create_stream(&self, user: UserId, new: NewStream) -> Result<Stream> {
        let columns = validate_columns("schemaDefinition.columns", &new.columns)?.columns;
        let update_method = validate_update_method(&new.update_method)?;
        let id = new.dataset_id.unwrap_or_else(new_dataset_id);
        self.write(|conn| {
            super::users::require_can_create_datasets(conn, user)?;
            let now = self.now_ms();
            let record = NewRecord {
                id: &id,
                name: &new.name,
                description: &new.description,
                display_type: "api",
                columns: &columns,
            };
            let pk = insert_dataset(conn, user, &record, now)?;
            conn.execute(
                "INSERT INTO streams (dataset_pk, transport, data_provider, update_method, extra, created_s, modified_s)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
                params![
                    pk,
                    new.transport.to_string(),
                    new.data_provider.to_string(),
                    update_method,
                    Value::Object(new.extra.clone()).to_string(),
                    now / 1000,
                    now / 1000
                ],
            )?;
            let sid = conn.last_insert_rowid();
            let (s, ds) = open_stream(conn, &sid.to_string(), user, Need::Read)?;
            stream_of(conn, &s, &ds)
        })
    }

    pub(crate) fn get_stream(&self, user: UserId, sid: &str) -> Result<Stream> {
        self.read(|conn| {
            let (s, ds) = open_stream(conn, sid, user, Need::Read)?;
            stream_of(conn, &s, &ds)
        })
    }

    pub(crate) fn update_stream(
        &self,
        user: UserId,
        sid: &str,
        up: StreamUpdate,
    ) -> Result<Stream> {
        let new_cols = up
            .columns
            .as_deref()
            .map(|c| validate_columns("schemaDefinition.columns", c))
            .transpose()?;
        let update_method = up
            .update_method
            .as_deref()
            .map(validate_update_method)
            .transpose()?;
        if up.name.as_ref().is_some_and(|n| n.trim().is_empty()) {
            return Err(StoreError::invalid(
                "dataSource.name must be a non-empty string",
            ));
        }
        self.write(|conn| {
            let (s, ds) = open_stream(conn, sid, user, Need::Write)?;
            let now = self.now_ms();
            if let Some(name) = &up.name {
                conn.execute(
                    "UPDATE datasets SET name = ? WHERE pk = ?",
                    params![name, ds.pk],
                )?;
            }
            if let Some(desc) = &up.description {
                conn.execute(
                    "UPDATE datasets SET description = ? WHERE pk = ?",
                    params![desc, ds.pk],
                )?;
            }
            if let Some(cols) = &new_cols {
                change_schema(conn, &ds, cols)?;
            }
            if let Some(m) = update_method {
                conn.execute(
                    "UPDATE streams SET update_method = ? WHERE id = ?",
                    params![m, s.id],
                )?;
            }
            if let Some(t) = &up.transport {
                conn.execute(
                    "UPDATE streams SET transport = ? WHERE id = ?",
                    params![t.to_string(), s.id],
                )?;
            }
            if let Some(p) = &up.data_provider {
                conn.execute(
                    "UPDATE streams SET data_provider = ? WHERE id = ?",
                    params![p.to_string(), s.id],
                )?;
            }
            if !up.extra.is_empty() {
                let mut merged = parse_stored(&s.extra);
                if let Some(m) = merged.as_object_mut() {
                    m.extend(up.extra.clone());
                }
                conn.execute(
                    "UPDATE streams SET extra = ? WHERE id = ?",
                    params![merged.to_string(), s.id],
                )?;
            }
            conn.execute(
                "UPDATE streams SET modified_s = ? WHERE id = ?",
                params![now / 1000, s.id],
            )?;
            touch(conn, ds.pk, now)?;
            let (s, ds) = open_stream(conn, &s.id.to_string(), user, Need::Read)?;
            stream_of(conn, &s, &ds)
        })
    }

    /// The streams of a dataset the caller can see: one, or none when the
    /// dataset is unknown or invisible (a search does not refuse).
    pub(crate) fn search_streams(&self, user: UserId, dataset_id: &str) -> Result<Vec<Stream>> {
        self.read(|conn| {
            let Some(ds) = find_dataset(conn, dataset_id)? else {
                return Ok(Vec::new());
            };
            if authorize(conn, &ds, user, Need::Read).is_err() {
                return Ok(Vec::new());
            }
            let Some(sid) = stream_id_of(conn, ds.pk)? else {
                return Ok(Vec::new());
            };
            let s = load_stream(conn, sid)?
                .ok_or_else(|| StoreError::internal(format!("stream {sid} vanished")))?;
            Ok(vec![stream_of(conn, &s, &ds)?])
        })
    }

    /// `RunStream`: opens a load, ACTIVE, with an upload to stage
    /// its parts in; it becomes the stream's last execution. It loads as
    /// the stream's `updateMethod` says, or as `update_method` (the public
    /// API's per-execution choice) when given.
    pub(crate) fn start_execution(
        &self,
        user: UserId,
        sid: &str,
        update_method: Option<&str>,
    ) -> Result<Execution> {
        let method = update_method.map(validate_update_method).transpose()?;
        self.write(|conn| {
            let (s, ds) = open_stream(conn, sid, user, Need::Write)?;
            let now = self.now_ms();
            conn.execute(
                "INSERT INTO uploads (dataset_pk, requested_ms) VALUES (?, ?)",
                params![ds.pk, now],
            )?;
            let upload = conn.last_insert_rowid();
            conn.execute(
                "INSERT INTO executions (stream_id, state, rows_inserted, bytes_inserted, started_s, ended_s,
                                         update_method, upload_id)
                 VALUES (?, 'ACTIVE', 0, 0, ?, 0, ?, ?)",
                params![s.id, now / 1000, method.unwrap_or(&s.update_method), upload],
            )?;
            let eid = conn.last_insert_rowid();
            conn.execute(
                "UPDATE streams SET last_execution_id = ? WHERE id = ?",
                params![eid, s.id],
            )?;
            load_execution(conn, eid)
        })
    }

    /// `ExecutionPart`: stages (or, sent again, replaces) part
    /// `part_no` of an ACTIVE load.
    pub(crate) fn upload_execution_part(
        &self,
        user: UserId,
        sid: &str,
        eid: &str,
        part_no: i64,
        data: Vec<u8>,
    ) -> Result<Execution> {
        self.write(|conn| {
            let (s, _ds) = open_stream(conn, sid, user, Need::Write)?;
            let (e, upload) = open_active_load(conn, &s, eid, "send a part to")?;
            conn.execute(
                "INSERT OR REPLACE INTO upload_parts (upload_id, part_no, data) VALUES (?, ?, ?)",
                params![upload, part_no, data],
            )?;
            Ok(e)
        })
    }

    /// `CommitExecution`: applies parts 1..n as the stream's `updateMethod`
    /// says. Missing parts are refused and the load stays ACTIVE (send them
    /// and commit again); data that is refused (a CSV error, an empty
    /// upsert key) FAILS the load with the message and lands nothing.
    pub(crate) fn commit_execution(&self, user: UserId, sid: &str, eid: &str) -> Result<Execution> {
        // The closure answers Ok(Err(..)) for refused data, so the FAILED
        // mark commits while the rows roll back to the savepoint.
        self.write(|conn| {
            let (s, ds) = open_stream(conn, sid, user, Need::Write)?;
            // A commit retried after a lost reply gets the first answer
            // again: FAILED stays the 400 it was (a 409 would read as
            // "an earlier attempt committed").
            let (e, _) = open_load(conn, &s, eid)?;
            if let ("FAILED", Some(m)) = (e.state.as_str(), &e.message) {
                return Ok(Err(StoreError::invalid(m.clone())));
            }
            let (e, upload) = open_active_load(conn, &s, eid, "commit")?;
            let parts = staged_parts(conn, upload)?;
            let load = match e.update_method.as_str() {
                "REPLACE" => Load::Replace,
                "UPSERT" => Load::Upsert,
                _ => Load::Append,
            };
            // Refusals before any row is read leave the load ACTIVE.
            check_load(conn, &ds, upload, &parts, load, None)?;
            conn.execute_batch("SAVEPOINT execution_load")?;
            let now_s = self.now_ms() / 1000;
            match apply_upload(conn, &ds, upload, &parts, load, None, self.clock()) {
                Ok(done) => {
                    conn.execute_batch("RELEASE execution_load")?;
                    conn.execute(
                        "UPDATE executions SET state = 'SUCCESS', rows_inserted = ?, bytes_inserted = ?,
                                ended_s = ?, data_version_id = ? WHERE id = ?",
                        params![done.rows, done.size_bytes, now_s, done.version_id, e.id],
                    )?;
                    Ok(Ok(load_execution(conn, e.id)?))
                }
                Err(err) if err.kind == super::ErrorKind::Invalid => {
                    conn.execute_batch("ROLLBACK TO execution_load; RELEASE execution_load")?;
                    let message = format!("execution {} failed: {}", e.id, err.message);
                    conn.execute(
                        "UPDATE executions SET state = 'FAILED', ended_s = ?, message = ? WHERE id = ?",
                        params![now_s, message, e.id],
                    )?;
                    conn.execute("DELETE FROM upload_parts WHERE upload_id = ?", [upload])?;
                    Ok(Err(StoreError::invalid(message)))
                }
                Err(err) => Err(err),
            }
        })?
    }

    /// `AbortExecution`: ends an ACTIVE load without landing anything and
    /// drops its staged parts. Aborting an ended load that did not commit
    /// (ABORTED, FAILED) answers it as it is, so a retried abort succeeds;
    /// a committed one cannot be aborted.
    pub(crate) fn abort_execution(&self, user: UserId, sid: &str, eid: &str) -> Result<Execution> {
        self.write(|conn| {
            let (s, _ds) = open_stream(conn, sid, user, Need::Write)?;
            let (e, upload) = open_load(conn, &s, eid)?;
            match e.state.as_str() {
                "ACTIVE" => {}
                "ABORTED" | "FAILED" => return Ok(e),
                other => {
                    return Err(StoreError::conflict(format!(
                        "execution {} is {other}: it was committed and cannot be aborted",
                        e.id
                    )));
                }
            }
            conn.execute(
                "UPDATE executions SET state = 'ABORTED', ended_s = ? WHERE id = ?",
                params![self.now_ms() / 1000, e.id],
            )?;
            conn.execute("DELETE FROM upload_parts WHERE upload_id = ?", [upload])?;
            conn.execute("DELETE FROM uploads WHERE id = ?", [upload])?;
            load_execution(conn, e.id)
        })
    }

    /// Executions, newest first.
    pub(crate) fn stream_history(&self, user: UserId, sid: &str) -> Result<Vec<Execution>> {
        self.read(|conn| {
            let (s, _ds) = open_stream(conn, sid, user, Need::Read)?;
            let mut stmt = conn.prepare(&format!(
                "SELECT {EXECUTION_COLUMNS} FROM executions WHERE stream_id = ? ORDER BY id DESC"
            ))?;
            let rows = stmt
                .query_map([s.id], execution_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }
}
