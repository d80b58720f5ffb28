//! `domoctl query` output written as the rows arrive: CSV and JSON Lines
//! through the client's writers, the JSON envelope row by row, and the
//! table in batches whose column widths come from the first batch, so
//! memory stays bounded whatever the result's size.

use std::time::Duration;

use domo_native::{Client, QueryRows, QueryToOptions, Row, RowFormat};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::Value;
use tokio::io::AsyncWriteExt;

use crate::args::QueryArgs;
use crate::failure::Failure;
use crate::output::{Format, Output, StreamedStdout, note};
use crate::progress;
use crate::table::{NULL_FOR_PEOPLE, for_people, looks_numeric, width};

/// Rows whose cells set the table's column widths; later rows are printed
/// in those widths (a wider cell pushes its own line only).
const TABLE_BATCH: usize = 1_000;
/// Output is handed to stdout in pieces of about this size.
const FLUSH_AT: usize = 64 * 1024;

pub async fn query(client: &Client, out: Output, args: QueryArgs) -> Result<(), Failure> {
    let bar = rows_bar();
    let mut stdout = StreamedStdout::new();
    let page_size = args.all.then_some(args.page_size);
    let result = match (out.format, args.all) {
        (Format::Csv, _) | (Format::Json, true) => {
            let format = match out.format {
                Format::Csv => RowFormat::Csv,
                _ => RowFormat::JsonLines,
            };
            let b = bar.clone();
            let mut options = QueryToOptions::new(format).progress(move |p| b.set_position(p.rows));
            if let Some(rows) = page_size {
                options = options.page_size(rows);
            }
            if args.json_route {
                options = options.json_route();
            }
            client
                .query_to(&args.id, &args.sql, &options, &mut stdout)
                .await
                .map(|_| ())
                .map_err(|e| stdout.failure(e))
        }
        (format, _) => {
            let rows = match page_size {
                Some(n) => client.query_all(&args.id, &args.sql, n).await,
                None => client.query_rows(&args.id, &args.sql).await,
            };
            match rows {
                Err(e) => Err(Failure::from(e)),
                Ok(rows) if format == Format::Json => envelope(rows, &mut stdout, &bar).await,
                Ok(rows) => table(rows, &mut stdout, &bar).await,
            }
        }
    };
    bar.finish_and_clear();
    result
}

/// A row counter on stderr, only when stderr is a terminal.
fn rows_bar() -> ProgressBar {
    if !progress::enabled() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
        ProgressStyle::with_template("query {spinner} {human_pos} rows {per_sec} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

async fn next(rows: &mut QueryRows, stdout: &StreamedStdout) -> Result<Option<Row>, Failure> {
    rows.next_row().await.map_err(|e| stdout.failure(e))
}

async fn put(stdout: &mut StreamedStdout, buf: &mut Vec<u8>) -> Result<(), Failure> {
    let r = stdout.write_all(buf).await;
    buf.clear();
    r.map_err(|e| Failure::io("cannot write to stdout", e))
}

/// The reply's JSON envelope (`{"columns", "metadata", "rows", "numRows",
/// ...}`, what `domoctl query --json` always printed), one row a line.
async fn envelope(
    mut rows: QueryRows,
    stdout: &mut StreamedStdout,
    bar: &ProgressBar,
) -> Result<(), Failure> {
    let mut buf = Vec::with_capacity(FLUSH_AT + 4096);
    buf.extend_from_slice(b"{\n");
    if let Some(ds) = &rows.header().datasource {
        buf.extend_from_slice(format!("  \"datasource\": {},\n", encode(ds)).as_bytes());
    }
    buf.extend_from_slice(format!("  \"columns\": {},\n", encode(&rows.columns())).as_bytes());
    buf.extend_from_slice(format!("  \"metadata\": {},\n", encode(&rows.metadata())).as_bytes());
    buf.extend_from_slice(b"  \"rows\": [");
    let mut n = 0u64;
    while let Some(row) = next(&mut rows, stdout).await? {
        buf.extend_from_slice(if n == 0 { b"\n    " } else { b",\n    " });
        buf.extend_from_slice(encode(&row).as_bytes());
        n += 1;
        if buf.len() >= FLUSH_AT {
            bar.set_position(n);
            put(stdout, &mut buf).await?;
        }
    }
    buf.extend_from_slice(if n == 0 { b"],\n" } else { b"\n  ],\n" });
    let tail = rows.tail().cloned().unwrap_or_default();
    let num_rows = tail.num_rows.unwrap_or(n);
    let num_columns = tail.num_columns.unwrap_or(rows.columns().len() as u64);
    buf.extend_from_slice(format!("  \"numRows\": {num_rows},\n").as_bytes());
    buf.extend_from_slice(format!("  \"numColumns\": {num_columns}").as_bytes());
    if let Some(c) = tail.fromcache {
        buf.extend_from_slice(format!(",\n  \"fromcache\": {c}").as_bytes());
    }
    for (k, v) in &tail.extra {
        buf.extend_from_slice(format!(",\n  {}: {}", encode(k), encode(v)).as_bytes());
    }
    buf.extend_from_slice(b"\n}\n");
    put(stdout, &mut buf).await?;
    stdout
        .flush()
        .await
        .map_err(|e| Failure::io("cannot write to stdout", e))
}

/// Compact JSON of a value (names, metadata and JSON values always encode).
fn encode<T: serde::Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".to_owned())
}

/// A cell as people read it: text unquoted, `NULL` for null.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => NULL_FOR_PEOPLE.to_owned(),
        Value::String(s) => for_people(s),
        other => for_people(&other.to_string()),
    }
}

