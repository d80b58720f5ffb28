//! The upload workflow, once, for every client and both kinds of load (a
//! v3 upload of a dataset, a stream execution): a pure plan that says
//! which request to send next and reads each reply, while the transport
//! only moves bytes.
//!
//! ```text
//! preflight   the stream (its action and dataset), the schema (an
//!             upsert's keys, the header row against the columns)
//! open        StartUpload or RunStream; a failure that may be retried
//!             opens a fresh one (an unused upload is inert)
//! parts       the transport cuts the input with the PartCutter and sends
//!             the parts, each with its own retries
//! commit      CommitUpload or CommitExecution; a 409 after a retried
//!             commit means the first one landed
//! abort       a stream execution that failed after it was opened
//! verify      the dataset's data versions: the load's own must hold
//!             every row sent
//! ```
//!
//! A transport runs it as a loop: [`Load::next_step`] gives a [`Step`]; a
//! request's reply (parsed as JSON, any [`JsonDoc`]) goes back through
//! [`Load::reply`], the parts' outcome through [`Load::parts_sent`].

use bytes::Bytes;
use domo_model::uploads::UploadAction;
use domo_model::versions::VersionCount;
use domo_model::{DatasetId, Id};

use crate::csv_plan::{CsvStart, HeaderMode, check_header, check_upload_settings};
use crate::error::{Error, ErrorKind};
use crate::json::JsonDoc;
pub use crate::request::Call;
use crate::uploads::{UploadTarget, verify_load};

/// Where a load goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A v3 upload into the dataset (`/api/data/v3/datasources/{id}/uploads`).
    Dataset(DatasetId),
    /// An execution of the stream (`/api/data/v1/streams/{id}/executions`),
    /// the path Domo's Java CLI, DomoR and pydomo use. The stream's
    /// `updateMethod` decides what its commit does.
    Stream(Id),
    /// The dataset through the public API (OAuth client credentials): an
    /// execution of the stream feeding it (`/v1/streams/search?q=
    /// dataSource.id:...`), whose `updateMethod` is the load's action;
    /// verified by the dataset's row count.
    PublicDataset(DatasetId),
}

/// How a load runs: every setting a client offers, with domo-core's
/// defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoadSettings {
    /// Append (the default), replace, or upsert.
    pub action: UploadAction,
    /// Append into (or replace) this partition (v3 uploads only).
    pub partition: Option<String>,
    /// Whether the first row is a header.
    pub header: HeaderMode,
    /// Read the load's data version after the commit and check its rows.
    pub verify: bool,
    /// Target bytes per part.
    pub part_size: usize,
    /// Parts in flight at once.
    pub concurrency: usize,
}

impl Default for LoadSettings {
    fn default() -> Self {
        LoadSettings {
            action: UploadAction::Append,
            partition: None,
            header: HeaderMode::Detect,
            verify: true,
            part_size: crate::csv_plan::DEFAULT_PART_SIZE,
            concurrency: crate::csv_plan::DEFAULT_CONCURRENCY,
        }
    }
}

impl LoadSettings {
    /// The defaults with `action`.
    pub fn new(action: UploadAction) -> LoadSettings {
        LoadSettings {
            action,
            ..LoadSettings::default()
        }
    }
}

/// The request sending part `number` of a load into `target`.
pub fn part_call(target: &UploadTarget, number: u32, csv: Bytes, gzip: bool) -> Call {
    target.part(number, csv, gzip).to_call()
}

/// What the transport does next.
#[derive(Debug)]
pub enum Step {
    /// Send this request (with the usual retries) and hand its reply to
    /// [`Load::reply`].
    Send(Call),
    /// Cut the input from `data_offset` on and send every part into
    /// `target` ([`part_call`]); then call [`Load::parts_sent`].
    SendParts {
        /// Where the parts go.
        target: UploadTarget,
        /// Where the data starts in the input (past a BOM and a header).
        data_offset: usize,
    },
    /// The load is in (and verified when asked).
    Done(LoadReport),
    /// The load failed; the error says what was and was not committed.
    Failed(Error),
}

/// What a load did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoadReport {
    /// The dataset loaded into.
    pub dataset_id: DatasetId,
    /// The v3 upload id, or the stream execution id.
    pub upload_id: Id,
    /// Parts sent.
    pub parts: u32,
    /// Data rows sent (header excluded).
    pub rows: u64,
    /// Data bytes sent, before compression.
    pub bytes: u64,
    /// The data version the load made, when the server named it or the
    /// load was verified.
    pub version_id: Option<Id>,
    /// The rows that version holds, equal to `rows` (checked), when
    /// verified; `None` with a `version_id` when the server withholds the
    /// count (a row policy filters the caller's rows).
    pub verified_rows: Option<u64>,
}

/// What the parts loop sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PartsSent {
    /// Parts sent.
    pub parts: u32,
    /// Data rows in them.
    pub rows: u64,
    /// Their bytes, before compression.
    pub bytes: u64,
}

