//! `domoctl permissions ...` and `domoctl partitions ...`.

use domo_native::model::partitions::Partition;
use domo_native::model::permissions::{Permission, PermissionList, PrincipalRef, PrincipalType};
use domo_native::{Client, ShareOptions};
use serde_json::json;

use crate::args::{PartitionsCommand, PermissionsCommand};
use crate::failure::Failure;
use crate::output::{Output, cell_text, opt};
use crate::table::Table;
use crate::units::format_epoch_ms;

pub async fn permissions(
    client: &Client,
    out: Output,
    command: PermissionsCommand,
) -> Result<(), Failure> {
    match command {
        PermissionsCommand::List { id } => {
            let list = client.permissions(&id).await?;
            out.list(&list, permissions_table)
        }
        PermissionsCommand::Share {
            id,
            users,
            groups,
            email,
        } => {
            if users.is_empty() && groups.is_empty() {
                return Err(Failure::usage(
                    "nothing to share: give --user ID:LEVEL or --group ID:LEVEL (for example --user 7:CAN_EDIT)",
                ));
            }
            let grants: Vec<Permission> = users
                .iter()
                .map(|g| Permission::user(g.id.as_str(), g.level.clone()))
                .chain(
                    groups
                        .iter()
                        .map(|g| Permission::group(g.id.as_str(), g.level.clone())),
                )
                .collect();
            let described: Vec<String> = grants
                .iter()
                .map(|p| {
                    format!(
                        "{} {} {}",
                        kind_name(&p.kind),
                        p.id,
                        p.access_level.as_str()
                    )
                })
                .collect();
            let mut options = ShareOptions::default();
            if email {
                options = options.send_email();
            }
            client.share(&id, grants.clone(), &options).await?;
            out.done(
                &format!("shared {id}: {}", described.join(", ")),
                json!({"datasetId": id, "shared": grants, "sendEmail": email}),
            )
        }
        PermissionsCommand::Revoke { id, user } => {
            client.revoke_user(&id, &user).await?;
            out.done(
                &format!("revoked user {user}'s access to {id}"),
                json!({"datasetId": id, "revoked": [user]}),
            )
        }
        PermissionsCommand::Remove { id, users } => {
            if let [user] = users.as_slice() {
                client.remove_user(&id, user).await?;
            } else {
                let refs = users
                    .iter()
                    .map(|u| PrincipalRef::user(u.as_str()))
                    .collect();
                client.remove_users(&id, refs).await?;
            }
            out.done(
                &format!(
                    "removed user{} {} from {id}",
                    plural(users.len()),
                    users.join(", ")
                ),
                json!({"datasetId": id, "removed": users}),
            )
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn kind_name(kind: &PrincipalType) -> &str {
    match kind {
        PrincipalType::User => "USER",
        PrincipalType::Group => "GROUP",
        PrincipalType::Other(s) => s,
    }
}

pub fn permissions_table(list: &PermissionList) -> Table {
    let mut t = Table::new(["type", "id", "name", "access"]);
    for p in &list.list {
        t.push([
            kind_name(&p.kind).to_owned(),
            p.id.to_string(),
            opt(&p.name),
            p.access_level.as_str().to_owned(),
        ]);
    }
    t
}

pub async fn partitions(
    client: &Client,
    out: Output,
    command: PartitionsCommand,
) -> Result<(), Failure> {
    match command {
        PartitionsCommand::List { id } => {
            let all = client.partitions(&id).await?;
            out.list(&all, |p| partitions_table(p))
        }
        PartitionsCommand::Search {
            id,
            conditions,
            filter,
        } => {
            let filter = match filter {
                Some(text) => {
                    let v: serde_json::Value = serde_json::from_str(&text)
                        .map_err(|e| Failure::usage(format!("--filter is not valid JSON: {e}")))?;
                    if !v.is_object() {
                        return Err(Failure::usage(
                            "--filter must be a JSON object, such as {\"status\": \"ACTIVE\"}",
                        ));
                    }
                    v
                }
                None => serde_json::Value::Object(conditions.into_iter().collect()),
            };
            let found = client.search_partitions(&id, filter).await?;
            out.list(&found, |p| partitions_table(p))
        }
        PartitionsCommand::Delete {
            id,
            partitions,
            data_only,
        } => {
            for pid in &partitions {
                if data_only {
                    client.delete_partition_data(&id, pid).await
                } else {
                    client.delete_partition(&id, pid).await
                }
                .map_err(|e| e.context(format!("deleting partition {pid}")))?;
            }
            let what = if data_only { "the data of" } else { "" };
            out.done(
                &format!(
                    "deleted {what}{}partition{} {} of {id}",
                    if data_only { " " } else { "" },
                    plural(partitions.len()),
                    partitions.join(", ")
                ),
                json!({"datasetId": id, "deleted": partitions, "dataOnly": data_only}),
            )
        }
    }
}

pub fn partitions_table(partitions: &[Partition]) -> Table {
    let mut t = Table::new(["partition", "status", "rows", "version", "completed"]);
    for p in partitions {
        // Real servers add these; the model keeps them among the extras.
        let version = p.extra.get("dataVersionId").map(cell_text);
        let completed = p
            .extra
            .get("dateCompleted")
            .and_then(serde_json::Value::as_i64)
            .map(format_epoch_ms);
        t.push([
            p.partition_id.to_string(),
            opt(&p.status),
            opt(&p.row_count),
            version.unwrap_or_default(),
            completed.unwrap_or_default(),
        ]);
    }
    t
}
