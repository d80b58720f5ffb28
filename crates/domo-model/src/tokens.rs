//! Access tokens (`/api/data/v1/accesstokens`). The token value itself is
//! no part of these types: it is shown once, in the reply to a create, and
//! `domo-core` hands it on as a `Secret`.

use serde::{Deserialize, Serialize};

use crate::{Extra, Id};

/// An access token as the list describes it (never its value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct AccessToken {
    /// The token's id, for revoking it (`DELETE .../accesstokens/{id}`).
    pub id: Id,
    /// The name given at creation; empty when the server sent none.
    #[serde(default)]
    pub name: String,
    /// The user the token acts as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<Id>,
    /// That user's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_name: Option<String>,
    /// When the token stops working, epoch milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<i64>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `POST /api/data/v1/accesstokens`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AccessTokenRequest {
    /// A name for the token, shown in the list.
    pub name: String,
    /// The user the token acts as; an unknown user is refused with 400.
    pub owner_id: Id,
    /// When the token stops working, epoch milliseconds.
    pub expires: i64,
}

/// The field of a token reply that holds the value.
pub const TOKEN_FIELD: &str = "token";
