//! Serving a custom app (`--app`): static files, the app session (header,
//! `ryuu_sid` query parameter, cookie), the Data API (`/data/v1|v2`, every
//! operator and format), the SQL API, their auth and confinement, and the
//! product-API refusal.

mod common;

use std::path::{Path, PathBuf};

use common::{Resp, Scratch};
use domo_emulator::{Clock, DEMO_DATASET_ID, EmulatorConfig, RunningEmulator};
use reqwest::Method;
use serde_json::{Value, json};

const WASM: &[u8] = b"\0asm\x01\0\0\0";
const INDEX: &str =
    "<!DOCTYPE html>\n<html>\n<head>\n<title>t</title>\n</head>\n<body>app</body>\n</html>\n";

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// Writes an app into `base/app` (with a secret next to it, outside the app)
/// whose manifest maps `orders` to `orders_id` with field aliases, `demo` to
/// the demo dataset with all columns, and `ghost` to a dataset that does not exist.
fn make_app(base: &Path, orders_id: &str) -> PathBuf {
    let app = base.join("app");
    write(&base.join("secret.txt"), b"TOP SECRET");
    write(&app.join("index.html"), INDEX.as_bytes());
    write(&app.join("app.js"), b"console.log('hi');\n");
    write(&app.join("pkg/app_bg.wasm"), WASM);
    write(&app.join("pkg/app.d.ts"), b"export {};\n");
    write(&app.join("sub/index.html"), b"<p>no head</p>");
    // The current key and the older one, side by side.
    let manifest = json!({
        "name": "Test App",
        "version": "0.0.1",
        "size": {"width": 3, "height": 3},
        "datasetsMapping": [
            {"alias": "orders", "dataSetId": orders_id, "fields": [
                {"alias": "area", "columnName": "region"},
                {"alias": "qty", "columnName": "units"},
                {"alias": "total", "columnName": "amount"},
                {"alias": "when", "columnName": "day"},
            ]},
        ],
        "mapping": [
            {"alias": "demo", "dataSetId": DEMO_DATASET_ID, "fields": []},
            {"alias": "ghost", "dataSetId": "00000000-dead-beef-0000-000000000000"},
        ]
    });
    write(
        &app.join("manifest.json"),
        serde_json::to_string_pretty(&manifest).unwrap().as_bytes(),
    );
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(base.join("secret.txt"), app.join("escape.txt")).unwrap();
        std::os::unix::fs::symlink(base, app.join("up")).unwrap();
        std::os::unix::fs::symlink(app.join("app.js"), app.join("inside.js")).unwrap();
    }
    app
}

fn config(data_dir: &Path) -> EmulatorConfig {
    EmulatorConfig {
        data_dir: Some(data_dir.to_path_buf()),
        demo: true,
        ..EmulatorConfig::ephemeral()
    }
    .with_token("admin", 1)
    .with_token("bob", 2)
    .with_token("carol", 3)
}

/// Creates the `orders` dataset in a first run (its id is needed by the
/// manifest), then serves the app over the same data directory. Bob may
/// read `orders`; carol may not. The app session acts for user 1 (the
/// first token's user).
async fn start_app(base: &Path) -> App {
    start_app_with(base, |c| c).await
}

async fn start_app_with(base: &Path, tweak: impl FnOnce(EmulatorConfig) -> EmulatorConfig) -> App {
    let data = base.join("data");
    let (emu, admin) = common::start(config(&data)).await;
    let admin = admin.as_token("admin");
    let (orders, _) = admin
        .create_dataset(
            "Orders",
            &[
                ("region", "STRING"),
                ("units", "LONG"),
                ("price", "DOUBLE"),
                ("amount", "DECIMAL"),
                ("day", "DATE"),
            ],
        )
        .await;
    admin
        .upload(
            &orders,
            &["East,3,1.5,10.25,2024-01-01\nWest,5,2.0,5.50,2024-01-02\nEast,2,3.25,100.25,2024-01-03\nNorth,1,0.5,0.05,2024-02-01\nWest,,,,\n"],
            "APPEND",
        )
        .await;
    let share = json!({"permissions": [{"type": "USER", "id": 2, "accessLevel": "CAN_SHARE"}], "sendEmail": false});
    let r = admin
        .post(&format!("/api/data/v3/datasources/{orders}/share"), &share)
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    emu.shutdown().await;

    let app = make_app(base, &orders);
    let emu = domo_emulator::start(tweak(EmulatorConfig {
        app_dir: Some(app),
        ..config(&data)
    }))
    .await
    .expect("the app emulator starts");
    assert!(emu.serves_app());
    let sid = session_of(&emu).await;
    App { emu, sid }
}

/// An emulator serving the test app, and the app session its pages carry.
struct App {
    emu: RunningEmulator,
    sid: String,
}

impl std::ops::Deref for App {
    type Target = RunningEmulator;
    fn deref(&self) -> &RunningEmulator {
        &self.emu
    }
}

impl App {
    async fn shutdown(self) {
        self.emu.shutdown().await;
    }
}

/// The session id the app's page carries (`window.__RYUU_SID__`), which
/// is also the `ryuu_sid` cookie the page sets.
async fn session_of(emu: &RunningEmulator) -> String {
    let r = app_call(emu, Method::GET, "/", None, &[], None).await;
    let text = r.text();
    let sid = text
        .split("window.__RYUU_SID__ = \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no session id in the page: {text}"))
        .to_owned();
    assert_eq!(sid.len(), 64, "256 random bits as hex: {sid}");
    let cookie = r.headers["set-cookie"].to_str().unwrap();
    assert_eq!(
        cookie,
        format!("ryuu_sid={sid}; Path=/; HttpOnly; SameSite=Lax")
    );
    sid
}

