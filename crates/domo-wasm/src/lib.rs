#![doc = include_str!("../README.md")]

mod js;
mod transport;
mod upload;

use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use domo_core::app::{AppData, AppDataQuery, AppSql};
use domo_core::csv_plan::HeaderMode;
use domo_core::data::{DataWindow, ExportCsv, GetData, GetDataCsv};
use domo_core::datasets::GetDataset;
use domo_core::indexes::{IndexStatus, StartIndex};
use domo_core::partitions::{
    DeletePartitionData, DeletePartitionTag, ListPartitions, ListPartitionsPage, SearchPartitions,
};
use domo_core::permissions::{ListPermissions, RemoveUser, RemoveUsers, RevokeUser, Share};
use domo_core::query::ExecuteQuery;
use domo_core::schema::{GetIndexedSchema, GetLatestSchema, GetSchema};
use domo_core::streams::{
    CreateStream, GetStream, RunStream, SearchStreams, StreamHistory, UpdateStream,
};
use domo_core::tags::SetTags;
use domo_core::uploads::{AppendRow, CommitUpload, StartUpload, UploadPart};
use domo_core::versions::ListDataVersions;
use domo_core::{BaseUrl, Config, Credentials, Error, RetryPolicy, Secret};
use domo_model::indexes::IndexRequest;
use domo_model::permissions::ShareRequest;
use domo_model::schema::Column;
use domo_model::streams::{RunStreamRequest, StreamRequest};
use domo_model::uploads::{AppendRowRequest, UploadAction, UploadStartRequest};
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::js::{Options, domo_error, from_js, id_text, js_array, js_object, to_js, to_json};
use crate::transport::{Call, RetryEvent, Transport, exec};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");

/// Generated from domo-model (see `domo_model::typescript`).
#[wasm_bindgen(typescript_custom_section)]
const MODEL_TYPES: &str = include_str!("model.d.ts");

// Typed handles for optional object arguments, so the generated
// declarations read `options?: GetDatasetOptions | null`.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "GetDatasetOptions")]
    pub type GetDatasetOptionsArg;
    #[wasm_bindgen(typescript_type = "DataWindow")]
    pub type DataWindowArg;
    #[wasm_bindgen(typescript_type = "UploadStartRequest")]
    pub type UploadStartRequestArg;
    #[wasm_bindgen(typescript_type = "UploadCsvOptions")]
    pub type UploadCsvOptionsArg;
    #[wasm_bindgen(typescript_type = "AppDataQuery")]
    pub type AppDataQueryArg;
    #[wasm_bindgen(typescript_type = "InAppOptions")]
    pub type InAppOptionsArg;
}

/// An optional argument as a plain value (`undefined` when absent).
fn arg<T: Into<JsValue>>(value: Option<T>) -> JsValue {
    value.map(Into::into).unwrap_or(JsValue::UNDEFINED)
}

/// Page size when listing every partition.
const PARTITION_PAGE: u32 = 100;
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Whether `value` is an error thrown by this package.
#[wasm_bindgen(js_name = isDomoError, unchecked_return_type = "value is DomoError")]
pub fn is_domo_error(#[wasm_bindgen(unchecked_param_type = "unknown")] value: &JsValue) -> bool {
    js::is_domo_error(value)
}

/// A client for Domo's Datasets API. Every method returns a Promise that
/// rejects with a `DomoError`.
#[wasm_bindgen]
#[derive(Debug, Clone)]
pub struct DomoClient {
    transport: Rc<Transport>,
}

