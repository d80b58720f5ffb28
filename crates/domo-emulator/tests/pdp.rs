//! Who sees which rows, over real sockets: row policies (PDP) on every
//! path that returns rows or counts, SQL that tries to escape them,
//! access tokens, password login, sharing that would escalate, and no
//! secret in the emulator's output.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{Client, Resp, start};
use domo_emulator::{DEMO_DATASET_ID, EmulatorConfig, GroupSpec, ManualClock, Password, UserSpec};
use reqwest::Method;
use serde_json::{Value, json};

const ADMIN: &str = "admin-token-0a1";
const EAST: &str = "east-token-7b2"; // user 7
const WEST: &str = "west-token-8c3"; // user 8
const GROUPIE: &str = "groupie-token-9d4"; // user 9, in group 3
const SHARER: &str = "sharer-token-10e5"; // user 10, Participant
const COOWNER: &str = "coowner-token-11f6"; // user 11
const PASSWORD: &str = "east-password-5521-x";

fn user(id: i64, email: &str, role: Option<&str>) -> UserSpec {
    UserSpec {
        id,
        email: email.into(),
        role: role.map(str::to_owned),
    }
}

fn config() -> EmulatorConfig {
    let mut c = EmulatorConfig::ephemeral();
    for (t, u) in [
        (ADMIN, 1),
        (EAST, 7),
        (WEST, 8),
        (GROUPIE, 9),
        (SHARER, 10),
        (COOWNER, 11),
    ] {
        c = c.with_token(t, u);
    }
    c.users = vec![
        user(7, "east@example.com", None),
        user(8, "west@example.com", None),
        user(9, "groupie@example.com", Some("Editor")),
        user(10, "sharer@example.com", Some("Participant")),
        user(11, "coowner@example.com", None),
    ];
    c.passwords = vec![(7, Password::new(PASSWORD))];
    c.groups = vec![GroupSpec {
        id: 3,
        name: "Sales".into(),
        members: vec![9],
    }];
    c
}

/// The demo dataset with an app whose manifest maps `demo` to it.
async fn with_app() -> (domo_emulator::RunningEmulator, Client, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "domo-emulator-pdp-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<html></html>").unwrap();
    std::fs::write(
        dir.join("manifest.json"),
        format!(r#"{{"mapping": [{{"alias": "demo", "dataSetId": "{DEMO_DATASET_ID}"}}]}}"#),
    )
    .unwrap();
    let mut c = config();
    c.demo = true;
    c.app_dir = Some(dir.clone());
    let (emu, _) = start(c).await;
    let admin = Client::new(emu.url(), ADMIN);
    (emu, admin, dir)
}

fn share_body(entries: &[(&str, &str, &str)]) -> Value {
    let list: Vec<Value> = entries
        .iter()
        .map(|(kind, id, level)| json!({"type": kind, "id": id, "accessLevel": level}))
        .collect();
    json!({"permissions": list, "sendEmail": false})
}

async fn share(c: &Client, ds: &str, entries: &[(&str, &str, &str)]) -> Resp {
    c.post(
        &format!("/api/data/v3/datasources/{ds}/share"),
        &share_body(entries),
    )
    .await
}

fn policies_path(ds: &str) -> String {
    format!("/api/query/v1/data-control/{ds}/filter-groups")
}

fn policy(ds: &str, name: &str, users: &[i64], groups: &[i64], params: Value) -> Value {
    json!({
        "name": name,
        "dataSourceId": ds,
        "userIds": users,
        "groupIds": groups,
        "virtualUserIds": [],
        "dataSourcePermissions": false,
        "parameters": params,
    })
}

fn column(name: &str, values: &[&str], operator: &str, ignore_case: bool) -> Value {
    json!([{"type": "COLUMN", "name": name, "values": values, "operator": operator, "ignoreCase": ignore_case}])
}

async fn create_policy(c: &Client, ds: &str, body: &Value) -> i64 {
    let v = c.post(&policies_path(ds), body).await.ok_json();
    v["filterGroupId"].as_i64().expect("a policy id")
}

async fn set_pdp(c: &Client, ds: &str, enabled: bool) -> Resp {
    c.json(
        Method::PUT,
        &format!("/api/query/v1/data-control/{ds}"),
        &json!({"enabled": enabled, "external": false}),
    )
    .await
}

async fn rows(c: &Client, ds: &str, sql: &str) -> Vec<Value> {
    c.sql(ds, sql).await.ok_json()["rows"]
        .as_array()
        .unwrap()
        .clone()
}

async fn scalar(c: &Client, ds: &str, sql: &str) -> f64 {
    let r = rows(c, ds, sql).await;
    r[0][0].as_f64().unwrap_or(0.0)
}

async fn text(c: &Client, path: &str, accept: &str) -> String {
    let r = c.send(Method::GET, path, None, &[("accept", accept)]).await;
    assert_eq!(r.status, 200, "{path}: {}", r.text());
    r.text()
}

/// Shares `ds` with user 7 at `level`, under a policy showing them only
/// the rows whose `region` is `east`, with PDP on.
async fn east_sees_only_east(admin: &Client, ds: &str, level: &str) {
    share(admin, ds, &[("USER", "7", level)]).await.ok_status();
    let only_east = column("region", &["east"], "EQUALS", false);
    create_policy(admin, ds, &policy(ds, "East", &[7], &[], only_east)).await;
    set_pdp(admin, ds, true).await.ok_json();
}

