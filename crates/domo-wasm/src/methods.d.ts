// Generated from domo-core's endpoint declarations by `UPDATE_TS=1 cargo test -p
// domo-integration-tests --test browser_methods`; do not edit.
//
// The methods js/methods.js installs on DomoClient, merged into the class
// declaration.
export interface DomoClient {

  /**
   * `GET /data/v1/{alias}`: the dataset mapped to `alias`, shaped by the
   * Data API's query keys, in the format asked for (`Accept`). Names
   * are field aliases, or column names where the manifest lists no
   * fields; a name may be quoted (`'Unit Price'`). Lists travel
   * comma-separated (`filter=Units > 10,Region == "East"`). A key the
   * endpoint does not know is refused, named.
   * @param alias The dataset's alias in the app's manifest.
   * @param options.fields The fields to return, in order (default: every mapped field).
   * @param options.filter Conditions a row must all meet: text in the Data API's grammar
   * (`Units > 5`, `Region in "East","West"`, `Order Date last 30 days`)
   * or conditions as objects.
   * @param options.groupBy Fields to group by; other returned fields are summed (numbers)
   * or counted (text), as Domo does.
   * @param options.sum Fields to sum.
   * @param options.avg Fields to average.
   * @param options.count Fields whose non-null values to count.
   * @param options.min Fields whose smallest value to return.
   * @param options.max Fields whose largest value to return.
   * @param options.unique Fields whose distinct values to count.
   * @param options.dateGrain Group by periods of a date field: `Order Date by month` (day,
   * week, month, quarter or year). The periods come back as
   * `CalendarMonth` (`Date`, `CalendarWeek`, `CalendarQuarter`,
   * `Year`), not under the field's name.
   * @param options.calendar The calendar of `dateGrain`, `todate` and `last`: standard (the
   * default) or the instance's fiscal calendar.
   * @param options.orderBy `Units descending`, `Region` (ascending); when grouping, only by
   * a grouped field or the date grain.
   * @param options.limit Rows at most.
   * @param options.offset Rows to skip.
   * @param options.useBeastMode Use the card's beast-mode fields; grouping then needs every
   * returned field grouped or aggregated.
   * @param options.format The reply's format: rows as objects (the default), the
   * `{columns, rows, metadata, ...}` table, CSV text, or an Excel
   * file as base64 text.
   */
  appData(alias: string, options: { fields?: string | string[] | null; filter?: AppFilter | null; groupBy?: string | string[] | null; sum?: string | string[] | null; avg?: string | string[] | null; count?: string | string[] | null; min?: string | string[] | null; max?: string | string[] | null; unique?: string | string[] | null; dateGrain?: AppDateGrain | null; calendar?: "standard" | "fiscal" | null; orderBy?: string | string[] | null; limit?: number | null; offset?: number | null; useBeastMode?: boolean | null; format: "arrays" }): Promise<QueryResult>;
  appData(alias: string, options: { fields?: string | string[] | null; filter?: AppFilter | null; groupBy?: string | string[] | null; sum?: string | string[] | null; avg?: string | string[] | null; count?: string | string[] | null; min?: string | string[] | null; max?: string | string[] | null; unique?: string | string[] | null; dateGrain?: AppDateGrain | null; calendar?: "standard" | "fiscal" | null; orderBy?: string | string[] | null; limit?: number | null; offset?: number | null; useBeastMode?: boolean | null; format: "csv" | "excel" }): Promise<string>;
  appData(alias: string, options?: { fields?: string | string[] | null; filter?: AppFilter | null; groupBy?: string | string[] | null; sum?: string | string[] | null; avg?: string | string[] | null; count?: string | string[] | null; min?: string | string[] | null; max?: string | string[] | null; unique?: string | string[] | null; dateGrain?: AppDateGrain | null; calendar?: "standard" | "fiscal" | null; orderBy?: string | string[] | null; limit?: number | null; offset?: number | null; useBeastMode?: boolean | null; format?: "objects" | null } | null): Promise<Record<string, unknown>[]>;
  appData(alias: string, options?: { fields?: string | string[] | null; filter?: AppFilter | null; groupBy?: string | string[] | null; sum?: string | string[] | null; avg?: string | string[] | null; count?: string | string[] | null; min?: string | string[] | null; max?: string | string[] | null; unique?: string | string[] | null; dateGrain?: AppDateGrain | null; calendar?: "standard" | "fiscal" | null; orderBy?: string | string[] | null; limit?: number | null; offset?: number | null; useBeastMode?: boolean | null; format?: "objects" | "arrays" | "csv" | "excel" | null } | null): Promise<Record<string, unknown>[] | QueryResult | string>;

