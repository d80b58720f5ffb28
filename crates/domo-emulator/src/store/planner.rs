//! The planner of the Data API (`GET /data/v1|v2/{alias}`): Domo's query
//! operators (`fields`, `filter`, `groupby`, `dategrain`, `calendar`,
//! `orderby`, aggregations, `limit`, `offset`, `useBeastMode`) become one
//! SELECT over the caller's `rows::visible_rows` source. Identifiers are
//! quoted names of the mapped columns, date grains are the fixed SQL of
//! `crate::calendar`, and every value is a bound parameter, so no request
//! text reaches SQLite as SQL. The filter is the shared grammar of
//! `crate::filter`.

use rusqlite::types::Value as SqlValue;
use serde::Deserialize;

use super::rows::{Where, compile_filter};
use super::{Column, Result, StoreError, quote_ident};
use crate::calendar::{DateContext, Unit, grain_column};
use crate::csvio::ColumnType;
use crate::filter::{self, Names, split_top_level, unquote};
use crate::limits::{MAX_LIST_ITEMS, MAX_RESULT_ROWS};

/// A dataset column as the app sees it: under its field alias.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub name: String,
    pub column: Column,
}

/// The query operators of `GET /data/v1|v2/{alias}`, as sent. Other
/// parameters are ignored, as Domo ignores them (a cache-busting `_=...`,
/// `ryuu_sid`).
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
    #[serde(rename = "useBeastMode")]
    pub use_beast_mode: Option<String>,
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
        // DECIMAL is stored as exact text: summed and averaged exactly
        // (`domo_sum`, `domo_avg`), compared as a number.
        let exact = f.column.ty == ColumnType::Decimal;
        let value = if exact {
            format!("CAST({ident} AS NUMERIC)")
        } else {
            ident.clone()
        };
        let decimal = format!("domo_decimal({ident}, NULL)");
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
            Agg::Sum if exact => format!("domo_sum({decimal})"),
            Agg::Avg if exact => format!("domo_avg({decimal})"),
            Agg::Sum => format!("SUM({value})"),
            Agg::Avg => format!("AVG({value})"),
            Agg::Min => format!("MIN({value})"),
            Agg::Max => format!("MAX({value})"),
            Agg::Count => format!("COUNT({ident})"),
            Agg::Unique => format!("COUNT(DISTINCT {ident})"),
        })
    }

    /// The JSON type of the result: `None` lets the stored value decide
    /// (aggregates of DECIMAL are numbers).
    fn result_type(self, f: &Field) -> Option<ColumnType> {
        match self {
            Agg::Min | Agg::Max if f.column.ty != ColumnType::Decimal => Some(f.column.ty),
            Agg::Sum | Agg::Avg if f.column.ty == ColumnType::Decimal => Some(ColumnType::Decimal),
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
    /// The column `dategrain` adds in place of the grained field.
    Grain,
}

/// One returned column.
#[derive(Debug)]
struct Output {
    key: String,
    expr: String,
    ty: Option<ColumnType>,
}

/// A planned Data API query: SQL, its parameters, and the returned columns.
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

/// A field as `orderby` and `groupby` see it: DECIMAL as a number, STRING
/// by MySQL's default collation (as SQL and the filters compare it).
fn plain_order_expr(f: &Field) -> String {
    let ident = quote_ident(&f.column.name);
    match f.column.ty {
        ColumnType::Decimal => format!("CAST({ident} AS REAL)"),
        ColumnType::String => format!("{ident} COLLATE {}", super::dialect::collation::NAME),
        _ => ident,
    }
}

/// The SQL of a date grain over `col` (a quoted DATE or DATETIME column,
/// stored as text): the first day of the period (`YYYY-MM-DD`) for day,
/// week, month and quarter; the (fiscal) year as a number for year.
/// `year_start` is a month number the emulator was configured with, so
/// writing it into the SQL is safe.
fn grain_sql(col: &str, unit: Unit, year_start: u32) -> String {
    let day = format!("substr({col}, 1, 10)");
    let month_start = format!("(substr({col}, 1, 7) || '-01')");
    let month = format!("CAST(substr({col}, 6, 2) AS INTEGER)");
    let year = format!("CAST(substr({col}, 1, 4) AS INTEGER)");
    match unit {
        Unit::Hour | Unit::Day => format!("date({day})"),
        Unit::Week => format!("date({day}, '-' || strftime('%w', {day}) || ' days')"),
        Unit::Month => format!("date({month_start})"),
        Unit::Quarter => {
            format!("date({month_start}, '-' || (({month} - {year_start} + 12) % 3) || ' months')")
        }
        // A fiscal year is named by the calendar year it ends in.
        Unit::Year if year_start > 1 => format!("({year} + ({month} >= {year_start}))"),
        Unit::Year => year,
    }
}

/// `dategrain=field by unit`: the grained field, the column it becomes
/// and the SQL of its periods.
#[derive(Debug)]
struct Grain {
    field: usize,
    key: &'static str,
    expr: String,
    ty: ColumnType,
}

fn parse_grain(raw: &str, r: &Resolver<'_>, year_start: u32) -> Result<Grain> {
    let bad = || {
        StoreError::invalid(format!(
            "dategrain `{raw}`: expected `field by day|week|month|quarter|year`"
        ))
    };
    let lower = raw.to_ascii_lowercase();
    let at = lower.rfind(" by ").ok_or_else(bad)?;
    let unit = Unit::parse(&raw[at + 4..])
        .filter(|u| *u != Unit::Hour)
        .ok_or_else(bad)?;
    let field = r.field(&raw[..at], "dategrain")?;
    let column = &r.fields[field].column;
    if !matches!(column.ty, ColumnType::Date | ColumnType::DateTime) {
        return Err(StoreError::invalid(format!(
            "dategrain `{raw}`: `{}` is {}, and a date grain needs a DATE or DATETIME field",
            r.fields[field].name,
            column.ty.as_str()
        )));
    }
    Ok(Grain {
        field,
        key: grain_column(unit),
        expr: grain_sql(&quote_ident(&column.name), unit, year_start),
        ty: if unit == Unit::Year {
            ColumnType::Long
        } else {
            ColumnType::Date
        },
    })
}

fn parse_flag(name: &str, v: Option<&str>) -> Result<bool> {
    match v.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        None | Some("" | "false" | "0") => Ok(false),
        Some("true" | "1") => Ok(true),
        Some(other) => Err(StoreError::invalid(format!(
            "{name} must be true or false, got `{other}`"
        ))),
    }
}

