//! The router, and starting/stopping the server in-process.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};

use crate::api::{
    app, appdb, data, datasets, host, indexes, partitions, pdp, permissions, query, schema, search,
    services, streams, tags, tokens, uploads, users, versions,
};
use crate::app::AppSite;
use crate::clock::Clock;
use crate::demo::DEMO_DATASET_ID;
use crate::directory::{DEMO_TOKENS, GroupSpec, Password, UserSpec};
use crate::error::{ApiError, Error};
use crate::faults::{FaultSpec, Faults};
use crate::malformed::{GuardedListener, refuse_long_uris};
use crate::oauth::{Auth, ClientSpec, DEFAULT_TOKEN_TTL};
use crate::row_reply::DEFAULT_MAX_REPLY_BYTES;
use crate::state::{AppState, Inner};
use crate::store::{ADMIN_USER, Store};
/// Default `--max-body-bytes`: 512 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 512 * 1024 * 1024;
/// Default time limit of one query: 30 s.
pub const DEFAULT_QUERY_TIMEOUT: Duration = Duration::from_secs(30);
/// Default `--max-value-bytes`: 16 MiB.
pub const DEFAULT_MAX_VALUE_BYTES: usize = crate::store::DEFAULT_MAX_VALUE_BYTES;
/// The token accepted when none is configured, for user 1.
pub const DEFAULT_TOKEN: &str = "dev-token";

/// How to run an emulator. Fields are public; `Default` gives an in-memory
/// server on 127.0.0.1:8787 with token `dev-token` for user 1.
#[derive(Clone)]
pub struct EmulatorConfig {
    /// Address to listen on; port 0 picks a free port.
    pub addr: SocketAddr,
    /// `(token, user id)` pairs. Empty means `dev-token` for user 1.
    /// User 1 is always an administrator.
    pub tokens: Vec<(String, i64)>,
    /// Users with an email address and a role (`--user`); users named only
    /// by a token are Editors (user 1 the Admin).
    pub users: Vec<UserSpec>,
    /// Login passwords by user id (`--password`).
    pub passwords: Vec<(i64, Password)>,
    /// Groups and their members (`--group`).
    pub groups: Vec<GroupSpec>,
    /// Keep all state in SQLite files in this directory (restored on
    /// restart); `None` keeps it in memory.
    pub data_dir: Option<PathBuf>,
    /// Create the demo dataset (`DEMO_DATASET_ID`) if it does not exist.
    pub demo: bool,
    /// Faults injected into `/api/*` requests.
    pub faults: FaultSpec,
    /// Seed of the fault PRNG: the same seed gives the same fault sequence.
    pub fault_seed: u64,
    /// Largest accepted request body (also the largest decompressed part).
    pub max_body_bytes: usize,
    /// Time limit of one query (SQL, `/data/v1`), reply included: a reply
    /// still being read when it passes ends with an error.
    pub query_timeout: Duration,
    /// Largest reply of one streamed query (SQL, `/data` as JSON); a reply
    /// that passes it ends with an error, never a shorter result.
    pub max_reply_bytes: u64,
    /// Largest string or blob one query may make (SQLite's length limit).
    pub max_value_bytes: usize,
    /// Serve the Domo custom app in this directory (`index.html`,
    /// `manifest.json`, assets): its files at `/`, its manifest's dataset
    /// aliases at `/data/v1|v2/{alias}` and `/sql/v1/{alias}`, its AppDB
    /// collections at `/domo/datastores/v1`, a Domo page framing it at `/page`.
    pub app_dir: Option<PathBuf>,
    /// The first month of the fiscal year (1 = January, the default), for
    /// the Data API's `calendar=fiscal`.
    pub fiscal_year_start: u32,
    /// OAuth clients of the public API (`/oauth/token`, `/v1/...`); each
    /// acts as its user, who joins the registry like a `--token` user.
    pub clients: Vec<ClientSpec>,
    /// How long a public-API access token lives (whole seconds, at least 1).
    pub token_ttl: Duration,
    /// The clock of every timestamp, expiry and time limit: the system's
    /// by default, shifted with `--now`/`--clock-offset`, or a
    /// [`ManualClock`](crate::ManualClock) that tests advance.
    pub clock: Clock,
    /// How often `syncEnabled` AppDB collections are exported to their
    /// datasets (15 minutes, as in Domo).
    pub appdb_sync_interval: Duration,
}

