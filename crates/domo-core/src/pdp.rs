//! Row policies (personalized data permissions, PDP) of a dataset:
//! `/api/query/v1/data-control/{id}/filter-groups` and the switch
//! `PUT /api/query/v1/data-control/{id}`.

use domo_model::pdp::{PdpState, Policy};
use domo_model::{DatasetId, Id};

use crate::spec::{BodyShape, Fixup, ReplyShape};

/// What real clients ask for: each policy with its users and groups, its
/// parameters, and the open "All Rows" policy.
pub const LIST_OPTIONS: &str = "load_associations,load_filters,include_open_policy";

declare! {
    /// `GET .../data-control/{id}/filter-groups?options=...`: a bare array.
    ListPolicies => json Vec<Policy> {
        GET "/api/query/v1/data-control/{datasetId}/filter-groups";
        query: "options=load_associations,load_filters,include_open_policy",
        js: js![listPolicies(datasetId)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
    }

    /// `POST .../filter-groups`: create a policy; the reply is the policy
    /// with its `filterGroupId`. `dataSourceId` is filled in from the
    /// dataset id when the policy does not name it, and must match it when
    /// it does.
    CreatePolicy => json Policy {
        POST "/api/query/v1/data-control/{datasetId}/filter-groups";
        body: BodyShape::JsonWith { arg: "policy", member: "dataSourceId", from: "datasetId" },
        js: js![createPolicy(datasetId, policy)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// The policy.
        object policy "policy": Policy,
    }

    /// `PUT .../filter-groups/{policyId}` with the whole policy; its
    /// `filterGroupId` is filled in from the policy id, and must match it
    /// when given. Some servers answer an empty 200: the policy sent is
    /// then what holds.
    UpdatePolicy => json Policy {
        PUT "/api/query/v1/data-control/{datasetId}/filter-groups/{policyId}";
        body: BodyShape::JsonWith { arg: "policy", member: "filterGroupId", from: "policyId" },
        reply: ReplyShape::Json(&[Fixup::EmptyIsSentBody]),
        js: js![updatePolicy(datasetId, policyId, policy)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// The policy to change.
        arg policy_id "policyId": Id,
        /// The whole policy as it is to be.
        object policy "policy": Policy,
    }

    /// `DELETE .../filter-groups/{policyId}`.
    DeletePolicy => empty {
        DELETE "/api/query/v1/data-control/{datasetId}/filter-groups/{policyId}";
        js: js![deletePolicy(datasetId, policyId)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// The policy.
        arg policy_id "policyId": Id,
    }

    /// `PUT /api/query/v1/data-control/{id}` `{"enabled", "external"}`: PDP
    /// on or off. The reply is an empty 200 or `{"enabled"}`.
    SetPdp => json PdpState {
        PUT "/api/query/v1/data-control/{datasetId}";
        body: BodyShape::Json(r#"{"enabled":$enabled,"external":$external}"#),
        reply: ReplyShape::Json(&[Fixup::EmptyAs("{}")]),
        js: js![setPdp(datasetId, enabled, ...)],
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// Whether row policies apply.
        arg enabled "enabled": bool,
        /// Whether external users are filtered too.
        arg external "external": bool = "false",
    }
}
