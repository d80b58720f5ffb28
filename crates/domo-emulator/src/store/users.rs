//! The instance's people and credentials: users (id, email, display name,
//! role), groups, password login with lockout, session tokens and minted
//! access tokens.
//!
//! Users, groups and passwords come from the command line (`--user`,
//! `--group`, `--password`, `--token`, `--client`) and are installed into
//! SQLite at start, replacing what an earlier run left, so every operation
//! (the access check, row policies) reads them in its own transaction; the
//! public API's `/v1/users` and `/v1/groups` (`people`) change them while
//! the emulator runs. This module is also THE naming of principals:
//! `user_or_implicit`, `display_name` and `group_name` name a user or group
//! in every reply. Secrets
//! are stored only as SHA-256 digests: a password salted, a token value
//! plain (it is 256 random bits already). Values are never put into a
//! message.

use ring::digest::{SHA256, digest};
use ring::rand::{SecureRandom, SystemRandom};
use rusqlite::{Connection, OptionalExtension, params};

use super::{ADMIN_USER, Result, Store, StoreError, UserId};

/// Who a permission is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PrincipalKind {
    User,
    Group,
}

impl PrincipalKind {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "USER" => Some(Self::User),
            "GROUP" => Some(Self::Group),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "USER",
            Self::Group => "GROUP",
        }
    }
}

pub(super) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_salt BLOB,
    password_hash BLOB,
    failed_logins INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS user_groups (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS group_members (
    group_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE TABLE IF NOT EXISTS credentials (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- ACCESS (a minted access token) or SESSION (from a password login)
    kind TEXT NOT NULL,
    hash BLOB NOT NULL UNIQUE,
    name TEXT NOT NULL,
    owner_id INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER
);
"#;

/// The tables of this module, which SQL queries may never read.
pub(super) const TABLES: [&str; 4] = ["users", "user_groups", "group_members", "credentials"];

/// Wrong passwords in a row after which an account is locked (until the
/// emulator restarts or the configuration is installed again). The attempt
/// after the fifth wrong one answers `ACCOUNT_LOCKED`, even with the right
/// password.
pub(crate) const LOCK_AFTER_FAILURES: i64 = 5;

/// Domo's roles, from most to least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Admin,
    Privileged,
    Editor,
    Participant,
}

impl Role {
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "admin" => Some(Self::Admin),
            "privileged" => Some(Self::Privileged),
            "editor" => Some(Self::Editor),
            "participant" => Some(Self::Participant),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "Admin",
            Self::Privileged => "Privileged",
            Self::Editor => "Editor",
            Self::Participant => "Participant",
        }
    }
}

/// A user of the instance.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
}

impl User {
    /// A user known only by id (named by a `--token` or `--client`, not by
    /// `--user`): "User N", `userN@emulator.local`, an Editor (user 1 the
    /// Admin). Also how the registry names an id it no longer holds (a
    /// dataset owner kept in a data directory started without them).
    pub fn implicit(id: UserId) -> Self {
        User {
            id,
            email: format!("user{id}@emulator.local"),
            display_name: format!("User {id}"),
            role: if id == ADMIN_USER {
                Role::Admin
            } else {
                Role::Editor
            },
        }
    }
}

/// A group and its members.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Group {
    pub id: i64,
    pub name: String,
    pub members: Vec<UserId>,
}

/// The people of the instance as configured. `passwords` hold the clear
/// text only until `Store::install_directory` digests them.
#[derive(Clone, Default, PartialEq)]
pub(crate) struct Directory {
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub passwords: Vec<(UserId, String)>,
}

