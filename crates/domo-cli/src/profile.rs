//! Saved profiles: where a `domoctl login` session goes (the instance or
//! base URL, the kind of token and the token) so that later commands can
//! use it. One JSON file, `$XDG_CONFIG_HOME/domoctl/profiles.json`
//! (`~/.config/domoctl/profiles.json` without it): JSON because the CLI
//! already reads and writes it (no TOML crate for a file no one edits by
//! hand). The file is created readable by its owner only (0600), and a
//! file others may read is refused, as ssh refuses a key anyone can read.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use domo_core::secret::ClientCredentials;
use domo_core::{Credentials, Secret};
use serde::{Deserialize, Serialize};

use crate::failure::Failure;

/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "default";

/// How a profile's token authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    /// `X-DOMO-Authentication` (from `domoctl login`).
    Session,
    /// `X-DOMO-Developer-Token`.
    Developer,
    /// OAuth client credentials of the public API: the token is the
    /// client secret, the profile's `client_id` its id.
    Client,
}

impl TokenKind {
    pub fn name(self) -> &'static str {
        match self {
            TokenKind::Session => "session",
            TokenKind::Developer => "developer token",
            TokenKind::Client => "client credentials",
        }
    }
}

/// One saved profile. The token is a [`Secret`]: `Debug` prints
/// `[redacted]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub instance: Option<String>,
    pub base_url: Option<String>,
    pub token_kind: TokenKind,
    pub token: Secret,
    pub email: Option<String>,
    pub user_id: Option<String>,
    /// The OAuth client id, for [`TokenKind::Client`].
    pub client_id: Option<String>,
}

impl Profile {
    /// The instance or base URL, as given.
    pub fn location(&self) -> &str {
        self.instance
            .as_deref()
            .or(self.base_url.as_deref())
            .unwrap_or(match self.token_kind {
                TokenKind::Client => "api.domo.com",
                _ => "",
            })
    }

    pub fn credentials(&self) -> Credentials {
        match self.token_kind {
            TokenKind::Session => Credentials::SessionToken(self.token.clone()),
            TokenKind::Developer => Credentials::DeveloperToken(self.token.clone()),
            TokenKind::Client => Credentials::Client(ClientCredentials::new(
                self.client_id.clone().unwrap_or_default(),
                self.token.expose(),
            )),
        }
    }
}

/// The file's form. Private and without `Debug`, the one place the token
/// is text.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stored {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    instance: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    base_url: Option<String>,
    token_kind: TokenKind,
    token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
}

#[derive(Serialize, Deserialize, Default)]
struct File {
    profiles: BTreeMap<String, Stored>,
}

/// The profiles file and what it holds.
#[derive(Debug)]
pub struct Profiles {
    pub path: PathBuf,
    pub profiles: BTreeMap<String, Profile>,
}

/// `$XDG_CONFIG_HOME/domoctl/profiles.json`, or under `~/.config`.
pub fn path() -> Result<PathBuf, Failure> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".config"))
        })
        .ok_or_else(|| {
            Failure::usage(
                "cannot tell where to keep profiles: neither XDG_CONFIG_HOME nor HOME is set",
            )
        })?;
    Ok(base.join("domoctl").join("profiles.json"))
}

impl Profiles {
    /// Read the profiles file; none yet is no profile. A file others may
    /// read is refused.
    pub fn load() -> Result<Profiles, Failure> {
        Profiles::load_from(path()?)
    }

