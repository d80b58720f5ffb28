//! Reads of dataset rows, and THE read path every one of them goes through.
//!
//! `Store::visible_rows` is the single source of the rows a caller may see:
//! `/data` (JSON and CSV), the v2 CSV export, SQL (`/api/query/v1/execute`
//! and `/sql/v1/{alias}`, through the `table` view) and `/data/v1/{alias}`
//! all select FROM the `RowSource` it returns, never from a row table. A
//! rule that must hold on every read path (read access, row policies)
//! goes into `visible_rows` and nowhere else. The
//! test `store::tests::every_read_path_goes_through_visible_rows` (and its
//! HTTP twin in `server`) installs a rule that hides rows and drives every
//! path.

use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{Connection, params_from_iter};

use super::sink::{ResultColumn, RowSink, RowValues};
use super::{
    Column, Dataset, Need, PARTITION_COLUMN, ROWID_COLUMN, Result, Store, StoreError, UserId,
    authorize, find_dataset, open_dataset, quote_ident,
};
use crate::calendar::{DateContext, Relative};
use crate::csvio::{self, ColumnType};
use crate::filter::{self, Condition, Names, Op};

/// A stored value as a read returns it; handlers shape it with `csvio`.
pub(crate) type Cell = SqlValue;

/// Rows of a read: column names, the Domo type of each (when known) and
/// the values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rows {
    pub names: Vec<String>,
    pub types: Vec<Option<ColumnType>>,
    pub cells: Vec<Vec<Cell>>,
}

/// The rows of one dataset that one caller may see: an SQL table
/// expression (a parenthesised SELECT of the dataset's columns plus its
/// rowid as `__domo_rowid__`) to select from. Only `visible_rows` makes one.
#[derive(Debug, Clone)]
pub(super) struct RowSource {
    from: String,
}

impl RowSource {
    /// What goes after `FROM`.
    pub fn sql(&self) -> &str {
        &self.from
    }

    /// The expression that orders rows as they were stored.
    pub fn row_order(&self) -> String {
        quote_ident(ROWID_COLUMN)
    }
}

/// Visible rows of one partition tag (`None`: rows outside partitions).
pub(super) type PartitionCount = (Option<String>, i64);

impl Store {
    /// How many rows of `ds` `user` sees, when a row rule hides some
    /// from them (`None`: they see every row, so stored counts are theirs).
    /// Counts a reply shows (dataset, partitions) come from here.
    pub(super) fn visible_count(
        &self,
        conn: &Connection,
        ds: &Dataset,
        user: UserId,
    ) -> Result<Option<i64>> {
        Ok(self
            .visible_partition_counts(conn, ds, user)?
            .map(|by_tag| by_tag.iter().map(|(_, n)| n).sum()))
    }

    /// The visible rows of `ds` per partition tag (`None` as a key: rows
    /// outside partitions) when a row rule hides some from `user`.
    pub(super) fn visible_partition_counts(
        &self,
        conn: &Connection,
        ds: &Dataset,
        user: UserId,
    ) -> Result<Option<Vec<PartitionCount>>> {
        let filtered = super::policies::row_rule(conn, ds, user)?.is_some();
        #[cfg(test)]
        let filtered = filtered
            || self
                .hidden_rows
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .is_some();
        if !filtered {
            return Ok(None);
        }
        let source = self.visible_rows(conn, ds, user)?;
        let sql = format!(
            "SELECT t.{part}, COUNT(*) FROM main.{} t WHERE t.rowid IN (SELECT {} FROM {}) GROUP BY 1",
            ds.table(),
            source.row_order(),
            source.sql(),
            part = quote_ident(PARTITION_COLUMN),
        );
        let mut stmt = conn.prepare(&sql)?;
        let counts = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(counts))
    }

    /// THE read path: the rows of `ds` that `user` may see. Checks read
    /// access, then applies every row rule. Row rules are SQL conditions
    /// with literal values (`sql_literal`), since the SQL endpoint reads
    /// the source through a view, which cannot take bound parameters.
    pub(super) fn visible_rows(
        &self,
        conn: &Connection,
        ds: &Dataset,
        user: UserId,
    ) -> Result<RowSource> {
        authorize(conn, ds, user, Need::Read)?;
        let mut select = vec![format!("rowid AS {}", quote_ident(ROWID_COLUMN))];
        select.extend(ds.columns.iter().map(|c| quote_ident(&c.name)));
        let mut rules: Vec<String> = Vec::new();
        if let Some(rule) = super::policies::row_rule(conn, ds, user)? {
            rules.push(format!("({rule}) IS TRUE"));
        }
        #[cfg(test)]
        if let Some(hidden) = self
            .hidden_rows
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
        {
            rules.push(format!("({hidden}) IS NOT TRUE"));
        }
        let filter = if rules.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", rules.join(" AND "))
        };
        Ok(RowSource {
            from: format!(
                "(SELECT {} FROM main.{}{filter})",
                select.join(", "),
                ds.table()
            ),
        })
    }
}

