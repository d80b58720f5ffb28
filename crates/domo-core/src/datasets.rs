//! Datasets: metadata (`GET /api/data/v3/datasources/{id}`), the paged
//! list and its paging rule ([`DatasetPages`]), the two searches and their
//! paging rules ([`SearchPages`], [`UiSearchPages`]), creation with and without a stream,
//! properties (rename, describe) and delete.

use domo_model::datasets::{
    CreatedDataSource, CreatedDataset, Dataset, DatasetList, SearchHit, SearchResult,
};
use domo_model::schema::Column;
use domo_model::{DatasetId, Id};

use crate::args::{Arg, ArgType};
use crate::error::Error;
use crate::json::quote;
use crate::paging::PageCursor;
#[cfg(feature = "typed")]
use crate::paging::{Pages, as_u32};
use crate::spec::BodyValues;
use crate::spec::{BodyShape, Check, Fixup, Kind, ReplyShape};
use crate::streams::CREATE_STREAM_PATH;

/// The steps that bring a dataset list (the list, the browser tools'
/// search) to the model's form: the envelope, each dataset's `tags` as an
/// array.
const DATASET_LIST: &[Fixup] = &[
    Fixup::WrapArray("dataSources"),
    Fixup::DefaultArray("dataSources"),
    Fixup::JsonText("dataSources[].tags"),
];

