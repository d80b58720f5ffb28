//! The command line: `EmulatorArgs` can be flattened into another clap
//! command (the `domo emulator` subcommand reuses it), and `run` serves
//! until Ctrl-C or SIGTERM.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::clock::Clock;
use crate::directory::{GroupSpec, Password, UserSpec, parse_group, parse_password, parse_user};
use crate::error::Error;
use crate::faults::FaultSpec;
use crate::oauth::{ClientSpec, parse_client};
use crate::row_reply::DEFAULT_MAX_REPLY_BYTES;
use crate::server::{DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_VALUE_BYTES, EmulatorConfig, start};

/// Options of the emulator.
#[derive(Clone, clap::Args)]
pub struct EmulatorArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8787")]
    pub addr: SocketAddr,

    /// Accept TOKEN for user USER_ID (repeatable). Without any, `dev-token`
    /// is accepted for user 1. User 1 is always an administrator.
    #[arg(long = "token", value_name = "TOKEN=USER_ID", value_parser = parse_token)]
    pub tokens: Vec<(String, i64)>,

    /// A user of the instance (repeatable). ROLE is Admin, Privileged,
    /// Editor (the default) or Participant; user 1 is always the Admin.
    #[arg(long = "user", value_name = "ID:EMAIL[:ROLE]", value_parser = parse_user)]
    pub users: Vec<UserSpec>,

    /// The login password of user ID (repeatable; the user needs --user).
    /// Five wrong passwords in a row lock the account until a restart.
    #[arg(long = "password", value_name = "ID=SECRET", value_parser = parse_password)]
    pub passwords: Vec<(i64, Password)>,

    /// A group of users (repeatable), e.g. `3:Sales:7,9`.
    #[arg(long = "group", value_name = "ID:NAME:USER_ID,USER_ID", value_parser = parse_group)]
    pub groups: Vec<GroupSpec>,

    /// Keep all state in SQLite files in DIR, restored on restart (default: in memory).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Create the "Demo Sales" dataset (id 00000000-0000-4000-8000-000000000001) if missing,
    /// and the demo people unless given otherwise: user 7 east@example.com (Editor, token
    /// `demo-east-token`), user 8 west@example.com (Participant, token `demo-west-token`),
    /// group 3 "East team" with user 7.
    #[arg(long)]
    pub demo: bool,

    /// Inject faults into /api/* and /v1/* requests, e.g. `429=0.1,503=0.05,reset=0.02,latency=20ms`
    /// (also `retry-after=SECONDS`).
    #[arg(long, value_name = "SPEC", value_parser = parse_faults)]
    pub faults: Option<FaultSpec>,

    /// Seed of the fault generator; the same seed repeats the same faults.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub fault_seed: u64,

    /// Largest accepted request body in bytes (default 512 MiB = 536870912);
    /// larger bodies get 413. Also bounds a gzip part once decompressed.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,

    /// Time limit of one query (SQL, /data pages, /data/v1), reading its reply
    /// included, e.g. `30s`, `500ms` or `2m`; a query past it ends with an error
    /// (a 400, or a reply that breaks off when rows were already sent).
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub query_timeout: Duration,

    /// Largest reply of one streamed query in bytes (default 4 GiB = 4294967296);
    /// a longer one ends with an error, never with a shorter result.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_REPLY_BYTES)]
    pub max_reply_bytes: u64,

    /// Largest string or blob one query may make, in bytes (SQLite's length
    /// limit; default 16 MiB = 16777216); a query making a larger one gets 400.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_VALUE_BYTES)]
    pub max_value_bytes: usize,

    /// Serve the Domo custom app in DIR (index.html, manifest.json, assets) at /,
    /// with its manifest's dataset aliases at /data/v1|v2/{alias} and /sql/v1/{alias},
    /// its AppDB collections at /domo/datastores/v1, and a Domo page framing it at /page.
    #[arg(long = "app", value_name = "DIR")]
    pub app_dir: Option<PathBuf>,

    /// The first month of the fiscal year for the Data API's calendar=fiscal:
    /// a number (1-12) or a month name such as July.
    #[arg(long, value_name = "MONTH", default_value = "1", value_parser = parse_month)]
    pub fiscal_year_start: u32,
    /// An OAuth client of the public API (repeatable): `/oauth/token` gives
    /// it access tokens (JWTs) for the `/v1` routes, acting as user USER_ID.
    /// SCOPES, comma-separated (e.g. `data,user`), default to all of account,
    /// audit, buzz, dashboard, data, user, workflow.
    #[arg(long = "client", value_name = "ID:SECRET:USER_ID[:SCOPES]", value_parser = parse_client)]
    pub clients: Vec<ClientSpec>,

    /// How long a public-API access token lives, in whole seconds (e.g. `1h`
    /// as `60m`, or `5s` to test that clients fetch a new one).
    #[arg(long, value_name = "DURATION", default_value = "60m", value_parser = parse_token_ttl)]
    pub token_ttl: Duration,
    /// Start the emulator's clock at this UTC time, e.g. `2024-03-01T09:00:00Z`
    /// or `2024-03-01`; it then runs at the system's pace. Every timestamp,
    /// SQL's NOW()/CURDATE() and token expiry read it: for testing date logic
    /// such as "last 30 days".
    #[arg(long, value_name = "DATETIME", value_parser = parse_now, conflicts_with = "clock_offset")]
    pub now: Option<i64>,

    /// Shift the emulator's clock from the system's, e.g. `-30d`, `+2h`,
    /// `90m`, `-15s` (units d, h, m, s, ms).
    #[arg(long, value_name = "OFFSET", value_parser = parse_offset, allow_hyphen_values = true)]
    pub clock_offset: Option<i64>,

    /// How often the app's syncEnabled AppDB collections are exported to their
    /// datasets, e.g. `15m` (the default, as in Domo) or `30s`.
    #[arg(long, value_name = "DURATION", default_value = "15m", value_parser = parse_duration)]
    pub appdb_sync_interval: Duration,
}

