//! The storage layer: the only part of the emulator that knows SQLite.
//!
//! `Store` owns the connections and the schema and offers one operation per
//! thing a handler needs (`Store::get_dataset`, `Store::commit_upload`, ...,
//! in the submodule of its area). Each operation takes the caller's user id
//! and typed arguments, runs in ONE transaction, checks access itself and
//! returns plain structs; handlers never see a connection or write SQL.
//! Every read of dataset rows selects from `rows::visible_rows`, the one
//! place for rules that apply to every read path.
//!
//! One writer connection serialises all changes; a pool of reader
//! connections serves reads concurrently (WAL), so a long commit never
//! stalls a GET. Without a data directory the database is a WAL file in a
//! private temporary directory, removed when the store is dropped: SQLite's
//! in-memory databases (`:memory:`, `memdb`) have no WAL, so there a
//! waiting writer locks every reader out until the longest query ends.
//! Queries that may run long (SQL, `/data` pages) hold one of fewer query
//! slots than there are readers, so short reads always find a connection.
//! Operations block: async callers go through `Store::run` (tokio's
//! blocking pool).
//!
//! This file holds what every area shares: connections, the DDL, errors,
//! the dataset lookup and the access check. Submodules depend on it, never
//! the other way round.

pub(crate) mod app;
pub(crate) mod appdb;
pub(crate) mod datasets;
pub(crate) mod dialect;
pub(crate) mod indexes;
pub(crate) mod partitions;
pub(crate) mod people;
pub(crate) mod permissions;
pub(crate) mod planner;
pub(crate) mod policies;
pub(crate) mod public;
pub(crate) mod query;
pub(crate) mod rows;
mod scales;
pub(crate) mod schema;
pub(crate) mod sink;
pub(crate) mod streams;
pub(crate) mod tags;
pub(crate) mod uploads;
pub(crate) mod users;
pub(crate) mod versions;

#[cfg(test)]
mod tests;

use std::fmt;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::limits::Limit;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::clock::Clock;
use crate::csvio::ColumnType;

/// A user id: tokens map to one, permissions name them.
pub(crate) type UserId = i64;

/// User 1 is the instance administrator.
pub(crate) const ADMIN_USER: UserId = 1;

/// The hidden column of every row table that records a row's partition tag.
const PARTITION_COLUMN: &str = "__domo_partition__";
/// The name `rows::visible_rows` gives a row's rowid (a subquery has none).
const ROWID_COLUMN: &str = "__domo_rowid__";
/// Reader connections. Each holds at most `READER_CACHE_KIB` of page cache.
const READERS: usize = 8;
/// How many of the readers long queries may hold at once; the rest stay
/// free for the short reads (a dataset, a schema) behind every page.
const QUERY_SLOTS: usize = READERS - 2;
/// Page cache of a reader, in KiB: small, since the OS caches the file and
/// every reader may be busy with a large query at once.
const READER_CACHE_KIB: i64 = 8 * 1024;
/// Page cache of the writer, in KiB: commits of large uploads touch many pages.
const WRITER_CACHE_KIB: i64 = 32 * 1024;
const DEFAULT_QUERY_TIMEOUT: Duration = Duration::from_secs(30);
/// Default `--max-value-bytes`: the largest string or blob (or row) SQLite
/// may make on a reader, far below its own 1 GB, so no one value of a query
/// can take more memory than this.
pub(crate) const DEFAULT_MAX_VALUE_BYTES: usize = 16 * 1024 * 1024;

/// The metadata tables of `SCHEMA`; SQL queries may never read them.
const METADATA_TABLES: [&str; 11] = [
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
    "deleted_datasets",
];

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
    upsert_key INTEGER NOT NULL DEFAULT 0,
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
    -- no longer written (runs are loads now); kept so older data directories match
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
-- ids of deleted datasets, so a later call can say so rather than "unknown"
CREATE TABLE IF NOT EXISTS deleted_datasets (
    id TEXT PRIMARY KEY,
    deleted_ms INTEGER NOT NULL
);
"#;

/// Fills a column added to a data directory made before it.
type Backfill = fn(&Connection) -> rusqlite::Result<()>;