/// Retries (`maxRetries`), timeout (`timeoutMs`) and `onRetry`, shared by
/// both constructors.
fn transport(config: Config, o: &Options<'_>) -> Result<Transport, Error> {
    let mut retry = RetryPolicy::default();
    if let Some(n) = o.integer("maxRetries", 0)? {
        retry.max_attempts = u32::try_from(n).unwrap_or(u32::MAX).saturating_add(1);
    }
    let timeout = match o.number("timeoutMs")? {
        None => Some(DEFAULT_TIMEOUT),
        Some(ms) if ms.is_finite() && ms > 0.0 => Some(Duration::from_secs_f64(ms / 1000.0)),
        Some(0.0) => None,
        Some(ms) => {
            return Err(Error::invalid_input(format!(
                "timeoutMs must be a non-negative number of milliseconds, got {ms}"
            )));
        }
    };
    let on_retry = o.function("onRetry")?.map(|f| {
        Box::new(move |event: &RetryEvent<'_>| {
            let obj = js_sys::Object::new();
            let set = |k: &str, v: JsValue| {
                let _ = js_sys::Reflect::set(&obj, &JsValue::from_str(k), &v);
            };
            set("attempt", JsValue::from_f64(f64::from(event.attempt)));
            set(
                "delayMs",
                JsValue::from_f64(event.delay.as_secs_f64() * 1000.0),
            );
            set("error", domo_error(event.error));
            // A throwing callback must not break the call.
            let _ = f.call1(&JsValue::NULL, &obj);
        }) as transport::RetryHook
    });
    Ok(Transport {
        config,
        retry,
        timeout,
        on_retry,
    })
}

/// Run `future` as a Promise; errors reject as `DomoError`s.
fn promise(future: impl Future<Output = Result<JsValue, Error>> + 'static) -> Promise {
    future_to_promise(async move { future.await.map_err(|e| domo_error(&e)) })
}

/// A JSON reply as a plain JS value.
fn json_js(value: serde_json::Value) -> Result<JsValue, Error> {
    to_js(&value)
}

/// A dataset for JS: tags as an array rather than the wire's JSON string.
fn dataset_js(mut value: serde_json::Value) -> Result<JsValue, Error> {
    if let Some(serde_json::Value::String(text)) = value.get("tags") {
        let tags = domo_model::datasets::parse_tags(text)
            .map_err(|e| Error::new(domo_core::ErrorKind::Decode, e))?;
        value["tags"] = tags.into();
    }
    to_js(&value)
}

fn csv_text(bytes: &bytes::Bytes) -> Result<JsValue, Error> {
    Ok(JsValue::from_str(&String::from_utf8_lossy(bytes)))
}

/// The result of endpoints that answer with nothing.
fn nothing(_: &()) -> Result<JsValue, Error> {
    Ok(JsValue::UNDEFINED)
}

fn data_window(value: &JsValue) -> Result<DataWindow, Error> {
    let w = Options::new(value, "data window")?;
    Ok(DataWindow {
        offset: w.integer("offset", 0)?,
        limit: w.integer("limit", 0)?,
        filter: w.string("filter")?,
    })
}

/// The CSV argument of uploads as a Blob: strings and bytes are wrapped,
/// Blobs and Files are read in slices.
fn csv_blob(value: &JsValue) -> Result<web_sys::Blob, Error> {
    use wasm_bindgen::JsCast;
    if let Some(b) = value.dyn_ref::<web_sys::Blob>() {
        return Ok(b.clone());
    }
    let parts = js_sys::Array::of1(value);
    let made = if value.is_string() {
        web_sys::Blob::new_with_str_sequence(&parts)
    } else if value.is_instance_of::<js_sys::Uint8Array>()
        || value.is_instance_of::<js_sys::ArrayBuffer>()
    {
        web_sys::Blob::new_with_buffer_source_sequence(&parts)
    } else {
        return Err(Error::invalid_input(
            "the CSV must be a string, a Blob, a File, a Uint8Array or an ArrayBuffer",
        ));
    };
    made.map_err(|e| {
        Error::invalid_input(format!(
            "cannot read the CSV: {}",
            transport::js_error_text(&e)
        ))
    })
}

