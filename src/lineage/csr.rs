//! A contiguous snapshot of the current entity graph, for large walks.
//!
//! petgraph keeps each node's edges as a linked list through one big edge
//! array, so a walk over a hub's hundred thousand descendants spends its
//! time on cache misses. This snapshot lays each node's current neighbours
//! out side by side (compressed sparse rows), in the entity graph's own node
//! numbering, so a walk can switch to it midway. It is built on demand from
//! the graph and dropped whenever the graph changes.

use petgraph::visit::{EdgeRef, IntoEdgeReferences};

use super::ids::Id;
use super::{EdgeKind, Graph};

/// Current neighbours of every entity node, both ways.
#[derive(Debug)]
pub struct Csr {
    /// `out[out_start[n]..out_start[n + 1]]`: the nodes `n` has a current edge to.
    out_start: Vec<u32>,
    out: Vec<u32>,
    /// Likewise for the nodes with a current edge to `n`.
    in_start: Vec<u32>,
    inc: Vec<u32>,
    /// Each node's identity.
    pub ids: Vec<Id>,
    /// Whether each node is a job (the graph alternates datasets and jobs).
    pub is_job: Vec<bool>,
}

impl Csr {
    /// The snapshot of `graph`'s current edges.
    pub fn new(graph: &Graph) -> Self {
        let n = graph.node_count();
        let current: Vec<(u32, u32)> = graph
            .edge_references()
            .filter(|e| e.weight().holds(None))
            .map(|e| (e.source().index() as u32, e.target().index() as u32))
            .collect();
        let rows = |key: fn(&(u32, u32)) -> (u32, u32)| {
            let mut start = vec![0u32; n + 1];
            for e in &current {
                start[key(e).0 as usize + 1] += 1;
            }
            for i in 0..n {
                start[i + 1] += start[i];
            }
            let mut fill = start.clone();
            let mut to = vec![0u32; current.len()];
            for e in &current {
                let (from, other) = key(e);
                to[fill[from as usize] as usize] = other;
                fill[from as usize] += 1;
            }
            (start, to)
        };
        let (out_start, out) = rows(|&(s, t)| (s, t));
        let (in_start, inc) = rows(|&(s, t)| (t, s));
        let mut ids = vec![0; n];
        let mut is_job = vec![false; n];
        for node in graph.node_indices() {
            ids[node.index()] = graph[node];
        }
        for e in graph.edge_references() {
            // A read ends at a job, a write starts at one.
            match e.weight().kind {
                EdgeKind::Read => is_job[e.target().index()] = true,
                EdgeKind::Write => is_job[e.source().index()] = true,
                EdgeKind::Derive(_) => {}
            }
        }
        Self {
            out_start,
            out,
            in_start,
            inc,
            ids,
            is_job,
        }
    }

    /// The current neighbours of `node`, downstream (`Outgoing`) or upstream.
    pub fn neighbours(&self, node: usize, dir: petgraph::Direction) -> &[u32] {
        let (start, list) = match dir {
            petgraph::Direction::Outgoing => (&self.out_start, &self.out),
            petgraph::Direction::Incoming => (&self.in_start, &self.inc),
        };
        &list[start[node] as usize..start[node + 1] as usize]
    }
}