/// Columns added after the first release, for data directories made
/// before them: `(table, column, declaration, backfill)`, added when
/// missing.
const ADDED_COLUMNS: [(&str, &str, &str, Option<Backfill>); 6] = [
    ("columns", "upsert_key", "INTEGER NOT NULL DEFAULT 0", None),
    (
        "datasets",
        "display_type",
        "TEXT NOT NULL DEFAULT 'api'",
        None,
    ),
    // a stream-execution load stages its parts as this upload
    ("executions", "upload_id", "INTEGER", None),
    ("executions", "message", "TEXT", None),
    ("executions", "data_version_id", "INTEGER", None),
    // kept by every write of rows (`scales`)
    (
        "columns",
        "decimal_scale",
        "INTEGER",
        Some(scales::backfill),
    ),
];

fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    for (table, column, decl, backfill) in ADDED_COLUMNS {
        let exists: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2)",
            params![table, column],
            |r| r.get(0),
        )?;
        if !exists {
            // The column and its values together, or neither.
            let tx = conn.unchecked_transaction()?;
            tx.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {decl}"))?;
            if let Some(fill) = backfill {
                fill(&tx)?;
            }
            tx.commit()?;
        }
    }
    Ok(())
}

/// What kind of refusal (or failure) an operation ended with; the HTTP
/// layer maps each to a status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorKind {
    /// The dataset, stream, upload, ... does not exist.
    NotFound,
    /// The caller may not do this with the dataset.
    Forbidden,
    /// The arguments are not acceptable.
    Invalid,
    /// The request clashes with the current state (a committed upload, an
    /// export overtaken by a commit).
    Conflict,
    /// Another run of the same operation holds it (an AppDB export).
    Locked,
    /// The emulator's own failure (SQLite, a lost task).
    Internal,
}

/// Why an operation did not happen. Nothing was changed.
#[derive(Debug, Clone)]
pub(crate) struct StoreError {
    pub kind: ErrorKind,
    pub message: String,
}

impl StoreError {
    fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, message)
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }
    pub fn locked(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Locked, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StoreError {}

/// SQLite failures are the emulator's fault, never the caller's: limits
/// and validation keep anything a client sends from reaching SQLite in a
/// form it refuses.
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::internal(format!("storage error: {e}"))
    }
}

pub(crate) type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The SQLite database and its connections.
#[derive(Debug)]
pub(crate) struct Store {
    writer: Mutex<Connection>,
    readers: Pool,
    /// Free query slots (of `QUERY_SLOTS`).
    query_slots: Mutex<usize>,
    slot_freed: Condvar,
    query_timeout: Duration,
    max_value_bytes: usize,
    /// Every "now" of the store (timestamps, expiry) and every time limit.
    clock: Clock,
    /// Held while an AppDB export runs (`appdb::appdb_export_lock`).
    appdb_export: Mutex<()>,
    /// Counts committed writes, so watchers (the app host page's data
    /// updates) wake on any change and read what they care about.
    commits: tokio::sync::watch::Sender<u64>,
    /// A test-only row rule: an SQL condition on a row table's columns; rows
    /// that match are hidden from every read path. Simpler than a row
    /// policy, it proves `rows::visible_rows` is the one read path.
    #[cfg(test)]
    hidden_rows: Mutex<Option<String>>,
    /// The temporary directory of a store without a data directory; declared
    /// last so it is removed after every connection has closed.
    _temp: Option<TempDir>,
}

/// Reader connections, lent out one at a time.
#[derive(Debug)]
struct Pool {
    idle: Mutex<Vec<Connection>>,
    returned: Condvar,
}

/// A reader lent from the pool; it goes back when dropped.
struct Lease<'a> {
    pool: &'a Pool,
    conn: Option<Connection>,
}

impl Deref for Lease<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        // Only `drop` takes the connection out.
        self.conn.as_ref().unwrap_or_else(|| unreachable!())
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool
                .idle
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(conn);
            self.pool.returned.notify_one();
        }
    }
}

impl Pool {
    fn lease(&self) -> Lease<'_> {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(conn) = idle.pop() {
                return Lease {
                    pool: self,
                    conn: Some(conn),
                };
            }
            idle = self.returned.wait(idle).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// A query slot, given back when dropped.
struct Slot<'a>(&'a Store);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        *self.0.query_slots.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        self.0.slot_freed.notify_one();
    }
}