fn is_east(v: &Value) -> bool {
    v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("east"))
}

/// Every path that returns rows or counts shows a user under a policy
/// exactly the policy's rows: compared with the owner's full data
/// filtered directly.
#[tokio::test]
async fn every_row_path_shows_exactly_the_policys_rows() {
    let (_emu, admin, dir) = with_app().await;
    let ds = DEMO_DATASET_ID;
    share(
        &admin,
        ds,
        &[("USER", "7", "CAN_EDIT"), ("USER", "8", "CAN_EDIT")],
    )
    .await
    .ok_status();
    let east = admin.as_token(EAST);
    create_policy(
        &admin,
        ds,
        &policy(
            ds,
            "East",
            &[7],
            &[],
            column("Region", &["east"], "EQUALS", true),
        ),
    )
    .await;
    set_pdp(&admin, ds, true).await.ok_json();

    // SQL (JSON), every column.
    let all = rows(&admin, ds, "SELECT * FROM table").await;
    let expected: Vec<Value> = all.iter().filter(|r| is_east(&r[0])).cloned().collect();
    assert!(!expected.is_empty() && expected.len() < all.len());
    assert_eq!(rows(&east, ds, "SELECT * FROM table").await, expected);

    // `/data` as JSON.
    let data = |c: Client| async move {
        c.get(&format!("/api/data/v3/datasources/{ds}/data?limit=10000"))
            .await
            .ok_json()["rows"]
            .as_array()
            .unwrap()
            .clone()
    };
    let all_data = data(admin.clone()).await;
    let expected_data: Vec<Value> = all_data
        .iter()
        .filter(|r| is_east(&r[0]))
        .cloned()
        .collect();
    assert_eq!(data(east.clone()).await, expected_data);

    // The CSV forms: `/data?format=csv`, the v2 export.
    let east_lines = |csv: &str| -> Vec<String> {
        let mut lines = csv.lines();
        let header = lines.next().unwrap().to_owned();
        std::iter::once(header)
            .chain(
                lines
                    .filter(|l| l.to_ascii_lowercase().starts_with("east,"))
                    .map(str::to_owned),
            )
            .collect()
    };
    for path in [
        format!("/api/data/v3/datasources/{ds}/data?format=csv"),
        format!("/api/data/v2/datasources/{ds}/dataversions/latest?includeHeader=true"),
    ] {
        let full = text(&admin, &path, "text/csv").await;
        let mine = text(&east, &path, "text/csv").await;
        let mine: Vec<&str> = mine.lines().collect();
        assert_eq!(mine, east_lines(&full), "{path}");
    }
    // The CSV query route streams its rows; the policy applies there too.
    let csv_query = |c: Client| async move {
        let r = c
            .send(
                Method::POST,
                &format!("/api/query/v1/execute/export/{ds}?includeHeader=true"),
                Some(br#"{"sql": "SELECT * FROM table"}"#.to_vec()),
                &[("content-type", "application/json"), ("accept", "text/csv")],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        r.text()
    };
    let full = csv_query(admin.clone()).await;
    let mine = csv_query(east.clone()).await;
    assert_eq!(
        mine.lines().collect::<Vec<_>>(),
        east_lines(&full),
        "CSV query route"
    );

    // The custom app's `/data/v1` and `/sql/v1`.
    let app_rows = |c: Client, path: &'static str| async move {
        let r = if path.starts_with("/sql") {
            c.send(
                Method::POST,
                path,
                Some(b"SELECT * FROM demo".to_vec()),
                &[("content-type", "text/plain")],
            )
            .await
        } else {
            c.get(path).await
        };
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        r.json()
    };
    let full = app_rows(admin.clone(), "/data/v1/demo").await;
    let expected_app: Vec<Value> = full
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| is_east(&o["Region"]))
        .cloned()
        .collect();
    assert_eq!(
        app_rows(east.clone(), "/data/v1/demo").await,
        Value::Array(expected_app)
    );
    let full = app_rows(admin.clone(), "/sql/v1/demo").await;
    let mine = app_rows(east.clone(), "/sql/v1/demo").await;
    let expected_sql: Vec<Value> = full["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| is_east(&r[0]))
        .cloned()
        .collect();
    assert_eq!(mine["rows"], Value::Array(expected_sql));

    // Aggregates sum only the visible rows.
    let owner_sum = scalar(
        &admin,
        ds,
        "SELECT SUM(Units) FROM table WHERE lower(Region) = 'east'",
    )
    .await;
    assert_eq!(
        scalar(&east, ds, "SELECT SUM(Units) FROM table").await,
        owner_sum
    );

    // Counts: the dataset's rowCount is theirs; data versions withhold
    // theirs (they would reveal the hidden rows).
    let n = expected.len() as i64;
    assert_eq!(east.dataset(ds).await["rowCount"], n);
    assert_eq!(admin.dataset(ds).await["rowCount"], all.len() as i64);
    let versions = |c: Client| async move {
        c.get(&format!(
            "/api/data/v3/datasources/{ds}/dataversions/details"
        ))
        .await
        .ok_json()
    };
    let theirs = versions(east.clone()).await;
    assert!(theirs[0]["rowCount"].is_null(), "{theirs}");
    assert!(theirs[0]["sizeBytes"].is_null(), "{theirs}");
    assert_eq!(
        versions(admin.clone()).await[0]["rowCount"],
        all.len() as i64
    );

    // User 8, named by no policy, sees nothing anywhere.
    let west = admin.as_token(WEST);
    assert!(rows(&west, ds, "SELECT * FROM table").await.is_empty());
    assert_eq!(scalar(&west, ds, "SELECT COUNT(*) FROM table").await, 0.0);
    assert_eq!(west.dataset(ds).await["rowCount"], 0);
    assert!(data(west.clone()).await.is_empty());
    let csv = text(
        &west,
        &format!("/api/data/v2/datasources/{ds}/dataversions/latest?includeHeader=true"),
        "text/csv",
    )
    .await;
    assert_eq!(csv.lines().count(), 1, "only the header: {csv}");

    // Off again: full access.
    set_pdp(&admin, ds, false).await.ok_json();
    assert_eq!(rows(&west, ds, "SELECT * FROM table").await, all);
    assert_eq!(east.dataset(ds).await["rowCount"], all.len() as i64);
    let _ = std::fs::remove_dir_all(dir);
}

/// A sales dataset shared with 7, 8, 9 (CAN_EDIT) and 11 (CO_OWNER).
async fn sales(admin: &Client) -> String {
    let (ds, _) = admin
        .create_dataset(
            "Sales",
            &[("region", "STRING"), ("amount", "LONG"), ("note", "STRING")],
        )
        .await;
    admin
        .upload(
            &ds,
            &["east,10,a\nEast,20,b\nwest,100,c\nnorth,1000,d\nsouth,10000,e\n,100000,f\n"],
            "REPLACE",
        )
        .await;
    share(
        admin,
        &ds,
        &[
            ("USER", "7", "CAN_EDIT"),
            ("USER", "8", "CAN_EDIT"),
            ("USER", "9", "CAN_EDIT"),
            ("USER", "11", "CO_OWNER"),
        ],
    )
    .await
    .ok_status();
    ds
}

async fn total(c: &Client, ds: &str) -> i64 {
    scalar(c, ds, "SELECT COALESCE(SUM(amount), 0) FROM table").await as i64
}

#[tokio::test]
async fn unions_groups_operators_and_who_sees_everything() {
    let (emu, _) = start(config()).await;
    let admin = Client::new(emu.url(), ADMIN);
    let ds = sales(&admin).await;
    let (east, west, groupie, coowner) = (
        admin.as_token(EAST),
        admin.as_token(WEST),
        admin.as_token(GROUPIE),
        admin.as_token(COOWNER),
    );
    let everything = 111_130;
    assert_eq!(total(&east, &ds).await, everything);

    // Case-sensitive EQUALS: only `east`.
    let east_policy = create_policy(
        &admin,
        &ds,
        &policy(
            &ds,
            "East",
            &[7],
            &[],
            column("region", &["east"], "EQUALS", false),
        ),
    )
    .await;
    // NOT_EQUALS with ignoreCase, through group 3 and for user 8: a null
    // region is "not east" too.
    create_policy(
        &admin,
        &ds,
        &policy(
            &ds,
            "Not east",
            &[8],
            &[3],
            column("region", &["EAST"], "NOT_EQUALS", true),
        ),
    )
    .await;
    set_pdp(&admin, &ds, true).await.ok_json();
    assert_eq!(total(&east, &ds).await, 10);
    assert_eq!(total(&west, &ds).await, 111_100);
    assert_eq!(total(&groupie, &ds).await, 111_100);
    // Owner, co-owner and Admin: every row.
    assert_eq!(total(&admin, &ds).await, everything);
    assert_eq!(total(&coowner, &ds).await, everything);

    // ignoreCase EQUALS: `east` and `East`.
    let mut body = policy(
        &ds,
        "East",
        &[7],
        &[],
        column("region", &["east"], "EQUALS", true),
    );
    body["filterGroupId"] = json!(east_policy);
    let updated = admin
        .json(
            Method::PUT,
            &format!("{}/{east_policy}", policies_path(&ds)),
            &body,
        )
        .await
        .ok_json();
    assert_eq!(updated["parameters"][0]["ignoreCase"], true);
    assert_eq!(total(&east, &ds).await, 30);

    // A union: user 7 also under "South" and a two-parameter policy.
    create_policy(
        &admin,
        &ds,
        &policy(
            &ds,
            "South",
            &[7],
            &[],
            column("region", &["south"], "EQUALS", false),
        ),
    )
    .await;
    let two = json!([
        {"type": "COLUMN", "name": "region", "values": ["north", "west"], "operator": "EQUALS", "ignoreCase": false},
        {"type": "COLUMN", "name": "amount", "values": ["1000"], "operator": "EQUALS", "ignoreCase": false}
    ]);
    create_policy(&admin, &ds, &policy(&ds, "North 1000", &[7], &[], two)).await;
    assert_eq!(total(&east, &ds).await, 11_030);
    // Each policy's rows, exactly, compared with the owner's own filter.
    let expected = rows(
        &admin,
        &ds,
        "SELECT * FROM table WHERE lower(region) = 'east' OR region = 'south' OR (region IN ('north','west') AND amount = 1000)",
    )
    .await;
    assert_eq!(rows(&east, &ds, "SELECT * FROM table").await, expected);

    // Listing: the open policy only with include_open_policy.
    let listed = admin.get(&policies_path(&ds)).await.ok_json();
    assert_eq!(listed.as_array().unwrap().len(), 4);
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["openPolicy"] == false)
    );
    let with_open = admin
        .get(&format!(
            "{}?options=load_associations,load_filters,include_open_policy",
            policies_path(&ds)
        ))
        .await
        .ok_json();
    let open = &with_open[0];
    assert_eq!(
        (open["openPolicy"].clone(), open["name"].clone()),
        (json!(true), json!("All Rows"))
    );
    assert_eq!(open["userIds"], json!([1, 11]));
    assert_eq!(with_open.as_array().unwrap().len(), 5);
    let east_listed = &listed[0];
    assert_eq!(east_listed["userIds"], json!([7]));
    assert_eq!(east_listed["dataSourceId"], ds);
    assert_eq!(
        east_listed["parameters"][0],
        json!({"type": "COLUMN", "name": "region", "values": ["east"], "operator": "EQUALS", "ignoreCase": true})
    );
    // The open policy cannot be edited.
    admin
        .json(
            Method::PUT,
            &format!("{}/0", policies_path(&ds)),
            &policy(&ds, "All Rows", &[7], &[], json!([])),
        )
        .await
        .expect_error(400);

    // Refusals name what is wrong.
    for (params, needle) in [
        (
            column("region", &["x", "y"], "GREATER_THAN", false),
            "GREATER_THAN takes 1 value",
        ),
        (column("region", &["x"], "RESEMBLES", false), "RESEMBLES"),
        (column("regio", &["x"], "EQUALS", false), "regio"),
        (column("amount", &["lots"], "EQUALS", false), "lots"),
    ] {
        let msg = admin
            .post(&policies_path(&ds), &policy(&ds, "Bad", &[8], &[], params))
            .await
            .expect_error(400);
        assert!(msg.contains(needle), "{msg}");
    }
    // Only owner, co-owners and Admins edit policies or switch PDP.
    let msg = east
        .post(
            &policies_path(&ds),
            &policy(
                &ds,
                "Mine",
                &[7],
                &[],
                column("region", &["west"], "EQUALS", false),
            ),
        )
        .await
        .expect_error(403);
    assert!(msg.contains("owner, a co-owner or an Admin"), "{msg}");
    set_pdp(&east, &ds, false).await.expect_error(403);
    east.send(
        Method::DELETE,
        &format!("{}/{east_policy}", policies_path(&ds)),
        None,
        &[],
    )
    .await
    .expect_error(403);
    east.get(&policies_path(&ds)).await.expect_error(403);
    // A co-owner may.
    set_pdp(&coowner, &ds, true).await.ok_json();
    coowner
        .send(
            Method::DELETE,
            &format!("{}/{east_policy}", policies_path(&ds)),
            None,
            &[],
        )
        .await
        .ok_status();
    assert_eq!(total(&east, &ds).await, 11_000);

    // Off: everyone with access sees every row again.
    set_pdp(&admin, &ds, false).await.ok_json();
    for c in [&east, &west, &groupie] {
        assert_eq!(total(c, &ds).await, everything);
    }
}

