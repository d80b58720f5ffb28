// Compiled by `tsc --strict --noEmit` (cargo xtask web-ci): every method of
// the package with its documented argument and result types. Assignments to
// explicit types make a wrong declaration a compile error.
import {
  DomoClient,
  isDomoError,
  type Column,
  type CommitResult,
  type CreatedDataset,
  type DatasetList,
  type LoginReply,
  type SearchResult,
  type User,
  type DataPage,
  type DataVersion,
  type Dataset,
  type DomoError,
  type DomoErrorKind,
  type Execution,
  type IndexJob,
  type IndexedSchema,
  type JsonValue,
  type LatestSchema,
  type Partition,
  type Permission,
  type PermissionList,
  type PrincipalRef,
  type QueryResult,
  type RetryEvent,
  type Schema,
  type Stream,
  type StreamRequest,
  type UploadProgress,
  type AccessToken,
  type PdpState,
  type Policy,
  type UploadReport,
  type UploadSession,
  type AppCollection,
  type AppUser,
  type BulkResult,
  type AppDocument,
  type Environment,
  type PageFilter,
  type Unsubscribe,
} from "@domo-rs/datasets";

export async function everyMethod(file: File): Promise<number> {
  const retries: RetryEvent[] = [];
  const domo = new DomoClient({
    baseUrl: "http://127.0.0.1:8787",
    token: "dev-token",
    timeoutMs: 10_000,
    maxRetries: 3,
    onRetry: (e) => retries.push(e),
  });
  const byInstance = new DomoClient({ instance: "acme", sessionToken: "s", allowInsecureHttp: false });
  byInstance.free();

  const id = "00000000-0000-4000-8000-000000000001";
  const ds: Dataset = await domo.getDataset(id);
  // Replies are the JSON Domo sent: an optional field may be absent or null.
  const rowCount: number | null | undefined = ds.rowCount;
  const tags: string[] | null | undefined = ds.tags;
  await domo.getDataset(id, { part: ["core"], includeAllDetails: true, requestedParts: ["core"] });
  const meta: Dataset = await domo.getMetadata(id, ["core", "permission"]);

  const schema: Schema = await domo.getSchema(id);
  const firstColumn: Column | undefined = schema.columns[0];
  const latest: LatestSchema = await domo.getLatestSchema(id);
  const indexed: IndexedSchema = await domo.getIndexedSchema(id, { includeHidden: false });
  const page: DataPage = await domo.getData(id, { offset: 0, limit: 10, filter: "Units > 5" });
  const cell: JsonValue | undefined = page.rows[0]?.[0];
  const csv: string = await domo.getDataCsv(id, { limit: 10 });
  const exported: string = await domo.exportCsv(id, { includeHeader: true });
  const queried: string = await domo.queryCsv(id, "SELECT * FROM table", { includeHeader: false });
  const result: QueryResult = await domo.query(id, "SELECT * FROM table");
  const numRows: number = result.numRows;

  const grants: Permission[] = [{ type: "USER", id: 2, accessLevel: "CAN_EDIT" }];
  await domo.share(id, grants);
  await domo.share(id, grants, { sendEmail: false });
  const permissions: PermissionList = await domo.listPermissions(id);
  await domo.revokeUser(id, 2);
  await domo.removeUser(id, "3");
  const who: PrincipalRef[] = [{ id: 2, type: "USER" }];
  await domo.removeUsers(id, who);
  await domo.setTags(id, ["a", "b"]);
  const versions: DataVersion[] = await domo.listDataVersions(id);

  const partitions: Partition[] = await domo.listPartitions(id);
  const pageOfPartitions: Partition[] = await domo.listPartitionsPage(id, 100, 0);
  const every: Partition[] = await domo.listAllPartitions(id);
  const found: Partition[] = await domo.searchPartitions(id, { status: "active" });
  await domo.deletePartitionData(id, "2024-01");
  await domo.deletePartitionTag(id, "2024-01");
  await domo.deletePartition(id, "2024-02");

  const job: IndexJob = await domo.startIndex(id);
  const status: IndexJob = await domo.indexStatus(id, job.indexId ?? 0);

  const columns: Column[] = [{ name: "region", type: "STRING" }, { name: "amount", type: "DOUBLE" }];
  const created: Stream = await domo.createDataset("Sales", "daily", columns);
  const bare: CreatedDataset = await domo.createDatasetWithoutStream("Bare", columns, { description: "no stream" });
  await domo.renameDataset(bare.dataSource.dataSourceId, "Bare 2");
  await domo.describeDataset(bare.dataSource.dataSourceId, "still no stream");
  await domo.setDatasetProperties(bare.dataSource.dataSourceId, { dataSourceName: "Bare 3" });
  await domo.alterSchema(bare.dataSource.dataSourceId, columns);
  const list: DatasetList = await domo.listDatasetsPage(50, 0);
  const hits: SearchResult = await domo.searchDatasetsPage("sales", { owner: 7, count: 100, offset: 0 });
  const uiHits: DatasetList = await domo.uiSearchDatasetsPage("sales", { offset: 0 });
  await domo.deleteDataset(bare.dataSource.dataSourceId, { deleteMethod: "soft" });
  const me: User = await domo.whoami();
  const login: LoginReply = await domo.login("ann@example.com", "secret");
  const session2 = new DomoClient({ baseUrl: "http://127.0.0.1:8787", sessionToken: login.sessionToken });
  session2.free();
  const request: StreamRequest = {
    transport: { type: "API" },
    dataProvider: { key: "api", name: "API" },
    dataSource: { name: "Raw" },
    schemaDefinition: { columns },
    updateMethod: "REPLACE",
  };
  const raw: Stream = await domo.createStream(request);
  const stream: Stream = await domo.getStream(created.id);
  const updated: Stream = await domo.updateStream(stream.id, { updateMethod: "APPEND" });
  const streams: Stream[] = await domo.searchStreams(id);
  const run: Execution = await domo.runStream(raw.id);
  const history: Execution[] = await domo.streamHistory(updated.id);

  await domo.appendRow(id, "a;1", { delimiter: ";" });
  const session: UploadSession = await domo.startUpload(id, { partition: "2024-04" });
  await domo.uploadPart(id, session.uploadId, 1, "a,1\n");
  await domo.uploadPart(id, session.uploadId, 2, new Uint8Array([97, 44, 50, 10]));
  const committed: CommitResult = await domo.commitUpload(id, session.uploadId, { action: "APPEND", partition: "2024-04" });
  const execution: Execution = await domo.runStream(raw.id);
  await domo.uploadExecutionPart(raw.id, execution.executionId ?? 0, 1, "a,1\n");
  const done: Execution = await domo.commitExecution(raw.id, execution.executionId ?? 0);
  await domo.abortExecution(raw.id, done.executionId ?? 0);

  const progress: UploadProgress[] = [];
  const cancel = new AbortController();
  const report: UploadReport = await domo.uploadCsv(id, file, {
    action: "REPLACE",
    partSize: 1 << 20,
    concurrency: 2,
    partition: "2024-03",
    header: "detect",
    onProgress: (p) => progress.push(p),
    signal: cancel.signal,
    verify: true,
  });
  const viaStream: UploadReport = await domo.uploadCsvViaStream(raw.id, "a,1\n", { action: "REPLACE" });
  await domo.uploadCsv(id, "a,1\n");
  await domo.uploadCsv(id, new Blob(["a,1\n"]), { header: "absent" });

  const policies: Policy[] = await domo.listPolicies(id);
  const east: Policy = await domo.createPolicy(id, {
    name: "East",
    userIds: [7],
    groupIds: [3],
    parameters: [{ type: "COLUMN", name: "region", values: ["east"], operator: "EQUALS", ignoreCase: true }],
  });
  const renamed: Policy = await domo.updatePolicy(id, east.filterGroupId ?? 0, { ...east, name: "East 2" });
  await domo.deletePolicy(id, renamed.filterGroupId ?? 0);
  const pdp: PdpState = await domo.setPdp(id, true);
  await domo.setPdp(id, false, { external: false });
  const tokens: AccessToken[] = await domo.listAccessTokens();
  const minted = await domo.createAccessToken("etl", 7, Date.now() + 86_400_000);
  const tokenValue: string = minted.token;
  const tokenName: string = minted.name;
  await domo.revokeAccessToken(minted.id);

  const app = DomoClient.inApp({ timeoutMs: 5000 });
  const rows: Record<string, unknown>[] = await app.appData("sales", {
    fields: ["region"],
    filter: ["amount > 1", { field: "region", op: "in", values: ["East", "West"] }],
    orderBy: "amount descending",
    limit: 5,
  });
  const grained: Record<string, unknown>[] = await app.appData("sales", {
    fields: ["Order Date", "Revenue"],
    filter: { field: "Order Date", op: "last", period: "months", count: 12 },
    dateGrain: "'Order Date' by month",
    calendar: "fiscal",
    sum: "Revenue",
  });
  const table: QueryResult = await app.appData("sales", { format: "arrays", groupBy: ["Region"] });
  const csvText: string = await app.appData("sales", { format: "csv", useBeastMode: false });
  const xlsx: string = await app.appData("sales", { format: "excel" });
  const sql: QueryResult = await DomoClient.inApp().appSql("sales", "SELECT COUNT(*) FROM sales");
  const env: Environment = await app.environment();
  const people: AppUser[] = await app.users({ includeDetails: false, limit: 10 });
  const orders: AppCollection = app.appDb("orders");
  const doc: AppDocument = await orders.create({ Region: "East", Units: 3 });
  const again: AppDocument = await orders.get(doc.id);
  await orders.update(doc.id, { Region: "West", Units: 4 });
  const changed: number = await orders.partialUpdate({ "content.Region": "West" }, { $inc: { "content.Units": 1 } });
  const matched: AppDocument[] = await orders.query({ "content.Units": { $gte: 2 } }, { orderBy: "content.Units descending" });
  const folded: Record<string, unknown>[] = await orders.aggregate({ groupBy: "content.Region", count: "n", sum: "content.Units units" });
  const bulk: BulkResult = await orders.bulkCreate([{ content: { Units: 1 } }]);
  await orders.bulkUpsert([{ id: doc.id, content: { Units: 9 } }]);
  await orders.bulkDelete([doc.id]);
  await orders.delete(again.id);
  const everyDoc: AppDocument[] = await orders.list();
  await app.syncAppDb();
  const stop: Unsubscribe = app.onDataUpdated((alias: string) => alias.length);
  app.onFiltersUpdated((filters: PageFilter[]) => filters.map((f) => f.column));
  stop();
  const inAppUse = [grained, table, csvText, xlsx, env.userId, people, changed, matched, folded, bulk, everyDoc];

  try {
    await domo.getDataset("missing");
  } catch (e: unknown) {
    if (isDomoError(e)) {
      const err: DomoError = e;
      const kind: DomoErrorKind = err.kind;
      const httpStatus: number | undefined = err.status;
      const text: string = `${err.name} ${kind} ${httpStatus} ${err.method} ${err.path} ${err.body} ${err.retryable}`;
      return text.length;
    }
  }
  return [
    rowCount, tags, meta, firstColumn, latest, indexed, cell, csv, exported, numRows, permissions,
    versions, partitions, pageOfPartitions, every, found, status, streams, run, history, committed,
    report.rows, rows, sql, retries, policies, pdp, tokens, tokenValue, tokenName, queried, viaStream,
    list, hits, uiHits, me, inAppUse,
  ].length;
}
