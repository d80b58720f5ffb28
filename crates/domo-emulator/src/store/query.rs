//! SQL over one dataset, called `table` (`POST /api/query/v1/execute/{id}`)
//! or, from a custom app, by its alias (`POST /sql/v1/{alias}`). The SQL
//! is Domo's (MySQL-flavoured); `dialect` checks it is one query and writes
//! it for SQLite.
//!
//! Confinement: the query runs against temporary views named `table` (and
//! the alias) over one inner temporary view with an unguessable name, which
//! selects the caller's `rows::visible_rows` source (row policies applied),
//! so the query sees only the dataset's own columns and visible rows.
//! An SQLite authorizer allows nothing but SELECT, ordinary functions,
//! recursive CTEs and reads of the dataset's row table made BY that inner
//! view (SQLite names the view responsible for each read): the query's own
//! SQL, a subquery or a CTE of it cannot read the row table, so no
//! subquery, CTE, window, UNION or COUNT(*) reaches a hidden row. ATTACH, PRAGMA, writes, schema tables and other datasets' tables
//! are refused while the statement is prepared, before anything runs. A
//! progress handler ends runaway queries, and SQLite's length limit
//! (`--max-value-bytes`) any one value that would grow too large. Rows go
//! to a `RowSink` as SQLite yields them; nothing caps their number.

use std::sync::{Arc, Mutex};

use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::{Connection, ErrorCode};

use super::dialect::{self, VIEW};
use super::sink::{ResultColumn, RowSink, RowValues};
use super::{
    Column, Dataset, Need, PARTITION_COLUMN, Result, Store, StoreError, UserId, is_stored_table,
    open_dataset, quote_ident, row_table,
};
use crate::clock::Timer;
use crate::csvio::ColumnType;

/// Functions that reach outside the query's data.
const DENIED_FUNCTIONS: [&str; 3] = ["load_extension", "fts3_tokenizer", "sqlite_dbpage"];

/// One column of a query result.
#[cfg(test)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct QueryColumn {
    pub name: String,
    pub declared: Option<ColumnType>,
    /// The type reported in `metadata`: the declared one, else that of the
    /// first non-null value, else STRING.
    pub ty: ColumnType,
}

/// The answer of a query, gathered (for tests).
#[cfg(test)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct QueryResult {
    pub dataset_id: String,
    pub columns: Vec<QueryColumn>,
    pub rows: Vec<Vec<super::rows::Cell>>,
}

#[cfg(test)]
impl QueryResult {
    fn collected(dataset_id: &str, c: super::sink::Collect) -> Self {
        let columns =
            c.columns
                .into_iter()
                .enumerate()
                .map(|(i, col)| {
                    let inferred = c.rows.iter().find_map(|r| {
                        super::sink::value_type(rusqlite::types::ValueRef::from(&r[i]))
                    });
                    QueryColumn {
                        ty: col.declared.or(inferred).unwrap_or(ColumnType::String),
                        name: col.name,
                        declared: col.declared,
                    }
                })
                .collect();
        QueryResult {
            dataset_id: dataset_id.to_owned(),
            columns,
            rows: c.rows,
        }
    }
}

/// Creates a temporary view `name` over the caller's rows, the columns as
/// MySQL would hold them: DECIMAL (stored as the text uploaded) as exact
/// decimals at the column's scale (`scales`: the most decimals any of its
/// values has, as the smallest DECIMAL(p, s) that holds them all; one per
/// column of `ds`), STRING with MySQL's default collation (`=`, `IN`,
/// `GROUP BY`, `DISTINCT`, `ORDER BY`: a view column keeps the collation
/// of its expression).
fn create_view(
    conn: &Connection,
    ds: &Dataset,
    scales: &[Option<u32>],
    from: &str,
    name: &str,
) -> Result<()> {
    let cols: Vec<String> = ds
        .columns
        .iter()
        .zip(scales)
        .map(|(c, scale)| {
            let q = quote_ident(&c.name);
            match c.ty {
                ColumnType::Decimal => match scale {
                    Some(s) => format!("domo_decimal({q}, {s}) AS {q}"),
                    None => format!("domo_decimal({q}, NULL) AS {q}"),
                },
                ColumnType::String => format!("{q} COLLATE {} AS {q}", dialect::collation::NAME),
                _ => q,
            }
        })
        .collect();
    let select = if cols.is_empty() {
        "NULL AS \"_\"".to_owned()
    } else {
        cols.join(", ")
    };
    conn.execute_batch(&format!(
        "DROP VIEW IF EXISTS temp.{v}; CREATE TEMP VIEW {v} AS SELECT {select} FROM {from};",
        v = quote_ident(name),
    ))?;
    Ok(())
}