  /**
   * `POST /sql/v1/{alias}` with the SQL as a `text/plain` body. The
   * result is the same envelope as the product query API (both forms
   * decode). A query reads; sending it twice is harmless.
   * @param alias The dataset's alias in the app's manifest.
   * @param sql The SQL; the dataset is named by its alias.
   */
  appSql(alias: string, sql: string): Promise<QueryResult>;

  /**
   * `GET /domo/environment/v1`: who is looking at the app, as Domo
   * knows it (the page's query string, which ryuu.js reads as
   * `domo.env`, can be changed by the viewer).
   */
  environment(): Promise<Environment>;

  /**
   * `GET /domo/users/v1`: the instance's users, with their details
   * unless `includeDetails` is false.
   * @param options.includeDetails Each user's email, title and phone (`detail`); default true.
   * @param options.limit Users at most.
   * @param options.offset Users to skip.
   */
  users(options?: { includeDetails?: boolean | null; limit?: number | null; offset?: number | null } | null): Promise<AppUser[]>;

  /**
   * `POST /domo/datastores/v1/export`: sync every `syncEnabled`
   * collection into its dataset now (Domo also does it on a timer, about
   * every 15 minutes). A 423 means an export is running.
   */
  syncAppDb(): Promise<void>;

  /**
   * `POST /api/content/v2/authentication`
   * `{"method": "password", "emailAddress", "password"}`. Send it without
   * credentials (`crate::Credentials::None`).
   * @param email The user's email address.
   * @param password The password.
   */
  login(email: string, password: string): Promise<LoginReply>;

  /**
   * `GET /api/data/v3/datasources/{id}/data?offset&limit&filter`: one page
   * of rows as JSON.
   * @param datasetId The dataset.
   * @param options.offset Rows to skip.
   * @param options.limit Rows at most.
   * @param options.filter A filter in the Data API's grammar (`region = 'East'`).
   */
  getData(datasetId: string, options?: { offset?: number | null; limit?: number | null; filter?: string | null } | null): Promise<DataPage>;

  /**
   * `GET /api/data/v3/datasources/{id}/data?format=csv`: CSV with a
   * header row.
   * @param datasetId The dataset.
   * @param options.offset Rows to skip.
   * @param options.limit Rows at most.
   * @param options.filter A filter in the Data API's grammar.
   */
  getDataCsv(datasetId: string, options?: { offset?: number | null; limit?: number | null; filter?: string | null } | null): Promise<string>;

  /**
   * `GET /api/data/v2/datasources/{id}/dataversions/latest?includeHeader=true`
   * with `Accept: text/csv`: the export real clients use. Nulls are `\N`.
   * Every client includes the header row unless told not to.
   * @param datasetId The dataset.
   * @param options.includeHeader Whether the first line names the columns (the default).
   */
  exportCsv(datasetId: string, options?: { includeHeader?: boolean | null } | null): Promise<string>;

  /**
   * Covers the seed's "Get DataSource" (`part`, `includeAllDetails`) and
   * "Get Metadata" (`requestedParts`) sections: one path, optional parts.
   * @param datasetId The dataset.
   * @param options.part `part=core,permission,...`
   * @param options.includeAllDetails `includeAllDetails=true|false`
   * @param options.requestedParts `requestedParts=core,permission`
   */
  getDataset(datasetId: string, options?: { part?: string | string[] | null; includeAllDetails?: boolean | null; requestedParts?: string | string[] | null } | null): Promise<Dataset>;

