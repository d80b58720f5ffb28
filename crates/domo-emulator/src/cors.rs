//! CORS: any origin may call (custom apps are served from other origins
//! while developed). Preflights are answered here; every response carries
//! the same few headers.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

const ALLOW_HEADERS: &str = "content-type, content-encoding, accept, x-domo-developer-token, x-domo-authentication, x-domo-ryuu-session, x-domo-ryuu-token";

/// The headers of every response, refusals written outside the router
/// (`malformed`) included.
pub(crate) const EVERY_RESPONSE: [(&str, &str); 3] = [
    ("access-control-allow-origin", "*"),
    ("access-control-expose-headers", "retry-after, content-type"),
    ("cross-origin-resource-policy", "cross-origin"),
];

/// Middleware: answers preflights, and labels every response.
pub(crate) async fn cors(req: Request, next: Next) -> Response {
    let mut resp = if req.method() == Method::OPTIONS {
        let mut r = StatusCode::NO_CONTENT.into_response();
        let h = r.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, PUT, DELETE, OPTIONS"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(ALLOW_HEADERS),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("86400"),
        );
        r
    } else {
        next.run(req).await
    };
    let h = resp.headers_mut();
    for (name, value) in EVERY_RESPONSE {
        h.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    resp
}
