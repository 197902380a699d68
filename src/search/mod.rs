//! Search across the mesh: datasets, columns, jobs, data products, domains
//! and concepts, by name, label and description.
//!
//! Matching ignores case and ranks each hit by how well the query matches
//! its best text ([`Match`]): the whole text (exact), its beginning
//! (prefix), the beginning of one of its words (word prefix; words are
//! split at anything not a letter or a digit, so `orders` matches
//! `sales.public.orders` and `daily_orders`), or anywhere (substring). A
//! query of several words also matches a text holding each of them as a
//! word prefix (or, worse, as a substring), in any order. Names and labels
//! outrank descriptions at the same level; ties go to the shorter name,
//! then to name order, so the answer does not depend on store order.
//!
//! The candidates are held by the search index ([`index`]), one of the
//! views: kept up to date as events are applied and rebuilt with the other
//! views on replay, so a search never reads the datasets and jobs from the
//! store. Products, domains and concepts are what documents and SPARQL
//! updates say: the index reads them again after any such change, lazily,
//! at the next search ([`search`]).
//!
//! Called by `GET /api/v1/search` and GraphQL's `search`, from a blocking
//! task.

pub mod index;

use std::sync::PoisonError;

use serde::Serialize;

use crate::catalog::CatalogError;
use crate::openlineage::Timestamp;
use crate::store::iri;
use crate::views::Views;
use index::{CatalogEntry, Subject};

/// What a hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SearchKind {
    /// A dataset pipelines reported.
    Dataset,
    /// A column of a dataset's schema.
    DatasetField,
    /// A job.
    Job,
    /// A data product.
    DataProduct,
    /// A domain.
    Domain,
    /// A concept: an ontology class or a glossary term.
    Concept,
}

impl SearchKind {
    /// Every kind, in the order ties are broken.
    pub const ALL: [Self; 6] = [
        Self::Dataset,
        Self::DatasetField,
        Self::Job,
        Self::DataProduct,
        Self::Domain,
        Self::Concept,
    ];

    /// The kind as Marquez's `type` and `filter` spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dataset => "DATASET",
            Self::DatasetField => "DATASET_FIELD",
            Self::Job => "JOB",
            Self::DataProduct => "DATA_PRODUCT",
            Self::Domain => "DOMAIN",
            Self::Concept => "CONCEPT",
        }
    }

    /// Reads a kind, ignoring case (`COLUMN` and `PRODUCT` are accepted too).
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_uppercase().as_str() {
            "DATASET" => Some(Self::Dataset),
            "DATASET_FIELD" | "COLUMN" => Some(Self::DatasetField),
            "JOB" => Some(Self::Job),
            "DATA_PRODUCT" | "PRODUCT" => Some(Self::DataProduct),
            "DOMAIN" => Some(Self::Domain),
            "CONCEPT" => Some(Self::Concept),
            _ => None,
        }
    }
}

/// How well a query matches a text, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Match {
    /// The text is the query (ignoring case).
    Exact,
    /// The text starts with the query.
    Prefix,
    /// A word of the text starts with the query (or, for a query of
    /// several words, with each of them).
    WordPrefix,
    /// The text contains the query (or each of its words).
    Substring,
}

impl Match {
    /// Every level, best first.
    pub const ALL: [Self; 4] = [Self::Exact, Self::Prefix, Self::WordPrefix, Self::Substring];
}

/// Which text of a candidate matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Field {
    /// Its name (a dataset's, column's or job's name, an IRI).
    Name,
    /// Its label or title (or a concept's notation).
    Label,
    /// Its description.
    Description,
}

/// Something to search: its identity and its texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// What it is.
    pub kind: SearchKind,
    /// Its lineage node id (`dataset:NS:NAME`, `datasetField:NS:NAME:FIELD`,
    /// `job:NS:NAME`), or the IRI of a product, domain or concept.
    pub id: String,
    /// Its name: a dataset's, job's or column's name (a column's is its
    /// field path), or a catalog entry's label (its IRI without one).
    pub name: String,
    /// Its OpenLineage namespace (datasets, columns, jobs).
    pub namespace: Option<String>,
    /// Its label or title, and a concept's notations.
    pub labels: Vec<String>,
    /// Its description.
    pub description: Option<String>,
    /// When pipelines last updated it (datasets, columns, jobs).
    pub updated_at: Option<Timestamp>,
}

/// A candidate that matched, and how well.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The candidate.
    pub candidate: Candidate,
    /// How well its best text matched.
    pub matched: Match,
    /// Which text that was.
    pub field: Field,
}

