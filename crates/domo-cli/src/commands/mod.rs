//! One module per group of subcommands.

pub mod access;
pub mod dataset;
pub mod stream;
pub mod transfer;
