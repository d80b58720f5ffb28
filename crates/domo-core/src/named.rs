//! Endpoints chosen by name at run time, with their arguments as a JSON
//! object: for clients that pass requests through as JSON. The browser
//! package runs every single-request endpoint through [`endpoint`], so a new
//! one costs it a row of [`ENDPOINTS`] and a thin method rather than a
//! decoder and a request loop of its own.
//!
//! Each row builds the same typed endpoint a Rust caller would, so paths,
//! id checks and body rules stay the endpoint's own; the row only reads the
//! arguments (named as the JavaScript API names them: `datasetId`) and says
//! how the reply is read.

use bytes::Bytes;
use domo_model::datasets::DatasetProperties;
use domo_model::indexes::IndexRequest;
use domo_model::pdp::PdpSettings;
use domo_model::permissions::ShareRequest;
use domo_model::schema::{Column, Schema};
use domo_model::streams::{RunStreamRequest, StreamRequest};
use domo_model::uploads::{AppendRowRequest, UploadStartRequest};
use http::{Method, Response};
use serde_json::{Map, Value};

use crate::app::{AppData, AppDataQuery, AppSql};
use crate::data::{DataWindow, ExportCsv, GetData, GetDataCsv};
use crate::datasets::{
    DatasetSearch, DeleteDataset, DeleteMethod, GetDataset, ListDatasets, SearchDatasets,
    SetProperties,
};
use crate::endpoint::{Body, Endpoint, JsonEndpoint};
use crate::error::Error;
use crate::indexes::{IndexStatus, StartIndex};
use crate::partitions::{
    DeletePartitionData, DeletePartitionTag, ListPartitions, ListPartitionsPage, SearchPartitions,
};
use crate::pdp::{CreatePolicy, DeletePolicy, ListPolicies, SetPdp, UpdatePolicy};
use crate::permissions::{ListPermissions, RemoveUser, RemoveUsers, RevokeUser, Share};
use crate::query::ExecuteQuery;
use crate::schema::{AlterSchema, GetIndexedSchema, GetLatestSchema, GetSchema};
use crate::streams::{
    CreateStream, GetStream, RunStream, SearchStreams, StreamHistory, UpdateStream,
};
use crate::tags::SetTags;
use crate::tokens::{CreateAccessToken, ListAccessTokens, RevokeAccessToken};
use crate::uploads::{AppendRow, CommitUpload, StartUpload};
use crate::users::WhoAmI;
use crate::versions::ListDataVersions;

/// A reply read without knowing its type at compile time.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// JSON, as [`JsonEndpoint::parse_json`] gives it.
    Json(Value),
    /// A text body (CSV).
    Text(String),
    /// Nothing worth handing on (an empty 200).
    Empty,
}

/// An endpoint built by name; its output is a [`Reply`].
pub type NamedEndpoint = Box<dyn Endpoint<Output = Reply>>;

