//! HTTP transport: the only module that knows axum.
//!
//! [`router`] builds the whole HTTP surface over an [`App`]; tests call it
//! with `tower::ServiceExt::oneshot`, no socket needed. Handlers translate
//! between HTTP and the domain modules and nothing more.

pub mod body;
pub mod error;
pub mod graph_store;
pub mod graphql;
pub mod negotiate;
pub mod rest;
pub mod results_json;
pub mod sparql;
pub mod web;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use tower_http::trace::TraceLayer;

use crate::app::App;

pub use error::ApiError;

/// The shared state of every handler.
pub type AppState = Arc<App>;

/// The whole HTTP surface.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/health", get(get_health))
        .route("/sparql", get(sparql::get_sparql).post(sparql::post_sparql))
        .route(
            "/store",
            get(graph_store::get_store)
                .head(graph_store::head_store)
                .put(graph_store::write_store)
                .post(graph_store::write_store)
                .delete(graph_store::write_store),
        )
        .nest("/api/v1", rest::router())
        .merge(graphql::router(Arc::clone(&app)))
        .merge(web::router())
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(TraceLayer::new_for_http())
        .with_state(app)
}

/// `GET /health`: liveness, with what the server holds.
async fn get_health(
    axum::extract::State(app): axum::extract::State<AppState>,
) -> axum::Json<serde_json::Value> {
    let (nodes, edges) = app.views.projection().size();
    axum::Json(serde_json::json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "lineage": { "nodes": nodes, "edges": edges },
    }))
}

async fn fallback(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!("no route for {}", uri.path()))
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        crate::error::ErrorCode::MethodNotAllowed,
        format!("{} does not take {method}", uri.path()),
    )
}
