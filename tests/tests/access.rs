//! Who sees which rows, seen through the real native client against the
//! real emulator over sockets: row policies (PDP) created, changed and
//! enforced per user; access tokens minted, used, revoked and expired;
//! password login and its refusals; sharing that would escalate refused.
//!
//! The emulator is set up through its documented flags (`--user`,
//! `--password`, `--group`, `--token`), as `domo-emulator` takes them.

use std::time::{Duration, UNIX_EPOCH};

use clap::Parser;
use domo_emulator::cli::EmulatorArgs;
use domo_emulator::{EmulatorConfig, ManualClock, RunningEmulator};
use domo_integration_tests::{ADMIN, client, start, test_retries};
use domo_native::model::Id;
use domo_native::model::pdp::{Policy, PolicyParameter};
use domo_native::model::permissions::{AccessLevel, Permission};
use domo_native::model::schema::{Column, ColumnType};
use domo_native::{
    Client, ErrorKind, NewDataset, Secret, ShareOptions, UploadAction, UploadOptions, UploadSource,
};

const EAST: &str = "east-token-4b1d"; // user 7
const WEST: &str = "west-token-9c2e"; // user 8
const GROUPIE: &str = "groupie-token-33a0"; // user 9, in group 3
const SHARER: &str = "sharer-token-6f01"; // user 10
const PASSWORD: &str = "pw-east-correct-5521";

#[derive(Parser)]
struct Flags {
    #[command(flatten)]
    emulator: EmulatorArgs,
}

fn config() -> EmulatorConfig {
    let flags = Flags::try_parse_from([
        "domo-emulator",
        "--addr",
        "127.0.0.1:0",
        "--token",
        &format!("{ADMIN}=1"),
        "--token",
        &format!("{EAST}=7"),
        "--token",
        &format!("{WEST}=8"),
        "--token",
        &format!("{GROUPIE}=9"),
        "--token",
        &format!("{SHARER}=10"),
        "--user",
        "7:east@example.com",
        "--user",
        "8:west@example.com",
        "--user",
        "9:groupie@example.com",
        "--user",
        "10:sharer@example.com:Participant",
        "--password",
        &format!("7={PASSWORD}"),
        "--group",
        "3:Sales:9",
    ])
    .expect("the emulator's documented flags parse");
    flags.emulator.into()
}

async fn emulator() -> RunningEmulator {
    start(config()).await
}

/// A dataset of six sales, shared with users 7, 8, 9 (can edit).
async fn sales(owner: &Client) -> String {
    let stream = owner
        .create_dataset(
            NewDataset::new(
                "Sales by region",
                vec![
                    Column::new("region", ColumnType::String),
                    Column::new("amount", ColumnType::Long),
                ],
            )
            .description("pdp"),
        )
        .await
        .unwrap();
    let id = stream.dataset_id.into_string();
    let csv = "east,10\nEast,20\nwest,100\nnorth,1000\nsouth,10000\nwest,100000\n";
    owner
        .upload(
            &id,
            UploadSource::bytes(csv.to_owned()),
            &UploadOptions::new(UploadAction::Replace),
        )
        .await
        .unwrap();
    let share = ["7", "8", "9"]
        .into_iter()
        .map(|u| Permission::user(u, AccessLevel::CanEdit))
        .collect();
    owner
        .share(&id, share, &ShareOptions::default())
        .await
        .unwrap();
    id
}

async fn total(c: &Client, id: &str) -> i64 {
    let q = c
        .query(id, "SELECT SUM(amount) FROM table")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    q.rows
        .first()
        .and_then(|r| r.first())
        .map(|v| {
            v.as_i64()
                .or_else(|| v.as_f64().map(|f| f as i64))
                .unwrap_or(0)
        })
        .unwrap_or(0)
}

fn policy(id: &str, name: &str, users: &[u64], groups: &[u64], rule: PolicyParameter) -> Policy {
    let mut p = Policy::new(id, name);
    p.user_ids = users.iter().copied().map(Id::Num).collect();
    p.group_ids = groups.iter().copied().map(Id::Num).collect();
    p.parameters = vec![rule];
    p
}

