//! Dataset metadata: `GET /api/data/v3/datasources/{id}`.

use bytes::Bytes;
use domo_model::datasets::Dataset;
use http::{Method, Response};

use crate::endpoint::{Endpoint, JsonEndpoint, json};
use crate::error::{Error, ErrorKind};
use crate::path::segment;

/// Covers the seed's "Get DataSource" (`part`, `includeAllDetails`) and
/// "Get Metadata" (`requestedParts`) sections: one path, optional parts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GetDataset {
    pub dataset_id: String,
    /// `part=core,permission,...`
    pub part: Vec<String>,
    pub include_all_details: Option<bool>,
    /// `requestedParts=core,permission`
    pub requested_parts: Vec<String>,
}

impl GetDataset {
    pub fn new(dataset_id: impl Into<String>) -> GetDataset {
        GetDataset {
            dataset_id: dataset_id.into(),
            ..GetDataset::default()
        }
    }
}

impl Endpoint for GetDataset {
    type Output = Dataset;

    fn method(&self) -> Method {
        Method::GET
    }

    fn path(&self) -> Result<String, Error> {
        Ok(format!(
            "/api/data/v3/datasources/{}",
            segment("dataset id", &self.dataset_id)?
        ))
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if !self.part.is_empty() {
            q.push(("part", self.part.join(",")));
        }
        if let Some(all) = self.include_all_details {
            q.push(("includeAllDetails", all.to_string()));
        }
        if !self.requested_parts.is_empty() {
            q.push(("requestedParts", self.requested_parts.join(",")));
        }
        q
    }

    fn parse(&self, response: Response<Bytes>) -> Result<Dataset, Error> {
        json(response)
    }
}

impl JsonEndpoint for GetDataset {
    /// The wire carries `tags` as JSON text (`"[\"a\"]"`); the reply gives
    /// them as the array the model declares.
    fn parse_json(&self, response: Response<Bytes>) -> Result<serde_json::Value, Error> {
        let mut value: serde_json::Value = json(response)?;
        if let Some(serde_json::Value::String(text)) = value.get("tags") {
            let tags = domo_model::datasets::parse_tags(text)
                .map_err(|e| Error::new(ErrorKind::Decode, e).with_json_path("tags"))?;
            value["tags"] = tags.into();
        }
        Ok(value)
    }
}
