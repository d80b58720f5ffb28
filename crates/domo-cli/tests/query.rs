//! `domoctl query` streaming its output, driven as a process against an
//! in-process emulator (127.0.0.1, a free port): CSV equal to the export,
//! the JSON envelope, JSON Lines with `--all`, the table past one batch,
//! and a reader that goes away early (`| head`).

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use domo_emulator::{EmulatorConfig, RunningEmulator};
use serde_json::Value;

const TOKEN: &str = "query-cli-token-0b7d2e";

struct Emulator {
    server: Option<RunningEmulator>,
    url: String,
    _runtime: tokio::runtime::Runtime,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        drop(self.server.take());
    }
}

fn emulator() -> Emulator {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let server = runtime
        .block_on(domo_emulator::start(
            EmulatorConfig::ephemeral().with_token(TOKEN, 1),
        ))
        .expect("the emulator starts");
    Emulator {
        url: server.url().to_owned(),
        server: Some(server),
        _runtime: runtime,
    }
}

fn command(emu: &Emulator, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_domoctl"));
    cmd.args(args)
        .env_remove("DOMO_INSTANCE")
        .env("DOMO_BASE_URL", &emu.url)
        .env("DOMO_TOKEN", TOKEN)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Runs to the end; stdout and stderr.
fn run(emu: &Emulator, args: &[&str], stdin: &[u8]) -> (String, String) {
    let mut child = command(emu, args).spawn().expect("domoctl runs");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    );
    assert!(out.status.success(), "{args:?}: {stderr}");
    assert!(!stderr.contains(TOKEN) && !stdout.contains(TOKEN));
    (stdout, stderr)
}

/// A dataset of `n` rows with nulls, quotes, newlines, empty text and Unicode.
fn dataset(emu: &Emulator, n: u32) -> String {
    let (created, _) = run(
        emu,
        &[
            "dataset",
            "create",
            "Q",
            "--json",
            "--column",
            "id:LONG",
            "--column",
            "name:STRING",
            "--column",
            "x:DOUBLE",
        ],
        b"",
    );
    let created: Value = serde_json::from_str(&created).unwrap();
    let id = created["datasetId"].as_str().unwrap().to_owned();
    let mut csv = String::new();
    for i in 0..n {
        let name = match i % 6 {
            0 => format!("plain {i}"),
            1 => format!("\"comma, {i}\""),
            2 => format!("\"quote \"\"{i}\"\"\""),
            3 => format!("\"line\nbreak {i}\""),
            4 => "\"\"".to_owned(),
            _ => format!("Zürich 🚀 {i}"),
        };
        let x = if i % 7 == 3 {
            "\\N".to_owned()
        } else {
            format!("{i}.5")
        };
        csv.push_str(&format!("{i},{name},{x}\n"));
    }
    run(emu, &["upload", &id, "-", "--header", "no"], csv.as_bytes());
    id
}

#[test]
fn csv_equals_the_export_and_json_forms_stream() {
    let emu = emulator();
    let id = dataset(&emu, 2_500);
    let (csv, _) = run(&emu, &["query", &id, "SELECT * FROM table", "--csv"], b"");
    let (export, _) = run(&emu, &["export", &id], b"");
    assert_eq!(csv, export);
    // The JSON reply written as CSV is the same file.
    let (from_json, _) = run(
        &emu,
        &["query", &id, "SELECT * FROM table", "--csv", "--json-route"],
        b"",
    );
    assert_eq!(from_json, export);
    let (paged, _) = run(
        &emu,
        &[
            "query",
            &id,
            "SELECT * FROM table ORDER BY id",
            "--csv",
            "--all",
            "--page-size",
            "300",
        ],
        b"",
    );
    assert_eq!(paged, export);

    // One reply: the JSON envelope, as before.
    let sql = "SELECT id, name, x FROM table WHERE id < 10 ORDER BY id";
    let (json, _) = run(&emu, &["query", &id, sql, "--json"], b"");
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["columns"], serde_json::json!(["id", "name", "x"]));
    assert_eq!(json["rows"][2], serde_json::json!([2, "quote \"2\"", 2.5]));
    assert_eq!(json["rows"][3][2], Value::Null);
    assert_eq!(json["numRows"], 10);
    assert_eq!(json["metadata"][0]["type"], "LONG");
    let (none, _) = run(
        &emu,
        &["query", &id, "SELECT id FROM table WHERE id < 0", "--json"],
        b"",
    );
    let none: Value = serde_json::from_str(&none).unwrap();
    assert_eq!(none["rows"], serde_json::json!([]));

    // --all: JSON Lines, each row once, in order.
    let (lines, _) = run(
        &emu,
        &[
            "query",
            &id,
            "SELECT id, name FROM table ORDER BY id",
            "--all",
            "--page-size",
            "97",
            "--json",
        ],
        b"",
    );
    let rows: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2_500);
    assert!(rows.iter().enumerate().all(|(i, r)| r["id"] == i as u64));
    assert_eq!(rows[5]["name"], "Zürich 🚀 5");
}

#[test]
fn the_table_streams_past_one_batch_in_the_first_batchs_widths() {
    let emu = emulator();
    let id = dataset(&emu, 2_500);
    let (table, stderr) = run(
        &emu,
        &["query", &id, "SELECT id, x FROM table ORDER BY id"],
        b"",
    );
    assert!(
        stderr.is_empty(),
        "no progress line off a terminal: {stderr}"
    );
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 2 + 2_500);
    // Widths from the first 1,000 rows (ids up to 999).
    assert_eq!(lines[0], " id      x");
    assert_eq!(lines[1], "---  -----");
    assert_eq!(lines[2], "  0    0.5");
    assert_eq!(lines[5], "  3   NULL");
    assert_eq!(lines[2 + 999], "999  999.5");
    // Past the first batch: wider ids push their own line only.
    assert_eq!(lines[2 + 2_499], "2499  2499.5");
    let (small, _) = run(
        &emu,
        &["query", &id, "SELECT name FROM table WHERE id IN (3, 4)"],
        b"",
    );
    assert_eq!(small, "name\n-------------\nline\\nbreak 3\n\n");
    let (_, empty) = run(
        &emu,
        &["query", &id, "SELECT id FROM table WHERE id < 0"],
        b"",
    );
    assert_eq!(empty, "(none)\n");
}

#[test]
fn a_reader_that_goes_away_ends_the_command_quietly() {
    let emu = emulator();
    let id = dataset(&emu, 30_000);
    for format in [
        &["--csv"][..],
        &[][..],
        &["--json"][..],
        &["--all", "--json"][..],
    ] {
        let mut args = vec!["query", id.as_str(), "SELECT * FROM table ORDER BY id"];
        args.extend_from_slice(format);
        let mut child = command(&emu, &args).spawn().unwrap();
        drop(child.stdin.take());
        {
            let mut out = BufReader::new(child.stdout.take().unwrap());
            let mut first = String::new();
            out.read_line(&mut first).unwrap();
            assert!(!first.is_empty(), "{format:?}");
            // `head -1`: the reader goes away.
        }
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(0), "{format:?}: {stderr}");
        assert!(stderr.is_empty(), "{format:?}: {stderr}");
    }
}
