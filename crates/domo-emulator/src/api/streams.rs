//! Streams: how datasets are created (`POST /api/data/v1/streams`), updated,
//! found, run, and their execution history.

use std::collections::HashSet;

use axum::Json;
use axum::extract::State;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::csvio::ColumnType;
use crate::db::{
    self, Column, Dataset, Need, PARTITION_COLUMN, create_row_table, now_ms, open_dataset,
    quote_ident, row_table,
};
use crate::error::ApiError;
use crate::state::{ApiPath, ApiQuery, AppState, Caller, JsonBody, OptionalJson, parse_id};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StreamBody {
    transport: Option<Value>,
    data_source: Option<DataSourceIn>,
    data_provider: Option<Value>,
    update_method: Option<String>,
    schema_definition: Option<SchemaIn>,
    configuration: Option<Value>,
    account: Option<Value>,
    advanced_schedule_json: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct DataSourceIn {
    name: Option<String>,
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
struct SchemaIn {
    columns: Vec<ColumnIn>,
}

#[derive(Debug, Deserialize)]
struct ColumnIn {
    name: String,
    #[serde(rename = "type")]
    ty: String,
}

fn validate_update_method(m: &str) -> Result<&'static str, ApiError> {
    match m {
        "APPEND" => Ok("APPEND"),
        "REPLACE" => Ok("REPLACE"),
        other => Err(ApiError::bad_request(format!(
            "updateMethod must be APPEND or REPLACE, got `{other}`"
        ))),
    }
}

/// Column names must be non-empty and unique. Uniqueness ignores ASCII case
/// because the SQL endpoint resolves identifiers case-insensitively.
pub(crate) fn validate_columns(cols: &[(String, String)]) -> Result<Vec<Column>, ApiError> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(cols.len());
    for (i, (name, ty)) in cols.iter().enumerate() {
        let pos = i + 1;
        if name.trim().is_empty() {
            return Err(ApiError::bad_request(format!(
                "schemaDefinition.columns[{i}]: column {pos} has an empty name"
            )));
        }
        if name.eq_ignore_ascii_case(PARTITION_COLUMN) {
            return Err(ApiError::bad_request(format!(
                "schemaDefinition.columns[{i}]: the name `{name}` is reserved"
            )));
        }
        if !seen.insert(name.to_ascii_lowercase()) {
            return Err(ApiError::bad_request(format!(
                "schemaDefinition.columns[{i}]: column name `{name}` is used twice (names are compared ignoring case)"
            )));
        }
        let ty = ColumnType::parse(ty).ok_or_else(|| {
            ApiError::bad_request(format!(
                "schemaDefinition.columns[{i}] (`{name}`): type `{ty}` is not one of STRING, LONG, DOUBLE, DECIMAL, DATE, DATETIME"
            ))
        })?;
        out.push(Column {
            name: name.clone(),
            ty,
        });
    }
    Ok(out)
}

fn columns_in(schema: &SchemaIn) -> Vec<(String, String)> {
    schema
        .columns
        .iter()
        .map(|c| (c.name.clone(), c.ty.clone()))
        .collect()
}

/// A dataset id: a random version-4 UUID. Randomness comes from std's
/// per-process SipHash keys mixed with the clock and a counter.
pub(crate) fn new_dataset_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(n);
    h.write_i64(now_ms());
    let mut rng = crate::faults::SplitMix64::new(h.finish());
    let (a, b) = (rng.next_u64(), rng.next_u64());
    let b = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
    let a = (a & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xFFFF,
        a & 0xFFFF,
        b >> 48,
        b & 0xFFFF_FFFF_FFFF
    )
}

/// Everything needed to create a dataset together with its stream.
#[derive(Debug)]
pub(crate) struct NewDataset {
    pub id: String,
    pub name: String,
    pub description: String,
    pub owner: i64,
    pub columns: Vec<Column>,
    pub update_method: String,
    pub transport: Value,
    pub data_provider: Value,
    pub extra: Value,
}

