//! One row per endpoint: the exact method, path, query, headers and body each
//! request type builds, against the seed's own examples (dataset `abc123`,
//! user `user456`, stream `stream123`, ...), and the decoding of the seed's
//! documented response through the endpoint itself.

use bytes::Bytes;
use domo_core::data::{DataWindow, ExportCsv, GetData, GetDataCsv};
use domo_core::datasets::*;
use domo_core::indexes::{IndexStatus, StartIndex};
use domo_core::partitions::*;
use domo_core::permissions::*;
use domo_core::query::ExecuteQuery;
use domo_core::schema::{AlterSchema, GetIndexedSchema, GetLatestSchema, GetSchema};
use domo_core::streams::*;
use domo_core::tags::SetTags;
use domo_core::uploads::*;
use domo_core::users::WhoAmI;
use domo_core::versions::ListDataVersions;
use domo_core::{BaseUrl, Config, Credentials, Endpoint, JsonEndpoint, Prepared};
use domo_model::indexes::IndexRequest;
use domo_model::permissions::{AccessLevel, Permission, PrincipalRef, ShareRequest};
use domo_model::streams::{
    DataProvider, RunStreamRequest, StreamDataSource, StreamRequest, Transport,
};
use domo_model::uploads::{AppendRowRequest, CommitRequest, UploadAction, UploadStartRequest};
use serde_json::{Value, json};

const TOKEN: &str = "tok-3f9a";

fn config() -> Config {
    Config::new(
        BaseUrl::instance("acme").unwrap(),
        Credentials::developer_token(TOKEN),
    )
}

struct Row {
    name: &'static str,
    prepared: Prepared,
    method: &'static str,
    uri: &'static str,
    content_type: Option<&'static str>,
    accept: &'static str,
    body: Option<Value>,
    idempotent: bool,
}

fn row<E: Endpoint>(
    name: &'static str,
    e: E,
    method: &'static str,
    uri: &'static str,
    body: Option<Value>,
) -> Row {
    let prepared = config()
        .prepare(&e)
        .unwrap_or_else(|err| panic!("{name}: {err}"));
    Row {
        name,
        idempotent: e.idempotent(),
        content_type: body.as_ref().map(|_| "application/json"),
        accept: e.accept(),
        prepared,
        method,
        uri,
        body,
    }
}

const A: &str = "https://acme.domo.com";

fn stream_body() -> StreamRequest {
    StreamRequest {
        transport: Some(Transport {
            kind: "exampleType".into(),
            version: Some("1.0".into()),
            ..Default::default()
        }),
        configuration: Some(vec![json!({"key": "exampleKey", "value": "exampleValue"})]),
        account: Some(json!({"id": "accountId"})),
        update_method: Some("APPEND".into()),
        data_provider: Some(DataProvider {
            key: "providerKey".into(),
            ..Default::default()
        }),
        data_source: Some(StreamDataSource {
            name: Some("exampleName".into()),
            description: Some("exampleDescription".into()),
            ..Default::default()
        }),
        advanced_schedule_json: Some("{}".into()),
        ..Default::default()
    }
}

fn ds() -> String {
    "abc123".into()
}

