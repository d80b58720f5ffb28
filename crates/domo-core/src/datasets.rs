//! Datasets: metadata (`GET /api/data/v3/datasources/{id}`), the paged
//! list and its paging rule ([`DatasetPages`]), the two searches and their
//! paging rule ([`SearchPages`]), creation without a stream, properties
//! (rename, describe) and delete.

use bytes::Bytes;
use domo_model::datasets::{
    CreateDatasetRequest, CreatedDataSource, CreatedDataset, Dataset, DatasetList,
    DatasetProperties, SearchFilter, SearchHit, SearchQuery, SearchResult,
};
use http::{Method, Response};
use serde::Serialize;

use crate::endpoint::{Body, Endpoint, JsonEndpoint, json, json_object_or_empty};
use crate::error::{Error, ErrorKind};
use crate::path::segment;

/// Covers the seed's "Get DataSource" (`part`, `includeAllDetails`) and
/// "Get Metadata" (`requestedParts`) sections: one path, optional parts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GetDataset {
    pub dataset_id: String,
    /// `part=core,permission,...`
    pub part: Vec<String>,
    pub include_all_details: Option<bool>,
    /// `requestedParts=core,permission`
    pub requested_parts: Vec<String>,
}

impl GetDataset {
    pub fn new(dataset_id: impl Into<String>) -> GetDataset {
        GetDataset {
            dataset_id: dataset_id.into(),
            ..GetDataset::default()
        }
    }
}

impl Endpoint for GetDataset {
    type Output = Dataset;

    fn method(&self) -> Method {
        Method::GET
    }

    fn path(&self) -> Result<String, Error> {
        Ok(format!(
            "/api/data/v3/datasources/{}",
            segment("dataset id", &self.dataset_id)?
        ))
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if !self.part.is_empty() {
            q.push(("part", self.part.join(",")));
        }
        if let Some(all) = self.include_all_details {
            q.push(("includeAllDetails", all.to_string()));
        }
        if !self.requested_parts.is_empty() {
            q.push(("requestedParts", self.requested_parts.join(",")));
        }
        q
    }

    fn parse(&self, response: Response<Bytes>) -> Result<Dataset, Error> {
        json(response)
    }
}

impl JsonEndpoint for GetDataset {
    /// The wire carries `tags` as JSON text (`"[\"a\"]"`); the reply gives
    /// them as the array the model declares.
    fn parse_json(&self, response: Response<Bytes>) -> Result<serde_json::Value, Error> {
        let mut value: serde_json::Value = json(response)?;
        if let Some(serde_json::Value::String(text)) = value.get("tags") {
            let tags = domo_model::datasets::parse_tags(text)
                .map_err(|e| Error::new(ErrorKind::Decode, e).with_json_path("tags"))?;
            value["tags"] = tags.into();
        }
        Ok(value)
    }
}

/// `GET /api/data/v3/datasources?limit&offset`: one page of the datasets the
/// caller can see. To list them all, page with [`DatasetPages`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListDatasets {
    pub limit: u32,
    pub offset: u32,
}

impl Endpoint for ListDatasets {
    type Output = DatasetList;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path(&self) -> Result<String, Error> {
        Ok("/api/data/v3/datasources".to_owned())
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        vec![
            ("limit", self.limit.to_string()),
            ("offset", self.offset.to_string()),
        ]
    }
    fn parse(&self, response: Response<Bytes>) -> Result<DatasetList, Error> {
        json(response)
    }
}

impl JsonEndpoint for ListDatasets {
    /// A bare array becomes the envelope; each dataset's `tags` the array.
    fn parse_json(&self, response: Response<Bytes>) -> Result<serde_json::Value, Error> {
        dataset_list_json(json(response)?)
    }
}

/// The JSON form of a [`DatasetList`] (the list and the browser tools'
/// search): the envelope, each dataset's `tags` as an array.
fn dataset_list_json(value: serde_json::Value) -> Result<serde_json::Value, Error> {
    let mut value = match value {
        serde_json::Value::Array(items) => serde_json::json!({ "dataSources": items }),
        other => other,
    };
    if let Some(serde_json::Value::Array(items)) = value.get_mut("dataSources") {
        for (i, item) in items.iter_mut().enumerate() {
            if let Some(serde_json::Value::String(text)) = item.get("tags") {
                let tags = domo_model::datasets::parse_tags(text).map_err(|e| {
                    Error::new(ErrorKind::Decode, e)
                        .with_json_path(format!("dataSources[{i}].tags"))
                })?;
                item["tags"] = tags.into();
            }
        }
    } else if value.get("dataSources").is_none() {
        value["dataSources"] = serde_json::Value::Array(Vec::new());
    }
    Ok(value)
}

