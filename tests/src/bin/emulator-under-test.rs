//! The emulator binary, built inside this package so that tests can run it
//! as a real process (`CARGO_BIN_EXE_emulator-under-test`) and kill it.

use clap::Parser;

#[derive(Debug, Parser)]
struct Cli {
    #[command(flatten)]
    args: domo_emulator::cli::EmulatorArgs,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    match runtime.block_on(domo_emulator::cli::run(cli.args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