/// Token values are secrets: `Debug` shows only whose they are.
impl std::fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("addr", &self.addr)
            .field(
                "tokens",
                &crate::directory::redacted_tokens(self.tokens.iter().map(|(_, u)| u)),
            )
            .field("users", &self.users)
            .field("passwords", &self.passwords)
            .field("groups", &self.groups)
            .field("data_dir", &self.data_dir)
            .field("demo", &self.demo)
            .field("faults", &self.faults)
            .field("fault_seed", &self.fault_seed)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("query_timeout", &self.query_timeout)
            .field("max_reply_bytes", &self.max_reply_bytes)
            .field("max_value_bytes", &self.max_value_bytes)
            .field("app_dir", &self.app_dir)
            .field("fiscal_year_start", &self.fiscal_year_start)
            .field("clients", &self.clients)
            .field("token_ttl", &self.token_ttl)
            .field("clock", &self.clock)
            .field("appdb_sync_interval", &self.appdb_sync_interval)
            .finish()
    }
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 8787)),
            tokens: Vec::new(),
            users: Vec::new(),
            passwords: Vec::new(),
            groups: Vec::new(),
            data_dir: None,
            demo: false,
            faults: FaultSpec::default(),
            fault_seed: 0,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            query_timeout: DEFAULT_QUERY_TIMEOUT,
            max_reply_bytes: DEFAULT_MAX_REPLY_BYTES,
            max_value_bytes: DEFAULT_MAX_VALUE_BYTES,
            app_dir: None,
            fiscal_year_start: 1,
            clients: Vec::new(),
            token_ttl: DEFAULT_TOKEN_TTL,
            clock: Clock::system(),
            appdb_sync_interval: crate::app::sync::DEFAULT_SYNC_INTERVAL,
        }
    }
}

impl EmulatorConfig {
    /// A config listening on 127.0.0.1 with a free port, as tests want.
    pub fn ephemeral() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            ..Self::default()
        }
    }

    /// Adds a token for a user.
    pub fn with_token(mut self, token: impl Into<String>, user_id: i64) -> Self {
        self.tokens.push((token.into(), user_id));
        self
    }

    /// Adds an OAuth client of the public API acting as `user_id`, with
    /// every scope.
    pub fn with_client(
        mut self,
        id: impl Into<String>,
        secret: impl Into<String>,
        user_id: i64,
    ) -> Self {
        self.clients.push(ClientSpec {
            id: id.into(),
            secret: Password::new(secret),
            user_id,
            scopes: None,
        });
        self
    }
}

/// A running emulator. Dropping it stops the server (without waiting).
#[derive(Debug)]
pub struct RunningEmulator {
    url: String,
    addr: SocketAddr,
    demo_dataset_id: Option<String>,
    serves_app: bool,
    /// `(collection, dataset id)` of the manifest's `syncEnabled` collections.
    synced_collections: Vec<(String, String)>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    /// The AppDB export timer, stopped with the server.
    timer: Option<tokio::task::JoinHandle<()>>,
}

impl RunningEmulator {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The demo dataset's id when started with `demo`.
    pub fn demo_dataset_id(&self) -> Option<&str> {
        self.demo_dataset_id.as_deref()
    }

    /// Whether a custom app (`app_dir`) is served at `/`.
    pub fn serves_app(&self) -> bool {
        self.serves_app
    }

    /// The manifest's `syncEnabled` AppDB collections and the id of the
    /// dataset each exports to.
    pub fn synced_collections(&self) -> &[(String, String)] {
        &self.synced_collections
    }

    /// Stops accepting connections and waits (up to 10 s) for in-flight
    /// requests to finish.
    pub async fn shutdown(mut self) {
        if let Some(timer) = self.timer.take() {
            timer.abort();
        }
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(10), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }

