//! Custom-app data access: inside a Domo custom app, datasets are reached
//! through the aliases the app's `manifest.json` maps, on paths relative to
//! the app's own origin (`/data/v1/{alias}`, `/sql/v1/{alias}`).

use bytes::Bytes;
use domo_model::query::QueryResult;
use http::{Method, Response};

use crate::endpoint::{Body, Endpoint, JsonEndpoint, json};
use crate::error::Error;
use crate::path::segment;

/// One row of `GET /data/v1/{alias}`: column name to value.
pub type Row = serde_json::Map<String, serde_json::Value>;

/// The query operators of the Data API (`fields`, `filter`, `groupby`,
/// `orderby`, `limit`, `offset`). List operators travel comma-separated, as
/// `domo.js` sends them: `filter=region == 'East', units > 10`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AppDataQuery {
    pub fields: Vec<String>,
    pub filter: Vec<String>,
    pub groupby: Vec<String>,
    /// `"amount descending"`, `"region"`.
    pub orderby: Vec<String>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

/// `GET /data/v1/{alias}` with `Accept: application/array-of-objects`: the
/// rows of the dataset mapped to `alias`, as objects.
#[derive(Debug, Clone, PartialEq)]
pub struct AppData {
    pub alias: String,
    pub query: AppDataQuery,
}

impl Endpoint for AppData {
    type Output = Vec<Row>;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!(
            "/data/v1/{}",
            segment("app dataset alias", &self.alias)?
        ))
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        let q = &self.query;
        let mut out = Vec::new();
        for (name, list) in [
            ("fields", &q.fields),
            ("filter", &q.filter),
            ("groupby", &q.groupby),
            ("orderby", &q.orderby),
        ] {
            if !list.is_empty() {
                out.push((name, list.join(",")));
            }
        }
        if let Some(l) = q.limit {
            out.push(("limit", l.to_string()));
        }
        if let Some(o) = q.offset {
            out.push(("offset", o.to_string()));
        }
        out
    }
    fn accept(&self) -> &'static str {
        "application/array-of-objects"
    }
    fn parse(&self, response: Response<Bytes>) -> Result<Vec<Row>, Error> {
        json(response)
    }
}

/// The rows as JSON, checked to be a list of row objects as the typed
/// decode checks.
impl JsonEndpoint for AppData {
    fn parse_json(&self, response: Response<Bytes>) -> Result<serde_json::Value, Error> {
        let body = response.body().clone();
        let value: serde_json::Value = json(response)?;
        match value.as_array() {
            Some(rows) if rows.iter().all(serde_json::Value::is_object) => Ok(value),
            _ => Err(Error::new(
                crate::error::ErrorKind::Decode,
                "cannot decode the app data reply: expected a list of row objects",
            )
            .with_body(&body)),
        }
    }
}

/// `POST /sql/v1/{alias}` with the SQL as a `text/plain` body. The result is
/// the same envelope as the product query API (both forms decode).
#[derive(Debug, Clone, PartialEq)]
pub struct AppSql {
    pub alias: String,
    pub sql: String,
}

impl Endpoint for AppSql {
    type Output = QueryResult;
    fn method(&self) -> Method {
        Method::POST
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!(
            "/sql/v1/{}",
            segment("app dataset alias", &self.alias)?
        ))
    }
    fn body(&self) -> Result<Body, Error> {
        if self.sql.trim().is_empty() {
            return Err(Error::invalid_input("the SQL query is empty"));
        }
        Ok(Body::Text(Bytes::from(self.sql.clone())))
    }
    /// A query reads; sending it twice is harmless.
    fn idempotent(&self) -> bool {
        true
    }
    fn parse(&self, response: Response<Bytes>) -> Result<QueryResult, Error> {
        json(response)
    }
}

impl JsonEndpoint for AppSql {
    fn parse_json(&self, response: Response<Bytes>) -> Result<serde_json::Value, Error> {
        crate::query::query_envelope(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BaseUrl, Config, Credentials, ErrorKind};
    use http::header::{ACCEPT, CONTENT_TYPE};

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
            query: AppDataQuery {
                fields: vec!["region".into(), "amount".into()],
                filter: vec!["amount > 10".into(), "region == 'East'".into()],
                groupby: vec!["region".into()],
                orderby: vec!["amount descending".into()],
                limit: Some(50),
                offset: Some(100),
            },
        };
        let p = in_app().prepare(&e).unwrap();
        assert_eq!(p.label.method, Method::GET);
        assert_eq!(p.label.path, "/data/v1/sales");
        assert_eq!(
            p.uri,
            "/data/v1/sales?fields=region%2Camount&filter=amount%20%3E%2010%2Cregion%20%3D%3D%20%27East%27\
             &groupby=region&orderby=amount%20descending&limit=50&offset=100"
        );
        assert_eq!(p.headers[ACCEPT], "application/array-of-objects");
        assert_eq!(p.headers["x-domo-ryuu-session"], "sid-1");
        assert!(p.headers.get(CONTENT_TYPE).is_none());
        assert!(p.body.is_empty());
        assert!(p.idempotent);
    }

    #[test]
    fn app_data_without_operators_has_no_query_string() {
        let e = AppData {
            alias: "sales".into(),
            query: AppDataQuery::default(),
        };
        assert_eq!(in_app().prepare(&e).unwrap().uri, "/data/v1/sales");
    }

    #[test]
    fn app_data_decodes_an_array_of_objects() {
        let e = AppData {
            alias: "sales".into(),
            query: AppDataQuery::default(),
        };
        let p = in_app().prepare(&e).unwrap();
        let resp = Response::builder()
            .status(200)
            .header(CONTENT_TYPE, "application/json")
            .body(Bytes::from_static(
                br#"[{"region":"East","amount":10.5},{"region":"West","amount":null}]"#,
            ))
            .unwrap();
        let rows = e.handle(&p.label, resp).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["region"], "East");
        assert!(rows[1]["amount"].is_null());
        let bad = Response::builder()
            .status(200)
            .body(Bytes::from_static(br#"{"columns":[]}"#))
            .unwrap();
        assert_eq!(
            e.handle(&p.label, bad).unwrap_err().kind(),
            ErrorKind::Decode
        );
    }

    #[test]
    fn app_sql_posts_plain_text() {
        let e = AppSql {
            alias: "sales".into(),
            sql: "SELECT region, SUM(amount) FROM sales GROUP BY region".into(),
        };
        let p = in_app().prepare(&e).unwrap();
        assert_eq!(p.label.method, Method::POST);
        assert_eq!(p.uri, "/sql/v1/sales");
        assert_eq!(p.headers[CONTENT_TYPE], "text/plain");
        assert_eq!(p.headers[ACCEPT], "application/json");
        assert_eq!(
            &p.body[..],
            b"SELECT region, SUM(amount) FROM sales GROUP BY region"
        );
        assert!(p.idempotent);
        let resp = Response::builder()
            .status(200)
            .body(Bytes::from_static(
                br#"{"columns":["region","n"],"rows":[["East",2]],"numRows":1,"numColumns":2}"#,
            ))
            .unwrap();
        let r = e.handle(&p.label, resp).unwrap();
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
            let e = AppData {
                alias: alias.into(),
                query: AppDataQuery::default(),
            };
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
        let e = AppData {
            alias: "sales".into(),
            query: AppDataQuery::default(),
        };
        let p = c.prepare(&e).unwrap();
        assert_eq!(p.headers["x-domo-ryuu-token"], "tok-9");
        assert!(p.headers.get("x-domo-ryuu-session").is_none());
    }
}
