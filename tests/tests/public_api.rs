//! The public API with OAuth client credentials, against the emulator over
//! real sockets: a wrong secret, a missing scope, tokens expiring while a
//! load runs (renewed, no part lost), one token fetch however many
//! requests wait for it, and one dataset seen through both APIs.

use std::sync::OnceLock;
use std::time::Duration;

use domo_emulator::{EmulatorConfig, ManualClock, RunningEmulator};
use domo_integration_tests::*;
use domo_native::model::schema::{Column, ColumnType};
use domo_native::model::v1::{V1DatasetRequest, V1Filter, V1Policy, V1StreamRequest};
use domo_native::{Client, ErrorKind, ExportOptions, PublicApi, UploadAction};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id as SpanId};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

const ID: &str = "public-app";
const SECRET: &str = "pub-s3cret";

thread_local! {
    /// Token requests sent from this thread: each `#[tokio::test]` runs
    /// its client on a runtime of its own thread, so tests running side by
    /// side do not count each other's.
    static FETCHES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Token requests this test's client has sent so far, counted from the
/// client's `domo.request` spans.
fn token_fetches() -> usize {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        struct Count;
        impl<S: tracing::Subscriber> Layer<S> for Count {
            fn on_new_span(&self, attrs: &Attributes<'_>, _: &SpanId, _: Context<'_, S>) {
                struct Token(bool);
                impl Visit for Token {
                    fn record_str(&mut self, field: &Field, value: &str) {
                        self.0 |= field.name() == "endpoint" && value == "RequestToken";
                    }
                    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
                        self.0 |= field.name() == "endpoint"
                            && format!("{value:?}").trim_matches('"') == "RequestToken";
                    }
                }
                let mut token = Token(false);
                attrs.record(&mut token);
                if attrs.metadata().name() == "domo.request" && token.0 {
                    FETCHES.with(|f| f.set(f.get() + 1));
                }
            }
        }
        tracing::subscriber::set_global_default(tracing_subscriber::registry().with(Count))
            .expect("this test binary installs the only subscriber");
    });
    FETCHES.with(|f| f.get())
}

fn with_client(config: EmulatorConfig) -> EmulatorConfig {
    config.with_client(ID, SECRET, 1)
}

fn public(emu: &RunningEmulator, secret: &str) -> PublicApi {
    Client::builder()
        .base_url(emu.url())
        .client_credentials(ID, secret)
        .retry_policy(test_retries())
        .build()
        .unwrap()
        .v1()
}

fn columns() -> Vec<Column> {
    vec![
        Column::new("n", ColumnType::Long),
        Column::new("name", ColumnType::String),
    ]
}

#[tokio::test]
async fn a_wrong_secret_is_a_401_that_names_the_credentials_not_the_secret() {
    let emu = start(with_client(config())).await;
    let e = public(&emu, "not-the-secret")
        .dataset("0c1e5e9e-0000-0000-0000-000000000000")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthorized, "{e}");
    assert_eq!(e.status(), Some(401));
    assert!(e.to_string().contains("client id or secret"), "{e}");
    assert!(!format!("{e} {e:?}").contains("not-the-secret"), "{e:?}");
    emu.shutdown().await;
}

#[tokio::test]
async fn a_missing_scope_is_a_403() {
    let mut config = config();
    config.clients.push(domo_emulator::ClientSpec {
        id: ID.into(),
        secret: domo_emulator::Password::new(SECRET),
        user_id: 1,
        scopes: Some(vec!["user".into()]),
    });
    let emu = start(config).await;
    let v1 = public(&emu, SECRET);
    let e = v1
        .create_dataset(V1DatasetRequest::new("Needs data", columns()))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden, "{e}");
    // The scope it has works.
    v1.user(1u64).await.unwrap();
    emu.shutdown().await;
}

