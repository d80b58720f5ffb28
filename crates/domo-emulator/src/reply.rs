//! Reply shapes more than one handler module uses (handlers never import
//! each other, so what they share lives here).

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::store::Owner;
use crate::store::datasets::DatasetInfo;

/// The empty 200 of share, tags, deletes and revokes.
pub(crate) fn empty_ok() -> Response {
    let mut resp = (StatusCode::OK, Body::empty()).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
    resp
}

/// A CSV answer.
pub(crate) fn csv_ok(body: impl Into<Body>) -> Response {
    let mut resp = (StatusCode::OK, body.into()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    resp
}

/// The owner object datasets and streams carry.
pub(crate) fn owner_json(owner: &Owner) -> Value {
    json!({"id": owner.id, "name": owner.name, "type": "USER"})
}

/// A dataset object as `GET /api/data/v3/datasources/{id}` answers it;
/// the list and the browser search answer the very same objects.
pub(crate) fn dataset_json(ds: &DatasetInfo) -> Value {
    json!({
        "id": ds.id,
        "name": ds.name,
        "description": ds.description,
        "type": "API",
        "displayType": ds.display_type,
        "dataProviderType": ds.display_type,
        "status": "SUCCESS",
        "state": "SUCCESS",
        "owner": owner_json(&ds.owner),
        "streamId": ds.stream_id,
        "rowCount": ds.row_count,
        "columnCount": ds.column_count,
        "created": ds.created_ms,
        "lastTouched": ds.last_touched_ms,
        "lastUpdated": ds.last_updated_ms,
        "tags": ds.tags,
        "properties": {"formulas": {"formulas": {}}},
    })
}

/// A page of datasets: `{"dataSources": [...], "_metaData": {"totalCount"}}`.
pub(crate) fn datasets_page_json(datasets: &[DatasetInfo], total: usize) -> Value {
    json!({
        "dataSources": datasets.iter().map(dataset_json).collect::<Vec<_>>(),
        "_metaData": {"totalCount": total},
    })
}

/// The answer formats: `Accept: text/csv`, or JSON objects for
/// `application/array-of-objects`, `application/json`, `*/*` or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Objects,
    Csv,
}

/// The media types of an `Accept` header, in order, lower-cased and
/// without parameters (`text/csv; q=0.9` is `text/csv`).
pub(crate) fn accepted_media(accept: &str) -> impl Iterator<Item = String> + '_ {
    accept.split(',').map(|part| {
        part.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    })
}

pub(crate) fn negotiate(accept: Option<&str>) -> Result<Format, ApiError> {
    let Some(accept) = accept.map(str::trim).filter(|a| !a.is_empty()) else {
        return Ok(Format::Objects);
    };
    for media in accepted_media(accept) {
        match media.as_str() {
            "text/csv" => return Ok(Format::Csv),
            "application/array-of-objects"
            | "array-of-objects"
            | "application/json"
            | "*/*"
            | "application/*" => return Ok(Format::Objects),
            _ => {}
        }
    }
    Err(ApiError::new(
        StatusCode::NOT_ACCEPTABLE,
        format!(
            "cannot answer Accept: {accept}; use application/array-of-objects, application/json or text/csv"
        ),
    ))
}

/// Epoch milliseconds as Domo's public API writes times:
/// `2016-02-29T20:56:20.567Z` (UTC).
pub(crate) fn iso_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_picks_the_format() {
        assert_eq!(negotiate(None).unwrap(), Format::Objects);
        assert_eq!(
            negotiate(Some("application/array-of-objects")).unwrap(),
            Format::Objects
        );
        assert_eq!(
            negotiate(Some("application/json")).unwrap(),
            Format::Objects
        );
        assert_eq!(
            negotiate(Some("text/csv; charset=utf-8")).unwrap(),
            Format::Csv
        );
        assert_eq!(
            negotiate(Some("text/html, */*;q=0.8")).unwrap(),
            Format::Objects
        );
        assert_eq!(
            negotiate(Some("application/vnd.ms-excel"))
                .unwrap_err()
                .status,
            StatusCode::NOT_ACCEPTABLE
        );
    }
}
