// Replies reach JavaScript as the JSON Domo sent, parsed by the platform
// and brought by domo-core's declared steps to the form the types below
// declare (errors, blocked pages and the seed's alternative field names
// rewritten to the real ones); a test checks each method's reply against
// its declared type. Request bodies (streams, permissions, policies) are
// sent as given, after the checks domo-core makes, for the server to check.

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

// The model types (Dataset, Stream, QueryResult, ...) are in model.d.ts,
// generated from crates/domo-model.

/**
 * What each method of `DomoClient` resolves to, by method name: the methods
 * that send one request (`EndpointReplies`, generated with them) and the
 * ones written by hand below. web/test/replies.ts checks at compile time
 * that every entry is its method's declared Promise type; a test calls
 * every method against the emulator and checks each reply against it.
 */
export interface MethodReplies extends EndpointReplies {
  uploadCsv: UploadReport;
  uploadCsvViaStream: UploadReport;
  listAllPartitions: Partition[];
  deletePartition: void;
  /** Any declared endpoint's reply, as the server's JSON. */
  call: unknown;
}

/** What `uploadCsv` (or `uploadCsvViaStream`) did. */
export interface UploadReport {
  /** The dataset loaded into. */
  datasetId: string;
  /** The v3 upload id, or the stream execution id. */
  uploadId: Id;
  parts: number;
  /** Data rows sent (a header row excluded). */
  rows: number;
  /** Data bytes sent. */
  bytes: number;
  /** The data version the load made, read back after the commit (null when `verify` is false). */
  versionId: Id | null;
  /**
   * The rows that version holds, checked equal to `rows` (a mismatch rejects with kind
   * `RowCountMismatch`); null when `verify` is false or the server withholds the count (a row
   * policy filters you).
   */
  verifiedRows: number | null;
}

export interface UploadProgress {
  bytesSent: number;
  totalBytes: number;
  partsDone: number;
  partsTotal: number;
}

export interface UploadCsvOptions {
  /**
   * Default `"APPEND"`. `"REPLACE"` replaces the dataset's rows (or the partition's).
   * `"UPSERT"` appends where rows whose `upsertKey` columns match a stored row replace it;
   * refused before anything is sent when the dataset has no upsert keys.
   */
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
  /** Read the new data version after the commit and check its row count (default true). */
  verify?: boolean;
  /**
   * Stops the upload before its next request once aborted (it rejects with kind
   * `Cancelled`): nothing is committed, and a stream execution is aborted.
   */
  signal?: AbortSignal;
}

/** A policy to create or change: the server fills in what is left out. */
export type PolicyInput = Partial<Policy> & { name: string };

/** The reply to `login`: the session token is in it (the caller asked for it). */
export interface LoginReply {
  /** For `new DomoClient({ sessionToken })`. */
  sessionToken: string;
  userId?: Id | null;
  success?: boolean | null;
  [key: string]: unknown;
}

export type DomoErrorKind =
  | "InvalidInput" | "Unauthorized" | "Forbidden" | "NotFound" | "Conflict" | "PayloadTooLarge"
  | "RateLimited" | "RequestTimeout" | "BadRequest" | "Server" | "Blocked" | "Decode"
  | "Connect" | "Timeout" | "Transport" | "Io" | "AuthFailed" | "RowCountMismatch" | "Cancelled"
  | "WrongApi" | "Other";

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
  /** On `RowCountMismatch`: the rows sent and the rows the new data version holds. */
  rowsSent?: number;
  rowsStored?: number;
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
  /**
   * An OAuth client id of Domo's public API, instead of a token. **Node
   * only**: the browser build refuses client credentials (a secret never
   * belongs in a web page). The base URL then defaults to
   * https://api.domo.com; `uploadCsv`, `exportCsv` and `query` go through
   * the public API, `call("V1GetDataset", ...)` runs any of its endpoints,
   * and a product-API method rejects with kind `WrongApi` before sending.
   */
  clientId?: string;
  /** The client's secret (Node only); no error or message ever shows it. */
  clientSecret?: string;
  /** The scopes to ask for (`["data", "user"]`); every scope the client has when absent. */
  scopes?: string[];
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

/**
 * A period of the Data API's dates: a `dateGrain`, and the span of the
 * `todate` and `last` conditions.
 */
export type AppPeriod = "day" | "week" | "month" | "quarter" | "year";

/**
 * A Data API filter condition: text in the filter grammar
 * (`'Units' > 5`, `'Region' in ["East","West"]`, `'Order Date' last 30 days`),
 * or an object the package writes in it (names single-quoted, text
 * double-quoted, numbers bare, a `Date` as its ISO text).
 */
export type AppCondition =
  | string
  | {
      field: string;
      op: "==" | "=" | "!=" | "<" | "<=" | ">" | ">=" | "contains" | "!contains";
      value: string | number | boolean | Date;
    }
  | { field: string; op: "in" | "!in"; values: (string | number | boolean | Date)[] }
  | { field: string; op: "is null" | "!is null" }
  /** From the start of the current `period` to now. */
  | { field: string; op: "todate"; period: AppPeriod }
  /**
   * Without `count`: the previous whole `period` (`last month`); with it,
   * the last `count` periods up to now (`period` plural: `last 30 days`).
   */
  | { field: string; op: "last"; period: AppPeriod | `${AppPeriod}s`; count?: number };

/** Conditions a row must all meet: one, or a list. */
export type AppFilter = AppCondition | AppCondition[];

/** A Data API date grain: `'Order Date' by month` (day, week, month, quarter, year). */
export type AppDateGrain = `${string} by ${AppPeriod}`;

/** An `onDataUpdated` or `onFiltersUpdated` listener's cancel: call it to stop listening. */
export type Unsubscribe = () => void;

/** A page filter as the Domo page reports it to `onFiltersUpdated`. */
export interface PageFilter {
  column: string;
  operator: string;
  values: JsonValue[];
  dataType?: string;
}

export interface DomoClient {
  /**
   * Call `listener` with a mapped dataset's alias when the Domo page says its data changed (a
   * new version, an AppDB sync). With a listener the page does not reload the app, as it does
   * without one. Works inside a custom app's frame; elsewhere it never fires.
   */
  onDataUpdated(listener: (alias: string) => void): Unsubscribe;
  /** Call `listener` with the page's filters when they change. */
  onFiltersUpdated(listener: (filters: PageFilter[]) => void): Unsubscribe;
}
