//! `cargo xtask bench`: release builds, a generated CSV, the emulator on
//! loopback (a process of its own, so its memory can be read); upload,
//! export and large queries through domo-native, and the same bytes moved
//! by curl against the same emulator (same parts, same concurrency) as the
//! baseline; then the emulator alone: a `GROUP BY` over 1,000,000 rows and
//! small GETs per second. Prints a table and writes `target/bench/report.md`.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use crate::{cargo, run};

const TOKEN: &str = "dev-token";
const MIB: f64 = 1024.0 * 1024.0;

struct Options {
    size: u64,
    part_size: u64,
    concurrency: u32,
    runs: u32,
    /// Result sizes of the query rows.
    query_rows: Vec<u64>,
    /// Only the query rows (the upload and export rows are skipped).
    query_only: bool,
    /// Only domoctl beside pydomo and domolibrary (`--peers`).
    peers: bool,
}

/// Rows of the dataset the `GROUP BY` row reads.
const GROUP_BY_ROWS: u64 = 1_000_000;
/// Connections of the small-GET row.
const GET_CONNECTIONS: u32 = 64;
/// How long the small-GET row runs, in seconds.
const GET_SECONDS: u64 = 5;

pub fn bench(args: &[String]) -> Result<(), String> {
    let mut o = Options {
        size: 200_000_000,
        part_size: 32 << 20,
        concurrency: 4,
        runs: 3,
        query_rows: vec![1_000_000, 5_000_000],
        query_only: false,
        peers: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--size" => o.size = parse_size(value()?)?,
            "--part-size" => o.part_size = parse_size(value()?)?,
            "--concurrency" => {
                o.concurrency = value()?
                    .parse()
                    .map_err(|_| "--concurrency takes a number")?
            }
            "--runs" => o.runs = value()?.parse().map_err(|_| "--runs takes a number")?,
            "--query-rows" => {
                o.query_rows = value()?
                    .split(',')
                    .map(|n| n.trim().parse::<u64>())
                    .collect::<Result<_, _>>()
                    .map_err(|_| "--query-rows takes numbers separated by commas")?
            }
            "--query-only" => o.query_only = true,
            "--peers" => o.peers = true,
            other => {
                return Err(format!(
                    "unknown bench option {other:?} (--size, --part-size, --concurrency, --runs, --query-rows, --query-only, --peers)"
                ));
            }
        }
    }
    ensure_curl()?;
    run(
        "release build of the emulator and the bench client",
        cargo().args([
            "build",
            "--release",
            "--locked",
            "-p",
            "domo-emulator",
            "-p",
            "domo-integration-tests",
            "-p",
            "domo-cli",
            "--bins",
        ]),
    )?;
    let root = workspace_root();
    let dir = root.join("target/bench");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let bin = root.join("target/release");
    let emulator = Emulator::start(&bin.join("domo-emulator"))?;
    let client = bin.join("domo-bench");
    let url = emulator.url.clone();
    let mut report = String::from("# cargo xtask bench\n\n");
    if o.peers {
        drop(emulator);
        peer_rows(&o, &dir, &bin, &mut report)?;
        println!("\n{report}");
        let path = dir.join("peers.md");
        std::fs::write(&path, &report)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        eprintln!("bench: report written to {}", path.display());
        return Ok(());
    }
    if !o.query_only {
        transfer_rows(&o, &dir, &client, &url, &mut report)?;
    }
    if !o.query_rows.is_empty() {
        query_rows(
            &o,
            &dir,
            &client,
            &bin.join("domoctl"),
            &emulator,
            &mut report,
        )?;
    }
    emulator_rows(&o, &dir, &client, &emulator, &mut report)?;
    drop(emulator);
    println!("\n{report}");
    let path = dir.join("report.md");
    std::fs::write(&path, &report).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    eprintln!("bench: report written to {}", path.display());
    Ok(())
}

