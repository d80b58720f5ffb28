//! From flags, environment and saved profiles to a [`Client`], with one
//! sentence saying what to set when something is missing.
//!
//! Flags and environment variables win over a profile. A profile's token
//! goes only where the profile points: given another instance or base
//! URL, a profile's session is not sent there.

use std::sync::Mutex;

use domo_core::secret::ClientCredentials;
use domo_core::{BaseUrl, Credentials, Secret};
use domo_native::{Client, ClientBuilder};

use crate::args::ConnectionArgs;
use crate::failure::Failure;
use crate::profile::{DEFAULT_PROFILE, Profile, Profiles, TokenKind};

/// Every token read from a profile by this process, for `main` to scrub
/// from what it prints should a server echo one.
pub static PROFILE_SECRETS: Mutex<Vec<Secret>> = Mutex::new(Vec::new());

/// Where to connect: an instance name or a base URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Instance(String),
    BaseUrl(String),
}

impl Location {
    fn of(instance: Option<&str>, base_url: Option<&str>) -> Option<Location> {
        match (instance, base_url) {
            (Some(i), _) => Some(Location::Instance(i.to_owned())),
            (None, Some(u)) => Some(Location::BaseUrl(u.to_owned())),
            (None, None) => None,
        }
    }

    fn of_profile(p: &Profile) -> Option<Location> {
        Location::of(p.instance.as_deref(), p.base_url.as_deref())
    }

    /// The URL requests go to, for comparing two locations.
    fn url(&self) -> Option<String> {
        let b = match self {
            Location::Instance(i) => BaseUrl::instance(i),
            Location::BaseUrl(u) => BaseUrl::parse_allowing_insecure_http(u),
        };
        b.ok().map(|b| b.as_str().to_owned())
    }

    pub fn text(&self) -> &str {
        match self {
            Location::Instance(s) | Location::BaseUrl(s) => s,
        }
    }
}

/// The location the flags or environment give, if any.
pub fn given_location(conn: &ConnectionArgs) -> Result<Option<Location>, Failure> {
    let instance = non_empty(conn.instance.as_deref());
    let base_url = non_empty(conn.base_url.as_deref());
    if instance.is_some() && base_url.is_some() {
        return Err(Failure::usage(
            "both an instance (DOMO_INSTANCE/--instance) and a base URL (DOMO_BASE_URL/--base-url) are set: keep only one",
        ));
    }
    Ok(Location::of(instance, base_url))
}

/// The profile `conn` names (`--profile`, `DOMO_PROFILE`), or the default
/// one when `needed` and saved. A named profile that is not saved is an
/// error; so is a profiles file others may read.
pub fn profile(conn: &ConnectionArgs, needed: bool) -> Result<Option<(String, Profile)>, Failure> {
    let named = non_empty(conn.profile.as_deref());
    if named.is_none() && !needed {
        return Ok(None);
    }
    let profiles = Profiles::load()?;
    let name = named.unwrap_or(DEFAULT_PROFILE);
    match profiles.profiles.get(name) {
        Some(p) => {
            if let Ok(mut held) = PROFILE_SECRETS.lock() {
                held.push(p.token.clone());
            }
            Ok(Some((name.to_owned(), p.clone())))
        }
        None if named.is_some() => Err(Failure::usage(format!(
            "there is no profile {name:?} in {}: log in with `domoctl login --profile {name}`",
            profiles.path.display()
        ))),
        None => Ok(None),
    }
}

/// A client builder for `location` with the connection settings of
/// `conn` and no credentials yet.
pub fn builder(conn: &ConnectionArgs, location: &Location) -> ClientBuilder {
    let builder = settings(conn);
    match location {
        Location::Instance(i) => builder.instance(i),
        Location::BaseUrl(u) => builder.base_url(u),
    }
}

/// A client builder with the connection settings of `conn`, and neither
/// a location nor credentials yet.
fn settings(conn: &ConnectionArgs) -> ClientBuilder {
    let mut builder = Client::builder()
        .timeout(conn.timeout)
        .user_agent(concat!("domo-cli/", env!("CARGO_PKG_VERSION")));
    if conn.allow_insecure_http {
        builder = builder.allow_insecure_http();
    }
    if let Some(retries) = conn.max_retries {
        builder = builder.max_attempts(retries.saturating_add(1));
    }
    builder
}

/// A client of the public API with client credentials: `base_url` (a
/// proxy or the emulator) or `https://api.domo.com`.
pub fn public_client(
    conn: &ConnectionArgs,
    base_url: Option<&str>,
    client_id: &str,
    secret: &Secret,
) -> Result<Client, Failure> {
    let mut builder = settings(conn).credentials(Credentials::Client(ClientCredentials::new(
        client_id,
        secret.expose(),
    )));
    if let Some(u) = base_url {
        builder = builder.base_url(u);
    }
    builder
        .build()
        .map_err(|e| Failure::usage(format!("invalid configuration: {}", e.message())))
}

