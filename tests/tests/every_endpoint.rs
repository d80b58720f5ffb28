//! Every endpoint domo-core declares is sent by a named domo-native method:
//! each method below runs against the emulator while a tracing layer notes
//! the `endpoint` of every `domo.request` span the client opens, and the
//! endpoints seen must be all that `domo_core::specs()` declares. A new
//! declaration without a native method (or without a call here) fails.
//! The calls go through named methods only, never `Client::send`, which
//! reaches any endpoint and so would prove nothing (checked below).
//!
//! That the browser package sends the same request as the typed endpoint
//! for the same arguments is `crates/domo-core/tests/endpoints.rs`; what
//! each method answers is `contract.rs` and the other suites.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use clap::Parser;
use domo_emulator::cli::EmulatorArgs;
use domo_integration_tests::*;
use domo_native::core::app::{AppDataReply, AppFormat, Condition, DateGrain, Period};
use domo_native::model::app::DocumentRequest;
use domo_native::model::pdp::{Policy, PolicyParameter};
use domo_native::model::permissions::{AccessLevel, Permission, PrincipalRef};
use domo_native::model::streams::StreamRequest;
use domo_native::{
    Aggregation, AppQuery, AppUsersQuery, Client, Credentials, DataWindow, DocumentQuery,
    RowFormat, SchemaRoute, Secret, UploadAction,
};
use futures_util::TryStreamExt;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id as SpanId};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// The endpoints the client has sent, by name.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<BTreeSet<String>>>);

impl<S: tracing::Subscriber> Layer<S> for Seen {
    fn on_new_span(&self, attrs: &Attributes<'_>, _: &SpanId, _: Context<'_, S>) {
        if attrs.metadata().name() != "domo.request" {
            return;
        }
        struct Endpoint(Option<String>);
        impl Visit for Endpoint {
            fn record_str(&mut self, field: &Field, value: &str) {
                if field.name() == "endpoint" {
                    self.0 = Some(value.to_owned());
                }
            }
            fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
                if field.name() == "endpoint" {
                    self.0 = Some(format!("{value:?}").trim_matches('"').to_owned());
                }
            }
        }
        let mut endpoint = Endpoint(None);
        attrs.record(&mut endpoint);
        if let Some(name) = endpoint.0 {
            self.0.lock().unwrap().insert(name);
        }
    }
}

#[derive(Parser)]
struct Flags {
    #[command(flatten)]
    emulator: EmulatorArgs,
}

fn emulator_config(args: &[&str]) -> domo_emulator::EmulatorConfig {
    let mut argv = vec!["domo-emulator", "--addr", "127.0.0.1:0"];
    argv.extend_from_slice(args);
    Flags::try_parse_from(argv)
        .expect("the emulator's flags parse")
        .emulator
        .into()
}

