//! `GET /api/content/v2/users/me` (`WhoAmI`): who the token belongs to.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::state::{AppState, Caller};

pub(crate) async fn who_am_i(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> Result<Json<Value>, ApiError> {
    let me = state.store.run(move |s| s.who_am_i(user)).await?;
    Ok(Json(json!({
        "id": me.id,
        "displayName": me.display_name,
        "userName": me.user_name,
        "emailAddress": me.email,
        "role": me.role,
    })))
}
