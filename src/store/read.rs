//! Readers over the RDF store: namespaces, datasets, jobs and runs as the
//! REST and GraphQL layers need them.
//!
//! Every reader is synchronous (oxigraph is) and is called from a blocking
//! task. They walk quad patterns anchored on a known IRI (`(?, mg:job,
//! job)`, `(run, prov:qualifiedUsage, ?)`, ...), never the whole store, and
//! return plain structs; the transport layers only shape them into their
//! wire format. A namespace's members come from the listing the store keeps
//! in memory ([`Store::members`]), and datasets are read in batches
//! ([`datasets_by_key`]): a page of them costs three named queries whatever
//! its size, where a pattern walk would cost a few reads per dataset.
//!
//! What a standard facet means (a dataset's columns, a job's source location,
//! a run's nominal time) is read from the facet's verbatim JSON, the one
//! thing every facet graph is guaranteed to hold (see [`crate::mapping`]).
//! Facets themselves are returned exactly as the producer sent them.
//!
//! Each pattern or query reads its own snapshot of the store, so an answer built
//! while the writer commits may mix two consecutive states; every state is
//! consistent per event, so at worst an answer is one event behind in part.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use oxigraph::model::vocab::rdf;
use oxigraph::model::{GraphNameRef, NamedNode, NamedNodeRef, Quad, QuadRef, Term};
use oxigraph::sparql::QuerySolution;
use serde_json::value::RawValue;
use uuid::Uuid;

use super::queries::{Binding, READ_DATASETS, READ_FACETS, READ_RUNS};
use super::vocab::{mg, prov};
use super::{Member, Store, StoreError, iri};
use crate::openlineage::facets::{self, FacetScope, StandardFacet};
use crate::openlineage::{EventType, Timestamp};

/// Facets by key, each the exact JSON text the producer sent.
pub type FacetMap = BTreeMap<String, Box<RawValue>>;

/// Which slice of a listing to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Page {
    /// Items to return at most.
    pub limit: usize,
    /// Items to skip first.
    pub offset: usize,
}

impl Page {
    fn slice<T>(self, items: Vec<T>) -> impl Iterator<Item = T> {
        items.into_iter().skip(self.offset).take(self.limit)
    }
}

/// One page of a listing and the size of the whole listing.
#[derive(Debug)]
pub struct Listing<T> {
    /// The items of the page.
    pub items: Vec<T>,
    /// How many items the listing holds in all.
    pub total: usize,
}

/// A namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamespaceInfo {
    /// Its name, as sent (often a URI such as `postgres://db:5432`).
    pub name: String,
    /// When meshgraph first heard of it (event time).
    pub created_at: Option<Timestamp>,
    /// The event time of the latest event that mentioned it.
    pub updated_at: Option<Timestamp>,
}

/// What kind of data a dataset holds, in Marquez's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatasetKind {
    /// A table, file or anything read in batches (the default).
    Table,
    /// A stream or topic (`datasetType` facet says `STREAM` or `TOPIC`).
    Stream,
}

/// A column of a dataset, from its `schema` facet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The column name.
    pub name: String,
    /// Its type as the source names it.
    pub data_type: Option<String>,
    /// Its description.
    pub description: Option<String>,
    /// Keys of the `tags` facet entries aimed at this field (top-level
    /// fields only: a tag names its field by name, not by path).
    pub tags: Vec<String>,
    /// Nested fields (structs, arrays of structs), in order.
    pub fields: Vec<Field>,
}

impl Field {
    fn from_schema(field: facets::SchemaField) -> Self {
        Self {
            name: field.name,
            data_type: field.data_type,
            description: field.description,
            tags: Vec::new(),
            fields: field.fields.into_iter().map(Self::from_schema).collect(),
        }
    }
}

/// An owner named by an `ownership` facet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    /// The owner, e.g. `team:data-platform` or `user:jdoe`.
    pub name: String,
    /// The kind of ownership, e.g. `MAINTAINER`.
    pub owner_type: Option<String>,
}

/// A job's `sql` facet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sql {
    /// The query text.
    pub query: String,
    /// The SQL dialect, if the producer named it.
    pub dialect: Option<String>,
}

/// A dataset and what its current facets say.
#[derive(Debug, Clone)]
pub struct DatasetInfo {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// When meshgraph first heard of it.
    pub created_at: Option<Timestamp>,
    /// The event time of the latest event that mentioned it.
    pub updated_at: Option<Timestamp>,
    /// Table or stream.
    pub kind: DatasetKind,
    /// The `dataSource` facet's name.
    pub source_name: Option<String>,
    /// The top-level columns of the `schema` facet, in order.
    pub fields: Vec<Field>,
    /// Keys of the dataset-level entries of the `tags` facet.
    pub tags: Vec<String>,
    /// The `documentation` facet's description.
    pub description: Option<String>,
    /// The `ownership` facet's owners.
    pub owners: Vec<Owner>,
    /// The `lifecycleStateChange` facet's state (`CREATE`, `DROP`, ...).
    pub last_lifecycle_state: Option<String>,
    /// When a completed run last wrote it.
    pub last_modified_at: Option<Timestamp>,
    /// A deterministic id of its current version: the latest run that wrote it.
    pub current_version: Uuid,
    /// Its current facets, verbatim.
    pub facets: FacetMap,
}

/// How a job runs, in Marquez's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Runs to completion (the default).
    Batch,
    /// A streaming job (`jobType.processingType` is `STREAMING`).
    Stream,
    /// A long-running service (`jobType.jobType` is `SERVICE`).
    Service,
}

/// A namespace and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct EntityRef {
    /// The namespace.
    pub namespace: String,
    /// The name.
    pub name: String,
}

/// A job, what its current facets say, and its latest runs.
#[derive(Debug)]
pub struct JobInfo {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// When meshgraph first heard of it.
    pub created_at: Option<Timestamp>,
    /// The event time of the latest event that mentioned it.
    pub updated_at: Option<Timestamp>,
    /// Batch, stream or service (`jobType` facet).
    pub kind: JobKind,
    /// The `sourceCodeLocation` facet's URL.
    pub location: Option<String>,
    /// The `documentation` facet's description.
    pub description: Option<String>,
    /// Keys of the `tags` facet's entries.
    pub tags: Vec<String>,
    /// The parent job named by the latest run's `parent` facet.
    pub parent: Option<EntityRef>,
    /// The `sql` facet's query.
    pub sql: Option<Sql>,
    /// Its current facets, verbatim.
    pub facets: FacetMap,
    /// Its newest runs, newest first (as many as asked for).
    pub latest_runs: Vec<RunInfo>,
}

