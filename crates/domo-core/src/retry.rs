//! The retry decision as a pure function of the failure, the attempt, the
//! time spent, the clock and a jitter draw, so that it is unit-testable and
//! runs the same in every transport.

use std::time::{Duration, SystemTime};

use crate::error::Error;

#[derive(Debug, Clone, PartialEq)]
/// When a failed request is sent again, and how long to wait first.
pub struct RetryPolicy {
    /// Attempts in all, the first included. 1 disables retries.
    pub max_attempts: u32,
    /// The backoff ceiling of the first retry; doubles each retry.
    pub base_delay: Duration,
    /// No single wait is longer, whatever the backoff or `Retry-After` says.
    pub max_delay: Duration,
    /// No retry starts once this much time has passed since the first attempt.
    pub budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(30),
            budget: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// What to do after a failed attempt.
pub enum RetryDecision {
    /// Wait this long, then send the request again.
    RetryAfter(Duration),
    /// Give up and return the error.
    Stop,
}

/// What the transport knows after a failed attempt.
#[derive(Debug, Clone, Copy)]
pub struct Attempt {
    /// 1 for the first attempt.
    pub number: u32,
    /// Time since the first attempt started.
    pub elapsed: Duration,
    /// Whether the request is idempotent (see [`crate::Method::idempotent`]; a declaration may say otherwise).
    pub idempotent: bool,
}

impl RetryPolicy {
    /// Decide what to do after `attempt` failed with `error`. `now` reads an
    /// HTTP-date `Retry-After`; `jitter` is a uniform draw in `[0, 1)` from
    /// the caller's random source.
    pub fn decide(
        &self,
        error: &Error,
        attempt: Attempt,
        now: SystemTime,
        jitter: f64,
    ) -> RetryDecision {
        if !error.is_retryable() || attempt.number >= self.max_attempts {
            return RetryDecision::Stop;
        }
        // Sending a non-idempotent request again is only safe when the first
        // one certainly had no effect.
        if !attempt.idempotent && !error.server_did_not_act() {
            return RetryDecision::Stop;
        }
        let delay = match error.retry_after().and_then(|v| parse_retry_after(v, now)) {
            Some(server_says) => server_says.min(self.max_delay),
            None => self.backoff(attempt.number, jitter),
        };
        if attempt.elapsed + delay > self.budget {
            return RetryDecision::Stop;
        }
        RetryDecision::RetryAfter(delay)
    }

    /// Full jitter: uniform in `[0, min(max_delay, base · 2^(n-1)))`.
    fn backoff(&self, attempt: u32, jitter: f64) -> Duration {
        let exp = attempt.saturating_sub(1).min(30);
        let ceiling = self
            .base_delay
            .saturating_mul(1u32 << exp)
            .min(self.max_delay);
        ceiling.mul_f64(jitter.clamp(0.0, 1.0))
    }
}

/// `Retry-After` as delta-seconds or an HTTP date. A date in the past means
/// "now". Anything else is ignored (and backoff applies).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if value.starts_with(|c: char| c.is_ascii_digit()) {
        return decimal_seconds(value);
    }
    let when = parse_http_date(value, now)?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// An HTTP date (RFC 9110 §5.6.7): the IMF-fixdate senders use