/// A search answer: the best hits and how many there were in all.
#[derive(Debug, Clone, Default)]
pub struct SearchAnswer {
    /// The hits, best first, at most the limit asked.
    pub hits: Vec<Hit>,
    /// How many candidates matched, before the limit.
    pub total: usize,
}

/// A query, lower-cased and trimmed, with its words: what it takes to match
/// it against many texts.
#[derive(Debug, Clone)]
pub struct Pattern<'q> {
    query: &'q str,
    /// Its words: split at anything not a letter or a digit.
    terms: Vec<&'q str>,
}

impl<'q> Pattern<'q> {
    /// The pattern of `query`, already lower-cased and trimmed, not empty.
    pub fn new(query: &'q str) -> Self {
        let terms = query
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        Self { query, terms }
    }

    /// A text every text the query matches contains: the query itself, or
    /// for a query of several words, its longest word (each word must be in
    /// the text, in any order).
    pub fn needle(&self) -> &'q str {
        if self.terms.len() > 1 {
            self.terms
                .iter()
                .copied()
                .max_by_key(|t| t.len())
                .unwrap_or(self.query)
        } else {
            self.query
        }
    }

    /// How the query matches `text`, already lower-cased.
    pub fn matches(&self, text: &str) -> Option<Match> {
        let query = self.query;
        if text == query {
            return Some(Match::Exact);
        }
        if text.starts_with(query) {
            return Some(Match::Prefix);
        }
        let several = self.terms.len() > 1;
        // The query's own punctuation (a `.` in `public.orders`) must match too:
        // a word of the text, at a word boundary, starting with the whole query.
        if starts_a_word(text, query)
            || (several && {
                let words: Vec<&str> = text
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .collect();
                self.terms.iter().all(|t| words.iter().any(|w| w.starts_with(t)))
            })
        {
            return Some(Match::WordPrefix);
        }
        if text.contains(query) || (several && self.terms.iter().all(|t| text.contains(t))) {
            return Some(Match::Substring);
        }
        None
    }
}

/// How `query` (already lower-cased and trimmed, not empty) matches `text`.
pub fn match_text(query: &str, text: &str) -> Option<Match> {
    Pattern::new(query).matches(&text.to_lowercase())
}

/// Whether `query` occurs in `text` right after a character that is not a
/// letter or digit.
fn starts_a_word(text: &str, query: &str) -> bool {
    text.match_indices(query).any(|(at, _)| {
        text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| !c.is_alphanumeric())
    })
}

/// Searches the mesh: the things of the given kinds (all if empty), in
/// `namespace` if given (products, domains and concepts are in none),
/// matching `query`, best first, at most `limit`. Reads the products,
/// domains and concepts again first if RDF changed since they were last
/// read; otherwise reads nothing from the store.
pub fn search(
    views: &Views,
    query: &str,
    kinds: &[SearchKind],
    namespace: Option<&str>,
    limit: usize,
) -> Result<SearchAnswer, CatalogError> {
    let query = query.trim().to_lowercase();
    if query.is_empty() {
        return Ok(SearchAnswer::default());
    }
    refresh_catalog(views)?;
    let index = views
        .search_index()
        .read()
        .unwrap_or_else(PoisonError::into_inner);
    let (raw, total) = index.query(&query, kinds, namespace, limit);
    let store = views.store();
    let hits = raw
        .into_iter()
        .map(|(entry, matched, field)| {
            let found = index.found(entry);
            let (id, updated_at) = match found.subject {
                Subject::Node(node) => {
                    // A column was last updated with its dataset.
                    let entity = match &node {
                        crate::openlineage::NodeId::Job { namespace, name } => iri::job(namespace, name),
                        crate::openlineage::NodeId::Dataset { namespace, name }
                        | crate::openlineage::NodeId::DatasetField { namespace, name, .. } => {
                            iri::dataset(namespace, name)
                        }
                    };
                    (node.to_string(), store.updated_at(&entity))
                }
                Subject::Iri(iri) => (iri.to_owned(), None),
            };
            Hit {
                candidate: Candidate {
                    kind: found.kind,
                    id,
                    name: found.name.to_owned(),
                    namespace: found.namespace.map(str::to_owned),
                    labels: found.labels.iter().map(|l| (*l).to_owned()).collect(),
                    description: found.description.map(str::to_owned),
                    updated_at,
                },
                matched,
                field,
            }
        })
        .collect();
    Ok(SearchAnswer { hits, total })
}

