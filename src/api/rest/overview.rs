//! `GET /api/v1/overview`: the mesh at a glance, for the web UI's home page
//! (not a Marquez endpoint): counts, the runs with the latest activity and
//! the jobs whose latest run failed.

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use super::blocking;
use super::runs::RunJson;
use crate::api::{ApiError, AppState};
use crate::catalog::overview::{self, Counts};
use crate::store::read::RunInfo;

/// `{counts, recentRuns, failingJobs}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OverviewJson {
    counts: Counts,
    recent_runs: Vec<JobRunJson>,
    failing_jobs: Vec<JobRunJson>,
}

/// A run with the job it is a run of.
#[derive(Debug, Serialize)]
pub struct JobRunJson {
    job: JobRef,
    run: RunJson,
}

/// A job's namespace and name.
#[derive(Debug, Serialize)]
pub struct JobRef {
    namespace: String,
    name: String,
}

impl From<RunInfo> for JobRunJson {
    fn from(run: RunInfo) -> Self {
        Self {
            job: JobRef {
                namespace: run.job.namespace.clone(),
                name: run.job.name.clone(),
            },
            run: run.into(),
        }
    }
}

/// `GET /api/v1/overview`.
pub async fn get_overview(State(app): State<AppState>) -> Result<Json<OverviewJson>, ApiError> {
    let overview = blocking(move || overview::overview(&app.views).map_err(ApiError::internal)).await?;
    Ok(Json(OverviewJson {
        counts: overview.counts,
        recent_runs: overview.recent_runs.into_iter().map(Into::into).collect(),
        failing_jobs: overview.failing.into_iter().map(Into::into).collect(),
    }))
}
