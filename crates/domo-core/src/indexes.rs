//! Index jobs: data becomes queryable once its index is built.

use domo_model::indexes::IndexJob;
use domo_model::{DatasetId, Id};

use crate::spec::{BodyShape, Fixup, ReplyShape};

/// An index job's reply: an empty 200 is a job with nothing known; `id` is
/// the job's id.
const INDEX_JOB: &[Fixup] = &[Fixup::EmptyAs("{}"), Fixup::Rename("", IndexJob::ALIASES)];

declare! {
    /// `POST /api/data/v3/datasources/{id}/indexes` `{"dataIds": []}`:
    /// index the dataset's data.
    StartIndex => json IndexJob {
        POST "/api/data/v3/datasources/{datasetId}/indexes";
        body: BodyShape::Json(r#"{"dataIds":$dataIds}"#),
        reply: ReplyShape::Json(INDEX_JOB),
        js: js![startIndex(datasetId, ...)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// The data versions to index; none means the current data.
        array data_ids "dataIds": Vec<Id> = "[]",
    }

    /// `GET /api/data/v3/datasources/{id}/indexes/{indexId}/statuses`.
    IndexStatus => json IndexJob {
        GET "/api/data/v3/datasources/{datasetId}/indexes/{indexId}/statuses";
        reply: ReplyShape::Json(INDEX_JOB),
        js: js![indexStatus(datasetId, indexId)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// The job.
        arg index_id "indexId": Id,
    }
}
