#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
//! One module per API area, mirrored by `domo-core`'s endpoint modules.

pub mod app;
pub mod auth;
pub mod data;
pub mod datasets;
pub mod error;
pub mod id;
pub mod indexes;
pub mod partitions;
pub mod pdp;
pub mod permissions;
pub mod query;
pub mod schema;
pub mod streams;
pub mod tokens;
pub mod types;
#[cfg(feature = "ts")]
pub mod typescript;
pub mod uploads;
pub mod users;
pub mod v1;
pub mod versions;

pub use id::{DatasetId, Id};

/// Fields a server sent that this crate has no named field for. Kept so that
/// nothing a server says is lost when a value is decoded and re-encoded.
pub type Extra = serde_json::Map<String, serde_json::Value>;