/// A directory removed when dropped.
#[derive(Debug)]
struct TempDir(PathBuf);

const TEMP_PREFIX: &str = "domo-emulator-";

impl TempDir {
    fn new() -> Result<Self> {
        remove_stale_temp_dirs();
        let name = users::random_name(&format!("{TEMP_PREFIX}{}-", std::process::id()))?;
        let dir = std::env::temp_dir().join(name);
        std::fs::create_dir(&dir)
            .map_err(|e| StoreError::internal(format!("cannot create {}: {e}", dir.display())))?;
        Ok(TempDir(dir))
    }
}

/// Removes the temporary databases of emulators that were killed (their
/// process is gone), which had no chance to remove their own. Where there is
/// no `/proc` to ask, nothing is removed.
fn remove_stale_temp_dirs() {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(TEMP_PREFIX)) else {
            continue;
        };
        let Some((pid, random)) = rest.split_once('-') else {
            continue;
        };
        let ours = !pid.is_empty()
            && pid.bytes().all(|b| b.is_ascii_digit())
            && random.len() == 32
            && random.bytes().all(|b| b.is_ascii_hexdigit());
        if ours && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Best effort: a leftover directory in the system's temp dir is harmless.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding the lock cannot leave a half-applied change:
    // rusqlite rolls an unfinished transaction back when it is dropped.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Creates every table that does not exist yet: this file's, then those
/// of the areas that keep their own (people and credentials, row policies).
fn create_schema(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(SCHEMA)?;
    migrate(conn)?;
    conn.execute_batch(users::SCHEMA)?;
    conn.execute_batch(people::SCHEMA)?;
    conn.execute_batch(policies::SCHEMA)?;
    conn.execute_batch(appdb::SCHEMA)
}

/// `durable`: a data directory, whose commits must survive a crash; the
/// temporary database of a store without one need not.
fn configure(conn: &Connection, durable: bool, cache_kib: i64) -> rusqlite::Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // WAL + FULL: a commit is durable once it returns, and a kill -9 at
    // any moment leaves each dataset before or after each commit.
    conn.pragma_update(None, "synchronous", if durable { "FULL" } else { "OFF" })?;
    conn.busy_timeout(Duration::from_secs(60))?;
    conn.pragma_update(None, "cache_size", -cache_kib)?;
    // Sorts and temporary b-trees of large queries spill to files rather
    // than growing the heap.
    conn.pragma_update(None, "temp_store", "FILE")?;
    // The MySQL functions of Domo's SQL that SQLite lacks.
    dialect::functions::register(conn)
}

