//! The emulator's known differences from Domo, each pinned as it stands
//! today: the README's "Where the emulator differs from Domo" names the
//! test of each, so a change in any of them is seen and the list stays
//! true. (The SQL dialect's, the custom app's and the public API's own
//! differences are listed in their sections, with their tests.)

mod common;

use std::time::Duration;

use common::{Client, start, start_default};
use domo_emulator::{EmulatorConfig, ManualClock, Password, UserSpec};
use reqwest::Method;
use serde_json::{Value, json};

const EAST_TOKEN: &str = "east-developer-token";
const PASSWORD: &str = "east-password-0917-q";

/// An emulator whose user 7 has a developer token and a password, on a
/// clock that stands still.
async fn with_east(clock: &ManualClock) -> (domo_emulator::RunningEmulator, Client) {
    let mut config = EmulatorConfig {
        clock: clock.clock(),
        ..EmulatorConfig::ephemeral()
    }
    .with_token("admin-token", 1)
    .with_token(EAST_TOKEN, 7);
    config.users = vec![UserSpec {
        id: 7,
        email: "east@example.com".into(),
        role: None,
    }];
    config.passwords = vec![(7, Password::new(PASSWORD))];
    let (emu, c) = start(config).await;
    let c = c.as_token(EAST_TOKEN);
    (emu, c)
}

/// A session token of user 7, from a password login.
async fn session(c: &Client) -> String {
    let v = c
        .as_token("")
        .post(
            "/api/content/v2/authentication",
            &json!({"method": "password", "emailAddress": "east@example.com", "password": PASSWORD}),
        )
        .await
        .ok_json();
    assert_eq!(v["success"], true, "{v}");
    v["sessionToken"].as_str().unwrap().to_owned()
}

/// Who a credential sent in `header` is, or the HTTP status.
async fn me(c: &Client, header: &str, credential: &str) -> Value {
    let r = c
        .as_token("")
        .send(
            Method::GET,
            "/api/content/v2/users/me",
            None,
            &[(header, credential)],
        )
        .await;
    if r.status == 200 {
        r.json()["id"].clone()
    } else {
        json!(r.status.as_u16())
    }
}

