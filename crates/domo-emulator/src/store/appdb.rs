//! AppDB: the app's document store (`/domo/datastores/v1`). Collections
//! (declared by the manifest or made through the API) hold JSON documents;
//! queries are MongoDB `find()` filters (`crate::mongo`) over documents as
//! the API returns them. Every write is one transaction, and persists with
//! `--data-dir` like everything else.
//!
//! A `syncEnabled` collection with a schema is exported into a dataset
//! (`Store::appdb_export`, run by `POST /domo/datastores/v1/export` and a
//! timer): the dataset's id is derived from the collection's name (so a
//! manifest can map it before the first sync, and it survives restarts),
//! its name is the collection's, its columns the schema's, and each export
//! REPLACEs its rows with the collection's documents through the same
//! upload commit clients use, so it is a new data version and queryable
//! through every API like any dataset.

use std::sync::{MutexGuard, TryLockError};

use ring::digest::{SHA256, digest};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};

use super::datasets::{NewRecord, insert_dataset, new_dataset_id};
use super::schema::{NewColumn, change_schema, validate_columns};
use super::uploads::{Load, apply_upload};
use super::{Need, Result, Store, StoreError, UserId, authorize, find_dataset};
use crate::app::manifest::{CollectionDecl, SchemaColumn};
use crate::clock::Clock;
use crate::csvio::{self, ColumnType};
use crate::instance::CUSTOMER;
use crate::mongo::{AggParams, Aggregation, Filter, apply_update};

pub(super) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS appdb_collections (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    owner_id INTEGER NOT NULL,
    -- the schema's columns as JSON [{"name", "type"}], or NULL
    schema TEXT,
    sync_enabled INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    updated_by INTEGER NOT NULL,
    -- set by the first export
    last_sync_ms INTEGER,
    -- documents (or the schema) changed since the last export
    sync_required INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS appdb_documents (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    collection_id TEXT NOT NULL,
    owner_id INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    updated_by INTEGER NOT NULL,
    content TEXT NOT NULL,
    sync_required INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS appdb_documents_by_collection ON appdb_documents (collection_id, seq);
"#;

/// The tables of this module, which SQL queries may never read.
pub(super) const TABLES: [&str; 2] = ["appdb_collections", "appdb_documents"];

/// The app's one datastore.
const DATASTORE_ID: &str = "00000000-0000-4000-8000-00000000a9db";

/// A collection as stored.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Collection {
    pub id: String,
    pub name: String,
    pub owner: UserId,
    pub schema: Option<Vec<SchemaColumn>>,
    pub sync_enabled: bool,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub updated_by: UserId,
    pub last_sync_ms: Option<i64>,
    pub sync_required: bool,
}

/// What a create of a collection says.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CollectionSpec {
    pub schema: Option<Vec<SchemaColumn>>,
    pub sync_enabled: bool,
}

/// What an update of a collection says; what it leaves out stays.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CollectionUpdate {
    pub schema: Option<Vec<SchemaColumn>>,
    pub sync_enabled: Option<bool>,
}

/// One collection's export.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Exported {
    pub collection: String,
    pub dataset_id: String,
    /// `None`: nothing changed since the last export, so no new version.
    pub rows: Option<i64>,
}

/// AppDB's timestamps: `2019-03-04T16:59:25.184+0000`.
pub(crate) fn timestamp(ms: i64) -> String {
    let text = crate::calendar::datetime_text(ms.div_euclid(1000));
    format!("{text}.{:03}+0000", ms.rem_euclid(1000))
}

/// The dataset a collection exports to: a UUID made from the SHA-256 of
/// its name, so it is known before the first export and stays the same
/// across restarts.
pub(crate) fn dataset_id_of(collection: &str) -> String {
    let d = digest(
        &SHA256,
        format!("domo-emulator appdb collection {collection}").as_bytes(),
    );
    let b = d.as_ref();
    let hex: String = b[..16].iter().map(|x| format!("{x:02x}")).collect();
    // Version 5 (name-based) and the RFC 4122 variant.
    format!(
        "{}-{}-5{}-{:x}{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        8 | (u8::from_str_radix(&hex[16..17], 16).unwrap_or(0) & 3),
        &hex[17..20],
        &hex[20..32]
    )
}

