//! `domoctl dataset ...`: list and search, metadata, schema, creation,
//! renaming, schema changes, deletion, versions, tags, rows, one-row
//! appends and indexing; and `domoctl whoami`.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use domo_native::model::Id;
use domo_native::model::datasets::{Dataset, SearchHit};
use domo_native::model::schema::Schema;
use domo_native::model::versions::DataVersion;
use domo_native::{Client, DataWindow, DatasetSearch, NewDataset, SchemaRoute};
use futures_util::{StreamExt, TryStreamExt};
use serde_json::json;

use crate::alter::Edits;
use crate::args::{DatasetCommand, SchemaForm};
use crate::failure::Failure;
use crate::output::{Format, Output, StreamedStdout, note, opt};
use crate::table::{Record, Table};
use crate::units::{format_bytes, format_epoch_ms};

pub async fn run(client: &Client, out: Output, command: DatasetCommand) -> Result<(), Failure> {
    match command {
        DatasetCommand::List {
            search,
            owner,
            limit,
            full,
        } => list(client, out, search, owner, limit, full).await,
        DatasetCommand::Get { id } => {
            let ds = client.dataset(&id).await?;
            out.record(&ds, dataset_record)
        }
        DatasetCommand::Schema {
            id,
            form,
            include_hidden,
        } => {
            let route = match form {
                SchemaForm::Latest => SchemaRoute::Latest,
                SchemaForm::Indexed if include_hidden => SchemaRoute::IndexedWithHidden,
                SchemaForm::Indexed => SchemaRoute::Indexed,
                SchemaForm::Documented => SchemaRoute::Documented,
            };
            if include_hidden && form != SchemaForm::Indexed {
                return Err(Failure::usage(
                    "--include-hidden goes with --form indexed (the only route that hides columns)",
                ));
            }
            let schema = client.schema_via(id, route).await?;
            out.list(&schema, schema_table)
        }
        DatasetCommand::Create {
            name,
            columns,
            description,
            no_stream,
        } => {
            // A script reads the id alone; a person gets the details.
            let id_only = out.format == Format::Table && !std::io::stdout().is_terminal();
            let mut new = NewDataset::new(&name, columns);
            if !description.is_empty() {
                new = new.description(&description);
            }
            if no_stream {
                new = new.without_stream();
            }
            let created = client.create_dataset(new).await?;
            if id_only {
                return out.raw(format!("{}\n", created.dataset_id));
            }
            let json = json!({
                "datasetId": created.dataset_id,
                "streamId": created.stream_id,
                "name": name,
            });
            out.record(&json, |_| {
                let mut r = Record::new().field("dataset", created.dataset_id.as_str());
                if let Some(stream) = &created.stream_id {
                    r = r.field("stream", stream.to_string());
                }
                r.field("name", &name)
            })
        }
        DatasetCommand::Rename { id, name } => {
            client.rename_dataset(&id, &name).await?;
            out.done(
                &format!("dataset {id} is now called {name:?}"),
                json!({"datasetId": id, "name": name}),
            )
        }
        DatasetCommand::Describe { id, text } => {
            client.describe_dataset(&id, &text).await?;
            out.done(
                &format!("described dataset {id}"),
                json!({"datasetId": id, "description": text}),
            )
        }
        DatasetCommand::Alter {
            id,
            add,
            rename,
            retype,
            drop,
            key,
            no_key,
        } => {
            let edits = Edits {
                drop,
                rename,
                retype: retype.into_iter().map(|c| (c.name, c.kind)).collect(),
                add,
                key,
                no_key,
            };
            let current = client.schema(&id).await?;
            let columns = edits
                .apply(&current.columns)
                .map_err(|e| Failure::usage(format!("dataset {id}: {e}")))?;
            let schema = Schema::new(columns);
            client.alter_schema(&id, &schema).await?;
            out.list(&schema, schema_table)
        }
        DatasetCommand::Delete { id, yes } => delete(client, out, &id, yes).await,
        DatasetCommand::Versions { id } => {
            let versions = client.data_versions(&id).await?;
            out.list(&versions, |v| versions_table(v))
        }
        DatasetCommand::Tags { id, tags, clear } => {
            if tags.is_empty() && !clear {
                let ds = client.dataset(&id).await?;
                let tags = ds.tags.unwrap_or_default();
                return out.list(&tags, tags_table);
            }
            client.set_tags(&id, tags.clone()).await?;
            let sentence = if tags.is_empty() {
                format!("removed every tag of {id}")
            } else {
                format!("tags of {id} are now: {}", tags.join(", "))
            };
            out.done(&sentence, json!({"datasetId": id, "tags": tags}))
        }
        DatasetCommand::Data {
            id,
            offset,
            limit,
            filter,
        } => {
            let mut window = DataWindow::all();
            window.offset = offset;
            window.limit = limit;
            window.filter = filter;
            if out.format == Format::Csv {
                // The server's own CSV, streamed as it arrives.
                let mut stdout = StreamedStdout::new();
                return match client.data_csv_to(&id, &window, &mut stdout).await {
                    Ok(_) => Ok(()),
                    Err(e) => Err(stdout.failure(e)),
                };
            }
            let page = client.data(&id, &window).await?;
            out.list(&page, |p| {
                let mut t = Table::new(p.columns.iter().cloned());
                for row in &p.rows {
                    t.push_values(row);
                }
                t
            })
        }
        DatasetCommand::AppendRow {
            id,
            values,
            delimiter,
        } => {
            client.append_row(&id, &values, delimiter).await?;
            out.done(
                &format!("appended one row to {id}"),
                json!({"datasetId": id, "appended": 1}),
            )
        }
        DatasetCommand::Index {
            id,
            poll_interval,
            wait,
        } => {
            let started = Instant::now();
            let job = client.start_index(&id).await?;
            let Some(index_id) = job.index_id.clone() else {
                return Err(Failure::Io(format!(
                    "the server started indexing {id} but named no index id"
                )));
            };
            note(&format!("indexing {id} (index {index_id})..."));
            let mut job = job;
            // Small indexes finish quickly: check soon, then less often.
            let mut pause = poll_interval.min(Duration::from_millis(100));
            while !job.is_done() {
                if job.is_failed() {
                    return Err(Failure::Io(format!(
                        "indexing {id} failed (index {index_id}, status {})",
                        job.status.as_deref().unwrap_or("?")
                    )));
                }
                if started.elapsed() > wait {
                    return Err(Failure::Io(format!(
                        "index {index_id} of {id} is still {} after {:.0?}; check again later",
                        job.status.as_deref().unwrap_or("running"),
                        wait
                    )));
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(poll_interval);
                job = client.index_status(&id, &index_id.to_string()).await?;
            }
            let secs = started.elapsed().as_secs_f64();
            out.record(&job, |j| {
                Record::new()
                    .field("index", index_id.to_string())
                    .field("status", opt(&j.status))
                    .field("seconds", format!("{secs:.1}"))
            })
        }
    }
}

pub fn dataset_record(ds: &Dataset) -> Record {
    Record::new()
        .field("id", ds.id.to_string())
        .maybe("name", ds.name.clone())
        .maybe(
            "description",
            ds.description.clone().filter(|d| !d.is_empty()),
        )
        .maybe("type", ds.kind.clone())
        .maybe("status", ds.status.clone())
        .maybe(
            "owner",
            ds.owner.as_ref().map(|o| match (&o.name, &o.id) {
                (Some(n), Some(i)) => format!("{n} ({i})"),
                (Some(n), None) => n.clone(),
                (None, Some(i)) => i.to_string(),
                (None, None) => String::new(),
            }),
        )
        .maybe("stream", ds.stream_id.as_ref().map(ToString::to_string))
        .maybe("rows", ds.row_count().map(|n| n.to_string()))
        .maybe("columns", ds.column_count().map(|n| n.to_string()))
        .maybe("created", ds.created.map(format_epoch_ms))
        .maybe("updated", ds.last_updated.map(format_epoch_ms))
        .maybe("tags", ds.tags.as_ref().map(|t| t.join(", ")))
}

fn schema_table(schema: &Schema) -> Table {
    let mut t = Table::new(["name", "type", "key", "description"]);
    for column in &schema.columns {
        t.push([
            column.name.clone(),
            column.kind.to_string(),
            if column.is_upsert_key() {
                "upsert key"
            } else {
                ""
            }
            .to_owned(),
            opt(&column.description),
        ]);
    }
    t
}

/// `dataset list`: every page of the list, or the search's hits, as one
/// table of the same columns.
async fn list(
    client: &Client,
    out: Output,
    search: Option<String>,
    owner: Option<String>,
    limit: Option<u64>,
    full: bool,
) -> Result<(), Failure> {
    let limit = limit.map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));
    let query = (search.is_some() || owner.is_some()).then(|| {
        let query = search.map_or_else(DatasetSearch::default, DatasetSearch::text);
        match owner {
            Some(owner) => query.owner(owner),
            None => query,
        }
    });
    // The plain list already answers with whole datasets.
    let datasets: Vec<Dataset> = match query {
        None => client.datasets().take(limit).try_collect().await?,
        Some(query) if full => {
            client
                .search_datasets_full(query)
                .take(limit)
                .try_collect()
                .await?
        }
        Some(query) => {
            let hits: Vec<SearchHit> = client
                .search_datasets(query)
                .take(limit)
                .try_collect()
                .await?;
            return out.list(&hits, |list| {
                let mut t = Table::new(LIST_COLUMNS);
                for hit in list {
                    t.push([
                        hit.dataset_id().to_owned(),
                        opt(&hit.name),
                        opt(&hit.row_count),
                        opt(&hit.column_count),
                        owner_text(hit.owned_by_name.as_deref(), hit.owned_by_id.as_ref()),
                        hit.last_modified.map(format_epoch_ms).unwrap_or_default(),
                    ]);
                }
                t
            });
        }
    };
    out.list(&datasets, |list| {
        let mut t = Table::new(LIST_COLUMNS);
        for ds in list {
            t.push([
                ds.id.to_string(),
                opt(&ds.name),
                opt(&ds.row_count()),
                opt(&ds.column_count()),
                ds.owner
                    .as_ref()
                    .map(|o| owner_text(o.name.as_deref(), o.id.as_ref()))
                    .unwrap_or_default(),
                ds.last_updated.map(format_epoch_ms).unwrap_or_default(),
            ]);
        }
        t
    })
}

