//! The read tools that describe: the connection, dataset lists and
//! searches, one dataset, its schema, the governance lists; and the
//! resources (`domo://datasets/{id}`, `.../schema`) that share their
//! answers.
//!
//! Listing and search both ask Domo's search route (`POST
//! /api/search/v1/query`, a `DatasetSearch` page): one request a page for
//! any `limit` up to 200 (the plain list stops at 50 a page), the owner
//! filtered by the server, and a total. The page's offset travels in an
//! opaque cursor bound to the filters it was made for.

use domo_native::model::datasets::{Dataset, SearchHit};
use domo_native::model::schema::Schema;
use domo_native::{Client, DatasetSearch};
use rmcp::model::Resource;
use rmcp::schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::call::{Call, Reply};
use super::errors::{Doing, ToolError};
use super::settings::DEFAULT_MAX_ROWS;
use crate::units::{parse_utc_timestamp, rfc3339_from_epoch_ms};

/// The most datasets one page holds.
pub const MAX_PAGE: u32 = 200;
/// Datasets a page holds when `limit` is not given.
const DEFAULT_PAGE: u32 = 50;
/// Datasets one `resources/list` page holds.
const RESOURCE_PAGE: u32 = 100;
/// `resources/read` URIs.
pub const DATASET_URI_TEMPLATE: &str = "domo://datasets/{dataset_id}";
pub const SCHEMA_URI_TEMPLATE: &str = "domo://datasets/{dataset_id}/schema";
const URI_PREFIX: &str = "domo://datasets/";

/// A tool without arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "rmcp::schemars")]
pub struct NoArgs {}

/// `list_datasets`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "rmcp::schemars")]
pub struct ListArgs {
    /// Datasets per page, 1 to 200 (default 50).
    #[schemars(range(min = 1, max = 200))]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page; leave out for the first page.
    pub cursor: Option<String>,
    /// Only datasets owned by this user id.
    pub owner_id: Option<String>,
    /// Only datasets whose data changed at or after this time: `2024-05-01` or
    /// `2024-05-01T13:04:05Z` (UTC).
    pub updated_after: Option<String>,
    /// Only datasets whose data changed before this time (same forms).
    pub updated_before: Option<String>,
}

/// `search_datasets`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "rmcp::schemars")]
pub struct SearchArgs {
    /// Text to find in dataset names (case-insensitive); `*` is a wildcard
    /// (`sales*` for names starting with sales).
    pub query: String,
    /// Only datasets owned by this user id.
    pub owner_id: Option<String>,
    /// Datasets per page, 1 to 200 (default 50).
    #[schemars(range(min = 1, max = 200))]
    pub limit: Option<u32>,
    /// `next_cursor` from the previous page; leave out for the first page.
    pub cursor: Option<String>,
}

/// A tool on one dataset.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "rmcp::schemars")]
pub struct DatasetArgs {
    /// The dataset's id (a UUID, as list_datasets and search_datasets give it).
    pub dataset_id: String,
}

/// A governance list of one dataset.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "rmcp::schemars")]
pub struct PagedDatasetArgs {
    /// The dataset's id.
    pub dataset_id: String,
    /// The most entries to return, 1 to 200 (default 50).
    #[schemars(range(min = 1, max = 200))]
    pub limit: Option<u32>,
}

/// The user the credentials belong to.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct UserInfo {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub role: Option<String>,
}

/// The limits of one result.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct Limits {
    /// The most rows one result holds.
    pub max_rows: u64,
    /// Rows a query returns when max_rows is not given.
    pub default_max_rows: u64,
    /// The most bytes of row data one result holds.
    pub max_bytes: usize,
    /// The largest inline CSV upload_rows takes.
    pub max_inline_csv_bytes: usize,
    /// Directories whose CSV files upload_rows may read.
    pub upload_dirs: Vec<String>,
}

/// `check_connection`.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct ConnectionReport {
    /// `domoctl` and its version.
    pub server: String,
    /// The Domo instance or base URL the credentials are for.
    pub domo: String,
    /// Where requests go.
    pub base_url: String,
    /// Whether that is this machine: a local emulator (`domoctl emulator`)
    /// or a proxy, not a Domo instance.
    pub loopback: bool,
    pub user: UserInfo,
    /// Whether the write tools are registered.
    pub writes_allowed: bool,
    /// Whether delete_dataset is registered.
    pub deletes_allowed: bool,
    pub limits: Limits,
    /// Whether row data comes wrapped in untrusted-data markers.
    pub fence_untrusted: bool,
    /// The registered tools.
    pub tools: Vec<String>,
}

