//! SQLite storage: connection handling, the metadata schema, and the
//! dataset lookups every endpoint starts with (existence, then access).
//!
//! One writer connection serialises all changes; with a data directory a
//! few reader connections serve reads concurrently (WAL), so a long commit
//! never stalls a GET. In memory there is one connection for everything.
//! All SQLite work runs on tokio's blocking pool.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, params};

use crate::csvio::ColumnType;
use crate::error::{ApiError, Error};

/// The hidden column of every row table that records a row's partition tag.
pub const PARTITION_COLUMN: &str = "__domo_partition__";
const READERS: usize = 3;
/// The metadata tables of `SCHEMA`; SQL queries may never read them.
pub const METADATA_TABLES: [&str; 10] = [
    "datasets",
    "columns",
    "permissions",
    "streams",
    "executions",
    "uploads",
    "upload_parts",
    "data_versions",
    "partitions",
    "indexes",
];

#[derive(Debug)]
pub(crate) struct Db {
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding the lock cannot leave a half-applied change:
    // rusqlite rolls an unfinished transaction back when it is dropped.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS datasets (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    owner_id INTEGER NOT NULL,
    row_count INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL,
    last_touched_ms INTEGER NOT NULL,
    last_updated_ms INTEGER NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    -- bumped by every change to the rows; a streaming export aborts if it moves
    generation INTEGER NOT NULL DEFAULT 0,
    next_version INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS columns (
    dataset_pk INTEGER NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    PRIMARY KEY (dataset_pk, position)
);
CREATE TABLE IF NOT EXISTS permissions (
    dataset_pk INTEGER NOT NULL,
    principal_type TEXT NOT NULL,
    principal_id TEXT NOT NULL,
    access_level TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (dataset_pk, principal_type, principal_id)
);
CREATE TABLE IF NOT EXISTS streams (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dataset_pk INTEGER NOT NULL UNIQUE,
    transport TEXT NOT NULL,
    data_provider TEXT NOT NULL,
    update_method TEXT NOT NULL,
    extra TEXT NOT NULL DEFAULT '{}',
    created_s INTEGER NOT NULL,
    modified_s INTEGER NOT NULL,
    last_execution_id INTEGER
);
CREATE TABLE IF NOT EXISTS executions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_id INTEGER NOT NULL,
    state TEXT NOT NULL,
    rows_inserted INTEGER NOT NULL,
    bytes_inserted INTEGER NOT NULL,
    started_s INTEGER NOT NULL,
    ended_s INTEGER NOT NULL,
    update_method TEXT NOT NULL,
    -- the newest data version this execution accounted for
    through_version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS uploads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dataset_pk INTEGER NOT NULL,
    action TEXT,
    data_tag TEXT,
    requested_ms INTEGER NOT NULL,
    committed INTEGER NOT NULL DEFAULT 0,
    data_version_id INTEGER
);
CREATE TABLE IF NOT EXISTS upload_parts (
    upload_id INTEGER NOT NULL,
    part_no INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (upload_id, part_no)
);
CREATE TABLE IF NOT EXISTS data_versions (
    dataset_pk INTEGER NOT NULL,
    version_id INTEGER NOT NULL,
    status TEXT NOT NULL,
    recorded_ms INTEGER NOT NULL,
    completed_ms INTEGER NOT NULL,
    duration_s INTEGER NOT NULL,
    size_bytes INTEGER NOT NULL,
    row_count INTEGER NOT NULL,
    action TEXT NOT NULL,
    data_tag TEXT,
    PRIMARY KEY (dataset_pk, version_id)
);
CREATE TABLE IF NOT EXISTS partitions (
    dataset_pk INTEGER NOT NULL,
    tag TEXT NOT NULL,
    row_count INTEGER NOT NULL,
    data_version_id INTEGER NOT NULL,
    date_completed_ms INTEGER NOT NULL,
    PRIMARY KEY (dataset_pk, tag)
);
CREATE TABLE IF NOT EXISTS indexes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dataset_pk INTEGER NOT NULL,
    requested_ms INTEGER NOT NULL
);
"#;

fn configure(conn: &Connection, on_disk: bool) -> rusqlite::Result<()> {
    if on_disk {
        // WAL + FULL: a commit is durable once it returns, and a kill -9 at
        // any moment leaves each dataset before or after each commit.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
    }
    conn.busy_timeout(std::time::Duration::from_secs(60))?;
    conn.pragma_update(None, "cache_size", -65536)?;
    Ok(())
}

