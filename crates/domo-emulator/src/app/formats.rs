//! The Data API's answer formats, chosen by `Accept` as Domo's app host
//! chooses them (ryuu.js's `format` option sets the header):
//! `application/array-of-objects` (the default), `application/json` (the
//! "array-of-arrays" envelope), `text/csv`, and Excel as base64 text of a
//! real `.xlsx` workbook.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use rusqlite::types::{Value as SqlValue, ValueRef};
use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Workbook};
use serde_json::{Map, Value, json};

use crate::csvio::{self, ColumnType};
use crate::error::{ApiError, json_response};
use crate::reply::{accepted_media, csv_ok};
use crate::store::rows::Rows;

/// The Excel media type ryuu.js sends for `format: "excel"`.
pub(crate) const EXCEL: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A Data API answer format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DataFormat {
    /// `[{"field": value, ...}, ...]`.
    Objects,
    /// `{"columns", "rows", "metadata", "numRows", "numColumns", ...}`.
    Arrays,
    Csv,
    /// Base64 of an `.xlsx` workbook.
    Excel,
}

/// The first `Accept` media type the Data API answers in.
pub(crate) fn negotiate(accept: Option<&str>) -> Result<DataFormat, ApiError> {
    let Some(accept) = accept.map(str::trim).filter(|a| !a.is_empty()) else {
        return Ok(DataFormat::Objects);
    };
    for media in accepted_media(accept) {
        match media.as_str() {
            "application/array-of-objects" | "array-of-objects" | "*/*" | "application/*" => {
                return Ok(DataFormat::Objects);
            }
            "application/json" => return Ok(DataFormat::Arrays),
            "text/csv" => return Ok(DataFormat::Csv),
            m if m == EXCEL => return Ok(DataFormat::Excel),
            _ => {}
        }
    }
    Err(ApiError::new(
        StatusCode::NOT_ACCEPTABLE,
        format!(
            "cannot answer Accept: {accept}; use application/array-of-objects, application/json, text/csv or {EXCEL}"
        ),
    ))
}

/// The type of column `i`: declared, else that of its first value.
fn column_type(rows: &Rows, i: usize) -> ColumnType {
    rows.types[i]
        .or_else(|| {
            rows.cells.iter().find_map(|r| match &r[i] {
                SqlValue::Integer(_) => Some(ColumnType::Long),
                SqlValue::Real(_) => Some(ColumnType::Double),
                SqlValue::Text(_) => Some(ColumnType::String),
                _ => None,
            })
        })
        .unwrap_or(ColumnType::String)
}

/// `rows` in `format`; `dataset` and `query_url` fill the envelope.
pub(crate) fn answer(
    rows: &Rows,
    format: DataFormat,
    dataset: &str,
    sheet: &str,
    query_url: &str,
) -> Result<Response, ApiError> {
    Ok(match format {
        DataFormat::Objects => {
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
        DataFormat::Arrays => {
            let arrays: Vec<Value> = rows
                .cells
                .iter()
                .map(|row| {
                    Value::Array(
                        row.iter()
                            .zip(&rows.types)
                            .map(|(v, ty)| csvio::json_value(*ty, v.into()))
                            .collect(),
                    )
                })
                .collect();
            let metadata: Vec<Value> = (0..rows.names.len())
                .map(|i| json!({"dataSourceId": dataset, "type": column_type(rows, i).as_str()}))
                .collect();
            json_response(
                StatusCode::OK,
                &json!({
                    "columns": rows.names,
                    "datasource": dataset,
                    "fromcache": "false",
                    "metadata": metadata,
                    "numColumns": rows.names.len(),
                    "numRows": rows.cells.len(),
                    "queryUrl": query_url,
                    "rows": arrays,
                }),
            )
        }
        DataFormat::Csv => {
            let mut csv = Vec::new();
            csvio::write_header(&mut csv, rows.names.iter().map(String::as_str));
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
        DataFormat::Excel => {
            let bytes = xlsx(rows, sheet)
                .map_err(|e| ApiError::internal(format!("writing the .xlsx failed: {e}")))?;
            let text = base64::engine::general_purpose::STANDARD.encode(bytes);
            let mut resp = (StatusCode::OK, text).into_response();
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            resp
        }
    })
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect();
    if clean.trim().is_empty() {
        "Sheet1".to_owned()
    } else {
        clean
    }
}

/// One worksheet: a header row of field names, then the rows. Numbers are
/// numbers, DATE and DATETIME are Excel dates (formatted `yyyy-mm-dd` and
/// `yyyy-mm-dd hh:mm:ss`), null is an empty cell.
pub(crate) fn xlsx(rows: &Rows, sheet: &str) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet_name(sheet))?;
    let bold = CellFormat::new().set_bold();
    let date = CellFormat::new().set_num_format("yyyy-mm-dd");
    let datetime = CellFormat::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    for (c, name) in rows.names.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, name, &bold)?;
    }
    let types: Vec<ColumnType> = (0..rows.names.len())
        .map(|i| column_type(rows, i))
        .collect();
    for (r, row) in rows.cells.iter().enumerate() {
        let at = r as u32 + 1;
        for (c, v) in row.iter().enumerate() {
            let col = c as u16;
            match (types[c], ValueRef::from(v)) {
                (_, ValueRef::Null) => {}
                (_, ValueRef::Integer(n)) => {
                    ws.write_number(at, col, n as f64)?;
                }
                (_, ValueRef::Real(x)) => {
                    ws.write_number(at, col, x)?;
                }
                (ty, ValueRef::Text(t)) => {
                    let text = String::from_utf8_lossy(t);
                    let when = match ty {
                        ColumnType::Date => Some(&date),
                        ColumnType::DateTime => Some(&datetime),
                        _ => None,
                    };
                    match (when, ExcelDateTime::parse_from_str(&text)) {
                        (Some(f), Ok(d)) => {
                            ws.write_datetime_with_format(at, col, &d, f)?;
                        }
                        _ if ty == ColumnType::Decimal => match text.parse::<f64>() {
                            Ok(x) => {
                                ws.write_number(at, col, x)?;
                            }
                            Err(_) => {
                                ws.write_string(at, col, text)?;
                            }
                        },
                        _ => {
                            ws.write_string(at, col, text)?;
                        }
                    }
                }
                (_, ValueRef::Blob(b)) => {
                    ws.write_string(at, col, String::from_utf8_lossy(b))?;
                }
            }
        }
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_picks_the_format() {
        for (accept, want) in [
            (None, DataFormat::Objects),
            (Some("application/array-of-objects"), DataFormat::Objects),
            (Some("text/html, */*;q=0.8"), DataFormat::Objects),
            (Some("application/json"), DataFormat::Arrays),
            (Some("text/csv; charset=utf-8"), DataFormat::Csv),
            (Some(EXCEL), DataFormat::Excel),
        ] {
            assert_eq!(negotiate(accept).unwrap(), want, "{accept:?}");
        }
        let e = negotiate(Some("application/vnd.ms-excel")).unwrap_err();
        assert_eq!(e.status, StatusCode::NOT_ACCEPTABLE);
        assert!(e.message.contains(EXCEL), "{}", e.message);
    }

    #[test]
    fn sheet_names_are_ones_excel_takes() {
        assert_eq!(sheet_name("sales"), "sales");
        assert_eq!(sheet_name("a/b:c"), "a_b_c");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
        assert_eq!(sheet_name(" "), "Sheet1");
    }
}