/// One dataset in a list.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct DatasetRow {
    pub id: String,
    pub name: Option<String>,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    pub rows: Option<u64>,
    pub columns: Option<u64>,
    /// When its data last changed (RFC 3339, UTC).
    pub last_updated: Option<String>,
}

/// A page of datasets.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct DatasetPage {
    pub datasets: Vec<DatasetRow>,
    /// Datasets the search (and owner filter) matches in all, when Domo says.
    pub total: Option<u64>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
    /// Datasets of this page left out by updated_after/updated_before.
    pub filtered_out: u64,
}

/// `get_dataset`.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct DatasetInfo {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    pub rows: Option<u64>,
    pub columns: Option<u64>,
    pub tags: Vec<String>,
    /// RFC 3339, UTC.
    pub created: Option<String>,
    /// When its data last changed (RFC 3339, UTC).
    pub last_updated: Option<String>,
    /// When anything about it last changed (RFC 3339, UTC).
    pub last_touched: Option<String>,
    /// The stream that loads it, if any.
    pub stream_id: Option<String>,
    pub status: Option<String>,
    /// Its type, such as API.
    pub kind: Option<String>,
}

/// One column.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct ColumnInfo {
    pub name: String,
    /// STRING, LONG, DOUBLE, DECIMAL, DATE or DATETIME.
    #[serde(rename = "type")]
    pub kind: String,
    /// Whether upserts match rows on it.
    pub upsert_key: bool,
}

/// `get_schema`.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct SchemaInfo {
    pub dataset_id: String,
    pub columns: Vec<ColumnInfo>,
    /// The name SQL gives the dataset: always `table`.
    pub sql_table_name: String,
    pub note: String,
}

/// A governance list: entries as Domo describes them.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct GovernanceList {
    pub dataset_id: String,
    /// The entries, as Domo sends them.
    pub items: Vec<Value>,
    /// Entries in all.
    pub total: u64,
    /// Whether entries were left out (more than `limit`).
    pub truncated: bool,
}

pub(crate) async fn check_connection(call: &Call<'_>) -> Result<Reply, ToolError> {
    let me = call
        .read
        .whoami()
        .await
        .map_err(|e| ToolError::domo(&e, Doing::Reading))?;
    let settings = call.settings;
    let base_url = call.read.base_url().to_owned();
    Ok(Reply::json(&ConnectionReport {
        server: format!("domoctl {}", env!("CARGO_PKG_VERSION")),
        domo: call.location.to_owned(),
        loopback: is_loopback(&base_url),
        base_url,
        user: UserInfo {
            id: me.id.to_string(),
            name: me.display_name,
            email: me.email_address,
            role: me.role,
        },
        writes_allowed: settings.allow_writes,
        deletes_allowed: settings.allow_writes && settings.allow_delete,
        limits: Limits {
            max_rows: settings.max_rows,
            default_max_rows: DEFAULT_MAX_ROWS.min(settings.max_rows),
            max_bytes: settings.max_bytes,
            max_inline_csv_bytes: settings.max_inline_csv,
            upload_dirs: settings
                .allow_paths
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
        },
        fence_untrusted: settings.fence_untrusted,
        tools: call.tools.iter().map(|t| (*t).to_owned()).collect(),
    }))
}

/// Whether `url`'s host is this machine.
fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

pub(crate) async fn list(call: &Call<'_>, args: ListArgs) -> Result<Reply, ToolError> {
    let after = timestamp("updated_after", args.updated_after.as_deref())?;
    let before = timestamp("updated_before", args.updated_before.as_deref())?;
    let query = Listing {
        text: None,
        owner: non_blank(args.owner_id),
        after,
        before,
    };
    let page = query
        .page(call.read, args.limit, args.cursor.as_deref())
        .await?;
    Ok(Reply::json(&page))
}

pub(crate) async fn search(call: &Call<'_>, args: SearchArgs) -> Result<Reply, ToolError> {
    let Some(text) = non_blank(Some(args.query)) else {
        return Err(ToolError::invalid(
            "query is empty: give text to find in dataset names (or use list_datasets)",
        ));
    };
    let query = Listing {
        text: Some(text),
        owner: non_blank(args.owner_id),
        after: None,
        before: None,
    };
    let page = query
        .page(call.read, args.limit, args.cursor.as_deref())
        .await?;
    Ok(Reply::json(&page))
}

