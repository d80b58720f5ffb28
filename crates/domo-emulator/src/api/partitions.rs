//! Partitions: tags given to committed rows with `dataTag`. List, page,
//! search, delete a partition's data, drop the tag.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::datasets::empty_ok;
use crate::db::{self, Dataset, Need, PARTITION_COLUMN, now_ms, open_dataset, quote_ident};
use crate::error::ApiError;
use crate::state::{ApiPath, AppState, Caller, JsonBody, OptionalJson};

const FIELDS: [&str; 5] = [
    "partitionId",
    "status",
    "rowCount",
    "dataVersionId",
    "dateCompleted",
];

/// All partitions of a dataset, newest first (ties: latest version first).
fn all(conn: &Connection, ds: &Dataset) -> Result<Vec<Value>, ApiError> {
    let mut stmt = conn.prepare(
        "SELECT tag, row_count, data_version_id, date_completed_ms FROM partitions WHERE dataset_pk = ?
         ORDER BY date_completed_ms DESC, data_version_id DESC, tag",
    )?;
    let rows = stmt
        .query_map([ds.pk], |r| {
            Ok(json!({
                "partitionId": r.get::<_, String>(0)?,
                "status": "SUCCESS",
                "rowCount": r.get::<_, i64>(1)?,
                "dataVersionId": r.get::<_, i64>(2)?,
                "dateCompleted": r.get::<_, i64>(3)?,
            }))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub(crate) async fn list_get(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    let value = state
        .db
        .read(move |conn| {
            let ds = open_dataset(conn, &id, user, Need::Read)?;
            Ok(Value::Array(all(conn, &ds)?))
        })
        .await?;
    Ok(Json(value))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListBody {
    #[serde(default)]
    pagination_fields: Vec<PaginationField>,
    limit: Option<u64>,
    offset: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PaginationField {
    field_name: Option<String>,
    sort_order: Option<String>,
    filter_values: Option<MinMax>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
struct MinMax {
    min: Option<i64>,
    max: Option<i64>,
}

/// `POST .../partition/list`: sorted by completion date (DESC unless the
/// `datecompleted` pagination field asks for ASC), optionally bounded by its
/// MIN/MAX, then paged; past the end is `[]`.
pub(crate) async fn list_post(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    OptionalJson(body): OptionalJson<ListBody>,
) -> Result<Json<Value>, ApiError> {
    let body = body.unwrap_or(ListBody {
        pagination_fields: Vec::new(),
        limit: None,
        offset: None,
    });
    let mut ascending = false;
    let (mut min, mut max) = (None, None);
    for f in &body.pagination_fields {
        let name = f.field_name.as_deref().unwrap_or("datecompleted");
        if !name.eq_ignore_ascii_case("datecompleted") {
            return Err(ApiError::bad_request(format!(
                "paginationFields: cannot sort or filter by `{name}`; only datecompleted is supported"
            )));
        }
        match f
            .sort_order
            .as_deref()
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            None | Some("DESC") => ascending = false,
            Some("ASC") => ascending = true,
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "paginationFields.sortOrder must be ASC or DESC, got `{other}`"
                )));
            }
        }
        if let Some(mm) = &f.filter_values {
            min = mm.min;
            max = mm.max;
        }
    }
    let value = state
        .db
        .read(move |conn| {
            let ds = open_dataset(conn, &id, user, Need::Read)?;
            let mut parts = all(conn, &ds)?;
            if ascending {
                parts.reverse();
            }
            let date = |p: &Value| p["dateCompleted"].as_i64().unwrap_or(0);
            parts.retain(|p| min.is_none_or(|m| date(p) >= m) && max.is_none_or(|m| date(p) <= m));
            let offset = body.offset.unwrap_or(0).min(usize::MAX as u64) as usize;
            let limit = body
                .limit
                .map_or(usize::MAX, |l| l.min(usize::MAX as u64) as usize);
            Ok(Value::Array(
                parts.into_iter().skip(offset).take(limit).collect(),
            ))
        })
        .await?;
    Ok(Json(value))
}

#[derive(Debug, Deserialize)]
pub(crate) struct SearchBody {
    filter: serde_json::Map<String, Value>,
}

/// `POST .../partition/search`: partitions whose fields equal every given value.
pub(crate) async fn search(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    JsonBody(body): JsonBody<SearchBody>,
) -> Result<Json<Value>, ApiError> {
    if let Some(unknown) = body.filter.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(ApiError::bad_request(format!(
            "filter.{unknown}: unknown partition field (known: {})",
            FIELDS.join(", ")
        )));
    }
    let value = state
        .db
        .read(move |conn| {
            let ds = open_dataset(conn, &id, user, Need::Read)?;
            let matches = all(conn, &ds)?
                .into_iter()
                .filter(|p| {
                    body.filter
                        .iter()
                        .all(|(k, want)| loosely_equal(&p[k.as_str()], want))
                })
                .collect();
            Ok(Value::Array(matches))
        })
        .await?;
    Ok(Json(value))
}