const LIST_COLUMNS: [&str; 6] = ["id", "name", "rows", "columns", "owner", "updated"];

fn owner_text(name: Option<&str>, id: Option<&Id>) -> String {
    match (name, id) {
        (Some(n), Some(i)) => format!("{n} ({i})"),
        (Some(n), None) => n.to_owned(),
        (None, Some(i)) => i.to_string(),
        (None, None) => String::new(),
    }
}

/// `dataset delete`: on a terminal, the dataset's name must be typed back;
/// otherwise `--yes` says the caller means it. Either way the dataset is
/// read first, so the answer names what was deleted.
async fn delete(client: &Client, out: Output, id: &str, yes: bool) -> Result<(), Failure> {
    let dataset = client.dataset(id).await?;
    let name = dataset.name.clone().unwrap_or_default();
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(Failure::usage(format!(
                "deleting dataset {id} ({name:?}) cannot be undone: pass --yes to confirm \
                 (stdin is not a terminal, so domoctl cannot ask)"
            )));
        }
        note(&format!(
            "Deleting dataset {id} removes its rows, versions, streams and permissions; it cannot be undone.\n\
             Type its name ({name}) to confirm:"
        ));
        let mut typed = String::new();
        std::io::stdin()
            .read_line(&mut typed)
            .map_err(|e| Failure::io("cannot read the confirmation", e))?;
        if typed.trim_end_matches(['\r', '\n']) != name {
            return Err(Failure::usage(format!(
                "the name typed is not {name:?}: dataset {id} was not deleted"
            )));
        }
    }
    client.delete_dataset(id).await?;
    out.done(
        &format!("deleted dataset {id} ({name:?})"),
        json!({"datasetId": id, "name": name, "deleted": true}),
    )
}

