//! Dataset permissions: list, share, revoke, remove.

use std::fmt;

use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::{Extra, Id};

/// Access levels to a dataset. The seed's examples use
/// `READ`/`WRITE`; unknown levels are kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AccessLevel {
    /// `OWNER`: may do anything with the dataset, deleting it included.
    Owner,
    /// `CO_OWNER`: may do all an owner may.
    CoOwner,
    /// `CAN_EDIT`: may read and change its data and settings, not share it.
    CanEdit,
    /// `CAN_SHARE`: may read and share it, not change it.
    CanShare,
    /// A level this crate does not know (the seed's `READ`, `WRITE`), as
    /// sent.
    #[serde(untagged)]
    Other(String),
}

impl AccessLevel {
    /// The name on the wire (`OWNER`, `CO_OWNER`, ...).
    pub fn as_str(&self) -> &str {
        match self {
            AccessLevel::Owner => "OWNER",
            AccessLevel::CoOwner => "CO_OWNER",
            AccessLevel::CanEdit => "CAN_EDIT",
            AccessLevel::CanShare => "CAN_SHARE",
            AccessLevel::Other(s) => s,
        }
    }
}

impl std::str::FromStr for AccessLevel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_uppercase().replace('-', "_").as_str() {
            "OWNER" => Ok(AccessLevel::Owner),
            "CO_OWNER" => Ok(AccessLevel::CoOwner),
            "CAN_EDIT" => Ok(AccessLevel::CanEdit),
            "CAN_SHARE" => Ok(AccessLevel::CanShare),
            _ => Err(format!(
                "unknown access level {s:?}: expected OWNER, CO_OWNER, CAN_EDIT or CAN_SHARE"
            )),
        }
    }
}

/// Who a permission names: a user or a group (`USER`, `GROUP`); unknown
/// kinds are kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PrincipalType {
    /// `USER`: one person.
    User,
    /// `GROUP`: a group of users.
    Group,
    /// A kind this crate does not know, as sent.
    #[serde(untagged)]
    Other(String),
}

/// One entry of a permission list; also one entry of a share request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct Permission {
    /// A user or a group, sent as `type`.
    #[serde(rename = "type")]
    pub kind: PrincipalType,
    /// The user's or group's id: real lists send text (`"966365811"`); a
    /// number decodes too, and equals the same text.
    pub id: Id,
    /// What they may do.
    pub access_level: AccessLevel,
    /// The user's or group's display name; lists send it, a share leaves
    /// it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Permission {
    /// User `id` at `access_level`, for a share.
    pub fn user(id: impl Into<Id>, access_level: AccessLevel) -> Permission {
        Permission {
            kind: PrincipalType::User,
            id: id.into(),
            access_level,
            name: None,
            extra: Extra::new(),
        }
    }

    /// Group `id` at `access_level`, for a share.
    pub fn group(id: impl Into<Id>, access_level: AccessLevel) -> Permission {
        Permission {
            kind: PrincipalType::Group,
            ..Permission::user(id, access_level)
        }
    }
}

/// `GET .../permissions`: real servers send `{"list": [...], "totalUserCount",
/// "totalGroupCount"}`; a bare array decodes too.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct PermissionList {
    /// Every user and group with access, with their level.
    pub list: Vec<Permission>,
    /// Users with access.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_user_count: Option<u64>,
    /// Groups with access.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_group_count: Option<u64>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

impl<'de> Deserialize<'de> for PermissionList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // One visitor for both forms, reading entries straight from the
        // input: an entry's own error is reported as it is (not serde's
        // "did not match any variant"), and no intermediate `Value` is built.
        struct Forms;

        impl<'de> Visitor<'de> for Forms {
            type Value = PermissionList;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a permission list: an array, or an object with `list`")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PermissionList, A::Error> {
                let mut list = Vec::new();
                while let Some(p) = seq.next_element()? {
                    list.push(p);
                }
                Ok(PermissionList {
                    list,
                    ..PermissionList::default()
                })
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PermissionList, A::Error> {
                let mut out = PermissionList::default();
                let mut list = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "list" => list = Some(map.next_value()?),
                        "totalUserCount" => out.total_user_count = map.next_value()?,
                        "totalGroupCount" => out.total_group_count = map.next_value()?,
                        _ => {
                            let value = map.next_value()?;
                            out.extra.insert(key, value);
                        }
                    }
                }
                out.list = list.ok_or_else(|| serde::de::Error::missing_field("list"))?;
                Ok(out)
            }
        }

        d.deserialize_any(Forms)
    }
}