/// A `WHERE` fragment and its bound values.
#[derive(Debug, Default, Clone)]
pub(super) struct Where {
    pub sql: String,
    pub params: Vec<SqlValue>,
}

/// The SQL left-hand side and the bound value of a comparison on `col`
/// (called `shown` in messages): numeric columns take a number (DECIMAL,
/// stored as text, is compared as REAL), dates are normalised like uploads.
fn comparison_operand(
    col: &Column,
    shown: &str,
    raw_value: &str,
    clause: &str,
) -> Result<(String, SqlValue)> {
    let ident = quote_ident(&col.name);
    if col.ty.is_numeric() {
        let n: f64 = raw_value.trim().parse().ok().filter(|n: &f64| n.is_finite()).ok_or_else(|| {
            StoreError::invalid(format!(
                "filter `{clause}`: column `{shown}` is {}, so the value must be a number, got `{raw_value}`",
                col.ty.as_str()
            ))
        })?;
        let lhs = if col.ty == ColumnType::Decimal {
            format!("CAST({ident} AS REAL)")
        } else {
            ident
        };
        return Ok((lhs, SqlValue::Real(n)));
    }
    let raw = raw_value.trim();
    if col.ty == ColumnType::Date
        && raw.len() > 10
        && let Some(instant) = csvio::normalize_datetime(raw)
    {
        // A date-time (a JS Date's ISO string, as @domoinc/query sends
        // one) against a DATE: the date stands for its midnight.
        return Ok((format!("({ident} || 'T00:00:00')"), SqlValue::Text(instant)));
    }
    let value = match col.ty {
        ColumnType::Date => csvio::normalize_date(raw),
        ColumnType::DateTime => csvio::normalize_datetime(raw),
        _ => None,
    }
    .unwrap_or_else(|| raw_value.to_owned());
    Ok((ident, SqlValue::Text(value)))
}

/// `col` inside the period a relative filter keeps (see `crate::calendar`).
fn relative_test(
    col: &Column,
    shown: &str,
    rel: Relative,
    dates: &DateContext,
    clause: &str,
    w: &mut Where,
) -> Result<String> {
    let ident = quote_ident(&col.name);
    let range = rel.range(dates);
    match col.ty {
        ColumnType::Date => {
            let (first, last) = range.date_bounds();
            w.params.push(SqlValue::Text(first));
            w.params.push(SqlValue::Text(last));
            Ok(format!("{ident} BETWEEN ? AND ?"))
        }
        ColumnType::DateTime => {
            let (lower, lower_op, upper, upper_op) = range.datetime_bounds();
            w.params.push(SqlValue::Text(lower));
            w.params.push(SqlValue::Text(upper));
            Ok(format!("({ident} {lower_op} ? AND {ident} {upper_op} ?)"))
        }
        other => Err(StoreError::invalid(format!(
            "filter `{clause}`: `{shown}` is {}, and todate and last need a DATE or DATETIME field",
            other.as_str()
        ))),
    }
}

/// A STRING column compares as SQL's `table` view compares it, by MySQL's
/// default collation (without regard to case or accents); other types as
/// they are.
fn collated(col: &Column, lhs: String) -> String {
    if col.ty == ColumnType::String {
        format!("{lhs} COLLATE {}", super::dialect::collation::NAME)
    } else {
        lhs
    }
}