    pub fn load_from(path: PathBuf) -> Result<Profiles, Failure> {
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Profiles {
                    path,
                    profiles: BTreeMap::new(),
                });
            }
            Err(e) => return Err(Failure::io(format!("cannot read {}", path.display()), e)),
        };
        check_private(&path)?;
        let file: File = serde_json::from_str(&text).map_err(|e| {
            // The error's position, not its text: it could quote a token.
            Failure::usage(format!(
                "{} is not a profiles file domoctl can read (line {}, column {}): fix it or remove it and log in again",
                path.display(),
                e.line(),
                e.column()
            ))
        })?;
        let profiles = file
            .profiles
            .into_iter()
            .map(|(name, s)| {
                let p = Profile {
                    instance: s.instance,
                    base_url: s.base_url,
                    token_kind: s.token_kind,
                    token: Secret::new(s.token),
                    email: s.email,
                    user_id: s.user_id,
                    client_id: s.client_id,
                };
                (name, p)
            })
            .collect();
        Ok(Profiles { path, profiles })
    }

    /// Write the file: a new file created 0600 in the same folder, then
    /// renamed over the old one, so a crash leaves the old file whole.
    pub fn save(&self) -> Result<(), Failure> {
        let file = File {
            profiles: self
                .profiles
                .iter()
                .map(|(name, p)| {
                    let s = Stored {
                        instance: p.instance.clone(),
                        base_url: p.base_url.clone(),
                        token_kind: p.token_kind,
                        token: p.token.expose().to_owned(),
                        email: p.email.clone(),
                        user_id: p.user_id.clone(),
                        client_id: p.client_id.clone(),
                    };
                    (name.clone(), s)
                })
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&file)
            .map_err(|e| Failure::Io(format!("cannot encode the profiles: {e}")))?;
        text.push('\n');
        let dir = self.path.parent().unwrap_or(Path::new("."));
        create_private_dir(dir)?;
        let tmp = dir.join(format!(".profiles.json.{}.tmp", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut f = private_file(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            std::fs::rename(&tmp, &self.path)
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Failure::io(format!("cannot write {}", self.path.display()), e)
        })
    }
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), Failure> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| Failure::io(format!("cannot read {}", path.display()), e))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(Failure::usage(format!(
            "refusing to use {}: its permissions ({:04o}) let other users read the tokens in it; run `chmod 600 {}` (and log in again if others may have read it)",
            path.display(),
            mode & 0o7777,
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_: &Path) -> Result<(), Failure> {
    Ok(())
}

#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

fn create_private_dir(dir: &Path) -> Result<(), Failure> {
    let fail = |e| Failure::io(format!("cannot create {}", dir.display()), e);
    if dir.is_dir() {
        return Ok(());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(fail)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir).map_err(fail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Profile {
        Profile {
            instance: None,
            base_url: Some("http://127.0.0.1:9".into()),
            token_kind: TokenKind::Session,
            token: Secret::new("profile-secret-9d2e"),
            email: Some("ann@example.com".into()),
            user_id: Some("7".into()),
            client_id: None,
        }
    }

    #[test]
    fn saved_profiles_read_back_and_the_file_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("profiles.json");
        let mut p = Profiles::load_from(path.clone()).unwrap();
        assert!(p.profiles.is_empty());
        p.profiles.insert("work".into(), sample());
        p.save().unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let back = Profiles::load_from(path.clone()).unwrap();
        assert_eq!(back.profiles["work"], sample());
        assert!(!format!("{back:?}").contains("profile-secret-9d2e"));
        // Saving again replaces the file (no leftover temporary file).
        back.save().unwrap();
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["profiles.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_file_others_can_read_is_refused_naming_the_fix() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("profiles.json");
        let mut p = Profiles::load_from(path.clone()).unwrap();
        p.profiles.insert("default".into(), sample());
        p.save().unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = Profiles::load_from(path.clone()).unwrap_err();
        let text = e.describe().unwrap();
        assert!(text.contains("0644"), "{text}");
        assert!(
            text.contains(&format!("chmod 600 {}", path.display())),
            "{text}"
        );
        assert!(!text.contains("profile-secret-9d2e"));
    }

    #[test]
    fn a_damaged_file_is_named_without_quoting_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("profiles.json");
        let mut f = private_file(&path).unwrap();
        f.write_all(br#"{"profiles": {"x": {"tokenKind": "session", "token": 5}}}"#)
            .unwrap();
        let e = Profiles::load_from(path).unwrap_err().describe().unwrap();
        assert!(e.contains("line 1"), "{e}");
    }
}
