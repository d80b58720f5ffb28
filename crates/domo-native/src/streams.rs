//! Streams: create, read, update, search, run and history, and a stream
//! execution's stages one by one (loads go through
//! [`Client::upload_via_stream`]).

use domo_core::Error;
use domo_core::streams::{
    AbortExecution, CommitExecution, CreateStream, GetStream, RunStream, SearchStreams,
    StreamHistory, UpdateStream,
};
use domo_model::streams::{Execution, Stream, StreamRequest};
use domo_model::{DatasetId, Id};

use crate::client::Client;

impl Client {
    /// Create a stream (and the dataset its `dataSource` describes).
    pub async fn create_stream(&self, request: StreamRequest) -> Result<Stream, Error> {
        self.send(&CreateStream { request }).await
    }

    /// A stream.
    pub async fn stream(&self, stream_id: impl Into<Id>) -> Result<Stream, Error> {
        self.send(&GetStream {
            stream_id: stream_id.into(),
        })
        .await
    }

    /// Replace a stream's definition.
    pub async fn update_stream(
        &self,
        stream_id: impl Into<Id>,
        request: StreamRequest,
    ) -> Result<Stream, Error> {
        self.send(&UpdateStream {
            stream_id: stream_id.into(),
            request,
        })
        .await
    }

    /// The streams feeding a dataset (`q=dataSource.id:{id}`).
    pub async fn search_streams(
        &self,
        dataset_id: impl Into<DatasetId>,
    ) -> Result<Vec<Stream>, Error> {
        self.send(&SearchStreams {
            dataset_id: dataset_id.into(),
        })
        .await
    }

    /// Start a manual run (for an API stream: open an execution that takes
    /// parts; [`Client::upload_via_stream`] runs a whole load).
    pub async fn run_stream(&self, stream_id: impl Into<Id>) -> Result<Execution, Error> {
        self.send(&RunStream {
            stream_id: stream_id.into(),
        })
        .await
    }

    /// The stream's past executions.
    pub async fn stream_history(&self, stream_id: impl Into<Id>) -> Result<Vec<Execution>, Error> {
        self.send(&StreamHistory {
            stream_id: stream_id.into(),
        })
        .await
    }

    /// Commit an execution's parts. A 409 after a retried commit is the
    /// earlier attempt's success; an execution that ended FAILED or
    /// ABORTED is an error.
    pub async fn commit_execution(
        &self,
        stream_id: impl Into<Id>,
        execution_id: impl Into<Id>,
    ) -> Result<Execution, Error> {
        let commit = CommitExecution {
            stream_id: stream_id.into(),
            execution_id: execution_id.into(),
        };
        let sent = self.inner.call_counted(&commit).await;
        commit.settle(sent.result, sent.attempts)
    }

    /// Abort an execution: its parts are dropped, its state `ABORTED`.
    pub async fn abort_execution(
        &self,
        stream_id: impl Into<Id>,
        execution_id: impl Into<Id>,
    ) -> Result<Execution, Error> {
        self.send(&AbortExecution {
            stream_id: stream_id.into(),
            execution_id: execution_id.into(),
        })
        .await
    }
}
