//! The mesh side of the GraphQL schema: lineage, impact, the catalog
//! (domains, data products, concepts) and search.
//!
//! [`MeshQuery`] is merged into the root `Query`. Every field runs the same
//! domain function as its REST twin, in a blocking task (oxigraph and the
//! projection are synchronous):
//!
//! | field | REST twin | domain function |
//! | --- | --- | --- |
//! | `lineage(level: DATASET)` | `GET /api/v1/lineage` | [`Projection::lineage`] |
//! | `lineage(level: COLUMN)` | `GET /api/v1/column-lineage` | [`Projection::column_lineage`] |
//! | `impact` | `GET /api/v1/impact` | [`Projection::impact`], [`report::report`] |
//! | `domains`, `dataProducts`, … | `/api/v1/domains`, `/api/v1/products` | [`Catalog::read`] |
//! | `concepts`, `concept` | `/api/v1/concepts` | [`concepts::concepts`], [`concepts::concept`] |
//! | `search` | `GET /api/v1/search` | [`search::search`] |
//!
//! The impact report and the catalog entries are the very documents REST
//! serializes, read into typed GraphQL objects ([`typed`]): one source for
//! both doors, so their answers cannot drift apart.
//!
//! Errors carry the REST code in `extensions.code` (`not_found`,
//! `invalid_parameter`, `internal`).

use std::collections::HashSet;

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};

use super::pagination;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::api::{ApiError, AppState};
use crate::catalog::concepts;
use crate::catalog::{Catalog, CatalogError};
use crate::error::ErrorCode;
use crate::lineage::ids::{Id, Kind};
use crate::lineage::impact::{ImpactError, ImpactQuery, Level, Towards};
use crate::lineage::report::{self, Listing};
use crate::lineage::{self, Projection};
use crate::openlineage::{NodeId, Timestamp};
use crate::search::{self, SearchKind};

/// Marquez's default lineage depth.
const DEFAULT_DEPTH: i32 = 20;
/// Impact nodes per page unless `first` says otherwise (as REST's `limit`).
const DEFAULT_IMPACT_PAGE: i32 = 100;
/// Search hits unless `first` says otherwise.
const DEFAULT_SEARCH_HITS: i32 = 20;

// --- errors ---

/// A GraphQL error with the stable code of [`ErrorCode`] in `extensions.code`.
fn error(code: ErrorCode, message: impl Into<String>) -> async_graphql::Error {
    super::gql_error(ApiError::new(code, message))
}

fn internal(err: impl std::fmt::Display) -> async_graphql::Error {
    super::gql_error(ApiError::internal(err))
}

fn impact_error(err: ImpactError) -> async_graphql::Error {
    match err {
        ImpactError::Unknown(_) => error(ErrorCode::NotFound, err.to_string()),
        ImpactError::ColumnLevelFromJob => super::invalid_parameter(err.to_string()),
    }
}

fn catalog_error(err: CatalogError) -> async_graphql::Error {
    internal(err)
}

/// Runs synchronous store or projection work on the blocking pool.
async fn blocking<T, F>(work: F) -> async_graphql::Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> async_graphql::Result<T> + Send + 'static,
{
    tokio::task::spawn_blocking(work).await.map_err(internal)?
}

/// The app, from the schema's data.
fn app(ctx: &Context<'_>) -> async_graphql::Result<AppState> {
    ctx.data::<AppState>().cloned()
}

/// A document REST serializes, read into its GraphQL type: the fields are
/// the same by construction.
fn typed<T: serde::Serialize, U: DeserializeOwned>(value: &T) -> async_graphql::Result<U> {
    serde_json::to_value(value)
        .and_then(serde_json::from_value)
        .map_err(internal)
}

// --- arguments ---

/// Which way to walk from the node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum LineageDirection {
    /// Towards the sources: what the node is derived from.
    Upstream,
    /// Towards the consumers: what is derived from the node.
    Downstream,
    /// Both (lineage only).
    Both,
}

/// What the walk follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum LineageLevel {
    /// Datasets and the jobs that read and write them.
    Dataset,
    /// Columns and their derivations.
    Column,
}

/// The kind of a lineage node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum NodeType {
    /// A dataset.
    Dataset,
    /// A job.
    Job,
    /// A column of a dataset.
    DatasetField,
}

impl From<Kind> for NodeType {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::Dataset => Self::Dataset,
            Kind::Job => Self::Job,
            Kind::Column => Self::DatasetField,
        }
    }
}