/// Reads the products, domains and concepts into the index if RDF changed
/// since they were last read (or they never were).
fn refresh_catalog(views: &Views) -> Result<(), CatalogError> {
    let generation = views.rdf_changes();
    let current = views
        .search_index()
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .catalog_generation();
    if current == Some(generation) {
        return Ok(());
    }
    // Read without holding the lock: the writer may apply events meanwhile.
    let entries = catalog_entries(views)?;
    views
        .search_index()
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .set_catalog(generation, entries);
    Ok(())
}

/// The products, domains and concepts documents describe, as the index
/// holds them: each named by its label or title (its IRI without one).
fn catalog_entries(views: &Views) -> Result<Vec<CatalogEntry>, CatalogError> {
    let described = views.described()?;
    let products = described.catalog.products.iter().map(|p| CatalogEntry {
        kind: SearchKind::DataProduct,
        name: p.title.clone().unwrap_or_else(|| p.id.clone()),
        iri: p.id.clone(),
        labels: p.title.iter().cloned().collect(),
        description: p.description.clone(),
    });
    let domains = described.catalog.domains.iter().map(|d| CatalogEntry {
        kind: SearchKind::Domain,
        name: d.label.clone().unwrap_or_else(|| d.id.clone()),
        iri: d.id.clone(),
        labels: d.label.iter().cloned().collect(),
        description: d.description.clone(),
    });
    let concepts = described.concepts.all().into_iter().map(|c| CatalogEntry {
        kind: SearchKind::Concept,
        name: c.label.clone().unwrap_or_else(|| c.id.clone()),
        iri: c.id,
        labels: c.label.into_iter().chain(c.notations).collect(),
        description: None,
    });
    Ok(products.chain(domains).chain(concepts).collect())
}

#[cfg(test)]
pub(crate) mod tests {
    use std::cmp::Ordering;

    use super::index::SearchIndex;
    use super::*;

    /// The ranking the index must agree with, written plainly: match every
    /// candidate's texts, keep the best per candidate, sort, cut.
    pub(crate) fn rank(
        candidates: impl IntoIterator<Item = Candidate>,
        query: &str,
        kinds: &[SearchKind],
        limit: usize,
    ) -> SearchAnswer {
        let query = query.trim().to_lowercase();
        if query.is_empty() {
            return SearchAnswer::default();
        }
        let mut hits: Vec<Hit> = candidates
            .into_iter()
            .filter(|c| kinds.is_empty() || kinds.contains(&c.kind))
            .filter_map(|candidate| {
                let texts = std::iter::once((Field::Name, candidate.name.as_str()))
                    .chain(candidate.labels.iter().map(|l| (Field::Label, l.as_str())))
                    .chain(
                        candidate
                            .description
                            .iter()
                            .map(|d| (Field::Description, d.as_str())),
                    );
                let (matched, field) = texts
                    .filter_map(|(field, text)| match_text(&query, text).map(|m| (m, field)))
                    .min_by_key(|&(m, field)| (m, field == Field::Description))?;
                Some(Hit {
                    candidate,
                    matched,
                    field,
                })
            })
            .collect();
        hits.sort_by(order);
        let total = hits.len();
        hits.truncate(limit);
        SearchAnswer { hits, total }
    }

    /// Better match first; at a level, a name or label before a description;
    /// then the shorter name, the kind, the name, the id.
    fn order(a: &Hit, b: &Hit) -> Ordering {
        let key = |h: &Hit| {
            (
                h.matched,
                h.field == Field::Description,
                h.candidate.name.chars().count(),
            )
        };
        key(a)
            .cmp(&key(b))
            .then_with(|| a.candidate.kind.cmp(&b.candidate.kind))
            .then_with(|| a.candidate.name.cmp(&b.candidate.name))
            .then_with(|| a.candidate.id.cmp(&b.candidate.id))
    }

    /// The index's answer, as (name, level, field) per hit, and the total.
    fn ranked(
        index: &SearchIndex,
        query: &str,
        kinds: &[SearchKind],
        limit: usize,
    ) -> (Vec<(String, Match, Field)>, usize) {
        let (hits, total) = index.query(query, kinds, None, limit);
        let hits = hits
            .into_iter()
            .map(|(entry, level, field)| (index.found(entry).name.to_owned(), level, field))
            .collect();
        (hits, total)
    }

    /// An index holding these candidates (each as a catalog entry, its id
    /// standing for its IRI).
    fn index_of(candidates: &[Candidate]) -> SearchIndex {
        let mut index = SearchIndex::default();
        index.set_catalog(
            0,
            candidates
                .iter()
                .map(|c| index::CatalogEntry {
                    kind: c.kind,
                    iri: c.id.clone(),
                    name: c.name.clone(),
                    labels: c.labels.clone(),
                    description: c.description.clone(),
                })
                .collect(),
        );
        index
    }

