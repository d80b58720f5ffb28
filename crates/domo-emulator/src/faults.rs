//! Fault injection: a deterministic PRNG decides, before a request is
//! processed, whether it gets a 429, an HTML 503, a reset connection, or
//! goes through. Nothing downstream runs for a faulted request, so server
//! state never changes because of one.

use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{error_body, json_response};
use crate::rng::SplitMix64;

/// A parsed `--faults` spec such as `429=0.1,503=0.05,reset=0.02,latency=20ms`.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultSpec {
    /// Probability of answering 429 with `Retry-After`.
    pub rate_limited: f64,
    /// Probability of answering 503 with an HTML maintenance page.
    pub unavailable: f64,
    /// Probability of dropping the connection without a complete response.
    pub reset: f64,
    /// Delay added to every `/api/*` and `/v1/*` request.
    pub latency: Duration,
    /// Seconds sent in `Retry-After` with a 429.
    pub retry_after_secs: u64,
}

impl Default for FaultSpec {
    fn default() -> Self {
        Self {
            rate_limited: 0.0,
            unavailable: 0.0,
            reset: 0.0,
            latency: Duration::ZERO,
            retry_after_secs: 1,
        }
    }
}

impl FaultSpec {
    /// True when the spec can never change a response.
    pub fn is_inert(&self) -> bool {
        self.rate_limited == 0.0
            && self.unavailable == 0.0
            && self.reset == 0.0
            && self.latency.is_zero()
    }
}

fn parse_probability(key: &str, value: &str) -> Result<f64, String> {
    let p: f64 = value
        .parse()
        .map_err(|_| format!("`{key}={value}`: expected a probability between 0 and 1"))?;
    if !(0.0..=1.0).contains(&p) {
        return Err(format!(
            "`{key}={value}`: probability must be between 0 and 1"
        ));
    }
    Ok(p)
}

fn parse_duration(key: &str, value: &str) -> Result<Duration, String> {
    let bad = || format!("`{key}={value}`: expected a duration such as 20ms, 1.5s or 250us");
    let (number, scale) = if let Some(n) = value.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = value.strip_suffix("us") {
        (n, 1e-6)
    } else if let Some(n) = value.strip_suffix('s') {
        (n, 1.0)
    } else {
        // A bare number is milliseconds, the unit latency is usually given in.
        (value, 1e-3)
    };
    let n: f64 = number.trim().parse().map_err(|_| bad())?;
    if !n.is_finite() || n < 0.0 || n * scale > 3600.0 {
        return Err(bad());
    }
    Ok(Duration::from_secs_f64(n * scale))
}

impl FromStr for FaultSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut spec = FaultSpec::default();
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (key, value) = item
                .split_once('=')
                .ok_or_else(|| format!("`{item}`: expected KEY=VALUE"))?;
            let (key, value) = (key.trim(), value.trim());
            match key.to_ascii_lowercase().as_str() {
                "429" => spec.rate_limited = parse_probability(key, value)?,
                "503" => spec.unavailable = parse_probability(key, value)?,
                "reset" => spec.reset = parse_probability(key, value)?,
                "latency" => spec.latency = parse_duration(key, value)?,
                "retry-after" => {
                    spec.retry_after_secs = value.parse().map_err(|_| {
                        format!("`{key}={value}`: expected a whole number of seconds")
                    })?
                }
                _ => {
                    return Err(format!(
                        "unknown fault `{key}` (known: 429, 503, reset, latency, retry-after)"
                    ));
                }
            }
        }
        let total = spec.rate_limited + spec.unavailable + spec.reset;
        if total > 1.0 + 1e-9 {
            return Err(format!(
                "the fault probabilities add up to {total}, more than 1"
            ));
        }
        Ok(spec)
    }
}

/// Shared state of the fault middleware.
#[derive(Debug)]
pub(crate) struct Faults {
    pub spec: FaultSpec,
    rng: Mutex<SplitMix64>,
}

impl Faults {
    pub fn new(spec: FaultSpec, seed: u64) -> Self {
        Self {
            spec,
            rng: Mutex::new(SplitMix64::new(seed)),
        }
    }

    fn draw(&self) -> f64 {
        let mut rng = self.rng.lock().unwrap_or_else(|p| p.into_inner());
        rng.next_f64()
    }
}

const MAINTENANCE_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>Domo is down for maintenance</title></head>\n<body><h1>Domo is down for maintenance</h1><p>We'll be back shortly.</p></body></html>\n";

/// Middleware: applies to `/api/*` only; CORS preflights are answered before it.
pub(crate) async fn inject(
    State(faults): State<Arc<Faults>>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    if !path.starts_with("/api/") && !path.starts_with("/v1/") {
        return next.run(req).await;
    }
    let spec = &faults.spec;
    if !spec.latency.is_zero() {
        tokio::time::sleep(spec.latency).await;
    }
    let u = faults.draw();
    if u < spec.rate_limited {
        let status = StatusCode::TOO_MANY_REQUESTS;
        let mut resp = json_response(status, &error_body(status, "API Rate limit reached."));
        resp.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(spec.retry_after_secs),
        );
        return resp;
    }
    if u < spec.rate_limited + spec.unavailable {
        let mut resp = (StatusCode::SERVICE_UNAVAILABLE, MAINTENANCE_PAGE).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        return resp;
    }
    if u < spec.rate_limited + spec.unavailable + spec.reset {
        return reset_response();
    }
    next.run(req).await
}

/// A response whose body fails on its first poll: hyper then drops the
/// connection before flushing the head, so the client sees a connection
/// error rather than any status line.
fn reset_response() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<bytes::Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "injected connection reset",
        ))
    });
    Response::new(Body::from_stream(stream))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_full_spec() {
        let s: FaultSpec = "429=0.1,503=0.05,reset=0.02,latency=20ms".parse().unwrap();
        assert_eq!(s.rate_limited, 0.1);
        assert_eq!(s.unavailable, 0.05);
        assert_eq!(s.reset, 0.02);
        assert_eq!(s.latency, Duration::from_millis(20));
        assert_eq!(s.retry_after_secs, 1);
        let s: FaultSpec = "retry-after=0, latency=1.5s".parse().unwrap();
        assert_eq!(s.retry_after_secs, 0);
        assert_eq!(s.latency, Duration::from_millis(1500));
        assert!("".parse::<FaultSpec>().unwrap().is_inert());
    }

    #[test]
    fn rejects_bad_specs_with_the_offending_item() {
        for (spec, needle) in [
            ("429=2", "429=2"),
            ("429=x", "429=x"),
            ("teapot=0.1", "teapot"),
            ("latency=fast", "latency=fast"),
            ("429", "KEY=VALUE"),
            ("429=0.6,503=0.6", "more than 1"),
            ("retry-after=-1", "retry-after=-1"),
        ] {
            let err = spec.parse::<FaultSpec>().unwrap_err();
            assert!(err.contains(needle), "{spec}: {err}");
        }
    }
}
