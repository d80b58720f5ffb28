//! Streams: how datasets are created (`CreateStream`), updated
//! (`UpdateStream`, including schema changes), found (`GetStream`,
//! `SearchStreams`), run (`RunStream`) and their history (`StreamHistory`).

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value};

use super::{
    Column, Dataset, Need, Owner, PARTITION_COLUMN, ROWID_COLUMN, Result, Store, StoreError,
    UserId, authorize, create_row_table, find_dataset, now_ms, open_dataset, parse_id, quote_ident,
    row_table, touch,
};
use crate::csvio::ColumnType;
use crate::limits::MAX_COLUMNS;
use crate::rng::SplitMix64;

/// What creating a stream (and its dataset) needs.
#[derive(Debug, Clone)]
pub(crate) struct NewStream {
    /// `None`: a fresh random UUID. The demo dataset has a fixed one.
    pub dataset_id: Option<String>,
    pub name: String,
    pub description: String,
    /// `(name, type)` as sent; validated here.
    pub columns: Vec<(String, String)>,
    /// As sent; APPEND or REPLACE.
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
    /// A whole new schema: columns matched by name keep their values.
    pub columns: Option<Vec<(String, String)>>,
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
}

/// One run of a stream.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Execution {
    pub id: i64,
    pub stream_id: i64,
    pub state: String,
    pub rows_inserted: i64,
    pub bytes_inserted: i64,
    pub started_s: i64,
    pub ended_s: i64,
    pub update_method: String,
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
        other => Err(StoreError::invalid(format!(
            "updateMethod must be APPEND or REPLACE, got `{other}`"
        ))),
    }
}

