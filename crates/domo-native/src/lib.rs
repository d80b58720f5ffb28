#![doc = include_str!("../README.md")]

mod access_api;
mod api;
mod client;
mod query_rows;
mod stream_api;
mod transport;
mod upload;

pub use client::{Client, ClientBuilder};
pub use domo_core::auth::Session;
pub use domo_core::csv_plan::HeaderMode;
pub use domo_core::datasets::{DatasetSearch, DeleteMethod};
pub use domo_core::query_stream::{QueryHeader, QueryTail};
pub use domo_core::rows::RowFormat;
pub use domo_core::tokens::MintedToken;
pub use domo_core::{Credentials, Error, ErrorKind, RetryPolicy, Secret};
pub use domo_model as model;
pub use domo_model::uploads::UploadAction;
pub use query_rows::{
    QueryProgress, QueryProgressFn, QueryRows, QueryToOptions, QueryWritten, Row,
};
pub use stream_api::{ExportOptions, ExportProgressFn, rows_as};
pub use upload::{UploadOptions, UploadProgress, UploadProgressFn, UploadReport, UploadSource};
