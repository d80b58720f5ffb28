//! The thin async loop: send what the core built, read the reply, ask the
//! core whether to retry, sleep, repeat.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use domo_core::endpoint::Reply;
use domo_core::load::Call;
use domo_core::oauth::{RequestToken, TokenReply, TokenState, TokenStep};
use domo_core::spec::ReplyShape;
use domo_core::{
    Attempt, Config, Credentials, Endpoint, Error, ErrorKind, Prepared, RequestLabel,
    RetryDecision, RetryPolicy, Secret,
};
use serde_json::Value;
use tracing::Instrument;

#[derive(Debug)]
pub(crate) struct Transport {
    http: reqwest::Client,
    pub(crate) config: Config,
    pub(crate) retry: RetryPolicy,
    timeout: Duration,
    rng: AtomicU64,
    /// The access token of a client with OAuth client credentials.
    oauth: Option<OAuth>,
}

/// One client's access token, shared by all its requests: domo-core's
/// [`TokenState`] decides, this holds it and wakes the requests that wait
/// for a fetch in flight.
#[derive(Debug)]
struct OAuth {
    state: Mutex<TokenState>,
    fetched: tokio::sync::Notify,
}

impl OAuth {
    fn state(&self) -> std::sync::MutexGuard<'_, TokenState> {
        // The state is a few fields set in one step each: a panic elsewhere
        // cannot leave it half-written.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Abandons the fetch in flight if the request fetching is dropped before
/// it reports, so the others do not wait for it forever.
struct Fetching<'a>(Option<&'a OAuth>);

impl Drop for Fetching<'_> {
    fn drop(&mut self) {
        if let Some(oauth) = self.0.take() {
            oauth.state().abandon();
            oauth.fetched.notify_waiters();
        }
    }
}

