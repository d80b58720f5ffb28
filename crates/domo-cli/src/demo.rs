//! `domoctl demo`: the tour. An in-process emulator, and the client doing what
//! Domo users do every day, one step at a time with one line on why and
//! the figures (rows, MB, seconds).

use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use domo_emulator::{DEFAULT_TOKEN, EmulatorConfig};

mod pdp;
use domo_native::model::datasets::{Dataset, SearchHit};
use domo_native::model::permissions::{AccessLevel, Permission};
use domo_native::model::query::QueryResult;
use domo_native::model::schema::{Column, ColumnType};
use domo_native::{
    Client, DatasetSearch, ExportOptions, HeaderMode, NewDataset, ShareOptions, UploadAction,
    UploadOptions, UploadReport, UploadSource,
};
use futures_util::TryStreamExt;

use crate::args::DemoArgs;
use crate::commands::access::permissions_table;
use crate::commands::dataset::versions_table;
use crate::failure::Failure;
use crate::output::Output;
use crate::progress;
use crate::table::Table;
use crate::units::format_bytes;

const REGIONS: [&str; 5] = ["north", "south", "east", "west", "central"];
/// As written in the CSV: one name holds a quote, one a comma, so the
/// file needs RFC 4180 quoting.
const PRODUCTS: [&str; 6] = [
    "anvil",
    "rocket skates",
    "\"\"\"giant\"\" magnet\"",
    "\"bird seed, 10 kg\"",
    "tornado kit",
    "earthquake pill",
];

