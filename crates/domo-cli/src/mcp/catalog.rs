//! Every tool `domoctl mcp` can register, in one table: its toolset, what
//! it may change, its annotations (all four set explicitly) and its
//! schemas, made from the argument and result types. The flags choose
//! which are registered (GitHub's MCP server's toolsets): a tool that is
//! not registered is neither listed nor callable.

use std::sync::Arc;

use rmcp::handler::server::common::{schema_for_input, schema_for_output};
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use rmcp::schemars::JsonSchema;

use super::datasets::{
    ConnectionReport, DatasetArgs, DatasetInfo, DatasetPage, GovernanceList, ListArgs, NoArgs,
    PagedDatasetArgs, SchemaInfo, SearchArgs,
};
use super::query::{PreviewArgs, ProfileArgs, ProfileReport, QueryArgs, QueryReport};
use super::settings::Settings;
use super::writes::{
    AlterArgs, AlterReport, CreateArgs, CreatedReport, DeleteArgs, DeletedReport, UpdateArgs,
    UpdatedReport, UploadArgs, UploadedReport,
};
use crate::failure::Failure;

/// What a tool may do to Domo, and so which switch it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reads only: always allowed.
    Read,
    /// Creates or changes: needs `--allow-writes`.
    Write,
    /// Deletes a dataset: needs `--allow-writes` and `--allow-delete`.
    Delete,
}

/// One tool.
#[derive(Debug)]
pub struct ToolDef {
    pub name: &'static str,
    pub toolset: &'static str,
    pub access: Access,
    pub title: &'static str,
    pub description: &'static str,
    pub read_only: bool,
    pub destructive: bool,
    pub idempotent: bool,
    /// Each tool reaches only the one Domo instance the credentials name,
    /// a closed world, so this is false for all; it is set explicitly.
    pub open_world: bool,
    input: fn() -> Arc<JsonObject>,
    output: fn() -> Arc<JsonObject>,
}

impl ToolDef {
    /// The tool as `tools/list` describes it.
    pub fn tool(&self) -> Tool {
        Tool::new(self.name, self.description, (self.input)())
            .with_title(self.title)
            .with_raw_output_schema((self.output)())
            .with_annotations(
                ToolAnnotations::with_title(self.title)
                    .read_only(self.read_only)
                    .destructive(self.destructive)
                    .idempotent(self.idempotent)
                    .open_world(self.open_world),
            )
    }
}

fn input<T: JsonSchema + 'static>() -> Arc<JsonObject> {
    // The argument types are plain structs: their schemas are objects.
    schema_for_input::<T>().unwrap_or_else(|e| panic!("a tool's argument schema: {e}"))
}

fn output<T: JsonSchema + 'static>() -> Arc<JsonObject> {
    schema_for_output::<T>()
}

/// A read tool's annotations: read-only, so not destructive, and asking
/// twice is asking once.
const fn read(
    name: &'static str,
    toolset: &'static str,
    title: &'static str,
    description: &'static str,
    input: fn() -> Arc<JsonObject>,
    output: fn() -> Arc<JsonObject>,
) -> ToolDef {
    ToolDef {
        name,
        toolset,
        access: Access::Read,
        title,
        description,
        read_only: true,
        destructive: false,
        idempotent: true,
        open_world: false,
        input,
        output,
    }
}

/// The toolsets and what each holds; `context` is always registered.
pub const TOOLSETS: &[(&str, &str)] = &[
    (
        "context",
        "check_connection: where the server points and what it allows (always on)",
    ),
    (
        "datasets",
        "find and describe datasets: list, search, metadata, schema",
    ),
    (
        "query",
        "bounded SQL: query_dataset, preview_rows, profile_columns",
    ),
    (
        "governance",
        "versions, partitions, permissions and row policies (opt-in)",
    ),
    (
        "writes",
        "create, update, upload, alter (with --allow-writes), delete (with --allow-delete)",
    ),
];

/// The toolsets registered when `--toolsets` is not given.
const DEFAULT_TOOLSETS: &[&str] = &["datasets", "query", "writes"];