impl std::fmt::Debug for Directory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Directory")
            .field("users", &self.users)
            .field("groups", &self.groups)
            .field(
                "passwords",
                &self
                    .passwords
                    .iter()
                    .map(|(u, _)| format!("{u}=[redacted]"))
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// What a password login ended with.
#[derive(Clone, PartialEq)]
pub(crate) enum Login {
    /// The session token (shown only in this reply) and its user.
    Session { token: String, user_id: UserId },
    /// Unknown address, no password set, or a wrong password.
    InvalidCredentials,
    /// Too many wrong passwords (`LOCK_AFTER_FAILURES`).
    Locked,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Login::Session { user_id, .. } => write!(f, "Session {{ user_id: {user_id} }}"),
            Login::InvalidCredentials => f.write_str("InvalidCredentials"),
            Login::Locked => f.write_str("Locked"),
        }
    }
}

/// A minted access token, without its value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AccessToken {
    pub id: i64,
    pub name: String,
    pub owner_id: UserId,
    pub owner_name: String,
    pub created_ms: i64,
    pub expires_ms: Option<i64>,
}

fn sha256(parts: &[&[u8]]) -> Vec<u8> {
    let mut all = Vec::new();
    for p in parts {
        all.extend_from_slice(p);
    }
    digest(&SHA256, &all).as_ref().to_vec()
}

fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut buf = [0u8; N];
    SystemRandom::new()
        .fill(&mut buf)
        .map_err(|_| StoreError::internal("the system random source failed"))?;
    Ok(buf)
}

/// A new token value: 256 random bits as hex.
fn new_token_value() -> Result<String> {
    let bytes = random_bytes::<32>()?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A name nobody can guess (128 random bits as hex), for objects a query
/// must not be able to name.
pub(super) fn random_name(prefix: &str) -> Result<String> {
    let bytes = random_bytes::<16>()?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{prefix}{hex}"))
}

fn parse_role(s: &str) -> Result<Role> {
    Role::parse(s).ok_or_else(|| StoreError::internal(format!("stored role {s} is unknown")))
}

/// The registry's one lookup: the user with this id, if the instance has one.
pub(super) fn find_user(conn: &Connection, id: UserId) -> Result<Option<User>> {
    let row = conn
        .prepare_cached("SELECT id, email, display_name, role FROM users WHERE id = ?")?
        .query_row([id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })
        .optional()?;
    row.map(|(id, email, display_name, role)| {
        Ok(User {
            id,
            email,
            display_name,
            role: parse_role(&role)?,
        })
    })
    .transpose()
}

/// Whether `user` is an Admin of the instance (user 1 always is).
pub(super) fn is_admin(conn: &Connection, user: UserId) -> Result<bool> {
    if user == ADMIN_USER {
        return Ok(true);
    }
    Ok(find_user(conn, user)?.is_some_and(|u| u.role == Role::Admin))
}

/// The groups `user` belongs to.
pub(super) fn groups_of(conn: &Connection, user: UserId) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached("SELECT group_id FROM group_members WHERE user_id = ?")?;
    let ids = stmt
        .query_map([user], |r| r.get(0))?
        .collect::<Result<Vec<i64>, _>>()?;
    Ok(ids)
}

/// Domo's rule for creating datasets: every role but Participant may.
pub(super) fn require_can_create_datasets(conn: &Connection, user: UserId) -> Result<()> {
    match find_user(conn, user)? {
        Some(u) if u.role == Role::Participant => Err(StoreError::forbidden(format!(
            "user {user} has the Participant role, which cannot create datasets"
        ))),
        _ => Ok(()),
    }
}

/// THE naming of a user, wherever one is shown (`/users/me`, dataset and
/// stream owners, permission lists, token listings, search): the
/// registry's user, or `User::implicit` for an id it does not hold.
pub(crate) fn user_or_implicit(conn: &Connection, id: UserId) -> Result<User> {
    Ok(find_user(conn, id)?.unwrap_or_else(|| User::implicit(id)))
}

/// The display name of `user`, as `user_or_implicit` names them.
pub(super) fn display_name(conn: &Connection, user: UserId) -> Result<String> {
    Ok(user_or_implicit(conn, user)?.display_name)
}