fn rows() -> Vec<Row> {
    let window = DataWindow {
        offset: Some(0),
        limit: Some(10),
        filter: None,
    };
    vec![
        row(
            "Get Partition List / Retrieve Partition List",
            ListPartitions { dataset_id: ds() },
            "GET",
            "/api/query/v1/datasources/abc123/partition",
            None,
        ),
        row(
            "Search Partition List",
            SearchPartitions {
                dataset_id: ds(),
                filter: json!({"status": "active"}),
            },
            "POST",
            "/api/query/v1/datasources/abc123/partition/search",
            Some(json!({"filter": {"status": "active"}})),
        ),
        row(
            "Get DataSource",
            GetDataset {
                part: vec!["core".into(), "permission".into()],
                include_all_details: Some(true),
                ..GetDataset::new("abc123")
            },
            "GET",
            "/api/data/v3/datasources/abc123?part=core%2Cpermission&includeAllDetails=true",
            None,
        ),
        row(
            "Query with SQL",
            ExecuteQuery {
                dataset_id: "12345".into(),
                sql: "SELECT * FROM table".into(),
            },
            "POST",
            "/api/query/v1/execute/12345",
            Some(json!({"sql": "SELECT * FROM table"})),
        ),
        row(
            "Dataset Access List",
            ListPermissions { dataset_id: ds() },
            "GET",
            "/api/data/v3/datasources/abc123/permissions",
            None,
        ),
        row(
            "Revoke Dataset Access",
            RevokeUser {
                dataset_id: ds(),
                user_id: "user456".into(),
            },
            "DELETE",
            "/api/data/v3/datasources/abc123/permissions/USER/user456",
            None,
        ),
        row(
            "Get Metadata",
            GetDataset {
                requested_parts: vec!["core".into(), "permission".into()],
                ..GetDataset::new("abc123")
            },
            "GET",
            "/api/data/v3/datasources/abc123?requestedParts=core%2Cpermission",
            None,
        ),
        row(
            "Append Row to Dataset",
            AppendRow {
                dataset_id: ds(),
                request: AppendRowRequest {
                    values: "value1,value2,value3".into(),
                    delimiter: ",".into(),
                },
            },
            "POST",
            "/api/data/v3/datasources/abc123/uploads",
            Some(json!({"values": "value1,value2,value3", "delimiter": ","})),
        ),
        row(
            "Stream - Create",
            CreateStream {
                request: stream_body(),
            },
            "POST",
            "/api/data/v1/streams",
            Some(
                json!({"transport": {"type": "exampleType", "version": "1.0"}, "configuration": [{"key": "exampleKey", "value": "exampleValue"}],
                "account": {"id": "accountId"}, "updateMethod": "APPEND", "dataProvider": {"key": "providerKey"},
                "dataSource": {"name": "exampleName", "description": "exampleDescription"}, "advancedScheduleJson": "{}"}),
            ),
        ),
        row(
            "Stream - Get",
            GetStream {
                stream_id: "stream123".into(),
            },
            "GET",
            "/api/data/v1/streams/stream123",
            None,
        ),
        row(
            "Stream - Update",
            UpdateStream {
                stream_id: "stream123".into(),
                request: stream_body(),
            },
            "PUT",
            "/api/data/v1/streams/stream123",
            Some(serde_json::to_value(stream_body()).unwrap()),
        ),
        row(
            "Stream Execution History",
            StreamHistory {
                stream_id: "stream123".into(),
            },
            "GET",
            "/api/data/v1/streams/stream123/history/aggregate",
            None,
        ),
        row(
            "Execute Dataset Stream",
            RunStream {
                stream_id: "stream123".into(),
                request: RunStreamRequest::default(),
            },
            "POST",
            "/api/data/v1/streams/stream123/executions",
            Some(json!({"action": "MANUAL"})),
        ),
        row(
            "Create Dataset Tag",
            SetTags {
                dataset_id: ds(),
                tags: vec!["tag1".into(), "tag2".into()],
            },
            "POST",
            "/api/data/ui/v3/datasources/abc123/tags",
            Some(json!(["tag1", "tag2"])),
        ),
        row(
            "Share Dataset",
            Share {
                dataset_id: ds(),
                request: ShareRequest {
                    permissions: vec![
                        Permission::user("user1", AccessLevel::Other("READ".into())),
                        Permission::group("group1", AccessLevel::Other("WRITE".into())),
                    ],
                    send_email: true,
                },
            },
            "POST",
            "/api/data/v3/datasources/abc123/share",
            Some(
                json!({"permissions": [{"id": "user1", "type": "USER", "accessLevel": "READ"}, {"id": "group1", "type": "GROUP", "accessLevel": "WRITE"}], "sendEmail": true}),
            ),
        ),
        row(
            "Remove User from Dataset",
            RemoveUser {
                dataset_id: ds(),
                user_id: "user456".into(),
            },
            "DELETE",
            "/api/data/v3/datasources/abc123/USERS/user456",
            None,
        ),
        row(
            "Remove Multiple Users",
            RemoveUsers {
                dataset_id: ds(),
                users: vec![PrincipalRef::user("user1"), PrincipalRef::user("user2")],
            },
            "DELETE",
            "/api/data/v3/datasources/abc123/users",
            Some(json!([{"id": "user1", "type": "USER"}, {"id": "user2", "type": "USER"}])),
        ),
        row(
            "Upload CSV - Get Upload ID",
            StartUpload {
                dataset_id: ds(),
                request: UploadStartRequest::default(),
            },
            "POST",
            "/api/data/v3/datasources/abc123/uploads",
            Some(json!({"action": null, "appendId": null})),
        ),
        row(
            "Upload CSV - Commit and Index",
            CommitUpload {
                dataset_id: ds(),
                upload_id: "upload123".into(),
                request: CommitRequest::new(UploadAction::Append),
            },
            "PUT",
            "/api/data/v3/datasources/abc123/uploads/upload123/commit",
            Some(json!({"action": "APPEND", "index": true})),
        ),
        row(
            "Get Data Versions",
            ListDataVersions { dataset_id: ds() },
            "GET",
            "/api/data/v3/datasources/abc123/dataversions/details",
            None,
        ),
        row(
            "Get Dataset Schema",
            GetSchema { dataset_id: ds() },
            "GET",
            "/api/data/v3/datasources/abc123/schema",
            None,
        ),
        row(
            "Get Dataset Data",
            GetData {
                dataset_id: ds(),
                window: window.clone(),
            },
            "GET",
            "/api/data/v3/datasources/abc123/data?offset=0&limit=10",
            None,
        ),
        row(
            "Get Dataset Data (CSV)",
            GetDataCsv {
                dataset_id: ds(),
                window,
            },
            "GET",
            "/api/data/v3/datasources/abc123/data?format=csv&offset=0&limit=10",
            None,
        ),
        row(
            "Delete Partition Tag",
            DeletePartitionTag {
                dataset_id: ds(),
                partition_id: "partition456".into(),
            },
            "DELETE",
            "/api/query/v1/datasources/abc123/partition/partition456",
            None,
        ),
        row(
            "Delete Data Version",
            DeletePartitionData {
                dataset_id: ds(),
                partition_id: "partition456".into(),
            },
            "DELETE",
            "/api/query/v1/datasources/abc123/tag/partition456/data",
            None,
        ),
        // Beyond the seed: what real clients send.
        row(
            "Partitioned commit",
            CommitUpload {
                dataset_id: ds(),
                upload_id: "10".into(),
                request: CommitRequest::partition(UploadAction::Append, "2024-01"),
            },
            "PUT",
            "/api/data/v3/datasources/abc123/uploads/10/commit",
            Some(
                json!({"action": "APPEND", "index": true, "dataTag": "2024-01", "appendId": "latest"}),
            ),
        ),
        row(
            "Partition list (real)",
            ListPartitionsPage {
                dataset_id: ds(),
                limit: 100,
                offset: 200,
            },
            "POST",
            "/api/query/v1/datasources/abc123/partition/list",
            Some(
                json!({"paginationFields": [{"fieldName": "datecompleted", "sortOrder": "DESC", "filterValues": {"MIN": null, "MAX": null}}], "limit": 100, "offset": 200}),
            ),
        ),
        row(
            "Index start",
            StartIndex {
                dataset_id: ds(),
                request: IndexRequest::default(),
            },
            "POST",
            "/api/data/v3/datasources/abc123/indexes",
            Some(json!({"dataIds": []})),
        ),
        row(
            "Index status",
            IndexStatus {
                dataset_id: ds(),
                index_id: "77".into(),
            },
            "GET",
            "/api/data/v3/datasources/abc123/indexes/77/statuses",
            None,
        ),
        row(
            "Latest schema (v2)",
            GetLatestSchema { dataset_id: ds() },
            "GET",
            "/api/data/v2/datasources/abc123/schemas/latest",
            None,
        ),
        row(
            "Indexed schema",
            GetIndexedSchema {
                dataset_id: ds(),
                include_hidden: false,
            },
            "GET",
            "/api/query/v1/datasources/abc123/schema/indexed?includeHidden=false",
            None,
        ),
        row(
            "CSV export (v2)",
            ExportCsv {
                dataset_id: ds(),
                include_header: true,
            },
            "GET",
            "/api/data/v2/datasources/abc123/dataversions/latest?includeHeader=true",
            None,
        ),
        row(
            "Stream search",
            SearchStreams { dataset_id: ds() },
            "GET",
            "/api/data/v1/streams/search?q=dataSource.id%3Aabc123",
            None,
        ),
    ]
}

