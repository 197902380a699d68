//! Concepts: the classes of domain ontologies and the terms of business
//! glossaries, and the data that carries them.
//!
//! A concept is an `owl:Class` / `rdfs:Class` or a `skos:Concept` (the
//! vocabularies meshgraph builds on are left out), or anything `mg:concept`
//! points at. Its hierarchy is `rdfs:subClassOf` and `skos:broader` /
//! `skos:narrower`; a concept *covers* itself, its subclasses and its
//! narrower terms at any depth.
//!
//! Data carries a concept two ways:
//!
//! - a statement `X mg:concept C`, where X is a dataset or a column (by
//!   meshgraph IRI, or a node naming it with `mg:datasetNamespace`,
//!   `mg:datasetName` and, for a column, `mg:fieldPath`), or a product;
//! - an OpenLineage `tags` facet entry whose key names C: the key is C's
//!   IRI, one of its `skos:notation`s, or (ignoring case) one of its
//!   `skos:prefLabel`s or `rdfs:label`s.
//!
//! The products carrying a concept are those whose output datasets (or
//! their columns) carry it, and their domains.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use oxigraph::model::{Literal, NamedNode, Term};
use serde::Serialize;

use super::products::{Catalog, DomainRef, ProductRef};
use super::{CatalogError, DatasetRef, Named, best_label, decode, iri_of, literal_of, push_unique, text_of};
use crate::store::Store;
use crate::store::iri;
use crate::store::queries::{
    Binding, CATALOG_CONCEPT_RELATIONS, CATALOG_CONCEPTS, CATALOG_DATASET_TAGS, CATALOG_TAG_KEYS,
    CATALOG_TAGGED,
};
use crate::views::Views;

/// What kind of concept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ConceptKind {
    /// An ontology class (`owl:Class`, `rdfs:Class`).
    Class,
    /// A glossary term (`skos:Concept`).
    Concept,
}

/// A concept, named.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ConceptRef {
    /// Its IRI.
    pub id: String,
    /// Its label.
    pub label: Option<String>,
}

/// A concept and its place in the hierarchy.
#[derive(Debug, Clone, Serialize)]
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

/// How data carries a concept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Via {
    /// An `mg:concept` statement.
    Statement,
    /// An OpenLineage tag whose key names the concept.
    Tag,
}

/// A dataset that carries a concept.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConceptDataset {
    /// The dataset.
    #[serde(flatten)]
    pub dataset: DatasetRef,
    /// The concepts it carries: the one asked for, or ones it covers.
    pub concepts: Vec<String>,
    /// How it carries them.
    pub via: Vec<Via>,
}

/// A column that carries a concept.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConceptColumn {
    /// The column's dataset.
    pub dataset: DatasetRef,
    /// The column's path (nested names joined by `.`).
    pub field: String,
    /// The column's meshgraph IRI, when its dataset's identity is known.
    pub iri: Option<String>,
    /// The concepts it carries.
    pub concepts: Vec<String>,
    /// How it carries them.
    pub via: Vec<Via>,
}

/// A concept with everything that carries it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConceptDetail {
    /// The concept.
    #[serde(flatten)]
    pub concept: Concept,
    /// What it covers besides itself: its subclasses and narrower terms at
    /// any depth.
    pub covers: Vec<ConceptRef>,
    /// The datasets carrying it (or a concept it covers).
    pub datasets: Vec<ConceptDataset>,
    /// The columns carrying it.
    pub columns: Vec<ConceptColumn>,
    /// The products whose output datasets or their columns carry it, or
    /// that carry it themselves.
    pub products: Vec<ProductRef>,
    /// Those products' domains.
    pub domains: Vec<DomainRef>,
}

/// A concept a dataset carries.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DatasetConcept {
    /// The column that carries it, `null` for the dataset itself.
    pub field: Option<String>,
    /// The concept's IRI.
    pub id: String,
    /// Its label.
    pub label: Option<String>,
    /// Its kind.
    pub kind: Option<ConceptKind>,
    /// How the dataset or column carries it.
    pub via: Via,
    /// The tag key that names it (when `via` is `tag`).
    pub tag: Option<String>,
}