impl Store {
    /// Opens (or creates) the database in `data_dir`, or in a temporary
    /// directory that goes with the store.
    pub fn open(data_dir: Option<&Path>) -> Result<Self> {
        let opened = |e: rusqlite::Error| StoreError::internal(e.to_string());
        let temp = match data_dir {
            Some(_) => None,
            None => Some(TempDir::new()?),
        };
        let dir = match (data_dir, &temp) {
            (Some(dir), _) => dir,
            (None, Some(t)) => t.0.as_path(),
            (None, None) => unreachable!(),
        };
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::internal(format!("cannot create {}: {e}", dir.display())))?;
        let file = dir.join("domo-emulator.sqlite3");
        let durable = data_dir.is_some();
        let open = |cache_kib: i64| -> Result<Connection> {
            let conn = Connection::open(&file).map_err(|e| {
                StoreError::internal(format!("cannot open {}: {e}", file.display()))
            })?;
            configure(&conn, durable, cache_kib).map_err(opened)?;
            Ok(conn)
        };
        let writer = open(WRITER_CACHE_KIB)?;
        create_schema(&writer).map_err(opened)?;
        let readers = (0..READERS)
            .map(|_| open(READER_CACHE_KIB))
            .collect::<Result<_>>()?;
        let mut store = Self {
            writer: Mutex::new(writer),
            readers: Pool {
                idle: Mutex::new(readers),
                returned: Condvar::new(),
            },
            query_slots: Mutex::new(QUERY_SLOTS),
            slot_freed: Condvar::new(),
            query_timeout: DEFAULT_QUERY_TIMEOUT,
            max_value_bytes: DEFAULT_MAX_VALUE_BYTES,
            clock: Clock::system(),
            appdb_export: Mutex::new(()),
            commits: tokio::sync::watch::Sender::new(0),
            #[cfg(test)]
            hidden_rows: Mutex::new(None),
            _temp: temp,
        };
        store.set_value_limit(DEFAULT_MAX_VALUE_BYTES);
        Ok(store)
    }

    /// An empty store of its own, as tests want.
    #[cfg(test)]
    pub fn in_memory() -> Self {
        match Self::open(None) {
            Ok(s) => s,
            Err(e) => panic!("a temporary store opens: {e}"),
        }
    }

    /// Sets the time limit of one SQL or `/data/v1` query.
    pub fn with_query_timeout(mut self, timeout: Duration) -> Self {
        self.query_timeout = timeout;
        self
    }

    /// Sets the clock every timestamp, expiry and time limit reads.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The store's clock.
    pub(crate) fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Now on the store's clock, in milliseconds since 1970-01-01 UTC: THE
    /// "now" of every operation (created and updated times, expiry, SQL's
    /// `NOW()`); nothing in the store reads the system clock itself.
    pub(crate) fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Sets the largest string, blob or row SQLite may make
    /// (`SQLITE_LIMIT_LENGTH`) on every reader, where queries run. The
    /// writer keeps SQLite's default: it stores upload parts, each up to
    /// `--max-body-bytes`, as one blob.
    pub fn with_max_value_bytes(mut self, bytes: usize) -> Self {
        self.set_value_limit(bytes);
        self
    }

    fn set_value_limit(&mut self, bytes: usize) {
        let limit = i32::try_from(bytes).unwrap_or(i32::MAX);
        let idle = self
            .readers
            .idle
            .get_mut()
            .unwrap_or_else(|p| p.into_inner());
        for conn in idle.iter() {
            let _ = conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, limit);
        }
        // SQLite clamps the value to its compile-time maximum; what it took
        // is read back so messages name the real limit.
        self.max_value_bytes = idle
            .first()
            .and_then(|c| c.limit(Limit::SQLITE_LIMIT_LENGTH).ok())
            .map_or(bytes, |n| n.max(1) as usize);
    }

    /// The time limit of one query.
    pub(crate) fn query_timeout(&self) -> Duration {
        self.query_timeout
    }

    /// Test hook: hide every row matching `condition` (SQL over the row
    /// table's columns) from every read path.
    #[cfg(test)]
    pub fn hide_rows_where(&self, condition: &str) {
        *self.hidden_rows.lock().unwrap_or_else(|p| p.into_inner()) = Some(condition.to_owned());
    }

    /// Runs a read operation in one transaction, so every statement of it
    /// sees the same committed state.
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.readers.lease();
        let tx = conn.unchecked_transaction()?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// `read` for an operation that may run long (a query, a page of rows):
    /// it waits for a query slot first, so the readers it cannot take stay
    /// free for short reads.
    fn read_long<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let _slot = self.query_slot();
        self.read(f)
    }

    fn query_slot(&self) -> Slot<'_> {
        let mut free = self.query_slots.lock().unwrap_or_else(|p| p.into_inner());
        while *free == 0 {
            free = self
                .slot_freed
                .wait(free)
                .unwrap_or_else(|p| p.into_inner());
        }
        *free -= 1;
        Slot(self)
    }

    /// Runs a write operation in one IMMEDIATE transaction: it commits
    /// whole when `f` succeeds and changes nothing when it fails.
    fn write<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        self.commits.send_modify(|n| *n = n.wrapping_add(1));
        Ok(out)
    }

    /// Wakes on every committed write (see `commits`).
    pub(crate) fn watch_commits(&self) -> tokio::sync::watch::Receiver<u64> {
        self.commits.subscribe()
    }

    /// The rows' generation of each dataset id (bumped by every change to
    /// its rows: each upload commit, stream load, append, partition delete,
    /// AppDB export), `None` for one that does not exist.
    pub(crate) fn row_generations(&self, ids: &[String]) -> Result<Vec<Option<i64>>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached("SELECT generation FROM datasets WHERE id = ?")?;
            ids.iter()
                .map(|id| Ok(stmt.query_row([id], |r| r.get(0)).optional()?))
                .collect()
        })
    }

    /// Runs a blocking operation on tokio's blocking pool, for async callers:
    /// `store.run(move |s| s.get_dataset(user, &id)).await`.
    pub async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        op: impl FnOnce(&Store) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let store = Arc::clone(self);
        tokio::task::spawn_blocking(move || op(&store))
            .await
            .map_err(|e| StoreError::internal(format!("storage task failed: {e}")))?
    }
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// An SQL string literal. Row rules are written into views (which cannot
/// take bound parameters), so their values are literals quoted here.
fn sql_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

