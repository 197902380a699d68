//! `meshgraph generate`: a realistic synthetic data mesh as OpenLineage events.
//!
//! [`Generator`] lays out a mesh from a seed ([`Mesh`], in `shape.rs`):
//! domains with their own databases and warehouses, layered pipeline DAGs
//! (staging, intermediate, marts) with fan-in and fan-out, shared hub
//! dimensions that jobs of every domain join with a Zipf skew, a few long
//! chains, tables of 10-50 typed columns. Then it simulates it day by day:
//! every DAG and every job runs once a day, each run sending a `START` and a
//! `COMPLETE` (now and then a `FAIL`) RunEvent, in event-time order, with the
//! facets real integrations send (`event.rs`), column lineage included. Some
//! jobs change their inputs on a given day.
//!
//! Everything comes from one seeded PRNG (`rng.rs`), so a seed always gives
//! the same events, byte for byte. The mesh is held compactly and events are
//! rendered one at a time, so a mesh of 100,000 datasets streams out without
//! ever being in memory as JSON. `benches/ingest.rs` generates its workload
//! with it, and [`generate`] is the `meshgraph generate` command.
//!
//! ```
//! use meshgraph::generate::{Generator, GeneratorConfig};
//!
//! let events: Vec<String> = Generator::new(GeneratorConfig { seed: 7, ..Default::default() })
//!     .take(10)
//!     .collect();
//! assert!(events.iter().all(|e| meshgraph::openlineage::parse_event(e).is_ok()));
//! ```

pub mod demo;
mod event;
mod rng;
mod shape;
mod vocab;

use std::fmt;
use std::io::{self, BufWriter, Write};
use std::path::Path;

pub use shape::Mesh;

use crate::cli::GenerateArgs;
use event::{DagRun, TaskRun};
use rng::Rng;

/// How long a DAG may run, at most: it starts by 6am and ends the same day,
/// so a day's events all come before the next day's.
const DAG_BUDGET_MS: i64 = 16 * 3_600_000;

/// What to generate. [`Default`] gives a small mesh: 3 domains, 250 jobs,
/// 400 datasets of 10-50 columns, 5 hubs, one long chain, and days without end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratorConfig {
    /// The seed: the same seed gives the same events.
    pub seed: u64,
    /// Business domains, each with its own databases and pipelines; at least 1.
    pub domains: usize,
    /// Datasets: sources plus the jobs' outputs. Raised to what the jobs
    /// need (each writes at least one), lowered to what they can write (two each).
    pub datasets: usize,
    /// Jobs (Airflow tasks, dbt models, Spark jobs), not counting the DAGs; at least 1.
    pub jobs: usize,
    /// Fewest columns of a table; at least 1.
    pub min_columns: usize,
    /// Most columns of a table.
    pub max_columns: usize,
    /// Shared dimensions every domain joins, read with a Zipf skew; at most half the jobs.
    pub hubs: usize,
    /// Long chains of 50-200 jobs (shorter when they would take more than a
    /// quarter of the jobs).
    pub chains: usize,
    /// How many pipeline jobs in a thousand drop an input for another on some day.
    pub changing_per_mille: u32,
    /// Days to simulate; `None` for no end (take what you need).
    pub days: Option<u32>,
    /// Midnight (UTC) of the first simulated day, in seconds since the epoch.
    pub start_unix_secs: i64,
    /// How many task runs in a thousand end in `FAIL` instead of `COMPLETE`.
    pub fail_per_mille: u32,
}

impl Default for GeneratorConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            domains: 3,
            datasets: 400,
            jobs: 250,
            min_columns: 10,
            max_columns: 50,
            hubs: 5,
            chains: 1,
            changing_per_mille: 50,
            days: None,
            // 2024-01-01T00:00:00Z
            start_unix_secs: 1_704_067_200,
            fail_per_mille: 20,
        }
    }
}

/// An event to come today, before it is rendered: sorting these by time is
/// cheap, where sorting a day of rendered events would hold gigabytes.
#[derive(Debug, Clone, Copy)]
struct Pending {
    time_ms: i64,
    seq: u32,
    what: What,
}

