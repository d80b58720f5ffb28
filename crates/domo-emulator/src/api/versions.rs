//! `GET .../{id}/dataversions/details` (`ListDataVersions`).

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::state::{ApiPath, AppState, Caller};

pub(crate) async fn list_data_versions(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    let all = state
        .store
        .run(move |s| s.list_data_versions(user, &id))
        .await?;
    let versions = all
        .versions
        .into_iter()
        .map(|v| {
            let mut out = json!({
                "dataSourceId": all.dataset_id,
                "schemaId": 1,
                "dataVersionId": v.version_id,
                "status": v.status,
                "statusMessage": "",
                "datetimeRecorded": v.recorded_ms,
                "datetimeUploadCompleted": v.completed_ms,
                "runDurationSeconds": v.duration_s,
                "sizeBytes": v.size_bytes,
                "rowCount": v.row_count,
                "action": v.action,
            });
            if let (Some(tag), Some(obj)) = (v.data_tag, out.as_object_mut()) {
                obj.insert("dataTag".to_owned(), Value::String(tag));
            }
            out
        })
        .collect();
    Ok(Json(Value::Array(versions)))
}
