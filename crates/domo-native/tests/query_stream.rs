//! Streamed queries against a scripted HTTP server (127.0.0.1, port 0):
//! replies sent in small pieces, replies that break off mid-row, and the
//! CSV route (`POST /api/query/v1/execute/export/{id}`) with its fallback.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use domo_native::{Client, ErrorKind, QueryToOptions, RetryPolicy, RowFormat};
use futures_util::TryStreamExt;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One scripted answer: raw pieces written with a pause between them; the
/// connection closes after the last one.
#[derive(Clone)]
struct Answer {
    head: String,
    pieces: Vec<Vec<u8>>,
}

/// A complete reply whose body goes out in pieces of `piece` bytes.
fn reply(status: u16, content_type: &str, body: &[u8], piece: usize) -> Answer {
    Answer {
        head: format!(
            "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        ),
        pieces: body.chunks(piece.max(1)).map(<[u8]>::to_vec).collect(),
    }
}

/// A reply that promises `body` but sends only its first `sent` bytes.
fn broken(body: &[u8], sent: usize) -> Answer {
    let mut a = reply(200, "application/json", &body[..sent], 64);
    a.head = a.head.replace(
        &format!("content-length: {sent}"),
        &format!("content-length: {}", body.len()),
    );
    a
}

#[derive(Debug, Clone)]
struct Seen {
    request_line: String,
    head: String,
    body: String,
}

struct Server {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(answers: Vec<Answer>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let script = Arc::new(Mutex::new(std::collections::VecDeque::from(answers)));
    let s2 = seen.clone();
    let task = tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let (seen, script) = (s2.clone(), script.clone());
            tokio::spawn(async move { answer(sock, seen, script).await });
        }
    });
    Server { url, seen, task }
}

async fn answer(
    mut sock: TcpStream,
    seen: Arc<Mutex<Vec<Seen>>>,
    script: Arc<Mutex<std::collections::VecDeque<Answer>>>,
) {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 8192];
    let (head, body) = loop {
        let Ok(n) = sock.read(&mut tmp).await else {
            return;
        };
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&tmp[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..p]).into_owned();
            let len = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            while buf.len() < p + 4 + len {
                let Ok(n) = sock.read(&mut tmp).await else {
                    return;
                };
                if n == 0 {
                    return;
                }
                buf.extend_from_slice(&tmp[..n]);
            }
            break (
                head,
                String::from_utf8_lossy(&buf[p + 4..p + 4 + len]).into_owned(),
            );
        }
    };
    seen.lock().unwrap().push(Seen {
        request_line: head.lines().next().unwrap_or_default().to_owned(),
        head: head.clone(),
        body,
    });
    let Some(a) = script.lock().unwrap().pop_front() else {
        return;
    };
    let _ = sock.write_all(a.head.as_bytes()).await;
    for p in a.pieces {
        let _ = sock.write_all(&p).await;
        let _ = sock.flush().await;
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let _ = sock.shutdown().await;
}

fn client(url: &str) -> Client {
    Client::builder()
        .base_url(url)
        .developer_token("query-stream-token")
        .retry_policy(RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        })
        .build()
        .unwrap()
}

const ENVELOPE: &str = r#"{"datasource":"ds","columns":["city","n","note"],"metadata":[{"type":"STRING"},{"type":"LONG"},{"type":"STRING"}],"rows":[["Oslo",3,"a \"q\", b"],["Zürich 🚀",null,"line\nbreak"],["",7,"\\N"]],"numRows":3,"numColumns":3,"fromcache":false}"#;

#[tokio::test]
async fn rows_arrive_in_small_pieces_and_match_the_whole_reply() {
    for piece in [1, 3, 17, 4096] {
        let server = serve(vec![
            reply(200, "application/json", ENVELOPE.as_bytes(), piece),
            reply(200, "application/json", ENVELOPE.as_bytes(), 4096),
        ])
        .await;
        let c = client(&server.url);
        let rows = c.query_rows("ds", "SELECT * FROM table").await.unwrap();
        assert_eq!(rows.columns(), ["city", "n", "note"]);
        assert_eq!(rows.metadata().len(), 3);
        let streamed: Vec<Vec<Value>> = rows.try_collect().await.unwrap();
        let whole = c.query("ds", "SELECT * FROM table").await.unwrap();
        assert_eq!(streamed, whole.rows, "pieces of {piece}");
        assert_eq!(
            streamed[1],
            [json!("Zürich 🚀"), Value::Null, json!("line\nbreak")]
        );
    }
}

