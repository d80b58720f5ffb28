//! Personalized data permissions (PDP): row policies of a dataset
//! (`/api/query/v1/data-control/{id}/filter-groups`).

use serde::{Deserialize, Deserializer, Serialize};

use crate::{DatasetId, Extra, Id};

/// A row policy ("filter group"): the users, groups and virtual users it
/// names see the rows its parameters match. The open "All Rows" policy
/// (`openPolicy: true`) comes with `include_open_policy`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    /// Absent on a policy not created yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_group_id: Option<Id>,
    /// The policy's name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    /// The id of the dataset whose rows it filters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_source_id: Option<DatasetId>,
    /// Users who see the rows it matches (`null` reads as empty).
    #[serde(default, deserialize_with = "null_as_default")]
    pub user_ids: Vec<Id>,
    /// Groups whose members see those rows.
    #[serde(default, deserialize_with = "null_as_default")]
    pub group_ids: Vec<Id>,
    /// Virtual users who see those rows.
    #[serde(default, deserialize_with = "null_as_default")]
    pub virtual_user_ids: Vec<Id>,
    /// Real clients send `false`; what `true` does is not documented.
    #[serde(default, deserialize_with = "null_as_default")]
    pub data_source_permissions: bool,
    /// The conditions: a row matches when every one holds; a policy
    /// without any matches every row.
    #[serde(default, deserialize_with = "null_as_default")]
    pub parameters: Vec<PolicyParameter>,
    /// `true` on the open "All Rows" policy, which gives the owners every
    /// row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_policy: Option<bool>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Policy {
    /// A new policy named `name` on `dataset_id`, naming nobody yet.
    pub fn new(dataset_id: impl Into<DatasetId>, name: impl Into<String>) -> Policy {
        Policy {
            name: name.into(),
            data_source_id: Some(dataset_id.into()),
            ..Policy::default()
        }
    }

    /// Whether this is the open "All Rows" policy.
    pub fn is_open(&self) -> bool {
        self.open_policy == Some(true)
    }
}

/// One condition of a policy: `name` (a column) compared with `values`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct PolicyParameter {
    /// `COLUMN`.
    #[serde(rename = "type", default = "column")]
    pub kind: String,
    /// The column compared.
    pub name: String,
    /// Compared as text; numbers a server sends read as their text.
    #[serde(default, deserialize_with = "values_as_text")]
    pub values: Vec<String>,
    /// How the column is compared with `values`; `EQUALS` when absent.
    #[serde(default)]
    pub operator: PolicyOperator,
    /// Whether text compares without regard to case.
    #[serde(default, deserialize_with = "null_as_default")]
    pub ignore_case: bool,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

fn column() -> String {
    "COLUMN".to_owned()
}

impl PolicyParameter {
    /// The column `name` equals one of `values` (`EQUALS`), matched with
    /// case ([`PolicyParameter::ignoring_case`] to ignore it).
    pub fn equals<S: Into<String>>(
        name: impl Into<String>,
        values: impl IntoIterator<Item = S>,
    ) -> PolicyParameter {
        PolicyParameter::compare(name, PolicyOperator::Equals, values)
    }

    /// The column `name` equals none of `values` (`NOT_EQUALS`).
    pub fn not_equals<S: Into<String>>(
        name: impl Into<String>,
        values: impl IntoIterator<Item = S>,
    ) -> PolicyParameter {
        PolicyParameter::compare(name, PolicyOperator::NotEquals, values)
    }

    /// The column `name` compared with `values` by `operator`.
    pub fn compare<S: Into<String>>(
        name: impl Into<String>,
        operator: PolicyOperator,
        values: impl IntoIterator<Item = S>,
    ) -> PolicyParameter {
        PolicyParameter {
            kind: column(),
            name: name.into(),
            values: values.into_iter().map(Into::into).collect(),
            operator,
            ignore_case: false,
            extra: Extra::new(),
        }
    }

    /// Compare without regard to case (`ignoreCase: true`).
    pub fn ignoring_case(mut self) -> PolicyParameter {
        self.ignore_case = true;
        self
    }
}

