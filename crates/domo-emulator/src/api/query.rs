//! SQL over one dataset, named `table`: `POST /api/query/v1/execute/{id}`
//! (`ExecuteQuery`, the JSON envelope) and
//! `POST /api/query/v1/execute/export/{id}` (`ExecuteQueryCsv`: CSV with
//! `Accept: text/csv`, else the same envelope). Both stream; confinement
//! lives in `store::query`, the encoders in `stream`.

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use serde::Deserialize;

use crate::error::ApiError;
use crate::reply::{Format, negotiate};
use crate::row_reply::{self, CsvRows, JsonEnvelope, stream_reply};
use crate::state::{ApiPath, ApiQuery, AppState, Caller, JsonBody, parse_bool};

#[derive(Debug, Deserialize)]
pub(crate) struct SqlBody {
    sql: String,
}

pub(crate) async fn execute_query(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    JsonBody(body): JsonBody<SqlBody>,
) -> Result<Response, ApiError> {
    json_reply(&state, user, id, body.sql).await
}

async fn json_reply(
    state: &AppState,
    user: crate::store::UserId,
    id: String,
    sql: String,
) -> Result<Response, ApiError> {
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

#[derive(Debug, Deserialize)]
pub(crate) struct ExportQuery {
    #[serde(rename = "includeHeader")]
    include_header: Option<String>,
}

/// `ExecuteQueryCsv`: CSV (a header row only with `includeHeader=true`, as
/// the v2 export) when the client accepts `text/csv`, else the envelope.
pub(crate) async fn execute_export(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ExportQuery>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<SqlBody>,
) -> Result<Response, ApiError> {
    let header = parse_bool("includeHeader", q.include_header.as_deref())?.unwrap_or(false);
    let accept = headers.get(header::ACCEPT).map(|v| {
        v.to_str()
            .map_err(|_| ApiError::bad_request("the Accept header is not valid text"))
    });
    match negotiate(accept.transpose()?)? {
        Format::Objects => json_reply(&state, user, id, body.sql).await,
        Format::Csv => {
            let sql = body.sql;
            stream_reply(
                &state.store,
                state.max_reply_bytes,
                row_reply::CSV,
                move |out| CsvRows::new(out, header),
                move |s, enc| s.stream_query(user, &id, &sql, enc),
            )
            .await
        }
    }
}
