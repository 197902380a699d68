//! Impact answers as people and programs read them: the JSON report of
//! `/api/v1/impact` and `meshgraph impact --format json`, the flat CSV list,
//! and a text table for the terminal.
//!
//! The report groups the affected nodes by data product, domain and owner.
//! What products expose which datasets comes from the catalog
//! ([`crate::catalog::Catalog::exposure`]) as an [`Exposure`], plain data, so
//! this module needs neither the store nor the catalog.

use std::collections::{BTreeMap, BTreeSet, HashMap};
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
    /// Owners of affected nodes: from ownership facets, and the owners of
    /// the products exposing affected datasets. Largest group first.
    owners: Vec<OwnerJson>,
    /// Data products exposing affected datasets (or the datasets of
    /// affected columns) through their output ports. Nearest first.
    products: Vec<ProductJson>,
    /// The domains of those products. Nearest first.
    domains: Vec<DomainJson>,
}

#[derive(Debug, Serialize)]
struct OwnerJson {
    /// The owner's name, as in ownership facets and a product owner's `mg:name`.
    name: String,
    /// Its ownership type in ownership facets (the first, if several).
    #[serde(rename = "type")]
    kind: Option<String>,
    /// Every ownership type it has in ownership facets.
    types: Vec<String>,
    datasets: usize,
    jobs: usize,
    columns: usize,
    /// The least distance of its affected nodes.
    distance: u32,
    /// The affected products it owns.
    products: Vec<String>,
    /// Where its ownership comes from: `ownership` (facets), `product`.
    sources: Vec<&'static str>,
    /// Its affected nodes, nearest first.
    members: Vec<String>,
}

#[derive(Debug, Serialize)]
struct ProductJson {
    /// The product's IRI.
    id: String,
    title: Option<String>,
    /// Its domain's IRI.
    domain: Option<String>,
    /// The least distance of its affected members.
    distance: u32,
    datasets: usize,
    columns: usize,
    /// Its owners' names.
    owners: Vec<String>,
    /// The affected datasets (or columns) it exposes, nearest first.
    members: Vec<String>,
}

#[derive(Debug, Serialize)]
struct DomainJson {
    /// The domain's IRI.
    id: String,
    label: Option<String>,
    /// The least distance of its affected members.
    distance: u32,
    /// Its affected products.
    products: Vec<String>,
    /// The affected datasets (or columns) its products expose, nearest first.
    members: Vec<String>,
}

/// Which data products expose which datasets, for grouping an answer.
#[derive(Debug, Clone, Default)]
pub struct Exposure {
    products: Vec<ExposedProduct>,
    by_dataset: HashMap<NodeId, Vec<usize>>,
}

/// A data product as an impact answer names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExposedProduct {
    /// Its IRI.
    pub id: String,
    /// Its title.
    pub title: Option<String>,
    /// Its domain: IRI and label.
    pub domain: Option<(String, Option<String>)>,
    /// Its owners' names (the names ownership facets use).
    pub owners: Vec<String>,
}

impl Exposure {
    /// Records that `product` exposes `datasets`.
    pub fn add(&mut self, product: ExposedProduct, datasets: impl IntoIterator<Item = NodeId>) {
        let index = self.products.len();
        self.products.push(product);
        for dataset in datasets {
            let list = self.by_dataset.entry(dataset).or_default();
            if !list.contains(&index) {
                list.push(index);
            }
        }
    }

    /// The products exposing a dataset, by the name it is given (not
    /// through symlinks).
    pub fn products_of(&self, dataset: &NodeId) -> impl Iterator<Item = &ExposedProduct> {
        self.by_dataset
            .get(dataset)
            .into_iter()
            .flatten()
            .map(|&i| &self.products[i])
    }

    /// Whether no product exposes anything.
    pub fn is_empty(&self) -> bool {
        self.by_dataset.is_empty()
    }

