//! Row policies of the public API: `GET/POST /v1/datasets/{id}/policies`
//! and `GET/PUT/DELETE .../policies/{pid}`. They are the product API's
//! filter groups (`/api/query/v1/data-control/{id}/filter-groups`) seen
//! another way: `filters` for `parameters`, `users`/`groups` for
//! `userIds`/`groupIds`, `EQUALS` with `"not": true` for `NOT_EQUALS`;
//! the store enforces them on every read, through either API.

use axum::extract::State;
use axum::response::Response;
use serde_json::Value;

use super::auth::Bearer;
use super::shapes::policy_json;
use super::{created, json_bool, json_id, no_content, ok};
use crate::error::ApiError;
use crate::state::{ApiPath, AppState, JsonBody, json_text, json_texts};
use crate::store::policies::{NewParameter, NewPolicy};

/// Domo's rule: "The number of characters for the list of values for a
/// single PDP policy, including a delimiter character for each value,
/// must be less than 255."
const MAX_VALUE_CHARS: usize = 255;

fn ids(body: &Value, field: &str) -> Result<Vec<i64>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| json_id(&format!("{field}[{i}]"), v))
            .collect(),
        Some(other) => Err(ApiError::bad_request(format!(
            "{field} must be an array of ids, got {other}"
        ))),
    }
}

/// A policy body: `{name, type?, filters: [{column, values, operator,
/// not?}], users?, groups?, virtualUsers?}`.
fn new_policy(body: &Value) -> Result<NewPolicy, ApiError> {
    if !body.is_object() {
        return Err(ApiError::bad_request("the body must be a policy object"));
    }
    let name = match body.get("name") {
        Some(Value::String(s)) => s.clone(),
        _ => return Err(ApiError::bad_request("name is required (a string)")),
    };
    if let Some(kind) = body.get("type").filter(|v| !v.is_null()) {
        match kind.as_str() {
            Some("user" | "system") => {}
            _ => {
                return Err(ApiError::bad_request(format!(
                    "type must be \"user\" or \"system\", got {kind}"
                )));
            }
        }
    }
    let Some(Value::Array(filters)) = body.get("filters") else {
        return Err(ApiError::bad_request(
            "filters is required: [{\"column\", \"values\", \"operator\", \"not\"}]",
        ));
    };
    let mut parameters = Vec::with_capacity(filters.len());
    let mut chars = 0;
    for (i, f) in filters.iter().enumerate() {
        let at = format!("filters[{i}]");
        let field = |name: &str| f.get(name).filter(|v| !v.is_null());
        let column = field("column")
            .and_then(json_text)
            .ok_or_else(|| ApiError::bad_request(format!("{at}.column is required")))?;
        let values: Vec<String> = match field("values") {
            Some(Value::Array(vs)) => json_texts(vs, &at)?,
            _ => {
                return Err(ApiError::bad_request(format!(
                    "{at}.values is required (an array)"
                )));
            }
        };
        chars += values.iter().map(|v| v.chars().count() + 1).sum::<usize>();
        let operator = field("operator")
            .and_then(json_text)
            .ok_or_else(|| ApiError::bad_request(format!("{at}.operator is required")))?;
        let not = match field("not") {
            Some(v) => json_bool(&format!("{at}.not"), v)?.unwrap_or(false),
            None => false,
        };
        // `EQUALS` + not is the product API's NOT_EQUALS, so the policy
        // reads the same through both APIs.
        let (operator, negate) = match (operator.as_str(), not) {
            ("EQUALS", true) => ("NOT_EQUALS".to_owned(), false),
            _ => (operator, not),
        };
        parameters.push(NewParameter {
            kind: "COLUMN".into(),
            column,
            values,
            operator: Some(operator),
            ignore_case: false,
            negate,
        });
    }
    if chars >= MAX_VALUE_CHARS {
        return Err(ApiError::bad_request(format!(
            "the policy's values take {chars} characters with a delimiter each; Domo allows fewer than {MAX_VALUE_CHARS}"
        )));
    }
    let virtual_user_ids = match body.get("virtualUsers") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().filter_map(json_text).collect(),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "virtualUsers must be an array, got {other}"
            )));
        }
    };
    Ok(NewPolicy {
        name,
        dataset_id: None,
        user_ids: ids(body, "users")?,
        group_ids: ids(body, "groups")?,
        virtual_user_ids,
        data_source_permissions: false,
        parameters,
        known_principals: true,
    })
}

/// `GET /v1/datasets/{id}/policies`: the dataset's policies (not the open
/// "All Rows" one, which follows the owners).
pub(crate) async fn list_policies(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let policies = state
        .store
        .run(move |s| s.list_policies(user, &id, false))
        .await?;
    Ok(ok(&Value::Array(
        policies.iter().map(policy_json).collect(),
    )))
}

pub(crate) async fn get_policy(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiPath((id, pid)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let p = state
        .store
        .run(move |s| s.get_policy(user, &id, &pid))
        .await?;
    Ok(ok(&policy_json(&p)))
}

/// `POST`: 201 with the policy. The users and groups it names must exist.
pub(crate) async fn create_policy(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiPath(id): ApiPath<String>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, ApiError> {
    let new = new_policy(&body)?;
    let p = state
        .store
        .run(move |s| s.create_policy(user, &id, &new))
        .await?;
    Ok(created(&policy_json(&p)))
}

/// `PUT`: the whole policy; an `id` in the body must be the path's.
pub(crate) async fn update_policy(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiPath((id, pid)): ApiPath<(String, String)>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, ApiError> {
    if let Some(given) = body.get("id").filter(|v| !v.is_null())
        && json_text(given).as_deref().map(str::trim) != Some(pid.trim())
    {
        return Err(ApiError::bad_request(format!(
            "id {given} does not match the policy of the path, {pid}"
        )));
    }
    let new = new_policy(&body)?;
    let p = state
        .store
        .run(move |s| s.update_policy(user, &id, &pid, &new))
        .await?;
    Ok(ok(&policy_json(&p)))
}

/// `DELETE`: 204.
pub(crate) async fn delete_policy(
    State(state): State<AppState>,
    Bearer(user): Bearer,
    ApiPath((id, pid)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    state
        .store
        .run(move |s| s.delete_policy(user, &id, &pid))
        .await?;
    Ok(no_content())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn filters_become_parameters() {
        let p = new_policy(&json!({
            "name": "p", "type": "user", "users": [7, "8"], "groups": [],
            "filters": [
                {"column": "Region", "values": ["East"], "operator": "EQUALS", "not": true},
                {"column": "Units", "values": [5], "operator": "GREATER_THAN"},
            ],
        }))
        .unwrap();
        assert_eq!(p.user_ids, vec![7, 8]);
        assert_eq!(p.parameters[0].operator.as_deref(), Some("NOT_EQUALS"));
        assert!(!p.parameters[0].negate);
        assert_eq!(p.parameters[1].values, vec!["5".to_owned()]);
        assert!(p.known_principals);
        let long = json!({"name": "p", "filters": [
            {"column": "c", "values": ["x".repeat(300)], "operator": "EQUALS"}]});
        assert!(new_policy(&long).unwrap_err().message.contains("255"));
        let e = new_policy(&json!({"name": "p"})).unwrap_err();
        assert!(e.message.contains("filters"), "{}", e.message);
    }
}
