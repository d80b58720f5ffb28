//! SQL execution: `POST /api/query/v1/execute/{id}`.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::Extra;
use crate::schema::ColumnType;

/// The body of `POST /api/query/v1/execute/{id}` and of the CSV route
/// `POST /api/query/v1/execute/export/{id}`: `{"sql": "..."}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryRequest {
    /// The SQL to run. The dataset is the table named `table`
    /// (`SELECT * FROM table`); there is no server paging, so page with
    /// `LIMIT`/`OFFSET`.
    pub sql: String,
}

/// Per-column metadata of a query result (`metadata[i]` describes `columns[i]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
pub struct ColumnMetadata {
    /// The column's Domo type, sent as `type`.
    #[serde(rename = "type")]
    pub kind: ColumnType,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A query result. Real servers answer with the envelope
/// `{"columns", "metadata", "rows", "numRows", "numColumns", ...}`; the seed
/// documents a list of objects. Both decode into this shape (for the list
/// form, columns come from the first object's keys, in order).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct QueryResult {
    /// The id of the dataset queried; the seed's list form has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datasource: Option<String>,
    /// The result's column names, in the order of each row's values.
    pub columns: Vec<String>,
    /// Per-column metadata, `metadata[i]` for `columns[i]`; empty when
    /// the server sent none.
    pub metadata: Vec<ColumnMetadata>,
    /// The result rows, each a list of values in `columns` order.
    pub rows: Vec<Vec<Value>>,
    /// Rows in the result; counted from `rows` when the server did not
    /// say.
    pub num_rows: u64,
    /// Columns in the result; counted from `columns` when the server did
    /// not say.
    pub num_columns: u64,
    /// Whether Domo answered from its query cache.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fromcache: Option<bool>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

impl QueryResult {
    /// The Domo type of column `i`, when the server said.
    pub fn column_type(&self, i: usize) -> Option<&ColumnType> {
        self.metadata.get(i).map(|m| &m.kind)
    }

    /// Rows as objects keyed by column name.
    pub fn objects(&self) -> impl Iterator<Item = serde_json::Map<String, Value>> + '_ {
        self.rows.iter().map(|row| {
            self.columns
                .iter()
                .cloned()
                .zip(row.iter().cloned())
                .collect()
        })
    }
}

impl<'de> Deserialize<'de> for QueryResult {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ResultVisitor)
    }
}

/// Decodes either form in one pass, without an intermediate `Value` tree:
/// results can be large, and a second copy of every cell doubled the memory.
struct ResultVisitor;

impl<'de> serde::de::Visitor<'de> for ResultVisitor {
    type Value = QueryResult;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the columns/rows envelope or a list of row objects")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<QueryResult, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element::<Value>()? {
            items.push(v);
        }
        from_objects(items).map_err(serde::de::Error::custom)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<QueryResult, A::Error> {
        let mut r = QueryResult::default();
        let (mut columns, mut num_rows, mut num_columns) = (None, None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "columns" => columns = Some(map.next_value::<Vec<String>>()?),
                "metadata" => {
                    r.metadata = map
                        .next_value::<Option<Vec<ColumnMetadata>>>()?
                        .unwrap_or_default()
                }
                "rows" => {
                    r.rows = map
                        .next_value::<Option<Vec<Vec<Value>>>>()?
                        .unwrap_or_default()
                }
                "numRows" => num_rows = map.next_value::<Option<u64>>()?,
                "numColumns" => num_columns = map.next_value::<Option<u64>>()?,
                "datasource" => r.datasource = map.next_value()?,
                "fromcache" => r.fromcache = map.next_value()?,
                _ => {
                    let v: Value = map.next_value()?;
                    r.extra.insert(key, v);
                }
            }
        }
        r.columns = columns.ok_or_else(|| serde::de::Error::missing_field("columns"))?;
        r.num_rows = num_rows.unwrap_or(r.rows.len() as u64);
        r.num_columns = num_columns.unwrap_or(r.columns.len() as u64);
        Ok(r)
    }
}

fn from_objects(items: Vec<Value>) -> Result<QueryResult, String> {
    let (columns, rows) = object_rows(items)?;
    Ok(QueryResult {
        num_rows: rows.len() as u64,
        num_columns: columns.len() as u64,
        columns,
        rows,
        ..QueryResult::default()
    })
}

/// The seed's list of row objects as columns (the first object's keys, in
/// order) and rows in that order.
fn object_rows(items: Vec<Value>) -> Result<(Vec<String>, Vec<Vec<Value>>), String> {
    let mut columns: Vec<String> = Vec::new();
    let mut rows = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let Value::Object(obj) = item else {
            return Err(format!(
                "[{i}]: expected a row object, found {}",
                kind_of(&item)
            ));
        };
        if i == 0 {
            columns = obj.keys().cloned().collect();
        }
        let mut row = vec![Value::Null; columns.len()];
        for (k, v) in obj {
            match columns.iter().position(|c| *c == k) {
                Some(p) => row[p] = v,
                None => return Err(format!("[{i}]: column {k:?} not in the first row")),
            }
        }
        rows.push(row);
    }
    Ok((columns, rows))
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_envelope_decodes_with_types() {
        let r: QueryResult = serde_json::from_str(
            r#"{"datasource":"abc","columns":["city","n"],"metadata":[{"type":"STRING","maxLength":-1},{"type":"LONG"}],
                "rows":[["Oslo",3],["Rome",null]],"numRows":2,"numColumns":2,"fromcache":false}"#,
        )
        .unwrap();
        assert_eq!(r.columns, ["city", "n"]);
        assert_eq!(r.column_type(1), Some(&ColumnType::Long));
        assert_eq!(r.num_rows, 2);
        assert_eq!(r.metadata[0].extra["maxLength"], -1);
        let first = r.objects().next().unwrap();
        assert_eq!(first["city"], "Oslo");
    }

    #[test]
    fn seed_list_of_objects_decodes() {
        let r: QueryResult = serde_json::from_str(
            r#"[{"column1":"value1","column2":"value2"},{"column2":"b","column1":"a"}]"#,
        )
        .unwrap();
        assert_eq!(r.columns, ["column1", "column2"]);
        assert_eq!(r.rows[1], [Value::from("a"), Value::from("b")]);
        assert_eq!(r.num_rows, 2);
    }

    #[test]
    fn wrong_shapes_say_what_was_expected() {
        let e = serde_json::from_str::<QueryResult>("[1]")
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected a row object"), "{e}");
        let e = serde_json::from_str::<QueryResult>("\"x\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("envelope"), "{e}");
    }
}
