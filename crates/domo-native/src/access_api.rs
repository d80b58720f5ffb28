//! Who sees which rows and who may call: row policies (PDP), access
//! tokens and password login.

use domo_core::auth::{Login, Session};
use domo_core::pdp::{CreatePolicy, DeletePolicy, ListPolicies, SetPdp, UpdatePolicy};
use domo_core::tokens::{CreateAccessToken, ListAccessTokens, MintedToken, RevokeAccessToken};
use domo_core::{Credentials, Error, Secret};
use domo_model::Id;
use domo_model::pdp::{PdpSettings, PdpState, Policy};
use domo_model::tokens::{AccessToken, AccessTokenRequest};

use crate::client::{Client, ClientBuilder};

impl Client {
    // ---- login ----------------------------------------------------------

    /// Log in with an email address and a password where `settings` point
    /// (its credentials, if any, are not sent), and return a client on the
    /// session token (`X-DOMO-Authentication`) with the session.
    ///
    /// A wrong password or a locked account is an
    /// [`ErrorKind::AuthFailed`](crate::ErrorKind::AuthFailed) error whose
    /// [`Error::auth_reason`] is Domo's reason (`INVALID_CREDENTIALS`,
    /// `ACCOUNT_LOCKED`); a host with no Domo instance a `Forbidden` one
    /// that says so.
    pub async fn login(
        settings: ClientBuilder,
        email: &str,
        password: &Secret,
    ) -> Result<(Client, Session), Error> {
        let anonymous = settings.clone().credentials(Credentials::None).build()?;
        let session = anonymous
            .inner
            .call(&Login {
                email: email.to_owned(),
                password: password.clone(),
            })
            .await?;
        let client = settings
            .credentials(Credentials::SessionToken(session.token.clone()))
            .build()?;
        Ok((client, session))
    }

    /// Where this client's requests go (`https://acme.domo.com`, or the
    /// base URL it was given).
    pub fn base_url(&self) -> &str {
        self.inner.config.base_url.as_str()
    }

    /// How this client authenticates (a `Secret` inside; it prints
    /// `[redacted]`).
    pub fn credentials(&self) -> &Credentials {
        &self.inner.config.credentials
    }

    // ---- row policies (PDP) ---------------------------------------------

    /// The dataset's row policies, the open "All Rows" policy included.
    pub async fn policies(&self, dataset_id: &str) -> Result<Vec<Policy>, Error> {
        self.inner
            .call(&ListPolicies {
                dataset_id: dataset_id.into(),
            })
            .await
    }

    /// Create a policy; the reply carries its `filterGroupId`.
    pub async fn create_policy(&self, dataset_id: &str, policy: Policy) -> Result<Policy, Error> {
        self.inner
            .call(&CreatePolicy {
                dataset_id: dataset_id.into(),
                policy,
            })
            .await
    }

    /// Replace policy `policy_id` with `policy` (the whole policy).
    pub async fn update_policy(
        &self,
        dataset_id: &str,
        policy_id: &str,
        policy: Policy,
    ) -> Result<Policy, Error> {
        self.inner
            .call(&UpdatePolicy {
                dataset_id: dataset_id.into(),
                policy_id: policy_id.into(),
                policy,
            })
            .await
    }

    pub async fn delete_policy(&self, dataset_id: &str, policy_id: &str) -> Result<(), Error> {
        self.inner
            .call(&DeletePolicy {
                dataset_id: dataset_id.into(),
                policy_id: policy_id.into(),
            })
            .await
    }

    /// Turn row policies on or off for the dataset. Off, everyone with
    /// access sees every row.
    pub async fn set_pdp(&self, dataset_id: &str, enabled: bool) -> Result<PdpState, Error> {
        self.inner
            .call(&SetPdp {
                dataset_id: dataset_id.into(),
                settings: PdpSettings {
                    enabled,
                    external: false,
                },
            })
            .await
    }

    // ---- access tokens --------------------------------------------------

    /// Every access token (never a value).
    pub async fn access_tokens(&self) -> Result<Vec<AccessToken>, Error> {
        self.inner.call(&ListAccessTokens).await
    }

    /// Mint a token for `owner_id` that expires at `expires_ms` (epoch
    /// milliseconds). Its value is in the reply only, as a `Secret`.
    pub async fn create_access_token(
        &self,
        name: &str,
        owner_id: impl Into<Id>,
        expires_ms: i64,
    ) -> Result<MintedToken, Error> {
        self.inner
            .call(&CreateAccessToken {
                request: AccessTokenRequest {
                    name: name.into(),
                    owner_id: owner_id.into(),
                    expires: expires_ms,
                },
            })
            .await
    }

    /// Revoke a token: it stops working at once.
    pub async fn revoke_access_token(&self, token_id: &str) -> Result<(), Error> {
        self.inner
            .call(&RevokeAccessToken {
                token_id: token_id.into(),
            })
            .await
    }
}
