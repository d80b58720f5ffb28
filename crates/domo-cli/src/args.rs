//! The command tree (clap derive) and the parsers of argument values.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use domo_core::Secret;
use domo_native::model::permissions::AccessLevel;
use domo_native::model::schema::{Column, ColumnType};

pub use crate::access_args::{
    LogoutArgs, PdpCommand, PolicySpec, ProfileCommand, Rule, Shell, TokenCommand,
};
use crate::units::{parse_duration, parse_size};

#[cfg(feature = "emulator")]
const LONG_ABOUT: &str = "Move data in and out of Domo datasets: upload, query, export, share.\n\n\
    Connect with DOMO_INSTANCE (or DOMO_BASE_URL) and DOMO_TOKEN in the environment,\n\
    or log in once with `domoctl login` (a profile; DOMO_PROFILE picks one).\n\
    Try it without a Domo instance: `domoctl demo` runs a tour on a local emulator.";
#[cfg(not(feature = "emulator"))]
const LONG_ABOUT: &str = "Move data in and out of Domo datasets: upload, query, export, share.\n\n\
    Connect with DOMO_INSTANCE (or DOMO_BASE_URL) and DOMO_TOKEN in the environment.\n\
    This build has no embedded emulator (`emulator` and `demo` are in a build\n\
    with the default features); point DOMO_BASE_URL at a `domo-emulator` to try it locally.";

