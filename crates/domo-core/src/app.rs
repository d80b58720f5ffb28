//! Custom-app data access: inside a Domo custom app, datasets are reached
//! through the aliases the app's `manifest.json` maps, on paths relative to
//! the app's own origin (`/data/v1/{alias}`, `/sql/v1/{alias}`).

use domo_model::query::QueryResult;

use crate::spec::{BodyShape, Check, Fixup, ReplyShape};

/// One row of `GET /data/v1/{alias}`: column name to value.
pub type Row = serde_json::Map<String, serde_json::Value>;

declare! {
    /// `GET /data/v1/{alias}` with `Accept: application/array-of-objects`:
    /// the rows of the dataset mapped to `alias`, as objects. List
    /// operators travel comma-separated, as `domo.js` sends them:
    /// `filter=region == 'East', units > 10`.
    AppData => json Vec<Row> {
        GET "/data/v1/{alias}";
        query: "fields={fields}&filter={filter}&groupby={groupby}&orderby={orderby}&limit={limit}&offset={offset}",
        accept: "application/array-of-objects",
        reply: ReplyShape::Json(&[Fixup::ArrayOfObjects]),
        js: js![appData(alias, ...)],
    } fields {
        /// The dataset's alias in the app's manifest.
        arg alias "alias": String,
        /// The columns to read.
        arg fields "fields": Vec<String>,
        /// Conditions, all of which a row must meet.
        arg filter "filter": Vec<String>,
        /// Columns to group by.
        arg groupby "groupby": Vec<String>,
        /// `"amount descending"`, `"region"`.
        arg orderby "orderby": Vec<String>,
        /// Rows at most.
        arg limit "limit": Option<u64>,
        /// Rows to skip.
        arg offset "offset": Option<u64>,
    }

    /// `POST /sql/v1/{alias}` with the SQL as a `text/plain` body. The
    /// result is the same envelope as the product query API (both forms
    /// decode). A query reads; sending it twice is harmless.
    AppSql => custom QueryResult = crate::query::parse_result {
        POST "/sql/v1/{alias}";
        body: BodyShape::Text("sql"),
        idempotent: true,
        checks: &[Check::NotBlank("sql", "the SQL query is empty")],
        reply: ReplyShape::Json(&[Fixup::QueryEnvelope]),
        js: js![appSql(alias, sql)],
    } fields {
        /// The dataset's alias in the app's manifest.
        arg alias "alias": String,
        /// The SQL; the dataset is named by its alias.
        arg sql "sql": String,
    }
}

impl AppData {
    /// Every row of the dataset mapped to `alias`.
    pub fn new(alias: impl Into<String>) -> AppData {
        AppData {
            alias: alias.into(),
            fields: Vec::new(),
            filter: Vec::new(),
            groupby: Vec::new(),
            orderby: Vec::new(),
            limit: None,
            offset: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::{Endpoint, Reply};
    use crate::{BaseUrl, Config, Credentials, ErrorKind, Method};

    fn in_app() -> Config {
        Config::new(
            BaseUrl::relative(),
            Credentials::RyuuSession(crate::Secret::new("sid-1")),
        )
    }

    #[test]
    fn app_data_builds_a_relative_get_with_every_operator() {
        let e = AppData {
            alias: "sales".into(),
            fields: vec!["region".into(), "amount".into()],
            filter: vec!["amount > 10".into(), "region == 'East'".into()],
            groupby: vec!["region".into()],
            orderby: vec!["amount descending".into()],
            limit: Some(50),
            offset: Some(100),
        };
        let p = in_app().prepare(&e).unwrap();
        assert_eq!(p.label.method, Method::Get);
        assert_eq!(p.label.path, "/data/v1/sales");
        assert_eq!(
            p.uri,
            "/data/v1/sales?fields=region%2Camount&filter=amount%20%3E%2010%2Cregion%20%3D%3D%20%27East%27\
             &groupby=region&orderby=amount%20descending&limit=50&offset=100"
        );
        assert_eq!(p.header("accept").unwrap(), "application/array-of-objects");
        assert_eq!(p.header("x-domo-ryuu-session").unwrap(), "sid-1");
        assert!(p.header("content-type").is_none());
        assert!(p.body.is_empty());
        assert!(p.idempotent);
    }

    #[test]
    fn app_data_without_operators_has_no_query_string() {
        let e = AppData::new("sales");
        assert_eq!(in_app().prepare(&e).unwrap().uri, "/data/v1/sales");
    }

    #[test]
    fn app_data_decodes_an_array_of_objects() {
        let e = AppData::new("sales");
        let p = in_app().prepare(&e).unwrap();
        let resp = Reply::new(
            200,
            &br#"[{"region":"East","amount":10.5},{"region":"West","amount":null}]"#[..],
        )
        .with_content_type("application/json");
        let rows = e.handle(&p, resp).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["region"], "East");
        assert!(rows[1]["amount"].is_null());
        let bad = Reply::new(200, &br#"{"columns":[]}"#[..]);
        assert_eq!(e.handle(&p, bad).unwrap_err().kind(), ErrorKind::Decode);
    }

    #[test]
    fn app_sql_posts_plain_text() {
        let e = AppSql {
            alias: "sales".into(),
            sql: "SELECT region, SUM(amount) FROM sales GROUP BY region".into(),
        };
        let p = in_app().prepare(&e).unwrap();
        assert_eq!(p.label.method, Method::Post);
        assert_eq!(p.uri, "/sql/v1/sales");
        assert_eq!(p.header("content-type").unwrap(), "text/plain");
        assert_eq!(p.header("accept").unwrap(), "application/json");
        assert_eq!(
            &p.body[..],
            b"SELECT region, SUM(amount) FROM sales GROUP BY region"
        );
        assert!(p.idempotent);
        let resp = Reply::new(
            200,
            &br#"{"columns":["region","n"],"rows":[["East",2]],"numRows":1,"numColumns":2}"#[..],
        );
        let r = e.handle(&p, resp).unwrap();
        assert_eq!(r.columns, ["region", "n"]);
        assert_eq!(r.rows[0][1], 2);
    }

    #[test]
    fn aliases_are_validated_and_encoded_and_empty_sql_is_refused() {
        let e = AppSql {
            alias: "../api".into(),
            sql: "SELECT 1".into(),
        };
        assert_eq!(in_app().prepare(&e).unwrap().uri, "/sql/v1/..%2Fapi");
        for alias in ["", "..", "a\nb"] {
            let e = AppData::new(alias);
            let err = in_app().prepare(&e).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{alias:?}");
            assert!(err.to_string().contains("alias"), "{err}");
        }
        let e = AppSql {
            alias: "sales".into(),
            sql: "  ".into(),
        };
        assert_eq!(
            in_app().prepare(&e).unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
    }

    #[test]
    fn the_older_ryuu_token_header_is_supported() {
        let c = Config::new(
            BaseUrl::relative(),
            Credentials::RyuuToken(crate::Secret::new("tok-9")),
        );
        let e = AppData::new("sales");
        let p = c.prepare(&e).unwrap();
        assert_eq!(p.header("x-domo-ryuu-token").unwrap(), "tok-9");
        assert!(p.header("x-domo-ryuu-session").is_none());
    }
}
