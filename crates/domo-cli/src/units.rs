//! Parsing what people type for sizes (`32MB`, `1MiB`) and durations
//! (`30s`, `500ms`), and printing byte counts and timestamps for people.

use std::time::Duration;

/// Units a size may carry: decimal (kB = 1000) and binary (KiB = 1024).
/// Matched case-insensitively; `B` alone and no unit both mean bytes.
const SIZE_UNITS: &[(&str, u64)] = &[
    ("", 1),
    ("b", 1),
    ("k", 1_000),
    ("kb", 1_000),
    ("m", 1_000_000),
    ("mb", 1_000_000),
    ("g", 1_000_000_000),
    ("gb", 1_000_000_000),
    ("ki", 1 << 10),
    ("kib", 1 << 10),
    ("mi", 1 << 20),
    ("mib", 1 << 20),
    ("gi", 1 << 30),
    ("gib", 1 << 30),
];

/// A positive byte count: `32MB` (32 000 000), `1MiB` (1 048 576), `500kB`,
/// `1.5GiB`, or plain bytes (`65536`).
pub fn parse_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let bad = |why: String| format!("invalid size `{text}`: {why}");
    if t.is_empty() {
        return Err(bad(
            "it is empty; give bytes or a number with a unit, such as 32MB or 1MiB".into(),
        ));
    }
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = (t[..split].trim(), t[split..].trim());
    if number.is_empty() {
        return Err(bad("it must start with a number, such as 32MB".into()));
    }
    let factor = SIZE_UNITS
        .iter()
        .find(|(u, _)| u.eq_ignore_ascii_case(unit))
        .map(|(_, f)| *f)
        .ok_or_else(|| {
            bad(format!(
                "unknown unit `{unit}` (use B, kB, MB, GB, KiB, MiB or GiB)"
            ))
        })?;
    let bytes = if number.contains('.') {
        let value: f64 = number
            .parse()
            .map_err(|_| bad(format!("`{number}` is not a number")))?;
        let bytes = (value * factor as f64).round();
        if !(bytes.is_finite() && bytes < usize::MAX as f64) {
            return Err(bad("it is too large".into()));
        }
        bytes as u64
    } else {
        let value: u64 = number
            .parse()
            .map_err(|_| bad(format!("`{number}` is not a whole number")))?;
        value
            .checked_mul(factor)
            .ok_or_else(|| bad("it is too large".into()))?
    };
    if bytes == 0 {
        return Err(bad("it must be at least 1 byte".into()));
    }
    usize::try_from(bytes).map_err(|_| bad("it is too large".into()))
}

