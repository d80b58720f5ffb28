//! Data versions: one per commit (`ListDataVersions`), and the
//! bookkeeping a commit records with its version (partition row counts).

use rusqlite::{Connection, params};

use super::{Dataset, Need, PARTITION_COLUMN, Result, Store, UserId, open_dataset, quote_ident};

/// One data version.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DataVersion {
    pub version_id: i64,
    /// `SUCCESS`, or `DELETED` once its partition's data was deleted.
    pub status: String,
    pub recorded_ms: i64,
    pub completed_ms: i64,
    pub duration_s: i64,
    /// `None` (null) for a caller under a row policy: see `list_data_versions`.
    pub size_bytes: Option<i64>,
    /// The rows the commit's upload held (what the client sent), not the
    /// dataset's total after it: a client compares it with the rows it
    /// sent. An upsert that folds rows with the same key still counts each.
    /// `None` (null) for a caller under a row policy.
    pub row_count: Option<i64>,
    /// `APPEND`, `REPLACE`, or `UPSERT` for an append to a keyed dataset.
    pub action: String,
    pub data_tag: Option<String>,
}

/// A dataset's versions, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DataVersions {
    pub dataset_id: String,
    pub versions: Vec<DataVersion>,
}

impl Store {
    /// A caller whose rows a policy filters cannot be told how many rows
    /// each version holds: versions are not split by row, and the stored
    /// counts would reveal the hidden rows. Their `rowCount` and
    /// `sizeBytes` are null; the dataset's `rowCount` and partition counts
    /// give them their own counts.
    pub(crate) fn list_data_versions(&self, user: UserId, id: &str) -> Result<DataVersions> {
        self.read(|conn| {
            let ds = open_dataset(conn, id, user, Need::Read)?;
            let withheld = self.visible_partition_counts(conn, &ds, user)?.is_some();
            let mut stmt = conn.prepare(
                "SELECT version_id, status, recorded_ms, completed_ms, duration_s, size_bytes, row_count,
                        action, data_tag
                 FROM data_versions WHERE dataset_pk = ? ORDER BY version_id",
            )?;
            let versions = stmt
                .query_map([ds.pk], |r| {
                    Ok(DataVersion {
                        version_id: r.get(0)?,
                        status: r.get(1)?,
                        recorded_ms: r.get(2)?,
                        completed_ms: r.get(3)?,
                        duration_s: r.get(4)?,
                        size_bytes: (!withheld).then(|| r.get(5)).transpose()?,
                        row_count: (!withheld).then(|| r.get(6)).transpose()?,
                        action: r.get(7)?,
                        data_tag: r.get(8)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(DataVersions {
                dataset_id: ds.id,
                versions,
            })
        })
    }
}

/// Reserves the next data version id of a dataset.
fn next_version(conn: &Connection, pk: i64) -> Result<i64> {
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

/// Records a commit's data version (begun and done at the times of
/// `span`, ms) and, for a tagged commit, its partition's new row count;
/// returns the version id.
pub(super) fn record_version(
    conn: &Connection,
    ds: &Dataset,
    action: &str,
    tag: Option<&str>,
    rows: i64,
    size: i64,
    span: std::ops::Range<i64>,
) -> Result<i64> {
    let (started_ms, done) = (span.start, span.end);
    let version = next_version(conn, ds.pk)?;
    conn.execute(
        "INSERT INTO data_versions (dataset_pk, version_id, status, recorded_ms, completed_ms, duration_s,
                                    size_bytes, row_count, action, data_tag)
         VALUES (?, ?, 'SUCCESS', ?, ?, ?, ?, ?, ?, ?)",
        params![ds.pk, version, started_ms, done, (done - started_ms) / 1000, size, rows, action, tag],
    )?;
    if let Some(tag) = tag {
        let count: i64 = conn.query_row(
            &format!(
                "SELECT COUNT(*) FROM {} WHERE {} = ?",
                ds.table(),
                quote_ident(PARTITION_COLUMN)
            ),
            [tag],
            |r| r.get(0),
        )?;
        conn.execute(
            "INSERT INTO partitions (dataset_pk, tag, row_count, data_version_id, date_completed_ms)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (dataset_pk, tag) DO UPDATE SET row_count = excluded.row_count,
                 data_version_id = excluded.data_version_id, date_completed_ms = excluded.date_completed_ms",
            params![ds.pk, tag, count, version, done],
        )?;
    }
    Ok(version)
}

/// Sets how long a commit took, once it is known.
pub(super) fn set_duration(conn: &Connection, ds: &Dataset, version: i64, secs: i64) -> Result<()> {
    conn.execute(
        "UPDATE data_versions SET duration_s = ? WHERE dataset_pk = ? AND version_id = ?",
        params![secs, ds.pk, version],
    )?;
    Ok(())
}
