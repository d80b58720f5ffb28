//! The data routes a custom app calls with relative URLs, naming datasets
//! by the aliases of its `manifest.json`: `GET /data/v1/{alias}` and
//! `GET /data/v2/{alias}` (`AppData`: the Data API's query operators,
//! answered in the format `Accept` asks for) and `POST /sql/v1/{alias}`
//! (`AppSql`). Planning and confinement live in the store
//! (`store::planner`, `store::query`).

use axum::extract::State;
use axum::http::{HeaderMap, Uri, header};
use axum::response::Response;
use serde::Deserialize;

use crate::app::AppSite;
use crate::app::formats::{answer, negotiate};
use crate::calendar::DateContext;
use crate::error::ApiError;
use crate::row_reply::{self, JsonEnvelope, stream_reply};
use crate::state::{ApiPath, ApiQuery, AppState, Caller, RawBody, parse_json};
use crate::store::app::{AliasMapping, FieldMapping};
use crate::store::planner::DataParams;

fn site(state: &AppState) -> Result<&AppSite, ApiError> {
    state.app.as_deref().ok_or_else(|| {
        ApiError::not_found(
            "no custom app is served: start the emulator with --app DIR to use /data/v1, /data/v2 and /sql/v1",
        )
    })
}

/// The manifest mapping of `alias`, or why there is none: an app reaches
/// only the datasets its manifest maps.
fn mapping_of(site: &AppSite, alias: &str) -> Result<AliasMapping, ApiError> {
    let Some(m) = site.manifest.mapping(alias) else {
        return Err(ApiError::not_found(format!(
            "the app's manifest.json maps no dataset alias `{alias}` (aliases: {}); an app reaches only the datasets its datasetsMapping names",
            site.manifest.aliases()
        )));
    };
    Ok(AliasMapping {
        alias: m.alias.clone(),
        dataset_id: m.data_set_id.clone(),
        fields: m
            .fields
            .iter()
            .map(|f| FieldMapping {
                alias: f.alias.clone(),
                column_name: f.column_name.clone(),
            })
            .collect(),
    })
}

/// `AppData`: `GET /data/v1/{alias}` and `GET /data/v2/{alias}` (one
/// grammar; `@domoinc/query` and `domo init` call v2, the docs show v1).
pub(crate) async fn app_data(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(alias): ApiPath<String>,
    uri: Uri,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<DataParams>,
) -> Result<Response, ApiError> {
    let site = site(&state)?;
    let mapping = mapping_of(site, &alias)?;
    let accept = headers.get(header::ACCEPT).map(|v| {
        v.to_str()
            .map_err(|_| ApiError::bad_request("the Accept header is not valid text"))
    });
    let format = negotiate(accept.transpose()?)?;
    let dates = DateContext {
        fiscal_start: site.fiscal_start,
        ..DateContext::standard(state.clock.now_ms())
    };
    let dataset = mapping.dataset_id.clone();
    let rows = state
        .store
        .run(move |s| s.app_data(user, &mapping, &q, dates))
        .await?;
    answer(&rows, format, &dataset, &alias, uri.path())
}

#[derive(Debug, Deserialize)]
struct SqlJson {
    sql: String,
}

/// `AppSql`: `POST /sql/v1/{alias}`, the SQL as a `text/plain` body (or
/// JSON `{"sql": ...}`, or a JSON string, which is what ryuu.js sends for
/// a string body without `contentType`), naming the dataset by its alias
/// or as `table` and its columns by their field names.
pub(crate) async fn app_sql(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(alias): ApiPath<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    let mapping = mapping_of(site(&state)?, &alias)?;
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            let media = ct.split(';').next().unwrap_or("").trim();
            media.eq_ignore_ascii_case("application/json")
        });
    let sql = if is_json {
        match serde_json::from_slice::<String>(&body) {
            Ok(text) => text,
            Err(_) => parse_json::<SqlJson>(&body)?.sql,
        }
    } else {
        String::from_utf8(body.to_vec())
            .map_err(|_| ApiError::bad_request("the SQL body is not valid UTF-8"))?
    };
    let dataset = mapping.dataset_id.clone();
    stream_reply(
        &state.store,
        state.max_reply_bytes,
        row_reply::JSON,
        move |out| JsonEnvelope::new(out, dataset),
        move |s, enc| s.stream_app_sql(user, &mapping, &sql, enc),
    )
    .await
}
