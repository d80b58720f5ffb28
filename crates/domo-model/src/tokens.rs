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
    pub id: Id,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<Id>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_name: Option<String>,
    /// Epoch milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<i64>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `POST /api/data/v1/accesstokens`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AccessTokenRequest {
    pub name: String,
    pub owner_id: Id,
    /// Epoch milliseconds.
    pub expires: i64,
}

/// The field of a token reply that holds the value.
pub const TOKEN_FIELD: &str = "token";
