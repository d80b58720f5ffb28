//! A dataset's whole life against a live emulator: who am I, list, search,
//! create without a stream, rename, alter the schema, upsert by key, data
//! version counts, stream-execution loads and delete.

mod common;

use std::io::Write;

use common::{Client, Resp, start};
use domo_emulator::EmulatorConfig;
use reqwest::Method;
use serde_json::{Value, json};

fn tokens() -> EmulatorConfig {
    EmulatorConfig::ephemeral()
        .with_token("admin", 1)
        .with_token("bob", 2)
        .with_token("carol", 3)
}

async fn users() -> (domo_emulator::RunningEmulator, Client, Client, Client) {
    let (emu, c) = start(tokens()).await;
    let admin = c.as_token("admin");
    (emu, admin.clone(), c.as_token("bob"), c.as_token("carol"))
}

fn ds_path(ds: &str) -> String {
    format!("/api/data/v3/datasources/{ds}")
}

async fn put_json(c: &Client, path: &str, body: &Value) -> Resp {
    c.json(Method::PUT, path, body).await
}

async fn share(c: &Client, ds: &str, user: i64, level: &str) {
    let r = c
        .post(
            &format!("{}/share", ds_path(ds)),
            &json!({"permissions": [{"type": "USER", "id": user.to_string(), "accessLevel": level}], "sendEmail": false}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

async fn versions(c: &Client, ds: &str) -> Vec<Value> {
    c.get(&format!("{}/dataversions/details", ds_path(ds)))
        .await
        .ok_json()
        .as_array()
        .unwrap()
        .clone()
}

async fn latest_schema(c: &Client, ds: &str) -> Value {
    c.get(&format!("/api/data/v2/datasources/{ds}/schemas/latest"))
        .await
        .ok_json()["schema"]["columns"]
        .clone()
}

async fn alter(c: &Client, ds: &str, columns: Value) -> Resp {
    c.post(
        &format!("/api/data/v2/datasources/{ds}/schemas"),
        &json!({"columns": columns, "objects": []}),
    )
    .await
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

#[tokio::test]
async fn me_is_the_tokens_user() {
    let (_emu, admin, bob, _carol) = users().await;
    let me = admin.get("/api/content/v2/users/me").await.ok_json();
    assert_eq!(me["id"], 1);
    assert_eq!(me["role"], "Admin");
    assert_eq!(me["displayName"], "User 1");
    let me = bob.get("/api/content/v2/users/me").await.ok_json();
    assert_eq!(
        me,
        json!({"id": 2, "displayName": "User 2", "userName": "user2@emulator.local",
               "emailAddress": "user2@emulator.local", "role": "Editor"})
    );
    bob.as_token("nope")
        .get("/api/content/v2/users/me")
        .await
        .expect_error(401);
}

#[tokio::test]
async fn the_list_pages_the_datasets_the_caller_can_read() {
    let (_emu, admin, bob, carol) = users().await;
    let mut ids = Vec::new();
    for name in ["A", "B", "C"] {
        ids.push(admin.create_dataset(name, &[("x", "LONG")]).await.0);
    }
    let (bobs, _) = bob.create_dataset("Bob's", &[("x", "LONG")]).await;
    ids.push(bobs.clone());

    let page = admin
        .get("/api/data/v3/datasources?limit=2&offset=0")
        .await
        .ok_json();
    assert_eq!(page["_metaData"]["totalCount"], 4);
    let first = page["dataSources"].as_array().unwrap();
    assert_eq!(first.len(), 2);
    // The very objects GET one dataset answers.
    assert_eq!(first[0], admin.dataset(&ids[0]).await);
    assert_eq!(first[1], admin.dataset(&ids[1]).await);
    let page = admin
        .get("/api/data/v3/datasources?limit=2&offset=2")
        .await
        .ok_json();
    let got: Vec<&str> = page["dataSources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, vec![ids[2].as_str(), ids[3].as_str()]);
    let past = admin
        .get("/api/data/v3/datasources?offset=4")
        .await
        .ok_json();
    assert_eq!(past["dataSources"], json!([]));
    assert_eq!(past["_metaData"]["totalCount"], 4);

    // Bob sees his own, then one shared with him; Carol none.
    let page = bob.get("/api/data/v3/datasources").await.ok_json();
    assert_eq!(page["_metaData"]["totalCount"], 1);
    assert_eq!(page["dataSources"][0]["id"], bobs.as_str());
    share(&admin, &ids[1], 2, "CAN_SHARE").await;
    let page = bob.get("/api/data/v3/datasources").await.ok_json();
    assert_eq!(page["_metaData"]["totalCount"], 2);
    let page = carol.get("/api/data/v3/datasources").await.ok_json();
    assert_eq!(
        page,
        json!({"dataSources": [], "_metaData": {"totalCount": 0}})
    );

    let msg = admin
        .get("/api/data/v3/datasources?limit=51")
        .await
        .expect_error(400);
    assert!(msg.contains("50"), "{msg}");
    let msg = admin
        .get("/api/data/v3/datasources?offset=x")
        .await
        .expect_error(400);
    assert!(msg.contains("offset"), "{msg}");
}

async fn search(c: &Client, body: Value) -> Resp {
    c.post("/api/search/v1/query", &body).await
}

fn names(objects: &Value) -> Vec<String> {
    objects
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn search_matches_wildcards_ignoring_case_and_pages() {
    let (_emu, admin, bob, carol) = users().await;
    for name in ["Q1 Sales", "Inventory", "sales east", "SALES West"] {
        admin.create_dataset(name, &[("x", "LONG")]).await;
    }
    let (bobs, _) = bob.create_dataset("Bob sales", &[("x", "LONG")]).await;
    let wildcard = |q: &str, count: u64, offset: u64| {
        json!({"entities": ["DATASET"], "filters": [{"field": "name_sort", "filterType": "wildcard", "query": q}],
               "combineResults": false, "query": "*", "count": count, "offset": offset})
    };

    let r = search(&admin, wildcard("*SALES*", 100, 0)).await.ok_json();
    assert_eq!(r["totalResultCount"], 4);
    assert_eq!(
        names(&r["searchObjects"]),
        vec!["Q1 Sales", "sales east", "SALES West", "Bob sales"]
    );
    let hit = &r["searchObjects"][3];
    assert_eq!(hit["databaseId"], bobs.as_str());
    assert_eq!(hit["entityType"], "DATASET");
    assert_eq!(hit["ownedById"], "2");
    assert_eq!(hit["ownedByName"], "User 2");
    assert_eq!(hit["rowCount"], 0);
    assert_eq!(hit["columnCount"], 1);
    assert!(hit["lastModified"].as_i64().unwrap() > 1_600_000_000_000);

    // Paging: count/offset, an empty page past the end.
    let mut seen = Vec::new();
    for offset in [0, 3] {
        let r = search(&admin, wildcard("*sales*", 3, offset))
            .await
            .ok_json();
        assert_eq!(r["totalResultCount"], 4);
        seen.extend(names(&r["searchObjects"]));
    }
    assert_eq!(seen.len(), 4);
    let r = search(&admin, wildcard("*sales*", 3, 6)).await.ok_json();
    assert_eq!(r["searchObjects"], json!([]));
    // Anchored patterns.
    let r = search(&admin, wildcard("sales*", 100, 0)).await.ok_json();
    assert_eq!(names(&r["searchObjects"]), vec!["sales east", "SALES West"]);

    // A term filter on the owner, and its negation.
    let by_owner = |not: bool| {
        json!({"entities": ["DATASET"], "query": "*", "count": 100, "offset": 0, "filters": [
            {"field": "name_sort", "filterType": "wildcard", "query": "*sales*"},
            {"field": "owned_by_id", "filterType": "term", "value": "2", "not": not}]})
    };
    let r = search(&admin, by_owner(false)).await.ok_json();
    assert_eq!(names(&r["searchObjects"]), vec!["Bob sales"]);
    let r = search(&admin, by_owner(true)).await.ok_json();
    assert_eq!(r["totalResultCount"], 3);

    // Only what the caller can read.
    let r = search(&bob, wildcard("*", 100, 0)).await.ok_json();
    assert_eq!(names(&r["searchObjects"]), vec!["Bob sales"]);
    let r = search(&carol, wildcard("*", 100, 0)).await.ok_json();
    assert_eq!(r, json!({"searchObjects": [], "totalResultCount": 0}));

    // The browser tools' route: the same rule, dataset objects.
    let r = admin
        .post(
            "/api/data/ui/v3/datasources/search",
            &json!({"entities": ["DATASET"], "filters": [{"field": "name_sort", "filterType": "wildcard", "query": "*west*"}],
                    "combineResults": true, "query": "*", "count": 30, "offset": 0}),
        )
        .await
        .ok_json();
    assert_eq!(r["_metaData"]["totalCount"], 1);
    let id = r["dataSources"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(r["dataSources"][0], admin.dataset(&id).await);

    // Sorted by name, descending.
    let r = search(
        &admin,
        json!({"query": "*", "count": 2, "offset": 0,
               "sort": {"isRelevance": false, "fieldSorts": [{"field": "name_sort", "sortOrder": "DESC"}]}}),
    )
    .await
    .ok_json();
    assert_eq!(names(&r["searchObjects"]), vec!["SALES West", "sales east"]);

    // What is not understood is refused, naming it.
    for (body, needle) in [
        (
            json!({"filters": [{"field": "name_sort", "filterType": "fuzzy", "query": "x"}]}),
            "fuzzy",
        ),
        (
            json!({"filters": [{"field": "colour", "filterType": "term", "value": "x"}]}),
            "colour",
        ),
        (
            json!({"filters": [{"field": "owner", "filterType": "wildcard", "query": "x"}]}),
            "owner",
        ),
        (json!({"entities": ["CARD"]}), "CARD"),
        (json!({"count": 5000}), "1000"),
        (
            json!({"sort": {"fieldSorts": [{"field": "colour"}]}}),
            "colour",
        ),
    ] {
        let msg = search(&admin, body.clone()).await.expect_error(400);
        assert!(msg.contains(needle), "{body}: {msg}");
        let msg = admin
            .post("/api/data/ui/v3/datasources/search", &body)
            .await
            .expect_error(400);
        assert!(msg.contains(needle), "{body}: {msg}");
    }
}

#[tokio::test]
async fn a_dataset_can_be_created_without_a_stream() {
    let (_emu, admin, bob, _carol) = users().await;
    let r = bob
        .post(
            "/api/data/v2/datasources",
            &json!({"userDefinedType": "api", "dataSourceName": "Sales", "dataSourceDescription": "d",
                    "schema": {"columns": [{"type": "STRING", "name": "region"}, {"type": "LONG", "name": "n"}]}}),
        )
        .await
        .ok_json();
    let created = &r["dataSource"];
    let id = created["dataSourceId"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 36);
    assert!(created.get("id").is_none(), "one name for the id");
    assert_eq!(created["name"], "Sales");
    assert_eq!(created["owner"]["id"], 2);
    let d = bob.dataset(&id).await;
    assert_eq!(d["name"], "Sales");
    assert_eq!(d["description"], "d");
    assert_eq!(d["streamId"], Value::Null);
    assert_eq!(d["columnCount"], 2);
    assert_eq!(d["displayType"], "api");
    // It takes uploads like any dataset.
    bob.upload(&id, &["east,1\n"], "REPLACE").await;
    assert_eq!(bob.export(&id, false).await, "east,1\n");
    // Admin sees it; the creator owns it.
    let perms = admin
        .get(&format!("{}/permissions", ds_path(&id)))
        .await
        .ok_json();
    assert_eq!(perms["list"][0]["accessLevel"], "OWNER");
    assert_eq!(perms["list"][0]["id"], "2");

    for (body, needle) in [
        (
            json!({"userDefinedType": "api", "schema": {"columns": []}}),
            "dataSourceName",
        ),
        (
            json!({"userDefinedType": "api", "dataSourceName": " ", "schema": {"columns": []}}),
            "dataSourceName",
        ),
        (
            json!({"dataSourceName": "x", "schema": {"columns": []}}),
            "userDefinedType",
        ),
        (
            json!({"userDefinedType": "api", "dataSourceName": "x"}),
            "schema",
        ),
        (
            json!({"userDefinedType": "api", "dataSourceName": "x", "schema": {"columns": [{"type": "INT", "name": "a"}]}}),
            "schema.columns[0]",
        ),
        (
            json!({"userDefinedType": "api", "dataSourceName": "x", "schema": {"columns": [{"type": "LONG", "name": "a"}, {"type": "LONG", "name": "A"}]}}),
            "schema.columns[1]",
        ),
        (
            json!({"userDefinedType": "api", "dataSourceName": 5, "schema": {"columns": []}}),
            "dataSourceName",
        ),
    ] {
        let msg = admin
            .post("/api/data/v2/datasources", &body)
            .await
            .expect_error(400);
        assert!(msg.contains(needle), "{body}: {msg}");
    }
}

#[tokio::test]
async fn properties_rename_and_describe_with_edit_rights() {
    let (_emu, admin, bob, carol) = users().await;
    let (ds, sid) = admin.create_dataset("Old", &[("x", "LONG")]).await;
    let path = format!("{}/properties", ds_path(&ds));
    let d = put_json(&admin, &path, &json!({"dataSourceName": "New"}))
        .await
        .ok_json();
    assert_eq!(d, admin.dataset(&ds).await, "answers the dataset");
    assert_eq!(d["name"], "New");
    assert_eq!(d["description"], "test", "a field left out keeps its value");
    let d = put_json(&admin, &path, &json!({"dataSourceDescription": "about"}))
        .await
        .ok_json();
    assert_eq!(
        (d["name"].as_str(), d["description"].as_str()),
        (Some("New"), Some("about"))
    );
    let st = admin
        .get(&format!("/api/data/v1/streams/{sid}"))
        .await
        .ok_json();
    assert_eq!(st["dataSource"]["name"], "New");

    // No access: 403 and nothing changes; CAN_SHARE cannot edit; CAN_EDIT can.
    let msg = put_json(&carol, &path, &json!({"dataSourceName": "Carol's"}))
        .await
        .expect_error(403);
    assert!(msg.contains("user 3"), "{msg}");
    share(&admin, &ds, 2, "CAN_SHARE").await;
    put_json(&bob, &path, &json!({"dataSourceName": "Bob's"}))
        .await
        .expect_error(403);
    assert_eq!(admin.dataset(&ds).await["name"], "New");
    share(&admin, &ds, 2, "CAN_EDIT").await;
    let d = put_json(&bob, &path, &json!({"dataSourceName": "Bob's"}))
        .await
        .ok_json();
    assert_eq!(d["name"], "Bob's");

    let msg = put_json(&admin, &path, &json!({"dataSourceName": ""}))
        .await
        .expect_error(400);
    assert!(msg.contains("dataSourceName"), "{msg}");
    let msg = put_json(&admin, &path, &json!({})).await.expect_error(400);
    assert!(msg.contains("dataSourceName"), "{msg}");
    put_json(
        &admin,
        &format!("{}/properties", ds_path("no-such")),
        &json!({"dataSourceName": "x"}),
    )
    .await
    .expect_error(404);
}

#[tokio::test]
async fn alter_schema_adds_renames_reorders_converts_and_drops_keeping_rows() {
    let (_emu, admin, _bob, carol) = users().await;
    let (ds, sid) = admin
        .create_dataset("S", &[("title", "STRING"), ("qty", "LONG")])
        .await;
    admin.upload(&ds, &["a,1\nb,\n"], "APPEND").await;

    // Rename (same position, unmatched name) keeps the values.
    let r = alter(
        &admin,
        &ds,
        json!([{"name": "label", "type": "STRING"}, {"name": "qty", "type": "LONG"}]),
    )
    .await
    .ok_json();
    assert_eq!(r["schema"]["columns"][0]["name"], "label");
    assert_eq!(admin.export(&ds, false).await, "a,1\nb,\\N\n");

    // Reorder, add (null in old rows), mark a key.
    alter(
        &admin,
        &ds,
        json!([{"name": "qty", "type": "LONG"}, {"name": "label", "type": "STRING", "upsertKey": true},
               {"name": "note", "type": "STRING"}]),
    )
    .await
    .ok_json();
    assert_eq!(
        admin.export(&ds, true).await,
        "qty,label,note\n1,a,\\N\n\\N,b,\\N\n"
    );
    let cols = latest_schema(&admin, &ds).await;
    assert_eq!(cols[1]["upsertKey"], true);
    assert_eq!(cols[0]["upsertKey"], false);
    let seed = admin
        .get(&format!("{}/schema", ds_path(&ds)))
        .await
        .ok_json();
    assert_eq!(
        seed["columns"][1],
        json!({"name": "label", "type": "STRING", "upsertKey": true})
    );
    let indexed = admin
        .get(&format!("/api/query/v1/datasources/{ds}/schema/indexed"))
        .await
        .ok_json();
    assert_eq!(indexed["tables"][0]["columns"][1]["upsertKey"], true);
    assert_eq!(admin.dataset(&ds).await["columnCount"], 3);

    // A type change that converts every value: LONG -> STRING -> LONG.
    alter(
        &admin,
        &ds,
        json!([{"name": "qty", "type": "STRING"}, {"name": "label", "type": "STRING"}, {"name": "note", "type": "STRING"}]),
    )
    .await
    .ok_json();
    let types = admin
        .sql(&ds, "SELECT qty FROM table WHERE qty = '1'")
        .await
        .ok_json();
    assert_eq!(types["metadata"][0]["type"], "STRING");
    // A column sent without upsertKey keeps its flag.
    assert_eq!(latest_schema(&admin, &ds).await[1]["upsertKey"], true);
    alter(
        &admin,
        &ds,
        json!([{"name": "qty", "type": "LONG"}, {"name": "label", "type": "STRING"}, {"name": "note", "type": "STRING"}]),
    )
    .await
    .ok_json();
    assert_eq!(admin.export(&ds, false).await, "1,a,\\N\n\\N,b,\\N\n");

    // A type change that would lose a value is refused; nothing changes.
    let rows_before = admin.export(&ds, true).await;
    let schema_before = latest_schema(&admin, &ds).await;
    let versions_before = versions(&admin, &ds).await;
    let msg = alter(
        &admin,
        &ds,
        json!([{"name": "qty", "type": "LONG"}, {"name": "label", "type": "DOUBLE"}, {"name": "extra", "type": "LONG"}]),
    )
    .await
    .expect_error(400);
    assert!(msg.contains("`label`") && msg.contains("`a`"), "{msg}");
    assert_eq!(admin.export(&ds, true).await, rows_before);
    assert_eq!(latest_schema(&admin, &ds).await, schema_before);
    assert_eq!(versions(&admin, &ds).await, versions_before);

    // Dropping a column drops its values (Domo allows it).
    alter(
        &admin,
        &ds,
        json!([{"name": "label", "type": "STRING"}, {"name": "qty", "type": "LONG"}]),
    )
    .await
    .ok_json();
    assert_eq!(admin.export(&ds, false).await, "a,1\nb,\\N\n");
    let st = admin
        .get(&format!("/api/data/v1/streams/{sid}"))
        .await
        .ok_json();
    assert_eq!(
        st["schemaDefinition"]["columns"].as_array().unwrap().len(),
        2
    );

    for (cols, needle) in [
        (
            json!([{"name": "a", "type": "LONG"}, {"name": "A", "type": "LONG"}]),
            "columns[1]",
        ),
        (json!([{"name": "a", "type": "NUMBER"}]), "NUMBER"),
        (json!([{"name": "", "type": "LONG"}]), "columns[0]"),
    ] {
        let msg = alter(&admin, &ds, cols.clone()).await.expect_error(400);
        assert!(msg.contains(needle), "{cols}: {msg}");
    }
    let msg = admin
        .post(
            &format!("/api/data/v2/datasources/{ds}/schemas"),
            &json!({"columns": [{"name": 5, "type": "LONG"}]}),
        )
        .await
        .expect_error(400);
    assert!(msg.contains("columns[0].name"), "{msg}");
    alter(&carol, &ds, json!([{"name": "x", "type": "LONG"}]))
        .await
        .expect_error(403);
    assert_eq!(admin.export(&ds, false).await, "a,1\nb,\\N\n");
}

#[tokio::test]
async fn upsert_keys_make_an_append_replace_rows_with_the_same_key() {
    let (_emu, admin, _bob, _carol) = users().await;
    let (ds, _) = admin
        .create_dataset("U", &[("id", "LONG"), ("v", "STRING")])
        .await;
    admin.upload(&ds, &["1,old\n9,keep\n"], "APPEND").await;
    alter(
        &admin,
        &ds,
        json!([{"name": "id", "type": "LONG", "upsertKey": true}, {"name": "v", "type": "STRING"}]),
    )
    .await
    .ok_json();

    // Duplicates within a part and across parts: the last row wins, in
    // part order (part 2 is sent first) then row order.
    let up = admin.start_upload(&ds).await;
    admin
        .put_part(&ds, up, 2, b"2,d\n3,e\n1,f\n")
        .await
        .ok_json();
    admin
        .put_part(&ds, up, 1, b"1,a\n2,b\n1,c\n")
        .await
        .ok_json();
    let done = admin
        .commit(&ds, up, &json!({"action": "APPEND", "index": false}))
        .await
        .ok_json();
    assert_eq!(done["rowCount"], 6, "the rows the upload held");
    let rows = admin
        .sql(&ds, "SELECT id, v FROM table ORDER BY id")
        .await
        .ok_json();
    assert_eq!(
        rows["rows"],
        json!([[1, "f"], [2, "d"], [3, "e"], [9, "keep"]])
    );
    assert_eq!(admin.dataset(&ds).await["rowCount"], 4);
    let v = versions(&admin, &ds).await;
    let last = v.last().unwrap();
    assert_eq!(
        last["rowCount"], 6,
        "a version reports the rows its upload held"
    );
    assert_eq!(last["dataVersionId"], done["dataVersionId"]);
    assert_eq!(last["action"], "UPSERT");

    // A row without a key is refused, naming the row and column; nothing lands.
    let up = admin.start_upload(&ds).await;
    admin.put_part(&ds, up, 1, b"4,x\n").await.ok_json();
    admin.put_part(&ds, up, 2, b"5,y\n,z\n").await.ok_json();
    let msg = admin
        .commit(&ds, up, &json!({"action": "APPEND"}))
        .await
        .expect_error(400);
    assert!(
        msg.contains("part 2, row 2") && msg.contains("`id`"),
        "{msg}"
    );
    assert_eq!(admin.dataset(&ds).await["rowCount"], 4);
    assert_eq!(versions(&admin, &ds).await.len(), v.len());

    // A string key may not be empty either.
    alter(
        &admin,
        &ds,
        json!([{"name": "id", "type": "LONG", "upsertKey": false}, {"name": "v", "type": "STRING", "upsertKey": true}]),
    )
    .await
    .ok_json();
    let up = admin.start_upload(&ds).await;
    admin.put_part(&ds, up, 1, b"7,\"\"\n").await.ok_json();
    let msg = admin
        .commit(&ds, up, &json!({"action": "APPEND"}))
        .await
        .expect_error(400);
    assert!(
        msg.contains("part 1, row 1") && msg.contains("`v`"),
        "{msg}"
    );

    // REPLACE with keys: duplicates within the upload, last wins too.
    admin.upload(&ds, &["1,k\n2,k\n", "3,j\n"], "REPLACE").await;
    let rows = admin
        .sql(&ds, "SELECT id, v FROM table ORDER BY id")
        .await
        .ok_json();
    assert_eq!(rows["rows"], json!([[2, "k"], [3, "j"]]));
    assert_eq!(admin.dataset(&ds).await["rowCount"], 2);
    assert_eq!(versions(&admin, &ds).await.last().unwrap()["rowCount"], 3);

    // Append a single row: an upsert too.
    admin
        .post(
            &format!("{}/uploads", ds_path(&ds)),
            &json!({"values": "9,k"}),
        )
        .await
        .ok_json();
    let rows = admin
        .sql(&ds, "SELECT id, v FROM table ORDER BY id")
        .await
        .ok_json();
    assert_eq!(rows["rows"], json!([[3, "j"], [9, "k"]]));
    assert_eq!(admin.dataset(&ds).await["rowCount"], 2);
}

#[tokio::test]
async fn data_versions_report_the_rows_of_their_own_upload() {
    let (_emu, admin, _bob, _carol) = users().await;
    let (ds, _) = admin.create_dataset("V", &[("x", "LONG")]).await;
    admin.upload(&ds, &["1\n2\n", "3\n"], "APPEND").await;
    admin.upload(&ds, &["4\n"], "APPEND").await;
    admin.upload(&ds, &["5\n6\n"], "REPLACE").await;
    let counts: Vec<i64> = versions(&admin, &ds)
        .await
        .iter()
        .map(|v| v["rowCount"].as_i64().unwrap())
        .collect();
    assert_eq!(counts, vec![3, 1, 2]);
    assert_eq!(admin.dataset(&ds).await["rowCount"], 2);
}

struct StreamLoad<'a> {
    c: &'a Client,
    sid: i64,
}

impl StreamLoad<'_> {
    fn path(&self, rest: &str) -> String {
        format!("/api/data/v1/streams/{}/executions{rest}", self.sid)
    }
    async fn start(&self) -> i64 {
        let e = self
            .c
            .send(Method::POST, &self.path(""), None, &[])
            .await
            .ok_json();
        assert_eq!(e["currentState"], "ACTIVE", "{e}");
        assert_eq!(e["streamId"], self.sid);
        e["executionId"].as_i64().unwrap()
    }
    async fn part(&self, eid: i64, n: i64, csv: &[u8], gz: bool) -> Resp {
        let mut headers = vec![("content-type", "text/csv")];
        let body = if gz {
            headers.push(("content-encoding", "gzip"));
            gzip(csv)
        } else {
            csv.to_vec()
        };
        self.c
            .send(
                Method::PUT,
                &self.path(&format!("/{eid}/part/{n}")),
                Some(body),
                &headers,
            )
            .await
    }
    async fn commit(&self, eid: i64) -> Resp {
        self.c
            .send(
                Method::PUT,
                &self.path(&format!("/{eid}/commit")),
                None,
                &[],
            )
            .await
    }
    async fn abort(&self, eid: i64) -> Resp {
        self.c
            .send(Method::PUT, &self.path(&format!("/{eid}/abort")), None, &[])
            .await
    }
    async fn history(&self) -> Vec<Value> {
        self.c
            .get(&format!(
                "/api/data/v1/streams/{}/history/aggregate",
                self.sid
            ))
            .await
            .ok_json()
            .as_array()
            .unwrap()
            .clone()
    }
    async fn set_method(&self, m: &str) {
        put_json(
            self.c,
            &format!("/api/data/v1/streams/{}", self.sid),
            &json!({"updateMethod": m}),
        )
        .await
        .ok_json();
    }
}

#[tokio::test]
async fn stream_executions_load_as_the_streams_update_method_says() {
    let (_emu, admin, _bob, carol) = users().await;
    let (ds, sid) = admin
        .create_dataset("E", &[("id", "LONG"), ("v", "STRING")])
        .await;
    let s = StreamLoad { c: &admin, sid };

    // APPEND: parts in any order, a gzip part, a retried part replaces itself.
    let eid = s.start().await;
    s.part(eid, 2, b"3,c\n", true).await.ok_json();
    s.part(eid, 1, b"1,wrong\n", false).await.ok_json();
    s.part(eid, 1, b"1,a\n2,b\n", false).await.ok_json();
    let e = s.commit(eid).await.ok_json();
    assert_eq!(e["currentState"], "SUCCESS");
    assert_eq!(e["executionId"], eid);
    assert_eq!(e["rowsInserted"], 3);
    assert!(
        e["endedAt"].as_i64().unwrap() < 10_000_000_000,
        "epoch seconds"
    );
    assert_eq!(admin.export(&ds, false).await, "1,a\n2,b\n3,c\n");
    let v = versions(&admin, &ds).await;
    assert_eq!(v.last().unwrap()["rowCount"], 3);
    assert_eq!(e["dataVersionId"], v.last().unwrap()["dataVersionId"]);
    // A committed execution takes nothing more.
    let msg = s.part(eid, 3, b"4,d\n", false).await.expect_error(409);
    assert!(msg.contains("SUCCESS"), "{msg}");
    s.commit(eid).await.expect_error(409);
    s.abort(eid).await.expect_error(409);

    // Non-contiguous parts are refused naming the missing one; the load
    // stays ACTIVE and commits once the part is in.
    let eid = s.start().await;
    s.part(eid, 1, b"4,d\n", false).await.ok_json();
    s.part(eid, 3, b"6,f\n", false).await.ok_json();
    let msg = s.commit(eid).await.expect_error(400);
    assert!(msg.contains("part 2 is missing"), "{msg}");
    s.part(eid, 2, b"5,e\n", false).await.ok_json();
    s.commit(eid).await.ok_json();
    assert_eq!(admin.dataset(&ds).await["rowCount"], 6);

    // A CSV error fails the load, naming part and row; nothing lands.
    let eid_failed = s.start().await;
    s.part(eid_failed, 1, b"7,g\n", false).await.ok_json();
    s.part(eid_failed, 2, b"8,h\nnine,i\n", false)
        .await
        .ok_json();
    let msg = s.commit(eid_failed).await.expect_error(400);
    assert!(
        msg.contains("part 2, row 2") && msg.contains("`id`"),
        "{msg}"
    );
    assert_eq!(admin.dataset(&ds).await["rowCount"], 6);
    let failed = s.history().await[0].clone();
    assert_eq!(failed["executionId"], eid_failed);
    assert_eq!(failed["currentState"], "FAILED");
    assert!(
        failed["errorMessage"]
            .as_str()
            .unwrap()
            .contains("part 2, row 2"),
        "{failed}"
    );
    s.part(eid_failed, 1, b"7,g\n", false)
        .await
        .expect_error(409);
    // A retried commit gets the same refusal, not a 409 ("committed before").
    let again = s.commit(eid_failed).await.expect_error(400);
    assert_eq!(again, msg);
    // Aborting a failed load answers it as it is (a client cleaning up).
    assert_eq!(
        s.abort(eid_failed).await.ok_json()["currentState"],
        "FAILED"
    );

    // Abort: nothing lands, later parts and commits are refused.
    let eid_aborted = s.start().await;
    s.part(eid_aborted, 1, b"10,x\n", false).await.ok_json();
    let e = s.abort(eid_aborted).await.ok_json();
    assert_eq!(e["currentState"], "ABORTED");
    assert_eq!(
        s.abort(eid_aborted).await.ok_json()["currentState"],
        "ABORTED"
    );
    let msg = s
        .part(eid_aborted, 2, b"11,y\n", false)
        .await
        .expect_error(409);
    assert!(msg.contains("ABORTED"), "{msg}");
    s.commit(eid_aborted).await.expect_error(409);
    assert_eq!(admin.dataset(&ds).await["rowCount"], 6);

    // REPLACE.
    s.set_method("REPLACE").await;
    let eid = s.start().await;
    s.part(eid, 1, b"1,r\n", true).await.ok_json();
    let e = s.commit(eid).await.ok_json();
    assert_eq!(e["updateMethod"], "REPLACE");
    assert_eq!(admin.export(&ds, false).await, "1,r\n");

    // UPSERT needs keys: refused while there are none (the load stays
    // ACTIVE), applied once a key is marked.
    s.set_method("UPSERT").await;
    let eid = s.start().await;
    s.part(eid, 1, b"1,u\n2,n\n1,w\n", false).await.ok_json();
    let msg = s.commit(eid).await.expect_error(400);
    assert!(msg.contains("upsert key"), "{msg}");
    alter(
        &admin,
        &ds,
        json!([{"name": "id", "type": "LONG", "upsertKey": true}, {"name": "v", "type": "STRING"}]),
    )
    .await
    .ok_json();
    let e = s.commit(eid).await.ok_json();
    assert_eq!(e["currentState"], "SUCCESS");
    assert_eq!(e["rowsInserted"], 3);
    let rows = admin
        .sql(&ds, "SELECT id, v FROM table ORDER BY id")
        .await
        .ok_json();
    assert_eq!(rows["rows"], json!([[1, "w"], [2, "n"]]));

    // The history shows every state, newest first.
    let states: Vec<String> = s
        .history()
        .await
        .iter()
        .map(|h| h["currentState"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        states,
        vec![
            "SUCCESS", "SUCCESS", "ABORTED", "FAILED", "SUCCESS", "SUCCESS"
        ]
    );
    let st = admin
        .get(&format!("/api/data/v1/streams/{sid}"))
        .await
        .ok_json();
    assert_eq!(st["lastExecution"]["executionId"], eid);

    // Unknown executions, another stream's, bad part numbers, no access.
    let (_, other_sid) = admin.create_dataset("E2", &[("id", "LONG")]).await;
    let other = StreamLoad {
        c: &admin,
        sid: other_sid,
    };
    let other_eid = other.start().await;
    s.part(other_eid, 1, b"1,a\n", false)
        .await
        .expect_error(404);
    s.part(999_999, 1, b"1,a\n", false).await.expect_error(404);
    let msg = s.part(eid, 0, b"1,a\n", false).await.expect_error(400);
    assert!(msg.contains("at least 1"), "{msg}");
    let as_carol = StreamLoad { c: &carol, sid };
    carol
        .send(Method::POST, &as_carol.path(""), None, &[])
        .await
        .expect_error(403);
    as_carol
        .part(other_eid, 1, b"1\n", false)
        .await
        .expect_error(403);
    other.abort(other_eid).await.ok_json();
}

#[tokio::test]
async fn delete_removes_a_dataset_from_every_api_in_one_go() {
    let (_emu, admin, bob, carol) = users().await;
    let (ds, sid) = admin.create_dataset("D", &[("x", "LONG")]).await;
    admin.upload(&ds, &["1\n2\n"], "APPEND").await;
    let up = admin
        .post(
            &format!("{}/uploads", ds_path(&ds)),
            &json!({"action": "APPEND", "dataTag": "p1"}),
        )
        .await
        .ok_json()["uploadId"]
        .as_i64()
        .unwrap();
    admin.put_part(&ds, up, 1, b"3\n").await.ok_json();
    admin
        .commit(&ds, up, &json!({"action": "APPEND", "dataTag": "p1"}))
        .await
        .ok_json();
    admin
        .post(
            &format!("/api/data/ui/v3/datasources/{ds}/tags"),
            &json!(["t"]),
        )
        .await;
    admin
        .post(
            &format!("{}/indexes", ds_path(&ds)),
            &json!({"dataIds": []}),
        )
        .await
        .ok_json();
    // Uploads in progress: a v3 upload and a stream execution.
    let open = admin.start_upload(&ds).await;
    admin.put_part(&ds, open, 1, b"4\n").await.ok_json();
    let s = StreamLoad { c: &admin, sid };
    let eid = s.start().await;
    s.part(eid, 1, b"5\n", false).await.ok_json();
    let (survivor, _) = admin.create_dataset("Survivor", &[("x", "LONG")]).await;
    admin.upload(&survivor, &["7\n"], "APPEND").await;

    // Owner, co-owner or admin only.
    share(&admin, &ds, 2, "CAN_EDIT").await;
    let msg = bob
        .send(Method::DELETE, &ds_path(&ds), None, &[])
        .await
        .expect_error(403);
    assert!(msg.contains("delete"), "{msg}");
    carol
        .send(Method::DELETE, &ds_path(&ds), None, &[])
        .await
        .expect_error(403);
    admin
        .send(
            Method::DELETE,
            &format!("{}?deleteMethod=sideways", ds_path(&ds)),
            None,
            &[],
        )
        .await
        .expect_error(400);
    share(&admin, &ds, 2, "CO_OWNER").await;
    let r = bob
        .send(
            Method::DELETE,
            &format!("{}?deleteMethod=hard", ds_path(&ds)),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.body.is_empty());

    // Every later call on it is a 404 saying it was deleted.
    let msg = admin.get(&ds_path(&ds)).await.expect_error(404);
    assert!(msg.contains("deleted"), "{msg}");
    for path in [
        format!("{}/schema", ds_path(&ds)),
        format!("/api/data/v2/datasources/{ds}/schemas/latest"),
        format!("{}/data", ds_path(&ds)),
        format!("/api/data/v2/datasources/{ds}/dataversions/latest"),
        format!("{}/dataversions/details", ds_path(&ds)),
        format!("{}/permissions", ds_path(&ds)),
        format!("/api/query/v1/datasources/{ds}/partition"),
        format!("{}/indexes/1/statuses", ds_path(&ds)),
        format!("/api/data/v1/streams/{sid}"),
        format!("/api/data/v1/streams/{sid}/history/aggregate"),
    ] {
        admin.get(&path).await.expect_error(404);
    }
    admin
        .sql(&ds, "SELECT 1 FROM table")
        .await
        .expect_error(404);
    // The upload opened before the delete: a clear 404, nothing reappears.
    let msg = admin
        .commit(&ds, open, &json!({"action": "APPEND"}))
        .await
        .expect_error(404);
    assert!(msg.contains(&ds) && msg.contains("deleted"), "{msg}");
    admin.put_part(&ds, open, 2, b"6\n").await.expect_error(404);
    s.commit(eid).await.expect_error(404);
    s.part(eid, 2, b"6\n", false).await.expect_error(404);
    admin
        .send(Method::DELETE, &ds_path(&ds), None, &[])
        .await
        .expect_error(404);
    put_json(
        &admin,
        &format!("{}/properties", ds_path(&ds)),
        &json!({"dataSourceName": "back"}),
    )
    .await
    .expect_error(404);
    let found = admin
        .get(&format!("/api/data/v1/streams/search?q=dataSource.id:{ds}"))
        .await
        .ok_json();
    assert_eq!(found, json!([]));

    // Gone from the list and both searches; the other dataset is untouched.
    let list = admin.get("/api/data/v3/datasources").await.ok_json();
    assert_eq!(list["_metaData"]["totalCount"], 1);
    assert_eq!(list["dataSources"][0]["id"], survivor.as_str());
    let r = search(&admin, json!({"query": "*", "count": 10}))
        .await
        .ok_json();
    assert_eq!(r["totalResultCount"], 1);
    assert_eq!(admin.export(&survivor, false).await, "7\n");
    assert_eq!(admin.dataset(&survivor).await["rowCount"], 1);

    // A soft delete (no deleteMethod) removes it the same way.
    let r = admin
        .send(Method::DELETE, &ds_path(&survivor), None, &[])
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    admin.get(&ds_path(&survivor)).await.expect_error(404);
    let list = admin.get("/api/data/v3/datasources").await.ok_json();
    assert_eq!(list["_metaData"]["totalCount"], 0);
}

#[tokio::test]
async fn a_deleted_dataset_stays_deleted_across_a_restart() {
    let dir = std::env::temp_dir().join(format!("domo-emulator-lifecycle-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = || EmulatorConfig {
        data_dir: Some(dir.clone()),
        ..EmulatorConfig::ephemeral()
    };
    let (emu, c) = start(config()).await;
    let (ds, _) = c.create_dataset("P", &[("x", "LONG")]).await;
    c.upload(&ds, &["1\n"], "APPEND").await;
    let up = c.start_upload(&ds).await;
    c.put_part(&ds, up, 1, b"2\n").await.ok_json();
    c.send(
        Method::DELETE,
        &format!("{}?deleteMethod=hard", ds_path(&ds)),
        None,
        &[],
    )
    .await;
    emu.shutdown().await;
    let (emu, c) = start(config()).await;
    c.get(&ds_path(&ds)).await.expect_error(404);
    c.commit(&ds, up, &json!({"action": "APPEND"}))
        .await
        .expect_error(404);
    let list = c.get("/api/data/v3/datasources").await.ok_json();
    assert_eq!(list["_metaData"]["totalCount"], 0);
    emu.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn upsert_keys_are_dataset_wide_and_partition_counts_follow() {
    let (_emu, admin, _bob, _carol) = users().await;
    let (ds, _) = admin
        .create_dataset("P", &[("id", "LONG"), ("v", "STRING")])
        .await;
    let tagged = |tag: &'static str, csv: &'static str| {
        let admin = admin.clone();
        let ds = ds.clone();
        async move {
            let up = admin.start_upload(&ds).await;
            admin.put_part(&ds, up, 1, csv.as_bytes()).await.ok_json();
            admin
                .commit(&ds, up, &json!({"action": "APPEND", "dataTag": tag}))
                .await
                .ok_json()
        }
    };
    // Two stored rows share key 1 before it is a key.
    tagged("p1", "1,a\n1,b\n2,c\n").await;
    tagged("p2", "3,d\n").await;
    alter(
        &admin,
        &ds,
        json!([{"name": "id", "type": "LONG", "upsertKey": true}, {"name": "v", "type": "STRING"}]),
    )
    .await
    .ok_json();
    tagged("p2", "1,z\n").await;
    let rows = admin
        .sql(&ds, "SELECT id, v FROM table ORDER BY id")
        .await
        .ok_json();
    assert_eq!(rows["rows"], json!([[1, "z"], [2, "c"], [3, "d"]]));
    assert_eq!(admin.dataset(&ds).await["rowCount"], 3);
    let parts = admin
        .get(&format!("/api/query/v1/datasources/{ds}/partition"))
        .await
        .ok_json();
    let mut counts: Vec<(String, i64)> = parts
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["partitionId"].as_str().unwrap().to_owned(),
                p["rowCount"].as_i64().unwrap(),
            )
        })
        .collect();
    counts.sort();
    assert_eq!(counts, vec![("p1".to_owned(), 1), ("p2".to_owned(), 2)]);
}

/// A DECIMAL column's scale (the most decimals any of its values has),
/// which a query shows every value with, follows every write of the rows:
/// appends raise it, replaces, partition deletes, upserts and schema
/// changes lower it again when the values that set it are gone.
#[tokio::test]
async fn a_decimal_column_keeps_its_scale_through_every_write() {
    let (_emu, admin, _bob, _carol) = users().await;
    let (ds, sid) = admin
        .create_dataset("Scales", &[("k", "STRING"), ("amount", "DECIMAL")])
        .await;
    // The reply's rows as sent, digits and all (JSON parsing would drop
    // trailing zeros).
    let shown = |sql: &'static str| {
        let (admin, ds) = (admin.clone(), ds.clone());
        async move {
            let r = admin.sql(&ds, sql).await;
            r.ok_status();
            let text = r.text();
            let rows = &text[text.find("\"rows\":").expect("rows") + 7..];
            let end = if rows.starts_with("[]") {
                2
            } else {
                rows.find("]]").unwrap() + 2
            };
            rows[..end].to_owned()
        }
    };
    let amounts = || shown("SELECT amount FROM table ORDER BY k, amount");
    let tagged = |tag: &'static str, action: &'static str, csv: &'static [u8]| {
        let admin = admin.clone();
        let ds = ds.clone();
        async move {
            let up = admin
                .post(
                    &format!("{}/uploads", ds_path(&ds)),
                    &json!({"action": action, "dataTag": tag}),
                )
                .await
                .ok_json()["uploadId"]
                .as_i64()
                .unwrap();
            admin.put_part(&ds, up, 1, csv).await.ok_json();
            admin
                .commit(&ds, up, &json!({"action": action, "dataTag": tag}))
                .await
                .ok_json();
        }
    };

    assert_eq!(amounts().await, "[]");
    admin.upload(&ds, &["a,1.5\nb,2.25\n"], "REPLACE").await;
    assert_eq!(amounts().await, "[[1.50],[2.25]]");
    // APPEND with more decimals raises it; a NULL changes nothing.
    admin.upload(&ds, &["c,0.125\nd,\n"], "APPEND").await;
    assert_eq!(amounts().await, "[[1.500],[2.250],[0.125],[null]]");
    // REPLACE with fewer lowers it.
    admin.upload(&ds, &["a,1.5\n"], "REPLACE").await;
    assert_eq!(amounts().await, "[[1.5]]");
    // Append one row (`{"values"}`).
    admin
        .post(
            &format!("{}/uploads", ds_path(&ds)),
            &json!({"values": "b,2.75"}),
        )
        .await
        .ok_json();
    assert_eq!(amounts().await, "[[1.50],[2.75]]");
    // A partition raises it; deleting the partition's rows lowers it.
    tagged("p1", "APPEND", b"c,0.0001\n").await;
    assert_eq!(amounts().await, "[[1.5000],[2.7500],[0.0001]]");
    admin
        .send(
            Method::DELETE,
            &format!("/api/query/v1/datasources/{ds}/tag/p1/data"),
            None,
            &[],
        )
        .await
        .ok_status();
    assert_eq!(amounts().await, "[[1.50],[2.75]]");
    // Replacing a partition drops its old values' scale with them.
    tagged("p2", "APPEND", b"c,0.001\n").await;
    assert_eq!(amounts().await, "[[1.500],[2.750],[0.001]]");
    tagged("p2", "REPLACE", b"c,0.5\n").await;
    assert_eq!(amounts().await, "[[1.50],[2.75],[0.50]]");
    // A stream execution's load.
    let s = StreamLoad { c: &admin, sid };
    let eid = s.start().await;
    s.part(eid, 1, b"d,7.12345\n", false).await.ok_json();
    s.commit(eid).await.ok_json();
    assert_eq!(amounts().await, "[[1.50000],[2.75000],[0.50000],[7.12345]]");
    // An upsert that replaces the row that set the scale.
    alter(
        &admin,
        &ds,
        json!([{"name": "k", "type": "STRING", "upsertKey": true}, {"name": "amount", "type": "DECIMAL"}]),
    )
    .await
    .ok_json();
    assert_eq!(amounts().await, "[[1.50000],[2.75000],[0.50000],[7.12345]]");
    admin.upload(&ds, &["d,7\n"], "APPEND").await;
    assert_eq!(amounts().await, "[[1.50],[2.75],[0.50],[7.00]]");
    // A schema change that converts values: a DOUBLE made DECIMAL takes
    // the scale of the converted values, the renamed column keeps its own.
    alter(
        &admin,
        &ds,
        json!([{"name": "k", "type": "STRING", "upsertKey": true}, {"name": "amount", "type": "DECIMAL"},
               {"name": "rate", "type": "DOUBLE"}]),
    )
    .await
    .ok_json();
    admin.upload(&ds, &["e,1,0.375\n"], "APPEND").await;
    alter(
        &admin,
        &ds,
        json!([{"name": "k", "type": "STRING", "upsertKey": true}, {"name": "total", "type": "DECIMAL"},
               {"name": "rate", "type": "DECIMAL"}]),
    )
    .await
    .ok_json();
    assert_eq!(
        shown("SELECT total, rate FROM table WHERE k = 'e'").await,
        "[[1.00,0.375]]"
    );
}