pub async fn run(args: DemoArgs) -> Result<(), Failure> {
    let out = Output::new(crate::output::Format::Table);
    let tour_started = Instant::now();
    let mut step = Steps::new(out);

    let emulator = domo_emulator::start(emulator_config()?)
        .await
        .map_err(|e| Failure::Io(format!("cannot start the emulator: {e}")))?;
    step.say(&format!(
        "Domo emulator listening on {} (in this process, in memory; nothing leaves the machine)\n",
        emulator.url()
    ))?;
    let domo = Client::builder()
        .base_url(emulator.url())
        .developer_token(DEFAULT_TOKEN)
        .timeout(Duration::from_secs(120))
        .build()?;

    step.title(
        "Create a dataset",
        "datasets are created through an API-type stream that feeds them",
    )?;
    let columns = vec![
        Column::new("order_id", ColumnType::Long),
        Column::new("region", ColumnType::String),
        Column::new("product", ColumnType::String),
        Column::new("units", ColumnType::Long),
        Column::new("unit_price", ColumnType::Decimal),
        Column::new("day", ColumnType::Date),
        Column::new("sold_at", ColumnType::DateTime),
    ];
    let column_list: Vec<String> = columns
        .iter()
        .map(|c| format!("{}:{}", c.name, c.kind))
        .collect();
    let created = domo
        .create_dataset(
            NewDataset::new("Demo: sales", columns).description("made by `domoctl demo`"),
        )
        .await?;
    let id = created.dataset_id;
    let stream = created.stream_id.map(|s| s.to_string()).unwrap_or_default();
    step.detail(&format!("dataset {id} (stream {stream})"))?;
    step.detail(&format!("columns {}", column_list.join(", ")))?;

    let dir =
        tempfile::tempdir().map_err(|e| Failure::io("cannot create a temporary directory", e))?;
    let csv_path = dir.path().join("sales.csv");
    step.title(
        "Write a CSV file",
        "a header row, then generated sales; some product names need quoting",
    )?;
    let started = Instant::now();
    let csv_bytes = write_sales_csv(&csv_path, args.rows)
        .map_err(|e| Failure::io(format!("cannot write {}", csv_path.display()), e))?;
    step.detail(&format!(
        "{} rows, {} in {:.2} s: {}",
        args.rows,
        format_bytes(csv_bytes),
        started.elapsed().as_secs_f64(),
        csv_path.display()
    ))?;

    step.title(
        "Upload it in parts",
        "cut on record boundaries, sent in parallel, committed only when every part is in",
    )?;
    let bar = progress::bytes_bar(Some(csv_bytes), "upload");
    let mut options = UploadOptions::new(UploadAction::Replace)
        .part_size(args.part_size)
        .concurrency(usize::from(args.concurrency))
        .header(HeaderMode::Present);
    options.progress = Some(progress::upload_callback(&bar));
    let started = Instant::now();
    let report = domo
        .upload(&id, UploadSource::file(&csv_path), &options)
        .await;
    bar.finish_and_clear();
    let report = report?;
    let secs = started.elapsed().as_secs_f64();
    step.detail(&format!(
        "{} rows, {} in {} part{} (target {} each, {} at a time) in {secs:.2} s ({:.1} MB/s)",
        report.rows,
        format_bytes(report.bytes),
        report.parts,
        if report.parts == 1 { "" } else { "s" },
        format_bytes(args.part_size as u64),
        args.concurrency,
        report.bytes as f64 / 1e6 / secs.max(1e-9)
    ))?;
    let dataset = domo.dataset(&id).await?;
    step.detail(&format!(
        "the dataset now has {} rows (upload {}); {}",
        dataset.row_count().unwrap_or(0),
        report.upload_id,
        verified_text(&report)
    ))?;

    step.title(
        "List datasets",
        "every dataset you can see, page by page; `--search` matches names with wildcards",
    )?;
    let datasets: Vec<Dataset> = domo.datasets().try_collect().await?;
    step.table(&datasets_table(&datasets))?;

    step.title("Rename it", "the name and description are its properties")?;
    domo.rename_dataset(&id, "Demo: sales 2024").await?;
    let hits: Vec<SearchHit> = domo
        .search_datasets(DatasetSearch::text("SALES 2024"))
        .try_collect()
        .await?;
    step.detail(&format!(
        "searching for \"SALES 2024\" (case does not matter) finds {}",
        hits.iter()
            .map(|h| format!("{} ({})", h.name.as_deref().unwrap_or("?"), h.dataset_id()))
            .collect::<Vec<_>>()
            .join(", ")
    ))?;

    step.title(
        "Run SQL",
        "the dataset is called `table`; the answer comes back as columns and rows",
    )?;
    let sql = "SELECT region, COUNT(*) AS orders, SUM(units) AS units, \
               ROUND(SUM(units * unit_price), 2) AS revenue \
               FROM table GROUP BY region ORDER BY revenue DESC";
    step.detail(sql)?;
    let started = Instant::now();
    let result = domo.query(&id, sql).await?;
    step.detail(&format!(
        "{} rows in {:.2} s:",
        result.num_rows,
        started.elapsed().as_secs_f64()
    ))?;
    step.table(&query_table(&result))?;

    step.title(
        "Export it as CSV",
        "streamed to a file (written aside, renamed when complete); memory stays flat",
    )?;
    let export_path = dir.path().join("export.csv");
    let bar = progress::bytes_bar(None, "export");
    let mut options = ExportOptions::default();
    options.progress = Some(progress::export_callback(&bar));
    let started = Instant::now();
    let exported = domo.export_to_file(&id, &export_path, &options).await;
    bar.finish_and_clear();
    let exported = exported?;
    let secs = started.elapsed().as_secs_f64();
    let same = files_equal(&csv_path, &export_path)
        .map_err(|e| Failure::io("cannot compare the export with the upload", e))?;
    step.detail(&format!(
        "{} in {secs:.2} s ({:.1} MB/s); {}",
        format_bytes(exported),
        exported as f64 / 1e6 / secs.max(1e-9),
        if same {
            "byte for byte the file that was uploaded"
        } else {
            "it differs from the uploaded file (values are written in Domo's canonical form)"
        }
    ))?;

    step.title(
        "Upsert corrections",
        "with order_id an upsert key, an upload replaces the orders it names and adds the new ones",
    )?;
    let mut schema = domo.schema(&id).await?;
    for column in &mut schema.columns {
        if column.name == "order_id" {
            column.upsert_key = Some(true);
        }
    }
    domo.alter_schema(&id, &schema).await?;
    let before = dataset.row_count().unwrap_or(0);
    let corrections = upsert_csv(args.rows);
    let options = UploadOptions::new(UploadAction::Upsert).header(HeaderMode::Present);
    let report = domo.upload(&id, corrections, &options).await?;
    let after = domo.dataset(&id).await?.row_count().unwrap_or(0);
    step.detail(&format!(
        "sent {} rows (3 corrected orders, 2 new ones); {}; the dataset went from {before} to {after} rows",
        report.rows,
        verified_text(&report)
    ))?;

    step.title(
        "Share it",
        "user 2 may now edit it; a group could be added the same way",
    )?;
    domo.share(
        &id,
        vec![Permission::user(2u64, AccessLevel::CanEdit)],
        &ShareOptions::default(),
    )
    .await?;
    let permissions = domo.permissions(&id).await?;
    step.table(&permissions_table(&permissions))?;

    pdp::step(&mut step, &domo, emulator.url(), &id).await?;

    step.title(
        "List its data versions",
        "every committed upload is a version",
    )?;
    let versions = domo.data_versions(&id).await?;
    step.table(&versions_table(&versions))?;

    step.title(
        "Delete it",
        "rows, versions, streams and permissions go in one step; the dataset is gone for every call",
    )?;
    domo.delete_dataset(&id).await?;
    let gone = match domo.dataset(&id).await {
        Err(e) if e.status() == Some(404) => "reading it again answers 404".to_owned(),
        Err(e) => format!("reading it again fails: {}", e.message()),
        Ok(_) => "it can still be read".to_owned(),
    };
    step.detail(&format!("deleted {id}; {gone}"))?;

    emulator.shutdown().await;
    step.say(&format!(
        "\nDone in {:.1} s. Next: `domoctl emulator` serves the same API on http://127.0.0.1:8787; \
         point DOMO_BASE_URL at it with DOMO_TOKEN={DEFAULT_TOKEN} and try `domoctl --help`.",
        tour_started.elapsed().as_secs_f64()
    ))
}