  /**
   * Covers the seed's "Get DataSource" (`part`, `includeAllDetails`) and
   * "Get Metadata" (`requestedParts`) sections: one path, optional parts.
   * @param datasetId The dataset.
   * @param requestedParts `requestedParts=core,permission`
   */
  getMetadata(datasetId: string, requestedParts?: string | string[] | null): Promise<Dataset>;

  /**
   * `GET /api/data/v3/datasources?limit&offset`: one page of the datasets
   * the caller can see. To list them all, page with `DatasetPages`.
   * @param limit Datasets per page, at most `DatasetPages::PAGE`.
   * @param offset Datasets to skip.
   */
  listDatasetsPage(limit?: number | null, offset?: number | null): Promise<DatasetList>;

  /**
   * `POST /api/search/v1/query`: one page of a dataset search (the route
   * domolibrary uses). To read every hit, page with `SearchPages`; a
   * `DatasetSearch` builds the first page.
   * @param text Matched against the name, case-insensitively; see
   * `DatasetSearch::text`.
   * @param options.owner Only datasets owned by this user.
   * @param options.count Hits per page.
   * @param options.offset Hits to skip.
   */
  searchDatasetsPage(text?: string | null, options?: { owner?: Id | null; count?: number | null; offset?: number | null } | null): Promise<SearchResult>;

  /**
   * `POST /api/data/ui/v3/datasources/search`: the browser tools' search,
   * one page, answered as a `DatasetList` of whole datasets.
   * @param text As `SearchDatasets::text`.
   * @param options.owner As `SearchDatasets::owner`.
   * @param options.count Datasets per page.
   * @param options.offset Datasets to skip.
   */
  uiSearchDatasetsPage(text?: string | null, options?: { owner?: Id | null; count?: number | null; offset?: number | null } | null): Promise<DatasetList>;

  /**
   * `POST /api/data/v1/streams` with an API-type stream whose data source
   * is a new dataset: how real clients create one (the reply is the
   * stream; its `domo_model::streams::Stream::dataset_id` is the
   * dataset). Not idempotent: each call creates a dataset.
   * @param name The dataset's name.
   * @param description Its description.
   * @param columns Its columns.
   */
  createDataset(name: string, description: string | null | undefined, columns: Column[]): Promise<Stream>;

  /**
   * `POST /api/data/v2/datasources`: a dataset with no stream behind it
   * (domolibrary's `create`). Not idempotent: each call creates a
   * dataset. The stream-backed way is `CreateDataset`.
   * @param name The dataset's name.
   * @param columns Its columns.
   * @param options.description Its description.
   */
  createDatasetWithoutStream(name: string, columns: Column[], options?: { description?: string | null } | null): Promise<CreatedDataset>;

  /**
   * `PUT /api/data/v3/datasources/{id}/properties`: rename and describe.
   * Servers answer with an empty 200 (`None`) or the dataset.
   * @param datasetId The dataset.
   * @param dataSourceName Its new name.
   */
  renameDataset(datasetId: string, dataSourceName?: string | null): Promise<Dataset | Record<string, never>>;

  /**
   * `PUT /api/data/v3/datasources/{id}/properties`: rename and describe.
   * Servers answer with an empty 200 (`None`) or the dataset.
   * @param datasetId The dataset.
   * @param dataSourceDescription Its new description.
   */
  describeDataset(datasetId: string, dataSourceDescription?: string | null): Promise<Dataset | Record<string, never>>;

  /**
   * `PUT /api/data/v3/datasources/{id}/properties`: rename and describe.
   * Servers answer with an empty 200 (`None`) or the dataset.
   * @param datasetId The dataset.
   * @param options.dataSourceName Its new name.
   * @param options.dataSourceDescription Its new description.
   */
  setDatasetProperties(datasetId: string, options?: { dataSourceName?: string | null; dataSourceDescription?: string | null } | null): Promise<Dataset | Record<string, never>>;

  /**
   * `DELETE /api/data/v3/datasources/{id}?deleteMethod=hard`.
   * @param datasetId The dataset.
   * @param options.deleteMethod How: hard (the default) or soft.
   */
  deleteDataset(datasetId: string, options?: { deleteMethod?: "hard" | "soft" | null } | null): Promise<void>;

