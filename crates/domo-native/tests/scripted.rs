//! The native client against a local HTTP server whose replies are scripted
//! per test (127.0.0.1, port 0): rate limits, 503 storms, slow replies,
//! connection resets, and what the client sends.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use domo_native::model::permissions::PrincipalRef;
use domo_native::{
    Client, ErrorKind, ExportOptions, HeaderMode, RetryPolicy, UploadAction, UploadOptions,
    UploadSource,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const TOKEN: &str = "scripted-secret-token-8c1f";

#[derive(Clone)]
enum Reply {
    Status {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: String,
    },
    Delay(Duration, Box<Reply>),
    Reset,
}

fn json(status: u16, body: &str) -> Reply {
    Reply::Status {
        status,
        headers: vec![("content-type", "application/json".into())],
        body: body.into(),
    }
}

fn empty(status: u16) -> Reply {
    Reply::Status {
        status,
        headers: vec![],
        body: String::new(),
    }
}

fn rate_limited(retry_after: &str) -> Reply {
    Reply::Status {
        status: 429,
        headers: vec![
            ("retry-after", retry_after.into()),
            ("content-type", "application/json".into()),
        ],
        body: r#"{"status":429,"message":"Too many requests"}"#.into(),
    }
}

fn maintenance() -> Reply {
    Reply::Status {
        status: 503,
        headers: vec![("content-type", "text/html".into())],
        body: "<!DOCTYPE html><html><head><title>Domo is down for maintenance</title></head><body>back soon</body></html>".into(),
    }
}

#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

struct Scripted {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Scripted {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Scripted {
    async fn start(replies: Vec<Reply>) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(VecDeque::from(replies)));
        let (s2, q2) = (seen.clone(), script.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(connection(sock, s2.clone(), q2.clone()));
            }
        });
        Scripted { url, seen, task }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

async fn connection(
    mut sock: TcpStream,
    seen: Arc<Mutex<Vec<Seen>>>,
    script: Arc<Mutex<VecDeque<Reply>>>,
) {
    let mut buf = Vec::new();
    loop {
        // Read one request: head, then Content-Length bytes of body.
        let head_end = loop {
            if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break p + 4;
            }
            let mut chunk = [0u8; 8192];
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        let mut lines = head.split("\r\n");
        let mut first = lines.next().unwrap_or_default().split(' ');
        let method = first.next().unwrap_or_default().to_owned();
        let path = first.next().unwrap_or_default().to_owned();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| {
                l.split_once(": ")
                    .map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned()))
            })
            .collect();
        let len: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        while buf.len() < head_end + len {
            let mut chunk = [0u8; 8192];
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body = buf[head_end..head_end + len].to_vec();
        buf.drain(..head_end + len);
        seen.lock().unwrap().push(Seen {
            method,
            path,
            headers,
            body,
        });

        let mut reply = script
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or_else(|| json(500, r#"{"message":"script exhausted"}"#));
        loop {
            match reply {
                Reply::Delay(d, next) => {
                    tokio::time::sleep(d).await;
                    reply = *next;
                }
                Reply::Reset => {
                    // Linger 0 makes close send RST: the client sees a reset.
                    // (Deprecated because a non-zero linger blocks on drop;
                    // zero does not.)
                    #[allow(deprecated)]
                    let _ = sock.set_linger(Some(Duration::ZERO));
                    return;
                }
                Reply::Status {
                    status,
                    headers,
                    body,
                } => {
                    let mut out =
                        format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
                    for (k, v) in headers {
                        out.push_str(&format!("{k}: {v}\r\n"));
                    }
                    out.push_str("\r\n");
                    out.push_str(&body);
                    if sock.write_all(out.as_bytes()).await.is_err() {
                        return;
                    }
                    break;
                }
            }
        }
    }
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
        budget: Duration::from_secs(10),
    }
}

