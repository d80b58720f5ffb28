//! Personalized data permissions (PDP): a dataset's row policies
//! ("filter groups") and the switch that turns them on, and `row_rule`,
//! the condition `rows::visible_rows` adds for a caller under them.
//!
//! With PDP on, the owner, co-owners and Admins see every row (the open
//! "All Rows" policy); anyone else sees the union of the rows of the
//! policies that name them or one of their groups, and nothing when none
//! does. A policy matches the rows where every parameter holds; one with
//! no parameters matches every row. A parameter never matches a null
//! (`EQUALS`, `GREATER_THAN`, `CONTAINS`, ...), and its negation (`not`,
//! or `NOT_EQUALS`) always does: a null equals, exceeds and contains
//! nothing. The public API's policies (`/v1/datasets/{id}/policies`) are
//! these very policies, with its `filters` for `parameters`.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::users::{groups_of, is_admin};
use super::{
    AccessLevel, Column, Dataset, Need, Result, Store, StoreError, UserId, access_level,
    open_dataset, parse_id, quote_ident, sql_literal, touch,
};
use crate::csvio::{self, ColumnType};

pub(super) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS pdp_settings (
    dataset_pk INTEGER PRIMARY KEY,
    enabled INTEGER NOT NULL,
    external INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS pdp_policies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dataset_pk INTEGER NOT NULL,
    name TEXT NOT NULL,
    -- JSON arrays
    user_ids TEXT NOT NULL,
    group_ids TEXT NOT NULL,
    virtual_user_ids TEXT NOT NULL,
    data_source_permissions INTEGER NOT NULL,
    parameters TEXT NOT NULL
);
"#;

/// The tables of this module, which SQL queries may never read.
pub(super) const TABLES: [&str; 2] = ["pdp_settings", "pdp_policies"];

/// The id the open "All Rows" policy is listed under; stored policies
/// count from 1.
pub(crate) const OPEN_POLICY_ID: i64 = 0;

/// How a parameter compares a column with its values: the product API's
/// `EQUALS` and `NOT_EQUALS`, and the operators of the public API's
/// filters. The comparisons take one value, `BETWEEN` two (inclusive);
/// the others match when any value does. Text matching is exact (unless
/// `ignoreCase`), but `LIKE` (SQL's `%` and `_`) ignores ASCII case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum Operator {
    Equals,
    NotEquals,
    Like,
    GreaterThan,
    LessThan,
    GreaterThanEqual,
    LessThanEqual,
    Between,
    BeginsWith,
    EndsWith,
    Contains,
}

impl Operator {
    pub const ALL: [Operator; 11] = [
        Self::Equals,
        Self::NotEquals,
        Self::Like,
        Self::GreaterThan,
        Self::LessThan,
        Self::GreaterThanEqual,
        Self::LessThanEqual,
        Self::Between,
        Self::BeginsWith,
        Self::EndsWith,
        Self::Contains,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Equals => "EQUALS",
            Self::NotEquals => "NOT_EQUALS",
            Self::Like => "LIKE",
            Self::GreaterThan => "GREATER_THAN",
            Self::LessThan => "LESS_THAN",
            Self::GreaterThanEqual => "GREATER_THAN_EQUAL",
            Self::LessThanEqual => "LESS_THAN_EQUAL",
            Self::Between => "BETWEEN",
            Self::BeginsWith => "BEGINS_WITH",
            Self::EndsWith => "ENDS_WITH",
            Self::Contains => "CONTAINS",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// How many values the operator compares with, when it is fixed.
    fn arity(self) -> Option<usize> {
        match self {
            Self::GreaterThan | Self::LessThan | Self::GreaterThanEqual | Self::LessThanEqual => {
                Some(1)
            }
            Self::Between => Some(2),
            _ => None,
        }
    }
}

/// One condition of a policy, as stored and listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Parameter {
    pub column: String,
    pub values: Vec<String>,
    pub operator: Operator,
    pub ignore_case: bool,
    /// Matches the rows the operator does not (the public API's `not`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub negate: bool,
}

