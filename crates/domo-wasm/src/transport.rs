//! The thin async loop over `fetch`: send what domo-core built, read the
//! reply as domo-core's spec says, ask the core whether to retry, sleep on
//! a JS timer, repeat. Works wherever `fetch`, `AbortController` and
//! `setTimeout` are globals (browsers, workers, Node 18+).

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use domo_core::endpoint::{RESPONSE_HEADERS, Reply, check};
use domo_core::spec::ReplyShape;
use domo_core::{Attempt, Config, Error, ErrorKind, Prepared, RetryDecision, RetryPolicy, Spec};
use js_sys::{Function, JsString, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, Request, RequestInit, Response};

use crate::json::Js;

#[wasm_bindgen]
extern "C" {
    // Globals, not `window.*`: the same code runs in workers and Node.
    #[wasm_bindgen(js_name = fetch)]
    fn fetch_request(request: &Request) -> Promise;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
    /// `JSON.parse` of a JS string, without copying it into wasm.
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    fn parse_json(text: &JsString) -> Result<JsValue, JsValue>;
}

/// Milliseconds since the epoch from the JS clock. `SystemTime::now()` and
/// `Instant::now()` panic on wasm32-unknown-unknown.
pub(crate) fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn system_time(ms: f64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(ms.max(0.0) as u64)
}

