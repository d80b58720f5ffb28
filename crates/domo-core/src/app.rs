//! Inside a Domo custom app: datasets are reached through the aliases the
//! app's `manifest.json` maps, on paths relative to the app's own origin:
//! the Data API (`/data/v1/{alias}`), the SQL API (`/sql/v1/{alias}`), and
//! the services that say who is looking (`/domo/environment/v1`,
//! `/domo/users/v1`). AppDB is [`crate::appdb`]. Domo's product API
//! (`/api/...`) is for backend services: a client on an app session is
//! refused it before anything is sent ([`in_app_only`]).

use std::borrow::Cow;

use domo_model::app::{AppUser, Environment};
use domo_model::query::QueryResult;

use crate::args::{Arg, ArgType};
pub use crate::condition::condition_text;
use crate::condition::quoted;
use crate::error::Error;
use crate::spec::{BodyShape, Check, Fixup, Kind, ReplyShape};

/// One row of the Data API's default format: field name to value.
pub type Row = serde_json::Map<String, serde_json::Value>;

/// The media type of the Data API's Excel format (the reply is the `.xlsx`
/// file in base64).
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

declare! {
    /// `GET /data/v1/{alias}`: the dataset mapped to `alias`, shaped by the
    /// Data API's query keys, in the format asked for (`Accept`). Names
    /// are field aliases, or column names where the manifest lists no
    /// fields; a name may be quoted (`'Unit Price'`). Lists travel
    /// comma-separated (`filter=Units > 10,Region == "East"`). A key the
    /// endpoint does not know is refused, named.
    AppData => custom AppDataReply = parse_app_data {
        GET "/data/v1/{alias}";
        query: "fields={fields}&filter={filter}&groupby={groupBy}&sum={sum}&avg={avg}\
                &count={count}&min={min}&max={max}&unique={unique}&dategrain={dateGrain}\
                &calendar={calendar}&orderby={orderBy}&limit={limit}&offset={offset}\
                &useBeastMode={useBeastMode}",
        accept: "{format}",
        text_accepts: &["text/csv", XLSX],
        reply: ReplyShape::Json(&[Fixup::RowsOrTable]),
        checks: &[Check::OnlyArguments],
        js: js![appData(alias, ...)],
    } fields {
        /// The dataset's alias in the app's manifest.
        arg alias "alias": String,
        /// The fields to return, in order (default: every mapped field).
        arg fields "fields": Vec<String>,
        /// Conditions a row must all meet: text in the Data API's grammar
        /// (`Units > 5`, `Region in ["East","West"]`, `Order Date last 30 days`)
        /// or conditions as objects.
        arg filter "filter": Filter,
        /// Fields to group by; other returned fields are summed (numbers)
        /// or counted (text), as Domo does.
        arg group_by "groupBy": Vec<String>,
        /// Fields to sum.
        arg sum "sum": Vec<String>,
        /// Fields to average.
        arg avg "avg": Vec<String>,
        /// Fields whose non-null values to count.
        arg count "count": Vec<String>,
        /// Fields whose smallest value to return.
        arg min "min": Vec<String>,
        /// Fields whose largest value to return.
        arg max "max": Vec<String>,
        /// Fields whose distinct values to count.
        arg unique "unique": Vec<String>,
        /// Group by periods of a date field: `Order Date by month` (day,
        /// week, month, quarter or year). The periods come back as
        /// `CalendarMonth` (`Date`, `CalendarWeek`, `CalendarQuarter`,
        /// `Year`), not under the field's name.
        arg date_grain "dateGrain": Option<DateGrain>,
        /// The calendar of `dateGrain`, `todate` and `last`: standard (the
        /// default) or the instance's fiscal calendar.
        arg calendar "calendar": Option<Calendar>,
        /// `Units descending`, `Region` (ascending); when grouping, only by
        /// a grouped field or the date grain.
        arg order_by "orderBy": Vec<String>,
        /// Rows at most.
        arg limit "limit": Option<u64>,
        /// Rows to skip.
        arg offset "offset": Option<u64>,
        /// Use the card's beast-mode fields; grouping then needs every
        /// returned field grouped or aggregated.
        arg use_beast_mode "useBeastMode": Option<bool>,
        /// The reply's format: rows as objects (the default), the
        /// `{columns, rows, metadata, ...}` table, CSV text, or an Excel
        /// file as base64 text.
        arg format "format": AppFormat = "objects",
    }

    /// `POST /sql/v1/{alias}` with the SQL as a `text/plain` body. The
    /// result is the same envelope as the product query API (both forms
    /// decode). A query reads; sending it twice is harmless.
    AppSql => custom QueryResult = crate::query::parse_result {
        POST "/sql/v1/{alias}";
        body: BodyShape::Text("sql"),
        idempotent: true,
        checks: &[Check::NotBlank("sql", "the SQL query is empty")],
        reply: ReplyShape::Json(&[Fixup::QueryEnvelope]),
        js: js![appSql(alias, sql)],
    } fields {
        /// The dataset's alias in the app's manifest.
        arg alias "alias": String,
        /// The SQL; the dataset is named by its alias.
        arg sql "sql": String,
    }

    /// `GET /domo/environment/v1`: who is looking at the app, as Domo
    /// knows it (the page's query string, which ryuu.js reads as
    /// `domo.env`, can be changed by the viewer).
    GetEnvironment => json Environment {
        GET "/domo/environment/v1";
        js: js![environment()],
    } fields {}

    /// `GET /domo/users/v1`: the instance's users, with their details
    /// unless `includeDetails` is false.
    ListAppUsers => json Vec<AppUser> {
        GET "/domo/users/v1";
        query: "includeDetails={includeDetails}&limit={limit}&offset={offset}",
        reply: ReplyShape::Json(&[Fixup::ArrayOfObjects]),
        checks: &[Check::OnlyArguments],
        js: js![users(...)],
    } fields {
        /// Each user's email, title and phone (`detail`); default true.
        arg include_details "includeDetails": bool = "true",
        /// Users at most.
        arg limit "limit": Option<u64>,
        /// Users to skip.
        arg offset "offset": Option<u64>,
    }
}

