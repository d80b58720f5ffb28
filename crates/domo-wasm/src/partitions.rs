//! The partition methods that take more than one request: paging through
//! every partition and deleting one (domo-core's `PartitionPages` and
//! `DeletePartition` say how; this only runs their requests). The
//! one-request partition methods are declared endpoints.

use domo_core::json::JsonDoc;
use domo_core::partitions::{DeletePartition, PartitionPages};
use domo_core::request::Call;
use domo_core::{Error, ErrorKind};
use domo_model::{DatasetId, Id};
use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::client::{DomoClient, promise};
use crate::json::Js;
use crate::transport::Transport;

impl Transport {
    /// Send a core [`Call`] (with retries) and give its reply.
    pub(crate) async fn call(&self, call: &Call) -> Result<JsValue, Error> {
        let prepared = call.prepare::<Js>(&self.config)?;
        self.send(call.spec, &prepared, None).await.result
    }
}

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
            let mut pages = PartitionPages::new(DatasetId::from(dataset_id));
            let all = js_sys::Array::new();
            while let Some(request) = pages.next_page() {
                let page = Js(t.call(&request.to_call()).await?);
                let n = page.array_len().ok_or_else(|| {
                    Error::new(ErrorKind::Decode, "a partition page must be a JSON array")
                })?;
                pages.received(n)?;
                for i in 0..n {
                    if let Some(item) = page.at(i) {
                        all.push(&item.0);
                    }
                }
            }
            Ok(all.into())
        })
    }

    /// Delete a partition the way real clients do: its data, then its tag.
    #[wasm_bindgen(js_name = deletePartition, unchecked_return_type = "Promise<void>")]
    pub fn delete_partition(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
        #[wasm_bindgen(js_name = partitionId)] partition_id: String,
    ) -> Promise {
        let t = self.transport.clone();
        promise(async move {
            let delete = DeletePartition::new(DatasetId::from(dataset_id), Id::Str(partition_id));
            for step in delete.steps() {
                t.call(&step.to_call())
                    .await
                    .map_err(|e| delete.failed(&step, e))?;
            }
            Ok(JsValue::UNDEFINED)
        })
    }
}
