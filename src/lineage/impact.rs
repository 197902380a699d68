//! Impact analysis: everything downstream (or upstream) of a node, at any
//! depth, with each node's distance and one shortest path back to the start.
//!
//! A breadth-first walk over the projection's integers: a bitset marks what
//! was reached and each reached node remembers the node it was reached from,
//! so the walk costs a few machine words per node and the answer is
//! complete. Nothing is cut unless the caller asks for a depth, and then the
//! answer says whether the limit cut anything.

use std::collections::HashMap;
use std::collections::VecDeque;

use petgraph::stable_graph::NodeIndex;
use petgraph::visit::EdgeRef;

use super::ids::{Id, Kind};
use super::{EdgeKind, Owner, Projection};
use crate::openlineage::NodeId;

/// Which way to walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Towards {
    /// What is derived from the start: who is affected if it changes.
    #[default]
    Downstream,
    /// What the start is derived from.
    Upstream,
}

/// What the walk follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Level {
    /// Datasets and the jobs that read and write them.
    #[default]
    Dataset,
    /// Columns and their derivations.
    Column,
}

/// An impact question.
#[derive(Debug, Clone, Default)]
pub struct ImpactQuery {
    /// Which way.
    pub towards: Towards,
    /// At most this many hops (jobs at dataset level, derivations at column
    /// level); `None` for no limit.
    pub depth: Option<u32>,
    /// Datasets and jobs, or columns.
    pub level: Level,
    /// The lineage as it was at this time (ns since the epoch); `None` for now.
    pub as_of: Option<i64>,
    /// Do not follow `INDIRECT` column derivations (filters, joins, sorts).
    pub exclude_indirect: bool,
    /// Do not follow masked column derivations (hashed, redacted values).
    pub exclude_masked: bool,
    /// List only nodes in these namespaces (all if empty); the walk still
    /// goes through the others.
    pub namespaces: Vec<String>,
    /// List only nodes of these kinds (all if empty).
    pub kinds: Vec<Kind>,
}

/// A node the walk reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reached {
    /// The node.
    pub id: Id,
    /// Its distance from the start, in hops: the jobs on the path (the start
    /// job included) at dataset level, the derivations at column level.
    pub distance: u32,
    /// The node before it on a shortest path from the start; following
    /// `via` from any node leads back to the start.
    pub via: Id,
}

/// The answer.
#[derive(Debug, Clone, Default)]
pub struct Impact {
    /// Where the walk started: the node, or a dataset's columns at column level.
    pub start: Vec<Id>,
    /// Every node reached (the start excluded), nearest first, filtered by
    /// the query's namespaces and kinds.
    pub nodes: Vec<Reached>,
    /// How many nodes the walk reached before filtering.
    pub reached: usize,
    /// Whether the depth limit left nodes out (always false without a limit).
    pub truncated: bool,
}

/// Why an impact question has no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImpactError {
    /// The node is not in the lineage graph.
    #[error("no node {0} in the lineage graph")]
    Unknown(String),
    /// Column-level impact starts from a column or a dataset.
    #[error("column-level impact starts from a datasetField or a dataset, not a job")]
    ColumnLevelFromJob,
}

/// Nodes already reached, one bit each.
struct Marks(Vec<u64>);

impl Marks {
    fn new(nodes: usize) -> Self {
        Self(vec![0; nodes.div_ceil(64)])
    }

    fn is_marked(&self, node: usize) -> bool {
        self.0[node / 64] & (1u64 << (node % 64)) != 0
    }

    /// Marks a node; whether it was unmarked.
    fn mark(&mut self, node: usize) -> bool {
        let (word, bit) = (node / 64, 1u64 << (node % 64));
        let fresh = self.0[word] & bit == 0;
        self.0[word] |= bit;
        fresh
    }
}

/// Reached nodes after which a current dataset-level walk moves to the snapshot.
const SNAPSHOT_AFTER: usize = 2_000;

/// The state of one breadth-first walk, over one graph's node numbering.
struct Walk {
    marks: Marks,
    /// (node, its identity, its distance)
    queue: VecDeque<(u32, Id, u32)>,
    nodes: Vec<Reached>,
    truncated: bool,
    limit: u32,
}

