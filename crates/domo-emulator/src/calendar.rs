//! Periods of the Data API's relative date filters (`todate`, `last`) and
//! date grains (`dategrain`), on the emulator's clock, in UTC, on the
//! standard or the fiscal calendar.
//!
//! The rule, one for every relative filter (Domo does not document its
//! boundaries; this is the emulator's, and the README states it):
//! - `col todate {unit}`: from the start of the current period to now,
//!   both included;
//! - `col last {unit}` (no count): the previous whole period, from its
//!   start (included) to the start of the current one (excluded);
//! - `col last N {units}`: a rolling window of N units ending now: after
//!   now minus N units, up to now (included).
//!
//! A DATE value stands for its midnight (UTC). Weeks start on Sunday.
//! The fiscal calendar moves quarters and years to start in the fiscal
//! year's first month; a fiscal year is named by the calendar year it ends
//! in. Days, weeks, months and hours are the same on both calendars.

use crate::store::dialect::functions::{civil_from_days, days_from_civil, days_in_month};

/// A unit of a relative filter or a date grain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl Unit {
    /// `day`, `days`, `Month`, ... (singular or plural, any case).
    pub fn parse(word: &str) -> Option<Self> {
        let w = word.trim().to_ascii_lowercase();
        let w = w.strip_suffix('s').unwrap_or(&w);
        Some(match w {
            "hour" => Unit::Hour,
            "day" => Unit::Day,
            "week" => Unit::Week,
            "month" => Unit::Month,
            "quarter" => Unit::Quarter,
            "year" => Unit::Year,
            _ => return None,
        })
    }
}

/// The clock and calendar a request's dates are read on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DateContext {
    /// Now, in ms since the epoch (UTC).
    pub now_ms: i64,
    /// The first month of the fiscal year (1 = January).
    pub fiscal_start: u32,
    /// `calendar=fiscal`.
    pub fiscal: bool,
}

impl DateContext {
    /// The standard calendar at `now_ms`.
    pub fn standard(now_ms: i64) -> Self {
        DateContext {
            now_ms,
            fiscal_start: 1,
            fiscal: false,
        }
    }

    /// The month quarters and years start from (1 on the standard calendar).
    pub fn year_start(&self) -> u32 {
        if self.fiscal { self.fiscal_start } else { 1 }
    }
}

/// An instant, in whole seconds since the epoch (UTC).
pub(crate) type Secs = i64;

const DAY: Secs = 86_400;

fn ymd(secs: Secs) -> (i64, i64, i64) {
    civil_from_days(secs.div_euclid(DAY))
}

fn at_midnight(y: i64, m: i64, d: i64) -> Secs {
    days_from_civil(y, m, d) * DAY
}

/// `secs` moved by `months` calendar months; the day is clamped to the
/// target month's last day (March 31 minus a month is February 28/29).
fn add_months(secs: Secs, months: i64) -> Secs {
    let (y, m, d) = ymd(secs);
    let time = secs.rem_euclid(DAY);
    let total = y * 12 + (m - 1) + months;
    let (ny, nm) = (total.div_euclid(12), total.rem_euclid(12) + 1);
    at_midnight(ny, nm, d.min(days_in_month(ny, nm))) + time
}

/// `secs` moved by `n` units (negative: back).
pub(crate) fn shift(secs: Secs, unit: Unit, n: i64) -> Secs {
    match unit {
        Unit::Hour => secs + n * 3600,
        Unit::Day => secs + n * DAY,
        Unit::Week => secs + n * 7 * DAY,
        Unit::Month => add_months(secs, n),
        Unit::Quarter => add_months(secs, 3 * n),
        Unit::Year => add_months(secs, 12 * n),
    }
}

/// The start of the period of `unit` that holds `secs`.
pub(crate) fn period_start(secs: Secs, unit: Unit, year_start: u32) -> Secs {
    let days = secs.div_euclid(DAY);
    let (y, m, _) = civil_from_days(days);
    let first = i64::from(year_start);
    match unit {
        Unit::Hour => secs - secs.rem_euclid(3600),
        Unit::Day => days * DAY,
        // 1970-01-01 was a Thursday: Sunday is 0 at (days + 4) mod 7.
        Unit::Week => (days - (days + 4).rem_euclid(7)) * DAY,
        Unit::Month => at_midnight(y, m, 1),
        Unit::Quarter => add_months(at_midnight(y, m, 1), -(m - first).rem_euclid(3)),
        Unit::Year => add_months(at_midnight(y, m, 1), -(m - first).rem_euclid(12)),
    }
}

