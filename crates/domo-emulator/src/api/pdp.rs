//! Personalized data permissions (PDP): row policies
//! `GET/POST /api/query/v1/data-control/{id}/filter-groups`
//! (`ListPolicies`, `CreatePolicy`), `GET/PUT/DELETE .../filter-groups/{policyId}`
//! (`GetPolicy`, `UpdatePolicy`, `DeletePolicy`) and the switch
//! `GET/PUT /api/query/v1/data-control/{id}` (`SetPdp`). Enforcement lives
//! in the store's read path.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::reply::empty_ok;
use crate::state::{
    ApiPath, ApiQuery, AppState, Caller, JsonBody, RawBody, json_text, json_texts, parse_json,
};
use crate::store::policies::{NewParameter, NewPolicy, PdpSettings, Policy};

fn policy_json(p: &Policy) -> Value {
    let parameters: Vec<Value> = p
        .parameters
        .iter()
        .map(|q| {
            let mut out = json!({
                "type": "COLUMN",
                "name": q.column,
                "values": q.values,
                "operator": q.operator.as_str(),
                "ignoreCase": q.ignore_case,
            });
            // A negated filter made through the public API (`"not": true`).
            if q.negate
                && let Some(map) = out.as_object_mut()
            {
                map.insert("not".to_owned(), Value::Bool(true));
            }
            out
        })
        .collect();
    json!({
        "filterGroupId": p.id,
        "name": p.name,
        "dataSourceId": p.dataset_id,
        "userIds": p.user_ids,
        "groupIds": p.group_ids,
        "virtualUserIds": p.virtual_user_ids,
        "dataSourcePermissions": p.data_source_permissions,
        "parameters": parameters,
        "openPolicy": p.open,
    })
}

fn settings_json(s: PdpSettings) -> Value {
    json!({"enabled": s.enabled, "external": s.external})
}

#[derive(Debug, Deserialize)]
pub(crate) struct ListQuery {
    options: Option<String>,
}

/// `ListPolicies`: a bare array; the open "All Rows" policy only with
/// `options=...include_open_policy`.
pub(crate) async fn list_policies(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let include_open = q.options.as_deref().is_some_and(|o| {
        o.split(',')
            .any(|x| x.trim().eq_ignore_ascii_case("include_open_policy"))
    });
    let policies = state
        .store
        .run(move |s| s.list_policies(user, &id, include_open))
        .await?;
    Ok(Json(Value::Array(
        policies.iter().map(policy_json).collect(),
    )))
}

pub(crate) async fn get_policy(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, pid)): ApiPath<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let p = state
        .store
        .run(move |s| s.get_policy(user, &id, &pid))
        .await?;
    Ok(Json(policy_json(&p)))
}

fn id_list(body: &Value, field: &str) -> Result<Vec<i64>, ApiError> {
    let Some(v) = body.get(field).filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let Value::Array(items) = v else {
        return Err(ApiError::bad_request(format!(
            "{field} must be an array of ids"
        )));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            match item {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            }
            .ok_or_else(|| {
                ApiError::bad_request(format!("{field}[{i}] must be an integer id, got {item}"))
            })
        })
        .collect()
}

/// The fields of a policy body, each any JSON: parsed first so that
/// duplicate keys (at any depth) are refused as on every endpoint; the
/// values are then read from the body as JSON, since ids and values come
/// as numbers or strings.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // the fields exist for the duplicate-key check
struct PolicyShape {
    filter_group_id: Option<Value>,
    name: Option<Value>,
    data_source_id: Option<Value>,
    user_ids: Option<Value>,
    group_ids: Option<Value>,
    virtual_user_ids: Option<Value>,
    data_source_permissions: Option<Value>,
    parameters: Option<Vec<ParameterShape>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // the fields exist for the duplicate-key check
struct ParameterShape {
    #[serde(rename = "type")]
    kind: Option<Value>,
    name: Option<Value>,
    values: Option<Value>,
    operator: Option<Value>,
    ignore_case: Option<Value>,
    not: Option<Value>,
}

/// A policy body: one JSON object without duplicate keys.
fn policy_body(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request("a JSON request body is required"));
    }
    parse_json::<PolicyShape>(bytes)?;
    parse_json(bytes)
}

