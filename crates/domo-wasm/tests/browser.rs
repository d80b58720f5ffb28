//! The JS-facing `DomoClient`, run in headless Chromium by
//! wasm-bindgen-test against real domo-emulator servers that `cargo xtask
//! web-ci` starts. Their URLs are fixed at build time (a wasm test cannot
//! read the environment at run time):
//!
//! - `DOMO_WASM_TEST_URL`: `--demo`
//! - `DOMO_WASM_TEST_FAULTY_URL`: `--demo --faults 429=0.5,retry-after=0`
//! - `DOMO_WASM_TEST_SLOW_URL`: `--demo --faults latency=3s`
//! - `DOMO_WASM_TEST_APP_URL`: `--demo --app web/demo-app` (alias `sales`)

#![cfg(target_arch = "wasm32")]
// A missing URL must fail the test run loudly, not skip the tests.
#![allow(clippy::option_env_unwrap)]

use std::cell::RefCell;
use std::rc::Rc;

use domo_wasm::{DomoClient, is_domo_error};
use serde_json::{Value, json};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const DEMO: &str = "00000000-0000-4000-8000-000000000001";
const TOKEN: &str = "dev-token";

macro_rules! url {
    ($name:literal) => {
        option_env!($name).expect(concat!(
            $name,
            " must be set when the tests are built (cargo xtask ci starts the emulators)"
        ))
    };
}

fn js(v: &Value) -> JsValue {
    js_sys::JSON::parse(&v.to_string()).unwrap()
}

fn rust(v: &JsValue) -> Value {
    if v.is_undefined() {
        return Value::Null;
    }
    serde_json::from_str(&String::from(js_sys::JSON::stringify(v).unwrap())).unwrap()
}

fn set(obj: &JsValue, key: &str, value: &JsValue) {
    js_sys::Reflect::set(obj, &key.into(), value).unwrap();
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &key.into()).unwrap()
}

#[wasm_bindgen(module = "/js/methods.js")]
extern "C" {
    /// The package's entry points call this on the class.
    fn install(class: &JsValue);
}

/// The methods `js/methods.js` installs, called as JavaScript calls them
/// (so these tests run the real rows), with the Rust signatures the tests
/// were written against.
trait Methods {
    fn js(&self, method: &str, args: &[JsValue]) -> js_sys::Promise;

