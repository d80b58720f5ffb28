//! `domoctl` as a process where no server is needed: help, version,
//! configuration, local files, refused command lines, and what redaction
//! leaves of them. Runs in every build, with or without the `emulator`
//! feature.

use std::process::{Command, Stdio};

use clap::CommandFactory;
use domo_cli::args::Cli;

/// Realistic: long, and distinctive enough for a substring search.
const TOKEN: &str = "cli-local-token-8c41d2e7";

#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `domoctl ARGS` with `token` as DOMO_TOKEN and a base URL on which
/// nothing listens (loopback port 1).
fn domoctl(token: Option<&str>, args: &[&str]) -> Run {
    domoctl_at(Some("http://127.0.0.1:1"), token, args)
}

fn domoctl_at(base_url: Option<&str>, token: Option<&str>, args: &[&str]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_domoctl"));
    cmd.args(args)
        .env_remove("DOMO_INSTANCE")
        .env_remove("DOMO_BASE_URL")
        .env_remove("DOMO_TOKEN")
        // No saved profile of the person running the tests takes part.
        .env_remove("DOMO_PROFILE")
        .env("XDG_CONFIG_HOME", "/nonexistent/domoctl-tests")
        .stdin(Stdio::null());
    if let Some(u) = base_url {
        cmd.env("DOMO_BASE_URL", u);
    }
    if let Some(t) = token {
        cmd.env("DOMO_TOKEN", t);
    }
    let out = cmd.output().expect("domoctl runs");
    Run {
        code: out.status.code().expect("an exit code, not a signal"),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

/// Every command path below the top (`dataset get`, `query`, ...).
fn command_paths(cmd: &clap::Command, prefix: &[String], paths: &mut Vec<Vec<String>>) {
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let mut path = prefix.to_vec();
        path.push(sub.get_name().to_owned());
        command_paths(sub, &path, paths);
        paths.push(path);
    }
}

#[test]
fn version_and_help_name_domoctl() {
    let v = domoctl(None, &["--version"]);
    assert_eq!(v.code, 0, "{v:#?}");
    assert_eq!(v.stdout, format!("domoctl {}\n", env!("CARGO_PKG_VERSION")));

    let help = domoctl(None, &["--help"]);
    assert_eq!(help.code, 0, "{help:#?}");
    assert!(
        help.stdout.contains("Usage: domoctl <COMMAND>"),
        "{help:#?}"
    );
    for command in [
        "dataset",
        "query",
        "upload",
        "export",
        "permissions",
        "partitions",
        "stream",
        "emulator",
        "demo",
    ] {
        assert!(
            help.stdout.contains(&format!("\n  {command} ")),
            "{command} missing: {}",
            help.stdout
        );
    }
    // No arguments: the help, as a usage error.
    let bare = domoctl(None, &[]);
    assert_eq!(bare.code, 2, "{bare:#?}");
    assert!(
        bare.stderr.contains("Usage: domoctl <COMMAND>"),
        "{bare:#?}"
    );
}

#[test]
fn every_command_has_help_that_names_domoctl() {
    let mut paths = Vec::new();
    command_paths(&Cli::command(), &[], &mut paths);
    for known in [
        &["dataset", "get"][..],
        &["upload"],
        &["stream", "search"],
        &["demo"],
    ] {
        assert!(
            paths.iter().any(|p| p == known),
            "{known:?} not in {paths:?}"
        );
    }
    for path in paths {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let r = domoctl(None, &args);
        let name = path.join(" ");
        assert_eq!(r.code, 0, "{name}: {r:#?}");
        assert!(r.stderr.is_empty(), "{name}: {r:#?}");
        let about = r.stdout.lines().next().unwrap_or_default();
        assert!(
            !about.is_empty() && !about.starts_with("Usage"),
            "{name} says nothing about itself: {}",
            r.stdout
        );
        assert!(
            r.stdout.contains(&format!("Usage: domoctl {name}")),
            "{name}: {}",
            r.stdout
        );
        assert!(
            !r.stdout.contains("`domo ") && !r.stdout.contains("domo demo"),
            "{name} names the old command: {}",
            r.stdout
        );
    }
}

#[test]
fn missing_configuration_and_no_server_are_one_sentence_each() {
    let r = domoctl_at(None, None, &["dataset", "get", "x"]);
    assert_eq!(r.code, 2, "{r:#?}");
    assert!(r.stderr.starts_with("error: not configured"), "{r:#?}");
    for needle in [
        "DOMO_INSTANCE",
        "DOMO_BASE_URL",
        "domoctl emulator",
        "DOMO_TOKEN",
    ] {
        assert!(r.stderr.contains(needle), "{needle}: {r:#?}");
    }
    let r = domoctl(None, &["upload", "ID", "-"]);
    assert_eq!(r.code, 2, "{r:#?}");
    assert!(
        r.stderr
            .starts_with("error: not configured: set DOMO_TOKEN"),
        "{r:#?}"
    );

    let r = domoctl(Some(TOKEN), &["dataset", "get", "x", "--max-retries", "0"]);
    assert_eq!(r.code, 1, "{r:#?}");
    assert!(r.stderr.starts_with("error: cannot connect"), "{r:#?}");
    assert!(!r.stderr.contains(TOKEN), "{r:#?}");
}

#[test]
fn a_short_token_leaves_what_is_printed_intact() {
    // The example: `x` in `/nonexistent.csv` was once scrubbed
    // into `/none[redacted]istent.csv`.
    let r = domoctl(Some("x"), &["upload", "ID", "/nonexistent.csv"]);
    assert_eq!(r.code, 1, "{r:#?}");
    assert!(
        r.stderr
            .starts_with("error: cannot read /nonexistent.csv: "),
        "{r:#?}"
    );
    assert!(!r.stderr.contains("[redacted]"), "{r:#?}");
    // Nor does a short token cut into a word clap quotes.
    let r = domoctl(Some("x"), &["dataset", "get", "x", "extra"]);
    assert_eq!(r.code, 2, "{r:#?}");
    assert!(r.stderr.contains("'extra'"), "{r:#?}");
}

#[test]
fn a_realistic_token_is_scrubbed_wherever_it_shows() {
    // In a path the error quotes: scrubbed as a whole path component.
    let path = format!("/nonexistent/{TOKEN}/in.csv");
    let r = domoctl(Some(TOKEN), &["upload", "ID", &path]);
    assert_eq!(r.code, 1, "{r:#?}");
    assert!(
        r.stderr
            .starts_with("error: cannot read /nonexistent/[redacted]/in.csv: "),
        "{r:#?}"
    );
    // Part of a longer name, it is not the token: left as written.
    let longer = format!("/nonexistent/{TOKEN}0.csv");
    let r = domoctl(Some(TOKEN), &["upload", "ID", &longer]);
    assert!(r.stderr.contains(&longer), "{r:#?}");

    // Command lines clap refuses, with the token given as a flag only:
    // known before clap has parsed anything.
    for args in [
        vec!["dataset", "get", "x", TOKEN, "--token", TOKEN],
        vec!["dataset", "get", "x", "--timeout", TOKEN, "--token", TOKEN],
        vec![
            "dataset",
            "get",
            "x",
            "--timeout",
            TOKEN,
            &format!("--token={TOKEN}"),
        ],
    ] {
        let r = domoctl(None, &args);
        assert_eq!(r.code, 2, "{args:?}: {r:#?}");
        assert!(r.stderr.contains("'[redacted]'"), "{args:?}: {r:#?}");
        assert!(!r.stderr.contains(TOKEN), "{args:?}: {r:#?}");
    }
    // From the environment, pasted where an argument goes.
    let r = domoctl(Some(TOKEN), &["query", "x", "SELECT 1", TOKEN]);
    assert_eq!(r.code, 2, "{r:#?}");
    assert!(r.stderr.contains("'[redacted]'"), "{r:#?}");
    assert!(!r.stderr.contains(TOKEN), "{r:#?}");
}

#[cfg(not(feature = "emulator"))]
#[test]
fn without_the_emulator_feature_emulator_and_demo_say_how_to_get_one() {
    for args in [
        vec!["demo"],
        vec!["demo", "--rows", "10"],
        vec!["emulator", "--addr", "127.0.0.1:0", "--demo"],
    ] {
        let r = domoctl(None, &args);
        assert_eq!(r.code, 2, "{args:?}: {r:#?}");
        for needle in [
            "error: this domoctl was built without the embedded emulator",
            "default features",
            "domo-emulator",
        ] {
            assert!(r.stderr.contains(needle), "{args:?}: {r:#?}");
        }
    }
    let help = domoctl(None, &["--help"]);
    assert!(help.stdout.contains("Not in this build"), "{help:#?}");
}
