//! What keeps one query from taking the emulator down, over real sockets:
//! SQLite's length limit against memory bombs (and the emulator's memory
//! back near idle after them), the reply byte limit, the time limit, and
//! readers left free for small requests while runaway queries run. Also
//! the shape of streamed replies past the first chunk.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{Client, start};
use domo_emulator::{DEFAULT_QUERY_TIMEOUT, DEMO_DATASET_ID, EmulatorConfig, ManualClock, Timer};
use reqwest::Method;
use serde_json::{Value, json};

/// Rows 1..=n of one integer column `i`, without a dataset's rows.
fn numbers(n: u64) -> String {
    format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) SELECT i FROM n"
    )
}

/// Never ends on its own: only the time limit stops it.
const RUNAWAY: &str =
    "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT COUNT(*) FROM r";

fn query_path(id: &str) -> String {
    format!("/api/query/v1/execute/{id}")
}

/// The emulator binary on a free port, so its memory can be read apart
/// from the test's.
struct Process {
    child: Child,
    url: String,
}

impl Process {
    fn start(args: &[&str]) -> Process {
        let mut child = Command::new(env!("CARGO_BIN_EXE_domo-emulator"))
            .args(["--addr", "127.0.0.1:0", "--demo"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the binary runs");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("{line}"))
            .to_owned();
        Process { child, url }
    }

    /// A `/proc/PID/status` figure in KiB (`VmRSS`, `VmHWM`).
    fn kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {field} in {status}"))
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn memory_bombs_end_with_a_400_naming_the_limit_and_memory_returns_near_idle() {
    if !std::path::Path::new("/proc/self/status").exists() {
        eprintln!("skipped: no /proc to read the emulator's memory from");
        return;
    }
    let emu = Process::start(&[]);
    let c = Client::new(&emu.url, "dev-token");
    let path = query_path(DEMO_DATASET_ID);
    // Warm up the paths the bombs take, then take the idle figure.
    for _ in 0..3 {
        c.post(&path, &json!({"sql": "SELECT * FROM table"}))
            .await
            .ok_json();
    }
    let idle = emu.kib("VmRSS");

    let nested_replace = {
        let mut e = "'x'".to_owned();
        for _ in 0..9 {
            e = format!("replace({e}, 'x', 'xxxxxxxxxx')");
        }
        format!("SELECT {e}")
    };
    let bombs = [
        "SELECT hex(zeroblob(499999999))".to_owned(),
        nested_replace,
        "SELECT zeroblob(300000000), zeroblob(300000000)".to_owned(),
        "SELECT hex(zeroblob(6000000)) || hex(zeroblob(6000000))".to_owned(),
        // An aggregate that grows one value row by row.
        format!(
            "SELECT group_concat(hex(randomblob(100000))) FROM ({})",
            numbers(1000)
        ),
    ];
    for sql in &bombs {
        let msg = c
            .post(&path, &json!({ "sql": sql }))
            .await
            .expect_error(400);
        assert!(msg.contains("--max-value-bytes"), "{sql}: {msg}");
        assert!(msg.contains("16777216"), "{sql}: {msg}");
    }
    // SQLite's printf() answers NULL rather than failing when its result
    // would pass the limit; the emulator makes that the limit's 400 too,
    // while a NULL format still gives NULL.
    // MySQL's functions that grow text refuse past the limit before
    // making anything.
    for sql in [
        "SELECT printf('%.*c', 400000000, 'x')",
        "SELECT REPEAT('x', 400000000)",
        "SELECT REPEAT('ab', 9223372036854775807)",
        "SELECT LPAD('', 400000000, 'x')",
        "SELECT RPAD('a', 400000000, 'xy')",
        "SELECT SPACE(400000000)",
    ] {
        let msg = c
            .post(&path, &json!({ "sql": sql }))
            .await
            .expect_error(400);
        assert!(msg.contains("--max-value-bytes"), "{sql}: {msg}");
    }
    let v = c
        .post(
            &path,
            &json!({"sql": "SELECT printf(NULL), printf('%s|%d', NULL, 7)"}),
        )
        .await
        .ok_json();
    assert_eq!(v["rows"], json!([[null, "|7"]]));

    // A reply of 100 MB (25,000 rows of 4 KB) streams through too.
    let resp = c
        .http
        .post(format!("{}{path}", emu.url))
        .header("x-domo-developer-token", "dev-token")
        .header("content-type", "application/json")
        .body(json!({"sql": format!("SELECT i, printf('%.*c', 4000, 'x') AS pad FROM ({})", numbers(25_000))}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut resp = resp;
    let mut bytes = 0usize;
    while let Some(chunk) = resp.chunk().await.unwrap() {
        bytes += chunk.len();
    }
    assert!(bytes > 100_000_000, "{bytes}");

    let peak = emu.kib("VmHWM");
    // The emulator still answers.
    let v = c
        .post(&path, &json!({"sql": "SELECT COUNT(*) FROM table"}))
        .await
        .ok_json();
    assert!(v["rows"][0][0].as_i64().unwrap() > 0);
    let after = emu.kib("VmRSS");
    assert!(
        peak < idle + 256 * 1024,
        "peak {peak} KiB is more than 256 MiB above idle {idle} KiB"
    );
    assert!(
        after < idle + 64 * 1024,
        "{after} KiB after the bombs, {idle} KiB idle"
    );
}

/// A reply cut at a limit past its first chunk: a 200 whose body breaks
/// off. The cut may come before hyper has flushed the status line: then
/// the request itself fails, which is just as plainly not a complete reply.
async fn assert_broken_off(resp: reqwest::Result<reqwest::Response>, route: &str) {
    if let Ok(resp) = resp {
        assert_eq!(resp.status(), 200, "{route}");
        let body = resp.bytes().await;
        assert!(body.is_err(), "{route}: the body ended as if complete");
    }
}

#[tokio::test]
async fn a_reply_past_the_byte_limit_is_a_400_before_the_first_chunk_and_a_broken_body_after() {
    let (emu, c) = start(EmulatorConfig {
        demo: true,
        max_reply_bytes: 100_000,
        ..EmulatorConfig::ephemeral()
    })
    .await;
    let path = query_path(DEMO_DATASET_ID);

    // Within the first chunk (64 KiB), the limit is an ordinary 400.
    let limited = EmulatorConfig {
        demo: true,
        max_reply_bytes: 1_000,
        ..EmulatorConfig::ephemeral()
    };
    let (_small, small) = start(limited).await;
    let msg = small
        .post(&path, &json!({"sql": numbers(1_000)}))
        .await
        .expect_error(400);
    assert!(msg.contains("--max-reply-bytes"), "{msg}");
    // The CSV export routes too (the demo dataset is some 30 KB of CSV).
    let exports = |ds: &str| {
        [
            format!("/api/data/v3/datasources/{ds}/data?format=csv"),
            format!("/api/data/v2/datasources/{ds}/dataversions/latest?includeHeader=true"),
        ]
    };
    for route in exports(DEMO_DATASET_ID) {
        let msg = small.get(&route).await.expect_error(400);
        assert!(msg.contains("--max-reply-bytes"), "{route}: {msg}");
    }

    // Past the first chunk, the body breaks off: no client can take it
    // for a complete reply. JSON and CSV alike.
    for (route, accept) in [
        (path.clone(), "application/json"),
        (
            format!("/api/query/v1/execute/export/{DEMO_DATASET_ID}?includeHeader=true"),
            "text/csv",
        ),
    ] {
        let resp = c
            .http
            .post(format!("{}{route}", emu.url()))
            .header("x-domo-developer-token", "dev-token")
            .header("accept", accept)
            .header("content-type", "application/json")
            .body(json!({"sql": numbers(100_000)}).to_string())
            .send()
            .await;
        assert_broken_off(resp, &route).await;
    }

    // An export past the first chunk breaks off the same way: 40,000 rows
    // are some 270 KB of CSV against a limit of 100,000 (and each of the
    // export's reads, 4,096 rows, is under it).
    let (ds, _) = c
        .create_dataset("long", &[("i", "LONG"), ("pad", "STRING")])
        .await;
    let csv: String = (0..40_000).map(|i| format!("{i},x\n")).collect();
    c.upload(&ds, &[&csv], "REPLACE").await;
    for route in exports(&ds) {
        let resp = c
            .http
            .get(format!("{}{route}", emu.url()))
            .header("x-domo-developer-token", "dev-token")
            .send()
            .await;
        assert_broken_off(resp, &route).await;
    }
    // A smaller export of the same dataset answers whole.
    let page = c
        .get(&format!(
            "/api/data/v3/datasources/{ds}/data?format=csv&limit=500"
        ))
        .await;
    assert_eq!(page.status, 200);
    assert_eq!(page.text().lines().count(), 501);

    // Under the limit, the same route answers whole.
    let v = c
        .post(&path, &json!({"sql": numbers(5_000)}))
        .await
        .ok_json();
    assert_eq!(v["numRows"], 5_000);
}

/// Fails the test instead of hanging it when the emulator never answers.
/// Not a bound on how long anything takes: the clock tests advance is
/// the emulator's, and nothing here waits for it.
async fn answered<T>(what: &str, f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(HANG, f)
        .await
        .unwrap_or_else(|_| panic!("{what}: no answer in {HANG:?}"))
}

const HANG: Duration = Duration::from_secs(120);

#[tokio::test]
async fn a_query_past_the_time_limit_is_a_400_naming_it() {
    let clock = ManualClock::at_system_time();
    let (_emu, c) = start(EmulatorConfig {
        demo: true,
        clock: clock.clock(),
        ..EmulatorConfig::ephemeral()
    })
    .await;
    let runaway = tokio::spawn(async move {
        c.post(&query_path(DEMO_DATASET_ID), &json!({ "sql": RUNAWAY }))
            .await
            .expect_error(400)
    });
    clock.wait_for(Timer::Query, 1).await;
    // Up to the limit, it runs on.
    assert_eq!(
        clock.advance(DEFAULT_QUERY_TIMEOUT - Duration::from_millis(1)),
        0
    );
    assert!(clock.advance(Duration::from_millis(1)) >= 1);
    let msg = answered("the runaway", runaway).await.unwrap();
    assert!(msg.contains("--query-timeout"), "{msg}");
    assert!(msg.contains("30 s"), "{msg}");
}

#[tokio::test]
async fn an_export_left_unread_past_the_time_limit_is_let_go() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let clock = ManualClock::at_system_time();
    let (emu, c) = start(EmulatorConfig {
        clock: clock.clock(),
        ..EmulatorConfig::ephemeral()
    })
    .await;
    let (ds, _) = c
        .create_dataset("big", &[("i", "LONG"), ("pad", "STRING")])
        .await;
    // 12 MB: far more than the kernel holds between the two sockets with
    // the client's receive buffer kept small.
    let pad = "x".repeat(1_000);
    let csv: String = (0..12_000).map(|i| format!("{i},{pad}\n")).collect();
    c.upload(&ds, &[&csv], "REPLACE").await;

    let addr: std::net::SocketAddr = emu.url().strip_prefix("http://").unwrap().parse().unwrap();
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(64 * 1024).unwrap();
    let mut stream = socket.connect(addr).await.unwrap();
    let request = format!(
        "GET /api/data/v2/datasources/{ds}/dataversions/latest HTTP/1.1\r\nHost: {addr}\r\nX-DOMO-Developer-Token: dev-token\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    // The reply has begun: its head has arrived.
    let mut body = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    while !body.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = answered("the reply's head", stream.read(&mut buf))
            .await
            .unwrap();
        assert!(n > 0, "closed before the head: {body:?}");
        body.extend_from_slice(&buf[..n]);
    }
    // Then read nothing while the limit passes: the clock moves on each
    // time the export waits for the client, until a wait that lasts the
    // whole limit. (A wait may end before the clock moves: the socket took
    // the chunk.)
    answered("the export's wait for its client", async {
        loop {
            clock.wait_for(Timer::ClientRead, 1).await;
            if clock.advance(DEFAULT_QUERY_TIMEOUT) > 0 {
                break;
            }
        }
    })
    .await;
    let read_all = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => body.extend_from_slice(&buf[..n]),
            }
        }
    };
    answered("the emulator letting the connection go", read_all).await;
    assert!(
        body.starts_with(b"HTTP/1.1 200"),
        "{:?}",
        &body[..body.len().min(200)]
    );
    assert!(
        body.len() < csv.len(),
        "{} of {} bytes",
        body.len(),
        csv.len()
    );
    assert!(
        !body.ends_with(b"\r\n0\r\n\r\n"),
        "the body ended as if complete"
    );
    // A client that reads gets all of it.
    assert_eq!(c.export(&ds, false).await.len(), csv.len());
}

/// Three runaway queries, each until the time limit: a small GET, a small
/// query and a write still answer while all three run (the emulator's
/// clock stands still until the test advances it, so they cannot end
/// before), and then the limit stops all three.
async fn small_requests_answer_during_three_runaways(config: EmulatorConfig) {
    let clock = ManualClock::at_system_time();
    let (_emu, c) = start(EmulatorConfig {
        demo: true,
        clock: clock.clock(),
        ..config
    })
    .await;
    let runaways: Vec<_> = (0..3)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move {
                c.post(&query_path(DEMO_DATASET_ID), &json!({ "sql": RUNAWAY }))
                    .await
                    .expect_error(400)
            })
        })
        .collect();
    // All three are in SQLite, each holding a reader.
    clock.wait_for(Timer::Query, 3).await;

    let small = async {
        let ds = c
            .get(&format!("/api/data/v3/datasources/{DEMO_DATASET_ID}"))
            .await
            .ok_json();
        assert_eq!(ds["id"], DEMO_DATASET_ID);
        let count = c
            .post(
                &query_path(DEMO_DATASET_ID),
                &json!({"sql": "SELECT COUNT(*) FROM table"}),
            )
            .await
            .ok_json();
        assert!(count["rows"][0][0].as_i64().unwrap() > 0);
        // A write, too: readers do not hold writers up (WAL).
        c.send(
            Method::PUT,
            &format!("/api/data/v3/datasources/{DEMO_DATASET_ID}/properties"),
            Some(br#"{"dataSourceName": "Renamed"}"#.to_vec()),
            &[("content-type", "application/json")],
        )
        .await;
    };
    answered("the small requests during three runaways", small).await;
    assert_eq!(clock.armed(Timer::Query), 3, "the runaways still run");
    assert!(runaways.iter().all(|r| !r.is_finished()));
    clock.advance(DEFAULT_QUERY_TIMEOUT);
    for r in runaways {
        let msg = answered("a runaway", r).await.unwrap();
        assert!(msg.contains("--query-timeout"), "{msg}");
    }
    let ds = c
        .get(&format!("/api/data/v3/datasources/{DEMO_DATASET_ID}"))
        .await
        .ok_json();
    assert_eq!(ds["name"], "Renamed");
}

