//! Streams of the public API: `GET/POST /v1/streams` (list, create with
//! its dataset), `GET .../search?q=dataSource.id:|dataSource.owner:|
//! dataSource.name:`, `GET/PATCH/DELETE /v1/streams/{sid}`, and the
//! executions: create, get, list, `PUT .../part/{n}` (from 0 or 1, gzip or
//! plain), commit, abort, and `PUT .../executions/abort` (the current one).
//! An execution is the store's load: the same parts, the same one commit.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::auth::Bearer;
use super::shapes::schema_json;
use super::{CsvBody, LenientJson, PageQuery, SchemaIn, created, no_content, ok};
use crate::error::ApiError;
use crate::reply::iso_time;
use crate::state::{ApiPath, ApiQuery, AppState, JsonBody};
use crate::store::public::StreamFilter;
use crate::store::schema::NewColumn;
use crate::store::streams::{Execution, NewStream, Stream, StreamUpdate};

fn stream_json(s: &Stream) -> Value {
    let d = &s.dataset;
    let mut out = json!({
        "id": s.id,
        "dataSet": {
            "id": d.id,
            "name": d.name,
            "description": d.description,
            "rows": d.rows,
            "columns": d.column_count,
            "schema": schema_json(&s.columns),
            "owner": {"id": d.owner.id, "name": d.owner.name},
            "createdAt": iso_time(d.created_ms),
            "updatedAt": iso_time(d.last_updated_ms),
            "pdpEnabled": d.pdp_enabled,
        },
        "updateMethod": s.update_method,
        "createdAt": iso_time(s.created_s * 1000),
        "modifiedAt": iso_time(s.modified_s * 1000),
    });
    let keys: Vec<&str> = s
        .columns
        .iter()
        .filter(|c| c.upsert_key)
        .map(|c| c.name.as_str())
        .collect();
    if !keys.is_empty()
        && let Some(map) = out.as_object_mut()
    {
        map.insert("keyColumnNames".into(), json!(keys));
    }
    out
}

fn execution_json(e: &Execution) -> Value {
    let started = iso_time(e.started_s * 1000);
    let ended = e.ended_s.map(|s| iso_time(s * 1000));
    json!({
        "id": e.id,
        "startedAt": started,
        "endedAt": ended,
        "currentState": e.state,
        "createdAt": started,
        "modifiedAt": ended.clone().unwrap_or_else(|| started.clone()),
        "updateMethod": e.update_method,
        "rows": e.rows_inserted,
        "bytes": e.bytes_inserted,
    })
}

#[derive(Debug, Deserialize)]
struct DataSetIn {
    name: Option<String>,
    description: Option<String>,
    schema: Option<SchemaIn>,
}

/// A stream body: `{dataSet: {name, description, schema}, updateMethod,
/// keyColumnNames?}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StreamBody {
    data_set: Option<DataSetIn>,
    update_method: Option<String>,
    key_column_names: Option<Vec<String>>,
}

/// The columns, with `keys` marked as the upsert key (each must be one).
fn columns_in(schema: &SchemaIn, keys: &[String]) -> Result<Vec<NewColumn>, ApiError> {
    for k in keys {
        if !schema.columns.iter().any(|c| c.name == *k) {
            return Err(ApiError::bad_request(format!(
                "keyColumnNames names `{k}`, which is not a column of dataSet.schema"
            )));
        }
    }
    Ok(schema
        .columns
        .iter()
        .map(|c| NewColumn {
            name: c.name.clone(),
            ty: c.ty.clone(),
            upsert_key: Some(keys.contains(&c.name)),
        })
        .collect())
}

