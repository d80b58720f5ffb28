//! The JSON error body of Domo's public API.

use serde::{Deserialize, Serialize};

use crate::Extra;

/// `{"status", "statusReason", "message", "toe"}`; every field optional because
/// gateways answer with subsets of it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Domo's trace id, useful when talking to Domo support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toe: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}