/// A parameter as a request gives it: kind and operator still text, so
/// the refusal of an unknown one is made (and worded) here.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NewParameter {
    pub kind: String,
    pub column: String,
    pub values: Vec<String>,
    pub operator: Option<String>,
    pub ignore_case: bool,
    pub negate: bool,
}

/// A policy as a request gives it.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct NewPolicy {
    pub name: String,
    /// `dataSourceId` of the body, which must name the dataset of the path.
    pub dataset_id: Option<String>,
    pub user_ids: Vec<UserId>,
    pub group_ids: Vec<i64>,
    pub virtual_user_ids: Vec<String>,
    pub data_source_permissions: bool,
    pub parameters: Vec<NewParameter>,
    /// The public API's rule: "users and groups must exist before creating
    /// PDP policy" (the product API keeps ids it does not know).
    pub known_principals: bool,
}

/// A stored policy (or the open one).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Policy {
    pub id: i64,
    pub dataset_id: String,
    pub name: String,
    pub user_ids: Vec<UserId>,
    pub group_ids: Vec<i64>,
    pub virtual_user_ids: Vec<String>,
    pub data_source_permissions: bool,
    pub parameters: Vec<Parameter>,
    pub open: bool,
}

/// Whether PDP is on for a dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PdpSettings {
    pub enabled: bool,
    pub external: bool,
}

/// Whether PDP is on for the dataset with storage key `pk`.
pub(super) fn pdp_enabled(conn: &Connection, pk: i64) -> Result<bool> {
    Ok(settings(conn, pk)?.enabled)
}

pub(super) fn settings(conn: &Connection, pk: i64) -> Result<PdpSettings> {
    let row: Option<(bool, bool)> = conn
        .prepare_cached("SELECT enabled, external FROM pdp_settings WHERE dataset_pk = ?")?
        .query_row([pk], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (enabled, external) = row.unwrap_or((false, false));
    Ok(PdpSettings { enabled, external })
}

/// Owners, co-owners (by their grant: an owner who gave ownership away
/// and kept less is no longer one) and Admins: they edit policies and see
/// every row.
pub(super) fn sees_all(conn: &Connection, ds: &Dataset, user: UserId) -> Result<bool> {
    if is_admin(conn, user)? {
        return Ok(true);
    }
    Ok(matches!(
        access_level(conn, ds.pk, user)?,
        Some(AccessLevel::Owner | AccessLevel::CoOwner)
    ))
}

fn require_manager(conn: &Connection, ds: &Dataset, user: UserId, what: &str) -> Result<()> {
    if sees_all(conn, ds, user)? {
        return Ok(());
    }
    Err(StoreError::forbidden(format!(
        "only the owner, a co-owner or an Admin may {what} of dataset {} (user {user} is none of them)",
        ds.id
    )))
}

fn json_text<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::internal(format!("encoding a policy: {e}")))
}

fn from_json<T: for<'de> Deserialize<'de>>(s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| StoreError::internal(format!("stored policy: {e}")))
}

pub(super) fn load(conn: &Connection, ds: &Dataset, only: Option<i64>) -> Result<Vec<Policy>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, user_ids, group_ids, virtual_user_ids, data_source_permissions, parameters
         FROM pdp_policies WHERE dataset_pk = ? AND (? IS NULL OR id = ?) ORDER BY id",
    )?;
    let rows = stmt
        .query_map(params![ds.pk, only, only], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, bool>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(
            |(id, name, users, groups, virtual_users, dsp, parameters)| {
                Ok(Policy {
                    id,
                    dataset_id: ds.id.clone(),
                    name,
                    user_ids: from_json(&users)?,
                    group_ids: from_json(&groups)?,
                    virtual_user_ids: from_json(&virtual_users)?,
                    data_source_permissions: dsp,
                    parameters: from_json(&parameters)?,
                    open: false,
                })
            },
        )
        .collect()
}

