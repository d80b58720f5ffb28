// Replies reach JavaScript as the JSON Domo sent, read by domo-core
// (errors, blocked pages and the seed's alternative field names rewritten
// to the real ones) but not decoded field by field: an optional field may
// be absent or `null`, and request bodies (streams, permissions, commits)
// are sent as given, for the server to check.

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** User, stream, upload, index and partition ids: integers on some endpoints, strings on others. */
export type Id = number | string;

/** Domo's column types; unknown types arrive verbatim. */
export type ColumnType = "STRING" | "LONG" | "DOUBLE" | "DECIMAL" | "DATE" | "DATETIME" | (string & {});

export interface Owner {
  id?: Id | null;
  name?: string | null;
  type?: string | null;
  [key: string]: unknown;
}

/** `GET /api/data/v3/datasources/{id}`. Timestamps are epoch milliseconds. */
export interface Dataset {
  id: string;
  name?: string | null;
  description?: string | null;
  type?: string | null;
  status?: string | null;
  owner?: Owner | null;
  streamId?: Id | null;
  rowCount?: number | null;
  columnCount?: number | null;
  created?: number | null;
  lastTouched?: number | null;
  lastUpdated?: number | null;
  /** Decoded from the wire's JSON-string form. */
  tags?: string[] | null;
  properties?: JsonValue | null;
  details?: JsonValue | null;
  [key: string]: unknown;
}

export interface Column {
  name: string;
  type: ColumnType;
  description?: string | null;
  id?: Id | null;
  visible?: boolean | null;
  order?: number | null;
  metadata?: JsonValue | null;
  [key: string]: unknown;
}

export interface Schema {
  columns: Column[];
  [key: string]: unknown;
}

export interface LatestSchema {
  schema: Schema;
  [key: string]: unknown;
}

export interface IndexedSchema {
  name?: string | null;
  tables: Schema[];
  dataSourceId?: string | null;
  [key: string]: unknown;
}

export interface DataPage {
  columns: string[];
  rows: JsonValue[][];
  [key: string]: unknown;
}

export interface ColumnMetadata {
  type: ColumnType;
  [key: string]: unknown;
}

/** A SQL result: `metadata[i]` describes `columns[i]`. */
export interface QueryResult {
  datasource?: string;
  columns: string[];
  metadata: ColumnMetadata[];
  rows: JsonValue[][];
  numRows: number;
  numColumns: number;
  fromcache?: boolean;
  [key: string]: unknown;
}

export type AccessLevel = "OWNER" | "CO_OWNER" | "CAN_EDIT" | "CAN_SHARE" | (string & {});
export type PrincipalType = "USER" | "GROUP" | (string & {});

export interface Permission {
  type: PrincipalType;
  id: Id;
  accessLevel: AccessLevel;
  name?: string | null;
  [key: string]: unknown;
}

export interface PermissionList {
  list: Permission[];
  totalUserCount?: number | null;
  totalGroupCount?: number | null;
  [key: string]: unknown;
}

export interface PrincipalRef {
  id: Id;
  type: PrincipalType;
}

/** Timestamps are epoch milliseconds. */
export interface DataVersion {
  dataSourceId?: string | null;
  schemaId?: Id | null;
  dataVersionId?: Id | null;
  status?: string | null;
  statusMessage?: string | null;
  datetimeRecorded?: number | null;
  datetimeUploadCompleted?: number | null;
  createdAt?: string | null;
  runDurationSeconds?: number | null;
  sizeBytes?: number | null;
  rowCount?: number | null;
  [key: string]: unknown;
}

export interface Partition {
  partitionId: Id;
  status?: string | null;
  rowCount?: number | null;
  [key: string]: unknown;
}

export interface IndexJob {
  indexId?: Id | null;
  status?: string | null;
  [key: string]: unknown;
}

export interface StreamTransport {
  type: string;
  description?: string | null;
  version?: string | null;
  [key: string]: unknown;
}

export interface DataProvider {
  key: string;
  name?: string | null;
  [key: string]: unknown;
}

export interface StreamDataSource {
  /** The dataset's id (on responses). */
  id?: string | null;
  name?: string | null;
  description?: string | null;
  [key: string]: unknown;
}

export interface SchemaDefinition {
  columns: Column[];
}

/** The body of stream create and update. */
export interface StreamRequest {
  transport?: StreamTransport;
  configuration?: JsonValue[];
  account?: JsonValue;
  updateMethod?: string;
  dataProvider?: DataProvider;
  dataSource?: StreamDataSource;
  schemaDefinition?: SchemaDefinition;
  /** A JSON document carried as a string. */
  advancedScheduleJson?: string;
  [key: string]: unknown;
}

/** One stream run. Timestamps are epoch seconds. */
export interface Execution {
  executionId?: Id | null;
  streamId?: Id | null;
  currentState?: string | null;
  rowsInserted?: number | null;
  bytesInserted?: number | null;
  startedAt?: number | null;
  endedAt?: number | null;
  updateMethod?: string | null;
  [key: string]: unknown;
}

