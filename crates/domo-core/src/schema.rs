//! Schemas, in the seed's path and the two paths real clients use; the
//! whole-schema change (`alter`), and the upsert-key rule of uploads.

use domo_model::DatasetId;
use domo_model::schema::{Column, IndexedSchema, LatestSchema, Schema};

use crate::error::Error;
use crate::spec::{BodyShape, Check, ReplyShape};

/// A column list a server can take: at least one column, names not blank
/// and unique, as [`crate::request::check_columns`] checks every column
/// list a request carries. `what` names the request in the error.
#[cfg(feature = "typed")]
pub fn check_columns(what: &str, columns: &[Column]) -> Result<(), Error> {
    let value = crate::args::json_value(columns)?;
    crate::request::check_columns(what, Some(&value))
}

declare! {
    /// `POST /api/data/v2/datasources/{id}/schemas`: replace the column list
    /// (add, rename, reorder, change type, mark `upsertKey`), in the form
    /// domolibrary's `alter_schema` sends (`{"columns", "objects": []}`).
    /// The server keeps the rows. Sending the same schema twice is sending
    /// it once. Servers answer with an empty 200 or the schema; neither is
    /// read.
    AlterSchema => empty {
        POST "/api/data/v2/datasources/{datasetId}/schemas";
        body: BodyShape::Json(r#"{"columns":$columns,"objects":[]}"#),
        idempotent: true,
        checks: &[Check::Columns("columns", "alter schema")],
        js: js![alterSchema(datasetId, columns)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// Every column it is to have, in order.
        array columns "columns": Vec<Column>,
    }

    /// `GET /api/data/v3/datasources/{id}/schema` (seed).
    GetSchema => json Schema {
        GET "/api/data/v3/datasources/{datasetId}/schema";
        js: js![getSchema(datasetId)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
    }

    /// `GET /api/data/v2/datasources/{id}/schemas/latest`.
    GetLatestSchema => json LatestSchema {
        GET "/api/data/v2/datasources/{datasetId}/schemas/latest";
        js: js![getLatestSchema(datasetId)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
    }

    /// `GET /api/query/v1/datasources/{id}/schema/indexed?includeHidden=...`.
    GetIndexedSchema => json IndexedSchema {
        GET "/api/query/v1/datasources/{datasetId}/schema/indexed";
        query: "includeHidden={includeHidden}",
        reply: ReplyShape::Json(&[]),
        js: js![getIndexedSchema(datasetId, ...)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// Whether hidden columns are listed too.
        arg include_hidden "includeHidden": bool = "false",
    }
}

impl AlterSchema {
    /// Replace the dataset's columns with `schema`'s.
    pub fn new(dataset_id: impl Into<DatasetId>, schema: &Schema) -> AlterSchema {
        AlterSchema {
            dataset_id: dataset_id.into(),
            columns: schema.columns.clone(),
        }
    }
}

/// The upsert rule: an upsert needs the dataset's schema to mark at least
/// one column `upsertKey: true`, checked before anything is sent (Domo
/// would otherwise append, duplicating every row meant to replace one).
/// Returns the key columns; the error names the dataset.
pub fn upsert_keys<'a>(dataset_id: &str, schema: &'a Schema) -> Result<Vec<&'a str>, Error> {
    let keys: Vec<&str> = schema.upsert_keys().collect();
    if keys.is_empty() {
        return Err(no_upsert_keys(dataset_id));
    }
    Ok(keys)
}

/// The error of an upsert into a dataset without key columns.
pub fn no_upsert_keys(dataset_id: &str) -> Error {
    Error::invalid_input(format!(
        "dataset {dataset_id} has no upsert key columns, so an upsert would only append; \
         mark the key columns with `upsertKey: true` (alter the schema) first; nothing was sent"
    ))
}