#[derive(Debug)]
enum State {
    /// Read the stream: its dataset and update method.
    Stream,
    /// Read the schema: an upsert's keys, the header against the columns.
    Schema,
    /// Open the upload or execution (`tries` made so far).
    Open { tries: u32 },
    /// The parts go up.
    Parts,
    /// Commit.
    Commit,
    /// Abort the execution after `error`.
    Abort { error: Option<Error> },
    /// Read the data versions.
    Verify,
    /// Finished.
    Over,
}

/// A step given and not yet answered.
#[derive(Debug, Clone)]
enum Pending {
    Send(Call),
    Parts(UploadTarget, usize),
}

impl Pending {
    fn step(&self) -> Step {
        match self {
            Pending::Send(call) => Step::Send(call.clone()),
            Pending::Parts(target, data_offset) => Step::SendParts {
                target: target.clone(),
                data_offset: *data_offset,
            },
        }
    }
}

/// One load's plan. See the [module docs](self).
#[derive(Debug)]
pub struct Load {
    destination: Destination,
    settings: LoadSettings,
    start: CsvStart,
    dataset_id: Option<DatasetId>,
    data_offset: usize,
    target: Option<UploadTarget>,
    sent: PartsSent,
    version_id: Option<Id>,
    /// The public API's stream feeding the dataset.
    public_stream: Option<Id>,
    /// The dataset's rows before a public-API load (what an append adds to).
    rows_before: Option<u64>,
    state: State,
    /// The step given last and not yet answered.
    pending: Option<Pending>,
}

impl Load {
    /// The plan of loading the input that starts with `start` (read by
    /// [`crate::csv_plan::read_start`]) into `destination`. Settings no
    /// load can run with are refused here, before anything is sent.
    pub fn new(
        destination: Destination,
        settings: LoadSettings,
        start: CsvStart,
    ) -> Result<Load, Error> {
        check_upload_settings(settings.part_size, settings.concurrency)?;
        if start == CsvStart::NeedMore {
            return Err(Error::invalid_input(
                "the start of the CSV has not been read (read_start said NeedMore)",
            ));
        }
        let (dataset_id, state) = match &destination {
            Destination::Dataset(d) => (Some(d.clone()), State::Schema),
            Destination::Stream(_) if settings.partition.is_some() => {
                return Err(Error::invalid_input(
                    "a stream-execution load cannot target a partition; upload to the dataset instead",
                ));
            }
            Destination::Stream(_) => (None, State::Stream),
            Destination::PublicDataset(_) if settings.partition.is_some() => {
                return Err(Error::invalid_input(
                    "the public API has no partitions: load a partition with a token (the product API); nothing was sent",
                ));
            }
            Destination::PublicDataset(_) if settings.action == UploadAction::Upsert => {
                return Err(Error::invalid_input(
                    "the public API upserts only through a stream created with keyColumnNames, whose executions APPEND: load with append, or upsert with a token (the product API); nothing was sent",
                ));
            }
            Destination::PublicDataset(d) => (Some(d.clone()), State::Stream),
        };
        Ok(Load {
            destination,
            settings,
            start,
            dataset_id,
            data_offset: 0,
            target: None,
            sent: PartsSent::default(),
            version_id: None,
            public_stream: None,
            rows_before: None,
            state,
            pending: None,
        })
    }

    /// The settings the load runs with.
    pub fn settings(&self) -> &LoadSettings {
        &self.settings
    }

    /// Whether the load is cleaning up after a failure (aborting a stream
    /// execution): a transport lets that request finish even when the
    /// caller has cancelled the load.
    pub fn cleaning_up(&self) -> bool {
        matches!(self.state, State::Abort { .. })
    }

    /// What to do next. Calling it again before the step is answered gives
    /// the same step.
    pub fn next_step(&mut self) -> Step {
        if let Some(pending) = &self.pending {
            return pending.step();
        }
        let step = self.decide();
        self.pending = match &step {
            Step::Send(call) => Some(Pending::Send(call.clone())),
            Step::SendParts {
                target,
                data_offset,
            } => Some(Pending::Parts(target.clone(), *data_offset)),
            Step::Done(_) | Step::Failed(_) => None,
        };
        step
    }

