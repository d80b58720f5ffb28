//! What a running tool has to hand (the clients, the limits, progress,
//! cancellation) and what it gives back.

use domo_native::Client;
use rmcp::model::{ProgressNotificationParam, ProgressToken};
use rmcp::service::RequestContext;
use rmcp::{Peer, RoleServer};
use serde::Serialize;
use serde_json::Value;

use super::settings::Settings;

/// What a running tool has to hand.
pub(crate) struct Call<'a> {
    /// Reads: retried as domo-core's policy says.
    pub read: &'a Client,
    /// Writes: each request sent once.
    pub write: &'a Client,
    pub settings: &'a Settings,
    pub progress: Progress,
    /// Cancelled when the client cancels the call.
    pub cancel: domo_native::CancellationToken,
    /// The instance name or base URL the server talks to.
    pub location: &'a str,
    /// The registered tools.
    pub tools: &'a [&'static str],
}

/// A tool's result: the structured value and its text copy.
#[derive(Debug)]
pub(crate) struct Reply {
    pub structured: Value,
    pub text: String,
}

impl Reply {
    /// `value` as the structured result, its compact JSON as the text.
    pub fn json<T: Serialize>(value: &T) -> Reply {
        let structured = serde_json::to_value(value).unwrap_or(Value::Null);
        Reply {
            text: structured.to_string(),
            structured,
        }
    }
}

/// Progress notifications for one call, when the client asked for them
/// (a `progressToken` in the request's `_meta`); otherwise nothing.
#[derive(Debug, Clone)]
pub(crate) struct Progress {
    target: Option<(Peer<RoleServer>, ProgressToken)>,
}

impl Progress {
    pub(crate) fn of(context: &RequestContext<RoleServer>) -> Progress {
        Progress {
            target: context
                .meta
                .get_progress_token()
                .map(|token| (context.peer.clone(), token)),
        }
    }

    /// Reports `done` (of `total`, when known) with a message.
    pub async fn report(&self, done: f64, total: Option<f64>, message: impl Into<String>) {
        let Some((peer, token)) = &self.target else {
            return;
        };
        let mut param = ProgressNotificationParam::new(token.clone(), done).with_message(message);
        if let Some(total) = total {
            param = param.with_total(total);
        }
        if let Err(e) = peer.notify_progress(param).await {
            tracing::debug!("progress notification not sent: {e}");
        }
    }

    /// Whether the client asked for progress.
    pub fn wanted(&self) -> bool {
        self.target.is_some()
    }
}
