//! Streams of the public API and their executions: `GET/POST /v1/streams`
//! (a stream creates its dataset), `GET .../search?q=`, `GET/PATCH/DELETE
//! /v1/streams/{id}`, and a load's stages: open an execution, send its
//! parts (from 1; plain or gzip), commit or abort. Loads of any size run
//! as domo-core's [`crate::load::Load`] plan says.

use bytes::Bytes;
use domo_model::uploads::UploadAction;
use domo_model::v1::{V1Execution, V1Stream, V1StreamRequest};
use domo_model::{DatasetId, Id};

use crate::spec::{BodyShape, Check};
use crate::v1::{Listing, page_request};

declare! {
    /// `GET /v1/streams?limit&offset&fields=all`: one page (at most 500).
    V1ListStreams => json Vec<V1Stream> {
        GET "/v1/streams";
        query: "limit={limit}&offset={offset}&fields=all",
        checks: &[Check::AtMost("limit", 500, "list streams: the page size (limit) must be at most 500")],
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// Streams per page, at most 500.
        arg limit "limit": u32 = "50",
        /// Streams to skip.
        arg offset "offset": u32 = "0",
    }

    /// `GET /v1/streams/search?q=...&fields=all`: the streams matching
    /// `q`, which is `dataSource.id:{dataset id}` (the stream feeding a
    /// dataset), `dataSource.owner:{user id}` or `dataSource.name:{name}`
    /// ([`V1SearchStreams::dataset`] and the others build it).
    V1SearchStreams => json Vec<V1Stream> {
        GET "/v1/streams/search";
        query: "q={q}&fields=all",
        checks: &[Check::NotBlank("q", "search streams: the query (q) is empty")],
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// `dataSource.id:...`, `dataSource.owner:...` or `dataSource.name:...`.
        arg q "q": String,
    }

    /// `POST /v1/streams` `{dataSet: {name, description, schema},
    /// updateMethod, keyColumnNames?}`: a stream and the new dataset it
    /// feeds (the reply's `dataSet.id`). Not idempotent.
    V1CreateStream => json V1Stream {
        POST "/v1/streams";
        body: BodyShape::Json("$request"),
        checks: &[Check::TextAt("request", "dataSet.name", "create stream: dataSet.name must not be blank")],
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The stream and its dataset.
        object request "request": V1StreamRequest,
    }

    /// `GET /v1/streams/{id}`.
    V1GetStream => json V1Stream {
        GET "/v1/streams/{streamId}";
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The stream.
        arg stream_id "streamId": Id,
    }

    /// `PATCH /v1/streams/{id}`: its `updateMethod` (and its dataset's
    /// name, description or schema under `dataSet`).
    V1UpdateStream => json V1Stream {
        PATCH "/v1/streams/{streamId}";
        body: BodyShape::Json("$request"),
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The stream.
        arg stream_id "streamId": Id,
        /// What changes.
        object request "request": V1StreamRequest,
    }

    /// `DELETE /v1/streams/{id}` (204): the stream goes, its dataset stays.
    V1DeleteStream => empty {
        DELETE "/v1/streams/{streamId}";
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The stream.
        arg stream_id "streamId": Id,
    }

    /// `POST /v1/streams/{id}/executions` `{"updateMethod"}`: an execution
    /// that takes parts (`null`: the stream's update method). Not
    /// idempotent: each call opens one.
    V1CreateExecution => json V1Execution {
        POST "/v1/streams/{streamId}/executions";
        body: BodyShape::Json(r#"{"updateMethod":$updateMethod}"#),
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The stream.
        arg stream_id "streamId": Id,
        /// What the commit does with the rows; the stream's when absent.
        arg update_method "updateMethod": Option<UploadAction>,
    }

    /// `GET /v1/streams/{id}/executions/{eid}`.
    V1GetExecution => json V1Execution {
        GET "/v1/streams/{streamId}/executions/{executionId}";
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The stream.
        arg stream_id "streamId": Id,
        /// The execution.
        arg execution_id "executionId": Id,
    }

    /// `GET /v1/streams/{id}/executions?limit&offset`: one page of its
    /// executions, oldest first (at most 500).
    V1ListExecutions => json Vec<V1Execution> {
        GET "/v1/streams/{streamId}/executions";
        query: "limit={limit}&offset={offset}",
        checks: &[Check::AtMost("limit", 500, "list executions: the page size (limit) must be at most 500")],
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The stream.
        arg stream_id "streamId": Id,
        /// Executions per page, at most 500.
        arg limit "limit": u32 = "50",
        /// Executions to skip.
        arg offset "offset": u32 = "0",
    }

    /// `PUT /v1/streams/{id}/executions/{eid}/part/{n}`: one part, CSV
    /// without a header row, plain or gzip. Sending a part number again
    /// replaces that part, so it is idempotent. Domo answers with the
    /// execution (pydomo reads its id); the client, which knows it, reads
    /// nothing, as for the product API's parts.
    V1UploadPart => empty {
        PUT "/v1/streams/{streamId}/executions/{executionId}/part/{part}";
        body: BodyShape::Csv { data: "csv", gzip: "gzip" },
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The stream.
        arg stream_id "streamId": Id,
        /// The execution.
        arg execution_id "executionId": Id,
        /// The part's number (this client numbers from 1; pydomo from 0).
        arg part "part": u32,
        /// The part's bytes.
        arg csv "csv": Bytes,
        /// Whether `csv` is gzip-compressed (sent as `Content-Encoding: gzip`).
        arg gzip "gzip": bool = "false",
    }

    /// `PUT /v1/streams/{id}/executions/{eid}/commit`: load the parts, in
    /// order; the execution, `SUCCESS`. Servers refuse a second commit, so
    /// a retry cannot load the parts twice.
    V1CommitExecution => json V1Execution {
        PUT "/v1/streams/{streamId}/executions/{executionId}/commit";
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The stream.
        arg stream_id "streamId": Id,
        /// The execution.
        arg execution_id "executionId": Id,
    }

    /// `PUT /v1/streams/{id}/executions/{eid}/abort`: its parts are
    /// dropped; the execution, `ABORTED`.
    V1AbortExecution => json V1Execution {
        PUT "/v1/streams/{streamId}/executions/{executionId}/abort";
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The stream.
        arg stream_id "streamId": Id,
        /// The execution.
        arg execution_id "executionId": Id,
    }

    /// `PUT /v1/streams/{id}/executions/abort` (204): aborts the stream's
    /// open execution, if it has one.
    V1AbortCurrentExecution => empty {
        PUT "/v1/streams/{streamId}/executions/abort";
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The stream.
        arg stream_id "streamId": Id,
    }
}

impl V1ListStreams {
    /// Every stream, 500 a page.
    pub fn all() -> Listing<V1ListStreams> {
        Listing::new(
            V1ListStreams {
                limit: 500,
                offset: 0,
            },
            500,
            "streams",
        )
    }
}

impl V1ListExecutions {
    /// Every execution of the stream, oldest first, 500 a page.
    pub fn all(stream_id: impl Into<Id>) -> Listing<V1ListExecutions> {
        let first = V1ListExecutions {
            stream_id: stream_id.into(),
            limit: 500,
            offset: 0,
        };
        Listing::new(first, 500, "executions")
    }
}

page_request!(V1ListStreams, V1ListExecutions);

impl V1SearchStreams {
    /// The streams feeding the dataset (`q=dataSource.id:{id}`).
    pub fn dataset(dataset_id: &DatasetId) -> V1SearchStreams {
        V1SearchStreams {
            q: format!("dataSource.id:{dataset_id}"),
        }
    }

    /// The streams whose dataset `owner_id` owns (`q=dataSource.owner:{id}`).
    pub fn owner(owner_id: &Id) -> V1SearchStreams {
        V1SearchStreams {
            q: format!("dataSource.owner:{owner_id}"),
        }
    }

    /// The streams whose dataset is named `name`, ignoring case
    /// (`q=dataSource.name:{name}`).
    pub fn name(name: &str) -> V1SearchStreams {
        V1SearchStreams {
            q: format!("dataSource.name:{name}"),
        }
    }
}