/// Which affected nodes an impact answer lists; the walk still goes
/// through the others.
#[derive(Debug, Clone, Default, InputObject)]
pub struct ImpactFilters {
    /// List only nodes in these namespaces (all if empty).
    #[graphql(default)]
    pub namespaces: Vec<String>,
    /// List only nodes of these kinds (all if empty).
    #[graphql(default)]
    pub types: Vec<NodeType>,
    /// Do not follow `INDIRECT` column derivations (filters, joins, sorts).
    #[graphql(default)]
    pub exclude_indirect: bool,
    /// Do not follow masked column derivations (hashed, redacted values).
    #[graphql(default)]
    pub exclude_masked: bool,
}

fn node_id(text: &str) -> async_graphql::Result<NodeId> {
    NodeId::parse(text).ok_or_else(|| {
        super::invalid_parameter(format!(
            "`nodeId` {text:?} is not dataset:NAMESPACE:NAME, datasetField:NAMESPACE:NAME:FIELD or job:NAMESPACE:NAME"
        ))
    })
}

fn as_of(text: Option<&str>) -> async_graphql::Result<Option<i64>> {
    text.map(|t| {
        Timestamp::parse(t).map(Timestamp::unix_nanos).ok_or_else(|| {
            super::invalid_parameter(format!(
                "`asOf` must be an ISO 8601 date-time such as 2024-01-31T12:00:00Z, got {t:?}"
            ))
        })
    })
    .transpose()
}

fn count(name: &str, value: i32) -> async_graphql::Result<usize> {
    usize::try_from(value).map_err(|_| {
        super::invalid_parameter(format!("`{name}` must be a non-negative integer, got {value}"))
    })
}

// --- lineage ---

/// A node of a lineage graph.
#[derive(Debug, Clone, SimpleObject)]
pub struct LineageNode {
    /// Its node id: `dataset:NS:NAME`, `job:NS:NAME` or `datasetField:NS:NAME:FIELD`.
    pub id: String,
    /// Its kind.
    #[graphql(name = "type")]
    pub kind: NodeType,
    /// Its namespace.
    pub namespace: String,
    /// Its name (a column's dataset name).
    pub name: String,
    /// A column's field path.
    pub field: Option<String>,
}

/// What an edge says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum LineageEdgeKind {
    /// dataset -> job: the job reads the dataset.
    Read,
    /// job -> dataset: the job writes the dataset.
    Write,
    /// input column -> output column: the output is derived from the input.
    Derive,
}

/// An edge, in the direction data flows.
#[derive(Debug, Clone, SimpleObject)]
pub struct LineageEdge {
    /// Where data comes from.
    pub origin: String,
    /// Where it goes.
    pub destination: String,
    /// Read, write or column derivation.
    pub kind: LineageEdgeKind,
    /// The job whose runs assert the edge.
    pub job: String,
    /// A derivation's type: `DIRECT` (the value flows) or `INDIRECT` (it
    /// only affects which rows), if the producer said.
    pub transformation_type: Option<String>,
    /// A derivation's subtype (`IDENTITY`, `AGGREGATION`, `FILTER`, …).
    pub transformation_subtype: Option<String>,
    /// Whether a derivation masks the value (hashes, redacts).
    pub masking: Option<bool>,
}

/// The lineage around a node.
#[derive(Debug, Clone, SimpleObject)]
pub struct LineageGraph {
    /// The nodes: the start (a dataset's columns at column level) first,
    /// then in the order the walk reached them.
    pub nodes: Vec<LineageNode>,
    /// The edges between them.
    pub edges: Vec<LineageEdge>,
}

fn lineage_node(id: &NodeId) -> LineageNode {
    let (kind, namespace, name, field) = match id {
        NodeId::Dataset { namespace, name } => (NodeType::Dataset, namespace, name, None),
        NodeId::Job { namespace, name } => (NodeType::Job, namespace, name, None),
        NodeId::DatasetField {
            namespace,
            name,
            field,
        } => (NodeType::DatasetField, namespace, name, Some(field.clone())),
    };
    LineageNode {
        id: id.to_string(),
        kind,
        namespace: namespace.clone(),
        name: name.clone(),
        field,
    }
}

/// Dataset level: [`Projection::lineage`] as `GET /api/v1/lineage` calls
/// it (without siblings). The entity graph is bipartite, so an edge out of
/// a job is a write by that job and any other edge a read by its target.
fn dataset_lineage(
    projection: &Projection,
    start: &NodeId,
    direction: lineage::Direction,
    depth: usize,
    as_of: Option<i64>,
) -> async_graphql::Result<LineageGraph> {
    if let NodeId::DatasetField { .. } = start {
        return Err(super::invalid_parameter(
            "a datasetField starts a column-level walk: say level: COLUMN",
        ));
    }
    let subgraph = projection
        .lineage(start, direction, depth, false, as_of)
        .ok_or_else(|| error(ErrorCode::NotFound, format!("node {start} not found")))?;
    let edges = subgraph
        .edges
        .iter()
        .map(|(from, to)| {
            let (kind, job) = match from {
                NodeId::Job { .. } => (LineageEdgeKind::Write, from),
                _ => (LineageEdgeKind::Read, to),
            };
            LineageEdge {
                origin: from.to_string(),
                destination: to.to_string(),
                kind,
                job: job.to_string(),
                transformation_type: None,
                transformation_subtype: None,
                masking: None,
            }
        })
        .collect();
    Ok(LineageGraph {
        nodes: subgraph.nodes.iter().map(lineage_node).collect(),
        edges,
    })
}

