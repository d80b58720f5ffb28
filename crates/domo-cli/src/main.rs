//! `domoctl`: see `domoctl --help`.

fn main() -> std::process::ExitCode {
    domo_cli::main()
}
