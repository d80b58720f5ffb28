//! Streams: create (which creates the dataset), read, update, search, run,
//! history, and stream-execution loads (open with [`RunStream`], then
//! [`ExecutionPart`]s, then [`CommitExecution`] or [`AbortExecution`]).

use bytes::Bytes;
use domo_model::streams::{Execution, RunStreamRequest, Stream, StreamRequest};
use http::{Method, Response};
use serde::Serialize;

use crate::endpoint::{Body, Endpoint, JsonEndpoint, json, json_object_or_empty, json_or_default};
use crate::error::{Error, ErrorKind};
use crate::path::segment;

fn stream_path(stream_id: &str) -> Result<String, Error> {
    Ok(format!(
        "/api/data/v1/streams/{}",
        segment("stream id", stream_id)?
    ))
}

/// `POST /api/data/v1/streams`. Not idempotent: each call creates a stream
/// and a dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateStream<R = StreamRequest> {
    pub request: R,
}

/// A stream request body: a [`StreamRequest`], or its JSON as a JS client
/// passes it through. Creating a stream needs the new dataset's name.
pub trait StreamBody: Serialize {
    fn dataset_name(&self) -> Option<&str>;
}

impl StreamBody for StreamRequest {
    fn dataset_name(&self) -> Option<&str> {
        self.data_source.as_ref().and_then(|d| d.name.as_deref())
    }
}

impl StreamBody for serde_json::Value {
    fn dataset_name(&self) -> Option<&str> {
        self.pointer("/dataSource/name")
            .and_then(serde_json::Value::as_str)
    }
}

impl<R: StreamBody> Endpoint for CreateStream<R> {
    type Output = Stream;
    fn method(&self) -> Method {
        Method::POST
    }
    fn path(&self) -> Result<String, Error> {
        Ok("/api/data/v1/streams".to_owned())
    }
    fn body(&self) -> Result<Body, Error> {
        let named = self
            .request
            .dataset_name()
            .is_some_and(|n| !n.trim().is_empty());
        if !named {
            return Err(Error::invalid_input(
                "create stream: dataSource.name is required",
            ));
        }
        Body::json(&self.request)
    }
    fn parse(&self, response: Response<Bytes>) -> Result<Stream, Error> {
        json(response)
    }
}

impl<R: StreamBody> JsonEndpoint for CreateStream<R> {}

/// `GET /api/data/v1/streams/{id}`.
#[derive(Debug, Clone, PartialEq)]
pub struct GetStream {
    pub stream_id: String,
}

impl Endpoint for GetStream {
    type Output = Stream;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path(&self) -> Result<String, Error> {
        stream_path(&self.stream_id)
    }
    fn parse(&self, response: Response<Bytes>) -> Result<Stream, Error> {
        json(response)
    }
}

impl JsonEndpoint for GetStream {}

/// `PUT /api/data/v1/streams/{id}`.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateStream<R = StreamRequest> {
    pub stream_id: String,
    pub request: R,
}

impl<R: StreamBody> Endpoint for UpdateStream<R> {
    type Output = Stream;
    fn method(&self) -> Method {
        Method::PUT
    }
    fn path(&self) -> Result<String, Error> {
        stream_path(&self.stream_id)
    }
    fn body(&self) -> Result<Body, Error> {
        Body::json(&self.request)
    }
    fn parse(&self, response: Response<Bytes>) -> Result<Stream, Error> {
        json(response)
    }
}

impl<R: StreamBody> JsonEndpoint for UpdateStream<R> {}

/// `GET /api/data/v1/streams/search?q=dataSource.id:{id}`: the stream that
/// feeds a dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchStreams {
    pub dataset_id: String,
}

impl Endpoint for SearchStreams {
    type Output = Vec<Stream>;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path(&self) -> Result<String, Error> {
        // Validated like a path id even though it travels in the query.
        segment("dataset id", &self.dataset_id)?;
        Ok("/api/data/v1/streams/search".to_owned())
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        vec![("q", format!("dataSource.id:{}", self.dataset_id))]
    }
    fn parse(&self, response: Response<Bytes>) -> Result<Vec<Stream>, Error> {
        json(response)
    }
}

impl JsonEndpoint for SearchStreams {}

/// `POST /api/data/v1/streams/{id}/executions`. Not idempotent: each call
/// starts a run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunStream {
    pub stream_id: String,
    pub request: RunStreamRequest,
}

impl Endpoint for RunStream {
    type Output = Execution;
    fn method(&self) -> Method {
        Method::POST
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!("{}/executions", stream_path(&self.stream_id)?))
    }
    fn body(&self) -> Result<Body, Error> {
        Body::json(&self.request)
    }
    fn parse(&self, response: Response<Bytes>) -> Result<Execution, Error> {
        json_or_default(response)
    }
}

impl JsonEndpoint for RunStream {
    fn parse_json(&self, response: Response<Bytes>) -> Result<serde_json::Value, Error> {
        let mut value = json_object_or_empty(response)?;
        domo_model::rename_aliases(&mut value, Execution::ALIASES);
        Ok(value)
    }
}

/// `GET /api/data/v1/streams/{id}/history/aggregate`.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamHistory {
    pub stream_id: String,
}

impl Endpoint for StreamHistory {
    type Output = Vec<Execution>;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!(
            "{}/history/aggregate",
            stream_path(&self.stream_id)?
        ))
    }
    fn parse(&self, response: Response<Bytes>) -> Result<Vec<Execution>, Error> {
        json(response)
    }
}

impl JsonEndpoint for StreamHistory {
    fn parse_json(&self, response: Response<Bytes>) -> Result<serde_json::Value, Error> {
        let mut value = json(response)?;
        domo_model::rename_aliases(&mut value, Execution::ALIASES);
        Ok(value)
    }
}

