#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
//! One module per API area, mirrored by `domo-core`'s endpoint modules.

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
pub mod versions;

pub use id::{DatasetId, Id};

/// Fields a server sent that this crate has no named field for. Kept so that
/// nothing a server says is lost when a value is decoded and re-encoded.
pub type Extra = serde_json::Map<String, serde_json::Value>;

/// Rename `alias` keys to the field names this crate encodes (`id` to
/// `indexId`), in an object or in each object of an array: the JSON form of
/// a type's `#[serde(alias)]` attributes, for readers that skip the typed
/// decode. A key is left alone when its real name is also present.
pub fn rename_aliases(value: &mut serde_json::Value, aliases: &[(&str, &str)]) {
    match value {
        serde_json::Value::Array(items) => {
            for item in items {
                rename_aliases(item, aliases);
            }
        }
        serde_json::Value::Object(map) => {
            for (alias, name) in aliases {
                if !map.contains_key(*name)
                    && let Some(v) = map.shift_remove(*alias)
                {
                    map.insert((*name).to_owned(), v);
                }
            }
        }
        _ => {}
    }
}