#[test]
fn every_endpoint_builds_the_exact_request() {
    let rows = rows();
    assert_eq!(
        rows.len(),
        33,
        "25 seed sections (the two partition lists are one) + 8 real endpoints"
    );
    for r in rows {
        let p = &r.prepared;
        assert_eq!(p.label.method.as_str(), r.method, "{}", r.name);
        assert_eq!(p.uri, format!("{A}{}", r.uri), "{}", r.name);
        assert_eq!(
            p.label.path,
            r.uri.split('?').next().unwrap(),
            "{}: the label carries no query",
            r.name
        );
        let h = &p.headers;
        assert_eq!(h["x-domo-developer-token"], TOKEN, "{}", r.name);
        assert!(h["x-domo-developer-token"].is_sensitive(), "{}", r.name);
        assert_eq!(h["accept"], r.accept, "{}", r.name);
        assert_eq!(
            h.get("content-type").map(|v| v.to_str().unwrap()),
            r.content_type,
            "{}",
            r.name
        );
        match &r.body {
            None => assert!(p.body.is_empty(), "{}: unexpected body", r.name),
            Some(expected) => {
                let sent: Value = serde_json::from_slice(&p.body).unwrap();
                assert_eq!(&sent, expected, "{}", r.name);
            }
        }
        let non_idempotent = [
            "Append Row to Dataset",
            "Stream - Create",
            "Execute Dataset Stream",
            "Upload CSV - Get Upload ID",
            "Index start",
        ];
        assert_eq!(
            r.idempotent,
            !non_idempotent.contains(&r.name),
            "{}",
            r.name
        );
        // The http::Request a transport sends carries the same.
        let req = p.to_http();
        assert_eq!(req.uri().to_string(), p.uri);
        assert_eq!(req.body(), &p.body);
    }
}

#[test]
fn upload_part_is_csv_without_json() {
    let part = UploadPart {
        dataset_id: ds(),
        upload_id: "10".into(),
        part: 3,
        csv: Bytes::from_static(b"1,a\n"),
        gzip: false,
    };
    let p = config().prepare(&part).unwrap();
    assert_eq!(p.label.method, "PUT");
    assert_eq!(
        p.uri,
        format!("{A}/api/data/v3/datasources/abc123/uploads/10/parts/3")
    );
    assert_eq!(p.headers["content-type"], "text/csv");
    assert!(p.headers.get("content-encoding").is_none());
    assert_eq!(&p.body[..], b"1,a\n");
    assert!(part.idempotent());
    let gz = UploadPart {
        gzip: true,
        ..part.clone()
    };
    assert_eq!(
        config().prepare(&gz).unwrap().headers["content-encoding"],
        "gzip"
    );
    let zero = UploadPart { part: 0, ..part };
    assert!(
        config()
            .prepare(&zero)
            .unwrap_err()
            .to_string()
            .contains("start at 1")
    );
}

#[test]
fn csv_endpoints_ask_for_csv() {
    let p = config()
        .prepare(&ExportCsv {
            dataset_id: ds(),
            include_header: true,
        })
        .unwrap();
    assert_eq!(p.headers["accept"], "text/csv");
}

#[test]
fn session_tokens_use_their_own_header() {
    let c = Config::new(
        BaseUrl::instance("acme").unwrap(),
        Credentials::session_token("sess"),
    );
    let p = c.prepare(&GetSchema { dataset_id: ds() }).unwrap();
    assert_eq!(p.headers["x-domo-authentication"], "sess");
    assert!(p.headers.get("x-domo-developer-token").is_none());
}

#[test]
fn hostile_ids_never_change_the_endpoint() {
    for (id, path) in [
        ("../x", "/api/data/v3/datasources/..%2Fx/permissions"),
        ("a/b", "/api/data/v3/datasources/a%2Fb/permissions"),
        ("%2e%2e", "/api/data/v3/datasources/%252e%252e/permissions"),
        (
            "ds?x=1#f",
            "/api/data/v3/datasources/ds%3Fx%3D1%23f/permissions",
        ),
        (
            "数据",
            "/api/data/v3/datasources/%E6%95%B0%E6%8D%AE/permissions",
        ),
    ] {
        let p = config()
            .prepare(&ListPermissions {
                dataset_id: id.into(),
            })
            .unwrap();
        assert_eq!(p.label.path, path);
        assert!(p.to_http().uri().path().ends_with("/permissions"));
    }
    for bad in ["", "..", ".", "a\r\nb", &"x".repeat(600)] {
        let e = config()
            .prepare(&RevokeUser {
                dataset_id: ds(),
                user_id: bad.into(),
            })
            .unwrap_err();
        assert_eq!(e.kind(), domo_core::ErrorKind::InvalidInput, "{bad:?}");
        assert!(e.to_string().contains("user id"), "{e}");
    }
    let e = config()
        .prepare(&SearchStreams {
            dataset_id: "..".into(),
        })
        .unwrap_err();
    assert!(e.to_string().contains("dataset id"));
}

