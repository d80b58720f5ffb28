//! One method per endpoint, named for what the caller wants.

use bytes::Bytes;
use domo_core::Error;
use domo_core::data::{DataWindow, GetData, GetDataCsv};
use domo_core::datasets::{
    CreateDatasetWithoutStream, DatasetPages, DatasetSearch, DeleteDataset, DeleteMethod,
    GetDataset, SearchPages, SetProperties, UiSearchDatasets,
};
use domo_core::indexes::{IndexStatus, StartIndex};
use domo_core::partitions::{
    DeletePartition, DeletePartitionData, DeletePartitionTag, ListPartitions, ListPartitionsPage,
    PartitionPages, SearchPartitions,
};
use domo_core::permissions::{ListPermissions, RemoveUser, RemoveUsers, RevokeUser, Share};
use domo_core::query::ExecuteQuery;
use domo_core::schema::{AlterSchema, GetIndexedSchema, GetLatestSchema, GetSchema};
use domo_core::streams::{
    AbortExecution, CommitExecution, CreateStream, ExecutionPart, GetStream, RunStream,
    SearchStreams, StreamHistory, UpdateStream,
};
use domo_core::tags::SetTags;
use domo_core::uploads::{AppendRow, CommitUpload, StartUpload, UploadPart};
use domo_core::users::WhoAmI;
use domo_core::versions::ListDataVersions;
use domo_model::data::DataPage;
use domo_model::datasets::{
    CreateDatasetRequest, CreatedDataset, Dataset, DatasetList, DatasetProperties, SearchHit,
};
use domo_model::indexes::{IndexJob, IndexRequest};
use domo_model::partitions::Partition;
use domo_model::permissions::{Permission, PermissionList, PrincipalRef, ShareRequest};
use domo_model::query::QueryResult;
use domo_model::schema::{Column, IndexedSchema, LatestSchema, Schema};
use domo_model::streams::{Execution, RunStreamRequest, Stream, StreamRequest};
use domo_model::uploads::{
    AppendRowRequest, CommitRequest, CommitResult, UploadSession, UploadStartRequest,
};
use domo_model::users::User;
use domo_model::versions::DataVersion;
use futures_util::{Stream as FuturesStream, TryStreamExt, stream};

use crate::client::Client;

impl Client {
    // ---- datasets -------------------------------------------------------

    /// `GET /api/data/v3/datasources/{id}`.
    pub async fn dataset(&self, dataset_id: &str) -> Result<Dataset, Error> {
        self.inner.call(&GetDataset::new(dataset_id)).await
    }

    /// The same, asking for specific parts (`requestedParts=core,permission`).
    pub async fn metadata(
        &self,
        dataset_id: &str,
        requested_parts: &[&str],
    ) -> Result<Dataset, Error> {
        let e = GetDataset {
            requested_parts: requested_parts.iter().map(|s| s.to_string()).collect(),
            ..GetDataset::new(dataset_id)
        };
        self.inner.call(&e).await
    }

    /// Any form of the dataset request (`part`, `includeAllDetails`, ...).
    pub async fn dataset_with(&self, request: &GetDataset) -> Result<Dataset, Error> {
        self.inner.call(request).await
    }

    /// Create a dataset the way real clients do: an API-type stream whose
    /// data source is the new dataset. Returns the stream; its
    /// [`Stream::dataset_id`] is the dataset.
    pub async fn create_dataset(
        &self,
        name: &str,
        description: &str,
        columns: Vec<Column>,
    ) -> Result<Stream, Error> {
        self.create_stream(StreamRequest::api_dataset(name, description, columns))
            .await
    }

    /// Create a dataset with no stream behind it
    /// (`POST /api/data/v2/datasources`, domolibrary's form). The reply's
    /// [`CreatedDataset::dataset_id`] is the new dataset. To load it, use
    /// [`Client::upload`]; [`Client::create_dataset`] makes a stream-backed
    /// one instead.
    pub async fn create_dataset_without_stream(
        &self,
        name: &str,
        description: Option<&str>,
        columns: Vec<Column>,
    ) -> Result<CreatedDataset, Error> {
        let request = CreateDatasetRequest::api(name, description.map(str::to_owned), columns);
        self.inner
            .call(&CreateDatasetWithoutStream { request })
            .await
    }