/// `POST /v1/streams` (pydomo: `/v1/streams/`): the dataset and its
/// stream, 201. `UPSERT` (pydomo sends it) or `APPEND` with
/// `keyColumnNames` upserts on those columns.
pub(crate) async fn create_stream(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    JsonBody(body): JsonBody<StreamBody>,
) -> Result<Response, ApiError> {
    let Some(ds) = body.data_set else {
        return Err(ApiError::bad_request(
            "dataSet is required: {\"name\", \"description\", \"schema\": {\"columns\"}}",
        ));
    };
    let name = ds.name.unwrap_or_default();
    if name.trim().is_empty() {
        return Err(ApiError::bad_request(
            "dataSet.name must be a non-empty string",
        ));
    }
    let Some(schema) = ds.schema else {
        return Err(ApiError::bad_request(
            "dataSet.schema is required: {\"columns\": [{\"type\", \"name\"}]}",
        ));
    };
    let keys = body.key_column_names.unwrap_or_default();
    let update_method = body.update_method.unwrap_or_else(|| "REPLACE".to_owned());
    if update_method == "UPSERT" && keys.is_empty() {
        return Err(ApiError::bad_request(
            "updateMethod UPSERT needs keyColumnNames: the columns that identify a row",
        ));
    }
    let new = NewStream {
        dataset_id: None,
        name,
        description: ds.description.unwrap_or_default(),
        columns: columns_in(&schema, &keys)?,
        update_method,
        transport: json!({"type": "API"}),
        data_provider: json!({"key": "api", "name": "API"}),
        extra: Map::new(),
    };
    let s = state.store.run(move |s| s.create_stream(user, new)).await?;
    Ok(created(&stream_json(&s)))
}

async fn streams_reply(
    state: &AppState,
    user: i64,
    filter: StreamFilter,
    (offset, limit): (u64, u64),
) -> Result<Response, ApiError> {
    let found = state
        .store
        .run(move |s| s.list_streams(user, &filter, offset, limit))
        .await?;
    Ok(ok(&Value::Array(found.iter().map(stream_json).collect())))
}

