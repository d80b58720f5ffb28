//! SQL, confinement, permissions, partitions, persistence, faults, limits, CORS.

mod common;

use common::{Client, start, start_default};
use domo_emulator::EmulatorConfig;
use reqwest::Method;
use serde_json::{Value, json};

async fn sales(c: &Client) -> String {
    let (ds, _) = c
        .create_dataset(
            "Sales",
            &[
                ("region", "STRING"),
                ("units", "LONG"),
                ("price", "DOUBLE"),
                ("amount", "DECIMAL"),
                ("day", "DATE"),
            ],
        )
        .await;
    c.upload(
        &ds,
        &["north,3,1.5,10.25,2024-01-01\nsouth,5,2.0,5.50,2024-01-02\nnorth,2,3.25,100.10,2024-01-03\n", "east,1,0.5,0.05,2024-02-01\nsouth,,,,\n"],
        "APPEND",
    )
    .await;
    ds
}

#[tokio::test]
async fn sql_selects_aggregates_and_groups() {
    let (_emu, c) = start_default().await;
    let ds = sales(&c).await;
    let r = c.sql(&ds, "SELECT * FROM table").await.ok_json();
    assert_eq!(r["datasource"], ds.as_str());
    assert_eq!(
        r["columns"],
        json!(["region", "units", "price", "amount", "day"])
    );
    assert_eq!(r["numRows"], 5);
    assert_eq!(r["numColumns"], 5);
    assert_eq!(r["fromcache"], false);
    let types: Vec<&str> = r["metadata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["STRING", "LONG", "DOUBLE", "DECIMAL", "DATE"]);
    assert_eq!(r["metadata"][0]["dataSourceId"], ds.as_str());
    assert_eq!(r["rows"][0], json!(["north", 3, 1.5, 10.25, "2024-01-01"]));
    assert_eq!(r["rows"][4], json!(["south", null, null, null, null]));

    let r = c
        .sql(&ds, "SELECT region, SUM(units) AS total, COUNT(*) AS n, MAX(amount) AS top FROM table WHERE units IS NOT NULL GROUP BY region ORDER BY total DESC, region")
        .await
        .ok_json();
    assert_eq!(
        r["rows"],
        json!([
            ["north", 5, 2, 100.1],
            ["south", 5, 1, 5.5],
            ["east", 1, 1, 0.05]
        ])
    );
    let types: Vec<&str> = r["metadata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["type"].as_str().unwrap())
        .collect();
    // Computed columns take their type from their values: the MAX of a
    // DECIMAL column is a DECIMAL, as in MySQL.
    assert_eq!(types, ["STRING", "LONG", "LONG", "DECIMAL"]);

    let r = c
        .sql(
            &ds,
            "select avg(price) as p from \"table\" where amount > 5 and day < '2024-02-01'",
        )
        .await
        .ok_json();
    assert_eq!(r["rows"], json!([[2.25]]));
    assert_eq!(r["metadata"][0]["type"], "DOUBLE");
    let r = c
        .sql(&ds, "SELECT region FROM table LIMIT 2 OFFSET 1")
        .await
        .ok_json();
    assert_eq!(r["rows"], json!([["south"], ["north"]]));
    let r = c.sql(&ds, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3) SELECT i FROM n;").await.ok_json();
    assert_eq!(r["rows"], json!([[1], [2], [3]]));

    let msg = c.sql(&ds, "SELEC 1").await.expect_error(400);
    assert!(msg.contains("syntax error"), "{msg}");
    let msg = c.sql(&ds, "SELECT nope FROM table").await.expect_error(400);
    assert!(msg.contains("nope"), "{msg}");
}

#[tokio::test]
async fn sql_is_confined_to_one_dataset() {
    let (_emu, c) = start_default().await;
    let ds = sales(&c).await;
    let other = sales(&c).await;
    // The other dataset's physical table name is ds_<n>; try its neighbours.
    for (sql, needle) in [
        ("SELECT * FROM sqlite_master", "sqlite_master"),
        ("SELECT * FROM sqlite_schema", "sqlite"),
        ("SELECT * FROM datasets", "datasets"),
        ("SELECT * FROM permissions", "permissions"),
        ("SELECT * FROM ds_2", "ds_2"),
        ("SELECT * FROM main.ds_2", "ds_2"),
        // The dataset's own row table is read only through `table`, which
        // is where row policies apply.
        ("SELECT __domo_partition__ FROM ds_1", "directly"),
        ("SELECT * FROM ds_1", "directly"),
        ("SELECT COUNT(*) FROM main.ds_1", "directly"),
        ("SELECT __domo_partition__ FROM table", "no such column"),
        ("PRAGMA table_info(datasets)", "PRAGMA"),
        ("SELECT * FROM pragma_table_list", "pragma_table_list"),
        ("ATTACH DATABASE '/tmp/x.db' AS x", "ATTACH"),
        ("INSERT INTO table (region) VALUES ('x')", "INSERT"),
        ("DELETE FROM table", "DELETE"),
        ("UPDATE table SET units = 0", "UPDATE"),
        ("DROP TABLE ds_1", "DROP"),
        ("CREATE TABLE t (a)", "CREATE"),
        ("WITH x AS (SELECT 1) DELETE FROM table", "read-only"),
        ("SELECT * FROM (SELECT * FROM ds_2)", "ds_2"),
        (
            "WITH t AS (SELECT * FROM data_versions) SELECT * FROM t",
            "data_versions",
        ),
        ("SELECT (SELECT COUNT(*) FROM ds_2)", "ds_2"),
        ("SELECT 1; SELECT 2", "single SELECT"),
        ("SELECT 1; DELETE FROM table", "single SELECT"),
        ("SELECT load_extension('x')", "load_extension"),
        ("BEGIN", "BEGIN"),
        ("VACUUM", "VACUUM"),
    ] {
        let msg = c.sql(&ds, sql).await.expect_error(400);
        assert!(msg.contains(needle), "{sql}: {msg}");
    }
    // Datasets 1 and 2 are `ds` and `other`; both still intact afterwards.
    let a = c.sql(&ds, "SELECT COUNT(*) FROM table").await.ok_json();
    let b = c.sql(&other, "SELECT COUNT(*) FROM table").await.ok_json();
    assert_eq!(
        (a["rows"].clone(), b["rows"].clone()),
        (json!([[5]]), json!([[5]]))
    );
}

#[tokio::test]
async fn sql_runaway_queries_are_stopped() {
    let clock = domo_emulator::ManualClock::at_system_time();
    let mut cfg = EmulatorConfig::ephemeral();
    cfg.query_timeout = std::time::Duration::from_millis(300);
    cfg.clock = clock.clock();
    let (_emu, c) = start(cfg).await;
    let ds = sales(&c).await;
    let runaway = {
        let (c, ds) = (c.clone(), ds.clone());
        tokio::spawn(async move {
            c.sql(&ds, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT COUNT(*) FROM n")
                .await
                .expect_error(400)
        })
    };
    clock.wait_for(domo_emulator::Timer::Query, 1).await;
    clock.advance(std::time::Duration::from_millis(300));
    let msg = runaway.await.unwrap();
    assert!(msg.contains("time limit of 0.3 s"), "{msg}");
    c.sql(&ds, "SELECT 1").await.ok_json();
}

fn tokens() -> EmulatorConfig {
    EmulatorConfig::ephemeral()
        .with_token("admin", 1)
        .with_token("bob", 2)
        .with_token("carol", 3)
}

#[tokio::test]
async fn authentication_is_required() {
    let (_emu, admin) = start(tokens()).await;
    let c = admin.as_token("admin");
    let (ds, _) = c.create_dataset("A", &[("x", "LONG")]).await;
    let path = format!("/api/data/v3/datasources/{ds}");
    let msg = c.as_token("").get(&path).await.expect_error(401);
    assert!(msg.contains("X-DOMO-Developer-Token"), "{msg}");
    c.as_token("wrong").get(&path).await.expect_error(401);
    // dev-token is only the default when no tokens are configured.
    c.as_token("dev-token").get(&path).await.expect_error(401);
    for header in ["X-DOMO-Authentication", "X-DOMO-Ryuu-Session"] {
        let r = c
            .as_token("")
            .send(Method::GET, &path, None, &[(header, "admin")])
            .await;
        assert_eq!(r.ok_json()["id"], ds.as_str(), "{header}");
    }
}

#[tokio::test]
async fn permissions_are_enforced_per_level() {
    let (_emu, base) = start(tokens()).await;
    let admin = base.as_token("admin");
    let bob = base.as_token("bob");
    let carol = base.as_token("carol");
    // Bob creates (and owns) a dataset; carol has no entry.
    let (ds, sid) = bob.create_dataset("Bob's", &[("x", "LONG")]).await;
    bob.upload(&ds, &["1\n"], "APPEND").await;
    let perms = bob
        .get(&format!("/api/data/v3/datasources/{ds}/permissions"))
        .await
        .ok_json();
    assert_eq!(
        perms,
        json!({"list": [{"type": "USER", "id": "2", "accessLevel": "OWNER", "name": "User 2"}], "totalUserCount": 1, "totalGroupCount": 0})
    );

    let up_path = format!("/api/data/v3/datasources/{ds}/uploads");
    let reads = [
        format!("/api/data/v3/datasources/{ds}"),
        format!("/api/data/v3/datasources/{ds}/data"),
        format!("/api/data/v3/datasources/{ds}/schema"),
        format!("/api/data/v2/datasources/{ds}/dataversions/latest"),
        format!("/api/data/v3/datasources/{ds}/permissions"),
        format!("/api/query/v1/datasources/{ds}/partition"),
        format!("/api/data/v1/streams/{sid}"),
        format!("/api/data/v1/streams/{sid}/history/aggregate"),
    ];
    for p in &reads {
        carol.get(p).await.expect_error(403);
    }
    carol.sql(&ds, "SELECT 1").await.expect_error(403);
    carol.post(&up_path, &json!({})).await.expect_error(403);
    carol
        .post(
            &format!("/api/data/v1/streams/{sid}/executions"),
            &json!({}),
        )
        .await
        .expect_error(403);
    assert_eq!(
        carol
            .get(&format!("/api/data/v1/streams/search?q=dataSource.id:{ds}"))
            .await
            .ok_json(),
        json!([])
    );
    // Unknown dataset is 404, not 403.
    carol
        .get("/api/data/v3/datasources/00000000-0000-0000-0000-000000000000")
        .await
        .expect_error(404);
    // The administrator sees and does everything.
    admin.get(&reads[0]).await.ok_json();
    admin.upload(&ds, &["2\n"], "APPEND").await;

    let share = |level: &str| json!({"permissions": [{"type": "USER", "id": 3, "accessLevel": level}], "sendEmail": false});
    let share_path = format!("/api/data/v3/datasources/{ds}/share");
    let r = bob.post(&share_path, &share("CAN_SHARE")).await;
    assert_eq!((r.status.as_u16(), r.body.len()), (200, 0));
    for p in &reads {
        carol.get(p).await.ok_status();
    }
    carol.post(&up_path, &json!({})).await.expect_error(403);
    carol
        .post(&share_path, &share("CAN_SHARE"))
        .await
        .ok_status();

    bob.post(&share_path, &share("CAN_EDIT")).await.ok_status();
    carol.upload(&ds, &["3\n"], "APPEND").await;
    carol
        .post(&share_path, &share("CAN_SHARE"))
        .await
        .expect_error(403);

    bob.post(&share_path, &share("CO_OWNER")).await.ok_status();
    carol.upload(&ds, &["4\n"], "APPEND").await;
    carol
        .post(
            &format!("/api/data/ui/v3/datasources/{ds}/tags"),
            &json!(["t"]),
        )
        .await
        .ok_status();
    carol
        .post(&share_path, &share("CO_OWNER"))
        .await
        .ok_status();

    let msg = bob
        .post(&share_path, &share("READ"))
        .await
        .expect_error(400);
    assert!(
        msg.contains("permissions[0]") && msg.contains("READ"),
        "{msg}"
    );
    let perms = bob
        .get(&format!("/api/data/v3/datasources/{ds}/permissions"))
        .await
        .ok_json();
    assert_eq!(
        perms["list"][1],
        json!({"type": "USER", "id": "3", "accessLevel": "CO_OWNER", "name": "User 3"})
    );

    // The last OWNER cannot be removed; revoke takes effect at once.
    let msg = carol
        .send(
            Method::DELETE,
            &format!("/api/data/v3/datasources/{ds}/USERS/2"),
            None,
            &[],
        )
        .await
        .expect_error(403);
    assert!(msg.contains("OWNER"), "{msg}");
    let r = bob
        .send(
            Method::DELETE,
            &format!("/api/data/v3/datasources/{ds}/permissions/USER/3"),
            None,
            &[],
        )
        .await;
    assert_eq!((r.status.as_u16(), r.body.len()), (200, 0));
    assert_eq!(r.headers["content-length"], "0");
    carol.get(&reads[0]).await.expect_error(403);

    // Remove many with a DELETE body; groups are listed and counted.
    bob.post(&share_path, &json!({"permissions": [{"type": "USER", "id": "3", "accessLevel": "CAN_EDIT"}, {"type": "GROUP", "id": 77, "accessLevel": "CAN_SHARE"}]})).await.ok_status();
    let perms = bob
        .get(&format!("/api/data/v3/datasources/{ds}/permissions"))
        .await
        .ok_json();
    assert_eq!(
        (
            perms["totalUserCount"].clone(),
            perms["totalGroupCount"].clone()
        ),
        (json!(2), json!(1))
    );
    let body =
        serde_json::to_vec(&json!([{"id": 3, "type": "USER"}, {"id": "77", "type": "GROUP"}]))
            .unwrap();
    let r = bob
        .send(
            Method::DELETE,
            &format!("/api/data/v3/datasources/{ds}/users"),
            Some(body),
            &[("content-type", "application/json")],
        )
        .await;
    assert_eq!(r.status, 200);
    let perms = bob
        .get(&format!("/api/data/v3/datasources/{ds}/permissions"))
        .await
        .ok_json();
    assert_eq!(perms["list"].as_array().unwrap().len(), 1);
    carol.get(&reads[0]).await.expect_error(403);
    assert_eq!(bob.export(&ds, false).await, "1\n2\n3\n4\n");
}

#[tokio::test]
async fn partitions_by_data_tag() {
    let (_emu, c) = start_default().await;
    let (ds, _) = c
        .create_dataset("Parted", &[("day", "DATE"), ("n", "LONG")])
        .await;
    let commit_tag = |tag: &'static str, rows: &'static str, action: &'static str| {
        let c = c.clone();
        let ds = ds.clone();
        async move {
            let up = c.start_upload(&ds).await;
            c.put_part(&ds, up, 1, rows.as_bytes()).await.ok_json();
            c.commit(
                &ds,
                up,
                &json!({"action": action, "index": false, "dataTag": tag, "appendId": "latest"}),
            )
            .await
            .ok_json()
        }
    };
    commit_tag("2024-01-01", "2024-01-01,1\n2024-01-01,2\n", "APPEND").await;
    commit_tag("2024-01-02", "2024-01-02,3\n", "APPEND").await;
    commit_tag(
        "2024-01-03",
        "2024-01-03,4\n2024-01-03,5\n2024-01-03,6\n",
        "APPEND",
    )
    .await;
    // Untagged rows live outside every partition.
    c.upload(&ds, &["2023-12-31,0\n"], "APPEND").await;
    // REPLACE with a tag replaces only that partition.
    let v = commit_tag("2024-01-01", "2024-01-01,10\n", "REPLACE").await;
    assert_eq!(c.dataset(&ds).await["rowCount"], 6);

    let base = format!("/api/query/v1/datasources/{ds}");
    let all = c.get(&format!("{base}/partition")).await.ok_json();
    assert_eq!(all.as_array().unwrap().len(), 3);
    let first = &all[0];
    assert_eq!(
        first["partitionId"], "2024-01-01",
        "most recently completed first"
    );
    assert_eq!(first["rowCount"], 1);
    assert_eq!(first["status"], "SUCCESS");
    assert_eq!(first["dataVersionId"], v["dataVersionId"]);
    assert!(first["dateCompleted"].as_i64().unwrap() > 1_600_000_000_000);

    let page = |limit: u64, offset: u64| json!({"paginationFields": [{"fieldName": "datecompleted", "sortOrder": "DESC", "filterValues": {"MIN": null, "MAX": null}}], "limit": limit, "offset": offset});
    let ids = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|p| p["partitionId"].as_str().unwrap().to_owned())
            .collect()
    };
    let p1 = c
        .post(&format!("{base}/partition/list"), &page(2, 0))
        .await
        .ok_json();
    let p2 = c
        .post(&format!("{base}/partition/list"), &page(2, 2))
        .await
        .ok_json();
    let p3 = c
        .post(&format!("{base}/partition/list"), &page(2, 4))
        .await
        .ok_json();
    assert_eq!(ids(&p1), ["2024-01-01", "2024-01-03"]);
    assert_eq!(ids(&p2), ["2024-01-02"]);
    assert_eq!(p3, json!([]));

    let found = c
        .post(
            &format!("{base}/partition/search"),
            &json!({"filter": {"partitionId": "2024-01-03"}}),
        )
        .await
        .ok_json();
    assert_eq!(ids(&found), ["2024-01-03"]);
    assert_eq!(found[0]["rowCount"], 3);
    let found = c
        .post(
            &format!("{base}/partition/search"),
            &json!({"filter": {"rowCount": 1, "status": "SUCCESS"}}),
        )
        .await
        .ok_json();
    assert_eq!(ids(&found), ["2024-01-01", "2024-01-02"]);
    c.post(
        &format!("{base}/partition/search"),
        &json!({"filter": {"colour": "red"}}),
    )
    .await
    .expect_error(400);

    // Delete a partition's data: rows go, versions marked DELETED, tag stays.
    let r = c
        .send(
            Method::DELETE,
            &format!("{base}/tag/2024-01-03/data"),
            None,
            &[],
        )
        .await;
    assert_eq!((r.status.as_u16(), r.body.len()), (200, 0));
    assert_eq!(c.dataset(&ds).await["rowCount"], 3);
    let found = c
        .post(
            &format!("{base}/partition/search"),
            &json!({"filter": {"partitionId": "2024-01-03"}}),
        )
        .await
        .ok_json();
    assert_eq!(found[0]["rowCount"], 0);
    let versions = c
        .get(&format!(
            "/api/data/v3/datasources/{ds}/dataversions/details"
        ))
        .await
        .ok_json();
    let v3: Vec<&Value> = versions
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["dataTag"] == "2024-01-03")
        .collect();
    assert_eq!(v3.len(), 1);
    assert_eq!(v3[0]["status"], "DELETED");

    // Drop a tag: gone from the list, with its rows.
    c.send(
        Method::DELETE,
        &format!("{base}/partition/2024-01-02"),
        None,
        &[],
    )
    .await
    .ok_status();
    assert_eq!(
        ids(&c.get(&format!("{base}/partition")).await.ok_json()),
        ["2024-01-01", "2024-01-03"]
    );
    assert_eq!(c.export(&ds, false).await, "2023-12-31,0\n2024-01-01,10\n");
    c.send(Method::DELETE, &format!("{base}/partition/nope"), None, &[])
        .await
        .expect_error(404);
    c.send(Method::DELETE, &format!("{base}/tag/nope/data"), None, &[])
        .await
        .expect_error(404);
}