#[derive(Debug, Clone, Copy)]
enum What {
    TaskStart(u32),
    TaskEnd(u32),
    DagStart(u32),
    DagEnd(u32),
}

/// A deterministic stream of OpenLineage RunEvents (JSON strings) over a mesh.
///
/// Events come day after day, in event-time order, the same for the same
/// [`GeneratorConfig`]. It ends after [`GeneratorConfig::days`], or never.
pub struct Generator {
    config: GeneratorConfig,
    mesh: Mesh,
    rng: Rng,
    /// The day of `schedule`; the next day to simulate is the one after.
    day: u32,
    /// Days simulated so far.
    days_done: u32,
    schedule: Vec<Pending>,
    cursor: usize,
    runs: Vec<TaskRun>,
    dag_runs: Vec<DagRun>,
}

impl Generator {
    /// Lays out the mesh from the configuration; the events are made lazily,
    /// one simulated day at a time.
    ///
    /// Out-of-range sizes are raised or lowered to what works (see the fields
    /// of [`GeneratorConfig`]).
    pub fn new(mut config: GeneratorConfig) -> Self {
        config.min_columns = config.min_columns.clamp(1, usize::from(u16::MAX));
        config.max_columns = config
            .max_columns
            .clamp(config.min_columns, usize::from(u16::MAX));
        let mut rng = Rng::new(config.seed);
        let mesh = Mesh::build(&config, &mut rng);
        Self {
            config,
            mesh,
            rng,
            day: 0,
            days_done: 0,
            schedule: Vec::new(),
            cursor: 0,
            runs: Vec::new(),
            dag_runs: Vec::new(),
        }
    }

    /// The mesh the events describe.
    pub fn mesh(&self) -> &Mesh {
        &self.mesh
    }

    /// Appends the next event to `out`; false, and nothing appended, once the
    /// last day is done.
    pub fn next_into(&mut self, out: &mut String) -> bool {
        while self.cursor == self.schedule.len() {
            if self.config.days.is_some_and(|days| self.days_done >= days) {
                return false;
            }
            self.simulate_day();
        }
        let pending = self.schedule[self.cursor];
        self.cursor += 1;
        match pending.what {
            What::TaskStart(job) | What::TaskEnd(job) => {
                let run = &self.runs[job as usize];
                let dag_run = &self.dag_runs[self.mesh.job_spec(job as usize).dag as usize];
                let end = matches!(pending.what, What::TaskEnd(_));
                event::task_event(out, &self.mesh, job as usize, self.day, run, dag_run, end);
            }
            What::DagStart(dag) | What::DagEnd(dag) => {
                let end = matches!(pending.what, What::DagEnd(_));
                event::dag_event(out, &self.mesh, dag, &self.dag_runs[dag as usize], end);
            }
        }
        true
    }

    /// Writes every event as NDJSON (one per line) to `out`, then flushes it;
    /// returns how many events and bytes. Never returns when the
    /// configuration has no last day.
    pub fn write_ndjson(&mut self, out: &mut impl Write) -> io::Result<(u64, u64)> {
        let mut line = String::with_capacity(64 * 1024);
        let (mut events, mut bytes) = (0, 0);
        while self.next_into(&mut line) {
            line.push('\n');
            out.write_all(line.as_bytes())?;
            events += 1;
            bytes += line.len() as u64;
            line.clear();
        }
        out.flush()?;
        Ok((events, bytes))
    }

