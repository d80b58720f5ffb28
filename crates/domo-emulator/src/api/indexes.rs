//! `POST .../{id}/indexes` (`StartIndex`) and
//! `GET .../{id}/indexes/{indexId}/statuses` (`IndexStatus`).

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::state::{ApiPath, AppState, Caller, OptionalJson};

/// The body (`{"dataIds": []}`) is optional and not used.
pub(crate) async fn start_index(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    OptionalJson(_body): OptionalJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let index_id = state.store.run(move |s| s.start_index(user, &id)).await?;
    Ok(Json(json!({"indexId": index_id, "status": "QUEUED"})))
}

/// Indexing is immediate here, so a known index has succeeded.
pub(crate) async fn index_status(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, index_id)): ApiPath<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let index = state
        .store
        .run(move |s| s.index_status(user, &id, &index_id))
        .await?;
    Ok(Json(json!({
        "indexId": index.index_id,
        "status": "SUCCESS",
        "dataSourceId": index.dataset_id,
    })))
}