  /**
   * `POST /api/data/v3/datasources/{id}/indexes` `{"dataIds": }`:
   * index the dataset's data.
   * @param datasetId The dataset.
   * @param options.dataIds The data versions to index; none means the current data.
   */
  startIndex(datasetId: string, options?: { dataIds?: Id[] | null } | null): Promise<IndexJob>;

  /**
   * `GET /api/data/v3/datasources/{id}/indexes/{indexId}/statuses`.
   * @param datasetId The dataset.
   * @param indexId The job.
   */
  indexStatus(datasetId: string, indexId: Id): Promise<IndexJob>;

  /**
   * `GET .../partition` (the seed's "Get/Retrieve Partition List").
   * @param datasetId The dataset.
   */
  listPartitions(datasetId: string): Promise<Partition[]>;

  /**
   * `POST .../partition/list`: one page, newest first. To list every
   * partition, page with `PartitionPages`. A listing reads; sending
   * it twice is harmless.
   * @param datasetId The dataset.
   * @param limit Partitions per page.
   * @param offset Partitions to skip.
   */
  listPartitionsPage(datasetId: string, limit?: number | null, offset?: number | null): Promise<Partition[]>;

  /**
   * `POST .../partition/search` `{"filter": ...}`. A search reads.
   * @param datasetId The dataset.
   * @param filter What to match, as the server reads it.
   */
  searchPartitions(datasetId: string, filter: unknown): Promise<Partition[]>;

  /**
   * `DELETE .../tag/{pid}/data`: the partition's data is gone, the tag
   * stays. Prefer `DeletePartition`, which drops the tag too.
   * @param datasetId The dataset.
   * @param partitionId The partition.
   */
  deletePartitionData(datasetId: string, partitionId: Id): Promise<void>;

  /**
   * `DELETE .../partition/{pid}`: drop the tag.
   * @param datasetId The dataset.
   * @param partitionId The partition.
   */
  deletePartitionTag(datasetId: string, partitionId: Id): Promise<void>;

  /**
   * `GET .../data-control/{id}/filter-groups?options=...`: a bare array.
   * @param datasetId The dataset.
   */
  listPolicies(datasetId: string): Promise<Policy[]>;

  /**
   * `POST .../filter-groups`: create a policy; the reply is the policy
   * with its `filterGroupId`. `dataSourceId` is filled in from the
   * dataset id when the policy does not name it, and must match it when
   * it does.
   * @param datasetId The dataset.
   * @param policy The policy.
   */
  createPolicy(datasetId: string, policy: PolicyInput): Promise<Policy>;

  /**
   * `PUT .../filter-groups/{policyId}` with the whole policy; its
   * `filterGroupId` is filled in from the policy id, and must match it
   * when given. Some servers answer an empty 200: the policy sent is
   * then what holds.
   * @param datasetId The dataset.
   * @param policyId The policy to change.
   * @param policy The whole policy as it is to be.
   */
  updatePolicy(datasetId: string, policyId: Id, policy: PolicyInput): Promise<Policy>;

  /**
   * `DELETE .../filter-groups/{policyId}`.
   * @param datasetId The dataset.
   * @param policyId The policy.
   */
  deletePolicy(datasetId: string, policyId: Id): Promise<void>;

  /**
   * `PUT /api/query/v1/data-control/{id}` `{"enabled", "external"}`: PDP
   * on or off. The reply is an empty 200 or `{"enabled"}`.
   * @param datasetId The dataset.
   * @param enabled Whether row policies apply.
   * @param options.external Whether external users are filtered too.
   */
  setPdp(datasetId: string, enabled: boolean, options?: { external?: boolean | null } | null): Promise<PdpState>;

  /**
   * `GET .../{id}/permissions`: who has access, `{"list": ...}` (a bare
   * array from some servers reads the same).
   * @param datasetId The dataset.
   */
  listPermissions(datasetId: string): Promise<PermissionList>;