impl Walk {
    /// Reaches `next` (whose identity `id_of` gives) at `distance`, from `via`.
    fn visit(&mut self, next: u32, id_of: impl FnOnce() -> Id, distance: u32, via: Id) {
        if distance > self.limit {
            // BFS meets every node first at its least distance: an unmarked
            // node here lies beyond the limit.
            self.truncated |= !self.marks.is_marked(next as usize);
            return;
        }
        if self.marks.mark(next as usize) {
            let id = id_of();
            self.nodes.push(Reached { id, distance, via });
            self.queue.push_back((next, id, distance));
        }
    }
}

impl Projection {
    /// Everything reachable from `start` as `query` asks.
    pub fn impact(&self, start: &NodeId, query: &ImpactQuery) -> Result<Impact, ImpactError> {
        self.impact_walk(start, query, SNAPSHOT_AFTER)
    }

    /// [`Projection::impact`], switching a current dataset-level walk to the
    /// contiguous snapshot ([`super::csr`]) once it has reached `switch_at`
    /// nodes: small walks never pay for building it, large ones run on it.
    fn impact_walk(
        &self,
        start: &NodeId,
        query: &ImpactQuery,
        switch_at: usize,
    ) -> Result<Impact, ImpactError> {
        let id = self
            .find(start)
            .ok_or_else(|| ImpactError::Unknown(start.to_string()))?;
        let ids = self.ids();
        let seeds: Vec<Id> = match (query.level, ids.kind(id)) {
            (Level::Column, Kind::Job) => return Err(ImpactError::ColumnLevelFromJob),
            (Level::Column, Kind::Dataset) => {
                let mut columns: Vec<Id> = ids.columns_of(id).iter().map(|&c| ids.find(c)).collect();
                columns.sort_unstable();
                columns.dedup();
                columns
            }
            _ => vec![id],
        };
        let graph = match query.level {
            Level::Dataset => self.entities(),
            Level::Column => self.columns(),
        };
        let mut walk = Walk {
            marks: Marks::new(graph.node_count()),
            queue: VecDeque::new(),
            nodes: Vec::new(),
            truncated: false,
            limit: query.depth.unwrap_or(u32::MAX),
        };
        for &seed in &seeds {
            let node = self.node(seed);
            walk.marks.mark(node.index());
            // A job at the start is the first job on every path.
            let hops = u32::from(ids.kind(seed) == Kind::Job);
            walk.queue.push_back((node.index() as u32, seed, hops));
        }
        let dir = match query.towards {
            Towards::Downstream => petgraph::Direction::Outgoing,
            Towards::Upstream => petgraph::Direction::Incoming,
        };
        let may_switch = query.level == Level::Dataset && query.as_of.is_none();
        let mut snapshot = None;
        while let Some((node, id, hops)) = walk.queue.pop_front() {
            if snapshot.is_none() && may_switch && walk.nodes.len() >= switch_at {
                snapshot = Some(self.snapshot());
            }
            if let Some(csr) = &snapshot {
                // The graph alternates: a dataset leads to jobs, a job to datasets.
                let distance = hops + u32::from(!csr.is_job[node as usize]);
                for &next in csr.neighbours(node as usize, dir) {
                    walk.visit(next, || csr.ids[next as usize], distance, id);
                }
                continue;
            }
            for e in graph.edges_directed(NodeIndex::new(node as usize), dir) {
                let edge = e.weight();
                if !edge.holds(query.as_of) {
                    continue;
                }
                let distance = match edge.kind {
                    // The edge tells the kind of node it leads to: a job
                    // downstream of a read, upstream of a write.
                    EdgeKind::Read | EdgeKind::Write => {
                        let into_job =
                            (edge.kind == EdgeKind::Read) == (dir == petgraph::Direction::Outgoing);
                        hops + u32::from(into_job)
                    }
                    EdgeKind::Derive(t) => {
                        if (query.exclude_indirect && t.direct == Some(false))
                            || (query.exclude_masked && t.masking)
                        {
                            continue;
                        }
                        hops + 1
                    }
                };
                let next = if dir == petgraph::Direction::Outgoing {
                    e.target()
                } else {
                    e.source()
                };
                walk.visit(next.index() as u32, || graph[next], distance, id);
            }
        }
        let Walk {
            mut nodes, truncated, ..
        } = walk;
        let reached = nodes.len();
        if !query.namespaces.is_empty() || !query.kinds.is_empty() {
            nodes.retain(|r| {
                (query.namespaces.is_empty() || query.namespaces.iter().any(|ns| ns == ids.namespace(r.id)))
                    && (query.kinds.is_empty() || query.kinds.contains(&ids.kind(r.id)))
            });
        }
        Ok(Impact {
            start: seeds,
            nodes,
            reached,
            truncated,
        })
    }

