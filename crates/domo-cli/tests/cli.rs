//! The `domoctl` binary driven as a process against an in-process emulator
//! (127.0.0.1, a free port), one emulator per test. Every run checks that
//! the token it was given appears in neither stdout nor stderr.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use domo_emulator::{EmulatorConfig, RunningEmulator};
use serde_json::Value;

/// Distinctive, so that any leak is found by a plain substring search.
const TOKEN: &str = "cli-test-token-5f3a9c1e";
/// A second user (id 2) the emulator knows.
const OTHER_TOKEN: &str = "cli-other-token-77aa01";
/// An OAuth client of the public API acting as user 1, every scope.
const CLIENT_ID: &str = "cli-client";
const CLIENT_SECRET: &str = "cli-client-secret-0c4e1b";

struct Emulator {
    // Dropped first: stops the server while its runtime still exists.
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
            EmulatorConfig::ephemeral()
                .with_token(TOKEN, 1)
                .with_token(OTHER_TOKEN, 2)
                .with_client(CLIENT_ID, CLIENT_SECRET, 1),
        ))
        .expect("the emulator starts");
    Emulator {
        url: server.url().to_owned(),
        server: Some(server),
        _runtime: runtime,
    }
}

#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn ok(self) -> Run {
        assert_eq!(self.code, 0, "expected success: {self:#?}");
        assert!(
            self.stderr.is_empty() || !self.stderr.contains("error"),
            "{self:#?}"
        );
        self
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }

    /// Fails with exit code `code` and one `error: ` line naming `needles`.
    fn fails(&self, code: i32, needles: &[&str]) {
        assert_eq!(self.code, code, "{self:#?}");
        assert!(self.stderr.starts_with("error: "), "{self:#?}");
        for n in needles {
            assert!(
                self.stderr.contains(n),
                "stderr lacks {n:?}: {}",
                self.stderr
            );
        }
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("RUST_BACKTRACE"),
            "{self:#?}"
        );
    }
}

/// Runs `domoctl ARGS` with the emulator's URL and `token` in the
/// environment, `stdin` as its input.
fn domoctl_as(url: &str, token: Option<&str>, args: &[&str], stdin: &[u8]) -> Run {
    let env: Vec<(&str, &str)> = token.map(|t| ("DOMO_TOKEN", t)).into_iter().collect();
    domoctl_env(url, &env, args, stdin)
}

/// domoctl with `env` set over a clean connection environment (no
/// instance, token, client or profile of the person running the tests).
fn domoctl_env(url: &str, env: &[(&str, &str)], args: &[&str], stdin: &[u8]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_domoctl"));
    cmd.args(args)
        .env_remove("DOMO_INSTANCE")
        .env_remove("DOMO_TOKEN")
        .env_remove("DOMO_CLIENT_ID")
        .env_remove("DOMO_CLIENT_SECRET")
        // No saved profile of the person running the tests takes part.
        .env_remove("DOMO_PROFILE")
        .env("XDG_CONFIG_HOME", "/nonexistent/domoctl-tests")
        .env("DOMO_BASE_URL", url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("domoctl runs");
    {
        let mut input = child.stdin.take().expect("stdin");
        input.write_all(stdin).expect("stdin takes the input");
    }
    let out = child.wait_with_output().expect("domoctl ends");
    let run = Run {
        code: out.status.code().expect("an exit code, not a signal"),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    };
    let given = env
        .iter()
        .filter(|(k, _)| ["DOMO_TOKEN", "DOMO_CLIENT_SECRET"].contains(k))
        .map(|(_, v)| *v);
    for secret in [TOKEN, OTHER_TOKEN, CLIENT_SECRET].into_iter().chain(given) {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "the token leaked: {run:#?}"
        );
    }
    run
}

fn domoctl(emu: &Emulator, args: &[&str]) -> Run {
    domoctl_as(&emu.url, Some(TOKEN), args, b"")
}

fn domoctl_stdin(emu: &Emulator, args: &[&str], stdin: &[u8]) -> Run {
    domoctl_as(&emu.url, Some(TOKEN), args, stdin)
}

/// Creates a dataset through the CLI and returns its id.
fn create(emu: &Emulator, name: &str, columns: &[&str]) -> String {
    let mut args = vec!["dataset", "create", name, "--json"];
    for c in columns {
        args.extend(["--column", c]);
    }
    let stream = domoctl(emu, &args).ok().json();
    stream["datasetId"]
        .as_str()
        .expect("the reply names the dataset")
        .to_owned()
}

/// CSV (header included) in the form the emulator exports: quoting only
/// where needed, `\N` for null, canonical numbers and dates.
fn sample_csv(rows: u32) -> String {
    let mut s = String::from("id,name,amount,day\n");
    for i in 1..=rows {
        let name = match i % 4 {
            0 => format!("plain {i}"),
            1 => format!("\"comma, {i}\""),
            2 => format!("\"quote \"\"{i}\"\"\""),
            _ => format!("\"line\nbreak {i}\""),
        };
        let amount = if i % 7 == 0 {
            "\\N".to_owned()
        } else {
            format!("{}.25", i * 3)
        };
        s.push_str(&format!(
            "{i},{name},{amount},2024-{:02}-{:02}\n",
            i % 12 + 1,
            i % 28 + 1
        ));
    }
    s
}

const SAMPLE_COLUMNS: [&str; 4] = ["id:LONG", "name:string", "amount:Decimal", "day:DATE"];

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write a test file");
    path.to_str().expect("utf-8 path").to_owned()
}

