//! The write tools, registered only with `--allow-writes` (and
//! `delete_dataset` only with `--allow-delete` too). Each change goes
//! through the write client, which sends every request once: a failed
//! write is reported, never repeated behind the agent's back. Reads a
//! write needs first (the current schema, the dataset's name) use the
//! read client.

use std::path::{Path, PathBuf};

use domo_native::model::schema::{Column, ColumnType, Schema};
use domo_native::{HeaderMode, NewDataset, UploadAction, UploadOptions, UploadSource};
use rmcp::schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::call::{Call, Reply};
use super::datasets::{ColumnInfo, column_infos, dataset_id, read_schema};
use super::errors::{Doing, ToolError};
use super::settings::Settings;
use crate::alter::{Edits, Labels};

/// A column's Domo type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
#[schemars(crate = "rmcp::schemars")]
pub enum Kind {
    String,
    Long,
    Double,
    Decimal,
    Date,
    Datetime,
}

impl From<Kind> for ColumnType {
    fn from(k: Kind) -> ColumnType {
        match k {
            Kind::String => ColumnType::String,
            Kind::Long => ColumnType::Long,
            Kind::Double => ColumnType::Double,
            Kind::Decimal => ColumnType::Decimal,
            Kind::Date => ColumnType::Date,
            Kind::Datetime => ColumnType::DateTime,
        }
    }
}

/// A column to create or retype.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "rmcp::schemars")]
pub struct ColumnSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: Kind,
}

impl ColumnSpec {
    fn column(&self) -> Column {
        Column::new(self.name.trim(), self.kind.into())
    }
}

/// `create_dataset`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "rmcp::schemars")]
pub struct CreateArgs {
    /// The new dataset's name.
    pub name: String,
    /// What it holds.
    pub description: Option<String>,
    /// Its columns, in order (at least one).
    pub columns: Vec<ColumnSpec>,
}

/// `create_dataset`'s result.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct CreatedReport {
    pub dataset_id: String,
    /// The stream that feeds it.
    pub stream_id: Option<String>,
    pub name: String,
    pub columns: Vec<ColumnInfo>,
}

/// `update_dataset`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "rmcp::schemars")]
pub struct UpdateArgs {
    pub dataset_id: String,
    /// A new name.
    pub name: Option<String>,
    /// A new description.
    pub description: Option<String>,
    /// The new tag list (replaces the current one; [] removes every tag).
    pub tags: Option<Vec<String>>,
}

/// `update_dataset`'s result.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct UpdatedReport {
    pub dataset_id: String,
    /// What was set: name, description, tags.
    pub updated: Vec<String>,
}

/// What an upload does to the current rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(crate = "rmcp::schemars")]
pub enum Mode {
    /// Add the rows to the current ones.
    Append,
    /// Delete every current row, then load these.
    Replace,
}

/// Whether the CSV starts with a header row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(crate = "rmcp::schemars")]
pub enum Header {
    /// A first row naming the dataset's columns is a header.
    #[default]
    Auto,
    /// The first row is a header; it must name the dataset's columns.
    Yes,
    /// There is no header row.
    No,
}

/// `upload_rows`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "rmcp::schemars")]
pub struct UploadArgs {
    pub dataset_id: String,
    /// append adds the rows; replace deletes every current row first.
    pub mode: Mode,
    /// The CSV itself (RFC 4180, columns in the dataset's order; `\N` is null).
    pub csv: Option<String>,
    /// A CSV file under a directory the server allows (check_connection lists them);
    /// a relative path is looked up in each.
    pub path: Option<String>,
    /// Whether the first row is a header: auto (default), yes or no.
    pub header: Option<Header>,
}

/// `upload_rows`'s result.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct UploadedReport {
    pub dataset_id: String,
    pub mode: Mode,
    /// Data rows sent (the header not counted).
    pub rows: u64,
    /// Bytes sent.
    pub bytes: u64,
    /// Upload parts sent.
    pub parts: u32,
    /// The data version the load made.
    pub version_id: Option<String>,
    /// The rows Domo holds in that version, checked against `rows` (null when a row
    /// policy hides the count).
    pub verified_rows: Option<u64>,
}

