//! `domoctl pdp ...`: row policies (personalized data permissions).

use domo_native::Client;
use domo_native::model::Id;
use domo_native::model::pdp::{Policy, PolicyOperator, PolicyParameter};
use serde_json::json;

use super::id;
use crate::args::{PdpCommand, PolicySpec};
use crate::failure::Failure;
use crate::output::Output;
use crate::table::Table;

pub async fn run(client: &Client, out: Output, command: PdpCommand) -> Result<(), Failure> {
    match command {
        PdpCommand::List { id } => {
            let list = client.policies(&id).await?;
            out.list(&list, |l| policies_table(l))
        }
        PdpCommand::Create { id, name, spec } => {
            if name.trim().is_empty() {
                return Err(Failure::usage("the policy's name is empty"));
            }
            if spec.users.is_empty() && spec.groups.is_empty() && spec.virtual_users.is_empty() {
                return Err(Failure::usage(
                    "the policy names nobody: give --user ID, --group ID or --virtual-user ID",
                ));
            }
            if spec.rules.is_empty() {
                return Err(Failure::usage(
                    "the policy has no rule: give --where COLUMN=VALUE[,VALUE...] (or COLUMN!=VALUE)",
                ));
            }
            let mut policy = Policy::new(&id, name);
            apply(&mut policy, spec);
            let created = client.create_policy(&id, policy).await?;
            let pid = created
                .filter_group_id
                .as_ref()
                .map(Id::to_string)
                .unwrap_or_default();
            out.done(
                &format!(
                    "created policy {pid} {:?} on {id}: {}",
                    created.name,
                    rules(&created)
                ),
                json!(created),
            )
        }
        PdpCommand::Update {
            id,
            policy_id,
            name,
            spec,
        } => {
            let list = client.policies(&id).await?;
            let mut policy = list
                .into_iter()
                .find(|p| p.filter_group_id.as_ref().map(Id::to_string).as_deref() == Some(&policy_id))
                .ok_or_else(|| {
                    Failure::usage(format!(
                        "dataset {id} has no policy {policy_id} (`domoctl pdp list {id}` shows its policies)"
                    ))
                })?;
            if let Some(n) = name {
                policy.name = n;
            }
            apply(&mut policy, spec);
            let updated = client.update_policy(&id, &policy_id, policy).await?;
            out.done(
                &format!(
                    "updated policy {policy_id} {:?} on {id}: {}",
                    updated.name,
                    rules(&updated)
                ),
                json!(updated),
            )
        }
        PdpCommand::Delete { id, policy_id } => {
            client.delete_policy(&id, &policy_id).await?;
            out.done(
                &format!("deleted policy {policy_id} of {id}"),
                json!({"datasetId": id, "deleted": policy_id}),
            )
        }
        PdpCommand::Enable { id } => switch(client, out, id, true).await,
        PdpCommand::Disable { id } => switch(client, out, id, false).await,
    }
}

async fn switch(client: &Client, out: Output, id: String, enabled: bool) -> Result<(), Failure> {
    client.set_pdp(&id, enabled).await?;
    let sentence = if enabled {
        format!("row policies are on for {id}: people see only the rows their policies give them")
    } else {
        format!("row policies are off for {id}: everyone with access sees every row")
    };
    out.done(&sentence, json!({"datasetId": id, "enabled": enabled}))
}

/// The people and rules `spec` gives replace the policy's own; what it
/// leaves out stays.
fn apply(policy: &mut Policy, spec: PolicySpec) {
    let ids = |v: Vec<String>| v.into_iter().map(|s| id(&s)).collect::<Vec<_>>();
    if !spec.users.is_empty() {
        policy.user_ids = ids(spec.users);
    }
    if !spec.groups.is_empty() {
        policy.group_ids = ids(spec.groups);
    }
    if !spec.virtual_users.is_empty() {
        policy.virtual_user_ids = ids(spec.virtual_users);
    }
    if !spec.rules.is_empty() {
        policy.parameters = spec
            .rules
            .into_iter()
            .map(|r| {
                let operator = if r.negate {
                    PolicyOperator::NotEquals
                } else {
                    PolicyOperator::Equals
                };
                let p = PolicyParameter::compare(r.column, operator, r.values);
                if spec.ignore_case {
                    p.ignoring_case()
                } else {
                    p
                }
            })
            .collect();
    } else if spec.ignore_case {
        for p in &mut policy.parameters {
            p.ignore_case = true;
        }
    }
}

/// `region = east|north (any case); amount != 0`.
fn rules(p: &Policy) -> String {
    if p.is_open() {
        return "all rows".to_owned();
    }
    let parts: Vec<String> = p
        .parameters
        .iter()
        .map(|r| {
            let op = match r.operator.as_str() {
                "EQUALS" => "=",
                "NOT_EQUALS" => "!=",
                other => other,
            };
            let case = if r.ignore_case { " (any case)" } else { "" };
            format!("{} {op} {}{case}", r.name, r.values.join("|"))
        })
        .collect();
    if parts.is_empty() {
        "no rows".to_owned()
    } else {
        parts.join("; ")
    }
}

fn joined(ids: &[Id]) -> String {
    ids.iter().map(Id::to_string).collect::<Vec<_>>().join(",")
}

pub fn policies_table(list: &[Policy]) -> Table {
    let mut t = Table::new(["policy", "name", "users", "groups", "rows"]);
    for p in list {
        t.push([
            p.filter_group_id
                .as_ref()
                .map(Id::to_string)
                .unwrap_or_default(),
            p.name.clone(),
            joined(&p.user_ids),
            joined(&p.group_ids),
            rules(p),
        ]);
    }
    t
}
