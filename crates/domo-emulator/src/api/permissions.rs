//! Dataset permissions: list, share (grant or change a level), revoke and
//! remove. A dataset always keeps at least one OWNER.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use rusqlite::{Connection, Transaction, params};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::datasets::empty_ok;
use crate::db::{AccessLevel, Dataset, Need, now_ms, open_dataset, user_name};
use crate::error::ApiError;
use crate::state::{ApiPath, AppState, Caller, JsonBody};

fn principal_name(kind: &str, id: &str) -> String {
    match id.parse::<i64>() {
        Ok(n) if kind == "USER" => user_name(n),
        _ if kind == "GROUP" => format!("Group {id}"),
        _ => format!("User {id}"),
    }
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    let value = state
        .db
        .read(move |conn| {
            let ds = open_dataset(conn, &id, user, Need::Read)?;
            let mut stmt = conn.prepare(
                "SELECT principal_type, principal_id, access_level FROM permissions
                 WHERE dataset_pk = ? ORDER BY seq, principal_type, principal_id",
            )?;
            let entries = stmt
                .query_map([ds.pk], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let users = entries.iter().filter(|e| e.0 == "USER").count();
            let groups = entries.len() - users;
            let list: Vec<Value> = entries
                .into_iter()
                .map(|(kind, pid, level)| {
                    let name = principal_name(&kind, &pid);
                    json!({"type": kind, "id": pid, "accessLevel": level, "name": name})
                })
                .collect();
            Ok(json!({"list": list, "totalUserCount": users, "totalGroupCount": groups}))
        })
        .await?;
    Ok(Json(value))
}

/// User and group ids arrive as strings or numbers.
fn principal_id(v: &Value, at: &str) -> Result<String, ApiError> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
        other => Err(ApiError::bad_request(format!(
            "{at}.id must be a user or group id, got {other}"
        ))),
    }
}

fn principal_type(v: Option<&str>, at: &str) -> Result<&'static str, ApiError> {
    match v.unwrap_or("USER") {
        "USER" => Ok("USER"),
        "GROUP" => Ok("GROUP"),
        other => Err(ApiError::bad_request(format!(
            "{at}.type must be USER or GROUP, got `{other}`"
        ))),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ShareBody {
    permissions: Vec<ShareEntry>,
    /// Mail is not sent anywhere; accepted (and type-checked) for compatibility.
    send_email: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ShareEntry {
    #[serde(rename = "type")]
    kind: Option<String>,
    id: Value,
    access_level: Option<String>,
}

fn ensure_an_owner_remains(tx: &Transaction<'_>, ds: &Dataset) -> Result<(), ApiError> {
    let owners: i64 = tx.query_row(
        "SELECT COUNT(*) FROM permissions WHERE dataset_pk = ? AND access_level = 'OWNER'",
        [ds.pk],
        |r| r.get(0),
    )?;
    if owners == 0 {
        return Err(ApiError::bad_request(format!(
            "dataset {} must keep at least one OWNER; grant OWNER to someone else first",
            ds.id
        )));
    }
    Ok(())
}

pub(crate) async fn share(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    JsonBody(body): JsonBody<ShareBody>,
) -> Result<Response, ApiError> {
    let _accepted = body.send_email;
    let mut grants = Vec::with_capacity(body.permissions.len());
    for (i, e) in body.permissions.iter().enumerate() {
        let at = format!("permissions[{i}]");
        let kind = principal_type(e.kind.as_deref(), &at)?;
        let pid = principal_id(&e.id, &at)?;
        let level_text = e.access_level.as_deref().unwrap_or("");
        let level = AccessLevel::parse(level_text).ok_or_else(|| {
            ApiError::bad_request(format!(
                "{at} ({kind} {pid}): accessLevel must be OWNER, CO_OWNER, CAN_EDIT or CAN_SHARE, got `{level_text}`"
            ))
        })?;
        grants.push((kind, pid, level));
    }
    state
        .db
        .write(move |conn| {
            let ds = open_dataset(conn, &id, user, Need::Share)?;
            let tx = conn.transaction()?;
            for (kind, pid, level) in &grants {
                let seq = next_seq(&tx, ds.pk)?;
                tx.execute(
                    "INSERT INTO permissions (dataset_pk, principal_type, principal_id, access_level, seq)
                     VALUES (?, ?, ?, ?, ?)
                     ON CONFLICT (dataset_pk, principal_type, principal_id)
                     DO UPDATE SET access_level = excluded.access_level",
                    params![ds.pk, kind, pid, level.as_str(), seq],
                )?;
            }
            ensure_an_owner_remains(&tx, &ds)?;
            touch(&tx, &ds)?;
            tx.commit()?;
            Ok(())
        })
        .await?;
    Ok(empty_ok())
}

fn next_seq(conn: &Connection, pk: i64) -> Result<i64, ApiError> {
    Ok(conn.query_row(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM permissions WHERE dataset_pk = ?",
        [pk],
        |r| r.get(0),
    )?)
}

fn touch(conn: &Connection, ds: &Dataset) -> Result<(), ApiError> {
    conn.execute(
        "UPDATE datasets SET last_touched_ms = ? WHERE pk = ?",
        params![now_ms(), ds.pk],
    )?;
    Ok(())
}

/// Removes principals; removing someone without access is a no-op, so a
/// retried DELETE answers the same as the first one.
async fn remove(
    state: AppState,
    user: i64,
    id: String,
    who: Vec<(&'static str, String)>,
) -> Result<Response, ApiError> {
    state
        .db
        .write(move |conn| {
            let ds = open_dataset(conn, &id, user, Need::Share)?;
            let tx = conn.transaction()?;
            for (kind, pid) in &who {
                tx.execute(
                    "DELETE FROM permissions WHERE dataset_pk = ? AND principal_type = ? AND principal_id = ?",
                    params![ds.pk, kind, pid],
                )?;
            }
            ensure_an_owner_remains(&tx, &ds)?;
            touch(&tx, &ds)?;
            tx.commit()?;
            Ok(())
        })
        .await?;
    Ok(empty_ok())
}

/// `DELETE .../permissions/USER/{userId}` and `DELETE .../USERS/{userId}`.
pub(crate) async fn revoke_user(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, user_id)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let pid = principal_id(&Value::String(user_id), "userId")?;
    remove(state, user, id, vec![("USER", pid)]).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct RemoveEntry {
    id: Value,
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// `DELETE .../users` with a JSON array body `[{"id","type"}]`.
pub(crate) async fn remove_many(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    JsonBody(entries): JsonBody<Vec<RemoveEntry>>,
) -> Result<Response, ApiError> {
    let mut who = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let at = format!("[{i}]");
        who.push((
            principal_type(e.kind.as_deref(), &at)?,
            principal_id(&e.id, &at)?,
        ));
    }
    remove(state, user, id, who).await
}
