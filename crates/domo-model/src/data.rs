//! Dataset rows: `GET .../data` (JSON form).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Extra;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
pub struct DataPage {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
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