    /// The products exposing each dataset, by the dataset's canonical id in
    /// the projection (datasets pipelines never reported cannot be affected).
    fn by_id(&self, projection: &Projection) -> HashMap<Id, Vec<usize>> {
        let mut out: HashMap<Id, Vec<usize>> = HashMap::new();
        for (dataset, products) in &self.by_dataset {
            if let Some(id) = projection.find(dataset) {
                // Two names of one dataset (a symlink) may both be exposed.
                let list = out.entry(id).or_default();
                for &p in products {
                    if !list.contains(&p) {
                        list.push(p);
                    }
                }
            }
        }
        out
    }
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
    /// The IRIs of the data products exposing it (or its dataset).
    products: Vec<String>,
}

#[derive(Debug, Serialize)]
struct PageJson {
    offset: usize,
    limit: Option<usize>,
    total: usize,
}

/// Shapes an impact answer: counts, groups by owner, product and domain,
/// and one page of nodes.
pub fn report(
    projection: &Projection,
    start: &NodeId,
    query: &ImpactQuery,
    impact: &Impact,
    listing: &Listing,
    exposure: &Exposure,
) -> Report {
    let ids = projection.ids();
    let exposed = exposure.by_id(projection);
    let products_of = |id: Id| -> &[usize] {
        dataset_of(projection, id)
            .and_then(|d| exposed.get(&d))
            .map_or(&[], Vec::as_slice)
    };
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
            products: products_of(r.id)
                .iter()
                .map(|&p| exposure.products[p].id.clone())
                .collect(),
        })
        .collect();
    let count = |kind| impact.nodes.iter().filter(|r| ids.kind(r.id) == kind).count();
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
        groups: groups(projection, impact, exposure, &exposed),
        nodes,
        page: PageJson {
            offset: listing.offset,
            limit: listing.limit,
            total: impact.nodes.len(),
        },
    }
}

/// The canonical dataset of a dataset or column; `None` for a job.
fn dataset_of(projection: &Projection, id: Id) -> Option<Id> {
    let ids = projection.ids();
    match ids.kind(id) {
        Kind::Dataset => Some(ids.find(id)),
        Kind::Column => ids.dataset_of(id).map(|d| ids.find(d)),
        Kind::Job => None,
    }
}

/// One group of affected nodes, being filled.
#[derive(Default)]
struct Group {
    distance: u32,
    members: Vec<Id>,
    datasets: usize,
    jobs: usize,
    columns: usize,
    products: BTreeSet<usize>,
    types: BTreeSet<String>,
    sources: BTreeSet<&'static str>,
}

impl Group {
    /// Adds a node (once: callers add each node at most once per group).
    fn add(&mut self, kind: Kind, r: &Reached) {
        if self.members.is_empty() || r.distance < self.distance {
            self.distance = r.distance;
        }
        self.members.push(r.id);
        match kind {
            Kind::Dataset => self.datasets += 1,
            Kind::Job => self.jobs += 1,
            Kind::Column => self.columns += 1,
        }
    }
}

