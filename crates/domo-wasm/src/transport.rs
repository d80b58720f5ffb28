//! The thin async loop over `fetch`: send what domo-core built, read the
//! reply, ask the core whether to retry, sleep on a JS timer, repeat. Works
//! wherever `fetch`, `AbortController` and `setTimeout` are globals
//! (browsers, workers, Node 18+).

use std::rc::Rc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use domo_core::named::{NamedEndpoint, Reply};
use domo_core::{
    Attempt, Config, Endpoint, Error, ErrorKind, Prepared, RetryDecision, RetryPolicy,
};
use js_sys::{Function, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, Request, RequestInit, Response};

#[wasm_bindgen]
extern "C" {
    // Globals, not `window.*`: the same code runs in workers and Node.
    #[wasm_bindgen(js_name = fetch)]
    fn fetch_request(request: &Request) -> Promise;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// Milliseconds since the epoch from the JS clock. `SystemTime::now()` and
/// `Instant::now()` panic on wasm32-unknown-unknown.
pub(crate) fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn system_time(ms: f64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(ms.max(0.0) as u64)
}

/// Resolve after `delay` on a JS timer.
pub(crate) async fn sleep(delay: Duration) {
    let ms = delay.as_secs_f64() * 1000.0;
    let promise = Promise::new(&mut |resolve, _reject| {
        set_timeout(&resolve, ms);
    });
    // A timer promise never rejects.
    let _ = JsFuture::from(promise).await;
}

/// What a retry looks like to a JS `onRetry` callback.
#[derive(Debug, Clone)]
pub(crate) struct RetryEvent<'a> {
    pub attempt: u32,
    pub delay: Duration,
    pub error: &'a Error,
}

/// Called before each retry's wait.
pub(crate) type RetryHook = Box<dyn Fn(&RetryEvent<'_>)>;

/// Sends requests for one client. Not `Send`: nothing on wasm32 needs it.
pub(crate) struct Transport {
    pub(crate) config: Config,
    pub(crate) retry: RetryPolicy,
    /// Per-attempt timeout; `None` waits as long as the platform does.
    pub(crate) timeout: Option<Duration>,
    pub(crate) on_retry: Option<RetryHook>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("config", &self.config)
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .field("on_retry", &self.on_retry.as_ref().map(|_| "<callback>"))
            .finish()
    }
}

/// The outcome of a call and how many attempts it took: a caller that sees a
/// 409 on a later attempt knows an earlier one may have landed.
pub(crate) struct Sent<T> {
    pub result: Result<T, Error>,
    pub attempts: u32,
}

/// The request side of an endpoint with its reply left raw: preparing every
/// endpoint through `&dyn Endpoint<Output = RawReply>` compiles
/// `Config::prepare` once instead of once per endpoint type, which keeps
/// the .wasm small.
struct RequestOf<'a, E: ?Sized>(&'a E);

type RawReply = http::Response<Bytes>;

impl<E: Endpoint + ?Sized> Endpoint for RequestOf<'_, E> {
    type Output = RawReply;
    fn method(&self) -> http::Method {
        self.0.method()
    }
    fn path(&self) -> Result<String, Error> {
        self.0.path()
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        self.0.query()
    }
    fn body(&self) -> Result<domo_core::Body, Error> {
        self.0.body()
    }
    fn accept(&self) -> &'static str {
        self.0.accept()
    }
    fn idempotent(&self) -> bool {
        self.0.idempotent()
    }
    fn parse(&self, response: RawReply) -> Result<RawReply, Error> {
        Ok(response)
    }
}

/// A prepared request and how its reply becomes the JS result: what a
/// one-request method hands to [`exec`]. The async loop that sends it is
/// then compiled once for every method, not once per endpoint.
pub(crate) struct Call {
    prepared: Prepared,
    read: Box<dyn Fn(RawReply) -> Result<JsValue, Error>>,
}

/// Send a [`Call`] (with retries) and return its JS result.
pub(crate) async fn exec(
    transport: Rc<Transport>,
    call: Result<Call, Error>,
) -> Result<JsValue, Error> {
    let Call { prepared, read } = call?;
    let mut output = None;
    let mut handle = |reply: RawReply| read(reply).map(|value| output = Some(value));
    transport.run(&prepared, &mut handle).await.result?;
    output.ok_or_else(|| Error::new(ErrorKind::Decode, "no reply was read"))
}

impl Transport {
    /// Prepare a named endpoint; `to_js` turns its reply into the JS result.
    pub(crate) fn prepare(
        &self,
        endpoint: NamedEndpoint,
        to_js: fn(Reply) -> Result<JsValue, Error>,
    ) -> Result<Call, Error> {
        let request: &dyn Endpoint<Output = RawReply> = &RequestOf(&*endpoint);
        let prepared = self.config.prepare(request)?;
        let label = prepared.label.clone();
        Ok(Call {
            prepared,
            read: Box::new(move |reply| to_js(endpoint.handle(&label, reply)?)),
        })
    }