/// The aligned table of `crate::table::Table::render`, streamed: the first
/// [`TABLE_BATCH`] rows decide the widths and which columns are numeric
/// (right-aligned); a result that fits in one batch prints exactly as a
/// whole table would.
async fn table(
    mut rows: QueryRows,
    stdout: &mut StreamedStdout,
    bar: &ProgressBar,
) -> Result<(), Failure> {
    let header: Vec<String> = rows.columns().iter().map(|h| for_people(h)).collect();
    let mut batch: Vec<Vec<String>> = Vec::new();
    while batch.len() < TABLE_BATCH {
        match next(&mut rows, stdout).await? {
            Some(row) => batch.push(row.iter().map(cell).collect()),
            None => break,
        }
    }
    let columns = batch
        .iter()
        .map(Vec::len)
        .chain([header.len()])
        .max()
        .unwrap_or(0);
    let get = |r: &[String], i: usize| r.get(i).cloned().unwrap_or_default();
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            batch
                .iter()
                .map(|r| width(&get(r, i)))
                .chain([width(&get(&header, i))])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let numeric: Vec<bool> = (0..columns)
        .map(|i| {
            let mut values = batch
                .iter()
                .filter_map(|r| r.get(i))
                .map(String::as_str)
                .filter(|v| !v.is_empty() && *v != NULL_FOR_PEOPLE)
                .peekable();
            values.peek().is_some() && values.all(looks_numeric)
        })
        .collect();
    let line = |cells: &[String], out: &mut Vec<u8>| {
        let mut text = String::new();
        for i in 0..columns.max(cells.len()) {
            let c = cells.get(i).map(String::as_str).unwrap_or("");
            if i > 0 {
                text.push_str("  ");
            }
            let pad = " ".repeat(widths.get(i).copied().unwrap_or(0).saturating_sub(width(c)));
            if numeric.get(i).copied().unwrap_or(false) {
                text.push_str(&pad);
                text.push_str(c);
            } else {
                text.push_str(c);
                text.push_str(&pad);
            }
        }
        out.extend_from_slice(text.trim_end().as_bytes());
        out.push(b'\n');
    };
    let mut buf = Vec::with_capacity(FLUSH_AT + 4096);
    line(&header, &mut buf);
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(&rule, &mut buf);
    let empty = batch.is_empty();
    for r in batch.drain(..) {
        line(&r, &mut buf);
    }
    drop(batch);
    put(stdout, &mut buf).await?;
    while let Some(row) = next(&mut rows, stdout).await? {
        let cells: Vec<String> = row.iter().map(cell).collect();
        line(&cells, &mut buf);
        if buf.len() >= FLUSH_AT {
            bar.set_position(rows.rows_read());
            put(stdout, &mut buf).await?;
        }
    }
    put(stdout, &mut buf).await?;
    stdout
        .flush()
        .await
        .map_err(|e| Failure::io("cannot write to stdout", e))?;
    if empty {
        note("(none)");
    }
    Ok(())
}
