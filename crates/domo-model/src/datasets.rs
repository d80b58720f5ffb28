//! Datasets (datasources): metadata (`GET /api/data/v3/datasources/{id}`),
//! the list, the two searches, creation without a stream, properties.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{DatasetId, Extra, Id};

/// A dataset as `GET /api/data/v3/datasources/{id}` describes it. The seed
/// documents `details`/`properties` with `rows`/`columns`; real servers send
/// `rowCount`/`columnCount` at the top level. Both decode; use
/// [`Dataset::row_count`] to read whichever is present.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct Dataset {
    /// The dataset's id (a UUID).
    pub id: DatasetId,
    /// The dataset's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its description; may be empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its type, sent as `type`, e.g. `API` for a dataset loaded through
    /// the API (the seed shows `exampleType`).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Its state, e.g. `SUCCESS` (the seed shows `active`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Who owns it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// The stream that loads it; absent or `null` for a dataset created
    /// without one (`POST /api/data/v2/datasources`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_id: Option<Id>,
    /// Rows in the dataset, as real servers send it; the seed nests the
    /// count in `details` or `properties`, which [`Dataset::row_count()`]
    /// also reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_count: Option<u64>,
    /// Columns in the dataset, as real servers send it; see
    /// [`Dataset::column_count()`] for the seed's nested form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column_count: Option<u64>,
    /// When it was created, epoch milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<i64>,
    /// When anything about it last changed (its data, or settings such as
    /// tags and sharing), epoch milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_touched: Option<i64>,
    /// When its data last changed, epoch milliseconds.
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
    /// Further properties. Real servers put the beast-mode formulas here
    /// (`{"formulas": {"formulas": {...}}}`); the seed's form holds the
    /// `rows` and `columns` counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<serde_json::Value>,
    /// The seed's `{"rows", "columns"}` counts; real servers send
    /// `rowCount` and `columnCount` instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
    /// Fields not named above, kept so that re-encoding loses nothing.
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

/// A dataset's owner: `{"id", "name", "type"}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
pub struct Owner {
    /// The owner's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Id>,
    /// The owner's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What owns the dataset, sent as `type`: `USER` for a person.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One page of `GET /api/data/v3/datasources?limit&offset`, and the reply of
/// the browser tools' search `POST /api/data/ui/v3/datasources/search`:
/// `{"dataSources": [...], "_metaData": {"totalCount"}}`. Only one source
/// shows the list's form, so a bare array of datasets decodes too.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct DatasetList {
    /// The datasets of this page; empty past the end.
    pub data_sources: Vec<Dataset>,
    /// `_metaData`; absent when the reply was a bare array.
    #[serde(rename = "_metaData", skip_serializing_if = "Option::is_none")]
    pub meta: Option<ListMeta>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

impl DatasetList {
    /// `_metaData.totalCount`, when the server sent it.
    pub fn total_count(&self) -> Option<u64> {
        self.meta.as_ref()?.total_count
    }
}

impl<'de> Deserialize<'de> for DatasetList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Envelope {
            #[serde(default)]
            data_sources: Vec<Dataset>,
            #[serde(default, rename = "_metaData")]
            meta: Option<ListMeta>,
            #[serde(flatten)]
            extra: Extra,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Bare(Vec<Dataset>),
            Envelope(Envelope),
        }
        Ok(match Form::deserialize(d)? {
            Form::Bare(data_sources) => DatasetList {
                data_sources,
                ..DatasetList::default()
            },
            Form::Envelope(e) => DatasetList {
                data_sources: e.data_sources,
                meta: e.meta,
                extra: e.extra,
            },
        })
    }
}

/// `_metaData` of a list reply.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct ListMeta {
    /// Datasets across all pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_count: Option<u64>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `POST /api/data/v2/datasources`: a dataset without a stream, in the form