/// Compiles parsed conditions (AND) to SQL with bound values; `targets[i]`
/// is the name messages use for condition field `i` and its column, and
/// `dates` the clock and calendar of relative date filters.
pub(super) fn compile_filter(
    conds: &[Condition],
    targets: &[(&str, &Column)],
    dates: &DateContext,
) -> Result<Where> {
    let mut w = Where::default();
    let mut clauses = Vec::with_capacity(conds.len());
    for c in conds {
        let (shown, col) = targets[c.field];
        let ident = quote_ident(&col.name);
        let sql = match c.op {
            Op::IsNull => format!("{ident} IS NULL"),
            Op::NotNull => format!("{ident} IS NOT NULL"),
            Op::Relative(rel) => relative_test(col, shown, rel, dates, &c.clause, &mut w)?,
            Op::Contains | Op::NotContains => {
                let test = format!("domo_contains({ident}, ?)");
                w.params.push(SqlValue::Text(
                    c.values.first().cloned().unwrap_or_default(),
                ));
                if c.op == Op::NotContains {
                    format!("NOT ({test})")
                } else {
                    test
                }
            }
            Op::In | Op::NotIn => {
                let mut lhs = ident;
                for v in &c.values {
                    let (l, value) = comparison_operand(col, shown, v, &c.clause)?;
                    lhs = l;
                    w.params.push(value);
                }
                let marks = vec!["?"; c.values.len()].join(", ");
                let not = if c.op == Op::NotIn { "NOT " } else { "" };
                format!("{} {not}IN ({marks})", collated(col, lhs))
            }
            cmp => {
                let op = match cmp {
                    Op::Eq => "=",
                    Op::Ne => "!=",
                    Op::Lt => "<",
                    Op::Le => "<=",
                    Op::Gt => ">",
                    _ => ">=",
                };
                let raw = c.values.first().map_or("", String::as_str);
                let (lhs, value) = comparison_operand(col, shown, raw, &c.clause)?;
                w.params.push(value);
                format!("{} {op} ?", collated(col, lhs))
            }
        };
        clauses.push(sql);
    }
    w.sql = clauses.join(" AND ");
    Ok(w)
}

/// A `/data` filter over a dataset's columns, by column name; relative
/// dates are read on the standard calendar at `now_ms`.
fn column_filter(filter: Option<&str>, columns: &[Column], now_ms: i64) -> Result<Where> {
    let Some(filter) = filter.filter(|f| !f.trim().is_empty()) else {
        return Ok(Where::default());
    };
    let names = Names::columns(columns.iter().map(|c| c.name.as_str()));
    let conds = filter::parse(filter, &names).map_err(StoreError::invalid)?;
    let targets: Vec<(&str, &Column)> = columns.iter().map(|c| (c.name.as_str(), c)).collect();
    compile_filter(&conds, &targets, &DateContext::standard(now_ms))
}

/// What `GET .../data` asks for.
#[derive(Debug, Clone, Default)]
pub(crate) struct DataRequest {
    pub offset: u64,
    pub limit: u64,
    pub filter: Option<String>,
}

/// What a streamed CSV export asks for (`limit: None` is every row).
#[derive(Debug, Clone, Default)]
pub(crate) struct ExportRequest {
    pub offset: u64,
    pub limit: Option<u64>,
    pub filter: Option<String>,
    /// Nulls as empty fields (the public API's export, which pandas reads
    /// as missing values) rather than `\N`.
    pub empty_nulls: bool,
}

/// Most rows one read of a streamed export takes.
const EXPORT_CHUNK_ROWS: i64 = 4096;
/// A read of a streamed export ends once it holds this many bytes (and one
/// row more at most): with `EXPORT_CHUNK_ROWS`, it bounds the server's
/// memory per export whatever the rows' width.
const EXPORT_CHUNK_BYTES: usize = 1024 * 1024;

/// An export in progress: each `Store::export_chunk` call reads the next
/// rows in its own short read transaction, so a long export never holds a
/// connection; the dataset's generation is pinned, so a commit mid-export
/// aborts it rather than mixing versions.
#[derive(Debug)]
pub(crate) struct Export {
    user: UserId,
    dataset_id: String,
    generation: i64,
    columns: Vec<Column>,
    filter: Where,
    skip: i64,
    remaining: Option<i64>,
    last_rowid: i64,
    done: bool,
    empty_nulls: bool,
}

