//! Streams: create (which creates the dataset), read, update, search, run,
//! history, and stream-execution loads (open with [`RunStream`], then
//! [`ExecutionPart`]s, then [`CommitExecution`] or [`AbortExecution`]).

use bytes::Bytes;
use domo_model::streams::{Execution, Stream, StreamRequest};
use domo_model::{DatasetId, Id};

use crate::error::{Error, ErrorKind};
use crate::spec::{BodyShape, Check, Fixup, ReplyShape};

/// Where streams are created (and, with a dataset, datasets).
pub const CREATE_STREAM_PATH: &str = "/api/data/v1/streams";

/// An execution's reply: an empty 200 is an execution with nothing known;
/// `id` and `status` are the real `executionId` and `currentState`.
const EXECUTION: &[Fixup] = &[Fixup::EmptyAs("{}"), Fixup::Rename("", Execution::ALIASES)];

declare! {
    /// `POST /api/data/v1/streams`: a stream, with the dataset its
    /// `dataSource` describes. Not idempotent: each call creates one.
    CreateStream => json Stream {
        POST CREATE_STREAM_PATH;
        body: BodyShape::Json("$request"),
        checks: &[Check::TextAt("request", "dataSource.name", "create stream: dataSource.name is required")],
        js: js![createStream(request)],
    } fields {
        /// The stream.
        object request "request": StreamRequest,
    }

    /// `GET /api/data/v1/streams/{id}`.
    GetStream => json Stream {
        GET "/api/data/v1/streams/{streamId}";
        js: js![getStream(streamId)],
    } fields {
        /// The stream.
        arg stream_id "streamId": Id,
    }

    /// `PUT /api/data/v1/streams/{id}` with the whole stream.
    UpdateStream => json Stream {
        PUT "/api/data/v1/streams/{streamId}";
        body: BodyShape::Json("$request"),
        js: js![updateStream(streamId, request)],
    } fields {
        /// The stream.
        arg stream_id "streamId": Id,
        /// The whole stream as it is to be.
        object request "request": StreamRequest,
    }

    /// `GET /api/data/v1/streams/search?q=dataSource.id:{id}`: the streams
    /// feeding a dataset.
    SearchStreams => json Vec<Stream> {
        GET "/api/data/v1/streams/search";
        query: "q=dataSource.id:{datasetId}",
        js: js![searchStreams(datasetId)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
    }

    /// `POST .../streams/{id}/executions` `{"action": "MANUAL"}`: start a
    /// run (for an API stream, open an execution that takes parts). Not
    /// idempotent: each call starts one.
    RunStream => json Execution {
        POST "/api/data/v1/streams/{streamId}/executions";
        body: BodyShape::Json(r#"{"action":"MANUAL"}"#),
        reply: ReplyShape::Json(EXECUTION),
        js: js![runStream(streamId)],
    } fields {
        /// The stream.
        arg stream_id "streamId": Id,
    }

    /// `GET .../streams/{id}/history/aggregate`: past executions.
    StreamHistory => json Vec<Execution> {
        GET "/api/data/v1/streams/{streamId}/history/aggregate";
        reply: ReplyShape::Json(&[Fixup::Rename("", Execution::ALIASES)]),
        js: js![streamHistory(streamId)],
    } fields {
        /// The stream.
        arg stream_id "streamId": Id,
    }

    /// `PUT .../executions/{eid}/part/{n}`: one part of an execution, CSV
    /// without a header row. Re-sending a part number replaces that part,
    /// so it is idempotent.
    ExecutionPart => empty {
        PUT "/api/data/v1/streams/{streamId}/executions/{executionId}/part/{part}";
        body: BodyShape::Csv { data: "csv", gzip: "gzip" },
        checks: &[Check::AtLeast("part", 1, "execution part numbers start at 1")],
        js: js![uploadExecutionPart(streamId, executionId, part, csv)],
    } fields {
        /// The stream.
        arg stream_id "streamId": Id,
        /// The execution.
        arg execution_id "executionId": Id,
        /// From 1, contiguous.
        arg part "part": u32,
        /// The part's bytes.
        arg csv "csv": Bytes,
        /// Whether `csv` is gzip-compressed (sent as `Content-Encoding: gzip`).
        arg gzip "gzip": bool = "false",
    }

    /// `PUT .../executions/{eid}/commit`: load the execution's parts. A
    /// retried commit may find the first one landed: see
    /// [`CommitExecution::settle`].
    CommitExecution => json Execution {
        PUT "/api/data/v1/streams/{streamId}/executions/{executionId}/commit";
        reply: ReplyShape::Json(EXECUTION),
        js: js![commitExecution(streamId, executionId)],
    } fields {
        /// The stream.
        arg stream_id "streamId": Id,
        /// The execution.
        arg execution_id "executionId": Id,
    }

    /// `PUT .../executions/{eid}/abort`: its parts are dropped, its state
    /// `ABORTED`.
    AbortExecution => json Execution {
        PUT "/api/data/v1/streams/{streamId}/executions/{executionId}/abort";
        reply: ReplyShape::Json(EXECUTION),
        js: js![abortExecution(streamId, executionId)],
    } fields {
        /// The stream.
        arg stream_id "streamId": Id,
        /// The execution.
        arg execution_id "executionId": Id,
    }
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
                execution_id: Some(self.execution_id.clone()),
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

/// The id of an execution a server opened: `executionId` (or `id`). A reply
/// without one cannot be loaded into.
pub fn execution_id(stream_id: &Id, execution: &Execution) -> Result<Id, Error> {
    execution.execution_id.as_ref().cloned().ok_or_else(|| {
        Error::new(
            ErrorKind::Decode,
            format!("stream {stream_id}: the new execution's reply names no executionId"),
        )
    })
}

/// Whether an upload with `action` may go through `stream`: the stream's
/// `updateMethod` decides what its commit does, so asking for another action
/// is refused before anything is sent (a REPLACE meant as an APPEND loses
/// rows). A stream that does not say accepts any action.
pub fn check_stream_action(
    stream_id: &Id,
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