    /// Serves until `signal` completes, then shuts down gracefully. Returns
    /// early with the error if the server fails first.
    pub async fn shutdown_on(mut self, signal: impl Future<Output = ()>) -> Result<(), Error> {
        let Some(mut task) = self.task.take() else {
            return Ok(());
        };
        tokio::select! {
            ended = &mut task => {
                return match ended {
                    Ok(r) => r.map_err(Error::Serve),
                    Err(e) => Err(Error::Serve(std::io::Error::other(e.to_string()))),
                };
            }
            () = signal => {}
        }
        self.task = Some(task);
        self.shutdown().await;
        Ok(())
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        if let Some(timer) = self.timer.take() {
            timer.abort();
        }
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The path as the client sent it, before `trim_trailing_slash`.
#[derive(Debug, Clone)]
struct SentPath(String);

/// Paths as real servers take them: `/x/` is `/x` (pydomo writes its
/// collection URLs with a slash, domolibrary asks for `.../filter-groups/`).
/// THE one rewrite, before any route is matched, so every route answers
/// both ways and none needs a copy. The path as sent stays with the
/// request for the app's files, where `/dir/` and `/dir` differ (relative
/// links resolve from the slash).
async fn trim_trailing_slash(mut req: Request) -> Request {
    let path = req.uri().path();
    let trimmed = path.trim_end_matches('/');
    if trimmed.len() == path.len() || trimmed.is_empty() {
        return req;
    }
    let sent = SentPath(path.to_owned());
    let mut parts = req.uri().clone().into_parts();
    let rest = match req.uri().query() {
        Some(q) => format!("{trimmed}?{q}"),
        None => trimmed.to_owned(),
    };
    // A path that was valid stays valid with fewer characters.
    if let Ok(pq) = rest.parse() {
        parts.path_and_query = Some(pq);
        if let Ok(uri) = axum::http::Uri::from_parts(parts) {
            *req.uri_mut() = uri;
            req.extensions_mut().insert(sent);
        }
    }
    req
}

/// Unrouted requests: with an app, GET and HEAD outside `/api/` read its
/// files (by the path as sent); everything else is an unknown endpoint.
async fn fallback(State(state): State<AppState>, req: Request) -> Response {
    let path = req
        .extensions()
        .get::<SentPath>()
        .map_or(req.uri().path(), |s| s.0.as_str());
    if let Some(site) = state.app.as_ref().filter(|_| !path.starts_with("/api/")) {
        if req.method() == Method::GET || req.method() == Method::HEAD {
            return crate::app::files::serve(site, path).await;
        }
        return method_not_allowed(req).await.into_response();
    }
    ApiError::not_found(format!("no endpoint {} {}", req.method(), path)).into_response()
}

async fn method_not_allowed(req: Request) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{} is not allowed on {}", req.method(), req.uri().path()),
    )
}

/// Every route, behind the one path rewrite (`trim_trailing_slash`): the
/// outer router's middleware runs before the inner one matches a route.
pub(crate) fn router(state: AppState, faults: Arc<Faults>) -> Router {
    Router::new()
        .fallback_service(routes(state, faults))
        .layer(middleware::map_request(trim_trailing_slash))
}