/// What the Data API answered, in the format asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum AppDataReply {
    /// Rows as objects (`"objects"`, the default).
    Rows(Vec<Row>),
    /// The `{columns, rows, metadata, ...}` table (`"arrays"`).
    Table(QueryResult),
    /// CSV text (`"csv"`), or the `.xlsx` file as base64 text (`"excel"`).
    Text(String),
}

#[cfg(feature = "typed")]
fn parse_app_data(
    e: &AppData,
    reply: crate::endpoint::Reply,
    sent: &crate::request::Prepared,
) -> Result<AppDataReply, Error> {
    Ok(match e.format {
        AppFormat::Objects => {
            AppDataReply::Rows(crate::endpoint::decode(&AppData::SPEC, &reply, sent)?)
        }
        // Through the reply steps: the table's `fromcache` is text.
        AppFormat::Arrays => {
            AppDataReply::Table(crate::endpoint::decode(&AppData::SPEC, &reply, sent)?)
        }
        AppFormat::Csv | AppFormat::Excel => AppDataReply::Text(
            String::from_utf8_lossy(&crate::endpoint::text_body(reply)).into_owned(),
        ),
    })
}

impl AppData {
    /// Every row of the dataset mapped to `alias`, as objects.
    pub fn new(alias: impl Into<String>) -> AppData {
        AppData {
            alias: alias.into(),
            fields: Vec::new(),
            filter: Filter::default(),
            group_by: Vec::new(),
            sum: Vec::new(),
            avg: Vec::new(),
            count: Vec::new(),
            min: Vec::new(),
            max: Vec::new(),
            unique: Vec::new(),
            date_grain: None,
            calendar: None,
            order_by: Vec::new(),
            limit: None,
            offset: None,
            use_beast_mode: None,
            format: AppFormat::Objects,
        }
    }
}

/// The format of a Data API reply, sent as `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AppFormat {
    /// `application/array-of-objects`: rows as objects (the default).
    #[default]
    Objects,
    /// `application/json`: the `{columns, rows, metadata, ...}` table
    /// (ryuu.js calls it array-of-arrays).
    Arrays,
    /// `text/csv`.
    Csv,
    /// The `.xlsx` file, as base64 text.
    Excel,
}

impl AppFormat {
    /// The name the browser package and ryuu.js give it.
    pub fn as_str(self) -> &'static str {
        match self {
            AppFormat::Objects => "objects",
            AppFormat::Arrays => "arrays",
            AppFormat::Csv => "csv",
            AppFormat::Excel => "excel",
        }
    }
}