/// Upload and export through domo-native against curl moving the same bytes.
fn transfer_rows(
    o: &Options,
    dir: &Path,
    client: &Path,
    url: &str,
    report: &mut String,
) -> Result<(), String> {
    let csv = dir.join(format!("data-{}.csv", o.size));
    generate_csv(&csv, o.size, None)?;
    let size = std::fs::metadata(&csv).map_err(|e| e.to_string())?.len();
    let id = output(Command::new(client).args(["setup", url, TOKEN]))?
        .trim()
        .to_owned();
    eprintln!(
        "bench: {:.0} MB CSV, parts of {:.0} MiB, {} in flight, best of {} runs, dataset {id}",
        size as f64 / 1e6,
        o.part_size as f64 / MIB,
        o.concurrency,
        o.runs
    );

    // Upload: the client, then curl with the same parts.
    let mut native_up = Vec::new();
    for _ in 0..o.runs {
        let line = output(Command::new(client).args([
            "upload",
            url,
            TOKEN,
            &id,
            path_str(&csv)?,
            &o.part_size.to_string(),
            &o.concurrency.to_string(),
        ]))?;
        native_up.push(Measure::parse(&line)?);
    }
    let parts = cut_parts(client, &csv, o.part_size, dir)?;
    let mut curl_up = Vec::new();
    for _ in 0..o.runs {
        curl_up.push(curl_upload(url, &id, &parts, o.concurrency)?);
    }

    // Export.
    let out = dir.join("export.csv");
    let mut native_ex = Vec::new();
    for _ in 0..o.runs {
        native_ex.push(Measure::parse(&output(Command::new(client).args([
            "export",
            url,
            TOKEN,
            &id,
            path_str(&out)?,
        ]))?)?);
    }
    let mut curl_ex = Vec::new();
    for _ in 0..o.runs {
        curl_ex.push(timed(Command::new("curl").args([
            "-sS",
            "--fail",
            "-o",
            path_str(&out)?,
            "-H",
            &format!("X-DOMO-Developer-Token: {TOKEN}"),
            "-H",
            "Accept: text/csv",
            &format!("{url}/api/data/v2/datasources/{id}/dataversions/latest?includeHeader=true"),
        ]))?);
    }
    let export_bytes = std::fs::metadata(&out).map_err(|e| e.to_string())?.len();

    let rows = [
        (
            "upload (start, parts, commit)",
            size,
            best(&native_up),
            best_secs(&curl_up),
            Some(peak(&native_up)),
        ),
        (
            "export (v2 CSV, streamed to a file)",
            export_bytes,
            best(&native_ex),
            best_secs(&curl_ex),
            Some(peak(&native_ex)),
        ),
    ];
    let mut table = String::new();
    let _ = writeln!(
        table,
        "| operation | bytes | domo-native MB/s | curl MB/s | ratio to curl | client peak RSS |"
    );
    let _ = writeln!(table, "|---|---:|---:|---:|---:|---:|");
    for (name, bytes, native, curl, rss) in rows {
        let (n, c) = (bytes as f64 / 1e6 / native, bytes as f64 / 1e6 / curl);
        let _ = writeln!(
            table,
            "| {name} | {:.1} MB | {n:.1} | {c:.1} | {:.2}× | {} |",
            bytes as f64 / 1e6,
            n / c,
            rss.map(|k| format!("{:.1} MiB", k as f64 / 1024.0))
                .unwrap_or_default()
        );
    }
    let _ = write!(
        report,
        "CSV {:.1} MB ({} parts of ~{:.0} MiB, {} in flight), emulator (release, in memory) on 127.0.0.1, best of {} runs; {} CPU cores.\nThroughput is input bytes over wall time, commit included for uploads. Targets: upload and export ≥ 0.80× curl; client peak RSS ≤ 64 MiB.\n\n{table}\n",
        size as f64 / 1e6,
        parts.len(),
        o.part_size as f64 / MIB,
        o.concurrency,
        o.runs,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
    );
    let _ = std::fs::remove_file(&out);
    let _ = std::fs::remove_dir_all(dir.join("parts"));
    Ok(())
}

