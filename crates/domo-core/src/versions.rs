//! Data versions: `GET .../dataversions/details`, in full or only the
//! counts verifying a load needs.

use domo_model::versions::{DataVersion, VersionCount};
use domo_model::{DatasetId, Id};

use crate::error::{Error, ErrorKind};
use crate::json::JsonDoc;
use crate::spec::{Fixup, ReplyShape};

declare! {
    /// Every data version of the dataset, oldest first.
    ListDataVersions => json Vec<DataVersion> {
        GET "/api/data/v3/datasources/{datasetId}/dataversions/details";
        reply: ReplyShape::Json(&[Fixup::Rename("", DataVersion::ALIASES)]),
        js: js![listDataVersions(datasetId)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
    }

    /// The same read as [`ListDataVersions`], decoding only what verifying a
    /// load needs ([`VersionCount`], read by [`version_counts`]).
    ListVersionCounts => custom Vec<VersionCount> = parse_counts {
        GET "/api/data/v3/datasources/{datasetId}/dataversions/details";
        js_note: "the browser package reads it inside uploadCsv",
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
    }
}

/// The versions of a `dataversions/details` reply; anything but a list of
/// objects is an error naming what was found. Fields of another type than
/// [`VersionCount`]'s read as absent, as a withheld count does.
pub fn version_counts<J: JsonDoc>(reply: &J) -> Result<Vec<VersionCount>, Error> {
    let bad = |what: String| {
        Error::new(
            ErrorKind::Decode,
            format!("cannot decode the data versions: {what}"),
        )
    };
    let n = reply
        .array_len()
        .ok_or_else(|| bad("expected a list of data versions".to_owned()))?;
    (0..n)
        .map(|i| {
            let v = reply
                .at(i)
                .filter(JsonDoc::is_object)
                .ok_or_else(|| bad(format!("[{i}]: expected a data version object")))?;
            let id = v
                .get("dataVersionId")
                .filter(|x| !x.is_null())
                .or_else(|| v.get("versionId"));
            Ok(VersionCount {
                data_version_id: id.and_then(|id| {
                    id.as_u64()
                        .map(Id::Num)
                        .or_else(|| id.as_str().map(Id::Str))
                }),
                datetime_recorded: v.get("datetimeRecorded").and_then(|t| t.as_i64()),
                row_count: v.get("rowCount").and_then(|n| n.as_u64()),
            })
        })
        .collect()
}

#[cfg(feature = "typed")]
fn parse_counts(
    _: &ListVersionCounts,
    reply: crate::endpoint::Reply,
    _: &crate::request::Prepared,
) -> Result<Vec<VersionCount>, Error> {
    let value: serde_json::Value =
        crate::endpoint::from_slice(&reply.body).map_err(|e| e.with_body(&reply.body))?;
    version_counts(&value).map_err(|e| e.with_body(&reply.body))
}

#[cfg(all(test, feature = "typed"))]
mod tests {
    use super::*;

    #[test]
    fn counts_read_both_field_sets() {
        let counts = version_counts(&serde_json::json!(
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
                    datetime_recorded: Some(1_654_557_838_137),
                    row_count: Some(10)
                },
                VersionCount {
                    data_version_id: Some(Id::Str("v1".into())),
                    datetime_recorded: None,
                    row_count: None
                },
                VersionCount {
                    data_version_id: Some(Id::Num(4)),
                    datetime_recorded: None,
                    row_count: None
                },
            ]
        );
        assert!(version_counts(&serde_json::json!({"a": 1})).is_err());
        let e = version_counts(&serde_json::json!([1])).unwrap_err();
        assert!(e.message().contains("[0]"), "{e}");
    }
}
