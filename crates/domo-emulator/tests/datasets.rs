//! Streams, datasets, uploads, exports and data reads against a live emulator.

mod common;

use std::io::Write;

use common::{Client, start_default};
use reqwest::Method;
use serde_json::{Value, json};

const COLS: [(&str, &str); 6] = [
    ("name", "STRING"),
    ("qty", "LONG"),
    ("ratio", "DOUBLE"),
    ("amount", "DECIMAL"),
    ("day", "DATE"),
    ("at", "DATETIME"),
];

async fn versions(c: &Client, ds: &str) -> Vec<Value> {
    c.get(&format!(
        "/api/data/v3/datasources/{ds}/dataversions/details"
    ))
    .await
    .ok_json()
    .as_array()
    .unwrap()
    .clone()
}

#[tokio::test]
async fn stream_creates_a_dataset_with_real_shapes() {
    let (_emu, c) = start_default().await;
    let (ds, sid) = c.create_dataset("Sales", &COLS).await;
    assert_eq!(ds.len(), 36, "uuid-shaped id: {ds}");

    let d = c.dataset(&ds).await;
    assert_eq!(d["id"], ds.as_str());
    assert_eq!(d["name"], "Sales");
    assert_eq!(d["description"], "test");
    assert_eq!(d["streamId"], sid);
    assert_eq!(d["rowCount"], 0);
    assert_eq!(d["columnCount"], 6);
    assert_eq!(
        d["owner"],
        json!({"id": 1, "name": "User 1", "type": "USER"})
    );
    assert_eq!(d["tags"], "[]");
    assert!(
        d["lastUpdated"].as_i64().unwrap() > 1_600_000_000_000,
        "epoch ms"
    );

    let s = c
        .get(&format!("/api/data/v3/datasources/{ds}/schema"))
        .await
        .ok_json();
    assert_eq!(
        s["columns"][3],
        json!({"name": "amount", "type": "DECIMAL", "upsertKey": false})
    );
    let s = c
        .get(&format!("/api/data/v2/datasources/{ds}/schemas/latest"))
        .await
        .ok_json();
    assert_eq!(s["dataSourceId"], ds.as_str());
    assert_eq!(s["schema"]["columns"][5]["type"], "DATETIME");
    assert_eq!(s["schema"]["columns"][5]["visible"], true);
    assert_eq!(s["schema"]["columns"][5]["metadata"]["isEncrypted"], false);
    let s = c
        .get(&format!(
            "/api/query/v1/datasources/{ds}/schema/indexed?includeHidden=false"
        ))
        .await
        .ok_json();
    assert_eq!(s["name"], "schema");
    assert_eq!(
        s["tables"][0]["columns"][1],
        json!({"name": "qty", "id": "qty", "type": "LONG", "visible": true, "order": 1, "upsertKey": false})
    );

    let st = c
        .get(&format!("/api/data/v1/streams/{sid}"))
        .await
        .ok_json();
    assert_eq!(st["id"], sid);
    assert_eq!(st["dataSource"]["id"], ds.as_str());
    assert_eq!(st["updateMethod"], "APPEND");
    assert_eq!(st["lastExecution"], Value::Null);
    assert!(
        st["createdAt"].as_i64().unwrap() < 10_000_000_000,
        "epoch seconds"
    );
    assert_eq!(
        st["schemaDefinition"]["columns"].as_array().unwrap().len(),
        6
    );

    let found = c
        .get(&format!("/api/data/v1/streams/search?q=dataSource.id:{ds}"))
        .await
        .ok_json();
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["id"], sid);
    let none = c
        .get("/api/data/v1/streams/search?q=dataSource.id:nope")
        .await
        .ok_json();
    assert_eq!(none, json!([]));

    // Running a stream opens an execution (a load), whatever the body.
    c.upload(
        &ds,
        &["a,1,1.5,2.50,2024-01-01,2024-01-01T00:00:00\n"],
        "APPEND",
    )
    .await;
    let e = c
        .post(
            &format!("/api/data/v1/streams/{sid}/executions"),
            &json!({"action": "MANUAL"}),
        )
        .await
        .ok_json();
    assert_eq!(e["currentState"], "ACTIVE");
    assert_eq!(e["streamId"], sid);
    assert_eq!(e["rowsInserted"], 0);
    assert_eq!(e["endedAt"], Value::Null);
    assert!(e.get("id").is_none(), "the id travels as executionId only");
    let e2 = c
        .send(
            Method::POST,
            &format!("/api/data/v1/streams/{sid}/executions"),
            None,
            &[],
        )
        .await
        .ok_json();
    assert_eq!(e2["currentState"], "ACTIVE");
    let e3 = c
        .post(
            &format!("/api/data/v1/streams/{sid}/executions"),
            &json!({"runType": "MANUAL"}),
        )
        .await
        .ok_json();
    let hist = c
        .get(&format!("/api/data/v1/streams/{sid}/history/aggregate"))
        .await
        .ok_json();
    let ids: Vec<i64> = hist
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["executionId"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![
            e3["executionId"].as_i64().unwrap(),
            e2["executionId"].as_i64().unwrap(),
            e["executionId"].as_i64().unwrap()
        ]
    );
    let st = c
        .get(&format!("/api/data/v1/streams/{sid}"))
        .await
        .ok_json();
    assert_eq!(st["lastExecution"]["executionId"], e3["executionId"]);

    // Update: rename, switch method, add a column (existing rows get null).
    let mut cols: Vec<Value> = COLS
        .iter()
        .map(|(n, t)| json!({"name": n, "type": t}))
        .collect();
    cols.push(json!({"name": "extra", "type": "STRING"}));
    let st = c
        .json(
            Method::PUT,
            &format!("/api/data/v1/streams/{sid}"),
            &json!({"dataSource": {"name": "Sales 2"}, "updateMethod": "REPLACE", "schemaDefinition": {"columns": cols}}),
        )
        .await
        .ok_json();
    assert_eq!(st["dataSource"]["name"], "Sales 2");
    assert_eq!(st["updateMethod"], "REPLACE");
    assert_eq!(c.dataset(&ds).await["columnCount"], 7);
    assert_eq!(
        c.export(&ds, false).await,
        "a,1,1.5,2.50,2024-01-01,2024-01-01T00:00:00,\\N\n"
    );
    // A type change that cannot convert a stored value is refused.
    let mut changed: Vec<Value> = COLS
        .iter()
        .map(|(n, t)| json!({"name": n, "type": t}))
        .collect();
    changed[0] = json!({"name": "name", "type": "LONG"});
    let msg = c
        .json(
            Method::PUT,
            &format!("/api/data/v1/streams/{sid}"),
            &json!({"schemaDefinition": {"columns": changed}}),
        )
        .await
        .expect_error(400);
    assert!(msg.contains("`name`") && msg.contains("`a`"), "{msg}");
}

