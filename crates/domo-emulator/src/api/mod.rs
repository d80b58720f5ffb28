//! HTTP handlers, one module per API area.

pub(crate) mod app_data;
pub(crate) mod datasets;
pub(crate) mod partitions;
pub(crate) mod permissions;
pub(crate) mod query;
pub(crate) mod streams;
pub(crate) mod uploads;