    /// The datasets and jobs reached downstream from any of `seeds` in the
    /// current lineage, by one edge or more, in no order: what an impact
    /// walk from each seed would reach together, in one walk over the
    /// snapshot. A seed counts when another seed leads to it. Column
    /// seeds are skipped: columns are not in the dataset graph.
    pub fn downstream_of(&self, seeds: &[Id]) -> Vec<Id> {
        let csr = self.snapshot();
        let mut marks = Marks::new(csr.ids.len());
        // Seeds are queued unmarked, so that one seed reaching another
        // reaches it as a separate walk from the first would.
        let mut queue: VecDeque<u32> = seeds
            .iter()
            .filter(|&&seed| self.ids().kind(seed) != Kind::Column)
            .map(|&seed| self.node(seed).index() as u32)
            .collect();
        let mut reached = Vec::new();
        while let Some(node) = queue.pop_front() {
            for &next in csr.neighbours(node as usize, petgraph::Direction::Outgoing) {
                if marks.mark(next as usize) {
                    reached.push(csr.ids[next as usize]);
                    queue.push_back(next);
                }
            }
        }
        reached
    }

    /// The path from the start to a reached node, start first, following `via`.
    pub fn path_to(&self, impact: &Impact, by_id: &HashMap<Id, Reached>, id: Id) -> Vec<Id> {
        let mut path = vec![id];
        let mut at = id;
        while !impact.start.contains(&at) {
            let Some(r) = by_id.get(&at) else { break };
            at = r.via;
            path.push(at);
        }
        path.reverse();
        path
    }

    /// The affected nodes grouped by owner (a column counts for its
    /// dataset's owners), largest group first.
    pub fn owner_groups(&self, nodes: &[Reached]) -> Vec<OwnerGroup> {
        let mut groups: HashMap<&Owner, OwnerGroup> = HashMap::new();
        for r in nodes {
            let kind = self.ids().kind(r.id);
            for owner in self.owners(r.id) {
                let group = groups.entry(owner).or_insert_with(|| OwnerGroup {
                    owner: owner.clone(),
                    datasets: 0,
                    jobs: 0,
                    columns: 0,
                });
                match kind {
                    Kind::Dataset => group.datasets += 1,
                    Kind::Job => group.jobs += 1,
                    Kind::Column => group.columns += 1,
                }
            }
        }
        let mut groups: Vec<OwnerGroup> = groups.into_values().collect();
        groups.sort_by(|a, b| {
            b.total()
                .cmp(&a.total())
                .then_with(|| a.owner.name.cmp(&b.owner.name))
        });
        groups
    }
}

/// The affected nodes one owner has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerGroup {
    /// The owner.
    pub owner: Owner,
    /// How many affected datasets it owns.
    pub datasets: usize,
    /// How many affected jobs.
    pub jobs: usize,
    /// How many affected columns (of datasets it owns).
    pub columns: usize,
}