/// (`Sun, 06 Nov 1994 08:49:37 GMT`) and the two obsolete forms recipients
/// must still read (RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT`, asctime
/// `Sun Nov  6 08:49:37 1994`). The weekday is not checked. `now` places
/// the RFC 850 form's two-digit year. Read by hand: a date crate costs the
/// browser package 4 KiB for this one header.
pub fn parse_http_date(text: &str, now: SystemTime) -> Option<SystemTime> {
    let t: Vec<&str> = text.split_whitespace().collect();
    let (day, month, year, time) = match t[..] {
        [wd, day, month, year, time, "GMT"] if wd.ends_with(',') => (day, month, year, time),
        [wd, date, time, "GMT"] if wd.ends_with(',') => {
            let mut parts = date.split('-');
            let (day, month, yy) = (parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() || yy.len() != 2 {
                return None;
            }
            let year = two_digit_year(number(yy)?, now);
            return civil_time(year, month, number(day)?, time);
        }
        [_, month, day, time, year] => (day, month, year, time),
        _ => return None,
    };
    if year.len() != 4 {
        return None;
    }
    civil_time(number(year)?, month, number(day)?, time)
}

/// RFC 9110 §5.6.7: a two-digit year that would be more than 50 years
/// after `now` is the most recent past year with those digits. Compared by
/// calendar year, which can differ from the RFC's instant-by-instant reading
/// only for a date within a year of that 50-year line.
fn two_digit_year(yy: u64, now: SystemTime) -> u64 {
    let this_year = year_of(now);
    let year = this_year - this_year % 100 + yy;
    if year > this_year + 50 {
        year - 100
    } else {
        year
    }
}

/// The UTC calendar year of `t` (H. Hinnant's civil_from_days).
fn year_of(t: SystemTime) -> u64 {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2)) as u64
}

fn number(digits: &str) -> Option<u64> {
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// `year`-`month`-`day` `HH:MM:SS` UTC as a time; dates before 1970 read as
/// the epoch (for a `Retry-After`, "now").
fn civil_time(year: u64, month: &str, day: u64, time: &str) -> Option<SystemTime> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == month)? as u64 + 1;
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days_in_month = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day == 0 || day > days_in_month {
        return None;
    }
    let mut hms = time.split(':');
    let (h, m, s) = (hms.next()?, hms.next()?, hms.next()?);
    if hms.next().is_some() || h.len() != 2 || m.len() != 2 || s.len() != 2 {
        return None;
    }
    let (h, m, s) = (number(h)?, number(m)?, number(s)?);
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    // Days since 1970-01-01 (H. Hinnant's days_from_civil).
    let (y, mo) = (year as i64 - i64::from(month <= 2), month as i64);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (mo + if mo > 2 { -3 } else { 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + (h * 3600 + m * 60 + s.min(59)) as i64;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs.max(0) as u64))
}