#[test]
fn dataset_create_get_schema_in_every_format() {
    let emu = emulator();
    let id = create(&emu, "Sales", &SAMPLE_COLUMNS);

    let ds = domoctl(&emu, &["dataset", "get", &id, "--json"])
        .ok()
        .json();
    assert_eq!(ds["id"], id.as_str());
    assert_eq!(ds["name"], "Sales");
    assert_eq!(ds["columnCount"], 4);

    let table = domoctl(&emu, &["dataset", "get", &id]).ok().stdout;
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("name") && l.ends_with("Sales")),
        "{table}"
    );
    let csv = domoctl(&emu, &["dataset", "get", &id, "--csv"]).ok().stdout;
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with("id,name,"), "{csv}");
    assert!(
        lines.next().unwrap().starts_with(&format!("{id},Sales,")),
        "{csv}"
    );

    let schema = domoctl(&emu, &["dataset", "schema", &id, "--json"])
        .ok()
        .json();
    let names: Vec<&str> = schema["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["id", "name", "amount", "day"]);
    assert_eq!(schema["columns"][2]["type"], "DECIMAL");
    let latest = domoctl(
        &emu,
        &["dataset", "schema", &id, "--form", "latest", "--json"],
    )
    .ok()
    .json();
    assert_eq!(latest, schema, "latest is the default form");
    let documented = domoctl(
        &emu,
        &["dataset", "schema", &id, "--form", "documented", "--json"],
    )
    .ok()
    .json();
    assert_eq!(documented["columns"][3]["type"], "DATE");
    let indexed = domoctl(
        &emu,
        &["dataset", "schema", &id, "--form", "indexed", "--json"],
    )
    .ok()
    .json();
    assert_eq!(indexed["columns"][0]["name"], "id");
    // Only the indexed route hides columns.
    domoctl(&emu, &["dataset", "schema", &id, "--include-hidden"])
        .fails(2, &["--include-hidden goes with --form indexed"]);
    let csv = domoctl(&emu, &["dataset", "schema", &id, "--csv"])
        .ok()
        .stdout;
    assert_eq!(
        csv,
        "name,type,key,description\nid,LONG,,\nname,STRING,,\namount,DECIMAL,,\nday,DATE,,\n"
    );
    let table = domoctl(&emu, &["dataset", "schema", &id]).ok().stdout;
    assert!(
        table.starts_with(
            "name    type     key  description\n------  -------  ---  -----------\nid      LONG\n"
        ),
        "{table}"
    );

    // stdout is not a terminal here: only the id, for scripts.
    let created = domoctl(&emu, &["dataset", "create", "Other", "-c", "x:datetime"]).ok();
    let other = created.stdout.trim_end();
    assert!(!other.is_empty() && !other.contains(' '), "{created:#?}");
    let ds = domoctl(&emu, &["dataset", "get", other, "--json"])
        .ok()
        .json();
    assert_eq!(ds["name"], "Other");
}