fn drop_view(conn: &Connection, name: &str) {
    // Best effort: a leftover view is replaced by the next query anyway.
    let _ = conn.execute_batch(&format!("DROP VIEW IF EXISTS temp.{}", quote_ident(name)));
}

/// Decides each action SQLite asks about while preparing the query, and
/// remembers why it refused one so the 400 can say so.
fn authorizer(
    own_table: String,
    inner: String,
    views: Vec<String>,
    refused: Arc<Mutex<Option<String>>>,
) -> impl FnMut(AuthContext<'_>) -> Authorization + Send + 'static {
    let named = views
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(" or ");
    move |ctx: AuthContext<'_>| {
        let reason = match ctx.action {
            AuthAction::Select | AuthAction::Recursive => return Authorization::Allow,
            AuthAction::Read {
                table_name,
                column_name,
            } => {
                let is_view = views.iter().any(|v| table_name.eq_ignore_ascii_case(v));
                let by_view = ctx
                    .accessor
                    .is_some_and(|a| views.iter().any(|v| v.eq_ignore_ascii_case(a)));
                if table_name.eq_ignore_ascii_case(&own_table) {
                    if column_name.is_empty() && ctx.accessor.is_none() {
                        // SQLite's "a table is in FROM but none of its
                        // columns is used" check, made after `table` has
                        // been flattened into the query (`COUNT(*) FROM
                        // table`), with no view named. The query itself
                        // cannot name the row table (`names_identifier`),
                        // so this is the view's table.
                        return Authorization::Allow;
                    }
                    if ctx.accessor != Some(inner.as_str()) {
                        format!(
                            "reading `{table_name}` directly is not allowed: a query reads this dataset as {named}"
                        )
                    } else if column_name == PARTITION_COLUMN {
                        format!("reading the internal column `{column_name}` is not allowed")
                    } else {
                        return Authorization::Allow;
                    }
                } else if table_name == inner {
                    if by_view {
                        return Authorization::Allow;
                    }
                    format!(
                        "reading `{table_name}` is not allowed: a query reads this dataset as {named}"
                    )
                } else if is_view || !is_stored_table(table_name) {
                    // The dataset's views expose only its columns; CTEs and
                    // subqueries are the query's own data.
                    return Authorization::Allow;
                } else {
                    format!(
                        "reading `{table_name}` is not allowed: a query may only read this dataset, named {named}"
                    )
                }
            }
            AuthAction::Function { function_name } => {
                if !DENIED_FUNCTIONS
                    .iter()
                    .any(|f| f.eq_ignore_ascii_case(function_name))
                {
                    return Authorization::Allow;
                }
                format!("the function {function_name}() is not allowed")
            }
            AuthAction::Pragma { pragma_name, .. } => {
                format!("PRAGMA {pragma_name} is not allowed")
            }
            AuthAction::Attach { .. } => "ATTACH is not allowed".to_owned(),
            AuthAction::Detach { .. } => "DETACH is not allowed".to_owned(),
            AuthAction::Insert { table_name } => {
                format!("INSERT into `{table_name}` is not allowed: queries are read-only")
            }
            AuthAction::Update { table_name, .. } => {
                format!("UPDATE of `{table_name}` is not allowed: queries are read-only")
            }
            AuthAction::Delete { table_name } => {
                format!("DELETE from `{table_name}` is not allowed: queries are read-only")
            }
            AuthAction::Transaction { .. } => "transaction control is not allowed".to_owned(),
            other => format!("{other:?} is not allowed: only a single read-only SELECT may run"),
        };
        if let Ok(mut slot) = refused.lock() {
            slot.get_or_insert(reason);
        }
        Authorization::Deny
    }
}