/// Makes a request body afresh for each attempt (a part read from a file).
pub(crate) type MakeBody<'a> = dyn Fn() -> Result<reqwest::Body, Error> + Sync + 'a;

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
        let oauth = match &config.credentials {
            Credentials::Client(client) => Some(OAuth {
                state: Mutex::new(TokenState::new(client)),
                fetched: tokio::sync::Notify::new(),
            }),
            _ => None,
        };
        Transport {
            http,
            config,
            retry,
            timeout,
            rng: AtomicU64::new(seed | 1),
            oauth,
        }
    }

    /// The access token `prepared` is to carry: none without client
    /// credentials; otherwise the one
    /// held while fresh, or a new one, fetched by this request or by the
    /// one already fetching (never two fetches at once).
    async fn bearer(&self) -> Result<Option<Secret>, Error> {
        let Some(oauth) = &self.oauth else {
            return Ok(None);
        };
        loop {
            let fetched = oauth.fetched.notified();
            tokio::pin!(fetched);
            // Registered before the state is read: a fetch that ends in
            // between still wakes this request.
            fetched.as_mut().enable();
            let step = oauth.state().next(SystemTime::now());
            match step {
                TokenStep::Use(token) => return Ok(Some(token)),
                TokenStep::Wait => fetched.await,
                TokenStep::Fetch(request) => {
                    let mut guard = Fetching(Some(oauth));
                    let result = self.fetch_token(&request).await;
                    guard.0 = None;
                    let token = oauth.state().fetched(result, SystemTime::now());
                    oauth.fetched.notify_waiters();
                    return token.map(Some);
                }
            }
        }
    }

    /// Send the token request (with the client's retries; HTTP Basic, so
    /// no bearer token) and read its reply.
    async fn fetch_token(&self, request: &RequestToken) -> Result<TokenReply, Error> {
        let prepared = self.config.prepare(request)?;
        let prepared = &prepared;
        let label = &prepared.label;
        let span = tracing::debug_span!(
            "domo.request",
            endpoint = prepared.endpoint,
            method = %label.method,
            path = %label.path
        );
        self.with_retries(prepared, || async move {
            let response = self
                .request(prepared, None)?
                .body(prepared.body.clone())
                .timeout(self.timeout)
                .send()
                .await
                .map_err(|e| self.transport_error(label, e))?;
            let reply = to_reply(response)
                .await
                .map_err(|e| self.transport_error(label, e))?;
            request.handle(prepared, reply)
        })
        .instrument(span)
        .await
        .result
    }

    /// A 401 to a request that carried `token`: the next request fetches a
    /// new one (unless another request has already).
    fn rejected(&self, token: &Secret) {
        if let Some(oauth) = &self.oauth {
            oauth.state().rejected(token);
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
        self.run(&prepared, &body, |reply| endpoint.handle(&prepared, reply))
            .await
    }

    /// A request of a load's plan, read as the browser package reads it:
    /// the spec's steps on the parsed JSON (the plan reads only a few
    /// fields of each reply). `body`, when given, streams the request body
    /// anew for each attempt (an upload part read from a file).
    pub(crate) async fn call_plan(
        &self,
        call: &Call,
        body: Option<(&MakeBody<'_>, u64)>,
    ) -> Sent<Value> {
        let mut prepared = match call.prepare::<Value>(&self.config) {
            Ok(p) => p,
            Err(e) => {
                return Sent {
                    result: Err(e),
                    attempts: 0,
                };
            }
        };
        let memory = || Ok(reqwest::Body::from(prepared.body.clone()));
        let body: &(dyn Fn() -> Result<reqwest::Body, Error> + Sync) = match body {
            Some((stream, length)) => {
                prepared.headers.push(domo_core::request::Header {
                    name: "content-length",
                    value: length.to_string(),
                    sensitive: false,
                });
                stream
            }
            None => &memory,
        };
        let spec = call.spec;
        let prepared = &prepared;
        self.run(prepared, body, |reply| {
            let reply = domo_core::endpoint::check::<Value>(spec, reply)
                .map_err(|e| e.with_request(prepared.label.method, &prepared.label.path))?;
            match spec.reply_to(prepared.header("accept")) {
                ReplyShape::Json(fixups) => domo_core::steps::read_reply(
                    fixups,
                    &reply.text(),
                    std::str::from_utf8(&prepared.body).ok(),
                )
                .map_err(|e| {
                    e.with_body(&reply.body)
                        .with_request(prepared.label.method, &prepared.label.path)
                }),
                ReplyShape::Text | ReplyShape::Empty => Ok(Value::Null),
            }
        })
        .await
    }

    async fn run<T>(
        &self,
        prepared: &Prepared,
        body: &(dyn Fn() -> Result<reqwest::Body, Error> + Sync),
        read: impl Fn(Reply) -> Result<T, Error>,
    ) -> Sent<T> {
        let span = tracing::debug_span!(
            "domo.request",
            endpoint = prepared.endpoint,
            method = %prepared.label.method,
            path = %prepared.label.path
        );
        let read = &read;
        self.with_retries(prepared, || async move {
            let response = self.send_once(prepared, body).await?;
            read(response)
        })
        .instrument(span)
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
            .with_request(label.method, &label.path)
            .with_source(e.without_url())
    }

    async fn send_once(
        &self,
        prepared: &Prepared,
        body: &(dyn Fn() -> Result<reqwest::Body, Error> + Sync),
    ) -> Result<Reply, Error> {
        let label = &prepared.label;
        let fail = |e| self.transport_error(label, e);
        let mut renewed = false;
        loop {
            let bearer = self.bearer().await?;
            let response = self
                .request(prepared, bearer.as_ref())?
                .body(body()?)
                .timeout(self.timeout)
                .send()
                .await
                .map_err(fail)?;
            let reply = to_reply(response).await.map_err(fail)?;
            match bearer {
                // The token expired by the server's clock, or was revoked:
                // renewed once, and the request sent again.
                Some(token) if reply.status == 401 && !renewed => {
                    self.rejected(&token);
                    renewed = true;
                }
                _ => return Ok(reply),
            }
        }
    }

    /// The reqwest request of `prepared`, carrying `bearer` if given, its
    /// credential headers marked sensitive, without a body.
    fn request(
        &self,
        prepared: &Prepared,
        bearer: Option<&Secret>,
    ) -> Result<reqwest::RequestBuilder, Error> {
        let authorized;
        let prepared = match bearer {
            Some(token) => {
                let mut with = prepared.clone();
                with.set_bearer(token)
                    .map_err(|e| e.with_request(prepared.label.method, &prepared.label.path))?;
                authorized = with;
                &authorized
            }
            None => prepared,
        };
        let method = match prepared.label.method {
            domo_core::Method::Get => reqwest::Method::GET,
            domo_core::Method::Post => reqwest::Method::POST,
            domo_core::Method::Put => reqwest::Method::PUT,
            domo_core::Method::Patch => reqwest::Method::PATCH,
            _ => reqwest::Method::DELETE,
        };
        let mut headers = reqwest::header::HeaderMap::with_capacity(prepared.headers.len());
        for h in &prepared.headers {
            if let Ok(mut value) = reqwest::header::HeaderValue::from_str(&h.value) {
                value.set_sensitive(h.sensitive);
                headers.insert(reqwest::header::HeaderName::from_static(h.name), value);
            }
        }
        Ok(self
            .http
            .request(method, prepared.uri.as_str())
            .headers(headers))
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
        let spec = endpoint.spec();
        let span = tracing::debug_span!(
            "domo.request",
            endpoint = prepared.endpoint,
            method = %label.method,
            path = %label.path
        );
        self.with_retries(prepared, || async move {
            let mut renewed = false;
            let response = loop {
                let bearer = self.bearer().await?;
                let response = self
                    .request(prepared, bearer.as_ref())?
                    .body(prepared.body.clone())
                    .send()
                    .await
                    .map_err(|e| self.transport_error(label, e))?;
                match bearer {
                    Some(token) if response.status() == 401 && !renewed => {
                        self.rejected(&token);
                        renewed = true;
                    }
                    _ => break response,
                }
            };
            if response.status().is_success() {
                return Ok(response);
            }
            let reply = to_reply(response)
                .await
                .map_err(|e| self.transport_error(label, e))?;
            Err(match domo_core::endpoint::check::<Value>(spec, reply) {
                Ok(_) => Error::new(ErrorKind::Server, "unexpected reply"),
                Err(e) => e,
            }
            .with_request(label.method, &label.path))
        })
        .instrument(span)
        .await
        .result
    }
}

/// A whole reqwest reply as the core's [`Reply`].
async fn to_reply(response: reqwest::Response) -> Result<Reply, reqwest::Error> {
    let status = response.status().as_u16();
    let header = |name: reqwest::header::HeaderName| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header(reqwest::header::CONTENT_TYPE);
    let retry_after = header(reqwest::header::RETRY_AFTER);
    let body: Bytes = response.bytes().await?;
    Ok(Reply {
        status,
        content_type,
        retry_after,
        body,
    })
}