/// `connect` with a client id given (flag or `DOMO_CLIENT_ID`): its
/// secret from `DOMO_CLIENT_SECRET`, or from the profile saved for the
/// same client id.
fn connect_client(
    conn: &ConnectionArgs,
    client_id: &str,
) -> Result<(Client, Option<(String, Profile)>), Failure> {
    if conn.token.as_ref().is_some_and(|t| !t.expose().is_empty()) {
        return Err(Failure::usage(
            "both a developer token (DOMO_TOKEN/--token) and a client id (DOMO_CLIENT_ID/--client-id) are set: keep one (a token for the product API, client credentials for the public API)",
        ));
    }
    if non_empty(conn.instance.as_deref()).is_some() {
        return Err(Failure::usage(
            "client credentials are for the public API at api.domo.com, not an instance (DOMO_INSTANCE/--instance is the product API's): unset it, or give DOMO_BASE_URL for a proxy or the emulator",
        ));
    }
    let given = conn
        .client_secret
        .as_ref()
        .filter(|s| !s.expose().is_empty());
    let profile = match given {
        Some(_) => None,
        None => profile(conn, true)?.filter(|(_, p)| {
            p.token_kind == TokenKind::Client && p.client_id.as_deref() == Some(client_id)
        }),
    };
    let secret = match (given, &profile) {
        (Some(s), _) => s.clone(),
        (None, Some((_, p))) => p.token.clone(),
        (None, None) => {
            return Err(Failure::usage(format!(
                "not configured: set DOMO_CLIENT_SECRET (the secret of client {client_id:?}), or save it with `domoctl login --client-id {client_id}`"
            )));
        }
    };
    let base_url = non_empty(conn.base_url.as_deref())
        .map(str::to_owned)
        .or_else(|| profile.as_ref().and_then(|(_, p)| p.base_url.clone()));
    let client = public_client(conn, base_url.as_deref(), client_id, &secret)?;
    Ok((client, profile))
}

/// Builds the client, or says what to set.
pub fn client(conn: &ConnectionArgs) -> Result<Client, Failure> {
    connect(conn).map(|(client, _)| client)
}

/// Builds the client, and gives the profile whose token it calls with.
pub fn connect(conn: &ConnectionArgs) -> Result<(Client, Option<(String, Profile)>), Failure> {
    if let Some(id) = non_empty(conn.client_id.as_deref()) {
        return connect_client(conn, id);
    }
    let given = given_location(conn)?;
    // Stays a `Secret` all the way into the client: nothing here can
    // format it.
    let token = conn.token.as_ref().filter(|t| !t.expose().is_empty());
    let profile = profile(conn, given.is_none() || token.is_none())?;

    let location = given
        .clone()
        .or_else(|| profile.as_ref().and_then(|(_, p)| Location::of_profile(p)));
    let credentials = match (token, &profile) {
        (Some(t), _) => Some(Credentials::DeveloperToken(t.clone())),
        (None, Some((_, p))) => {
            let same_place = match (&given, Location::of_profile(p)) {
                (None, _) => true,
                (Some(g), Some(pl)) => g.url().is_some() && g.url() == pl.url(),
                (Some(_), None) => false,
            };
            same_place.then(|| p.credentials())
        }
        (None, None) => None,
    };

    // A saved client with no place given: api.domo.com unless it was
    // saved with a base URL.
    if let (Some(Credentials::Client(_)), None, Some((name, p))) = (&credentials, &given, &profile)
    {
        let client = public_client(
            conn,
            p.base_url.as_deref(),
            p.client_id.as_deref().unwrap_or_default(),
            &p.token,
        )?;
        return Ok((client, Some((name.clone(), p.clone()))));
    }
    let mut missing = Vec::new();
    if location.is_none() {
        missing.push(
            "DOMO_INSTANCE (such as `acme` for acme.domo.com) or DOMO_BASE_URL (such as http://127.0.0.1:8787 for `domoctl emulator` or `domo-emulator`)",
        );
    }
    if credentials.is_none() {
        missing.push("DOMO_TOKEN (a developer token; or DOMO_CLIENT_ID and DOMO_CLIENT_SECRET for the public API)");
    }
    let (Some(location), Some(credentials), true) = (location, credentials, missing.is_empty())
    else {
        let elsewhere = match (&profile, &given) {
            (Some((name, p)), Some(g)) if token.is_none() => format!(
                "; the profile {name:?} is for {}, so its session is not sent to {}",
                p.location(),
                g.text()
            ),
            _ => String::new(),
        };
        return Err(Failure::usage(format!(
            "not configured: set {} in the environment (or pass the matching --instance/--base-url/--token flags), or log in with `domoctl login`{elsewhere}",
            missing.join(" and ")
        )));
    };

    // Every build error is a configuration the user has to change.
    let client = builder(conn, &location)
        .credentials(credentials)
        .build()
        .map_err(|e| Failure::usage(format!("invalid configuration: {}", e.message())))?;
    // The profile is only reported when its session is the one in use.
    let used = profile.filter(|_| token.is_none());
    Ok((client, used))
}

pub fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}