fn ok(body: &str) -> http::Response<Bytes> {
    http::Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(Bytes::from(body.to_owned()))
        .unwrap()
}

fn decode<E: Endpoint>(e: E, body: &str) -> E::Output {
    let p = config().prepare(&e).unwrap();
    e.handle(&p.label, ok(body))
        .unwrap_or_else(|err| panic!("{}: {err}", p.label.path))
}

/// Decode `body` both ways, typed and as JSON ([`JsonEndpoint::parse_json`],
/// what the browser package hands to JavaScript), and check that the JSON
/// reports every field the typed value does, under the same name and with
/// the same value.
fn decode_json<E>(e: E, body: &str) -> E::Output
where
    E: JsonEndpoint,
    E::Output: serde::Serialize,
{
    let p = config().prepare(&e).unwrap();
    let json = e
        .handle_json(&p.label, ok(body))
        .unwrap_or_else(|err| panic!("{} as JSON: {err}", p.label.path));
    let typed = decode(e, body);
    let encoded = serde_json::to_value(&typed).unwrap();
    assert_reports(&encoded, &json, &p.label.path);
    typed
}

/// `json` holds everything `typed` does. Numbers compare by value (`120`
/// and `120.0`); `tags` may be the array the typed value encodes as a
/// JSON string.
fn assert_reports(typed: &Value, json: &Value, at: &str) {
    match (typed, json) {
        (Value::Object(t), Value::Object(j)) => {
            for (k, v) in t {
                let got = j
                    .get(k)
                    .unwrap_or_else(|| panic!("{at}: `{k}` missing from {json}"));
                match (k.as_str(), v, got) {
                    ("tags", Value::String(text), Value::Array(_)) => {
                        let list: Value = serde_json::from_str(text).unwrap();
                        assert_eq!(&list, got, "{at}.tags");
                    }
                    _ => assert_reports(v, got, &format!("{at}.{k}")),
                }
            }
        }
        (Value::Array(t), Value::Array(j)) => {
            assert_eq!(t.len(), j.len(), "{at}: array length");
            for (i, (a, b)) in t.iter().zip(j).enumerate() {
                assert_reports(a, b, &format!("{at}[{i}]"));
            }
        }
        (Value::Number(a), Value::Number(b)) => assert_eq!(a.as_f64(), b.as_f64(), "{at}"),
        _ => assert_eq!(typed, json, "{at}"),
    }
}

