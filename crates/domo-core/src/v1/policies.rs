//! Row policies of the public API: `GET/POST /v1/datasets/{id}/policies`,
//! `GET/PUT/DELETE .../policies/{pid}`. They are the product API's filter
//! groups ([`crate::pdp`]) seen another way; they apply once the dataset's
//! `pdpEnabled` is on.

use domo_model::v1::V1Policy;
use domo_model::{DatasetId, Id};

use crate::spec::{BodyShape, Check};

declare! {
    /// `GET /v1/datasets/{id}/policies`: every policy.
    V1ListPolicies => json Vec<V1Policy> {
        GET "/v1/datasets/{datasetId}/policies";
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
    }

    /// `GET /v1/datasets/{id}/policies/{pid}`.
    V1GetPolicy => json V1Policy {
        GET "/v1/datasets/{datasetId}/policies/{policyId}";
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// The policy.
        arg policy_id "policyId": Id,
    }

    /// `POST /v1/datasets/{id}/policies`: the policy with its `id` (201).
    /// The users and groups it names must exist. Not idempotent.
    V1CreatePolicy => json V1Policy {
        POST "/v1/datasets/{datasetId}/policies";
        body: BodyShape::Json("$policy"),
        checks: &[Check::TextAt("policy", "name", "create policy: the name must not be blank")],
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// The policy.
        object policy "policy": V1Policy,
    }

    /// `PUT /v1/datasets/{id}/policies/{pid}` with the whole policy.
    V1UpdatePolicy => json V1Policy {
        PUT "/v1/datasets/{datasetId}/policies/{policyId}";
        body: BodyShape::Json("$policy"),
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// The policy.
        arg policy_id "policyId": Id,
        /// The whole policy as it is to be.
        object policy "policy": V1Policy,
    }

    /// `DELETE /v1/datasets/{id}/policies/{pid}` (204).
    V1DeletePolicy => empty {
        DELETE "/v1/datasets/{datasetId}/policies/{policyId}";
        js_note: crate::v1::NO_BROWSER,
    } fields {
        /// The dataset.
        arg dataset_id "datasetId": DatasetId,
        /// The policy.
        arg policy_id "policyId": Id,
    }
}
