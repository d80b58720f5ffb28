//! `POST /api/query/v1/execute/{id}` (`ExecuteQuery`): `{"sql": "..."}`
//! over the dataset, named `table`. Confinement lives in `store::query`.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::Value;

use crate::error::ApiError;
use crate::reply::query_result_json;
use crate::state::{ApiPath, AppState, Caller, JsonBody};

#[derive(Debug, Deserialize)]
pub(crate) struct SqlBody {
    sql: String,
}

pub(crate) async fn execute_query(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    JsonBody(body): JsonBody<SqlBody>,
) -> Result<Json<Value>, ApiError> {
    let result = state
        .store
        .run(move |s| s.execute_query(user, &id, &body.sql))
        .await?;
    Ok(Json(query_result_json(result)))
}