/// domolibrary sends (`{"userDefinedType": "api", "dataSourceName",
/// "schema": {"columns"}}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct CreateDatasetRequest {
    /// The dataset's type as Domo shows it; [`CreateDatasetRequest::api`]
    /// sends `api`.
    pub user_defined_type: String,
    /// The new dataset's name.
    pub data_source_name: String,
    /// Its description; not sent when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_source_description: Option<String>,
    /// Its columns (`{"columns": [...]}`).
    pub schema: crate::schema::Schema,
}

impl CreateDatasetRequest {
    /// An `api`-type dataset named `name` with `columns`.
    pub fn api(
        name: impl Into<String>,
        description: Option<String>,
        columns: Vec<crate::schema::Column>,
    ) -> CreateDatasetRequest {
        CreateDatasetRequest {
            user_defined_type: "api".into(),
            data_source_name: name.into(),
            data_source_description: description,
            schema: crate::schema::Schema::new(columns),
        }
    }
}

/// The reply to `POST /api/data/v2/datasources`:
/// `{"dataSource": {"dataSourceId", "name", ...}, ...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct CreatedDataset {
    /// The new dataset.
    pub data_source: CreatedDataSource,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

impl CreatedDataset {
    /// The new dataset's id.
    pub fn dataset_id(&self) -> &str {
        &self.data_source.data_source_id
    }
}

/// `dataSource` of [`CreatedDataset`]. `id` is accepted for the id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct CreatedDataSource {
    /// The new dataset's id.
    #[serde(alias = "id")]
    pub data_source_id: DatasetId,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

impl CreatedDataSource {
    /// The `#[serde(alias)]` names above, for readers of the parsed JSON
    /// (domo-core's `Fixup::Rename` reply step).
    pub const ALIASES: &[(&str, &str)] = &[("id", "dataSourceId")];
}

/// `PUT /api/data/v3/datasources/{id}/properties`: rename and describe.
/// Fields left `None` are not sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct DatasetProperties {
    /// The new name; `None` keeps the current one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_source_name: Option<String>,
    /// The new description; `None` keeps the current one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_source_description: Option<String>,
}

/// The search body of `POST /api/search/v1/query` (domolibrary's form) and
/// of the browser tools' `POST /api/data/ui/v3/datasources/search`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct SearchQuery {
    /// What to search: `["DATASET"]`.
    pub entities: Vec<String>,
    /// Conditions on the hits (see [`SearchFilter`]).
    pub filters: Vec<SearchFilter>,
    /// domolibrary sends `false`, the browser tools `true`.
    pub combine_results: bool,
    /// The text to search for; `*` matches everything.
    pub query: String,
    /// Hits in one page at most.
    pub count: u32,
    /// Hits to skip; clients page until a page comes back empty.
    pub offset: u32,
    /// The browser tools' sort, e.g. `{"fieldSorts": [{"field":
    /// "last_modified", "sortOrder": "DESC"}]}`; not sent when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<serde_json::Value>,
}

/// One search filter: `{"field": "name_sort", "filterType": "wildcard",
/// "query": "*sales*"}` or `{"filterType": "term", "field": "owned_by_id",
/// "value": "7", "not": false}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct SearchFilter {
    /// The search index field: `name_sort` (the name) or `owned_by_id`
    /// (the owner's user id).
    pub field: String,
    /// `wildcard` (matches `query`) or `term` (equals `value`).
    pub filter_type: String,
    /// A `wildcard` filter's pattern, with `*` and `?`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// A `term` filter's exact value; ids go as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// `true` keeps what does *not* match; [`SearchFilter::term`] sends
    /// `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not: Option<bool>,
}

impl SearchFilter {
    /// A wildcard match (`*` and `?`) on `field`.
    pub fn wildcard(field: impl Into<String>, pattern: impl Into<String>) -> SearchFilter {
        SearchFilter {
            field: field.into(),
            filter_type: "wildcard".into(),
            query: Some(pattern.into()),
            value: None,
            not: None,
        }
    }