impl Db {
    pub fn open(data_dir: Option<&Path>) -> Result<Self, Error> {
        let Some(dir) = data_dir else {
            let conn = Connection::open_in_memory()?;
            configure(&conn, false)?;
            conn.execute_batch(SCHEMA)?;
            return Ok(Self {
                writer: Mutex::new(conn),
                readers: Vec::new(),
                next_reader: AtomicUsize::new(0),
            });
        };
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::Storage(format!("cannot create {}: {e}", dir.display())))?;
        let file = dir.join("domo-emulator.sqlite3");
        let open = || -> Result<Connection, Error> {
            let conn = Connection::open(&file)
                .map_err(|e| Error::Storage(format!("cannot open {}: {e}", file.display())))?;
            configure(&conn, true)?;
            Ok(conn)
        };
        let writer = open()?;
        writer.execute_batch(SCHEMA)?;
        let readers = (0..READERS)
            .map(|_| open().map(Mutex::new))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            writer: Mutex::new(writer),
            readers,
            next_reader: AtomicUsize::new(0),
        })
    }

    fn reader(&self) -> MutexGuard<'_, Connection> {
        if self.readers.is_empty() {
            return lock(&self.writer);
        }
        for r in &self.readers {
            if let Ok(g) = r.try_lock() {
                return g;
            }
        }
        let i = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        lock(&self.readers[i])
    }

    /// Runs `f` on a connection that sees the latest committed state. Call
    /// only from a blocking context.
    pub fn read_blocking<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let conn = self.reader();
        f(&conn)
    }

    pub fn write_blocking<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut conn = lock(&self.writer);
        f(&mut conn)
    }

    pub async fn read<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Connection) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let db = Arc::clone(self);
        tokio::task::spawn_blocking(move || db.read_blocking(f))
            .await
            .map_err(|e| ApiError::internal(format!("storage task failed: {e}")))?
    }

    pub async fn write<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut Connection) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let db = Arc::clone(self);
        tokio::task::spawn_blocking(move || db.write_blocking(f))
            .await
            .map_err(|e| ApiError::internal(format!("storage task failed: {e}")))?
    }
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

pub(crate) fn row_table(pk: i64) -> String {
    format!("ds_{pk}")
}

#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub name: String,
    pub ty: ColumnType,
}

/// What the endpoints need to know about a dataset.
#[derive(Debug, Clone)]
pub(crate) struct Dataset {
    pub pk: i64,
    pub id: String,
    pub name: String,
    pub description: String,
    pub owner_id: i64,
    pub row_count: i64,
    pub created_ms: i64,
    pub last_touched_ms: i64,
    pub last_updated_ms: i64,
    pub tags: String,
    pub generation: i64,
    pub columns: Vec<Column>,
}

impl Dataset {
    pub fn table(&self) -> String {
        quote_ident(&row_table(self.pk))
    }
}

/// Access levels, ordered from most to least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AccessLevel {
    Owner,
    CoOwner,
    CanEdit,
    CanShare,
}

impl AccessLevel {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "OWNER" => Some(Self::Owner),
            "CO_OWNER" => Some(Self::CoOwner),
            "CAN_EDIT" => Some(Self::CanEdit),
            "CAN_SHARE" => Some(Self::CanShare),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "OWNER",
            Self::CoOwner => "CO_OWNER",
            Self::CanEdit => "CAN_EDIT",
            Self::CanShare => "CAN_SHARE",
        }
    }
}

/// What an endpoint is about to do with a dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    Read,
    Write,
    Share,
}

/// User 1 is the instance administrator.
pub(crate) const ADMIN_USER: i64 = 1;

pub(crate) fn user_name(id: i64) -> String {
    format!("User {id}")
}

