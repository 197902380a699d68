//! Breadth-first walks of the projection: the lineage around a node.

use std::collections::{HashSet, VecDeque};

use petgraph::Direction::{Incoming, Outgoing};
use petgraph::stable_graph::NodeIndex;
use petgraph::visit::EdgeRef;

use super::ids::Id;
use super::impact::{ImpactError, ImpactQuery, Level, Towards};
use super::{EdgeKind, Projection};
use crate::openlineage::NodeId;

/// Which way to walk from the start node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Towards the sources: what the node is derived from.
    Upstream,
    /// Towards the consumers: what is derived from the node.
    Downstream,
    /// Both walks, joined (not an undirected walk: see `siblings`).
    Both,
}

/// The part of the lineage graph a walk reached.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subgraph {
    /// The nodes, the start first, then in the order reached.
    pub nodes: Vec<NodeId>,
    /// The edges between reached nodes, as (from, to) in the direction data flows.
    pub edges: Vec<(NodeId, NodeId)>,
}

impl Projection {
    /// The lineage around `start` (datasets and jobs), up to `depth` job
    /// hops away, as it is now (`as_of` = `None`) or was at `as_of` (ns since
    /// the epoch).
    ///
    /// A job hop is dataset -> job -> dataset; so from a dataset, depth 1
    /// reaches the jobs that read or write it and their other datasets. With
    /// `siblings`, every job touching a reached dataset is also included
    /// (Marquez's undirected walk, which drags in jobs that merely read the
    /// same table); without, only nodes on directed paths from `start` are.
    pub fn lineage(
        &self,
        start: &NodeId,
        direction: Direction,
        depth: usize,
        siblings: bool,
        as_of: Option<i64>,
    ) -> Option<Subgraph> {
        let start = self.find(start)?;
        if self.ids().kind(start) == super::ids::Kind::Column {
            return None;
        }
        let start = self.node(start);
        let max_edges = depth.saturating_mul(2);
        let mut seen: HashSet<NodeIndex> = HashSet::from([start]);
        let mut order = vec![start];
        let walks: &[petgraph::Direction] = match (direction, siblings) {
            (_, true) | (Direction::Both, false) => &[Incoming, Outgoing],
            (Direction::Upstream, false) => &[Incoming],
            (Direction::Downstream, false) => &[Outgoing],
        };
        if siblings {
            self.walk(start, walks, max_edges, as_of, &mut seen, &mut order);
        } else {
            for &dir in walks {
                self.walk(start, &[dir], max_edges, as_of, &mut seen, &mut order);
            }
        }
        let ids = self.ids();
        let mut edges = Vec::new();
        for &from in &order {
            for e in self.io_at(from, Outgoing, as_of) {
                if seen.contains(&e.target()) {
                    edges.push((
                        ids.node_id(self.entities()[from]),
                        ids.node_id(self.entities()[e.target()]),
                    ));
                }
            }
        }
        edges.sort();
        edges.dedup();
        Some(Subgraph {
            nodes: order.iter().map(|&ix| ids.node_id(self.entities()[ix])).collect(),
            edges,
        })
    }

    /// The columns around `start` (a column, or every column of a dataset):
    /// the start first, then the columns upstream of it (if `upstream`),
    /// then those downstream (if `downstream`), each at most `depth`
    /// derivations away, in the lineage as it is now (`as_of` = `None`) or
    /// was then. Marquez's `/column-lineage` is upstream plus, if asked,
    /// downstream; GraphQL's `lineage(level: COLUMN)` asks for either or both.
    pub fn column_lineage(
        &self,
        start: &NodeId,
        depth: u32,
        upstream: bool,
        downstream: bool,
        as_of: Option<i64>,
    ) -> Result<Vec<Id>, ImpactError> {
        let walk = |towards| {
            let query = ImpactQuery {
                towards,
                depth: Some(depth),
                level: Level::Column,
                as_of,
                ..Default::default()
            };
            self.impact(start, &query)
        };
        // The first walk also checks the start and finds its columns.
        let first = walk(if upstream {
            Towards::Upstream
        } else {
            Towards::Downstream
        })?;
        let mut members: Vec<Id> = first.start.clone();
        if upstream || downstream {
            members.extend(first.nodes.iter().map(|r| r.id));
        }
        if upstream && downstream {
            members.extend(walk(Towards::Downstream)?.nodes.iter().map(|r| r.id));
        }
        let mut seen = HashSet::new();
        members.retain(|id| seen.insert(*id));
        Ok(members)
    }

