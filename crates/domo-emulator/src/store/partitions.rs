//! Partitions: tags given to committed rows with `dataTag`
//! (`ListPartitions`, `ListPartitionsPage`, `SearchPartitions`,
//! `DeletePartitionData`, `DeletePartitionTag`).

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use super::{
    Dataset, Need, PARTITION_COLUMN, Result, Store, StoreError, UserId, open_dataset, quote_ident,
    touch_rows,
};

/// One partition. Its status is always `SUCCESS`: commits are atomic.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Partition {
    pub id: String,
    pub row_count: i64,
    pub data_version_id: i64,
    pub date_completed_ms: i64,
}

/// A partition field a search can match on, by its wire name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PartitionField {
    PartitionId,
    Status,
    RowCount,
    DataVersionId,
    DateCompleted,
}

impl PartitionField {
    pub const NAMES: [&'static str; 5] = [
        "partitionId",
        "status",
        "rowCount",
        "dataVersionId",
        "dateCompleted",
    ];

    pub fn parse(name: &str) -> Option<Self> {
        use PartitionField::*;
        let all = [PartitionId, Status, RowCount, DataVersionId, DateCompleted];
        Self::NAMES.iter().position(|n| *n == name).map(|i| all[i])
    }
}

impl Partition {
    fn value_of(&self, field: PartitionField) -> Value {
        match field {
            PartitionField::PartitionId => Value::from(self.id.as_str()),
            PartitionField::Status => Value::from("SUCCESS"),
            PartitionField::RowCount => Value::from(self.row_count),
            PartitionField::DataVersionId => Value::from(self.data_version_id),
            PartitionField::DateCompleted => Value::from(self.date_completed_ms),
        }
    }
}

/// A page of `ListPartitionsPage`: by completion date, optionally bounded.
#[derive(Debug, Clone, Default)]
pub(crate) struct PartitionPage {
    pub ascending: bool,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub offset: u64,
    pub limit: Option<u64>,
}

/// All partitions of a dataset, newest first (ties: latest version first),
/// with the row counts `user` sees.
fn all(store: &Store, conn: &Connection, ds: &Dataset, user: UserId) -> Result<Vec<Partition>> {
    let mut stmt = conn.prepare(
        "SELECT tag, row_count, data_version_id, date_completed_ms FROM partitions WHERE dataset_pk = ?
         ORDER BY date_completed_ms DESC, data_version_id DESC, tag",
    )?;
    let rows = stmt
        .query_map([ds.pk], |r| {
            Ok(Partition {
                id: r.get(0)?,
                row_count: r.get(1)?,
                data_version_id: r.get(2)?,
                date_completed_ms: r.get(3)?,
            })
        })?
        .collect::<Result<Vec<Partition>, _>>()?;
    let Some(visible) = store.visible_partition_counts(conn, ds, user)? else {
        return Ok(rows);
    };
    Ok(rows
        .into_iter()
        .map(|mut p| {
            p.row_count = visible
                .iter()
                .find(|(tag, _)| tag.as_deref() == Some(p.id.as_str()))
                .map_or(0, |(_, n)| *n);
            p
        })
        .collect())
}

/// Numbers compare by value and may arrive as strings ("rowCount": "10").
fn loosely_equal(have: &Value, want: &Value) -> bool {
    match (have, want) {
        (Value::Number(a), Value::String(b)) => b.trim().parse::<f64>().ok() == a.as_f64(),
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        _ => have == want,
    }
}

fn find(conn: &Connection, ds: &Dataset, pid: &str) -> Result<()> {
    conn.query_row(
        "SELECT 1 FROM partitions WHERE dataset_pk = ? AND tag = ?",
        params![ds.pk, pid],
        |_| Ok(()),
    )
    .optional()?
    .ok_or_else(|| {
        StoreError::not_found(format!(
            "partition `{pid}` does not exist on dataset {}",
            ds.id
        ))
    })
}

/// Deletes a partition's rows and marks its data versions DELETED.
fn delete_rows(conn: &Connection, ds: &Dataset, pid: &str, now: i64) -> Result<()> {
    let removed = conn.execute(
        &format!(
            "DELETE FROM {} WHERE {} = ?",
            ds.table(),
            quote_ident(PARTITION_COLUMN)
        ),
        [pid],
    )? as i64;
    if removed > 0 {
        super::scales::rescan(conn, ds.pk, &ds.columns)?;
    }
    conn.execute(
        "UPDATE data_versions SET status = 'DELETED' WHERE dataset_pk = ? AND data_tag = ?",
        params![ds.pk, pid],
    )?;
    touch_rows(conn, ds.pk, -removed, now)
}

impl Store {
    pub(crate) fn list_partitions(&self, user: UserId, id: &str) -> Result<Vec<Partition>> {
        self.read(|conn| {
            let ds = open_dataset(conn, id, user, Need::Read)?;
            all(self, conn, &ds, user)
        })
    }

    /// Past the end is an empty page.
    pub(crate) fn list_partitions_page(
        &self,
        user: UserId,
        id: &str,
        page: &PartitionPage,
    ) -> Result<Vec<Partition>> {
        self.read(|conn| {
            let ds = open_dataset(conn, id, user, Need::Read)?;
            let mut parts = all(self, conn, &ds, user)?;
            if page.ascending {
                parts.reverse();
            }
            let date = |p: &Partition| p.date_completed_ms;
            parts.retain(|p| {
                page.min.is_none_or(|m| date(p) >= m) && page.max.is_none_or(|m| date(p) <= m)
            });
            let offset = page.offset.min(usize::MAX as u64) as usize;
            let limit = page
                .limit
                .map_or(usize::MAX, |l| l.min(usize::MAX as u64) as usize);
            Ok(parts.into_iter().skip(offset).take(limit).collect())
        })
    }

    /// Partitions whose fields equal every given value.
    pub(crate) fn search_partitions(
        &self,
        user: UserId,
        id: &str,
        filter: &[(PartitionField, Value)],
    ) -> Result<Vec<Partition>> {
        self.read(|conn| {
            let ds = open_dataset(conn, id, user, Need::Read)?;
            Ok(all(self, conn, &ds, user)?
                .into_iter()
                .filter(|p| {
                    filter
                        .iter()
                        .all(|(field, want)| loosely_equal(&p.value_of(*field), want))
                })
                .collect())
        })
    }

    /// Deletes a partition's rows; the partition stays listed with none.
    pub(crate) fn delete_partition_data(&self, user: UserId, id: &str, pid: &str) -> Result<()> {
        self.write(|conn| {
            let ds = open_dataset(conn, id, user, Need::Write)?;
            find(conn, &ds, pid)?;
            delete_rows(conn, &ds, pid, self.now_ms())?;
            conn.execute(
                "UPDATE partitions SET row_count = 0 WHERE dataset_pk = ? AND tag = ?",
                params![ds.pk, pid],
            )?;
            Ok(())
        })
    }

    /// Drops a partition's tag (and any rows it still has).
    pub(crate) fn delete_partition_tag(&self, user: UserId, id: &str, pid: &str) -> Result<()> {
        self.write(|conn| {
            let ds = open_dataset(conn, id, user, Need::Write)?;
            find(conn, &ds, pid)?;
            delete_rows(conn, &ds, pid, self.now_ms())?;
            conn.execute(
                "DELETE FROM partitions WHERE dataset_pk = ? AND tag = ?",
                params![ds.pk, pid],
            )?;
            Ok(())
        })
    }
}
