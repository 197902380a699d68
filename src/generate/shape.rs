//! The topology of a generated mesh: domains, tables, jobs, DAGs, hubs,
//! chains, and how each output column is derived.
//!
//! [`Mesh::build`] lays the mesh out once, from the seed, in creation order
//! (a table's index is smaller than the index of every table derived from
//! it, so the lineage graph is acyclic by construction):
//!
//! 1. **sources**: tables no job writes, in each domain's operational
//!    database (some land as files in a shared bucket), and a few in the
//!    master-data database the hubs are built from;
//! 2. **hubs**: shared dimensions (`SHARED.CORE.DIM_CUSTOMER`, `DIM_DATE`,
//!    ...) that jobs of every domain join, hub `k` picked with probability
//!    proportional to `1/k` (Zipf), so the first one is read by a large
//!    share of the mesh and the last ones by a few jobs;
//! 3. **chains**: DAGs where each job reads the previous one's output,
//!    50-200 jobs deep;
//! 4. **pipelines**: the bulk, DAGs of 4-40 jobs in layers (staging jobs
//!    read the domain's sources, intermediate jobs several staging tables,
//!    marts several intermediate tables; at every layer some also read a
//!    mart of another pipeline, a data product of another domain), with
//!    fan-in (a job reads several tables) and fan-out (a table is read by
//!    several jobs).
//!
//! Every job writes tables of its own (one, sometimes two), so the datasets
//! are the sources plus the jobs' outputs. Some jobs change their inputs on
//! a given day (one input dropped, another added), so lineage as of a time
//! differs before and after. The mesh is held compactly (names, and columns
//! as indexes into word lists), which keeps a mesh of 100,000 datasets in a
//! few tens of megabytes; the events are rendered from it (`event.rs`).

use std::fmt::Write as _;
use std::ops::Range;

use super::GeneratorConfig;
use super::rng::{Rng, Zipf};
use super::vocab::{
    COLUMN_WORDS, ENTITIES, INDIRECT_SUBTYPES, Integration, KIND_OTHER, QUALIFIERS, Storage, column_kind,
    domain_name, hub_entity,
};

/// No job: the producer of a source table.
const NONE: u32 = u32::MAX;
/// The Zipf exponent of hub popularity: 1 is the classic word-frequency law.
const HUB_SKEW: f64 = 1.0;
/// Jobs in a long chain (fewer when the mesh is small: see [`Sizes`]).
const CHAIN_JOBS: (usize, usize) = (50, 200);
/// Jobs in a pipeline DAG.
const PIPELINE_JOBS: (usize, usize) = (4, 40);
/// Per layer (staging, intermediate, marts): how many jobs in a thousand
/// join a hub, and how many read a data product (a mart) of another pipeline,
/// as domains of a mesh consume each other's. Together they decide how far
/// the hubs reach: at 100,000 datasets, the top hub's downstream is over
/// half the mesh.
const HUB_JOINS: [u32; 3] = [200, 600, 700];
const PRODUCT_READS: [u32; 3] = [250, 100, 150];
/// Days over which input changes are spread when the generator never ends.
const ENDLESS_HORIZON: u32 = 8;

/// Where a table sits in its pipeline; it names the table's schema and prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layer {
    Source,
    Staging,
    Intermediate,
    Mart,
    Hub,
}

impl Layer {
    fn schema(self) -> &'static str {
        match self {
            Self::Source => "raw",
            Self::Staging => "staging",
            Self::Intermediate => "intermediate",
            Self::Mart => "marts",
            Self::Hub => "core",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Self::Source => "",
            Self::Staging => "stg_",
            Self::Intermediate => "int_",
            Self::Mart => "fct_",
            Self::Hub => "dim_",
        }
    }
}

/// A column, as indexes into the word lists of `vocab`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Column {
    word: u8,
    /// Index into `QUALIFIERS`; 0 for none.
    qualifier: u8,
    /// A number that makes the name unique in its table; 0 for none.
    suffix: u16,
    kind: u8,
    /// Whether the schema facet carries a description (dbt and catalogs do).
    pub(super) described: bool,
}

impl Column {
    fn same_name(&self, other: &Self) -> bool {
        (self.word, self.qualifier, self.suffix) == (other.word, other.qualifier, other.suffix)
    }

    /// Appends the column's name to `out`.
    pub(super) fn write_name(&self, out: &mut String) {
        if self.qualifier != 0 {
            out.push_str(QUALIFIERS[usize::from(self.qualifier)]);
            out.push('_');
        }
        out.push_str(COLUMN_WORDS[usize::from(self.word)]);
        if self.suffix != 0 {
            write!(out, "_{}", self.suffix).expect("writing to a String cannot fail");
        }
    }
}

/// A dataset.
pub(super) struct Table {
    namespace: u16,
    pub(super) storage: Storage,
    pub(super) name: String,
    pub(super) columns: Vec<Column>,
}

