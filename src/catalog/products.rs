//! Data products, domains and owners, and how products depend on each other.
//!
//! [`Catalog::read_store`] runs four named queries (products, their owners,
//! their datasets, domains) and assembles them; the lineage projection then says
//! which datasets pipelines have reported and which products are upstream
//! of which: a product B is downstream of a product A when an output
//! dataset of A reaches an output dataset of B through the current lineage,
//! or when B takes an output dataset of A as input. A domain depends on the
//! domains of the products upstream of its products.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use oxigraph::model::{Literal, Term};
use serde::Serialize;

use super::{
    CatalogError, DatasetRef, Named, best_label, decode, iri_of, literal_of, push_unique, term_iri, text_of,
};
use crate::lineage::Projection;
use crate::lineage::ids::{Id, Kind};
use crate::lineage::report::{ExposedProduct, Exposure};
use crate::store::Store;
use crate::store::queries::{
    CATALOG_DOMAINS, CATALOG_PRODUCT_DATASETS, CATALOG_PRODUCT_OWNERS, CATALOG_PRODUCTS,
};
use crate::views::Views;

/// The products and domains of the mesh.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Every data product, by id.
    pub products: Vec<Product>,
    /// Every domain, by id.
    pub domains: Vec<Domain>,
}

/// A data product.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    /// Its IRI.
    pub id: String,
    /// Its `dcterms:title` (or `rdfs:label`).
    pub title: Option<String>,
    /// Its `dcterms:description`.
    pub description: Option<String>,
    /// Its `dprod:dataProductOwner`s.
    pub owners: Vec<Owner>,
    /// Its `dprod:domain`.
    pub domain: Option<DomainRef>,
    /// Its `dprod:lifecycleStatus`.
    pub lifecycle_status: Option<Status>,
    /// Its `dprod:outputPort`s, with the datasets each serves.
    pub output_ports: Vec<Port>,
    /// Its `dprod:inputPort`s.
    pub input_ports: Vec<Port>,
    /// Every dataset it outputs: through its output ports and `dprod:outputDataset`.
    pub output_datasets: Vec<DatasetRef>,
    /// Every dataset it takes in: through its input ports and `dprod:inputDataset`.
    pub input_datasets: Vec<DatasetRef>,
    /// The products it is derived from, through lineage.
    pub upstream: Vec<ProductRef>,
    /// The products derived from it, through lineage.
    pub downstream: Vec<ProductRef>,
}

/// An owner of a product or a domain.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Owner {
    /// The name pipelines use in ownership facets (`mg:name`, e.g.
    /// `team:sales`); without one, the owner's IRI.
    pub name: String,
    /// The owner's IRI (`None` for a blank node).
    pub iri: Option<String>,
    /// Its `foaf:name` (or `rdfs:label`).
    pub label: Option<String>,
    /// Its `foaf:mbox`, without `mailto:`.
    pub email: Option<String>,
}

/// A port: a `dcat:DataService` of a product.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Port {
    /// Its IRI.
    pub id: String,
    /// Its `dcterms:title`.
    pub title: Option<String>,
    /// The datasets it serves (through its distributions).
    pub datasets: Vec<DatasetRef>,
}

/// A lifecycle status: an IRI (DPROD's statuses) or a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    /// The status IRI, or its text.
    pub id: String,
    /// Its label, or the last segment of its IRI.
    pub label: Option<String>,
}

/// A product, named.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductRef {
    /// Its IRI.
    pub id: String,
    /// Its title.
    pub title: Option<String>,
    /// Its domain's IRI.
    pub domain: Option<String>,
}

/// A domain, named.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainRef {
    /// Its IRI.
    pub id: String,
    /// Its label.
    pub label: Option<String>,
}

/// A domain of the mesh.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Domain {
    /// Its IRI.
    pub id: String,
    /// Its `rdfs:label` (or `skos:prefLabel`, `dcterms:title`).
    pub label: Option<String>,
    /// Its `dcterms:description`.
    pub description: Option<String>,
    /// The products in it.
    pub products: Vec<ProductRef>,
    /// The owners of its products.
    pub owners: Vec<Owner>,
    /// The domains of the products upstream of its products.
    pub depends_on: Vec<DomainRef>,
    /// The domains whose products are downstream of its products.
    pub dependents: Vec<DomainRef>,
}

/// What the queries say of one product, before assembly.
#[derive(Default)]
struct Draft {
    titles: Vec<Literal>,
    labels: Vec<Literal>,
    descriptions: Vec<Literal>,
    domains: BTreeSet<String>,
    statuses: BTreeMap<String, (bool, Vec<Literal>)>,
    owners: BTreeMap<String, OwnerDraft>,
    /// Ports by IRI: (output?, titles, datasets).
    ports: BTreeMap<String, (bool, Vec<Literal>, Vec<DatasetRef>)>,
    outputs: Vec<DatasetRef>,
    inputs: Vec<DatasetRef>,
}