/// Domo does not promise an order without ORDER BY (its engine is
/// distributed); the emulator gives rows in the order they were stored,
/// upload after upload, on every read path.
#[tokio::test]
async fn rows_come_in_stored_order_without_order_by() {
    let (_emu, c) = start_default().await;
    let (ds, _) = c
        .create_dataset("Order", &[("name", "STRING"), ("n", "LONG")])
        .await;
    c.upload(&ds, &["c,3\na,1\nb,2\n"], "REPLACE").await;
    c.upload(&ds, &["z,0\n"], "APPEND").await;
    let stored = json!([["c"], ["a"], ["b"], ["z"]]);
    let sql = c.sql(&ds, "SELECT name FROM table").await.ok_json();
    assert_eq!(sql["rows"], stored, "{sql}");
    let data = c
        .get(&format!("/api/data/v3/datasources/{ds}/data"))
        .await
        .ok_json();
    let names: Vec<Value> = data["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| json!([r[0]]))
        .collect();
    assert_eq!(json!(names), stored, "{data}");
    assert_eq!(c.export(&ds, false).await, "c,3\na,1\nb,2\nz,0\n");
}

/// Domo indexes an upload after its commit, so a query may briefly see
/// the old data; in the emulator a commit is visible to the next request,
/// and an index request is done at once.
#[tokio::test]
async fn indexing_is_instantaneous() {
    let (_emu, c) = start_default().await;
    let (ds, _) = c.create_dataset("Fresh", &[("n", "LONG")]).await;
    c.upload(&ds, &["1\n2\n"], "REPLACE").await;
    assert_eq!(
        c.sql(&ds, "SELECT COUNT(*) FROM table").await.ok_json()["rows"],
        json!([[2]])
    );
    assert_eq!(c.dataset(&ds).await["rowCount"], 2);
    let idx = c
        .post(
            &format!("/api/data/v3/datasources/{ds}/indexes"),
            &json!({"dataIds": []}),
        )
        .await
        .ok_json();
    let id = idx["indexId"].as_i64().unwrap();
    let status = c
        .get(&format!(
            "/api/data/v3/datasources/{ds}/indexes/{id}/statuses"
        ))
        .await
        .ok_json();
    assert_eq!(status["status"], "SUCCESS");
}

/// Domo takes developer and access tokens in `X-DOMO-Developer-Token` and
/// session tokens in `X-DOMO-Authentication`; the emulator takes any of
/// its credentials in any of its token headers (a custom app's
/// `X-DOMO-Ryuu-Session` too).
#[tokio::test]
async fn any_token_works_in_any_header() {
    let clock = ManualClock::at(1_709_283_600_000);
    let (_emu, c) = with_east(&clock).await;
    let session = session(&c).await;
    let minted = c
        .post(
            "/api/data/v1/accesstokens",
            &json!({"name": "ci", "ownerId": 7, "expires": 1_709_283_600_000_i64 + 3_600_000}),
        )
        .await
        .ok_json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    for header in [
        "X-DOMO-Developer-Token",
        "X-DOMO-Authentication",
        "X-DOMO-Ryuu-Session",
    ] {
        for credential in [EAST_TOKEN, session.as_str(), minted.as_str()] {
            assert_eq!(me(&c, header, credential).await, json!(7), "{header}");
        }
        assert_eq!(me(&c, header, "not-a-token").await, json!(401), "{header}");
    }
}

/// Domo's `GET .../datasources/{id}` shapes its answer by `part` and
/// `includeAllDetails`; the emulator ignores both and answers the same
/// object.
#[tokio::test]
async fn part_and_include_all_details_are_ignored() {
    let (_emu, c) = start_default().await;
    let (ds, _) = c.create_dataset("Parts", &[("n", "LONG")]).await;
    let plain = c.dataset(&ds).await;
    for query in [
        "part=core",
        "part=core,permission,owner,stream,tags",
        "includeAllDetails=true",
        "includeAllDetails=false&part=core",
    ] {
        let shaped = c
            .get(&format!("/api/data/v3/datasources/{ds}?{query}"))
            .await
            .ok_json();
        assert_eq!(shaped, plain, "{query}");
    }
}

/// Domo limits the rate of calls (429 with `Retry-After`); the emulator
/// never does unless `--faults` asks for it
/// (`tests/access.rs::faults_rate_limit_every_request`).
#[tokio::test]
async fn no_rate_limit_without_faults() {
    let (_emu, c) = start_default().await;
    let (ds, _) = c.create_dataset("Busy", &[("n", "LONG")]).await;
    let path = format!("/api/data/v3/datasources/{ds}");
    let calls = (0..100).map(|_| c.get(&path));
    for r in futures_util::future::join_all(calls).await {
        assert_eq!(r.status, 200, "{}", r.text());
        assert!(r.headers.get("retry-after").is_none());
    }
}

/// Domo's login sessions expire; the emulator's last as long as it runs.
#[tokio::test]
async fn sessions_do_not_expire() {
    let clock = ManualClock::at(1_709_283_600_000);
    let (_emu, c) = with_east(&clock).await;
    let session = session(&c).await;
    clock.advance(Duration::from_secs(400 * 24 * 3600));
    assert_eq!(me(&c, "X-DOMO-Authentication", &session).await, json!(7));
}

/// The emulator's time zone is UTC, whatever the machine's: SQL's clock,
/// the dates it writes and the times in replies carry no offset.
#[tokio::test]
async fn the_clock_is_utc() {
    // 2024-03-01T23:30:00Z: already March 2 east of Greenwich.
    let clock = ManualClock::at(1_709_335_800_000);
    let (_emu, c) = start(EmulatorConfig {
        clock: clock.clock(),
        ..EmulatorConfig::ephemeral()
    })
    .await;
    let (ds, _) = c.create_dataset("Zone", &[("n", "LONG")]).await;
    assert_eq!(
        c.sql(&ds, "SELECT CURDATE(), NOW(), UNIX_TIMESTAMP()")
            .await
            .ok_json()["rows"],
        json!([["2024-03-01", "2024-03-01T23:30:00", 1_709_335_800]])
    );
}
