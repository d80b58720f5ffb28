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
    /// The dataset's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_source_id: Option<String>,
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
    /// The `#[serde(alias)]` names above, for [`crate::rename_aliases`].
    pub const ALIASES: &[(&str, &str)] = &[("versionId", "dataVersionId")];
}

/// What verifying a load reads of each data version: its id, when it was
/// recorded and its row count. Read from the parsed JSON rather than
/// through a serde derive of its own: the browser package already parses
/// every reply to JSON, and a typed decode that skips unknown fields costs
/// it about 4 KB.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionCount {
    /// `dataVersionId` (the seed: `versionId`), a number or a string.
    pub data_version_id: Option<Id>,
    /// `datetimeRecorded`, epoch milliseconds.
    pub datetime_recorded: Option<i64>,
    /// `rowCount`.
    pub row_count: Option<u64>,
}

impl VersionCount {
    /// The versions of a `dataversions/details` reply; anything but a list
    /// of objects is an error naming what was found. Fields of another
    /// type than the one above read as absent, as a withheld count does.
    pub fn list(reply: &serde_json::Value) -> Result<Vec<VersionCount>, String> {
        let items = reply
            .as_array()
            .ok_or_else(|| "expected a list of data versions".to_owned())?;
        items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let v = v
                    .as_object()
                    .ok_or_else(|| format!("[{i}]: expected a data version object"))?;
                let id = v.get("dataVersionId").or_else(|| v.get("versionId"));
                Ok(VersionCount {
                    data_version_id: match id {
                        Some(serde_json::Value::Number(n)) => n.as_u64().map(Id::Num),
                        Some(serde_json::Value::String(s)) => Some(Id::Str(s.clone())),
                        _ => None,
                    },
                    datetime_recorded: v.get("datetimeRecorded").and_then(|t| t.as_i64()),
                    row_count: v.get("rowCount").and_then(|n| n.as_u64()),
                })
            })
            .collect()
    }
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
        let counts = VersionCount::list(&serde_json::json!(
            [{"dataVersionId":3,"datetimeRecorded":1654557838137i64,"runDurationSeconds":1.5,
              "rowCount":10,"extra":{"a":[1]}},{"versionId":"v1","createdAt":"2024-01-01T00:00:00Z"},
             {"dataVersionId":4,"rowCount":null}]
        ))
        .unwrap();
        assert_eq!(
            counts,
            [
                VersionCount {
                    data_version_id: Some(Id::Num(3)),
                    datetime_recorded: Some(1654557838137),
                    row_count: Some(10)
                },
                VersionCount {
                    data_version_id: Some(Id::Str("v1".into())),
                    ..VersionCount::default()
                },
                VersionCount {
                    data_version_id: Some(Id::Num(4)),
                    ..VersionCount::default()
                }
            ]
        );
        // The typed decode reads the same three fields alike.
        let typed: Vec<DataVersion> = serde_json::from_str(
            r#"[{"dataVersionId":3,"datetimeRecorded":1654557838137,"rowCount":10},{"versionId":"v1"}]"#,
        )
        .unwrap();
        for (t, c) in typed.iter().zip(&counts) {
            assert_eq!(
                (&t.data_version_id, t.datetime_recorded, t.row_count),
                (&c.data_version_id, c.datetime_recorded, c.row_count)
            );
        }
        assert!(VersionCount::list(&serde_json::json!({"a": 1})).is_err());
        assert!(
            VersionCount::list(&serde_json::json!([1]))
                .unwrap_err()
                .contains("[0]")
        );
        assert_eq!(real[0].row_count, Some(10));

        let seed: Vec<DataVersion> = serde_json::from_str(
            r#"[{"versionId":"v1","createdAt":"2025-09-01T12:00:00Z","status":"active"}]"#,
        )
        .unwrap();
        assert_eq!(seed[0].data_version_id, Some(Id::from("v1")));
        assert_eq!(seed[0].created_at.as_deref(), Some("2025-09-01T12:00:00Z"));
    }
}