/// Each endpoint decodes the seed's documented response and the real one.
#[test]
fn seed_and_real_responses_decode_through_each_endpoint() {
    let seed_empty = r#"{"HTTP/1.1": "200 OK", "body": {}}"#;
    let p = decode_json(
        ListPartitions { dataset_id: ds() },
        r#"[{"partitionId":"p1","status":"active"},{"partitionId":"p2","status":"archived"}]"#,
    );
    assert_eq!(p.len(), 2);
    let p = decode_json(
        SearchPartitions {
            dataset_id: ds(),
            filter: json!({}),
        },
        r#"[{"partitionId":"p1","status":"active","rowCount":1000}]"#,
    );
    assert_eq!(p[0].row_count, Some(1000));
    let d = decode_json(
        GetDataset::new("abc123"),
        r#"{"id":"abc123","name":"Sample DataSource","type":"exampleType","status":"active","details":{"rows":1000,"columns":10}}"#,
    );
    assert_eq!(d.row_count(), Some(1000));
    let q = decode(
        ExecuteQuery {
            dataset_id: ds(),
            sql: "SELECT 1".into(),
        },
        r#"[{"column1":"value1","column2":"value2"}]"#,
    );
    assert_eq!(q.columns, ["column1", "column2"]);
    let q = decode(
        ExecuteQuery {
            dataset_id: ds(),
            sql: "SELECT 1".into(),
        },
        r#"{"datasource":"abc123","columns":["n"],"metadata":[{"type":"LONG"}],"rows":[[1]],"numRows":1,"numColumns":1,"fromcache":false}"#,
    );
    assert_eq!(q.rows[0][0], 1);
    let perms = decode_json(
        ListPermissions { dataset_id: ds() },
        r#"{"list":[{"id":"user1","type":"USER","accessLevel":"READ"}]}"#,
    );
    assert_eq!(perms.list.len(), 1);
    decode(
        RevokeUser {
            dataset_id: ds(),
            user_id: "u".into(),
        },
        seed_empty,
    );
    decode(
        RevokeUser {
            dataset_id: ds(),
            user_id: "u".into(),
        },
        "",
    );
    let s = decode_json(
        CreateStream {
            request: stream_body(),
        },
        r#"{"id":"streamId","status":"created"}"#,
    );
    assert_eq!(s.status.as_deref(), Some("created"));
    let s = decode_json(
        GetStream {
            stream_id: "stream123".into(),
        },
        r#"{"id":"stream123","name":"Sample Stream","status":"active"}"#,
    );
    assert_eq!(s.name.as_deref(), Some("Sample Stream"));
    decode_json(
        UpdateStream {
            stream_id: "stream123".into(),
            request: stream_body(),
        },
        r#"{"id":"stream123","status":"updated"}"#,
    );
    let h = decode_json(
        StreamHistory {
            stream_id: "s".into(),
        },
        r#"[{"executionId":"exec123","status":"completed","duration":120}]"#,
    );
    assert_eq!(h[0].current_state.as_deref(), Some("completed"));
    let x = decode_json(
        RunStream {
            stream_id: "s".into(),
            request: RunStreamRequest::default(),
        },
        r#"{"executionId":"exec123","status":"started"}"#,
    );
    assert_eq!(x.current_state.as_deref(), Some("started"));
    let u = decode_json(
        StartUpload {
            dataset_id: ds(),
            request: UploadStartRequest::default(),
        },
        r#"{"dataSourceId":"abc123","uploadId":"upload123","requestedAsOf":1654557838137}"#,
    );
    assert_eq!(u.upload_id.to_string(), "upload123");
    let c = decode_json(
        CommitUpload {
            dataset_id: ds(),
            upload_id: "1".into(),
            request: CommitRequest::new(UploadAction::Replace),
        },
        seed_empty,
    );
    assert_eq!(c.row_count, None);
    decode_json(
        CommitUpload {
            dataset_id: ds(),
            upload_id: "1".into(),
            request: CommitRequest::new(UploadAction::Replace),
        },
        "",
    );
    let v = decode_json(
        ListDataVersions { dataset_id: ds() },
        r#"[{"versionId":"v1","createdAt":"2025-09-01T12:00:00Z","status":"active"}]"#,
    );
    assert_eq!(v[0].status.as_deref(), Some("active"));
    let sc = decode_json(
        GetSchema { dataset_id: ds() },
        r#"{"columns":[{"name":"column1","type":"STRING","description":"Description of column1"}]}"#,
    );
    assert_eq!(sc.columns[0].name, "column1");
    let dp = decode_json(
        GetData {
            dataset_id: ds(),
            window: DataWindow::default(),
        },
        r#"{"rows":[["value1"]],"columns":["column1"]}"#,
    );
    assert_eq!(dp.rows.len(), 1);
    let csv = decode(
        GetDataCsv {
            dataset_id: ds(),
            window: DataWindow::default(),
        },
        "column1,column2\nvalue1,value2\n",
    );
    assert_eq!(&csv[..], b"column1,column2\nvalue1,value2\n");
    let job = decode_json(
        IndexStatus {
            dataset_id: ds(),
            index_id: "1".into(),
        },
        r#"{"indexId":1,"status":"SUCCESS"}"#,
    );
    assert!(job.is_done());
    let st = decode_json(
        SearchStreams { dataset_id: ds() },
        r#"[{"id":42,"dataSource":{"id":"abc123"}}]"#,
    );
    assert_eq!(st[0].dataset_id(), Some("abc123"));
}

#[test]
fn errors_name_the_request_and_never_the_token() {
    let e = GetSchema { dataset_id: ds() };
    let p = config().prepare(&e).unwrap();
    let resp = http::Response::builder()
        .status(401)
        .body(Bytes::from_static(br#"{"message":"bad token"}"#))
        .unwrap();
    let err = e.handle(&p.label, resp).unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(
        text.contains("GET /api/data/v3/datasources/abc123/schema"),
        "{text}"
    );
    assert!(!text.contains(TOKEN), "{text}");
    assert!(
        !format!("{p:?}").contains(TOKEN),
        "the prepared request's Debug hides the token"
    );
    assert!(!format!("{:?}", config()).contains(TOKEN));
}

/// The real replies (as Domo and the emulator send them) and the seed's
/// alternative field names read the same as JSON as they do typed.
#[test]
fn json_replies_report_what_the_typed_decode_does() {
    let d = decode_json(
        GetDataset::new("f0e1"),
        r#"{"id":"f0e1","name":"Sales","description":null,"rowCount":5,"columnCount":2,
            "lastUpdated":1654557838137,"tags":"[\"a\",\"b\"]","streamId":42,
            "owner":{"id":7,"name":"Ann","type":"USER"},"cryptoKeyId":"x"}"#,
    );
    assert_eq!(d.tags.as_deref().map(<[String]>::len), Some(2));
    let v = decode_json(
        ListDataVersions { dataset_id: ds() },
        r#"[{"dataSourceId":"abc123","dataVersionId":3,"status":"SUCCESS","datetimeRecorded":1654557838137,
             "runDurationSeconds":1.5,"sizeBytes":120,"rowCount":2}]"#,
    );
    assert_eq!(v[0].run_duration_seconds, Some(1.5));
    for body in [
        r#"{"indexId":7,"status":"QUEUED"}"#,
        r#"{"id":7,"status":"QUEUED"}"#,
        "",
    ] {
        decode_json(
            StartIndex {
                dataset_id: ds(),
                request: IndexRequest::default(),
            },
            body,
        );
    }
    let job = decode_json(
        IndexStatus {
            dataset_id: ds(),
            index_id: "7".into(),
        },
        r#"{"id":7,"status":"SUCCESS"}"#,
    );
    assert!(job.is_done());
    decode_json(
        RunStream {
            stream_id: "s".into(),
            request: RunStreamRequest::default(),
        },
        r#"{"id":9,"streamId":42,"currentState":"ACTIVE","startedAt":1700000000}"#,
    );
    decode_json(
        RunStream {
            stream_id: "s".into(),
            request: RunStreamRequest::default(),
        },
        "",
    );
    let perms = decode_json(
        ListPermissions { dataset_id: ds() },
        r#"[{"id":"7","type":"USER","accessLevel":"CAN_EDIT","name":null}]"#,
    );
    assert_eq!(perms.list.len(), 1);
    decode_json(
        ListPermissions { dataset_id: ds() },
        r#"{"list":[{"type":"GROUP","id":12,"accessLevel":"CAN_SHARE"}],"totalUserCount":0,"totalGroupCount":1}"#,
    );
    decode_json(
        GetLatestSchema { dataset_id: ds() },
        r#"{"schema":{"columns":[{"name":"n","type":"LONG","id":"n","visible":true,"order":0}]},"dataSourceId":"abc123"}"#,
    );
    decode_json(
        GetIndexedSchema {
            dataset_id: ds(),
            include_hidden: false,
        },
        r#"{"name":"schema","tables":[{"columns":[{"name":"n","type":"DOUBLE"}]}],"dataSourceId":"abc123"}"#,
    );
    decode_json(
        CommitUpload {
            dataset_id: ds(),
            upload_id: "1".into(),
            request: CommitRequest::new(UploadAction::Append),
        },
        r#"{"dataVersionId":4,"rowCount":10,"uploadId":1}"#,
    );
    decode_json(
        SearchStreams { dataset_id: ds() },
        r#"[{"id":42,"transport":{"type":"API","version":"1"},"dataProvider":{"key":"api"},
             "dataSource":{"id":"abc123","name":"Sales","owner":null},"updateMethod":"APPEND"}]"#,
    );
    decode_json(
        ListPartitionsPage {
            dataset_id: ds(),
            limit: 10,
            offset: 0,
        },
        r#"[{"partitionId":"2024-01","status":"SUCCESS","rowCount":3,"dateCreated":1700000000000}]"#,
    );
}

