// Generated from domo-core's endpoint declarations by `UPDATE_TS=1 cargo test -p
// domo-integration-tests --test browser_methods`; do not edit.
//
// The methods of DomoClient that run one declared endpoint: the method, the
// endpoint and its arguments in order; `...` is an options object whose
// properties join the arguments. `call` does the rest in Rust (building the
// request from the declaration, retries, reading the reply). The package's
// entry points install them.
const METHODS = [
  ["appData", "AppData", "alias", "..."],
  ["appSql", "AppSql", "alias", "sql"],
  ["environment", "GetEnvironment"],
  ["users", "ListAppUsers", "..."],
  ["syncAppDb", "SyncAppDb"],
  ["login", "Login", "email", "password"],
  ["getData", "GetData", "datasetId", "..."],
  ["getDataCsv", "GetDataCsv", "datasetId", "..."],
  ["exportCsv", "ExportCsv", "datasetId", "..."],
  ["getDataset", "GetDataset", "datasetId", "..."],
  ["getMetadata", "GetDataset", "datasetId", "requestedParts"],
  ["listDatasetsPage", "ListDatasets", "limit", "offset"],
  ["searchDatasetsPage", "SearchDatasets", "text", "..."],
  ["uiSearchDatasetsPage", "UiSearchDatasets", "text", "..."],
  ["createDataset", "CreateDataset", "name", "description", "columns"],
  ["createDatasetWithoutStream", "CreateDatasetWithoutStream", "name", "columns", "..."],
  ["renameDataset", "SetProperties", "datasetId", "dataSourceName"],
  ["describeDataset", "SetProperties", "datasetId", "dataSourceDescription"],
  ["setDatasetProperties", "SetProperties", "datasetId", "..."],
  ["deleteDataset", "DeleteDataset", "datasetId", "..."],
  ["startIndex", "StartIndex", "datasetId", "..."],
  ["indexStatus", "IndexStatus", "datasetId", "indexId"],
  ["listPartitions", "ListPartitions", "datasetId"],
  ["listPartitionsPage", "ListPartitionsPage", "datasetId", "limit", "offset"],
  ["searchPartitions", "SearchPartitions", "datasetId", "filter"],
  ["deletePartitionData", "DeletePartitionData", "datasetId", "partitionId"],
  ["deletePartitionTag", "DeletePartitionTag", "datasetId", "partitionId"],
  ["listPolicies", "ListPolicies", "datasetId"],
  ["createPolicy", "CreatePolicy", "datasetId", "policy"],
  ["updatePolicy", "UpdatePolicy", "datasetId", "policyId", "policy"],
  ["deletePolicy", "DeletePolicy", "datasetId", "policyId"],
  ["setPdp", "SetPdp", "datasetId", "enabled", "..."],
  ["listPermissions", "ListPermissions", "datasetId"],
  ["share", "Share", "datasetId", "permissions", "..."],
  ["revokeUser", "RevokeUser", "datasetId", "userId"],
  ["removeUser", "RemoveUser", "datasetId", "userId"],
  ["removeUsers", "RemoveUsers", "datasetId", "users"],
  ["query", "ExecuteQuery", "datasetId", "sql"],
  ["queryCsv", "ExecuteQueryCsv", "datasetId", "sql", "..."],
  ["alterSchema", "AlterSchema", "datasetId", "columns"],
  ["getSchema", "GetSchema", "datasetId"],
  ["getLatestSchema", "GetLatestSchema", "datasetId"],
  ["getIndexedSchema", "GetIndexedSchema", "datasetId", "..."],
  ["createStream", "CreateStream", "request"],
  ["getStream", "GetStream", "streamId"],
  ["updateStream", "UpdateStream", "streamId", "request"],
  ["searchStreams", "SearchStreams", "datasetId"],
  ["runStream", "RunStream", "streamId"],
  ["streamHistory", "StreamHistory", "streamId"],
  ["uploadExecutionPart", "ExecutionPart", "streamId", "executionId", "part", "csv"],
  ["commitExecution", "CommitExecution", "streamId", "executionId"],
  ["abortExecution", "AbortExecution", "streamId", "executionId"],
  ["setTags", "SetTags", "datasetId", "tags"],
  ["listAccessTokens", "ListAccessTokens"],
  ["createAccessToken", "CreateAccessToken", "name", "ownerId", "expires"],
  ["revokeAccessToken", "RevokeAccessToken", "tokenId"],
  ["startUpload", "StartUpload", "datasetId", "..."],
  ["uploadPart", "UploadPart", "datasetId", "uploadId", "part", "csv"],
  ["commitUpload", "CommitUpload", "datasetId", "uploadId", "..."],
  ["appendRow", "AppendRow", "datasetId", "values", "..."],
  ["whoami", "WhoAmI"],
  ["listDataVersions", "ListDataVersions", "datasetId"],
];

// The objects methods of DomoClient return (`domo.appDb(name)`): the
// method, the class, the argument the object supplies to each of its
// methods, and those methods (as above).
const HANDLES = [
  ["appDb", "AppCollection", "collection", [
    ["list", "ListDocuments"],
    ["create", "CreateDocument", "content"],
    ["get", "GetDocument", "documentId"],
    ["update", "UpdateDocument", "documentId", "content"],
    ["partialUpdate", "PartialUpdateDocuments", "query", "operation"],
    ["delete", "DeleteDocument", "documentId"],
    ["query", "QueryDocuments", "query", "..."],
    ["aggregate", "AggregateDocuments", "..."],
    ["bulkCreate", "BulkCreateDocuments", "documents"],
    ["bulkUpsert", "BulkUpsertDocuments", "documents"],
    ["bulkDelete", "BulkDeleteDocuments", "ids"],
  ]],
];

/** Define each row's method on `target`; `fixed` gives the arguments its object supplies. */
function define(target, rows, fixed) {
  for (const [method, endpoint, ...params] of rows) {
    const value = function (...values) {
      const args = fixed ? fixed(this) : {};
      let options;
      params.forEach((p, i) => {
        if (p === "...") options = values[i];
        else args[p] = values[i];
      });
      return (fixed ? this.client : this).call(endpoint, args, options);
    };
    Object.defineProperty(value, "name", { value: method });
    Object.defineProperty(target, method, { value, writable: true, configurable: true });
  }
}

/** Add the methods to `DomoClient.prototype`, as class methods are, and the objects' classes. */
export function install(DomoClient) {
  define(DomoClient.prototype, METHODS);
  for (const [factory, name, arg, rows] of HANDLES) {
    const Handle = {
      [name]: class {
        constructor(client, value) {
          Object.defineProperty(this, "client", { value: client });
          Object.defineProperty(this, arg, { value, enumerable: true });
        }
      },
    }[name];
    define(Handle.prototype, rows, (h) => ({ [arg]: h[arg] }));
    const value = function (v) {
      if (typeof v !== "string" || v.trim() === "") throw new TypeError(`${factory}: \`${arg}\` must be a non-empty string`);
      return new Handle(this, v);
    };
    Object.defineProperty(value, "name", { value: factory });
    Object.defineProperty(DomoClient.prototype, factory, { value, writable: true, configurable: true });
  }
}
