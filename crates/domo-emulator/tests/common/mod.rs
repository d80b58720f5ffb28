//! A small HTTP client for talking to an in-process emulator over a real socket.
#![allow(dead_code)] // each test file uses a different subset

use domo_emulator::{EmulatorConfig, RunningEmulator};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A scratch directory under the system's temp dir, removed on drop.
pub struct Scratch(pub std::path::PathBuf);

impl Scratch {
    pub fn new(tag: &str) -> Self {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "domo-emulator-test-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn message(&self) -> String {
        self.json()["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
    /// Asserts an error status and the JSON error shape; returns the message.
    pub fn expect_error(&self, status: u16) -> String {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text());
        assert_eq!(self.headers["content-type"], "application/json");
        let v = self.json();
        assert_eq!(v["status"], status);
        assert!(v["statusReason"].is_string());
        assert!(v["toe"].as_str().is_some_and(|t| !t.is_empty()));
        v["message"].as_str().unwrap().to_owned()
    }
    /// Asserts a 200, whatever the body.
    pub fn ok_status(&self) {
        assert_eq!(self.status, StatusCode::OK, "body: {}", self.text());
    }
    pub fn ok_json(&self) -> Value {
        assert_eq!(self.status, StatusCode::OK, "body: {}", self.text());
        self.json()
    }
}

#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Client {
    pub fn new(base: &str, token: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: base.to_owned(),
            token: token.to_owned(),
        }
    }

    pub fn as_token(&self, token: &str) -> Self {
        Self {
            token: token.to_owned(),
            ..self.clone()
        }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if !self.token.is_empty() {
            req = req.header("X-DOMO-Developer-Token", &self.token);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.body(b);
        }
        let resp = req.send().await.expect("request failed");
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.expect("body failed").to_vec();
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(Method::GET, path, None, &[]).await
    }

    pub async fn json(&self, method: Method, path: &str, body: &Value) -> Resp {
        let bytes = serde_json::to_vec(body).unwrap();
        self.send(
            method,
            path,
            Some(bytes),
            &[("content-type", "application/json")],
        )
        .await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Resp {
        self.json(Method::POST, path, body).await
    }

    /// Creates a dataset through a stream; returns (dataset id, stream id).
    pub async fn create_dataset(&self, name: &str, columns: &[(&str, &str)]) -> (String, i64) {
        let cols: Vec<Value> = columns
            .iter()
            .map(|(n, t)| json!({"name": n, "type": t}))
            .collect();
        let v = self
            .post(
                "/api/data/v1/streams",
                &json!({
                    "transport": {"type": "API"},
                    "dataSource": {"name": name, "description": "test"},
                    "dataProvider": {"key": "api", "name": "API"},
                    "updateMethod": "APPEND",
                    "schemaDefinition": {"columns": cols},
                }),
            )
            .await
            .ok_json();
        (
            v["dataSource"]["id"].as_str().unwrap().to_owned(),
            v["id"].as_i64().unwrap(),
        )
    }

    pub async fn start_upload(&self, ds: &str) -> i64 {
        let v = self
            .post(
                &format!("/api/data/v3/datasources/{ds}/uploads"),
                &json!({"action": null, "appendId": null}),
            )
            .await
            .ok_json();
        assert_eq!(v["dataSourceId"], ds);
        assert!(v["requestedAsOf"].as_i64().unwrap() > 0);
        v["uploadId"].as_i64().unwrap()
    }

    pub async fn put_part(&self, ds: &str, upload: i64, part: i64, csv: &[u8]) -> Resp {
        self.send(
            Method::PUT,
            &format!("/api/data/v3/datasources/{ds}/uploads/{upload}/parts/{part}"),
            Some(csv.to_vec()),
            &[("content-type", "text/csv")],
        )
        .await
    }

    pub async fn commit(&self, ds: &str, upload: i64, body: &Value) -> Resp {
        self.json(
            Method::PUT,
            &format!("/api/data/v3/datasources/{ds}/uploads/{upload}/commit"),
            body,
        )
        .await
    }

    /// Uploads `parts` in order and commits with `action`; returns the commit JSON.
    pub async fn upload(&self, ds: &str, parts: &[&str], action: &str) -> Value {
        let up = self.start_upload(ds).await;
        for (i, p) in parts.iter().enumerate() {
            self.put_part(ds, up, i as i64 + 1, p.as_bytes())
                .await
                .ok_json();
        }
        self.commit(ds, up, &json!({"action": action, "index": true}))
            .await
            .ok_json()
    }

    pub async fn dataset(&self, ds: &str) -> Value {
        self.get(&format!("/api/data/v3/datasources/{ds}"))
            .await
            .ok_json()
    }

    pub async fn export(&self, ds: &str, header: bool) -> String {
        let r = self
            .send(
                Method::GET,
                &format!(
                    "/api/data/v2/datasources/{ds}/dataversions/latest?includeHeader={header}"
                ),
                None,
                &[("accept", "text/csv")],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(
            r.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        r.text()
    }

    pub async fn sql(&self, ds: &str, sql: &str) -> Resp {
        self.post(&format!("/api/query/v1/execute/{ds}"), &json!({"sql": sql}))
            .await
    }
}

pub async fn start(config: EmulatorConfig) -> (RunningEmulator, Client) {
    let emu = domo_emulator::start(config).await.expect("emulator starts");
    let client = Client::new(emu.url(), domo_emulator::DEFAULT_TOKEN);
    (emu, client)
}

pub async fn start_default() -> (RunningEmulator, Client) {
    start(EmulatorConfig::ephemeral()).await
}
