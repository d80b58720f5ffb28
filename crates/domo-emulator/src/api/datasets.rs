//! A dataset's metadata and life: `GET /api/data/v3/datasources/{id}`
//! (`GetDataset`), `GET /api/data/v3/datasources?limit&offset`
//! (`ListDatasets`), `POST /api/data/v2/datasources` (`CreateDatasetWithoutStream`, no
//! stream), `PUT .../{id}/properties` (`SetProperties`) and
//! `DELETE .../{id}?deleteMethod=hard` (`DeleteDataset`).

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::limits::MAX_DATASET_PAGE;
use crate::reply::{dataset_json, datasets_page_json, empty_ok};
use crate::state::{ApiPath, ApiQuery, AppState, Caller, JsonBody};
use crate::store::datasets::NewDataset;
use crate::store::schema::NewColumn;

/// `GetDataset`. Query parameters (`part`, `includeAllDetails`, ...) are
/// accepted and change nothing: every part is always there.
pub(crate) async fn get_dataset(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    let ds = state.store.run(move |s| s.get_dataset(user, &id)).await?;
    Ok(Json(dataset_json(&ds)))
}

#[derive(Debug, Deserialize)]
pub(crate) struct ListQuery {
    limit: Option<String>,
    offset: Option<String>,
}

fn parse_u64(name: &str, v: Option<&str>) -> Result<Option<u64>, ApiError> {
    v.map(|s| {
        s.trim().parse::<u64>().map_err(|_| {
            ApiError::bad_request(format!(
                "query parameter {name} must be a non-negative integer, got `{s}`"
            ))
        })
    })
    .transpose()
}

/// `ListDatasets`: the datasets the caller can read, in creation order,
/// at most 50 a page (a larger `limit` is refused).
pub(crate) async fn list_datasets(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let limit = parse_u64("limit", q.limit.as_deref())?.unwrap_or(MAX_DATASET_PAGE);
    let offset = parse_u64("offset", q.offset.as_deref())?.unwrap_or(0);
    if limit > MAX_DATASET_PAGE {
        return Err(ApiError::bad_request(format!(
            "limit {limit} is more than {MAX_DATASET_PAGE}, the largest page of datasets; page with offset"
        )));
    }
    let page = state
        .store
        .run(move |s| s.list_datasets(user, offset, limit))
        .await?;
    Ok(Json(datasets_page_json(&page.datasets, page.total)))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateBody {
    user_defined_type: Option<String>,
    data_source_name: Option<String>,
    data_source_description: Option<String>,
    schema: Option<SchemaIn>,
}

#[derive(Debug, Deserialize)]
struct SchemaIn {
    columns: Vec<ColumnIn>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ColumnIn {
    name: String,
    #[serde(rename = "type")]
    ty: String,
    upsert_key: Option<bool>,
}

/// `CreateDatasetWithoutStream`: `{userDefinedType, dataSourceName,
/// dataSourceDescription?, schema: {columns}}` makes a dataset without a
/// stream (`streamId: null`). The reply is `{"dataSource": {...}}`: the
/// dataset object's fields with its id as `dataSourceId` (Domo's form).
pub(crate) async fn create_dataset_without_stream(
    State(state): State<AppState>,
    Caller(user): Caller,
    JsonBody(body): JsonBody<CreateBody>,
) -> Result<Json<Value>, ApiError> {
    let Some(display_type) = body.user_defined_type else {
        return Err(ApiError::bad_request(
            "userDefinedType is required (for example \"api\")",
        ));
    };
    let Some(name) = body.data_source_name else {
        return Err(ApiError::bad_request("dataSourceName is required"));
    };
    let Some(schema) = body.schema else {
        return Err(ApiError::bad_request(
            "schema is required: {\"columns\": [{\"type\", \"name\"}]}",
        ));
    };
    let new = NewDataset {
        name,
        description: body.data_source_description.unwrap_or_default(),
        display_type,
        columns: schema
            .columns
            .into_iter()
            .map(|c| NewColumn {
                name: c.name,
                ty: c.ty,
                upsert_key: c.upsert_key,
            })
            .collect(),
    };
    let ds = state
        .store
        .run(move |s| s.create_dataset(user, new))
        .await?;
    let mut obj = dataset_json(&ds);
    if let Some(map) = obj.as_object_mut() {
        // One name for the id, so decoders that alias the two never see both.
        map.remove("id");
        map.insert("dataSourceId".to_owned(), json!(ds.id));
    }
    Ok(Json(json!({"dataSource": obj})))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PropertiesBody {
    data_source_name: Option<String>,
    data_source_description: Option<String>,
}

/// `SetProperties`: `{dataSourceName?, dataSourceDescription?}`; a field
/// left out keeps its value. Answers the dataset object, as `GetDataset`.
pub(crate) async fn set_properties(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    JsonBody(body): JsonBody<PropertiesBody>,
) -> Result<Json<Value>, ApiError> {
    if body.data_source_name.is_none() && body.data_source_description.is_none() {
        return Err(ApiError::bad_request(
            "nothing to change: send dataSourceName and/or dataSourceDescription",
        ));
    }
    let ds = state
        .store
        .run(move |s| {
            s.set_properties(
                user,
                &id,
                body.data_source_name,
                body.data_source_description,
            )
        })
        .await?;
    Ok(Json(dataset_json(&ds)))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DeleteQuery {
    delete_method: Option<String>,
}

/// `DeleteDataset`: `deleteMethod=hard`, `soft` or absent (soft). Both
/// remove the dataset from every API (see `Store::delete_dataset`).
pub(crate) async fn delete_dataset(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<DeleteQuery>,
) -> Result<Response, ApiError> {
    match q
        .delete_method
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("hard") | Some("soft") => {}
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "deleteMethod must be hard or soft, got `{other}`"
            )));
        }
    }
    state
        .store
        .run(move |s| s.delete_dataset(user, &id))
        .await?;
    Ok(empty_ok())
}
