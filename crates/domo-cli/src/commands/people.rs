//! `domoctl user ...` and `domoctl group ...`: the public API's users and
//! groups (`/v1/users`, `/v1/groups`), with client credentials. With a
//! developer token the client says which API these need
//! ([`domo_native::ErrorKind::WrongApi`]).

use domo_native::model::Id;
use domo_native::model::v1::{V1Group, V1GroupRequest, V1User, V1UserRequest};
use domo_native::{Client, NewUserOptions};
use futures_util::TryStreamExt;
use serde_json::json;

use super::id;
use crate::args::{GroupCommand, UserCommand};
use crate::failure::Failure;
use crate::output::{Output, opt};
use crate::table::Table;

pub async fn users(client: &Client, out: Output, command: UserCommand) -> Result<(), Failure> {
    let api = client.v1();
    match command {
        UserCommand::List => {
            let list: Vec<V1User> = api.users().try_collect().await?;
            out.list(&list, |l| users_table(l))
        }
        UserCommand::Get { user_id } => {
            let user = api.user(id(&user_id)).await?;
            out.list(&[user], |l| users_table(l))
        }
        UserCommand::Create {
            name,
            email,
            role,
            send_invite,
        } => {
            let mut options = NewUserOptions::default();
            if send_invite {
                options = options.send_invite();
            }
            let user = api
                .create_user(V1UserRequest::new(name, email, role), &options)
                .await?;
            out.list(&[user], |l| users_table(l))
        }
        UserCommand::Delete { user_id } => {
            api.delete_user(id(&user_id)).await?;
            out.done(
                &format!("deleted user {user_id}"),
                json!({"deleted": user_id}),
            )
        }
    }
}

pub async fn groups(client: &Client, out: Output, command: GroupCommand) -> Result<(), Failure> {
    let api = client.v1();
    match command {
        GroupCommand::List => {
            let list: Vec<V1Group> = api.groups().try_collect().await?;
            out.list(&list, |l| groups_table(l))
        }
        GroupCommand::Get { group_id } => {
            let group = api.group(id(&group_id)).await?;
            out.list(&[group], |l| groups_table(l))
        }
        GroupCommand::Create { name } => {
            let group = api.create_group(V1GroupRequest::new(name)).await?;
            out.list(&[group], |l| groups_table(l))
        }
        GroupCommand::Delete { group_id } => {
            api.delete_group(id(&group_id)).await?;
            out.done(
                &format!("deleted group {group_id}"),
                json!({"deleted": group_id}),
            )
        }
        GroupCommand::Members { group_id } => {
            let members: Vec<Id> = api.group_members(id(&group_id)).try_collect().await?;
            out.list(&members, |m| {
                let mut t = Table::new(["user"]);
                for u in m {
                    t.push([u.to_string()]);
                }
                t
            })
        }
        GroupCommand::Add { group_id, user_id } => {
            api.add_group_member(id(&group_id), id(&user_id)).await?;
            out.done(
                &format!("added user {user_id} to group {group_id}"),
                json!({"group": group_id, "added": user_id}),
            )
        }
        GroupCommand::Remove { group_id, user_id } => {
            api.remove_group_member(id(&group_id), id(&user_id)).await?;
            out.done(
                &format!("removed user {user_id} from group {group_id}"),
                json!({"group": group_id, "removed": user_id}),
            )
        }
    }
}

fn users_table(list: &[V1User]) -> Table {
    let mut t = Table::new(["id", "name", "email", "role"]);
    for u in list {
        t.push([u.id.to_string(), opt(&u.name), opt(&u.email), opt(&u.role)]);
    }
    t
}

fn groups_table(list: &[V1Group]) -> Table {
    let mut t = Table::new(["id", "name", "members", "active"]);
    for g in list {
        t.push([
            g.id.to_string(),
            opt(&g.name),
            opt(&g.member_count),
            opt(&g.active),
        ]);
    }
    t
}
