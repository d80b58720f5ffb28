//! Who may see and change a dataset.

use domo_model::permissions::{Permission, PermissionList, PrincipalRef};
use domo_model::{DatasetId, Id};

use crate::spec::{BodyShape, Check, Fixup, ReplyShape};

declare! {
    /// `GET .../{id}/permissions`: who has access, `{"list": [...]}` (a bare
    /// array from some servers reads the same).
    ListPermissions => json PermissionList {
        GET "/api/data/v3/datasources/{datasetId}/permissions";
        reply: ReplyShape::Json(&[Fixup::WrapArray("list")]),
        js: js![listPermissions(datasetId)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
    }

    /// `POST .../{id}/share`: grant access. Sharing the same grant twice
    /// leaves one grant, so this is safe to retry.
    Share => empty {
        POST "/api/data/v3/datasources/{datasetId}/share";
        body: BodyShape::Json(r#"{"permissions":$permissions,"sendEmail":$sendEmail}"#),
        idempotent: true,
        checks: &[Check::NotEmptyList("permissions", "share: no permissions given")],
        js: js![share(datasetId, permissions, ...)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// Users or groups with an access level.
        array permissions "permissions": Vec<Permission>,
        /// Whether Domo mails the people given access.
        arg send_email "sendEmail": bool = "false",
    }

    /// `DELETE .../{id}/permissions/USER/{userId}`: a user's grant is gone.
    RevokeUser => empty {
        DELETE "/api/data/v3/datasources/{datasetId}/permissions/USER/{userId}";
        js: js![revokeUser(datasetId, userId)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// The user.
        arg user_id "userId": Id,
    }

    /// `DELETE .../{id}/USERS/{userId}`: the user is removed from the
    /// dataset's sharing list.
    RemoveUser => empty {
        DELETE "/api/data/v3/datasources/{datasetId}/USERS/{userId}";
        js: js![removeUser(datasetId, userId)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// The user.
        arg user_id "userId": Id,
    }

    /// `DELETE .../{id}/users` with a JSON array body: a DELETE with a
    /// body, which every transport must carry.
    RemoveUsers => empty {
        DELETE "/api/data/v3/datasources/{datasetId}/users";
        body: BodyShape::Json("$users"),
        checks: &[Check::NotEmptyList("users", "remove users: no users given")],
        js: js![removeUsers(datasetId, users)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// The users and groups to remove.
        array users "users": Vec<PrincipalRef>,
    }
}