fn decl_to_type(decl: Option<&str>) -> Option<ColumnType> {
    decl.and_then(ColumnType::from_sql_decl)
}

fn run_query(
    store: &Store,
    conn: &Connection,
    ds: &Dataset,
    sql: &str,
    refused: &Arc<Mutex<Option<String>>>,
    sink: &mut dyn RowSink,
) -> Result<()> {
    let sql_error = |e: rusqlite::Error| -> StoreError {
        if let Ok(Some(reason)) = refused.lock().map(|r| r.clone()) {
            return StoreError::invalid(format!("refused: {reason}"));
        }
        match &e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::OperationInterrupted => {
                StoreError::invalid(format!(
                    "the query ran past the time limit of {} s (--query-timeout) and was stopped",
                    store.query_timeout.as_secs_f64()
                ))
            }
            rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::TooBig => {
                StoreError::invalid(format!(
                    "the query makes a value larger than the limit of {} bytes (--max-value-bytes) and was stopped",
                    store.max_value_bytes
                ))
            }
            rusqlite::Error::MultipleStatement => {
                StoreError::invalid("refused: only a single SELECT statement is allowed")
            }
            rusqlite::Error::SqliteFailure(_, Some(msg)) if msg.contains("cannot modify") => {
                StoreError::invalid(format!("refused: queries are read-only ({msg})"))
            }
            rusqlite::Error::SqliteFailure(_, Some(msg)) => {
                StoreError::invalid(format!("SQL error: {msg}"))
            }
            other => StoreError::invalid(format!("SQL error: {other}")),
        }
    };
    let mut stmt = conn.prepare(sql).map_err(sql_error)?;
    if !stmt.readonly() {
        return Err(StoreError::invalid(
            "refused: only a read-only SELECT is allowed",
        ));
    }
    if stmt.parameter_count() > 0 {
        return Err(StoreError::invalid(
            "the SQL has parameter placeholders (?, :name), which cannot be bound here",
        ));
    }
    let columns: Vec<ResultColumn> = stmt
        .columns()
        .iter()
        .map(|c| {
            let declared = decl_to_type(c.decl_type()).or_else(|| {
                // A DECIMAL column reaches the query through a CAST in the
                // view, which hides its declared type; recognise it by name.
                ds.columns
                    .iter()
                    .find(|d| d.name == c.name() && d.ty == ColumnType::Decimal)
                    .map(|d| d.ty)
            });
            ResultColumn {
                name: c.name().to_owned(),
                declared,
            }
        })
        .collect();
    sink.columns(&columns)?;
    let n = columns.len();
    let mut rows = stmt.query([]).map_err(sql_error)?;
    while let Some(row) = rows.next().map_err(sql_error)? {
        sink.row(&RowValues::new(row, n))?;
    }
    Ok(())
}

/// A custom app's view of a dataset for SQL: its alias (never the name of
/// a stored table: the manifest is checked for that at startup) and its
/// fields, the columns as the Data API names them.
pub(super) struct AppView<'a> {
    pub alias: &'a str,
    pub fields: &'a [super::planner::Field],
}

