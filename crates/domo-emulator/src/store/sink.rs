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

    pub fn get(&self, i: usize) -> Result<ValueRef<'_>> {
        Ok(self.row.get_ref(i)?)
    }
}

/// Where a streamed read puts its result. An error from either method
/// stops the read and becomes the operation's error.
pub(crate) trait RowSink {
    /// The result's columns, once, before any row.
    fn columns(&mut self, columns: &[ResultColumn]) -> Result<()>;
    fn row(&mut self, row: &RowValues<'_, '_>) -> Result<()>;
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
            vals.push(row.get(i)?.into());
        }
        self.rows.push(vals);
        Ok(())
    }
}