    fn get_dataset(&self, id: String, options: Option<JsValue>) -> js_sys::Promise {
        self.js("getDataset", &[id.into(), opt(options)])
    }
    fn get_metadata(&self, id: String, parts: Option<Vec<String>>) -> js_sys::Promise {
        let parts = parts.map(|p| p.into_iter().map(JsValue::from).collect::<js_sys::Array>());
        self.js("getMetadata", &[id.into(), opt(parts.map(JsValue::from))])
    }
    fn create_dataset(
        &self,
        name: String,
        description: String,
        columns: JsValue,
    ) -> js_sys::Promise {
        self.js("createDataset", &[name.into(), description.into(), columns])
    }
    fn list_datasets_page(&self, limit: u32, offset: u32) -> js_sys::Promise {
        self.js("listDatasetsPage", &[limit.into(), offset.into()])
    }
    fn search_datasets_page(&self, text: &str, options: Value) -> js_sys::Promise {
        self.js("searchDatasetsPage", &[text.into(), js(&options)])
    }
    fn rename_dataset(&self, id: String, name: &str) -> js_sys::Promise {
        self.js("renameDataset", &[id.into(), name.into()])
    }
    fn describe_dataset(&self, id: String, text: &str) -> js_sys::Promise {
        self.js("describeDataset", &[id.into(), text.into()])
    }
    fn delete_dataset(&self, id: String) -> js_sys::Promise {
        self.js("deleteDataset", &[id.into()])
    }
    fn whoami(&self) -> js_sys::Promise {
        self.js("whoami", &[])
    }
    fn alter_schema(&self, id: String, columns: Value) -> js_sys::Promise {
        self.js("alterSchema", &[id.into(), js(&columns)])
    }
    fn get_schema(&self, id: String) -> js_sys::Promise {
        self.js("getSchema", &[id.into()])
    }
    fn get_latest_schema(&self, id: String) -> js_sys::Promise {
        self.js("getLatestSchema", &[id.into()])
    }
    fn get_indexed_schema(&self, id: String, hidden: Option<bool>) -> js_sys::Promise {
        let options = hidden.map(|h| js(&json!({ "includeHidden": h })));
        self.js("getIndexedSchema", &[id.into(), opt(options)])
    }
    fn get_data(&self, id: String, window: Option<JsValue>) -> js_sys::Promise {
        self.js("getData", &[id.into(), opt(window)])
    }
    fn get_data_csv(&self, id: String, window: Option<JsValue>) -> js_sys::Promise {
        self.js("getDataCsv", &[id.into(), opt(window)])
    }
    fn export_csv(&self, id: String, header: Option<bool>) -> js_sys::Promise {
        let options = header.map(|h| js(&json!({ "includeHeader": h })));
        self.js("exportCsv", &[id.into(), opt(options)])
    }
    fn query(&self, id: String, sql: String) -> js_sys::Promise {
        self.js("query", &[id.into(), sql.into()])
    }
    fn list_permissions(&self, id: String) -> js_sys::Promise {
        self.js("listPermissions", &[id.into()])
    }
    fn share(&self, id: String, permissions: JsValue, email: Option<bool>) -> js_sys::Promise {
        let options = email.map(|e| js(&json!({ "sendEmail": e })));
        self.js("share", &[id.into(), permissions, opt(options)])
    }
    fn revoke_user(&self, id: String, user: JsValue) -> js_sys::Promise {
        self.js("revokeUser", &[id.into(), user])
    }
    fn remove_user(&self, id: String, user: JsValue) -> js_sys::Promise {
        self.js("removeUser", &[id.into(), user])
    }
    fn remove_users(&self, id: String, users: JsValue) -> js_sys::Promise {
        self.js("removeUsers", &[id.into(), users])
    }
    fn set_tags(&self, id: String, tags: Vec<String>) -> js_sys::Promise {
        let tags: js_sys::Array = tags.into_iter().map(JsValue::from).collect();
        self.js("setTags", &[id.into(), tags.into()])
    }
    fn list_data_versions(&self, id: String) -> js_sys::Promise {
        self.js("listDataVersions", &[id.into()])
    }
    fn start_index(&self, id: String) -> js_sys::Promise {
        self.js("startIndex", &[id.into()])
    }
    fn index_status(&self, id: String, index: JsValue) -> js_sys::Promise {
        self.js("indexStatus", &[id.into(), index])
    }
    fn list_partitions(&self, id: String) -> js_sys::Promise {
        self.js("listPartitions", &[id.into()])
    }
    fn list_partitions_page(&self, id: String, limit: u32, offset: u32) -> js_sys::Promise {
        self.js(
            "listPartitionsPage",
            &[id.into(), limit.into(), offset.into()],
        )
    }
    fn search_partitions(&self, id: String, filter: JsValue) -> js_sys::Promise {
        self.js("searchPartitions", &[id.into(), filter])
    }
    fn delete_partition_data(&self, id: String, partition: JsValue) -> js_sys::Promise {
        self.js("deletePartitionData", &[id.into(), partition])
    }
    fn delete_partition_tag(&self, id: String, partition: JsValue) -> js_sys::Promise {
        self.js("deletePartitionTag", &[id.into(), partition])
    }
    fn create_stream(&self, request: JsValue) -> js_sys::Promise {
        self.js("createStream", &[request])
    }
    fn get_stream(&self, stream: JsValue) -> js_sys::Promise {
        self.js("getStream", &[stream])
    }
    fn update_stream(&self, stream: JsValue, request: JsValue) -> js_sys::Promise {
        self.js("updateStream", &[stream, request])
    }
    fn search_streams(&self, id: String) -> js_sys::Promise {
        self.js("searchStreams", &[id.into()])
    }
    fn run_stream(&self, stream: JsValue) -> js_sys::Promise {
        self.js("runStream", &[stream])
    }
    fn stream_history(&self, stream: JsValue) -> js_sys::Promise {
        self.js("streamHistory", &[stream])
    }
    fn append_row(&self, id: String, values: String, delimiter: Option<String>) -> js_sys::Promise {
        let options = delimiter.map(|d| js(&json!({ "delimiter": d })));
        self.js("appendRow", &[id.into(), values.into(), opt(options)])
    }
    fn start_upload(&self, id: String, options: Option<JsValue>) -> js_sys::Promise {
        self.js("startUpload", &[id.into(), opt(options)])
    }
    fn upload_part(&self, id: String, upload: JsValue, part: u32, csv: JsValue) -> js_sys::Promise {
        self.js("uploadPart", &[id.into(), upload, part.into(), csv])
    }
    fn commit_upload(&self, id: String, upload: JsValue, options: JsValue) -> js_sys::Promise {
        self.js("commitUpload", &[id.into(), upload, options])
    }
    fn app_data(&self, alias: String, query: Option<JsValue>) -> js_sys::Promise {
        self.js("appData", &[alias.into(), opt(query)])
    }
    fn app_sql(&self, alias: String, sql: String) -> js_sys::Promise {
        self.js("appSql", &[alias.into(), sql.into()])
    }
    fn list_policies(&self, id: String) -> js_sys::Promise {
        self.js("listPolicies", &[id.into()])
    }
    fn create_policy(&self, id: String, policy: JsValue) -> js_sys::Promise {
        self.js("createPolicy", &[id.into(), policy])
    }
    fn update_policy(&self, id: String, policy_id: JsValue, policy: JsValue) -> js_sys::Promise {
        self.js("updatePolicy", &[id.into(), policy_id, policy])
    }
    fn delete_policy(&self, id: String, policy_id: JsValue) -> js_sys::Promise {
        self.js("deletePolicy", &[id.into(), policy_id])
    }
    fn set_pdp(&self, id: String, enabled: bool) -> js_sys::Promise {
        self.js("setPdp", &[id.into(), enabled.into()])
    }
    fn list_access_tokens(&self) -> js_sys::Promise {
        self.js("listAccessTokens", &[])
    }
    fn create_access_token(&self, name: String, owner: JsValue, expires: f64) -> js_sys::Promise {
        self.js("createAccessToken", &[name.into(), owner, expires.into()])
    }
    fn revoke_access_token(&self, token_id: JsValue) -> js_sys::Promise {
        self.js("revokeAccessToken", &[token_id])
    }
}

fn opt(value: Option<JsValue>) -> JsValue {
    value.unwrap_or(JsValue::UNDEFINED)
}

impl Methods for DomoClient {
    fn js(&self, method: &str, args: &[JsValue]) -> js_sys::Promise {
        // The client as JavaScript sees it (a clone shares the transport).
        let this: JsValue = self.clone().into();
        let class = get(&this, "constructor");
        if get(&this, method).is_undefined() {
            install(&class);
        }
        let f: js_sys::Function = get(&this, method)
            .dyn_into()
            .unwrap_or_else(|_| panic!("DomoClient has no method {method}"));
        let args: js_sys::Array = args.iter().collect();
        f.apply(&this, &args)
            .unwrap_or_else(|e| panic!("{method} threw: {}", message(&e)))
            .dyn_into()
            .unwrap_or_else(|_| panic!("{method} did not return a Promise"))
    }
}

fn client_with(base: &str, extra: Value) -> DomoClient {
    let mut o = json!({"baseUrl": base, "token": TOKEN, "timeoutMs": 20000});
    o.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    DomoClient::new(js(&o)).unwrap_or_else(|e| panic!("client: {}", rust(&e)))
}

fn client() -> DomoClient {
    client_with(url!("DOMO_WASM_TEST_URL"), json!({}))
}

