//! The search index: the name, labels and description of everything
//! searchable, in memory, kept up to date as the views change.
//!
//! Datasets, their columns and jobs come from the events, as the writer
//! applies them ([`SearchIndex::observe`]): an entity is added the first
//! time an event names it, and a `documentation` or `schema` facet sets its
//! description or its columns, as the store's current facets do (a later
//! facet replaces an earlier one, `_deleted` removes it). Each facet's
//! digest is kept, so the facets most events repeat word for word cost a
//! hash, not a parse. Products, domains and concepts come from what
//! documents and updates say, replaced as a whole ([`SearchIndex::set_catalog`]).
//!
//! Texts are interned: a column name such as `customer_id` is stored once
//! however many tables have it, with the list of entries it names (its
//! postings). Their lower-cased forms are laid end to end in one buffer
//! (the haystack), which a query scans once with `memchr`'s substring
//! search; each distinct text that contains the query is then matched
//! exactly ([`Pattern::matches`]) and its entries ranked by level, so a
//! query costs one pass over the distinct texts plus the entries it finds,
//! never a pass over every entry.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use super::{Field, Match, Pattern, SearchKind};
use crate::openlineage::digest::FacetDigest;
use crate::openlineage::event::{Dataset, EventKind, Facet, Job};
use crate::openlineage::facets::{self, FacetScope, StandardFacet};
use crate::openlineage::{Event, NodeId};

/// An entry: one searchable thing.
pub type EntryId = u32;

/// An interned text.
type TextId = u32;

/// Where an entry is, beyond its kind and name.
#[derive(Debug, Clone, PartialEq, Eq)]
enum At {
    /// A dataset or job in a namespace (an index into `namespaces`).
    Entity { namespace: u32 },
    /// A column of a dataset (the dataset's entry).
    Column { dataset: EntryId },
    /// A data product, domain or concept: its IRI.
    Iri(Box<str>),
}

/// One searchable thing.
#[derive(Debug, Clone)]
struct Entry {
    kind: SearchKind,
    /// Its name (a column's field name, a catalog entry's label or IRI).
    name: TextId,
    /// Its labels (a product's title, a domain's label, a concept's label
    /// and notations).
    labels: Box<[TextId]>,
    description: Option<TextId>,
    at: At,
}

impl Entry {
    /// Whether `text` is this entry's name or one of its labels.
    fn names(&self, text: TextId) -> bool {
        self.name == text || self.labels.contains(&text)
    }
}

/// A distinct text and the entries whose name, label or description it is.
#[derive(Debug)]
struct Text {
    original: Arc<str>,
    lower: Box<str>,
    postings: Vec<EntryId>,
}

/// The lower-cased texts end to end, each followed by a NUL, for one
/// substring scan over all of them. Append-only: a text that dies leaves
/// its region behind (it matches nothing, its slot being empty) until
/// dead regions outweigh live ones and the buffer is rebuilt.
#[derive(Debug, Default)]
struct Haystack {
    bytes: String,
    /// Where each region starts, in order, and the text it holds.
    starts: Vec<u32>,
    ids: Vec<TextId>,
    /// Bytes of regions whose text has died.
    dead: usize,
}

impl Haystack {
    fn push(&mut self, id: TextId, lower: &str) {
        self.starts.push(self.bytes.len() as u32);
        self.ids.push(id);
        // A text may hold a NUL too: each hit is checked against its whole
        // text, so one that spans two regions is dropped, never misread.
        self.bytes.push_str(lower);
        self.bytes.push('\0');
    }

    /// The region holding byte `at`: its index.
    fn region(&self, at: usize) -> usize {
        self.starts.partition_point(|&s| s as usize <= at) - 1
    }

    /// Where region `i` ends (its NUL).
    fn end(&self, i: usize) -> usize {
        self.starts
            .get(i + 1)
            .map_or(self.bytes.len(), |&next| next as usize)
            - 1
    }
}

