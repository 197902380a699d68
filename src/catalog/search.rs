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
//! Called by `GET /api/v1/search` and GraphQL's `search`, from a blocking
//! task: [`search`] reads the candidates from the store ([`candidates`])
//! and ranks them ([`rank`]), which is pure and unit-tested.

use std::cmp::Ordering;

use serde::Serialize;

use super::concepts::ConceptIndex;
use super::{Catalog, CatalogError};
use crate::openlineage::{NodeId, Timestamp};
use crate::store::Store;
use crate::store::read::{self, Page};

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

/// How `query` (already lower-cased and trimmed, not empty) matches `text`.
pub fn match_text(query: &str, text: &str) -> Option<Match> {
    let text = text.to_lowercase();
    if text == query {
        return Some(Match::Exact);
    }
    if text.starts_with(query) {
        return Some(Match::Prefix);
    }
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let terms: Vec<&str> = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let word_prefix = |term: &str| words.iter().any(|w| w.starts_with(term));
    // The query's own punctuation (a `.` in `public.orders`) must match too:
    // a word of the text, at a word boundary, starting with the whole query.
    if starts_a_word(&text, query) || (terms.len() > 1 && terms.iter().all(|t| word_prefix(t))) {
        return Some(Match::WordPrefix);
    }
    if text.contains(query) || (terms.len() > 1 && terms.iter().all(|t| text.contains(t))) {
        return Some(Match::Substring);
    }
    None
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

/// Ranks candidates against `query`: those of the given kinds (all if
/// empty) that match, best first, at most `limit` of them.
pub fn rank(
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

/// Every searchable thing the store holds: the datasets and jobs of every
/// namespace (with their descriptions), the columns of each dataset's
/// current schema, and the catalog's products, domains and concepts.
pub fn candidates(store: &Store, kinds: &[SearchKind]) -> Result<Vec<Candidate>, CatalogError> {
    let wants = |kind| kinds.is_empty() || kinds.contains(&kind);
    let all = Page {
        limit: usize::MAX,
        offset: 0,
    };
    let mut out = Vec::new();
    if wants(SearchKind::Dataset) || wants(SearchKind::DatasetField) || wants(SearchKind::Job) {
        for ns in read::namespaces(store)? {
            if wants(SearchKind::Dataset) || wants(SearchKind::DatasetField) {
                let listing = read::datasets(store, &ns.name, all)?;
                for ds in listing.map(|l| l.items).unwrap_or_default() {
                    if wants(SearchKind::DatasetField) {
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
                    }
                    if wants(SearchKind::Dataset) {
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
                }
            }
            if wants(SearchKind::Job) {
                let listing = read::jobs(store, &ns.name, all, 0)?;
                for job in listing.map(|l| l.items).unwrap_or_default() {
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
        }
    }
    if wants(SearchKind::DataProduct) || wants(SearchKind::Domain) {
        let catalog = Catalog::read_store(store)?;
        if wants(SearchKind::DataProduct) {
            out.extend(catalog.products.into_iter().map(|p| Candidate {
                kind: SearchKind::DataProduct,
                name: p.title.clone().unwrap_or_else(|| p.id.clone()),
                id: p.id,
                namespace: None,
                labels: p.title.into_iter().collect(),
                description: p.description,
                updated_at: None,
            }));
        }
        if wants(SearchKind::Domain) {
            out.extend(catalog.domains.into_iter().map(|d| Candidate {
                kind: SearchKind::Domain,
                name: d.label.clone().unwrap_or_else(|| d.id.clone()),
                id: d.id,
                namespace: None,
                labels: d.label.into_iter().collect(),
                description: d.description,
                updated_at: None,
            }));
        }
    }
    if wants(SearchKind::Concept) {
        out.extend(ConceptIndex::read(store)?.all().into_iter().map(|c| Candidate {
            kind: SearchKind::Concept,
            name: c.label.clone().unwrap_or_else(|| c.id.clone()),
            id: c.id,
            namespace: None,
            labels: c.label.into_iter().chain(c.notations).collect(),
            description: None,
            updated_at: None,
        }));
    }
    Ok(out)
}

/// Searches the mesh: the candidates of the given kinds (all if empty)
/// matching `query`, best first, at most `limit`.
pub fn search(
    store: &Store,
    query: &str,
    kinds: &[SearchKind],
    limit: usize,
) -> Result<SearchAnswer, CatalogError> {
    if query.trim().is_empty() {
        return Ok(SearchAnswer::default());
    }
    Ok(rank(candidates(store, kinds)?, query, kinds, limit))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let answer = rank(
            [
                candidate(SearchKind::Dataset, "preorders", None),
                candidate(SearchKind::Job, "load_orders", None),
                candidate(SearchKind::Dataset, "orders_daily", None),
                candidate(SearchKind::Dataset, "orders", None),
                candidate(SearchKind::Dataset, "carts", Some("Orders not yet placed")),
                candidate(SearchKind::Dataset, "customers", Some("people")),
            ],
            "  ORDERS ",
            &[],
            10,
        );
        let names: Vec<_> = answer.hits.iter().map(|h| h.candidate.name.as_str()).collect();
        assert_eq!(
            names,
            // The match level comes first: a description starting with the
            // query beats a name where it only starts a word.
            ["orders", "orders_daily", "carts", "load_orders", "preorders"]
        );
        assert_eq!(answer.total, 5);
        assert_eq!(answer.hits[2].field, Field::Description);
        assert_eq!(answer.hits[2].matched, Match::Prefix);
    }

    #[test]
    fn kinds_and_limit_filter_but_total_counts_all_matches() {
        let all = [
            candidate(SearchKind::Dataset, "orders", None),
            candidate(SearchKind::Job, "orders", None),
            candidate(SearchKind::Concept, "Order", None),
            candidate(SearchKind::Domain, "orders domain", None),
        ];
        let jobs = rank(all.clone(), "order", &[SearchKind::Job], 10);
        assert_eq!(jobs.total, 1);
        assert_eq!(jobs.hits[0].candidate.kind, SearchKind::Job);
        let one = rank(all.clone(), "order", &[], 1);
        assert_eq!(one.total, 4);
        assert_eq!(one.hits.len(), 1);
        // Exact beats prefix whatever the kind.
        assert_eq!(one.hits[0].candidate.kind, SearchKind::Concept);
        assert!(rank(all, "   ", &[], 10).hits.is_empty());
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