fn routes(state: AppState, faults: Arc<Faults>) -> Router {
    const DS3: &str = "/api/data/v3/datasources/{id}";
    const Q1: &str = "/api/query/v1/datasources/{id}";
    let p = |base: &str, rest: &str| format!("{base}{rest}");
    Router::new()
        .route("/api/data/v1/streams", post(streams::create_stream))
        .route("/api/data/v1/streams/search", get(streams::search_streams))
        .route(
            "/api/data/v1/streams/{sid}",
            get(streams::get_stream).put(streams::update_stream),
        )
        .route(
            "/api/data/v1/streams/{sid}/executions",
            post(streams::run_stream),
        )
        .route(
            "/api/data/v1/streams/{sid}/executions/{eid}/part/{part}",
            put(streams::execution_part),
        )
        .route(
            "/api/data/v1/streams/{sid}/executions/{eid}/commit",
            put(streams::commit_execution),
        )
        .route(
            "/api/data/v1/streams/{sid}/executions/{eid}/abort",
            put(streams::abort_execution),
        )
        .route(
            "/api/data/v1/streams/{sid}/history/aggregate",
            get(streams::stream_history),
        )
        .route("/api/data/v3/datasources", get(datasets::list_datasets))
        .route(
            "/api/data/v2/datasources",
            post(datasets::create_dataset_without_stream),
        )
        .route(
            DS3,
            get(datasets::get_dataset).delete(datasets::delete_dataset),
        )
        .route(&p(DS3, "/properties"), put(datasets::set_properties))
        .route(
            "/api/data/v2/datasources/{id}/schemas",
            post(schema::alter_schema),
        )
        .route("/api/search/v1/query", post(search::search_datasets))
        .route(
            "/api/data/ui/v3/datasources/search",
            post(search::ui_search_datasets),
        )
        .route(&p(DS3, "/schema"), get(schema::get_schema))
        .route(
            "/api/data/v2/datasources/{id}/schemas/latest",
            get(schema::get_latest_schema),
        )
        .route(&p(Q1, "/schema/indexed"), get(schema::get_indexed_schema))
        .route(&p(DS3, "/data"), get(data::get_data))
        .route(
            "/api/data/v2/datasources/{id}/dataversions/latest",
            get(data::export_csv),
        )
        .route(
            &p(DS3, "/dataversions/details"),
            get(versions::list_data_versions),
        )
        .route(
            &p(DS3, "/uploads"),
            post(uploads::start_upload_or_append_row),
        )
        .route(
            &p(DS3, "/uploads/{upload}/parts/{part}"),
            put(uploads::upload_part),
        )
        .route(
            &p(DS3, "/uploads/{upload}/commit"),
            put(uploads::commit_upload),
        )
        .route(&p(DS3, "/permissions"), get(permissions::list_permissions))
        .route(&p(DS3, "/share"), post(permissions::share))
        .route(
            &p(DS3, "/permissions/USER/{user}"),
            delete(permissions::revoke_user),
        )
        .route(&p(DS3, "/USERS/{user}"), delete(permissions::remove_user))
        .route(&p(DS3, "/users"), delete(permissions::remove_users))
        .route(&p(DS3, "/indexes"), post(indexes::start_index))
        .route(
            &p(DS3, "/indexes/{index}/statuses"),
            get(indexes::index_status),
        )
        .route(
            "/api/data/ui/v3/datasources/{id}/tags",
            post(tags::set_tags),
        )
        .route(&p(Q1, "/partition"), get(partitions::list_partitions))
        // `list` and `search` are also valid partition names, so DELETE on
        // those paths still drops the partition of that name.
        .route(
            &p(Q1, "/partition/list"),
            post(partitions::list_partitions_page).delete(partitions::delete_partition_tag_list),
        )
        .route(
            &p(Q1, "/partition/search"),
            post(partitions::search_partitions).delete(partitions::delete_partition_tag_search),
        )
        .route(
            &p(Q1, "/partition/{pid}"),
            delete(partitions::delete_partition_tag),
        )
        .route(
            &p(Q1, "/tag/{pid}/data"),
            delete(partitions::delete_partition_data),
        )
        .route("/api/query/v1/execute/{id}", post(query::execute_query))
        .route(
            "/api/query/v1/execute/export/{id}",
            post(query::execute_export),
        )
        .route(
            "/api/query/v1/data-control/{id}",
            get(pdp::get_pdp).put(pdp::set_pdp),
        )
        .route(
            "/api/query/v1/data-control/{id}/filter-groups",
            get(pdp::list_policies).post(pdp::create_policy),
        )
        .route(
            "/api/query/v1/data-control/{id}/filter-groups/{pid}",
            get(pdp::get_policy)
                .put(pdp::update_policy)
                .delete(pdp::delete_policy),
        )
        .route(
            "/api/data/v1/accesstokens",
            get(tokens::list_access_tokens).post(tokens::create_access_token),
        )
        .route(
            "/api/data/v1/accesstokens/{id}",
            delete(tokens::revoke_access_token),
        )
        .route("/api/content/v2/authentication", post(users::login))
        .route("/api/content/v2/users/me", get(users::me))
        .route("/data/v1/{alias}", get(app::app_data))
        .route("/data/v2/{alias}", get(app::app_data))
        .route("/sql/v1/{alias}", post(app::app_sql))
        .merge(crate::public::routes())
        .merge(app_routes())
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.app.clone(),
            crate::app::session::refuse_product_api,
        ))
        .with_state(state)
        .layer(middleware::from_fn_with_state(
            faults,
            crate::faults::inject,
        ))
        .layer(middleware::from_fn(refuse_long_uris))
        .layer(middleware::from_fn(crate::cors::cors))
}

