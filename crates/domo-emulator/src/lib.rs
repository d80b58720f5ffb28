#![doc = include_str!("../README.md")]

mod api;
mod app;
pub mod cli;
mod csvio;
mod db;
mod demo;
mod error;
mod faults;
mod server;
mod state;

pub use error::Error;
pub use faults::FaultSpec;
pub use server::{
    DEFAULT_MAX_BODY_BYTES, DEFAULT_QUERY_TIMEOUT, DEFAULT_TOKEN, DEMO_DATASET_ID, EmulatorConfig,
    RunningEmulator, start,
};
