//! Dataset permissions (`ListPermissions`, `Share`, `RevokeUser`,
//! `RemoveUser`, `RemoveUsers`). A dataset always keeps at least one OWNER.

use rusqlite::{Connection, params};

use super::{
    AccessLevel, Dataset, Need, Result, Store, StoreError, UserId, now_ms, open_dataset, touch,
    user_name,
};

/// Who a permission is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PrincipalKind {
    User,
    Group,
}

impl PrincipalKind {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "USER" => Some(Self::User),
            "GROUP" => Some(Self::Group),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "USER",
            Self::Group => "GROUP",
        }
    }
}

/// One entry of a dataset's permission list.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Permission {
    /// `USER` or `GROUP`, as stored.
    pub kind: String,
    pub id: String,
    pub access_level: String,
    pub name: String,
}

/// A dataset's permissions, in the order they were first granted.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PermissionList {
    pub entries: Vec<Permission>,
    pub user_count: usize,
    pub group_count: usize,
}

/// A grant (or change) of an access level.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Grant {
    pub kind: PrincipalKind,
    pub id: String,
    pub level: AccessLevel,
}

fn principal_name(kind: &str, id: &str) -> String {
    match id.parse::<i64>() {
        Ok(n) if kind == "USER" => user_name(n),
        _ if kind == "GROUP" => format!("Group {id}"),
        _ => format!("User {id}"),
    }
}

fn ensure_an_owner_remains(conn: &Connection, ds: &Dataset) -> Result<()> {
    let owners: i64 = conn.query_row(
        "SELECT COUNT(*) FROM permissions WHERE dataset_pk = ? AND access_level = 'OWNER'",
        [ds.pk],
        |r| r.get(0),
    )?;
    if owners == 0 {
        return Err(StoreError::invalid(format!(
            "dataset {} must keep at least one OWNER; grant OWNER to someone else first",
            ds.id
        )));
    }
    Ok(())
}

fn next_seq(conn: &Connection, pk: i64) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM permissions WHERE dataset_pk = ?",
        [pk],
        |r| r.get(0),
    )?)
}

impl Store {
    pub(crate) fn list_permissions(&self, user: UserId, id: &str) -> Result<PermissionList> {
        self.read(|conn| {
            let ds = open_dataset(conn, id, user, Need::Read)?;
            let mut stmt = conn.prepare(
                "SELECT principal_type, principal_id, access_level FROM permissions
                 WHERE dataset_pk = ? ORDER BY seq, principal_type, principal_id",
            )?;
            let entries = stmt
                .query_map([ds.pk], |r| {
                    let (kind, id): (String, String) = (r.get(0)?, r.get(1)?);
                    Ok(Permission {
                        name: principal_name(&kind, &id),
                        kind,
                        id,
                        access_level: r.get(2)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let user_count = entries.iter().filter(|e| e.kind == "USER").count();
            Ok(PermissionList {
                group_count: entries.len() - user_count,
                user_count,
                entries,
            })
        })
    }

    /// Grants or changes access levels, all or nothing.
    pub(crate) fn share(&self, user: UserId, id: &str, grants: &[Grant]) -> Result<()> {
        self.write(|conn| {
            let ds = open_dataset(conn, id, user, Need::Share)?;
            for g in grants {
                let seq = next_seq(conn, ds.pk)?;
                conn.execute(
                    "INSERT INTO permissions (dataset_pk, principal_type, principal_id, access_level, seq)
                     VALUES (?, ?, ?, ?, ?)
                     ON CONFLICT (dataset_pk, principal_type, principal_id)
                     DO UPDATE SET access_level = excluded.access_level",
                    params![ds.pk, g.kind.as_str(), g.id, g.level.as_str(), seq],
                )?;
            }
            ensure_an_owner_remains(conn, &ds)?;
            touch(conn, ds.pk, now_ms())
        })
    }

    /// Removes principals (`RevokeUser`, `RemoveUser`, `RemoveUsers`);
    /// removing someone without access is a no-op, so a retried DELETE
    /// answers the same as the first one.
    pub(crate) fn remove_permissions(
        &self,
        user: UserId,
        id: &str,
        who: &[(PrincipalKind, String)],
    ) -> Result<()> {
        self.write(|conn| {
            let ds = open_dataset(conn, id, user, Need::Share)?;
            for (kind, pid) in who {
                conn.execute(
                    "DELETE FROM permissions WHERE dataset_pk = ? AND principal_type = ? AND principal_id = ?",
                    params![ds.pk, kind.as_str(), pid],
                )?;
            }
            ensure_an_owner_remains(conn, &ds)?;
            touch(conn, ds.pk, now_ms())
        })
    }
}
