//! The app session, as Domo's app host runs it: a random id made at start,
//! injected into the app's pages as `window.__RYUU_SID__` and set as the
//! `ryuu_sid` cookie. A request carries it in the `X-DOMO-Ryuu-Session`
//! header (ryuu.js), the `ryuu_sid` query parameter (ryuu.js adds it to
//! relative `href`/`src`) or the cookie (`@domoinc/query`'s bare XHR), in
//! that order of preference: a header wins over the others.
//!
//! The session is for the in-app APIs only. Domo's product APIs
//! (`/api/...`) are for backend services, so a request whose credential is
//! the app session gets a 403 there naming the in-app API to use instead.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ring::rand::{SecureRandom, SystemRandom};

use super::AppSite;
use crate::directory::TOKEN_HEADERS;
use crate::error::ApiError;

/// The cookie and query parameter name Domo uses for the app session.
pub(crate) const SESSION_NAME: &str = "ryuu_sid";

/// A new session id: 256 random bits as hex.
pub(crate) fn new_session_id() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| "the system random source failed".to_owned())?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// `Set-Cookie` for the session, on every page the emulator serves (unless
/// the manifest disables session cookies).
pub(crate) fn set_cookie(site: &AppSite) -> Option<HeaderValue> {
    if site.manifest.cookies_disabled {
        return None;
    }
    HeaderValue::from_str(&format!(
        "{SESSION_NAME}={}; Path=/; HttpOnly; SameSite=Lax",
        site.session_token
    ))
    .ok()
}

/// Where a request carried the app session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Carrier {
    Header,
    Query,
    Cookie,
}

/// The value of `name` in a query string (session ids are hex, so they
/// never need percent-decoding).
fn query_value<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then_some(v)
    })
}

fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k.trim() == name).then_some(v.trim())
        })
}

/// What a request presents in the session's places, in Domo's order of
/// preference: `None` when a token header is present (its value is the
/// credential, checked with the other tokens) or nothing is presented.
fn presented(headers: &HeaderMap, query: Option<&str>, site: &AppSite) -> Presented {
    for name in TOKEN_HEADERS {
        if let Some(v) = headers.get(name) {
            let token = v.to_str().map(str::trim).unwrap_or("");
            return if token == site.session_token {
                Presented::Session(Carrier::Header)
            } else {
                Presented::OtherToken
            };
        }
    }
    if let Some(v) = query.and_then(|q| query_value(q, SESSION_NAME)) {
        return if v == site.session_token {
            Presented::Session(Carrier::Query)
        } else {
            Presented::StaleSession
        };
    }
    if !site.manifest.cookies_disabled
        && let Some(v) = cookie_value(headers, SESSION_NAME)
    {
        return if v == site.session_token {
            Presented::Session(Carrier::Cookie)
        } else {
            Presented::StaleSession
        };
    }
    Presented::Nothing
}

/// What a request carries, as far as the app session is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Presented {
    /// The app session, in this place.
    Session(Carrier),
    /// A `ryuu_sid` that is not this run's session (the emulator restarted).
    StaleSession,
    /// A token header whose value is not the session: resolved with the
    /// API's tokens.
    OtherToken,
    /// Nothing at all.
    Nothing,
}

/// How the request in `parts` presents the app session of `site`.
pub(crate) fn presented_in(parts: &Parts, site: &AppSite) -> Presented {
    presented(&parts.headers, parts.uri.query(), site)
}

/// The 401 for a `ryuu_sid` of an earlier run.
pub(crate) fn stale_session() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "the ryuu_sid app session is not valid (sessions end when the emulator restarts): reload the app's page",
    )
}

