//! Users and groups of the public API: `/v1/users` and `/v1/groups`
//! (create, read, list, update, delete) and group membership
//! (`GET /v1/groups/{g}/users` lists member ids; `PUT`/`DELETE
//! .../users/{u}` add and remove one).

use domo_model::Id;
use domo_model::v1::{V1Group, V1GroupRequest, V1User, V1UserRequest};

use crate::spec::{BodyShape, Check};
use crate::v1::{Listing, page_request};

/// The most a page of users, groups or members holds.
pub const MAX_PAGE: u32 = 500;

declare! {
    /// `GET /v1/users?limit&offset`: one page of users (at most 500).
    V1ListUsers => json Vec<V1User> {
        GET "/v1/users";
        query: "limit={limit}&offset={offset}",
        checks: &[Check::AtMost("limit", MAX_PAGE as u64, "list users: the page size (limit) must be at most 500")],
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// Users per page, at most 500.
        arg limit "limit": u32 = "50",
        /// Users to skip.
        arg offset "offset": u32 = "0",
    }

    /// `GET /v1/users/{id}`.
    V1GetUser => json V1User {
        GET "/v1/users/{userId}";
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The user.
        arg user_id "userId": Id,
    }

    /// `POST /v1/users?sendInvite=false` `{name, email, role, ...}`: the
    /// new user. Not idempotent.
    V1CreateUser => json V1User {
        POST "/v1/users";
        query: "sendInvite={sendInvite}",
        body: BodyShape::Json("$request"),
        checks: &[
            Check::TextAt("request", "name", "create user: the name must not be blank"),
            Check::TextAt("request", "email", "create user: the email address must not be blank"),
            Check::TextAt("request", "role", "create user: the role must not be blank (Admin, Privileged, Editor or Participant)"),
        ],
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The user: name, email and role at least.
        object request "request": V1UserRequest,
        /// Whether Domo emails the new user an invitation.
        arg send_invite "sendInvite": bool = "false",
    }

    /// `PUT /v1/users/{id}`: the user as it now is.
    V1UpdateUser => json V1User {
        PUT "/v1/users/{userId}";
        body: BodyShape::Json("$request"),
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The user.
        arg user_id "userId": Id,
        /// What changes.
        object request "request": V1UserRequest,
    }

    /// `DELETE /v1/users/{id}` (204).
    V1DeleteUser => empty {
        DELETE "/v1/users/{userId}";
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The user.
        arg user_id "userId": Id,
    }

    /// `GET /v1/groups?limit&offset`: one page of groups (at most 500).
    V1ListGroups => json Vec<V1Group> {
        GET "/v1/groups";
        query: "limit={limit}&offset={offset}",
        checks: &[Check::AtMost("limit", MAX_PAGE as u64, "list groups: the page size (limit) must be at most 500")],
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// Groups per page, at most 500.
        arg limit "limit": u32 = "50",
        /// Groups to skip.
        arg offset "offset": u32 = "0",
    }

    /// `GET /v1/groups/{id}`.
    V1GetGroup => json V1Group {
        GET "/v1/groups/{groupId}";
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The group.
        arg group_id "groupId": Id,
    }

    /// `POST /v1/groups` `{name, active, default}`: the new group. Not
    /// idempotent.
    V1CreateGroup => json V1Group {
        POST "/v1/groups";
        body: BodyShape::Json("$request"),
        checks: &[Check::TextAt("request", "name", "create group: the name must not be blank")],
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The group: a name at least.
        object request "request": V1GroupRequest,
    }

    /// `PUT /v1/groups/{id}`: the group as it now is.
    V1UpdateGroup => json V1Group {
        PUT "/v1/groups/{groupId}";
        body: BodyShape::Json("$request"),
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The group.
        arg group_id "groupId": Id,
        /// What changes.
        object request "request": V1GroupRequest,
    }

    /// `DELETE /v1/groups/{id}` (204).
    V1DeleteGroup => empty {
        DELETE "/v1/groups/{groupId}";
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The group.
        arg group_id "groupId": Id,
    }

    /// `GET /v1/groups/{id}/users?limit&offset`: one page of the ids of
    /// its members (at most 500).
    V1ListGroupMembers => json Vec<Id> {
        GET "/v1/groups/{groupId}/users";
        query: "limit={limit}&offset={offset}",
        checks: &[Check::AtMost("limit", MAX_PAGE as u64, "list group members: the page size (limit) must be at most 500")],
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The group.
        arg group_id "groupId": Id,
        /// Member ids per page, at most 500.
        arg limit "limit": u32 = "50",
        /// Members to skip.
        arg offset "offset": u32 = "0",
    }

    /// `PUT /v1/groups/{id}/users/{uid}` (204): the user joins the group
    /// (a member already is one still).
    V1AddGroupMember => empty {
        PUT "/v1/groups/{groupId}/users/{userId}";
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The group.
        arg group_id "groupId": Id,
        /// The user.
        arg user_id "userId": Id,
    }

    /// `DELETE /v1/groups/{id}/users/{uid}` (204): the user leaves it.
    V1RemoveGroupMember => empty {
        DELETE "/v1/groups/{groupId}/users/{userId}";
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The group.
        arg group_id "groupId": Id,
        /// The user.
        arg user_id "userId": Id,
    }
}

impl V1ListUsers {
    /// Every user, 500 a page.
    pub fn all() -> Listing<V1ListUsers> {
        Listing::new(
            V1ListUsers {
                limit: MAX_PAGE,
                offset: 0,
            },
            MAX_PAGE,
            "users",
        )
    }
}

impl V1ListGroups {
    /// Every group, 500 a page.
    pub fn all() -> Listing<V1ListGroups> {
        Listing::new(
            V1ListGroups {
                limit: MAX_PAGE,
                offset: 0,
            },
            MAX_PAGE,
            "groups",
        )
    }
}

impl V1ListGroupMembers {
    /// The ids of every member of the group, 500 a page.
    pub fn all(group_id: impl Into<Id>) -> Listing<V1ListGroupMembers> {
        let first = V1ListGroupMembers {
            group_id: group_id.into(),
            limit: MAX_PAGE,
            offset: 0,
        };
        Listing::new(first, MAX_PAGE, "group members")
    }
}

page_request!(V1ListUsers, V1ListGroups, V1ListGroupMembers);