#[tokio::test]
async fn small_requests_answer_during_three_runaway_queries_without_a_data_dir() {
    small_requests_answer_during_three_runaways(EmulatorConfig::ephemeral()).await;
}

#[tokio::test]
async fn small_requests_answer_during_three_runaway_queries_with_a_data_dir() {
    let dir = std::env::temp_dir().join(format!("domo-emulator-runaways-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    small_requests_answer_during_three_runaways(EmulatorConfig {
        data_dir: Some(dir.clone()),
        ..EmulatorConfig::ephemeral()
    })
    .await;
    let _ = std::fs::remove_dir_all(&dir);
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

#[tokio::test]
async fn replies_past_the_first_chunk_stream_with_the_counts_after_the_rows() {
    let (_emu, c) = start(EmulatorConfig {
        demo: true,
        ..EmulatorConfig::ephemeral()
    })
    .await;
    let path = query_path(DEMO_DATASET_ID);

    // One chunk: the envelope as it always was.
    let small = c.post(&path, &json!({"sql": numbers(10)})).await.ok_json();
    assert_eq!(
        keys(&small),
        [
            "datasource",
            "columns",
            "metadata",
            "numRows",
            "numColumns",
            "rows",
            "fromcache"
        ]
    );

    // Streamed: the counts follow the rows, metadata leads them when the
    // first chunk showed every column's type.
    let big = c
        .post(&path, &json!({"sql": numbers(50_000)}))
        .await
        .ok_json();
    assert_eq!(
        keys(&big),
        [
            "datasource",
            "columns",
            "metadata",
            "rows",
            "numRows",
            "numColumns",
            "fromcache"
        ]
    );
    assert_eq!(big["numRows"], 50_000);
    assert_eq!(big["rows"][49_999], json!([50_000]));
    assert_eq!(big["metadata"][0]["type"], "LONG");

    // A column null all through the first chunk: its metadata follows the
    // rows, with the type of its first value.
    let late = c
        .post(
            &path,
            &json!({"sql": format!("SELECT CASE WHEN i > 40000 THEN i * 0.5 END AS late FROM ({})", numbers(50_000))}),
        )
        .await
        .ok_json();
    assert_eq!(
        keys(&late),
        [
            "datasource",
            "columns",
            "rows",
            "metadata",
            "numRows",
            "numColumns",
            "fromcache"
        ]
    );
    // `i * 0.5` is exact (a decimal literal), as in MySQL.
    assert_eq!(late["metadata"][0]["type"], "DECIMAL");
    assert_eq!(late["rows"][49_999], json!([25_000.0]));

    // `/data` as JSON streams the same way: the same rows as a page.
    let page = c
        .get(&format!(
            "/api/data/v3/datasources/{DEMO_DATASET_ID}/data?limit=5"
        ))
        .await
        .ok_json();
    assert_eq!(keys(&page), ["columns", "rows"]);
    assert_eq!(page["rows"].as_array().unwrap().len(), 5);
}

/// The length limit is the readers' (where queries run): an upload part
/// larger than it is stored and committed whole.
#[tokio::test]
async fn upload_parts_larger_than_the_value_limit_are_committed() {
    let (_emu, c) = start(EmulatorConfig {
        max_value_bytes: 1_000_000,
        ..EmulatorConfig::ephemeral()
    })
    .await;
    let (ds, _) = c.create_dataset("Big part", &[("line", "STRING")]).await;
    let row = "x".repeat(99);
    let part = format!("{row}\n").repeat(30_000);
    assert!(part.len() > 2_000_000);
    let committed = c.upload(&ds, &[&part], "REPLACE").await;
    assert_eq!(committed["rowCount"], 30_000, "{committed}");
    let v = c.sql(&ds, "SELECT COUNT(*) FROM table").await.ok_json();
    assert_eq!(v["rows"], json!([[30_000]]));
    // A query still may not make a value past the limit.
    let msg = c
        .sql(&ds, "SELECT group_concat(line) FROM table")
        .await
        .expect_error(400);
    assert!(msg.contains("1000000 bytes (--max-value-bytes)"), "{msg}");
}
