#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

// What an endpoint is, and the one builder and reader every client runs it
// through.
#[macro_use]
pub mod declare;
pub mod args;
mod condition;
pub mod config;
pub mod endpoint;
pub mod error;
pub mod json;
pub mod method;
pub mod paging;
pub mod path;
pub mod request;
pub mod retry;
pub mod secret;
pub mod spec;
pub mod steps;

// Client rules that are not one request: part cutting, paging, the upload
// workflow.
pub mod csv_plan;
pub mod load;

// The endpoints, one module per API area.
pub mod app;
pub mod appdb;
pub mod auth;
pub mod data;
pub mod datasets;
pub mod indexes;
pub mod oauth;
pub mod partitions;
pub mod pdp;
pub mod permissions;
pub mod query;
pub mod schema;
pub mod streams;
pub mod tags;
pub mod tokens;
pub mod uploads;
pub mod users;
pub mod v1;
pub mod versions;

// Reading replies as they stream in (native clients).
#[cfg(feature = "typed")]
pub mod query_stream;
#[cfg(feature = "typed")]
pub mod rows;

pub use config::{BaseUrl, Config, DEFAULT_TIMEOUT};
#[cfg(feature = "typed")]
pub use endpoint::Endpoint;
pub use endpoint::Reply;
pub use error::{Error, ErrorKind};
pub use request::{Prepared, RequestLabel};
pub use retry::{Attempt, RetryDecision, RetryPolicy};
pub use secret::{Credentials, Secret};
pub use spec::{Api, Method, Spec};

/// Every endpoint declared, grouped as the modules are.
pub fn specs() -> impl Iterator<Item = &'static Spec> {
    [
        app::SPECS,
        appdb::SPECS,
        auth::SPECS,
        data::SPECS,
        datasets::SPECS,
        indexes::SPECS,
        partitions::SPECS,
        pdp::SPECS,
        permissions::SPECS,
        query::SPECS,
        schema::SPECS,
        streams::SPECS,
        tags::SPECS,
        tokens::SPECS,
        uploads::SPECS,
        users::SPECS,
        versions::SPECS,
    ]
    .into_iter()
    .chain(PUBLIC_API_SPECS.iter().copied())
    .flatten()
    .copied()
}

/// The public API's endpoints, listed by [`specs`] with the `public-api`
/// feature. Without it they still exist as types (a Rust caller names
/// them), but a client that runs endpoints by name cannot reach them: the
/// browser package leaves them out (a web page never holds client
/// credentials, and their declarations would cost it about 4 KB).
#[cfg(feature = "public-api")]
const PUBLIC_API_SPECS: &[&[&Spec]] = &[
    oauth::SPECS,
    v1::datasets::SPECS,
    v1::policies::SPECS,
    v1::streams::SPECS,
    v1::people::SPECS,
];
#[cfg(not(feature = "public-api"))]
const PUBLIC_API_SPECS: &[&[&Spec]] = &[];

/// The endpoint called `name` (`GetDataset`).
pub fn spec(name: &str) -> Option<&'static Spec> {
    specs().find(|s| s.name == name)
}

// What the declarations expand to names these.
#[doc(hidden)]
pub use bytes as __bytes;
#[doc(hidden)]
#[cfg(feature = "typed")]
pub use serde_json as __serde_json;