/// The open "All Rows" policy: the owner and co-owners, every row.
fn open_policy(conn: &Connection, ds: &Dataset) -> Result<Policy> {
    let mut stmt = conn.prepare_cached(
        "SELECT principal_type, principal_id FROM permissions
         WHERE dataset_pk = ? AND access_level IN ('OWNER', 'CO_OWNER') ORDER BY seq",
    )?;
    let mut user_ids = Vec::new();
    let mut group_ids = Vec::new();
    for row in stmt.query_map([ds.pk], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })? {
        let (kind, id) = row?;
        let Ok(id) = id.parse::<i64>() else { continue };
        match kind.as_str() {
            "USER" if !user_ids.contains(&id) => user_ids.push(id),
            "GROUP" if !group_ids.contains(&id) => group_ids.push(id),
            _ => {}
        }
    }
    Ok(Policy {
        id: OPEN_POLICY_ID,
        dataset_id: ds.id.clone(),
        name: "All Rows".to_owned(),
        user_ids,
        group_ids,
        virtual_user_ids: Vec::new(),
        data_source_permissions: false,
        parameters: Vec::new(),
        open: true,
    })
}

/// A value of a parameter as an SQL literal for `col`'s type, or why not.
fn literal(col: &Column, value: &str) -> std::result::Result<String, String> {
    if col.ty.is_numeric() {
        return value
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(|n| format!("{n:?}"))
            .ok_or_else(|| {
                format!(
                    "column `{}` is {}, so every value must be a number, got `{value}`",
                    col.name,
                    col.ty.as_str()
                )
            });
    }
    let normal = match col.ty {
        ColumnType::Date => csvio::normalize_date(value.trim()),
        ColumnType::DateTime => csvio::normalize_datetime(value.trim()),
        _ => None,
    };
    Ok(sql_literal(normal.as_deref().unwrap_or(value)))
}

/// The SQL condition of one parameter over the row table's columns.
fn parameter_sql(p: &Parameter, columns: &[Column]) -> std::result::Result<String, String> {
    let col = columns
        .iter()
        .find(|c| c.name == p.column)
        .ok_or_else(|| format!("the dataset has no column `{}`", p.column))?;
    // NOT_EQUALS is the negation of EQUALS.
    let (op, negate) = match p.operator {
        Operator::NotEquals => (Operator::Equals, !p.negate),
        other => (other, p.negate),
    };
    if let Some(n) = op.arity()
        && p.values.len() != n
    {
        return Err(format!(
            "{} takes {n} value{}, got {}",
            op.as_str(),
            if n == 1 { "" } else { "s" },
            p.values.len()
        ));
    }
    let ident = quote_ident(&col.name);
    let fold = |sql: String| {
        if p.ignore_case {
            format!("lower({sql})")
        } else {
            sql
        }
    };
    // Patterns match the text form, whatever the column's type.
    let pattern = matches!(
        op,
        Operator::Like | Operator::BeginsWith | Operator::EndsWith | Operator::Contains
    );
    let text = fold(format!("CAST({ident} AS TEXT)"));
    let lhs = if pattern {
        text.clone()
    } else if col.ty.is_numeric() {
        format!("CAST({ident} AS REAL)")
    } else {
        fold(ident.clone())
    };
    let value = |v: &String| -> std::result::Result<String, String> {
        if pattern {
            Ok(fold(sql_literal(v)))
        } else if col.ty.is_numeric() {
            literal(col, v)
        } else {
            literal(col, v).map(fold)
        }
    };
    let values = p
        .values
        .iter()
        .map(value)
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let any = |each: &dyn Fn(&str, &String) -> String| -> String {
        if values.is_empty() {
            return "0".to_owned();
        }
        let parts: Vec<String> = values
            .iter()
            .zip(&p.values)
            .map(|(sql, raw)| each(sql, raw))
            .collect();
        format!("({})", parts.join(" OR "))
    };
    let holds = match op {
        Operator::Equals | Operator::NotEquals if values.is_empty() => "0".to_owned(),
        Operator::Equals | Operator::NotEquals => format!("{lhs} IN ({})", values.join(", ")),
        Operator::GreaterThan => format!("{lhs} > {}", values[0]),
        Operator::LessThan => format!("{lhs} < {}", values[0]),
        Operator::GreaterThanEqual => format!("{lhs} >= {}", values[0]),
        Operator::LessThanEqual => format!("{lhs} <= {}", values[0]),
        Operator::Between => format!("{lhs} BETWEEN {} AND {}", values[0], values[1]),
        Operator::Like => any(&|v, _| format!("{text} LIKE {v}")),
        Operator::BeginsWith => any(&|v, _| format!("instr({text}, {v}) = 1")),
        Operator::Contains => any(&|v, _| format!("instr({text}, {v}) > 0")),
        Operator::EndsWith => any(&|v, raw| match raw.chars().count() {
            0 => "1".to_owned(),
            n => format!("substr({text}, -{n}) = {v}"),
        }),
    };
    Ok(if negate {
        format!("({ident} IS NULL OR NOT ({holds}))")
    } else {
        format!("({ident} IS NOT NULL AND {holds})")
    })
}

