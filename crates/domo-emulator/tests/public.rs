//! Domo's public API (`/oauth/token`, `/v1/...`) over real sockets, as
//! pydomo, the Java and the Node SDKs send it: tokens and scopes, every
//! route with its status code and quirk, and one dataset seen through
//! both APIs (rows, schema, owner, permissions, row policies, people).

mod common;

use std::io::Write;

use common::{Client, Resp, Scratch};
use domo_emulator::{ClientSpec, EmulatorConfig, Password, RunningEmulator, UserSpec};
use reqwest::Method;
use serde_json::{Value, json};

const DEV: &str = "dev-admin-token"; // product API, user 1
const EAST: &str = "east-dev-token"; // product API, user 7

fn client(id: &str, secret: &str, user: i64, scopes: Option<&[&str]>) -> ClientSpec {
    ClientSpec {
        id: id.into(),
        secret: Password::new(secret),
        user_id: user,
        scopes: scopes.map(|s| s.iter().map(|x| (*x).to_owned()).collect()),
    }
}

async fn start() -> RunningEmulator {
    let config = EmulatorConfig {
        users: vec![
            UserSpec {
                id: 7,
                email: "east@example.com".into(),
                role: Some("Editor".into()),
            },
            UserSpec {
                id: 8,
                email: "west@example.com".into(),
                role: Some("Participant".into()),
            },
        ],
        clients: vec![
            client("admin-app", "admin-secret", 1, None),
            client("east-app", "east-secret", 7, None),
            client("data-app", "data-secret", 1, Some(&["data"])),
            client("user-app", "user-secret", 1, Some(&["user"])),
        ],
        ..EmulatorConfig::ephemeral()
            .with_token(DEV, 1)
            .with_token(EAST, 7)
    };
    domo_emulator::start(config).await.expect("emulator starts")
}

/// A public-API caller with a bearer token.
#[derive(Clone)]
struct Public {
    http: reqwest::Client,
    base: String,
    token: String,
}