    fn decide(&mut self) -> Step {
        loop {
            match &self.state {
                State::Stream => {
                    return Step::Send(match &self.destination {
                        Destination::Stream(sid) => crate::streams::GetStream {
                            stream_id: sid.clone(),
                        }
                        .to_call(),
                        Destination::PublicDataset(d) => {
                            crate::v1::streams::V1SearchStreams::dataset(d).to_call()
                        }
                        Destination::Dataset(_) => {
                            self.state = State::Schema;
                            continue;
                        }
                    });
                }
                State::Schema if matches!(self.destination, Destination::PublicDataset(_)) => {
                    // Always read: the row count before is what the
                    // verification counts from.
                    return Step::Send(
                        crate::v1::datasets::V1GetDataset {
                            dataset_id: self.dataset(),
                        }
                        .to_call(),
                    );
                }
                State::Schema => {
                    let upsert = self.settings.action == UploadAction::Upsert;
                    if self.start.fields_to_check(self.settings.header).is_none() && !upsert {
                        self.data_offset = self.start.data_offset(false);
                        self.state = State::Open { tries: 0 };
                        continue;
                    }
                    return Step::Send(
                        crate::schema::GetLatestSchema {
                            dataset_id: self.dataset(),
                        }
                        .to_call(),
                    );
                }
                State::Open { .. } => {
                    return Step::Send(match &self.destination {
                        Destination::Dataset(d) => crate::uploads::StartUpload::new(
                            d.clone(),
                            self.settings.partition.as_deref(),
                        )
                        .to_call(),
                        Destination::Stream(sid) => crate::streams::RunStream {
                            stream_id: sid.clone(),
                        }
                        .to_call(),
                        Destination::PublicDataset(_) => crate::v1::streams::V1CreateExecution {
                            stream_id: self.public_stream.clone().unwrap_or(Id::Num(0)),
                            update_method: Some(self.settings.action),
                        }
                        .to_call(),
                    });
                }
                State::Parts => {
                    return Step::SendParts {
                        target: self.target.clone().expect("opened before parts"),
                        data_offset: self.data_offset,
                    };
                }
                State::Commit => {
                    return Step::Send(match self.target.as_ref().expect("opened before commit") {
                        UploadTarget::Dataset {
                            dataset_id,
                            upload_id,
                        } => crate::uploads::CommitUpload::new(
                            dataset_id.clone(),
                            upload_id.clone(),
                            self.settings.action,
                            self.settings.partition.as_deref(),
                        )
                        .to_call(),
                        UploadTarget::Stream {
                            stream_id,
                            execution_id,
                        } => crate::streams::CommitExecution {
                            stream_id: stream_id.clone(),
                            execution_id: execution_id.clone(),
                        }
                        .to_call(),
                        UploadTarget::PublicStream {
                            stream_id,
                            execution_id,
                        } => crate::v1::streams::V1CommitExecution {
                            stream_id: stream_id.clone(),
                            execution_id: execution_id.clone(),
                        }
                        .to_call(),
                    });
                }
                State::Abort { .. } => {
                    return Step::Send(match &self.target {
                        Some(UploadTarget::Stream {
                            stream_id,
                            execution_id,
                        }) => crate::streams::AbortExecution {
                            stream_id: stream_id.clone(),
                            execution_id: execution_id.clone(),
                        }
                        .to_call(),
                        Some(UploadTarget::PublicStream {
                            stream_id,
                            execution_id,
                        }) => crate::v1::streams::V1AbortExecution {
                            stream_id: stream_id.clone(),
                            execution_id: execution_id.clone(),
                        }
                        .to_call(),
                        _ => {
                            let error = self.take_abort_error();
                            return Step::Failed(error);
                        }
                    });
                }
                State::Verify => {
                    if !self.settings.verify {
                        return self.done(None);
                    }
                    if matches!(self.destination, Destination::PublicDataset(_)) {
                        return Step::Send(
                            crate::v1::datasets::V1GetDataset {
                                dataset_id: self.dataset(),
                            }
                            .to_call(),
                        );
                    }
                    return Step::Send(
                        crate::versions::ListVersionCounts {
                            dataset_id: self.dataset(),
                        }
                        .to_call(),
                    );
                }
                State::Over => {
                    return Step::Failed(Error::invalid_input("the load is over; start a new one"));
                }
            }
        }
    }

    fn dataset(&self) -> DatasetId {
        self.dataset_id.clone().unwrap_or_default()
    }

    fn take_abort_error(&mut self) -> Error {
        let error = match &mut self.state {
            State::Abort { error } => error.take(),
            _ => None,
        };
        self.state = State::Over;
        error.unwrap_or_else(|| Error::new(ErrorKind::Server, "the load failed"))
    }

    fn done(&mut self, verified: Option<crate::uploads::VerifiedLoad>) -> Step {
        self.state = State::Over;
        let upload_id = self
            .target
            .as_ref()
            .map(|t| t.session_id().clone())
            .unwrap_or(Id::Num(0));
        Step::Done(LoadReport {
            dataset_id: self.dataset(),
            upload_id,
            parts: self.sent.parts,
            rows: self.sent.rows,
            bytes: self.sent.bytes,
            version_id: verified
                .as_ref()
                .map(|v| v.version_id.clone())
                .or_else(|| self.version_id.clone()),
            verified_rows: verified.and_then(|v| v.rows),
        })
    }

