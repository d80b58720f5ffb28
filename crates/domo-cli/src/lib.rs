#![doc = include_str!("../README.md")]

pub mod args;
mod commands;
mod connect;
mod demo;
pub mod failure;
pub mod output;
mod progress;
pub mod table;
pub mod units;

use std::io::Write;
use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches};

use crate::args::{Cli, Command, ConnectionArgs};
use crate::commands::{access, dataset, stream, transfer};
use crate::failure::{EXIT_FAILURE, EXIT_USAGE, Failure, redact};
use crate::output::Output;

/// Parses the command line, runs the command, prints any failure as one
/// sentence on stderr and returns the exit code.
pub fn main() -> ExitCode {
    // The token as the environment gives it, to keep it out of anything
    // printed even before (or without) parsing succeeds.
    let env_token = std::env::var("DOMO_TOKEN").ok();
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    let mut cli = match parsed {
        Ok((mut cli, matches)) => {
            if let Some(conn) = connection_mut(&mut cli.command) {
                prefer_flags_over_environment(conn, &matches);
            }
            cli
        }
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { 0 };
            let text = redact(&e.render().to_string(), env_token.as_deref());
            let _ = if e.use_stderr() {
                std::io::stderr().lock().write_all(text.as_bytes())
            } else {
                std::io::stdout().lock().write_all(text.as_bytes())
            };
            return ExitCode::from(code);
        }
    };
    let flag_token = connection_mut(&mut cli.command)
        .and_then(|c| c.token.as_ref())
        .map(|s| s.expose().to_owned());

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
            if let Some(sentence) = failure.describe() {
                let sentence = redact(&sentence, flag_token.as_deref());
                let sentence = redact(&sentence, env_token.as_deref());
                let _ = writeln!(std::io::stderr().lock(), "error: {sentence}");
            }
            ExitCode::from(failure.exit_code())
        }
    }
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
        Command::Emulator(args) => domo_emulator::cli::run(args)
            .await
            .map_err(|e| Failure::Io(format!("the emulator stopped: {e}"))),
        Command::Demo(args) => demo::run(args).await,
    }
}

/// The connection settings of a command that talks to Domo.
fn connection_mut(command: &mut Command) -> Option<&mut ConnectionArgs> {
    match command {
        Command::Dataset { conn, .. }
        | Command::Permissions { conn, .. }
        | Command::Partitions { conn, .. }
        | Command::Stream { conn, .. } => Some(conn),
        Command::Query(a) => Some(&mut a.conn),
        Command::Upload(a) => Some(&mut a.conn),
        Command::Export(a) => Some(&mut a.conn),
        Command::Emulator(_) | Command::Demo(_) => None,
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
