//! Password login (`POST /api/content/v2/authentication`). The password and
//! the session token are no part of these types: `domo-core` holds both as
//! `Secret`s.

use serde::{Deserialize, Serialize};

use crate::Id;

/// What a login reply says besides the session token. Domo answers a wrong
/// password with HTTP 200 and `success: false`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginReply {
    /// `true` when the password was accepted, `false` (with a `reason`)
    /// when it was not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success: Option<bool>,
    /// Why a login was refused: `INVALID_CREDENTIALS`, `ACCOUNT_LOCKED`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The id of the user now logged in; absent when the login was refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<Id>,
}

/// The field of a login reply that holds the session token.
pub const SESSION_TOKEN_FIELD: &str = "sessionToken";
