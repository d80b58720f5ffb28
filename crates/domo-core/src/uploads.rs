//! The three-stage CSV upload and the one-row append; where a load's parts
//! go ([`UploadTarget`]: a v3 upload or a stream execution), and how a
//! committed load is verified ([`verify_load`]).

use bytes::Bytes;
use domo_model::Id;
use domo_model::uploads::{
    AppendRowRequest, CommitRequest, CommitResult, UploadAction, UploadSession, UploadStartRequest,
};
use domo_model::versions::VersionCount;
use http::{Method, Response};
use serde::Serialize;

use crate::endpoint::{Body, Endpoint, JsonEndpoint, json, json_object_or_empty, json_or_default};
use crate::error::{Error, ErrorKind};
use crate::path::segment;

fn uploads_path(dataset_id: &str) -> Result<String, Error> {
    Ok(format!(
        "/api/data/v3/datasources/{}/uploads",
        segment("dataset id", dataset_id)?
    ))
}

/// Stage 1: `POST .../uploads` → an upload id. Not idempotent: each call
/// opens a new upload.
#[derive(Debug, Clone, PartialEq)]
pub struct StartUpload<R = UploadStartRequest> {
    pub dataset_id: String,
    /// An [`UploadStartRequest`], or any serializable form of it.
    pub request: R,
}

impl StartUpload {
    /// Tries in all at opening an upload. Opening is not idempotent, so the
    /// retry policy will not resend it after an ambiguous failure; but an
    /// upload that is never committed is inert, so opening a fresh one is
    /// safe.
    pub const TRIES: u32 = 3;

    /// Open an upload into `partition` when given (`dataTag`).
    pub fn new(dataset_id: &str, partition: Option<&str>) -> StartUpload {
        StartUpload {
            dataset_id: dataset_id.to_owned(),
            request: UploadStartRequest {
                data_tag: partition.map(str::to_owned),
                ..UploadStartRequest::default()
            },
        }
    }

    /// Whether to open a fresh upload after try `tries` failed with `error`.
    pub fn reopen_after(error: &Error, tries: u32) -> bool {
        tries < Self::TRIES && error.is_retryable()
    }
}

impl<R: Serialize> Endpoint for StartUpload<R> {
    type Output = UploadSession;
    fn method(&self) -> Method {
        Method::POST
    }
    fn path(&self) -> Result<String, Error> {
        uploads_path(&self.dataset_id)
    }
    fn body(&self) -> Result<Body, Error> {
        Body::json(&self.request)
    }
    fn idempotent(&self) -> bool {
        false
    }
    fn parse(&self, response: Response<Bytes>) -> Result<UploadSession, Error> {
        json(response)
    }
}

impl<R: Serialize> JsonEndpoint for StartUpload<R> {}

/// Stage 2: `PUT .../uploads/{uploadId}/parts/{n}`, CSV without a header
/// row. Re-sending a part number replaces that part, so it is idempotent.
#[derive(Debug, Clone, PartialEq)]
pub struct UploadPart {
    pub dataset_id: String,
    pub upload_id: String,
    /// From 1, contiguous.
    pub part: u32,
    pub csv: Bytes,
    /// Whether `csv` is gzip-compressed (sent as `Content-Encoding: gzip`).
    pub gzip: bool,
}

