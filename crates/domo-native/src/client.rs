//! The [`Client`] and its configuration.

use std::time::Duration;

use domo_core::{BaseUrl, Config, Credentials, Error, RetryPolicy};

use crate::transport::Transport;

/// A client for one Domo instance. Cheap to clone: clones share the
/// connection pool.
#[derive(Debug, Clone)]
pub struct Client {
    pub(crate) inner: std::sync::Arc<Transport>,
}

impl Client {
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }
}

/// Builds a [`Client`]. An instance name or a base URL is required; the
/// rest has defaults (domo-core's: [`domo_core::DEFAULT_TIMEOUT`] per
/// attempt, 60 s, and the core retry policy).
#[derive(Debug, Clone, Default)]
pub struct ClientBuilder {
    instance: Option<String>,
    base_url: Option<String>,
    allow_insecure_http: bool,
    credentials: Option<Credentials>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    user_agent: Option<String>,
}

impl ClientBuilder {
    /// `acme` for `https://acme.domo.com`.
    pub fn instance(mut self, name: impl Into<String>) -> Self {
        self.instance = Some(name.into());
        self
    }

    /// An explicit base URL (a proxy, or a local emulator). `http://` is
    /// accepted for loopback hosts only, unless [`Self::allow_insecure_http`].
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Accept `http://` to non-loopback hosts. The token then crosses the
    /// network in clear text.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    pub fn developer_token(mut self, token: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::developer_token(token));
        self
    }

    pub fn session_token(mut self, token: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::session_token(token));
        self
    }

    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Timeout of one attempt, from sending to the last byte of the reply.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Shorthand for a policy with `attempts` attempts in all.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        let mut p = self.retry.unwrap_or_default();
        p.max_attempts = attempts.max(1);
        self.retry = Some(p);
        self
    }

    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = Some(ua.into());
        self
    }

    pub fn build(self) -> Result<Client, Error> {
        let base = BaseUrl::from_settings(
            self.instance.as_deref(),
            self.base_url.as_deref(),
            self.allow_insecure_http,
        )?;
        let credentials = self.credentials.ok_or_else(|| {
            Error::invalid_input("no token configured: set a developer token or a session token")
        })?;
        let mut config = Config::new(base, credentials);
        if let Some(ua) = self.user_agent {
            config.user_agent = ua;
        }
        let timeout = self.timeout.unwrap_or(domo_core::DEFAULT_TIMEOUT);
        let http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout.unwrap_or(Duration::from_secs(10)))
            .pool_idle_timeout(Duration::from_secs(60))
            // Bounds each wait for bytes, so a stalled export ends while a
            // long one is never cut off; the per-attempt total is set per request.
            .read_timeout(timeout)
            .build()
            .map_err(|e| Error::invalid_input(format!("cannot set up the HTTP client: {e}")))?;
        Ok(Client {
            inner: std::sync::Arc::new(Transport::new(
                http,
                config,
                self.retry.unwrap_or_default(),
                timeout,
            )),
        })
    }
}