/// Every text, interned, with its postings and the haystack.
#[derive(Debug, Default)]
struct Texts {
    ids: HashMap<Arc<str>, TextId>,
    slots: Vec<Option<Text>>,
    /// Slots free for reuse: only once the haystack has been rebuilt
    /// without the dead text's region, which still names the slot.
    free: Vec<TextId>,
    /// Slots of dead texts whose regions are still in the haystack.
    dying: Vec<TextId>,
    haystack: Haystack,
}

impl Texts {
    /// Adds `entry` to the postings of `text`, interning it if new.
    fn post(&mut self, text: &str, entry: EntryId) -> TextId {
        if let Some(&id) = self.ids.get(text) {
            self.slots[id as usize]
                .as_mut()
                .expect("interned texts are live")
                .postings
                .push(entry);
            return id;
        }
        let original: Arc<str> = Arc::from(text);
        let lower: Box<str> = text.to_lowercase().into();
        let id = match self.free.pop() {
            Some(id) => id,
            None => {
                self.slots.push(None);
                (self.slots.len() - 1) as TextId
            }
        };
        self.haystack.push(id, &lower);
        self.slots[id as usize] = Some(Text {
            original: Arc::clone(&original),
            lower,
            postings: vec![entry],
        });
        self.ids.insert(original, id);
        id
    }

    /// Removes `entry` from the postings of `text`; a text left naming
    /// nothing is dropped.
    fn unpost(&mut self, text: TextId, entry: EntryId) {
        let Some(slot) = &mut self.slots[text as usize] else {
            return;
        };
        if let Some(at) = slot.postings.iter().position(|&e| e == entry) {
            slot.postings.swap_remove(at);
        }
        if slot.postings.is_empty() {
            self.ids.remove(&slot.original);
            self.haystack.dead += slot.lower.len() + 1;
            self.slots[text as usize] = None;
            self.dying.push(text);
            self.compact_if_worth_it();
        }
    }

    /// Rebuilds the haystack from the live texts once dead regions are the
    /// larger part of it; then the dead texts' slots can be reused.
    fn compact_if_worth_it(&mut self) {
        const MIN_DEAD: usize = 1 << 20;
        if self.haystack.dead < MIN_DEAD || self.haystack.dead * 2 < self.haystack.bytes.len() {
            return;
        }
        let mut haystack = Haystack::default();
        for (id, slot) in self.slots.iter().enumerate() {
            if let Some(text) = slot {
                haystack.push(id as TextId, &text.lower);
            }
        }
        self.haystack = haystack;
        self.free.append(&mut self.dying);
    }

    fn get(&self, id: TextId) -> &Text {
        self.slots[id as usize]
            .as_ref()
            .expect("an entry's texts are live")
    }

    /// The live texts whose lower-cased form contains `needle`.
    fn containing(&self, needle: &str) -> Vec<TextId> {
        let finder = memchr::memmem::Finder::new(needle.as_bytes());
        let bytes = self.haystack.bytes.as_bytes();
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(found) = finder.find(&bytes[from..]) {
            let region = self.haystack.region(from + found);
            let id = self.haystack.ids[region];
            if self.slots[id as usize].is_some() {
                out.push(id);
            }
            // The next text: one hit per text is enough.
            from = self.haystack.end(region) + 1;
            if from >= bytes.len() {
                break;
            }
        }
        out
    }
}

/// What the index keeps of a dataset or job beyond its entry: the digests
/// of the facets it reads, and a dataset's column entries.
#[derive(Debug, Default)]
struct Entity {
    entry: EntryId,
    documentation: Option<FacetDigest>,
    schema: Option<FacetDigest>,
    columns: Vec<EntryId>,
}

/// A product, domain or concept, as the catalog describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogEntry {
    /// A data product, a domain or a concept.
    pub kind: SearchKind,
    /// Its IRI.
    pub iri: String,
    /// Its name: its label or title, else its IRI.
    pub name: String,
    /// Its labels (title, label, notations).
    pub labels: Vec<String>,
    /// Its description.
    pub description: Option<String>,
}

/// A hit of [`SearchIndex::query`]: an entry, how well it matched and which
/// of its texts did.
pub type RawHit = (EntryId, Match, Field);