impl Table {
    /// The type of column `column`, as this table's storage spells it.
    pub(super) fn column_type(&self, column: usize) -> &'static str {
        self.storage.column_type(self.columns[column].kind)
    }
}

/// From a given day on, a job reads `table` instead of its input at `position`.
#[derive(Debug, Clone, Copy)]
struct Change {
    day: u32,
    position: usize,
    table: u32,
}

/// A job (an Airflow task, a dbt model, a Spark application).
pub(super) struct Job {
    namespace: u16,
    pub(super) name: String,
    pub(super) integration: Integration,
    pub(super) dag: u32,
    inputs: Vec<u32>,
    pub(super) outputs: Vec<u32>,
    change: Option<Change>,
    /// Where this job's column derivations come from.
    seed: u64,
    /// How many jobs of its own DAG must finish before it can start, at most.
    level: u32,
}

/// An Airflow DAG: the parent of its jobs' runs.
pub(super) struct Dag {
    namespace: u16,
    pub(super) name: String,
    /// Scheduled start, in seconds after midnight.
    pub(super) schedule_secs: i64,
    /// Levels of jobs, the longest path through the DAG.
    pub(super) depth: u32,
}

/// How an output column is computed from one input column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum How {
    /// `DIRECT` `IDENTITY`: copied as is.
    Identity,
    /// `DIRECT` `TRANSFORMATION`: computed from it.
    Transformation,
    /// `DIRECT` `TRANSFORMATION` with `masking`: hashed.
    Masked,
    /// `DIRECT` `AGGREGATION`: summed over groups.
    Aggregation,
    /// `INDIRECT` with this subtype: it shapes the value without being it.
    Indirect(&'static str),
}

/// One input column of one output column.
#[derive(Debug, Clone, Copy)]
pub(super) struct Source {
    /// The output column.
    pub(super) column: u16,
    /// The input, as a position in [`Derivation::inputs`].
    pub(super) input: u8,
    /// The input's column.
    pub(super) field: u16,
    pub(super) how: How,
}

/// How one output table is derived.
pub(super) struct OutputDerivation {
    pub(super) table: u32,
    /// Per output column in order, its 1-3 sources (the first one `DIRECT`).
    pub(super) sources: Vec<Source>,
    /// The column of the first input the rows are filtered on.
    pub(super) filter: u16,
}

/// What a job reads on a given day, and how each output column comes from it.
pub(super) struct Derivation {
    pub(super) inputs: Vec<u32>,
    pub(super) outputs: Vec<OutputDerivation>,
}

/// The topology of a generated mesh: domains of layered pipeline DAGs,
/// shared hub dimensions read with a Zipf skew, a few long chains.
///
/// Datasets and jobs are numbered from 0 in creation order: every input of a
/// job has a smaller index than its outputs. [`crate::generate::Generator::mesh`]
/// gives it, for tests and benchmarks that need to know where the hubs and the
/// chains are, or the lineage graph as of a day, without parsing events.
pub struct Mesh {
    namespaces: Vec<String>,
    tables: Vec<Table>,
    /// Per table, the job that writes it, or [`NONE`].
    producers: Vec<u32>,
    jobs: Vec<Job>,
    dags: Vec<Dag>,
    /// Hub tables, most read first.
    hubs: Vec<u32>,
    /// Jobs of each long chain, upstream first.
    chains: Vec<Range<usize>>,
}

/// How many of each thing, from the configuration, raised or lowered to what fits.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Sizes {
    domains: usize,
    jobs: usize,
    hubs: usize,
    sources: usize,
    /// Of the sources, those in the master-data database the hubs read.
    core_sources: usize,
    /// Jobs that write two tables rather than one.
    second_outputs: usize,
    /// Jobs of all chains together, at most.
    chain_budget: usize,
}

impl Sizes {
    fn of(config: &GeneratorConfig) -> Self {
        let domains = config.domains.max(1);
        let jobs = config.jobs.max(1);
        let hubs = config.hubs.min(jobs / 2);
        let datasets = config.datasets;
        // About 30% sources, but no fewer than jobs writing two tables each
        // would leave, and no more than jobs writing one each would.
        let sources = (datasets * 3 / 10)
            .clamp(datasets.saturating_sub(2 * jobs), datasets.saturating_sub(jobs))
            .max(domains + usize::from(hubs > 0));
        let core_sources = if hubs > 0 {
            (sources / 10).clamp(1, 2 * hubs).min(sources - domains)
        } else {
            0
        };
        Self {
            domains,
            jobs,
            hubs,
            sources,
            core_sources,
            second_outputs: datasets.saturating_sub(sources + jobs).min(jobs - hubs),
            // Chains take at most a quarter of the jobs: the mesh stays a mesh.
            chain_budget: (jobs - hubs) / 4,
        }
    }
}