fn non_blank(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn timestamp(field: &str, text: Option<&str>) -> Result<Option<i64>, ToolError> {
    text.map(|t| parse_utc_timestamp(t).map_err(|e| ToolError::invalid(format!("{field}: {e}"))))
        .transpose()
}

/// One listing or search: what the cursor is bound to.
#[derive(Debug)]
struct Listing {
    text: Option<String>,
    owner: Option<String>,
    after: Option<i64>,
    before: Option<i64>,
}

impl Listing {
    /// FNV-1a of the filters: a cursor from another listing is refused
    /// rather than silently paging through the wrong one.
    fn fingerprint(&self) -> u64 {
        let key = format!(
            "{:?}|{:?}|{:?}|{:?}",
            self.text, self.owner, self.after, self.before
        );
        key.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    }

    fn cursor(&self, offset: u64) -> String {
        format!("c1.{offset:x}.{:016x}", self.fingerprint())
    }

    fn offset(&self, cursor: Option<&str>) -> Result<u64, ToolError> {
        let Some(cursor) = cursor.map(str::trim).filter(|c| !c.is_empty()) else {
            return Ok(0);
        };
        let bad = || {
            ToolError::invalid(format!(
                "cursor {cursor:?} is not a next_cursor this server gave: leave it out to start from the first page"
            ))
        };
        let mut parts = cursor.split('.');
        let (Some("c1"), Some(offset), Some(fp), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let offset = u64::from_str_radix(offset, 16).map_err(|_| bad())?;
        let fp = u64::from_str_radix(fp, 16).map_err(|_| bad())?;
        if fp != self.fingerprint() {
            return Err(ToolError::invalid(
                "cursor belongs to a listing with other filters: pass the same filters as for the page it came from, or leave cursor out to start again",
            ));
        }
        Ok(offset)
    }

    async fn page(
        &self,
        client: &Client,
        limit: Option<u32>,
        cursor: Option<&str>,
    ) -> Result<DatasetPage, ToolError> {
        let limit = limit.unwrap_or(DEFAULT_PAGE);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(ToolError::invalid(format!(
                "limit {limit}: give 1 to {MAX_PAGE}"
            )));
        }
        let offset = self.offset(cursor)?;
        let (hits, total) =
            search_page(client, self.text.clone(), self.owner.clone(), limit, offset).await?;
        let received = hits.len() as u64;
        let next = offset + received;
        let more = received > 0 && total.map_or(received == u64::from(limit), |t| next < t);
        let mut filtered_out = 0;
        let datasets = hits
            .into_iter()
            .filter(|hit| {
                let keep = self.keeps(hit.last_modified);
                filtered_out += u64::from(!keep);
                keep
            })
            .map(|hit| DatasetRow {
                id: hit.database_id.to_string(),
                name: hit.name,
                owner_id: hit.owned_by_id.map(|i| i.to_string()),
                owner_name: hit.owned_by_name,
                rows: hit.row_count,
                columns: hit.column_count,
                last_updated: hit.last_modified.map(rfc3339_from_epoch_ms),
            })
            .collect();
        Ok(DatasetPage {
            datasets,
            total,
            next_cursor: more.then(|| self.cursor(next)),
            filtered_out,
        })
    }

    /// Whether a dataset last updated at `at` passes the date filters; one
    /// without a date passes only when there are none.
    fn keeps(&self, at: Option<i64>) -> bool {
        match (at, self.after, self.before) {
            (_, None, None) => true,
            (None, _, _) => false,
            (Some(t), after, before) => {
                after.is_none_or(|a| t >= a) && before.is_none_or(|b| t < b)
            }
        }
    }
}

/// One page of Domo's dataset search, and its total.
async fn search_page(
    client: &Client,
    text: Option<String>,
    owner: Option<String>,
    limit: u32,
    offset: u64,
) -> Result<(Vec<SearchHit>, Option<u64>), ToolError> {
    let offset = u32::try_from(offset)
        .map_err(|_| ToolError::invalid("cursor: the offset is past any listing"))?;
    let search = DatasetSearch {
        text,
        owner,
        page_size: limit,
    };
    let page = client
        .send(&search.page(offset))
        .await
        .map_err(|e| ToolError::domo(&e, Doing::Listing))?;
    Ok((page.search_objects, page.total_result_count))
}

pub(crate) async fn get(call: &Call<'_>, args: DatasetArgs) -> Result<Reply, ToolError> {
    Ok(Reply::json(
        &dataset_info(call.read, &args.dataset_id).await?,
    ))
}

async fn dataset_info(client: &Client, id: &str) -> Result<DatasetInfo, ToolError> {
    let id = dataset_id(id)?;
    let d: Dataset = client
        .dataset(id)
        .await
        .map_err(|e| ToolError::domo(&e, Doing::Reading))?;
    let (rows, columns) = (d.row_count(), d.column_count());
    let owner = d.owner.as_ref();
    Ok(DatasetInfo {
        id: d.id.to_string(),
        name: d.name,
        description: d.description.filter(|s| !s.is_empty()),
        owner_id: owner.and_then(|o| o.id.as_ref()).map(|i| i.to_string()),
        owner_name: owner.and_then(|o| o.name.clone()),
        rows,
        columns,
        tags: d.tags.unwrap_or_default(),
        created: d.created.map(rfc3339_from_epoch_ms),
        last_updated: d.last_updated.map(rfc3339_from_epoch_ms),
        last_touched: d.last_touched.map(rfc3339_from_epoch_ms),
        stream_id: d.stream_id.map(|i| i.to_string()),
        status: d.status,
        kind: d.kind,
    })
}

/// A dataset id from an argument: trimmed, not empty (the client library
/// validates and encodes it further).
pub(crate) fn dataset_id(id: &str) -> Result<&str, ToolError> {
    let id = id.trim();
    if id.is_empty() {
        return Err(ToolError::invalid(
            "dataset_id is empty: search_datasets or list_datasets give dataset ids",
        ));
    }
    Ok(id)
}

pub(crate) async fn schema(call: &Call<'_>, args: DatasetArgs) -> Result<Reply, ToolError> {
    Ok(Reply::json(
        &schema_info(call.read, &args.dataset_id).await?,
    ))
}

/// The dataset's schema as Domo's clients read it.
pub(crate) async fn read_schema(client: &Client, id: &str) -> Result<Schema, ToolError> {
    let id = dataset_id(id)?;
    client
        .schema(id)
        .await
        .map_err(|e| ToolError::domo(&e, Doing::Reading))
}

async fn schema_info(client: &Client, id: &str) -> Result<SchemaInfo, ToolError> {
    let schema = read_schema(client, id).await?;
    Ok(SchemaInfo {
        dataset_id: id.trim().to_owned(),
        columns: column_infos(&schema.columns),
        sql_table_name: "table".to_owned(),
        note: "In SQL this dataset is named `table`, whatever its name: \
               SELECT col, COUNT(*) FROM table GROUP BY col. Quote column names with spaces \
               or punctuation in backticks: `order id`."
            .to_owned(),
    })
}

pub(crate) fn column_infos(columns: &[domo_native::model::schema::Column]) -> Vec<ColumnInfo> {
    columns
        .iter()
        .map(|c| ColumnInfo {
            name: c.name.clone(),
            kind: c.kind.as_str().to_owned(),
            upsert_key: c.upsert_key == Some(true),
        })
        .collect()
}

/// The first `limit` of what a governance read gave, as a governance list.
fn governance<T: Serialize>(
    dataset_id: &str,
    read: Result<Vec<T>, domo_native::Error>,
    limit: Option<u32>,
) -> Result<Reply, ToolError> {
    let limit = limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ToolError::invalid(format!(
            "limit {limit}: give 1 to {MAX_PAGE}"
        )));
    }
    let items = read.map_err(|e| ToolError::domo(&e, Doing::Reading))?;
    let total = items.len() as u64;
    let items: Vec<Value> = items
        .iter()
        .take(limit as usize)
        .map(|i| serde_json::to_value(i).unwrap_or(Value::Null))
        .collect();
    Ok(Reply::json(&GovernanceList {
        dataset_id: dataset_id.to_owned(),
        truncated: total > items.len() as u64,
        items,
        total,
    }))
}

