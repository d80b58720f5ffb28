//! Users: `GET /api/content/v2/users/me`.

use serde::{Deserialize, Serialize};

use crate::{Extra, Id};

/// A user as `GET /api/content/v2/users/me` describes it:
/// `{"id", "displayName", "userName", "emailAddress", "role", ...}`. Ids
/// arrive as numbers here and as strings elsewhere; both decode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// The user's id (a number on this endpoint).
    pub id: Id,
    /// The name shown in Domo's UI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The login name (often the email address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// The user's email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
    /// The user's role: `Admin`, `Privileged`, `Editor`, `Participant`, or
    /// a custom role's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn me_decodes_with_a_number_or_string_id() {
        let me: User = serde_json::from_str(
            r#"{"id":7,"displayName":"Ann","userName":"ann","emailAddress":"ann@example.com","role":"Admin","title":"x"}"#,
        )
        .unwrap();
        assert_eq!(me.id, Id::Num(7));
        assert_eq!(me.role.as_deref(), Some("Admin"));
        assert_eq!(me.extra["title"], "x");
        let me: User = serde_json::from_str(r#"{"id":"7"}"#).unwrap();
        assert_eq!(me.id.as_u64(), Some(7));
    }
}