/// The concepts of one dataset.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DatasetConcepts {
    /// The dataset.
    pub dataset: DatasetRef,
    /// Its concepts and its columns', the dataset's own first.
    pub concepts: Vec<DatasetConcept>,
}

/// What the store says of one concept.
#[derive(Debug, Default)]
struct Entry {
    kind: Option<ConceptKind>,
    pref_labels: Vec<Literal>,
    labels: Vec<Literal>,
    notations: Vec<String>,
}

/// A link up the hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Relation {
    SubClassOf,
    Broader,
}

/// Every concept, its labels and its hierarchy, and how tag keys name them.
#[derive(Debug, Default)]
pub struct ConceptIndex {
    concepts: BTreeMap<String, Entry>,
    /// narrower -> (broader, how)
    up: HashMap<String, BTreeSet<(String, Relation)>>,
    /// broader -> (narrower, how)
    down: HashMap<String, BTreeSet<(String, Relation)>>,
    /// Lower-cased labels -> concepts.
    by_label: HashMap<String, BTreeSet<String>>,
    /// Notations -> concepts.
    by_notation: HashMap<String, BTreeSet<String>>,
}

impl ConceptIndex {
    /// Reads every concept and hierarchy link.
    pub fn read(store: &Store) -> Result<Self, CatalogError> {
        let mut index = Self::default();
        for row in CATALOG_CONCEPTS.select(store, &[])? {
            let Some(id) = iri_of(&row, "concept") else {
                continue;
            };
            let kind = match text_of(&row, "kind").as_deref() {
                Some("class") => Some(ConceptKind::Class),
                Some("concept") => Some(ConceptKind::Concept),
                _ => None,
            };
            let value = literal_of(&row, "value");
            let property = text_of(&row, "property");
            index.add(id, kind, property.as_deref(), value);
        }
        for row in CATALOG_CONCEPT_RELATIONS.select(store, &[])? {
            let (Some(narrower), Some(broader)) = (iri_of(&row, "narrower"), iri_of(&row, "broader")) else {
                continue;
            };
            let how = match text_of(&row, "relation").as_deref() {
                Some("subClassOf") => Relation::SubClassOf,
                _ => Relation::Broader,
            };
            index.link(narrower, broader, how);
        }
        Ok(index)
    }

    /// Records a concept, with one label or notation if given.
    fn add(&mut self, id: String, kind: Option<ConceptKind>, property: Option<&str>, value: Option<Literal>) {
        let entry = self.concepts.entry(id.clone()).or_default();
        // A class that is also a glossary term is shown as a class.
        entry.kind = match (entry.kind, kind) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let Some(value) = value else { return };
        match property {
            Some("prefLabel") | Some("label") => {
                self.by_label
                    .entry(value.value().to_lowercase())
                    .or_default()
                    .insert(id);
                let list = if property == Some("prefLabel") {
                    &mut entry.pref_labels
                } else {
                    &mut entry.labels
                };
                push_unique(list, value);
            }
            Some("notation") => {
                self.by_notation
                    .entry(value.value().to_owned())
                    .or_default()
                    .insert(id);
                push_unique(&mut entry.notations, value.value().to_owned());
            }
            _ => {}
        }
    }

    /// Records that `narrower` is below `broader`.
    fn link(&mut self, narrower: String, broader: String, how: Relation) {
        self.up
            .entry(narrower.clone())
            .or_default()
            .insert((broader.clone(), how));
        self.down.entry(broader).or_default().insert((narrower, how));
    }

    /// Whether the IRI is a concept.
    pub fn contains(&self, id: &str) -> bool {
        self.concepts.contains_key(id)
    }

    /// Every concept, by IRI.
    pub fn all(&self) -> Vec<Concept> {
        self.concepts.keys().filter_map(|id| self.concept(id)).collect()
    }

    /// A concept's label.
    fn label(&self, id: &str) -> Option<String> {
        let entry = self.concepts.get(id)?;
        best_label(&entry.pref_labels).or_else(|| best_label(&entry.labels))
    }

    fn named(&self, id: &str) -> ConceptRef {
        ConceptRef {
            id: id.to_owned(),
            label: self.label(id),
        }
    }

