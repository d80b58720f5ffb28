//! The scale of each DECIMAL column: the most decimals any of its values
//! has (the smallest MySQL `DECIMAL(p, s)` that holds them all), which a
//! query shows every value of the column with. Kept in
//! `columns.decimal_scale` and brought up to date in the transaction of
//! every write of rows, so a query reads it (`query::create_view`) rather
//! than scanning the column each time; NULL while the column holds no
//! decimal value.
//!
//! A write that only adds rows raises the scale to the new values' (which
//! `Noted` gathers while they are inserted); one that replaces every row
//! sets it to theirs; one that removes some rows (a partition, rows an
//! upsert replaced) or converts them (a schema change) scans the column
//! again, since the values that set the scale may be gone.

use rusqlite::Connection;
use rusqlite::types::Value as SqlValue;

use super::dialect::decimal;
use super::{Column, Dataset, Result, quote_ident, row_table};
use crate::csvio::ColumnType;

/// The largest scale among the DECIMAL values a write inserted, by column
/// position (None: no decimal value, or not a DECIMAL column).
#[derive(Debug, Clone, Default)]
pub(super) struct Noted(Vec<Option<u32>>);

impl Noted {
    pub fn new(columns: &[Column]) -> Self {
        Self(vec![None; columns.len()])
    }

    /// Counts a value about to be stored in column `i` of type `ty`.
    pub fn note(&mut self, i: usize, ty: ColumnType, value: &SqlValue) {
        if ty != ColumnType::Decimal {
            return;
        }
        let SqlValue::Text(text) = value else { return };
        let Some(slot) = self.0.get_mut(i) else {
            return;
        };
        if let Some(s) = decimal::text_scale(text) {
            *slot = Some(slot.map_or(s, |had| had.max(s)));
        }
    }
}

/// What a write did to the rows, which decides how the scales follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Change {
    /// Rows were added, none removed: the new values can only raise it.
    Added,
    /// Every row was replaced by the new ones: theirs is the scale.
    ReplacedAll,
    /// Some stored rows were removed or changed: scan again.
    Removed,
}

/// Brings the stored scales of `ds` up to date after a write of its rows
/// (`noted`: the values the write inserted).
pub(super) fn after_write(
    conn: &Connection,
    ds: &Dataset,
    noted: &Noted,
    change: Change,
) -> Result<()> {
    let decimals = ds
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.ty == ColumnType::Decimal);
    match change {
        Change::Removed => rescan(conn, ds.pk, &ds.columns),
        Change::Added => {
            let mut raise = conn.prepare_cached(
                "UPDATE columns SET decimal_scale = max(coalesce(decimal_scale, ?1), ?1)
                 WHERE dataset_pk = ?2 AND position = ?3",
            )?;
            for (i, _) in decimals {
                if let Some(s) = noted.0.get(i).copied().flatten() {
                    raise.execute(rusqlite::params![s, ds.pk, i as i64])?;
                }
            }
            Ok(())
        }
        Change::ReplacedAll => {
            let mut set = conn.prepare_cached(
                "UPDATE columns SET decimal_scale = ?1 WHERE dataset_pk = ?2 AND position = ?3",
            )?;
            for (i, _) in decimals {
                set.execute(rusqlite::params![
                    noted.0.get(i).copied().flatten(),
                    ds.pk,
                    i as i64
                ])?;
            }
            Ok(())
        }
    }
}

/// Sets the stored scale of every DECIMAL column of dataset `pk` from its
/// rows (`columns` as they are stored now).
pub(super) fn rescan(conn: &Connection, pk: i64, columns: &[Column]) -> Result<()> {
    for (i, c) in columns.iter().enumerate() {
        if c.ty == ColumnType::Decimal {
            rescan_column(conn, pk, i as i64, &c.name)?;
        }
    }
    Ok(())
}

fn rescan_column(conn: &Connection, pk: i64, position: i64, name: &str) -> rusqlite::Result<()> {
    conn.execute(
        &format!(
            "UPDATE columns SET decimal_scale =
                (SELECT max(domo_decimal_scale({})) FROM {})
             WHERE dataset_pk = ?1 AND position = ?2",
            quote_ident(name),
            quote_ident(&row_table(pk))
        ),
        rusqlite::params![pk, position],
    )?;
    Ok(())
}

/// The stored scale of each column of dataset `pk`, by position.
pub(super) fn stored(conn: &Connection, pk: i64) -> Result<Vec<Option<u32>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT decimal_scale FROM columns WHERE dataset_pk = ? ORDER BY position",
    )?;
    let rows = stmt.query_map([pk], |r| r.get::<_, Option<u32>>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Fills `columns.decimal_scale` in a data directory made before it was
/// kept (`migrate`, once).
pub(super) fn backfill(conn: &Connection) -> rusqlite::Result<()> {
    let decimals: Vec<(i64, i64, String)> = conn
        .prepare("SELECT dataset_pk, position, name FROM columns WHERE type = 'DECIMAL'")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (pk, position, name) in decimals {
        rescan_column(conn, pk, position, &name)?;
    }
    Ok(())
}
