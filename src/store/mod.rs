//! The RDF store: an oxigraph [`Store`](oxigraph::store::Store) behind a small
//! interface, its vocabulary and the deterministic IRIs of what it holds.
//!
//! Only the writer changes it, through [`Store::apply_events`] and
//! [`Store::apply_change`], one transaction per group commit or change (oxigraph 0.5 does not detect write conflicts, so nothing else
//! may write). Readers ([`read`], [`queries`]) go through [`Store::quads`],
//! [`Store::contains`] and the named queries, from blocking tasks (oxigraph
//! is synchronous); each such lookup or query is one *read*, which a handle
//! made by [`Store::counting`] counts ([`ReadCounter`]).
//!
//! Beside the graph, the store keeps in memory what patterns would find
//! slowly: each entity's latest event time, the digest of each facet graph,
//! each namespace's datasets and jobs in name order ([`Store::members`]),
//! the runs that wrote each dataset ([`Store::writers`]), and the
//! transitions of the runs in progress ([`runs`]). oxigraph's
//! in-memory store indexes each term alone, so a pattern with a known
//! object walks every quad naming that object: a namespace's, or a table
//! thousands of runs read. These tables change with the events the writer
//! applies and are rebuilt with the store on replay; an RDF change that
//! rewrites an entity's own graph by hand does not reach them.

pub mod algebra;
pub mod change;
pub mod document;
pub mod federation;
pub mod iri;
pub mod queries;
pub mod read;
mod runs;
pub mod vocab;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use oxigraph::model::{
    GraphNameRef, Literal, NamedNode, NamedNodeRef, NamedOrBlankNodeRef, Quad, QuadRef, Term, TermRef,
};
use oxigraph::store::{StorageError, Transaction};

use crate::mapping::semantic::Sink;
use crate::mapping::{GraphWrite, Held, Target, map_into, quad, run_typed, time_literal};
use crate::openlineage::digest::{FacetDigest, facet_digest};
use crate::openlineage::{Event, Timestamp};
use change::{ChangeError, RdfChange};
use vocab::{mg, prov};

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// oxigraph failed to read or write.
    #[error("RDF store: {0}")]
    Storage(#[from] StorageError),
    /// A named query a reader runs failed.
    #[error(transparent)]
    Query(#[from] Box<queries::QueryError>),
}

impl From<queries::QueryError> for StoreError {
    fn from(err: queries::QueryError) -> Self {
        Self::Query(Box::new(err))
    }
}

/// The RDF store. Clones share the same store.
#[derive(Clone)]
pub struct Store {
    inner: oxigraph::store::Store,
    /// The latest event time of each namespace, dataset and job, by its
    /// [`graph_key`] (see [`GraphWrite::Touch`]); rebuilt with the store on
    /// replay.
    updated: Arc<RwLock<Keyed<Timestamp>>>,
    /// The digest of the JSON each facet graph holds, by the graph's
    /// [`graph_key`]: tells an unchanged facet without hashing its text into
    /// the store. Rebuilt with the store on replay.
    facets: Arc<RwLock<Keyed<FacetDigest>>>,
    /// The namespaces, datasets and jobs whose identity the store holds, by
    /// [`graph_key`]: spares a store lookup per entity per event. Forgotten
    /// on every RDF change, which may have removed an identity.
    identified: Arc<RwLock<KeySet>>,
    /// Each namespace's datasets and jobs, by name (see
    /// [`GraphWrite::Member`]); rebuilt with the store on replay.
    members: Arc<RwLock<HashMap<String, Members>>>,
    /// The runs that wrote each dataset (stated `prov:generated` in their
    /// own graph); rebuilt with the store on replay.
    writers: Arc<RwLock<HashMap<NamedNode, BTreeSet<NamedNode>>>>,
    /// The transitions of the runs in progress; only the writer uses them.
    runs: Arc<Mutex<runs::Runs>>,
    /// Where this handle counts its reads, if anywhere.
    reads: Option<ReadCounter>,
}

/// Counts reads made through a [`Store`] handle ([`Store::counting`]): each
/// quad-pattern lookup and each SPARQL query evaluation is one read, however
/// many quads it touches. GraphQL gives each request its own counter and
/// reports it as `extensions.storeReads`.
#[derive(Debug, Clone, Default)]
pub struct ReadCounter(Arc<AtomicU64>);

impl ReadCounter {
    /// The reads counted so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// What a namespace member is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Member {
    /// A dataset.
    Dataset,
    /// A job.
    Job,
}

/// One namespace's datasets and jobs, each by name with its IRI.
#[derive(Debug, Default)]
struct Members {
    datasets: BTreeMap<String, NamedNode>,
    jobs: BTreeMap<String, NamedNode>,
}

impl Members {
    fn of(&self, kind: Member) -> &BTreeMap<String, NamedNode> {
        match kind {
            Member::Dataset => &self.datasets,
            Member::Job => &self.jobs,
        }
    }
}

/// A graph's key in [`Store::facets`], [`Store::identified`],
/// [`Store::updated`] and the run table: 16 bytes instead of its IRI.
fn graph_key(graph: &NamedNode) -> u128 {
    xxhash_rust::xxh3::xxh3_128(graph.as_str().as_bytes())
}

/// A map by [`graph_key`].
type Keyed<V> = HashMap<u128, V, BuildHasherDefault<KeyHasher>>;
/// A set of [`graph_key`]s.
type KeySet = HashSet<u128, BuildHasherDefault<KeyHasher>>;

/// Hashes a [`graph_key`], which is a hash already, to its low 64 bits.
/// The writer looks keys up several times per event: SipHash over them
/// was 4% of its instructions. (oxigraph's own encoding hashes terms
/// without a secret key too, so this opens no flooding attack the store
/// did not have.)
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write_u128(&mut self, key: u128) {
        // Truncation intended: the low half of a 128-bit hash.
        self.0 = key as u64;
    }
    /// Not used by `u128` keys; any other bytes are folded in.
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }
}