/// The SQL of page `k` of `sql` as domo-core's `QueryPages` writes it.
/// `curl` POSTing `sql` to `route` of dataset `id`, the reply into `out`;
/// `None` when the server answers 404/406 (the route is not offered).
fn curl_query(
    url: &str,
    route: &str,
    accept: &str,
    id: &str,
    sql: &str,
    dir: &Path,
    out: &Path,
) -> Result<Option<f64>, String> {
    let body = dir.join("query-body.json");
    let json = format!("{{\"sql\": {}}}", json_string(sql));
    std::fs::write(&body, json).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let o = Command::new("curl")
        .args([
            "-sS",
            "-o",
            path_str(out)?,
            "-w",
            "%{http_code}",
            "-H",
            &format!("X-DOMO-Developer-Token: {TOKEN}"),
            "-H",
            "Content-Type: application/json",
            "-H",
            &format!("Accept: {accept}"),
            "--data-binary",
            &format!("@{}", path_str(&body)?),
            &format!("{url}{route}{id}"),
        ])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("curl: {e}"))?;
    let secs = started.elapsed().as_secs_f64();
    match String::from_utf8_lossy(&o.stdout).trim() {
        "200" => Ok(Some(secs)),
        "404" | "406" => Ok(None),
        code => Err(format!("curl {route}: HTTP {code}")),
    }
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A child's wall time and peak RSS (its VmHWM, read every few ms while it
/// runs: growth in its last moments can be missed).
fn timed_rss(cmd: &mut Command) -> Result<(f64, u64), String> {
    let started = Instant::now();
    let mut child = cmd
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("{:?}: {e}", cmd.get_program()))?;
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0u64;
    loop {
        if let Ok(s) = std::fs::read_to_string(&status_file)
            && let Some(kib) = s
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            if !status.success() {
                return Err(format!("{:?} failed ({status})", cmd.get_program()));
            }
            return Ok((started.elapsed().as_secs_f64(), peak));
        }
        std::thread::sleep(std::time::Duration::from_millis(3));
    }
}

