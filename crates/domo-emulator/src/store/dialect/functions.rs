//! The MySQL functions SQLite lacks, as Rust scalar functions registered on
//! every connection: date parts, `DATE_FORMAT`, `DATEDIFF`, `LOWER` and
//! `UPPER` for every letter, and the targets `dialect` rewrites `DATE_ADD`,
//! `INTERVAL` arithmetic, `CAST` and `printf` to (named `domo_*`, as no
//! user writes them). `numeric` registers the numbers' functions and
//! `collation` the text comparison's.
//!
//! Dates arrive as the text the store keeps (`YYYY-MM-DD` for DATE,
//! `YYYY-MM-DDTHH:MM:SS` for DATETIME) or as literals in either MySQL form
//! (`T` or a space); what is not a date gives NULL, as MySQL does. Results
//! are written the way the store keeps them, so they compare with columns.

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, Result};

use super::collation;
use super::numeric::{self, Num};
use crate::csvio::normalize_datetime;

/// A point in time with the precision the store keeps: whole seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
struct When {
    /// Days since 1970-01-01.
    days: i64,
    /// Seconds since midnight.
    secs: i64,
    /// Whether it came with a time of day (DATETIME) or not (DATE): MySQL
    /// keeps a DATE a DATE when whole days are added.
    has_time: bool,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of `days_from_civil`: (year, month, day).
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

pub(crate) fn days_in_month(y: i64, m: i64) -> i64 {
    days_from_civil(y + i64::from(m == 12), m % 12 + 1, 1) - days_from_civil(y, m, 1)
}

impl When {
    fn parse(v: ValueRef<'_>) -> Option<Self> {
        let text = match v {
            ValueRef::Text(t) => std::str::from_utf8(t).ok()?,
            _ => return None,
        };
        let text = text.trim();
        let has_time = text.len() > 10;
        let n = normalize_datetime(text)?;
        let num = |r: std::ops::Range<usize>| n.get(r).and_then(|s| s.parse::<i64>().ok());
        let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
        Some(Self {
            days: days_from_civil(y, m, d),
            secs: h * 3600 + mi * 60 + s,
            has_time,
        })
    }

    fn ymd(self) -> (i64, i64, i64) {
        civil_from_days(self.days)
    }

    fn hms(self) -> (i64, i64, i64) {
        (self.secs / 3600, self.secs / 60 % 60, self.secs % 60)
    }

    /// 0 = Sunday, as `%w`.
    fn weekday(self) -> usize {
        // 1970-01-01 was a Thursday.
        (self.days + 4).rem_euclid(7) as usize
    }

    /// The store's text for it: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS`;
    /// None outside the years MySQL holds (0000-9999).
    fn to_text(self) -> Option<String> {
        // Checked on the day count first: far out of range it would
        // overflow the calendar arithmetic.
        if !(days_from_civil(0, 1, 1)..=days_from_civil(9999, 12, 31)).contains(&self.days) {
            return None;
        }
        let (y, m, d) = self.ymd();
        if !self.has_time {
            return Some(format!("{y:04}-{m:02}-{d:02}"));
        }
        let (h, mi, s) = self.hms();
        Some(format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}"))
    }

    /// MySQL's `DATE_ADD(self, INTERVAL n unit)`; None for an unknown unit.
    fn add(self, n: i64, unit: &str) -> Option<Self> {
        let seconds = |per: i64| {
            let total = (self.days * 86_400 + self.secs).checked_add(n.checked_mul(per)?)?;
            Some(Self {
                days: total.div_euclid(86_400),
                secs: total.rem_euclid(86_400),
                has_time: true,
            })
        };
        let months = |per: i64| {
            let (y, m, d) = self.ymd();
            let total = (y * 12 + m - 1).checked_add(n.checked_mul(per)?)?;
            let (y, m) = (total.div_euclid(12), total.rem_euclid(12) + 1);
            if !(0..=9999).contains(&y) {
                return None;
            }
            // The 31st plus a month is the last day of a shorter month.
            let d = d.min(days_in_month(y, m));
            Some(Self {
                days: days_from_civil(y, m, d),
                ..self
            })
        };
        match unit {
            "SECOND" => seconds(1),
            "MINUTE" => seconds(60),
            "HOUR" => seconds(3600),
            "DAY" => Some(Self {
                days: self.days.checked_add(n)?,
                ..self
            }),
            "WEEK" => Some(Self {
                days: self.days.checked_add(n.checked_mul(7)?)?,
                ..self
            }),
            "MONTH" => months(1),
            "QUARTER" => months(3),
            "YEAR" => months(12),
            _ => None,
        }
    }

