//! The data routes a custom app calls with relative URLs, naming datasets
//! by the aliases of its `manifest.json`: `GET /data/v1/{alias}` (`AppData`:
//! Domo's App Data query operators, answered as an array of objects or
//! CSV) and `POST /sql/v1/{alias}` (`AppSql`). Planning and confinement
//! live in the store (`store::planner`, `store::query`).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::csvio;
use crate::error::{ApiError, json_response};
use crate::reply::{Format, csv_ok, negotiate};
use crate::state::{ApiPath, ApiQuery, AppState, Caller, RawBody, parse_json};
use crate::store::app::{AliasMapping, FieldMapping};
use crate::store::planner::DataParams;
use crate::stream::{self, JsonEnvelope, stream_reply};

/// The manifest mapping of `alias`, or why there is none.
fn mapping_of(state: &AppState, alias: &str) -> Result<AliasMapping, ApiError> {
    let Some(site) = state.app.as_ref() else {
        return Err(ApiError::not_found(
            "no custom app is served: start the emulator with --app DIR to use /data/v1 and /sql/v1",
        ));
    };
    let Some(m) = site.manifest.mapping(alias) else {
        let known: Vec<&str> = site
            .manifest
            .mapping
            .iter()
            .map(|m| m.alias.as_str())
            .collect();
        return Err(ApiError::not_found(format!(
            "the app's manifest.json maps no dataset alias `{alias}` (aliases: {})",
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
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

/// `AppData`: `GET /data/v1/{alias}`.
pub(crate) async fn app_data(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(alias): ApiPath<String>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<DataParams>,
) -> Result<Response, ApiError> {
    let mapping = mapping_of(&state, &alias)?;
    let accept = headers.get(header::ACCEPT).map(|v| {
        v.to_str()
            .map_err(|_| ApiError::bad_request("the Accept header is not valid text"))
    });
    let format = negotiate(accept.transpose()?)?;
    let rows = state
        .store
        .run(move |s| s.app_data(user, &mapping, &q))
        .await?;
    Ok(match format {
        Format::Objects => {
            let objects: Vec<Value> = rows
                .cells
                .iter()
                .map(|row| {
                    let mut obj = Map::with_capacity(rows.names.len());
                    for ((key, ty), v) in rows.names.iter().zip(&rows.types).zip(row) {
                        obj.insert(key.clone(), csvio::json_value(*ty, v.into()));
                    }
                    Value::Object(obj)
                })
                .collect();
            json_response(StatusCode::OK, &Value::Array(objects))
        }
        Format::Csv => {
            let mut csv = Vec::new();
            for (i, key) in rows.names.iter().enumerate() {
                if i > 0 {
                    csv.push(b',');
                }
                csvio::write_text_field(&mut csv, key);
            }
            csv.push(b'\n');
            for row in &rows.cells {
                for (i, v) in row.iter().enumerate() {
                    if i > 0 {
                        csv.push(b',');
                    }
                    csvio::write_value(&mut csv, v.into());
                }
                csv.push(b'\n');
            }
            csv_ok(csv)
        }
    })
}

#[derive(Debug, Deserialize)]
struct SqlJson {
    sql: String,
}

/// `AppSql`: `POST /sql/v1/{alias}`, the SQL as a `text/plain` body (or
/// JSON `{"sql": ...}`), naming the dataset by its alias or as `table`.
pub(crate) async fn app_sql(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(alias): ApiPath<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    let mapping = mapping_of(&state, &alias)?;
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            let media = ct.split(';').next().unwrap_or("").trim();
            media.eq_ignore_ascii_case("application/json")
        });
    let sql = if is_json {
        parse_json::<SqlJson>(&body)?.sql
    } else {
        String::from_utf8(body.to_vec())
            .map_err(|_| ApiError::bad_request("the SQL body is not valid UTF-8"))?
    };
    let dataset = mapping.dataset_id.clone();
    stream_reply(
        &state.store,
        state.max_reply_bytes,
        stream::JSON,
        move |out| JsonEnvelope::new(out, dataset),
        move |s, enc| s.stream_app_sql(user, &mapping, &sql, enc),
    )
    .await
}