/// A domain while the mesh is built.
struct Domain {
    name: String,
    /// Where its sources live: its operational database.
    source: (u16, Storage),
    /// Where its pipelines write: its warehouse database or lake.
    warehouse: (u16, Storage),
    /// Job namespaces, by [`Integration`].
    airflow: u16,
    dbt: u16,
    spark: u16,
    sources: Vec<u32>,
}

impl Domain {
    fn job_namespace(&self, integration: Integration) -> u16 {
        match integration {
            Integration::Airflow => self.airflow,
            Integration::Dbt => self.dbt,
            Integration::Spark => self.spark,
        }
    }
}

struct Builder<'a> {
    config: &'a GeneratorConfig,
    rng: &'a mut Rng,
    mesh: Mesh,
    domains: Vec<Domain>,
    /// The master-data domain that builds the hubs.
    core: Domain,
    /// A bucket where some domains land their source files.
    landing: u16,
    hub_pick: Option<Zipf>,
    /// Marts of the pipelines built so far: other pipelines read some.
    marts: Vec<u32>,
    /// Non-hub jobs still to build, and how many of them write two tables:
    /// selection sampling spreads the second outputs evenly.
    eligible_left: usize,
    second_left: usize,
}

impl Mesh {
    /// Lays out the mesh `config` describes, drawing from `rng`.
    pub(super) fn build(config: &GeneratorConfig, rng: &mut Rng) -> Self {
        let sizes = Sizes::of(config);
        let mut namespaces = Vec::new();
        let mut namespace = |text: String| {
            namespaces.push(text);
            u16::try_from(namespaces.len() - 1).expect("fewer than 65,536 namespaces")
        };
        let mut domain = |name: String, database: &str, source: Storage, warehouse: Storage| {
            let source_ns = match source {
                Storage::MySql => format!("mysql://{database}-db:3306"),
                _ => format!("postgres://{database}-db:5432"),
            };
            let warehouse_ns = match warehouse {
                Storage::S3 => format!("s3://acme-{name}-lake"),
                _ => format!("snowflake://acme.{name}"),
            };
            Domain {
                source: (namespace(source_ns), source),
                warehouse: (namespace(warehouse_ns), warehouse),
                airflow: namespace(format!("airflow-{name}")),
                dbt: namespace(format!("dbt-{name}")),
                spark: namespace(format!("spark-{name}")),
                name,
                sources: Vec::new(),
            }
        };
        // Master data: the hubs are built from it into the shared warehouse.
        let core = domain("shared".to_owned(), "mdm", Storage::Postgres, Storage::Snowflake);
        let domains: Vec<Domain> = (0..sizes.domains)
            .map(|d| {
                let source = [Storage::Postgres, Storage::MySql][d % 2];
                let warehouse = [Storage::Snowflake, Storage::Snowflake, Storage::S3][d % 3];
                let name = domain_name(d);
                domain(name.clone(), &name, source, warehouse)
            })
            .collect();
        let landing = namespace("s3://acme-landing".to_owned());
        let mut builder = Builder {
            config,
            rng,
            mesh: Self {
                namespaces,
                tables: Vec::new(),
                producers: Vec::new(),
                jobs: Vec::new(),
                dags: Vec::new(),
                hubs: Vec::new(),
                chains: Vec::new(),
            },
            domains,
            core,
            landing,
            hub_pick: (sizes.hubs > 0).then(|| Zipf::new(sizes.hubs, HUB_SKEW)),
            marts: Vec::new(),
            eligible_left: sizes.jobs - sizes.hubs,
            second_left: sizes.second_outputs,
        };
        builder.sources(&sizes);
        builder.hubs(&sizes);
        let chain_jobs = builder.chains(&sizes);
        builder.pipelines(sizes.jobs - sizes.hubs - chain_jobs);
        builder.levels();
        builder.mesh
    }

    /// How many datasets (tables) the mesh has.
    pub fn datasets(&self) -> usize {
        self.tables.len()
    }

    /// The namespace and name of a dataset.
    pub fn dataset(&self, dataset: usize) -> (&str, &str) {
        let table = &self.tables[dataset];
        (&self.namespaces[usize::from(table.namespace)], &table.name)
    }

    /// How many columns a dataset has.
    pub fn columns(&self, dataset: usize) -> usize {
        self.tables[dataset].columns.len()
    }

    /// The job that writes a dataset; `None` for a source.
    pub fn producer(&self, dataset: usize) -> Option<usize> {
        let job = self.producers[dataset];
        (job != NONE).then_some(job as usize)
    }

    /// How many jobs the mesh has (tasks, not counting the DAGs that are their parents).
    pub fn jobs(&self) -> usize {
        self.jobs.len()
    }

    /// How many DAGs the mesh has; each is a job of its own in OpenLineage.
    pub fn dags(&self) -> usize {
        self.dags.len()
    }

