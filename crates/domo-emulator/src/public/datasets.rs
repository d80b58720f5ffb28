//! DataSets of the public API: `GET/POST /v1/datasets` (list with `sort`,
//! `limit` at most 50, `offset`, `nameLike`; create, 201), `GET/PUT/DELETE
//! /v1/datasets/{id}`, `PUT .../data?updateMethod=` (header-less CSV, 204),
//! `GET .../data?includeHeader=` (streamed CSV) and
//! `POST /v1/datasets/query/execute/{id}` (SQL, the execute envelope).

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::Bearer;
use super::shapes::{policy_json, schema_json};
use super::{
    CsvBody, LenientJson, SchemaIn, attachment, created, json_bool, json_id, no_content, ok,
    page_size,
};
use crate::error::ApiError;
use crate::export::stream_csv;
use crate::reply::iso_time;
use crate::row_reply::{self, JsonEnvelope, stream_reply};
use crate::state::{ApiPath, ApiQuery, AppState, JsonBody, parse_bool};
use crate::store::Column;
use crate::store::datasets::{DatasetInfo, DatasetSearch, Filter, SortKey};
use crate::store::policies::Policy;
use crate::store::public::{DatasetChange, DatasetDetail, NewPublicDataset};
use crate::store::rows::ExportRequest;
use crate::store::schema::NewColumn;
use crate::store::uploads::Action;

/// Largest (and default) page of `GET /v1/datasets`.
const MAX_PAGE: u64 = 50;

/// A dataset as the public API shows it; the single GET adds `schema` and
/// `policies`.
fn dataset_json(ds: &DatasetInfo, detail: Option<(&[Column], &[Policy])>) -> Value {
    let mut out = json!({
        "id": ds.id,
        "name": ds.name,
        "description": ds.description,
        "rows": ds.row_count,
        "columns": ds.column_count,
    });
    let map = out.as_object_mut().expect("an object");
    if let Some((columns, _)) = detail {
        map.insert("schema".into(), schema_json(columns));
    }
    map.insert(
        "owner".into(),
        json!({"id": ds.owner.id, "name": ds.owner.name}),
    );
    map.insert("createdAt".into(), json!(iso_time(ds.created_ms)));
    map.insert("updatedAt".into(), json!(iso_time(ds.last_touched_ms)));
    map.insert("dataCurrentAt".into(), json!(iso_time(ds.last_updated_ms)));
    map.insert("pdpEnabled".into(), json!(ds.pdp_enabled));
    if let Some((_, policies)) = detail {
        let policies: Vec<Value> = policies.iter().map(policy_json).collect();
        map.insert("policies".into(), Value::Array(policies));
    }
    out
}

fn detail_json(d: &DatasetDetail) -> Value {
    dataset_json(&d.info, Some((&d.columns, &d.policies)))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListQuery {
    sort: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
    name_like: Option<String>,
}

/// Domo's `DataSourceListOrderBy`. There are no cards or failed runs in
/// the emulator, so the card and error orders keep creation order.
fn sort_key(sort: &str) -> Result<Option<(SortKey, bool)>, ApiError> {
    Ok(match sort {
        "" => None,
        "name" => Some((SortKey::Name, false)),
        "nameDescending" => Some((SortKey::Name, true)),
        "lastTouched" => Some((SortKey::LastTouched, true)),
        "lastTouchedAscending" => Some((SortKey::LastTouched, false)),
        "lastUpdated" => Some((SortKey::LastModified, true)),
        "lastUpdatedAscending" => Some((SortKey::LastModified, false)),
        "createdAt" => Some((SortKey::Created, true)),
        "createdAtAscending" => Some((SortKey::Created, false)),
        "dataSourceId" => Some((SortKey::Id, false)),
        "cardCount"
        | "cardCountAscending"
        | "cardViewCount"
        | "cardViewCountAscending"
        | "errorState"
        | "errorStateDescending" => None,
        other => {
            return Err(ApiError::bad_request(format!(
                "sort `{other}` is not one of name, nameDescending, lastTouched, lastTouchedAscending, lastUpdated, lastUpdatedAscending, createdAt, createdAtAscending, cardCount, cardCountAscending, cardViewCount, cardViewCountAscending, errorState, errorStateDescending, dataSourceId"
            )));
        }
    })
}

/// `GET /v1/datasets`: `[]` past the last page; `nameLike=` (pydomo sends
/// it empty) filters nothing.
pub(crate) async fn list_datasets(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let search = DatasetSearch {
        filters: q
            .name_like
            .filter(|n| !n.trim().is_empty())
            .map(|text| Filter::NameContains { text })
            .into_iter()
            .collect(),
        sort: sort_key(q.sort.as_deref().unwrap_or("").trim())?,
        offset: super::count("offset", q.offset.as_deref())?.unwrap_or(0),
        limit: page_size("limit", q.limit.as_deref(), MAX_PAGE, MAX_PAGE)?,
    };
    let page = state
        .store
        .run(move |s| s.search_datasets(user, &search))
        .await?;
    let items: Vec<Value> = page
        .datasets
        .iter()
        .map(|d| dataset_json(d, None))
        .collect();
    Ok(ok(&Value::Array(items)))
}

pub(crate) async fn get_dataset(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let d = state
        .store
        .run(move |s| s.dataset_detail(user, &id))
        .await?;
    Ok(ok(&detail_json(&d)))
}

fn columns_in(schema: SchemaIn) -> Vec<NewColumn> {
    schema
        .columns
        .into_iter()
        .map(|c| NewColumn::new(c.name, c.ty))
        .collect()
}

/// A dataset body (create or update); `rows`, `columns` and anything else
/// sent are ignored, as Domo does.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DatasetBody {
    name: Option<String>,
    description: Option<String>,
    schema: Option<SchemaIn>,
    owner: Option<Value>,
    pdp_enabled: Option<Value>,
}

