//! Impact answers as people and programs read them: the JSON report of
//! `/api/v1/impact` and `meshgraph impact --format json`, the flat CSV list,
//! and a text table for the terminal.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::Projection;
use super::ids::{Id, Kind};
use super::impact::{Impact, ImpactQuery, Level, Reached, Towards};
use crate::openlineage::{NodeId, Timestamp};

/// Which nodes of an answer to list, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listing {
    /// Skip this many nodes.
    pub offset: usize,
    /// List at most this many (`None`: all).
    pub limit: Option<usize>,
    /// Give each listed node its whole path from the start.
    pub paths: bool,
}

/// An impact answer, serialized as the JSON of `/api/v1/impact`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    node_id: String,
    direction: &'static str,
    level: &'static str,
    depth: Option<u32>,
    as_of: Option<String>,
    /// Where the walk started (a dataset's columns at column level).
    start: Vec<String>,
    /// Whether the depth limit left nodes out.
    truncated: bool,
    counts: Counts,
    groups: Groups,
    nodes: Vec<NodeJson>,
    page: PageJson,
}

#[derive(Debug, Serialize)]
struct Counts {
    /// Every node the walk reached.
    reached: usize,
    /// Those the filters kept.
    listed: usize,
    datasets: usize,
    jobs: usize,
    columns: usize,
}

#[derive(Debug, Serialize)]
struct Groups {
    owners: Vec<OwnerJson>,
    /// Data products exposing affected datasets (from DPROD descriptions).
    products: Vec<serde_json::Value>,
    /// Their domains.
    domains: Vec<serde_json::Value>,
}

#[derive(Debug, Serialize)]
struct OwnerJson {
    name: String,
    #[serde(rename = "type")]
    kind: Option<String>,
    datasets: usize,
    jobs: usize,
    columns: usize,
}

#[derive(Debug, Serialize)]
struct NodeJson {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    namespace: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    distance: u32,
    /// The node before this one on a shortest path from the start.
    via: String,
    /// The whole path, start first (unless `paths=false`).
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<Vec<String>>,
    owners: Vec<String>,
}

#[derive(Debug, Serialize)]
struct PageJson {
    offset: usize,
    limit: Option<usize>,
    total: usize,
}

/// Shapes an impact answer: counts, owner groups and one page of nodes.
pub fn report(
    projection: &Projection,
    start: &NodeId,
    query: &ImpactQuery,
    impact: &Impact,
    listing: &Listing,
) -> Report {
    let ids = projection.ids();
    let name = |id: Id| ids.node_id(id).to_string();
    let by_id: HashMap<Id, Reached> = if listing.paths {
        impact.nodes.iter().map(|r| (r.id, *r)).collect()
    } else {
        HashMap::new()
    };
    let end = listing.limit.map_or(impact.nodes.len(), |l| {
        listing.offset.saturating_add(l).min(impact.nodes.len())
    });
    let page = impact.nodes.get(listing.offset.min(end)..end).unwrap_or_default();
    let nodes = page
        .iter()
        .map(|r| NodeJson {
            id: name(r.id),
            kind: ids.kind(r.id).as_str(),
            namespace: ids.namespace(r.id).to_owned(),
            name: ids.name(r.id).to_owned(),
            field: ids.field(r.id).map(str::to_owned),
            distance: r.distance,
            via: name(r.via),
            path: listing.paths.then(|| {
                projection
                    .path_to(impact, &by_id, r.id)
                    .into_iter()
                    .map(name)
                    .collect()
            }),
            owners: projection.owners(r.id).map(|o| o.name.to_string()).collect(),
        })
        .collect();
    let count = |kind| impact.nodes.iter().filter(|r| ids.kind(r.id) == kind).count();
    let owners = projection
        .owner_groups(&impact.nodes)
        .into_iter()
        .map(|g| OwnerJson {
            name: g.owner.name.to_string(),
            kind: g.owner.kind.as_deref().map(str::to_owned),
            datasets: g.datasets,
            jobs: g.jobs,
            columns: g.columns,
        })
        .collect();
    Report {
        node_id: start.to_string(),
        direction: match query.towards {
            Towards::Downstream => "downstream",
            Towards::Upstream => "upstream",
        },
        level: match query.level {
            Level::Dataset => "dataset",
            Level::Column => "column",
        },
        depth: query.depth,
        as_of: query
            .as_of
            .map(|t| Timestamp::from_unix_nanos(t).to_rfc3339_utc()),
        start: impact.start.iter().map(|&id| name(id)).collect(),
        truncated: impact.truncated,
        counts: Counts {
            reached: impact.reached,
            listed: impact.nodes.len(),
            datasets: count(Kind::Dataset),
            jobs: count(Kind::Job),
            columns: count(Kind::Column),
        },
        groups: Groups {
            owners,
            products: Vec::new(),
            domains: Vec::new(),
        },
        nodes,
        page: PageJson {
            offset: listing.offset,
            limit: listing.limit,
            total: impact.nodes.len(),
        },
    }
}

/// Every listed node, one per line: `id,type,namespace,name,field,distance,via,owners`.
pub fn csv(projection: &Projection, impact: &Impact) -> Result<Vec<u8>, csv::Error> {
    let ids = projection.ids();
    let mut out = csv::Writer::from_writer(Vec::with_capacity(impact.nodes.len() * 96));
    out.write_record([
        "id",
        "type",
        "namespace",
        "name",
        "field",
        "distance",
        "via",
        "owners",
    ])?;
    let mut owners = String::new();
    for r in &impact.nodes {
        owners.clear();
        for (i, o) in projection.owners(r.id).enumerate() {
            if i > 0 {
                owners.push(';');
            }
            owners.push_str(&o.name);
        }
        out.write_record([
            ids.node_id(r.id).to_string().as_str(),
            ids.kind(r.id).as_str(),
            ids.namespace(r.id),
            ids.name(r.id),
            ids.field(r.id).unwrap_or(""),
            r.distance.to_string().as_str(),
            ids.node_id(r.via).to_string().as_str(),
            owners.as_str(),
        ])?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

/// A text table of the report's listed nodes, for the terminal.
pub fn table(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} of {} ({} level{}): {} reached, {} listed ({} datasets, {} jobs, {} columns){}",
        report.direction,
        report.node_id,
        report.level,
        report
            .as_of
            .as_deref()
            .map(|t| format!(", as of {t}"))
            .unwrap_or_default(),
        report.counts.reached,
        report.counts.listed,
        report.counts.datasets,
        report.counts.jobs,
        report.counts.columns,
        if report.truncated {
            "; cut at the depth limit"
        } else {
            ""
        },
    );
    let width = report
        .nodes
        .iter()
        .map(|n| n.id.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let _ = writeln!(out, "{:>8}  {:<13}  {:<width$}  via", "distance", "type", "node");
    for n in &report.nodes {
        let _ = writeln!(
            out,
            "{:>8}  {:<13}  {:<width$}  {}",
            n.distance, n.kind, n.id, n.via
        );
    }
    if report.nodes.len() < report.counts.listed {
        let _ = writeln!(
            out,
            "... {} more (ask for all of them with --limit all)",
            report.counts.listed - report.nodes.len()
        );
    }
    for o in &report.groups.owners {
        let _ = writeln!(
            out,
            "owner {}: {} datasets, {} jobs, {} columns",
            o.name, o.datasets, o.jobs, o.columns
        );
    }
    out
}