    /// Every dataset the caller can see, a page of
    /// `GET /api/data/v3/datasources?limit=50&offset=N` at a time, paged as
    /// domo-core's [`DatasetPages`] says; memory is one page.
    pub fn datasets(&self) -> impl FuturesStream<Item = Result<Dataset, Error>> + Send + '_ {
        let pages = stream::try_unfold(Some(DatasetPages::new()), move |state| async move {
            let Some(mut pages) = state else {
                return Ok(None);
            };
            let Some(request) = pages.next_page() else {
                return Ok(None);
            };
            let page = self.inner.call(&request).await?;
            pages.received(page.data_sources.len(), page.total_count())?;
            let items = stream::iter(page.data_sources.into_iter().map(Ok));
            Ok(Some((items, Some(pages))))
        });
        pages.try_flatten()
    }

    /// One page of the dataset list.
    pub async fn datasets_page(&self, limit: u32, offset: u32) -> Result<DatasetList, Error> {
        self.inner
            .call(&domo_core::datasets::ListDatasets { limit, offset })
            .await
    }

    /// Datasets whose name contains `text` (case-insensitive; a `*` in
    /// `text` makes it the wildcard pattern itself), through
    /// `POST /api/search/v1/query`. See [`Client::search_datasets_with`].
    pub fn search_datasets(
        &self,
        text: &str,
    ) -> impl FuturesStream<Item = Result<SearchHit, Error>> + Send + '_ {
        self.search_datasets_with(DatasetSearch::text(text))
    }

    /// Every hit of `search` (name pattern, owner, page size), paging by
    /// `count`/`offset` as domo-core's [`SearchPages`] says.
    pub fn search_datasets_with(
        &self,
        search: DatasetSearch,
    ) -> impl FuturesStream<Item = Result<SearchHit, Error>> + Send + '_ {
        let pages = stream::try_unfold(Some(SearchPages::new(search)), move |state| async move {
            let Some(mut pages) = state else {
                return Ok(None);
            };
            let Some(request) = pages.next_page()? else {
                return Ok(None);
            };
            let page = self.inner.call(&request).await?;
            pages.received(page.search_objects.len(), page.total_result_count)?;
            let items = stream::iter(page.search_objects.into_iter().map(Ok));
            Ok(Some((items, Some(pages))))
        });
        pages.try_flatten()
    }

    /// One page of the browser tools' search
    /// (`POST /api/data/ui/v3/datasources/search`): whole datasets and
    /// `_metaData.totalCount`.
    pub async fn ui_search_datasets(
        &self,
        search: &DatasetSearch,
        offset: u32,
    ) -> Result<DatasetList, Error> {
        self.inner
            .call(&UiSearchDatasets::new(search, offset)?)
            .await
    }

    /// `PUT .../{id}/properties`: set the name, the description or both.
    /// Returns the dataset when the server answers with it (some answer an
    /// empty 200: `None`).
    pub async fn set_dataset_properties(
        &self,
        dataset_id: &str,
        properties: DatasetProperties,
    ) -> Result<Option<Dataset>, Error> {
        self.inner
            .call(&SetProperties {
                dataset_id: dataset_id.into(),
                request: properties,
            })
            .await
    }

    /// Rename the dataset (only the name is sent).
    pub async fn rename_dataset(&self, dataset_id: &str, name: &str) -> Result<(), Error> {
        let properties = DatasetProperties {
            data_source_name: Some(name.into()),
            data_source_description: None,
        };
        self.set_dataset_properties(dataset_id, properties)
            .await
            .map(drop)
    }

    /// Set the dataset's description (only the description is sent).
    pub async fn describe_dataset(&self, dataset_id: &str, description: &str) -> Result<(), Error> {
        let properties = DatasetProperties {
            data_source_name: None,
            data_source_description: Some(description.into()),
        };
        self.set_dataset_properties(dataset_id, properties)
            .await
            .map(drop)
    }

    /// Delete the dataset for good (`deleteMethod=hard`).
    pub async fn delete_dataset(&self, dataset_id: &str) -> Result<(), Error> {
        self.inner.call(&DeleteDataset::new(dataset_id)).await
    }

    /// Delete with a chosen [`DeleteMethod`] (`Soft` sends no parameter).
    pub async fn delete_dataset_with(
        &self,
        dataset_id: &str,
        method: DeleteMethod,
    ) -> Result<(), Error> {
        self.inner
            .call(&DeleteDataset {
                dataset_id: dataset_id.into(),
                method,
            })
            .await
    }

    // ---- users ----------------------------------------------------------

    /// The user the token belongs to (`GET /api/content/v2/users/me`).
    pub async fn whoami(&self) -> Result<User, Error> {
        self.inner.call(&WhoAmI).await
    }

    // ---- schema ---------------------------------------------------------

    /// Replace the dataset's column list with `schema`'s
    /// (`POST /api/data/v2/datasources/{id}/schemas`): add, rename, reorder,
    /// change a type, mark `upsertKey` columns. Start from
    /// [`Client::latest_schema`] and change it: the whole list is sent.
    pub async fn alter_schema(&self, dataset_id: &str, schema: &Schema) -> Result<(), Error> {
        self.inner.call(&AlterSchema::new(dataset_id, schema)).await
    }

    /// `GET .../{id}/schema` (the documented path).
    pub async fn schema(&self, dataset_id: &str) -> Result<Schema, Error> {
        self.inner
            .call(&GetSchema {
                dataset_id: dataset_id.into(),
            })
            .await
    }

    /// `GET /api/data/v2/datasources/{id}/schemas/latest`.
    pub async fn latest_schema(&self, dataset_id: &str) -> Result<LatestSchema, Error> {
        self.inner
            .call(&GetLatestSchema {
                dataset_id: dataset_id.into(),
            })
            .await
    }

    /// `GET /api/query/v1/datasources/{id}/schema/indexed`.
    pub async fn indexed_schema(
        &self,
        dataset_id: &str,
        include_hidden: bool,
    ) -> Result<IndexedSchema, Error> {
        self.inner
            .call(&GetIndexedSchema {
                dataset_id: dataset_id.into(),
                include_hidden,
            })
            .await
    }

    // ---- data -----------------------------------------------------------

    /// One page of rows as JSON (`offset`, `limit`, `filter`).
    pub async fn data(&self, dataset_id: &str, window: DataWindow) -> Result<DataPage, Error> {
        self.inner
            .call(&GetData {
                dataset_id: dataset_id.into(),
                window,
            })
            .await
    }

    /// Rows as CSV with a header row (`.../data?format=csv`), in memory.
    pub async fn data_csv(&self, dataset_id: &str, window: DataWindow) -> Result<Bytes, Error> {
        self.inner
            .call(&GetDataCsv {
                dataset_id: dataset_id.into(),
                window,
            })
            .await
    }

    // ---- query ----------------------------------------------------------

    /// Run SQL against one dataset, named `table` in the SQL.
    pub async fn query(&self, dataset_id: &str, sql: &str) -> Result<QueryResult, Error> {
        self.inner
            .call(&ExecuteQuery {
                dataset_id: dataset_id.into(),
                sql: sql.into(),
            })
            .await
    }

    // ---- permissions ----------------------------------------------------

    pub async fn permissions(&self, dataset_id: &str) -> Result<PermissionList, Error> {
        self.inner
            .call(&ListPermissions {
                dataset_id: dataset_id.into(),
            })
            .await
    }

    /// Grant `permissions` (users or groups with an access level).
    pub async fn share(
        &self,
        dataset_id: &str,
        permissions: Vec<Permission>,
        send_email: bool,
    ) -> Result<(), Error> {
        let request = ShareRequest {
            permissions,
            send_email,
        };
        self.inner
            .call(&Share {
                dataset_id: dataset_id.into(),
                request,
            })
            .await
    }

    /// `DELETE .../permissions/USER/{userId}`.
    pub async fn revoke_user(&self, dataset_id: &str, user_id: &str) -> Result<(), Error> {
        self.inner
            .call(&RevokeUser {
                dataset_id: dataset_id.into(),
                user_id: user_id.into(),
            })
            .await
    }

    /// `DELETE .../USERS/{userId}`.
    pub async fn remove_user(&self, dataset_id: &str, user_id: &str) -> Result<(), Error> {
        self.inner
            .call(&RemoveUser {
                dataset_id: dataset_id.into(),
                user_id: user_id.into(),
            })
            .await
    }

    /// `DELETE .../users` with the principals in the body.
    pub async fn remove_users(
        &self,
        dataset_id: &str,
        users: Vec<PrincipalRef>,
    ) -> Result<(), Error> {
        self.inner
            .call(&RemoveUsers {
                dataset_id: dataset_id.into(),
                users,
            })
            .await
    }

    // ---- tags, versions, indexes ---------------------------------------

    /// Replace the dataset's tags.
    pub async fn set_tags(&self, dataset_id: &str, tags: Vec<String>) -> Result<(), Error> {
        self.inner
            .call(&SetTags {
                dataset_id: dataset_id.into(),
                tags,
            })
            .await
    }

    pub async fn data_versions(&self, dataset_id: &str) -> Result<Vec<DataVersion>, Error> {
        self.inner
            .call(&ListDataVersions {
                dataset_id: dataset_id.into(),
            })
            .await
    }

    pub async fn start_index(&self, dataset_id: &str) -> Result<IndexJob, Error> {
        self.inner
            .call(&StartIndex {
                dataset_id: dataset_id.into(),
                request: IndexRequest::default(),
            })
            .await
    }

    pub async fn index_status(&self, dataset_id: &str, index_id: &str) -> Result<IndexJob, Error> {
        self.inner
            .call(&IndexStatus {
                dataset_id: dataset_id.into(),
                index_id: index_id.into(),
            })
            .await
    }

    // ---- partitions -----------------------------------------------------

    /// `GET .../partition` (the documented list).
    pub async fn partitions(&self, dataset_id: &str) -> Result<Vec<Partition>, Error> {
        self.inner
            .call(&ListPartitions {
                dataset_id: dataset_id.into(),
            })
            .await
    }

    /// One page of `POST .../partition/list`, newest first.
    pub async fn partitions_page(
        &self,
        dataset_id: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<Partition>, Error> {
        self.inner
            .call(&ListPartitionsPage {
                dataset_id: dataset_id.into(),
                limit,
                offset,
            })
            .await
    }

    /// Every partition, paging `POST .../partition/list` as domo-core's
    /// [`PartitionPages`] says.
    pub async fn all_partitions(&self, dataset_id: &str) -> Result<Vec<Partition>, Error> {
        let mut pages = PartitionPages::new(dataset_id);
        let mut all = Vec::new();
        while let Some(request) = pages.next_page() {
            let page = self.inner.call(&request).await?;
            pages.received(page.len())?;
            all.extend(page);
        }
        Ok(all)
    }

    pub async fn search_partitions(
        &self,
        dataset_id: &str,
        filter: serde_json::Value,
    ) -> Result<Vec<Partition>, Error> {
        self.inner
            .call(&SearchPartitions {
                dataset_id: dataset_id.into(),
                filter,
            })
            .await
    }

    /// `DELETE .../tag/{pid}/data`: the partition's data is gone, the tag stays.
    pub async fn delete_partition_data(
        &self,
        dataset_id: &str,
        partition_id: &str,
    ) -> Result<(), Error> {
        self.inner
            .call(&DeletePartitionData {
                dataset_id: dataset_id.into(),
                partition_id: partition_id.into(),
            })
            .await
    }

    /// `DELETE .../partition/{pid}`: drop the tag.
    pub async fn delete_partition_tag(
        &self,
        dataset_id: &str,
        partition_id: &str,
    ) -> Result<(), Error> {
        self.inner
            .call(&DeletePartitionTag {
                dataset_id: dataset_id.into(),
                partition_id: partition_id.into(),
            })
            .await
    }

    /// Delete a partition the way real clients do ([`DeletePartition`]):
    /// its data, then its tag.
    pub async fn delete_partition(
        &self,
        dataset_id: &str,
        partition_id: &str,
    ) -> Result<(), Error> {
        let delete = DeletePartition::new(dataset_id, partition_id);
        for step in delete.steps() {
            self.inner
                .call(&step)
                .await
                .map_err(|e| delete.failed(&step, e))?;
        }
        Ok(())
    }

    // ---- streams --------------------------------------------------------

    pub async fn create_stream(&self, request: StreamRequest) -> Result<Stream, Error> {
        self.inner.call(&CreateStream { request }).await
    }

    pub async fn stream(&self, stream_id: &str) -> Result<Stream, Error> {
        self.inner
            .call(&GetStream {
                stream_id: stream_id.into(),
            })
            .await
    }

    pub async fn update_stream(
        &self,
        stream_id: &str,
        request: StreamRequest,
    ) -> Result<Stream, Error> {
        self.inner
            .call(&UpdateStream {
                stream_id: stream_id.into(),
                request,
            })
            .await
    }

    /// The streams feeding a dataset (`q=dataSource.id:{id}`).
    pub async fn search_streams(&self, dataset_id: &str) -> Result<Vec<Stream>, Error> {
        self.inner
            .call(&SearchStreams {
                dataset_id: dataset_id.into(),
            })
            .await
    }

    /// Start a manual run.
    pub async fn run_stream(&self, stream_id: &str) -> Result<Execution, Error> {
        self.inner
            .call(&RunStream {
                stream_id: stream_id.into(),
                request: RunStreamRequest::default(),
            })
            .await
    }

    /// One part of a stream execution, stage by stage. Prefer
    /// [`Client::upload_via_stream`].
    pub async fn upload_execution_part(
        &self,
        stream_id: &str,
        execution_id: &str,
        part: u32,
        csv: Bytes,
    ) -> Result<(), Error> {
        self.inner
            .call(&ExecutionPart {
                stream_id: stream_id.into(),
                execution_id: execution_id.into(),
                part,
                csv,
                gzip: false,
            })
            .await
    }

    /// Commit a stream execution's parts.
    pub async fn commit_execution(
        &self,
        stream_id: &str,
        execution_id: &str,
    ) -> Result<Execution, Error> {
        let commit = CommitExecution {
            stream_id: stream_id.into(),
            execution_id: execution_id.into(),
        };
        let sent = self.inner.call_counted(&commit).await;
        commit.settle(sent.result, sent.attempts)
    }

    /// Abort a stream execution: its parts are dropped, its state `ABORTED`.
    pub async fn abort_execution(
        &self,
        stream_id: &str,
        execution_id: &str,
    ) -> Result<Execution, Error> {
        self.inner
            .call(&AbortExecution {
                stream_id: stream_id.into(),
                execution_id: execution_id.into(),
            })
            .await
    }

    pub async fn stream_history(&self, stream_id: &str) -> Result<Vec<Execution>, Error> {
        self.inner
            .call(&StreamHistory {
                stream_id: stream_id.into(),
            })
            .await
    }

    // ---- uploads, stage by stage ----------------------------------------

    /// Append one delimited row (`{"values", "delimiter"}`).
    pub async fn append_row(
        &self,
        dataset_id: &str,
        values: &str,
        delimiter: char,
    ) -> Result<(), Error> {
        let request = AppendRowRequest {
            values: values.into(),
            delimiter: delimiter.to_string(),
        };
        self.inner
            .call(&AppendRow {
                dataset_id: dataset_id.into(),
                request,
            })
            .await
    }

    /// Stage 1 of an upload. Prefer [`Client::upload_csv`].
    pub async fn start_upload(
        &self,
        dataset_id: &str,
        request: UploadStartRequest,
    ) -> Result<UploadSession, Error> {
        self.inner
            .call(&StartUpload {
                dataset_id: dataset_id.into(),
                request,
            })
            .await
    }

    /// Stage 2: one part, CSV without a header row.
    pub async fn upload_part(
        &self,
        dataset_id: &str,
        upload_id: &str,
        part: u32,
        csv: Bytes,
    ) -> Result<(), Error> {
        self.inner
            .call(&UploadPart {
                dataset_id: dataset_id.into(),
                upload_id: upload_id.into(),
                part,
                csv,
                gzip: false,
            })
            .await
    }

    /// Stage 3: apply every staged part.
    pub async fn commit_upload(
        &self,
        dataset_id: &str,
        upload_id: &str,
        request: CommitRequest,
    ) -> Result<CommitResult, Error> {
        self.inner
            .call(&CommitUpload {
                dataset_id: dataset_id.into(),
                upload_id: upload_id.into(),
                request,
            })
            .await
    }
}