impl Export {
    pub fn column_names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|c| c.name.as_str())
    }
}

fn to_i64(n: u64) -> i64 {
    n.min(i64::MAX as u64) as i64
}

impl Store {
    /// `GET .../data` as JSON: a page of rows in stored order, to `sink`
    /// as SQLite yields them.
    pub(crate) fn stream_data(
        &self,
        user: UserId,
        id: &str,
        req: &DataRequest,
        sink: &mut dyn RowSink,
    ) -> Result<()> {
        self.read_long(|conn| {
            let ds = open_dataset(conn, id, user, Need::Read)?;
            let w = column_filter(req.filter.as_deref(), &ds.columns, self.now_ms())?;
            let source = self.visible_rows(conn, &ds, user)?;
            let cols: Vec<String> = ds.columns.iter().map(|c| quote_ident(&c.name)).collect();
            let sql = format!(
                "SELECT {} FROM {} {} ORDER BY {} LIMIT {} OFFSET {}",
                if cols.is_empty() {
                    "NULL".to_owned()
                } else {
                    cols.join(", ")
                },
                source.sql(),
                if w.sql.is_empty() {
                    String::new()
                } else {
                    format!("WHERE {}", w.sql)
                },
                source.row_order(),
                to_i64(req.limit),
                to_i64(req.offset),
            );
            let columns: Vec<ResultColumn> = ds
                .columns
                .iter()
                .map(|c| ResultColumn {
                    name: c.name.clone(),
                    declared: Some(c.ty),
                })
                .collect();
            sink.columns(&columns)?;
            let mut stmt = conn.prepare(&sql)?;
            let mut rows = stmt.query(params_from_iter(w.params.iter()))?;
            while let Some(row) = rows.next()? {
                sink.row(&RowValues::new(row, columns.len()))?;
            }
            Ok(())
        })
    }

    /// `stream_data`, gathered.
    #[cfg(test)]
    pub(crate) fn get_data(&self, user: UserId, id: &str, req: &DataRequest) -> Result<Rows> {
        let mut c = super::sink::Collect::default();
        self.stream_data(user, id, req, &mut c)?;
        Ok(Rows {
            names: c.columns.iter().map(|c| c.name.clone()).collect(),
            types: c.columns.iter().map(|c| c.declared).collect(),
            cells: c.rows,
        })
    }

    /// Starts a streamed CSV export (`GET .../data?format=csv` and
    /// `GET .../dataversions/latest`): checks access and the filter now,
    /// so refusals come before the first byte.
    pub(crate) fn start_export(
        &self,
        user: UserId,
        id: &str,
        req: ExportRequest,
    ) -> Result<Export> {
        self.read(|conn| {
            let ds = open_dataset(conn, id, user, Need::Read)?;
            let filter = column_filter(req.filter.as_deref(), &ds.columns, self.now_ms())?;
            // Checked here too, so a refusal of the read path is a status
            // code rather than a broken stream.
            self.visible_rows(conn, &ds, user)?;
            Ok(Export {
                user,
                dataset_id: ds.id,
                generation: ds.generation,
                columns: ds.columns,
                filter,
                skip: to_i64(req.offset),
                remaining: req.limit.map(to_i64),
                last_rowid: i64::MIN,
                done: false,
                empty_nulls: req.empty_nulls,
            })
        })
    }

