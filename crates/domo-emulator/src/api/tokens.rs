//! Access tokens: `POST /api/data/v1/accesstokens` (`CreateAccessToken`,
//! the only reply with the value), `GET` (`ListAccessTokens`, never a
//! value) and `DELETE .../{id}` (`RevokeAccessToken`).

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::reply::empty_ok;
use crate::state::{ApiPath, AppState, Caller, JsonBody};
use crate::store::users::AccessToken;

fn token_json(t: &AccessToken) -> Value {
    json!({
        "id": t.id,
        "name": t.name,
        "ownerId": t.owner_id,
        "ownerName": t.owner_name,
        "expires": t.expires_ms,
        "created": t.created_ms,
    })
}

/// A user id as a number or a numeric string.
fn user_id(v: &Value, field: &str) -> Result<i64, ApiError> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| ApiError::bad_request(format!("{field} must be a user id, got {v}")))
}

/// `{name, ownerId, expires}`; ids and times as numbers or strings.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MintBody {
    name: Option<Value>,
    owner_id: Option<Value>,
    expires: Option<Value>,
}

pub(crate) async fn create_access_token(
    State(state): State<AppState>,
    Caller(user): Caller,
    JsonBody(body): JsonBody<MintBody>,
) -> Result<Json<Value>, ApiError> {
    let name = match body.name {
        Some(Value::String(s)) => s,
        _ => return Err(ApiError::bad_request("name is required (a string)")),
    };
    let owner = match &body.owner_id {
        None | Some(Value::Null) => user,
        Some(v) => user_id(v, "ownerId")?,
    };
    let expires = match &body.expires {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| ApiError::bad_request("expires is required: epoch milliseconds"))?;
    let (token, value) = state
        .store
        .run(move |s| s.mint_access_token(user, &name, owner, expires))
        .await?;
    let mut out = token_json(&token);
    if let Some(obj) = out.as_object_mut() {
        obj.insert("token".to_owned(), Value::String(value));
    }
    Ok(Json(out))
}

pub(crate) async fn list_access_tokens(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> Result<Json<Value>, ApiError> {
    let tokens = state.store.run(move |s| s.list_access_tokens(user)).await?;
    Ok(Json(Value::Array(tokens.iter().map(token_json).collect())))
}

pub(crate) async fn revoke_access_token(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    state
        .store
        .run(move |s| s.revoke_access_token(user, &id))
        .await?;
    Ok(empty_ok())
}