/// Non-negative decimal seconds (`7`, `1.5`), capped at a day. Read by
/// hand rather than through `f64`: float parsing brings tables that cost
/// the browser package kilobytes, for a header that is nearly always an
/// integer.
fn decimal_seconds(value: &str) -> Option<Duration> {
    const DAY: u64 = 86_400;
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !(fraction.is_empty() || digits(fraction)) {
        return None;
    }
    // Past a day only the cap matters; too many digits for u64 are past it.
    let secs = whole.parse::<u64>().unwrap_or(u64::MAX);
    if secs >= DAY {
        return Some(Duration::from_secs(DAY));
    }
    let millis = fraction
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(3)
        .fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
    Some(Duration::from_millis(secs * 1000 + millis))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn attempt(number: u32, idempotent: bool) -> Attempt {
        Attempt {
            number,
            elapsed: Duration::from_secs(1),
            idempotent,
        }
    }

    fn http(status: u16) -> Error {
        check(crate::endpoint::Reply::new(status, bytes::Bytes::new()))
    }

    fn check(reply: crate::endpoint::Reply) -> Error {
        let spec = &crate::users::WhoAmI::SPEC;
        crate::endpoint::check::<serde_json::Value>(spec, reply).unwrap_err()
    }

    const NOW: u64 = 1_700_000_000;

    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(NOW)
    }

    #[test]
    fn http_dates_in_all_three_forms() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        for form in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(parse_http_date(form, now()), Some(t), "{form}");
        }
        // Against an independent formatter, across leap years and
        // centuries.
        let mut secs = 0u64;
        while secs < 4_102_444_800 * 2 {
            let t = SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
            let text = httpdate::fmt_http_date(t);
            assert_eq!(parse_http_date(&text, now()), Some(t), "{text}");
            secs += 7_919_999;
        }
        for bad in [
            "",
            "soon",
            "Sun, 31 Feb 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:49:37 PST",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 94 08:49:37 GMT",
            "Sun, 06 Nov 1994 8:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
        ] {
            assert_eq!(parse_http_date(bad, now()), None, "{bad}");
        }
        assert_eq!(
            parse_http_date("Thu, 01 Jan 1950 00:00:00 GMT", now()),
            Some(SystemTime::UNIX_EPOCH)
        );
    }

    #[test]
    fn two_digit_years_more_than_fifty_years_ahead_are_the_past_century() {
        // NOW is in 2023.
        let year = |yy: &str| {
            let text = format!("Sunday, 06-Nov-{yy} 08:49:37 GMT");
            let t = parse_http_date(&text, now()).unwrap();
            year_of(t)
        };
        assert_eq!(year("23"), 2023);
        assert_eq!(year("70"), 2070);
        assert_eq!(year("73"), 2073);
        assert_eq!(year("74"), 1974);
        assert_eq!(year("99"), 1999);
        assert_eq!(year("00"), 2000);
        // The window moves with `now`.
        let in_2080 = SystemTime::UNIX_EPOCH + Duration::from_secs(3_500_000_000);
        assert_eq!(year_of(in_2080), 2080);
        let t = parse_http_date("Sunday, 06-Nov-75 08:49:37 GMT", in_2080).unwrap();
        assert_eq!(year_of(t), 2075, "1975 in 2023, 2075 in 2080");
        assert_eq!(year("75"), 1975);
        // year_of against an independent formatter.
        let mut secs = 0u64;
        while secs < 4_102_444_800 * 2 {
            let t = SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
            let text = httpdate::fmt_http_date(t);
            let printed: u64 = text.split_whitespace().nth(3).unwrap().parse().unwrap();
            assert_eq!(year_of(t), printed, "{text}");
            secs += 7_919_999;
        }
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(parse_retry_after("7", now()), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 0 ", now()), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("1.5", now()),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            parse_retry_after("0.25", now()),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            parse_retry_after("2.0001", now()),
            Some(Duration::from_secs(2))
        );
        let day = Some(Duration::from_secs(86_400));
        assert_eq!(parse_retry_after("90000", now()), day);
        assert_eq!(parse_retry_after("99999999999999999999999", now()), day);
        assert_eq!(parse_retry_after("1.2.3", now()), None);
        assert_eq!(parse_retry_after("1e3", now()), None);
        let date = httpdate::fmt_http_date(now() + Duration::from_secs(42));
        assert_eq!(
            parse_retry_after(&date, now()),
            Some(Duration::from_secs(42))
        );
        let past = httpdate::fmt_http_date(now() - Duration::from_secs(42));
        assert_eq!(parse_retry_after(&past, now()), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now()), None);
        assert_eq!(parse_retry_after("-3", now()), None);
    }

    #[test]
    fn server_retry_after_wins_but_is_capped() {
        let p = RetryPolicy::default();
        let e = http(429).with_retry_after("3");
        assert_eq!(
            p.decide(&e, attempt(1, true), now(), 0.99),
            RetryDecision::RetryAfter(Duration::from_secs(3))
        );
        let e = http(503).with_retry_after("3600");
        assert_eq!(
            p.decide(&e, attempt(1, true), now(), 0.5),
            RetryDecision::RetryAfter(p.max_delay)
        );
    }

    #[test]
    fn full_jitter_stays_within_the_exponential_ceiling() {
        let p = RetryPolicy {
            max_attempts: 20,
            budget: Duration::from_secs(3600),
            ..RetryPolicy::default()
        };
        let e = http(500);
        for n in 1..=10u32 {
            let ceiling = (p.base_delay * 2u32.pow(n - 1)).min(p.max_delay);
            assert_eq!(
                p.decide(&e, attempt(n, true), now(), 0.0),
                RetryDecision::RetryAfter(Duration::ZERO)
            );
            let RetryDecision::RetryAfter(hi) = p.decide(&e, attempt(n, true), now(), 0.999_999)
            else {
                panic!()
            };
            assert!(
                hi <= ceiling && hi + Duration::from_millis(1) >= ceiling,
                "attempt {n}: {hi:?} vs {ceiling:?}"
            );
            let RetryDecision::RetryAfter(mid) = p.decide(&e, attempt(n, true), now(), 0.5) else {
                panic!()
            };
            assert!(mid <= ceiling / 2 + Duration::from_millis(1));
        }
        // Out-of-range draws are clamped rather than trusted.
        let RetryDecision::RetryAfter(d) = p.decide(&e, attempt(1, true), now(), 7.0) else {
            panic!()
        };
        assert!(d <= p.base_delay);
    }

    #[test]
    fn attempts_and_budget_are_limits() {
        let p = RetryPolicy {
            max_attempts: 3,
            ..RetryPolicy::default()
        };
        let e = http(502);
        assert!(matches!(
            p.decide(&e, attempt(2, true), now(), 0.5),
            RetryDecision::RetryAfter(_)
        ));
        assert_eq!(
            p.decide(&e, attempt(3, true), now(), 0.5),
            RetryDecision::Stop
        );
        let late = Attempt {
            number: 1,
            elapsed: p.budget - Duration::from_secs(1),
            idempotent: true,
        };
        let e = http(429).with_retry_after("5");
        assert_eq!(p.decide(&e, late, now(), 0.5), RetryDecision::Stop);
        assert_eq!(
            RetryPolicy::none().decide(&e, attempt(1, true), now(), 0.5),
            RetryDecision::Stop
        );
    }

    #[test]
    fn what_retries_and_what_does_not() {
        let p = RetryPolicy::default();
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(
                matches!(
                    p.decide(&http(s), attempt(1, true), now(), 0.1),
                    RetryDecision::RetryAfter(_)
                ),
                "{s}"
            );
        }
        for s in [400, 401, 403, 404, 409, 413] {
            assert_eq!(
                p.decide(&http(s), attempt(1, true), now(), 0.1),
                RetryDecision::Stop,
                "{s}"
            );
        }
        let rate_403 = check(crate::endpoint::Reply::new(
            403,
            &br#"{"message":"API Rate limit reached."}"#[..],
        ));
        assert!(matches!(
            p.decide(&rate_403, attempt(1, false), now(), 0.1),
            RetryDecision::RetryAfter(_)
        ));
    }

    #[test]
    fn non_idempotent_requests_retry_only_when_the_server_did_not_act() {
        let p = RetryPolicy::default();
        let not_sent = Error::new(ErrorKind::Connect, "refused");
        let reset = Error::new(ErrorKind::Transport, "reset");
        let timeout = Error::new(ErrorKind::Timeout, "slow");
        assert!(matches!(
            p.decide(&not_sent, attempt(1, false), now(), 0.1),
            RetryDecision::RetryAfter(_)
        ));
        assert!(matches!(
            p.decide(&http(429), attempt(1, false), now(), 0.1),
            RetryDecision::RetryAfter(_)
        ));
        assert!(matches!(
            p.decide(&http(503), attempt(1, false), now(), 0.1),
            RetryDecision::RetryAfter(_)
        ));
        for e in [reset, timeout, http(500), http(502), http(504)] {
            assert_eq!(
                p.decide(&e, attempt(1, false), now(), 0.1),
                RetryDecision::Stop,
                "{e}"
            );
            assert!(
                matches!(
                    p.decide(&e, attempt(1, true), now(), 0.1),
                    RetryDecision::RetryAfter(_)
                ),
                "{e}"
            );
        }
    }
}
