//! Data versions: `GET .../dataversions/details`.

use serde::{Deserialize, Serialize};

use crate::{DatasetId, Extra, Id};

/// One data version. Real servers send `dataVersionId`, `datetimeRecorded`
/// (epoch ms) and friends; the seed's placeholder sends `versionId` and an
/// ISO `createdAt`. Both decode.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct DataVersion {
    /// The dataset's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_source_id: Option<DatasetId>,
    /// The schema the data was loaded under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_id: Option<Id>,
    /// The version's id (the seed's `versionId` is accepted too).
    #[serde(default, alias = "versionId", skip_serializing_if = "Option::is_none")]
    pub data_version_id: Option<Id>,
    /// `SUCCESS`, or `DELETED` once its partition's data is deleted (the
    /// seed shows `active`, `archived`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Details of the status; often empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    /// When the version was recorded (its load began), epoch milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datetime_recorded: Option<i64>,
    /// When its upload completed, epoch milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datetime_upload_completed: Option<i64>,
    /// The seed's ISO-8601 timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// How long the load took, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_duration_seconds: Option<f64>,
    /// The size of the data loaded, in bytes; servers may leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
    /// Rows the version loaded; servers may leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_count: Option<u64>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

impl DataVersion {
    /// The `#[serde(alias)]` names above, for readers of the parsed JSON
    /// (domo-core's `Fixup::Rename` reply step).
    pub const ALIASES: &[(&str, &str)] = &[("versionId", "dataVersionId")];
}

/// What verifying a load reads of each data version: its id, when it was
/// recorded and its row count. domo-core's `version_counts` reads it from
/// the parsed reply (in the browser package, a JavaScript value), not
/// through a serde derive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionCount {
    /// `dataVersionId` (the seed: `versionId`), a number or a string.
    pub data_version_id: Option<Id>,
    /// `datetimeRecorded`, epoch milliseconds.
    pub datetime_recorded: Option<i64>,
    /// `rowCount`.
    pub row_count: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_field_sets_decode() {
        let real: Vec<DataVersion> = serde_json::from_str(
            r#"[{"dataSourceId":"a","schemaId":1,"dataVersionId":3,"status":"SUCCESS","statusMessage":"",
                 "datetimeRecorded":1654557838137,"datetimeUploadCompleted":1654557839000,
                 "runDurationSeconds":1.5,"sizeBytes":1024,"rowCount":10}]"#,
        )
        .unwrap();
        assert_eq!(real[0].data_version_id, Some(Id::Num(3)));
        assert_eq!(real[0].row_count, Some(10));

        let seed: Vec<DataVersion> = serde_json::from_str(
            r#"[{"versionId":"v1","createdAt":"2025-09-01T12:00:00Z","status":"active"}]"#,
        )
        .unwrap();
        assert_eq!(seed[0].data_version_id, Some(Id::from("v1")));
        assert_eq!(seed[0].created_at.as_deref(), Some("2025-09-01T12:00:00Z"));
    }
}
