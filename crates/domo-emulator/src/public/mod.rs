//! Domo's public API (`api.domo.com`): OAuth client credentials at
//! `/oauth/token` and the `/v1` datasets, policies, streams, users and
//! groups, answered as Domo's SDKs (pydomo, the Java and Node SDKs) send
//! and read them (see `shared/PUBLIC-API.md` §0), over the same store as
//! the product API: a dataset, a policy or a user made through one API is
//! the same through the other.
//!
//! One module per area, as `api/` does; handlers parse, call one store
//! operation and shape the reply, and never import each other. What they
//! share (paging, Python-style booleans, gzip by magic bytes, bodies that
//! may be empty, `null` or `""`, ISO times, the 201/204 replies) lives here.

pub(crate) mod auth;
mod datasets;
mod people;
mod policies;
mod shapes;
mod streams;

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post, put};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{ApiError, json_response};
use crate::state::{AppState, RawBody, gunzip, parse_json};

/// Every public-API route. Each path answers with and without a trailing
/// slash: pydomo's collection URLs end in `/` (`POST /v1/streams/`), the
/// Java and Node SDKs' do not.
pub(crate) fn routes() -> Router<AppState> {
    let routes: [(&str, MethodRouter<AppState>); 24] = [
        ("/oauth/token", get(auth::token).post(auth::token)),
        (
            "/v1/datasets",
            get(datasets::list_datasets).post(datasets::create_dataset),
        ),
        (
            "/v1/datasets/{id}",
            get(datasets::get_dataset)
                .put(datasets::update_dataset)
                .delete(datasets::delete_dataset),
        ),
        (
            "/v1/datasets/{id}/data",
            get(datasets::export_data).put(datasets::import_data),
        ),
        (
            "/v1/datasets/query/execute/{id}",
            post(datasets::query_dataset),
        ),
        (
            "/v1/datasets/{id}/policies",
            get(policies::list_policies).post(policies::create_policy),
        ),
        (
            "/v1/datasets/{id}/policies/{pid}",
            get(policies::get_policy)
                .put(policies::update_policy)
                .delete(policies::delete_policy),
        ),
        (
            "/v1/streams",
            get(streams::list_streams).post(streams::create_stream),
        ),
        ("/v1/streams/search", get(streams::search_streams)),
        (
            "/v1/streams/{sid}",
            get(streams::get_stream)
                .patch(streams::update_stream)
                .delete(streams::delete_stream),
        ),
        (
            "/v1/streams/{sid}/executions",
            get(streams::list_executions).post(streams::create_execution),
        ),
        (
            "/v1/streams/{sid}/executions/abort",
            put(streams::abort_current_execution),
        ),
        (
            "/v1/streams/{sid}/executions/{eid}",
            get(streams::get_execution),
        ),
        (
            "/v1/streams/{sid}/executions/{eid}/part/{part}",
            put(streams::upload_part),
        ),
        (
            "/v1/streams/{sid}/executions/{eid}/commit",
            put(streams::commit_execution),
        ),
        (
            "/v1/streams/{sid}/executions/{eid}/abort",
            put(streams::abort_execution),
        ),
        (
            "/v1/users",
            get(people::list_users).post(people::create_user),
        ),
        (
            "/v1/users/{uid}",
            get(people::get_user)
                .put(people::update_user)
                .delete(people::delete_user),
        ),
        (
            "/v1/groups",
            get(people::list_groups).post(people::create_group),
        ),
        (
            "/v1/groups/{gid}",
            get(people::get_group)
                .put(people::update_group)
                .delete(people::delete_group),
        ),
        ("/v1/groups/{gid}/users", get(people::list_members)),
        (
            "/v1/groups/{gid}/users/{uid}",
            put(people::add_member).delete(people::remove_member),
        ),
        // The accounts and pages pydomo also wraps are not emulated; say so
        // rather than answer a bare 404.
        ("/v1/accounts", axum::routing::any(not_emulated)),
        ("/v1/pages", axum::routing::any(not_emulated)),
    ];
    // Trailing slashes (pydomo's collection URLs) are the server's one
    // path rewrite, not a second route each.
    let mut router = Router::new();
    for (path, methods) in routes {
        router = router.route(path, methods);
    }
    router
}

async fn not_emulated(req: Request) -> ApiError {
    ApiError::not_found(format!(
        "{} is not emulated: the emulator serves the public API's datasets, policies, streams, users and groups",
        req.uri().path()
    ))
}