impl JobInfo {
    /// A job known by its name only: a batch job with no facets and no runs.
    fn named(namespace: String, name: String) -> Self {
        Self {
            namespace,
            name,
            created_at: None,
            updated_at: None,
            kind: JobKind::Batch,
            location: None,
            description: None,
            tags: Vec::new(),
            parent: None,
            sql: None,
            facets: FacetMap::new(),
            latest_runs: Vec::new(),
        }
    }
}

/// A dataset as one run read or wrote it.
#[derive(Debug)]
pub struct RunDataset {
    /// The dataset's namespace.
    pub namespace: String,
    /// The dataset's name.
    pub name: String,
    /// The version of the dataset the run read (the latest earlier write)
    /// or wrote (its own).
    pub version: Uuid,
    /// The run's `inputFacets` or `outputFacets` for it, verbatim.
    pub facets: FacetMap,
}

/// A run, accumulated over all its events.
#[derive(Debug)]
pub struct RunInfo {
    /// Its id.
    pub id: Uuid,
    /// The job it is a run of.
    pub job: EntityRef,
    /// The event time of its first event received.
    pub created_at: Option<Timestamp>,
    /// The event time of its latest event received.
    pub updated_at: Option<Timestamp>,
    /// Its state following event time (START reads as RUNNING); `None` before
    /// any state was reported.
    pub state: Option<EventType>,
    /// When it started.
    pub started_at: Option<Timestamp>,
    /// When it reached its terminal state.
    pub ended_at: Option<Timestamp>,
    /// The `nominalTime` facet's start.
    pub nominal_start_time: Option<Timestamp>,
    /// The `nominalTime` facet's end.
    pub nominal_end_time: Option<Timestamp>,
    /// The job version it ran: a hash of the job, its inputs, outputs and location.
    pub job_version: Uuid,
    /// What it read, by dataset.
    pub inputs: Vec<RunDataset>,
    /// What it wrote, by dataset.
    pub outputs: Vec<RunDataset>,
    /// Its run facets, verbatim.
    pub facets: FacetMap,
    /// Every state transition reported for it, oldest first (GraphQL's
    /// `stateHistory`; Marquez's run JSON has no such field, so REST leaves
    /// it out).
    pub state_history: Vec<Transition>,
}

/// A version of a dataset's schema: the `schema` an event reported when it
/// changed the schema the dataset had.
#[derive(Debug)]
pub struct DatasetVersion {
    /// Its id. A version a run wrote has the id of the dataset as that run
    /// wrote it ([`RunDataset::version`] of the run's output).
    pub id: Uuid,
    /// The event time of the event that reported this schema.
    pub created_at: Timestamp,
    /// The run that wrote the dataset with this schema; `None` when a run
    /// that read it, a DatasetEvent or a JobEvent reported it.
    pub run: Option<Uuid>,
    /// That run's job.
    pub job: Option<EntityRef>,
    /// The `schema` facet, verbatim.
    pub schema: Box<RawValue>,
}

/// A dataset version before its schema is read: enough to sort and find it.
struct VersionHead {
    node: NamedNode,
    id: Uuid,
    created_at: Timestamp,
    run: Option<Uuid>,
}

/// One reported state change of a run (an `mg:RunTransition`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// The event's `eventType`.
    pub event_type: EventType,
    /// The event's `eventTime`.
    pub event_time: Timestamp,
}

