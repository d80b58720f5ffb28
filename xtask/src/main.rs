//! Every build chore of the workspace, in Rust: `cargo xtask <task>`;
//! `cargo xtask --help` lists them (see [`TASKS`]).

mod apps;
mod bench;
mod domolibrary;
mod mcp;
mod modules;
mod package;
mod pydomo;
mod web;

use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

/// Every task, with the line `--help` prints for it.
const TASKS: &[(&str, &str)] = &[
    (
        "ci",
        "what CI runs: format check, clippy -D warnings (also the lean domoctl), layering, every test, pydomo, domolibrary, mcp, web-ci, app-ci, package",
    ),
    (
        "pydomo",
        "pydomo 0.3.0.16 (from PyPI, in a venv) runs its dataset, PDP, stream, user and group calls against the emulator's public API",
    ),
    (
        "domolibrary",
        "domolibrary 4.5.28 (from PyPI, in a venv) lists, creates, finds and deletes row policies on the emulator's product API",
    ),
    (
        "mcp",
        "domoctl mcp over stdio, driven by the MCP Python SDK (mcp 2.3.0 from PyPI, in a venv) against the emulator",
    ),
    (
        "layering",
        "crates import only the layers below them, domo-core has no I/O crates, no module import cycle",
    ),
    (
        "demo",
        "the tour: create, upload, query, export and share a dataset on the embedded emulator",
    ),
    (
        "bench",
        "upload and export against curl on the emulator [--size 200MB] [--part-size 32MiB] [--concurrency 4] [--runs 3]; --peers: domoctl beside pydomo and domolibrary",
    ),
    (
        "web",
        "build the npm package web/pkg/ from crates/domo-wasm (within its size budget)",
    ),
    (
        "package",
        "every library crate packages (verified), docs build with -D warnings, the npm tarball compiles in a fresh tsc --strict project",
    ),
    (
        "app-ci",
        "a custom app built the standard way (unmodified ryuu.js, @domoinc/query) on domo-emulator --app in Chromium",
    ),
    (
        "web-ci",
        "the browser package's tests: wasm-bindgen-test in Chromium, tsc --strict, Node, the demo app",
    ),
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("layering") => layering(),
        Some("demo") => demo(&args[1..]),
        Some("bench") => bench::bench(&args[1..]),
        Some("web") => web::build(&args[1..]),
        Some("web-ci") => web::ci(),
        Some("app-ci") => apps::ci(),
        Some("package") => package::ci(),
        Some("pydomo") => pydomo::ci(),
        Some("mcp") => mcp::ci(),
        Some("domolibrary") => domolibrary::ci(),
        Some("help" | "--help" | "-h") | None => {
            println!("usage: cargo xtask <task> [options]\n\ntasks:");
            for (name, what) in TASKS {
                println!("  {name:<9} {what}");
            }
            Ok(())
        }
        Some(other) => Err(format!(
            "unknown task {other:?}; `cargo xtask --help` lists them"
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `cargo`, as the one that runs xtask. On CI (a clean clone built once)
/// incremental compilation only costs disk: several gigabytes of session
/// files that are never read again, so CI turns it off.
fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    if std::env::var_os("CI").is_some() {
        c.env("CARGO_INCREMENTAL", "0");
    }
    c
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

/// `/dev/null` must be the null device: where something replaced it with a
/// regular file (a program that writes aside and renames over its output
/// did, run as root), every later read of it (rustc's probe of stdin, for
/// one) reads that file, and the build fails far from the cause.
fn check_dev_null() -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let kind = std::fs::metadata("/dev/null").map(|m| m.file_type());
        if !kind.is_ok_and(|k| k.is_char_device()) {
            return Err("/dev/null is not the null device (something replaced it with a regular file); as root: rm /dev/null && mknod -m 666 /dev/null c 1 3".into());
        }
    }
    Ok(())
}

/// Whether this process runs as root (CI does; apt needs it).
fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Install Debian packages with apt-get (as root, without prompts); a
/// clear error naming them otherwise.
pub(crate) fn apt_install(packages: &[&str]) -> Result<(), String> {
    if !is_root() {
        return Err(format!(
            "{} missing; install as root: apt-get install -y {}",
            packages.join(" and "),
            packages.join(" ")
        ));
    }
    let apt = |args: &[&str]| {
        let mut c = Command::new("apt-get");
        c.args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdin(Stdio::null());
        c
    };
    run("apt-get update", &mut apt(&["update"]))?;
    let mut args = vec!["install", "-y"];
    args.extend_from_slice(packages);
    run(
        &format!("apt-get install {}", packages.join(" ")),
        &mut apt(&args),
    )
}

fn ci() -> Result<(), String> {
    check_dev_null()?;
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
    // domoctl without the embedded emulator (no axum, no SQLite) builds too.
    run(
        "cargo clippy (domoctl without the emulator feature)",
        cargo().args([
            "clippy",
            "-p",
            "domo-cli",
            "--no-default-features",
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
    pydomo::ci()?;
    domolibrary::ci()?;
    mcp::ci()?;
    web::ci()?;
    apps::ci()?;
    package::ci()?;
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

/// Which workspace crates each crate may depend on: the layers flow one
/// way (model, core, the transports, the command and the tests), and the
/// emulator stands beside the stack, sharing no client types.
const LAYERS: &[(&str, &[&str])] = &[
    ("domo-model", &[]),
    ("domo-core", &["domo-model"]),
    ("domo-native", &["domo-core", "domo-model"]),
    ("domo-wasm", &["domo-core", "domo-model"]),
    ("domo-emulator", &[]),
    (
        "domo-cli",
        &["domo-core", "domo-model", "domo-native", "domo-emulator"],
    ),
    (
        "domo-integration-tests",
        &["domo-core", "domo-model", "domo-native", "domo-emulator"],
    ),
    ("xtask", &[]),
];

/// The I/O crates domo-core must never pull in.
const NOT_IN_CORE: [&str; 5] = ["tokio ", "reqwest ", "hyper ", "wasm-bindgen ", "gloo-net "];

fn layering() -> Result<(), String> {
    eprintln!("\n==> layering: crates import only the layers below them");
    let mut problems = Vec::new();
    let tree = |args: &[&str]| -> Result<String, String> {
        let out = cargo()
            .arg("tree")
            .args(args)
            .args(["--prefix", "none", "--locked"])
            .output()
            .map_err(|e| format!("cargo tree: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "cargo tree {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    for (krate, allowed) in LAYERS {
        // Direct dependencies of every kind (dev ones too: a test may not
        // reach up either), the first line being the crate itself.
        let direct = tree(&["-p", krate, "-e", "normal,build,dev", "--depth", "1"])?;
        for dep in direct.lines().skip(1) {
            let name = dep.split_whitespace().next().unwrap_or_default();
            let ours = LAYERS.iter().any(|(n, _)| *n == name);
            if ours && name != *krate && !allowed.contains(&name) {
                problems.push(format!("{krate} depends on {name}, a layer it may not use"));
            }
        }
    }
    let core = tree(&["-p", "domo-core", "-e", "normal"])?;
    for line in core
        .lines()
        .filter(|l| NOT_IN_CORE.iter().any(|b| l.starts_with(b)))
    {
        problems.push(format!("domo-core depends on the I/O crate {line}"));
    }

    eprintln!("==> layering: no module import cycle; the emulator's handlers sit on its store");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root");
    for dir in [
        "crates/domo-model",
        "crates/domo-core",
        "crates/domo-native",
        "crates/domo-wasm",
        "crates/domo-emulator",
        "crates/domo-cli",
        "tests",
        "xtask",
    ] {
        let graph = modules::graph(&root.join(dir).join("src"))?;
        if let Some(cycle) = graph.cycle() {
            let names: Vec<String> = cycle.iter().map(modules::name).collect();
            problems.push(format!("{dir}: module import cycle {}", names.join(" -> ")));
        }
        if dir == "crates/domo-emulator" {
            // The reader must see the edges it should, or every check
            // above passes for nothing.
            let uploads = |a: &str| vec![a.to_owned(), "uploads".to_owned()];
            if !graph
                .edges
                .get(&uploads("api"))
                .is_some_and(|e| e.contains(&uploads("store")))
            {
                problems.push(format!(
                    "{dir}: the module reader no longer sees api::uploads -> store::uploads"
                ));
            }
            for (from, to) in graph.sibling_imports("api") {
                problems.push(format!(
                    "{dir}: handler {} imports handler {}",
                    modules::name(&from),
                    modules::name(&to)
                ));
            }
            for found in modules::sql_outside(&graph, "store") {
                problems.push(format!("{found}: SQL belongs in the store"));
            }
        }
    }
    problems.dedup();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("layering:\n  {}", problems.join("\n  ")))
    }
}

fn demo(extra: &[String]) -> Result<(), String> {
    run(
        "the tour on the embedded emulator",
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
