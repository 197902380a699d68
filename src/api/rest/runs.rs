//! Runs: `/api/v1/namespaces/{namespace}/jobs/{job}/runs`,
//! `/api/v1/jobs/runs/{id}` and `/api/v1/jobs/runs/{id}/facets`, in
//! Marquez's shape. A run accumulates every event sent for it.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use uuid::Uuid;

use super::{Params, Segments, blocking};
use crate::api::{ApiError, AppState};
use crate::openlineage::{EventType, Timestamp};
use crate::store::read::{self, FacetMap, RunDataset, RunInfo};

/// A job or dataset version's identity.
#[derive(Debug, Clone, Serialize)]
pub struct VersionId {
    namespace: String,
    name: String,
    version: Uuid,
}

impl VersionId {
    /// The version `version` of the job or dataset `name` in `namespace`.
    pub fn new(namespace: String, name: String, version: Uuid) -> Self {
        Self {
            namespace,
            name,
            version,
        }
    }
}

/// A dataset as one run read or wrote it, with the run's facets for it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DatasetVersionJson {
    dataset_version_id: VersionId,
    facets: FacetMap,
}

impl From<RunDataset> for DatasetVersionJson {
    fn from(ds: RunDataset) -> Self {
        Self {
            dataset_version_id: VersionId {
                namespace: ds.namespace,
                name: ds.name,
                version: ds.version,
            },
            facets: ds.facets,
        }
    }
}

/// A run as Marquez answers it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunJson {
    id: Uuid,
    created_at: Option<Timestamp>,
    updated_at: Option<Timestamp>,
    nominal_start_time: Option<Timestamp>,
    nominal_end_time: Option<Timestamp>,
    state: &'static str,
    started_at: Option<Timestamp>,
    ended_at: Option<Timestamp>,
    duration_ms: Option<i64>,
    /// Marquez's run arguments: only its legacy run API sets them.
    args: BTreeMap<String, String>,
    job_version: VersionId,
    input_dataset_versions: Vec<DatasetVersionJson>,
    output_dataset_versions: Vec<DatasetVersionJson>,
    /// Deprecated in Marquez; always empty.
    context: BTreeMap<String, String>,
    facets: FacetMap,
}

impl RunJson {
    /// The version of the job this run ran.
    pub fn job_version(&self) -> Uuid {
        self.job_version.version
    }
}

/// The run state in Marquez's words.
fn state_name(state: Option<EventType>) -> &'static str {
    match state {
        None | Some(EventType::Other) => "NEW",
        Some(EventType::Start | EventType::Running) => "RUNNING",
        Some(EventType::Complete) => "COMPLETED",
        Some(EventType::Fail) => "FAILED",
        Some(EventType::Abort) => "ABORTED",
    }
}

impl From<RunInfo> for RunJson {
    fn from(run: RunInfo) -> Self {
        let duration_ms = match (run.started_at, run.ended_at) {
            (Some(start), Some(end)) => Some((end.to_utc() - start.to_utc()).num_milliseconds()),
            _ => None,
        };
        Self {
            id: run.id,
            created_at: run.created_at,
            updated_at: run.updated_at,
            nominal_start_time: run.nominal_start_time,
            nominal_end_time: run.nominal_end_time,
            state: state_name(run.state),
            started_at: run.started_at,
            ended_at: run.ended_at,
            duration_ms,
            args: BTreeMap::new(),
            job_version: VersionId {
                namespace: run.job.namespace,
                name: run.job.name,
                version: run.job_version,
            },
            input_dataset_versions: run.inputs.into_iter().map(Into::into).collect(),
            output_dataset_versions: run.outputs.into_iter().map(Into::into).collect(),
            context: BTreeMap::new(),
            facets: run.facets,
        }
    }
}

/// `{runs: [...], totalCount}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunList {
    runs: Vec<RunJson>,
    total_count: usize,
}

/// `GET /api/v1/namespaces/{namespace}/jobs/{job}/runs`: a job's runs, newest
/// first (`limit` default 100, `offset`); 404 for an unknown job.
pub async fn get_runs(
    State(app): State<AppState>,
    Segments((namespace, job)): Segments<(String, String)>,
    params: Params,
) -> Result<Json<RunList>, ApiError> {
    let page = params.page()?;
    let listing = blocking(move || {
        read::runs(app.views.store(), &namespace, &job, page)
            .map_err(ApiError::internal)?
            .ok_or_else(|| super::jobs::job_not_found(&namespace, &job))
    })
    .await?;
    Ok(Json(RunList {
        runs: listing.items.into_iter().map(RunJson::from).collect(),
        total_count: listing.total,
    }))
}

fn run_id(text: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(text).map_err(|_| ApiError::bad_parameter(format!("run id {text:?} is not a UUID")))
}

fn run_not_found(id: Uuid) -> ApiError {
    ApiError::not_found(format!("run {id} not found"))
}

/// `GET /api/v1/jobs/runs/{id}`: one run, 400 for a malformed id, 404 if unknown.
pub async fn get_run(
    State(app): State<AppState>,
    Segments(id): Segments<String>,
) -> Result<Json<RunJson>, ApiError> {
    let id = run_id(&id)?;
    let run = blocking(move || {
        read::run(app.views.store(), id)
            .map_err(ApiError::internal)?
            .ok_or_else(|| run_not_found(id))
    })
    .await?;
    Ok(Json(run.into()))
}

/// `{runId, facets}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FacetsJson {
    run_id: Uuid,
    facets: FacetMap,
}

/// `GET /api/v1/jobs/runs/{id}/facets?type=run|job`: the run's facets, or the
/// facets of the run's job (its current ones: meshgraph keeps no job versions).
pub async fn get_run_facets(
    State(app): State<AppState>,
    Segments(id): Segments<String>,
    params: Params,
) -> Result<Json<FacetsJson>, ApiError> {
    let id = run_id(&id)?;
    let job = match params.get("type") {
        Some("run") => false,
        Some("job") => true,
        Some(other) => {
            return Err(ApiError::bad_parameter(format!(
                "`type` must be run or job, got {other:?}"
            )));
        }
        None => return Err(ApiError::bad_parameter("`type` is required: run or job")),
    };
    let facets = blocking(move || {
        let store = app.views.store();
        let run = read::run(store, id)
            .map_err(ApiError::internal)?
            .ok_or_else(|| run_not_found(id))?;
        if !job {
            return Ok(run.facets);
        }
        read::job_facets(store, &run.job)
            .map_err(ApiError::internal)?
            .ok_or_else(|| super::jobs::job_not_found(&run.job.namespace, &run.job.name))
    })
    .await?;
    Ok(Json(FacetsJson { run_id: id, facets }))
}