impl Endpoint for UploadPart {
    type Output = ();
    fn method(&self) -> Method {
        Method::PUT
    }
    fn path(&self) -> Result<String, Error> {
        if self.part == 0 {
            return Err(Error::invalid_input("upload part numbers start at 1"));
        }
        Ok(format!(
            "{}/{}/parts/{}",
            uploads_path(&self.dataset_id)?,
            segment("upload id", &self.upload_id)?,
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

/// Stage 3: `PUT .../uploads/{uploadId}/commit`. Servers refuse a second
/// commit of the same upload, so a retry cannot apply the data twice.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitUpload<R = CommitRequest> {
    pub dataset_id: String,
    pub upload_id: String,
    /// A [`CommitRequest`], or any serializable form of it.
    pub request: R,
}

impl CommitUpload {
    /// The commit of `upload_id` with `action`, into `partition` when given
    /// (in the form real clients send: `dataTag` and `appendId: "latest"`).
    /// An upsert commits as `APPEND`: the dataset's `upsertKey` columns make
    /// the append an upsert.
    pub fn new(
        dataset_id: &str,
        upload_id: &str,
        action: UploadAction,
        partition: Option<&str>,
    ) -> CommitUpload {
        let action = match action {
            UploadAction::Upsert => UploadAction::Append,
            other => other,
        };
        CommitUpload {
            dataset_id: dataset_id.to_owned(),
            upload_id: upload_id.to_owned(),
            request: match partition {
                Some(tag) => CommitRequest::partition(action, tag),
                None => CommitRequest::new(action),
            },
        }
    }

    /// The outcome of a commit that took `attempts` attempts. Servers refuse
    /// a second commit of an upload with 409, so a 409 after an attempt that
    /// may have reached the server means that attempt committed: success,
    /// and never a second application of the data.
    pub fn settle(
        &self,
        result: Result<CommitResult, Error>,
        attempts: u32,
    ) -> Result<CommitResult, Error> {
        match result {
            Err(e) if e.kind() == ErrorKind::Conflict && attempts > 1 => Ok(CommitResult {
                upload_id: Some(self.upload_id.clone().into()),
                ..CommitResult::default()
            }),
            other => other,
        }
    }
}

impl<R: Serialize> Endpoint for CommitUpload<R> {
    type Output = CommitResult;
    fn method(&self) -> Method {
        Method::PUT
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!(
            "{}/{}/commit",
            uploads_path(&self.dataset_id)?,
            segment("upload id", &self.upload_id)?
        ))
    }
    fn body(&self) -> Result<Body, Error> {
        Body::json(&self.request)
    }
    fn parse(&self, response: Response<Bytes>) -> Result<CommitResult, Error> {
        json_or_default(response)
    }
}

impl<R: Serialize> JsonEndpoint for CommitUpload<R> {
    fn parse_json(&self, response: Response<Bytes>) -> Result<serde_json::Value, Error> {
        json_object_or_empty(response)
    }
}

/// The seed's "append row": `POST .../uploads` `{"values", "delimiter"}`.
/// Not idempotent: each call appends a row.
#[derive(Debug, Clone, PartialEq)]
pub struct AppendRow {
    pub dataset_id: String,
    pub request: AppendRowRequest,
}

impl Endpoint for AppendRow {
    type Output = ();
    fn method(&self) -> Method {
        Method::POST
    }
    fn path(&self) -> Result<String, Error> {
        uploads_path(&self.dataset_id)
    }
    fn body(&self) -> Result<Body, Error> {
        if self.request.delimiter.chars().count() != 1 {
            return Err(Error::invalid_input(format!(
                "append row: the delimiter must be one character, got {:?}",
                self.request.delimiter
            )));
        }
        Body::json(&self.request)
    }
    fn idempotent(&self) -> bool {
        false
    }
    fn parse(&self, _: Response<Bytes>) -> Result<(), Error> {
        Ok(())
    }
}

/// Where the parts of a load go: a v3 upload of a dataset, or an execution
/// of a stream. The part cutting, parallelism, retries and verification are
/// the same for both; only the part request differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadTarget {
    /// `PUT /api/data/v3/datasources/{id}/uploads/{uploadId}/parts/{n}`.
    Dataset {
        dataset_id: String,
        upload_id: String,
    },
    /// `PUT /api/data/v1/streams/{sid}/executions/{eid}/part/{n}`.
    Stream {
        stream_id: String,
        execution_id: String,
    },
}

impl UploadTarget {
    /// The request sending part `number`.
    pub fn part(&self, number: u32, csv: Bytes, gzip: bool) -> SendPart {
        match self {
            UploadTarget::Dataset {
                dataset_id,
                upload_id,
            } => SendPart::Upload(UploadPart {
                dataset_id: dataset_id.clone(),
                upload_id: upload_id.clone(),
                part: number,
                csv,
                gzip,
            }),
            UploadTarget::Stream {
                stream_id,
                execution_id,
            } => SendPart::Execution(crate::streams::ExecutionPart {
                stream_id: stream_id.clone(),
                execution_id: execution_id.clone(),
                part: number,
                csv,
                gzip,
            }),
        }
    }

