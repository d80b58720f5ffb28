//! `domoctl login`, `logout`, `profile list` and `completions`.
//!
//! The password is read without echo from the terminal, or from stdin with
//! `--password-stdin`; never from an argument, which shell history and
//! process lists would keep. It and the session token stay `Secret`s.

use std::io::{BufRead, IsTerminal, Read, Write};

use clap::CommandFactory;
use domo_core::Secret;
use domo_native::{Client, ErrorKind};
use serde_json::json;

use crate::args::{Cli, LoginArgs, LogoutArgs, ProfileCommand, Shell};
use crate::connect::{self, Location};
use crate::failure::Failure;
use crate::output::{Output, note};
use crate::profile::{DEFAULT_PROFILE, Profile, Profiles, TokenKind};
use crate::table::Table;

pub async fn login(args: LoginArgs, out: Output) -> Result<(), Failure> {
    if let Some(id) = connect::non_empty(args.conn.client_id.as_deref()) {
        let id = id.to_owned();
        return login_client(&args, &id, out).await;
    }
    let conn = &args.conn;
    let name = connect::non_empty(conn.profile.as_deref())
        .unwrap_or(DEFAULT_PROFILE)
        .to_owned();
    let mut profiles = Profiles::load()?;
    let previous = profiles.profiles.get(&name).cloned();
    let location = match connect::given_location(conn)? {
        Some(l) => l,
        None => previous
            .as_ref()
            .and_then(|p| match (&p.instance, &p.base_url) {
                (Some(i), _) => Some(Location::Instance(i.clone())),
                (None, Some(u)) => Some(Location::BaseUrl(u.clone())),
                _ => None,
            })
            .ok_or_else(|| {
                Failure::usage(
                    "where to log in? give --instance NAME (acme for acme.domo.com) or --base-url URL",
                )
            })?,
    };
    let email = match connect::non_empty(args.email.as_deref()) {
        Some(e) => e.to_owned(),
        None => ask_email(args.password_stdin, previous.as_ref())?,
    };
    let password = read_password(args.password_stdin)?;

    let (client, session) =
        Client::login(connect::builder(conn, &location), &email, &password).await?;
    drop(client);
    if let Ok(mut held) = connect::PROFILE_SECRETS.lock() {
        held.push(session.token.clone());
    }
    let user_id = session.user_id.as_ref().map(ToString::to_string);
    let (instance, base_url) = match &location {
        Location::Instance(i) => (Some(i.clone()), None),
        Location::BaseUrl(u) => (None, Some(u.clone())),
    };
    profiles.profiles.insert(
        name.clone(),
        Profile {
            instance,
            base_url,
            token_kind: TokenKind::Session,
            token: session.token,
            email: Some(email.clone()),
            user_id: user_id.clone(),
            client_id: None,
        },
    );
    profiles.save()?;
    let who = match &user_id {
        Some(u) => format!("{email} (user {u})"),
        None => email.clone(),
    };
    out.done(
        &format!(
            "logged in to {} as {who}; the session is saved as profile {name:?} in {}",
            location.text(),
            profiles.path.display()
        ),
        json!({"profile": name, "location": location.text(), "email": email, "userId": user_id,
               "file": profiles.path.display().to_string()}),
    )
}

/// `domoctl login --client-id ID`: the secret from `DOMO_CLIENT_SECRET`,
/// stdin (`--client-secret-stdin`) or the terminal without echo; checked
/// by buying a token with it, then saved (0600) as a profile of kind
/// client credentials.
async fn login_client(args: &LoginArgs, client_id: &str, out: Output) -> Result<(), Failure> {
    let conn = &args.conn;
    let name = connect::non_empty(conn.profile.as_deref())
        .unwrap_or(DEFAULT_PROFILE)
        .to_owned();
    if connect::non_empty(conn.instance.as_deref()).is_some() {
        return Err(Failure::usage(
            "client credentials are for the public API at api.domo.com, not an instance: drop --instance (give --base-url for a proxy or the emulator)",
        ));
    }
    let secret = match conn
        .client_secret
        .as_ref()
        .filter(|s| !s.expose().is_empty())
    {
        Some(s) => s.clone(),
        None => read_secret(
            args.client_secret_stdin,
            "Client secret",
            "--client-secret-stdin",
        )?,
    };
    let base_url = connect::non_empty(conn.base_url.as_deref()).map(str::to_owned);
    let client = connect::public_client(conn, base_url.as_deref(), client_id, &secret)?;
    if let Ok(mut held) = connect::PROFILE_SECRETS.lock() {
        held.push(secret.clone());
    }
    // Any answer but a refused token proves the secret: a 403 only says
    // the client lacks the `data` scope.
    let mut first = Box::pin(client.v1().datasets(None));
    match futures_util::StreamExt::next(&mut first).await {
        Some(Err(e)) if e.kind() != ErrorKind::Forbidden => return Err(e.into()),
        _ => {}
    }
    let mut profiles = Profiles::load()?;
    profiles.profiles.insert(
        name.clone(),
        Profile {
            instance: None,
            base_url: base_url.clone(),
            token_kind: TokenKind::Client,
            token: secret,
            email: None,
            user_id: None,
            client_id: Some(client_id.to_owned()),
        },
    );
    profiles.save()?;
    let place = base_url.as_deref().unwrap_or("api.domo.com");
    out.done(
        &format!(
            "client {client_id} checked against {place}; its secret is saved as profile {name:?} in {}",
            profiles.path.display()
        ),
        json!({"profile": name, "location": place, "clientId": client_id,
               "file": profiles.path.display().to_string()}),
    )
}

