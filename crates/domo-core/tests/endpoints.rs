//! One row per endpoint: the exact method, path, query, headers and body each
//! request type builds, against the seed's own examples (dataset `abc123`,
//! user `user456`, stream `stream123`, ...), and the decoding of the seed's
//! documented response through the endpoint itself. Every row is also built
//! from its arguments as a JSON object, the way the browser package passes
//! them: both must send the same bytes, and every declared endpoint must
//! have a row.

use std::collections::BTreeSet;

use bytes::Bytes;
use domo_core::args::{Arg, ObjectArgs};
use domo_core::data::{DataWindow, ExportCsv, GetData, GetDataCsv};
use domo_core::datasets::*;
use domo_core::endpoint::{Reply, check};
use domo_core::indexes::{IndexStatus, StartIndex};
use domo_core::partitions::*;
use domo_core::permissions::*;
use domo_core::query::ExecuteQuery;
use domo_core::schema::{AlterSchema, GetIndexedSchema, GetLatestSchema, GetSchema};
use domo_core::spec::ReplyShape;
use domo_core::streams::*;
use domo_core::tags::SetTags;
use domo_core::uploads::*;
use domo_core::users::WhoAmI;
use domo_core::versions::ListDataVersions;
use domo_core::{BaseUrl, Config, Credentials, Endpoint, Prepared};
use domo_model::DatasetId;
use domo_model::permissions::{AccessLevel, Permission, PrincipalRef};
use domo_model::streams::{DataProvider, StreamDataSource, StreamRequest, Transport};
use domo_model::uploads::UploadAction;
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
    spec: &'static str,
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
    row_with(config(), name, e, method, uri, body)
}

fn row_with<E: Endpoint>(
    config: Config,
    name: &'static str,
    e: E,
    method: &'static str,
    uri: &'static str,
    body: Option<Value>,
) -> Row {
    let prepared = config
        .prepare(&e)
        .unwrap_or_else(|err| panic!("{name}: {err}"));
    assert_same_as_object_with(&config, name, &e, &prepared);
    Row {
        name,
        spec: e.spec().name,
        idempotent: e.spec().idempotent,
        content_type: body.as_ref().map(|_| "application/json"),
        accept: e.spec().accept,
        prepared,
        method,
        uri,
        body,
    }
}

/// The typed endpoint's arguments as the JSON object a JavaScript caller
/// passes (`{"datasetId": "abc123", ...}`).
fn object_args<E: Endpoint>(e: &E) -> Value {
    let spec = e.spec();
    let mut map = serde_json::Map::new();
    for p in spec.params {
        let value = match e.arg(spec, p).unwrap() {
            Arg::Absent => continue,
            Arg::Text(t) => Value::String(t.into_owned()),
            Arg::Num(n) => serde_json::from_str(&n).unwrap(),
            Arg::Bool(b) => Value::Bool(b),
            Arg::List(items) => items.iter().map(|s| Value::String(s.to_string())).collect(),
            Arg::Json(text) => serde_json::from_str(&text).unwrap(),
            Arg::Bytes(b) => Value::String(String::from_utf8(b.to_vec()).unwrap()),
        };
        map.insert(p.name.to_owned(), value);
    }
    Value::Object(map)
}

/// What the browser package sends for the same arguments is what the
/// typed endpoint sends, byte for byte.
fn assert_same_as_object<E: Endpoint>(name: &str, e: &E, typed: &Prepared) {
    assert_same_as_object_with(&config(), name, e, typed)
}

fn assert_same_as_object_with<E: Endpoint>(config: &Config, name: &str, e: &E, typed: &Prepared) {
    let object = object_args(e);
    let spec = e.spec();
    let args = ObjectArgs::new(spec, &object).unwrap();
    let named = config
        .prepare_spec(spec, &args)
        .unwrap_or_else(|err| panic!("{name} from {object}: {err}"));
    assert_eq!(named.label, typed.label, "{name}");
    assert_eq!(named.uri, typed.uri, "{name}");
    assert_eq!(named.headers, typed.headers, "{name}");
    assert_eq!(named.body, typed.body, "{name}");
    assert_eq!(named.idempotent, typed.idempotent, "{name}");
}

fn header<'a>(p: &'a Prepared, name: &str) -> Option<&'a str> {
    p.header(name)
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

fn ds() -> DatasetId {
    "abc123".into()
}