/// The whole policy of a POST or PUT body; ids as numbers or strings.
fn new_policy(body: &Value) -> Result<NewPolicy, ApiError> {
    if !body.is_object() {
        return Err(ApiError::bad_request("the body must be a policy object"));
    }
    let name = match body.get("name") {
        Some(Value::String(s)) => s.clone(),
        _ => return Err(ApiError::bad_request("name is required (a string)")),
    };
    let dataset_id = match body.get("dataSourceId") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            json_text(v).ok_or_else(|| ApiError::bad_request("dataSourceId must be a string"))?,
        ),
    };
    let virtual_user_ids = match body.get("virtualUserIds") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                json_text(v).ok_or_else(|| {
                    ApiError::bad_request(format!("virtualUserIds[{i}] must be an id"))
                })
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(ApiError::bad_request("virtualUserIds must be an array")),
    };
    let data_source_permissions = match body.get("dataSourcePermissions") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(ApiError::bad_request(
                "dataSourcePermissions must be true or false",
            ));
        }
    };
    let mut parameters = Vec::new();
    match body.get("parameters") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, p) in items.iter().enumerate() {
                let at = format!("parameters[{i}]");
                let field = |name: &str| p.get(name).filter(|v| !v.is_null());
                let column = field("name").and_then(json_text).ok_or_else(|| {
                    ApiError::bad_request(format!("{at}.name (the column) is required"))
                })?;
                let values = match field("values") {
                    None => Vec::new(),
                    Some(Value::Array(vs)) => json_texts(vs, &at)?,
                    Some(_) => {
                        return Err(ApiError::bad_request(format!(
                            "{at}.values must be an array"
                        )));
                    }
                };
                let ignore_case = match field("ignoreCase") {
                    None => false,
                    Some(Value::Bool(b)) => *b,
                    Some(_) => {
                        return Err(ApiError::bad_request(format!(
                            "{at}.ignoreCase must be true or false"
                        )));
                    }
                };
                let negate = match field("not") {
                    None => false,
                    Some(Value::Bool(b)) => *b,
                    Some(_) => {
                        return Err(ApiError::bad_request(format!(
                            "{at}.not must be true or false"
                        )));
                    }
                };
                parameters.push(NewParameter {
                    kind: field("type")
                        .and_then(json_text)
                        .unwrap_or_else(|| "COLUMN".into()),
                    column,
                    values,
                    operator: field("operator").and_then(json_text),
                    ignore_case,
                    negate,
                });
            }
        }
        Some(_) => return Err(ApiError::bad_request("parameters must be an array")),
    }
    Ok(NewPolicy {
        name,
        dataset_id,
        user_ids: id_list(body, "userIds")?,
        group_ids: id_list(body, "groupIds")?,
        virtual_user_ids,
        data_source_permissions,
        parameters,
        known_principals: false,
    })
}

pub(crate) async fn create_policy(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    RawBody(bytes): RawBody,
) -> Result<Json<Value>, ApiError> {
    let new = new_policy(&policy_body(&bytes)?)?;
    let p = state
        .store
        .run(move |s| s.create_policy(user, &id, &new))
        .await?;
    Ok(Json(policy_json(&p)))
}

/// `UpdatePolicy`: the body's `filterGroupId`, when present, must be the
/// path's.
pub(crate) async fn update_policy(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, pid)): ApiPath<(String, String)>,
    RawBody(bytes): RawBody,
) -> Result<Json<Value>, ApiError> {
    let body = policy_body(&bytes)?;
    if let Some(given) = body.get("filterGroupId").and_then(json_text)
        && given.trim() != pid.trim()
    {
        return Err(ApiError::bad_request(format!(
            "filterGroupId {given} does not match the policy of the path, {pid}"
        )));
    }
    let new = new_policy(&body)?;
    let p = state
        .store
        .run(move |s| s.update_policy(user, &id, &pid, &new))
        .await?;
    Ok(Json(policy_json(&p)))
}

pub(crate) async fn delete_policy(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath((id, pid)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    state
        .store
        .run(move |s| s.delete_policy(user, &id, &pid))
        .await?;
    Ok(empty_ok())
}

pub(crate) async fn get_pdp(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    let s = state.store.run(move |s| s.pdp_settings(user, &id)).await?;
    Ok(Json(settings_json(s)))
}

#[derive(Debug, Deserialize)]
pub(crate) struct PdpBody {
    enabled: bool,
    #[serde(default)]
    external: bool,
}

/// `SetPdp` `{"enabled", "external"}` → the settings now in force.
pub(crate) async fn set_pdp(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiPath(id): ApiPath<String>,
    JsonBody(body): JsonBody<PdpBody>,
) -> Result<Json<Value>, ApiError> {
    let s = state
        .store
        .run(move |s| s.set_pdp(user, &id, body.enabled, body.external))
        .await?;
    Ok(Json(settings_json(s)))
}
