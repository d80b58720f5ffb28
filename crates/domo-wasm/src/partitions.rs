//! The partition methods that take more than one request: paging through
//! every partition and deleting one (domo-core's `PartitionPages` and
//! `DeletePartition` say how; this only runs their requests). The
//! one-request partition methods are rows of `js/methods.js`.

use domo_core::named::{self, Reply};
use domo_core::partitions::{DeletePartition, PartitionPages};
use domo_core::{Error, ErrorKind};
use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::client::{DomoClient, promise};
use crate::js::{id_text, to_js};

#[wasm_bindgen]
impl DomoClient {
    /// Every partition, paging `POST .../partition/list`.
    #[wasm_bindgen(js_name = listAllPartitions, unchecked_return_type = "Promise<Partition[]>")]
    pub fn list_all_partitions(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
    ) -> Promise {
        let t = self.transport.clone();
        promise(async move {
            let mut pages = PartitionPages::new(dataset_id);
            let mut all = Vec::new();
            while let Some(request) = pages.next_page() {
                let Reply::Json(serde_json::Value::Array(page)) =
                    t.call_named(&named::json(request)).await?
                else {
                    return Err(Error::new(
                        ErrorKind::Decode,
                        "a partition page must be a JSON array",
                    ));
                };
                pages.received(page.len())?;
                all.extend(page);
            }
            to_js(&all)
        })
    }

    /// Delete a partition the way real clients do: its data, then its tag.
    #[wasm_bindgen(js_name = deletePartition, unchecked_return_type = "Promise<void>")]
    pub fn delete_partition(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
        #[wasm_bindgen(js_name = partitionId, unchecked_param_type = "Id")] partition_id: JsValue,
    ) -> Promise {
        let t = self.transport.clone();
        promise(async move {
            let delete = DeletePartition::new(dataset_id, id_text(&partition_id, "partitionId")?);
            for step in delete.steps() {
                t.call(&step).await.map_err(|e| delete.failed(&step, e))?;
            }
            Ok(JsValue::UNDEFINED)
        })
    }
}
