//! Users and groups as the public API manages them (`/v1/users`,
//! `/v1/groups`): create, read, list, update, delete and group membership,
//! over the same registry (`users`, `user_groups`, `group_members`) that
//! the access check, row policies and every other API read. A user made
//! here owns datasets, gets shares and is named by policies like one given
//! with `--user`.
//!
//! What Domo's user and group objects carry beyond the registry (title,
//! phone, a group's `active` flag, ...) lives in two tables of this module,
//! keyed by the registry's ids. Only an Admin changes people; anyone may
//! read them.

use rusqlite::{Connection, OptionalExtension, params};

use super::users::{Role, User, find_user, is_admin};
use super::{Result, Store, StoreError, UserId};

pub(super) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS user_profiles (
    user_id INTEGER PRIMARY KEY,
    title TEXT,
    alternate_email TEXT,
    phone TEXT,
    location TEXT,
    employee_number TEXT,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS group_profiles (
    group_id INTEGER PRIMARY KEY,
    active INTEGER NOT NULL,
    is_default INTEGER NOT NULL,
    creator_id INTEGER,
    created_ms INTEGER NOT NULL
);
"#;

/// The tables of this module, which SQL queries may never read.
pub(super) const TABLES: [&str; 2] = ["user_profiles", "group_profiles"];

/// The optional fields of a user beyond the registry's.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Profile {
    pub title: Option<String>,
    pub alternate_email: Option<String>,
    pub phone: Option<String>,
    pub location: Option<String>,
    pub employee_number: Option<String>,
}

/// A user with everything the public API shows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Person {
    pub user: User,
    pub profile: Profile,
    /// `None` for people given on the command line.
    pub created_ms: Option<i64>,
    pub updated_ms: Option<i64>,
    /// `(id, name)` of each group the user is in.
    pub groups: Vec<(i64, String)>,
}

/// A user to create; the role as sent.
#[derive(Debug, Clone, Default)]
pub(crate) struct NewPerson {
    pub name: String,
    pub email: String,
    pub role: String,
    pub profile: Profile,
}

/// A change to a user; `None` keeps a value.
#[derive(Debug, Clone, Default)]
pub(crate) struct PersonUpdate {
    pub name: Option<String>,
    pub email: Option<String>,
    pub role: Option<String>,
    pub profile: Profile,
}

/// A group with what the public API shows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Team {
    pub id: i64,
    pub name: String,
    pub active: bool,
    pub is_default: bool,
    pub creator_id: Option<UserId>,
    pub member_count: i64,
}

/// A group to create or a change to one; `None` keeps (or defaults) a value.
#[derive(Debug, Clone, Default)]
pub(crate) struct TeamChange {
    pub name: Option<String>,
    pub active: Option<bool>,
    pub is_default: Option<bool>,
}

fn require_admin(conn: &Connection, caller: UserId, what: &str) -> Result<()> {
    if is_admin(conn, caller)? {
        return Ok(());
    }
    Err(StoreError::forbidden(format!(
        "only an Admin may {what} (user {caller} is not one)"
    )))
}

fn parse_role(field: &str, role: &str) -> Result<Role> {
    Role::parse(role.trim()).ok_or_else(|| {
        StoreError::invalid(format!(
            "{field} must be Admin, Privileged, Editor or Participant, got `{role}`"
        ))
    })
}

fn check_email(conn: &Connection, email: &str, except: Option<UserId>) -> Result<String> {
    let email = email.trim();
    if !email.contains('@') || email.contains(char::is_whitespace) {
        return Err(StoreError::invalid(format!(
            "email must be an email address, got `{email}`"
        )));
    }
    let taken: Option<i64> = conn
        .query_row(
            "SELECT id FROM users WHERE lower(email) = lower(?) AND id IS NOT ?",
            params![email, except],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(other) = taken {
        return Err(StoreError::conflict(format!(
            "the email address {email} already belongs to user {other}"
        )));
    }
    Ok(email.to_owned())
}

fn non_empty(field: &str, value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(StoreError::invalid(format!("{field} must not be empty")));
    }
    Ok(v.to_owned())
}