/// `domoctl whoami`: the token's user, and where that user lives.
pub async fn whoami(client: &Client, out: Output) -> Result<(), Failure> {
    let user = client.whoami().await?;
    let instance = client.base_url().to_owned();
    match out.format {
        Format::Json => out.json(&json!({"user": user, "instance": instance})),
        _ => out.record(&user, |u| {
            Record::new()
                .field("id", u.id.to_string())
                .maybe("name", u.display_name.clone())
                .maybe("user", u.user_name.clone())
                .maybe("email", u.email_address.clone())
                .maybe("role", u.role.clone())
                .field("instance", &instance)
        }),
    }
}

pub fn versions_table(versions: &[DataVersion]) -> Table {
    let mut t = Table::new(["version", "status", "rows", "size", "recorded", "seconds"]);
    for v in versions {
        t.push([
            opt(&v.data_version_id),
            opt(&v.status),
            opt(&v.row_count),
            v.size_bytes.map(format_bytes).unwrap_or_default(),
            v.datetime_recorded
                .map(format_epoch_ms)
                .or_else(|| v.created_at.clone())
                .unwrap_or_default(),
            v.run_duration_seconds
                .map(|s| format!("{s:.2}"))
                .unwrap_or_default(),
        ]);
    }
    t
}

fn tags_table(tags: &Vec<String>) -> Table {
    let mut t = Table::new(["tag"]);
    for tag in tags {
        t.push([tag.clone()]);
    }
    t
}