/// The rows a policy matches, as SQL; a parameter that no longer fits the
/// schema (its column dropped) makes the policy match nothing.
fn policy_sql(p: &Policy, columns: &[Column]) -> String {
    if p.parameters.is_empty() {
        return "1".to_owned();
    }
    let parts: std::result::Result<Vec<String>, String> = p
        .parameters
        .iter()
        .map(|param| parameter_sql(param, columns))
        .collect();
    match parts {
        Ok(parts) => format!("({})", parts.join(" AND ")),
        Err(_) => "0".to_owned(),
    }
}

/// The row condition PDP puts on `user`'s reads of `ds`, or `None` when
/// they see every row (PDP off, or owner, co-owner, Admin).
pub(super) fn row_rule(conn: &Connection, ds: &Dataset, user: UserId) -> Result<Option<String>> {
    if !settings(conn, ds.pk)?.enabled || sees_all(conn, ds, user)? {
        return Ok(None);
    }
    let groups = groups_of(conn, user)?;
    let mine: Vec<String> = load(conn, ds, None)?
        .iter()
        .filter(|p| p.user_ids.contains(&user) || p.group_ids.iter().any(|g| groups.contains(g)))
        .map(|p| policy_sql(p, &ds.columns))
        .collect();
    if mine.is_empty() {
        return Ok(Some("0".to_owned()));
    }
    Ok(Some(mine.join(" OR ")))
}

/// Checks a request's policy against the dataset, refusing what the
/// emulator would not enforce, naming it.
fn validate(ds: &Dataset, new: &NewPolicy) -> Result<Vec<Parameter>> {
    if new.name.trim().is_empty() {
        return Err(StoreError::invalid("name must not be empty"));
    }
    if let Some(other) = new.dataset_id.as_deref().filter(|d| *d != ds.id) {
        return Err(StoreError::invalid(format!(
            "dataSourceId {other} does not match the dataset of the path, {}",
            ds.id
        )));
    }
    let mut out = Vec::with_capacity(new.parameters.len());
    for (i, p) in new.parameters.iter().enumerate() {
        let at = format!("parameters[{i}]");
        if !p.kind.eq_ignore_ascii_case("COLUMN") {
            return Err(StoreError::invalid(format!(
                "{at}.type `{}` is not supported: only COLUMN parameters are enforced",
                p.kind
            )));
        }
        let given = p.operator.as_deref().unwrap_or("EQUALS");
        let Some(operator) = Operator::parse(given) else {
            let known: Vec<&str> = Operator::ALL.iter().map(|o| o.as_str()).collect();
            return Err(StoreError::invalid(format!(
                "{at}.operator `{given}` is not supported: use one of {}",
                known.join(", ")
            )));
        };
        let param = Parameter {
            column: p.column.clone(),
            values: p.values.clone(),
            operator,
            ignore_case: p.ignore_case,
            negate: p.negate,
        };
        parameter_sql(&param, &ds.columns)
            .map_err(|why| StoreError::invalid(format!("{at} (`{}`): {why}", p.column)))?;
        out.push(param);
    }
    Ok(out)
}