    /// MySQL's `DATE_FORMAT`: `%` specifiers, anything else as written.
    fn format(self, fmt: &str) -> String {
        let (y, m, d) = self.ymd();
        let (h, mi, s) = self.hms();
        let month = MONTHS[(m - 1) as usize];
        let weekday = WEEKDAYS[self.weekday()];
        let h12 = if h % 12 == 0 { 12 } else { h % 12 };
        let mut out = String::with_capacity(fmt.len() + 8);
        let mut chars = fmt.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            let Some(spec) = chars.next() else {
                out.push('%');
                break;
            };
            let piece = match spec {
                'Y' => format!("{y:04}"),
                'y' => format!("{:02}", y % 100),
                'm' => format!("{m:02}"),
                'c' => m.to_string(),
                'd' => format!("{d:02}"),
                'e' => d.to_string(),
                'D' => {
                    let suffix = match (d % 10, d / 10) {
                        (_, 1) => "th",
                        (1, _) => "st",
                        (2, _) => "nd",
                        (3, _) => "rd",
                        _ => "th",
                    };
                    format!("{d}{suffix}")
                }
                'j' => {
                    let first = days_from_civil(y, 1, 1);
                    format!("{:03}", self.days - first + 1)
                }
                'H' => format!("{h:02}"),
                'k' => h.to_string(),
                'h' | 'I' => format!("{h12:02}"),
                'l' => h12.to_string(),
                'i' => format!("{mi:02}"),
                's' | 'S' => format!("{s:02}"),
                'f' => "000000".to_owned(),
                'p' => (if h < 12 { "AM" } else { "PM" }).to_owned(),
                'T' => format!("{h:02}:{mi:02}:{s:02}"),
                'r' => format!(
                    "{h12:02}:{mi:02}:{s:02} {}",
                    if h < 12 { "AM" } else { "PM" }
                ),
                'M' => month.to_owned(),
                'b' => month[..3].to_owned(),
                'W' => weekday.to_owned(),
                'a' => weekday[..3].to_owned(),
                'w' => self.weekday().to_string(),
                // `%%` is a percent sign; MySQL writes any other letter as itself.
                other => other.to_string(),
            };
            out.push_str(&piece);
        }
        out
    }
}

/// Days from MySQL's day 0 (`TO_DAYS`) to 1970-01-01.
const TO_DAYS_EPOCH: i64 = 719_528;

/// MySQL's `calc_week`: the week of `w` and the year it belongs to, for
/// a `WEEK` mode (0-7: whether weeks start on Monday, whether week 1 is
/// the first with four days or the first with a start day in the year,
/// whether weeks of the year before count as 0 or as that year's).
fn calc_week(w: When, mode: i64, with_year: bool) -> (i64, i64) {
    const MONDAY_FIRST: i64 = 1;
    const WEEK_YEAR: i64 = 2;
    const FIRST_WEEKDAY: i64 = 4;
    let mut behaviour = mode & 7;
    if behaviour & MONDAY_FIRST == 0 {
        behaviour ^= FIRST_WEEKDAY;
    }
    if with_year {
        behaviour |= WEEK_YEAR;
    }
    let monday_first = behaviour & MONDAY_FIRST != 0;
    let mut week_year = behaviour & WEEK_YEAR != 0;
    let first_weekday = behaviour & FIRST_WEEKDAY != 0;
    let days_in_year = |y: i64| days_from_civil(y + 1, 1, 1) - days_from_civil(y, 1, 1);
    // The weekday of a day number, 0 = the week's first day.
    let weekday = |days: i64| (days + if monday_first { 3 } else { 4 }).rem_euclid(7);
    let (mut year, m, d) = w.ymd();
    let mut first = days_from_civil(year, 1, 1);
    let mut wd = weekday(first);
    if m == 1 && d <= 7 - wd {
        if !week_year && ((first_weekday && wd != 0) || (!first_weekday && wd >= 4)) {
            return (year, 0);
        }
        week_year = true;
        year -= 1;
        let days = days_in_year(year);
        first -= days;
        wd = (wd + 53 * 7 - days).rem_euclid(7);
    }
    let days = if (first_weekday && wd != 0) || (!first_weekday && wd >= 4) {
        w.days - (first + (7 - wd))
    } else {
        w.days - (first - wd)
    };
    if week_year && days >= 52 * 7 {
        wd = (wd + days_in_year(year)).rem_euclid(7);
        if (!first_weekday && wd < 4) || (first_weekday && wd == 0) {
            return (year + 1, 1);
        }
    }
    (year, days / 7 + 1)
}