    /// The datasets one job hop from the dataset `start` in the current
    /// lineage, as ids: upstream, those read by the jobs that write it;
    /// downstream, those written by the jobs that read it (not `start`
    /// itself). The datasets `lineage(start, direction, 1)` reaches, without
    /// building its subgraph: a page of datasets asks this of each one.
    /// `None` if the projection does not know `start` as a dataset.
    pub fn neighbours(&self, start: &NodeId, upstream: bool) -> Option<Vec<Id>> {
        let start = self.find(start)?;
        if self.ids().kind(start) != super::ids::Kind::Dataset {
            return None;
        }
        let start = self.node(start);
        let dir = if upstream { Incoming } else { Outgoing };
        let other = |e: &petgraph::stable_graph::EdgeReference<'_, super::Edge>| {
            if upstream { e.source() } else { e.target() }
        };
        let mut found: Vec<NodeIndex> = self
            .io_at(start, dir, None)
            .flat_map(|to_job| self.io_at(other(&to_job), dir, None).map(|e| other(&e)))
            .filter(|&dataset| dataset != start)
            .collect();
        found.sort_unstable();
        found.dedup();
        Some(found.into_iter().map(|ix| self.entities()[ix]).collect())
    }

    /// The read and write edges of a node in one direction that hold at
    /// `at` (now if `None`).
    fn io_at(
        &self,
        node: NodeIndex,
        dir: petgraph::Direction,
        at: Option<i64>,
    ) -> impl Iterator<Item = petgraph::stable_graph::EdgeReference<'_, super::Edge>> {
        self.entities()
            .edges_directed(node, dir)
            .filter(move |e| !matches!(e.weight().kind, EdgeKind::Derive(_)) && e.weight().holds(at))
    }

    fn walk(
        &self,
        start: NodeIndex,
        dirs: &[petgraph::Direction],
        max_edges: usize,
        at: Option<i64>,
        seen: &mut HashSet<NodeIndex>,
        order: &mut Vec<NodeIndex>,
    ) {
        let mut local: HashSet<NodeIndex> = HashSet::from([start]);
        let mut queue = VecDeque::from([(start, 0usize)]);
        while let Some((node, dist)) = queue.pop_front() {
            if dist >= max_edges {
                continue;
            }
            for &dir in dirs {
                for e in self.io_at(node, dir, at) {
                    let next = if dir == Incoming { e.source() } else { e.target() };
                    if local.insert(next) {
                        if seen.insert(next) {
                            order.push(next);
                        }
                        queue.push_back((next, dist + 1));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openlineage::parse_event;

    /// a -> j1 -> b -> j2 -> c, and a sibling job j3 that also reads b.
    fn chain() -> Projection {
        let mut p = Projection::new();
        for (i, (job, ins, outs)) in [("j1", "a", "b"), ("j2", "b", "c"), ("j3", "b", "d")]
            .iter()
            .enumerate()
        {
            let event = format!(
                r#"{{"eventTime":"2024-01-01T00:00:0{i}Z","eventType":"COMPLETE","producer":"p","run":{{"runId":"00000000-0000-0000-0000-00000000000{i}"}},"job":{{"namespace":"s","name":"{job}"}},"inputs":[{{"namespace":"db","name":"{ins}"}}],"outputs":[{{"namespace":"db","name":"{outs}"}}]}}"#
            );
            p.observe(&parse_event(&event).unwrap());
        }
        p
    }

    fn names(g: &Subgraph) -> Vec<String> {
        let mut v: Vec<_> = g.nodes.iter().map(ToString::to_string).collect();
        v.sort();
        v
    }

    #[test]
    fn upstream_and_downstream_follow_the_arrows() {
        let p = chain();
        let c = NodeId::dataset("db", "c");
        let up = p.lineage(&c, Direction::Upstream, 20, false, None).unwrap();
        assert_eq!(
            names(&up),
            [
                "dataset:db:a",
                "dataset:db:b",
                "dataset:db:c",
                "job:s:j1",
                "job:s:j2"
            ]
        );
        let down = p
            .lineage(
                &NodeId::dataset("db", "b"),
                Direction::Downstream,
                20,
                false,
                None,
            )
            .unwrap();
        assert_eq!(
            names(&down),
            [
                "dataset:db:b",
                "dataset:db:c",
                "dataset:db:d",
                "job:s:j2",
                "job:s:j3"
            ]
        );
    }

    #[test]
    fn siblings_only_when_asked() {
        let p = chain();
        let c = NodeId::dataset("db", "c");
        let both = p.lineage(&c, Direction::Both, 20, false, None).unwrap();
        assert!(!names(&both).contains(&"job:s:j3".to_owned()));
        let undirected = p.lineage(&c, Direction::Both, 20, true, None).unwrap();
        assert!(names(&undirected).contains(&"job:s:j3".to_owned()));
    }

    #[test]
    fn neighbours_are_the_datasets_of_a_walk_of_depth_one() {
        let p = chain();
        let named = |ids: Vec<Id>| -> Vec<String> {
            let mut v: Vec<_> = ids
                .into_iter()
                .map(|id| p.ids().node_id(id).to_string())
                .collect();
            v.sort();
            v
        };
        let b = NodeId::dataset("db", "b");
        assert_eq!(named(p.neighbours(&b, true).unwrap()), ["dataset:db:a"]);
        assert_eq!(
            named(p.neighbours(&b, false).unwrap()),
            ["dataset:db:c", "dataset:db:d"]
        );
        for (node, upstream) in [(&b, true), (&b, false), (&NodeId::dataset("db", "a"), false)] {
            let direction = if upstream {
                Direction::Upstream
            } else {
                Direction::Downstream
            };
            let walk = p.lineage(node, direction, 1, false, None).unwrap();
            let mut datasets: Vec<String> = walk.nodes[1..]
                .iter()
                .filter(|n| matches!(n, NodeId::Dataset { .. }))
                .map(ToString::to_string)
                .collect();
            datasets.sort();
            assert_eq!(named(p.neighbours(node, upstream).unwrap()), datasets);
        }
        assert_eq!(p.neighbours(&NodeId::job("s", "j1"), true), None);
        assert_eq!(p.neighbours(&NodeId::dataset("db", "nope"), true), None);
    }

    #[test]
    fn depth_counts_job_hops() {
        let p = chain();
        let a = NodeId::dataset("db", "a");
        let one = p.lineage(&a, Direction::Downstream, 1, false, None).unwrap();
        assert_eq!(names(&one), ["dataset:db:a", "dataset:db:b", "job:s:j1"]);
        assert_eq!(one.edges.len(), 2);
    }
}