#[tokio::test]
async fn a_reply_that_stops_mid_row_is_an_error_not_fewer_rows() {
    let body = ENVELOPE.as_bytes();
    let mid_row = ENVELOPE.find("Zürich").unwrap() + 3;
    // The connection closes early (a short body against its length).
    let server = serve(vec![broken(body, mid_row)]).await;
    let c = client(&server.url);
    let mut rows = c.query_rows("ds", "SELECT * FROM table").await.unwrap();
    assert_eq!(rows.next_row().await.unwrap().unwrap()[0], "Oslo");
    let e = rows.next_row().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert!(e.to_string().contains("broke off"), "{e}");
    assert_eq!(rows.next_row().await.unwrap(), None, "an error is final");

    // A complete HTTP reply whose JSON stops mid-row.
    let server = serve(vec![reply(200, "application/json", &body[..mid_row], 8)]).await;
    let c = client(&server.url);
    let rows = c.query_rows("ds", "SELECT * FROM table").await.unwrap();
    let e = rows.try_collect::<Vec<_>>().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
    assert!(e.to_string().contains("ended early"), "{e}");
    assert!(
        e.to_string().contains("POST /api/query/v1/execute/ds"),
        "{e}"
    );
    // The small-result path says the same.
    let server = serve(vec![reply(200, "application/json", &body[..mid_row], 8)]).await;
    let e = client(&server.url)
        .query("ds", "SELECT 1")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
}

#[tokio::test]
async fn csv_route_is_used_when_offered_and_its_bom_dropped() {
    let csv = "\u{feff}city,n\nOslo,3\n\"a\nb\",\\N\n";
    let server = serve(vec![reply(
        200,
        "text/csv; charset=utf-8",
        csv.as_bytes(),
        1,
    )])
    .await;
    let c = client(&server.url);
    let mut out = Vec::new();
    let w = c
        .query_to(
            "ds",
            "SELECT city, n FROM table",
            &QueryToOptions::new(RowFormat::Csv),
            &mut out,
        )
        .await
        .unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "city,n\nOslo,3\n\"a\nb\",\\N\n"
    );
    assert!(w.csv_route);
    assert_eq!(w.rows, 2);
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(
        seen[0].request_line,
        "POST /api/query/v1/execute/export/ds?includeHeader=true HTTP/1.1"
    );
    assert!(
        seen[0]
            .head
            .to_ascii_lowercase()
            .contains("accept: text/csv"),
        "{seen:?}"
    );
    assert_eq!(seen[0].body, r#"{"sql":"SELECT city, n FROM table"}"#);
}

#[tokio::test]
async fn csv_route_missing_falls_back_to_the_json_route() {
    let expected =
        "city,n,note\nOslo,3,\"a \"\"q\"\", b\"\nZürich 🚀,\\N,\"line\nbreak\"\n\"\",7,\"\\N\"\n";
    for status in [404, 406] {
        let server = serve(vec![
            reply(
                status,
                "application/json",
                br#"{"message":"no such route"}"#,
                64,
            ),
            reply(200, "application/json", ENVELOPE.as_bytes(), 5),
        ])
        .await;
        let c = client(&server.url);
        let mut out = Vec::new();
        let w = c
            .query_to(
                "ds",
                "SELECT * FROM table",
                &QueryToOptions::new(RowFormat::Csv),
                &mut out,
            )
            .await
            .unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), expected, "after {status}");
        assert!(!w.csv_route);
        assert_eq!(w.rows, 3);
        let seen = server.seen.lock().unwrap().clone();
        assert!(
            seen[1]
                .request_line
                .starts_with("POST /api/query/v1/execute/ds ")
        );
    }
    // Other refusals are reported, not retried elsewhere.
    let server = serve(vec![reply(
        400,
        "application/json",
        br#"{"message":"bad SQL"}"#,
        64,
    )])
    .await;
    let e = client(&server.url)
        .query_to(
            "ds",
            "SELEC",
            &QueryToOptions::new(RowFormat::Csv),
            &mut Vec::new(),
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("bad SQL"), "{e}");
    // The route answering with the JSON envelope is decoded too.
    let server = serve(vec![reply(200, "application/json", ENVELOPE.as_bytes(), 9)]).await;
    let mut out = Vec::new();
    client(&server.url)
        .query_to(
            "ds",
            "SELECT * FROM table",
            &QueryToOptions::new(RowFormat::Csv),
            &mut out,
        )
        .await
        .unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), expected);
}

#[tokio::test]
async fn json_lines_and_typed_rows() {
    let server = serve(vec![
        reply(200, "application/json", ENVELOPE.as_bytes(), 7),
        reply(200, "application/json", ENVELOPE.as_bytes(), 7),
    ])
    .await;
    let c = client(&server.url);
    let mut out = Vec::new();
    c.query_to(
        "ds",
        "SELECT * FROM table",
        &QueryToOptions::new(RowFormat::JsonLines),
        &mut out,
    )
    .await
    .unwrap();
    let lines: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines[0],
        json!({"city": "Oslo", "n": 3, "note": "a \"q\", b"})
    );
    assert_eq!(lines.len(), 3);
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct City {
        city: String,
        n: Option<i64>,
    }
    let typed: Vec<City> = c
        .query_rows_as("ds", "SELECT * FROM table")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        typed[1],
        City {
            city: "Zürich 🚀".into(),
            n: None
        }
    );
}