/// The browser package passes request bodies through as JSON: each such
/// endpoint builds the same request from the JSON of a typed body as from
/// the typed body, and applies the same checks.
#[test]
fn json_bodies_build_the_same_requests_as_typed_ones() {
    fn same<A: Endpoint, B: Endpoint>(typed: A, json: B) {
        let (a, b) = (
            config().prepare(&typed).unwrap(),
            config().prepare(&json).unwrap(),
        );
        assert_eq!(a.label, b.label);
        assert_eq!(a.uri, b.uri);
        assert_eq!(a.headers, b.headers);
        assert_eq!(a.body, b.body, "{}", a.label.path);
        assert_eq!(typed.idempotent(), json.idempotent());
    }
    fn v<T: serde::Serialize>(x: &T) -> Value {
        serde_json::to_value(x).unwrap()
    }
    let stream = stream_body();
    same(
        CreateStream {
            request: stream.clone(),
        },
        CreateStream {
            request: v(&stream),
        },
    );
    same(
        UpdateStream {
            stream_id: "7".into(),
            request: stream.clone(),
        },
        UpdateStream {
            stream_id: "7".into(),
            request: v(&stream),
        },
    );
    let share = ShareRequest {
        permissions: vec![Permission::user("user1", AccessLevel::CanShare)],
        send_email: true,
    };
    same(
        Share {
            dataset_id: ds(),
            request: share.clone(),
        },
        Share {
            dataset_id: ds(),
            request: ShareRequest {
                permissions: vec![v(&share.permissions[0])],
                send_email: true,
            },
        },
    );
    let user = PrincipalRef::user("u1");
    same(
        RemoveUsers {
            dataset_id: ds(),
            users: vec![user.clone()],
        },
        RemoveUsers {
            dataset_id: ds(),
            users: vec![v(&user)],
        },
    );
    let start = UploadStartRequest {
        data_tag: Some("2024-01".into()),
        ..UploadStartRequest::default()
    };
    same(
        StartUpload {
            dataset_id: ds(),
            request: start.clone(),
        },
        StartUpload {
            dataset_id: ds(),
            request: v(&start),
        },
    );
    let commit = CommitRequest::partition(UploadAction::Replace, "2024-01");
    same(
        CommitUpload {
            dataset_id: ds(),
            upload_id: "9".into(),
            request: commit.clone(),
        },
        CommitUpload {
            dataset_id: ds(),
            upload_id: "9".into(),
            request: v(&commit),
        },
    );

    // The checks hold for JSON bodies too.
    let unnamed = json!({"transport": {"type": "API"}, "dataSource": {"name": " "}});
    let err = config()
        .prepare(&CreateStream { request: unnamed })
        .unwrap_err();
    assert!(err.to_string().contains("dataSource.name"), "{err}");
    let err = config()
        .prepare(&Share {
            dataset_id: ds(),
            request: ShareRequest::<Value> {
                permissions: vec![],
                send_email: false,
            },
        })
        .unwrap_err();
    assert!(err.to_string().contains("no permissions"), "{err}");
    let err = config()
        .prepare(&RemoveUsers::<Value> {
            dataset_id: ds(),
            users: vec![],
        })
        .unwrap_err();
    assert!(err.to_string().contains("no users"), "{err}");
}