/// One store transaction applying events as they are mapped: the
/// [`Target`] of [`map_into`], and the [`Held`] it asks, which sees the
/// quads written so far, the facet digests as of the last commit plus those
/// the transaction changed, and the entities identified before or by it.
/// It also gathers what the store keeps beside the quads, to record after
/// the commit.
struct Pending<'a, 'b> {
    txn: Transaction<'b>,
    committed: &'a Keyed<FacetDigest>,
    changed: Keyed<Option<FacetDigest>>,
    identified: &'a KeySet,
    identified_now: KeySet,
    runs: &'a runs::Runs,
    staged: runs::Staged,
    touched: Vec<(u128, Timestamp)>,
    enlisted: Vec<(NamedNode, Member, String, String)>,
    generated: Vec<(NamedNode, NamedNode)>,
    /// The first write that failed: the transaction is then dropped.
    failed: Option<StorageError>,
}

impl Held for Pending<'_, '_> {
    fn quad(&self, quad: QuadRef<'_>) -> bool {
        // A failed lookup only costs a rewrite of an unchanged quad.
        self.txn.contains(quad).unwrap_or(false)
    }

    fn identified(&self, entity: &NamedNode, typed: QuadRef<'_>) -> bool {
        let key = graph_key(entity);
        self.identified.contains(&key) || self.identified_now.contains(&key) || self.quad(typed)
    }

    fn run(&self, run: &NamedNode) -> bool {
        self.staged.knows(self.runs, graph_key(run)) || self.quad(run_typed(run))
    }

    fn facet(&self, graph: &NamedNode, digest: FacetDigest) -> bool {
        let key = graph_key(graph);
        let current = match self.changed.get(&key) {
            Some(changed) => *changed,
            None => self.committed.get(&key).copied(),
        };
        current == Some(digest)
    }
}

