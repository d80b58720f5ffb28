//! A dataset's metadata and schema, and its life: `GetDataset`, the schema
//! reads, `ListDatasets` and the two searches (one matching rule,
//! `DatasetSearch`), `CreateDatasetWithoutStream`, `SetProperties`,
//! `AlterSchema` and `DeleteDataset`.

use rusqlite::{Connection, params};

use super::schema::{Columns, NewColumn, change_schema, ensure_key_index, insert_columns};
use super::{
    Column, Dataset, ErrorKind, Need, Owner, Result, Store, StoreError, UserId, authorize,
    create_row_table, find_dataset, open_dataset, quote_ident, row_table, stream_id_of, touch,
};
use crate::rng::SplitMix64;

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
    /// The `userDefinedType` it was created with (`api` for stream datasets).
    pub display_type: String,
    /// Whether row policies (PDP) are on.
    pub pdp_enabled: bool,
}

/// A dataset's columns.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Schema {
    pub dataset_id: String,
    pub columns: Vec<Column>,
}

/// One condition of a dataset search; `not` inverts it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Filter {
    /// The name matches a pattern where `*` is any text, ignoring case.
    NameLike { pattern: String, not: bool },
    /// The name equals the value, ignoring case.
    NameIs { value: String, not: bool },
    /// The owner's user id, as text, equals the value.
    OwnedBy { user_id: String, not: bool },
    /// The name contains the text, ignoring case (the public API's `nameLike`).
    NameContains { text: String },
}

/// What a search may sort by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SortKey {
    Name,
    Created,
    LastModified,
    RowCount,
    /// When the dataset's settings or rows last changed.
    LastTouched,
    /// The dataset id, as text.
    Id,
}

/// A dataset search (and the list, which is one with no filters): the
/// datasets the caller can read that match every filter, in creation
/// order unless sorted, `limit` of them from `offset`.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct DatasetSearch {
    pub filters: Vec<Filter>,
    /// The key and whether it sorts descending.
    pub sort: Option<(SortKey, bool)>,
    pub offset: u64,
    pub limit: u64,
}

/// A page of datasets and how many matched in all.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DatasetPage {
    pub total: usize,
    pub datasets: Vec<DatasetInfo>,
}

/// A dataset made without a stream (`CreateDatasetWithoutStream`).
#[derive(Debug, Clone)]
pub(crate) struct NewDataset {
    pub name: String,
    pub description: String,
    /// The `userDefinedType` sent (`api`, `webform`, ...).
    pub display_type: String,
    pub columns: Vec<NewColumn>,
}

/// Whether `text` matches `pattern`, where `*` stands for any run of
/// characters; case is ignored (Unicode lowercase on both sides).
pub(crate) fn wildcard_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

impl Filter {
    fn matches(&self, ds: &Dataset) -> bool {
        let (hit, not) = match self {
            Filter::NameLike { pattern, not } => (wildcard_match(pattern, &ds.name), *not),
            Filter::NameIs { value, not } => (value.to_lowercase() == ds.name.to_lowercase(), *not),
            Filter::OwnedBy { user_id, not } => (user_id.trim() == ds.owner_id.to_string(), *not),
            Filter::NameContains { text } => {
                (ds.name.to_lowercase().contains(&text.to_lowercase()), false)
            }
        };
        hit != not
    }
}

/// A dataset id: a random version-4 UUID. Randomness comes from std's
/// SipHash keys (random per process, stepped per hasher) and a counter.
pub(super) fn new_dataset_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(n);
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

/// What a new dataset is made of, on either creation path.
pub(super) struct NewRecord<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub display_type: &'a str,
    pub columns: &'a [Column],
}

/// Creates a dataset at `now`: metadata, columns, row table and an OWNER
/// permission for `user`. Both creation paths (with and without a stream)
/// run it.
pub(super) fn insert_dataset(
    conn: &Connection,
    user: UserId,
    new: &NewRecord<'_>,
    now: i64,
) -> Result<i64> {
    let NewRecord {
        id,
        name,
        description,
        display_type,
        columns,
    } = *new;
    conn.execute(
        "INSERT INTO datasets (id, name, description, owner_id, created_ms, last_touched_ms, last_updated_ms,
                               display_type)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        params![id, name, description, user, now, now, now, display_type],
    )?;
    let pk = conn.last_insert_rowid();
    insert_columns(conn, pk, columns)?;
    create_row_table(conn, &row_table(pk), columns)?;
    ensure_key_index(conn, pk, columns)?;
    conn.execute(
        "INSERT INTO permissions (dataset_pk, principal_type, principal_id, access_level, seq)
         VALUES (?, 'USER', ?, 'OWNER', 0)",
        params![pk, user.to_string()],
    )?;
    // An id used again (the demo's fixed id) names the new dataset now.
    conn.execute("DELETE FROM deleted_datasets WHERE id = ?", [id])?;
    Ok(pk)
}