/// AppDB and the in-app services. The paths Domo's docs write with a
/// trailing slash (`collections/`, `documents/`) answer both ways, as
/// every path does (`trim_trailing_slash`).
fn app_routes() -> Router<AppState> {
    const DS: &str = "/domo/datastores/v1";
    const DOCS: &str = "/domo/datastores/v1/collections/{name}/documents";
    let collections = get(appdb::list_collections).post(appdb::create_collection);
    let documents = get(appdb::list_documents).post(appdb::create_document);
    Router::new()
        .route(&format!("{DS}/collections"), collections)
        .route(
            &format!("{DS}/collections/{{name}}"),
            get(appdb::get_collection)
                .put(appdb::update_collection)
                .delete(appdb::delete_collection),
        )
        .route(DOCS, documents)
        .route(&format!("{DOCS}/query"), post(appdb::query_documents))
        .route(&format!("{DOCS}/update"), put(appdb::update_documents))
        .route(
            &format!("{DOCS}/bulk"),
            post(appdb::bulk_create)
                .put(appdb::bulk_upsert)
                .delete(appdb::bulk_delete),
        )
        .route(
            &format!("{DOCS}/{{id}}"),
            get(appdb::get_document)
                .put(appdb::replace_document)
                .delete(appdb::delete_document),
        )
        .route(&format!("{DS}/export"), post(appdb::export))
        .route("/page", get(host::page))
        .route("/page/events", get(host::page_events))
        .route("/domo/environment/v1", get(services::environment))
        .route("/domo/users/v1", get(services::list_users))
        .route("/domo/users/v1/{id}", get(services::get_user))
        .route("/domo/groups/v1", get(services::list_groups))
        .route("/domo/groups/v1/{id}", get(services::get_group))
}

fn token_table(tokens: &[(String, i64)], demo: bool) -> Result<HashMap<String, i64>, Error> {
    let mut map = HashMap::new();
    if tokens.is_empty() {
        map.insert(DEFAULT_TOKEN.to_owned(), ADMIN_USER);
    }
    for (token, user) in tokens {
        if token.trim().is_empty() {
            return Err(Error::Config("a token must not be empty".to_owned()));
        }
        if *user < 1 {
            return Err(Error::Config(format!(
                "user id {user} for a token must be a positive integer"
            )));
        }
        if map
            .insert(token.trim().to_owned(), *user)
            .is_some_and(|u| u != *user)
        {
            // The value is not repeated: it is a secret.
            return Err(Error::Config(format!(
                "a token is given for two different users ({user} and another)"
            )));
        }
    }
    if demo {
        // The demo people's tokens, unless a configured token has the value.
        for (token, user) in DEMO_TOKENS {
            map.entry(token.to_owned()).or_insert(user);
        }
    }
    Ok(map)
}

/// Binds `config.addr` and serves on the current tokio runtime.
pub async fn start(config: EmulatorConfig) -> Result<RunningEmulator, Error> {
    let data_dir = config.data_dir.clone();
    let demo = config.demo;
    let timeout = config.query_timeout;
    let max_value_bytes = config.max_value_bytes;
    let clock = config.clock.clone();
    let store = tokio::task::spawn_blocking(move || -> Result<Store, Error> {
        let store = Store::open(data_dir.as_deref())
            .map_err(|e| Error::Storage(e.message))?
            .with_clock(clock)
            .with_query_timeout(timeout)
            .with_max_value_bytes(max_value_bytes);
        if demo {
            crate::demo::ensure_demo(&store)
                .map_err(|e| Error::Storage(format!("creating the demo dataset: {e}")))?;
        }
        Ok(store)
    })
    .await
    .map_err(|e| Error::Storage(format!("opening storage failed: {e}")))??;
    serve(config, Arc::new(store)).await
}