#[tokio::test]
async fn stream_creation_is_validated() {
    let (_emu, c) = start_default().await;
    for (body, needle) in [
        (json!({"dataSource": {"name": ""}}), "dataSource.name"),
        (json!({"transport": {"type": "API"}}), "dataSource"),
        (
            json!({"dataSource": {"name": "x"}, "schemaDefinition": {"columns": [{"name": "a", "type": "INTEGER"}]}}),
            "INTEGER",
        ),
        (
            json!({"dataSource": {"name": "x"}, "schemaDefinition": {"columns": [{"name": "a", "type": "LONG"}, {"name": "A", "type": "LONG"}]}}),
            "used twice",
        ),
        (
            json!({"dataSource": {"name": "x"}, "schemaDefinition": {"columns": [{"name": "", "type": "LONG"}]}}),
            "empty name",
        ),
        (json!({"dataSource": {"name": 5}}), "dataSource.name"),
        (
            json!({"dataSource": {"name": "x"}, "updateMethod": "MERGE"}),
            "MERGE",
        ),
    ] {
        let msg = c
            .post("/api/data/v1/streams", &body)
            .await
            .expect_error(400);
        assert!(msg.contains(needle), "{body}: {msg}");
    }
    let r = c
        .send(
            Method::POST,
            "/api/data/v1/streams",
            Some(b"{not json".to_vec()),
            &[],
        )
        .await;
    assert!(r.expect_error(400).contains("JSON"));
    // The seed's connector-style body is accepted and echoed.
    let v = c
        .post(
            "/api/data/v1/streams",
            &json!({"transport": {"type": "CONNECTOR", "version": "0"}, "configuration": [{"key": "k", "value": "v"}],
                    "account": {"id": 1}, "updateMethod": "APPEND", "dataProvider": {"key": "postgresql"},
                    "dataSource": {"name": "hello", "description": "d"}, "advancedScheduleJson": "{}"}),
        )
        .await
        .ok_json();
    assert_eq!(v["advancedScheduleJson"], "{}");
    assert_eq!(v["dataProvider"]["key"], "postgresql");
    // Unknown routes and ids answer in the JSON error shape too.
    c.get("/api/data/v3/datasources/nope")
        .await
        .expect_error(404);
    c.get("/api/data/v1/streams/999").await.expect_error(404);
    c.get("/api/data/v1/streams/abc").await.expect_error(404);
    c.get("/api/nothing/here").await.expect_error(404);
    c.send(Method::PATCH, "/api/data/v1/streams", None, &[])
        .await
        .expect_error(405);
}

