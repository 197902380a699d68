//! The data-mesh catalog: data products, domains, owners and concepts, read
//! from what domain teams load into the RDF store and joined with the
//! lineage pipelines report.
//!
//! Teams describe products with DPROD and DCAT (`dprod:DataProduct`, ports,
//! distributions, `dcat:Dataset`s), name the OpenLineage dataset behind a
//! `dcat:Dataset` with `mg:datasetNamespace` and `mg:datasetName` (or use a
//! meshgraph dataset IRI directly), group products into `mg:Domain`s and tie
//! datasets and columns to ontology classes and glossary terms with
//! `mg:concept` (see `ontology/meshgraph.ttl`). The catalog reads them with
//! the named queries of [`crate::store::queries`] (the default graph is the
//! union of all graphs, so it does not matter which document said what),
//! then uses the lineage projection for what RDF does not say: whether
//! pipelines have reported a dataset, and which products feed which.
//!
//! - [`products`]: products, domains and owners, the products upstream and
//!   downstream of each other, and what the impact report needs to group an
//!   answer by product, domain and owner.
//! - [`concepts`]: concepts, their hierarchy, what carries them (through
//!   `mg:concept` statements or OpenLineage tags naming them), and the
//!   concepts of a dataset.
//! - [`overview`]: the counts, recent runs and failing jobs of the web UI's
//!   home page.
//!
//! What documents and updates say ([`Described`]: products, domains,
//! concepts, `mg:concept` statements) changes only with them: it is read
//! once after each RDF change and shared by every reader until the next
//! ([`Views::described`]), so a GraphQL page or an impact answer does not
//! read the catalog again. What lineage adds (known datasets, product
//! links) and what events say (tags) is read with each answer.
//!
//! Everything here is synchronous (oxigraph is): the REST handlers call it
//! from blocking tasks.

pub mod concepts;
pub mod overview;
pub mod products;

use oxigraph::model::{Literal, Term};
use oxigraph::sparql::QuerySolution;
use percent_encoding::percent_decode_str;
use serde::Serialize;

use crate::lineage::Projection;
use crate::lineage::report::Exposure;
use crate::openlineage::NodeId;
use crate::store::queries::{CATALOG_CONCEPT_STATEMENTS, QueryError};
use crate::store::{Store, iri};
#[cfg(doc)]
use crate::views::Views;

pub use concepts::{Concept, ConceptDetail, ConceptIndex, DatasetConcepts};
pub use products::{Catalog, Domain, Product};

/// Errors of the catalog.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// A named query failed.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// Reading runs from the store failed (the overview).
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// What the documents and updates loaded into the store say of the mesh:
/// its products and domains (not yet linked through lineage), which
/// products expose which datasets, its concepts, and what each `mg:concept`
/// statement ties to a concept. A function of RDF changes alone (events
/// write none of what it reads), so it is read once after each.
#[derive(Debug)]
pub struct Described {
    /// The products and domains, as [`Catalog::read_store`] reads them.
    pub catalog: Catalog,
    /// Which products expose which datasets (by their output ports).
    pub exposure: Exposure,
    /// The concepts and their hierarchy.
    pub concepts: ConceptIndex,
    /// The `mg:concept` statements: what carries which concept.
    pub(crate) statements: Vec<(concepts::Carrier, String)>,
}

impl Described {
    /// Reads it all from the store: six named queries.
    pub fn read(store: &Store) -> Result<Self, CatalogError> {
        let catalog = Catalog::read_store(store)?;
        let concepts = ConceptIndex::read(store)?;
        let mut statements = Vec::new();
        for row in CATALOG_CONCEPT_STATEMENTS.select(store, &[])? {
            let (Some(target), Some(concept)) = (row.get("target"), iri_of(&row, "concept")) else {
                continue;
            };
            let carrier = concepts::statement_carrier(
                target,
                text_of(&row, "namespace"),
                text_of(&row, "name"),
                text_of(&row, "field"),
                &catalog,
            );
            if let Some(carrier) = carrier {
                statements.push((carrier, concept));
            }
        }
        Ok(Self {
            exposure: catalog.exposure(),
            catalog,
            concepts,
            statements,
        })
    }
}

