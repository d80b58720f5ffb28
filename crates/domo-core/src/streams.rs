//! Streams: create (which creates the dataset), read, update, search, run,
//! history.

use bytes::Bytes;
use domo_model::streams::{Execution, RunStreamRequest, Stream, StreamRequest};
use http::{Method, Response};
use serde::Serialize;

use crate::endpoint::{Body, Endpoint, JsonEndpoint, json, json_object_or_empty, json_or_default};
use crate::error::Error;
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