/// Paging through every dataset with [`ListDatasets`]: asks for
/// [`DatasetPages::PAGE`] (Domo's most) at a time and stops at the first
/// page shorter than that (an empty page included), or once
/// `_metaData.totalCount` datasets have arrived. A server that keeps sending
/// full pages past [`DatasetPages::MAX_DATASETS`] is an error, not a loop.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DatasetPages {
    seen: u32,
    done: bool,
}

impl DatasetPages {
    /// Datasets asked for per page: the list's maximum.
    pub const PAGE: u32 = 50;
    /// Far past any instance's size: the server is not honouring `offset`.
    pub const MAX_DATASETS: u32 = 10_000_000;

    pub fn new() -> DatasetPages {
        DatasetPages::default()
    }

    /// The request for the next page, or `None` once the listing is complete.
    pub fn next_page(&self) -> Option<ListDatasets> {
        (!self.done).then_some(ListDatasets {
            limit: Self::PAGE,
            offset: self.seen,
        })
    }

    /// Record that the page last asked for held `len` datasets, and the
    /// `_metaData.totalCount` it reported.
    pub fn received(&mut self, len: usize, total_count: Option<u64>) -> Result<(), Error> {
        let len = u32::try_from(len).unwrap_or(u32::MAX);
        self.seen = self.seen.saturating_add(len);
        let all_in = total_count.is_some_and(|total| u64::from(self.seen) >= total);
        self.done = len < Self::PAGE || all_in;
        if !self.done && self.seen >= Self::MAX_DATASETS {
            return Err(Error::new(
                ErrorKind::Decode,
                format!(
                    "the server sent more than {} datasets in full pages; is it ignoring `offset`?",
                    Self::MAX_DATASETS
                ),
            ));
        }
        Ok(())
    }
}

/// What to search datasets for: a name pattern, an owner, or both. Turned
/// into the wire's [`SearchQuery`] by [`DatasetSearch::query`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetSearch {
    /// Matched against the name, case-insensitively. Text without `*` is
    /// wrapped as `*text*` (contains); text with a `*` is the wildcard
    /// pattern as given. `None` (or blank) matches every name.
    pub text: Option<String>,
    /// Only datasets owned by this user id (`owned_by_id`).
    pub owner: Option<String>,
    /// Hits asked for per page (`count`).
    pub page_size: u32,
}

impl Default for DatasetSearch {
    fn default() -> Self {
        DatasetSearch {
            text: None,
            owner: None,
            page_size: DatasetSearch::PAGE,
        }
    }
}

impl DatasetSearch {
    /// domolibrary's page size.
    pub const PAGE: u32 = 100;
    /// Most hits one page may ask for.
    pub const MAX_PAGE: u32 = 1000;

    /// Datasets whose name contains `text`.
    pub fn text(text: impl Into<String>) -> DatasetSearch {
        DatasetSearch {
            text: Some(text.into()),
            ..DatasetSearch::default()
        }
    }

    /// Only datasets owned by `owner_id`.
    pub fn owner(mut self, owner_id: impl Into<String>) -> DatasetSearch {
        self.owner = Some(owner_id.into());
        self
    }

    /// The wildcard the name is matched with: `*text*`, or the text itself
    /// when it holds a `*`.
    pub fn name_pattern(&self) -> Option<String> {
        let text = self
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())?;
        Some(if text.contains('*') {
            text.to_owned()
        } else {
            format!("*{text}*")
        })
    }

    /// The body of one page at `offset` (domolibrary's form: one entity,
    /// results not combined, `query: "*"`).
    pub fn query(&self, offset: u32) -> Result<SearchQuery, Error> {
        if self.page_size == 0 || self.page_size > Self::MAX_PAGE {
            return Err(Error::invalid_input(format!(
                "dataset search: the page size must be from 1 to {}, got {}",
                Self::MAX_PAGE,
                self.page_size
            )));
        }
        let mut filters = Vec::new();
        if let Some(pattern) = self.name_pattern() {
            filters.push(SearchFilter::wildcard("name_sort", pattern));
        }
        if let Some(owner) = &self.owner {
            let owner = owner.trim();
            if owner.is_empty() {
                return Err(Error::invalid_input(
                    "dataset search: the owner id must not be blank",
                ));
            }
            filters.push(SearchFilter::term("owned_by_id", owner));
        }
        Ok(SearchQuery {
            entities: vec!["DATASET".into()],
            filters,
            combine_results: false,
            query: "*".into(),
            count: self.page_size,
            offset,
            sort: None,
        })
    }
}

