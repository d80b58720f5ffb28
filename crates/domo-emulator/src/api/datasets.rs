//! Dataset metadata, schema (three paths), data reads (JSON, CSV, streamed
//! export), tags, indexes and data versions.

use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, params_from_iter};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::streams::stream_id_of;
use crate::csvio::{self, ColumnType};
use crate::db::{self, Dataset, Db, Need, now_ms, open_dataset, quote_ident};
use crate::error::ApiError;
use crate::state::{ApiPath, ApiQuery, AppState, Caller, JsonBody, OptionalJson, parse_id};

/// Default page size of `GET .../data` as JSON (CSV defaults to all rows).
pub const DEFAULT_JSON_LIMIT: u64 = 10_000;
/// Largest JSON page; more rows than that should be read as CSV, which streams.
pub const MAX_JSON_LIMIT: u64 = 1_000_000;
/// Rows per chunk of a streamed export; bounds the server's memory per export.
const EXPORT_CHUNK_ROWS: i64 = 4096;

pub(crate) fn empty_ok() -> Response {
    let mut resp = (StatusCode::OK, Body::empty()).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
    resp
}

pub(crate) fn dataset_json(conn: &Connection, ds: &Dataset) -> Result<Value, ApiError> {
    let stream_id = stream_id_of(conn, ds.pk)?;
    Ok(json!({
        "id": ds.id,
        "name": ds.name,
        "description": ds.description,
        "type": "API",
        "displayType": "api",
        "dataProviderType": "api",
        "status": "SUCCESS",
        "state": "SUCCESS",
        "owner": db::owner_json(ds),
        "streamId": stream_id,
        "rowCount": ds.row_count,
        "columnCount": ds.columns.len(),
        "created": ds.created_ms,
        "lastTouched": ds.last_touched_ms,
        "lastUpdated": ds.last_updated_ms,
        "tags": ds.tags,
        "properties": {"formulas": {"formulas": {}}},
    }))
}

async fn read_dataset<T: Send + 'static>(
    state: &AppState,
    id: String,
    user: i64,
    need: Need,
    f: impl FnOnce(&Connection, Dataset) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    state
        .db
        .read(move |conn| {
            let ds = open_dataset(conn, &id, user, need)?;
            f(conn, ds)
        })
        .await
}

pub(crate) async fn get(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    read_dataset(&state, id, user, Need::Read, |conn, ds| {
        dataset_json(conn, &ds)
    })
    .await
    .map(Json)
}

pub(crate) async fn schema(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    read_dataset(&state, id, user, Need::Read, |_, ds| {
        let cols: Vec<Value> = ds
            .columns
            .iter()
            .map(|c| json!({"name": c.name, "type": c.ty.as_str()}))
            .collect();
        Ok(json!({"columns": cols}))
    })
    .await
    .map(Json)
}

pub(crate) async fn schema_latest(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    read_dataset(&state, id, user, Need::Read, |_, ds| {
        let cols: Vec<Value> = ds
            .columns
            .iter()
            .map(|c| {
                json!({
                    "type": c.ty.as_str(),
                    "name": c.name,
                    "id": c.name,
                    "visible": true,
                    "metadata": {"colLabel": c.name, "colFormat": "", "isEncrypted": false},
                })
            })
            .collect();
        Ok(json!({"schema": {"columns": cols}, "dataSourceId": ds.id}))
    })
    .await
    .map(Json)
}

pub(crate) async fn schema_indexed(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    read_dataset(&state, id, user, Need::Read, |_, ds| {
        let cols: Vec<Value> = ds
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                json!({"name": c.name, "id": c.name, "type": c.ty.as_str(), "visible": true, "order": i})
            })
            .collect();
        Ok(json!({"name": "schema", "tables": [{"name": "table", "columns": cols}], "dataSourceId": ds.id}))
    })
    .await
    .map(Json)
}

/// A `WHERE` fragment and its parameters.
#[derive(Debug, Default, Clone)]
struct Where {
    sql: String,
    params: Vec<SqlValue>,
}

