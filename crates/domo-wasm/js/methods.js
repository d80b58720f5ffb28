// The methods of DomoClient that run one domo-core endpoint. Each row names
// the method, the endpoint (a row of domo-core's `named::ENDPOINTS`) and the
// arguments in order; `call` does the rest in Rust (building the endpoint,
// retries, reading the reply), so a method costs the package one row here.
// A parameter written `...` is an options object whose properties join the
// arguments. Grouped as domo-core's modules are; the declarations are in
// ../src/methods.d.ts. The package's entry points install them.
const METHODS = [
  // datasets
  ["getDataset", "GetDataset", "datasetId", "..."],
  ["getMetadata", "GetDataset", "datasetId", "requestedParts"],
  ["createDataset", "CreateDataset", "name", "description", "columns"],
  // one page each: page with `offset` (a Rust loop over domo-core's
  // DatasetPages/SearchPages did not fit the package's size budget)
  ["listDatasetsPage", "ListDatasets", "limit", "offset"],
  ["searchDatasetsPage", "SearchDatasets", "text", "..."],
  ["renameDataset", "SetProperties", "datasetId", "dataSourceName"],
  ["describeDataset", "SetProperties", "datasetId", "dataSourceDescription"],
  ["deleteDataset", "DeleteDataset", "datasetId", "..."],
  // users
  ["whoami", "WhoAmI"],
  // schema
  ["alterSchema", "AlterSchema", "datasetId", "columns"],
  ["getSchema", "GetSchema", "datasetId"],
  ["getLatestSchema", "GetLatestSchema", "datasetId"],
  ["getIndexedSchema", "GetIndexedSchema", "datasetId", "includeHidden"],
  // data
  ["getData", "GetData", "datasetId", "..."],
  ["getDataCsv", "GetDataCsv", "datasetId", "..."],
  ["exportCsv", "ExportCsv", "datasetId", "includeHeader"],
  // query
  ["query", "ExecuteQuery", "datasetId", "sql"],
  // permissions
  ["listPermissions", "ListPermissions", "datasetId"],
  ["share", "Share", "datasetId", "permissions", "sendEmail"],
  ["revokeUser", "RevokeUser", "datasetId", "userId"],
  ["removeUser", "RemoveUser", "datasetId", "userId"],
  ["removeUsers", "RemoveUsers", "datasetId", "users"],
  // tags, versions, indexes
  ["setTags", "SetTags", "datasetId", "tags"],
  ["listDataVersions", "ListDataVersions", "datasetId"],
  ["startIndex", "StartIndex", "datasetId"],
  ["indexStatus", "IndexStatus", "datasetId", "indexId"],
  // partitions (listAllPartitions and deletePartition are in Rust)
  ["listPartitions", "ListPartitions", "datasetId"],
  ["listPartitionsPage", "ListPartitionsPage", "datasetId", "limit", "offset"],
  ["searchPartitions", "SearchPartitions", "datasetId", "filter"],
  ["deletePartitionData", "DeletePartitionData", "datasetId", "partitionId"],
  ["deletePartitionTag", "DeletePartitionTag", "datasetId", "partitionId"],
  // streams
  ["createStream", "CreateStream", "request"],
  ["getStream", "GetStream", "streamId"],
  ["updateStream", "UpdateStream", "streamId", "request"],
  ["searchStreams", "SearchStreams", "datasetId"],
  ["runStream", "RunStream", "streamId"],
  ["streamHistory", "StreamHistory", "streamId"],
  // uploads, stage by stage (uploadPart and uploadCsv are in Rust)
  ["appendRow", "AppendRow", "datasetId", "values", "delimiter"],
  ["startUpload", "StartUpload", "datasetId", "request"],
  ["commitUpload", "CommitUpload", "datasetId", "uploadId", "request"],
  // custom apps
  ["appData", "AppData", "alias", "..."],
  ["appSql", "AppSql", "alias", "sql"],
  // row policies (PDP)
  ["listPolicies", "ListPolicies", "datasetId"],
  ["createPolicy", "CreatePolicy", "datasetId", "policy"],
  ["updatePolicy", "UpdatePolicy", "datasetId", "policyId", "policy"],
  ["deletePolicy", "DeletePolicy", "datasetId", "policyId"],
  ["setPdp", "SetPdp", "datasetId", "enabled", "external"],
  // access tokens
  ["listAccessTokens", "ListAccessTokens"],
  ["createAccessToken", "CreateAccessToken", "name", "ownerId", "expires"],
  ["revokeAccessToken", "RevokeAccessToken", "tokenId"],
];

/** Add the methods to `DomoClient.prototype`, as class methods are. */
export function install(DomoClient) {
  for (const [method, endpoint, ...params] of METHODS) {
    const value = function (...values) {
      const args = {};
      let options;
      params.forEach((p, i) => {
        if (p === "...") options = values[i];
        else args[p] = values[i];
      });
      return this.call(endpoint, args, options);
    };
    Object.defineProperty(value, "name", { value: method });
    Object.defineProperty(DomoClient.prototype, method, { value, writable: true, configurable: true });
  }
}