fn schema_json(schema: &Option<Vec<SchemaColumn>>) -> Option<String> {
    schema.as_ref().map(|cols| {
        Value::Array(
            cols.iter()
                .map(|c| json!({"name": c.name, "type": c.ty.as_str()}))
                .collect(),
        )
        .to_string()
    })
}

fn parse_schema(text: Option<String>) -> Result<Option<Vec<SchemaColumn>>> {
    let Some(text) = text else { return Ok(None) };
    let cols: Vec<Value> = serde_json::from_str(&text)
        .map_err(|e| StoreError::internal(format!("stored collection schema: {e}")))?;
    cols.iter()
        .map(|c| {
            let ty = c["type"]
                .as_str()
                .and_then(ColumnType::parse)
                .ok_or_else(|| {
                    StoreError::internal(format!("stored collection schema type {}", c["type"]))
                })?;
            Ok(SchemaColumn {
                name: c["name"].as_str().unwrap_or_default().to_owned(),
                ty,
            })
        })
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

const COLLECTION_COLUMNS: &str = "id, name, owner_id, schema, sync_enabled, created_ms, updated_ms, updated_by, last_sync_ms, sync_required";

fn collection_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Collection, Option<String>)> {
    Ok((
        Collection {
            id: r.get(0)?,
            name: r.get(1)?,
            owner: r.get(2)?,
            schema: None,
            sync_enabled: r.get(4)?,
            created_ms: r.get(5)?,
            updated_ms: r.get(6)?,
            updated_by: r.get(7)?,
            last_sync_ms: r.get(8)?,
            sync_required: r.get(9)?,
        },
        r.get(3)?,
    ))
}

fn all_collections(conn: &Connection) -> Result<Vec<Collection>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLLECTION_COLUMNS} FROM appdb_collections ORDER BY created_ms, name"
    ))?;
    let rows = stmt
        .query_map([], collection_from)?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(mut c, schema)| {
            c.schema = parse_schema(schema)?;
            Ok(c)
        })
        .collect()
}

fn find_collection(conn: &Connection, name: &str) -> Result<Option<Collection>> {
    let row = conn
        .prepare_cached(&format!(
            "SELECT {COLLECTION_COLUMNS} FROM appdb_collections WHERE name = ?"
        ))?
        .query_row([name], collection_from)
        .optional()?;
    row.map(|(mut c, schema)| {
        c.schema = parse_schema(schema)?;
        Ok(c)
    })
    .transpose()
}

/// The collection, or a 404 listing the collections there are.
fn open_collection(conn: &Connection, name: &str) -> Result<Collection> {
    if let Some(c) = find_collection(conn, name)? {
        return Ok(c);
    }
    let names: Vec<String> = all_collections(conn)?.into_iter().map(|c| c.name).collect();
    Err(StoreError::not_found(format!(
        "AppDB collection `{name}` does not exist (collections: {})",
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        }
    )))
}

/// A document as stored.
struct StoredDoc {
    id: String,
    owner: UserId,
    created_ms: i64,
    updated_ms: i64,
    updated_by: UserId,
    content: Value,
    sync_required: bool,
}

impl StoredDoc {
    /// The document as the API returns it, and as queries see it.
    fn json(self, coll: &Collection) -> Value {
        json!({
            "id": self.id,
            "customer": CUSTOMER,
            "owner": self.owner,
            "datastoreId": DATASTORE_ID,
            "collectionId": coll.id,
            "createdOn": timestamp(self.created_ms),
            "updatedOn": timestamp(self.updated_ms),
            "updatedBy": self.updated_by,
            "content": self.content,
            "syncRequired": self.sync_required,
        })
    }
}

/// A collection as the API returns it.
pub(crate) fn collection_json(c: &Collection) -> Value {
    let columns: Vec<Value> = c
        .schema
        .iter()
        .flatten()
        .map(|col| json!({"type": col.ty.as_str(), "name": col.name, "visible": true}))
        .collect();
    let schema = json!({"columns": columns});
    let mut v = json!({
        "id": c.id,
        "customer": CUSTOMER,
        "owner": c.owner,
        "datastoreId": DATASTORE_ID,
        "name": c.name,
        "schemaJson": schema.to_string(),
        "syncRequired": c.sync_required,
        "fullReplaceRequired": true,
        "lastSync": timestamp(c.last_sync_ms.unwrap_or(86_400_000)),
        "updatedBy": c.updated_by,
        "schema": schema,
        "createdOn": timestamp(c.created_ms),
        "updatedOn": timestamp(c.updated_ms),
        "exportable": c.schema.is_some(),
        "syncEnabled": c.sync_enabled,
    });
    if c.last_sync_ms.is_some()
        && let Value::Object(o) = &mut v
    {
        o.insert("datasourceId".into(), Value::from(dataset_id_of(&c.name)));
    }
    v
}

