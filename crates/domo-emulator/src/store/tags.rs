//! A dataset's tags (`SetTags`): the set is replaced whole.

use rusqlite::params;

use super::{Need, Result, Store, StoreError, UserId, open_dataset, touch};

impl Store {
    /// Replaces the tag set (duplicates dropped, first occurrence kept).
    pub(crate) fn set_tags(&self, user: UserId, id: &str, tags: Vec<String>) -> Result<()> {
        let mut unique: Vec<String> = Vec::with_capacity(tags.len());
        for t in tags {
            if !unique.contains(&t) {
                unique.push(t);
            }
        }
        let text =
            serde_json::to_string(&unique).map_err(|e| StoreError::internal(e.to_string()))?;
        self.write(|conn| {
            let ds = open_dataset(conn, id, user, Need::Write)?;
            conn.execute(
                "UPDATE datasets SET tags = ? WHERE pk = ?",
                params![text, ds.pk],
            )?;
            touch(conn, ds.pk, self.now_ms())
        })
    }
}
