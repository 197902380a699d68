//! `/api/v1/namespaces/{namespace}/datasets[/{dataset}]`: datasets in
//! Marquez's shape, their current facets returned byte-for-byte as sent.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use uuid::Uuid;

use super::namespaces::namespace_not_found;
use super::{Params, Segments, blocking};
use crate::api::{ApiError, AppState};
use crate::openlineage::Timestamp;
use crate::store::read::{self, DatasetInfo, DatasetKind, FacetMap};

/// Marquez's source name for datasets without a `dataSource` facet.
const DEFAULT_SOURCE: &str = "default";

/// A dataset's identity.
#[derive(Debug, Serialize)]
pub struct DatasetId {
    namespace: String,
    name: String,
}

impl DatasetId {
    /// The id of the dataset `name` in `namespace`.
    pub fn new(namespace: String, name: String) -> Self {
        Self { namespace, name }
    }
}

/// One column.
#[derive(Debug, Serialize)]
pub struct FieldJson {
    name: String,
    #[serde(rename = "type")]
    data_type: Option<String>,
    tags: Vec<String>,
    description: Option<String>,
}

/// A dataset as Marquez answers it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DatasetJson {
    id: DatasetId,
    #[serde(rename = "type")]
    kind: &'static str,
    name: String,
    physical_name: String,
    created_at: Option<Timestamp>,
    updated_at: Option<Timestamp>,
    namespace: String,
    source_name: String,
    fields: Vec<FieldJson>,
    tags: Vec<String>,
    last_modified_at: Option<Timestamp>,
    last_lifecycle_state: Option<String>,
    description: Option<String>,
    current_version: Uuid,
    /// Always null (Marquez's answer when it has none): column lineage is
    /// served by `/column-lineage`.
    column_lineage: (),
    facets: FacetMap,
    deleted: bool,
}

impl From<DatasetInfo> for DatasetJson {
    fn from(ds: DatasetInfo) -> Self {
        Self {
            id: DatasetId {
                namespace: ds.namespace.clone(),
                name: ds.name.clone(),
            },
            kind: match ds.kind {
                DatasetKind::Table => "DB_TABLE",
                DatasetKind::Stream => "STREAM",
            },
            physical_name: ds.name.clone(),
            name: ds.name,
            created_at: ds.created_at,
            updated_at: ds.updated_at,
            namespace: ds.namespace,
            source_name: ds.source_name.unwrap_or_else(|| DEFAULT_SOURCE.to_owned()),
            fields: ds
                .fields
                .into_iter()
                .map(|f| FieldJson {
                    name: f.name,
                    data_type: f.data_type,
                    tags: f.tags,
                    description: f.description,
                })
                .collect(),
            tags: ds.tags,
            last_modified_at: ds.last_modified_at,
            last_lifecycle_state: ds.last_lifecycle_state,
            description: ds.description,
            current_version: ds.current_version,
            column_lineage: (),
            facets: ds.facets,
            // Datasets are never deleted: a DROP shows as `lastLifecycleState`.
            deleted: false,
        }
    }
}

/// `{datasets: [...], totalCount}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DatasetList {
    datasets: Vec<DatasetJson>,
    total_count: usize,
}

/// `GET /api/v1/namespaces/{namespace}/datasets`: a namespace's datasets by
/// name (`limit` default 100, `offset`); 404 for an unknown namespace.
pub async fn get_datasets(
    State(app): State<AppState>,
    Segments(namespace): Segments<String>,
    params: Params,
) -> Result<Json<DatasetList>, ApiError> {
    let page = params.page()?;
    let listing = blocking(move || {
        read::datasets(app.views.store(), &namespace, page)
            .map_err(ApiError::internal)?
            .ok_or_else(|| namespace_not_found(&namespace))
    })
    .await?;
    Ok(Json(DatasetList {
        datasets: listing.items.into_iter().map(DatasetJson::from).collect(),
        total_count: listing.total,
    }))
}

/// `GET /api/v1/namespaces/{namespace}/datasets/{dataset}`: one dataset, 404 if unknown.
pub async fn get_dataset(
    State(app): State<AppState>,
    Segments((namespace, name)): Segments<(String, String)>,
) -> Result<Json<DatasetJson>, ApiError> {
    let found = blocking(move || {
        read::dataset(app.views.store(), &namespace, &name)
            .map_err(ApiError::internal)?
            .ok_or_else(|| {
                ApiError::not_found(format!("dataset {name:?} not found in namespace {namespace:?}"))
            })
    })
    .await?;
    Ok(Json(found.into()))
}
