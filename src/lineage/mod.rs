//! The lineage projection: datasets, jobs and columns as an in-memory graph.
//!
//! Two `petgraph` [`StableDiGraph`]s whose edges point the way data flows:
//! the entity graph (dataset -> job that reads it -> dataset it writes) and
//! the column graph (input column -> output column derived from it). Each
//! numbers its own nodes densely, so a dataset-level walk touches a small,
//! cache-friendly graph and not the ten times larger column graph.
//! Identities are interned to integers ([`ids`]), so traversals are
//! breadth-first over integers rather than SPARQL property paths. The writer
//! updates the projection on every event and the start-up replay of the log
//! rebuilds it.
//!
//! Every edge carries the job that asserted it and the time span over which
//! it held ([`history`]): a job's current edges are those of its latest
//! completed run, and older edges stay, closed, for lineage "as of" a past
//! time. Symlinks make two identities one dataset.

mod csr;
pub mod diff;
pub mod history;
pub mod ids;
pub mod impact;
pub mod report;
mod traverse;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableDiGraph};
use petgraph::visit::EdgeRef;

use crate::openlineage::digest::FacetDigest;
use crate::openlineage::event::{Dataset, EventKind, Facets};
use crate::openlineage::facets::{FacetScope, StandardFacet};
use crate::openlineage::{Event, EventType, NodeId};
use history::{Derivation, IoSet, JobHistory, Transform, Version};
use ids::{Id, Ids, Kind};

pub use traverse::{Direction, Subgraph};

/// What an edge says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    /// dataset -> job: the job reads the dataset.
    Read,
    /// job -> dataset: the job writes the dataset.
    Write,
    /// input column -> output column: the output is derived from the input.
    Derive(Transform),
}

/// An edge of the projection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    /// What it says.
    pub kind: EdgeKind,
    /// The job whose runs asserted it.
    pub job: Id,
    /// Held from (ns since the epoch, inclusive).
    pub since: i64,
    /// Held until (exclusive); `i64::MAX` while current.
    pub until: i64,
}

impl Edge {
    /// Whether the edge held at `at` (ns since the epoch), or holds now if `None`.
    pub fn holds(&self, at: Option<i64>) -> bool {
        match at {
            None => self.until == i64::MAX,
            Some(t) => self.since <= t && t < self.until,
        }
    }
}

/// A lineage graph: node weights are the identities' [`Id`]s.
pub type Graph = StableDiGraph<Id, Edge, u32>;

/// The edges one version of a job put in the graphs.
#[derive(Debug, Default)]
struct EdgeGroup {
    /// Reads and writes, in the entity graph.
    entity: Vec<EdgeIndex>,
    /// Derivations, in the column graph.
    column: Vec<EdgeIndex>,
}

/// A job's history and the edges it put in the graphs, one group per version.
#[derive(Debug, Default)]
struct JobEdges {
    history: JobHistory,
    versions: Vec<Version>,
    groups: Vec<EdgeGroup>,
}

/// A column derivation, as lineage answers list it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnLink {
    /// The input column.
    pub from: Id,
    /// The output column, derived from `from`.
    pub to: Id,
    /// How (type, subtype, masking).
    pub transform: Transform,
    /// The job whose runs assert it.
    pub job: Id,
}

/// An owner named by an `ownership` facet.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Owner {
    /// The owner, e.g. `team:data-platform`.
    pub name: Box<str>,
    /// Its kind of ownership, e.g. `MAINTAINER`, if given.
    pub kind: Option<Box<str>>,
}

