#![doc = include_str!("../README.md")]

pub mod app;
pub mod auth;
pub mod config;
pub mod csv_plan;
pub mod endpoint;
pub mod error;
pub mod named;
pub mod path;
pub mod retry;
pub mod secret;

pub mod data;
pub mod datasets;
pub mod indexes;
pub mod partitions;
pub mod pdp;
pub mod permissions;
pub mod query;
pub mod query_stream;
pub mod rows;
pub mod schema;
pub mod streams;
pub mod tags;
pub mod tokens;
pub mod uploads;
pub mod users;
pub mod versions;

pub use config::{BaseUrl, Config, DEFAULT_TIMEOUT};
pub use endpoint::{Body, Endpoint, JsonEndpoint, Prepared, RequestLabel};
pub use error::{Error, ErrorKind};
pub use retry::{Attempt, RetryDecision, RetryPolicy};
pub use secret::{Credentials, Secret};
