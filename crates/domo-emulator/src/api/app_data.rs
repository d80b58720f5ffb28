//! The routes a custom app calls with relative URLs, naming datasets by the
//! aliases of its `manifest.json`: `GET /data/v1/{alias}` (Domo's App Data
//! API query operators, answered as an array of objects or CSV) and
//! `POST /sql/v1/{alias}` (SQL confined like `/api/query/v1/execute`).
//!
//! `/data/v1` queries are built here from parsed operators: identifiers are
//! quoted names of the mapped columns and every value is a bound parameter,
//! so no request text reaches SQLite as SQL.

use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{Connection, params_from_iter};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::api::datasets::{comparison_operand, unquote};
use crate::api::query::{MAX_RESULT_ROWS, execute_confined};
use crate::app::Mapping;
use crate::csvio::{self, ColumnType};
use crate::db::{Column, Dataset, Need, authorize, find_dataset, quote_ident};
use crate::error::{ApiError, json_response};
use crate::state::{ApiPath, ApiQuery, AppState, Caller, RawBody, parse_json};

/// A dataset column as the app sees it: under its field alias.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub name: String,
    pub column: Column,
}

/// The fields an alias exposes: the manifest's field aliases, or every
/// column under its own name when the mapping lists none.
pub(crate) fn app_fields(mapping: &Mapping, ds: &Dataset) -> Result<Vec<Field>, ApiError> {
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
                    ApiError::bad_request(format!(
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

/// The query operators of `GET /data/v1/{alias}`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct DataParams {
    pub fields: Option<String>,
    pub filter: Option<String>,
    pub groupby: Option<String>,
    pub orderby: Option<String>,
    pub limit: Option<String>,
    pub offset: Option<String>,
    pub sum: Option<String>,
    pub avg: Option<String>,
    pub count: Option<String>,
    pub min: Option<String>,
    pub max: Option<String>,
    pub unique: Option<String>,
    pub dategrain: Option<String>,
    pub calendar: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Agg {
    Sum,
    Avg,
    Count,
    Min,
    Max,
    /// The number of distinct non-null values.
    Unique,
}

impl Agg {
    const ALL: [Agg; 6] = [
        Agg::Sum,
        Agg::Avg,
        Agg::Count,
        Agg::Min,
        Agg::Max,
        Agg::Unique,
    ];

    fn name(self) -> &'static str {
        match self {
            Agg::Sum => "sum",
            Agg::Avg => "avg",
            Agg::Count => "count",
            Agg::Min => "min",
            Agg::Max => "max",
            Agg::Unique => "unique",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(s.trim()))
    }

    /// What groupby does to a field that is neither grouped nor given an
    /// aggregation: numbers are summed, anything else has its distinct
    /// values counted.
    fn default_for(ty: ColumnType) -> Self {
        if ty.is_numeric() {
            Agg::Sum
        } else {
            Agg::Unique
        }
    }

    fn sql(self, f: &Field) -> Result<String, ApiError> {
        let ident = quote_ident(&f.column.name);
        // DECIMAL is stored as exact text; aggregate it as a number.
        let value = if f.column.ty == ColumnType::Decimal {
            format!("CAST({ident} AS NUMERIC)")
        } else {
            ident.clone()
        };
        if matches!(self, Agg::Sum | Agg::Avg) && !f.column.ty.is_numeric() {
            return Err(ApiError::bad_request(format!(
                "{}({}) needs a numeric field, but `{}` is {}",
                self.name(),
                f.name,
                f.name,
                f.column.ty.as_str()
            )));
        }
        Ok(match self {
            Agg::Sum => format!("SUM({value})"),
            Agg::Avg => format!("AVG({value})"),
            Agg::Min => format!("MIN({value})"),
            Agg::Max => format!("MAX({value})"),
            Agg::Count => format!("COUNT({ident})"),
            Agg::Unique => format!("COUNT(DISTINCT {ident})"),
        })
    }

    /// The JSON type of the result: `None` lets the stored value decide
    /// (aggregates of DECIMAL are already numbers).
    fn result_type(self, f: &Field) -> Option<ColumnType> {
        match self {
            Agg::Min | Agg::Max if f.column.ty != ColumnType::Decimal => Some(f.column.ty),
            _ => None,
        }
    }
}

/// Splits on commas outside quotes and brackets, so `in (a, b)` and
/// `sum(x)` stay whole.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quote: Option<char> = None;
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' | '`' => quote = Some(c),
                '(' | '[' => depth += 1,
                ')' | ']' => depth = depth.saturating_sub(1),
                ',' if depth == 0 => {
                    parts.push(&s[start..i]);
                    start = i + 1;
                }
                _ => {}
            },
        }
    }
    parts.push(&s[start..]);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// Resolves field names against one alias's fields.
struct Resolver<'a> {
    alias: &'a str,
    fields: &'a [Field],
}

impl Resolver<'_> {
    fn find(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    fn unknown(&self, name: &str, context: &str) -> ApiError {
        let names: Vec<&str> = self.fields.iter().map(|f| f.name.as_str()).collect();
        ApiError::bad_request(format!(
            "{context}: unknown field `{name}` in alias `{}` (fields: {})",
            self.alias,
            names.join(", ")
        ))
    }

    fn field(&self, raw: &str, context: &str) -> Result<usize, ApiError> {
        let (name, _) = unquote(raw);
        self.find(name).ok_or_else(|| self.unknown(name, context))
    }

    /// A `fields` or `orderby` item: a field, or `agg(field)`. A field whose
    /// name looks like a call (`count(x)` as a column name) wins.
    fn item(&self, raw: &str, context: &str) -> Result<Item, ApiError> {
        let (name, _) = unquote(raw);
        if let Some(i) = self.find(name) {
            return Ok(Item::Field(i));
        }
        if let Some((func, rest)) = name.split_once('(') {
            if let (Some(agg), Some(inner)) = (Agg::parse(func), rest.trim_end().strip_suffix(')'))
            {
                return Ok(Item::Agg(agg, self.field(inner, context)?));
            }
        }
        Err(self.unknown(name, context))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    Field(usize),
    Agg(Agg, usize),
}

/// One returned column.
#[derive(Debug)]
struct Output {
    key: String,
    expr: String,
    /// What ORDER BY uses (DECIMAL text compares as a number).
    order_expr: String,
    ty: Option<ColumnType>,
    item: Item,
}

/// A planned `/data/v1` query: SQL, its parameters, and the returned columns.
#[derive(Debug)]
pub(crate) struct Plan {
    pub sql: String,
    pub params: Vec<SqlValue>,
    pub keys: Vec<String>,
    pub types: Vec<Option<ColumnType>>,
}

fn parse_count(name: &str, v: Option<&str>) -> Result<Option<i64>, ApiError> {
    v.filter(|s| !s.trim().is_empty())
        .map(|s| {
            s.trim()
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "{name} must be a non-negative integer, got `{s}`"
                    ))
                })
        })
        .transpose()
}

fn plain_order_expr(f: &Field) -> String {
    let ident = quote_ident(&f.column.name);
    if f.column.ty == ColumnType::Decimal {
        format!("CAST({ident} AS REAL)")
    } else {
        ident
    }
}

/// Builds the SQL of one `/data/v1` request over `table` (the quoted row
/// table). See the crate README for the operators and their meaning.
pub(crate) fn plan(
    alias: &str,
    fields: &[Field],
    table: &str,
    q: &DataParams,
) -> Result<Plan, ApiError> {
    let r = Resolver { alias, fields };
    if q.dategrain.as_deref().is_some_and(|d| !d.trim().is_empty()) {
        return Err(ApiError::bad_request(
            "dategrain is not supported by the emulator; group by a date field, or use /sql/v1",
        ));
    }
    if let Some(c) = q.calendar.as_deref() {
        if !matches!(c.trim(), "" | "standard" | "fiscal") {
            return Err(ApiError::bad_request(format!(
                "calendar must be standard or fiscal, got `{c}`"
            )));
        }
    }

    // Aggregations given as operators: `sum=units,price`.
    let mut explicit: Vec<Option<Agg>> = vec![None; fields.len()];
    let mut explicit_order = Vec::new();
    for (agg, list) in [
        (Agg::Sum, &q.sum),
        (Agg::Avg, &q.avg),
        (Agg::Count, &q.count),
        (Agg::Min, &q.min),
        (Agg::Max, &q.max),
        (Agg::Unique, &q.unique),
    ] {
        for raw in list.as_deref().map(split_top_level).unwrap_or_default() {
            let i = r.field(raw, agg.name())?;
            match explicit[i] {
                Some(prev) if prev != agg => {
                    return Err(ApiError::bad_request(format!(
                        "`{}` is given two aggregations ({} and {})",
                        fields[i].name,
                        prev.name(),
                        agg.name()
                    )));
                }
                Some(_) => {}
                None => {
                    explicit[i] = Some(agg);
                    explicit_order.push(i);
                }
            }
        }
    }

    let mut groups: Vec<usize> = Vec::new();
    for raw in q
        .groupby
        .as_deref()
        .map(split_top_level)
        .unwrap_or_default()
    {
        let i = r.field(raw, "groupby")?;
        if let Some(agg) = explicit[i] {
            return Err(ApiError::bad_request(format!(
                "`{}` cannot be both grouped by and aggregated ({})",
                fields[i].name,
                agg.name()
            )));
        }
        if !groups.contains(&i) {
            groups.push(i);
        }
    }

    let mut items: Vec<Item> = match q.fields.as_deref().filter(|f| !f.trim().is_empty()) {
        Some(list) => split_top_level(list)
            .into_iter()
            .map(|raw| r.item(raw, "fields"))
            .collect::<Result<_, _>>()?,
        None => (0..fields.len()).map(Item::Field).collect(),
    };
    // An aggregation operator returns its field even when `fields` omits it.
    for i in explicit_order {
        if !items.contains(&Item::Field(i)) {
            items.push(Item::Field(i));
        }
    }
    let aggregating = !groups.is_empty()
        || explicit.iter().any(Option::is_some)
        || items.iter().any(|it| matches!(it, Item::Agg(..)));

    let mut outputs: Vec<Output> = Vec::new();
    for item in items {
        let out = match item {
            Item::Agg(agg, i) => {
                let expr = agg.sql(&fields[i])?;
                Output {
                    key: format!("{}({})", agg.name(), fields[i].name),
                    order_expr: expr.clone(),
                    expr,
                    ty: agg.result_type(&fields[i]),
                    item,
                }
            }
            Item::Field(i) => {
                let f = &fields[i];
                let agg = explicit[i].or_else(|| {
                    (!groups.is_empty() && !groups.contains(&i))
                        .then(|| Agg::default_for(f.column.ty))
                });
                match agg {
                    Some(agg) => {
                        let expr = agg.sql(f)?;
                        Output {
                            key: f.name.clone(),
                            order_expr: expr.clone(),
                            expr,
                            ty: agg.result_type(f),
                            item,
                        }
                    }
                    // Aggregates without groupby: one row of the aggregated
                    // fields only, as Domo answers.
                    None if aggregating && groups.is_empty() => continue,
                    None => Output {
                        key: f.name.clone(),
                        expr: quote_ident(&f.column.name),
                        order_expr: plain_order_expr(f),
                        ty: Some(f.column.ty),
                        item,
                    },
                }
            }
        };
        if outputs.iter().any(|o| o.key == out.key) {
            return Err(ApiError::bad_request(format!(
                "fields: `{}` is listed twice",
                out.key
            )));
        }
        outputs.push(out);
    }
    if outputs.is_empty() {
        return Err(ApiError::bad_request(format!(
            "the request returns no fields (alias `{alias}` has {} fields)",
            fields.len()
        )));
    }

    let mut params = Vec::new();
    let mut where_sql = String::new();
    if let Some(filter) = q.filter.as_deref() {
        let mut clauses = Vec::new();
        for clause in split_top_level(filter) {
            let (sql, mut values) = filter_clause(clause.trim(), &r)?;
            clauses.push(sql);
            params.append(&mut values);
        }
        if !clauses.is_empty() {
            where_sql = format!(" WHERE {}", clauses.join(" AND "));
        }
    }

    let mut order = Vec::new();
    for raw in q
        .orderby
        .as_deref()
        .map(split_top_level)
        .unwrap_or_default()
    {
        order.push(order_term(raw.trim(), &r, &outputs, &groups, aggregating)?);
    }
    if order.is_empty() {
        if !aggregating {
            order.push("rowid".to_owned());
        } else {
            order.extend(groups.iter().map(|&i| plain_order_expr(&fields[i])));
        }
    }

    let limit = parse_count("limit", q.limit.as_deref())?;
    let offset = parse_count("offset", q.offset.as_deref())?.unwrap_or(0);
    // One row past the cap shows that the result was cut.
    let cap = MAX_RESULT_ROWS as i64 + 1;
    params.push(SqlValue::Integer(limit.map_or(cap, |l| l.min(cap))));
    params.push(SqlValue::Integer(offset));

    let select: Vec<&str> = outputs.iter().map(|o| o.expr.as_str()).collect();
    let group_sql = if groups.is_empty() {
        String::new()
    } else {
        let g: Vec<String> = groups
            .iter()
            .map(|&i| quote_ident(&fields[i].column.name))
            .collect();
        format!(" GROUP BY {}", g.join(", "))
    };
    let order_sql = if order.is_empty() {
        String::new()
    } else {
        format!(" ORDER BY {}", order.join(", "))
    };
    Ok(Plan {
        sql: format!(
            "SELECT {} FROM {table}{where_sql}{group_sql}{order_sql} LIMIT ? OFFSET ?",
            select.join(", ")
        ),
        params,
        keys: outputs.iter().map(|o| o.key.clone()).collect(),
        types: outputs.iter().map(|o| o.ty).collect(),
    })
}

/// `field [asc|ascending|desc|descending]`: a returned field (or
/// aggregate), or, when nothing is aggregated, any field.
fn order_term(
    raw: &str,
    r: &Resolver<'_>,
    outputs: &[Output],
    groups: &[usize],
    aggregating: bool,
) -> Result<String, ApiError> {
    let (name, dir) = match raw.rsplit_once(char::is_whitespace) {
        Some((name, dir))
            if ["asc", "ascending", "desc", "descending"]
                .iter()
                .any(|d| d.eq_ignore_ascii_case(dir)) =>
        {
            let desc = dir.to_ascii_lowercase().starts_with("desc");
            (name.trim(), if desc { "DESC" } else { "ASC" })
        }
        _ => (raw, "ASC"),
    };
    let item = r.item(name, "orderby")?;
    let by_key = |key: &str| outputs.iter().find(|o| o.key == key);
    let found = match item {
        Item::Agg(agg, i) => by_key(&format!("{}({})", agg.name(), r.fields[i].name)),
        // A field is returned under its own name, plain or aggregated.
        Item::Field(i) => by_key(&r.fields[i].name).filter(|o| o.item == item),
    };
    let expr = match (found, item) {
        (Some(o), _) => o.order_expr.clone(),
        (None, Item::Field(i)) if !aggregating || groups.contains(&i) => {
            plain_order_expr(&r.fields[i])
        }
        _ => {
            return Err(ApiError::bad_request(format!(
                "orderby `{name}`: when grouping or aggregating, order by a returned field"
            )));
        }
    };
    Ok(format!("{expr} {dir}"))
}

/// The filter operators, longest first so `>=` is not read as `>`.
const OPERATORS: [&str; 16] = [
    "!contains",
    "contains",
    "todate",
    "last",
    "!in",
    "in",
    "!=",
    "<>",
    ">=",
    "<=",
    "==",
    "!~",
    "=",
    "<",
    ">",
    "~",
];

/// One filter condition `field op value` as SQL with bound values.
fn filter_clause(clause: &str, r: &Resolver<'_>) -> Result<(String, Vec<SqlValue>), ApiError> {
    let context = format!("filter `{clause}`");
    // The field: a quoted name, or the longest field name the clause starts
    // with (names may hold spaces, e.g. `Unit Price > 5`).
    let (field, rest) = if let Some(q) = clause
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '\'' | '`'))
    {
        let end = clause[1..]
            .find(q)
            .ok_or_else(|| ApiError::bad_request(format!("{context}: unclosed quote")))?;
        let name = &clause[1..1 + end];
        let i = r.find(name).ok_or_else(|| r.unknown(name, &context))?;
        (i, &clause[end + 2..])
    } else {
        let mut best: Option<(usize, usize)> = None;
        for (i, f) in r.fields.iter().enumerate() {
            let Some(after) = clause.strip_prefix(f.name.as_str()) else {
                continue;
            };
            let boundary = after
                .chars()
                .next()
                .is_none_or(|c| c.is_whitespace() || "=!<>~".contains(c));
            if boundary && best.is_none_or(|(_, len)| f.name.len() > len) {
                best = Some((i, f.name.len()));
            }
        }
        let Some((i, len)) = best else {
            let name = clause
                .split(|c: char| c.is_whitespace() || "=!<>~".contains(c))
                .next()
                .unwrap_or(clause);
            return Err(r.unknown(name, &context));
        };
        (i, &clause[len..])
    };
    let f = &r.fields[field];
    let rest = rest.trim_start();
    let op = OPERATORS
        .iter()
        .find(|op| {
            let Some(head) = rest.get(..op.len()) else {
                return false;
            };
            if !head.eq_ignore_ascii_case(op) {
                return false;
            }
            // A word operator must end where the word ends.
            !op.ends_with(|c: char| c.is_ascii_alphabetic())
                || rest[op.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| c.is_whitespace() || "([\"'`".contains(c))
        })
        .copied()
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "{context}: expected an operator after `{}`: one of = == != > >= < <= contains ~ !contains !~ in !in",
                f.name
            ))
        })?;
    let value = rest[op.len()..].trim();
    let op = op.to_ascii_lowercase();
    match op.as_str() {
        "todate" | "last" => Err(ApiError::bad_request(format!(
            "{context}: the `{op}` operator is not supported by the emulator; compare the date with < or >"
        ))),
        "contains" | "~" | "!contains" | "!~" => {
            let (needle, _) = unquote(value);
            let test = format!(
                "instr(lower(CAST({} AS TEXT)), lower(?)) > 0",
                quote_ident(&f.column.name)
            );
            let sql = if op.starts_with('!') {
                format!("NOT ({test})")
            } else {
                test
            };
            Ok((sql, vec![SqlValue::Text(needle.to_owned())]))
        }
        "in" | "!in" => {
            let inner = [('(', ')'), ('[', ']')]
                .iter()
                .find_map(|(open, close)| value.strip_prefix(*open)?.strip_suffix(*close))
                .unwrap_or(value);
            let mut lhs = quote_ident(&f.column.name);
            let mut values = Vec::new();
            for item in split_top_level(inner) {
                let (l, v) = comparison_operand(&f.column, &f.name, unquote(item).0, clause)?;
                lhs = l;
                values.push(v);
            }
            let marks = vec!["?"; values.len()].join(", ");
            let not = if op == "!in" { "NOT " } else { "" };
            Ok((format!("{lhs} {not}IN ({marks})"), values))
        }
        cmp => {
            let cmp = match cmp {
                "==" => "=",
                "<>" => "!=",
                other => other,
            };
            let (lhs, v) = comparison_operand(&f.column, &f.name, unquote(value).0, clause)?;
            Ok((format!("{lhs} {cmp} ?"), vec![v]))
        }
    }
}