/// An in-memory emulator on a free loopback port that knows the users of
/// the row-policy step, set up through the emulator's own flags.
fn emulator_config() -> Result<EmulatorConfig, Failure> {
    #[derive(clap::Parser)]
    struct Flags {
        #[command(flatten)]
        emulator: domo_emulator::cli::EmulatorArgs,
    }
    let mut args = vec![
        "domoctl demo".to_owned(),
        "--addr".into(),
        "127.0.0.1:0".into(),
    ];
    for (user, email) in pdp::USERS {
        args.extend(["--user".to_owned(), format!("{user}:{email}")]);
    }
    use clap::Parser;
    Flags::try_parse_from(args)
        .map(|f| f.emulator.into())
        .map_err(|e| Failure::Io(format!("cannot set up the emulator: {e}")))
}

fn verified_text(report: &UploadReport) -> String {
    match (report.verified_rows, &report.version_id) {
        (Some(n), Some(v)) => format!("verified {n} rows in version {v}"),
        _ => "not verified".to_owned(),
    }
}

fn datasets_table(datasets: &[Dataset]) -> Table {
    let mut t = Table::new(["id", "name", "rows", "columns"]);
    for ds in datasets {
        t.push([
            ds.id.to_string(),
            ds.name.clone().unwrap_or_default(),
            ds.row_count().map(|n| n.to_string()).unwrap_or_default(),
            ds.column_count().map(|n| n.to_string()).unwrap_or_default(),
        ]);
    }
    t
}

/// Three orders of the upload corrected (more units) and two new ones
/// after the last, with the header. `rows` is how many the upload had.
fn upsert_csv(rows: u64) -> String {
    let mut text = String::from("order_id,region,product,units,unit_price,day,sold_at\n");
    for order in [1, rows.div_ceil(2), rows] {
        text.push_str(&format!(
            "{order},north,anvil,99,19.99,2024-12-30,2024-12-30T10:00:00\n"
        ));
    }
    for order in [rows + 1, rows + 2] {
        text.push_str(&format!(
            "{order},south,tornado kit,1,5.00,2024-12-31,2024-12-31T23:59:59\n"
        ));
    }
    text
}