/// Column level: [`Projection::column_lineage`] as
/// `GET /api/v1/column-lineage` calls it, with the derivations between the
/// columns reached (each listed once, into its output column).
fn column_lineage(
    projection: &Projection,
    start: &NodeId,
    direction: LineageDirection,
    depth: u32,
    as_of: Option<i64>,
) -> async_graphql::Result<LineageGraph> {
    let (up, down) = match direction {
        LineageDirection::Upstream => (true, false),
        LineageDirection::Downstream => (false, true),
        LineageDirection::Both => (true, true),
    };
    let members = projection
        .column_lineage(start, depth, up, down, as_of)
        .map_err(impact_error)?;
    let seen: HashSet<Id> = members.iter().copied().collect();
    let ids = projection.ids();
    let mut edges = Vec::new();
    for &id in &members {
        for link in projection.derivations_at(id, petgraph::Direction::Incoming, as_of) {
            if seen.contains(&link.from) {
                edges.push(LineageEdge {
                    origin: ids.node_id(link.from).to_string(),
                    destination: ids.node_id(link.to).to_string(),
                    kind: LineageEdgeKind::Derive,
                    job: ids.node_id(link.job).to_string(),
                    transformation_type: link.transform.kind().map(str::to_owned),
                    transformation_subtype: link.transform.subtype().map(str::to_owned),
                    masking: Some(link.transform.masking),
                });
            }
        }
    }
    Ok(LineageGraph {
        nodes: members.iter().map(|&id| lineage_node(&ids.node_id(id))).collect(),
        edges,
    })
}

// --- impact: the REST report, typed ---

/// How many nodes an impact walk reached and listed.
#[derive(Debug, Clone, SimpleObject, Deserialize)]
pub struct ImpactCounts {
    /// Every node the walk reached.
    pub reached: u64,
    /// Those the filters kept.
    pub listed: u64,
    /// Datasets listed.
    pub datasets: u64,
    /// Jobs listed.
    pub jobs: u64,
    /// Columns listed.
    pub columns: u64,
}

/// An owner of affected nodes.
#[derive(Debug, Clone, SimpleObject, Deserialize)]
pub struct ImpactOwner {
    /// The owner's name, as in ownership facets and a product owner's `mg:name`.
    pub name: String,
    /// Its ownership type in ownership facets (the first, if several).
    #[graphql(name = "type")]
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Every ownership type it has in ownership facets.
    pub types: Vec<String>,
    /// Its affected datasets.
    pub datasets: u64,
    /// Its affected jobs.
    pub jobs: u64,
    /// Its affected columns.
    pub columns: u64,
    /// The least distance of its affected nodes.
    pub distance: u32,
    /// The IRIs of the affected products it owns.
    pub products: Vec<String>,
    /// Where its ownership comes from: `ownership` (facets), `product`.
    pub sources: Vec<String>,
    /// Its affected nodes, nearest first.
    pub members: Vec<String>,
}

/// A data product exposing affected datasets.
#[derive(Debug, Clone, SimpleObject, Deserialize)]
pub struct ImpactProduct {
    /// The product's IRI.
    pub id: String,
    /// Its title.
    pub title: Option<String>,
    /// Its domain's IRI.
    pub domain: Option<String>,
    /// The least distance of its affected members.
    pub distance: u32,
    /// Its affected datasets.
    pub datasets: u64,
    /// Its affected columns.
    pub columns: u64,
    /// Its owners' names.
    pub owners: Vec<String>,
    /// The affected datasets (or columns) it exposes, nearest first.
    pub members: Vec<String>,
}

/// A domain whose products are affected.
#[derive(Debug, Clone, SimpleObject, Deserialize)]
pub struct ImpactDomain {
    /// The domain's IRI.
    pub id: String,
    /// Its label.
    pub label: Option<String>,
    /// The least distance of its affected members.
    pub distance: u32,
    /// The IRIs of its affected products.
    pub products: Vec<String>,
    /// The affected datasets (or columns) its products expose, nearest first.
    pub members: Vec<String>,
}