    /// Appends the next CSV records (no header) of an export to `out` and
    /// says how many they are, or `None` at its end. On an error, `out`
    /// may hold part of a read: the export is over then.
    pub(crate) fn export_chunk(
        &self,
        export: &mut Export,
        out: &mut Vec<u8>,
    ) -> Result<Option<u64>> {
        let want = export
            .remaining
            .map_or(EXPORT_CHUNK_ROWS, |r| r.min(EXPORT_CHUNK_ROWS));
        if export.done || export.columns.is_empty() || want <= 0 {
            export.done = true;
            return Ok(None);
        }
        let start = out.len();
        let (n, last, full) = self.read(|conn| {
            let changed =
                || StoreError::conflict("the dataset changed during the export; export aborted");
            let ds = find_dataset(conn, &export.dataset_id)?.ok_or_else(changed)?;
            if ds.generation != export.generation {
                return Err(changed());
            }
            let source = self.visible_rows(conn, &ds, export.user)?;
            let cols: Vec<String> = ds.columns.iter().map(|c| quote_ident(&c.name)).collect();
            let filter = if export.filter.sql.is_empty() {
                String::new()
            } else {
                format!("AND ({})", export.filter.sql)
            };
            let sql = format!(
                "SELECT {order}, {} FROM {} WHERE {order} > ? {filter} ORDER BY {order} LIMIT ? OFFSET ?",
                cols.join(", "),
                source.sql(),
                order = source.row_order(),
            );
            let mut stmt = conn.prepare_cached(&sql)?;
            let mut params: Vec<SqlValue> = Vec::with_capacity(export.filter.params.len() + 3);
            params.push(SqlValue::Integer(export.last_rowid));
            params.extend(export.filter.params.iter().cloned());
            params.push(SqlValue::Integer(want));
            params.push(SqlValue::Integer(export.skip));
            let mut rows = stmt.query(params_from_iter(params.iter()))?;
            let buf = &mut *out;
            let mut n = 0i64;
            let mut last = export.last_rowid;
            let mut full = false;
            while let Some(row) = rows.next()? {
                last = row.get(0)?;
                for i in 0..ds.columns.len() {
                    if i > 0 {
                        buf.push(b',');
                    }
                    match row.get_ref(i + 1)? {
                        ValueRef::Null if export.empty_nulls => {}
                        v => csvio::write_value(buf, v),
                    }
                }
                buf.push(b'\n');
                n += 1;
                if buf.len() - start >= EXPORT_CHUNK_BYTES {
                    full = true;
                    break;
                }
            }
            Ok((n, last, full))
        })?;
        export.skip = 0;
        export.last_rowid = last;
        if let Some(r) = export.remaining.as_mut() {
            *r -= n;
        }
        if n < want && !full {
            export.done = true;
        }
        Ok((n > 0).then_some(n as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> Vec<Column> {
        vec![
            Column::new("region", ColumnType::String),
            Column::new("amount", ColumnType::Decimal),
            Column::new("day", ColumnType::DateTime),
        ]
    }

    fn parse_filter(filter: &str, columns: &[Column]) -> Result<Where> {
        column_filter(Some(filter), columns, 1_709_283_600_000)
    }

    #[test]
    fn filters_become_parameterised_sql() {
        let w = parse_filter(
            "region = 'a,b', amount >= 2.5, day < 2024-01-01 00:00:00",
            &columns(),
        )
        .unwrap();
        assert_eq!(
            w.sql,
            "\"region\" COLLATE utf8mb4_0900_ai_ci = ? AND CAST(\"amount\" AS REAL) >= ? AND \"day\" < ?"
        );
        assert_eq!(w.params[0], SqlValue::Text("a,b".into()));
        assert_eq!(w.params[1], SqlValue::Real(2.5));
        assert_eq!(w.params[2], SqlValue::Text("2024-01-01T00:00:00".into()));
    }

    #[test]
    fn bad_filters_name_the_problem() {
        let e = parse_filter("nope = 1", &columns()).unwrap_err();
        assert!(e.message.contains("unknown column `nope`"), "{}", e.message);
        let e = parse_filter("amount > lots", &columns()).unwrap_err();
        assert!(e.message.contains("must be a number"), "{}", e.message);
        // `~` (contains) is part of the shared grammar now; `^` is no operator.
        let e = parse_filter("region ^ 1", &columns()).unwrap_err();
        assert!(
            e.message.contains("expected `column op value`"),
            "{}",
            e.message
        );
    }

    #[test]
    fn data_filters_take_the_app_operators_too() {
        let w = parse_filter(
            "region ~ ea, amount in (1, 2.5), day != 2024-01-02",
            &columns(),
        )
        .unwrap();
        assert_eq!(
            w.sql,
            "domo_contains(\"region\", ?) AND CAST(\"amount\" AS REAL) IN (?, ?) AND \"day\" != ?"
        );
        assert_eq!(w.params.len(), 4);
    }
}