/// Every tool, in the order `tools/list` gives them.
pub static TOOLS: &[ToolDef] = &[
    read(
        "check_connection",
        "context",
        "Check the Domo connection",
        "Who this server acts as and where: the Domo instance or base URL (a local emulator is \
         a loopback URL), the user, whether writes and deletes are allowed, the row and byte \
         limits of a result, and the registered tools. Call it first when unsure what is allowed.",
        input::<NoArgs>,
        output::<ConnectionReport>,
    ),
    read(
        "list_datasets",
        "datasets",
        "List datasets",
        "Datasets the user can see, a page at a time: id, name, owner, rows, columns, last \
         updated. Filter by owner (server-side) and by when the data last changed (applied to \
         each page as it is read, so a page may hold fewer than `limit`). Pass `next_cursor` \
         back as `cursor` for the next page; `total` counts the datasets the owner filter \
         matches. To find a dataset by name, use search_datasets.",
        input::<ListArgs>,
        output::<DatasetPage>,
    ),
    read(
        "search_datasets",
        "datasets",
        "Search datasets by name",
        "Datasets whose name matches `query` (case-insensitive; `*` is a wildcard, otherwise \
         the text may appear anywhere in the name), searched by Domo and ranked as it ranks \
         them; optionally only one owner's. Same rows and paging as list_datasets.",
        input::<SearchArgs>,
        output::<DatasetPage>,
    ),
    read(
        "get_dataset",
        "datasets",
        "Get a dataset's metadata",
        "One dataset's metadata: name, description, owner, row and column counts, tags, when \
         it was created and last updated, and the stream that loads it.",
        input::<DatasetArgs>,
        output::<DatasetInfo>,
    ),
    read(
        "get_schema",
        "datasets",
        "Get a dataset's columns",
        "A dataset's columns in order, with their Domo types (STRING, LONG, DOUBLE, DECIMAL, \
         DATE, DATETIME) and upsert keys. Read it before writing SQL: in SQL the dataset is \
         always named `table` (SELECT region, SUM(amount) FROM table GROUP BY region).",
        input::<DatasetArgs>,
        output::<SchemaInfo>,
    ),
    read(
        "query_dataset",
        "query",
        "Run SQL on a dataset",
        "Runs one SQL SELECT against one dataset, which the SQL names `table` (MySQL-flavoured: \
         SELECT `order id`, SUM(amount) FROM table WHERE region = 'east' GROUP BY 1). At most \
         `max_rows` rows (default 100) come back, within the server's row and byte limits; \
         `truncated` and `truncation_reason` say when there was more. Prefer aggregates, \
         filters and LIMIT over reading many rows. `format` picks the text copy: json, csv or \
         markdown; the structured result is always JSON.",
        input::<QueryArgs>,
        output::<QueryReport>,
    ),
    read(
        "preview_rows",
        "query",
        "Preview a dataset's rows",
        "The first rows of a dataset (default 10), every column: a quick look before writing \
         SQL. Bounded like query_dataset.",
        input::<PreviewArgs>,
        output::<QueryReport>,
    ),
    read(
        "profile_columns",
        "query",
        "Profile a dataset's columns",
        "For each column (all, or those named): values, nulls, distinct values, minimum and \
         maximum, from aggregate queries (one row each, whatever the dataset's size).",
        input::<ProfileArgs>,
        output::<ProfileReport>,
    ),
    read(
        "list_data_versions",
        "governance",
        "List a dataset's data versions",
        "The dataset's data versions, one per committed load: id, status, rows, when. At most \
         `limit`, with the total.",
        input::<PagedDatasetArgs>,
        output::<GovernanceList>,
    ),
    read(
        "list_partitions",
        "governance",
        "List a dataset's partitions",
        "The dataset's partitions (data tags) with their status and rows. At most `limit`, \
         with the total.",
        input::<PagedDatasetArgs>,
        output::<GovernanceList>,
    ),
    read(
        "get_permissions",
        "governance",
        "Get who can see a dataset",
        "The users and groups with access to the dataset, and their access levels.",
        input::<PagedDatasetArgs>,
        output::<GovernanceList>,
    ),
    read(
        "list_row_policies",
        "governance",
        "List a dataset's row policies",
        "The dataset's row policies (PDP): who sees which rows, as filters on columns.",
        input::<PagedDatasetArgs>,
        output::<GovernanceList>,
    ),
    ToolDef {
        name: "create_dataset",
        toolset: "writes",
        access: Access::Write,
        title: "Create a dataset",
        description: "Creates an empty dataset with the given columns (types STRING, LONG, \
            DOUBLE, DECIMAL, DATE, DATETIME) and returns its id; load rows with upload_rows.",
        read_only: false,
        destructive: false,
        idempotent: false,
        open_world: false,
        input: input::<CreateArgs>,
        output: output::<CreatedReport>,
    },
    ToolDef {
        name: "update_dataset",
        toolset: "writes",
        access: Access::Write,
        title: "Update a dataset's name, description or tags",
        description: "Sets a dataset's name, description and/or tags (the tag list given \
            replaces the current one). The rows and columns are not touched.",
        read_only: false,
        destructive: false,
        idempotent: true,
        open_world: false,
        input: input::<UpdateArgs>,
        output: output::<UpdatedReport>,
    },
    ToolDef {
        name: "upload_rows",
        toolset: "writes",
        access: Access::Write,
        title: "Upload CSV rows into a dataset",
        description: "Loads CSV rows into a dataset: `mode` append adds them, `mode` replace \
            DELETES every current row first (destructive). The CSV is given inline (`csv`, up \
            to the server's inline limit) or as a file under a directory the server allows \
            (`path`). A header row naming the dataset's columns is detected. Reports the rows \
            sent and the rows Domo verified in the new data version.",
        read_only: false,
        destructive: true,
        idempotent: false,
        open_world: false,
        input: input::<UploadArgs>,
        output: output::<UploadedReport>,
    },
    ToolDef {
        name: "alter_schema",
        toolset: "writes",
        access: Access::Write,
        title: "Change a dataset's columns",
        description: "Adds, renames, retypes or drops columns and sets upsert keys; stored rows \
            are kept (a dropped column's values are lost). Without `confirm: true` nothing \
            changes: the reply is the column list before and after, to show the user; call \
            again with `confirm: true` to apply it.",
        read_only: false,
        destructive: true,
        idempotent: false,
        open_world: false,
        input: input::<AlterArgs>,
        output: output::<AlterReport>,
    },
    ToolDef {
        name: "delete_dataset",
        toolset: "writes",
        access: Access::Delete,
        title: "Delete a dataset",
        description: "Deletes a dataset for good, with its rows, versions, streams and \
            permissions. `confirm_name` must be the dataset's current name.",
        read_only: false,
        destructive: true,
        idempotent: true,
        open_world: false,
        input: input::<DeleteArgs>,
        output: output::<DeletedReport>,
    },
];