#[derive(Default)]
struct OwnerDraft {
    iri: Option<String>,
    names: BTreeSet<String>,
    labels: Vec<Literal>,
    emails: BTreeSet<String>,
}

impl Catalog {
    /// The products and domains documents describe, checked against the
    /// lineage projection: a copy of [`Views::catalog`], for the caller to
    /// take apart.
    pub fn read(views: &Views) -> Result<Self, CatalogError> {
        Ok(Catalog::clone(&*views.catalog()?))
    }

    /// Reads the products and domains from the store alone, with four
    /// named queries: no dataset is known and no product is linked to
    /// another yet ([`Catalog::link`]). [`Described::read`](super::Described::read)
    /// calls it once after each RDF change.
    pub(super) fn read_store(store: &Store) -> Result<Self, CatalogError> {
        let mut drafts: BTreeMap<String, Draft> = BTreeMap::new();
        for row in CATALOG_PRODUCTS.select(store, &[])? {
            let Some(id) = iri_of(&row, "product") else {
                continue;
            };
            let draft = drafts.entry(id).or_default();
            for (var, into) in [
                ("title", &mut draft.titles),
                ("label", &mut draft.labels),
                ("description", &mut draft.descriptions),
            ] {
                if let Some(l) = literal_of(&row, var) {
                    push_unique(into, l);
                }
            }
            if let Some(domain) = iri_of(&row, "domain") {
                draft.domains.insert(domain);
            }
            if let Some(status) = text_of(&row, "status") {
                let is_iri = matches!(row.get("status"), Some(Term::NamedNode(_)));
                let entry = draft.statuses.entry(status).or_insert((is_iri, Vec::new()));
                if let Some(l) = literal_of(&row, "statusLabel") {
                    push_unique(&mut entry.1, l);
                }
            }
        }
        for row in CATALOG_PRODUCT_OWNERS.select(store, &[])? {
            let (Some(product), Some(owner)) = (iri_of(&row, "product"), row.get("owner")) else {
                continue;
            };
            let Some(draft) = drafts.get_mut(&product) else {
                continue;
            };
            let entry = draft.owners.entry(owner.to_string()).or_default();
            entry.iri = term_iri(owner);
            entry.names.extend(text_of(&row, "name"));
            if let Some(l) = literal_of(&row, "label") {
                push_unique(&mut entry.labels, l);
            }
            if let Some(mbox) = text_of(&row, "mbox") {
                entry
                    .emails
                    .insert(mbox.strip_prefix("mailto:").unwrap_or(&mbox).to_owned());
            }
        }
        for row in CATALOG_PRODUCT_DATASETS.select(store, &[])? {
            let Some(product) = iri_of(&row, "product") else {
                continue;
            };
            let Some(draft) = drafts.get_mut(&product) else {
                continue;
            };
            let output = text_of(&row, "direction").as_deref() == Some("output");
            let dataset = row.get("dataset").map(|node| {
                DatasetRef::from_node(Some(node), text_of(&row, "namespace"), text_of(&row, "name"))
            });
            match iri_of(&row, "port") {
                Some(port) => {
                    let entry = draft
                        .ports
                        .entry(port)
                        .or_insert((output, Vec::new(), Vec::new()));
                    if let Some(l) = literal_of(&row, "portTitle") {
                        push_unique(&mut entry.1, l);
                    }
                    if let Some(dataset) = dataset.clone() {
                        add_dataset(&mut entry.2, dataset);
                    }
                }
                None if row.get("port").is_some() => continue,
                None => {}
            }
            if let Some(dataset) = dataset {
                add_dataset(
                    if output {
                        &mut draft.outputs
                    } else {
                        &mut draft.inputs
                    },
                    dataset,
                );
            }
        }
        let mut domain_drafts: BTreeMap<String, (Vec<Literal>, Vec<Literal>)> = BTreeMap::new();
        for row in CATALOG_DOMAINS.select(store, &[])? {
            let Some(id) = iri_of(&row, "domain") else {
                continue;
            };
            let entry = domain_drafts.entry(id).or_default();
            if let Some(l) = literal_of(&row, "label") {
                push_unique(&mut entry.0, l);
            }
            if let Some(l) = literal_of(&row, "description") {
                push_unique(&mut entry.1, l);
            }
        }
        // Rows come in no particular order: list datasets by identity.
        let by_identity = |list: &mut Vec<DatasetRef>| list.sort();
        for draft in drafts.values_mut() {
            by_identity(&mut draft.outputs);
            by_identity(&mut draft.inputs);
            for (_, _, datasets) in draft.ports.values_mut() {
                by_identity(datasets);
            }
        }
        let domain_ref = |id: &String| DomainRef {
            id: id.clone(),
            label: domain_drafts.get(id).and_then(|(labels, _)| best_label(labels)),
        };
        let products: Vec<Product> = drafts
            .into_iter()
            .map(|(id, d)| {
                let ports = |want: bool| -> Vec<Port> {
                    d.ports
                        .iter()
                        .filter(|(_, (output, _, _))| *output == want)
                        .map(|(id, (_, titles, datasets))| Port {
                            id: id.clone(),
                            title: best_label(titles),
                            datasets: datasets.clone(),
                        })
                        .collect()
                };
                let mut owners: Vec<Owner> = d.owners.into_values().map(owner).collect();
                owners.sort();
                owners.dedup_by(|a, b| a.name == b.name);
                Product {
                    title: best_label(&d.titles).or_else(|| best_label(&d.labels)),
                    description: best_label(&d.descriptions),
                    owners,
                    // DPROD gives a product one domain; of several, the first.
                    domain: d.domains.iter().next().map(domain_ref),
                    lifecycle_status: d.statuses.iter().next().map(|(id, (is_iri, labels))| Status {
                        id: id.clone(),
                        label: best_label(labels).or_else(|| {
                            is_iri
                                .then(|| id.rsplit(['/', '#']).next().filter(|s| !s.is_empty()))
                                .flatten()
                                .map(str::to_owned)
                        }),
                    }),
                    output_ports: ports(true),
                    input_ports: ports(false),
                    output_datasets: d.outputs,
                    input_datasets: d.inputs,
                    upstream: Vec::new(),
                    downstream: Vec::new(),
                    id,
                }
            })
            .collect();
        let domains = domain_drafts
            .iter()
            .map(|(id, (labels, descriptions))| Domain {
                id: id.clone(),
                label: best_label(labels),
                description: best_label(descriptions),
                products: Vec::new(),
                owners: Vec::new(),
                depends_on: Vec::new(),
                dependents: Vec::new(),
            })
            .collect();
        let mut catalog = Self { products, domains };
        catalog.fill_domains(&BTreeMap::new());
        Ok(catalog)
    }

