//! `domoctl pdp`, `token`, `login`, `logout`, `profile` and `completions`
//! as a process against an in-process emulator set up through its
//! documented flags (`--user`, `--password`, `--token`). Every run is
//! captured; every captured output is searched for every secret the test
//! used (passwords, session tokens from the profile file, minted tokens),
//! the one deliberate exception being the stdout of `token create`, which
//! is the token.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use clap::Parser;
use domo_emulator::RunningEmulator;
use domo_emulator::cli::EmulatorArgs;
use serde_json::Value;

const ADMIN: &str = "cli-access-admin-3e8d1f"; // user 1
const EAST: &str = "cli-access-east-71c0aa"; // user 7
const PASSWORD: &str = "cli-pw-9b7e33-correct";
const WRONG: &str = "cli-pw-wrong-0d41c2";

#[derive(Parser)]
struct Flags {
    #[command(flatten)]
    emulator: EmulatorArgs,
}

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
    let flags = Flags::try_parse_from([
        "domo-emulator",
        "--addr",
        "127.0.0.1:0",
        "--token",
        &format!("{ADMIN}=1"),
        "--token",
        &format!("{EAST}=7"),
        "--user",
        "7:east@example.com",
        "--password",
        &format!("7={PASSWORD}"),
    ])
    .expect("the emulator's documented flags parse");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let server = runtime
        .block_on(domo_emulator::start(flags.emulator.into()))
        .expect("the emulator starts");
    Emulator {
        url: server.url().to_owned(),
        server: Some(server),
        _runtime: runtime,
    }
}

#[derive(Debug, Clone)]
struct Run {
    /// Shown (through `Debug`) when an assertion about the run fails.
    #[allow(dead_code)]
    args: Vec<String>,
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn ok(self) -> Run {
        assert_eq!(self.code, 0, "expected success: {self:#?}");
        self
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:#?}"))
    }

    fn fails(&self, code: i32, needles: &[&str]) -> &Run {
        assert_eq!(self.code, code, "{self:#?}");
        assert!(self.stderr.starts_with("error: "), "{self:#?}");
        for n in needles {
            assert!(self.stderr.contains(n), "stderr lacks {n:?}: {self:#?}");
        }
        self
    }
}

/// One test's runs of `domoctl`, each with a config folder of its own
/// (`XDG_CONFIG_HOME`), so that profiles never touch the user's.
struct Session {
    config: tempfile::TempDir,
    url: String,
    runs: Vec<Run>,
}

impl Session {
    fn new(url: &str) -> Session {
        Session {
            config: tempfile::tempdir().expect("a temporary folder"),
            url: url.to_owned(),
            runs: Vec::new(),
        }
    }

    fn profiles_file(&self) -> PathBuf {
        self.config.path().join("domoctl").join("profiles.json")
    }

    /// `domoctl ARGS` with `env` set (and DOMO_* otherwise unset), `stdin`
    /// as its input.
    fn run(&mut self, env: &[(&str, &str)], args: &[&str], stdin: &[u8]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_domoctl"));
        cmd.args(args)
            .env_remove("DOMO_INSTANCE")
            .env_remove("DOMO_BASE_URL")
            .env_remove("DOMO_TOKEN")
            .env_remove("DOMO_PROFILE")
            .env("XDG_CONFIG_HOME", self.config.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("domoctl runs");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin)
            .expect("stdin takes the input");
        let out = child.wait_with_output().expect("domoctl ends");
        let run = Run {
            args: args.iter().map(|a| a.to_string()).collect(),
            code: out.status.code().expect("an exit code, not a signal"),
            stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
            stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
        };
        assert!(
            !run.stderr.contains("panicked"),
            "domoctl panicked: {run:#?}"
        );
        self.runs.push(run.clone());
        run
    }

