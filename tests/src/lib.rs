//! Shared set-up for the integration tests and the tour: an in-process
//! emulator on 127.0.0.1 (free port) and clients for its users.

use std::time::Duration;

use domo_emulator::{EmulatorConfig, RunningEmulator};
use domo_native::core::uploads::{CommitUpload, StartUpload, UploadPart};
use domo_native::model::schema::{Column, ColumnType};
use domo_native::model::uploads::{CommitResult, UploadSession};
use domo_native::{Client, DatasetId, Error, Id, RetryPolicy, UploadAction};

// What most tests name, in one import.
pub use domo_native::core::data::ExportCsv;
pub use domo_native::{
    DatasetSearch, ExportOptions, NewDataset, QueryToOptions, ShareOptions, UploadOptions,
    UploadSource,
};

/// Tokens of the users every test emulator knows. User 1 is the admin.
pub const ADMIN: &str = "dev-token";
pub const ALICE: &str = "alice-token"; // user 2
pub const BOB: &str = "bob-token"; // user 3
pub const CAROL: &str = "carol-token"; // user 4

pub fn config() -> EmulatorConfig {
    EmulatorConfig::ephemeral()
        .with_token(ADMIN, 1)
        .with_token(ALICE, 2)
        .with_token(BOB, 3)
        .with_token(CAROL, 4)
}

pub async fn emulator() -> RunningEmulator {
    start(config()).await
}

pub async fn start(config: EmulatorConfig) -> RunningEmulator {
    domo_emulator::start(config)
        .await
        .expect("the emulator starts")
}

/// Retries quick enough for tests, patient enough for injected faults.
pub fn test_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 12,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_secs(2),
        budget: Duration::from_secs(120),
    }
}

pub fn client(emulator: &RunningEmulator, token: &str) -> Client {
    client_at(emulator.url(), token)
}

pub fn client_at(url: &str, token: &str) -> Client {
    Client::builder()
        .base_url(url)
        .developer_token(token)
        .retry_policy(test_retries())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client config is valid")
}

/// The columns of the datasets the tests create: one of each Domo type.
pub fn all_types() -> Vec<Column> {
    vec![
        Column::new("id", ColumnType::Long),
        Column::new("name", ColumnType::String),
        Column::new("score", ColumnType::Double),
        Column::new("price", ColumnType::Decimal),
        Column::new("day", ColumnType::Date),
        Column::new("at", ColumnType::DateTime),
    ]
}

/// `n` rows of canonical CSV (no header) for [`all_types`], starting at id
/// `from`. Names include commas, quotes and newlines to exercise quoting.
pub fn rows(from: u64, n: u64) -> String {
    let mut s = String::new();
    for i in from..from + n {
        let name = match i % 4 {
            0 => format!("plain {i}"),
            1 => format!("\"comma, {i}\""),
            2 => format!("\"quote \"\"{i}\"\"\""),
            _ => format!("\"line\nbreak {i}\""),
        };
        let score = if i % 10 == 7 {
            "\\N".to_owned()
        } else {
            format!("{}.5", i % 1000)
        };
        s.push_str(&format!(
            "{i},{name},{score},{}.25,2024-{:02}-{:02},2024-01-02T03:04:{:02}\n",
            i * 3,
            i % 12 + 1,
            i % 28 + 1,
            i % 60
        ));
    }
    s
}

/// Create a dataset with [`all_types`] columns and return its id.
pub async fn new_dataset(client: &Client, name: &str) -> String {
    let created = client
        .create_dataset(
            domo_native::NewDataset::new(name, all_types()).description("integration test"),
        )
        .await
        .expect("create dataset");
    created.dataset_id.into_string()
}

/// Stage 1 of an upload on its own (tests of what the server does with
/// each stage; clients upload with [`Client::upload`]).
pub async fn start_upload(client: &Client, dataset_id: &str) -> Result<UploadSession, Error> {
    client.send(&StartUpload::new(dataset_id, None)).await
}

/// Stage 2 on its own: part `part` of upload `upload_id`.
pub async fn upload_part(
    client: &Client,
    dataset_id: &str,
    upload_id: &str,
    part: u32,
    csv: impl Into<bytes::Bytes>,
) -> Result<(), Error> {
    client
        .send(&UploadPart {
            dataset_id: dataset_id.into(),
            upload_id: Id::from(upload_id),
            part,
            csv: csv.into(),
            gzip: false,
        })
        .await
}

/// Stage 3 on its own.
pub async fn commit_upload(
    client: &Client,
    dataset_id: &str,
    upload_id: &str,
    action: UploadAction,
) -> Result<CommitResult, Error> {
    client
        .send(&CommitUpload::new(
            dataset_id,
            Id::from(upload_id),
            action,
            None,
        ))
        .await
}

/// The dataset's whole CSV export with its header row
/// (`GET .../data?includeHeader=true`, one reply).
pub async fn export_csv(client: &Client, dataset_id: impl Into<DatasetId>) -> bytes::Bytes {
    export(client, dataset_id.into(), true).await
}

/// The dataset's rows as CSV, without the header row.
pub async fn export_rows_csv(client: &Client, dataset_id: impl Into<DatasetId>) -> bytes::Bytes {
    export(client, dataset_id.into(), false).await
}

async fn export(client: &Client, dataset_id: DatasetId, include_header: bool) -> bytes::Bytes {
    client
        .send(&ExportCsv {
            dataset_id,
            include_header,
        })
        .await
        .expect("the export answers")
}

/// The root README's Rust examples, compiled as doc tests so they stay
/// true to the API.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct RootReadme;