#[tokio::test]
async fn a_product_method_on_client_credentials_says_which_api() {
    let emu = start(with_client(config())).await;
    let client = Client::builder()
        .base_url(emu.url())
        .client_credentials(ID, SECRET)
        .build()
        .unwrap();
    let e = client.partitions("abc").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WrongApi, "{e}");
    assert!(e.to_string().contains("public API"), "{e}");
    // And the instance setting, which names the product API's host, is
    // refused with client credentials.
    let e = Client::builder()
        .instance("acme")
        .client_credentials(ID, SECRET)
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("api.domo.com"), "{e}");
    emu.shutdown().await;
}

/// Tokens that expire by the server's clock in the middle of a load are
/// renewed (once, on the 401) and every part arrives; requests waiting for
/// a token share one fetch.
#[tokio::test]
async fn tokens_expiring_mid_load_are_renewed_once_and_no_part_is_lost() {
    let clock = ManualClock::at_system_time();
    let mut config = with_client(config());
    config.clock = clock.clock();
    config.token_ttl = Duration::from_secs(600);
    let emu = start(config).await;
    let v1 = public(&emu, SECRET);

    let before = token_fetches();
    let stream = v1
        .create_stream(V1StreamRequest::new("Renewed mid-load", columns()))
        .await
        .unwrap();
    assert_eq!(token_fetches() - before, 1);
    let run = v1.create_execution(stream.id.clone(), None).await.unwrap();
    v1.upload_part(stream.id.clone(), run.id.clone(), 1, "1,a\n".into())
        .await
        .unwrap();

    // The server's clock passes the token's expiry; eight parts go at
    // once, all carrying the dead token: one renewal between them.
    clock.advance(Duration::from_secs(3600));
    let parts = (2..=9u32).map(|n| {
        let v1 = v1.clone();
        let (s, e) = (stream.id.clone(), run.id.clone());
        async move { v1.upload_part(s, e, n, format!("{n},p{n}\n").into()).await }
    });
    for sent in futures_util::future::join_all(parts).await {
        sent.unwrap();
    }
    assert_eq!(token_fetches() - before, 2);
    let done = v1
        .commit_execution(stream.id.clone(), run.id)
        .await
        .unwrap();
    assert_eq!(done.current_state.as_deref(), Some("SUCCESS"));
    let dataset = stream.dataset_id().unwrap().clone();
    assert_eq!(v1.dataset(dataset.clone()).await.unwrap().rows, Some(9));
    let mut csv = Vec::new();
    v1.export_to(
        dataset,
        &mut csv,
        &ExportOptions::default().without_header(),
    )
    .await
    .unwrap();
    let csv = String::from_utf8(csv).unwrap();
    for n in 2..=9 {
        assert!(csv.contains(&format!("{n},p{n}\n")), "{csv}");
    }
    emu.shutdown().await;
}

/// One dataset, two APIs: made and loaded through `/v1`, read through the
/// product API; a `/v1` row policy limits what both APIs return to its
/// user.
#[tokio::test]
async fn a_dataset_is_the_same_through_both_apis_and_policies_hold_on_both() {
    let emu = start(with_client(config()).with_client("alice-app", "alice-s3cret", 2)).await;
    let v1 = public(&emu, SECRET);
    let made = v1
        .create_dataset(V1DatasetRequest::new("Both APIs", columns()))
        .await
        .unwrap();
    v1.import_csv(
        made.id.clone(),
        "1,a\n2,b\n3,a\n".into(),
        UploadAction::Replace,
    )
    .await
    .unwrap();
    let admin = client(&emu, ADMIN);
    let product = admin.dataset(made.id.clone()).await.unwrap();
    assert_eq!(product.row_count(), Some(3));
    assert_eq!(product.name.as_deref(), Some("Both APIs"));

    // Alice (user 2) may see the rows named `a` only.
    admin
        .share(
            made.id.clone(),
            vec![domo_native::model::permissions::Permission::user(
                2u64,
                domo_native::model::permissions::AccessLevel::CanShare,
            )],
            &ShareOptions::default(),
        )
        .await
        .unwrap();
    let mut policy = V1Policy::new("Only a");
    policy.filters = vec![V1Filter::equals("name", ["a"])];
    policy.users = vec![2u64.into()];
    v1.create_policy(made.id.clone(), policy).await.unwrap();
    let on = V1DatasetRequest {
        pdp_enabled: Some(true),
        ..V1DatasetRequest::default()
    };
    v1.update_dataset(made.id.clone(), on).await.unwrap();
    let alice = client(&emu, ALICE);
    let mut seen = Vec::new();
    alice
        .export_to(
            made.id.clone(),
            &mut seen,
            &ExportOptions::default().without_header(),
        )
        .await
        .unwrap();
    assert_eq!(String::from_utf8(seen).unwrap(), "1,a\n3,a\n");

    // The same user through the public API: a client acting as Alice.
    let alice_v1 = Client::builder()
        .base_url(emu.url())
        .client_credentials("alice-app", "alice-s3cret")
        .build()
        .unwrap()
        .v1();
    let mut seen = Vec::new();
    alice_v1
        .export_to(
            made.id.clone(),
            &mut seen,
            &ExportOptions::default().without_header(),
        )
        .await
        .unwrap();
    assert_eq!(String::from_utf8(seen).unwrap(), "1,a\n3,a\n");
    let counted = alice_v1
        .query(made.id.clone(), "SELECT COUNT(*) FROM table")
        .await
        .unwrap();
    assert_eq!(counted.rows, vec![vec![serde_json::json!(2)]]);
    emu.shutdown().await;
}