fn rows() -> Vec<Row> {
    let window = DataWindow::all().offset(0).limit(10);
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
                values: "value1,value2,value3".into(),
                delimiter: ",".into(),
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
                permissions: vec![
                    Permission::user("user1", AccessLevel::Other("READ".into())),
                    Permission::group("group1", AccessLevel::Other("WRITE".into())),
                ],
                send_email: true,
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
            StartUpload::new(ds(), None),
            "POST",
            "/api/data/v3/datasources/abc123/uploads",
            Some(json!({"action": null, "appendId": null})),
        ),
        row(
            "Upload CSV - Commit and Index",
            CommitUpload::new(ds(), "upload123", UploadAction::Append, None),
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
            GetData::new(ds(), &window),
            "GET",
            "/api/data/v3/datasources/abc123/data?offset=0&limit=10",
            None,
        ),
        row(
            "Get Dataset Data (CSV)",
            GetDataCsv::new(ds(), &window),
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
            CommitUpload::new(ds(), 10u64, UploadAction::Append, Some("2024-01")),
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
                data_ids: vec![],
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
        assert_eq!(
            header(p, "x-domo-developer-token"),
            Some(TOKEN),
            "{}",
            r.name
        );
        assert!(
            p.headers
                .iter()
                .any(|h| h.name == "x-domo-developer-token" && h.sensitive),
            "{}",
            r.name
        );
        assert_eq!(header(p, "accept"), Some(r.accept), "{}", r.name);
        assert_eq!(header(p, "content-type"), r.content_type, "{}", r.name);
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
    assert_eq!(p.label.method.as_str(), "PUT");
    assert_eq!(
        p.uri,
        format!("{A}/api/data/v3/datasources/abc123/uploads/10/parts/3")
    );
    assert_eq!(header(&p, "content-type"), Some("text/csv"));
    assert!(header(&p, "content-encoding").is_none());
    assert_eq!(&p.body[..], b"1,a\n");
    assert!(part.spec().idempotent);
    assert_same_as_object("upload part", &part, &p);
    let gz = UploadPart {
        gzip: true,
        ..part.clone()
    };
    assert_eq!(
        header(&config().prepare(&gz).unwrap(), "content-encoding"),
        Some("gzip")
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
    assert_eq!(header(&p, "accept"), Some("text/csv"));
}

#[test]
fn session_tokens_use_their_own_header() {
    let c = Config::new(
        BaseUrl::instance("acme").unwrap(),
        Credentials::session_token("sess"),
    );
    let p = c.prepare(&GetSchema { dataset_id: ds() }).unwrap();
    assert_eq!(header(&p, "x-domo-authentication"), Some("sess"));
    assert!(header(&p, "x-domo-developer-token").is_none());
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
        assert!(p.uri.ends_with("/permissions"));
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

fn ok(body: &str) -> Reply {
    Reply::new(200, body.to_owned()).with_content_type("application/json")
}

fn decode<E: Endpoint>(e: E, body: &str) -> E::Output {
    let p = config().prepare(&e).unwrap();
    e.handle(&p, ok(body))
        .unwrap_or_else(|err| panic!("{}: {err}", p.label.path))
}

/// The reply as the browser package hands it to JavaScript: the same
/// checks, then the spec's steps on the parsed JSON.
fn browser_json<E: Endpoint>(e: &E, p: &Prepared, body: &str) -> Result<Value, domo_core::Error> {
    let reply = check::<Value>(e.spec(), ok(body))?;
    match e.spec().reply {
        ReplyShape::Json(fixups) => {
            domo_core::steps::read_reply(fixups, &reply.text(), std::str::from_utf8(&p.body).ok())
        }
        ReplyShape::Text => Ok(Value::String(reply.text().into_owned())),
        ReplyShape::Empty => Ok(Value::Null),
    }
}

/// Decode `body` both ways, typed and as the browser package reads it,
/// and check that the JSON reports every field the typed value does,
/// under the same name and with the same value.
fn decode_json<E>(e: E, body: &str) -> E::Output
where
    E: Endpoint,
    E::Output: serde::Serialize,
{
    let p = config().prepare(&e).unwrap();
    let json =
        browser_json(&e, &p, body).unwrap_or_else(|err| panic!("{} as JSON: {err}", p.label.path));
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
        },
        r#"{"executionId":"exec123","status":"started"}"#,
    );
    assert_eq!(x.current_state.as_deref(), Some("started"));
    let u = decode_json(
        StartUpload::new(ds(), None),
        r#"{"dataSourceId":"abc123","uploadId":"upload123","requestedAsOf":1654557838137}"#,
    );
    assert_eq!(u.upload_id.to_string(), "upload123");
    let c = decode_json(
        CommitUpload::new(ds(), 1u64, UploadAction::Replace, None),
        seed_empty,
    );
    assert_eq!(c.row_count, None);
    decode_json(
        CommitUpload::new(ds(), 1u64, UploadAction::Replace, None),
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
        GetData::new(ds(), &DataWindow::all()),
        r#"{"rows":[["value1"]],"columns":["column1"]}"#,
    );
    assert_eq!(dp.rows.len(), 1);
    let csv = decode(
        GetDataCsv::new(ds(), &DataWindow::all()),
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
    let resp = Reply::new(401, &br#"{"message":"bad token"}"#[..]);
    let err = e.handle(&p, resp).unwrap_err();
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
                data_ids: vec![],
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
        },
        r#"{"id":9,"streamId":42,"currentState":"ACTIVE","startedAt":1700000000}"#,
    );
    decode_json(
        RunStream {
            stream_id: "s".into(),
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
        CommitUpload::new(ds(), 1u64, UploadAction::Append, None),
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

/// The browser package passes request bodies through as JSON objects: the
/// checks hold for them as for typed bodies, and a value of the wrong kind
/// is refused naming the argument.
#[test]
fn object_arguments_are_checked_like_typed_ones() {
    let prepare = |spec: &'static domo_core::Spec, args: Value| {
        let args = ObjectArgs::new(spec, &args)?;
        config().prepare_spec(spec, &args)
    };
    let unnamed = json!({"request": {"transport": {"type": "API"}, "dataSource": {"name": " "}}});
    let err = prepare(&CreateStream::SPEC, unnamed).unwrap_err();
    assert!(err.to_string().contains("dataSource.name"), "{err}");
    let err = prepare(&Share::SPEC, json!({"datasetId": "d", "permissions": []})).unwrap_err();
    assert!(err.to_string().contains("no permissions"), "{err}");
    let err = prepare(&RemoveUsers::SPEC, json!({"datasetId": "d", "users": []})).unwrap_err();
    assert!(err.to_string().contains("no users"), "{err}");
    let err = |spec, args| prepare(spec, args).unwrap_err().to_string();
    assert_eq!(
        err(&GetSchema::SPEC, json!({})),
        "GetSchema: `datasetId` must be a string"
    );
    assert_eq!(
        err(&GetSchema::SPEC, json!({"datasetId": 7})),
        "GetSchema: `datasetId` must be a string"
    );
    assert!(err(&RevokeUser::SPEC, json!({"datasetId": "d", "userId": -1})).contains("`userId`"));
    assert!(
        err(
            &RevokeUser::SPEC,
            json!({"datasetId": "d", "userId": 9_007_199_254_740_993u64})
        )
        .contains("non-negative integer")
    );
    assert!(
        err(
            &ListPartitionsPage::SPEC,
            json!({"datasetId": "d", "limit": 1.5, "offset": 0})
        )
        .contains("`limit`")
    );
    assert!(err(&GetSchema::SPEC, json!([1])).contains("must be an object"));
    assert!(
        err(
            &CreateDataset::SPEC,
            json!({"name": "n", "columns": [{"name": 1}]})
        )
        .contains("column 1")
    );
    assert!(
        err(
            &DeleteDataset::SPEC,
            json!({"datasetId": "d", "deleteMethod": "sideways"})
        )
        .contains("`deleteMethod`")
    );
    // Ids are the endpoint's own to check.
    assert!(err(&GetSchema::SPEC, json!({"datasetId": ".."})).contains("dataset id"));
    // Defaults a JavaScript caller may leave out.
    let p = prepare(&ExportCsv::SPEC, json!({"datasetId": "d"})).unwrap();
    assert!(p.uri.ends_with("?includeHeader=true"), "{}", p.uri);
    let p = prepare(
        &Share::SPEC,
        json!({"datasetId": "d", "permissions": [{"id": 1}]}),
    )
    .unwrap();
    assert_eq!(
        &p.body[..],
        br#"{"permissions":[{"id":1}],"sendEmail":false}"#
    );
    let p = prepare(
        &domo_core::app::AppData::SPEC,
        json!({"alias": "a", "fields": "region"}),
    )
    .unwrap();
    assert_eq!(p.uri, format!("{A}/data/v1/a?fields=region"));
}

/// The dataset life cycle (API-NOTES "Dataset life cycle"): each request in
/// the form real clients send, byte for byte.
fn life_cycle_rows() -> Vec<Row> {
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
            DatasetSearch::text("sales").owner("7").page(0),
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
            UiSearchDatasets {
                text: Some("x".into()),
                owner: None,
                count: 100,
                offset: 30,
            },
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
                name: "Sales".into(),
                description: None,
                columns: vec![Column::new("region", ColumnType::String)],
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
                data_source_name: Some("Sales 2".into()),
                data_source_description: Some("Q3".into()),
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
        assert_eq!(
            header(p, "x-domo-developer-token"),
            Some(TOKEN),
            "{}",
            r.name
        );
        assert_eq!(header(p, "accept"), Some(r.accept), "{}", r.name);
        assert_eq!(header(p, "content-type"), r.content_type, "{}", r.name);
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
    assert_eq!(p.label.method.as_str(), "PUT");
    assert_eq!(
        p.uri,
        format!("{A}/api/data/v1/streams/42/executions/9/part/2")
    );
    assert_eq!(header(&p, "content-type"), Some("text/csv"));
    assert_eq!(header(&p, "content-encoding"), Some("gzip"));
    assert_eq!(&p.body[..], b"1,a\n");
    assert!(part.spec().idempotent);
    assert_same_as_object("execution part", &part, &p);
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
        DatasetSearch::text("s").page(0),
        r#"{"searchObjects":[{"databaseId":"d1","name":"Sales","entityType":"DATASET","ownedById":7,
             "ownedByName":"Ann","rowCount":5,"columnCount":2,"lastModified":1654557838137,"score":1.5}],
             "totalResultCount":1}"#,
    );
    assert_eq!(hits.search_objects[0].database_id, "d1");
    let empty = decode_json(
        DatasetSearch::text("s").page(100),
        r#"{"searchObjects":[],"totalResultCount":1}"#,
    );
    assert!(empty.search_objects.is_empty());

    let ui = decode_json(
        UiSearchDatasets {
            text: Some("x".into()),
            owner: None,
            count: 100,
            offset: 0,
        },
        r#"{"dataSources":[{"id":"a","name":"x1"}],"_metaData":{"totalCount":7}}"#,
    );
    assert_eq!(ui.total_count(), Some(7));

    let created = decode_json(
        CreateDatasetWithoutStream {
            name: "S".into(),
            description: None,
            columns: vec![domo_model::schema::Column::new(
                "a",
                domo_model::schema::ColumnType::Long,
            )],
        },
        r#"{"dataSource":{"dataSourceId":"ds-9","name":"S","owner":{"id":1}},"schema":{"columns":[]}}"#,
    );
    assert_eq!(created.dataset_id(), "ds-9");

    let props = |body: &str| {
        decode(
            SetProperties {
                dataset_id: ds(),
                data_source_name: Some("n".into()),
                data_source_description: None,
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

/// The endpoints neither the seed's sections nor the life cycle cover:
/// the query's CSV route, custom apps, row policies, access tokens, login,
/// the streamed-load parts and the verification read.
fn other_rows() -> Vec<Row> {
    use domo_core::app::{
        AppData, AppFormat, Calendar, Condition, DateGrain, Filter, GetEnvironment, ListAppUsers,
        Period,
    };
    use domo_core::appdb::{
        AggregateDocuments, BulkCreateDocuments, BulkDeleteDocuments, BulkUpsertDocuments,
        CreateDocument, DeleteDocument, GetDocument, ListDocuments, PartialUpdateDocuments,
        QueryDocuments, SyncAppDb, UpdateDocument,
    };
    use domo_core::auth::Login;
    use domo_core::pdp::{CreatePolicy, DeletePolicy, ListPolicies, SetPdp, UpdatePolicy};
    use domo_core::query::ExecuteQueryCsv;
    use domo_core::tokens::{CreateAccessToken, ListAccessTokens, RevokeAccessToken};
    use domo_core::versions::ListVersionCounts;
    use domo_model::app::DocumentRequest;
    use domo_model::pdp::Policy;
    use domo_model::schema::{Column, ColumnType};
    let policy = Policy::new("abc123", "East");
    vec![
        row(
            "Query as CSV",
            ExecuteQueryCsv {
                dataset_id: ds(),
                sql: "SELECT 1".into(),
                include_header: false,
            },
            "POST",
            "/api/query/v1/execute/export/abc123?includeHeader=false",
            Some(json!({"sql": "SELECT 1"})),
        ),
        row(
            "Create dataset (stream)",
            CreateDataset {
                name: "Sales".into(),
                description: "d".into(),
                columns: vec![Column::new("a", ColumnType::Long)],
            },
            "POST",
            "/api/data/v1/streams",
            Some(
                json!({"transport": {"type": "API"}, "dataProvider": {"key": "api", "name": "API"},
                        "updateMethod": "REPLACE", "dataSource": {"name": "Sales", "description": "d"},
                        "schemaDefinition": {"columns": [{"type": "LONG", "name": "a"}]}}),
            ),
        ),
        row(
            "Version counts",
            ListVersionCounts { dataset_id: ds() },
            "GET",
            "/api/data/v3/datasources/abc123/dataversions/details",
            None,
        ),
        row(
            "Policies",
            ListPolicies { dataset_id: ds() },
            "GET",
            "/api/query/v1/data-control/abc123/filter-groups?options=load_associations%2Cload_filters%2Cinclude_open_policy",
            None,
        ),
        row(
            "Create policy",
            CreatePolicy {
                dataset_id: ds(),
                policy: policy.clone(),
            },
            "POST",
            "/api/query/v1/data-control/abc123/filter-groups",
            Some(serde_json::to_value(&policy).unwrap()),
        ),
        row(
            "Update policy",
            UpdatePolicy {
                dataset_id: ds(),
                policy_id: 5u64.into(),
                policy: policy.clone(),
            },
            "PUT",
            "/api/query/v1/data-control/abc123/filter-groups/5",
            Some({
                let mut v = serde_json::to_value(&policy).unwrap();
                v["filterGroupId"] = json!(5);
                v
            }),
        ),
        row(
            "Delete policy",
            DeletePolicy {
                dataset_id: ds(),
                policy_id: 5u64.into(),
            },
            "DELETE",
            "/api/query/v1/data-control/abc123/filter-groups/5",
            None,
        ),
        row(
            "PDP switch",
            SetPdp {
                dataset_id: ds(),
                enabled: true,
                external: false,
            },
            "PUT",
            "/api/query/v1/data-control/abc123",
            Some(json!({"enabled": true, "external": false})),
        ),
        row(
            "Tokens",
            ListAccessTokens,
            "GET",
            "/api/data/v1/accesstokens",
            None,
        ),
        row(
            "Mint a token",
            CreateAccessToken {
                name: "pipeline".into(),
                owner_id: 7u64.into(),
                expires: 1_700_000_000_000,
            },
            "POST",
            "/api/data/v1/accesstokens",
            Some(json!({"name": "pipeline", "ownerId": 7, "expires": 1_700_000_000_000u64})),
        ),
        row(
            "Revoke a token",
            RevokeAccessToken {
                token_id: 3u64.into(),
            },
            "DELETE",
            "/api/data/v1/accesstokens/3",
            None,
        ),
        row(
            "Login",
            Login {
                email: " ann@example.com ".into(),
                password: domo_core::Secret::new("pw"),
            },
            "POST",
            "/api/content/v2/authentication",
            Some(
                json!({"method": "password", "emailAddress": "ann@example.com", "password": "pw"}),
            ),
        ),
        row(
            "App data",
            AppData {
                fields: vec!["a".into()],
                limit: Some(5),
                ..AppData::new("sales")
            },
            "GET",
            "/data/v1/sales?fields=a&limit=5",
            None,
        ),
        row(
            "App data, every key",
            AppData {
                filter: Filter::new()
                    .text("Units > 5")
                    .condition(&Condition::last("Order Date", 30, Period::Day))
                    .unwrap(),
                group_by: vec!["Region".into()],
                sum: vec!["Units".into()],
                avg: vec!["Price".into()],
                count: vec!["Id".into()],
                min: vec!["Day".into()],
                max: vec!["Day".into()],
                unique: vec!["Customer".into()],
                date_grain: Some(DateGrain::new("Order Date", Period::Month).unwrap()),
                calendar: Some(Calendar::Fiscal),
                order_by: vec!["Region descending".into()],
                offset: Some(10),
                use_beast_mode: Some(false),
                format: AppFormat::Arrays,
                ..AppData::new("sales")
            },
            "GET",
            "/data/v1/sales?filter=Units%20%3E%205%2C%27Order%20Date%27%20last%2030%20days\
             &groupby=Region&sum=Units&avg=Price&count=Id&min=Day&max=Day&unique=Customer\
             &dategrain=%27Order%20Date%27%20by%20month&calendar=fiscal\
             &orderby=Region%20descending&offset=10&useBeastMode=false",
            None,
        ),
        row(
            "App environment",
            GetEnvironment,
            "GET",
            "/domo/environment/v1",
            None,
        ),
        row(
            "App users",
            ListAppUsers {
                include_details: true,
                limit: Some(50),
                offset: None,
            },
            "GET",
            "/domo/users/v1?includeDetails=true&limit=50",
            None,
        ),
        row(
            "AppDB list",
            ListDocuments {
                collection: "orders".into(),
            },
            "GET",
            "/domo/datastores/v1/collections/orders/documents/",
            None,
        ),
        row(
            "AppDB create",
            CreateDocument {
                collection: "orders".into(),
                content: content(json!({"region": "East", "units": 3})),
            },
            "POST",
            "/domo/datastores/v1/collections/orders/documents/",
            Some(json!({"content": {"region": "East", "units": 3}})),
        ),
        row(
            "AppDB get",
            GetDocument {
                collection: "orders".into(),
                document_id: "d 1".into(),
            },
            "GET",
            "/domo/datastores/v1/collections/orders/documents/d%201",
            None,
        ),
        row(
            "AppDB update",
            UpdateDocument {
                collection: "orders".into(),
                document_id: "d1".into(),
                content: content(json!({"units": 4})),
            },
            "PUT",
            "/domo/datastores/v1/collections/orders/documents/d1",
            Some(json!({"content": {"units": 4}})),
        ),
        row(
            "AppDB partial update",
            PartialUpdateDocuments {
                collection: "orders".into(),
                query: content(json!({"content.region": "East"})),
                operation: content(json!({"$inc": {"content.units": 1}})),
            },
            "PUT",
            "/domo/datastores/v1/collections/orders/documents/update",
            Some(
                json!({"query": {"content.region": "East"}, "operation": {"$inc": {"content.units": 1}}}),
            ),
        ),
        row(
            "AppDB delete",
            DeleteDocument {
                collection: "orders".into(),
                document_id: "d1".into(),
            },
            "DELETE",
            "/domo/datastores/v1/collections/orders/documents/d1",
            None,
        ),
        row(
            "AppDB query",
            QueryDocuments {
                collection: "orders".into(),
                query: content(json!({"content.units": {"$gte": 2}})),
                order_by: vec!["content.units descending".into()],
                limit: Some(5),
                offset: None,
            },
            "POST",
            "/domo/datastores/v1/collections/orders/documents/query?orderby=content.units%20descending&limit=5",
            Some(json!({"content.units": {"$gte": 2}})),
        ),
        row(
            "AppDB aggregate",
            AggregateDocuments {
                collection: "orders".into(),
                query: content(json!({})),
                group_by: vec!["content.region".into()],
                count: Some("n".into()),
                sum: vec!["content.units units".into()],
                avg: vec![],
                min: vec![],
                max: vec![],
                unwind: vec![],
                order_by: vec!["units descending".into()],
                limit: None,
                offset: None,
            },
            "POST",
            "/domo/datastores/v1/collections/orders/documents/query?groupby=content.region&count=n\
             &sum=content.units%20units&orderby=units%20descending",
            Some(json!({})),
        ),
        row(
            "AppDB bulk create",
            BulkCreateDocuments {
                collection: "orders".into(),
                documents: vec![DocumentRequest::new(content(json!({"units": 1})))],
            },
            "POST",
            "/domo/datastores/v1/collections/orders/documents/bulk",
            Some(json!([{"content": {"units": 1}}])),
        ),
        row(
            "AppDB bulk upsert",
            BulkUpsertDocuments {
                collection: "orders".into(),
                documents: vec![DocumentRequest {
                    id: Some("d1".into()),
                    content: content(json!({"units": 2})),
                }],
            },
            "PUT",
            "/domo/datastores/v1/collections/orders/documents/bulk",
            Some(json!([{"id": "d1", "content": {"units": 2}}])),
        ),
        row(
            "AppDB bulk delete",
            BulkDeleteDocuments {
                collection: "orders".into(),
                ids: vec!["d1".into(), "d2".into()],
            },
            "DELETE",
            "/domo/datastores/v1/collections/orders/documents/bulk?ids=d1%2Cd2",
            None,
        ),
        row(
            "AppDB sync",
            SyncAppDb,
            "POST",
            "/domo/datastores/v1/export",
            None,
        ),
    ]
}

/// A JSON object literal as AppDB content, filters and operations.
fn content(v: Value) -> serde_json::Map<String, Value> {
    v.as_object().unwrap().clone()
}

#[test]
fn other_endpoints_build_the_exact_request() {
    for r in other_rows() {
        let p = &r.prepared;
        assert_eq!(p.label.method.as_str(), r.method, "{}", r.name);
        assert_eq!(p.uri, format!("{A}{}", r.uri), "{}", r.name);
        match &r.body {
            None => assert!(p.body.is_empty(), "{}: unexpected body", r.name),
            Some(expected) => {
                let sent: Value = serde_json::from_slice(&p.body).unwrap();
                assert_eq!(&sent, expected, "{}", r.name);
            }
        }
    }
}

/// Adding an endpoint without a row here fails: every declared endpoint is
/// checked byte for byte, typed and as the browser package builds it.
#[test]
fn every_declared_endpoint_has_a_row() {
    let mut covered: BTreeSet<&str> = rows()
        .into_iter()
        .chain(life_cycle_rows())
        .chain(other_rows())
        .chain(public_rows())
        .map(|r| r.spec)
        .collect();
    // Checked in their own tests (their bodies are bytes or a form).
    covered.extend([
        "UploadPart",
        "ExecutionPart",
        "AppSql",
        "V1UploadPart",
        "V1ImportData",
        "RequestToken",
    ]);
    let declared: BTreeSet<&str> = domo_core::specs().map(|s| s.name).collect();
    let missing: Vec<_> = declared.difference(&covered).collect();
    assert!(missing.is_empty(), "endpoints without a row: {missing:?}");
    assert_eq!(
        declared.len(),
        domo_core::specs().count(),
        "a name is declared twice"
    );
}

/// Every endpoint reaches the browser package: through a method of its
/// own, or (said why) from a Rust method that runs several requests.
#[test]
fn every_declared_endpoint_has_a_browser_method_or_says_why_not() {
    let mut methods = BTreeSet::new();
    for spec in domo_core::specs() {
        assert!(
            !spec.js.is_empty() || !spec.js_note.is_empty(),
            "{} has no browser method and says not why",
            spec.name
        );
        for m in spec.js {
            let class = m.on.map_or("DomoClient", |h| h.class);
            assert!(
                methods.insert((class, m.name)),
                "browser method {class}.{} is declared twice",
                m.name
            );
            for p in m.params {
                assert!(
                    *p == "..." || spec.param(p).is_some(),
                    "{}: parameter {p} is no argument",
                    m.name
                );
            }
            // Every required argument is positional or in the options.
            let rest = m.params.contains(&"...");
            // A handle's method has its handle's argument given.
            for p in spec
                .params
                .iter()
                .filter(|p| !p.optional && p.default.is_none())
                .filter(|p| m.on.is_none_or(|h| h.arg != p.name))
            {
                assert!(
                    rest || m.params.contains(&p.name),
                    "{}: required argument {} is not passed",
                    m.name,
                    p.name
                );
            }
        }
    }
}

/// domo-model's request types describe what the endpoints send: every JSON
/// body a declaration builds decodes into its model type and encodes back
/// to the same JSON, so the templates and the types cannot drift apart. A
/// JSON body without a model type fails.
#[test]
fn every_json_body_is_its_model_request_type() {
    use domo_model::app::{DocumentFilter, DocumentRequest, PartialUpdate};
    use domo_model::datasets::{CreateDatasetRequest, DatasetProperties, SearchQuery};
    use domo_model::indexes::IndexRequest;
    use domo_model::partitions::{PartitionListRequest, PartitionSearch};
    use domo_model::pdp::{PdpSettings, Policy};
    use domo_model::query::QueryRequest;
    use domo_model::schema::SchemaUpdate;
    use domo_model::streams::RunStreamRequest;
    use domo_model::tokens::AccessTokenRequest;
    use domo_model::uploads::{AppendRowRequest, CommitRequest, UploadStartRequest};
    use serde::Serialize;
    use serde::de::DeserializeOwned;

    fn same<T: DeserializeOwned + Serialize>(row: &str, body: &Value) {
        let typed: T =
            serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("{row}: {e}\n{body}"));
        assert_eq!(&serde_json::to_value(&typed).unwrap(), body, "{row}");
    }
    let mut checked = BTreeSet::new();
    use domo_model::v1::{
        V1DatasetRequest, V1ExecutionRequest, V1GroupRequest, V1Policy, V1StreamRequest,
        V1UserRequest,
    };
    for row in rows()
        .into_iter()
        .chain(life_cycle_rows())
        .chain(other_rows())
        .chain(public_rows())
    {
        if header(&row.prepared, "content-type") != Some("application/json") {
            continue;
        }
        let body: Value = serde_json::from_slice(&row.prepared.body).unwrap();
        let name = row.name;
        match row.spec {
            "CreateDataset" | "CreateStream" | "UpdateStream" => same::<StreamRequest>(name, &body),
            "CreateDatasetWithoutStream" => same::<CreateDatasetRequest>(name, &body),
            "SetProperties" => same::<DatasetProperties>(name, &body),
            "SearchDatasets" | "UiSearchDatasets" => same::<SearchQuery>(name, &body),
            "StartIndex" => same::<IndexRequest>(name, &body),
            "SearchPartitions" => same::<PartitionSearch>(name, &body),
            "ListPartitionsPage" => same::<PartitionListRequest>(name, &body),
            "SetPdp" => same::<PdpSettings>(name, &body),
            "CreatePolicy" | "UpdatePolicy" => same::<Policy>(name, &body),
            "Share" => same::<domo_model::permissions::ShareRequest>(name, &body),
            "RemoveUsers" => same::<Vec<PrincipalRef>>(name, &body),
            "SetTags" => same::<Vec<String>>(name, &body),
            "ExecuteQuery" | "ExecuteQueryCsv" => same::<QueryRequest>(name, &body),
            "AlterSchema" => same::<SchemaUpdate>(name, &body),
            "RunStream" => same::<RunStreamRequest>(name, &body),
            "CreateAccessToken" => same::<AccessTokenRequest>(name, &body),
            "StartUpload" => same::<UploadStartRequest>(name, &body),
            "CommitUpload" | "CommitExecution" => same::<CommitRequest>(name, &body),
            "AppendRow" => same::<AppendRowRequest>(name, &body),
            "V1CreateDataset" | "V1UpdateDataset" => same::<V1DatasetRequest>(name, &body),
            "V1Query" => same::<QueryRequest>(name, &body),
            "V1CreatePolicy" | "V1UpdatePolicy" => same::<V1Policy>(name, &body),
            "V1CreateStream" | "V1UpdateStream" => same::<V1StreamRequest>(name, &body),
            "V1CreateExecution" => same::<V1ExecutionRequest>(name, &body),
            "V1CreateUser" | "V1UpdateUser" => same::<V1UserRequest>(name, &body),
            "V1CreateGroup" | "V1UpdateGroup" => same::<V1GroupRequest>(name, &body),
            "CreateDocument" | "UpdateDocument" => same::<DocumentRequest>(name, &body),
            "PartialUpdateDocuments" => same::<PartialUpdate>(name, &body),
            "QueryDocuments" | "AggregateDocuments" => same::<DocumentFilter>(name, &body),
            "BulkCreateDocuments" | "BulkUpsertDocuments" => {
                same::<Vec<DocumentRequest>>(name, &body)
            }
            // The password is no part of domo-model: domo-core holds it as
            // a Secret, and the login row above checks the body.
            "Login" => continue,
            other => {
                panic!("{other} ({name}) sends JSON that no domo-model type describes: {body}")
            }
        }
        checked.insert(row.spec);
    }
    assert!(checked.len() > 15, "{checked:?}");
}

/// The public API's client: OAuth client credentials at api.domo.com.
fn public_config() -> Config {
    Config::new(
        BaseUrl::parse(domo_core::oauth::PUBLIC_API).unwrap(),
        Credentials::client("my-app", "client-s3cret"),
    )
}

const P: &str = "https://api.domo.com";

/// Every `/v1` endpoint in the form pydomo and the Java SDK send
/// (shared/PUBLIC-API.md §2-§3).
fn public_rows() -> Vec<Row> {
    use domo_core::v1::datasets::*;
    use domo_core::v1::people::*;
    use domo_core::v1::policies::*;
    use domo_core::v1::streams::*;
    use domo_model::schema::{Column, ColumnType};
    use domo_model::v1::*;
    let columns = vec![
        Column::new("Friend", ColumnType::String),
        Column::new("n", ColumnType::Long),
    ];
    let schema =
        json!({"columns": [{"type": "STRING", "name": "Friend"}, {"type": "LONG", "name": "n"}]});
    let mut policy = V1Policy::new("Only Show Attendees");
    policy.filters = vec![V1Filter::equals("Attending", ["TRUE"])];
    policy.users = vec![27u64.into()];
    let policy_json = json!({"type": "user", "name": "Only Show Attendees",
        "filters": [{"column": "Attending", "values": ["TRUE"], "operator": "EQUALS", "not": false}],
        "users": [27], "groups": []});
    vec![
        row_with(
            public_config(),
            "v1 datasets page",
            V1ListDatasets {
                sort: Some("name".into()),
                limit: 50,
                offset: 100,
                name_like: Some("sales q1".into()),
            },
            "GET",
            "/v1/datasets?sort=name&limit=50&offset=100&nameLike=sales%20q1",
            None,
        ),
        row_with(
            public_config(),
            "v1 datasets first page",
            {
                use domo_core::paging::Pages;
                V1ListDatasets::all(None).next_page().unwrap()
            },
            "GET",
            "/v1/datasets?limit=50&offset=0",
            None,
        ),
        row_with(
            public_config(),
            "v1 get dataset",
            V1GetDataset { dataset_id: ds() },
            "GET",
            "/v1/datasets/abc123",
            None,
        ),
        row_with(
            public_config(),
            "v1 create dataset",
            V1CreateDataset {
                request: V1DatasetRequest {
                    description: Some("Guests".into()),
                    ..V1DatasetRequest::new("Party", columns.clone())
                },
            },
            "POST",
            "/v1/datasets",
            Some(json!({"name": "Party", "description": "Guests", "schema": schema})),
        ),
        row_with(
            public_config(),
            "v1 update dataset",
            V1UpdateDataset {
                dataset_id: ds(),
                request: V1DatasetRequest {
                    pdp_enabled: Some(true),
                    ..V1DatasetRequest::default()
                },
            },
            "PUT",
            "/v1/datasets/abc123",
            Some(json!({"pdpEnabled": true})),
        ),
        row_with(
            public_config(),
            "v1 delete dataset",
            V1DeleteDataset { dataset_id: ds() },
            "DELETE",
            "/v1/datasets/abc123",
            None,
        ),
        row_with(
            public_config(),
            "v1 export",
            V1ExportData {
                dataset_id: ds(),
                include_header: true,
            },
            "GET",
            "/v1/datasets/abc123/data?includeHeader=true",
            None,
        ),
        row_with(
            public_config(),
            "v1 query",
            V1Query {
                dataset_id: ds(),
                sql: "SELECT * FROM table".into(),
            },
            "POST",
            "/v1/datasets/query/execute/abc123",
            Some(json!({"sql": "SELECT * FROM table"})),
        ),
        row_with(
            public_config(),
            "v1 policies",
            V1ListPolicies { dataset_id: ds() },
            "GET",
            "/v1/datasets/abc123/policies",
            None,
        ),
        row_with(
            public_config(),
            "v1 get policy",
            V1GetPolicy {
                dataset_id: ds(),
                policy_id: 8u64.into(),
            },
            "GET",
            "/v1/datasets/abc123/policies/8",
            None,
        ),
        row_with(
            public_config(),
            "v1 create policy",
            V1CreatePolicy {
                dataset_id: ds(),
                policy: policy.clone(),
            },
            "POST",
            "/v1/datasets/abc123/policies",
            Some(policy_json.clone()),
        ),
        row_with(
            public_config(),
            "v1 update policy",
            V1UpdatePolicy {
                dataset_id: ds(),
                policy_id: 8u64.into(),
                policy: policy.clone(),
            },
            "PUT",
            "/v1/datasets/abc123/policies/8",
            Some(policy_json),
        ),
        row_with(
            public_config(),
            "v1 delete policy",
            V1DeletePolicy {
                dataset_id: ds(),
                policy_id: 8u64.into(),
            },
            "DELETE",
            "/v1/datasets/abc123/policies/8",
            None,
        ),
        row_with(
            public_config(),
            "v1 streams page",
            V1ListStreams {
                limit: 500,
                offset: 0,
            },
            "GET",
            "/v1/streams?limit=500&offset=0&fields=all",
            None,
        ),
        row_with(
            public_config(),
            "v1 stream search",
            V1SearchStreams::dataset(&ds()),
            "GET",
            "/v1/streams/search?q=dataSource.id%3Aabc123&fields=all",
            None,
        ),
        row_with(
            public_config(),
            "v1 create stream",
            V1CreateStream {
                request: V1StreamRequest::new("Party", columns.clone()),
            },
            "POST",
            "/v1/streams",
            Some(
                json!({"dataSet": {"name": "Party", "schema": schema}, "updateMethod": "REPLACE"}),
            ),
        ),
        row_with(
            public_config(),
            "v1 get stream",
            V1GetStream {
                stream_id: 42u64.into(),
            },
            "GET",
            "/v1/streams/42",
            None,
        ),
        row_with(
            public_config(),
            "v1 update stream",
            V1UpdateStream {
                stream_id: 42u64.into(),
                request: V1StreamRequest {
                    update_method: Some("APPEND".into()),
                    ..V1StreamRequest::default()
                },
            },
            "PATCH",
            "/v1/streams/42",
            Some(json!({"updateMethod": "APPEND"})),
        ),
        row_with(
            public_config(),
            "v1 delete stream",
            V1DeleteStream {
                stream_id: 42u64.into(),
            },
            "DELETE",
            "/v1/streams/42",
            None,
        ),
        row_with(
            public_config(),
            "v1 create execution",
            V1CreateExecution {
                stream_id: 42u64.into(),
                update_method: None,
            },
            "POST",
            "/v1/streams/42/executions",
            Some(json!({"updateMethod": null})),
        ),
        row_with(
            public_config(),
            "v1 append execution",
            V1CreateExecution {
                stream_id: 42u64.into(),
                update_method: Some(UploadAction::Append),
            },
            "POST",
            "/v1/streams/42/executions",
            Some(json!({"updateMethod": "APPEND"})),
        ),
        row_with(
            public_config(),
            "v1 get execution",
            V1GetExecution {
                stream_id: 42u64.into(),
                execution_id: 1u64.into(),
            },
            "GET",
            "/v1/streams/42/executions/1",
            None,
        ),
        row_with(
            public_config(),
            "v1 executions page",
            V1ListExecutions {
                stream_id: 42u64.into(),
                limit: 500,
                offset: 500,
            },
            "GET",
            "/v1/streams/42/executions?limit=500&offset=500",
            None,
        ),
        row_with(
            public_config(),
            "v1 commit",
            V1CommitExecution {
                stream_id: 42u64.into(),
                execution_id: 1u64.into(),
            },
            "PUT",
            "/v1/streams/42/executions/1/commit",
            None,
        ),
        row_with(
            public_config(),
            "v1 abort",
            V1AbortExecution {
                stream_id: 42u64.into(),
                execution_id: 1u64.into(),
            },
            "PUT",
            "/v1/streams/42/executions/1/abort",
            None,
        ),
        row_with(
            public_config(),
            "v1 abort current",
            V1AbortCurrentExecution {
                stream_id: 42u64.into(),
            },
            "PUT",
            "/v1/streams/42/executions/abort",
            None,
        ),
        row_with(
            public_config(),
            "v1 users page",
            V1ListUsers {
                limit: 500,
                offset: 500,
            },
            "GET",
            "/v1/users?limit=500&offset=500",
            None,
        ),
        row_with(
            public_config(),
            "v1 get user",
            V1GetUser {
                user_id: 27u64.into(),
            },
            "GET",
            "/v1/users/27",
            None,
        ),
        row_with(
            public_config(),
            "v1 create user",
            V1CreateUser {
                request: V1UserRequest::new(
                    "Leonhard Euler",
                    "leonhard@example.com",
                    "Participant",
                ),
                send_invite: false,
            },
            "POST",
            "/v1/users?sendInvite=false",
            Some(
                json!({"name": "Leonhard Euler", "email": "leonhard@example.com", "role": "Participant"}),
            ),
        ),
        row_with(
            public_config(),
            "v1 update user",
            V1UpdateUser {
                user_id: 27u64.into(),
                request: V1UserRequest {
                    title: Some("Mathematician".into()),
                    ..V1UserRequest::default()
                },
            },
            "PUT",
            "/v1/users/27",
            Some(json!({"title": "Mathematician"})),
        ),
        row_with(
            public_config(),
            "v1 delete user",
            V1DeleteUser {
                user_id: 27u64.into(),
            },
            "DELETE",
            "/v1/users/27",
            None,
        ),
        row_with(
            public_config(),
            "v1 groups page",
            V1ListGroups {
                limit: 50,
                offset: 0,
            },
            "GET",
            "/v1/groups?limit=50&offset=0",
            None,
        ),
        row_with(
            public_config(),
            "v1 get group",
            V1GetGroup {
                group_id: 3u64.into(),
            },
            "GET",
            "/v1/groups/3",
            None,
        ),
        row_with(
            public_config(),
            "v1 create group",
            V1CreateGroup {
                request: V1GroupRequest::new("Mathematicians"),
            },
            "POST",
            "/v1/groups",
            Some(json!({"name": "Mathematicians", "active": true, "default": false})),
        ),
        row_with(
            public_config(),
            "v1 update group",
            V1UpdateGroup {
                group_id: 3u64.into(),
                request: V1GroupRequest {
                    name: Some("Euler fans".into()),
                    ..V1GroupRequest::default()
                },
            },
            "PUT",
            "/v1/groups/3",
            Some(json!({"name": "Euler fans"})),
        ),
        row_with(
            public_config(),
            "v1 delete group",
            V1DeleteGroup {
                group_id: 3u64.into(),
            },
            "DELETE",
            "/v1/groups/3",
            None,
        ),
        row_with(
            public_config(),
            "v1 group members",
            V1ListGroupMembers {
                group_id: 3u64.into(),
                limit: 500,
                offset: 0,
            },
            "GET",
            "/v1/groups/3/users?limit=500&offset=0",
            None,
        ),
        row_with(
            public_config(),
            "v1 add member",
            V1AddGroupMember {
                group_id: 3u64.into(),
                user_id: 27u64.into(),
            },
            "PUT",
            "/v1/groups/3/users/27",
            None,
        ),
        row_with(
            public_config(),
            "v1 remove member",
            V1RemoveGroupMember {
                group_id: 3u64.into(),
                user_id: 27u64.into(),
            },
            "DELETE",
            "/v1/groups/3/users/27",
            None,
        ),
    ]
}

#[test]
fn public_endpoints_build_the_exact_request() {
    for r in public_rows() {
        let p = &r.prepared;
        assert_eq!(p.label.method.as_str(), r.method, "{}", r.name);
        assert_eq!(p.uri, format!("{P}{}", r.uri), "{}", r.name);
        // The bearer token is the transport's, set on each attempt.
        assert_eq!(header(p, "authorization"), None, "{}", r.name);
        assert_eq!(header(p, "x-domo-developer-token"), None, "{}", r.name);
        assert_eq!(p.header("accept"), Some(r.accept), "{}", r.name);
        match &r.body {
            None => assert!(p.body.is_empty(), "{}: unexpected body", r.name),
            Some(expected) => {
                assert_eq!(header(p, "content-type"), r.content_type, "{}", r.name);
                let sent: Value = serde_json::from_slice(&p.body).unwrap();
                assert_eq!(&sent, expected, "{}", r.name);
            }
        }
        let _ = r.idempotent;
    }
}

#[test]
fn public_csv_bodies_are_sent_as_given() {
    use domo_core::v1::datasets::V1ImportData;
    use domo_core::v1::streams::V1UploadPart;
    let part = V1UploadPart {
        stream_id: 42u64.into(),
        execution_id: 1u64.into(),
        part: 0,
        csv: Bytes::from_static(b"gzipped: 1,a\n"),
        gzip: true,
    };
    let p = public_config().prepare(&part).unwrap();
    assert_eq!(p.label.method.as_str(), "PUT");
    // pydomo numbers parts from 0: the public API takes it.
    assert_eq!(p.uri, format!("{P}/v1/streams/42/executions/1/part/0"));
    assert_eq!(header(&p, "content-type"), Some("text/csv"));
    assert_eq!(header(&p, "content-encoding"), Some("gzip"));
    assert_eq!(&p.body[..], b"gzipped: 1,a\n");
    assert!(part.spec().idempotent);
    assert_same_as_object_with(&public_config(), "v1 part", &part, &p);
    let import = V1ImportData {
        dataset_id: ds(),
        update_method: UploadAction::Append,
        csv: Bytes::from_static(b"1,a\n"),
        gzip: false,
    };
    let p = public_config().prepare(&import).unwrap();
    assert_eq!(
        p.uri,
        format!("{P}/v1/datasets/abc123/data?updateMethod=APPEND")
    );
    assert_eq!(header(&p, "content-type"), Some("text/csv"));
    assert_eq!(header(&p, "content-encoding"), None);
    assert_eq!(&p.body[..], b"1,a\n");
    assert!(!import.spec().idempotent);
    assert_same_as_object_with(&public_config(), "v1 import", &import, &p);
}

/// Client credentials reach only the public API and tokens only the
/// product API: the other is refused before anything is sent, naming the
/// counterpart.
#[test]
fn each_api_takes_its_own_credentials() {
    use domo_core::v1::datasets::V1GetDataset;
    let e = config()
        .prepare(&V1GetDataset { dataset_id: ds() })
        .unwrap_err();
    assert_eq!(e.kind(), domo_core::ErrorKind::WrongApi);
    assert!(
        e.to_string()
            .contains("its counterpart there is GetDataset"),
        "{e}"
    );
    for (product, public) in domo_core::spec::COUNTERPARTS {
        let p = domo_core::spec(product).unwrap_or_else(|| panic!("{product}"));
        let v = domo_core::spec(public).unwrap_or_else(|| panic!("{public}"));
        assert_eq!(p.api(), domo_core::Api::Product, "{product}");
        assert_eq!(v.api(), domo_core::Api::Public, "{public}");
    }
    let e = public_config()
        .prepare(&GetDataset::new("abc123"))
        .unwrap_err();
    assert_eq!(e.kind(), domo_core::ErrorKind::WrongApi);
    assert!(e.to_string().contains("V1GetDataset"), "{e}");
    assert!(!e.to_string().contains("client-s3cret"), "{e}");
    let e = public_config()
        .prepare(&ListPartitions { dataset_id: ds() })
        .unwrap_err();
    assert!(e.to_string().contains("no counterpart"), "{e}");
}