    /// As `token` against the emulator.
    fn as_token(&mut self, token: &str, args: &[&str]) -> Run {
        let url = self.url.clone();
        self.run(&[("DOMO_BASE_URL", &url), ("DOMO_TOKEN", token)], args, b"")
    }

    /// No secret in any captured output, but `allowed` (the stdout of the
    /// run at that index may hold the secret at the same index of
    /// `secrets`).
    fn assert_no_secret(&self, secrets: &[&str], allowed: &[(usize, &str)]) {
        for (i, run) in self.runs.iter().enumerate() {
            for secret in secrets {
                assert!(
                    !run.stderr.contains(secret),
                    "a secret leaked to stderr: {run:#?}"
                );
                let may = allowed.iter().any(|(at, s)| *at == i && s == secret);
                assert!(
                    may || !run.stdout.contains(secret),
                    "a secret leaked to stdout: {run:#?}"
                );
            }
        }
    }
}

/// A dataset of sales (owner: user 1), shared with user 7.
fn sales(s: &mut Session) -> String {
    let stream = s
        .as_token(
            ADMIN,
            &[
                "dataset",
                "create",
                "Sales",
                "--column",
                "region:STRING",
                "--column",
                "amount:LONG",
                "--json",
            ],
        )
        .ok()
        .json();
    let id = stream["datasetId"].as_str().unwrap().to_owned();
    let url = s.url.clone();
    s.run(
        &[("DOMO_BASE_URL", &url), ("DOMO_TOKEN", ADMIN)],
        &["upload", &id, "-", "--header", "no"],
        b"east,10\nEast,20\nwest,100\nnorth,1000\n",
    )
    .ok();
    s.as_token(
        ADMIN,
        &["permissions", "share", &id, "--user", "7:CAN_EDIT"],
    )
    .ok();
    id
}

fn sum(s: &mut Session, token: &str, id: &str) -> i64 {
    let q = s
        .as_token(
            token,
            &["query", id, "SELECT SUM(amount) FROM table", "--json"],
        )
        .ok()
        .json();
    // SUM over no rows is NULL.
    if q["rows"][0][0].is_null() {
        return 0;
    }
    q["rows"][0][0]
        .as_i64()
        .or_else(|| q["rows"][0][0].as_f64().map(|f| f as i64))
        .unwrap_or_else(|| panic!("a sum: {q}"))
}

#[test]
fn pdp_commands_change_what_a_user_sums() {
    let emu = emulator();
    let mut s = Session::new(&emu.url);
    let id = sales(&mut s);
    assert_eq!(sum(&mut s, EAST, &id), 1130);

    let created = s
        .as_token(
            ADMIN,
            &[
                "pdp",
                "create",
                &id,
                "East",
                "--user",
                "7",
                "--where",
                "region=east",
                "--ignore-case",
                "--json",
            ],
        )
        .ok()
        .json();
    let pid = created["filterGroupId"]
        .to_string()
        .trim_matches('"')
        .to_owned();
    assert_eq!(created["parameters"][0]["operator"], "EQUALS");
    let table = s.as_token(ADMIN, &["pdp", "list", &id]).ok().stdout;
    assert!(
        table
            .lines()
            .any(|l| l.contains("East") && l.contains("region = east (any case)")),
        "{table}"
    );
    let on = s.as_token(ADMIN, &["pdp", "enable", &id]).ok().stdout;
    assert!(on.contains("row policies are on"), "{on}");
    assert_eq!(sum(&mut s, EAST, &id), 30);
    assert_eq!(sum(&mut s, ADMIN, &id), 1130);

    s.as_token(
        ADMIN,
        &["pdp", "update", &id, &pid, "--where", "region!=east"],
    )
    .ok();
    // NOT_EQUALS; new rules are as given: without --ignore-case, `East`
    // is not `east`.
    assert_eq!(sum(&mut s, EAST, &id), 1120);
    s.as_token(ADMIN, &["pdp", "update", &id, &pid, "--ignore-case"])
        .ok();
    assert_eq!(sum(&mut s, EAST, &id), 1100);
    s.as_token(ADMIN, &["pdp", "delete", &id, &pid]).ok();
    assert_eq!(sum(&mut s, EAST, &id), 0);
    s.as_token(ADMIN, &["pdp", "disable", &id]).ok();
    assert_eq!(sum(&mut s, EAST, &id), 1130);

    // Refused before anything is sent.
    s.as_token(
        ADMIN,
        &["pdp", "create", &id, "Nobody", "--where", "region=x"],
    )
    .fails(2, &["names nobody"]);
    s.as_token(
        ADMIN,
        &[
            "pdp", "create", &id, "E", "--user", "7", "--where", "region",
        ],
    )
    .fails(2, &["COLUMN=VALUE"]);
    s.as_token(ADMIN, &["pdp", "update", &id, "999", "--user", "7"])
        .fails(2, &["no policy 999"]);
    s.assert_no_secret(&[ADMIN, EAST], &[]);
}

