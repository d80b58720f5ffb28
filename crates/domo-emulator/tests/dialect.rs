//! Domo's SQL (MySQL-flavoured) through `POST /api/query/v1/execute/{id}`:
//! each dialect function against a fixture dataset, with the answers a
//! MySQL user expects. DATETIME values come back as the emulator writes
//! them (`2024-03-05T14:07:09`); MySQL would print a space for the `T`.

mod common;

use common::{Client, start, start_default};
use domo_emulator::{EmulatorConfig, ManualClock};
use serde_json::{Value, json};

/// Four sales, one of them mostly empty.
async fn sales(c: &Client) -> String {
    let (ds, _) = c
        .create_dataset(
            "Sales",
            &[
                ("region", "STRING"),
                ("units", "LONG"),
                ("Sales Amount", "DECIMAL"),
                ("day", "DATE"),
                ("at", "DATETIME"),
            ],
        )
        .await;
    c.upload(
        &ds,
        &[concat!(
            "north,3,10.25,2023-12-31,2023-12-31T23:59:59\n",
            "south,5,5.50,2024-02-29,2024-02-29T08:30:00\n",
            "north,2,100.10,2024-03-05,2024-03-05T14:07:09\n",
            "east,,,,\n",
        )],
        "APPEND",
    )
    .await;
    ds
}

async fn rows(c: &Client, ds: &str, sql: &str) -> Value {
    c.sql(ds, sql).await.ok_json()["rows"].clone()
}

/// The single row of `sql`.
async fn row(c: &Client, ds: &str, sql: &str) -> Value {
    let r = rows(c, ds, sql).await;
    assert_eq!(r.as_array().map(Vec::len), Some(1), "{sql}: {r}");
    r[0].clone()
}

#[tokio::test]
async fn backquoted_names_table_and_limit_offset_count() {
    let (_emu, c) = start_default().await;
    let ds = sales(&c).await;
    assert_eq!(
        rows(
            &c,
            &ds,
            "SELECT `region`, `Sales Amount` FROM `table` WHERE `Sales Amount` > 6 ORDER BY `Sales Amount` DESC"
        )
        .await,
        json!([["north", 100.1], ["north", 10.25]])
    );
    assert_eq!(
        rows(
            &c,
            &ds,
            "SELECT t.`Sales Amount` AS `the amount` FROM table AS t WHERE t.units = 5"
        )
        .await,
        json!([[5.5]])
    );

    let (ids, _) = c.create_dataset("Ids", &[("id", "LONG")]).await;
    let csv: String = (1..=40).map(|i| format!("{i}\n")).collect();
    c.upload(&ids, &[&csv], "APPEND").await;
    let want: Vec<Value> = (11..=30).map(|i| json!([i])).collect();
    // MySQL's LIMIT offset, count: skip 10, take 20.
    assert_eq!(
        rows(&c, &ids, "SELECT id FROM table ORDER BY id LIMIT 10, 20").await,
        json!(want)
    );
    assert_eq!(
        rows(&c, &ids, "SELECT id FROM table ORDER BY id LIMIT 38, 20").await,
        json!([[39], [40]])
    );
}

