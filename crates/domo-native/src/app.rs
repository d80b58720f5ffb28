//! Inside a custom app: the Data API (`/data/v1/{alias}`) and the SQL API
//! (`/sql/v1/{alias}`) over the datasets the app's manifest maps, AppDB
//! collections (`/domo/datastores/v1`), and who is looking
//! (`/domo/environment/v1`, `/domo/users/v1`). A client for them is built
//! on the app's origin with the app's session
//! ([`Credentials::RyuuSession`](crate::Credentials::RyuuSession)), as code
//! inside the app holds it; such a client is refused the product API
//! (`/api/...`) before anything is sent, as Domo refuses it to apps. The
//! emulator serves all of it with `--app`.

use domo_core::app::{
    AppData, AppDataReply, AppFormat, AppSql, Calendar, Condition, DateGrain, Filter,
    GetEnvironment, ListAppUsers, Row,
};
use domo_core::appdb::{
    AggregateDocuments, BulkCreateDocuments, BulkDeleteDocuments, BulkUpsertDocuments,
    CreateDocument, DeleteDocument, GetDocument, ListDocuments, PartialUpdateDocuments,
    QueryDocuments, SyncAppDb, UpdateDocument,
};
use domo_core::{Error, ErrorKind};
use domo_model::app::{
    AppUser, BulkResult, Content, Document, DocumentFilter, DocumentRequest, Environment,
    UpdateOperation,
};
use domo_model::query::QueryResult;

use crate::client::Client;

/// What [`Client::app_data`] asks of the Data API: every key it has. The
/// default reads every row of every mapped field.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct AppQuery {
    fields: Vec<String>,
    filter: Vec<Result<String, String>>,
    group_by: Vec<String>,
    sum: Vec<String>,
    avg: Vec<String>,
    count: Vec<String>,
    min: Vec<String>,
    max: Vec<String>,
    unique: Vec<String>,
    date_grain: Option<DateGrain>,
    calendar: Option<Calendar>,
    order_by: Vec<String>,
    limit: Option<u64>,
    offset: Option<u64>,
    use_beast_mode: Option<bool>,
}

fn strings<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Vec<String> {
    names.into_iter().map(Into::into).collect()
}

impl AppQuery {
    /// Every field of every row.
    pub fn new() -> AppQuery {
        AppQuery::default()
    }

    /// Only these fields, in this order (`fields=`).
    pub fn fields<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> AppQuery {
        self.fields = strings(names);
        self
    }

    /// Only rows meeting `condition`, in the filter grammar (`Units > 10`,
    /// `'Region' in ["East","West"]`); each call adds one, and a row must
    /// meet them all.
    pub fn filter(mut self, condition: impl Into<String>) -> AppQuery {
        self.filter.push(Ok(condition.into()));
        self
    }

    /// Only rows meeting `condition`, built in Rust (quoted as the Data
    /// API wants); one that cannot be written fails the request.
    pub fn condition(mut self, condition: &Condition) -> AppQuery {
        self.filter
            .push(condition.text().map_err(|e| e.to_string()));
        self
    }

    /// Group by these fields; other returned fields are summed (numbers)
    /// or counted (text) unless aggregated below.
    pub fn group_by<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> AppQuery {
        self.group_by = strings(names);
        self
    }

    /// Sum these fields.
    pub fn sum<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> AppQuery {
        self.sum = strings(names);
        self
    }

    /// Average these fields.
    pub fn avg<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> AppQuery {
        self.avg = strings(names);
        self
    }

    /// Count these fields' non-null values.
    pub fn count<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> AppQuery {
        self.count = strings(names);
        self
    }

    /// The smallest value of these fields.
    pub fn min<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> AppQuery {
        self.min = strings(names);
        self
    }

    /// The largest value of these fields.
    pub fn max<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> AppQuery {
        self.max = strings(names);
        self
    }

    /// Count these fields' distinct values.
    pub fn unique<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> AppQuery {
        self.unique = strings(names);
        self
    }

    /// Group by periods of a date field ([`DateGrain::new`]): the periods
    /// come back as `CalendarMonth` (or `Date`, `CalendarWeek`,
    /// `CalendarQuarter`, `Year`).
    pub fn date_grain(mut self, grain: DateGrain) -> AppQuery {
        self.date_grain = Some(grain);
        self
    }