impl Sink for Pending<'_, '_> {
    fn add(&mut self, quad: QuadRef<'_>) {
        if quad.predicate == prov::GENERATED
            && let (NamedOrBlankNodeRef::NamedNode(run), TermRef::NamedNode(dataset)) =
                (quad.subject, quad.object)
        {
            self.generated.push((dataset.into_owned(), run.into_owned()));
        }
        self.txn.insert(quad);
    }
}

impl Target for Pending<'_, '_> {
    fn replace_facet(&mut self, graph: &NamedNode, digest: FacetDigest) {
        if self.failed.is_none()
            && let Err(err) = self.txn.clear_graph(graph)
        {
            self.failed = Some(err);
        }
        self.changed.insert(graph_key(graph), Some(digest));
    }

    fn write(&mut self, write: GraphWrite) {
        if self.failed.is_some() {
            return;
        }
        if let Err(err) = self.apply(write) {
            self.failed = Some(err);
        }
    }
}

impl Pending<'_, '_> {
    /// Applies one write, and records what the store keeps beside the
    /// quads: the facets it changes, the runs it moves, the entities it
    /// touches or enlists. An insert and a facet's replacement go the way
    /// the mapping's own ([`Sink::add`], [`Target::replace_facet`]) go.
    fn apply(&mut self, write: GraphWrite) -> Result<(), StorageError> {
        let txn = &mut self.txn;
        match write {
            GraphWrite::Insert(q) => self.add(q.as_ref()),
            GraphWrite::Set(q) => {
                for old in existing(txn, &q)? {
                    if old != q {
                        txn.remove(&old);
                    }
                }
                txn.insert(&q);
            }
            GraphWrite::SetOnce(q) => {
                if existing(txn, &q)?.is_empty() {
                    txn.insert(&q);
                }
            }
            GraphWrite::Touch { entity, time, known } => {
                if !known {
                    let created = quad(&entity, mg::CREATED_AT, time_literal(time), &entity);
                    if existing(txn, &created)?.is_empty() {
                        txn.insert(&created);
                    }
                }
                // Known, or its identity was written just now.
                let key = graph_key(&entity);
                self.identified_now.insert(key);
                self.touched.push((key, time));
            }
            GraphWrite::Member {
                entity,
                kind,
                namespace,
                name,
            } => self.enlisted.push((entity, kind, namespace, name)),
            GraphWrite::ReplaceGraph { graph, quads } => {
                txn.clear_graph(&graph)?;
                txn.extend(&quads);
            }
            GraphWrite::ReplaceFacet { graph, quads, digest } => {
                self.replace_facet(&graph, digest);
                for q in &quads {
                    self.add(q.as_ref());
                }
            }
            GraphWrite::ClearFacet(graph) => {
                // Removed, not only emptied: a deleted facet's graph should not
                // be listed by `GRAPH ?g` or answered by the graph store.
                txn.remove_named_graph(&graph)?;
                self.changed.insert(graph_key(&graph), None);
            }
            GraphWrite::SchemaVersion {
                facet,
                digest,
                graph,
                quads,
            } => {
                let stored = object_literal(
                    txn,
                    &facet,
                    mg::FACET_JSON,
                    GraphNameRef::NamedNode(facet.as_ref()),
                )?;
                if stored.is_none_or(|json| facet_digest(json.value()) != digest) {
                    txn.clear_graph(&graph)?;
                    txn.extend(&quads);
                }
            }
            GraphWrite::ResolveRunState { run, transition, new } => {
                runs::resolve(txn, self.runs, &mut self.staged, &run, transition, new)?;
            }
        }
        Ok(())
    }
}