/// A range of instants a relative filter keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Range {
    pub from: Secs,
    pub from_included: bool,
    pub to: Secs,
    pub to_included: bool,
}

/// The relative filters, as parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Relative {
    /// `todate {unit}`.
    ToDate(Unit),
    /// `last {unit}`: the previous whole period.
    LastPeriod(Unit),
    /// `last N {units}`: a rolling window ending now.
    Rolling(i64, Unit),
}

impl Relative {
    /// What the filter keeps at `ctx`'s now, by the rule in the module doc.
    pub fn range(self, ctx: &DateContext) -> Range {
        let now = ctx.now_ms.div_euclid(1000);
        let ys = ctx.year_start();
        match self {
            Relative::ToDate(unit) => Range {
                from: period_start(now, unit, ys),
                from_included: true,
                to: now,
                to_included: true,
            },
            Relative::LastPeriod(unit) => {
                let current = period_start(now, unit, ys);
                Range {
                    from: shift(current, unit, -1),
                    from_included: true,
                    to: current,
                    to_included: false,
                }
            }
            Relative::Rolling(n, unit) => Range {
                from: shift(now, unit, -n),
                from_included: false,
                to: now,
                to_included: true,
            },
        }
    }
}

/// `YYYY-MM-DD` of a day number.
fn date_text(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The stored DATETIME form (`YYYY-MM-DDTHH:MM:SS`) of an instant.
pub(crate) fn datetime_text(secs: Secs) -> String {
    let t = secs.rem_euclid(DAY);
    format!(
        "{}T{:02}:{:02}:{:02}",
        date_text(secs.div_euclid(DAY)),
        t / 3600,
        t % 3600 / 60,
        t % 60
    )
}

impl Range {
    /// The range over DATETIME text: `(lower, lower op, upper, upper op)`.
    pub fn datetime_bounds(&self) -> (String, &'static str, String, &'static str) {
        (
            datetime_text(self.from),
            if self.from_included { ">=" } else { ">" },
            datetime_text(self.to),
            if self.to_included { "<=" } else { "<" },
        )
    }

    /// The range over DATE text, a date standing for its midnight:
    /// the first and the last date inside it (both included).
    pub fn date_bounds(&self) -> (String, String) {
        let floor = |s: Secs| s.div_euclid(DAY);
        let ceil = |s: Secs| floor(s) + i64::from(s.rem_euclid(DAY) != 0);
        let first = if self.from_included {
            ceil(self.from)
        } else {
            floor(self.from) + 1
        };
        let last = if self.to_included {
            floor(self.to)
        } else {
            ceil(self.to) - 1
        };
        (date_text(first), date_text(last))
    }
}

/// The column a date grain adds, named as Domo's Data API names it.
pub(crate) fn grain_column(unit: Unit) -> &'static str {
    match unit {
        Unit::Hour | Unit::Day => "Date",
        Unit::Week => "CalendarWeek",
        Unit::Month => "CalendarMonth",
        Unit::Quarter => "CalendarQuarter",
        Unit::Year => "Year",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(text: &str) -> Secs {
        let (d, t) = text.split_once('T').unwrap_or((text, "00:00:00"));
        let p = |s: &str, r: std::ops::Range<usize>| s[r].parse::<i64>().unwrap();
        at_midnight(p(d, 0..4), p(d, 5..7), p(d, 8..10))
            + p(t, 0..2) * 3600
            + p(t, 3..5) * 60
            + p(t, 6..8)
    }

    #[test]
    fn units_parse_singular_or_plural() {
        assert_eq!(Unit::parse("Days"), Some(Unit::Day));
        assert_eq!(Unit::parse("quarter"), Some(Unit::Quarter));
        assert_eq!(Unit::parse("hours"), Some(Unit::Hour));
        assert_eq!(Unit::parse("fortnight"), None);
    }

    #[test]
    fn periods_start_where_the_calendar_says() {
        // Wednesday 2024-05-15 13:45:10.
        let now = secs("2024-05-15T13:45:10");
        for (unit, ys, want) in [
            (Unit::Hour, 1, "2024-05-15T13:00:00"),
            (Unit::Day, 1, "2024-05-15T00:00:00"),
            (Unit::Week, 1, "2024-05-12T00:00:00"),
            (Unit::Month, 1, "2024-05-01T00:00:00"),
            (Unit::Quarter, 1, "2024-04-01T00:00:00"),
            (Unit::Year, 1, "2024-01-01T00:00:00"),
            // Fiscal year from July: Q4 is Apr-Jun, the year began 2023-07-01.
            (Unit::Quarter, 7, "2024-04-01T00:00:00"),
            (Unit::Year, 7, "2023-07-01T00:00:00"),
            // From February: quarters Feb-Apr, May-Jul.
            (Unit::Quarter, 2, "2024-05-01T00:00:00"),
            (Unit::Year, 2, "2024-02-01T00:00:00"),
            (Unit::Year, 6, "2023-06-01T00:00:00"),
        ] {
            assert_eq!(
                datetime_text(period_start(now, unit, ys)),
                want,
                "{unit:?} from month {ys}"
            );
        }
        // A Sunday starts its own week.
        assert_eq!(
            datetime_text(period_start(secs("2024-05-12T08:00:00"), Unit::Week, 1)),
            "2024-05-12T00:00:00"
        );
    }

    #[test]
    fn months_clamp_to_the_last_day() {
        assert_eq!(
            datetime_text(shift(secs("2024-03-31T10:00:00"), Unit::Month, -1)),
            "2024-02-29T10:00:00"
        );
        assert_eq!(
            datetime_text(shift(secs("2024-02-29T00:00:00"), Unit::Year, 1)),
            "2025-02-28T00:00:00"
        );
        assert_eq!(
            datetime_text(shift(secs("2024-01-31T00:00:00"), Unit::Quarter, -1)),
            "2023-10-31T00:00:00"
        );
    }

    #[test]
    fn the_boundary_rule_on_dates_and_datetimes() {
        let ctx = DateContext::standard(secs("2024-05-15T13:45:10") * 1000);
        let fiscal = DateContext {
            fiscal: true,
            fiscal_start: 7,
            ..ctx
        };
        for (rel, c, dates, datetimes) in [
            (
                Relative::Rolling(7, Unit::Day),
                ctx,
                ("2024-05-09", "2024-05-15"),
                ("2024-05-08T13:45:10", ">", "2024-05-15T13:45:10", "<="),
            ),
            (
                Relative::Rolling(1, Unit::Month),
                ctx,
                ("2024-04-16", "2024-05-15"),
                ("2024-04-15T13:45:10", ">", "2024-05-15T13:45:10", "<="),
            ),
            // No midnight in the last three hours: no date is inside.
            (
                Relative::Rolling(3, Unit::Hour),
                ctx,
                ("2024-05-16", "2024-05-15"),
                ("2024-05-15T10:45:10", ">", "2024-05-15T13:45:10", "<="),
            ),
            (
                Relative::LastPeriod(Unit::Month),
                ctx,
                ("2024-04-01", "2024-04-30"),
                ("2024-04-01T00:00:00", ">=", "2024-05-01T00:00:00", "<"),
            ),
            (
                Relative::LastPeriod(Unit::Week),
                ctx,
                ("2024-05-05", "2024-05-11"),
                ("2024-05-05T00:00:00", ">=", "2024-05-12T00:00:00", "<"),
            ),
            (
                Relative::ToDate(Unit::Quarter),
                ctx,
                ("2024-04-01", "2024-05-15"),
                ("2024-04-01T00:00:00", ">=", "2024-05-15T13:45:10", "<="),
            ),
            (
                Relative::ToDate(Unit::Year),
                fiscal,
                ("2023-07-01", "2024-05-15"),
                ("2023-07-01T00:00:00", ">=", "2024-05-15T13:45:10", "<="),
            ),
            (
                Relative::LastPeriod(Unit::Year),
                fiscal,
                ("2022-07-01", "2023-06-30"),
                ("2022-07-01T00:00:00", ">=", "2023-07-01T00:00:00", "<"),
            ),
            (
                Relative::LastPeriod(Unit::Quarter),
                fiscal,
                ("2024-01-01", "2024-03-31"),
                ("2024-01-01T00:00:00", ">=", "2024-04-01T00:00:00", "<"),
            ),
        ] {
            let r = rel.range(&c);
            let (a, b) = r.date_bounds();
            assert_eq!((a.as_str(), b.as_str()), dates, "{rel:?} dates");
            let (l, lo, u, uo) = r.datetime_bounds();
            assert_eq!(
                (l.as_str(), lo, u.as_str(), uo),
                datetimes,
                "{rel:?} datetimes"
            );
        }
    }

    #[test]
    fn grains_are_named_as_domo_names_them() {
        assert_eq!(grain_column(Unit::Day), "Date");
        assert_eq!(grain_column(Unit::Week), "CalendarWeek");
        assert_eq!(grain_column(Unit::Month), "CalendarMonth");
        assert_eq!(grain_column(Unit::Quarter), "CalendarQuarter");
        assert_eq!(grain_column(Unit::Year), "Year");
    }
}