  /**
   * `POST .../{id}/share`: grant access. Sharing the same grant twice
   * leaves one grant, so this is safe to retry.
   * @param datasetId The dataset.
   * @param permissions Users or groups with an access level.
   * @param options.sendEmail Whether Domo mails the people given access.
   */
  share(datasetId: string, permissions: Permission[], options?: { sendEmail?: boolean | null } | null): Promise<void>;

  /**
   * `DELETE .../{id}/permissions/USER/{userId}`: a user's grant is gone.
   * @param datasetId The dataset.
   * @param userId The user.
   */
  revokeUser(datasetId: string, userId: Id): Promise<void>;

  /**
   * `DELETE .../{id}/USERS/{userId}`: the user is removed from the
   * dataset's sharing list.
   * @param datasetId The dataset.
   * @param userId The user.
   */
  removeUser(datasetId: string, userId: Id): Promise<void>;

  /**
   * `DELETE .../{id}/users` with a JSON array body: a DELETE with a
   * body, which every transport must carry.
   * @param datasetId The dataset.
   * @param users The users and groups to remove.
   */
  removeUsers(datasetId: string, users: PrincipalRef[]): Promise<void>;

  /**
   * Run `sql` against one dataset, named `table` in the SQL. A query
   * reads; sending it twice is harmless. Typed replies are decoded
   * through the same decoder as the streamed rows
   * (`crate::query_stream`); as JSON, either wire form becomes the
   * envelope.
   * @param datasetId The dataset.
   * @param sql The SQL; the dataset is `table`.
   */
  query(datasetId: string, sql: string): Promise<QueryResult>;

  /**
   * `POST /api/query/v1/execute/export/{id}?includeHeader=...` with
   * `Accept: text/csv`: the query as CSV (UTF-8, possibly with a byte
   * order mark, which is removed). Servers without it answer 404 or 406
   * (`ExecuteQueryCsv::not_offered`); some answer with the JSON
   * envelope instead, which callers decode as `ExecuteQuery`'s reply.
   * @param datasetId The dataset.
   * @param sql The SQL; the dataset is `table`.
   * @param options.includeHeader Whether the first line names the columns (the default).
   */
  queryCsv(datasetId: string, sql: string, options?: { includeHeader?: boolean | null } | null): Promise<string>;

  /**
   * `POST /api/data/v2/datasources/{id}/schemas`: replace the column list
   * (add, rename, reorder, change type, mark `upsertKey`), in the form
   * domolibrary's `alter_schema` sends (`{"columns", "objects": }`).
   * The server keeps the rows. Sending the same schema twice is sending
   * it once. Servers answer with an empty 200 or the schema; neither is
   * read.
   * @param datasetId The dataset.
   * @param columns Every column it is to have, in order.
   */
  alterSchema(datasetId: string, columns: Column[]): Promise<void>;

  /**
   * `GET /api/data/v3/datasources/{id}/schema` (seed).
   * @param datasetId The dataset.
   */
  getSchema(datasetId: string): Promise<Schema>;

  /**
   * `GET /api/data/v2/datasources/{id}/schemas/latest`.
   * @param datasetId The dataset.
   */
  getLatestSchema(datasetId: string): Promise<LatestSchema>;

  /**
   * `GET /api/query/v1/datasources/{id}/schema/indexed?includeHidden=...`.
   * @param datasetId The dataset.
   * @param options.includeHidden Whether hidden columns are listed too.
   */
  getIndexedSchema(datasetId: string, options?: { includeHidden?: boolean | null } | null): Promise<IndexedSchema>;

  /**
   * `POST /api/data/v1/streams`: a stream, with the dataset its
   * `dataSource` describes. Not idempotent: each call creates one.
   * @param request The stream.
   */
  createStream(request: StreamRequest): Promise<Stream>;

  /**
   * `GET /api/data/v1/streams/{id}`.
   * @param streamId The stream.
   */
  getStream(streamId: Id): Promise<Stream>;

  /**
   * `PUT /api/data/v1/streams/{id}` with the whole stream.
   * @param streamId The stream.
   * @param request The whole stream as it is to be.
   */
  updateStream(streamId: Id, request: StreamRequest): Promise<Stream>;