/// The affected nodes grouped by owner, product and domain.
#[derive(Debug, Clone, SimpleObject, Deserialize)]
pub struct ImpactGroups {
    /// Owners of affected nodes (ownership facets, and owners of affected
    /// products), largest group first.
    pub owners: Vec<ImpactOwner>,
    /// Data products exposing affected datasets, nearest first.
    pub products: Vec<ImpactProduct>,
    /// The domains of those products, nearest first.
    pub domains: Vec<ImpactDomain>,
}

/// A node an impact walk reached.
#[derive(Debug, Clone, SimpleObject, Deserialize)]
pub struct ImpactNode {
    /// Its node id.
    pub id: String,
    /// `DATASET`, `JOB` or `DATASET_FIELD`.
    #[graphql(name = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    /// Its namespace.
    pub namespace: String,
    /// Its name (a column's dataset name).
    pub name: String,
    /// A column's field path.
    pub field: Option<String>,
    /// Its distance from the start: jobs on the path at dataset level,
    /// derivations at column level.
    pub distance: u32,
    /// The node before it on a shortest path from the start.
    pub via: String,
    /// That whole path, start first.
    #[serde(default)]
    pub path: Vec<String>,
    /// Its owners (ownership facets).
    pub owners: Vec<String>,
    /// The IRIs of the data products exposing it (or its dataset).
    pub products: Vec<String>,
}

/// The report's fields besides the nodes (read from its JSON).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReportDoc {
    node_id: String,
    direction: String,
    level: String,
    depth: Option<u32>,
    as_of: Option<String>,
    start: Vec<String>,
    truncated: bool,
    counts: ImpactCounts,
    groups: ImpactGroups,
    nodes: Vec<ImpactNode>,
}

/// What a change to a node affects.
#[derive(SimpleObject)]
pub struct ImpactResult {
    /// The node asked about.
    pub node_id: String,
    /// `downstream` or `upstream`.
    pub direction: String,
    /// `dataset` or `column`.
    pub level: String,
    /// The depth limit, if any.
    pub depth: Option<u32>,
    /// The time the lineage was taken at, if not now.
    pub as_of: Option<String>,
    /// Where the walk started (a dataset's columns at column level).
    pub start: Vec<String>,
    /// Whether the depth limit left nodes out.
    pub truncated: bool,
    /// How many nodes were reached and listed.
    pub counts: ImpactCounts,
    /// Owners, products and domains to tell.
    pub groups: ImpactGroups,
    /// The affected nodes, nearest first, a page at a time (cursors are
    /// opaque).
    pub nodes: pagination::List<ImpactNode>,
}

// --- catalog: the REST documents, typed ---

/// A dataset a description names.
#[derive(Debug, Clone, SimpleObject, Deserialize)]
#[graphql(complex)]
#[serde(rename_all = "camelCase")]
pub struct CatalogDataset {
    /// Its OpenLineage namespace, if known.
    pub namespace: Option<String>,
    /// Its OpenLineage name, if known.
    pub name: Option<String>,
    /// Its meshgraph IRI (or the description's node IRI).
    pub iri: Option<String>,
    /// Whether pipelines have reported it.
    pub known: bool,
}

#[async_graphql::ComplexObject]
impl CatalogDataset {
    /// Its lineage node id (`dataset:NS:NAME`), when namespace and name are known.
    async fn node_id(&self) -> Option<String> {
        Some(NodeId::dataset(self.namespace.as_deref()?, self.name.as_deref()?).to_string())
    }
}

/// An owner of a product or domain.
#[derive(Debug, Clone, SimpleObject, Deserialize)]
pub struct CatalogOwner {
    /// The name ownership facets use (its `mg:name`, else its IRI).
    pub name: String,
    /// Its IRI.
    pub iri: Option<String>,
    /// Its label.
    pub label: Option<String>,
    /// Its e-mail address.
    pub email: Option<String>,
}

/// A product's input or output port.
#[derive(Debug, Clone, SimpleObject, Deserialize)]
pub struct Port {
    /// Its IRI.
    pub id: String,
    /// Its title.
    pub title: Option<String>,
    /// The datasets it serves.
    pub datasets: Vec<CatalogDataset>,
}

/// A lifecycle status.
#[derive(Debug, Clone, SimpleObject, Deserialize)]
pub struct LifecycleStatus {
    /// Its IRI.
    pub id: String,
    /// Its label.
    pub label: Option<String>,
}

/// A data product, named.
#[derive(Debug, Clone, SimpleObject, Deserialize)]
pub struct ProductRef {
    /// Its IRI.
    pub id: String,
    /// Its title.
    pub title: Option<String>,
    /// Its domain's IRI.
    pub domain: Option<String>,
}

/// A domain, named.
#[derive(Debug, Clone, SimpleObject, Deserialize)]
pub struct DomainRef {
    /// Its IRI.
    pub id: String,
    /// Its label.
    pub label: Option<String>,
}

