//! Uploads and exports at any size against the emulator: files streamed in
//! parts with headers, BOMs, CRLF and quoted newlines on part boundaries;
//! gzip; progress; failures that leave the dataset unchanged; typed and
//! paged queries; exports to files.

use std::sync::{Arc, Mutex};

use domo_integration_tests::*;
use domo_native::model::types::{Date, DateTime, Decimal};
use domo_native::{
    ErrorKind, ExportOptions, HeaderMode, UploadAction, UploadOptions, UploadProgress,
};
use futures_util::TryStreamExt;
use serde::Deserialize;

const HEADER: &str = "id,name,score,price,day,at\n";

fn temp_file(name: &str, contents: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("domo-streaming-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

#[tokio::test]
async fn a_file_with_bom_header_and_crlf_is_cut_on_record_boundaries() {
    let emu = emulator().await;
    let c = client(&emu, ADMIN);
    let id = new_dataset(&c, "Files").await;
    let data = rows(0, 400); // names hold quoted newlines, commas and quotes
    let mut file = b"\xEF\xBB\xBF".to_vec();
    file.extend_from_slice(HEADER.replace('\n', "\r\n").as_bytes());
    file.extend_from_slice(data.as_bytes());
    let path = temp_file("bom-header.csv", &file);

    let seen = Arc::new(Mutex::new(Vec::<UploadProgress>::new()));
    // Tiny parts so that many boundaries fall next to quoted newlines.
    for part_size in [97, 1_000, 1 << 20] {
        let sink = seen.clone();
        let opts = UploadOptions::new(UploadAction::Replace)
            .part_size(part_size)
            .concurrency(3)
            .progress(move |p: &UploadProgress| sink.lock().unwrap().push(p.clone()));
        let report = c
            .upload(&id, UploadSource::file(&path), &opts)
            .await
            .unwrap();
        assert_eq!(report.rows, 400, "part size {part_size}");
        assert_eq!(
            report.bytes as usize,
            data.len(),
            "the header and BOM are never sent"
        );
        let export = export_csv(&c, &id).await;
        assert_eq!(
            String::from_utf8(export.to_vec()).unwrap(),
            format!("{HEADER}{data}"),
            "part size {part_size}"
        );
        if part_size == 97 {
            assert!(report.parts > 100, "{} parts", report.parts);
        }
        let last = seen.lock().unwrap().last().cloned().unwrap();
        assert_eq!(last.bytes_read as usize, file.len());
        assert_eq!(last.total_bytes, Some(file.len() as u64));
        assert_eq!(last.parts_done, report.parts);
        assert_eq!(last.rows, 400);
        seen.lock().unwrap().clear();
    }
    assert_eq!(c.data_versions(&id).await.unwrap().len(), 3);
    emu.shutdown().await;
}

#[tokio::test]
async fn header_problems_are_found_before_anything_is_sent() {
    let emu = emulator().await;
    let c = client(&emu, ADMIN);
    let id = new_dataset(&c, "Headers").await;
    let wrong = temp_file(
        "wrong-header.csv",
        b"id,nom,score,price,day,at\n1,a,1,1,2024-01-01,2024-01-01T00:00:00\n",
    );
    let opts = UploadOptions::new(UploadAction::Append).header(HeaderMode::Present);
    let e = c
        .upload(&id, UploadSource::file(&wrong), &opts)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(
        e.to_string()
            .contains("header column 2 is \"nom\" but the dataset's column 2 is \"name\""),
        "{e}"
    );

    let unbalanced = temp_file(
        "unbalanced.csv",
        format!(
            "{}1,\"open,1,1,2024-01-01,2024-01-01T00:00:00\n",
            rows(0, 50)
        )
        .as_bytes(),
    );
    let e = c
        .upload(
            &id,
            UploadSource::file(&unbalanced),
            &UploadOptions::new(UploadAction::Append),
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("never closed"), "{e}");

    assert_eq!(c.dataset(&id).await.unwrap().row_count(), Some(0));
    assert!(
        c.data_versions(&id).await.unwrap().is_empty(),
        "nothing committed"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn empty_last_line_and_empty_files() {
    let emu = emulator().await;
    let c = client(&emu, ADMIN);
    let id = new_dataset(&c, "Edges").await;
    let data = rows(0, 5);
    let path = temp_file("trailing.csv", format!("{HEADER}{data}\n\n").as_bytes());
    let report = c
        .upload(
            &id,
            UploadSource::file(&path),
            &UploadOptions::new(UploadAction::Replace),
        )
        .await
        .unwrap();
    assert_eq!(report.rows, 5);
    assert_eq!(c.dataset(&id).await.unwrap().row_count(), Some(5));
    let no_newline = temp_file("no-newline.csv", data.trim_end().as_bytes());
    c.upload(
        &id,
        UploadSource::file(&no_newline),
        &UploadOptions::new(UploadAction::Append),
    )
    .await
    .unwrap();
    assert_eq!(c.dataset(&id).await.unwrap().row_count(), Some(10));
    let empty = temp_file("empty.csv", b"");
    let report = c
        .upload(
            &id,
            UploadSource::file(&empty),
            &UploadOptions::new(UploadAction::Replace),
        )
        .await
        .unwrap();
    // One empty part: the emulator, as the issue on accidental erasure
    // asks, refuses a REPLACE commit with no parts.
    assert_eq!((report.parts, report.rows), (1, 0));
    assert_eq!(
        c.dataset(&id).await.unwrap().row_count(),
        Some(0),
        "REPLACE with nothing empties the dataset"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn gzip_parts_and_reader_input_land_the_same_rows() {
    let emu = emulator().await;
    let c = client(&emu, ADMIN);
    let id = new_dataset(&c, "Gzip").await;
    let data = rows(0, 3_000);
    let path = temp_file("gz.csv", data.as_bytes());
    let opts = UploadOptions::new(UploadAction::Replace)
        .part_size(16 * 1024)
        .gzip();
    let report = c
        .upload(&id, UploadSource::file(&path), &opts)
        .await
        .unwrap();
    assert!(report.parts > 5);
    assert_eq!(
        String::from_utf8(export_rows_csv(&c, &id).await.to_vec()).unwrap(),
        data
    );

    let reader = tokio::fs::File::open(&path).await.unwrap();
    let opts = UploadOptions::new(UploadAction::Append).part_size(10_000);
    c.upload(&id, UploadSource::reader(reader), &opts)
        .await
        .unwrap();
    assert_eq!(c.dataset(&id).await.unwrap().row_count(), Some(6_000));
    emu.shutdown().await;
}

#[tokio::test]
async fn a_part_the_server_refuses_leaves_the_dataset_unchanged() {
    let mut cfg = config();
    cfg.max_body_bytes = 64 * 1024;
    let emu = start(cfg).await;
    let c = client(&emu, ADMIN);
    let id = new_dataset(&c, "Refused").await;
    c.upload(
        &id,
        UploadSource::bytes(rows(0, 10)),
        &UploadOptions::new(UploadAction::Append),
    )
    .await
    .unwrap();
    let before = export_csv(&c, &id).await;

    // Parts of ~100 KiB exceed the server's 64 KiB limit: 413, not retried.
    let path = temp_file("big.csv", rows(100, 5_000).as_bytes());
    let opts = UploadOptions::new(UploadAction::Replace).part_size(100 * 1024);
    let e = c
        .upload(&id, UploadSource::file(&path), &opts)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PayloadTooLarge, "{e}");
    assert!(e.to_string().contains("nothing was committed"), "{e}");
    assert_eq!(export_csv(&c, &id).await, before);
    assert_eq!(c.data_versions(&id).await.unwrap().len(), 1);
    emu.shutdown().await;
}

#[derive(Debug, Deserialize, PartialEq)]
struct Row {
    id: i64,
    name: String,
    score: Option<f64>,
    price: Decimal,
    day: Date,
    at: DateTime,
}

#[tokio::test]
async fn typed_and_paged_queries_and_row_streams() {
    let emu = emulator().await;
    let c = client(&emu, ADMIN);
    let id = new_dataset(&c, "Typed").await;
    c.upload(
        &id,
        UploadSource::bytes(rows(0, 1_234)),
        &UploadOptions::new(UploadAction::Replace),
    )
    .await
    .unwrap();

    let typed: Vec<Row> = c
        .query_as(&id, "SELECT * FROM table WHERE id IN (6, 7) ORDER BY id")
        .await
        .unwrap();
    assert_eq!(typed[0].id, 6);
    assert_eq!(typed[0].name, "quote \"6\"");
    assert_eq!(typed[0].score, Some(6.5));
    assert_eq!(typed[1].score, None, "\\N is None");
    assert_eq!(typed[0].price.as_str(), "18.25");
    assert_eq!(typed[0].day.to_string(), "2024-07-07");
    assert_eq!(typed[0].at.to_string(), "2024-01-02T03:04:06");

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Wrong {
        name: i64,
    }
    let e = c
        .query_as::<Wrong>(&id, "SELECT name FROM table WHERE id = 1")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.to_string().contains("row 1, column \"name\""), "{e}");

    let all = c
        .query_all(&id, "SELECT id FROM table ORDER BY id", 100)
        .await
        .unwrap()
        .collect_result()
        .await
        .unwrap();
    assert_eq!(all.rows.len(), 1_234);
    assert_eq!(all.num_rows, 1_234);
    assert!(all.rows.iter().enumerate().all(|(i, r)| r[0] == i as u64));
    let ids: Vec<(i64,)> = c
        .query_all_as::<(i64,)>(&id, "SELECT id FROM table ORDER BY id DESC", 500)
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids.first(), Some(&(1_233,)));

    let streamed: Vec<_> = c.data_rows(&id, 250).try_collect().await.unwrap();
    assert_eq!(streamed.len(), 1_234);
    assert_eq!(streamed[1_000][0], 1_000);
    emu.shutdown().await;
}

/// A new dataset holding `n` generated rows, and the CSV they were
/// loaded from.
async fn loaded(c: &domo_native::Client, name: &str, n: u64) -> (String, String) {
    let id = new_dataset(c, name).await;
    let data = rows(0, n);
    c.upload(
        &id,
        UploadSource::bytes(data.clone()),
        &UploadOptions::new(UploadAction::Replace),
    )
    .await
    .unwrap();
    (id, data)
}

#[tokio::test]
async fn export_to_a_file_is_atomic_and_reports_progress() {
    let emu = emulator().await;
    let c = client(&emu, ADMIN);
    let (id, data) = loaded(&c, "Export", 2_000).await;
    let path = std::env::temp_dir().join(format!("domo-export-{}.csv", std::process::id()));
    let last = Arc::new(Mutex::new(0u64));
    let l2 = last.clone();
    let opts = ExportOptions::default().progress(move |n| *l2.lock().unwrap() = n);
    let n = c.export_to_file(&id, &path, &opts).await.unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        format!("{HEADER}{data}")
    );
    assert_eq!(*last.lock().unwrap(), n);

    // A failed export leaves neither the final file nor the partial one.
    let missing =
        std::env::temp_dir().join(format!("domo-export-missing-{}.csv", std::process::id()));
    let e = c
        .export_to_file("no-such-dataset", &missing, &opts)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(!missing.exists());
    assert!(!missing.with_extension("csv.partial").exists());
    let _ = std::fs::remove_file(&path);
    emu.shutdown().await;
}

/// `domoctl export -o /dev/null` once replaced the machine's /dev/null with
/// a regular file (the export was written aside and renamed over it). A
/// name that is not a regular file is written in place; a link is followed
/// and survives; a directory is refused by name.
#[cfg(unix)]
#[tokio::test]
async fn export_to_a_pipe_or_through_a_link_keeps_what_the_name_is() {
    use std::os::unix::fs::FileTypeExt;
    let emu = emulator().await;
    let c = client(&emu, ADMIN);
    let (id, data) = loaded(&c, "Export in place", 500).await;
    let dir = std::env::temp_dir().join(format!("domo-export-kinds-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let opts = ExportOptions::default();

    // A named pipe: a reader on the other end gets every byte, and the
    // pipe is still a pipe afterwards (not a file, no `.partial` beside it).
    let fifo = dir.join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let n = c.export_to_file(&id, &fifo, &opts).await.unwrap();
    let expected = format!("{HEADER}{data}");
    assert_eq!(n, expected.len() as u64);
    // Checked before joining: a pipe renamed over would leave the reader
    // waiting on the old one for ever.
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    assert_eq!(reader.join().unwrap(), expected);
    assert!(!dir.join("pipe.partial").exists());

    // A link to a file: the link stays a link, its target holds the export.
    let real = dir.join("real.csv");
    std::fs::write(&real, "old contents\n").unwrap();
    let link = dir.join("link.csv");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    c.export_to_file(&id, &link, &opts).await.unwrap();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&real).unwrap(), expected);

    // A directory is refused, naming it, and left as it was.
    let e = c.export_to_file(&id, &dir, &opts).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
    assert!(e.to_string().contains("is a directory"), "{e}");
    assert!(dir.is_dir());

    std::fs::remove_dir_all(&dir).unwrap();
    emu.shutdown().await;
}