/// Every tool `tools/list` can describe, whatever the flags.
pub fn all_tools() -> Vec<Tool> {
    TOOLS.iter().map(ToolDef::tool).collect()
}

/// The tool named `name`, registered or not.
pub fn find(name: &str) -> Option<&'static ToolDef> {
    TOOLS.iter().find(|t| t.name == name)
}

/// The tools the flags register, in table order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolSelection {
    names: Vec<&'static str>,
}

impl ToolSelection {
    /// From `--toolsets` and `--tools` and the switches. Unknown names,
    /// and a write tool or the writes toolset named without its switch,
    /// are refused: a name the user typed never silently does nothing.
    pub fn parse(
        toolsets: &[String],
        tools: &[String],
        settings: &Settings,
    ) -> Result<ToolSelection, Failure> {
        let clean = |names: &[String]| -> Vec<String> {
            names
                .iter()
                .map(|n| n.trim().to_ascii_lowercase())
                .filter(|n| !n.is_empty())
                .collect()
        };
        let (toolsets, tools) = (clean(toolsets), clean(tools));
        let mut sets: Vec<&str> = vec!["context"];
        if toolsets.is_empty() && tools.is_empty() {
            sets.extend(DEFAULT_TOOLSETS);
        }
        for name in &toolsets {
            if name == "all" {
                sets.extend(TOOLSETS.iter().map(|(n, _)| *n));
                continue;
            }
            let Some((known, _)) = TOOLSETS.iter().find(|(n, _)| n == name) else {
                let names: Vec<&str> = TOOLSETS.iter().map(|(n, _)| *n).collect();
                return Err(Failure::usage(format!(
                    "--toolsets: no toolset `{name}` (there are {}, and all)",
                    names.join(", ")
                )));
            };
            if *known == "writes" && !settings.allow_writes {
                return Err(Failure::usage(
                    "--toolsets writes: the write tools need --allow-writes",
                ));
            }
            sets.push(known);
        }
        let mut named = Vec::new();
        for name in &tools {
            let Some(tool) = find(name) else {
                let names: Vec<&str> = TOOLS.iter().map(|t| t.name).collect();
                return Err(Failure::usage(format!(
                    "--tools: no tool `{name}` (there are {})",
                    names.join(", ")
                )));
            };
            match tool.access {
                Access::Write | Access::Delete if !settings.allow_writes => {
                    return Err(Failure::usage(format!(
                        "--tools {name}: a write tool, registered only with --allow-writes"
                    )));
                }
                Access::Delete if !settings.allow_delete => {
                    return Err(Failure::usage(format!(
                        "--tools {name}: registered only with --allow-writes --allow-delete"
                    )));
                }
                _ => named.push(tool.name),
            }
        }
        let allowed = |t: &ToolDef| match t.access {
            Access::Read => true,
            Access::Write => settings.allow_writes,
            Access::Delete => settings.allow_writes && settings.allow_delete,
        };
        let names = TOOLS
            .iter()
            .filter(|t| allowed(t) && (sets.contains(&t.toolset) || named.contains(&t.name)))
            .map(|t| t.name)
            .collect();
        Ok(ToolSelection { names })
    }