fn load_columns(conn: &Connection, pk: i64) -> Result<Vec<Column>, ApiError> {
    let mut stmt = conn
        .prepare_cached("SELECT name, type FROM columns WHERE dataset_pk = ? ORDER BY position")?;
    let rows = stmt.query_map([pk], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut cols = Vec::new();
    for row in rows {
        let (name, ty) = row?;
        let ty = ColumnType::parse(&ty)
            .ok_or_else(|| ApiError::internal(format!("stored column type {ty} is unknown")))?;
        cols.push(Column { name, ty });
    }
    Ok(cols)
}

pub(crate) fn find_dataset(conn: &Connection, id: &str) -> Result<Option<Dataset>, ApiError> {
    let row = conn
        .prepare_cached(
            "SELECT pk, id, name, description, owner_id, row_count, created_ms, last_touched_ms,
                    last_updated_ms, tags, generation FROM datasets WHERE id = ?",
        )?
        .query_row([id], |r| {
            Ok(Dataset {
                pk: r.get(0)?,
                id: r.get(1)?,
                name: r.get(2)?,
                description: r.get(3)?,
                owner_id: r.get(4)?,
                row_count: r.get(5)?,
                created_ms: r.get(6)?,
                last_touched_ms: r.get(7)?,
                last_updated_ms: r.get(8)?,
                tags: r.get(9)?,
                generation: r.get(10)?,
                columns: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut ds) = row else { return Ok(None) };
    ds.columns = load_columns(conn, ds.pk)?;
    Ok(Some(ds))
}

pub(crate) fn access_level(
    conn: &Connection,
    pk: i64,
    user: i64,
) -> Result<Option<AccessLevel>, ApiError> {
    let level: Option<String> = conn
        .prepare_cached(
            "SELECT access_level FROM permissions
             WHERE dataset_pk = ? AND principal_type = 'USER' AND principal_id = ?",
        )?
        .query_row(params![pk, user.to_string()], |r| r.get(0))
        .optional()?;
    Ok(level.as_deref().and_then(AccessLevel::parse))
}

pub(crate) fn authorize(
    conn: &Connection,
    ds: &Dataset,
    user: i64,
    need: Need,
) -> Result<(), ApiError> {
    if user == ADMIN_USER {
        return Ok(());
    }
    let Some(level) = access_level(conn, ds.pk, user)? else {
        return Err(ApiError::forbidden(format!(
            "user {user} has no access to dataset {}",
            ds.id
        )));
    };
    use AccessLevel::*;
    let allowed = match need {
        Need::Read => true,
        Need::Write => matches!(level, Owner | CoOwner | CanEdit),
        Need::Share => matches!(level, Owner | CoOwner | CanShare),
    };
    if allowed {
        Ok(())
    } else {
        let what = match need {
            Need::Read => "read",
            Need::Write => "change the data or settings of",
            Need::Share => "share",
        };
        Err(ApiError::forbidden(format!(
            "user {user} has access level {} on dataset {}, which does not allow them to {what} it",
            level.as_str(),
            ds.id
        )))
    }
}

/// The lookup every dataset endpoint starts with: 404 if unknown, 403 if
/// the caller may not do `need` with it.
pub(crate) fn open_dataset(
    conn: &Connection,
    id: &str,
    user: i64,
    need: Need,
) -> Result<Dataset, ApiError> {
    let ds = find_dataset(conn, id)?
        .ok_or_else(|| ApiError::not_found(format!("dataset {id} does not exist")))?;
    authorize(conn, &ds, user, need)?;
    Ok(ds)
}

/// The owner object datasets and streams carry.
pub(crate) fn owner_json(ds: &Dataset) -> serde_json::Value {
    serde_json::json!({"id": ds.owner_id, "name": user_name(ds.owner_id), "type": "USER"})
}

/// Creates the row table for a schema (with the hidden partition column).
pub(crate) fn create_row_table(
    conn: &Connection,
    table: &str,
    columns: &[Column],
) -> Result<(), ApiError> {
    let mut sql = format!("CREATE TABLE {} (", quote_ident(table));
    for c in columns {
        sql.push_str(&quote_ident(&c.name));
        sql.push(' ');
        sql.push_str(c.ty.sql_decl());
        sql.push_str(", ");
    }
    sql.push_str(&quote_ident(PARTITION_COLUMN));
    sql.push_str(" TEXT)");
    conn.execute_batch(&sql)?;
    Ok(())
}

/// Marks the dataset's rows as changed (row count, timestamps, generation).
pub(crate) fn touch_rows(
    conn: &Connection,
    pk: i64,
    row_delta: i64,
    now: i64,
) -> Result<(), ApiError> {
    conn.execute(
        "UPDATE datasets SET row_count = row_count + ?, last_touched_ms = ?, last_updated_ms = ?,
                generation = generation + 1 WHERE pk = ?",
        params![row_delta, now, now, pk],
    )?;
    Ok(())
}

/// Reserves the next data version id of a dataset.
pub(crate) fn next_version(conn: &Connection, pk: i64) -> Result<i64, ApiError> {
    let v: i64 = conn.query_row(
        "SELECT next_version FROM datasets WHERE pk = ?",
        [pk],
        |r| r.get(0),
    )?;
    conn.execute(
        "UPDATE datasets SET next_version = next_version + 1 WHERE pk = ?",
        [pk],
    )?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQL confinement denies reads of METADATA_TABLES by name: the list
    /// must name every table the schema creates.
    #[test]
    fn metadata_table_list_matches_the_schema() {
        let created: Vec<&str> = SCHEMA
            .split("CREATE TABLE IF NOT EXISTS ")
            .skip(1)
            .filter_map(|s| s.split_whitespace().next())
            .collect();
        assert_eq!(created, METADATA_TABLES);
    }
}
