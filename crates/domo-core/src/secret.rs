//! Credentials that cannot be printed by accident.

use crate::error::Error;
use std::fmt;

/// A token. `Debug` and `Display` print `[redacted]`; the only way to the
/// text is [`Secret::expose`], which the request builder calls once to fill a
/// header it marks sensitive.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wrap a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret value itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// How requests authenticate. The product API takes tokens; the public
/// API takes OAuth client credentials, from which a transport fetches and
/// renews access tokens ([`crate::oauth::TokenState`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// `X-DOMO-Developer-Token`: an access token from the admin console.
    DeveloperToken(Secret),
    /// `X-DOMO-Authentication`: a login session token.
    SessionToken(Secret),
    /// `X-DOMO-Ryuu-Session`: the session of a Domo custom app.
    RyuuSession(Secret),
    /// `X-DOMO-Ryuu-Token`: the app token of older custom-app embeds
    /// (`window.__RYUU_AUTHENTICATION_TOKEN__`).
    RyuuToken(Secret),
    /// OAuth client credentials of Domo's public API (`api.domo.com`):
    /// the client id and secret buy access tokens at `/oauth/token`
    /// (HTTP Basic), which requests carry as `Authorization: Bearer`.
    Client(ClientCredentials),
    /// No credentials (a server that needs none, or a proxy that adds them).
    None,
}

impl Credentials {
    /// A developer access token (`X-DOMO-Developer-Token`).
    pub fn developer_token(token: impl Into<String>) -> Credentials {
        Credentials::DeveloperToken(Secret::new(token))
    }

    /// A session token from a login (`X-DOMO-Authentication`).
    pub fn session_token(token: impl Into<String>) -> Credentials {
        Credentials::SessionToken(Secret::new(token))
    }

    /// Whether these are a custom app's credentials (an app session or
    /// app token): such a client reaches only the in-app APIs
    /// ([`crate::app::in_app_only`]).
    pub fn is_app(&self) -> bool {
        matches!(
            self,
            Credentials::RyuuSession(_) | Credentials::RyuuToken(_)
        )
    }

    /// OAuth client credentials of the public API, with every scope the
    /// client has ([`ClientCredentials`] narrows them).
    pub fn client(client_id: impl Into<String>, secret: impl Into<String>) -> Credentials {
        Credentials::Client(ClientCredentials::new(client_id, secret))
    }

    /// The header name (lower case) and the secret it carries. Client
    /// credentials have none: each request carries the access token of the
    /// moment, which the transport sets ([`crate::Prepared::set_bearer`]).
    pub fn header(&self) -> Option<(&'static str, &Secret)> {
        match self {
            Credentials::DeveloperToken(s) => Some(("x-domo-developer-token", s)),
            Credentials::SessionToken(s) => Some(("x-domo-authentication", s)),
            Credentials::RyuuSession(s) => Some(("x-domo-ryuu-session", s)),
            Credentials::RyuuToken(s) => Some(("x-domo-ryuu-token", s)),
            Credentials::Client(_) | Credentials::None => None,
        }
    }

    /// Whether these are OAuth client credentials, which reach only the
    /// public API: a client that runs an operation either way picks the
    /// public API's by this.
    pub fn is_public_api(&self) -> bool {
        self.api() == Some(crate::spec::Api::Public)
    }

    /// The API these credentials reach; `None` for no credentials (a
    /// proxy may add either kind).
    pub fn api(&self) -> Option<crate::spec::Api> {
        match self {
            Credentials::Client(_) => Some(crate::spec::Api::Public),
            Credentials::None => None,
            _ => Some(crate::spec::Api::Product),
        }
    }
}

/// Where access tokens are bought.
pub const TOKEN_PATH: &str = "/oauth/token";

/// The public API's host, where client credentials go unless a client is
/// given another base URL (a proxy, an emulator).
pub const PUBLIC_API: &str = "https://api.domo.com";

/// A client id and secret of Domo's public API (made under Admin >
/// Authentication > OAuth, or at developer.domo.com), and the scopes to ask
/// for. `Debug` shows the id, never the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientCredentials {
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub secret: Secret,
    /// The scopes to ask for (`data`, `user`, ...); none asks for every
    /// scope the client has.
    pub scopes: Vec<String>,
}

impl ClientCredentials {
    /// The client `client_id` with `secret`, asking for every scope it has.
    pub fn new(client_id: impl Into<String>, secret: impl Into<String>) -> ClientCredentials {
        ClientCredentials {
            client_id: client_id.into(),
            secret: Secret::new(secret),
            scopes: Vec::new(),
        }
    }

    /// Ask for these scopes only (`["data", "user"]`).
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The `scope` form value: the scopes separated by spaces; `None` for
    /// none.
    pub fn scope_param(&self) -> Option<String> {
        let scopes: Vec<&str> = self
            .scopes
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect();
        (!scopes.is_empty()).then(|| scopes.join(" "))
    }

    /// `Authorization: Basic base64(id:secret)`, after checking that the
    /// two can travel that way.
    pub(crate) fn basic_header(&self) -> Result<String, Error> {
        let id = self.client_id.trim();
        if id.is_empty() {
            return Err(Error::invalid_input("the OAuth client id is empty"));
        }
        if id.contains(':') {
            // HTTP Basic ends the id at its first `:`.
            return Err(Error::invalid_input(format!(
                "the OAuth client id {id:?} contains `:`, which HTTP Basic authentication cannot carry"
            )));
        }
        if self.secret.expose().is_empty() {
            return Err(Error::invalid_input(format!(
                "the secret of OAuth client {id:?} is empty"
            )));
        }
        let pair = format!("{id}:{}", self.secret.expose());
        Ok(format!("Basic {}", base64(pair.as_bytes())))
    }
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (HTTP Basic). Written out: it is a dozen
/// lines, and the browser package would pay for a crate.
pub(crate) fn base64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(BASE64[(n >> shift) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_the_token() {
        let c = Credentials::developer_token("s3cr3t-token");
        assert_eq!(format!("{c:?}"), "DeveloperToken([redacted])");
        assert!(!format!("{:#?}", c).contains("s3cr3t"));
        assert_eq!(Secret::new("s3cr3t").to_string(), "[redacted]");
        let c = Credentials::client("my-app", "client-s3cr3t");
        assert!(!format!("{c:?}").contains("client-s3cr3t"), "{c:?}");
        assert!(format!("{c:?}").contains("my-app"), "{c:?}");
    }
}
