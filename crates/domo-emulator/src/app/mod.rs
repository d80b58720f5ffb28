//! Serving a Domo custom app (`--app DIR`): its manifest (`manifest`),
//! its static files (`files`) and the app session its pages carry
//! (`session`). The routes the app calls (`/data/v1|v2`, `/sql/v1`, AppDB,
//! the services, the host page) live in `api::app`, `api::appdb`,
//! `api::services` and `api::host`.

pub(crate) mod files;
pub(crate) mod formats;
pub(crate) mod manifest;
pub(crate) mod session;
pub(crate) mod sync;

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::store::UserId;
pub(crate) use manifest::Manifest;

/// A validated app directory and the app session its pages get.
pub(crate) struct AppSite {
    /// Canonical (symlinks resolved), so served paths can be checked against it.
    pub root: PathBuf,
    pub manifest: Manifest,
    /// The app session id: injected as `window.__RYUU_SID__` into HTML
    /// pages and set as the `ryuu_sid` cookie. Random per start.
    pub session_token: String,
    /// Whom the app session acts for (the viewer of the app).
    pub session_user: UserId,
    /// The first month of the fiscal year (`--fiscal-year-start`).
    pub fiscal_start: u32,
    /// Set when the server stops, so the host page's event streams end
    /// (a graceful shutdown waits for open replies).
    pub stopping: tokio::sync::watch::Sender<bool>,
}

/// The session token is a secret: `Debug` leaves it out.
impl std::fmt::Debug for AppSite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppSite")
            .field("root", &self.root)
            .field("manifest", &self.manifest)
            .field("session_token", &"[redacted]")
            .field("session_user", &self.session_user)
            .field("fiscal_start", &self.fiscal_start)
            .finish()
    }
}

impl AppSite {
    /// Checks `dir` at startup: it exists, has `index.html`, and a
    /// `manifest.json` that parses. Mapped datasets are looked up per request,
    /// since they may be created after startup. The app session acts for
    /// `session_user`; fiscal years start in month `fiscal_start`.
    pub fn load(dir: &Path, session_user: UserId, fiscal_start: u32) -> Result<Self, Error> {
        let bad = |what: String| Error::Config(format!("--app {}: {what}", dir.display()));
        let root = std::fs::canonicalize(dir).map_err(|e| bad(format!("cannot open it: {e}")))?;
        if !root.is_dir() {
            return Err(bad("is not a directory".to_owned()));
        }
        if !root.join("index.html").is_file() {
            return Err(bad("has no index.html".to_owned()));
        }
        let manifest_path = root.join("manifest.json");
        if !manifest_path.is_file() {
            return Err(bad("has no manifest.json".to_owned()));
        }
        let bytes = std::fs::read(&manifest_path)
            .map_err(|e| bad(format!("cannot read manifest.json: {e}")))?;
        let manifest =
            Manifest::parse(&bytes).map_err(|e| bad(format!("manifest.json is invalid: {e}")))?;
        let session_token =
            session::new_session_id().map_err(|e| bad(format!("cannot make a session id: {e}")))?;
        Ok(Self {
            root,
            manifest,
            session_token,
            session_user,
            fiscal_start,
            stopping: tokio::sync::watch::Sender::new(false),
        })
    }
}