/// Splits on `sep` outside single or double quotes.
fn split_outside_quotes(s: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == sep => {
                parts.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            None => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

pub(crate) fn unquote(s: &str) -> (&str, bool) {
    let s = s.trim();
    for q in ['\'', '"', '`'] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            return (&s[1..s.len() - 1], true);
        }
    }
    (s, false)
}

/// Parses `col op value[, col op value...]` (AND) into SQL on the row table.
fn parse_filter(filter: &str, ds: &Dataset) -> Result<Where, ApiError> {
    let mut w = Where::default();
    let mut clauses = Vec::new();
    for clause in split_outside_quotes(filter, ',') {
        let clause = clause.trim();
        if clause.is_empty() {
            continue;
        }
        // Find the operator outside quotes.
        let mut quote: Option<char> = None;
        let mut found = None;
        for (i, c) in clause.char_indices() {
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if matches!(c, '\'' | '"' | '`') => quote = Some(c),
                None if matches!(c, '=' | '!' | '<' | '>') => {
                    let two = clause.get(i..i + 2).unwrap_or("");
                    let op = match two {
                        "!=" | ">=" | "<=" | "<>" => two,
                        _ if c == '!' => "",
                        _ => &clause[i..i + 1],
                    };
                    if op.is_empty() {
                        break;
                    }
                    found = Some((i, op));
                    break;
                }
                None => {}
            }
        }
        let Some((at, op)) = found else {
            return Err(ApiError::bad_request(format!(
                "filter `{clause}`: expected `column op value` with op one of = != > >= < <="
            )));
        };
        let (name, _) = unquote(&clause[..at]);
        let (raw_value, _) = unquote(&clause[at + op.len()..]);
        let op = if op == "<>" { "!=" } else { op };
        let col = ds.columns.iter().find(|c| c.name == name).ok_or_else(|| {
            let names: Vec<&str> = ds.columns.iter().map(|c| c.name.as_str()).collect();
            ApiError::bad_request(format!(
                "filter `{clause}`: unknown column `{name}` (columns: {})",
                names.join(", ")
            ))
        })?;
        let (lhs, value) = comparison_operand(col, &col.name, raw_value, clause)?;
        clauses.push(format!("{lhs} {op} ?"));
        w.params.push(value);
    }
    w.sql = clauses.join(" AND ");
    Ok(w)
}

/// The SQL left-hand side and the bound value of a filter comparison on
/// `col` (called `shown` in messages): numeric columns take a number (DECIMAL,
/// stored as text, is compared as REAL), dates are normalised like uploads.
pub(crate) fn comparison_operand(
    col: &db::Column,
    shown: &str,
    raw_value: &str,
    clause: &str,
) -> Result<(String, SqlValue), ApiError> {
    let ident = quote_ident(&col.name);
    if col.ty.is_numeric() {
        let n: f64 = raw_value.trim().parse().ok().filter(|n: &f64| n.is_finite()).ok_or_else(|| {
            ApiError::bad_request(format!(
                "filter `{clause}`: column `{shown}` is {}, so the value must be a number, got `{raw_value}`",
                col.ty.as_str()
            ))
        })?;
        let lhs = if col.ty == ColumnType::Decimal {
            format!("CAST({ident} AS REAL)")
        } else {
            ident
        };
        return Ok((lhs, SqlValue::Real(n)));
    }
    let value = match col.ty {
        ColumnType::Date => csvio::normalize_date(raw_value.trim()),
        ColumnType::DateTime => csvio::normalize_datetime(raw_value.trim()),
        _ => None,
    }
    .unwrap_or_else(|| raw_value.to_owned());
    Ok((ident, SqlValue::Text(value)))
}

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

