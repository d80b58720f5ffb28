//! Rust types for Domo's column types where no std type fits: `DATE`,
//! `DATETIME` and `DECIMAL`. They deserialize from what servers send
//! (strings, and numbers for decimals) so typed queries can map rows onto
//! structs: `LONG` → `i64`, `DOUBLE` → `f64`, `STRING` → `String`, and these.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// The year, four digits on the wire.
    pub year: i32,
    /// The month, 1 to 12.
    pub month: u8,
    /// The day of the month, from 1.
    pub day: u8,
}

/// A date and time of day (Domo's `DATETIME`, no time zone),
/// `YYYY-MM-DDTHH:MM:SS` (a space instead of `T`, and a trailing `Z`, accepted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    /// The calendar date.
    pub date: Date,
    /// The hour, 0 to 23.
    pub hour: u8,
    /// The minute, 0 to 59.
    pub minute: u8,
    /// The second, 0 to 59 (fractions are dropped when parsing).
    pub second: u8,
}

/// A decimal kept as its exact text (no binary rounding).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Decimal(String);

fn days_in(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

fn num<T: FromStr>(s: &str, len: usize) -> Option<T> {
    (s.len() == len && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
}

impl FromStr for Date {
    type Err = String;
    fn from_str(s: &str) -> Result<Date, String> {
        let bad = || format!("{s:?} is not a date (expected YYYY-MM-DD)");
        let mut it = s.trim().split('-');
        let (Some(y), Some(m), Some(d), None) = (it.next(), it.next(), it.next(), it.next()) else {
            return Err(bad());
        };
        let (year, month, day): (i32, u8, u8) = (
            num(y, 4).ok_or_else(bad)?,
            num(m, 2).ok_or_else(bad)?,
            num(d, 2).ok_or_else(bad)?,
        );
        if day == 0 || day > days_in(year, month) {
            return Err(bad());
        }
        Ok(Date { year, month, day })
    }
}

impl FromStr for DateTime {
    type Err = String;
    fn from_str(s: &str) -> Result<DateTime, String> {
        let bad = || format!("{s:?} is not a date-time (expected YYYY-MM-DDTHH:MM:SS)");
        let t = s.trim().trim_end_matches('Z');
        let (d, time) = t.split_once(['T', ' ']).ok_or_else(bad)?;
        let date: Date = d.parse().map_err(|_| bad())?;
        let time = time.split('.').next().unwrap_or_default();
        let mut it = time.split(':');
        let (Some(h), Some(m), sec, None) = (it.next(), it.next(), it.next(), it.next()) else {
            return Err(bad());
        };
        let hour: u8 = num(h, 2).filter(|h| *h < 24).ok_or_else(bad)?;
        let minute: u8 = num(m, 2).filter(|m| *m < 60).ok_or_else(bad)?;
        let second: u8 = match sec {
            Some(x) => num(x, 2).filter(|x| *x < 60).ok_or_else(bad)?,
            None => 0,
        };
        Ok(DateTime {
            date,
            hour,
            minute,
            second,
        })
    }
}

impl FromStr for Decimal {
    type Err = String;
    fn from_str(s: &str) -> Result<Decimal, String> {
        let t = s.trim();
        let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let ok = !(int.is_empty() && frac.is_empty())
            && int.bytes().all(|b| b.is_ascii_digit())
            && frac.bytes().all(|b| b.is_ascii_digit());
        if ok {
            Ok(Decimal(t.to_owned()))
        } else {
            Err(format!("{s:?} is not a decimal number"))
        }
    }
}

impl Decimal {
    /// The number's text, exactly as given (without surrounding spaces).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The nearest `f64` (may round).
    pub fn to_f64(&self) -> f64 {
        self.0.parse().unwrap_or(f64::NAN)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}T{:02}:{:02}:{:02}",
            self.date, self.hour, self.minute, self.second
        )
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! text_serde {
    ($t:ty, $expecting:literal) => {
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl serde::de::Visitor<'_> for V {
                    type Value = $t;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$t, E> {
                        v.parse().map_err(E::custom)
                    }
                    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<$t, E> {
                        v.to_string().parse().map_err(E::custom)
                    }
                    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<$t, E> {
                        v.to_string().parse().map_err(E::custom)
                    }
                    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<$t, E> {
                        v.to_string().parse().map_err(E::custom)
                    }
                }
                d.deserialize_any(V)
            }
        }
    };
}

text_serde!(Date, "a date string YYYY-MM-DD");
text_serde!(DateTime, "a date-time string YYYY-MM-DDTHH:MM:SS");
text_serde!(Decimal, "a decimal number or string");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_and_print() {
        let d: Date = serde_json::from_str("\"2024-02-29\"").unwrap();
        assert_eq!(d.to_string(), "2024-02-29");
        assert!(serde_json::from_str::<Date>("\"2023-02-29\"").is_err());
        assert!(serde_json::from_str::<Date>("\"2024-13-01\"").is_err());
        assert!(serde_json::from_str::<Date>("\"24-1-1\"").is_err());
        let t: DateTime = serde_json::from_str("\"2024-01-02 03:04:05.250Z\"").unwrap();
        assert_eq!(t.to_string(), "2024-01-02T03:04:05");
        assert!(serde_json::from_str::<DateTime>("\"2024-01-02T25:00:00\"").is_err());
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2024-01-02T03:04:05\""
        );
    }

    #[test]
    fn decimals_keep_their_text() {
        let d: Decimal = serde_json::from_str("\"12.3400\"").unwrap();
        assert_eq!(d.as_str(), "12.3400");
        let n: Decimal = serde_json::from_str("7").unwrap();
        assert_eq!(n.as_str(), "7");
        assert!(serde_json::from_str::<Decimal>("\"1e5x\"").is_err());
        assert!(serde_json::from_str::<Decimal>("\".\"").is_err());
    }
}