    /// The upload id or the execution id.
    pub fn session_id(&self) -> &str {
        match self {
            UploadTarget::Dataset { upload_id, .. } => upload_id,
            UploadTarget::Stream { execution_id, .. } => execution_id,
        }
    }
}

/// One part request of an [`UploadTarget`].
#[derive(Debug, Clone, PartialEq)]
pub enum SendPart {
    Upload(UploadPart),
    Execution(crate::streams::ExecutionPart),
}

impl Endpoint for SendPart {
    type Output = ();
    fn method(&self) -> Method {
        Method::PUT
    }
    fn path(&self) -> Result<String, Error> {
        match self {
            SendPart::Upload(e) => e.path(),
            SendPart::Execution(e) => e.path(),
        }
    }
    fn body(&self) -> Result<Body, Error> {
        match self {
            SendPart::Upload(e) => e.body(),
            SendPart::Execution(e) => e.body(),
        }
    }
    fn parse(&self, _: Response<Bytes>) -> Result<(), Error> {
        Ok(())
    }
}

/// A load whose data version holds the rows that were sent, or whose
/// version the server shows without a row count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedLoad {
    pub version_id: Id,
    /// The rows the version holds, equal to the rows sent; `None` when the
    /// server withholds the count (Domo and the emulator do for a caller
    /// whose rows a row policy filters), so nothing could be compared.
    pub rows: Option<u64>,
}

/// The verification step of every load, as each client runs it after the
/// commit: `read` is what reading the data versions
/// ([`crate::versions::ListVersionCounts`]) gave. A failed read is an error
/// that says the data was committed; otherwise [`verify_load`].
pub fn verify_read(
    dataset_id: &str,
    sent: u64,
    named_version: Option<&Id>,
    read: Result<Vec<VersionCount>, Error>,
) -> Result<VerifiedLoad, Error> {
    let versions = read.map_err(|e| {
        e.context(format!(
            "the load into dataset {dataset_id} was committed but reading its data version failed"
        ))
    })?;
    verify_load(dataset_id, sent, named_version, &versions)
}