impl ArgType for AppFormat {
    const KIND: Kind = Kind::Choice(&[
        ("objects", Some("application/array-of-objects")),
        ("arrays", Some("application/json")),
        ("csv", Some("text/csv")),
        ("excel", Some(XLSX)),
    ]);
    const TS: &'static str = r#""objects" | "arrays" | "csv" | "excel""#;
    fn arg(&self) -> Arg<'_> {
        Arg::Text(self.as_str().into())
    }
}

/// Which calendar periods follow: the standard one, or the instance's
/// fiscal calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Calendar {
    /// January to December.
    Standard,
    /// The instance's fiscal year.
    Fiscal,
}

impl ArgType for Calendar {
    const KIND: Kind = Kind::Choice(&[("standard", Some("standard")), ("fiscal", Some("fiscal"))]);
    const TS: &'static str = r#""standard" | "fiscal""#;
    fn arg(&self) -> Arg<'_> {
        Arg::Text(Cow::Borrowed(match self {
            Calendar::Standard => "standard",
            Calendar::Fiscal => "fiscal",
        }))
    }
}

/// A calendar period: a date grain, the period of `todate` and `last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Period {
    /// A day.
    Day,
    /// A week (from Sunday).
    Week,
    /// A month.
    Month,
    /// A quarter.
    Quarter,
    /// A year.
    Year,
}

impl Period {
    /// `month`; with `plural`, `months`.
    pub fn word(self, plural: bool) -> &'static str {
        let (one, many) = match self {
            Period::Day => ("day", "days"),
            Period::Week => ("week", "weeks"),
            Period::Month => ("month", "months"),
            Period::Quarter => ("quarter", "quarters"),
            Period::Year => ("year", "years"),
        };
        if plural { many } else { one }
    }
}

/// A `dategrain`: a date field and the period its rows are grouped by,
/// as text (`'Order Date' by month`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateGrain(String);

impl DateGrain {
    /// Group `field`'s values by `period`.
    pub fn new(field: &str, period: Period) -> Result<DateGrain, Error> {
        Ok(DateGrain(format!(
            "{} by {}",
            quoted(field, '\'').map_err(Error::invalid_input)?,
            period.word(false)
        )))
    }

    /// The grain as the Data API's text (`Order Date by month`).
    pub fn text(text: impl Into<String>) -> DateGrain {
        DateGrain(text.into())
    }
}

impl ArgType for DateGrain {
    const KIND: Kind = Kind::Str;
    const TS: &'static str = "AppDateGrain";
    fn arg(&self) -> Arg<'_> {
        Arg::Text(Cow::Borrowed(&self.0))
    }
}

/// The conditions of a Data API filter, as the filter grammar's text;
/// every one must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter(Vec<String>);

impl Filter {
    /// No conditions.
    pub fn new() -> Filter {
        Filter::default()
    }

    /// Add a condition in the filter grammar (`Units > 5`).
    pub fn text(mut self, condition: impl Into<String>) -> Filter {
        self.0.push(condition.into());
        self
    }

    /// Add a condition built in Rust ([`Condition`]); an error when it
    /// cannot be written in the filter grammar.
    #[cfg(feature = "typed")]
    pub fn condition(mut self, condition: &Condition) -> Result<Filter, Error> {
        self.0.push(condition.text()?);
        Ok(self)
    }

    /// The conditions, as text.
    pub fn conditions(&self) -> &[String] {
        &self.0
    }
}

impl ArgType for Filter {
    const KIND: Kind = Kind::Conditions;
    const OPTIONAL: bool = true;
    const TS: &'static str = "AppFilter";
    fn arg(&self) -> Arg<'_> {
        Arg::List(self.0.iter().map(|s| Cow::Borrowed(s.as_str())).collect())
    }
}

/// A Data API condition built in Rust, written as [`condition_text`]
/// writes the same object from JavaScript.
#[cfg(feature = "typed")]
#[derive(Debug, Clone, PartialEq)]
pub struct Condition(serde_json::Value);

#[cfg(feature = "typed")]
impl Condition {
    fn with(field: &str, op: &str, key: &str, value: serde_json::Value) -> Condition {
        let mut c = serde_json::json!({"field": field, "op": op});
        c[key] = value;
        Condition(c)
    }

    /// `field op value`, `op` one of `==`, `!=`, `<`, `<=`, `>`, `>=`,
    /// `contains`, `!contains`.
    pub fn compare(field: &str, op: &str, value: impl Into<serde_json::Value>) -> Condition {
        Condition::with(field, op, "value", value.into())
    }

