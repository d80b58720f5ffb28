//! The [`Client`] and its configuration.

use std::time::Duration;

use domo_core::paging::Pages;
use domo_core::{BaseUrl, Config, Credentials, Endpoint, Error, RetryPolicy, Secret};
use futures_util::{Stream, TryStreamExt, stream};

use crate::transport::Transport;

/// A client for one Domo instance. Cheap to clone: clones share the
/// connection pool, so a clone can be moved into a spawned task (the
/// streams this client returns hold one and are `'static`).
#[derive(Debug, Clone)]
pub struct Client {
    pub(crate) inner: std::sync::Arc<Transport>,
}

impl Client {
    /// A builder; an instance name or a base URL and a credential are
    /// required.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Send any declared endpoint (every request type of
    /// [`domo_core`]'s modules, such as
    /// [`domo_core::datasets::GetDataset`]) and decode its reply, with the
    /// client's retries. The methods of this type are this call with the
    /// arguments filled in; use it for the forms they do not offer.
    ///
    /// ```no_run
    /// # async fn run(client: domo_native::Client) -> Result<(), domo_native::Error> {
    /// use domo_native::core::datasets::GetDataset;
    /// let dataset = client
    ///     .send(&GetDataset {
    ///         part: vec!["core".into(), "permission".into()],
    ///         ..GetDataset::new("9b2c7e0e")
    ///     })
    ///     .await?;
    /// # let _ = dataset;
    /// # Ok(()) }
    /// ```
    pub async fn send<E: Endpoint>(&self, endpoint: &E) -> Result<E::Output, Error> {
        self.inner.call(endpoint).await
    }

    /// Every item of a paged listing, read a page at a time as `pages`
    /// says (domo-core's [`Pages`]: which request comes next, when the
    /// listing ends): memory is one page whatever the listing's size, and
    /// the stream holds a clone of the client, so it may outlive `self`.
    pub(crate) fn paged<P>(
        &self,
        pages: P,
    ) -> impl Stream<Item = Result<P::Item, Error>> + Send + 'static
    where
        P: Pages + Send + 'static,
        P::Request: Send + Sync,
        P::Item: Send,
        <P::Request as Endpoint>::Output: Send,
    {
        let client = self.clone();
        stream::try_unfold(pages, move |mut pages| {
            let client = client.clone();
            async move {
                let Some(request) = pages.next_page() else {
                    return Ok(None);
                };
                let page = client.send(&request).await?;
                let items = pages.take(page)?;
                Ok(Some((stream::iter(items.into_iter().map(Ok)), pages)))
            }
        })
        .try_flatten()
    }

    /// Where this client's requests go (`https://acme.domo.com`, or the
    /// base URL it was given).
    pub fn base_url(&self) -> &str {
        self.inner.config.base_url.as_str()
    }

    /// How this client authenticates (a [`Secret`] inside; it prints
    /// `[redacted]`).
    pub fn credentials(&self) -> &Credentials {
        &self.inner.config.credentials
    }
}

/// Builds a [`Client`]. An instance name or a base URL is required, and a
/// credential; the rest has defaults (domo-core's: 60 s per attempt,
/// [`domo_core::DEFAULT_TIMEOUT`], and the core retry policy).
///
/// ```no_run
/// # fn run() -> Result<(), domo_native::Error> {
/// use std::time::Duration;
/// let client = domo_native::Client::builder()
///     .base_url("http://127.0.0.1:8787") // a local emulator; http only to loopback
///     .developer_token("dev-token")
///     .timeout(Duration::from_secs(30))
///     .max_attempts(3)
///     .build()?;
/// # let _ = client;
/// # Ok(()) }
/// ```
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
    scopes: Option<Vec<String>>,
}

impl ClientBuilder {
    /// `acme` for `https://acme.domo.com`.
    pub fn instance(mut self, name: impl Into<String>) -> Self {
        self.instance = Some(name.into());
        self
    }

    /// An explicit base URL (a proxy, or a local emulator). `http://` is
    /// accepted for loopback hosts only, unless
    /// [`ClientBuilder::allow_insecure_http`].
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Accept `http://` to hosts other than loopback. The token then
    /// crosses the network in clear text.
    pub fn allow_insecure_http(mut self) -> Self {
        self.allow_insecure_http = true;
        self
    }