  /**
   * `GET /api/data/v1/streams/search?q=dataSource.id:{id}`: the streams
   * feeding a dataset.
   * @param datasetId The dataset.
   */
  searchStreams(datasetId: string): Promise<Stream[]>;

  /**
   * `POST .../streams/{id}/executions` `{"action": "MANUAL"}`: start a
   * run (for an API stream, open an execution that takes parts). Not
   * idempotent: each call starts one.
   * @param streamId The stream.
   */
  runStream(streamId: Id): Promise<Execution>;

  /**
   * `GET .../streams/{id}/history/aggregate`: past executions.
   * @param streamId The stream.
   */
  streamHistory(streamId: Id): Promise<Execution[]>;

  /**
   * `PUT .../executions/{eid}/part/{n}`: one part of an execution, CSV
   * without a header row. Re-sending a part number replaces that part,
   * so it is idempotent.
   * @param streamId The stream.
   * @param executionId The execution.
   * @param part From 1, contiguous.
   * @param csv The part's bytes.
   */
  uploadExecutionPart(streamId: Id, executionId: Id, part: number, csv: string | Uint8Array): Promise<void>;

  /**
   * `PUT .../executions/{eid}/commit`: load the execution's parts. A
   * retried commit may find the first one landed: see
   * `CommitExecution::settle`.
   * @param streamId The stream.
   * @param executionId The execution.
   */
  commitExecution(streamId: Id, executionId: Id): Promise<Execution>;

  /**
   * `PUT .../executions/{eid}/abort`: its parts are dropped, its state
   * `ABORTED`.
   * @param streamId The stream.
   * @param executionId The execution.
   */
  abortExecution(streamId: Id, executionId: Id): Promise<Execution>;

  /**
   * Replace the dataset's tags. It replaces the whole set, so sending it
   * twice is the same as once.
   * @param datasetId The dataset.
   * @param tags Every tag it is to have.
   */
  setTags(datasetId: string, tags?: string | string[] | null): Promise<void>;

  /**
   * `GET /api/data/v1/accesstokens`: every token, never a value. Should
   * a server send one anyway, it is dropped here.
   */
  listAccessTokens(): Promise<AccessToken[]>;

  /**
   * `POST /api/data/v1/accesstokens` `{"name", "ownerId", "expires"}`:
   * a new token for `owner_id`, valid until `expires`. Its value is in
   * this reply only (`MintedToken::value`). Not idempotent: each call
   * mints a token.
   * @param name What the token is for, as the list shows it.
   * @param ownerId The user it acts as.
   * @param expires When it stops working, in epoch milliseconds.
   */
  createAccessToken(name: string, ownerId: Id, expires: number): Promise<AccessToken & { token: string }>;

  /**
   * `DELETE /api/data/v1/accesstokens/{id}`: the token stops working.
   * @param tokenId The token (its id, never its value).
   */
  revokeAccessToken(tokenId: Id): Promise<void>;

  /**
   * Stage 1: `POST .../uploads` → an upload id, in the form real clients
   * send (`{"action": null, "appendId": null}`, a partition's `dataTag`).
   * Not idempotent: each call opens a new upload.
   * @param datasetId The dataset.
   * @param options.partition Upload into this partition (`dataTag`).
   */
  startUpload(datasetId: string, options?: { partition?: string | null } | null): Promise<UploadSession>;

  /**
   * Stage 2: `PUT .../uploads/{uploadId}/parts/{n}`, CSV without a
   * header row. Re-sending a part number replaces that part, so it is
   * idempotent.
   * @param datasetId The dataset.
   * @param uploadId The upload.
   * @param part From 1, contiguous.
   * @param csv The part's bytes.
   */
  uploadPart(datasetId: string, uploadId: Id, part: number, csv: string | Uint8Array): Promise<void>;

  /**
   * Stage 3: `PUT .../uploads/{uploadId}/commit`: apply every part.
   * Servers refuse a second commit of the same upload, so a retry cannot
   * apply the data twice (see `CommitUpload::settle`). An upsert
   * commits as `APPEND`: the dataset's `upsertKey` columns make the
   * append an upsert. A partitioned commit sends its tag and
   * `"appendId": "latest"`, as real clients do.
   * @param datasetId The dataset.
   * @param uploadId The upload.
   * @param options.action Append (the default), replace, or upsert.
   * @param options.partition Commit into this partition (`dataTag`).
   */
  commitUpload(datasetId: string, uploadId: Id, options?: { action?: UploadAction | null; partition?: string | null } | null): Promise<CommitResult>;