    /// The reply to the [`Step::Send`] last given: its JSON, or the error
    /// the request ended with after `attempts` attempts.
    pub fn reply<J: JsonDoc>(&mut self, result: Result<J, Error>, attempts: u32) -> Step {
        self.pending = None;
        let state = std::mem::replace(&mut self.state, State::Over);
        self.state = match (state, result) {
            (State::Stream, Ok(stream)) => match self.read_stream(&stream) {
                Ok(()) => State::Schema,
                Err(e) => return self.fail(e),
            },
            (State::Schema, Ok(schema)) => match self.read_schema(&schema) {
                Ok(offset) => {
                    self.data_offset = offset;
                    State::Open { tries: 0 }
                }
                Err(e) => return self.fail(e),
            },
            (State::Open { .. }, Ok(opened)) => match self.read_opened(&opened) {
                Ok(target) => {
                    self.target = Some(target);
                    State::Parts
                }
                Err(e) => return self.fail(e),
            },
            (State::Open { tries }, Err(e)) => {
                let tries = tries + 1;
                if crate::uploads::StartUpload::reopen_after(&e, tries) {
                    State::Open { tries }
                } else {
                    return self.fail(e);
                }
            }
            (State::Commit, result) => match self.read_commit(result, attempts) {
                Ok(()) => State::Verify,
                Err(e) => return self.after_open_failure(e),
            },
            (State::Abort { error }, outcome) => {
                let error =
                    error.unwrap_or_else(|| Error::new(ErrorKind::Server, "the load failed"));
                let (sid, eid) = match self.target.as_ref().and_then(UploadTarget::execution) {
                    Some((stream_id, execution_id)) => {
                        (stream_id.to_string(), execution_id.to_string())
                    }
                    None => (String::new(), String::new()),
                };
                let error = match outcome {
                    Ok(_) => error.context(format!(
                        "stream {sid}: execution {eid} was aborted, nothing was loaded"
                    )),
                    Err(abort) => error.context(format!(
                        "stream {sid}: aborting execution {eid} failed too ({abort})"
                    )),
                };
                return self.fail(error);
            }
            (State::Verify, result)
                if matches!(self.destination, Destination::PublicDataset(_)) =>
            {
                return match self.verify_rows(result) {
                    Ok(rows) => {
                        let step = self.done(None);
                        match step {
                            Step::Done(mut report) => {
                                report.verified_rows = Some(rows);
                                Step::Done(report)
                            }
                            other => other,
                        }
                    }
                    Err(e) => self.fail(e),
                };
            }
            (State::Verify, result) => {
                let dataset = self.dataset();
                let read = result.and_then(|v| crate::versions::version_counts(&v));
                return match verify_read(&dataset, self.sent.rows, self.version_id.as_ref(), read) {
                    Ok(v) => self.done(Some(v)),
                    Err(e) => self.fail(e),
                };
            }
            (_, Err(e)) => return self.fail(e),
            (state @ (State::Parts | State::Over), Ok(_)) => {
                self.state = state;
                return Step::Failed(Error::invalid_input(
                    "a reply arrived for a load that asked for none",
                ));
            }
        };
        self.next_step()
    }

    /// The outcome of the [`Step::SendParts`] last given.
    pub fn parts_sent(&mut self, result: Result<PartsSent, Error>) -> Step {
        self.pending = None;
        match result {
            Ok(sent) => {
                self.sent = sent;
                self.state = State::Commit;
                self.next_step()
            }
            Err(e) => self.after_open_failure(e),
        }
    }

    fn fail(&mut self, error: Error) -> Step {
        self.state = State::Over;
        Step::Failed(error)
    }

    /// A failure after the upload or execution was opened: nothing was
    /// committed; a stream execution is aborted, never left open.
    fn after_open_failure(&mut self, error: Error) -> Step {
        if self
            .target
            .as_ref()
            .and_then(UploadTarget::execution)
            .is_some()
        {
            self.state = State::Abort { error: Some(error) };
            return self.next_step();
        }
        self.fail(error)
    }

    /// The dataset's rows after a public-API load, checked against what
    /// it held before and what was sent.
    fn verify_rows<J: JsonDoc>(&self, result: Result<J, Error>) -> Result<u64, Error> {
        let dataset = self.dataset();
        let reply = result.map_err(|e| {
            e.context(format!(
                "the load into dataset {dataset} was committed but reading its row count failed"
            ))
        })?;
        let rows = reply.get("rows").and_then(|r| r.as_u64()).ok_or_else(|| {
            Error::new(
                ErrorKind::Decode,
                format!("dataset {dataset}: the reply has no row count (rows)"),
            )
        })?;
        // The public API counts the dataset's rows, not the version's: an
        // append adds to what was there.
        let before = match self.settings.action {
            UploadAction::Append => self.rows_before.unwrap_or(0),
            _ => 0,
        };
        if rows != before + self.sent.rows {
            return Err(Error::row_count_mismatch(
                self.sent.rows,
                rows.saturating_sub(before),
                format!(
                    "dataset {dataset}: the load was committed, but the dataset holds {rows} rows where {} were expected ({} sent); another load may have run at the same time",
                    before + self.sent.rows,
                    self.sent.rows
                ),
            ));
        }
        Ok(rows)
    }