/// A time of day or a duration, `[-]H:MM:SS` (hours past 24 too), or the
/// time of a DATETIME: seconds.
fn time_seconds(v: ValueRef<'_>) -> Option<i64> {
    let ValueRef::Text(t) = v else {
        return When::parse(v).filter(|w| w.has_time).map(|w| w.secs);
    };
    let text = std::str::from_utf8(t).ok()?.trim();
    if let Some(w) = When::parse(v) {
        return w.has_time.then_some(w.secs);
    }
    let (sign, rest) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text),
    };
    let mut parts = rest.split(':');
    let h: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let s: i64 = match parts.next() {
        Some(s) => s.split('.').next()?.parse().ok()?,
        None => 0,
    };
    if parts.next().is_some() || !(0..60).contains(&m) || !(0..60).contains(&s) || h < 0 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60 + s))
}

/// Seconds as MySQL writes a TIME: `[-]HH:MM:SS`, hours past 24 kept
/// (MySQL clips at 838:59:59).
fn time_text(secs: i64) -> String {
    let secs = secs.clamp(-3_020_399, 3_020_399);
    let sign = if secs < 0 { "-" } else { "" };
    let a = secs.abs();
    format!("{sign}{:02}:{:02}:{:02}", a / 3600, a / 60 % 60, a % 60)
}

/// `TIMESTAMPDIFF(unit, a, b)`: whole units from `a` to `b`, toward
/// zero; months count only when the day and time of `b` reach `a`'s.
fn timestamp_diff(unit: &str, a: When, b: When) -> Option<i64> {
    let secs = (b.days - a.days) * 86_400 + (b.secs - a.secs);
    let per = match unit {
        "SECOND" => 1,
        "MINUTE" => 60,
        "HOUR" => 3600,
        "DAY" => 86_400,
        "WEEK" => 604_800,
        "MONTH" | "QUARTER" | "YEAR" => {
            let ((ya, ma, da), (yb, mb, db)) = (a.ymd(), b.ymd());
            let mut months = (yb - ya) * 12 + (mb - ma);
            if secs >= 0 && (db, b.secs) < (da, a.secs) {
                months -= 1;
            } else if secs < 0 && (db, b.secs) > (da, a.secs) {
                months += 1;
            }
            return Some(
                months
                    / match unit {
                        "MONTH" => 1,
                        "QUARTER" => 3,
                        _ => 12,
                    },
            );
        }
        _ => return None,
    };
    Some(secs / per)
}

