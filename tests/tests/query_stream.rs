//! Streamed queries against the emulator: paged streams yield each row once
//! and in order, and CSV written from a query matches the dataset's export.

use domo_emulator::EmulatorConfig;
use domo_integration_tests::*;
use domo_native::{RowFormat, UploadAction};
use futures_util::{StreamExt, TryStreamExt};
use serde_json::Value;

/// Rows 1..=n of one integer column, made by the query itself.
fn numbers(n: u64) -> String {
    format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) SELECT i FROM n"
    )
}

#[tokio::test]
async fn query_all_with_tiny_pages_yields_each_row_once_in_order() {
    let emu = emulator().await;
    let c = client(&emu, ADMIN);
    let id = new_dataset(&c, "Paged").await;
    c.upload(
        &id,
        UploadSource::bytes(rows(0, 3_001)),
        &UploadOptions::new(UploadAction::Replace),
    )
    .await
    .unwrap();

    let mut all = c
        .query_all(&id, "SELECT id, name FROM table ORDER BY id;", 7)
        .await
        .unwrap();
    assert_eq!(all.columns(), ["id", "name"]);
    let mut expected = 0u64;
    while let Some(row) = all.next_row().await.unwrap() {
        assert_eq!(row[0], expected, "row {expected}");
        expected += 1;
    }
    assert_eq!(expected, 3_001);
    assert_eq!(all.rows_read(), 3_001);

    // A page size that divides the count exactly ends on an empty page.
    let ids: Vec<(u64,)> = c
        .query_all_as::<(u64,)>(
            &id,
            "SELECT id FROM table WHERE id < 1000 ORDER BY id DESC",
            100,
        )
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids.len(), 1_000);
    assert!(ids.windows(2).all(|w| w[0].0 == w[1].0 + 1));

    // One reply, streamed, reads what the whole-reply call reads.
    let sql = "SELECT * FROM table WHERE id < 300 ORDER BY id";
    let streamed: Vec<Vec<Value>> = c
        .query_rows(&id, sql)
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed, c.query(&id, sql).await.unwrap().rows);
    emu.shutdown().await;
}

/// The same CSV bytes; a difference is shown line by line (a failure
/// names the first line that differs, not the whole file).
fn same_csv(ours: &[u8], export: &[u8], route: &str) {
    let (ours, theirs) = (
        String::from_utf8_lossy(ours),
        String::from_utf8_lossy(export),
    );
    for (i, (a, b)) in ours.split('\n').zip(theirs.split('\n')).enumerate() {
        assert_eq!(a, b, "{route}: line {i} of the query CSV vs the export");
    }
    assert_eq!(ours, theirs, "{route}: the query CSV vs the export");
}

#[tokio::test]
async fn query_csv_matches_the_export_with_nulls_quotes_newlines_and_unicode() {
    let emu = emulator().await;
    let c = client(&emu, ADMIN);
    let id = new_dataset(&c, "Export twin").await;
    let mut csv = rows(0, 500);
    // Empty text, a literal \N, null in every type, Unicode, CRLF inside quotes.
    csv.push_str("500,\"\",\\N,\\N,\\N,\\N\n");
    // Every DECIMAL here has two decimals, as `rows` writes them, and no
    // trailing zero: a query shows a DECIMAL column at its scale (the most
    // decimals any value has, as MySQL's DECIMAL(p, s)) where an export
    // gives values as uploaded, and the JSON route reads numbers as
    // doubles, which keep no trailing zeros.
    csv.push_str("501,\"\\N\",0.1,1.13,2024-02-29,2024-02-29T23:59:59\n");
    csv.push_str(
        "502,\"Zürich 🚀 \"\"été\"\"\r\nnext\",-2.5e3,0.01,2024-12-31,2024-12-31T00:00:00\n",
    );
    csv.push_str("503,\\N,1e-7,-0.51,\\N,\\N\n");
    c.upload(
        &id,
        UploadSource::bytes(csv),
        &UploadOptions::new(UploadAction::Replace),
    )
    .await
    .unwrap();

    let export = export_csv(&c, &id).await;
    let mut out = Vec::new();
    let written = c
        .query_to(
            &id,
            "SELECT * FROM table",
            &QueryToOptions::new(RowFormat::Csv),
            &mut out,
        )
        .await
        .unwrap();
    same_csv(&out, &export, "the CSV route");
    assert_eq!(written.rows, 504);
    assert!(written.csv_route, "the emulator serves the CSV query route");

    // The JSON route, decoded and written as CSV by the client: the same bytes.
    let mut via_json = Vec::new();
    let options = domo_native::QueryToOptions::new(RowFormat::Csv).json_route();
    let written = c
        .query_to(&id, "SELECT * FROM table", &options, &mut via_json)
        .await
        .unwrap();
    assert!(!written.csv_route);
    same_csv(&via_json, &export, "the JSON route");

    // Paged, the same bytes.
    let mut paged = Vec::new();
    let options = domo_native::QueryToOptions::new(RowFormat::Csv).page_size(37);
    c.query_to(&id, "SELECT * FROM table ORDER BY id", &options, &mut paged)
        .await
        .unwrap();
    same_csv(&paged, &export, "pages");
    emu.shutdown().await;
}