/// The app session the emulator's app page carries
/// (`window.__RYUU_SID__`), read as a browser would: GET `/`.
async fn app_session(url: &str) -> String {
    let addr = url.trim_start_matches("http://");
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    conn.write_all(
        format!("GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut page = String::new();
    conn.read_to_string(&mut page).await.unwrap();
    page.split("window.__RYUU_SID__ = \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the app page carries the session")
        .to_owned()
}

#[tokio::test]
async fn every_declared_endpoint_is_sent_by_a_named_native_method() {
    // Named methods only: `send` would reach any endpoint.
    let source = include_str!("every_endpoint.rs");
    assert!(
        !source.contains(concat!(".se", "nd(")),
        "call named methods"
    );

    let seen = Seen::default();
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(seen.clone()))
        .expect("this test binary installs the only subscriber");

    let emu = start(emulator_config(&[
        "--token",
        "dev-token=1",
        "--user",
        "1:ann@example.com",
        "--password",
        "1=correct horse",
        "--client",
        "every-endpoint:cs3cret:1",
    ]))
    .await;
    let settings = || {
        Client::builder()
            .base_url(emu.url())
            .retry_policy(test_retries())
    };
    let (c, session) = Client::login(settings(), "ann@example.com", &Secret::new("correct horse"))
        .await
        .unwrap();
    assert!(session.user_id.is_some());
    let me = c.whoami().await.unwrap();

    // Datasets: created both ways, found every way, described.
    let created = c
        .create_dataset(NewDataset::new("Every endpoint", all_types()))
        .await
        .unwrap();
    let id = created.dataset_id.clone();
    let bare = c
        .create_dataset(NewDataset::new("Without a stream", all_types()).without_stream())
        .await
        .unwrap();
    assert!(c.dataset(&id).await.is_ok());
    let listed: Vec<_> = c.datasets().try_collect().await.unwrap();
    assert!(listed.len() >= 2);
    let hits: Vec<_> = c
        .search_datasets(DatasetSearch::text("every"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(hits.len(), 1);
    let whole: Vec<_> = c
        .search_datasets_full(DatasetSearch::text("every"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(whole[0].id, id.to_string());
    c.rename_dataset(&id, "Every endpoint, renamed")
        .await
        .unwrap();

    // Schema: every route, and a change.
    for route in [
        SchemaRoute::Latest,
        SchemaRoute::Indexed,
        SchemaRoute::IndexedWithHidden,
        SchemaRoute::Documented,
    ] {
        assert_eq!(c.schema_via(&id, route).await.unwrap().columns.len(), 6);
    }
    let schema = c.schema(&id).await.unwrap();
    c.alter_schema(&id, &schema).await.unwrap();

    // Uploads: the staged upload (which reads the version counts to
    // verify), a partition, a stream execution, one appended row.
    let csv = rows(0, 20);
    c.upload(
        &id,
        UploadSource::bytes(csv.clone()),
        &UploadOptions::new(UploadAction::Replace),
    )
    .await
    .unwrap();
    let sid = created.stream_id.clone().expect("created through a stream");
    c.upload_via_stream(
        sid.clone(),
        UploadSource::bytes(rows(200, 30)),
        &UploadOptions::new(UploadAction::Replace),
    )
    .await
    .unwrap();
    c.upload(
        &id,
        UploadSource::bytes(rows(100, 5)),
        &UploadOptions::new(UploadAction::Append).partition("2024-01"),
    )
    .await
    .unwrap();
    c.append_row(
        &id,
        "999,appended,1.5,2.25,2024-05-06,2024-05-06T07:08:09",
        ',',
    )
    .await
    .unwrap();

    // Reading rows: pages, CSV, the export, SQL in both forms.
    c.data(&id, &DataWindow::all().limit(5)).await.unwrap();
    let all: Vec<_> = c.data_rows(&id, 10).try_collect().await.unwrap();
    assert_eq!(all.len(), 36);
    c.data_csv(&id, &DataWindow::all()).await.unwrap();
    let mut out = Vec::new();
    c.export_to(&id, &mut out, &ExportOptions::default())
        .await
        .unwrap();
    c.query(&id, "SELECT COUNT(*) FROM table").await.unwrap();
    let mut out = Vec::new();
    c.query_to(
        &id,
        "SELECT * FROM table",
        &QueryToOptions::new(RowFormat::Csv),
        &mut out,
    )
    .await
    .unwrap();

    // Partitions.
    assert_eq!(c.partitions(&id).await.unwrap().len(), 1);
    assert_eq!(c.partition_list(&id).await.unwrap().len(), 1);
    c.search_partitions(&id, json!({"partitionId": "2024-01"}))
        .await
        .unwrap();
    c.delete_partition(&id, "2024-01").await.unwrap();
    c.upload(
        &id,
        UploadSource::bytes(rows(300, 2)),
        &UploadOptions::new(UploadAction::Append).partition("2024-02"),
    )
    .await
    .unwrap();
    c.delete_partition_data(&id, "2024-02").await.unwrap();
    c.delete_partition_tag(&id, "2024-02").await.unwrap();

    // Tags, versions, indexes.
    c.set_tags(&id, vec!["every".into()]).await.unwrap();
    assert!(!c.data_versions(&id).await.unwrap().is_empty());
    let job = c.start_index(&id).await.unwrap();
    c.index_status(&id, job.index_id.expect("an index id"))
        .await
        .unwrap();

    // Streams.
    let stream = c
        .create_stream(StreamRequest::api_dataset("Streamed", "", all_types()))
        .await
        .unwrap();
    c.stream(stream.id.clone()).await.unwrap();
    c.update_stream(
        stream.id.clone(),
        StreamRequest {
            update_method: Some("APPEND".into()),
            ..StreamRequest::default()
        },
    )
    .await
    .unwrap();
    c.search_streams(&id).await.unwrap();
    let run = c.run_stream(stream.id.clone()).await.unwrap();
    c.abort_execution(stream.id.clone(), run.execution_id.clone().unwrap())
        .await
        .unwrap();
    let run = c.run_stream(stream.id.clone()).await.unwrap();
    c.commit_execution(stream.id.clone(), run.execution_id.clone().unwrap())
        .await
        .unwrap();
    c.stream_history(stream.id.clone()).await.unwrap();

    // Sharing.
    c.share(
        &id,
        vec![Permission::user(2u64, AccessLevel::CanEdit)],
        &ShareOptions::default(),
    )
    .await
    .unwrap();
    c.permissions(&id).await.unwrap();
    c.revoke_user(&id, 2u64).await.unwrap();
    c.share(
        &id,
        vec![Permission::user(2u64, AccessLevel::CanEdit)],
        &ShareOptions::default(),
    )
    .await
    .unwrap();
    c.remove_user(&id, 2u64).await.unwrap();
    c.remove_users(&id, vec![PrincipalRef::user("3")])
        .await
        .unwrap();

    // Row policies.
    let mut policy = Policy::new(id.to_string(), "East");
    policy.user_ids = vec![me.id.clone()];
    policy.parameters = vec![PolicyParameter::equals("name", ["plain 2"])];
    let policy = c.create_policy(&id, policy).await.unwrap();
    let policy_id = policy.filter_group_id.clone().expect("a policy id");
    c.update_policy(&id, policy_id.clone(), policy)
        .await
        .unwrap();
    c.policies(&id).await.unwrap();
    c.set_pdp(&id, true).await.unwrap();
    c.delete_policy(&id, policy_id).await.unwrap();

    // Access tokens.
    let minted = c
        .create_access_token(
            "every endpoint",
            me.id.clone(),
            SystemTime::now() + Duration::from_secs(86_400),
        )
        .await
        .unwrap();
    c.access_tokens().await.unwrap();
    c.revoke_access_token(minted.token.id.clone())
        .await
        .unwrap();

    c.delete_dataset(bare.dataset_id).await.unwrap();
    c.delete_dataset(&id).await.unwrap();

    // The public API, with OAuth client credentials.
    public_api(&emu).await;
    emu.shutdown().await;

    // A custom app's Data and SQL APIs, with the app's session.
    let app = start(emulator_config(&[
        "--demo",
        "--app",
        concat!(env!("CARGO_MANIFEST_DIR"), "/../web/demo-app"),
    ]))
    .await;
    let sid = app_session(app.url()).await;
    let in_app = Client::builder()
        .base_url(app.url())
        .credentials(Credentials::RyuuSession(Secret::new(sid)))
        .build()
        .unwrap();
    let rows = in_app
        .app_data("sales", &AppQuery::new().limit(3))
        .await
        .unwrap();
    assert_eq!(rows.len(), 3);
    in_app
        .app_sql("sales", "SELECT COUNT(*) FROM sales")
        .await
        .unwrap();
    let by_month = in_app
        .app_data(
            "sales",
            &AppQuery::new()
                .fields(["Order Date", "Revenue"])
                .date_grain(DateGrain::new("Order Date", Period::Month).unwrap())
                .condition(&Condition::compare("Units", ">", 0)),
        )
        .await
        .unwrap();
    assert_eq!(by_month.len(), 12, "{by_month:?}");
    assert!(
        by_month[0].contains_key("CalendarMonth"),
        "{:?}",
        by_month[0]
    );
    let AppDataReply::Text(csv) = in_app
        .app_data_as("sales", &AppQuery::new().limit(1), AppFormat::Csv)
        .await
        .unwrap()
    else {
        panic!("CSV is text");
    };
    assert!(csv.starts_with("Region,"), "{csv}");
    let AppDataReply::Table(table) = in_app
        .app_data_as("sales", &AppQuery::new().limit(2), AppFormat::Arrays)
        .await
        .unwrap()
    else {
        panic!("arrays is the table");
    };
    assert_eq!((table.rows.len(), table.fromcache), (2, Some(false)));
    let env = in_app.app_environment().await.unwrap();
    assert_eq!(env.user_id.as_u64(), Some(1));
    assert!(
        !in_app
            .app_users(&AppUsersQuery::new())
            .await
            .unwrap()
            .is_empty()
    );
    // The product API is refused to an app session before anything is sent.
    let refused = in_app
        .dataset("00000000-0000-4000-8000-000000000001")
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("backend services"),
        "{refused}"
    );

    let orders = in_app.app_db("orders");
    let content = |v: serde_json::Value| v.as_object().unwrap().clone();
    let order = |units: i64| {
        content(
            json!({"Region": "East", "Units": units, "Revenue": 2.5, "Order Date": "2024-03-01"}),
        )
    };
    let doc = orders.create(order(1)).await.unwrap();
    assert_eq!(orders.get(&doc.id).await.unwrap().content["Units"], 1);
    orders.update(&doc.id, order(2)).await.unwrap();
    let changed = orders
        .partial_update(
            content(json!({"content.Region": "East"})),
            content(json!({"$inc": {"content.Units": 1}})),
        )
        .await
        .unwrap();
    assert_eq!(changed, 1);
    let made = orders.bulk_create(vec![order(5), order(7)]).await.unwrap();
    assert_eq!(made.created, Some(2));
    let found = orders
        .query(
            content(json!({"content.Units": {"$gte": 5}})),
            &DocumentQuery::new().order_by("content.Units descending"),
        )
        .await
        .unwrap();
    assert_eq!(found.len(), 2);
    orders
        .bulk_upsert(vec![DocumentRequest {
            id: Some(found[0].id.clone()),
            content: order(8),
        }])
        .await
        .unwrap();
    let totals = orders
        .aggregate(
            content(json!({})),
            &Aggregation::new()
                .group_by(["content.Region"])
                .count("n")
                .sum("content.Units", "units"),
        )
        .await
        .unwrap();
    assert_eq!(totals[0]["n"], 3, "{totals:?}");
    assert_eq!(totals[0]["units"], 3 + 5 + 8, "{totals:?}");
    in_app.sync_app_db().await.unwrap();
    let synced = in_app.app_data("orders", &AppQuery::new()).await.unwrap();
    assert_eq!(synced.len(), 3);
    let all = orders.list().await.unwrap();
    orders.delete(&all[0].id).await.unwrap();
    // The handle owns a clone of the client: it outlives `in_app` and
    // moves into a spawned task, as the crate's streams do.
    drop(in_app);
    let rest: Vec<_> = all[1..].iter().map(|d| d.id.clone()).collect();
    let gone = tokio::spawn(async move { orders.bulk_delete(rest).await })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(gone.deleted, Some(2));
    app.shutdown().await;

    let seen = seen.0.lock().unwrap().clone();
    let declared: BTreeSet<String> = domo_core::specs().map(|s| s.name.to_owned()).collect();
    let missing: Vec<_> = declared.difference(&seen).collect();
    assert!(
        missing.is_empty(),
        "declared endpoints no named native method sent: {missing:?}"
    );
}

/// Every `/v1` endpoint through [`domo_native::PublicApi`], each reply
/// checked where it says what the next call relies on.
async fn public_api(emu: &domo_emulator::RunningEmulator) {
    use domo_native::model::schema::{Column, ColumnType};
    use domo_native::model::v1::*;
    use domo_native::{ExportOptions, Id, NewUserOptions};
    let v1 = Client::builder()
        .base_url(emu.url())
        .client_credentials("every-endpoint", "cs3cret")
        .retry_policy(test_retries())
        .build()
        .unwrap()
        .v1();
    let columns = vec![
        Column::new("n", ColumnType::Long),
        Column::new("name", ColumnType::String),
    ];

    // Datasets: made, changed, loaded, read back three ways.
    let made = v1
        .create_dataset(V1DatasetRequest::new(
            "Public every endpoint",
            columns.clone(),
        ))
        .await
        .unwrap();
    let described = V1DatasetRequest {
        description: Some("through /v1".into()),
        ..V1DatasetRequest::default()
    };
    v1.update_dataset(made.id.clone(), described).await.unwrap();
    assert_eq!(
        v1.dataset(made.id.clone())
            .await
            .unwrap()
            .description
            .as_deref(),
        Some("through /v1")
    );
    v1.import_csv(made.id.clone(), "1,a\n2,b\n".into(), UploadAction::Replace)
        .await
        .unwrap();
    let mut csv = Vec::new();
    v1.export_to(made.id.clone(), &mut csv, &ExportOptions::default())
        .await
        .unwrap();
    assert_eq!(String::from_utf8(csv).unwrap(), "n,name\n1,a\n2,b\n");
    let counted = v1
        .query(made.id.clone(), "SELECT COUNT(*) AS c FROM table")
        .await
        .unwrap();
    assert_eq!(counted.rows, vec![vec![json!(2)]]);
    let listed: Vec<V1Dataset> = v1
        .datasets(Some("PUBLIC every"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");

    // Users and groups, and membership.
    let user = v1
        .create_user(
            V1UserRequest::new("Pat Public", "pat@example.com", "Participant"),
            &NewUserOptions::default(),
        )
        .await
        .unwrap();
    let titled = V1UserRequest {
        title: Some("Analyst".into()),
        ..V1UserRequest::default()
    };
    v1.update_user(user.id.clone(), titled).await.unwrap();
    assert_eq!(
        v1.user(user.id.clone()).await.unwrap().title.as_deref(),
        Some("Analyst")
    );
    let users: Vec<V1User> = v1.users().try_collect().await.unwrap();
    assert!(users.iter().any(|u| u.id == user.id));
    let group = v1
        .create_group(V1GroupRequest::new("Public group"))
        .await
        .unwrap();
    let renamed = V1GroupRequest {
        name: Some("Public group, renamed".into()),
        ..V1GroupRequest::default()
    };
    v1.update_group(group.id.clone(), renamed).await.unwrap();
    assert_eq!(
        v1.group(group.id.clone()).await.unwrap().name.as_deref(),
        Some("Public group, renamed")
    );
    let groups: Vec<V1Group> = v1.groups().try_collect().await.unwrap();
    assert!(groups.iter().any(|g| g.id == group.id));
    v1.add_group_member(group.id.clone(), user.id.clone())
        .await
        .unwrap();
    let members: Vec<Id> = v1
        .group_members(group.id.clone())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(members, vec![user.id.clone()]);

    // Row policies.
    let mut policy = V1Policy::new("Only a");
    policy.filters = vec![V1Filter::equals("name", ["a"])];
    policy.users = vec![user.id.clone()];
    let policy = v1.create_policy(made.id.clone(), policy).await.unwrap();
    let policy_id = policy.id.clone().expect("a policy id");
    v1.update_policy(made.id.clone(), policy_id.clone(), policy)
        .await
        .unwrap();
    v1.policy(made.id.clone(), policy_id.clone()).await.unwrap();
    assert_eq!(v1.policies(made.id.clone()).await.unwrap().len(), 1);
    v1.delete_policy(made.id.clone(), policy_id).await.unwrap();

    v1.remove_group_member(group.id.clone(), user.id.clone())
        .await
        .unwrap();
    v1.delete_group(group.id).await.unwrap();
    v1.delete_user(user.id).await.unwrap();
    v1.delete_dataset(made.id).await.unwrap();

    // Streams and executions: one committed, one aborted, one aborted as
    // the stream's current one.
    let stream = v1
        .create_stream(V1StreamRequest::new("Public stream", columns))
        .await
        .unwrap();
    let fed = stream.dataset_id().expect("the stream's dataset").clone();
    let appending = V1StreamRequest {
        update_method: Some("APPEND".into()),
        ..V1StreamRequest::default()
    };
    v1.update_stream(stream.id.clone(), appending)
        .await
        .unwrap();
    assert_eq!(
        v1.stream(stream.id.clone())
            .await
            .unwrap()
            .update_method
            .as_deref(),
        Some("APPEND")
    );
    let found = v1.stream_of(fed.clone()).await.unwrap();
    assert_eq!(found.map(|s| s.id), Some(stream.id.clone()));
    let streams: Vec<V1Stream> = v1.streams().try_collect().await.unwrap();
    assert!(streams.iter().any(|s| s.id == stream.id));
    let run = v1.create_execution(stream.id.clone(), None).await.unwrap();
    v1.upload_part(stream.id.clone(), run.id.clone(), 1, "1,a\n".into())
        .await
        .unwrap();
    v1.upload_part(stream.id.clone(), run.id.clone(), 2, "2,b\n".into())
        .await
        .unwrap();
    v1.execution(stream.id.clone(), run.id.clone())
        .await
        .unwrap();
    let done = v1
        .commit_execution(stream.id.clone(), run.id.clone())
        .await
        .unwrap();
    assert_eq!(done.current_state.as_deref(), Some("SUCCESS"));
    let dropped = v1
        .create_execution(stream.id.clone(), Some(UploadAction::Replace))
        .await
        .unwrap();
    v1.abort_execution(stream.id.clone(), dropped.id)
        .await
        .unwrap();
    v1.create_execution(stream.id.clone(), None).await.unwrap();
    v1.abort_current_execution(stream.id.clone()).await.unwrap();
    let runs: Vec<V1Execution> = v1
        .executions(stream.id.clone())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(runs.len(), 3);
    assert_eq!(v1.dataset(fed.clone()).await.unwrap().rows, Some(2));
    v1.delete_stream(stream.id).await.unwrap();
    v1.delete_dataset(fed).await.unwrap();
}