    /// The calendar of the date grain, `todate` and `last`.
    pub fn calendar(mut self, calendar: Calendar) -> AppQuery {
        self.calendar = Some(calendar);
        self
    }

    /// Order by `order` (`"Units descending"`, `"Region"`); each call adds
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

    /// Use the card's beast-mode fields.
    pub fn use_beast_mode(mut self) -> AppQuery {
        self.use_beast_mode = Some(true);
        self
    }

    fn endpoint(&self, alias: &str, format: AppFormat) -> Result<AppData, Error> {
        let mut filter = Filter::new();
        for c in &self.filter {
            filter = filter.text(c.clone().map_err(Error::invalid_input)?);
        }
        Ok(AppData {
            fields: self.fields.clone(),
            filter,
            group_by: self.group_by.clone(),
            sum: self.sum.clone(),
            avg: self.avg.clone(),
            count: self.count.clone(),
            min: self.min.clone(),
            max: self.max.clone(),
            unique: self.unique.clone(),
            date_grain: self.date_grain.clone(),
            calendar: self.calendar,
            order_by: self.order_by.clone(),
            limit: self.limit,
            offset: self.offset,
            use_beast_mode: self.use_beast_mode,
            format,
            ..AppData::new(alias)
        })
    }
}

/// What [`Client::app_users`] lists.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AppUsersQuery {
    details: bool,
    limit: Option<u64>,
    offset: Option<u64>,
}

impl Default for AppUsersQuery {
    fn default() -> AppUsersQuery {
        AppUsersQuery {
            details: true,
            limit: None,
            offset: None,
        }
    }
}

impl AppUsersQuery {
    /// Every user, with details.
    pub fn new() -> AppUsersQuery {
        AppUsersQuery::default()
    }

    /// Leave out each user's `detail` (email, title, phone).
    pub fn without_details(mut self) -> AppUsersQuery {
        self.details = false;
        self
    }

    /// At most `users` users.
    pub fn limit(mut self, users: u64) -> AppUsersQuery {
        self.limit = Some(users);
        self
    }

    /// Skip the first `users` users.
    pub fn offset(mut self, users: u64) -> AppUsersQuery {
        self.offset = Some(users);
        self
    }
}

impl Client {
    /// The rows of the dataset the app's manifest maps to `alias`, as
    /// objects (`GET /data/v1/{alias}`), shaped by `query`.
    ///
    /// ```no_run
    /// # async fn run(client: domo_native::Client) -> Result<(), domo_native::Error> {
    /// use domo_native::AppQuery;
    /// use domo_native::core::app::{DateGrain, Period};
    /// let by_month = client
    ///     .app_data(
    ///         "sales",
    ///         &AppQuery::new()
    ///             .fields(["Order Date", "Revenue"])
    ///             .date_grain(DateGrain::new("Order Date", Period::Month)?)
    ///             .filter("Region == 'East'"),
    ///     )
    ///     .await?;
    /// # let _ = by_month;
    /// # Ok(()) }
    /// ```
    pub async fn app_data(&self, alias: &str, query: &AppQuery) -> Result<Vec<Row>, Error> {
        match self.app_data_as(alias, query, AppFormat::Objects).await? {
            AppDataReply::Rows(rows) => Ok(rows),
            _ => Err(Error::new(
                ErrorKind::Decode,
                format!("/data/v1/{alias}: asked for objects, the reply was another format"),
            )),
        }
    }

