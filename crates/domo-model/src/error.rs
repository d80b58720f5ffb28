//! The JSON error body of Domo's public API.

use serde::{Deserialize, Serialize};

use crate::Extra;

/// `{"status", "statusReason", "message", "toe"}`; every field optional because
/// gateways answer with subsets of it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// The HTTP status code, repeated in the body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The status code's reason phrase (`Bad Request`, `Not Found`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    /// What went wrong, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Domo's trace id, useful when talking to Domo support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toe: Option<String>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}