#[derive(Debug, Parser)]
#[command(
    name = "domoctl",
    version,
    about = "Move data in and out of Domo datasets: upload, query, export, share",
    long_about = LONG_ABOUT,
    propagate_version = true,
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Datasets: metadata, schema, creation, versions, tags, rows, index
    Dataset {
        #[command(flatten)]
        conn: ConnectionArgs,
        #[command(flatten)]
        out: OutputArgs,
        #[command(subcommand)]
        command: DatasetCommand,
    },
    /// Run SQL against one dataset; the dataset is called `table` in the SQL
    Query(QueryArgs),
    /// Upload a CSV file (or stdin) in parts, then commit it
    Upload(UploadArgs),
    /// Export a dataset as CSV to a file or stdout
    Export(ExportArgs),
    /// Who can see a dataset: list, share, revoke, remove
    #[command(visible_alias = "perm")]
    Permissions {
        #[command(flatten)]
        conn: ConnectionArgs,
        #[command(flatten)]
        out: OutputArgs,
        #[command(subcommand)]
        command: PermissionsCommand,
    },
    /// Partitions (data tags) of a dataset: list, search, delete
    Partitions {
        #[command(flatten)]
        conn: ConnectionArgs,
        #[command(flatten)]
        out: OutputArgs,
        #[command(subcommand)]
        command: PartitionsCommand,
    },
    /// Streams, which create and feed datasets: create, get, update, run, history, search
    Stream {
        #[command(flatten)]
        conn: ConnectionArgs,
        #[command(flatten)]
        out: OutputArgs,
        #[command(subcommand)]
        command: StreamCommand,
    },
    /// The user the token belongs to, and the instance
    Whoami {
        #[command(flatten)]
        conn: ConnectionArgs,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Row policies (PDP): who sees which rows of a dataset
    Pdp {
        #[command(flatten)]
        conn: ConnectionArgs,
        #[command(flatten)]
        out: OutputArgs,
        #[command(subcommand)]
        command: PdpCommand,
    },
    /// Access tokens: create, list, revoke
    Token {
        #[command(flatten)]
        conn: ConnectionArgs,
        #[command(flatten)]
        out: OutputArgs,
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Users (public API, client credentials): list, get, create, delete
    User {
        #[command(flatten)]
        conn: ConnectionArgs,
        #[command(flatten)]
        out: OutputArgs,
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Groups (public API, client credentials): list, get, create, delete, members, add, remove
    Group {
        #[command(flatten)]
        conn: ConnectionArgs,
        #[command(flatten)]
        out: OutputArgs,
        #[command(subcommand)]
        command: GroupCommand,
    },
    /// Log in with your email address and password (or a client id and secret: --client-id) and save it in a profile
    Login(LoginArgs),
    /// Forget a saved profile and its session
    Logout(LogoutArgs),
    /// Saved profiles (from `domoctl login`)
    Profile {
        #[command(subcommand)]
        command: ProfileCommand,
    },
    /// Print shell completions: `domoctl completions bash > /etc/bash_completion.d/domoctl`
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Serve Domo datasets to AI agents over the Model Context Protocol (stdio; --http for streamable HTTP)
    #[command(after_long_help = MCP_AFTER_HELP)]
    Mcp(McpArgs),
    /// Run the local Domo emulator (the same flags as `domo-emulator`)
    #[cfg(feature = "emulator")]
    Emulator(domo_emulator::cli::EmulatorArgs),
    /// A guided tour on an in-process emulator: create, upload, list, rename, upsert, query, export, share, delete
    #[cfg(feature = "emulator")]
    Demo(DemoArgs),
    /// Not in this build: run the local Domo emulator (needs the `emulator` feature)
    #[cfg(not(feature = "emulator"))]
    Emulator(WithoutEmulator),
    /// Not in this build: a guided tour on an in-process emulator (needs the `emulator` feature)
    #[cfg(not(feature = "emulator"))]
    Demo(WithoutEmulator),
}

/// The arguments of a command this build does not have: taken as they
/// come, so that the answer is [`crate::NO_EMULATOR`] rather than a complaint
/// about a flag.
#[cfg(not(feature = "emulator"))]
#[derive(Debug, Args)]
pub struct WithoutEmulator {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub args: Vec<String>,
}

/// Where Domo is and who is calling. Every value can come from the
/// environment; prefer it for the token.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Connection")]
pub struct ConnectionArgs {
    /// Domo instance: `acme` for `https://acme.domo.com`
    #[arg(long, env = "DOMO_INSTANCE", global = true, value_name = "NAME")]
    pub instance: Option<String>,

    /// A base URL instead of an instance: a proxy, or a local emulator (http://127.0.0.1:8787)
    #[arg(long, env = "DOMO_BASE_URL", global = true, value_name = "URL")]
    pub base_url: Option<String>,

    /// Developer token. Prefer the DOMO_TOKEN environment variable: command-line
    /// flags end up in shell history and process lists
    #[arg(
        long,
        env = "DOMO_TOKEN",
        hide_env_values = true,
        global = true,
        value_name = "TOKEN",
        value_parser = parse_secret
    )]
    pub token: Option<Secret>,

    /// OAuth client id of the public API (api.domo.com; with --base-url, a proxy or the emulator): commands then go through `/v1`
    #[arg(long, env = "DOMO_CLIENT_ID", global = true, value_name = "ID")]
    pub client_id: Option<String>,

    /// The client id's secret. Prefer the DOMO_CLIENT_SECRET environment variable: command-line
    /// flags end up in shell history and process lists
    #[arg(
        long,
        env = "DOMO_CLIENT_SECRET",
        hide_env_values = true,
        global = true,
        value_name = "SECRET",
        value_parser = parse_secret
    )]
    pub client_secret: Option<Secret>,

    /// The saved profile (`domoctl login`) to connect with; the environment and flags still win (default: `default`, when saved)
    #[arg(long, env = "DOMO_PROFILE", global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// Time limit of one attempt of one request (`30s`, `500ms`, `2m`)
    #[arg(long, global = true, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub timeout: Duration,

    /// Retries of a failed request (rate limits, 5xx, dropped connections) before giving up
    #[arg(long, global = true, value_name = "N")]
    pub max_retries: Option<u32>,

    /// Allow http:// to a host that is not loopback: the token then crosses the network in clear text
    #[arg(long, global = true)]
    pub allow_insecure_http: bool,
}

/// `domoctl user ...` (`/v1/users`).
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Every user: id, name, email, role
    #[command(visible_alias = "ls")]
    List,
    /// One user
    Get { user_id: String },
    /// Create a user
    Create {
        /// The user's name
        #[arg(long)]
        name: String,
        /// The user's email address
        #[arg(long)]
        email: String,
        /// Admin, Privileged, Editor, Participant or Social
        #[arg(long, default_value = "Participant")]
        role: String,
        /// Have Domo email the new user an invitation
        #[arg(long)]
        send_invite: bool,
    },
    /// Delete a user
    #[command(visible_alias = "rm")]
    Delete { user_id: String },
}

