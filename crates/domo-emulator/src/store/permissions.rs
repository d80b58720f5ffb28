//! Dataset permissions (`ListPermissions`, `Share`, `RevokeUser`,
//! `RemoveUser`, `RemoveUsers`) and the rules that keep sharing from
//! escalating, in one place (`check_change`), for users and groups alike:
//! - a user grants at most their own level; OWNER only an OWNER or an
//!   Admin grants (so CO_OWNER only an owner, a co-owner or an Admin);
//! - nobody but an Admin changes or removes someone above their own
//!   level (so only an owner, a co-owner or an Admin changes or removes a
//!   co-owner or revokes anyone above CAN_SHARE);
//! - the last OWNER can never be removed or downgraded, not even by an Admin.
//!
//! Each refusal is a 403 naming its rule, and nothing of the request is applied.

use rusqlite::{Connection, params};

use rusqlite::OptionalExtension;

pub(crate) use super::users::PrincipalKind;
use super::users::{display_name, group_name, is_admin};
use super::{
    AccessLevel, Dataset, Need, Result, Store, StoreError, UserId, access_level, open_dataset,
    touch,
};

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

/// A grantee's name, as the registry names users and groups.
fn principal_name(conn: &Connection, kind: &str, id: &str) -> Result<String> {
    let Ok(n) = id.parse::<i64>() else {
        // Stored grants name integers; anything else was never a person.
        return Ok(id.to_owned());
    };
    match PrincipalKind::parse(kind) {
        Some(PrincipalKind::Group) => group_name(conn, n),
        _ => display_name(conn, n),
    }
}

fn ensure_an_owner_remains(conn: &Connection, ds: &Dataset) -> Result<()> {
    let owners: i64 = conn.query_row(
        "SELECT COUNT(*) FROM permissions WHERE dataset_pk = ? AND access_level = 'OWNER'",
        [ds.pk],
        |r| r.get(0),
    )?;
    if owners == 0 {
        return Err(StoreError::forbidden(format!(
            "the last OWNER of dataset {} can never be removed or downgraded; grant OWNER to someone else first",
            ds.id
        )));
    }
    Ok(())
}

/// How much a level allows: OWNER 4, CO_OWNER 3, CAN_EDIT 2, CAN_SHARE 1.
fn rank(level: AccessLevel) -> u8 {
    match level {
        AccessLevel::Owner => 4,
        AccessLevel::CoOwner => 3,
        AccessLevel::CanEdit => 2,
        AccessLevel::CanShare => 1,
    }
}

/// The caller's power over a dataset's grants: `None` for an Admin (any
/// change but dropping the last owner), else their own level.
fn sharing_power(conn: &Connection, ds: &Dataset, caller: UserId) -> Result<Option<AccessLevel>> {
    if is_admin(conn, caller)? {
        return Ok(None);
    }
    access_level(conn, ds.pk, caller)?.map(Some).ok_or_else(|| {
        StoreError::forbidden(format!("user {caller} has no access to dataset {}", ds.id))
    })
}

fn current_level(
    conn: &Connection,
    ds: &Dataset,
    kind: PrincipalKind,
    id: &str,
) -> Result<Option<AccessLevel>> {
    let level: Option<String> = conn
        .query_row(
            "SELECT access_level FROM permissions
             WHERE dataset_pk = ? AND principal_type = ? AND principal_id = ?",
            params![ds.pk, kind.as_str(), id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(level.as_deref().and_then(AccessLevel::parse))
}

/// THE sharing rule: may `caller` (with `power`) move `kind id` from
/// `current` to `new` (`None`: removed)?
fn check_change(
    ds: &Dataset,
    caller: UserId,
    power: Option<AccessLevel>,
    who: (PrincipalKind, &str),
    current: Option<AccessLevel>,
    new: Option<AccessLevel>,
) -> Result<()> {
    let Some(mine) = power else { return Ok(()) };
    let target = format!("{} {}", who.0.as_str(), who.1);
    let refuse = |rule: String| {
        Err(StoreError::forbidden(format!(
            "user {caller} ({} on dataset {}) may not {rule}",
            mine.as_str(),
            ds.id
        )))
    };
    if let Some(new) = new {
        if new == AccessLevel::Owner && mine != AccessLevel::Owner {
            return refuse(format!(
                "grant OWNER to {target}: only an OWNER or an Admin grants OWNER"
            ));
        }
        if rank(new) > rank(mine) {
            return refuse(format!(
                "grant {} to {target}: a user grants at most their own level{}",
                new.as_str(),
                if new == AccessLevel::CoOwner {
                    "; only an owner, a co-owner or an Admin grants CO_OWNER"
                } else {
                    ""
                }
            ));
        }
    }
    if let Some(current) = current
        && Some(current) != new
        && rank(current) > rank(mine)
    {
        let what = if new.is_some() { "change" } else { "remove" };
        return refuse(format!(
            "{what} {target}, who holds {}: only an owner, a co-owner or an Admin changes or removes anyone above CAN_SHARE, and nobody but an Admin anyone above their own level",
            current.as_str()
        ));
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
            let rows = stmt
                .query_map([ds.pk], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<Vec<(String, String, String)>, _>>()?;
            let entries = rows
                .into_iter()
                .map(|(kind, id, access_level)| {
                    Ok(Permission {
                        name: principal_name(conn, &kind, &id)?,
                        kind,
                        id,
                        access_level,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let user_count = entries.iter().filter(|e| e.kind == "USER").count();
            Ok(PermissionList {
                group_count: entries.len() - user_count,
                user_count,
                entries,
            })
        })
    }

    /// Grants or changes access levels, all or nothing. A grantee is named
    /// by an integer id (400 naming the entry otherwise); like the product
    /// API's filter groups, a grant may name an id the registry does not
    /// hold, listed as the registry names such ids ("User N", "Group N").
    pub(crate) fn share(&self, user: UserId, id: &str, grants: &[Grant]) -> Result<()> {
        self.write(|conn| {
            let ds = open_dataset(conn, id, user, Need::Share)?;
            let power = sharing_power(conn, &ds, user)?;
            let mut checked = Vec::with_capacity(grants.len());
            for (i, g) in grants.iter().enumerate() {
                let at = format!("permissions[{i}]");
                let n = g.id.parse::<i64>().map_err(|_| {
                    StoreError::invalid(format!(
                        "{at}.id must be a {} id (an integer), got `{}`",
                        g.kind.as_str().to_ascii_lowercase(),
                        g.id
                    ))
                })?;
                // Stored as the registry's id, so `007` and `7` are one grantee.
                let g = Grant {
                    id: n.to_string(),
                    ..g.clone()
                };
                let current = current_level(conn, &ds, g.kind, &g.id)?;
                check_change(&ds, user, power, (g.kind, &g.id), current, Some(g.level))?;
                checked.push(g);
            }
            for g in &checked {
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
            touch(conn, ds.pk, self.now_ms())
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
            let power = sharing_power(conn, &ds, user)?;
            for (kind, pid) in who {
                let current = current_level(conn, &ds, *kind, pid)?;
                check_change(&ds, user, power, (*kind, pid), current, None)?;
            }
            for (kind, pid) in who {
                conn.execute(
                    "DELETE FROM permissions WHERE dataset_pk = ? AND principal_type = ? AND principal_id = ?",
                    params![ds.pk, kind.as_str(), pid],
                )?;
            }
            ensure_an_owner_remains(conn, &ds)?;
            touch(conn, ds.pk, self.now_ms())
        })
    }
}
