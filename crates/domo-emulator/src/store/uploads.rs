//! The three-stage CSV upload (`StartUpload`, `UploadPart`,
//! `CommitUpload`) and `AppendRow`, and THE commit of staged parts
//! (`apply_upload`) that stream executions use too.
//!
//! A commit parses every staged part inside one transaction: any bad row
//! aborts it, so a failed commit changes nothing and a successful one lands
//! rows, counts, data version, partition bookkeeping and the upload's
//! committed mark together. A REPLACE of nothing must be explicit (one
//! empty part): a commit with no parts never empties a dataset. When the
//! schema has upsert key columns every row is an upsert (`Ingest`).

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Statement, params};

use super::scales::{self, Change, Noted};
use super::versions::{record_version, set_duration};
use super::{
    Dataset, Need, PARTITION_COLUMN, Result, Store, StoreError, UserId, open_dataset, parse_id,
    quote_ident, touch_rows,
};
use crate::clock::Clock;
use crate::csvio::{self, CsvReader, Record};
use crate::limits::MAX_PARTITIONS;

/// What a commit does with the dataset's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Append,
    Replace,
}

impl Action {
    /// `APPEND` or `REPLACE`; the message names `field`.
    pub fn parse(field: &str, a: &str) -> Result<Self> {
        match a {
            "APPEND" => Ok(Self::Append),
            "REPLACE" => Ok(Self::Replace),
            other => Err(StoreError::invalid(format!(
                "{field} must be APPEND or REPLACE, got `{other}`"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Append => "APPEND",
            Self::Replace => "REPLACE",
        }
    }
}

/// A started upload.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct UploadStarted {
    pub dataset_id: String,
    pub upload_id: i64,
    pub requested_ms: i64,
}

/// A staged part.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PartStored {
    pub upload_id: i64,
    pub part_no: i64,
    pub size_bytes: i64,
}

/// What a commit asks for; each falls back to what the upload was started with.
#[derive(Debug, Clone, Default)]
pub(crate) struct Commit {
    /// As sent: APPEND or REPLACE.
    pub action: Option<String>,
    pub data_tag: Option<String>,
}

/// A committed upload.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Committed {
    pub dataset_id: String,
    pub upload_id: i64,
    pub version_id: i64,
    pub rows: i64,
}

fn normalize_tag(tag: Option<String>) -> Option<String> {
    tag.filter(|t| !t.trim().is_empty())
}

#[derive(Debug)]
struct Upload {
    id: i64,
    action: Option<String>,
    data_tag: Option<String>,
}

/// The upload, which must belong to this dataset (else 404) and still be open (else 409).
fn open_upload(conn: &Connection, ds: &Dataset, raw_id: &str) -> Result<Upload> {
    let uid = parse_id("upload", raw_id)?;
    let (upload, committed, version) = conn
        .query_row(
            "SELECT id, action, data_tag, committed, data_version_id FROM uploads WHERE id = ? AND dataset_pk = ?",
            params![uid, ds.pk],
            |r| {
                Ok((
                    Upload {
                        id: r.get(0)?,
                        action: r.get(1)?,
                        data_tag: r.get(2)?,
                    },
                    r.get::<_, bool>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                ))
            },
        )
        .optional()?
        .ok_or_else(|| StoreError::not_found(format!("upload {uid} does not exist on dataset {}", ds.id)))?;
    if committed {
        return Err(StoreError::conflict(format!(
            "upload {uid} was already committed (data version {}); start a new upload to send more data",
            version.unwrap_or_default()
        )));
    }
    Ok(upload)
}

/// Inserts parsed rows into a dataset's row table with one prepared
/// statement. When the dataset has upsert key columns every row is an
/// upsert: the stored row with the same key (an earlier row of the same
/// upload included) is deleted first, so within a load, in part order
/// then row order, the last row with a key wins.
struct Ingest<'c> {
    ds: &'c Dataset,
    stmt: Statement<'c>,
    /// The delete of the stored row with a key, and the key's column indexes.
    upsert: Option<(Statement<'c>, Vec<usize>)>,
    record: Record,
    values: Vec<SqlValue>,
    /// Stored rows an upsert replaced.
    replaced: i64,
    /// The scales of the DECIMAL values inserted.
    noted: Noted,
}