    /// Send a named endpoint (with retries) and return its reply.
    pub(crate) async fn call_named(&self, endpoint: &NamedEndpoint) -> Result<Reply, Error> {
        self.call(&**endpoint).await
    }

    pub(crate) async fn call<E: Endpoint + ?Sized>(
        &self,
        endpoint: &E,
    ) -> Result<E::Output, Error> {
        self.call_counted(endpoint).await.result
    }

    /// Prepare `endpoint`, then run the retry loop; only the small reply
    /// handler is specific to the endpoint type.
    pub(crate) async fn call_counted<E: Endpoint + ?Sized>(&self, endpoint: &E) -> Sent<E::Output> {
        let request: &dyn Endpoint<Output = RawReply> = &RequestOf(endpoint);
        let prepared = match self.config.prepare(request) {
            Ok(p) => p,
            Err(e) => {
                return Sent {
                    result: Err(e),
                    attempts: 0,
                };
            }
        };
        let mut output = None;
        let label = prepared.label.clone();
        let mut handle = |reply: RawReply| {
            endpoint
                .handle(&label, reply)
                .map(|value| output = Some(value))
        };
        let sent = self.run(&prepared, &mut handle).await;
        Sent {
            result: sent.result.and_then(|()| {
                output.ok_or_else(|| Error::new(ErrorKind::Decode, "no reply was read"))
            }),
            attempts: sent.attempts,
        }
    }

    /// The retry loop: send, hand the reply to `handle` (which reads it or
    /// says why it failed), ask the core whether to retry, sleep, repeat.
    async fn run(
        &self,
        prepared: &Prepared,
        handle: &mut dyn FnMut(RawReply) -> Result<(), Error>,
    ) -> Sent<()> {
        let started = now_ms();
        let mut number = 0u32;
        loop {
            number += 1;
            let result = match self.send_once(prepared).await {
                Ok(reply) => handle(reply),
                Err(e) => Err(e),
            };
            let error = match result {
                Ok(()) => {
                    return Sent {
                        result: Ok(()),
                        attempts: number,
                    };
                }
                Err(e) => e,
            };
            let now = now_ms();
            let attempt = Attempt {
                number,
                elapsed: Duration::from_millis((now - started).max(0.0) as u64),
                idempotent: prepared.idempotent,
            };
            match self
                .retry
                .decide(&error, attempt, system_time(now), js_sys::Math::random())
            {
                RetryDecision::RetryAfter(delay) => {
                    if let Some(cb) = &self.on_retry {
                        cb(&RetryEvent {
                            attempt: number,
                            delay,
                            error: &error,
                        });
                    }
                    sleep(delay).await;
                }
                RetryDecision::Stop => {
                    return Sent {
                        result: Err(error),
                        attempts: number,
                    };
                }
            }
        }
    }

    /// One attempt: the whole reply is read under the attempt's timeout, and
    /// dropping the future aborts the request.
    async fn send_once(&self, prepared: &Prepared) -> Result<http::Response<Bytes>, Error> {
        let label = &prepared.label;
        let fail = |kind: ErrorKind, what: String, cause: &JsValue| {
            Error::new(kind, format!("{what}: {}", js_error_text(cause)))
                .with_request(&label.method, &label.path)
        };
        let guard = AbortGuard::new(self.timeout).map_err(|e| {
            fail(
                ErrorKind::InvalidInput,
                "this JavaScript runtime has no AbortController".into(),
                &e,
            )
        })?;
        let request = build_request(prepared, &guard.controller).map_err(|e| {
            fail(
                ErrorKind::InvalidInput,
                "the browser refused to build the request".into(),
                &e,
            )
        })?;
        let failed = |cause: &JsValue, when: &str| {
            if guard.timed_out() {
                let ms = self.timeout.map(|t| t.as_millis()).unwrap_or_default();
                fail(
                    ErrorKind::Timeout,
                    format!("no complete reply within {ms} ms"),
                    cause,
                )
            } else {
                // fetch reports refused connections, resets and CORS
                // refusals alike; the request may have reached the server.
                fail(ErrorKind::Transport, when.to_owned(), cause)
            }
        };
        let response: Response = JsFuture::from(fetch_request(&request))
            .await
            .map_err(|e| failed(&e, "the request failed"))?
            .unchecked_into();
        let status = response.status();
        let headers = read_headers(&response.headers());
        let body = response
            .array_buffer()
            .map_err(|e| failed(&e, "the reply could not be read"))?;
        let body = JsFuture::from(body)
            .await
            .map_err(|e| failed(&e, "the connection broke while reading the reply"))?;
        let body = Bytes::from(Uint8Array::new(&body).to_vec());
        drop(guard);
        let mut out = http::Response::new(body);
        *out.status_mut() = http::StatusCode::from_u16(status).map_err(|_| {
            Error::new(
                ErrorKind::Transport,
                format!("invalid HTTP status {status}"),
            )
            .with_request(&label.method, &label.path)
        })?;
        *out.headers_mut() = headers;
        Ok(out)
    }
}