#[wasm_bindgen]
impl DomoClient {
    /// A client for a Domo instance (or an emulator) with a developer or
    /// session token. Throws a `DomoError` on invalid options.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "DomoClientOptions")] options: JsValue,
    ) -> Result<DomoClient, JsValue> {
        DomoClient::build(&options).map_err(|e| domo_error(&e))
    }

    fn build(options: &JsValue) -> Result<DomoClient, Error> {
        let o = Options::new(options, "DomoClient options")?;
        let (instance, base_url) = (o.string("instance")?, o.string("baseUrl")?);
        let allow_insecure_http = o.bool("allowInsecureHttp")?.unwrap_or(false);
        let base = match (&instance, &base_url) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid_input(
                    "give an instance name or a base URL, not both",
                ));
            }
            (Some(i), None) => BaseUrl::instance(i)?,
            (None, Some(u)) if allow_insecure_http => BaseUrl::parse_allowing_insecure_http(u)?,
            (None, Some(u)) => BaseUrl::parse(u)?,
            (None, None) => {
                return Err(Error::invalid_input(
                    "no Domo instance or base URL configured (set `instance` such as \"acme\", or `baseUrl`)",
                ));
            }
        };
        let credentials = match (o.string("token")?, o.string("sessionToken")?) {
            (Some(t), None) => Credentials::developer_token(t),
            (None, Some(s)) => Credentials::session_token(s),
            (Some(_), Some(_)) => {
                return Err(Error::invalid_input(
                    "give a developer token or a session token, not both",
                ));
            }
            (None, None) => {
                return Err(Error::invalid_input(
                    "no token configured: set `token` (a developer token) or `sessionToken`",
                ));
            }
        };
        let t = transport(Config::new(base, credentials), &o)?;
        Ok(DomoClient {
            transport: Rc::new(t),
        })
    }

    /// A client for code running inside a Domo custom app: relative URLs
    /// (the app's own origin) and the app's session from
    /// `window.__RYUU_SID__` (`X-DOMO-Ryuu-Session`), or from
    /// `window.__RYUU_AUTHENTICATION_TOKEN__` (`X-DOMO-Ryuu-Token`) on older
    /// embeds; with neither, no auth header (the session cookie applies).
    #[wasm_bindgen(js_name = inApp)]
    pub fn in_app(options: Option<InAppOptionsArg>) -> Result<DomoClient, JsValue> {
        DomoClient::build_in_app(&arg(options)).map_err(|e| domo_error(&e))
    }

    fn build_in_app(options: &JsValue) -> Result<DomoClient, Error> {
        let o = Options::new(options, "inApp options")?;
        let base = match &o.string("baseUrl")? {
            Some(u) => BaseUrl::parse(u)?,
            None => BaseUrl::relative(),
        };
        let global = js_sys::global();
        let read = |name: &str| {
            js_sys::Reflect::get(&global, &JsValue::from_str(name))
                .ok()
                .and_then(|v| v.as_string())
                .filter(|s| !s.is_empty())
        };
        let credentials = match (read("__RYUU_SID__"), read("__RYUU_AUTHENTICATION_TOKEN__")) {
            (Some(sid), _) => Credentials::RyuuSession(Secret::new(sid)),
            (None, Some(token)) => Credentials::RyuuToken(Secret::new(token)),
            (None, None) => Credentials::None,
        };
        let t = transport(Config::new(base, credentials), &o)?;
        Ok(DomoClient {
            transport: Rc::new(t),
        })
    }

    /// Send one request built by `build` (argument errors reject too).
    fn send(&self, build: impl FnOnce(&Transport) -> Result<Call, Error>) -> Promise {
        let call = build(&self.transport);
        promise(exec(self.transport.clone(), call))
    }

    // ---- datasets -------------------------------------------------------

    /// `GET /api/data/v3/datasources/{id}`.
    #[wasm_bindgen(js_name = getDataset, unchecked_return_type = "Promise<Dataset>")]
    pub fn get_dataset(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
        options: Option<GetDatasetOptionsArg>,
    ) -> Promise {
        self.send(|t| {
            let options = arg(options);
            let o = Options::new(&options, "getDataset options")?;
            let e = GetDataset {
                dataset_id,
                part: o.strings("part")?,
                include_all_details: o.bool("includeAllDetails")?,
                requested_parts: o.strings("requestedParts")?,
            };
            t.request_json(e, dataset_js)
        })
    }

    /// The dataset, asking for specific parts (`requestedParts=core,permission`).
    #[wasm_bindgen(js_name = getMetadata, unchecked_return_type = "Promise<Dataset>")]
    pub fn get_metadata(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
        #[wasm_bindgen(js_name = requestedParts)] requested_parts: Option<Vec<String>>,
    ) -> Promise {
        self.send(|t| {
            let e = GetDataset {
                requested_parts: requested_parts.unwrap_or_default(),
                ..GetDataset::new(dataset_id)
            };
            t.request_json(e, dataset_js)
        })
    }

    /// Create a dataset the way real clients do: an API-type stream whose
    /// data source is the new dataset. `stream.dataSource.id` is the dataset.
    #[wasm_bindgen(js_name = createDataset, unchecked_return_type = "Promise<Stream>")]
    pub fn create_dataset(
        &self,
        name: String,
        description: String,
        #[wasm_bindgen(unchecked_param_type = "Column[]")] columns: JsValue,
    ) -> Promise {
        self.send(|t| {
            let columns: Vec<Column> = from_js(&columns, "columns")?;
            let request = StreamRequest::api_dataset(name, description, columns);
            t.request_json(CreateStream { request }, json_js)
        })
    }

    // ---- schema ---------------------------------------------------------

    /// `GET .../{id}/schema` (the documented path).
    #[wasm_bindgen(js_name = getSchema, unchecked_return_type = "Promise<Schema>")]
    pub fn get_schema(&self, #[wasm_bindgen(js_name = datasetId)] dataset_id: String) -> Promise {
        self.send(|t| t.request_json(GetSchema { dataset_id }, json_js))
    }

    /// `GET /api/data/v2/datasources/{id}/schemas/latest`.
    #[wasm_bindgen(js_name = getLatestSchema, unchecked_return_type = "Promise<LatestSchema>")]
    pub fn get_latest_schema(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
    ) -> Promise {
        self.send(|t| t.request_json(GetLatestSchema { dataset_id }, json_js))
    }

    /// `GET /api/query/v1/datasources/{id}/schema/indexed`.
    #[wasm_bindgen(js_name = getIndexedSchema, unchecked_return_type = "Promise<IndexedSchema>")]
    pub fn get_indexed_schema(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
        #[wasm_bindgen(js_name = includeHidden)] include_hidden: Option<bool>,
    ) -> Promise {
        let e = GetIndexedSchema {
            dataset_id,
            include_hidden: include_hidden.unwrap_or(false),
        };
        self.send(|t| t.request_json(e, json_js))
    }

    // ---- data -----------------------------------------------------------

    /// One page of rows as JSON (`offset`, `limit`, `filter`).
    #[wasm_bindgen(js_name = getData, unchecked_return_type = "Promise<DataPage>")]
    pub fn get_data(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
        window: Option<DataWindowArg>,
    ) -> Promise {
        self.send(|t| {
            let window = data_window(&arg(window))?;
            t.request_json(GetData { dataset_id, window }, json_js)
        })
    }

    /// Rows as CSV text with a header row (`.../data?format=csv`).
    #[wasm_bindgen(js_name = getDataCsv, unchecked_return_type = "Promise<string>")]
    pub fn get_data_csv(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
        window: Option<DataWindowArg>,
    ) -> Promise {
        self.send(|t| {
            let window = data_window(&arg(window))?;
            t.request(GetDataCsv { dataset_id, window }, csv_text)
        })
    }

    /// The whole dataset as CSV text (`\N` for nulls) through the v2 export.
    #[wasm_bindgen(js_name = exportCsv, unchecked_return_type = "Promise<string>")]
    pub fn export_csv(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
        #[wasm_bindgen(js_name = includeHeader)] include_header: Option<bool>,
    ) -> Promise {
        let e = ExportCsv {
            dataset_id,
            include_header: include_header.unwrap_or(true),
        };
        self.send(|t| t.request(e, csv_text))
    }

    // ---- query ----------------------------------------------------------

    /// Run SQL against one dataset, named `table` in the SQL.
    #[wasm_bindgen(unchecked_return_type = "Promise<QueryResult>")]
    pub fn query(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
        sql: String,
    ) -> Promise {
        self.send(|t| t.request(ExecuteQuery { dataset_id, sql }, to_js))
    }

    // ---- permissions ----------------------------------------------------

    #[wasm_bindgen(js_name = listPermissions, unchecked_return_type = "Promise<PermissionList>")]
    pub fn list_permissions(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
    ) -> Promise {
        self.send(|t| t.request_json(ListPermissions { dataset_id }, json_js))
    }

    /// Grant users or groups an access level.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn share(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
        #[wasm_bindgen(unchecked_param_type = "Permission[]")] permissions: JsValue,
        #[wasm_bindgen(js_name = sendEmail)] send_email: Option<bool>,
    ) -> Promise {
        self.send(|t| {
            let permissions = js_array(&permissions, "permissions")?;
            let request = ShareRequest {
                permissions,
                send_email: send_email.unwrap_or(false),
            };
            t.request(
                Share {
                    dataset_id,
                    request,
                },
                nothing,
            )
        })
    }

    /// `DELETE .../permissions/USER/{userId}`.
    #[wasm_bindgen(js_name = revokeUser, unchecked_return_type = "Promise<void>")]
    pub fn revoke_user(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
        #[wasm_bindgen(js_name = userId, unchecked_param_type = "Id")] user_id: JsValue,
    ) -> Promise {
        self.send(|t| {
            let user_id = id_text(&user_id, "userId")?;
            t.request(
                RevokeUser {
                    dataset_id,
                    user_id,
                },
                nothing,
            )
        })
    }

    /// `DELETE .../USERS/{userId}`.
    #[wasm_bindgen(js_name = removeUser, unchecked_return_type = "Promise<void>")]
    pub fn remove_user(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
        #[wasm_bindgen(js_name = userId, unchecked_param_type = "Id")] user_id: JsValue,
    ) -> Promise {
        self.send(|t| {
            let user_id = id_text(&user_id, "userId")?;
            t.request(
                RemoveUser {
                    dataset_id,
                    user_id,
                },
                nothing,
            )
        })
    }

    /// `DELETE .../users` with the principals as a JSON body.
    #[wasm_bindgen(js_name = removeUsers, unchecked_return_type = "Promise<void>")]
    pub fn remove_users(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
        #[wasm_bindgen(unchecked_param_type = "PrincipalRef[]")] users: JsValue,
    ) -> Promise {
        self.send(|t| {
            let users = js_array(&users, "users")?;
            t.request(RemoveUsers { dataset_id, users }, nothing)
        })
    }

    // ---- tags, versions, indexes ---------------------------------------

    /// Replace the dataset's tags.
    #[wasm_bindgen(js_name = setTags, unchecked_return_type = "Promise<void>")]
    pub fn set_tags(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
        tags: Vec<String>,
    ) -> Promise {
        self.send(|t| t.request(SetTags { dataset_id, tags }, nothing))
    }

    #[wasm_bindgen(js_name = listDataVersions, unchecked_return_type = "Promise<DataVersion[]>")]
    pub fn list_data_versions(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
    ) -> Promise {
        self.send(|t| t.request_json(ListDataVersions { dataset_id }, json_js))
    }

    /// Start building the dataset's index (data is queryable once built).
    #[wasm_bindgen(js_name = startIndex, unchecked_return_type = "Promise<IndexJob>")]
    pub fn start_index(&self, #[wasm_bindgen(js_name = datasetId)] dataset_id: String) -> Promise {
        let e = StartIndex {
            dataset_id,
            request: IndexRequest::default(),
        };
        self.send(|t| t.request_json(e, json_js))
    }

    #[wasm_bindgen(js_name = indexStatus, unchecked_return_type = "Promise<IndexJob>")]
    pub fn index_status(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
        #[wasm_bindgen(js_name = indexId, unchecked_param_type = "Id")] index_id: JsValue,
    ) -> Promise {
        self.send(|t| {
            let index_id = id_text(&index_id, "indexId")?;
            t.request_json(
                IndexStatus {
                    dataset_id,
                    index_id,
                },
                json_js,
            )
        })
    }

    // ---- partitions -----------------------------------------------------

    /// `GET .../partition` (the documented list).
    #[wasm_bindgen(js_name = listPartitions, unchecked_return_type = "Promise<Partition[]>")]
    pub fn list_partitions(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
    ) -> Promise {
        self.send(|t| t.request_json(ListPartitions { dataset_id }, json_js))
    }

    /// One page of `POST .../partition/list`, newest first; paging ends on `[]`.
    #[wasm_bindgen(js_name = listPartitionsPage, unchecked_return_type = "Promise<Partition[]>")]
    pub fn list_partitions_page(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
        limit: u32,
        offset: u32,
    ) -> Promise {
        let e = ListPartitionsPage {
            dataset_id,
            limit,
            offset,
        };
        self.send(|t| t.request_json(e, json_js))
    }

    /// Every partition, paging `POST .../partition/list`.
    #[wasm_bindgen(js_name = listAllPartitions, unchecked_return_type = "Promise<Partition[]>")]
    pub fn list_all_partitions(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
    ) -> Promise {
        let t = self.transport.clone();
        promise(async move {
            let mut all = Vec::new();
            loop {
                let page = t
                    .call_json(&ListPartitionsPage {
                        dataset_id: dataset_id.clone(),
                        limit: PARTITION_PAGE,
                        offset: all.len() as u32,
                    })
                    .await?;
                let serde_json::Value::Array(page) = page else {
                    return Err(Error::new(
                        domo_core::ErrorKind::Decode,
                        "a partition page must be a JSON array",
                    ));
                };
                let short = page.len() < PARTITION_PAGE as usize;
                all.extend(page);
                if short {
                    return to_js(&all);
                }
            }
        })
    }

    /// `POST .../partition/search` `{"filter": ...}`.
    #[wasm_bindgen(js_name = searchPartitions, unchecked_return_type = "Promise<Partition[]>")]
    pub fn search_partitions(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
        #[wasm_bindgen(unchecked_param_type = "JsonValue")] filter: JsValue,
    ) -> Promise {
        self.send(|t| {
            let filter = to_json(&filter)?;
            t.request_json(SearchPartitions { dataset_id, filter }, json_js)
        })
    }

    /// `DELETE .../tag/{partitionId}/data`: the data goes, the tag stays.
    #[wasm_bindgen(js_name = deletePartitionData, unchecked_return_type = "Promise<void>")]
    pub fn delete_partition_data(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
        #[wasm_bindgen(js_name = partitionId, unchecked_param_type = "Id")] partition_id: JsValue,
    ) -> Promise {
        self.send(|t| {
            let partition_id = id_text(&partition_id, "partitionId")?;
            t.request(
                DeletePartitionData {
                    dataset_id,
                    partition_id,
                },
                nothing,
            )
        })
    }

    /// `DELETE .../partition/{partitionId}`: drop the tag.
    #[wasm_bindgen(js_name = deletePartitionTag, unchecked_return_type = "Promise<void>")]
    pub fn delete_partition_tag(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
        #[wasm_bindgen(js_name = partitionId, unchecked_param_type = "Id")] partition_id: JsValue,
    ) -> Promise {
        self.send(|t| {
            let partition_id = id_text(&partition_id, "partitionId")?;
            t.request(
                DeletePartitionTag {
                    dataset_id,
                    partition_id,
                },
                nothing,
            )
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
            let partition_id = id_text(&partition_id, "partitionId")?;
            let data = t.request(
                DeletePartitionData {
                    dataset_id: dataset_id.clone(),
                    partition_id: partition_id.clone(),
                },
                nothing,
            );
            exec(t.clone(), data).await?;
            let tag = t.request(
                DeletePartitionTag {
                    dataset_id,
                    partition_id,
                },
                nothing,
            );
            exec(t, tag).await
        })
    }

    // ---- streams --------------------------------------------------------

    #[wasm_bindgen(js_name = createStream, unchecked_return_type = "Promise<Stream>")]
    pub fn create_stream(
        &self,
        #[wasm_bindgen(unchecked_param_type = "StreamRequest")] request: JsValue,
    ) -> Promise {
        self.send(|t| {
            let request = js_object(&request, "stream request")?;
            t.request_json(CreateStream { request }, json_js)
        })
    }

    #[wasm_bindgen(js_name = getStream, unchecked_return_type = "Promise<Stream>")]
    pub fn get_stream(
        &self,
        #[wasm_bindgen(js_name = streamId, unchecked_param_type = "Id")] stream_id: JsValue,
    ) -> Promise {
        self.send(|t| {
            let stream_id = id_text(&stream_id, "streamId")?;
            t.request_json(GetStream { stream_id }, json_js)
        })
    }

    #[wasm_bindgen(js_name = updateStream, unchecked_return_type = "Promise<Stream>")]
    pub fn update_stream(
        &self,
        #[wasm_bindgen(js_name = streamId, unchecked_param_type = "Id")] stream_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "StreamRequest")] request: JsValue,
    ) -> Promise {
        self.send(|t| {
            let stream_id = id_text(&stream_id, "streamId")?;
            let request = js_object(&request, "stream request")?;
            t.request_json(UpdateStream { stream_id, request }, json_js)
        })
    }

    /// The streams feeding a dataset.
    #[wasm_bindgen(js_name = searchStreams, unchecked_return_type = "Promise<Stream[]>")]
    pub fn search_streams(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
    ) -> Promise {
        self.send(|t| t.request_json(SearchStreams { dataset_id }, json_js))
    }

    /// Start a manual run.
    #[wasm_bindgen(js_name = runStream, unchecked_return_type = "Promise<Execution>")]
    pub fn run_stream(
        &self,
        #[wasm_bindgen(js_name = streamId, unchecked_param_type = "Id")] stream_id: JsValue,
    ) -> Promise {
        self.send(|t| {
            let stream_id = id_text(&stream_id, "streamId")?;
            let e = RunStream {
                stream_id,
                request: RunStreamRequest::default(),
            };
            t.request_json(e, json_js)
        })
    }

    #[wasm_bindgen(js_name = streamHistory, unchecked_return_type = "Promise<Execution[]>")]
    pub fn stream_history(
        &self,
        #[wasm_bindgen(js_name = streamId, unchecked_param_type = "Id")] stream_id: JsValue,
    ) -> Promise {
        self.send(|t| {
            let stream_id = id_text(&stream_id, "streamId")?;
            t.request_json(StreamHistory { stream_id }, json_js)
        })
    }

    // ---- uploads --------------------------------------------------------

    /// Append one delimited row (`{"values", "delimiter"}`; default `,`).
    #[wasm_bindgen(js_name = appendRow, unchecked_return_type = "Promise<void>")]
    pub fn append_row(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
        values: String,
        delimiter: Option<String>,
    ) -> Promise {
        let request = AppendRowRequest {
            values,
            delimiter: delimiter.unwrap_or_else(|| ",".to_owned()),
        };
        self.send(|t| {
            t.request(
                AppendRow {
                    dataset_id,
                    request,
                },
                nothing,
            )
        })
    }

    /// Stage 1 of an upload. Prefer `uploadCsv`.
    #[wasm_bindgen(js_name = startUpload, unchecked_return_type = "Promise<UploadSession>")]
    pub fn start_upload(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
        request: Option<UploadStartRequestArg>,
    ) -> Promise {
        self.send(|t| {
            let request = match arg(request) {
                r if r.is_undefined() || r.is_null() => {
                    serde_json::to_value(UploadStartRequest::default())
                        .map_err(|e| Error::invalid_input(format!("upload start request: {e}")))?
                }
                r => js_object(&r, "upload start request")?,
            };
            t.request_json(
                StartUpload {
                    dataset_id,
                    request,
                },
                json_js,
            )
        })
    }

    /// Stage 2: one part (from 1), CSV without a header row.
    #[wasm_bindgen(js_name = uploadPart, unchecked_return_type = "Promise<void>")]
    pub fn upload_part(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
        #[wasm_bindgen(js_name = uploadId, unchecked_param_type = "Id")] upload_id: JsValue,
        part: u32,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] csv: JsValue,
    ) -> Promise {
        self.send(|t| {
            let upload_id = id_text(&upload_id, "uploadId")?;
            let csv = if let Some(s) = csv.as_string() {
                bytes::Bytes::from(s)
            } else if csv.is_instance_of::<js_sys::Uint8Array>() {
                bytes::Bytes::from(js_sys::Uint8Array::new(&csv).to_vec())
            } else {
                return Err(Error::invalid_input(
                    "uploadPart: the CSV must be a string or a Uint8Array",
                ));
            };
            let e = UploadPart {
                dataset_id,
                upload_id,
                part,
                csv,
                gzip: false,
            };
            t.request(e, nothing)
        })
    }

    /// Stage 3: apply every staged part.
    #[wasm_bindgen(js_name = commitUpload, unchecked_return_type = "Promise<CommitResult>")]
    pub fn commit_upload(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
        #[wasm_bindgen(js_name = uploadId, unchecked_param_type = "Id")] upload_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "CommitRequest")] request: JsValue,
    ) -> Promise {
        self.send(|t| {
            let upload_id = id_text(&upload_id, "uploadId")?;
            let request = js_object(&request, "commit request")?;
            let e = CommitUpload {
                dataset_id,
                upload_id,
                request,
            };
            t.request_json(e, json_js)
        })
    }

    /// Upload CSV in parts cut on record boundaries, sent with bounded
    /// concurrency (each part retried on its own), committed only when every
    /// part is in. A header row is detected and checked against the schema.
    #[wasm_bindgen(js_name = uploadCsv, unchecked_return_type = "Promise<UploadReport>")]
    pub fn upload_csv(
        &self,
        #[wasm_bindgen(js_name = datasetId)] dataset_id: String,
        #[wasm_bindgen(unchecked_param_type = "string | Blob | Uint8Array | ArrayBuffer")]
        csv: JsValue,
        options: Option<UploadCsvOptionsArg>,
    ) -> Promise {
        let t = self.transport.clone();
        promise(async move {
            let options = arg(options);
            let o = Options::new(&options, "uploadCsv options")?;
            let count = |name: &str, default: usize| -> Result<usize, Error> {
                Ok(o.integer(name, 1)?.map_or(default, |n| n as usize))
            };
            let action = match o.string("action")?.as_deref() {
                None | Some("APPEND") => UploadAction::Append,
                Some("REPLACE") => UploadAction::Replace,
                Some(other) => {
                    return Err(Error::invalid_input(format!(
                        "action must be \"APPEND\" or \"REPLACE\", got \"{other}\""
                    )));
                }
            };
            let header = match o.string("header")?.as_deref() {
                None | Some("detect") => HeaderMode::Detect,
                Some("present") => HeaderMode::Present,
                Some("absent") => HeaderMode::Absent,
                Some(other) => {
                    return Err(Error::invalid_input(format!(
                        "header must be \"detect\", \"present\" or \"absent\", got \"{other}\""
                    )));
                }
            };
            let opts = upload::UploadOptions {
                action,
                part_size: count("partSize", upload::DEFAULT_PART_SIZE)?,
                concurrency: count("concurrency", upload::DEFAULT_CONCURRENCY)?,
                partition: o.string("partition")?,
                header,
                on_progress: o.function("onProgress")?,
            };
            let blob = csv_blob(&csv)?;
            to_js(&upload::upload_csv(t, dataset_id, blob, opts).await?)
        })
    }

    // ---- custom apps ----------------------------------------------------

    /// `GET /data/v1/{alias}`: the rows of the dataset the app's manifest
    /// maps to `alias`, as objects.
    #[wasm_bindgen(js_name = appData, unchecked_return_type = "Promise<Record<string, JsonValue>[]>")]
    pub fn app_data(&self, alias: String, query: Option<AppDataQueryArg>) -> Promise {
        self.send(|t| {
            let query = arg(query);
            let q = Options::new(&query, "appData query")?;
            let query = AppDataQuery {
                fields: q.strings("fields")?,
                filter: q.strings("filter")?,
                groupby: q.strings("groupby")?,
                orderby: q.strings("orderby")?,
                limit: q.integer("limit", 0)?,
                offset: q.integer("offset", 0)?,
            };
            t.request(AppData { alias, query }, to_js)
        })
    }

    /// `POST /sql/v1/{alias}` with the SQL as `text/plain`.
    #[wasm_bindgen(js_name = appSql, unchecked_return_type = "Promise<QueryResult>")]
    pub fn app_sql(&self, alias: String, sql: String) -> Promise {
        self.send(|t| t.request(AppSql { alias, sql }, to_js))
    }
}
