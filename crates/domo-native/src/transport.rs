//! The thin async loop: send what the core built, read the reply, ask the
//! core whether to retry, sleep, repeat.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use domo_core::{
    Attempt, Config, Endpoint, Error, ErrorKind, Prepared, RetryDecision, RetryPolicy,
};
use tracing::Instrument;

#[derive(Debug)]
pub(crate) struct Transport {
    http: reqwest::Client,
    pub(crate) config: Config,
    pub(crate) retry: RetryPolicy,
    timeout: Duration,
    rng: AtomicU64,
}

/// The outcome of a call and how many attempts it took: a caller that sees a
/// 409 on a later attempt knows an earlier one may have landed.
pub(crate) struct Sent<T> {
    pub result: Result<T, Error>,
    pub attempts: u32,
}

impl Transport {
    pub(crate) fn new(
        http: reqwest::Client,
        config: Config,
        retry: RetryPolicy,
        timeout: Duration,
    ) -> Transport {
        let seed = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9E37_79B9_7F4A_7C15);
        Transport {
            http,
            config,
            retry,
            timeout,
            rng: AtomicU64::new(seed | 1),
        }
    }

    /// A uniform draw in [0, 1) for retry jitter (xorshift64*; jitter needs
    /// spread, not cryptographic quality).
    fn jitter(&self) -> f64 {
        let mut x = self.rng.load(Ordering::Relaxed);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng.store(x, Ordering::Relaxed);
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }

    pub(crate) async fn call<E: Endpoint>(&self, endpoint: &E) -> Result<E::Output, Error> {
        self.call_counted(endpoint).await.result
    }

    pub(crate) async fn call_counted<E: Endpoint>(&self, endpoint: &E) -> Sent<E::Output> {
        let prepared = match self.config.prepare(endpoint) {
            Ok(p) => p,
            Err(e) => {
                return Sent {
                    result: Err(e),
                    attempts: 0,
                };
            }
        };
        let body = || Ok(reqwest::Body::from(prepared.body.clone()));
        self.run(endpoint, &prepared, &body).await
    }

    /// Like [`Transport::call_counted`] but the body is made afresh for each
    /// attempt by `body` (an upload part streamed from a file).
    pub(crate) async fn call_with_body<E: Endpoint>(
        &self,
        endpoint: &E,
        body: &(dyn Fn() -> Result<reqwest::Body, Error> + Sync),
        content_length: u64,
    ) -> Result<E::Output, Error> {
        let mut prepared = self.config.prepare(endpoint)?;
        prepared
            .headers
            .insert(http::header::CONTENT_LENGTH, content_length.into());
        self.run(endpoint, &prepared, body).await.result
    }

    async fn run<E: Endpoint>(
        &self,
        endpoint: &E,
        prepared: &Prepared,
        body: &(dyn Fn() -> Result<reqwest::Body, Error> + Sync),
    ) -> Sent<E::Output> {
        let span = tracing::debug_span!("domo.request", method = %prepared.label.method, path = %prepared.label.path);
        self.run_inner(endpoint, prepared, body)
            .instrument(span)
            .await
    }

    async fn run_inner<E: Endpoint>(
        &self,
        endpoint: &E,
        prepared: &Prepared,
        body: &(dyn Fn() -> Result<reqwest::Body, Error> + Sync),
    ) -> Sent<E::Output> {
        let started = Instant::now();
        let mut number = 0u32;
        loop {
            number += 1;
            let result = match self.send_once(prepared, body).await {
                Ok(response) => endpoint.handle(&prepared.label, response),
                Err(e) => Err(e),
            };
            let error = match result {
                Ok(v) => {
                    tracing::debug!(attempt = number, "ok");
                    return Sent {
                        result: Ok(v),
                        attempts: number,
                    };
                }
                Err(e) => e,
            };
            let attempt = Attempt {
                number,
                elapsed: started.elapsed(),
                idempotent: prepared.idempotent,
            };
            match self
                .retry
                .decide(&error, attempt, SystemTime::now(), self.jitter())
            {
                RetryDecision::RetryAfter(delay) => {
                    tracing::warn!(
                        attempt = number,
                        status = error.status(),
                        kind = ?error.kind(),
                        delay_ms = delay.as_millis() as u64,
                        "retrying"
                    );
                    tokio::time::sleep(delay).await;
                }
                RetryDecision::Stop => {
                    tracing::debug!(attempt = number, status = error.status(), kind = ?error.kind(), "giving up");
                    return Sent {
                        result: Err(error),
                        attempts: number,
                    };
                }
            }
        }
    }

    async fn send_once(
        &self,
        prepared: &Prepared,
        body: &(dyn Fn() -> Result<reqwest::Body, Error> + Sync),
    ) -> Result<http::Response<Bytes>, Error> {
        let label = &prepared.label;
        let body = body()?;
        let fail = |e: reqwest::Error| -> Error {
            let kind = if e.is_timeout() {
                ErrorKind::Timeout
            } else if e.is_connect() {
                ErrorKind::Connect
            } else {
                ErrorKind::Transport
            };
            let what = match kind {
                ErrorKind::Timeout => format!("no complete reply within {:?}", self.timeout),
                ErrorKind::Connect => "could not connect".to_owned(),
                _ => "the connection failed while the request was in flight".to_owned(),
            };
            Error::new(kind, what)
                .with_request(&label.method, &label.path)
                .with_source(e.without_url())
        };
        let response = self
            .http
            .request(label.method.clone(), prepared.uri.as_str())
            .headers(prepared.headers.clone())
            .body(body)
            .timeout(self.timeout)
            .send()
            .await
            .map_err(fail)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(fail)?;
        let mut out = http::Response::new(body);
        *out.status_mut() = status;
        *out.headers_mut() = headers;
        Ok(out)
    }

    /// Send and return the raw streaming reply once the status is a success
    /// (for exports). Retries cover getting the reply started.
    pub(crate) async fn open_stream<E: Endpoint>(
        &self,
        endpoint: &E,
    ) -> Result<reqwest::Response, Error> {
        let prepared = self.config.prepare(endpoint)?;
        let label = prepared.label.clone();
        let started = Instant::now();
        let mut number = 0;
        loop {
            number += 1;
            let sent = self
                .http
                .request(label.method.clone(), prepared.uri.as_str())
                .headers(prepared.headers.clone())
                .body(prepared.body.clone())
                .send()
                .await;
            let error = match sent {
                Ok(r) if r.status().is_success() => return Ok(r),
                Ok(r) => {
                    let status = r.status();
                    let headers = r.headers().clone();
                    let body = r.bytes().await.unwrap_or_default();
                    let mut resp = http::Response::new(body);
                    *resp.status_mut() = status;
                    *resp.headers_mut() = headers;
                    match domo_core::endpoint::check(resp) {
                        Ok(_) => Error::new(ErrorKind::Server, "unexpected reply"),
                        Err(e) => e,
                    }
                    .with_request(&label.method, &label.path)
                }
                Err(e) => {
                    let kind = if e.is_connect() {
                        ErrorKind::Connect
                    } else {
                        ErrorKind::Transport
                    };
                    Error::new(kind, "could not start the download")
                        .with_request(&label.method, &label.path)
                        .with_source(e.without_url())
                }
            };
            let attempt = Attempt {
                number,
                elapsed: started.elapsed(),
                idempotent: prepared.idempotent,
            };
            match self
                .retry
                .decide(&error, attempt, SystemTime::now(), self.jitter())
            {
                RetryDecision::RetryAfter(d) => tokio::time::sleep(d).await,
                RetryDecision::Stop => return Err(error),
            }
        }
    }
}
