//! Paths as real servers take them, over real sockets: every route family
//! answers the same with and without a trailing slash (pydomo's collection
//! URLs end in `/`, domolibrary asks for `.../filter-groups/?options=...`),
//! while the app's own files keep `/dir/` and `/dir` apart.

mod common;

use common::{Client, Resp, start};
use domo_emulator::{DEMO_DATASET_ID, EmulatorConfig};
use reqwest::Method;
use serde_json::{Value, json};

const ID: &str = DEMO_DATASET_ID;

/// An app directory mapping `sales` to the demo dataset, with a
/// subdirectory holding its own page.
fn app_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("domo-emulator-paths-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("help")).unwrap();
    std::fs::write(dir.join("index.html"), "<html><head></head>top</html>").unwrap();
    std::fs::write(
        dir.join("help/index.html"),
        "<html><head></head>help</html>",
    )
    .unwrap();
    std::fs::write(
        dir.join("manifest.json"),
        json!({"name": "Paths", "version": "1.0.0",
               "mapping": [{"alias": "sales", "dataSetId": ID}]})
        .to_string(),
    )
    .unwrap();
    dir
}

/// A request sent as written and with `/` added to its path (before any
/// query): both answers, which must agree.
async fn both(c: &Client, method: Method, path: &str, body: Option<&Value>) -> (Resp, Resp) {
    let slashed = match path.split_once('?') {
        Some((p, q)) => format!("{p}/?{q}"),
        None => format!("{path}/"),
    };
    let send = |p: String| {
        let body = body.map(|b| serde_json::to_vec(b).unwrap());
        let method = method.clone();
        async move {
            c.send(method, &p, body, &[("content-type", "application/json")])
                .await
        }
    };
    (send(path.to_owned()).await, send(slashed).await)
}

