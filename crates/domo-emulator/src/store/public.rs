//! What Domo's public API (`/v1/...`) asks of the store beyond the product
//! API's operations, over the same tables: a dataset with its schema and
//! policies in one read, creation for an owner, one update of name,
//! description, schema, PDP switch and owner together, a CSV import in one
//! transaction, stream listings and searches, stream deletion, and an
//! execution read, list and "abort the current one". Each runs in one
//! transaction and checks access through the same `open_dataset` as every
//! other operation, so a dataset is the same dataset through either API.

use rusqlite::{Connection, OptionalExtension, params};

use super::datasets::{DatasetInfo, NewRecord, info_of, insert_dataset, new_dataset_id};
use super::permissions::PrincipalKind;
use super::policies::{Policy, load as load_policies, sees_all, settings, write_pdp};
use super::schema::{NewColumn, change_schema, validate_columns};
use super::streams::{
    EXECUTION_COLUMNS, Execution, Stream, execution_row, load_execution, load_stream, open_stream,
    stream_of,
};
use super::uploads::{Action, Load, apply_upload};
use super::users::{is_admin, require_can_create_datasets, require_principal};
use super::{
    Column, Dataset, Need, Result, Store, StoreError, UserId, authorize, find_dataset,
    open_dataset, parse_id, touch,
};

/// A dataset as `GET /v1/datasets/{id}` shows it: with its columns, and
/// its row policies when the caller may read them (owners, co-owners,
/// Admins; others see none).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DatasetDetail {
    pub info: DatasetInfo,
    pub columns: Vec<Column>,
    pub policies: Vec<Policy>,
}

/// `POST /v1/datasets`.
#[derive(Debug, Clone, Default)]
pub(crate) struct NewPublicDataset {
    pub name: String,
    pub description: String,
    pub columns: Vec<NewColumn>,
    /// Another user to own it (an Admin's choice); `None`: the caller.
    pub owner: Option<UserId>,
}

/// `PUT /v1/datasets/{id}`: any subset; `None` keeps a value.
#[derive(Debug, Clone, Default)]
pub(crate) struct DatasetChange {
    pub name: Option<String>,
    pub description: Option<String>,
    /// A whole new column list, applied like `AlterSchema`.
    pub columns: Option<Vec<NewColumn>>,
    pub pdp_enabled: Option<bool>,
    pub owner: Option<UserId>,
}

/// Which streams `GET /v1/streams` and `.../search?q=` want.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum StreamFilter {
    All,
    /// `dataSource.id:<dataset id>`.
    DatasetId(String),
    /// `dataSource.owner:<user id>`.
    Owner(UserId),
    /// `dataSource.name:<name>`, the whole name, ignoring case.
    Name(String),
}

fn detail(store: &Store, conn: &Connection, ds: Dataset, user: UserId) -> Result<DatasetDetail> {
    let policies = if sees_all(conn, &ds, user)? {
        load_policies(conn, &ds, None)?
    } else {
        Vec::new()
    };
    let columns = ds.columns.clone();
    Ok(DatasetDetail {
        info: info_of(store, conn, ds, user)?,
        columns,
        policies,
    })
}

fn non_empty(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(StoreError::invalid(format!(
            "{field} must be a non-empty string"
        )));
    }
    Ok(())
}

/// The owner a request names must be a user of the instance.
fn check_new_owner(conn: &Connection, owner: UserId) -> Result<()> {
    require_principal(conn, PrincipalKind::User, owner, "owner.id")
}

/// Hands `ds` to `owner`: they get OWNER, the previous owner keeps
/// CO_OWNER (their access does not vanish with the title).
fn transfer(conn: &Connection, ds: &Dataset, caller: UserId, owner: UserId) -> Result<()> {
    if owner == ds.owner_id {
        return Ok(());
    }
    authorize(conn, ds, caller, Need::Delete)?;
    check_new_owner(conn, owner)?;
    conn.execute(
        "UPDATE permissions SET access_level = 'CO_OWNER'
         WHERE dataset_pk = ? AND principal_type = 'USER' AND principal_id = ? AND access_level = 'OWNER'",
        params![ds.pk, ds.owner_id.to_string()],
    )?;
    let seq: i64 = conn.query_row(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM permissions WHERE dataset_pk = ?",
        [ds.pk],
        |r| r.get(0),
    )?;
    conn.execute(
        "INSERT INTO permissions (dataset_pk, principal_type, principal_id, access_level, seq)
         VALUES (?, 'USER', ?, 'OWNER', ?)
         ON CONFLICT (dataset_pk, principal_type, principal_id) DO UPDATE SET access_level = 'OWNER'",
        params![ds.pk, owner.to_string(), seq],
    )?;
    conn.execute(
        "UPDATE datasets SET owner_id = ? WHERE pk = ?",
        params![owner, ds.pk],
    )?;
    Ok(())
}