    fn candidate(kind: SearchKind, name: &str, description: Option<&str>) -> Candidate {
        Candidate {
            kind,
            id: format!("{}:{name}", kind.as_str()),
            name: name.into(),
            namespace: None,
            labels: Vec::new(),
            description: description.map(str::to_owned),
            updated_at: None,
        }
    }

    #[test]
    fn matches_rank_exact_prefix_word_prefix_substring() {
        assert_eq!(match_text("orders", "Orders"), Some(Match::Exact));
        assert_eq!(match_text("orders", "orders_daily"), Some(Match::Prefix));
        assert_eq!(
            match_text("orders", "sales.public.orders"),
            Some(Match::WordPrefix)
        );
        assert_eq!(
            match_text("public.ord", "sales.public.orders"),
            Some(Match::WordPrefix)
        );
        assert_eq!(match_text("orders", "preorders"), Some(Match::Substring));
        assert_eq!(match_text("orders", "customers"), None);
        // Several words: each a word prefix, in any order.
        assert_eq!(
            match_text(
                "customer email",
                "The e-mail address of a customer, emailed weekly"
            ),
            Some(Match::WordPrefix)
        );
        assert_eq!(
            match_text("ustomer mail", "customer email"),
            Some(Match::Substring)
        );
        assert_eq!(match_text("customer phone", "customer email"), None);
        // Case and non-ASCII letters.
        assert_eq!(match_text("café", "Le CAFÉ du coin"), Some(Match::WordPrefix));
    }

    #[test]
    fn hits_come_best_first_then_names_before_descriptions() {
        let all = [
            candidate(SearchKind::Dataset, "preorders", None),
            candidate(SearchKind::Job, "load_orders", None),
            candidate(SearchKind::Dataset, "orders_daily", None),
            candidate(SearchKind::Dataset, "orders", None),
            candidate(SearchKind::Dataset, "carts", Some("Orders not yet placed")),
            candidate(SearchKind::Dataset, "customers", Some("people")),
        ];
        let (hits, total) = ranked(&index_of(&all), "orders", &[], 10);
        let names: Vec<_> = hits.iter().map(|h| h.0.as_str()).collect();
        assert_eq!(
            names,
            // The match level comes first: a description starting with the
            // query beats a name where it only starts a word.
            ["orders", "orders_daily", "carts", "load_orders", "preorders"]
        );
        assert_eq!(total, 5);
        assert_eq!((hits[2].1, hits[2].2), (Match::Prefix, Field::Description));
        let reference = rank(all, "  ORDERS ", &[], 10);
        let expected: Vec<_> = reference
            .hits
            .iter()
            .map(|h| (h.candidate.name.clone(), h.matched, h.field))
            .collect();
        assert_eq!(hits, expected);
    }

    #[test]
    fn kinds_and_limit_filter_but_total_counts_all_matches() {
        let all = [
            candidate(SearchKind::Dataset, "orders", None),
            candidate(SearchKind::Job, "orders", None),
            candidate(SearchKind::Concept, "Order", None),
            candidate(SearchKind::Domain, "orders domain", None),
        ];
        let index = index_of(&all);
        let (jobs, total) = index.query("order", &[SearchKind::Job], None, 10);
        assert_eq!(total, 1);
        assert_eq!(index.found(jobs[0].0).kind, SearchKind::Job);
        let (one, total) = index.query("order", &[], None, 1);
        assert_eq!(total, 4);
        assert_eq!(one.len(), 1);
        // Exact beats prefix whatever the kind.
        assert_eq!(index.found(one[0].0).kind, SearchKind::Concept);
        assert_eq!(index.query("order", &[], None, 0), (Vec::new(), 4));
    }

    /// The demo mesh (its documents, then its events) in fresh views.
    fn demo_views() -> Views {
        use crate::store::Store;
        use crate::store::change::{Document, Mode, RdfChange, Target};
        let views = Views::new(Store::in_memory().unwrap());
        for (file, text) in crate::generate::demo::documents() {
            let graph = oxigraph::model::NamedNode::new(format!("https://example.com/{file}")).unwrap();
            let (doc, _) = Document::check(
                Mode::Replace,
                Target::Named(graph.clone()),
                oxigraph::io::RdfFormat::Turtle,
                Some(graph.into_string()),
                text.into(),
            )
            .unwrap();
            views.apply_change(&RdfChange::Document(doc)).unwrap();
        }
        let events: Vec<_> = crate::generate::demo::events()
            .iter()
            .map(|e| crate::openlineage::parse_event(e).unwrap())
            .collect();
        for chunk in events.chunks(50) {
            views.apply(&chunk.iter().collect::<Vec<_>>()).unwrap();
        }
        views
    }