/// A rename in `alter_schema`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "rmcp::schemars")]
pub struct Rename {
    pub from: String,
    pub to: String,
}

/// `alter_schema`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "rmcp::schemars")]
pub struct AlterArgs {
    pub dataset_id: String,
    /// Columns to add at the end.
    #[serde(default)]
    pub add: Vec<ColumnSpec>,
    /// Columns to rename.
    #[serde(default)]
    pub rename: Vec<Rename>,
    /// Columns whose type changes (a stored value that cannot convert fails the change).
    #[serde(default)]
    pub retype: Vec<ColumnSpec>,
    /// Columns to remove, with their values.
    #[serde(default)]
    pub drop: Vec<String>,
    /// Columns that become upsert keys.
    #[serde(default)]
    pub key: Vec<String>,
    /// Columns that stop being upsert keys.
    #[serde(default)]
    pub no_key: Vec<String>,
    /// true applies the change; otherwise only the diff comes back.
    #[serde(default)]
    pub confirm: bool,
}

/// `alter_schema`'s result.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct AlterReport {
    pub dataset_id: String,
    /// Whether the change was made (only with confirm: true).
    pub applied: bool,
    /// The edits, one line each.
    pub changes: Vec<String>,
    pub before: Vec<ColumnInfo>,
    pub after: Vec<ColumnInfo>,
    /// What to do next, when not applied.
    pub next_step: Option<String>,
}

/// `delete_dataset`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "rmcp::schemars")]
pub struct DeleteArgs {
    pub dataset_id: String,
    /// The dataset's current name (get_dataset gives it), as a check that this is the
    /// dataset meant.
    pub confirm_name: String,
}

/// `delete_dataset`'s result.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct DeletedReport {
    pub dataset_id: String,
    pub name: String,
    pub deleted: bool,
}

/// `alter_schema`'s arguments, as its messages name them.
const ARGUMENTS: Labels = Labels {
    drop: "drop",
    rename: "rename",
    retype: "retype",
    add: "add",
    key: "key",
    no_key: "no_key",
};

fn failed(e: domo_native::Error) -> ToolError {
    ToolError::domo(&e, Doing::Writing)
}

pub(crate) async fn create(call: &Call<'_>, args: CreateArgs) -> Result<Reply, ToolError> {
    let name = args.name.trim();
    if name.is_empty() {
        return Err(ToolError::invalid("name is empty"));
    }
    if args.columns.is_empty() {
        return Err(ToolError::invalid(
            "columns is empty: a dataset needs at least one column",
        ));
    }
    let columns: Vec<Column> = args.columns.iter().map(ColumnSpec::column).collect();
    let mut new = NewDataset::new(name, columns.clone());
    if let Some(d) = args.description.filter(|d| !d.trim().is_empty()) {
        new = new.description(d);
    }
    let created = call.write.create_dataset(new).await.map_err(failed)?;
    Ok(Reply::json(&CreatedReport {
        dataset_id: created.dataset_id.to_string(),
        stream_id: created.stream_id.map(|s| s.to_string()),
        name: name.to_owned(),
        columns: column_infos(&columns),
    }))
}

pub(crate) async fn update(call: &Call<'_>, args: UpdateArgs) -> Result<Reply, ToolError> {
    let id = dataset_id(&args.dataset_id)?;
    if args.name.is_none() && args.description.is_none() && args.tags.is_none() {
        return Err(ToolError::invalid(
            "nothing to update: give name, description or tags",
        ));
    }
    let mut updated = Vec::new();
    if let Some(name) = &args.name {
        let name = name.trim();
        if name.is_empty() {
            return Err(ToolError::invalid("name is empty"));
        }
        call.write.rename_dataset(id, name).await.map_err(failed)?;
        updated.push("name".to_owned());
    }
    if let Some(description) = &args.description {
        call.write
            .describe_dataset(id, description.as_str())
            .await
            .map_err(failed)?;
        updated.push("description".to_owned());
    }
    if let Some(tags) = args.tags {
        call.write.set_tags(id, tags).await.map_err(failed)?;
        updated.push("tags".to_owned());
    }
    Ok(Reply::json(&UpdatedReport {
        dataset_id: id.to_owned(),
        updated,
    }))
}

