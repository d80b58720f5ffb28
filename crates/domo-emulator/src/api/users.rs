//! People: `GET /api/content/v2/users/me` (`Me`) and password login,
//! `POST /api/content/v2/authentication` (`Login`). A refused login is an
//! HTTP 200 with `success: false` and a `reason`, as Domo answers; no
//! reply or error message ever carries the password.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::state::{AppState, Caller, RawBody, parse_json};
use crate::store::users::{Login, User};

/// `Me`: the caller, from the registry.
pub(crate) async fn me(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> Result<Json<Value>, ApiError> {
    let found = state.store.run(move |s| s.find_user(user)).await?;
    let u = found.unwrap_or_else(|| User::implicit(user));
    Ok(Json(json!({
        "id": u.id,
        "displayName": u.display_name,
        "userName": u.email,
        "emailAddress": u.email,
        "role": u.role.as_str(),
    })))
}

/// A text field of the login body; the message names the field, never
/// its value.
fn text_field<'a>(body: &'a Value, name: &str) -> Result<&'a str, ApiError> {
    match body.get(name) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(ApiError::bad_request(format!("{name} must be a string"))),
        None => Err(ApiError::bad_request(format!("{name} is required"))),
    }
}

/// `Login` `{"method": "password", "emailAddress", "password"}`.
pub(crate) async fn login(
    State(state): State<AppState>,
    RawBody(bytes): RawBody,
) -> Result<Json<Value>, ApiError> {
    // Parsed as a value first: a typed parse error could quote the password.
    let body: Value =
        parse_json(&bytes).map_err(|_| ApiError::bad_request("the body must be a JSON object"))?;
    if !body.is_object() {
        return Err(ApiError::bad_request("the body must be a JSON object"));
    }
    let method = text_field(&body, "method")?;
    if !method.eq_ignore_ascii_case("password") {
        return Err(ApiError::bad_request(format!(
            "method `{method}` is not supported: only \"password\" logins"
        )));
    }
    let email = text_field(&body, "emailAddress")?.to_owned();
    let password = text_field(&body, "password")?.to_owned();
    let outcome = state.store.run(move |s| s.login(&email, &password)).await?;
    Ok(Json(match outcome {
        Login::Session { token, user_id } => json!({
            "success": true,
            "sessionToken": token,
            "userId": user_id,
        }),
        Login::InvalidCredentials => json!({"success": false, "reason": "INVALID_CREDENTIALS"}),
        Login::Locked => json!({"success": false, "reason": "ACCOUNT_LOCKED"}),
    }))
}
