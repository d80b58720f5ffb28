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
        (&["--now", "yesterday"][..], "2024-03-01T09:00:00Z"),
        (&["--clock-offset", "3w"][..], "-30d, +2h"),
        (
            &["--now", "2024-03-01", "--clock-offset", "1d"][..],
            "cannot be used with",
        ),
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
        "--now",
        "--clock-offset",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help");
    }
}

/// The first lines of the binary's stdout (it keeps running).
fn start(args: &[&str]) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_domo-emulator"))
        .args(["--addr", "127.0.0.1:0", "--demo"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("binary runs");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("{line}"))
        .to_owned();
    (child, url)
}

/// `--now` and `--clock-offset` set the clock every "now" reads: SQL's
/// `CURDATE()`, the demo dataset's creation time.
#[tokio::test]
async fn the_clock_flags_move_every_now() {
    let http = reqwest::Client::new();
    let today = |url: String| {
        let http = http.clone();
        async move {
            let id = domo_emulator::DEMO_DATASET_ID;
            let json = |r: reqwest::Response| async move {
                serde_json::from_slice::<serde_json::Value>(&r.bytes().await.unwrap()).unwrap()
            };
            let sql = json(
                http.post(format!("{url}/api/query/v1/execute/{id}"))
                    .header("x-domo-developer-token", "dev-token")
                    .header("content-type", "application/json")
                    .body(r#"{"sql": "SELECT CURDATE() FROM table LIMIT 1"}"#)
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            let ds = json(
                http.get(format!("{url}/api/data/v3/datasources/{id}"))
                    .header("x-domo-developer-token", "dev-token")
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            (sql["rows"][0][0].clone(), ds["created"].as_i64().unwrap())
        }
    };
    let (mut child, url) = start(&["--now", "2024-03-01T09:00:00Z"]);
    let (day, created) = today(url).await;
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(day, "2024-03-01");
    // 2024-03-01T09:00:00Z, and the clock runs on from there.
    assert!(
        (1_709_283_600_000..1_709_283_600_000 + 600_000).contains(&created),
        "{created}"
    );

    let (mut child, url) = start(&["--clock-offset", "-3650d"]);
    let (day, created) = today(url).await;
    let _ = child.kill();
    let _ = child.wait();
    let ten_years_ms = 3650 * 86_400_000;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert!((now - created - ten_years_ms).abs() < 600_000, "{created}");
    let year: i64 = day.as_str().unwrap()[..4].parse().unwrap();
    let then = (now - ten_years_ms) / 31_556_952_000 + 1970;
    assert!((year - then).abs() <= 1, "{day}");
}