fn row_table(pk: i64) -> String {
    format!("ds_{pk}")
}

/// Whether a name read by a query is something stored in the database
/// (metadata, another dataset's rows, SQLite's schema or pragma tables)
/// rather than a CTE or subquery of the query. Decided by name rather than
/// by listing the schema, so a dataset created while the query is being
/// prepared is covered too. A custom app's aliases may not be such a name.
pub(crate) fn is_stored_table(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if METADATA_TABLES.contains(&lower.as_str())
        || users::TABLES.contains(&lower.as_str())
        || policies::TABLES.contains(&lower.as_str())
        || people::TABLES.contains(&lower.as_str())
        || appdb::TABLES.contains(&lower.as_str())
        || lower.starts_with("sqlite_")
        || lower.starts_with("pragma_")
    {
        return true;
    }
    lower
        .strip_prefix("ds_")
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
}

/// `offset` and `limit` of a listing as SQLite takes them.
fn sql_page(offset: u64, limit: u64) -> (i64, i64) {
    (
        i64::try_from(offset).unwrap_or(i64::MAX),
        i64::try_from(limit).unwrap_or(i64::MAX),
    )
}

/// Integer ids arrive as path text; one that is not a number names nothing.
fn parse_id(kind: &str, raw: &str) -> Result<i64> {
    raw.trim().parse::<i64>().map_err(|_| {
        StoreError::not_found(format!(
            "{kind} {raw} does not exist ({kind} ids are integers)"
        ))
    })
}

/// A dataset column.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Column {
    pub name: String,
    pub ty: ColumnType,
    /// Part of the upsert key: an APPEND replaces the stored row whose key
    /// columns all equal the new row's.
    pub upsert_key: bool,
}

#[cfg(test)]
impl Column {
    pub fn new(name: impl Into<String>, ty: ColumnType) -> Self {
        Self {
            name: name.into(),
            ty,
            upsert_key: false,
        }
    }
}

/// A dataset owner, as datasets and streams report it: named by the
/// registry (`users::display_name`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Owner {
    pub id: UserId,
    pub name: String,
}

/// A dataset as the operations see it (with its storage key).
#[derive(Debug, Clone)]
struct Dataset {
    pk: i64,
    id: String,
    name: String,
    description: String,
    owner_id: UserId,
    row_count: i64,
    created_ms: i64,
    last_touched_ms: i64,
    last_updated_ms: i64,
    tags: String,
    generation: i64,
    display_type: String,
    columns: Vec<Column>,
}

impl Dataset {
    /// The quoted name of the row table. Reads of rows never use it
    /// directly: they select from `rows::visible_rows`.
    fn table(&self) -> String {
        quote_ident(&row_table(self.pk))
    }

    /// The owner, named as the registry names them.
    fn owner(&self, conn: &Connection) -> Result<Owner> {
        Ok(Owner {
            id: self.owner_id,
            name: users::display_name(conn, self.owner_id)?,
        })
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

/// What an operation is about to do with a dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    Read,
    Write,
    Share,
    Delete,
}

fn load_columns(conn: &Connection, pk: i64) -> Result<Vec<Column>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, type, upsert_key FROM columns WHERE dataset_pk = ? ORDER BY position",
    )?;
    let rows = stmt.query_map([pk], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, bool>(2)?,
        ))
    })?;
    let mut cols = Vec::new();
    for row in rows {
        let (name, ty, upsert_key) = row?;
        let ty = ColumnType::parse(&ty)
            .ok_or_else(|| StoreError::internal(format!("stored column type {ty} is unknown")))?;
        cols.push(Column {
            name,
            ty,
            upsert_key,
        });
    }
    Ok(cols)
}

