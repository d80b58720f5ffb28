//! Reading rows: JSON pages, CSV, and the v2 CSV export.

use domo_model::DatasetId;
use domo_model::data::DataPage;

#[cfg(feature = "typed")]
use crate::error::Error;
use crate::paging::PageCursor;
#[cfg(feature = "typed")]
use crate::paging::Pages;

declare! {
    /// `GET /api/data/v3/datasources/{id}/data?offset&limit&filter`: one page
    /// of rows as JSON.
    GetData => json DataPage {
        GET "/api/data/v3/datasources/{datasetId}/data";
        query: "offset={offset}&limit={limit}&filter={filter}",
        js: js![getData(datasetId, ...)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// Rows to skip.
        arg offset "offset": Option<u64>,
        /// Rows at most.
        arg limit "limit": Option<u64>,
        /// A filter in the Data API's grammar (`region = 'East'`).
        arg filter "filter": Option<String>,
    }

    /// `GET /api/data/v3/datasources/{id}/data?format=csv`: CSV with a
    /// header row.
    GetDataCsv => text {
        GET "/api/data/v3/datasources/{datasetId}/data";
        query: "format=csv&offset={offset}&limit={limit}&filter={filter}",
        accept: "text/csv",
        js: js![getDataCsv(datasetId, ...)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// Rows to skip.
        arg offset "offset": Option<u64>,
        /// Rows at most.
        arg limit "limit": Option<u64>,
        /// A filter in the Data API's grammar.
        arg filter "filter": Option<String>,
    }

    /// `GET /api/data/v2/datasources/{id}/dataversions/latest?includeHeader=true`
    /// with `Accept: text/csv`: the export real clients use. Nulls are `\N`.
    /// Every client includes the header row unless told not to.
    ExportCsv => text {
        GET "/api/data/v2/datasources/{datasetId}/dataversions/latest";
        query: "includeHeader={includeHeader}",
        accept: "text/csv",
        js: js![exportCsv(datasetId, ...)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// Whether the first line names the columns (the default).
        arg include_header "includeHeader": bool = "true",
    }
}

/// Paging and filtering shared by the JSON and CSV forms of `.../data`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DataWindow {
    /// Rows to skip.
    pub offset: Option<u64>,
    /// Rows at most.
    pub limit: Option<u64>,
    /// A filter in the Data API's grammar.
    pub filter: Option<String>,
}

impl DataWindow {
    /// Every row.
    pub fn all() -> DataWindow {
        DataWindow::default()
    }

    /// Skip `offset` rows.
    pub fn offset(mut self, offset: u64) -> DataWindow {
        self.offset = Some(offset);
        self
    }

    /// At most `limit` rows.
    pub fn limit(mut self, limit: u64) -> DataWindow {
        self.limit = Some(limit);
        self
    }

    /// Only rows the filter keeps.
    pub fn filter(mut self, filter: impl Into<String>) -> DataWindow {
        self.filter = Some(filter.into());
        self
    }
}

impl GetData {
    /// The rows of `window`.
    pub fn new(dataset_id: impl Into<DatasetId>, window: &DataWindow) -> GetData {
        GetData {
            dataset_id: dataset_id.into(),
            offset: window.offset,
            limit: window.limit,
            filter: window.filter.clone(),
        }
    }
}

impl GetDataCsv {
    /// The rows of `window`, as CSV.
    pub fn new(dataset_id: impl Into<DatasetId>, window: &DataWindow) -> GetDataCsv {
        GetDataCsv {
            dataset_id: dataset_id.into(),
            offset: window.offset,
            limit: window.limit,
            filter: window.filter.clone(),
        }
    }
}

/// Paging through every row of `.../data` with [`GetData`]: pages of
/// `page_size` rows until a short page (a full page means there may be
/// more; an empty one ends it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataPages {
    dataset_id: DatasetId,
    cursor: PageCursor,
}

impl DataPages {
    /// Every row of `dataset_id`, `page_size` (at least 1) at a time.
    pub fn new(dataset_id: impl Into<DatasetId>, page_size: u64) -> DataPages {
        DataPages {
            dataset_id: dataset_id.into(),
            cursor: PageCursor::new(page_size, "rows"),
        }
    }
}

#[cfg(feature = "typed")]
impl Pages for DataPages {
    type Request = GetData;
    type Item = Vec<serde_json::Value>;

    fn next_page(&self) -> Option<GetData> {
        let offset = self.cursor.next_offset()?;
        Some(GetData::new(
            self.dataset_id.clone(),
            &DataWindow::all()
                .offset(offset)
                .limit(self.cursor.page_size()),
        ))
    }

    fn take(&mut self, page: DataPage) -> Result<Vec<Vec<serde_json::Value>>, Error> {
        self.cursor.received(page.rows.len(), None)?;
        Ok(page.rows)
    }
}

#[cfg(all(test, feature = "typed"))]
mod tests {
    use super::*;

    fn rows(n: usize) -> DataPage {
        DataPage {
            rows: vec![vec![serde_json::Value::Null]; n],
            ..DataPage::default()
        }
    }

    #[test]
    fn data_pages_until_a_short_page() {
        let mut pages = DataPages::new("ds", 2);
        let first = pages.next_page().unwrap();
        assert_eq!((first.offset, first.limit), (Some(0), Some(2)));
        assert_eq!(pages.take(rows(2)).unwrap().len(), 2);
        assert_eq!(pages.next_page().unwrap().offset, Some(2));
        pages.take(rows(1)).unwrap();
        assert_eq!(pages.next_page(), None);
        let mut empty = DataPages::new("ds", 0);
        empty.take(rows(0)).unwrap();
        assert_eq!(empty.next_page(), None);
    }
}
