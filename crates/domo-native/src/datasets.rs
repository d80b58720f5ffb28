//! Datasets and what belongs to them: listing and search, create, rename,
//! delete, schemas, tags, data versions, indexes and partitions.

use domo_core::Error;
use domo_core::datasets::{
    CreateDataset, CreateDatasetWithoutStream, DatasetPages, DatasetSearch, DeleteDataset,
    GetDataset, SearchPages, SetProperties, UiSearchPages,
};
use domo_core::indexes::{IndexStatus, StartIndex};
use domo_core::partitions::{
    DeletePartition, DeletePartitionData, DeletePartitionTag, ListPartitions, PartitionPages,
    SearchPartitions,
};
use domo_core::schema::{AlterSchema, GetIndexedSchema, GetLatestSchema, GetSchema};
use domo_core::tags::SetTags;
use domo_core::users::WhoAmI;
use domo_core::versions::ListDataVersions;
use domo_model::datasets::{Dataset, SearchHit};
use domo_model::indexes::IndexJob;
use domo_model::partitions::Partition;
use domo_model::schema::{Column, Schema};
use domo_model::users::User;
use domo_model::versions::DataVersion;
use domo_model::{DatasetId, Id};
use futures_util::{Stream, TryStreamExt};

use crate::client::Client;

/// A dataset to create: its name, columns and description, and whether a
/// stream feeds it ([`Client::create_dataset`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct NewDataset {
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// Its columns.
    pub columns: Vec<Column>,
    /// Create it through an API-type stream (the default, what Domo's own
    /// tools do; uploads may then go through the stream's executions), or
    /// as a bare dataset (`POST /api/data/v2/datasources`, domolibrary's
    /// way).
    pub with_stream: bool,
}

impl NewDataset {
    /// A dataset named `name` with `columns`, fed by a stream.
    pub fn new(name: impl Into<String>, columns: Vec<Column>) -> NewDataset {
        NewDataset {
            name: name.into(),
            description: None,
            columns,
            with_stream: true,
        }
    }

    /// With a description.
    pub fn description(mut self, description: impl Into<String>) -> NewDataset {
        self.description = Some(description.into());
        self
    }

    /// Without a stream behind it.
    pub fn without_stream(mut self) -> NewDataset {
        self.with_stream = false;
        self
    }
}

/// A dataset just created.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreatedDataset {
    /// The new dataset.
    pub dataset_id: DatasetId,
    /// The stream that feeds it, when created with one.
    pub stream_id: Option<Id>,
}

impl Client {
    /// The dataset's metadata (`GET /api/data/v3/datasources/{id}`).
    pub async fn dataset(&self, dataset_id: impl Into<DatasetId>) -> Result<Dataset, Error> {
        self.send(&GetDataset::new(dataset_id)).await
    }

    /// Create a dataset ([`NewDataset`]): through an API-type stream unless
    /// [`NewDataset::without_stream`]. The name and columns are checked
    /// before anything is sent.
    ///
    /// ```no_run
    /// # async fn run(client: domo_native::Client) -> Result<(), domo_native::Error> {
    /// use domo_native::NewDataset;
    /// use domo_native::model::schema::{Column, ColumnType};
    /// let created = client
    ///     .create_dataset(
    ///         NewDataset::new("Sales", vec![Column::new("region", ColumnType::String)])
    ///             .description("daily sales"),
    ///     )
    ///     .await?;
    /// println!("dataset {} fed by stream {:?}", created.dataset_id, created.stream_id);
    /// # Ok(()) }
    /// ```
    pub async fn create_dataset(&self, new: NewDataset) -> Result<CreatedDataset, Error> {
        if new.with_stream {
            let stream = self
                .send(&CreateDataset {
                    name: new.name,
                    description: new.description.unwrap_or_default(),
                    columns: new.columns,
                })
                .await?;
            let dataset_id = stream.dataset_id().ok_or_else(|| {
                Error::new(
                    domo_core::ErrorKind::Decode,
                    format!(
                        "the new stream {} names no dataset (dataSource.id)",
                        stream.id
                    ),
                )
            })?;
            return Ok(CreatedDataset {
                dataset_id: dataset_id.into(),
                stream_id: Some(stream.id),
            });
        }
        let created = self
            .send(&CreateDatasetWithoutStream {
                name: new.name,
                description: new.description,
                columns: new.columns,
            })
            .await?;
        Ok(CreatedDataset {
            dataset_id: created.dataset_id().into(),
            stream_id: None,
        })
    }

