//! Batch loading: the items of one list in an answer (a page of
//! `datasets`, the neighbours of a page, a page of jobs, a job's runs)
//! share a batch, and whatever one item's field needs is loaded for every
//! item of the list at once, the first time any of them asks: one blocking
//! task, and one set of store reads, per list and kind of thing. The other
//! items wait for that load instead of starting their own.
//!
//! This is what DataLoaders are for, with the list itself as the batch
//! rather than whatever keys happen to be asked within a time window: a
//! page costs the same reads however its resolvers are scheduled, where a
//! window splits a large page into several batches on a busy server (or
//! when async-graphql pauses after resolving 32 items). A page of 100
//! datasets with their owners, products, concepts and neighbours thus costs
//! the reads of a page of 10.
//!
//! A batch lives while its answer is being resolved and keeps nothing after
//! it: an answer is never older than its request.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use super::entities::{Dataset, Job, Run};
use super::gql_error;
use crate::api::rest::blocking;
use crate::api::rest::jobs::job_io;
use crate::api::{ApiError, AppState};
use crate::catalog::concepts::{self, DatasetConcept};
use crate::lineage::Projection;
use crate::lineage::report::ExposedProduct;
use crate::openlineage::NodeId;
use crate::store::read::{self, DatasetInfo, JobInfo, Page, RunInfo};

/// A dataset's or job's identity: namespace and name.
pub type Key = (String, String);

/// What a list loads once for all its items.
type Once<T> = OnceCell<Arc<T>>;