#[tokio::test]
async fn date_parts_and_date_format() {
    let (_emu, c) = start_default().await;
    let ds = sales(&c).await;
    // 2024-03-05 was a Tuesday (DAYOFWEEK: 1 = Sunday).
    assert_eq!(
        row(
            &c,
            &ds,
            "SELECT YEAR(day), MONTH(day), DAY(day), QUARTER(day), DAYOFWEEK(day), HOUR(at), MINUTE(at), SECOND(at) FROM table WHERE units = 2"
        )
        .await,
        json!([2024, 3, 5, 1, 3, 14, 7, 9])
    );
    assert_eq!(
        row(
            &c,
            &ds,
            "SELECT QUARTER(day), DAYOFWEEK(day), EXTRACT(YEAR FROM at), HOUR(at), MINUTE(at) FROM table WHERE units = 3"
        )
        .await,
        json!([4, 1, 2023, 23, 59])
    );
    assert_eq!(
        row(
            &c,
            &ds,
            "SELECT DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s'), DATE_FORMAT(day, '%b %M %W'), DATE_FORMAT(at, '%d/%m/%Y at %H:%i') FROM table WHERE units = 2"
        )
        .await,
        json!(["2024-03-05 14:07:09", "Mar March Tuesday", "05/03/2024 at 14:07"])
    );
    assert_eq!(
        row(
            &c,
            &ds,
            "SELECT DATE_FORMAT('2024-02-29 08:30:00', '%W %M %Y'), DATE_FORMAT(day, '%Y') FROM table WHERE region = 'east'"
        )
        .await,
        json!(["Thursday February 2024", null])
    );
    // Not a date: NULL, as MySQL gives.
    assert_eq!(
        row(&c, &ds, "SELECT YEAR('soon'), MONTH(NULL)").await,
        json!([null, null])
    );
}

#[tokio::test]
async fn date_arithmetic_and_today() {
    // 2024-02-29T23:59:59.750Z
    let clock = ManualClock::at(1_709_251_199_750);
    let (_emu, c) = start(EmulatorConfig {
        clock: clock.clock(),
        ..EmulatorConfig::ephemeral()
    })
    .await;
    let ds = sales(&c).await;
    assert_eq!(
        row(
            &c,
            &ds,
            "SELECT DATE_ADD(day, INTERVAL 1 DAY), DATE_ADD(day, INTERVAL 1 MONTH), DATE_SUB(day, INTERVAL 1 YEAR), DATE_ADD(day, INTERVAL 2 WEEK) FROM table WHERE units = 5"
        )
        .await,
        // From 2024-02-29: a month later is 2024-03-29, a year earlier the last day of February 2023.
        json!(["2024-03-01", "2024-03-29", "2023-02-28", "2024-03-14"])
    );
    assert_eq!(
        row(
            &c,
            &ds,
            "SELECT DATE_ADD(at, INTERVAL 1 SECOND), DATE_SUB(at, INTERVAL 30 MINUTE), DATE_ADD(at, INTERVAL 1 HOUR), DATE_ADD(day, INTERVAL 1 HOUR) FROM table WHERE units = 3"
        )
        .await,
        // A time unit makes a DATE a DATETIME.
        json!([
            "2024-01-01T00:00:00",
            "2023-12-31T23:29:59",
            "2024-01-01T00:59:59",
            "2023-12-31T01:00:00"
        ])
    );
    assert_eq!(
        row(
            &c,
            &ds,
            "SELECT DATE_ADD('2024-01-31', INTERVAL 1 MONTH), day + INTERVAL 1 DAY, day - INTERVAL '2' DAY, DATE_SUB(at, INTERVAL 1 DAY) FROM table WHERE units = 2"
        )
        .await,
        json!(["2024-02-29", "2024-03-06", "2024-03-03", "2024-03-04T14:07:09"])
    );
    assert_eq!(
        row(
            &c,
            &ds,
            "SELECT DATEDIFF(day, '2024-01-01'), DATEDIFF('2024-03-01', '2024-02-01'), DATEDIFF(at, '2024-03-06 00:00:01') FROM table WHERE units = 2"
        )
        .await,
        json!([64, 29, -1])
    );

    // Past year 9999 (or before year 0) MySQL answers NULL.
    assert_eq!(
        row(
            &c,
            &ds,
            "SELECT DATE_ADD(day, INTERVAL 8000 YEAR), DATE_SUB(day, INTERVAL 9223372036854775807 DAY) FROM table WHERE units = 2"
        )
        .await,
        json!([null, null])
    );

    // CURDATE() and NOW(): the emulator's clock (UTC), one value per
    // statement; here a manual clock standing at 2024-02-29T23:59:59.750Z.
    let r = row(
        &c,
        &ds,
        "SELECT CURDATE(), NOW(), COUNT(DISTINCT NOW()), DATEDIFF(CURDATE(), '2024-01-01'), DATE_ADD(NOW(), INTERVAL 1 SECOND) FROM table",
    )
    .await;
    assert_eq!(
        r,
        json!([
            "2024-02-29",
            "2024-02-29T23:59:59",
            1,
            59,
            "2024-03-01T00:00:00"
        ])
    );
    clock.advance(std::time::Duration::from_millis(250));
    assert_eq!(
        row(&c, &ds, "SELECT CURRENT_DATE, CURRENT_TIMESTAMP, SYSDATE()").await,
        json!(["2024-03-01", "2024-03-01T00:00:00", "2024-03-01T00:00:00"])
    );
    // The time and the epoch seconds read the same clock.
    clock.advance(std::time::Duration::from_secs(3_723));
    assert_eq!(
        row(
            &c,
            &ds,
            "SELECT CURTIME(), CURRENT_TIME, UNIX_TIMESTAMP(), TIMESTAMPDIFF(HOUR, '2024-02-29', NOW())"
        )
        .await,
        json!(["01:02:03", "01:02:03", 1_709_254_923, 25])
    );
}