/// A dataset a description names, as the catalog answers it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DatasetRef {
    /// Its OpenLineage namespace, if the description says (or its IRI is a
    /// meshgraph dataset IRI).
    pub namespace: Option<String>,
    /// Its OpenLineage name, likewise.
    pub name: Option<String>,
    /// Its meshgraph IRI when namespace and name are known; otherwise the
    /// IRI of the description's node (`None` for a blank node).
    pub iri: Option<String>,
    /// Whether pipelines have reported it (it is in the lineage projection).
    pub known: bool,
}

impl DatasetRef {
    /// A dataset named by a description node and, if given, its
    /// `mg:datasetNamespace` and `mg:datasetName`.
    fn from_node(node: Option<&Term>, namespace: Option<String>, name: Option<String>) -> Self {
        if let (Some(namespace), Some(name)) = (namespace, name) {
            return Self::named(namespace, name);
        }
        let iri = node.and_then(term_iri);
        if let Some(Named::Dataset { namespace, name }) = iri.as_deref().and_then(decode) {
            return Self::named(namespace, name);
        }
        Self {
            namespace: None,
            name: None,
            iri,
            known: false,
        }
    }

    /// The dataset `name` in `namespace`.
    pub fn named(namespace: String, name: String) -> Self {
        let iri = iri::dataset(&namespace, &name).into_string();
        Self {
            namespace: Some(namespace),
            name: Some(name),
            iri: Some(iri),
            known: false,
        }
    }

    /// Its lineage node id, if its identity is known.
    pub fn node_id(&self) -> Option<NodeId> {
        Some(NodeId::dataset(self.namespace.as_deref()?, self.name.as_deref()?))
    }

    /// Whether two references name the same dataset: the same namespace and
    /// name, or, without them, the same node.
    pub fn same(&self, other: &Self) -> bool {
        let identity = self.identity();
        identity.is_some() && identity == other.identity()
    }

    /// What [`DatasetRef::same`] compares; `None` for a blank node, which
    /// is the same as nothing.
    pub(crate) fn identity(&self) -> Option<Identity<'_>> {
        match self.node_id() {
            Some(id) => Some(Identity::Node(id)),
            None => self.iri.as_deref().map(Identity::Iri),
        }
    }

    /// Sets [`DatasetRef::known`] from the projection.
    fn check(&mut self, projection: &Projection) {
        self.known = self.node_id().is_some_and(|id| projection.find(&id).is_some());
    }
}

/// What tells one dataset reference from another ([`DatasetRef::identity`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Identity<'a> {
    /// Its lineage node, when its namespace and name are known.
    Node(NodeId),
    /// Otherwise, the IRI of the node that describes it.
    Iri(&'a str),
}

/// What a meshgraph instance IRI names, for the IRIs the catalog reads back.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Named {
    /// `{ID_BASE}dataset/{namespace}/{name}`
    Dataset { namespace: String, name: String },
    /// `{ID_BASE}dataset/{namespace}/{name}/field/{path}`
    Column {
        namespace: String,
        name: String,
        field: String,
    },
    /// `{ID_BASE}owner/{name}`
    Owner(String),
}

/// Reads a dataset, column or owner IRI minted by [`iri`] back into its
/// identity: each part is one percent-encoded segment, so splitting on `/`
/// is exact.
fn decode(text: &str) -> Option<Named> {
    let rest = text.strip_prefix(iri::ID_BASE)?;
    let part = |s: &str| percent_decode_str(s).decode_utf8().ok().map(|c| c.into_owned());
    if let Some(owner) = rest.strip_prefix("owner/") {
        return (!owner.contains('/'))
            .then(|| part(owner))
            .flatten()
            .map(Named::Owner);
    }
    let segments: Vec<&str> = rest.strip_prefix("dataset/")?.split('/').collect();
    match segments.as_slice() {
        [namespace, name] => Some(Named::Dataset {
            namespace: part(namespace)?,
            name: part(name)?,
        }),
        [namespace, name, "field", field] => Some(Named::Column {
            namespace: part(namespace)?,
            name: part(name)?,
            field: part(field)?,
        }),
        _ => None,
    }
}