    /// A concept and its direct neighbours in the hierarchy.
    pub fn concept(&self, id: &str) -> Option<Concept> {
        let entry = self.concepts.get(id)?;
        let links = |map: &HashMap<String, BTreeSet<(String, Relation)>>, how: Relation| -> Vec<ConceptRef> {
            map.get(id)
                .into_iter()
                .flatten()
                .filter(|(_, h)| *h == how)
                .map(|(other, _)| self.named(other))
                .collect()
        };
        Some(Concept {
            id: id.to_owned(),
            label: self.label(id),
            kind: entry.kind,
            notations: entry.notations.clone(),
            broader: links(&self.up, Relation::Broader),
            narrower: links(&self.down, Relation::Broader),
            super_classes: links(&self.up, Relation::SubClassOf),
            sub_classes: links(&self.down, Relation::SubClassOf),
        })
    }

    /// What a concept covers: itself, its subclasses and narrower terms at
    /// any depth (cycles are harmless).
    pub fn covered(&self, id: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::from([id.to_owned()]);
        let mut queue = VecDeque::from([id.to_owned()]);
        while let Some(at) = queue.pop_front() {
            for (below, _) in self.down.get(&at).into_iter().flatten() {
                if seen.insert(below.clone()) {
                    queue.push_back(below.clone());
                }
            }
        }
        seen
    }

    /// The concepts a tag key names: by IRI, by notation, or by a label
    /// ignoring case.
    pub fn named_by_key(&self, key: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        if self.concepts.contains_key(key) {
            out.insert(key.to_owned());
        }
        out.extend(self.by_notation.get(key).into_iter().flatten().cloned());
        out.extend(
            self.by_label
                .get(&key.to_lowercase())
                .into_iter()
                .flatten()
                .cloned(),
        );
        out
    }
}

/// Every concept.
pub fn concepts(views: &Views) -> Result<Vec<Concept>, CatalogError> {
    Ok(views.described()?.concepts.all())
}

/// What a statement's subject or a tag's carrier is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Carrier {
    Dataset(DatasetRef),
    Column(DatasetRef, String),
    Product(String),
}

/// Classifies the subject of an `mg:concept` statement.
pub(super) fn statement_carrier(
    target: &Term,
    namespace: Option<String>,
    name: Option<String>,
    field: Option<String>,
    catalog: &Catalog,
) -> Option<Carrier> {
    if let (Some(namespace), Some(name)) = (namespace, name) {
        let dataset = DatasetRef::named(namespace, name);
        return Some(match field {
            Some(field) => Carrier::Column(dataset, field),
            None => Carrier::Dataset(dataset),
        });
    }
    let Term::NamedNode(node) = target else {
        return None;
    };
    if let Some(carrier) = iri_carrier(node.as_str()) {
        return Some(carrier);
    }
    if catalog.product(node.as_str()).is_some() {
        return Some(Carrier::Product(node.as_str().to_owned()));
    }
    // A product's dataset node that names no OpenLineage dataset.
    catalog
        .products
        .iter()
        .flat_map(|p| p.output_datasets.iter().chain(&p.input_datasets))
        .find(|d| d.node_id().is_none() && d.iri.as_deref() == Some(node.as_str()))
        .map(|d| Carrier::Dataset(d.clone()))
}

/// A meshgraph dataset or column IRI as a carrier (tags hang on them).
fn iri_carrier(text: &str) -> Option<Carrier> {
    match decode(text)? {
        Named::Dataset { namespace, name } => Some(Carrier::Dataset(DatasetRef::named(namespace, name))),
        Named::Column {
            namespace,
            name,
            field,
        } => Some(Carrier::Column(DatasetRef::named(namespace, name), field)),
        Named::Owner(_) => None,
    }
}

/// The datasets, columns and products found carrying a concept, merged.
#[derive(Default)]
struct Carriers {
    datasets: Vec<ConceptDataset>,
    columns: Vec<ConceptColumn>,
    products: BTreeSet<String>,
}

