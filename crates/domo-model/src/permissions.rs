//! Dataset permissions: list, share, revoke, remove.

use serde::{Deserialize, Deserializer, Serialize};

use crate::{Extra, Id};

/// Access levels. The seed's examples use `READ`/`WRITE`; unknown levels are
/// kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AccessLevel {
    Owner,
    CoOwner,
    CanEdit,
    CanShare,
    #[serde(untagged)]
    Other(String),
}

impl AccessLevel {
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

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PrincipalType {
    User,
    Group,
    #[serde(untagged)]
    Other(String),
}

/// One entry of a permission list; also one entry of a share request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Permission {
    #[serde(rename = "type")]
    pub kind: PrincipalType,
    pub id: Id,
    pub access_level: AccessLevel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Permission {
    pub fn user(id: impl Into<Id>, access_level: AccessLevel) -> Permission {
        Permission {
            kind: PrincipalType::User,
            id: id.into(),
            access_level,
            name: None,
            extra: Extra::new(),
        }
    }

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
#[serde(rename_all = "camelCase")]
pub struct PermissionList {
    pub list: Vec<Permission>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_user_count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_group_count: Option<u64>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl<'de> Deserialize<'de> for PermissionList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Wrapped {
            list: Vec<Permission>,
            #[serde(default)]
            total_user_count: Option<u64>,
            #[serde(default)]
            total_group_count: Option<u64>,
            #[serde(flatten)]
            extra: Extra,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Bare(Vec<Permission>),
            Wrapped(Wrapped),
        }
        // Decode through Value so that an entry's own error is reported rather
        // than serde's generic "did not match any variant".
        let v = serde_json::Value::deserialize(d)?;
        let form = if v.is_array() {
            Form::Bare(serde_json::from_value(v).map_err(serde::de::Error::custom)?)
        } else {
            Form::Wrapped(serde_json::from_value(v).map_err(serde::de::Error::custom)?)
        };
        Ok(match form {
            Form::Bare(list) => PermissionList {
                list,
                ..PermissionList::default()
            },
            Form::Wrapped(w) => PermissionList {
                list: w.list,
                total_user_count: w.total_user_count,
                total_group_count: w.total_group_count,
                extra: w.extra,
            },
        })
    }
}

/// `POST .../share`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShareRequest {
    pub permissions: Vec<Permission>,
    pub send_email: bool,
}

/// One principal of `DELETE .../users` (remove many).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrincipalRef {
    pub id: Id,
    #[serde(rename = "type")]
    pub kind: PrincipalType,
}

impl PrincipalRef {
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
