//! Reading rows: JSON pages, CSV, and the v2 CSV export.

use bytes::Bytes;
use domo_model::data::DataPage;
use http::{Method, Response};

use crate::endpoint::{Endpoint, JsonEndpoint, json};
use crate::error::Error;
use crate::path::segment;

/// Paging and filtering shared by the JSON and CSV forms of `.../data`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DataWindow {
    pub offset: Option<u64>,
    pub limit: Option<u64>,
    pub filter: Option<String>,
}

impl DataWindow {
    fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if let Some(o) = self.offset {
            q.push(("offset", o.to_string()));
        }
        if let Some(l) = self.limit {
            q.push(("limit", l.to_string()));
        }
        if let Some(f) = &self.filter {
            q.push(("filter", f.clone()));
        }
        q
    }
}

fn data_path(dataset_id: &str) -> Result<String, Error> {
    Ok(format!(
        "/api/data/v3/datasources/{}/data",
        segment("dataset id", dataset_id)?
    ))
}

/// `GET /api/data/v3/datasources/{id}/data?offset&limit&filter`.
#[derive(Debug, Clone, PartialEq)]
pub struct GetData {
    pub dataset_id: String,
    pub window: DataWindow,
}

impl Endpoint for GetData {
    type Output = DataPage;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path(&self) -> Result<String, Error> {
        data_path(&self.dataset_id)
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        self.window.query()
    }
    fn parse(&self, response: Response<Bytes>) -> Result<DataPage, Error> {
        json(response)
    }
}

impl JsonEndpoint for GetData {}

/// `GET /api/data/v3/datasources/{id}/data?format=csv`: CSV with a header row.
#[derive(Debug, Clone, PartialEq)]
pub struct GetDataCsv {
    pub dataset_id: String,
    pub window: DataWindow,
}

impl Endpoint for GetDataCsv {
    type Output = Bytes;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path(&self) -> Result<String, Error> {
        data_path(&self.dataset_id)
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = vec![("format", "csv".to_owned())];
        q.extend(self.window.query());
        q
    }
    fn accept(&self) -> &'static str {
        "text/csv"
    }
    fn parse(&self, response: Response<Bytes>) -> Result<Bytes, Error> {
        Ok(response.into_body())
    }
}

/// `GET /api/data/v2/datasources/{id}/dataversions/latest?includeHeader=true`
/// with `Accept: text/csv`: the export real clients use. Nulls are `\N`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportCsv {
    pub dataset_id: String,
    pub include_header: bool,
}

impl Endpoint for ExportCsv {
    type Output = Bytes;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!(
            "/api/data/v2/datasources/{}/dataversions/latest",
            segment("dataset id", &self.dataset_id)?
        ))
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        vec![("includeHeader", self.include_header.to_string())]
    }
    fn accept(&self) -> &'static str {
        "text/csv"
    }
    fn parse(&self, response: Response<Bytes>) -> Result<Bytes, Error> {
        Ok(response.into_body())
    }
}