fn client(url: &str) -> Client {
    Client::builder()
        .base_url(url)
        .developer_token(TOKEN)
        .retry_policy(fast_retries())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

const DATASET: &str = r#"{"id":"ds-1","name":"Sales","rowCount":3,"tags":"[\"x\"]"}"#;

#[tokio::test]
async fn rate_limit_then_success() {
    let s = Scripted::start(vec![rate_limited("0"), json(200, DATASET)]).await;
    let d = client(&s.url).dataset("ds-1").await.unwrap();
    assert_eq!(d.row_count(), Some(3));
    let seen = s.seen();
    assert_eq!(seen.len(), 2);
    for r in &seen {
        assert_eq!(r.method, "GET");
        assert_eq!(r.path, "/api/data/v3/datasources/ds-1");
        assert_eq!(r.header("x-domo-developer-token"), Some(TOKEN));
        assert_eq!(r.header("accept"), Some("application/json"));
    }
}

/// The wait runs on tokio's clock, paused here: it is checked to the
/// millisecond without being spent.
#[tokio::test(start_paused = true)]
async fn retry_after_is_honoured() {
    let s = Scripted::start(vec![rate_limited("1"), json(200, DATASET)]).await;
    let started = tokio::time::Instant::now();
    let c = Client::builder()
        .base_url(&s.url)
        .developer_token(TOKEN)
        .retry_policy(RetryPolicy {
            max_delay: Duration::from_secs(5),
            ..fast_retries()
        })
        .build()
        .unwrap();
    c.dataset("ds-1").await.unwrap();
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(1), "waited {waited:?}");
    assert_eq!(s.seen().len(), 2);
}

#[tokio::test]
async fn rate_limit_as_403_is_retried_even_for_post() {
    let s = Scripted::start(vec![
        json(403, r#"{"status":403,"message":"API Rate limit reached."}"#),
        json(
            200,
            r#"{"dataSourceId":"ds-1","uploadId":10,"requestedAsOf":1}"#,
        ),
    ])
    .await;
    let up = client(&s.url)
        .send(&domo_native::core::uploads::StartUpload::new("ds-1", None))
        .await
        .unwrap();
    assert_eq!(up.upload_id.as_u64(), Some(10));
    assert_eq!(s.seen().len(), 2);
}

#[tokio::test]
async fn a_503_storm_gives_up_after_max_attempts_with_the_page_title() {
    let s = Scripted::start(vec![maintenance(); 10]).await;
    let e = client(&s.url).schema("ds-1").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Server);
    assert_eq!(e.status(), Some(503));
    assert!(
        e.to_string().contains("Domo is down for maintenance"),
        "{e}"
    );
    assert!(
        e.to_string()
            .contains("GET /api/data/v2/datasources/ds-1/schemas/latest"),
        "{e}"
    );
    assert_eq!(s.seen().len(), 4, "max_attempts is 4");
}

/// On tokio's paused clock: the 300 ms timeout passes before the 3 s
/// reply every time, and neither is waited for.
#[tokio::test(start_paused = true)]
async fn a_slow_reply_past_the_timeout_is_a_timeout_then_retried() {
    let slow = Reply::Delay(Duration::from_secs(3), Box::new(json(200, DATASET)));
    let s = Scripted::start(vec![slow.clone(), json(200, DATASET)]).await;
    let c = Client::builder()
        .base_url(&s.url)
        .developer_token(TOKEN)
        .retry_policy(fast_retries())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    // Idempotent: the timeout is retried and the second reply arrives.
    c.dataset("ds-1").await.unwrap();
    assert_eq!(s.seen().len(), 2);

    // With no retries left the caller sees a timeout.
    let s = Scripted::start(vec![slow]).await;
    let c = Client::builder()
        .base_url(&s.url)
        .developer_token(TOKEN)
        .max_attempts(1)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let e = c.dataset("ds-1").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(e.is_retryable());
}

