//! Data versions: `GET .../dataversions/details`.

use bytes::Bytes;
use domo_model::versions::DataVersion;
use http::{Method, Response};

use crate::endpoint::{Endpoint, JsonEndpoint, json};
use crate::error::Error;
use crate::path::segment;

#[derive(Debug, Clone, PartialEq)]
pub struct ListDataVersions {
    pub dataset_id: String,
}

impl Endpoint for ListDataVersions {
    type Output = Vec<DataVersion>;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!(
            "/api/data/v3/datasources/{}/dataversions/details",
            segment("dataset id", &self.dataset_id)?
        ))
    }
    fn parse(&self, response: Response<Bytes>) -> Result<Vec<DataVersion>, Error> {
        json(response)
    }
}

impl JsonEndpoint for ListDataVersions {
    fn parse_json(&self, response: Response<Bytes>) -> Result<serde_json::Value, Error> {
        let mut value = json(response)?;
        domo_model::rename_aliases(&mut value, DataVersion::ALIASES);
        Ok(value)
    }
}