#[tokio::test]
async fn every_route_family_answers_with_and_without_a_trailing_slash() {
    let dir = app_dir();
    let config = EmulatorConfig {
        demo: true,
        app_dir: Some(dir.clone()),
        ..EmulatorConfig::ephemeral().with_client("app", "secret", 1)
    };
    let (emu, c) = start(config).await;
    let sid = c.dataset(ID).await["streamId"].as_i64().unwrap();
    let sql = json!({"sql": "SELECT COUNT(*) FROM table"});
    let search = json!({"query": "*", "entities": ["DATASET"], "count": 5, "offset": 0});
    // (family, method, path, body): one read of each, answered the same.
    let reads: Vec<(&str, Method, String, Option<Value>)> = vec![
        (
            "streams",
            Method::GET,
            format!("/api/data/v1/streams/{sid}"),
            None,
        ),
        (
            "stream search",
            Method::GET,
            format!("/api/data/v1/streams/search?q=dataSource.id:{ID}"),
            None,
        ),
        (
            "stream history",
            Method::GET,
            format!("/api/data/v1/streams/{sid}/history/aggregate"),
            None,
        ),
        (
            "dataset list",
            Method::GET,
            "/api/data/v3/datasources".into(),
            None,
        ),
        (
            "dataset",
            Method::GET,
            format!("/api/data/v3/datasources/{ID}"),
            None,
        ),
        (
            "schema",
            Method::GET,
            format!("/api/data/v3/datasources/{ID}/schema"),
            None,
        ),
        (
            "schema v2",
            Method::GET,
            format!("/api/data/v2/datasources/{ID}/schemas/latest"),
            None,
        ),
        (
            "indexed schema",
            Method::GET,
            format!("/api/query/v1/datasources/{ID}/schema/indexed"),
            None,
        ),
        (
            "data",
            Method::GET,
            format!("/api/data/v3/datasources/{ID}/data?limit=3"),
            None,
        ),
        (
            "export",
            Method::GET,
            format!("/api/data/v2/datasources/{ID}/dataversions/latest"),
            None,
        ),
        (
            "versions",
            Method::GET,
            format!("/api/data/v3/datasources/{ID}/dataversions/details"),
            None,
        ),
        (
            "permissions",
            Method::GET,
            format!("/api/data/v3/datasources/{ID}/permissions"),
            None,
        ),
        (
            "partitions",
            Method::GET,
            format!("/api/query/v1/datasources/{ID}/partition"),
            None,
        ),
        (
            "search",
            Method::POST,
            "/api/search/v1/query".into(),
            Some(search),
        ),
        (
            "sql",
            Method::POST,
            format!("/api/query/v1/execute/{ID}"),
            Some(sql.clone()),
        ),
        (
            "pdp switch",
            Method::GET,
            format!("/api/query/v1/data-control/{ID}"),
            None,
        ),
        (
            "pdp policies",
            Method::GET,
            format!(
                "/api/query/v1/data-control/{ID}/filter-groups?options=load_associations,load_filters,include_open_policy"
            ),
            None,
        ),
        (
            "pdp policy",
            Method::GET,
            format!("/api/query/v1/data-control/{ID}/filter-groups/0"),
            None,
        ),
        (
            "access tokens",
            Method::GET,
            "/api/data/v1/accesstokens".into(),
            None,
        ),
        (
            "who am I",
            Method::GET,
            "/api/content/v2/users/me".into(),
            None,
        ),
        (
            "app data",
            Method::GET,
            "/data/v1/sales?limit=3".into(),
            None,
        ),
        (
            "app data v2",
            Method::GET,
            "/data/v2/sales?limit=3".into(),
            None,
        ),
        ("app sql", Method::POST, "/sql/v1/sales".into(), Some(sql)),
        (
            "appdb",
            Method::GET,
            "/domo/datastores/v1/collections".into(),
            None,
        ),
        (
            "environment",
            Method::GET,
            "/domo/environment/v1".into(),
            None,
        ),
        ("app users", Method::GET, "/domo/users/v1".into(), None),
        ("app groups", Method::GET, "/domo/groups/v1".into(), None),
    ];
    for (family, method, path, body) in &reads {
        let (plain, slashed) = both(&c, method.clone(), path, body.as_ref()).await;
        assert_eq!(plain.status, 200, "{family} {path}: {}", plain.text());
        assert_eq!(slashed.status, 200, "{family} {path}/: {}", slashed.text());
        assert_eq!(plain.body, slashed.body, "{family} {path}");
    }

    // Writes: the same refusals with a slash (nothing is changed by a 400),
    // and a write sent with one lands.
    let (plain, slashed) = both(
        &c,
        Method::PUT,
        &format!("/api/data/v3/datasources/{ID}/properties"),
        Some(&json!({"dataSourceName": ""})),
    )
    .await;
    assert_eq!((plain.status.as_u16(), slashed.status.as_u16()), (400, 400));
    assert_eq!(plain.message(), slashed.message());
    let renamed = c
        .send(
            Method::PUT,
            &format!("/api/data/v3/datasources/{ID}/properties/"),
            Some(br#"{"dataSourceName": "Slashed"}"#.to_vec()),
            &[("content-type", "application/json")],
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text());
    assert_eq!(c.dataset(ID).await["name"], "Slashed");
    let (ds, _) = c.create_dataset("Via slash", &[("a", "STRING")]).await;
    let up = c
        .post(
            &format!("/api/data/v3/datasources/{ds}/uploads/"),
            &json!({"action": null}),
        )
        .await
        .ok_json()["uploadId"]
        .as_i64()
        .unwrap();
    c.put_part(&ds, up, 1, b"x\n").await.ok_json();
    let committed = c
        .json(
            Method::PUT,
            &format!("/api/data/v3/datasources/{ds}/uploads/{up}/commit/"),
            &json!({"action": "APPEND"}),
        )
        .await
        .ok_json();
    assert_eq!(committed["rowCount"], 1);

    // The public API, token and routes.
    let token_reply = reqwest::Client::new()
        .post(format!("{}/oauth/token/", emu.url()))
        .basic_auth("app", Some("secret"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(token_reply.status(), 200);
    let token: Value = serde_json::from_slice(&token_reply.bytes().await.unwrap()).unwrap();
    let bearer = format!("bearer {}", token["access_token"].as_str().unwrap());
    for path in [
        "/v1/datasets".to_owned(),
        format!("/v1/datasets/{ID}"),
        "/v1/users".to_owned(),
        "/v1/groups".to_owned(),
        format!("/v1/datasets/{ID}/policies"),
    ] {
        let base = emu.url();
        let get = |p: String| {
            let bearer = bearer.clone();
            async move {
                let r = reqwest::Client::new()
                    .get(format!("{base}{p}"))
                    .header("authorization", bearer)
                    .send()
                    .await
                    .unwrap();
                (r.status(), r.bytes().await.unwrap())
            }
        };
        let (plain, slashed) = (get(path.clone()).await, get(format!("{path}/")).await);
        assert_eq!(plain.0, 200, "{path}");
        assert_eq!(plain, slashed, "{path}");
    }

    // Unknown paths stay unknown, and say what was asked for.
    let unknown = c.get("/api/data/v3/nothing/").await;
    assert!(unknown.expect_error(404).contains("/api/data/v3/nothing/"));

    // The app's files: `/help/` is the page of the directory.
    let page = c.get("/help/").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("help"), "{}", page.text());
    assert!(c.get("/").await.text().contains("top"));
    emu.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