pub(crate) async fn versions(call: &Call<'_>, args: PagedDatasetArgs) -> Result<Reply, ToolError> {
    let id = dataset_id(&args.dataset_id)?;
    governance(id, call.read.data_versions(id).await, args.limit)
}

pub(crate) async fn partitions(
    call: &Call<'_>,
    args: PagedDatasetArgs,
) -> Result<Reply, ToolError> {
    let id = dataset_id(&args.dataset_id)?;
    governance(id, call.read.partitions(id).await, args.limit)
}

pub(crate) async fn permissions(
    call: &Call<'_>,
    args: PagedDatasetArgs,
) -> Result<Reply, ToolError> {
    let id = dataset_id(&args.dataset_id)?;
    let read = call.read.permissions(id).await.map(|p| p.list);
    governance(id, read, args.limit)
}

pub(crate) async fn row_policies(
    call: &Call<'_>,
    args: PagedDatasetArgs,
) -> Result<Reply, ToolError> {
    let id = dataset_id(&args.dataset_id)?;
    governance(id, call.read.policies(id).await, args.limit)
}

/// A page of `resources/list`: datasets as `domo://datasets/{id}`.
pub(crate) async fn resources(
    client: &Client,
    cursor: Option<&str>,
) -> Result<(Vec<Resource>, Option<String>), ToolError> {
    let listing = Listing {
        text: None,
        owner: None,
        after: None,
        before: None,
    };
    let page = listing.page(client, Some(RESOURCE_PAGE), cursor).await?;
    let resources = page
        .datasets
        .into_iter()
        .map(|d| {
            let name = d.name.clone().unwrap_or_else(|| d.id.clone());
            let mut about = vec![];
            about.extend(d.rows.map(|r| format!("{r} rows")));
            about.extend(d.columns.map(|c| format!("{c} columns")));
            about.extend(d.owner_name.map(|o| format!("owned by {o}")));
            Resource::new(format!("{URI_PREFIX}{}", d.id), name)
                .with_description(format!("Domo dataset {} ({})", d.id, about.join(", ")))
                .with_mime_type("application/json")
        })
        .collect();
    Ok((resources, page.next_cursor))
}