/// The dataset life cycle (API-NOTES "Dataset life cycle"): each request in
/// the form real clients send, byte for byte.
fn life_cycle_rows() -> Vec<Row> {
    use domo_model::datasets::{CreateDatasetRequest, DatasetProperties};
    use domo_model::schema::{Column, ColumnType, Schema};
    vec![
        row(
            "List datasets",
            ListDatasets {
                limit: 50,
                offset: 100,
            },
            "GET",
            "/api/data/v3/datasources?limit=50&offset=100",
            None,
        ),
        row(
            "Search datasets",
            SearchDatasets {
                request: DatasetSearch::text("sales").owner("7").query(0).unwrap(),
            },
            "POST",
            "/api/search/v1/query",
            Some(json!({
                "entities": ["DATASET"],
                "filters": [
                    {"field": "name_sort", "filterType": "wildcard", "query": "*sales*"},
                    {"filterType": "term", "field": "owned_by_id", "value": "7", "not": false}
                ],
                "combineResults": false, "query": "*", "count": 100, "offset": 0
            })),
        ),
        row(
            "Search datasets (browser tools)",
            UiSearchDatasets::new(&DatasetSearch::text("x"), 30).unwrap(),
            "POST",
            "/api/data/ui/v3/datasources/search",
            Some(json!({
                "entities": ["DATASET"],
                "filters": [{"field": "name_sort", "filterType": "wildcard", "query": "*x*"}],
                "combineResults": true, "query": "*", "count": 100, "offset": 30
            })),
        ),
        row(
            "Create dataset without a stream",
            CreateDatasetWithoutStream {
                request: CreateDatasetRequest::api(
                    "Sales",
                    None,
                    vec![Column::new("region", ColumnType::String)],
                ),
            },
            "POST",
            "/api/data/v2/datasources",
            Some(json!({
                "userDefinedType": "api", "dataSourceName": "Sales",
                "schema": {"columns": [{"type": "STRING", "name": "region"}]}
            })),
        ),
        row(
            "Dataset properties",
            SetProperties {
                dataset_id: ds(),
                request: DatasetProperties {
                    data_source_name: Some("Sales 2".into()),
                    data_source_description: Some("Q3".into()),
                },
            },
            "PUT",
            "/api/data/v3/datasources/abc123/properties",
            Some(json!({"dataSourceName": "Sales 2", "dataSourceDescription": "Q3"})),
        ),
        row(
            "Alter schema",
            AlterSchema::new(
                "abc123",
                &Schema::new(vec![
                    Column::new("id", ColumnType::Long).key(),
                    Column::new("v", ColumnType::Double),
                ]),
            ),
            "POST",
            "/api/data/v2/datasources/abc123/schemas",
            Some(json!({
                "columns": [
                    {"type": "LONG", "name": "id", "upsertKey": true},
                    {"type": "DOUBLE", "name": "v"}
                ],
                "objects": []
            })),
        ),
        row(
            "Delete dataset",
            DeleteDataset::new("abc123"),
            "DELETE",
            "/api/data/v3/datasources/abc123?deleteMethod=hard",
            None,
        ),
        row(
            "Delete dataset (soft)",
            DeleteDataset {
                dataset_id: ds(),
                method: DeleteMethod::Soft,
            },
            "DELETE",
            "/api/data/v3/datasources/abc123",
            None,
        ),
        row("Who am I", WhoAmI, "GET", "/api/content/v2/users/me", None),
        row(
            "Stream execution commit",
            CommitExecution {
                stream_id: "42".into(),
                execution_id: "9".into(),
            },
            "PUT",
            "/api/data/v1/streams/42/executions/9/commit",
            None,
        ),
        row(
            "Stream execution abort",
            AbortExecution {
                stream_id: "42".into(),
                execution_id: "9".into(),
            },
            "PUT",
            "/api/data/v1/streams/42/executions/9/abort",
            None,
        ),
    ]
}

#[test]
fn life_cycle_endpoints_build_the_exact_request() {
    for r in life_cycle_rows() {
        let p = &r.prepared;
        assert_eq!(p.label.method.as_str(), r.method, "{}", r.name);
        assert_eq!(p.uri, format!("{A}{}", r.uri), "{}", r.name);
        assert_eq!(p.label.path, r.uri.split('?').next().unwrap(), "{}", r.name);
        assert_eq!(p.headers["x-domo-developer-token"], TOKEN, "{}", r.name);
        assert_eq!(p.headers["accept"], r.accept, "{}", r.name);
        assert_eq!(
            p.headers.get("content-type").map(|v| v.to_str().unwrap()),
            r.content_type,
            "{}",
            r.name
        );
        match &r.body {
            None => assert!(p.body.is_empty(), "{}: unexpected body", r.name),
            Some(expected) => {
                let sent: Value = serde_json::from_slice(&p.body).unwrap();
                assert_eq!(&sent, expected, "{}", r.name);
            }
        }
        // Creating is the only one that must never be resent blindly.
        let creates = r.name == "Create dataset without a stream";
        assert_eq!(r.idempotent, !creates, "{}", r.name);
    }
}

#[test]
fn execution_parts_are_csv_numbered_from_one() {
    let part = ExecutionPart {
        stream_id: "42".into(),
        execution_id: "9".into(),
        part: 2,
        csv: Bytes::from_static(b"1,a\n"),
        gzip: true,
    };
    let p = config().prepare(&part).unwrap();
    assert_eq!(p.label.method, "PUT");
    assert_eq!(
        p.uri,
        format!("{A}/api/data/v1/streams/42/executions/9/part/2")
    );
    assert_eq!(p.headers["content-type"], "text/csv");
    assert_eq!(p.headers["content-encoding"], "gzip");
    assert_eq!(&p.body[..], b"1,a\n");
    assert!(part.idempotent());
    let zero = ExecutionPart {
        part: 0,
        ..part.clone()
    };
    assert!(
        config()
            .prepare(&zero)
            .unwrap_err()
            .to_string()
            .contains("start at 1")
    );
    let hostile = ExecutionPart {
        execution_id: "../commit".into(),
        ..part
    };
    assert_eq!(
        config().prepare(&hostile).unwrap().label.path,
        "/api/data/v1/streams/42/executions/..%2Fcommit/part/2"
    );
}

