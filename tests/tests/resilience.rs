//! Faults and crashes: the client completes under injected failures with
//! exact row counts, and a killed emulator restarts with every commit either
//! wholly applied or not at all.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use domo_integration_tests::*;
use domo_native::{UploadAction, UploadOptions};

#[tokio::test]
async fn uploads_and_queries_complete_under_injected_faults() {
    let dir = temp_dir("faults");
    let mut cfg = config();
    cfg.data_dir = Some(dir.clone());
    // Create the dataset on a calm server: creation is not idempotent, so a
    // reset during it is (rightly) not retried.
    let calm = start(cfg.clone()).await;
    let id = new_dataset(&client(&calm, ADMIN), "Stormy").await;
    calm.shutdown().await;

    cfg.faults = "429=0.2,503=0.1,reset=0.05,retry-after=0".parse().unwrap();
    cfg.fault_seed = 7;
    let stormy = start(cfg).await;
    let c = client(&stormy, ADMIN);
    let opts = UploadOptions::new(UploadAction::Replace)
        .part_size(8_000)
        .concurrency(4);
    c.upload(&id, UploadSource::bytes(rows(0, 2_000)), &opts)
        .await
        .unwrap();
    let opts = UploadOptions::new(UploadAction::Append)
        .part_size(8_000)
        .concurrency(4);
    c.upload(&id, UploadSource::bytes(rows(2_000, 500)), &opts)
        .await
        .unwrap();

    let q = c
        .query(
            &id,
            "SELECT COUNT(*), COUNT(DISTINCT id), SUM(id) FROM table",
        )
        .await
        .unwrap();
    assert_eq!(
        q.rows[0][0], 2_500,
        "exact row count: nothing lost, nothing doubled"
    );
    assert_eq!(q.rows[0][1], 2_500);
    assert_eq!(q.rows[0][2], (0..2_500u64).sum::<u64>());
    assert_eq!(c.dataset(&id).await.unwrap().row_count(), Some(2_500));
    let versions = c.data_versions(&id).await.unwrap();
    assert_eq!(versions.len(), 2, "each upload committed exactly once");
    stormy.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

fn temp_dir(what: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "domo-{what}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The emulator as a real process; killed (SIGKILL) on drop.
struct Process {
    child: Child,
    url: String,
}

impl Process {
    fn spawn(dir: &std::path::Path) -> Process {
        let mut child = Command::new(env!("CARGO_BIN_EXE_emulator-under-test"))
            .args(["--addr", "127.0.0.1:0", "--data-dir"])
            .arg(dir)
            .args(["--token", &format!("{ADMIN}=1")])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the emulator");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = first
            .trim()
            .strip_prefix("listening on ")
            .expect("first line names the URL")
            .to_owned();
        Process { child, url }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn a_kill_during_commits_leaves_each_commit_all_or_nothing() {
    let dir = temp_dir("crash");
    let proc = Process::spawn(&dir);
    let c = client_at(&proc.url, ADMIN);
    let id = new_dataset(&c, "Crashy").await;
    c.upload(
        &id,
        UploadSource::bytes(rows(0, 1_000)),
        &UploadOptions::new(UploadAction::Append),
    )
    .await
    .unwrap();
    drop(proc);

    const BATCH: u64 = 5_000;
    let mut committed = 1_000u64;
    for (round, delay_ms) in [0u64, 15, 40, 90].into_iter().enumerate() {
        let proc = Process::spawn(&dir);
        let c = client_at(&proc.url, ADMIN);
        let from = 10_000 * (round as u64 + 1);
        let csv = rows(from, BATCH);
        let opts = UploadOptions::new(UploadAction::Append)
            .part_size(64 * 1024)
            .concurrency(2);
        let target = id.clone();
        let upload =
            tokio::spawn(async move { c.upload(&target, UploadSource::bytes(csv), &opts).await });
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        drop(proc); // SIGKILL at some moment of the upload
        let _ = upload.await;

        let proc = Process::spawn(&dir);
        let c = client_at(&proc.url, ADMIN);
        let rows_now = c.dataset(&id).await.unwrap().row_count().unwrap();
        assert!(
            rows_now == committed || rows_now == committed + BATCH,
            "round {round}: {rows_now} rows, expected {committed} or {}",
            committed + BATCH
        );
        let q = c.query(&id, "SELECT COUNT(*) FROM table").await.unwrap();
        assert_eq!(q.rows[0][0], rows_now, "metadata and rows agree");
        let versions = c.data_versions(&id).await.unwrap();
        let versioned: u64 = versions.iter().filter_map(|v| v.row_count).sum();
        assert_eq!(
            versioned, rows_now,
            "a version exists exactly for each applied commit"
        );
        committed = rows_now;
        drop(proc);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
