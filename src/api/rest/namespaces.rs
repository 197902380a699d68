//! `/api/v1/namespaces` and `/api/v1/namespaces/{namespace}`: the namespaces
//! events have mentioned, in Marquez's shape.

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use super::{Params, Segments, blocking};
use crate::api::{ApiError, AppState};
use crate::openlineage::Timestamp;
use crate::store::read::{self, NamespaceInfo};

/// Marquez's owner of namespaces created by OpenLineage events.
const DEFAULT_OWNER: &str = "anonymous";

/// A namespace as Marquez answers it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceJson {
    name: String,
    created_at: Option<Timestamp>,
    updated_at: Option<Timestamp>,
    owner_name: &'static str,
    description: Option<String>,
    is_hidden: bool,
}

impl From<NamespaceInfo> for NamespaceJson {
    fn from(ns: NamespaceInfo) -> Self {
        Self {
            name: ns.name,
            created_at: ns.created_at,
            updated_at: ns.updated_at,
            owner_name: DEFAULT_OWNER,
            // OpenLineage events cannot describe a namespace.
            description: None,
            is_hidden: false,
        }
    }
}

/// `{namespaces: [...]}`.
#[derive(Debug, Serialize)]
pub struct NamespaceList {
    namespaces: Vec<NamespaceJson>,
}

/// `GET /api/v1/namespaces`: every namespace by name (`limit`, `offset`).
pub async fn get_namespaces(
    State(app): State<AppState>,
    params: Params,
) -> Result<Json<NamespaceList>, ApiError> {
    let page = params.page()?;
    let all = blocking(move || read::namespaces(app.views.store()).map_err(ApiError::internal)).await?;
    Ok(Json(NamespaceList {
        namespaces: all
            .into_iter()
            .skip(page.offset)
            .take(page.limit)
            .map(NamespaceJson::from)
            .collect(),
    }))
}

/// `GET /api/v1/namespaces/{namespace}`: one namespace, 404 if unknown.
pub async fn get_namespace(
    State(app): State<AppState>,
    Segments(name): Segments<String>,
) -> Result<Json<NamespaceJson>, ApiError> {
    let found = blocking(move || {
        read::namespace(app.views.store(), &name)
            .map_err(ApiError::internal)?
            .ok_or_else(|| namespace_not_found(&name))
    })
    .await?;
    Ok(Json(found.into()))
}

/// The 404 for an unknown namespace.
pub fn namespace_not_found(name: &str) -> ApiError {
    ApiError::not_found(format!("namespace {name:?} not found"))
}
