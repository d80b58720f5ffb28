//! The tour (`cargo xtask demo`): an in-process Domo emulator, and the
//! client doing what Domo users do every day — create a dataset, upload a
//! CSV in parts, query it, export it, share it, read its versions.

use std::time::Instant;

use domo_integration_tests::{ADMIN, all_types, client, config, rows, start};
use domo_native::model::permissions::{AccessLevel, Permission};
use domo_native::{UploadAction, UploadOptions};

const ROWS: u64 = 200_000;

#[tokio::main]
async fn main() -> Result<(), domo_native::Error> {
    let emulator = start(config()).await;
    println!(
        "Domo emulator listening on {} (in-process, in memory)\n",
        emulator.url()
    );
    let domo = client(&emulator, ADMIN);

    println!("1. Create a dataset through an API-type stream");
    let stream = domo
        .create_dataset("Tour: sales", "made by the tour", all_types())
        .await?;
    let id = stream.dataset_id().unwrap_or_default().to_owned();
    println!("   dataset {id} (stream {})\n", stream.id);

    println!("2. Upload {ROWS} rows of CSV in parts (cut on record boundaries, 4 in flight)");
    let csv = rows(0, ROWS);
    let started = Instant::now();
    let options = UploadOptions {
        part_size: 4 * 1024 * 1024,
        ..UploadOptions::new(UploadAction::Replace)
    };
    domo.upload_csv_with(&id, csv.clone(), &options).await?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "   {:.1} MB in {secs:.2} s ({:.1} MB/s); the dataset now has {} rows\n",
        csv.len() as f64 / 1e6,
        csv.len() as f64 / 1e6 / secs,
        domo.dataset(&id).await?.row_count().unwrap_or(0)
    );

    println!("3. Run SQL (the dataset is `table`)");
    let sql = "SELECT id % 4 AS bucket, COUNT(*) AS n, ROUND(AVG(score), 2) AS avg_score FROM table GROUP BY id % 4 ORDER BY bucket";
    println!("   {sql}");
    let result = domo.query(&id, sql).await?;
    print_table(&result.columns, &result.rows);

    println!("4. Export it as CSV, streamed");
    let mut sink = tokio::io::sink();
    let bytes = domo.export_csv_to(&id, true, &mut sink).await?;
    println!("   {bytes} bytes, header included\n");

    println!("5. Share it with user 2 (CAN_SHARE) and list who has access");
    domo.share(
        &id,
        vec![Permission::user(2u64, AccessLevel::CanShare)],
        false,
    )
    .await?;
    for p in domo.permissions(&id).await?.list {
        println!("   {:?} {} {}", p.kind, p.id, p.access_level.as_str());
    }
    println!();

    println!("6. Data versions");
    for v in domo.data_versions(&id).await? {
        println!(
            "   version {} {} rows={}",
            v.data_version_id.map(|i| i.to_string()).unwrap_or_default(),
            v.status.unwrap_or_default(),
            v.row_count.unwrap_or(0)
        );
    }
    emulator.shutdown().await;
    println!("\nDone.");
    Ok(())
}

fn print_table(columns: &[String], rows: &[Vec<serde_json::Value>]) {
    let cell = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "NULL".into(),
        other => other.to_string(),
    };
    let widths: Vec<usize> = (0..columns.len())
        .map(|i| {
            rows.iter()
                .map(|r| cell(&r[i]).len())
                .chain([columns[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:>w$}"))
            .collect();
        println!("   {}", padded.join("  "));
    };
    line(columns.to_vec());
    for r in rows {
        line(r.iter().map(cell).collect());
    }
    println!();
}
