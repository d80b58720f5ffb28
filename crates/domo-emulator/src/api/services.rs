//! The in-app services apps ask who is looking and about people:
//! `GET /domo/environment/v1` (the caller, trusted, unlike `domo.env`
//! which comes from the iframe's query string), `GET /domo/users/v1`
//! (`includeDetails`, `limit`, `offset`), `GET /domo/users/v1/{id}`,
//! `GET /domo/groups/v1` and `GET /domo/groups/v1/{id}`, all from the
//! emulator's user registry.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::{ApiError, json_response};
use crate::instance::{CUSTOMER, LOCALE};
use crate::state::{ApiPath, ApiQuery, AppState, Caller, parse_bool};
use crate::store::people::{Person, Team};

fn user_json(p: &Person, details: bool) -> Value {
    let u = &p.user;
    let avatar = format!("/domo/avatars/v2/USER/{}", u.id);
    let mut v = json!({
        "id": u.id,
        "displayName": u.display_name,
        "avatarKey": avatar,
        "role": u.role.as_str(),
    });
    if details {
        v["detail"] = json!({
            "email": u.email,
            "avatarKey": avatar,
            "title": p.profile.title,
            "phoneNumber": p.profile.phone,
            "employeeNumber": p.profile.employee_number,
            "pending": false,
        });
    }
    v
}

fn group_json(g: &Team, members: &[i64]) -> Value {
    json!({
        "id": g.id,
        "name": g.name,
        "type": "adHoc",
        "userIds": members,
        "memberCount": g.member_count,
        "active": g.active,
        "default": g.is_default,
    })
}

/// `GET /domo/environment/v1`.
pub(crate) async fn environment(
    State(state): State<AppState>,
    Caller(user): Caller,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_owned();
    let u = state.store.run(move |s| s.user(user)).await?;
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "userId": u.id,
            "userName": u.display_name,
            "userEmail": u.email,
            "role": u.role.as_str(),
            "customer": CUSTOMER,
            "host": host,
            "locale": LOCALE,
        }),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UsersQuery {
    include_details: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
}

fn count(name: &str, v: Option<&str>) -> Result<Option<u64>, ApiError> {
    v.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse().map_err(|_| {
                ApiError::bad_request(format!("{name} must be a non-negative integer, got `{s}`"))
            })
        })
        .transpose()
}

/// `GET /domo/users/v1`: every user in id order (no default limit).
pub(crate) async fn list_users(
    State(state): State<AppState>,
    Caller(_): Caller,
    ApiQuery(q): ApiQuery<UsersQuery>,
) -> Result<Response, ApiError> {
    let details = parse_bool("includeDetails", q.include_details.as_deref())?.unwrap_or(false);
    let limit = count("limit", q.limit.as_deref())?.unwrap_or(u64::MAX);
    let offset = count("offset", q.offset.as_deref())?.unwrap_or(0);
    let people = state
        .store
        .run(move |s| s.list_people(offset, limit))
        .await?;
    let page: Vec<Value> = people.iter().map(|p| user_json(p, details)).collect();
    Ok(json_response(StatusCode::OK, &Value::Array(page)))
}

fn id_of(kind: &str, raw: &str) -> Result<i64, ApiError> {
    raw.trim().parse().map_err(|_| {
        ApiError::not_found(format!(
            "{kind} {raw} does not exist ({kind} ids are integers)"
        ))
    })
}

/// `GET /domo/users/v1/{id}`.
pub(crate) async fn get_user(
    State(state): State<AppState>,
    Caller(_): Caller,
    ApiPath(raw): ApiPath<String>,
    ApiQuery(q): ApiQuery<UsersQuery>,
) -> Result<Response, ApiError> {
    let id = id_of("user", &raw)?;
    let details = parse_bool("includeDetails", q.include_details.as_deref())?.unwrap_or(false);
    let p = state.store.run(move |s| s.get_person(id)).await?;
    Ok(json_response(StatusCode::OK, &user_json(&p, details)))
}

/// `GET /domo/groups/v1`.
pub(crate) async fn list_groups(
    State(state): State<AppState>,
    Caller(_): Caller,
) -> Result<Response, ApiError> {
    let groups = state
        .store
        .run(|s| {
            s.list_teams(0, u64::MAX)?
                .into_iter()
                .map(|t| Ok((s.list_members(t.id, 0, u64::MAX)?, t)))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(json_response(
        StatusCode::OK,
        &Value::Array(groups.iter().map(|(m, t)| group_json(t, m)).collect()),
    ))
}

/// `GET /domo/groups/v1/{id}`.
pub(crate) async fn get_group(
    State(state): State<AppState>,
    Caller(_): Caller,
    ApiPath(raw): ApiPath<String>,
) -> Result<Response, ApiError> {
    let id = id_of("group", &raw)?;
    let (members, team) = state
        .store
        .run(move |s| Ok((s.list_members(id, 0, u64::MAX)?, s.get_team(id)?)))
        .await?;
    Ok(json_response(StatusCode::OK, &group_json(&team, &members)))
}