impl<'c> Ingest<'c> {
    fn new(conn: &'c Connection, ds: &'c Dataset) -> Result<Self> {
        let mut names: Vec<String> = ds.columns.iter().map(|c| quote_ident(&c.name)).collect();
        names.push(quote_ident(PARTITION_COLUMN));
        let marks = vec!["?"; names.len()].join(", ");
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({marks})",
            ds.table(),
            names.join(", ")
        );
        let keys: Vec<usize> = (0..ds.columns.len())
            .filter(|i| ds.columns[*i].upsert_key)
            .collect();
        let upsert = if keys.is_empty() {
            None
        } else {
            let test: Vec<String> = keys
                .iter()
                .map(|i| format!("{} IS ?", quote_ident(&ds.columns[*i].name)))
                .collect();
            let delete = format!("DELETE FROM {} WHERE {}", ds.table(), test.join(" AND "));
            Some((conn.prepare(&delete)?, keys))
        };
        Ok(Self {
            ds,
            stmt: conn.prepare(&sql)?,
            upsert,
            record: Record::default(),
            values: Vec::with_capacity(ds.columns.len()),
            replaced: 0,
            noted: Noted::new(&ds.columns),
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
    ) -> Result<i64> {
        let cols = &self.ds.columns;
        let mut reader = CsvReader::new(data, delimiter);
        let mut row = 0i64;
        let place = |row: i64| match part {
            Some(p) => format!("part {p}, row {row}"),
            None => format!("values, row {row}"),
        };
        loop {
            let more = reader.next_record(&mut self.record).map_err(|e| {
                StoreError::invalid(format!("{}: invalid CSV: {e}", place(row + 1)))
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
                return Err(StoreError::invalid(format!(
                    "{}: has {} values, expected {} (columns: {})",
                    place(row),
                    rec.field_count(),
                    cols.len(),
                    names.join(", ")
                )));
            }
            self.values.clear();
            for (i, col) in cols.iter().enumerate() {
                let Some((bytes, quoted)) = rec.field(i) else {
                    return Err(StoreError::internal("record shorter than its length"));
                };
                let text = std::str::from_utf8(bytes).map_err(|_| {
                    StoreError::invalid(format!(
                        "{}, column `{}`: value is not valid UTF-8",
                        place(row),
                        col.name
                    ))
                })?;
                let value = csvio::parse_value(col.ty, text, quoted).map_err(|e| {
                    StoreError::invalid(format!("{}, column `{}`: {e}", place(row), col.name))
                })?;
                self.noted.note(i, col.ty, &value);
                self.values.push(value);
            }
            if let Some((delete, keys)) = &mut self.upsert {
                for (n, k) in keys.iter().enumerate() {
                    let v = &self.values[*k];
                    if matches!(v, SqlValue::Null) || matches!(v, SqlValue::Text(t) if t.is_empty())
                    {
                        return Err(StoreError::invalid(format!(
                            "{}, column `{}`: the upsert key is empty; every row of a dataset with upsert key columns needs a value in each of them",
                            place(row),
                            cols[*k].name
                        )));
                    }
                    delete.raw_bind_parameter(n + 1, v)?;
                }
                self.replaced += delete.raw_execute()? as i64;
            }
            for (i, v) in self.values.iter().enumerate() {
                self.stmt.raw_bind_parameter(i + 1, v)?;
            }
            self.stmt.raw_bind_parameter(cols.len() + 1, tag)?;
            self.stmt.raw_execute()?;
        }
        Ok(row)
    }
}

/// What a load does with the stored rows: v3 commits say APPEND or
/// REPLACE, a stream's `updateMethod` may also say UPSERT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Load {
    Append,
    Replace,
    /// An APPEND that needs upsert key columns (which make every APPEND
    /// an upsert anyway).
    Upsert,
}

impl Load {
    fn as_str(self) -> &'static str {
        match self {
            Self::Append => "APPEND",
            Self::Replace => "REPLACE",
            Self::Upsert => "UPSERT",
        }
    }
}

