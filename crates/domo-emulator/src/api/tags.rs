//! `POST /api/data/ui/v3/datasources/{id}/tags` (`SetTags`): a bare JSON
//! array that replaces the tag set.

use axum::extract::State;
use axum::response::Response;

use crate::error::ApiError;
use crate::reply::empty_ok;
use crate::state::{ApiPath, AppState, Caller, JsonBody};

pub(crate) async fn set_tags(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    JsonBody(tags): JsonBody<Vec<String>>,
) -> Result<Response, ApiError> {
    state
        .store
        .run(move |s| s.set_tags(user, &id, tags))
        .await?;
    Ok(empty_ok())
}
