//! HTTP handlers of the product API and the custom app's routes, one
//! module per area. The product API's areas mirror domo-core's modules and
//! their handlers are named after the domo-core endpoint type they serve
//! (`GetDataset` is `datasets::get_dataset`); the app's (`app`, `appdb`,
//! `services`, `host`) after their routes. The public API's handlers live
//! in `crate::public`. A handler parses the request, calls one store
//! operation and shapes the reply; handlers never import each other
//! (`cargo xtask layering` checks it).

pub(crate) mod app;
pub(crate) mod appdb;
pub(crate) mod data;
pub(crate) mod datasets;
pub(crate) mod host;
pub(crate) mod indexes;
pub(crate) mod partitions;
pub(crate) mod pdp;
pub(crate) mod permissions;
pub(crate) mod query;
pub(crate) mod schema;
pub(crate) mod search;
pub(crate) mod services;
pub(crate) mod streams;
pub(crate) mod tags;
pub(crate) mod tokens;
pub(crate) mod uploads;
pub(crate) mod users;
pub(crate) mod versions;