#[tokio::test]
async fn strings_numbers_and_casts() {
    let (_emu, c) = start_default().await;
    let ds = sales(&c).await;
    assert_eq!(
        rows(
            &c,
            &ds,
            "SELECT CONCAT(region, '-', units), CONCAT_WS('/', region, units, 'x'), IFNULL(units, 0), UCASE(region), LCASE('MiXeD') FROM table ORDER BY region, units"
        )
        .await,
        // CONCAT is NULL once any argument is; CONCAT_WS skips NULLs.
        json!([
            [null, "east/x", 0, "EAST", "mixed"],
            ["north-2", "north/2/x", 2, "NORTH", "mixed"],
            ["north-3", "north/3/x", 3, "NORTH", "mixed"],
            ["south-5", "south/5/x", 5, "SOUTH", "mixed"]
        ])
    );
    // A column without an alias is named as written, as MySQL names it,
    // whatever the emulator runs in its place.
    let v = c
        .sql(
            &ds,
            "SELECT CONCAT(region, '-', units), printf('%d!', units), YEAR(day), `units`, table.region, units AS n FROM table LIMIT 1",
        )
        .await
        .ok_json();
    assert_eq!(
        v["columns"],
        json!([
            "CONCAT(region, '-', units)",
            "printf('%d!', units)",
            "YEAR(day)",
            "units",
            "region",
            "n"
        ])
    );
    // Arguments keep MySQL's grouping (`||` binds tighter than `>` in SQLite).
    assert_eq!(
        rows(
            &c,
            &ds,
            "SELECT CONCAT(units > 2, '!'), units DIV 2 + 1 FROM table ORDER BY region, units"
        )
        .await,
        json!([[null, null], ["0!", 2], ["1!", 2], ["1!", 3]])
    );
    assert_eq!(
        row(
            &c,
            &ds,
            "SELECT TRUNCATE(1.999, 1), TRUNCATE(-1.999, 1), TRUNCATE(123.456, -1), TRUNCATE(1.15, 2), TRUNCATE(`Sales Amount`, 0), TRUNCATE(7, 2) FROM table WHERE units = 2"
        )
        .await,
        json!([1.9, -1.9, 120, 1.15, 100, 7])
    );
    assert_eq!(
        row(
            &c,
            &ds,
            "SELECT CAST('42abc' AS SIGNED), CAST(2.5 AS SIGNED), CAST(-2.5 AS SIGNED), CAST('3.7' AS SIGNED), CAST(-1 AS UNSIGNED), CAST(7 AS UNSIGNED INTEGER)"
        )
        .await,
        json!([42, 3, -3, 3, "18446744073709551615", 7])
    );
    assert_eq!(
        row(
            &c,
            &ds,
            "SELECT CAST(3.7 AS DECIMAL), CAST(1.005 AS DECIMAL(10,2)), CAST('12.345' AS DECIMAL(5,1)), CAST(1234.5 AS DECIMAL(4,1)), CAST(`Sales Amount` AS DECIMAL(6,1)) FROM table WHERE units = 3"
        )
        .await,
        json!([4, 1.01, 12.3, 999.9, 10.3])
    );
    assert_eq!(
        row(
            &c,
            &ds,
            "SELECT CAST(units AS CHAR), CAST('abcdef' AS CHAR(3)), CAST(at AS DATE), CAST(day AS DATETIME), CAST('2024-03-05 01:02:03' AS DATETIME), CONVERT(units, SIGNED), CAST('1.5' AS DOUBLE) FROM table WHERE units = 5"
        )
        .await,
        json!([
            "5",
            "abc",
            "2024-02-29",
            "2024-02-29T00:00:00",
            "2024-03-05T01:02:03",
            5,
            1.5
        ])
    );
}