/// The search index. See the module documentation.
#[derive(Debug, Default)]
pub struct SearchIndex {
    texts: Texts,
    entries: Vec<Option<Entry>>,
    free: Vec<EntryId>,
    namespaces: Vec<Box<str>>,
    namespace_ids: HashMap<Box<str>, u32>,
    /// Datasets and jobs, and their numbers by kind, namespace and name.
    entities: Vec<Entity>,
    entity_ids: HashMap<(SearchKind, u32), HashMap<Box<str>, usize>>,
    /// The products, domains and concepts, and the RDF change they were
    /// read after (`None`: never read).
    catalog: Vec<EntryId>,
    catalog_generation: Option<u64>,
}

impl SearchIndex {
    /// Takes one event's datasets, columns and jobs in.
    pub fn observe(&mut self, event: &Event) {
        match &event.kind {
            EventKind::Run {
                job, inputs, outputs, ..
            }
            | EventKind::Job { job, inputs, outputs } => {
                self.job(job);
                for input in inputs {
                    self.dataset(&input.dataset);
                }
                for output in outputs {
                    self.dataset(&output.dataset);
                }
            }
            EventKind::Dataset { dataset } => self.dataset(dataset),
        }
    }

    fn job(&mut self, job: &Job) {
        let entity = self.entity(SearchKind::Job, &job.namespace, &job.name);
        if let Some(raw) = job.facets.get("documentation") {
            self.document(entity, FacetScope::Job, raw);
        }
    }

    fn dataset(&mut self, dataset: &Dataset) {
        let entity = self.entity(SearchKind::Dataset, &dataset.namespace, &dataset.name);
        if let Some(raw) = dataset.facets.get("documentation") {
            self.document(entity, FacetScope::Dataset, raw);
        }
        if let Some(raw) = dataset.facets.get("schema") {
            self.schema(entity, raw);
        }
    }

    /// The number of a dataset or job, with an entry made for it if new.
    fn entity(&mut self, kind: SearchKind, namespace: &str, name: &str) -> usize {
        let namespace = match self.namespace_ids.get(namespace) {
            Some(&id) => id,
            None => {
                let id = self.namespaces.len() as u32;
                self.namespaces.push(namespace.into());
                self.namespace_ids.insert(namespace.into(), id);
                id
            }
        };
        if let Some(&known) = self
            .entity_ids
            .get(&(kind, namespace))
            .and_then(|names| names.get(name))
        {
            return known;
        }
        let entry = self.add(kind, name, &[], None, At::Entity { namespace });
        self.entities.push(Entity {
            entry,
            ..Entity::default()
        });
        let number = self.entities.len() - 1;
        self.entity_ids
            .entry((kind, namespace))
            .or_default()
            .insert(name.into(), number);
        number
    }

    /// A facet's digest, or `None` when it removes the facet.
    fn digest(raw: &Facet) -> Option<FacetDigest> {
        (!facets::removes(raw.get())).then(|| raw.digest())
    }

    /// A `documentation` facet: the entity's description.
    fn document(&mut self, entity: usize, scope: FacetScope, raw: &Facet) {
        let digest = Self::digest(raw);
        let entity = &mut self.entities[entity];
        if entity.documentation == digest {
            return;
        }
        entity.documentation = digest;
        let entry = entity.entry;
        let description = match digest.and_then(|_| raw.standard(scope, "documentation")) {
            Some(StandardFacet::Documentation(doc)) => Some(doc.description.as_str()),
            _ => None,
        };
        self.set_description(entry, description);
    }