/// Runs `sql` confined to the rows of `ds` that `user` may see, which the
/// SQL names `table` or, for a custom app, by its alias as well, with the
/// app's field names for columns.
pub(super) fn execute_confined(
    store: &Store,
    conn: &Connection,
    ds: &Dataset,
    user: UserId,
    sql: &str,
    app: Option<AppView<'_>>,
    sink: &mut dyn RowSink,
) -> Result<()> {
    // The dataset as the query sees it: an app sees its fields only.
    let stored = ds;
    // DECIMAL scales, by stored column position; an app's fields by the
    // column each maps.
    let stored_scales = super::scales::stored(conn, stored.pk)?;
    let scales: Vec<Option<u32>> = match &app {
        Some(view) => view
            .fields
            .iter()
            .map(|f| {
                let i = stored.columns.iter().position(|c| c.name == f.column.name);
                i.and_then(|i| stored_scales.get(i).copied().flatten())
            })
            .collect(),
        None => stored_scales,
    };
    let seen;
    let (ds, renames) = match &app {
        Some(view) => {
            let mut d = ds.clone();
            d.columns = view
                .fields
                .iter()
                .map(|f| Column {
                    name: f.name.clone(),
                    ..f.column.clone()
                })
                .collect();
            seen = d;
            let renames: Vec<String> = view
                .fields
                .iter()
                .map(|f| {
                    format!(
                        "{} AS {}",
                        quote_ident(&f.column.name),
                        quote_ident(&f.name)
                    )
                })
                .collect();
            (&seen, Some(renames))
        }
        None => (ds, None),
    };
    let alias = app.as_ref().map(|v| v.alias);
    let own = row_table(ds.pk);
    let mut views = vec![VIEW.to_owned()];
    if let Some(alias) = alias.filter(|a| !a.eq_ignore_ascii_case(VIEW)) {
        views.push(alias.to_owned());
    }
    let target = dialect::Target {
        columns: &ds.columns,
        row_table: &own,
        names: &views,
        now: dialect::functions::utc_text(store.now_ms()),
        max_value_bytes: store.max_value_bytes,
    };
    let sql = dialect::to_sqlite(sql, &target, dialect::known_functions(conn)?)?;
    let source = store.visible_rows(conn, stored, user)?;
    let inner = super::users::random_name("__domo_rows_")?;
    let mut created = Vec::with_capacity(views.len() + 1);
    let select = match &renames {
        Some(r) if !r.is_empty() => r.join(", "),
        _ => "*".to_owned(),
    };
    let mut result = conn
        .execute_batch(&format!(
            "CREATE TEMP VIEW {} AS SELECT {select} FROM {}",
            quote_ident(&inner),
            source.sql()
        ))
        .map_err(StoreError::from);
    if result.is_ok() {
        created.push(inner.as_str());
    }
    let inner_from = format!("temp.{}", quote_ident(&inner));
    for v in &views {
        if result.is_err() {
            break;
        }
        result = create_view(conn, ds, &scales, &inner_from, v);
        if result.is_err() {
            break;
        }
        created.push(v.as_str());
    }
    let result = result.and_then(|()| {
        let refused = Arc::new(Mutex::new(None));
        conn.authorizer(Some(authorizer(
            row_table(ds.pk),
            inner.clone(),
            views.clone(),
            Arc::clone(&refused),
        )));
        let deadline = store.clock.deadline(Timer::Query, store.query_timeout);
        conn.progress_handler(10_000, Some(move || deadline.passed()));
        let result = run_query(store, conn, ds, &sql, &refused, sink);
        conn.progress_handler(0, None::<fn() -> bool>);
        conn.authorizer(None::<fn(AuthContext<'_>) -> Authorization>);
        result
    });
    for v in created {
        drop_view(conn, v);
    }
    result
}

impl Store {
    /// `POST /api/query/v1/execute/{id}` (JSON and CSV): the rows go to
    /// `sink` as SQLite yields them.
    pub(crate) fn stream_query(
        &self,
        user: UserId,
        id: &str,
        sql: &str,
        sink: &mut dyn RowSink,
    ) -> Result<()> {
        self.read_long(|conn| {
            let ds = open_dataset(conn, id, user, Need::Read)?;
            execute_confined(self, conn, &ds, user, sql, None, sink)
        })
    }

    /// `stream_query`, gathered.
    #[cfg(test)]
    pub(crate) fn execute_query(&self, user: UserId, id: &str, sql: &str) -> Result<QueryResult> {
        let mut c = super::sink::Collect::default();
        self.stream_query(user, id, sql, &mut c)?;
        Ok(QueryResult::collected(id, c))
    }
}
