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
use crate::reply::{csv_ok, query_result_json};
use crate::state::{ApiPath, ApiQuery, AppState, Caller, RawBody, parse_json};
use crate::store::app::{AliasMapping, FieldMapping};
use crate::store::planner::DataParams;

/// The answer formats: `Accept: text/csv`, or JSON objects for
/// `application/array-of-objects`, `application/json`, `*/*` or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Objects,
    Csv,
}

pub(crate) fn negotiate(accept: Option<&str>) -> Result<Format, ApiError> {
    let Some(accept) = accept.map(str::trim).filter(|a| !a.is_empty()) else {
        return Ok(Format::Objects);
    };
    for part in accept.split(',') {
        let media = part
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
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
    let result = state
        .store
        .run(move |s| s.app_sql(user, &mapping, &sql))
        .await?;
    Ok(json_response(StatusCode::OK, &query_result_json(result)))
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
