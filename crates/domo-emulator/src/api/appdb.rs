//! AppDB, the app's document store: `/domo/datastores/v1/collections`
//! (collections CRUD), `.../collections/{name}/documents` (documents CRUD,
//! `query`, `update`, `bulk`) and `/domo/datastores/v1/export` (sync of
//! `syncEnabled` collections into datasets). The store does the work
//! (`store::appdb`, queries in `crate::mongo`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::manifest::{ColumnSpec, SchemaColumn, check_schema};
use crate::error::{ApiError, json_response};
use crate::mongo::AggParams;
use crate::reply::empty_ok;
use crate::state::{ApiPath, ApiQuery, AppState, Caller, OptionalJson, RawBody, parse_json};
use crate::store::appdb::{CollectionSpec, CollectionUpdate, collection_json};

fn require_app(state: &AppState) -> Result<(), ApiError> {
    state.app.as_ref().map(|_| ()).ok_or_else(|| {
        ApiError::not_found(
            "no custom app is served: start the emulator with --app DIR to use AppDB (/domo/datastores/v1)",
        )
    })
}

fn ok(v: &Value) -> Response {
    json_response(StatusCode::OK, v)
}

#[derive(Debug, Deserialize)]
struct SchemaBody {
    columns: Vec<ColumnSpec>,
}

/// `POST /domo/datastores/v1/collections`: the manifest's collection shape.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewCollection {
    name: String,
    #[serde(default)]
    schema: Option<SchemaBody>,
    #[serde(default)]
    sync_enabled: bool,
}

/// `PUT /domo/datastores/v1/collections/{name}`: what it names changes.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CollectionChange {
    #[serde(default)]
    schema: Option<SchemaBody>,
    #[serde(default)]
    sync_enabled: Option<bool>,
}

fn schema_of(schema: Option<SchemaBody>) -> Result<Option<Vec<SchemaColumn>>, ApiError> {
    schema
        .map(|s| check_schema("schema", s.columns).map_err(ApiError::bad_request))
        .transpose()
}

pub(crate) async fn list_collections(
    State(state): State<AppState>,
    Caller(_): Caller,
) -> Result<Response, ApiError> {
    require_app(&state)?;
    let all = state.store.run(|s| s.appdb_collections()).await?;
    Ok(ok(&Value::Array(all.iter().map(collection_json).collect())))
}

pub(crate) async fn create_collection(
    State(state): State<AppState>,
    Caller(user): Caller,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    require_app(&state)?;
    let new: NewCollection = parse_json(&body)?;
    if new.name.trim().is_empty() || new.name.contains(['/', '\\', '?', '#', '%']) {
        return Err(ApiError::bad_request(format!(
            "`name`: expected a non-empty collection name without / \\ ? # or %, got `{}`",
            new.name
        )));
    }
    let spec = CollectionSpec {
        schema: schema_of(new.schema)?,
        sync_enabled: new.sync_enabled,
    };
    let c = state
        .store
        .run(move |s| s.appdb_create_collection(user, &new.name, &spec))
        .await?;
    Ok(ok(&collection_json(&c)))
}

pub(crate) async fn get_collection(
    State(state): State<AppState>,
    Caller(_): Caller,
    ApiPath(name): ApiPath<String>,
) -> Result<Response, ApiError> {
    require_app(&state)?;
    let c = state.store.run(move |s| s.appdb_collection(&name)).await?;
    Ok(ok(&collection_json(&c)))
}

pub(crate) async fn update_collection(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(name): ApiPath<String>,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    require_app(&state)?;
    let change: CollectionChange = parse_json(&body)?;
    let update = CollectionUpdate {
        schema: schema_of(change.schema)?,
        sync_enabled: change.sync_enabled,
    };
    let c = state
        .store
        .run(move |s| s.appdb_update_collection(user, &name, &update))
        .await?;
    Ok(ok(&collection_json(&c)))
}

pub(crate) async fn delete_collection(
    State(state): State<AppState>,
    Caller(_): Caller,
    ApiPath(name): ApiPath<String>,
) -> Result<Response, ApiError> {
    require_app(&state)?;
    state
        .store
        .run(move |s| s.appdb_delete_collection(&name))
        .await?;
    Ok(empty_ok())
}

/// `{"content": {...}}`, with `content` named in messages by `at`.
fn content_of(v: &Value, at: &str) -> Result<Value, ApiError> {
    match v.get("content") {
        Some(c) => Ok(c.clone()),
        None => Err(ApiError::bad_request(format!(
            "`{at}content` is required: a document is sent as {{\"content\": {{...}}}}"
        ))),
    }
}

pub(crate) async fn list_documents(
    State(state): State<AppState>,
    Caller(_): Caller,
    ApiPath(name): ApiPath<String>,
) -> Result<Response, ApiError> {
    require_app(&state)?;
    let docs = state.store.run(move |s| s.appdb_documents(&name)).await?;
    Ok(ok(&Value::Array(docs)))
}

pub(crate) async fn create_document(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(name): ApiPath<String>,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    require_app(&state)?;
    let content = content_of(&parse_json::<Value>(&body)?, "")?;
    let mut docs = state
        .store
        .run(move |s| s.appdb_create_documents(user, &name, &[content], |_| "content".to_owned()))
        .await?;
    Ok(ok(&docs.pop().unwrap_or(Value::Null)))
}