type Build = fn(&Args<'_>) -> Result<NamedEndpoint, Error>;

/// Every endpoint [`endpoint`] builds, by name, grouped as the modules of
/// this crate are. Names are the endpoint types' (`CreateDataset` is
/// [`StreamRequest::api_dataset`] through [`CreateStream`]).
pub const ENDPOINTS: &[(&str, Build)] = &[
    // datasets
    ("GetDataset", |a| {
        Ok(json(GetDataset {
            dataset_id: a.string("datasetId")?,
            part: a.strings("part")?,
            include_all_details: a.opt_bool("includeAllDetails")?,
            requested_parts: a.strings("requestedParts")?,
        }))
    }),
    ("CreateDataset", |a| {
        let request = StreamRequest::api_dataset(
            a.string("name")?,
            a.opt_string("description")?.unwrap_or_default(),
            a.decode::<Vec<Column>>("columns")?,
        );
        Ok(json(CreateStream { request }))
    }),
    ("ListDatasets", |a| {
        Ok(json(ListDatasets {
            limit: a.u32("limit")?,
            offset: a.u32("offset")?,
        }))
    }),
    ("SearchDatasets", |a| {
        Ok(json(SearchDatasets {
            request: a
                .dataset_search()?
                .query(a.opt_u32("offset")?.unwrap_or(0))?,
        }))
    }),
    // A properties reply may be the dataset or nothing; it is not read.
    ("SetProperties", |a| {
        Ok(unread(SetProperties {
            dataset_id: a.string("datasetId")?,
            request: DatasetProperties {
                data_source_name: a.opt_string("dataSourceName")?,
                data_source_description: a.opt_string("dataSourceDescription")?,
            },
        }))
    }),
    ("DeleteDataset", |a| {
        let method = match a.opt_string("deleteMethod")?.as_deref() {
            None | Some("hard") => DeleteMethod::Hard,
            Some("soft") => DeleteMethod::Soft,
            Some(_) => return Err(a.bad("deleteMethod", "\"hard\" or \"soft\"")),
        };
        Ok(empty(DeleteDataset {
            dataset_id: a.string("datasetId")?,
            method,
        }))
    }),
    // users
    ("WhoAmI", |_| Ok(json(WhoAmI))),
    // schema
    ("GetSchema", |a| {
        Ok(json(GetSchema {
            dataset_id: a.string("datasetId")?,
        }))
    }),
    ("AlterSchema", |a| {
        Ok(empty(AlterSchema::new(
            a.string("datasetId")?,
            &Schema::new(a.decode::<Vec<Column>>("columns")?),
        )))
    }),
    ("GetLatestSchema", |a| {
        Ok(json(GetLatestSchema {
            dataset_id: a.string("datasetId")?,
        }))
    }),
    ("GetIndexedSchema", |a| {
        Ok(json(GetIndexedSchema {
            dataset_id: a.string("datasetId")?,
            include_hidden: a.opt_bool("includeHidden")?.unwrap_or(false),
        }))
    }),
    // data
    ("GetData", |a| {
        Ok(json(GetData {
            dataset_id: a.string("datasetId")?,
            window: a.data_window()?,
        }))
    }),
    ("GetDataCsv", |a| {
        Ok(text(GetDataCsv {
            dataset_id: a.string("datasetId")?,
            window: a.data_window()?,
        }))
    }),
    ("ExportCsv", |a| {
        Ok(text(ExportCsv {
            dataset_id: a.string("datasetId")?,
            include_header: a.opt_bool("includeHeader")?.unwrap_or(true),
        }))
    }),
    // query: the seed's rows-as-objects become the real envelope.
    ("ExecuteQuery", |a| {
        Ok(json(ExecuteQuery {
            dataset_id: a.string("datasetId")?,
            sql: a.string("sql")?,
        }))
    }),
    // permissions
    ("ListPermissions", |a| {
        Ok(json(ListPermissions {
            dataset_id: a.string("datasetId")?,
        }))
    }),
    ("Share", |a| {
        Ok(empty(Share {
            dataset_id: a.string("datasetId")?,
            request: ShareRequest {
                permissions: a.array("permissions", "permissions")?,
                send_email: a.opt_bool("sendEmail")?.unwrap_or(false),
            },
        }))
    }),
    ("RevokeUser", |a| {
        Ok(empty(RevokeUser {
            dataset_id: a.string("datasetId")?,
            user_id: a.id("userId")?,
        }))
    }),
    ("RemoveUser", |a| {
        Ok(empty(RemoveUser {
            dataset_id: a.string("datasetId")?,
            user_id: a.id("userId")?,
        }))
    }),
    ("RemoveUsers", |a| {
        Ok(empty(RemoveUsers {
            dataset_id: a.string("datasetId")?,
            users: a.array("users", "users")?,
        }))
    }),
    // tags, versions, indexes
    ("SetTags", |a| {
        Ok(empty(SetTags {
            dataset_id: a.string("datasetId")?,
            tags: a.strings("tags")?,
        }))
    }),
    ("ListDataVersions", |a| {
        Ok(json(ListDataVersions {
            dataset_id: a.string("datasetId")?,
        }))
    }),
    ("StartIndex", |a| {
        Ok(json(StartIndex {
            dataset_id: a.string("datasetId")?,
            request: IndexRequest::default(),
        }))
    }),
    ("IndexStatus", |a| {
        Ok(json(IndexStatus {
            dataset_id: a.string("datasetId")?,
            index_id: a.id("indexId")?,
        }))
    }),
    // partitions
    ("ListPartitions", |a| {
        Ok(json(ListPartitions {
            dataset_id: a.string("datasetId")?,
        }))
    }),
    ("ListPartitionsPage", |a| {
        Ok(json(ListPartitionsPage {
            dataset_id: a.string("datasetId")?,
            limit: a.u32("limit")?,
            offset: a.u32("offset")?,
        }))
    }),
    ("SearchPartitions", |a| {
        Ok(json(SearchPartitions {
            dataset_id: a.string("datasetId")?,
            filter: a.value("filter")?,
        }))
    }),
    ("DeletePartitionData", |a| {
        Ok(empty(DeletePartitionData {
            dataset_id: a.string("datasetId")?,
            partition_id: a.id("partitionId")?,
        }))
    }),
    ("DeletePartitionTag", |a| {
        Ok(empty(DeletePartitionTag {
            dataset_id: a.string("datasetId")?,
            partition_id: a.id("partitionId")?,
        }))
    }),
    // streams
    ("CreateStream", |a| {
        Ok(json(CreateStream {
            request: a.object("request", "the stream request")?,
        }))
    }),
    ("GetStream", |a| {
        Ok(json(GetStream {
            stream_id: a.id("streamId")?,
        }))
    }),
    ("UpdateStream", |a| {
        Ok(json(UpdateStream {
            stream_id: a.id("streamId")?,
            request: a.object("request", "the stream request")?,
        }))
    }),
    ("SearchStreams", |a| {
        Ok(json(SearchStreams {
            dataset_id: a.string("datasetId")?,
        }))
    }),
    ("RunStream", |a| {
        Ok(json(RunStream {
            stream_id: a.id("streamId")?,
            request: RunStreamRequest::default(),
        }))
    }),
    ("StreamHistory", |a| {
        Ok(json(StreamHistory {
            stream_id: a.id("streamId")?,
        }))
    }),
    // uploads, stage by stage
    ("AppendRow", |a| {
        Ok(empty(AppendRow {
            dataset_id: a.string("datasetId")?,
            request: AppendRowRequest {
                values: a.string("values")?,
                delimiter: a.opt_string("delimiter")?.unwrap_or_else(|| ",".into()),
            },
        }))
    }),
    ("StartUpload", |a| {
        let request = match a.opt_object("request", "the upload start request")? {
            Some(r) => r,
            None => serde_json::to_value(UploadStartRequest::default())
                .map_err(|e| Error::invalid_input(format!("upload start request: {e}")))?,
        };
        Ok(json(StartUpload {
            dataset_id: a.string("datasetId")?,
            request,
        }))
    }),
    ("CommitUpload", |a| {
        Ok(json(CommitUpload {
            dataset_id: a.string("datasetId")?,
            upload_id: a.id("uploadId")?,
            request: a.object("request", "the commit request")?,
        }))
    }),
    // custom apps
    ("AppData", |a| {
        Ok(json(AppData {
            alias: a.string("alias")?,
            query: AppDataQuery {
                fields: a.strings("fields")?,
                filter: a.strings("filter")?,
                groupby: a.strings("groupby")?,
                orderby: a.strings("orderby")?,
                limit: a.opt_u64("limit")?,
                offset: a.opt_u64("offset")?,
            },
        }))
    }),
    ("AppSql", |a| {
        Ok(json(AppSql {
            alias: a.string("alias")?,
            sql: a.string("sql")?,
        }))
    }),
    // row policies (PDP)
    ("ListPolicies", |a| {
        Ok(json(ListPolicies {
            dataset_id: a.string("datasetId")?,
        }))
    }),
    ("CreatePolicy", |a| {
        Ok(json(CreatePolicy {
            dataset_id: a.string("datasetId")?,
            policy: a.object("policy", "the policy")?,
        }))
    }),
    ("UpdatePolicy", |a| {
        Ok(json(UpdatePolicy {
            dataset_id: a.string("datasetId")?,
            policy_id: a.id("policyId")?,
            policy: a.object("policy", "the policy")?,
        }))
    }),
    ("DeletePolicy", |a| {
        Ok(empty(DeletePolicy {
            dataset_id: a.string("datasetId")?,
            policy_id: a.id("policyId")?,
        }))
    }),
    ("SetPdp", |a| {
        Ok(json(SetPdp {
            dataset_id: a.string("datasetId")?,
            settings: PdpSettings {
                enabled: a
                    .opt_bool("enabled")?
                    .ok_or_else(|| a.bad("enabled", "true or false"))?,
                external: a.opt_bool("external")?.unwrap_or(false),
            },
        }))
    }),
    // access tokens
    ("ListAccessTokens", |_| Ok(json(ListAccessTokens))),
    ("CreateAccessToken", |a| {
        let expires = a
            .opt_u64("expires")?
            .ok_or_else(|| a.bad("expires", "epoch milliseconds"))?;
        let owner = a.id("ownerId")?;
        let owner = owner
            .parse::<u64>()
            .map(Value::from)
            .unwrap_or(Value::String(owner));
        let mut request = Map::new();
        request.insert("name".into(), Value::String(a.string("name")?));
        request.insert("ownerId".into(), owner);
        request.insert("expires".into(), Value::from(expires));
        Ok(json(CreateAccessToken {
            request: Value::Object(request),
        }))
    }),
    ("RevokeAccessToken", |a| {
        Ok(empty(RevokeAccessToken {
            token_id: a.id("tokenId")?,
        }))
    }),
];

/// Build the endpoint called `name` from `args`, a JSON object (`null`
/// reads as `{}`). Unknown arguments are ignored, as structural types
/// (TypeScript's) expect; a missing or mistyped one is an error naming it.
pub fn endpoint(name: &str, args: &Value) -> Result<NamedEndpoint, Error> {
    let build = ENDPOINTS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, build)| build)
        .ok_or_else(|| Error::invalid_input(format!("there is no endpoint named {name:?}")))?;
    build(&Args::new(name, args)?)
}