/// The answer formats: `Accept: text/csv`, or JSON objects for
/// `application/array-of-objects`, `application/json`, `*/*` or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Objects,
    Csv,
}

pub(crate) fn negotiate(accept: Option<&str>) -> Result<Format, ApiError> {
    let Some(accept) = accept.map(str::trim).filter(|a| !a.is_empty()) else {
        return Ok(Format::Objects);
    };
    for part in accept.split(',') {
        let media = part
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match media.as_str() {
            "text/csv" => return Ok(Format::Csv),
            "application/array-of-objects"
            | "array-of-objects"
            | "application/json"
            | "*/*"
            | "application/*" => return Ok(Format::Objects),
            _ => {}
        }
    }
    Err(ApiError::new(
        StatusCode::NOT_ACCEPTABLE,
        format!(
            "cannot answer Accept: {accept}; use application/array-of-objects, application/json or text/csv"
        ),
    ))
}

fn run_plan(
    conn: &Connection,
    plan: &Plan,
    format: Format,
    timeout: Duration,
) -> Result<Response, ApiError> {
    let deadline = Instant::now() + timeout;
    conn.progress_handler(10_000, Some(move || Instant::now() > deadline));
    let result = collect(conn, plan, format);
    conn.progress_handler(0, None::<fn() -> bool>);
    result
}

