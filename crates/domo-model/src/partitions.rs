//! Partitions (data tags) of a dataset.

use serde::{Deserialize, Serialize};

use crate::{Extra, Id};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct Partition {
    pub partition_id: Id,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_count: Option<u64>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `POST .../partition/search` (seed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartitionSearch {
    pub filter: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaginationField {
    pub field_name: String,
    pub sort_order: String,
    pub filter_values: serde_json::Value,
}

/// `POST .../partition/list`, the form real clients page with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartitionListRequest {
    pub pagination_fields: Vec<PaginationField>,
    pub limit: u32,
    pub offset: u32,
}

impl PartitionListRequest {
    /// Newest first, as real clients ask.
    pub fn page(limit: u32, offset: u32) -> PartitionListRequest {
        PartitionListRequest {
            pagination_fields: vec![PaginationField {
                field_name: "datecompleted".into(),
                sort_order: "DESC".into(),
                filter_values: serde_json::json!({"MIN": null, "MAX": null}),
            }],
            limit,
            offset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_body_is_the_real_form() {
        assert_eq!(
            serde_json::to_string(&PartitionListRequest::page(100, 0)).unwrap(),
            r#"{"paginationFields":[{"fieldName":"datecompleted","sortOrder":"DESC","filterValues":{"MIN":null,"MAX":null}}],"limit":100,"offset":0}"#
        );
    }

    #[test]
    fn seed_partitions_decode() {
        let p: Vec<Partition> = serde_json::from_str(
            r#"[{"partitionId":"p1","status":"active","rowCount":1000},{"partitionId":"p2","status":"archived"}]"#,
        )
        .unwrap();
        assert_eq!(p[0].row_count, Some(1000));
        assert_eq!(p[1].partition_id, Id::from("p2"));
    }
}