pub(crate) async fn get_document(
    State(state): State<AppState>,
    Caller(_): Caller,
    ApiPath((name, id)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    require_app(&state)?;
    let doc = state
        .store
        .run(move |s| s.appdb_document(&name, &id))
        .await?;
    Ok(ok(&doc))
}

pub(crate) async fn replace_document(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((name, id)): ApiPath<(String, String)>,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    require_app(&state)?;
    let content = content_of(&parse_json::<Value>(&body)?, "")?;
    let doc = state
        .store
        .run(move |s| s.appdb_replace_document(user, &name, &id, &content))
        .await?;
    Ok(ok(&doc))
}

pub(crate) async fn delete_document(
    State(state): State<AppState>,
    Caller(_): Caller,
    ApiPath((name, id)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    require_app(&state)?;
    let wanted = id.clone();
    let n = state
        .store
        .run(move |s| s.appdb_delete_documents(&name, &[id]))
        .await?;
    if n == 0 {
        return Err(ApiError::not_found(format!(
            "document {wanted} does not exist in this collection"
        )));
    }
    Ok(empty_ok())
}

/// `POST .../documents/query`: a MongoDB `find()` body (empty: every
/// document) and the aggregation parameters in the query string.
pub(crate) async fn query_documents(
    State(state): State<AppState>,
    Caller(_): Caller,
    ApiPath(name): ApiPath<String>,
    ApiQuery(agg): ApiQuery<AggParams>,
    OptionalJson(query): OptionalJson<Value>,
) -> Result<Response, ApiError> {
    require_app(&state)?;
    let query = query.unwrap_or_else(|| json!({}));
    let rows = state
        .store
        .run(move |s| s.appdb_query(&name, &query, &agg))
        .await?;
    Ok(ok(&Value::Array(rows)))
}

#[derive(Debug, Deserialize)]
struct PartialUpdate {
    query: Value,
    operation: Value,
}

/// `PUT .../documents/update`: `{query, operation}`; answers the count.
pub(crate) async fn update_documents(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(name): ApiPath<String>,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    require_app(&state)?;
    let u: PartialUpdate = parse_json(&body)?;
    let n = state
        .store
        .run(move |s| s.appdb_partial_update(user, &name, &u.query, &u.operation))
        .await?;
    Ok(ok(&Value::from(n)))
}

fn documents_array(body: &[u8]) -> Result<Vec<Value>, ApiError> {
    match parse_json::<Value>(body)? {
        Value::Array(items) => Ok(items),
        other => Err(ApiError::bad_request(format!(
            "the body must be an array of documents ({{\"content\": {{...}}}}), got {}",
            match other {
                Value::Object(_) => "an object",
                _ => "another JSON value",
            }
        ))),
    }
}

/// `POST .../documents/bulk`: creates every document or none.
pub(crate) async fn bulk_create(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(name): ApiPath<String>,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    require_app(&state)?;
    let contents = documents_array(&body)?
        .iter()
        .enumerate()
        .map(|(i, d)| content_of(d, &format!("[{i}].")))
        .collect::<Result<Vec<_>, _>>()?;
    let docs = state
        .store
        .run(move |s| {
            s.appdb_create_documents(user, &name, &contents, |i| format!("[{i}].content"))
        })
        .await?;
    Ok(ok(&json!({"Created": docs.len()})))
}

/// `PUT .../documents/bulk`: documents with a known `id` are replaced,
/// the others created.
pub(crate) async fn bulk_upsert(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(name): ApiPath<String>,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    require_app(&state)?;
    let items = documents_array(&body)?
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let id = match d.get("id") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(other) => {
                    return Err(ApiError::bad_request(format!(
                        "`[{i}].id` must be a document id (a string), got {other}"
                    )));
                }
            };
            Ok((id, content_of(d, &format!("[{i}]."))?))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let (updated, created) = state
        .store
        .run(move |s| s.appdb_upsert_documents(user, &name, &items))
        .await?;
    Ok(ok(&json!({"Updated": updated, "Created": created})))
}

#[derive(Debug, Deserialize)]
pub(crate) struct BulkIds {
    ids: Option<String>,
}

/// `DELETE .../documents/bulk?ids=a,b`.
pub(crate) async fn bulk_delete(
    State(state): State<AppState>,
    Caller(_): Caller,
    ApiPath(name): ApiPath<String>,
    ApiQuery(q): ApiQuery<BulkIds>,
) -> Result<Response, ApiError> {
    require_app(&state)?;
    let ids: Vec<String> = q
        .ids
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if ids.is_empty() {
        return Err(ApiError::bad_request(
            "`ids` is required: a comma-separated list of document ids",
        ));
    }
    let n = state
        .store
        .run(move |s| s.appdb_delete_documents(&name, &ids))
        .await?;
    Ok(ok(&json!({"Deleted": n})))
}

/// `POST /domo/datastores/v1/export`: exports every `syncEnabled`
/// collection now (423 while an export runs). Domo answers an empty 200;
/// the emulator's body says what each collection did.
pub(crate) async fn export(
    State(state): State<AppState>,
    Caller(_): Caller,
) -> Result<Response, ApiError> {
    require_app(&state)?;
    let results = state.store.run(|s| s.appdb_export()).await?;
    Ok(ok(&export_report(&results)))
}

/// What an export did, collection by collection.
fn export_report(
    results: &[Result<crate::store::appdb::Exported, crate::store::StoreError>],
) -> Value {
    let mut exported = Vec::new();
    let mut unchanged = Vec::new();
    let mut failed = Vec::new();
    for r in results {
        match r {
            Ok(e) if e.rows.is_some() => exported.push(json!({
                "collection": e.collection, "datasetId": e.dataset_id, "rows": e.rows,
            })),
            Ok(e) => unchanged.push(json!({"collection": e.collection, "datasetId": e.dataset_id})),
            Err(e) => failed.push(json!({"message": e.message})),
        }
    }
    json!({"exported": exported, "unchanged": unchanged, "failed": failed})
}