#[tokio::test]
async fn dates_compare_and_group() {
    let (_emu, c) = start_default().await;
    let ds = sales(&c).await;
    assert_eq!(
        rows(&c, &ds, "SELECT units FROM table WHERE day >= '2024-03-01'").await,
        json!([[2]])
    );
    assert_eq!(
        rows(
            &c,
            &ds,
            "SELECT units FROM table WHERE day BETWEEN '2024-01-01' AND '2024-02-29' ORDER BY units"
        )
        .await,
        json!([[5]])
    );
    assert_eq!(
        rows(
            &c,
            &ds,
            "SELECT YEAR(day) AS y, COUNT(*) AS n, SUM(units) AS u FROM table GROUP BY YEAR(day) ORDER BY y"
        )
        .await,
        json!([[null, 1, null], [2023, 1, 3], [2024, 2, 7]])
    );
    assert_eq!(
        rows(
            &c,
            &ds,
            "SELECT DATE_FORMAT(day, '%Y-%m') AS m, COUNT(*) FROM table WHERE day IS NOT NULL GROUP BY m ORDER BY m"
        )
        .await,
        json!([["2023-12", 1], ["2024-02", 1], ["2024-03", 1]])
    );
    // DATETIME literals in MySQL's form (a space, minutes only) compare as date-times.
    for (sql, want) in [
        (
            "SELECT units FROM table WHERE at >= '2024-02-29 08:30:00' ORDER BY units",
            json!([[2], [5]]),
        ),
        (
            "SELECT units FROM table WHERE at > '2024-02-29 08:30' ORDER BY units",
            json!([[2]]),
        ),
        (
            "SELECT units FROM table WHERE at = '2024-03-05 14:07:09'",
            json!([[2]]),
        ),
        (
            "SELECT units FROM table WHERE '2024-01-01' > at",
            json!([[3]]),
        ),
        (
            "SELECT units FROM table WHERE at IN ('2023-12-31 23:59:59', '2024-03-05 14:07:09') ORDER BY units",
            json!([[2], [3]]),
        ),
        (
            "SELECT units FROM table WHERE at BETWEEN '2024-02-29' AND '2024-02-29 23:59:59'",
            json!([[5]]),
        ),
        (
            "SELECT units FROM table WHERE DATE_ADD(at, INTERVAL 1 HOUR) > '2024-03-05T15:00:00'",
            json!([[2]]),
        ),
    ] {
        assert_eq!(rows(&c, &ds, sql).await, want, "{sql}");
    }
}

