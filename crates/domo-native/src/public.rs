//! Domo's public API (`https://api.domo.com/v1`) as a client with OAuth
//! client credentials reaches it ([`Client::v1`]): datasets, row policies,
//! streams and their executions, users and groups. Listings are streams of
//! items read a page at a time.

use bytes::Bytes;
use domo_core::Error;
use domo_core::v1::datasets::{
    V1CreateDataset, V1DeleteDataset, V1ExportData, V1GetDataset, V1ImportData, V1ListDatasets,
    V1Query, V1UpdateDataset,
};
use domo_core::v1::people::{
    V1AddGroupMember, V1CreateGroup, V1CreateUser, V1DeleteGroup, V1DeleteUser, V1GetGroup,
    V1GetUser, V1ListGroupMembers, V1ListGroups, V1ListUsers, V1RemoveGroupMember, V1UpdateGroup,
    V1UpdateUser,
};
use domo_core::v1::policies::{
    V1CreatePolicy, V1DeletePolicy, V1GetPolicy, V1ListPolicies, V1UpdatePolicy,
};
use domo_core::v1::streams::{
    V1AbortCurrentExecution, V1AbortExecution, V1CommitExecution, V1CreateExecution,
    V1CreateStream, V1DeleteStream, V1GetExecution, V1GetStream, V1ListExecutions, V1ListStreams,
    V1SearchStreams, V1UpdateStream, V1UploadPart,
};
use domo_model::query::QueryResult;
use domo_model::uploads::UploadAction;
use domo_model::v1::{
    V1Dataset, V1DatasetRequest, V1Execution, V1Group, V1GroupRequest, V1Policy, V1Stream,
    V1StreamRequest, V1User, V1UserRequest,
};
use domo_model::{DatasetId, Id};
use futures_util::Stream;
use tokio::io::AsyncWrite;

use crate::client::Client;
use crate::export::ExportOptions;

/// The public API's endpoints, from [`Client::v1`]. Holds a clone of the
/// client: cheap, and the streams it returns are `'static`.
#[derive(Debug, Clone)]
pub struct PublicApi {
    client: Client,
}

/// How [`PublicApi::create_user`] creates a user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewUserOptions {
    /// Whether Domo emails the new user an invitation (off by default).
    pub send_invite: bool,
}

impl NewUserOptions {
    /// Email the new user an invitation.
    pub fn send_invite(mut self) -> NewUserOptions {
        self.send_invite = true;
        self
    }
}

/// Whether `bytes` are gzip: decided by the magic bytes, as Domo does.
fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

impl Client {
    /// Domo's public API (`/v1`), which a client built with
    /// [`ClientBuilder::client_credentials`](crate::ClientBuilder::client_credentials)
    /// reaches (a token-built client is refused with
    /// [`ErrorKind::WrongApi`](crate::ErrorKind::WrongApi), naming the
    /// product-API method that does the same).
    ///
    /// ```no_run
    /// # async fn run(client: domo_native::Client) -> Result<(), domo_native::Error> {
    /// use futures_util::TryStreamExt;
    /// let v1 = client.v1();
    /// let names: Vec<_> = v1.datasets(Some("sales")).map_ok(|d| d.name).try_collect().await?;
    /// # let _ = names;
    /// # Ok(()) }
    /// ```
    pub fn v1(&self) -> PublicApi {
        PublicApi {
            client: self.clone(),
        }
    }

    /// Whether this client speaks the public API (it has OAuth client
    /// credentials).
    pub fn is_public_api(&self) -> bool {
        self.credentials().is_public_api()
    }
}

impl PublicApi {
    // ---- datasets -------------------------------------------------------

