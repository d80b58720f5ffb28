//! `domoctl token ...`: access tokens. A minted token's value is printed
//! once, alone on stdout, so that `TOKEN=$(domoctl token create etl)`
//! catches it; everything else about it goes to stderr.

use std::time::{Duration, SystemTime};

use domo_native::model::tokens::AccessToken;
use domo_native::{Client, ErrorKind};
use serde_json::json;

use super::id;
use crate::args::TokenCommand;
use crate::failure::Failure;
use crate::output::{Format, Output, note, opt};
use crate::profile::Profile;
use crate::table::Table;
use crate::units::format_epoch_ms;

const DAY_MS: u64 = 86_400_000;

pub async fn run(
    client: &Client,
    profile: Option<&Profile>,
    out: Output,
    command: TokenCommand,
) -> Result<(), Failure> {
    match command {
        TokenCommand::Create { name, owner, days } => {
            let owner = match owner.or_else(|| profile.and_then(|p| p.user_id.clone())) {
                Some(o) => id(&o),
                None => client.whoami().await.map(|me| me.id).map_err(|e| {
                    if e.kind() == ErrorKind::NotFound {
                        Failure::usage(
                            "cannot tell who you are on this server: give --owner USER_ID",
                        )
                    } else {
                        e.into()
                    }
                })?,
            };
            let expires = SystemTime::now() + Duration::from_millis(u64::from(days) * DAY_MS);
            let minted = client.create_access_token(&name, owner, expires).await?;
            let t = &minted.token;
            match out.format {
                Format::Json => {
                    let mut v = json!(t);
                    v["token"] = json!(minted.value.expose());
                    out.json(&v)?;
                }
                Format::Table | Format::Csv => {
                    out.raw(format!("{}\n", minted.value.expose()))?;
                }
            }
            note(&format!(
                "access token {} {:?} for user {}, expires {}: its value is shown this once",
                t.id,
                t.name,
                opt(&t.owner_id),
                t.expires.map(format_epoch_ms).unwrap_or_default()
            ));
            Ok(())
        }
        TokenCommand::List => {
            let list = client.access_tokens().await?;
            out.list(&list, |l| tokens_table(l))
        }
        TokenCommand::Revoke { token_id } => {
            client.revoke_access_token(&token_id).await?;
            out.done(
                &format!("revoked access token {token_id}: it no longer works"),
                json!({"revoked": token_id}),
            )
        }
    }
}

pub fn tokens_table(list: &[AccessToken]) -> Table {
    let mut t = Table::new(["id", "name", "owner", "owner name", "expires"]);
    for a in list {
        t.push([
            a.id.to_string(),
            a.name.clone(),
            opt(&a.owner_id),
            opt(&a.owner_name),
            a.expires.map(format_epoch_ms).unwrap_or_default(),
        ]);
    }
    t
}