/// The verification rule of every load (v3 upload or stream execution),
/// after its commit: read the dataset's data versions
/// (`GET .../dataversions/details`) and take the load's own, which is the
/// one the commit reply named (`dataVersionId`) or, when it named none, the
/// newest (latest `datetimeRecorded`, then highest id). Its `rowCount` is
/// the rows that load received, and must equal `sent`, the data rows sent
/// (header excluded; an upsert counts every row sent, duplicates included).
/// A mismatch is [`ErrorKind::RowCountMismatch`] naming both numbers.
pub fn verify_load(
    dataset_id: &str,
    sent: u64,
    named_version: Option<&Id>,
    versions: &[VersionCount],
) -> Result<VerifiedLoad, Error> {
    let same = |a: &Id, b: &Id| a == b || a.as_text() == b.as_text();
    let version = match named_version {
        Some(id) => versions
            .iter()
            .find(|v| v.data_version_id.as_ref().is_some_and(|v| same(v, id)))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Decode,
                    format!(
                        "cannot verify the load: dataset {dataset_id} lists no data version {id}, \
                         which its commit reported; the data was committed"
                    ),
                )
            })?,
        None => versions
            .iter()
            .filter(|v| v.data_version_id.is_some())
            .max_by_key(|v| {
                let id = v.data_version_id.as_ref().and_then(Id::as_u64);
                (v.datetime_recorded, id)
            })
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Decode,
                    format!(
                        "cannot verify the load: dataset {dataset_id} lists no data versions; \
                         the data was committed"
                    ),
                )
            })?,
    };
    let version_id = version.data_version_id.clone().unwrap_or(Id::Num(0));
    let Some(stored) = version.row_count else {
        // A withheld count is not a mismatch: the load is reported as
        // committed into its version, unverified.
        return Ok(VerifiedLoad {
            version_id,
            rows: None,
        });
    };
    if stored != sent {
        return Err(Error::row_count_mismatch(
            sent,
            stored,
            format!(
                "dataset {dataset_id}: {sent} rows were sent but data version {version_id} \
                 holds {stored}; the data was committed"
            ),
        ));
    }
    Ok(VerifiedLoad {
        version_id,
        rows: Some(stored),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conflict_settles_as_success_only_after_a_retry() {
        let commit = CommitUpload::new("ds", "10", UploadAction::Append, Some("2024-01"));
        assert_eq!(commit.request.data_tag.as_deref(), Some("2024-01"));
        assert_eq!(commit.request.append_id.as_deref(), Some("latest"));
        let conflict = || Err(Error::new(ErrorKind::Conflict, "already committed"));
        let settled = commit.settle(conflict(), 2).unwrap();
        assert_eq!(settled.upload_id, Some("10".to_owned().into()));
        assert_eq!(
            commit.settle(conflict(), 1).unwrap_err().kind(),
            ErrorKind::Conflict
        );
        let other = Err(Error::new(ErrorKind::BadRequest, "bad row"));
        assert_eq!(
            commit.settle(other, 3).unwrap_err().kind(),
            ErrorKind::BadRequest
        );
        assert!(
            CommitUpload::new("ds", "10", UploadAction::Replace, None)
                .request
                .data_tag
                .is_none()
        );
    }

    #[test]
    fn an_upsert_commits_as_append() {
        let c = CommitUpload::new("ds", "1", UploadAction::Upsert, None);
        assert_eq!(c.request.action, UploadAction::Append);
    }

    fn version(id: u64, at: i64, rows: Option<u64>) -> VersionCount {
        VersionCount {
            data_version_id: Some(Id::Num(id)),
            datetime_recorded: Some(at),
            row_count: rows,
        }
    }

    #[test]
    fn a_load_is_verified_against_its_own_version() {
        let versions = [version(1, 100, Some(5)), version(2, 200, Some(7))];
        // The commit named version 1.
        let v = verify_load("ds", 5, Some(&Id::from("1")), &versions).unwrap();
        assert_eq!(
            v,
            VerifiedLoad {
                version_id: Id::Num(1),
                rows: Some(5)
            }
        );
        // Named none: the newest.
        let v = verify_load("ds", 7, None, &versions).unwrap();
        assert_eq!(v.version_id, Id::Num(2));
        // Same time: the higher id.
        let tie = [version(3, 100, Some(1)), version(4, 100, Some(2))];
        assert_eq!(
            verify_load("ds", 2, None, &tie).unwrap().version_id,
            Id::Num(4)
        );

        let e = verify_load("ds", 9, None, &versions).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::RowCountMismatch);
        assert_eq!((e.rows_sent(), e.rows_stored()), (Some(9), Some(7)));
        assert!(e.to_string().contains("9 rows were sent"), "{e}");
        assert!(e.to_string().contains("holds 7"), "{e}");

        let e = verify_load("ds", 1, Some(&Id::Num(9)), &versions).unwrap_err();
        assert!(e.to_string().contains("no data version 9"), "{e}");
        assert!(verify_load("ds", 0, None, &[]).is_err());
        // A count the server withholds (a row policy) is no mismatch.
        let v = verify_load("ds", 1, None, &[version(1, 1, None)]).unwrap();
        assert_eq!((v.version_id, v.rows), (Id::Num(1), None));
    }

    #[test]
    fn a_target_sends_its_own_part_request() {
        let config = crate::Config::new(
            crate::BaseUrl::parse("http://127.0.0.1:1").unwrap(),
            crate::Credentials::developer_token("t"),
        );
        let path = |t: &UploadTarget| {
            config
                .prepare(&t.part(3, Bytes::from_static(b"1\n"), true))
                .map(|p| p.label.path)
        };
        let v3 = UploadTarget::Dataset {
            dataset_id: "d/1".into(),
            upload_id: "10".into(),
        };
        assert_eq!(
            path(&v3).unwrap(),
            "/api/data/v3/datasources/d%2F1/uploads/10/parts/3"
        );
        let stream = UploadTarget::Stream {
            stream_id: "5".into(),
            execution_id: "..".into(),
        };
        assert!(path(&stream).is_err(), "the execution id is checked");
        let stream = UploadTarget::Stream {
            stream_id: "5".into(),
            execution_id: "2".into(),
        };
        assert_eq!(
            path(&stream).unwrap(),
            "/api/data/v1/streams/5/executions/2/part/3"
        );
        assert_eq!(stream.session_id(), "2");
    }

    #[test]
    fn a_failed_open_is_retried_with_a_fresh_upload_a_bounded_number_of_times() {
        let start = StartUpload::new("ds", Some("p1"));
        assert_eq!(start.request.data_tag.as_deref(), Some("p1"));
        assert_eq!(
            StartUpload::new("ds", None).request,
            UploadStartRequest::default()
        );
        let reset = Error::new(ErrorKind::Transport, "reset");
        assert!(StartUpload::reopen_after(&reset, 1));
        assert!(StartUpload::reopen_after(&reset, StartUpload::TRIES - 1));
        assert!(!StartUpload::reopen_after(&reset, StartUpload::TRIES));
        let refused = Error::new(ErrorKind::Forbidden, "no");
        assert!(!StartUpload::reopen_after(&refused, 1));
    }
}
