//! Every limit the emulator puts on what a client sends or asks for, in
//! one place so the README, the refusals and the code agree. A request
//! over a limit gets a 4xx whose message names the limit.

/// Most columns a dataset may have. SQLite's own ceiling is 2,000 per
/// table (and per result); staying well below it keeps every derived
/// query (views, `/data/v1` plans) under it too.
pub const MAX_COLUMNS: usize = 1_000;

/// Most conditions in one `filter` (`/data` and `/data/v1`). SQLite
/// nests each `AND` one level deeper and refuses trees deeper than 1,000.
pub const MAX_FILTER_CLAUSES: usize = 256;

/// Most values in one `filter`, counting every item of `in (...)` lists;
/// each is a bound SQL parameter, and SQLite allows 32,766 per statement.
pub const MAX_FILTER_VALUES: usize = 10_000;

/// Most items in one `fields`, `groupby`, `orderby` or aggregation list of
/// `/data/v1` (the column limit: one per column is the most a real query needs).
pub const MAX_LIST_ITEMS: usize = MAX_COLUMNS;

/// Longest request target (path and query) answered; longer gets a JSON 414.
/// hyper itself refuses targets over 65,534 bytes; see `malformed`.
pub const MAX_URI_BYTES: usize = 16 * 1024;

/// Most rows one `/data/v1` answer may hold (it is built in memory);
/// callers page. SQL replies and `/data` stream, bounded by
/// `--max-reply-bytes` and `--query-timeout` rather than a row count.
pub const MAX_RESULT_ROWS: usize = 1_000_000;

/// Default page size of `GET .../data` as JSON (CSV defaults to all rows).
pub const DEFAULT_JSON_LIMIT: u64 = 10_000;

/// Largest JSON page of `GET .../data`; more rows should be read as CSV, which streams.
pub const MAX_JSON_LIMIT: u64 = 1_000_000;

/// At most this many partitions per dataset, as on Domo.
pub const MAX_PARTITIONS: i64 = 400;

/// Default and largest page of `GET /api/data/v3/datasources` (Domo's own
/// page size); a larger `limit` is refused, as every limit here is.
pub const MAX_DATASET_PAGE: u64 = 50;

/// Default `count` of a dataset search (what domolibrary sends).
pub const DEFAULT_SEARCH_COUNT: u64 = 100;

/// Largest `count` of one dataset search page.
pub const MAX_SEARCH_COUNT: u64 = 1_000;
