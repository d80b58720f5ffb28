//! AppDB (`/domo/datastores/v1`): collections and documents CRUD, MongoDB
//! queries and aggregations, partial updates, bulk calls, schema checks,
//! persistence, the export into datasets; and the in-app services
//! (`/domo/environment/v1`, `/domo/users/v1`, `/domo/groups/v1`).

mod common;

use std::path::{Path, PathBuf};

use common::{Client, Resp, Scratch};
use domo_emulator::{EmulatorConfig, RunningEmulator};
use reqwest::Method;
use serde_json::{Value, json};

/// An app whose manifest declares `notes` (synced, with a schema) and
/// `scratch` (no schema), and maps `notes_ds` to `notes_dataset` when given.
fn make_app(base: &Path, notes_dataset: Option<&str>) -> PathBuf {
    let app = base.join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(app.join("index.html"), "<html><head></head></html>").unwrap();
    let mut manifest = json!({
        "name": "AppDB test",
        "collections": [
            {"name": "notes", "syncEnabled": true, "schema": {"columns": [
                {"name": "text", "type": "STRING"},
                {"name": "n", "type": "LONG"},
                {"name": "x", "type": "DOUBLE"},
                {"name": "day", "type": "DATE"},
                {"name": "at", "type": "DATETIME"},
            ]}},
            {"name": "scratch"},
        ],
    });
    if let Some(id) = notes_dataset {
        manifest["datasetsMapping"] = json!([{"alias": "notes_ds", "dataSetId": id, "fields": []}]);
    }
    std::fs::write(app.join("manifest.json"), manifest.to_string()).unwrap();
    app
}

fn config(app: PathBuf, data: &Path) -> EmulatorConfig {
    EmulatorConfig {
        app_dir: Some(app),
        data_dir: Some(data.to_path_buf()),
        // The demo people: user 7 east@example.com (Editor, `demo-east-token`),
        // user 8 west@example.com (Participant), group 3 "East team" with user 7.
        demo: true,
        ..EmulatorConfig::ephemeral()
    }
    .with_token("admin", 1)
}