/// How a parameter compares; an operator this crate does not know is kept
/// verbatim (and sent back as it came).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PolicyOperator {
    /// `EQUALS`: the column equals one of the values.
    #[default]
    Equals,
    /// `NOT_EQUALS`: the column equals none of the values.
    NotEquals,
    /// Another operator (`GREATER_THAN`, `CONTAINS`, ...), as sent.
    #[serde(untagged)]
    Other(String),
}

impl PolicyOperator {
    /// The name on the wire (`EQUALS`, `NOT_EQUALS`, ...).
    pub fn as_str(&self) -> &str {
        match self {
            PolicyOperator::Equals => "EQUALS",
            PolicyOperator::NotEquals => "NOT_EQUALS",
            PolicyOperator::Other(s) => s,
        }
    }
}

/// `PUT /api/query/v1/data-control/{id}`: PDP on or off for a dataset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PdpSettings {
    /// Whether the dataset's row policies apply.
    pub enabled: bool,
    /// Real clients send `false`; what it does is not documented
    /// (domolibrary's source says as much).
    #[serde(default)]
    pub external: bool,
}

/// The reply of the PDP switch: an empty 200 on some servers, `{"enabled"}`
/// on others.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
pub struct PdpState {
    /// Whether PDP is on; absent when the server answered with an empty
    /// body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `null` reads as the type's default (servers send `"groupIds": null`).
fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

fn values_as_text<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Scalar {
        Text(String),
        Int(i64),
        Float(f64),
        Bool(bool),
    }
    let values = Option::<Vec<Scalar>>::deserialize(d)?.unwrap_or_default();
    Ok(values
        .into_iter()
        .map(|v| match v {
            Scalar::Text(s) => s,
            Scalar::Int(n) => n.to_string(),
            Scalar::Float(x) => x.to_string(),
            Scalar::Bool(b) => b.to_string(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_policies_decode_tolerantly() {
        let list: Vec<Policy> = serde_json::from_str(
            r#"[{"filterGroupId":12,"name":"East","dataSourceId":"ds","userIds":[7,"8"],
                 "groupIds":null,"virtualUserIds":[],"dataSourcePermissions":false,
                 "parameters":[{"type":"COLUMN","name":"region","values":["east",3],"operator":"EQUALS","ignoreCase":true},
                               {"type":"COLUMN","name":"x","values":["y"],"operator":"GREATER_THAN"}],
                 "owner":{"id":1}},
                {"filterGroupId":"1","name":"All Rows","openPolicy":true,"parameters":[]}]"#,
        )
        .unwrap();
        let east = &list[0];
        assert_eq!(east.filter_group_id, Some(Id::Num(12)));
        assert_eq!(east.user_ids, [Id::Num(7), Id::Str("8".into())]);
        assert!(east.group_ids.is_empty());
        assert_eq!(east.parameters[0].values, ["east", "3"]);
        assert_eq!(
            east.parameters[1].operator,
            PolicyOperator::Other("GREATER_THAN".into())
        );
        assert!(!east.parameters[1].ignore_case);
        assert_eq!(east.extra["owner"]["id"], 1);
        assert!(list[1].is_open() && !east.is_open());
        // An unknown operator goes back as it came.
        let again = serde_json::to_value(east).unwrap();
        assert_eq!(again["parameters"][1]["operator"], "GREATER_THAN");
    }

    #[test]
    fn a_new_policy_encodes_the_form_real_clients_send() {
        let mut p = Policy::new("ds-1", "East");
        p.user_ids.push(Id::Num(7));
        p.parameters
            .push(PolicyParameter::not_equals("region", ["east"]));
        assert_eq!(
            serde_json::to_value(&p).unwrap(),
            serde_json::json!({"name": "East", "dataSourceId": "ds-1", "userIds": [7],
                "groupIds": [], "virtualUserIds": [], "dataSourcePermissions": false,
                "parameters": [{"type": "COLUMN", "name": "region", "values": ["east"],
                    "operator": "NOT_EQUALS", "ignoreCase": false}]})
        );
    }
}