fn eq(column: &str, values: &[&str], ignore_case: bool) -> PolicyParameter {
    let p = PolicyParameter::equals(column, values.iter().copied());
    if ignore_case { p.ignoring_case() } else { p }
}

#[tokio::test]
async fn policies_round_trip_and_decide_what_each_user_sums() {
    let emu = emulator().await;
    let admin = client(&emu, ADMIN);
    let id = sales(&admin).await;
    let (east, west, groupie) = (
        client(&emu, EAST),
        client(&emu, WEST),
        client(&emu, GROUPIE),
    );

    // Off: everyone with access sees every row.
    assert_eq!(total(&east, &id).await, 111_130);

    let created = admin
        .create_policy(
            &id,
            policy(&id, "East", &[7], &[], eq("region", &["east"], true)),
        )
        .await
        .unwrap();
    let east_id = created.filter_group_id.clone().expect("a policy id");
    assert_eq!(created.name, "East");
    let mut not_east = policy(
        &id,
        "Not east",
        &[8],
        &[3],
        PolicyParameter::not_equals("region", ["east"]).ignoring_case(),
    );
    not_east = admin.create_policy(&id, not_east).await.unwrap();
    let listed = admin.policies(&id).await.unwrap();
    let names: Vec<&str> = listed.iter().map(|p| p.name.as_str()).collect();
    assert!(
        names.contains(&"East") && names.contains(&"Not east"),
        "{names:?}"
    );
    let back = listed
        .iter()
        .find(|p| p.filter_group_id.as_ref() == Some(&east_id))
        .unwrap();
    assert_eq!(back.user_ids, [Id::Num(7)]);
    assert!(back.parameters[0].ignore_case);

    admin.set_pdp(&id, true).await.unwrap();
    // ignoreCase: `east` and `East`.
    assert_eq!(total(&east, &id).await, 30);
    // NOT_EQUALS.
    assert_eq!(total(&west, &id).await, 111_100);
    // Through group 3.
    assert_eq!(total(&groupie, &id).await, 111_100);
    // The owner sees every row.
    assert_eq!(total(&admin, &id).await, 111_130);
    // SQL cannot reach past the policy.
    for sql in [
        "SELECT COUNT(*) FROM table",
        "SELECT COUNT(*) FROM (SELECT * FROM table) t",
        "WITH t AS (SELECT * FROM table) SELECT COUNT(*) FROM t",
    ] {
        let q = east.query(&id, sql).await.unwrap();
        assert_eq!(q.rows[0][0].as_i64(), Some(2), "{sql}");
    }

    // Update: East now also gets north, case-sensitive: `East` drops out.
    let mut changed = back.clone();
    changed.parameters = vec![eq("region", &["east", "north"], false)];
    let updated = admin
        .update_policy(&id, &east_id.to_string(), changed)
        .await
        .unwrap();
    assert_eq!(updated.parameters[0].values, ["east", "north"]);
    assert_eq!(total(&east, &id).await, 1010);

    // A union: user 7 in two policies sees the rows of both.
    admin
        .create_policy(
            &id,
            policy(&id, "South", &[7], &[], eq("region", &["south"], false)),
        )
        .await
        .unwrap();
    assert_eq!(total(&east, &id).await, 11_010);

    // Deleted: user 8 is named by no policy, and sees nothing.
    admin
        .delete_policy(&id, &not_east.filter_group_id.unwrap().to_string())
        .await
        .unwrap();
    assert_eq!(total(&west, &id).await, 0);

    // Off again: full access.
    admin.set_pdp(&id, false).await.unwrap();
    assert_eq!(total(&west, &id).await, 111_130);
    assert_eq!(total(&east, &id).await, 111_130);

    // An operator the server does not enforce is refused, naming it.
    let mut odd = policy(&id, "Odd", &[8], &[], eq("amount", &["5"], false));
    odd.parameters[0].operator = domo_native::model::pdp::PolicyOperator::Other("RESEMBLES".into());
    let e = admin.create_policy(&id, odd).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadRequest, "{e}");
    assert!(e.to_string().contains("RESEMBLES"), "{e}");

    // Only the owner, co-owners and admins edit policies.
    let e = east
        .create_policy(
            &id,
            policy(&id, "Mine", &[7], &[], eq("region", &["west"], false)),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden, "{e}");
}

