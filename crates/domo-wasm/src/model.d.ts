// Generated from crates/domo-model by `UPDATE_TS=1 cargo test -p domo-integration-tests --test typescript`; do not edit.

/**
 * An id sent as a number or as text: `7` and `"7"` are equal.
 */
export type Id = number | string;

/**
 * Domo's column types. Types this crate does not know (the seed shows
 * `INTEGER`) are kept verbatim in `Other`.
 */
export type ColumnType = "STRING" | "LONG" | "DOUBLE" | "DECIMAL" | "DATE" | "DATETIME" | (string & {});

export type Owner = { id?: Id | null, name?: string | null, type?: string | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * A dataset as `GET /api/data/v3/datasources/{id}` describes it. The seed
 * documents `details`/`properties` with `rows`/`columns`; real servers send
 * `rowCount`/`columnCount` at the top level. Both decode; use
 * [`Dataset::row_count`] to read whichever is present.
 */
export type Dataset = { id: string, name?: string | null, description?: string | null, type?: string | null, status?: string | null, owner?: Owner | null, streamId?: Id | null, rowCount?: number | null, columnCount?: number | null, 
/**
 * Epoch milliseconds.
 */
created?: number | null, 
/**
 * Epoch milliseconds.
 */
lastTouched?: number | null, 
/**
 * Epoch milliseconds.
 */
lastUpdated?: number | null, 
/**
 * Real servers send the tag list as a JSON *string* holding an array
 * (`"[\"a\",\"b\"]"`); a plain array decodes too. Encoded in the string form.
 * (The browser package hands JavaScript the array.)
 */
tags?: Array<string> | null, properties?: JsonValue | null, details?: JsonValue | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * `_metaData` of a list reply.
 */
export type ListMeta = { totalCount?: number | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * One page of `GET /api/data/v3/datasources?limit&offset`, and the reply of
 * the browser tools' search `POST /api/data/ui/v3/datasources/search`:
 * `{"dataSources": [...], "_metaData": {"totalCount"}}`. Only one source
 * shows the list's form, so a bare array of datasets decodes too.
 */
export type DatasetList = { dataSources: Array<Dataset>, _metaData?: ListMeta | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * One dataset found by a search. `databaseId` is the dataset's id.
 */
export type SearchHit = { databaseId: string, name?: string | null, entityType?: string | null, ownedById?: Id | null, ownedByName?: string | null, rowCount?: number | null, columnCount?: number | null, 
/**
 * Epoch milliseconds.
 */
lastModified?: number | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * The reply of `POST /api/search/v1/query`: `{"searchObjects": [...],
 * "totalResultCount"}`. Clients page until `searchObjects` is empty.
 */
export type SearchResult = { searchObjects: Array<SearchHit>, totalResultCount?: number | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * `dataSource` of [`CreatedDataset`]. `id` is accepted for the id.
 */
export type CreatedDataSource = { dataSourceId: string, name?: string | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * The reply to `POST /api/data/v2/datasources`:
 * `{"dataSource": {"dataSourceId", "name", ...}, ...}`.
 */
export type CreatedDataset = { dataSource: CreatedDataSource, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * A user as `GET /api/content/v2/users/me` describes it:
 * `{"id", "displayName", "userName", "emailAddress", "role", ...}`. Ids
 * arrive as numbers here and as strings elsewhere; both decode.
 */
export type User = { id: Id, displayName?: string | null, userName?: string | null, emailAddress?: string | null, role?: string | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * One column, in any of the three schema forms.
 */
export type Column = { name: string, type: ColumnType, description?: string | null, id?: Id | null, visible?: boolean | null, order?: number | null, metadata?: JsonValue | null, 
/**
 * `upsertKey`: rows whose key columns match a stored row replace it
 * when an upload appends (Domo's upsert). Absent means not a key.
 */
upsertKey?: boolean | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * The seed's form (`GET .../schema`) and the common shape the other two
 * forms convert into.
 */
export type Schema = { columns: Array<Column>, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * `GET /api/data/v2/datasources/{id}/schemas/latest`:
 * `{"schema": {"columns": [...]}}`.
 */
export type LatestSchema = { schema: Schema, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * `GET /api/query/v1/datasources/{id}/schema/indexed`:
 * `{"name": "schema", "tables": [{"columns": [...]}], "dataSourceId"}`.
 */
export type IndexedSchema = { name?: string | null, tables: Array<Schema>, dataSourceId?: string | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

export type DataPage = { columns: Array<string>, rows: Array<Array<JsonValue>>, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * Per-column metadata of a query result (`metadata[i]` describes `columns[i]`).
 */
export type ColumnMetadata = { type: ColumnType, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * A query result. Real servers answer with the envelope
 * `{"columns", "metadata", "rows", "numRows", "numColumns", ...}`; the seed
 * documents a list of objects. Both decode into this shape (for the list
 * form, columns come from the first object's keys, in order).
 */
export type QueryResult = { datasource?: string | null, columns: Array<string>, metadata: Array<ColumnMetadata>, rows: Array<Array<JsonValue>>, numRows: number, numColumns: number, fromcache?: boolean | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * Access levels. The seed's examples use `READ`/`WRITE`; unknown levels are
 * kept verbatim.
 */
export type AccessLevel = "OWNER" | "CO_OWNER" | "CAN_EDIT" | "CAN_SHARE" | string;

export type PrincipalType = "USER" | "GROUP" | string;

/**
 * One entry of a permission list; also one entry of a share request.
 */
export type Permission = { type: PrincipalType, id: Id, accessLevel: AccessLevel, name?: string | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * `GET .../permissions`: real servers send `{"list": [...], "totalUserCount",
 * "totalGroupCount"}`; a bare array decodes too.
 */
export type PermissionList = { list: Array<Permission>, totalUserCount?: number | null, totalGroupCount?: number | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * One principal of `DELETE .../users` (remove many).
 */
export type PrincipalRef = { id: Id, type: PrincipalType, };

/**
 * One data version. Real servers send `dataVersionId`, `datetimeRecorded`
 * (epoch ms) and friends; the seed's placeholder sends `versionId` and an
 * ISO `createdAt`. Both decode.
 */
export type DataVersion = { dataSourceId?: string | null, schemaId?: Id | null, dataVersionId?: Id | null, status?: string | null, statusMessage?: string | null, 
/**
 * Epoch milliseconds.
 */
datetimeRecorded?: number | null, 
/**
 * Epoch milliseconds.
 */
datetimeUploadCompleted?: number | null, 
/**
 * The seed's ISO-8601 timestamp.
 */
createdAt?: string | null, runDurationSeconds?: number | null, sizeBytes?: number | null, rowCount?: number | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

export type Partition = { partitionId: Id, status?: string | null, rowCount?: number | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

export type IndexJob = { indexId?: Id | null, status?: string | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

export type StreamTransport = { type: string, description?: string | null, version?: string | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

export type DataProvider = { key: string, name?: string | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * The dataset a stream feeds. On requests `id` is absent; on responses it is
 * the dataset's id.
 */
export type StreamDataSource = { id?: string | null, name?: string | null, description?: string | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

export type SchemaDefinition = { columns: Array<Column>, };

/**
 * The body of stream create (`POST /api/data/v1/streams`) and update
 * (`PUT .../streams/{id}`). Every field is optional on the wire; the seed's
 * connector fields (`configuration`, `account`, `advancedScheduleJson`)
 * are kept for callers that drive connectors.
 */
export type StreamRequest = { transport?: StreamTransport | null, configuration?: Array<JsonValue> | null, account?: JsonValue | null, updateMethod?: string | null, dataProvider?: DataProvider | null, dataSource?: StreamDataSource | null, schemaDefinition?: SchemaDefinition | null, 
/**
 * A JSON document carried as a string, as the API wants it.
 */
advancedScheduleJson?: string | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * One stream execution (run). Timestamps are epoch **seconds**.
 */
export type Execution = { executionId?: Id | null, streamId?: Id | null, 
/**
 * Real servers' `currentState`; the seed calls it `status`.
 */
currentState?: string | null, rowsInserted?: number | null, bytesInserted?: number | null, startedAt?: number | null, endedAt?: number | null, updateMethod?: string | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * A stream as servers describe it. The seed's placeholder answers
 * `{"id": "streamId", "status": "created"}`; real servers send the whole
 * object. Both decode.
 */
export type Stream = { id: Id, status?: string | null, name?: string | null, dataSource?: StreamDataSource | null, transport?: StreamTransport | null, dataProvider?: DataProvider | null, updateMethod?: string | null, schemaDefinition?: SchemaDefinition | null, lastExecution?: Execution | null, 
/**
 * Epoch seconds.
 */
createdAt?: number | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

export type UploadAction = "APPEND" | "REPLACE" | "UPSERT";

/**
 * `POST .../uploads` to open an upload. Real clients send
 * `{"action": null, "appendId": null}`; a partitioned upload names its tag.
 */
export type UploadStartRequest = { action?: UploadAction | null, appendId?: string | null, dataTag?: string | null, };

/**
 * The answer to upload start. `uploadId` is an integer on the wire (the
 * seed's example shows a string; both decode).
 */
export type UploadSession = { dataSourceId?: string | null, uploadId: Id, requestedAsOf?: number | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * `PUT .../uploads/{uploadId}/commit`.
 */
export type CommitRequest = { action: UploadAction, index: boolean, 
/**
 * A partitioned append names its partition here...
 */
dataTag?: string | null, 
/**
 * ...and sends `"appendId": "latest"` with it.
 */
appendId?: string | null, };

/**
 * The body of a commit response. Real servers may answer with an empty body
 * (decoded as the default) or a JSON object; unknown fields are kept.
 */
export type CommitResult = { dataSourceId?: string | null, uploadId?: Id | null, dataVersionId?: Id | null, rowCount?: number | null, status?: string | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * How a parameter compares; an operator this crate does not know is kept
 * verbatim (and sent back as it came).
 */
export type PolicyOperator = "EQUALS" | "NOT_EQUALS" | string;

/**
 * One condition of a policy: `name` (a column) compared with `values`.
 */
export type PolicyParameter = { 
/**
 * `COLUMN`.
 */
type: string, name: string, 
/**
 * Compared as text; numbers a server sends read as their text.
 */
values: Array<string>, operator: PolicyOperator, ignoreCase: boolean, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * A row policy ("filter group"): the users, groups and virtual users it
 * names see the rows its parameters match. The open "All Rows" policy
 * (`openPolicy: true`) comes with `include_open_policy`.
 */
export type Policy = { 
/**
 * Absent on a policy not created yet.
 */
filterGroupId?: Id | null, name: string, dataSourceId?: string | null, userIds: Array<Id>, groupIds: Array<Id>, virtualUserIds: Array<Id>, dataSourcePermissions: boolean, parameters: Array<PolicyParameter>, openPolicy?: boolean | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * `PUT /api/query/v1/data-control/{id}`: PDP on or off for a dataset.
 */
export type PdpSettings = { enabled: boolean, external: boolean, };

/**
 * The reply of the PDP switch: an empty 200 on some servers, `{"enabled"}`
 * on others.
 */
export type PdpState = { enabled?: boolean | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * An access token as the list describes it (never its value).
 */
export type AccessToken = { id: Id, name: string, ownerId?: Id | null, ownerName?: string | null, 
/**
 * Epoch milliseconds.
 */
expires?: number | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * `POST /api/data/v1/accesstokens`.
 */
export type AccessTokenRequest = { name: string, ownerId: Id, 
/**
 * Epoch milliseconds.
 */
expires: number, };