fn collect(conn: &Connection, plan: &Plan, format: Format) -> Result<Response, ApiError> {
    let failed = |e: rusqlite::Error| match e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::OperationInterrupted =>
        {
            ApiError::bad_request("the query ran past the time limit and was stopped")
        }
        other => ApiError::bad_request(format!("the query failed: {other}")),
    };
    let mut stmt = conn.prepare(&plan.sql)?;
    let mut rows = stmt
        .query(params_from_iter(plan.params.iter()))
        .map_err(failed)?;
    let mut objects = Vec::new();
    let mut csv = Vec::new();
    if format == Format::Csv {
        for (i, key) in plan.keys.iter().enumerate() {
            if i > 0 {
                csv.push(b',');
            }
            csvio::write_text_field(&mut csv, key);
        }
        csv.push(b'\n');
    }
    let mut n = 0usize;
    while let Some(row) = rows.next().map_err(failed)? {
        n += 1;
        if n > MAX_RESULT_ROWS {
            return Err(ApiError::bad_request(format!(
                "the result has more than {MAX_RESULT_ROWS} rows; page through it with limit and offset"
            )));
        }
        match format {
            Format::Objects => {
                let mut obj = Map::with_capacity(plan.keys.len());
                for (i, (key, ty)) in plan.keys.iter().zip(&plan.types).enumerate() {
                    let v: ValueRef<'_> = row.get_ref(i)?;
                    obj.insert(key.clone(), csvio::json_value(*ty, v));
                }
                objects.push(Value::Object(obj));
            }
            Format::Csv => {
                for i in 0..plan.keys.len() {
                    if i > 0 {
                        csv.push(b',');
                    }
                    csvio::write_value(&mut csv, row.get_ref(i)?);
                }
                csv.push(b'\n');
            }
        }
    }
    Ok(match format {
        Format::Objects => json_response(StatusCode::OK, &Value::Array(objects)),
        Format::Csv => {
            let mut resp = (StatusCode::OK, csv).into_response();
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            resp
        }
    })
}

