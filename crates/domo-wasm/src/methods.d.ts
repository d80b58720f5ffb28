// The methods ../js/methods.js installs on DomoClient, one per domo-core
// endpoint, grouped as domo-core's modules are. Merged into the class
// declaration; `tests/tests/browser_methods.rs` checks that both files list
// the same methods.
export interface DomoClient {
  // ---- datasets ----
  /** `GET /api/data/v3/datasources/{id}`. */
  getDataset(datasetId: string, options?: GetDatasetOptions | null): Promise<Dataset>;
  /** The dataset, asking for specific parts (`requestedParts=core,permission`). */
  getMetadata(datasetId: string, requestedParts?: string[] | null): Promise<Dataset>;
  /**
   * Create a dataset the way real clients do: an API-type stream whose data source is the new
   * dataset. `stream.dataSource.id` is the dataset.
   */
  createDataset(name: string, description: string, columns: Column[]): Promise<Stream>;
  /**
   * One page of `GET /api/data/v3/datasources` (at most 50). Page with `offset` until a page
   * is shorter than `limit` or `_metaData.totalCount` datasets have arrived.
   */
  listDatasetsPage(limit: number, offset: number): Promise<DatasetList>;
  /**
   * One page of `POST /api/search/v1/query`: names containing `text` (a `*` makes it the
   * wildcard itself). Page with `offset` until `searchObjects` is empty.
   */
  searchDatasetsPage(text: string | null, options?: SearchDatasetsPageOptions | null): Promise<SearchResult>;
  /** `PUT .../{id}/properties` with the new name. */
  renameDataset(datasetId: string, dataSourceName: string): Promise<void>;
  /** `PUT .../{id}/properties` with the new description. */
  describeDataset(datasetId: string, dataSourceDescription: string): Promise<void>;
  /** `DELETE .../{id}?deleteMethod=hard` (or `{deleteMethod: "soft"}`: no parameter). */
  deleteDataset(datasetId: string, options?: DeleteDatasetOptions | null): Promise<void>;

  // ---- users ----
  /** The user the token belongs to (`GET /api/content/v2/users/me`). */
  whoami(): Promise<User>;

  // ---- schema ----
  /**
   * Replace the column list (`POST /api/data/v2/datasources/{id}/schemas`): add, rename,
   * reorder, change a type, mark `upsertKey: true` columns. Send the whole list.
   */
  alterSchema(datasetId: string, columns: Column[]): Promise<void>;
  /** `GET .../{id}/schema` (the documented path). */
  getSchema(datasetId: string): Promise<Schema>;
  /** `GET /api/data/v2/datasources/{id}/schemas/latest`. */
  getLatestSchema(datasetId: string): Promise<LatestSchema>;
  /** `GET /api/query/v1/datasources/{id}/schema/indexed`. */
  getIndexedSchema(datasetId: string, includeHidden?: boolean | null): Promise<IndexedSchema>;

  // ---- data ----
  /** One page of rows as JSON (`offset`, `limit`, `filter`). */
  getData(datasetId: string, window?: DataWindow | null): Promise<DataPage>;
  /** Rows as CSV text with a header row (`.../data?format=csv`). */
  getDataCsv(datasetId: string, window?: DataWindow | null): Promise<string>;
  /** The whole dataset as CSV text (`\N` for nulls) through the v2 export. */
  exportCsv(datasetId: string, includeHeader?: boolean | null): Promise<string>;

  // ---- query ----
  /** Run SQL against one dataset, named `table` in the SQL. */
  query(datasetId: string, sql: string): Promise<QueryResult>;

  // ---- permissions ----
  listPermissions(datasetId: string): Promise<PermissionList>;
  /** Grant users or groups an access level. */
  share(datasetId: string, permissions: Permission[], sendEmail?: boolean | null): Promise<void>;
  /** `DELETE .../permissions/USER/{userId}`. */
  revokeUser(datasetId: string, userId: Id): Promise<void>;
  /** `DELETE .../USERS/{userId}`. */
  removeUser(datasetId: string, userId: Id): Promise<void>;
  /** `DELETE .../users` with the principals as a JSON body. */
  removeUsers(datasetId: string, users: PrincipalRef[]): Promise<void>;