/// A data product (DPROD).
#[derive(Debug, Clone, SimpleObject, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataProduct {
    /// Its IRI.
    pub id: String,
    /// Its title.
    pub title: Option<String>,
    /// Its description.
    pub description: Option<String>,
    /// Its owners.
    pub owners: Vec<CatalogOwner>,
    /// Its domain.
    pub domain: Option<DomainRef>,
    /// Its lifecycle status.
    pub lifecycle_status: Option<LifecycleStatus>,
    /// Its output ports.
    pub output_ports: Vec<Port>,
    /// Its input ports.
    pub input_ports: Vec<Port>,
    /// The datasets it exposes (through output ports or `dprod:outputDataset`).
    pub output_datasets: Vec<CatalogDataset>,
    /// The datasets it consumes.
    pub input_datasets: Vec<CatalogDataset>,
    /// The products whose output datasets feed it (declared or by lineage).
    pub upstream: Vec<ProductRef>,
    /// The products it feeds.
    pub downstream: Vec<ProductRef>,
}

/// A domain of the mesh.
#[derive(Debug, Clone, SimpleObject, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Domain {
    /// Its IRI.
    pub id: String,
    /// Its label.
    pub label: Option<String>,
    /// Its description.
    pub description: Option<String>,
    /// Its products.
    pub products: Vec<ProductRef>,
    /// The owners of its products.
    pub owners: Vec<CatalogOwner>,
    /// The domains of the products upstream of its products.
    pub depends_on: Vec<DomainRef>,
    /// The domains whose products are downstream of its products.
    pub dependents: Vec<DomainRef>,
}

/// A class or a glossary term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ConceptKind {
    /// An ontology class (`owl:Class`, `rdfs:Class`).
    Class,
    /// A glossary term (`skos:Concept`).
    Concept,
}

/// How data carries a concept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CarriedVia {
    /// An `mg:concept` statement.
    Statement,
    /// An OpenLineage tag whose key names the concept.
    Tag,
}

/// A concept, named.
#[derive(Debug, Clone, SimpleObject, Deserialize)]
pub struct ConceptRef {
    /// Its IRI.
    pub id: String,
    /// Its label.
    pub label: Option<String>,
}

/// A concept and its place in the hierarchy.
#[derive(Debug, Clone, SimpleObject, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Concept {
    /// Its IRI.
    pub id: String,
    /// Its `skos:prefLabel`, else its `rdfs:label`.
    pub label: Option<String>,
    /// A class or a glossary term; `null` for an IRI only `mg:concept` names.
    pub kind: Option<ConceptKind>,
    /// Its `skos:notation`s.
    pub notations: Vec<String>,
    /// Its broader terms (`skos:broader`, or stated as `skos:narrower`).
    pub broader: Vec<ConceptRef>,
    /// Its narrower terms.
    pub narrower: Vec<ConceptRef>,
    /// Its direct superclasses (`rdfs:subClassOf`).
    pub super_classes: Vec<ConceptRef>,
    /// Its direct subclasses.
    pub sub_classes: Vec<ConceptRef>,
}

/// A dataset that carries a concept.
#[derive(Debug, Clone, SimpleObject, Deserialize)]
pub struct ConceptDataset {
    /// The dataset.
    #[serde(flatten)]
    #[graphql(flatten)]
    pub dataset: CatalogDataset,
    /// The concepts it carries: the one asked for, or ones it covers.
    pub concepts: Vec<String>,
    /// How it carries them.
    pub via: Vec<CarriedVia>,
}

/// A column that carries a concept.
#[derive(Debug, Clone, SimpleObject, Deserialize)]
pub struct ConceptColumn {
    /// The column's dataset.
    pub dataset: CatalogDataset,
    /// The column's path.
    pub field: String,
    /// The column's meshgraph IRI.
    pub iri: Option<String>,
    /// The concepts it carries.
    pub concepts: Vec<String>,
    /// How it carries them.
    pub via: Vec<CarriedVia>,
}

/// A concept with everything that carries it.
#[derive(Debug, Clone, SimpleObject, Deserialize)]
pub struct ConceptDetail {
    /// The concept and its hierarchy.
    #[serde(flatten)]
    #[graphql(flatten)]
    pub concept: Concept,
    /// What it covers besides itself: subclasses and narrower terms at any depth.
    pub covers: Vec<ConceptRef>,
    /// The datasets carrying it (or a concept it covers).
    pub datasets: Vec<ConceptDataset>,
    /// The columns carrying it.
    pub columns: Vec<ConceptColumn>,
    /// The products whose output datasets or their columns carry it.
    pub products: Vec<ProductRef>,
    /// Those products' domains.
    pub domains: Vec<DomainRef>,
}