/// `POST /api/search/v1/query`: one page of a dataset search (the route
/// domolibrary uses). To read every hit, page with [`SearchPages`].
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDatasets<R = SearchQuery> {
    /// A [`SearchQuery`], or its JSON as a JS client passes it through.
    pub request: R,
}

impl<R: Serialize> Endpoint for SearchDatasets<R> {
    type Output = SearchResult;
    fn method(&self) -> Method {
        Method::POST
    }
    fn path(&self) -> Result<String, Error> {
        Ok("/api/search/v1/query".to_owned())
    }
    fn body(&self) -> Result<Body, Error> {
        Body::json(&self.request)
    }
    /// A search reads; sending it twice is sending it once.
    fn idempotent(&self) -> bool {
        true
    }
    fn parse(&self, response: Response<Bytes>) -> Result<SearchResult, Error> {
        json(response)
    }
}

impl<R: Serialize> JsonEndpoint for SearchDatasets<R> {
    fn parse_json(&self, response: Response<Bytes>) -> Result<serde_json::Value, Error> {
        let mut value: serde_json::Value = json(response)?;
        match value.get_mut("searchObjects") {
            Some(hits) => domo_model::rename_aliases(hits, SearchHit::ALIASES),
            None => value["searchObjects"] = serde_json::Value::Array(Vec::new()),
        }
        Ok(value)
    }
}

/// Paging through a search: `count`/`offset` until a page with no
/// `searchObjects` (what domolibrary does: the search's `count` may be
/// capped below what was asked, so a short page does not end it), or once
/// `totalResultCount` hits have arrived. Bounded like [`DatasetPages`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPages {
    search: DatasetSearch,
    seen: u32,
    done: bool,
}

impl SearchPages {
    pub fn new(search: DatasetSearch) -> SearchPages {
        SearchPages {
            search,
            seen: 0,
            done: false,
        }
    }

    /// The request for the next page, or `None` once the search is complete.
    pub fn next_page(&self) -> Result<Option<SearchDatasets>, Error> {
        if self.done {
            return Ok(None);
        }
        Ok(Some(SearchDatasets {
            request: self.search.query(self.seen)?,
        }))
    }

    /// Record that the page last asked for held `len` hits, and the
    /// `totalResultCount` it reported.
    pub fn received(&mut self, len: usize, total_result_count: Option<u64>) -> Result<(), Error> {
        let len = u32::try_from(len).unwrap_or(u32::MAX);
        self.seen = self.seen.saturating_add(len);
        let all_in = total_result_count.is_some_and(|total| u64::from(self.seen) >= total);
        self.done = len == 0 || all_in;
        if !self.done && self.seen >= DatasetPages::MAX_DATASETS {
            return Err(Error::new(
                ErrorKind::Decode,
                format!(
                    "the search sent more than {} hits; is it ignoring `offset`?",
                    DatasetPages::MAX_DATASETS
                ),
            ));
        }
        Ok(())
    }
}

/// `POST /api/data/ui/v3/datasources/search`: the browser tools' search, one
/// page, answered as a [`DatasetList`] of whole datasets.
#[derive(Debug, Clone, PartialEq)]
pub struct UiSearchDatasets<R = SearchQuery> {
    pub request: R,
}

impl UiSearchDatasets {
    /// The browser tools' form of `search` at `offset` (results combined).
    pub fn new(search: &DatasetSearch, offset: u32) -> Result<UiSearchDatasets, Error> {
        let mut request = search.query(offset)?;
        request.combine_results = true;
        Ok(UiSearchDatasets { request })
    }
}