  /**
   * The seed's "append row": `POST .../uploads` `{"values", "delimiter"}`.
   * Not idempotent: each call appends a row.
   * @param datasetId The dataset.
   * @param values One row's values, delimited.
   * @param options.delimiter The delimiter: one character.
   */
  appendRow(datasetId: string, values: string, options?: { delimiter?: string | null } | null): Promise<void>;

  /**
   * `GET /api/content/v2/users/me`.
   */
  whoami(): Promise<User>;

  /**
   * Every data version of the dataset, oldest first.
   * @param datasetId The dataset.
   */
  listDataVersions(datasetId: string): Promise<DataVersion[]>;

  /**
   * One AppDB collection of the app (declared in manifest.json's `collections`): its documents as `{id, content, ...}`, queried with MongoDB filters over `content.*` paths.
   * @param collection The collection's name.
   */
  appDb(collection: string): AppCollection;
}

/** What `DomoClient.appDb` returns. */
export interface AppCollection {
  /** The collection's name. */
  readonly collection: string;

  /**
   * `GET .../collections/{collection}/documents/`: every document, in
   * creation order.
   */
  list(): Promise<AppDocument[]>;

  /**
   * `POST .../documents/` `{"content": {...}}`: a new document. Not
   * idempotent: each call stores one.
   * @param content What to store: fields the collection's schema names must have
   * their column's type.
   */
  create(content: Record<string, unknown>): Promise<AppDocument>;

  /**
   * `GET .../documents/{documentId}`.
   * @param documentId The document's id.
   */
  get(documentId: string): Promise<AppDocument>;

  /**
   * `PUT .../documents/{documentId}` `{"content": {...}}`: the
   * document's content replaced.
   * @param documentId The document's id.
   * @param content The new content.
   */
  update(documentId: string, content: Record<string, unknown>): Promise<AppDocument>;

  /**
   * `PUT .../documents/update` `{query, operation}`: every document the
   * query matches changed by the operation (`{"$set": {"content.done":
   * true}}`, `$unset`, `$inc`, `$push`, ...); answers how many changed.
   * @param query Which documents (a MongoDB filter; `{}` for all).
   * @param operation What to change in each (MongoDB update operators).
   */
  partialUpdate(query: Record<string, unknown>, operation: Record<string, unknown>): Promise<number>;

  /**
   * `DELETE .../documents/{documentId}`.
   * @param documentId The document's id.
   */
  delete(documentId: string): Promise<void>;

  /**
   * `POST .../documents/query` with a MongoDB `find()` filter: the
   * documents it matches (`{}`, the default, matches all), at most
   * `limit` (AppDB's default: 10,000). A query reads; sending it twice is
   * harmless.
   * @param query Which documents: `{"content.units": {"$gte": 2}}`, `$or`, `$in`,
   * dates as `{"$date": "..."}`.
   * @param options.orderBy `content.units descending`, `createdOn`: the order.
   * @param options.limit Documents at most.
   * @param options.offset Documents to skip.
   */
  query(query?: Record<string, unknown> | null, options?: { orderBy?: string | string[] | null; limit?: number | null; offset?: number | null } | null): Promise<AppDocument[]>;