/// The in-memory lineage graph.
#[derive(Debug, Default)]
pub struct Projection {
    ids: Ids,
    /// Datasets and jobs, with reads and writes.
    entities: Graph,
    /// Columns, with derivations.
    columns: Graph,
    /// Each identity's node index in its graph.
    slots: Vec<u32>,
    jobs: HashMap<Id, JobEdges>,
    /// Distinct owners, and who each dataset and job is owned by.
    owner_list: Vec<Owner>,
    owners: HashMap<Id, Vec<u32>>,
    /// The last `columnLineage` facet seen on each output dataset, by digest,
    /// with the derivations it says: most runs repeat it word for word.
    column_lineage: HashMap<Id, (FacetDigest, Vec<Derivation>)>,
    /// The digest of the last `ownership` and `symlinks` facet of each entity.
    last_facets: HashMap<(Id, &'static str), FacetDigest>,
    /// The contiguous snapshot of the current entity graph, built by the
    /// first large walk after a change and dropped at the next change.
    snapshot: Mutex<Option<Arc<csr::Csr>>>,
}

impl Projection {
    /// An empty projection.
    pub fn new() -> Self {
        Self::default()
    }

    /// The interned identities.
    pub fn ids(&self) -> &Ids {
        &self.ids
    }

    /// The graph of datasets and jobs, with reads and writes.
    pub fn entities(&self) -> &Graph {
        &self.entities
    }

    /// The graph of columns, with derivations.
    pub fn columns(&self) -> &Graph {
        &self.columns
    }

    /// The graph an identity lives in.
    pub fn graph_of(&self, id: Id) -> &Graph {
        match self.ids.kind(id) {
            Kind::Column => &self.columns,
            Kind::Dataset | Kind::Job => &self.entities,
        }
    }

    /// The node of an identity (of its canonical identity, if symlinked) in its graph.
    pub fn node(&self, id: Id) -> NodeIndex {
        NodeIndex::new(self.slots[self.ids.find(id) as usize] as usize)
    }

    /// The snapshot of the current entity graph, built if the graph changed.
    fn snapshot(&self) -> Arc<csr::Csr> {
        let mut snapshot = self.snapshot.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(snapshot.get_or_insert_with(|| Arc::new(csr::Csr::new(&self.entities))))
    }

    /// Adds graph nodes for identities interned since.
    fn sync_nodes(&mut self) {
        for id in self.slots.len()..self.ids.len() {
            let id = id as Id;
            let graph = match self.ids.kind(id) {
                Kind::Column => &mut self.columns,
                Kind::Dataset | Kind::Job => {
                    *self.snapshot.get_mut().unwrap_or_else(|e| e.into_inner()) = None;
                    &mut self.entities
                }
            };
            self.slots.push(graph.add_node(id).index() as u32);
        }
    }

    fn dataset(&mut self, dataset: &Dataset) -> Id {
        let id = self.ids.entity(Kind::Dataset, &dataset.namespace, &dataset.name);
        self.sync_nodes();
        self.dataset_facets(id, &dataset.facets);
        id
    }

    /// Ownership and symlinks of a dataset.
    fn dataset_facets(&mut self, id: Id, facets: &Facets) {
        self.ownership(id, FacetScope::Dataset, facets);
        let Some(raw) = facets.get("symlinks") else { return };
        if !self.facet_changed(id, "symlinks", raw.digest()) {
            return;
        }
        let Some(StandardFacet::Symlinks(f)) = raw.standard(FacetScope::Dataset, "symlinks") else {
            return;
        };
        for alias in &f.identifiers {
            let alias = self.ids.entity(Kind::Dataset, &alias.namespace, &alias.name);
            let moved = self.ids.union(alias, id);
            self.sync_nodes();
            if !moved.is_empty() {
                self.rebuild_around(&moved);
            }
        }
    }

    /// Whether an entity's facet differs from the one it last came with
    /// (remembered by digest): most events repeat their entities' facets,
    /// and reading one again would change nothing.
    fn facet_changed(&mut self, id: Id, key: &'static str, digest: FacetDigest) -> bool {
        self.last_facets.insert((id, key), digest) != Some(digest)
    }

