//! Schemas, in the seed's path and the two paths real clients use.

use bytes::Bytes;
use domo_model::schema::{IndexedSchema, LatestSchema, Schema};
use http::{Method, Response};

use crate::endpoint::{Endpoint, JsonEndpoint, json};
use crate::error::Error;
use crate::path::segment;

/// `GET /api/data/v3/datasources/{id}/schema` (seed).
#[derive(Debug, Clone, PartialEq)]
pub struct GetSchema {
    pub dataset_id: String,
}

impl Endpoint for GetSchema {
    type Output = Schema;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!(
            "/api/data/v3/datasources/{}/schema",
            segment("dataset id", &self.dataset_id)?
        ))
    }
    fn parse(&self, response: Response<Bytes>) -> Result<Schema, Error> {
        json(response)
    }
}

impl JsonEndpoint for GetSchema {}

/// `GET /api/data/v2/datasources/{id}/schemas/latest`.
#[derive(Debug, Clone, PartialEq)]
pub struct GetLatestSchema {
    pub dataset_id: String,
}

impl Endpoint for GetLatestSchema {
    type Output = LatestSchema;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!(
            "/api/data/v2/datasources/{}/schemas/latest",
            segment("dataset id", &self.dataset_id)?
        ))
    }
    fn parse(&self, response: Response<Bytes>) -> Result<LatestSchema, Error> {
        json(response)
    }
}

impl JsonEndpoint for GetLatestSchema {}

/// `GET /api/query/v1/datasources/{id}/schema/indexed?includeHidden=...`.
#[derive(Debug, Clone, PartialEq)]
pub struct GetIndexedSchema {
    pub dataset_id: String,
    pub include_hidden: bool,
}

impl Endpoint for GetIndexedSchema {
    type Output = IndexedSchema;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!(
            "/api/query/v1/datasources/{}/schema/indexed",
            segment("dataset id", &self.dataset_id)?
        ))
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        vec![("includeHidden", self.include_hidden.to_string())]
    }
    fn parse(&self, response: Response<Bytes>) -> Result<IndexedSchema, Error> {
        json(response)
    }
}

impl JsonEndpoint for GetIndexedSchema {}