/// A query of N rows through `query_rows` and `domoctl query --csv`, each
/// against curl fetching the same reply on the same route: the JSON route
/// (`query_rows`, and `domoctl --csv --json-route` writing its rows as
/// CSV) and the CSV route (`domoctl --csv`), with the emulator's peak RSS
/// while it answers.
fn query_rows(
    o: &Options,
    dir: &Path,
    client: &Path,
    domoctl: &Path,
    emulator: &Emulator,
    report: &mut String,
) -> Result<(), String> {
    let url = emulator.url.as_str();
    let most = o.query_rows.iter().copied().max().unwrap_or(0);
    let id = load_rows(o, dir, client, url, most)?;
    let out = dir.join("query-out");
    let mut table = String::new();
    let _ = writeln!(
        table,
        "| query | JSON reply | JSON route: curl | `query_rows` | ratio | peak RSS | `domoctl --csv --json-route` | ratio | peak RSS | CSV route: curl | `domoctl --csv` | ratio | peak RSS | emulator RSS above idle |"
    );
    let _ = writeln!(
        table,
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    let domoctl_run = |sql: &str, extra: &[&str]| -> Result<Measure, String> {
        let file = std::fs::File::create(&out).map_err(|e| e.to_string())?;
        let (seconds, peak_rss_kib) = timed_rss(
            Command::new(domoctl)
                .args(["query", &id, sql, "--csv"])
                .args(extra)
                .env("DOMO_BASE_URL", url)
                .env("DOMO_TOKEN", TOKEN)
                .env_remove("DOMO_INSTANCE")
                .stdout(file),
        )?;
        Ok(Measure {
            seconds,
            peak_rss_kib,
        })
    };
    for &n in &o.query_rows {
        let sql = format!("SELECT * FROM table LIMIT {n}");
        eprintln!("bench: query of {n} rows");
        let (mut curl_json, mut curl_csv) = (Vec::new(), Vec::new());
        let (mut native, mut ctl_json, mut ctl_csv) = (Vec::new(), Vec::new(), Vec::new());
        let mut reply_bytes = 0u64;
        let idle = emulator.reset_peak();
        for _ in 0..o.runs {
            curl_json.push(
                curl_query(
                    url,
                    "/api/query/v1/execute/",
                    "application/json",
                    &id,
                    &sql,
                    dir,
                    &out,
                )?
                .ok_or("the JSON query route answered 404")?,
            );
            reply_bytes = std::fs::metadata(&out).map_err(|e| e.to_string())?.len();
            native.push(Measure::parse(&output(Command::new(client).args([
                "query-rows",
                url,
                TOKEN,
                &id,
                &sql,
                "0",
            ]))?)?);
            ctl_json.push(domoctl_run(&sql, &["--json-route"])?);
            curl_csv.push(
                curl_query(
                    url,
                    "/api/query/v1/execute/export/",
                    "text/csv",
                    &id,
                    &sql,
                    dir,
                    &out,
                )?
                .ok_or("the CSV query route answered 404")?,
            );
            ctl_csv.push(domoctl_run(&sql, &[])?);
        }
        let emulator_peak = emulator.peak_since(idle);
        let (json, csv) = (best_secs(&curl_json), best_secs(&curl_csv));
        let cell = |curl: f64, m: &[Measure]| {
            format!(
                "{:.2} s | {:.2}× | {:.1} MiB",
                best(m),
                curl / best(m),
                peak(m) as f64 / 1024.0
            )
        };
        let _ = writeln!(
            table,
            "| {n} rows | {:.1} MB | {json:.2} s | {} | {} | {csv:.2} s | {} | {emulator_peak} |",
            reply_bytes as f64 / 1e6,
            cell(json, &native),
            cell(json, &ctl_json),
            cell(csv, &ctl_csv),
        );
    }
    let _ = std::fs::remove_file(&out);
    let _ = write!(
        report,
        "## Queries\n\n`SELECT * FROM table LIMIT N` over the bench schema, best of {} runs, each one reply (the emulator streams it). Each client is set against curl saving the same reply from the same route: ratio = curl's wall time / the client's (target ≥ 0.9×); the client's peak RSS (target ≤ 64 MiB); the emulator's peak RSS while it answers every run of the row, above its RSS before them (target ≤ 256 MiB). `query_rows` decodes every row into values and drops it; `domoctl --csv` writes CSV to a file, from the JSON reply with `--json-route`.\n\n{table}",
        o.runs
    );
    Ok(())
}

/// A dataset of the bench schema holding `rows` rows (loaded untimed).
fn load_rows(
    o: &Options,
    dir: &Path,
    client: &Path,
    url: &str,
    rows: u64,
) -> Result<String, String> {
    let csv = dir.join(format!("query-{rows}.csv"));
    generate_csv(&csv, u64::MAX, Some(rows))?;
    let id = output(Command::new(client).args(["setup", url, TOKEN]))?
        .trim()
        .to_owned();
    eprintln!("bench: loading {rows} rows (untimed)");
    output(Command::new(client).args([
        "upload",
        url,
        TOKEN,
        &id,
        path_str(&csv)?,
        &o.part_size.to_string(),
        &o.concurrency.to_string(),
    ]))?;
    Ok(id)
}

/// The emulator on its own: a `GROUP BY` over [`GROUP_BY_ROWS`] rows (curl's
/// wall time to the end of the reply) and small GETs per second.
fn emulator_rows(
    o: &Options,
    dir: &Path,
    client: &Path,
    emulator: &Emulator,
    report: &mut String,
) -> Result<(), String> {
    let url = emulator.url.as_str();
    let id = load_rows(o, dir, client, url, GROUP_BY_ROWS)?;
    let out = dir.join("group-by-out");
    let sql = "SELECT day, COUNT(*) AS n, SUM(price) AS total, AVG(score) AS mean FROM table GROUP BY day ORDER BY day";
    let mut group_by = Vec::new();
    for _ in 0..o.runs {
        group_by.push(
            curl_query(
                url,
                "/api/query/v1/execute/",
                "application/json",
                &id,
                sql,
                dir,
                &out,
            )?
            .ok_or("the JSON query route answered 404")?,
        );
    }
    let _ = std::fs::remove_file(&out);
    let target = format!("{url}/api/data/v3/datasources/{id}");
    let (rps, generator) = small_gets(&target)?;
    let mut table = String::new();
    let _ = writeln!(table, "| measure | result | target |\n|---|---:|---:|");
    let _ = writeln!(
        table,
        "| `GROUP BY day` (336 groups) over {GROUP_BY_ROWS} rows | {:.2} s | ≤ 1 s |",
        best_secs(&group_by)
    );
    let _ = writeln!(
        table,
        "| `GET /api/data/v3/datasources/{{id}}`, {GET_CONNECTIONS} connections, {GET_SECONDS} s | {rps:.0} requests/s | ≥ 20,000 |"
    );
    let _ = write!(
        report,
        "\n## The emulator\n\n`GROUP BY`: best of {} runs, curl's wall time to the reply's end. Small GETs: {generator}, on the same cores as the emulator.\n\n{table}",
        o.runs
    );
    Ok(())
}

/// Requests per second of GETs of `url` over [`GET_CONNECTIONS`] kept-alive
/// connections, and what generated them: wrk when it is installed, else
/// one thread per connection here (which costs more CPU per request than
/// wrk, so it reads lower).
fn small_gets(url: &str) -> Result<(f64, &'static str), String> {
    let header = format!("X-DOMO-Developer-Token: {TOKEN}");
    if Command::new("wrk")
        .arg("--version")
        .output()
        .is_ok_and(|o| !o.stdout.is_empty() || !o.stderr.is_empty())
    {
        let text = output(Command::new("wrk").args([
            "-t2",
            &format!("-c{GET_CONNECTIONS}"),
            &format!("-d{GET_SECONDS}s"),
            "-H",
            &header,
            url,
        ]))?;
        let rps = text
            .lines()
            .find_map(|l| l.strip_prefix("Requests/sec:"))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .ok_or_else(|| format!("no Requests/sec in wrk's output: {text}"))?;
        if text.contains("Non-2xx") {
            return Err(format!("wrk saw failed requests: {text}"));
        }
        return Ok((rps, "wrk -t2 -c64"));
    }
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("not an http URL: {url}"))?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let request = format!("GET /{path} HTTP/1.1\r\nHost: {host}\r\n{header}\r\n\r\n");
    let deadline = Instant::now() + std::time::Duration::from_secs(GET_SECONDS);
    let workers: Vec<_> = (0..GET_CONNECTIONS)
        .map(|_| {
            let (host, request) = (host.to_owned(), request.clone());
            std::thread::spawn(move || get_loop(&host, request.as_bytes(), deadline))
        })
        .collect();
    let mut total = 0u64;
    for w in workers {
        total += w.join().map_err(|_| "a GET thread panicked")??;
    }
    Ok((
        total as f64 / GET_SECONDS as f64,
        "one thread per connection (wrk is not installed)",
    ))
}

