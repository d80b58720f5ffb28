//! Serving a Domo custom app (`--app DIR`): its manifest, which maps
//! dataset aliases to datasets, and its static files. The data routes the
//! app calls (`/data/v1`, `/sql/v1`) live in `api::app`.

pub(crate) mod files;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Error;
use crate::store::is_stored_table;

/// One field of a mapping: the app's name for a dataset column.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FieldAlias {
    pub alias: String,
    pub column_name: String,
}

/// A dataset the app reaches as `/data/v1/{alias}` and `/sql/v1/{alias}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Mapping {
    pub alias: String,
    pub data_set_id: String,
    /// Empty (or missing): every column, under its own name.
    #[serde(default)]
    pub fields: Vec<FieldAlias>,
}

/// The part of `manifest.json` the emulator uses; other keys (name,
/// version, size, fullpage, collections, ...) are accepted and ignored.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Manifest {
    #[serde(default)]
    pub mapping: Vec<Mapping>,
}

impl Manifest {
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let de = &mut serde_json::Deserializer::from_slice(bytes);
        let manifest: Manifest = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if path == "." || path.is_empty() {
                inner.to_string()
            } else {
                format!("at `{path}`: {inner}")
            }
        })?;
        manifest.check()?;
        Ok(manifest)
    }

    /// Aliases must be unique and usable as a path segment and as an SQL
    /// name that cannot shadow one of the emulator's own tables.
    fn check(&self) -> Result<(), String> {
        let mut aliases = HashSet::new();
        for (i, m) in self.mapping.iter().enumerate() {
            let at = format!("mapping[{i}]");
            if m.alias.trim().is_empty() || m.alias.trim() != m.alias {
                return Err(format!(
                    "{at}.alias `{}` must be non-empty without surrounding spaces",
                    m.alias
                ));
            }
            if m.alias.contains(['/', '\\', '?', '#', '%']) {
                return Err(format!(
                    "{at}.alias `{}` must not contain / \\ ? # or %",
                    m.alias
                ));
            }
            if is_stored_table(&m.alias) {
                return Err(format!(
                    "{at}.alias `{}` is reserved (it names one of the emulator's tables)",
                    m.alias
                ));
            }
            if !aliases.insert(m.alias.to_ascii_lowercase()) {
                return Err(format!(
                    "{at}.alias `{}` is used twice (aliases are compared ignoring case, as SQL names are)",
                    m.alias
                ));
            }
            if m.data_set_id.trim().is_empty() {
                return Err(format!("{at}.dataSetId is empty"));
            }
            let mut fields = HashSet::new();
            for (j, f) in m.fields.iter().enumerate() {
                if f.alias.trim().is_empty() || f.column_name.is_empty() {
                    return Err(format!(
                        "{at}.fields[{j}]: alias and columnName must be non-empty"
                    ));
                }
                if !fields.insert(f.alias.as_str()) {
                    return Err(format!(
                        "{at}.fields[{j}].alias `{}` is used twice in alias `{}`",
                        f.alias, m.alias
                    ));
                }
            }
        }
        Ok(())
    }

    pub fn mapping(&self, alias: &str) -> Option<&Mapping> {
        self.mapping.iter().find(|m| m.alias == alias)
    }
}

/// A validated app directory and the session token its pages get.
pub(crate) struct AppSite {
    /// Canonical (symlinks resolved), so served paths can be checked against it.
    pub root: PathBuf,
    pub manifest: Manifest,
    /// Injected as `window.__RYUU_SID__` into HTML pages.
    pub session_token: String,
}

/// The session token is a secret: `Debug` leaves it out.
impl std::fmt::Debug for AppSite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppSite")
            .field("root", &self.root)
            .field("manifest", &self.manifest)
            .field("session_token", &"[redacted]")
            .finish()
    }
}

impl AppSite {
    /// Checks `dir` at startup: it exists, has `index.html`, and a
    /// `manifest.json` that parses. Mapped datasets are looked up per request,
    /// since they may be created after startup.
    pub fn load(dir: &Path, session_token: String) -> Result<Self, Error> {
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
        Ok(Self {
            root,
            manifest,
            session_token,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_manifest_and_ignores_unknown_keys() {
        let m = Manifest::parse(
            br#"{"name":"A","version":"1.0.0","size":{"width":2,"height":2},
                "mapping":[{"alias":"sales","dataSetId":"x","fields":[{"alias":"r","columnName":"Region"}]},
                           {"alias":"all","dataSetId":"y"}]}"#,
        )
        .unwrap();
        assert_eq!(m.mapping("sales").unwrap().fields[0].column_name, "Region");
        assert!(m.mapping("all").unwrap().fields.is_empty());
        assert!(m.mapping("ALL").is_none());
    }

    #[test]
    fn rejects_bad_manifests_with_the_place() {
        for (json, needle) in [
            (r#"{"mapping": 3}"#, "mapping"),
            (r#"{"mapping":[{"alias":"a"}]}"#, "dataSetId"),
            (
                r#"{"mapping":[{"alias":"a","dataSetId":"x"},{"alias":"A","dataSetId":"y"}]}"#,
                "used twice",
            ),
            (
                r#"{"mapping":[{"alias":"datasets","dataSetId":"x"}]}"#,
                "reserved",
            ),
            (
                r#"{"mapping":[{"alias":"sqlite_master","dataSetId":"x"}]}"#,
                "reserved",
            ),
            (
                r#"{"mapping":[{"alias":"a/b","dataSetId":"x"}]}"#,
                "must not",
            ),
            (
                r#"{"mapping":[{"alias":"a","dataSetId":"x","fields":[{"alias":"f","columnName":"A"},{"alias":"f","columnName":"B"}]}]}"#,
                "fields[1].alias",
            ),
            ("{", "EOF"),
        ] {
            let e = Manifest::parse(json.as_bytes()).unwrap_err();
            assert!(e.contains(needle), "{json}: {e}");
        }
    }
}