impl Carriers {
    fn add(&mut self, carrier: Carrier, concept: &str, via: Via) {
        let note = |concepts: &mut Vec<String>, vias: &mut Vec<Via>| {
            push_unique(concepts, concept.to_owned());
            push_unique(vias, via);
        };
        match carrier {
            Carrier::Dataset(dataset) => {
                let at = match self.datasets.iter().position(|d| d.dataset.same(&dataset)) {
                    Some(at) => at,
                    None => {
                        self.datasets.push(ConceptDataset {
                            dataset,
                            concepts: Vec::new(),
                            via: Vec::new(),
                        });
                        self.datasets.len() - 1
                    }
                };
                let d = &mut self.datasets[at];
                note(&mut d.concepts, &mut d.via);
            }
            Carrier::Column(dataset, field) => {
                let at = match self
                    .columns
                    .iter()
                    .position(|c| c.dataset.same(&dataset) && c.field == field)
                {
                    Some(at) => at,
                    None => {
                        let iri = dataset.node_id().map(|_| {
                            iri::field(
                                dataset.namespace.as_deref().unwrap_or_default(),
                                dataset.name.as_deref().unwrap_or_default(),
                                &field,
                            )
                            .into_string()
                        });
                        self.columns.push(ConceptColumn {
                            dataset,
                            field,
                            iri,
                            concepts: Vec::new(),
                            via: Vec::new(),
                        });
                        self.columns.len() - 1
                    }
                };
                let c = &mut self.columns[at];
                note(&mut c.concepts, &mut c.via);
            }
            Carrier::Product(id) => {
                self.products.insert(id);
            }
        }
    }
}

/// A concept with everything that carries it; `None` if the store knows no
/// such concept.
pub fn concept(views: &Views, id: &str) -> Result<Option<ConceptDetail>, CatalogError> {
    let store = views.store();
    let described = views.described()?;
    let (index, catalog) = (&described.concepts, &described.catalog);
    let Some(concept) = index.concept(id) else {
        return Ok(None);
    };
    let covered = index.covered(id);
    let mut carriers = Carriers::default();
    for (carrier, c) in &described.statements {
        if covered.contains(c) {
            carriers.add(carrier.clone(), c, Via::Statement);
        }
    }
    for row in CATALOG_TAG_KEYS.select(store, &[])? {
        let Some(key) = literal_of(&row, "key") else {
            continue;
        };
        let named: Vec<String> = index
            .named_by_key(key.value())
            .into_iter()
            .filter(|c| covered.contains(c))
            .collect();
        if named.is_empty() {
            continue;
        }
        for tagged in CATALOG_TAGGED.select(store, &[("key", key.clone().into())])? {
            let Some(carrier) = iri_of(&tagged, "carrier").as_deref().and_then(iri_carrier) else {
                continue;
            };
            for c in &named {
                carriers.add(carrier.clone(), c, Via::Tag);
            }
        }
    }
    let projection = views.projection();
    for d in &mut carriers.datasets {
        d.dataset.check(&projection);
    }
    for c in &mut carriers.columns {
        c.dataset.check(&projection);
    }
    drop(projection);
    let mut products: BTreeSet<ProductRef> = BTreeSet::new();
    for p in &catalog.products {
        let carries = carriers.products.contains(&p.id)
            || p.output_datasets.iter().any(|o| {
                carriers.datasets.iter().any(|d| d.dataset.same(o))
                    || carriers.columns.iter().any(|c| c.dataset.same(o))
            });
        if carries {
            products.insert(p.named());
        }
    }
    let domains: BTreeSet<DomainRef> = products
        .iter()
        .filter_map(|p| catalog.product(&p.id)?.domain.clone())
        .collect();
    let sort_key = |d: &DatasetRef| (d.namespace.clone(), d.name.clone(), d.iri.clone());
    carriers.datasets.sort_by_key(|d| sort_key(&d.dataset));
    carriers.columns.sort_by(|a, b| {
        sort_key(&a.dataset)
            .cmp(&sort_key(&b.dataset))
            .then_with(|| a.field.cmp(&b.field))
    });
    for d in &mut carriers.datasets {
        d.concepts.sort();
        d.via.sort();
    }
    for c in &mut carriers.columns {
        c.concepts.sort();
        c.via.sort();
    }
    Ok(Some(ConceptDetail {
        covers: covered
            .iter()
            .filter(|c| c.as_str() != id)
            .map(|c| index.named(c))
            .collect(),
        concept,
        datasets: carriers.datasets,
        columns: carriers.columns,
        products: products.into_iter().collect(),
        domains: domains.into_iter().collect(),
    }))
}