/// Starts the app; the client acts as the app does (`X-DOMO-Ryuu-Session`
/// with the page's session id).
async fn start(app: PathBuf, data: &Path) -> (RunningEmulator, Client) {
    let emu = domo_emulator::start(config(app, data)).await.unwrap();
    let page = reqwest::get(format!("{}/", emu.url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let sid = page
        .split("__RYUU_SID__ = \"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned();
    let client = Client::new(emu.url(), &sid);
    (emu, client)
}

/// A call as ryuu.js makes it: the session (or a token) in
/// `X-DOMO-Ryuu-Session`, a JSON body.
async fn call(c: &Client, method: Method, path: &str, body: Option<Value>) -> Resp {
    let mut req = c
        .http
        .request(method, format!("{}{path}", c.base))
        .header("X-DOMO-Ryuu-Session", &c.token);
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let r = req.send().await.unwrap();
    Resp {
        status: r.status(),
        headers: r.headers().clone(),
        body: r.bytes().await.unwrap().to_vec(),
    }
}

const DOCS: &str = "/domo/datastores/v1/collections/notes/documents";

/// The ids of a `/domo/users/v1` answer, in its order.
fn user_ids(users: &Value) -> Vec<i64> {
    let list = users.as_array().expect("a list of users");
    list.iter().map(|u| u["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn collections_come_from_the_manifest_and_the_api() {
    let base = Scratch::new("collections");
    let (emu, app) = start(make_app(&base.0, None), &base.0.join("data")).await;
    let list = call(&app, Method::GET, "/domo/datastores/v1/collections/", None)
        .await
        .ok_json();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["notes", "scratch"]);
    let notes = &list[0];
    assert_eq!(notes["syncEnabled"], true);
    assert_eq!(notes["owner"], 1);
    assert_eq!(
        notes["schema"]["columns"][1],
        json!({"type": "LONG", "name": "n", "visible": true})
    );
    assert!(notes["schemaJson"].as_str().unwrap().contains("\"LONG\""));

    // Created through the API, as the docs show it.
    let made = call(
        &app,
        Method::POST,
        "/domo/datastores/v1/collections",
        Some(json!({"name": "Users", "schema": {"columns": [
            {"name": "username", "type": "STRING"}, {"name": "band", "type": "STRING"}]},
            "syncEnabled": true})),
    )
    .await
    .ok_json();
    assert_eq!(made["name"], "Users");
    assert_eq!(made["schema"]["columns"][1]["name"], "band");
    call(
        &app,
        Method::POST,
        "/domo/datastores/v1/collections",
        Some(json!({"name": "Users"})),
    )
    .await
    .expect_error(409);
    let msg = call(
        &app,
        Method::POST,
        "/domo/datastores/v1/collections",
        Some(json!({"name": "Bad", "schema": {"columns": [{"name": "n", "type": "INTEGER"}]}})),
    )
    .await
    .expect_error(400);
    assert!(
        msg.contains("`schema.columns[0].type`") && msg.contains("INTEGER"),
        "{msg}"
    );
    let msg = call(
        &app,
        Method::POST,
        "/domo/datastores/v1/collections",
        Some(json!({"name": "NoSchema", "syncEnabled": true})),
    )
    .await
    .expect_error(400);
    assert!(msg.contains("needs a schema"), "{msg}");
    // Update changes what it names.
    let changed = call(
        &app,
        Method::PUT,
        "/domo/datastores/v1/collections/Users",
        Some(
            json!({"schema": {"columns": [{"name": "username", "type": "STRING"},
            {"name": "band", "type": "STRING"}, {"name": "favorite color", "type": "STRING"}]}}),
        ),
    )
    .await
    .ok_json();
    assert_eq!(changed["schema"]["columns"][2]["name"], "favorite color");
    assert_eq!(changed["syncEnabled"], true);
    let got = call(
        &app,
        Method::GET,
        "/domo/datastores/v1/collections/Users",
        None,
    )
    .await
    .ok_json();
    assert_eq!(got, changed);
    assert_eq!(
        call(
            &app,
            Method::DELETE,
            "/domo/datastores/v1/collections/Users",
            None
        )
        .await
        .status,
        200
    );
    let msg = call(
        &app,
        Method::GET,
        "/domo/datastores/v1/collections/Users",
        None,
    )
    .await
    .expect_error(404);
    assert!(
        msg.contains("`Users`") && msg.contains("notes, scratch"),
        "{msg}"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn documents_crud_schema_checks_and_persistence() {
    let base = Scratch::new("docs");
    let data = base.0.join("data");
    let (emu, app) = start(make_app(&base.0, None), &data).await;
    let doc = call(
        &app,
        Method::POST,
        &format!("{DOCS}/"),
        Some(json!({"content": {"text": "hello", "n": 1, "day": "2024-01-02"}})),
    )
    .await
    .ok_json();
    let id = doc["id"].as_str().unwrap().to_owned();
    let keys: Vec<&String> = doc.as_object().unwrap().keys().collect();
    for key in [
        "id",
        "customer",
        "owner",
        "datastoreId",
        "collectionId",
        "createdOn",
        "updatedOn",
        "updatedBy",
        "content",
        "syncRequired",
    ] {
        assert!(keys.iter().any(|k| *k == key), "{key} in {doc}");
    }
    assert_eq!(doc["owner"], 1);
    assert_eq!(doc["syncRequired"], true);
    assert_eq!(doc["content"]["text"], "hello");
    let created = doc["createdOn"].as_str().unwrap();
    assert!(
        created.ends_with("+0000") && created.len() == 28,
        "{created}"
    );

    for path in [DOCS.to_owned(), format!("{DOCS}/")] {
        let all = call(&app, Method::GET, &path, None).await.ok_json();
        assert_eq!(all.as_array().unwrap().len(), 1, "{path}");
    }
    let one = call(&app, Method::GET, &format!("{DOCS}/{id}"), None)
        .await
        .ok_json();
    assert_eq!(one, doc);
    let replaced = call(
        &app,
        Method::PUT,
        &format!("{DOCS}/{id}"),
        Some(json!({"content": {"text": "bye", "n": 2}})),
    )
    .await
    .ok_json();
    assert_eq!(replaced["content"], json!({"text": "bye", "n": 2}));
    assert_eq!(replaced["createdOn"], doc["createdOn"]);

    // The schema is checked, naming the field; nothing is stored.
    for (content, needle) in [
        (
            json!({"n": "two"}),
            "`content.n`: collection `notes` has the field as LONG",
        ),
        (json!({"day": "Jan 2"}), "`content.day`"),
        (json!({"at": "2024-01-02"}), "`content.at`"),
        (json!("text"), "must be a JSON object"),
    ] {
        let msg = call(&app, Method::POST, DOCS, Some(json!({"content": content})))
            .await
            .expect_error(400);
        assert!(msg.contains(needle), "{content}: {msg}");
    }
    let msg = call(
        &app,
        Method::POST,
        DOCS,
        Some(json!({"text": "no content"})),
    )
    .await
    .expect_error(400);
    assert!(msg.contains("`content` is required"), "{msg}");
    // A collection without a schema takes anything.
    call(
        &app,
        Method::POST,
        "/domo/datastores/v1/collections/scratch/documents",
        Some(json!({"content": {"n": "two", "nested": {"a": [1, 2]}}})),
    )
    .await
    .ok_json();
    let msg = call(
        &app,
        Method::GET,
        "/domo/datastores/v1/collections/nope/documents",
        None,
    )
    .await
    .expect_error(404);
    assert!(msg.contains("`nope`"), "{msg}");

    // Bulk create is all or nothing, naming the bad document.
    let msg = call(
        &app,
        Method::POST,
        &format!("{DOCS}/bulk"),
        Some(json!([{"content": {"n": 3}}, {"content": {"n": 4.5}}])),
    )
    .await
    .expect_error(400);
    assert!(msg.contains("`[1].content.n`"), "{msg}");
    assert_eq!(
        call(&app, Method::GET, DOCS, None)
            .await
            .ok_json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let r = call(
        &app,
        Method::POST,
        &format!("{DOCS}/bulk"),
        Some(json!([{"content": {"n": 3}}, {"content": {"n": 4}}])),
    )
    .await
    .ok_json();
    assert_eq!(r, json!({"Created": 2}));
    let r = call(
        &app,
        Method::PUT,
        &format!("{DOCS}/bulk"),
        Some(
            json!([{"id": id, "content": {"text": "upserted"}}, {"content": {"n": 9}},
                    {"id": "not-there", "content": {"n": 10}}]),
        ),
    )
    .await
    .ok_json();
    assert_eq!(r, json!({"Updated": 1, "Created": 2}));
    let all = call(&app, Method::GET, DOCS, None).await.ok_json();
    assert_eq!(all.as_array().unwrap().len(), 5);
    emu.shutdown().await;

    // The documents survive a restart over the same data directory.
    let (emu, app) = start(make_app(&base.0, None), &data).await;
    let again = call(&app, Method::GET, DOCS, None).await.ok_json();
    assert_eq!(again, all);
    let ids: Vec<String> = again
        .as_array()
        .unwrap()
        .iter()
        .skip(3)
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    let r = call(
        &app,
        Method::DELETE,
        &format!("{DOCS}/bulk?ids={},{},missing", ids[0], ids[1]),
        None,
    )
    .await
    .ok_json();
    assert_eq!(r, json!({"Deleted": 2}));
    assert_eq!(
        call(&app, Method::DELETE, &format!("{DOCS}/{id}"), None)
            .await
            .status,
        200
    );
    call(&app, Method::DELETE, &format!("{DOCS}/{id}"), None)
        .await
        .expect_error(404);
    call(&app, Method::GET, &format!("{DOCS}/{id}"), None)
        .await
        .expect_error(404);
    assert_eq!(
        call(&app, Method::GET, DOCS, None)
            .await
            .ok_json()
            .as_array()
            .unwrap()
            .len(),
        2
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn queries_aggregations_and_partial_updates() {
    let base = Scratch::new("query");
    let (emu, app) = start(make_app(&base.0, None), &base.0.join("data")).await;
    let docs = json!([
        {"content": {"text": "Happy Birthday", "n": 1, "x": 1.5, "day": "2024-01-01"}},
        {"content": {"text": "so happy", "n": 2, "x": 2.5, "day": "2024-02-01"}},
        {"content": {"text": "Eeyore", "n": 3, "day": "2024-03-01"}},
        {"content": {"text": "other", "n": 4, "x": 4.0}},
    ]);
    call(&app, Method::POST, &format!("{DOCS}/bulk"), Some(docs))
        .await
        .ok_json();
    let texts = |r: Resp| -> Vec<String> {
        r.ok_json()
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["content"]["text"].as_str().unwrap().to_owned())
            .collect()
    };
    for (query, want) in [
        (
            json!({}),
            &["Happy Birthday", "so happy", "Eeyore", "other"][..],
        ),
        (json!({"content.n": {"$eq": 2}}), &["so happy"]),
        (
            json!({"content.n": {"$ne": 2}}),
            &["Happy Birthday", "Eeyore", "other"],
        ),
        (json!({"content.n": {"$gt": 2}}), &["Eeyore", "other"]),
        (
            json!({"content.n": {"$gte": 2, "$lte": 3}}),
            &["so happy", "Eeyore"],
        ),
        (json!({"content.n": {"$lt": 2}}), &["Happy Birthday"]),
        (
            json!({"content.n": {"$in": [1, 4]}}),
            &["Happy Birthday", "other"],
        ),
        (
            json!({"content.n": {"$nin": [1, 4]}}),
            &["so happy", "Eeyore"],
        ),
        (json!({"content.x": {"$exists": false}}), &["Eeyore"]),
        (
            json!({"content.text": {"$regex": "happy", "$options": "i"}}),
            &["Happy Birthday", "so happy"],
        ),
        (
            json!({"content.text": {"$not": {"$regex": "happy"}}}),
            &["Happy Birthday", "Eeyore", "other"],
        ),
        (
            json!({"$or": [{"content.text": {"$regex": "happy"}}, {"content.text": {"$ne": "Eeyore"}}]}),
            &["Happy Birthday", "so happy", "other"],
        ),
        (
            json!({"$and": [{"content.n": {"$gt": 1}}, {"content.x": {"$exists": true}}]}),
            &["so happy", "other"],
        ),
        (
            json!({"content.day": {"$gte": {"$date": "2024-02-01T00:00:00.000Z"}}}),
            &["so happy", "Eeyore"],
        ),
        (
            json!({"createdOn": {"$lte": {"$date": "2000-01-01T00:00:00.000Z"}}}),
            &[],
        ),
        (
            json!({"owner": 1}),
            &["Happy Birthday", "so happy", "Eeyore", "other"],
        ),
    ] {
        let r = call(
            &app,
            Method::POST,
            &format!("{DOCS}/query"),
            Some(query.clone()),
        )
        .await;
        assert_eq!(texts(r), want, "{query}");
    }
    // An empty body queries everything; unknown operators are named.
    let r = app
        .http
        .post(format!("{}{DOCS}/query", app.base))
        .header("X-DOMO-Ryuu-Session", &app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let msg = call(
        &app,
        Method::POST,
        &format!("{DOCS}/query"),
        Some(json!({"content.n": {"$near": 1}})),
    )
    .await
    .expect_error(400);
    assert!(msg.contains("unknown operator `$near`"), "{msg}");

    // The aggregation parameters, as the docs' example writes them.
    let agg = call(
        &app,
        Method::POST,
        &format!(
            "{DOCS}/query?groupby=content.day&count=docs&sum=content.n%20total,%20content.x%20xs&avg=content.n%20mean&min=content.x%20low&max=content.n%20high&orderby=total%20descending&limit=2"
        ),
        Some(json!({"content.n": {"$gte": 2}})),
    )
    .await
    .ok_json();
    assert_eq!(
        agg,
        json!([
            {"day": null, "docs": 1, "total": 4, "xs": 4.0, "mean": 4.0, "low": 4.0, "high": 4},
            {"day": "2024-03-01", "docs": 1, "total": 3, "xs": 0, "mean": 3.0, "low": null, "high": 3},
        ])
    );
    // Without groupby: one row; without an alias, the path's last segment.
    let agg = call(
        &app,
        Method::POST,
        &format!("{DOCS}/query?count=docs&sum=content.n"),
        Some(json!({})),
    )
    .await
    .ok_json();
    assert_eq!(agg, json!([{"docs": 4, "n": 10}]));
    let page = call(
        &app,
        Method::POST,
        &format!("{DOCS}/query?orderby=content.n%20descending&limit=2&offset=1"),
        Some(json!({})),
    )
    .await;
    assert_eq!(texts(page), ["Eeyore", "so happy"]);

    // Partial updates: the count of changed documents.
    let n = call(
        &app,
        Method::PUT,
        &format!("{DOCS}/update"),
        Some(json!({"query": {"content.text": {"$regex": "happy", "$options": "i"}},
                    "operation": {"$set": {"content.text": "glad"}, "$inc": {"content.n": 10},
                                  "$unset": {"content.x": ""}, "$push": {"content.tags": "edited"}}})),
    )
    .await
    .ok_json();
    assert_eq!(n, 2);
    let glad = call(
        &app,
        Method::POST,
        &format!("{DOCS}/query"),
        Some(json!({"content.text": "glad"})),
    )
    .await
    .ok_json();
    let contents: Vec<&Value> = glad
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["content"])
        .collect();
    assert_eq!(
        contents,
        [
            &json!({"text": "glad", "n": 11, "day": "2024-01-01", "tags": ["edited"]}),
            &json!({"text": "glad", "n": 12, "day": "2024-02-01", "tags": ["edited"]}),
        ]
    );
    // An update that breaks the schema changes nothing.
    let msg = call(
        &app,
        Method::PUT,
        &format!("{DOCS}/update"),
        Some(json!({"query": {}, "operation": {"$set": {"content.n": "many"}}})),
    )
    .await
    .expect_error(400);
    assert!(msg.contains("content.n"), "{msg}");
    let msg = call(
        &app,
        Method::PUT,
        &format!("{DOCS}/update"),
        Some(json!({"query": {}, "operation": {"$set": {"owner": 5}}})),
    )
    .await
    .expect_error(400);
    assert!(msg.contains("only paths under `content.`"), "{msg}");
    assert_eq!(
        call(
            &app,
            Method::POST,
            &format!("{DOCS}/query"),
            Some(json!({"content.n": 12}))
        )
        .await
        .ok_json()
        .as_array()
        .unwrap()
        .len(),
        1
    );
    emu.shutdown().await;
}

/// `POST /domo/datastores/v1/export` writes each syncEnabled collection
/// into its dataset, queryable through every API.
#[tokio::test]
async fn export_syncs_collections_into_datasets() {
    let base = Scratch::new("export");
    let data = base.0.join("data");
    // A first run tells the dataset id, so the manifest can map it.
    let (emu, _) = start(make_app(&base.0, None), &data).await;
    let [(name, dataset)] = emu.synced_collections() else {
        panic!("one synced collection: {:?}", emu.synced_collections());
    };
    assert_eq!(name, "notes");
    let dataset = dataset.clone();
    emu.shutdown().await;
    let (emu, app) = start(make_app(&base.0, Some(&dataset)), &data).await;
    let admin = Client::new(emu.url(), "admin");

    call(
        &app,
        Method::POST,
        &format!("{DOCS}/bulk"),
        Some(json!([
            {"content": {"text": "a, \"quoted\"", "n": 1, "x": 0.5, "day": "2024-01-02", "at": "2024-01-02T03:04:05Z"}},
            {"content": {"text": "", "n": 2}},
            {"content": {"n": 3, "extra": {"ignored": true}}},
        ])),
    )
    .await
    .ok_json();
    // Before an export there is no dataset.
    admin
        .get(&format!("/api/data/v3/datasources/{dataset}"))
        .await
        .expect_error(404);
    let r = call(&app, Method::POST, "/domo/datastores/v1/export", None)
        .await
        .ok_json();
    assert_eq!(
        r["exported"],
        json!([{"collection": "notes", "datasetId": dataset, "rows": 3}])
    );
    let ds = admin.dataset(&dataset).await;
    assert_eq!(
        (ds["name"].as_str(), ds["rowCount"].as_i64()),
        (Some("notes"), Some(3))
    );
    // Through the product API, the Data API and the SQL API.
    let v = admin
        .sql(&dataset, "SELECT text, n, x, day, at FROM table ORDER BY n")
        .await
        .ok_json();
    assert_eq!(
        v["rows"],
        json!([
            ["a, \"quoted\"", 1, 0.5, "2024-01-02", "2024-01-02T03:04:05"],
            ["", 2, null, null, null],
            [null, 3, null, null, null],
        ])
    );
    let rows = call(
        &app,
        Method::GET,
        "/data/v2/notes_ds?fields=n,text&orderby=n",
        None,
    )
    .await
    .ok_json();
    assert_eq!(
        rows,
        json!([{"n": 1, "text": "a, \"quoted\""}, {"n": 2, "text": ""}, {"n": 3, "text": null}])
    );
    let v = call(
        &app,
        Method::POST,
        "/sql/v1/notes_ds",
        Some(json!({"sql": "SELECT SUM(n) FROM notes_ds"})),
    )
    .await
    .ok_json();
    assert_eq!(v["rows"], json!([[6]]));
    let docs = call(&app, Method::GET, DOCS, None).await.ok_json();
    assert!(
        docs.as_array()
            .unwrap()
            .iter()
            .all(|d| d["syncRequired"] == false)
    );
    let coll = call(
        &app,
        Method::GET,
        "/domo/datastores/v1/collections/notes",
        None,
    )
    .await
    .ok_json();
    assert_eq!(coll["datasourceId"], dataset.as_str());
    assert_eq!(coll["syncRequired"], false);

    // Nothing changed: no new version. A change: a new REPLACE version.
    let versions = |admin: Client, dataset: String| async move {
        admin
            .get(&format!(
                "/api/data/v3/datasources/{dataset}/dataversions/details"
            ))
            .await
            .ok_json()
            .as_array()
            .map_or(0, Vec::len)
    };
    let before = versions(admin.clone(), dataset.clone()).await;
    let r = call(&app, Method::POST, "/domo/datastores/v1/export", None)
        .await
        .ok_json();
    assert_eq!(r["unchanged"][0]["collection"], "notes");
    assert_eq!(versions(admin.clone(), dataset.clone()).await, before);
    let r = call(
        &app,
        Method::DELETE,
        &format!("{DOCS}/{}", docs[2]["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    let r = call(&app, Method::POST, "/domo/datastores/v1/export", None)
        .await
        .ok_json();
    assert_eq!(r["exported"][0]["rows"], 2);
    assert_eq!(versions(admin.clone(), dataset.clone()).await, before + 1);
    assert_eq!(admin.dataset(&dataset).await["rowCount"], 2);
    emu.shutdown().await;
}

#[tokio::test]
async fn the_services_answer_from_the_user_registry() {
    let base = Scratch::new("services");
    let (emu, app) = start(make_app(&base.0, None), &base.0.join("data")).await;
    let env = call(&app, Method::GET, "/domo/environment/v1", None)
        .await
        .ok_json();
    assert_eq!(env["userId"], 1);
    assert_eq!(env["customer"], "emulator");
    assert_eq!(env["locale"], "en-US");
    assert_eq!(env["host"], emu.addr().to_string());
    assert!(env["userEmail"].as_str().unwrap().contains('@'));
    // Another user's token sees themselves.
    let east = Client::new(emu.url(), "demo-east-token");
    let env = call(&east, Method::GET, "/domo/environment/v1", None)
        .await
        .ok_json();
    assert_eq!(
        (env["userId"].as_i64(), env["userEmail"].as_str()),
        (Some(7), Some("east@example.com"))
    );

    let users = call(&app, Method::GET, "/domo/users/v1", None)
        .await
        .ok_json();
    assert_eq!(user_ids(&users), [1, 7, 8]);
    assert!(users[1].get("detail").is_none());
    assert_eq!(users[1]["role"], "Editor");
    let page = call(
        &app,
        Method::GET,
        "/domo/users/v1?includeDetails=true&limit=1&offset=2",
        None,
    )
    .await
    .ok_json();
    assert_eq!(page.as_array().unwrap().len(), 1);
    assert_eq!(page[0]["id"], 8);
    assert_eq!(page[0]["role"], "Participant");
    assert_eq!(page[0]["detail"]["email"], "west@example.com");
    let one = call(
        &app,
        Method::GET,
        "/domo/users/v1/7?includeDetails=true",
        None,
    )
    .await
    .ok_json();
    assert_eq!(one["detail"]["email"], "east@example.com");
    assert!(one["displayName"].is_string());
    call(&app, Method::GET, "/domo/users/v1/99", None)
        .await
        .expect_error(404);
    call(&app, Method::GET, "/domo/users/v1?limit=-1", None)
        .await
        .expect_error(400);
    let group = call(&app, Method::GET, "/domo/groups/v1/3", None)
        .await
        .ok_json();
    assert_eq!(
        (
            group["name"].as_str(),
            group["userIds"].clone(),
            group["memberCount"].as_i64()
        ),
        (Some("East team"), json!([7]), Some(1))
    );
    let groups = call(&app, Method::GET, "/domo/groups/v1", None)
        .await
        .ok_json();
    assert_eq!(groups.as_array().unwrap().len(), 1);
    call(&app, Method::GET, "/domo/groups/v1/4", None)
        .await
        .expect_error(404);
    // They need a session or token.
    let anonymous = Client::new(emu.url(), "");
    let r = anonymous.get("/domo/users/v1").await;
    r.expect_error(401);
    emu.shutdown().await;
}

/// The README's AppDB differences from Domo, as they stand: collection
/// permissions and a manifest's document `filters` are not enforced (any
/// caller reads, writes and deletes any collection's documents),
/// `includeRelatedCollections` changes nothing, and a collection's
/// dataset id is made from its name alone (the same in every emulator).
#[tokio::test]
async fn appdb_differences_as_they_stand() {
    let base = Scratch::new("appdb-divergences");
    let app = base.0.join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(app.join("index.html"), "<html><head></head></html>").unwrap();
    std::fs::write(
        app.join("manifest.json"),
        json!({"name": "Private notes", "collections": [
            {"name": "private", "filters": [{"field": "owner", "operator": "EQUALS", "value": "CURRENT_USER"}]},
            {"name": "notes", "syncEnabled": true, "schema": {"columns": [{"name": "n", "type": "LONG"}]}},
        ]})
        .to_string(),
    )
    .unwrap();
    let (emu, session) = start(app.clone(), &base.0.join("data")).await;
    let docs = "/domo/datastores/v1/collections/private/documents";
    let mine = call(
        &session,
        Method::POST,
        docs,
        Some(json!({"content": {"secret": 1}})),
    )
    .await
    .ok_json();
    assert_eq!(mine["owner"], 1);
    let id = mine["id"].as_str().unwrap();
    // User 8, a Participant who owns nothing, reads, changes and deletes it.
    let west = Client::new(emu.url(), "demo-west-token");
    let seen = call(&west, Method::GET, docs, None).await.ok_json();
    assert_eq!(seen[0]["content"], json!({"secret": 1}), "{seen}");
    call(
        &west,
        Method::PUT,
        &format!("{docs}/{id}"),
        Some(json!({"content": {"secret": 2}})),
    )
    .await
    .ok_json();
    call(&west, Method::DELETE, &format!("{docs}/{id}"), None)
        .await
        .ok_status();
    assert_eq!(
        call(&session, Method::GET, docs, None).await.ok_json(),
        json!([])
    );
    // includeRelatedCollections: the same list either way.
    let plain = call(
        &session,
        Method::GET,
        "/domo/datastores/v1/collections",
        None,
    )
    .await
    .ok_json();
    for flag in ["true", "false"] {
        let listed = call(
            &session,
            Method::GET,
            &format!("/domo/datastores/v1/collections?includeRelatedCollections={flag}"),
            None,
        )
        .await
        .ok_json();
        assert_eq!(listed, plain, "{flag}");
    }
    let [(name, dataset)] = emu.synced_collections() else {
        panic!("one synced collection: {:?}", emu.synced_collections());
    };
    let (name, dataset) = (name.clone(), dataset.clone());
    emu.shutdown().await;
    // Another emulator, another data directory: the same dataset id.
    let (other, _) = start(app, &base.0.join("other-data")).await;
    assert_eq!(other.synced_collections(), [(name, dataset)]);
    other.shutdown().await;
}

/// The README's `/domo/users/v1` differences from Domo: without `limit`
/// every user comes in one answer (no default page), and the `avatarKey`
/// each carries names a path the emulator does not serve.
#[tokio::test]
async fn users_v1_pages_nothing_by_default_and_serves_no_avatars() {
    let base = Scratch::new("users-v1");
    let mut cfg = config(make_app(&base.0, None), &base.0.join("data"));
    cfg.users = (100..350)
        .map(|id| domo_emulator::UserSpec {
            id,
            email: format!("u{id}@example.com"),
            role: None,
        })
        .collect();
    let emu = domo_emulator::start(cfg).await.unwrap();
    let admin = Client::new(emu.url(), "admin");
    let users = call(&admin, Method::GET, "/domo/users/v1", None)
        .await
        .ok_json();
    // User 1, the demo's users 7 and 8, and the 250 above.
    let ids = user_ids(&users);
    assert_eq!(ids.len(), 253);
    assert_eq!((ids[0], ids[3], ids[252]), (1, 100, 349));
    let avatar = users[3]["avatarKey"].as_str().unwrap().to_owned();
    assert_eq!(avatar, "/domo/avatars/v2/USER/100");
    call(&admin, Method::GET, &avatar, None)
        .await
        .expect_error(404);
    emu.shutdown().await;
}