/// Refuses a policy naming a user or group the registry does not know,
/// naming the public API's field (`users`, `groups`): only it has the rule.
fn check_principals(conn: &Connection, new: &NewPolicy) -> Result<()> {
    use super::permissions::PrincipalKind;
    use super::users::require_principal;
    let fields = [
        (PrincipalKind::User, "users", &new.user_ids),
        (PrincipalKind::Group, "groups", &new.group_ids),
    ];
    for (kind, field, ids) in fields {
        for (i, id) in ids.iter().enumerate() {
            require_principal(conn, kind, *id, &format!("{field}[{i}]")).map_err(|e| {
                StoreError::invalid(format!(
                    "{}: users and groups must exist before a policy names them",
                    e.message
                ))
            })?;
        }
    }
    Ok(())
}

fn write_policy(
    conn: &Connection,
    ds: &Dataset,
    id: Option<i64>,
    new: &NewPolicy,
    parameters: &[Parameter],
) -> Result<i64> {
    let values = params![
        ds.pk,
        new.name.trim(),
        json_text(&new.user_ids)?,
        json_text(&new.group_ids)?,
        json_text(&new.virtual_user_ids)?,
        new.data_source_permissions,
        json_text(&parameters)?,
    ];
    match id {
        None => {
            conn.execute(
                "INSERT INTO pdp_policies (dataset_pk, name, user_ids, group_ids, virtual_user_ids,
                                           data_source_permissions, parameters)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
                values,
            )?;
            Ok(conn.last_insert_rowid())
        }
        Some(id) => {
            let mut all: Vec<&dyn rusqlite::ToSql> = values.to_vec();
            all.push(&id);
            conn.execute(
                "UPDATE pdp_policies SET dataset_pk = ?, name = ?, user_ids = ?, group_ids = ?,
                        virtual_user_ids = ?, data_source_permissions = ?, parameters = ?
                 WHERE id = ?",
                all.as_slice(),
            )?;
            Ok(id)
        }
    }
}

/// Turns PDP on or off (the product API's switch, the public API's
/// `pdpEnabled`); only a manager of the dataset may.
pub(super) fn write_pdp(
    conn: &Connection,
    ds: &Dataset,
    user: UserId,
    enabled: bool,
    external: bool,
    now: i64,
) -> Result<()> {
    require_manager(conn, ds, user, "turn row policies (PDP) on or off")?;
    conn.execute(
        "INSERT INTO pdp_settings (dataset_pk, enabled, external) VALUES (?, ?, ?)
         ON CONFLICT (dataset_pk) DO UPDATE SET enabled = excluded.enabled,
                                                external = excluded.external",
        params![ds.pk, enabled, external],
    )?;
    touch(conn, ds.pk, now)
}

fn policy_id(ds: &Dataset, raw: &str) -> Result<i64> {
    let id = parse_id("policy", raw)?;
    if id == OPEN_POLICY_ID {
        return Err(StoreError::invalid(format!(
            "policy {id} is the open \"All Rows\" policy of dataset {}: it follows the owners and co-owners and cannot be changed",
            ds.id
        )));
    }
    Ok(id)
}

fn one(conn: &Connection, ds: &Dataset, id: i64) -> Result<Policy> {
    load(conn, ds, Some(id))?.pop().ok_or_else(|| {
        StoreError::not_found(format!("policy {id} does not exist on dataset {}", ds.id))
    })
}

