//! Domo's public API (`https://api.domo.com`, OAuth client credentials):
//! the `/v1` datasets, row policies,
//! streams and executions, users and groups, in the shapes Domo documents
//! and its SDKs (pydomo, the Java and Node SDKs) send and read. Times are
//! ISO 8601 text here (`2016-02-29T20:56:20.567Z`), where the product API
//! sends epoch numbers; [`epoch_ms`] reads them.

use serde::{Deserialize, Serialize};

use crate::datasets::{Dataset, Owner};
use crate::schema::{Column, Schema};
use crate::{DatasetId, Extra, Id};

/// A dataset as `/v1/datasets` shows it. The list's items carry `id`,
/// `name`, `description`, `rows`, `columns`, `owner` and the times; the
/// single `GET` adds `schema` and `policies`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct V1Dataset {
    /// The dataset's id (a UUID).
    pub id: DatasetId,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Rows it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    /// Columns it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<u64>,
    /// Its columns, each `{"type", "name"}` (the single `GET` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<Schema>,
    /// Who owns it: `{"id", "name"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<V1Owner>,
    /// When it was created (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When anything about it last changed (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// When its data last changed (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_current_at: Option<String>,
    /// Whether row policies apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdp_enabled: Option<bool>,
    /// Its row policies (the single `GET`, to those who may see them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policies: Option<Vec<V1Policy>>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

impl V1Dataset {
    /// The same dataset in the product API's shape ([`Dataset`]): the
    /// counts as `rowCount`/`columnCount`, the times as epoch milliseconds,
    /// the owner as a `USER`. Only what the public API says is set.
    pub fn to_dataset(&self) -> Dataset {
        Dataset {
            id: self.id.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            owner: self.owner.as_ref().map(|o| Owner {
                id: o.id.clone(),
                name: o.name.clone(),
                kind: Some("USER".into()),
                extra: Extra::new(),
            }),
            row_count: self.rows,
            column_count: self.columns,
            created: self.created_at.as_deref().and_then(epoch_ms),
            last_touched: self.updated_at.as_deref().and_then(epoch_ms),
            last_updated: self.data_current_at.as_deref().and_then(epoch_ms),
            ..Dataset::default()
        }
    }
}

/// A dataset's owner on the public API: `{"id", "name"}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
pub struct V1Owner {
    /// The owner's user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Id>,
    /// The owner's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The body of `POST /v1/datasets` (name and schema required) and of
/// `PUT /v1/datasets/{id}` (any subset): `{"name", "description",
/// "schema": {"columns": [{"type", "name"}]}, "owner": {"id"},
/// "pdpEnabled"}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct V1DatasetRequest {
    /// The name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<V1Schema>,
    /// A new owner, `{"id"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<V1Owner>,
    /// Turn row policies on or off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdp_enabled: Option<bool>,
}

impl V1DatasetRequest {
    /// A new dataset named `name` with `columns`.
    pub fn new(name: impl Into<String>, columns: Vec<Column>) -> V1DatasetRequest {
        V1DatasetRequest {
            name: Some(name.into()),
            schema: Some(V1Schema::of(&columns)),
            ..V1DatasetRequest::default()
        }
    }
}

/// Columns as the public API takes them: `{"columns": [{"type", "name"}]}`,
/// nothing else per column (pydomo compares schemas as JSON text).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
pub struct V1Schema {
    /// The columns, in order.
    pub columns: Vec<V1Column>,
}

impl V1Schema {
    /// The public API's form of `columns` (their names and types only).
    pub fn of(columns: &[Column]) -> V1Schema {
        V1Schema {
            columns: columns
                .iter()
                .map(|c| V1Column {
                    kind: c.kind.clone(),
                    name: c.name.clone(),
                })
                .collect(),
        }
    }
}

/// One column of a [`V1Schema`]: `{"type", "name"}`, in that order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
pub struct V1Column {
    /// The Domo type, sent as `type`.
    #[serde(rename = "type")]
    pub kind: crate::schema::ColumnType,
    /// The name.
    pub name: String,
}

/// A row policy on the public API (`/v1/datasets/{id}/policies`): the
/// users and groups it names see the rows its filters match. The product
/// API's filter groups seen another way: `filters` for `parameters`, and
/// `NOT_EQUALS` is `EQUALS` with `"not": true`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct V1Policy {
    /// Absent on a policy not created yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Id>,
    /// `user` (or `system`).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Its name.
    pub name: String,
    /// The conditions; a row matches when every one holds.
    #[serde(default)]
    pub filters: Vec<V1Filter>,
    /// Users who see the rows it matches.
    #[serde(default)]
    pub users: Vec<Id>,
    /// Virtual users who see them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_users: Option<Vec<Id>>,
    /// Groups whose members see them.
    #[serde(default)]
    pub groups: Vec<Id>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

impl V1Policy {
    /// A `user` policy named `name`, naming nobody and filtering nothing yet.
    pub fn new(name: impl Into<String>) -> V1Policy {
        V1Policy {
            kind: Some("user".into()),
            name: name.into(),
            ..V1Policy::default()
        }
    }
}

