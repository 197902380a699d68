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

    fn is_marked(&self, id: Id) -> bool {
        self.0[(id / 64) as usize] & (1u64 << (id % 64)) != 0
    }

    /// Marks a node; whether it was unmarked.
    fn mark(&mut self, id: Id) -> bool {
        let (word, bit) = ((id / 64) as usize, 1u64 << (id % 64));
        let fresh = self.0[word] & bit == 0;
        self.0[word] |= bit;
        fresh
    }
}

impl Projection {
    /// Everything reachable from `start` as `query` asks.
    pub fn impact(&self, start: &NodeId, query: &ImpactQuery) -> Result<Impact, ImpactError> {
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
        let mut marks = Marks::new(self.ids().len());
        let mut queue: VecDeque<(Id, u32)> = VecDeque::new();
        for &seed in &seeds {
            marks.mark(seed);
            // A job at the start is the first job on every path.
            let hops = u32::from(ids.kind(seed) == Kind::Job);
            queue.push_back((seed, hops));
        }
        let dir = match query.towards {
            Towards::Downstream => petgraph::Direction::Outgoing,
            Towards::Upstream => petgraph::Direction::Incoming,
        };
        let limit = query.depth.unwrap_or(u32::MAX);
        let mut nodes = Vec::new();
        let mut truncated = false;
        while let Some((node, hops)) = queue.pop_front() {
            for e in self.graph().edges_directed(NodeIndex::new(node as usize), dir) {
                let edge = e.weight();
                if !edge.holds(query.as_of) {
                    continue;
                }
                let step = match (query.level, edge.kind) {
                    (Level::Dataset, EdgeKind::Read | EdgeKind::Write) => {
                        let next = if dir == petgraph::Direction::Outgoing {
                            e.target()
                        } else {
                            e.source()
                        };
                        let next = next.index() as Id;
                        (next, hops + u32::from(ids.kind(next) == Kind::Job))
                    }
                    (Level::Column, EdgeKind::Derive(t)) => {
                        if (query.exclude_indirect && t.direct == Some(false))
                            || (query.exclude_masked && t.masking)
                        {
                            continue;
                        }
                        let next = if dir == petgraph::Direction::Outgoing {
                            e.target()
                        } else {
                            e.source()
                        };
                        (next.index() as Id, hops + 1)
                    }
                    _ => continue,
                };
                let (next, distance) = step;
                if distance > limit {
                    // BFS meets every node first at its least distance: an
                    // unmarked node here lies beyond the limit.
                    truncated |= !marks.is_marked(next);
                    continue;
                }
                if marks.mark(next) {
                    nodes.push(Reached {
                        id: next,
                        distance,
                        via: node,
                    });
                    queue.push_back((next, distance));
                }
            }
        }
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