fn open_user(conn: &Connection, id: UserId) -> Result<User> {
    find_user(conn, id)?.ok_or_else(|| StoreError::not_found(format!("user {id} does not exist")))
}

fn person(conn: &Connection, user: User) -> Result<Person> {
    type Row = (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        i64,
        i64,
    );
    let row: Option<Row> = conn
        .prepare_cached(
            "SELECT title, alternate_email, phone, location, employee_number, created_ms, updated_ms
             FROM user_profiles WHERE user_id = ?",
        )?
        .query_row([user.id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .optional()?;
    let groups = conn
        .prepare_cached(
            "SELECT g.id, g.name FROM group_members m JOIN user_groups g ON g.id = m.group_id
             WHERE m.user_id = ? ORDER BY g.id",
        )?
        .query_map([user.id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<(i64, String)>, _>>()?;
    let (profile, created_ms, updated_ms) = match row {
        Some((title, alternate_email, phone, location, employee_number, c, u)) => (
            Profile {
                title,
                alternate_email,
                phone,
                location,
                employee_number,
            },
            Some(c),
            Some(u),
        ),
        None => (Profile::default(), None, None),
    };
    Ok(Person {
        user,
        profile,
        created_ms,
        updated_ms,
        groups,
    })
}

/// Writes the given profile fields (`None` keeps the stored value).
fn write_profile(conn: &Connection, id: UserId, p: &Profile, now: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO user_profiles (user_id, created_ms, updated_ms) VALUES (?1, ?2, ?2)
         ON CONFLICT (user_id) DO UPDATE SET updated_ms = excluded.updated_ms",
        params![id, now],
    )?;
    conn.execute(
        "UPDATE user_profiles SET title = coalesce(?2, title),
                alternate_email = coalesce(?3, alternate_email), phone = coalesce(?4, phone),
                location = coalesce(?5, location), employee_number = coalesce(?6, employee_number)
         WHERE user_id = ?1",
        params![
            id,
            p.title,
            p.alternate_email,
            p.phone,
            p.location,
            p.employee_number
        ],
    )?;
    Ok(())
}

/// A group's name and its profile's `active`, `is_default`, `creator_id`.
type GroupRow = (String, Option<bool>, Option<bool>, Option<i64>);

fn open_group(conn: &Connection, id: i64) -> Result<Team> {
    let row: Option<GroupRow> = conn
        .prepare_cached(
            "SELECT g.name, p.active, p.is_default, p.creator_id
             FROM user_groups g LEFT JOIN group_profiles p ON p.group_id = g.id WHERE g.id = ?",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    let Some((name, active, is_default, creator_id)) = row else {
        return Err(StoreError::not_found(format!("group {id} does not exist")));
    };
    let member_count = conn
        .prepare_cached("SELECT COUNT(*) FROM group_members WHERE group_id = ?")?
        .query_row([id], |r| r.get(0))?;
    Ok(Team {
        id,
        name,
        active: active.unwrap_or(true),
        is_default: is_default.unwrap_or(false),
        creator_id,
        member_count,
    })
}

fn check_group_name(conn: &Connection, name: &str, except: Option<i64>) -> Result<String> {
    let name = non_empty("name", name)?;
    let taken: Option<i64> = conn
        .query_row(
            "SELECT id FROM user_groups WHERE lower(name) = lower(?) AND id IS NOT ?",
            params![name, except],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(other) = taken {
        return Err(StoreError::conflict(format!(
            "group {other} is already named `{name}`"
        )));
    }
    Ok(name)
}

impl Store {
    /// `GET /v1/users`: a page of users by id.
    pub(crate) fn list_people(&self, offset: u64, limit: u64) -> Result<Vec<Person>> {
        let (offset, limit) = super::sql_page(offset, limit);
        self.read(|conn| {
            let ids: Vec<i64> = conn
                .prepare("SELECT id FROM users ORDER BY id LIMIT ? OFFSET ?")?
                .query_map(params![limit, offset], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            ids.into_iter()
                .map(|id| person(conn, open_user(conn, id)?))
                .collect()
        })
    }

    /// `GET /v1/users/{id}`.
    pub(crate) fn get_person(&self, id: UserId) -> Result<Person> {
        self.read(|conn| person(conn, open_user(conn, id)?))
    }

    /// `POST /v1/users`: a new user with the next free id.
    pub(crate) fn create_person(&self, caller: UserId, new: &NewPerson) -> Result<Person> {
        let name = non_empty("name", &new.name)?;
        let role = parse_role("role", &new.role)?;
        self.write(|conn| {
            require_admin(conn, caller, "create users")?;
            let email = check_email(conn, &new.email, None)?;
            let id: i64 = conn.query_row(
                "SELECT max(coalesce(max(id), 0) + 1, 2) FROM users",
                [],
                |r| r.get(0),
            )?;
            conn.execute(
                "INSERT INTO users (id, email, display_name, role) VALUES (?, ?, ?, ?)",
                params![id, email, name, role.as_str()],
            )?;
            write_profile(conn, id, &new.profile, self.now_ms())?;
            person(conn, open_user(conn, id)?)
        })
    }

    /// `PUT /v1/users/{id}`: changes what is given. User 1 stays the Admin.
    pub(crate) fn update_person(
        &self,
        caller: UserId,
        id: UserId,
        up: &PersonUpdate,
    ) -> Result<Person> {
        let name = up
            .name
            .as_deref()
            .map(|n| non_empty("name", n))
            .transpose()?;
        let role = up
            .role
            .as_deref()
            .map(|r| parse_role("role", r))
            .transpose()?;
        self.write(|conn| {
            require_admin(conn, caller, "change users")?;
            open_user(conn, id)?;
            if id == super::ADMIN_USER && role.is_some_and(|r| r != Role::Admin) {
                return Err(StoreError::invalid(
                    "user 1 is the instance's Admin; it cannot be given another role",
                ));
            }
            let email = up
                .email
                .as_deref()
                .map(|e| check_email(conn, e, Some(id)))
                .transpose()?;
            conn.execute(
                "UPDATE users SET display_name = coalesce(?, display_name), email = coalesce(?, email),
                        role = coalesce(?, role) WHERE id = ?",
                params![name, email, role.map(Role::as_str), id],
            )?;
            write_profile(conn, id, &up.profile, self.now_ms())?;
            person(conn, open_user(conn, id)?)
        })
    }

    /// `DELETE /v1/users/{id}`: the user, their memberships, grants and
    /// credentials. A user who owns a dataset is refused (give it another
    /// owner first), and user 1 always stays.
    pub(crate) fn delete_person(&self, caller: UserId, id: UserId) -> Result<()> {
        self.write(|conn| {
            require_admin(conn, caller, "delete users")?;
            open_user(conn, id)?;
            if id == super::ADMIN_USER {
                return Err(StoreError::invalid(
                    "user 1 is the instance's Admin and cannot be deleted",
                ));
            }
            let owned: Option<String> = conn
                .query_row(
                    "SELECT id FROM datasets WHERE owner_id = ? ORDER BY pk LIMIT 1",
                    [id],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(ds) = owned {
                return Err(StoreError::conflict(format!(
                    "user {id} owns dataset {ds}; give it another owner first (PUT /v1/datasets/{ds} with {{\"owner\": {{\"id\": ...}}}})"
                )));
            }
            conn.execute("DELETE FROM group_members WHERE user_id = ?", [id])?;
            conn.execute("DELETE FROM credentials WHERE owner_id = ?", [id])?;
            conn.execute(
                "DELETE FROM permissions WHERE principal_type = 'USER' AND principal_id = ?",
                [id.to_string()],
            )?;
            conn.execute("DELETE FROM user_profiles WHERE user_id = ?", [id])?;
            conn.execute("DELETE FROM users WHERE id = ?", [id])?;
            Ok(())
        })
    }

    /// `GET /v1/groups`: a page of groups by id.
    pub(crate) fn list_teams(&self, offset: u64, limit: u64) -> Result<Vec<Team>> {
        let (offset, limit) = super::sql_page(offset, limit);
        self.read(|conn| {
            let ids: Vec<i64> = conn
                .prepare("SELECT id FROM user_groups ORDER BY id LIMIT ? OFFSET ?")?
                .query_map(params![limit, offset], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            ids.into_iter().map(|id| open_group(conn, id)).collect()
        })
    }

    /// `GET /v1/groups/{id}`.
    pub(crate) fn get_team(&self, id: i64) -> Result<Team> {
        self.read(|conn| open_group(conn, id))
    }

    /// `POST /v1/groups`: a new group (active unless said otherwise) with
    /// the next free id; names are unique, ignoring case.
    pub(crate) fn create_team(&self, caller: UserId, new: &TeamChange) -> Result<Team> {
        self.write(|conn| {
            require_admin(conn, caller, "create groups")?;
            let name = check_group_name(conn, new.name.as_deref().unwrap_or(""), None)?;
            let id: i64 = conn.query_row(
                "SELECT coalesce(max(id), 0) + 1 FROM user_groups",
                [],
                |r| r.get(0),
            )?;
            conn.execute(
                "INSERT INTO user_groups (id, name) VALUES (?, ?)",
                params![id, name],
            )?;
            conn.execute(
                "INSERT OR REPLACE INTO group_profiles (group_id, active, is_default, creator_id, created_ms)
                 VALUES (?, ?, ?, ?, ?)",
                params![
                    id,
                    new.active.unwrap_or(true),
                    new.is_default.unwrap_or(false),
                    caller,
                    self.now_ms()
                ],
            )?;
            open_group(conn, id)
        })
    }

    /// `PUT /v1/groups/{id}`: changes what is given.
    pub(crate) fn update_team(&self, caller: UserId, id: i64, up: &TeamChange) -> Result<Team> {
        self.write(|conn| {
            require_admin(conn, caller, "change groups")?;
            let before = open_group(conn, id)?;
            if let Some(name) = &up.name {
                let name = check_group_name(conn, name, Some(id))?;
                conn.execute(
                    "UPDATE user_groups SET name = ? WHERE id = ?",
                    params![name, id],
                )?;
            }
            conn.execute(
                "INSERT INTO group_profiles (group_id, active, is_default, creator_id, created_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (group_id) DO UPDATE SET active = ?2, is_default = ?3",
                params![
                    id,
                    up.active.unwrap_or(before.active),
                    up.is_default.unwrap_or(before.is_default),
                    before.creator_id,
                    self.now_ms()
                ],
            )?;
            open_group(conn, id)
        })
    }

    /// `DELETE /v1/groups/{id}`: the group, its memberships and its grants
    /// on datasets.
    pub(crate) fn delete_team(&self, caller: UserId, id: i64) -> Result<()> {
        self.write(|conn| {
            require_admin(conn, caller, "delete groups")?;
            open_group(conn, id)?;
            conn.execute("DELETE FROM group_members WHERE group_id = ?", [id])?;
            conn.execute(
                "DELETE FROM permissions WHERE principal_type = 'GROUP' AND principal_id = ?",
                [id.to_string()],
            )?;
            conn.execute("DELETE FROM group_profiles WHERE group_id = ?", [id])?;
            conn.execute("DELETE FROM user_groups WHERE id = ?", [id])?;
            Ok(())
        })
    }

    /// `GET /v1/groups/{id}/users`: a page of member ids.
    pub(crate) fn list_members(&self, id: i64, offset: u64, limit: u64) -> Result<Vec<UserId>> {
        let (offset, limit) = super::sql_page(offset, limit);
        self.read(|conn| {
            open_group(conn, id)?;
            Ok(conn
                .prepare(
                    "SELECT user_id FROM group_members WHERE group_id = ? ORDER BY user_id
                     LIMIT ? OFFSET ?",
                )?
                .query_map(params![id, limit, offset], |r| r.get(0))?
                .collect::<Result<_, _>>()?)
        })
    }

    /// `PUT /v1/groups/{id}/users/{user}` (`member`) and `DELETE` (not):
    /// both are idempotent; the group and the user must exist.
    pub(crate) fn set_member(
        &self,
        caller: UserId,
        id: i64,
        user: UserId,
        member: bool,
    ) -> Result<()> {
        self.write(|conn| {
            require_admin(conn, caller, "change group members")?;
            open_group(conn, id)?;
            open_user(conn, user)?;
            if member {
                conn.execute(
                    "INSERT OR IGNORE INTO group_members (group_id, user_id) VALUES (?, ?)",
                    params![id, user],
                )?;
            } else {
                conn.execute(
                    "DELETE FROM group_members WHERE group_id = ? AND user_id = ?",
                    params![id, user],
                )?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ErrorKind;
    use crate::store::users::Directory;

    fn store() -> Store {
        let s = Store::in_memory();
        s.install_directory(&Directory {
            users: vec![User::implicit(1), User::implicit(5)],
            ..Directory::default()
        })
        .unwrap();
        s
    }

    #[test]
    fn people_are_registry_users() {
        let s = store();
        let new = NewPerson {
            name: "Ada".into(),
            email: "ada@example.com".into(),
            role: "Participant".into(),
            profile: Profile {
                title: Some("Analyst".into()),
                ..Profile::default()
            },
        };
        let p = s.create_person(1, &new).unwrap();
        assert_eq!(p.user.id, 6, "the next id after the highest");
        assert_eq!(s.find_user(6).unwrap().unwrap().role, Role::Participant);
        assert_eq!(p.profile.title.as_deref(), Some("Analyst"));
        let e = s.create_person(1, &new).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Conflict, "{}", e.message);
        let e = s.create_person(5, &new).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Forbidden);
        let up = PersonUpdate {
            role: Some("Editor".into()),
            ..PersonUpdate::default()
        };
        let p = s.update_person(1, 6, &up).unwrap();
        assert_eq!(p.user.role, Role::Editor);
        assert_eq!(p.profile.title.as_deref(), Some("Analyst"), "kept");
        let up = PersonUpdate {
            role: Some("Participant".into()),
            ..PersonUpdate::default()
        };
        assert!(s.update_person(1, 1, &up).is_err(), "user 1 stays Admin");
        s.delete_person(1, 6).unwrap();
        assert_eq!(s.find_user(6).unwrap(), None);
        assert_eq!(
            s.get_person(6).unwrap_err().kind,
            ErrorKind::NotFound,
            "gone"
        );
    }

    #[test]
    fn groups_hold_members_that_exist() {
        let s = store();
        let g = s
            .create_team(
                1,
                &TeamChange {
                    name: Some("Sales".into()),
                    ..TeamChange::default()
                },
            )
            .unwrap();
        assert!(g.active && !g.is_default);
        s.set_member(1, g.id, 5, true).unwrap();
        s.set_member(1, g.id, 5, true).unwrap();
        assert_eq!(s.list_members(g.id, 0, 10).unwrap(), vec![5]);
        assert_eq!(s.get_team(g.id).unwrap().member_count, 1);
        assert_eq!(
            s.get_person(5).unwrap().groups,
            vec![(g.id, "Sales".into())]
        );
        let e = s.set_member(1, g.id, 99, true).unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound);
        s.read(|c| {
            assert_eq!(super::super::users::groups_of(c, 5)?, vec![g.id]);
            Ok(())
        })
        .unwrap();
        s.set_member(1, g.id, 5, false).unwrap();
        assert_eq!(s.list_members(g.id, 0, 10).unwrap(), Vec::<i64>::new());
        s.delete_team(1, g.id).unwrap();
        assert_eq!(s.get_team(g.id).unwrap_err().kind, ErrorKind::NotFound);
    }
}