impl<R: Serialize> Endpoint for UiSearchDatasets<R> {
    type Output = DatasetList;
    fn method(&self) -> Method {
        Method::POST
    }
    fn path(&self) -> Result<String, Error> {
        Ok("/api/data/ui/v3/datasources/search".to_owned())
    }
    fn body(&self) -> Result<Body, Error> {
        Body::json(&self.request)
    }
    fn idempotent(&self) -> bool {
        true
    }
    fn parse(&self, response: Response<Bytes>) -> Result<DatasetList, Error> {
        json(response)
    }
}

impl<R: Serialize> JsonEndpoint for UiSearchDatasets<R> {
    fn parse_json(&self, response: Response<Bytes>) -> Result<serde_json::Value, Error> {
        dataset_list_json(json(response)?)
    }
}

/// `POST /api/data/v2/datasources`: a dataset with no stream behind it
/// (domolibrary's `create`). Not idempotent: each call creates a dataset.
/// The stream-backed way is [`crate::streams::CreateStream`].
#[derive(Debug, Clone, PartialEq)]
pub struct CreateDatasetWithoutStream {
    pub request: CreateDatasetRequest,
}

impl Endpoint for CreateDatasetWithoutStream {
    type Output = CreatedDataset;
    fn method(&self) -> Method {
        Method::POST
    }
    fn path(&self) -> Result<String, Error> {
        Ok("/api/data/v2/datasources".to_owned())
    }
    fn body(&self) -> Result<Body, Error> {
        if self.request.data_source_name.trim().is_empty() {
            return Err(Error::invalid_input(
                "create dataset: dataSourceName must not be blank",
            ));
        }
        crate::schema::check_columns("create dataset", &self.request.schema.columns)?;
        Body::json(&self.request)
    }
    fn parse(&self, response: Response<Bytes>) -> Result<CreatedDataset, Error> {
        json(response)
    }
}

impl JsonEndpoint for CreateDatasetWithoutStream {
    fn parse_json(&self, response: Response<Bytes>) -> Result<serde_json::Value, Error> {
        let mut value: serde_json::Value = json(response)?;
        if let Some(ds) = value.get_mut("dataSource") {
            domo_model::rename_aliases(ds, CreatedDataSource::ALIASES);
        }
        if value.pointer("/dataSource/dataSourceId").is_none() {
            return Err(Error::new(
                ErrorKind::Decode,
                "the reply names no dataset id (dataSource.dataSourceId)",
            ));
        }
        Ok(value)
    }
}

/// `PUT /api/data/v3/datasources/{id}/properties`: rename and describe.
/// Servers answer with an empty 200 (`None`) or the dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct SetProperties {
    pub dataset_id: String,
    pub request: DatasetProperties,
}

impl Endpoint for SetProperties {
    type Output = Option<Dataset>;
    fn method(&self) -> Method {
        Method::PUT
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!(
            "/api/data/v3/datasources/{}/properties",
            segment("dataset id", &self.dataset_id)?
        ))
    }
    fn body(&self) -> Result<Body, Error> {
        let r = &self.request;
        if r.data_source_name.is_none() && r.data_source_description.is_none() {
            return Err(Error::invalid_input(
                "dataset properties: give a new name (dataSourceName), a description (dataSourceDescription) or both",
            ));
        }
        if r.data_source_name
            .as_deref()
            .is_some_and(|n| n.trim().is_empty())
        {
            return Err(Error::invalid_input(
                "dataset properties: the name (dataSourceName) must not be blank",
            ));
        }
        Body::json(r)
    }
    fn parse(&self, response: Response<Bytes>) -> Result<Option<Dataset>, Error> {
        if response.body().iter().all(u8::is_ascii_whitespace) {
            Ok(None)
        } else {
            json(response).map(Some)
        }
    }
}

impl JsonEndpoint for SetProperties {
    fn parse_json(&self, response: Response<Bytes>) -> Result<serde_json::Value, Error> {
        json_object_or_empty(response)
    }
}

/// How [`DeleteDataset`] deletes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeleteMethod {
    /// `deleteMethod=hard` (what domolibrary sends): the dataset is gone.
    #[default]
    Hard,
    /// No parameter: Domo may keep the dataset recoverable for a while.
    Soft,
}

/// `DELETE /api/data/v3/datasources/{id}?deleteMethod=hard`.
#[derive(Debug, Clone, PartialEq)]
pub struct DeleteDataset {
    pub dataset_id: String,
    pub method: DeleteMethod,
}