/// A request as the app makes it: relative path, `X-DOMO-Ryuu-Session`.
async fn app_call(
    emu: &RunningEmulator,
    method: Method,
    path: &str,
    sid: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Resp {
    let mut req = reqwest::Client::new().request(method, format!("{}{path}", emu.url()));
    if let Some(sid) = sid {
        req = req.header("X-DOMO-Ryuu-Session", sid);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.body(b.to_owned());
    }
    let resp = req.send().await.expect("request failed");
    Resp {
        status: resp.status(),
        headers: resp.headers().clone(),
        body: resp.bytes().await.unwrap().to_vec(),
    }
}

/// A GET as ryuu.js makes it: the session in `X-DOMO-Ryuu-Session`.
async fn get(app: &App, path: &str) -> Resp {
    app_call(app, Method::GET, path, Some(&app.sid), &[], None).await
}

/// A GET with an `Accept` header.
async fn get_as(app: &App, path: &str, accept: &str) -> Resp {
    app_call(
        app,
        Method::GET,
        path,
        Some(&app.sid),
        &[("accept", accept)],
        None,
    )
    .await
}

async fn sql(app: &App, alias: &str, sql: &str) -> Resp {
    app_call(
        app,
        Method::POST,
        &format!("/sql/v1/{alias}"),
        Some(&app.sid),
        &[("content-type", "text/plain")],
        Some(sql),
    )
    .await
}

/// Sends `path` byte for byte (no client-side normalisation of `..` or
/// `%2e`); returns the status code and the whole response.
async fn raw_get(emu: &RunningEmulator, path: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(emu.addr()).await.unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {text}"));
    (status, text)
}

#[tokio::test]
async fn serves_the_app_with_the_session_id_and_content_types() {
    let base = Scratch::new("static");
    let app = start_app(&base.0).await;

    let want = INDEX.replace(
        "<head>",
        &format!(
            "<head><script>window.__RYUU_SID__ = \"{}\";</script>",
            app.sid
        ),
    );
    for path in ["/", "/index.html"] {
        let r = app_call(&app, Method::GET, path, None, &[], None).await;
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.headers["content-type"], "text/html; charset=utf-8");
        assert_eq!(r.text(), want, "{path}");
        assert_eq!(r.headers["access-control-allow-origin"], "*");
        assert!(
            r.headers["set-cookie"]
                .to_str()
                .unwrap()
                .starts_with("ryuu_sid=")
        );
    }
    // Without a <head>, the script goes first; a directory serves its index.html.
    let r = get(&app, "/sub/").await;
    assert_eq!(
        r.text(),
        format!(
            "<script>window.__RYUU_SID__ = \"{}\";</script><p>no head</p>",
            app.sid
        )
    );

    let r = get(&app, "/app.js").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["content-type"], "text/javascript");
    assert!(r.headers.get("set-cookie").is_none(), "only pages set it");
    assert_eq!(r.text(), "console.log('hi');\n");
    let r = get(&app, "/pkg/app_bg.wasm").await;
    assert_eq!(r.headers["content-type"], "application/wasm");
    assert_eq!(r.body, WASM);
    let r = get(&app, "/pkg/app.d.ts").await;
    assert_eq!(r.headers["content-type"], "application/typescript");
    let r = get(&app, "/manifest.json").await;
    assert_eq!(r.headers["content-type"], "application/json");
    assert_eq!(r.json()["mapping"][0]["alias"], "demo");

    get(&app, "/missing.js").await.expect_error(404);
    app_call(&app, Method::POST, "/app.js", None, &[], Some("x"))
        .await
        .expect_error(405);
    // The API is still there for API tokens, and unknown API paths are not files.
    let admin = common::Client::new(app.url(), "admin");
    let r = admin
        .get(&format!("/api/data/v3/datasources/{DEMO_DATASET_ID}"))
        .await;
    assert_eq!(r.ok_json()["name"], "Demo Sales");
    let msg = admin.get("/api/nope").await.expect_error(404);
    assert!(msg.contains("no endpoint"), "{msg}");
    app.shutdown().await;
}

#[tokio::test]
async fn never_serves_anything_outside_the_app_directory() {
    let base = Scratch::new("traversal");
    let emu = start_app(&base.0).await;
    // Control: the raw client does reach files inside.
    let (status, text) = raw_get(&emu, "/app.js").await;
    assert_eq!(status, 200, "{text}");
    for path in [
        "/../secret.txt",
        "/../Cargo.toml",
        "/%2e%2e/secret.txt",
        "/%2E%2E/x",
        "/..%2fsecret.txt",
        "/sub/..%2f..%2fsecret.txt",
        "/sub/../../secret.txt",
        "/..%5csecret.txt",
        "/%2e%2e%2fsecret.txt",
        "//../secret.txt",
    ] {
        let (status, text) = raw_get(&emu, path).await;
        assert!((400..500).contains(&status), "{path}: {text}");
        assert!(!text.contains("TOP SECRET"), "{path}: {text}");
    }
    #[cfg(unix)]
    {
        // Symlinks may point inside the app, never outside it.
        for path in ["/escape.txt", "/up/secret.txt"] {
            let (status, text) = raw_get(&emu, path).await;
            assert_eq!(status, 404, "{path}: {text}");
            assert!(!text.contains("TOP SECRET"), "{path}");
        }
        assert_eq!(get(&emu, "/inside.js").await.text(), "console.log('hi');\n");
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn data_returns_aliased_typed_objects_on_v1_and_v2() {
    let base = Scratch::new("data");
    let app = start_app(&base.0).await;
    let all = json!([
        {"area": "East", "qty": 3, "total": 10.25, "when": "2024-01-01"},
        {"area": "West", "qty": 5, "total": 5.5, "when": "2024-01-02"},
        {"area": "East", "qty": 2, "total": 100.25, "when": "2024-01-03"},
        {"area": "North", "qty": 1, "total": 0.05, "when": "2024-02-01"},
        {"area": "West", "qty": null, "total": null, "when": null},
    ]);
    for version in ["v1", "v2"] {
        let path = format!("/data/{version}/orders");
        let r = get(&app, &path).await;
        assert_eq!(r.headers["content-type"], "application/json");
        assert_eq!(r.headers["access-control-allow-origin"], "*");
        assert_eq!(r.ok_json(), all, "{path}");
        // The key order is the field order.
        let first = r.json()[0]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<Vec<_>>();
        assert_eq!(first, ["area", "qty", "total", "when"]);
        for accept in ["application/array-of-objects", "array-of-objects", "*/*"] {
            assert_eq!(get_as(&app, &path, accept).await.ok_json(), all, "{accept}");
        }
    }
    // A mapping without fields: every column under its own name.
    let r = get(&app, "/data/v2/demo?limit=1").await.ok_json();
    let keys: Vec<&String> = r[0].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "Region",
            "Units",
            "Unit Price",
            "Revenue",
            "Order Date",
            "Shipped At"
        ]
    );
    app.shutdown().await;
}

