//! Users and groups of the public API: `/v1/users` and `/v1/groups`
//! (CRUD; lists default to 50 a page, at most 500) and membership,
//! `GET /v1/groups/{g}/users` (member ids), `PUT`/`DELETE
//! /v1/groups/{g}/users/{u}` (204). They are the registry's users and
//! groups: the ones every API names, shares with and filters rows for.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::Bearer;
use super::{PageQuery, json_bool, no_content, ok, path_id};
use crate::error::ApiError;
use crate::reply::iso_time;
use crate::state::{ApiPath, ApiQuery, AppState, JsonBody, parse_bool};
use crate::store::people::{NewPerson, Person, PersonUpdate, Profile, Team, TeamChange};
use crate::store::users::Role;

/// Domo's role ids.
fn role_id(role: Role) -> i64 {
    match role {
        Role::Admin => 1,
        Role::Privileged => 2,
        Role::Editor => 3,
        Role::Participant => 4,
    }
}

fn user_json(p: &Person) -> Value {
    let u = &p.user;
    let mut out = json!({
        "id": u.id,
        "name": u.display_name,
        "email": u.email,
        "role": u.role.as_str(),
        "roleId": role_id(u.role),
    });
    let map = out.as_object_mut().expect("an object");
    for (key, value) in [
        ("title", &p.profile.title),
        ("alternateEmail", &p.profile.alternate_email),
        ("phone", &p.profile.phone),
        ("location", &p.profile.location),
        ("employeeNumber", &p.profile.employee_number),
    ] {
        if let Some(v) = value {
            map.insert(key.into(), json!(v));
        }
    }
    if let Some(ms) = p.created_ms {
        map.insert("createdAt".into(), json!(iso_time(ms)));
    }
    if let Some(ms) = p.updated_ms {
        map.insert("updatedAt".into(), json!(iso_time(ms)));
    }
    map.insert("deleted".into(), json!(false));
    let groups: Vec<Value> = p
        .groups
        .iter()
        .map(|(id, name)| json!({"id": id, "name": name}))
        .collect();
    map.insert("groups".into(), Value::Array(groups));
    out
}

fn group_json(g: &Team) -> Value {
    json!({
        "id": g.id,
        "name": g.name,
        "active": g.active,
        "creatorId": g.creator_id,
        "default": g.is_default,
        "memberCount": g.member_count,
    })
}

/// A user body: `{name, email, role, title?, alternateEmail?, phone?,
/// location?, employeeNumber?}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserBody {
    name: Option<String>,
    email: Option<String>,
    role: Option<String>,
    title: Option<String>,
    alternate_email: Option<String>,
    phone: Option<String>,
    location: Option<String>,
    employee_number: Option<Value>,
}

fn profile(b: &UserBody) -> Profile {
    Profile {
        title: b.title.clone(),
        alternate_email: b.alternate_email.clone(),
        phone: b.phone.clone(),
        location: b.location.clone(),
        employee_number: b.employee_number.as_ref().and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }),
    }
}

