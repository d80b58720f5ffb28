//! The planner of `GET /data/v1/{alias}`: Domo's App Data query operators
//! (`fields`, `filter`, `groupby`, `orderby`, aggregations, `limit`,
//! `offset`) become one SELECT over the caller's `rows::visible_rows`
//! source. Identifiers are quoted names of the mapped columns and every
//! value is a bound parameter, so no request text reaches SQLite as SQL.
//! The filter is the shared grammar of `crate::filter`.

use rusqlite::types::Value as SqlValue;
use serde::Deserialize;

use super::rows::{Where, compile_filter};
use super::{Column, Result, StoreError, quote_ident};
use crate::csvio::ColumnType;
use crate::filter::{self, Names, split_top_level, unquote};
use crate::limits::{MAX_LIST_ITEMS, MAX_RESULT_ROWS};

/// A dataset column as the app sees it: under its field alias.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub name: String,
    pub column: Column,
}

/// The query operators of `GET /data/v1/{alias}`, as sent.
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

    fn sql(self, f: &Field) -> Result<String> {
        let ident = quote_ident(&f.column.name);
        // DECIMAL is stored as exact text; aggregate it as a number.
        let value = if f.column.ty == ColumnType::Decimal {
            format!("CAST({ident} AS NUMERIC)")
        } else {
            ident.clone()
        };
        if matches!(self, Agg::Sum | Agg::Avg) && !f.column.ty.is_numeric() {
            return Err(StoreError::invalid(format!(
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

/// Resolves field names against one alias's fields.
struct Resolver<'a> {
    names: Names<'a>,
    fields: &'a [Field],
}

impl Resolver<'_> {
    fn find(&self, name: &str) -> Option<usize> {
        self.names.find(name)
    }

    fn unknown(&self, name: &str, context: &str) -> StoreError {
        StoreError::invalid(self.names.unknown(name, context))
    }

    fn field(&self, raw: &str, context: &str) -> Result<usize> {
        let (name, _) = unquote(raw);
        self.find(name).ok_or_else(|| self.unknown(name, context))
    }

    /// A `fields` or `orderby` item: a field, or `agg(field)`. A field whose
    /// name looks like a call (`count(x)` as a column name) wins.
    fn item(&self, raw: &str, context: &str) -> Result<Item> {
        let (name, _) = unquote(raw);
        if let Some(i) = self.find(name) {
            return Ok(Item::Field(i));
        }
        if let Some((func, rest)) = name.split_once('(')
            && let (Some(agg), Some(inner)) = (Agg::parse(func), rest.trim_end().strip_suffix(')'))
        {
            return Ok(Item::Agg(agg, self.field(inner, context)?));
        }
        Err(self.unknown(name, context))
    }
}

/// An operator's comma list, refused past `MAX_LIST_ITEMS` (SQLite's
/// limits on result columns and ORDER BY terms are not far beyond).
fn list<'q>(operator: &str, value: Option<&'q str>) -> Result<Vec<&'q str>> {
    let items = value.map(split_top_level).unwrap_or_default();
    if items.len() > MAX_LIST_ITEMS {
        return Err(StoreError::invalid(format!(
            "{operator} has {} items, more than the limit of {MAX_LIST_ITEMS}",
            items.len()
        )));
    }
    Ok(items)
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

fn parse_count(name: &str, v: Option<&str>) -> Result<Option<i64>> {
    v.filter(|s| !s.trim().is_empty())
        .map(|s| {
            s.trim()
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| {
                    StoreError::invalid(format!("{name} must be a non-negative integer, got `{s}`"))
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
/// source) ordered by `row_order` unless told otherwise. See the crate
/// README for the operators and their meaning.
pub(super) fn plan(
    alias: &str,
    fields: &[Field],
    table: &str,
    row_order: &str,
    q: &DataParams,
) -> Result<Plan> {
    let r = Resolver {
        names: Names::fields(alias, fields.iter().map(|f| f.name.as_str())),
        fields,
    };
    if q.dategrain.as_deref().is_some_and(|d| !d.trim().is_empty()) {
        return Err(StoreError::invalid(
            "dategrain is not supported by the emulator; group by a date field, or use /sql/v1",
        ));
    }
    if let Some(c) = q.calendar.as_deref()
        && !matches!(c.trim(), "" | "standard" | "fiscal")
    {
        return Err(StoreError::invalid(format!(
            "calendar must be standard or fiscal, got `{c}`"
        )));
    }

    // Aggregations given as operators: `sum=units,price`.
    let mut explicit: Vec<Option<Agg>> = vec![None; fields.len()];
    let mut explicit_order = Vec::new();
    for (agg, list_value) in [
        (Agg::Sum, &q.sum),
        (Agg::Avg, &q.avg),
        (Agg::Count, &q.count),
        (Agg::Min, &q.min),
        (Agg::Max, &q.max),
        (Agg::Unique, &q.unique),
    ] {
        for raw in list(agg.name(), list_value.as_deref())? {
            let i = r.field(raw, agg.name())?;
            match explicit[i] {
                Some(prev) if prev != agg => {
                    return Err(StoreError::invalid(format!(
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
    for raw in list("groupby", q.groupby.as_deref())? {
        let i = r.field(raw, "groupby")?;
        if let Some(agg) = explicit[i] {
            return Err(StoreError::invalid(format!(
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
        Some(value) => list("fields", Some(value))?
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
            return Err(StoreError::invalid(format!(
                "fields: `{}` is listed twice",
                out.key
            )));
        }
        outputs.push(out);
    }
    if outputs.is_empty() {
        return Err(StoreError::invalid(format!(
            "the request returns no fields (alias `{alias}` has {} fields)",
            fields.len()
        )));
    }

    let mut where_sql = String::new();
    let conds =
        filter::parse(q.filter.as_deref().unwrap_or(""), &r.names).map_err(StoreError::invalid)?;
    let targets: Vec<(&str, &Column)> = fields
        .iter()
        .map(|f| (f.name.as_str(), &f.column))
        .collect();
    let Where { sql, mut params } = compile_filter(&conds, &targets)?;
    if !sql.is_empty() {
        where_sql = format!(" WHERE {sql}");
    }

    let mut order = Vec::new();
    for raw in list("orderby", q.orderby.as_deref())? {
        order.push(order_term(raw.trim(), &r, &outputs, &groups, aggregating)?);
    }
    if order.is_empty() {
        if !aggregating {
            order.push(row_order.to_owned());
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
) -> Result<String> {
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
            return Err(StoreError::invalid(format!(
                "orderby `{name}`: when grouping or aggregating, order by a returned field"
            )));
        }
    };
    Ok(format!("{expr} {dir}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ErrorKind;

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
            column: Column::new(col, ty),
        })
        .collect()
    }

    fn plan_of(q: DataParams) -> Result<Plan> {
        plan("sales", &fields(), "\"ds_1\"", "rowid", &q)
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
            assert_eq!(e.kind, ErrorKind::Invalid);
            assert!(e.message.contains(needle), "{needle}: {}", e.message);
        }
    }
}