/// One row per filter operator, in the forms the docs show and the forms
/// `@domoinc/query` sends (names in single quotes, strings in double
/// quotes, numbers bare, `, ` between conditions, each part encoded).
#[tokio::test]
async fn every_filter_operator() {
    let base = Scratch::new("filters");
    // 2024-02-15T12:00:00Z; fiscal years start in February.
    let app = start_app_with(&base.0, |c| EmulatorConfig {
        clock: Clock::starting_at(1_707_998_400_000),
        fiscal_year_start: 2,
        ..c
    })
    .await;
    let areas = |r: Resp| -> Vec<String> {
        r.ok_json()
            .as_array()
            .unwrap()
            .iter()
            .map(|o| format!("{}{}", o["area"].as_str().unwrap_or("-"), o["qty"]))
            .collect()
    };
    for (filter, want) in [
        ("qty = 3", &["East3"][..]),
        ("'qty' == 3", &["East3"]),
        ("qty != 3", &["West5", "East2", "North1"]),
        ("qty < 3", &["East2", "North1"]),
        ("qty <= 3", &["East3", "East2", "North1"]),
        ("qty > 3", &["West5"]),
        ("qty >= 3", &["East3", "West5"]),
        ("total > 10", &["East3", "East2"]),
        ("area contains 'as'", &["East3", "East2"]),
        ("area ~ or", &["North1"]),
        ("area !contains st", &["North1"]),
        ("area !~ st", &["North1"]),
        (
            "area in [\"North\", \"West\"]",
            &["West5", "North1", "Westnull"],
        ),
        ("area in (North)", &["North1"]),
        ("area !in [\"East\",\"West\"]", &["North1"]),
        ("qty in [1,5]", &["West5", "North1"]),
        ("qty !in [1,5]", &["East3", "East2"]),
        ("'when' is null", &["Westnull"]),
        ("'when' !is null", &["East3", "West5", "East2", "North1"]),
        (
            "'when' >= \"2024-01-02T00:00:00.000Z\", 'when' < \"2024-02-01\"",
            &["West5", "East2"],
        ),
        ("'area' == \"East\", 'qty' > 2", &["East3"]),
        // Relative dates on the emulator's clock (2024-02-15 12:00 UTC
        // here), standard calendar, then fiscal (years from February).
        ("when last 30 days", &["North1"]),
        ("when last 45 days", &["West5", "East2", "North1"]),
        ("when last month", &["East3", "West5", "East2"]),
        (
            "'when' last 1 years",
            &["East3", "West5", "East2", "North1"],
        ),
        ("when last year", &[]),
        ("when last week", &[]),
        ("when todate month", &["North1"]),
        (
            "when todate quarter",
            &["East3", "West5", "East2", "North1"],
        ),
        ("when todate year&calendar=fiscal", &["North1"]),
        (
            "when last year&calendar=fiscal",
            &["East3", "West5", "East2"],
        ),
        ("when todate quarter&calendar=fiscal", &["North1"]),
        (
            "when last quarter&calendar=fiscal",
            &["East3", "West5", "East2"],
        ),
    ] {
        let (filter, calendar) = filter.split_once('&').unwrap_or((filter, ""));
        // Encoded as `@domoinc/query` encodes each part of a condition.
        let encoded: String = filter
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z'
                | b'a'..=b'z'
                | b'0'..=b'9'
                | b'-'
                | b'_'
                | b'.'
                | b'!'
                | b'~'
                | b'*'
                | b'\''
                | b'('
                | b')' => (b as char).to_string(),
                other => format!("%{other:02X}"),
            })
            .collect();
        let r = get(
            &app,
            &format!("/data/v2/orders?fields=area,qty&filter={encoded}&{calendar}"),
        )
        .await;
        assert_eq!(areas(r), want, "{filter} {calendar}");
    }
    app.shutdown().await;
}

/// The Data API groups, orders and filters text as SQL compares it, by
/// MySQL's default collation: `east`, `EAST` and `Éast` are one group.
#[tokio::test]
async fn groupby_and_orderby_follow_the_collation() {
    let base = Scratch::new("collation");
    let app = start_app(&base.0).await;
    let manifest = get(&app, "/manifest.json").await.ok_json();
    let orders = manifest["datasetsMapping"][0]["dataSetId"]
        .as_str()
        .unwrap()
        .to_owned();
    let admin = common::Client::new(app.url(), "admin");
    admin
        .upload(
            &orders,
            &["east,4,1.0,1.00,2024-01-04\n\u{c9}AST,1,1.0,1.00,2024-01-05\nnorth,2,1.0,1.00,2024-01-06\n"],
            "APPEND",
        )
        .await;
    let grouped = get(
        &app,
        "/data/v1/orders?fields=area,qty&groupby=area&sum=qty&orderby=area%20descending",
    )
    .await
    .ok_json();
    let sums: Vec<i64> = grouped
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["qty"].as_i64().unwrap())
        .collect();
    // West 5, North 1 + 2, East 3 + 2 + 4 + 1: one group each, in order.
    assert_eq!(sums, [5, 3, 10], "{grouped}");
    let east = get(
        &app,
        "/data/v1/orders?fields=qty&filter=area%20%3D%20%27EAST%27",
    )
    .await
    .ok_json();
    assert_eq!(east.as_array().unwrap().len(), 4, "{east}");
    // The SQL API compares the same way.
    let r = sql(
        &app,
        "orders",
        "SELECT SUM(qty), COUNT(DISTINCT area) FROM orders WHERE area = 'EAST'",
    )
    .await
    .ok_json();
    assert_eq!(r["rows"], json!([[10, 1]]), "{r}");
    let sorted = get(&app, "/data/v1/orders?fields=area&orderby=area&limit=4")
        .await
        .ok_json();
    let areas: Vec<String> = sorted
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["area"].as_str().unwrap().to_lowercase())
        .collect();
    // The four spellings of east come first (in any order among them).
    assert!(
        areas.iter().all(|a| a == "east" || a == "\u{e9}ast"),
        "{sorted}"
    );
    app.shutdown().await;
}

