//! The thin async loop: send what the core built, read the reply, ask the
//! core whether to retry, sleep, repeat.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use domo_core::{
    Attempt, Config, Endpoint, Error, ErrorKind, Prepared, RequestLabel, RetryDecision, RetryPolicy,
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
        self.with_retries(prepared, || async move {
            let response = self.send_once(prepared, body).await?;
            endpoint.handle(&prepared.label, response)
        })
        .await
    }

    /// Run `attempt` until it succeeds or the core policy says stop,
    /// sleeping between attempts as the policy says.
    async fn with_retries<T, F, Fut>(&self, prepared: &Prepared, mut attempt: F) -> Sent<T>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, Error>>,
    {
        let started = Instant::now();
        let mut number = 0u32;
        loop {
            number += 1;
            let error = match attempt().await {
                Ok(v) => {
                    tracing::debug!(attempt = number, "ok");
                    return Sent {
                        result: Ok(v),
                        attempts: number,
                    };
                }
                Err(e) => e,
            };
            let state = Attempt {
                number,
                elapsed: started.elapsed(),
                idempotent: prepared.idempotent,
            };
            match self
                .retry
                .decide(&error, state, SystemTime::now(), self.jitter())
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

    /// The error for a reqwest failure of `label`'s request.
    fn transport_error(&self, label: &RequestLabel, e: reqwest::Error) -> Error {
        let kind = if e.is_timeout() {
            ErrorKind::Timeout
        } else if e.is_connect() {
            ErrorKind::Connect
        } else {
            ErrorKind::Transport
        };
        let what = match kind {
            ErrorKind::Timeout => format!("no reply within {:?}", self.timeout),
            ErrorKind::Connect => "could not connect".to_owned(),
            _ => "the connection failed while the request was in flight".to_owned(),
        };
        Error::new(kind, what)
            .with_request(&label.method, &label.path)
            .with_source(e.without_url())
    }

    async fn send_once(
        &self,
        prepared: &Prepared,
        body: &(dyn Fn() -> Result<reqwest::Body, Error> + Sync),
    ) -> Result<http::Response<Bytes>, Error> {
        let label = &prepared.label;
        let fail = |e| self.transport_error(label, e);
        let response = self
            .http
            .request(label.method.clone(), prepared.uri.as_str())
            .headers(prepared.headers.clone())
            .body(body()?)
            .timeout(self.timeout)
            .send()
            .await
            .map_err(fail)?;
        to_http(response).await.map_err(fail)
    }

    /// Send and return the raw streaming reply once the status is a success
    /// (for exports). Retries cover getting the reply started; a stalled
    /// stream ends on the client's read timeout rather than a total one, so
    /// a large export is not cut off.
    pub(crate) async fn open_stream<E: Endpoint>(
        &self,
        endpoint: &E,
    ) -> Result<reqwest::Response, Error> {
        let prepared = self.config.prepare(endpoint)?;
        let prepared = &prepared;
        let label = &prepared.label;
        let span = tracing::debug_span!("domo.request", method = %label.method, path = %label.path);
        self.with_retries(prepared, || async move {
            let response = self
                .http
                .request(label.method.clone(), prepared.uri.as_str())
                .headers(prepared.headers.clone())
                .body(prepared.body.clone())
                .send()
                .await
                .map_err(|e| self.transport_error(label, e))?;
            if response.status().is_success() {
                return Ok(response);
            }
            let reply = to_http(response)
                .await
                .map_err(|e| self.transport_error(label, e))?;
            Err(match domo_core::endpoint::check(reply) {
                Ok(_) => Error::new(ErrorKind::Server, "unexpected reply"),
                Err(e) => e,
            }
            .with_request(&label.method, &label.path))
        })
        .instrument(span)
        .await
        .result
    }
}

/// A whole reqwest reply as an `http::Response<Bytes>` for the core.
async fn to_http(response: reqwest::Response) -> Result<http::Response<Bytes>, reqwest::Error> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await?;
    let mut out = http::Response::new(body);
    *out.status_mut() = status;
    *out.headers_mut() = headers;
    Ok(out)
}