/// Numbered steps with indented details.
struct Steps {
    out: Output,
    number: u32,
}

impl Steps {
    fn new(out: Output) -> Steps {
        Steps { out, number: 0 }
    }

    fn say(&self, text: &str) -> Result<(), Failure> {
        self.out.raw(format!("{text}\n"))
    }

    fn title(&mut self, what: &str, why: &str) -> Result<(), Failure> {
        self.number += 1;
        let gap = if self.number == 1 { "" } else { "\n" };
        self.out
            .raw(format!("{gap}{}. {what}: {why}\n", self.number))
    }

    fn detail(&self, text: &str) -> Result<(), Failure> {
        self.out.raw(format!("   {text}\n"))
    }

    fn table(&self, table: &Table) -> Result<(), Failure> {
        let indented: String = table
            .render()
            .lines()
            .map(|l| format!("   {l}\n"))
            .collect();
        self.out.raw(indented)
    }
}

/// Writes the header and `rows` sales rows; returns the file's size. The
/// values are in the form the export writes back, so the round trip can be
/// checked byte for byte.
fn write_sales_csv(path: &Path, rows: u64) -> std::io::Result<u64> {
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(w, "order_id,region,product,units,unit_price,day,sold_at")?;
    let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
    for order in 1..=rows {
        let region = REGIONS[rng.below(REGIONS.len() as u64) as usize];
        let product = PRODUCTS[rng.below(PRODUCTS.len() as u64) as usize];
        let units = 1 + rng.below(40);
        let cents = 199 + rng.below(99_800);
        let day = rng.below(365);
        let (month, dom) = month_day(day);
        let second = rng.below(86_400);
        writeln!(
            w,
            "{order},{region},{product},{units},{}.{:02},2024-{month:02}-{dom:02},2024-{month:02}-{dom:02}T{:02}:{:02}:{:02}",
            cents / 100,
            cents % 100,
            second / 3600,
            second % 3600 / 60,
            second % 60
        )?;
    }
    w.flush()?;
    let file = w.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    Ok(file.metadata()?.len())
}

/// Day 0..365 of 2024 (a leap year) as (month, day of month).
fn month_day(day_of_year: u64) -> (u64, u64) {
    const DAYS: [u64; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut left = day_of_year;
    for (i, d) in DAYS.iter().enumerate() {
        if left < *d {
            return (i as u64 + 1, left + 1);
        }
        left -= d;
    }
    (12, 31)
}

fn files_equal(a: &Path, b: &Path) -> std::io::Result<bool> {
    use std::io::Read;
    let (fa, fb) = (std::fs::File::open(a)?, std::fs::File::open(b)?);
    if fa.metadata()?.len() != fb.metadata()?.len() {
        return Ok(false);
    }
    let (mut ra, mut rb) = (std::io::BufReader::new(fa), std::io::BufReader::new(fb));
    let (mut ba, mut bb) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    loop {
        let n = ra.read(&mut ba)?;
        if n == 0 {
            return Ok(true);
        }
        rb.read_exact(&mut bb[..n])?;
        if ba[..n] != bb[..n] {
            return Ok(false);
        }
    }
}

/// A small deterministic generator: the same rows every run.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// A small query result as a table (the tour's results fit on a screen;
/// `domoctl query` streams instead).
fn query_table(result: &QueryResult) -> Table {
    let mut t = Table::new(result.columns.iter().cloned());
    for row in &result.rows {
        t.push_values(row);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_of_2024() {
        assert_eq!(month_day(0), (1, 1));
        assert_eq!(month_day(59), (2, 29));
        assert_eq!(month_day(60), (3, 1));
        assert_eq!(month_day(365), (12, 31));
    }

    #[test]
    fn the_generated_csv_has_a_header_and_every_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.csv");
        let size = write_sales_csv(&path, 50).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(size, text.len() as u64);
        assert_eq!(text.lines().count(), 51);
        assert!(text.starts_with("order_id,region,product,units,unit_price,day,sold_at\n1,"));
        assert!(text.lines().last().unwrap().starts_with("50,"));
    }
}
