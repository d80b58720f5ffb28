//! DataSets of the public API: `GET/POST /v1/datasets` (a page of at most
//! 50; create), `GET/PUT/DELETE /v1/datasets/{id}`, the data as CSV in one
//! request each way (`PUT`/`GET .../data`), and SQL
//! (`POST /v1/datasets/query/execute/{id}`).

use bytes::Bytes;
use domo_model::DatasetId;
use domo_model::query::QueryResult;
use domo_model::uploads::UploadAction;
use domo_model::v1::{V1Dataset, V1DatasetRequest};

use crate::spec::{BodyShape, Check, Fixup, ReplyShape};
use crate::v1::{Listing, page_request};

declare! {
    /// `GET /v1/datasets?sort&limit&offset&nameLike`: one page of the
    /// datasets the caller can see (`[]` past the last). To list them all,
    /// page with [`V1ListDatasets::all`].
    V1ListDatasets => json Vec<V1Dataset> {
        GET "/v1/datasets";
        query: "sort={sort}&limit={limit}&offset={offset}&nameLike={nameLike}",
        checks: &[
            Check::AtLeast("limit", 1, "list datasets: the page size (limit) must be from 1 to 50"),
            Check::AtMost("limit", V1ListDatasets::MAX_PAGE as u64, "list datasets: the page size (limit) must be from 1 to 50"),
        ],
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// Domo's order: `name`, `nameDescending`, `lastTouched`,
        /// `lastUpdated`, `createdAt` (each also `...Ascending`),
        /// `cardCount`, `errorState`, `dataSourceId`; the server's when
        /// absent.
        arg sort "sort": Option<String>,
        /// Datasets per page, at most 50.
        arg limit "limit": u32 = "50",
        /// Datasets to skip.
        arg offset "offset": u32 = "0",
        /// Only datasets whose name contains this, ignoring case.
        arg name_like "nameLike": Option<String>,
    }

    /// `GET /v1/datasets/{id}`: the dataset with its schema and row
    /// policies.
    V1GetDataset => json V1Dataset {
        GET "/v1/datasets/{datasetId}";
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
    }

    /// `POST /v1/datasets` `{name, description, schema: {columns}}`: a
    /// dataset with no stream behind it (loaded with [`V1ImportData`]; the
    /// stream-backed way is [`crate::v1::streams::V1CreateStream`]). Not
    /// idempotent: each call creates one.
    V1CreateDataset => json V1Dataset {
        POST "/v1/datasets";
        body: BodyShape::Json("$request"),
        checks: &[Check::TextAt("request", "name", "create dataset: the name must not be blank")],
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The dataset: a name and a schema at least.
        object request "request": V1DatasetRequest,
    }

    /// `PUT /v1/datasets/{id}` with any of `name`, `description`, `schema`,
    /// `owner`, `pdpEnabled`: the dataset as it now is.
    V1UpdateDataset => json V1Dataset {
        PUT "/v1/datasets/{datasetId}";
        body: BodyShape::Json("$request"),
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// What changes.
        object request "request": V1DatasetRequest,
    }

    /// `DELETE /v1/datasets/{id}` (204).
    V1DeleteDataset => empty {
        DELETE "/v1/datasets/{datasetId}";
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
    }

    /// `PUT /v1/datasets/{id}/data?updateMethod=REPLACE|APPEND`: the whole
    /// CSV (without a header row) in one request (204). Loads in parts go
    /// through a stream's executions instead. Not idempotent (an append).
    V1ImportData => empty {
        PUT "/v1/datasets/{datasetId}/data";
        query: "updateMethod={updateMethod}",
        body: BodyShape::Csv { data: "csv", gzip: "gzip" },
        idempotent: false,
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// Replace the rows (the default) or append to them (an upsert
        /// appends: the dataset's keys decide).
        arg update_method "updateMethod": UploadAction = "REPLACE",
        /// The rows, CSV without a header row.
        arg csv "csv": Bytes,
        /// Whether `csv` is gzip-compressed (sent as `Content-Encoding: gzip`).
        arg gzip "gzip": bool = "false",
    }

    /// `GET /v1/datasets/{id}/data?includeHeader=true` with
    /// `Accept: text/csv`: every row the caller may see, nulls as empty
    /// fields.
    V1ExportData => text {
        GET "/v1/datasets/{datasetId}/data";
        query: "includeHeader={includeHeader}",
        accept: "text/csv",
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// Whether the first line names the columns (the default).
        arg include_header "includeHeader": bool = "true",
    }

    /// `POST /v1/datasets/query/execute/{id}` `{"sql"}`: the columns' names
    /// and the rows, read by the same decoder as the product API's query.
    V1Query => custom QueryResult = crate::query::parse_result {
        POST "/v1/datasets/query/execute/{datasetId}";
        body: BodyShape::Json(r#"{"sql":$sql}"#),
        idempotent: true,
        checks: &[Check::NotBlank("sql", "the SQL query is empty")],
        reply: ReplyShape::Json(&[Fixup::QueryEnvelope]),
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// The SQL; the dataset is `table`.
        arg sql "sql": String,
    }
}

impl V1ListDatasets {
    /// The most one page holds.
    pub const MAX_PAGE: u32 = 50;

    /// Every dataset whose name contains `name_like` (every dataset for
    /// `None`), 50 a page.
    pub fn all(name_like: Option<String>) -> Listing<V1ListDatasets> {
        let first = V1ListDatasets {
            sort: None,
            limit: Self::MAX_PAGE,
            offset: 0,
            name_like: name_like.filter(|n| !n.trim().is_empty()),
        };
        Listing::new(first, Self::MAX_PAGE, "datasets")
    }
}

page_request!(V1ListDatasets);