/// `domoctl group ...` (`/v1/groups`).
#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// Every group: id, name, members
    #[command(visible_alias = "ls")]
    List,
    /// One group
    Get { group_id: String },
    /// Create a group
    Create { name: String },
    /// Delete a group
    #[command(visible_alias = "rm")]
    Delete { group_id: String },
    /// The ids of a group's members
    Members { group_id: String },
    /// Add a user to a group
    Add { group_id: String, user_id: String },
    /// Remove a user from a group
    Remove { group_id: String, user_id: String },
}

/// `domoctl login`: where, who, and how the password comes.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Your email address (asked for on a terminal when not given)
    #[arg(long, value_name = "ADDRESS")]
    pub email: Option<String>,
    /// Read the password from stdin (one line) instead of asking on the terminal
    #[arg(long)]
    pub password_stdin: bool,
    /// With --client-id: read the client secret from stdin (one line) instead of asking on the terminal
    #[arg(long)]
    pub client_secret_stdin: bool,
    #[command(flatten)]
    pub conn: ConnectionArgs,
}

/// How results are printed: aligned tables by default.
#[derive(Debug, Clone, Copy, Args)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Print JSON (the API's objects) instead of a table
    #[arg(long, global = true, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV with a header row instead of a table
    #[arg(long, global = true)]
    pub csv: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaForm {
    /// `GET /api/data/v2/datasources/{id}/schemas/latest` (what real clients read)
    Latest,
    /// `GET /api/query/v1/datasources/{id}/schema/indexed` (the query engine's columns)
    Indexed,
    /// `GET /api/data/v3/datasources/{id}/schema` (the route the API documentation describes)
    #[value(alias = "seed")]
    Documented,
}