    /// Marks the datasets pipelines have reported and links products (and
    /// their domains) through the current lineage.
    pub fn link(&mut self, projection: &Projection) {
        for p in &mut self.products {
            let ports = p.output_ports.iter_mut().chain(&mut p.input_ports);
            for d in ports
                .flat_map(|port| &mut port.datasets)
                .chain(&mut p.output_datasets)
                .chain(&mut p.input_datasets)
            {
                d.check(projection);
            }
        }
        let links = downstream_links(&self.products, projection);
        let refs: Vec<ProductRef> = self.products.iter().map(Product::named).collect();
        for (a, b) in &links {
            self.products[*a].downstream.push(refs[*b].clone());
            self.products[*b].upstream.push(refs[*a].clone());
        }
        for p in &mut self.products {
            p.downstream.sort();
            p.upstream.sort();
        }
        let mut domain_links: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in links {
            if let (Some(up), Some(down)) = (&self.products[a].domain, &self.products[b].domain)
                && up.id != down.id
            {
                domain_links
                    .entry(down.id.clone())
                    .or_default()
                    .insert(up.id.clone());
            }
        }
        self.fill_domains(&domain_links);
    }

    /// Fills each domain's products, owners and dependencies (`depends`:
    /// domain -> the domains it depends on).
    fn fill_domains(&mut self, depends: &BTreeMap<String, BTreeSet<String>>) {
        let refs: BTreeMap<String, DomainRef> = self
            .domains
            .iter()
            .map(|d| {
                (
                    d.id.clone(),
                    DomainRef {
                        id: d.id.clone(),
                        label: d.label.clone(),
                    },
                )
            })
            .collect();
        let domain_ref = |id: &String| {
            refs.get(id).cloned().unwrap_or(DomainRef {
                id: id.clone(),
                label: None,
            })
        };
        for domain in &mut self.domains {
            let members: Vec<&Product> = self
                .products
                .iter()
                .filter(|p| p.domain.as_ref().is_some_and(|d| d.id == domain.id))
                .collect();
            domain.products = members.iter().map(|p| p.named()).collect();
            let mut owners: Vec<Owner> = members.iter().flat_map(|p| p.owners.iter().cloned()).collect();
            owners.sort();
            owners.dedup_by(|a, b| a.name == b.name);
            domain.owners = owners;
            domain.depends_on = depends
                .get(&domain.id)
                .into_iter()
                .flatten()
                .map(domain_ref)
                .collect();
            domain.dependents = depends
                .iter()
                .filter(|(_, ups)| ups.contains(&domain.id))
                .map(|(down, _)| domain_ref(down))
                .collect();
        }
    }