/// GETs on one kept-alive connection until `deadline`; 200s answered.
fn get_loop(host: &str, request: &[u8], deadline: Instant) -> Result<u64, String> {
    let mut conn = std::net::TcpStream::connect(host).map_err(|e| e.to_string())?;
    conn.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut reader = BufReader::new(conn.try_clone().map_err(|e| e.to_string())?);
    let mut line = String::new();
    let mut body = Vec::new();
    let mut n = 0u64;
    while Instant::now() < deadline {
        conn.write_all(request).map_err(|e| e.to_string())?;
        line.clear();
        reader.read_line(&mut line).map_err(|e| e.to_string())?;
        if !line.starts_with("HTTP/1.1 200") {
            return Err(format!("GET answered {line:?}"));
        }
        let mut length = None;
        loop {
            line.clear();
            reader.read_line(&mut line).map_err(|e| e.to_string())?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse::<usize>().ok();
            }
        }
        let length = length.ok_or("a GET reply without Content-Length")?;
        body.resize(length, 0);
        reader.read_exact(&mut body).map_err(|e| e.to_string())?;
        n += 1;
    }
    Ok(n)
}

struct Measure {
    seconds: f64,
    peak_rss_kib: u64,
}

impl Measure {
    fn parse(line: &str) -> Result<Measure, String> {
        let field = |k: &str| -> Result<f64, String> {
            let start = line
                .find(&format!("\"{k}\":"))
                .ok_or_else(|| format!("no {k} in {line:?}"))?
                + k.len()
                + 3;
            let rest = &line[start..];
            let end = rest.find([',', '}']).unwrap_or(rest.len());
            rest[..end]
                .trim()
                .parse()
                .map_err(|_| format!("bad {k} in {line:?}"))
        };
        Ok(Measure {
            seconds: field("seconds")?,
            peak_rss_kib: field("peak_rss_kib")? as u64,
        })
    }
}

fn best(m: &[Measure]) -> f64 {
    m.iter().map(|m| m.seconds).fold(f64::INFINITY, f64::min)
}

fn best_secs(s: &[f64]) -> f64 {
    s.iter().copied().fold(f64::INFINITY, f64::min)
}

fn peak(m: &[Measure]) -> u64 {
    m.iter().map(|m| m.peak_rss_kib).max().unwrap_or(0)
}

pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().map_err(|_| {
        format!("bad size {s:?}: expected a number with an optional unit (200MB, 2GB, 32MiB)")
    })?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        "kib" => 1024.0,
        "mib" => MIB,
        "gib" => MIB * 1024.0,
        other => {
            return Err(format!(
                "bad size unit {other:?} in {s:?} (B, kB, MB, GB, KiB, MiB, GiB)"
            ));
        }
    };
    Ok((n * mult) as u64)
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn path_str(p: &Path) -> Result<&str, String> {
    p.to_str()
        .ok_or_else(|| format!("path {} is not UTF-8", p.display()))
}

fn ensure_curl() -> Result<(), String> {
    if Command::new("curl")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return Ok(());
    }
    run(
        "apt-get update",
        Command::new("apt-get").args(["update", "-qq"]),
    )?;
    run(
        "apt-get install curl",
        Command::new("apt-get").args(["install", "-y", "-qq", "curl"]),
    )
}