#[derive(Debug, Subcommand)]
pub enum DatasetCommand {
    /// List the datasets you can see: id, name, rows, columns, owner, last updated
    #[command(visible_alias = "ls")]
    List {
        /// Only datasets whose name matches TEXT (`*` is a wildcard; without one, TEXT may appear anywhere)
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        /// Only datasets owned by this user id
        #[arg(long, value_name = "ID")]
        owner: Option<String>,
        /// Show at most N datasets
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        limit: Option<u64>,
        /// With --search or --owner: ask the Domo UI's search route, which answers
        /// with whole datasets (`--json` prints every field) rather than search hits
        #[arg(long)]
        full: bool,
    },
    /// Show a dataset's metadata
    Get { id: String },
    /// Show a dataset's columns
    Schema {
        id: String,
        /// Which of the API's three schema routes to ask
        #[arg(long, value_enum, default_value_t = SchemaForm::Latest)]
        form: SchemaForm,
        /// With --form indexed: include hidden columns
        #[arg(long)]
        include_hidden: bool,
    },
    /// Create a dataset and print its id (only the id when stdout is not a terminal)
    Create {
        name: String,
        /// A column, NAME:TYPE with TYPE one of STRING LONG DOUBLE DECIMAL DATE DATETIME (repeat, in order)
        #[arg(long = "column", short = 'c', value_name = "NAME:TYPE", required = true, value_parser = parse_column)]
        columns: Vec<Column>,
        #[arg(long, short = 'd', default_value = "")]
        description: String,
        /// Create the dataset alone (`POST /api/data/v2/datasources`) instead of through
        /// an API-type stream; `upload --stream` then has no stream to use
        #[arg(long)]
        no_stream: bool,
    },
    /// Give a dataset a new name
    Rename { id: String, name: String },
    /// Give a dataset a new description
    Describe { id: String, text: String },
    /// Change the columns; stored rows are kept (an added column is empty in them)
    #[command(
        after_help = "Changes apply in the order --drop, --rename, --type, --add, --key, --no-key.         A type change that cannot convert a stored value is refused and nothing changes."
    )]
    Alter {
        id: String,
        /// Add a column at the end, NAME:TYPE (repeatable)
        #[arg(long, value_name = "NAME:TYPE", value_parser = parse_column)]
        add: Vec<Column>,
        /// Rename a column, OLD=NEW (repeatable)
        #[arg(long, value_name = "OLD=NEW", value_parser = parse_rename)]
        rename: Vec<(String, String)>,
        /// Change a column's type, NAME:TYPE (repeatable)
        #[arg(long = "type", value_name = "NAME:TYPE", value_parser = parse_column)]
        retype: Vec<Column>,
        /// Remove a column and its values (repeatable)
        #[arg(long, value_name = "NAME")]
        drop: Vec<String>,
        /// Make a column an upsert key: uploads with --upsert replace rows with the same key (repeatable)
        #[arg(long, value_name = "NAME")]
        key: Vec<String>,
        /// Stop a column being an upsert key (repeatable)
        #[arg(long, value_name = "NAME")]
        no_key: Vec<String>,
    },
    /// Delete a dataset with its rows, versions, streams and permissions
    Delete {
        id: String,
        /// Do not ask (needed when stdin is not a terminal)
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// List the dataset's data versions (one per committed upload)
    Versions { id: String },
    /// Show the dataset's tags, or replace them with TAG...
    Tags {
        id: String,
        /// The new tag set (replaces the old one); none given shows the tags
        tags: Vec<String>,
        /// Remove every tag
        #[arg(long, conflicts_with = "tags")]
        clear: bool,
    },
    /// Show rows (a page of the dataset, optionally filtered)
    Data {
        id: String,
        /// Rows to skip
        #[arg(long, value_name = "N")]
        offset: Option<u64>,
        /// Rows to show at most
        #[arg(long, value_name = "N")]
        limit: Option<u64>,
        /// Filter such as `region = east, amount > 10`
        #[arg(long, value_name = "FILTER")]
        filter: Option<String>,
    },
    /// Append one row, given as delimited values (`east,10.5`)
    AppendRow {
        id: String,
        values: String,
        #[arg(long, default_value_t = ',')]
        delimiter: char,
    },
    /// Index the dataset's data and wait until it is done
    Index {
        id: String,
        /// Time between two status checks
        #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_duration)]
        poll_interval: Duration,
        /// Give up waiting after this long
        #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = parse_duration)]
        wait: Duration,
    },
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The dataset
    pub id: String,
    /// SQL such as `SELECT region, SUM(amount) FROM table GROUP BY region`
    pub sql: String,
    /// Fetch every row, page by page (LIMIT/OFFSET), instead of one reply
    #[arg(long)]
    pub all: bool,
    /// Rows per page with --all
    #[arg(long, value_name = "N", default_value_t = 10_000, requires = "all")]
    pub page_size: u64,
    /// With --csv, read the JSON reply and write it as CSV even when the
    /// server offers its CSV route
    #[arg(long)]
    pub json_route: bool,
    #[command(flatten)]
    pub conn: ConnectionArgs,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HeaderArg {
    /// A first row that names the dataset's columns is a header
    Auto,
    /// The first row is a header; it must name the dataset's columns
    Yes,
    /// There is no header row
    No,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  domoctl upload DATASET sales.csv --append\n  \
    domoctl upload DATASET changes.csv --upsert\n  domoctl upload --stream 42 sales.csv"
)]
pub struct UploadArgs {
    /// The dataset (left out with --stream: `domoctl upload --stream SID FILE`)
    #[arg(value_name = "ID")]
    pub id: String,
    /// CSV file; `-` reads stdin
    pub file: Option<PathBuf>,
    /// Replace the dataset's rows (the default)
    #[arg(long, conflicts_with_all = ["append", "upsert"])]
    pub replace: bool,
    /// Add the rows to the dataset's rows
    #[arg(long, conflicts_with = "upsert")]
    pub append: bool,
    /// Add the rows, replacing stored rows with the same upsert key (see `dataset alter --key`)
    #[arg(long)]
    pub upsert: bool,
    /// Load through this stream's executions (the path of Domo's Java CLI and pydomo);
    /// the stream's update method decides what the load does
    #[arg(long, value_name = "SID", conflicts_with_all = ["replace", "append", "upsert", "partition"])]
    pub stream: Option<String>,
    /// Upload into this partition (data tag)
    #[arg(long, value_name = "TAG")]
    pub partition: Option<String>,
    /// Target size of one part (`32MB`, `8MiB`, `500kB`, bytes; default 32 MiB); parts end on record boundaries
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub part_size: Option<usize>,
    /// Parts in flight at once (default 4)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: Option<u16>,
    /// Compress parts with gzip on the way
    #[arg(long)]
    pub gzip: bool,
    /// Whether the file starts with a header row (which is not uploaded)
    #[arg(long, value_enum, default_value_t = HeaderArg::Auto)]
    pub header: HeaderArg,
    #[command(flatten)]
    pub conn: ConnectionArgs,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The dataset
    pub id: String,
    /// Write to FILE (replaced only once the export is complete; a device or pipe such as /dev/null is written in place) instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Leave out the header row
    #[arg(long)]
    pub no_header: bool,
    #[command(flatten)]
    pub conn: ConnectionArgs,
}

