//! `domoctl query`, `domoctl upload` and `domoctl export`: data in and out.

use std::path::Path;
use std::time::Instant;

use domo_native::model::query::QueryResult;
use domo_native::{Client, ExportOptions, HeaderMode, UploadAction, UploadOptions, UploadReport};
use serde_json::json;

use crate::args::{ExportArgs, HeaderArg, QueryArgs, UploadArgs};
use crate::failure::Failure;
use crate::output::{Format, Output, StreamedStdout, note};
use crate::progress;
use crate::table::{Record, Table};
use crate::units::format_bytes;

/// Rows are written as they arrive (see `crate::query_out`).
pub async fn query(client: &Client, out: Output, args: QueryArgs) -> Result<(), Failure> {
    crate::query_out::query(client, out, args).await
}

pub fn query_table(result: &QueryResult) -> Table {
    let mut t = Table::new(result.columns.iter().cloned());
    for row in &result.rows {
        t.push_values(row);
    }
    t
}

pub async fn upload(client: &Client, out: Output, args: UploadArgs) -> Result<(), Failure> {
    let action = if args.append {
        UploadAction::Append
    } else {
        UploadAction::Replace
    };
    let from_stdin = args.file.as_os_str() == "-";
    let total = if from_stdin {
        None
    } else {
        let meta = std::fs::metadata(&args.file)
            .map_err(|e| Failure::io(format!("cannot read {}", args.file.display()), e))?;
        if meta.is_dir() {
            return Err(Failure::usage(format!(
                "{} is a directory; give a CSV file (or - for stdin)",
                args.file.display()
            )));
        }
        Some(meta.len())
    };
    let bar = progress::bytes_bar(total, "upload");
    let options = UploadOptions {
        // Unset, the client library's defaults (domo-core's) apply.
        part_size: args.part_size.unwrap_or(UploadOptions::DEFAULT_PART_SIZE),
        concurrency: args
            .concurrency
            .map_or(UploadOptions::DEFAULT_CONCURRENCY, usize::from),
        partition: args.partition.clone(),
        gzip: args.gzip,
        header: match args.header {
            HeaderArg::Auto => HeaderMode::Detect,
            HeaderArg::Yes => HeaderMode::Present,
            HeaderArg::No => HeaderMode::Absent,
        },
        progress: Some(progress::upload_callback(&bar)),
        ..UploadOptions::new(action)
    };
    let started = Instant::now();
    let result = if from_stdin {
        client
            .upload_reader(&args.id, tokio::io::stdin(), &options)
            .await
    } else {
        client.upload_file(&args.id, &args.file, &options).await
    };
    bar.finish_and_clear();
    let report = result?;
    let secs = started.elapsed().as_secs_f64();
    print_upload(out, &args.id, action, &report, secs)
}

fn print_upload(
    out: Output,
    id: &str,
    action: UploadAction,
    report: &UploadReport,
    secs: f64,
) -> Result<(), Failure> {
    let action_name = match action {
        UploadAction::Append => "APPEND",
        UploadAction::Replace => "REPLACE",
        UploadAction::Upsert => "UPSERT",
    };
    let json = json!({
        "datasetId": id,
        "action": action_name,
        "uploadId": report.upload_id,
        "parts": report.parts,
        "rows": report.rows,
        "bytes": report.bytes,
        "seconds": secs,
        "commit": report.commit,
    });
    let record = Record::new()
        .field("dataset", id)
        .field("action", action_name)
        .field("upload", &report.upload_id)
        .field("parts", report.parts.to_string())
        .field("rows", report.rows.to_string())
        .field("bytes", report.bytes.to_string())
        .field("seconds", format!("{secs:.2}"));
    match out.format {
        Format::Json => out.json(&json),
        Format::Csv => out.raw(record.to_csv()),
        Format::Table => out.raw(format!(
            "uploaded {} row{} ({}) in {} part{} to {id} ({action_name}) in {secs:.2} s; upload {}\n",
            report.rows,
            if report.rows == 1 { "" } else { "s" },
            format_bytes(report.bytes),
            report.parts,
            if report.parts == 1 { "" } else { "s" },
            report.upload_id
        )),
    }
}

pub async fn export(client: &Client, args: ExportArgs) -> Result<(), Failure> {
    let bar = progress::bytes_bar(None, "export");
    let options = ExportOptions {
        include_header: !args.no_header,
        progress: Some(progress::export_callback(&bar)),
    };
    let started = Instant::now();
    let result = match &args.output {
        Some(path) => client
            .export_to_file(&args.id, path, &options)
            .await
            .map_err(Failure::from),
        None => {
            let mut stdout = StreamedStdout::new();
            let written = client.export_to(&args.id, &mut stdout, &options).await;
            written.map_err(|e| stdout.failure(e))
        }
    };
    bar.finish_and_clear();
    let bytes = result?;
    let secs = started.elapsed().as_secs_f64();
    // The data went to stdout, or to a file: the summary goes to stderr
    // either way, so `domoctl export ID > file` and `-o` read the same.
    if let Some(path) = &args.output {
        note(&summary(&args.id, bytes, secs, Some(path)));
    } else if progress::enabled() {
        note(&summary(&args.id, bytes, secs, None));
    }
    Ok(())
}

fn summary(id: &str, bytes: u64, secs: f64, path: Option<&Path>) -> String {
    let to = path.map_or_else(|| "stdout".to_owned(), |p| p.display().to_string());
    format!(
        "exported {id}: {} to {to} in {secs:.2} s",
        format_bytes(bytes)
    )
}
