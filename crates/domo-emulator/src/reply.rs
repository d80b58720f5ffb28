//! Reply shapes more than one handler module uses (handlers never import
//! each other, so what they share lives here).

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::csvio;
use crate::store::Owner;
use crate::store::datasets::DatasetInfo;
use crate::store::query::QueryResult;

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

/// The envelope of `/api/query/v1/execute` and `/sql/v1/{alias}`.
pub(crate) fn query_result_json(r: QueryResult) -> Value {
    let names: Vec<&str> = r.columns.iter().map(|c| c.name.as_str()).collect();
    let metadata: Vec<Value> = r
        .columns
        .iter()
        .map(|c| {
            json!({
                "type": c.ty.as_str(),
                "dataSourceId": r.dataset_id,
                "maxLength": -1,
                "minLength": -1,
                "periodIndex": 0,
                "aggregated": false,
            })
        })
        .collect();
    let rows: Vec<Value> = r
        .rows
        .iter()
        .map(|row| {
            Value::Array(
                row.iter()
                    .zip(&r.columns)
                    .map(|(v, c)| csvio::json_value(c.declared, v.into()))
                    .collect(),
            )
        })
        .collect();
    json!({
        "datasource": r.dataset_id,
        "columns": names,
        "metadata": metadata,
        "numRows": rows.len(),
        "numColumns": names.len(),
        "rows": rows,
        "fromcache": false,
    })
}