#[test]
fn a_token_prints_once_works_and_stops_when_revoked() {
    let emu = emulator();
    let mut s = Session::new(&emu.url);
    let id = sales(&mut s);

    let created = s
        .as_token(
            ADMIN,
            &["token", "create", "pipeline", "--owner", "7", "--days", "1"],
        )
        .ok();
    let created_at = s.runs.len() - 1;
    let value = created.stdout.trim().to_owned();
    assert_eq!(created.stdout.lines().count(), 1, "{created:#?}");
    assert!(!value.is_empty());
    assert!(created.stderr.contains("shown this once"), "{created:#?}");

    s.as_token(&value, &["dataset", "get", &id]).ok();
    let list = s.as_token(ADMIN, &["token", "list", "--json"]).ok().json();
    let entry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "pipeline")
        .unwrap_or_else(|| panic!("{list}"))
        .clone();
    assert!(entry.get("token").is_none(), "{entry}");
    let tid = entry["id"].to_string().trim_matches('"').to_owned();
    let table = s.as_token(ADMIN, &["token", "list"]).ok().stdout;
    assert!(table.contains("pipeline"), "{table}");

    s.as_token(ADMIN, &["token", "revoke", &tid]).ok();
    s.as_token(&value, &["dataset", "get", &id])
        .fails(1, &["not authorised"]);
    s.assert_no_secret(&[ADMIN, EAST, &value], &[(created_at, &value)]);
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn login_saves_a_private_profile_that_later_commands_use() {
    let emu = emulator();
    let mut s = Session::new(&emu.url);
    let id = sales(&mut s);
    let url = s.url.clone();

    // A wrong password is refused, and nothing is saved.
    s.run(
        &[],
        &[
            "login",
            "--base-url",
            &url,
            "--email",
            "east@example.com",
            "--password-stdin",
        ],
        format!("{WRONG}\n").as_bytes(),
    )
    .fails(1, &["error: login failed: wrong email address or password"]);
    assert!(!s.profiles_file().exists());
    // No terminal and no --password-stdin: say how.
    s.run(
        &[],
        &["login", "--base-url", &url, "--email", "east@example.com"],
        b"",
    )
    .fails(2, &["--password-stdin"]);

    let ok = s
        .run(
            &[],
            &[
                "login",
                "--base-url",
                &url,
                "--email",
                "east@example.com",
                "--password-stdin",
            ],
            format!("{PASSWORD}\n").as_bytes(),
        )
        .ok();
    assert!(
        ok.stdout.contains("logged in") && ok.stdout.contains("\"default\""),
        "{ok:#?}"
    );
    let file = s.profiles_file();
    #[cfg(unix)]
    assert_eq!(mode(&file), 0o600);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let session = saved["profiles"]["default"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(saved["profiles"]["default"]["tokenKind"], "session");

    // Later commands use it: no token, no base URL in the environment.
    let ds = s
        .run(&[], &["dataset", "get", &id, "--json"], b"")
        .ok()
        .json();
    assert_eq!(ds["id"], id.as_str());
    // A second profile, chosen by --profile or DOMO_PROFILE.
    s.run(
        &[],
        &[
            "login",
            "--base-url",
            &url,
            "--profile",
            "work",
            "--email",
            "east@example.com",
            "--password-stdin",
        ],
        PASSWORD.as_bytes(),
    )
    .ok();
    s.run(&[("DOMO_PROFILE", "work")], &["dataset", "get", &id], b"")
        .ok();
    s.run(&[], &["dataset", "get", &id, "--profile", "nope"], b"")
        .fails(2, &["no profile \"nope\"", "domoctl login --profile nope"]);

    let listed = s.run(&[], &["profile", "list"], b"").ok();
    assert!(
        listed.stdout.contains("default") && listed.stdout.contains("work"),
        "{listed:#?}"
    );
    assert!(listed.stdout.contains(&url), "{listed:#?}");

    // The environment wins: DOMO_TOKEN is the admin's, who sees more.
    let url_env = [("DOMO_TOKEN", ADMIN)];
    s.run(&url_env, &["token", "list"], b"").ok();
    // Somewhere else without a token: the profile's session is not sent.
    s.run(
        &[("DOMO_BASE_URL", "http://127.0.0.1:1")],
        &["dataset", "get", &id],
        b"",
    )
    .fails(2, &["not sent to http://127.0.0.1:1"]);

    // A profiles file others can read is refused, naming the fix.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let fix = format!("chmod 600 {}", file.display());
        s.run(&[], &["dataset", "get", &id], b"")
            .fails(2, &[&fix, "0644"]);
        s.run(&[], &["profile", "list"], b"").fails(2, &[&fix]);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    let out = s.run(&[], &["logout"], b"").ok();
    assert!(out.stdout.contains("logged out"), "{out:#?}");
    s.run(&[], &["logout"], b"")
        .fails(2, &["no profile \"default\""]);
    s.run(&[], &["dataset", "get", &id], b"")
        .fails(2, &["not configured", "domoctl login"]);
    s.run(&[("DOMO_PROFILE", "work")], &["logout"], b"").ok();
    #[cfg(unix)]
    assert_eq!(mode(&file), 0o600);

    s.assert_no_secret(&[ADMIN, EAST, PASSWORD, WRONG, &session], &[]);
}

#[test]
fn completions_for_each_shell() {
    let mut s = Session::new("http://127.0.0.1:1");
    for shell in ["bash", "zsh", "fish"] {
        let out = s.run(&[], &["completions", shell], b"").ok();
        assert!(out.stdout.contains("domoctl"), "{shell}");
        assert!(
            out.stdout.contains("login") && out.stdout.contains("pdp"),
            "{shell}"
        );
    }
    s.run(&[], &["completions", "tcsh"], b"")
        .fails(2, &["tcsh"]);
}

/// A file written by hand with mode 0644 is refused without an emulator.
#[cfg(unix)]
#[test]
fn a_world_readable_profiles_file_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let mut s = Session::new("http://127.0.0.1:1");
    let file = s.profiles_file();
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(
        &file,
        r#"{"profiles": {"default": {"baseUrl": "http://127.0.0.1:1", "tokenKind": "developer", "token": "cli-handwritten-6a1b2c"}}}"#,
    )
    .unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    s.run(&[], &["dataset", "get", "x"], b"").fails(
        2,
        &["refusing to use", &format!("chmod 600 {}", file.display())],
    );
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    // Private again, it is used (and the server on port 1 is not there).
    s.run(&[], &["dataset", "get", "x", "--max-retries", "0"], b"")
        .fails(1, &["cannot connect"]);
    s.assert_no_secret(&["cli-handwritten-6a1b2c"], &[]);
}
