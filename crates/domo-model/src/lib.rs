#![doc = include_str!("../README.md")]
//! One module per API area, mirrored by `domo-core`'s endpoint modules.

pub mod data;
pub mod datasets;
pub mod error;
pub mod id;
pub mod indexes;
pub mod partitions;
pub mod permissions;
pub mod query;
pub mod schema;
pub mod streams;
pub mod types;
pub mod uploads;
pub mod versions;

pub use id::Id;

/// Fields a server sent that this crate has no named field for. Kept so that
/// nothing a server says is lost when a value is decoded and re-encoded.
pub type Extra = serde_json::Map<String, serde_json::Value>;
