//! `domoctl mcp`: Domo's datasets for AI agents over the Model Context
//! Protocol, on the official Rust SDK (`rmcp`, pinned to 3.11: every use
//! of it is in this module tree, behind the cargo feature `mcp`).
//!
//! Safe by default: only read tools are registered unless `--allow-writes`
//! (and `--allow-delete` for `delete_dataset`), so a write is not merely
//! refused but absent. Bounded: a query result stops at `max_rows` and
//! `--max-bytes` and says it was truncated. Credentials come from the
//! environment, flags or a profile, as for every other command, and never
//! from a tool's arguments; every text the server sends is scrubbed of
//! them as a last line of defence. stdout carries the protocol; logs go to
//! stderr.

mod call;
mod catalog;
mod datasets;
mod errors;
mod http;
mod query;
mod server;
mod settings;
mod writes;

use domo_core::Secret;

use crate::args::{LogLevel, McpArgs};
use crate::connect;
use crate::failure::Failure;

pub use catalog::{TOOLSETS, ToolSelection, all_tools};
pub use http::BEARER_TOKEN_ENV;
pub use server::DomoServer;
pub use settings::Settings;

/// The server the flags describe: two clients on the same credentials
/// (reads retried as domo-core's policy says, writes sent once), the
/// tools chosen, the limits.
pub fn server_from_args(args: &McpArgs) -> Result<DomoServer, Failure> {
    let settings = Settings::from_args(args)?;
    let selection = ToolSelection::parse(&args.toolsets, &args.tools, &settings)?;
    let (read, profile) = connect::connect(&args.conn)?;
    // A write the agent asked for is never repeated behind its back: the
    // tool error says what happened, and the agent decides.
    let mut once = args.conn.clone();
    once.max_retries = Some(0);
    let write = connect::client(&once)?;
    let location = match connect::given_location(&args.conn)? {
        Some(l) => l.text().to_owned(),
        None => profile
            .as_ref()
            .map(|(_, p)| p.location().to_owned())
            .unwrap_or_else(|| read.base_url().to_owned()),
    };
    Ok(DomoServer::new(
        read,
        write,
        settings,
        selection,
        location,
        secrets(args),
    ))
}

/// Every credential this process holds, for scrubbing what it sends.
fn secrets(args: &McpArgs) -> Vec<Secret> {
    let mut secrets: Vec<Secret> = args.conn.token.iter().cloned().collect();
    secrets.extend(
        std::env::var("DOMO_TOKEN")
            .ok()
            .and_then(|t| crate::args::parse_secret(&t).ok()),
    );
    secrets.extend(
        std::env::var(BEARER_TOKEN_ENV)
            .ok()
            .and_then(|t| crate::args::parse_secret(&t).ok()),
    );
    if let Ok(held) = connect::PROFILE_SECRETS.lock() {
        secrets.extend(held.iter().cloned());
    }
    secrets
}

/// `domoctl mcp`: serves on stdio until stdin closes (or on `--http`
/// until interrupted).
pub async fn run(args: McpArgs) -> Result<(), Failure> {
    init_logging(args.log_level);
    let server = server_from_args(&args)?;
    tracing::info!(
        tools = %server.tool_names().join(","),
        writes = args.allow_writes,
        deletes = args.allow_delete,
        "domoctl mcp {} for {}",
        env!("CARGO_PKG_VERSION"),
        server.location()
    );
    match args.http {
        Some(addr) => http::serve(server, addr, args.allow_remote).await,
        None => serve_stdio(server).await,
    }
}

/// The protocol on stdin/stdout; returns once stdin closes.
async fn serve_stdio(server: DomoServer) -> Result<(), Failure> {
    use rmcp::ServiceExt;
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| Failure::Io(format!("the MCP session did not start: {e}")))?;
    let reason = running
        .waiting()
        .await
        .map_err(|e| Failure::Io(format!("the MCP session failed: {e}")))?;
    tracing::info!(?reason, "the client went away; stopping");
    Ok(())
}

/// Logs on stderr at `level` for domoctl; the SDK and the HTTP stack,
/// which log every message they carry, one level quieter unless `debug`.
fn init_logging(level: LogLevel) {
    use tracing::level_filters::LevelFilter;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let ours = match level {
        LogLevel::Error => LevelFilter::ERROR,
        LogLevel::Warn => LevelFilter::WARN,
        LogLevel::Info => LevelFilter::INFO,
        LogLevel::Debug => LevelFilter::DEBUG,
    };
    let theirs = match level {
        LogLevel::Debug => LevelFilter::DEBUG,
        LogLevel::Info | LogLevel::Warn => LevelFilter::WARN,
        LogLevel::Error => LevelFilter::ERROR,
    };
    let filter = tracing_subscriber::filter::Targets::new()
        .with_default(theirs)
        .with_target("domo_cli", ours)
        .with_target("domo_native", theirs);
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(false),
        )
        .with(filter)
        .try_init();
}
