//! A dataset's column list: the one validation of a sent schema (every
//! creation path and every schema change) and the one way a schema changes
//! under stored rows (`AlterSchema` and `UpdateStream`).
//!
//! How a new column list maps onto the old one:
//! 1. a new column whose name equals an old column's name (exactly) IS that
//!    column;
//! 2. of the rest, a new column at the same position as an old column that
//!    found no match is a RENAME of it (it keeps its values);
//! 3. any other new column is ADDED (null in every stored row), any other
//!    old column is DROPPED with its values (Domo allows removing columns).
//!
//! A matched or renamed column may change type: each stored value is
//! converted through its text form (`7` LONG -> `"7"` STRING -> `7` LONG,
//! `2024-01-02` DATE -> `2024-01-02T00:00:00` DATETIME). The first value
//! that is not a valid value of the new type refuses the whole change.

use std::collections::HashSet;

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, params};

use super::{
    Column, Dataset, PARTITION_COLUMN, ROWID_COLUMN, Result, StoreError, create_row_table,
    quote_ident, row_table,
};
use crate::csvio::{self, ColumnType};
use crate::limits::MAX_COLUMNS;

/// A column as a client sends it; validated by `validate_columns`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NewColumn {
    pub name: String,
    pub ty: String,
    /// `None`: a column matched to an old one keeps its flag; a new one is
    /// not a key.
    pub upsert_key: Option<bool>,
}

impl NewColumn {
    pub fn new(name: impl Into<String>, ty: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ty: ty.into(),
            upsert_key: None,
        }
    }
}

/// A validated column list; `key_given[i]` says whether column `i`'s
/// upsert flag was sent.
#[derive(Debug, Clone)]
pub(crate) struct Columns {
    pub columns: Vec<Column>,
    key_given: Vec<bool>,
}