#[derive(Debug, Subcommand)]
pub enum PermissionsCommand {
    /// List who has access and at which level
    List { id: String },
    /// Grant access: --user 7:CAN_EDIT --group 12:CAN_SHARE
    Share {
        id: String,
        /// USER_ID:LEVEL, LEVEL one of OWNER CO_OWNER CAN_EDIT CAN_SHARE (repeatable)
        #[arg(long = "user", value_name = "ID:LEVEL", value_parser = parse_grant)]
        users: Vec<Grant>,
        /// GROUP_ID:LEVEL (repeatable)
        #[arg(long = "group", value_name = "ID:LEVEL", value_parser = parse_grant)]
        groups: Vec<Grant>,
        /// Email the people it is shared with
        #[arg(long)]
        email: bool,
    },
    /// Revoke one user's access (`DELETE .../permissions/USER/{user}`)
    Revoke { id: String, user: String },
    /// Remove users from the dataset (one: `.../USERS/{user}`, several: `.../users`)
    Remove {
        id: String,
        #[arg(required = true, value_name = "USER")]
        users: Vec<String>,
    },
}

/// A principal id and the access level to grant it.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    pub id: String,
    pub level: AccessLevel,
}

#[derive(Debug, Subcommand)]
pub enum PartitionsCommand {
    /// List every partition (all pages), newest first
    List { id: String },
    /// Partitions whose fields equal the given values: `status=ACTIVE rowCount=10`
    Search {
        id: String,
        /// FIELD=VALUE conditions, all of which must hold
        #[arg(value_name = "FIELD=VALUE", value_parser = parse_condition)]
        conditions: Vec<(String, serde_json::Value)>,
        /// The filter as a JSON object instead (`{"status": "ACTIVE"}`)
        #[arg(long, value_name = "JSON", conflicts_with = "conditions")]
        filter: Option<String>,
    },
    /// Delete partitions: their data, then their tag
    Delete {
        id: String,
        #[arg(required = true, value_name = "PARTITION")]
        partitions: Vec<String>,
        /// Delete the data only and keep the tag
        #[arg(long)]
        data_only: bool,
    },
}

/// What a stream create or update says, from flags or a JSON file.
#[derive(Debug, Clone, Args)]
pub struct StreamSpec {
    /// Name of the dataset the stream feeds
    #[arg(long)]
    pub name: Option<String>,
    /// Description of that dataset
    #[arg(long)]
    pub description: Option<String>,
    /// A column, NAME:TYPE (repeat, in order)
    #[arg(long = "column", short = 'c', value_name = "NAME:TYPE", value_parser = parse_column)]
    pub columns: Vec<Column>,
    /// How runs apply data: APPEND or REPLACE
    #[arg(long, value_name = "METHOD", value_parser = ["APPEND", "REPLACE"], ignore_case = true)]
    pub update_method: Option<String>,
    /// The whole request (a StreamRequest) from a JSON file; `-` reads stdin
    #[arg(long, value_name = "FILE", conflicts_with_all = ["name", "description", "columns", "update_method"])]
    pub from_json: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum StreamCommand {
    /// Create a stream and the dataset it feeds
    Create(StreamSpec),
    /// Show a stream
    Get { stream_id: String },
    /// Change a stream (only the fields given)
    Update {
        stream_id: String,
        #[command(flatten)]
        spec: StreamSpec,
    },
    /// Start a manual run
    Run { stream_id: String },
    /// The stream's runs
    History { stream_id: String },
    /// The streams that feed a dataset
    Search { dataset_id: String },
}

/// What `domoctl mcp --help` says after the flags.
const MCP_AFTER_HELP: &str = "Read-only unless --allow-writes; delete_dataset also needs --allow-delete.\n\
    Credentials come from DOMO_INSTANCE/DOMO_BASE_URL and DOMO_TOKEN (or a profile), never from an agent.\n\
    Toolsets: context (check_connection, always), datasets, query, governance, writes; `all` for every one.\n\n\
    Claude Code:  claude mcp add domo --env DOMO_INSTANCE=acme --env DOMO_TOKEN=... -- domoctl mcp\n\
    Emulator:     DOMO_TOKEN=dev-token domoctl mcp --base-url http://127.0.0.1:8787";

/// `domoctl mcp`: where Domo is, how the server is reached, and what the
/// agent may do. Every limit has a default that keeps an agent's context
/// small; the switches that allow changes are off unless given.
#[derive(Debug, Clone, Args)]
pub struct McpArgs {
    #[command(flatten)]
    pub conn: ConnectionArgs,