/// The staged part numbers of an upload, checked to be 1..n without gaps,
/// or 0..n-1 (the public API's stream executions may start at 0, as
/// pydomo does; the other routes refuse part 0 before it is staged).
pub(super) fn staged_parts(conn: &Connection, upload_id: i64) -> Result<Vec<i64>> {
    let parts: Vec<i64> = conn
        .prepare("SELECT part_no FROM upload_parts WHERE upload_id = ? ORDER BY part_no")?
        .query_map([upload_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let first = if parts.first() == Some(&0) { 0 } else { 1 };
    for (i, p) in parts.iter().enumerate() {
        let expected = i as i64 + first;
        if *p != expected {
            let received: Vec<String> = parts.iter().map(i64::to_string).collect();
            return Err(StoreError::invalid(format!(
                "part {expected} is missing: parts must be numbered {first}..{} without gaps (received parts: {})",
                parts.len() as i64 - 1 + first,
                received.join(", ")
            )));
        }
    }
    Ok(parts)
}

/// What a load landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Loaded {
    pub version_id: i64,
    /// Rows the upload held (every row received, before an upsert folds
    /// rows with the same key together): what the client sent.
    pub rows: i64,
    pub size_bytes: i64,
}

/// What refuses a load before any row is read: UPSERT without key
/// columns, a REPLACE of nothing, a partition over the limit. The client
/// can fix each and commit the same upload again.
pub(super) fn check_load(
    conn: &Connection,
    ds: &Dataset,
    upload_id: i64,
    parts: &[i64],
    load: Load,
    tag: Option<&str>,
) -> Result<()> {
    if load == Load::Upsert && !ds.columns.iter().any(|c| c.upsert_key) {
        return Err(StoreError::invalid(format!(
            "UPSERT needs upsert key columns, and dataset {} has none; mark them with POST /api/data/v2/datasources/{}/schemas (\"upsertKey\": true)",
            ds.id, ds.id
        )));
    }
    if load == Load::Replace && parts.is_empty() {
        let what = match tag {
            Some(tag) => format!("partition `{tag}` of dataset {}", ds.id),
            None => format!("dataset {}", ds.id),
        };
        return Err(StoreError::invalid(format!(
            "upload {upload_id} has no parts, so this REPLACE would empty {what}; an empty REPLACE must be explicit: send one empty part (part 1 with an empty body), then commit again"
        )));
    }
    if let Some(tag) = tag {
        let (known, count): (bool, i64) = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM partitions WHERE dataset_pk = ?1 AND tag = ?2),
                    (SELECT COUNT(*) FROM partitions WHERE dataset_pk = ?1)",
            params![ds.pk, tag],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if !known && count >= MAX_PARTITIONS {
            return Err(StoreError::invalid(format!(
                "dataset {} already has {count} partitions, the most allowed ({MAX_PARTITIONS}); delete one before adding partition `{tag}`",
                ds.id
            )));
        }
    }

    Ok(())
}

/// THE commit of staged parts, for v3 uploads and stream executions: parses
/// every part in order and applies it with `load`, records the data
/// version and drops the staged bytes. Any refusal leaves the rows as
/// they were (the caller's transaction rolls back).
pub(super) fn apply_upload(
    conn: &Connection,
    ds: &Dataset,
    upload_id: i64,
    parts: &[i64],
    load: Load,
    tag: Option<&str>,
    clock: &Clock,
) -> Result<Loaded> {
    let started = clock.now_ms();
    check_load(conn, ds, upload_id, parts, load, tag)?;
    let keyed = ds.columns.iter().any(|c| c.upsert_key);

    let mut removed = 0i64;
    if load == Load::Replace {
        match tag {
            Some(tag) => {
                removed = conn.execute(
                    &format!(
                        "DELETE FROM {} WHERE {} = ?",
                        ds.table(),
                        quote_ident(PARTITION_COLUMN)
                    ),
                    [tag],
                )? as i64;
            }
            None => {
                removed = conn.execute(&format!("DELETE FROM {}", ds.table()), [])? as i64;
                // Every row is gone, so every partition is too.
                conn.execute("DELETE FROM partitions WHERE dataset_pk = ?", [ds.pk])?;
            }
        }
    }
    let mut received = 0i64;
    let mut size = 0i64;
    let (replaced, noted);
    {
        let mut ingest = Ingest::new(conn, ds)?;
        let mut fetch =
            conn.prepare("SELECT data FROM upload_parts WHERE upload_id = ? AND part_no = ?")?;
        for p in parts {
            let data: Vec<u8> = fetch.query_row(params![upload_id, p], |r| r.get(0))?;
            size += data.len() as i64;
            received += ingest.part(Some(*p), &data, b',', tag)?;
        }
        (replaced, noted) = (ingest.replaced, ingest.noted);
    }
    // Rows an upsert replaced (even rows of this load) may have set the
    // scale; a replaced partition too.
    let change = if replaced > 0 || (tag.is_some() && removed > 0) {
        Change::Removed
    } else if load == Load::Replace && tag.is_none() {
        Change::ReplacedAll
    } else {
        Change::Added
    };
    scales::after_write(conn, ds, &noted, change)?;
    let action = if keyed && load != Load::Replace {
        Load::Upsert
    } else {
        load
    };
    let version = record_version(
        conn,
        ds,
        action.as_str(),
        tag,
        received,
        size,
        started..clock.now_ms(),
    )?;
    if replaced > 0 {
        // An upsert may replace rows of other partitions.
        recount_partitions(conn, ds)?;
    }
    touch_rows(conn, ds.pk, received - replaced - removed, clock.now_ms())?;
    conn.execute(
        "UPDATE uploads SET committed = 1, data_version_id = ? WHERE id = ?",
        params![version, upload_id],
    )?;
    // The staged bytes are now rows; keeping them would double the storage.
    conn.execute("DELETE FROM upload_parts WHERE upload_id = ?", [upload_id])?;
    set_duration(conn, ds, version, (clock.now_ms() - started) / 1000)?;
    Ok(Loaded {
        version_id: version,
        rows: received,
        size_bytes: size,
    })
}

