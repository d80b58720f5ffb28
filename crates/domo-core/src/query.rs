//! SQL: `POST /api/query/v1/execute/{id}`.

use bytes::Bytes;
use domo_model::query::{QueryRequest, QueryResult};
use http::{Method, Response};

use crate::endpoint::{Body, Endpoint, json};
use crate::error::Error;
use crate::path::segment;

/// Run `sql` against one dataset, named `table` in the SQL.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecuteQuery {
    pub dataset_id: String,
    pub sql: String,
}

impl Endpoint for ExecuteQuery {
    type Output = QueryResult;
    fn method(&self) -> Method {
        Method::POST
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!(
            "/api/query/v1/execute/{}",
            segment("dataset id", &self.dataset_id)?
        ))
    }
    fn body(&self) -> Result<Body, Error> {
        if self.sql.trim().is_empty() {
            return Err(Error::invalid_input("the SQL query is empty"));
        }
        Body::json(&QueryRequest {
            sql: self.sql.clone(),
        })
    }
    /// A query reads; sending it twice is harmless.
    fn idempotent(&self) -> bool {
        true
    }
    fn parse(&self, response: Response<Bytes>) -> Result<QueryResult, Error> {
        json(response)
    }
}
