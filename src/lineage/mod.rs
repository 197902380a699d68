//! The lineage projection: datasets and jobs as an in-memory graph.
//!
//! A `petgraph` [`StableDiGraph`] whose edges point the way data flows
//! (dataset -> job that reads it -> dataset it writes), with identities
//! interned to node indices, so traversals are breadth-first over integers
//! rather than SPARQL property paths. The writer updates it on every event
//! and it is rebuilt from the log at start-up.
//!
//! A job's current edges are those of its latest completed run (a job that
//! stops reading a table no longer has it upstream); before any run
//! completes, those of its latest run; without runs, what a JobEvent declared.

mod traverse;

use std::collections::{BTreeSet, HashMap};

use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use petgraph::visit::EdgeRef;
use uuid::Uuid;

use crate::openlineage::event::{EventKind, InputDataset, OutputDataset};
use crate::openlineage::{Event, EventType, NodeId, Timestamp};

pub use traverse::{Direction, Subgraph};

/// A node of the projection: a dataset or a job.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Node {
    /// The node's identity.
    pub id: NodeId,
}

/// What an edge says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    /// dataset -> job: the job reads the dataset.
    Read,
    /// job -> dataset: the job writes the dataset.
    Write,
}

/// What one run of a job read and wrote.
#[derive(Debug, Default, Clone)]
struct RunIo {
    inputs: BTreeSet<NodeIndex>,
    outputs: BTreeSet<NodeIndex>,
    /// The latest event time seen for the run.
    last_seen: Option<Timestamp>,
    /// The event time of its COMPLETE, if any.
    completed: Option<Timestamp>,
}

/// Per job: its runs' inputs and outputs, and what JobEvents declared.
#[derive(Debug, Default, Clone)]
struct JobIo {
    runs: HashMap<Uuid, RunIo>,
    declared: Option<(BTreeSet<NodeIndex>, BTreeSet<NodeIndex>)>,
}

impl JobIo {
    /// The inputs and outputs that make the job's current edges.
    fn current(&self) -> (BTreeSet<NodeIndex>, BTreeSet<NodeIndex>) {
        let latest_completed = self
            .runs
            .values()
            .filter(|r| r.completed.is_some())
            .max_by_key(|r| r.completed);
        let latest = latest_completed.or_else(|| self.runs.values().max_by_key(|r| r.last_seen));
        match (latest, &self.declared) {
            (Some(run), _) => (run.inputs.clone(), run.outputs.clone()),
            (None, Some(declared)) => declared.clone(),
            (None, None) => Default::default(),
        }
    }
}

/// The in-memory lineage graph.
#[derive(Debug, Default)]
pub struct Projection {
    graph: StableDiGraph<Node, EdgeKind>,
    index: HashMap<NodeId, NodeIndex>,
    jobs: HashMap<NodeIndex, JobIo>,
}

impl Projection {
    /// An empty projection.
    pub fn new() -> Self {
        Self::default()
    }

    fn intern(&mut self, id: NodeId) -> NodeIndex {
        if let Some(&ix) = self.index.get(&id) {
            return ix;
        }
        let ix = self.graph.add_node(Node { id: id.clone() });
        self.index.insert(id, ix);
        ix
    }

