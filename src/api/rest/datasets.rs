//! `/api/v1/namespaces/{namespace}/datasets[/{dataset}[/versions[/{version}]]]`:
//! datasets and the versions of their schema in Marquez's shape, facets
//! returned byte-for-byte as sent.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use uuid::Uuid;

use super::namespaces::namespace_not_found;
use super::runs::{RunJson, VersionId};
use super::{Params, Segments, blocking};
use crate::api::{ApiError, AppState};
use crate::openlineage::Timestamp;
use crate::openlineage::facets::{FacetScope, SchemaField, StandardFacet};
use crate::store::Store;
use crate::store::read::{self, DatasetInfo, DatasetKind, DatasetVersion, FacetMap};

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

impl From<&SchemaField> for FieldJson {
    /// A column of a schema facet: no tags (they are not kept per version).
    fn from(field: &SchemaField) -> Self {
        Self {
            name: field.name.clone(),
            data_type: field.data_type.clone(),
            tags: Vec::new(),
            description: field.description.clone(),
        }
    }
}

/// Marquez's name for a dataset's kind.
fn kind_name(kind: DatasetKind) -> &'static str {
    match kind {
        DatasetKind::Table => "DB_TABLE",
        DatasetKind::Stream => "STREAM",
    }
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
            kind: kind_name(ds.kind),
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
    let found = blocking(move || existing(app.views.store(), &namespace, &name)).await?;
    Ok(Json(found.into()))
}

/// The 404 of an unknown dataset.
pub fn dataset_not_found(namespace: &str, name: &str) -> ApiError {
    ApiError::not_found(format!("dataset {name:?} not found in namespace {namespace:?}"))
}

/// A dataset that must exist.
fn existing(store: &Store, namespace: &str, name: &str) -> Result<DatasetInfo, ApiError> {
    read::dataset(store, namespace, name)
        .map_err(ApiError::internal)?
        .ok_or_else(|| dataset_not_found(namespace, name))
}

/// A version of a dataset's schema as Marquez answers it. Its `fields` and
/// `facets` (the `schema` facet alone) are as they were then; the type,
/// source, tags and description are the dataset's current ones, which
/// meshgraph does not keep per version.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionJson {
    id: VersionId,
    #[serde(rename = "type")]
    kind: &'static str,
    name: String,
    physical_name: String,
    created_at: Timestamp,
    version: Uuid,
    namespace: String,
    source_name: String,
    fields: Vec<FieldJson>,
    tags: Vec<String>,
    description: Option<String>,
    /// The run that wrote the dataset with this schema; null when a reader
    /// of the dataset, a DatasetEvent or a JobEvent reported it.
    created_by_run: Option<RunJson>,
    facets: FacetMap,
}

/// A version of `ds` as Marquez answers it, with the run that wrote it.
fn version_json(store: &Store, ds: &DatasetInfo, version: DatasetVersion) -> Result<VersionJson, ApiError> {
    let created_by_run = match version.run {
        Some(id) => read::run(store, id)
            .map_err(ApiError::internal)?
            .map(RunJson::from),
        None => None,
    };
    let fields = match read::standard(FacetScope::Dataset, "schema", &version.schema) {
        Some(StandardFacet::Schema(schema)) => schema.fields.iter().map(FieldJson::from).collect(),
        _ => Vec::new(),
    };
    Ok(VersionJson {
        id: VersionId::new(ds.namespace.clone(), ds.name.clone(), version.id),
        kind: kind_name(ds.kind),
        name: ds.name.clone(),
        physical_name: ds.name.clone(),
        created_at: version.created_at,
        version: version.id,
        namespace: ds.namespace.clone(),
        source_name: ds
            .source_name
            .clone()
            .unwrap_or_else(|| DEFAULT_SOURCE.to_owned()),
        fields,
        tags: ds.tags.clone(),
        description: ds.description.clone(),
        created_by_run,
        facets: FacetMap::from([("schema".to_owned(), version.schema)]),
    })
}

/// `{versions: [...], totalCount}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionList {
    versions: Vec<VersionJson>,
    total_count: usize,
}

/// `GET /api/v1/namespaces/{namespace}/datasets/{dataset}/versions`: the
/// versions of a dataset's schema, newest first (`limit` default 100,
/// `offset`); 404 for an unknown dataset.
pub async fn get_dataset_versions(
    State(app): State<AppState>,
    Segments((namespace, name)): Segments<(String, String)>,
    params: Params,
) -> Result<Json<VersionList>, ApiError> {
    let page = params.page()?;
    let list = blocking(move || {
        let store = app.views.store();
        let ds = existing(store, &namespace, &name)?;
        let listing = read::dataset_versions(store, &namespace, &name, page).map_err(ApiError::internal)?;
        Ok(VersionList {
            versions: listing
                .items
                .into_iter()
                .map(|version| version_json(store, &ds, version))
                .collect::<Result<_, _>>()?,
            total_count: listing.total,
        })
    })
    .await?;
    Ok(Json(list))
}

/// `GET /api/v1/namespaces/{namespace}/datasets/{dataset}/versions/{version}`:
/// one version of a dataset's schema; 400 for a version that is not a
/// UUID, 404 for an unknown dataset or version.
pub async fn get_dataset_version(
    State(app): State<AppState>,
    Segments((namespace, name, version)): Segments<(String, String, String)>,
) -> Result<Json<VersionJson>, ApiError> {
    let id = Uuid::parse_str(&version)
        .map_err(|_| ApiError::bad_parameter(format!("dataset version {version:?} is not a UUID")))?;
    let found = blocking(move || {
        let store = app.views.store();
        let ds = existing(store, &namespace, &name)?;
        let version = read::dataset_version(store, &namespace, &name, id)
            .map_err(ApiError::internal)?
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "dataset {name:?} in namespace {namespace:?} has no version {id}"
                ))
            })?;
        version_json(store, &ds, version)
    })
    .await?;
    Ok(Json(found))
}
