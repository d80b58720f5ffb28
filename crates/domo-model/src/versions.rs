//! Data versions: `GET .../dataversions/details`.

use serde::{Deserialize, Serialize};

use crate::{Extra, Id};

/// One data version. Real servers send `dataVersionId`, `datetimeRecorded`
/// (epoch ms) and friends; the seed's placeholder sends `versionId` and an
/// ISO `createdAt`. Both decode.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct DataVersion {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_source_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_id: Option<Id>,
    #[serde(default, alias = "versionId", skip_serializing_if = "Option::is_none")]
    pub data_version_id: Option<Id>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    /// Epoch milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datetime_recorded: Option<i64>,
    /// Epoch milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datetime_upload_completed: Option<i64>,
    /// The seed's ISO-8601 timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_duration_seconds: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_count: Option<u64>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl DataVersion {
    /// The `#[serde(alias)]` names above, for [`crate::rename_aliases`].
    pub const ALIASES: &[(&str, &str)] = &[("versionId", "dataVersionId")];
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