    /// The namespace and name of a job.
    pub fn job(&self, job: usize) -> (&str, &str) {
        let job = &self.jobs[job];
        (&self.namespaces[usize::from(job.namespace)], &job.name)
    }

    /// The datasets a job reads on `day` (0 is the first simulated day).
    pub fn inputs(&self, job: usize, day: u32) -> impl Iterator<Item = usize> + '_ {
        let job = &self.jobs[job];
        let change = job.change.filter(|c| day >= c.day);
        job.inputs
            .iter()
            .enumerate()
            .map(move |(position, &table)| match change {
                Some(c) if c.position == position => c.table as usize,
                _ => table as usize,
            })
    }

    /// The datasets a job writes.
    pub fn outputs(&self, job: usize) -> impl Iterator<Item = usize> + '_ {
        self.jobs[job].outputs.iter().map(|&t| t as usize)
    }

    /// The day from which a job reads other inputs than before, if it does.
    pub fn input_change_day(&self, job: usize) -> Option<u32> {
        self.jobs[job].change.map(|c| c.day)
    }

    /// The hub datasets, most read first.
    pub fn hubs(&self) -> impl Iterator<Item = usize> + '_ {
        self.hubs.iter().map(|&t| t as usize)
    }

    /// The long chains, each as the range of its jobs, upstream first: job
    /// `i + 1` of a chain reads the first output of job `i`.
    pub fn chains(&self) -> &[Range<usize>] {
        &self.chains
    }

    /// Field-level column lineage edges (output column, input column) of
    /// every job on `day`.
    pub fn column_edges(&self, day: u32) -> u64 {
        (0..self.jobs.len())
            .map(|job| {
                let derivation = self.derivation(job, day);
                derivation
                    .outputs
                    .iter()
                    .map(|o| o.sources.len() as u64)
                    .sum::<u64>()
            })
            .sum()
    }

    pub(super) fn table(&self, table: u32) -> &Table {
        &self.tables[table as usize]
    }

    pub(super) fn table_namespace(&self, table: &Table) -> &str {
        &self.namespaces[usize::from(table.namespace)]
    }

    pub(super) fn job_spec(&self, job: usize) -> &Job {
        &self.jobs[job]
    }

    pub(super) fn job_namespace(&self, job: &Job) -> &str {
        &self.namespaces[usize::from(job.namespace)]
    }

    pub(super) fn dag(&self, dag: u32) -> &Dag {
        &self.dags[dag as usize]
    }

    pub(super) fn dag_namespace(&self, dag: &Dag) -> &str {
        &self.namespaces[usize::from(dag.namespace)]
    }

    /// The producer of `table` if it is a job of `dag`: a task that must finish first.
    pub(super) fn upstream_in_dag(&self, table: usize, dag: u32) -> Option<usize> {
        self.producer(table).filter(|&p| self.jobs[p].dag == dag)
    }

    /// What job `job` reads on `day` and how it derives each output column.
    ///
    /// The same for a job until its inputs change: its own seed and the
    /// input version seed the draws, so runs of a job repeat the same lineage.
    pub(super) fn derivation(&self, job: usize, day: u32) -> Derivation {
        let spec = &self.jobs[job];
        let inputs: Vec<u32> = self.inputs(job, day).map(|t| t as u32).collect();
        let version = u64::from(spec.change.is_some_and(|c| day >= c.day));
        let mut rng = Rng::derived(spec.seed, version);
        let outputs = spec
            .outputs
            .iter()
            .map(|&table| {
                let columns = &self.table(table).columns;
                let mut sources = Vec::with_capacity(columns.len() * 5 / 4);
                for (column, out_column) in columns.iter().enumerate() {
                    // Most columns are copied or computed from one input column.
                    let n = match rng.below(100) {
                        0..80 => 1,
                        80..95 => 2,
                        _ => 3,
                    };
                    let direct = if n == 1 {
                        *rng.pick(&[
                            How::Identity,
                            How::Identity,
                            How::Identity,
                            How::Transformation,
                            How::Aggregation,
                        ])
                    } else {
                        *rng.pick(&[How::Transformation, How::Transformation, How::Aggregation])
                    };
                    let direct = if direct == How::Transformation && rng.chance(30) {
                        How::Masked
                    } else {
                        direct
                    };
                    for k in 0..n {
                        let input = rng.below(inputs.len());
                        let input_columns = &self.table(inputs[input]).columns;
                        let field = rng.below(input_columns.len());
                        // A column mostly comes from the column of the same name.
                        let field = match input_columns.iter().position(|c| c.same_name(out_column)) {
                            Some(same) if k == 0 => same,
                            _ => field,
                        };
                        let how = if k > 0 && rng.chance(300) {
                            How::Indirect(INDIRECT_SUBTYPES[rng.below(INDIRECT_SUBTYPES.len())])
                        } else {
                            direct
                        };
                        sources.push(Source {
                            column: column as u16,
                            input: input as u8,
                            field: field as u16,
                            how,
                        });
                    }
                }
                let filter = rng.below(self.table(inputs[0]).columns.len()) as u16;
                OutputDerivation {
                    table,
                    sources,
                    filter,
                }
            })
            .collect();
        Derivation { inputs, outputs }
    }
}

