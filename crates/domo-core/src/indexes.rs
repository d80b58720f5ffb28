//! Index jobs: data becomes queryable once its index is built.

use bytes::Bytes;
use domo_model::indexes::{IndexJob, IndexRequest};
use http::{Method, Response};

use crate::endpoint::{Body, Endpoint, JsonEndpoint, json_object_or_empty, json_or_default};
use crate::error::Error;
use crate::path::segment;

/// `POST /api/data/v3/datasources/{id}/indexes` `{"dataIds": []}`.
#[derive(Debug, Clone, PartialEq)]
pub struct StartIndex {
    pub dataset_id: String,
    pub request: IndexRequest,
}

impl Endpoint for StartIndex {
    type Output = IndexJob;
    fn method(&self) -> Method {
        Method::POST
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!(
            "/api/data/v3/datasources/{}/indexes",
            segment("dataset id", &self.dataset_id)?
        ))
    }
    fn body(&self) -> Result<Body, Error> {
        Body::json(&self.request)
    }
    fn parse(&self, response: Response<Bytes>) -> Result<IndexJob, Error> {
        json_or_default(response)
    }
}

impl JsonEndpoint for StartIndex {
    fn parse_json(&self, response: Response<Bytes>) -> Result<serde_json::Value, Error> {
        let mut value = json_object_or_empty(response)?;
        domo_model::rename_aliases(&mut value, IndexJob::ALIASES);
        Ok(value)
    }
}

/// `GET /api/data/v3/datasources/{id}/indexes/{indexId}/statuses`.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexStatus {
    pub dataset_id: String,
    pub index_id: String,
}

impl Endpoint for IndexStatus {
    type Output = IndexJob;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!(
            "/api/data/v3/datasources/{}/indexes/{}/statuses",
            segment("dataset id", &self.dataset_id)?,
            segment("index id", &self.index_id)?
        ))
    }
    fn parse(&self, response: Response<Bytes>) -> Result<IndexJob, Error> {
        json_or_default(response)
    }
}

impl JsonEndpoint for IndexStatus {
    fn parse_json(&self, response: Response<Bytes>) -> Result<serde_json::Value, Error> {
        let mut value = json_object_or_empty(response)?;
        domo_model::rename_aliases(&mut value, IndexJob::ALIASES);
        Ok(value)
    }
}
