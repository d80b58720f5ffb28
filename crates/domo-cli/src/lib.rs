#![doc = include_str!("../README.md")]

pub mod access_args;
mod alter;
pub mod args;
mod commands;
mod connect;
#[cfg(feature = "emulator")]
mod demo;
pub mod failure;
#[cfg(feature = "mcp")]
pub mod mcp;
pub mod output;
pub mod profile;
mod progress;
mod query_out;
pub mod table;
pub mod units;

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches};
use domo_core::Secret;

use crate::args::{Cli, Command, ConnectionArgs};
use crate::commands::{access, dataset, login, pdp, people, stream, token, transfer};
use crate::failure::{EXIT_FAILURE, EXIT_USAGE, Failure, redact_all};
use crate::output::Output;

/// Parses the command line, runs the command, prints any failure as one
/// sentence on stderr and returns the exit code.
pub fn main() -> ExitCode {
    // The token reaches no message by construction: it is parsed into a
    // `Secret` (which prints `[redacted]`) and handed to the client as
    // one. Only a server that echoes it, or clap quoting an argument the
    // token was pasted into, can put it in a message; those messages are
    // scrubbed of every token the command line or the environment holds,
    // known even when parsing fails.
    let args: Vec<OsString> = std::env::args_os().collect();
    let mut secrets: Vec<Secret> = std::env::var("DOMO_TOKEN")
        .ok()
        .and_then(|t| args::parse_secret(&t).ok())
        .into_iter()
        .chain(token_flags(&args))
        .collect();
    let parsed = Cli::command()
        .try_get_matches_from(&args)
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    let cli = match parsed {
        Ok((mut cli, matches)) => {
            if let Some(conn) = connection_mut(&mut cli.command) {
                prefer_flags_over_environment(conn, &matches);
                secrets.extend(conn.token.clone());
            }
            cli
        }
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { 0 };
            let text = redact_all(&e.render().to_string(), &secrets);
            let _ = if e.use_stderr() {
                std::io::stderr().lock().write_all(text.as_bytes())
            } else {
                std::io::stdout().lock().write_all(text.as_bytes())
            };
            return ExitCode::from(code);
        }
    };

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    let outcome = runtime.block_on(run(cli.command));
    // Whatever is still running (an emulator's connections) ends with the
    // process; do not wait for it.
    runtime.shutdown_background();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if let Ok(held) = connect::PROFILE_SECRETS.lock() {
                secrets.extend(held.iter().cloned());
            }
            if let Some(sentence) = failure.describe() {
                let sentence = redact_all(&sentence, &secrets);
                let _ = writeln!(std::io::stderr().lock(), "error: {sentence}");
            }
            ExitCode::from(failure.exit_code())
        }
    }
}

/// The values of `--token VALUE` and `--token=VALUE` as written, read
/// before clap so that a command line clap refuses is scrubbed of them too.
fn token_flags(args: &[OsString]) -> Vec<Secret> {
    let mut found = Vec::new();
    // Not UTF-8 is no token of ours, but it still takes its place.
    let mut words = args.iter().skip(1).map(|a| a.to_str());
    while let Some(word) = words.next() {
        let Some(word) = word else { continue };
        if word == "--" {
            break;
        }
        let value = match word.strip_prefix("--token") {
            Some("") => words.next().flatten(),
            Some(v) => v.strip_prefix('='),
            None => None,
        };
        found.extend(value.and_then(|v| args::parse_secret(v).ok()));
    }
    found
}