#[tokio::test]
async fn unknown_functions_and_other_statements_are_refused() {
    let (_emu, c) = start_default().await;
    let ds = sales(&c).await;
    let msg = c
        .sql(&ds, "SELECT FOO_BAR(units) FROM table")
        .await
        .expect_error(400);
    assert!(msg.contains("unknown function FOO_BAR"), "{msg}");
    // MySQL functions the emulator does not offer are refused by name
    // (the README lists them), as are calls it cannot reproduce.
    for (sql, needle) in [
        (
            "SELECT YEAR(day), ADDTIME(at, '01:00:00') FROM table",
            "unknown function ADDTIME",
        ),
        (
            "SELECT CONVERT_TZ(at, '+00:00', '+10:00') FROM table",
            "unknown function CONVERT_TZ",
        ),
        ("SELECT RAND(3)", "RAND() takes 0 arguments, got 1"),
        ("SELECT SUBTIME(at, '01:00:00') FROM table", "SUBTIME"),
        ("SELECT MAKETIME(12, 15, 30)", "MAKETIME"),
        ("SELECT PERIOD_ADD(202401, 2)", "PERIOD_ADD"),
        ("SELECT PERIOD_DIFF(202403, 202401)", "PERIOD_DIFF"),
        ("SELECT MICROSECOND(at) FROM table", "MICROSECOND"),
        ("SELECT TIME_FORMAT(at, '%H') FROM table", "TIME_FORMAT"),
        ("SELECT TIMESTAMP(day) FROM table", "TIMESTAMP"),
        ("SELECT INSERT('abc', 1, 1, 'x')", "INSERT"),
        ("SELECT CONV('a', 16, 10)", "CONV"),
        ("SELECT BIN(5)", "BIN"),
        ("SELECT OCT(8)", "OCT"),
        ("SELECT CRC32('a')", "CRC32"),
        ("SELECT BIT_AND(units) FROM table", "BIT_AND"),
        ("SELECT BIT_OR(units) FROM table", "BIT_OR"),
        ("SELECT BIT_XOR(units) FROM table", "BIT_XOR"),
        // MySQL's JSON functions that SQLite has no namesake of.
        ("SELECT JSON_CONTAINS('[1]', '1')", "JSON_CONTAINS"),
        // ICU's syntax past regex-lite's: the pattern is named.
        (
            "SELECT REGEXP_LIKE('aa', '(a)\\\\1')",
            "regular expression `(a)\\1`",
        ),
        ("SELECT REGEXP_LIKE('a', 'a', 'x')", "match_type flag `x`"),
        ("SELECT REGEXP_INSTR('abc', 'b', 5)", "position 5"),
        (
            "SELECT FIELD('a')",
            "FIELD() takes at least 2 arguments, got 1",
        ),
        (
            "SELECT APPROXIMATE_COUNT_DISTINCT(region) FROM table",
            "APPROXIMATE_COUNT_DISTINCT",
        ),
        (
            "SELECT FORMAT(1.5, 2, 'de_DE')",
            "FORMAT() takes 2 arguments",
        ),
        (
            "SELECT TIMESTAMPDIFF(FORTNIGHT, day, at) FROM table",
            "takes a unit first",
        ),
        ("SELECT TRIM(region, 'x') FROM table", "syntax error"),
    ] {
        let msg = c.sql(&ds, sql).await.expect_error(400);
        assert!(
            msg.to_ascii_uppercase()
                .contains(&needle.to_ascii_uppercase()),
            "{sql}: {msg}"
        );
    }
    for (sql, needle) in [
        ("UPDATE table SET units = 1", "not UPDATE"),
        ("DROP TABLE table", "not DROP"),
        ("SHOW TABLES", "not SHOW"),
        ("SET @x = 1", "not SET"),
        ("SELECT 1; SELECT 2", "single SELECT"),
        ("SELECT DATE_ADD(day, 3) FROM table", "INTERVAL"),
        ("SELECT CAST(units AS JSON) FROM table", "not offered"),
    ] {
        let msg = c.sql(&ds, sql).await.expect_error(400);
        assert!(msg.contains(needle), "{sql}: {msg}");
    }
    // SQLite's own functions stay available (`IF` is SQLite's too).
    assert_eq!(
        row(
            &c,
            &ds,
            "SELECT IF(SUM(units) > 5, 'many', 'few'), ROUND(2.5), COALESCE(NULL, 'x') FROM table"
        )
        .await,
        // ROUND(2.5) is MySQL's 3, an integer, not SQLite's 3.0.
        json!(["many", 3, "x"])
    );
    // The data is untouched.
    assert_eq!(
        row(&c, &ds, "SELECT SUM(units) FROM table").await,
        json!([10])
    );
}