/// Deterministic rows of the bench schema until `size` bytes (or `rows`
/// rows); kept between runs when it is already there.
fn generate_csv(path: &Path, size: u64, rows: Option<u64>) -> Result<(), String> {
    let done = std::fs::metadata(path).is_ok_and(|m| match rows {
        // A row-counted file is written whole or removed.
        Some(_) => m.len() > 0,
        None => m.len() >= size && m.len() < size + 200,
    });
    if done {
        return Ok(());
    }
    eprintln!("bench: generating {}", path.display());
    let partial = path.with_extension("partial");
    let file = std::fs::File::create(&partial)
        .map_err(|e| format!("cannot create {}: {e}", partial.display()))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let mut written = 0u64;
    let mut i = 0u64;
    let mut line = String::new();
    while written < size && rows.is_none_or(|r| i < r) {
        line.clear();
        let name = match i % 4 {
            0 => format!("plain {i}"),
            1 => format!("\"comma, {i}\""),
            2 => format!("\"quote \"\"{i}\"\"\""),
            _ => format!("\"line\nbreak {i}\""),
        };
        let _ = writeln!(
            line,
            "{i},{name},{}.5,{}.25,2024-{:02}-{:02},2024-01-02T03:04:{:02}",
            i % 1000,
            i * 3,
            i % 12 + 1,
            i % 28 + 1,
            i % 60
        );
        w.write_all(line.as_bytes()).map_err(|e| e.to_string())?;
        written += line.len() as u64;
        i += 1;
    }
    w.flush().map_err(|e| e.to_string())?;
    drop(w);
    std::fs::rename(&partial, path).map_err(|e| e.to_string())
}

struct Emulator {
    child: Child,
    url: String,
}

impl Emulator {
    fn start(bin: &Path) -> Result<Emulator, String> {
        Emulator::start_with(bin, &[])
    }

