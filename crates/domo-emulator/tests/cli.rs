//! The binary's stdout contract and argument errors.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn prints_the_listening_line_then_the_demo_id() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_domo-emulator"))
        .args([
            "--addr",
            "127.0.0.1:0",
            "--demo",
            "--token",
            "t=1",
            "--faults",
            "latency=1ms",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let second = lines.next().unwrap().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let url = first
        .strip_prefix("listening on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("{first}"));
    assert!(url.parse::<u16>().is_ok_and(|p| p != 0), "{first}");
    assert_eq!(
        second,
        format!("demo dataset {}", domo_emulator::DEMO_DATASET_ID)
    );
}

#[test]
fn bad_arguments_fail_with_a_clear_message() {
    for (args, needle) in [
        (&["--faults", "429=2"][..], "429=2"),
        (&["--faults", "boom=0.1"][..], "boom"),
        (&["--token", "nouser"][..], "TOKEN=USER_ID"),
        (&["--token", "t=abc"][..], "USER_ID"),
        (&["--user", "7"][..], "ID:EMAIL[:ROLE]"),
        (&["--user", "7:a@b:Boss"][..], "Participant"),
        (&["--group", "3"][..], "ID:NAME:USER_ID,USER_ID"),
        (&["--group", "3:Sales:7,x"][..], "USER_ID"),
        (&["--password", "7"][..], "ID=SECRET"),
        // A password for someone who is not a user stops startup.
        (&["--password", "9=pw"][..], "user 9"),
        (&["--user", "1:root@example.com:Editor"][..], "Admin"),
        (&["--user", "7:a@b", "--user", "8:A@b"][..], "two users"),
        (&["--query-timeout", "soon"][..], "30s, 500ms or 2m"),
        (&["--query-timeout", "0s"][..], "30s, 500ms or 2m"),
        (&["--max-reply-bytes", "lots"][..], "--max-reply-bytes"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_domo-emulator"))
            .args(["--addr", "127.0.0.1:0"])
            .args(args)
            .output()
            .expect("binary runs");
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_domo-emulator"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--addr",
        "--token",
        "--data-dir",
        "--demo",
        "--faults",
        "--fault-seed",
        "--max-body-bytes",
        "512 MiB",
        "--query-timeout",
        "--max-reply-bytes",
        "4 GiB",
        "--max-value-bytes",
        "16 MiB",
        "--app",
        "--user",
        "--password",
        "--group",
        "Participant",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help");
    }
}
