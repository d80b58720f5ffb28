//! `GET`/`POST /oauth/token` and the `Bearer` extractor that checks every
//! `/v1` request (the clients and tokens themselves are `oauth`'s): a
//! missing, forged or expired token is a 401 with `WWW-Authenticate:
//! Bearer error="invalid_token"` (never a 403: Node's SDK only fetches a
//! token after a 401); a token without the route's scope (`user` for
//! users and groups, `data` for the rest) is a 403.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use crate::error::{error_body, json_response};
use crate::state::{AppState, RawBody};
use crate::store::UserId;

/// An error reply with a `WWW-Authenticate` challenge.
fn refuse(status: StatusCode, message: &str, challenge: Option<String>) -> Response {
    let mut resp = json_response(status, &error_body(status, message));
    if let Some(v) = challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}

fn bad_credentials(message: &str) -> Response {
    refuse(
        StatusCode::UNAUTHORIZED,
        message,
        Some(r#"Basic realm="oauth2/client""#.to_owned()),
    )
}

/// Form or query pairs: `grant_type`, `scope`, and the client id and
/// secret when a client sends them there instead of in Basic auth.
fn pairs(text: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str(text).unwrap_or_default()
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// `GET` or `POST /oauth/token`: parameters from the query string and the
/// form body alike (pydomo posts a form, Node and the docs' curl send a
/// GET, pydomo before 2024 put `grant_type` in the query of a POST).
pub(crate) async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    RawBody(body): RawBody,
) -> Response {
    let mut params = pairs(uri.query().unwrap_or(""));
    params.extend(pairs(&String::from_utf8_lossy(&body)));
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let auth = &state.public;
    let credentials = basic_credentials(&headers).or_else(|| {
        Some((
            param("client_id")?.to_owned(),
            param("client_secret")?.to_owned(),
        ))
    });
    let Some((id, secret)) = credentials else {
        return bad_credentials(
            "missing client credentials: send HTTP Basic auth with the client id and secret",
        );
    };
    let Some((user, client_scopes)) = auth.client(&id, &secret) else {
        return bad_credentials("bad client credentials");
    };
    match param("grant_type") {
        Some("client_credentials") => {}
        Some(other) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                &format!("unsupported grant_type `{other}`: only client_credentials"),
                None,
            );
        }
        None => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "grant_type is required: grant_type=client_credentials",
                None,
            );
        }
    }
    let scopes = match param("scope").map(str::trim).filter(|s| !s.is_empty()) {
        None => client_scopes.to_vec(),
        Some(asked) => {
            let asked: Vec<String> = asked
                .split([' ', ','])
                .filter(|s| !s.is_empty())
                .map(str::to_ascii_lowercase)
                .collect();
            if let Some(extra) = asked.iter().find(|s| !client_scopes.contains(s)) {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    &format!(
                        "invalid scope `{extra}`: client {id} has the scopes {}",
                        client_scopes.join(" ")
                    ),
                    None,
                );
            }
            asked
        }
    };
    let role = match state.store.run(move |s| s.user(user)).await {
        Ok(u) => u.role.as_str(),
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let (token, exp, jti) = auth.issue(&id, user, &scopes, role);
    let now_s = auth.now_ms().div_euclid(1000);
    let mut resp = json_response(
        StatusCode::OK,
        &json!({
            "access_token": token,
            "token_type": "bearer",
            "expires_in": exp - now_s,
            "scope": scopes.join(" "),
            "customer": "emulator",
            "env": "prod",
            "role": role,
            "userId": user,
            "jti": jti,
        }),
    );
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// The scope a `/v1` path needs.
fn scope_for(path: &str) -> &'static str {
    if path.starts_with("/v1/users") || path.starts_with("/v1/groups") {
        "user"
    } else {
        "data"
    }
}

/// The user a public-API request acts as, from `Authorization: Bearer`
/// (the scheme in any case: pydomo sends `bearer`, Java `Bearer`), with
/// the scope its route needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bearer(pub UserId);

impl FromRequestParts<AppState> for Bearer {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let challenge = |why: &str| {
            Some(format!(
                r#"Bearer error="invalid_token", error_description="{}""#,
                why.replace('"', "'")
            ))
        };
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim());
        let Some(token) = presented else {
            let msg = "missing authentication: send Authorization: Bearer <access token> (POST /oauth/token gives one)";
            return Err(refuse(
                StatusCode::UNAUTHORIZED,
                msg,
                Some("Bearer".to_owned()),
            ));
        };
        let claims = state
            .public
            .verify(token)
            .map_err(|why| refuse(StatusCode::UNAUTHORIZED, &why, challenge(&why)))?;
        let needed = scope_for(parts.uri.path());
        if !claims.scopes.iter().any(|s| s == needed) {
            return Err(refuse(
                StatusCode::FORBIDDEN,
                &format!(
                    "the access token's scopes ({}) do not include `{needed}`, which {} needs",
                    claims.scopes.join(" "),
                    parts.uri.path()
                ),
                None,
            ));
        }
        Ok(Bearer(claims.user))
    }
}
