//! The `--demo` dataset: fixed id, one column of each type, ~500
//! deterministic rows with some nulls, owned by user 1.

use serde_json::json;

use crate::api::streams::{NewDataset, create_dataset};
use crate::api::uploads::replace_with_csv;
use crate::csvio::{ColumnType, write_text_field};
use crate::db::{ADMIN_USER, Column, Db, find_dataset};
use crate::error::ApiError;
use crate::faults::SplitMix64;
use crate::server::DEMO_DATASET_ID;

pub const DEMO_ROWS: usize = 500;

fn columns() -> Vec<Column> {
    [
        ("Region", ColumnType::String),
        ("Units", ColumnType::Long),
        ("Unit Price", ColumnType::Double),
        ("Revenue", ColumnType::Decimal),
        ("Order Date", ColumnType::Date),
        ("Shipped At", ColumnType::DateTime),
    ]
    .into_iter()
    .map(|(name, ty)| Column {
        name: name.to_owned(),
        ty,
    })
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
pub(crate) fn ensure_demo(db: &Db) -> Result<(), ApiError> {
    db.write_blocking(|conn| {
        if find_dataset(conn, DEMO_DATASET_ID)?.is_some() {
            return Ok(());
        }
        create_dataset(
            conn,
            &NewDataset {
                id: DEMO_DATASET_ID.to_owned(),
                name: "Demo Sales".to_owned(),
                description: "Deterministic demo data: one column of each Domo type".to_owned(),
                owner: ADMIN_USER,
                columns: columns(),
                update_method: "REPLACE".to_owned(),
                transport: json!({"type": "API"}),
                data_provider: json!({"key": "api", "name": "API"}),
                extra: json!({}),
            },
        )?;
        let ds = find_dataset(conn, DEMO_DATASET_ID)?
            .ok_or_else(|| ApiError::internal("the demo dataset vanished after creation"))?;
        replace_with_csv(conn, &ds, demo_csv().as_bytes())?;
        Ok(())
    })
}