/// Every namespace, by name.
pub fn namespaces(store: &Store) -> Result<Vec<NamespaceInfo>, StoreError> {
    let r = Reader(store);
    let mut out = Vec::new();
    for ns in r.subjects_in_own_graph(rdf::TYPE, mg::NAMESPACE_CLASS)? {
        out.push(r.namespace_info(&ns)?);
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// One namespace, if known.
pub fn namespace(store: &Store, name: &str) -> Result<Option<NamespaceInfo>, StoreError> {
    let r = Reader(store);
    let ns = iri::namespace(name);
    if !r.is_a(&ns, mg::NAMESPACE_CLASS)? {
        return Ok(None);
    }
    r.namespace_info(&ns).map(Some)
}

/// A page of a namespace's datasets, by name; `None` if the namespace is
/// unknown. The page is read together ([`datasets_by_key`]): three reads.
pub fn datasets(
    store: &Store,
    namespace: &str,
    page: Page,
) -> Result<Option<Listing<DatasetInfo>>, StoreError> {
    let Some((members, total)) = store.members(namespace, Member::Dataset, page.offset, page.limit) else {
        return Ok(None);
    };
    let keys: Vec<(String, String)> = members
        .into_iter()
        .map(|(_, name)| (namespace.to_owned(), name))
        .collect();
    let mut found = datasets_by_key(store, &keys)?;
    let items = keys.iter().filter_map(|key| found.remove(key)).collect();
    Ok(Some(Listing { items, total }))
}

/// One dataset, if known: three reads.
pub fn dataset(store: &Store, namespace: &str, name: &str) -> Result<Option<DatasetInfo>, StoreError> {
    let key = (namespace.to_owned(), name.to_owned());
    Ok(datasets_by_key(store, std::slice::from_ref(&key))?.remove(&key))
}

/// Datasets by (namespace, name), those the store knows, read together:
/// three reads whatever their number (the named queries `read-datasets`,
/// `read-runs` over the runs the store lists as their writers
/// ([`Store::writers`]), and `read-facets`, each over the whole batch), so a
/// page of datasets or a GraphQL list costs the same as one dataset.
pub fn datasets_by_key(
    store: &Store,
    keys: &[(String, String)],
) -> Result<HashMap<(String, String), DatasetInfo>, StoreError> {
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let iris: Vec<NamedNode> = keys.iter().map(|(ns, name)| iri::dataset(ns, name)).collect();
    let index: HashMap<&NamedNode, usize> = iris.iter().enumerate().map(|(i, iri)| (iri, i)).collect();
    let at = |row: &QuerySolution, var: &str| match row.get(var) {
        Some(Term::NamedNode(n)) => index.get(n).copied(),
        _ => None,
    };
    // Per dataset: `None` if the IRI is not one, else when it was first seen.
    let mut created: Vec<Option<Option<Timestamp>>> = vec![None; keys.len()];
    for row in READ_DATASETS.select(store, &[("dataset", Binding::Iris(iris.clone()))])? {
        let Some(i) = at(&row, "dataset") else { continue };
        let first = created[i].get_or_insert(None);
        *first = first.or(time_of(&row, "created"));
    }
    let known: Vec<NamedNode> = iris
        .iter()
        .zip(&created)
        .filter(|(_, c)| c.is_some())
        .map(|(iri, _)| iri.clone())
        .collect();
    let mut writes: Vec<BTreeMap<Uuid, Write>> = vec![BTreeMap::new(); keys.len()];
    let mut facets: Vec<FacetMap> = vec![FacetMap::new(); keys.len()];
    if !known.is_empty() {
        let runs: BTreeSet<NamedNode> = known.iter().flat_map(|ds| store.writers(ds)).collect();
        if !runs.is_empty() {
            let runs = Binding::Iris(runs.into_iter().collect());
            for row in READ_RUNS.select(store, &[("run", runs)])? {
                // A run's other outputs are not in the batch.
                let (Some(i), Some(Term::NamedNode(run))) = (at(&row, "dataset"), row.get("run")) else {
                    continue;
                };
                let Some(id) = run_id(run) else { continue };
                let complete = matches!(row.get("state"), Some(Term::Literal(l)) if l.value() == EventType::Complete.as_str());
                writes[i].entry(id).or_insert(Write {
                    run: id,
                    created_at: time_of(&row, "created"),
                    completed_at: if complete { time_of(&row, "ended") } else { None },
                });
            }
        }
        for row in READ_FACETS.select(store, &[("entity", Binding::Iris(known))])? {
            let (Some(i), Some(Term::Literal(key)), Some(Term::Literal(json))) =
                (at(&row, "entity"), row.get("key"), row.get("json"))
            else {
                continue;
            };
            match RawValue::from_string(json.value().to_owned()) {
                Ok(raw) => {
                    facets[i].insert(key.value().to_owned(), raw);
                }
                // Only the mapping writes facet JSON, from validated events.
                Err(err) => {
                    tracing::warn!(dataset = iris[i].as_str(), %err, "stored facet is not JSON; skipped")
                }
            }
        }
    }
    Ok(keys
        .iter()
        .zip(created)
        .zip(writes.into_iter().zip(facets))
        .zip(&iris)
        .filter_map(|(((key, created_at), (writes, facets)), iri)| {
            let info = dataset_info(key, created_at?, store.updated_at(iri), facets, writes.values());
            Some((key.clone(), info))
        })
        .collect())
}

/// A page of a namespace's jobs, by name, each with its `runs` newest runs;
/// `None` if the namespace is unknown.
pub fn jobs(
    store: &Store,
    namespace: &str,
    page: Page,
    runs: usize,
) -> Result<Option<Listing<JobInfo>>, StoreError> {
    let r = Reader(store);
    let Some((members, total)) = store.members(namespace, Member::Job, page.offset, page.limit) else {
        return Ok(None);
    };
    let items = members
        .into_iter()
        .map(|(iri, name)| r.job_info(&iri, namespace, name, runs))
        .collect::<Result<_, _>>()?;
    Ok(Some(Listing { items, total }))
}

/// One job with its `runs` newest runs, if known.
pub fn job(store: &Store, namespace: &str, name: &str, runs: usize) -> Result<Option<JobInfo>, StoreError> {
    let r = Reader(store);
    let job = iri::job(namespace, name);
    if !r.is_a(&job, mg::JOB)? {
        return Ok(None);
    }
    r.job_info(&job, namespace, name.to_owned(), runs).map(Some)
}

/// A page of a job's runs, newest first; `None` if the job is unknown.
pub fn runs(
    store: &Store,
    namespace: &str,
    job: &str,
    page: Page,
) -> Result<Option<Listing<RunInfo>>, StoreError> {
    let r = Reader(store);
    let job = iri::job(namespace, job);
    if !r.is_a(&job, mg::JOB)? {
        return Ok(None);
    }
    let all = r.runs_of(&job)?;
    let total = all.len();
    let items = page
        .slice(all)
        .map(|(run, _)| r.run_info(&run))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(Listing {
        items: items.into_iter().flatten().collect(),
        total,
    }))
}

/// One run, if known.
pub fn run(store: &Store, id: Uuid) -> Result<Option<RunInfo>, StoreError> {
    let r = Reader(store);
    let run = iri::run(id);
    if !r.is_a(&run, mg::RUN)? {
        return Ok(None);
    }
    r.run_info(&run)
}

/// The run of a run IRI (as the named queries answer runs), if it is one.
pub fn run_at(store: &Store, run: &NamedNode) -> Result<Option<RunInfo>, StoreError> {
    Reader(store).run_info(run)
}

/// A page of the versions of a dataset's schema, newest first (none for an
/// unknown dataset). A version is recorded when an event reports a schema
/// that differs from the dataset's current one (see
/// [`crate::mapping::GraphWrite::SchemaVersion`]), so the list costs one
/// index lookup plus a few reads per version, whatever the number of runs.
pub fn dataset_versions(
    store: &Store,
    namespace: &str,
    name: &str,
    page: Page,
) -> Result<Listing<DatasetVersion>, StoreError> {
    let r = Reader(store);
    let all = r.versions(namespace, name)?;
    let total = all.len();
    let items = page
        .slice(all)
        .map(|head| r.version(head))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Listing {
        items: items.into_iter().flatten().collect(),
        total,
    })
}

/// One version of a dataset's schema by its id, if the dataset has it.
pub fn dataset_version(
    store: &Store,
    namespace: &str,
    name: &str,
    id: Uuid,
) -> Result<Option<DatasetVersion>, StoreError> {
    let r = Reader(store);
    match r.versions(namespace, name)?.into_iter().find(|v| v.id == id) {
        Some(head) => r.version(head),
        None => Ok(None),
    }
}

/// The current facets of a job, verbatim; `None` if the job is unknown.
pub fn job_facets(store: &Store, job: &EntityRef) -> Result<Option<FacetMap>, StoreError> {
    let r = Reader(store);
    let iri = iri::job(&job.namespace, &job.name);
    if !r.is_a(&iri, mg::JOB)? {
        return Ok(None);
    }
    r.facets(&iri).map(Some)
}

/// A job by namespace and name with its `runs` newest runs, including a job
/// known only because a `parent` facet named it; `None` if nothing named it.
///
/// This resolves [`JobInfo::parent`] (read from the `parent` facet of the
/// job's latest run) to a job. A parent job (an Airflow DAG, say) may never
/// have sent an event of its own: the store then knows it only from its
/// children's parent facets, and it comes back with its namespace and name
/// and nothing else. OpenLineage defines `parent` as a run facet only, so a
/// job has no parent facet of its own to consult. Cost: one job read.
pub fn job_or_reference(store: &Store, job: &EntityRef, runs: usize) -> Result<Option<JobInfo>, StoreError> {
    let r = Reader(store);
    let iri = iri::job(&job.namespace, &job.name);
    if r.is_a(&iri, mg::JOB)? {
        return r.job_info(&iri, &job.namespace, job.name.clone(), runs).map(Some);
    }
    if !r.is_referenced_job(&iri)? {
        return Ok(None);
    }
    Ok(Some(JobInfo::named(job.namespace.clone(), job.name.clone())))
}