impl Store {
    /// `GET /v1/datasets/{id}`.
    pub(crate) fn dataset_detail(&self, user: UserId, id: &str) -> Result<DatasetDetail> {
        self.read(|conn| {
            let ds = open_dataset(conn, id, user, Need::Read)?;
            detail(self, conn, ds, user)
        })
    }

    /// `POST /v1/datasets`: a dataset without a stream, owned by the
    /// caller or (for an Admin) by `owner`.
    pub(crate) fn create_public_dataset(
        &self,
        user: UserId,
        new: &NewPublicDataset,
    ) -> Result<DatasetDetail> {
        non_empty("name", &new.name)?;
        let columns = validate_columns("schema.columns", &new.columns)?.columns;
        let id = new_dataset_id();
        self.write(|conn| {
            require_can_create_datasets(conn, user)?;
            let owner = new.owner.unwrap_or(user);
            if owner != user {
                if !is_admin(conn, user)? {
                    return Err(StoreError::forbidden(format!(
                        "only an Admin creates a dataset owned by someone else (user {user} asked for owner {owner})"
                    )));
                }
                check_new_owner(conn, owner)?;
            }
            let record = NewRecord {
                id: &id,
                name: new.name.trim(),
                description: &new.description,
                display_type: "api",
                columns: &columns,
            };
            insert_dataset(conn, owner, &record, self.now_ms())?;
            let ds = open_dataset(conn, &id, user, Need::Read)?;
            detail(self, conn, ds, user)
        })
    }

    /// `PUT /v1/datasets/{id}`: everything given changes together or not
    /// at all. Renames, descriptions and schemas need write access; the PDP
    /// switch a manager; a new owner the owner, a co-owner or an Admin.
    pub(crate) fn update_public_dataset(
        &self,
        user: UserId,
        id: &str,
        change: &DatasetChange,
    ) -> Result<DatasetDetail> {
        if let Some(n) = &change.name {
            non_empty("name", n)?;
        }
        let columns = change
            .columns
            .as_deref()
            .map(|c| validate_columns("schema.columns", c))
            .transpose()?;
        self.write(|conn| {
            let ds = open_dataset(conn, id, user, Need::Read)?;
            let edits = change.name.is_some() || change.description.is_some() || columns.is_some();
            if edits {
                authorize(conn, &ds, user, Need::Write)?;
            }
            if let Some(n) = &change.name {
                conn.execute(
                    "UPDATE datasets SET name = ? WHERE pk = ?",
                    params![n.trim(), ds.pk],
                )?;
            }
            if let Some(d) = &change.description {
                conn.execute(
                    "UPDATE datasets SET description = ? WHERE pk = ?",
                    params![d, ds.pk],
                )?;
            }
            // pydomo sends the schema it already has; that changes nothing.
            let same = |new: &[Column]| {
                new.len() == ds.columns.len()
                    && new
                        .iter()
                        .zip(&ds.columns)
                        .all(|(a, b)| a.name == b.name && a.ty == b.ty)
            };
            if let Some(cols) = &columns
                && !same(&cols.columns)
            {
                change_schema(conn, &ds, cols)?;
            }
            if let Some(enabled) = change.pdp_enabled {
                let external = settings(conn, ds.pk)?.external;
                write_pdp(conn, &ds, user, enabled, external, self.now_ms())?;
            }
            if let Some(owner) = change.owner {
                transfer(conn, &ds, user, owner)?;
            }
            touch(conn, ds.pk, self.now_ms())?;
            let ds = open_dataset(conn, id, user, Need::Read)?;
            detail(self, conn, ds, user)
        })
    }

    /// `PUT /v1/datasets/{id}/data`: header-less CSV loaded as `action`
    /// says, in one transaction through THE commit of staged parts, so a
    /// bad row changes nothing and a good import is one data version.
    pub(crate) fn import_csv(
        &self,
        user: UserId,
        id: &str,
        action: Action,
        data: Vec<u8>,
    ) -> Result<()> {
        self.write(|conn| {
            let ds = open_dataset(conn, id, user, Need::Write)?;
            conn.execute(
                "INSERT INTO uploads (dataset_pk, action, requested_ms) VALUES (?, ?, ?)",
                params![ds.pk, action.as_str(), self.now_ms()],
            )?;
            let upload = conn.last_insert_rowid();
            conn.execute(
                "INSERT INTO upload_parts (upload_id, part_no, data) VALUES (?, 1, ?)",
                params![upload, data],
            )?;
            let load = match action {
                Action::Append => Load::Append,
                Action::Replace => Load::Replace,
            };
            apply_upload(conn, &ds, upload, &[1], load, None, self.clock())?;
            Ok(())
        })
    }

