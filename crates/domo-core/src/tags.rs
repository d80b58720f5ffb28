//! Tags: `POST /api/data/ui/v3/datasources/{id}/tags` replaces the set.

use bytes::Bytes;
use http::{Method, Response};

use crate::endpoint::{Body, Endpoint};
use crate::error::Error;
use crate::path::segment;

#[derive(Debug, Clone, PartialEq)]
pub struct SetTags {
    pub dataset_id: String,
    pub tags: Vec<String>,
}

impl Endpoint for SetTags {
    type Output = ();
    fn method(&self) -> Method {
        Method::POST
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!(
            "/api/data/ui/v3/datasources/{}/tags",
            segment("dataset id", &self.dataset_id)?
        ))
    }
    fn body(&self) -> Result<Body, Error> {
        Body::json(&self.tags)
    }
    /// It replaces the whole set, so sending it twice is the same as once.
    fn idempotent(&self) -> bool {
        true
    }
    fn parse(&self, _: Response<Bytes>) -> Result<(), Error> {
        Ok(())
    }
}
