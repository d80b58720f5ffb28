//! The three-stage CSV upload and the one-row append.

use bytes::Bytes;
use domo_model::uploads::{
    AppendRowRequest, CommitRequest, CommitResult, UploadAction, UploadSession, UploadStartRequest,
};
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
    pub fn new(
        dataset_id: &str,
        upload_id: &str,
        action: UploadAction,
        partition: Option<&str>,
    ) -> CommitUpload {
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
