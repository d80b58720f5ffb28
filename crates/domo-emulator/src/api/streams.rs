//! Streams: how datasets are created. `POST /api/data/v1/streams`
//! (`CreateStream`), `GET`/`PUT .../streams/{sid}` (`GetStream`,
//! `UpdateStream`), `GET .../streams/search?q=dataSource.id:{id}`
//! (`SearchStreams`), `POST .../streams/{sid}/executions` (`RunStream`:
//! an ACTIVE load), `PUT .../executions/{eid}/part/{n}` (`ExecutionPart`),
//! `PUT .../executions/{eid}/commit` (`CommitExecution`),
//! `PUT .../executions/{eid}/abort` (`AbortExecution`) and
//! `GET .../streams/{sid}/history/aggregate` (`StreamHistory`).

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::reply::owner_json;
use crate::state::{
    ApiPath, ApiQuery, AppState, Caller, CsvPart, JsonBody, OptionalJson, part_number,
};
use crate::store::schema::NewColumn;
use crate::store::streams::{Execution, NewStream, Stream, StreamUpdate};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StreamBody {
    transport: Option<Value>,
    data_source: Option<DataSourceIn>,
    data_provider: Option<Value>,
    update_method: Option<String>,
    schema_definition: Option<SchemaIn>,
    configuration: Option<Value>,
    account: Option<Value>,
    advanced_schedule_json: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct DataSourceIn {
    name: Option<String>,
    description: Option<String>,
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

fn columns_in(schema: &SchemaIn) -> Vec<NewColumn> {
    schema
        .columns
        .iter()
        .map(|c| NewColumn {
            name: c.name.clone(),
            ty: c.ty.clone(),
            upsert_key: c.upsert_key,
        })
        .collect()
}

/// Connector-style fields the caller sent, kept to be echoed back.
fn extra_fields(body: &StreamBody) -> Map<String, Value> {
    let mut extra = Map::new();
    for (k, v) in [
        ("configuration", &body.configuration),
        ("account", &body.account),
        ("advancedScheduleJson", &body.advanced_schedule_json),
    ] {
        if let Some(v) = v {
            extra.insert(k.to_owned(), v.clone());
        }
    }
    extra
}

/// An execution. Its id travels as `executionId` only (never also as `id`:
/// decoders that alias the two would see a duplicate). `endedAt` is null
/// while ACTIVE; a FAILED load carries `errorMessage`; a committed load
/// carries its `dataVersionId`. Times are epoch seconds.
fn execution_json(e: &Execution) -> Value {
    let mut out = json!({
        "executionId": e.id,
        "streamId": e.stream_id,
        "currentState": e.state,
        "rowsInserted": e.rows_inserted,
        "bytesInserted": e.bytes_inserted,
        "startedAt": e.started_s,
        "endedAt": e.ended_s,
        "updateMethod": e.update_method,
    });
    if let Some(map) = out.as_object_mut() {
        if let Some(m) = &e.message {
            map.insert("errorMessage".to_owned(), json!(m));
        }
        if let Some(v) = e.data_version_id {
            map.insert("dataVersionId".to_owned(), json!(v));
        }
    }
    out
}

fn stream_json(s: &Stream) -> Value {
    let columns: Vec<Value> = s
        .columns
        .iter()
        .map(|c| json!({"name": c.name, "type": c.ty.as_str(), "upsertKey": c.upsert_key}))
        .collect();
    let mut obj = json!({
        "id": s.id,
        "dataSource": {
            "id": s.dataset.id,
            "name": s.dataset.name,
            "description": s.dataset.description,
            "owner": owner_json(&s.dataset.owner),
        },
        "transport": s.transport,
        "dataProvider": s.data_provider,
        "updateMethod": s.update_method,
        "schemaDefinition": {"columns": columns},
        "lastExecution": s.last_execution.as_ref().map_or(Value::Null, execution_json),
        "createdAt": s.created_s,
        "modifiedAt": s.modified_s,
    });
    // Connector-style fields (configuration, account, advancedScheduleJson)
    // are echoed back as they came.
    if let (Some(map), Value::Object(extra)) = (obj.as_object_mut(), &s.extra) {
        for (k, v) in extra {
            map.insert(k.clone(), v.clone());
        }
    }
    obj
}

pub(crate) async fn create_stream(
    State(state): State<AppState>,
    Caller(user): Caller,
    JsonBody(body): JsonBody<StreamBody>,
) -> Result<Json<Value>, ApiError> {
    let ds_in = body
        .data_source
        .as_ref()
        .ok_or_else(|| ApiError::bad_request("dataSource is required (with a non-empty name)"))?;
    let name = ds_in.name.clone().unwrap_or_default();
    if name.trim().is_empty() {
        return Err(ApiError::bad_request(
            "dataSource.name must be a non-empty string",
        ));
    }
    let new = NewStream {
        dataset_id: None,
        name,
        description: ds_in.description.clone().unwrap_or_default(),
        columns: body
            .schema_definition
            .as_ref()
            .map(columns_in)
            .unwrap_or_default(),
        update_method: body
            .update_method
            .clone()
            .unwrap_or_else(|| "REPLACE".to_owned()),
        transport: body
            .transport
            .clone()
            .unwrap_or_else(|| json!({"type": "API"})),
        data_provider: body
            .data_provider
            .clone()
            .unwrap_or_else(|| json!({"key": "api", "name": "API"})),
        extra: extra_fields(&body),
    };
    let s = state.store.run(move |s| s.create_stream(user, new)).await?;
    Ok(Json(stream_json(&s)))
}

pub(crate) async fn get_stream(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(sid): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    let s = state.store.run(move |s| s.get_stream(user, &sid)).await?;
    Ok(Json(stream_json(&s)))
}

pub(crate) async fn update_stream(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(sid): ApiPath<String>,
    JsonBody(body): JsonBody<StreamBody>,
) -> Result<Json<Value>, ApiError> {
    let update = StreamUpdate {
        name: body.data_source.as_ref().and_then(|d| d.name.clone()),
        description: body
            .data_source
            .as_ref()
            .and_then(|d| d.description.clone()),
        columns: body.schema_definition.as_ref().map(columns_in),
        update_method: body.update_method.clone(),
        transport: body.transport.clone(),
        data_provider: body.data_provider.clone(),
        extra: extra_fields(&body),
    };
    let s = state
        .store
        .run(move |s| s.update_stream(user, &sid, update))
        .await?;
    Ok(Json(stream_json(&s)))
}

#[derive(Debug, Deserialize)]
pub(crate) struct SearchQuery {
    q: Option<String>,
}

/// `SearchStreams`: only `q=dataSource.id:<dataset id>` is supported.
pub(crate) async fn search_streams(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> Result<Json<Value>, ApiError> {
    let q = query.q.unwrap_or_default();
    let Some(ds_id) = q.trim().strip_prefix("dataSource.id:") else {
        return Err(ApiError::bad_request(format!(
            "unsupported search `q={q}`: expected q=dataSource.id:<dataset id>"
        )));
    };
    let ds_id = ds_id.trim().to_owned();
    let found = state
        .store
        .run(move |s| s.search_streams(user, &ds_id))
        .await?;
    Ok(Json(Value::Array(found.iter().map(stream_json).collect())))
}

/// `RunStream`: opens an ACTIVE
/// execution that parts are then sent to, as Domo does for an API stream.
/// Accepted bodies: `{"action":"MANUAL"}` (the docs, domo-native),
/// `{"runType":"MANUAL"}`, `{}` or none (DomoR, pydomo, Domo's Java CLI);
/// what they say changes nothing.
pub(crate) async fn run_stream(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(sid): ApiPath<String>,
    OptionalJson(_body): OptionalJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let e = state
        .store
        .run(move |s| s.start_execution(user, &sid, None))
        .await?;
    Ok(Json(execution_json(&e)))
}

/// `ExecutionPart`: `PUT .../executions/{eid}/part/{n}`, header-less
/// CSV (`Content-Encoding: gzip` allowed); a part sent again replaces
/// itself. Answers the execution.
pub(crate) async fn execution_part(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((sid, eid, part)): ApiPath<(String, String, String)>,
    CsvPart(data): CsvPart,
) -> Result<Json<Value>, ApiError> {
    let part_no = part_number(&part)?;
    let e = state
        .store
        .run(move |s| s.upload_execution_part(user, &sid, &eid, part_no, data))
        .await?;
    Ok(Json(execution_json(&e)))
}

/// `CommitExecution`: `PUT .../executions/{eid}/commit` answers the
/// execution, SUCCESS; refused data answers 400 and leaves it FAILED.
pub(crate) async fn commit_execution(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((sid, eid)): ApiPath<(String, String)>,
    OptionalJson(_body): OptionalJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let e = state
        .store
        .run(move |s| s.commit_execution(user, &sid, &eid))
        .await?;
    Ok(Json(execution_json(&e)))
}

/// `AbortExecution`: `PUT .../executions/{eid}/abort` answers the
/// execution, ABORTED.
pub(crate) async fn abort_execution(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((sid, eid)): ApiPath<(String, String)>,
    OptionalJson(_body): OptionalJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let e = state
        .store
        .run(move |s| s.abort_execution(user, &sid, &eid))
        .await?;
    Ok(Json(execution_json(&e)))
}

/// `StreamHistory`: executions, newest first.
pub(crate) async fn stream_history(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(sid): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    let runs = state
        .store
        .run(move |s| s.stream_history(user, &sid))
        .await?;
    Ok(Json(Value::Array(
        runs.iter().map(execution_json).collect(),
    )))
}