/// Column names must be non-empty, unique and not reserved; there may be
/// at most `MAX_COLUMNS`. Uniqueness ignores ASCII case because the SQL
/// endpoint resolves identifiers case-insensitively.
fn validate_columns(cols: &[(String, String)]) -> Result<Vec<Column>> {
    if cols.len() > MAX_COLUMNS {
        return Err(StoreError::invalid(format!(
            "schemaDefinition.columns has {} columns, more than the limit of {MAX_COLUMNS}",
            cols.len()
        )));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(cols.len());
    for (i, (name, ty)) in cols.iter().enumerate() {
        let pos = i + 1;
        if name.trim().is_empty() {
            return Err(StoreError::invalid(format!(
                "schemaDefinition.columns[{i}]: column {pos} has an empty name"
            )));
        }
        if name.eq_ignore_ascii_case(PARTITION_COLUMN) || name.eq_ignore_ascii_case(ROWID_COLUMN) {
            return Err(StoreError::invalid(format!(
                "schemaDefinition.columns[{i}]: the name `{name}` is reserved"
            )));
        }
        // SQLite ends a statement at NUL, so such a name cannot be a column.
        if name.contains('\0') {
            return Err(StoreError::invalid(format!(
                "schemaDefinition.columns[{i}]: column {pos} has a NUL character in its name"
            )));
        }
        if !seen.insert(name.to_ascii_lowercase()) {
            return Err(StoreError::invalid(format!(
                "schemaDefinition.columns[{i}]: column name `{name}` is used twice (names are compared ignoring case)"
            )));
        }
        let ty = ColumnType::parse(ty).ok_or_else(|| {
            StoreError::invalid(format!(
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

/// A dataset id: a random version-4 UUID. Randomness comes from std's
/// per-process SipHash keys mixed with the clock and a counter.
fn new_dataset_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(n);
    h.write_i64(now_ms());
    let mut rng = SplitMix64::new(h.finish());
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

fn load_stream(conn: &Connection, sid: i64) -> Result<Option<StreamRow>> {
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

/// The id of the stream that feeds a dataset.
pub(super) fn stream_id_of(conn: &Connection, pk: i64) -> Result<Option<i64>> {
    Ok(conn
        .query_row("SELECT id FROM streams WHERE dataset_pk = ?", [pk], |r| {
            r.get(0)
        })
        .optional()?)
}

fn dataset_id_of(conn: &Connection, pk: i64) -> Result<String> {
    Ok(conn.query_row("SELECT id FROM datasets WHERE pk = ?", [pk], |r| r.get(0))?)
}

/// Loads a stream and its dataset, checking the caller's access to it.
fn open_stream(
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

const EXECUTION_COLUMNS: &str =
    "id, stream_id, state, rows_inserted, bytes_inserted, started_s, ended_s, update_method";

fn execution_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Execution> {
    Ok(Execution {
        id: r.get(0)?,
        stream_id: r.get(1)?,
        state: r.get(2)?,
        rows_inserted: r.get(3)?,
        bytes_inserted: r.get(4)?,
        started_s: r.get(5)?,
        ended_s: r.get(6)?,
        update_method: r.get(7)?,
    })
}

fn load_execution(conn: &Connection, eid: i64) -> Result<Execution> {
    Ok(conn.query_row(
        &format!("SELECT {EXECUTION_COLUMNS} FROM executions WHERE id = ?"),
        [eid],
        execution_row,
    )?)
}

fn parse_stored(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or(Value::Null)
}

fn stream_of(conn: &Connection, s: &StreamRow, ds: &Dataset) -> Result<Stream> {
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
            owner: ds.owner(),
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

/// Rebuilds the row table for a new schema. Columns are matched by name:
/// kept columns keep their values, new ones start null, dropped ones go.
/// Changing a column's type is refused while the dataset has rows, since
/// stored values would silently stop matching their type.
fn apply_schema(conn: &Connection, ds: &Dataset, new_cols: &[Column]) -> Result<()> {
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
                return Err(StoreError::invalid(format!(
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
    insert_columns(conn, ds.pk, new_cols)?;
    conn.execute(
        "UPDATE datasets SET generation = generation + 1 WHERE pk = ?",
        [ds.pk],
    )?;
    Ok(())
}

fn insert_columns(conn: &Connection, pk: i64, columns: &[Column]) -> Result<()> {
    for (i, c) in columns.iter().enumerate() {
        conn.execute(
            "INSERT INTO columns (dataset_pk, position, name, type) VALUES (?, ?, ?, ?)",
            params![pk, i as i64, c.name, c.ty.as_str()],
        )?;
    }
    Ok(())
}

impl Store {
    /// Creates dataset, schema, row table, OWNER permission (for `user`)
    /// and stream together.
    pub(crate) fn create_stream(&self, user: UserId, new: NewStream) -> Result<Stream> {
        let columns = validate_columns(&new.columns)?;
        let update_method = validate_update_method(&new.update_method)?;
        let id = new.dataset_id.unwrap_or_else(new_dataset_id);
        self.write(|conn| {
            super::users::require_can_create_datasets(conn, user)?;
            let now = now_ms();
            conn.execute(
                "INSERT INTO datasets (id, name, description, owner_id, created_ms, last_touched_ms, last_updated_ms)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
                params![id, new.name, new.description, user, now, now, now],
            )?;
            let pk = conn.last_insert_rowid();
            insert_columns(conn, pk, &columns)?;
            create_row_table(conn, &row_table(pk), &columns)?;
            conn.execute(
                "INSERT INTO permissions (dataset_pk, principal_type, principal_id, access_level, seq)
                 VALUES (?, 'USER', ?, 'OWNER', 0)",
                params![pk, user.to_string()],
            )?;
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
        let new_cols = up.columns.as_deref().map(validate_columns).transpose()?;
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
            let now = now_ms();
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
                apply_schema(conn, &ds, cols)?;
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

    /// Records a manual run. An execution accounts for the data versions
    /// committed since the previous one: that is what this run "inserted".
    /// A run never changes rows.
    pub(crate) fn run_stream(&self, user: UserId, sid: &str) -> Result<Execution> {
        self.write(|conn| {
            let (s, ds) = open_stream(conn, sid, user, Need::Write)?;
            let now_s = now_ms() / 1000;
            let through: i64 = conn.query_row(
                "SELECT COALESCE(MAX(through_version), 0) FROM executions WHERE stream_id = ?",
                [s.id],
                |r| r.get(0),
            )?;
            let (rows, bytes, newest): (i64, i64, i64) = conn.query_row(
                "SELECT COALESCE(SUM(row_count), 0), COALESCE(SUM(size_bytes), 0), COALESCE(MAX(version_id), ?)
                 FROM data_versions WHERE dataset_pk = ? AND version_id > ?",
                params![through, ds.pk, through],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            conn.execute(
                "INSERT INTO executions (stream_id, state, rows_inserted, bytes_inserted, started_s, ended_s,
                                         update_method, through_version)
                 VALUES (?, 'SUCCESS', ?, ?, ?, ?, ?, ?)",
                params![s.id, rows, bytes, now_s, now_s, s.update_method, newest],
            )?;
            let eid = conn.last_insert_rowid();
            conn.execute(
                "UPDATE streams SET last_execution_id = ? WHERE id = ?",
                params![eid, s.id],
            )?;
            load_execution(conn, eid)
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
