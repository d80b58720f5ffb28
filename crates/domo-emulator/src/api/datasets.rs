//! `GET /api/data/v3/datasources/{id}` (`GetDataset`).

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::reply::owner_json;
use crate::state::{ApiPath, AppState, Caller};

/// `GetDataset`. Query parameters (`part`, `includeAllDetails`, ...) are
/// accepted and change nothing: every part is always there.
pub(crate) async fn get_dataset(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    let ds = state.store.run(move |s| s.get_dataset(user, &id)).await?;
    Ok(Json(json!({
        "id": ds.id,
        "name": ds.name,
        "description": ds.description,
        "type": "API",
        "displayType": "api",
        "dataProviderType": "api",
        "status": "SUCCESS",
        "state": "SUCCESS",
        "owner": owner_json(&ds.owner),
        "streamId": ds.stream_id,
        "rowCount": ds.row_count,
        "columnCount": ds.column_count,
        "created": ds.created_ms,
        "lastTouched": ds.last_touched_ms,
        "lastUpdated": ds.last_updated_ms,
        "tags": ds.tags,
        "properties": {"formulas": {"formulas": {}}},
    })))
}