#[tokio::test]
async fn a_query_of_more_than_a_million_rows_streams_whole() {
    let emu = emulator().await;
    let c = client(&emu, ADMIN);
    let id = new_dataset(&c, "Empty").await;
    let n = 1_000_001u64;
    let mut rows = c.query_rows(&id, &numbers(n)).await.unwrap();
    let mut expected = 1u64;
    while let Some(row) = rows.next_row().await.unwrap() {
        assert_eq!(row[0], expected);
        expected += 1;
    }
    assert_eq!(expected, n + 1);

    // The CSV route: a header and every row.
    let mut out = Vec::new();
    let written = c
        .query_to(
            &id,
            &numbers(n),
            &QueryToOptions::new(RowFormat::Csv),
            &mut out,
        )
        .await
        .unwrap();
    assert!(written.csv_route);
    assert_eq!(written.rows, n);
    assert!(out.starts_with(b"i\n1\n2\n"));
    assert!(out.ends_with(b"\n1000001\n"));
    emu.shutdown().await;
}

#[tokio::test]
async fn a_reply_past_the_byte_limit_is_an_error_the_client_reports_never_a_shorter_result() {
    let emu = start(EmulatorConfig {
        max_reply_bytes: 200_000,
        ..config()
    })
    .await;
    let c = client(&emu, ADMIN);
    let id = new_dataset(&c, "Limited").await;
    // About 1 MB as JSON or CSV: past the first chunk, so the reply has
    // begun when the limit is reached.
    let sql = numbers(150_000);

    // The cut may come before the status line was flushed (the request
    // fails) or after some rows (the stream fails); never a short result.
    let mut read = 0u64;
    let err = match c.query_rows(&id, &sql).await {
        Err(e) => e,
        Ok(mut rows) => loop {
            match rows.next().await {
                Some(Ok(_)) => read += 1,
                Some(Err(e)) => break e,
                None => panic!("the reply looked complete after {read} of 150000 rows"),
            }
        },
    };
    assert!(read < 150_000);
    assert!(
        matches!(
            err.kind(),
            domo_native::ErrorKind::Transport | domo_native::ErrorKind::Decode
        ),
        "{err}"
    );

    for csv_route in [true, false] {
        let mut options = domo_native::QueryToOptions::new(RowFormat::Csv);
        if !csv_route {
            options = options.json_route();
        }
        let mut out = Vec::new();
        let err = c
            .query_to(&id, &sql, &options, &mut out)
            .await
            .expect_err("a reply cut by the limit is an error");
        assert!(!err.to_string().is_empty(), "csv_route {csv_route}");
    }

    // Before the first byte, the limit is a 400 that names it.
    let err = c.query(&id, &numbers(1_000_000)).await;
    assert!(err.is_err());
    let small = start(EmulatorConfig {
        max_reply_bytes: 1_000,
        ..config()
    })
    .await;
    let c = client(&small, ADMIN);
    let id = new_dataset(&c, "Tiny").await;
    let err = c.query(&id, &numbers(1_000)).await.unwrap_err();
    assert_eq!(err.status(), Some(400), "{err}");
    assert!(err.to_string().contains("--max-reply-bytes"), "{err}");
    small.shutdown().await;
    emu.shutdown().await;
}