#[tokio::test]
async fn parts_out_of_order_then_append_and_replace() {
    let (_emu, c) = start_default().await;
    let (ds, _) = c
        .create_dataset("Parts", &[("k", "LONG"), ("v", "STRING")])
        .await;
    let up = c.start_upload(&ds).await;
    for (n, body) in [(3, "5,e\n6,f\n"), (1, "1,a\n2,b\n"), (2, "3,c\n4,d\n")] {
        let r = c.put_part(&ds, up, n, body.as_bytes()).await.ok_json();
        assert_eq!(
            r,
            json!({"uploadId": up, "partId": n, "sizeBytes": body.len()})
        );
    }
    // Re-sending a part replaces it.
    c.put_part(&ds, up, 2, b"3,c\n4,D\n").await.ok_json();
    let commit = c
        .commit(&ds, up, &json!({"action": "APPEND", "index": true}))
        .await
        .ok_json();
    assert_eq!(commit["rowCount"], 6);
    assert_eq!(commit["status"], "SUCCESS");
    assert_eq!(commit["uploadId"], up);
    assert_eq!(c.export(&ds, false).await, "1,a\n2,b\n3,c\n4,D\n5,e\n6,f\n");
    assert_eq!(c.dataset(&ds).await["rowCount"], 6);

    let before = c.dataset(&ds).await["lastUpdated"].as_i64().unwrap();
    c.upload(&ds, &["7,g\n"], "APPEND").await;
    assert_eq!(c.dataset(&ds).await["rowCount"], 7);
    let r = c.upload(&ds, &["9,z\n"], "REPLACE").await;
    assert_eq!(r["rowCount"], 1);
    let d = c.dataset(&ds).await;
    assert_eq!(d["rowCount"], 1);
    assert!(d["lastUpdated"].as_i64().unwrap() >= before);
    assert_eq!(c.export(&ds, true).await, "k,v\n9,z\n");

    let v = versions(&c, &ds).await;
    assert_eq!(v.len(), 3);
    let actions: Vec<&str> = v.iter().map(|x| x["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["APPEND", "APPEND", "REPLACE"]);
    assert_eq!(v[0]["dataVersionId"], commit["dataVersionId"]);
    assert_eq!(v[0]["rowCount"], 6);
    assert_eq!(v[0]["status"], "SUCCESS");
    assert_eq!(v[0]["schemaId"], 1);
    assert_eq!(v[0]["dataSourceId"], ds.as_str());
    assert!(v[0]["datetimeRecorded"].as_i64().unwrap() > 1_600_000_000_000);
    assert!(v[0]["sizeBytes"].as_i64().unwrap() > 0);

    // Empty commits: APPEND is a no-op; a REPLACE with no parts is refused
    // (it would empty the dataset by accident), and one empty part is the
    // explicit way to replace with nothing. Both commits are versions.
    let up = c.start_upload(&ds).await;
    c.commit(&ds, up, &json!({"action": "APPEND"}))
        .await
        .ok_json();
    assert_eq!(c.dataset(&ds).await["rowCount"], 1);
    let up = c.start_upload(&ds).await;
    let msg = c
        .commit(&ds, up, &json!({"action": "REPLACE"}))
        .await
        .expect_error(400);
    assert!(
        msg.contains("no parts") && msg.contains("one empty part"),
        "{msg}"
    );
    assert_eq!(c.dataset(&ds).await["rowCount"], 1);
    assert_eq!(versions(&c, &ds).await.len(), 4);
    c.put_part(&ds, up, 1, b"").await.ok_json();
    let r = c
        .commit(&ds, up, &json!({"action": "REPLACE"}))
        .await
        .ok_json();
    assert_eq!(r["rowCount"], 0);
    assert_eq!(c.dataset(&ds).await["rowCount"], 0);
    assert_eq!(versions(&c, &ds).await.len(), 5);
}

#[tokio::test]
async fn a_bad_row_names_part_row_and_column_and_changes_nothing() {
    let (_emu, c) = start_default().await;
    let (ds, _) = c
        .create_dataset("Strict", &[("id", "LONG"), ("when", "DATE")])
        .await;
    c.upload(&ds, &["1,2024-01-01\n"], "APPEND").await;
    let before = c.dataset(&ds).await;

    for (action, parts, needles) in [
        (
            "APPEND",
            vec![
                "2,2024-01-02\n",
                "3,2024-01-03\n4,2024-01-04\nfive,2024-01-05\n",
            ],
            vec!["part 2", "row 3", "`id`", "five"],
        ),
        (
            "REPLACE",
            vec!["2,2024-02-30\n"],
            vec!["part 1", "row 1", "`when`", "2024-02-30"],
        ),
        (
            "REPLACE",
            vec!["2,2024-01-01\n3\n"],
            vec!["part 1", "row 2", "has 1 values, expected 2"],
        ),
        (
            "APPEND",
            vec!["\"2,2024-01-01\n"],
            vec!["part 1", "row 1", "not closed"],
        ),
    ] {
        let up = c.start_upload(&ds).await;
        for (i, p) in parts.iter().enumerate() {
            c.put_part(&ds, up, i as i64 + 1, p.as_bytes())
                .await
                .ok_json();
        }
        let msg = c
            .commit(&ds, up, &json!({"action": action}))
            .await
            .expect_error(400);
        for n in needles {
            assert!(msg.contains(n), "`{n}` missing from: {msg}");
        }
        assert_eq!(c.export(&ds, false).await, "1,2024-01-01\n");
        let after = c.dataset(&ds).await;
        assert_eq!(after["rowCount"], before["rowCount"]);
        assert_eq!(after["lastUpdated"], before["lastUpdated"]);
        assert_eq!(versions(&c, &ds).await.len(), 1);
    }

    // A failed commit leaves the upload open: fix the part and commit again.
    let up = c.start_upload(&ds).await;
    c.put_part(&ds, up, 1, b"x,2024-01-01\n").await.ok_json();
    c.commit(&ds, up, &json!({"action": "APPEND"}))
        .await
        .expect_error(400);
    c.put_part(&ds, up, 1, b"2,2024-01-02\n").await.ok_json();
    c.commit(&ds, up, &json!({"action": "APPEND"}))
        .await
        .ok_json();
    assert_eq!(c.export(&ds, false).await, "1,2024-01-01\n2,2024-01-02\n");
}

#[tokio::test]
async fn commit_errors_conflicts_and_gaps() {
    let (_emu, c) = start_default().await;
    let (ds, _) = c.create_dataset("C", &[("k", "LONG")]).await;
    let (other, _) = c.create_dataset("D", &[("k", "LONG")]).await;

    let up = c.start_upload(&ds).await;
    c.put_part(&ds, up, 1, b"1\n").await.ok_json();
    c.put_part(&ds, up, 3, b"3\n").await.ok_json();
    let msg = c
        .commit(&ds, up, &json!({"action": "APPEND"}))
        .await
        .expect_error(400);
    assert!(msg.contains("part 2 is missing"), "{msg}");
    c.put_part(&ds, up, 2, b"2\n").await.ok_json();

    // Another dataset's upload id is unknown there.
    c.commit(&other, up, &json!({"action": "APPEND"}))
        .await
        .expect_error(404);
    c.put_part(&other, up, 1, b"1\n").await.expect_error(404);
    c.commit(&ds, 999_999, &json!({"action": "APPEND"}))
        .await
        .expect_error(404);
    c.put_part(&ds, up, 0, b"1\n").await.expect_error(400);
    let msg = c
        .commit(&ds, up, &json!({"action": "MERGE"}))
        .await
        .expect_error(400);
    assert!(msg.contains("MERGE"));
    let msg = c
        .commit(&ds, up, &json!({"index": "yes"}))
        .await
        .expect_error(400);
    assert!(msg.contains("index"), "{msg}");

    c.commit(&ds, up, &json!({"action": "APPEND"}))
        .await
        .ok_json();
    let msg = c
        .commit(&ds, up, &json!({"action": "APPEND"}))
        .await
        .expect_error(409);
    assert!(msg.contains("already committed"), "{msg}");
    c.put_part(&ds, up, 4, b"4\n").await.expect_error(409);
    assert_eq!(c.dataset(&ds).await["rowCount"], 3);
}

#[tokio::test]
async fn gzip_parts_and_parallel_puts() {
    let (_emu, c) = start_default().await;
    let (ds, _) = c
        .create_dataset("G", &[("n", "LONG"), ("s", "STRING")])
        .await;
    let up = c.start_upload(&ds).await;
    let mut expected = String::new();
    let mut parts = Vec::new();
    for p in 0..4 {
        let mut text = String::new();
        for i in 0..5000 {
            text.push_str(&format!("{},\"row {p}-{i}, quoted\"\n", p * 5000 + i));
        }
        expected.push_str(&text);
        parts.push(text);
    }
    let mut tasks = Vec::new();
    for (i, text) in parts.into_iter().enumerate() {
        let c = c.clone();
        let ds = ds.clone();
        tasks.push(tokio::spawn(async move {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            enc.write_all(text.as_bytes()).unwrap();
            let gz = enc.finish().unwrap();
            let path = format!("/api/data/v3/datasources/{ds}/uploads/{up}/parts/{}", i + 1);
            let r = c
                .send(
                    Method::PUT,
                    &path,
                    Some(gz),
                    &[("content-type", "text/csv"), ("content-encoding", "gzip")],
                )
                .await;
            assert_eq!(r.ok_json()["sizeBytes"], text.len());
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(
        c.commit(&ds, up, &json!({"action": "REPLACE"}))
            .await
            .ok_json()["rowCount"],
        20_000
    );
    assert_eq!(c.export(&ds, false).await, expected);

    let up = c.start_upload(&ds).await;
    let path = format!("/api/data/v3/datasources/{ds}/uploads/{up}/parts/1");
    let r = c
        .send(
            Method::PUT,
            &path,
            Some(b"not gzip".to_vec()),
            &[("content-encoding", "gzip")],
        )
        .await;
    assert!(r.expect_error(400).contains("gzip"));
}

/// Canonical values come back byte for byte: quoting, empty strings, nulls,
/// exact decimals, normalised dates, multi-line strings.
const CANONICAL: &str = "plain,1,1.5,10.10,2024-02-29,2024-02-29T23:59:59\n\
\"comma, inside\",-42,0.1,-0.000001,1999-12-31,1999-12-31T00:00:00\n\
\"quote \"\"q\"\" and\nnewline\",9223372036854775807,1e-7,123456789012345678901234567890.123456789,2000-01-01,2000-01-01T12:00:00\n\
\"\",\\N,\\N,\\N,\\N,\\N\n\
\\N,0,-2.5,0,2024-01-01,2024-01-01T01:02:03\n\
\"\\N\",7,3,7.0,2024-01-02,2024-01-02T00:00:00\n";

#[tokio::test]
async fn csv_export_round_trips_canonical_values() {
    let (_emu, c) = start_default().await;
    let (ds, _) = c.create_dataset("Round trip", &COLS).await;
    c.upload(&ds, &[CANONICAL], "REPLACE").await;
    let header = "name,qty,ratio,amount,day,at\n";
    // 1e-7 is written by Rust's `{}` as 0.0000001.
    let expected = CANONICAL.replace("1e-7", "0.0000001");
    assert_eq!(c.export(&ds, false).await, expected);
    assert_eq!(c.export(&ds, true).await, format!("{header}{expected}"));
    let r = c
        .get(&format!("/api/data/v3/datasources/{ds}/data?format=csv"))
        .await;
    assert_eq!(r.text(), format!("{header}{expected}"));

    // Non-canonical input is normalised on the way in.
    let (ds2, _) = c.create_dataset("Normalise", &COLS).await;
    c.upload(
        &ds2,
        &["x, 5 ,2.50,+3,2024-03-04,2024-03-04 05:06:07.890Z\r\ny,,,,,\r\n"],
        "APPEND",
    )
    .await;
    assert_eq!(
        c.export(&ds2, false).await,
        "x,5,2.5,+3,2024-03-04,2024-03-04T05:06:07\ny,\\N,\\N,\\N,\\N,\\N\n"
    );
}

#[tokio::test]
async fn json_data_pages_and_filters() {
    let (_emu, c) = start_default().await;
    let (ds, _) = c
        .create_dataset(
            "Pages",
            &[
                ("n", "LONG"),
                ("half", "DOUBLE"),
                ("tag", "STRING"),
                ("d", "DECIMAL"),
            ],
        )
        .await;
    let mut csv = String::new();
    for i in 1..=25 {
        let tag = if i % 2 == 0 { "even" } else { "odd" };
        csv.push_str(&format!("{i},{},{tag},{i}.5\n", i as f64 / 2.0));
    }
    c.upload(&ds, &[&csv], "APPEND").await;
    let p = c
        .get(&format!(
            "/api/data/v3/datasources/{ds}/data?offset=10&limit=5"
        ))
        .await
        .ok_json();
    assert_eq!(p["columns"], json!(["n", "half", "tag", "d"]));
    assert_eq!(p["rows"].as_array().unwrap().len(), 5);
    assert_eq!(p["rows"][0], json!([11, 5.5, "odd", 11.5]));
    let all = c
        .get(&format!("/api/data/v3/datasources/{ds}/data"))
        .await
        .ok_json();
    assert_eq!(all["rows"].as_array().unwrap().len(), 25);
    let past = c
        .get(&format!("/api/data/v3/datasources/{ds}/data?offset=100"))
        .await
        .ok_json();
    assert_eq!(past["rows"], json!([]));

    let f = c
        .get(&format!(
            "/api/data/v3/datasources/{ds}/data?filter=tag%20%3D%20%27even%27,n%3E%3D10"
        ))
        .await
        .ok_json();
    let ns: Vec<i64> = f["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[0].as_i64().unwrap())
        .collect();
    assert_eq!(ns, vec![10, 12, 14, 16, 18, 20, 22, 24]);
    let f = c
        .get(&format!(
            "/api/data/v3/datasources/{ds}/data?filter=d%3C3&format=csv"
        ))
        .await;
    assert_eq!(f.text(), "n,half,tag,d\n1,0.5,odd,1.5\n2,1,even,2.5\n");
    let f = c
        .get(&format!(
            "/api/data/v3/datasources/{ds}/data?format=csv&offset=23&limit=5"
        ))
        .await;
    assert_eq!(
        f.text(),
        "n,half,tag,d\n24,12,even,24.5\n25,12.5,odd,25.5\n"
    );

    let msg = c
        .get(&format!(
            "/api/data/v3/datasources/{ds}/data?filter=nope%3D1"
        ))
        .await
        .expect_error(400);
    assert!(msg.contains("nope"), "{msg}");
    let msg = c
        .get(&format!(
            "/api/data/v3/datasources/{ds}/data?filter=n%3Dabc"
        ))
        .await
        .expect_error(400);
    assert!(msg.contains("number"), "{msg}");
    let msg = c
        .get(&format!("/api/data/v3/datasources/{ds}/data?limit=-1"))
        .await
        .expect_error(400);
    assert!(msg.contains("limit"), "{msg}");
}

#[tokio::test]
async fn append_row_tags_and_indexes() {
    let (_emu, c) = start_default().await;
    let (ds, _) = c
        .create_dataset("Rows", &[("a", "STRING"), ("b", "LONG")])
        .await;
    let r = c
        .post(
            &format!("/api/data/v3/datasources/{ds}/uploads"),
            &json!({"values": "\"x,y\",3", "delimiter": ","}),
        )
        .await;
    assert_eq!(r.ok_json(), json!({}));
    let r = c
        .post(
            &format!("/api/data/v3/datasources/{ds}/uploads"),
            &json!({"values": "z|4", "delimiter": "|"}),
        )
        .await;
    r.ok_json();
    let msg = c
        .post(
            &format!("/api/data/v3/datasources/{ds}/uploads"),
            &json!({"values": "q,notanumber"}),
        )
        .await
        .expect_error(400);
    assert!(msg.contains("`b`") && msg.contains("row 1"), "{msg}");
    assert_eq!(c.export(&ds, false).await, "\"x,y\",3\nz,4\n");
    assert_eq!(c.dataset(&ds).await["rowCount"], 2);

    let path = format!("/api/data/ui/v3/datasources/{ds}/tags");
    let r = c.post(&path, &json!(["finance", "q1"])).await;
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());
    assert_eq!(c.dataset(&ds).await["tags"], "[\"finance\",\"q1\"]");
    assert_eq!(c.post(&path, &json!(["ops"])).await.status, 200);
    let tags: Vec<String> =
        serde_json::from_str(c.dataset(&ds).await["tags"].as_str().unwrap()).unwrap();
    assert_eq!(tags, ["ops"]);
    c.post(&path, &json!({"tag": "x"})).await.expect_error(400);

    let idx = c
        .post(
            &format!("/api/data/v3/datasources/{ds}/indexes"),
            &json!({"dataIds": []}),
        )
        .await
        .ok_json();
    assert_eq!(idx["status"], "QUEUED");
    let id = idx["indexId"].as_i64().unwrap();
    let st = c
        .get(&format!(
            "/api/data/v3/datasources/{ds}/indexes/{id}/statuses"
        ))
        .await
        .ok_json();
    assert_eq!(
        st,
        json!({"indexId": id, "status": "SUCCESS", "dataSourceId": ds})
    );
    c.get(&format!(
        "/api/data/v3/datasources/{ds}/indexes/12345/statuses"
    ))
    .await
    .expect_error(404);
}

#[tokio::test]
async fn demo_dataset_has_every_type() {
    let mut cfg = domo_emulator::EmulatorConfig::ephemeral();
    cfg.demo = true;
    let (emu, c) = common::start(cfg).await;
    let id = emu.demo_dataset_id().unwrap().to_owned();
    assert_eq!(id, domo_emulator::DEMO_DATASET_ID);
    let d = c.dataset(&id).await;
    assert_eq!(d["name"], "Demo Sales");
    assert_eq!(d["rowCount"], 500);
    let s = c
        .get(&format!("/api/data/v3/datasources/{id}/schema"))
        .await
        .ok_json();
    let types: Vec<&str> = s["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        ["STRING", "LONG", "DOUBLE", "DECIMAL", "DATE", "DATETIME"]
    );
    let csv = c.export(&id, false).await;
    assert!(csv.contains("\\N"));
    // Deterministic: a second emulator produces the same export.
    let mut cfg = domo_emulator::EmulatorConfig::ephemeral();
    cfg.demo = true;
    let (_emu2, c2) = common::start(cfg).await;
    assert_eq!(c2.export(&id, false).await, csv);
}