  // ---- tags, versions, indexes ----
  /** Replace the dataset's tags. */
  setTags(datasetId: string, tags: string[]): Promise<void>;
  listDataVersions(datasetId: string): Promise<DataVersion[]>;
  /** Start building the dataset's index (data is queryable once built). */
  startIndex(datasetId: string): Promise<IndexJob>;
  indexStatus(datasetId: string, indexId: Id): Promise<IndexJob>;

  // ---- partitions ----
  /** `GET .../partition` (the documented list). */
  listPartitions(datasetId: string): Promise<Partition[]>;
  /** One page of `POST .../partition/list`, newest first; `listAllPartitions` pages for you. */
  listPartitionsPage(datasetId: string, limit: number, offset: number): Promise<Partition[]>;
  /** `POST .../partition/search` `{"filter": ...}`. */
  searchPartitions(datasetId: string, filter: JsonValue): Promise<Partition[]>;
  /** `DELETE .../tag/{partitionId}/data`: the data goes, the tag stays. */
  deletePartitionData(datasetId: string, partitionId: Id): Promise<void>;
  /** `DELETE .../partition/{partitionId}`: drop the tag. */
  deletePartitionTag(datasetId: string, partitionId: Id): Promise<void>;

  // ---- streams ----
  createStream(request: StreamRequest): Promise<Stream>;
  getStream(streamId: Id): Promise<Stream>;
  updateStream(streamId: Id, request: StreamRequest): Promise<Stream>;
  /** The streams feeding a dataset. */
  searchStreams(datasetId: string): Promise<Stream[]>;
  /** Start a manual run. */
  runStream(streamId: Id): Promise<Execution>;
  streamHistory(streamId: Id): Promise<Execution[]>;

  // ---- uploads, stage by stage ----
  /** Append one delimited row (`{"values", "delimiter"}`; default `,`). */
  appendRow(datasetId: string, values: string, delimiter?: string | null): Promise<void>;
  /** Stage 1 of an upload. Prefer `uploadCsv`. */
  startUpload(datasetId: string, request?: UploadStartRequest | null): Promise<UploadSession>;
  /** Stage 3: apply every staged part. */
  commitUpload(datasetId: string, uploadId: Id, request: CommitRequest): Promise<CommitResult>;

  // ---- custom apps ----
  /** `GET /data/v1/{alias}`: the rows of the dataset the app's manifest maps to `alias`, as objects. */
  appData(alias: string, query?: AppDataQuery | null): Promise<Record<string, JsonValue>[]>;
  /** `POST /sql/v1/{alias}` with the SQL as `text/plain`. */
  appSql(alias: string, sql: string): Promise<QueryResult>;

  // ---- row policies (PDP) ----
  /** `GET /api/query/v1/data-control/{id}/filter-groups`: every policy, the open "All Rows" one included. */
  listPolicies(datasetId: string): Promise<Policy[]>;
  /** Create a policy (`dataSourceId` is filled in); the reply carries its `filterGroupId`. */
  createPolicy(datasetId: string, policy: Partial<Policy> & { name: string }): Promise<Policy>;
  /** Replace a policy with `policy` (the whole policy; `filterGroupId` is filled in). */
  updatePolicy(datasetId: string, policyId: Id, policy: Partial<Policy> & { name: string }): Promise<Policy>;
  deletePolicy(datasetId: string, policyId: Id): Promise<void>;
  /** Turn row policies on or off (`PUT /api/query/v1/data-control/{id}`). */
  setPdp(datasetId: string, enabled: boolean, external?: boolean | null): Promise<PdpState>;

  // ---- access tokens ----
  /** Every access token, never a value. */
  listAccessTokens(): Promise<AccessToken[]>;
  /** Mint a token for `ownerId` expiring at `expires` (epoch ms): the reply's `token` is the only time the value is shown. */
  createAccessToken(name: string, ownerId: Id, expires: number): Promise<AccessToken & { token: string }>;
  /** Revoke a token: it stops working at once. */
  revokeAccessToken(tokenId: Id): Promise<void>;
}