// The four ways a reply is read. Public so that a transport can run an
// endpoint it builds itself (an upload part's bytes are no JSON argument)
// down the same path.

/// An endpoint whose reply is read by `read`: one adapter for every
/// endpoint type, so each costs a vtable rather than a request loop.
struct Adapted<E> {
    endpoint: E,
    read: fn(&E, Response<Bytes>) -> Result<Reply, Error>,
}

impl<E: Endpoint> Endpoint for Adapted<E> {
    type Output = Reply;
    fn method(&self) -> Method {
        self.endpoint.method()
    }
    fn path(&self) -> Result<String, Error> {
        self.endpoint.path()
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        self.endpoint.query()
    }
    fn body(&self) -> Result<Body, Error> {
        self.endpoint.body()
    }
    fn accept(&self) -> &'static str {
        self.endpoint.accept()
    }
    fn idempotent(&self) -> bool {
        self.endpoint.idempotent()
    }
    fn parse(&self, response: Response<Bytes>) -> Result<Reply, Error> {
        (self.read)(&self.endpoint, response)
    }
}

/// The reply as [`JsonEndpoint::parse_json`] reads it.
pub fn json<E: JsonEndpoint + 'static>(endpoint: E) -> NamedEndpoint {
    Box::new(Adapted {
        endpoint,
        read: |e, r| e.parse_json(r).map(Reply::Json),
    })
}

