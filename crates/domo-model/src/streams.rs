//! Streams: how datasets are created and refreshed.

use serde::{Deserialize, Serialize};

use crate::schema::Column;
use crate::{DatasetId, Extra, Id};

/// How a stream gets its data: `{"type": "API"}` for a stream loaded
/// through the API; a connector's is `{"type": "CONNECTOR", "description":
/// "com.domo.connector.postgresql.partition", "version": "0"}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable, rename = "StreamTransport"))]
pub struct Transport {
    /// `API`, `CONNECTOR`, ..., sent as `type`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A connector's id, e.g. `com.domo.connector.postgresql.partition`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The connector's version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Where a stream's data comes from: `{"key": "api", "name": "API"}` for
/// an API stream, a connector's key (`postgresql-partition`) otherwise.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
pub struct DataProvider {
    /// The provider's key: `api`, or a connector's.
    pub key: String,
    /// Its display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The dataset a stream feeds. On requests `id` is absent; on responses it is
/// the dataset's id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
pub struct StreamDataSource {
    /// The dataset's id; absent on requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<DatasetId>,
    /// The dataset's name; creating a stream requires one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The dataset's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A stream's columns: `{"columns": [...]}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
pub struct SchemaDefinition {
    /// The columns, in order.
    pub columns: Vec<Column>,
}

/// The body of stream create (`POST /api/data/v1/streams`) and update
/// (`PUT .../streams/{id}`). Every field is optional on the wire; the seed's
/// connector fields (`configuration`, `account`, `advancedScheduleJson`)
/// are kept for callers that drive connectors.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct StreamRequest {
    /// How the stream gets its data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport: Option<Transport>,
    /// A connector's settings: a list of objects such as `{"name",
    /// "value", "type", "category"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<Vec<serde_json::Value>>,
    /// The connector account the stream uses, e.g. `{"id": 1}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<serde_json::Value>,
    /// What a run does with the rows: `APPEND`, `REPLACE` or `UPSERT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_method: Option<String>,
    /// Where the data comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_provider: Option<DataProvider>,
    /// The dataset the stream creates and feeds: its name and description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_source: Option<StreamDataSource>,
    /// The dataset's columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_definition: Option<SchemaDefinition>,
    /// A JSON document carried as a string, as the API wants it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advanced_schedule_json: Option<String>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

impl StreamRequest {
    /// An API-type stream: the way real clients create a dataset they will
    /// upload to.
    pub fn api_dataset(
        name: impl Into<String>,
        description: impl Into<String>,
        columns: Vec<Column>,
    ) -> StreamRequest {
        StreamRequest {
            transport: Some(Transport {
                kind: "API".into(),
                ..Transport::default()
            }),
            data_provider: Some(DataProvider {
                key: "api".into(),
                name: Some("API".into()),
                extra: Extra::new(),
            }),
            update_method: Some("REPLACE".into()),
            data_source: Some(StreamDataSource {
                id: None,
                name: Some(name.into()),
                description: Some(description.into()),
                extra: Extra::new(),
            }),
            schema_definition: Some(SchemaDefinition { columns }),
            ..StreamRequest::default()
        }
    }
}

/// A stream as servers describe it. The seed's placeholder answers
/// `{"id": "streamId", "status": "created"}`; real servers send the whole
/// object. Both decode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct Stream {
    /// The stream's id (a number on real servers; the seed shows text).
    pub id: Id,
    /// The seed's placeholder state (`created`, `active`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The stream's name, in the seed's form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The dataset it feeds, with the dataset's id (see
    /// [`Stream::dataset_id`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_source: Option<StreamDataSource>,
    /// How it gets its data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport: Option<Transport>,
    /// Where the data comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_provider: Option<DataProvider>,
    /// What a run does with the rows: `APPEND`, `REPLACE` or `UPSERT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_method: Option<String>,
    /// The dataset's columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_definition: Option<SchemaDefinition>,
    /// The latest run; absent or `null` before the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_execution: Option<Execution>,
    /// When the stream was created, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<i64>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Stream {
    /// The id of the dataset this stream feeds.
    pub fn dataset_id(&self) -> Option<&str> {
        self.data_source.as_ref()?.id.as_deref()
    }
}

/// `POST .../streams/{id}/executions`. The docs send `{"action": "MANUAL"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunStreamRequest {
    /// How the run was started: `MANUAL`.
    pub action: String,
}

impl Default for RunStreamRequest {
    fn default() -> Self {
        RunStreamRequest {
            action: "MANUAL".into(),
        }
    }
}

/// One stream execution (run). Timestamps are epoch **seconds**.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct Execution {
    /// The run's id (`id` is accepted too); absent when the server
    /// answered with an empty body.
    #[serde(default, alias = "id", skip_serializing_if = "Option::is_none")]
    pub execution_id: Option<Id>,
    /// The stream it ran for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_id: Option<Id>,
    /// The run's state: `ACTIVE` while it takes parts, then `SUCCESS`,
    /// `FAILED` or `ABORTED`. Real servers' `currentState`; the seed calls
    /// it `status` (and shows `completed`, `failed`).
    #[serde(default, alias = "status", skip_serializing_if = "Option::is_none")]
    pub current_state: Option<String>,
    /// Rows the run loaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows_inserted: Option<u64>,
    /// Bytes of data the run loaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_inserted: Option<u64>,
    /// When it started, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<i64>,
    /// When it ended, epoch seconds; absent or `null` while `ACTIVE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<i64>,
    /// What it did with the rows: `APPEND`, `REPLACE` or `UPSERT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_method: Option<String>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Execution {
    /// The `#[serde(alias)]` names above, for readers of the parsed JSON
    /// (domo-core's `Fixup::Rename` reply step).
    pub const ALIASES: &[(&str, &str)] = &[("id", "executionId"), ("status", "currentState")];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::ColumnType;

    #[test]
    fn seed_and_real_streams_decode() {
        let seed: Stream = serde_json::from_str(r#"{"id":"streamId","status":"created"}"#).unwrap();
        assert_eq!(seed.id, Id::from("streamId"));
        let real: Stream = serde_json::from_str(
            r#"{"id":42,"dataSource":{"id":"ds-1","name":"Sales"},"transport":{"type":"API"},
                "lastExecution":{"executionId":3,"currentState":"SUCCESS","rowsInserted":10},"createdAt":1654557838}"#,
        )
        .unwrap();
        assert_eq!(real.dataset_id(), Some("ds-1"));
        assert_eq!(real.last_execution.unwrap().execution_id, Some(Id::Num(3)));
    }

    #[test]
    fn seed_executions_decode() {
        let h: Vec<Execution> = serde_json::from_str(
            r#"[{"executionId":"exec123","status":"completed","duration":120},{"executionId":"exec124","status":"failed","error":"Timeout error"}]"#,
        )
        .unwrap();
        assert_eq!(h[0].current_state.as_deref(), Some("completed"));
        assert_eq!(h[1].extra["error"], "Timeout error");
    }

    #[test]
    fn api_dataset_request_has_the_real_fields() {
        let r = StreamRequest::api_dataset("Sales", "d", vec![Column::new("n", ColumnType::Long)]);
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["transport"]["type"], "API");
        assert_eq!(v["dataSource"]["name"], "Sales");
        assert_eq!(v["schemaDefinition"]["columns"][0]["type"], "LONG");
    }
}
