//! Row policies (personalized data permissions, PDP) of a dataset:
//! `/api/query/v1/data-control/{id}/filter-groups` and the switch
//! `PUT /api/query/v1/data-control/{id}`.

use bytes::Bytes;
use domo_model::pdp::{PdpSettings, PdpState, Policy};
use http::{Method, Response};
use serde::Serialize;
use serde_json::Value;

use crate::endpoint::{Body, Endpoint, JsonEndpoint, json, json_object_or_empty, json_or_default};
use crate::error::Error;
use crate::path::segment;

fn base(dataset_id: &str) -> Result<String, Error> {
    Ok(format!(
        "/api/query/v1/data-control/{}",
        segment("dataset id", dataset_id)?
    ))
}

fn policy_path(dataset_id: &str, policy_id: &str) -> Result<String, Error> {
    Ok(format!(
        "{}/filter-groups/{}",
        base(dataset_id)?,
        segment("policy id", policy_id)?
    ))
}

/// What real clients ask for: each policy with its users and groups, its
/// parameters, and the open "All Rows" policy.
pub const LIST_OPTIONS: &str = "load_associations,load_filters,include_open_policy";

/// `GET .../data-control/{id}/filter-groups?options=...`: a bare array.
#[derive(Debug, Clone, PartialEq)]
pub struct ListPolicies {
    pub dataset_id: String,
}

impl Endpoint for ListPolicies {
    type Output = Vec<Policy>;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!("{}/filter-groups", base(&self.dataset_id)?))
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        vec![("options", LIST_OPTIONS.to_owned())]
    }
    fn parse(&self, response: Response<Bytes>) -> Result<Vec<Policy>, Error> {
        json(response)
    }
}

impl JsonEndpoint for ListPolicies {}

/// The policy as a JSON object with `key` set to `value` unless it is
/// already there; an error when it is there with another value.
fn policy_body<P: Serialize>(
    policy: &P,
    key: &str,
    value: Value,
    what: &str,
) -> Result<Body, Error> {
    let mut v = serde_json::to_value(policy)
        .map_err(|e| Error::invalid_input(format!("cannot encode the policy: {e}")))?;
    let Value::Object(map) = &mut v else {
        return Err(Error::invalid_input("the policy must be a JSON object"));
    };
    match map.get(key) {
        None | Some(Value::Null) => {
            map.insert(key.to_owned(), value);
        }
        Some(given) if same_id(given, &value) => {}
        Some(given) => {
            return Err(Error::invalid_input(format!(
                "the policy's `{key}` is {given} but {what} is {value}"
            )));
        }
    }
    Body::json(&v)
}

/// `7` and `"7"` are the same id.
fn same_id(a: &Value, b: &Value) -> bool {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    text(a) == text(b)
}

/// An id as JSON: a number when it is all digits (as Domo sends policy
/// ids), text otherwise.
fn id_value(id: &str) -> Value {
    id.parse::<u64>()
        .map(Value::from)
        .unwrap_or_else(|_| Value::String(id.to_owned()))
}

/// `POST .../filter-groups`: create a policy; the reply is the policy with
/// its `filterGroupId`. `dataSourceId` is filled in from `dataset_id` when
/// the policy does not name it.
#[derive(Debug, Clone, PartialEq)]
pub struct CreatePolicy<P = Policy> {
    pub dataset_id: String,
    /// A [`Policy`], or any serializable form of one.
    pub policy: P,
}

impl<P: Serialize> Endpoint for CreatePolicy<P> {
    type Output = Policy;
    fn method(&self) -> Method {
        Method::POST
    }
    fn path(&self) -> Result<String, Error> {
        Ok(format!("{}/filter-groups", base(&self.dataset_id)?))
    }
    fn body(&self) -> Result<Body, Error> {
        policy_body(
            &self.policy,
            "dataSourceId",
            Value::String(self.dataset_id.clone()),
            "the dataset",
        )
    }
    fn parse(&self, response: Response<Bytes>) -> Result<Policy, Error> {
        json(response)
    }
}

impl<P: Serialize> JsonEndpoint for CreatePolicy<P> {}

/// `PUT .../filter-groups/{policyId}` with the whole policy; its
/// `filterGroupId` is filled in from `policy_id`, and must match it when
/// given.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdatePolicy<P = Policy> {
    pub dataset_id: String,
    pub policy_id: String,
    pub policy: P,
}

impl<P: Serialize> Endpoint for UpdatePolicy<P> {
    type Output = Policy;
    fn method(&self) -> Method {
        Method::PUT
    }
    fn path(&self) -> Result<String, Error> {
        policy_path(&self.dataset_id, &self.policy_id)
    }
    fn body(&self) -> Result<Body, Error> {
        policy_body(
            &self.policy,
            "filterGroupId",
            id_value(&self.policy_id),
            "the policy id of the request",
        )
    }
    /// Some servers answer an empty 200; the policy sent is then what holds.
    fn parse(&self, response: Response<Bytes>) -> Result<Policy, Error> {
        if response.body().iter().all(u8::is_ascii_whitespace) {
            let body = self.body()?;
            let Body::Json(sent) = body else {
                return Ok(Policy::default());
            };
            return serde_json::from_slice(&sent)
                .map_err(|e| Error::invalid_input(format!("the policy sent: {e}")));
        }
        json(response)
    }
}

impl<P: Serialize> JsonEndpoint for UpdatePolicy<P> {
    fn parse_json(&self, response: Response<Bytes>) -> Result<Value, Error> {
        if response.body().iter().all(u8::is_ascii_whitespace) {
            return match self.body()? {
                Body::Json(sent) => serde_json::from_slice(&sent)
                    .map_err(|e| Error::invalid_input(format!("the policy sent: {e}"))),
                _ => Ok(Value::Null),
            };
        }
        json(response)
    }
}

/// `DELETE .../filter-groups/{policyId}`.
#[derive(Debug, Clone, PartialEq)]
pub struct DeletePolicy {
    pub dataset_id: String,
    pub policy_id: String,
}

impl Endpoint for DeletePolicy {
    type Output = ();
    fn method(&self) -> Method {
        Method::DELETE
    }
    fn path(&self) -> Result<String, Error> {
        policy_path(&self.dataset_id, &self.policy_id)
    }
    fn parse(&self, _: Response<Bytes>) -> Result<(), Error> {
        Ok(())
    }
}

/// `PUT /api/query/v1/data-control/{id}` `{"enabled", "external"}`: PDP on
/// or off. The reply is an empty 200 or `{"enabled"}`.
#[derive(Debug, Clone, PartialEq)]
pub struct SetPdp {
    pub dataset_id: String,
    pub settings: PdpSettings,
}

impl Endpoint for SetPdp {
    type Output = PdpState;
    fn method(&self) -> Method {
        Method::PUT
    }
    fn path(&self) -> Result<String, Error> {
        base(&self.dataset_id)
    }
    fn body(&self) -> Result<Body, Error> {
        Body::json(&self.settings)
    }
    fn parse(&self, response: Response<Bytes>) -> Result<PdpState, Error> {
        json_or_default(response)
    }
}

impl JsonEndpoint for SetPdp {
    fn parse_json(&self, response: Response<Bytes>) -> Result<Value, Error> {
        json_object_or_empty(response)
    }
}