    /// An exact match of `field` to `value`.
    pub fn term(field: impl Into<String>, value: impl Into<String>) -> SearchFilter {
        SearchFilter {
            field: field.into(),
            filter_type: "term".into(),
            query: None,
            value: Some(value.into()),
            not: Some(false),
        }
    }
}

/// The reply of `POST /api/search/v1/query`: `{"searchObjects": [...],
/// "totalResultCount"}`. Clients page until `searchObjects` is empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct SearchResult {
    /// The hits of this page; empty past the end.
    #[serde(default)]
    pub search_objects: Vec<SearchHit>,
    /// Hits across all pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_result_count: Option<u64>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One dataset found by a search. `databaseId` is the dataset's id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    /// The dataset's id (`id` is accepted too).
    #[serde(alias = "id")]
    pub database_id: DatasetId,
    /// The dataset's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What was found: `DATASET`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_type: Option<String>,
    /// The owner's user id (text in Domo's search index).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_by_id: Option<Id>,
    /// The owner's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_by_name: Option<String>,
    /// Rows in the dataset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_count: Option<u64>,
    /// Columns in the dataset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column_count: Option<u64>,
    /// When its data last changed, epoch milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<i64>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

impl SearchHit {
    /// The `#[serde(alias)]` names above, for readers of the parsed JSON
    /// (domo-core's `Fixup::Rename` reply step).
    pub const ALIASES: &[(&str, &str)] = &[("id", "databaseId")];

    /// The dataset's id.
    pub fn dataset_id(&self) -> &str {
        &self.database_id
    }
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
    fn list_envelope_and_bare_array_decode() {
        let list: DatasetList = serde_json::from_str(
            r#"{"dataSources":[{"id":"a","name":"A","rowCount":3}],"_metaData":{"totalCount":7,"limit":50}}"#,
        )
        .unwrap();
        assert_eq!(list.data_sources[0].row_count, Some(3));
        assert_eq!(list.total_count(), Some(7));
        let bare: DatasetList = serde_json::from_str(r#"[{"id":"a"},{"id":"b"}]"#).unwrap();
        assert_eq!(bare.data_sources.len(), 2);
        assert_eq!(bare.total_count(), None);
    }

    #[test]
    fn create_and_search_forms() {
        let req = CreateDatasetRequest::api(
            "Sales",
            None,
            vec![crate::schema::Column::new(
                "region",
                crate::schema::ColumnType::String,
            )],
        );
        assert_eq!(
            serde_json::to_string(&req).unwrap(),
            r#"{"userDefinedType":"api","dataSourceName":"Sales","schema":{"columns":[{"name":"region","type":"STRING"}]}}"#
        );
        let created: CreatedDataset =
            serde_json::from_str(r#"{"dataSource":{"dataSourceId":"ds-9","name":"Sales"},"x":1}"#)
                .unwrap();
        assert_eq!(created.dataset_id(), "ds-9");
        let hits: SearchResult = serde_json::from_str(
            r#"{"searchObjects":[{"databaseId":"d1","name":"Sales","entityType":"DATASET","ownedById":"7","ownedByName":"Ann","rowCount":5,"columnCount":2,"lastModified":1654557838137}],"totalResultCount":1}"#,
        )
        .unwrap();
        assert_eq!(hits.search_objects[0].owned_by_id, Some(Id::from("7")));
        assert_eq!(hits.search_objects[0].row_count, Some(5));
        assert_eq!(
            serde_json::to_string(&SearchFilter::term("owned_by_id", "7")).unwrap(),
            r#"{"field":"owned_by_id","filterType":"term","value":"7","not":false}"#
        );
    }

    #[test]
    fn bad_tags_string_is_an_error_naming_tags() {
        let err = serde_json::from_str::<Dataset>(r#"{"id":"x","tags":"not json"}"#).unwrap_err();
        assert!(err.to_string().contains("tags"), "{err}");
    }
}
