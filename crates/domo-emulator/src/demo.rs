//! The `--demo` dataset: fixed id, one column of each type, ~500
//! deterministic rows with some nulls, owned by user 1. It is made with
//! the store operations a client's requests run: create a stream, start an
//! upload, send one part, commit it as a REPLACE.

use serde_json::{Map, json};

use crate::csvio::{ColumnType, write_text_field};
use crate::rng::SplitMix64;
use crate::store::schema::NewColumn;
use crate::store::streams::NewStream;
use crate::store::uploads::Commit;
use crate::store::{ADMIN_USER, ErrorKind, Store, StoreError};

/// The fixed id of the `--demo` dataset.
pub const DEMO_DATASET_ID: &str = "00000000-0000-4000-8000-000000000001";

pub const DEMO_ROWS: usize = 500;

fn columns() -> Vec<NewColumn> {
    [
        ("Region", ColumnType::String),
        ("Units", ColumnType::Long),
        ("Unit Price", ColumnType::Double),
        ("Revenue", ColumnType::Decimal),
        ("Order Date", ColumnType::Date),
        ("Shipped At", ColumnType::DateTime),
    ]
    .into_iter()
    .map(|(name, ty)| NewColumn::new(name, ty.as_str()))
    .collect()
}

/// Day `n` (0-based) of 2024 as (month, day).
fn day_of_2024(mut n: u32) -> (u32, u32) {
    const DAYS: [u32; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    for (m, len) in DAYS.iter().enumerate() {
        if n < *len {
            return (m as u32 + 1, n + 1);
        }
        n -= len;
    }
    (12, 31)
}

/// The demo rows as CSV (no header), the same on every run.
pub fn demo_csv() -> String {
    const REGIONS: [&str; 6] = [
        "North",
        "South",
        "East",
        "West",
        "Central",
        "Far \"East\", Outer",
    ];
    let mut rng = SplitMix64::new(2024);
    let mut out = Vec::new();
    for i in 0..DEMO_ROWS {
        let r = rng.next_u64();
        let region = REGIONS[(r % REGIONS.len() as u64) as usize];
        let units = (r >> 8) % 100 + 1;
        let cents = (r >> 16) % 10_000 + 99;
        let (month, day) = day_of_2024(((r >> 32) % 366) as u32);
        let (h, m, s) = ((r >> 40) % 24, (r >> 45) % 60, (r >> 51) % 60);
        if i % 50 == 7 {
            out.extend_from_slice(b"\\N");
        } else {
            write_text_field(&mut out, region);
        }
        out.push(b',');
        let units_null = i % 41 == 3;
        let price_null = i % 37 == 5;
        if !units_null {
            out.extend_from_slice(units.to_string().as_bytes());
        }
        out.push(b',');
        if !price_null {
            out.extend_from_slice(format!("{}", cents as f64 / 100.0).as_bytes());
        }
        out.push(b',');
        if !units_null && !price_null {
            let total = units * cents;
            out.extend_from_slice(format!("{}.{:02}", total / 100, total % 100).as_bytes());
        }
        out.push(b',');
        out.extend_from_slice(format!("2024-{month:02}-{day:02},").as_bytes());
        if i % 23 != 11 {
            out.extend_from_slice(
                format!("2024-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}").as_bytes(),
            );
        }
        out.push(b'\n');
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Creates the demo dataset unless it already exists (a restart with the
/// same data directory keeps it as it is, including any changes).
pub(crate) fn ensure_demo(store: &Store) -> Result<(), StoreError> {
    match store.get_dataset(ADMIN_USER, DEMO_DATASET_ID) {
        Ok(_) => return Ok(()),
        Err(e) if e.kind == ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    store.create_stream(
        ADMIN_USER,
        NewStream {
            dataset_id: Some(DEMO_DATASET_ID.to_owned()),
            name: "Demo Sales".to_owned(),
            description: "Deterministic demo data: one column of each Domo type".to_owned(),
            columns: columns(),
            update_method: "REPLACE".to_owned(),
            transport: json!({"type": "API"}),
            data_provider: json!({"key": "api", "name": "API"}),
            extra: Map::new(),
        },
    )?;
    let upload = store.start_upload(ADMIN_USER, DEMO_DATASET_ID, None, None)?;
    let upload_id = upload.upload_id.to_string();
    store.upload_part(
        ADMIN_USER,
        DEMO_DATASET_ID,
        &upload_id,
        1,
        demo_csv().into_bytes(),
    )?;
    store.commit_upload(
        ADMIN_USER,
        DEMO_DATASET_ID,
        &upload_id,
        Commit {
            action: Some("REPLACE".to_owned()),
            data_tag: None,
        },
    )?;
    Ok(())
}
