//! The three-stage CSV upload and the one-row append; where a load's parts
//! go ([`UploadTarget`]: a v3 upload or a stream execution), and how a
//! committed load is verified ([`verify_load`]).

use bytes::Bytes;
use domo_model::uploads::{CommitResult, UploadAction, UploadSession};
use domo_model::versions::VersionCount;
use domo_model::{DatasetId, Id};

use crate::args::{Arg, ArgType};
use crate::error::{Error, ErrorKind};
use crate::json::quote;
use crate::spec::BodyValues;
use crate::spec::{BodyShape, Check, Fixup, Kind, ReplyShape};
use crate::streams::ExecutionPart;

declare! {
    /// Stage 1: `POST .../uploads` → an upload id, in the form real clients
    /// send (`{"action": null, "appendId": null}`, a partition's `dataTag`).
    /// Not idempotent: each call opens a new upload.
    StartUpload => json UploadSession {
        POST "/api/data/v3/datasources/{datasetId}/uploads";
        body: BodyShape::Json(r#"{"action":null,"appendId":null,"dataTag":$?partition}"#),
        idempotent: false,
        js: js![startUpload(datasetId, ...)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// Upload into this partition (`dataTag`).
        arg partition "partition": Option<String>,
    }

    /// Stage 2: `PUT .../uploads/{uploadId}/parts/{n}`, CSV without a
    /// header row. Re-sending a part number replaces that part, so it is
    /// idempotent.
    UploadPart => empty {
        PUT "/api/data/v3/datasources/{datasetId}/uploads/{uploadId}/parts/{part}";
        body: BodyShape::Csv { data: "csv", gzip: "gzip" },
        checks: &[Check::AtLeast("part", 1, "upload part numbers start at 1")],
        js: js![uploadPart(datasetId, uploadId, part, csv)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// The upload.
        arg upload_id "uploadId": Id,
        /// From 1, contiguous.
        arg part "part": u32,
        /// The part's bytes.
        arg csv "csv": Bytes,
        /// Whether `csv` is gzip-compressed (sent as `Content-Encoding: gzip`).
        arg gzip "gzip": bool = "false",
    }

    /// Stage 3: `PUT .../uploads/{uploadId}/commit`: apply every part.
    /// Servers refuse a second commit of the same upload, so a retry cannot
    /// apply the data twice (see [`CommitUpload::settle`]). An upsert
    /// commits as `APPEND`: the dataset's `upsertKey` columns make the
    /// append an upsert. A partitioned commit sends its tag and
    /// `"appendId": "latest"`, as real clients do.
    CommitUpload => json CommitResult {
        PUT "/api/data/v3/datasources/{datasetId}/uploads/{uploadId}/commit";
        body: BodyShape::Build(commit_body),
        reply: ReplyShape::Json(&[Fixup::EmptyAs("{}")]),
        js: js![commitUpload(datasetId, uploadId, ...)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// The upload.
        arg upload_id "uploadId": Id,
        /// Append (the default), replace, or upsert.
        arg action "action": UploadAction = "APPEND",
        /// Commit into this partition (`dataTag`).
        arg partition "partition": Option<String>,
    }

    /// The seed's "append row": `POST .../uploads` `{"values", "delimiter"}`.
    /// Not idempotent: each call appends a row.
    AppendRow => empty {
        POST "/api/data/v3/datasources/{datasetId}/uploads";
        body: BodyShape::Json(r#"{"values":$values,"delimiter":$delimiter}"#),
        idempotent: false,
        checks: &[Check::OneChar("delimiter")],
        js: js![appendRow(datasetId, values, ...)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// One row's values, delimited.
        arg values "values": String,
        /// The delimiter: one character.
        arg delimiter "delimiter": String = ",",
    }
}

impl ArgType for UploadAction {
    const KIND: Kind = Kind::Choice(&[
        ("APPEND", Some("APPEND")),
        ("REPLACE", Some("REPLACE")),
        // The dataset's upsert keys make an append an upsert.
        ("UPSERT", Some("APPEND")),
    ]);
    const TS: &'static str = "UploadAction";
    fn arg(&self) -> Arg<'_> {
        Arg::Text(self.as_str().into())
    }
}

/// `{"action", "index": true}`, and for a partition its `dataTag` with
/// `"appendId": "latest"`.
fn commit_body(values: &dyn BodyValues) -> Result<String, Error> {
    let action = values.json("action")?;
    Ok(match values.text("partition")? {
        Some(tag) => format!(
            r#"{{"action":{action},"index":true,"dataTag":{},"appendId":"latest"}}"#,
            quote(&tag)
        ),
        None => format!(r#"{{"action":{action},"index":true}}"#),
    })
}

impl StartUpload {
    /// Tries in all at opening an upload. Opening is not idempotent, so the
    /// retry policy will not resend it after an ambiguous failure; but an
    /// upload that is never committed is inert, so opening a fresh one is
    /// safe.
    pub const TRIES: u32 = 3;

    /// Open an upload into `partition` when given (`dataTag`).
    pub fn new(dataset_id: impl Into<DatasetId>, partition: Option<&str>) -> StartUpload {
        StartUpload {
            dataset_id: dataset_id.into(),
            partition: partition.map(str::to_owned),
        }
    }

    /// Whether to open a fresh upload after try `tries` failed with `error`.
    pub fn reopen_after(error: &Error, tries: u32) -> bool {
        tries < Self::TRIES && error.is_retryable()
    }
}

impl CommitUpload {
    /// The commit of `upload_id` with `action`, into `partition` when given.
    pub fn new(
        dataset_id: impl Into<DatasetId>,
        upload_id: impl Into<Id>,
        action: UploadAction,
        partition: Option<&str>,
    ) -> CommitUpload {
        CommitUpload {
            dataset_id: dataset_id.into(),
            upload_id: upload_id.into(),
            action,
            partition: partition.map(str::to_owned),
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
                upload_id: Some(self.upload_id.clone()),
                ..CommitResult::default()
            }),
            other => other,
        }
    }
}

/// Where the parts of a load go: a v3 upload of a dataset, or an execution
/// of a stream. The part cutting, parallelism, retries and verification are
/// the same for both; only the part request differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadTarget {
    /// `PUT /api/data/v3/datasources/{id}/uploads/{uploadId}/parts/{n}`.
    Dataset {
        /// The dataset.
        dataset_id: DatasetId,
        /// The upload.
        upload_id: Id,
    },
    /// `PUT /api/data/v1/streams/{sid}/executions/{eid}/part/{n}`.
    Stream {
        /// The stream.
        stream_id: Id,
        /// The execution.
        execution_id: Id,
    },
    /// `PUT /v1/streams/{sid}/executions/{eid}/part/{n}` (the public API).
    PublicStream {
        /// The stream.
        stream_id: Id,
        /// The execution.
        execution_id: Id,
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
            } => SendPart::Execution(ExecutionPart {
                stream_id: stream_id.clone(),
                execution_id: execution_id.clone(),
                part: number,
                csv,
                gzip,
            }),
            UploadTarget::PublicStream {
                stream_id,
                execution_id,
            } => SendPart::Public(crate::v1::streams::V1UploadPart {
                stream_id: stream_id.clone(),
                execution_id: execution_id.clone(),
                part: number,
                csv,
                gzip,
            }),
        }
    }

    /// The upload id or the execution id.
    pub fn session_id(&self) -> &Id {
        match self {
            UploadTarget::Dataset { upload_id, .. } => upload_id,
            UploadTarget::Stream { execution_id, .. }
            | UploadTarget::PublicStream { execution_id, .. } => execution_id,
        }
    }

    /// The stream and execution, for a stream execution of either API.
    pub fn execution(&self) -> Option<(&Id, &Id)> {
        match self {
            UploadTarget::Dataset { .. } => None,
            UploadTarget::Stream {
                stream_id,
                execution_id,
            }
            | UploadTarget::PublicStream {
                stream_id,
                execution_id,
            } => Some((stream_id, execution_id)),
        }
    }
}

either_endpoint! {
    /// One part request of an [`UploadTarget`].
    SendPart -> () {
        /// A v3 upload's part.
        Upload(UploadPart),
        /// A stream execution's part.
        Execution(ExecutionPart),
        /// A public-API stream execution's part.
        Public(crate::v1::streams::V1UploadPart),
    }
}

/// A load whose data version holds the rows that were sent, or whose
/// version the server shows without a row count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedLoad {
    /// The data version the load made.
    pub version_id: Id,
    /// The rows the version holds, equal to the rows sent; `None` when the
    /// server withholds the count (Domo and the emulator do for a caller
    /// whose rows a row policy filters), so nothing could be compared.
    pub rows: Option<u64>,
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

#[cfg(all(test, feature = "typed"))]
mod tests {
    use super::*;

    #[test]
    fn a_conflict_settles_as_success_only_after_a_retry() {
        let commit = CommitUpload::new("ds", "10", UploadAction::Append, Some("2024-01"));
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
    }

    #[test]
    fn an_upsert_commits_as_append_and_a_partition_names_its_tag() {
        let config = crate::Config::new(
            crate::BaseUrl::parse("http://127.0.0.1:1").unwrap(),
            crate::Credentials::developer_token("t"),
        );
        let body =
            |c: CommitUpload| String::from_utf8(config.prepare(&c).unwrap().body.to_vec()).unwrap();
        assert_eq!(
            body(CommitUpload::new("ds", 1u64, UploadAction::Upsert, None)),
            r#"{"action":"APPEND","index":true}"#
        );
        assert_eq!(
            body(CommitUpload::new(
                "ds",
                1u64,
                UploadAction::Replace,
                Some("2024-01")
            )),
            r#"{"action":"REPLACE","index":true,"dataTag":"2024-01","appendId":"latest"}"#
        );
        let start = |p| {
            String::from_utf8(
                config
                    .prepare(&StartUpload::new("ds", p))
                    .unwrap()
                    .body
                    .to_vec(),
            )
            .unwrap()
        };
        assert_eq!(start(None), r#"{"action":null,"appendId":null}"#);
        assert_eq!(
            start(Some("p1")),
            r#"{"action":null,"appendId":null,"dataTag":"p1"}"#
        );
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
        assert_eq!(stream.session_id(), &Id::from("2"));
    }

    #[test]
    fn a_failed_open_is_retried_with_a_fresh_upload_a_bounded_number_of_times() {
        let reset = Error::new(ErrorKind::Transport, "reset");
        assert!(StartUpload::reopen_after(&reset, 1));
        assert!(StartUpload::reopen_after(&reset, StartUpload::TRIES - 1));
        assert!(!StartUpload::reopen_after(&reset, StartUpload::TRIES));
        let refused = Error::new(ErrorKind::Forbidden, "no");
        assert!(!StartUpload::reopen_after(&refused, 1));
    }
}
