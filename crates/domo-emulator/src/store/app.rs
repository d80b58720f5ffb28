//! What a custom app reads through its manifest's aliases:
//! `GET /data/v1|v2/{alias}` (planned by `planner`) and `POST
//! /sql/v1/{alias}` (confined like `/api/query/v1/execute`, with the app's
//! field names). Both read the caller's `rows::visible_rows` source.

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, ErrorCode, params_from_iter};

use super::planner::{DataParams, Field, Plan, plan};
use super::query::{AppView, execute_confined};
use super::rows::Rows;
use super::sink::RowSink;
use super::{Dataset, Need, Result, Store, StoreError, UserId, authorize, find_dataset};
use crate::calendar::DateContext;
use crate::clock::Timer;
use crate::limits::MAX_RESULT_ROWS;

/// One field of an alias: the app's name for a dataset column.
#[derive(Debug, Clone)]
pub(crate) struct FieldMapping {
    pub alias: String,
    pub column_name: String,
}

/// A dataset alias of the app's manifest.
#[derive(Debug, Clone)]
pub(crate) struct AliasMapping {
    pub alias: String,
    pub dataset_id: String,
    /// Empty: every column, under its own name.
    pub fields: Vec<FieldMapping>,
}

/// The mapped dataset, if it exists and the caller may read it.
fn open_mapped(conn: &Connection, mapping: &AliasMapping, user: UserId) -> Result<Dataset> {
    let ds = find_dataset(conn, &mapping.dataset_id)?.ok_or_else(|| {
        StoreError::not_found(format!(
            "alias `{}` maps to dataset {}, which does not exist",
            mapping.alias, mapping.dataset_id
        ))
    })?;
    authorize(conn, &ds, user, Need::Read)?;
    Ok(ds)
}

/// The fields an alias exposes: the manifest's field aliases, or every
/// column under its own name when the mapping lists none.
fn app_fields(mapping: &AliasMapping, ds: &Dataset) -> Result<Vec<Field>> {
    if mapping.fields.is_empty() {
        return Ok(ds
            .columns
            .iter()
            .map(|c| Field {
                name: c.name.clone(),
                column: c.clone(),
            })
            .collect());
    }
    mapping
        .fields
        .iter()
        .map(|f| {
            let column = ds
                .columns
                .iter()
                .find(|c| c.name == f.column_name)
                .or_else(|| {
                    ds.columns
                        .iter()
                        .find(|c| c.name.eq_ignore_ascii_case(&f.column_name))
                })
                .ok_or_else(|| {
                    let names: Vec<&str> = ds.columns.iter().map(|c| c.name.as_str()).collect();
                    StoreError::invalid(format!(
                        "the manifest maps field `{}` of alias `{}` to column `{}`, which dataset {} does not have (columns: {})",
                        f.alias,
                        mapping.alias,
                        f.column_name,
                        ds.id,
                        names.join(", ")
                    ))
                })?;
            Ok(Field {
                name: f.alias.clone(),
                column: column.clone(),
            })
        })
        .collect()
}

fn run_plan(conn: &Connection, plan: &Plan) -> Result<Vec<Vec<SqlValue>>> {
    let failed = |e: rusqlite::Error| match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::OperationInterrupted => {
            StoreError::invalid("the query ran past the time limit and was stopped")
        }
        other => StoreError::invalid(format!("the query failed: {other}")),
    };
    // A plan that does not prepare is the planner's mistake, not the caller's.
    let mut stmt = conn.prepare(&plan.sql)?;
    let mut rows = stmt
        .query(params_from_iter(plan.params.iter()))
        .map_err(failed)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(failed)? {
        if out.len() >= MAX_RESULT_ROWS {
            return Err(StoreError::invalid(format!(
                "the result has more than {MAX_RESULT_ROWS} rows; page through it with limit and offset"
            )));
        }
        let mut vals = Vec::with_capacity(plan.keys.len());
        for i in 0..plan.keys.len() {
            // An exact sum or average (a decimal BLOB) as its digits.
            vals.push(match row.get::<_, SqlValue>(i)? {
                SqlValue::Blob(b) => match super::dialect::decimal::blob_text(&b) {
                    Some(text) => SqlValue::Text(text),
                    None => SqlValue::Blob(b),
                },
                other => other,
            });
        }
        out.push(vals);
    }
    Ok(out)
}

impl Store {
    /// `GET /data/v1|v2/{alias}`: the planned query's rows, keyed by field;
    /// `dates` is the clock and fiscal calendar relative filters and date
    /// grains are read on.
    pub(crate) fn app_data(
        &self,
        user: UserId,
        mapping: &AliasMapping,
        q: &DataParams,
        dates: DateContext,
    ) -> Result<Rows> {
        self.read_long(|conn| {
            let ds = open_mapped(conn, mapping, user)?;
            let fields = app_fields(mapping, &ds)?;
            let source = self.visible_rows(conn, &ds, user)?;
            let plan = plan(
                &mapping.alias,
                &fields,
                source.sql(),
                &source.row_order(),
                q,
                dates,
            )?;
            let deadline = self.clock.deadline(Timer::Query, self.query_timeout);
            conn.progress_handler(10_000, Some(move || deadline.passed()));
            let cells = run_plan(conn, &plan);
            conn.progress_handler(0, None::<fn() -> bool>);
            Ok(Rows {
                names: plan.keys,
                types: plan.types,
                cells: cells?,
            })
        })
    }

    /// `POST /sql/v1/{alias}`: SQL naming the dataset by its alias or
    /// `table` and its columns by their field names, its rows to `sink` as
    /// SQLite yields them.
    pub(crate) fn stream_app_sql(
        &self,
        user: UserId,
        mapping: &AliasMapping,
        sql: &str,
        sink: &mut dyn RowSink,
    ) -> Result<()> {
        self.read_long(|conn| {
            let ds = open_mapped(conn, mapping, user)?;
            let fields = app_fields(mapping, &ds)?;
            let view = AppView {
                alias: &mapping.alias,
                fields: &fields,
            };
            execute_confined(self, conn, &ds, user, sql, Some(view), sink)
        })
    }

    /// `stream_app_sql`, gathered.
    #[cfg(test)]
    pub(crate) fn app_sql(
        &self,
        user: UserId,
        mapping: &AliasMapping,
        sql: &str,
    ) -> Result<super::sink::Collect> {
        let mut c = super::sink::Collect::default();
        self.stream_app_sql(user, mapping, sql, &mut c)?;
        Ok(c)
    }
}