    /// The product of that IRI.
    pub fn product(&self, id: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.id == id)
    }

    /// The domain of that IRI.
    pub fn domain(&self, id: &str) -> Option<&Domain> {
        self.domains.iter().find(|d| d.id == id)
    }

    /// What the impact report needs: the products exposing each dataset
    /// (through output ports or `dprod:outputDataset`), with their titles,
    /// domains and owners.
    pub fn exposure(&self) -> Exposure {
        let mut exposure = Exposure::default();
        for p in &self.products {
            exposure.add(
                ExposedProduct {
                    id: p.id.clone(),
                    title: p.title.clone(),
                    domain: p.domain.as_ref().map(|d| (d.id.clone(), d.label.clone())),
                    owners: p.owners.iter().map(|o| o.name.clone()).collect(),
                },
                p.output_datasets.iter().filter_map(DatasetRef::node_id),
            );
        }
        exposure
    }
}

impl Product {
    /// The product, named.
    pub fn named(&self) -> ProductRef {
        ProductRef {
            id: self.id.clone(),
            title: self.title.clone(),
            domain: self.domain.as_ref().map(|d| d.id.clone()),
        }
    }
}

/// Adds a dataset unless the list names it already.
fn add_dataset(list: &mut Vec<DatasetRef>, dataset: DatasetRef) {
    if !list.iter().any(|d| d.same(&dataset)) {
        list.push(dataset);
    }
}

/// An owner from what the queries said of it. Its name is the one
/// pipelines use: `mg:name`, else the name in a meshgraph owner IRI, else
/// the IRI.
fn owner(draft: OwnerDraft) -> Owner {
    let decoded = draft.iri.as_deref().and_then(decode).and_then(|n| match n {
        Named::Owner(name) => Some(name),
        _ => None,
    });
    let label = best_label(&draft.labels);
    Owner {
        name: draft
            .names
            .into_iter()
            .next()
            .or(decoded)
            .or_else(|| draft.iri.clone())
            .or_else(|| label.clone())
            .unwrap_or_default(),
        iri: draft.iri,
        label,
        email: draft.emails.into_iter().next(),
    }
}

/// Every (upstream, downstream) pair of products, by index: B is downstream
/// of A when B takes an output of A as input (as the descriptions say, or
/// through a symlink), or when an output of A reaches an output of B
/// through the current lineage.
fn downstream_links(products: &[Product], projection: &Projection) -> BTreeSet<(usize, usize)> {
    let canonical = |d: &DatasetRef| d.node_id().and_then(|id| projection.find(&id));
    let mut outputs_of: HashMap<Id, Vec<usize>> = HashMap::new();
    let mut inputs_of: HashMap<Id, Vec<usize>> = HashMap::new();
    // Inputs by the identity `DatasetRef::same` compares, so that matching
    // outputs to inputs is one lookup per output.
    let mut declared_inputs: HashMap<_, Vec<usize>> = HashMap::new();
    for (i, p) in products.iter().enumerate() {
        for id in p.output_datasets.iter().filter_map(canonical) {
            outputs_of.entry(id).or_default().push(i);
        }
        for d in &p.input_datasets {
            if let Some(id) = canonical(d) {
                inputs_of.entry(id).or_default().push(i);
            }
            if let Some(identity) = d.identity() {
                declared_inputs.entry(identity).or_default().push(i);
            }
        }
    }
    let ids = projection.ids();
    let mut links = BTreeSet::new();
    for (a, p) in products.iter().enumerate() {
        for identity in p.output_datasets.iter().filter_map(DatasetRef::identity) {
            for &b in declared_inputs.get(&identity).into_iter().flatten() {
                if b != a {
                    links.insert((a, b));
                }
            }
        }
        let seeds: Vec<Id> = p.output_datasets.iter().filter_map(canonical).collect();
        let by_input = seeds.iter().filter_map(|id| inputs_of.get(id)).flatten();
        let downstream = projection.downstream_of(&seeds);
        let by_lineage = downstream
            .iter()
            .filter(|&&id| ids.kind(id) == Kind::Dataset)
            .filter_map(|&id| outputs_of.get(&ids.find(id)))
            .flatten();
        for &b in by_input.chain(by_lineage) {
            if b != a {
                links.insert((a, b));
            }
        }
    }
    links
}
