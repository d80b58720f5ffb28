//! The Node build's access token for OAuth client credentials: domo-core's
//! [`TokenState`] decides (fetch when there is none, renew shortly before
//! it expires and once after a 401, one fetch at a time); this holds it
//! for one client and lets the requests that wait for a fetch in flight
//! await a promise that the fetch resolves.

use std::cell::RefCell;
use std::future::Future;
use std::time::SystemTime;

use domo_core::oauth::{RequestToken, TokenReply, TokenState, TokenStep};
use domo_core::secret::ClientCredentials;
use domo_core::{Error, Secret, Spec};
use js_sys::{Function, Promise};
use wasm_bindgen_futures::JsFuture;

/// Whether `spec` is the token request itself, which carries the client
/// credentials (HTTP Basic), never a bearer token.
pub(crate) fn is_token_request(spec: &Spec) -> bool {
    std::ptr::eq(spec, &RequestToken::SPEC)
}

/// One client's access token, shared by all its requests.
pub(crate) struct OAuth {
    state: RefCell<TokenState>,
    /// Resolved when the fetch in flight ends (or is dropped): what the
    /// requests waiting for it await.
    fetch_done: RefCell<Option<(Promise, Function)>>,
}

impl OAuth {
    pub(crate) fn new(credentials: &ClientCredentials) -> OAuth {
        OAuth {
            state: RefCell::new(TokenState::new(credentials)),
            fetch_done: RefCell::new(None),
        }
    }

    /// The token to send now: the one held while fresh, or a new one,
    /// fetched (by `fetch`, the transport's token request) by this request
    /// or by the one already fetching. `now` is the clock.
    pub(crate) async fn bearer<F: Future<Output = Result<TokenReply, Error>>>(
        &self,
        now: fn() -> SystemTime,
        fetch: impl FnOnce(RequestToken) -> F,
    ) -> Result<Secret, Error> {
        let mut fetch = Some(fetch);
        loop {
            // No borrow is held across an await: other requests run there.
            let step = self.state.borrow_mut().next(now());
            match step {
                TokenStep::Use(token) => return Ok(token),
                TokenStep::Wait => {
                    let done = self.fetch_done.borrow().as_ref().map(|(p, _)| p.clone());
                    if let Some(done) = done {
                        // Resolved, never rejected.
                        let _ = JsFuture::from(done).await;
                    }
                }
                TokenStep::Fetch(request) => {
                    let mut resolve = None;
                    let done = Promise::new(&mut |r, _| resolve = Some(r));
                    *self.fetch_done.borrow_mut() = resolve.map(|r| (done, r));
                    let guard = Fetching(Some(self));
                    // One fetch per call: after it this request returns.
                    let fetch = fetch.take().expect("fetched once");
                    let result = fetch(request).await;
                    let token = self.state.borrow_mut().fetched(result, now());
                    drop(guard);
                    return token;
                }
            }
        }
    }

    /// The server refused `token` (401): the next request fetches another,
    /// unless one has replaced it already.
    pub(crate) fn rejected(&self, token: &Secret) {
        self.state.borrow_mut().rejected(token);
    }

    /// The fetch in flight is over: wake the requests waiting for it.
    fn finished(&self) {
        if let Some((_, resolve)) = self.fetch_done.borrow_mut().take() {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    }
}

/// Ends the fetch in flight when its request finishes or is dropped
/// before it reports (a cancelled call), so the others never wait for it
/// forever.
struct Fetching<'a>(Option<&'a OAuth>);

impl Drop for Fetching<'_> {
    fn drop(&mut self) {
        if let Some(oauth) = self.0.take() {
            if oauth.state.borrow().is_fetching() {
                oauth.state.borrow_mut().abandon();
            }
            oauth.finished();
        }
    }
}