/// The dataset as `user` sees it: under a row policy its row count is
/// of the rows the caller sees.
pub(super) fn info_of(
    store: &Store,
    conn: &Connection,
    ds: Dataset,
    user: UserId,
) -> Result<DatasetInfo> {
    let row_count = store
        .visible_count(conn, &ds, user)?
        .unwrap_or(ds.row_count);
    Ok(DatasetInfo {
        stream_id: stream_id_of(conn, ds.pk)?,
        pdp_enabled: super::policies::pdp_enabled(conn, ds.pk)?,
        owner: ds.owner(conn)?,
        column_count: ds.columns.len(),
        id: ds.id,
        name: ds.name,
        description: ds.description,
        row_count,
        created_ms: ds.created_ms,
        last_touched_ms: ds.last_touched_ms,
        last_updated_ms: ds.last_updated_ms,
        tags: ds.tags,
        display_type: ds.display_type,
    })
}

fn non_empty_name(field: &str, name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(StoreError::invalid(format!(
            "{field} must be a non-empty string"
        )));
    }
    Ok(())
}

impl Store {
    pub(crate) fn get_dataset(&self, user: UserId, id: &str) -> Result<DatasetInfo> {
        self.read(|conn| {
            let ds = open_dataset(conn, id, user, Need::Read)?;
            info_of(self, conn, ds, user)
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

    /// `ListDatasets`: a page of the datasets the caller can read.
    pub(crate) fn list_datasets(
        &self,
        user: UserId,
        offset: u64,
        limit: u64,
    ) -> Result<DatasetPage> {
        self.search_datasets(
            user,
            &DatasetSearch {
                offset,
                limit,
                ..DatasetSearch::default()
            },
        )
    }

    /// Both searches and the list. Visibility is `authorize` (read), the
    /// rule of `GET` one dataset, so a search never shows a dataset that
    /// its `GET` would refuse.
    pub(crate) fn search_datasets(
        &self,
        user: UserId,
        search: &DatasetSearch,
    ) -> Result<DatasetPage> {
        self.read(|conn| {
            let ids: Vec<String> = conn
                .prepare("SELECT id FROM datasets ORDER BY pk")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let mut found = Vec::new();
            for id in ids {
                let Some(ds) = find_dataset(conn, &id)? else {
                    continue;
                };
                match authorize(conn, &ds, user, Need::Read) {
                    Ok(()) => {}
                    Err(e) if e.kind == ErrorKind::Forbidden => continue,
                    Err(e) => return Err(e),
                }
                if search.filters.iter().all(|f| f.matches(&ds)) {
                    found.push(ds);
                }
            }
            // Sorted on what the caller sees (row counts under a policy);
            // the sort is stable, so ties stay in creation order.
            let mut infos = found
                .into_iter()
                .map(|ds| info_of(self, conn, ds, user))
                .collect::<Result<Vec<_>>>()?;
            if let Some((key, descending)) = search.sort {
                infos.sort_by(|a, b| {
                    let order = match key {
                        SortKey::Name => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
                        SortKey::Created => a.created_ms.cmp(&b.created_ms),
                        SortKey::LastModified => a.last_updated_ms.cmp(&b.last_updated_ms),
                        SortKey::RowCount => a.row_count.cmp(&b.row_count),
                        SortKey::LastTouched => a.last_touched_ms.cmp(&b.last_touched_ms),
                        SortKey::Id => a.id.cmp(&b.id),
                    };
                    if descending { order.reverse() } else { order }
                });
            }
            let total = infos.len();
            let datasets = infos
                .into_iter()
                .skip(usize::try_from(search.offset).unwrap_or(usize::MAX))
                .take(usize::try_from(search.limit).unwrap_or(usize::MAX))
                .collect();
            Ok(DatasetPage { total, datasets })
        })
    }

    /// `CreateDatasetWithoutStream`: a dataset without a stream, owned by `user`.
    pub(crate) fn create_dataset(&self, user: UserId, new: NewDataset) -> Result<DatasetInfo> {
        non_empty_name("dataSourceName", &new.name)?;
        non_empty_name("userDefinedType", &new.display_type)?;
        let Columns { columns, .. } =
            super::schema::validate_columns("schema.columns", &new.columns)?;
        let id = new_dataset_id();
        self.write(|conn| {
            super::users::require_can_create_datasets(conn, user)?;
            let record = NewRecord {
                id: &id,
                name: &new.name,
                description: &new.description,
                display_type: &new.display_type,
                columns: &columns,
            };
            insert_dataset(conn, user, &record, self.now_ms())?;
            let ds = open_dataset(conn, &id, user, Need::Read)?;
            info_of(self, conn, ds, user)
        })
    }

    /// `SetProperties`: renames and/or describes; `None` keeps a value.
    pub(crate) fn set_properties(
        &self,
        user: UserId,
        id: &str,
        name: Option<String>,
        description: Option<String>,
    ) -> Result<DatasetInfo> {
        if let Some(n) = &name {
            non_empty_name("dataSourceName", n)?;
        }
        self.write(|conn| {
            let ds = open_dataset(conn, id, user, Need::Write)?;
            if let Some(n) = &name {
                conn.execute(
                    "UPDATE datasets SET name = ? WHERE pk = ?",
                    params![n, ds.pk],
                )?;
            }
            if let Some(d) = &description {
                conn.execute(
                    "UPDATE datasets SET description = ? WHERE pk = ?",
                    params![d, ds.pk],
                )?;
            }
            touch(conn, ds.pk, self.now_ms())?;
            let ds = open_dataset(conn, id, user, Need::Read)?;
            info_of(self, conn, ds, user)
        })
    }

    /// `AlterSchema`: the whole new column list (see `schema` for how it
    /// maps onto the stored rows). Returns the new schema.
    pub(crate) fn alter_schema(
        &self,
        user: UserId,
        id: &str,
        columns: Vec<NewColumn>,
    ) -> Result<Schema> {
        let new = super::schema::validate_columns("columns", &columns)?;
        self.write(|conn| {
            let ds = open_dataset(conn, id, user, Need::Write)?;
            let columns = change_schema(conn, &ds, &new)?;
            touch(conn, ds.pk, self.now_ms())?;
            Ok(Schema {
                dataset_id: ds.id,
                columns,
            })
        })
    }

    /// `DeleteDataset`: in one transaction, the rows and everything that
    /// hangs off the dataset (columns, versions, permissions, partitions,
    /// its stream and that stream's executions, uploads in progress with
    /// their staged parts, index requests, row policies and the PDP switch;
    /// tags live on the dataset row).
    /// Every later call naming it is a 404 saying it was deleted. Hard and
    /// soft deletes are the same here: the emulator has no trash to
    /// restore from, so a soft-deleted dataset is gone from every API too.
    pub(crate) fn delete_dataset(&self, user: UserId, id: &str) -> Result<()> {
        self.write(|conn| {
            let ds = open_dataset(conn, id, user, Need::Delete)?;
            let pk = ds.pk;
            conn.execute(
                "DELETE FROM upload_parts WHERE upload_id IN (SELECT id FROM uploads WHERE dataset_pk = ?)",
                [pk],
            )?;
            conn.execute(
                "DELETE FROM executions WHERE stream_id IN (SELECT id FROM streams WHERE dataset_pk = ?)",
                [pk],
            )?;
            for table in [
                "uploads",
                "streams",
                "data_versions",
                "partitions",
                "indexes",
                "permissions",
                "columns",
                "pdp_policies",
                "pdp_settings",
            ] {
                conn.execute(&format!("DELETE FROM {table} WHERE dataset_pk = ?"), [pk])?;
            }
            conn.execute_batch(&format!("DROP TABLE {}", quote_ident(&row_table(pk))))?;
            conn.execute("DELETE FROM datasets WHERE pk = ?", [pk])?;
            conn.execute(
                "INSERT OR REPLACE INTO deleted_datasets (id, deleted_ms) VALUES (?, ?)",
                params![ds.id, self.now_ms()],
            )?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::wildcard_match;

    #[test]
    fn wildcards_match_any_text_ignoring_case() {
        for (p, t, want) in [
            ("*sales*", "Q1 SALES report", true),
            ("*sales*", "Sales", true),
            ("sales", "SALES", true),
            ("sales", "sales 2", false),
            ("s*s", "Sales", true),
            ("s*x", "Sales", false),
            ("*", "", true),
            ("", "", true),
            ("", "a", false),
            ("a*b*c", "aXbYbZc", true),
            ("*ÉTÉ*", "l'été", true),
        ] {
            assert_eq!(wildcard_match(p, t), want, "{p} ~ {t}");
        }
    }
}
