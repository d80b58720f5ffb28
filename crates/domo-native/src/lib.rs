#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod access;
mod app;
mod client;
mod datasets;
mod export;
mod public;
mod query;
mod streams;
mod transport;
mod upload;

pub use access::ShareOptions;
pub use app::{Aggregation, AppCollection, AppQuery, AppUsersQuery, DocumentQuery};
pub use client::{Client, ClientBuilder};
pub use datasets::{CreatedDataset, NewDataset, SchemaRoute};
pub use domo_core::app::Row as AppRow;
pub use export::{ExportOptions, ExportProgressFn};
pub use public::{NewUserOptions, PublicApi};
pub use query::{
    QueryProgress, QueryProgressFn, QueryRows, QueryToOptions, QueryWritten, Row, rows_as,
};
pub use upload::{UploadOptions, UploadProgress, UploadProgressFn, UploadReport, UploadSource};

pub use domo_core::auth::Session;
pub use domo_core::csv_plan::HeaderMode;
pub use domo_core::data::DataWindow;
pub use domo_core::datasets::{DatasetSearch, DeleteMethod};
pub use domo_core::query_stream::{QueryHeader, QueryTail};
pub use domo_core::rows::RowFormat;
pub use domo_core::tokens::MintedToken;
pub use domo_core::{Credentials, Error, ErrorKind, RetryPolicy, Secret};
pub use domo_model::uploads::UploadAction;
pub use domo_model::{DatasetId, Id};
/// Cancels an upload ([`UploadOptions::cancel_with`]).
pub use tokio_util::sync::CancellationToken;

/// The request and response types (domo-model).
pub use domo_model as model;

/// The endpoints and rules under this client (domo-core): every request
/// type, for [`Client::send`].
pub use domo_core as core;
