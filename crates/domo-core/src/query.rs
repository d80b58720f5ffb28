//! SQL: `POST /api/query/v1/execute/{id}`, its CSV form
//! `POST /api/query/v1/execute/export/{id}`, and the `LIMIT/OFFSET` paging
//! callers do on top (the server does not page).

use bytes::Bytes;
use domo_model::query::{QueryRequest, QueryResult};
use http::{Method, Response};

use crate::endpoint::{Body, Endpoint, JsonEndpoint, json};
use crate::error::Error;
use crate::path::segment;
use crate::query_stream::decode_result;

/// Run `sql` against one dataset, named `table` in the SQL.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecuteQuery {
    pub dataset_id: String,
    pub sql: String,
}

impl Endpoint for ExecuteQuery {
    type Output = QueryResult;
    fn method(&self) -> Method {
        Method::POST
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!(
            "/api/query/v1/execute/{}",
            segment("dataset id", &self.dataset_id)?
        ))
    }
    fn body(&self) -> Result<Body, Error> {
        if self.sql.trim().is_empty() {
            return Err(Error::invalid_input("the SQL query is empty"));
        }
        Body::json(&QueryRequest {
            sql: self.sql.clone(),
        })
    }
    /// A query reads; sending it twice is harmless.
    fn idempotent(&self) -> bool {
        true
    }
    /// Through the same decoder as the streamed rows
    /// ([`crate::query_stream`]), so both read a reply alike.
    fn parse(&self, response: Response<Bytes>) -> Result<QueryResult, Error> {
        let body = response.into_body();
        decode_result(&body).map_err(|e| match e.body() {
            Some(_) => e,
            None => e.with_body(&body),
        })
    }
}

/// The reply as JSON in the envelope form (see
/// [`domo_model::query::envelope`]), for callers that hand it on as JSON.
impl JsonEndpoint for ExecuteQuery {
    fn parse_json(&self, response: Response<Bytes>) -> Result<serde_json::Value, Error> {
        query_envelope(response)
    }
}

/// A query reply read as JSON and brought to the envelope form.
pub(crate) fn query_envelope(response: Response<Bytes>) -> Result<serde_json::Value, Error> {
    let body = response.body().clone();
    domo_model::query::envelope(json(response)?).map_err(|e| {
        Error::new(
            crate::error::ErrorKind::Decode,
            format!("cannot decode the query reply: {e}"),
        )
        .with_body(&body)
    })
}

/// `POST /api/query/v1/execute/export/{id}?includeHeader=...` with
/// `Accept: text/csv`: the query as CSV (UTF-8, possibly with a byte order
/// mark, which [`crate::rows::strip_bom`] removes). Servers without it
/// answer 404 or 406; some answer with the JSON envelope instead, which
/// callers decode as [`ExecuteQuery`]'s reply.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecuteQueryCsv {
    pub dataset_id: String,
    pub sql: String,
    pub include_header: bool,
}

impl ExecuteQueryCsv {
    /// Whether an error from this route means "not offered here": use the
    /// JSON route instead.
    pub fn not_offered(error: &Error) -> bool {
        matches!(error.status(), Some(404 | 406))
    }
}

impl Endpoint for ExecuteQueryCsv {
    type Output = Bytes;
    fn method(&self) -> Method {
        Method::POST
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!(
            "/api/query/v1/execute/export/{}",
            segment("dataset id", &self.dataset_id)?
        ))
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        vec![("includeHeader", self.include_header.to_string())]
    }
    fn body(&self) -> Result<Body, Error> {
        ExecuteQuery {
            dataset_id: self.dataset_id.clone(),
            sql: self.sql.clone(),
        }
        .body()
    }
    fn accept(&self) -> &'static str {
        "text/csv"
    }
    fn idempotent(&self) -> bool {
        true
    }
    fn parse(&self, response: Response<Bytes>) -> Result<Bytes, Error> {
        let body = response.into_body();
        let start = body.len() - crate::rows::strip_bom(&body).len();
        Ok(body.slice(start..))
    }
}

/// Paging a query with `LIMIT/OFFSET`: `SELECT * FROM (sql) AS page LIMIT n
/// OFFSET m` until a page comes back short. Give the SQL an `ORDER BY` for
/// a stable order across pages.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryPages {
    inner: String,
    page_size: u64,
    offset: u64,
    done: bool,
}

impl QueryPages {
    pub fn new(sql: &str, page_size: u64) -> QueryPages {
        QueryPages {
            inner: sql.trim().trim_end_matches(';').trim_end().to_owned(),
            page_size: page_size.max(1),
            offset: 0,
            done: false,
        }
    }

    pub fn page_size(&self) -> u64 {
        self.page_size
    }

    /// The rows before the next page.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The SQL of the next page, `None` once a short page ended the result.
    pub fn next_sql(&self) -> Option<String> {
        (!self.done).then(|| {
            format!(
                "SELECT * FROM ({}) AS page LIMIT {} OFFSET {}",
                self.inner, self.page_size, self.offset
            )
        })
    }

    /// A page ended with `rows` rows: a full page means there may be more.
    pub fn page_ended(&mut self, rows: u64) {
        self.offset += rows;
        if rows < self.page_size {
            self.done = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_until_a_short_page() {
        let mut p = QueryPages::new(" SELECT id FROM table ORDER BY id ; ", 2);
        assert_eq!(
            p.next_sql().unwrap(),
            "SELECT * FROM (SELECT id FROM table ORDER BY id) AS page LIMIT 2 OFFSET 0"
        );
        p.page_ended(2);
        assert!(p.next_sql().unwrap().ends_with("LIMIT 2 OFFSET 2"));
        p.page_ended(1);
        assert_eq!(p.offset(), 3);
        assert_eq!(p.next_sql(), None);
        let mut zero = QueryPages::new("SELECT 1", 0);
        assert_eq!(zero.page_size(), 1);
        zero.page_ended(0);
        assert_eq!(zero.next_sql(), None);
    }

    #[test]
    fn csv_route_request_and_bom() {
        let e = ExecuteQueryCsv {
            dataset_id: "a/b".into(),
            sql: "SELECT 1".into(),
            include_header: true,
        };
        assert_eq!(e.path().unwrap(), "/api/query/v1/execute/export/a%2Fb");
        assert_eq!(e.query(), [("includeHeader", "true".to_owned())]);
        assert_eq!(e.accept(), "text/csv");
        assert_eq!(
            e.body().unwrap(),
            Body::Json(r#"{"sql":"SELECT 1"}"#.into())
        );
        let body = Bytes::from_static(b"\xEF\xBB\xBFn\n1\n");
        assert_eq!(e.parse(Response::new(body)).unwrap(), "n\n1\n");
        let not_found = Error::new(crate::ErrorKind::NotFound, "x").with_status(404);
        assert!(ExecuteQueryCsv::not_offered(&not_found));
        assert!(!ExecuteQueryCsv::not_offered(&not_found.with_status(400)));
    }
}