/// Await a method's promise; a rejection fails the test with its message.
async fn ok(p: js_sys::Promise) -> JsValue {
    match JsFuture::from(p).await {
        Ok(v) => v,
        Err(e) => panic!("rejected: {}", message(&e)),
    }
}

async fn ok_json(p: js_sys::Promise) -> Value {
    rust(&ok(p).await)
}

/// Await a promise that must reject; returns the rejection.
async fn err(p: js_sys::Promise) -> JsValue {
    match JsFuture::from(p).await {
        Ok(v) => panic!("expected a rejection, got {}", rust(&v)),
        Err(e) => e,
    }
}

fn message(e: &JsValue) -> String {
    get(e, "message").as_string().unwrap_or_default()
}

async fn count(c: &DomoClient, id: &str) -> i64 {
    let r = ok_json(c.query(id.into(), "SELECT COUNT(*) FROM table".into())).await;
    r["rows"][0][0].as_i64().unwrap()
}

async fn new_dataset(c: &DomoClient, name: &str) -> (String, Value) {
    let columns = js(&json!([{"name": "id", "type": "LONG"}, {"name": "note", "type": "STRING"}]));
    let stream =
        ok_json(c.create_dataset(name.into(), "from the wasm tests".into(), columns)).await;
    let id = stream["dataSource"]["id"].as_str().unwrap().to_owned();
    (id, stream)
}