/// A page of the jobs whose runs name `job` in their `parent` facet (any of
/// their runs, not only the latest), by namespace then name, each with its
/// `runs` newest runs; `None` if the job is unknown.
///
/// The mapping states `child mg:parentJob parent` in each child run's parent
/// facet graph, so this is one lookup on the (predicate, object) index: it
/// reads one index entry per child run that named this job (a DAG of 50
/// tasks run daily for a year: ~18,000 entries; not measured yet), never
/// another job's, then reads only the jobs of the page.
pub fn job_children(
    store: &Store,
    job: &EntityRef,
    page: Page,
    runs: usize,
) -> Result<Option<Listing<JobInfo>>, StoreError> {
    let r = Reader(store);
    let parent = iri::job(&job.namespace, &job.name);
    // A parent known only by reference has children too.
    if !r.is_a(&parent, mg::JOB)? && !r.is_referenced_job(&parent)? {
        return Ok(None);
    }
    let mut children = Vec::new();
    for q in r.quads(None, mg::PARENT_JOB, Some(&parent.clone().into()), None) {
        if let oxigraph::model::NamedOrBlankNode::NamedNode(child) = q?.subject {
            children.push(child);
        }
    }
    children.sort();
    children.dedup();
    let mut named = Vec::new();
    for child in children {
        // A child sent a run event, so its identity is in its own graph.
        if r.is_a(&child, mg::JOB)?
            && let Some(at) = r.entity_ref(&child)?
        {
            named.push((at, child));
        }
    }
    named.sort();
    let total = named.len();
    let items = page
        .slice(named)
        .map(|(at, iri)| r.job_info(&iri, &at.namespace, at.name, runs))
        .collect::<Result<_, _>>()?;
    Ok(Some(Listing { items, total }))
}

/// A run that wrote a dataset, as far as versions and modification times need.
#[derive(Debug, Clone)]
struct Write {
    run: Uuid,
    created_at: Option<Timestamp>,
    /// The end time of a COMPLETE run.
    completed_at: Option<Timestamp>,
}

/// Read access to the oxigraph store through quad patterns.
struct Reader<'a>(&'a Store);