/// What app code uses instead of the product API at `path`.
fn in_app_alternative(path: &str) -> &'static str {
    let p = path.to_ascii_lowercase();
    if p.contains("/uploads") || p.contains("/streams") || p.contains("/schemas") {
        "write through an AppDB collection (POST /domo/datastores/v1/collections/{name}/documents), which syncs into a dataset"
    } else if p.starts_with("/api/query/v1/execute") {
        "query a dataset the manifest maps with the SQL API: POST /sql/v1/{alias}"
    } else if p.contains("/users") || p.contains("/authentication") {
        "ask who is looking with GET /domo/environment/v1, and about people with GET /domo/users/v1 and /domo/groups/v1/{id}"
    } else {
        "read a dataset the manifest maps with the Data API (GET /data/v2/{alias}) or the SQL API (POST /sql/v1/{alias})"
    }
}

/// Refuses product API paths to the app session (a middleware on every
/// route; only `/api/` paths are looked at).
pub(crate) async fn refuse_product_api(
    State(app): State<Option<Arc<AppSite>>>,
    req: Request,
    next: Next,
) -> Response {
    if let Some(site) = app.as_deref()
        && req.uri().path().starts_with("/api/")
        && matches!(
            presented(req.headers(), req.uri().query(), site),
            Presented::Session(_)
        )
    {
        let path = req.uri().path();
        return ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "{path} is one of Domo's product APIs, which can only be called from backend services, not with an app session; from a custom app, {}",
                in_app_alternative(path)
            ),
        )
        .into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(cookies_disabled: bool) -> AppSite {
        let manifest =
            format!(r#"{{"flags": {{"authentication-cookies-disabled": {cookies_disabled}}}}}"#);
        AppSite {
            root: std::path::PathBuf::from("/"),
            manifest: super::super::Manifest::parse(manifest.as_bytes()).unwrap(),
            session_token: "abc123".into(),
            session_user: 7,
            fiscal_start: 1,
            stopping: tokio::sync::watch::Sender::new(false),
        }
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn header_then_query_then_cookie() {
        let s = site(false);
        let cookie = ("cookie", "a=b; ryuu_sid=abc123");
        for (h, q, want) in [
            (
                headers(&[("x-domo-ryuu-session", "abc123")]),
                None,
                Presented::Session(Carrier::Header),
            ),
            (
                headers(&[("x-domo-developer-token", "dev"), cookie]),
                Some("ryuu_sid=abc123"),
                Presented::OtherToken,
            ),
            (
                headers(&[cookie]),
                Some("x=1&ryuu_sid=abc123"),
                Presented::Session(Carrier::Query),
            ),
            (
                headers(&[cookie]),
                Some("ryuu_sid=old"),
                Presented::StaleSession,
            ),
            (
                headers(&[cookie]),
                None,
                Presented::Session(Carrier::Cookie),
            ),
            (
                headers(&[("cookie", "ryuu_sid=old")]),
                None,
                Presented::StaleSession,
            ),
            (headers(&[("cookie", "other=1")]), None, Presented::Nothing),
        ] {
            assert_eq!(presented(&h, q, &s), want, "{h:?} {q:?}");
        }
        let no_cookies = site(true);
        assert_eq!(
            presented(&headers(&[cookie]), None, &no_cookies),
            Presented::Nothing
        );
        assert!(set_cookie(&no_cookies).is_none());
        assert_eq!(
            set_cookie(&s).unwrap(),
            "ryuu_sid=abc123; Path=/; HttpOnly; SameSite=Lax"
        );
    }

    #[test]
    fn each_product_api_names_its_in_app_alternative() {
        for (path, needle) in [
            ("/api/data/v3/datasources/x/uploads", "/domo/datastores/v1"),
            ("/api/data/v1/streams/3/executions", "AppDB"),
            ("/api/query/v1/execute/x", "POST /sql/v1/{alias}"),
            ("/api/content/v2/users/me", "/domo/environment/v1"),
            ("/api/data/v3/datasources/x/data", "GET /data/v2/{alias}"),
            ("/api/data/v3/datasources", "GET /data/v2/{alias}"),
        ] {
            assert!(in_app_alternative(path).contains(needle), "{path}");
        }
    }
}