#[wasm_bindgen_test]
async fn datasets_schemas_data_and_query() {
    let c = client();
    let ds = ok_json(c.get_dataset(DEMO.into(), None)).await;
    assert_eq!(ds["id"], DEMO);
    assert_eq!(ds["name"], "Demo Sales");
    let rows = ds["rowCount"].as_u64().unwrap();
    assert!(rows > 0);
    assert!(ds["tags"].is_array() || ds["tags"].is_null(), "{ds}");

    let opts = js(&json!({"part": ["core", "permission"], "includeAllDetails": true}));
    let full = ok_json(c.get_dataset(DEMO.into(), Some(opts.unchecked_into()))).await;
    assert_eq!(full["id"], DEMO);
    let meta = ok_json(c.get_metadata(DEMO.into(), Some(vec!["core".into()]))).await;
    assert_eq!(meta["rowCount"], ds["rowCount"]);

    let schema = ok_json(c.get_schema(DEMO.into())).await;
    assert_eq!(schema["columns"].as_array().unwrap().len(), 6);
    assert_eq!(schema["columns"][0]["name"], "Region");
    let latest = ok_json(c.get_latest_schema(DEMO.into())).await;
    assert_eq!(latest["schema"]["columns"][1]["type"], "LONG");
    let indexed = ok_json(c.get_indexed_schema(DEMO.into(), Some(false))).await;
    assert_eq!(indexed["tables"][0]["columns"].as_array().unwrap().len(), 6);

    let window = js(&json!({"offset": 2, "limit": 5}));
    let page = ok_json(c.get_data(DEMO.into(), Some(window.clone().unchecked_into()))).await;
    assert_eq!(page["rows"].as_array().unwrap().len(), 5);
    assert_eq!(page["columns"].as_array().unwrap().len(), 6);
    let csv = ok(c.get_data_csv(DEMO.into(), Some(window.unchecked_into())))
        .await
        .as_string()
        .unwrap();
    assert_eq!(csv.trim_end().lines().count(), 6, "header + 5 rows: {csv}");
    assert!(csv.starts_with("Region,Units"), "{csv}");
    let export = ok(c.export_csv(DEMO.into(), Some(true)))
        .await
        .as_string()
        .unwrap();
    assert!(
        export.starts_with("Region,"),
        "{}",
        &export[..80.min(export.len())]
    );
    assert!(export.contains("\\N"), "nulls are written \\N");
    let no_header = ok(c.export_csv(DEMO.into(), Some(false)))
        .await
        .as_string()
        .unwrap();
    assert!(!no_header.starts_with("Region,"));

    let q = ok_json(c.query(
        DEMO.into(),
        "SELECT Region, COUNT(*) AS n FROM table GROUP BY Region ORDER BY Region".into(),
    ))
    .await;
    assert_eq!(q["columns"], json!(["Region", "n"]));
    assert_eq!(q["metadata"][1]["type"], "LONG");
    let total: i64 = q["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[1].as_i64().unwrap())
        .sum();
    assert_eq!(total as u64, rows);
    assert_eq!(q["numColumns"], 2);
}

#[wasm_bindgen_test]
async fn streams_create_read_update_search_run() {
    let c = client();
    let (id, stream) = new_dataset(&c, "wasm streams").await;
    let sid = js(&stream["id"]);
    let got = ok_json(c.get_stream(sid.clone())).await;
    assert_eq!(got["dataSource"]["id"], id.as_str());
    let update = js(&json!({"updateMethod": "APPEND"}));
    let updated = ok_json(c.update_stream(sid.clone(), update)).await;
    assert_eq!(updated["updateMethod"], "APPEND");
    let found = ok_json(c.search_streams(id.clone())).await;
    assert_eq!(found[0]["id"], stream["id"]);
    let run = ok_json(c.run_stream(sid.clone())).await;
    assert!(
        run["executionId"].is_number() || run["executionId"].is_string(),
        "{run}"
    );
    let history = ok_json(c.stream_history(sid.clone())).await;
    assert!(!history.as_array().unwrap().is_empty());

    let request = js(&json!({
        "transport": {"type": "API"},
        "dataProvider": {"key": "api", "name": "API"},
        "dataSource": {"name": "wasm raw stream", "description": "createStream"},
        "schemaDefinition": {"columns": [{"name": "x", "type": "DOUBLE"}]},
        "updateMethod": "REPLACE"
    }));
    let raw = ok_json(c.create_stream(request)).await;
    let raw_id = raw["dataSource"]["id"].as_str().unwrap().to_owned();
    let schema = ok_json(c.get_schema(raw_id)).await;
    assert_eq!(schema["columns"][0]["type"], "DOUBLE");
}

/// An empty REPLACE is said out loud (one empty part), which the server
/// accepts; an empty APPEND sends nothing and changes nothing.
#[wasm_bindgen_test]
async fn an_empty_replace_empties_the_dataset_and_an_empty_append_changes_nothing() {
    let c = client();
    let (id, _) = new_dataset(&c, "wasm empty uploads").await;
    let o = js(&json!({"action": "REPLACE", "header": "absent"}));
    ok(c.upload_csv(
        id.clone(),
        "1,a\n2,b\n".into(),
        Some(o.clone().unchecked_into()),
    ))
    .await;
    assert_eq!(count(&c, &id).await, 2);
    let append = js(&json!({"action": "APPEND"}));
    let r = ok_json(c.upload_csv(id.clone(), "".into(), Some(append.unchecked_into()))).await;
    assert_eq!(
        (r["parts"].as_u64(), r["rows"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(count(&c, &id).await, 2);
    let r = ok_json(c.upload_csv(id.clone(), "\n".into(), Some(o.unchecked_into()))).await;
    assert_eq!(
        (r["parts"].as_u64(), r["rows"].as_u64()),
        (Some(1), Some(0)),
        "{r}"
    );
    assert_eq!(count(&c, &id).await, 0);
}

#[wasm_bindgen_test]
async fn upload_csv_in_parts_with_progress() {
    let c = client();
    let (id, _) = new_dataset(&c, "wasm upload").await;
    // A header row, quoted commas, quotes and newlines: parts must still
    // end on record boundaries.
    let mut csv = String::from("id,note\n");
    for i in 0..40 {
        csv.push_str(&format!("{i},\"row {i}, \"\"quoted\"\"\nsecond line\"\n"));
    }
    let seen = Rc::new(RefCell::new(Vec::<Value>::new()));
    let sink = seen.clone();
    let on_progress = Closure::<dyn FnMut(JsValue)>::new(move |p: JsValue| {
        sink.borrow_mut().push(rust(&p));
    });
    let options = js(&json!({"action": "REPLACE", "partSize": 200, "concurrency": 3}));
    set(&options, "onProgress", on_progress.as_ref());
    let report = ok_json(c.upload_csv(
        id.clone(),
        JsValue::from_str(&csv),
        Some(options.unchecked_into()),
    ))
    .await;
    let parts = report["parts"].as_u64().unwrap();
    assert!(parts >= 5, "{report}");
    assert_eq!(report["rows"], 40);
    assert_eq!(
        report["verifiedRows"], 40,
        "the new version holds every row"
    );
    let versions = ok_json(c.list_data_versions(id.clone())).await;
    let newest = versions.as_array().unwrap().last().unwrap().clone();
    assert_eq!(report["versionId"], newest["dataVersionId"], "{versions}");
    let seen = seen.borrow().clone();
    let last = seen.last().unwrap();
    assert_eq!(last["partsDone"].as_u64(), Some(parts));
    assert_eq!(last["partsTotal"].as_u64(), Some(parts));
    assert_eq!(last["bytesSent"], last["totalBytes"]);
    assert_eq!(
        seen.len() as u64,
        parts + 1,
        "one report before, one per part"
    );
    assert_eq!(count(&c, &id).await, 40);
    let q = ok_json(c.query(id.clone(), "SELECT note FROM table WHERE id = 7".into())).await;
    assert_eq!(q["rows"][0][0], "row 7, \"quoted\"\nsecond line");

    // A Blob (what a file input gives), appended.
    let blob = web_sys::Blob::new_with_str_sequence(&js_sys::Array::of1(&"100,a\n101,b\n".into()))
        .unwrap();
    let append = js(&json!({"action": "APPEND", "header": "absent"}));
    let r = ok_json(c.upload_csv(id.clone(), blob.into(), Some(append.unchecked_into()))).await;
    assert_eq!(r["rows"], 2);
    assert_eq!(count(&c, &id).await, 42);

    // A header that does not match the schema is refused before anything is sent.
    let bad = js(&json!({"header": "present"}));
    let e = err(c.upload_csv(id.clone(), "a,b\n1,2\n".into(), Some(bad.unchecked_into()))).await;
    assert_eq!(get(&e, "kind").as_string().unwrap(), "InvalidInput");
    // An unclosed quote too.
    let e = err(c.upload_csv(id.clone(), "1,\"open\n".into(), None)).await;
    assert!(message(&e).contains("never closed"), "{}", message(&e));
    assert_eq!(count(&c, &id).await, 42);
}

#[wasm_bindgen_test]
async fn upload_stage_by_stage_and_append_row() {
    let c = client();
    let (id, _) = new_dataset(&c, "wasm stages").await;
    let session = ok_json(c.start_upload(id.clone(), None)).await;
    let upload_id = js(&session["uploadId"]);
    ok(c.upload_part(id.clone(), upload_id.clone(), 1, "1,one\n".into())).await;
    let bytes = js_sys::Uint8Array::from(&b"2,two\n3,three\n"[..]);
    ok(c.upload_part(id.clone(), upload_id.clone(), 2, bytes.into())).await;
    let commit = js(&json!({"action": "REPLACE"}));
    ok(c.commit_upload(id.clone(), upload_id.clone(), commit)).await;
    assert_eq!(count(&c, &id).await, 3);
    ok(c.append_row(id.clone(), "4;four".into(), Some(";".into()))).await;
    assert_eq!(count(&c, &id).await, 4);

    let versions = ok_json(c.list_data_versions(id.clone())).await;
    assert!(!versions.as_array().unwrap().is_empty(), "{versions}");
    let job = ok_json(c.start_index(id.clone())).await;
    let index_id = js(&job["indexId"]);
    let status = ok_json(c.index_status(id.clone(), index_id)).await;
    assert!(status["status"].is_string(), "{status}");
}

#[wasm_bindgen_test]
async fn partitions_list_search_delete() {
    let c = client();
    let (id, _) = new_dataset(&c, "wasm partitions").await;
    for (tag, rows) in [("2024-01", "1,a\n2,b\n"), ("2024-02", "3,c\n")] {
        let o = js(&json!({"partition": tag, "action": "REPLACE", "header": "absent"}));
        ok(c.upload_csv(id.clone(), rows.into(), Some(o.unchecked_into()))).await;
    }
    let all = ok_json(c.list_partitions(id.clone())).await;
    assert_eq!(all.as_array().unwrap().len(), 2, "{all}");
    let page = ok_json(c.list_partitions_page(id.clone(), 1, 0)).await;
    assert_eq!(page.as_array().unwrap().len(), 1);
    let every = ok_json(c.list_all_partitions(id.clone())).await;
    assert_eq!(every.as_array().unwrap().len(), 2);
    let _ = ok_json(c.search_partitions(id.clone(), js(&json!({})))).await;

    ok(c.delete_partition_data(id.clone(), "2024-02".into())).await;
    assert_eq!(count(&c, &id).await, 2);
    ok(c.delete_partition_tag(id.clone(), "2024-02".into())).await;
    ok(c.delete_partition(id.clone(), "2024-01".into())).await;
    let left = ok_json(c.list_partitions(id.clone())).await;
    assert!(left.as_array().unwrap().is_empty(), "{left}");
    assert_eq!(count(&c, &id).await, 0);
}

#[wasm_bindgen_test]
async fn permissions_tags_and_delete_with_a_body() {
    let c = client();
    let (id, _) = new_dataset(&c, "wasm sharing").await;
    let holders = |list: &Value| -> Vec<String> {
        list["list"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].to_string().trim_matches('"').to_owned())
            .collect()
    };
    let grants = js(&json!([
        {"type": "USER", "id": 2, "accessLevel": "CAN_EDIT"},
        {"type": "USER", "id": "3", "accessLevel": "CAN_SHARE"},
        {"type": "USER", "id": 4, "accessLevel": "CAN_EDIT"}
    ]));
    ok(c.share(id.clone(), grants.clone(), Some(false))).await;
    let list = ok_json(c.list_permissions(id.clone())).await;
    for u in ["2", "3", "4"] {
        assert!(holders(&list).contains(&u.to_owned()), "{list}");
    }
    ok(c.revoke_user(id.clone(), JsValue::from_f64(2.0))).await;
    ok(c.remove_user(id.clone(), "3".into())).await;
    let list = ok_json(c.list_permissions(id.clone())).await;
    assert!(!holders(&list).contains(&"2".to_owned()));
    assert!(!holders(&list).contains(&"3".to_owned()));
    ok(c.share(id.clone(), grants, None)).await;
    let users = js(
        &json!([{"id": 2, "type": "USER"}, {"id": "3", "type": "USER"}, {"id": 4, "type": "USER"}]),
    );
    ok(c.remove_users(id.clone(), users)).await;
    let list = ok_json(c.list_permissions(id.clone())).await;
    for u in ["2", "3", "4"] {
        assert!(!holders(&list).contains(&u.to_owned()), "{list}");
    }

    ok(c.set_tags(id.clone(), vec!["wasm".into(), "test".into()])).await;
    let ds = ok_json(c.get_dataset(id.clone(), None)).await;
    assert_eq!(ds["tags"], json!(["wasm", "test"]));
}

#[wasm_bindgen_test]
async fn failures_reject_with_domo_errors_that_never_hold_the_token() {
    let c = client();
    let e = err(c.get_dataset("00000000-0000-4000-8000-0000000000ff".into(), None)).await;
    assert!(e.is_instance_of::<js_sys::Error>());
    assert!(is_domo_error(&e));
    assert_eq!(get(&e, "name").as_string().unwrap(), "DomoError");
    assert_eq!(get(&e, "kind").as_string().unwrap(), "NotFound");
    assert_eq!(get(&e, "status").as_f64(), Some(404.0));
    assert_eq!(get(&e, "method").as_string().unwrap(), "GET");
    assert_eq!(
        get(&e, "path").as_string().unwrap(),
        "/api/data/v3/datasources/00000000-0000-4000-8000-0000000000ff"
    );
    assert_eq!(get(&e, "retryable"), JsValue::FALSE);
    assert!(get(&e, "body").as_string().is_some());
    let text = rust(&e).to_string() + &message(&e);
    assert!(!text.contains(TOKEN), "{text}");

    let wrong = DomoClient::new(js(
        &json!({"baseUrl": url!("DOMO_WASM_TEST_URL"), "token": "wrong-s3cret"}),
    ))
    .unwrap();
    let e = err(wrong.get_dataset(DEMO.into(), None)).await;
    assert_eq!(get(&e, "kind").as_string().unwrap(), "Unauthorized");
    assert!(!message(&e).contains("wrong-s3cret"));

    // Ids are validated before anything is sent.
    let e = err(c.get_dataset("..".into(), None)).await;
    assert_eq!(get(&e, "kind").as_string().unwrap(), "InvalidInput");
    let e = err(c.get_stream(JsValue::from_f64(-1.0))).await;
    assert_eq!(get(&e, "kind").as_string().unwrap(), "InvalidInput");

    // Bad options throw from the constructor.
    for bad in [
        json!({"token": "t"}),
        json!({"baseUrl": "http://10.0.0.1:1", "token": "t"}),
        json!({"baseUrl": "http://127.0.0.1:1"}),
        json!({"instance": "acme", "token": "t", "timeoutMs": -5}),
    ] {
        let e = DomoClient::new(js(&bad)).unwrap_err();
        assert_eq!(
            get(&e, "kind").as_string().unwrap(),
            "InvalidInput",
            "{bad}"
        );
        assert!(is_domo_error(&e));
    }
    assert!(!is_domo_error(&js_sys::Error::new("other").into()));

    // Options of the wrong type are refused by name.
    for (bad, named) in [
        (
            json!({"instance": 5, "token": "t"}),
            "`instance` must be a string",
        ),
        (
            json!({"instance": "acme", "token": "t", "maxRetries": 1.5}),
            "`maxRetries` must be a non-negative integer",
        ),
        (
            json!({"instance": "acme", "token": "t", "onRetry": 1}),
            "`onRetry` must be a function",
        ),
        (json!(["acme"]), "DomoClient options must be an object"),
    ] {
        let e = DomoClient::new(js(&bad)).unwrap_err();
        assert!(message(&e).contains(named), "{bad}: {}", message(&e));
    }
    // The browser build takes no client secret, and never repeats it.
    let e = DomoClient::new(js(&json!({
        "clientId": "an-id", "clientSecret": "s3cret-in-a-page"
    })))
    .unwrap_err();
    assert_eq!(get(&e, "kind").as_string().unwrap(), "InvalidInput");
    assert!(message(&e).contains("browser build"), "{}", message(&e));
    assert!(!message(&e).contains("s3cret-in-a-page"));
    let e = err(c.get_data(
        DEMO.into(),
        Some(js(&json!({"limit": -1})).unchecked_into()),
    ))
    .await;
    assert!(message(&e).contains("`limit`"), "{}", message(&e));
}

#[wasm_bindgen_test]
async fn json_bodies_are_checked_by_domo_core_before_sending() {
    let c = client();
    let e = err(c.create_stream(JsValue::from_f64(5.0))).await;
    assert_eq!(get(&e, "kind").as_string().unwrap(), "InvalidInput");
    assert!(
        message(&e).contains("`request` must be an object"),
        "{}",
        message(&e)
    );
    let unnamed = js(&json!({"transport": {"type": "API"}, "dataSource": {"description": "x"}}));
    let e = err(c.create_stream(unnamed)).await;
    assert!(message(&e).contains("dataSource.name"), "{}", message(&e));
    let e = err(c.share(DEMO.into(), js(&json!({"id": 2})), None)).await;
    assert!(
        message(&e).contains("`permissions` must be an array"),
        "{}",
        message(&e)
    );
    let e = err(c.share(DEMO.into(), js(&json!([])), None)).await;
    assert!(message(&e).contains("no permissions"), "{}", message(&e));
    let (id, _) = new_dataset(&c, "wasm json bodies").await;
    let session = ok_json(c.start_upload(id.clone(), None)).await;
    let upload = js(&session["uploadId"]);
    // An action that is none of the three is refused before sending.
    let e = err(c.commit_upload(
        id.clone(),
        upload.clone(),
        js(&json!({"action": "SIDEWAYS"})),
    ))
    .await;
    assert_eq!(get(&e, "kind").as_string().unwrap(), "InvalidInput");
    assert!(message(&e).contains("`action`"), "{}", message(&e));
    // A part the server refuses at the commit comes back as the server's
    // error, and nothing is applied.
    ok(c.upload_part(id.clone(), upload.clone(), 1, JsValue::from_str("x,a\n"))).await;
    let e = err(c.commit_upload(id.clone(), upload, js(&json!({"action": "APPEND"})))).await;
    assert_eq!(get(&e, "status").as_f64(), Some(400.0), "{}", message(&e));
    assert_eq!(count(&c, &id).await, 0);
}

#[wasm_bindgen_test]
async fn rate_limits_are_retried_and_reported() {
    let seen = Rc::new(RefCell::new(Vec::<Value>::new()));
    let sink = seen.clone();
    let on_retry = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let error = get(&event, "error");
        sink.borrow_mut().push(json!({
            "attempt": rust(&get(&event, "attempt")),
            "delayMs": rust(&get(&event, "delayMs")),
            "status": rust(&get(&error, "status")),
            "kind": rust(&get(&error, "kind")),
            "name": rust(&get(&error, "name")),
        }));
    });
    let opts = js(
        &json!({"baseUrl": url!("DOMO_WASM_TEST_FAULTY_URL"), "token": TOKEN, "maxRetries": 10}),
    );
    set(&opts, "onRetry", on_retry.as_ref());
    let c = DomoClient::new(opts).unwrap();
    for _ in 0..6 {
        let ds = ok_json(c.get_dataset(DEMO.into(), None)).await;
        assert_eq!(ds["id"], DEMO);
    }
    let seen = seen.borrow().clone();
    assert!(
        seen.iter()
            .any(|e| e["status"] == 429 && e["kind"] == "RateLimited"),
        "no 429 was retried: {seen:?}"
    );
    assert!(seen.iter().all(|e| e["name"] == "DomoError"));
    // `Retry-After: 0` from the server wins over backoff.
    assert!(seen.iter().all(|e| e["delayMs"] == 0), "{seen:?}");

    // With retries off, the same server's 429 surfaces.
    let strict = client_with(url!("DOMO_WASM_TEST_FAULTY_URL"), json!({"maxRetries": 0}));
    let mut limited = 0;
    for _ in 0..12 {
        if let Err(e) = JsFuture::from(strict.get_dataset(DEMO.into(), None)).await {
            assert_eq!(get(&e, "status").as_f64(), Some(429.0), "{}", message(&e));
            assert_eq!(get(&e, "retryable"), JsValue::TRUE);
            limited += 1;
        }
    }
    assert!(limited > 0, "a 50% fault rate never hit in 12 calls");
}

#[wasm_bindgen_test]
async fn a_slow_reply_times_out_and_is_aborted() {
    let c = client_with(
        url!("DOMO_WASM_TEST_SLOW_URL"),
        json!({"timeoutMs": 300, "maxRetries": 0}),
    );
    let started = js_sys::Date::now();
    let e = err(c.get_dataset(DEMO.into(), None)).await;
    let took = js_sys::Date::now() - started;
    assert_eq!(
        get(&e, "kind").as_string().unwrap(),
        "Timeout",
        "{}",
        message(&e)
    );
    assert!(message(&e).contains("300 ms"), "{}", message(&e));
    assert!(took < 2500.0, "the timeout did not cut the wait: {took} ms");

    // Retries of a timed-out idempotent request happen, each under its own
    // timeout, and the budget of attempts ends it.
    let retries = Rc::new(RefCell::new(0u32));
    let sink = retries.clone();
    let on_retry = Closure::<dyn FnMut(JsValue)>::new(move |_e: JsValue| *sink.borrow_mut() += 1);
    let opts = js(
        &json!({"baseUrl": url!("DOMO_WASM_TEST_SLOW_URL"), "token": TOKEN, "timeoutMs": 200, "maxRetries": 2}),
    );
    set(&opts, "onRetry", on_retry.as_ref());
    let c = DomoClient::new(opts).unwrap();
    let e = err(c.get_schema(DEMO.into())).await;
    assert_eq!(get(&e, "kind").as_string().unwrap(), "Timeout");
    assert_eq!(*retries.borrow(), 2);
}

#[wasm_bindgen_test]
async fn custom_app_data_and_sql_through_aliases() {
    let app = url!("DOMO_WASM_TEST_APP_URL");
    // What the app host injects into the page.
    set(&js_sys::global(), "__RYUU_SID__", &TOKEN.into());
    let opts = js(&json!({"baseUrl": app}));
    let c = DomoClient::in_app(Some(opts.unchecked_into())).unwrap();
    let rows = ok_json(c.app_data("sales".into(), None)).await;
    let n = rows.as_array().unwrap().len();
    assert!(n > 0);
    assert!(rows[0].get("Region").is_some(), "{}", rows[0]);

    let q = js(
        &json!({"fields": ["Region", "Units"], "orderBy": "Units descending", "limit": 3, "offset": 1}),
    );
    let top = ok_json(c.app_data("sales".into(), Some(q.unchecked_into()))).await;
    let top = top.as_array().unwrap();
    assert_eq!(top.len(), 3);
    assert_eq!(top[0].as_object().unwrap().len(), 2, "{:?}", top[0]);
    assert!(top[0]["Units"].as_i64() >= top[2]["Units"].as_i64());

    let sql = ok_json(c.app_sql("sales".into(), "SELECT COUNT(*) AS n FROM sales".into())).await;
    assert_eq!(sql["columns"], json!(["n"]));
    assert_eq!(sql["rows"][0][0].as_u64().unwrap() as usize, n);

    // Without the session the app host refuses.
    set(&js_sys::global(), "__RYUU_SID__", &JsValue::UNDEFINED);
    let anon = DomoClient::in_app(Some(js(&json!({"baseUrl": app})).unchecked_into())).unwrap();
    let e = err(anon.app_data("sales".into(), None)).await;
    assert_eq!(get(&e, "status").as_f64(), Some(401.0));
    let e = err(c.app_data("no-such-alias".into(), None)).await;
    assert_eq!(
        get(&e, "kind").as_string().unwrap(),
        "NotFound",
        "{}",
        message(&e)
    );
}

/// A client on the main emulator with another token.
fn client_as(token: &str) -> DomoClient {
    client_with(url!("DOMO_WASM_TEST_URL"), json!({"token": token}))
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// A dataset of four notes: `east`, `East`, `west`, `north` (ids 1..4).
async fn regions(c: &DomoClient, name: &str) -> String {
    let (id, _) = new_dataset(c, name).await;
    for (i, note) in ["east", "East", "west", "north"].iter().enumerate() {
        ok(c.append_row(id.clone(), format!("{},{note}", i + 1), None)).await;
    }
    id
}

#[wasm_bindgen_test]
async fn policies_round_trip_and_limit_what_a_user_counts() {
    let admin = client();
    let id = regions(&admin, "wasm pdp").await;
    let policy = js(&json!({"name": "East", "userIds": [7], "groupIds": [],
        "parameters": [{"type": "COLUMN", "name": "note", "values": ["east"],
                        "operator": "EQUALS", "ignoreCase": true}]}));
    let created = ok_json(admin.create_policy(id.clone(), policy)).await;
    assert_eq!(created["name"], "East");
    assert_eq!(created["dataSourceId"], id.as_str());
    let pid = created["filterGroupId"].clone();
    assert!(!pid.is_null(), "{created}");
    let listed = ok_json(admin.list_policies(id.clone())).await;
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["filterGroupId"] == pid),
        "{listed}"
    );

    // User 7 (one of the emulator's demo users) calls with a token minted
    // for them, after the dataset is shared with them.
    let share = js(&json!([{"type": "USER", "id": 7, "accessLevel": "CAN_EDIT"}]));
    ok(admin.share(id.clone(), share, None)).await;
    let minted =
        ok_json(admin.create_access_token("wasm user 7".into(), 7.into(), now_ms() + 3_600_000.0))
            .await;
    let seven = client_as(minted["token"].as_str().unwrap());
    assert_eq!(count(&seven, &id).await, 4);
    let state = ok_json(admin.set_pdp(id.clone(), true)).await;
    assert!(state.is_object(), "{state}");
    assert_eq!(count(&seven, &id).await, 2, "east and East");
    assert_eq!(count(&admin, &id).await, 4, "the owner sees every row");

    let mut changed = created.clone();
    changed["parameters"][0]["ignoreCase"] = json!(false);
    changed["parameters"][0]["values"] = json!(["east", "north"]);
    let updated = ok_json(admin.update_policy(id.clone(), js(&pid), js(&changed))).await;
    assert_eq!(updated["parameters"][0]["values"], json!(["east", "north"]));
    assert_eq!(count(&seven, &id).await, 2, "east and north");

    ok(admin.delete_policy(id.clone(), js(&pid))).await;
    assert_eq!(count(&seven, &id).await, 0, "no policy names user 7");
    ok(admin.set_pdp(id.clone(), false)).await;
    assert_eq!(count(&seven, &id).await, 4);
    ok(admin.revoke_access_token(js(&minted["id"]))).await;

    // Arguments are checked before anything is sent.
    let e = err(admin.create_policy(id.clone(), JsValue::from(3))).await;
    assert!(
        message(&e).contains("`policy` must be an object"),
        "{}",
        message(&e)
    );
}