impl Reader<'_> {
    fn quads(
        &self,
        subject: Option<&NamedNode>,
        predicate: NamedNodeRef<'_>,
        object: Option<&Term>,
        graph: Option<&NamedNode>,
    ) -> impl Iterator<Item = Result<Quad, StoreError>> {
        self.0.quads(
            subject.map(|s| s.as_ref().into()),
            Some(predicate),
            object.map(Term::as_ref),
            graph.map(|g| GraphNameRef::NamedNode(g.as_ref())),
        )
    }

    /// Objects of `(subject, predicate, ?)` in the subject's own graph, where
    /// the mapping keeps an entity's identity and a run's observations; other
    /// graphs (facet meanings, loaded ontologies) may reuse the predicates.
    fn objects(&self, subject: &NamedNode, predicate: NamedNodeRef<'_>) -> Result<Vec<Term>, StoreError> {
        self.quads(Some(subject), predicate, None, Some(subject))
            .map(|q| q.map(|q| q.object))
            .collect()
    }

    fn object_in(
        &self,
        subject: &NamedNode,
        predicate: NamedNodeRef<'_>,
        graph: &NamedNode,
    ) -> Result<Option<Term>, StoreError> {
        self.quads(Some(subject), predicate, None, Some(graph))
            .next()
            .transpose()
            .map(|q| q.map(|q| q.object))
    }

    fn literal(
        &self,
        subject: &NamedNode,
        predicate: NamedNodeRef<'_>,
    ) -> Result<Option<String>, StoreError> {
        Ok(match self.object_in(subject, predicate, subject)? {
            Some(Term::Literal(l)) => Some(l.value().to_owned()),
            _ => None,
        })
    }

    fn node(
        &self,
        subject: &NamedNode,
        predicate: NamedNodeRef<'_>,
    ) -> Result<Option<NamedNode>, StoreError> {
        Ok(match self.object_in(subject, predicate, subject)? {
            Some(Term::NamedNode(n)) => Some(n),
            _ => None,
        })
    }

    fn time(
        &self,
        subject: &NamedNode,
        predicate: NamedNodeRef<'_>,
    ) -> Result<Option<Timestamp>, StoreError> {
        Ok(self
            .literal(subject, predicate)?
            .and_then(|t| Timestamp::parse(&t)))
    }

    /// Subjects `s` of `(s, predicate, object)` stated in `s`'s own graph.
    fn subjects_in_own_graph(
        &self,
        predicate: NamedNodeRef<'_>,
        object: impl Into<Term>,
    ) -> Result<Vec<NamedNode>, StoreError> {
        let object = object.into();
        let mut out = Vec::new();
        for q in self.quads(None, predicate, Some(&object), None) {
            let q = q?;
            if let oxigraph::model::NamedOrBlankNode::NamedNode(s) = q.subject
                && q.graph_name.as_ref() == GraphNameRef::NamedNode(s.as_ref())
            {
                out.push(s);
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    fn is_a(&self, subject: &NamedNode, class: NamedNodeRef<'_>) -> Result<bool, StoreError> {
        self.0.contains(QuadRef::new(
            subject,
            rdf::TYPE,
            class,
            GraphNameRef::NamedNode(subject.as_ref()),
        ))
    }

    /// The namespace and name of a dataset or job.
    fn entity_ref(&self, entity: &NamedNode) -> Result<Option<EntityRef>, StoreError> {
        let name = self.literal(entity, mg::NAME)?;
        let ns = match self.node(entity, mg::IN_NAMESPACE)? {
            Some(ns) => self.literal(&ns, mg::NAME)?,
            None => None,
        };
        Ok(ns
            .zip(name)
            .map(|(namespace, name)| EntityRef { namespace, name }))
    }

    /// The facets hanging on `owner`, verbatim, by key.
    fn facets(&self, owner: &NamedNode) -> Result<FacetMap, StoreError> {
        let mut out = FacetMap::new();
        for q in self.quads(Some(owner), mg::HAS_FACET, None, None) {
            let Term::NamedNode(facet) = q?.object else {
                continue;
            };
            // Key and JSON live in the facet's own graph, named like the facet.
            let key = match self.object_in(&facet, mg::FACET_KEY, &facet)? {
                Some(Term::Literal(l)) => l.value().to_owned(),
                _ => continue,
            };
            let Some(Term::Literal(json)) = self.object_in(&facet, mg::FACET_JSON, &facet)? else {
                continue;
            };
            match RawValue::from_string(json.value().to_owned()) {
                Ok(raw) => {
                    out.insert(key, raw);
                }
                // Only the mapping writes facet JSON, from validated events.
                Err(err) => tracing::warn!(facet = facet.as_str(), %err, "stored facet is not JSON; skipped"),
            }
        }
        Ok(out)
    }

    fn namespace_info(&self, ns: &NamedNode) -> Result<NamespaceInfo, StoreError> {
        Ok(NamespaceInfo {
            name: self.literal(ns, mg::NAME)?.unwrap_or_default(),
            created_at: self.time(ns, mg::CREATED_AT)?,
            updated_at: self.0.updated_at(ns),
        })
    }

    /// The runs that wrote a dataset (those the store lists as its
    /// writers, [`Store::writers`]).
    fn writes(&self, ds: &NamedNode) -> Result<Vec<Write>, StoreError> {
        let mut out = Vec::new();
        for run in self.0.writers(ds) {
            let Some(id) = run_id(&run) else { continue };
            let complete = self.literal(&run, mg::STATE)?.as_deref() == Some(EventType::Complete.as_str());
            out.push(Write {
                run: id,
                created_at: self.time(&run, mg::CREATED_AT)?,
                completed_at: if complete {
                    self.time(&run, prov::ENDED_AT_TIME)?
                } else {
                    None
                },
            });
        }
        Ok(out)
    }

    /// A dataset's schema versions, newest first; at one instant, the one a
    /// run wrote before what a reader reported (the mapping writes an
    /// event's inputs before its outputs), then by id.
    fn versions(&self, namespace: &str, name: &str) -> Result<Vec<VersionHead>, StoreError> {
        let ds = iri::dataset(namespace, name);
        let mut out = Vec::new();
        for node in self.subjects_in_own_graph(prov::SPECIALIZATION_OF, ds)? {
            let Some(created) = self.literal(&node, mg::CREATED_AT)? else {
                continue;
            };
            let Some(created_at) = Timestamp::parse(&created) else {
                continue;
            };
            let run = self
                .node(&node, prov::WAS_GENERATED_BY)?
                .as_ref()
                .and_then(run_id);
            // The key the mapping named the version by (see `version_id`).
            let key = match run {
                Some(run) => run.hyphenated().to_string(),
                None => created,
            };
            out.push(VersionHead {
                id: version_id(namespace, name, &key),
                node,
                created_at,
                run,
            });
        }
        out.sort_by_key(|v| std::cmp::Reverse((v.created_at, v.run.is_some(), v.id)));
        Ok(out)
    }

    /// A version with its schema and the job of its run.
    fn version(&self, head: VersionHead) -> Result<Option<DatasetVersion>, StoreError> {
        let Some(Term::Literal(json)) = self.object_in(&head.node, mg::SCHEMA_JSON, &head.node)? else {
            return Ok(None);
        };
        let schema = match RawValue::from_string(json.value().to_owned()) {
            Ok(schema) => schema,
            // Only the mapping writes it, from a validated facet.
            Err(err) => {
                tracing::warn!(version = head.node.as_str(), %err, "stored schema is not JSON; skipped");
                return Ok(None);
            }
        };
        let job = match head.run {
            Some(run) => match self.node(&iri::run(run), mg::OF_JOB)? {
                Some(job) => self.entity_ref(&job)?,
                None => None,
            },
            None => None,
        };
        Ok(Some(DatasetVersion {
            id: head.id,
            created_at: head.created_at,
            run: head.run,
            job,
            schema,
        }))
    }

    fn job_info(
        &self,
        job: &NamedNode,
        namespace: &str,
        name: String,
        runs: usize,
    ) -> Result<JobInfo, StoreError> {
        let facets = self.facets(job)?;
        let mut info = JobInfo {
            created_at: self.time(job, mg::CREATED_AT)?,
            updated_at: self.0.updated_at(job),
            ..JobInfo::named(namespace.to_owned(), name)
        };
        for (key, raw) in &facets {
            match standard(FacetScope::Job, key, raw) {
                Some(StandardFacet::JobType(ty)) => {
                    info.kind = if ty.job_type.as_deref() == Some("SERVICE") {
                        JobKind::Service
                    } else if ty.processing_type.eq_ignore_ascii_case("STREAMING") {
                        JobKind::Stream
                    } else {
                        JobKind::Batch
                    };
                }
                Some(StandardFacet::SourceCodeLocation(loc)) => info.location = Some(loc.url),
                Some(StandardFacet::Documentation(doc)) => info.description = Some(doc.description),
                Some(StandardFacet::Tags(tags)) => info.tags = tags.tags.into_iter().map(|t| t.key).collect(),
                Some(StandardFacet::Sql(sql)) => {
                    info.sql = Some(Sql {
                        query: sql.query,
                        dialect: sql.dialect,
                    });
                }
                _ => {}
            }
        }
        info.facets = facets;
        if runs > 0 {
            let page = Page {
                limit: runs,
                offset: 0,
            };
            for (run, _) in page.slice(self.runs_of(job)?) {
                info.latest_runs.extend(self.run_info(&run)?);
            }
        }
        // The parent is a run facet; the newest run that names one speaks for the job.
        info.parent = match info.latest_runs.first() {
            Some(latest) => parent_job(&latest.facets),
            None => None,
        };
        Ok(info)
    }

    /// Whether some parent facet named `job` (the mapping types it
    /// `mg:Job` in that facet's graph, not in the job's own).
    fn is_referenced_job(&self, job: &NamedNode) -> Result<bool, StoreError> {
        // Any graph: the job's own graph is checked by `is_a` first.
        let class = Term::from(mg::JOB.into_owned());
        Ok(self
            .quads(Some(job), rdf::TYPE, Some(&class), None)
            .next()
            .transpose()?
            .is_some())
    }

    /// A run's transitions, oldest first; transitions at the same instant in
    /// lifecycle order (START before COMPLETE), so the order is stable.
    fn transitions(&self, run: &NamedNode) -> Result<Vec<Transition>, StoreError> {
        let mut out = Vec::new();
        for term in self.objects(run, mg::HAS_TRANSITION)? {
            let Term::NamedNode(transition) = term else {
                continue;
            };
            // Transitions are stated in the run's graph, not their own.
            let event_type = match self.object_in(&transition, mg::EVENT_TYPE, run)? {
                Some(Term::Literal(l)) => EventType::parse(l.value()),
                _ => None,
            };
            let event_time = match self.object_in(&transition, mg::EVENT_TIME, run)? {
                Some(Term::Literal(l)) => Timestamp::parse(l.value()),
                _ => None,
            };
            if let (Some(event_type), Some(event_time)) = (event_type, event_time) {
                out.push(Transition {
                    event_type,
                    event_time,
                });
            }
        }
        out.sort_by_key(|t| (t.event_time, t.event_type as u8));
        Ok(out)
    }

    /// A job's runs, newest first (by creation, then id for a stable order).
    fn runs_of(&self, job: &NamedNode) -> Result<Vec<(NamedNode, Option<Timestamp>)>, StoreError> {
        let mut out = Vec::new();
        for run in self.subjects_in_own_graph(mg::OF_JOB, job.clone())? {
            let created = self.time(&run, mg::CREATED_AT)?;
            out.push((run, created));
        }
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(out)
    }

    fn run_info(&self, run: &NamedNode) -> Result<Option<RunInfo>, StoreError> {
        let Some(id) = run_id(run) else {
            return Ok(None);
        };
        let Some(job_iri) = self.node(run, mg::OF_JOB)? else {
            return Ok(None);
        };
        let Some(job) = self.entity_ref(&job_iri)? else {
            return Ok(None);
        };
        let created_at = self.time(run, mg::CREATED_AT)?;
        let facets = self.facets(run)?;
        let (mut nominal_start_time, mut nominal_end_time) = (None, None);
        if let Some(raw) = facets.get("nominalTime")
            && let Some(StandardFacet::NominalTime(nominal)) = standard(FacetScope::Run, "nominalTime", raw)
        {
            nominal_start_time = Some(nominal.nominal_start_time);
            nominal_end_time = nominal.nominal_end_time;
        }
        let mut inputs = Vec::new();
        for (ds, usage) in self.linked(run, prov::USED, iri::usage)? {
            let Some(at) = self.entity_ref(&ds)? else { continue };
            let writes = self.writes(&ds)?;
            // The version read is the latest one written before this run began.
            let earlier = latest_write(
                writes
                    .iter()
                    .filter(|w| w.run != id && w.created_at <= created_at),
            );
            inputs.push(RunDataset {
                version: write_version(&at.namespace, &at.name, earlier),
                namespace: at.namespace,
                name: at.name,
                facets: self.facets(&usage)?,
            });
        }
        let mut outputs = Vec::new();
        for (ds, generation) in self.linked(run, prov::GENERATED, iri::generation)? {
            let Some(at) = self.entity_ref(&ds)? else { continue };
            outputs.push(RunDataset {
                version: write_version(&at.namespace, &at.name, Some(id)),
                namespace: at.namespace,
                name: at.name,
                facets: self.facets(&generation)?,
            });
        }
        inputs.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        outputs.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        let location = self.job_location(&job_iri)?;
        Ok(Some(RunInfo {
            id,
            job_version: job_version(&job, &inputs, &outputs, location.as_deref()),
            created_at,
            updated_at: self.time(run, mg::UPDATED_AT)?,
            state: self.literal(run, mg::STATE)?.and_then(|s| EventType::parse(&s)),
            started_at: self.time(run, prov::STARTED_AT_TIME)?,
            ended_at: self.time(run, prov::ENDED_AT_TIME)?,
            nominal_start_time,
            nominal_end_time,
            job,
            inputs,
            outputs,
            facets,
            state_history: self.transitions(run)?,
        }))
    }

    fn job_location(&self, job: &NamedNode) -> Result<Option<String>, StoreError> {
        let facet = iri::facet(job, "sourceCodeLocation");
        let Some(Term::Literal(json)) = self.object_in(&facet, mg::FACET_JSON, &facet)? else {
            return Ok(None);
        };
        let Ok(raw) = RawValue::from_string(json.value().to_owned()) else {
            return Ok(None);
        };
        Ok(match standard(FacetScope::Job, "sourceCodeLocation", &raw) {
            Some(StandardFacet::SourceCodeLocation(loc)) => Some(loc.url),
            _ => None,
        })
    }

    /// A run's datasets through `prov:used` or `prov:generated`, each with
    /// the IRI of its qualified usage or generation (`qualified`), where its
    /// facets are, if it has any.
    fn linked(
        &self,
        run: &NamedNode,
        predicate: NamedNodeRef<'_>,
        qualified: fn(&NamedNode, &NamedNode) -> NamedNode,
    ) -> Result<Vec<(NamedNode, NamedNode)>, StoreError> {
        let mut out = Vec::new();
        for term in self.objects(run, predicate)? {
            if let Term::NamedNode(ds) = term {
                let node = qualified(run, &ds);
                out.push((ds, node));
            }
        }
        Ok(out)
    }
}

/// The facets a [`DatasetInfo`] interprets; the others (a `columnLineage`
/// facet can be large) are only passed on verbatim, never parsed here.
const DATASET_FACETS: [&str; 7] = [
    "schema",
    "ownership",
    "dataSource",
    "documentation",
    "lifecycleStateChange",
    "datasetType",
    "tags",
];

/// A dataset from what the store holds of it: its first event time, latest
/// event time, current facets and the runs that wrote it.
fn dataset_info<'a>(
    (namespace, name): &(String, String),
    created_at: Option<Timestamp>,
    updated_at: Option<Timestamp>,
    facets: FacetMap,
    writes: impl Iterator<Item = &'a Write> + Clone,
) -> DatasetInfo {
    let mut info = DatasetInfo {
        namespace: namespace.clone(),
        name: name.clone(),
        created_at,
        updated_at,
        kind: DatasetKind::Table,
        source_name: None,
        fields: Vec::new(),
        tags: Vec::new(),
        description: None,
        owners: Vec::new(),
        last_lifecycle_state: None,
        last_modified_at: writes.clone().filter_map(|w| w.completed_at).max(),
        current_version: write_version(namespace, name, latest_write(writes)),
        facets: FacetMap::new(),
    };
    let mut field_tags: Vec<(String, String)> = Vec::new();
    for (key, raw) in facets
        .iter()
        .filter(|(key, _)| DATASET_FACETS.contains(&key.as_str()))
    {
        match standard(FacetScope::Dataset, key, raw) {
            Some(StandardFacet::Schema(schema)) => {
                info.fields = schema.fields.into_iter().map(Field::from_schema).collect();
            }
            Some(StandardFacet::Ownership(ownership)) => {
                info.owners = ownership
                    .owners
                    .into_iter()
                    .map(|o| Owner {
                        name: o.name,
                        owner_type: o.owner_type,
                    })
                    .collect();
            }
            Some(StandardFacet::DataSource(source)) => info.source_name = source.name,
            Some(StandardFacet::Documentation(doc)) => info.description = Some(doc.description),
            Some(StandardFacet::LifecycleStateChange(change)) => {
                info.last_lifecycle_state = Some(change.lifecycle_state_change);
            }
            Some(StandardFacet::DatasetType(ty)) => {
                let stream = ["STREAM", "TOPIC"]
                    .iter()
                    .any(|s| ty.dataset_type.eq_ignore_ascii_case(s));
                info.kind = if stream {
                    DatasetKind::Stream
                } else {
                    DatasetKind::Table
                };
            }
            Some(StandardFacet::Tags(tags)) => {
                for tag in tags.tags {
                    match tag.field {
                        Some(field) => field_tags.push((field, tag.key)),
                        None => info.tags.push(tag.key),
                    }
                }
            }
            _ => {}
        }
    }
    for (field, tag) in field_tags {
        if let Some(f) = info.fields.iter_mut().find(|f| f.name == field) {
            f.tags.push(tag);
        }
    }
    info.facets = facets;
    info
}

/// A variable's value as a point in time.
fn time_of(row: &QuerySolution, var: &str) -> Option<Timestamp> {
    match row.get(var)? {
        Term::Literal(l) => Timestamp::parse(l.value()),
        _ => None,
    }
}

/// The id of a run from its IRI (the inverse of [`iri::run`]).
fn run_id(run: &NamedNode) -> Option<Uuid> {
    let id = run.as_str().strip_prefix(iri::ID_BASE)?.strip_prefix("run/")?;
    Uuid::parse_str(id).ok()
}

/// A stored facet read as the standard facet its key names in `scope`;
/// `None` for any other facet, and for one that does not fit its schema.
///
/// Validation refused broken standard facets at ingestion, but a stored
/// facet can still break its schema (a SPARQL update rewrote it, or the
/// event was logged before a check grew stricter): that means "nothing to
/// interpret", not an error, so every reader answers and the facet is still
/// there verbatim.
pub fn standard(scope: FacetScope, key: &str, raw: &RawValue) -> Option<StandardFacet> {
    facets::standard(scope, key, raw.get())
        .inspect_err(|err| {
            tracing::debug!(key, path = %err.path, error = %err.message, "stored facet does not fit its schema")
        })
        .ok()
        .flatten()
}

/// The job named by a run's `parent` facet.
fn parent_job(facets: &FacetMap) -> Option<EntityRef> {
    match standard(FacetScope::Run, "parent", facets.get("parent")?)? {
        StandardFacet::Parent(parent) => Some(EntityRef {
            namespace: parent.job.namespace,
            name: parent.job.name,
        }),
        _ => None,
    }
}

/// The run of the latest write, by creation time then run id.
fn latest_write<'a>(writes: impl Iterator<Item = &'a Write>) -> Option<Uuid> {
    writes.map(|w| (w.created_at, w.run)).max().map(|(_, run)| run)
}

