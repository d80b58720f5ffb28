//! Dataset schemas in the three forms servers answer with.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{DatasetId, Extra, Id};

/// Domo's column types. Types this crate does not know (the seed shows
/// `INTEGER`) are kept verbatim in `Other`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(
        type = "\"STRING\" | \"LONG\" | \"DOUBLE\" | \"DECIMAL\" | \"DATE\" | \"DATETIME\" | (string & {})"
    )
)]
pub enum ColumnType {
    /// `STRING`: text.
    String,
    /// `LONG`: a 64-bit integer.
    Long,
    /// `DOUBLE`: a floating-point number.
    Double,
    /// `DECIMAL`: an exact decimal number (see [`crate::types::Decimal`]).
    Decimal,
    /// `DATE`: a calendar date (see [`crate::types::Date`]).
    Date,
    /// `DATETIME`: a date and time of day, no time zone (see
    /// [`crate::types::DateTime`]).
    DateTime,
    /// A type this crate does not know (the seed shows `INTEGER`), as
    /// sent.
    Other(String),
}

impl ColumnType {
    /// The name on the wire (`STRING`, `LONG`, ...).
    pub fn as_str(&self) -> &str {
        match self {
            ColumnType::String => "STRING",
            ColumnType::Long => "LONG",
            ColumnType::Double => "DOUBLE",
            ColumnType::Decimal => "DECIMAL",
            ColumnType::Date => "DATE",
            ColumnType::DateTime => "DATETIME",
            ColumnType::Other(s) => s,
        }
    }

    /// The type named `s`, in any case; an unknown name is kept as
    /// `Other(s)`. Never fails.
    pub fn parse(s: &str) -> ColumnType {
        match s.to_ascii_uppercase().as_str() {
            "STRING" => ColumnType::String,
            "LONG" => ColumnType::Long,
            "DOUBLE" => ColumnType::Double,
            "DECIMAL" => ColumnType::Decimal,
            "DATE" => ColumnType::Date,
            "DATETIME" => ColumnType::DateTime,
            _ => ColumnType::Other(s.to_owned()),
        }
    }
}

impl fmt::Display for ColumnType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ColumnType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ColumnType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(ColumnType::parse(&s))
    }
}

/// One column, in any of the three schema forms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
pub struct Column {
    /// The column's name.
    pub name: String,
    /// Its Domo type, sent as `type`.
    #[serde(rename = "type")]
    pub kind: ColumnType,
    /// Its description (the seed's form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its id, in the v2 and indexed forms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Id>,
    /// Whether it is visible, in the v2 and indexed forms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible: Option<bool>,
    /// Its position from 0, in the indexed form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<i64>,
    /// The v2 form's display metadata, e.g. `{"colLabel", "colFormat",
    /// "isEncrypted"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Value>,
    /// `upsertKey`: rows whose key columns match a stored row replace it
    /// when an upload appends (Domo's upsert). Absent means not a key.
    #[serde(default, rename = "upsertKey", skip_serializing_if = "Option::is_none")]
    pub upsert_key: Option<bool>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Column {
    /// A column named `name` of type `kind`, nothing else set.
    pub fn new(name: impl Into<String>, kind: ColumnType) -> Column {
        Column {
            name: name.into(),
            kind,
            description: None,
            id: None,
            visible: None,
            order: None,
            metadata: None,
            upsert_key: None,
            extra: Extra::new(),
        }
    }

    /// This column marked as an upsert key.
    pub fn key(mut self) -> Column {
        self.upsert_key = Some(true);
        self
    }

    /// Whether this column is marked as an upsert key.
    pub fn is_upsert_key(&self) -> bool {
        self.upsert_key == Some(true)
    }
}

/// The seed's form (`GET .../schema`) and the common shape the other two
/// forms convert into.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
pub struct Schema {
    /// The columns, in order.
    pub columns: Vec<Column>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Schema {
    /// A schema of `columns`.
    pub fn new(columns: Vec<Column>) -> Schema {
        Schema {
            columns,
            extra: Extra::new(),
        }
    }

    /// The column names, in order.
    pub fn column_names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|c| c.name.as_str())
    }