/// Builds the SQL of one Data API request over `table` (the quoted row
/// source) ordered by `row_order` unless told otherwise; `dates` holds the
/// clock and the fiscal year's first month (`calendar=fiscal` is read from
/// the request). See the crate README for the operators and their meaning.
pub(super) fn plan(
    alias: &str,
    fields: &[Field],
    table: &str,
    row_order: &str,
    q: &DataParams,
    dates: DateContext,
) -> Result<Plan> {
    let r = Resolver {
        names: Names::fields(alias, fields.iter().map(|f| f.name.as_str())),
        fields,
    };
    let fiscal = match q.calendar.as_deref().map(str::trim) {
        None | Some("" | "standard") => false,
        Some("fiscal") => true,
        Some(c) => {
            return Err(StoreError::invalid(format!(
                "calendar must be standard or fiscal, got `{c}`"
            )));
        }
    };
    let dates = DateContext { fiscal, ..dates };
    // The emulator has no beast modes: the flag only turns Domo's default
    // aggregation off, as it does in Domo.
    let beast_mode = parse_flag("useBeastMode", q.use_beast_mode.as_deref())?;
    let grain = match q
        .dategrain
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(raw) => Some(parse_grain(raw, &r, dates.year_start())?),
        None => None,
    };

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
            if grain.as_ref().is_some_and(|g| g.field == i) {
                return Err(StoreError::invalid(format!(
                    "`{}` is the dategrain field, so it cannot also be aggregated ({})",
                    fields[i].name,
                    agg.name()
                )));
            }
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
        if grain.as_ref().is_some_and(|g| g.field == i) {
            return Err(StoreError::invalid(format!(
                "`{}` is the dategrain field; leave it out of groupby (dategrain groups by its periods)",
                fields[i].name
            )));
        }
        if !groups.contains(&i) {
            groups.push(i);
        }
    }
    let grouped = !groups.is_empty() || grain.is_some();

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
    // The grained field is returned as its period column, when returned.
    if let Some(g) = &grain {
        for it in &mut items {
            if *it == Item::Field(g.field) {
                *it = Item::Grain;
            }
        }
    }
    let aggregating = grouped
        || explicit.iter().any(Option::is_some)
        || items.iter().any(|it| matches!(it, Item::Agg(..)));

    let mut outputs: Vec<Output> = Vec::new();
    for item in items {
        let out = match item {
            Item::Grain => {
                let g = grain.as_ref().unwrap_or_else(|| unreachable!());
                Output {
                    key: g.key.to_owned(),
                    expr: g.expr.clone(),
                    ty: Some(g.ty),
                }
            }
            Item::Agg(agg, i) => {
                let expr = agg.sql(&fields[i])?;
                Output {
                    key: format!("{}({})", agg.name(), fields[i].name),
                    expr,
                    ty: agg.result_type(&fields[i]),
                }
            }
            Item::Field(i) => {
                let f = &fields[i];
                if grain.as_ref().is_some_and(|g| g.key == f.name) {
                    // Domo: the grain's column overrides a field of its name.
                    continue;
                }
                let default = grouped && !groups.contains(&i) && explicit[i].is_none();
                if default && beast_mode {
                    return Err(StoreError::invalid(format!(
                        "`{}` must be in groupby or have an aggregation: with useBeastMode=true there is no default aggregation",
                        f.name
                    )));
                }
                let agg = explicit[i].or_else(|| default.then(|| Agg::default_for(f.column.ty)));
                match agg {
                    Some(agg) => {
                        let expr = agg.sql(f)?;
                        Output {
                            key: f.name.clone(),
                            expr,
                            ty: agg.result_type(f),
                        }
                    }
                    // Aggregates without groupby: one row of the aggregated
                    // fields only, as Domo answers.
                    None if aggregating && !grouped => continue,
                    None => Output {
                        key: f.name.clone(),
                        expr: quote_ident(&f.column.name),
                        ty: Some(f.column.ty),
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
    let Where { sql, mut params } = compile_filter(&conds, &targets, &dates)?;
    if !sql.is_empty() {
        where_sql = format!(" WHERE {sql}");
    }

    let mut order = Vec::new();
    let ordering = Ordering {
        r: &r,
        groups: &groups,
        grain: grain.as_ref(),
        aggregating,
    };
    for raw in list("orderby", q.orderby.as_deref())? {
        order.push(ordering.term(raw.trim())?);
    }
    if order.is_empty() {
        if !aggregating {
            order.push(row_order.to_owned());
        } else {
            order.extend(groups.iter().map(|&i| plain_order_expr(&fields[i])));
            order.extend(grain.iter().map(|g| g.expr.clone()));
        }
    }

    let limit = parse_count("limit", q.limit.as_deref())?;
    let offset = parse_count("offset", q.offset.as_deref())?.unwrap_or(0);
    // One row past the cap shows that the result was cut.
    let cap = MAX_RESULT_ROWS as i64 + 1;
    params.push(SqlValue::Integer(limit.map_or(cap, |l| l.min(cap))));
    params.push(SqlValue::Integer(offset));

    let select: Vec<&str> = outputs.iter().map(|o| o.expr.as_str()).collect();
    let mut group_terms: Vec<String> = groups
        .iter()
        .map(|&i| plain_order_expr(&fields[i]))
        .collect();
    group_terms.extend(grain.iter().map(|g| g.expr.clone()));
    let group_sql = if group_terms.is_empty() {
        String::new()
    } else {
        format!(" GROUP BY {}", group_terms.join(", "))
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

/// What `orderby` may name.
struct Ordering<'a> {
    r: &'a Resolver<'a>,
    groups: &'a [usize],
    grain: Option<&'a Grain>,
    aggregating: bool,
}

impl Ordering<'_> {
    /// `field [asc|ascending|desc|descending]`. Without aggregation any
    /// field; with it, a groupby field or the date grain (by the grained
    /// field's name or the period column's): "you cannot order on an
    /// aggregation", as Domo's Data API says.
    fn term(&self, raw: &str) -> Result<String> {
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
        let (bare, _) = unquote(name);
        if let Some(g) = self.grain
            && (bare == g.key && self.r.find(bare).is_none() || self.r.find(bare) == Some(g.field))
        {
            return Ok(format!("{} {dir}", g.expr));
        }
        let item = self.r.item(name, "orderby")?;
        match item {
            Item::Field(i) if !self.aggregating || self.groups.contains(&i) => {
                Ok(format!("{} {dir}", plain_order_expr(&self.r.fields[i])))
            }
            _ => Err(StoreError::invalid(format!(
                "orderby `{bare}`: you cannot order on an aggregation (Domo's Data API refuses it); when grouping or aggregating, order by a groupby field or the dategrain, and sort aggregated values in the app"
            ))),
        }
    }
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

    /// Wednesday 2024-05-15 13:45:10 UTC; fiscal years from July.
    const NOW_MS: i64 = 1_715_780_710_000;

    fn plan_of(q: DataParams) -> Result<Plan> {
        let dates = DateContext {
            fiscal_start: 7,
            ..DateContext::standard(NOW_MS)
        };
        plan("sales", &fields(), "\"ds_1\"", "rowid", &q, dates)
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
            orderby: Some("region descending".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            p.sql,
            "SELECT \"Region\", SUM(\"Units\"), COUNT(DISTINCT \"Order Date\"), MAX(CAST(\"Revenue\" AS NUMERIC)) \
             FROM \"ds_1\" GROUP BY \"Region\" COLLATE utf8mb4_0900_ai_ci ORDER BY \"Region\" COLLATE utf8mb4_0900_ai_ci DESC LIMIT ? OFFSET ?"
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
                "WHERE \"Unit Price\" >= ? AND \"Region\" COLLATE utf8mb4_0900_ai_ci IN (?, ?) AND \"Unit\" COLLATE utf8mb4_0900_ai_ci != ? \
                 AND domo_contains(\"Region\", ?) AND \"Units\" NOT IN (?, ?) \
                 AND CAST(\"Revenue\" AS REAL) < ? AND \"Order Date\" = ? \
                 AND NOT (domo_contains(\"Region\", ?)) ORDER BY"
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
    fn dategrain_groups_by_periods_named_as_domo_names_them() {
        // `@domoinc/query`: dategrain='day' by month, the rest summed or
        // counted; ordering by the grained field orders by its periods.
        let p = plan_of(DataParams {
            fields: Some("region, day, units".into()),
            dategrain: Some("'day' by month".into()),
            groupby: Some("'region'".into()),
            orderby: Some("'day' descending".into()),
            ..Default::default()
        })
        .unwrap();
        let month = "date((substr(\"Order Date\", 1, 7) || '-01'))";
        assert_eq!(
            p.sql,
            format!(
                "SELECT \"Region\", {month}, SUM(\"Units\") FROM \"ds_1\" \
                 GROUP BY \"Region\" COLLATE utf8mb4_0900_ai_ci, {month} ORDER BY {month} DESC LIMIT ? OFFSET ?"
            )
        );
        assert_eq!(p.keys, ["region", "CalendarMonth", "units"]);
        assert_eq!(p.types[1], Some(ColumnType::Date));
        // Without the field in `fields`, the periods group but are not shown;
        // by default groups come in groupby order, then the periods.
        let p = plan_of(DataParams {
            fields: Some("units".into()),
            dategrain: Some("day by year".into()),
            calendar: Some("fiscal".into()),
            orderby: Some("Year".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(p.keys, ["units"]);
        assert!(
            p.sql.contains(
                "GROUP BY (CAST(substr(\"Order Date\", 1, 4) AS INTEGER) + (CAST(substr(\"Order Date\", 6, 2) AS INTEGER) >= 7))"
            ),
            "{}",
            p.sql
        );
        // Every grain, and its column.
        for (unit, key) in [
            ("day", "Date"),
            ("week", "CalendarWeek"),
            ("month", "CalendarMonth"),
            ("quarter", "CalendarQuarter"),
            ("year", "Year"),
        ] {
            let p = plan_of(DataParams {
                dategrain: Some(format!("day by {unit}")),
                fields: Some("day".into()),
                ..Default::default()
            })
            .unwrap();
            assert_eq!(p.keys, [key], "{unit}");
        }
    }

    #[test]
    fn relative_filters_bind_the_periods_of_the_clock() {
        let p = plan_of(DataParams {
            fields: Some("region".into()),
            filter: Some(
                "'day' last 7 days, day todate year, 'day' last quarter, region is null, units !is null".into(),
            ),
            calendar: Some("fiscal".into()),
            ..Default::default()
        })
        .unwrap();
        assert!(
            p.sql.contains(
                "WHERE \"Order Date\" BETWEEN ? AND ? AND \"Order Date\" BETWEEN ? AND ? \
                 AND \"Order Date\" BETWEEN ? AND ? AND \"Region\" IS NULL AND \"Units\" IS NOT NULL"
            ),
            "{}",
            p.sql
        );
        let text = |s: &str| SqlValue::Text(s.into());
        assert_eq!(
            p.params[..6],
            [
                text("2024-05-09"),
                text("2024-05-15"),
                text("2023-07-01"),
                text("2024-05-15"),
                text("2024-01-01"),
                text("2024-03-31"),
            ]
        );
    }

    #[test]
    fn a_js_date_against_a_date_field_compares_as_its_instant() {
        let p = plan_of(DataParams {
            filter: Some("'day' >= \"2014-08-01T00:00:00.000Z\"".into()),
            ..Default::default()
        })
        .unwrap();
        assert!(
            p.sql.contains("WHERE (\"Order Date\" || 'T00:00:00') >= ?"),
            "{}",
            p.sql
        );
        assert_eq!(p.params[0], SqlValue::Text("2014-08-01T00:00:00".into()));
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
                    filter: Some("region last 3 months".into()),
                    ..Default::default()
                },
                "need a DATE or DATETIME field",
            ),
            (
                DataParams {
                    fields: Some("region,units".into()),
                    groupby: Some("region".into()),
                    orderby: Some("units descending".into()),
                    ..Default::default()
                },
                "you cannot order on an aggregation",
            ),
            (
                DataParams {
                    sum: Some("units".into()),
                    orderby: Some("'units'".into()),
                    ..Default::default()
                },
                "you cannot order on an aggregation",
            ),
            (
                DataParams {
                    fields: Some("region,sum(units)".into()),
                    groupby: Some("region".into()),
                    orderby: Some("sum(units)".into()),
                    ..Default::default()
                },
                "you cannot order on an aggregation",
            ),
            (
                DataParams {
                    fields: Some("region,units".into()),
                    groupby: Some("region".into()),
                    use_beast_mode: Some("true".into()),
                    ..Default::default()
                },
                "with useBeastMode=true there is no default aggregation",
            ),
            (
                DataParams {
                    use_beast_mode: Some("maybe".into()),
                    ..Default::default()
                },
                "useBeastMode must be true or false",
            ),
            (
                DataParams {
                    dategrain: Some("region by month".into()),
                    ..Default::default()
                },
                "needs a DATE or DATETIME field",
            ),
            (
                DataParams {
                    dategrain: Some("day by fortnight".into()),
                    ..Default::default()
                },
                "expected `field by day|week|month|quarter|year`",
            ),
            (
                DataParams {
                    dategrain: Some("day by month".into()),
                    groupby: Some("day".into()),
                    ..Default::default()
                },
                "leave it out of groupby",
            ),
            (
                DataParams {
                    dategrain: Some("day by month".into()),
                    max: Some("day".into()),
                    ..Default::default()
                },
                "cannot also be aggregated",
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
                "order by a groupby field or the dategrain",
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
                    calendar: Some("lunar".into()),
                    ..Default::default()
                },
                "calendar must be standard or fiscal",
            ),
        ] {
            let e = plan_of(q).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Invalid);
            assert!(e.message.contains(needle), "{needle}: {}", e.message);
        }
    }

    /// The grain SQL, run by SQLite over stored DATE and DATETIME text.
    #[test]
    fn grain_sql_buckets_in_sqlite() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let bucket = |value: &str, unit: Unit, ys: u32| -> rusqlite::types::Value {
            let sql = format!("SELECT {} FROM (SELECT ?1 AS d)", grain_sql("d", unit, ys));
            conn.query_row(&sql, [value], |r| r.get(0)).unwrap()
        };
        use rusqlite::types::Value::{Integer, Text};
        for (value, unit, ys, want) in [
            ("2024-05-15", Unit::Day, 1, Text("2024-05-15".into())),
            (
                "2024-05-15T23:10:00",
                Unit::Day,
                1,
                Text("2024-05-15".into()),
            ),
            ("2024-05-15", Unit::Week, 1, Text("2024-05-12".into())),
            (
                "2024-05-12T01:00:00",
                Unit::Week,
                1,
                Text("2024-05-12".into()),
            ),
            ("2024-05-15", Unit::Month, 1, Text("2024-05-01".into())),
            ("2024-05-15", Unit::Quarter, 1, Text("2024-04-01".into())),
            ("2024-03-31", Unit::Quarter, 1, Text("2024-01-01".into())),
            ("2024-05-15", Unit::Quarter, 2, Text("2024-05-01".into())),
            ("2024-01-15", Unit::Quarter, 2, Text("2023-11-01".into())),
            ("2024-05-15", Unit::Quarter, 7, Text("2024-04-01".into())),
            ("2024-05-15", Unit::Year, 1, Integer(2024)),
            ("2024-05-15", Unit::Year, 7, Integer(2024)),
            ("2024-07-01", Unit::Year, 7, Integer(2025)),
            ("2024-06-30T23:59:59", Unit::Year, 7, Integer(2024)),
        ] {
            assert_eq!(
                bucket(value, unit, ys),
                want,
                "{value} by {unit:?} from {ys}"
            );
        }
    }
}