/// The registry's group with this id: its name, if the instance has it.
pub(super) fn find_group(conn: &Connection, id: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT name FROM user_groups WHERE id = ?")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

/// THE naming of a group: the registry's name, or "Group N" for an id it
/// does not hold (a grant kept in a data directory started without it).
pub(super) fn group_name(conn: &Connection, id: i64) -> Result<String> {
    Ok(find_group(conn, id)?.unwrap_or_else(|| format!("Group {id}")))
}

/// Refuses a user or group id the registry does not hold, naming `at`
/// (the request field): grants and row policies name only real people.
pub(super) fn require_principal(
    conn: &Connection,
    kind: PrincipalKind,
    id: i64,
    at: &str,
) -> Result<()> {
    let known = match kind {
        PrincipalKind::User => find_user(conn, id)?.is_some(),
        PrincipalKind::Group => find_group(conn, id)?.is_some(),
    };
    if known {
        return Ok(());
    }
    let what = match kind {
        PrincipalKind::User => "user",
        PrincipalKind::Group => "group",
    };
    Err(StoreError::invalid(format!(
        "{at}: {what} {id} is not a {what} of this instance"
    )))
}

fn check_directory(dir: &Directory) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    for u in &dir.users {
        if u.id < 1 {
            return Err(StoreError::invalid(format!(
                "user id {} must be a positive integer",
                u.id
            )));
        }
        if !seen.insert(u.id) {
            return Err(StoreError::invalid(format!("user {} is given twice", u.id)));
        }
        if u.id == ADMIN_USER && u.role != Role::Admin {
            return Err(StoreError::invalid(
                "user 1 is the instance's Admin; it cannot be given another role",
            ));
        }
    }
    let mut emails = std::collections::HashSet::new();
    for u in &dir.users {
        if !emails.insert(u.email.to_ascii_lowercase()) {
            return Err(StoreError::invalid(format!(
                "the email address {} is given to two users",
                u.email
            )));
        }
    }
    for (user, _) in &dir.passwords {
        if !seen.contains(user) {
            return Err(StoreError::invalid(format!(
                "--password names user {user}, who is not a user (add --user {user}:EMAIL)"
            )));
        }
    }
    for g in &dir.groups {
        for m in &g.members {
            if !seen.contains(m) {
                return Err(StoreError::invalid(format!(
                    "group {} ({}) names user {m}, who is not a user",
                    g.id, g.name
                )));
            }
        }
    }
    Ok(())
}

impl Store {
    /// Replaces the registry with `dir` (users, groups, password digests).
    /// User 1 is added as the Admin when `dir` does not name it.
    pub(crate) fn install_directory(&self, dir: &Directory) -> Result<()> {
        let mut dir = dir.clone();
        if !dir.users.iter().any(|u| u.id == ADMIN_USER) {
            dir.users.insert(0, User::implicit(ADMIN_USER));
        }
        check_directory(&dir)?;
        self.write(|conn| {
            conn.execute_batch(
                "DELETE FROM users; DELETE FROM user_groups; DELETE FROM group_members;",
            )?;
            for u in &dir.users {
                conn.execute(
                    "INSERT INTO users (id, email, display_name, role) VALUES (?, ?, ?, ?)",
                    params![u.id, u.email, u.display_name, u.role.as_str()],
                )?;
            }
            for (user, password) in &dir.passwords {
                let salt = random_bytes::<16>()?;
                let hash = sha256(&[&salt, password.as_bytes()]);
                conn.execute(
                    "UPDATE users SET password_salt = ?, password_hash = ? WHERE id = ?",
                    params![salt.to_vec(), hash, user],
                )?;
            }
            for g in &dir.groups {
                conn.execute(
                    "INSERT OR REPLACE INTO user_groups (id, name) VALUES (?, ?)",
                    params![g.id, g.name],
                )?;
                for m in &g.members {
                    conn.execute(
                        "INSERT OR IGNORE INTO group_members (group_id, user_id) VALUES (?, ?)",
                        params![g.id, m],
                    )?;
                }
            }
            Ok(())
        })
    }