// --- search ---

/// What a search hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum SearchType {
    /// A dataset.
    Dataset,
    /// A column of a dataset's schema.
    DatasetField,
    /// A job.
    Job,
    /// A data product.
    DataProduct,
    /// A domain.
    Domain,
    /// A concept (ontology class or glossary term).
    Concept,
}

impl From<SearchType> for SearchKind {
    fn from(t: SearchType) -> Self {
        match t {
            SearchType::Dataset => Self::Dataset,
            SearchType::DatasetField => Self::DatasetField,
            SearchType::Job => Self::Job,
            SearchType::DataProduct => Self::DataProduct,
            SearchType::Domain => Self::Domain,
            SearchType::Concept => Self::Concept,
        }
    }
}

impl From<SearchKind> for SearchType {
    fn from(k: SearchKind) -> Self {
        match k {
            SearchKind::Dataset => Self::Dataset,
            SearchKind::DatasetField => Self::DatasetField,
            SearchKind::Job => Self::Job,
            SearchKind::DataProduct => Self::DataProduct,
            SearchKind::Domain => Self::Domain,
            SearchKind::Concept => Self::Concept,
        }
    }
}

/// How well a hit matched, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum SearchMatch {
    /// The whole text is the query (ignoring case).
    Exact,
    /// The text starts with the query.
    Prefix,
    /// A word of the text starts with the query (or with each of its words).
    WordPrefix,
    /// The text contains the query (or each of its words).
    Substring,
}

/// Which text of a hit matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum SearchField {
    /// Its name.
    Name,
    /// Its label, title or notation.
    Label,
    /// Its description.
    Description,
}

/// One search hit.
#[derive(Debug, Clone, SimpleObject)]
pub struct SearchHit {
    /// What it is.
    #[graphql(name = "type")]
    pub kind: SearchType,
    /// Its lineage node id (datasets, columns, jobs) or IRI (products,
    /// domains, concepts).
    pub id: String,
    /// Its name (a catalog entry's label or title).
    pub name: String,
    /// Its namespace (datasets, columns, jobs).
    pub namespace: Option<String>,
    /// Its description.
    pub description: Option<String>,
    /// When pipelines last updated it (ISO 8601).
    pub updated_at: Option<String>,
    /// How well it matched.
    #[graphql(name = "match")]
    pub matched: SearchMatch,
    /// Which of its texts matched.
    pub field: SearchField,
}

/// A search answer.
#[derive(Debug, Clone, SimpleObject)]
pub struct SearchResults {
    /// How many things matched in all.
    pub total_count: u64,
    /// The best of them, best first.
    pub results: Vec<SearchHit>,
}

impl From<search::Hit> for SearchHit {
    fn from(hit: search::Hit) -> Self {
        let c = hit.candidate;
        Self {
            kind: c.kind.into(),
            id: c.id,
            name: c.name,
            namespace: c.namespace,
            description: c.description,
            updated_at: c.updated_at.map(|t| t.to_rfc3339_utc()),
            matched: match hit.matched {
                search::Match::Exact => SearchMatch::Exact,
                search::Match::Prefix => SearchMatch::Prefix,
                search::Match::WordPrefix => SearchMatch::WordPrefix,
                search::Match::Substring => SearchMatch::Substring,
            },
            field: match hit.field {
                search::Field::Name => SearchField::Name,
                search::Field::Label => SearchField::Label,
                search::Field::Description => SearchField::Description,
            },
        }
    }
}

// --- the query fields ---

/// Lineage, impact, the catalog and search: merged into the root `Query`.
#[derive(Debug, Default)]
pub struct MeshQuery;

#[Object]
impl MeshQuery {
    /// The lineage around a node, from the lineage projection.
    ///
    /// At dataset level (the default), the datasets and jobs on directed
    /// paths from `nodeId` (`dataset:NS:NAME` or `job:NS:NAME`), up to
    /// `depth` job hops away: the answer of `GET /api/v1/lineage`. At column
    /// level, the columns derived from or into `nodeId` (a
    /// `datasetField:NS:NAME:FIELD`, or a dataset for all its columns), up
    /// to `depth` derivations away, with each derivation's transformation:
    /// the answer of `GET /api/v1/column-lineage` (`UPSTREAM` is its default,
    /// `BOTH` its `withDownstream=true`). `asOf` (ISO 8601) gives the
    /// lineage as it was then. Unknown node: `not_found`.
    async fn lineage(
        &self,
        ctx: &Context<'_>,
        node_id: String,
        #[graphql(default_with = "LineageDirection::Both")] direction: LineageDirection,
        #[graphql(default_with = "DEFAULT_DEPTH")] depth: i32,
        #[graphql(default_with = "LineageLevel::Dataset")] level: LineageLevel,
        as_of: Option<String>,
    ) -> async_graphql::Result<LineageGraph> {
        let app = app(ctx)?;
        let start = self::node_id(&node_id)?;
        let depth = count("depth", depth)?;
        let as_of = self::as_of(as_of.as_deref())?;
        blocking(move || {
            let projection = app.views.projection();
            match level {
                LineageLevel::Dataset => {
                    let direction = match direction {
                        LineageDirection::Upstream => lineage::Direction::Upstream,
                        LineageDirection::Downstream => lineage::Direction::Downstream,
                        LineageDirection::Both => lineage::Direction::Both,
                    };
                    dataset_lineage(&projection, &start, direction, depth, as_of)
                }
                LineageLevel::Column => {
                    let depth = u32::try_from(depth).unwrap_or(u32::MAX);
                    column_lineage(&projection, &start, direction, depth, as_of)
                }
            }
        })
        .await
    }