#[tokio::test]
async fn a_minted_token_works_until_revoked_or_expired() {
    // The emulator's clock stands still until the test advances it:
    // expiry is tested without waiting for it.
    let clock = ManualClock::at_system_time();
    let emu = start(EmulatorConfig {
        clock: clock.clock(),
        ..config()
    })
    .await;
    // Expiry times on the emulator's clock.
    let in_ms = |ms: u64| UNIX_EPOCH + Duration::from_millis(clock.now_ms() as u64 + ms);
    let admin = client(&emu, ADMIN);
    let id = sales(&admin).await;

    let minted = admin
        .create_access_token("pipeline", 7u64, in_ms(86_400_000))
        .await
        .unwrap();
    assert!(!format!("{minted:?}").contains(minted.value.expose()));
    let as_token = client(&emu, minted.value.expose());
    assert_eq!(total(&as_token, &id).await, 111_130);
    let listed = admin.access_tokens().await.unwrap();
    let entry = listed.iter().find(|t| t.id == minted.token.id).unwrap();
    assert_eq!(entry.name, "pipeline");
    assert_eq!(entry.owner_id.as_ref().and_then(Id::as_u64), Some(7));
    assert!(!format!("{listed:?}").contains(minted.value.expose()));

    admin
        .revoke_access_token(&minted.token.id.to_string())
        .await
        .unwrap();
    let e = as_token.dataset(&id).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthorized, "{e}");
    assert!(!e.to_string().contains(minted.value.expose()));

    // Expired: works up to its last millisecond, then 401.
    let short = admin
        .create_access_token("short", 7u64, in_ms(1_500))
        .await
        .unwrap();
    let as_short = client(&emu, short.value.expose());
    as_short.dataset(&id).await.unwrap();
    clock.advance(Duration::from_millis(1_499));
    as_short.dataset(&id).await.unwrap();
    clock.advance(Duration::from_millis(1));
    let e = as_short.dataset(&id).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthorized, "{e}");

    // Only an admin mints for someone else; an unknown owner is a 400.
    let east = client(&emu, EAST);
    let e = east
        .create_access_token("for 8", 8u64, in_ms(60_000))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden, "{e}");
    let e = admin
        .create_access_token("nobody", 424_242u64, in_ms(60_000))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadRequest, "{e}");
}

#[tokio::test]
async fn login_gives_a_session_and_refusals_are_auth_errors() {
    let emu = emulator().await;
    let admin = client(&emu, ADMIN);
    let id = sales(&admin).await;
    let settings = || {
        Client::builder()
            .base_url(emu.url())
            .retry_policy(test_retries())
    };

    let (session_client, session) =
        Client::login(settings(), "east@example.com", &Secret::new(PASSWORD))
            .await
            .unwrap();
    assert_eq!(session.user_id.as_ref().and_then(Id::as_u64), Some(7));
    assert!(matches!(
        session_client.credentials(),
        domo_native::Credentials::SessionToken(_)
    ));
    assert_eq!(total(&session_client, &id).await, 111_130);

    let e = Client::login(settings(), "east@example.com", &Secret::new("wrong-guess"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AuthFailed, "{e}");
    assert_eq!(e.auth_reason(), Some("INVALID_CREDENTIALS"));
    assert!(!e.to_string().contains("wrong-guess"));
    assert!(!format!("{e:?}").contains("wrong-guess"));

    // Repeated failures lock the account; then even the right password is
    // refused as locked.
    let mut locked = None;
    for _ in 0..20 {
        let e = Client::login(settings(), "east@example.com", &Secret::new("wrong-again"))
            .await
            .unwrap_err();
        if e.auth_reason() == Some("ACCOUNT_LOCKED") {
            locked = Some(e);
            break;
        }
    }
    let locked = locked.expect("repeated wrong passwords lock the account");
    assert_eq!(locked.kind(), ErrorKind::AuthFailed);
    let e = Client::login(settings(), "east@example.com", &Secret::new(PASSWORD))
        .await
        .unwrap_err();
    assert_eq!(e.auth_reason(), Some("ACCOUNT_LOCKED"), "{e}");
}

/// A host with no Domo instance answers 403 `Forbidden` (text): one clear
/// error, from a server on a socket that answers only that.
#[tokio::test]
async fn login_to_an_unknown_instance_is_one_clear_error() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = vec![0u8; 16 * 1024];
            let _ = sock.read(&mut buf).await;
            let _ = sock
                .write_all(
                    b"HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\ncontent-length: 9\r\nconnection: close\r\n\r\nForbidden",
                )
                .await;
        }
    });
    let e = Client::login(
        Client::builder().base_url(&url),
        "ann@example.com",
        &Secret::new(PASSWORD),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden);
    assert!(e.to_string().contains("no Domo instance"), "{e}");
    assert!(!e.to_string().contains(PASSWORD));
}