/// `STR_TO_DATE(s, fmt)`: `s` read by `DATE_FORMAT`'s specifiers; a
/// DATE when `fmt` names no time, else a DATETIME; None when `s` does not
/// match or names no valid date.
fn str_to_date(s: &str, fmt: &str) -> Option<When> {
    let mut rest = s;
    let (mut y, mut mo, mut d) = (None::<i64>, None::<i64>, None::<i64>);
    let (mut h, mut mi, mut sec, mut pm) = (0i64, 0i64, 0i64, None::<bool>);
    let mut has_time = false;
    // Up to `max` digits, after any spaces (MySQL reads `'May 1, 2013'`
    // by `'%M %d,%Y'`).
    fn digits(rest: &mut &str, max: usize) -> Option<i64> {
        *rest = rest.trim_start();
        let n = rest
            .bytes()
            .take(max)
            .take_while(u8::is_ascii_digit)
            .count();
        if n == 0 {
            return None;
        }
        let v = rest[..n].parse().ok()?;
        *rest = &rest[n..];
        Some(v)
    }
    fn name(rest: &mut &str, names: &[&str; 12], short: bool) -> Option<i64> {
        for (i, full) in names.iter().enumerate() {
            let want = if short { &full[..3] } else { full };
            if rest.len() >= want.len() && rest[..want.len()].eq_ignore_ascii_case(want) {
                *rest = &rest[want.len()..];
                return Some(i as i64 + 1);
            }
        }
        None
    }
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            if c.is_whitespace() {
                rest = rest.trim_start();
                continue;
            }
            rest = rest.strip_prefix(c)?;
            continue;
        }
        match chars.next()? {
            'Y' => y = Some(digits(&mut rest, 4)?),
            'y' => y = digits(&mut rest, 2).map(|v| v + if v < 70 { 2000 } else { 1900 }),
            'm' | 'c' => mo = Some(digits(&mut rest, 2)?),
            'd' | 'e' => d = Some(digits(&mut rest, 2)?),
            'M' => mo = Some(name(&mut rest, &MONTHS, false)?),
            'b' => mo = Some(name(&mut rest, &MONTHS, true)?),
            'H' | 'k' | 'h' | 'I' | 'l' => {
                h = digits(&mut rest, 2)?;
                has_time = true;
            }
            'i' => {
                mi = digits(&mut rest, 2)?;
                has_time = true;
            }
            's' | 'S' => {
                sec = digits(&mut rest, 2)?;
                has_time = true;
            }
            'f' => {
                digits(&mut rest, 6)?;
                has_time = true;
            }
            'p' => {
                let upper = rest.get(..2)?.to_ascii_uppercase();
                pm = Some(match upper.as_str() {
                    "AM" => false,
                    "PM" => true,
                    _ => return None,
                });
                rest = &rest[2..];
            }
            'T' => {
                h = digits(&mut rest, 2)?;
                rest = rest.strip_prefix(':')?;
                mi = digits(&mut rest, 2)?;
                rest = rest.strip_prefix(':')?;
                sec = digits(&mut rest, 2)?;
                has_time = true;
            }
            '%' => rest = rest.strip_prefix('%')?,
            _ => return None,
        }
    }
    if let Some(pm) = pm {
        if !(1..=12).contains(&h) {
            return None;
        }
        h = h % 12 + if pm { 12 } else { 0 };
    }
    let (y, mo, d) = (y?, mo?, d?);
    if !(1..=12).contains(&mo) || !(1..=days_in_month(y, mo)).contains(&d) {
        return None;
    }
    if h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    Some(When {
        days: days_from_civil(y, mo, d),
        secs: h * 3600 + mi * 60 + sec,
        has_time,
    })
}

/// `ms` since the epoch as the store writes a DATETIME (UTC).
pub(crate) fn utc_text(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let when = When {
        days: secs.div_euclid(86_400),
        secs: secs.rem_euclid(86_400),
        has_time: true,
    };
    when.to_text().unwrap_or_default()
}

/// The inverse of `utc_text`: a DATETIME or DATE (either MySQL form, as
/// an upload takes it) in UTC, as ms since the epoch.
pub(crate) fn utc_ms(text: &str) -> Option<i64> {
    let when = When::parse(ValueRef::Text(text.as_bytes()))?;
    Some((when.days * 86_400 + when.secs) * 1000)
}

fn text_or_null(s: Option<String>) -> Value {
    s.map_or(Value::Null, Value::Text)
}

fn int_or_null(v: Option<i64>) -> Value {
    v.map_or(Value::Null, Value::Integer)
}