    /// Who owns a dataset or job, from its `ownership` facet.
    fn ownership(&mut self, id: Id, scope: FacetScope, facets: &Facets) {
        let Some(raw) = facets.get("ownership") else {
            return;
        };
        if !self.facet_changed(id, "ownership", raw.digest()) {
            return;
        }
        match raw.standard(scope, "ownership") {
            Some(StandardFacet::Ownership(f)) => {
                let mut list = Vec::with_capacity(f.owners.len());
                for owner in &f.owners {
                    let owner = Owner {
                        name: owner.name.as_str().into(),
                        kind: owner.owner_type.as_deref().map(Into::into),
                    };
                    let index = match self.owner_list.iter().position(|o| *o == owner) {
                        Some(i) => i,
                        None => {
                            self.owner_list.push(owner);
                            self.owner_list.len() - 1
                        }
                    };
                    list.push(index as u32);
                }
                self.owners.insert(id, list);
            }
            // `_deleted` or `null`: the facet is gone, and so are the owners.
            _ => {
                self.owners.remove(&id);
            }
        }
    }

    /// The owners of a dataset or job (a column's are its dataset's).
    pub fn owners(&self, id: Id) -> impl Iterator<Item = &Owner> {
        let id = self.ids.dataset_of(id).unwrap_or(id);
        let id = self.ids.find(id);
        self.owners
            .get(&id)
            .into_iter()
            .flatten()
            .map(|&i| &self.owner_list[i as usize])
    }

    /// The column derivations an output's `columnLineage` facet states.
    fn derivations(&mut self, output: Id, facets: &Facets) -> Vec<Derivation> {
        let Some(raw) = facets.get("columnLineage") else {
            return Vec::new();
        };
        let digest = raw.digest();
        if let Some((known, derivations)) = self.column_lineage.get(&output)
            && *known == digest
        {
            return derivations.clone();
        }
        let mut derivations = Vec::new();
        if let Some(StandardFacet::ColumnLineage(f)) = raw.standard(FacetScope::Dataset, "columnLineage") {
            for (field, lineage) in &f.fields {
                let to = self.ids.column(output, field);
                for input in &lineage.input_fields {
                    let dataset = self.ids.entity(Kind::Dataset, &input.namespace, &input.name);
                    let from = self.ids.column(dataset, &input.field);
                    if input.transformations.is_empty() {
                        // The pre-1.0 facet types the field, not each input.
                        let (kind, subtype, masking) = match lineage.transformation_type.as_deref() {
                            Some("IDENTITY") => (Some("DIRECT"), Some("IDENTITY"), Some(false)),
                            Some("MASKED") => (Some("DIRECT"), Some("TRANSFORMATION"), Some(true)),
                            other => (None, other, None),
                        };
                        let transform = Transform::new(kind, subtype, masking);
                        derivations.push(Derivation { from, to, transform });
                    }
                    for t in &input.transformations {
                        let transform = Transform::new(Some(&t.kind), t.subtype.as_deref(), t.masking);
                        derivations.push(Derivation { from, to, transform });
                    }
                }
            }
        }
        self.sync_nodes();
        self.column_lineage.insert(output, (digest, derivations.clone()));
        derivations
    }

    /// What one event's inputs and outputs say.
    fn io_set<'a>(
        &mut self,
        inputs: impl Iterator<Item = &'a Dataset>,
        outputs: impl Iterator<Item = &'a Dataset>,
    ) -> IoSet {
        let inputs: Vec<Id> = inputs.map(|d| self.dataset(d)).collect();
        let mut derivations = Vec::new();
        let mut outs = Vec::new();
        for d in outputs {
            let id = self.dataset(d);
            derivations.extend(self.derivations(id, &d.facets));
            outs.push(id);
        }
        IoSet::new(inputs, outs, derivations)
    }

    fn job(&mut self, job: &crate::openlineage::event::Job) -> Id {
        let id = self.ids.entity(Kind::Job, &job.namespace, &job.name);
        self.sync_nodes();
        self.ownership(id, FacetScope::Job, &job.facets);
        id
    }