pub(crate) async fn data(
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
        return export(
            &state,
            id,
            user,
            Export {
                header,
                offset,
                limit,
                filter,
            },
        )
        .await;
    }
    let limit = limit.unwrap_or(DEFAULT_JSON_LIMIT);
    if limit > MAX_JSON_LIMIT {
        return Err(ApiError::bad_request(format!(
            "limit {limit} is more than {MAX_JSON_LIMIT} rows for JSON; page with offset, or use format=csv, which streams"
        )));
    }
    let value = read_dataset(&state, id, user, Need::Read, move |conn, ds| {
        let w = match &filter {
            Some(f) => parse_filter(f, &ds)?,
            None => Where::default(),
        };
        let cols: Vec<String> = ds.columns.iter().map(|c| quote_ident(&c.name)).collect();
        let sql = format!(
            "SELECT {} FROM {} {} ORDER BY rowid LIMIT {} OFFSET {}",
            if cols.is_empty() {
                "NULL".to_owned()
            } else {
                cols.join(", ")
            },
            ds.table(),
            if w.sql.is_empty() {
                String::new()
            } else {
                format!("WHERE {}", w.sql)
            },
            limit.min(i64::MAX as u64),
            offset.min(i64::MAX as u64),
        );
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query(params_from_iter(w.params.iter()))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let mut vals = Vec::with_capacity(ds.columns.len());
            for (i, c) in ds.columns.iter().enumerate() {
                vals.push(csvio::json_value(Some(c.ty), row.get_ref(i)?));
            }
            out.push(Value::Array(vals));
        }
        let names: Vec<&str> = ds.columns.iter().map(|c| c.name.as_str()).collect();
        Ok(json!({"columns": names, "rows": out}))
    })
    .await?;
    Ok(Json(value).into_response())
}