#[test]
fn dataset_life_cycle_list_search_rename_alter_upsert_delete() {
    let emu = emulator();
    let dir = tempfile::tempdir().unwrap();
    // Without a stream: the id alone on stdout (not a terminal).
    let id = domoctl(
        &emu,
        &[
            "dataset",
            "create",
            "Regional Sales",
            "--no-stream",
            "-c",
            "id:LONG",
            "-c",
            "region:STRING",
            "-c",
            "amount:STRING",
        ],
    )
    .ok()
    .stdout
    .trim_end()
    .to_owned();
    let created = domoctl(
        &emu,
        &[
            "dataset",
            "create",
            "Costs",
            "--no-stream",
            "-c",
            "x:LONG",
            "--json",
        ],
    )
    .ok()
    .json();
    let costs = created["datasetId"]
        .as_str()
        .expect("the reply names the new dataset")
        .to_owned();

    // List: both, as JSON and as a table with the promised columns.
    let listed = domoctl(&emu, &["dataset", "list", "--json"]).ok().json();
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&id.as_str()) && ids.contains(&costs.as_str()),
        "{listed}"
    );
    let table = domoctl(&emu, &["dataset", "list"]).ok().stdout;
    assert!(
        table.starts_with("id")
            && ["name", "rows", "columns", "owner", "updated"]
                .iter()
                .all(|c| table.lines().next().unwrap().contains(c)),
        "{table}"
    );
    let one = domoctl(&emu, &["dataset", "list", "--limit", "1", "--json"])
        .ok()
        .json();
    assert_eq!(one.as_array().unwrap().len(), 1, "{one}");
    // Search: wildcards, any case; owner filter.
    let hits = domoctl(&emu, &["dataset", "list", "--search", "regional", "--json"])
        .ok()
        .json();
    let hits = hits.as_array().unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0]["databaseId"], id.as_str());
    // --full: the UI's route, whole datasets.
    let whole = domoctl(
        &emu,
        &[
            "dataset", "list", "--search", "regional", "--full", "--json",
        ],
    )
    .ok()
    .json();
    assert_eq!(whole[0]["id"], id.as_str(), "{whole}");
    assert!(whole[0]["columnCount"].is_number(), "{whole}");
    let none = domoctl(
        &emu,
        &["dataset", "list", "--search", "nothing*like*it", "--json"],
    )
    .ok()
    .json();
    assert_eq!(none.as_array().unwrap().len(), 0);
    let mine = domoctl(&emu, &["dataset", "list", "--owner", "1", "--json"])
        .ok()
        .json();
    assert_eq!(mine.as_array().unwrap().len(), 2, "{mine}");
    let theirs = domoctl(&emu, &["dataset", "list", "--owner", "2", "--json"])
        .ok()
        .json();
    assert_eq!(theirs.as_array().unwrap().len(), 0, "{theirs}");

    // Rename and describe.
    let renamed = domoctl(&emu, &["dataset", "rename", &id, "Sales by region"]).ok();
    assert!(renamed.stdout.contains("Sales by region"), "{renamed:#?}");
    domoctl(&emu, &["dataset", "describe", &id, "one row per order"]).ok();
    let ds = domoctl(&emu, &["dataset", "get", &id, "--json"])
        .ok()
        .json();
    assert_eq!(ds["name"], "Sales by region");
    assert_eq!(ds["description"], "one row per order");

    // Alter: a key, a rename, a type change, an added column.
    let csv = write(
        dir.path(),
        "first.csv",
        "id,region,amount\n1,east,10\n2,west,20\n3,north,30\n",
    );
    let up = domoctl(&emu, &["upload", &id, &csv, "--replace"]).ok();
    assert!(up.stdout.contains("verified 3 rows in version"), "{up:#?}");
    let altered = domoctl(
        &emu,
        &[
            "dataset",
            "alter",
            &id,
            "--key",
            "id",
            "--rename",
            "amount=amt",
            "--type",
            "amt:LONG",
            "--add",
            "note:STRING",
            "--json",
        ],
    )
    .ok()
    .json();
    assert_eq!(altered["columns"][0]["upsertKey"], true, "{altered}");
    let schema = domoctl(&emu, &["dataset", "schema", &id, "--csv"])
        .ok()
        .stdout;
    assert_eq!(
        schema,
        "name,type,key,description\nid,LONG,upsert key,\nregion,STRING,,\namt,LONG,,\nnote,STRING,,\n"
    );
    // A type change that would lose a value: refused, nothing changes.
    domoctl(&emu, &["dataset", "alter", &id, "--type", "region:LONG"])
        .fails(1, &["region", "east"]);
    let after = domoctl(&emu, &["dataset", "schema", &id, "--csv"])
        .ok()
        .stdout;
    assert_eq!(after, schema);
    // A flag naming no column is refused before anything is sent.
    domoctl(&emu, &["dataset", "alter", &id, "--key", "idd"])
        .fails(2, &["--key idd", "id, region, amt, note"]);

    // Upsert: a key seen twice in one upload keeps its last row.
    let changes = write(
        dir.path(),
        "changes.csv",
        "id,region,amt,note\n2,west,25,first\n4,south,40,new\n2,west,26,last\n",
    );
    let up = domoctl(&emu, &["upload", &id, &changes, "--upsert", "--json"])
        .ok()
        .json();
    assert_eq!(up["action"], "UPSERT");
    assert_eq!(up["rows"], 3);
    assert!(up["versionId"].is_string(), "{up}");
    let rows = domoctl(
        &emu,
        &[
            "query",
            &id,
            "SELECT id, amt, note FROM table ORDER BY id",
            "--csv",
        ],
    )
    .ok()
    .stdout;
    assert_eq!(
        rows,
        "id,amt,note\n1,10,\\N\n2,26,last\n3,30,\\N\n4,40,new\n"
    );
    // Upsert into a dataset without keys: refused before sending.
    domoctl(&emu, &["upload", &costs, &changes, "--upsert"]).fails(2, &["upsert key"]);

    // Delete: refused without --yes when stdin is not a terminal.
    domoctl(&emu, &["dataset", "delete", &id]).fails(2, &["--yes", "Sales by region"]);
    let deleted = domoctl(&emu, &["dataset", "delete", &id, "--yes", "--json"])
        .ok()
        .json();
    assert_eq!(deleted["deleted"], true);
    assert_eq!(deleted["name"], "Sales by region");
    domoctl(&emu, &["dataset", "get", &id]).fails(1, &["not found", &id]);
    let listed = domoctl(&emu, &["dataset", "list", "--json"]).ok().json();
    assert!(!listed.to_string().contains(&id), "{listed}");
}

#[test]
fn upload_through_a_stream_execution_and_whoami() {
    let emu = emulator();
    let dir = tempfile::tempdir().unwrap();
    let created = domoctl(
        &emu,
        &[
            "stream",
            "create",
            "--name",
            "Feed",
            "-c",
            "a:LONG",
            "-c",
            "b:STRING",
            "--update-method",
            "APPEND",
            "--json",
        ],
    )
    .ok()
    .json();
    let sid = created["id"].to_string();
    let dataset = created["dataSource"]["id"].as_str().unwrap().to_owned();
    let csv = write(dir.path(), "feed.csv", "a,b\n1,x\n2,y\n");
    for _ in 0..2 {
        let up = domoctl(
            &emu,
            &["upload", "--stream", &sid, &csv, "--part-size", "4"],
        )
        .ok();
        assert!(
            up.stdout.contains(&format!("to stream {sid} (APPEND)"))
                && up.stdout.contains("verified 2 rows in version"),
            "{up:#?}"
        );
    }
    let count = domoctl(
        &emu,
        &[
            "query",
            &dataset,
            "SELECT COUNT(*) AS n FROM table",
            "--csv",
        ],
    )
    .ok()
    .stdout;
    assert_eq!(count, "n\n4\n");
    let history = domoctl(&emu, &["stream", "history", &sid, "--json"])
        .ok()
        .json();
    assert!(history.to_string().contains("SUCCESS"), "{history}");
    // A dataset id and --stream together: the stream names the dataset.
    domoctl(&emu, &["upload", &dataset, &csv, "--stream", &sid]).fails(2, &["--stream"]);

    let me = domoctl(&emu, &["whoami", "--json"]).ok().json();
    assert_eq!(me["user"]["id"].to_string().trim_matches('"'), "1");
    assert_eq!(
        me["instance"].as_str().unwrap().trim_end_matches('/'),
        emu.url.trim_end_matches('/')
    );
    let table = domoctl_as(&emu.url, Some(OTHER_TOKEN), &["whoami"], b"")
        .ok()
        .stdout;
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("id") && l.trim_end().ends_with('2')),
        "{table}"
    );
}

