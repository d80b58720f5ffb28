//! The people an emulator is started with: users (`--user ID:EMAIL[:ROLE]`),
//! passwords (`--password ID=SECRET`) and groups (`--group
//! ID:NAME:USER_ID,USER_ID`), their parsing, and the registry they become
//! (`store::users::Directory`), with `--token` users and the `--demo`
//! people added.

use std::fmt;

use crate::error::Error;
use crate::store::users::{Directory, Group, Role, User};

/// A user of the instance. User 1 is always the Admin; anyone else is an
/// `Editor` unless given `Admin`, `Privileged` or `Participant`.
#[derive(Debug, Clone, PartialEq)]
pub struct UserSpec {
    pub id: i64,
    pub email: String,
    pub role: Option<String>,
}

/// A group of users.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupSpec {
    pub id: i64,
    pub name: String,
    pub members: Vec<i64>,
}

/// A login password; `Debug` never shows it.
#[derive(Clone, PartialEq)]
pub struct Password(String);

impl Password {
    pub fn new(secret: impl Into<String>) -> Self {
        Password(secret.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([redacted])")
    }
}

/// Every header a Domo client may carry a token in; they share one table
/// (and the app session is one of them).
pub(crate) const TOKEN_HEADERS: [&str; 4] = [
    "x-domo-developer-token",
    "x-domo-authentication",
    "x-domo-ryuu-session",
    "x-domo-ryuu-token",
];

/// Tokens as `Debug` output may show them: the user only.
pub(crate) fn redacted_tokens<'a>(users: impl IntoIterator<Item = &'a i64>) -> Vec<String> {
    users
        .into_iter()
        .map(|u| format!("[redacted]={u}"))
        .collect()
}

fn positive_id(s: &str, what: &str, arg: &str) -> Result<i64, String> {
    s.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("`{arg}`: {what} must be a positive integer, got `{s}`"))
}

/// `ID:EMAIL[:ROLE]`.
pub fn parse_user(s: &str) -> Result<UserSpec, String> {
    let mut parts = s.splitn(3, ':');
    let id = positive_id(parts.next().unwrap_or(""), "ID", s)?;
    let email = parts.next().unwrap_or("").trim();
    if !email.contains('@') {
        return Err(format!(
            "`{s}`: expected ID:EMAIL[:ROLE] with an email address"
        ));
    }
    let role = parts.next().map(str::trim).filter(|r| !r.is_empty());
    if let Some(r) = role
        && Role::parse(r).is_none()
    {
        return Err(format!(
            "`{s}`: ROLE must be Admin, Privileged, Editor or Participant, got `{r}`"
        ));
    }
    Ok(UserSpec {
        id,
        email: email.to_owned(),
        role: role.map(str::to_owned),
    })
}

/// `ID=SECRET`. The message never repeats the secret.
pub fn parse_password(s: &str) -> Result<(i64, Password), String> {
    let Some((id, secret)) = s.split_once('=') else {
        return Err("--password: expected ID=SECRET".to_owned());
    };
    let id = id
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| "--password: ID must be a positive integer".to_owned())?;
    if secret.is_empty() {
        return Err(format!("--password for user {id}: the password is empty"));
    }
    Ok((id, Password::new(secret)))
}

/// `ID:NAME:USER_ID,USER_ID` (the member list may be empty).
pub fn parse_group(s: &str) -> Result<GroupSpec, String> {
    let mut parts = s.splitn(3, ':');
    let id = positive_id(parts.next().unwrap_or(""), "ID", s)?;
    let name = parts.next().unwrap_or("").trim();
    if name.is_empty() {
        return Err(format!(
            "`{s}`: expected ID:NAME:USER_ID,USER_ID with a name"
        ));
    }
    let members = parts
        .next()
        .unwrap_or("")
        .split(',')
        .filter(|m| !m.trim().is_empty())
        .map(|m| positive_id(m, "USER_ID", s))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(GroupSpec {
        id,
        name: name.to_owned(),
        members,
    })
}

/// Tokens `--demo` adds (unless configured otherwise) for its people.
pub const DEMO_TOKENS: [(&str, i64); 2] = [("demo-east-token", 7), ("demo-west-token", 8)];

/// The people `--demo` adds when not configured otherwise: user 7
/// (`east@example.com`, Editor), user 8 (`west@example.com`, Participant),
/// group 3 "East team" with user 7.
fn demo_people() -> (Vec<UserSpec>, Vec<GroupSpec>) {
    (
        vec![
            UserSpec {
                id: 7,
                email: "east@example.com".into(),
                role: Some("Editor".into()),
            },
            UserSpec {
                id: 8,
                email: "west@example.com".into(),
                role: Some("Participant".into()),
            },
        ],
        vec![GroupSpec {
            id: 3,
            name: "East team".into(),
            members: vec![7],
        }],
    )
}