/// Groups the affected nodes by owner, product and domain. Nodes come
/// nearest first, so each group's members do too.
fn groups(
    projection: &Projection,
    impact: &Impact,
    exposure: &Exposure,
    exposed: &HashMap<Id, Vec<usize>>,
) -> Groups {
    let ids = projection.ids();
    let mut owners: BTreeMap<&str, Group> = BTreeMap::new();
    let mut products: BTreeMap<usize, Group> = BTreeMap::new();
    let mut domains: BTreeMap<&str, Group> = BTreeMap::new();
    let mut names: Vec<&str> = Vec::new();
    for r in &impact.nodes {
        let kind = ids.kind(r.id);
        let exposing = dataset_of(projection, r.id)
            .and_then(|d| exposed.get(&d))
            .map_or(&[][..], Vec::as_slice);
        names.clear();
        for owner in projection.owners(r.id) {
            let group = owners.entry(&owner.name).or_default();
            group.sources.insert("ownership");
            group.types.extend(owner.kind.as_deref().map(str::to_owned));
            if !names.contains(&&*owner.name) {
                names.push(&owner.name);
                group.add(kind, r);
            }
        }
        let mut seen_domains: Vec<&str> = Vec::new();
        for &p in exposing {
            let product = &exposure.products[p];
            products.entry(p).or_default().add(kind, r);
            if let Some((domain, _)) = &product.domain {
                let group = domains.entry(domain).or_default();
                group.products.insert(p);
                if !seen_domains.contains(&domain.as_str()) {
                    seen_domains.push(domain);
                    group.add(kind, r);
                }
            }
            for name in &product.owners {
                let group = owners.entry(name).or_default();
                group.sources.insert("product");
                group.products.insert(p);
                if !names.contains(&name.as_str()) {
                    names.push(name);
                    group.add(kind, r);
                }
            }
        }
    }
    let node = |id: &Id| ids.node_id(*id).to_string();
    let product_id = |p: &usize| exposure.products[*p].id.clone();
    let mut owners: Vec<OwnerJson> = owners
        .into_iter()
        .map(|(name, g)| OwnerJson {
            name: name.to_owned(),
            kind: g.types.iter().next().cloned(),
            types: g.types.into_iter().collect(),
            datasets: g.datasets,
            jobs: g.jobs,
            columns: g.columns,
            distance: g.distance,
            products: g.products.iter().map(product_id).collect(),
            sources: g.sources.into_iter().collect(),
            members: g.members.iter().map(node).collect(),
        })
        .collect();
    owners.sort_by(|a, b| {
        let total = |o: &OwnerJson| o.datasets + o.jobs + o.columns;
        total(b).cmp(&total(a)).then_with(|| a.name.cmp(&b.name))
    });
    let mut products: Vec<ProductJson> = products
        .into_iter()
        .map(|(p, g)| {
            let product = &exposure.products[p];
            ProductJson {
                id: product.id.clone(),
                title: product.title.clone(),
                domain: product.domain.as_ref().map(|(id, _)| id.clone()),
                distance: g.distance,
                datasets: g.datasets,
                columns: g.columns,
                owners: product.owners.clone(),
                members: g.members.iter().map(node).collect(),
            }
        })
        .collect();
    products.sort_by(|a, b| a.distance.cmp(&b.distance).then_with(|| a.id.cmp(&b.id)));
    let mut domains: Vec<DomainJson> = domains
        .into_iter()
        .map(|(id, g)| DomainJson {
            id: id.to_owned(),
            label: g
                .products
                .iter()
                .find_map(|&p| exposure.products[p].domain.as_ref().and_then(|(_, l)| l.clone())),
            distance: g.distance,
            products: g.products.iter().map(product_id).collect(),
            members: g.members.iter().map(node).collect(),
        })
        .collect();
    domains.sort_by(|a, b| a.distance.cmp(&b.distance).then_with(|| a.id.cmp(&b.id)));
    Groups {
        owners,
        products,
        domains,
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
    for p in &report.groups.products {
        let _ = writeln!(
            out,
            "product {}{}: {} datasets, {} columns, from distance {}",
            p.id,
            p.title.as_deref().map(|t| format!(" ({t})")).unwrap_or_default(),
            p.datasets,
            p.columns,
            p.distance
        );
    }
    for d in &report.groups.domains {
        let _ = writeln!(
            out,
            "domain {}{}: {} products, from distance {}",
            d.id,
            d.label.as_deref().map(|l| format!(" ({l})")).unwrap_or_default(),
            d.products.len(),
            d.distance
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::openlineage::parse_event;

    /// A COMPLETE run of `job` reading `input` and writing `output` (in
    /// namespace `db`), the output owned by `owner` if given.
    fn observe(p: &mut Projection, n: u128, input: &str, output: &str, owner: Option<&str>) {
        let facets = match owner {
            Some(o) => json!({"ownership": {"owners": [{"name": o, "type": "MAINTAINER"}]}}),
            None => json!({}),
        };
        let event = json!({
            "eventTime": format!("2024-01-01T00:0{n}:00Z"), "eventType": "COMPLETE", "producer": "p",
            "run": {"runId": uuid::Uuid::from_u128(n).to_string()},
            "job": {"namespace": "s", "name": format!("j{n}")},
            "inputs": [{"namespace": "db", "name": input}],
            "outputs": [{"namespace": "db", "name": output, "facets": facets}],
        });
        p.observe(&parse_event(&event.to_string()).unwrap());
    }

    fn product(id: &str, domain: &str, owner: &str) -> ExposedProduct {
        ExposedProduct {
            id: id.into(),
            title: Some(id.to_uppercase()),
            domain: Some((domain.into(), Some(domain.to_uppercase()))),
            owners: vec![owner.into()],
        }
    }

    #[test]
    fn groups_lift_affected_datasets_to_products_domains_and_owners() {
        // a -> j1 -> b -> j2 -> c; b owned by team:x through its facet.
        let mut p = Projection::new();
        observe(&mut p, 1, "a", "b", Some("team:x"));
        observe(&mut p, 2, "b", "c", None);
        let mut exposure = Exposure::default();
        exposure.add(product("p1", "d1", "team:x"), [NodeId::dataset("db", "b")]);
        exposure.add(
            product("p2", "d1", "team:y"),
            [
                NodeId::dataset("db", "c"),
                NodeId::dataset("db", "never-reported"),
            ],
        );
        exposure.add(product("p0", "d0", "team:z"), [NodeId::dataset("db", "a")]);
        let start = NodeId::dataset("db", "a");
        let query = ImpactQuery::default();
        let impact = p.impact(&start, &query).unwrap();
        let listing = Listing {
            offset: 0,
            limit: None,
            paths: false,
        };
        let answer = serde_json::to_value(report(&p, &start, &query, &impact, &listing, &exposure)).unwrap();
        let groups = &answer["groups"];
        assert_eq!(
            groups["products"],
            json!([
                {"id": "p1", "title": "P1", "domain": "d1", "distance": 1, "datasets": 1, "columns": 0,
                 "owners": ["team:x"], "members": ["dataset:db:b"]},
                {"id": "p2", "title": "P2", "domain": "d1", "distance": 2, "datasets": 1, "columns": 0,
                 "owners": ["team:y"], "members": ["dataset:db:c"]}
            ]),
            "the start's own product is not affected by its change"
        );
        assert_eq!(
            groups["domains"],
            json!([{"id": "d1", "label": "D1", "distance": 1, "products": ["p1", "p2"],
                    "members": ["dataset:db:b", "dataset:db:c"]}])
        );
        assert_eq!(
            groups["owners"],
            json!([
                {"name": "team:x", "type": "MAINTAINER", "types": ["MAINTAINER"], "datasets": 1, "jobs": 0,
                 "columns": 0, "distance": 1, "products": ["p1"], "sources": ["ownership", "product"],
                 "members": ["dataset:db:b"]},
                {"name": "team:y", "type": null, "types": [], "datasets": 1, "jobs": 0, "columns": 0,
                 "distance": 2, "products": ["p2"], "sources": ["product"], "members": ["dataset:db:c"]}
            ])
        );
        let b = answer["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == "dataset:db:b")
            .unwrap();
        assert_eq!(b["products"], json!(["p1"]));
        assert_eq!(b["owners"], json!(["team:x"]));
        let text = table(&report(&p, &start, &query, &impact, &listing, &exposure));
        assert!(
            text.contains("product p1 (P1): 1 datasets, 0 columns, from distance 1"),
            "{text}"
        );
        assert!(
            text.contains("domain d1 (D1): 2 products, from distance 1"),
            "{text}"
        );
        // Without products, the groups are the ownership facets' alone.
        let bare = serde_json::to_value(report(
            &p,
            &start,
            &query,
            &impact,
            &listing,
            &Exposure::default(),
        ))
        .unwrap();
        assert_eq!(bare["groups"]["products"], json!([]));
        assert_eq!(bare["groups"]["owners"][0]["sources"], json!(["ownership"]));
    }
}