    /// The columns marked `upsertKey: true`.
    pub fn upsert_keys(&self) -> impl Iterator<Item = &str> {
        self.columns
            .iter()
            .filter(|c| c.is_upsert_key())
            .map(|c| c.name.as_str())
    }
}

/// `POST /api/data/v2/datasources/{id}/schemas`: the whole new schema, in
/// the form domolibrary's `alter_schema` sends (`{"columns", "objects": []}`).
/// It replaces the column list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
pub struct SchemaUpdate {
    /// The whole new column list (`upsertKey` marks the key columns).
    pub columns: Vec<Column>,
    /// domolibrary sends `[]`; sent as given.
    #[serde(default)]
    pub objects: Vec<serde_json::Value>,
}

impl From<&Schema> for SchemaUpdate {
    fn from(schema: &Schema) -> SchemaUpdate {
        SchemaUpdate {
            columns: schema.columns.clone(),
            objects: Vec::new(),
        }
    }
}

/// `GET /api/data/v2/datasources/{id}/schemas/latest`:
/// `{"schema": {"columns": [...]}}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
pub struct LatestSchema {
    /// The dataset's current schema.
    pub schema: Schema,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `GET /api/query/v1/datasources/{id}/schema/indexed`:
/// `{"name": "schema", "tables": [{"columns": [...]}], "dataSourceId"}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct IndexedSchema {
    /// `schema` on the servers seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The tables; a dataset has one (see [`IndexedSchema::into_schema`]).
    #[serde(default)]
    pub tables: Vec<Schema>,
    /// The dataset's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_source_id: Option<DatasetId>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

impl IndexedSchema {
    /// The columns of the dataset's table (the first and only table).
    pub fn into_schema(self) -> Schema {
        self.tables.into_iter().next().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_three_forms_decode() {
        let seed: Schema = serde_json::from_str(
            r#"{"columns":[{"name":"column1","type":"STRING","description":"d"},{"name":"column2","type":"INTEGER"}]}"#,
        )
        .unwrap();
        assert_eq!(seed.columns[1].kind, ColumnType::Other("INTEGER".into()));
        assert_eq!(seed.columns[1].kind.to_string(), "INTEGER");

        let latest: LatestSchema = serde_json::from_str(
            r#"{"schema":{"columns":[{"type":"LONG","name":"n","id":"n","visible":true,"metadata":{"colLabel":"n"}}]}}"#,
        )
        .unwrap();
        assert_eq!(latest.schema.columns[0].kind, ColumnType::Long);

        let indexed: IndexedSchema = serde_json::from_str(
            r#"{"name":"schema","tables":[{"columns":[{"name":"d","id":"d","type":"DATETIME","visible":true,"order":0}]}],"dataSourceId":"x"}"#,
        )
        .unwrap();
        let s = indexed.into_schema();
        assert_eq!(s.columns[0].kind, ColumnType::DateTime);
        assert_eq!(s.columns[0].order, Some(0));
    }

    #[test]
    fn upsert_keys_are_read_and_sent_as_upsert_key() {
        let s: Schema = serde_json::from_str(
            r#"{"columns":[{"name":"id","type":"LONG","upsertKey":true},{"name":"v","type":"STRING","upsertKey":false},{"name":"w","type":"STRING"}]}"#,
        )
        .unwrap();
        assert_eq!(s.upsert_keys().collect::<Vec<_>>(), ["id"]);
        let update = SchemaUpdate::from(&Schema::new(vec![
            Column::new("id", ColumnType::Long).key(),
            Column::new("v", ColumnType::String),
        ]));
        assert_eq!(
            serde_json::to_string(&update).unwrap(),
            r#"{"columns":[{"name":"id","type":"LONG","upsertKey":true},{"name":"v","type":"STRING"}],"objects":[]}"#
        );
    }
}
