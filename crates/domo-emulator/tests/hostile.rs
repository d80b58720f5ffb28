//! Hostile input: every refusal is a 4xx with the JSON error body, nothing
//! a client sends gets a 5xx, and no commit erases data by accident.

mod common;

use std::path::PathBuf;

use common::{Resp, start, start_default};
use domo_emulator::{DEMO_DATASET_ID, EmulatorConfig};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Sends raw bytes on a fresh connection; returns the status, the headers
/// (lower-cased) and the body of the answer.
async fn raw(addr: std::net::SocketAddr, request: &[u8]) -> (u16, String, Vec<u8>) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    // hyper may answer (and close) before it has read all of a huge head.
    let _ = s.write_all(request).await;
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out).await;
    let text = String::from_utf8_lossy(&out);
    let (head, _) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no complete head: {text:.300}"));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {head}"));
    let body = out[head.len() + 4..].to_vec();
    (status, head.to_ascii_lowercase(), body)
}

/// The emulator's JSON error, with its status in the body too.
fn assert_json_error(status: u16, head: &str, body: &[u8], want: u16) -> String {
    assert_eq!(status, want, "{head}\n{}", String::from_utf8_lossy(body));
    assert!(head.contains("content-type: application/json"), "{head}");
    assert!(head.contains("access-control-allow-origin: *"), "{head}");
    let v: Value = serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(body)));
    assert_eq!(v["status"], want);
    assert!(v["statusReason"].is_string() && v["toe"].is_string(), "{v}");
    v["message"].as_str().unwrap().to_owned()
}

fn get_line(target: &str) -> Vec<u8> {
    format!(
        "GET {target} HTTP/1.1\r\nHost: localhost\r\nX-DOMO-Developer-Token: dev-token\r\nConnection: close\r\n\r\n"
    )
    .into_bytes()
}

#[tokio::test]
async fn long_uris_get_a_json_414_on_both_sides_of_hyper_s_limit() {
    let (emu, _c) = start_default().await;
    // 100 KB: over hyper's own 65,534-byte limit, refused inside hyper.
    // 30 KB: under it, refused by the emulator's 16 KiB limit.
    for len in [100_000, 30_000] {
        let target = format!("/api/data/v3/datasources/{}", "a".repeat(len));
        let (status, head, body) = raw(emu.addr(), &get_line(&target)).await;
        let msg = assert_json_error(status, &head, &body, 414);
        assert!(msg.contains("16384"), "{len}: {msg}");
        // Over hyper's limit only the connection wrapper can answer; under
        // it the middleware knows the length.
        let said = if len > 65_534 {
            "over 65534 bytes".to_owned()
        } else {
            format!("{} bytes", len + 25)
        };
        assert!(msg.contains(&said), "{len}: {msg}");
        assert!(
            head.contains(&format!("content-length: {}", body.len())),
            "{head}"
        );
    }
    // Just under the limit is an ordinary request (an unknown dataset).
    let target = format!("/api/data/v3/datasources/{}", "a".repeat(16_000));
    let (status, head, body) = raw(emu.addr(), &get_line(&target)).await;
    assert_json_error(status, &head, &body, 404);
}

#[tokio::test]
async fn requests_hyper_cannot_parse_get_a_json_error() {
    let (emu, c) = start_default().await;
    for (request, want) in [
        (
            &b"GET /x HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n"[..],
            400,
        ),
        (b"G\x01T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        (b"GET /\xff\xfe HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        (b"GET / HTTP/9.9\r\nHost: a\r\n\r\n", 400),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n",
            400,
        ),
    ] {
        let (status, head, body) = raw(emu.addr(), request).await;
        assert_json_error(status, &head, &body, want);
    }
    // A header block bigger than hyper reads.
    let mut big = b"GET / HTTP/1.1\r\nHost: a\r\n".to_vec();
    for i in 0..2_000 {
        big.extend_from_slice(format!("X-Filler-{i}: {}\r\n", "v".repeat(250)).as_bytes());
    }
    big.extend_from_slice(b"\r\n");
    let (status, head, body) = raw(emu.addr(), &big).await;
    assert_json_error(status, &head, &body, 431);
    // The server still serves afterwards.
    c.get("/api/data/v1/streams/1").await.expect_error(404);
}