    /// Serve streamable HTTP on ADDR (such as 127.0.0.1:8808) at /mcp instead of stdio
    #[arg(long, value_name = "ADDR", help_heading = "Transport")]
    pub http: Option<std::net::SocketAddr>,

    /// With --http: listen on an address that is not loopback. Needs a bearer token in
    /// DOMOCTL_MCP_BEARER_TOKEN, which every request must then send
    #[arg(long, requires = "http", help_heading = "Transport")]
    pub allow_remote: bool,

    /// Register the write tools: create_dataset, update_dataset, upload_rows, alter_schema
    #[arg(long, help_heading = "What the agent may do")]
    pub allow_writes: bool,

    /// Register delete_dataset too (with --allow-writes)
    #[arg(
        long,
        requires = "allow_writes",
        help_heading = "What the agent may do"
    )]
    pub allow_delete: bool,

    /// Toolsets to register, comma-separated: datasets, query, governance, writes, all
    /// [default: datasets,query,writes]
    #[arg(
        long,
        value_name = "NAMES",
        value_delimiter = ',',
        help_heading = "What the agent may do"
    )]
    pub toolsets: Vec<String>,

    /// Tools to register besides the toolsets', comma-separated (`get_schema,query_dataset`);
    /// with no --toolsets, only these and check_connection
    #[arg(
        long,
        value_name = "NAMES",
        value_delimiter = ',',
        help_heading = "What the agent may do"
    )]
    pub tools: Vec<String>,

    /// upload_rows may read CSV files under DIR (repeatable); without it, inline CSV only
    #[arg(long, value_name = "DIR", help_heading = "What the agent may do")]
    pub allow_path: Vec<PathBuf>,

    /// Most rows one query result may hold (a call's max_rows is capped here)
    #[arg(long, value_name = "N", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(1..=1_000_000), help_heading = "Limits")]
    pub max_rows: u64,

    /// Most bytes of row data one result may hold (`50000`, `64KiB`)
    #[arg(long, value_name = "SIZE", default_value = "50000", value_parser = parse_size, help_heading = "Limits")]
    pub max_bytes: usize,

    /// Largest inline CSV upload_rows accepts (`1MB`)
    #[arg(long, value_name = "SIZE", default_value = "1MB", value_parser = parse_size, help_heading = "Limits")]
    pub max_inline_csv: usize,

    /// Wrap row data in markers that tell the model not to follow instructions found in it
    #[arg(long, help_heading = "Limits")]
    pub fence_untrusted: bool,

    /// What is logged on stderr
    #[arg(long, value_enum, value_name = "LEVEL", default_value_t = LogLevel::Info, help_heading = "Transport")]
    pub log_level: LogLevel,
}

/// How much `domoctl mcp` logs on stderr (stdout carries the protocol).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogLevel {
    Error,
    Warn,
    /// Startup, each tool call and its outcome
    Info,
    /// Also every request to Domo and every protocol message
    Debug,
}

#[cfg(feature = "emulator")]
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Rows of generated sales data to upload
    #[arg(long, value_name = "N", default_value_t = 300_000, value_parser = clap::value_parser!(u64).range(1..=50_000_000))]
    pub rows: u64,
    /// Target size of one upload part
    #[arg(long, value_name = "SIZE", default_value = "4MB", value_parser = parse_size)]
    pub part_size: usize,
    /// Parts in flight at once
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
}

/// `--token` and `DOMO_TOKEN`: surrounding whitespace (a pasted newline)
/// is not part of a token.
pub fn parse_secret(s: &str) -> Result<Secret, String> {
    Ok(Secret::new(s.trim()))
}

