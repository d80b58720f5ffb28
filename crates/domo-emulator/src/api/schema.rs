//! A dataset's schema on its three paths (`GetSchema`, `GetLatestSchema`,
//! `GetIndexedSchema`); all read `Store::get_schema`.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::state::{ApiPath, AppState, Caller};

/// `GetSchema`: `GET /api/data/v3/datasources/{id}/schema` (the seed's form).
pub(crate) async fn get_schema(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    let schema = state.store.run(move |s| s.get_schema(user, &id)).await?;
    let cols: Vec<Value> = schema
        .columns
        .iter()
        .map(|c| json!({"name": c.name, "type": c.ty.as_str()}))
        .collect();
    Ok(Json(json!({"columns": cols})))
}

/// `GetLatestSchema`: `GET /api/data/v2/datasources/{id}/schemas/latest`.
pub(crate) async fn get_latest_schema(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    let schema = state.store.run(move |s| s.get_schema(user, &id)).await?;
    let cols: Vec<Value> = schema
        .columns
        .iter()
        .map(|c| {
            json!({
                "type": c.ty.as_str(),
                "name": c.name,
                "id": c.name,
                "visible": true,
                "metadata": {"colLabel": c.name, "colFormat": "", "isEncrypted": false},
            })
        })
        .collect();
    Ok(Json(
        json!({"schema": {"columns": cols}, "dataSourceId": schema.dataset_id}),
    ))
}

/// `GetIndexedSchema`: `GET /api/query/v1/datasources/{id}/schema/indexed`.
pub(crate) async fn get_indexed_schema(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    let schema = state.store.run(move |s| s.get_schema(user, &id)).await?;
    let cols: Vec<Value> = schema
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            json!({"name": c.name, "id": c.name, "type": c.ty.as_str(), "visible": true, "order": i})
        })
        .collect();
    Ok(Json(json!({
        "name": "schema",
        "tables": [{"name": "table", "columns": cols}],
        "dataSourceId": schema.dataset_id,
    })))
}
