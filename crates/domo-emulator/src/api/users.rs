//! People: `GET /api/content/v2/users/me` (`Me`) and password login,
//! `POST /api/content/v2/authentication` (`Login`). A refused login is an
//! HTTP 200 with `success: false` and a `reason`, as Domo answers; no
//! reply or error message ever carries the password.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::state::{AppState, Caller, RawBody, parse_json};
use crate::store::users::Login;

/// `Me`: the caller, from the registry.
pub(crate) async fn me(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> Result<Json<Value>, ApiError> {
    let u = state.store.run(move |s| s.user(user)).await?;
    Ok(Json(json!({
        "id": u.id,
        "displayName": u.display_name,
        "userName": u.email,
        "emailAddress": u.email,
        "role": u.role.as_str(),
    })))
}

/// The login body, every field any JSON so that no parse error can quote
/// a value; duplicate keys are refused as everywhere.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LoginBody {
    method: Option<Value>,
    email_address: Option<Value>,
    password: Option<Value>,
}

/// A text field of the login body; the message names the field, never
/// its value.
fn text_field(v: Option<Value>, name: &str) -> Result<String, ApiError> {
    match v {
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
    // The parser's own message is not passed on: for a body that is not
    // an object it would quote the body, password and all.
    let body: LoginBody = parse_json(&bytes).map_err(|_| {
        ApiError::bad_request(
            "the body must be one JSON object {\"method\", \"emailAddress\", \"password\"} without duplicate keys",
        )
    })?;
    let method = text_field(body.method, "method")?;
    if !method.eq_ignore_ascii_case("password") {
        return Err(ApiError::bad_request(format!(
            "method `{method}` is not supported: only \"password\" logins"
        )));
    }
    let email = text_field(body.email_address, "emailAddress")?;
    let password = text_field(body.password, "password")?;
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