#[wasm_bindgen_test]
async fn a_minted_token_works_until_revoked() {
    let admin = client();
    let minted = ok_json(admin.create_access_token(
        "wasm pipeline".into(),
        1.into(),
        now_ms() + 86_400_000.0,
    ))
    .await;
    let value = minted["token"].as_str().unwrap().to_owned();
    assert_eq!(minted["name"], "wasm pipeline");
    let c = client_as(&value);
    ok(c.get_dataset(DEMO.into(), None)).await;

    let list = ok_json(admin.list_access_tokens()).await;
    let entry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == minted["id"])
        .unwrap_or_else(|| panic!("{list}"))
        .clone();
    assert!(
        entry.get("token").is_none(),
        "the list never holds a value: {entry}"
    );
    assert!(!list.to_string().contains(&value));

    ok(admin.revoke_access_token(js(&minted["id"]))).await;
    let e = err(c.get_dataset(DEMO.into(), None)).await;
    assert!(is_domo_error(&e));
    assert_eq!(get(&e, "status").as_f64(), Some(401.0), "{}", message(&e));
    assert!(!message(&e).contains(&value));
}

/// Every page of the dataset list, as a script in the browser would read it.
async fn all_dataset_ids(c: &DomoClient) -> Vec<String> {
    let mut ids = Vec::new();
    for page in 0.. {
        let list = ok_json(c.list_datasets_page(2, page * 2)).await;
        let got = list["dataSources"].as_array().unwrap().clone();
        ids.extend(got.iter().map(|d| d["id"].as_str().unwrap().to_owned()));
        if got.len() < 2 {
            break;
        }
    }
    ids
}

