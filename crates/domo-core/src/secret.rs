//! Credentials that cannot be printed by accident.

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
    Client(crate::oauth::ClientCredentials),
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

    /// OAuth client credentials of the public API, with every scope the
    /// client has ([`crate::oauth::ClientCredentials`] narrows them).
    pub fn client(client_id: impl Into<String>, secret: impl Into<String>) -> Credentials {
        Credentials::Client(crate::oauth::ClientCredentials::new(client_id, secret))
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