    fn datasets<'a>(
        &mut self,
        datasets: impl Iterator<Item = &'a crate::openlineage::event::Dataset>,
    ) -> BTreeSet<NodeIndex> {
        datasets
            .map(|d| self.intern(NodeId::dataset(&d.namespace, &d.name)))
            .collect()
    }

    /// Takes one event into the projection.
    pub fn observe(&mut self, event: &Event) {
        match &event.kind {
            EventKind::Run {
                event_type,
                run,
                job,
                inputs,
                outputs,
            } => {
                let job_ix = self.intern(NodeId::job(&job.namespace, &job.name));
                let ins = self.datasets(inputs.iter().map(|i: &InputDataset| &i.dataset));
                let outs = self.datasets(outputs.iter().map(|o: &OutputDataset| &o.dataset));
                let io = self.jobs.entry(job_ix).or_default();
                let run_io = io.runs.entry(run.run_id).or_default();
                run_io.inputs.extend(ins);
                run_io.outputs.extend(outs);
                run_io.last_seen = run_io.last_seen.max(Some(event.event_time));
                if *event_type == Some(EventType::Complete) {
                    run_io.completed = run_io.completed.max(Some(event.event_time));
                }
                self.rewire(job_ix);
            }
            EventKind::Job { job, inputs, outputs } => {
                let job_ix = self.intern(NodeId::job(&job.namespace, &job.name));
                if !inputs.is_empty() || !outputs.is_empty() {
                    let ins = self.datasets(inputs.iter().map(|i| &i.dataset));
                    let outs = self.datasets(outputs.iter().map(|o| &o.dataset));
                    self.jobs.entry(job_ix).or_default().declared = Some((ins, outs));
                    self.rewire(job_ix);
                }
            }
            EventKind::Dataset { dataset } => {
                self.intern(NodeId::dataset(&dataset.namespace, &dataset.name));
            }
        }
    }

    /// Replaces a job's edges with its current inputs and outputs.
    fn rewire(&mut self, job: NodeIndex) {
        let (inputs, outputs) = self.jobs.get(&job).map(JobIo::current).unwrap_or_default();
        let stale: Vec<_> = self
            .graph
            .edges_directed(job, petgraph::Direction::Incoming)
            .chain(self.graph.edges_directed(job, petgraph::Direction::Outgoing))
            .map(|e| e.id())
            .collect();
        for edge in stale {
            self.graph.remove_edge(edge);
        }
        for input in inputs {
            self.graph.add_edge(input, job, EdgeKind::Read);
        }
        for output in outputs {
            self.graph.add_edge(job, output, EdgeKind::Write);
        }
    }

    /// The node index of an identity, if the projection knows it.
    pub fn find(&self, id: &NodeId) -> Option<NodeIndex> {
        self.index.get(id).copied()
    }

    /// The current inputs (datasets read) and outputs (datasets written) of a job.
    pub fn job_io(&self, job: &NodeId) -> (Vec<NodeId>, Vec<NodeId>) {
        let Some(ix) = self.find(job) else {
            return Default::default();
        };
        let ids = |dir| {
            let mut ids: Vec<NodeId> = self
                .graph
                .neighbors_directed(ix, dir)
                .map(|n| self.graph[n].id.clone())
                .collect();
            ids.sort();
            ids.dedup();
            ids
        };
        (
            ids(petgraph::Direction::Incoming),
            ids(petgraph::Direction::Outgoing),
        )
    }

    /// How many nodes and edges the projection holds.
    pub fn size(&self) -> (usize, usize) {
        (self.graph.node_count(), self.graph.edge_count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openlineage::parse_event;

    fn run_event(run: &str, ty: &str, time: &str, ins: &[&str], outs: &[&str]) -> Event {
        let ds = |names: &[&str]| {
            names
                .iter()
                .map(|n| format!(r#"{{"namespace":"db","name":"{n}"}}"#))
                .collect::<Vec<_>>()
                .join(",")
        };
        parse_event(&format!(
            r#"{{"eventTime":"{time}","eventType":"{ty}","producer":"p","run":{{"runId":"{run}"}},"job":{{"namespace":"s","name":"j"}},"inputs":[{}],"outputs":[{}]}}"#,
            ds(ins),
            ds(outs)
        ))
        .unwrap()
    }

    const R1: &str = "00000000-0000-0000-0000-000000000001";
    const R2: &str = "00000000-0000-0000-0000-000000000002";

    #[test]
    fn a_job_that_stops_reading_a_table_loses_the_edge() {
        let mut p = Projection::new();
        p.observe(&run_event(
            R1,
            "COMPLETE",
            "2024-01-01T00:00:00Z",
            &["a", "b"],
            &["out"],
        ));
        let job = NodeId::job("s", "j");
        assert_eq!(
            p.job_io(&job).0,
            [NodeId::dataset("db", "a"), NodeId::dataset("db", "b")]
        );
        p.observe(&run_event(R2, "START", "2024-01-02T00:00:00Z", &["a"], &["out"]));
        // Still the completed run's edges until the new run completes.
        assert_eq!(p.job_io(&job).0.len(), 2);
        p.observe(&run_event(R2, "COMPLETE", "2024-01-02T00:10:00Z", &[], &[]));
        assert_eq!(p.job_io(&job).0, [NodeId::dataset("db", "a")]);
        assert_eq!(p.job_io(&job).1, [NodeId::dataset("db", "out")]);
    }

    #[test]
    fn replaying_the_same_event_changes_nothing() {
        let mut p = Projection::new();
        let e = run_event(R1, "COMPLETE", "2024-01-01T00:00:00Z", &["a"], &["out"]);
        p.observe(&e);
        let before = p.size();
        p.observe(&e);
        assert_eq!(p.size(), before);
    }
}