/// MySQL's aggregates and window functions over a dataset's rows: NULLs
/// skipped, one value's sample statistics NULL, ties ranked alike.
#[tokio::test]
async fn aggregates_and_window_functions() {
    let (_emu, c) = start_default().await;
    let ds = sales(&c).await;
    // units: north 3, south 5, north 2, east NULL.
    let r = row(
        &c,
        &ds,
        "SELECT COUNT(*), COUNT(units), COUNT(DISTINCT region), SUM(units), MIN(units), MAX(units), \
         ROUND(STDDEV_POP(units), 6), ROUND(STDDEV(units), 6), ROUND(VAR_SAMP(units), 6), \
         ROUND(VARIANCE(units), 6), ROUND(STDDEV_SAMP(units), 6) FROM table",
    )
    .await;
    assert_eq!(
        r,
        json!([
            4, 3, 3, 10, 2, 5, 1.247219, 1.247219, 2.333333, 1.555556, 1.527525
        ])
    );
    // One value: the population's spread is 0, a sample's is NULL; no
    // value at all: NULL (and SUM NULL, COUNT 0).
    assert_eq!(
        row(
            &c,
            &ds,
            "SELECT VAR_POP(units), VAR_SAMP(units), STDDEV_SAMP(units) FROM table WHERE region = 'south'"
        )
        .await,
        json!([0.0, null, null])
    );
    assert_eq!(
        row(
            &c,
            &ds,
            "SELECT SUM(units), COUNT(units), STDDEV(units), GROUP_CONCAT(region) FROM table WHERE region = 'east'"
        )
        .await,
        json!([null, 0, null, "east"])
    );
    assert_eq!(
        rows(
            &c,
            &ds,
            "SELECT region, GROUP_CONCAT(units ORDER BY units DESC SEPARATOR '|') FROM table GROUP BY region ORDER BY region"
        )
        .await,
        json!([["east", null], ["north", "3|2"], ["south", "5"]])
    );
    // Window functions: numbering, ranks with a tie, neighbours with a
    // default, running and partitioned sums, a moving spread.
    assert_eq!(
        rows(
            &c,
            &ds,
            "SELECT region, units, \
             ROW_NUMBER() OVER (ORDER BY day), \
             RANK() OVER (ORDER BY region), DENSE_RANK() OVER (ORDER BY region), \
             LAG(units, 1, 0) OVER (ORDER BY day), LEAD(units) OVER (ORDER BY day), \
             SUM(units) OVER (PARTITION BY region), \
             SUM(units) OVER (ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), \
             NTILE(2) OVER (ORDER BY day), \
             FIRST_VALUE(region) OVER (ORDER BY day), \
             VAR_POP(units) OVER (ORDER BY day ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) \
             FROM table ORDER BY day"
        )
        .await,
        // Dates order NULL first, as MySQL does.
        json!([
            ["east", null, 1, 1, 1, 0, 3, null, null, 1, "east", null],
            ["north", 3, 2, 2, 2, null, 5, 5, 3, 1, "east", 0.0],
            ["south", 5, 3, 4, 3, 3, 2, 5, 8, 2, "east", 1.0],
            ["north", 2, 4, 2, 2, 5, null, 5, 10, 2, "east", 2.25],
        ])
    );
}
