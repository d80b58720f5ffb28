//! One module per group of subcommands.

pub mod access;
pub mod dataset;
pub mod login;
pub mod pdp;
pub mod stream;
pub mod token;
pub mod transfer;
