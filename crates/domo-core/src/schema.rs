//! Schemas, in the seed's path and the two paths real clients use; the
//! whole-schema change (`alter`), and the upsert-key rule of uploads.

use bytes::Bytes;
use domo_model::schema::{Column, IndexedSchema, LatestSchema, Schema, SchemaUpdate};
use http::{Method, Response};

use crate::endpoint::{Body, Endpoint, JsonEndpoint, json, json_object_or_empty};
use crate::error::Error;
use crate::path::segment;

/// A column list a server can take: at least one column, names not blank
/// and unique (ASCII letters compared case-insensitively, as SQL on `table`
/// reads them; no Unicode case tables, which would cost the browser package
/// kilobytes). `what` names the request in the error.
pub fn check_columns(what: &str, columns: &[Column]) -> Result<(), Error> {
    if columns.is_empty() {
        return Err(Error::invalid_input(format!(
            "{what}: the schema needs at least one column"
        )));
    }
    for (i, c) in columns.iter().enumerate() {
        if c.name.trim().is_empty() {
            return Err(Error::invalid_input(format!(
                "{what}: column {} has a blank name",
                i + 1
            )));
        }
        if columns[..i]
            .iter()
            .any(|earlier| earlier.name.eq_ignore_ascii_case(&c.name))
        {
            return Err(Error::invalid_input(format!(
                "{what}: column {:?} is listed twice",
                c.name
            )));
        }
    }
    Ok(())
}

/// `POST /api/data/v2/datasources/{id}/schemas`: replace the column list
/// (add, rename, reorder, change type, mark `upsertKey`). The server keeps
/// the rows. Sending the same schema twice is sending it once. Servers
/// answer with an empty 200 or the schema; neither is read.
#[derive(Debug, Clone, PartialEq)]
pub struct AlterSchema {
    pub dataset_id: String,
    pub request: SchemaUpdate,
}

impl AlterSchema {
    pub fn new(dataset_id: impl Into<String>, schema: &Schema) -> AlterSchema {
        AlterSchema {
            dataset_id: dataset_id.into(),
            request: SchemaUpdate::from(schema),
        }
    }
}

impl Endpoint for AlterSchema {
    type Output = ();
    fn method(&self) -> Method {
        Method::POST
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!(
            "/api/data/v2/datasources/{}/schemas",
            segment("dataset id", &self.dataset_id)?
        ))
    }
    fn body(&self) -> Result<Body, Error> {
        check_columns("alter schema", &self.request.columns)?;
        Body::json(&self.request)
    }
    fn idempotent(&self) -> bool {
        true
    }
    fn parse(&self, _: Response<Bytes>) -> Result<(), Error> {
        Ok(())
    }
}

impl JsonEndpoint for AlterSchema {
    fn parse_json(&self, response: Response<Bytes>) -> Result<serde_json::Value, Error> {
        json_object_or_empty(response)
    }
}

/// The upsert rule: an upsert needs the dataset's schema to mark at least
/// one column `upsertKey: true`, checked before anything is sent (Domo
/// would otherwise append, duplicating every row meant to replace one).
/// Returns the key columns; the error names the dataset.
pub fn upsert_keys<'a>(dataset_id: &str, schema: &'a Schema) -> Result<Vec<&'a str>, Error> {
    let keys: Vec<&str> = schema.upsert_keys().collect();
    if keys.is_empty() {
        return Err(Error::invalid_input(format!(
            "dataset {dataset_id} has no upsert key columns, so an upsert would only append; \
             mark the key columns with `upsertKey: true` (alter the schema) first; nothing was sent"
        )));
    }
    Ok(keys)
}

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