#[tokio::test]
async fn sql_cannot_reach_a_hidden_row() {
    let (emu, _) = start(config()).await;
    let admin = Client::new(emu.url(), ADMIN);
    let ds = sales(&admin).await;
    let other = sales(&admin).await;
    create_policy(
        &admin,
        &ds,
        &policy(
            &ds,
            "East",
            &[7],
            &[],
            column("region", &["east"], "EQUALS", true),
        ),
    )
    .await;
    set_pdp(&admin, &ds, true).await.ok_json();
    let east = admin.as_token(EAST);
    for (sql, want) in [
        ("SELECT COUNT(*) FROM table", 2.0),
        ("SELECT COUNT(*) FROM (SELECT * FROM table) t", 2.0),
        (
            "WITH t AS (SELECT * FROM table) SELECT COUNT(*) FROM t",
            2.0,
        ),
        (
            "SELECT COUNT(*) FROM (SELECT region FROM table UNION ALL SELECT region FROM table)",
            4.0,
        ),
        ("SELECT COUNT(*) OVER () FROM table LIMIT 1", 2.0),
        ("SELECT SUM(amount) OVER () FROM table LIMIT 1", 30.0),
        ("SELECT MAX(amount) FROM table", 20.0),
        ("SELECT COUNT(*) FROM temp.\"table\"", 2.0),
        (
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3) SELECT COUNT(*) FROM table, n",
            6.0,
        ),
        (
            "SELECT (SELECT COUNT(*) FROM table) + (SELECT COUNT(*) FROM table WHERE amount > 50)",
            2.0,
        ),
    ] {
        assert_eq!(scalar(&east, &ds, sql).await, want, "{sql}");
    }
    // The row tables are never readable by name, however quoted.
    let pk = |id: &str| {
        // Dataset 1 is `ds`, 2 `other`.
        if id == ds { 1 } else { 2 }
    };
    let raw = format!("ds_{}", pk(&ds));
    let neighbour = format!("ds_{}", pk(&other));
    for sql in [
        format!("SELECT COUNT(*) FROM {raw}"),
        format!("SELECT COUNT(*) FROM main.\"{}\"", raw.to_uppercase()),
        format!("SELECT * FROM [{raw}]"),
        // SQLite reads a string where a table name goes as the name.
        format!("SELECT COUNT(*) FROM '{raw}'"),
        format!("SELECT * FROM table WHERE amount IN (SELECT amount FROM {raw})"),
        format!("WITH \"table\" AS (SELECT * FROM {raw}) SELECT * FROM \"table\""),
        format!("SELECT region FROM table UNION ALL SELECT region FROM {raw}"),
        format!("SELECT COUNT(*) FROM {neighbour}"),
        "SELECT * FROM sqlite_temp_master".to_owned(),
        "SELECT * FROM temp.sqlite_master".to_owned(),
        "SELECT * FROM pdp_policies".to_owned(),
        "SELECT * FROM credentials".to_owned(),
        "SELECT * FROM users".to_owned(),
    ] {
        let msg = east.sql(&ds, &sql).await.expect_error(400);
        assert!(msg.contains("not allowed"), "{sql}: {msg}");
    }
}