/// Shown as the configuration it becomes, whose `Debug` keeps token values
/// out (one list of fields to keep in step, not two).
impl std::fmt::Debug for EmulatorArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&EmulatorConfig::from(self.clone()), f)
    }
}

fn parse_token(s: &str) -> Result<(String, i64), String> {
    let (token, user) = s
        .rsplit_once('=')
        .ok_or_else(|| format!("`{s}`: expected TOKEN=USER_ID"))?;
    if token.is_empty() {
        return Err(format!("`{s}`: the token is empty"));
    }
    let user: i64 = user
        .parse()
        .ok()
        .filter(|u| *u > 0)
        .ok_or_else(|| format!("`{s}`: USER_ID must be a positive integer"))?;
    Ok((token.to_owned(), user))
}

/// `30s`, `500ms`, `2m`, or a bare number of seconds; more than zero.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (num, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else {
        (t, 1.0)
    };
    num.trim()
        .parse::<f64>()
        .ok()
        .map(|n| n * scale)
        .filter(|secs| secs.is_finite() && *secs > 0.0 && *secs < 1e9)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| format!("`{s}`: expected a duration such as 30s, 500ms or 2m"))
}

/// `7`, `July` or `jul`.
fn parse_month(s: &str) -> Result<u32, String> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let t = s.trim().to_ascii_lowercase();
    if let Ok(n) = t.parse::<u32>() {
        return (1..=12)
            .contains(&n)
            .then_some(n)
            .ok_or_else(|| format!("`{s}`: a month number is 1 to 12"));
    }
    MONTHS
        .iter()
        .position(|m| t.len() >= 3 && m.starts_with(&t))
        .map(|i| i as u32 + 1)
        .ok_or_else(|| format!("`{s}`: expected a month, 1-12 or a name such as July"))
}

/// A duration of whole seconds, at least one: a JWT's `exp` counts seconds.
fn parse_token_ttl(s: &str) -> Result<Duration, String> {
    let d = parse_duration(s)?;
    if d.as_secs() < 1 || d.subsec_nanos() != 0 {
        return Err(format!(
            "`{s}`: a token lifetime is a whole number of seconds, at least 1 (e.g. 5s, 60m)"
        ));
    }
    Ok(d)
}

/// `--now`: a DATETIME or DATE in UTC, as an upload takes one; epoch ms.
fn parse_now(s: &str) -> Result<i64, String> {
    crate::store::dialect::functions::utc_ms(s.trim()).ok_or_else(|| {
        format!("`{s}`: expected a UTC time such as 2024-03-01T09:00:00Z or 2024-03-01")
    })
}