impl OwnerGroup {
    /// All affected nodes it owns.
    pub fn total(&self) -> usize {
        self.datasets + self.jobs + self.columns
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::openlineage::parse_event;
    use serde_json::json;

    /// A COMPLETE run of `job` at minute `minute` of 2024-01-01, reading
    /// `ins` and writing `outs`; `columns` maps an output to
    /// `(output field, input dataset, input field, type, subtype, masking)`.
    struct Run<'a> {
        job: &'a str,
        minute: u32,
        ins: &'a [&'a str],
        outs: &'a [&'a str],
        columns: &'a [(&'a str, &'a str, &'a str, &'a str, &'a str, &'a str, bool)],
        symlink: Option<(&'a str, &'a str)>,
        owner: Option<(&'a str, &'a str)>,
    }

    impl Default for Run<'_> {
        fn default() -> Self {
            Self {
                job: "j",
                minute: 0,
                ins: &[],
                outs: &[],
                columns: &[],
                symlink: None,
                owner: None,
            }
        }
    }

    fn time(minute: u32) -> String {
        format!("2024-01-01T{:02}:{:02}:00Z", minute / 60, minute % 60)
    }

    fn observe(p: &mut Projection, run: Run<'_>) {
        let dataset = |name: &str, output: bool| {
            let mut facets = serde_json::Map::new();
            if output {
                let mut fields = serde_json::Map::new();
                for (out, field, input, in_field, ty, subtype, masking) in run.columns {
                    if *out != name {
                        continue;
                    }
                    let entry = fields
                        .entry(field.to_string())
                        .or_insert_with(|| json!({"inputFields": []}));
                    entry["inputFields"].as_array_mut().unwrap().push(json!({
                        "namespace": "db", "name": input, "field": in_field,
                        "transformations": [{"type": ty, "subtype": subtype, "masking": masking}]
                    }));
                }
                if !fields.is_empty() {
                    facets.insert("columnLineage".into(), json!({"fields": fields}));
                }
            }
            if let Some((ds, alias)) = run.symlink
                && ds == name
            {
                facets.insert(
                    "symlinks".into(),
                    json!({"identifiers": [{"namespace": "warehouse", "name": alias, "type": "TABLE"}]}),
                );
            }
            if let Some((ds, owner)) = run.owner
                && ds == name
            {
                facets.insert(
                    "ownership".into(),
                    json!({"owners": [{"name": owner, "type": "MAINTAINER"}]}),
                );
            }
            json!({"namespace": "db", "name": name, "facets": facets})
        };
        let event = json!({
            "eventTime": time(run.minute), "eventType": "COMPLETE", "producer": "p",
            "run": {"runId": uuid::Uuid::from_u128(u128::from(run.minute) << 32 | u128::from(run.job.len() as u32) << 8 | u128::from(run.job.as_bytes()[0])).to_string()},
            "job": {"namespace": "s", "name": run.job},
            "inputs": run.ins.iter().map(|n| dataset(n, false)).collect::<Vec<_>>(),
            "outputs": run.outs.iter().map(|n| dataset(n, true)).collect::<Vec<_>>(),
        });
        p.observe(&parse_event(&event.to_string()).unwrap());
    }

    fn ds(name: &str) -> NodeId {
        NodeId::dataset("db", name)
    }

    /// The reached nodes as `id@distance`, sorted.
    fn reached(p: &Projection, impact: &Impact) -> Vec<String> {
        let mut v: Vec<String> = impact
            .nodes
            .iter()
            .map(|r| format!("{}@{}", p.ids().node_id(r.id), r.distance))
            .collect();
        v.sort();
        v
    }

    fn down(p: &Projection, start: &NodeId) -> Vec<String> {
        reached(p, &p.impact(start, &ImpactQuery::default()).unwrap())
    }

    /// a -> j1 -> b, a -> j2 -> c, (b, c) -> j3 -> d: a diamond.
    fn diamond() -> Projection {
        let mut p = Projection::new();
        observe(
            &mut p,
            Run {
                job: "j1",
                minute: 1,
                ins: &["a"],
                outs: &["b"],
                ..Default::default()
            },
        );
        observe(
            &mut p,
            Run {
                job: "j2",
                minute: 2,
                ins: &["a"],
                outs: &["c"],
                ..Default::default()
            },
        );
        observe(
            &mut p,
            Run {
                job: "j3",
                minute: 3,
                ins: &["b", "c"],
                outs: &["d"],
                ..Default::default()
            },
        );
        p
    }

    #[test]
    fn downstream_of_several_seeds_is_what_their_walks_reach_together() {
        let p = diamond();
        let id = |name: &str| p.find(&ds(name)).unwrap();
        let names = |ids: Vec<Id>| {
            let mut v: Vec<String> = ids.into_iter().map(|i| p.ids().node_id(i).to_string()).collect();
            v.sort();
            v
        };
        let apart: BTreeSet<String> = ["a", "b"]
            .into_iter()
            .flat_map(|start| down(&p, &ds(start)))
            .map(|r| r.split('@').next().unwrap().to_owned())
            .collect();
        let together = names(p.downstream_of(&[id("a"), id("b")]));
        // b is a seed, and reached from a: it counts, as in a's own walk.
        assert!(together.contains(&ds("b").to_string()), "{together:?}");
        assert_eq!(together, apart.into_iter().collect::<Vec<_>>());
        assert_eq!(names(p.downstream_of(&[id("d")])), Vec::<String>::new());
    }

    #[test]
    fn a_diamond_is_reached_once_with_shortest_distances() {
        let p = diamond();
        assert_eq!(
            down(&p, &ds("a")),
            [
                "dataset:db:b@1",
                "dataset:db:c@1",
                "dataset:db:d@2",
                "job:s:j1@1",
                "job:s:j2@1",
                "job:s:j3@2"
            ]
        );
        let up = p
            .impact(
                &ds("d"),
                &ImpactQuery {
                    towards: Towards::Upstream,
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(reached(&p, &up).len(), 6);
        // From a job: the job is the first hop of every path.
        assert_eq!(
            down(&p, &NodeId::job("s", "j1")),
            ["dataset:db:b@1", "dataset:db:d@2", "job:s:j3@2"]
        );
    }

    #[test]
    fn paths_lead_back_to_the_start() {
        let p = diamond();
        let impact = p.impact(&ds("a"), &ImpactQuery::default()).unwrap();
        let by_id: HashMap<Id, Reached> = impact.nodes.iter().map(|r| (r.id, *r)).collect();
        let d = p.find(&ds("d")).unwrap();
        let path: Vec<String> = p
            .path_to(&impact, &by_id, d)
            .into_iter()
            .map(|id| p.ids().node_id(id).to_string())
            .collect();
        assert_eq!(path.len(), 5);
        assert_eq!(path[0], "dataset:db:a");
        assert_eq!(path[4], "dataset:db:d");
        assert!(path[2] == "dataset:db:b" || path[2] == "dataset:db:c");
    }

    #[test]
    fn depth_limits_say_they_cut() {
        let p = diamond();
        let q = ImpactQuery {
            depth: Some(1),
            ..Default::default()
        };
        let one = p.impact(&ds("a"), &q).unwrap();
        assert_eq!(
            reached(&p, &one),
            ["dataset:db:b@1", "dataset:db:c@1", "job:s:j1@1", "job:s:j2@1"]
        );
        assert!(one.truncated);
        let q = ImpactQuery {
            depth: Some(2),
            ..Default::default()
        };
        assert!(
            !p.impact(&ds("a"), &q).unwrap().truncated,
            "nothing lies beyond 2"
        );
        assert!(!p.impact(&ds("a"), &ImpactQuery::default()).unwrap().truncated);
    }

    #[test]
    fn cycles_never_loop() {
        let mut p = Projection::new();
        // A job that reads and writes the same table, and a two-job loop.
        observe(
            &mut p,
            Run {
                job: "merge",
                minute: 1,
                ins: &["t"],
                outs: &["t", "u"],
                ..Default::default()
            },
        );
        observe(
            &mut p,
            Run {
                job: "back",
                minute: 2,
                ins: &["u"],
                outs: &["t"],
                ..Default::default()
            },
        );
        assert_eq!(
            down(&p, &ds("t")),
            ["dataset:db:u@1", "job:s:back@2", "job:s:merge@1"]
        );
    }

    #[test]
    fn a_job_that_changes_its_inputs_changes_lineage_from_then_on() {
        let mut p = Projection::new();
        observe(
            &mut p,
            Run {
                job: "j",
                minute: 10,
                ins: &["old"],
                outs: &["out"],
                ..Default::default()
            },
        );
        observe(
            &mut p,
            Run {
                job: "j",
                minute: 20,
                ins: &["new"],
                outs: &["out"],
                ..Default::default()
            },
        );
        assert!(down(&p, &ds("old")).is_empty(), "no longer read");
        assert_eq!(down(&p, &ds("new")), ["dataset:db:out@1", "job:s:j@1"]);
        let at = |minute: u32| ImpactQuery {
            as_of: Some(
                crate::openlineage::Timestamp::parse(&time(minute))
                    .unwrap()
                    .unix_nanos(),
            ),
            ..Default::default()
        };
        let before = p.impact(&ds("old"), &at(15)).unwrap();
        assert_eq!(reached(&p, &before), ["dataset:db:out@1", "job:s:j@1"]);
        assert!(p.impact(&ds("new"), &at(15)).unwrap().nodes.is_empty());
        assert!(
            p.impact(&ds("old"), &at(20)).unwrap().nodes.is_empty(),
            "the change holds from its completion"
        );
        assert!(
            p.impact(&ds("old"), &at(5)).unwrap().nodes.is_empty(),
            "nothing before the first run"
        );
        // The same set again changes nothing.
        let edges = p.size().1;
        observe(
            &mut p,
            Run {
                job: "j",
                minute: 30,
                ins: &["new"],
                outs: &["out"],
                ..Default::default()
            },
        );
        assert_eq!(p.size().1, edges);
    }

    #[test]
    fn symlinks_make_two_names_one_dataset() {
        let mut p = Projection::new();
        // Lineage under the alias first, then the symlink, then under the name.
        observe(
            &mut p,
            Run {
                job: "load",
                minute: 1,
                ins: &["raw"],
                outs: &["orders"],
                ..Default::default()
            },
        );
        let alias = NodeId::dataset("warehouse", "orders_tbl");
        let event = json!({"eventTime": time(2), "eventType": "COMPLETE", "producer": "p",
            "run": {"runId": uuid::Uuid::from_u128(99).to_string()},
            "job": {"namespace": "s", "name": "report"},
            "inputs": [{"namespace": "warehouse", "name": "orders_tbl"}],
            "outputs": [{"namespace": "db", "name": "report"}]});
        p.observe(&parse_event(&event.to_string()).unwrap());
        assert!(down(&p, &ds("orders")).is_empty(), "not linked yet");
        observe(
            &mut p,
            Run {
                job: "touch",
                minute: 3,
                ins: &[],
                outs: &["orders"],
                symlink: Some(("orders", "orders_tbl")),
                ..Default::default()
            },
        );
        assert_eq!(down(&p, &ds("orders")), ["dataset:db:report@1", "job:s:report@1"]);
        assert_eq!(p.find(&alias), p.find(&ds("orders")));
        assert!(down(&p, &ds("raw")).contains(&"dataset:db:report@2".to_owned()));
    }

    #[test]
    fn column_level_follows_derivations_with_filters() {
        let mut p = Projection::new();
        observe(
            &mut p,
            Run {
                job: "j1",
                minute: 1,
                ins: &["src"],
                outs: &["mid"],
                columns: &[
                    ("mid", "id", "src", "id", "DIRECT", "IDENTITY", false),
                    (
                        "mid",
                        "email_hash",
                        "src",
                        "email",
                        "DIRECT",
                        "TRANSFORMATION",
                        true,
                    ),
                    ("mid", "total", "src", "status", "INDIRECT", "FILTER", false),
                ],
                ..Default::default()
            },
        );
        observe(
            &mut p,
            Run {
                job: "j2",
                minute: 2,
                ins: &["mid"],
                outs: &["out"],
                columns: &[
                    ("out", "id", "mid", "id", "DIRECT", "IDENTITY", false),
                    ("out", "h", "mid", "email_hash", "DIRECT", "IDENTITY", false),
                ],
                ..Default::default()
            },
        );
        let column = |d: &str, f: &str| NodeId::DatasetField {
            namespace: "db".into(),
            name: d.into(),
            field: f.into(),
        };
        let q = ImpactQuery {
            level: Level::Column,
            ..Default::default()
        };
        assert_eq!(
            reached(&p, &p.impact(&column("src", "id"), &q).unwrap()),
            ["datasetField:db:mid:id@1", "datasetField:db:out:id@2"]
        );
        let all = p.impact(&ds("src"), &q).unwrap();
        assert_eq!(all.start.len(), 3, "a dataset starts from its columns");
        assert_eq!(all.nodes.len(), 5);
        let strict = ImpactQuery {
            level: Level::Column,
            exclude_indirect: true,
            exclude_masked: true,
            ..Default::default()
        };
        assert_eq!(
            reached(&p, &p.impact(&ds("src"), &strict).unwrap()),
            ["datasetField:db:mid:id@1", "datasetField:db:out:id@2"]
        );
        assert_eq!(
            p.impact(&NodeId::job("s", "j1"), &q).unwrap_err(),
            ImpactError::ColumnLevelFromJob
        );
        let up = ImpactQuery {
            level: Level::Column,
            towards: Towards::Upstream,
            ..Default::default()
        };
        assert_eq!(
            reached(&p, &p.impact(&column("out", "h"), &up).unwrap()),
            ["datasetField:db:mid:email_hash@1", "datasetField:db:src:email@2"]
        );
    }

    #[test]
    fn the_snapshot_walks_like_the_graph() {
        let mut p = Projection::new();
        let events: Vec<String> = crate::generate::Generator::new(crate::generate::GeneratorConfig {
            datasets: 150,
            jobs: 90,
            min_columns: 2,
            max_columns: 3,
            changing_per_mille: 300,
            days: Some(3),
            ..Default::default()
        })
        .collect();
        for e in &events {
            p.observe(&parse_event(e).unwrap());
        }
        let mut compared = 0;
        for id in 0..p.ids().len() as Id {
            if p.ids().kind(id) == Kind::Column {
                continue;
            }
            let node = p.ids().node_id(id);
            for towards in [Towards::Downstream, Towards::Upstream] {
                for depth in [None, Some(2)] {
                    let q = ImpactQuery {
                        towards,
                        depth,
                        ..Default::default()
                    };
                    let (graph, snapshot) = (
                        p.impact_walk(&node, &q, usize::MAX).unwrap(),
                        p.impact_walk(&node, &q, 0).unwrap(),
                    );
                    assert_eq!(
                        reached(&p, &graph),
                        reached(&p, &snapshot),
                        "{node} {towards:?} {depth:?}"
                    );
                    assert_eq!(graph.truncated, snapshot.truncated);
                    compared += graph.nodes.len();
                }
            }
        }
        assert!(compared > 1_000);
    }

    #[test]
    fn filters_and_owner_groups() {
        let mut p = diamond();
        observe(
            &mut p,
            Run {
                job: "j3",
                minute: 4,
                ins: &["b", "c"],
                outs: &["d"],
                owner: Some(("d", "team:finance")),
                ..Default::default()
            },
        );
        let q = ImpactQuery {
            kinds: vec![Kind::Dataset],
            ..Default::default()
        };
        let impact = p.impact(&ds("a"), &q).unwrap();
        assert_eq!(
            reached(&p, &impact),
            ["dataset:db:b@1", "dataset:db:c@1", "dataset:db:d@2"]
        );
        assert_eq!(impact.reached, 6);
        let groups = p.owner_groups(&impact.nodes);
        assert_eq!(groups.len(), 1);
        assert_eq!((&*groups[0].owner.name, groups[0].datasets), ("team:finance", 1));
        let q = ImpactQuery {
            namespaces: vec!["s".into()],
            ..Default::default()
        };
        assert_eq!(p.impact(&ds("a"), &q).unwrap().nodes.len(), 3, "the jobs");
        assert!(matches!(p.impact(&ds("nope"), &q), Err(ImpactError::Unknown(_))));
    }
}
