//! One identity per user and group, over real sockets: a user given with
//! `--user` and a group given with `--group` carry the same name in every
//! reply that shows a principal (the caller, dataset and stream owners,
//! search, permission lists, access tokens, the public API), and grants
//! and policies may name only people the registry holds.

mod common;

use common::start;
use domo_emulator::{EmulatorConfig, GroupSpec, UserSpec};
use serde_json::{Value, json};

const ADMIN: &str = "identity-admin";
const EAST: &str = "identity-east"; // user 7, "east"
const WEST: &str = "identity-west"; // user 8, known only by its token

fn config() -> EmulatorConfig {
    let mut c = EmulatorConfig::ephemeral()
        .with_token(ADMIN, 1)
        .with_token(EAST, 7)
        .with_token(WEST, 8)
        .with_client("east-app", "east-secret", 7);
    c.users = vec![UserSpec {
        id: 7,
        email: "east@example.com".into(),
        role: Some("Privileged".into()),
    }];
    c.groups = vec![GroupSpec {
        id: 3,
        name: "East team".into(),
        members: vec![7],
    }];
    c
}

/// An access token of the public API for `east-app` (user 7).
async fn bearer(url: &str) -> String {
    let r = reqwest::Client::new()
        .post(format!("{url}/oauth/token"))
        .basic_auth("east-app", Some("east-secret"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    let v: Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    v["access_token"].as_str().unwrap().to_owned()
}

async fn public_get(url: &str, token: &str, path: &str) -> Value {
    let r = reqwest::Client::new()
        .get(format!("{url}{path}"))
        .header("authorization", format!("bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}");
    serde_json::from_slice(&r.bytes().await.unwrap()).unwrap()
}

#[tokio::test]
async fn a_user_and_a_group_have_one_name_everywhere() {
    let (emu, admin) = start(config()).await;
    let admin = admin.as_token(ADMIN);
    let east = admin.as_token(EAST);

    // The caller.
    let me = east.get("/api/content/v2/users/me").await.ok_json();
    assert_eq!(
        me,
        json!({"id": 7, "displayName": "east", "userName": "east@example.com",
               "emailAddress": "east@example.com", "role": "Privileged"})
    );
    // A user named only by a token is "User N", in the registry like any other.
    let west = admin
        .as_token(WEST)
        .get("/api/content/v2/users/me")
        .await
        .ok_json();
    assert_eq!(
        (&west["displayName"], &west["emailAddress"], &west["role"]),
        (
            &json!("User 8"),
            &json!("user8@emulator.local"),
            &json!("Editor")
        )
    );

    // Owners: the dataset, the list, search, the stream.
    let (ds, sid) = east
        .create_dataset("Owned by east", &[("a", "STRING")])
        .await;
    let got = east
        .get(&format!("/api/data/v3/datasources/{ds}"))
        .await
        .ok_json();
    assert_eq!(
        got["owner"],
        json!({"id": 7, "name": "east", "type": "USER"})
    );
    let listed = east.get("/api/data/v3/datasources").await.ok_json();
    let mine = listed["dataSources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == ds.as_str())
        .unwrap();
    assert_eq!(mine["owner"]["name"], "east");
    let found = east
        .post(
            "/api/search/v1/query",
            &json!({"query": "*", "entities": ["DATASET"], "count": 10, "offset": 0}),
        )
        .await
        .ok_json();
    let hit = found["searchObjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["databaseId"] == ds.as_str())
        .unwrap_or_else(|| panic!("{found}"));
    assert_eq!(
        (&hit["ownedById"], &hit["ownedByName"]),
        (&json!("7"), &json!("east"))
    );
    let stream = east
        .get(&format!("/api/data/v1/streams/{sid}"))
        .await
        .ok_json();
    assert_eq!(stream["dataSource"]["owner"]["name"], "east", "{stream}");

    // Permission lists name users and groups as the registry does.
    east.post(
        &format!("/api/data/v3/datasources/{ds}/share"),
        &json!({"permissions": [
            {"type": "GROUP", "id": 3, "accessLevel": "CAN_EDIT"},
            {"type": "USER", "id": "8", "accessLevel": "CAN_SHARE"},
        ], "sendEmail": false}),
    )
    .await
    .ok_status();
    let perms = east
        .get(&format!("/api/data/v3/datasources/{ds}/permissions"))
        .await
        .ok_json();
    let names: Vec<(&str, &str)> = perms["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        names,
        [("7", "east"), ("3", "East team"), ("8", "User 8")],
        "{perms}"
    );

    // Access tokens name their owner the same way.
    let minted = admin
        .post(
            "/api/data/v1/accesstokens",
            &json!({"name": "ci", "ownerId": 7, "expires": 4_102_444_800_000i64}),
        )
        .await
        .ok_json();
    assert_eq!(minted["ownerName"], "east");
    let tokens = admin.get("/api/data/v1/accesstokens").await.ok_json();
    assert_eq!(tokens[0]["ownerName"], "east");

    // The public API: the same dataset's owner, the same user.
    let token = bearer(emu.url()).await;
    let v1 = public_get(emu.url(), &token, &format!("/v1/datasets/{ds}")).await;
    assert_eq!(v1["owner"], json!({"id": 7, "name": "east"}));
    let user = public_get(emu.url(), &token, "/v1/users/7").await;
    assert_eq!(
        (&user["name"], &user["email"]),
        (&json!("east"), &json!("east@example.com"))
    );
    let group = public_get(emu.url(), &token, "/v1/groups/3").await;
    assert_eq!(group["name"], "East team");
}

#[tokio::test]
async fn grants_and_policies_name_people_as_the_registry_does() {
    let (emu, c) = start(config()).await;
    let east = c.as_token(EAST);
    let (ds, _) = east
        .create_dataset("Guarded", &[("region", "STRING")])
        .await;
    let share = |entry: Value| {
        let east = east.clone();
        let ds = ds.clone();
        async move {
            east.post(
                &format!("/api/data/v3/datasources/{ds}/share"),
                &json!({"permissions": [
                    {"type": "USER", "id": 8, "accessLevel": "CAN_SHARE"},
                    entry,
                ]}),
            )
            .await
        }
    };
    let msg = share(json!({"type": "USER", "id": "east", "accessLevel": "CAN_EDIT"}))
        .await
        .expect_error(400);
    assert!(
        msg.contains("permissions[1].id must be a user id (an integer), got `east`"),
        "{msg}"
    );
    // Nothing of a refused share was applied.
    let perms = east
        .get(&format!("/api/data/v3/datasources/{ds}/permissions"))
        .await
        .ok_json();
    assert_eq!(perms["list"].as_array().unwrap().len(), 1, "{perms}");

    // `008` and `8` are one grantee; ids the registry does not hold are
    // kept (as the product API's filter groups keep them) and named as the
    // registry names such ids.
    share(json!({"type": "USER", "id": "008", "accessLevel": "CAN_SHARE"}))
        .await
        .ok_status();
    share(json!({"type": "GROUP", "id": "42", "accessLevel": "CAN_EDIT"}))
        .await
        .ok_status();
    share(json!({"type": "USER", "id": 99, "accessLevel": "CAN_EDIT"}))
        .await
        .ok_status();
    let perms = east
        .get(&format!("/api/data/v3/datasources/{ds}/permissions"))
        .await
        .ok_json();
    let names: Vec<(&str, &str)> = perms["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        names,
        [
            ("7", "east"),
            ("8", "User 8"),
            ("42", "Group 42"),
            ("99", "User 99")
        ],
        "{perms}"
    );

    // The public API's policies name only people of the registry ("users
    // and groups must exist before creating PDP policy"); the product API's
    // filter groups keep ids it does not know.
    let token = bearer(emu.url()).await;
    for (field, people) in [
        ("users[1]: user 99", json!({"users": [7, 99]})),
        ("groups[0]: group 42", json!({"groups": [42]})),
    ] {
        let mut policy = json!({
            "name": "East rows",
            "filters": [{"column": "region", "values": ["east"], "operator": "EQUALS"}],
        });
        for (k, v) in people.as_object().unwrap() {
            policy[k] = v.clone();
        }
        let r = reqwest::Client::new()
            .post(format!("{}/v1/datasets/{ds}/policies", emu.url()))
            .header("authorization", format!("bearer {token}"))
            .header("content-type", "application/json")
            .body(policy.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let body: Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
        let msg = body["message"].as_str().unwrap();
        assert!(msg.contains(field), "{msg}");
        assert!(msg.contains("must exist"), "{msg}");
    }
    east.post(
        &format!("/api/query/v1/data-control/{ds}/filter-groups"),
        &json!({
            "name": "Kept", "dataSourceId": ds, "userIds": [99], "groupIds": [42],
            "parameters": [{"type": "COLUMN", "name": "region", "values": ["east"]}],
        }),
    )
    .await
    .ok_json();
}

/// A grant kept in a data directory names whoever the registry of the
/// next start holds; an id it no longer holds is "User N" / "Group N".
#[tokio::test]
async fn names_follow_the_registry_of_each_start() {
    let dir = std::env::temp_dir().join(format!("domo-emulator-identity-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let with_dir = |c: EmulatorConfig| EmulatorConfig {
        data_dir: Some(dir.clone()),
        ..c
    };
    let (emu, c) = start(with_dir(config())).await;
    let east = c.as_token(EAST);
    let (ds, _) = east.create_dataset("Kept", &[("a", "STRING")]).await;
    east.post(
        &format!("/api/data/v3/datasources/{ds}/share"),
        &json!({"permissions": [{"type": "GROUP", "id": 3, "accessLevel": "CAN_EDIT"}]}),
    )
    .await
    .ok_status();
    emu.shutdown().await;

    // Started again: user 7 is now someone else, group 3 is gone.
    let mut next = with_dir(config());
    next.users[0].email = "e.ast@example.com".into();
    next.groups.clear();
    let (emu, c) = start(next).await;
    let admin = c.as_token(ADMIN);
    let got = admin
        .get(&format!("/api/data/v3/datasources/{ds}"))
        .await
        .ok_json();
    assert_eq!(got["owner"]["name"], "e.ast");
    let perms = admin
        .get(&format!("/api/data/v3/datasources/{ds}/permissions"))
        .await
        .ok_json();
    let names: Vec<&str> = perms["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["e.ast", "Group 3"], "{perms}");
    emu.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
