//! Partitions: `GET .../partition` (`ListPartitions`), `POST .../partition/list`
//! (`ListPartitionsPage`), `POST .../partition/search` (`SearchPartitions`),
//! `DELETE .../tag/{pid}/data` (`DeletePartitionData`) and
//! `DELETE .../partition/{pid}` (`DeletePartitionTag`).

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::reply::empty_ok;
use crate::state::{ApiPath, AppState, Caller, JsonBody, OptionalJson};
use crate::store::UserId;
use crate::store::partitions::{Partition, PartitionField, PartitionPage};

fn partitions_json(parts: Vec<Partition>) -> Json<Value> {
    Json(Value::Array(
        parts
            .into_iter()
            .map(|p| {
                json!({
                    "partitionId": p.id,
                    "status": "SUCCESS",
                    "rowCount": p.row_count,
                    "dataVersionId": p.data_version_id,
                    "dateCompleted": p.date_completed_ms,
                })
            })
            .collect(),
    ))
}

/// `ListPartitions`: newest first.
pub(crate) async fn list_partitions(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    let parts = state
        .store
        .run(move |s| s.list_partitions(user, &id))
        .await?;
    Ok(partitions_json(parts))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListBody {
    #[serde(default)]
    pagination_fields: Vec<PaginationField>,
    limit: Option<u64>,
    offset: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PaginationField {
    field_name: Option<String>,
    sort_order: Option<String>,
    filter_values: Option<MinMax>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
struct MinMax {
    min: Option<i64>,
    max: Option<i64>,
}

/// `ListPartitionsPage`: sorted by completion date (DESC unless the
/// `datecompleted` pagination field asks for ASC), optionally bounded by
/// its MIN/MAX, then paged; past the end is `[]`.
pub(crate) async fn list_partitions_page(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    OptionalJson(body): OptionalJson<ListBody>,
) -> Result<Json<Value>, ApiError> {
    let body = body.unwrap_or(ListBody {
        pagination_fields: Vec::new(),
        limit: None,
        offset: None,
    });
    let mut page = PartitionPage {
        offset: body.offset.unwrap_or(0),
        limit: body.limit,
        ..PartitionPage::default()
    };
    for f in &body.pagination_fields {
        let name = f.field_name.as_deref().unwrap_or("datecompleted");
        if !name.eq_ignore_ascii_case("datecompleted") {
            return Err(ApiError::bad_request(format!(
                "paginationFields: cannot sort or filter by `{name}`; only datecompleted is supported"
            )));
        }
        match f
            .sort_order
            .as_deref()
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            None | Some("DESC") => page.ascending = false,
            Some("ASC") => page.ascending = true,
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "paginationFields.sortOrder must be ASC or DESC, got `{other}`"
                )));
            }
        }
        if let Some(mm) = &f.filter_values {
            page.min = mm.min;
            page.max = mm.max;
        }
    }
    let parts = state
        .store
        .run(move |s| s.list_partitions_page(user, &id, &page))
        .await?;
    Ok(partitions_json(parts))
}

#[derive(Debug, Deserialize)]
pub(crate) struct SearchBody {
    filter: serde_json::Map<String, Value>,
}

/// `SearchPartitions`: partitions whose fields equal every given value.
pub(crate) async fn search_partitions(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    JsonBody(body): JsonBody<SearchBody>,
) -> Result<Json<Value>, ApiError> {
    let mut filter = Vec::with_capacity(body.filter.len());
    for (key, want) in body.filter {
        let field = PartitionField::parse(&key).ok_or_else(|| {
            ApiError::bad_request(format!(
                "filter.{key}: unknown partition field (known: {})",
                PartitionField::NAMES.join(", ")
            ))
        })?;
        filter.push((field, want));
    }
    let parts = state
        .store
        .run(move |s| s.search_partitions(user, &id, &filter))
        .await?;
    Ok(partitions_json(parts))
}

/// `DeletePartitionData`: the partition's rows go, its data versions are
/// marked DELETED, the partition stays listed with no rows.
pub(crate) async fn delete_partition_data(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, pid)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    state
        .store
        .run(move |s| s.delete_partition_data(user, &id, &pid))
        .await?;
    Ok(empty_ok())
}

/// `DeletePartitionTag`: drops the tag (and any rows it still has).
pub(crate) async fn delete_partition_tag(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, pid)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    drop_tag(state, user, id, pid).await
}

/// `DeletePartitionTag` of a partition named `list`, whose path is also
/// the `ListPartitionsPage` route.
pub(crate) async fn delete_partition_tag_list(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    drop_tag(state, user, id, "list".to_owned()).await
}

/// `DeletePartitionTag` of a partition named `search`, whose path is also
/// the `SearchPartitions` route.
pub(crate) async fn delete_partition_tag_search(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    drop_tag(state, user, id, "search".to_owned()).await
}

async fn drop_tag(
    state: AppState,
    user: UserId,
    id: String,
    pid: String,
) -> Result<Response, ApiError> {
    state
        .store
        .run(move |s| s.delete_partition_tag(user, &id, &pid))
        .await?;
    Ok(empty_ok())
}
