//! `domoctl query`, `domoctl upload` and `domoctl export`: data in and out.

use std::path::{Path, PathBuf};
use std::time::Instant;

use domo_native::{
    Client, ExportOptions, HeaderMode, UploadAction, UploadOptions, UploadReport, UploadSource,
};
use serde_json::json;

use crate::args::{ExportArgs, HeaderArg, QueryArgs, UploadArgs};
use crate::failure::Failure;
use crate::output::{Format, Output, StreamedStdout, note};
use crate::progress;
use crate::table::Record;
use crate::units::format_bytes;

/// Rows are written as they arrive (see `crate::query_out`).
pub async fn query(client: &Client, out: Output, args: QueryArgs) -> Result<(), Failure> {
    crate::query_out::query(client, out, args).await
}

pub async fn upload(client: &Client, out: Output, args: UploadArgs) -> Result<(), Failure> {
    // `upload ID FILE`, or `upload --stream SID FILE` (no dataset id).
    let (target, file) = match (&args.stream, &args.file) {
        (None, Some(file)) => (Target::Dataset(&args.id), file.clone()),
        (Some(sid), None) => (Target::Stream(sid), PathBuf::from(&args.id)),
        (None, None) => {
            return Err(Failure::usage(
                "upload needs a dataset and a CSV file: `domoctl upload ID FILE` (`-` reads stdin)",
            ));
        }
        (Some(sid), Some(_)) => {
            return Err(Failure::usage(format!(
                "with --stream {sid} the stream names the dataset: give only the file, \
                 `domoctl upload --stream {sid} FILE`"
            )));
        }
    };
    let action = if args.append {
        UploadAction::Append
    } else if args.upsert {
        UploadAction::Upsert
    } else if let Target::Stream(sid) = target {
        // A stream load does what the stream is set to do.
        let stream = client.stream(sid).await?;
        match stream.update_method.as_deref().map(str::to_ascii_uppercase) {
            Some(m) if m == "APPEND" => UploadAction::Append,
            Some(m) if m == "UPSERT" => UploadAction::Upsert,
            _ => UploadAction::Replace,
        }
    } else {
        UploadAction::Replace
    };
    let from_stdin = file.as_os_str() == "-";
    let total = if from_stdin {
        None
    } else {
        let meta = std::fs::metadata(&file)
            .map_err(|e| Failure::io(format!("cannot read {}", file.display()), e))?;
        if meta.is_dir() {
            return Err(Failure::usage(format!(
                "{} is a directory; give a CSV file (or - for stdin)",
                file.display()
            )));
        }
        Some(meta.len())
    };
    let bar = progress::bytes_bar(total, "upload");
    // Unset, the client library's defaults (domo-core's) apply.
    let mut options = UploadOptions::new(action).header(match args.header {
        HeaderArg::Auto => HeaderMode::Detect,
        HeaderArg::Yes => HeaderMode::Present,
        HeaderArg::No => HeaderMode::Absent,
    });
    if let Some(bytes) = args.part_size {
        options = options.part_size(bytes);
    }
    if let Some(n) = args.concurrency {
        options = options.concurrency(usize::from(n));
    }
    if let Some(tag) = &args.partition {
        options = options.partition(tag);
    }
    if args.gzip {
        options = options.gzip();
    }
    options.progress = Some(progress::upload_callback(&bar));
    let source = if from_stdin {
        UploadSource::reader(tokio::io::stdin())
    } else {
        UploadSource::file(&file)
    };
    let started = Instant::now();
    let result = match target {
        Target::Dataset(id) => client.upload(id, source, &options).await,
        Target::Stream(sid) => client.upload_via_stream(sid, source, &options).await,
    };
    bar.finish_and_clear();
    let report = result?;
    let secs = started.elapsed().as_secs_f64();
    print_upload(out, target, action, &report, secs)
}

/// Where an upload went.
#[derive(Debug, Clone, Copy)]
enum Target<'a> {
    Dataset(&'a str),
    Stream(&'a str),
}

fn print_upload(
    out: Output,
    target: Target<'_>,
    action: UploadAction,
    report: &UploadReport,
    secs: f64,
) -> Result<(), Failure> {
    let action_name = action.as_str();
    let (to, id_field, id) = match target {
        Target::Dataset(id) => (id.to_owned(), "datasetId", id),
        Target::Stream(sid) => (format!("stream {sid}"), "streamId", sid),
    };
    let version = report.version_id.as_ref().map(ToString::to_string);
    let json = json!({
        id_field: id,
        "action": action_name,
        "uploadId": report.upload_id,
        "parts": report.parts,
        "rows": report.rows,
        "bytes": report.bytes,
        "seconds": secs,
        "verifiedRows": report.verified_rows,
        "versionId": version,
    });
    let mut record = Record::new()
        .field(
            if id_field == "datasetId" {
                "dataset"
            } else {
                "stream"
            },
            id,
        )
        .field("action", action_name)
        .field("upload", report.upload_id.to_string())
        .field("parts", report.parts.to_string())
        .field("rows", report.rows.to_string())
        .field("bytes", report.bytes.to_string())
        .field("seconds", format!("{secs:.2}"));
    record = record
        .maybe("verified_rows", report.verified_rows.map(|n| n.to_string()))
        .maybe("version", version.clone());
    let verified = match (report.verified_rows, &version) {
        (Some(n), Some(v)) => format!("; verified {n} row{} in version {v}", plural(n)),
        (None, Some(v)) => {
            format!("; version {v} (not verified: the server shows no row count for it)")
        }
        _ => String::new(),
    };
    match out.format {
        Format::Json => out.json(&json),
        Format::Csv => out.raw(record.to_csv()),
        Format::Table => out.raw(format!(
            "uploaded {} row{} ({}) in {} part{} to {to} ({action_name}) in {secs:.2} s; upload {}{verified}\n",
            report.rows,
            plural(report.rows),
            format_bytes(report.bytes),
            report.parts,
            plural(u64::from(report.parts)),
            report.upload_id
        )),
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

pub async fn export(client: &Client, args: ExportArgs) -> Result<(), Failure> {
    let bar = progress::bytes_bar(None, "export");
    let mut options = ExportOptions::default();
    if args.no_header {
        options = options.without_header();
    }
    options.progress = Some(progress::export_callback(&bar));
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