    /// Authenticate with a developer token (`X-DOMO-Developer-Token`),
    /// made in Domo's admin console.
    pub fn developer_token(mut self, token: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::developer_token(token));
        self
    }

    /// Authenticate with a login session (`X-DOMO-Authentication`); see
    /// [`Client::login`].
    pub fn session_token(mut self, token: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::session_token(token));
        self
    }

    /// Authenticate with OAuth client credentials of Domo's public API
    /// (`https://api.domo.com`, unless [`ClientBuilder::base_url`] names a
    /// proxy or an emulator): the client fetches an access token with them
    /// at `/oauth/token`, renews it a little before it expires and once
    /// when a request is answered 401, one fetch at a time however many
    /// requests are in flight. Such a client reaches the `/v1` endpoints
    /// ([`Client::v1`]); a product-API method says so in its error.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), domo_native::Error> {
    /// let client = domo_native::Client::builder()
    ///     .client_credentials("my-client-id", std::env::var("DOMO_CLIENT_SECRET").unwrap_or_default())
    ///     .scopes(["data", "user"])
    ///     .build()?;
    /// let dataset = client.v1().dataset("9b2c7e0e").await?;
    /// # let _ = dataset;
    /// # Ok(()) }
    /// ```
    pub fn client_credentials(
        mut self,
        client_id: impl Into<String>,
        secret: impl Into<String>,
    ) -> Self {
        self.credentials = Some(Credentials::client(client_id, secret));
        self
    }

    /// The scopes to ask for with client credentials (`data`, `user`, ...);
    /// every scope the client has when not set.
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// Authenticate as `credentials` say ([`Credentials::None`] sends no
    /// credential).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Timeout of one attempt, from sending to the last byte of the reply
    /// (and, for streamed replies, of each wait for more bytes).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Timeout of establishing a connection (10 s when not set).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// How failed requests are retried.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Shorthand for a policy with `attempts` attempts in all (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        let mut p = self.retry.unwrap_or_default();
        p.max_attempts = attempts.max(1);
        self.retry = Some(p);
        self
    }

    /// The `User-Agent` header (`domo-rs/VERSION` when not set).
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = Some(ua.into());
        self
    }

    /// The client; an error names the setting that is missing or invalid.
    pub fn build(self) -> Result<Client, Error> {
        let mut credentials = self.credentials.ok_or_else(|| {
            Error::invalid_input(
                "no token or client credentials configured: set a developer token, a session token or OAuth client credentials",
            )
        })?;
        match (&mut credentials, self.scopes) {
            (Credentials::Client(client), Some(scopes)) => *client = client.clone().scopes(scopes),
            (Credentials::Client(_), None) | (_, None) => {}
            (_, Some(_)) => {
                return Err(Error::invalid_input(
                    "scopes go with OAuth client credentials (client_credentials), not with a token",
                ));
            }
        }
        let base = BaseUrl::for_credentials(
            &credentials,
            self.instance.as_deref(),
            self.base_url.as_deref(),
            self.allow_insecure_http,
        )?;
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

impl Client {
    /// Log in with an email address and a password where `settings` point
    /// (its credentials, if any, are not sent), and return a client on the
    /// session token (`X-DOMO-Authentication`) with the session.
    ///
    /// A wrong password or a locked account is an
    /// [`ErrorKind::AuthFailed`](crate::ErrorKind::AuthFailed) error whose
    /// [`Error::auth_reason`] is Domo's reason (`INVALID_CREDENTIALS`,
    /// `ACCOUNT_LOCKED`); a host with no Domo instance a `Forbidden` one
    /// that says so.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), domo_native::Error> {
    /// use domo_native::{Client, ErrorKind, Secret};
    /// let settings = Client::builder().instance("acme");
    /// match Client::login(settings, "ann@acme.example", &Secret::new("…")).await {
    ///     Ok((client, session)) => println!("user {:?}", session.user_id),
    ///     Err(e) if e.kind() == ErrorKind::AuthFailed => {
    ///         eprintln!("refused: {}", e.auth_reason().unwrap_or("?"))
    ///     }
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn login(
        settings: ClientBuilder,
        email: &str,
        password: &Secret,
    ) -> Result<(Client, domo_core::auth::Session), Error> {
        let anonymous = settings.clone().credentials(Credentials::None).build()?;
        let session = anonymous
            .send(&domo_core::auth::Login {
                email: email.to_owned(),
                password: password.clone(),
            })
            .await?;
        let client = settings
            .credentials(Credentials::SessionToken(session.token.clone()))
            .build()?;
        Ok((client, session))
    }
}