#[tokio::test]
async fn a_stream_with_too_many_columns_is_a_400_naming_the_limit() {
    let (_emu, c) = start_default().await;
    let cols: Vec<Value> = (0..2_000)
        .map(|i| json!({"name": format!("c{i}"), "type": "LONG"}))
        .collect();
    let msg = c
        .post(
            "/api/data/v1/streams",
            &json!({"dataSource": {"name": "wide"}, "schemaDefinition": {"columns": cols}}),
        )
        .await
        .expect_error(400);
    assert!(msg.contains("1000") && msg.contains("2000"), "{msg}");
}

#[tokio::test]
async fn trailing_bytes_and_duplicate_keys_are_refused_and_change_nothing() {
    let (_emu, c) = start_default().await;
    let (ds, _) = c.create_dataset("T", &[("k", "LONG")]).await;
    c.upload(&ds, &["1\n"], "APPEND").await;
    let up = c.start_upload(&ds).await;
    c.put_part(&ds, up, 1, b"2\n").await.ok_json();
    let commit = format!("/api/data/v3/datasources/{ds}/uploads/{up}/commit");
    for body in [
        r#"{"action":"APPEND"} x"#,
        r#"{"action":"APPEND"}{"action":"REPLACE"}"#,
        r#"{"action":"APPEND"} {}"#,
        r#"{"action":"APPEND","action":"REPLACE"}"#,
    ] {
        let msg = c
            .send(
                Method::PUT,
                &commit,
                Some(body.into()),
                &[("content-type", "application/json")],
            )
            .await
            .expect_error(400);
        assert!(
            msg.contains("JSON") || msg.contains("duplicate"),
            "{body}: {msg}"
        );
    }
    assert_eq!(c.export(&ds, false).await, "1\n");
    let uploads = format!("/api/data/v3/datasources/{ds}/uploads");
    for body in [
        r#"{"action": null} x"#,
        r#"{}{}"#,
        r#"{"action":"APPEND","action":"REPLACE"}"#,
        r#"{"dataTag":"a","dataTag":"b"}"#,
        r#"{"values":"3","values":"4"}"#,
        r#"{"values":"3"} trailing"#,
        r#"null null"#,
    ] {
        let msg = c
            .send(
                Method::POST,
                &uploads,
                Some(body.into()),
                &[("content-type", "application/json")],
            )
            .await
            .expect_error(400);
        assert!(msg.contains("JSON"), "{body}: {msg}");
    }
    assert_eq!(c.export(&ds, false).await, "1\n");
    assert_eq!(c.dataset(&ds).await["rowCount"], 1);
    // The committed upload is still open and commits normally.
    c.commit(&ds, up, &json!({"action": "APPEND"}))
        .await
        .ok_json();
    assert_eq!(c.export(&ds, false).await, "1\n2\n");
}

#[tokio::test]
async fn too_many_filter_clauses_are_a_400_naming_the_limit() {
    let dir = app_dir("filters");
    let mut cfg = EmulatorConfig::ephemeral();
    cfg.demo = true;
    cfg.app_dir = Some(dir.clone());
    let (_emu, c) = start(cfg).await;
    // 4,000 conditions fit in the 16 KiB URI with a one-letter field.
    let clauses = vec!["u=1"; 4_000].join(",");
    let msg = c
        .get(&format!("/data/v1/short?filter={clauses}"))
        .await
        .expect_error(400);
    assert!(msg.contains("256") && msg.contains("4000"), "{msg}");
    let cols = vec!["Units=1"; 1_000].join(",");
    let msg = c
        .get(&format!(
            "/api/data/v3/datasources/{DEMO_DATASET_ID}/data?filter={cols}"
        ))
        .await
        .expect_error(400);
    assert!(msg.contains("256"), "{msg}");
    // At the limit both answer.
    let ok = vec!["u>=1"; 256].join(",");
    c.get(&format!("/data/v1/short?filter={ok}"))
        .await
        .ok_json();
    let ok = vec!["Units>=1"; 256].join(",");
    c.get(&format!(
        "/api/data/v3/datasources/{DEMO_DATASET_ID}/data?filter={ok}"
    ))
    .await
    .ok_json();
    let _ = std::fs::remove_dir_all(&dir);
}