    fn read_stream<J: JsonDoc>(&mut self, stream: &J) -> Result<(), Error> {
        if let Destination::PublicDataset(d) = &self.destination {
            let id = stream.at(0).and_then(|s| s.get("id")).and_then(|v| {
                v.as_u64()
                    .map(Id::Num)
                    .or_else(|| v.as_str().filter(|s| !s.is_empty()).map(Id::Str))
            });
            self.public_stream = Some(id.ok_or_else(|| {
                Error::invalid_input(format!(
                    "dataset {d} has no stream on the public API (a dataset made by POST /v1/datasets has none): load it in one request with import_csv, or make it with create_stream; nothing was sent"
                ))
            })?);
            return Ok(());
        }
        let Destination::Stream(sid) = &self.destination else {
            return Ok(());
        };
        let method = stream.get("updateMethod").and_then(|m| m.as_str());
        let action = self.settings.action;
        if let Some(method) = method
            && !method.eq_ignore_ascii_case(action.as_str())
        {
            return Err(Error::invalid_input(format!(
                "stream {sid} is set to {method}, so its load cannot {}; \
                 upload with {method} or change the stream's updateMethod; nothing was sent",
                action.as_str()
            )));
        }
        let dataset = stream
            .get("dataSource")
            .and_then(|d| d.get("id"))
            .and_then(|d| d.as_str())
            .filter(|d| !d.is_empty())
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Decode,
                    format!("stream {sid} names no dataset (dataSource.id)"),
                )
            })?;
        self.dataset_id = Some(DatasetId::from(dataset));
        Ok(())
    }

    /// The schema's columns checked against what the load needs; where the
    /// data starts.
    fn read_schema<J: JsonDoc>(&mut self, reply: &J) -> Result<usize, Error> {
        if matches!(self.destination, Destination::PublicDataset(_)) {
            self.rows_before = reply.get("rows").and_then(|r| r.as_u64());
        }
        let columns = reply.get("schema").and_then(|s| s.get("columns"));
        let n = columns
            .as_ref()
            .and_then(JsonDoc::array_len)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Decode,
                    "the schema reply has no column list (schema.columns)",
                )
            })?;
        let mut names = Vec::with_capacity(n);
        let mut keys = 0;
        for i in 0..n {
            let column = columns.as_ref().and_then(|c| c.at(i));
            names.push(
                column
                    .as_ref()
                    .and_then(|c| c.get("name"))
                    .and_then(|v| v.as_str())
                    .unwrap_or_default(),
            );
            if column
                .as_ref()
                .and_then(|c| c.get("upsertKey"))
                .and_then(|v| v.as_bool())
                == Some(true)
            {
                keys += 1;
            }
        }
        if self.settings.action == UploadAction::Upsert && keys == 0 {
            return Err(crate::schema::no_upsert_keys(&self.dataset()));
        }
        let is_header = match self.start.fields_to_check(self.settings.header) {
            Some(fields) => {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                check_header(fields, &names, self.settings.header)?
            }
            None => false,
        };
        Ok(self.start.data_offset(is_header))
    }

    fn read_opened<J: JsonDoc>(&self, opened: &J) -> Result<UploadTarget, Error> {
        let read_id = |key: &str| {
            opened.get(key).and_then(|v| {
                v.as_u64()
                    .map(Id::Num)
                    .or_else(|| v.as_str().filter(|s| !s.is_empty()).map(Id::Str))
            })
        };
        match &self.destination {
            Destination::Dataset(d) => {
                let upload_id = read_id("uploadId").ok_or_else(|| {
                    Error::new(
                        ErrorKind::Decode,
                        format!("dataset {d}: the new upload's reply names no uploadId"),
                    )
                })?;
                Ok(UploadTarget::Dataset {
                    dataset_id: d.clone(),
                    upload_id,
                })
            }
            Destination::PublicDataset(d) => {
                let execution_id = read_id("id").ok_or_else(|| {
                    Error::new(
                        ErrorKind::Decode,
                        format!("dataset {d}: the new execution's reply names no id"),
                    )
                })?;
                Ok(UploadTarget::PublicStream {
                    stream_id: self.public_stream.clone().unwrap_or(Id::Num(0)),
                    execution_id,
                })
            }
            Destination::Stream(sid) => {
                let execution_id = read_id("executionId")
                    .or_else(|| read_id("id"))
                    .ok_or_else(|| {
                        Error::new(
                            ErrorKind::Decode,
                            format!("stream {sid}: the new execution's reply names no executionId"),
                        )
                    })?;
                Ok(UploadTarget::Stream {
                    stream_id: sid.clone(),
                    execution_id,
                })
            }
        }
    }

    /// A commit's reply: a 409 after a retried commit means the first one
    /// landed (servers refuse a second commit); an execution that ended
    /// FAILED or ABORTED did not load.
    fn read_commit<J: JsonDoc>(
        &mut self,
        result: Result<J, Error>,
        attempts: u32,
    ) -> Result<(), Error> {
        let reply = match result {
            Err(e) if e.kind() == ErrorKind::Conflict && attempts > 1 => return Ok(()),
            Err(e) => {
                let what = match &self.target {
                    Some(UploadTarget::Dataset {
                        dataset_id,
                        upload_id,
                    }) => format!("committing upload {upload_id} into dataset {dataset_id} failed"),
                    _ => "committing the execution failed".to_owned(),
                };
                return Err(e.context(what));
            }
            Ok(reply) => reply,
        };
        if let Some((stream_id, execution_id)) =
            self.target.as_ref().and_then(UploadTarget::execution)
        {
            let state = reply
                .get("currentState")
                .or_else(|| reply.get("status"))
                .and_then(|s| s.as_str());
            if let Some(state @ ("FAILED" | "ABORTED")) = state.as_deref() {
                return Err(Error::new(
                    ErrorKind::Server,
                    format!(
                        "stream {stream_id} execution {execution_id} ended {state} instead of committing"
                    ),
                ));
            }
        }
        self.version_id = reply
            .get("dataVersionId")
            .and_then(|v| v.as_u64().map(Id::Num).or_else(|| v.as_str().map(Id::Str)));
        Ok(())
    }
}

