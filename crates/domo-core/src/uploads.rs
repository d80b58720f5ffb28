//! The three-stage CSV upload and the one-row append.

use bytes::Bytes;
use domo_model::uploads::{
    AppendRowRequest, CommitRequest, CommitResult, UploadSession, UploadStartRequest,
};
use http::{Method, Response};

use crate::endpoint::{Body, Endpoint, json, json_or_default};
use crate::error::Error;
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
pub struct StartUpload {
    pub dataset_id: String,
    pub request: UploadStartRequest,
}

impl Endpoint for StartUpload {
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
pub struct CommitUpload {
    pub dataset_id: String,
    pub upload_id: String,
    pub request: CommitRequest,
}

impl Endpoint for CommitUpload {
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