    /// Every dataset the client may see whose name contains `name_like`
    /// (ignoring case; every dataset for `None`), 50 a page.
    pub fn datasets(
        &self,
        name_like: Option<&str>,
    ) -> impl Stream<Item = Result<V1Dataset, Error>> + Send + 'static {
        self.client
            .paged(V1ListDatasets::all(name_like.map(str::to_owned)))
    }

    /// The dataset with its schema and row policies.
    pub async fn dataset(&self, dataset_id: impl Into<DatasetId>) -> Result<V1Dataset, Error> {
        self.client
            .send(&V1GetDataset {
                dataset_id: dataset_id.into(),
            })
            .await
    }

    /// A new dataset without a stream (loaded with
    /// [`PublicApi::import_csv`]; [`PublicApi::create_stream`] makes one
    /// loaded in parts).
    pub async fn create_dataset(&self, request: V1DatasetRequest) -> Result<V1Dataset, Error> {
        self.client.send(&V1CreateDataset { request }).await
    }

    /// Change the dataset's name, description, schema, owner or
    /// `pdpEnabled` (what `request` sets).
    pub async fn update_dataset(
        &self,
        dataset_id: impl Into<DatasetId>,
        request: V1DatasetRequest,
    ) -> Result<V1Dataset, Error> {
        self.client
            .send(&V1UpdateDataset {
                dataset_id: dataset_id.into(),
                request,
            })
            .await
    }

    /// Delete the dataset.
    pub async fn delete_dataset(&self, dataset_id: impl Into<DatasetId>) -> Result<(), Error> {
        self.client
            .send(&V1DeleteDataset {
                dataset_id: dataset_id.into(),
            })
            .await
    }

    /// Replace (or append to) the dataset's rows with `csv` in one request:
    /// CSV without a header row, plain or gzip (told by its magic bytes).
    /// Large loads go in parts through [`Client::upload`].
    pub async fn import_csv(
        &self,
        dataset_id: impl Into<DatasetId>,
        csv: Bytes,
        action: UploadAction,
    ) -> Result<(), Error> {
        self.client
            .send(&V1ImportData {
                dataset_id: dataset_id.into(),
                update_method: action,
                gzip: is_gzip(&csv),
                csv,
            })
            .await
    }

    /// Every row the client may see as CSV (empty fields for nulls),
    /// streamed into `out`; returns the bytes written.
    pub async fn export_to<W: AsyncWrite + Unpin>(
        &self,
        dataset_id: impl Into<DatasetId>,
        out: &mut W,
        options: &ExportOptions,
    ) -> Result<u64, Error> {
        let e = V1ExportData {
            dataset_id: dataset_id.into(),
            include_header: options.include_header,
        };
        self.client
            .stream_into(&e, out, options.progress.as_ref())
            .await
    }

    /// Run `sql` on the dataset (it is `table`): the columns and rows.
    pub async fn query(
        &self,
        dataset_id: impl Into<DatasetId>,
        sql: &str,
    ) -> Result<QueryResult, Error> {
        self.client
            .send(&V1Query {
                dataset_id: dataset_id.into(),
                sql: sql.to_owned(),
            })
            .await
    }

    // ---- row policies ---------------------------------------------------

    /// The dataset's row policies.
    pub async fn policies(&self, dataset_id: impl Into<DatasetId>) -> Result<Vec<V1Policy>, Error> {
        self.client
            .send(&V1ListPolicies {
                dataset_id: dataset_id.into(),
            })
            .await
    }

    /// One row policy.
    pub async fn policy(
        &self,
        dataset_id: impl Into<DatasetId>,
        policy_id: impl Into<Id>,
    ) -> Result<V1Policy, Error> {
        self.client
            .send(&V1GetPolicy {
                dataset_id: dataset_id.into(),
                policy_id: policy_id.into(),
            })
            .await
    }

    /// A new row policy (its users and groups must exist); it applies once
    /// the dataset's `pdpEnabled` is on.
    pub async fn create_policy(
        &self,
        dataset_id: impl Into<DatasetId>,
        policy: V1Policy,
    ) -> Result<V1Policy, Error> {
        self.client
            .send(&V1CreatePolicy {
                dataset_id: dataset_id.into(),
                policy,
            })
            .await
    }

    /// Replace a row policy with `policy`.
    pub async fn update_policy(
        &self,
        dataset_id: impl Into<DatasetId>,
        policy_id: impl Into<Id>,
        policy: V1Policy,
    ) -> Result<V1Policy, Error> {
        self.client
            .send(&V1UpdatePolicy {
                dataset_id: dataset_id.into(),
                policy_id: policy_id.into(),
                policy,
            })
            .await
    }

    /// Delete a row policy.
    pub async fn delete_policy(
        &self,
        dataset_id: impl Into<DatasetId>,
        policy_id: impl Into<Id>,
    ) -> Result<(), Error> {
        self.client
            .send(&V1DeletePolicy {
                dataset_id: dataset_id.into(),
                policy_id: policy_id.into(),
            })
            .await
    }

    // ---- streams --------------------------------------------------------

    /// Every stream, 500 a page.
    pub fn streams(&self) -> impl Stream<Item = Result<V1Stream, Error>> + Send + 'static {
        self.client.paged(V1ListStreams::all())
    }

    /// The streams matching `q`: `dataSource.id:{dataset id}`,
    /// `dataSource.owner:{user id}` or `dataSource.name:{name}`
    /// ([`PublicApi::stream_of`] finds a dataset's).
    pub async fn search_streams(&self, q: impl Into<String>) -> Result<Vec<V1Stream>, Error> {
        self.client.send(&V1SearchStreams { q: q.into() }).await
    }

    /// The stream feeding the dataset, if it has one.
    pub async fn stream_of(
        &self,
        dataset_id: impl Into<DatasetId>,
    ) -> Result<Option<V1Stream>, Error> {
        let found = self
            .client
            .send(&V1SearchStreams::dataset(&dataset_id.into()))
            .await?;
        Ok(found.into_iter().next())
    }

    /// A stream and the new dataset it feeds (its `dataSet.id`).
    pub async fn create_stream(&self, request: V1StreamRequest) -> Result<V1Stream, Error> {
        self.client.send(&V1CreateStream { request }).await
    }

    /// One stream.
    pub async fn stream(&self, stream_id: impl Into<Id>) -> Result<V1Stream, Error> {
        self.client
            .send(&V1GetStream {
                stream_id: stream_id.into(),
            })
            .await
    }

    /// Change the stream's update method (or its dataset's name,
    /// description or schema).
    pub async fn update_stream(
        &self,
        stream_id: impl Into<Id>,
        request: V1StreamRequest,
    ) -> Result<V1Stream, Error> {
        self.client
            .send(&V1UpdateStream {
                stream_id: stream_id.into(),
                request,
            })
            .await
    }

    /// Delete the stream (its dataset stays).
    pub async fn delete_stream(&self, stream_id: impl Into<Id>) -> Result<(), Error> {
        self.client
            .send(&V1DeleteStream {
                stream_id: stream_id.into(),
            })
            .await
    }

    /// Open an execution that takes parts; `action` `None` runs the
    /// stream's update method.
    pub async fn create_execution(
        &self,
        stream_id: impl Into<Id>,
        action: Option<UploadAction>,
    ) -> Result<V1Execution, Error> {
        self.client
            .send(&V1CreateExecution {
                stream_id: stream_id.into(),
                update_method: action,
            })
            .await
    }

    /// One execution.
    pub async fn execution(
        &self,
        stream_id: impl Into<Id>,
        execution_id: impl Into<Id>,
    ) -> Result<V1Execution, Error> {
        self.client
            .send(&V1GetExecution {
                stream_id: stream_id.into(),
                execution_id: execution_id.into(),
            })
            .await
    }

    /// Every execution of the stream, oldest first, 500 a page.
    pub fn executions(
        &self,
        stream_id: impl Into<Id>,
    ) -> impl Stream<Item = Result<V1Execution, Error>> + Send + 'static {
        self.client.paged(V1ListExecutions::all(stream_id))
    }

    /// Send part `part` of an execution: CSV without a header row, plain
    /// or gzip (told by its magic bytes). Sending a number again replaces
    /// that part, so failed parts are retried.
    pub async fn upload_part(
        &self,
        stream_id: impl Into<Id>,
        execution_id: impl Into<Id>,
        part: u32,
        csv: Bytes,
    ) -> Result<(), Error> {
        self.client
            .send(&V1UploadPart {
                stream_id: stream_id.into(),
                execution_id: execution_id.into(),
                part,
                gzip: is_gzip(&csv),
                csv,
            })
            .await
    }

    /// Load the execution's parts, in part order.
    pub async fn commit_execution(
        &self,
        stream_id: impl Into<Id>,
        execution_id: impl Into<Id>,
    ) -> Result<V1Execution, Error> {
        self.client
            .send(&V1CommitExecution {
                stream_id: stream_id.into(),
                execution_id: execution_id.into(),
            })
            .await
    }

    /// Drop the execution and its parts.
    pub async fn abort_execution(
        &self,
        stream_id: impl Into<Id>,
        execution_id: impl Into<Id>,
    ) -> Result<V1Execution, Error> {
        self.client
            .send(&V1AbortExecution {
                stream_id: stream_id.into(),
                execution_id: execution_id.into(),
            })
            .await
    }

    /// Abort the stream's open execution, if it has one.
    pub async fn abort_current_execution(&self, stream_id: impl Into<Id>) -> Result<(), Error> {
        self.client
            .send(&V1AbortCurrentExecution {
                stream_id: stream_id.into(),
            })
            .await
    }

    // ---- users and groups -----------------------------------------------

    /// Every user, 500 a page.
    pub fn users(&self) -> impl Stream<Item = Result<V1User, Error>> + Send + 'static {
        self.client.paged(V1ListUsers::all())
    }

    /// One user.
    pub async fn user(&self, user_id: impl Into<Id>) -> Result<V1User, Error> {
        self.client
            .send(&V1GetUser {
                user_id: user_id.into(),
            })
            .await
    }

    /// A new user (`request`: name, email and role at least).
    pub async fn create_user(
        &self,
        request: V1UserRequest,
        options: &NewUserOptions,
    ) -> Result<V1User, Error> {
        self.client
            .send(&V1CreateUser {
                request,
                send_invite: options.send_invite,
            })
            .await
    }

    /// Change what `request` sets of the user.
    pub async fn update_user(
        &self,
        user_id: impl Into<Id>,
        request: V1UserRequest,
    ) -> Result<V1User, Error> {
        self.client
            .send(&V1UpdateUser {
                user_id: user_id.into(),
                request,
            })
            .await
    }

    /// Delete the user.
    pub async fn delete_user(&self, user_id: impl Into<Id>) -> Result<(), Error> {
        self.client
            .send(&V1DeleteUser {
                user_id: user_id.into(),
            })
            .await
    }

    /// Every group, 500 a page.
    pub fn groups(&self) -> impl Stream<Item = Result<V1Group, Error>> + Send + 'static {
        self.client.paged(V1ListGroups::all())
    }

    /// One group.
    pub async fn group(&self, group_id: impl Into<Id>) -> Result<V1Group, Error> {
        self.client
            .send(&V1GetGroup {
                group_id: group_id.into(),
            })
            .await
    }

    /// A new group (`request`: a name at least).
    pub async fn create_group(&self, request: V1GroupRequest) -> Result<V1Group, Error> {
        self.client.send(&V1CreateGroup { request }).await
    }

    /// Change what `request` sets of the group.
    pub async fn update_group(
        &self,
        group_id: impl Into<Id>,
        request: V1GroupRequest,
    ) -> Result<V1Group, Error> {
        self.client
            .send(&V1UpdateGroup {
                group_id: group_id.into(),
                request,
            })
            .await
    }

    /// Delete the group.
    pub async fn delete_group(&self, group_id: impl Into<Id>) -> Result<(), Error> {
        self.client
            .send(&V1DeleteGroup {
                group_id: group_id.into(),
            })
            .await
    }

    /// The ids of the group's members, 500 a page.
    pub fn group_members(
        &self,
        group_id: impl Into<Id>,
    ) -> impl Stream<Item = Result<Id, Error>> + Send + 'static {
        self.client.paged(V1ListGroupMembers::all(group_id))
    }

    /// Add the user to the group (a member already stays one).
    pub async fn add_group_member(
        &self,
        group_id: impl Into<Id>,
        user_id: impl Into<Id>,
    ) -> Result<(), Error> {
        self.client
            .send(&V1AddGroupMember {
                group_id: group_id.into(),
                user_id: user_id.into(),
            })
            .await
    }

    /// Remove the user from the group.
    pub async fn remove_group_member(
        &self,
        group_id: impl Into<Id>,
        user_id: impl Into<Id>,
    ) -> Result<(), Error> {
        self.client
            .send(&V1RemoveGroupMember {
                group_id: group_id.into(),
                user_id: user_id.into(),
            })
            .await
    }
}