#[tokio::test]
async fn sharing_cannot_escalate() {
    let emu = emulator().await;
    let admin = client(&emu, ADMIN);
    let id = sales(&admin).await;
    admin
        .share(
            &id,
            vec![Permission::user("10", AccessLevel::CanShare)],
            &ShareOptions::default(),
        )
        .await
        .unwrap();
    let sharer = client(&emu, SHARER);
    let before = admin.permissions(&id).await.unwrap();

    for level in [
        AccessLevel::Owner,
        AccessLevel::CoOwner,
        AccessLevel::CanEdit,
    ] {
        let e = sharer
            .share(
                &id,
                vec![Permission::user("10", level.clone())],
                &ShareOptions::default(),
            )
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Forbidden, "{level:?}: {e}");
        assert!(
            !e.message().is_empty() && e.message() != "Forbidden",
            "the rule is named: {e}"
        );
    }
    let e = sharer.revoke_user(&id, "1").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden, "{e}");
    let e = sharer
        .share(
            &id,
            vec![Permission::group("3", AccessLevel::CoOwner)],
            &ShareOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden, "{e}");
    // Nothing changed.
    assert_eq!(admin.permissions(&id).await.unwrap().list, before.list);

    // The last owner cannot be removed, even by an admin.
    let e = admin.revoke_user(&id, "1").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden, "{e}");
}

/// An editor under a policy may load rows, but the server withholds data
/// version counts from them (they would reveal hidden rows): the load is
/// reported committed into its version, unverified, never as a mismatch.
#[tokio::test]
async fn a_load_by_a_filtered_editor_is_committed_and_reported_unverified() {
    let emu = emulator().await;
    let admin = client(&emu, ADMIN);
    let id = sales(&admin).await;
    admin
        .create_policy(
            &id,
            policy(&id, "East", &[7], &[], eq("region", &["east"], false)),
        )
        .await
        .unwrap();
    admin.set_pdp(&id, true).await.unwrap();
    let east = client(&emu, EAST);
    let report = east
        .upload(
            &id,
            UploadSource::bytes("east,1\nwest,2\n".to_owned()),
            &UploadOptions::new(UploadAction::Append),
        )
        .await
        .unwrap();
    assert_eq!(report.rows, 2);
    assert!(report.version_id.is_some(), "{report:?}");
    assert_eq!(report.verified_rows, None);
    // The owner's load into the same dataset is verified.
    let report = admin
        .upload(
            &id,
            UploadSource::bytes("north,3\n".to_owned()),
            &UploadOptions::new(UploadAction::Append),
        )
        .await
        .unwrap();
    assert_eq!(report.verified_rows, Some(1));
    assert_eq!(total(&admin, &id).await, 111_136);
    assert_eq!(total(&east, &id).await, 11);
}