    /// The registered tools' names, in table order.
    pub fn names(&self) -> &[&'static str] {
        &self.names
    }

    /// Whether `name` is registered.
    pub fn contains(&self, name: &str) -> bool {
        self.names.contains(&name)
    }

    /// The registered tools.
    pub fn defs(&self) -> impl Iterator<Item = &'static ToolDef> + '_ {
        self.names.iter().filter_map(|n| find(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(writes: bool, delete: bool) -> Settings {
        Settings {
            max_rows: 1000,
            max_bytes: 50_000,
            max_inline_csv: 1_000_000,
            allow_paths: Vec::new(),
            fence_untrusted: false,
            allow_writes: writes,
            allow_delete: delete,
        }
    }

    fn pick(toolsets: &[&str], tools: &[&str], s: &Settings) -> Result<Vec<&'static str>, String> {
        let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        ToolSelection::parse(&owned(toolsets), &owned(tools), s)
            .map(|t| t.names().to_vec())
            .map_err(|f| f.describe().unwrap_or_default())
    }

    #[test]
    fn the_default_is_read_only_without_governance() {
        let names = pick(&[], &[], &settings(false, false)).unwrap();
        assert_eq!(
            names,
            [
                "check_connection",
                "list_datasets",
                "search_datasets",
                "get_dataset",
                "get_schema",
                "query_dataset",
                "preview_rows",
                "profile_columns"
            ]
        );
    }

    #[test]
    fn writes_need_their_switch_and_delete_its_own() {
        let names = pick(&[], &[], &settings(true, false)).unwrap();
        assert!(names.contains(&"upload_rows") && names.contains(&"alter_schema"));
        assert!(!names.contains(&"delete_dataset"));
        let names = pick(&[], &[], &settings(true, true)).unwrap();
        assert!(names.contains(&"delete_dataset"));
        let e = pick(&["writes"], &[], &settings(false, false)).unwrap_err();
        assert!(e.contains("--allow-writes"), "{e}");
        let e = pick(&[], &["delete_dataset"], &settings(true, false)).unwrap_err();
        assert!(e.contains("--allow-delete"), "{e}");
        let e = pick(&[], &["upload_rows"], &settings(false, false)).unwrap_err();
        assert!(e.contains("--allow-writes"), "{e}");
    }

    #[test]
    fn toolsets_and_tools_choose_and_unknown_names_are_refused() {
        let names = pick(&["governance"], &["get_schema"], &settings(false, false)).unwrap();
        assert_eq!(
            names,
            [
                "check_connection",
                "get_schema",
                "list_data_versions",
                "list_partitions",
                "get_permissions",
                "list_row_policies"
            ]
        );
        let names = pick(&[], &["query_dataset"], &settings(true, false)).unwrap();
        assert_eq!(names, ["check_connection", "query_dataset"]);
        let all = pick(&["all"], &[], &settings(true, true)).unwrap();
        assert_eq!(all.len(), TOOLS.len());
        let e = pick(&["dataset"], &[], &settings(false, false)).unwrap_err();
        assert!(
            e.contains("no toolset `dataset`") && e.contains("governance"),
            "{e}"
        );
        let e = pick(&[], &["drop_table"], &settings(false, false)).unwrap_err();
        assert!(
            e.contains("no tool `drop_table`") && e.contains("query_dataset"),
            "{e}"
        );
    }

    #[test]
    fn every_tool_sets_every_annotation_and_reads_are_read_only() {
        for tool in all_tools() {
            let a = tool.annotations.clone().unwrap();
            assert!(
                a.read_only_hint.is_some()
                    && a.destructive_hint.is_some()
                    && a.idempotent_hint.is_some()
                    && a.open_world_hint.is_some(),
                "{}",
                tool.name
            );
            let def = find(&tool.name).unwrap();
            assert_eq!(a.read_only_hint, Some(def.access == Access::Read));
            assert!(tool.output_schema.is_some(), "{}", tool.name);
        }
        let upload = find("upload_rows").unwrap();
        assert!(upload.destructive && !upload.idempotent);
    }
}
