//! Partitions (data tags): list, search, delete.

use bytes::Bytes;
use domo_model::partitions::{Partition, PartitionListRequest, PartitionSearch};
use http::{Method, Response};

use crate::endpoint::{Body, Endpoint, JsonEndpoint, json};
use crate::error::Error;
use crate::path::segment;

fn base(dataset_id: &str) -> Result<String, Error> {
    Ok(format!(
        "/api/query/v1/datasources/{}",
        segment("dataset id", dataset_id)?
    ))
}

/// `GET .../partition` (the seed's "Get/Retrieve Partition List").
#[derive(Debug, Clone, PartialEq)]
pub struct ListPartitions {
    pub dataset_id: String,
}

impl Endpoint for ListPartitions {
    type Output = Vec<Partition>;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!("{}/partition", base(&self.dataset_id)?))
    }
    fn parse(&self, response: Response<Bytes>) -> Result<Vec<Partition>, Error> {
        json(response)
    }
}

impl JsonEndpoint for ListPartitions {}

/// `POST .../partition/list`: one page, newest first. Paging ends on `[]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ListPartitionsPage {
    pub dataset_id: String,
    pub limit: u32,
    pub offset: u32,
}

impl Endpoint for ListPartitionsPage {
    type Output = Vec<Partition>;
    fn method(&self) -> Method {
        Method::POST
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!("{}/partition/list", base(&self.dataset_id)?))
    }
    fn body(&self) -> Result<Body, Error> {
        Body::json(&PartitionListRequest::page(self.limit, self.offset))
    }
    fn idempotent(&self) -> bool {
        true
    }
    fn parse(&self, response: Response<Bytes>) -> Result<Vec<Partition>, Error> {
        json(response)
    }
}

impl JsonEndpoint for ListPartitionsPage {}

/// `POST .../partition/search` `{"filter": {...}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchPartitions {
    pub dataset_id: String,
    pub filter: serde_json::Value,
}

impl Endpoint for SearchPartitions {
    type Output = Vec<Partition>;
    fn method(&self) -> Method {
        Method::POST
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!("{}/partition/search", base(&self.dataset_id)?))
    }
    fn body(&self) -> Result<Body, Error> {
        Body::json(&PartitionSearch {
            filter: self.filter.clone(),
        })
    }
    fn idempotent(&self) -> bool {
        true
    }
    fn parse(&self, response: Response<Bytes>) -> Result<Vec<Partition>, Error> {
        json(response)
    }
}

impl JsonEndpoint for SearchPartitions {}

/// `DELETE .../tag/{partitionId}/data`: marks the partition's data version
/// deleted; the tag stays.
#[derive(Debug, Clone, PartialEq)]
pub struct DeletePartitionData {
    pub dataset_id: String,
    pub partition_id: String,
}

impl Endpoint for DeletePartitionData {
    type Output = ();
    fn method(&self) -> Method {
        Method::DELETE
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!(
            "{}/tag/{}/data",
            base(&self.dataset_id)?,
            segment("partition id", &self.partition_id)?
        ))
    }
    fn parse(&self, _: Response<Bytes>) -> Result<(), Error> {
        Ok(())
    }
}

/// `DELETE .../partition/{partitionId}`: drops the tag from the list.
#[derive(Debug, Clone, PartialEq)]
pub struct DeletePartitionTag {
    pub dataset_id: String,
    pub partition_id: String,
}

impl Endpoint for DeletePartitionTag {
    type Output = ();
    fn method(&self) -> Method {
        Method::DELETE
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!(
            "{}/partition/{}",
            base(&self.dataset_id)?,
            segment("partition id", &self.partition_id)?
        ))
    }
    fn parse(&self, _: Response<Bytes>) -> Result<(), Error> {
        Ok(())
    }
}