/// The verification step: a failed read is an error that says the data
/// was committed; otherwise [`verify_load`].
fn verify_read(
    dataset_id: &DatasetId,
    sent: u64,
    named_version: Option<&Id>,
    read: Result<Vec<VersionCount>, Error>,
) -> Result<crate::uploads::VerifiedLoad, Error> {
    let versions = read.map_err(|e| {
        e.context(format!(
            "the load into dataset {dataset_id} was committed but reading its data version failed"
        ))
    })?;
    verify_load(dataset_id, sent, named_version, &versions)
}

#[cfg(all(test, feature = "typed"))]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::csv_plan::read_start;
    use crate::{BaseUrl, Config, Credentials};

    fn config() -> Config {
        Config::new(
            BaseUrl::parse("http://127.0.0.1:1").unwrap(),
            Credentials::developer_token("t"),
        )
    }

    fn uri(step: &Step) -> String {
        match step {
            Step::Send(call) => {
                // Each API's calls prepared with its own credentials (the
                // other's are refused before sending).
                let config = match call.spec.api() {
                    crate::Api::Public => Config::new(
                        BaseUrl::parse("http://127.0.0.1:1").unwrap(),
                        Credentials::client("id", "secret"),
                    ),
                    crate::Api::Product => config(),
                };
                let p = call.prepare::<Value>(&config).unwrap();
                format!(
                    "{} {} {}",
                    p.label.method,
                    p.label.path,
                    String::from_utf8_lossy(&p.body)
                )
            }
            other => format!("{other:?}"),
        }
    }

    fn start(csv: &str) -> CsvStart {
        read_start(csv.as_bytes(), true).unwrap()
    }

    #[test]
    fn a_v3_upload_checks_the_header_opens_sends_commits_and_verifies() {
        let mut load = Load::new(
            Destination::Dataset("ds".into()),
            LoadSettings::default(),
            start("a,b\n1,2\n"),
        )
        .unwrap();
        assert_eq!(
            uri(&load.next_step()),
            "GET /api/data/v2/datasources/ds/schemas/latest "
        );
        let schema = json!({"schema": {"columns": [{"name": "a", "type": "LONG"}, {"name": "b", "type": "LONG"}]}});
        let step = load.reply(Ok(schema), 1);
        assert_eq!(
            uri(&step),
            r#"POST /api/data/v3/datasources/ds/uploads {"action":null,"appendId":null}"#
        );
        // A reset while opening: a fresh upload, a bounded number of times.
        let reset = || Err::<Value, _>(Error::new(ErrorKind::Transport, "reset"));
        assert!(
            uri(&load.reply(reset(), 1)).starts_with("POST /api/data/v3/datasources/ds/uploads")
        );
        let step = load.reply(Ok(json!({"uploadId": 10})), 1);
        let Step::SendParts {
            target,
            data_offset,
        } = step
        else {
            panic!("{step:?}")
        };
        assert_eq!(data_offset, 4, "the header is not sent");
        assert_eq!(
            target,
            UploadTarget::Dataset {
                dataset_id: "ds".into(),
                upload_id: Id::Num(10)
            }
        );
        let step = load.parts_sent(Ok(PartsSent {
            parts: 1,
            rows: 1,
            bytes: 4,
        }));
        assert_eq!(
            uri(&step),
            r#"PUT /api/data/v3/datasources/ds/uploads/10/commit {"action":"APPEND","index":true}"#
        );
        // The retried commit's 409: the first one landed.
        let conflict = Err::<Value, _>(Error::new(ErrorKind::Conflict, "already committed"));
        let step = load.reply(conflict, 2);
        assert_eq!(
            uri(&step),
            "GET /api/data/v3/datasources/ds/dataversions/details "
        );
        let step = load.reply(Ok(json!([{"dataVersionId": 3, "rowCount": 1}])), 1);
        let Step::Done(report) = step else {
            panic!("{step:?}")
        };
        assert_eq!((report.rows, report.parts), (1, 1));
        assert_eq!(report.version_id, Some(Id::Num(3)));
        assert_eq!(report.verified_rows, Some(1));
        assert_eq!(report.upload_id, Id::Num(10));
    }

    #[test]
    fn a_first_commit_conflict_and_a_short_version_are_errors() {
        let mut load = Load::new(
            Destination::Dataset("ds".into()),
            LoadSettings {
                header: HeaderMode::Absent,
                ..LoadSettings::default()
            },
            start("1,2\n"),
        )
        .unwrap();
        assert!(uri(&load.next_step()).starts_with("POST /api/data/v3/datasources/ds/uploads"));
        load.reply(Ok(json!({"uploadId": "u"})), 1);
        load.parts_sent(Ok(PartsSent {
            parts: 1,
            rows: 1,
            bytes: 4,
        }));
        let conflict = Err::<Value, _>(Error::new(ErrorKind::Conflict, "already committed"));
        let Step::Failed(e) = load.reply(conflict, 1) else {
            panic!()
        };
        assert_eq!(e.kind(), ErrorKind::Conflict);
        assert!(e.to_string().contains("committing upload u"), "{e}");

        let mut load = Load::new(
            Destination::Dataset("ds".into()),
            LoadSettings {
                header: HeaderMode::Absent,
                ..LoadSettings::default()
            },
            start("1,2\n"),
        )
        .unwrap();
        load.next_step();
        load.reply(Ok(json!({"uploadId": 1})), 1);
        load.parts_sent(Ok(PartsSent {
            parts: 1,
            rows: 1,
            bytes: 4,
        }));
        load.reply(Ok(json!({"dataVersionId": 7})), 1);
        let Step::Failed(e) = load.reply(Ok(json!([{"dataVersionId": 7, "rowCount": 0}])), 1)
        else {
            panic!()
        };
        assert_eq!(e.kind(), ErrorKind::RowCountMismatch);
    }

    #[test]
    fn an_upsert_without_keys_stops_before_anything_is_opened() {
        let mut load = Load::new(
            Destination::Dataset("ds".into()),
            LoadSettings::new(UploadAction::Upsert),
            start("a\n1\n"),
        )
        .unwrap();
        load.next_step();
        let schema = json!({"schema": {"columns": [{"name": "a", "type": "LONG"}]}});
        let Step::Failed(e) = load.reply(Ok(schema), 1) else {
            panic!()
        };
        assert!(e.to_string().contains("no upsert key"), "{e}");
        assert!(e.to_string().contains("nothing was sent"), "{e}");
    }

    #[test]
    fn a_stream_load_checks_the_stream_and_aborts_after_a_failure() {
        let mut load = Load::new(
            Destination::Stream(Id::Num(5)),
            LoadSettings {
                header: HeaderMode::Absent,
                ..LoadSettings::default()
            },
            start("1\n"),
        )
        .unwrap();
        assert_eq!(uri(&load.next_step()), "GET /api/data/v1/streams/5 ");
        let stream = json!({"id": 5, "updateMethod": "REPLACE", "dataSource": {"id": "ds"}});
        let mut other = Load::new(
            Destination::Stream(Id::Num(5)),
            LoadSettings::default(),
            start("1\n"),
        )
        .unwrap();
        other.next_step();
        let Step::Failed(e) = other.reply(Ok(stream), 1) else {
            panic!()
        };
        assert!(e.to_string().contains("set to REPLACE"), "{e}");

        let stream = json!({"id": 5, "updateMethod": "APPEND", "dataSource": {"id": "ds"}});
        let step = load.reply(Ok(stream), 1);
        assert_eq!(
            uri(&step),
            r#"POST /api/data/v1/streams/5/executions {"action":"MANUAL"}"#
        );
        let step = load.reply(Ok(json!({"id": 9, "currentState": "ACTIVE"})), 1);
        assert!(matches!(step, Step::SendParts { .. }), "{step:?}");
        let step = load.parts_sent(Err(Error::new(ErrorKind::Server, "part 1 failed")));
        assert_eq!(uri(&step), "PUT /api/data/v1/streams/5/executions/9/abort ");
        let Step::Failed(e) = load.reply(Ok(json!({})), 1) else {
            panic!()
        };
        assert!(
            e.to_string()
                .contains("execution 9 was aborted, nothing was loaded"),
            "{e}"
        );
        assert!(e.to_string().contains("part 1 failed"), "{e}");

        assert!(
            Load::new(
                Destination::Stream(Id::Num(5)),
                LoadSettings {
                    partition: Some("p".into()),
                    ..LoadSettings::default()
                },
                start("1\n"),
            )
            .is_err()
        );
    }

    /// The public API's load, step by step: the dataset's stream found by
    /// search, the dataset read (its schema checked, its rows counted), an
    /// execution opened with the load's update method, the parts, the
    /// commit, and the rows counted again.
    #[test]
    fn a_public_api_load_finds_the_stream_opens_an_execution_and_counts_rows() {
        let settings = LoadSettings::new(UploadAction::Append);
        let mut load = Load::new(
            Destination::PublicDataset("ds".into()),
            settings.clone(),
            start("a,b\n1,2\n3,4\n"),
        )
        .unwrap();
        let step = load.next_step();
        assert!(
            uri(&step).starts_with("GET /v1/streams/search "),
            "{}",
            uri(&step)
        );
        let Step::Send(call) = &step else { panic!() };
        let search = call
            .prepare::<Value>(&Config::new(
                BaseUrl::parse("http://127.0.0.1:1").unwrap(),
                Credentials::client("id", "secret"),
            ))
            .unwrap();
        assert!(
            search.uri.contains("q=dataSource.id%3Ads"),
            "{}",
            search.uri
        );
        let step = load.reply(Ok(json!([{"id": 12, "dataSet": {"id": "ds"}}])), 1);
        assert_eq!(uri(&step), "GET /v1/datasets/ds ");
        let dataset = json!({"id": "ds", "rows": 5, "schema": {"columns": [
            {"type": "LONG", "name": "a"}, {"type": "LONG", "name": "b"}]}});
        let step = load.reply(Ok(dataset), 1);
        assert_eq!(
            uri(&step),
            r#"POST /v1/streams/12/executions {"updateMethod":"APPEND"}"#
        );
        let step = load.reply(Ok(json!({"id": 3})), 1);
        let Step::SendParts {
            target,
            data_offset,
        } = step
        else {
            panic!("{step:?}")
        };
        assert_eq!(data_offset, 4, "the header is not sent");
        assert_eq!(
            target,
            UploadTarget::PublicStream {
                stream_id: Id::Num(12),
                execution_id: Id::Num(3)
            }
        );
        let step = load.parts_sent(Ok(PartsSent {
            parts: 1,
            rows: 2,
            bytes: 8,
        }));
        assert_eq!(uri(&step), "PUT /v1/streams/12/executions/3/commit ");
        let step = load.reply(Ok(json!({"id": 3, "currentState": "SUCCESS"})), 1);
        assert_eq!(uri(&step), "GET /v1/datasets/ds ");
        // 5 before and 2 appended: 7.
        let step = load.reply(Ok(json!({"id": "ds", "rows": 7})), 1);
        let Step::Done(report) = step else {
            panic!("{step:?}")
        };
        assert_eq!((report.rows, report.verified_rows), (2, Some(7)));

        // A count that does not add up is an error saying so.
        let mut load = Load::new(
            Destination::PublicDataset("ds".into()),
            settings.clone(),
            start("a,b\n1,2\n"),
        )
        .unwrap();
        load.next_step();
        load.reply(Ok(json!([{"id": 12}])), 1);
        load.reply(
            Ok(json!({"rows": 5, "schema": {"columns": [
            {"type": "LONG", "name": "a"}, {"type": "LONG", "name": "b"}]}})),
            1,
        );
        load.reply(Ok(json!({"id": 3})), 1);
        load.parts_sent(Ok(PartsSent {
            parts: 1,
            rows: 1,
            bytes: 4,
        }));
        load.reply(Ok(json!({"id": 3})), 1);
        let Step::Failed(e) = load.reply(Ok(json!({"rows": 9})), 1) else {
            panic!()
        };
        assert_eq!(e.kind(), ErrorKind::RowCountMismatch, "{e}");
        assert_eq!((e.rows_sent(), e.rows_stored()), (Some(1), Some(4)));

        // A dataset without a stream is said to be one before anything is
        // sent; so are upserts and partitions.
        let mut load = Load::new(
            Destination::PublicDataset("bare".into()),
            settings,
            start("1,2\n"),
        )
        .unwrap();
        load.next_step();
        let Step::Failed(e) = load.reply(Ok(json!([])), 1) else {
            panic!()
        };
        assert!(e.to_string().contains("has no stream"), "{e}");
        assert!(e.to_string().contains("nothing was sent"), "{e}");
        for settings in [
            LoadSettings::new(UploadAction::Upsert),
            LoadSettings {
                partition: Some("p".into()),
                ..LoadSettings::default()
            },
        ] {
            let e = Load::new(
                Destination::PublicDataset("ds".into()),
                settings,
                start("1\n"),
            )
            .unwrap_err();
            assert!(e.to_string().contains("nothing was sent"), "{e}");
        }
    }
}
