//! Index jobs: start (`POST .../indexes`) and status.

use serde::{Deserialize, Serialize};

use crate::{Extra, Id};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexRequest {
    pub data_ids: Vec<Id>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct IndexJob {
    #[serde(default, alias = "id", skip_serializing_if = "Option::is_none")]
    pub index_id: Option<Id>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl IndexJob {
    /// The `#[serde(alias)]` names above, for [`crate::rename_aliases`].
    pub const ALIASES: &[(&str, &str)] = &[("id", "indexId")];

    /// Whether the status says the index is built.
    pub fn is_done(&self) -> bool {
        matches!(
            self.status
                .as_deref()
                .map(str::to_ascii_uppercase)
                .as_deref(),
            Some("SUCCESS" | "COMPLETE" | "COMPLETED" | "DONE")
        )
    }

    pub fn is_failed(&self) -> bool {
        matches!(
            self.status
                .as_deref()
                .map(str::to_ascii_uppercase)
                .as_deref(),
            Some("FAILED" | "ERROR")
        )
    }
}