#[test]
fn upload_with_a_header_then_export_gives_back_the_input() {
    let emu = emulator();
    let dir = tempfile::tempdir().unwrap();
    let id = create(&emu, "Round trip", &SAMPLE_COLUMNS);
    let input = sample_csv(400);
    let file = write(dir.path(), "in.csv", &input);

    // Small parts so that the upload really is cut in several.
    let up = domoctl(
        &emu,
        &[
            "upload",
            &id,
            &file,
            "--part-size",
            "4kB",
            "--concurrency",
            "3",
            "--json",
        ],
    )
    .ok();
    assert!(
        up.stderr.is_empty(),
        "no progress without a terminal: {up:#?}"
    );
    let report = up.json();
    assert_eq!(report["rows"], 400);
    assert_eq!(report["action"], "REPLACE");
    let header_len = input.find('\n').unwrap() + 1;
    let data_bytes = (input.len() - header_len) as u64;
    assert_eq!(report["bytes"], data_bytes);
    // Parts end on the first record boundary past 4 kB.
    assert!(
        report["parts"].as_u64().unwrap() >= data_bytes / 4000,
        "{report}"
    );
    assert!(report["parts"].as_u64().unwrap() >= 3, "{report}");

    let exported = domoctl(&emu, &["export", &id]).ok();
    assert_eq!(exported.stdout, input);
    assert!(exported.stderr.is_empty(), "{exported:#?}");

    let out = dir.path().join("out.csv");
    let to_file = domoctl(&emu, &["export", &id, "-o", out.to_str().unwrap()]).ok();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), input);
    assert!(to_file.stdout.is_empty());
    assert!(to_file.stderr.contains("exported"), "{to_file:#?}");

    let bare = domoctl(&emu, &["export", &id, "--no-header"]).ok();
    assert_eq!(bare.stdout, input[header_len..]);

    // The people's summary and the CSV summary.
    let again = domoctl(&emu, &["upload", &id, &file, "--append"]).ok();
    assert!(
        again.stdout.starts_with("uploaded 400 rows (") && again.stdout.contains("(APPEND)"),
        "{again:#?}"
    );
    let ds = domoctl(&emu, &["dataset", "get", &id, "--json"])
        .ok()
        .json();
    assert_eq!(ds["rowCount"], 800);
    let csv = domoctl(
        &emu,
        &["upload", &id, &file, "--header", "yes", "--gzip", "--csv"],
    )
    .ok();
    let mut lines = csv.stdout.lines();
    assert_eq!(
        lines.next(),
        Some("dataset,action,upload,parts,rows,bytes,seconds,verified_rows,version")
    );
    assert!(lines.next().unwrap().starts_with(&format!("{id},REPLACE,")));

    // Versions: one per committed upload.
    let versions = domoctl(&emu, &["dataset", "versions", &id, "--json"])
        .ok()
        .json();
    let versions = versions.as_array().unwrap();
    assert_eq!(versions.len(), 3);
    assert_eq!(versions[0]["rowCount"], 400);
    let table = domoctl(&emu, &["dataset", "versions", &id]).ok().stdout;
    assert!(table.starts_with("version  status"), "{table}");
    assert_eq!(table.lines().count(), 2 + 3);
}

#[test]
fn upload_from_stdin_into_partitions_then_list_search_delete() {
    let emu = emulator();
    let id = create(&emu, "Parts", &["id:LONG", "v:STRING"]);
    for (tag, rows) in [("2024-01", "1,a\n2,b\n"), ("2024-02", "3,c\n")] {
        domoctl_stdin(
            &emu,
            &[
                "upload",
                &id,
                "-",
                "--append",
                "--partition",
                tag,
                "--header",
                "no",
            ],
            rows.as_bytes(),
        )
        .ok();
    }
    // With a header row on stdin, detected.
    domoctl_stdin(
        &emu,
        &["upload", &id, "-", "--append", "--partition", "2024-03"],
        b"id,v\n4,d\n5,e\n6,f\n",
    )
    .ok();

    let list = domoctl(&emu, &["partitions", "list", &id, "--json"])
        .ok()
        .json();
    let mut tags: Vec<(&str, u64)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["partitionId"].as_str().unwrap(),
                p["rowCount"].as_u64().unwrap(),
            )
        })
        .collect();
    tags.sort();
    assert_eq!(tags, [("2024-01", 2), ("2024-02", 1), ("2024-03", 3)]);

    let found = domoctl(&emu, &["partitions", "search", &id, "rowCount=1", "--json"])
        .ok()
        .json();
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["partitionId"], "2024-02");
    let found = domoctl(
        &emu,
        &[
            "partitions",
            "search",
            &id,
            "--filter",
            r#"{"partitionId": "2024-03"}"#,
            "--csv",
        ],
    )
    .ok();
    assert!(
        found
            .stdout
            .starts_with("partition,status,rows,version,completed\n2024-03,"),
        "{found:#?}"
    );
    assert_eq!(found.stdout.lines().count(), 2);
    domoctl(&emu, &["partitions", "search", &id, "--filter", "[1]"]).fails(2, &["JSON object"]);

    let deleted = domoctl(
        &emu,
        &["partitions", "delete", &id, "2024-01", "--data-only"],
    )
    .ok();
    assert!(
        deleted
            .stdout
            .contains("deleted the data of partition 2024-01"),
        "{deleted:#?}"
    );
    let rows = domoctl(
        &emu,
        &["query", &id, "SELECT COUNT(*) AS n FROM table", "--json"],
    )
    .ok()
    .json();
    assert_eq!(rows["rows"][0][0], 4);

    let gone = domoctl(
        &emu,
        &["partitions", "delete", &id, "2024-01", "2024-02", "--json"],
    )
    .ok()
    .json();
    assert_eq!(gone["deleted"], serde_json::json!(["2024-01", "2024-02"]));
    let list = domoctl(&emu, &["partitions", "list", &id, "--json"])
        .ok()
        .json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["partitionId"], "2024-03");
    let table = domoctl(&emu, &["partitions", "list", &id]).ok().stdout;
    assert!(
        table.lines().nth(2).unwrap().starts_with("2024-03"),
        "{table}"
    );
}