/// A schema as a body sends it: `{"columns": [{"type", "name"}]}`.
#[derive(Debug, Deserialize)]
pub(crate) struct SchemaIn {
    pub columns: Vec<ColumnIn>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ColumnIn {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
}

/// `limit` and `offset` of a listing.
#[derive(Debug, Deserialize)]
pub(crate) struct PageQuery {
    pub limit: Option<String>,
    pub offset: Option<String>,
}

/// The default and largest page of streams, executions, users and groups.
const DEFAULT_PAGE: u64 = 50;
const MAX_PAGE: u64 = 500;

impl PageQuery {
    /// `(offset, limit)`, the limit as `page_size` reads it.
    pub(crate) fn page(&self) -> Result<(u64, u64), ApiError> {
        Ok((
            count("offset", self.offset.as_deref())?.unwrap_or(0),
            page_size("limit", self.limit.as_deref(), DEFAULT_PAGE, MAX_PAGE)?,
        ))
    }
}

/// A paging parameter: absent or `0` (pydomo sends `limit=0` past a short
/// page) is the default, more than `max` is `max`, not a number is a 400.
pub(crate) fn page_size(
    name: &str,
    raw: Option<&str>,
    default: u64,
    max: u64,
) -> Result<u64, ApiError> {
    match count(name, raw)? {
        None | Some(0) => Ok(default),
        Some(n) => Ok(n.min(max)),
    }
}

/// A non-negative integer query parameter.
pub(crate) fn count(name: &str, raw: Option<&str>) -> Result<Option<u64>, ApiError> {
    raw.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<u64>().map_err(|_| {
                ApiError::bad_request(format!(
                    "query parameter {name} must be a non-negative integer, got `{s}`"
                ))
            })
        })
        .transpose()
}

/// A JSON body that SDKs may send empty, as `null` or as `""` (Node sends
/// nothing, Java `null` or `""`, pydomo `{}`): all of those are `None`.
#[derive(Debug)]
pub(crate) struct LenientJson<T>(pub Option<T>);

impl<T: DeserializeOwned> FromRequest<AppState> for LenientJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let RawBody(bytes) = RawBody::from_request(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(LenientJson(None));
        }
        match parse_json::<Value>(&bytes)? {
            Value::Null => Ok(LenientJson(None)),
            Value::String(s) if s.trim().is_empty() => Ok(LenientJson(None)),
            _ => parse_json::<T>(&bytes).map(|v| LenientJson(Some(v))),
        }
    }
}

/// A CSV body (a stream part, a dataset import), gunzipped when it starts
/// with gzip's magic bytes whatever the headers say: pydomo sends
/// `Content-Encoding: gzip`, Node `Content-Type: application/gzip`, Java and
/// curl gzip as plain `text/csv`. Chunked bodies read like any other.
#[derive(Debug)]
pub(crate) struct CsvBody(pub Vec<u8>);

impl FromRequest<AppState> for CsvBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let RawBody(body) = RawBody::from_request(req, state).await?;
        if !body.starts_with(&[0x1f, 0x8b]) {
            return Ok(CsvBody(body.to_vec()));
        }
        let limit = state.max_body_bytes;
        tokio::task::spawn_blocking(move || gunzip(&body, limit))
            .await
            .map_err(|e| ApiError::internal(format!("decompression task failed: {e}")))?
            .map(CsvBody)
    }
}

/// A bool sent as JSON `true`, or as the string `"true"` (pydomo's
/// `groups_create` sends `"active": "true"`).
pub(crate) fn json_bool(field: &str, v: &Value) -> Result<Option<bool>, ApiError> {
    match v {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Ok(Some(true)),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Ok(Some(false)),
        other => Err(ApiError::bad_request(format!(
            "{field} must be true or false, got {other}"
        ))),
    }
}

/// An id sent as a JSON number or a numeric string.
pub(crate) fn json_id(field: &str, v: &Value) -> Result<i64, ApiError> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| ApiError::bad_request(format!("{field} must be an integer id, got {v}")))
}

/// An integer id from a path, or the 404 of a thing that cannot exist.
pub(crate) fn path_id(kind: &str, raw: &str) -> Result<i64, ApiError> {
    raw.trim().parse().map_err(|_| {
        ApiError::not_found(format!(
            "{kind} {raw} does not exist ({kind} ids are integers)"
        ))
    })
}

/// `201 Created` with a JSON body.
pub(crate) fn created(value: &Value) -> Response {
    json_response(StatusCode::CREATED, value)
}

/// `200 OK` with a JSON body.
pub(crate) fn ok(value: &Value) -> Response {
    json_response(StatusCode::OK, value)
}

/// `204 No Content`: deletes, imports, membership changes.
pub(crate) fn no_content() -> Response {
    let mut resp = (StatusCode::NO_CONTENT, Body::empty()).into_response();
    resp.headers_mut().remove(header::CONTENT_TYPE);
    resp
}

/// A `Content-Disposition` naming the file an export is saved as.
pub(crate) fn attachment(resp: &mut Response, file_name: &str) {
    let safe: String = file_name
        .chars()
        .filter(|c| !c.is_control() && *c != '"' && *c != '\\')
        .collect();
    if safe.is_empty() {
        return;
    }
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
}

#[cfg(test)]
mod tests;