impl Store {
    /// `GET .../filter-groups`; the open policy first when asked for.
    pub(crate) fn list_policies(
        &self,
        user: UserId,
        id: &str,
        include_open: bool,
    ) -> Result<Vec<Policy>> {
        self.read(|conn| {
            let ds = open_dataset(conn, id, user, Need::Read)?;
            require_manager(conn, &ds, user, "read the row policies")?;
            let mut out = Vec::new();
            if include_open {
                out.push(open_policy(conn, &ds)?);
            }
            out.extend(load(conn, &ds, None)?);
            Ok(out)
        })
    }

    /// `GET .../filter-groups/{policyId}`.
    pub(crate) fn get_policy(&self, user: UserId, id: &str, policy: &str) -> Result<Policy> {
        self.read(|conn| {
            let ds = open_dataset(conn, id, user, Need::Read)?;
            require_manager(conn, &ds, user, "read the row policies")?;
            if parse_id("policy", policy)? == OPEN_POLICY_ID {
                return open_policy(conn, &ds);
            }
            one(conn, &ds, policy_id(&ds, policy)?)
        })
    }

    /// `POST .../filter-groups`.
    pub(crate) fn create_policy(&self, user: UserId, id: &str, new: &NewPolicy) -> Result<Policy> {
        self.write(|conn| {
            let ds = open_dataset(conn, id, user, Need::Read)?;
            require_manager(conn, &ds, user, "change the row policies")?;
            let parameters = validate(&ds, new)?;
            if new.known_principals {
                check_principals(conn, new)?;
            }
            let pid = write_policy(conn, &ds, None, new, &parameters)?;
            touch(conn, ds.pk, self.now_ms())?;
            one(conn, &ds, pid)
        })
    }

    /// `PUT .../filter-groups/{policyId}`: replaces the whole policy.
    pub(crate) fn update_policy(
        &self,
        user: UserId,
        id: &str,
        policy: &str,
        new: &NewPolicy,
    ) -> Result<Policy> {
        self.write(|conn| {
            let ds = open_dataset(conn, id, user, Need::Read)?;
            require_manager(conn, &ds, user, "change the row policies")?;
            let pid = policy_id(&ds, policy)?;
            one(conn, &ds, pid)?;
            let parameters = validate(&ds, new)?;
            if new.known_principals {
                check_principals(conn, new)?;
            }
            write_policy(conn, &ds, Some(pid), new, &parameters)?;
            touch(conn, ds.pk, self.now_ms())?;
            one(conn, &ds, pid)
        })
    }

    /// `DELETE .../filter-groups/{policyId}`; deleting one already gone is
    /// a 404.
    pub(crate) fn delete_policy(&self, user: UserId, id: &str, policy: &str) -> Result<()> {
        self.write(|conn| {
            let ds = open_dataset(conn, id, user, Need::Read)?;
            require_manager(conn, &ds, user, "change the row policies")?;
            let pid = policy_id(&ds, policy)?;
            one(conn, &ds, pid)?;
            conn.execute("DELETE FROM pdp_policies WHERE id = ?", [pid])?;
            touch(conn, ds.pk, self.now_ms())
        })
    }

    /// `GET /api/query/v1/data-control/{id}`.
    pub(crate) fn pdp_settings(&self, user: UserId, id: &str) -> Result<PdpSettings> {
        self.read(|conn| {
            let ds = open_dataset(conn, id, user, Need::Read)?;
            settings(conn, ds.pk)
        })
    }

    /// `PUT /api/query/v1/data-control/{id}` `{enabled, external}`.
    pub(crate) fn set_pdp(
        &self,
        user: UserId,
        id: &str,
        enabled: bool,
        external: bool,
    ) -> Result<PdpSettings> {
        self.write(|conn| {
            let ds = open_dataset(conn, id, user, Need::Read)?;
            write_pdp(conn, &ds, user, enabled, external, self.now_ms())?;
            settings(conn, ds.pk)
        })
    }
}