    /// Simulates the next day: every DAG runs; each job starts once the jobs
    /// of its DAG whose tables it reads have finished. The day's events are
    /// scheduled in time order, to be rendered as they are asked for.
    fn simulate_day(&mut self) {
        let day = self.days_done;
        let midnight_ms = (self.config.start_unix_secs + i64::from(day) * 86_400) * 1_000;
        let mesh = &self.mesh;
        let rng = &mut self.rng;
        self.schedule.clear();
        self.runs.clear();
        self.dag_runs.clear();
        for dag in 0..mesh.dags() {
            let nominal_ms = midnight_ms + mesh.dag(dag as u32).schedule_secs * 1_000;
            let start_ms = nominal_ms + rng.between(1_000, 120_000) as i64;
            self.dag_runs.push(DagRun {
                run_id: rng.uuid(),
                nominal_ms,
                start_ms,
                end_ms: start_ms,
                failed: false,
            });
        }
        let push = |schedule: &mut Vec<Pending>, time_ms, what| {
            let seq = schedule.len() as u32;
            schedule.push(Pending { time_ms, seq, what });
        };
        for job in 0..mesh.jobs() {
            let dag = mesh.job_spec(job).dag;
            let dag_run = &self.dag_runs[dag as usize];
            let ready = mesh
                .inputs(job, day)
                .filter_map(|table| mesh.upstream_in_dag(table, dag))
                .map(|upstream| self.runs[upstream].end_ms)
                .fold(dag_run.start_ms, i64::max);
            // Each level of the DAG gets an equal share of the budget, so
            // the deepest chain ends in time too.
            let step = DAG_BUDGET_MS / i64::from(mesh.dag(dag).depth);
            let delay_max = (step / 10).clamp(500, 60_000);
            let duration_max = (step - delay_max).clamp(1_000, 1_800_000);
            let start_ms = ready + rng.between(500, delay_max as usize) as i64;
            let end_ms =
                start_ms + rng.between(duration_max.min(5_000) as usize, duration_max as usize) as i64;
            let failed = rng.chance(self.config.fail_per_mille);
            self.runs.push(TaskRun {
                run_id: rng.uuid(),
                start_ms,
                end_ms,
                failed,
            });
            let dag_run = &mut self.dag_runs[dag as usize];
            dag_run.end_ms = dag_run.end_ms.max(end_ms);
            dag_run.failed |= failed;
            push(&mut self.schedule, start_ms, What::TaskStart(job as u32));
            push(&mut self.schedule, end_ms, What::TaskEnd(job as u32));
        }
        for (dag, run) in self.dag_runs.iter_mut().enumerate() {
            run.end_ms += 1_000;
            push(&mut self.schedule, run.start_ms, What::DagStart(dag as u32));
            push(&mut self.schedule, run.end_ms, What::DagEnd(dag as u32));
        }
        self.schedule.sort_unstable_by_key(|p| (p.time_ms, p.seq));
        self.cursor = 0;
        self.day = day;
        self.days_done += 1;
    }
}

impl Iterator for Generator {
    type Item = String;

    /// The next event; `None` after the last day, never without one.
    fn next(&mut self) -> Option<String> {
        let mut event = String::new();
        self.next_into(&mut event).then_some(event)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let today = self.schedule.len() - self.cursor;
        match self.config.days {
            None => (usize::MAX, None),
            Some(_) => (today, None),
        }
    }
}

/// Why `meshgraph generate` failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    /// The output could not be created or written (a full disk, a closed pipe).
    #[error("cannot write {path}: {source}")]
    Write {
        /// The output file, or `-` for standard output.
        path: String,
        /// The I/O error.
        source: io::Error,
    },
}

/// What `meshgraph generate` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateSummary {
    /// Events written, one per line.
    pub events: u64,
    /// Bytes written, newlines included.
    pub bytes: u64,
    /// Datasets in the mesh.
    pub datasets: usize,
    /// Jobs in the mesh, not counting the DAGs.
    pub jobs: usize,
    /// DAGs, the parents of the jobs' runs (jobs of their own in OpenLineage).
    pub dags: usize,
    /// Field-level column lineage edges on the last day.
    pub column_edges: u64,
}

impl fmt::Display for GenerateSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} events, {} bytes: {} datasets, {} jobs in {} DAGs, {} column lineage edges",
            self.events, self.bytes, self.datasets, self.jobs, self.dags, self.column_edges
        )
    }
}