/// The reply body as text (lossy UTF-8).
pub fn text<E: Endpoint<Output = Bytes> + 'static>(endpoint: E) -> NamedEndpoint {
    Box::new(Adapted {
        endpoint,
        read: |e, r| {
            e.parse(r)
                .map(|b| Reply::Text(String::from_utf8_lossy(&b).into_owned()))
        },
    })
}

/// A success whose body is not read (a reply that may be an object or
/// nothing, which the caller does not need): no decoder is compiled for it.
pub fn unread<E: Endpoint + 'static>(endpoint: E) -> NamedEndpoint {
    Box::new(Adapted {
        endpoint,
        read: |_, _| Ok(Reply::Empty),
    })
}

/// No reply worth handing on.
pub fn empty<E: Endpoint<Output = ()> + 'static>(endpoint: E) -> NamedEndpoint {
    Box::new(Adapted {
        endpoint,
        read: |e, r| e.parse(r).map(|()| Reply::Empty),
    })
}

/// The arguments of one named call; errors name the endpoint and the
/// argument.
#[derive(Debug)]
pub struct Args<'a> {
    endpoint: &'a str,
    map: Option<&'a Map<String, Value>>,
}

/// 2^53 - 1: integers past it are not exact in a JavaScript number.
const MAX_SAFE_INTEGER: u64 = 9_007_199_254_740_991;