impl Builder<'_> {
    /// Sources, spread over the domains round-robin, after the core's.
    fn sources(&mut self, sizes: &Sizes) {
        for _ in 0..sizes.core_sources {
            let (ns, storage) = self.core.source;
            let entity = *self.rng.pick(ENTITIES);
            let table = self.table(ns, storage, "mdm", Layer::Source, entity, true);
            self.core.sources.push(table);
        }
        for s in 0..sizes.sources - sizes.core_sources {
            let d = s % self.domains.len();
            let entity = *self.rng.pick(ENTITIES);
            // Some sources arrive as files in the shared landing bucket.
            let (ns, storage) = if self.rng.chance(200) {
                (self.landing, Storage::S3)
            } else {
                self.domains[d].source
            };
            let name = self.domains[d].name.clone();
            let table = self.table(ns, storage, &name, Layer::Source, entity, true);
            self.domains[d].sources.push(table);
        }
    }

    /// The hubs, built by one core DAG from master data and domain sources.
    fn hubs(&mut self, sizes: &Sizes) {
        if sizes.hubs == 0 {
            return;
        }
        let dag = self.dag(None, "shared_conformed_dimensions".to_owned());
        for rank in 0..sizes.hubs {
            let mut inputs = Vec::new();
            let n = self.rng.between(1, 3);
            pick(self.rng, &[&self.core.sources], n, &mut inputs);
            if self.rng.chance(300) {
                let d = self.rng.below(self.domains.len());
                pick(self.rng, &[&self.domains[d].sources], 1, &mut inputs);
            }
            let entity = hub_entity(rank);
            let job = self.job(None, dag, Integration::Dbt, inputs, Layer::Hub, &entity, 1);
            let hub = self.mesh.jobs[job].outputs[0];
            self.mesh.hubs.push(hub);
        }
    }

    /// The long chains; returns how many jobs they took.
    fn chains(&mut self, sizes: &Sizes) -> usize {
        let chains = self.config.chains;
        if chains == 0 {
            return 0;
        }
        let cap = sizes.chain_budget / chains;
        let mut total = 0;
        for c in 0..chains {
            let length = self.rng.between(CHAIN_JOBS.0, CHAIN_JOBS.1).min(cap);
            if length < 2 {
                continue;
            }
            let d = self.rng.below(self.domains.len());
            let entity = *self.rng.pick(ENTITIES);
            let dag = self.dag(Some(d), format!("{}_{entity}_chain_{c}", self.domains[d].name));
            let first = self.mesh.jobs.len();
            let mut previous = None;
            for _ in 0..length {
                let mut inputs = Vec::new();
                match previous {
                    None => {
                        pick(self.rng, &[&self.domains[d].sources], 1, &mut inputs);
                        self.add_hub(&mut inputs);
                    }
                    Some(table) => {
                        inputs.push(table);
                        if self.rng.chance(100) {
                            self.add_hub(&mut inputs);
                        }
                        if self.rng.chance(50) {
                            pick(self.rng, &[&self.domains[d].sources], 1, &mut inputs);
                        }
                    }
                }
                let integration = *self.rng.pick(&[Integration::Spark, Integration::Airflow]);
                let outputs = self.output_count();
                let job = self.job(
                    Some(d),
                    dag,
                    integration,
                    inputs,
                    Layer::Intermediate,
                    entity,
                    outputs,
                );
                previous = Some(self.mesh.jobs[job].outputs[0]);
            }
            self.mesh.chains.push(first..self.mesh.jobs.len());
            total += length;
        }
        total
    }

    /// Layered pipeline DAGs until `jobs` jobs are built.
    fn pipelines(&mut self, mut jobs: usize) {
        let mut count = 0;
        while jobs > 0 {
            let size = self.rng.between(PIPELINE_JOBS.0, PIPELINE_JOBS.1).min(jobs);
            self.pipeline(count, size);
            jobs -= size;
            count += 1;
        }
    }

    fn pipeline(&mut self, count: usize, size: usize) {
        let d = self.rng.below(self.domains.len());
        let entity = *self.rng.pick(ENTITIES);
        let dag = self.dag(
            Some(d),
            format!("{}_{entity}_pipeline_{count}", self.domains[d].name),
        );
        // About 30% staging, 40% intermediate, 30% marts.
        let staging_end = (size * 3).div_ceil(10);
        let intermediate_end = (size * 7).div_ceil(10);
        let mut staged: Vec<u32> = Vec::new();
        let mut intermediate: Vec<u32> = Vec::new();
        for position in 0..size {
            let layer = if position < staging_end {
                Layer::Staging
            } else if position < intermediate_end {
                Layer::Intermediate
            } else {
                Layer::Mart
            };
            let (integration, max_inputs, tier) = match layer {
                Layer::Staging => (*self.rng.pick(&[Integration::Spark, Integration::Airflow]), 2, 0),
                _ => (
                    *self
                        .rng
                        .pick(&[Integration::Dbt, Integration::Dbt, Integration::Airflow]),
                    3,
                    if layer == Layer::Mart { 2 } else { 1 },
                ),
            };
            // Staging reads the domain's sources; intermediate jobs read
            // staging and intermediate tables; marts read intermediate ones.
            let pools: [&[u32]; 2] = match layer {
                Layer::Staging => [&self.domains[d].sources, &[]],
                Layer::Mart if !intermediate.is_empty() => [&intermediate, &[]],
                _ => [&staged, &intermediate],
            };
            let mut inputs = Vec::new();
            let n = self.rng.between(1, max_inputs);
            pick(self.rng, &pools, n, &mut inputs);
            let change = if self.rng.chance(self.config.changing_per_mille) {
                let horizon = self.config.days.unwrap_or(ENDLESS_HORIZON);
                change(self.rng, horizon, &inputs, &pools)
            } else {
                None
            };
            if self.rng.chance(HUB_JOINS[tier]) {
                self.add_hub(&mut inputs);
                if layer == Layer::Mart && self.rng.chance(300) {
                    self.add_hub(&mut inputs);
                }
            }
            // Data products of other pipelines; older ones end up read more.
            if self.rng.chance(PRODUCT_READS[tier]) {
                pick(self.rng, &[&self.marts], 1, &mut inputs);
            }
            // Every domain has a source (see `Sizes`), and staging comes first.
            debug_assert!(!inputs.is_empty(), "a pipeline job reads something");
            let outputs = self.output_count();
            let job = self.job(Some(d), dag, integration, inputs, layer, entity, outputs);
            self.mesh.jobs[job].change = change;
            let written = &self.mesh.jobs[job].outputs;
            match layer {
                Layer::Staging => staged.extend(written),
                Layer::Intermediate => intermediate.extend(written),
                _ => self.marts.extend(written),
            }
        }
    }

    /// Adds a hub, Zipf-distributed, to `inputs` (if not already there).
    fn add_hub(&mut self, inputs: &mut Vec<u32>) {
        if let Some(zipf) = &self.hub_pick {
            let hub = self.mesh.hubs[zipf.sample(self.rng)];
            if !inputs.contains(&hub) {
                inputs.push(hub);
            }
        }
    }

    /// 1 or 2: whether the next non-hub job writes a second table.
    fn output_count(&mut self) -> usize {
        let second = self.rng.below(self.eligible_left.max(1)) < self.second_left;
        self.eligible_left = self.eligible_left.saturating_sub(1);
        if second {
            self.second_left -= 1;
        }
        1 + usize::from(second)
    }

    fn domain(&self, domain: Option<usize>) -> &Domain {
        domain.map_or(&self.core, |d| &self.domains[d])
    }

    fn dag(&mut self, domain: Option<usize>, name: String) -> u32 {
        let namespace = self.domain(domain).airflow;
        // Nightly, between midnight and 6am on the quarter hour.
        let schedule_secs = self.rng.below(24) as i64 * 900;
        self.mesh.dags.push(Dag {
            namespace,
            name,
            schedule_secs,
            depth: 1,
        });
        (self.mesh.dags.len() - 1) as u32
    }

    /// Adds a job of `dag` that reads `inputs` and writes `outputs` new
    /// tables of `layer` in its domain's warehouse; returns its index.
    #[allow(clippy::too_many_arguments)] // One call per kind of job; a struct would only rename them.
    fn job(
        &mut self,
        domain: Option<usize>,
        dag: u32,
        integration: Integration,
        inputs: Vec<u32>,
        layer: Layer,
        entity: &str,
        outputs: usize,
    ) -> usize {
        let index = self.mesh.jobs.len();
        let (ns, storage) = self.domain(domain).warehouse;
        let domain_name = self.domain(domain).name.clone();
        let outputs: Vec<u32> = (0..outputs)
            .map(|_| self.table(ns, storage, &domain_name, layer, entity, layer != Layer::Hub))
            .collect();
        for &table in &outputs {
            self.mesh.producers[table as usize] = index as u32;
        }
        let short = {
            let name = &self.mesh.tables[outputs[0] as usize].name;
            name.rsplit(['.', '/']).next().unwrap_or(name).to_lowercase()
        };
        let name = match integration {
            Integration::Airflow => format!("{}.load_{short}", self.mesh.dags[dag as usize].name),
            Integration::Dbt => format!("acme_{domain_name}.{short}"),
            Integration::Spark => format!("{domain_name}_spark.build_{short}"),
        };
        let seed = self.rng.next_u64();
        self.mesh.jobs.push(Job {
            namespace: self.domain(domain).job_namespace(integration),
            name,
            integration,
            dag,
            inputs,
            outputs,
            change: None,
            seed,
            level: 0,
        });
        index
    }

    /// Adds a table; names are unique by the table's index (hubs by their entity).
    fn table(
        &mut self,
        ns: u16,
        storage: Storage,
        domain: &str,
        layer: Layer,
        entity: &str,
        numbered: bool,
    ) -> u32 {
        let index = self.mesh.tables.len();
        let (schema, prefix) = (layer.schema(), layer.prefix());
        let number = if numbered {
            format!("_{index}")
        } else {
            String::new()
        };
        let name = match storage {
            Storage::Postgres => format!("public.{prefix}{entity}{number}"),
            Storage::MySql => format!("{domain}.{prefix}{entity}{number}"),
            Storage::S3 if layer == Layer::Source => format!("landing/{domain}/{entity}{number}"),
            Storage::S3 => format!("{schema}/{prefix}{entity}{number}"),
            Storage::Snowflake => format!("{domain}.{schema}.{prefix}{entity}{number}").to_uppercase(),
        };
        let count = self.rng.between(self.config.min_columns, self.config.max_columns);
        let columns = self.columns(count);
        self.mesh.tables.push(Table {
            namespace: ns,
            storage,
            name,
            columns,
        });
        self.mesh.producers.push(NONE);
        index as u32
    }

    /// `count` columns with distinct names, `id` first.
    fn columns(&mut self, count: usize) -> Vec<Column> {
        // One bit per (word, qualifier) pair already used.
        let mut seen = vec![0_u64; (COLUMN_WORDS.len() * QUALIFIERS.len()).div_ceil(64)];
        let mut taken = |word: usize, qualifier: usize| {
            let bit = word * QUALIFIERS.len() + qualifier;
            let was = seen[bit / 64] & (1 << (bit % 64)) != 0;
            seen[bit / 64] |= 1 << (bit % 64);
            was
        };
        (0..count)
            .map(|i| {
                let word = if i == 0 {
                    0
                } else {
                    self.rng.between(1, COLUMN_WORDS.len() - 1)
                };
                let mut qualifier = 0;
                let mut suffix = 0;
                if taken(word, 0) {
                    qualifier = self.rng.between(1, QUALIFIERS.len() - 1);
                    if taken(word, qualifier) {
                        // The position is unique in the table, so the name is too.
                        suffix = i as u16;
                    }
                }
                let kind =
                    column_kind(COLUMN_WORDS[word]).unwrap_or_else(|| KIND_OTHER + self.rng.below(3) as u8);
                Column {
                    word: word as u8,
                    qualifier: qualifier as u8,
                    suffix,
                    kind,
                    described: self.rng.chance(200),
                }
            })
            .collect()
    }

    /// Each job's level in its DAG (over its inputs before and after any
    /// change) and each DAG's depth, which bound how long a DAG runs.
    fn levels(&mut self) {
        let mesh = &mut self.mesh;
        for j in 0..mesh.jobs.len() {
            let job = &mesh.jobs[j];
            let dag = job.dag;
            let level = job
                .inputs
                .iter()
                .chain(job.change.as_ref().map(|c| &c.table))
                .filter_map(|&t| {
                    let p = mesh.producers[t as usize];
                    (p != NONE && mesh.jobs[p as usize].dag == dag).then(|| mesh.jobs[p as usize].level + 1)
                })
                .max()
                .unwrap_or(0);
            mesh.jobs[j].level = level;
            let depth = &mut mesh.dags[dag as usize].depth;
            *depth = (*depth).max(level + 1);
        }
    }
}