  /**
   * `POST .../documents/query` with the aggregation parameters: the
   * matching documents grouped and folded into rows (`groupBy`
   * `content.region`, `sum` `content.units units`), each group key
   * under its path's last segment.
   * @param options.query Which documents (a MongoDB filter; default all).
   * @param options.groupBy Paths to group by (`content.region`); without, one row over
   * every document.
   * @param options.count The name of a count of each group's documents.
   * @param options.sum `content.units units`: a path to sum, and the name to give it.
   * @param options.avg Paths to average, each with a name.
   * @param options.min Paths whose smallest value to return, each with a name.
   * @param options.max Paths whose largest value to return, each with a name.
   * @param options.unwind An array path: one row per element.
   * @param options.orderBy `units descending`: by a group key or an aggregate's name.
   * @param options.limit Rows at most.
   * @param options.offset Rows to skip.
   */
  aggregate(options?: { query?: Record<string, unknown> | null; groupBy?: string | string[] | null; count?: string | null; sum?: string | string[] | null; avg?: string | string[] | null; min?: string | string[] | null; max?: string | string[] | null; unwind?: string | string[] | null; orderBy?: string | string[] | null; limit?: number | null; offset?: number | null } | null): Promise<Record<string, unknown>[]>;

  /**
   * `POST .../documents/bulk` with a list of `{"content": {...}}`:
   * every document stored, or none.
   * @param documents The documents (`{content}` each).
   */
  bulkCreate(documents: DocumentRequest[]): Promise<BulkResult>;

  /**
   * `PUT .../documents/bulk` with a list of `{"id"?, "content"}`: a
   * document with the `id` of a stored one replaces it; the others are
   * created.
   * @param documents The documents (`{id?, content}` each).
   */
  bulkUpsert(documents: DocumentRequest[]): Promise<BulkResult>;

  /**
   * `DELETE .../documents/bulk?ids=a,b`.
   * @param ids The ids of the documents to delete.
   */
  bulkDelete(ids?: string | string[] | null): Promise<BulkResult>;
}

/** What each method of `AppCollection` resolves to, by method name. */
export interface AppCollectionReplies {
  list: AppDocument[];
  create: AppDocument;
  get: AppDocument;
  update: AppDocument;
  partialUpdate: number;
  delete: void;
  query: AppDocument[];
  aggregate: Record<string, unknown>[];
  bulkCreate: BulkResult;
  bulkUpsert: BulkResult;
  bulkDelete: BulkResult;
}

/**
 * What each method above resolves to, by method name (the type its
 * Promise declares). `MethodReplies` adds the other methods.
 */
export interface EndpointReplies {
  appData: Record<string, unknown>[] | QueryResult | string;
  appSql: QueryResult;
  environment: Environment;
  users: AppUser[];
  syncAppDb: void;
  login: LoginReply;
  getData: DataPage;
  getDataCsv: string;
  exportCsv: string;
  getDataset: Dataset;
  getMetadata: Dataset;
  listDatasetsPage: DatasetList;
  searchDatasetsPage: SearchResult;
  uiSearchDatasetsPage: DatasetList;
  createDataset: Stream;
  createDatasetWithoutStream: CreatedDataset;
  renameDataset: Dataset | Record<string, never>;
  describeDataset: Dataset | Record<string, never>;
  setDatasetProperties: Dataset | Record<string, never>;
  deleteDataset: void;
  startIndex: IndexJob;
  indexStatus: IndexJob;
  listPartitions: Partition[];
  listPartitionsPage: Partition[];
  searchPartitions: Partition[];
  deletePartitionData: void;
  deletePartitionTag: void;
  listPolicies: Policy[];
  createPolicy: Policy;
  updatePolicy: Policy;
  deletePolicy: void;
  setPdp: PdpState;
  listPermissions: PermissionList;
  share: void;
  revokeUser: void;
  removeUser: void;
  removeUsers: void;
  query: QueryResult;
  queryCsv: string;
  alterSchema: void;
  getSchema: Schema;
  getLatestSchema: LatestSchema;
  getIndexedSchema: IndexedSchema;
  createStream: Stream;
  getStream: Stream;
  updateStream: Stream;
  searchStreams: Stream[];
  runStream: Execution;
  streamHistory: Execution[];
  uploadExecutionPart: void;
  commitExecution: Execution;
  abortExecution: Execution;
  setTags: void;
  listAccessTokens: AccessToken[];
  createAccessToken: AccessToken & { token: string };
  revokeAccessToken: void;
  startUpload: UploadSession;
  uploadPart: void;
  commitUpload: CommitResult;
  appendRow: void;
  whoami: User;
  listDataVersions: DataVersion[];
}