fn find_dataset(conn: &Connection, id: &str) -> Result<Option<Dataset>> {
    let row = conn
        .prepare_cached(
            "SELECT pk, id, name, description, owner_id, row_count, created_ms, last_touched_ms,
                    last_updated_ms, tags, generation, display_type FROM datasets WHERE id = ?",
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
                display_type: r.get(11)?,
                columns: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut ds) = row else { return Ok(None) };
    ds.columns = load_columns(conn, ds.pk)?;
    Ok(Some(ds))
}

fn access_level(conn: &Connection, pk: i64, user: UserId) -> Result<Option<AccessLevel>> {
    let level: Option<String> = conn
        .prepare_cached(
            "SELECT access_level FROM permissions
             WHERE dataset_pk = ? AND principal_type = 'USER' AND principal_id = ?",
        )?
        .query_row(params![pk, user.to_string()], |r| r.get(0))
        .optional()?;
    Ok(level.as_deref().and_then(AccessLevel::parse))
}

/// The access check: 403 unless `user` may do `need` with `ds`.
fn authorize(conn: &Connection, ds: &Dataset, user: UserId, need: Need) -> Result<()> {
    if users::is_admin(conn, user)? {
        return Ok(());
    }
    let Some(level) = access_level(conn, ds.pk, user)? else {
        return Err(StoreError::forbidden(format!(
            "user {user} has no access to dataset {}",
            ds.id
        )));
    };
    use AccessLevel::*;
    let allowed = match need {
        Need::Read => true,
        Need::Write => matches!(level, Owner | CoOwner | CanEdit),
        Need::Share => matches!(level, Owner | CoOwner | CanShare),
        Need::Delete => matches!(level, Owner | CoOwner),
    };
    if allowed {
        Ok(())
    } else {
        let what = match need {
            Need::Read => "read",
            Need::Write => "change the data or settings of",
            Need::Share => "share",
            Need::Delete => "delete",
        };
        Err(StoreError::forbidden(format!(
            "user {user} has access level {} on dataset {}, which does not allow them to {what} it",
            level.as_str(),
            ds.id
        )))
    }
}

/// The lookup every dataset operation starts with: 404 if unknown, 403 if
/// the caller may not do `need` with it.
fn open_dataset(conn: &Connection, id: &str, user: UserId, need: Need) -> Result<Dataset> {
    let Some(ds) = find_dataset(conn, id)? else {
        return Err(dataset_not_found(conn, id)?);
    };
    authorize(conn, &ds, user, need)?;
    Ok(ds)
}

/// The 404 for a dataset id that names nothing: says so when it was deleted.
fn dataset_not_found(conn: &Connection, id: &str) -> Result<StoreError> {
    let deleted: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM deleted_datasets WHERE id = ?)")?
        .query_row([id], |r| r.get(0))?;
    Ok(StoreError::not_found(if deleted {
        format!("dataset {id} does not exist: it was deleted")
    } else {
        format!("dataset {id} does not exist")
    }))
}

/// Creates a row table for a schema (with the hidden partition column).
fn create_row_table(conn: &Connection, table: &str, columns: &[Column]) -> Result<()> {
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

/// The id of the stream that feeds a dataset, if one does.
fn stream_id_of(conn: &Connection, pk: i64) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM streams WHERE dataset_pk = ?")?
        .query_row([pk], |r| r.get(0))
        .optional()?)
}

/// Records that a dataset's settings changed (tags, permissions, stream).
fn touch(conn: &Connection, pk: i64, now: i64) -> Result<()> {
    conn.execute(
        "UPDATE datasets SET last_touched_ms = ? WHERE pk = ?",
        params![now, pk],
    )?;
    Ok(())
}

/// Records that a dataset's rows changed: row count, both timestamps and
/// the generation (which aborts exports running over the old rows).
fn touch_rows(conn: &Connection, pk: i64, row_delta: i64, now: i64) -> Result<()> {
    conn.execute(
        "UPDATE datasets SET row_count = row_count + ?, last_touched_ms = ?, last_updated_ms = ?,
                generation = generation + 1 WHERE pk = ?",
        params![row_delta, now, now, pk],
    )?;
    Ok(())
}
