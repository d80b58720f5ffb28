//! The flags of `domoctl mcp` after checking: what the agent may do and
//! how much one result may hold.

use std::path::PathBuf;

use crate::args::McpArgs;
use crate::failure::Failure;

/// Rows a query returns when its `max_rows` is not given.
pub const DEFAULT_MAX_ROWS: u64 = 100;

/// What the agent may do and how much one result may hold: the flags of
/// `domoctl mcp` after checking.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The most rows one result holds; a call's `max_rows` is capped here.
    pub max_rows: u64,
    /// The most bytes of row data one result holds.
    pub max_bytes: usize,
    /// The largest inline CSV `upload_rows` takes.
    pub max_inline_csv: usize,
    /// Directories (canonical) whose files `upload_rows` may read.
    pub allow_paths: Vec<PathBuf>,
    /// Wrap row data in markers telling the model not to follow it.
    pub fence_untrusted: bool,
    /// Whether the write tools may be registered.
    pub allow_writes: bool,
    /// Whether `delete_dataset` may be registered.
    pub allow_delete: bool,
}

impl Settings {
    /// The settings the flags give; each `--allow-path` must be a directory.
    pub fn from_args(args: &McpArgs) -> Result<Settings, Failure> {
        let mut allow_paths = Vec::with_capacity(args.allow_path.len());
        for dir in &args.allow_path {
            let canonical = std::fs::canonicalize(dir)
                .map_err(|e| Failure::usage(format!("--allow-path {}: {e}", dir.display())))?;
            if !canonical.is_dir() {
                return Err(Failure::usage(format!(
                    "--allow-path {}: not a directory",
                    dir.display()
                )));
            }
            allow_paths.push(canonical);
        }
        Ok(Settings {
            max_rows: args.max_rows,
            max_bytes: args.max_bytes,
            max_inline_csv: args.max_inline_csv,
            allow_paths,
            fence_untrusted: args.fence_untrusted,
            allow_writes: args.allow_writes,
            allow_delete: args.allow_delete,
        })
    }
}