    /// A `schema` facet: the dataset's top-level columns, each with its
    /// description.
    fn schema(&mut self, number: usize, raw: &Facet) {
        let digest = Self::digest(raw);
        let entity = &mut self.entities[number];
        if entity.schema == digest {
            return;
        }
        entity.schema = digest;
        let dataset = entity.entry;
        let fields: Vec<(String, Option<String>)> =
            match digest.and_then(|_| raw.standard(FacetScope::Dataset, "schema")) {
                Some(StandardFacet::Schema(schema)) => schema
                    .fields
                    .iter()
                    .map(|f| (f.name.clone(), f.description.clone()))
                    .collect(),
                _ => Vec::new(),
            };
        let current: Vec<(&str, Option<&str>)> = self.entities[number]
            .columns
            .iter()
            .map(|&c| {
                let column = self.entry(c);
                (
                    &*self.texts.get(column.name).original,
                    column.description.map(|d| &*self.texts.get(d).original),
                )
            })
            .collect();
        // A schema whose types changed keeps its columns: nothing to redo.
        if current
            .iter()
            .copied()
            .eq(fields.iter().map(|(n, d)| (n.as_str(), d.as_deref())))
        {
            return;
        }
        let old = std::mem::take(&mut self.entities[number].columns);
        for column in old {
            self.remove(column);
        }
        let columns = fields
            .iter()
            .map(|(name, description)| {
                self.add(
                    SearchKind::DatasetField,
                    name,
                    &[],
                    description.as_deref(),
                    At::Column { dataset },
                )
            })
            .collect();
        self.entities[number].columns = columns;
    }

    /// Replaces the products, domains and concepts with those of the
    /// catalog read after RDF change `generation`, unless a later read has
    /// already been taken in.
    pub fn set_catalog(&mut self, generation: u64, entries: Vec<CatalogEntry>) {
        if self.catalog_generation.is_some_and(|g| g >= generation) {
            return;
        }
        self.catalog_generation = Some(generation);
        for entry in std::mem::take(&mut self.catalog) {
            self.remove(entry);
        }
        self.catalog = entries
            .into_iter()
            .map(|e| {
                let labels: Vec<&str> = e.labels.iter().map(String::as_str).collect();
                self.add(
                    e.kind,
                    &e.name,
                    &labels,
                    e.description.as_deref(),
                    At::Iri(e.iri.into()),
                )
            })
            .collect();
    }

    /// The RDF change the products, domains and concepts were read after.
    pub fn catalog_generation(&self) -> Option<u64> {
        self.catalog_generation
    }

    fn add(
        &mut self,
        kind: SearchKind,
        name: &str,
        labels: &[&str],
        description: Option<&str>,
        at: At,
    ) -> EntryId {
        let id = match self.free.pop() {
            Some(id) => id,
            None => {
                self.entries.push(None);
                (self.entries.len() - 1) as EntryId
            }
        };
        let entry = Entry {
            kind,
            name: self.texts.post(name, id),
            labels: labels.iter().map(|l| self.texts.post(l, id)).collect(),
            description: description.map(|d| self.texts.post(d, id)),
            at,
        };
        self.entries[id as usize] = Some(entry);
        id
    }

    fn remove(&mut self, id: EntryId) {
        let Some(entry) = self.entries[id as usize].take() else {
            return;
        };
        for text in std::iter::once(entry.name)
            .chain(entry.labels.iter().copied())
            .chain(entry.description)
        {
            self.texts.unpost(text, id);
        }
        self.free.push(id);
    }

    fn set_description(&mut self, id: EntryId, description: Option<&str>) {
        let entry = self.entries[id as usize]
            .as_mut()
            .expect("described entries are live");
        let old = entry.description.take();
        if let Some(old) = old {
            self.texts.unpost(old, id);
        }
        let new = description.map(|d| self.texts.post(d, id));
        self.entries[id as usize]
            .as_mut()
            .expect("described entries are live")
            .description = new;
    }

    fn entry(&self, id: EntryId) -> &Entry {
        self.entries[id as usize]
            .as_ref()
            .expect("posted entries are live")
    }

    /// The namespace of an entry: a dataset's or job's, a column's dataset's.
    fn namespace_of(&self, entry: &Entry) -> Option<u32> {
        match &entry.at {
            At::Entity { namespace } => Some(*namespace),
            At::Column { dataset } => self.namespace_of(self.entry(*dataset)),
            At::Iri(_) => None,
        }
    }