/// The file `path` names, when it lies under an allowed directory (links
/// resolved first, so none leads out).
fn allowed_file(settings: &Settings, path: &str) -> Result<PathBuf, ToolError> {
    if settings.allow_paths.is_empty() {
        return Err(ToolError::invalid(
            "path: this server reads no files (it was not started with --allow-path); pass the CSV inline in `csv`",
        ));
    }
    let given = Path::new(path.trim());
    let candidates: Vec<PathBuf> = if given.is_absolute() {
        vec![given.to_path_buf()]
    } else {
        settings.allow_paths.iter().map(|d| d.join(given)).collect()
    };
    let dirs: Vec<String> = settings
        .allow_paths
        .iter()
        .map(|d| d.display().to_string())
        .collect();
    let found = candidates
        .iter()
        .find_map(|c| std::fs::canonicalize(c).ok())
        .ok_or_else(|| {
            ToolError::invalid(format!(
                "path {path:?}: no such file in the allowed directories ({})",
                dirs.join(", ")
            ))
        })?;
    if !settings.allow_paths.iter().any(|d| found.starts_with(d)) {
        return Err(ToolError::invalid(format!(
            "path {path:?} is outside the directories this server may read ({})",
            dirs.join(", ")
        )));
    }
    if !found.is_file() {
        return Err(ToolError::invalid(format!("path {path:?} is not a file")));
    }
    Ok(found)
}

pub(crate) async fn upload(call: &Call<'_>, args: UploadArgs) -> Result<Reply, ToolError> {
    let id = dataset_id(&args.dataset_id)?;
    let source = match (args.csv, args.path.as_deref()) {
        (Some(csv), None) => {
            let limit = call.settings.max_inline_csv;
            if csv.len() > limit {
                return Err(ToolError::invalid(format!(
                    "csv is {} bytes, more than this server's inline limit of {limit}: write it to a file under an allowed directory and pass `path`",
                    csv.len()
                )));
            }
            UploadSource::bytes(csv)
        }
        (None, Some(path)) => UploadSource::file(allowed_file(call.settings, path)?),
        (Some(_), Some(_)) => {
            return Err(ToolError::invalid("give either csv or path, not both"));
        }
        (None, None) => {
            return Err(ToolError::invalid(
                "give the rows: csv (inline) or path (a file)",
            ));
        }
    };
    let action = match args.mode {
        Mode::Append => UploadAction::Append,
        Mode::Replace => UploadAction::Replace,
    };
    let header = match args.header.unwrap_or_default() {
        Header::Auto => HeaderMode::Detect,
        Header::Yes => HeaderMode::Present,
        Header::No => HeaderMode::Absent,
    };
    let (tx, mut rx) = tokio::sync::watch::channel(None);
    let options = UploadOptions::new(action)
        .header(header)
        .cancel_with(call.cancel.clone())
        .progress(move |p| {
            tx.send_replace(Some(p.clone()));
        });
    let report = {
        let upload = call.write.upload(id, source, &options);
        tokio::pin!(upload);
        loop {
            tokio::select! {
                report = &mut upload => break report.map_err(failed)?,
                Ok(()) = rx.changed() => {
                    let latest = rx.borrow_and_update().clone();
                    if let Some(p) = latest {
                        call.progress
                            .report(
                                p.bytes_read as f64,
                                p.total_bytes.map(|t| t as f64),
                                format!("{} rows read, {} of {} parts sent", p.rows, p.parts_done, p.parts_started),
                            )
                            .await;
                    }
                }
            }
        }
    };
    Ok(Reply::json(&UploadedReport {
        dataset_id: report.dataset_id.to_string(),
        mode: args.mode,
        rows: report.rows,
        bytes: report.bytes,
        parts: report.parts,
        version_id: report.version_id.map(|v| v.to_string()),
        verified_rows: report.verified_rows,
    }))
}