/// Checks `content` against the collection's schema: it is an object, and
/// each schema column it holds has a value of the column's type (or null).
/// `at` names the document in messages (`content`, `[2].content`).
fn check_content(coll: &Collection, content: &Value, at: &str) -> Result<()> {
    let Some(obj) = content.as_object() else {
        return Err(StoreError::invalid(format!(
            "`{at}` must be a JSON object, got {content}"
        )));
    };
    for col in coll.schema.iter().flatten() {
        let Some(v) = obj.get(&col.name).filter(|v| !v.is_null()) else {
            continue;
        };
        let ok = match col.ty {
            ColumnType::String => v.is_string(),
            ColumnType::Long => v.is_i64() || v.is_u64(),
            ColumnType::Double | ColumnType::Decimal => v.is_number(),
            ColumnType::Date => v
                .as_str()
                .is_some_and(|s| s.len() == 10 && csvio::normalize_date(s).is_some()),
            ColumnType::DateTime => v
                .as_str()
                .is_some_and(|s| s.len() > 10 && csvio::normalize_datetime(s).is_some()),
        };
        if !ok {
            let want = match col.ty {
                ColumnType::String => "a string",
                ColumnType::Long => "an integer",
                ColumnType::Double | ColumnType::Decimal => "a number",
                ColumnType::Date => "a date as \"YYYY-MM-DD\"",
                ColumnType::DateTime => "a date-time as \"YYYY-MM-DDTHH:MM:SSZ\"",
            };
            return Err(StoreError::invalid(format!(
                "`{at}.{}`: collection `{}` has the field as {} in its schema, which needs {want} (or null), got {v}",
                col.name,
                coll.name,
                col.ty.as_str()
            )));
        }
    }
    Ok(())
}