fn ask_email(password_stdin: bool, previous: Option<&Profile>) -> Result<String, Failure> {
    let stdin = std::io::stdin();
    if password_stdin || !stdin.is_terminal() {
        if let Some(e) = previous.and_then(|p| p.email.clone()) {
            return Ok(e);
        }
        return Err(Failure::usage(
            "give your email address with --email ADDRESS (there is no terminal to ask on)",
        ));
    }
    let hint = previous
        .and_then(|p| p.email.as_deref())
        .map(|e| format!(" [{e}]"))
        .unwrap_or_default();
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "Email address{hint}: ");
    let _ = err.flush();
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::io("cannot read the email address", e))?;
    match line.trim() {
        "" => previous
            .and_then(|p| p.email.clone())
            .ok_or_else(|| Failure::usage("no email address given")),
        e => Ok(e.to_owned()),
    }
}

fn read_password(from_stdin: bool) -> Result<Secret, Failure> {
    read_secret(from_stdin, "Password", "--password-stdin")
}

/// A secret (`what`: "Password", "Client secret") from one line of stdin
/// when `from_stdin`, else from the terminal without echo.
fn read_secret(from_stdin: bool, what: &str, flag: &str) -> Result<Secret, Failure> {
    let lower = what.to_lowercase();
    let text = if from_stdin {
        let mut text = String::new();
        std::io::stdin()
            .lock()
            .read_to_string(&mut text)
            .map_err(|e| Failure::io(format!("cannot read the {lower} from stdin"), e))?;
        // One line: the line break `echo` or a file adds is no part of it.
        let line = text.lines().next().unwrap_or("").to_owned();
        text.clear();
        line
    } else if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("{what}: "))
            .map_err(|e| Failure::io(format!("cannot read the {lower} from the terminal"), e))?
    } else {
        return Err(Failure::usage(format!(
            "there is no terminal to ask for the {lower} on: pipe it in with {flag}"
        )));
    };
    if text.is_empty() {
        return Err(Failure::usage(format!("the {lower} is empty")));
    }
    Ok(Secret::new(text))
}

pub fn logout(args: LogoutArgs, out: Output) -> Result<(), Failure> {
    let name = connect::non_empty(args.profile.as_deref())
        .unwrap_or(DEFAULT_PROFILE)
        .to_owned();
    let mut profiles = Profiles::load()?;
    if profiles.profiles.remove(&name).is_none() {
        return Err(Failure::usage(format!(
            "there is no profile {name:?} in {} (`domoctl profile list` shows the saved ones)",
            profiles.path.display()
        )));
    }
    profiles.save()?;
    out.done(
        &format!("logged out: profile {name:?} and its session are forgotten"),
        json!({"profile": name, "removed": true}),
    )
}

pub fn profiles(command: ProfileCommand, out: Output) -> Result<(), Failure> {
    match command {
        ProfileCommand::List => {
            let profiles = Profiles::load()?;
            let rows: Vec<serde_json::Value> = profiles
                .profiles
                .iter()
                .map(|(name, p)| {
                    json!({"name": name, "instance": p.instance, "baseUrl": p.base_url,
                           "kind": p.token_kind, "email": p.email, "userId": p.user_id})
                })
                .collect();
            out.list(&rows, |_| {
                let mut t = Table::new(["profile", "instance", "kind", "email", "user"]);
                for (name, p) in &profiles.profiles {
                    t.push([
                        name.clone(),
                        p.location().to_owned(),
                        p.token_kind.name().to_owned(),
                        p.email.clone().unwrap_or_default(),
                        p.user_id.clone().unwrap_or_default(),
                    ]);
                }
                t
            })?;
            if profiles.profiles.is_empty() {
                note(&format!(
                    "no profiles in {} yet: `domoctl login` saves one",
                    profiles.path.display()
                ));
            }
            Ok(())
        }
    }
}

pub fn completions(shell: Shell) -> Result<(), Failure> {
    let shell = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    let mut text = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "domoctl", &mut text);
    Output::new(crate::output::Format::Table).raw(text)
}