    /// `field in [values]`.
    pub fn is_in<V: Into<serde_json::Value>>(
        field: &str,
        values: impl IntoIterator<Item = V>,
    ) -> Condition {
        let values = values.into_iter().map(Into::into).collect();
        Condition::with(field, "in", "values", serde_json::Value::Array(values))
    }

    /// `field !in [values]`.
    pub fn not_in<V: Into<serde_json::Value>>(
        field: &str,
        values: impl IntoIterator<Item = V>,
    ) -> Condition {
        let values = values.into_iter().map(Into::into).collect();
        Condition::with(field, "!in", "values", serde_json::Value::Array(values))
    }

    /// `field is null`.
    pub fn is_null(field: &str) -> Condition {
        Condition(serde_json::json!({"field": field, "op": "is null"}))
    }

    /// `field !is null`.
    pub fn not_null(field: &str) -> Condition {
        Condition(serde_json::json!({"field": field, "op": "!is null"}))
    }

    /// `field todate month`: from the start of the current period to now.
    pub fn to_date(field: &str, period: Period) -> Condition {
        Condition::with(field, "todate", "period", period.word(false).into())
    }

    /// `field last month`: the previous whole period.
    pub fn previous(field: &str, period: Period) -> Condition {
        Condition::with(field, "last", "period", period.word(false).into())
    }

    /// `field last 30 days`: the last `count` periods up to now.
    pub fn last(field: &str, count: u32, period: Period) -> Condition {
        let mut c = Condition::with(field, "last", "period", period.word(true).into());
        c.0["count"] = count.into();
        c
    }

    /// The condition in the filter grammar.
    pub fn text(&self) -> Result<String, Error> {
        condition_text(&self.0).map_err(|e| Error::invalid_input(format!("filter: {e}")))
    }
}