/// Creates dataset, schema, row table, OWNER permission and stream in one
/// transaction; returns the stream id.
pub(crate) fn create_dataset(conn: &mut Connection, new: &NewDataset) -> Result<i64, ApiError> {
    let now = now_ms();
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO datasets (id, name, description, owner_id, created_ms, last_touched_ms, last_updated_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        params![new.id, new.name, new.description, new.owner, now, now, now],
    )?;
    let pk = tx.last_insert_rowid();
    for (i, c) in new.columns.iter().enumerate() {
        tx.execute(
            "INSERT INTO columns (dataset_pk, position, name, type) VALUES (?, ?, ?, ?)",
            params![pk, i as i64, c.name, c.ty.as_str()],
        )?;
    }
    create_row_table(&tx, &row_table(pk), &new.columns)?;
    tx.execute(
        "INSERT INTO permissions (dataset_pk, principal_type, principal_id, access_level, seq)
         VALUES (?, 'USER', ?, 'OWNER', 0)",
        params![pk, new.owner.to_string()],
    )?;
    tx.execute(
        "INSERT INTO streams (dataset_pk, transport, data_provider, update_method, extra, created_s, modified_s)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        params![
            pk,
            new.transport.to_string(),
            new.data_provider.to_string(),
            new.update_method,
            new.extra.to_string(),
            now / 1000,
            now / 1000
        ],
    )?;
    let sid = tx.last_insert_rowid();
    tx.commit()?;
    Ok(sid)
}

#[derive(Debug)]
struct StreamRow {
    id: i64,
    dataset_pk: i64,
    transport: String,
    data_provider: String,
    update_method: String,
    extra: String,
    created_s: i64,
    modified_s: i64,
    last_execution_id: Option<i64>,
}

