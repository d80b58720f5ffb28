//! The three-stage CSV upload (`StartUpload`, `UploadPart`,
//! `CommitUpload`) and `AppendRow`.
//!
//! A commit parses every staged part inside one transaction: any bad row
//! aborts it, so a failed commit changes nothing and a successful one lands
//! rows, counts, data version, partition bookkeeping and the upload's
//! committed mark together. A REPLACE of nothing must be explicit (one
//! empty part): a commit with no parts never empties a dataset.

use std::time::Instant;

use rusqlite::{Connection, OptionalExtension, Statement, params};

use super::versions::{record_version, set_duration};
use super::{
    Dataset, Need, PARTITION_COLUMN, Result, Store, StoreError, UserId, now_ms, open_dataset,
    parse_id, quote_ident, touch_rows,
};
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

/// Inserts parsed rows into a dataset's row table with one prepared statement.
struct Ingest<'c> {
    ds: &'c Dataset,
    stmt: Statement<'c>,
    record: Record,
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
                self.stmt.raw_bind_parameter(i + 1, value)?;
            }
            self.stmt.raw_bind_parameter(cols.len() + 1, tag)?;
            self.stmt.raw_execute()?;
        }
        Ok(row)
    }
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
            let now = now_ms();
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
            let started = now_ms();
            let n = Ingest::new(conn, &ds)?.part(None, values, delimiter, None)?;
            if n != 1 {
                return Err(StoreError::invalid(format!(
                    "values must hold exactly one row, found {n}"
                )));
            }
            record_version(conn, &ds, "APPEND", None, 1, values.len() as i64, started)?;
            touch_rows(conn, ds.pk, 1, now_ms())
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
            let started = now_ms();
            let clock = Instant::now();
            let ds = open_dataset(conn, id, user, Need::Write)?;
            let upload = open_upload(conn, &ds, upload_id)?;
            let action = match commit.action.as_deref().or(upload.action.as_deref()) {
                Some(a) => Action::parse("action", a)?,
                None => {
                    return Err(StoreError::invalid(
                        "action is required: APPEND or REPLACE",
                    ));
                }
            };
            let tag = normalize_tag(commit.data_tag).or(upload.data_tag.clone());

            let parts: Vec<i64> = conn
                .prepare("SELECT part_no FROM upload_parts WHERE upload_id = ? ORDER BY part_no")?
                .query_map([upload.id], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            for (i, p) in parts.iter().enumerate() {
                let expected = i as i64 + 1;
                if *p != expected {
                    let received: Vec<String> = parts.iter().map(i64::to_string).collect();
                    return Err(StoreError::invalid(format!(
                        "part {expected} is missing: parts must be numbered 1..{} without gaps (received parts: {})",
                        parts.len(),
                        received.join(", ")
                    )));
                }
            }
            if action == Action::Replace && parts.is_empty() {
                let what = match &tag {
                    Some(tag) => format!("partition `{tag}` of dataset {}", ds.id),
                    None => format!("dataset {}", ds.id),
                };
                return Err(StoreError::invalid(format!(
                    "upload {} has no parts, so this REPLACE would empty {what}; an empty REPLACE must be explicit: send one empty part (PUT .../uploads/{}/parts/1 with an empty body), then commit again",
                    upload.id, upload.id
                )));
            }
            if let Some(tag) = &tag {
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

            let mut removed = 0i64;
            if action == Action::Replace {
                match &tag {
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
            let mut added = 0i64;
            let mut size = 0i64;
            {
                let mut ingest = Ingest::new(conn, &ds)?;
                let mut fetch = conn
                    .prepare("SELECT data FROM upload_parts WHERE upload_id = ? AND part_no = ?")?;
                for p in &parts {
                    let data: Vec<u8> = fetch.query_row(params![upload.id, p], |r| r.get(0))?;
                    size += data.len() as i64;
                    added += ingest.part(Some(*p), &data, b',', tag.as_deref())?;
                }
            }
            let version =
                record_version(conn, &ds, action.as_str(), tag.as_deref(), added, size, started)?;
            touch_rows(conn, ds.pk, added - removed, now_ms())?;
            conn.execute(
                "UPDATE uploads SET committed = 1, data_version_id = ? WHERE id = ?",
                params![version, upload.id],
            )?;
            // The staged bytes are now rows; keeping them would double the storage.
            conn.execute("DELETE FROM upload_parts WHERE upload_id = ?", [upload.id])?;
            set_duration(conn, &ds, version, clock.elapsed().as_secs() as i64)?;
            Ok(Committed {
                dataset_id: ds.id,
                upload_id: upload.id,
                version_id: version,
                rows: added,
            })
        })
    }
}