/// Each aggregation, with and without groupby, and Domo's default
/// aggregation for groupby and dategrain.
#[tokio::test]
async fn every_aggregation_and_the_default_one() {
    let base = Scratch::new("aggs");
    let app = start_app(&base.0).await;
    let q = |s: &str| format!("/data/v1/orders?{s}");
    for (query, want) in [
        ("sum=qty", json!([{"qty": 11}])),
        ("avg=qty", json!([{"qty": 2.75}])),
        ("count=qty", json!([{"qty": 4}])),
        ("count=area", json!([{"area": 5}])),
        ("min=total", json!([{"total": 0.05}])),
        ("max=total", json!([{"total": 100.25}])),
        ("max=when", json!([{"when": "2024-02-01"}])),
        ("unique=area", json!([{"area": 3}])),
        (
            "sum=qty&max=when",
            json!([{"qty": 11, "when": "2024-02-01"}]),
        ),
        (
            "fields=area,qty&groupby=area&sum=qty",
            json!([{"area": "East", "qty": 5}, {"area": "North", "qty": 1}, {"area": "West", "qty": 5}]),
        ),
        (
            "fields=area,qty&groupby=area&avg=qty",
            json!([{"area": "East", "qty": 2.5}, {"area": "North", "qty": 1.0}, {"area": "West", "qty": 5.0}]),
        ),
        (
            "fields=area,when&groupby=area&count=when",
            json!([{"area": "East", "when": 2}, {"area": "North", "when": 1}, {"area": "West", "when": 1}]),
        ),
        (
            "fields=area,qty&groupby=area&min=qty",
            json!([{"area": "East", "qty": 2}, {"area": "North", "qty": 1}, {"area": "West", "qty": 5}]),
        ),
        (
            "fields=area,qty&groupby=area&max=qty",
            json!([{"area": "East", "qty": 3}, {"area": "North", "qty": 1}, {"area": "West", "qty": 5}]),
        ),
        (
            "fields=area,total&groupby=area&unique=total",
            json!([{"area": "East", "total": 2}, {"area": "North", "total": 1}, {"area": "West", "total": 1}]),
        ),
        // Default: numbers summed, other fields' distinct values counted.
        (
            "fields=area,when,qty&groupby=area",
            json!([
                {"area": "East", "when": 2, "qty": 5},
                {"area": "North", "when": 1, "qty": 1},
                {"area": "West", "when": 1, "qty": 5},
            ]),
        ),
        (
            "fields=area,qty,count(qty),sum(total)&groupby=area&orderby=area%20descending",
            json!([
                {"area": "West", "qty": 5, "count(qty)": 1, "sum(total)": 5.5},
                {"area": "North", "qty": 1, "count(qty)": 1, "sum(total)": 0.05},
                {"area": "East", "qty": 5, "count(qty)": 2, "sum(total)": 110.5},
            ]),
        ),
        // useBeastMode turns the default off: explicit aggregations work.
        (
            "fields=area,qty&groupby=area&sum=qty&useBeastMode=true&limit=1",
            json!([{"area": "East", "qty": 5}]),
        ),
        // limit and offset page; orderby on plain rows.
        (
            "fields=qty,area&filter=qty%20>=%202&orderby=qty%20descending&limit=2&offset=1",
            json!([{"qty": 3, "area": "East"}, {"qty": 2, "area": "East"}]),
        ),
    ] {
        assert_eq!(get(&app, &q(query)).await.ok_json(), want, "{query}");
    }
    // Grouping agrees with SQL over the same data.
    let grouped = get(&app, "/data/v1/demo?fields=Region,Units&groupby=Region")
        .await
        .ok_json();
    let via_sql = sql(
        &app,
        "demo",
        "SELECT Region, SUM(Units) FROM demo GROUP BY Region ORDER BY Region",
    )
    .await
    .ok_json();
    let from_sql: Vec<Value> = via_sql["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| json!({"Region": r[0], "Units": r[1]}))
        .collect();
    assert_eq!(grouped, Value::Array(from_sql));
    app.shutdown().await;
}

/// Each date grain on the standard calendar and on a fiscal one starting
/// in February, named as Domo names them.
#[tokio::test]
async fn every_date_grain_standard_and_fiscal() {
    let base = Scratch::new("grains");
    let app = start_app_with(&base.0, |c| EmulatorConfig {
        fiscal_year_start: 2,
        ..c
    })
    .await;
    let rows = |grain: &str, calendar: &str| {
        let app = &app;
        let url = format!(
            "/data/v2/orders?fields=when,qty&dategrain='when'%20by%20{grain}&filter='when'%20!is%20null&calendar={calendar}"
        );
        async move { get(app, &url).await.ok_json() }
    };
    for (grain, calendar, want) in [
        (
            "day",
            "standard",
            json!([
                {"Date": "2024-01-01", "qty": 3},
                {"Date": "2024-01-02", "qty": 5},
                {"Date": "2024-01-03", "qty": 2},
                {"Date": "2024-02-01", "qty": 1},
            ]),
        ),
        (
            "week",
            "standard",
            json!([{"CalendarWeek": "2023-12-31", "qty": 10}, {"CalendarWeek": "2024-01-28", "qty": 1}]),
        ),
        (
            "month",
            "standard",
            json!([{"CalendarMonth": "2024-01-01", "qty": 10}, {"CalendarMonth": "2024-02-01", "qty": 1}]),
        ),
        (
            "quarter",
            "standard",
            json!([{"CalendarQuarter": "2024-01-01", "qty": 11}]),
        ),
        ("year", "standard", json!([{"Year": 2024, "qty": 11}])),
        // Fiscal quarters run Feb-Apr, May-Jul, Aug-Oct, Nov-Jan; a fiscal
        // year is named by the year it ends in.
        (
            "quarter",
            "fiscal",
            json!([{"CalendarQuarter": "2023-11-01", "qty": 10}, {"CalendarQuarter": "2024-02-01", "qty": 1}]),
        ),
        (
            "year",
            "fiscal",
            json!([{"Year": 2024, "qty": 10}, {"Year": 2025, "qty": 1}]),
        ),
        (
            "month",
            "fiscal",
            json!([{"CalendarMonth": "2024-01-01", "qty": 10}, {"CalendarMonth": "2024-02-01", "qty": 1}]),
        ),
    ] {
        assert_eq!(rows(grain, calendar).await, want, "{grain} {calendar}");
    }
    // With groupby, ordered by the grained field (as the docs' example
    // orders by `date`); a DATETIME column grains too.
    let r = get(
        &app,
        "/data/v1/orders?fields=area,when,total&groupby=area&dategrain=when%20by%20month&filter=when%20!is%20null&orderby=when%20descending,area",
    )
    .await
    .ok_json();
    assert_eq!(
        r,
        json!([
            {"area": "North", "CalendarMonth": "2024-02-01", "total": 0.05},
            {"area": "East", "CalendarMonth": "2024-01-01", "total": 110.5},
            {"area": "West", "CalendarMonth": "2024-01-01", "total": 5.5},
        ])
    );
    let r = get(
        &app,
        "/data/v1/demo?fields=Shipped%20At,Units&dategrain=Shipped%20At%20by%20year&filter=Shipped%20At%20!is%20null",
    )
    .await
    .ok_json();
    assert!(
        r.as_array().unwrap().iter().all(|o| o["Year"].is_i64()),
        "{r}"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn every_format_by_accept() {
    let base = Scratch::new("formats");
    let app = start_app(&base.0).await;
    let path = "/data/v1/orders?fields=area,qty,total,when&orderby=total%20descending&limit=3&filter=qty%20!is%20null";
    // application/json: the detailed array-of-arrays envelope.
    let r = get_as(&app, path, "application/json").await;
    assert_eq!(r.headers["content-type"], "application/json");
    let v = r.ok_json();
    let orders = v["datasource"].as_str().unwrap().to_owned();
    assert_eq!(v["columns"], json!(["area", "qty", "total", "when"]));
    assert_eq!(
        v["rows"],
        json!([
            ["East", 2, 100.25, "2024-01-03"],
            ["East", 3, 10.25, "2024-01-01"],
            ["West", 5, 5.5, "2024-01-02"]
        ])
    );
    assert_eq!(v["numRows"], 3);
    assert_eq!(v["numColumns"], 4);
    let types: Vec<&str> = v["metadata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            assert_eq!(m["dataSourceId"], orders.as_str());
            m["type"].as_str().unwrap()
        })
        .collect();
    assert_eq!(types, ["STRING", "LONG", "DECIMAL", "DATE"]);
    // CSV: a header of field names, then the rows.
    let r = get_as(&app, path, "text/csv").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        r.text(),
        "area,qty,total,when\nEast,2,100.25,2024-01-03\nEast,3,10.25,2024-01-01\nWest,5,5.50,2024-01-02\n"
    );
    // Excel: base64 of a real .xlsx, opened here with a reader.
    let r = get_as(
        &app,
        path,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // Sent as text, as the README's differences say.
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain"),
        "{:?}",
        r.headers
    );
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(r.text().trim())
        .expect("the body is base64");
    assert!(bytes.starts_with(b"PK"), "a zip file");
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("an .xlsx");
    assert_eq!(book.sheet_names(), ["orders"]);
    let range = book.worksheet_range("orders").unwrap();
    let cells: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
    assert_eq!(
        cells[0],
        ["area", "qty", "total", "when"].map(|s| Data::String(s.into()))
    );
    assert_eq!(cells.len(), 4);
    assert_eq!(cells[1][0], Data::String("East".into()));
    assert_eq!(cells[1][1], Data::Float(2.0));
    assert_eq!(cells[1][2], Data::Float(100.25));
    match &cells[1][3] {
        Data::DateTime(d) => assert_eq!(
            d.as_f64(),
            // Excel's serial day of 2024-01-03.
            45294.0
        ),
        other => panic!("a date cell, got {other:?}"),
    }
    // Anything else is refused, naming what is answered.
    let msg = get_as(&app, path, "application/vnd.ms-excel")
        .await
        .expect_error(406);
    assert!(msg.contains("text/csv"), "{msg}");
    app.shutdown().await;
}

#[tokio::test]
async fn data_errors_name_the_alias_or_field() {
    let base = Scratch::new("errors");
    let app = start_app(&base.0).await;
    let msg = get(&app, "/data/v1/nope").await.expect_error(404);
    assert!(msg.contains("`nope`") && msg.contains("orders"), "{msg}");
    let msg = get(&app, "/data/v2/ghost").await.expect_error(404);
    assert!(
        msg.contains("ghost") && msg.contains("00000000-dead-beef-0000-000000000000"),
        "{msg}"
    );
    // `price` exists in the dataset but is not mapped: the app cannot see it.
    for (query, needle) in [
        ("fields=price", "unknown field `price`"),
        ("fields=region", "unknown field `region`"),
        ("filter=price%20>%201", "unknown field `price`"),
        ("filter=qty%20%5E%201", "expected an operator"),
        ("filter=qty%20>%20lots", "must be a number"),
        (
            "filter=area%20last%203%20days",
            "need a DATE or DATETIME field",
        ),
        ("filter=when%20last%20three%20days", "expected `last N"),
        ("groupby=nope", "unknown field `nope`"),
        ("orderby=nope%20desc", "unknown field `nope`"),
        ("fields=sum(area)", "numeric"),
        ("limit=ten", "limit"),
        (
            "fields=area,total&groupby=area&orderby=total",
            "you cannot order on an aggregation",
        ),
        ("dategrain=area%20by%20month", "DATE or DATETIME"),
        ("calendar=lunar", "calendar must be standard or fiscal"),
        (
            "fields=area,qty&groupby=area&useBeastMode=true",
            "no default aggregation",
        ),
    ] {
        let msg = get(&app, &format!("/data/v1/orders?{query}"))
            .await
            .expect_error(400);
        assert!(msg.contains(needle), "{query}: {msg}");
    }
    app.shutdown().await;
}

#[tokio::test]
async fn sql_names_the_alias_and_fields_and_stays_confined() {
    let base = Scratch::new("sql");
    let app = start_app(&base.0).await;
    let r = sql(
        &app,
        "orders",
        "SELECT area, SUM(qty) AS n, SUM(total) AS total FROM orders WHERE qty IS NOT NULL GROUP BY area ORDER BY area",
    )
    .await;
    assert_eq!(r.headers["content-type"], "application/json");
    let v = r.ok_json();
    assert_eq!(v["columns"], json!(["area", "n", "total"]));
    assert_eq!(
        v["rows"],
        json!([["East", 5, 110.5], ["North", 1, 0.05], ["West", 5, 5.5]])
    );
    assert_eq!(v["numRows"], 3);
    assert_eq!(v["numColumns"], 3);
    assert_eq!(v["metadata"][1]["type"], "LONG");

    // `table` still names it; JSON bodies work ({"sql"} or a JSON string,
    // as ryuu.js sends a string body without a content type); the alias is
    // case-insensitive like SQL names.
    for body in [
        r#"{"sql": "SELECT COUNT(*) FROM table"}"#,
        r#""SELECT COUNT(*) FROM table""#,
    ] {
        let r = app_call(
            &app,
            Method::POST,
            "/sql/v1/orders",
            Some(&app.sid),
            &[("content-type", "application/json")],
            Some(body),
        )
        .await;
        assert_eq!(r.ok_json()["rows"], json!([[5]]), "{body}");
    }
    assert_eq!(
        sql(&app, "orders", "select count(*) from ORDERS")
            .await
            .ok_json()["rows"],
        json!([[5]])
    );
    // Domo's MySQL-flavoured SQL works here too, over the field names.
    assert_eq!(
        sql(
            &app,
            "orders",
            "SELECT UCASE(`area`), MONTH(`when`), DATE_FORMAT(`when`, '%b %d') FROM `orders` WHERE `when` IS NOT NULL ORDER BY `when` LIMIT 2, 1"
        )
        .await
        .ok_json()["rows"],
        json!([["EAST", 1, "Jan 03"]])
    );
    let msg = sql(&app, "orders", "SELECT FOO_BAR(qty) FROM orders")
        .await
        .expect_error(400);
    assert!(msg.contains("unknown function FOO_BAR"), "{msg}");
    // Names resolve as the Data API resolves them: the columns behind the
    // field aliases, and unmapped columns, are not there.
    for hidden in ["region", "price"] {
        let msg = sql(&app, "orders", &format!("SELECT {hidden} FROM orders"))
            .await
            .expect_error(400);
        assert!(msg.contains(hidden), "{msg}");
    }

    for (query, needle) in [
        ("SELECT * FROM demo", "demo"),
        ("SELECT * FROM ds_1", "ds_1"),
        ("SELECT * FROM sqlite_master", "sqlite_master"),
        ("SELECT * FROM datasets", "datasets"),
        ("DROP TABLE orders", "DROP"),
        ("SELECT 1; DELETE FROM orders", "single SELECT"),
        ("ATTACH DATABASE ':memory:' AS x", "ATTACH"),
    ] {
        let msg = sql(&app, "orders", query).await.expect_error(400);
        assert!(msg.contains(needle), "{query}: {msg}");
    }
    // The refused statements changed nothing.
    assert_eq!(
        sql(&app, "orders", "SELECT COUNT(*) FROM orders")
            .await
            .ok_json()["rows"],
        json!([[5]])
    );
    let msg = sql(&app, "nope", "SELECT 1").await.expect_error(404);
    assert!(msg.contains("nope"), "{msg}");
    let msg = sql(&app, "ghost", "SELECT 1").await.expect_error(404);
    assert!(msg.contains("ghost"), "{msg}");
    app.shutdown().await;
}

/// The three places an app carries its session, in Domo's order.
#[tokio::test]
async fn the_app_session_by_header_query_parameter_or_cookie() {
    let base = Scratch::new("session");
    let app = start_app(&base.0).await;
    let sid = app.sid.clone();
    let cookie = format!("ryuu_sid={sid}");
    let query = format!("/data/v2/orders?fields=area&limit=1&ryuu_sid={sid}");
    for (path, sid_header, headers) in [
        (
            "/data/v2/orders?fields=area&limit=1",
            Some(sid.as_str()),
            vec![],
        ),
        (query.as_str(), None, vec![]),
        // @domoinc/query's bare XHR: only the cookie.
        (
            "/data/v2/orders?fields=area&limit=1",
            None,
            vec![
                ("cookie", cookie.as_str()),
                ("accept", "application/array-of-objects"),
            ],
        ),
    ] {
        let r = app_call(&app, Method::GET, path, sid_header, &headers, None).await;
        assert_eq!(r.ok_json(), json!([{"area": "East"}]), "{path} {headers:?}");
    }
    // A header wins over the cookie: a wrong one is refused even with a good cookie.
    app_call(
        &app,
        Method::GET,
        "/data/v2/orders",
        Some("wrong"),
        &[("cookie", &cookie)],
        None,
    )
    .await
    .expect_error(401);
    // A session of an earlier run says so.
    for (path, headers) in [
        ("/data/v2/orders?ryuu_sid=0123".to_owned(), vec![]),
        (
            "/data/v2/orders".to_owned(),
            vec![("cookie", "ryuu_sid=0123")],
        ),
    ] {
        let msg = app_call(&app, Method::GET, &path, None, &headers, None)
            .await
            .expect_error(401);
        assert!(msg.contains("reload"), "{msg}");
    }
    app.shutdown().await;

    // With the manifest flag, no cookie is set or read.
    let base = Scratch::new("nocookie");
    let dir = make_app(&base.0, DEMO_DATASET_ID);
    let mut manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    manifest["flags"] = json!({"authentication-cookies-disabled": true});
    write(&dir.join("manifest.json"), manifest.to_string().as_bytes());
    let emu = domo_emulator::start(EmulatorConfig {
        app_dir: Some(dir),
        demo: true,
        ..EmulatorConfig::ephemeral()
    })
    .await
    .unwrap();
    let page = app_call(&emu, Method::GET, "/", None, &[], None).await;
    assert!(page.headers.get("set-cookie").is_none());
    let sid = page
        .text()
        .split("__RYUU_SID__ = \"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let cookie = format!("ryuu_sid={sid}");
    app_call(
        &emu,
        Method::GET,
        "/data/v1/demo?limit=1",
        None,
        &[("cookie", &cookie)],
        None,
    )
    .await
    .expect_error(401);
    assert_eq!(
        app_call(
            &emu,
            Method::GET,
            "/data/v1/demo?limit=1",
            Some(&sid),
            &[],
            None
        )
        .await
        .status,
        200
    );
    emu.shutdown().await;
}

/// Domo's product APIs are for backend services: an app session gets a
/// 403 there, naming the in-app API; an API token still works.
#[tokio::test]
async fn an_app_session_is_refused_on_product_api_paths() {
    let base = Scratch::new("product");
    let app = start_app(&base.0).await;
    let sid = app.sid.clone();
    let cookie = format!("ryuu_sid={sid}");
    let list = "/api/data/v3/datasources".to_owned();
    let with_query = format!("{list}?ryuu_sid={sid}");
    /// Method, path, session header, other headers, the alternative named.
    type Case<'a> = (
        Method,
        String,
        Option<&'a str>,
        Vec<(&'a str, &'a str)>,
        &'a str,
    );
    let cases: Vec<Case<'_>> = vec![
        (
            Method::GET,
            list.clone(),
            Some(&sid),
            vec![],
            "GET /data/v2/{alias}",
        ),
        (
            Method::GET,
            with_query,
            None,
            vec![],
            "GET /data/v2/{alias}",
        ),
        (
            Method::GET,
            list.clone(),
            None,
            vec![("cookie", &cookie)],
            "GET /data/v2/{alias}",
        ),
        (
            Method::POST,
            format!("/api/data/v3/datasources/{DEMO_DATASET_ID}/uploads"),
            Some(&sid),
            vec![("content-type", "application/json")],
            "/domo/datastores/v1/collections/{name}/documents",
        ),
        (
            Method::POST,
            format!("/api/query/v1/execute/{DEMO_DATASET_ID}"),
            Some(&sid),
            vec![("content-type", "application/json")],
            "POST /sql/v1/{alias}",
        ),
        (
            Method::GET,
            "/api/content/v2/users/me".to_owned(),
            None,
            vec![("cookie", &cookie)],
            "/domo/environment/v1",
        ),
    ];
    for (method, path, sid_header, headers, needle) in cases {
        let r = app_call(&app, method, &path, sid_header, &headers, Some("{}")).await;
        let msg = r.expect_error(403);
        assert!(
            msg.contains("backend services") && msg.contains(needle),
            "{path}: {msg}"
        );
    }
    // An API token in a header is an API call, cookie or not.
    let r = app_call(
        &app,
        Method::GET,
        &list,
        None,
        &[("x-domo-developer-token", "admin"), ("cookie", &cookie)],
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    app.shutdown().await;
}

#[tokio::test]
async fn the_session_acts_for_its_user_and_permissions_apply() {
    let base = Scratch::new("auth");
    let app = start_app(&base.0).await;
    let call = |path: &'static str, sid: Option<String>| {
        let app = &app;
        async move {
            let (method, body) = if path.starts_with("/sql/") {
                (Method::POST, Some("SELECT COUNT(*) FROM table"))
            } else {
                (Method::GET, None)
            };
            app_call(app, method, path, sid.as_deref(), &[], body).await
        }
    };
    for path in ["/data/v1/orders", "/sql/v1/orders"] {
        call(path, None).await.expect_error(401);
        call(path, Some("wrong".into())).await.expect_error(401);
        // API tokens work on the app routes too: carol has no access to
        // `orders`; bob was given CAN_SHARE.
        let msg = call(path, Some("carol".into())).await.expect_error(403);
        assert!(msg.contains("user 3"), "{msg}");
        assert_eq!(call(path, Some("bob".into())).await.status, 200, "{path}");
        assert_eq!(
            call(path, Some(app.sid.clone())).await.status,
            200,
            "{path}"
        );
    }
    // Bob cannot read the demo dataset (owned by user 1).
    call("/data/v1/demo", Some("bob".into()))
        .await
        .expect_error(403);
    // Static files need no session.
    assert_eq!(call("/app.js", None).await.status, 200);
    app.shutdown().await;

    // The session acts for the first token's user: here bob.
    let base = Scratch::new("auth-bob");
    let app = start_app_with(&base.0, |c| {
        let mut c = c;
        c.tokens.insert(0, ("bob-first".into(), 2));
        c
    })
    .await;
    assert_eq!(get(&app, "/data/v1/orders?limit=1").await.status, 200);
    let msg = get(&app, "/data/v1/demo").await.expect_error(403);
    assert!(msg.contains("user 2"), "{msg}");

    // Preflight from another origin (a page served elsewhere).
    let r = app_call(
        &app,
        Method::OPTIONS,
        "/sql/v1/orders",
        None,
        &[
            ("origin", "http://localhost:3000"),
            ("access-control-request-method", "POST"),
            (
                "access-control-request-headers",
                "x-domo-ryuu-session, content-type",
            ),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, 204);
    assert_eq!(r.headers["access-control-allow-origin"], "*");
    let allowed = r.headers["access-control-allow-headers"].to_str().unwrap();
    assert!(allowed.contains("x-domo-ryuu-session"), "{allowed}");
    app.shutdown().await;
}

#[tokio::test]
async fn without_an_app_there_are_no_app_routes() {
    let base = Scratch::new("noapp");
    let dir = make_app(&base.0, "some-id");
    let emu = domo_emulator::start(EmulatorConfig {
        app_dir: Some(dir),
        ..EmulatorConfig::ephemeral()
    })
    .await
    .unwrap();
    let sid = session_of(&emu).await;
    // --demo is off, so the mapped dataset does not exist.
    let msg = app_call(&emu, Method::GET, "/data/v1/demo", Some(&sid), &[], None)
        .await
        .expect_error(404);
    assert!(
        msg.contains("demo") && msg.contains(DEMO_DATASET_ID),
        "{msg}"
    );
    emu.shutdown().await;

    let (emu, c) = common::start_default().await;
    assert!(!emu.serves_app());
    c.get("/").await.expect_error(404);
    c.get("/index.html").await.expect_error(404);
    let msg = c.get("/data/v1/orders").await.expect_error(404);
    assert!(msg.contains("--app"), "{msg}");
    emu.shutdown().await;
}

#[tokio::test]
async fn a_bad_app_directory_stops_startup_with_a_clear_error() {
    let base = Scratch::new("bad");
    let dir = base.0.join("app");
    let start_err = |dir: PathBuf| async move {
        domo_emulator::start(EmulatorConfig {
            app_dir: Some(dir),
            ..EmulatorConfig::ephemeral()
        })
        .await
        .expect_err("startup must fail")
        .to_string()
    };
    let e = start_err(dir.clone()).await;
    assert!(e.contains("--app") && e.contains("cannot open"), "{e}");
    std::fs::create_dir_all(&dir).unwrap();
    let e = start_err(dir.clone()).await;
    assert!(e.contains("index.html"), "{e}");
    write(&dir.join("index.html"), INDEX.as_bytes());
    let e = start_err(dir.clone()).await;
    assert!(e.contains("no manifest.json"), "{e}");
    write(
        &dir.join("manifest.json"),
        b"{\"mapping\": [{\"alias\": 1}]}",
    );
    let e = start_err(dir.clone()).await;
    assert!(
        e.contains("manifest.json is invalid") && e.contains("`mapping[0].alias`"),
        "{e}"
    );
    write(
        &dir.join("manifest.json"),
        br#"{"collections": [{"name": "c", "schema": {"columns": [{"name": "n", "type": "INTEGER"}]}}]}"#,
    );
    let e = start_err(dir.clone()).await;
    assert!(
        e.contains("`collections[0].schema.columns[0].type`") && e.contains("got `INTEGER`"),
        "{e}"
    );
    write(&dir.join("manifest.json"), b"not json");
    let e = start_err(dir.clone()).await;
    assert!(e.contains("manifest.json is invalid"), "{e}");
    let e = start_err(dir.join("index.html")).await;
    assert!(e.contains("not a directory"), "{e}");

    // The binary says the same on stderr and exits non-zero.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_domo-emulator"))
        .args(["--addr", "127.0.0.1:0", "--app"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("manifest.json is invalid"), "{err}");
}

#[test]
fn the_binary_announces_the_app_url() {
    use std::io::{BufRead, BufReader};
    let base = Scratch::new("bin");
    let app = make_app(&base.0, "x");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_domo-emulator"))
        .args(["--addr", "127.0.0.1:0", "--app"])
        .arg(&app)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let second = lines.next().unwrap().unwrap();
    let third = lines.next().unwrap().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let url = first.strip_prefix("listening on ").unwrap();
    assert_eq!(second, format!("app {url}/"));
    assert_eq!(third, format!("page {url}/page"));
}

/// Two differences from Domo the README lists: the app session is also
/// taken by the product API, and it never expires while the emulator runs.
#[tokio::test]
async fn the_app_session_is_refused_the_product_api_and_never_expires() {
    let base = Scratch::new("session-life");
    let clock = domo_emulator::ManualClock::at(1_709_283_600_000);
    let app = start_app_with(&base.0, |c| EmulatorConfig {
        clock: clock.clock(),
        ..c
    })
    .await;
    let manifest = get(&app, "/manifest.json").await.ok_json();
    let orders = manifest["datasetsMapping"][0]["dataSetId"]
        .as_str()
        .unwrap()
        .to_owned();
    let api = format!("/api/data/v3/datasources/{orders}");
    let msg = get(&app, &api).await.expect_error(403);
    assert!(msg.contains("backend services"), "{msg}");
    clock.advance(std::time::Duration::from_secs(400 * 24 * 3600));
    get(&app, &api).await.expect_error(403);
    get(&app, "/data/v1/orders?limit=1").await.ok_status();
    app.shutdown().await;
}