/// Column names must be non-empty, unique and not reserved; there may be
/// at most `MAX_COLUMNS`. Uniqueness ignores ASCII case because the SQL
/// endpoint resolves identifiers case-insensitively. Messages name the
/// field as `{field}[i]`.
pub(crate) fn validate_columns(field: &str, cols: &[NewColumn]) -> Result<Columns> {
    if cols.len() > MAX_COLUMNS {
        return Err(StoreError::invalid(format!(
            "{field} has {} columns, more than the limit of {MAX_COLUMNS}",
            cols.len()
        )));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(cols.len());
    for (i, c) in cols.iter().enumerate() {
        let (name, pos) = (&c.name, i + 1);
        if name.trim().is_empty() {
            return Err(StoreError::invalid(format!(
                "{field}[{i}]: column {pos} has an empty name"
            )));
        }
        if name.eq_ignore_ascii_case(PARTITION_COLUMN) || name.eq_ignore_ascii_case(ROWID_COLUMN) {
            return Err(StoreError::invalid(format!(
                "{field}[{i}]: the name `{name}` is reserved"
            )));
        }
        // SQLite ends a statement at NUL, so such a name cannot be a column.
        if name.contains('\0') {
            return Err(StoreError::invalid(format!(
                "{field}[{i}]: column {pos} has a NUL character in its name"
            )));
        }
        if !seen.insert(name.to_ascii_lowercase()) {
            return Err(StoreError::invalid(format!(
                "{field}[{i}]: column name `{name}` is used twice (names are compared ignoring case)"
            )));
        }
        let ty = ColumnType::parse(&c.ty).ok_or_else(|| {
            StoreError::invalid(format!(
                "{field}[{i}] (`{name}`): type `{}` is not one of STRING, LONG, DOUBLE, DECIMAL, DATE, DATETIME",
                c.ty
            ))
        })?;
        out.push(Column {
            name: name.clone(),
            ty,
            upsert_key: c.upsert_key.unwrap_or(false),
        });
    }
    Ok(Columns {
        key_given: cols.iter().map(|c| c.upsert_key.is_some()).collect(),
        columns: out,
    })
}

/// Writes a dataset's column rows (after its old ones were deleted).
pub(super) fn insert_columns(conn: &Connection, pk: i64, columns: &[Column]) -> Result<()> {
    for (i, c) in columns.iter().enumerate() {
        conn.execute(
            "INSERT INTO columns (dataset_pk, position, name, type, upsert_key) VALUES (?, ?, ?, ?, ?)",
            params![pk, i as i64, c.name, c.ty.as_str(), c.upsert_key],
        )?;
    }
    Ok(())
}

/// Keeps an index on the upsert key columns, so a keyed commit finds the
/// stored row of a key without scanning.
pub(super) fn ensure_key_index(conn: &Connection, pk: i64, columns: &[Column]) -> Result<()> {
    let table = row_table(pk);
    let index = quote_ident(&format!("{table}_upsert_key"));
    conn.execute_batch(&format!("DROP INDEX IF EXISTS {index}"))?;
    let keys: Vec<String> = columns
        .iter()
        .filter(|c| c.upsert_key)
        .map(|c| quote_ident(&c.name))
        .collect();
    if !keys.is_empty() {
        conn.execute_batch(&format!(
            "CREATE INDEX {index} ON {} ({})",
            quote_ident(&table),
            keys.join(", ")
        ))?;
    }
    Ok(())
}

/// For each new column, the old column it continues (module docs).
fn match_columns(old: &[Column], new: &[Column]) -> Vec<Option<usize>> {
    let mut used = vec![false; old.len()];
    let mut source: Vec<Option<usize>> = new
        .iter()
        .map(|n| {
            let i = old.iter().position(|o| o.name == n.name)?;
            used[i] = true;
            Some(i)
        })
        .collect();
    for (j, s) in source.iter_mut().enumerate() {
        if s.is_none() && j < old.len() && !used[j] {
            used[j] = true;
            *s = Some(j);
        }
    }
    source
}

/// A stored value as text, the way an upload would have sent it.
fn text_of(v: &SqlValue) -> Option<String> {
    match v {
        SqlValue::Null => None,
        SqlValue::Integer(i) => Some(i.to_string()),
        SqlValue::Real(f) => Some(f.to_string()),
        SqlValue::Text(t) => Some(t.clone()),
        SqlValue::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
    }
}

/// Converts one stored value to a new type; the error says why not.
fn convert(v: SqlValue, to: ColumnType) -> Result<SqlValue, String> {
    let Some(text) = text_of(&v) else {
        return Ok(SqlValue::Null);
    };
    if to == ColumnType::String {
        return Ok(SqlValue::Text(text));
    }
    csvio::parse_value(to, &text, true)
}

/// Replaces `ds`'s columns with `new` (module docs), keeping the rows.
/// Nothing changes when a stored value cannot be converted.
pub(super) fn change_schema(conn: &Connection, ds: &Dataset, new: &Columns) -> Result<Vec<Column>> {
    let source = match_columns(&ds.columns, &new.columns);
    let mut cols = new.columns.clone();
    for (j, c) in cols.iter_mut().enumerate() {
        if let (false, Some(i)) = (new.key_given[j], source[j]) {
            c.upsert_key = ds.columns[i].upsert_key;
        }
    }
    let same_layout = ds.columns.len() == cols.len()
        && source.iter().enumerate().all(|(j, s)| *s == Some(j))
        && ds
            .columns
            .iter()
            .zip(&cols)
            .all(|(a, b)| a.ty == b.ty && a.name == b.name);
    if same_layout {
        conn.execute("DELETE FROM columns WHERE dataset_pk = ?", [ds.pk])?;
        insert_columns(conn, ds.pk, &cols)?;
        ensure_key_index(conn, ds.pk, &cols)?;
        super::scales::rescan(conn, ds.pk, &cols)?;
        return Ok(cols);
    }

    let table = row_table(ds.pk);
    let staging = format!("{table}_rebuild");
    conn.execute_batch(&format!("DROP TABLE IF EXISTS {}", quote_ident(&staging)))?;
    create_row_table(conn, &staging, &cols)?;
    // Read the old columns each new column continues, convert, write.
    let mut select = vec!["rowid".to_owned(), quote_ident(PARTITION_COLUMN)];
    for s in source.iter().flatten() {
        select.push(quote_ident(&ds.columns[*s].name));
    }
    let mut names = vec!["rowid".to_owned(), quote_ident(PARTITION_COLUMN)];
    names.extend(cols.iter().map(|c| quote_ident(&c.name)));
    let marks = vec!["?"; names.len()].join(", ");
    let mut insert = conn.prepare(&format!(
        "INSERT INTO {} ({}) VALUES ({marks})",
        quote_ident(&staging),
        names.join(", ")
    ))?;
    let mut read = conn.prepare(&format!(
        "SELECT {} FROM {} ORDER BY rowid",
        select.join(", "),
        quote_ident(&table)
    ))?;
    let mut rows = read.query([])?;
    let mut row_no = 0i64;
    while let Some(row) = rows.next()? {
        row_no += 1;
        insert.raw_bind_parameter(1, row.get::<_, i64>(0)?)?;
        insert.raw_bind_parameter(2, row.get::<_, Option<String>>(1)?)?;
        let mut read_at = 2;
        for (j, c) in cols.iter().enumerate() {
            let value = match source[j] {
                None => SqlValue::Null,
                Some(i) => {
                    let v: SqlValue = row.get(read_at)?;
                    read_at += 1;
                    let old = &ds.columns[i];
                    if old.ty == c.ty {
                        v
                    } else {
                        let shown = text_of(&v).unwrap_or_default();
                        convert(v, c.ty).map_err(|why| {
                            StoreError::invalid(format!(
                                "cannot change column `{}` from {} to {}: row {row_no} holds `{shown}`, which does not convert ({why}); nothing was changed",
                                c.name,
                                old.ty.as_str(),
                                c.ty.as_str(),
                            ))
                        })?
                    }
                }
            };
            insert.raw_bind_parameter(j + 3, value)?;
        }
        insert.raw_execute()?;
    }
    drop(rows);
    drop(read);
    drop(insert);
    conn.execute_batch(&format!(
        "DROP TABLE {table_q}; ALTER TABLE {staging_q} RENAME TO {table_q};",
        staging_q = quote_ident(&staging),
        table_q = quote_ident(&table),
    ))?;
    conn.execute("DELETE FROM columns WHERE dataset_pk = ?", [ds.pk])?;
    insert_columns(conn, ds.pk, &cols)?;
    ensure_key_index(conn, ds.pk, &cols)?;
    // Converted values (a DOUBLE made DECIMAL) have scales of their own.
    super::scales::rescan(conn, ds.pk, &cols)?;
    conn.execute(
        "UPDATE datasets SET generation = generation + 1 WHERE pk = ?",
        [ds.pk],
    )?;
    Ok(cols)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(spec: &[(&str, ColumnType)]) -> Vec<Column> {
        spec.iter().map(|(n, t)| Column::new(*n, *t)).collect()
    }

    #[test]
    fn columns_match_by_name_then_by_position() {
        use ColumnType::*;
        let old = cols(&[("a", String), ("b", Long), ("c", Double)]);
        // reorder, rename `b` (position 1) to `bee`, drop nothing
        let new = cols(&[("c", Double), ("bee", Long), ("a", String)]);
        assert_eq!(match_columns(&old, &new), vec![Some(2), Some(1), Some(0)]);
        // `c` dropped, `d` added at a position whose old column matched by name
        let new = cols(&[("a", String), ("b", Long)]);
        assert_eq!(match_columns(&old, &new), vec![Some(0), Some(1)]);
        let new = cols(&[("b", Long), ("a", String), ("d", Long), ("e", Long)]);
        assert_eq!(
            match_columns(&old, &new),
            vec![Some(1), Some(0), Some(2), None]
        );
    }

    #[test]
    fn values_convert_through_their_text() {
        use ColumnType::*;
        assert_eq!(
            convert(SqlValue::Integer(7), String),
            Ok(SqlValue::Text("7".into()))
        );
        assert_eq!(
            convert(SqlValue::Text("7".into()), Long),
            Ok(SqlValue::Integer(7))
        );
        assert_eq!(convert(SqlValue::Real(2.0), Long), Ok(SqlValue::Integer(2)));
        assert!(convert(SqlValue::Real(2.5), Long).is_err());
        assert!(convert(SqlValue::Text("x".into()), Double).is_err());
        assert_eq!(
            convert(SqlValue::Text("2024-01-02".into()), DateTime),
            Ok(SqlValue::Text("2024-01-02T00:00:00".into()))
        );
        assert_eq!(convert(SqlValue::Null, Date), Ok(SqlValue::Null));
    }
}