    fn start_with(bin: &Path, args: &[&str]) -> Result<Emulator, String> {
        let mut child = Command::new(bin)
            .args(["--addr", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let mut first = String::new();
        let stdout = child.stdout.take().ok_or("no emulator stdout")?;
        BufReader::new(stdout)
            .read_line(&mut first)
            .map_err(|e| e.to_string())?;
        let url = first
            .trim()
            .strip_prefix("listening on ")
            .ok_or_else(|| format!("unexpected emulator output {first:?}"))?
            .to_owned();
        Ok(Emulator { child, url })
    }
}

impl Emulator {
    fn status_kib(&self, field: &str) -> Option<u64> {
        let s = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        s.lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    }

    /// Starts a new peak: resets the emulator's VmHWM to its current RSS
    /// (`/proc/PID/clear_refs`), returning that RSS in KiB.
    fn reset_peak(&self) -> Option<u64> {
        std::fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5").ok()?;
        self.status_kib("VmRSS")
    }

    /// The peak RSS since `reset_peak`, above the RSS it returned.
    fn peak_since(&self, idle: Option<u64>) -> String {
        match (idle, self.status_kib("VmHWM")) {
            (Some(idle), Some(peak)) => format!(
                "{:.1} MiB (peak {:.1} MiB)",
                peak.saturating_sub(idle) as f64 / 1024.0,
                peak as f64 / 1024.0
            ),
            _ => "(no /proc)".to_owned(),
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn output(cmd: &mut Command) -> Result<String, String> {
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("{cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{:?} failed ({})", cmd.get_program(), out.status));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn timed(cmd: &mut Command) -> Result<f64, String> {
    let started = Instant::now();
    let status = cmd
        .status()
        .map_err(|e| format!("{:?}: {e}", cmd.get_program()))?;
    if !status.success() {
        return Err(format!("{:?} failed ({status})", cmd.get_program()));
    }
    Ok(started.elapsed().as_secs_f64())
}

/// Write the parts the client would send as files, for curl (untimed).
fn cut_parts(
    client: &Path,
    csv: &Path,
    part_size: u64,
    dir: &Path,
) -> Result<Vec<PathBuf>, String> {
    let plan = output(Command::new(client).args(["plan", path_str(csv)?, &part_size.to_string()]))?;
    let parts_dir = dir.join("parts");
    let _ = std::fs::remove_dir_all(&parts_dir);
    std::fs::create_dir_all(&parts_dir).map_err(|e| e.to_string())?;
    let mut src = std::fs::File::open(csv).map_err(|e| e.to_string())?;
    let mut parts = Vec::new();
    for (i, line) in plan.lines().enumerate() {
        let mut nums = line.split_whitespace().map(|n| n.parse::<u64>());
        let (Some(Ok(offset)), Some(Ok(len))) = (nums.next(), nums.next()) else {
            return Err(format!("bad plan line {line:?}"));
        };
        let path = parts_dir.join(format!("part-{}.csv", i + 1));
        src.seek(SeekFrom::Start(offset))
            .map_err(|e| e.to_string())?;
        let mut out = std::fs::File::create(&path).map_err(|e| e.to_string())?;
        std::io::copy(&mut (&mut src).take(len), &mut out).map_err(|e| e.to_string())?;
        parts.push(path);
    }
    Ok(parts)
}

/// The three-stage upload with curl: start, every part with `--parallel`
/// at the same concurrency, commit. Returns the wall time.
fn curl_upload(url: &str, id: &str, parts: &[PathBuf], concurrency: u32) -> Result<f64, String> {
    let auth = format!("X-DOMO-Developer-Token: {TOKEN}");
    let base = format!("{url}/api/data/v3/datasources/{id}/uploads");
    let started = Instant::now();
    let start = output(Command::new("curl").args([
        "-sS",
        "--fail",
        "-H",
        &auth,
        "-H",
        "Content-Type: application/json",
        "-d",
        r#"{"action":null,"appendId":null}"#,
        &base,
    ]))?;
    let upload_id: String = start
        .split("\"uploadId\":")
        .nth(1)
        .map(|r| r.chars().take_while(|c| c.is_ascii_digit()).collect())
        .ok_or_else(|| format!("no uploadId in {start:?}"))?;
    let mut put = Command::new("curl");
    put.args([
        "-sS",
        "--fail",
        "--parallel",
        "--parallel-max",
        &concurrency.to_string(),
        "-H",
        &auth,
        "-H",
        "Content-Type: text/csv",
    ]);
    for (i, p) in parts.iter().enumerate() {
        put.args([
            "-T",
            path_str(p)?,
            &format!("{base}/{upload_id}/parts/{}", i + 1),
        ]);
    }
    output(&mut put)?;
    output(Command::new("curl").args([
        "-sS",
        "--fail",
        "-X",
        "PUT",
        "-H",
        &auth,
        "-H",
        "Content-Type: application/json",
        "-d",
        r#"{"action":"REPLACE","index":true}"#,
        &format!("{base}/{upload_id}/commit"),
    ]))?;
    Ok(started.elapsed().as_secs_f64())
}

/// The OAuth client `--peers` gives the emulator (user 1, every scope):
/// domoctl and pydomo both use it.
const PEER_CLIENT: (&str, &str) = ("bench-client", "bench-secret-4242");

/// `--peers`: the same CSV through domoctl and through the Python
/// libraries people use today, against one emulator: domoctl on the public
/// API (client credentials) beside pydomo (`ds_update` of a DataFrame read
/// from the file, `ds_get`, `ds_query`), and domoctl on the product API
/// beside domolibrary's `upload_data`. Wall time and peak RSS of each
/// process, best of the runs. Skipped, saying so, without python3.
fn peer_rows(o: &Options, dir: &Path, bin: &Path, report: &mut String) -> Result<(), String> {
    let python = Command::new("python3")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !python {
        eprintln!(
            "bench: --peers skipped: python3 is not installed (pydomo and domolibrary are Python)"
        );
        report.push_str("## Peers\n\nSkipped: python3 is not installed.\n");
        return Ok(());
    }
    let pydomo = crate::pydomo::venv("pydomo-venv", &crate::pydomo::PACKAGES)?;
    let domolibrary = crate::pydomo::venv("domolibrary-venv", &crate::domolibrary::PACKAGES)?;
    let client_spec = format!("{}:{}:1", PEER_CLIENT.0, PEER_CLIENT.1);
    let emulator = Emulator::start_with(&bin.join("domo-emulator"), &["--client", &client_spec])?;
    let url = emulator.url.as_str();
    let host = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("the emulator's address {url} is not http://"))?;
    let csv = dir.join(format!("data-{}.csv", o.size));
    generate_csv(&csv, o.size, None)?;
    let csv = path_str(&csv)?;
    let size = std::fs::metadata(csv).map_err(|e| e.to_string())?.len() as f64;
    let setup = || -> Result<String, String> {
        Ok(
            output(Command::new(bin.join("domo-bench")).args(["setup", url, TOKEN]))?
                .trim()
                .to_owned(),
        )
    };
    // One dataset each: pydomo's ds_update rewrites the schema to what
    // pandas inferred.
    let (ours, theirs, ours_product, domolib) = (setup()?, setup()?, setup()?, setup()?);
    let script = workspace_root().join("xtask/bench/peers.py");
    let script = path_str(&script)?.to_owned();
    let no_profiles = dir.join("no-profiles");
    let domoctl = |public: bool, args: &[&str]| {
        let mut c = Command::new(bin.join("domoctl"));
        c.args(args)
            .env("DOMO_BASE_URL", url)
            .env("XDG_CONFIG_HOME", &no_profiles)
            .env_remove("DOMO_INSTANCE")
            .env_remove("DOMO_PROFILE")
            .env_remove("DOMO_TOKEN")
            .env_remove("DOMO_CLIENT_ID")
            .env_remove("DOMO_CLIENT_SECRET")
            .stdout(Stdio::null());
        if public {
            c.env("DOMO_CLIENT_ID", PEER_CLIENT.0)
                .env("DOMO_CLIENT_SECRET", PEER_CLIENT.1);
        } else {
            c.env("DOMO_TOKEN", TOKEN);
        }
        c
    };
    let peer = |python: &Path, args: &[&str]| {
        let mut c = Command::new(python);
        c.arg(&script).args(args).stdout(Stdio::null());
        c
    };
    let (id, secret) = PEER_CLIENT;
    let best_of = |make: &dyn Fn() -> Command| -> Result<(f64, u64), String> {
        let mut best: Option<(f64, u64)> = None;
        for _ in 0..o.runs {
            let (secs, kib) = timed_rss(&mut make())?;
            best = Some(match best {
                Some((b, k)) => (b.min(secs), k.max(kib)),
                None => (secs, kib),
            });
        }
        best.ok_or_else(|| "--runs must be at least 1".to_owned())
    };
    let sql = "SELECT * FROM table";
    eprintln!(
        "bench: peers, {:.0} MB CSV, best of {} runs",
        size / 1e6,
        o.runs
    );
    let rows = [
        (
            "upload, public API (REPLACE)",
            "pydomo `ds_update`",
            best_of(&|| domoctl(true, &["upload", &ours, csv, "--replace"]))?,
            best_of(&|| peer(&pydomo, &["pydomo-upload", host, id, secret, &theirs, csv]))?,
        ),
        (
            "export, public API",
            "pydomo `ds_get`",
            best_of(&|| domoctl(true, &["export", &ours, "--output", "/dev/null"]))?,
            best_of(&|| peer(&pydomo, &["pydomo-export", host, id, secret, &theirs]))?,
        ),
        (
            "query `SELECT *`, public API",
            "pydomo `ds_query`",
            best_of(&|| domoctl(true, &["query", &ours, sql, "--csv"]))?,
            best_of(&|| peer(&pydomo, &["pydomo-query", host, id, secret, &theirs, sql]))?,
        ),
        (
            "upload, product API (REPLACE)",
            "domolibrary `upload_data`",
            best_of(&|| domoctl(false, &["upload", &ours_product, csv, "--replace"]))?,
            best_of(&|| {
                peer(
                    &domolibrary,
                    &["domolibrary-upload", url, TOKEN, &domolib, csv],
                )
            })?,
        ),
    ];
    drop(emulator);
    let mut table = String::from(
        "| operation | domoctl | peak RSS | peer | peer's time | peer's peak RSS | domoctl's speed-up |\n|---|---:|---:|---|---:|---:|---:|\n",
    );
    for (what, who, (ours_s, ours_kib), (theirs_s, theirs_kib)) in rows {
        let _ = writeln!(
            table,
            "| {what} | {ours_s:.2} s | {:.1} MiB | {who} | {theirs_s:.2} s | {:.1} MiB | {:.2}× |",
            ours_kib as f64 / 1024.0,
            theirs_kib as f64 / 1024.0,
            theirs_s / ours_s
        );
    }
    let _ = write!(
        report,
        "## Peers\n\nThe same {:.1} MB CSV (the bench schema, no header) against one emulator on 127.0.0.1, best of {} runs; {} CPU cores. domoctl with client credentials beside pydomo ({}), and with a developer token beside domolibrary ({}); each library used as its users write it (the CSV read into a pandas DataFrame). Time is the process's wall time, start-up included; peak RSS from /proc (VmHWM).\n\n{table}",
        size / 1e6,
        o.runs,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        crate::pydomo::PACKAGES[0],
        crate::domolibrary::PACKAGES[0],
    );
    Ok(())
}
