//! Every build chore of the workspace, in Rust: `cargo xtask <task>`.
//!
//! - `ci`: what CI runs: toolchain components, format check, clippy with
//!   warnings denied, the layering check on domo-core, every test.
//! - `demo`: the tour of the client against the embedded emulator.

mod bench;
mod web;

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("demo") => demo(&args[1..]),
        Some("bench") => bench::bench(&args[1..]),
        Some("web") => web::build(&args[1..]),
        Some("web-ci") => web::ci(),
        Some("help") | None => {
            println!("usage: cargo xtask <ci|demo|bench>");
            println!("  ci    format check, clippy -D warnings, layering check, all tests");
            println!(
                "  web   build the npm package web/pkg/ from crates/domo-wasm (web-ci: its tests)"
            );
            println!(
                "  demo  create, upload, query, export and share a dataset on the embedded emulator"
            );
            Ok(())
        }
        Some(other) => Err(format!("unknown task {other:?}; try `cargo xtask help`")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn run(what: &str, cmd: &mut Command) -> Result<(), String> {
    eprintln!("\n==> {what}");
    let status = cmd
        .status()
        .map_err(|e| format!("{what}: cannot start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

fn ci() -> Result<(), String> {
    ensure_components()?;
    run(
        "cargo fmt --check",
        cargo().args(["fmt", "--all", "--check"]),
    )?;
    run(
        "cargo clippy",
        cargo().args([
            "clippy",
            "--workspace",
            "--exclude",
            "domo-wasm",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    layering()?;
    run(
        "cargo test",
        cargo().args(["test", "--workspace", "--exclude", "domo-wasm", "--locked"]),
    )?;
    web::ci()?;
    eprintln!("\nxtask ci: all checks passed");
    Ok(())
}

/// rustfmt and clippy are rustup components a fresh toolchain may lack.
fn ensure_components() -> Result<(), String> {
    for (component, probe) in [("rustfmt", "fmt"), ("clippy", "clippy")] {
        let present = cargo()
            .args([probe, "--version"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !present {
            run(
                &format!("rustup component add {component}"),
                Command::new("rustup").args(["component", "add", component]),
            )?;
        }
    }
    Ok(())
}

/// domo-core must stay pure: no runtime, no HTTP client, no browser glue.
fn layering() -> Result<(), String> {
    eprintln!("\n==> layering: domo-core has no I/O dependencies");
    let out = cargo()
        .args([
            "tree",
            "-p",
            "domo-core",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--locked",
        ])
        .output()
        .map_err(|e| format!("cargo tree: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo tree failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let tree = String::from_utf8_lossy(&out.stdout);
    let banned = ["tokio ", "reqwest ", "hyper ", "wasm-bindgen ", "gloo-net "];
    let found: Vec<&str> = tree
        .lines()
        .filter(|l| banned.iter().any(|b| l.starts_with(b)))
        .collect();
    if found.is_empty() {
        Ok(())
    } else {
        Err(format!("domo-core depends on I/O crates: {found:?}"))
    }
}

fn demo(extra: &[String]) -> Result<(), String> {
    run(
        "domo demo on the embedded emulator",
        cargo()
            .args([
                "run",
                "--quiet",
                "--release",
                "-p",
                "domo-integration-tests",
                "--example",
                "tour",
                "--",
            ])
            .args(extra),
    )
}
