//! Inside a custom app: AppDB documents (`/domo/datastores/v1`), who is
//! looking (`/domo/environment/v1`) and the users (`/domo/users/v1`).
//! Mirrored by `domo-core`'s `app` and `appdb` endpoint modules.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Extra, Id};

/// A document's content: any JSON object. A collection with a schema
/// checks the fields its columns name.
pub type Content = serde_json::Map<String, Value>;

/// A MongoDB `find()` filter over documents as AppDB returns them
/// (`{"content.units": {"$gte": 2}}`); `{}` matches every document.
pub type DocumentFilter = serde_json::Map<String, Value>;

/// MongoDB update operators (`{"$set": {"content.done": true}}`, `$unset`,
/// `$inc`, `$push`, ...), on paths under `content.`.
pub type UpdateOperation = serde_json::Map<String, Value>;

/// An AppDB document: `{id, owner, createdOn, updatedOn, content,
/// syncRequired, ...}`. `AppDocument` in TypeScript, where `Document` is
/// the DOM's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(optional_fields = nullable, rename = "AppDocument")
)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    /// The document's id (a UUID), for get, update and delete.
    pub id: String,
    /// What the app stored.
    pub content: Content,
    /// The user who created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Id>,
    /// When it was created, as AppDB writes times
    /// (`2019-03-04T16:59:25.184+0000`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_on: Option<String>,
    /// When it last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_on: Option<String>,
    /// Whether it changed since its collection last synced to a dataset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_required: Option<bool>,
    /// Fields not named above (`customer`, `datastoreId`, `collectionId`,
    /// `updatedBy`), kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A document to store: `{"content": {...}}` to create or replace one; in a
/// bulk upsert, with the `id` of the document it replaces (without one, a
/// document is created).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
pub struct DocumentRequest {
    /// The document to replace (bulk upserts only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What to store.
    pub content: Content,
}

impl DocumentRequest {
    /// A new document holding `content`.
    pub fn new(content: Content) -> DocumentRequest {
        DocumentRequest { id: None, content }
    }
}

/// `PUT .../documents/update`: the documents `query` matches get
/// `operation` (`{"$set": {"content.done": true}}`, `$unset`, `$inc`,
/// `$push`, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PartialUpdate {
    /// Which documents (a MongoDB filter).
    pub query: DocumentFilter,
    /// What to change in each (MongoDB update operators).
    pub operation: UpdateOperation,
}

/// What a bulk call did: `{"Created": n}`, `{"Updated": n, "Created": m}`
/// or `{"Deleted": n}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
pub struct BulkResult {
    /// Documents created.
    #[serde(rename = "Created", default, skip_serializing_if = "Option::is_none")]
    pub created: Option<u64>,
    /// Documents replaced.
    #[serde(rename = "Updated", default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<u64>,
    /// Documents deleted.
    #[serde(rename = "Deleted", default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<u64>,
}

/// `GET /domo/environment/v1`: who is looking at the app, as the server
/// knows it (unlike the page's query string, which the viewer can change).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct Environment {
    /// The viewer's user id.
    pub user_id: Id,
    /// The viewer's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// The viewer's email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_email: Option<String>,
    /// The instance (`acme` for acme.domo.com).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// The instance's host name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The viewer's locale (`en-US`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Fields not named above (`role`), kept so that re-encoding loses
    /// nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A user as `GET /domo/users/v1` lists them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct AppUser {
    /// The user's id.
    pub id: Id,
    /// The name shown in Domo's UI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Where the user's avatar is (a path on the instance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_key: Option<String>,
    /// The user's role (`Admin`, `Participant`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Contact details, with `includeDetails=true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<AppUserDetail>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A user's details (`includeDetails=true`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct AppUserDetail {
    /// The email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The job title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// The employee number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_number: Option<String>,
    /// Whether the user has not yet accepted the invitation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<bool>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_and_services_decode_as_the_app_host_sends_them() {
        let doc: Document = serde_json::from_str(
            r#"{"id":"0f3c","customer":"acme","owner":7,"datastoreId":"d","collectionId":"c",
                "createdOn":"2019-03-04T16:59:25.184+0000","updatedOn":"2019-03-04T16:59:25.184+0000",
                "updatedBy":7,"content":{"n":1,"tags":["a"]},"syncRequired":true}"#,
        )
        .unwrap();
        assert_eq!(doc.owner, Some(Id::Num(7)));
        assert_eq!(doc.content["tags"][0], "a");
        assert_eq!(doc.extra["collectionId"], "c");
        let bulk: BulkResult = serde_json::from_str(r#"{"Updated":2,"Created":1}"#).unwrap();
        assert_eq!(
            (bulk.created, bulk.updated, bulk.deleted),
            (Some(1), Some(2), None)
        );
        let env: Environment = serde_json::from_str(
            r#"{"userId":1,"userName":"Ann","userEmail":"a@x","role":"Admin","customer":"acme","host":"acme.domo.com","locale":"en-US"}"#,
        )
        .unwrap();
        assert_eq!(env.user_id, Id::Num(1));
        assert_eq!(env.extra["role"], "Admin");
        let users: Vec<AppUser> = serde_json::from_str(
            r#"[{"id":1,"displayName":"Ann","avatarKey":"/a/1","role":"Admin",
                 "detail":{"email":"a@x","title":null,"pending":false}},{"id":"2"}]"#,
        )
        .unwrap();
        assert_eq!(users[0].detail.as_ref().unwrap().pending, Some(false));
        assert_eq!(users[1].id.as_u64(), Some(2));
    }
}
