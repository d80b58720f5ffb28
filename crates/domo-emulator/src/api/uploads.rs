//! The three-stage CSV upload and "append row": `POST .../uploads`
//! (`StartUpload`, or `AppendRow` when the body carries `values`),
//! `PUT .../uploads/{uploadId}/parts/{n}` (`UploadPart`) and
//! `PUT .../uploads/{uploadId}/commit` (`CommitUpload`).

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::state::{
    ApiPath, AppState, Caller, CsvPart, JsonBody, RawBody, parse_json, part_number,
};
use crate::store::UserId;
use crate::store::uploads::{Action, Commit};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StartBody {
    action: Option<String>,
    data_tag: Option<String>,
}

#[derive(Debug, Deserialize)]
struct AppendRowBody {
    values: String,
    delimiter: Option<String>,
}

/// `POST .../uploads`: one path, two endpoints, told apart by the body.
/// The body is parsed from its bytes as the endpoint's own type, so
/// duplicate keys and trailing bytes are refused as everywhere else.
pub(crate) async fn start_upload_or_append_row(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    RawBody(body): RawBody,
) -> Result<Json<Value>, ApiError> {
    let blank = body.iter().all(u8::is_ascii_whitespace);
    let probe: Option<Value> = if blank { None } else { parse_json(&body)? };
    if probe.as_ref().is_some_and(|v| v.get("values").is_some()) {
        return append_row(state, user, id, parse_json(&body)?).await;
    }
    let start = if probe.is_none() {
        None
    } else {
        parse_json::<Option<StartBody>>(&body)?
    };
    start_upload(state, user, id, start).await
}

/// `StartUpload`: `{"action": null, "appendId": null}`, an optional
/// default action and `dataTag` for the commit, or no body at all.
async fn start_upload(
    state: AppState,
    user: UserId,
    id: String,
    body: Option<StartBody>,
) -> Result<Json<Value>, ApiError> {
    let (action, tag) = body.map_or((None, None), |b| (b.action, b.data_tag));
    let action = action
        .as_deref()
        .map(|a| Action::parse("action", a))
        .transpose()?;
    let started = state
        .store
        .run(move |s| s.start_upload(user, &id, action, tag))
        .await?;
    Ok(Json(json!({
        "dataSourceId": started.dataset_id,
        "uploadId": started.upload_id,
        "requestedAsOf": started.requested_ms,
    })))
}

/// `AppendRow`: `{"values": "a,b,c", "delimiter": ","}` is one row, committed now.
async fn append_row(
    state: AppState,
    user: UserId,
    id: String,
    row: AppendRowBody,
) -> Result<Json<Value>, ApiError> {
    let delimiter = match row.delimiter.as_deref() {
        None | Some("") => b',',
        Some(d) if d.len() == 1 && d.is_ascii() && d != "\"" && d != "\n" && d != "\r" => {
            d.as_bytes()[0]
        }
        Some(d) => {
            return Err(ApiError::bad_request(format!(
                "delimiter must be a single ASCII character other than a quote or newline, got `{d}`"
            )));
        }
    };
    state
        .store
        .run(move |s| s.append_row(user, &id, &row.values, delimiter))
        .await?;
    Ok(Json(json!({})))
}

/// `UploadPart`: stages (or replaces) part n, CSV without a header,
/// optionally gzip-compressed.
pub(crate) async fn upload_part(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, upload_id, part)): ApiPath<(String, String, String)>,
    CsvPart(data): CsvPart,
) -> Result<Json<Value>, ApiError> {
    let part_no = part_number(&part)?;
    let stored = state
        .store
        .run(move |s| s.upload_part(user, &id, &upload_id, part_no, data))
        .await?;
    Ok(Json(json!({
        "uploadId": stored.upload_id,
        "partId": stored.part_no,
        "sizeBytes": stored.size_bytes,
    })))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CommitBody {
    action: Option<String>,
    /// Indexing is immediate here; accepted (and type-checked) for compatibility.
    index: Option<bool>,
    data_tag: Option<String>,
    /// `"latest"` is the only form clients send; nothing to do with it here.
    append_id: Option<Value>,
}

/// `CommitUpload`: `{"action": "APPEND"|"REPLACE", "index": bool}` plus
/// `dataTag` for a partition. A REPLACE with no parts is refused: an empty
/// REPLACE must be explicit, as one empty part.
pub(crate) async fn commit_upload(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, upload_id)): ApiPath<(String, String)>,
    JsonBody(body): JsonBody<CommitBody>,
) -> Result<Json<Value>, ApiError> {
    let _accepted = (body.index, &body.append_id);
    let commit = Commit {
        action: body.action,
        data_tag: body.data_tag,
    };
    let done = state
        .store
        .run(move |s| s.commit_upload(user, &id, &upload_id, commit))
        .await?;
    Ok(Json(json!({
        "dataSourceId": done.dataset_id,
        "uploadId": done.upload_id,
        "dataVersionId": done.version_id,
        "rowCount": done.rows,
        "status": "SUCCESS",
    })))
}
