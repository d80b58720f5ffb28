//! `domoctl dataset ...`: metadata, schema, creation, versions, tags, rows,
//! one-row appends and indexing.

use std::time::{Duration, Instant};

use domo_core::data::DataWindow;
use domo_native::Client;
use domo_native::model::datasets::Dataset;
use domo_native::model::schema::{Column, Schema};
use domo_native::model::versions::DataVersion;
use serde_json::json;

use crate::args::{DatasetCommand, SchemaForm};
use crate::failure::Failure;
use crate::output::{Format, Output, StreamedStdout, note, opt};
use crate::table::{Record, Table};
use crate::units::{format_bytes, format_epoch_ms};

pub async fn run(client: &Client, out: Output, command: DatasetCommand) -> Result<(), Failure> {
    match command {
        DatasetCommand::Get { id } => {
            let ds = client.dataset(&id).await?;
            out.record(&ds, dataset_record)
        }
        DatasetCommand::Schema {
            id,
            form,
            include_hidden,
        } => match form {
            SchemaForm::Seed => {
                let s = client.schema(&id).await?;
                out.list(&s, schema_table)
            }
            SchemaForm::Latest => {
                let s = client.latest_schema(&id).await?;
                out.list(&s, |s| schema_table(&s.schema))
            }
            SchemaForm::Indexed => {
                let s = client.indexed_schema(&id, include_hidden).await?;
                out.list(&s, |s| {
                    schema_table(s.tables.first().unwrap_or(&Schema::default()))
                })
            }
        },
        DatasetCommand::Create {
            name,
            columns,
            description,
        } => {
            let stream = client.create_dataset(&name, &description, columns).await?;
            out.record(&stream, |s| {
                Record::new()
                    .field("dataset", s.dataset_id().unwrap_or_default())
                    .field("stream", s.id.to_string())
                    .field("name", &name)
            })
        }
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
            let window = DataWindow {
                offset,
                limit,
                filter,
            };
            if out.format == Format::Csv {
                // The server's own CSV, streamed as it arrives.
                let mut stdout = StreamedStdout::new();
                return match client.data_csv_to(&id, window, &mut stdout).await {
                    Ok(_) => Ok(()),
                    Err(e) => Err(stdout.failure(e)),
                };
            }
            let page = client.data(&id, window).await?;
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
        .field("id", &ds.id)
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
    let mut t = Table::new(["name", "type", "description"]);
    for Column {
        name,
        kind,
        description,
        ..
    } in &schema.columns
    {
        t.push([name.clone(), kind.to_string(), opt(description)]);
    }
    t
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