    /// The same rows in another format (`Accept`): the `{columns, rows,
    /// metadata, ...}` table, CSV text, or the `.xlsx` file as base64.
    pub async fn app_data_as(
        &self,
        alias: &str,
        query: &AppQuery,
        format: AppFormat,
    ) -> Result<AppDataReply, Error> {
        self.send(&query.endpoint(alias, format)?).await
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

    /// Who is looking at the app, as Domo knows it
    /// (`GET /domo/environment/v1`).
    pub async fn app_environment(&self) -> Result<Environment, Error> {
        self.send(&GetEnvironment).await
    }

    /// The instance's users (`GET /domo/users/v1`).
    pub async fn app_users(&self, query: &AppUsersQuery) -> Result<Vec<AppUser>, Error> {
        self.send(&ListAppUsers {
            include_details: query.details,
            limit: query.limit,
            offset: query.offset,
        })
        .await
    }

    /// The AppDB collection `name` (declared in the manifest's
    /// `collections`): its documents. The handle holds a clone of the
    /// client, so it can outlive this borrow (be stored, moved into a task).
    pub fn app_db(&self, name: &str) -> AppCollection {
        AppCollection {
            client: self.clone(),
            name: name.to_owned(),
        }
    }

    /// Export every `syncEnabled` AppDB collection into its dataset now
    /// (`POST /domo/datastores/v1/export`); Domo also does it about every
    /// 15 minutes. A 423 (an export is running) is an error to retry later.
    pub async fn sync_app_db(&self) -> Result<(), Error> {
        self.send(&SyncAppDb).await
    }
}

/// One AppDB collection: [`Client::app_db`]. Holds a clone of the client
/// (cheap, as [`PublicApi`](crate::PublicApi) does): it is `'static` and
/// can be moved into a spawned task.
#[derive(Debug, Clone)]
pub struct AppCollection {
    client: Client,
    name: String,
}

/// How [`AppCollection::query`] returns its matches: in which order, how
/// many, from where. The default: every match, in the collection's order.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct DocumentQuery {
    order_by: Vec<String>,
    limit: Option<u64>,
    offset: Option<u64>,
}

impl DocumentQuery {
    /// Every match, in the collection's order.
    pub fn new() -> DocumentQuery {
        DocumentQuery::default()
    }

    /// Order by a path (`content.units descending`); each call adds one.
    pub fn order_by(mut self, order: impl Into<String>) -> DocumentQuery {
        self.order_by.push(order.into());
        self
    }

    /// At most `documents` documents.
    pub fn limit(mut self, documents: u64) -> DocumentQuery {
        self.limit = Some(documents);
        self
    }

    /// Skip the first `documents` matches.
    pub fn offset(mut self, documents: u64) -> DocumentQuery {
        self.offset = Some(documents);
        self
    }
}

/// What [`AppCollection::aggregate`] folds: groups and their aggregates,
/// each aggregate a path and the name to give it (`content.units units`).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Aggregation {
    group_by: Vec<String>,
    count: Option<String>,
    sum: Vec<String>,
    avg: Vec<String>,
    min: Vec<String>,
    max: Vec<String>,
    unwind: Vec<String>,
    order_by: Vec<String>,
    limit: Option<u64>,
    offset: Option<u64>,
}

impl Aggregation {
    /// One row over every matching document.
    pub fn new() -> Aggregation {
        Aggregation::default()
    }

    /// Group by these paths (`content.region`).
    pub fn group_by<S: Into<String>>(mut self, paths: impl IntoIterator<Item = S>) -> Aggregation {
        self.group_by = strings(paths);
        self
    }

    /// Count each group's documents under `name`.
    pub fn count(mut self, name: impl Into<String>) -> Aggregation {
        self.count = Some(name.into());
        self
    }

    /// Sum `path` as `name`.
    pub fn sum(mut self, path: &str, name: &str) -> Aggregation {
        self.sum.push(format!("{path} {name}"));
        self
    }

    /// Average `path` as `name`.
    pub fn avg(mut self, path: &str, name: &str) -> Aggregation {
        self.avg.push(format!("{path} {name}"));
        self
    }

    /// The smallest `path` as `name`.
    pub fn min(mut self, path: &str, name: &str) -> Aggregation {
        self.min.push(format!("{path} {name}"));
        self
    }

    /// The largest `path` as `name`.
    pub fn max(mut self, path: &str, name: &str) -> Aggregation {
        self.max.push(format!("{path} {name}"));
        self
    }

    /// One row per element of the array at `path`.
    pub fn unwind(mut self, path: impl Into<String>) -> Aggregation {
        self.unwind.push(path.into());
        self
    }

    /// Order by a group key or an aggregate's name (`units descending`);
    /// each call adds one.
    pub fn order_by(mut self, order: impl Into<String>) -> Aggregation {
        self.order_by.push(order.into());
        self
    }

    /// At most `rows` rows.
    pub fn limit(mut self, rows: u64) -> Aggregation {
        self.limit = Some(rows);
        self
    }

    /// Skip the first `rows` rows.
    pub fn offset(mut self, rows: u64) -> Aggregation {
        self.offset = Some(rows);
        self
    }
}