/// Adds up to `n` tables of the concatenated `pools` to `inputs`, each once.
fn pick(rng: &mut Rng, pools: &[&[u32]], n: usize, inputs: &mut Vec<u32>) {
    let total: usize = pools.iter().map(|p| p.len()).sum();
    if total == 0 {
        return;
    }
    let mut added = 0;
    // A few tries more than needed: small pools run out of fresh tables.
    for _ in 0..n * 4 {
        if added == n {
            break;
        }
        let mut index = rng.below(total);
        let pool = pools
            .iter()
            .find(|pool| {
                if index < pool.len() {
                    true
                } else {
                    index -= pool.len();
                    false
                }
            })
            .expect("the index falls in a pool");
        let table = pool[index];
        if !inputs.contains(&table) {
            inputs.push(table);
            added += 1;
        }
    }
}

/// A change of `inputs` on a day after the first and before the `horizon`:
/// one input dropped for another table of `pools`; none when there is no
/// other table or no such day.
///
/// It draws the same numbers whatever the horizon, so the rest of the mesh
/// does not depend on the number of days: `--days 1` writes the first day
/// of `--days 2`, byte for byte.
fn change(rng: &mut Rng, horizon: u32, inputs: &[u32], pools: &[&[u32]]) -> Option<Change> {
    let mut candidates = inputs.to_vec();
    pick(rng, pools, 1, &mut candidates);
    let (draw, position) = (rng.next_u64(), rng.below(inputs.len().max(1)));
    let table = *candidates.get(inputs.len())?;
    let later_days = horizon.checked_sub(1).filter(|&d| d > 0)?;
    Some(Change {
        day: 1 + (draw % u64::from(later_days)) as u32,
        position,
        table,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(datasets: usize, jobs: usize) -> GeneratorConfig {
        GeneratorConfig {
            datasets,
            jobs,
            ..GeneratorConfig::default()
        }
    }

    #[test]
    fn sizes_follow_the_datasets_and_jobs_asked_for() {
        let sizes = Sizes::of(&config(100_000, 90_000));
        assert_eq!(sizes.sources, 10_000);
        assert_eq!(sizes.second_outputs, 0);
        let sizes = Sizes::of(&config(250, 100));
        assert_eq!(sizes.sources, 75);
        assert_eq!(sizes.second_outputs, 75);
        // Too few datasets for the jobs: each job still writes one table.
        let sizes = Sizes::of(&config(10, 100));
        assert_eq!((sizes.sources, sizes.second_outputs), (4, 0));
    }

    #[test]
    fn the_mesh_has_the_asked_sizes_and_is_acyclic() {
        for (datasets, jobs) in [(400, 250), (250, 100), (5_000, 4_000), (3, 1), (0, 0)] {
            let config = config(datasets, jobs);
            let sizes = Sizes::of(&config);
            let mesh = Mesh::build(&config, &mut Rng::new(1));
            assert_eq!(mesh.jobs(), jobs.max(1), "{datasets}/{jobs}");
            assert_eq!(
                mesh.datasets(),
                sizes.sources + mesh.jobs() + sizes.second_outputs
            );
            if datasets >= sizes.sources + jobs {
                assert_eq!(mesh.datasets(), datasets);
            }
            for job in 0..mesh.jobs() {
                let lowest_output = mesh.outputs(job).min().unwrap();
                for day in 0..3 {
                    let inputs: Vec<usize> = mesh.inputs(job, day).collect();
                    assert!(!inputs.is_empty(), "job {job} reads nothing");
                    assert!(inputs.iter().all(|&i| i < lowest_output), "job {job}: {inputs:?}");
                }
                assert!(mesh.outputs(job).all(|t| mesh.producer(t) == Some(job)));
            }
            let names: std::collections::BTreeSet<_> =
                (0..mesh.datasets()).map(|t| mesh.dataset(t)).collect();
            assert_eq!(names.len(), mesh.datasets(), "dataset names are unique");
            let names: std::collections::BTreeSet<_> = (0..mesh.jobs()).map(|j| mesh.job(j)).collect();
            assert_eq!(names.len(), mesh.jobs(), "job names are unique");
        }
    }

    #[test]
    fn columns_have_distinct_names_and_an_id_first() {
        let config = GeneratorConfig {
            min_columns: 10,
            max_columns: 50,
            ..config(300, 200)
        };
        let mesh = Mesh::build(&config, &mut Rng::new(2));
        for table in &mesh.tables {
            let names: Vec<String> = table
                .columns
                .iter()
                .map(|c| {
                    let mut name = String::new();
                    c.write_name(&mut name);
                    name
                })
                .collect();
            assert!((10..=50).contains(&names.len()));
            assert_eq!(names[0], "id");
            let distinct: std::collections::BTreeSet<_> = names.iter().collect();
            assert_eq!(distinct.len(), names.len(), "{names:?}");
        }
    }

    #[test]
    fn derivations_reference_real_input_columns_and_repeat() {
        let mesh = Mesh::build(&config(400, 250), &mut Rng::new(3));
        for job in 0..mesh.jobs() {
            let derivation = mesh.derivation(job, 0);
            for output in &derivation.outputs {
                let columns = mesh.table(output.table).columns.len();
                let mut covered = vec![0; columns];
                for source in &output.sources {
                    covered[usize::from(source.column)] += 1;
                    let input = derivation.inputs[usize::from(source.input)];
                    assert!(usize::from(source.field) < mesh.table(input).columns.len());
                }
                assert!(covered.iter().all(|&n| (1..=3).contains(&n)), "{covered:?}");
            }
            let again = mesh.derivation(job, 0);
            assert_eq!(
                derivation.outputs[0].sources.len(),
                again.outputs[0].sources.len()
            );
        }
    }
}