fn display_name(email: &str) -> String {
    email.split('@').next().unwrap_or(email).to_owned()
}

/// The registry for a configuration: the given users, every user a token
/// names (an Editor, user 1 the Admin), the demo people with `demo`.
pub(crate) fn directory(
    users: &[UserSpec],
    groups: &[GroupSpec],
    passwords: &[(i64, Password)],
    token_users: impl IntoIterator<Item = i64>,
    demo: bool,
) -> Result<Directory, Error> {
    let mut users = users.to_vec();
    let mut groups = groups.to_vec();
    if demo {
        let (du, dg) = demo_people();
        for u in du {
            if !users.iter().any(|x| x.id == u.id) {
                users.push(u);
            }
        }
        for g in dg {
            if !groups.iter().any(|x| x.id == g.id) {
                groups.push(g);
            }
        }
    }
    let mut out = Directory::default();
    for u in &users {
        if out.users.iter().any(|x: &User| x.id == u.id) {
            return Err(Error::Config(format!("user {} is given twice", u.id)));
        }
        let role = match u.role.as_deref() {
            None => User::implicit(u.id).role,
            Some(r) => Role::parse(r).ok_or_else(|| {
                Error::Config(format!(
                    "user {}: role must be Admin, Privileged, Editor or Participant, got `{r}`",
                    u.id
                ))
            })?,
        };
        out.users.push(User {
            id: u.id,
            email: u.email.clone(),
            display_name: display_name(&u.email),
            role,
        });
    }
    for id in token_users {
        if !out.users.iter().any(|x| x.id == id) {
            out.users.push(User::implicit(id));
        }
    }
    out.groups = groups
        .iter()
        .map(|g| Group {
            id: g.id,
            name: g.name.clone(),
            members: g.members.clone(),
        })
        .collect();
    out.passwords = passwords
        .iter()
        .map(|(id, p)| (*id, p.expose().to_owned()))
        .collect();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_and_name_what_is_wrong() {
        assert_eq!(
            parse_user("7:east@example.com:participant").unwrap(),
            UserSpec {
                id: 7,
                email: "east@example.com".into(),
                role: Some("participant".into())
            }
        );
        assert!(
            parse_user("7:east@example.com:Boss")
                .unwrap_err()
                .contains("ROLE")
        );
        assert!(parse_user("x:east@example.com").is_err());
        let e = parse_password("7").unwrap_err();
        assert!(e.contains("ID=SECRET"));
        let (id, p) = parse_password("7=s3cr=et").unwrap();
        assert_eq!((id, p.expose()), (7, "s3cr=et"));
        assert!(!format!("{p:?}").contains("s3cr"));
        let e = parse_password("x=hunter2").unwrap_err();
        assert!(!e.contains("hunter2"), "{e}");
        assert_eq!(parse_group("3:Sales:7, 9").unwrap().members, vec![7, 9]);
        assert_eq!(parse_group("3:Empty").unwrap().members, Vec::<i64>::new());
    }

    #[test]
    fn token_users_are_editors_and_user_1_the_admin() {
        let d = directory(&[], &[], &[], [1, 5], false).unwrap();
        assert_eq!(d.users[0].role, Role::Admin);
        assert_eq!(d.users[1].role, Role::Editor);
        let d = directory(&[], &[], &[], [1], true).unwrap();
        assert!(
            d.users
                .iter()
                .any(|u| u.id == 8 && u.role == Role::Participant)
        );
    }
}

#[cfg(test)]
mod debug_tests {
    use crate::EmulatorConfig;
    use crate::cli::EmulatorArgs;
    use clap::Parser;

    #[derive(Parser)]
    struct Flags {
        #[command(flatten)]
        emulator: EmulatorArgs,
    }

    #[test]
    fn debug_output_holds_no_token_or_password() {
        let flags = Flags::try_parse_from([
            "x",
            "--token",
            "tok-secret-1=7",
            "--user",
            "7:a@b.c",
            "--password",
            "7=pw-secret-2",
        ])
        .unwrap();
        let args = format!("{:?}", flags.emulator);
        let config = format!("{:?}", EmulatorConfig::from(flags.emulator));
        for shown in [args, config] {
            assert!(shown.contains("[redacted]=7"), "{shown}");
            assert!(
                !shown.contains("tok-secret-1") && !shown.contains("pw-secret-2"),
                "{shown}"
            );
        }
    }
}