    /// The registry's user with this id, if it holds one.
    #[cfg(test)]
    pub(crate) fn find_user(&self, id: UserId) -> Result<Option<User>> {
        self.read(|conn| find_user(conn, id))
    }

    /// A user as every reply names them (`user_or_implicit`): THE entry
    /// point for handlers (`/users/me`, token claims, ...).
    pub(crate) fn user(&self, id: UserId) -> Result<User> {
        self.read(|conn| user_or_implicit(conn, id))
    }

    /// A password login. Wrong passwords count towards the lock; a good
    /// one resets the count and opens a session.
    pub(crate) fn login(&self, email: &str, password: &str) -> Result<Login> {
        self.write(|conn| {
            type Digest = Option<Vec<u8>>;
            let row: Option<(i64, Digest, Digest, i64)> = conn
                .query_row(
                    "SELECT id, password_salt, password_hash, failed_logins FROM users
                     WHERE lower(email) = lower(?)",
                    [email.trim()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let Some((user_id, salt, hash, failed)) = row else {
                return Ok(Login::InvalidCredentials);
            };
            let (Some(salt), Some(hash)) = (salt, hash) else {
                return Ok(Login::InvalidCredentials);
            };
            if failed >= LOCK_AFTER_FAILURES {
                return Ok(Login::Locked);
            }
            if sha256(&[&salt, password.as_bytes()]) != hash {
                conn.execute(
                    "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ?",
                    [user_id],
                )?;
                return Ok(Login::InvalidCredentials);
            }
            conn.execute("UPDATE users SET failed_logins = 0 WHERE id = ?", [user_id])?;
            let token = new_token_value()?;
            conn.execute(
                "INSERT INTO credentials (kind, hash, name, owner_id, created_ms, expires_ms)
                 VALUES ('SESSION', ?, 'session', ?, ?, NULL)",
                params![sha256(&[token.as_bytes()]), user_id, self.now_ms()],
            )?;
            Ok(Login::Session { token, user_id })
        })
    }

    /// The user a session token or minted access token stands for, if it
    /// is one that has not expired (on the store's clock) or been revoked.
    pub(crate) fn resolve_token(&self, value: &str) -> Result<Option<UserId>> {
        let now = self.now_ms();
        self.read(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT owner_id FROM credentials
                     WHERE hash = ? AND (expires_ms IS NULL OR expires_ms > ?)",
                )?
                .query_row(params![sha256(&[value.as_bytes()]), now], |r| r.get(0))
                .optional()?)
        })
    }

    /// `POST /api/data/v1/accesstokens`: a token for `owner` until
    /// `expires_ms`. Returns it with its value, which is never stored.
    pub(crate) fn mint_access_token(
        &self,
        caller: UserId,
        name: &str,
        owner: UserId,
        expires_ms: i64,
    ) -> Result<(AccessToken, String)> {
        self.write(|conn| {
            let name = name.trim();
            if name.is_empty() {
                return Err(StoreError::invalid("name must not be empty"));
            }
            let Some(owner_user) = find_user(conn, owner)? else {
                return Err(StoreError::invalid(format!(
                    "ownerId {owner} is not a user of this instance"
                )));
            };
            if owner != caller && !is_admin(conn, caller)? {
                return Err(StoreError::forbidden(format!(
                    "only an Admin mints an access token for another user (user {caller} asked for one for user {owner})"
                )));
            }
            let now = self.now_ms();
            if expires_ms <= now {
                return Err(StoreError::invalid(format!(
                    "expires ({expires_ms}, epoch ms) is not in the future"
                )));
            }
            let value = new_token_value()?;
            conn.execute(
                "INSERT INTO credentials (kind, hash, name, owner_id, created_ms, expires_ms)
                 VALUES ('ACCESS', ?, ?, ?, ?, ?)",
                params![sha256(&[value.as_bytes()]), name, owner, now, expires_ms],
            )?;
            let token = AccessToken {
                id: conn.last_insert_rowid(),
                name: name.to_owned(),
                owner_id: owner,
                owner_name: owner_user.display_name,
                created_ms: now,
                expires_ms: Some(expires_ms),
            };
            Ok((token, value))
        })
    }

    /// `GET /api/data/v1/accesstokens`: an Admin sees every token, anyone
    /// else their own. Expired tokens are listed until revoked.
    pub(crate) fn list_access_tokens(&self, caller: UserId) -> Result<Vec<AccessToken>> {
        self.read(|conn| {
            let all = is_admin(conn, caller)?;
            let mut stmt = conn.prepare(
                "SELECT id, name, owner_id, created_ms, expires_ms FROM credentials
                 WHERE kind = 'ACCESS' AND (? OR owner_id = ?) ORDER BY id",
            )?;
            let rows = stmt
                .query_map(params![all, caller], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })?
                .collect::<Result<Vec<(i64, String, i64, i64, Option<i64>)>, _>>()?;
            rows.into_iter()
                .map(|(id, name, owner_id, created_ms, expires_ms)| {
                    Ok(AccessToken {
                        id,
                        name,
                        owner_name: display_name(conn, owner_id)?,
                        owner_id,
                        created_ms,
                        expires_ms,
                    })
                })
                .collect()
        })
    }

    /// `DELETE /api/data/v1/accesstokens/{id}`: by its owner or an Admin;
    /// the token stops working with the next request.
    pub(crate) fn revoke_access_token(&self, caller: UserId, id: &str) -> Result<()> {
        let id = super::parse_id("access token", id)?;
        self.write(|conn| {
            let owner: Option<i64> = conn
                .query_row(
                    "SELECT owner_id FROM credentials WHERE kind = 'ACCESS' AND id = ?",
                    [id],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(owner) = owner else {
                return Err(StoreError::not_found(format!(
                    "access token {id} does not exist"
                )));
            };
            if owner != caller && !is_admin(conn, caller)? {
                return Err(StoreError::forbidden(format!(
                    "only the token's owner or an Admin revokes access token {id}"
                )));
            }
            conn.execute("DELETE FROM credentials WHERE id = ?", [id])?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn directory() -> Directory {
        Directory {
            users: vec![
                User {
                    id: 7,
                    email: "east@example.com".into(),
                    display_name: "East".into(),
                    role: Role::Editor,
                },
                User {
                    id: 8,
                    email: "west@example.com".into(),
                    display_name: "West".into(),
                    role: Role::Participant,
                },
            ],
            groups: vec![Group {
                id: 3,
                name: "Sales".into(),
                members: vec![7, 8],
            }],
            passwords: vec![(7, "pw-7".into())],
        }
    }

    #[test]
    fn lockout_after_the_documented_number_of_failures() {
        let store = Store::in_memory();
        store.install_directory(&directory()).unwrap();
        for _ in 0..LOCK_AFTER_FAILURES {
            assert_eq!(
                store.login("east@example.com", "nope").unwrap(),
                Login::InvalidCredentials
            );
        }
        assert_eq!(
            store.login("EAST@example.com", "pw-7").unwrap(),
            Login::Locked
        );
        assert_eq!(
            store.login("west@example.com", "pw-7").unwrap(),
            Login::InvalidCredentials,
            "no password set"
        );
    }

    #[test]
    fn a_good_login_resets_the_count_and_opens_a_session() {
        let store = Store::in_memory();
        store.install_directory(&directory()).unwrap();
        for _ in 0..LOCK_AFTER_FAILURES - 1 {
            store.login("east@example.com", "nope").unwrap();
        }
        let Login::Session { token, user_id } = store.login("east@example.com", "pw-7").unwrap()
        else {
            panic!("a session");
        };
        assert_eq!(user_id, 7);
        assert_eq!(store.resolve_token(&token).unwrap(), Some(7));
        assert!(
            !format!(
                "{:?}",
                Login::Session {
                    token: token.clone(),
                    user_id
                }
            )
            .contains(&token)
        );
        store.login("east@example.com", "nope").unwrap();
        assert!(matches!(
            store.login("east@example.com", "pw-7").unwrap(),
            Login::Session { .. }
        ));
    }

    #[test]
    fn the_registry_knows_roles_and_groups() {
        let store = Store::in_memory();
        store.install_directory(&directory()).unwrap();
        let admin = store.find_user(1).unwrap().unwrap();
        assert_eq!(admin.role, Role::Admin);
        assert_eq!(store.find_user(8).unwrap().unwrap().role, Role::Participant);
        assert_eq!(store.find_user(99).unwrap(), None);
        store
            .read(|c| {
                assert_eq!(groups_of(c, 7)?, vec![3]);
                assert!(require_can_create_datasets(c, 8).is_err());
                assert!(require_can_create_datasets(c, 7).is_ok());
                Ok(())
            })
            .unwrap();
        let mut bad = directory();
        bad.passwords.push((42, "x".into()));
        let e = store.install_directory(&bad).unwrap_err();
        assert!(e.message.contains("user 42"), "{}", e.message);
        assert!(!format!("{bad:?}").contains("pw-7"));
    }

    #[test]
    fn tokens_expire_and_revoke() {
        let clock = crate::clock::ManualClock::at(1_700_000_000_000);
        let store = Store::in_memory().with_clock(clock.clock());
        store.install_directory(&directory()).unwrap();
        let now = clock.now_ms();
        let (_, value) = store
            .mint_access_token(1, "pipeline", 7, now + 60_000)
            .unwrap();
        let (_, brief) = store.mint_access_token(1, "brief", 7, now + 1).unwrap();
        assert_eq!(store.resolve_token(&value).unwrap(), Some(7));
        assert_eq!(store.resolve_token(&brief).unwrap(), Some(7));
        clock.advance(std::time::Duration::from_millis(1));
        assert_eq!(store.resolve_token(&brief).unwrap(), None, "expired");
        assert_eq!(store.resolve_token(&value).unwrap(), Some(7));
        clock.advance(std::time::Duration::from_secs(60));
        assert_eq!(store.resolve_token(&value).unwrap(), None, "expired");
        let e = store
            .mint_access_token(1, "past", 7, clock.now_ms())
            .unwrap_err();
        assert_eq!(e.kind, super::super::ErrorKind::Invalid);
        let (t, value) = store
            .mint_access_token(1, "renewed", 7, clock.now_ms() + 60_000)
            .unwrap();
        assert_eq!(store.resolve_token(&value).unwrap(), Some(7));
        let e = store
            .mint_access_token(7, "for 8", 8, clock.now_ms() + 60_000)
            .unwrap_err();
        assert_eq!(e.kind, super::super::ErrorKind::Forbidden);
        let e = store
            .mint_access_token(1, "nobody", 4242, clock.now_ms() + 60_000)
            .unwrap_err();
        assert_eq!(e.kind, super::super::ErrorKind::Invalid);
        assert_eq!(store.list_access_tokens(8).unwrap(), vec![]);
        assert_eq!(store.list_access_tokens(7).unwrap()[0].owner_name, "East");
        let e = store.revoke_access_token(8, &t.id.to_string()).unwrap_err();
        assert_eq!(e.kind, super::super::ErrorKind::Forbidden);
        store.revoke_access_token(7, &t.id.to_string()).unwrap();
        assert_eq!(store.resolve_token(&value).unwrap(), None);
    }
}
