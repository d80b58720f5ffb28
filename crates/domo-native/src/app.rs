//! Custom-app data: the Data API (`/data/v1/{alias}`) and the SQL API
//! (`/sql/v1/{alias}`) a Domo custom app reaches through its manifest's
//! aliases. A client for them is built on the app's origin with the app's
//! session ([`Credentials::RyuuSession`](crate::Credentials::RyuuSession)),
//! as code inside the app holds it; the emulator serves both with `--app`.

use domo_core::Error;
use domo_core::app::{AppData, AppSql, Row};
use domo_model::query::QueryResult;

use crate::client::Client;

/// What [`Client::app_data`] asks of the Data API: the columns, the
/// conditions, grouping, order and a window. The default reads every row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AppQuery {
    fields: Vec<String>,
    filter: Vec<String>,
    group_by: Vec<String>,
    order_by: Vec<String>,
    limit: Option<u64>,
    offset: Option<u64>,
}

impl AppQuery {
    /// Every column of every row.
    pub fn new() -> AppQuery {
        AppQuery::default()
    }

    /// Only these columns (`fields=`).
    pub fn fields<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> AppQuery {
        self.fields = names.into_iter().map(Into::into).collect();
        self
    }

    /// Only rows meeting `condition` (`region == 'East'`, `units > 10`);
    /// each call adds one, and a row must meet them all.
    pub fn filter(mut self, condition: impl Into<String>) -> AppQuery {
        self.filter.push(condition.into());
        self
    }

    /// Group by `column` (each call adds one).
    pub fn group_by(mut self, column: impl Into<String>) -> AppQuery {
        self.group_by.push(column.into());
        self
    }

    /// Order by `order` (`"amount descending"`, `"region"`); each call adds
    /// one.
    pub fn order_by(mut self, order: impl Into<String>) -> AppQuery {
        self.order_by.push(order.into());
        self
    }

    /// At most `rows` rows.
    pub fn limit(mut self, rows: u64) -> AppQuery {
        self.limit = Some(rows);
        self
    }

    /// Skip the first `rows` rows.
    pub fn offset(mut self, rows: u64) -> AppQuery {
        self.offset = Some(rows);
        self
    }
}

impl Client {
    /// The rows of the dataset the app's manifest maps to `alias`, as
    /// objects (`GET /data/v1/{alias}`, `Accept:
    /// application/array-of-objects`), shaped by `query`.
    ///
    /// ```no_run
    /// # async fn run(client: domo_native::Client) -> Result<(), domo_native::Error> {
    /// use domo_native::AppQuery;
    /// let east = client
    ///     .app_data("sales", &AppQuery::new().filter("region == 'East'").limit(10))
    ///     .await?;
    /// # let _ = east;
    /// # Ok(()) }
    /// ```
    pub async fn app_data(&self, alias: &str, query: &AppQuery) -> Result<Vec<Row>, Error> {
        self.send(&AppData {
            fields: query.fields.clone(),
            filter: query.filter.clone(),
            groupby: query.group_by.clone(),
            orderby: query.order_by.clone(),
            limit: query.limit,
            offset: query.offset,
            ..AppData::new(alias)
        })
        .await
    }

    /// Run `sql` on the SQL API, the dataset named by its alias
    /// (`POST /sql/v1/{alias}`).
    pub async fn app_sql(&self, alias: &str, sql: &str) -> Result<QueryResult, Error> {
        self.send(&AppSql {
            alias: alias.to_owned(),
            sql: sql.to_owned(),
        })
        .await
    }
}