/// The high-level methods pick the API from the credentials: `upload` runs
/// through a public-API stream execution (parts in parallel, gzip,
/// committed when all are in, verified by the row count), `export_to` and
/// the query methods through `/v1`.
#[tokio::test]
async fn upload_export_and_query_run_over_the_public_api() {
    use futures_util::TryStreamExt;
    let emu = start(with_client(config())).await;
    let client = Client::builder()
        .base_url(emu.url())
        .client_credentials(ID, SECRET)
        .retry_policy(test_retries())
        .build()
        .unwrap();
    let stream = client
        .v1()
        .create_stream(V1StreamRequest::new("Loaded over v1", all_types()))
        .await
        .unwrap();
    let dataset = stream.dataset_id().unwrap().clone();

    let replace = UploadOptions::new(UploadAction::Replace)
        .part_size(4096)
        .concurrency(3)
        .gzip();
    let report = client
        .upload(dataset.clone(), UploadSource::bytes(rows(0, 500)), &replace)
        .await
        .unwrap();
    assert_eq!(report.rows, 500);
    assert!(report.parts > 3, "{report:?}");
    assert_eq!(report.verified_rows, Some(500));
    let append = UploadOptions::new(UploadAction::Append).part_size(4096);
    let report = client
        .upload(
            dataset.clone(),
            UploadSource::bytes(rows(500, 100)),
            &append,
        )
        .await
        .unwrap();
    assert_eq!(report.verified_rows, Some(600));
    // Upserts and partitions are the product API's; refused before
    // anything is sent.
    let e = client
        .upload(
            dataset.clone(),
            UploadSource::bytes(rows(0, 1)),
            &UploadOptions::new(UploadAction::Upsert),
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("nothing was sent"), "{e}");

    let mut csv = Vec::new();
    client
        .export_to(
            dataset.clone(),
            &mut csv,
            &ExportOptions::default().without_header(),
        )
        .await
        .unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with("0,plain 0,"), "{}", &csv[..40]);
    assert!(csv.contains("599,\"line\nbreak 599\""), "the last row");
    let ids: Vec<_> = client
        .query_rows(dataset.clone(), "SELECT id FROM table ORDER BY id")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids.len(), 600);
    let counted = client
        .query(dataset.clone(), "SELECT COUNT(*) FROM table")
        .await
        .unwrap();
    assert_eq!(counted.rows, vec![vec![serde_json::json!(600)]]);

    // A dataset without a stream is said to be one, not a mystery.
    let bare = client
        .v1()
        .create_dataset(V1DatasetRequest::new("No stream", columns()))
        .await
        .unwrap();
    let e = client
        .upload(
            bare.id,
            UploadSource::bytes("1,a\n"),
            &UploadOptions::new(UploadAction::Replace),
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("has no stream"), "{e}");
    emu.shutdown().await;
}