    /// Takes one event into the projection.
    pub fn observe(&mut self, event: &Event) {
        let time = event.event_time.unix_nanos();
        match &event.kind {
            EventKind::Run {
                event_type,
                run,
                job,
                inputs,
                outputs,
            } => {
                let job = self.job(job);
                let io = self.io_set(
                    inputs.iter().map(|i| &i.dataset),
                    outputs.iter().map(|o| &o.dataset),
                );
                let complete = *event_type == Some(EventType::Complete);
                let entry = self.jobs.entry(job).or_default();
                entry.history.run_event(run.run_id, time, complete, io);
                self.rewire(job, false);
            }
            EventKind::Job { job, inputs, outputs } => {
                let job = self.job(job);
                if !inputs.is_empty() || !outputs.is_empty() {
                    let io = self.io_set(
                        inputs.iter().map(|i| &i.dataset),
                        outputs.iter().map(|o| &o.dataset),
                    );
                    self.jobs.entry(job).or_default().history.declare(time, io);
                    self.rewire(job, false);
                }
            }
            EventKind::Dataset { dataset } => {
                self.dataset(dataset);
            }
        }
    }

    /// Brings a job's edges in line with its history: versions that did not
    /// change keep their edges (only a closing time may move), the rest are
    /// replaced. `all` replaces every version (after a symlink merge).
    fn rewire(&mut self, job: Id, all: bool) {
        let Some(state) = self.jobs.get_mut(&job) else {
            return;
        };
        let new = state.history.versions();
        let keep = if all {
            0
        } else {
            state
                .versions
                .iter()
                .zip(&new)
                .take_while(|(old, new)| old.since == new.since && old.set == new.set)
                .count()
        };
        for (i, group) in state.groups.iter().enumerate().take(keep) {
            if state.versions[i].until != new[i].until {
                for &e in &group.entity {
                    self.entities[e].until = new[i].until;
                }
                for &e in &group.column {
                    self.columns[e].until = new[i].until;
                }
            }
        }
        for group in state.groups.drain(keep..) {
            for e in group.entity {
                self.entities.remove_edge(e);
            }
            for e in group.column {
                self.columns.remove_edge(e);
            }
        }
        let (ids, slots) = (&self.ids, &self.slots);
        let node = |id: Id| NodeIndex::new(slots[ids.find(id) as usize] as usize);
        let job_node = node(job);
        for v in &new[keep..] {
            let set = state.history.set(v.set);
            let edge = |kind| Edge {
                kind,
                job,
                since: v.since,
                until: v.until,
            };
            let mut group = EdgeGroup::default();
            for &input in &set.inputs {
                let e = self
                    .entities
                    .add_edge(node(input), job_node, edge(EdgeKind::Read));
                group.entity.push(e);
            }
            for &output in &set.outputs {
                let e = self
                    .entities
                    .add_edge(job_node, node(output), edge(EdgeKind::Write));
                group.entity.push(e);
            }
            for d in &set.derivations {
                let e = self
                    .columns
                    .add_edge(node(d.from), node(d.to), edge(EdgeKind::Derive(d.transform)));
                group.column.push(e);
            }
            state.groups.push(group);
        }
        state.versions = new;
    }

    /// Re-adds the edges of every job touching identities a symlink merged,
    /// so that they attach to the canonical nodes.
    fn rebuild_around(&mut self, moved: &[Id]) {
        let mut jobs: Vec<Id> = Vec::new();
        for &id in moved {
            // The moved identity's own node, not its new canonical one.
            let node = NodeIndex::new(self.slots[id as usize] as usize);
            let graph = self.graph_of(id);
            for dir in [petgraph::Direction::Incoming, petgraph::Direction::Outgoing] {
                jobs.extend(graph.edges_directed(node, dir).map(|e| e.weight().job));
            }
        }
        jobs.sort_unstable();
        jobs.dedup();
        for job in jobs {
            self.rewire(job, true);
        }
    }

    /// The id of a node, canonical (symlinks resolved), if the projection knows it.
    pub fn find(&self, id: &NodeId) -> Option<Id> {
        self.ids.lookup(id).map(|i| self.ids.find(i))
    }

