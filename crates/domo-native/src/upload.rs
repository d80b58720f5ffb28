//! The three-stage upload run end to end: plan parts on record boundaries,
//! open an upload, send the parts with bounded concurrency (each retried on
//! its own), and commit only when every part is in.

use bytes::Bytes;
use domo_core::csv_plan::plan_parts;
use domo_core::uploads::{CommitUpload, UploadPart};
use domo_core::{Error, ErrorKind};
use domo_model::uploads::{
    CommitRequest, CommitResult, UploadAction, UploadSession, UploadStartRequest,
};
use futures_util::stream::{self, StreamExt, TryStreamExt};

use crate::Client;

/// How an upload is cut and sent.
#[derive(Debug, Clone, PartialEq)]
pub struct UploadOptions {
    pub action: UploadAction,
    /// Target bytes per part; parts end on record boundaries.
    pub part_size: usize,
    /// Parts in flight at once.
    pub concurrency: usize,
    /// Append into (or replace) this partition (`dataTag`).
    pub partition: Option<String>,
}

impl UploadOptions {
    pub const DEFAULT_PART_SIZE: usize = 32 * 1024 * 1024;
    pub const DEFAULT_CONCURRENCY: usize = 4;

    pub fn new(action: UploadAction) -> UploadOptions {
        UploadOptions {
            action,
            part_size: Self::DEFAULT_PART_SIZE,
            concurrency: Self::DEFAULT_CONCURRENCY,
            partition: None,
        }
    }
}

/// Opening an upload is not idempotent, so the retry policy will not resend
/// it after an ambiguous failure. An upload that is never committed is
/// inert, though, so opening a fresh one is safe: this many tries in all.
const START_TRIES: u32 = 3;

impl Client {
    /// Upload CSV rows (no header row) in one go: `APPEND` adds them,
    /// `REPLACE` replaces the dataset's rows. Nothing changes unless every
    /// part arrived.
    pub async fn upload_csv(
        &self,
        dataset_id: &str,
        csv: impl Into<Bytes>,
        action: UploadAction,
    ) -> Result<CommitResult, Error> {
        self.upload_csv_with(dataset_id, csv, &UploadOptions::new(action))
            .await
    }

    /// [`Client::upload_csv`] with control over parts and partitions.
    pub async fn upload_csv_with(
        &self,
        dataset_id: &str,
        csv: impl Into<Bytes>,
        options: &UploadOptions,
    ) -> Result<CommitResult, Error> {
        let csv: Bytes = csv.into();
        if options.concurrency == 0 {
            return Err(Error::invalid_input(
                "upload concurrency must be at least 1",
            ));
        }
        // Plan before opening anything: a malformed CSV fails with nothing sent.
        let plan = plan_parts(&csv, options.part_size)?;
        let session = self.open_upload(dataset_id, options).await?;
        let upload_id = session.upload_id.to_string();
        let total = plan.len();

        // Owned endpoints (not closures over borrowed plan entries) keep the
        // future `Send`, so callers can spawn an upload.
        let parts: Vec<UploadPart> = plan
            .into_iter()
            .map(|part| UploadPart {
                dataset_id: dataset_id.to_owned(),
                upload_id: upload_id.clone(),
                part: part.number,
                csv: csv.slice(part.range),
                gzip: false,
            })
            .collect();
        let transport = &self.inner;
        stream::iter(parts)
            .map(|endpoint| async move {
                transport.call(&endpoint).await.map_err(|e| {
                    e.context(format!(
                        "upload part {} of {total} failed; nothing was committed",
                        endpoint.part
                    ))
                })
            })
            .buffer_unordered(options.concurrency)
            .try_collect::<Vec<()>>()
            .await?;

        self.commit_once(dataset_id, &upload_id, options).await
    }

    async fn open_upload(
        &self,
        dataset_id: &str,
        options: &UploadOptions,
    ) -> Result<UploadSession, Error> {
        let request = UploadStartRequest {
            data_tag: options.partition.clone(),
            ..UploadStartRequest::default()
        };
        let mut tries = 0;
        loop {
            tries += 1;
            match self.start_upload(dataset_id, request.clone()).await {
                Err(e) if tries < START_TRIES && e.is_retryable() => {
                    tracing::warn!(tries, kind = ?e.kind(), "opening the upload failed; opening a fresh one");
                }
                other => return other,
            }
        }
    }

    /// Commit; a 409 after an attempt that may have reached the server means
    /// that attempt committed, which is success, never a second application.
    async fn commit_once(
        &self,
        dataset_id: &str,
        upload_id: &str,
        options: &UploadOptions,
    ) -> Result<CommitResult, Error> {
        let request = match &options.partition {
            Some(tag) => CommitRequest::partition(options.action, tag.clone()),
            None => CommitRequest::new(options.action),
        };
        let endpoint = CommitUpload {
            dataset_id: dataset_id.to_owned(),
            upload_id: upload_id.to_owned(),
            request,
        };
        let sent = self.inner.call_counted(&endpoint).await;
        match sent.result {
            Err(e) if e.kind() == ErrorKind::Conflict && sent.attempts > 1 => {
                tracing::info!(
                    upload_id,
                    "commit answered 409 on a retry: the earlier attempt committed"
                );
                Ok(CommitResult {
                    upload_id: Some(upload_id.to_owned().into()),
                    ..CommitResult::default()
                })
            }
            other => other,
        }
    }
}
