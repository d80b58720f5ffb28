#![doc = include_str!("../README.md")]

mod api;
mod builder;
mod stream_api;
mod transport;
mod upload;

pub use builder::ClientBuilder;
pub use domo_core::csv_plan::HeaderMode;
pub use domo_core::{Error, ErrorKind, RetryPolicy};
pub use domo_model as model;
pub use domo_model::uploads::UploadAction;
pub use stream_api::{ExportOptions, ExportProgressFn, rows_as};
pub use upload::{UploadOptions, UploadProgress, UploadProgressFn, UploadReport};

use std::sync::Arc;

/// A client for one Domo instance. Cheap to clone: clones share the
/// connection pool.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<transport::Transport>,
}

impl Client {
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }
}
