//! `domoctl stream ...`: the streams that create and feed datasets.

use std::io::Read;

use domo_native::Client;
use domo_native::model::streams::{
    Execution, SchemaDefinition, Stream, StreamDataSource, StreamRequest,
};

use crate::args::{StreamCommand, StreamSpec};
use crate::failure::Failure;
use crate::output::{Output, opt};
use crate::table::{Record, Table};
use crate::units::format_epoch_seconds;

pub async fn run(client: &Client, out: Output, command: StreamCommand) -> Result<(), Failure> {
    match command {
        StreamCommand::Create(spec) => {
            let request = match &spec.from_json {
                Some(_) => request_from_json(&spec)?,
                None => {
                    let name = spec.name.clone().ok_or_else(|| {
                        Failure::usage(
                            "a new stream needs --name and at least one --column NAME:TYPE (or --from-json FILE)",
                        )
                    })?;
                    if spec.columns.is_empty() {
                        return Err(Failure::usage(
                            "a new stream needs at least one --column NAME:TYPE (or --from-json FILE)",
                        ));
                    }
                    let mut r = StreamRequest::api_dataset(
                        name,
                        spec.description.clone().unwrap_or_default(),
                        spec.columns.clone(),
                    );
                    if let Some(m) = &spec.update_method {
                        r.update_method = Some(m.to_ascii_uppercase());
                    }
                    r
                }
            };
            let stream = client.create_stream(request).await?;
            out.record(&stream, stream_record)
        }
        StreamCommand::Get { stream_id } => {
            let stream = client.stream(&stream_id).await?;
            out.record(&stream, stream_record)
        }
        StreamCommand::Update { stream_id, spec } => {
            let request = match &spec.from_json {
                Some(_) => request_from_json(&spec)?,
                None => update_from_flags(&spec)?,
            };
            let stream = client.update_stream(&stream_id, request).await?;
            out.record(&stream, stream_record)
        }
        StreamCommand::Run { stream_id } => {
            let execution = client.run_stream(&stream_id).await?;
            out.record(&execution, execution_record)
        }
        StreamCommand::History { stream_id } => {
            let runs = client.stream_history(&stream_id).await?;
            out.list(&runs, |r| executions_table(r))
        }
        StreamCommand::Search { dataset_id } => {
            let streams = client.search_streams(&dataset_id).await?;
            out.list(&streams, |s| streams_table(s))
        }
    }
}

/// Only the fields given change.
fn update_from_flags(spec: &StreamSpec) -> Result<StreamRequest, Failure> {
    if spec.name.is_none()
        && spec.description.is_none()
        && spec.columns.is_empty()
        && spec.update_method.is_none()
    {
        return Err(Failure::usage(
            "nothing to change: give --name, --description, --column, --update-method or --from-json FILE",
        ));
    }
    let data_source =
        (spec.name.is_some() || spec.description.is_some()).then(|| StreamDataSource {
            name: spec.name.clone(),
            description: spec.description.clone(),
            ..StreamDataSource::default()
        });
    Ok(StreamRequest {
        data_source,
        schema_definition: (!spec.columns.is_empty()).then(|| SchemaDefinition {
            columns: spec.columns.clone(),
        }),
        update_method: spec.update_method.as_ref().map(|m| m.to_ascii_uppercase()),
        ..StreamRequest::default()
    })
}

fn request_from_json(spec: &StreamSpec) -> Result<StreamRequest, Failure> {
    let Some(path) = &spec.from_json else {
        return Err(Failure::usage("--from-json needs a file"));
    };
    let text = if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| Failure::io("cannot read the stream request from stdin", e))?;
        s
    } else {
        std::fs::read_to_string(path)
            .map_err(|e| Failure::io(format!("cannot read {}", path.display()), e))?
    };
    serde_json::from_str(&text).map_err(|e| {
        Failure::usage(format!(
            "{} is not a stream request (JSON with transport, dataSource, schemaDefinition, ...): {e}",
            path.display()
        ))
    })
}

pub fn stream_record(s: &Stream) -> Record {
    let source = s.data_source.as_ref();
    Record::new()
        .field("stream", s.id.to_string())
        .maybe("dataset", source.and_then(|d| d.id.clone()))
        .maybe(
            "name",
            source.and_then(|d| d.name.clone()).or(s.name.clone()),
        )
        .maybe(
            "description",
            source
                .and_then(|d| d.description.clone())
                .filter(|d| !d.is_empty()),
        )
        .maybe("transport", s.transport.as_ref().map(|t| t.kind.clone()))
        .maybe("update method", s.update_method.clone())
        .maybe("status", s.status.clone())
        .maybe(
            "columns",
            s.schema_definition.as_ref().map(|d| {
                d.columns
                    .iter()
                    .map(|c| format!("{}:{}", c.name, c.kind))
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
        )
        .maybe(
            "last run",
            s.last_execution.as_ref().map(|e| {
                format!(
                    "{} {}",
                    opt(&e.execution_id),
                    e.current_state.as_deref().unwrap_or("")
                )
                .trim()
                .to_owned()
            }),
        )
        .maybe("created", s.created_at.map(format_epoch_seconds))
}

fn execution_record(e: &Execution) -> Record {
    Record::new()
        .field("execution", opt(&e.execution_id))
        .maybe("stream", e.stream_id.as_ref().map(ToString::to_string))
        .maybe("state", e.current_state.clone())
        .maybe("started", e.started_at.map(format_epoch_seconds))
}

fn executions_table(runs: &[Execution]) -> Table {
    let mut t = Table::new([
        "execution",
        "state",
        "rows",
        "bytes",
        "started",
        "ended",
        "method",
    ]);
    for e in runs {
        t.push([
            opt(&e.execution_id),
            opt(&e.current_state),
            opt(&e.rows_inserted),
            opt(&e.bytes_inserted),
            e.started_at.map(format_epoch_seconds).unwrap_or_default(),
            e.ended_at.map(format_epoch_seconds).unwrap_or_default(),
            opt(&e.update_method),
        ]);
    }
    t
}

fn streams_table(streams: &[Stream]) -> Table {
    let mut t = Table::new([
        "stream",
        "dataset",
        "name",
        "transport",
        "method",
        "last run",
    ]);
    for s in streams {
        let source = s.data_source.as_ref();
        t.push([
            s.id.to_string(),
            source
                .and_then(|d| d.id.clone())
                .unwrap_or_default()
                .to_string(),
            source
                .and_then(|d| d.name.clone())
                .or(s.name.clone())
                .unwrap_or_default(),
            s.transport
                .as_ref()
                .map(|t| t.kind.clone())
                .unwrap_or_default(),
            opt(&s.update_method),
            s.last_execution
                .as_ref()
                .and_then(|e| e.current_state.clone())
                .unwrap_or_default(),
        ]);
    }
    t
}