/// The manifest mapping of `alias`, or why there is none.
fn mapping_of(state: &AppState, alias: &str) -> Result<Mapping, ApiError> {
    let Some(site) = state.app.as_ref() else {
        return Err(ApiError::not_found(
            "no custom app is served: start the emulator with --app DIR to use /data/v1 and /sql/v1",
        ));
    };
    site.manifest.mapping(alias).cloned().ok_or_else(|| {
        let known: Vec<&str> = site
            .manifest
            .mapping
            .iter()
            .map(|m| m.alias.as_str())
            .collect();
        ApiError::not_found(format!(
            "the app's manifest.json maps no dataset alias `{alias}` (aliases: {})",
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        ))
    })
}

/// The mapped dataset, if it exists and the caller may read it.
fn open_mapped(conn: &Connection, mapping: &Mapping, user: i64) -> Result<Dataset, ApiError> {
    let ds = find_dataset(conn, &mapping.data_set_id)?.ok_or_else(|| {
        ApiError::not_found(format!(
            "alias `{}` maps to dataset {}, which does not exist",
            mapping.alias, mapping.data_set_id
        ))
    })?;
    authorize(conn, &ds, user, Need::Read)?;
    Ok(ds)
}

/// `GET /data/v1/{alias}`.
pub(crate) async fn data(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(alias): ApiPath<String>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<DataParams>,
) -> Result<Response, ApiError> {
    let mapping = mapping_of(&state, &alias)?;
    let accept = headers.get(header::ACCEPT).map(|v| {
        v.to_str()
            .map_err(|_| ApiError::bad_request("the Accept header is not valid text"))
    });
    let format = negotiate(accept.transpose()?)?;
    let timeout = state.query_timeout;
    state
        .db
        .read(move |conn| {
            let ds = open_mapped(conn, &mapping, user)?;
            let fields = app_fields(&mapping, &ds)?;
            let plan = plan(&mapping.alias, &fields, &ds.table(), &q)?;
            run_plan(conn, &plan, format, timeout)
        })
        .await
}