/// Why a resource cannot be read.
#[derive(Debug)]
pub(crate) enum ResourceError {
    /// Not a URI this server serves.
    Unknown(String),
    /// Domo failed.
    Domo(ToolError),
}

/// `domo://datasets/{id}` (get_dataset's answer) or
/// `domo://datasets/{id}/schema` (get_schema's).
pub(crate) async fn read_resource(client: &Client, uri: &str) -> Result<Value, ResourceError> {
    let unknown = || {
        ResourceError::Unknown(format!(
            "no resource {uri:?}: this server serves {DATASET_URI_TEMPLATE} and {SCHEMA_URI_TEMPLATE}"
        ))
    };
    let rest = uri.strip_prefix(URI_PREFIX).ok_or_else(unknown)?;
    let (id, schema) = match rest.strip_suffix("/schema") {
        Some(id) => (id, true),
        None => (rest, false),
    };
    if id.is_empty() || id.contains('/') {
        return Err(unknown());
    }
    let value = if schema {
        serde_json::to_value(schema_info(client, id).await.map_err(ResourceError::Domo)?)
    } else {
        serde_json::to_value(
            dataset_info(client, id)
                .await
                .map_err(ResourceError::Domo)?,
        )
    };
    Ok(value.unwrap_or(Value::Null))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(text: Option<&str>) -> Listing {
        Listing {
            text: text.map(str::to_owned),
            owner: None,
            after: None,
            before: None,
        }
    }

    #[test]
    fn cursors_round_trip_and_are_bound_to_their_filters() {
        let sales = listing(Some("sales"));
        let cursor = sales.cursor(150);
        assert_eq!(sales.offset(Some(&cursor)).unwrap(), 150);
        assert_eq!(sales.offset(None).unwrap(), 0);
        let ToolError(e) = listing(Some("orders")).offset(Some(&cursor)).unwrap_err();
        assert!(e.contains("other filters"), "{e}");
        for bad in ["150", "c1.zz.00", "c2.96.0000000000000000", "c1.96"] {
            let ToolError(e) = sales.offset(Some(bad)).unwrap_err();
            assert!(e.contains("not a next_cursor"), "{bad}: {e}");
        }
    }

    #[test]
    fn date_filters_keep_the_half_open_range() {
        let mut l = listing(None);
        assert!(l.keeps(None) && l.keeps(Some(5)));
        l.after = Some(10);
        l.before = Some(20);
        assert!(!l.keeps(Some(9)) && l.keeps(Some(10)) && l.keeps(Some(19)));
        assert!(!l.keeps(Some(20)) && !l.keeps(None));
    }

    #[test]
    fn loopback_hosts() {
        for url in [
            "http://127.0.0.1:8787",
            "http://localhost:1/x",
            "http://[::1]:8787/",
        ] {
            assert!(is_loopback(url), "{url}");
        }
        for url in ["https://acme.domo.com", "http://10.0.0.7:8787"] {
            assert!(!is_loopback(url), "{url}");
        }
    }
}