/// Serves `store` (already opened, and seeded with the demo dataset if
/// asked for) as `config` says.
pub(crate) async fn serve(
    config: EmulatorConfig,
    store: Arc<Store>,
) -> Result<RunningEmulator, Error> {
    let tokens = token_table(&config.tokens, config.demo)?;
    let public = Auth::new(&config.clients, config.token_ttl)?.with_clock(store.clock().clone());
    let people = crate::directory::directory(
        &config.users,
        &config.groups,
        &config.passwords,
        tokens.values().copied().chain(public.users()),
        config.demo,
    )?;
    store
        .run(move |s| s.install_directory(&people))
        .await
        .map_err(|e| Error::Config(e.message))?;
    if config.max_body_bytes == 0 {
        return Err(Error::Config(
            "max_body_bytes must be at least 1".to_owned(),
        ));
    }
    if config.max_reply_bytes == 0 || config.max_value_bytes == 0 {
        return Err(Error::Config(
            "max_reply_bytes and max_value_bytes must be at least 1".to_owned(),
        ));
    }
    if !(1..=12).contains(&config.fiscal_year_start) {
        return Err(Error::Config(format!(
            "fiscal_year_start must be a month number from 1 to 12, got {}",
            config.fiscal_year_start
        )));
    }
    if config.query_timeout.is_zero() || config.appdb_sync_interval.is_zero() {
        return Err(Error::Config(
            "query_timeout and appdb_sync_interval must be more than 0".to_owned(),
        ));
    }
    let app = match &config.app_dir {
        Some(dir) => {
            // The app session acts for the user of the first configured
            // token (user 1 without one).
            let user = config.tokens.first().map_or(ADMIN_USER, |(_, u)| *u);
            Some(Arc::new(AppSite::load(
                dir,
                user,
                config.fiscal_year_start,
            )?))
        }
        None => None,
    };
    let mut synced_collections = Vec::new();
    let mut timer = None;
    if let Some(site) = &app {
        let decls = site.manifest.collections.clone();
        let owner = site.session_user;
        store
            .run(move |s| s.appdb_install(&decls, owner))
            .await
            .map_err(|e| Error::Storage(format!("installing the AppDB collections: {e}")))?;
        synced_collections = site
            .manifest
            .collections
            .iter()
            .filter(|c| c.sync_enabled)
            .map(|c| (c.name.clone(), crate::store::appdb::dataset_id_of(&c.name)))
            .collect();
        let (ticks, _) = tokio::sync::watch::channel(0);
        timer = Some(tokio::spawn(crate::app::sync::export_timer(
            Arc::clone(&store),
            config.appdb_sync_interval,
            ticks,
        )));
    }
    let state_app = app.clone();
    let state: AppState = Arc::new(Inner {
        clock: store.clock().clone(),
        store,
        tokens,
        max_body_bytes: config.max_body_bytes,
        max_reply_bytes: config.max_reply_bytes,
        app,
        public,
    });
    let faults = Arc::new(Faults::new(config.faults.clone(), config.fault_seed));
    let app = router(state, faults);

    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(Error::Bind)?;
    let addr = listener.local_addr().map_err(Error::Bind)?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let site = state_app;
    let server = axum::serve(GuardedListener(listener), app).with_graceful_shutdown(async move {
        // Either an explicit shutdown or the handle being dropped.
        let _ = stopped.await;
        // The host page's event streams end, so no reply is left open.
        if let Some(site) = site {
            site.stopping.send_replace(true);
        }
    });
    let task = tokio::spawn(async move { server.await });
    Ok(RunningEmulator {
        url: format!("http://{addr}"),
        addr,
        demo_dataset_id: config.demo.then(|| DEMO_DATASET_ID.to_owned()),
        serves_app: config.app_dir.is_some(),
        synced_collections,
        stop: Some(stop),
        task: Some(task),
        timer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every route that returns rows goes through `Store::visible_rows`:
    /// with a rule that hides the `secret` rows, none of them shows one.
    #[tokio::test]
    async fn every_row_route_goes_through_visible_rows() {
        let store = Arc::new(Store::in_memory());
        crate::demo::ensure_demo(&store).unwrap();
        let dir =
            std::env::temp_dir().join(format!("domo-emulator-read-path-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "<html></html>").unwrap();
        std::fs::write(
            dir.join("manifest.json"),
            format!(r#"{{"mapping": [{{"alias": "demo", "dataSetId": "{DEMO_DATASET_ID}"}}]}}"#),
        )
        .unwrap();
        let east = store
            .execute_query(
                ADMIN_USER,
                DEMO_DATASET_ID,
                "SELECT COUNT(*) FROM table WHERE Region LIKE '%East%'",
            )
            .unwrap();
        assert_ne!(
            east.rows[0][0],
            crate::store::rows::Cell::Integer(0),
            "the demo has East rows"
        );
        // Hides `East` and `Far "East", Outer`; null regions stay visible.
        store.hide_rows_where("instr(\"Region\", 'East') > 0");
        let config = EmulatorConfig {
            app_dir: Some(dir.clone()),
            ..EmulatorConfig::ephemeral()
        };
        let emu = serve(config, store).await.unwrap();
        let http = reqwest::Client::new();
        let get = |path: String, accept: &'static str| {
            let req = http
                .get(format!("{}{path}", emu.url()))
                .header("x-domo-developer-token", DEFAULT_TOKEN)
                .header("accept", accept);
            async move {
                let r = req.send().await.unwrap();
                assert_eq!(r.status(), 200, "{path}");
                r.text().await.unwrap()
            }
        };
        let post = |path: String, body: String| {
            let req = http
                .post(format!("{}{path}", emu.url()))
                .header("x-domo-developer-token", DEFAULT_TOKEN)
                .header("content-type", "application/json")
                .body(body);
            async move {
                let r = req.send().await.unwrap();
                assert_eq!(r.status(), 200, "{path}");
                r.text().await.unwrap()
            }
        };
        let id = DEMO_DATASET_ID;
        let answers = [
            (
                "GetData",
                get(
                    format!("/api/data/v3/datasources/{id}/data?limit=1000"),
                    "*/*",
                )
                .await,
            ),
            (
                "GetDataCsv",
                get(
                    format!("/api/data/v3/datasources/{id}/data?format=csv"),
                    "*/*",
                )
                .await,
            ),
            (
                "ExportCsv",
                get(
                    format!("/api/data/v2/datasources/{id}/dataversions/latest"),
                    "text/csv",
                )
                .await,
            ),
            (
                "ExecuteQuery",
                post(
                    format!("/api/query/v1/execute/{id}"),
                    r#"{"sql": "SELECT Region FROM table"}"#.into(),
                )
                .await,
            ),
            (
                "AppData",
                get("/data/v1/demo?fields=Region".into(), "*/*").await,
            ),
            (
                "AppData CSV",
                get("/data/v1/demo?fields=Region".into(), "text/csv").await,
            ),
            (
                "AppData v2 envelope",
                get("/data/v2/demo?fields=Region".into(), "application/json").await,
            ),
            (
                "AppData grouped",
                get(
                    "/data/v2/demo?fields=Region,Units&groupby=Region".into(),
                    "*/*",
                )
                .await,
            ),
            (
                "AppSql",
                post(
                    "/sql/v1/demo".into(),
                    r#"{"sql": "SELECT Region FROM demo"}"#.into(),
                )
                .await,
            ),
        ];
        for (endpoint, body) in &answers {
            assert!(
                body.contains("North"),
                "{endpoint} shows the visible rows: {body:.200}"
            );
            assert!(!body.contains("East"), "{endpoint} shows a hidden row");
        }
        // Counts agree with the rule, not with the stored rows.
        let count = post(
            format!("/api/query/v1/execute/{id}"),
            r#"{"sql": "SELECT COUNT(*) FROM table WHERE Region LIKE '%East%'"}"#.into(),
        )
        .await;
        assert!(count.contains("[[0]]"), "{count}");
        emu.shutdown().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// `POST /domo/datastores/v1/export` while another export runs: 423,
    /// as Domo answers; once it ends, the export runs.
    #[tokio::test]
    // The test holds the export lock across the request on purpose: that
    // is the export running that the endpoint must see.
    #[allow(clippy::await_holding_lock)]
    async fn an_export_while_one_runs_is_locked() {
        let store = Arc::new(Store::in_memory());
        let dir =
            std::env::temp_dir().join(format!("domo-emulator-export-lock-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "<html></html>").unwrap();
        std::fs::write(
            dir.join("manifest.json"),
            r#"{"collections": [{"name": "notes", "syncEnabled": true,
                "schema": {"columns": [{"name": "text", "type": "STRING"}]}}]}"#,
        )
        .unwrap();
        let config = EmulatorConfig {
            app_dir: Some(dir.clone()),
            ..EmulatorConfig::ephemeral()
        };
        let emu = serve(config, Arc::clone(&store)).await.unwrap();
        let export = || {
            reqwest::Client::new()
                .post(format!("{}/domo/datastores/v1/export", emu.url()))
                .header("x-domo-developer-token", DEFAULT_TOKEN)
                .send()
        };
        let running = store.appdb_export_lock().unwrap();
        let r = export().await.unwrap();
        assert_eq!(r.status(), 423);
        let body: serde_json::Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("already running"),
            "{body}"
        );
        drop(running);
        let r = export().await.unwrap();
        assert_eq!(r.status(), 200);
        let body: serde_json::Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
        assert_eq!(body["exported"][0]["collection"], "notes");
        emu.shutdown().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