fn parse_bool(name: &str, v: Option<&str>) -> Result<Option<bool>, ApiError> {
    match v.map(|s| s.trim().to_ascii_lowercase()) {
        None => Ok(None),
        Some(s) if s == "true" || s == "1" => Ok(Some(true)),
        Some(s) if s == "false" || s == "0" => Ok(Some(false)),
        Some(s) => Err(ApiError::bad_request(format!(
            "query parameter {name} must be true or false, got `{s}`"
        ))),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct ExportQuery {
    #[serde(rename = "includeHeader")]
    include_header: Option<String>,
}

/// `GET /api/data/v2/datasources/{id}/dataversions/latest`: the CSV export
/// real clients use. Header only with `includeHeader=true`.
pub(crate) async fn export_latest(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let header = parse_bool("includeHeader", q.include_header.as_deref())?.unwrap_or(false);
    export(
        &state,
        id,
        user,
        Export {
            header,
            offset: 0,
            limit: None,
            filter: None,
        },
    )
    .await
}

#[derive(Debug)]
struct Export {
    header: bool,
    offset: u64,
    limit: Option<u64>,
    filter: Option<String>,
}

/// Streams the rows as CSV in chunks through a channel: memory stays flat
/// however large the dataset. Each chunk is read in its own short read
/// transaction so a long export never holds a connection; if the data
/// changes mid-export the stream is aborted rather than mixing versions.
async fn export(
    state: &AppState,
    id: String,
    user: i64,
    req: Export,
) -> Result<Response, ApiError> {
    let filter = req.filter.clone();
    let (ds, w) = read_dataset(state, id, user, Need::Read, move |_, ds| {
        let w = match &filter {
            Some(f) => parse_filter(f, &ds)?,
            None => Where::default(),
        };
        Ok((ds, w))
    })
    .await?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let db = Arc::clone(&state.db);
    tokio::task::spawn_blocking(move || {
        if let Err(e) = export_blocking(&db, &ds, &w, &req, &tx) {
            let _ = tx.blocking_send(Err(std::io::Error::other(e.message)));
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let mut resp = Response::new(Body::from_stream(stream));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    Ok(resp)
}

type ChunkSender = tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>;

fn export_blocking(
    db: &Db,
    ds: &Dataset,
    w: &Where,
    req: &Export,
    tx: &ChunkSender,
) -> Result<(), ApiError> {
    if req.header {
        let mut line = Vec::new();
        for (i, c) in ds.columns.iter().enumerate() {
            if i > 0 {
                line.push(b',');
            }
            csvio::write_text_field(&mut line, &c.name);
        }
        line.push(b'\n');
        if tx.blocking_send(Ok(Bytes::from(line))).is_err() {
            return Ok(());
        }
    }
    if ds.columns.is_empty() {
        return Ok(());
    }
    let cols: Vec<String> = ds.columns.iter().map(|c| quote_ident(&c.name)).collect();
    let filter = if w.sql.is_empty() {
        String::new()
    } else {
        format!("AND ({})", w.sql)
    };
    let sql = format!(
        "SELECT rowid, {} FROM {} WHERE rowid > ? {filter} ORDER BY rowid LIMIT ? OFFSET ?",
        cols.join(", "),
        ds.table()
    );
    let mut last_rowid = i64::MIN;
    let mut skip = req.offset.min(i64::MAX as u64) as i64;
    let mut remaining = req.limit.map(|l| l.min(i64::MAX as u64) as i64);
    loop {
        let want = remaining.map_or(EXPORT_CHUNK_ROWS, |r| r.min(EXPORT_CHUNK_ROWS));
        if want <= 0 {
            return Ok(());
        }
        let (buf, n, last) = db.read_blocking(|conn| {
            let txn = conn.unchecked_transaction()?;
            let generation: i64 = txn.query_row(
                "SELECT generation FROM datasets WHERE pk = ?",
                [ds.pk],
                |r| r.get(0),
            )?;
            if generation != ds.generation {
                return Err(ApiError::conflict(
                    "the dataset changed during the export; export aborted",
                ));
            }
            let mut stmt = txn.prepare_cached(&sql)?;
            let mut params: Vec<SqlValue> = Vec::with_capacity(w.params.len() + 3);
            params.push(SqlValue::Integer(last_rowid));
            params.extend(w.params.iter().cloned());
            params.push(SqlValue::Integer(want));
            params.push(SqlValue::Integer(skip));
            let mut rows = stmt.query(params_from_iter(params.iter()))?;
            let mut buf = Vec::with_capacity(64 * 1024);
            let mut n = 0i64;
            let mut last = last_rowid;
            while let Some(row) = rows.next()? {
                last = row.get(0)?;
                for i in 0..ds.columns.len() {
                    if i > 0 {
                        buf.push(b',');
                    }
                    csvio::write_value(&mut buf, row.get_ref(i + 1)?);
                }
                buf.push(b'\n');
                n += 1;
            }
            Ok((buf, n, last))
        })?;
        skip = 0;
        last_rowid = last;
        if let Some(r) = remaining.as_mut() {
            *r -= n;
        }
        if n > 0 && tx.blocking_send(Ok(Bytes::from(buf))).is_err() {
            // The client went away: stop reading.
            return Ok(());
        }
        if n < want {
            return Ok(());
        }
    }
}

pub(crate) async fn set_tags(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    JsonBody(tags): JsonBody<Vec<String>>,
) -> Result<Response, ApiError> {
    let mut unique: Vec<String> = Vec::with_capacity(tags.len());
    for t in tags {
        if !unique.contains(&t) {
            unique.push(t);
        }
    }
    let text = serde_json::to_string(&unique).map_err(|e| ApiError::internal(e.to_string()))?;
    state
        .db
        .write(move |conn| {
            let ds = open_dataset(conn, &id, user, Need::Write)?;
            conn.execute(
                "UPDATE datasets SET tags = ?, last_touched_ms = ? WHERE pk = ?",
                rusqlite::params![text, now_ms(), ds.pk],
            )?;
            Ok(())
        })
        .await?;
    Ok(empty_ok())
}

pub(crate) async fn create_index(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    OptionalJson(_body): OptionalJson<Value>,
) -> Result<Json<Value>, ApiError> {
    state
        .db
        .write(move |conn| {
            let ds = open_dataset(conn, &id, user, Need::Write)?;
            conn.execute(
                "INSERT INTO indexes (dataset_pk, requested_ms) VALUES (?, ?)",
                rusqlite::params![ds.pk, now_ms()],
            )?;
            Ok(json!({"indexId": conn.last_insert_rowid(), "status": "QUEUED"}))
        })
        .await
        .map(Json)
}

pub(crate) async fn index_status(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, index_id)): ApiPath<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    read_dataset(&state, id, user, Need::Read, move |conn, ds| {
        let iid = parse_id("index", &index_id)?;
        let exists: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM indexes WHERE id = ? AND dataset_pk = ?)",
            rusqlite::params![iid, ds.pk],
            |r| r.get(0),
        )?;
        if !exists {
            return Err(ApiError::not_found(format!(
                "index {iid} does not exist on dataset {}",
                ds.id
            )));
        }
        // Indexing is immediate here: data is queryable as soon as it commits.
        Ok(json!({"indexId": iid, "status": "SUCCESS", "dataSourceId": ds.id}))
    })
    .await
    .map(Json)
}

pub(crate) async fn versions(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    read_dataset(&state, id, user, Need::Read, |conn, ds| {
        let mut stmt = conn.prepare(
            "SELECT version_id, status, recorded_ms, completed_ms, duration_s, size_bytes, row_count, action, data_tag
             FROM data_versions WHERE dataset_pk = ? ORDER BY version_id",
        )?;
        let rows = stmt
            .query_map([ds.pk], |r| {
                let mut v = json!({
                    "dataSourceId": ds.id,
                    "schemaId": 1,
                    "dataVersionId": r.get::<_, i64>(0)?,
                    "status": r.get::<_, String>(1)?,
                    "statusMessage": "",
                    "datetimeRecorded": r.get::<_, i64>(2)?,
                    "datetimeUploadCompleted": r.get::<_, i64>(3)?,
                    "runDurationSeconds": r.get::<_, i64>(4)?,
                    "sizeBytes": r.get::<_, i64>(5)?,
                    "rowCount": r.get::<_, i64>(6)?,
                    "action": r.get::<_, String>(7)?,
                });
                if let (Some(tag), Some(obj)) = (r.get::<_, Option<String>>(8)?, v.as_object_mut()) {
                    obj.insert("dataTag".to_owned(), Value::String(tag));
                }
                Ok(v)
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Value::Array(rows))
    })
    .await
    .map(Json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Column;

    fn ds() -> Dataset {
        Dataset {
            pk: 1,
            id: "x".into(),
            name: "n".into(),
            description: String::new(),
            owner_id: 1,
            row_count: 0,
            created_ms: 0,
            last_touched_ms: 0,
            last_updated_ms: 0,
            tags: "[]".into(),
            generation: 0,
            columns: vec![
                Column {
                    name: "region".into(),
                    ty: ColumnType::String,
                },
                Column {
                    name: "amount".into(),
                    ty: ColumnType::Decimal,
                },
                Column {
                    name: "day".into(),
                    ty: ColumnType::DateTime,
                },
            ],
        }
    }

    #[test]
    fn filters_become_parameterised_sql() {
        let w = parse_filter(
            "region = 'a,b', amount >= 2.5, day < 2024-01-01 00:00:00",
            &ds(),
        )
        .unwrap();
        assert_eq!(
            w.sql,
            "\"region\" = ? AND CAST(\"amount\" AS REAL) >= ? AND \"day\" < ?"
        );
        assert_eq!(w.params[0], SqlValue::Text("a,b".into()));
        assert_eq!(w.params[1], SqlValue::Real(2.5));
        assert_eq!(w.params[2], SqlValue::Text("2024-01-01T00:00:00".into()));
    }

    #[test]
    fn bad_filters_name_the_problem() {
        let e = parse_filter("nope = 1", &ds()).unwrap_err();
        assert!(e.message.contains("unknown column `nope`"), "{}", e.message);
        let e = parse_filter("amount > lots", &ds()).unwrap_err();
        assert!(e.message.contains("must be a number"), "{}", e.message);
        let e = parse_filter("region ~ 1", &ds()).unwrap_err();
        assert!(
            e.message.contains("expected `column op value`"),
            "{}",
            e.message
        );
    }
}