pub use crate::request::{in_app_only, is_app_path};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::{Endpoint, Reply};
    use crate::{BaseUrl, Config, Credentials, ErrorKind, Method};
    use serde_json::json;

    fn in_app() -> Config {
        Config::new(
            BaseUrl::relative(),
            Credentials::RyuuSession(crate::Secret::new("sid-1")),
        )
    }

    #[test]
    fn app_data_sends_every_key_of_the_data_api() {
        let e = AppData {
            fields: vec!["region".into(), "amount".into()],
            filter: Filter::new()
                .text("amount > 10")
                .text(Condition::compare("region", "==", "East").text().unwrap()),
            group_by: vec!["region".into()],
            sum: vec!["amount".into()],
            avg: vec!["price".into()],
            count: vec!["id".into()],
            min: vec!["day".into()],
            max: vec!["day".into()],
            unique: vec!["customer".into()],
            date_grain: Some(DateGrain::new("Order Date", Period::Month).unwrap()),
            calendar: Some(Calendar::Fiscal),
            order_by: vec!["region descending".into()],
            limit: Some(50),
            offset: Some(100),
            use_beast_mode: Some(true),
            ..AppData::new("sales")
        };
        let p = in_app().prepare(&e).unwrap();
        assert_eq!(p.label.method, Method::Get);
        assert_eq!(p.label.path, "/data/v1/sales");
        assert_eq!(
            p.uri,
            "/data/v1/sales?fields=region%2Camount&filter=amount%20%3E%2010%2C%27region%27%20%3D%3D%20%22East%22\
             &groupby=region&sum=amount&avg=price&count=id&min=day&max=day&unique=customer\
             &dategrain=%27Order%20Date%27%20by%20month&calendar=fiscal&orderby=region%20descending\
             &limit=50&offset=100&useBeastMode=true"
        );
        assert_eq!(p.header("accept").unwrap(), "application/array-of-objects");
        assert_eq!(p.header("x-domo-ryuu-session").unwrap(), "sid-1");
        assert!(p.header("content-type").is_none());
        assert!(p.body.is_empty());
        assert!(p.idempotent);
    }

    #[test]
    fn app_data_without_keys_has_no_query_string() {
        let e = AppData::new("sales");
        assert_eq!(in_app().prepare(&e).unwrap().uri, "/data/v1/sales");
    }

    #[test]
    fn each_format_is_asked_for_and_read() {
        let table = r#"{"columns":["region","n"],"rows":[["East",2]],"numRows":1,"numColumns":2,"fromcache":"false",
                        "metadata":[{"dataSourceId":"x","type":"STRING"},{"dataSourceId":"x","type":"LONG"}]}"#;
        let cases: [(AppFormat, &str, &str); 4] = [
            (
                AppFormat::Objects,
                "application/array-of-objects",
                r#"[{"region":"East","amount":10.5},{"region":"West","amount":null}]"#,
            ),
            (AppFormat::Arrays, "application/json", table),
            (AppFormat::Csv, "text/csv", "\u{feff}region,n\nEast,2\n"),
            (AppFormat::Excel, XLSX, "UEsDBBQ="),
        ];
        for (format, accept, body) in cases {
            let e = AppData {
                format,
                ..AppData::new("sales")
            };
            let p = in_app().prepare(&e).unwrap();
            assert_eq!(p.header("accept").unwrap(), accept);
            assert_eq!(
                AppData::SPEC.reply_to(Some(accept)) == ReplyShape::Text,
                matches!(format, AppFormat::Csv | AppFormat::Excel)
            );
            let reply = Reply::new(200, body.as_bytes().to_vec());
            match (format, e.handle(&p, reply).unwrap()) {
                (AppFormat::Objects, AppDataReply::Rows(rows)) => {
                    assert_eq!(rows[0]["region"], "East");
                    assert!(rows[1]["amount"].is_null());
                }
                (AppFormat::Arrays, AppDataReply::Table(t)) => {
                    assert_eq!(t.columns, ["region", "n"]);
                    assert_eq!(t.fromcache, Some(false));
                    assert_eq!(t.rows[0][1], 2);
                }
                (AppFormat::Csv, AppDataReply::Text(t)) => assert_eq!(t, "region,n\nEast,2\n"),
                (AppFormat::Excel, AppDataReply::Text(t)) => assert_eq!(t, "UEsDBBQ="),
                (f, other) => panic!("{f:?} read as {other:?}"),
            }
        }
        // Rows that are not objects are no reply to the default format.
        let e = AppData::new("sales");
        let p = in_app().prepare(&e).unwrap();
        let bad = Reply::new(200, &b"[[1]]"[..]);
        assert_eq!(e.handle(&p, bad).unwrap_err().kind(), ErrorKind::Decode);
    }

    #[test]
    fn conditions_as_objects_are_written_in_the_filter_grammar() {
        let ok = [
            (
                json!({"field": "Units", "op": ">", "value": 5}),
                "'Units' > 5",
            ),
            (
                json!({"field": "Region", "op": "==", "value": "East"}),
                r#"'Region' == "East""#,
            ),
            (
                json!({"field": "Unit Price", "op": "<=", "value": 2.5}),
                "'Unit Price' <= 2.5",
            ),
            (
                json!({"field": "Note", "op": "contains", "value": "say \"hi\""}),
                r#"'Note' contains 'say "hi"'"#,
            ),
            (
                json!({"field": "it's", "op": "!=", "value": "x"}),
                r#""it's" != "x""#,
            ),
            (
                json!({"field": "Region", "op": "in", "values": ["East", "West"]}),
                r#"'Region' in ["East","West"]"#,
            ),
            (
                json!({"field": "Units", "op": "!in", "values": [1, 2]}),
                "'Units' !in [1,2]",
            ),
            (
                json!({"field": "Region", "op": "is null"}),
                "'Region' is null",
            ),
            (
                json!({"field": "Region", "op": "!is null"}),
                "'Region' !is null",
            ),
            (
                json!({"field": "Order Date", "op": "todate", "period": "quarter"}),
                "'Order Date' todate quarter",
            ),
            (
                json!({"field": "Order Date", "op": "last", "period": "month"}),
                "'Order Date' last month",
            ),
            (
                json!({"field": "Order Date", "op": "last", "period": "days", "count": 30}),
                "'Order Date' last 30 days",
            ),
            (
                json!({"field": "Day", "op": ">=", "value": "2014-08-01T00:00:00.000Z"}),
                r#"'Day' >= "2014-08-01T00:00:00.000Z""#,
            ),
        ];
        for (c, text) in ok {
            assert_eq!(condition_text(&c).unwrap(), text, "{c}");
        }
        let bad = [
            (
                json!({"field": "a", "op": "=~", "value": 1}),
                "unknown operator \"=~\"",
            ),
            (json!({"field": "a", "op": "==", "value": null}), "is null"),
            (
                json!({"field": "a", "op": "==", "value": [1]}),
                "a string, a number or a date",
            ),
            (
                json!({"field": "a", "op": "in", "values": []}),
                "at least one",
            ),
            (json!({"field": " ", "op": "is null"}), "`field`"),
            (json!({"field": "a", "op": "todate"}), "`period`"),
            (
                json!({"field": "a", "op": "todate", "period": "month; drop"}),
                "`period`",
            ),
            (
                json!({"field": "a", "op": "last", "period": "days", "count": -1}),
                "`count`",
            ),
            (
                json!({"field": "a", "op": "==", "value": "'\"`"}),
                "every quote",
            ),
            (
                json!({"column": "a", "op": "is null"}),
                "unknown key `column`",
            ),
        ];
        for (c, wanted) in bad {
            let e = condition_text(&c).unwrap_err();
            assert!(e.contains(wanted), "{c}: {e}");
        }
        assert_eq!(
            Condition::last("Order Date", 7, Period::Day)
                .text()
                .unwrap(),
            "'Order Date' last 7 days"
        );
        assert_eq!(
            Condition::is_in("Units", [1, 2]).text().unwrap(),
            "'Units' in [1,2]"
        );
        assert!(DateGrain::new("'\"`", Period::Day).is_err());
    }

    #[test]
    fn app_sql_posts_plain_text() {
        let e = AppSql {
            alias: "sales".into(),
            sql: "SELECT region, SUM(amount) FROM sales GROUP BY region".into(),
        };
        let p = in_app().prepare(&e).unwrap();
        assert_eq!(p.label.method, Method::Post);
        assert_eq!(p.uri, "/sql/v1/sales");
        assert_eq!(p.header("content-type").unwrap(), "text/plain");
        assert_eq!(p.header("accept").unwrap(), "application/json");
        assert_eq!(
            &p.body[..],
            b"SELECT region, SUM(amount) FROM sales GROUP BY region"
        );
        assert!(p.idempotent);
        let resp = Reply::new(
            200,
            &br#"{"columns":["region","n"],"rows":[["East",2]],"numRows":1,"numColumns":2}"#[..],
        );
        let r = e.handle(&p, resp).unwrap();
        assert_eq!(r.columns, ["region", "n"]);
        assert_eq!(r.rows[0][1], 2);
    }

    #[test]
    fn aliases_are_validated_and_encoded_and_empty_sql_is_refused() {
        let e = AppSql {
            alias: "../api".into(),
            sql: "SELECT 1".into(),
        };
        assert_eq!(in_app().prepare(&e).unwrap().uri, "/sql/v1/..%2Fapi");
        for alias in ["", "..", "a\nb"] {
            let e = AppData::new(alias);
            let err = in_app().prepare(&e).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{alias:?}");
            assert!(err.to_string().contains("alias"), "{err}");
        }
        let e = AppSql {
            alias: "sales".into(),
            sql: "  ".into(),
        };
        assert_eq!(
            in_app().prepare(&e).unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
    }

    #[test]
    fn the_older_ryuu_token_header_is_supported() {
        let c = Config::new(
            BaseUrl::relative(),
            Credentials::RyuuToken(crate::Secret::new("tok-9")),
        );
        let e = AppData::new("sales");
        let p = c.prepare(&e).unwrap();
        assert_eq!(p.header("x-domo-ryuu-token").unwrap(), "tok-9");
        assert!(p.header("x-domo-ryuu-session").is_none());
    }

    #[test]
    fn an_app_session_is_refused_the_product_api_before_sending() {
        let get = crate::datasets::GetDataset::new("abc");
        for config in [
            in_app(),
            Config::new(
                BaseUrl::parse("http://127.0.0.1:1").unwrap(),
                Credentials::RyuuToken(crate::Secret::new("t")),
            ),
            // A page's own origin, the session in its cookie.
            Config::new(BaseUrl::relative(), Credentials::None),
        ] {
            let e = config.prepare(&get).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput);
            let text = e.to_string();
            assert!(
                text.contains("GetDataset (GET /api/data/v3/datasources/{datasetId})"),
                "{text}"
            );
            assert!(
                text.contains("backend services") && text.contains("appData"),
                "{text}"
            );
        }
        // The in-app APIs stay open, and other credentials reach everything.
        assert!(in_app().prepare(&GetEnvironment).is_ok());
        let product = Config::new(
            BaseUrl::parse("http://127.0.0.1:1").unwrap(),
            Credentials::developer_token("t"),
        );
        assert!(product.prepare(&get).is_ok());
        assert!(product.prepare(&AppData::new("sales")).is_ok());
    }
}
