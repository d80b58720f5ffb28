#![doc = include_str!("../README.md")]

mod api;
mod app;
mod calendar;
pub mod cli;
mod clock;
mod cors;
mod csvio;
mod demo;
mod directory;
mod error;
mod export;
mod faults;
mod filter;
mod instance;
mod limits;
mod malformed;
mod mongo;
mod oauth;
mod public;
mod reply;
mod rng;
mod row_reply;
mod server;
mod state;
mod store;

pub use clock::{Clock, ManualClock, Timer};
pub use demo::DEMO_DATASET_ID;
pub use directory::{DEMO_TOKENS, GroupSpec, Password, UserSpec};
pub use error::Error;
pub use faults::FaultSpec;
pub use oauth::{ClientSpec, DEFAULT_TOKEN_TTL, SCOPES};
pub use row_reply::DEFAULT_MAX_REPLY_BYTES;
pub use server::{
    DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_VALUE_BYTES, DEFAULT_QUERY_TIMEOUT, DEFAULT_TOKEN,
    EmulatorConfig, RunningEmulator, start,
};