/// The IRI of a named node.
fn term_iri(term: &Term) -> Option<String> {
    match term {
        Term::NamedNode(n) => Some(n.as_str().to_owned()),
        _ => None,
    }
}

/// A variable's value as an IRI.
fn iri_of(row: &QuerySolution, var: &str) -> Option<String> {
    row.get(var).and_then(term_iri)
}

/// A variable's value as text: a literal's lexical form, or an IRI.
fn text_of(row: &QuerySolution, var: &str) -> Option<String> {
    match row.get(var)? {
        Term::Literal(l) => Some(l.value().to_owned()),
        Term::NamedNode(n) => Some(n.as_str().to_owned()),
        _ => None,
    }
}

/// A variable's value as a literal.
fn literal_of(row: &QuerySolution, var: &str) -> Option<Literal> {
    match row.get(var)? {
        Term::Literal(l) => Some(l.clone()),
        _ => None,
    }
}

/// The label to show among several: one without a language first, then
/// English, then any; the smallest text among equals, so the answer does
/// not depend on the order the store returns them in.
fn best_label<'a>(labels: impl IntoIterator<Item = &'a Literal>) -> Option<String> {
    labels
        .into_iter()
        .min_by_key(|l| {
            let rank = match l.language() {
                None => 0,
                Some(lang) if lang == "en" || lang.starts_with("en-") => 1,
                Some(_) => 2,
            };
            (rank, l.value())
        })
        .map(|l| l.value().to_owned())
}

/// Adds `value` to `list` unless it is there.
fn push_unique<T: PartialEq>(list: &mut Vec<T>, value: T) {
    if !list.contains(&value) {
        list.push(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::NamedNode;

    #[test]
    fn meshgraph_iris_decode_to_their_identity() {
        let ns = "postgres://db:5432";
        let name = "a b/\"<c>#é";
        assert_eq!(
            decode(iri::dataset(ns, name).as_str()),
            Some(Named::Dataset {
                namespace: ns.into(),
                name: name.into()
            })
        );
        assert_eq!(
            decode(iri::field(ns, name, "x.y").as_str()),
            Some(Named::Column {
                namespace: ns.into(),
                name: name.into(),
                field: "x.y".into()
            })
        );
        assert_eq!(
            decode(iri::owner("team:sales").as_str()),
            Some(Named::Owner("team:sales".into()))
        );
        assert_eq!(
            decode(iri::facet(&iri::dataset(ns, name), "schema").as_str()),
            None
        );
        assert_eq!(decode(iri::job(ns, name).as_str()), None);
        assert_eq!(decode("https://example.com/dataset/a/b"), None);
    }

    #[test]
    fn a_dataset_is_named_by_its_properties_or_its_iri() {
        let node = Term::from(NamedNode::new("https://example.com/orders-ds").unwrap());
        let named = DatasetRef::from_node(Some(&node), Some("ns".into()), Some("t".into()));
        assert_eq!(named.node_id(), Some(NodeId::dataset("ns", "t")));
        assert_eq!(named.iri.as_deref(), Some(iri::dataset("ns", "t").as_str()));
        let by_iri = Term::from(iri::dataset("ns", "t"));
        assert!(DatasetRef::from_node(Some(&by_iri), None, None).same(&named));
        let anonymous = DatasetRef::from_node(Some(&node), None, None);
        assert_eq!(anonymous.node_id(), None);
        assert_eq!(anonymous.iri.as_deref(), Some("https://example.com/orders-ds"));
        assert!(!anonymous.same(&named));
        assert!(anonymous.same(&anonymous.clone()));
    }

    #[test]
    fn labels_prefer_no_language_then_english() {
        let fr = Literal::new_language_tagged_literal("Commande", "fr").unwrap();
        let en = Literal::new_language_tagged_literal("Order", "en").unwrap();
        let plain = Literal::new_simple_literal("order");
        assert_eq!(best_label([&fr, &en]), Some("Order".into()));
        assert_eq!(best_label([&fr, &en, &plain]), Some("order".into()));
        assert_eq!(best_label([&fr]), Some("Commande".into()));
        assert_eq!(best_label([]), None);
    }
}
