//! The public API on a clock the test moves: a token is refused the
//! moment its `exp` passes, over a real socket, without waiting.

use std::sync::Arc;
use std::time::Duration;

use crate::clock::ManualClock;
use crate::server::{EmulatorConfig, serve};
use crate::store::Store;

#[tokio::test]
async fn a_token_past_its_exp_is_refused_with_a_401() {
    let now = ManualClock::at(1_800_000_000_000);
    let config = EmulatorConfig {
        token_ttl: std::time::Duration::from_secs(30),
        ..EmulatorConfig::ephemeral().with_client("app", "pw", 1)
    };
    let store = Store::in_memory().with_clock(now.clock());
    let emu = serve(config, Arc::new(store)).await.unwrap();
    let http = reqwest::Client::new();
    let reply: serde_json::Value = http
        .post(format!("{}/oauth/token", emu.url()))
        .basic_auth("app", Some("pw"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .map(|b| serde_json::from_slice(&b).unwrap())
        .unwrap();
    assert_eq!(reply["expires_in"], 30);
    let token = reply["access_token"].as_str().unwrap().to_owned();
    let list = || {
        http.get(format!("{}/v1/datasets", emu.url()))
            .header("authorization", format!("bearer {token}"))
            .send()
    };
    assert_eq!(list().await.unwrap().status(), 200);
    now.advance(Duration::from_millis(29_999));
    assert_eq!(list().await.unwrap().status(), 200, "1 ms before exp");
    now.advance(Duration::from_millis(1));
    let refused = list().await.unwrap();
    assert_eq!(refused.status(), 401);
    let challenge = refused.headers()["www-authenticate"].to_str().unwrap();
    assert!(
        challenge.starts_with("Bearer error=\"invalid_token\""),
        "{challenge}"
    );
    let body: serde_json::Value = serde_json::from_slice(&refused.bytes().await.unwrap()).unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("expired"),
        "{body}"
    );
    emu.shutdown().await;
}
