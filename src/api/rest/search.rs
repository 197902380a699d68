//! `GET /api/v1/search`: Marquez's search, over the whole mesh.
//!
//! Marquez searches datasets and jobs by name; meshgraph also finds
//! columns, data products, domains and concepts, by name, label and
//! description, ranked as [`crate::search`] explains. The answer
//! keeps Marquez's shape (`{totalCount, results: [{type, name, namespace,
//! nodeId, updatedAt}]}`); for a product, domain or concept, `nodeId` is its
//! IRI and `namespace` is `null`.

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use super::{Params, blocking};
use crate::api::{ApiError, AppState};
use crate::search::{self, Hit, SearchKind};

/// Marquez's default number of results.
const DEFAULT_LIMIT: usize = 10;

/// `{totalCount, results}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchResults {
    total_count: usize,
    results: Vec<SearchResult>,
}

/// One hit, as Marquez names its fields.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SearchResult {
    #[serde(rename = "type")]
    kind: SearchKind,
    name: String,
    namespace: Option<String>,
    node_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated_at: Option<String>,
    /// How well it matched: `EXACT`, `PREFIX`, `WORD_PREFIX`, `SUBSTRING`.
    #[serde(rename = "match")]
    matched: search::Match,
    /// What matched: `NAME`, `LABEL` or `DESCRIPTION`.
    field: search::Field,
}

impl From<Hit> for SearchResult {
    fn from(hit: Hit) -> Self {
        let c = hit.candidate;
        Self {
            kind: c.kind,
            name: c.name,
            namespace: c.namespace,
            node_id: c.id,
            updated_at: c.updated_at.map(|t| t.to_rfc3339_utc()),
            matched: hit.matched,
            field: hit.field,
        }
    }
}

/// `GET /api/v1/search?q=&filter=&limit=10&namespace=`: the best matches
/// of `q`, of the kinds `filter` lists (comma-separated: `DATASET`,
/// `DATASET_FIELD`, `JOB`, `DATA_PRODUCT`, `DOMAIN`, `CONCEPT`; all if
/// absent), optionally in one namespace.
pub async fn get_search(
    State(app): State<AppState>,
    params: Params,
) -> Result<Json<SearchResults>, ApiError> {
    let q = params
        .get("q")
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .ok_or_else(|| ApiError::bad_parameter("`q` is required: the text to search for"))?
        .to_owned();
    let kinds = params
        .get("filter")
        .map(|f| {
            f.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    SearchKind::parse(s).ok_or_else(|| {
                        ApiError::bad_parameter(format!(
                            "`filter` lists DATASET, DATASET_FIELD, JOB, DATA_PRODUCT, DOMAIN or CONCEPT, got {s:?}"
                        ))
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    let limit = params.count("limit", DEFAULT_LIMIT)?;
    let namespace = params.get("namespace").map(str::to_owned);
    // The limit and total apply after the namespace filter.
    let answer = blocking(move || {
        search::search(&app.views, &q, &kinds, namespace.as_deref(), limit).map_err(ApiError::internal)
    })
    .await?;
    Ok(Json(SearchResults {
        total_count: answer.total,
        results: answer.hits.into_iter().map(SearchResult::from).collect(),
    }))
}