declare! {
    /// Covers the seed's "Get DataSource" (`part`, `includeAllDetails`) and
    /// "Get Metadata" (`requestedParts`) sections: one path, optional parts.
    GetDataset => json Dataset {
        GET "/api/data/v3/datasources/{datasetId}";
        query: "part={part}&includeAllDetails={includeAllDetails}&requestedParts={requestedParts}",
        reply: ReplyShape::Json(&[Fixup::JsonText("tags")]),
        js: js![getDataset(datasetId, ...), getMetadata(datasetId, requestedParts)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// `part=core,permission,...`
        arg part "part": Vec<String>,
        /// `includeAllDetails=true|false`
        arg include_all_details "includeAllDetails": Option<bool>,
        /// `requestedParts=core,permission`
        arg requested_parts "requestedParts": Vec<String>,
    }

    /// `GET /api/data/v3/datasources?limit&offset`: one page of the datasets
    /// the caller can see. To list them all, page with [`DatasetPages`].
    ListDatasets => json DatasetList {
        GET "/api/data/v3/datasources";
        query: "limit={limit}&offset={offset}",
        reply: ReplyShape::Json(DATASET_LIST),
        js: js![listDatasetsPage(limit, offset)],
    } fields {
        /// Datasets per page, at most [`DatasetPages::PAGE`].
        arg limit "limit": u32 = "50",
        /// Datasets to skip.
        arg offset "offset": u32 = "0",
    }

    /// `POST /api/search/v1/query`: one page of a dataset search (the route
    /// domolibrary uses). To read every hit, page with [`SearchPages`]; a
    /// [`DatasetSearch`] builds the first page.
    SearchDatasets => json SearchResult {
        POST "/api/search/v1/query";
        body: BodyShape::Build(search_body),
        // A search reads; sending it twice is sending it once.
        idempotent: true,
        checks: &[
            Check::AtLeast("count", 1, "dataset search: the page size (count) must be from 1 to 1000"),
            Check::AtMost("count", DatasetSearch::MAX_PAGE as u64, "dataset search: the page size (count) must be from 1 to 1000"),
            Check::NotBlankIfGiven("owner", "dataset search: the owner id must not be blank"),
        ],
        reply: ReplyShape::Json(&[
            Fixup::DefaultArray("searchObjects"),
            Fixup::Rename("searchObjects", SearchHit::ALIASES),
        ]),
        js: js![searchDatasetsPage(text, ...)],
    } fields {
        /// Matched against the name, case-insensitively; see
        /// [`DatasetSearch::text`].
        arg text "text": Option<String>,
        /// Only datasets owned by this user.
        arg owner "owner": Option<Id>,
        /// Hits per page.
        arg count "count": u32 = "100",
        /// Hits to skip.
        arg offset "offset": u32 = "0",
    }

    /// `POST /api/data/ui/v3/datasources/search`: the browser tools' search,
    /// one page, answered as a [`DatasetList`] of whole datasets.
    UiSearchDatasets => json DatasetList {
        POST "/api/data/ui/v3/datasources/search";
        body: BodyShape::Build(ui_search_body),
        idempotent: true,
        checks: &[
            Check::AtLeast("count", 1, "dataset search: the page size (count) must be from 1 to 1000"),
            Check::AtMost("count", DatasetSearch::MAX_PAGE as u64, "dataset search: the page size (count) must be from 1 to 1000"),
            Check::NotBlankIfGiven("owner", "dataset search: the owner id must not be blank"),
        ],
        reply: ReplyShape::Json(DATASET_LIST),
        js: js![uiSearchDatasetsPage(text, ...)],
    } fields {
        /// As [`SearchDatasets::text`].
        arg text "text": Option<String>,
        /// As [`SearchDatasets::owner`].
        arg owner "owner": Option<Id>,
        /// Datasets per page.
        arg count "count": u32 = "100",
        /// Datasets to skip.
        arg offset "offset": u32 = "0",
    }

    /// `POST /api/data/v1/streams` with an API-type stream whose data source
    /// is a new dataset: how real clients create one (the reply is the
    /// stream; its [`domo_model::streams::Stream::dataset_id`] is the
    /// dataset). Not idempotent: each call creates a dataset.
    CreateDataset => json domo_model::streams::Stream {
        POST CREATE_STREAM_PATH;
        body: BodyShape::Json(r#"{"transport":{"type":"API"},"dataProvider":{"key":"api","name":"API"},"updateMethod":"REPLACE","dataSource":{"name":$name,"description":$description},"schemaDefinition":{"columns":$columns}}"#),
        checks: &[
            Check::NotBlank("name", "create dataset: the name must not be blank"),
            Check::Columns("columns", "create dataset"),
        ],
        js: js![createDataset(name, description, columns)],
    } fields {
        /// The dataset's name.
        arg name "name": String,
        /// Its description.
        arg description "description": String = "",
        /// Its columns.
        array columns "columns": Vec<Column>,
    }

    /// `POST /api/data/v2/datasources`: a dataset with no stream behind it
    /// (domolibrary's `create`). Not idempotent: each call creates a
    /// dataset. The stream-backed way is [`CreateDataset`].
    CreateDatasetWithoutStream => json CreatedDataset {
        POST "/api/data/v2/datasources";
        body: BodyShape::Json(r#"{"userDefinedType":"api","dataSourceName":$name,"dataSourceDescription":$?description,"schema":{"columns":$columns}}"#),
        checks: &[
            Check::NotBlank("name", "create dataset: dataSourceName must not be blank"),
            Check::Columns("columns", "create dataset"),
        ],
        reply: ReplyShape::Json(&[
            Fixup::Rename("dataSource", CreatedDataSource::ALIASES),
            Fixup::Require("dataSource.dataSourceId"),
        ]),
        js: js![createDatasetWithoutStream(name, columns, ...)],
    } fields {
        /// The dataset's name.
        arg name "name": String,
        /// Its description.
        arg description "description": Option<String>,
        /// Its columns.
        array columns "columns": Vec<Column>,
    }

    /// `PUT /api/data/v3/datasources/{id}/properties`: rename and describe.
    /// Servers answer with an empty 200 (`None`) or the dataset.
    SetProperties => custom Option<Dataset> = parse_properties {
        PUT "/api/data/v3/datasources/{datasetId}/properties";
        body: BodyShape::Json(r#"{"dataSourceName":$?dataSourceName,"dataSourceDescription":$?dataSourceDescription}"#),
        checks: &[
            Check::AnyOf(&["dataSourceName", "dataSourceDescription"], "dataset properties: give a new name (dataSourceName), a description (dataSourceDescription) or both"),
            Check::NotBlankIfGiven("dataSourceName", "dataset properties: the name (dataSourceName) must not be blank"),
        ],
        reply: ReplyShape::Json(&[Fixup::EmptyAs("{}"), Fixup::JsonText("tags")]),
        js: js![renameDataset(datasetId, dataSourceName), describeDataset(datasetId, dataSourceDescription), setDatasetProperties(datasetId, ...)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// Its new name.
        arg data_source_name "dataSourceName": Option<String>,
        /// Its new description.
        arg data_source_description "dataSourceDescription": Option<String>,
    }

    /// `DELETE /api/data/v3/datasources/{id}?deleteMethod=hard`.
    DeleteDataset => empty {
        DELETE "/api/data/v3/datasources/{datasetId}";
        query: "deleteMethod={deleteMethod}",
        js: js![deleteDataset(datasetId, ...)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// How: hard (the default) or soft.
        arg method "deleteMethod": DeleteMethod = "hard",
    }
}

impl GetDataset {
    /// The dataset's metadata.
    pub fn new(dataset_id: impl Into<DatasetId>) -> GetDataset {
        GetDataset {
            dataset_id: dataset_id.into(),
            part: Vec::new(),
            include_all_details: None,
            requested_parts: Vec::new(),
        }
    }
}

impl DeleteDataset {
    /// A hard delete.
    pub fn new(dataset_id: impl Into<DatasetId>) -> DeleteDataset {
        DeleteDataset {
            dataset_id: dataset_id.into(),
            method: DeleteMethod::Hard,
        }
    }
}

/// An empty 200 is `None`; a body, the dataset it describes.
#[cfg(feature = "typed")]
fn parse_properties(
    _: &SetProperties,
    reply: crate::endpoint::Reply,
    sent: &crate::request::Prepared,
) -> Result<Option<Dataset>, Error> {
    if reply.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    crate::endpoint::decode(&SetProperties::SPEC, &reply, sent).map(Some)
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

impl ArgType for DeleteMethod {
    const KIND: Kind = Kind::Choice(&[("hard", Some("hard")), ("soft", None)]);
    const TS: &'static str = "\"hard\" | \"soft\"";
    fn arg(&self) -> Arg<'_> {
        Arg::Text(match self {
            DeleteMethod::Hard => "hard".into(),
            DeleteMethod::Soft => "soft".into(),
        })
    }
}

/// The search body of [`SearchDatasets`].
fn search_body(values: &dyn BodyValues) -> Result<String, Error> {
    search_query(values, false)
}

/// The search body of [`UiSearchDatasets`]: results combined.
fn ui_search_body(values: &dyn BodyValues) -> Result<String, Error> {
    search_query(values, true)
}

/// domolibrary's search: datasets only, `query: "*"`, a wildcard filter on
/// the name when there is text, a term filter on the owner when given.
fn search_query(values: &dyn BodyValues, combine: bool) -> Result<String, Error> {
    let mut filters = Vec::new();
    if let Some(pattern) = name_pattern(values.text("text")?.as_deref()) {
        filters.push(format!(
            r#"{{"field":"name_sort","filterType":"wildcard","query":{}}}"#,
            quote(&pattern)
        ));
    }
    if let Some(owner) = values.text("owner")? {
        filters.push(format!(
            r#"{{"field":"owned_by_id","filterType":"term","value":{},"not":false}}"#,
            quote(owner.trim())
        ));
    }
    Ok(format!(
        r#"{{"entities":["DATASET"],"filters":[{}],"combineResults":{combine},"query":"*","count":{},"offset":{}}}"#,
        filters.join(","),
        values.json("count")?,
        values.json("offset")?,
    ))
}

/// The wildcard a name is matched with: `*text*`, or the text itself when
/// it holds a `*`; `None` for no text.
fn name_pattern(text: Option<&str>) -> Option<String> {
    let text = text.map(str::trim).filter(|t| !t.is_empty())?;
    Some(if text.contains('*') {
        text.to_owned()
    } else {
        format!("*{text}*")
    })
}

/// Paging through every dataset with [`ListDatasets`]: asks for
/// [`DatasetPages::PAGE`] (Domo's most) at a time and stops at the first
/// page shorter than that (an empty page included), or once
/// `_metaData.totalCount` datasets have arrived. A server that keeps sending
/// full pages past [`DatasetPages::MAX_DATASETS`] is an error, not a loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetPages(PageCursor);

impl Default for DatasetPages {
    fn default() -> Self {
        DatasetPages::new()
    }
}

impl DatasetPages {
    /// Datasets asked for per page: the list's maximum.
    pub const PAGE: u32 = 50;
    /// Far past any instance's size: the server is not honouring `offset`.
    pub const MAX_DATASETS: u32 = 10_000_000;

    /// Paging from the first dataset.
    pub fn new() -> DatasetPages {
        DatasetPages(
            PageCursor::new(Self::PAGE.into(), "datasets").at_most(Self::MAX_DATASETS.into()),
        )
    }
}

#[cfg(feature = "typed")]
impl Pages for DatasetPages {
    type Request = ListDatasets;
    type Item = Dataset;

    fn next_page(&self) -> Option<ListDatasets> {
        let offset = self.0.next_offset()?;
        Some(ListDatasets {
            limit: Self::PAGE,
            offset: as_u32(offset),
        })
    }

    fn take(&mut self, page: DatasetList) -> Result<Vec<Dataset>, Error> {
        self.0
            .received(page.data_sources.len(), page.total_count())?;
        Ok(page.data_sources)
    }
}

/// What to search datasets for: a name pattern, an owner, or both. Sent as
/// domolibrary's search body, built by [`SearchDatasets`]'s declaration.
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
        name_pattern(self.text.as_deref())
    }

    /// The request for one page at `offset` (domolibrary's form: one
    /// entity, results not combined, `query: "*"`).
    pub fn page(&self, offset: u32) -> SearchDatasets {
        SearchDatasets {
            text: self.text.clone(),
            owner: self.owner.clone().map(Id::from),
            count: self.page_size,
            offset,
        }
    }
}

/// Paging through a search: `count`/`offset` until a page with no
/// `searchObjects` (what domolibrary does: the search's `count` may be
/// capped below what was asked, so a short page does not end it), or once
/// `totalResultCount` hits have arrived. Bounded like [`DatasetPages`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPages {
    search: DatasetSearch,
    cursor: PageCursor,
}

impl SearchPages {
    /// Paging through the hits of `search` from the first.
    pub fn new(search: DatasetSearch) -> SearchPages {
        let cursor = PageCursor::new(search.page_size.into(), "hits")
            .until_empty()
            .at_most(DatasetPages::MAX_DATASETS.into());
        SearchPages { search, cursor }
    }
}

#[cfg(feature = "typed")]
impl Pages for SearchPages {
    type Request = SearchDatasets;
    type Item = SearchHit;

    fn next_page(&self) -> Option<SearchDatasets> {
        Some(self.search.page(as_u32(self.cursor.next_offset()?)))
    }

    fn take(&mut self, page: SearchResult) -> Result<Vec<SearchHit>, Error> {
        self.cursor
            .received(page.search_objects.len(), page.total_result_count)?;
        Ok(page.search_objects)
    }
}

/// Paging through a search on the Domo UI's route ([`UiSearchDatasets`]),
/// which answers with whole datasets: the same pages and the same end as
/// [`SearchPages`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UiSearchPages(SearchPages);

impl UiSearchPages {
    /// Paging through the datasets `search` matches, from the first.
    pub fn new(search: DatasetSearch) -> UiSearchPages {
        UiSearchPages(SearchPages::new(search))
    }
}

#[cfg(feature = "typed")]
impl Pages for UiSearchPages {
    type Request = UiSearchDatasets;
    type Item = Dataset;

    fn next_page(&self) -> Option<UiSearchDatasets> {
        let page = self.0.next_page()?;
        Some(UiSearchDatasets {
            text: page.text,
            owner: page.owner,
            count: page.count,
            offset: page.offset,
        })
    }

    fn take(&mut self, page: DatasetList) -> Result<Vec<Dataset>, Error> {
        self.0
            .cursor
            .received(page.data_sources.len(), page.total_count())?;
        Ok(page.data_sources)
    }
}

#[cfg(all(test, feature = "typed"))]
mod tests {
    use super::*;

    fn list(n: usize, total: Option<u64>) -> DatasetList {
        let mut list: DatasetList = serde_json::from_value(serde_json::json!({
            "dataSources": vec![serde_json::json!({"id": "d"}); n],
        }))
        .unwrap();
        if let Some(total) = total {
            list.meta =
                Some(serde_json::from_value(serde_json::json!({"totalCount": total})).unwrap());
        }
        list
    }

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
        assert_eq!(pages.take(list(50, None)).unwrap().len(), 50);
        assert_eq!(pages.next_page().unwrap().offset, 50);
        pages.take(list(3, None)).unwrap();
        assert_eq!(pages.next_page(), None);

        // Exactly the total in full pages: no request for an empty page.
        let mut pages = DatasetPages::new();
        pages.take(list(50, Some(100))).unwrap();
        assert!(pages.next_page().is_some());
        pages.take(list(50, Some(100))).unwrap();
        assert_eq!(pages.next_page(), None);
    }

    fn body(e: &impl crate::endpoint::Endpoint) -> Result<serde_json::Value, Error> {
        let config = crate::Config::new(
            crate::BaseUrl::parse("http://127.0.0.1:1").unwrap(),
            crate::Credentials::developer_token("t"),
        );
        let p = config.prepare(e)?;
        Ok(serde_json::from_slice(&p.body).unwrap())
    }

    #[test]
    fn search_text_is_a_contains_wildcard_unless_it_has_one() {
        let q = body(&DatasetSearch::text("sales").owner("7").page(200)).unwrap();
        assert_eq!(
            q,
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
        assert_eq!(
            body(&DatasetSearch::default().page(0)).unwrap()["filters"],
            serde_json::json!([])
        );
        let zero = DatasetSearch {
            page_size: 0,
            ..DatasetSearch::default()
        };
        assert!(
            body(&zero.page(0))
                .unwrap_err()
                .to_string()
                .contains("page size")
        );
        assert!(body(&DatasetSearch::default().owner(" ").page(0)).is_err());
        let ui = DatasetSearch::text("x").page(0);
        let ui = UiSearchDatasets {
            text: ui.text,
            owner: ui.owner,
            count: ui.count,
            offset: ui.offset,
        };
        assert_eq!(body(&ui).unwrap()["combineResults"], true);
    }

    fn hits(n: usize, total: Option<u64>) -> SearchResult {
        serde_json::from_value(serde_json::json!({
            "searchObjects": vec![serde_json::json!({"databaseId": "d"}); n],
            "totalResultCount": total,
        }))
        .unwrap()
    }

    #[test]
    fn search_pages_until_an_empty_page_or_the_total() {
        let mut pages = SearchPages::new(DatasetSearch::text("a"));
        assert_eq!(pages.next_page().unwrap().offset, 0);
        // A short page does not end it: the server may cap `count`.
        assert_eq!(pages.take(hits(30, None)).unwrap().len(), 30);
        assert_eq!(pages.next_page().unwrap().offset, 30);
        pages.take(hits(0, None)).unwrap();
        assert!(pages.next_page().is_none());

        let mut pages = SearchPages::new(DatasetSearch::text("a"));
        pages.take(hits(100, Some(100))).unwrap();
        assert!(pages.next_page().is_none());
    }

    #[test]
    fn the_ui_search_pages_like_the_search_with_whole_datasets() {
        let mut pages = UiSearchPages::new(DatasetSearch::text("a").owner("7"));
        let first = pages.next_page().unwrap();
        assert_eq!(
            (first.text.as_deref(), first.count, first.offset),
            (Some("a"), DatasetSearch::PAGE, 0)
        );
        assert_eq!(body(&first).unwrap()["combineResults"], true);
        pages.take(list(30, None)).unwrap();
        assert_eq!(pages.next_page().unwrap().offset, 30);
        pages.take(list(0, None)).unwrap();
        assert!(pages.next_page().is_none());
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
                data_source_name: None,
                data_source_description: None,
            })
            .unwrap_err();
        assert!(e.to_string().contains("dataSourceName"), "{e}");
        let blank = SetProperties {
            dataset_id: "d".into(),
            data_source_name: Some(" ".into()),
            data_source_description: None,
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
