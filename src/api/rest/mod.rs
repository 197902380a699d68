//! The REST API under `/api/v1`: OpenLineage ingestion and Marquez's read API.
//!
//! Route modules mirror the URL paths; field names follow Marquez's OpenAPI
//! so existing clients and UIs read the answers unchanged. Read handlers run
//! the store readers ([`crate::store::read`]) in a blocking task and only
//! shape what they return into JSON.

pub mod catalog;
pub mod datasets;
pub mod events;
pub mod impact;
pub mod jobs;
pub mod lineage;
pub mod namespaces;
pub mod overview;
pub mod queries;
pub mod runs;
pub mod search;

use std::collections::HashMap;

use axum::Router;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::routing::get;
use serde::de::DeserializeOwned;

use super::{ApiError, AppState};
use crate::openlineage::Timestamp;
use crate::store::read::Page;

/// The `/api/v1` routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/lineage", get(lineage::get_lineage).post(lineage::post_lineage))
        .route("/lineage/batch", axum::routing::post(lineage::post_lineage_batch))
        .route("/lineage/diff", get(impact::get_lineage_diff))
        .route("/impact", get(impact::get_impact))
        .route("/column-lineage", get(impact::get_column_lineage))
        .route("/namespaces", get(namespaces::get_namespaces))
        .route("/namespaces/{namespace}", get(namespaces::get_namespace))
        .route("/namespaces/{namespace}/datasets", get(datasets::get_datasets))
        .route(
            "/namespaces/{namespace}/datasets/{dataset}",
            get(datasets::get_dataset),
        )
        .route(
            "/namespaces/{namespace}/datasets/{dataset}/versions",
            get(datasets::get_dataset_versions),
        )
        .route(
            "/namespaces/{namespace}/datasets/{dataset}/versions/{version}",
            get(datasets::get_dataset_version),
        )
        .route("/namespaces/{namespace}/jobs", get(jobs::get_jobs))
        .route("/namespaces/{namespace}/jobs/{job}", get(jobs::get_job))
        .route("/namespaces/{namespace}/jobs/{job}/runs", get(runs::get_runs))
        .route("/jobs/runs/{id}", get(runs::get_run))
        .route("/jobs/runs/{id}/facets", get(runs::get_run_facets))
        .route("/events/lineage", get(events::get_lineage_events))
        .route(
            "/namespaces/{namespace}/datasets/{dataset}/concepts",
            get(catalog::get_dataset_concepts),
        )
        .route("/products", get(catalog::get_products))
        .route("/products/{id}", get(catalog::get_product))
        .route("/domains", get(catalog::get_domains))
        .route("/domains/{id}", get(catalog::get_domain))
        .route("/concepts", get(catalog::get_concepts))
        .route("/concepts/{iri}", get(catalog::get_concept))
        .route("/search", get(search::get_search))
        .route("/overview", get(overview::get_overview))
        .route("/queries", get(queries::get_queries))
        .route("/queries/{name}", get(queries::get_query))
}

/// Marquez's default page size.
const DEFAULT_LIMIT: usize = 100;

/// Path segments, percent-decoded; a segment that does not decode (not
/// UTF-8) is a 400 in the API's error format rather than axum's plain text.
pub struct Segments<T>(pub T);

impl<T, S> FromRequestParts<S> for Segments<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| Segments(value))
            .map_err(|err| ApiError::bad_parameter(err.body_text()))
    }
}

/// The query string as text parameters, parsed on demand so each bad value
/// is refused with a message naming the parameter.
pub struct Params(HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map(|Query(map)| Params(map))
            .map_err(|err| ApiError::bad_parameter(err.body_text()))
    }
}

impl Params {
    /// A parameter's raw text, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// A non-negative integer parameter.
    pub fn count(&self, name: &str, default: usize) -> Result<usize, ApiError> {
        match self.get(name) {
            None => Ok(default),
            Some(text) => text.trim().parse().map_err(|_| {
                ApiError::bad_parameter(format!("`{name}` must be a non-negative integer, got {text:?}"))
            }),
        }
    }

    /// A `true`/`false` parameter.
    pub fn flag(&self, name: &str, default: bool) -> Result<bool, ApiError> {
        match self.get(name).map(str::trim) {
            None => Ok(default),
            Some(text) if text.eq_ignore_ascii_case("true") => Ok(true),
            Some(text) if text.eq_ignore_ascii_case("false") => Ok(false),
            Some(text) => Err(ApiError::bad_parameter(format!(
                "`{name}` must be true or false, got {text:?}"
            ))),
        }
    }

    /// An ISO 8601 date-time parameter.
    pub fn time(&self, name: &str) -> Result<Option<Timestamp>, ApiError> {
        self.get(name)
            .map(|text| {
                Timestamp::parse(text).ok_or_else(|| {
                    ApiError::bad_parameter(format!(
                        "`{name}` must be an ISO 8601 date-time such as 2024-01-31T12:00:00Z, got {text:?}"
                    ))
                })
            })
            .transpose()
    }

    /// `limit` (default 100) and `offset` (default 0).
    pub fn page(&self) -> Result<Page, ApiError> {
        Ok(Page {
            limit: self.count("limit", DEFAULT_LIMIT)?,
            offset: self.count("offset", 0)?,
        })
    }
}

/// Runs synchronous store work on the blocking pool (oxigraph is synchronous).
pub async fn blocking<T, F>(work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(ApiError::internal)?
}
