// Generated from crates/domo-model by `UPDATE_TS=1 cargo test -p domo-integration-tests --test typescript`; do not edit.

/**
 * An id sent as a number or as text: `7` and `"7"` are equal.
 */
export type Id = number | string;

/**
 * A dataset's id (a UUID on Domo). Built from any text; checked when it
 * goes into a request path.
 */
export type DatasetId = string;

/**
 * Domo's column types. Types this crate does not know (the seed shows
 * `INTEGER`) are kept verbatim in `Other`.
 */
export type ColumnType = "STRING" | "LONG" | "DOUBLE" | "DECIMAL" | "DATE" | "DATETIME" | (string & {});

/**
 * A dataset's owner: `{"id", "name", "type"}`.
 */
export type Owner = { 
/**
 * The owner's id.
 */
id?: Id | null, 
/**
 * The owner's display name.
 */
name?: string | null, 
/**
 * What owns the dataset, sent as `type`: `USER` for a person.
 */
type?: string | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * A dataset as `GET /api/data/v3/datasources/{id}` describes it. The seed
 * documents `details`/`properties` with `rows`/`columns`; real servers send
 * `rowCount`/`columnCount` at the top level. Both decode; use
 * [`Dataset::row_count`] to read whichever is present.
 */
export type Dataset = { 
/**
 * The dataset's id (a UUID).
 */
id: DatasetId, 
/**
 * The dataset's name.
 */
name?: string | null, 
/**
 * Its description; may be empty.
 */
description?: string | null, 
/**
 * Its type, sent as `type`, e.g. `API` for a dataset loaded through
 * the API (the seed shows `exampleType`).
 */
type?: string | null, 
/**
 * Its state, e.g. `SUCCESS` (the seed shows `active`).
 */
status?: string | null, 
/**
 * Who owns it.
 */
owner?: Owner | null, 
/**
 * The stream that loads it; absent or `null` for a dataset created
 * without one (`POST /api/data/v2/datasources`).
 */
streamId?: Id | null, 
/**
 * Rows in the dataset, as real servers send it; the seed nests the
 * count in `details` or `properties`, which [`Dataset::row_count()`]
 * also reads.
 */
rowCount?: number | null, 
/**
 * Columns in the dataset, as real servers send it; see
 * [`Dataset::column_count()`] for the seed's nested form.
 */
columnCount?: number | null, 
/**
 * When it was created, epoch milliseconds.
 */
created?: number | null, 
/**
 * When anything about it last changed (its data, or settings such as
 * tags and sharing), epoch milliseconds.
 */
lastTouched?: number | null, 
/**
 * When its data last changed, epoch milliseconds.
 */
lastUpdated?: number | null, 
/**
 * Real servers send the tag list as a JSON *string* holding an array
 * (`"[\"a\",\"b\"]"`); a plain array decodes too. Encoded in the string form.
 * (The browser package hands JavaScript the array.)
 */
tags?: Array<string> | null, 
/**
 * Further properties. Real servers put the beast-mode formulas here
 * (`{"formulas": {"formulas": {...}}}`); the seed's form holds the
 * `rows` and `columns` counts.
 */
properties?: JsonValue | null, 
/**
 * The seed's `{"rows", "columns"}` counts; real servers send
 * `rowCount` and `columnCount` instead.
 */
details?: JsonValue | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * `_metaData` of a list reply.
 */
export type ListMeta = { 
/**
 * Datasets across all pages.
 */
totalCount?: number | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * One page of `GET /api/data/v3/datasources?limit&offset`, and the reply of
 * the browser tools' search `POST /api/data/ui/v3/datasources/search`:
 * `{"dataSources": [...], "_metaData": {"totalCount"}}`. Only one source
 * shows the list's form, so a bare array of datasets decodes too.
 */
export type DatasetList = { 
/**
 * The datasets of this page; empty past the end.
 */
dataSources: Array<Dataset>, 
/**
 * `_metaData`; absent when the reply was a bare array.
 */
_metaData?: ListMeta | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * One dataset found by a search. `databaseId` is the dataset's id.
 */
export type SearchHit = { 
/**
 * The dataset's id (`id` is accepted too).
 */
databaseId: DatasetId, 
/**
 * The dataset's name.
 */
name?: string | null, 
/**
 * What was found: `DATASET`.
 */
entityType?: string | null, 
/**
 * The owner's user id (text in Domo's search index).
 */
ownedById?: Id | null, 
/**
 * The owner's display name.
 */
ownedByName?: string | null, 
/**
 * Rows in the dataset.
 */
rowCount?: number | null, 
/**
 * Columns in the dataset.
 */
columnCount?: number | null, 
/**
 * When its data last changed, epoch milliseconds.
 */
lastModified?: number | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * The reply of `POST /api/search/v1/query`: `{"searchObjects": [...],
 * "totalResultCount"}`. Clients page until `searchObjects` is empty.
 */
export type SearchResult = { 
/**
 * The hits of this page; empty past the end.
 */
searchObjects: Array<SearchHit>, 
/**
 * Hits across all pages.
 */
totalResultCount?: number | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * `dataSource` of [`CreatedDataset`]. `id` is accepted for the id.
 */
export type CreatedDataSource = { 
/**
 * The new dataset's id.
 */
dataSourceId: DatasetId, 
/**
 * Its name.
 */
name?: string | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * The reply to `POST /api/data/v2/datasources`:
 * `{"dataSource": {"dataSourceId", "name", ...}, ...}`.
 */
export type CreatedDataset = { 
/**
 * The new dataset.
 */
dataSource: CreatedDataSource, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * A user as `GET /api/content/v2/users/me` describes it:
 * `{"id", "displayName", "userName", "emailAddress", "role", ...}`. Ids
 * arrive as numbers here and as strings elsewhere; both decode.
 */
export type User = { 
/**
 * The user's id (a number on this endpoint).
 */
id: Id, 
/**
 * The name shown in Domo's UI.
 */
displayName?: string | null, 
/**
 * The login name (often the email address).
 */
userName?: string | null, 
/**
 * The user's email address.
 */
emailAddress?: string | null, 
/**
 * The user's role: `Admin`, `Privileged`, `Editor`, `Participant`, or
 * a custom role's name.
 */
role?: string | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * One column, in any of the three schema forms.
 */
export type Column = { 
/**
 * The column's name.
 */
name: string, 
/**
 * Its Domo type, sent as `type`.
 */
type: ColumnType, 
/**
 * Its description (the seed's form).
 */
description?: string | null, 
/**
 * Its id, in the v2 and indexed forms.
 */
id?: Id | null, 
/**
 * Whether it is visible, in the v2 and indexed forms.
 */
visible?: boolean | null, 
/**
 * Its position from 0, in the indexed form.
 */
order?: number | null, 
/**
 * The v2 form's display metadata, e.g. `{"colLabel", "colFormat",
 * "isEncrypted"}`.
 */
metadata?: JsonValue | null, 
/**
 * `upsertKey`: rows whose key columns match a stored row replace it
 * when an upload appends (Domo's upsert). Absent means not a key.
 */
upsertKey?: boolean | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * The seed's form (`GET .../schema`) and the common shape the other two
 * forms convert into.
 */
export type Schema = { 
/**
 * The columns, in order.
 */
columns: Array<Column>, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * `GET /api/data/v2/datasources/{id}/schemas/latest`:
 * `{"schema": {"columns": [...]}}`.
 */
export type LatestSchema = { 
/**
 * The dataset's current schema.
 */
schema: Schema, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * `GET /api/query/v1/datasources/{id}/schema/indexed`:
 * `{"name": "schema", "tables": [{"columns": [...]}], "dataSourceId"}`.
 */
export type IndexedSchema = { 
/**
 * `schema` on the servers seen.
 */
name?: string | null, 
/**
 * The tables; a dataset has one (see [`IndexedSchema::into_schema`]).
 */
tables: Array<Schema>, 
/**
 * The dataset's id.
 */
dataSourceId?: DatasetId | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * One page of a dataset's rows as `GET /api/data/v3/datasources/{id}/data`
 * answers in JSON: `{"columns": [...], "rows": [[...]]}`. The `offset` and
 * `limit` query parameters choose the page.
 */
export type DataPage = { 
/**
 * Column names, in the order of each row's values.
 */
columns: Array<string>, 
/**
 * The rows of the page, each a list of values in `columns` order.
 */
rows: Array<Array<JsonValue>>, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * Per-column metadata of a query result (`metadata[i]` describes `columns[i]`).
 */
export type ColumnMetadata = { 
/**
 * The column's Domo type, sent as `type`.
 */
type: ColumnType, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * A query result. Real servers answer with the envelope
 * `{"columns", "metadata", "rows", "numRows", "numColumns", ...}`; the seed
 * documents a list of objects. Both decode into this shape (for the list
 * form, columns come from the first object's keys, in order).
 */
export type QueryResult = { 
/**
 * The id of the dataset queried; the seed's list form has none.
 */
datasource?: string | null, 
/**
 * The result's column names, in the order of each row's values.
 */
columns: Array<string>, 
/**
 * Per-column metadata, `metadata[i]` for `columns[i]`; empty when
 * the server sent none.
 */
metadata: Array<ColumnMetadata>, 
/**
 * The result rows, each a list of values in `columns` order.
 */
rows: Array<Array<JsonValue>>, 
/**
 * Rows in the result; counted from `rows` when the server did not
 * say.
 */
numRows: number, 
/**
 * Columns in the result; counted from `columns` when the server did
 * not say.
 */
numColumns: number, 
/**
 * Whether Domo answered from its query cache.
 */
fromcache?: boolean | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * Access levels to a dataset. The seed's examples use
 * `READ`/`WRITE`; unknown levels are kept verbatim.
 */
export type AccessLevel = "OWNER" | "CO_OWNER" | "CAN_EDIT" | "CAN_SHARE" | string;

/**
 * Who a permission names: a user or a group (`USER`, `GROUP`); unknown
 * kinds are kept verbatim.
 */
export type PrincipalType = "USER" | "GROUP" | string;

/**
 * One entry of a permission list; also one entry of a share request.
 */
export type Permission = { 
/**
 * A user or a group, sent as `type`.
 */
type: PrincipalType, 
/**
 * The user's or group's id: real lists send text (`"966365811"`); a
 * number decodes too, and equals the same text.
 */
id: Id, 
/**
 * What they may do.
 */
accessLevel: AccessLevel, 
/**
 * The user's or group's display name; lists send it, a share leaves
 * it out.
 */
name?: string | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * `GET .../permissions`: real servers send `{"list": [...], "totalUserCount",
 * "totalGroupCount"}`; a bare array decodes too.
 */
export type PermissionList = { 
/**
 * Every user and group with access, with their level.
 */
list: Array<Permission>, 
/**
 * Users with access.
 */
totalUserCount?: number | null, 
/**
 * Groups with access.
 */
totalGroupCount?: number | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * One principal of `DELETE .../users` (remove many).
 */
export type PrincipalRef = { 
/**
 * The user's or group's id.
 */
id: Id, 
/**
 * A user or a group, sent as `type`.
 */
type: PrincipalType, };

/**
 * One data version. Real servers send `dataVersionId`, `datetimeRecorded`
 * (epoch ms) and friends; the seed's placeholder sends `versionId` and an
 * ISO `createdAt`. Both decode.
 */
export type DataVersion = { 
/**
 * The dataset's id.
 */
dataSourceId?: DatasetId | null, 
/**
 * The schema the data was loaded under.
 */
schemaId?: Id | null, 
/**
 * The version's id (the seed's `versionId` is accepted too).
 */
dataVersionId?: Id | null, 
/**
 * `SUCCESS`, or `DELETED` once its partition's data is deleted (the
 * seed shows `active`, `archived`).
 */
status?: string | null, 
/**
 * Details of the status; often empty.
 */
statusMessage?: string | null, 
/**
 * When the version was recorded (its load began), epoch milliseconds.
 */
datetimeRecorded?: number | null, 
/**
 * When its upload completed, epoch milliseconds.
 */
datetimeUploadCompleted?: number | null, 
/**
 * The seed's ISO-8601 timestamp.
 */
createdAt?: string | null, 
/**
 * How long the load took, in seconds.
 */
runDurationSeconds?: number | null, 
/**
 * The size of the data loaded, in bytes; servers may leave it out.
 */
sizeBytes?: number | null, 
/**
 * Rows the version loaded; servers may leave it out.
 */
rowCount?: number | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * One partition of a dataset, as the partition list
 * (`GET /api/query/v1/datasources/{id}/partition`), the paged list
 * (`POST .../partition/list`) and the search answer it.
 */
export type Partition = { 
/**
 * The partition's tag: the `dataTag` its uploads were committed with.
 */
partitionId: Id, 
/**
 * The partition's state (`SUCCESS` from real servers; the seed shows
 * `active` and `archived`).
 */
status?: string | null, 
/**
 * Rows in the partition; the plain list may leave it out.
 */
rowCount?: number | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * An index job, as the start (`POST .../indexes`) and the status
 * (`GET .../indexes/{indexId}/statuses`) answer it:
 * `{"indexId", "status", ...}`.
 */
export type IndexJob = { 
/**
 * The job's id, for polling its status (`id` is accepted too);
 * absent when the start was answered with an empty body.
 */
indexId?: Id | null, 
/**
 * The job's state, e.g. `QUEUED` when just started, then `SUCCESS` or
 * `FAILED`; see
 * [`IndexJob::is_done`] and [`IndexJob::is_failed`].
 */
status?: string | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * How a stream gets its data: `{"type": "API"}` for a stream loaded
 * through the API; a connector's is `{"type": "CONNECTOR", "description":
 * "com.domo.connector.postgresql.partition", "version": "0"}`.
 */
export type StreamTransport = { 
/**
 * `API`, `CONNECTOR`, ..., sent as `type`.
 */
type: string, 
/**
 * A connector's id, e.g. `com.domo.connector.postgresql.partition`.
 */
description?: string | null, 
/**
 * The connector's version.
 */
version?: string | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * Where a stream's data comes from: `{"key": "api", "name": "API"}` for
 * an API stream, a connector's key (`postgresql-partition`) otherwise.
 */
export type DataProvider = { 
/**
 * The provider's key: `api`, or a connector's.
 */
key: string, 
/**
 * Its display name.
 */
name?: string | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * The dataset a stream feeds. On requests `id` is absent; on responses it is
 * the dataset's id.
 */
export type StreamDataSource = { 
/**
 * The dataset's id; absent on requests.
 */
id?: DatasetId | null, 
/**
 * The dataset's name; creating a stream requires one.
 */
name?: string | null, 
/**
 * The dataset's description.
 */
description?: string | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * A stream's columns: `{"columns": [...]}`.
 */
export type SchemaDefinition = { 
/**
 * The columns, in order.
 */
columns: Array<Column>, };

/**
 * The body of stream create (`POST /api/data/v1/streams`) and update
 * (`PUT .../streams/{id}`). Every field is optional on the wire; the seed's
 * connector fields (`configuration`, `account`, `advancedScheduleJson`)
 * are kept for callers that drive connectors.
 */
export type StreamRequest = { 
/**
 * How the stream gets its data.
 */
transport?: StreamTransport | null, 
/**
 * A connector's settings: a list of objects such as `{"name",
 * "value", "type", "category"}`.
 */
configuration?: Array<JsonValue> | null, 
/**
 * The connector account the stream uses, e.g. `{"id": 1}`.
 */
account?: JsonValue | null, 
/**
 * What a run does with the rows: `APPEND`, `REPLACE` or `UPSERT`.
 */
updateMethod?: string | null, 
/**
 * Where the data comes from.
 */
dataProvider?: DataProvider | null, 
/**
 * The dataset the stream creates and feeds: its name and description.
 */
dataSource?: StreamDataSource | null, 
/**
 * The dataset's columns.
 */
schemaDefinition?: SchemaDefinition | null, 
/**
 * A JSON document carried as a string, as the API wants it.
 */
advancedScheduleJson?: string | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * One stream execution (run). Timestamps are epoch **seconds**.
 */
export type Execution = { 
/**
 * The run's id (`id` is accepted too); absent when the server
 * answered with an empty body.
 */
executionId?: Id | null, 
/**
 * The stream it ran for.
 */
streamId?: Id | null, 
/**
 * The run's state: `ACTIVE` while it takes parts, then `SUCCESS`,
 * `FAILED` or `ABORTED`. Real servers' `currentState`; the seed calls
 * it `status` (and shows `completed`, `failed`).
 */
currentState?: string | null, 
/**
 * Rows the run loaded.
 */
rowsInserted?: number | null, 
/**
 * Bytes of data the run loaded.
 */
bytesInserted?: number | null, 
/**
 * When it started, epoch seconds.
 */
startedAt?: number | null, 
/**
 * When it ended, epoch seconds; absent or `null` while `ACTIVE`.
 */
endedAt?: number | null, 
/**
 * What it did with the rows: `APPEND`, `REPLACE` or `UPSERT`.
 */
updateMethod?: string | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * A stream as servers describe it. The seed's placeholder answers
 * `{"id": "streamId", "status": "created"}`; real servers send the whole
 * object. Both decode.
 */
export type Stream = { 
/**
 * The stream's id (a number on real servers; the seed shows text).
 */
id: Id, 
/**
 * The seed's placeholder state (`created`, `active`).
 */
status?: string | null, 
/**
 * The stream's name, in the seed's form.
 */
name?: string | null, 
/**
 * The dataset it feeds, with the dataset's id (see
 * [`Stream::dataset_id`]).
 */
dataSource?: StreamDataSource | null, 
/**
 * How it gets its data.
 */
transport?: StreamTransport | null, 
/**
 * Where the data comes from.
 */
dataProvider?: DataProvider | null, 
/**
 * What a run does with the rows: `APPEND`, `REPLACE` or `UPSERT`.
 */
updateMethod?: string | null, 
/**
 * The dataset's columns.
 */
schemaDefinition?: SchemaDefinition | null, 
/**
 * The latest run; absent or `null` before the first.
 */
lastExecution?: Execution | null, 
/**
 * When the stream was created, epoch seconds.
 */
createdAt?: number | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * What a load does with the rows it brings.
 */
export type UploadAction = "APPEND" | "REPLACE" | "UPSERT";

/**
 * `POST .../uploads` to open an upload. Real clients send
 * `{"action": null, "appendId": null}`; a partitioned upload names its tag.
 */
export type UploadStartRequest = { 
/**
 * The action the commit will take; real clients send `null` and name
 * it at the commit.
 */
action?: UploadAction | null, 
/**
 * Real clients send `null`.
 */
appendId?: string | null, 
/**
 * The partition to upload into; not sent when `None`.
 */
dataTag?: string | null, };

/**
 * The answer to upload start. `uploadId` is an integer on the wire (the
 * seed's example shows a string; both decode).
 */
export type UploadSession = { 
/**
 * The dataset's id.
 */
dataSourceId?: DatasetId | null, 
/**
 * The upload's id, for its parts and its commit.
 */
uploadId: Id, 
/**
 * When the upload was opened, epoch milliseconds.
 */
requestedAsOf?: number | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * `PUT .../uploads/{uploadId}/commit`.
 */
export type CommitRequest = { 
/**
 * What to do with the rows. The v3 commit takes `APPEND` or `REPLACE`
 * (the seed says so, and the emulator refuses `UPSERT`): commit an
 * upsert as [`UploadAction::Append`].
 */
action: UploadAction, 
/**
 * Whether to index the data right away, so that queries see it;
 * [`CommitRequest::new`] sends `true`.
 */
index: boolean, 
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
export type CommitResult = { 
/**
 * The dataset's id.
 */
dataSourceId?: DatasetId | null, 
/**
 * The upload committed.
 */
uploadId?: Id | null, 
/**
 * The data version the commit made.
 */
dataVersionId?: Id | null, 
/**
 * Rows the upload held.
 */
rowCount?: number | null, 
/**
 * The commit's outcome, e.g. `SUCCESS`.
 */
status?: string | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

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
type: string, 
/**
 * The column compared.
 */
name: string, 
/**
 * Compared as text; numbers a server sends read as their text.
 */
values: Array<string>, 
/**
 * How the column is compared with `values`; `EQUALS` when absent.
 */
operator: PolicyOperator, 
/**
 * Whether text compares without regard to case.
 */
ignoreCase: boolean, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * A row policy ("filter group"): the users, groups and virtual users it
 * names see the rows its parameters match. The open "All Rows" policy
 * (`openPolicy: true`) comes with `include_open_policy`.
 */
export type Policy = { 
/**
 * Absent on a policy not created yet.
 */
filterGroupId?: Id | null, 
/**
 * The policy's name.
 */
name: string, 
/**
 * The id of the dataset whose rows it filters.
 */
dataSourceId?: DatasetId | null, 
/**
 * Users who see the rows it matches (`null` reads as empty).
 */
userIds: Array<Id>, 
/**
 * Groups whose members see those rows.
 */
groupIds: Array<Id>, 
/**
 * Virtual users who see those rows.
 */
virtualUserIds: Array<Id>, 
/**
 * Real clients send `false`; what `true` does is not documented.
 */
dataSourcePermissions: boolean, 
/**
 * The conditions: a row matches when every one holds; a policy
 * without any matches every row.
 */
parameters: Array<PolicyParameter>, 
/**
 * `true` on the open "All Rows" policy, which gives the owners every
 * row.
 */
openPolicy?: boolean | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * `PUT /api/query/v1/data-control/{id}`: PDP on or off for a dataset.
 */
export type PdpSettings = { 
/**
 * Whether the dataset's row policies apply.
 */
enabled: boolean, 
/**
 * Real clients send `false`; what it does is not documented
 * (domolibrary's source says as much).
 */
external: boolean, };

/**
 * The reply of the PDP switch: an empty 200 on some servers, `{"enabled"}`
 * on others.
 */
export type PdpState = { 
/**
 * Whether PDP is on; absent when the server answered with an empty
 * body.
 */
enabled?: boolean | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * An access token as the list describes it (never its value).
 */
export type AccessToken = { 
/**
 * The token's id, for revoking it (`DELETE .../accesstokens/{id}`).
 */
id: Id, 
/**
 * The name given at creation; empty when the server sent none.
 */
name: string, 
/**
 * The user the token acts as.
 */
ownerId?: Id | null, 
/**
 * That user's display name.
 */
ownerName?: string | null, 
/**
 * When the token stops working, epoch milliseconds.
 */
expires?: number | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * `POST /api/data/v1/accesstokens`.
 */
export type AccessTokenRequest = { 
/**
 * A name for the token, shown in the list.
 */
name: string, 
/**
 * The user the token acts as; an unknown user is refused with 400.
 */
ownerId: Id, 
/**
 * When the token stops working, epoch milliseconds.
 */
expires: number, };

/**
 * An AppDB document: `{id, owner, createdOn, updatedOn, content,
 * syncRequired, ...}`. `AppDocument` in TypeScript, where `Document` is
 * the DOM's.
 */
export type AppDocument = { 
/**
 * The document's id (a UUID), for get, update and delete.
 */
id: string, 
/**
 * What the app stored.
 */
content: { [key in string]: JsonValue }, 
/**
 * The user who created it.
 */
owner?: Id | null, 
/**
 * When it was created, as AppDB writes times
 * (`2019-03-04T16:59:25.184+0000`).
 */
createdOn?: string | null, 
/**
 * When it last changed.
 */
updatedOn?: string | null, 
/**
 * Whether it changed since its collection last synced to a dataset.
 */
syncRequired?: boolean | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * A document to store: `{"content": {...}}` to create or replace one; in a
 * bulk upsert, with the `id` of the document it replaces (without one, a
 * document is created).
 */
export type DocumentRequest = { 
/**
 * The document to replace (bulk upserts only).
 */
id?: string | null, 
/**
 * What to store.
 */
content: { [key in string]: JsonValue }, };

/**
 * `PUT .../documents/update`: the documents `query` matches get
 * `operation` (`{"$set": {"content.done": true}}`, `$unset`, `$inc`,
 * `$push`, ...).
 */
export type PartialUpdate = { 
/**
 * Which documents (a MongoDB filter).
 */
query: { [key in string]: JsonValue }, 
/**
 * What to change in each (MongoDB update operators).
 */
operation: { [key in string]: JsonValue }, };

/**
 * What a bulk call did: `{"Created": n}`, `{"Updated": n, "Created": m}`
 * or `{"Deleted": n}`.
 */
export type BulkResult = { 
/**
 * Documents created.
 */
Created?: number | null, 
/**
 * Documents replaced.
 */
Updated?: number | null, 
/**
 * Documents deleted.
 */
Deleted?: number | null, };

/**
 * `GET /domo/environment/v1`: who is looking at the app, as the server
 * knows it (unlike the page's query string, which the viewer can change).
 */
export type Environment = { 
/**
 * The viewer's user id.
 */
userId: Id, 
/**
 * The viewer's display name.
 */
userName?: string | null, 
/**
 * The viewer's email address.
 */
userEmail?: string | null, 
/**
 * The instance (`acme` for acme.domo.com).
 */
customer?: string | null, 
/**
 * The instance's host name.
 */
host?: string | null, 
/**
 * The viewer's locale (`en-US`).
 */
locale?: string | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * A user's details (`includeDetails=true`).
 */
export type AppUserDetail = { 
/**
 * The email address.
 */
email?: string | null, 
/**
 * The job title.
 */
title?: string | null, 
/**
 * The phone number.
 */
phoneNumber?: string | null, 
/**
 * The employee number.
 */
employeeNumber?: string | null, 
/**
 * Whether the user has not yet accepted the invitation.
 */
pending?: boolean | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

/**
 * A user as `GET /domo/users/v1` lists them.
 */
export type AppUser = { 
/**
 * The user's id.
 */
id: Id, 
/**
 * The name shown in Domo's UI.
 */
displayName?: string | null, 
/**
 * Where the user's avatar is (a path on the instance).
 */
avatarKey?: string | null, 
/**
 * The user's role (`Admin`, `Participant`, ...).
 */
role?: string | null, 
/**
 * Contact details, with `includeDetails=true`.
 */
detail?: AppUserDetail | null, } & ({ [key in string]: number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null });

