//! From flags and environment to a [`Client`], with one sentence saying
//! what to set when something is missing.

use domo_core::Credentials;
use domo_native::Client;

use crate::args::ConnectionArgs;
use crate::failure::Failure;

/// Builds the client, or says what to set.
pub fn client(conn: &ConnectionArgs) -> Result<Client, Failure> {
    let instance = non_empty(conn.instance.as_deref());
    let base_url = non_empty(conn.base_url.as_deref());
    // Stays a `Secret` all the way into the client: nothing here can
    // format it.
    let token = conn.token.as_ref().filter(|t| !t.expose().is_empty());

    if instance.is_some() && base_url.is_some() {
        return Err(Failure::usage(
            "both an instance (DOMO_INSTANCE/--instance) and a base URL (DOMO_BASE_URL/--base-url) are set: keep only one",
        ));
    }
    let mut missing = Vec::new();
    if instance.is_none() && base_url.is_none() {
        missing.push(
            "DOMO_INSTANCE (such as `acme` for acme.domo.com) or DOMO_BASE_URL (such as http://127.0.0.1:8787 for `domoctl emulator` or `domo-emulator`)",
        );
    }
    if token.is_none() {
        missing.push("DOMO_TOKEN (a developer token)");
    }
    let (Some(token), true) = (token, missing.is_empty()) else {
        return Err(Failure::usage(format!(
            "not configured: set {} in the environment (or pass the matching --instance/--base-url/--token flags)",
            missing.join(" and ")
        )));
    };

    let mut builder = Client::builder()
        .credentials(Credentials::DeveloperToken(token.clone()))
        .timeout(conn.timeout)
        .allow_insecure_http(conn.allow_insecure_http)
        .user_agent(concat!("domo-cli/", env!("CARGO_PKG_VERSION")));
    if let Some(i) = instance {
        builder = builder.instance(i);
    }
    if let Some(u) = base_url {
        builder = builder.base_url(u);
    }
    if let Some(retries) = conn.max_retries {
        builder = builder.max_attempts(retries.saturating_add(1));
    }
    // Every build error is a configuration the user has to change.
    builder
        .build()
        .map_err(|e| Failure::usage(format!("invalid configuration: {}", e.message())))
}

/// Where the connection goes, as the client resolves it (the same rule:
/// `acme` is `https://acme.domo.com`).
pub fn describe(conn: &ConnectionArgs) -> String {
    domo_core::config::BaseUrl::from_settings(
        non_empty(conn.instance.as_deref()),
        non_empty(conn.base_url.as_deref()),
        conn.allow_insecure_http,
    )
    .map(|u| u.as_str().to_owned())
    .unwrap_or_default()
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}