impl Store {
    /// An empty in-memory store; the views are rebuilt from the log at start-up.
    pub fn in_memory() -> Result<Self, StoreError> {
        Ok(Self {
            inner: oxigraph::store::Store::new()?,
            updated: Arc::default(),
            facets: Arc::default(),
            identified: Arc::default(),
            members: Arc::default(),
            writers: Arc::default(),
            runs: Arc::default(),
            reads: None,
        })
    }

    /// The same store, through a handle that counts every read made
    /// through it (and its clones) in `reads`.
    pub fn counting(&self, reads: &ReadCounter) -> Self {
        Self {
            reads: Some(reads.clone()),
            ..self.clone()
        }
    }

    /// Counts one read, if this handle counts.
    fn count_read(&self) {
        if let Some(reads) = &self.reads {
            reads.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The quads matching a pattern (`None` matches anything): one read.
    pub fn quads(
        &self,
        subject: Option<NamedOrBlankNodeRef<'_>>,
        predicate: Option<NamedNodeRef<'_>>,
        object: Option<TermRef<'_>>,
        graph: Option<GraphNameRef<'_>>,
    ) -> impl Iterator<Item = Result<Quad, StoreError>> + 'static {
        self.count_read();
        self.inner
            .quads_for_pattern(subject, predicate, object, graph)
            .map(|q| q.map_err(StoreError::from))
    }

    /// Whether the store holds a quad: one read.
    pub fn contains<'a>(&self, quad: impl Into<QuadRef<'a>>) -> Result<bool, StoreError> {
        self.count_read();
        Ok(self.inner.contains(quad)?)
    }

