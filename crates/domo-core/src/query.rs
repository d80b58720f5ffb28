//! SQL: `POST /api/query/v1/execute/{id}`, its CSV form
//! `POST /api/query/v1/execute/export/{id}`, and the `LIMIT/OFFSET` paging
//! callers do on top (the server does not page).

use domo_model::DatasetId;
use domo_model::query::QueryResult;

use crate::error::Error;
use crate::paging::PageCursor;
use crate::spec::{BodyShape, Check, Fixup, ReplyShape};

declare! {
    /// Run `sql` against one dataset, named `table` in the SQL. A query
    /// reads; sending it twice is harmless. Typed replies are decoded
    /// through the same decoder as the streamed rows
    /// ([`crate::query_stream`]); as JSON, either wire form becomes the
    /// envelope.
    ExecuteQuery => custom QueryResult = parse_result {
        POST "/api/query/v1/execute/{datasetId}";
        body: BodyShape::Json(r#"{"sql":$sql}"#),
        idempotent: true,
        checks: &[Check::NotBlank("sql", "the SQL query is empty")],
        reply: ReplyShape::Json(&[Fixup::QueryEnvelope]),
        js: js![query(datasetId, sql)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// The SQL; the dataset is `table`.
        arg sql "sql": String,
    }

    /// `POST /api/query/v1/execute/export/{id}?includeHeader=...` with
    /// `Accept: text/csv`: the query as CSV (UTF-8, possibly with a byte
    /// order mark, which is removed). Servers without it answer 404 or 406
    /// ([`ExecuteQueryCsv::not_offered`]); some answer with the JSON
    /// envelope instead, which callers decode as [`ExecuteQuery`]'s reply.
    ExecuteQueryCsv => text {
        POST "/api/query/v1/execute/export/{datasetId}";
        query: "includeHeader={includeHeader}",
        body: BodyShape::Json(r#"{"sql":$sql}"#),
        accept: "text/csv",
        idempotent: true,
        checks: &[Check::NotBlank("sql", "the SQL query is empty")],
        js: js![queryCsv(datasetId, sql, ...)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// The SQL; the dataset is `table`.
        arg sql "sql": String,
        /// Whether the first line names the columns (the default).
        arg include_header "includeHeader": bool = "true",
    }
}

impl ExecuteQueryCsv {
    /// Whether an error from this route means "not offered here": use the
    /// JSON route instead.
    pub fn not_offered(error: &Error) -> bool {
        matches!(error.status(), Some(404 | 406))
    }
}

/// A query reply through the streamed rows' decoder, the raw body kept on
/// failure.
#[cfg(feature = "typed")]
pub(crate) fn parse_result<E>(
    _: &E,
    reply: crate::endpoint::Reply,
    _: &crate::request::Prepared,
) -> Result<QueryResult, Error> {
    crate::query_stream::decode_result(&reply.body).map_err(|e| match e.body() {
        Some(_) => e,
        None => e.with_body(&reply.body),
    })
}

/// Paging a query with `LIMIT/OFFSET`: `SELECT * FROM (sql) AS page LIMIT n
/// OFFSET m` until a page comes back short. Give the SQL an `ORDER BY` for
/// a stable order across pages.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryPages {
    inner: String,
    cursor: PageCursor,
}

impl QueryPages {
    /// Paging `sql` by `page_size` rows, from the first.
    pub fn new(sql: &str, page_size: u64) -> QueryPages {
        QueryPages {
            inner: sql.trim().trim_end_matches(';').trim_end().to_owned(),
            cursor: PageCursor::new(page_size, "rows"),
        }
    }

    /// Rows asked for per page.
    pub fn page_size(&self) -> u64 {
        self.cursor.page_size()
    }

    /// The rows before the next page.
    pub fn offset(&self) -> u64 {
        self.cursor.seen()
    }

    /// The SQL of the next page, `None` once a short page ended the result.
    pub fn next_sql(&self) -> Option<String> {
        let offset = self.cursor.next_offset()?;
        Some(format!(
            "SELECT * FROM ({}) AS page LIMIT {} OFFSET {offset}",
            self.inner,
            self.cursor.page_size()
        ))
    }

    /// A page ended with `rows` rows: a full page means there may be more.
    pub fn page_ended(&mut self, rows: u64) {
        // Unbounded: a query's pages end at its first short page.
        let _ = self
            .cursor
            .received(usize::try_from(rows).unwrap_or(usize::MAX), None);
    }
}

#[cfg(all(test, feature = "typed"))]
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
        use crate::endpoint::{Endpoint, Reply};
        let config = crate::Config::new(
            crate::BaseUrl::parse("http://127.0.0.1:1").unwrap(),
            crate::Credentials::developer_token("t"),
        );
        let e = ExecuteQueryCsv {
            dataset_id: "a/b".into(),
            sql: "SELECT 1".into(),
            include_header: true,
        };
        let p = config.prepare(&e).unwrap();
        assert_eq!(
            p.uri,
            "http://127.0.0.1:1/api/query/v1/execute/export/a%2Fb?includeHeader=true"
        );
        assert_eq!(p.header("accept"), Some("text/csv"));
        assert_eq!(&p.body[..], br#"{"sql":"SELECT 1"}"#);
        let body = &b"\xEF\xBB\xBFn\n1\n"[..];
        assert_eq!(e.parse(Reply::new(200, body), &p).unwrap(), "n\n1\n");
        let not_found = Error::new(crate::ErrorKind::NotFound, "x").with_status(404);
        assert!(ExecuteQueryCsv::not_offered(&not_found));
        assert!(!ExecuteQueryCsv::not_offered(&not_found.with_status(400)));
    }
}