impl AppCollection {
    /// The collection's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Every document, in creation order.
    pub async fn list(&self) -> Result<Vec<Document>, Error> {
        self.client
            .send(&ListDocuments {
                collection: self.name.clone(),
            })
            .await
    }

    /// Store a new document holding `content`.
    pub async fn create(&self, content: Content) -> Result<Document, Error> {
        self.client
            .send(&CreateDocument {
                collection: self.name.clone(),
                content,
            })
            .await
    }

    /// The document `id`.
    pub async fn get(&self, id: &str) -> Result<Document, Error> {
        self.client
            .send(&GetDocument {
                collection: self.name.clone(),
                document_id: id.to_owned(),
            })
            .await
    }

    /// Replace the content of document `id`.
    pub async fn update(&self, id: &str, content: Content) -> Result<Document, Error> {
        self.client
            .send(&UpdateDocument {
                collection: self.name.clone(),
                document_id: id.to_owned(),
                content,
            })
            .await
    }

    /// Change every document `query` matches by `operation` (MongoDB
    /// update operators on `content.` paths); how many changed.
    pub async fn partial_update(
        &self,
        query: DocumentFilter,
        operation: UpdateOperation,
    ) -> Result<u64, Error> {
        self.client
            .send(&PartialUpdateDocuments {
                collection: self.name.clone(),
                query,
                operation,
            })
            .await
    }

    /// Delete document `id`.
    pub async fn delete(&self, id: &str) -> Result<(), Error> {
        self.client
            .send(&DeleteDocument {
                collection: self.name.clone(),
                document_id: id.to_owned(),
            })
            .await
    }

    /// The documents a MongoDB filter matches (`{}`: all), ordered and
    /// cut as `options` says.
    ///
    /// ```no_run
    /// # async fn run(client: domo_native::Client) -> Result<(), domo_native::Error> {
    /// use domo_native::DocumentQuery;
    /// let filter = serde_json::from_value(serde_json::json!({"content.units": {"$gte": 5}}))
    ///     .expect("a MongoDB filter");
    /// let top = client
    ///     .app_db("orders")
    ///     .query(filter, &DocumentQuery::new().order_by("content.units descending").limit(10))
    ///     .await?;
    /// # let _ = top;
    /// # Ok(()) }
    /// ```
    pub async fn query(
        &self,
        query: DocumentFilter,
        options: &DocumentQuery,
    ) -> Result<Vec<Document>, Error> {
        let o = options.clone();
        self.client
            .send(&QueryDocuments {
                collection: self.name.clone(),
                query,
                order_by: o.order_by,
                limit: o.limit,
                offset: o.offset,
            })
            .await
    }

    /// The documents a MongoDB filter matches, folded into rows.
    pub async fn aggregate(
        &self,
        query: DocumentFilter,
        aggregation: &Aggregation,
    ) -> Result<Vec<Row>, Error> {
        let a = aggregation.clone();
        self.client
            .send(&AggregateDocuments {
                collection: self.name.clone(),
                query,
                group_by: a.group_by,
                count: a.count,
                sum: a.sum,
                avg: a.avg,
                min: a.min,
                max: a.max,
                unwind: a.unwind,
                order_by: a.order_by,
                limit: a.limit,
                offset: a.offset,
            })
            .await
    }

    /// Store every document of `contents`, or none.
    pub async fn bulk_create(&self, contents: Vec<Content>) -> Result<BulkResult, Error> {
        self.client
            .send(&BulkCreateDocuments {
                collection: self.name.clone(),
                documents: contents.into_iter().map(DocumentRequest::new).collect(),
            })
            .await
    }

    /// Replace the documents whose `id` is given, create the others.
    pub async fn bulk_upsert(&self, documents: Vec<DocumentRequest>) -> Result<BulkResult, Error> {
        self.client
            .send(&BulkUpsertDocuments {
                collection: self.name.clone(),
                documents,
            })
            .await
    }

    /// Delete the documents `ids`.
    pub async fn bulk_delete<S: Into<String>>(
        &self,
        ids: impl IntoIterator<Item = S>,
    ) -> Result<BulkResult, Error> {
        self.client
            .send(&BulkDeleteDocuments {
                collection: self.name.clone(),
                ids: strings(ids),
            })
            .await
    }
}
