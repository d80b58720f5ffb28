//! Reply shapes more than one public-API handler module writes (handlers
//! never import each other).

use serde_json::{Value, json};

use crate::store::Column;
use crate::store::policies::{Operator, Policy};

/// Schema columns exactly as pydomo compares them (`json.dumps` of its own
/// `{"type", "name"}` dicts): these two keys, in this order, nothing else.
pub(crate) fn schema_json(columns: &[Column]) -> Value {
    let cols: Vec<Value> = columns
        .iter()
        .map(|c| json!({"type": c.ty.as_str(), "name": c.name}))
        .collect();
    json!({ "columns": cols })
}

/// A row policy as `/v1/datasets/{id}/policies` shows it. The product
/// API's `NOT_EQUALS` is the public API's `EQUALS` with `"not": true`.
pub(crate) fn policy_json(p: &Policy) -> Value {
    let filters: Vec<Value> = p
        .parameters
        .iter()
        .map(|f| {
            let (operator, not) = match f.operator {
                Operator::NotEquals => (Operator::Equals, !f.negate),
                other => (other, f.negate),
            };
            json!({
                "column": f.column,
                "values": f.values,
                "operator": operator.as_str(),
                "not": not,
            })
        })
        .collect();
    json!({
        "id": p.id,
        "type": "user",
        "name": p.name,
        "filters": filters,
        "users": p.user_ids,
        "virtualUsers": p.virtual_user_ids,
        "groups": p.group_ids,
    })
}