    /// `GET /v1/streams` and `GET /v1/streams/search?q=`: the streams of
    /// datasets the caller can read that match, by stream id.
    pub(crate) fn list_streams(
        &self,
        user: UserId,
        filter: &StreamFilter,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<Stream>> {
        self.read(|conn| {
            let sids: Vec<(i64, String)> = conn
                .prepare(
                    "SELECT s.id, d.id FROM streams s JOIN datasets d ON d.pk = s.dataset_pk ORDER BY s.id",
                )?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            let mut found = Vec::new();
            for (sid, ds_id) in sids {
                let Some(ds) = find_dataset(conn, &ds_id)? else {
                    continue;
                };
                let hit = match filter {
                    StreamFilter::All => true,
                    StreamFilter::DatasetId(id) => ds.id == *id,
                    StreamFilter::Owner(owner) => ds.owner_id == *owner,
                    StreamFilter::Name(name) => ds.name.to_lowercase() == name.to_lowercase(),
                };
                if !hit || authorize(conn, &ds, user, Need::Read).is_err() {
                    continue;
                }
                if let Some(s) = load_stream(conn, sid)? {
                    found.push(stream_of(conn, &s, &ds)?);
                }
            }
            let (offset, limit) = super::sql_page(offset, limit);
            Ok(found
                .into_iter()
                .skip(offset as usize)
                .take(limit as usize)
                .collect())
        })
    }

    /// `DELETE /v1/streams/{sid}`: the stream and its executions (with
    /// their staged parts); the dataset stays, without a stream.
    pub(crate) fn delete_stream(&self, user: UserId, sid: &str) -> Result<()> {
        self.write(|conn| {
            let (s, ds) = open_stream(conn, sid, user, Need::Delete)?;
            let uploads: Vec<i64> = conn
                .prepare(
                    "SELECT upload_id FROM executions WHERE stream_id = ? AND upload_id IS NOT NULL",
                )?
                .query_map([s.id], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            for upload in uploads {
                conn.execute("DELETE FROM upload_parts WHERE upload_id = ?", [upload])?;
                conn.execute(
                    "DELETE FROM uploads WHERE id = ? AND committed = 0",
                    [upload],
                )?;
            }
            conn.execute("DELETE FROM executions WHERE stream_id = ?", [s.id])?;
            conn.execute("DELETE FROM streams WHERE id = ?", [s.id])?;
            touch(conn, ds.pk, self.now_ms())
        })
    }

    /// `GET /v1/streams/{sid}/executions/{eid}`.
    pub(crate) fn get_execution(&self, user: UserId, sid: &str, eid: &str) -> Result<Execution> {
        self.read(|conn| {
            let (s, _ds) = open_stream(conn, sid, user, Need::Read)?;
            let eid = parse_id("execution", eid)?;
            let stream: Option<i64> = conn
                .query_row(
                    "SELECT stream_id FROM executions WHERE id = ?",
                    [eid],
                    |r| r.get(0),
                )
                .optional()?;
            if stream != Some(s.id) {
                return Err(StoreError::not_found(format!(
                    "execution {eid} does not exist on stream {}",
                    s.id
                )));
            }
            load_execution(conn, eid)
        })
    }

    /// `GET /v1/streams/{sid}/executions`: oldest first.
    pub(crate) fn list_executions(
        &self,
        user: UserId,
        sid: &str,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<Execution>> {
        let (offset, limit) = super::sql_page(offset, limit);
        self.read(|conn| {
            let (s, _ds) = open_stream(conn, sid, user, Need::Read)?;
            let mut stmt = conn.prepare(&format!(
                "SELECT {EXECUTION_COLUMNS} FROM executions WHERE stream_id = ? ORDER BY id
                 LIMIT ? OFFSET ?"
            ))?;
            let rows = stmt
                .query_map(params![s.id, limit, offset], execution_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// `PUT /v1/streams/{sid}/executions/abort`: aborts every ACTIVE
    /// execution of the stream (there is normally one) and says which;
    /// none is no error.
    pub(crate) fn abort_current_executions(&self, user: UserId, sid: &str) -> Result<Vec<i64>> {
        self.write(|conn| {
            let (s, _ds) = open_stream(conn, sid, user, Need::Write)?;
            let active: Vec<(i64, Option<i64>)> = conn
                .prepare(
                    "SELECT id, upload_id FROM executions WHERE stream_id = ? AND state = 'ACTIVE'",
                )?
                .query_map([s.id], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            let now_s = self.now_ms() / 1000;
            for (eid, upload) in &active {
                conn.execute(
                    "UPDATE executions SET state = 'ABORTED', ended_s = ? WHERE id = ?",
                    params![now_s, eid],
                )?;
                if let Some(upload) = upload {
                    conn.execute("DELETE FROM upload_parts WHERE upload_id = ?", [upload])?;
                    conn.execute("DELETE FROM uploads WHERE id = ?", [upload])?;
                }
            }
            Ok(active.into_iter().map(|(e, _)| e).collect())
        })
    }
}
