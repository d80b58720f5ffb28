//! The tour's row-policy step: two users, the same dataset, two totals.

use std::time::{Duration, SystemTime};

use domo_native::model::Id;
use domo_native::model::pdp::{Policy, PolicyParameter};
use domo_native::model::permissions::{AccessLevel, Permission};
use domo_native::{Client, ErrorKind, ShareOptions};

use super::Steps;
use crate::commands::pdp::policies_table;
use crate::failure::Failure;
use crate::table::Table;

/// The users the step names, as the emulator's `--demo` people are (`--user 7:east@example.com`, ...).
pub const USERS: [(u64, &str); 2] = [(7, "east@example.com"), (8, "west@example.com")];

const REVENUE: &str =
    "SELECT COUNT(*) AS orders, ROUND(SUM(units * unit_price), 2) AS revenue FROM table";

pub async fn step(steps: &mut Steps, owner: &Client, url: &str, id: &str) -> Result<(), Failure> {
    let [(east, east_email), (west, west_email)] = USERS;
    steps.title(
        "Row policies",
        "two people, the same dataset, two totals: each sees only the rows a policy gives them",
    )?;
    owner
        .share(
            id,
            vec![
                Permission::user(east, AccessLevel::CanEdit),
                Permission::user(west, AccessLevel::CanEdit),
            ],
            &ShareOptions::default(),
        )
        .await?;
    let rule =
        |values: &[&str]| PolicyParameter::equals("region", values.iter().copied()).ignoring_case();
    for (user, name, values) in [
        (east, "East and north", &["east", "north"][..]),
        (west, "West", &["west"][..]),
    ] {
        let mut p = Policy::new(id, name);
        p.user_ids = vec![Id::Num(user)];
        p.parameters = vec![rule(values)];
        owner.create_policy(id, p).await?;
    }
    owner.set_pdp(id, true).await?;
    steps.table(&policies_table(&owner.policies(id).await?))?;

    // Each user calls with an access token the owner mints for them.
    let expires = SystemTime::now() + Duration::from_secs(3600);
    let mut who = Vec::new();
    for (user, email) in [(east, east_email), (west, west_email)] {
        let minted = owner
            .create_access_token(&format!("demo {email}"), user, expires)
            .await?;
        let client = Client::builder()
            .base_url(url)
            .developer_token(minted.value.expose())
            .build()?;
        who.push((format!("user {user} ({email})"), client, minted.token.id));
    }
    steps.detail(REVENUE)?;
    let mut t = Table::new(["who", "orders", "revenue"]);
    let owner_row = owner.query(id, REVENUE).await?;
    let cell = |r: &domo_native::model::query::QueryResult, i: usize| {
        r.rows
            .first()
            .and_then(|row| row.get(i))
            .map(crate::output::cell_text)
            .unwrap_or_default()
    };
    t.push([
        "the owner (every row)".to_owned(),
        cell(&owner_row, 0),
        cell(&owner_row, 1),
    ]);
    for (name, client, _) in &who {
        let r = client.query(id, REVENUE).await?;
        t.push([name.clone(), cell(&r, 0), cell(&r, 1)]);
    }
    steps.table(&t)?;

    // Revoked, a token stops at once.
    let (name, client, token_id) = &who[0];
    owner.revoke_access_token(&token_id.to_string()).await?;
    match client.query(id, REVENUE).await {
        Err(e) if e.kind() == ErrorKind::Unauthorized => steps.detail(&format!(
            "revoked the token of {name}: the next call gets HTTP 401"
        ))?,
        Err(e) => return Err(e.into()),
        Ok(_) => {
            return Err(Failure::Io(
                "a revoked token still worked against the emulator".into(),
            ));
        }
    }
    Ok(())
}
