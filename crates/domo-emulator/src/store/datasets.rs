//! A dataset's metadata and schema (`GetDataset`, `GetSchema`,
//! `GetLatestSchema`, `GetIndexedSchema`).

use super::streams::stream_id_of;
use super::{Column, Need, Owner, Result, Store, UserId, open_dataset};

/// A dataset as `GET /api/data/v3/datasources/{id}` reports it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DatasetInfo {
    pub id: String,
    pub name: String,
    pub description: String,
    pub owner: Owner,
    pub stream_id: Option<i64>,
    pub row_count: i64,
    pub column_count: usize,
    pub created_ms: i64,
    pub last_touched_ms: i64,
    pub last_updated_ms: i64,
    /// The tag set as a JSON array in a string, as Domo sends it.
    pub tags: String,
}

/// A dataset's columns.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Schema {
    pub dataset_id: String,
    pub columns: Vec<Column>,
}

impl Store {
    pub(crate) fn get_dataset(&self, user: UserId, id: &str) -> Result<DatasetInfo> {
        self.read(|conn| {
            let ds = open_dataset(conn, id, user, Need::Read)?;
            // Under a row policy the count is of the rows the caller sees.
            let row_count = self.visible_count(conn, &ds, user)?.unwrap_or(ds.row_count);
            Ok(DatasetInfo {
                stream_id: stream_id_of(conn, ds.pk)?,
                owner: ds.owner(),
                column_count: ds.columns.len(),
                id: ds.id,
                name: ds.name,
                description: ds.description,
                row_count,
                created_ms: ds.created_ms,
                last_touched_ms: ds.last_touched_ms,
                last_updated_ms: ds.last_updated_ms,
                tags: ds.tags,
            })
        })
    }

    /// The schema, for all three schema routes.
    pub(crate) fn get_schema(&self, user: UserId, id: &str) -> Result<Schema> {
        self.read(|conn| {
            let ds = open_dataset(conn, id, user, Need::Read)?;
            Ok(Schema {
                dataset_id: ds.id,
                columns: ds.columns,
            })
        })
    }
}