impl DeleteDataset {
    /// A hard delete.
    pub fn new(dataset_id: impl Into<String>) -> DeleteDataset {
        DeleteDataset {
            dataset_id: dataset_id.into(),
            method: DeleteMethod::Hard,
        }
    }
}

impl Endpoint for DeleteDataset {
    type Output = ();
    fn method(&self) -> Method {
        Method::DELETE
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!(
            "/api/data/v3/datasources/{}",
            segment("dataset id", &self.dataset_id)?
        ))
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        match self.method {
            DeleteMethod::Hard => vec![("deleteMethod", "hard".to_owned())],
            DeleteMethod::Soft => Vec::new(),
        }
    }
    fn parse(&self, _: Response<Bytes>) -> Result<(), Error> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_pages_by_fifty_and_stops_short_or_at_the_total() {
        let mut pages = DatasetPages::new();
        assert_eq!(
            pages.next_page(),
            Some(ListDatasets {
                limit: 50,
                offset: 0
            })
        );
        pages.received(50, None).unwrap();
        assert_eq!(pages.next_page().unwrap().offset, 50);
        pages.received(3, None).unwrap();
        assert_eq!(pages.next_page(), None);

        // Exactly the total in full pages: no request for an empty page.
        let mut pages = DatasetPages::new();
        pages.received(50, Some(100)).unwrap();
        assert!(pages.next_page().is_some());
        pages.received(50, Some(100)).unwrap();
        assert_eq!(pages.next_page(), None);

        let mut empty = DatasetPages::new();
        empty.received(0, Some(0)).unwrap();
        assert_eq!(empty.next_page(), None);
    }

    #[test]
    fn search_text_is_a_contains_wildcard_unless_it_has_one() {
        let q = DatasetSearch::text("sales").owner("7").query(200).unwrap();
        assert_eq!(
            serde_json::to_value(&q).unwrap(),
            serde_json::json!({
                "entities": ["DATASET"],
                "filters": [
                    {"field": "name_sort", "filterType": "wildcard", "query": "*sales*"},
                    {"field": "owned_by_id", "filterType": "term", "value": "7", "not": false},
                ],
                "combineResults": false, "query": "*", "count": 100, "offset": 200,
            })
        );
        assert_eq!(
            DatasetSearch::text("sa*s").name_pattern().as_deref(),
            Some("sa*s")
        );
        assert_eq!(DatasetSearch::text("  ").name_pattern(), None);
        assert!(
            DatasetSearch::default()
                .query(0)
                .unwrap()
                .filters
                .is_empty()
        );
        let zero = DatasetSearch {
            page_size: 0,
            ..DatasetSearch::default()
        };
        assert!(zero.query(0).unwrap_err().to_string().contains("page size"));
        assert!(DatasetSearch::default().owner(" ").query(0).is_err());
        assert!(
            UiSearchDatasets::new(&DatasetSearch::text("x"), 0)
                .unwrap()
                .request
                .combine_results
        );
    }

    #[test]
    fn search_pages_until_an_empty_page_or_the_total() {
        let mut pages = SearchPages::new(DatasetSearch::text("a"));
        assert_eq!(pages.next_page().unwrap().unwrap().request.offset, 0);
        // A short page does not end it: the server may cap `count`.
        pages.received(30, None).unwrap();
        assert_eq!(pages.next_page().unwrap().unwrap().request.offset, 30);
        pages.received(0, None).unwrap();
        assert!(pages.next_page().unwrap().is_none());

        let mut pages = SearchPages::new(DatasetSearch::text("a"));
        pages.received(100, Some(100)).unwrap();
        assert!(pages.next_page().unwrap().is_none());
    }

    #[test]
    fn properties_need_something_to_set() {
        let config = crate::Config::new(
            crate::BaseUrl::parse("http://127.0.0.1:1").unwrap(),
            crate::Credentials::developer_token("t"),
        );
        let e = config
            .prepare(&SetProperties {
                dataset_id: "d".into(),
                request: DatasetProperties::default(),
            })
            .unwrap_err();
        assert!(e.to_string().contains("dataSourceName"), "{e}");
        let blank = SetProperties {
            dataset_id: "d".into(),
            request: DatasetProperties {
                data_source_name: Some(" ".into()),
                data_source_description: None,
            },
        };
        assert!(
            config
                .prepare(&blank)
                .unwrap_err()
                .to_string()
                .contains("blank")
        );
    }
}
