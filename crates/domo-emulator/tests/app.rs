//! Serving a custom app (`--app`): static files, the injected session id,
//! `/data/v1/{alias}` and `/sql/v1/{alias}`, their auth and confinement.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use common::Resp;
use domo_emulator::{DEMO_DATASET_ID, EmulatorConfig, RunningEmulator};
use reqwest::Method;
use serde_json::{Value, json};

const WASM: &[u8] = b"\0asm\x01\0\0\0";
const INDEX: &str =
    "<!DOCTYPE html>\n<html>\n<head>\n<title>t</title>\n</head>\n<body>app</body>\n</html>\n";

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "domo-emulator-app-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

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
    let manifest = json!({
        "name": "Test App",
        "version": "0.0.1",
        "size": {"width": 3, "height": 3},
        "mapping": [
            {"alias": "orders", "dataSetId": orders_id, "fields": [
                {"alias": "area", "columnName": "region"},
                {"alias": "qty", "columnName": "units"},
                {"alias": "total", "columnName": "amount"},
                {"alias": "when", "columnName": "day"},
            ]},
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
    .with_token("app-sid", 1)
    .with_token("bob", 2)
    .with_token("carol", 3)
}

/// Creates the `orders` dataset in a first run (its id is needed by the
/// manifest), then serves the app over the same data directory. Bob may
/// read `orders`; carol may not.
async fn start_app(base: &Path) -> RunningEmulator {
    let data = base.join("data");
    let (emu, admin) = common::start(config(&data)).await;
    let admin = admin.as_token("app-sid");
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
    let emu = domo_emulator::start(EmulatorConfig {
        app_dir: Some(app),
        ..config(&data)
    })
    .await
    .expect("the app emulator starts");
    assert!(emu.serves_app());
    emu
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

async fn get(emu: &RunningEmulator, path: &str) -> Resp {
    app_call(emu, Method::GET, path, Some("app-sid"), &[], None).await
}

async fn sql(emu: &RunningEmulator, alias: &str, sql: &str) -> Resp {
    app_call(
        emu,
        Method::POST,
        &format!("/sql/v1/{alias}"),
        Some("app-sid"),
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
    let emu = start_app(&base.0).await;

    let want = INDEX.replace(
        "<head>",
        "<head><script>window.__RYUU_SID__ = \"app-sid\";</script>",
    );
    for path in ["/", "/index.html"] {
        let r = app_call(&emu, Method::GET, path, None, &[], None).await;
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.headers["content-type"], "text/html; charset=utf-8");
        assert_eq!(r.text(), want, "{path}");
        assert_eq!(r.headers["access-control-allow-origin"], "*");
    }
    // Without a <head>, the script goes first; a directory serves its index.html.
    let r = get(&emu, "/sub/").await;
    assert_eq!(
        r.text(),
        "<script>window.__RYUU_SID__ = \"app-sid\";</script><p>no head</p>"
    );

    let r = get(&emu, "/app.js").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["content-type"], "text/javascript");
    assert_eq!(r.text(), "console.log('hi');\n");
    let r = get(&emu, "/pkg/app_bg.wasm").await;
    assert_eq!(r.headers["content-type"], "application/wasm");
    assert_eq!(r.body, WASM);
    let r = get(&emu, "/pkg/app.d.ts").await;
    assert_eq!(r.headers["content-type"], "application/typescript");
    let r = get(&emu, "/manifest.json").await;
    assert_eq!(r.headers["content-type"], "application/json");
    assert_eq!(r.json()["mapping"][1]["alias"], "demo");

    get(&emu, "/missing.js").await.expect_error(404);
    app_call(&emu, Method::POST, "/app.js", None, &[], Some("x"))
        .await
        .expect_error(405);
    // The API is still there, and unknown API paths are not files.
    let r = get(&emu, &format!("/api/data/v3/datasources/{DEMO_DATASET_ID}")).await;
    assert_eq!(r.ok_json()["name"], "Demo Sales");
    let msg = get(&emu, "/api/nope").await.expect_error(404);
    assert!(msg.contains("no endpoint"), "{msg}");
    emu.shutdown().await;
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
async fn data_returns_aliased_typed_objects_and_applies_operators() {
    let base = Scratch::new("data");
    let emu = start_app(&base.0).await;

    let r = get(&emu, "/data/v1/orders").await;
    assert_eq!(r.headers["content-type"], "application/json");
    assert_eq!(r.headers["access-control-allow-origin"], "*");
    assert_eq!(
        r.ok_json(),
        json!([
            {"area": "East", "qty": 3, "total": 10.25, "when": "2024-01-01"},
            {"area": "West", "qty": 5, "total": 5.5, "when": "2024-01-02"},
            {"area": "East", "qty": 2, "total": 100.25, "when": "2024-01-03"},
            {"area": "North", "qty": 1, "total": 0.05, "when": "2024-02-01"},
            {"area": "West", "qty": null, "total": null, "when": null},
        ])
    );
    // The key order is the field order.
    let first = r.json()[0]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect::<Vec<_>>();
    assert_eq!(first, ["area", "qty", "total", "when"]);
    for accept in ["application/array-of-objects", "application/json"] {
        let r = app_call(
            &emu,
            Method::GET,
            "/data/v1/orders",
            Some("app-sid"),
            &[("accept", accept)],
            None,
        )
        .await;
        assert_eq!(r.ok_json().as_array().unwrap().len(), 5, "{accept}");
    }

    let q = |s: &str| format!("/data/v1/orders?{s}");
    let rows = |r: Resp| r.ok_json();
    assert_eq!(
        rows(
            get(
                &emu,
                &q("fields=qty,area&filter=qty%20>=%202&orderby=qty%20descending&limit=2&offset=1")
            )
            .await
        ),
        json!([{"qty": 3, "area": "East"}, {"qty": 2, "area": "East"}])
    );
    assert_eq!(
        rows(
            get(
                &emu,
                &q("fields=area&filter=area%20in%20(North,%20'West'),qty%20!=%205")
            )
            .await
        ),
        json!([{"area": "North"}])
    );
    assert_eq!(
        rows(
            get(
                &emu,
                &q("fields=area,total&filter=area%20contains%20AS,total%20>%205")
            )
            .await
        ),
        json!([{"area": "East", "total": 10.25}, {"area": "East", "total": 100.25}])
    );
    assert_eq!(
        rows(
            get(
                &emu,
                &q("fields=when&filter=when%20<%202024-01-03,when%20>=%202024-01-02")
            )
            .await
        ),
        json!([{"when": "2024-01-02"}])
    );
    assert_eq!(
        rows(
            get(
                &emu,
                &q("fields=area,qty,count(qty),sum(total)&groupby=area&orderby=area")
            )
            .await
        ),
        json!([
            {"area": "East", "qty": 5, "count(qty)": 2, "sum(total)": 110.5},
            {"area": "North", "qty": 1, "count(qty)": 1, "sum(total)": 0.05},
            {"area": "West", "qty": 5, "count(qty)": 1, "sum(total)": 5.5},
        ])
    );
    // Domo's default for groupby: numbers summed, other fields' distinct values counted.
    assert_eq!(
        rows(
            get(
                &emu,
                &q("fields=area,when,qty&groupby=area&orderby=qty%20desc,area&limit=2")
            )
            .await
        ),
        json!([
            {"area": "East", "when": 2, "qty": 5},
            {"area": "West", "when": 1, "qty": 5},
        ])
    );
    assert_eq!(
        rows(get(&emu, &q("sum=qty&max=when")).await),
        json!([{"qty": 11, "when": "2024-02-01"}])
    );

    let r = app_call(
        &emu,
        Method::GET,
        &q("fields=area,total&orderby=total%20desc&limit=3"),
        Some("app-sid"),
        &[("accept", "text/csv")],
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(r.text(), "area,total\nEast,100.25\nEast,10.25\nWest,5.50\n");

    // The demo dataset is mapped without fields: columns under their own
    // names. Grouping agrees with SQL over the same data.
    let grouped = rows(
        get(
            &emu,
            "/data/v1/demo?fields=Region,Units&groupby=Region&orderby=Region",
        )
        .await,
    );
    let via_sql = sql(
        &emu,
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
    assert_eq!(grouped.as_array().unwrap().len(), 7); // six regions and null
    let r = rows(get(&emu, "/data/v1/demo?fields=Unit%20Price&filter=Unit%20Price%20>%2099&orderby=Unit%20Price%20descending&limit=1").await);
    assert!(r[0]["Unit Price"].as_f64().unwrap() > 99.0, "{r}");
    emu.shutdown().await;
}

#[tokio::test]
async fn data_errors_name_the_alias_or_field() {
    let base = Scratch::new("errors");
    let emu = start_app(&base.0).await;
    let msg = get(&emu, "/data/v1/nope").await.expect_error(404);
    assert!(msg.contains("`nope`") && msg.contains("orders"), "{msg}");
    let msg = get(&emu, "/data/v1/ghost").await.expect_error(404);
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
        ("groupby=nope", "unknown field `nope`"),
        ("orderby=nope%20desc", "unknown field `nope`"),
        ("fields=sum(area)", "numeric"),
        ("limit=ten", "limit"),
        (
            "fields=area&groupby=area&orderby=total",
            "order by a returned field",
        ),
    ] {
        let msg = get(&emu, &format!("/data/v1/orders?{query}"))
            .await
            .expect_error(400);
        assert!(msg.contains(needle), "{query}: {msg}");
    }
    let r = app_call(
        &emu,
        Method::GET,
        "/data/v1/orders",
        Some("app-sid"),
        &[(
            "accept",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )],
        None,
    )
    .await;
    r.expect_error(406);
    emu.shutdown().await;
}

#[tokio::test]
async fn sql_uses_the_alias_and_stays_confined() {
    let base = Scratch::new("sql");
    let emu = start_app(&base.0).await;
    let r = sql(
        &emu,
        "orders",
        "SELECT region, SUM(units) AS n, SUM(amount) AS total FROM orders WHERE units IS NOT NULL GROUP BY region ORDER BY region",
    )
    .await;
    assert_eq!(r.headers["content-type"], "application/json");
    let v = r.ok_json();
    assert_eq!(v["columns"], json!(["region", "n", "total"]));
    assert_eq!(
        v["rows"],
        json!([["East", 5, 110.5], ["North", 1, 0.05], ["West", 5, 5.5]])
    );
    assert_eq!(v["numRows"], 3);
    assert_eq!(v["numColumns"], 3);
    assert_eq!(v["metadata"][1]["type"], "LONG");

    // `table` still names it; JSON bodies work; the alias is case-insensitive like SQL names.
    let r = app_call(
        &emu,
        Method::POST,
        "/sql/v1/orders",
        Some("app-sid"),
        &[("content-type", "application/json")],
        Some(r#"{"sql": "SELECT COUNT(*) FROM table"}"#),
    )
    .await;
    assert_eq!(r.ok_json()["rows"], json!([[5]]));
    assert_eq!(
        sql(&emu, "orders", "select count(*) from ORDERS")
            .await
            .ok_json()["rows"],
        json!([[5]])
    );
    // Domo's MySQL-flavoured SQL works here too.
    assert_eq!(
        sql(
            &emu,
            "orders",
            "SELECT UCASE(`region`), MONTH(day), DATE_FORMAT(day, '%b %d') FROM `orders` WHERE day IS NOT NULL ORDER BY day LIMIT 2, 1"
        )
        .await
        .ok_json()["rows"],
        json!([["EAST", 1, "Jan 03"]])
    );
    let msg = sql(&emu, "orders", "SELECT FOO_BAR(units) FROM orders")
        .await
        .expect_error(400);
    assert!(msg.contains("unknown function FOO_BAR"), "{msg}");
    // Field aliases do not apply to SQL (as in Domo): columns go by their names.
    let msg = sql(&emu, "orders", "SELECT qty FROM orders")
        .await
        .expect_error(400);
    assert!(msg.contains("qty"), "{msg}");

    for (query, needle) in [
        ("SELECT * FROM demo", "demo"),
        ("SELECT * FROM ds_1", "ds_1"),
        ("SELECT * FROM sqlite_master", "sqlite_master"),
        ("SELECT * FROM datasets", "datasets"),
        ("DROP TABLE orders", "DROP"),
        ("SELECT 1; DELETE FROM orders", "single SELECT"),
        ("ATTACH DATABASE ':memory:' AS x", "ATTACH"),
    ] {
        let msg = sql(&emu, "orders", query).await.expect_error(400);
        assert!(msg.contains(needle), "{query}: {msg}");
    }
    // The refused statements changed nothing.
    assert_eq!(
        sql(&emu, "orders", "SELECT COUNT(*) FROM orders")
            .await
            .ok_json()["rows"],
        json!([[5]])
    );
    let msg = sql(&emu, "nope", "SELECT 1").await.expect_error(404);
    assert!(msg.contains("nope"), "{msg}");
    let msg = sql(&emu, "ghost", "SELECT 1").await.expect_error(404);
    assert!(msg.contains("ghost"), "{msg}");
    emu.shutdown().await;
}

#[tokio::test]
async fn the_ryuu_session_header_authenticates_and_permissions_apply() {
    let base = Scratch::new("auth");
    let emu = start_app(&base.0).await;
    let call = |path: &'static str, sid: Option<&'static str>| {
        let emu = &emu;
        async move {
            let (method, body) = if path.starts_with("/sql/") {
                (Method::POST, Some("SELECT COUNT(*) FROM table"))
            } else {
                (Method::GET, None)
            };
            app_call(emu, method, path, sid, &[], body).await
        }
    };
    for path in ["/data/v1/orders", "/sql/v1/orders"] {
        call(path, None).await.expect_error(401);
        call(path, Some("wrong")).await.expect_error(401);
        // Carol has no access to `orders`; bob was given CAN_SHARE.
        let msg = call(path, Some("carol")).await.expect_error(403);
        assert!(msg.contains("user 3"), "{msg}");
        assert_eq!(call(path, Some("bob")).await.status, 200, "{path}");
    }
    // Bob cannot read the demo dataset (owned by user 1).
    call("/data/v1/demo", Some("bob")).await.expect_error(403);
    // Static files need no session.
    assert_eq!(call("/app.js", None).await.status, 200);

    // Preflight from another origin (a page served elsewhere).
    let r = app_call(
        &emu,
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
    emu.shutdown().await;
}

#[tokio::test]
async fn the_first_token_is_the_session_id_and_without_an_app_there_is_none() {
    let base = Scratch::new("noapp");
    let app = make_app(&base.0, "some-id");
    // Default tokens: the page gets dev-token.
    let emu = domo_emulator::start(EmulatorConfig {
        app_dir: Some(app),
        ..EmulatorConfig::ephemeral()
    })
    .await
    .unwrap();
    let r = app_call(&emu, Method::GET, "/", None, &[], None).await;
    assert!(
        r.text()
            .contains("<head><script>window.__RYUU_SID__ = \"dev-token\";</script>"),
        "{}",
        r.text()
    );
    let r = app_call(
        &emu,
        Method::GET,
        "/data/v1/demo",
        Some("dev-token"),
        &[],
        None,
    )
    .await;
    // --demo is off, so the mapped dataset does not exist.
    let msg = r.expect_error(404);
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
        e.contains("manifest.json is invalid") && e.contains("mapping[0].alias"),
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
    let _ = child.kill();
    let _ = child.wait();
    let url = first.strip_prefix("listening on ").unwrap();
    assert_eq!(second, format!("app {url}/"));
}
