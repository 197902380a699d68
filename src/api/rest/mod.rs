//! The REST API under `/api/v1`: OpenLineage ingestion and Marquez's read API.
//!
//! Route modules mirror the URL paths; field names follow Marquez's OpenAPI
//! so existing clients and UIs read the answers unchanged.

pub mod lineage;

use axum::Router;
use axum::routing::post;

use super::AppState;

/// The `/api/v1` routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/lineage", post(lineage::post_lineage))
        .route("/lineage/batch", post(lineage::post_lineage_batch))
}