#[wasm_bindgen_test]
async fn a_dataset_life_list_search_rename_alter_upsert_delete() {
    let c = client();
    let me = ok_json(c.whoami()).await;
    assert!(me["id"].is_number(), "{me}");
    let stamp = now_ms() as u64;
    let name = format!("Wasm Life {stamp}");
    let (id, _) = new_dataset(&c, &name).await;

    // Listed, in pages of two, exactly once.
    let ids = all_dataset_ids(&c).await;
    assert_eq!(ids.iter().filter(|i| **i == id).count(), 1, "{ids:?}");
    assert!(ids.iter().any(|i| i == DEMO));

    // Found by a case-insensitive wildcard on the name, and paged.
    let pattern = format!("wasm life {stamp}*");
    let hits = ok_json(c.search_datasets_page(&pattern, json!({"count": 10}))).await;
    let found: Vec<&str> = hits["searchObjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["databaseId"].as_str().unwrap())
        .collect();
    assert_eq!(found, [id.as_str()], "{hits}");
    let past = ok_json(c.search_datasets_page(&pattern, json!({"count": 10, "offset": 1}))).await;
    assert_eq!(past["searchObjects"], json!([]), "{past}");

    // Renamed and described.
    let renamed = format!("Wasm Renamed {stamp}");
    ok(c.rename_dataset(id.clone(), &renamed)).await;
    ok(c.describe_dataset(id.clone(), "described from the browser")).await;
    let ds = ok_json(c.get_dataset(id.clone(), None)).await;
    assert_eq!(ds["name"], renamed.as_str());
    assert_eq!(ds["description"], "described from the browser");

    // An upsert is refused before anything is sent while there are no keys.
    ok(c.upload_csv(id.clone(), "id,note\n1,a\n2,b\n".into(), None)).await;
    let upsert = || Some(js(&json!({"action": "UPSERT"})).unchecked_into());
    let e = err(c.upload_csv(id.clone(), "id,note\n1,z\n".into(), upsert())).await;
    assert!(message(&e).contains("upsert"), "{}", message(&e));
    assert_eq!(count(&c, &id).await, 2);

    // Altered: a column added (null in the stored rows) and `id` the key.
    ok(c.alter_schema(
        id.clone(),
        json!([{"name": "id", "type": "LONG", "upsertKey": true},
               {"name": "note", "type": "STRING"},
               {"name": "added", "type": "DOUBLE"}]),
    ))
    .await;
    let schema = ok_json(c.get_schema(id.clone())).await;
    let columns = schema["columns"].as_array().unwrap();
    assert_eq!(columns.len(), 3, "{schema}");
    assert_eq!(columns[0]["upsertKey"], true, "{schema}");
    let q = ok_json(c.query(id.clone(), "SELECT added FROM table WHERE id = 1".into())).await;
    assert_eq!(q["rows"], json!([[null]]));
    // A change that would lose a stored value is refused, and nothing changes.
    let e = err(c.alter_schema(
        id.clone(),
        json!([{"name": "id", "type": "LONG", "upsertKey": true},
               {"name": "note", "type": "LONG"},
               {"name": "added", "type": "DOUBLE"}]),
    ))
    .await;
    assert!(message(&e).contains("note"), "{}", message(&e));
    assert_eq!(ok_json(c.get_schema(id.clone())).await, schema);

    // Upserted: key 2 replaced (the last row with it wins), key 3 added.
    let r = ok_json(c.upload_csv(
        id.clone(),
        "id,note,added\n2,first,1.5\n3,new,2\n2,last,2.5\n".into(),
        upsert(),
    ))
    .await;
    assert_eq!(r["rows"], 3, "{r}");
    assert_eq!(
        r["verifiedRows"], 3,
        "an upsert's version counts every row sent"
    );
    let q = ok_json(c.query(
        id.clone(),
        "SELECT id, note, added FROM table ORDER BY id".into(),
    ))
    .await;
    assert_eq!(
        q["rows"],
        json!([[1, "a", null], [2, "last", 2.5], [3, "new", 2]]),
        "{q}"
    );

    // Deleted: gone from the list, and every later call is a 404.
    ok(c.delete_dataset(id.clone())).await;
    assert!(!all_dataset_ids(&c).await.contains(&id));
    let e = err(c.get_dataset(id.clone(), None)).await;
    assert_eq!(get(&e, "kind").as_string().unwrap(), "NotFound");
    let e = err(c.upload_csv(id.clone(), "id,note,added\n9,x,1\n".into(), None)).await;
    assert_eq!(get(&e, "kind").as_string().unwrap(), "NotFound");
}
