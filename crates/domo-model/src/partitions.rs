//! Partitions (data tags) of a dataset.

use serde::{Deserialize, Serialize};

use crate::{Extra, Id};

/// One partition of a dataset, as the partition list
/// (`GET /api/query/v1/datasources/{id}/partition`), the paged list
/// (`POST .../partition/list`) and the search answer it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct Partition {
    /// The partition's tag: the `dataTag` its uploads were committed with.
    pub partition_id: Id,
    /// The partition's state (`SUCCESS` from real servers; the seed shows
    /// `active` and `archived`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Rows in the partition; the plain list may leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_count: Option<u64>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `POST .../partition/search` (seed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartitionSearch {
    /// Filter criteria, a JSON object such as `{"status": "active"}`.
    pub filter: serde_json::Value,
}

/// How [`PartitionListRequest`] sorts and bounds the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaginationField {
    /// The field to sort and filter by; clients send `datecompleted`.
    pub field_name: String,
    /// `ASC` or `DESC`.
    pub sort_order: String,
    /// Bounds on the field, `{"MIN": ..., "MAX": ...}`: epoch milliseconds
    /// for `datecompleted`, `null` for no bound.
    pub filter_values: serde_json::Value,
}

/// `POST .../partition/list`, the form real clients page with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartitionListRequest {
    /// Sort order and bounds; real clients send one, on `datecompleted`.
    pub pagination_fields: Vec<PaginationField>,
    /// Partitions in one page at most.
    pub limit: u32,
    /// Partitions to skip; paging ends on an empty page.
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