    /// What a change to a node affects (or, `UPSTREAM`, what it depends
    /// on), at any depth unless `depth` says: each reached node with its
    /// distance, the node before it (`via`) and its whole path, the counts,
    /// and the data products, domains and owners to tell. The answer of
    /// `GET /api/v1/impact` for the same arguments. A `datasetField` starts
    /// a column-level walk; `filters` choose which nodes are listed (the
    /// walk still goes through the others) and which derivations are
    /// followed. Nodes come a page at a time: `first` (default 100) after
    /// the cursor `after`. Unknown node: `not_found`.
    #[allow(clippy::too_many_arguments)]
    async fn impact(
        &self,
        ctx: &Context<'_>,
        node_id: String,
        #[graphql(default_with = "LineageDirection::Downstream")] direction: LineageDirection,
        depth: Option<i32>,
        level: Option<LineageLevel>,
        as_of: Option<String>,
        filters: Option<ImpactFilters>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<ImpactResult> {
        let app = app(ctx)?;
        let start = self::node_id(&node_id)?;
        let towards = match direction {
            LineageDirection::Downstream => Towards::Downstream,
            LineageDirection::Upstream => Towards::Upstream,
            LineageDirection::Both => {
                return Err(super::invalid_parameter(
                    "impact walks UPSTREAM or DOWNSTREAM, not BOTH",
                ));
            }
        };
        let level = match (level, &start) {
            (None, NodeId::DatasetField { .. }) | (Some(LineageLevel::Column), _) => Level::Column,
            (Some(LineageLevel::Dataset), NodeId::DatasetField { .. }) => {
                return Err(super::invalid_parameter(
                    "a datasetField starts a column-level walk: drop `level` or say level: COLUMN",
                ));
            }
            _ => Level::Dataset,
        };
        let filters = filters.unwrap_or_default();
        let depth = depth
            .map(|d| count("depth", d).map(|d| u32::try_from(d).unwrap_or(u32::MAX)))
            .transpose()?;
        let query = ImpactQuery {
            towards,
            depth,
            level,
            as_of: self::as_of(as_of.as_deref())?,
            exclude_indirect: filters.exclude_indirect,
            exclude_masked: filters.exclude_masked,
            namespaces: filters.namespaces,
            kinds: filters
                .types
                .into_iter()
                .map(|t| match t {
                    NodeType::Dataset => Kind::Dataset,
                    NodeType::Job => Kind::Job,
                    NodeType::DatasetField => Kind::Column,
                })
                .collect(),
        };
        let page = pagination::window(Some(first.unwrap_or(DEFAULT_IMPACT_PAGE)), after.as_deref())?;
        let listing = Listing {
            offset: page.offset,
            limit: Some(page.limit),
            paths: true,
        };
        let (doc, total) = blocking(move || {
            // As REST: the products exposing datasets, taken before the
            // projection is locked.
            let described = app.views.described().map_err(catalog_error)?;
            let projection = app.views.projection();
            let impact = projection.impact(&start, &query).map_err(impact_error)?;
            let report = report::report(
                &projection,
                &start,
                &query,
                &impact,
                &listing,
                &described.exposure,
            );
            drop(projection);
            let doc: ReportDoc = typed(&report)?;
            Ok((doc, impact.nodes.len()))
        })
        .await?;
        let nodes = pagination::connection(page, doc.nodes, total);
        Ok(ImpactResult {
            node_id: doc.node_id,
            direction: doc.direction,
            level: doc.level,
            depth: doc.depth,
            as_of: doc.as_of,
            start: doc.start,
            truncated: doc.truncated,
            counts: doc.counts,
            groups: doc.groups,
            nodes,
        })
    }

    /// Every domain of the mesh, by IRI (as `GET /api/v1/domains`).
    async fn domains(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Domain>> {
        let catalog = read_catalog(ctx).await?;
        catalog.domains.iter().map(typed).collect()
    }

    /// One domain by IRI; `null` if there is none.
    async fn domain(&self, ctx: &Context<'_>, id: String) -> async_graphql::Result<Option<Domain>> {
        let catalog = read_catalog(ctx).await?;
        catalog.domain(&id).map(typed).transpose()
    }

    /// Every data product, by IRI (as `GET /api/v1/products`): ports,
    /// datasets, owners, domain and the products upstream and downstream.
    async fn data_products(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<DataProduct>> {
        let catalog = read_catalog(ctx).await?;
        catalog.products.iter().map(typed).collect()
    }

    /// One data product by IRI; `null` if there is none.
    async fn data_product(
        &self,
        ctx: &Context<'_>,
        id: String,
    ) -> async_graphql::Result<Option<DataProduct>> {
        let catalog = read_catalog(ctx).await?;
        catalog.product(&id).map(typed).transpose()
    }

    /// Concepts (ontology classes and glossary terms) with their hierarchy.
    /// Without `search`, all of them by IRI (as `GET /api/v1/concepts`);
    /// with it, those whose label, notation or IRI matches, best first
    /// (ranked as `search` ranks).
    async fn concepts(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
    ) -> async_graphql::Result<Vec<Concept>> {
        let app = app(ctx)?;
        let all = blocking(move || concepts::concepts(&app.views).map_err(catalog_error)).await?;
        let all = match search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => all,
            Some(text) => {
                let query = text.to_lowercase();
                let mut ranked: Vec<(search::Match, usize, concepts::Concept)> = all
                    .into_iter()
                    .filter_map(|c| {
                        let best = c
                            .label
                            .iter()
                            .chain(&c.notations)
                            .chain(std::iter::once(&c.id))
                            .filter_map(|t| search::match_text(&query, t))
                            .min()?;
                        Some((best, c.label.as_deref().unwrap_or(&c.id).len(), c))
                    })
                    .collect();
                ranked.sort_by(|a, b| (a.0, a.1, &a.2.id).cmp(&(b.0, b.1, &b.2.id)));
                ranked.into_iter().map(|(_, _, c)| c).collect()
            }
        };
        all.iter().map(typed).collect()
    }

    /// One concept by IRI, with what it covers and the datasets, columns,
    /// products and domains that carry it (as `GET /api/v1/concepts/{iri}`);
    /// `null` if there is none.
    async fn concept(&self, ctx: &Context<'_>, iri: String) -> async_graphql::Result<Option<ConceptDetail>> {
        let app = app(ctx)?;
        let detail = blocking(move || concepts::concept(&app.views, &iri).map_err(catalog_error)).await?;
        detail.as_ref().map(typed).transpose()
    }

    /// Search datasets, columns, jobs, data products, domains and concepts
    /// by name, label and description (as `GET /api/v1/search`). Matching
    /// ignores case; hits rank by how the query matches their best text:
    /// `EXACT` (the whole text), then `PREFIX` (its beginning), then
    /// `WORD_PREFIX` (the beginning of a word: words split at anything not
    /// a letter or digit; a query of several words matches when each word
    /// does), then `SUBSTRING`. At the same level names and labels come
    /// before descriptions, then shorter names first. `types` restricts the
    /// kinds (all if empty); `first` (default 20) caps the hits.
    async fn search(
        &self,
        ctx: &Context<'_>,
        text: String,
        types: Option<Vec<SearchType>>,
        first: Option<i32>,
    ) -> async_graphql::Result<SearchResults> {
        let app = app(ctx)?;
        let first = count("first", first.unwrap_or(DEFAULT_SEARCH_HITS))?;
        let kinds: Vec<SearchKind> = types
            .unwrap_or_default()
            .into_iter()
            .map(SearchKind::from)
            .collect();
        let answer =
            blocking(move || search::search(&app.views, &text, &kinds, None, first).map_err(catalog_error))
                .await?;
        Ok(SearchResults {
            total_count: answer.total as u64,
            results: answer.hits.into_iter().map(SearchHit::from).collect(),
        })
    }
}

/// The catalog, checked against the projection, as REST reads it.
async fn read_catalog(ctx: &Context<'_>) -> async_graphql::Result<Catalog> {
    let app = app(ctx)?;
    blocking(move || Catalog::read(&app.views).map_err(catalog_error)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_carry_the_rest_code() {
        let err = error(ErrorCode::NotFound, "no node x");
        let gql = err.into_server_error(async_graphql::Pos::default());
        let code = gql.extensions.as_ref().and_then(|e| e.get("code")).cloned();
        assert_eq!(code, Some(async_graphql::Value::from("not_found")));
    }
}