/** A stream; `dataSource.id` is the dataset it feeds. `createdAt` is epoch seconds. */
export interface Stream {
  id: Id;
  status?: string | null;
  name?: string | null;
  dataSource?: StreamDataSource | null;
  transport?: StreamTransport | null;
  dataProvider?: DataProvider | null;
  updateMethod?: string | null;
  schemaDefinition?: SchemaDefinition | null;
  lastExecution?: Execution | null;
  createdAt?: number | null;
  [key: string]: unknown;
}

export type UploadAction = "APPEND" | "REPLACE";

export interface UploadStartRequest {
  action?: UploadAction | null;
  appendId?: string | null;
  dataTag?: string;
}

export interface UploadSession {
  dataSourceId?: string | null;
  uploadId: Id;
  requestedAsOf?: number | null;
  [key: string]: unknown;
}

export interface CommitRequest {
  action: UploadAction;
  index: boolean;
  /** A partitioned commit names its partition... */
  dataTag?: string;
  /** ...and sends `"latest"` here. */
  appendId?: string;
}

export interface CommitResult {
  dataSourceId?: string | null;
  uploadId?: Id | null;
  dataVersionId?: Id | null;
  rowCount?: number | null;
  status?: string | null;
  [key: string]: unknown;
}

/** What `uploadCsv` did. */
export interface UploadReport {
  uploadId: string;
  parts: number;
  /** Data rows sent (a header row excluded). */
  rows: number;
  /** Data bytes sent. */
  bytes: number;
  commit: CommitResult;
}

export interface UploadProgress {
  bytesSent: number;
  totalBytes: number;
  partsDone: number;
  partsTotal: number;
}

export interface UploadCsvOptions {
  /** Default `"APPEND"`. `"REPLACE"` replaces the dataset's rows (or the partition's). */
  action?: UploadAction;
  /** Target bytes per part (default 32 MiB); parts end on record boundaries. */
  partSize?: number;
  /** Parts in flight at once (default 4). */
  concurrency?: number;
  /** Upload into this partition (`dataTag`). */
  partition?: string;
  /**
   * Whether the first row is a header: `"detect"` (default: a header when it names the
   * dataset's columns), `"present"` (it must), `"absent"` (the first row is data).
   */
  header?: "detect" | "present" | "absent";
  onProgress?: (progress: UploadProgress) => void;
}

export interface GetDatasetOptions {
  part?: string[];
  includeAllDetails?: boolean;
  requestedParts?: string[];
}

export interface DataWindow {
  offset?: number;
  limit?: number;
  filter?: string;
}

/** The Data API's query operators; lists travel comma-separated. */
export interface AppDataQuery {
  fields?: string | string[];
  /** `"amount > 10"`, `["region == 'East'", "units > 5"]` */
  filter?: string | string[];
  groupby?: string | string[];
  /** `"amount descending"` */
  orderby?: string | string[];
  limit?: number;
  offset?: number;
}

export type DomoErrorKind =
  | "InvalidInput" | "Unauthorized" | "Forbidden" | "NotFound" | "Conflict" | "PayloadTooLarge"
  | "RateLimited" | "RequestTimeout" | "BadRequest" | "Server" | "Blocked" | "Decode"
  | "Connect" | "Timeout" | "Transport" | "Io" | "Other";

/** Every rejection of a `DomoClient` method is a `DomoError`: a real `Error` named `"DomoError"`. */
export interface DomoError extends Error {
  name: "DomoError";
  kind: DomoErrorKind;
  /** Whether the same request may succeed later (rate limits, 5xx, timeouts). */
  retryable: boolean;
  /** The HTTP status, when a response arrived. */
  status?: number;
  /** The response body as text (at most 64 KiB). */
  body?: string;
  method?: string;
  /** The request path, without the query string. */
  path?: string;
  retryAfter?: string;
  /** Where in the JSON a decode failed. */
  jsonPath?: string;
}

export interface RetryEvent {
  /** The attempt that failed, from 1. */
  attempt: number;
  /** How long the client waits before the next attempt. */
  delayMs: number;
  error: DomoError;
}

export interface DomoClientOptions {
  /** `"acme"` for https://acme.domo.com (or a full host name). */
  instance?: string;
  /** An explicit base URL; plain http only to loopback unless `allowInsecureHttp`. */
  baseUrl?: string;
  allowInsecureHttp?: boolean;
  /** A developer token (`X-DOMO-Developer-Token`). */
  token?: string;
  /** A login session token (`X-DOMO-Authentication`), instead of `token`. */
  sessionToken?: string;
  /** Timeout of one attempt in milliseconds (default 60000; 0 for none). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 5; 0 disables retries). */
  maxRetries?: number;
  onRetry?: (event: RetryEvent) => void;
}

export interface InAppOptions {
  /** Where the app's API lives; default: the page's own origin (relative URLs). */
  baseUrl?: string;
  timeoutMs?: number;
  maxRetries?: number;
  onRetry?: (event: RetryEvent) => void;
}