#[tokio::test]
async fn partition_counts_are_the_callers() {
    let (emu, _) = start(config()).await;
    let admin = Client::new(emu.url(), ADMIN);
    let (ds, _) = admin
        .create_dataset("Parts", &[("region", "STRING"), ("amount", "LONG")])
        .await;
    for (tag, csv) in [
        ("p1", "east,1\nwest,2\neast,3\n"),
        ("p2", "west,4\nwest,5\n"),
    ] {
        let up = admin.start_upload(&ds).await;
        admin.put_part(&ds, up, 1, csv.as_bytes()).await.ok_json();
        admin
            .commit(
                &ds,
                up,
                &json!({"action": "APPEND", "dataTag": tag, "appendId": "latest"}),
            )
            .await
            .ok_json();
    }
    east_sees_only_east(&admin, &ds, "CAN_EDIT").await;
    let counts = |c: Client| {
        let ds = ds.clone();
        async move {
            let v = c
                .get(&format!("/api/query/v1/datasources/{ds}/partition"))
                .await
                .ok_json();
            let mut out: Vec<(String, i64)> = v
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
            out.sort();
            out
        }
    };
    assert_eq!(
        counts(admin.clone()).await,
        [("p1".to_owned(), 3), ("p2".to_owned(), 2)]
    );
    assert_eq!(
        counts(admin.as_token(EAST)).await,
        [("p1".to_owned(), 2), ("p2".to_owned(), 0)]
    );
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

async fn mint(c: &Client, name: &str, owner: Value, expires: i64) -> Resp {
    c.post(
        "/api/data/v1/accesstokens",
        &json!({"name": name, "ownerId": owner, "expires": expires}),
    )
    .await
}

#[tokio::test]
async fn minted_tokens_work_until_revoked_or_expired() {
    let clock = ManualClock::at(1_700_000_000_000);
    let (emu, _) = start(EmulatorConfig {
        clock: clock.clock(),
        ..config()
    })
    .await;
    let now_ms = || clock.now_ms();
    let admin = Client::new(emu.url(), ADMIN);
    let ds = sales(&admin).await;
    let v = mint(&admin, "pipeline", json!(7), now_ms() + 3_600_000)
        .await
        .ok_json();
    let value = v["token"].as_str().unwrap().to_owned();
    assert_eq!(
        (v["name"].clone(), v["ownerId"].clone()),
        (json!("pipeline"), json!(7))
    );
    let id = v["id"].as_i64().unwrap();
    // Accepted for its owner, in either header.
    let as_token = admin.as_token(&value);
    assert_eq!(
        as_token.get("/api/content/v2/users/me").await.ok_json()["emailAddress"],
        "east@example.com"
    );
    let session_header = Client::new(emu.url(), "");
    let r = session_header
        .send(
            Method::GET,
            &format!("/api/data/v3/datasources/{ds}"),
            None,
            &[("x-domo-authentication", &value)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // Listed without the value, with the owner's name.
    let listed = admin.get("/api/data/v1/accesstokens").await;
    assert!(!listed.text().contains(&value));
    let entry = listed.ok_json()[0].clone();
    assert_eq!(
        (entry["id"].as_i64(), entry["ownerName"].clone()),
        (Some(id), json!("east"))
    );
    // Its owner sees it too; someone else does not.
    assert_eq!(
        admin
            .as_token(EAST)
            .get("/api/data/v1/accesstokens")
            .await
            .ok_json()[0]["id"],
        id
    );
    assert_eq!(
        admin
            .as_token(WEST)
            .get("/api/data/v1/accesstokens")
            .await
            .ok_json(),
        json!([])
    );
    // Only its owner or an Admin revokes it; then it stops at once.
    admin
        .as_token(WEST)
        .send(
            Method::DELETE,
            &format!("/api/data/v1/accesstokens/{id}"),
            None,
            &[],
        )
        .await
        .expect_error(403);
    admin
        .send(
            Method::DELETE,
            &format!("/api/data/v1/accesstokens/{id}"),
            None,
            &[],
        )
        .await
        .ok_status();
    let msg = as_token
        .get(&format!("/api/data/v3/datasources/{ds}"))
        .await
        .expect_error(401);
    assert!(!msg.contains(&value), "{msg}");

    // Expired: works up to its last millisecond, then 401, on the
    // emulator's clock (advanced here, never waited for).
    let short = mint(&admin.as_token(EAST), "short", json!("7"), now_ms() + 400)
        .await
        .ok_json();
    assert_eq!(short["expires"], now_ms() + 400);
    assert_eq!(short["created"], now_ms());
    let short = admin.as_token(short["token"].as_str().unwrap());
    short
        .get(&format!("/api/data/v3/datasources/{ds}"))
        .await
        .ok_json();
    clock.advance(Duration::from_millis(399));
    short
        .get(&format!("/api/data/v3/datasources/{ds}"))
        .await
        .ok_json();
    clock.advance(Duration::from_millis(1));
    short
        .get(&format!("/api/data/v3/datasources/{ds}"))
        .await
        .expect_error(401);

    // Roles and owners.
    let msg = mint(&admin.as_token(EAST), "for 8", json!(8), now_ms() + 60_000)
        .await
        .expect_error(403);
    assert!(msg.contains("only an Admin"), "{msg}");
    let msg = mint(&admin, "nobody", json!(4242), now_ms() + 60_000)
        .await
        .expect_error(400);
    assert!(msg.contains("4242"), "{msg}");
    mint(&admin, "past", json!(7), now_ms() - 1)
        .await
        .expect_error(400);
    mint(&admin, "now", json!(7), now_ms())
        .await
        .expect_error(400);
}

async fn login(emu_url: &str, email: &str, password: &str) -> Resp {
    Client::new(emu_url, "")
        .post(
            "/api/content/v2/authentication",
            &json!({"method": "password", "emailAddress": email, "password": password}),
        )
        .await
}

#[tokio::test]
async fn password_login_sessions_and_lockout() {
    let (emu, _) = start(config()).await;
    let url = emu.url().to_owned();
    let ok = login(&url, "East@Example.com", PASSWORD).await;
    let v = ok.ok_json();
    assert_eq!(
        (v["success"].clone(), v["userId"].clone()),
        (json!(true), json!(7))
    );
    let session = v["sessionToken"].as_str().unwrap().to_owned();
    let me = Client::new(&url, "")
        .send(
            Method::GET,
            "/api/content/v2/users/me",
            None,
            &[("x-domo-authentication", &session)],
        )
        .await
        .ok_json();
    assert_eq!(
        me,
        json!({"id": 7, "displayName": "east", "userName": "east@example.com",
               "emailAddress": "east@example.com", "role": "Editor"})
    );

    // Wrong password and unknown address: HTTP 200, success false.
    for (email, pw) in [
        ("east@example.com", "wrong-1"),
        ("nobody@example.com", PASSWORD),
    ] {
        let r = login(&url, email, pw).await;
        assert_eq!(
            r.ok_json(),
            json!({"success": false, "reason": "INVALID_CREDENTIALS"})
        );
        assert!(!r.text().contains(pw));
    }
    // The fifth wrong password in a row locks the account: then even the
    // right one is refused as locked. Users without a password never log in.
    for _ in 1..5 {
        assert_eq!(
            login(&url, "east@example.com", "wrong-2").await.ok_json()["reason"],
            "INVALID_CREDENTIALS"
        );
    }
    assert_eq!(
        login(&url, "east@example.com", PASSWORD).await.ok_json(),
        json!({"success": false, "reason": "ACCOUNT_LOCKED"})
    );
    assert_eq!(
        login(&url, "west@example.com", "").await.ok_json()["reason"],
        "INVALID_CREDENTIALS"
    );
    // The session opened before the lock still works.
    Client::new(&url, "")
        .send(
            Method::GET,
            "/api/content/v2/users/me",
            None,
            &[("x-domo-authentication", &session)],
        )
        .await
        .ok_json();
    // A malformed body names the field, never the value.
    let msg = Client::new(&url, "")
        .post(
            "/api/content/v2/authentication",
            &json!({"method": "password", "emailAddress": "east@example.com", "password": 12345}),
        )
        .await
        .expect_error(400);
    assert!(msg.contains("password") && !msg.contains("12345"), "{msg}");
    let msg = Client::new(&url, "")
        .post(
            "/api/content/v2/authentication",
            &json!({"method": "sso", "emailAddress": "a@b", "password": "x"}),
        )
        .await
        .expect_error(400);
    assert!(msg.contains("sso"), "{msg}");
}

async fn permissions(c: &Client, ds: &str) -> Value {
    c.get(&format!("/api/data/v3/datasources/{ds}/permissions"))
        .await
        .ok_json()
}

#[tokio::test]
async fn sharing_cannot_escalate() {
    let (emu, _) = start(config()).await;
    let admin = Client::new(emu.url(), ADMIN);
    let ds = sales(&admin).await;
    share(&admin, &ds, &[("USER", "10", "CAN_SHARE")])
        .await
        .ok_status();
    let sharer = admin.as_token(SHARER);
    let coowner = admin.as_token(COOWNER);
    let before = permissions(&admin, &ds).await;

    for (entries, needle) in [
        (
            vec![("USER", "10", "OWNER")],
            "only an OWNER or an Admin grants OWNER",
        ),
        (vec![("USER", "10", "CO_OWNER")], "at most their own level"),
        (vec![("USER", "10", "CAN_EDIT")], "at most their own level"),
        (vec![("GROUP", "3", "CO_OWNER")], "at most their own level"),
        (
            vec![("USER", "12", "CAN_SHARE"), ("USER", "10", "OWNER")],
            "OWNER",
        ),
        (vec![("USER", "7", "CAN_SHARE")], "above CAN_SHARE"),
        (vec![("USER", "1", "CAN_SHARE")], "above CAN_SHARE"),
    ] {
        let msg = share(&sharer, &ds, &entries).await.expect_error(403);
        assert!(msg.contains(needle), "{entries:?}: {msg}");
    }
    for path in [
        format!("/api/data/v3/datasources/{ds}/permissions/USER/1"),
        format!("/api/data/v3/datasources/{ds}/USERS/11"),
        format!("/api/data/v3/datasources/{ds}/USERS/7"),
    ] {
        let msg = sharer
            .send(Method::DELETE, &path, None, &[])
            .await
            .expect_error(403);
        assert!(msg.contains("above CAN_SHARE"), "{path}: {msg}");
    }
    let msg = sharer
        .send(
            Method::DELETE,
            &format!("/api/data/v3/datasources/{ds}/users"),
            Some(
                serde_json::to_vec(
                    &json!([{"id": 12, "type": "USER"}, {"id": "1", "type": "USER"}]),
                )
                .unwrap(),
            ),
            &[("content-type", "application/json")],
        )
        .await
        .expect_error(403);
    assert!(msg.contains("OWNER"), "{msg}");
    // A co-owner grants CO_OWNER and changes co-owners, but not the owner.
    let msg = share(&coowner, &ds, &[("USER", "11", "OWNER")])
        .await
        .expect_error(403);
    assert!(msg.contains("OWNER"), "{msg}");
    coowner
        .send(
            Method::DELETE,
            &format!("/api/data/v3/datasources/{ds}/permissions/USER/1"),
            None,
            &[],
        )
        .await
        .expect_error(403);
    // Nothing changed.
    assert_eq!(permissions(&admin, &ds).await, before);
    share(&coowner, &ds, &[("USER", "12", "CO_OWNER")])
        .await
        .ok_status();
    share(&coowner, &ds, &[("USER", "12", "CAN_SHARE")])
        .await
        .ok_status();
    // A CAN_SHARE holder shares at their own level and removes their peers.
    share(&sharer, &ds, &[("USER", "13", "CAN_SHARE")])
        .await
        .ok_status();
    sharer
        .send(
            Method::DELETE,
            &format!("/api/data/v3/datasources/{ds}/USERS/13"),
            None,
            &[],
        )
        .await
        .ok_status();
    // The last owner can never go, not even by an Admin.
    let msg = admin
        .send(
            Method::DELETE,
            &format!("/api/data/v3/datasources/{ds}/permissions/USER/1"),
            None,
            &[],
        )
        .await
        .expect_error(403);
    assert!(msg.contains("last OWNER"), "{msg}");
    share(&admin, &ds, &[("USER", "1", "CAN_EDIT")])
        .await
        .expect_error(403);
}

#[tokio::test]
async fn a_participant_cannot_create_datasets() {
    let (emu, _) = start(config()).await;
    let participant = Client::new(emu.url(), SHARER);
    let msg = participant
        .post(
            "/api/data/v1/streams",
            &json!({
                "transport": {"type": "API"},
                "dataSource": {"name": "Mine", "description": ""},
                "dataProvider": {"key": "api", "name": "API"},
                "updateMethod": "APPEND",
                "schemaDefinition": {"columns": [{"name": "a", "type": "STRING"}]},
            }),
        )
        .await
        .expect_error(403);
    assert!(msg.contains("Participant"), "{msg}");
    assert_eq!(
        participant.get("/api/content/v2/users/me").await.ok_json()["role"],
        "Participant"
    );
    // An Editor may.
    Client::new(emu.url(), EAST)
        .create_dataset("Theirs", &[("a", "STRING")])
        .await;
}

/// The binary's whole output, across logins, tokens and refusals, holds
/// none of the secrets it was given or handed out.
#[tokio::test]
async fn no_secret_reaches_the_emulators_output() {
    let static_token = "static-secret-token-77aa";
    let password = "pw-secret-in-flags-31f";
    let mut child = Command::new(env!("CARGO_BIN_EXE_domo-emulator"))
        .args([
            "--addr",
            "127.0.0.1:0",
            "--token",
            &format!("{static_token}=1"),
            "--user",
            "7:east@example.com",
            "--password",
            &format!("7={password}"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    let mut stdout = child.stdout.take().unwrap();
    let mut first = Vec::new();
    let mut byte = [0u8; 1];
    while stdout.read(&mut byte).unwrap() == 1 && byte[0] != b'\n' {
        first.push(byte[0]);
    }
    let first = String::from_utf8(first).unwrap();
    let url = first.strip_prefix("listening on ").unwrap().to_owned();
    let admin = Client::new(&url, static_token);
    let mut secrets = vec![static_token.to_owned(), password.to_owned()];
    let mut replies = String::new();

    let r = login(&url, "east@example.com", password).await;
    replies.push_str(&r.text());
    secrets.push(r.ok_json()["sessionToken"].as_str().unwrap().to_owned());
    let wrong = "pw-wrong-guess-90b";
    secrets.push(wrong.to_owned());
    replies.push_str(&login(&url, "east@example.com", wrong).await.text());
    let minted = mint(&admin, "ci", json!(7), now_ms() + 60_000)
        .await
        .ok_json();
    let value = minted["token"].as_str().unwrap().to_owned();
    secrets.push(value.clone());
    let id = minted["id"].as_i64().unwrap();
    replies.push_str(
        &admin
            .as_token(&value)
            .get("/api/content/v2/users/me")
            .await
            .text(),
    );
    replies.push_str(&admin.get("/api/data/v1/accesstokens").await.text());
    admin
        .send(
            Method::DELETE,
            &format!("/api/data/v1/accesstokens/{id}"),
            None,
            &[],
        )
        .await
        .ok_status();
    replies.push_str(
        &admin
            .as_token(&value)
            .get("/api/content/v2/users/me")
            .await
            .text(),
    );
    let bogus = "bogus-token-never-valid-5e";
    secrets.push(bogus.to_owned());
    replies.push_str(
        &admin
            .as_token(bogus)
            .get("/api/content/v2/users/me")
            .await
            .text(),
    );

    let _ = child.kill();
    let _ = child.wait();
    let mut rest = String::new();
    let _ = stdout.read_to_string(&mut rest);
    let mut err = String::new();
    let _ = child.stderr.take().unwrap().read_to_string(&mut err);
    let output = format!("{first}\n{rest}\n{err}");
    for s in &secrets {
        assert!(
            !output.contains(s.as_str()),
            "the output holds a secret: {output}"
        );
    }
    // Replies carry only the values meant for the caller (the session
    // token of its login, the minted value once); never a password, the
    // static token or a refused token.
    for s in [static_token, password, wrong, bogus] {
        assert!(!replies.contains(s), "a reply holds {s}");
    }
    // A bad flag's error does not echo the password either.
    let out = Command::new(env!("CARGO_BIN_EXE_domo-emulator"))
        .args([
            "--addr",
            "127.0.0.1:0",
            "--password",
            &format!("42={password}"),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("42"), "{text}");
    assert!(!text.contains(password), "{text}");
}

/// Duplicate keys are refused here as on every endpoint (at any depth),
/// and a login body's refusal never quotes it.
#[tokio::test]
async fn duplicate_keys_are_refused() {
    let (emu, _) = start(config()).await;
    let admin = Client::new(emu.url(), ADMIN);
    let ds = sales(&admin).await;
    let json = [("content-type", "application/json")];
    for (method, path, body) in [
        (
            Method::POST,
            policies_path(&ds),
            r#"{"name":"a","name":"b"}"#.to_owned(),
        ),
        (
            Method::POST,
            policies_path(&ds),
            r#"{"name":"a","parameters":[{"name":"region","values":["x"],"operator":"EQUALS","operator":"LIKE"}]}"#.to_owned(),
        ),
        (
            Method::POST,
            "/api/data/v1/accesstokens".to_owned(),
            r#"{"name":"a","ownerId":7,"ownerId":8,"expires":99999999999999}"#.to_owned(),
        ),
        (
            Method::PUT,
            format!("/api/query/v1/data-control/{ds}"),
            r#"{"enabled":true,"enabled":false}"#.to_owned(),
        ),
        (
            Method::POST,
            "/api/content/v2/authentication".to_owned(),
            format!(r#"{{"method":"password","emailAddress":"east@example.com","password":"x","password":"{PASSWORD}"}}"#),
        ),
        (
            Method::POST,
            "/api/content/v2/authentication".to_owned(),
            format!(r#""{PASSWORD}""#),
        ),
    ] {
        let r = admin.send(method, &path, Some(body.clone().into_bytes()), &json).await;
        let msg = r.expect_error(400);
        assert!(!msg.contains(PASSWORD), "{body}: {msg}");
    }
    assert_eq!(admin.get(&policies_path(&ds)).await.ok_json(), json!([]));
    assert_eq!(
        admin.get("/api/data/v1/accesstokens").await.ok_json(),
        json!([])
    );
}

/// A DECIMAL column's scale is the column's, whoever reads it: a user
/// whose policy hides the value with the most decimals sees the others at
/// the same scale as the owner does (no scale reveals a hidden row).
#[tokio::test]
async fn a_decimal_column_has_one_scale_whatever_a_policy_hides() {
    let (_emu, c) = start(config()).await;
    let admin = c.as_token(ADMIN);
    let (ds, _) = admin
        .create_dataset("Prices", &[("region", "STRING"), ("price", "DECIMAL")])
        .await;
    admin
        .upload(&ds, &["east,1.5\nwest,0.125\n"], "REPLACE")
        .await;
    east_sees_only_east(&admin, &ds, "CAN_SHARE").await;
    let east = c.as_token(EAST);
    let body = east.sql(&ds, "SELECT price FROM table").await.text();
    assert!(body.contains(r#""rows":[[1.500]]"#), "{body}");
}