/// Numbers compare by value and may arrive as strings ("rowCount": "10").
fn loosely_equal(have: &Value, want: &Value) -> bool {
    match (have, want) {
        (Value::Number(a), Value::String(b)) => b.trim().parse::<f64>().ok() == a.as_f64(),
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        _ => have == want,
    }
}

fn find(conn: &Connection, ds: &Dataset, pid: &str) -> Result<(), ApiError> {
    conn.query_row(
        "SELECT 1 FROM partitions WHERE dataset_pk = ? AND tag = ?",
        params![ds.pk, pid],
        |_| Ok(()),
    )
    .optional()?
    .ok_or_else(|| {
        ApiError::not_found(format!(
            "partition `{pid}` does not exist on dataset {}",
            ds.id
        ))
    })
}

/// Deletes a partition's rows and marks its data versions DELETED.
fn delete_rows(conn: &Connection, ds: &Dataset, pid: &str) -> Result<(), ApiError> {
    let removed = conn.execute(
        &format!(
            "DELETE FROM {} WHERE {} = ?",
            ds.table(),
            quote_ident(PARTITION_COLUMN)
        ),
        [pid],
    )? as i64;
    conn.execute(
        "UPDATE data_versions SET status = 'DELETED' WHERE dataset_pk = ? AND data_tag = ?",
        params![ds.pk, pid],
    )?;
    db::touch_rows(conn, ds.pk, -removed, now_ms())?;
    Ok(())
}

/// `DELETE .../tag/{pid}/data`: the partition stays listed with no rows.
pub(crate) async fn delete_data(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, pid)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    state
        .db
        .write(move |conn| {
            let ds = open_dataset(conn, &id, user, Need::Write)?;
            find(conn, &ds, &pid)?;
            let tx = conn.transaction()?;
            delete_rows(&tx, &ds, &pid)?;
            tx.execute(
                "UPDATE partitions SET row_count = 0 WHERE dataset_pk = ? AND tag = ?",
                params![ds.pk, pid],
            )?;
            tx.commit()?;
            Ok(())
        })
        .await?;
    Ok(empty_ok())
}

/// `DELETE .../partition/{pid}`: drops the tag (and any rows it still has).
pub(crate) async fn delete_partition(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, pid)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    drop_partition(state, user, id, pid).await
}

/// `DELETE .../partition/list`: a partition that happens to be named `list`.
pub(crate) async fn delete_named_list(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    drop_partition(state, user, id, "list".to_owned()).await
}

/// `DELETE .../partition/search`: a partition that happens to be named `search`.
pub(crate) async fn delete_named_search(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    drop_partition(state, user, id, "search".to_owned()).await
}

async fn drop_partition(
    state: AppState,
    user: i64,
    id: String,
    pid: String,
) -> Result<Response, ApiError> {
    state
        .db
        .write(move |conn| {
            let ds = open_dataset(conn, &id, user, Need::Write)?;
            find(conn, &ds, &pid)?;
            let tx = conn.transaction()?;
            delete_rows(&tx, &ds, &pid)?;
            tx.execute(
                "DELETE FROM partitions WHERE dataset_pk = ? AND tag = ?",
                params![ds.pk, pid],
            )?;
            tx.commit()?;
            Ok(())
        })
        .await?;
    Ok(empty_ok())
}
