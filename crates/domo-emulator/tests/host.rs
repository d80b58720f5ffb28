//! The Domo page around the app (`GET /page`) and its data-update events
//! (`GET /page/events`): a mapped dataset's new rows, through any API or an
//! AppDB export, are announced by alias; nothing else is.

mod common;

use std::path::{Path, PathBuf};

use common::{Client, Scratch};
use domo_emulator::{DEMO_DATASET_ID, EmulatorConfig, RunningEmulator};
use serde_json::json;

fn make_app(dir: &Path, notes_dataset: Option<&str>) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<html><head></head><body>app</body></html>",
    )
    .unwrap();
    let mut mapping = vec![json!({"alias": "sales", "dataSetId": DEMO_DATASET_ID})];
    if let Some(id) = notes_dataset {
        mapping.push(json!({"alias": "notes_ds", "dataSetId": id}));
    }
    let manifest = json!({
        "name": "Sales <board> & co",
        "datasetsMapping": mapping,
        "collections": [{"name": "notes", "syncEnabled": true,
                         "schema": {"columns": [{"name": "text", "type": "STRING"}]}}],
    });
    std::fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
    dir.to_path_buf()
}

async fn start(app: PathBuf, data: &Path) -> RunningEmulator {
    domo_emulator::start(
        EmulatorConfig {
            app_dir: Some(app),
            data_dir: Some(data.to_path_buf()),
            demo: true,
            ..EmulatorConfig::ephemeral()
        }
        .with_token("admin", 1),
    )
    .await
    .unwrap()
}

/// Reads server-sent events until one named `name` arrives; returns its data.
async fn next_event(resp: &mut reqwest::Response, buf: &mut String, name: &str) -> String {
    loop {
        if let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let mut event = "";
            let mut data = "";
            for line in block.lines() {
                if let Some(e) = line.strip_prefix("event: ") {
                    event = e;
                } else if let Some(d) = line.strip_prefix("data: ") {
                    data = d;
                }
            }
            assert_eq!(event, name, "the next event: {block}");
            return data.to_owned();
        }
        let chunk = resp
            .chunk()
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("the stream ended waiting for {name}: {buf}"));
        buf.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test]
async fn the_page_frames_the_app_and_announces_mapped_data_updates() {
    let scratch = Scratch::new("host");
    let base = scratch.0.clone();
    let data = base.join("data");
    // A first run tells the collection's dataset id, so the manifest maps it.
    let emu = start(make_app(&base.join("app"), None), &data).await;
    let notes = emu.synced_collections()[0].1.clone();
    emu.shutdown().await;
    let emu = start(make_app(&base.join("app"), Some(&notes)), &data).await;
    let admin = Client::new(emu.url(), "admin");

    let r = reqwest::get(format!("{}/page", emu.url())).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/html; charset=utf-8");
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("ryuu_sid="), "{cookie}");
    let html = r.text().await.unwrap();
    assert!(
        html.contains(r#"<iframe id="app" title="Sales &lt;board&gt; &amp; co" src="/?userId=1&customer=emulator&locale=en-US&platform=desktop">"#),
        "{html}"
    );
    assert!(html.contains("new EventSource(\"/page/events\")"));

    // The page's EventSource sends the cookie it was given.
    let session = cookie.split(';').next().unwrap().to_owned();
    let mut events = reqwest::Client::new()
        .get(format!("{}/page/events", emu.url()))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), 200);
    assert_eq!(events.headers()["content-type"], "text/event-stream");
    let mut buf = String::new();
    next_event(&mut events, &mut buf, "ready").await;

    // New rows through the product API: the alias that maps them.
    admin
        .upload(
            DEMO_DATASET_ID,
            &["East,1,2.5,2.50,2024-01-01,2024-01-01T00:00:00\n"],
            "APPEND",
        )
        .await;
    let data = next_event(&mut events, &mut buf, "dataUpdated").await;
    assert_eq!(data, r#"{"alias":"sales"}"#);

    // An unmapped dataset changes: nothing; an AppDB export into a mapped
    // dataset: its alias, and only that.
    let (other, _) = admin.create_dataset("Other", &[("n", "LONG")]).await;
    admin.upload(&other, &["1\n"], "APPEND").await;
    let doc = admin
        .post(
            "/domo/datastores/v1/collections/notes/documents",
            &json!({"content": {"text": "hi"}}),
        )
        .await;
    assert_eq!(doc.status, 200, "{}", doc.text());
    let r = admin.post("/domo/datastores/v1/export", &json!({})).await;
    assert_eq!(r.ok_json()["exported"][0]["rows"], 1);
    let data = next_event(&mut events, &mut buf, "dataUpdated").await;
    assert_eq!(data, r#"{"alias":"notes_ds"}"#);

    // Without a session, no events; when the server stops, the stream ends.
    let r = reqwest::get(format!("{}/page/events", emu.url()))
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    emu.shutdown().await;
    while let Some(chunk) = events.chunk().await.unwrap_or(None) {
        assert!(
            chunk.is_empty() || !buf.contains("dataUpdated"),
            "{chunk:?}"
        );
    }
}
