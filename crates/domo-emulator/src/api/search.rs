//! Dataset search on its two paths: `POST /api/search/v1/query`
//! (`SearchDatasets`, domolibrary's: `searchObjects`) and
//! `POST /api/data/ui/v3/datasources/search` (`UiSearchDatasets`, the
//! browser tools': dataset objects). Both read the same request and run
//! `Store::search_datasets`, the one matching rule.
//!
//! Understood: `entities` (only `DATASET`), `query` (`*` or empty: all;
//! otherwise a wildcard on the name, `*text*` when it has no `*`),
//! `filters` (`wildcard` on `name_sort`; `term` on `name_sort` or
//! `owned_by_id`; each may say `"not": true`), `sort` (`fieldSorts` with
//! one of `name_sort`, `create_date`, `last_modified`, `row_count`),
//! `count` and `offset`. An unknown filter type, filter field, sort field
//! or entity is a 400 naming it, never silently ignored. Other top-level
//! fields (UI facets and profiles some clients add) do not change which
//! datasets match, so they are accepted as they come.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::limits::{DEFAULT_SEARCH_COUNT, MAX_SEARCH_COUNT};
use crate::reply::datasets_page_json;
use crate::state::{AppState, Caller, JsonBody};
use crate::store::UserId;
use crate::store::datasets::{DatasetPage, DatasetSearch, Filter, SortKey};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SearchBody {
    entities: Option<Vec<String>>,
    filters: Option<Vec<FilterIn>>,
    query: Option<String>,
    count: Option<u64>,
    offset: Option<u64>,
    /// Only one entity type exists here, so combining changes nothing.
    combine_results: Option<bool>,
    sort: Option<SortIn>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FilterIn {
    filter_type: Option<String>,
    field: Option<String>,
    query: Option<String>,
    value: Option<Value>,
    not: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SortIn {
    is_relevance: Option<bool>,
    field_sorts: Option<Vec<FieldSortIn>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FieldSortIn {
    field: String,
    sort_order: Option<String>,
}

fn filter_of(i: usize, f: FilterIn) -> Result<Filter, ApiError> {
    let not = f.not.unwrap_or(false);
    let kind = f.filter_type.as_deref().unwrap_or("");
    let field = f.field.as_deref().unwrap_or("");
    let bad = |m: String| ApiError::bad_request(format!("filters[{i}]: {m}"));
    match kind {
        "wildcard" => {
            if field != "name_sort" {
                return Err(bad(format!(
                    "field `{field}` is not supported for a wildcard filter (supported: name_sort)"
                )));
            }
            let pattern = f
                .query
                .ok_or_else(|| bad("a wildcard filter needs `query`, e.g. \"*sales*\"".into()))?;
            Ok(Filter::NameLike { pattern, not })
        }
        "term" => {
            let value = match f.value.or(f.query.map(Value::String)) {
                Some(Value::String(s)) => s,
                Some(Value::Number(n)) => n.to_string(),
                Some(other) => {
                    return Err(bad(format!(
                        "a term filter's `value` must be a string or number, got {other}"
                    )));
                }
                None => return Err(bad("a term filter needs `value`".into())),
            };
            match field {
                "owned_by_id" => Ok(Filter::OwnedBy {
                    user_id: value,
                    not,
                }),
                "name_sort" => Ok(Filter::NameIs { value, not }),
                other => Err(bad(format!(
                    "field `{other}` is not supported for a term filter (supported: owned_by_id, name_sort)"
                ))),
            }
        }
        other => Err(bad(format!(
            "filterType `{other}` is not supported (supported: wildcard, term)"
        ))),
    }
}

fn sort_of(sort: SortIn) -> Result<Option<(SortKey, bool)>, ApiError> {
    let fields = sort.field_sorts.unwrap_or_default();
    if fields.is_empty() {
        return Ok(None);
    }
    if sort.is_relevance == Some(true) {
        return Err(ApiError::bad_request(
            "sort: isRelevance and fieldSorts together are ambiguous; send one",
        ));
    }
    if fields.len() > 1 {
        return Err(ApiError::bad_request(format!(
            "sort.fieldSorts has {} fields; one is supported",
            fields.len()
        )));
    }
    let f = &fields[0];
    let key = match f.field.as_str() {
        "name_sort" => SortKey::Name,
        "create_date" => SortKey::Created,
        "last_modified" => SortKey::LastModified,
        "row_count" => SortKey::RowCount,
        other => {
            return Err(ApiError::bad_request(format!(
                "sort.fieldSorts[0]: field `{other}` is not supported (supported: name_sort, create_date, last_modified, row_count)"
            )));
        }
    };
    let descending = match f
        .sort_order
        .as_deref()
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        None | Some("ASC") => false,
        Some("DESC") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "sort.fieldSorts[0].sortOrder must be ASC or DESC, got `{other}`"
            )));
        }
    };
    Ok(Some((key, descending)))
}

