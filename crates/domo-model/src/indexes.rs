//! Index jobs: start (`POST .../indexes`) and status.

use serde::{Deserialize, Serialize};

use crate::{Extra, Id};

/// The body of `POST /api/data/v3/datasources/{id}/indexes`, which starts
/// indexing a dataset so that new data becomes queryable. Real clients send
/// `{"dataIds": []}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexRequest {
    /// The data versions to index; empty (what real clients send) means
    /// the current data.
    pub data_ids: Vec<Id>,
}

/// An index job, as the start (`POST .../indexes`) and the status
/// (`GET .../indexes/{indexId}/statuses`) answer it:
/// `{"indexId", "status", ...}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct IndexJob {
    /// The job's id, for polling its status (`id` is accepted too);
    /// absent when the start was answered with an empty body.
    #[serde(default, alias = "id", skip_serializing_if = "Option::is_none")]
    pub index_id: Option<Id>,
    /// The job's state, e.g. `QUEUED` when just started, then `SUCCESS` or
    /// `FAILED`; see
    /// [`IndexJob::is_done`] and [`IndexJob::is_failed`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

impl IndexJob {
    /// The `#[serde(alias)]` names above, for readers of the parsed JSON
    /// (domo-core's `Fixup::Rename` reply step).
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

    /// Whether the status says indexing failed (`FAILED` or `ERROR`).
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