fn build_request(prepared: &Prepared, controller: &AbortController) -> Result<Request, JsValue> {
    let headers = Headers::new()?;
    for (name, value) in &prepared.headers {
        // Browsers own User-Agent; setting it only costs a CORS preflight
        // header (domo-core sends it "where the transport may set it").
        if name == http::header::USER_AGENT {
            continue;
        }
        if let Ok(v) = value.to_str() {
            headers.append(name.as_str(), v)?;
        }
    }
    let init = RequestInit::new();
    init.set_method(prepared.label.method.as_str());
    init.set_headers(&headers);
    init.set_signal(Some(&controller.signal()));
    // Any method may carry a body (DELETE .../users does); fetch refuses
    // one on GET and HEAD, which never have one here.
    if !prepared.body.is_empty() {
        let body = Uint8Array::from(&prepared.body[..]);
        init.set_body(&body);
    }
    Request::new_with_str_and_init(&prepared.uri, &init)
}

/// The reply headers the core reads. Only those are copied: parsing every
/// header name would bring `http`'s name tables into the package.
fn read_headers(headers: &Headers) -> http::HeaderMap {
    let mut out = http::HeaderMap::new();
    for name in domo_core::endpoint::RESPONSE_HEADERS {
        let value = headers.get(name.as_str()).ok().flatten();
        if let Some(v) = value.and_then(|v| http::HeaderValue::from_str(&v).ok()) {
            out.insert(name, v);
        }
    }
    out
}

/// The text of a thrown JS value (`TypeError: Failed to fetch`).
pub(crate) fn js_error_text(value: &JsValue) -> String {
    if let Some(e) = value.dyn_ref::<js_sys::Error>() {
        let name: String = e.name().into();
        let message: String = e.message().into();
        return format!("{name}: {message}");
    }
    value
        .as_string()
        .unwrap_or_else(|| "unknown JavaScript error".to_owned())
}

/// Owns one attempt's `AbortController` and timer: the timer aborts the
/// request when the attempt's time is up; dropping the guard (the attempt
/// finished, or its future was dropped) clears the timer and aborts
/// whatever is still in flight.
struct AbortGuard {
    controller: AbortController,
    timer: Option<JsValue>,
    fired: std::rc::Rc<std::cell::Cell<bool>>,
    _on_timeout: Option<Closure<dyn FnMut()>>,
}

impl AbortGuard {
    fn new(timeout: Option<Duration>) -> Result<AbortGuard, JsValue> {
        let controller = AbortController::new()?;
        let fired = std::rc::Rc::new(std::cell::Cell::new(false));
        let (timer, closure) = match timeout {
            Some(t) => {
                let c = controller.clone();
                let f = fired.clone();
                let closure = Closure::<dyn FnMut()>::new(move || {
                    f.set(true);
                    c.abort();
                });
                let id = set_timeout(closure.as_ref().unchecked_ref(), t.as_secs_f64() * 1000.0);
                (Some(id), Some(closure))
            }
            None => (None, None),
        };
        Ok(AbortGuard {
            controller,
            timer,
            fired,
            _on_timeout: closure,
        })
    }

    fn timed_out(&self) -> bool {
        self.fired.get()
    }
}

impl Drop for AbortGuard {
    fn drop(&mut self) {
        if let Some(id) = &self.timer {
            clear_timeout(id);
        }
        // After a complete reply this is a no-op; otherwise it cancels the
        // request so a dropped call leaves nothing running.
        self.controller.abort();
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    /// `send_once` holds its guard across every await, so dropping a call
    /// drops the guard: that must abort the request.
    #[wasm_bindgen_test]
    fn dropping_an_attempt_aborts_its_request() {
        let guard = AbortGuard::new(Some(Duration::from_secs(60))).unwrap();
        let signal = guard.controller.signal();
        assert!(!signal.aborted());
        drop(guard);
        assert!(signal.aborted());
    }

    #[wasm_bindgen_test]
    async fn the_timer_aborts_the_attempt_and_says_so() {
        let guard = AbortGuard::new(Some(Duration::from_millis(20))).unwrap();
        let signal = guard.controller.signal();
        assert!(!guard.timed_out());
        sleep(Duration::from_millis(80)).await;
        assert!(signal.aborted());
        assert!(guard.timed_out());
    }
}