#[tokio::test]
async fn a_reset_is_retried_for_reads_but_not_for_upload_start() {
    let s = Scripted::start(vec![Reply::Reset, json(200, DATASET)]).await;
    client(&s.url).dataset("ds-1").await.unwrap();
    assert_eq!(s.seen().len(), 2);

    // Starting a stream run may have happened: never sent twice.
    let s = Scripted::start(vec![Reply::Reset, json(200, r#"{"executionId":1}"#)]).await;
    let e = client(&s.url).run_stream("42").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert_eq!(
        s.seen().len(),
        1,
        "a non-idempotent request is not resent after a reset"
    );
}

#[tokio::test]
async fn server_errors_on_post_are_not_resent() {
    let s = Scripted::start(vec![
        json(500, r#"{"message":"boom"}"#),
        json(200, r#"{"id":1}"#),
    ])
    .await;
    let e = client(&s.url)
        .create_dataset(domo_native::NewDataset::new(
            "x",
            vec![domo_native::model::schema::Column::new(
                "a",
                domo_native::model::schema::ColumnType::Long,
            )],
        ))
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(500));
    assert_eq!(e.message(), "boom");
    assert_eq!(s.seen().len(), 1);
}

#[tokio::test]
async fn delete_with_a_body_carries_the_body() {
    let s = Scripted::start(vec![empty(200)]).await;
    client(&s.url)
        .remove_users(
            "ds-1",
            vec![PrincipalRef::user("7"), PrincipalRef::user(8u64)],
        )
        .await
        .unwrap();
    let r = &s.seen()[0];
    assert_eq!(r.method, "DELETE");
    assert_eq!(r.path, "/api/data/v3/datasources/ds-1/users");
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.body,
        br#"[{"id":"7","type":"USER"},{"id":8,"type":"USER"}]"#
    );
}

#[tokio::test]
async fn hostile_ids_stay_in_one_segment_on_the_wire() {
    let s = Scripted::start(vec![empty(200)]).await;
    client(&s.url)
        .revoke_user("../../admin", "a/b?c")
        .await
        .unwrap();
    assert_eq!(
        s.seen()[0].path,
        "/api/data/v3/datasources/..%2F..%2Fadmin/permissions/USER/a%2Fb%3Fc"
    );
    let e = client(&s.url)
        .revoke_user("ds", "x\r\nX-Injected: 1")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(s.seen().len(), 1, "nothing sent for a rejected id");
}

#[tokio::test]
async fn html_blocked_page_on_200_is_an_error() {
    let s = Scripted::start(vec![Reply::Status {
        status: 200,
        headers: vec![("content-type", "text/html".into())],
        body: "<html><head><title>Domo - Blocked</title></head></html>".into(),
    }])
    .await;
    let e = client(&s.url).dataset("ds-1").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Blocked);
    assert_eq!(s.seen().len(), 1, "a block is not retried");
}

fn upload_script(commit: Vec<Reply>) -> Vec<Reply> {
    let mut v = vec![json(
        200,
        r#"{"dataSourceId":"ds-1","uploadId":10,"requestedAsOf":1}"#,
    )];
    v.extend(std::iter::repeat_n(empty(200), 3));
    v.extend(commit);
    // The verification read after the commit: the load's data version
    // holds the three rows sent.
    v.push(json(
        200,
        r#"[{"dataVersionId":"1","rowCount":1,"datetimeRecorded":1},
            {"dataVersionId":"2","rowCount":3,"datetimeRecorded":2}]"#,
    ));
    v
}

#[tokio::test]
async fn upload_sends_start_parts_then_commit() {
    let s = Scripted::start(upload_script(vec![json(200, r#"{"rowCount":3}"#)])).await;
    let opts = UploadOptions::new(UploadAction::Replace)
        .part_size(4)
        .concurrency(1)
        .header(HeaderMode::Absent);
    let r = client(&s.url)
        .upload("ds-1", UploadSource::bytes("1,a\n2,\"b\nc\"\n3,d\n"), &opts)
        .await
        .unwrap();
    assert_eq!((r.parts, r.rows), (3, 3));
    assert_eq!(
        r.version_id,
        Some(domo_native::model::Id::from("2")),
        "the newest version"
    );
    assert_eq!(r.verified_rows, Some(3));
    let seen = s.seen();
    let calls: Vec<_> = seen
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        calls,
        [
            "POST /api/data/v3/datasources/ds-1/uploads",
            "PUT /api/data/v3/datasources/ds-1/uploads/10/parts/1",
            "PUT /api/data/v3/datasources/ds-1/uploads/10/parts/2",
            "PUT /api/data/v3/datasources/ds-1/uploads/10/parts/3",
            "PUT /api/data/v3/datasources/ds-1/uploads/10/commit",
            "GET /api/data/v3/datasources/ds-1/dataversions/details",
        ]
    );
    assert_eq!(seen[0].body, br#"{"action":null,"appendId":null}"#);
    assert_eq!(
        seen[2].body, b"2,\"b\nc\"\n",
        "the quoted newline stays inside its part"
    );
    assert_eq!(seen[2].header("content-type"), Some("text/csv"));
    assert_eq!(seen[4].body, br#"{"action":"REPLACE","index":true}"#);
}

#[tokio::test]
async fn a_part_that_keeps_failing_means_no_commit() {
    let mut script = vec![json(200, r#"{"uploadId":10}"#), empty(200)];
    script.extend(vec![json(400, r#"{"message":"bad part"}"#)]);
    let s = Scripted::start(script).await;
    let opts = UploadOptions::new(UploadAction::Append)
        .part_size(4)
        .concurrency(1)
        .header(HeaderMode::Absent);
    let e = client(&s.url)
        .upload("ds-1", UploadSource::bytes("1,a\n2,b\n3,c\n"), &opts)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("upload part 2 failed"), "{e}");
    assert!(e.to_string().contains("nothing was committed"), "{e}");
    assert!(s.seen().iter().all(|r| !r.path.ends_with("/commit")));
}

#[tokio::test]
async fn a_409_after_a_lost_commit_reply_is_success_not_a_second_commit() {
    let s = Scripted::start(upload_script(vec![
        Reply::Reset,
        json(409, r#"{"message":"upload 10 is already committed"}"#),
    ]))
    .await;
    let opts = UploadOptions::new(UploadAction::Append)
        .part_size(4)
        .concurrency(2)
        .header(HeaderMode::Absent);
    client(&s.url)
        .upload("ds-1", UploadSource::bytes("1,a\n2,b\n3,c\n"), &opts)
        .await
        .unwrap();
    let commits = s
        .seen()
        .iter()
        .filter(|r| r.path.ends_with("/commit"))
        .count();
    assert_eq!(commits, 2);

    // A 409 on the first attempt is a real conflict.
    let s = Scripted::start(upload_script(vec![json(
        409,
        r#"{"message":"already committed"}"#,
    )]))
    .await;
    let e = client(&s.url)
        .upload("ds-1", UploadSource::bytes("1,a\n2,b\n3,c\n"), &opts)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
}

#[tokio::test]
async fn malformed_csv_fails_before_anything_is_sent() {
    let s = Scripted::start(vec![]).await;
    let e = client(&s.url)
        .upload(
            "ds-1",
            UploadSource::bytes("1,\"open\n2,b\n"),
            &UploadOptions::new(UploadAction::Append),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains("never closed"), "{e}");
    assert!(s.seen().is_empty());
}

#[tokio::test]
async fn export_streams_into_a_writer() {
    let csv = "a,b\n1,\\N\n".repeat(1000);
    let s = Scripted::start(vec![
        maintenance(),
        Reply::Status {
            status: 200,
            headers: vec![("content-type", "text/csv".into())],
            body: csv.clone(),
        },
    ])
    .await;
    let mut out = Vec::new();
    let n = client(&s.url)
        .export_to("ds-1", &mut out, &ExportOptions::default())
        .await
        .unwrap();
    assert_eq!(n as usize, csv.len());
    assert_eq!(out, csv.as_bytes());
    assert_eq!(
        s.seen()[1].path,
        "/api/data/v2/datasources/ds-1/dataversions/latest?includeHeader=true"
    );
    assert_eq!(s.seen()[1].header("accept"), Some("text/csv"));
}

#[test]
fn configuration_errors_are_clear() {
    let e = Client::builder().developer_token("t").build().unwrap_err();
    assert!(
        e.to_string().contains("no Domo instance or base URL"),
        "{e}"
    );
    let e = Client::builder().instance("acme").build().unwrap_err();
    assert!(e.to_string().contains("no token"), "{e}");
    let e = Client::builder()
        .base_url("http://192.0.2.1")
        .developer_token("t")
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("loopback"), "{e}");
    let c = Client::builder()
        .instance("acme")
        .developer_token(TOKEN)
        .build()
        .unwrap();
    assert!(!format!("{c:?}").contains(TOKEN));
}

/// The token never shows in a tracing event, even at TRACE level, across
/// successes, retries and failures.
#[tokio::test]
async fn tracing_never_carries_the_token() {
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Sink {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let sink = Sink::default();
    let writer = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // Tests on other threads (without a subscriber) register the client's
    // callsites too; one registered while this subscriber was being set
    // keeps the interest it computed without it. A first round makes sure
    // every callsite this test reaches is registered, then all are asked
    // again and the round that counts runs.
    async fn round() {
        let s = Scripted::start(vec![
            rate_limited("0"),
            json(200, DATASET),
            json(401, r#"{"message":"bad token"}"#),
        ])
        .await;
        let c = client(&s.url);
        c.dataset("ds-1").await.unwrap();
        let e = c.permissions("ds-1").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unauthorized);
        assert!(!format!("{e} {e:?}").contains(TOKEN));
    }
    round().await;
    tracing::callsite::rebuild_interest_cache();
    sink.0.lock().unwrap().clear();
    round().await;

    let logs = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("/api/data/v3/datasources/ds-1"),
        "spans carry the path: {logs}"
    );
    assert!(logs.contains("retrying"), "{logs}");
    assert!(!logs.contains(TOKEN), "token leaked into tracing: {logs}");
}
