//! Streamed reads: an operation hands each row to a `RowSink` as SQLite
//! yields it, on the connection it holds, so no result is ever gathered
//! in memory. The HTTP layer's sinks encode rows straight into the reply;
//! `Collect` gathers a (small) result for the store's own tests.

use rusqlite::types::ValueRef;

use super::Result;
use crate::csvio::ColumnType;

/// A column of a streamed result.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ResultColumn {
    pub name: String,
    /// The Domo type the column was declared with, when it is one of the
    /// dataset's columns (decides how values are written: DECIMAL text as
    /// a number).
    pub declared: Option<ColumnType>,
}

/// One row as SQLite yields it; its values borrow the statement.
pub(crate) struct RowValues<'a, 's> {
    row: &'a rusqlite::Row<'s>,
    len: usize,
}

impl<'a, 's> RowValues<'a, 's> {
    pub(super) fn new(row: &'a rusqlite::Row<'s>, len: usize) -> Self {
        Self { row, len }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn get(&self, i: usize) -> Result<Field<'_>> {
        let v = self.row.get_ref(i)?;
        Ok(match v {
            ValueRef::Blob(b) => match super::dialect::decimal::blob_text(b) {
                Some(text) => Field::Decimal(text),
                None => Field::Sql(v),
            },
            other => Field::Sql(other),
        })
    }
}

/// One value of a result row: as SQLite yields it, or a decimal (which
/// SQL computes exactly, carried in SQLite as a BLOB) as its digits.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Field<'a> {
    Sql(ValueRef<'a>),
    Decimal(String),
}

impl Field<'_> {
    /// The value for writers of text: a decimal as its digits.
    pub fn value_ref(&self) -> ValueRef<'_> {
        match self {
            Field::Sql(v) => *v,
            Field::Decimal(text) => ValueRef::Text(text.as_bytes()),
        }
    }

    /// The type the value shows its column has (`value_type`).
    pub fn column_type(&self) -> Option<ColumnType> {
        match self {
            Field::Sql(v) => value_type(*v),
            Field::Decimal(_) => Some(ColumnType::Decimal),
        }
    }
}

/// Where a streamed read puts its result. An error from either method
/// stops the read and becomes the operation's error.
pub(crate) trait RowSink {
    /// The result's columns, once, before any row.
    fn columns(&mut self, columns: &[ResultColumn]) -> Result<()>;
    fn row(&mut self, row: &RowValues<'_, '_>) -> Result<()>;
}

/// A stored DECIMAL text (`+3`, `.50`) as a JSON number's exact digits
/// (`3`, `0.50`); None when it is not a decimal of at most 38 digits.
pub(crate) fn decimal_json(text: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(text).ok()?;
    super::dialect::decimal::Dec::parse(text).map(|d| d.text())
}

/// The type a value shows a column has, for columns without a declared one.
pub(crate) fn value_type(v: ValueRef<'_>) -> Option<ColumnType> {
    match v {
        ValueRef::Integer(_) => Some(ColumnType::Long),
        ValueRef::Real(_) => Some(ColumnType::Double),
        ValueRef::Text(_) | ValueRef::Blob(_) => Some(ColumnType::String),
        ValueRef::Null => None,
    }
}

/// A whole result in memory.
#[cfg(test)]
#[derive(Debug, Default)]
pub(crate) struct Collect {
    pub columns: Vec<ResultColumn>,
    pub rows: Vec<Vec<rusqlite::types::Value>>,
}

#[cfg(test)]
impl RowSink for Collect {
    fn columns(&mut self, columns: &[ResultColumn]) -> Result<()> {
        self.columns = columns.to_vec();
        Ok(())
    }

    fn row(&mut self, row: &RowValues<'_, '_>) -> Result<()> {
        let mut vals = Vec::with_capacity(row.len());
        for i in 0..row.len() {
            vals.push(row.get(i)?.value_ref().into());
        }
        self.rows.push(vals);
        Ok(())
    }
}
