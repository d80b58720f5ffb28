//! Dataset permissions: `GET .../permissions` (`ListPermissions`),
//! `POST .../share` (`Share`), `DELETE .../permissions/USER/{userId}`
//! (`RevokeUser`), `DELETE .../USERS/{userId}` (`RemoveUser`) and
//! `DELETE .../users` with a JSON array body (`RemoveUsers`).

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::reply::empty_ok;
use crate::state::{ApiPath, AppState, Caller, JsonBody};
use crate::store::AccessLevel;
use crate::store::permissions::{Grant, PrincipalKind};

pub(crate) async fn list_permissions(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    let perms = state
        .store
        .run(move |s| s.list_permissions(user, &id))
        .await?;
    let list: Vec<Value> = perms
        .entries
        .into_iter()
        .map(|p| json!({"type": p.kind, "id": p.id, "accessLevel": p.access_level, "name": p.name}))
        .collect();
    Ok(Json(json!({
        "list": list,
        "totalUserCount": perms.user_count,
        "totalGroupCount": perms.group_count,
    })))
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

fn principal_type(v: Option<&str>, at: &str) -> Result<PrincipalKind, ApiError> {
    let kind = v.unwrap_or("USER");
    PrincipalKind::parse(kind).ok_or_else(|| {
        ApiError::bad_request(format!("{at}.type must be USER or GROUP, got `{kind}`"))
    })
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
                "{at} ({} {pid}): accessLevel must be OWNER, CO_OWNER, CAN_EDIT or CAN_SHARE, got `{level_text}`",
                kind.as_str()
            ))
        })?;
        grants.push(Grant {
            kind,
            id: pid,
            level,
        });
    }
    state
        .store
        .run(move |s| s.share(user, &id, &grants))
        .await?;
    Ok(empty_ok())
}

async fn remove_one_user(
    state: AppState,
    user: i64,
    id: String,
    user_id: String,
) -> Result<Response, ApiError> {
    let who = vec![(
        PrincipalKind::User,
        principal_id(&Value::String(user_id), "userId")?,
    )];
    state
        .store
        .run(move |s| s.remove_permissions(user, &id, &who))
        .await?;
    Ok(empty_ok())
}

/// `RevokeUser`: `DELETE .../permissions/USER/{userId}`.
pub(crate) async fn revoke_user(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, user_id)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    remove_one_user(state, user, id, user_id).await
}

/// `RemoveUser`: `DELETE .../USERS/{userId}`.
pub(crate) async fn remove_user(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, user_id)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    remove_one_user(state, user, id, user_id).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct RemoveEntry {
    id: Value,
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// `RemoveUsers`: `DELETE .../users` with a JSON array body `[{"id","type"}]`.
pub(crate) async fn remove_users(
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
    state
        .store
        .run(move |s| s.remove_permissions(user, &id, &who))
        .await?;
    Ok(empty_ok())
}