/// Runs one parsed command.
pub async fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Dataset { conn, out, command } => {
            let client = connect::client(&conn)?;
            dataset::run(&client, Output::new(out.into()), command).await
        }
        Command::Query(args) => {
            let client = connect::client(&args.conn)?;
            let out = Output::new(args.out.into());
            transfer::query(&client, out, args).await
        }
        Command::Upload(args) => {
            let client = connect::client(&args.conn)?;
            let out = Output::new(args.out.into());
            transfer::upload(&client, out, args).await
        }
        Command::Export(args) => {
            let client = connect::client(&args.conn)?;
            transfer::export(&client, args).await
        }
        Command::Permissions { conn, out, command } => {
            let client = connect::client(&conn)?;
            access::permissions(&client, Output::new(out.into()), command).await
        }
        Command::Partitions { conn, out, command } => {
            let client = connect::client(&conn)?;
            access::partitions(&client, Output::new(out.into()), command).await
        }
        Command::Stream { conn, out, command } => {
            let client = connect::client(&conn)?;
            stream::run(&client, Output::new(out.into()), command).await
        }
        Command::Pdp { conn, out, command } => {
            let client = connect::client(&conn)?;
            pdp::run(&client, Output::new(out.into()), command).await
        }
        Command::User { conn, out, command } => {
            let client = connect::client(&conn)?;
            people::users(&client, Output::new(out.into()), command).await
        }
        Command::Group { conn, out, command } => {
            let client = connect::client(&conn)?;
            people::groups(&client, Output::new(out.into()), command).await
        }
        Command::Token { conn, out, command } => {
            let (client, profile) = connect::connect(&conn)?;
            let profile = profile.map(|(_, p)| p);
            token::run(&client, profile.as_ref(), Output::new(out.into()), command).await
        }
        Command::Login(args) => login::login(args, Output::new(output::Format::Table)).await,
        Command::Logout(args) => login::logout(args, Output::new(output::Format::Table)),
        Command::Profile { command } => {
            login::profiles(command, Output::new(output::Format::Table))
        }
        Command::Completions { shell } => login::completions(shell),
        Command::Whoami { conn, out } => {
            let client = connect::client(&conn)?;
            dataset::whoami(&client, Output::new(out.into())).await
        }
        #[cfg(feature = "mcp")]
        Command::Mcp(args) => mcp::run(args).await,
        #[cfg(not(feature = "mcp"))]
        Command::Mcp(_) => Err(Failure::usage(NO_MCP)),
        #[cfg(feature = "emulator")]
        Command::Emulator(args) => domo_emulator::cli::run(args)
            .await
            .map_err(|e| Failure::Io(format!("the emulator stopped: {e}"))),
        #[cfg(feature = "emulator")]
        Command::Demo(args) => demo::run(args).await,
        #[cfg(not(feature = "emulator"))]
        Command::Emulator(_) | Command::Demo(_) => Err(Failure::usage(NO_EMULATOR)),
    }
}

/// What `domoctl emulator` and `domoctl demo` say in a build without the
/// `emulator` feature.
#[cfg(not(feature = "emulator"))]
pub const NO_EMULATOR: &str = "this domoctl was built without the embedded emulator \
    (cargo feature `emulator`) that `emulator` and `demo` run: build it with the \
    default features (`cargo build --release -p domo-cli`), or run the standalone `domo-emulator` and point DOMO_BASE_URL at it";

/// What `domoctl mcp` says in a build without the `mcp` feature.
#[cfg(not(feature = "mcp"))]
pub const NO_MCP: &str = "this domoctl was built without the MCP server (cargo feature `mcp`): \
    build it with the default features (`cargo build --release -p domo-cli`)";

/// The connection settings of a command that talks to Domo.
fn connection_mut(command: &mut Command) -> Option<&mut ConnectionArgs> {
    match command {
        Command::Dataset { conn, .. }
        | Command::Permissions { conn, .. }
        | Command::Partitions { conn, .. }
        | Command::Stream { conn, .. }
        | Command::Pdp { conn, .. }
        | Command::Token { conn, .. }
        | Command::User { conn, .. }
        | Command::Group { conn, .. }
        | Command::Whoami { conn, .. } => Some(conn),
        Command::Login(a) => Some(&mut a.conn),
        Command::Query(a) => Some(&mut a.conn),
        Command::Upload(a) => Some(&mut a.conn),
        Command::Export(a) => Some(&mut a.conn),
        Command::Mcp(a) => Some(&mut a.conn),
        Command::Logout(_)
        | Command::Profile { .. }
        | Command::Completions { .. }
        | Command::Emulator(_)
        | Command::Demo(_) => None,
    }
}

/// `--base-url` on the command line wins over `DOMO_INSTANCE` in the
/// environment, and `--instance` over `DOMO_BASE_URL`: a flag is the
/// more deliberate choice. Both from the same source stay a conflict.
fn prefer_flags_over_environment(conn: &mut ConnectionArgs, matches: &ArgMatches) {
    // Global arguments are defined on the deepest subcommand; a level
    // above may list them without defining them.
    let mut leaf = matches;
    while let Some((_, sub)) = leaf.subcommand() {
        leaf = sub;
    }
    let source = |id: &str| {
        leaf.ids()
            .any(|i| i == id)
            .then(|| leaf.value_source(id))
            .flatten()
    };
    match (source("instance"), source("base_url")) {
        (Some(ValueSource::CommandLine), Some(ValueSource::EnvVariable)) => conn.base_url = None,
        (Some(ValueSource::EnvVariable), Some(ValueSource::CommandLine)) => conn.instance = None,
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_flags_are_found_before_parsing() {
        let args: Vec<OsString> = [
            "domoctl",
            "dataset",
            "--token",
            "first-token",
            "--token=second-token",
            "--tokens=not-a-flag",
            "--",
            "--token=after-the-end",
        ]
        .into_iter()
        .map(OsString::from)
        .collect();
        let found: Vec<String> = token_flags(&args)
            .iter()
            .map(|s| s.expose().to_owned())
            .collect();
        assert_eq!(found, ["first-token", "second-token"]);
        // A trailing `--token` with no value finds nothing.
        let args = [OsString::from("domoctl"), OsString::from("--token")];
        assert!(token_flags(&args).is_empty());
    }
}