    /// The current inputs (datasets read) and outputs (datasets written) of a job.
    pub fn job_io(&self, job: &NodeId) -> (Vec<NodeId>, Vec<NodeId>) {
        let Some(id) = self.find(job) else {
            return Default::default();
        };
        let node = self.node(id);
        let ids = |dir, kind| {
            let mut ids: Vec<NodeId> = self
                .entities
                .edges_directed(node, dir)
                .filter(|e| e.weight().kind == kind && e.weight().holds(None))
                .map(|e| {
                    let other = if dir == petgraph::Direction::Incoming {
                        e.source()
                    } else {
                        e.target()
                    };
                    self.ids.node_id(self.entities[other])
                })
                .collect();
            ids.sort();
            ids.dedup();
            ids
        };
        (
            ids(petgraph::Direction::Incoming, EdgeKind::Read),
            ids(petgraph::Direction::Outgoing, EdgeKind::Write),
        )
    }

    /// The current derivations into (`Incoming`) or out of (`Outgoing`) a
    /// column: the column at the other end, and how.
    pub fn derivations_of(
        &self,
        column: Id,
        dir: petgraph::Direction,
    ) -> impl Iterator<Item = (Id, Transform)> + '_ {
        self.derivations_at(column, dir, None).map(move |link| {
            let other = if dir == petgraph::Direction::Incoming {
                link.from
            } else {
                link.to
            };
            (other, link.transform)
        })
    }

    /// The derivations into (`Incoming`) or out of (`Outgoing`) a column
    /// that held at `at` (ns since the epoch), or hold now if `None`, with
    /// the job that asserts each.
    pub fn derivations_at(
        &self,
        column: Id,
        dir: petgraph::Direction,
        at: Option<i64>,
    ) -> impl Iterator<Item = ColumnLink> + '_ {
        self.columns
            .edges_directed(self.node(column), dir)
            .filter(move |e| e.weight().holds(at))
            .filter_map(move |e| {
                let EdgeKind::Derive(transform) = e.weight().kind else {
                    return None;
                };
                Some(ColumnLink {
                    from: self.columns[e.source()],
                    to: self.columns[e.target()],
                    transform,
                    job: e.weight().job,
                })
            })
    }

    /// Every edge as a line of text (from, to, kind, job, time span), sorted:
    /// a canonical listing, to compare two projections.
    pub fn edge_list(&self) -> Vec<String> {
        use petgraph::visit::IntoEdgeReferences;
        let mut lines: Vec<String> = [&self.entities, &self.columns]
            .into_iter()
            .flat_map(|graph| {
                graph.edge_references().map(|e| {
                    let w = e.weight();
                    format!(
                        "{} -> {} {:?} by {} [{}, {})",
                        self.ids.node_id(graph[e.source()]),
                        self.ids.node_id(graph[e.target()]),
                        w.kind,
                        self.ids.node_id(w.job),
                        w.since,
                        w.until
                    )
                })
            })
            .collect();
        lines.sort();
        lines
    }

    /// How many nodes and edges the projection holds.
    pub fn size(&self) -> (usize, usize) {
        (
            self.ids.len(),
            self.entities.edge_count() + self.columns.edge_count(),
        )
    }

    /// Approximate heap bytes the projection holds.
    pub fn heap_bytes(&self) -> usize {
        let node = std::mem::size_of::<Option<Id>>() + std::mem::size_of::<u32>() * 2;
        let edge = std::mem::size_of::<Option<Edge>>() + std::mem::size_of::<u32>() * 4;
        let graph = |g: &Graph| g.capacity().0 * node + g.capacity().1 * edge;
        self.ids.heap_bytes()
            + graph(&self.entities)
            + graph(&self.columns)
            + self.slots.capacity() * 4
            + self
                .jobs
                .values()
                .map(|j| {
                    j.history.heap_bytes()
                        + j.versions.capacity() * std::mem::size_of::<Version>()
                        + j.groups
                            .iter()
                            .map(|g| (g.entity.capacity() + g.column.capacity()) * 4 + 48)
                            .sum::<usize>()
                        + 64
                })
                .sum::<usize>()
            + self.owners.values().map(|o| o.capacity() * 4 + 40).sum::<usize>()
            + self
                .column_lineage
                .values()
                .map(|(_, d)| d.capacity() * std::mem::size_of::<Derivation>() + 48)
                .sum::<usize>()
            + self.last_facets.capacity() * 48
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