/// The concepts a dataset and its columns carry; `None` if pipelines never
/// reported the dataset and nothing says it carries a concept.
pub fn dataset_concepts(
    views: &Views,
    namespace: &str,
    name: &str,
) -> Result<Option<DatasetConcepts>, CatalogError> {
    // A batch of one, so REST and GraphQL share one implementation.
    let key = (namespace.to_owned(), name.to_owned());
    let concepts = datasets_concepts(views, std::slice::from_ref(&key))?
        .remove(&key)
        .unwrap_or_default();
    let mut dataset = DatasetRef::named(key.0, key.1);
    dataset.check(&views.projection());
    if !dataset.known && concepts.is_empty() {
        return Ok(None);
    }
    Ok(Some(DatasetConcepts { dataset, concepts }))
}

/// The concepts each of a batch of datasets (namespace, name) and its
/// columns carry, the dataset's own first; every dataset asked for has an
/// entry, empty if it carries none (known to pipelines or not).
///
/// The concept index, the product catalog and the `mg:concept` statements
/// come from what documents say ([`Views::described`], read once after each
/// RDF change), and the tags of the batch's datasets are read once for the
/// whole batch, so a GraphQL page of datasets costs one read, not as many
/// as it has datasets. The
/// tags are read with the batch's datasets bound (the rows of the query's
/// `VALUES` block): indexed lookups whose cost follows the batch, where an
/// unbound read would scan every tag of the mesh.
pub fn datasets_concepts(
    views: &Views,
    datasets: &[(String, String)],
) -> Result<HashMap<(String, String), Vec<DatasetConcept>>, CatalogError> {
    let store = views.store();
    let described = views.described()?;
    let index = &described.concepts;
    // A set per dataset: ordered (the dataset's own concepts, `field` null,
    // sort first) and without repeats when statements or tags say a thing
    // twice.
    let mut found: HashMap<(String, String), BTreeSet<DatasetConcept>> = datasets
        .iter()
        .map(|key| (key.clone(), BTreeSet::new()))
        .collect();
    let concept = |field: Option<String>, id: String, via: Via, tag: Option<String>| DatasetConcept {
        field,
        label: index.label(&id),
        kind: index.concepts.get(&id).and_then(|e| e.kind),
        id,
        via,
        tag,
    };
    for (carrier, c) in &described.statements {
        let (dataset, field) = match carrier {
            Carrier::Dataset(d) => (d, None),
            Carrier::Column(d, field) => (d, Some(field.clone())),
            Carrier::Product(_) => continue,
        };
        // A dataset asked for is named, so it is the same as a carrier
        // exactly when namespace and name agree (`DatasetRef::same`).
        let (Some(namespace), Some(name)) = (&dataset.namespace, &dataset.name) else {
            continue;
        };
        if let Some(set) = found.get_mut(&(namespace.clone(), name.clone())) {
            set.insert(concept(field, c.clone(), Via::Statement, None));
        }
    }
    let by_iri: HashMap<NamedNode, (String, String)> = found
        .keys()
        .map(|(namespace, name)| (iri::dataset(namespace, name), (namespace.clone(), name.clone())))
        .collect();
    let iris = by_iri.keys().cloned().collect();
    for row in CATALOG_DATASET_TAGS.select(store, &[("dataset", Binding::Iris(iris))])? {
        let (Some(Term::NamedNode(dataset)), Some(key)) = (row.get("dataset"), text_of(&row, "key")) else {
            continue;
        };
        let Some(set) = by_iri.get(dataset).and_then(|at| found.get_mut(at)) else {
            continue;
        };
        let field = text_of(&row, "field");
        for c in index.named_by_key(&key) {
            set.insert(concept(field.clone(), c, Via::Tag, Some(key.clone())));
        }
    }
    Ok(found
        .into_iter()
        .map(|(key, set)| (key, set.into_iter().collect()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Option<Literal> {
        Some(Literal::new_simple_literal(s))
    }

    fn index() -> ConceptIndex {
        let mut index = ConceptIndex::default();
        let c = |s: &str| format!("https://example.com/{s}");
        index.add(c("Party"), Some(ConceptKind::Class), Some("label"), lit("Party"));
        index.add(
            c("Customer"),
            Some(ConceptKind::Class),
            Some("label"),
            lit("Customer"),
        );
        index.add(c("VipCustomer"), Some(ConceptKind::Class), None, None);
        index.add(
            c("pii"),
            Some(ConceptKind::Concept),
            Some("prefLabel"),
            lit("Personal Data"),
        );
        index.add(c("pii"), Some(ConceptKind::Concept), Some("notation"), lit("PII"));
        index.add(
            c("email"),
            Some(ConceptKind::Concept),
            Some("prefLabel"),
            lit("E-mail"),
        );
        index.link(c("Customer"), c("Party"), Relation::SubClassOf);
        index.link(c("VipCustomer"), c("Customer"), Relation::SubClassOf);
        index.link(c("email"), c("pii"), Relation::Broader);
        // A cycle must not loop.
        index.link(c("Party"), c("VipCustomer"), Relation::SubClassOf);
        index
    }

    #[test]
    fn a_concept_covers_its_subclasses_and_narrower_terms() {
        let index = index();
        let c = |s: &str| format!("https://example.com/{s}");
        assert_eq!(
            index.covered(&c("Customer")),
            BTreeSet::from([c("Customer"), c("VipCustomer"), c("Party")])
        );
        assert_eq!(index.covered(&c("pii")), BTreeSet::from([c("pii"), c("email")]));
        assert_eq!(index.covered(&c("email")), BTreeSet::from([c("email")]));
        let customer = index.concept(&c("Customer")).unwrap();
        assert_eq!(customer.super_classes, [index.named(&c("Party"))]);
        assert_eq!(customer.sub_classes, [index.named(&c("VipCustomer"))]);
        assert!(customer.broader.is_empty());
        let pii = index.concept(&c("pii")).unwrap();
        assert_eq!(pii.label.as_deref(), Some("Personal Data"));
        assert_eq!(pii.narrower.len(), 1);
        assert_eq!(pii.kind, Some(ConceptKind::Concept));
    }

    #[test]
    fn tag_keys_name_concepts_by_iri_notation_or_label() {
        let index = index();
        let c = |s: &str| format!("https://example.com/{s}");
        assert_eq!(index.named_by_key(&c("pii")), BTreeSet::from([c("pii")]));
        assert_eq!(index.named_by_key("PII"), BTreeSet::from([c("pii")]));
        assert!(index.named_by_key("pii").is_empty(), "notations match exactly");
        assert_eq!(index.named_by_key("personal data"), BTreeSet::from([c("pii")]));
        assert_eq!(index.named_by_key("CUSTOMER"), BTreeSet::from([c("Customer")]));
        assert!(index.named_by_key("nothing").is_empty());
    }

    #[test]
    fn carriers_are_merged_per_dataset_and_column() {
        let mut carriers = Carriers::default();
        let ds = || DatasetRef::named("ns".into(), "t".into());
        carriers.add(Carrier::Dataset(ds()), "a", Via::Statement);
        carriers.add(Carrier::Dataset(ds()), "b", Via::Tag);
        carriers.add(Carrier::Column(ds(), "x".into()), "a", Via::Tag);
        carriers.add(Carrier::Column(ds(), "x".into()), "a", Via::Tag);
        assert_eq!(carriers.datasets.len(), 1);
        assert_eq!(carriers.datasets[0].concepts, ["a", "b"]);
        assert_eq!(carriers.datasets[0].via, [Via::Statement, Via::Tag]);
        assert_eq!(carriers.columns.len(), 1);
        assert_eq!(
            carriers.columns[0].iri.as_deref(),
            Some(iri::field("ns", "t", "x").as_str())
        );
        assert_eq!(
            iri_carrier(iri::field("ns", "t", "x").as_str()),
            Some(Carrier::Column(ds(), "x".into()))
        );
        assert_eq!(iri_carrier(iri::job("ns", "t").as_str()), None);
    }
}