/// Runs `meshgraph generate`: the events of the mesh `args` describe, as
/// NDJSON, to the output file or to standard output.
pub fn generate(args: &GenerateArgs) -> Result<GenerateSummary, GenerateError> {
    let config = args.config();
    let last_day = config.days.unwrap_or(1).saturating_sub(1);
    let mut generator = Generator::new(config);
    let path = args.out.as_deref().filter(|p| *p != Path::new("-"));
    let error = |source| GenerateError::Write {
        path: path.map_or_else(|| "-".to_owned(), |p| p.display().to_string()),
        source,
    };
    // Large buffers: a write per megabyte, not per event.
    let (events, bytes) = match path {
        Some(path) => {
            let file = std::fs::File::create(path).map_err(error)?;
            generator.write_ndjson(&mut BufWriter::with_capacity(1 << 20, file))
        }
        None => generator.write_ndjson(&mut BufWriter::with_capacity(1 << 20, io::stdout().lock())),
    }
    .map_err(error)?;
    let mesh = generator.mesh();
    Ok(GenerateSummary {
        events,
        bytes,
        datasets: mesh.datasets(),
        jobs: mesh.jobs(),
        dags: mesh.dags(),
        column_edges: mesh.column_edges(last_day),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::openlineage::event::{InputDataset, Job};
    use crate::openlineage::facets::{FacetScope, StandardFacet, standard};
    use crate::openlineage::{Event, EventKind, EventType, parse_event};

    fn small(seed: u64, days: u32) -> GeneratorConfig {
        GeneratorConfig {
            seed,
            jobs: 120,
            datasets: 200,
            days: Some(days),
            ..Default::default()
        }
    }

    fn ndjson(config: GeneratorConfig) -> Vec<u8> {
        let mut out = Vec::new();
        Generator::new(config).write_ndjson(&mut out).unwrap();
        out
    }

    #[test]
    fn the_same_seed_gives_the_same_bytes() {
        let a = ndjson(small(1, 2));
        assert_eq!(a, ndjson(small(1, 2)));
        assert_ne!(a, ndjson(small(2, 2)));
        // The iterator and the writer give the same events.
        let lines: Vec<String> = String::from_utf8(a).unwrap().lines().map(str::to_owned).collect();
        assert_eq!(lines, Generator::new(small(1, 2)).collect::<Vec<_>>());
    }

    #[test]
    fn fewer_days_write_the_first_days_of_more() {
        let one = ndjson(small(1, 1));
        let three = ndjson(small(1, 3));
        assert!(three.len() > 2 * one.len() && three.starts_with(&one));
    }

    #[test]
    fn sizes_out_of_range_are_raised() {
        let config = GeneratorConfig {
            domains: 0,
            jobs: 0,
            datasets: 0,
            min_columns: 0,
            max_columns: 0,
            hubs: 100,
            chains: 100,
            days: Some(1),
            ..Default::default()
        };
        let events: Vec<String> = Generator::new(config).collect();
        // One job in one DAG, run once: two events each.
        assert_eq!(events.len(), 4);
        assert!(events.iter().all(|e| parse_event(e).is_ok()));
    }

    fn run_parts(event: &Event) -> (EventType, uuid::Uuid, &Job, &[InputDataset]) {
        match &event.kind {
            EventKind::Run {
                event_type,
                run,
                job,
                inputs,
                ..
            } => (event_type.expect("has a type"), run.run_id, job, inputs),
            other => panic!("not a run event: {}", other.name()),
        }
    }

    fn field_names(dataset_facets: &crate::openlineage::event::Facets) -> BTreeSet<String> {
        let Ok(Some(StandardFacet::Schema(schema))) =
            standard(FacetScope::Dataset, "schema", dataset_facets["schema"].get())
        else {
            panic!("no schema")
        };
        schema.fields.into_iter().map(|f| f.name).collect()
    }

    /// Every event validates, in time order, over several days; each run
    /// starts once and ends once; task runs have the promised facets; column
    /// lineage names real columns of the run's inputs.
    #[test]
    fn events_are_valid_and_realistic() {
        let generator = Generator::new(small(3, 3));
        let (jobs, dags) = (generator.mesh().jobs(), generator.mesh().dags());
        let mut last_time = i64::MIN;
        let mut runs: BTreeMap<uuid::Uuid, Vec<EventType>> = BTreeMap::new();
        let mut job_runs: BTreeMap<String, usize> = BTreeMap::new();
        let (mut masked, mut indirect, mut events) = (0, 0, 0);
        for text in generator {
            events += 1;
            let event = parse_event(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
            let time = event.event_time.unix_nanos();
            assert!(time >= last_time, "events come in time order");
            last_time = time;
            let (event_type, run_id, job, inputs) = run_parts(&event);
            runs.entry(run_id).or_default().push(event_type);
            *job_runs
                .entry(format!("{}/{}", job.namespace, job.name))
                .or_default() += 1;
            let EventKind::Run { run, outputs, .. } = &event.kind else {
                unreachable!()
            };
            assert!(run.facets.contains_key("nominalTime"));
            if inputs.is_empty() {
                // A DAG run.
                assert!(outputs.is_empty() && !run.facets.contains_key("parent"));
                continue;
            }
            assert!(run.facets.contains_key("parent"));
            assert!(job.facets.contains_key("sql") && job.facets.contains_key("jobType"));
            assert!((1..=2).contains(&outputs.len()), "{} outputs", outputs.len());
            let input_fields: BTreeMap<&str, BTreeSet<String>> = inputs
                .iter()
                .map(|i| (i.dataset.name.as_str(), field_names(&i.dataset.facets)))
                .collect();
            for fields in input_fields.values() {
                assert!((10..=50).contains(&fields.len()));
            }
            if event_type == EventType::Start {
                continue;
            }
            for output in outputs {
                let columns = field_names(&output.dataset.facets);
                let Ok(Some(StandardFacet::ColumnLineage(lineage))) = standard(
                    FacetScope::Dataset,
                    "columnLineage",
                    output.dataset.facets["columnLineage"].get(),
                ) else {
                    panic!("no column lineage on {}", output.dataset.name)
                };
                assert_eq!(lineage.fields.keys().cloned().collect::<BTreeSet<_>>(), columns);
                for field in lineage.fields.values() {
                    assert!((1..=3).contains(&field.input_fields.len()));
                    assert_eq!(field.input_fields[0].transformations[0].kind, "DIRECT");
                    for input in field.input_fields.iter().chain(&lineage.dataset) {
                        assert!(
                            input_fields[input.name.as_str()].contains(&input.field),
                            "{}.{} is not an input column",
                            input.name,
                            input.field
                        );
                        let transformation = &input.transformations[0];
                        assert!(transformation.subtype.is_some());
                        masked += usize::from(transformation.masking == Some(true));
                        indirect += usize::from(transformation.kind == "INDIRECT");
                    }
                }
                if event_type == EventType::Complete {
                    assert!(output.output_facets.contains_key("outputStatistics"));
                }
            }
        }
        assert_eq!(events, 3 * 2 * (jobs + dags));
        assert!(masked > 0 && indirect > 0, "{masked} masked, {indirect} indirect");
        for (run, types) in &runs {
            assert_eq!(types.len(), 2, "run {run}: {types:?}");
            assert_eq!(types[0], EventType::Start);
            assert!(types[1].is_terminal());
        }
        // Every job and DAG ran once a day.
        assert_eq!(job_runs.len(), jobs + dags);
        assert!(job_runs.values().all(|&n| n == 6), "{job_runs:?}");
    }

    #[test]
    fn namespaces_are_varied() {
        let mut namespaces = BTreeSet::new();
        for text in Generator::new(small(4, 1)) {
            let event = parse_event(&text).unwrap();
            if let EventKind::Run {
                job, inputs, outputs, ..
            } = &event.kind
            {
                namespaces.insert(job.namespace.clone());
                namespaces.extend(inputs.iter().map(|i| i.dataset.namespace.clone()));
                namespaces.extend(outputs.iter().map(|o| o.dataset.namespace.clone()));
            }
        }
        assert!(namespaces.len() >= 10, "{namespaces:?}");
    }

    /// How many jobs read each dataset on `day`.
    fn readers(mesh: &Mesh, day: u32) -> Vec<usize> {
        let mut readers = vec![0; mesh.datasets()];
        for job in 0..mesh.jobs() {
            for input in mesh.inputs(job, day) {
                readers[input] += 1;
            }
        }
        readers
    }

    /// Datasets and jobs downstream of `dataset` on `day`: the datasets
    /// written by the jobs that read it, and so on.
    fn downstream(mesh: &Mesh, dataset: usize, day: u32) -> usize {
        let mut readers_of: Vec<Vec<usize>> = vec![Vec::new(); mesh.datasets()];
        for job in 0..mesh.jobs() {
            for input in mesh.inputs(job, day) {
                readers_of[input].push(job);
            }
        }
        let mut seen_dataset = vec![false; mesh.datasets()];
        let mut seen_job = vec![false; mesh.jobs()];
        let mut stack = vec![dataset];
        let mut count = 0;
        while let Some(d) = stack.pop() {
            for &job in &readers_of[d] {
                if !std::mem::replace(&mut seen_job[job], true) {
                    count += 1;
                    for out in mesh.outputs(job) {
                        if !std::mem::replace(&mut seen_dataset[out], true) {
                            count += 1;
                            stack.push(out);
                        }
                    }
                }
            }
        }
        count
    }

    #[test]
    fn the_mesh_has_hubs_fan_in_fan_out_chains_and_changes() {
        let generator = Generator::new(GeneratorConfig {
            days: Some(3),
            ..Default::default()
        });
        let mesh = generator.mesh();
        let readers = readers(mesh, 0);
        let hubs: Vec<usize> = mesh.hubs().collect();
        assert_eq!(hubs.len(), 5);
        let mut read: Vec<usize> = readers.iter().copied().filter(|&n| n > 0).collect();
        read.sort_unstable();
        let median = read[read.len() / 2];
        let top = readers[hubs[0]];
        assert!(
            top >= 10 * median,
            "top hub read by {top} jobs, the median table by {median}"
        );
        assert!(top > readers[hubs[4]], "hubs are skewed");
        // Fan-out and fan-in beyond the hubs.
        assert!((0..mesh.datasets()).any(|t| !hubs.contains(&t) && readers[t] >= 3));
        assert!((0..mesh.jobs()).any(|j| mesh.inputs(j, 0).count() >= 3));
        // The top hub reaches a large share of the mesh.
        assert!(downstream(mesh, hubs[0], 0) > (mesh.datasets() + mesh.jobs()) / 3);
        // A long chain, each job reading its predecessor's output.
        let chain = mesh.chains()[0].clone();
        assert!(chain.len() >= 50, "{chain:?}");
        for job in chain.clone().skip(1) {
            let previous = mesh.outputs(job - 1).next().unwrap();
            assert!(mesh.inputs(job, 0).any(|i| i == previous));
        }
        // Some jobs read other tables from some day on.
        let changed: Vec<usize> = (0..mesh.jobs())
            .filter(|&j| mesh.input_change_day(j).is_some())
            .collect();
        assert!(changed.len() >= 5, "{changed:?}");
        for &job in &changed {
            let day = mesh.input_change_day(job).unwrap();
            assert!((1..3).contains(&day));
            let before: BTreeSet<usize> = mesh.inputs(job, day - 1).collect();
            let after: BTreeSet<usize> = mesh.inputs(job, day).collect();
            assert_eq!(before.len(), after.len());
            assert_eq!(before.difference(&after).count(), 1);
        }
    }

    /// The size the lineage benchmark uses: the top hub's downstream exceeds
    /// 100,000 nodes. Only the topology is built; no events.
    #[test]
    fn a_large_mesh_has_a_hub_with_a_large_downstream() {
        let mesh = Mesh::build(
            &GeneratorConfig {
                datasets: 100_000,
                jobs: 90_000,
                domains: 12,
                hubs: 20,
                chains: 4,
                min_columns: 20,
                max_columns: 20,
                ..Default::default()
            },
            &mut Rng::new(42),
        );
        assert_eq!((mesh.datasets(), mesh.jobs()), (100_000, 90_000));
        let top = mesh.hubs().next().unwrap();
        let reached = downstream(&mesh, top, 0);
        assert!(reached > 100_000, "{reached}");
        assert!(mesh.chains().iter().all(|c| c.len() >= 50));
    }
}