/// `--clock-offset`: a signed number with a unit (d, h, m, s, ms); ms.
fn parse_offset(s: &str) -> Result<i64, String> {
    let t = s.trim();
    let (sign, rest) = match t.strip_prefix('-') {
        Some(r) => (-1.0, r),
        None => (1.0, t.strip_prefix('+').unwrap_or(t)),
    };
    let units: [(&str, f64); 5] = [
        ("ms", 1.0),
        ("d", 86_400_000.0),
        ("h", 3_600_000.0),
        ("m", 60_000.0),
        ("s", 1_000.0),
    ];
    units
        .iter()
        .find_map(|(unit, scale)| Some((rest.strip_suffix(unit)?, *scale)))
        .and_then(|(n, scale)| {
            let n: f64 = n.trim().parse().ok()?;
            let ms = sign * n * scale;
            (n.is_finite() && ms.abs() < 1e16).then_some(ms.round() as i64)
        })
        .ok_or_else(|| format!("`{s}`: expected an offset such as -30d, +2h, 90m or -15s"))
}

fn parse_faults(s: &str) -> Result<FaultSpec, String> {
    s.parse()
}

impl From<EmulatorArgs> for EmulatorConfig {
    fn from(a: EmulatorArgs) -> Self {
        EmulatorConfig {
            addr: a.addr,
            tokens: a.tokens,
            users: a.users,
            passwords: a.passwords,
            groups: a.groups,
            data_dir: a.data_dir,
            demo: a.demo,
            faults: a.faults.unwrap_or_default(),
            fault_seed: a.fault_seed,
            max_body_bytes: a.max_body_bytes,
            query_timeout: a.query_timeout,
            max_reply_bytes: a.max_reply_bytes,
            max_value_bytes: a.max_value_bytes,
            app_dir: a.app_dir,
            fiscal_year_start: a.fiscal_year_start,
            clients: a.clients,
            token_ttl: a.token_ttl,
            clock: match (a.now, a.clock_offset) {
                (Some(at), _) => Clock::starting_at(at),
                (None, Some(offset)) => Clock::offset_by(offset),
                (None, None) => Clock::system(),
            },
            appdb_sync_interval: a.appdb_sync_interval,
        }
    }
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Starts the emulator, prints `listening on http://HOST:PORT` (then
/// `demo dataset <ID>` with `--demo`; with `--app`, `app <URL>/`,
/// `page <URL>/page` and `appdb <COLLECTION> dataset <ID>` for each
/// syncEnabled collection) on stdout, and serves until Ctrl-C or SIGTERM.
pub async fn run(args: EmulatorArgs) -> Result<(), Error> {
    let emulator = start(args.into()).await?;
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on {}", emulator.url());
        if let Some(id) = emulator.demo_dataset_id() {
            let _ = writeln!(out, "demo dataset {id}");
        }
        if emulator.serves_app() {
            let _ = writeln!(out, "app {}/", emulator.url());
            let _ = writeln!(out, "page {}/page", emulator.url());
        }
        for (collection, dataset) in emulator.synced_collections() {
            let _ = writeln!(out, "appdb {collection} dataset {dataset}");
        }
        let _ = out.flush();
    }
    emulator.shutdown_on(stop_signal()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_a_unit_or_seconds() {
        for (s, ms) in [
            ("30s", 30_000),
            ("500ms", 500),
            ("2m", 120_000),
            ("1.5", 1_500),
        ] {
            assert_eq!(parse_duration(s), Ok(Duration::from_millis(ms)), "{s}");
        }
        for s in ["", "0", "-1s", "soon", "5h", "inf"] {
            assert!(parse_duration(s).is_err(), "{s}");
        }
    }

    #[test]
    fn months_by_number_or_name() {
        for (s, m) in [("1", 1), ("12", 12), ("July", 7), ("sep", 9), (" OCT ", 10)] {
            assert_eq!(parse_month(s), Ok(m), "{s}");
        }
        for s in ["0", "13", "ju", "smarch", ""] {
            assert!(parse_month(s).is_err(), "{s}");
        }
    }

    #[test]
    fn clock_flags_take_a_time_or_an_offset() {
        assert_eq!(parse_now("2024-03-01"), Ok(1_709_251_200_000));
        assert_eq!(parse_now("2024-03-01T09:00:00Z"), Ok(1_709_283_600_000));
        assert_eq!(parse_now("2024-03-01 09:00"), Ok(1_709_283_600_000));
        assert!(parse_now("yesterday").is_err());
        assert!(parse_now("2024-02-30").is_err());
        for (s, ms) in [
            ("-30d", -2_592_000_000),
            ("+2h", 7_200_000),
            ("90m", 5_400_000),
            ("-15s", -15_000),
            ("250ms", 250),
            ("1.5h", 5_400_000),
        ] {
            assert_eq!(parse_offset(s), Ok(ms), "{s}");
        }
        for s in ["", "30", "-", "3w", "1e300d", "nan s"] {
            assert!(parse_offset(s).is_err(), "{s}");
        }
    }
}
