//! Dataset rows: `GET .../data` (JSON form).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Extra;

/// One page of a dataset's rows as `GET /api/data/v3/datasources/{id}/data`
/// answers in JSON: `{"columns": [...], "rows": [[...]]}`. The `offset` and
/// `limit` query parameters choose the page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
pub struct DataPage {
    /// Column names, in the order of each row's values.
    pub columns: Vec<String>,
    /// The rows of the page, each a list of values in `columns` order.
    pub rows: Vec<Vec<Value>>,
    /// Fields not named above, kept so that re-encoding loses nothing.
    #[serde(flatten)]
    pub extra: Extra,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_form_decodes() {
        let p: DataPage = serde_json::from_str(
            r#"{"rows":[["value1","value2","value3"],["value4","value5","value6"]],"columns":["column1","column2","column3"]}"#,
        )
        .unwrap();
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.columns[2], "column3");
    }
}