#[test]
fn life_cycle_ids_are_checked_and_encoded() {
    let e = config().prepare(&DeleteDataset::new("..")).unwrap_err();
    assert!(e.to_string().contains("dataset id"), "{e}");
    let p = config().prepare(&DeleteDataset::new("a/b?c")).unwrap();
    assert_eq!(p.label.path, "/api/data/v3/datasources/a%2Fb%3Fc");
    let e = config()
        .prepare(&AbortExecution {
            stream_id: "".into(),
            execution_id: "1".into(),
        })
        .unwrap_err();
    assert!(e.to_string().contains("stream id"), "{e}");
    let p = config()
        .prepare(&AlterSchema::new(
            "x%y",
            &domo_model::schema::Schema::new(vec![domo_model::schema::Column::new(
                "a",
                domo_model::schema::ColumnType::Long,
            )]),
        ))
        .unwrap();
    assert_eq!(p.label.path, "/api/data/v2/datasources/x%25y/schemas");
    // A column list no server can take is refused before sending.
    let dup = AlterSchema::new(
        "x",
        &domo_model::schema::Schema::new(vec![
            domo_model::schema::Column::new("a", domo_model::schema::ColumnType::Long),
            domo_model::schema::Column::new("A", domo_model::schema::ColumnType::String),
        ]),
    );
    assert!(
        config()
            .prepare(&dup)
            .unwrap_err()
            .to_string()
            .contains("twice")
    );
    let none = AlterSchema::new("x", &domo_model::schema::Schema::default());
    assert!(
        config()
            .prepare(&none)
            .unwrap_err()
            .to_string()
            .contains("at least one")
    );
}

#[test]
fn life_cycle_replies_decode_in_every_listed_form() {
    let list = decode_json(
        ListDatasets {
            limit: 50,
            offset: 0,
        },
        r#"{"dataSources":[{"id":"a","name":"A","rowCount":3,"columnCount":2,"tags":"[\"t\"]",
             "owner":{"id":7,"name":"Ann"},"lastUpdated":1654557838137}],"_metaData":{"totalCount":1}}"#,
    );
    assert_eq!(list.total_count(), Some(1));
    assert_eq!(
        list.data_sources[0].tags.as_deref(),
        Some(&["t".to_owned()][..])
    );
    let bare = decode_json(
        ListDatasets {
            limit: 50,
            offset: 0,
        },
        r#"[{"id":"a"}]"#,
    );
    assert_eq!(bare.data_sources.len(), 1);

    let hits = decode_json(
        SearchDatasets {
            request: DatasetSearch::text("s").query(0).unwrap(),
        },
        r#"{"searchObjects":[{"databaseId":"d1","name":"Sales","entityType":"DATASET","ownedById":7,
             "ownedByName":"Ann","rowCount":5,"columnCount":2,"lastModified":1654557838137,"score":1.5}],
             "totalResultCount":1}"#,
    );
    assert_eq!(hits.search_objects[0].database_id, "d1");
    let empty = decode_json(
        SearchDatasets {
            request: DatasetSearch::text("s").query(100).unwrap(),
        },
        r#"{"searchObjects":[],"totalResultCount":1}"#,
    );
    assert!(empty.search_objects.is_empty());

    let ui = decode_json(
        UiSearchDatasets::new(&DatasetSearch::text("x"), 0).unwrap(),
        r#"{"dataSources":[{"id":"a","name":"x1"}],"_metaData":{"totalCount":7}}"#,
    );
    assert_eq!(ui.total_count(), Some(7));

    let created = decode_json(
        CreateDatasetWithoutStream {
            request: domo_model::datasets::CreateDatasetRequest::api(
                "S",
                None,
                vec![domo_model::schema::Column::new(
                    "a",
                    domo_model::schema::ColumnType::Long,
                )],
            ),
        },
        r#"{"dataSource":{"dataSourceId":"ds-9","name":"S","owner":{"id":1}},"schema":{"columns":[]}}"#,
    );
    assert_eq!(created.dataset_id(), "ds-9");

    let props = |body: &str| {
        decode(
            SetProperties {
                dataset_id: ds(),
                request: domo_model::datasets::DatasetProperties {
                    data_source_name: Some("n".into()),
                    data_source_description: None,
                },
            },
            body,
        )
    };
    assert_eq!(props(""), None);
    assert_eq!(
        props(r#"{"id":"abc123","name":"n"}"#)
            .unwrap()
            .name
            .as_deref(),
        Some("n")
    );

    let alter = || {
        AlterSchema::new(
            "abc123",
            &domo_model::schema::Schema::new(vec![domo_model::schema::Column::new(
                "a",
                domo_model::schema::ColumnType::Long,
            )]),
        )
    };
    decode(alter(), "");
    decode(alter(), r#"{"columns":[{"name":"a","type":"LONG"}]}"#);

    let me = decode_json(
        WhoAmI,
        r#"{"id":7,"displayName":"Ann","userName":"ann","emailAddress":"ann@example.com","role":"Admin"}"#,
    );
    assert_eq!(me.display_name.as_deref(), Some("Ann"));

    let commit = || CommitExecution {
        stream_id: "42".into(),
        execution_id: "9".into(),
    };
    let done = decode_json(
        commit(),
        r#"{"id":9,"streamId":42,"currentState":"SUCCESS","rowsInserted":3}"#,
    );
    assert_eq!(done.execution_id, Some(domo_model::Id::Num(9)));
    let aborted = decode_json(
        AbortExecution {
            stream_id: "42".into(),
            execution_id: "9".into(),
        },
        r#"{"executionId":9,"currentState":"ABORTED"}"#,
    );
    assert_eq!(aborted.current_state.as_deref(), Some("ABORTED"));
    // A commit that reports a failed run is an error; a 409 after a retry
    // is the earlier attempt's success.
    let failed = commit().settle(Ok(aborted), 1).unwrap_err();
    assert!(failed.to_string().contains("ABORTED"), "{failed}");
    let conflict = domo_core::Error::new(domo_core::ErrorKind::Conflict, "committed");
    assert!(commit().settle(Err(conflict), 2).is_ok());
}
