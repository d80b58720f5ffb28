//! Reading a dataset's rows: `GET .../{id}/data` as JSON or CSV (`GetData`,
//! `GetDataCsv`) and the CSV export real clients use,
//! `GET /api/data/v2/datasources/{id}/dataversions/latest` (`ExportCsv`).

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use crate::error::ApiError;
use crate::export::stream_csv;
use crate::limits::{DEFAULT_JSON_LIMIT, MAX_JSON_LIMIT};
use crate::row_reply::{self, DataPage, stream_reply};
use crate::state::{ApiPath, ApiQuery, AppState, Caller, parse_bool};
use crate::store::rows::{DataRequest, ExportRequest};

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

#[derive(Debug, Deserialize)]
pub(crate) struct DataQuery {
    offset: Option<String>,
    limit: Option<String>,
    filter: Option<String>,
    format: Option<String>,
    #[serde(rename = "includeHeader")]
    include_header: Option<String>,
}

/// `GetData` (JSON, a page: 10 000 rows unless `limit` says otherwise) and
/// `GetDataCsv` (`format=csv`: every row unless limited, streamed, with a
/// header unless `includeHeader=false`).
pub(crate) async fn get_data(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<DataQuery>,
) -> Result<Response, ApiError> {
    let offset = parse_u64("offset", q.offset.as_deref())?.unwrap_or(0);
    let limit = parse_u64("limit", q.limit.as_deref())?;
    let csv = match q.format.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "format must be json or csv, got `{other}`"
            )));
        }
    };
    let filter = q.filter.filter(|f| !f.trim().is_empty());
    if csv {
        let header = parse_bool("includeHeader", q.include_header.as_deref())?.unwrap_or(true);
        let req = ExportRequest {
            offset,
            limit,
            filter,
            empty_nulls: false,
        };
        return stream_csv(&state.store, state.max_reply_bytes, user, id, req, header).await;
    }
    let limit = limit.unwrap_or(DEFAULT_JSON_LIMIT);
    if limit > MAX_JSON_LIMIT {
        return Err(ApiError::bad_request(format!(
            "limit {limit} is more than {MAX_JSON_LIMIT} rows for JSON; page with offset, or use format=csv, which streams"
        )));
    }
    let req = DataRequest {
        offset,
        limit,
        filter,
    };
    stream_reply(
        &state.store,
        state.max_reply_bytes,
        row_reply::JSON,
        DataPage::new,
        move |s, enc| s.stream_data(user, &id, &req, enc),
    )
    .await
}

#[derive(Debug, Deserialize)]
pub(crate) struct ExportQuery {
    #[serde(rename = "includeHeader")]
    include_header: Option<String>,
}

/// `ExportCsv`: every row as CSV; a header only with `includeHeader=true`.
pub(crate) async fn export_csv(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let header = parse_bool("includeHeader", q.include_header.as_deref())?.unwrap_or(false);
    stream_csv(
        &state.store,
        state.max_reply_bytes,
        user,
        id,
        ExportRequest::default(),
        header,
    )
    .await
}
