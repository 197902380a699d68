//! What changed in the lineage between two times.
//!
//! A job whose inputs change gets a new version of its edges (see
//! [`super::history`]), so one (from, to) pair can be several edges of the
//! graph over time. The diff therefore compares the pairs that held at
//! each time, not the edges themselves.

use std::collections::BTreeSet;

use petgraph::visit::{EdgeRef, IntoEdgeReferences};

use super::Projection;
use super::ids::Id;
use super::impact::Level;

/// A lineage edge as the diff names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Link {
    /// Where data comes from (a dataset, a job, or an input column).
    pub from: Id,
    /// Where it goes.
    pub to: Id,
    /// The job that asserted it.
    pub job: Id,
}

/// The links that appeared and disappeared between two times.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    /// Held at the later time and not at the earlier.
    pub appeared: Vec<Link>,
    /// Held at the earlier time and not at the later.
    pub disappeared: Vec<Link>,
}

impl Projection {
    /// The links of `level` that changed between `from` and `to` (ns since
    /// the epoch; `to = None` means now).
    pub fn diff(&self, from: i64, to: Option<i64>, level: Level) -> Diff {
        let graph = match level {
            Level::Dataset => self.entities(),
            Level::Column => self.columns(),
        };
        let held = |at: Option<i64>| -> BTreeSet<Link> {
            graph
                .edge_references()
                .filter(|e| e.weight().holds(at))
                .map(|e| Link {
                    from: graph[e.source()],
                    to: graph[e.target()],
                    job: e.weight().job,
                })
                .collect()
        };
        let (before, after) = (held(Some(from)), held(to));
        Diff {
            appeared: after.difference(&before).copied().collect(),
            disappeared: before.difference(&after).copied().collect(),
        }
    }
}
