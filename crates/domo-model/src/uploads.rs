//! The three-stage CSV upload (start, parts, commit) and "append row".

use serde::{Deserialize, Serialize};

use crate::{DatasetId, Extra, Id};

/// What a load does with the rows it brings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UploadAction {
    /// `APPEND`: the rows are added to those stored.
    Append,
    /// `REPLACE`: the rows take the place of those stored.
    Replace,
    /// Append where rows whose upsert-key columns match a stored row
    /// replace it. A v3 upload commits it as `APPEND` (the dataset's
    /// `upsertKey` columns make the append an upsert); a stream whose
    /// `updateMethod` is `UPSERT` does the same.
    Upsert,
}

impl UploadAction {
    /// The name on the wire (`APPEND`, `REPLACE`, `UPSERT`).
    pub fn as_str(self) -> &'static str {
        match self {
            UploadAction::Append => "APPEND",
            UploadAction::Replace => "REPLACE",
            UploadAction::Upsert => "UPSERT",
        }
    }
}

/// `POST .../uploads` to open an upload. Real clients send
/// `{"action": null, "appendId": null}`; a partitioned upload names its tag.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct UploadStartRequest {
    /// The action the commit will take; real clients send `null` and name
    /// it at the commit.
    pub action: Option<UploadAction>,
    /// Real clients send `null`.
    pub append_id: Option<String>,
    /// The partition to upload into; not sent when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_tag: Option<String>,
}

/// The answer to upload start. `uploadId` is an integer on the wire (the
/// seed's example shows a string; both decode).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct UploadSession {
    /// The dataset's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_source_id: Option<DatasetId>,
    /// The upload's id, for its parts and its commit.
    pub upload_id: Id,
    /// When the upload was opened, epoch milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_as_of: Option<i64>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `PUT .../uploads/{uploadId}/commit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct CommitRequest {
    /// What to do with the rows. The v3 commit takes `APPEND` or `REPLACE`
    /// (the seed says so, and the emulator refuses `UPSERT`): commit an
    /// upsert as [`UploadAction::Append`].
    pub action: UploadAction,
    /// Whether to index the data right away, so that queries see it;
    /// [`CommitRequest::new`] sends `true`.
    pub index: bool,
    /// A partitioned append names its partition here...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_tag: Option<String>,
    /// ...and sends `"appendId": "latest"` with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub append_id: Option<String>,
}

impl CommitRequest {
    /// A commit of `action` that indexes (`"index": true`), as real
    /// clients send it.
    pub fn new(action: UploadAction) -> CommitRequest {
        CommitRequest {
            action,
            index: true,
            data_tag: None,
            append_id: None,
        }
    }

    /// A commit into partition `tag`, in the form real clients send.
    pub fn partition(action: UploadAction, tag: impl Into<String>) -> CommitRequest {
        CommitRequest {
            data_tag: Some(tag.into()),
            append_id: Some("latest".into()),
            ..CommitRequest::new(action)
        }
    }
}

/// The body of a commit response. Real servers may answer with an empty body
/// (decoded as the default) or a JSON object; unknown fields are kept.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct CommitResult {
    /// The dataset's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_source_id: Option<DatasetId>,
    /// The upload committed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_id: Option<Id>,
    /// The data version the commit made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_version_id: Option<Id>,
    /// Rows the upload held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_count: Option<u64>,
    /// The commit's outcome, e.g. `SUCCESS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The seed's "append row": one delimited row in one call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppendRowRequest {
    /// The row's values joined by `delimiter`, e.g. `"a,b,c"`.
    pub values: String,
    /// The character between values (`,` in the seed).
    pub delimiter: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_body_is_the_real_form() {
        assert_eq!(
            serde_json::to_string(&UploadStartRequest::default()).unwrap(),
            r#"{"action":null,"appendId":null}"#
        );
    }

    #[test]
    fn upload_id_as_number_or_string() {
        let real: UploadSession = serde_json::from_str(
            r#"{"dataSourceId":"abc","uploadId":10,"requestedAsOf":1654557838137}"#,
        )
        .unwrap();
        assert_eq!(real.upload_id, Id::Num(10));
        let seed: UploadSession = serde_json::from_str(
            r#"{"dataSourceId":"abc123","uploadId":"upload123","requestedAsOf":1654557838137}"#,
        )
        .unwrap();
        assert_eq!(seed.upload_id, Id::from("upload123"));
    }

    #[test]
    fn partition_commit_carries_tag_and_append_id() {
        let c = CommitRequest::partition(UploadAction::Append, "2024-01");
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"action":"APPEND","index":true,"dataTag":"2024-01","appendId":"latest"}"#
        );
    }
}