async fn token_reply(emu: &RunningEmulator, id: &str, secret: &str, body: &str) -> Resp {
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{}/oauth/token", emu.url()))
        .basic_auth(id, Some(secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    resp(r).await
}

async fn resp(r: reqwest::Response) -> Resp {
    Resp {
        status: r.status(),
        headers: r.headers().clone(),
        body: r.bytes().await.unwrap().to_vec(),
    }
}

impl Public {
    async fn login(emu: &RunningEmulator, id: &str, secret: &str) -> Self {
        let reply = token_reply(emu, id, secret, "grant_type=client_credentials")
            .await
            .ok_json();
        Public {
            http: reqwest::Client::new(),
            base: emu.url().to_owned(),
            token: reply["access_token"].as_str().unwrap().to_owned(),
        }
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<reqwest::Body>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("authorization", format!("bearer {}", self.token))
            .header("accept", "application/json");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.body(b);
        }
        resp(req.send().await.unwrap()).await
    }

    async fn get(&self, path: &str) -> Resp {
        self.send(Method::GET, path, None, &[]).await
    }

    async fn delete(&self, path: &str) -> Resp {
        self.send(Method::DELETE, path, None, &[]).await
    }

    async fn json(&self, method: Method, path: &str, body: &Value) -> Resp {
        self.raw(method, path, serde_json::to_string(body).unwrap())
            .await
    }

    async fn raw(&self, method: Method, path: &str, body: impl Into<String>) -> Resp {
        self.send(
            method,
            path,
            Some(body.into().into()),
            &[("content-type", "application/json")],
        )
        .await
    }

    async fn csv(&self, path: &str, body: Vec<u8>, headers: &[(&str, &str)]) -> Resp {
        self.send(Method::PUT, path, Some(body.into()), headers)
            .await
    }

    /// A dataset made with `POST /v1/datasets`; its id.
    async fn create_dataset(&self, name: &str, columns: &[(&str, &str)]) -> String {
        let cols: Vec<Value> = columns
            .iter()
            .map(|(n, t)| json!({"type": t, "name": n}))
            .collect();
        let r = self
            .json(
                Method::POST,
                "/v1/datasets",
                &json!({"name": name, "description": "d", "rows": 99, "schema": {"columns": cols}}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        r.json()["id"].as_str().unwrap().to_owned()
    }
}

trait Status {
    fn status_is(&self, code: u16) -> &Self;
}

impl Status for Resp {
    fn status_is(&self, code: u16) -> &Self {
        assert_eq!(self.status.as_u16(), code, "{}", self.text());
        self
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn jwt_claims(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).expect("three segments");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn tokens_come_from_client_credentials() {
    let emu = start().await;
    // pydomo: POST, Basic auth, a form body.
    let r = token_reply(
        &emu,
        "admin-app",
        "admin-secret",
        "grant_type=client_credentials",
    );
    let reply = r.await.ok_json();
    assert_eq!(reply["token_type"], "bearer");
    assert_eq!(reply["userId"], 1);
    assert_eq!(reply["role"], "Admin");
    assert_eq!(reply["expires_in"], 3600);
    let scope = reply["scope"].as_str().unwrap();
    assert!(scope.contains("data") && scope.contains("user"), "{scope}");
    let token = reply["access_token"].as_str().unwrap();
    assert_eq!(token.split('.').count(), 3, "a JWT");
    let claims = jwt_claims(token);
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );
    // A narrower scope (pydomo joins its list with spaces).
    let reply = token_reply(
        &emu,
        "admin-app",
        "admin-secret",
        "grant_type=client_credentials&scope=data+user",
    )
    .await
    .ok_json();
    assert_eq!(reply["scope"], "data user");
    // Node and the docs' curl: GET with the query string.
    let http = reqwest::Client::new();
    let r = http
        .get(format!(
            "{}/oauth/token?grant_type=client_credentials&scope=data",
            emu.url()
        ))
        .basic_auth("east-app", Some("east-secret"))
        .send()
        .await
        .unwrap();
    let reply = resp(r).await.ok_json();
    assert_eq!(
        (reply["userId"].clone(), reply["scope"].clone()),
        (json!(7), json!("data"))
    );
    // Refusals.
    let r = token_reply(&emu, "admin-app", "wrong", "grant_type=client_credentials").await;
    r.expect_error(401);
    assert!(
        r.headers["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic")
    );
    assert!(!r.text().contains("wrong"));
    token_reply(&emu, "nobody", "x", "grant_type=client_credentials")
        .await
        .expect_error(401);
    let m = token_reply(&emu, "admin-app", "admin-secret", "grant_type=password")
        .await
        .expect_error(400);
    assert!(m.contains("client_credentials"), "{m}");
    token_reply(&emu, "admin-app", "admin-secret", "")
        .await
        .expect_error(400);
    let m = token_reply(
        &emu,
        "data-app",
        "data-secret",
        "grant_type=client_credentials&scope=user",
    )
    .await
    .expect_error(400);
    assert!(m.contains("user"), "{m}");
    emu.shutdown().await;
}

#[tokio::test]
async fn bearer_tokens_and_scopes_guard_every_route() {
    let emu = start().await;
    let admin = Public::login(&emu, "admin-app", "admin-secret").await;
    // The scheme in any case: pydomo sends `bearer`, Java `Bearer`.
    for scheme in ["bearer", "Bearer", "BEARER"] {
        let r = reqwest::Client::new()
            .get(format!("{}/v1/datasets", emu.url()))
            .header("authorization", format!("{scheme} {}", admin.token))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{scheme}");
    }
    // No token, a forged one, a product-API token: 401 (never 403), with
    // a Bearer challenge.
    let none = reqwest::Client::new()
        .get(format!("{}/v1/datasets", emu.url()))
        .send()
        .await
        .unwrap();
    let none = resp(none).await;
    none.expect_error(401);
    assert!(
        none.headers["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    for bad in [
        format!("{}x", admin.token),
        "not.a.jwt".to_owned(),
        DEV.to_owned(),
    ] {
        let forged = Public {
            token: bad,
            ..admin.clone()
        };
        let r = forged.get("/v1/users").await;
        r.expect_error(401);
        assert!(
            r.headers["www-authenticate"]
                .to_str()
                .unwrap()
                .contains("invalid_token")
        );
    }
    // The product API does not take public tokens either.
    let r = reqwest::Client::new()
        .get(format!("{}/api/data/v3/datasources", emu.url()))
        .header("x-domo-developer-token", &admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // A token without the route's scope: 403 naming it.
    let data_only = Public::login(&emu, "data-app", "data-secret").await;
    data_only.get("/v1/datasets").await.status_is(200);
    let m = data_only.get("/v1/users").await.expect_error(403);
    assert!(m.contains("`user`"), "{m}");
    data_only.get("/v1/groups/").await.expect_error(403);
    let user_only = Public::login(&emu, "user-app", "user-secret").await;
    user_only.get("/v1/users").await.status_is(200);
    let m = user_only.get("/v1/streams").await.expect_error(403);
    assert!(m.contains("`data`"), "{m}");
    user_only
        .json(Method::POST, "/v1/datasets", &json!({"name": "x"}))
        .await
        .expect_error(403);
    // Routes the emulator does not serve say so.
    for path in ["/v1/pages", "/v1/accounts"] {
        let m = admin.get(path).await.expect_error(404);
        assert!(m.contains("not emulated"), "{path}: {m}");
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn datasets_page_sort_filter_and_change() {
    let emu = start().await;
    let admin = Public::login(&emu, "admin-app", "admin-secret").await;
    let a = admin
        .create_dataset("Sales East", &[("region", "STRING"), ("units", "LONG")])
        .await;
    let b = admin.create_dataset("Costs", &[("x", "DOUBLE")]).await;
    let c = admin.create_dataset("sales west", &[("d", "DATE")]).await;

    // The single GET: schema columns exactly {"type","name"}, in that order.
    let r = admin.get(&format!("/v1/datasets/{a}")).await;
    let text = r.status_is(200).text();
    assert!(
        text.contains(r#""schema":{"columns":[{"type":"STRING","name":"region"},{"type":"LONG","name":"units"}]}"#),
        "{text}"
    );
    let v = r.json();
    assert_eq!(
        (
            v["rows"].clone(),
            v["columns"].clone(),
            v["owner"]["id"].clone()
        ),
        (json!(0), json!(2), json!(1)),
        "`rows` in the create body is ignored"
    );
    assert_eq!(v["pdpEnabled"], false);
    assert_eq!(v["policies"], json!([]));
    assert!(v["createdAt"].as_str().unwrap().ends_with('Z'));

    let names = |r: Resp| -> Vec<String> {
        r.ok_json()
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].as_str().unwrap().to_owned())
            .collect()
    };
    // pydomo sends nameLike= empty, and limit=0 after a short page.
    let all = names(admin.get("/v1/datasets?limit=50&offset=0&nameLike=").await);
    assert_eq!(all, ["Sales East", "Costs", "sales west"]);
    assert_eq!(
        names(admin.get("/v1/datasets?limit=0&offset=0").await).len(),
        3
    );
    assert_eq!(names(admin.get("/v1/datasets/?limit=1000").await).len(), 3);
    assert_eq!(
        names(admin.get("/v1/datasets?limit=2&offset=2").await),
        ["sales west"]
    );
    assert!(names(admin.get("/v1/datasets?limit=0&offset=10").await).is_empty());
    assert_eq!(
        names(admin.get("/v1/datasets?nameLike=SALES").await),
        ["Sales East", "sales west"]
    );
    assert_eq!(
        names(admin.get("/v1/datasets?sort=name").await),
        ["Costs", "Sales East", "sales west"]
    );
    assert_eq!(
        names(admin.get("/v1/datasets?sort=nameDescending").await),
        ["sales west", "Sales East", "Costs"]
    );
    assert_eq!(
        names(admin.get("/v1/datasets?sort=cardCount").await).len(),
        3
    );
    let m = admin.get("/v1/datasets?sort=size").await.expect_error(400);
    assert!(m.contains("nameDescending"), "{m}");
    admin.get("/v1/datasets?limit=-1").await.expect_error(400);

    // PUT: any subset; the reply is the dataset.
    let v = admin
        .json(
            Method::PUT,
            &format!("/v1/datasets/{b}"),
            &json!({"name": "Costs 2025", "description": "new"}),
        )
        .await
        .ok_json();
    assert_eq!(
        (v["name"].clone(), v["description"].clone()),
        (json!("Costs 2025"), json!("new"))
    );
    assert_eq!(v["schema"]["columns"][0]["name"], "x", "untouched");
    let v = admin
        .json(
            Method::PUT,
            &format!("/v1/datasets/{b}"),
            &json!({"schema": {"columns": [{"type": "DOUBLE", "name": "x"}, {"type": "STRING", "name": "note"}]}}),
        )
        .await
        .ok_json();
    assert_eq!(v["columns"], 2);
    // The owner changes hands; the old owner keeps co-ownership.
    let v = admin
        .json(
            Method::PUT,
            &format!("/v1/datasets/{b}"),
            &json!({"owner": {"id": 7}}),
        )
        .await
        .ok_json();
    assert_eq!(v["owner"]["id"], 7);
    let perms = Client::new(emu.url(), DEV)
        .get(&format!("/api/data/v3/datasources/{b}/permissions"))
        .await
        .ok_json();
    let text = perms.to_string();
    assert!(
        text.contains(r#""id":"7""#) || text.contains(r#""id":7"#),
        "{text}"
    );
    let m = admin
        .json(
            Method::PUT,
            &format!("/v1/datasets/{b}"),
            &json!({"owner": {"id": 4242}}),
        )
        .await
        .expect_error(400);
    assert!(m.contains("4242"), "{m}");
    admin
        .json(
            Method::PUT,
            &format!("/v1/datasets/{b}"),
            &json!({"name": "  "}),
        )
        .await
        .expect_error(400);

    // DELETE: 204, then 404 everywhere.
    let r = admin.delete(&format!("/v1/datasets/{c}")).await;
    r.status_is(204);
    assert!(r.body.is_empty());
    let m = admin
        .get(&format!("/v1/datasets/{c}"))
        .await
        .expect_error(404);
    assert!(m.contains("deleted"), "{m}");
    emu.shutdown().await;
}

#[tokio::test]
async fn import_export_and_query() {
    let emu = start().await;
    let admin = Public::login(&emu, "admin-app", "admin-secret").await;
    let id = admin
        .create_dataset(
            "Orders",
            &[
                ("name", "STRING"),
                ("units", "LONG"),
                ("price", "DOUBLE"),
                ("day", "DATETIME"),
            ],
        )
        .await;
    let data = format!("/v1/datasets/{id}/data");
    // pandas' to_csv(header=False): dates with a space, a missing value.
    let csv = "a,1,1.5,2024-01-01 00:00:00\nb,2,,2024-01-02 12:34:56.123\n";
    let r = admin
        .csv(
            &format!("{data}?updateMethod=REPLACE"),
            csv.into(),
            &[("content-type", "text/csv")],
        )
        .await;
    r.status_is(204);
    assert!(r.body.is_empty());
    // APPEND, gzip sent as text/csv without Content-Encoding (Java, curl).
    admin
        .csv(
            &format!("{data}?updateMethod=APPEND"),
            gzip(b"c,3,3.25,2024-01-03\n"),
            &[("content-type", "text/csv")],
        )
        .await
        .status_is(204);
    // Export: Python booleans, a header only when asked, nulls empty,
    // LONG as integers.
    let r = admin
        .send(
            Method::GET,
            &format!("{data}?includeHeader=True"),
            None,
            &[("accept", "text/csv")],
        )
        .await;
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert_eq!(
        r.status_is(200).text(),
        "name,units,price,day\na,1,1.5,2024-01-01T00:00:00\nb,2,,2024-01-02T12:34:56\nc,3,3.25,2024-01-03T00:00:00\n"
    );
    let r = admin
        .get(&format!("{data}?includeHeader=False&fileName=orders.csv"))
        .await;
    assert!(r.status_is(200).text().starts_with("a,1,"));
    assert_eq!(
        r.headers["content-disposition"],
        "attachment; filename=\"orders.csv\""
    );
    assert!(
        admin.get(&data).await.text().starts_with("a,1,"),
        "no header by default"
    );
    admin
        .get(&format!("{data}?includeHeader=maybe"))
        .await
        .expect_error(400);
    // A bad row: 400 naming it, nothing changed.
    let m = admin
        .csv(
            &format!("{data}?updateMethod=APPEND"),
            b"d,four,1,2024-01-01\n".to_vec(),
            &[],
        )
        .await
        .expect_error(400);
    assert!(m.contains("row 1") && m.contains("units"), "{m}");
    // Any updateMethod but APPEND replaces (Domo's documented fallback).
    admin
        .csv(
            &format!("{data}?updateMethod=append"),
            b"z,9,9,2024-02-02\n".to_vec(),
            &[],
        )
        .await
        .status_is(204);
    assert_eq!(
        admin.get(&data).await.text(),
        "z,9,9.0,2024-02-02T00:00:00\n".replace("9.0", "9")
    );
    // Chunked bodies (pydomo streams file objects).
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![
        Ok(b"p,1,1,2024-01-01\n".to_vec()),
        Ok(b"q,2,2,2024-01-02\n".to_vec()),
    ];
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
    admin
        .send(
            Method::PUT,
            &format!("{data}?updateMethod=REPLACE"),
            Some(body),
            &[],
        )
        .await
        .status_is(204);
    // SQL: column names and rows as lists (pandas builds a DataFrame).
    let v = admin
        .json(
            Method::POST,
            &format!("/v1/datasets/query/execute/{id}"),
            &json!({"sql": "SELECT name, units FROM table ORDER BY units DESC"}),
        )
        .await
        .ok_json();
    assert_eq!(v["columns"], json!(["name", "units"]));
    assert_eq!(v["rows"], json!([["q", 2], ["p", 1]]));
    assert_eq!(v["numRows"], 2);
    // pydomo's docstring mistake: {"sql": {"sql": ...}} is a 400.
    admin
        .json(
            Method::POST,
            &format!("/v1/datasets/query/execute/{id}"),
            &json!({"sql": {"sql": "SELECT 1"}}),
        )
        .await
        .expect_error(400);
    emu.shutdown().await;
}

#[tokio::test]
async fn streams_executions_and_parts() {
    let emu = start().await;
    let admin = Public::login(&emu, "admin-app", "admin-secret").await;
    // pydomo's ds_create body, to the trailing-slash URL.
    let r = admin
        .json(
            Method::POST,
            "/v1/streams/",
            &json!({"dataSet": {"name": "Events", "description": "d", "schema": {"columns": [
                {"type": "STRING", "name": "who"}, {"type": "LONG", "name": "n"}]}},
                "updateMethod": "REPLACE"}),
        )
        .await;
    let s = r.status_is(201).json();
    let sid = s["id"].as_i64().unwrap();
    let ds = s["dataSet"]["id"].as_str().unwrap().to_owned();
    assert_eq!(s["updateMethod"], "REPLACE");
    // Found by dataset id, owner and name.
    for q in [
        format!("dataSource.id:{ds}"),
        "dataSource.owner:1".to_owned(),
        "dataSource.name:events".to_owned(),
    ] {
        let found = admin
            .get(&format!("/v1/streams/search?q={q}&fields=all"))
            .await
            .ok_json();
        assert_eq!(found[0]["id"], sid, "{q}");
    }
    let none = admin
        .get("/v1/streams/search?q=dataSource.owner:7")
        .await
        .ok_json();
    assert_eq!(none, json!([]));
    admin
        .get("/v1/streams/search?q=name:x")
        .await
        .expect_error(400);
    assert_eq!(
        admin
            .get("/v1/streams/?limit=1000&offset=0&fields=all")
            .await
            .ok_json()[0]["id"],
        sid
    );
    assert_eq!(
        admin.get("/v1/streams?limit=10&offset=1").await.ok_json(),
        json!([])
    );

    let execs = format!("/v1/streams/{sid}/executions");
    // Creation bodies of each SDK: pydomo, Java (null, ""), Node (none).
    let mut ids = Vec::new();
    for body in [r#"{"updateMethod": null}"#, "null", r#""""#, ""] {
        let r = admin.raw(Method::POST, &execs, body).await;
        let e = r.status_is(201).json();
        assert_eq!(e["currentState"], "ACTIVE", "{body}");
        ids.push(e["id"].as_i64().unwrap());
    }
    // Abort the current ones: 204, whatever is active.
    let r = admin
        .raw(Method::PUT, &format!("{execs}/abort"), "{}")
        .await;
    r.status_is(204);
    let e = admin.get(&format!("{execs}/{}", ids[0])).await.ok_json();
    assert_eq!(e["currentState"], "ABORTED");
    admin
        .raw(Method::PUT, &format!("{execs}/abort"), "")
        .await
        .status_is(204);

    // A load: parts from 0, each in one of the four gzip shapes, one sent twice.
    let e = admin
        .raw(Method::POST, &execs, r#"{"updateMethod": "APPEND"}"#)
        .await
        .ok_json_created();
    let eid = e["id"].as_i64().unwrap();
    assert_eq!(e["updateMethod"], "APPEND");
    let part = |n: i64| format!("{execs}/{eid}/part/{n}");
    let r = admin
        .csv(
            &part(0),
            gzip(b"wrong,0\n"),
            &[("content-type", "text/csv"), ("content-encoding", "gzip")],
        )
        .await;
    assert_eq!(
        r.status_is(200).json()["id"],
        eid,
        "the execution comes back"
    );
    admin
        .csv(
            &part(0),
            gzip(b"a,1\n"),
            &[("content-type", "text/csv"), ("content-encoding", "gzip")],
        )
        .await
        .status_is(200);
    admin
        .csv(
            &part(1),
            gzip(b"b,2\n"),
            &[("content-type", "application/gzip")],
        )
        .await
        .status_is(200);
    admin
        .csv(&part(2), gzip(b"c,3\n"), &[("content-type", "text/csv")])
        .await
        .status_is(200);
    admin
        .csv(&part(3), b"d,4\n".to_vec(), &[("content-type", "text/csv")])
        .await
        .status_is(200);
    admin
        .csv(&part(-1), b"x\n".to_vec(), &[])
        .await
        .expect_error(400);
    let done = admin
        .raw(Method::PUT, &format!("{execs}/{eid}/commit"), "{}")
        .await
        .ok_json();
    assert_eq!(
        (done["id"].clone(), done["currentState"].clone()),
        (json!(eid), json!("SUCCESS"))
    );
    assert_eq!(
        admin.get(&format!("/v1/datasets/{ds}/data")).await.text(),
        "a,1\nb,2\nc,3\nd,4\n"
    );
    // A gap in the parts is refused, the load stays open.
    let e2 = admin.raw(Method::POST, &execs, "").await.ok_json_created();
    let e2 = e2["id"].as_i64().unwrap();
    admin
        .csv(&format!("{execs}/{e2}/part/1"), b"e,5\n".to_vec(), &[])
        .await
        .status_is(200);
    admin
        .csv(&format!("{execs}/{e2}/part/3"), b"f,6\n".to_vec(), &[])
        .await
        .status_is(200);
    let m = admin
        .raw(Method::PUT, &format!("{execs}/{e2}/commit"), r#""""#)
        .await
        .expect_error(400);
    assert!(m.contains("part 2 is missing"), "{m}");
    let a = admin
        .raw(Method::PUT, &format!("{execs}/{e2}/abort"), "{}")
        .await
        .ok_json();
    assert_eq!(a["currentState"], "ABORTED");
    let list = admin
        .get(&format!("{execs}?limit=500&offset=0"))
        .await
        .ok_json();
    let listed: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed.len(), 6);
    assert!(listed.windows(2).all(|w| w[0] < w[1]), "oldest first");
    assert_eq!(
        admin.get(&format!("{execs}?offset=6")).await.ok_json(),
        json!([])
    );
    admin
        .get(&format!("{execs}/999999"))
        .await
        .expect_error(404);

    // PATCH: the update method (pydomo's example sends the whole stream).
    let v = admin
        .json(
            Method::PATCH,
            &format!("/v1/streams/{sid}"),
            &json!({"dataSet": {"name": "Events", "description": "d"}, "updateMethod": "APPEND"}),
        )
        .await
        .ok_json();
    assert_eq!(v["updateMethod"], "APPEND");
    assert_eq!(
        admin.get(&format!("/v1/streams/{sid}")).await.ok_json()["updateMethod"],
        "APPEND"
    );
    // DELETE: 204 (pydomo insists), and the dataset stays.
    admin
        .delete(&format!("/v1/streams/{sid}"))
        .await
        .status_is(204);
    admin
        .get(&format!("/v1/streams/{sid}"))
        .await
        .expect_error(404);
    assert_eq!(
        admin.get(&format!("/v1/datasets/{ds}")).await.ok_json()["rows"],
        4
    );
    assert_eq!(
        admin
            .get(&format!("/v1/streams/search?q=dataSource.id:{ds}"))
            .await
            .ok_json(),
        json!([])
    );

    // An upsert stream: pydomo sends "UPSERT" with keyColumnNames.
    let s = admin
        .json(
            Method::POST,
            "/v1/streams",
            &json!({"dataSet": {"name": "Keyed", "schema": {"columns": [
                {"type": "LONG", "name": "id"}, {"type": "STRING", "name": "v"}]}},
                "updateMethod": "UPSERT", "keyColumnNames": ["id"]}),
        )
        .await
        .ok_json_created();
    assert_eq!(s["keyColumnNames"], json!(["id"]));
    let sid = s["id"].as_i64().unwrap();
    for body in ["1,a\n2,b\n", "2,B\n3,c\n"] {
        let e = admin
            .raw(Method::POST, &format!("/v1/streams/{sid}/executions"), "{}")
            .await
            .ok_json_created();
        let eid = e["id"].as_i64().unwrap();
        admin
            .csv(
                &format!("/v1/streams/{sid}/executions/{eid}/part/1"),
                body.into(),
                &[],
            )
            .await
            .status_is(200);
        admin
            .raw(
                Method::PUT,
                &format!("/v1/streams/{sid}/executions/{eid}/commit"),
                "{}",
            )
            .await
            .status_is(200);
    }
    let ds = s["dataSet"]["id"].as_str().unwrap();
    assert_eq!(
        admin.get(&format!("/v1/datasets/{ds}/data")).await.text(),
        "1,a\n2,B\n3,c\n"
    );
    let m = admin
        .json(
            Method::POST,
            "/v1/streams",
            &json!({"dataSet": {"name": "K", "schema": {"columns": [{"type": "LONG", "name": "id"}]}},
                "updateMethod": "UPSERT"}),
        )
        .await
        .expect_error(400);
    assert!(m.contains("keyColumnNames"), "{m}");
    emu.shutdown().await;
}

trait Created {
    fn ok_json_created(&self) -> Value;
}

impl Created for Resp {
    fn ok_json_created(&self) -> Value {
        self.status_is(201).json()
    }
}

#[tokio::test]
async fn policies_are_filter_groups_on_both_apis() {
    let emu = start().await;
    let admin = Public::login(&emu, "admin-app", "admin-secret").await;
    let east = Public::login(&emu, "east-app", "east-secret").await;
    let product = Client::new(emu.url(), DEV);
    let id = admin
        .create_dataset("Sales", &[("region", "STRING"), ("units", "LONG")])
        .await;
    admin
        .csv(
            &format!("/v1/datasets/{id}/data"),
            b"East,5\nWest,7\nEast,9\n,1\n".to_vec(),
            &[],
        )
        .await
        .status_is(204);
    // User 7 may read it (a product-API share).
    product
        .post(
            &format!("/api/data/v3/datasources/{id}/share"),
            &json!({"permissions": [{"type": "USER", "id": "7", "accessLevel": "CAN_SHARE"}],
                    "sendEmail": false}),
        )
        .await
        .ok_status();
    // A public policy: EQUALS East, for user 7.
    let policies = format!("/v1/datasets/{id}/policies");
    let p = admin
        .json(
            Method::POST,
            &policies,
            &json!({"name": "East only", "type": "user", "users": [7], "groups": [],
                    "filters": [{"column": "region", "values": ["East"], "operator": "EQUALS", "not": false}]}),
        )
        .await
        .ok_json_created();
    let pid = p["id"].as_i64().unwrap();
    assert_eq!(
        p["filters"][0],
        json!({"column": "region", "values": ["East"], "operator": "EQUALS", "not": false})
    );
    // PDP is off until the dataset says so; then it holds on both APIs.
    assert_eq!(
        east.get(&format!("/v1/datasets/{id}/data"))
            .await
            .text()
            .lines()
            .count(),
        4
    );
    let v = admin
        .json(
            Method::PUT,
            &format!("/v1/datasets/{id}"),
            &json!({"pdpEnabled": true}),
        )
        .await
        .ok_json();
    assert_eq!(v["pdpEnabled"], true);
    assert_eq!(v["policies"][0]["id"], pid);
    assert_eq!(
        east.get(&format!("/v1/datasets/{id}/data")).await.text(),
        "East,5\nEast,9\n"
    );
    let q = east
        .json(
            Method::POST,
            &format!("/v1/datasets/query/execute/{id}"),
            &json!({"sql": "SELECT COUNT(*) FROM table"}),
        )
        .await
        .ok_json();
    assert_eq!(q["rows"], json!([[2]]));
    assert_eq!(
        east.get(&format!("/v1/datasets/{id}")).await.ok_json()["rows"],
        2
    );
    let east_product = Client::new(emu.url(), EAST);
    assert_eq!(east_product.export(&id, false).await, "East,5\nEast,9\n");
    // The product API lists it as a filter group; `not` becomes NOT_EQUALS.
    admin
        .json(
            Method::PUT,
            &format!("{policies}/{pid}"),
            &json!({"id": pid, "name": "Not East", "users": [7],
                    "filters": [{"column": "region", "values": ["East"], "operator": "EQUALS", "not": true}]}),
        )
        .await
        .status_is(200);
    let groups = product
        .get(&format!("/api/query/v1/data-control/{id}/filter-groups"))
        .await
        .ok_json();
    assert_eq!(groups[0]["name"], "Not East");
    assert_eq!(groups[0]["parameters"][0]["operator"], "NOT_EQUALS");
    assert_eq!(
        east.get(&format!("/v1/datasets/{id}/data")).await.text(),
        "West,7\n,1\n",
        "a null is not East"
    );
    // A product-API filter group shows through /v1, and applies there.
    let made = product
        .post(
            &format!("/api/query/v1/data-control/{id}/filter-groups"),
            &json!({"name": "Big", "userIds": [7], "parameters": [
                {"type": "COLUMN", "name": "units", "values": ["9"], "operator": "EQUALS"}]}),
        )
        .await
        .ok_json();
    let listed = admin.get(&policies).await.ok_json();
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert_eq!(listed[1]["id"], made["filterGroupId"]);
    assert_eq!(listed[1]["filters"][0]["operator"], "EQUALS");
    assert_eq!(
        east.get(&format!("/v1/datasets/{id}/data")).await.text(),
        "West,7\nEast,9\n,1\n",
        "the union of the user's policies"
    );
    // The public operators.
    for (filter, rows) in [
        (
            json!({"column": "units", "values": ["6"], "operator": "GREATER_THAN"}),
            "West,7\nEast,9\n",
        ),
        (
            json!({"column": "units", "values": ["5", "7"], "operator": "BETWEEN"}),
            "East,5\nWest,7\n",
        ),
        (
            json!({"column": "region", "values": ["Ea"], "operator": "BEGINS_WITH"}),
            "East,5\nEast,9\n",
        ),
        (
            json!({"column": "region", "values": ["st"], "operator": "ENDS_WITH", "not": true}),
            ",1\n",
        ),
        (
            json!({"column": "region", "values": ["es"], "operator": "CONTAINS"}),
            "West,7\n",
        ),
        (
            json!({"column": "units", "values": ["5"], "operator": "LESS_THAN_EQUAL"}),
            "East,5\n,1\n",
        ),
    ] {
        admin
            .json(
                Method::PUT,
                &format!("{policies}/{pid}"),
                &json!({"name": "op", "users": [7], "filters": [filter]}),
            )
            .await
            .status_is(200);
        product
            .send(
                Method::DELETE,
                &format!(
                    "/api/query/v1/data-control/{id}/filter-groups/{}",
                    made["filterGroupId"]
                ),
                None,
                &[],
            )
            .await;
        assert_eq!(
            east.get(&format!("/v1/datasets/{id}/data")).await.text(),
            rows,
            "{filter}"
        );
    }
    // Refusals: unknown users and groups, a column that is not there.
    let m = admin
        .json(
            Method::POST,
            &policies,
            &json!({"name": "x", "users": [4242], "filters": [{"column": "region", "values": ["a"], "operator": "EQUALS"}]}),
        )
        .await
        .expect_error(400);
    assert!(m.contains("user 4242"), "{m}");
    admin
        .json(
            Method::POST,
            &policies,
            &json!({"name": "x", "groups": [99], "filters": [{"column": "region", "values": ["a"], "operator": "EQUALS"}]}),
        )
        .await
        .expect_error(400);
    let m = admin
        .json(
            Method::POST,
            &policies,
            &json!({"name": "x", "users": [7], "filters": [{"column": "nope", "values": ["a"], "operator": "EQUALS"}]}),
        )
        .await
        .expect_error(400);
    assert!(m.contains("nope"), "{m}");
    // A reader who does not manage the dataset cannot read its policies.
    east.get(&policies).await.expect_error(403);
    assert_eq!(
        admin.get(&format!("{policies}/{pid}")).await.ok_json()["name"],
        "op"
    );
    admin
        .delete(&format!("{policies}/{pid}"))
        .await
        .status_is(204);
    admin
        .get(&format!("{policies}/{pid}"))
        .await
        .expect_error(404);
    emu.shutdown().await;
}

#[tokio::test]
async fn users_and_groups_are_the_registry() {
    let emu = start().await;
    let admin = Public::login(&emu, "admin-app", "admin-secret").await;
    let east = Public::login(&emu, "east-app", "east-secret").await;
    // pydomo's users_add: POST /v1/users/?sendInvite=False.
    let u = admin
        .json(
            Method::POST,
            "/v1/users/?sendInvite=False",
            &json!({"name": "Ada Lovelace", "email": "ada@example.com", "role": "Participant", "title": "Analyst"}),
        )
        .await
        .ok_json();
    let ada = u["id"].as_i64().unwrap();
    assert_eq!(
        (
            u["name"].clone(),
            u["role"].clone(),
            u["roleId"].clone(),
            u["title"].clone()
        ),
        (
            json!("Ada Lovelace"),
            json!("Participant"),
            json!(4),
            json!("Analyst")
        )
    );
    admin
        .json(
            Method::POST,
            "/v1/users",
            &json!({"name": "Dup", "email": "ADA@example.com", "role": "Editor"}),
        )
        .await
        .expect_error(409);
    admin
        .json(
            Method::POST,
            "/v1/users",
            &json!({"name": "R", "email": "r@example.com", "role": "Boss"}),
        )
        .await
        .expect_error(400);
    // Only an Admin changes people.
    east.json(
        Method::POST,
        "/v1/users",
        &json!({"name": "E", "email": "e@example.com", "role": "Editor"}),
    )
    .await
    .expect_error(403);
    // Listing pages until [] (users_list sends limit=500).
    let ids = |v: Value| -> Vec<i64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(
        ids(admin.get("/v1/users/?limit=500&offset=0").await.ok_json()),
        [1, 7, 8, ada]
    );
    assert_eq!(
        admin.get("/v1/users/?limit=500&offset=500").await.ok_json(),
        json!([])
    );
    assert_eq!(
        ids(admin.get("/v1/users?limit=2&offset=1").await.ok_json()),
        [7, 8]
    );
    let u = admin
        .json(
            Method::PUT,
            &format!("/v1/users/{ada}"),
            &json!({"name": "Ada King", "email": "ada@example.com", "role": "Editor"}),
        )
        .await
        .ok_json();
    assert_eq!(
        (u["name"].clone(), u["title"].clone()),
        (json!("Ada King"), json!("Analyst"))
    );
    // The product API knows her: she can be shared with and log in by token.
    let product = Client::new(emu.url(), DEV);
    let id = admin.create_dataset("Shared", &[("a", "STRING")]).await;
    product
        .post(
            &format!("/api/data/v3/datasources/{id}/share"),
            &json!({"permissions": [{"type": "USER", "id": ada.to_string(), "accessLevel": "CAN_EDIT"}], "sendEmail": false}),
        )
        .await
        .ok_status();

    // Groups: pydomo's groups_create sends "active": "true" as a string.
    let g = admin
        .json(
            Method::POST,
            "/v1/groups/",
            &json!({"name": "Analysts", "active": "true"}),
        )
        .await
        .ok_json();
    let gid = g["id"].as_i64().unwrap();
    assert_eq!(
        (
            g["active"].clone(),
            g["default"].clone(),
            g["memberCount"].clone()
        ),
        (json!(true), json!(false), json!(0))
    );
    admin
        .json(Method::POST, "/v1/groups", &json!({"name": "analysts"}))
        .await
        .expect_error(409);
    for user in [ada, 7] {
        let r = admin
            .raw(Method::PUT, &format!("/v1/groups/{gid}/users/{user}"), "{}")
            .await;
        r.status_is(204);
    }
    admin
        .raw(Method::PUT, &format!("/v1/groups/{gid}/users/4242"), "{}")
        .await
        .expect_error(404);
    assert_eq!(
        admin
            .get(&format!("/v1/groups/{gid}/users?limit=500&offset=0"))
            .await
            .ok_json(),
        json!([7, ada])
    );
    assert_eq!(
        admin
            .get(&format!("/v1/groups/{gid}/users?limit=500&offset=500"))
            .await
            .ok_json(),
        json!([])
    );
    assert_eq!(
        admin.get(&format!("/v1/users/{ada}")).await.ok_json()["groups"],
        json!([{"id": gid, "name": "Analysts"}])
    );
    let g = admin
        .json(
            Method::PUT,
            &format!("/v1/groups/{gid}"),
            &json!({"name": "Data people", "active": false, "default": false}),
        )
        .await
        .ok_json();
    assert_eq!(
        (
            g["name"].clone(),
            g["active"].clone(),
            g["memberCount"].clone()
        ),
        (json!("Data people"), json!(false), json!(2))
    );
    assert!(
        admin
            .get("/v1/groups?limit=500&offset=0")
            .await
            .ok_json()
            .to_string()
            .contains("Data people")
    );
    // A group made here filters rows for its members.
    admin
        .csv(&format!("/v1/datasets/{id}/data"), b"x\ny\n".to_vec(), &[])
        .await
        .status_is(204);
    product
        .post(
            &format!("/api/data/v3/datasources/{id}/share"),
            &json!({"permissions": [{"type": "USER", "id": "7", "accessLevel": "CAN_SHARE"}], "sendEmail": false}),
        )
        .await
        .ok_status();
    admin
        .json(
            Method::POST,
            &format!("/v1/datasets/{id}/policies"),
            &json!({"name": "x only", "groups": [gid], "filters": [{"column": "a", "values": ["x"], "operator": "EQUALS"}]}),
        )
        .await
        .status_is(201);
    admin
        .json(
            Method::PUT,
            &format!("/v1/datasets/{id}"),
            &json!({"pdpEnabled": true}),
        )
        .await
        .ok_status();
    assert_eq!(
        east.get(&format!("/v1/datasets/{id}/data")).await.text(),
        "x\n"
    );
    // Membership goes: pydomo's groups_delete removes each member, then the group.
    for user in [7, ada, 7] {
        admin
            .delete(&format!("/v1/groups/{gid}/users/{user}"))
            .await
            .status_is(204);
    }
    assert_eq!(
        east.get(&format!("/v1/datasets/{id}/data")).await.text(),
        ""
    );
    admin
        .delete(&format!("/v1/groups/{gid}"))
        .await
        .status_is(204);
    admin
        .get(&format!("/v1/groups/{gid}"))
        .await
        .expect_error(404);
    // A user who owns a dataset stays until it has another owner.
    let owned = admin.create_dataset("Ada's", &[("a", "STRING")]).await;
    admin
        .json(
            Method::PUT,
            &format!("/v1/datasets/{owned}"),
            &json!({"owner": {"id": ada}}),
        )
        .await
        .ok_status();
    let m = admin
        .delete(&format!("/v1/users/{ada}"))
        .await
        .expect_error(409);
    assert!(m.contains(&owned), "{m}");
    admin
        .json(
            Method::PUT,
            &format!("/v1/datasets/{owned}"),
            &json!({"owner": {"id": 1}}),
        )
        .await
        .ok_status();
    admin
        .delete(&format!("/v1/users/{ada}"))
        .await
        .status_is(204);
    admin
        .get(&format!("/v1/users/{ada}"))
        .await
        .expect_error(404);
    admin.delete("/v1/users/1").await.expect_error(400);
    admin.get("/v1/users/abc").await.expect_error(404);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_dataset_is_the_same_through_both_apis() {
    let emu = start().await;
    let admin = Public::login(&emu, "admin-app", "admin-secret").await;
    let product = Client::new(emu.url(), DEV);
    // Made through /v1, read through /api.
    let id = admin
        .create_dataset("Twin", &[("k", "STRING"), ("n", "LONG")])
        .await;
    admin
        .csv(
            &format!("/v1/datasets/{id}/data"),
            b"a,1\nb,2\n".to_vec(),
            &[],
        )
        .await
        .status_is(204);
    let v = product.dataset(&id).await;
    assert_eq!(
        (
            v["name"].clone(),
            v["rowCount"].clone(),
            v["columnCount"].clone(),
            v["owner"]["id"].clone()
        ),
        (json!("Twin"), json!(2), json!(2), json!(1))
    );
    assert_eq!(product.export(&id, false).await, "a,1\nb,2\n");
    let schema = product
        .get(&format!("/api/data/v3/datasources/{id}/schema"))
        .await
        .ok_json();
    assert!(schema.to_string().contains("\"LONG\""), "{schema}");
    // Made through /api (a stream), loaded and read through /v1.
    let (pid, sid) = product
        .create_dataset("Product-made", &[("w", "STRING"), ("d", "DATE")])
        .await;
    let s = admin
        .get(&format!("/v1/streams/search?q=dataSource.id:{pid}"))
        .await
        .ok_json();
    assert_eq!(s[0]["id"], sid);
    let e = admin
        .raw(
            Method::POST,
            &format!("/v1/streams/{sid}/executions"),
            r#"{"updateMethod": null}"#,
        )
        .await
        .ok_json_created();
    let eid = e["id"].as_i64().unwrap();
    admin
        .csv(
            &format!("/v1/streams/{sid}/executions/{eid}/part/0"),
            gzip(b"x,2024-05-06\n"),
            &[("content-encoding", "gzip")],
        )
        .await
        .status_is(200);
    admin
        .raw(
            Method::PUT,
            &format!("/v1/streams/{sid}/executions/{eid}/commit"),
            "",
        )
        .await
        .status_is(200);
    assert_eq!(product.export(&pid, true).await, "w,d\nx,2024-05-06\n");
    let v = admin.get(&format!("/v1/datasets/{pid}")).await.ok_json();
    assert_eq!(
        v["schema"],
        json!({"columns": [{"type": "STRING", "name": "w"}, {"type": "DATE", "name": "d"}]})
    );
    assert_eq!(v["rows"], 1);
    // Deleted on one, gone on the other.
    product
        .send(
            Method::DELETE,
            &format!("/api/data/v3/datasources/{id}"),
            None,
            &[],
        )
        .await;
    admin
        .get(&format!("/v1/datasets/{id}"))
        .await
        .expect_error(404);
    admin
        .delete(&format!("/v1/datasets/{pid}"))
        .await
        .status_is(204);
    product
        .get(&format!("/api/data/v3/datasources/{pid}"))
        .await
        .expect_error(404);
    emu.shutdown().await;
}

/// Two of the README's differences from Domo: execution ids are counted
/// across streams (Domo counts them per stream, so each stream's first is
/// 1), and neither a stream's commits (Domo: one per 15 minutes) nor a
/// dataset's uploads (Domo: one per hour) are rate limited.
#[tokio::test]
async fn execution_ids_span_streams_and_loads_are_not_rate_limited() {
    let emu = start().await;
    let admin = Public::login(&emu, "admin-app", "admin-secret").await;
    let mut streams = Vec::new();
    for name in ["First", "Second"] {
        let s = admin
            .json(
                Method::POST,
                "/v1/streams",
                &json!({"dataSet": {"name": name, "schema": {"columns": [{"type": "LONG", "name": "n"}]}},
                        "updateMethod": "APPEND"}),
            )
            .await
            .ok_json_created();
        streams.push((
            s["id"].as_i64().unwrap(),
            s["dataSet"]["id"].as_str().unwrap().to_owned(),
        ));
    }
    // One load: an execution, a part, the commit; the execution's id.
    let load = |sid: i64, n: i64| {
        let admin = admin.clone();
        async move {
            let execs = format!("/v1/streams/{sid}/executions");
            let e = admin.raw(Method::POST, &execs, "").await.ok_json_created();
            let eid = e["id"].as_i64().unwrap();
            admin
                .csv(
                    &format!("{execs}/{eid}/part/1"),
                    format!("{n}\n").into_bytes(),
                    &[("content-type", "text/csv")],
                )
                .await
                .status_is(200);
            let done = admin
                .raw(Method::PUT, &format!("{execs}/{eid}/commit"), "{}")
                .await
                .ok_json();
            assert_eq!(done["currentState"], "SUCCESS", "{done}");
            eid
        }
    };
    let (first, second) = (streams[0].0, streams[1].0);
    // Domo: 1, then 1 again on the other stream.
    assert_eq!(load(first, 1).await, 1);
    assert_eq!(load(second, 2).await, 2);
    // Commits back to back on one stream, on a clock that did not move.
    assert_eq!(load(first, 3).await, 3);
    assert_eq!(load(first, 4).await, 4);
    assert_eq!(
        admin
            .get(&format!("/v1/datasets/{}/data", streams[0].1))
            .await
            .text(),
        "1\n3\n4\n"
    );
    // Uploads back to back to one dataset.
    let data = format!("/v1/datasets/{}/data?updateMethod=APPEND", streams[1].1);
    for n in [5, 6, 7] {
        admin
            .csv(
                &data,
                format!("{n}\n").into_bytes(),
                &[("content-type", "text/csv")],
            )
            .await
            .status_is(204);
    }
    assert_eq!(
        admin
            .get(&format!("/v1/datasets/{}/data", streams[1].1))
            .await
            .text(),
        "2\n5\n6\n7\n"
    );
    emu.shutdown().await;
}

/// The README's "live until the emulator restarts": with a data directory,
/// datasets survive a restart, but people and groups made through `/v1`
/// do not (the registry is installed from the flags at every start), and
/// neither do access tokens (signed with a key made at start).
#[tokio::test]
async fn people_and_tokens_made_through_v1_end_with_the_run() {
    let dir = Scratch::new("public-restart");
    let config = || EmulatorConfig {
        data_dir: Some(dir.0.clone()),
        clients: vec![client("admin-app", "admin-secret", 1, None)],
        ..EmulatorConfig::ephemeral()
    };
    let emu = domo_emulator::start(config())
        .await
        .expect("emulator starts");
    let admin = Public::login(&emu, "admin-app", "admin-secret").await;
    let pat = admin
        .json(
            Method::POST,
            "/v1/users",
            &json!({"name": "Pat", "email": "pat@example.com", "role": "Participant"}),
        )
        .await
        .ok_json()["id"]
        .as_i64()
        .unwrap();
    let ops = admin
        .json(Method::POST, "/v1/groups", &json!({"name": "Ops"}))
        .await
        .ok_json()["id"]
        .as_i64()
        .unwrap();
    admin
        .send(
            Method::PUT,
            &format!("/v1/groups/{ops}/users/{pat}"),
            None,
            &[],
        )
        .await
        .status_is(204);
    let ds = admin.create_dataset("Kept", &[("n", "LONG")]).await;
    admin.get(&format!("/v1/users/{pat}")).await.ok_json();
    emu.shutdown().await;

    let emu = domo_emulator::start(config())
        .await
        .expect("emulator restarts");
    let old = Public {
        base: emu.url().to_owned(),
        ..admin.clone()
    };
    old.get(&format!("/v1/datasets/{ds}"))
        .await
        .expect_error(401);
    let admin = Public::login(&emu, "admin-app", "admin-secret").await;
    assert_eq!(
        admin.get(&format!("/v1/datasets/{ds}")).await.ok_json()["name"],
        "Kept"
    );
    admin
        .get(&format!("/v1/users/{pat}"))
        .await
        .expect_error(404);
    admin
        .get(&format!("/v1/groups/{ops}"))
        .await
        .expect_error(404);
    let users = admin.get("/v1/users").await.ok_json();
    assert!(
        users
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["email"] != "pat@example.com"),
        "{users}"
    );
    emu.shutdown().await;
}