/// A duration: `30s`, `500ms`, `2m`, `1h`, or plain seconds (`30`, `1.5`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let bad = |why: &str| format!("invalid duration `{text}`: {why}");
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = (&t[..split], t[split..].trim());
    let value: f64 = number
        .parse()
        .map_err(|_| bad("expected a number with an optional unit, such as 30s or 500ms"))?;
    let seconds = match unit.to_ascii_lowercase().as_str() {
        "ms" => value / 1000.0,
        "" | "s" => value,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        other => return Err(bad(&format!("unknown unit `{other}` (use ms, s, m or h)"))),
    };
    if !(seconds.is_finite() && seconds > 0.0 && seconds < 1e9) {
        return Err(bad("it must be more than zero"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// `12.3 MB`: decimal units, as people read download sizes.
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64;
    let mut unit = "B";
    for u in UNITS {
        if value < 1000.0 {
            break;
        }
        value /= 1000.0;
        unit = u;
    }
    format!("{value:.1} {unit}")
}

/// Epoch milliseconds as `2024-05-01 13:04:05Z` (UTC).
pub fn format_epoch_ms(ms: i64) -> String {
    format_epoch_seconds(ms.div_euclid(1000))
}

/// Epoch seconds as `2024-05-01 13:04:05Z` (UTC).
pub fn format_epoch_seconds(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Epoch milliseconds as RFC 3339 in UTC, `2024-05-01T13:04:05Z`: the form
/// agents and JSON readers parse.
pub fn rfc3339_from_epoch_ms(ms: i64) -> String {
    format_epoch_ms(ms).replacen(' ', "T", 1)
}

/// `2024-05-01` (the start of that day) or `2024-05-01T13:04:05Z` (a
/// trailing `Z` or none: UTC either way; fractions dropped) as epoch
/// milliseconds.
pub fn parse_utc_timestamp(text: &str) -> Result<i64, String> {
    use domo_native::model::types::{Date, DateTime};
    let t = text.trim();
    let at = if t.len() == 10 {
        t.parse::<Date>().map(|date| DateTime {
            date,
            hour: 0,
            minute: 0,
            second: 0,
        })
    } else {
        t.parse::<DateTime>()
    }
    .map_err(|_| {
        format!("{text:?} is not a date (2024-05-01) or a UTC date-time (2024-05-01T13:04:05Z)")
    })?;
    let days = days_from_civil(
        i64::from(at.date.year),
        u32::from(at.date.month),
        u32::from(at.date.day),
    );
    let secs = days * 86_400
        + i64::from(at.hour) * 3600
        + i64::from(at.minute) * 60
        + i64::from(at.second);
    Ok(secs * 1000)
}

/// A proleptic Gregorian date to days since 1970-01-01, the inverse of
/// [`civil_from_days`] (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_with_units() {
        for (text, bytes) in [
            ("65536", 65_536),
            ("32MB", 32_000_000),
            ("32mb", 32_000_000),
            ("1MiB", 1_048_576),
            ("1mib", 1_048_576),
            ("500kB", 500_000),
            ("500 KB", 500_000),
            ("4KiB", 4096),
            ("2Ki", 2048),
            ("1.5MiB", 1_572_864),
            ("1GB", 1_000_000_000),
            ("10B", 10),
            (" 8M ", 8_000_000),
        ] {
            assert_eq!(parse_size(text), Ok(bytes), "{text}");
        }
    }

    #[test]
    fn nonsense_sizes_say_why() {
        for (text, why) in [
            ("", "empty"),
            ("MB", "start with a number"),
            ("32XB", "unknown unit `XB`"),
            ("32 parsecs", "unknown unit"),
            ("-5MB", "start with a number"),
            ("0", "at least 1 byte"),
            ("0KiB", "at least 1 byte"),
            ("1.2.3MB", "not a number"),
            ("99999999999999999999", "not a whole number"),
            ("99999999999GiB", "too large"),
        ] {
            let e = parse_size(text).unwrap_err();
            assert!(e.contains(why), "{text}: {e}");
            assert!(e.starts_with("invalid size"), "{e}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        for bad in ["", "0", "soon", "5 days", "-1s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bytes_for_people() {
        assert_eq!(format_bytes(0), "0 B");
        assert_eq!(format_bytes(999), "999 B");
        assert_eq!(format_bytes(1500), "1.5 kB");
        assert_eq!(format_bytes(23_456_789), "23.5 MB");
        assert_eq!(format_bytes(4_200_000_000), "4.2 GB");
    }

    #[test]
    fn timestamps_in_utc() {
        assert_eq!(format_epoch_ms(0), "1970-01-01 00:00:00Z");
        assert_eq!(format_epoch_ms(1_654_557_838_137), "2022-06-06 23:23:58Z");
        assert_eq!(format_epoch_seconds(951_782_400), "2000-02-29 00:00:00Z");
        assert_eq!(format_epoch_seconds(-1), "1969-12-31 23:59:59Z");
        assert_eq!(
            rfc3339_from_epoch_ms(1_654_557_838_137),
            "2022-06-06T23:23:58Z"
        );
    }

    #[test]
    fn utc_timestamps_parse_to_epoch_ms_and_back() {
        assert_eq!(parse_utc_timestamp("1970-01-01"), Ok(0));
        assert_eq!(
            parse_utc_timestamp("2022-06-06T23:23:58Z"),
            Ok(1_654_557_838_000)
        );
        assert_eq!(
            parse_utc_timestamp("2000-02-29 00:00:00"),
            Ok(951_782_400_000)
        );
        assert_eq!(parse_utc_timestamp("1969-12-31T23:59:59"), Ok(-1000));
        for days in [-800_000, -1, 0, 59, 60, 11_016, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        let e = parse_utc_timestamp("yesterday").unwrap_err();
        assert!(
            e.contains("\"yesterday\"") && e.contains("2024-05-01"),
            "{e}"
        );
        assert!(parse_utc_timestamp("2023-02-29").is_err());
    }
}
