//! Index requests (`StartIndex`, `IndexStatus`). Indexing is immediate
//! here: data is queryable as soon as it commits, so every index is done.

use rusqlite::params;

use super::{Need, Result, Store, StoreError, UserId, open_dataset, parse_id};

/// An index and the dataset it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct IndexState {
    pub index_id: i64,
    pub dataset_id: String,
}

impl Store {
    /// Records an index request; returns its id.
    pub(crate) fn start_index(&self, user: UserId, id: &str) -> Result<i64> {
        self.write(|conn| {
            let ds = open_dataset(conn, id, user, Need::Write)?;
            conn.execute(
                "INSERT INTO indexes (dataset_pk, requested_ms) VALUES (?, ?)",
                params![ds.pk, self.now_ms()],
            )?;
            Ok(conn.last_insert_rowid())
        })
    }

    pub(crate) fn index_status(
        &self,
        user: UserId,
        id: &str,
        index_id: &str,
    ) -> Result<IndexState> {
        self.read(|conn| {
            let ds = open_dataset(conn, id, user, Need::Read)?;
            let iid = parse_id("index", index_id)?;
            let exists: bool = conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM indexes WHERE id = ? AND dataset_pk = ?)",
                params![iid, ds.pk],
                |r| r.get(0),
            )?;
            if !exists {
                return Err(StoreError::not_found(format!(
                    "index {iid} does not exist on dataset {}",
                    ds.id
                )));
            }
            Ok(IndexState {
                index_id: iid,
                dataset_id: ds.id,
            })
        })
    }
}