pub(crate) async fn alter(call: &Call<'_>, args: AlterArgs) -> Result<Reply, ToolError> {
    let id = dataset_id(&args.dataset_id)?;
    let edits = Edits {
        drop: args.drop.clone(),
        rename: args
            .rename
            .iter()
            .map(|r| (r.from.clone(), r.to.trim().to_owned()))
            .collect(),
        retype: args
            .retype
            .iter()
            .map(|c| (c.name.clone(), c.kind.into()))
            .collect(),
        add: args.add.iter().map(ColumnSpec::column).collect(),
        key: args.key.clone(),
        no_key: args.no_key.clone(),
    };
    let current = read_schema(call.read, id).await?;
    let columns = edits
        .apply_as(&current.columns, &ARGUMENTS)
        .map_err(ToolError::invalid)?;
    let changes = describe(&args, &current.columns);
    let (before, after) = (column_infos(&current.columns), column_infos(&columns));
    if !args.confirm {
        return Ok(Reply::json(&AlterReport {
            dataset_id: id.to_owned(),
            applied: false,
            changes,
            before,
            after,
            next_step: Some(
                "Nothing changed yet. Show these changes to the user; to apply them, call \
                 alter_schema again with the same arguments and confirm: true."
                    .to_owned(),
            ),
        }));
    }
    call.write
        .alter_schema(id, &Schema::new(columns))
        .await
        .map_err(failed)?;
    Ok(Reply::json(&AlterReport {
        dataset_id: id.to_owned(),
        applied: true,
        changes,
        before,
        after,
        next_step: None,
    }))
}

/// The edits, one line each, in the order they apply.
fn describe(args: &AlterArgs, current: &[Column]) -> Vec<String> {
    let kind_of = |name: &str| {
        current
            .iter()
            .find(|c| c.name == name)
            .map_or("?".to_owned(), |c| c.kind.as_str().to_owned())
    };
    let mut lines = Vec::new();
    lines.extend(
        args.drop
            .iter()
            .map(|d| format!("drop column `{d}` and its values")),
    );
    lines.extend(
        args.rename
            .iter()
            .map(|r| format!("rename `{}` to `{}`", r.from, r.to.trim())),
    );
    lines.extend(args.retype.iter().map(|c| {
        let to = ColumnType::from(c.kind);
        format!(
            "change `{}` from {} to {}",
            c.name,
            kind_of(&c.name),
            to.as_str()
        )
    }));
    lines.extend(args.add.iter().map(|c| {
        let kind = ColumnType::from(c.kind);
        format!("add `{}` ({}) at the end", c.name.trim(), kind.as_str())
    }));
    lines.extend(args.key.iter().map(|k| format!("make `{k}` an upsert key")));
    lines.extend(
        args.no_key
            .iter()
            .map(|k| format!("stop `{k}` being an upsert key")),
    );
    lines
}

pub(crate) async fn delete(call: &Call<'_>, args: DeleteArgs) -> Result<Reply, ToolError> {
    let id = dataset_id(&args.dataset_id)?;
    let dataset = call
        .read
        .dataset(id)
        .await
        .map_err(|e| ToolError::domo(&e, Doing::Reading))?;
    let name = dataset.name.unwrap_or_default();
    if args.confirm_name.trim() != name.trim() {
        return Err(ToolError::invalid(format!(
            "confirm_name {:?} is not the dataset's name ({name:?}); nothing was deleted",
            args.confirm_name
        )));
    }
    call.write.delete_dataset(id).await.map_err(failed)?;
    Ok(Reply::json(&DeletedReport {
        dataset_id: id.to_owned(),
        name,
        deleted: true,
    }))
}