/// Loads a value once for a whole list: the first caller runs `work` on the
/// blocking pool, the others wait for its answer. A failure is not kept:
/// the next caller tries again.
async fn once<T>(
    cell: &Once<T>,
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> async_graphql::Result<Arc<T>>
where
    T: Send + Sync + 'static,
{
    cell.get_or_try_init(|| async move { blocking(work).await.map(Arc::new) })
        .await
        .cloned()
        .map_err(gql_error)
}

/// Datasets read together (three store reads, [`read::datasets_by_key`]) and
/// the batch they form as a list.
struct Loaded {
    infos: HashMap<Key, DatasetInfo>,
    batch: Arc<DatasetBatch>,
}

impl Loaded {
    /// Reads datasets by key; those the store does not know are left out.
    fn read(app: &AppState, keys: &[Key]) -> Result<Self, ApiError> {
        let infos = read::datasets_by_key(app.views.store(), keys).map_err(ApiError::internal)?;
        let batch = DatasetBatch::new(app, infos.keys().cloned().collect());
        Ok(Self { infos, batch })
    }

    /// The datasets of `keys` that were found, in that order.
    fn datasets(&self, keys: &[Key]) -> Vec<Dataset> {
        keys.iter()
            .filter_map(|key| self.infos.get(key))
            .map(|info| Dataset::new(info.clone(), Arc::clone(&self.batch)))
            .collect()
    }
}

/// A dataset's neighbours one job away in the current lineage, each list by
/// namespace and name.
#[derive(Debug, Clone, Default)]
struct Neighbours {
    /// The datasets read by the jobs that write it.
    upstream: Vec<Key>,
    /// The datasets written by the jobs that read it.
    downstream: Vec<Key>,
}

impl Neighbours {
    fn side(&self, upstream: bool) -> &[Key] {
        if upstream {
            &self.upstream
        } else {
            &self.downstream
        }
    }

    /// The neighbours on one side in a page's window.
    fn window(&self, upstream: bool, page: Page) -> impl Iterator<Item = &Key> {
        self.side(upstream).iter().skip(page.offset).take(page.limit)
    }
}

/// The datasets one job hop from `dataset`, upstream or downstream
/// ([`Projection::neighbours`]), by namespace and name.
fn one_hop(projection: &Projection, dataset: &NodeId, upstream: bool) -> Vec<Key> {
    let ids = projection.ids();
    let mut keys: Vec<Key> = projection
        .neighbours(dataset, upstream)
        .unwrap_or_default()
        .into_iter()
        .map(|id| (ids.namespace(id).to_owned(), ids.name(id).to_owned()))
        .collect();
    keys.sort();
    keys
}

/// The neighbours of a list's datasets in one window, read as one list.
type NeighbourPage = Arc<Once<Loaded>>;

/// What the datasets of one list load together.
pub struct DatasetBatch {
    app: AppState,
    keys: Arc<[Key]>,
    /// The products exposing each dataset, from what documents say
    /// ([`crate::views::Views::described`]).
    products: Once<HashMap<Key, Vec<ExposedProduct>>>,
    /// The concepts each dataset carries ([`concepts::datasets_concepts`]).
    concepts: Once<HashMap<Key, Vec<DatasetConcept>>>,
    /// Each dataset's neighbours, from the projection (no store read).
    neighbours: Once<HashMap<Key, Neighbours>>,
    /// Pages of neighbours by direction (upstream?) and window: every
    /// dataset's page in that window, read together as one list.
    pages: Mutex<HashMap<(bool, Page), NeighbourPage>>,
}

impl DatasetBatch {
    fn new(app: &AppState, keys: Vec<Key>) -> Arc<Self> {
        Arc::new(Self {
            app: app.clone(),
            keys: keys.into(),
            products: OnceCell::new(),
            concepts: OnceCell::new(),
            neighbours: OnceCell::new(),
            pages: Mutex::default(),
        })
    }

    /// Datasets already read, as one list.
    pub fn list(app: &AppState, infos: Vec<DatasetInfo>) -> Vec<Dataset> {
        let keys = infos
            .iter()
            .map(|i| (i.namespace.clone(), i.name.clone()))
            .collect();
        let batch = Self::new(app, keys);
        infos
            .into_iter()
            .map(|info| Dataset::new(info, Arc::clone(&batch)))
            .collect()
    }

    /// The data products that expose a dataset of this list (by their
    /// output ports).
    pub async fn products(&self, key: &Key) -> async_graphql::Result<Vec<ExposedProduct>> {
        let (app, keys) = (self.app.clone(), Arc::clone(&self.keys));
        let all = once(&self.products, move || {
            let described = app.views.described().map_err(ApiError::internal)?;
            Ok(keys
                .iter()
                .map(|key| {
                    let id = NodeId::dataset(&key.0, &key.1);
                    let products = described.exposure.products_of(&id).cloned().collect();
                    (key.clone(), products)
                })
                .collect())
        })
        .await?;
        Ok(all.get(key).cloned().unwrap_or_default())
    }

    /// The concepts a dataset of this list and its columns carry.
    pub async fn concepts(&self, key: &Key) -> async_graphql::Result<Vec<DatasetConcept>> {
        let (app, keys) = (self.app.clone(), Arc::clone(&self.keys));
        let all = once(&self.concepts, move || {
            concepts::datasets_concepts(&app.views, &keys).map_err(ApiError::internal)
        })
        .await?;
        Ok(all.get(key).cloned().unwrap_or_default())
    }

    /// A page of a dataset's neighbours upstream or downstream, and how
    /// many it has in all.
    pub async fn neighbours(
        &self,
        key: &Key,
        upstream: bool,
        page: Page,
    ) -> async_graphql::Result<(Vec<Dataset>, usize)> {
        let (app, keys) = (self.app.clone(), Arc::clone(&self.keys));
        let all = once(&self.neighbours, move || {
            let projection = app.views.projection();
            Ok(keys
                .iter()
                .map(|key| {
                    let id = NodeId::dataset(&key.0, &key.1);
                    let neighbours = Neighbours {
                        upstream: one_hop(&projection, &id, true),
                        downstream: one_hop(&projection, &id, false),
                    };
                    (key.clone(), neighbours)
                })
                .collect())
        })
        .await?;
        let cell = Arc::clone(
            self.pages
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry((upstream, page))
                .or_default(),
        );
        let (app, every) = (self.app.clone(), Arc::clone(&all));
        let loaded = once(&cell, move || {
            let wanted: BTreeSet<&Key> = every.values().flat_map(|n| n.window(upstream, page)).collect();
            Loaded::read(&app, &wanted.into_iter().cloned().collect::<Vec<_>>())
        })
        .await?;
        Ok(match all.get(key) {
            Some(mine) => {
                let window: Vec<Key> = mine.window(upstream, page).cloned().collect();
                (loaded.datasets(&window), mine.side(upstream).len())
            }
            None => (Vec::new(), 0),
        })
    }
}

/// What the jobs of one list load together.
pub struct JobBatch {
    app: AppState,
    keys: Arc<[Key]>,
    io: Once<JobIo>,
}

/// The current inputs and outputs of the jobs of a list (from the
/// projection), and all of them read as one list.
struct JobIo {
    by_job: HashMap<Key, (Vec<Key>, Vec<Key>)>,
    loaded: Loaded,
}

impl JobBatch {
    /// Jobs already read, as one list; their latest runs form another.
    pub fn list(app: &AppState, mut infos: Vec<JobInfo>) -> Vec<Job> {
        let latest: Vec<Option<RunInfo>> = infos
            .iter_mut()
            .map(|info| info.latest_runs.drain(..).next())
            .collect();
        let has_run: Vec<bool> = latest.iter().map(Option::is_some).collect();
        let mut runs = RunBatch::list(app, latest.into_iter().flatten().collect()).into_iter();
        let batch = Arc::new(Self {
            app: app.clone(),
            keys: infos
                .iter()
                .map(|i| (i.namespace.clone(), i.name.clone()))
                .collect::<Vec<_>>()
                .into(),
            io: OnceCell::new(),
        });
        infos
            .into_iter()
            .zip(has_run)
            .map(|(info, has_run)| {
                let run = if has_run { runs.next() } else { None };
                Job::new(info, run, Arc::clone(&batch))
            })
            .collect()
    }

    /// A job's current inputs or outputs (those of its latest completed
    /// run), each read from the store.
    pub async fn io(&self, key: &Key, inputs: bool) -> async_graphql::Result<Vec<Dataset>> {
        let (app, keys) = (self.app.clone(), Arc::clone(&self.keys));
        let all = once(&self.io, move || {
            let by_job: HashMap<Key, (Vec<Key>, Vec<Key>)> = {
                let projection = app.views.projection();
                let datasets = |ids: Vec<NodeId>| -> Vec<Key> {
                    ids.into_iter()
                        .filter_map(|id| match id {
                            NodeId::Dataset { namespace, name } => Some((namespace, name)),
                            _ => None,
                        })
                        .collect()
                };
                keys.iter()
                    .map(|key| {
                        let (ins, outs) = job_io(&projection, &key.0, &key.1);
                        (key.clone(), (datasets(ins), datasets(outs)))
                    })
                    .collect()
            };
            let wanted: Vec<Key> = by_job
                .values()
                .flat_map(|(ins, outs)| ins.iter().chain(outs).cloned())
                .collect::<BTreeSet<Key>>()
                .into_iter()
                .collect();
            let loaded = Loaded::read(&app, &wanted)?;
            Ok(JobIo { by_job, loaded })
        })
        .await?;
        Ok(match all.by_job.get(key) {
            Some((ins, outs)) => all.loaded.datasets(if inputs { ins } else { outs }),
            None => Vec::new(),
        })
    }
}

/// What the runs of one list load together: the datasets they read and
/// wrote, as they are now.
pub struct RunBatch {
    app: AppState,
    keys: Arc<[Key]>,
    datasets: Once<Loaded>,
}

impl RunBatch {
    /// Runs already read, as one list.
    pub fn list(app: &AppState, infos: Vec<RunInfo>) -> Vec<Run> {
        let keys = infos
            .iter()
            .flat_map(|run| run.inputs.iter().chain(&run.outputs))
            .map(|ds| (ds.namespace.clone(), ds.name.clone()))
            .collect::<BTreeSet<Key>>()
            .into_iter()
            .collect::<Vec<_>>()
            .into();
        let batch = Arc::new(Self {
            app: app.clone(),
            keys,
            datasets: OnceCell::new(),
        });
        infos
            .into_iter()
            .map(|info| Run::new(info, Arc::clone(&batch)))
            .collect()
    }

    /// A dataset one of the runs read or wrote, as it is now.
    pub async fn dataset(&self, key: &Key) -> async_graphql::Result<Option<Dataset>> {
        let (app, keys) = (self.app.clone(), Arc::clone(&self.keys));
        let loaded = once(&self.datasets, move || Loaded::read(&app, &keys)).await?;
        Ok(loaded.datasets(std::slice::from_ref(key)).pop())
    }
}