    /// The runs that wrote a dataset, by IRI. Answered from memory: no
    /// read.
    pub fn writers(&self, dataset: &NamedNode) -> Vec<NamedNode> {
        self.writers
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(dataset)
            .map(|runs| runs.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// A page of the datasets or jobs of a namespace, by name, each with
    /// its IRI, and how many there are in all; `None` if the namespace has
    /// none of either (it is unknown). Answered from memory: no read.
    pub fn members(
        &self,
        namespace: &str,
        kind: Member,
        offset: usize,
        limit: usize,
    ) -> Option<(Vec<(NamedNode, String)>, usize)> {
        let members = self.members.read().unwrap_or_else(|e| e.into_inner());
        let all = members.get(namespace)?.of(kind);
        let page = all
            .iter()
            .skip(offset)
            .take(limit)
            .map(|(name, iri)| (iri.clone(), name.clone()))
            .collect();
        Some((page, all.len()))
    }

    /// The latest event time of a namespace, dataset or job.
    pub fn updated_at(&self, entity: &NamedNode) -> Option<Timestamp> {
        self.updated
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&graph_key(entity))
            .copied()
    }

    /// The oxigraph store itself, for what is not counted as a read: the
    /// SPARQL and graph store endpoints, and tests.
    pub fn oxigraph(&self) -> &oxigraph::store::Store {
        &self.inner
    }

    /// Maps and applies events in one transaction, in order. Each event is
    /// mapped against the transaction's current content, so a facet that an
    /// earlier event of the same group changed is never wrongly skipped.
    pub fn apply_events(&self, events: &[&Event]) -> Result<(), StoreError> {
        let txn = self.inner.start_transaction()?;
        let mut runs = self.runs.lock().unwrap_or_else(|e| e.into_inner());
        let committed = self.facets.read().unwrap_or_else(|e| e.into_inner());
        let identified = self.identified.read().unwrap_or_else(|e| e.into_inner());
        let mut pending = Pending {
            txn,
            committed: &committed,
            changed: Keyed::default(),
            identified: &identified,
            identified_now: KeySet::default(),
            runs: &runs,
            staged: runs::Staged::default(),
            touched: Vec::new(),
            enlisted: Vec::new(),
            generated: Vec::new(),
            failed: None,
        };
        for event in events {
            map_into(event, &mut pending);
            if let Some(err) = pending.failed {
                return Err(err.into());
            }
        }
        let Pending {
            txn,
            changed,
            identified_now,
            staged,
            touched,
            enlisted,
            generated,
            ..
        } = pending;
        txn.commit()?;
        drop((committed, identified));
        runs.commit(staged);
        drop(runs);
        self.identified
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .extend(identified_now);
        self.after_commit(touched, enlisted, generated, changed);
        Ok(())
    }

    /// Applies one non-event change in its own transaction: all of it, or
    /// nothing if it fails.
    pub fn apply_change(&self, change: &RdfChange) -> Result<(), ChangeError> {
        let mut txn = self.inner.start_transaction()?;
        change.apply(&mut txn)?;
        txn.commit()?;
        // A document or an update may have rewritten facet, run and entity
        // graphs behind the digests', the run table's and the identities'
        // back. Forgetting them all is always safe: the next event then
        // writes each facet it carries once more, reads its run back and
        // looks its entities up.
        self.facets.write().unwrap_or_else(|e| e.into_inner()).clear();
        self.identified.write().unwrap_or_else(|e| e.into_inner()).clear();
        self.runs.lock().unwrap_or_else(|e| e.into_inner()).forget();
        Ok(())
    }

    /// Records, after a commit, the facets it changed, the latest event
    /// time of the entities it touched, the members it added and the runs
    /// that wrote datasets.
    fn after_commit(
        &self,
        touched: Vec<(u128, Timestamp)>,
        enlisted: Vec<(NamedNode, Member, String, String)>,
        generated: Vec<(NamedNode, NamedNode)>,
        changed: Keyed<Option<FacetDigest>>,
    ) {
        let mut facets = self.facets.write().unwrap_or_else(|e| e.into_inner());
        for (key, digest) in changed {
            match digest {
                Some(digest) => facets.insert(key, digest),
                None => facets.remove(&key),
            };
        }
        drop(facets);
        let mut updated = self.updated.write().unwrap_or_else(|e| e.into_inner());
        for (entity, time) in touched {
            updated
                .entry(entity)
                .and_modify(|latest| *latest = (*latest).max(time))
                .or_insert(time);
        }
        drop(updated);
        if !enlisted.is_empty() {
            let mut members = self.members.write().unwrap_or_else(|e| e.into_inner());
            for (entity, kind, namespace, name) in enlisted {
                let of = members.entry(namespace).or_default();
                let list = match kind {
                    Member::Dataset => &mut of.datasets,
                    Member::Job => &mut of.jobs,
                };
                list.insert(name, entity);
            }
        }
        if !generated.is_empty() {
            let mut writers = self.writers.write().unwrap_or_else(|e| e.into_inner());
            for (dataset, run) in generated {
                writers.entry(dataset).or_default().insert(run);
            }
        }
    }
}

fn existing(txn: &Transaction<'_>, q: &Quad) -> Result<Vec<Quad>, StorageError> {
    txn.quads_for_pattern(
        Some(q.subject.as_ref()),
        Some(q.predicate.as_ref()),
        None,
        Some(q.graph_name.as_ref()),
    )
    .collect()
}

fn object_literal(
    txn: &Transaction<'_>,
    subject: &NamedNode,
    predicate: NamedNodeRef<'_>,
    graph: GraphNameRef<'_>,
) -> Result<Option<Literal>, StorageError> {
    for q in txn.quads_for_pattern(Some(subject.as_ref().into()), Some(predicate), None, Some(graph)) {
        if let Term::Literal(l) = q?.object {
            return Ok(Some(l));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openlineage::parse_event;
    use crate::store::vocab::rdf;
    use oxigraph::model::GraphNameRef;

    fn dataset_event(time: &str, description: &str) -> Event {
        parse_event(&format!(
            r#"{{"eventTime":"{time}","producer":"p","dataset":{{"namespace":"n","name":"d",
            "facets":{{"documentation":{{"description":"{description}"}}}}}}}}"#
        ))
        .unwrap()
    }

    /// The first object of `(subject, predicate, *)` in any graph, if any.
    fn first_object(
        store: &oxigraph::store::Store,
        subject: NamedNodeRef<'_>,
        predicate: NamedNodeRef<'_>,
    ) -> Result<Option<Term>, StoreError> {
        Ok(store
            .quads_for_pattern(Some(subject.into()), Some(predicate), None, None)
            .next()
            .transpose()?
            .map(|q| q.object))
    }

    fn facet_json(store: &Store) -> Vec<String> {
        let graph = iri::facet(&iri::dataset("n", "d"), "documentation");
        store
            .oxigraph()
            .quads_for_pattern(
                None,
                Some(mg::FACET_JSON),
                None,
                Some(GraphNameRef::NamedNode(graph.as_ref())),
            )
            .map(|q| match q.unwrap().object {
                Term::Literal(l) => {
                    assert_eq!(l.datatype(), rdf::JSON);
                    l.value().to_owned()
                }
                other => panic!("{other}"),
            })
            .collect()
    }

    #[test]
    fn an_unchanged_facet_is_skipped_only_when_it_is_still_current() {
        let store = Store::in_memory().unwrap();
        let v1 = dataset_event("2024-01-01T00:00:00Z", "one");
        store.apply_events(&[&v1]).unwrap();
        // In one group: v2 replaces v1, then v1 comes back. The second event
        // must not be skipped for matching what the store held before the group.
        let v2 = dataset_event("2024-01-02T00:00:00Z", "two");
        let v1_again = dataset_event("2024-01-03T00:00:00Z", "one");
        store.apply_events(&[&v2, &v1_again]).unwrap();
        assert_eq!(facet_json(&store), [r#"{"description":"one"}"#]);
        let before = store.oxigraph().len().unwrap();
        store.apply_events(&[&v1_again]).unwrap();
        assert_eq!(store.oxigraph().len().unwrap(), before);
    }

    #[test]
    fn an_identity_an_rdf_change_removed_is_written_again() {
        let store = Store::in_memory().unwrap();
        let first = dataset_event("2024-01-01T00:00:00Z", "one");
        store.apply_events(&[&first]).unwrap();
        let identity = sorted_quads(&store);
        // Each dataset and namespace graph loses everything but `createdAt`.
        let update = change::Update::parse(
            "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } \
             FILTER(?s = ?g && ?p != <https://meshgraph.dev/ns#createdAt>) }"
                .into(),
            None,
            vec![],
            vec![],
        )
        .unwrap();
        store.apply_change(&RdfChange::Update(update)).unwrap();
        assert_ne!(sorted_quads(&store), identity);
        // The same event again restores exactly what the first one wrote.
        store.apply_events(&[&first]).unwrap();
        assert_eq!(sorted_quads(&store), identity);
    }

    #[test]
    fn what_never_changes_is_stated_once_in_its_own_graph() {
        let store = Store::in_memory().unwrap();
        // A DAG run, then two child runs: the input's schema and the
        // output's column lineage both name the input's column `a`.
        let dag = parse_event(
            r#"{"eventTime":"2024-01-01T00:00:00Z","eventType":"START","producer":"p",
            "run":{"runId":"0196f1a0-0000-7000-8000-00000000000a"},"job":{"namespace":"af","name":"dag"}}"#,
        )
        .unwrap();
        let child = |run: &str| {
            parse_event(&format!(
                r#"{{"eventTime":"2024-01-01T00:01:00Z","eventType":"START","producer":"p",
                "run":{{"runId":"{run}","facets":{{"parent":{{
                    "run":{{"runId":"0196f1a0-0000-7000-8000-00000000000a"}},
                    "job":{{"namespace":"af","name":"dag"}}}}}}}},
                "job":{{"namespace":"dbt","name":"m"}},
                "inputs":[{{"namespace":"pg","name":"in","facets":{{"schema":{{"fields":[{{"name":"a"}}]}}}}}}],
                "outputs":[{{"namespace":"pg","name":"out","facets":{{
                    "schema":{{"fields":[{{"name":"b"}}]}},
                    "columnLineage":{{"fields":{{"b":{{"inputFields":[
                        {{"namespace":"pg","name":"in","field":"a"}}]}}}}}}}}}}]}}"#
            ))
            .unwrap()
        };
        let first = child("0196f1a0-0000-7000-8000-00000000000b");
        let second = child("0196f1a0-0000-7000-8000-00000000000c");
        store.apply_events(&[&dag, &first, &second]).unwrap();
        let graphs = |s: NamedNodeRef<'_>, p: NamedNodeRef<'_>| -> Vec<String> {
            store
                .oxigraph()
                .quads_for_pattern(Some(s.into()), Some(p), None, None)
                .map(|q| q.unwrap().graph_name.to_string())
                .collect()
        };
        // Each column's dataset and path: in its dataset's graph, once,
        // though the input's schema and the output's lineage both name `a`.
        let (input, output) = (iri::dataset("pg", "in"), iri::dataset("pg", "out"));
        for (column, dataset) in [
            (iri::column(&input, "a"), &input),
            (iri::column(&output, "b"), &output),
        ] {
            for p in [oxigraph::model::vocab::rdf::TYPE, mg::OF_DATASET, mg::FIELD_PATH] {
                assert_eq!(graphs(column.as_ref(), p), [dataset.to_string()], "{column} {p}");
            }
        }
        // The DAG run and its job: stated by their own events only, however
        // many children name them.
        let (dag_run, dag_job) = (
            iri::run("0196f1a0-0000-7000-8000-00000000000a".parse().unwrap()),
            iri::job("af", "dag"),
        );
        assert_eq!(graphs(dag_run.as_ref(), mg::OF_JOB), [dag_run.to_string()]);
        assert_eq!(graphs(dag_job.as_ref(), mg::NAME), [dag_job.to_string()]);
        // A run no event of its own stated is stated by the facet naming it.
        let unseen = Store::in_memory().unwrap();
        unseen.apply_events(&[&first]).unwrap();
        let parent_facet = iri::facet(
            &iri::run("0196f1a0-0000-7000-8000-00000000000b".parse().unwrap()),
            "parent",
        );
        assert!(
            unseen
                .oxigraph()
                .contains(QuadRef::new(
                    &dag_run,
                    mg::OF_JOB,
                    &dag_job,
                    GraphNameRef::NamedNode(parent_facet.as_ref())
                ))
                .unwrap()
        );
    }

    fn run_event(run: &str, event_type: &str, time: &str) -> Event {
        parse_event(&format!(
            r#"{{"eventTime":"{time}","eventType":"{event_type}","producer":"p",
            "run":{{"runId":"{run}"}},"job":{{"namespace":"n","name":"j"}}}}"#
        ))
        .unwrap()
    }

    fn sorted_quads(store: &Store) -> Vec<String> {
        let mut quads: Vec<String> = store.oxigraph().iter().map(|q| q.unwrap().to_string()).collect();
        quads.sort();
        quads
    }

    #[test]
    fn run_states_from_memory_match_run_states_read_back() {
        const A: &str = "43d7db3b-8984-4cda-b237-8c6919b36670";
        const B: &str = "0196f1a0-0000-7000-8000-000000000001";
        let events = [
            run_event(A, "START", "2024-01-01T00:00:00Z"),
            run_event(B, "START", "2024-01-01T00:00:30Z"),
            run_event(A, "RUNNING", "2024-01-01T00:01:00Z"),
            // Arrives late, but happened first.
            run_event(B, "RUNNING", "2024-01-01T00:00:10Z"),
            run_event(A, "COMPLETE", "2024-01-01T00:02:00Z"),
            // A finished run is forgotten: these two read it back.
            run_event(A, "RUNNING", "2024-01-01T00:03:00Z"),
            run_event(A, "OTHER", "2024-01-01T00:04:00Z"),
            run_event(B, "FAIL", "2024-01-01T00:05:00Z"),
            // The same event again changes nothing.
            run_event(B, "FAIL", "2024-01-01T00:05:00Z"),
        ];
        let all: Vec<&Event> = events.iter().collect();
        // One group; each event alone; each alone with the table forgotten.
        let together = Store::in_memory().unwrap();
        together.apply_events(&all).unwrap();
        let apart = Store::in_memory().unwrap();
        let read_back = Store::in_memory().unwrap();
        for event in &events {
            apart.apply_events(&[event]).unwrap();
            read_back.runs.lock().unwrap().forget();
            read_back.apply_events(&[event]).unwrap();
        }
        let expected = sorted_quads(&read_back);
        assert_eq!(sorted_quads(&together), expected);
        assert_eq!(sorted_quads(&apart), expected);

        let value = |run: &str, predicate| {
            let run = iri::run(uuid::Uuid::parse_str(run).unwrap());
            let values: Vec<Term> = apart
                .oxigraph()
                .quads_for_pattern(Some(run.as_ref().into()), Some(predicate), None, None)
                .map(|q| q.unwrap().object)
                .collect();
            assert_eq!(values.len(), 1, "{predicate}: {values:?}");
            values[0].to_string()
        };
        assert_eq!(value(A, mg::STATE), "\"COMPLETE\"");
        assert!(value(A, prov::ENDED_AT_TIME).contains("00:02:00"));
        assert!(value(A, mg::UPDATED_AT).contains("00:04:00"));
        assert_eq!(value(B, mg::STATE), "\"FAIL\"");
        assert!(value(B, prov::STARTED_AT_TIME).contains("00:00:30"));
        // Only runs in progress are remembered.
        assert!(apart.runs.lock().unwrap().is_empty());
    }

    #[test]
    fn a_run_in_progress_is_known_from_the_run_table_and_a_finished_one_from_the_store() {
        const A: &str = "43d7db3b-8984-4cda-b237-8c6919b36670";
        let run = iri::run(uuid::Uuid::parse_str(A).unwrap());
        let store = Store::in_memory().unwrap();
        let known =
            |store: &Store| runs::Staged::default().knows(&store.runs.lock().unwrap(), graph_key(&run));
        assert!(!known(&store));
        store
            .apply_events(&[&run_event(A, "START", "2024-01-01T00:00:00Z")])
            .unwrap();
        assert!(known(&store));
        store
            .apply_events(&[&run_event(A, "COMPLETE", "2024-01-01T00:01:00Z")])
            .unwrap();
        // Forgotten once finished; its identity, written once, stays.
        assert!(!known(&store));
        let types = store
            .oxigraph()
            .quads_for_pattern(
                Some(run.as_ref().into()),
                Some(oxigraph::model::vocab::rdf::TYPE),
                None,
                None,
            )
            .count();
        assert_eq!(types, 2, "mg:Run and prov:Activity");
    }

    #[test]
    fn updated_at_is_the_latest_event_time_and_created_at_the_first_seen() {
        let store = Store::in_memory().unwrap();
        store
            .apply_events(&[&dataset_event("2024-01-02T00:00:00Z", "x")])
            .unwrap();
        store
            .apply_events(&[&dataset_event("2024-01-01T00:00:00Z", "x")])
            .unwrap();
        let ds = iri::dataset("n", "d");
        assert_eq!(store.updated_at(&ds), Timestamp::parse("2024-01-02T00:00:00Z"));
        let created = first_object(store.oxigraph(), ds.as_ref(), mg::CREATED_AT).unwrap();
        assert_eq!(
            created,
            Some(time_literal(Timestamp::parse("2024-01-02T00:00:00Z").unwrap()).into())
        );
    }
}