/// The JS clock as a `SystemTime`.
#[cfg(feature = "public-api")]
fn now() -> SystemTime {
    system_time(now_ms())
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
    /// The access token of a client with OAuth client credentials.
    #[cfg(feature = "public-api")]
    pub(crate) oauth: Option<crate::oauth::OAuth>,
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

/// One reply as fetch gave it: the body stays a JS string.
struct Fetched {
    status: u16,
    content_type: Option<String>,
    retry_after: Option<String>,
    text: JsString,
}

/// The most of a success body the core looks at (an HTML page's title).
const SNIFF: u32 = 16 * 1024;

impl Transport {
    /// Send `prepared` (with retries) and read its reply as `spec` says:
    /// JSON through the spec's steps, text, or nothing (`undefined`).
    /// `body`, when given, is sent instead of the prepared bytes (a part as
    /// a slice of the user's `Blob`).
    pub(crate) async fn send(
        &self,
        spec: &'static Spec,
        prepared: &Prepared,
        body: Option<&JsValue>,
    ) -> Sent<JsValue> {
        let started = now_ms();
        let mut number = 0u32;
        loop {
            number += 1;
            let result = match self.send_once(spec, prepared, body).await {
                Ok(fetched) => read(spec, prepared, fetched),
                Err(e) => Err(e),
            };
            let error = match result {
                Ok(value) => {
                    return Sent {
                        result: Ok(value),
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

    /// One attempt. With client credentials it carries the access token of
    /// the moment, and a 401 (the token expired by the server's clock, or
    /// was revoked) renews it once and sends again.
    #[cfg_attr(not(feature = "public-api"), allow(unused_variables))]
    async fn send_once(
        &self,
        spec: &'static Spec,
        prepared: &Prepared,
        body: Option<&JsValue>,
    ) -> Result<Fetched, Error> {
        #[cfg(feature = "public-api")]
        if let Some(oauth) = self
            .oauth
            .as_ref()
            .filter(|_| !crate::oauth::is_token_request(spec))
        {
            let mut renewed = false;
            loop {
                // Boxed: the token request goes through `send` too, which
                // comes back here.
                let token = oauth
                    .bearer(now, |request| Box::pin(self.fetch_token(request)))
                    .await?;
                let mut with = prepared.clone();
                with.set_bearer(&token)?;
                let fetched = self.fetch_once(&with, body).await?;
                if fetched.status == 401 && !renewed {
                    oauth.rejected(&token);
                    renewed = true;
                    continue;
                }
                return Ok(fetched);
            }
        }
        self.fetch_once(prepared, body).await
    }

    /// Send the token request (with the client's retries; HTTP Basic, no
    /// bearer token) and read its reply.
    #[cfg(feature = "public-api")]
    async fn fetch_token(
        &self,
        request: domo_core::oauth::RequestToken,
    ) -> Result<domo_core::oauth::TokenReply, Error> {
        let spec = &domo_core::oauth::RequestToken::SPEC;
        let prepared = request.to_call().prepare::<Js>(&self.config)?;
        let reply = self.send(spec, &prepared, None).await.result?;
        domo_core::oauth::read_token_reply(&Js(reply))
    }

    /// One request: the whole reply is read under the attempt's timeout,
    /// and dropping the future aborts the request.
    async fn fetch_once(
        &self,
        prepared: &Prepared,
        body: Option<&JsValue>,
    ) -> Result<Fetched, Error> {
        let label = &prepared.label;
        let fail = |kind: ErrorKind, what: String, cause: &JsValue| {
            Error::new(kind, format!("{what}: {}", js_error_text(cause)))
                .with_request(label.method, &label.path)
        };
        let guard = AbortGuard::new(self.timeout).map_err(|e| {
            fail(
                ErrorKind::InvalidInput,
                "this JavaScript runtime has no AbortController".into(),
                &e,
            )
        })?;
        let request = build_request(prepared, body, &guard.controller).map_err(|e| {
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
        let headers = response.headers();
        let header = |name: &str| headers.get(name).ok().flatten();
        let [content_type, retry_after] = RESPONSE_HEADERS;
        let (content_type, retry_after) = (header(content_type), header(retry_after));
        let text = response
            .text()
            .map_err(|e| failed(&e, "the reply could not be read"))?;
        let text = JsFuture::from(text)
            .await
            .map_err(|e| failed(&e, "the connection broke while reading the reply"))?;
        drop(guard);
        Ok(Fetched {
            status: response.status(),
            content_type,
            retry_after,
            text: text.unchecked_into(),
        })
    }
}

/// A reply read as `spec` says, after the checks every transport makes.
fn read(spec: &'static Spec, prepared: &Prepared, f: Fetched) -> Result<JsValue, Error> {
    let label = &prepared.label;
    let tag = |e: Error| e.with_request(label.method, &label.path);
    let success = (200..300).contains(&f.status);
    // The core looks only at the start of a success body (an HTML page
    // where data was expected); an error body is read whole.
    let body = if success {
        f.text.slice(0, SNIFF.min(f.text.length()))
    } else {
        f.text.clone()
    };
    let reply = Reply {
        status: f.status,
        content_type: f.content_type,
        retry_after: f.retry_after,
        body: Bytes::from(String::from(body)),
    };
    let reply = check::<Js>(spec, reply).map_err(tag)?;
    match spec.reply_to(prepared.header("accept")) {
        ReplyShape::Json(fixups) => {
            let empty = f.text.trim().length() == 0;
            let parsed = (!empty).then(|| {
                parse_json(&f.text).map(Js).map_err(|e| {
                    e.dyn_ref::<js_sys::Error>()
                        .map(|e| String::from(e.message()))
                        .unwrap_or_else(|| "not JSON".to_owned())
                })
            });
            let sent = std::str::from_utf8(&prepared.body).ok();
            domo_core::steps::read_parsed(fixups, parsed, sent)
                .map(|v| v.0)
                .map_err(|e| tag(e.with_body(&reply.body)))
        }
        // `text()` already decoded UTF-8 and dropped a byte order mark.
        ReplyShape::Text => Ok(f.text.into()),
        ReplyShape::Empty => Ok(JsValue::UNDEFINED),
    }
}

fn build_request(
    prepared: &Prepared,
    body: Option<&JsValue>,
    controller: &AbortController,
) -> Result<Request, JsValue> {
    let headers = Headers::new()?;
    for h in &prepared.headers {
        // Browsers own User-Agent and Content-Length; setting them only
        // costs a CORS preflight header.
        if h.name == "user-agent" || h.name == "content-length" {
            continue;
        }
        headers.append(h.name, &h.value)?;
    }
    let init = RequestInit::new();
    init.set_method(prepared.label.method.as_str());
    init.set_headers(&headers);
    init.set_signal(Some(&controller.signal()));
    // Any method may carry a body (DELETE .../users does); fetch refuses
    // one on GET and HEAD, which never have one here.
    match body {
        Some(b) => init.set_body(b),
        None if !prepared.body.is_empty() => {
            init.set_body(&Uint8Array::from(&prepared.body[..]));
        }
        None => {}
    }
    Request::new_with_str_and_init(&prepared.uri, &init)
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