#[test]
fn query_prints_tables_csv_and_json_and_pages_with_all() {
    let emu = emulator();
    let id = create(&emu, "Q", &["region:STRING", "n:LONG", "x:DOUBLE"]);
    domoctl_stdin(
        &emu,
        &["upload", &id, "-", "--header", "no"],
        b"east,10,1.5\nwest,7,\\N\n\"north, far\",3,2.25\n",
    )
    .ok();
    let sql = "SELECT region, n, x FROM table ORDER BY n DESC";

    let json = domoctl(&emu, &["query", &id, sql, "--json"]).ok().json();
    assert_eq!(json["columns"], serde_json::json!(["region", "n", "x"]));
    assert_eq!(json["rows"][0], serde_json::json!(["east", 10, 1.5]));
    assert_eq!(json["rows"][1][2], Value::Null);
    assert_eq!(json["numRows"], 3);

    let csv = domoctl(&emu, &["query", &id, sql, "--csv"]).ok().stdout;
    assert_eq!(
        csv,
        "region,n,x\neast,10,1.5\nwest,7,\\N\n\"north, far\",3,2.25\n"
    );

    let table = domoctl(&emu, &["query", &id, sql]).ok().stdout;
    assert_eq!(
        table,
        "region       n     x\n----------  --  ----\neast        10   1.5\nwest         7  NULL\nnorth, far   3  2.25\n"
    );

    // With --all the rows come as JSON Lines, one object a row.
    let all = domoctl(
        &emu,
        &["query", &id, sql, "--all", "--page-size", "2", "--json"],
    )
    .ok()
    .stdout;
    let all: Vec<Value> = all
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(all.len(), 3);
    assert_eq!(all[2]["region"], "north, far");

    domoctl(&emu, &["query", &id, "SELEC nonsense"])
        .fails(1, &["bad request", "HTTP 400", "syntax"]);
    // --page-size only means something with --all.
    let r = domoctl(&emu, &["query", &id, sql, "--page-size", "2"]);
    assert_eq!(r.code, 2, "{r:#?}");
}

#[test]
fn tags_rows_append_row_and_index() {
    let emu = emulator();
    let id = create(&emu, "T", &["k:STRING", "n:LONG"]);

    let set = domoctl(&emu, &["dataset", "tags", &id, "sales", "2024"]).ok();
    assert!(set.stdout.contains("sales, 2024"), "{set:#?}");
    let tags = domoctl(&emu, &["dataset", "tags", &id, "--json"])
        .ok()
        .json();
    assert_eq!(tags, serde_json::json!(["sales", "2024"]));
    assert_eq!(
        domoctl(&emu, &["dataset", "tags", &id, "--csv"])
            .ok()
            .stdout,
        "tag\nsales\n2024\n"
    );
    domoctl(&emu, &["dataset", "tags", &id, "--clear"]).ok();
    assert_eq!(
        domoctl(&emu, &["dataset", "tags", &id, "--json"])
            .ok()
            .json(),
        serde_json::json!([])
    );

    for row in ["a,1", "b,2", "c,3"] {
        domoctl(&emu, &["dataset", "append-row", &id, row]).ok();
    }
    let appended = domoctl(
        &emu,
        &[
            "dataset",
            "append-row",
            &id,
            "d|4",
            "--delimiter",
            "|",
            "--json",
        ],
    )
    .ok()
    .json();
    assert_eq!(appended["appended"], 1);

    let page = domoctl(
        &emu,
        &[
            "dataset", "data", &id, "--offset", "1", "--limit", "2", "--json",
        ],
    )
    .ok()
    .json();
    assert_eq!(page["columns"], serde_json::json!(["k", "n"]));
    assert_eq!(page["rows"], serde_json::json!([["b", 2], ["c", 3]]));
    let csv = domoctl(
        &emu,
        &["dataset", "data", &id, "--filter", "n >= 3", "--csv"],
    )
    .ok()
    .stdout;
    assert_eq!(csv, "k,n\nc,3\nd,4\n");
    let table = domoctl(&emu, &["dataset", "data", &id, "--limit", "1"])
        .ok()
        .stdout;
    assert_eq!(table, "k  n\n-  -\na  1\n");
    domoctl(&emu, &["dataset", "data", &id, "--filter", "nope = 1"])
        .fails(1, &["HTTP 400", "nope"]);

    let index = domoctl(
        &emu,
        &["dataset", "index", &id, "--poll-interval", "50ms", "--json"],
    )
    .ok();
    let job = index.json();
    assert!(
        job["status"]
            .as_str()
            .unwrap()
            .eq_ignore_ascii_case("success"),
        "{job}"
    );
}