pub(crate) async fn list_users(
    State(state): State<AppState>,
    Bearer(_user): Bearer,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response, ApiError> {
    let (offset, limit) = q.page()?;
    let people = state
        .store
        .run(move |s| s.list_people(offset, limit))
        .await?;
    Ok(ok(&Value::Array(people.iter().map(user_json).collect())))
}

pub(crate) async fn get_user(
    State(state): State<AppState>,
    Bearer(_user): Bearer,
    ApiPath(uid): ApiPath<String>,
) -> Result<Response, ApiError> {
    let id = path_id("user", &uid)?;
    let p = state.store.run(move |s| s.get_person(id)).await?;
    Ok(ok(&user_json(&p)))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateUserQuery {
    send_invite: Option<String>,
}

/// `POST /v1/users?sendInvite=False`: 200 with the user (as Domo
/// documents; pydomo takes 200 or 201). The emulator sends no invitation.
pub(crate) async fn create_user(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiQuery(q): ApiQuery<CreateUserQuery>,
    JsonBody(body): JsonBody<UserBody>,
) -> Result<Response, ApiError> {
    parse_bool("sendInvite", q.send_invite.as_deref())?;
    let required = |v: &Option<String>, field: &str| {
        v.clone()
            .ok_or_else(|| ApiError::bad_request(format!("{field} is required")))
    };
    let new = NewPerson {
        name: required(&body.name, "name")?,
        email: required(&body.email, "email")?,
        role: required(
            &body.role,
            "role (Admin, Privileged, Editor or Participant)",
        )?,
        profile: profile(&body),
    };
    let p = state
        .store
        .run(move |s| s.create_person(user, &new))
        .await?;
    Ok(ok(&user_json(&p)))
}

/// `PUT /v1/users/{id}`: what is given changes; 200 with the user.
pub(crate) async fn update_user(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiPath(uid): ApiPath<String>,
    JsonBody(body): JsonBody<UserBody>,
) -> Result<Response, ApiError> {
    let id = path_id("user", &uid)?;
    let up = PersonUpdate {
        profile: profile(&body),
        name: body.name,
        email: body.email,
        role: body.role,
    };
    let p = state
        .store
        .run(move |s| s.update_person(user, id, &up))
        .await?;
    Ok(ok(&user_json(&p)))
}

/// `DELETE /v1/users/{id}`: 204.
pub(crate) async fn delete_user(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiPath(uid): ApiPath<String>,
) -> Result<Response, ApiError> {
    let id = path_id("user", &uid)?;
    state.store.run(move |s| s.delete_person(user, id)).await?;
    Ok(no_content())
}

pub(crate) async fn list_groups(
    State(state): State<AppState>,
    Bearer(_user): Bearer,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response, ApiError> {
    let (offset, limit) = q.page()?;
    let groups = state
        .store
        .run(move |s| s.list_teams(offset, limit))
        .await?;
    Ok(ok(&Value::Array(groups.iter().map(group_json).collect())))
}

pub(crate) async fn get_group(
    State(state): State<AppState>,
    Bearer(_user): Bearer,
    ApiPath(gid): ApiPath<String>,
) -> Result<Response, ApiError> {
    let id = path_id("group", &gid)?;
    let g = state.store.run(move |s| s.get_team(id)).await?;
    Ok(ok(&group_json(&g)))
}

/// A group body: `{name, active, default}`; `active` may come as the
/// string `"true"` (pydomo's `groups_create`).
#[derive(Debug, Deserialize)]
pub(crate) struct GroupBody {
    name: Option<String>,
    active: Option<Value>,
    default: Option<Value>,
}

fn team_change(b: &GroupBody) -> Result<TeamChange, ApiError> {
    let flag = |field: &str, v: &Option<Value>| match v {
        Some(v) => json_bool(field, v),
        None => Ok(None),
    };
    Ok(TeamChange {
        name: b.name.clone(),
        active: flag("active", &b.active)?,
        is_default: flag("default", &b.default)?,
    })
}

/// `POST /v1/groups`: 200 with the group (as Domo documents).
pub(crate) async fn create_group(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    JsonBody(body): JsonBody<GroupBody>,
) -> Result<Response, ApiError> {
    let new = team_change(&body)?;
    if new.name.is_none() {
        return Err(ApiError::bad_request("name is required"));
    }
    let g = state.store.run(move |s| s.create_team(user, &new)).await?;
    Ok(ok(&group_json(&g)))
}

/// `PUT /v1/groups/{id}`: 200 with the group.
pub(crate) async fn update_group(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiPath(gid): ApiPath<String>,
    JsonBody(body): JsonBody<GroupBody>,
) -> Result<Response, ApiError> {
    let id = path_id("group", &gid)?;
    let change = team_change(&body)?;
    let g = state
        .store
        .run(move |s| s.update_team(user, id, &change))
        .await?;
    Ok(ok(&group_json(&g)))
}

/// `DELETE /v1/groups/{id}`: 204.
pub(crate) async fn delete_group(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiPath(gid): ApiPath<String>,
) -> Result<Response, ApiError> {
    let id = path_id("group", &gid)?;
    state.store.run(move |s| s.delete_team(user, id)).await?;
    Ok(no_content())
}

/// `GET /v1/groups/{id}/users`: the members' ids, `[]` past the last page.
pub(crate) async fn list_members(
    State(state): State<AppState>,
    Bearer(_user): Bearer,
    ApiPath(gid): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response, ApiError> {
    let id = path_id("group", &gid)?;
    let (offset, limit) = q.page()?;
    let ids = state
        .store
        .run(move |s| s.list_members(id, offset, limit))
        .await?;
    Ok(ok(&json!(ids)))
}

async fn set_member(
    state: &AppState,
    caller: i64,
    (gid, uid): (String, String),
    member: bool,
) -> Result<Response, ApiError> {
    let id = path_id("group", &gid)?;
    let user = path_id("user", &uid)?;
    state
        .store
        .run(move |s| s.set_member(caller, id, user, member))
        .await?;
    Ok(no_content())
}

/// `PUT /v1/groups/{g}/users/{u}` (body `{}` or none): 204.
pub(crate) async fn add_member(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiPath(ids): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    set_member(&state, user, ids, true).await
}

/// `DELETE /v1/groups/{g}/users/{u}`: 204, also when not a member.
pub(crate) async fn remove_member(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiPath(ids): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    set_member(&state, user, ids, false).await
}