    /// Every searchable thing, read from the store as search did before it
    /// had an index: the datasets (with their columns) and jobs of every
    /// namespace, and the catalog's products, domains and concepts.
    fn read_from_the_store(views: &Views) -> Vec<Candidate> {
        use crate::openlineage::NodeId;
        use crate::store::read::{self, Page};
        let store = views.store();
        let all = Page {
            limit: usize::MAX,
            offset: 0,
        };
        let mut out = Vec::new();
        for ns in read::namespaces(store).unwrap() {
            let datasets = read::datasets(store, &ns.name, all).unwrap();
            for ds in datasets.map(|l| l.items).unwrap_or_default() {
                for field in &ds.fields {
                    let id = NodeId::DatasetField {
                        namespace: ds.namespace.clone(),
                        name: ds.name.clone(),
                        field: field.name.clone(),
                    };
                    out.push(Candidate {
                        kind: SearchKind::DatasetField,
                        id: id.to_string(),
                        name: field.name.clone(),
                        namespace: Some(ds.namespace.clone()),
                        labels: Vec::new(),
                        description: field.description.clone(),
                        updated_at: ds.updated_at,
                    });
                }
                out.push(Candidate {
                    kind: SearchKind::Dataset,
                    id: NodeId::dataset(&ds.namespace, &ds.name).to_string(),
                    name: ds.name,
                    namespace: Some(ds.namespace),
                    labels: Vec::new(),
                    description: ds.description,
                    updated_at: ds.updated_at,
                });
            }
            let jobs = read::jobs(store, &ns.name, all, 0).unwrap();
            for job in jobs.map(|l| l.items).unwrap_or_default() {
                out.push(Candidate {
                    kind: SearchKind::Job,
                    id: NodeId::job(&job.namespace, &job.name).to_string(),
                    name: job.name,
                    namespace: Some(job.namespace),
                    labels: Vec::new(),
                    description: job.description,
                    updated_at: job.updated_at,
                });
            }
        }
        out.extend(catalog_entries(views).unwrap().into_iter().map(|e| Candidate {
            kind: e.kind,
            id: e.iri,
            name: e.name,
            namespace: None,
            labels: e.labels,
            description: e.description,
            updated_at: None,
        }));
        out
    }

    #[test]
    fn the_index_answers_as_reading_the_store_would() {
        let views = demo_views();
        let candidates = read_from_the_store(&views);
        assert!(candidates.iter().any(|c| c.description.is_some()));
        for query in [
            "customers",
            "customer",
            "order",
            "ORDERS",
            "id",
            "e",
            "crm.cust",
            "fct orders",
            "personal data",
            "sales",
            "dbt",
            "snowflake",
            "mail",
            "retail/domain",
            "nothing like this",
        ] {
            for kinds in [
                vec![],
                vec![SearchKind::DatasetField],
                vec![SearchKind::Job, SearchKind::Concept],
            ] {
                for limit in [0, 1, 7, 1_000] {
                    let expected = rank(candidates.clone(), query, &kinds, limit);
                    let got = search(&views, query, &kinds, None, limit).unwrap();
                    assert_eq!(got.total, expected.total, "{query:?} {kinds:?}");
                    assert_eq!(got.hits, expected.hits, "{query:?} {kinds:?} {limit}");
                }
            }
        }
        // In a namespace: its own datasets, columns and jobs only.
        let ns = "mysql://crm-db:3306";
        let inside: Vec<Candidate> = candidates
            .iter()
            .filter(|c| c.namespace.as_deref() == Some(ns))
            .cloned()
            .collect();
        let expected = rank(inside, "customers", &[], 50);
        let got = search(&views, "customers", &[], Some(ns), 50).unwrap();
        assert!(expected.total > 0);
        assert_eq!((got.hits, got.total), (expected.hits, expected.total));
        assert_eq!(
            search(&views, "customers", &[], Some("nowhere"), 50)
                .unwrap()
                .total,
            0
        );
    }

    #[test]
    fn kinds_parse_as_marquez_spells_them() {
        for kind in SearchKind::ALL {
            assert_eq!(SearchKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(SearchKind::parse("dataset"), Some(SearchKind::Dataset));
        assert_eq!(SearchKind::parse("column"), Some(SearchKind::DatasetField));
        assert_eq!(SearchKind::parse("table"), None);
    }
}