/// `amount:DOUBLE` (the type in any case). Names may hold colons; the type
/// follows the last one.
pub fn parse_column(s: &str) -> Result<Column, String> {
    let (name, ty) = s
        .rsplit_once(':')
        .ok_or_else(|| format!("column `{s}`: expected NAME:TYPE, such as amount:DOUBLE"))?;
    let name = name.trim();
    if name.is_empty() {
        return Err(format!("column `{s}`: the name is empty"));
    }
    match ColumnType::parse(ty.trim()) {
        ColumnType::Other(other) => Err(format!(
            "column `{name}`: unknown type `{other}` (expected STRING, LONG, DOUBLE, DECIMAL, DATE or DATETIME)"
        )),
        kind => Ok(Column::new(name, kind)),
    }
}

/// `old=new`: a column rename. Names may hold `=`; the new name follows
/// the last one.
pub fn parse_rename(s: &str) -> Result<(String, String), String> {
    let (old, new) = s
        .rsplit_once('=')
        .ok_or_else(|| format!("`{s}`: expected OLD=NEW, such as amt=amount"))?;
    let (old, new) = (old.trim(), new.trim());
    if old.is_empty() || new.is_empty() {
        return Err(format!("`{s}`: both the old and the new name are needed"));
    }
    Ok((old.to_owned(), new.to_owned()))
}

/// `7:CAN_EDIT`.
pub fn parse_grant(s: &str) -> Result<Grant, String> {
    let (id, level) = s.rsplit_once(':').ok_or_else(|| {
        format!("`{s}`: expected ID:LEVEL, such as 7:CAN_EDIT (levels: OWNER, CO_OWNER, CAN_EDIT, CAN_SHARE)")
    })?;
    let id = id.trim();
    if id.is_empty() {
        return Err(format!("`{s}`: the id is empty"));
    }
    let level: AccessLevel = level.trim().parse()?;
    Ok(Grant {
        id: id.to_owned(),
        level,
    })
}

/// `rowCount=10`: numbers, booleans and null as JSON, anything else as text.
pub fn parse_condition(s: &str) -> Result<(String, serde_json::Value), String> {
    let (field, value) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: expected FIELD=VALUE, such as status=ACTIVE"))?;
    let field = field.trim();
    if field.is_empty() {
        return Err(format!("`{s}`: the field name is empty"));
    }
    let value = match serde_json::from_str::<serde_json::Value>(value.trim()) {
        Ok(
            v @ (serde_json::Value::Number(_)
            | serde_json::Value::Bool(_)
            | serde_json::Value::Null),
        ) => v,
        _ => serde_json::Value::String(value.to_owned()),
    };
    Ok((field.to_owned(), value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_tree_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn columns_parse_case_insensitively_and_name_the_bad_one() {
        let c = parse_column("amount:double").unwrap();
        assert_eq!((c.name.as_str(), c.kind), ("amount", ColumnType::Double));
        let c = parse_column("a:b:DateTime").unwrap();
        assert_eq!((c.name.as_str(), c.kind), ("a:b", ColumnType::DateTime));
        let e = parse_column("price:MONEY").unwrap_err();
        assert!(
            e.contains("`price`") && e.contains("MONEY") && e.contains("DECIMAL"),
            "{e}"
        );
        assert!(parse_column("price").unwrap_err().contains("NAME:TYPE"));
        assert!(parse_column(":LONG").unwrap_err().contains("name is empty"));
    }

    #[test]
    fn grants_and_conditions() {
        assert_eq!(
            parse_grant("7:can_edit").unwrap(),
            Grant {
                id: "7".into(),
                level: AccessLevel::CanEdit
            }
        );
        assert!(parse_grant("7").is_err());
        assert!(
            parse_grant("7:READ")
                .unwrap_err()
                .contains("unknown access level")
        );
        assert_eq!(
            parse_condition("rowCount=10").unwrap(),
            ("rowCount".to_owned(), serde_json::json!(10))
        );
        assert_eq!(
            parse_condition("partitionId=2024-01").unwrap(),
            ("partitionId".to_owned(), serde_json::json!("2024-01"))
        );
        assert!(parse_condition("nothing").is_err());
    }

    #[test]
    fn the_token_is_redacted_in_debug_output() {
        let cli =
            Cli::try_parse_from(["domoctl", "dataset", "get", "x", "--token", "s3cret-value"])
                .unwrap();
        assert!(!format!("{cli:?}").contains("s3cret-value"));
    }
}
