//! Partitions (data tags): list, search, delete, and the two client rules
//! every transport follows: how to page through every partition
//! ([`PartitionPages`]) and how to delete one ([`DeletePartition`]).

use domo_model::partitions::Partition;
use domo_model::{DatasetId, Id};

use crate::error::Error;
use crate::paging::PageCursor;
#[cfg(feature = "typed")]
use crate::paging::Pages;
use crate::spec::BodyShape;

declare! {
    /// `GET .../partition` (the seed's "Get/Retrieve Partition List").
    ListPartitions => json Vec<Partition> {
        GET "/api/query/v1/datasources/{datasetId}/partition";
        js: js![listPartitions(datasetId)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
    }

    /// `POST .../partition/list`: one page, newest first. To list every
    /// partition, page with [`PartitionPages`]. A listing reads; sending
    /// it twice is harmless.
    ListPartitionsPage => json Vec<Partition> {
        POST "/api/query/v1/datasources/{datasetId}/partition/list";
        body: BodyShape::Json(r#"{"paginationFields":[{"fieldName":"datecompleted","sortOrder":"DESC","filterValues":{"MIN":null,"MAX":null}}],"limit":$limit,"offset":$offset}"#),
        idempotent: true,
        js: js![listPartitionsPage(datasetId, limit, offset)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// Partitions per page.
        arg limit "limit": u32 = "100",
        /// Partitions to skip.
        arg offset "offset": u32 = "0",
    }

    /// `POST .../partition/search` `{"filter": ...}`. A search reads.
    SearchPartitions => json Vec<Partition> {
        POST "/api/query/v1/datasources/{datasetId}/partition/search";
        body: BodyShape::Json(r#"{"filter":$filter}"#),
        idempotent: true,
        js: js![searchPartitions(datasetId, filter)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// What to match, as the server reads it.
        json filter "filter": serde_json::Value,
    }

    /// `DELETE .../tag/{pid}/data`: the partition's data is gone, the tag
    /// stays. Prefer [`DeletePartition`], which drops the tag too.
    DeletePartitionData => empty {
        DELETE "/api/query/v1/datasources/{datasetId}/tag/{partitionId}/data";
        js: js![deletePartitionData(datasetId, partitionId)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// The partition.
        arg partition_id "partitionId": Id,
    }

    /// `DELETE .../partition/{pid}`: drop the tag.
    DeletePartitionTag => empty {
        DELETE "/api/query/v1/datasources/{datasetId}/partition/{partitionId}";
        js: js![deletePartitionTag(datasetId, partitionId)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// The partition.
        arg partition_id "partitionId": Id,
    }
}

/// Paging through every partition with `POST .../partition/list`: asks for
/// [`PartitionPages::PAGE`] at a time and stops at the first page shorter
/// than that (an empty page included), which saves the extra request that
/// waiting for `[]` costs. A server that keeps sending full pages past
/// [`PartitionPages::MAX_PARTITIONS`] is an error rather than a loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionPages {
    dataset_id: DatasetId,
    cursor: PageCursor,
}

impl PartitionPages {
    /// Partitions asked for per page.
    pub const PAGE: u32 = 100;
    /// Domo allows 400 partitions a dataset; far past that, the server is
    /// not honouring `offset`.
    pub const MAX_PARTITIONS: u32 = 100_000;

    /// Paging through the partitions of `dataset_id`.
    pub fn new(dataset_id: impl Into<DatasetId>) -> PartitionPages {
        PartitionPages {
            dataset_id: dataset_id.into(),
            cursor: PageCursor::new(Self::PAGE.into(), "partitions")
                .at_most(Self::MAX_PARTITIONS.into()),
        }
    }
}

impl PartitionPages {
    /// The request for the next page, or `None` once the listing is complete.
    pub fn next_page(&self) -> Option<ListPartitionsPage> {
        Some(ListPartitionsPage {
            dataset_id: self.dataset_id.clone(),
            limit: Self::PAGE,
            offset: u32::try_from(self.cursor.next_offset()?).unwrap_or(u32::MAX),
        })
    }

    /// Record that the page last asked for held `len` partitions: for a
    /// transport that reads the page as JSON (the browser package);
    /// [`Pages::take`] does it for a typed page.
    pub fn received(&mut self, len: usize) -> Result<(), Error> {
        self.cursor.received(len, None)
    }
}

#[cfg(feature = "typed")]
impl Pages for PartitionPages {
    type Request = ListPartitionsPage;
    type Item = Partition;

    fn next_page(&self) -> Option<ListPartitionsPage> {
        PartitionPages::next_page(self)
    }

    fn take(&mut self, page: Vec<Partition>) -> Result<Vec<Partition>, Error> {
        self.received(page.len())?;
        Ok(page)
    }
}

/// Deleting a partition the way real clients do: its data first (the
/// partition's data version is marked deleted), then its tag. Run the
/// [`DeletePartition::steps`] in order and stop at the first that fails,
/// passing its error through [`DeletePartition::failed`]: the tag is never
/// dropped while the data is still there.
#[derive(Debug, Clone, PartialEq)]
pub struct DeletePartition {
    /// The dataset.
    pub dataset_id: DatasetId,
    /// The partition (its tag).
    pub partition_id: Id,
}

either_endpoint! {
    /// One request of a [`DeletePartition`].
    DeletePartitionStep -> () {
        /// Its data first.
        Data(DeletePartitionData),
        /// Then its tag.
        Tag(DeletePartitionTag),
    }
}

impl DeletePartition {
    /// Delete partition `partition_id` of `dataset_id`.
    pub fn new(dataset_id: impl Into<DatasetId>, partition_id: impl Into<Id>) -> DeletePartition {
        DeletePartition {
            dataset_id: dataset_id.into(),
            partition_id: partition_id.into(),
        }
    }

    /// The requests, in the order they must be sent.
    pub fn steps(&self) -> [DeletePartitionStep; 2] {
        [
            DeletePartitionStep::Data(DeletePartitionData {
                dataset_id: self.dataset_id.clone(),
                partition_id: self.partition_id.clone(),
            }),
            DeletePartitionStep::Tag(DeletePartitionTag {
                dataset_id: self.dataset_id.clone(),
                partition_id: self.partition_id.clone(),
            }),
        ]
    }

    /// The error to report when `step` failed with `error`: it says what
    /// has happened to the partition so far.
    pub fn failed(&self, step: &DeletePartitionStep, error: Error) -> Error {
        let id = &self.partition_id;
        match step {
            DeletePartitionStep::Data(_) => error.context(format!(
                "deleting the data of partition {id} failed; the partition is unchanged"
            )),
            DeletePartitionStep::Tag(_) => error.context(format!(
                "the data of partition {id} was deleted but dropping its tag failed; deleting it again finishes the job"
            )),
        }
    }
}

#[cfg(all(test, feature = "typed"))]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn parts(n: usize) -> Vec<Partition> {
        serde_json::from_value(serde_json::json!(vec![
            serde_json::json!({"partitionId": "p"});
            n
        ]))
        .unwrap()
    }

    #[test]
    fn paging_asks_for_full_pages_and_stops_at_a_short_one() {
        let mut pages = PartitionPages::new("ds");
        let first = pages.next_page().unwrap();
        assert_eq!((first.limit, first.offset), (PartitionPages::PAGE, 0));
        assert_eq!(first.dataset_id, "ds");
        assert_eq!(pages.take(parts(100)).unwrap().len(), 100);
        assert_eq!(pages.next_page().unwrap().offset, 100);
        pages.take(parts(100)).unwrap();
        assert_eq!(pages.next_page().unwrap().offset, 200);
        pages.take(parts(37)).unwrap();
        assert_eq!(pages.next_page(), None);

        let mut empty = PartitionPages::new("ds");
        empty.take(parts(0)).unwrap();
        assert_eq!(empty.next_page(), None, "an empty first page ends it");
    }

    #[test]
    fn a_server_that_ignores_offset_cannot_page_forever() {
        let mut pages = PartitionPages::new("ds");
        let mut requests = 0;
        let error = loop {
            assert!(pages.next_page().is_some());
            requests += 1;
            if let Err(e) = pages.take(parts(100)) {
                break e;
            }
        };
        assert_eq!(
            requests,
            PartitionPages::MAX_PARTITIONS / PartitionPages::PAGE
        );
        assert_eq!(error.kind(), ErrorKind::Decode);
        assert!(error.to_string().contains("offset"), "{error}");
        assert_eq!(pages.next_page(), None);
    }

    #[test]
    fn a_partition_is_deleted_data_first_then_tag() {
        let delete = DeletePartition::new("ds", "2024-01");
        let config = crate::Config::new(
            crate::BaseUrl::parse("http://127.0.0.1:1").unwrap(),
            crate::Credentials::developer_token("t"),
        );
        let paths: Vec<String> = delete
            .steps()
            .iter()
            .map(|s| {
                let p = config.prepare(s).unwrap();
                format!("{} {}", p.label.method, p.label.path)
            })
            .collect();
        assert_eq!(
            paths,
            [
                "DELETE /api/query/v1/datasources/ds/tag/2024-01/data",
                "DELETE /api/query/v1/datasources/ds/partition/2024-01",
            ]
        );
        let [data, tag] = delete.steps();
        let e = delete.failed(&data, Error::new(ErrorKind::Server, "boom"));
        assert!(e.to_string().contains("unchanged"), "{e}");
        let e = delete.failed(&tag, Error::new(ErrorKind::Server, "boom"));
        assert!(
            e.to_string()
                .contains("was deleted but dropping its tag failed"),
            "{e}"
        );
        // Ids are checked before anything is sent.
        let bad = DeletePartition::new("ds", "..");
        assert!(bad.steps().iter().all(|s| config.prepare(s).is_err()));
    }
}
