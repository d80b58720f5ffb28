//! Data versions: `GET .../dataversions/details`.

use bytes::Bytes;
use domo_model::versions::{DataVersion, VersionCount};
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

/// The same read as [`ListDataVersions`], decoding only what verifying a
/// load needs ([`VersionCount`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ListVersionCounts {
    pub dataset_id: String,
}

impl Endpoint for ListVersionCounts {
    type Output = Vec<VersionCount>;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path(&self) -> Result<String, Error> {
        ListDataVersions {
            dataset_id: self.dataset_id.clone(),
        }
        .path()
    }
    fn parse(&self, response: Response<Bytes>) -> Result<Vec<VersionCount>, Error> {
        let body = response.body().clone();
        let value: serde_json::Value = json(response)?;
        VersionCount::list(&value).map_err(|e| {
            Error::new(
                crate::error::ErrorKind::Decode,
                format!("cannot decode the data versions: {e}"),
            )
            .with_body(&body)
        })
    }
}