impl<'a> Args<'a> {
    pub fn new(endpoint: &'a str, args: &'a Value) -> Result<Args<'a>, Error> {
        let map = match args {
            Value::Null => None,
            Value::Object(m) => Some(m),
            _ => {
                return Err(Error::invalid_input(format!(
                    "{endpoint}: the arguments must be an object"
                )));
            }
        };
        Ok(Args { endpoint, map })
    }

    fn bad(&self, key: &str, expected: &str) -> Error {
        Error::invalid_input(format!("{}: `{key}` must be {expected}", self.endpoint))
    }

    /// An argument; `None` when absent or `null`.
    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map?.get(key).filter(|v| !v.is_null())
    }

    fn required(&self, key: &str, expected: &str) -> Result<&'a Value, Error> {
        self.get(key).ok_or_else(|| self.bad(key, expected))
    }

    pub fn opt_string(&self, key: &str) -> Result<Option<String>, Error> {
        self.get(key)
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| self.bad(key, "a string"))
            })
            .transpose()
    }

    pub fn string(&self, key: &str) -> Result<String, Error> {
        self.opt_string(key)?
            .ok_or_else(|| self.bad(key, "a string"))
    }

    /// An id that is a string or an integer on the wire (user, stream,
    /// upload, index and partition ids), as path text.
    pub fn id(&self, key: &str) -> Result<String, Error> {
        let expected = "a string or a non-negative integer";
        match self.required(key, expected)? {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => match n.as_u64() {
                Some(n) if n <= MAX_SAFE_INTEGER => Ok(n.to_string()),
                _ => Err(self.bad(key, expected)),
            },
            _ => Err(self.bad(key, expected)),
        }
    }

    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>, Error> {
        self.get(key)
            .map(|v| v.as_bool().ok_or_else(|| self.bad(key, "true or false")))
            .transpose()
    }

    /// A whole number from 0 up to 2^53 - 1.
    pub fn opt_u64(&self, key: &str) -> Result<Option<u64>, Error> {
        self.get(key)
            .map(|v| {
                v.as_u64()
                    .filter(|n| *n <= MAX_SAFE_INTEGER)
                    .ok_or_else(|| self.bad(key, "a non-negative integer"))
            })
            .transpose()
    }

    pub fn opt_u32(&self, key: &str) -> Result<Option<u32>, Error> {
        self.opt_u64(key)?
            .map(|n| u32::try_from(n).map_err(|_| self.bad(key, "an integer from 0 to 4294967295")))
            .transpose()
    }

    /// `text`, `owner` and `count` of a dataset search.
    fn dataset_search(&self) -> Result<DatasetSearch, Error> {
        Ok(DatasetSearch {
            text: self.opt_string("text")?,
            owner: self.get("owner").map(|_| self.id("owner")).transpose()?,
            page_size: self.opt_u32("count")?.unwrap_or(DatasetSearch::PAGE),
        })
    }

    pub fn u32(&self, key: &str) -> Result<u32, Error> {
        let expected = "an integer from 0 to 4294967295";
        let n = self.opt_u64(key)?.ok_or_else(|| self.bad(key, expected))?;
        u32::try_from(n).map_err(|_| self.bad(key, expected))
    }

    /// A string or an array of strings, as a list (empty when absent).
    pub fn strings(&self, key: &str) -> Result<Vec<String>, Error> {
        let expected = "a string or an array of strings";
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(vec![s.clone()]),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| self.bad(key, expected))
                })
                .collect(),
            Some(_) => Err(self.bad(key, expected)),
        }
    }

    /// Any JSON value (a filter), required.
    pub fn value(&self, key: &str) -> Result<Value, Error> {
        self.required(key, "given").cloned()
    }

    /// A JSON object passed through to a request body: the server checks
    /// its fields, so no decoder per request type is needed. `what` names
    /// it in errors (`the stream request`).
    pub fn object(&self, key: &str, what: &str) -> Result<Value, Error> {
        self.opt_object(key, what)?
            .ok_or_else(|| self.not_a(what, "an object"))
    }

    pub fn opt_object(&self, key: &str, what: &str) -> Result<Option<Value>, Error> {
        match self.get(key) {
            None => Ok(None),
            Some(v @ Value::Object(_)) => Ok(Some(v.clone())),
            Some(_) => Err(self.not_a(what, "an object")),
        }
    }

    /// A JSON array passed through, item by item, like [`Args::object`].
    pub fn array(&self, key: &str, what: &str) -> Result<Vec<Value>, Error> {
        match self.get(key) {
            Some(Value::Array(items)) => Ok(items.clone()),
            _ => Err(self.not_a(what, "an array")),
        }
    }

    fn not_a(&self, what: &str, expected: &str) -> Error {
        Error::invalid_input(format!("{}: {what} must be {expected}", self.endpoint))
    }

    /// A model value, decoded (for arguments a rule reads, such as a new
    /// dataset's columns). Decoded from bytes rather than from the
    /// [`Value`]: that is the decoder replies are read with
    /// ([`crate::endpoint::json`]), so the browser package compiles each
    /// type's decoder once.
    pub fn decode<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<T, Error> {
        let value = self.required(key, "given")?;
        serde_json::from_slice(value.to_string().as_bytes())
            .map_err(|e| Error::invalid_input(format!("{}: `{key}`: {e}", self.endpoint)))
    }

    /// `offset`, `limit` and `filter` of `.../data`.
    fn data_window(&self) -> Result<DataWindow, Error> {
        Ok(DataWindow {
            offset: self.opt_u64("offset")?,
            limit: self.opt_u64("limit")?,
            filter: self.opt_string("filter")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::{BaseUrl, Config, Credentials};

    fn config() -> Config {
        Config::new(
            BaseUrl::parse("http://127.0.0.1:1").unwrap(),
            Credentials::developer_token("t"),
        )
    }

    /// Method, URI and body of a request, to compare a named endpoint with
    /// the typed one a Rust caller builds.
    fn wire<E: Endpoint + ?Sized>(e: &E) -> String {
        let p = config().prepare(e).unwrap();
        format!(
            "{} {} {}",
            p.label.method,
            p.uri,
            String::from_utf8_lossy(&p.body)
        )
    }

    fn named(name: &str, args: Value) -> String {
        wire(&*endpoint(name, &args).unwrap_or_else(|e| panic!("{name}: {e}")))
    }

    #[test]
    fn each_named_endpoint_sends_what_its_typed_endpoint_sends() {
        let ds = || "ds-1".to_owned();
        assert_eq!(
            named(
                "GetDataset",
                json!({"datasetId": "ds-1", "part": ["core", "permission"], "includeAllDetails": true})
            ),
            wire(&GetDataset {
                part: vec!["core".into(), "permission".into()],
                include_all_details: Some(true),
                ..GetDataset::new(ds())
            })
        );
        assert_eq!(
            named(
                "CreateDataset",
                json!({"name": "Sales", "description": "d", "columns": [{"name": "a", "type": "LONG"}]})
            ),
            wire(&CreateStream {
                request: StreamRequest::api_dataset(
                    "Sales",
                    "d",
                    vec![Column::new("a", domo_model::schema::ColumnType::Long)]
                )
            })
        );
        assert_eq!(
            named(
                "GetData",
                json!({"datasetId": "ds-1", "offset": 5, "limit": 10, "filter": "a > 1"})
            ),
            wire(&GetData {
                dataset_id: ds(),
                window: DataWindow {
                    offset: Some(5),
                    limit: Some(10),
                    filter: Some("a > 1".into())
                }
            })
        );
        assert_eq!(
            named("ExportCsv", json!({"datasetId": "ds-1"})),
            wire(&ExportCsv {
                dataset_id: ds(),
                include_header: true
            })
        );
        assert_eq!(
            named(
                "Share",
                json!({"datasetId": "ds-1", "permissions": [{"type": "USER", "id": 7, "accessLevel": "CAN_EDIT"}]})
            ),
            wire(&Share {
                dataset_id: ds(),
                request: ShareRequest {
                    permissions: vec![json!({"type": "USER", "id": 7, "accessLevel": "CAN_EDIT"})],
                    send_email: false
                }
            })
        );
        assert_eq!(
            named("RevokeUser", json!({"datasetId": "ds-1", "userId": 7})),
            wire(&RevokeUser {
                dataset_id: ds(),
                user_id: "7".into()
            })
        );
        assert_eq!(
            named(
                "ListPartitionsPage",
                json!({"datasetId": "ds-1", "limit": 100, "offset": 200})
            ),
            wire(&ListPartitionsPage {
                dataset_id: ds(),
                limit: 100,
                offset: 200
            })
        );
        assert_eq!(
            named("StartUpload", json!({"datasetId": "ds-1"})),
            wire(&StartUpload::new("ds-1", None))
        );
        assert_eq!(
            named("AppendRow", json!({"datasetId": "ds-1", "values": "1,a"})),
            wire(&AppendRow {
                dataset_id: ds(),
                request: AppendRowRequest {
                    values: "1,a".into(),
                    delimiter: ",".into()
                }
            })
        );
        assert_eq!(
            named("RunStream", json!({"streamId": "42"})),
            wire(&RunStream {
                stream_id: "42".into(),
                request: RunStreamRequest::default()
            })
        );
        assert_eq!(
            named(
                "AppData",
                json!({"alias": "sales", "fields": ["a", "b"], "limit": 3})
            ),
            wire(&AppData {
                alias: "sales".into(),
                query: AppDataQuery {
                    fields: vec!["a".into(), "b".into()],
                    limit: Some(3),
                    ..AppDataQuery::default()
                }
            })
        );
    }

    /// Every row builds from the arguments its JavaScript method passes,
    /// and names are unique.
    #[test]
    fn life_cycle_rows_send_what_their_typed_endpoints_send() {
        use domo_model::schema::ColumnType;
        assert_eq!(
            named("ListDatasets", json!({"limit": 50, "offset": 100})),
            wire(&ListDatasets {
                limit: 50,
                offset: 100
            })
        );
        assert_eq!(
            named(
                "SearchDatasets",
                json!({"text": "sales", "owner": 7, "offset": 100})
            ),
            wire(&SearchDatasets {
                request: DatasetSearch::text("sales").owner("7").query(100).unwrap()
            })
        );
        let cols = vec![Column::new("a", ColumnType::Long).key()];
        assert_eq!(
            named(
                "AlterSchema",
                json!({"datasetId": "ds-1", "columns": [{"name": "a", "type": "LONG", "upsertKey": true}]})
            ),
            wire(&AlterSchema::new("ds-1", &Schema::new(cols)))
        );
        assert_eq!(
            named(
                "SetProperties",
                json!({"datasetId": "ds-1", "dataSourceName": "N"})
            ),
            wire(&SetProperties {
                dataset_id: "ds-1".into(),
                request: DatasetProperties {
                    data_source_name: Some("N".into()),
                    data_source_description: None
                }
            })
        );
        assert_eq!(
            named("DeleteDataset", json!({"datasetId": "ds-1"})),
            wire(&DeleteDataset::new("ds-1"))
        );
        assert_eq!(
            named(
                "DeleteDataset",
                json!({"datasetId": "ds-1", "deleteMethod": "soft"})
            ),
            wire(&DeleteDataset {
                dataset_id: "ds-1".into(),
                method: DeleteMethod::Soft
            })
        );
        assert!(
            endpoint(
                "DeleteDataset",
                &json!({"datasetId": "d", "deleteMethod": "sideways"})
            )
            .err()
            .unwrap()
            .to_string()
            .contains("`deleteMethod`")
        );
        assert_eq!(named("WhoAmI", json!({})), wire(&WhoAmI));
    }

    #[test]
    fn every_row_builds_and_names_are_unique() {
        let args = json!({
            "datasetId": "ds", "name": "n", "columns": [{"name": "a", "type": "LONG"}], "sql": "SELECT 1",
            "permissions": [{}], "users": [{}], "userId": 1, "indexId": 2, "tags": ["t"],
            "limit": 1, "offset": 0, "partitionId": "p", "streamId": 3,
            "request": {"dataSource": {"name": "n"}}, "values": "1", "uploadId": 4, "alias": "a",
            "policy": {"name": "p"}, "policyId": 5, "enabled": true, "ownerId": 7,
            "expires": 1_700_000_000_000u64, "tokenId": 6,
            "text": "s", "owner": 7, "count": 10, "executionId": 5, "dataSourceName": "n",
        });
        let mut names: Vec<&str> = ENDPOINTS.iter().map(|(n, _)| *n).collect();
        for name in &names {
            let mut args = args.clone();
            // A partition search's filter is an object, a data filter text.
            args["filter"] = if *name == "SearchPartitions" {
                json!({})
            } else {
                json!("a = 1")
            };
            let e = endpoint(name, &args).unwrap_or_else(|e| panic!("{name}: {e}"));
            config()
                .prepare(&*e)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        names.sort_unstable();
        let count = names.len();
        names.dedup();
        assert_eq!(names.len(), count, "a name is listed twice");
    }

    #[test]
    fn bad_arguments_name_the_endpoint_and_the_argument() {
        let err = |name: &str, args: Value| endpoint(name, &args).err().unwrap().to_string();
        assert_eq!(
            err("GetSchema", json!({})),
            "GetSchema: `datasetId` must be a string"
        );
        assert_eq!(
            err("GetSchema", json!({"datasetId": 7})),
            "GetSchema: `datasetId` must be a string"
        );
        assert!(err("RevokeUser", json!({"datasetId": "d", "userId": -1})).contains("`userId`"));
        assert!(
            err(
                "RevokeUser",
                json!({"datasetId": "d", "userId": 9_007_199_254_740_993u64})
            )
            .contains("non-negative integer")
        );
        assert!(
            err(
                "ListPartitionsPage",
                json!({"datasetId": "d", "limit": 1.5, "offset": 0})
            )
            .contains("`limit`")
        );
        assert!(err("GetSchema", json!([1])).contains("must be an object"));
        assert!(err("Nope", json!({})).contains("no endpoint named \"Nope\""));
        assert!(
            err(
                "CreateDataset",
                json!({"name": "n", "columns": [{"name": 1}]})
            )
            .contains("`columns`")
        );
        // Ids are the endpoint's own to check.
        let e = endpoint("GetSchema", &json!({"datasetId": ".."})).unwrap();
        assert!(config().prepare(&*e).is_err());
    }

    #[test]
    fn replies_are_read_as_json_text_or_nothing() {
        let reply = |name: &str, args: Value, body: &str| {
            let e = endpoint(name, &args).unwrap();
            let p = config().prepare(&*e).unwrap();
            let r = Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .body(Bytes::from(body.to_owned()))
                .unwrap();
            e.handle(&p.label, r).unwrap()
        };
        let ds = json!({"datasetId": "d"});
        assert_eq!(
            reply("GetSchema", ds.clone(), r#"{"columns":[]}"#),
            Reply::Json(json!({"columns": []}))
        );
        assert_eq!(
            reply("GetDataCsv", ds.clone(), "a\n1\n"),
            Reply::Text("a\n1\n".into())
        );
        assert_eq!(
            reply("SetTags", json!({"datasetId": "d", "tags": []}), ""),
            Reply::Empty
        );
        // The seed's list of objects becomes the envelope, on both query
        // routes.
        for (name, args) in [
            ("ExecuteQuery", json!({"datasetId": "d", "sql": "SELECT 1"})),
            ("AppSql", json!({"alias": "a", "sql": "SELECT 1"})),
        ] {
            assert_eq!(
                reply(name, args, r#"[{"n":1}]"#),
                Reply::Json(json!({"columns": ["n"], "metadata": [], "rows": [[1]],
                                   "numRows": 1, "numColumns": 1})),
                "{name}"
            );
        }
    }
}