/// A UUID (version 8) from the BLAKE3 hash of length-prefixed parts, so no two
/// different part lists hash alike.
fn hashed_uuid(parts: &[&str]) -> Uuid {
    let mut hasher = blake3::Hasher::new();
    for part in parts {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest.as_bytes()[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// The id of a dataset version: the dataset as of `key`, which is the id
/// of the run that wrote it (hyphenated), the event time of a schema
/// version no run wrote, or empty for the dataset before any run wrote it.
/// Deterministic, so replay yields the same ids.
fn version_id(namespace: &str, name: &str, key: &str) -> Uuid {
    hashed_uuid(&["dataset", namespace, name, key])
}

/// The version of a dataset as a given run wrote it (or as it was before
/// any run wrote it).
fn write_version(namespace: &str, name: &str, writer: Option<Uuid>) -> Uuid {
    let writer = writer.map(|id| id.hyphenated().to_string()).unwrap_or_default();
    version_id(namespace, name, &writer)
}

/// A job version as Marquez defines it: the job, its inputs, outputs and
/// source location; a run that reads another table runs another version.
fn job_version(
    job: &EntityRef,
    inputs: &[RunDataset],
    outputs: &[RunDataset],
    location: Option<&str>,
) -> Uuid {
    let mut parts = vec!["job", job.namespace.as_str(), job.name.as_str(), "inputs"];
    for ds in inputs {
        parts.extend([ds.namespace.as_str(), ds.name.as_str()]);
    }
    parts.push("outputs");
    for ds in outputs {
        parts.extend([ds.namespace.as_str(), ds.name.as_str()]);
    }
    parts.extend(["location", location.unwrap_or_default()]);
    hashed_uuid(&parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openlineage::parse_event;

    fn store_with(events: &[&str]) -> Store {
        let store = Store::in_memory().unwrap();
        for event in events {
            store.apply_events(&[&parse_event(event).unwrap()]).unwrap();
        }
        store
    }

    const RUN: &str = "00000000-0000-0000-0000-0000000000a1";

    fn event(ty: &str, time: &str, extra: &str) -> String {
        format!(
            r#"{{"eventType":"{ty}","eventTime":"{time}","producer":"p","run":{{"runId":"{RUN}"}},
            "job":{{"namespace":"sched","name":"j"}}{extra}}}"#
        )
    }

    #[test]
    fn reads_a_dataset_from_its_facets() {
        let store = store_with(&[&event(
            "COMPLETE",
            "2024-01-01T00:00:00Z",
            r#","outputs":[{"namespace":"db","name":"t","facets":{
                "schema":{"fields":[{"name":"a","type":"INT"},{"name":"b","fields":[{"name":"c"}]}]},
                "dataSource":{"name":"pg","uri":"postgres://h"},
                "documentation":{"description":"the t table"},
                "tags":{"tags":[{"key":"pii","value":"true","field":"a"},{"key":"gold","value":"y"}]},
                "datasetType":{"datasetType":"topic"},
                "ownership":{"owners":[{"name":"team:core","type":"MAINTAINER"}]}}}]"#,
        )]);
        let ds = dataset(&store, "db", "t").unwrap().unwrap();
        assert_eq!(ds.kind, DatasetKind::Stream);
        assert_eq!(ds.source_name.as_deref(), Some("pg"));
        assert_eq!(ds.description.as_deref(), Some("the t table"));
        assert_eq!(ds.fields[0].tags, ["pii"]);
        assert_eq!(ds.fields[1].data_type, None);
        assert_eq!(ds.fields[1].fields[0].name, "c");
        assert_eq!(ds.tags, ["gold"]);
        assert_eq!(ds.last_modified_at, Timestamp::parse("2024-01-01T00:00:00Z"));
        assert_eq!(
            ds.owners,
            [Owner {
                name: "team:core".into(),
                owner_type: Some("MAINTAINER".into())
            }]
        );
        assert_eq!(ds.facets.len(), 6);
        assert!(dataset(&store, "db", "nope").unwrap().is_none());
    }

    #[test]
    fn versions_are_deterministic_and_tell_writes_apart() {
        let store = store_with(&[&event(
            "COMPLETE",
            "2024-01-01T00:00:00Z",
            r#","inputs":[{"namespace":"db","name":"in"}],"outputs":[{"namespace":"db","name":"t"}]"#,
        )]);
        let run = run(&store, Uuid::parse_str(RUN).unwrap()).unwrap().unwrap();
        let ds = dataset(&store, "db", "t").unwrap().unwrap();
        assert_eq!(run.outputs[0].version, ds.current_version);
        assert_eq!(run.inputs[0].version, write_version("db", "in", None));
        assert_ne!(run.outputs[0].version, write_version("db", "t", None));
        assert_ne!(hashed_uuid(&["ab", "c"]), hashed_uuid(&["a", "bc"]));
    }

    /// An event of run `n` (a distinct run id each) reporting `t`'s schema
    /// with these fields, as its output, or as its input if `read`.
    fn schema_event(n: u8, time: &str, fields: &str, read: bool) -> String {
        let io = if read { "inputs" } else { "outputs" };
        format!(
            r#"{{"eventType":"COMPLETE","eventTime":"{time}","producer":"p{n}",
            "run":{{"runId":"00000000-0000-4000-8000-0000000000{n:02x}"}},"job":{{"namespace":"sched","name":"j{n}"}},
            "{io}":[{{"namespace":"db","name":"t","facets":{{"schema":{{"_producer":"p{n}","fields":[{fields}]}}}}}}]}}"#
        )
    }

    fn field_names(version: &DatasetVersion) -> Vec<String> {
        match standard(FacetScope::Dataset, "schema", &version.schema) {
            Some(StandardFacet::Schema(schema)) => schema.fields.into_iter().map(|f| f.name).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_version_is_recorded_when_the_schema_changes_only() {
        let a = r#"{"name":"a","type":"INT"}"#;
        let ab = r#"{"name":"a","type":"INT"},{"name":"b"}"#;
        let store = store_with(&[
            &schema_event(1, "2024-01-01T00:00:00Z", a, false),
            &schema_event(2, "2024-01-02T00:00:00Z", ab, false),
            // The same schema from another run and producer: no new version.
            &schema_event(3, "2024-01-03T00:00:00Z", ab, false),
        ]);
        let all = |store: &Store| dataset_versions(store, "db", "t", Page { limit: 10, offset: 0 }).unwrap();
        let listing = all(&store);
        assert_eq!(listing.total, 2);
        let [newest, oldest] = &listing.items[..] else {
            panic!("{:?}", listing.items)
        };
        assert_eq!(field_names(newest), ["a", "b"]);
        assert_eq!(field_names(oldest), ["a"]);
        let second = Uuid::parse_str("00000000-0000-4000-8000-000000000002").unwrap();
        assert_eq!(newest.run, Some(second));
        assert_eq!(newest.job.as_ref().map(|j| j.name.as_str()), Some("j2"));
        assert_eq!(
            newest.created_at,
            Timestamp::parse("2024-01-02T00:00:00Z").unwrap()
        );
        // The id of the version a run wrote is that run's output version.
        let written = run(&store, second).unwrap().unwrap();
        assert_eq!(written.outputs[0].version, newest.id);
        assert_eq!(
            dataset_version(&store, "db", "t", oldest.id)
                .unwrap()
                .map(|v| v.id),
            Some(oldest.id)
        );
        assert!(dataset_version(&store, "db", "t", Uuid::nil()).unwrap().is_none());

        // An RDF change makes the store forget which facets it holds: the
        // same schema again is still no new version.
        let drop = crate::store::change::RdfChange::Drop(crate::store::change::Target::Named(
            NamedNode::new_unchecked("https://example.org/g"),
        ));
        store.apply_change(&drop).unwrap();
        store
            .apply_events(&[&parse_event(&schema_event(4, "2024-01-04T00:00:00Z", ab, false)).unwrap()])
            .unwrap();
        assert_eq!(all(&store).total, 2);

        // A reader reporting a new schema makes a version no run wrote,
        // named by its event time.
        store
            .apply_events(&[&parse_event(&schema_event(5, "2024-01-05T00:00:00Z", a, true)).unwrap()])
            .unwrap();
        let listing = all(&store);
        assert_eq!(listing.total, 3);
        assert_eq!(listing.items[0].run, None);
        assert_eq!(listing.items[0].job, None);
        assert_eq!(listing.items[0].id, version_id("db", "t", "2024-01-05T00:00:00Z"));
        assert_eq!(field_names(&listing.items[0]), ["a"]);
        let page = dataset_versions(&store, "db", "t", Page { limit: 1, offset: 1 }).unwrap();
        assert_eq!(page.total, 3);
        assert_eq!(page.items[0].id, newest.id);
        assert_eq!(
            dataset_versions(&store, "db", "nope", Page { limit: 10, offset: 0 })
                .unwrap()
                .total,
            0
        );
    }

    #[test]
    fn a_run_that_changes_the_schema_twice_leaves_one_version() {
        let run_event = |ty: &str, time: &str, fields: &str| {
            event(
                ty,
                time,
                &format!(
                    r#","outputs":[{{"namespace":"db","name":"t","facets":{{"schema":{{"fields":[{fields}]}}}}}}]"#
                ),
            )
        };
        let store = store_with(&[
            &run_event("START", "2024-01-01T00:00:00Z", r#"{"name":"a"}"#),
            &run_event("COMPLETE", "2024-01-01T01:00:00Z", r#"{"name":"a"},{"name":"b"}"#),
        ]);
        let listing = dataset_versions(&store, "db", "t", Page { limit: 10, offset: 0 }).unwrap();
        assert_eq!(listing.total, 1);
        assert_eq!(field_names(&listing.items[0]), ["a", "b"]);
        assert_eq!(
            listing.items[0].created_at,
            Timestamp::parse("2024-01-01T01:00:00Z").unwrap()
        );
        assert_eq!(
            listing.items[0].id,
            write_version("db", "t", Some(Uuid::parse_str(RUN).unwrap()))
        );
    }
}
