//! The mesh at a glance, for the web UI's home page: how many namespaces,
//! datasets, jobs, runs, products, domains and concepts there are, the runs
//! with the latest activity, and the jobs whose latest run failed.
//!
//! Three named queries (`overview-*.rq`) count and pick the runs; each run
//! is then read as the REST run pages read it ([`read::run_at`]), and the
//! products, domains and concepts come from the catalog. Called by
//! `GET /api/v1/overview`, from a blocking task.

use oxigraph::model::{NamedNode, Term};

use super::{Catalog, CatalogError, concepts, iri_of};
use crate::store::queries::{OVERVIEW_COUNTS, OVERVIEW_FAILING_JOBS, OVERVIEW_RECENT_RUNS};
use crate::store::read::{self, RunInfo};
use crate::views::Views;

/// How many of each thing the mesh holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Namespaces.
    pub namespaces: usize,
    /// Datasets.
    pub datasets: usize,
    /// Jobs (those that sent events).
    pub jobs: usize,
    /// Runs.
    pub runs: usize,
    /// Data products.
    pub products: usize,
    /// Domains.
    pub domains: usize,
    /// Ontology concepts.
    pub concepts: usize,
}

/// The home page's answer.
#[derive(Debug)]
pub struct Overview {
    /// The counts.
    pub counts: Counts,
    /// The ten runs with the latest activity, newest first.
    pub recent_runs: Vec<RunInfo>,
    /// The latest run of each job whose latest run ended in `FAIL` or
    /// `ABORT`, most recent first.
    pub failing: Vec<RunInfo>,
}

/// Reads the overview.
pub fn overview(views: &Views) -> Result<Overview, CatalogError> {
    let store = views.store();
    let mut counts = Counts::default();
    if let Some(row) = OVERVIEW_COUNTS.select(store, &[])?.first() {
        let count = |var: &str| match row.get(var) {
            Some(Term::Literal(l)) => l.value().parse().unwrap_or(0),
            _ => 0,
        };
        counts.namespaces = count("namespaces");
        counts.datasets = count("datasets");
        counts.jobs = count("jobs");
        counts.runs = count("runs");
    }
    let catalog = Catalog::read(views)?;
    counts.products = catalog.products.len();
    counts.domains = catalog.domains.len();
    counts.concepts = concepts::concepts(views)?.len();
    let runs = |rows: Vec<oxigraph::sparql::QuerySolution>| -> Result<Vec<RunInfo>, CatalogError> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let Some(iri) = iri_of(&row, "run") else { continue };
            if let Some(run) = read::run_at(store, &NamedNode::new_unchecked(iri))? {
                out.push(run);
            }
        }
        Ok(out)
    };
    Ok(Overview {
        counts,
        recent_runs: runs(OVERVIEW_RECENT_RUNS.select(store, &[])?)?,
        failing: runs(OVERVIEW_FAILING_JOBS.select(store, &[])?)?,
    })
}