/// One registration: a deterministic function of `n` arguments.
fn add<F>(conn: &Connection, name: &str, n: i32, f: F) -> Result<()>
where
    F: Fn(&Context<'_>) -> Value + Send + 'static,
{
    conn.create_scalar_function(
        name,
        n,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        move |ctx| Ok(f(ctx)),
    )
}

/// A date part: `name(x)` is `part(x)`, NULL when `x` is not a date.
fn date_part(conn: &Connection, name: &str, part: fn(When) -> Value) -> Result<()> {
    add(conn, name, 1, move |ctx| {
        When::parse(ctx.get_raw(0)).map_or(Value::Null, part)
    })
}

/// Each character's simple case mapping: a character whose mapping is
/// several characters (`ß` to `SS`) stays as it is, as in MySQL.
fn change_case(s: &str, upper: bool) -> String {
    s.chars()
        .map(|c| {
            let mut mapped = if upper {
                either(c.to_uppercase())
            } else {
                either(c.to_lowercase())
            };
            match (mapped.next(), mapped.next()) {
                (Some(one), None) => one,
                _ => c,
            }
        })
        .collect()
}

fn either(it: impl Iterator<Item = char>) -> std::vec::IntoIter<char> {
    it.collect::<Vec<char>>().into_iter()
}

/// Registers the dialect's functions on `conn`.
pub(crate) fn register(conn: &Connection) -> Result<()> {
    date_part(conn, "year", |w| Value::Integer(w.ymd().0))?;
    date_part(conn, "month", |w| Value::Integer(w.ymd().1))?;
    date_part(conn, "day", |w| Value::Integer(w.ymd().2))?;
    date_part(conn, "dayofmonth", |w| Value::Integer(w.ymd().2))?;
    date_part(conn, "quarter", |w| Value::Integer((w.ymd().1 - 1) / 3 + 1))?;
    // MySQL counts 1 = Sunday ... 7 = Saturday.
    date_part(conn, "dayofweek", |w| {
        Value::Integer(w.weekday() as i64 + 1)
    })?;
    date_part(conn, "dayofyear", |w| {
        Value::Integer(w.days - days_from_civil(w.ymd().0, 1, 1) + 1)
    })?;
    date_part(conn, "hour", |w| Value::Integer(w.hms().0))?;
    date_part(conn, "minute", |w| Value::Integer(w.hms().1))?;
    date_part(conn, "second", |w| Value::Integer(w.hms().2))?;
    date_part(conn, "dayname", |w| {
        Value::Text(WEEKDAYS[w.weekday()].to_owned())
    })?;
    date_part(conn, "monthname", |w| {
        Value::Text(MONTHS[(w.ymd().1 - 1) as usize].to_owned())
    })?;
    add(conn, "date_format", 2, |ctx| {
        match (When::parse(ctx.get_raw(0)), ctx.get_raw(1)) {
            (Some(w), ValueRef::Text(f)) => Value::Text(w.format(&String::from_utf8_lossy(f))),
            _ => Value::Null,
        }
    })?;
    add(conn, "datediff", 2, |ctx| {
        // MySQL ignores the time of day: whole calendar days a - b.
        match (When::parse(ctx.get_raw(0)), When::parse(ctx.get_raw(1))) {
            (Some(a), Some(b)) => Value::Integer(a.days - b.days),
            _ => Value::Null,
        }
    })?;
    // The last day of the month of a date, as a DATE.
    date_part(conn, "last_day", |w| {
        let (y, m, _) = w.ymd();
        let last = When {
            days: days_from_civil(y, m, days_in_month(y, m)),
            secs: 0,
            has_time: false,
        };
        text_or_null(last.to_text())
    })?;
    add(conn, "domo_date_add", 3, |ctx| {
        let n = match numeric::number(ctx.get_raw(1)) {
            Some(Num::Int(i)) => i,
            // MySQL rounds a fractional count: INTERVAL 1.5 DAY is 2 days.
            Some(other) => other.as_f64().round() as i64,
            None => return Value::Null,
        };
        let ValueRef::Text(unit) = ctx.get_raw(2) else {
            return Value::Null;
        };
        let unit = String::from_utf8_lossy(unit);
        let when = When::parse(ctx.get_raw(0)).and_then(|w| w.add(n, &unit));
        text_or_null(when.and_then(When::to_text))
    })?;
    add(conn, "domo_cast_signed", 1, |ctx| {
        int_or_null(numeric::cast_signed(ctx.get_raw(0)))
    })?;
    add(conn, "domo_cast_unsigned", 1, |ctx| {
        match numeric::cast_signed(ctx.get_raw(0)) {
            Some(i) if i >= 0 => Value::Integer(i),
            // MySQL wraps a negative value around 2^64, past what an SQLite
            // integer holds: the exact digits, as text.
            Some(i) => Value::Text((i as u64).to_string()),
            None => Value::Null,
        }
    })?;
    add(conn, "domo_cast_decimal", 3, |ctx| {
        let p = ctx
            .get_raw(1)
            .as_i64()
            .ok()
            .and_then(|p| u32::try_from(p).ok());
        let s = ctx
            .get_raw(2)
            .as_i64()
            .ok()
            .and_then(|s| u32::try_from(s).ok());
        match (numeric::number(ctx.get_raw(0)), p, s) {
            (Some(x), Some(p), Some(s)) => {
                numeric::cast_decimal(x, p, s).map_or(Value::Null, |d| Value::Blob(d.encode()))
            }
            _ => Value::Null,
        }
    })?;
    conn.create_scalar_function(
        "domo_checked_printf",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            // (printf's result, its format): see `dialect`'s rewrite. No
            // message goes with the code, which would turn it into a plain
            // SQLITE_ERROR.
            match (ctx.get_raw(0), ctx.get_raw(1)) {
                (ValueRef::Null, ValueRef::Null) => Ok(Value::Null),
                (ValueRef::Null, _) => Err(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_TOOBIG),
                    None,
                )),
                (v, _) => Ok(Value::from(v)),
            }
        },
    )?;
    add(conn, "domo_to_date", 1, |ctx| {
        let date = When::parse(ctx.get_raw(0)).map(|w| When {
            has_time: false,
            ..w
        });
        text_or_null(date.and_then(When::to_text))
    })?;
    add(conn, "domo_to_datetime", 1, |ctx| {
        let at = When::parse(ctx.get_raw(0)).map(|w| When {
            has_time: true,
            ..w
        });
        text_or_null(at.and_then(When::to_text))
    })?;
    // MySQL's LOWER/UPPER: every letter, one for one (`ß` stays `ß`).
    for (name, upper) in [("domo_lower", false), ("domo_upper", true)] {
        add(conn, name, 1, move |ctx| match ctx.get_raw(0) {
            ValueRef::Text(t) => Value::Text(change_case(&String::from_utf8_lossy(t), upper)),
            other => Value::from(other),
        })?;
    }
    // MySQL's WEEKDAY: 0 = Monday.
    date_part(conn, "domo_weekday", |w| {
        Value::Integer((w.days + 3).rem_euclid(7))
    })?;
    date_part(conn, "domo_weekofyear", |w| {
        Value::Integer(calc_week(w, 3, false).1)
    })?;
    for (name, with_year) in [("domo_week", false), ("domo_yearweek", true)] {
        for n in [1, 2] {
            add(conn, name, n, move |ctx| {
                let mode = if n == 2 {
                    match numeric::number(ctx.get_raw(1)) {
                        Some(m) => m.as_f64() as i64,
                        None => return Value::Null,
                    }
                } else {
                    0
                };
                match When::parse(ctx.get_raw(0)) {
                    Some(w) if with_year => {
                        let (y, week) = calc_week(w, mode, true);
                        Value::Integer(y * 100 + week)
                    }
                    Some(w) => Value::Integer(calc_week(w, mode, false).1),
                    None => Value::Null,
                }
            })?;
        }
    }
    date_part(conn, "domo_to_days", |w| {
        Value::Integer(w.days + TO_DAYS_EPOCH)
    })?;
    add(conn, "domo_from_days", 1, |ctx| {
        let date = numeric::cast_signed(ctx.get_raw(0)).map(|n| When {
            days: n.saturating_sub(TO_DAYS_EPOCH),
            secs: 0,
            has_time: false,
        });
        text_or_null(date.and_then(When::to_text))
    })?;
    // MAKEDATE(year, day of year): NULL for a day below 1.
    add(conn, "domo_makedate", 2, |ctx| {
        let (Some(y), Some(n)) = (
            numeric::cast_signed(ctx.get_raw(0)),
            numeric::cast_signed(ctx.get_raw(1)),
        ) else {
            return Value::Null;
        };
        if n < 1 || !(0..=9999).contains(&y) {
            return Value::Null;
        }
        let date = When {
            days: days_from_civil(y, 1, 1) + n - 1,
            secs: 0,
            has_time: false,
        };
        text_or_null(date.to_text())
    })?;
    // Seconds since 1970 in UTC (the emulator's time zone); 0 before it.
    date_part(conn, "domo_unix_timestamp", |w| {
        Value::Integer((w.days * 86_400 + w.secs).max(0))
    })?;
    for n in [1, 2] {
        add(conn, "domo_from_unixtime", n, move |ctx| {
            let Some(secs) = numeric::cast_signed(ctx.get_raw(0)).filter(|s| *s >= 0) else {
                return Value::Null;
            };
            let at = When {
                days: secs.div_euclid(86_400),
                secs: secs.rem_euclid(86_400),
                has_time: true,
            };
            if n == 1 {
                return text_or_null(at.to_text());
            }
            match ctx.get_raw(1) {
                ValueRef::Text(f) => Value::Text(at.format(&String::from_utf8_lossy(f))),
                _ => Value::Null,
            }
        })?;
    }
    add(conn, "domo_str_to_date", 2, |ctx| {
        match (ctx.get_raw(0), ctx.get_raw(1)) {
            (ValueRef::Text(s), ValueRef::Text(f)) => text_or_null(
                str_to_date(&String::from_utf8_lossy(s), &String::from_utf8_lossy(f))
                    .and_then(When::to_text),
            ),
            _ => Value::Null,
        }
    })?;
    add(conn, "domo_timestamp_diff", 3, |ctx| {
        let ValueRef::Text(unit) = ctx.get_raw(0) else {
            return Value::Null;
        };
        match (When::parse(ctx.get_raw(1)), When::parse(ctx.get_raw(2))) {
            (Some(a), Some(b)) => int_or_null(timestamp_diff(&String::from_utf8_lossy(unit), a, b)),
            _ => Value::Null,
        }
    })?;
    add(conn, "domo_time", 1, |ctx| {
        text_or_null(time_seconds(ctx.get_raw(0)).map(time_text))
    })?;
    add(conn, "domo_time_to_sec", 1, |ctx| {
        int_or_null(time_seconds(ctx.get_raw(0)))
    })?;
    add(conn, "domo_sec_to_time", 1, |ctx| {
        text_or_null(numeric::cast_signed(ctx.get_raw(0)).map(time_text))
    })?;
    // TIMEDIFF(a, b): two DATETIMEs, or two times, as a TIME.
    add(conn, "domo_timediff", 2, |ctx| {
        let (a, b) = (ctx.get_raw(0), ctx.get_raw(1));
        match (When::parse(a), When::parse(b)) {
            (Some(x), Some(y)) if x.has_time == y.has_time => {
                Value::Text(time_text((x.days - y.days) * 86_400 + x.secs - y.secs))
            }
            (None, None) => match (time_seconds(a), time_seconds(b)) {
                (Some(x), Some(y)) => Value::Text(time_text(x - y)),
                _ => Value::Null,
            },
            _ => Value::Null,
        }
    })?;
    super::strings::register(conn)?;
    super::regexp::register(conn)?;
    super::math::register(conn)?;
    numeric::register(conn)?;
    collation::register(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn when(s: &str) -> When {
        When::parse(ValueRef::Text(s.as_bytes())).unwrap()
    }

    #[test]
    fn weeks_in_every_mode() {
        // MySQL's documented answers.
        assert_eq!(calc_week(when("2008-02-20"), 0, false).1, 7);
        assert_eq!(calc_week(when("2008-02-20"), 1, false).1, 8);
        assert_eq!(calc_week(when("2008-12-31"), 1, false).1, 53);
        assert_eq!(calc_week(when("2000-01-01"), 0, false).1, 0);
        assert_eq!(calc_week(when("2000-01-01"), 2, false).1, 52);
        assert_eq!(calc_week(when("1987-01-01"), 0, true), (1986, 52));
        // ISO weeks (mode 3): 2024-12-30 is week 1 of 2025.
        assert_eq!(calc_week(when("2024-12-30"), 3, false).1, 1);
        assert_eq!(calc_week(when("2021-01-03"), 3, false).1, 53);
    }

    #[test]
    fn strings_read_as_dates() {
        let at = |s: &str, f: &str| str_to_date(s, f).and_then(When::to_text);
        assert_eq!(at("01,5,2013", "%d,%m,%Y").as_deref(), Some("2013-05-01"));
        assert_eq!(at("May 1, 2013", "%M %d,%Y").as_deref(), Some("2013-05-01"));
        assert_eq!(
            at("09:30:17 PM 2024-03-05", "%h:%i:%s %p %Y-%m-%d").as_deref(),
            Some("2024-03-05T21:30:17")
        );
        assert_eq!(at("2024-02-30", "%Y-%m-%d"), None);
        assert_eq!(at("2024/02/03", "%Y-%m-%d"), None);
    }

    #[test]
    fn differences_in_whole_units() {
        let diff = |u: &str, a: &str, b: &str| timestamp_diff(u, when(a), when(b)).unwrap();
        assert_eq!(diff("MONTH", "2024-01-31", "2024-02-29"), 0);
        assert_eq!(diff("MONTH", "2024-01-31", "2024-03-31"), 2);
        assert_eq!(diff("MONTH", "2024-03-31", "2024-01-31"), -2);
        assert_eq!(diff("YEAR", "2020-02-29", "2024-02-28"), 3);
        assert_eq!(diff("DAY", "2024-03-02", "2024-03-01 12:00:00"), 0);
        assert_eq!(diff("HOUR", "2024-03-01", "2024-03-01 23:59:59"), 23);
        assert_eq!(time_text(-3_723), "-01:02:03");
        assert_eq!(time_seconds(ValueRef::Text(b"100:00:01")), Some(360_001));
    }

    #[test]
    fn civil_days_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2024, 3, 1), 19_783);
        for z in [-800_000, -1, 0, 59, 11_016, 19_783, 2_932_896] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2023, 2), 28);
        assert_eq!(days_in_month(2023, 12), 31);
    }

    #[test]
    fn reads_both_stored_forms_and_refuses_the_rest() {
        assert!(!when("2024-03-01").has_time);
        assert_eq!(when("2024-03-01 10:20:30"), when("2024-03-01T10:20:30"));
        assert_eq!(when("2024-03-01 10:20:30").hms(), (10, 20, 30));
        for bad in ["", "2024-02-30", "03/01/2024", "2024-03-01 25:00:00"] {
            assert_eq!(When::parse(ValueRef::Text(bad.as_bytes())), None, "{bad}");
        }
        assert_eq!(When::parse(ValueRef::Integer(20240301)), None);
    }

    #[test]
    fn adds_intervals_as_mysql_does() {
        let add = |s: &str, n: i64, unit: &str| when(s).add(n, unit).unwrap().to_text().unwrap();
        assert_eq!(add("2024-01-31", 1, "MONTH"), "2024-02-29");
        assert_eq!(add("2024-02-29", 1, "YEAR"), "2025-02-28");
        assert_eq!(add("2024-03-01", -1, "DAY"), "2024-02-29");
        assert_eq!(add("2024-03-01", 2, "WEEK"), "2024-03-15");
        assert_eq!(add("2024-11-30", 1, "QUARTER"), "2025-02-28");
        // A time unit turns a DATE into a DATETIME.
        assert_eq!(add("2024-03-01", 1, "HOUR"), "2024-03-01T01:00:00");
        assert_eq!(add("2024-03-01", -1, "SECOND"), "2024-02-29T23:59:59");
        assert_eq!(
            add("2024-12-31 23:30:00", 45, "MINUTE"),
            "2025-01-01T00:15:00"
        );
        assert_eq!(when("2024-03-01").add(1, "FORTNIGHT"), None);
        assert_eq!(when("9999-12-31").add(1, "DAY").unwrap().to_text(), None);
        assert_eq!(
            when("2024-03-01")
                .add(i64::MAX / 2, "DAY")
                .unwrap()
                .to_text(),
            None
        );
        assert_eq!(when("2024-03-01").add(i64::MAX / 24, "MONTH"), None);
        assert_eq!(when("2024-03-01").add(i64::MAX, "WEEK"), None);
    }

    #[test]
    fn formats_mysql_specifiers() {
        let w = when("2024-03-05 14:07:09");
        assert_eq!(w.format("%Y-%m-%d %H:%i:%s"), "2024-03-05 14:07:09");
        assert_eq!(w.format("%b %M %W %a"), "Mar March Tuesday Tue");
        assert_eq!(
            w.format("%y %c %e %D %j %h %l %p %T %w %% %q"),
            "24 3 5 5th 065 02 2 PM 14:07:09 2 % q"
        );
        assert_eq!(when("2024-01-01").format("%r"), "12:00:00 AM");
        assert_eq!(when("2024-01-22").format("%D"), "22nd");
        assert_eq!(when("2024-01-13").format("%D"), "13th");
    }
}