/// The documents of a collection, in creation order, as the API returns them.
fn documents(conn: &Connection, coll: &Collection) -> Result<Vec<Value>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, owner_id, created_ms, updated_ms, updated_by, content, sync_required
         FROM appdb_documents WHERE collection_id = ? ORDER BY seq",
    )?;
    let rows = stmt.query_map([&coll.id], |r| {
        Ok((
            StoredDoc {
                id: r.get(0)?,
                owner: r.get(1)?,
                created_ms: r.get(2)?,
                updated_ms: r.get(3)?,
                updated_by: r.get(4)?,
                content: Value::Null,
                sync_required: r.get(6)?,
            },
            r.get::<_, String>(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (mut doc, content) = row?;
        doc.content = serde_json::from_str(&content)
            .map_err(|e| StoreError::internal(format!("stored document {}: {e}", doc.id)))?;
        out.push(doc.json(coll));
    }
    Ok(out)
}

fn document(conn: &Connection, coll: &Collection, id: &str) -> Result<Value> {
    documents(conn, coll)?
        .into_iter()
        .find(|d| d["id"] == id)
        .ok_or_else(|| {
            StoreError::not_found(format!(
                "document {id} does not exist in AppDB collection `{}`",
                coll.name
            ))
        })
}

fn insert_document(
    conn: &Connection,
    coll: &Collection,
    user: UserId,
    content: &Value,
    now: i64,
) -> Result<Value> {
    let id = new_dataset_id();
    conn.execute(
        "INSERT INTO appdb_documents (id, collection_id, owner_id, created_ms, updated_ms, updated_by, content)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        params![id, coll.id, user, now, now, user, content.to_string()],
    )?;
    Ok(StoredDoc {
        id,
        owner: user,
        created_ms: now,
        updated_ms: now,
        updated_by: user,
        content: content.clone(),
        sync_required: true,
    }
    .json(coll))
}

/// Replaces a document's content; `false` when there is no such document.
fn update_content(
    conn: &Connection,
    coll: &Collection,
    user: UserId,
    id: &str,
    content: &Value,
    now: i64,
) -> Result<bool> {
    let n = conn.execute(
        "UPDATE appdb_documents SET content = ?, updated_ms = ?, updated_by = ?, sync_required = 1
         WHERE id = ? AND collection_id = ?",
        params![content.to_string(), now, user, id, coll.id],
    )?;
    Ok(n > 0)
}

/// Records that a collection's documents changed (an export is due).
fn mark_changed(conn: &Connection, coll: &Collection) -> Result<()> {
    conn.execute(
        "UPDATE appdb_collections SET sync_required = 1 WHERE id = ?",
        [&coll.id],
    )?;
    Ok(())
}

fn insert_collection(
    conn: &Connection,
    user: UserId,
    name: &str,
    spec: &CollectionSpec,
    now: i64,
) -> Result<()> {
    conn.execute(
        "INSERT INTO appdb_collections (id, name, owner_id, schema, sync_enabled, created_ms, updated_ms, updated_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            new_dataset_id(),
            name,
            user,
            schema_json(&spec.schema),
            spec.sync_enabled,
            now,
            now,
            user
        ],
    )?;
    Ok(())
}

fn check_spec(name: &str, spec: &CollectionSpec) -> Result<()> {
    if spec.sync_enabled && spec.schema.as_ref().is_none_or(Vec::is_empty) {
        return Err(StoreError::invalid(format!(
            "collection `{name}` has syncEnabled, so it needs a schema with at least one column"
        )));
    }
    Ok(())
}

/// The CSV text of one document's value in a column (an unquoted empty
/// field is null).
fn csv_field(out: &mut Vec<u8>, v: Option<&Value>) {
    match v {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => csvio::write_text_field(out, s),
        Some(other) => csvio::write_text_field(out, &other.to_string()),
    }
}

/// Exports one collection into its dataset, in the caller's transaction.
fn export_collection(conn: &Connection, coll: &Collection, clock: &Clock) -> Result<Exported> {
    let now = clock.now_ms();
    let dataset_id = dataset_id_of(&coll.name);
    let schema = coll.schema.clone().unwrap_or_default();
    let new_columns: Vec<NewColumn> = schema
        .iter()
        .map(|c| NewColumn::new(c.name.clone(), c.ty.as_str()))
        .collect();
    let columns = validate_columns("schema.columns", &new_columns)?;
    let existing = find_dataset(conn, &dataset_id)?;
    if existing.is_some() && !coll.sync_required {
        return Ok(Exported {
            collection: coll.name.clone(),
            dataset_id,
            rows: None,
        });
    }
    let ds = match existing {
        None => {
            insert_dataset(
                conn,
                coll.owner,
                &NewRecord {
                    id: &dataset_id,
                    name: &coll.name,
                    description: &format!(
                        "AppDB collection `{}`, exported by domo-emulator",
                        coll.name
                    ),
                    display_type: "appdb",
                    columns: &columns.columns,
                },
                now,
            )?;
            find_dataset(conn, &dataset_id)?
        }
        Some(ds) => {
            // Domo: a collection whose owner cannot write its dataset does not sync.
            authorize(conn, &ds, coll.owner, Need::Write).map_err(|e| {
                StoreError::forbidden(format!(
                    "collection `{}` cannot export: its owner, user {}, may not write dataset {dataset_id} ({})",
                    coll.name, coll.owner, e.message
                ))
            })?;
            let same = ds.columns.len() == columns.columns.len()
                && ds
                    .columns
                    .iter()
                    .zip(&columns.columns)
                    .all(|(a, b)| a.name == b.name && a.ty == b.ty);
            if !same {
                change_schema(conn, &ds, &columns)?;
            }
            find_dataset(conn, &dataset_id)?
        }
    }
    .ok_or_else(|| StoreError::internal("the export's dataset vanished"))?;

    let mut csv = Vec::new();
    for doc in documents(conn, coll)? {
        let content = doc["content"].as_object().cloned().unwrap_or_default();
        for (i, col) in schema.iter().enumerate() {
            if i > 0 {
                csv.push(b',');
            }
            csv_field(&mut csv, content.get(&col.name));
        }
        csv.push(b'\n');
    }
    conn.execute(
        "INSERT INTO uploads (dataset_pk, action, data_tag, requested_ms) VALUES (?, 'REPLACE', NULL, ?)",
        params![ds.pk, now],
    )?;
    let upload = conn.last_insert_rowid();
    conn.execute(
        "INSERT INTO upload_parts (upload_id, part_no, data) VALUES (?, 1, ?)",
        params![upload, csv],
    )?;
    let loaded =
        apply_upload(conn, &ds, upload, &[1], Load::Replace, None, clock).map_err(|e| {
            StoreError::invalid(format!(
                "collection `{}` cannot export to dataset {dataset_id}: {}",
                coll.name, e.message
            ))
        })?;
    conn.execute(
        "UPDATE appdb_documents SET sync_required = 0 WHERE collection_id = ?",
        [&coll.id],
    )?;
    conn.execute(
        "UPDATE appdb_collections SET sync_required = 0, last_sync_ms = ? WHERE id = ?",
        params![now, coll.id],
    )?;
    Ok(Exported {
        collection: coll.name.clone(),
        dataset_id,
        rows: Some(loaded.rows),
    })
}

impl Store {
    /// Creates the manifest's collections, or sets their schema and
    /// `syncEnabled` back to the manifest's (as Domo does when an app is
    /// saved); `owner` owns the ones it creates.
    pub(crate) fn appdb_install(&self, decls: &[CollectionDecl], owner: UserId) -> Result<()> {
        let now = self.now_ms();
        self.write(|conn| {
            for d in decls {
                let spec = CollectionSpec {
                    schema: d.schema.clone(),
                    sync_enabled: d.sync_enabled,
                };
                match find_collection(conn, &d.name)? {
                    None => insert_collection(conn, owner, &d.name, &spec, now)?,
                    Some(c) if c.schema != spec.schema || c.sync_enabled != spec.sync_enabled => {
                        conn.execute(
                            "UPDATE appdb_collections SET schema = ?, sync_enabled = ?, sync_required = 1 WHERE id = ?",
                            params![schema_json(&spec.schema), spec.sync_enabled, c.id],
                        )?;
                    }
                    Some(_) => {}
                }
            }
            Ok(())
        })
    }

    pub(crate) fn appdb_collections(&self) -> Result<Vec<Collection>> {
        self.read(all_collections)
    }

    pub(crate) fn appdb_collection(&self, name: &str) -> Result<Collection> {
        self.read(|conn| open_collection(conn, name))
    }

    /// `POST /domo/datastores/v1/collections` (409 for a name in use).
    pub(crate) fn appdb_create_collection(
        &self,
        user: UserId,
        name: &str,
        spec: &CollectionSpec,
    ) -> Result<Collection> {
        let now = self.now_ms();
        check_spec(name, spec)?;
        self.write(|conn| {
            if find_collection(conn, name)?.is_some() {
                return Err(StoreError::conflict(format!(
                    "AppDB collection `{name}` already exists"
                )));
            }
            insert_collection(conn, user, name, spec, now)?;
            open_collection(conn, name)
        })
    }

    /// `PUT /domo/datastores/v1/collections/{name}`.
    pub(crate) fn appdb_update_collection(
        &self,
        user: UserId,
        name: &str,
        update: &CollectionUpdate,
    ) -> Result<Collection> {
        let now = self.now_ms();
        self.write(|conn| {
            let c = open_collection(conn, name)?;
            let spec = CollectionSpec {
                schema: update.schema.clone().or(c.schema.clone()),
                sync_enabled: update.sync_enabled.unwrap_or(c.sync_enabled),
            };
            check_spec(name, &spec)?;
            conn.execute(
                "UPDATE appdb_collections SET schema = ?, sync_enabled = ?, updated_ms = ?, updated_by = ?,
                        sync_required = 1 WHERE id = ?",
                params![schema_json(&spec.schema), spec.sync_enabled, now, user, c.id],
            )?;
            open_collection(conn, name)
        })
    }

    /// `DELETE /domo/datastores/v1/collections/{name}`: the collection and
    /// its documents (an exported dataset stays, as in Domo).
    pub(crate) fn appdb_delete_collection(&self, name: &str) -> Result<()> {
        self.write(|conn| {
            let c = open_collection(conn, name)?;
            conn.execute(
                "DELETE FROM appdb_documents WHERE collection_id = ?",
                [&c.id],
            )?;
            conn.execute("DELETE FROM appdb_collections WHERE id = ?", [&c.id])?;
            Ok(())
        })
    }

    /// Creates documents (one, or a bulk create) in one transaction: all or
    /// none. `contents[i]` is named `at(i)` in messages.
    pub(crate) fn appdb_create_documents(
        &self,
        user: UserId,
        name: &str,
        contents: &[Value],
        at: impl Fn(usize) -> String,
    ) -> Result<Vec<Value>> {
        let now = self.now_ms();
        self.write(|conn| {
            let c = open_collection(conn, name)?;
            for (i, content) in contents.iter().enumerate() {
                check_content(&c, content, &at(i))?;
            }
            let docs = contents
                .iter()
                .map(|content| insert_document(conn, &c, user, content, now))
                .collect::<Result<Vec<_>>>()?;
            mark_changed(conn, &c)?;
            Ok(docs)
        })
    }

    pub(crate) fn appdb_documents(&self, name: &str) -> Result<Vec<Value>> {
        self.read(|conn| documents(conn, &open_collection(conn, name)?))
    }

    pub(crate) fn appdb_document(&self, name: &str, id: &str) -> Result<Value> {
        self.read(|conn| document(conn, &open_collection(conn, name)?, id))
    }

    /// `PUT .../documents/{id}`: the new content, whole.
    pub(crate) fn appdb_replace_document(
        &self,
        user: UserId,
        name: &str,
        id: &str,
        content: &Value,
    ) -> Result<Value> {
        let now = self.now_ms();
        self.write(|conn| {
            let c = open_collection(conn, name)?;
            check_content(&c, content, "content")?;
            if !update_content(conn, &c, user, id, content, now)? {
                return Err(StoreError::not_found(format!(
                    "document {id} does not exist in AppDB collection `{name}`"
                )));
            }
            mark_changed(conn, &c)?;
            document(conn, &c, id)
        })
    }

    /// Deletes documents by id; returns how many there were.
    pub(crate) fn appdb_delete_documents(&self, name: &str, ids: &[String]) -> Result<usize> {
        self.write(|conn| {
            let c = open_collection(conn, name)?;
            let mut n = 0;
            for id in ids {
                n += conn.execute(
                    "DELETE FROM appdb_documents WHERE id = ? AND collection_id = ?",
                    params![id, c.id],
                )?;
            }
            if n > 0 {
                mark_changed(conn, &c)?;
            }
            Ok(n)
        })
    }

    /// `POST .../documents/query`: the documents `query` matches, then the
    /// aggregation parameters.
    pub(crate) fn appdb_query(
        &self,
        name: &str,
        query: &Value,
        agg: &AggParams,
    ) -> Result<Vec<Value>> {
        let filter =
            Filter::parse(query).map_err(|e| StoreError::invalid(format!("query: {e}")))?;
        let agg = Aggregation::parse(agg).map_err(StoreError::invalid)?;
        let docs = self.read(|conn| documents(conn, &open_collection(conn, name)?))?;
        Ok(agg.run(docs.into_iter().filter(|d| filter.matches(d)).collect()))
    }

    /// `PUT .../documents/update`: applies `operation` to every document
    /// `query` matches, in one transaction; returns how many changed.
    pub(crate) fn appdb_partial_update(
        &self,
        user: UserId,
        name: &str,
        query: &Value,
        operation: &Value,
    ) -> Result<usize> {
        let now = self.now_ms();
        let filter =
            Filter::parse(query).map_err(|e| StoreError::invalid(format!("query: {e}")))?;
        self.write(|conn| {
            let c = open_collection(conn, name)?;
            let mut n = 0;
            for mut doc in documents(conn, &c)? {
                if !filter.matches(&doc) {
                    continue;
                }
                let before = doc["content"].clone();
                apply_update(&mut doc, operation, &timestamp(now))
                    .map_err(|e| StoreError::invalid(format!("operation: {e}")))?;
                if doc["content"] == before {
                    continue;
                }
                let id = doc["id"].as_str().unwrap_or_default().to_owned();
                check_content(&c, &doc["content"], &format!("document {id}: content"))?;
                update_content(conn, &c, user, &id, &doc["content"], now)?;
                n += 1;
            }
            if n > 0 {
                mark_changed(conn, &c)?;
            }
            Ok(n)
        })
    }

    /// `PUT .../documents/bulk`: documents with a known `id` are replaced,
    /// the others created; returns (updated, created).
    pub(crate) fn appdb_upsert_documents(
        &self,
        user: UserId,
        name: &str,
        items: &[(Option<String>, Value)],
    ) -> Result<(usize, usize)> {
        let now = self.now_ms();
        self.write(|conn| {
            let c = open_collection(conn, name)?;
            for (i, (_, content)) in items.iter().enumerate() {
                check_content(&c, content, &format!("[{i}].content"))?;
            }
            let (mut updated, mut created) = (0, 0);
            for (id, content) in items {
                match id {
                    Some(id) if update_content(conn, &c, user, id, content, now)? => updated += 1,
                    _ => {
                        insert_document(conn, &c, user, content, now)?;
                        created += 1;
                    }
                }
            }
            mark_changed(conn, &c)?;
            Ok((updated, created))
        })
    }

    /// Fails with `Locked` while another export runs (`POST
    /// /domo/datastores/v1/export` answers 423 then); the guard ends it.
    pub(crate) fn appdb_export_lock(&self) -> Result<MutexGuard<'_, ()>> {
        match self.appdb_export.try_lock() {
            Ok(g) => Ok(g),
            Err(TryLockError::Poisoned(p)) => Ok(p.into_inner()),
            Err(TryLockError::WouldBlock) => Err(StoreError::locked(
                "an AppDB export is already running; try again when it ends",
            )),
        }
    }

    /// Exports every `syncEnabled` collection with a schema into its
    /// dataset, each in its own transaction (one failing does not stop the
    /// others): a new version of the dataset when its documents changed
    /// since the last export. Returns what each did.
    pub(crate) fn appdb_export(&self) -> Result<Vec<Result<Exported>>> {
        let _running = self.appdb_export_lock()?;
        let collections = self.read(all_collections)?;
        Ok(collections
            .into_iter()
            .filter(|c| c.sync_enabled && c.schema.as_ref().is_some_and(|s| !s.is_empty()))
            .map(|c| self.write(|conn| export_collection(conn, &c, &self.clock)))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dataset_ids_are_uuids_made_from_the_name() {
        let a = dataset_id_of("notes");
        assert_eq!(a, dataset_id_of("notes"));
        assert_ne!(a, dataset_id_of("Notes"));
        let parts: Vec<&str> = a.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('5'), "{a}");
        assert!("89ab".contains(&parts[3][..1]), "{a}");
        // The id tests/ryuu-app/manifest.json maps as `notes_ds`.
        assert_eq!(a, "a061bbf6-15a8-5afe-b8f6-78c47335f7e6");
    }

    #[test]
    fn timestamps_as_appdb_writes_them() {
        assert_eq!(timestamp(1_551_718_765_184), "2019-03-04T16:59:25.184+0000");
        assert_eq!(timestamp(0), "1970-01-01T00:00:00.000+0000");
    }

    fn coll(schema: &[(&str, ColumnType)]) -> Collection {
        Collection {
            id: "c".into(),
            name: "notes".into(),
            owner: 1,
            schema: Some(
                schema
                    .iter()
                    .map(|(n, ty)| SchemaColumn {
                        name: (*n).into(),
                        ty: *ty,
                    })
                    .collect(),
            ),
            sync_enabled: true,
            created_ms: 0,
            updated_ms: 0,
            updated_by: 1,
            last_sync_ms: None,
            sync_required: true,
        }
    }

    #[test]
    fn documents_are_checked_against_the_schema_naming_the_field() {
        let c = coll(&[
            ("text", ColumnType::String),
            ("n", ColumnType::Long),
            ("x", ColumnType::Double),
            ("day", ColumnType::Date),
            ("at", ColumnType::DateTime),
        ]);
        check_content(
            &c,
            &json!({"text": "a", "n": 3, "x": 1.5, "day": "2024-01-02", "at": "2024-01-02T03:04:05Z", "extra": [1]}),
            "content",
        )
        .unwrap();
        check_content(&c, &json!({"text": null}), "content").unwrap();
        for (content, needle) in [
            (
                json!({"text": 5}),
                "`content.text`: collection `notes` has the field as STRING",
            ),
            (json!({"n": 1.5}), "`content.n`"),
            (json!({"n": "3"}), "needs an integer"),
            (json!({"x": "1.5"}), "needs a number"),
            (json!({"day": "2024-1-2"}), "YYYY-MM-DD"),
            (json!({"day": "2024-01-02T00:00:00Z"}), "`content.day`"),
            (json!({"at": "2024-01-02"}), "YYYY-MM-DDTHH:MM:SSZ"),
            (json!([1]), "must be a JSON object"),
        ] {
            let e = check_content(&c, &content, "content").unwrap_err();
            assert_eq!(e.kind, super::super::ErrorKind::Invalid);
            assert!(e.message.contains(needle), "{content}: {}", e.message);
        }
    }
}