fn load_stream(conn: &Connection, sid: i64) -> Result<Option<StreamRow>, ApiError> {
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

pub(crate) fn stream_id_of(conn: &Connection, pk: i64) -> Result<Option<i64>, ApiError> {
    Ok(conn
        .query_row("SELECT id FROM streams WHERE dataset_pk = ?", [pk], |r| {
            r.get(0)
        })
        .optional()?)
}

fn dataset_id_of(conn: &Connection, pk: i64) -> Result<String, ApiError> {
    Ok(conn.query_row("SELECT id FROM datasets WHERE pk = ?", [pk], |r| r.get(0))?)
}

/// Loads a stream and its dataset, checking the caller's access to it.
fn open_stream(
    conn: &Connection,
    raw_sid: &str,
    user: i64,
    need: Need,
) -> Result<(StreamRow, Dataset), ApiError> {
    let sid = parse_id("stream", raw_sid)?;
    let stream = load_stream(conn, sid)?
        .ok_or_else(|| ApiError::not_found(format!("stream {sid} does not exist")))?;
    let ds_id = dataset_id_of(conn, stream.dataset_pk)?;
    let ds = open_dataset(conn, &ds_id, user, need)?;
    Ok((stream, ds))
}

fn execution_json(conn: &Connection, eid: i64) -> Result<Value, ApiError> {
    Ok(conn.query_row(
        "SELECT id, stream_id, state, rows_inserted, bytes_inserted, started_s, ended_s, update_method
         FROM executions WHERE id = ?",
        [eid],
        execution_row,
    )?)
}

fn execution_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Value> {
    Ok(json!({
        "executionId": r.get::<_, i64>(0)?,
        "streamId": r.get::<_, i64>(1)?,
        "currentState": r.get::<_, String>(2)?,
        "rowsInserted": r.get::<_, i64>(3)?,
        "bytesInserted": r.get::<_, i64>(4)?,
        "startedAt": r.get::<_, i64>(5)?,
        "endedAt": r.get::<_, i64>(6)?,
        "updateMethod": r.get::<_, String>(7)?,
    }))
}

fn parse_stored(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or(Value::Null)
}

fn stream_json(conn: &Connection, s: &StreamRow, ds: &Dataset) -> Result<Value, ApiError> {
    let last = match s.last_execution_id {
        Some(eid) => execution_json(conn, eid)?,
        None => Value::Null,
    };
    let columns: Vec<Value> = ds
        .columns
        .iter()
        .map(|c| json!({"name": c.name, "type": c.ty.as_str()}))
        .collect();
    let mut obj = json!({
        "id": s.id,
        "dataSource": {
            "id": ds.id,
            "name": ds.name,
            "description": ds.description,
            "owner": db::owner_json(ds),
        },
        "transport": parse_stored(&s.transport),
        "dataProvider": parse_stored(&s.data_provider),
        "updateMethod": s.update_method,
        "schemaDefinition": {"columns": columns},
        "lastExecution": last,
        "createdAt": s.created_s,
        "modifiedAt": s.modified_s,
    });
    // Connector-style fields the caller sent (configuration, account,
    // advancedScheduleJson) are echoed back as they came.
    if let (Some(map), Value::Object(extra)) = (obj.as_object_mut(), parse_stored(&s.extra)) {
        for (k, v) in extra {
            map.insert(k, v);
        }
    }
    Ok(obj)
}

fn extra_fields(body: &StreamBody) -> Value {
    let mut extra = serde_json::Map::new();
    for (k, v) in [
        ("configuration", &body.configuration),
        ("account", &body.account),
        ("advancedScheduleJson", &body.advanced_schedule_json),
    ] {
        if let Some(v) = v {
            extra.insert(k.to_owned(), v.clone());
        }
    }
    Value::Object(extra)
}

pub(crate) async fn create(
    State(state): State<AppState>,
    Caller(user): Caller,
    JsonBody(body): JsonBody<StreamBody>,
) -> Result<Json<Value>, ApiError> {
    let ds_in = body
        .data_source
        .as_ref()
        .ok_or_else(|| ApiError::bad_request("dataSource is required (with a non-empty name)"))?;
    let name = ds_in.name.clone().unwrap_or_default();
    if name.trim().is_empty() {
        return Err(ApiError::bad_request(
            "dataSource.name must be a non-empty string",
        ));
    }
    let columns = match &body.schema_definition {
        Some(s) => validate_columns(&columns_in(s))?,
        None => Vec::new(),
    };
    let update_method = validate_update_method(body.update_method.as_deref().unwrap_or("REPLACE"))?;
    let new = NewDataset {
        id: new_dataset_id(),
        name,
        description: ds_in.description.clone().unwrap_or_default(),
        owner: user,
        columns,
        update_method: update_method.to_owned(),
        transport: body
            .transport
            .clone()
            .unwrap_or_else(|| json!({"type": "API"})),
        data_provider: body
            .data_provider
            .clone()
            .unwrap_or_else(|| json!({"key": "api", "name": "API"})),
        extra: extra_fields(&body),
    };
    let value = state
        .db
        .write(move |conn| {
            let sid = create_dataset(conn, &new)?;
            let (s, ds) = open_stream(conn, &sid.to_string(), user, Need::Read)?;
            stream_json(conn, &s, &ds)
        })
        .await?;
    Ok(Json(value))
}

pub(crate) async fn get(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(sid): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    let value = state
        .db
        .read(move |conn| {
            let (s, ds) = open_stream(conn, &sid, user, Need::Read)?;
            stream_json(conn, &s, &ds)
        })
        .await?;
    Ok(Json(value))
}

/// Rebuilds the row table for a new schema. Columns are matched by name:
/// kept columns keep their values, new ones start null, dropped ones go.
/// Changing a column's type is refused while the dataset has rows, since
/// stored values would silently stop matching their type.
fn apply_schema(conn: &Connection, ds: &Dataset, new_cols: &[Column]) -> Result<(), ApiError> {
    let unchanged = ds.columns.len() == new_cols.len()
        && ds
            .columns
            .iter()
            .zip(new_cols)
            .all(|(a, b)| a.name == b.name && a.ty == b.ty);
    if unchanged {
        return Ok(());
    }
    let mut copies = Vec::new();
    for c in new_cols {
        if let Some(old) = ds.columns.iter().find(|o| o.name == c.name) {
            if old.ty != c.ty && ds.row_count > 0 {
                return Err(ApiError::bad_request(format!(
                    "cannot change column `{}` from {} to {} while the dataset has {} rows; replace the data with an empty upload first",
                    c.name,
                    old.ty.as_str(),
                    c.ty.as_str(),
                    ds.row_count
                )));
            }
            copies.push(quote_ident(&c.name));
        }
    }
    let table = row_table(ds.pk);
    let staging = format!("{table}_rebuild");
    conn.execute_batch(&format!("DROP TABLE IF EXISTS {}", quote_ident(&staging)))?;
    create_row_table(conn, &staging, new_cols)?;
    copies.push(quote_ident(PARTITION_COLUMN));
    let list = copies.join(", ");
    conn.execute_batch(&format!(
        "INSERT INTO {staging_q} (rowid, {list}) SELECT rowid, {list} FROM {table_q} ORDER BY rowid;
         DROP TABLE {table_q};
         ALTER TABLE {staging_q} RENAME TO {table_q};",
        staging_q = quote_ident(&staging),
        table_q = quote_ident(&table),
    ))?;
    conn.execute("DELETE FROM columns WHERE dataset_pk = ?", [ds.pk])?;
    for (i, c) in new_cols.iter().enumerate() {
        conn.execute(
            "INSERT INTO columns (dataset_pk, position, name, type) VALUES (?, ?, ?, ?)",
            params![ds.pk, i as i64, c.name, c.ty.as_str()],
        )?;
    }
    conn.execute(
        "UPDATE datasets SET generation = generation + 1 WHERE pk = ?",
        [ds.pk],
    )?;
    Ok(())
}

pub(crate) async fn update(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(sid): ApiPath<String>,
    JsonBody(body): JsonBody<StreamBody>,
) -> Result<Json<Value>, ApiError> {
    let new_cols = match &body.schema_definition {
        Some(s) => Some(validate_columns(&columns_in(s))?),
        None => None,
    };
    let update_method = body
        .update_method
        .as_deref()
        .map(validate_update_method)
        .transpose()?;
    if let Some(name) = body.data_source.as_ref().and_then(|d| d.name.as_ref()) {
        if name.trim().is_empty() {
            return Err(ApiError::bad_request(
                "dataSource.name must be a non-empty string",
            ));
        }
    }
    let value = state
        .db
        .write(move |conn| {
            let (s, ds) = open_stream(conn, &sid, user, Need::Write)?;
            let now = now_ms();
            let tx = conn.transaction()?;
            if let Some(d) = &body.data_source {
                if let Some(name) = &d.name {
                    tx.execute(
                        "UPDATE datasets SET name = ? WHERE pk = ?",
                        params![name, ds.pk],
                    )?;
                }
                if let Some(desc) = &d.description {
                    tx.execute(
                        "UPDATE datasets SET description = ? WHERE pk = ?",
                        params![desc, ds.pk],
                    )?;
                }
            }
            if let Some(cols) = &new_cols {
                apply_schema(&tx, &ds, cols)?;
            }
            if let Some(m) = update_method {
                tx.execute(
                    "UPDATE streams SET update_method = ? WHERE id = ?",
                    params![m, s.id],
                )?;
            }
            if let Some(t) = &body.transport {
                tx.execute(
                    "UPDATE streams SET transport = ? WHERE id = ?",
                    params![t.to_string(), s.id],
                )?;
            }
            if let Some(p) = &body.data_provider {
                tx.execute(
                    "UPDATE streams SET data_provider = ? WHERE id = ?",
                    params![p.to_string(), s.id],
                )?;
            }
            let extra = extra_fields(&body);
            if extra.as_object().is_some_and(|m| !m.is_empty()) {
                let mut merged = parse_stored(&s.extra);
                if let (Some(m), Value::Object(new)) = (merged.as_object_mut(), extra) {
                    m.extend(new);
                }
                tx.execute(
                    "UPDATE streams SET extra = ? WHERE id = ?",
                    params![merged.to_string(), s.id],
                )?;
            }
            tx.execute(
                "UPDATE streams SET modified_s = ? WHERE id = ?",
                params![now / 1000, s.id],
            )?;
            tx.execute(
                "UPDATE datasets SET last_touched_ms = ? WHERE pk = ?",
                params![now, ds.pk],
            )?;
            tx.commit()?;
            let (s, ds) = open_stream(conn, &s.id.to_string(), user, Need::Read)?;
            stream_json(conn, &s, &ds)
        })
        .await?;
    Ok(Json(value))
}

#[derive(Debug, Deserialize)]
pub(crate) struct SearchQuery {
    q: Option<String>,
}

pub(crate) async fn search(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> Result<Json<Value>, ApiError> {
    let q = query.q.unwrap_or_default();
    let Some(ds_id) = q.trim().strip_prefix("dataSource.id:") else {
        return Err(ApiError::bad_request(format!(
            "unsupported search `q={q}`: expected q=dataSource.id:<dataset id>"
        )));
    };
    let ds_id = ds_id.trim().to_owned();
    let value = state
        .db
        .read(move |conn| {
            let Some(ds) = db::find_dataset(conn, &ds_id)? else {
                return Ok(json!([]));
            };
            // Invisible datasets are simply not found, as a search should.
            if db::authorize(conn, &ds, user, Need::Read).is_err() {
                return Ok(json!([]));
            }
            let Some(sid) = stream_id_of(conn, ds.pk)? else {
                return Ok(json!([]));
            };
            let s = load_stream(conn, sid)?
                .ok_or_else(|| ApiError::internal(format!("stream {sid} vanished")))?;
            Ok(json!([stream_json(conn, &s, &ds)?]))
        })
        .await?;
    Ok(Json(value))
}

/// Accepted bodies: `{"action":"MANUAL"}`, `{"runType":"MANUAL"}` or none;
/// every run here is a manual run, so the content does not matter.
pub(crate) async fn run(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(sid): ApiPath<String>,
    OptionalJson(_body): OptionalJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let value = state
        .db
        .write(move |conn| {
            let (s, ds) = open_stream(conn, &sid, user, Need::Write)?;
            let now_s = now_ms() / 1000;
            let tx = conn.transaction()?;
            // An execution accounts for the data versions committed since the
            // previous one: that is what this run "inserted".
            let through: i64 = tx.query_row(
                "SELECT COALESCE(MAX(through_version), 0) FROM executions WHERE stream_id = ?",
                [s.id],
                |r| r.get(0),
            )?;
            let (rows, bytes, newest): (i64, i64, i64) = tx.query_row(
                "SELECT COALESCE(SUM(row_count), 0), COALESCE(SUM(size_bytes), 0), COALESCE(MAX(version_id), ?)
                 FROM data_versions WHERE dataset_pk = ? AND version_id > ?",
                params![through, ds.pk, through],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            tx.execute(
                "INSERT INTO executions (stream_id, state, rows_inserted, bytes_inserted, started_s, ended_s,
                                         update_method, through_version)
                 VALUES (?, 'SUCCESS', ?, ?, ?, ?, ?, ?)",
                params![s.id, rows, bytes, now_s, now_s, s.update_method, newest],
            )?;
            let eid = tx.last_insert_rowid();
            tx.execute("UPDATE streams SET last_execution_id = ? WHERE id = ?", params![eid, s.id])?;
            tx.commit()?;
            execution_json(conn, eid)
        })
        .await?;
    Ok(Json(value))
}

pub(crate) async fn history(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(sid): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    let value = state
        .db
        .read(move |conn| {
            let (s, _ds) = open_stream(conn, &sid, user, Need::Read)?;
            let mut stmt = conn.prepare(
                "SELECT id, stream_id, state, rows_inserted, bytes_inserted, started_s, ended_s, update_method
                 FROM executions WHERE stream_id = ? ORDER BY id DESC",
            )?;
            let rows = stmt.query_map([s.id], execution_row)?.collect::<Result<Vec<_>, _>>()?;
            Ok(Value::Array(rows))
        })
        .await?;
    Ok(Json(value))
}
