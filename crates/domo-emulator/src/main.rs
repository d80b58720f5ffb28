//! `domo-emulator`: a local emulator of Domo's Datasets API.

use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "domo-emulator",
    version,
    about = "A faithful local emulator of Domo's Datasets HTTP API"
)]
struct Cli {
    #[command(flatten)]
    args: domo_emulator::cli::EmulatorArgs,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(domo_emulator::cli::run(cli.args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
