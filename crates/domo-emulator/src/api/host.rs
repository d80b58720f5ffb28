//! The Domo page around the app: `GET /page` frames it as a Domo page
//! does (an iframe of `/` with the query string Domo adds: `userId`,
//! `customer`, `locale`, `platform`) and plays the host's side of ryuu.js's
//! messaging (`app/host.html`); `GET /page/events` tells the page, as
//! server-sent events, when a dataset the manifest maps gets new rows
//! through any API or an AppDB export, so the page can send the app
//! `dataUpdated` (or reload it).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::json;
use tokio::sync::watch;

use crate::app::AppSite;
use crate::app::session::set_cookie;
use crate::error::ApiError;
use crate::instance::{CUSTOMER, LOCALE};
use crate::state::{AppState, Caller};
use crate::store::Store;

const PAGE: &str = include_str!("../app/host.html");

fn site(state: &AppState) -> Result<&AppSite, ApiError> {
    state.app.as_deref().ok_or_else(|| {
        ApiError::not_found(
            "no custom app is served: start the emulator with --app DIR to get its page at /page",
        )
    })
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `GET /page`: the page, with the session cookie (no authentication, like
/// the app's files).
pub(crate) async fn page(State(state): State<AppState>) -> Result<Response, ApiError> {
    let site = site(&state)?;
    let query = format!(
        "userId={}&customer={CUSTOMER}&locale={LOCALE}&platform=desktop",
        site.session_user
    );
    let html = PAGE
        .replace("__TITLE__", &html_escape(&site.manifest.name))
        .replace("__QUERY__", &query);
    let mut resp = (StatusCode::OK, html).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(cookie) = set_cookie(site) {
        h.insert(header::SET_COOKIE, cookie);
    }
    Ok(resp)
}

/// One server-sent event.
fn event(name: &str, data: &serde_json::Value) -> Bytes {
    Bytes::from(format!("event: {name}\ndata: {data}\n\n"))
}

/// What the event stream holds between events.
struct Watch {
    pending: VecDeque<Bytes>,
    seen: Vec<Option<i64>>,
    commits: watch::Receiver<u64>,
    stopping: watch::Receiver<bool>,
    store: Arc<Store>,
    ids: Vec<String>,
    aliases: Vec<String>,
}

impl Watch {
    /// The next event: waits for a commit, then compares the mapped
    /// datasets' row generations with the last ones seen. `None` when the
    /// server stops.
    async fn next(mut self) -> Option<(Result<Bytes, Infallible>, Watch)> {
        loop {
            if let Some(b) = self.pending.pop_front() {
                return Some((Ok(b), self));
            }
            if *self.stopping.borrow() {
                return None;
            }
            tokio::select! {
                changed = self.commits.changed() => changed.ok()?,
                _ = self.stopping.changed() => return None,
            }
            let ids = self.ids.clone();
            let now = self
                .store
                .run(move |s| s.row_generations(&ids))
                .await
                .ok()?;
            for ((alias, old), new) in self.aliases.iter().zip(&self.seen).zip(&now) {
                if new.is_some() && old != new {
                    self.pending
                        .push_back(event("dataUpdated", &json!({ "alias": alias })));
                }
            }
            self.seen = now;
        }
    }
}

/// `GET /page/events`: `ready` once, then `dataUpdated` `{"alias"}` each
/// time a mapped dataset's rows change; it ends when the server stops.
pub(crate) async fn page_events(
    State(state): State<AppState>,
    Caller(_): Caller,
) -> Result<Response, ApiError> {
    let site = site(&state)?;
    let (aliases, ids): (Vec<String>, Vec<String>) = site
        .manifest
        .mapping
        .iter()
        .map(|m| (m.alias.clone(), m.data_set_id.clone()))
        .unzip();
    let store = Arc::clone(&state.store);
    // Watch first, then read: a commit in between still wakes the stream.
    let commits = store.watch_commits();
    let stopping = site.stopping.subscribe();
    let seen = {
        let ids = ids.clone();
        store.run(move |s| s.row_generations(&ids)).await?
    };
    let watch = Watch {
        pending: VecDeque::from([event("ready", &json!({}))]),
        seen,
        commits,
        stopping,
        store,
        ids,
        aliases,
    };
    let stream = futures_util::stream::unfold(watch, Watch::next);
    let mut resp = Response::new(Body::from_stream(stream));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}