fn search_of(body: SearchBody) -> Result<DatasetSearch, ApiError> {
    let _accepted = body.combine_results;
    for (i, e) in body.entities.iter().flatten().enumerate() {
        if !e.eq_ignore_ascii_case("DATASET") {
            return Err(ApiError::bad_request(format!(
                "entities[{i}]: `{e}` is not supported (supported: DATASET)"
            )));
        }
    }
    let mut filters = Vec::new();
    if let Some(q) = body.query.map(|q| q.trim().to_owned())
        && !q.is_empty()
        && q != "*"
    {
        let pattern = if q.contains('*') { q } else { format!("*{q}*") };
        filters.push(Filter::NameLike {
            pattern,
            not: false,
        });
    }
    for (i, f) in body.filters.into_iter().flatten().enumerate() {
        filters.push(filter_of(i, f)?);
    }
    let limit = body.count.unwrap_or(DEFAULT_SEARCH_COUNT);
    if limit > MAX_SEARCH_COUNT {
        return Err(ApiError::bad_request(format!(
            "count {limit} is more than {MAX_SEARCH_COUNT}, the largest search page; page with offset"
        )));
    }
    Ok(DatasetSearch {
        filters,
        sort: body.sort.map(sort_of).transpose()?.flatten(),
        offset: body.offset.unwrap_or(0),
        limit,
    })
}

async fn run_search(
    state: &AppState,
    user: UserId,
    body: SearchBody,
) -> Result<DatasetPage, ApiError> {
    let search = search_of(body)?;
    Ok(state
        .store
        .run(move |s| s.search_datasets(user, &search))
        .await?)
}

/// `SearchDatasets`: `{"searchObjects": [...], "totalResultCount"}`; past
/// the end, `searchObjects` is empty. `ownedById` is a string, as in
/// Domo's search index.
pub(crate) async fn search_datasets(
    State(state): State<AppState>,
    Caller(user): Caller,
    JsonBody(body): JsonBody<SearchBody>,
) -> Result<Json<Value>, ApiError> {
    let page = run_search(&state, user, body).await?;
    let objects: Vec<Value> = page
        .datasets
        .iter()
        .map(|ds| {
            json!({
                "databaseId": ds.id,
                "name": ds.name,
                "description": ds.description,
                "entityType": "DATASET",
                "ownedById": ds.owner.id.to_string(),
                "ownedByName": ds.owner.name,
                "rowCount": ds.row_count,
                "columnCount": ds.column_count,
                "lastModified": ds.last_updated_ms,
                "createDate": ds.created_ms,
                "dataSourceType": ds.display_type,
            })
        })
        .collect();
    Ok(Json(json!({
        "searchObjects": objects,
        "totalResultCount": page.total,
    })))
}

/// `UiSearchDatasets`: `{"dataSources": [dataset objects], "_metaData": {"totalCount"}}`.
pub(crate) async fn ui_search_datasets(
    State(state): State<AppState>,
    Caller(user): Caller,
    JsonBody(body): JsonBody<SearchBody>,
) -> Result<Json<Value>, ApiError> {
    let page = run_search(&state, user, body).await?;
    Ok(Json(datasets_page_json(&page.datasets, page.total)))
}