fn owner_id(owner: Option<&Value>) -> Result<Option<i64>, ApiError> {
    match owner {
        None | Some(Value::Null) => Ok(None),
        Some(o @ Value::Object(_)) => json_id("owner.id", &o["id"]).map(Some),
        Some(other) => Err(ApiError::bad_request(format!(
            "owner must be an object {{\"id\": ...}}, got {other}"
        ))),
    }
}

/// `POST /v1/datasets` `{name, description?, schema: {columns}, owner?}`:
/// 201 with the dataset (no stream: `GET /v1/streams/search` finds none).
pub(crate) async fn create_dataset(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    JsonBody(body): JsonBody<DatasetBody>,
) -> Result<Response, ApiError> {
    let Some(name) = body.name else {
        return Err(ApiError::bad_request("name is required"));
    };
    let Some(schema) = body.schema else {
        return Err(ApiError::bad_request(
            "schema is required: {\"columns\": [{\"type\", \"name\"}]}",
        ));
    };
    let new = NewPublicDataset {
        name,
        description: body.description.unwrap_or_default(),
        columns: columns_in(schema),
        owner: owner_id(body.owner.as_ref())?,
    };
    let d = state
        .store
        .run(move |s| s.create_public_dataset(user, &new))
        .await?;
    Ok(created(&detail_json(&d)))
}

/// `PUT /v1/datasets/{id}`: any subset of `name`, `description`,
/// `schema`, `pdpEnabled`, `owner`; 200 with the dataset.
pub(crate) async fn update_dataset(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiPath(id): ApiPath<String>,
    JsonBody(body): JsonBody<DatasetBody>,
) -> Result<Response, ApiError> {
    let change = DatasetChange {
        name: body.name,
        description: body.description,
        columns: body.schema.map(columns_in),
        pdp_enabled: match &body.pdp_enabled {
            Some(v) => json_bool("pdpEnabled", v)?,
            None => None,
        },
        owner: owner_id(body.owner.as_ref())?,
    };
    let d = state
        .store
        .run(move |s| s.update_public_dataset(user, &id, &change))
        .await?;
    Ok(ok(&detail_json(&d)))
}

/// `DELETE /v1/datasets/{id}`: 204.
pub(crate) async fn delete_dataset(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    state
        .store
        .run(move |s| s.delete_dataset(user, &id))
        .await?;
    Ok(no_content())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ImportQuery {
    update_method: Option<String>,
}

/// `PUT /v1/datasets/{id}/data?updateMethod=REPLACE|APPEND`: header-less
/// CSV (gzip allowed), 204. As Domo documents, the method is
/// case-sensitive and anything but `APPEND` replaces.
pub(crate) async fn import_data(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ImportQuery>,
    CsvBody(data): CsvBody,
) -> Result<Response, ApiError> {
    let action = match q.update_method.as_deref() {
        Some("APPEND") => Action::Append,
        _ => Action::Replace,
    };
    state
        .store
        .run(move |s| s.import_csv(user, &id, action, data))
        .await?;
    Ok(no_content())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExportQuery {
    include_header: Option<String>,
    file_name: Option<String>,
}

/// `GET /v1/datasets/{id}/data?includeHeader=True&fileName=x.csv`: every
/// row the caller may see, streamed; a header only when asked for
/// (`true`/`True`/`1`); nulls as empty fields.
pub(crate) async fn export_data(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let header = parse_bool("includeHeader", q.include_header.as_deref())?.unwrap_or(false);
    let req = ExportRequest {
        empty_nulls: true,
        ..ExportRequest::default()
    };
    let mut resp = stream_csv(&state.store, state.max_reply_bytes, user, id, req, header).await?;
    if let Some(name) = q.file_name.as_deref() {
        attachment(&mut resp, name);
    }
    Ok(resp)
}

#[derive(Debug, Deserialize)]
pub(crate) struct SqlBody {
    sql: String,
}

/// `POST /v1/datasets/query/execute/{id}` `{"sql": "..."}`: the columns'
/// names and the rows as lists, streamed like the product API's query.
pub(crate) async fn query_dataset(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiPath(id): ApiPath<String>,
    LenientJson(body): LenientJson<SqlBody>,
) -> Result<Response, ApiError> {
    let Some(SqlBody { sql }) = body else {
        return Err(ApiError::bad_request(
            "a JSON body {\"sql\": \"SELECT ... FROM table\"} is required",
        ));
    };
    let dataset = id.clone();
    stream_reply(
        &state.store,
        state.max_reply_bytes,
        row_reply::JSON,
        move |out| JsonEnvelope::new(out, dataset),
        move |s, enc| s.stream_query(user, &id, &sql, enc),
    )
    .await
}