/// `POST .../share`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShareRequest<P = Permission> {
    /// [`Permission`]s; any serializable form of them (a JS client passes
    /// its JSON through).
    pub permissions: Vec<P>,
    /// Whether Domo emails the people now given access.
    pub send_email: bool,
}

/// One principal of `DELETE .../users` (remove many).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
pub struct PrincipalRef {
    /// The user's or group's id.
    pub id: Id,
    /// A user or a group, sent as `type`.
    #[serde(rename = "type")]
    pub kind: PrincipalType,
}

impl PrincipalRef {
    /// User `id`, for `DELETE .../users`.
    pub fn user(id: impl Into<Id>) -> PrincipalRef {
        PrincipalRef {
            id: id.into(),
            kind: PrincipalType::User,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_and_bare_lists_decode() {
        let real: PermissionList = serde_json::from_str(
            r#"{"list":[{"type":"USER","id":"966365811","accessLevel":"OWNER","name":"Ann"},
                        {"type":"GROUP","id":12,"accessLevel":"CAN_SHARE"}],"totalUserCount":1,"totalGroupCount":1}"#,
        )
        .unwrap();
        assert_eq!(real.list[0].access_level, AccessLevel::Owner);
        assert_eq!(real.list[1].id, Id::Num(12));
        assert_eq!(real.total_group_count, Some(1));

        let seed: PermissionList = serde_json::from_str(
            r#"{"list":[{"id":"user1","type":"USER","accessLevel":"READ"},{"id":"group1","type":"GROUP","accessLevel":"WRITE"}]}"#,
        )
        .unwrap();
        assert_eq!(seed.list[0].access_level, AccessLevel::Other("READ".into()));

        let bare: PermissionList =
            serde_json::from_str(r#"[{"id":"7","type":"USER","accessLevel":"CAN_EDIT"}]"#).unwrap();
        assert_eq!(bare.list[0].access_level, AccessLevel::CanEdit);
    }

    #[test]
    fn list_errors_name_the_problem() {
        let bad_entry = serde_json::from_str::<PermissionList>(
            r#"{"list":[{"type":"USER","id":"1","accessLevel":"OWNER"},{"type":"USER","accessLevel":"OWNER"}]}"#,
        )
        .unwrap_err();
        assert!(
            bad_entry.to_string().contains("missing field `id`"),
            "{bad_entry}"
        );
        let bare_bad =
            serde_json::from_str::<PermissionList>(r#"[{"id":"7","type":"USER"}]"#).unwrap_err();
        assert!(
            bare_bad.to_string().contains("missing field `accessLevel`"),
            "{bare_bad}"
        );
        let no_list =
            serde_json::from_str::<PermissionList>(r#"{"totalUserCount":1}"#).unwrap_err();
        assert!(
            no_list.to_string().contains("missing field `list`"),
            "{no_list}"
        );
        let neither = serde_json::from_str::<PermissionList>("7").unwrap_err();
        assert!(neither.to_string().contains("permission list"), "{neither}");
    }

    #[test]
    fn unknown_list_fields_are_kept() {
        let l: PermissionList =
            serde_json::from_str(r#"{"list":[],"totalUserCount":0,"nextPage":"p2"}"#).unwrap();
        assert_eq!(l.extra["nextPage"], "p2");
        assert_eq!(l.total_user_count, Some(0));
        assert_eq!(serde_json::to_value(&l).unwrap()["nextPage"], "p2");
    }

    #[test]
    fn share_encodes_the_real_form() {
        let req = ShareRequest {
            permissions: vec![Permission::user("user1", AccessLevel::CanShare)],
            send_email: false,
        };
        assert_eq!(
            serde_json::to_string(&req).unwrap(),
            r#"{"permissions":[{"type":"USER","id":"user1","accessLevel":"CAN_SHARE"}],"sendEmail":false}"#
        );
    }
}