    /// The best hits of `query` (lower-cased and trimmed, not empty) among
    /// the entries of the given kinds (all if empty) and namespace (any if
    /// `None`; catalog entries have none), at most `limit`, and how many
    /// entries matched in all.
    ///
    /// The order (which `rank` in the search module's tests spells out
    /// plainly): better match first; at a level, names and labels before
    /// descriptions; then the shorter name, the kind, the name, the id.
    /// Levels are taken in that order, so the first time an entry is met
    /// is its best, and only the level where the `limit` falls is sorted;
    /// the rest are counted.
    pub fn query(
        &self,
        query: &str,
        kinds: &[SearchKind],
        namespace: Option<&str>,
        limit: usize,
    ) -> (Vec<RawHit>, usize) {
        let namespace = match namespace {
            None => None,
            Some(ns) => match self.namespace_ids.get(ns) {
                Some(&id) => Some(id),
                None => return (Vec::new(), 0),
            },
        };
        let pattern = Pattern::new(query);
        let mut levels: HashMap<TextId, Match> = HashMap::new();
        let mut by_level: [Vec<TextId>; 4] = Default::default();
        for id in self.texts.containing(pattern.needle()) {
            if let Some(level) = pattern.matches(&self.texts.get(id).lower) {
                levels.insert(id, level);
                by_level[level as usize].push(id);
            }
        }
        let wanted = |entry: &Entry| {
            (kinds.is_empty() || kinds.contains(&entry.kind))
                && (namespace.is_none() || self.namespace_of(entry) == namespace)
        };
        let mut seen = vec![0u64; self.entries.len().div_ceil(64)];
        let mut total = 0;
        let mut hits: Vec<RawHit> = Vec::new();
        for level in Match::ALL {
            for description in [false, true] {
                let mut bucket: Vec<(EntryId, Field)> = Vec::new();
                for &text in &by_level[level as usize] {
                    for &id in &self.texts.get(text).postings {
                        let entry = self.entry(id);
                        if entry.names(text) == description || !wanted(entry) {
                            continue;
                        }
                        let (word, bit) = (id as usize / 64, 1u64 << (id % 64));
                        if seen[word] & bit != 0 {
                            continue;
                        }
                        seen[word] |= bit;
                        total += 1;
                        if hits.len() < limit {
                            let field = if description {
                                Field::Description
                            } else if levels.get(&entry.name) == Some(&level) {
                                Field::Name
                            } else {
                                Field::Label
                            };
                            bucket.push((id, field));
                        }
                    }
                }
                let need = limit - hits.len();
                if bucket.len() > need {
                    bucket.select_nth_unstable_by(need, |a, b| self.order(a.0, b.0));
                    bucket.truncate(need);
                }
                bucket.sort_by(|a, b| self.order(a.0, b.0));
                hits.extend(bucket.into_iter().map(|(id, field)| (id, level, field)));
            }
        }
        (hits, total)
    }

    /// The order of two entries at the same level and field: the shorter
    /// name, the kind, the name, the id.
    fn order(&self, a: EntryId, b: EntryId) -> Ordering {
        let (ea, eb) = (self.entry(a), self.entry(b));
        let (na, nb) = (
            &self.texts.get(ea.name).original,
            &self.texts.get(eb.name).original,
        );
        na.chars()
            .count()
            .cmp(&nb.chars().count())
            .then_with(|| ea.kind.cmp(&eb.kind))
            .then_with(|| na.cmp(nb))
            .then_with(|| {
                // Columns of one name in many tables all get here: compare
                // their ids part by part rather than building them.
                let (ia, ib) = (self.id_parts(ea), self.id_parts(eb));
                ia.into_iter()
                    .flat_map(str::bytes)
                    .cmp(ib.into_iter().flat_map(str::bytes))
            })
    }