fn recount_partitions(conn: &Connection, ds: &Dataset) -> Result<()> {
    conn.execute(
        &format!(
            "UPDATE partitions SET row_count = (SELECT COUNT(*) FROM {} WHERE {} = partitions.tag)
             WHERE dataset_pk = ?",
            ds.table(),
            quote_ident(PARTITION_COLUMN)
        ),
        [ds.pk],
    )?;
    Ok(())
}

impl Store {
    /// Starts an upload; `action` and `data_tag` are defaults for its commit.
    pub(crate) fn start_upload(
        &self,
        user: UserId,
        id: &str,
        action: Option<Action>,
        data_tag: Option<String>,
    ) -> Result<UploadStarted> {
        let tag = normalize_tag(data_tag);
        self.write(|conn| {
            let ds = open_dataset(conn, id, user, Need::Write)?;
            let now = self.now_ms();
            conn.execute(
                "INSERT INTO uploads (dataset_pk, action, data_tag, requested_ms) VALUES (?, ?, ?, ?)",
                params![ds.pk, action.map(Action::as_str), tag, now],
            )?;
            Ok(UploadStarted {
                dataset_id: ds.id,
                upload_id: conn.last_insert_rowid(),
                requested_ms: now,
            })
        })
    }

    /// Appends exactly one row, given as one CSV record, as its own version.
    pub(crate) fn append_row(
        &self,
        user: UserId,
        id: &str,
        values: &str,
        delimiter: u8,
    ) -> Result<()> {
        let values = values.trim_end_matches(['\r', '\n']).as_bytes();
        self.write(|conn| {
            let ds = open_dataset(conn, id, user, Need::Write)?;
            let started = self.now_ms();
            let mut ingest = Ingest::new(conn, &ds)?;
            let n = ingest.part(None, values, delimiter, None)?;
            if n != 1 {
                return Err(StoreError::invalid(format!(
                    "values must hold exactly one row, found {n}"
                )));
            }
            let replaced = ingest.replaced;
            let change = if replaced > 0 {
                Change::Removed
            } else {
                Change::Added
            };
            scales::after_write(conn, &ds, &ingest.noted, change)?;
            drop(ingest);
            let action = if replaced > 0 || ds.columns.iter().any(|c| c.upsert_key) {
                Load::Upsert
            } else {
                Load::Append
            };
            record_version(
                conn,
                &ds,
                action.as_str(),
                None,
                1,
                values.len() as i64,
                started..self.now_ms(),
            )?;
            if replaced > 0 {
                recount_partitions(conn, &ds)?;
            }
            touch_rows(conn, ds.pk, 1 - replaced, self.now_ms())
        })
    }

    /// Stages (or replaces) part `part_no` of an open upload.
    pub(crate) fn upload_part(
        &self,
        user: UserId,
        id: &str,
        upload_id: &str,
        part_no: i64,
        data: Vec<u8>,
    ) -> Result<PartStored> {
        let size_bytes = data.len() as i64;
        self.write(|conn| {
            let ds = open_dataset(conn, id, user, Need::Write)?;
            let upload = open_upload(conn, &ds, upload_id)?;
            conn.execute(
                "INSERT OR REPLACE INTO upload_parts (upload_id, part_no, data) VALUES (?, ?, ?)",
                params![upload.id, part_no, data],
            )?;
            Ok(PartStored {
                upload_id: upload.id,
                part_no,
                size_bytes,
            })
        })
    }

    /// Commits an upload: parts 1..n, contiguous, parsed and applied whole.
    pub(crate) fn commit_upload(
        &self,
        user: UserId,
        id: &str,
        upload_id: &str,
        commit: Commit,
    ) -> Result<Committed> {
        self.write(|conn| {
            let ds = open_dataset(conn, id, user, Need::Write)?;
            let upload = open_upload(conn, &ds, upload_id)?;
            let action = match commit.action.as_deref().or(upload.action.as_deref()) {
                Some(a) => Action::parse("action", a)?,
                None => {
                    return Err(StoreError::invalid("action is required: APPEND or REPLACE"));
                }
            };
            let tag = normalize_tag(commit.data_tag).or(upload.data_tag.clone());
            let parts = staged_parts(conn, upload.id)?;
            let load = match action {
                Action::Append => Load::Append,
                Action::Replace => Load::Replace,
            };
            let done = apply_upload(
                conn,
                &ds,
                upload.id,
                &parts,
                load,
                tag.as_deref(),
                self.clock(),
            )?;
            Ok(Committed {
                dataset_id: ds.id,
                upload_id: upload.id,
                version_id: done.version_id,
                rows: done.rows,
            })
        })
    }
}
