//! Who sees which rows and who may call: sharing, row policies (PDP) and
//! access tokens.

use std::time::{SystemTime, UNIX_EPOCH};

use domo_core::Error;
use domo_core::pdp::{CreatePolicy, DeletePolicy, ListPolicies, SetPdp, UpdatePolicy};
use domo_core::permissions::{ListPermissions, RemoveUser, RemoveUsers, RevokeUser, Share};
use domo_core::tokens::{CreateAccessToken, ListAccessTokens, MintedToken, RevokeAccessToken};
use domo_model::pdp::{PdpState, Policy};
use domo_model::permissions::{Permission, PermissionList, PrincipalRef};
use domo_model::tokens::AccessToken;
use domo_model::{DatasetId, Id};

use crate::client::Client;

/// How [`Client::share`] shares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShareOptions {
    /// Whether Domo mails the people given access (off by default).
    pub send_email: bool,
}

impl ShareOptions {
    /// Mail the people given access.
    pub fn send_email(mut self) -> ShareOptions {
        self.send_email = true;
        self
    }
}

impl Client {
    // ---- sharing --------------------------------------------------------

    /// Who has access to the dataset.
    pub async fn permissions(
        &self,
        dataset_id: impl Into<DatasetId>,
    ) -> Result<PermissionList, Error> {
        self.send(&ListPermissions {
            dataset_id: dataset_id.into(),
        })
        .await
    }

    /// Grant `permissions` (users or groups with an access level); at
    /// least one. Granting the same twice leaves one grant.
    ///
    /// ```no_run
    /// # async fn run(client: domo_native::Client) -> Result<(), domo_native::Error> {
    /// use domo_native::ShareOptions;
    /// use domo_native::model::permissions::{AccessLevel, Permission};
    /// let grants = vec![Permission::user(7u64, AccessLevel::CanEdit)];
    /// client.share("9b2c7e0e", grants, &ShareOptions::default().send_email()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn share(
        &self,
        dataset_id: impl Into<DatasetId>,
        permissions: Vec<Permission>,
        options: &ShareOptions,
    ) -> Result<(), Error> {
        self.send(&Share {
            dataset_id: dataset_id.into(),
            permissions,
            send_email: options.send_email,
        })
        .await
    }

    /// Take a user's grant away (`DELETE .../permissions/USER/{userId}`).
    pub async fn revoke_user(
        &self,
        dataset_id: impl Into<DatasetId>,
        user_id: impl Into<Id>,
    ) -> Result<(), Error> {
        self.send(&RevokeUser {
            dataset_id: dataset_id.into(),
            user_id: user_id.into(),
        })
        .await
    }

    /// Remove a user from the dataset's sharing (`DELETE .../USERS/{userId}`).
    pub async fn remove_user(
        &self,
        dataset_id: impl Into<DatasetId>,
        user_id: impl Into<Id>,
    ) -> Result<(), Error> {
        self.send(&RemoveUser {
            dataset_id: dataset_id.into(),
            user_id: user_id.into(),
        })
        .await
    }

    /// Remove several users and groups at once (`DELETE .../users`).
    pub async fn remove_users(
        &self,
        dataset_id: impl Into<DatasetId>,
        users: Vec<PrincipalRef>,
    ) -> Result<(), Error> {
        self.send(&RemoveUsers {
            dataset_id: dataset_id.into(),
            users,
        })
        .await
    }

    // ---- row policies (PDP) ---------------------------------------------

    /// The dataset's row policies, the open "All Rows" policy included.
    pub async fn policies(&self, dataset_id: impl Into<DatasetId>) -> Result<Vec<Policy>, Error> {
        self.send(&ListPolicies {
            dataset_id: dataset_id.into(),
        })
        .await
    }

    /// Create a policy; the reply carries its `filterGroupId`.
    ///
    /// ```no_run
    /// # async fn run(client: domo_native::Client) -> Result<(), domo_native::Error> {
    /// use domo_native::model::pdp::{Policy, PolicyParameter};
    /// let mut east = Policy::new("9b2c7e0e", "East");
    /// east.user_ids = vec![7u64.into()];
    /// east.parameters = vec![PolicyParameter::equals("region", ["east"]).ignoring_case()];
    /// let created = client.create_policy("9b2c7e0e", east).await?;
    /// client.set_pdp("9b2c7e0e", true).await?;
    /// # let _ = created;
    /// # Ok(()) }
    /// ```
    pub async fn create_policy(
        &self,
        dataset_id: impl Into<DatasetId>,
        policy: Policy,
    ) -> Result<Policy, Error> {
        self.send(&CreatePolicy {
            dataset_id: dataset_id.into(),
            policy,
        })
        .await
    }

    /// Replace policy `policy_id` with `policy` (the whole policy).
    pub async fn update_policy(
        &self,
        dataset_id: impl Into<DatasetId>,
        policy_id: impl Into<Id>,
        policy: Policy,
    ) -> Result<Policy, Error> {
        self.send(&UpdatePolicy {
            dataset_id: dataset_id.into(),
            policy_id: policy_id.into(),
            policy,
        })
        .await
    }

    /// Delete a policy.
    pub async fn delete_policy(
        &self,
        dataset_id: impl Into<DatasetId>,
        policy_id: impl Into<Id>,
    ) -> Result<(), Error> {
        self.send(&DeletePolicy {
            dataset_id: dataset_id.into(),
            policy_id: policy_id.into(),
        })
        .await
    }

    /// Turn row policies on or off for the dataset. Off, everyone with
    /// access sees every row.
    pub async fn set_pdp(
        &self,
        dataset_id: impl Into<DatasetId>,
        enabled: bool,
    ) -> Result<PdpState, Error> {
        self.send(&SetPdp {
            dataset_id: dataset_id.into(),
            enabled,
            external: false,
        })
        .await
    }

    // ---- access tokens --------------------------------------------------

    /// Every access token (never a value).
    pub async fn access_tokens(&self) -> Result<Vec<AccessToken>, Error> {
        self.send(&ListAccessTokens).await
    }

    /// Mint a token for `owner_id` that stops working at `expires`. Its
    /// value is in the reply only, as a [`crate::Secret`].
    ///
    /// ```no_run
    /// # async fn run(client: domo_native::Client) -> Result<(), domo_native::Error> {
    /// use std::time::{Duration, SystemTime};
    /// let in_90_days = SystemTime::now() + Duration::from_secs(90 * 24 * 3600);
    /// let minted = client.create_access_token("etl", 7u64, in_90_days).await?;
    /// let _value: &str = minted.value.expose(); // shown in this reply only
    /// client.revoke_access_token(minted.token.id).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_access_token(
        &self,
        name: impl Into<String>,
        owner_id: impl Into<Id>,
        expires: SystemTime,
    ) -> Result<MintedToken, Error> {
        let expires = expires
            .duration_since(UNIX_EPOCH)
            .map_err(|_| Error::invalid_input("the token's expiry is before 1970"))?
            .as_millis();
        self.send(&CreateAccessToken {
            name: name.into(),
            owner_id: owner_id.into(),
            expires: u64::try_from(expires).unwrap_or(u64::MAX),
        })
        .await
    }

    /// Revoke a token: it stops working at once.
    pub async fn revoke_access_token(&self, token_id: impl Into<Id>) -> Result<(), Error> {
        self.send(&RevokeAccessToken {
            token_id: token_id.into(),
        })
        .await
    }
}
