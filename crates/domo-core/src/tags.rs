//! Tags: `POST /api/data/ui/v3/datasources/{id}/tags` replaces the set.

use domo_model::DatasetId;

use crate::spec::BodyShape;

declare! {
    /// Replace the dataset's tags. It replaces the whole set, so sending it
    /// twice is the same as once.
    SetTags => empty {
        POST "/api/data/ui/v3/datasources/{datasetId}/tags";
        body: BodyShape::Json("$tags"),
        idempotent: true,
        js: js![setTags(datasetId, tags)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// Every tag it is to have.
        arg tags "tags": Vec<String>,
    }
}