/// One condition of a [`V1Policy`]: `column` compared with `values`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
pub struct V1Filter {
    /// The column compared.
    pub column: String,
    /// The values, as text.
    pub values: Vec<String>,
    /// `EQUALS`, `LIKE`, `GREATER_THAN`, `LESS_THAN`, `GREATER_THAN_EQUAL`,
    /// `LESS_THAN_EQUAL`, `BETWEEN`, `BEGINS_WITH`, `ENDS_WITH` or
    /// `CONTAINS`.
    pub operator: String,
    /// Whether the condition is negated.
    #[serde(default)]
    pub not: bool,
}

impl V1Filter {
    /// `column` equal to one of `values`.
    pub fn equals<S: Into<String>>(
        column: impl Into<String>,
        values: impl IntoIterator<Item = S>,
    ) -> V1Filter {
        V1Filter {
            column: column.into(),
            values: values.into_iter().map(Into::into).collect(),
            operator: "EQUALS".into(),
            not: false,
        }
    }
}

/// A stream on the public API: `{"id", "dataSet", "updateMethod",
/// "keyColumnNames", "createdAt", "modifiedAt"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct V1Stream {
    /// The stream's id.
    pub id: Id,
    /// The dataset it feeds (a slim `{id, pdpEnabled}` in some lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_set: Option<V1Dataset>,
    /// What an execution does with the rows by default: `APPEND`,
    /// `REPLACE` (or `UPSERT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_method: Option<String>,
    /// The upsert key columns, when it upserts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_column_names: Option<Vec<String>>,
    /// When it was created (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When it last changed (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_at: Option<String>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

impl V1Stream {
    /// The id of the dataset this stream feeds.
    pub fn dataset_id(&self) -> Option<&DatasetId> {
        self.data_set.as_ref().map(|d| &d.id)
    }
}

/// The body of `POST /v1/streams` (a stream with a new dataset) and of
/// `PATCH /v1/streams/{id}`: `{"dataSet": {"name", "description",
/// "schema"}, "updateMethod", "keyColumnNames"}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct V1StreamRequest {
    /// The dataset: its name, description and schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_set: Option<V1DatasetRequest>,
    /// `APPEND` or `REPLACE` (`APPEND` with `keyColumnNames` upserts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_method: Option<String>,
    /// The upsert key columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_column_names: Option<Vec<String>>,
}

impl V1StreamRequest {
    /// A stream creating the dataset `name` with `columns`, replacing its
    /// rows on each execution unless told otherwise.
    pub fn new(name: impl Into<String>, columns: Vec<Column>) -> V1StreamRequest {
        V1StreamRequest {
            data_set: Some(V1DatasetRequest::new(name, columns)),
            update_method: Some("REPLACE".into()),
            key_column_names: None,
        }
    }
}

/// The body of `POST /v1/streams/{id}/executions`: `{"updateMethod"}`,
/// `null` for the stream's own.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct V1ExecutionRequest {
    /// `APPEND` or `REPLACE`; `null` runs the stream's update method.
    pub update_method: Option<String>,
}

/// A stream execution on the public API: `{"id", "startedAt",
/// "currentState", "createdAt", "modifiedAt"}`, and on servers that say,
/// `endedAt`, `updateMethod`, `rows` and `bytes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct V1Execution {
    /// The execution's id.
    pub id: Id,
    /// `ACTIVE` while it takes parts, then `SUCCESS`, `FAILED` or
    /// `ABORTED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_state: Option<String>,
    /// When it started (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// When it ended (ISO 8601); absent or `null` while `ACTIVE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<String>,
    /// When it was created (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When it last changed (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_at: Option<String>,
    /// What it does with the rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_method: Option<String>,
    /// Rows it loaded, when the server says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    /// Bytes it loaded, when the server says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A user on the public API (`/v1/users`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct V1User {
    /// The user's id.
    pub id: Id,
    /// The display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// `Admin`, `Privileged`, `Editor`, `Participant` or a custom role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The role's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_id: Option<u64>,
    /// Job title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// A second email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternate_email: Option<String>,
    /// Phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Where the user works.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Employee number (text or a number, as sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_number: Option<serde_json::Value>,
    /// When the user was created (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When the user last changed (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Whether the user was deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<bool>,
    /// The groups the user is in: `[{"id", "name"}]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<V1GroupRef>>,
    /// Fields not named above (`image`), kept so that re-encoding loses
    /// nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A group a [`V1User`] is in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
pub struct V1GroupRef {
    /// The group's id.
    pub id: Id,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The body of `POST /v1/users` (name, email and role required) and of
/// `PUT /v1/users/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct V1UserRequest {
    /// The display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// `Admin`, `Privileged`, `Editor` or `Participant`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Job title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// A second email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternate_email: Option<String>,
    /// Phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Where the user works.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Employee number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_number: Option<String>,
}

impl V1UserRequest {
    /// A new user: `name`, `email` and `role`.
    pub fn new(
        name: impl Into<String>,
        email: impl Into<String>,
        role: impl Into<String>,
    ) -> V1UserRequest {
        V1UserRequest {
            name: Some(name.into()),
            email: Some(email.into()),
            role: Some(role.into()),
            ..V1UserRequest::default()
        }
    }
}

