//! A dataset's schema on its three paths (`GetSchema`, `GetLatestSchema`,
//! `GetIndexedSchema`), all read `Store::get_schema`, and its change,
//! `POST /api/data/v2/datasources/{id}/schemas` (`AlterSchema`). Every
//! column carries `upsertKey`.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::state::{ApiPath, AppState, Caller, JsonBody};
use crate::store::datasets::Schema;
use crate::store::schema::NewColumn;

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
        .map(|c| json!({"name": c.name, "type": c.ty.as_str(), "upsertKey": c.upsert_key}))
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
    Ok(Json(latest_schema_json(&schema)))
}

/// The v2 schema form: `{"schema": {"columns": [...]}, "dataSourceId"}`.
fn latest_schema_json(schema: &Schema) -> Value {
    let cols: Vec<Value> = schema
        .columns
        .iter()
        .map(|c| {
            json!({
                "type": c.ty.as_str(),
                "name": c.name,
                "id": c.name,
                "visible": true,
                "upsertKey": c.upsert_key,
                "metadata": {"colLabel": c.name, "colFormat": "", "isEncrypted": false},
            })
        })
        .collect();
    json!({"schema": {"columns": cols}, "dataSourceId": schema.dataset_id})
}

#[derive(Debug, Deserialize)]
pub(crate) struct AlterBody {
    columns: Vec<ColumnIn>,
    /// Sent empty by domolibrary; what it could hold has no meaning here.
    objects: Option<Vec<Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ColumnIn {
    name: String,
    #[serde(rename = "type")]
    ty: String,
    upsert_key: Option<bool>,
}

/// `AlterSchema`: the whole new column list `{"columns": [{"type", "name",
/// "upsertKey"?}], "objects": []}`; how it maps onto the stored rows is
/// `store::schema`'s rule. A column without `upsertKey` keeps the flag of
/// the column it continues. Answers the new schema in the v2 form.
pub(crate) async fn alter_schema(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    JsonBody(body): JsonBody<AlterBody>,
) -> Result<Json<Value>, ApiError> {
    if body.objects.as_ref().is_some_and(|o| !o.is_empty()) {
        return Err(ApiError::bad_request(
            "objects must be empty: the emulator has no schema objects",
        ));
    }
    let columns = body
        .columns
        .into_iter()
        .map(|c| NewColumn {
            name: c.name,
            ty: c.ty,
            upsert_key: c.upsert_key,
        })
        .collect();
    let schema = state
        .store
        .run(move |s| s.alter_schema(user, &id, columns))
        .await?;
    Ok(Json(latest_schema_json(&schema)))
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
            json!({"name": c.name, "id": c.name, "type": c.ty.as_str(), "visible": true, "order": i, "upsertKey": c.upsert_key})
        })
        .collect();
    Ok(Json(json!({
        "name": "schema",
        "tables": [{"name": "table", "columns": cols}],
        "dataSourceId": schema.dataset_id,
    })))
}
