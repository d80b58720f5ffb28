// Replies reach JavaScript as the JSON Domo sent, read by domo-core
// (errors, blocked pages and the seed's alternative field names rewritten
// to the real ones) but not decoded field by field: an optional field may
// be absent or `null`, and request bodies (streams, permissions, commits)
// are sent as given, for the server to check.

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

// The model types (Dataset, Stream, QueryResult, ...) are in model.d.ts,
// generated from crates/domo-model.

/** What `uploadCsv` did. */
export interface UploadReport {
  uploadId: string;
  parts: number;
  /** Data rows sent (a header row excluded). */
  rows: number;
  /** Data bytes sent. */
  bytes: number;
  commit: CommitResult;
  /** The data version the load made, read back after the commit (absent when `verify` is false). */
  versionId?: Id | null;
  /**
   * The rows that version holds, checked equal to `rows` (a mismatch rejects with kind
   * `RowCountMismatch`); null when the server withholds the count (a row policy filters you).
   */
  verifiedRows?: number | null;
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
}

export interface SearchDatasetsPageOptions {
  /** Only datasets owned by this user (`owned_by_id`). */
  owner?: Id;
  /** Hits asked for per page (default 100). */
  count?: number;
  /** Hits to skip (default 0). */
  offset?: number;
}

export interface DeleteDatasetOptions {
  /** `"hard"` (default) deletes for good; `"soft"` sends no parameter (Domo may keep it recoverable). */
  deleteMethod?: "hard" | "soft";
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
  | "Connect" | "Timeout" | "Transport" | "Io" | "AuthFailed" | "RowCountMismatch" | "Other";

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
