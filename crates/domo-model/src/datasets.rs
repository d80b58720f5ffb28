//! Dataset (datasource) metadata: `GET /api/data/v3/datasources/{id}`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Extra, Id};

/// A dataset as `GET /api/data/v3/datasources/{id}` describes it. The seed
/// documents `details`/`properties` with `rows`/`columns`; real servers send
/// `rowCount`/`columnCount` at the top level. Both decode; use
/// [`Dataset::row_count`] to read whichever is present.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct Dataset {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_id: Option<Id>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column_count: Option<u64>,
    /// Epoch milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<i64>,
    /// Epoch milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_touched: Option<i64>,
    /// Epoch milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<i64>,
    /// Real servers send the tag list as a JSON *string* holding an array
    /// (`"[\"a\",\"b\"]"`); a plain array decodes too. Encoded in the string form.
    /// (The browser package hands JavaScript the array.)
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<String>>"))]
    #[serde(
        default,
        with = "tags_as_json_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Dataset {
    /// Row count from the real field, else the seed's `details.rows` or
    /// `properties.rows`.
    pub fn row_count(&self) -> Option<u64> {
        self.row_count.or_else(|| self.nested_u64("rows"))
    }

    /// Column count from the real field, else the seed's nested forms.
    pub fn column_count(&self) -> Option<u64> {
        self.column_count.or_else(|| self.nested_u64("columns"))
    }

    fn nested_u64(&self, key: &str) -> Option<u64> {
        [&self.details, &self.properties]
            .into_iter()
            .flatten()
            .find_map(|v| v.get(key).and_then(serde_json::Value::as_u64))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
pub struct Owner {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Id>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

mod tags_as_json_string {
    use super::*;

    pub fn serialize<S: Serializer>(tags: &Option<Vec<String>>, s: S) -> Result<S::Ok, S::Error> {
        match tags {
            Some(t) => {
                let text = serde_json::to_string(t).map_err(serde::ser::Error::custom)?;
                s.serialize_str(&text)
            }
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            List(Vec<String>),
            Text(String),
        }
        match Option::<Form>::deserialize(d)? {
            None => Ok(None),
            Some(Form::List(l)) => Ok(Some(l)),
            Some(Form::Text(t)) => parse_tags(&t).map(Some).map_err(serde::de::Error::custom),
        }
    }
}

/// The tag list from the wire's JSON-string form (`"[\"a\",\"b\"]"`; blank
/// is no tags). The error names the field.
pub fn parse_tags(text: &str) -> Result<Vec<String>, String> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    serde_json::from_str(text).map_err(|e| format!("tags: expected a JSON array in a string: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_and_real_forms_decode() {
        let seed: Dataset = serde_json::from_str(
            r#"{"id":"abc123","name":"Sample DataSource","type":"exampleType","status":"active","details":{"rows":1000,"columns":10}}"#,
        )
        .unwrap();
        assert_eq!(seed.row_count(), Some(1000));
        assert_eq!(seed.column_count(), Some(10));

        let meta: Dataset = serde_json::from_str(
            r#"{"id":"abc123","name":"Sample DataSet","properties":{"rows":1000,"columns":10}}"#,
        )
        .unwrap();
        assert_eq!(meta.row_count(), Some(1000));

        let real: Dataset = serde_json::from_str(
            r#"{"id":"f0e1","name":"Sales","rowCount":5,"columnCount":2,"lastUpdated":1654557838137,
                "tags":"[\"a\",\"b\"]","streamId":42,"owner":{"id":7,"name":"Ann","type":"USER"},"cryptoKeyId":"x"}"#,
        )
        .unwrap();
        assert_eq!(
            real.tags.as_deref(),
            Some(&["a".to_owned(), "b".to_owned()][..])
        );
        assert_eq!(real.stream_id, Some(Id::Num(42)));
        assert_eq!(real.extra["cryptoKeyId"], "x");
        // Re-encoding keeps the string form and the unknown field.
        let again = serde_json::to_value(&real).unwrap();
        assert_eq!(again["tags"], "[\"a\",\"b\"]");
        assert_eq!(again["cryptoKeyId"], "x");
    }

    #[test]
    fn bad_tags_string_is_an_error_naming_tags() {
        let err = serde_json::from_str::<Dataset>(r#"{"id":"x","tags":"not json"}"#).unwrap_err();
        assert!(err.to_string().contains("tags"), "{err}");
    }
}