/// An app directory mapping the demo dataset as `demo` (all columns) and
/// as `short` (Units as `u`, Region as `r`).
fn app_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "domo-emulator-hostile-{tag}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<html></html>").unwrap();
    let manifest = json!({"mapping": [
        {"alias": "demo", "dataSetId": DEMO_DATASET_ID},
        {"alias": "short", "dataSetId": DEMO_DATASET_ID, "fields": [
            {"alias": "u", "columnName": "Units"}, {"alias": "r", "columnName": "Region"}]},
    ]});
    std::fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
    dir
}

/// Every refusal: a 4xx in the JSON error shape.
fn assert_refused(r: &Resp, what: &str) {
    let code = r.status.as_u16();
    assert!(
        (400..500).contains(&code),
        "{what}: {code} {}",
        String::from_utf8_lossy(&r.body[..r.body.len().min(300)])
    );
    assert_eq!(r.headers["content-type"], "application/json", "{what}");
    let v: Value =
        serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{what}: not JSON: {e}"));
    assert_eq!(v["status"], code, "{what}");
    assert!(
        v["message"].is_string() && v["toe"].is_string(),
        "{what}: {v}"
    );
}

/// Throws hostile input at every route: odd ids in every path parameter,
/// malformed and mistyped bodies, bad query parameters, long filters and
/// SQL, deep nesting and huge numbers. Every answer must be a 4xx in the
/// JSON error shape (nothing here is a request the emulator should carry out).
#[tokio::test]
async fn hostile_input_on_every_route_is_a_json_4xx() {
    let dir = app_dir("sweep");
    let mut cfg = EmulatorConfig::ephemeral();
    cfg.demo = true;
    cfg.app_dir = Some(dir.clone());
    let (_emu, c) = start(cfg).await;
    let (ds, sid) = c
        .create_dataset("H", &[("k", "LONG"), ("s", "STRING")])
        .await;
    c.upload(&ds, &["1,a\n2,b\n"], "APPEND").await;
    let up = c.start_upload(&ds).await;
    let before = c.export(&ds, false).await;

    // (method, path template, a valid body or None, content type, text params)
    // A `{user}` of any text names a principal to remove, which is a no-op
    // when absent (so a retry answers the same): only undecodable ones are refused there.
    let routes: Vec<(Method, &str, Option<String>, &str)> = vec![
        (Method::GET, "/api/data/v1/streams/{sid}", None, ""),
        (
            Method::PUT,
            "/api/data/v1/streams/{sid}",
            Some("{}".into()),
            "application/json",
        ),
        (
            Method::POST,
            "/api/data/v1/streams/{sid}/executions",
            None,
            "",
        ),
        (
            Method::PUT,
            "/api/data/v1/streams/{sid}/executions/1/part/{part}",
            Some("1,a\n".into()),
            "text/csv",
        ),
        (
            Method::PUT,
            "/api/data/v3/datasources/{id}/properties",
            Some(r#"{"dataSourceName": "x"}"#.into()),
            "application/json",
        ),
        (
            Method::POST,
            "/api/data/v2/datasources/{id}/schemas",
            Some(r#"{"columns": [{"name": "k", "type": "LONG"}]}"#.into()),
            "application/json",
        ),
        (Method::DELETE, "/api/data/v3/datasources/{id}", None, ""),
        (
            Method::GET,
            "/api/data/v1/streams/{sid}/history/aggregate",
            None,
            "",
        ),
        (Method::GET, "/api/data/v3/datasources/{id}", None, ""),
        (
            Method::GET,
            "/api/data/v3/datasources/{id}/schema",
            None,
            "",
        ),
        (
            Method::GET,
            "/api/data/v2/datasources/{id}/schemas/latest",
            None,
            "",
        ),
        (
            Method::GET,
            "/api/query/v1/datasources/{id}/schema/indexed",
            None,
            "",
        ),
        (Method::GET, "/api/data/v3/datasources/{id}/data", None, ""),
        (
            Method::GET,
            "/api/data/v2/datasources/{id}/dataversions/latest",
            None,
            "",
        ),
        (
            Method::GET,
            "/api/data/v3/datasources/{id}/dataversions/details",
            None,
            "",
        ),
        (
            Method::POST,
            "/api/data/v3/datasources/{id}/uploads",
            None,
            "",
        ),
        (
            Method::PUT,
            "/api/data/v3/datasources/{id}/uploads/{upload}/parts/{part}",
            Some("3,c\n".into()),
            "text/csv",
        ),
        (
            Method::PUT,
            "/api/data/v3/datasources/{id}/uploads/{upload}/commit",
            Some(r#"{"action":"APPEND"}"#.into()),
            "application/json",
        ),
        (
            Method::GET,
            "/api/data/v3/datasources/{id}/permissions",
            None,
            "",
        ),
        (
            Method::POST,
            "/api/data/v3/datasources/{id}/share",
            Some(r#"{"permissions":[]}"#.into()),
            "application/json",
        ),
        (
            Method::DELETE,
            "/api/data/v3/datasources/{id}/permissions/USER/{user}",
            None,
            "",
        ),
        (
            Method::DELETE,
            "/api/data/v3/datasources/{id}/USERS/{user}",
            None,
            "",
        ),
        (
            Method::DELETE,
            "/api/data/v3/datasources/{id}/users",
            Some("[]".into()),
            "application/json",
        ),
        (
            Method::POST,
            "/api/data/v3/datasources/{id}/indexes",
            None,
            "",
        ),
        (
            Method::GET,
            "/api/data/v3/datasources/{id}/indexes/{index}/statuses",
            None,
            "",
        ),
        (
            Method::POST,
            "/api/data/ui/v3/datasources/{id}/tags",
            Some("[]".into()),
            "application/json",
        ),
        (
            Method::GET,
            "/api/query/v1/datasources/{id}/partition",
            None,
            "",
        ),
        (
            Method::POST,
            "/api/query/v1/datasources/{id}/partition/list",
            None,
            "",
        ),
        (
            Method::DELETE,
            "/api/query/v1/datasources/{id}/partition/list",
            None,
            "",
        ),
        (
            Method::POST,
            "/api/query/v1/datasources/{id}/partition/search",
            Some(r#"{"filter":{}}"#.into()),
            "application/json",
        ),
        (
            Method::DELETE,
            "/api/query/v1/datasources/{id}/partition/search",
            None,
            "",
        ),
        (
            Method::DELETE,
            "/api/query/v1/datasources/{id}/partition/{pid}",
            None,
            "",
        ),
        (
            Method::DELETE,
            "/api/query/v1/datasources/{id}/tag/{pid}/data",
            None,
            "",
        ),
        (
            Method::POST,
            "/api/query/v1/execute/{id}",
            Some(r#"{"sql":"SELECT 1"}"#.into()),
            "application/json",
        ),
        (Method::GET, "/data/v1/{alias}", None, ""),
        (
            Method::POST,
            "/sql/v1/{alias}",
            Some("SELECT 1".into()),
            "text/plain",
        ),
        (Method::GET, "/api/query/v1/data-control/{id}", None, ""),
        (
            Method::PUT,
            "/api/query/v1/data-control/{id}",
            Some(r#"{"enabled":false}"#.into()),
            "application/json",
        ),
        (
            Method::GET,
            "/api/query/v1/data-control/{id}/filter-groups",
            None,
            "",
        ),
        (
            Method::POST,
            "/api/query/v1/data-control/{id}/filter-groups",
            Some(r#"{"name":"p","parameters":[]}"#.into()),
            "application/json",
        ),
        (
            Method::PUT,
            "/api/query/v1/data-control/{id}/filter-groups/{pid}",
            Some(r#"{"name":"p"}"#.into()),
            "application/json",
        ),
        (
            Method::DELETE,
            "/api/query/v1/data-control/{id}/filter-groups/{pid}",
            None,
            "",
        ),
        (Method::DELETE, "/api/data/v1/accesstokens/{pid}", None, ""),
    ];
    let huge_id = "9".repeat(10_000);
    let odd_ids: Vec<&str> = vec![
        "%ff%fe",
        "%C0%AF",
        "%zz",
        "%00",
        "a%2Fb",
        "%F0%9F%98%80",
        "-1",
        "0",
        "99999999999999999999",
        "1e3",
        "0x10",
        &huge_id,
    ];
    let valid = |name: &str| -> String {
        match name {
            "id" => ds.clone(),
            "sid" => sid.to_string(),
            "upload" => up.to_string(),
            "part" => "1".to_owned(),
            "user" => "5".to_owned(),
            "index" => "1".to_owned(),
            "pid" => "nope".to_owned(),
            _ => "demo".to_owned(),
        }
    };
    let fill = |template: &str, hostile: Option<(&str, &str)>| -> String {
        let mut path = template.to_owned();
        for name in [
            "id", "sid", "upload", "part", "user", "index", "pid", "alias",
        ] {
            let key = format!("{{{name}}}");
            let value = match hostile {
                Some((n, v)) if n == name => v.to_owned(),
                _ => valid(name),
            };
            path = path.replace(&key, &value);
        }
        path
    };
    let send = |method: Method, path: String, body: Option<Vec<u8>>, ct: &str| {
        let c = c.clone();
        let ct = ct.to_owned();
        async move {
            let headers: Vec<(&str, &str)> = if ct.is_empty() {
                vec![]
            } else {
                vec![("content-type", ct.as_str())]
            };
            c.send(method, &path, body, &headers).await
        }
    };
    let mut checked = 0;

    // 1. Odd ids in every path parameter.
    for (method, template, body, ct) in &routes {
        for name in [
            "id", "sid", "upload", "part", "user", "index", "pid", "alias",
        ] {
            if !template.contains(&format!("{{{name}}}")) {
                continue;
            }
            for odd in &odd_ids {
                let decodes = !odd.contains("%ff") && !odd.contains("%C0");
                if name == "user" && decodes {
                    continue; // removing an absent principal is a no-op
                }
                let path = fill(template, Some((name, odd)));
                let r = send(
                    method.clone(),
                    path.clone(),
                    body.clone().map(String::into_bytes),
                    ct,
                )
                .await;
                assert_refused(&r, &format!("{method} {path:.120}"));
                checked += 1;
            }
        }
    }

    // 2. Malformed JSON on every route that reads a JSON body.
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    let malformed: Vec<Vec<u8>> = vec![
        b"{\"x\":".to_vec(),
        b"{} x".to_vec(),
        b"{}{}".to_vec(),
        b"[] []".to_vec(),
        b"\xff\xfe{}".to_vec(),
        deep.into_bytes(),
        b"1e999999".to_vec(),
    ];
    let json_routes: Vec<(Method, String)> = vec![
        (Method::POST, "/api/data/v1/streams".into()),
        (Method::PUT, fill("/api/data/v1/streams/{sid}", None)),
        (
            Method::POST,
            fill("/api/data/v1/streams/{sid}/executions", None),
        ),
        (
            Method::POST,
            fill("/api/data/v3/datasources/{id}/uploads", None),
        ),
        (
            Method::PUT,
            fill(
                "/api/data/v3/datasources/{id}/uploads/{upload}/commit",
                None,
            ),
        ),
        (
            Method::POST,
            fill("/api/data/v3/datasources/{id}/share", None),
        ),
        (
            Method::DELETE,
            fill("/api/data/v3/datasources/{id}/users", None),
        ),
        (
            Method::POST,
            fill("/api/data/v3/datasources/{id}/indexes", None),
        ),
        (
            Method::POST,
            fill("/api/data/ui/v3/datasources/{id}/tags", None),
        ),
        (
            Method::POST,
            fill("/api/query/v1/datasources/{id}/partition/list", None),
        ),
        (
            Method::POST,
            fill("/api/query/v1/datasources/{id}/partition/search", None),
        ),
        (Method::POST, fill("/api/query/v1/execute/{id}", None)),
        (Method::POST, "/sql/v1/demo".into()),
        (Method::PUT, fill("/api/query/v1/data-control/{id}", None)),
        (
            Method::POST,
            fill("/api/query/v1/data-control/{id}/filter-groups", None),
        ),
        (
            Method::PUT,
            fill("/api/query/v1/data-control/{id}/filter-groups/{pid}", None),
        ),
        (Method::POST, "/api/data/v1/accesstokens".into()),
        (Method::POST, "/api/content/v2/authentication".into()),
        (Method::POST, "/api/data/v2/datasources".into()),
        (
            Method::PUT,
            fill("/api/data/v3/datasources/{id}/properties", None),
        ),
        (
            Method::POST,
            fill("/api/data/v2/datasources/{id}/schemas", None),
        ),
        (Method::POST, "/api/search/v1/query".into()),
        (Method::POST, "/api/data/ui/v3/datasources/search".into()),
    ];
    for (method, path) in &json_routes {
        for body in &malformed {
            let r = send(
                method.clone(),
                path.clone(),
                Some(body.clone()),
                "application/json",
            )
            .await;
            assert_refused(
                &r,
                &format!("{method} {path} {:.40}", String::from_utf8_lossy(body)),
            );
            checked += 1;
        }
    }

    // 3. Well-formed JSON of the wrong shape, route by route.
    let long_sql = format!("SELECT {}1", "1+".repeat(200_000));
    let wrong: Vec<(Method, String, Vec<String>)> = vec![
        (Method::POST, "/api/data/v1/streams".into(), vec![
            r#""str""#.into(), "123".into(), "true".into(), "null".into(), "[]".into(),
            r#"{"dataSource": {"name": 5}}"#.into(),
            r#"{"dataSource": {"name": "x"}, "schemaDefinition": {"columns": [{"name": "a", "type": 5}]}}"#.into(),
            r#"{"dataSource": {"name": "x"}, "schemaDefinition": {"columns": [{"name": "a\u0000b", "type": "LONG"}]}}"#.into(),
            r#"{"dataSource": {"name": "x"}, "schemaDefinition": {"columns": [{"name": "__domo_rowid__", "type": "LONG"}]}}"#.into(),
            r#"{"dataSource": {"name": "x"}, "updateMethod": ["APPEND"]}"#.into(),
        ]),
        (Method::PUT, fill("/api/data/v1/streams/{sid}", None), vec![
            r#""str""#.into(), "[]".into(), r#"{"updateMethod": 5}"#.into(), r#"{"dataSource": {"name": ""}}"#.into(),
            r#"{"schemaDefinition": {"columns": [{"name": "s", "type": "LONG"}]}}"#.into(),
        ]),
        (Method::POST, fill("/api/data/v3/datasources/{id}/uploads", None), vec![
            r#""str""#.into(), "123".into(), "[]".into(), r#"{"action": "MERGE"}"#.into(), r#"{"action": 5}"#.into(),
            r#"{"values": 5}"#.into(), r#"{"values": null}"#.into(), r#"{"values": "1,a", "delimiter": ",,"}"#.into(),
            r#"{"values": "x,a"}"#.into(), r#"{"values": "1,a\n2,b"}"#.into(),
        ]),
        (Method::PUT, fill("/api/data/v3/datasources/{id}/uploads/{upload}/commit", None), vec![
            "{}".into(), "[]".into(), r#"{"action": 5}"#.into(), r#"{"action": "MERGE"}"#.into(), r#"{"index": "yes"}"#.into(),
            r#"{"action": "APPEND", "dataTag": 5}"#.into(),
        ]),
        (Method::POST, fill("/api/data/v3/datasources/{id}/share", None), vec![
            "{}".into(), "[]".into(), r#"{"permissions": 5}"#.into(),
            r#"{"permissions": [{"id": 1.5, "accessLevel": "OWNER"}]}"#.into(),
            r#"{"permissions": [{"id": 3, "accessLevel": "READ"}]}"#.into(),
            r#"{"permissions": [{"id": 3, "type": "ROBOT", "accessLevel": "OWNER"}]}"#.into(),
            r#"{"permissions": [{"id": 3, "accessLevel": "OWNER"}], "sendEmail": "yes"}"#.into(),
        ]),
        (Method::DELETE, fill("/api/data/v3/datasources/{id}/users", None), vec![
            "{}".into(), r#"[{"id": true}]"#.into(), r#"[{"id": 1, "type": "ROBOT"}]"#.into(), r#"[{"id": "1"}]"#.into(),
        ]),
        (Method::POST, fill("/api/data/ui/v3/datasources/{id}/tags", None), vec![
            "{}".into(), "[1]".into(), r#"{"tag": "x"}"#.into(), "null".into(),
        ]),
        (Method::POST, fill("/api/query/v1/datasources/{id}/partition/list", None), vec![
            "[]".into(), "123".into(), r#"{"limit": -1}"#.into(), r#"{"limit": 1e400}"#.into(),
            r#"{"offset": 18446744073709551616}"#.into(),
            r#"{"limit": 18446744073709551616123}"#.into(), r#"{"paginationFields": [{"fieldName": "rowCount"}]}"#.into(),
            r#"{"paginationFields": [{"sortOrder": "UP"}]}"#.into(),
            r#"{"paginationFields": [{"filterValues": {"MIN": "yesterday"}}]}"#.into(),
        ]),
        (Method::POST, fill("/api/query/v1/datasources/{id}/partition/search", None), vec![
            "{}".into(), r#"{"filter": []}"#.into(), r#"{"filter": {"colour": "red"}}"#.into(),
        ]),
        (Method::POST, "/api/data/v2/datasources".into(), vec![
            "{}".into(), "[]".into(), r#"{"userDefinedType": "api", "dataSourceName": "x"}"#.into(),
            r#"{"userDefinedType": "api", "dataSourceName": "x", "schema": {"columns": [{"name": "a", "type": "BLOB"}]}}"#.into(),
            r#"{"userDefinedType": 5, "dataSourceName": "x", "schema": {"columns": []}}"#.into(),
        ]),
        (Method::PUT, fill("/api/data/v3/datasources/{id}/properties", None), vec![
            "{}".into(), "[]".into(), r#"{"dataSourceName": 5}"#.into(), r#"{"dataSourceName": ""}"#.into(),
        ]),
        (Method::POST, fill("/api/data/v2/datasources/{id}/schemas", None), vec![
            "{}".into(), r#"{"columns": 5}"#.into(), r#"{"columns": [], "objects": [1]}"#.into(),
            r#"{"columns": [{"name": "k", "type": "LONG"}, {"name": "K", "type": "LONG"}]}"#.into(),
            r#"{"columns": [{"name": "s", "type": "LONG"}, {"name": "k", "type": "LONG"}]}"#.into(),
            r#"{"columns": [{"name": "k", "type": "LONG", "upsertKey": "yes"}]}"#.into(),
        ]),
        (Method::POST, "/api/search/v1/query".into(), vec![
            "[]".into(), r#"{"filters": [{"filterType": "regex", "field": "name_sort"}]}"#.into(),
            r#"{"filters": [{"filterType": "term", "field": "owned_by_id"}]}"#.into(),
            r#"{"count": -1}"#.into(), r#"{"count": 100000}"#.into(), r#"{"entities": ["CARD"]}"#.into(),
            r#"{"sort": {"fieldSorts": [{"field": "name_sort", "sortOrder": "UP"}]}}"#.into(),
        ]),
        (Method::POST, fill("/api/query/v1/execute/{id}", None), vec![
            "{}".into(), r#"{"sql": 5}"#.into(), r#"{"sql": ""}"#.into(),
            serde_json::to_string(&json!({"sql": long_sql})).unwrap(),
            r#"{"sql": "SELECT * FROM datasets"}"#.into(), r#"{"sql": "SELECT ?"}"#.into(),
            r#"{"sql": "SELECT 1\u0000; DROP TABLE ds_1"}"#.into(),
            r#"{"sql": "SELECT zeroblob(2000000000)"}"#.into(),
            r#"{"sql": "\ud800"}"#.into(),
        ]),
    ];
    for (method, path, bodies) in &wrong {
        for body in bodies {
            let r = send(
                method.clone(),
                path.clone(),
                Some(body.clone().into_bytes()),
                "application/json",
            )
            .await;
            assert_refused(&r, &format!("{method} {path} {body:.80}"));
            checked += 1;
        }
    }
    for (ct, body) in [
        ("text/plain", b"\xff\xfe".to_vec()),
        ("text/plain", long_sql.clone().into_bytes()),
        ("text/plain", b"DELETE FROM demo".to_vec()),
        ("application/json", br#"{"sql": 5}"#.to_vec()),
    ] {
        let r = send(Method::POST, "/sql/v1/demo".into(), Some(body), ct).await;
        assert_refused(&r, "POST /sql/v1/demo");
        checked += 1;
    }

    // 4. Bad query parameters and long filters.
    let data = format!("/api/data/v3/datasources/{ds}/data");
    let many = vec!["k=1"; 1_000].join(",");
    let items = vec!["u"; 1_001].join(",");
    let queries: Vec<String> = vec![
        format!("{data}?limit=-1"),
        format!("{data}?limit=1e3"),
        format!("{data}?limit=99999999999999999999999"),
        format!("{data}?limit=2000000"),
        format!("{data}?offset=x"),
        format!("{data}?limit=1&limit=2"),
        format!("{data}?format=xml"),
        format!("{data}?format=csv&includeHeader=maybe"),
        format!("{data}?format=csv&filter=nope=1"),
        format!("{data}?filter=nope=1"),
        format!("{data}?filter=k>x"),
        format!("{data}?filter=k%20%5E%201"),
        format!("{data}?filter=%ff%fe"),
        format!("{data}?filter='unclosed"),
        format!("{data}?filter=k%20last%203"),
        format!("{data}?filter={many}"),
        format!(
            "{data}?filter=k%20in%20({})",
            (0..10_001)
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(",")
        ),
        format!("/api/data/v2/datasources/{ds}/dataversions/latest?includeHeader=maybe"),
        "/api/data/v1/streams/search".into(),
        "/api/data/v1/streams/search?q=".into(),
        "/api/data/v1/streams/search?q=name:x".into(),
        "/data/v1/demo?limit=ten".into(),
        "/data/v1/demo?offset=-1".into(),
        "/data/v1/demo?limit=99999999999999999999999".into(),
        "/data/v1/demo?fields=nope".into(),
        "/data/v1/demo?fields=sum(Region)".into(),
        "/data/v1/demo?fields=Units,Units".into(),
        "/data/v1/demo?groupby=nope".into(),
        "/data/v1/demo?orderby=nope%20desc".into(),
        "/data/v1/demo?sum=Units&max=Units".into(),
        "/data/v1/demo?dategrain=day".into(),
        "/data/v1/demo?calendar=lunar".into(),
        "/data/v1/demo?filter=Units%20todate%20x".into(),
        format!("/data/v1/short?orderby={items}"),
        format!("/data/v1/short?fields={items}"),
        format!("/data/v1/short?groupby={items}"),
        format!("/data/v1/short?sum={items}"),
        format!("/data/v1/short?filter={}", vec!["u=1"; 1_000].join(",")),
        "/data/v1/short?filter=u%20in%20(1,x)".into(),
    ];
    for q in &queries {
        let r = c.get(q).await;
        assert_refused(&r, &format!("GET {q:.120}"));
        checked += 1;
    }

    // 5. Part numbers.
    for part in [
        "0",
        "-1",
        "-9223372036854775808",
        "9223372036854775808",
        "1.5",
        "one",
    ] {
        let path = format!("/api/data/v3/datasources/{ds}/uploads/{up}/parts/{part}");
        let r = send(
            Method::PUT,
            path.clone(),
            Some(b"3,c\n".to_vec()),
            "text/csv",
        )
        .await;
        assert_refused(&r, &path);
        checked += 1;
    }
    assert!(checked > 500, "{checked} hostile requests");

    // Nothing above changed the data, and the open upload still works.
    assert_eq!(c.export(&ds, false).await, before);
    c.put_part(&ds, up, 1, b"3,c\n").await.ok_json();
    c.commit(&ds, up, &json!({"action": "APPEND"}))
        .await
        .ok_json();
    assert_eq!(c.export(&ds, false).await, format!("{before}3,c\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_empty_replace_commit_is_refused_and_keeps_the_rows() {
    let (_emu, c) = start_default().await;
    let (ds, _) = c.create_dataset("Keep", &[("k", "LONG")]).await;
    c.upload(&ds, &["1\n2\n"], "APPEND").await;
    let up = c.start_upload(&ds).await;
    let msg = c
        .commit(&ds, up, &json!({"action": "REPLACE"}))
        .await
        .expect_error(400);
    assert!(msg.contains("one empty part"), "{msg}");
    // An upload started as REPLACE is refused the same way.
    let up2 = c
        .post(
            &format!("/api/data/v3/datasources/{ds}/uploads"),
            &json!({"action": "REPLACE"}),
        )
        .await
        .ok_json()["uploadId"]
        .as_i64()
        .unwrap();
    c.commit(&ds, up2, &json!({})).await.expect_error(400);
    assert_eq!(c.export(&ds, false).await, "1\n2\n");
    // One empty part is the explicit empty REPLACE.
    c.put_part(&ds, up, 1, b"").await.ok_json();
    let r = c
        .commit(&ds, up, &json!({"action": "REPLACE"}))
        .await
        .ok_json();
    assert_eq!(r["rowCount"], 0);
    assert_eq!(c.dataset(&ds).await["rowCount"], 0);
}