/// A group on the public API (`/v1/groups`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct V1Group {
    /// The group's id.
    pub id: Id,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Whether it is active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Who created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator_id: Option<Id>,
    /// Whether it is the group new users join.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
    /// Members it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_count: Option<u64>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The body of `POST /v1/groups` (a name required) and of
/// `PUT /v1/groups/{id}`: `{"name", "active", "default"}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
pub struct V1GroupRequest {
    /// The name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Whether it is active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Whether new users join it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
}

impl V1GroupRequest {
    /// An active group named `name`.
    pub fn new(name: impl Into<String>) -> V1GroupRequest {
        V1GroupRequest {
            name: Some(name.into()),
            active: Some(true),
            default: Some(false),
        }
    }
}

/// Epoch milliseconds of an ISO 8601 time in UTC as the public API writes
/// them (`2015-12-10T07:06:14Z`, `2016-02-29T20:56:20.567Z`; an offset
/// `+hh:mm` is applied); `None` for anything else.
pub fn epoch_ms(iso: &str) -> Option<i64> {
    let t = iso.trim();
    // The zone: `Z`, `+hh:mm`/`-hh:mm`, or none (UTC).
    let (t, offset_min) = match t.strip_suffix(['Z', 'z']) {
        Some(rest) => (rest, 0),
        None => match t.get(t.len().saturating_sub(6)..) {
            Some(z) if t.len() > 19 && (z.starts_with('+') || z.starts_with('-')) => {
                let sign = if z.starts_with('-') { -1 } else { 1 };
                let h: i64 = z.get(1..3)?.parse().ok()?;
                let m: i64 = z.get(4..6)?.parse().ok()?;
                (&t[..t.len() - 6], sign * (h * 60 + m))
            }
            _ => (t, 0),
        },
    };
    let (whole, fraction) = t.split_once('.').unwrap_or((t, ""));
    let dt: crate::types::DateTime = whole.parse().ok()?;
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let ms: i64 = format!("{fraction:0<3}").get(..3)?.parse().ok()?;
    let days = days_from_civil(dt.date.year, dt.date.month, dt.date.day);
    let seconds = days * 86_400
        + i64::from(dt.hour) * 3600
        + i64::from(dt.minute) * 60
        + i64::from(dt.second)
        - offset_min * 60;
    Some(seconds * 1000 + ms)
}

/// Days from 1970-01-01 to the date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_times_read_as_epoch_milliseconds() {
        assert_eq!(epoch_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(epoch_ms("2015-12-10T07:06:14Z"), Some(1_449_731_174_000));
        assert_eq!(
            epoch_ms("2016-02-29T20:56:20.567Z"),
            Some(1_456_779_380_567)
        );
        assert_eq!(epoch_ms("2016-02-29T20:56:20.5Z"), Some(1_456_779_380_500));
        assert_eq!(
            epoch_ms("2016-02-29T22:56:20+02:00"),
            Some(1_456_779_380_000)
        );
        assert_eq!(epoch_ms("1969-12-31T23:59:59Z"), Some(-1000));
        for bad in [
            "",
            "yesterday",
            "2016-02-30T00:00:00Z",
            "2016-02-29T20:56:20.x5Z",
        ] {
            assert_eq!(epoch_ms(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_documented_dataset_reads_and_converts() {
        let d: V1Dataset = serde_json::from_str(
            r#"{"id":"08a061e2-12a2-4646-b4bc-20beddb403e3","name":"Leonhard Euler Party","description":"Mathematician Guest List","rows":1,"columns":6,
                "schema":{"columns":[{"type":"STRING","name":"Friend"},{"type":"STRING","name":"Attending"}]},
                "owner":{"id":27,"name":"DomoSupport"},"createdAt":"2015-12-10T07:06:14Z","updatedAt":"2016-02-29T20:56:20.567Z",
                "pdpEnabled":false,"policies":[{"id":8,"type":"user","name":"Only Show Attendees",
                "filters":[{"column":"Attending","values":["TRUE"],"operator":"EQUALS","not":false}],"users":[27],"groups":[]}]}"#,
        )
        .unwrap();
        let policy = &d.policies.as_ref().unwrap()[0];
        assert_eq!(policy.filters[0], V1Filter::equals("Attending", ["TRUE"]));
        let product = d.to_dataset();
        assert_eq!(product.row_count(), Some(1));
        assert_eq!(product.owner.unwrap().id, Some(Id::Num(27)));
        assert_eq!(product.created, Some(1_449_731_174_000));
        assert_eq!(product.last_touched, Some(1_456_779_380_567));
    }

    #[test]
    fn requests_send_only_what_is_set() {
        let r = V1DatasetRequest::new(
            "Sales",
            vec![Column::new("n", crate::schema::ColumnType::Long)],
        );
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"name":"Sales","schema":{"columns":[{"type":"LONG","name":"n"}]}}"#
        );
        assert_eq!(
            serde_json::to_string(&V1ExecutionRequest::default()).unwrap(),
            r#"{"updateMethod":null}"#
        );
    }
}