#[tokio::test]
async fn at_most_400_partitions() {
    let (_emu, c) = start_default().await;
    let (ds, _) = c.create_dataset("Many", &[("n", "LONG")]).await;
    for i in 0..400 {
        let up = c.start_upload(&ds).await;
        c.commit(
            &ds,
            up,
            &json!({"action": "APPEND", "dataTag": format!("p{i}")}),
        )
        .await
        .ok_json();
    }
    let up = c.start_upload(&ds).await;
    let msg = c
        .commit(&ds, up, &json!({"action": "APPEND", "dataTag": "p400"}))
        .await
        .expect_error(400);
    assert!(msg.contains("400"), "{msg}");
    // An existing partition can still be written.
    c.commit(&ds, up, &json!({"action": "APPEND", "dataTag": "p7"}))
        .await
        .ok_json();
}

#[tokio::test]
async fn data_dir_survives_a_restart() {
    let dir = std::env::temp_dir().join(format!(
        "domo-emulator-test-{}-{}",
        std::process::id(),
        line!()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let mut cfg = EmulatorConfig::ephemeral();
    cfg.data_dir = Some(dir.clone());
    cfg.demo = true;
    let (emu, c) = start(cfg.clone()).await;
    let (ds, sid) = c
        .create_dataset("Kept", &[("s", "STRING"), ("d", "DECIMAL")])
        .await;
    c.upload(&ds, &["\"a,b\",1.10\n\"\",\\N\n"], "APPEND").await;
    c.post(
        &format!("/api/data/ui/v3/datasources/{ds}/tags"),
        &json!(["kept"]),
    )
    .await
    .ok_status();
    let up = c.start_upload(&ds).await;
    c.put_part(&ds, up, 1, b"z,2\n").await.ok_json();
    // Change the demo dataset: a restart must keep it as changed.
    c.upload(
        domo_emulator::DEMO_DATASET_ID,
        &["\\N,1,1,1,2024-01-01,2024-01-01T00:00:00\n"],
        "REPLACE",
    )
    .await;
    emu.shutdown().await;

    let (_emu, c) = start(cfg).await;
    assert_eq!(c.export(&ds, false).await, "\"a,b\",1.10\n\"\",\\N\n");
    let d = c.dataset(&ds).await;
    assert_eq!(
        (
            d["rowCount"].clone(),
            d["tags"].clone(),
            d["streamId"].clone()
        ),
        (json!(2), json!("[\"kept\"]"), json!(sid))
    );
    // A staged part survives too, and the upload can still be committed.
    c.commit(&ds, up, &json!({"action": "APPEND"}))
        .await
        .ok_json();
    assert_eq!(c.dataset(&ds).await["rowCount"], 3);
    assert_eq!(
        c.dataset(domo_emulator::DEMO_DATASET_ID).await["rowCount"],
        1
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn faults_rate_limit_every_request() {
    let mut cfg = EmulatorConfig::ephemeral();
    cfg.faults = "429=1.0,retry-after=3".parse().unwrap();
    let (_emu, c) = start(cfg).await;
    for _ in 0..5 {
        let r = c
            .post(
                "/api/data/v1/streams",
                &json!({"dataSource": {"name": "x"}}),
            )
            .await;
        r.expect_error(429);
        assert_eq!(r.headers["retry-after"], "3");
        assert_eq!(r.headers["access-control-allow-origin"], "*");
    }
    // Preflights are never faulted.
    let r = c
        .send(
            Method::OPTIONS,
            "/api/data/v1/streams",
            None,
            &[
                ("origin", "http://app"),
                ("access-control-request-method", "POST"),
            ],
        )
        .await;
    assert_eq!(r.status, 204);
}

#[tokio::test]
async fn faults_maintenance_page_and_reset() {
    let mut cfg = EmulatorConfig::ephemeral();
    cfg.faults = "503=1".parse().unwrap();
    let (_emu, c) = start(cfg).await;
    let r = c.get("/api/data/v3/datasources/x").await;
    assert_eq!(r.status, 503);
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        r.text()
            .contains("<title>Domo is down for maintenance</title>")
    );

    let mut cfg = EmulatorConfig::ephemeral();
    cfg.faults = "reset=1".parse().unwrap();
    let (emu, _) = start(cfg).await;
    let err = reqwest::Client::new()
        .get(format!("{}/api/data/v3/datasources/x", emu.url()))
        .header("X-DOMO-Developer-Token", "dev-token")
        .send()
        .await;
    assert!(
        err.is_err(),
        "a reset must surface as a connection error: {err:?}"
    );

    // With a seed, about the configured share of requests is faulted, and
    // a faulted request changes nothing.
    let mut cfg = EmulatorConfig::ephemeral();
    cfg.faults = "429=0.5".parse().unwrap();
    cfg.fault_seed = 42;
    let (_emu, c) = start(cfg).await;
    let mut created = 0;
    let mut limited = 0;
    for _ in 0..40 {
        let r = c
            .post(
                "/api/data/v1/streams",
                &json!({"dataSource": {"name": "x"}}),
            )
            .await;
        match r.status.as_u16() {
            200 => created += 1,
            429 => limited += 1,
            s => panic!("unexpected {s}"),
        }
    }
    assert!((8..=32).contains(&limited), "{limited} of 40");
    assert_eq!(created + limited, 40);
}

#[tokio::test]
async fn bodies_over_the_limit_get_413() {
    let mut cfg = EmulatorConfig::ephemeral();
    cfg.max_body_bytes = 1024;
    let (_emu, c) = start(cfg).await;
    let (ds, _) = c.create_dataset("L", &[("s", "STRING")]).await;
    let up = c.start_upload(&ds).await;
    let r = c.put_part(&ds, up, 1, &vec![b'a'; 4096]).await;
    let msg = r.expect_error(413);
    assert!(msg.contains("1024"), "{msg}");
    c.put_part(&ds, up, 1, b"small\n").await.ok_json();
}

#[tokio::test]
async fn cors_preflight_and_headers() {
    let (_emu, c) = start_default().await;
    let r = c
        .as_token("")
        .send(
            Method::OPTIONS,
            "/api/data/v3/datasources/abc/uploads/1/parts/1",
            None,
            &[
                ("origin", "http://localhost:3000"),
                ("access-control-request-method", "PUT"),
                (
                    "access-control-request-headers",
                    "x-domo-developer-token,content-encoding",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(r.headers["access-control-allow-origin"], "*");
    let methods = r.headers["access-control-allow-methods"].to_str().unwrap();
    for m in ["GET", "POST", "PUT", "DELETE", "OPTIONS"] {
        assert!(methods.contains(m), "{methods}");
    }
    let allowed = r.headers["access-control-allow-headers"].to_str().unwrap();
    for h in [
        "content-type",
        "content-encoding",
        "accept",
        "x-domo-developer-token",
        "x-domo-authentication",
        "x-domo-ryuu-session",
        "x-domo-ryuu-token",
    ] {
        assert!(allowed.contains(h), "{allowed}");
    }
    assert!(
        r.headers["access-control-expose-headers"]
            .to_str()
            .unwrap()
            .contains("retry-after")
    );
    assert!(r.headers.contains_key("access-control-max-age"));
    // Errors carry the headers too.
    let r = c.as_token("").get("/api/data/v3/datasources/abc").await;
    r.expect_error(401);
    assert_eq!(r.headers["access-control-allow-origin"], "*");
    assert_eq!(r.headers["cross-origin-resource-policy"], "cross-origin");
}
