//! `domo`: see `domo --help`.

fn main() -> std::process::ExitCode {
    domo_cli::main()
}