    /// An entry's id ([`super::Candidate::id`]) in parts.
    fn id_parts<'a>(&'a self, entry: &'a Entry) -> [&'a str; 6] {
        match &entry.at {
            At::Entity { namespace } => {
                let prefix = if entry.kind == SearchKind::Job {
                    "job:"
                } else {
                    "dataset:"
                };
                [
                    prefix,
                    &self.namespaces[*namespace as usize],
                    ":",
                    &self.texts.get(entry.name).original,
                    "",
                    "",
                ]
            }
            At::Column { dataset } => {
                let ds = self.entry(*dataset);
                let At::Entity { namespace } = ds.at else {
                    unreachable!("a column's dataset is an entity")
                };
                [
                    "datasetField:",
                    &self.namespaces[namespace as usize],
                    ":",
                    &self.texts.get(ds.name).original,
                    ":",
                    &self.texts.get(entry.name).original,
                ]
            }
            At::Iri(iri) => [iri, "", "", "", "", ""],
        }
    }

    /// What a hit's entry is, for the answer.
    pub fn found(&self, id: EntryId) -> Found<'_> {
        let entry = self.entry(id);
        let text = |t: TextId| &*self.texts.get(t).original;
        let (subject, namespace) = match &entry.at {
            At::Entity { namespace } => {
                let ns = &*self.namespaces[*namespace as usize];
                let name = text(entry.name).to_owned();
                let node = if entry.kind == SearchKind::Job {
                    NodeId::job(ns, &name)
                } else {
                    NodeId::dataset(ns, &name)
                };
                (Subject::Node(node), Some(ns))
            }
            At::Column { dataset } => {
                let ds = self.entry(*dataset);
                let At::Entity { namespace } = ds.at else {
                    unreachable!("a column's dataset is an entity")
                };
                let ns = &*self.namespaces[namespace as usize];
                let node = NodeId::DatasetField {
                    namespace: ns.to_owned(),
                    name: text(ds.name).to_owned(),
                    field: text(entry.name).to_owned(),
                };
                (Subject::Node(node), Some(ns))
            }
            At::Iri(iri) => (Subject::Iri(iri), None),
        };
        Found {
            kind: entry.kind,
            subject,
            name: text(entry.name),
            namespace,
            labels: entry.labels.iter().map(|&l| text(l)).collect(),
            description: entry.description.map(text),
        }
    }
}

/// What a hit names: a lineage node or a catalog IRI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject<'a> {
    /// A dataset, column or job.
    Node(NodeId),
    /// A product, domain or concept.
    Iri(&'a str),
}

/// An entry as an answer shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found<'a> {
    /// What it is.
    pub kind: SearchKind,
    /// Its lineage node or IRI.
    pub subject: Subject<'a>,
    /// Its name.
    pub name: &'a str,
    /// Its namespace (datasets, columns, jobs).
    pub namespace: Option<&'a str>,
    /// Its labels.
    pub labels: Vec<&'a str>,
    /// Its description.
    pub description: Option<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn concept(i: u64) -> CatalogEntry {
        CatalogEntry {
            kind: SearchKind::Concept,
            iri: format!("urn:concept:{i}"),
            name: format!("concept {i}"),
            labels: vec![format!("concept {i}")],
            description: Some(format!("{i} {}", "x".repeat(4096))),
        }
    }

    #[test]
    fn dead_texts_are_compacted_away_and_their_slots_reused() {
        let mut index = SearchIndex::default();
        // 1,000 rounds of two concepts, each replacing the last: 8 MB of
        // descriptions come and go.
        for round in 0..1_000 {
            index.set_catalog(round, vec![concept(round * 2), concept(round * 2 + 1)]);
        }
        assert!(index.texts.haystack.bytes.len() < 2 << 20, "never compacted");
        assert!(index.texts.slots.len() < 1_000, "slots never reused");
        let (hits, total) = index.query("concept 1999", &[], None, 10);
        assert_eq!(total, 1);
        let found = index.found(hits[0].0);
        assert_eq!(found.subject, Subject::Iri("urn:concept:1999"));
        assert_eq!((hits[0].1, hits[0].2), (Match::Exact, Field::Name));
        assert!(found.description.unwrap().starts_with("1999 x"));
        // What is gone is not found, though its text may linger in the buffer.
        assert_eq!(index.query("concept 1997", &[], None, 10).1, 0);
        assert_eq!(index.query("concept", &[], None, 10).1, 2);
        // An older read of the catalog never replaces a newer one.
        index.set_catalog(5, vec![concept(5)]);
        assert_eq!(index.query("concept 5", &[], None, 10).1, 0);
        assert_eq!(index.query("concept 1999", &[], None, 10).1, 1);
    }
}