    /// Every dataset the caller can see, a page of
    /// `GET /api/data/v3/datasources?limit=50&offset=N` at a time, paged as
    /// domo-core's [`DatasetPages`] says; memory is one page. The stream
    /// holds a clone of the client, so it can outlive this borrow.
    pub fn datasets(&self) -> impl Stream<Item = Result<Dataset, Error>> + Send + 'static {
        self.paged(DatasetPages::new())
    }

    /// Every hit of `search` (a name pattern, an owner; see
    /// [`DatasetSearch`]) through `POST /api/search/v1/query`, paging by
    /// `count`/`offset` as domo-core's [`SearchPages`] says.
    ///
    /// ```no_run
    /// # async fn run(client: domo_native::Client) -> Result<(), domo_native::Error> {
    /// use domo_native::DatasetSearch;
    /// use futures_util::TryStreamExt;
    /// let hits: Vec<_> = client
    ///     .search_datasets(DatasetSearch::text("sales").owner("7"))
    ///     .try_collect()
    ///     .await?;
    /// # let _ = hits;
    /// # Ok(()) }
    /// ```
    pub fn search_datasets(
        &self,
        search: DatasetSearch,
    ) -> impl Stream<Item = Result<SearchHit, Error>> + Send + 'static {
        self.paged(SearchPages::new(search))
    }

    /// Every dataset `search` matches, whole (owner, row and column counts,
    /// schema and all that [`Client::dataset`] answers), through the Domo
    /// UI's search route (`POST /api/data/ui/v3/datasources/search`), paged
    /// like [`Client::search_datasets`], whose hits are lighter.
    pub fn search_datasets_full(
        &self,
        search: DatasetSearch,
    ) -> impl Stream<Item = Result<Dataset, Error>> + Send + 'static {
        self.paged(UiSearchPages::new(search))
    }

    /// Rename the dataset (`PUT .../properties`; only the name is sent).
    pub async fn rename_dataset(
        &self,
        dataset_id: impl Into<DatasetId>,
        name: impl Into<String>,
    ) -> Result<(), Error> {
        self.send(&SetProperties {
            dataset_id: dataset_id.into(),
            data_source_name: Some(name.into()),
            data_source_description: None,
        })
        .await
        .map(drop)
    }

    /// Set the dataset's description (only the description is sent).
    pub async fn describe_dataset(
        &self,
        dataset_id: impl Into<DatasetId>,
        description: impl Into<String>,
    ) -> Result<(), Error> {
        self.send(&SetProperties {
            dataset_id: dataset_id.into(),
            data_source_name: None,
            data_source_description: Some(description.into()),
        })
        .await
        .map(drop)
    }

    /// Delete the dataset for good (`deleteMethod=hard`; for a soft delete
    /// send a [`DeleteDataset`] with [`crate::DeleteMethod::Soft`]).
    pub async fn delete_dataset(&self, dataset_id: impl Into<DatasetId>) -> Result<(), Error> {
        self.send(&DeleteDataset::new(dataset_id)).await
    }

    /// The user the credentials belong to (`GET /api/content/v2/users/me`).
    pub async fn whoami(&self) -> Result<User, Error> {
        self.send(&WhoAmI).await
    }

    // ---- schema ---------------------------------------------------------

    /// The dataset's columns as real clients read them
    /// (`GET /api/data/v2/datasources/{id}/schemas/latest`); the other
    /// routes with [`Client::schema_via`].
    pub async fn schema(&self, dataset_id: impl Into<DatasetId>) -> Result<Schema, Error> {
        self.schema_via(dataset_id, SchemaRoute::Latest).await
    }

    /// The dataset's columns from the schema route `route` names.
    pub async fn schema_via(
        &self,
        dataset_id: impl Into<DatasetId>,
        route: SchemaRoute,
    ) -> Result<Schema, Error> {
        let dataset_id = dataset_id.into();
        match route {
            SchemaRoute::Latest => Ok(self.send(&GetLatestSchema { dataset_id }).await?.schema),
            SchemaRoute::Indexed | SchemaRoute::IndexedWithHidden => Ok(self
                .send(&GetIndexedSchema {
                    dataset_id,
                    include_hidden: route == SchemaRoute::IndexedWithHidden,
                })
                .await?
                .into_schema()),
            SchemaRoute::Documented => self.send(&GetSchema { dataset_id }).await,
        }
    }

    /// Replace the dataset's column list with `schema`'s
    /// (`POST /api/data/v2/datasources/{id}/schemas`): add, rename,
    /// reorder, change a type, mark `upsertKey` columns; the rows are kept.
    /// Start from [`Client::schema`] and change it: the whole list is sent.
    pub async fn alter_schema(
        &self,
        dataset_id: impl Into<DatasetId>,
        schema: &Schema,
    ) -> Result<(), Error> {
        self.send(&AlterSchema::new(dataset_id, schema)).await
    }

    // ---- tags, versions, indexes ---------------------------------------

    /// Replace the dataset's tags.
    pub async fn set_tags(
        &self,
        dataset_id: impl Into<DatasetId>,
        tags: Vec<String>,
    ) -> Result<(), Error> {
        self.send(&SetTags {
            dataset_id: dataset_id.into(),
            tags,
        })
        .await
    }

    /// Every data version of the dataset (each load makes one).
    pub async fn data_versions(
        &self,
        dataset_id: impl Into<DatasetId>,
    ) -> Result<Vec<DataVersion>, Error> {
        self.send(&ListDataVersions {
            dataset_id: dataset_id.into(),
        })
        .await
    }

    /// Start indexing the dataset's data.
    pub async fn start_index(&self, dataset_id: impl Into<DatasetId>) -> Result<IndexJob, Error> {
        self.send(&StartIndex {
            dataset_id: dataset_id.into(),
            data_ids: Vec::new(),
        })
        .await
    }

    /// Where an index job stands.
    pub async fn index_status(
        &self,
        dataset_id: impl Into<DatasetId>,
        index_id: impl Into<Id>,
    ) -> Result<IndexJob, Error> {
        self.send(&IndexStatus {
            dataset_id: dataset_id.into(),
            index_id: index_id.into(),
        })
        .await
    }

    // ---- partitions -----------------------------------------------------

    /// Every partition, paging `POST .../partition/list` as domo-core's
    /// [`PartitionPages`] says (Domo allows some hundreds a dataset).
    pub async fn partitions(
        &self,
        dataset_id: impl Into<DatasetId>,
    ) -> Result<Vec<Partition>, Error> {
        self.paged(PartitionPages::new(dataset_id))
            .try_collect()
            .await
    }

    /// `GET .../partition`: the seed's list, in one reply.
    pub async fn partition_list(
        &self,
        dataset_id: impl Into<DatasetId>,
    ) -> Result<Vec<Partition>, Error> {
        self.send(&ListPartitions {
            dataset_id: dataset_id.into(),
        })
        .await
    }

    /// Partitions matching `filter` (`POST .../partition/search`).
    pub async fn search_partitions(
        &self,
        dataset_id: impl Into<DatasetId>,
        filter: serde_json::Value,
    ) -> Result<Vec<Partition>, Error> {
        self.send(&SearchPartitions {
            dataset_id: dataset_id.into(),
            filter,
        })
        .await
    }

    /// Delete a partition the way real clients do ([`DeletePartition`]):
    /// its data, then its tag. An error says how far it got.
    pub async fn delete_partition(
        &self,
        dataset_id: impl Into<DatasetId>,
        partition_id: impl Into<Id>,
    ) -> Result<(), Error> {
        let delete = DeletePartition::new(dataset_id, partition_id);
        for step in delete.steps() {
            self.send(&step)
                .await
                .map_err(|e| delete.failed(&step, e))?;
        }
        Ok(())
    }

    /// Only the partition's data (`DELETE .../tag/{pid}/data`); the tag
    /// stays. Prefer [`Client::delete_partition`].
    pub async fn delete_partition_data(
        &self,
        dataset_id: impl Into<DatasetId>,
        partition_id: impl Into<Id>,
    ) -> Result<(), Error> {
        self.send(&DeletePartitionData {
            dataset_id: dataset_id.into(),
            partition_id: partition_id.into(),
        })
        .await
    }

    /// Only the partition's tag (`DELETE .../partition/{pid}`).
    pub async fn delete_partition_tag(
        &self,
        dataset_id: impl Into<DatasetId>,
        partition_id: impl Into<Id>,
    ) -> Result<(), Error> {
        self.send(&DeletePartitionTag {
            dataset_id: dataset_id.into(),
            partition_id: partition_id.into(),
        })
        .await
    }
}

/// Which of Domo's schema routes [`Client::schema_via`] reads a dataset's
/// columns from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SchemaRoute {
    /// `GET /api/data/v2/datasources/{id}/schemas/latest`: what real
    /// clients read, and [`Client::schema`]'s route.
    #[default]
    Latest,
    /// `GET /api/query/v1/datasources/{id}/schema/indexed`: the query
    /// engine's columns, visible ones only (`includeHidden=false`).
    Indexed,
    /// The indexed route with hidden columns too (`includeHidden=true`);
    /// each column's `visible` says which.
    IndexedWithHidden,
    /// `GET /api/data/v3/datasources/{id}/schema`: the route the API's
    /// documentation describes.
    Documented,
}
