//! The client side of `cargo xtask bench`: one operation through
//! domo-native per run, printing one JSON line with its timing and the
//! process's peak RSS (VmHWM), so the xtask can compare it with curl.

use std::io::Read;
use std::time::Instant;

use domo_core::csv_plan::{HeaderMode, PartCutter, READ_CHUNK};
use domo_integration_tests::{all_types, client_at};
use domo_native::{ExportOptions, NewDataset, UploadAction, UploadOptions, UploadSource};

fn usage() -> ! {
    eprintln!(
        "usage: domo-bench setup URL TOKEN\n       domo-bench plan FILE PART_SIZE\n       domo-bench upload URL TOKEN ID FILE PART_SIZE CONCURRENCY\n       domo-bench export URL TOKEN ID OUT\n       domo-bench query URL TOKEN ID SQL\n       domo-bench query-rows URL TOKEN ID SQL PAGE_SIZE (0: one reply)"
    );
    std::process::exit(2)
}

/// Peak resident set size of this process in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).cloned().unwrap_or_else(|| usage());
    let fail = |e: domo_native::Error| -> ! {
        eprintln!("domo-bench: {e}");
        std::process::exit(1)
    };
    match arg(0).as_str() {
        "setup" => {
            let c = client_at(&arg(1), &arg(2));
            let stream = c
                .create_dataset(
                    NewDataset::new("bench", all_types()).description("cargo xtask bench"),
                )
                .await
                .unwrap_or_else(|e| fail(e));
            println!("{}", stream.dataset_id);
        }
        "plan" => plan(&arg(1), arg(2).parse().unwrap_or_else(|_| usage())),
        "upload" => {
            let c = client_at(&arg(1), &arg(2));
            let opts = UploadOptions::new(UploadAction::Replace)
                .part_size(arg(5).parse().unwrap_or_else(|_| usage()))
                .concurrency(arg(6).parse().unwrap_or_else(|_| usage()))
                .header(HeaderMode::Absent);
            let started = Instant::now();
            let r = c
                .upload(&arg(3), UploadSource::file(arg(4)), &opts)
                .await
                .unwrap_or_else(|e| fail(e));
            let secs = started.elapsed().as_secs_f64();
            println!(
                r#"{{"seconds":{secs},"bytes":{},"parts":{},"rows":{},"peak_rss_kib":{}}}"#,
                r.bytes,
                r.parts,
                r.rows,
                peak_rss_kib()
            );
        }
        "export" => {
            let c = client_at(&arg(1), &arg(2));
            let started = Instant::now();
            let opts = ExportOptions::default();
            let n = c
                .export_to_file(&arg(3), arg(4), &opts)
                .await
                .unwrap_or_else(|e| fail(e));
            let secs = started.elapsed().as_secs_f64();
            println!(
                r#"{{"seconds":{secs},"bytes":{n},"peak_rss_kib":{}}}"#,
                peak_rss_kib()
            );
        }
        "query" => {
            let c = client_at(&arg(1), &arg(2));
            let started = Instant::now();
            let r = c.query(&arg(3), &arg(4)).await.unwrap_or_else(|e| fail(e));
            let secs = started.elapsed().as_secs_f64();
            println!(
                r#"{{"seconds":{secs},"rows":{},"peak_rss_kib":{}}}"#,
                r.rows.len(),
                peak_rss_kib()
            );
        }
        "query-rows" => {
            // Rows streamed and dropped: the client's own cost of reading a
            // result, in flat memory (one reply, or LIMIT/OFFSET pages).
            let c = client_at(&arg(1), &arg(2));
            let page: u64 = arg(5).parse().unwrap_or_else(|_| usage());
            let started = Instant::now();
            let mut rows = if page == 0 {
                c.query_rows(&arg(3), &arg(4)).await
            } else {
                c.query_all(&arg(3), &arg(4), page).await
            }
            .unwrap_or_else(|e| fail(e));
            let mut n = 0u64;
            while let Some(row) = rows.next_row().await.unwrap_or_else(|e| fail(e)) {
                drop(row);
                n += 1;
            }
            let secs = started.elapsed().as_secs_f64();
            println!(
                r#"{{"seconds":{secs},"rows":{n},"peak_rss_kib":{}}}"#,
                peak_rss_kib()
            );
        }
        _ => usage(),
    }
}

/// Print `offset length` of each part, cut where the client cuts a file
/// (domo-core's `PartCutter`; the bench's CSV has no header or BOM).
fn plan(path: &str, part_size: u64) {
    let mut file = std::fs::File::open(path).unwrap_or_else(|e| {
        eprintln!("domo-bench: cannot read {path}: {e}");
        std::process::exit(1)
    });
    let mut cutter = PartCutter::new(part_size as usize);
    let mut cuts = Vec::new();
    let mut buf = vec![0u8; READ_CHUNK];
    loop {
        let n = file.read(&mut buf).unwrap_or_else(|e| {
            eprintln!("domo-bench: cannot read {path}: {e}");
            std::process::exit(1)
        });
        if n == 0 {
            break;
        }
        cutter.feed_all(&buf[..n], &mut cuts);
    }
    cuts.extend(cutter.finish().unwrap_or_else(|e| {
        eprintln!("domo-bench: {e}");
        std::process::exit(1)
    }));
    for cut in cuts {
        println!("{} {}", cut.offset, cut.len);
    }
}