fn execution_path(stream_id: &str, execution_id: &str) -> Result<String, Error> {
    Ok(format!(
        "{}/executions/{}",
        stream_path(stream_id)?,
        segment("execution id", execution_id)?
    ))
}

/// The id of an execution a server opened: `executionId` (or `id`). A reply
/// without one cannot be loaded into.
pub fn execution_id(stream_id: &str, execution: &Execution) -> Result<String, Error> {
    execution
        .execution_id
        .as_ref()
        .map(|id| id.to_string())
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Decode,
                format!("stream {stream_id}: the new execution's reply names no executionId"),
            )
        })
}

/// `PUT /api/data/v1/streams/{sid}/executions/{eid}/part/{n}`: one part of
/// a stream-execution load, header-less CSV, optionally gzip. Re-sending a
/// part number replaces it, so it is idempotent.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionPart {
    pub stream_id: String,
    pub execution_id: String,
    /// From 1, contiguous.
    pub part: u32,
    pub csv: Bytes,
    /// Whether `csv` is gzip-compressed (`Content-Encoding: gzip`).
    pub gzip: bool,
}

impl Endpoint for ExecutionPart {
    type Output = ();
    fn method(&self) -> Method {
        Method::PUT
    }
    fn path(&self) -> Result<String, Error> {
        if self.part == 0 {
            return Err(Error::invalid_input("execution part numbers start at 1"));
        }
        Ok(format!(
            "{}/part/{}",
            execution_path(&self.stream_id, &self.execution_id)?,
            self.part
        ))
    }
    fn body(&self) -> Result<Body, Error> {
        Ok(Body::Csv {
            data: self.csv.clone(),
            gzip: self.gzip,
        })
    }
    fn parse(&self, _: Response<Bytes>) -> Result<(), Error> {
        Ok(())
    }
}

/// `PUT .../executions/{eid}/commit`: apply the parts as the stream's
/// `updateMethod` says; the reply is the execution (`currentState:
/// "SUCCESS"`).
#[derive(Debug, Clone, PartialEq)]
pub struct CommitExecution {
    pub stream_id: String,
    pub execution_id: String,
}

impl CommitExecution {
    /// The outcome of a commit that took `attempts` attempts: as for v3
    /// uploads ([`crate::uploads::CommitUpload::settle`]), a 409 after an
    /// attempt that may have landed means that attempt committed. A reply
    /// whose state is `FAILED` or `ABORTED` is an error.
    pub fn settle(
        &self,
        result: Result<Execution, Error>,
        attempts: u32,
    ) -> Result<Execution, Error> {
        match result {
            Err(e) if e.kind() == ErrorKind::Conflict && attempts > 1 => Ok(Execution {
                execution_id: Some(self.execution_id.clone().into()),
                current_state: Some("SUCCESS".into()),
                ..Execution::default()
            }),
            Ok(execution) => match execution.current_state.as_deref() {
                Some(state @ ("FAILED" | "ABORTED")) => Err(Error::new(
                    ErrorKind::Server,
                    format!(
                        "stream {} execution {} ended {state} instead of committing",
                        self.stream_id, self.execution_id
                    ),
                )),
                _ => Ok(execution),
            },
            other => other,
        }
    }
}

impl Endpoint for CommitExecution {
    type Output = Execution;
    fn method(&self) -> Method {
        Method::PUT
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!(
            "{}/commit",
            execution_path(&self.stream_id, &self.execution_id)?
        ))
    }
    fn parse(&self, response: Response<Bytes>) -> Result<Execution, Error> {
        json_or_default(response)
    }
}

impl JsonEndpoint for CommitExecution {
    fn parse_json(&self, response: Response<Bytes>) -> Result<serde_json::Value, Error> {
        let mut value = json_object_or_empty(response)?;
        domo_model::rename_aliases(&mut value, Execution::ALIASES);
        Ok(value)
    }
}

/// `PUT .../executions/{eid}/abort`: drop the parts; the execution ends
/// `ABORTED`. A load that fails sends this, so no execution is left open.
#[derive(Debug, Clone, PartialEq)]
pub struct AbortExecution {
    pub stream_id: String,
    pub execution_id: String,
}

impl Endpoint for AbortExecution {
    type Output = Execution;
    fn method(&self) -> Method {
        Method::PUT
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!(
            "{}/abort",
            execution_path(&self.stream_id, &self.execution_id)?
        ))
    }
    fn parse(&self, response: Response<Bytes>) -> Result<Execution, Error> {
        json_or_default(response)
    }
}

impl JsonEndpoint for AbortExecution {
    fn parse_json(&self, response: Response<Bytes>) -> Result<serde_json::Value, Error> {
        let mut value = json_object_or_empty(response)?;
        domo_model::rename_aliases(&mut value, Execution::ALIASES);
        Ok(value)
    }
}

/// Whether an upload with `action` may go through `stream`: the stream's
/// `updateMethod` decides what its commit does, so asking for another action
/// is refused before anything is sent (a REPLACE meant as an APPEND loses
/// rows). A stream that does not say accepts any action.
pub fn check_stream_action(
    stream_id: &str,
    stream: &Stream,
    action: domo_model::uploads::UploadAction,
) -> Result<(), Error> {
    match stream.update_method.as_deref() {
        Some(method) if !method.eq_ignore_ascii_case(action.as_str()) => {
            Err(Error::invalid_input(format!(
                "stream {stream_id} is set to {method}, so its load cannot {}; \
                 upload with {method} or change the stream's updateMethod; nothing was sent",
                action.as_str()
            )))
        }
        _ => Ok(()),
    }
}