#[test]
fn permissions_share_list_revoke_remove() {
    let emu = emulator();
    let id = create(&emu, "P", &["a:STRING"]);
    let shared = domoctl(
        &emu,
        &[
            "permissions",
            "share",
            &id,
            "--user",
            "2:CAN_EDIT",
            "--user",
            "5:can_share",
            "--user",
            "6:CAN_SHARE",
            "--group",
            "12:CAN_SHARE",
        ],
    )
    .ok();
    assert!(shared.stdout.contains("USER 2 CAN_EDIT"), "{shared:#?}");

    let list = domoctl(&emu, &["permissions", "list", &id, "--json"])
        .ok()
        .json();
    let entries: Vec<(String, String, String)> = list["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["type"].as_str().unwrap().to_owned(),
                p["id"].as_str().unwrap().to_owned(),
                p["accessLevel"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for want in [
        ("USER", "1", "OWNER"),
        ("USER", "2", "CAN_EDIT"),
        ("USER", "5", "CAN_SHARE"),
        ("GROUP", "12", "CAN_SHARE"),
    ] {
        let want = (want.0.to_owned(), want.1.to_owned(), want.2.to_owned());
        assert!(entries.contains(&want), "{want:?} not in {entries:?}");
    }
    let csv = domoctl(&emu, &["permissions", "list", &id, "--csv"])
        .ok()
        .stdout;
    assert!(csv.starts_with("type,id,name,access\nUSER,1,"), "{csv}");

    // User 2 can now read it with their own token.
    let as_two = domoctl_as(
        &emu.url,
        Some(OTHER_TOKEN),
        &["dataset", "get", &id, "--json"],
        b"",
    )
    .ok();
    assert_eq!(as_two.json()["id"], id.as_str());

    domoctl(&emu, &["permissions", "revoke", &id, "2"]).ok();
    domoctl(&emu, &["permissions", "remove", &id, "5"]).ok();
    let removed = domoctl(&emu, &["perm", "remove", &id, "6", "7", "--json"])
        .ok()
        .json();
    assert_eq!(removed["removed"], serde_json::json!(["6", "7"]));
    let list = domoctl(&emu, &["permissions", "list", &id, "--json"])
        .ok()
        .json();
    let users: Vec<&str> = list["list"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["type"] == "USER")
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(users, ["1"]);
    domoctl_as(&emu.url, Some(OTHER_TOKEN), &["dataset", "get", &id], b"").fails(1, &["HTTP 40"]);

    domoctl(&emu, &["permissions", "share", &id]).fails(2, &["--user ID:LEVEL"]);
    let bad = domoctl(&emu, &["permissions", "share", &id, "--user", "7:READ"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("unknown access level"), "{bad:#?}");
}

#[test]
fn streams_create_get_update_run_history_search() {
    let emu = emulator();
    let dir = tempfile::tempdir().unwrap();
    let created = domoctl(
        &emu,
        &[
            "stream",
            "create",
            "--name",
            "Feed",
            "--description",
            "d",
            "-c",
            "a:LONG",
            "-c",
            "b:STRING",
            "--json",
        ],
    )
    .ok()
    .json();
    let sid = created["id"].to_string();
    let dataset = created["dataSource"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created["transport"]["type"], "API");

    let got = domoctl(&emu, &["stream", "get", &sid, "--json"])
        .ok()
        .json();
    assert_eq!(got["dataSource"]["name"], "Feed");
    let table = domoctl(&emu, &["stream", "get", &sid]).ok().stdout;
    assert!(table.contains("columns        a:LONG, b:STRING"), "{table}");

    let updated = domoctl(
        &emu,
        &[
            "stream",
            "update",
            &sid,
            "--name",
            "Feed 2",
            "--update-method",
            "append",
            "--json",
        ],
    )
    .ok()
    .json();
    assert_eq!(updated["dataSource"]["name"], "Feed 2");
    assert_eq!(updated["updateMethod"], "APPEND");
    let ds = domoctl(&emu, &["dataset", "get", &dataset, "--json"])
        .ok()
        .json();
    assert_eq!(ds["name"], "Feed 2");

    let run = domoctl(&emu, &["stream", "run", &sid, "--json"])
        .ok()
        .json();
    assert!(run["executionId"].is_u64(), "{run}");
    let history = domoctl(&emu, &["stream", "history", &sid, "--json"])
        .ok()
        .json();
    assert!(!history.as_array().unwrap().is_empty());
    let csv = domoctl(&emu, &["stream", "history", &sid, "--csv"])
        .ok()
        .stdout;
    assert!(
        csv.starts_with("execution,state,rows,bytes,started,ended,method\n"),
        "{csv}"
    );

    let found = domoctl(&emu, &["stream", "search", &dataset, "--json"])
        .ok()
        .json();
    assert_eq!(found[0]["id"].to_string(), sid);

    let request = write(
        dir.path(),
        "stream.json",
        r#"{"transport":{"type":"API"},"dataProvider":{"key":"api","name":"API"},
            "dataSource":{"name":"From JSON"},"schemaDefinition":{"columns":[{"name":"x","type":"DATE"}]}}"#,
    );
    let from_json = domoctl(
        &emu,
        &["stream", "create", "--from-json", &request, "--json"],
    )
    .ok()
    .json();
    assert_eq!(from_json["dataSource"]["name"], "From JSON");
    assert_eq!(from_json["schemaDefinition"]["columns"][0]["type"], "DATE");

    let not_json = write(dir.path(), "bad.json", "{ nope");
    domoctl(&emu, &["stream", "create", "--from-json", &not_json])
        .fails(2, &["not a stream request"]);
    domoctl(&emu, &["stream", "create", "--name", "x"]).fails(2, &["--column"]);
    domoctl(&emu, &["stream", "update", &sid]).fails(2, &["nothing to change"]);
    domoctl(&emu, &["stream", "get", "999999"]).fails(1, &["not found", "HTTP 404"]);
}

#[test]
fn bad_input_gets_one_clear_sentence_and_exit_code_2() {
    let emu = emulator();
    let id = create(&emu, "B", &SAMPLE_COLUMNS);
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "in.csv", &sample_csv(3));

    let r = domoctl(&emu, &["upload", &id, &file, "--part-size", "32XB"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("invalid size `32XB`: unknown unit `XB`"),
        "{r:#?}"
    );
    let r = domoctl(&emu, &["upload", &id, &file, "--part-size", "0"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("at least 1 byte"), "{r:#?}");

    let r = domoctl(
        &emu,
        &[
            "dataset",
            "create",
            "x",
            "-c",
            "id:LONG",
            "-c",
            "price:MONEY",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("column `price`: unknown type `MONEY`"),
        "{r:#?}"
    );

    // A header that does not match the schema: refused before sending.
    domoctl_stdin(
        &emu,
        &["upload", &id, "-", "--header", "yes"],
        b"a,b,c,d\n1,x,2,2024-01-01\n",
    )
    .fails(2, &["header"]);
    // Data the server refuses: named row and column.
    domoctl_stdin(
        &emu,
        &["upload", &id, "-", "--header", "no"],
        b"1,x,notanumber,2024-01-01\n",
    )
    .fails(1, &["HTTP 400", "amount"]);
    domoctl(&emu, &["upload", &id, "/no/such/file.csv"]).fails(1, &["/no/such/file.csv"]);
}

#[test]
fn unknown_datasets_and_bad_tokens_fail_with_status_and_request() {
    let emu = emulator();
    domoctl(&emu, &["dataset", "get", "no-such-dataset"]).fails(
        1,
        &[
            "not found",
            "HTTP 404",
            "GET /api/data/v3/datasources/no-such-dataset",
        ],
    );
    domoctl(&emu, &["export", "no-such-dataset"]).fails(1, &["not found", "404"]);
    domoctl(&emu, &["query", "no-such-dataset", "SELECT 1"]).fails(1, &["404"]);

    let wrong = "wrong-token-0b9d4e";
    domoctl_as(&emu.url, Some(wrong), &["dataset", "get", "x"], b"")
        .fails(1, &["not authorised", "HTTP 401"]);
    // Given as a flag instead, an invalid token is not printed either.
    let r = domoctl_as(
        &emu.url,
        None,
        &["dataset", "get", "x", "--token", wrong],
        b"",
    );
    r.fails(1, &["HTTP 401"]);
    assert!(!r.stderr.contains(wrong));
}

#[test]
fn missing_configuration_says_what_to_set() {
    let emu = emulator();
    domoctl_as(&emu.url, None, &["dataset", "get", "x"], b"").fails(2, &["DOMO_TOKEN"]);
    domoctl_as("", Some(TOKEN), &["dataset", "get", "x"], b"")
        .fails(2, &["DOMO_INSTANCE", "DOMO_BASE_URL"]);
    domoctl_as(
        "http://10.0.0.1:9",
        Some(TOKEN),
        &["dataset", "get", "x"],
        b"",
    )
    .fails(2, &["loopback"]);
    // A flag beats the other setting from the environment.
    let r = domoctl_as(
        &emu.url,
        Some(TOKEN),
        &[
            "dataset",
            "get",
            "x",
            "--instance",
            "acme",
            "--base-url",
            &emu.url,
        ],
        b"",
    );
    r.fails(2, &["keep only one"]);
    // Nothing listens on port 1 of loopback.
    domoctl_as(
        "http://127.0.0.1:1",
        Some(TOKEN),
        &["dataset", "get", "x", "--max-retries", "0"],
        b"",
    )
    .fails(1, &["cannot connect"]);
}

#[test]
fn the_token_never_shows_in_help_or_usage_errors() {
    let emu = emulator();
    let help = domoctl(&emu, &["dataset", "get", "--help"]).ok();
    assert!(help.stdout.contains("DOMO_TOKEN"), "{help:#?}");
    // A token pasted where an argument goes comes back redacted.
    let r = domoctl(&emu, &["dataset", "get", "x", TOKEN]);
    assert_eq!(r.code, 2, "{r:#?}");
    assert!(r.stderr.contains("[redacted]"), "{r:#?}");
    let r = domoctl(&emu, &["no-such-command"]);
    assert_eq!(r.code, 2);
}

#[test]
fn the_demo_runs_to_completion() {
    let r = domoctl_as("", None, &["demo", "--rows", "20000"], b"").ok();
    for needle in [
        "Domo emulator listening on http://127.0.0.1:",
        "1. Create a dataset",
        "20000 rows",
        "region",
        "byte for byte",
        "finds Demo: sales 2024",
        "verified 5 rows in version 2; the dataset went from 20000 to 20002 rows",
        "CAN_EDIT",
        "reading it again answers 404",
        "SUCCESS",
        "Row policies",
        "the next call gets HTTP 401",
        "Done in",
    ] {
        assert!(
            r.stdout.contains(needle),
            "{needle:?} missing: {}",
            r.stdout
        );
    }
    // Two users, the same dataset, two totals, both short of the owner's.
    let revenue = |who: &str| -> f64 {
        let line = r
            .stdout
            .lines()
            .find(|l| l.trim_start().starts_with(who))
            .unwrap_or_else(|| panic!("no {who:?} line: {}", r.stdout));
        line.split_whitespace().last().unwrap().parse().unwrap()
    };
    let (owner, east, west) = (revenue("the owner"), revenue("user 7"), revenue("user 8"));
    assert!(east != west && east < owner && west < owner, "{}", r.stdout);
    assert!(
        r.stderr.is_empty(),
        "no progress without a terminal: {r:#?}"
    );
}

#[test]
fn the_emulator_subcommand_serves_the_api() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_domoctl"))
        .args([
            "emulator",
            "--addr",
            "127.0.0.1:0",
            "--demo",
            "--token",
            &format!("{TOKEN}=1"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("domoctl emulator runs");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .strip_prefix("listening on ")
        .expect("the URL first")
        .to_owned();
    let demo_line = lines.next().unwrap().unwrap();
    let demo_id = demo_line.strip_prefix("demo dataset ").unwrap().to_owned();

    let r = domoctl_as(
        &url,
        Some(TOKEN),
        &["dataset", "get", &demo_id, "--json"],
        b"",
    );
    let _ = child.kill();
    let _ = child.wait();
    let ds = r.ok().json();
    assert_eq!(ds["id"], demo_id.as_str());
}

/// domoctl with the client id and secret in the environment, no token.
fn domoctl_client(emu: &Emulator, args: &[&str]) -> Run {
    domoctl_env(
        &emu.url,
        &[
            ("DOMO_CLIENT_ID", CLIENT_ID),
            ("DOMO_CLIENT_SECRET", CLIENT_SECRET),
        ],
        args,
        b"",
    )
}

#[test]
fn users_and_groups_with_client_credentials() {
    let emu = emulator();
    let made = domoctl_client(
        &emu,
        &[
            "user",
            "create",
            "--name",
            "Ann Lee",
            "--email",
            "ann@example.com",
            "--role",
            "Editor",
            "--json",
        ],
    )
    .ok()
    .json();
    let user = made[0]["id"].to_string();
    assert_eq!(made[0]["email"], "ann@example.com");
    let list = domoctl_client(&emu, &["user", "list", "--json"])
        .ok()
        .json();
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|u| u["id"].to_string().as_str() == user.as_str()),
        "{list}"
    );
    let got = domoctl_client(&emu, &["user", "get", &user]).ok();
    assert!(got.stdout.contains("Ann Lee"), "{got:#?}");

    let group = domoctl_client(&emu, &["group", "create", "Analysts", "--json"])
        .ok()
        .json()[0]["id"]
        .to_string();
    domoctl_client(&emu, &["group", "add", &group, &user]).ok();
    let members = domoctl_client(&emu, &["group", "members", &group, "--json"])
        .ok()
        .json();
    assert_eq!(members, serde_json::json!([user.parse::<u64>().unwrap()]));
    domoctl_client(&emu, &["group", "remove", &group, &user]).ok();
    let members = domoctl_client(&emu, &["group", "members", &group, "--json"])
        .ok()
        .json();
    assert_eq!(members, serde_json::json!([]));
    domoctl_client(&emu, &["group", "delete", &group]).ok();
    domoctl_client(&emu, &["group", "get", &group]).fails(1, &["404"]);
    domoctl_client(&emu, &["user", "delete", &user]).ok();
    domoctl_client(&emu, &["user", "get", &user]).fails(1, &["404"]);

    // A developer token has no /v1 route: the error says which API.
    domoctl(&emu, &["user", "list"]).fails(1, &["client credentials"]);
}

#[test]
fn datasets_move_through_the_public_api_with_client_credentials() {
    let emu = emulator();
    let id = create(&emu, "Public", &["region:STRING", "amount:LONG"]);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("rows.csv");
    std::fs::write(&csv, "region,amount\neast,1\nwest,2\neast,3\n").unwrap();
    let csv = csv.to_str().unwrap();
    domoctl_client(&emu, &["upload", &id, csv, "--replace"]).ok();
    let export = domoctl_client(&emu, &["export", &id]).ok();
    assert_eq!(export.stdout, "region,amount\neast,1\nwest,2\neast,3\n");
    let sum = domoctl_client(
        &emu,
        &[
            "query",
            &id,
            "SELECT SUM(amount) AS total FROM table",
            "--json",
        ],
    )
    .ok()
    .json();
    assert!(sum.to_string().contains('6'), "{sum}");
}

#[test]
fn client_credentials_are_checked_and_explained() {
    let emu = emulator();
    // The secret is missing: the message names the variable.
    domoctl_env(
        &emu.url,
        &[("DOMO_CLIENT_ID", CLIENT_ID)],
        &["user", "list"],
        b"",
    )
    .fails(2, &["DOMO_CLIENT_SECRET"]);
    // A wrong secret is refused, and never printed.
    domoctl_env(
        &emu.url,
        &[
            ("DOMO_CLIENT_ID", CLIENT_ID),
            ("DOMO_CLIENT_SECRET", "wrong-secret-8e8e8e8e"),
        ],
        &["user", "list"],
        b"",
    )
    .fails(1, &["401"]);
    // A token and a client at once: one must go.
    domoctl_env(
        &emu.url,
        &[
            ("DOMO_TOKEN", TOKEN),
            ("DOMO_CLIENT_ID", CLIENT_ID),
            ("DOMO_CLIENT_SECRET", CLIENT_SECRET),
        ],
        &["user", "list"],
        b"",
    )
    .fails(2, &["keep one"]);
}

#[test]
fn login_with_a_client_id_saves_a_private_profile_that_later_commands_use() {
    let emu = emulator();
    let home = tempfile::tempdir().unwrap();
    let config = home.path().to_str().unwrap();
    let run = |env: &[(&str, &str)], args: &[&str], stdin: &[u8]| {
        let mut all = vec![("XDG_CONFIG_HOME", config)];
        all.extend_from_slice(env);
        domoctl_env(&emu.url, &all, args, stdin)
    };
    // A wrong secret saves nothing.
    run(
        &[],
        &["login", "--client-id", CLIENT_ID, "--client-secret-stdin"],
        b"not-the-secret-1234\n",
    )
    .fails(1, &["401"]);
    assert!(!home.path().join("domoctl/profiles.json").exists());

    let line = format!("{CLIENT_SECRET}\n");
    run(
        &[],
        &["login", "--client-id", CLIENT_ID, "--client-secret-stdin"],
        line.as_bytes(),
    )
    .ok();
    let file = home.path().join("domoctl/profiles.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "profiles.json is private: {mode:o}");
    }
    let profiles = run(&[], &["profile", "list"], b"").ok();
    assert!(
        profiles.stdout.contains("client credentials"),
        "{profiles:#?}"
    );
    // The saved client, with no variable set.
    let list = run(&[], &["user", "list", "--json"], b"").ok().json();
    assert!(!list.as_array().unwrap().is_empty(), "{list}");
    // The client id alone finds its secret in the profile.
    run(&[("DOMO_CLIENT_ID", CLIENT_ID)], &["group", "list"], b"").ok();
}
