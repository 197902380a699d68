//! `/api/v1/namespaces/{namespace}/jobs[/{job}]`: jobs in Marquez's shape.
//!
//! A job's `inputs` and `outputs` are its current edges in the lineage
//! projection (those of its latest completed run), so a job that stopped
//! reading a table no longer lists it; everything else comes from the store.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use uuid::Uuid;

use super::datasets::DatasetId;
use super::namespaces::namespace_not_found;
use super::runs::RunJson;
use super::{Params, Segments, blocking};
use crate::api::{ApiError, AppState};
use crate::lineage::Projection;
use crate::openlineage::{NodeId, Timestamp};
use crate::store::read::{self, FacetMap, JobInfo, JobKind};

/// How many runs `latestRuns` lists, as Marquez does.
const LATEST_RUNS: usize = 10;

/// A job's identity.
#[derive(Debug, Serialize)]
pub struct JobId {
    namespace: String,
    name: String,
}

/// A job as Marquez answers it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobJson {
    id: JobId,
    #[serde(rename = "type")]
    kind: &'static str,
    name: String,
    simple_name: String,
    parent_job_name: Option<String>,
    created_at: Option<Timestamp>,
    updated_at: Option<Timestamp>,
    namespace: String,
    inputs: Vec<DatasetId>,
    outputs: Vec<DatasetId>,
    location: Option<String>,
    description: Option<String>,
    tags: Vec<String>,
    facets: FacetMap,
    current_version: Option<Uuid>,
    latest_run: Option<RunJson>,
    /// Only on the job endpoints; lineage nodes carry `latestRun` alone, as in Marquez.
    #[serde(skip_serializing_if = "Option::is_none")]
    latest_runs: Option<Vec<RunJson>>,
}

/// A job's current inputs and outputs from the projection.
pub type JobIo = (Vec<NodeId>, Vec<NodeId>);

/// The current inputs and outputs of a job.
pub fn job_io(projection: &Projection, namespace: &str, name: &str) -> JobIo {
    projection.job_io(&NodeId::job(namespace, name))
}

fn dataset_ids(ids: Vec<NodeId>) -> Vec<DatasetId> {
    ids.into_iter()
        .filter_map(|id| match id {
            NodeId::Dataset { namespace, name } => Some(DatasetId::new(namespace, name)),
            _ => None,
        })
        .collect()
}

impl JobJson {
    /// Shapes a job; `with_runs` adds `latestRuns` (the job endpoints).
    pub fn new(job: JobInfo, (inputs, outputs): JobIo, with_runs: bool) -> Self {
        // Marquez names a child job `parent.child`; its simple name drops the parent.
        let simple_name = job
            .parent
            .as_ref()
            .and_then(|p| job.name.strip_prefix(&p.name)?.strip_prefix('.'))
            .filter(|rest| !rest.is_empty())
            .unwrap_or(&job.name)
            .to_owned();
        let runs: Vec<RunJson> = job.latest_runs.into_iter().map(RunJson::from).collect();
        let current_version = runs.first().map(RunJson::job_version);
        let (latest_run, latest_runs) = if with_runs {
            (runs.first().cloned(), Some(runs))
        } else {
            (runs.into_iter().next(), None)
        };
        Self {
            id: JobId {
                namespace: job.namespace.clone(),
                name: job.name.clone(),
            },
            kind: match job.kind {
                JobKind::Batch => "BATCH",
                JobKind::Stream => "STREAM",
                JobKind::Service => "SERVICE",
            },
            simple_name,
            parent_job_name: job.parent.map(|p| p.name),
            name: job.name,
            created_at: job.created_at,
            updated_at: job.updated_at,
            namespace: job.namespace,
            inputs: dataset_ids(inputs),
            outputs: dataset_ids(outputs),
            location: job.location,
            description: job.description,
            tags: job.tags,
            facets: job.facets,
            current_version,
            latest_run,
            latest_runs,
        }
    }
}

/// `{jobs: [...], totalCount}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobList {
    jobs: Vec<JobJson>,
    total_count: usize,
}

/// `GET /api/v1/namespaces/{namespace}/jobs`: a namespace's jobs by name
/// (`limit` default 100, `offset`); 404 for an unknown namespace.
pub async fn get_jobs(
    State(app): State<AppState>,
    Segments(namespace): Segments<String>,
    params: Params,
) -> Result<Json<JobList>, ApiError> {
    let page = params.page()?;
    blocking(move || {
        let listing = read::jobs(app.views.store(), &namespace, page, LATEST_RUNS)
            .map_err(ApiError::internal)?
            .ok_or_else(|| namespace_not_found(&namespace))?;
        let projection = app.views.projection();
        let jobs = listing
            .items
            .into_iter()
            .map(|job| {
                let io = job_io(&projection, &job.namespace, &job.name);
                JobJson::new(job, io, true)
            })
            .collect();
        Ok(Json(JobList {
            jobs,
            total_count: listing.total,
        }))
    })
    .await
}

/// `GET /api/v1/namespaces/{namespace}/jobs/{job}`: one job, 404 if unknown.
pub async fn get_job(
    State(app): State<AppState>,
    Segments((namespace, name)): Segments<(String, String)>,
) -> Result<Json<JobJson>, ApiError> {
    blocking(move || {
        let job = read::job(app.views.store(), &namespace, &name, LATEST_RUNS)
            .map_err(ApiError::internal)?
            .ok_or_else(|| job_not_found(&namespace, &name))?;
        let io = job_io(&app.views.projection(), &namespace, &name);
        Ok(Json(JobJson::new(job, io, true)))
    })
    .await
}

/// The 404 for an unknown job.
pub fn job_not_found(namespace: &str, name: &str) -> ApiError {
    ApiError::not_found(format!("job {name:?} not found in namespace {namespace:?}"))
}