/// `GET /v1/streams?limit&offset&fields=all`: every field is always there.
pub(crate) async fn list_streams(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response, ApiError> {
    streams_reply(&state, user, StreamFilter::All, q.page()?).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct SearchQuery {
    q: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
}

/// `GET /v1/streams/search?q=dataSource.id:<id>` (what `ds_update` reads
/// `[0]['id']` from), `dataSource.owner:<user id>` or
/// `dataSource.name:<name>` (the whole name, ignoring case).
pub(crate) async fn search_streams(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Result<Response, ApiError> {
    let query = q.q.unwrap_or_default();
    let query = query.trim();
    let filter = if let Some(id) = query.strip_prefix("dataSource.id:") {
        StreamFilter::DatasetId(id.trim().to_owned())
    } else if let Some(owner) = query.strip_prefix("dataSource.owner:") {
        StreamFilter::Owner(owner.trim().parse().map_err(|_| {
            ApiError::bad_request(format!(
                "dataSource.owner takes a user id, got `{}`",
                owner.trim()
            ))
        })?)
    } else if let Some(name) = query.strip_prefix("dataSource.name:") {
        StreamFilter::Name(name.trim().to_owned())
    } else {
        return Err(ApiError::bad_request(format!(
            "unsupported search `q={query}`: expected dataSource.id:<dataset id>, dataSource.owner:<user id> or dataSource.name:<name>"
        )));
    };
    let paging = PageQuery {
        limit: q.limit,
        offset: q.offset,
    };
    streams_reply(&state, user, filter, paging.page()?).await
}

pub(crate) async fn get_stream(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiPath(sid): ApiPath<String>,
) -> Result<Response, ApiError> {
    let s = state.store.run(move |s| s.get_stream(user, &sid)).await?;
    Ok(ok(&stream_json(&s)))
}

/// `PATCH /v1/streams/{sid}`: `updateMethod`, and the dataset's name,
/// description and schema when `dataSet` carries them.
pub(crate) async fn update_stream(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiPath(sid): ApiPath<String>,
    JsonBody(body): JsonBody<StreamBody>,
) -> Result<Response, ApiError> {
    let keys = body.key_column_names.unwrap_or_default();
    let (name, description, columns) = match body.data_set {
        Some(d) => (
            d.name,
            d.description,
            d.schema
                .as_ref()
                .map(|s| columns_in(s, &keys))
                .transpose()?,
        ),
        None => (None, None, None),
    };
    let update = StreamUpdate {
        name,
        description,
        columns,
        update_method: body.update_method,
        ..StreamUpdate::default()
    };
    let s = state
        .store
        .run(move |s| s.update_stream(user, &sid, update))
        .await?;
    Ok(ok(&stream_json(&s)))
}

/// `DELETE /v1/streams/{sid}`: 204 (pydomo requires it, where Domo's docs
/// say 200); the dataset stays.
pub(crate) async fn delete_stream(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiPath(sid): ApiPath<String>,
) -> Result<Response, ApiError> {
    state
        .store
        .run(move |s| s.delete_stream(user, &sid))
        .await?;
    Ok(no_content())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExecutionBody {
    update_method: Option<String>,
}

/// `POST .../executions` `{"updateMethod": null|"APPEND"|"REPLACE"}`, a
/// literal `null`, `""` or nothing: an ACTIVE execution, 201.
pub(crate) async fn create_execution(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiPath(sid): ApiPath<String>,
    LenientJson(body): LenientJson<ExecutionBody>,
) -> Result<Response, ApiError> {
    let method = body.and_then(|b| b.update_method);
    let e = state
        .store
        .run(move |s| s.start_execution(user, &sid, method.as_deref()))
        .await?;
    Ok(created(&execution_json(&e)))
}

pub(crate) async fn get_execution(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiPath((sid, eid)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let e = state
        .store
        .run(move |s| s.get_execution(user, &sid, &eid))
        .await?;
    Ok(ok(&execution_json(&e)))
}

/// `GET .../executions?limit&offset`: oldest first.
pub(crate) async fn list_executions(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiPath(sid): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response, ApiError> {
    let (offset, limit) = q.page()?;
    let runs = state
        .store
        .run(move |s| s.list_executions(user, &sid, offset, limit))
        .await?;
    Ok(ok(&Value::Array(runs.iter().map(execution_json).collect())))
}

/// `PUT .../executions/{eid}/part/{n}`: header-less CSV, plain or gzip;
/// part numbers from 0 (pydomo) or 1 (the docs); a part sent again
/// replaces itself. 200 with the execution.
pub(crate) async fn upload_part(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiPath((sid, eid, part)): ApiPath<(String, String, String)>,
    CsvBody(data): CsvBody,
) -> Result<Response, ApiError> {
    let part_no = part
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "part number must be a non-negative integer, got `{part}`"
            ))
        })?;
    let e = state
        .store
        .run(move |s| s.upload_execution_part(user, &sid, &eid, part_no, data))
        .await?;
    Ok(ok(&execution_json(&e)))
}

/// `PUT .../commit` (body `{}`, `""` or nothing): loads the parts in
/// order; 200 with the execution, SUCCESS. Refused data is a 400 and the
/// execution FAILED, with nothing loaded.
pub(crate) async fn commit_execution(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiPath((sid, eid)): ApiPath<(String, String)>,
    LenientJson(_body): LenientJson<Value>,
) -> Result<Response, ApiError> {
    let e = state
        .store
        .run(move |s| s.commit_execution(user, &sid, &eid))
        .await?;
    Ok(ok(&execution_json(&e)))
}

/// `PUT .../executions/{eid}/abort`: 200 with the execution, ABORTED.
pub(crate) async fn abort_execution(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiPath((sid, eid)): ApiPath<(String, String)>,
    LenientJson(_body): LenientJson<Value>,
) -> Result<Response, ApiError> {
    let e = state
        .store
        .run(move |s| s.abort_execution(user, &sid, &eid))
        .await?;
    Ok(ok(&execution_json(&e)))
}

/// `PUT /v1/streams/{sid}/executions/abort`: aborts the ACTIVE execution,
/// if any; 204 either way.
pub(crate) async fn abort_current_execution(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiPath(sid): ApiPath<String>,
    LenientJson(_body): LenientJson<Value>,
) -> Result<Response, ApiError> {
    state
        .store
        .run(move |s| s.abort_current_executions(user, &sid))
        .await?;
    Ok(no_content())
}