#[derive(Debug, Deserialize)]
struct SqlJson {
    sql: String,
}

/// `POST /sql/v1/{alias}`: the SQL as a `text/plain` body (or JSON
/// `{"sql": ...}`), naming the dataset by its alias or as `table`.
pub(crate) async fn sql(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(alias): ApiPath<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    let mapping = mapping_of(&state, &alias)?;
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            let media = ct.split(';').next().unwrap_or("").trim();
            media.eq_ignore_ascii_case("application/json")
        });
    let sql = if is_json {
        parse_json::<SqlJson>(&body)?.sql
    } else {
        String::from_utf8(body.to_vec())
            .map_err(|_| ApiError::bad_request("the SQL body is not valid UTF-8"))?
    };
    let timeout = state.query_timeout;
    let value = state
        .db
        .read(move |conn| {
            let ds = open_mapped(conn, &mapping, user)?;
            execute_confined(conn, &ds, &sql, Some(&mapping.alias), timeout)
        })
        .await?;
    Ok(json_response(StatusCode::OK, &value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> Vec<Field> {
        [
            ("region", "Region", ColumnType::String),
            ("units", "Units", ColumnType::Long),
            ("Unit Price", "Unit Price", ColumnType::Double),
            ("Unit", "Unit", ColumnType::String),
            ("revenue", "Revenue", ColumnType::Decimal),
            ("day", "Order Date", ColumnType::Date),
        ]
        .into_iter()
        .map(|(alias, col, ty)| Field {
            name: alias.to_owned(),
            column: Column {
                name: col.to_owned(),
                ty,
            },
        })
        .collect()
    }

    fn plan_of(q: DataParams) -> Result<Plan, ApiError> {
        plan("sales", &fields(), "\"ds_1\"", &q)
    }

    #[test]
    fn plain_reads_select_mapped_columns_in_row_order() {
        let p = plan_of(DataParams {
            fields: Some("units, region".into()),
            limit: Some("5".into()),
            offset: Some("10".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            p.sql,
            "SELECT \"Units\", \"Region\" FROM \"ds_1\" ORDER BY rowid LIMIT ? OFFSET ?"
        );
        assert_eq!(p.keys, ["units", "region"]);
        assert_eq!(p.params, [SqlValue::Integer(5), SqlValue::Integer(10)]);
    }

    #[test]
    fn groupby_sums_numbers_and_counts_the_rest_by_default() {
        let p = plan_of(DataParams {
            fields: Some("region,units,day,max(revenue)".into()),
            groupby: Some("region".into()),
            orderby: Some("units descending, region".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            p.sql,
            "SELECT \"Region\", SUM(\"Units\"), COUNT(DISTINCT \"Order Date\"), MAX(CAST(\"Revenue\" AS NUMERIC)) \
             FROM \"ds_1\" GROUP BY \"Region\" ORDER BY SUM(\"Units\") DESC, \"Region\" ASC LIMIT ? OFFSET ?"
        );
        assert_eq!(p.keys, ["region", "units", "day", "max(revenue)"]);
    }

    #[test]
    fn aggregates_without_groupby_return_only_aggregated_fields() {
        let p = plan_of(DataParams {
            sum: Some("units".into()),
            avg: Some("Unit Price".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(p.keys, ["units", "Unit Price"]);
        assert_eq!(
            p.sql,
            "SELECT SUM(\"Units\"), AVG(\"Unit Price\") FROM \"ds_1\" LIMIT ? OFFSET ?"
        );
    }

    #[test]
    fn filters_take_every_operator_and_bind_values() {
        let p = plan_of(DataParams {
            fields: Some("region".into()),
            filter: Some(
                "Unit Price >= 2.5, region in (East, 'West, Far'), Unit != x, region contains 'ea', \
                 units !in [1,2], revenue < 10, day == 2024-01-02, region !~ z"
                    .into(),
            ),
            ..Default::default()
        })
        .unwrap();
        assert!(
            p.sql.contains(
                "WHERE \"Unit Price\" >= ? AND \"Region\" IN (?, ?) AND \"Unit\" != ? \
                 AND instr(lower(CAST(\"Region\" AS TEXT)), lower(?)) > 0 AND \"Units\" NOT IN (?, ?) \
                 AND CAST(\"Revenue\" AS REAL) < ? AND \"Order Date\" = ? \
                 AND NOT (instr(lower(CAST(\"Region\" AS TEXT)), lower(?)) > 0) ORDER BY"
            ),
            "{}",
            p.sql
        );
        assert_eq!(
            p.params[..10],
            [
                SqlValue::Real(2.5),
                SqlValue::Text("East".into()),
                SqlValue::Text("West, Far".into()),
                SqlValue::Text("x".into()),
                SqlValue::Text("ea".into()),
                SqlValue::Real(1.0),
                SqlValue::Real(2.0),
                SqlValue::Real(10.0),
                SqlValue::Text("2024-01-02".into()),
                SqlValue::Text("z".into()),
            ]
        );
    }

    #[test]
    fn mistakes_are_400s_that_name_the_culprit() {
        for (q, needle) in [
            (
                DataParams {
                    fields: Some("nope".into()),
                    ..Default::default()
                },
                "unknown field `nope`",
            ),
            (
                DataParams {
                    filter: Some("nope = 1".into()),
                    ..Default::default()
                },
                "unknown field `nope`",
            ),
            (
                DataParams {
                    filter: Some("units ^ 1".into()),
                    ..Default::default()
                },
                "expected an operator",
            ),
            (
                DataParams {
                    filter: Some("units > many".into()),
                    ..Default::default()
                },
                "must be a number",
            ),
            (
                DataParams {
                    filter: Some("day last 3 months".into()),
                    ..Default::default()
                },
                "not supported",
            ),
            (
                DataParams {
                    fields: Some("sum(region)".into()),
                    ..Default::default()
                },
                "numeric",
            ),
            (
                DataParams {
                    fields: Some("region,units".into()),
                    groupby: Some("region".into()),
                    orderby: Some("Unit Price".into()),
                    ..Default::default()
                },
                "order by a returned field",
            ),
            (
                DataParams {
                    sum: Some("units".into()),
                    max: Some("units".into()),
                    ..Default::default()
                },
                "two aggregations",
            ),
            (
                DataParams {
                    limit: Some("-1".into()),
                    ..Default::default()
                },
                "limit",
            ),
            (
                DataParams {
                    fields: Some("units,units".into()),
                    ..Default::default()
                },
                "listed twice",
            ),
            (
                DataParams {
                    dategrain: Some("day by month".into()),
                    ..Default::default()
                },
                "dategrain",
            ),
        ] {
            let e = plan_of(q).unwrap_err();
            assert_eq!(e.status, StatusCode::BAD_REQUEST);
            assert!(e.message.contains(needle), "{needle}: {}", e.message);
        }
    }

    #[test]
    fn accept_picks_the_format() {
        assert_eq!(negotiate(None).unwrap(), Format::Objects);
        assert_eq!(
            negotiate(Some("application/array-of-objects")).unwrap(),
            Format::Objects
        );
        assert_eq!(
            negotiate(Some("application/json")).unwrap(),
            Format::Objects
        );
        assert_eq!(
            negotiate(Some("text/csv; charset=utf-8")).unwrap(),
            Format::Csv
        );
        assert_eq!(
            negotiate(Some("text/html, */*;q=0.8")).unwrap(),
            Format::Objects
        );
        assert_eq!(
            negotiate(Some("application/vnd.ms-excel"))
                .unwrap_err()
                .status,
            StatusCode::NOT_ACCEPTABLE
        );
    }
}
