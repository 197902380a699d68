//! OpenLineage event -> RDF graph writes, as pure functions.
//!
//! [`map_into`] turns one validated event into [`GraphWrite`]s, handed to a
//! [`Target`] as they are made: the store applies them to the writer's
//! transaction straight away, borrowing the terms of each quad, so that no
//! quad is built only to be copied into the store and freed (that was a
//! tenth of the apply thread's work). [`map_event`] collects them instead.
//! Everything here is deterministic (IRIs from identities, no clocks, no
//! randomness), so replaying the log rebuilds the same graph and a re-sent
//! event changes nothing.
//!
//! Graph layout (the default graph is the union for queries):
//! - an entity's graph (its own IRI): identity and `createdAt` (a namespace's,
//!   dataset's or job's latest event time is kept beside the store, see
//!   [`GraphWrite::Touch`]); a dataset's graph also states which dataset and
//!   path each of its columns has, once, whichever facet named it first;
//! - a facet's graph (`{owner}/facet/{key}`): the facet verbatim as an
//!   `rdf:JSON` literal plus what it means in RDF ([`semantic`]); a later
//!   facet of the same key replaces the whole graph, `_deleted` clears it;
//! - a run's graph (the run IRI): the run, its job, inputs and outputs with
//!   the qualified usages and generations of those that carry facets, its
//!   state transitions;
//! - a dataset version's graph (`{dataset}/version/{run id or event time}`):
//!   a `schema` the dataset had, written only when an event changes the
//!   schema (see [`GraphWrite::SchemaVersion`]).

pub mod run_state;
pub mod semantic;

use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{
    GraphName, GraphNameRef, Literal, LiteralRef, NamedNode, NamedNodeRef, Quad, QuadRef, Term, TermRef,
};
use uuid::Uuid;

use crate::openlineage::digest::FacetDigest;
use crate::openlineage::event::{Dataset, EventKind, Facets, InputDataset, OutputDataset};
use crate::openlineage::facets::{self, FacetScope, StandardFacet};
use crate::openlineage::{Event, EventType, Timestamp};
use crate::store::vocab::{self, dcat, mg, prov};
use crate::store::{Member, iri};
use semantic::Sink;

/// One change to the store; applied in order within one transaction.
#[derive(Debug, Clone, PartialEq)]
pub enum GraphWrite {
    /// Adds a quad (adding an existing quad changes nothing).
    Insert(Quad),
    /// Sets a functional property: removes every `(s, p, *, g)`, then adds the quad.
    Set(Quad),
    /// Adds the quad only if no `(s, p, *, g)` exists yet (first-seen values).
    SetOnce(Quad),
    /// An event about a namespace, dataset or job happened at `time`: sets
    /// its `mg:createdAt` once and raises its latest event time, which the
    /// store keeps in memory rather than as a triple. Rewriting a triple on
    /// every event would leave a dead version behind each time (oxigraph's
    /// in-memory store keeps them), slowing every later read of a busy
    /// dataset's graph.
    Touch {
        /// The entity (its graph is its IRI).
        entity: NamedNode,
        /// The event time.
        time: Timestamp,
        /// Whether the store already knew the entity (then it has its `createdAt`).
        known: bool,
    },
    /// A dataset or job the store did not hold yet: the store lists it
    /// among its namespace's members, which it keeps in memory in name
    /// order (see [`Store::members`](crate::store::Store::members)) rather
    /// than finding them by pattern each time a page is asked for.
    Member {
        /// The dataset or job.
        entity: NamedNode,
        /// Which it is.
        kind: Member,
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
    /// Replaces the whole content of a named graph.
    ReplaceGraph {
        /// The graph.
        graph: NamedNode,
        /// Its new content (all in `graph`).
        quads: Vec<Quad>,
    },
    /// Replaces a facet's graph with the facet's new content.
    ReplaceFacet {
        /// The facet's graph.
        graph: NamedNode,
        /// Its new content (all in `graph`).
        quads: Vec<Quad>,
        /// The [`FacetDigest`] of the facet's JSON, which the store keeps so
        /// that [`Held::facet`] can answer without comparing the JSON.
        digest: FacetDigest,
    },
    /// Removes a facet (`_deleted` or `null`): clears its graph.
    ClearFacet(NamedNode),
    /// Records a version of a dataset's schema: replaces the version's graph
    /// with `quads`, unless the schema facet graph `facet` already holds a
    /// schema with this `digest`. Comes before the [`GraphWrite::ReplaceFacet`]
    /// of the same schema, so the store compares with the schema it replaces.
    /// The mapping emits it only for a schema [`Held::facet`] did not
    /// recognise, but that memo is forgotten after an RDF change, so the
    /// store decides on the stored JSON itself: an unchanged schema never
    /// makes a version.
    SchemaVersion {
        /// The dataset's `schema` facet graph.
        facet: NamedNode,
        /// The [`FacetDigest`] of the new schema's JSON.
        digest: FacetDigest,
        /// The version's graph (also its IRI).
        graph: NamedNode,
        /// Its content (all in `graph`).
        quads: Vec<Quad>,
    },
    /// Adds a transition to a run and sets the run's state and times from
    /// all of its transitions (see [`run_state::resolve`]).
    ResolveRunState {
        /// The run.
        run: NamedNode,
        /// The event's type and time, if it has a type.
        transition: Option<(EventType, Timestamp)>,
        /// Whether this is the run's first event (then it has no earlier
        /// transitions to read).
        new: bool,
    },
}

/// A literal for a point in time (`xsd:dateTime`, UTC).
pub fn time_literal(time: Timestamp) -> Literal {
    Literal::new_typed_literal(time.to_rfc3339_utc(), xsd::DATE_TIME)
}

/// A quad in a named graph.
pub fn quad(
    subject: &NamedNode,
    predicate: NamedNodeRef<'_>,
    object: impl Into<Term>,
    graph: &NamedNode,
) -> Quad {
    Quad::new(
        subject.clone(),
        predicate.into_owned(),
        object,
        GraphName::NamedNode(graph.clone()),
    )
}

/// A quad in a named graph, borrowing its terms: what the mapping hands on.
pub(crate) fn quad_ref<'a>(
    subject: impl Into<NamedNodeRef<'a>>,
    predicate: NamedNodeRef<'a>,
    object: impl Into<TermRef<'a>>,
    graph: impl Into<NamedNodeRef<'a>>,
) -> QuadRef<'a> {
    QuadRef::new(
        subject.into(),
        predicate,
        object,
        GraphNameRef::NamedNode(graph.into()),
    )
}

/// What the store already holds, as far as the mapping asks, to skip writes
/// that would change nothing. The mapping asks in the middle of an event:
/// what the event wrote so far counts as held.
pub trait Held {
    /// Whether the store holds this quad.
    fn quad(&self, quad: QuadRef<'_>) -> bool;
    /// Whether the store holds the identity of the namespace, dataset or
    /// job `entity` (its types, name and namespace, written together), of
    /// which `typed`, its first type triple, is the evidence.
    fn identified(&self, entity: &NamedNode, typed: QuadRef<'_>) -> bool;
    /// Whether the facet graph `graph` holds the facet whose JSON has `digest`.
    fn facet(&self, graph: &NamedNode, digest: FacetDigest) -> bool;
    /// Whether the store holds the identity of the run `run` (its types and
    /// job), which the run's first event, or a parent facet naming it,
    /// writes; its first type triple is the evidence.
    fn run(&self, run: &NamedNode) -> bool {
        self.quad(run_typed(run))
    }
}

/// A run's first type triple, in its own graph: the evidence that the store
/// holds the run's identity (see [`Held::run`]).
pub(crate) fn run_typed(run: &NamedNode) -> QuadRef<'_> {
    quad_ref(run, rdf::TYPE, mg::RUN, run)
}

/// A store that holds nothing: [`map_event`] then gives every write of an event.
#[derive(Debug, Clone, Copy, Default)]
pub struct Nothing;

impl Held for Nothing {
    fn quad(&self, _: QuadRef<'_>) -> bool {
        false
    }
    fn identified(&self, _: &NamedNode, _: QuadRef<'_>) -> bool {
        false
    }
    fn facet(&self, _: &NamedNode, _: FacetDigest) -> bool {
        false
    }
}

/// Where [`map_into`] puts an event's writes, in order, and what it asks
/// about the store. A quad it adds ([`Sink::add`]) is a [`GraphWrite::Insert`].
pub trait Target: Sink {
    /// Starts a [`GraphWrite::ReplaceFacet`]: the facet graph `graph` is
    /// cleared, and the inserts into `graph` that follow are its content.
    fn replace_facet(&mut self, graph: &NamedNode, digest: FacetDigest);
    /// Any other write.
    fn write(&mut self, write: GraphWrite);
}

/// The writes of one event, collected: a [`Target`] over a [`Held`].
struct Collect<'a> {
    held: &'a dyn Held,
    writes: Vec<GraphWrite>,
    /// Where the [`GraphWrite::ReplaceFacet`] being written is in `writes`.
    facet: Option<usize>,
}

impl Held for Collect<'_> {
    fn quad(&self, quad: QuadRef<'_>) -> bool {
        self.held.quad(quad)
    }
    fn identified(&self, entity: &NamedNode, typed: QuadRef<'_>) -> bool {
        self.held.identified(entity, typed)
    }
    fn facet(&self, graph: &NamedNode, digest: FacetDigest) -> bool {
        self.held.facet(graph, digest)
    }
    fn run(&self, run: &NamedNode) -> bool {
        self.held.run(run)
    }
}

impl Sink for Collect<'_> {
    fn add(&mut self, quad: QuadRef<'_>) {
        if let Some(GraphWrite::ReplaceFacet { graph, quads, .. }) =
            self.facet.and_then(|at| self.writes.get_mut(at))
            && quad.graph_name == GraphNameRef::NamedNode(graph.as_ref())
        {
            quads.push(quad.into_owned());
        } else {
            self.writes.push(GraphWrite::Insert(quad.into_owned()));
        }
    }
}

impl Target for Collect<'_> {
    fn replace_facet(&mut self, graph: &NamedNode, digest: FacetDigest) {
        self.facet = Some(self.writes.len());
        self.writes.push(GraphWrite::ReplaceFacet {
            graph: graph.clone(),
            quads: Vec::new(),
            digest,
        });
    }
    fn write(&mut self, write: GraphWrite) {
        self.facet = None;
        self.writes.push(write);
    }
}

/// Maps one event onto its target.
struct Writes<'a> {
    target: &'a mut dyn Target,
    touched: Vec<NamedNode>,
    event_time: Timestamp,
    time: Literal,
}

impl Writes<'_> {
    fn insert<'o>(
        &mut self,
        s: &'o NamedNode,
        p: NamedNodeRef<'o>,
        o: impl Into<TermRef<'o>>,
        g: &'o NamedNode,
    ) {
        self.target.add(quad_ref(s, p, o, g));
    }

    /// Identity, creation and update time of a namespace, or of a dataset
    /// or job (`member`: its namespace and kind), in the entity's own graph.
    fn entity(
        &mut self,
        iri: &NamedNode,
        classes: &[NamedNodeRef<'_>],
        name: &str,
        member: Option<(&str, Member)>,
    ) {
        // Identity never changes: once the store holds the first type triple,
        // it holds them all, and re-inserting them is wasted work.
        let known = self
            .target
            .identified(iri, quad_ref(iri, rdf::TYPE, classes[0], iri));
        if !known {
            for class in classes {
                self.insert(iri, rdf::TYPE, *class, iri);
            }
            self.insert(iri, mg::NAME, LiteralRef::new_simple_literal(name), iri);
        }
        if let Some((ns, kind)) = member {
            self.namespace(ns);
            if !known {
                self.insert(iri, mg::IN_NAMESPACE, &iri::namespace(ns), iri);
                self.target.write(GraphWrite::Member {
                    entity: iri.clone(),
                    kind,
                    namespace: ns.to_owned(),
                    name: name.to_owned(),
                });
            }
        }
        // A namespace is named by every dataset in it: touch it once.
        if !self.touched.contains(iri) {
            self.touched.push(iri.clone());
            self.target.write(GraphWrite::Touch {
                entity: iri.clone(),
                time: self.event_time,
                known,
            });
        }
    }

    /// A run's first-seen time; its latest is derived from its transitions.
    fn stamp(&mut self, iri: &NamedNode) {
        self.target.write(GraphWrite::SetOnce(quad(
            iri,
            mg::CREATED_AT,
            self.time.clone(),
            iri,
        )));
    }

    fn namespace(&mut self, ns: &str) {
        let iri = iri::namespace(ns);
        self.entity(&iri, &[mg::NAMESPACE_CLASS], ns, None);
    }

    /// A dataset and its facets; `writer` is the run writing it, if it is an
    /// output of a run event.
    fn dataset(&mut self, dataset: &Dataset, writer: Option<Uuid>) -> NamedNode {
        let iri = iri::dataset(&dataset.namespace, &dataset.name);
        self.entity(
            &iri,
            &[mg::DATASET, dcat::DATASET, prov::ENTITY_CLASS],
            &dataset.name,
            Some((&dataset.namespace, Member::Dataset)),
        );
        let owner = semantic::Owner::Dataset { iri: &iri, writer };
        self.facets(owner, FacetScope::Dataset, &dataset.facets);
        iri
    }

    /// Each facet into its own graph: replaced by a later facet of the same
    /// key, cleared by `_deleted` (or `null`).
    fn facets(&mut self, owner: semantic::Owner<'_>, scope: FacetScope, facets: &Facets) {
        let owner_iri = owner.iri();
        for (key, raw) in facets {
            let graph = iri::facet(owner_iri, key);
            // Most facets repeat from run to run (a table's schema, a job's
            // SQL): when the store already holds this exact facet, its graph
            // is already what we would write, so skip describing it at all.
            // (A deletion marker is never held: it clears its graph.)
            let digest = raw.digest();
            if self.target.facet(&graph, digest) {
                continue;
            }
            if facets::removes(raw.get()) {
                self.target.write(GraphWrite::ClearFacet(graph));
                continue;
            }
            // Validation already refused broken standard facets.
            let standard = raw.standard(scope, key);
            // The version compares with the schema the facet graph still holds.
            if let (semantic::Owner::Dataset { iri, writer, .. }, Some(StandardFacet::Schema(_))) =
                (owner, &standard)
            {
                self.schema_version(iri, writer, &graph, digest, raw.get());
            }
            self.target.replace_facet(&graph, digest);
            let facet = graph.as_ref();
            let bookkeeping: [(NamedNodeRef<'_>, NamedNodeRef<'_>, TermRef<'_>); 4] = [
                (owner_iri.as_ref(), mg::HAS_FACET, facet.into()),
                (facet, rdf::TYPE, mg::FACET.into()),
                (facet, mg::FACET_KEY, LiteralRef::new_simple_literal(key).into()),
                (
                    facet,
                    mg::FACET_JSON,
                    LiteralRef::new_typed_literal(raw.get(), vocab::rdf::JSON).into(),
                ),
            ];
            for (s, p, o) in bookkeeping {
                self.target.add(quad_ref(s, p, o, facet));
            }
            if let Some(facet) = standard {
                semantic::describe(owner, &graph, facet, &mut *self.target);
            }
        }
    }

    /// A version of dataset `ds` with the schema `json` (whose facet graph
    /// is `facet`): `ver a mg:DatasetVersion ; prov:specializationOf ds ;
    /// mg:createdAt t ; mg:schemaJson json`, and `prov:wasGeneratedBy run`
    /// when a run wrote it. A version a run wrote is named by the run, so
    /// a later event of that run that changes the schema again replaces it
    /// (the dataset as the run left it); any other by the event time.
    fn schema_version(
        &mut self,
        ds: &NamedNode,
        writer: Option<Uuid>,
        facet: &NamedNode,
        digest: FacetDigest,
        json: &str,
    ) {
        let key = match writer {
            Some(run) => run.hyphenated().to_string(),
            None => self.time.value().to_owned(),
        };
        let version = iri::child(ds, "version", &key);
        let mut quads = vec![
            quad(&version, rdf::TYPE, mg::DATASET_VERSION.into_owned(), &version),
            quad(&version, prov::SPECIALIZATION_OF, ds.clone(), &version),
            quad(&version, mg::CREATED_AT, self.time.clone(), &version),
            quad(
                &version,
                mg::SCHEMA_JSON,
                Literal::new_typed_literal(json, vocab::rdf::JSON),
                &version,
            ),
        ];
        if let Some(run) = writer {
            quads.push(quad(&version, prov::WAS_GENERATED_BY, iri::run(run), &version));
        }
        self.target.write(GraphWrite::SchemaVersion {
            facet: facet.clone(),
            digest,
            graph: version,
            quads,
        });
    }

    /// The facets of one read or write (a run's usage or generation, or a
    /// JobEvent's declared input or output), which may name its columns.
    fn io_facets(&mut self, io: &NamedNode, ds: &NamedNode, scope: FacetScope, facets: &Facets) {
        let owner = semantic::Owner::Io { iri: io, dataset: ds };
        self.facets(owner, scope, facets);
    }

    fn job(&mut self, job: &crate::openlineage::event::Job) -> NamedNode {
        let iri = iri::job(&job.namespace, &job.name);
        self.entity(
            &iri,
            &[mg::JOB, prov::PLAN],
            &job.name,
            Some((&job.namespace, Member::Job)),
        );
        let owner = semantic::Owner::Job { iri: &iri };
        self.facets(owner, FacetScope::Job, &job.facets);
        iri
    }

    fn inputs(&mut self, run: &NamedNode, new_run: bool, inputs: &[InputDataset]) {
        for input in inputs {
            let ds = self.dataset(&input.dataset, None);
            self.run_link(run, new_run, &READ, &ds, &input.input_facets);
        }
    }

    fn outputs(&mut self, run: &NamedNode, run_id: Uuid, new_run: bool, outputs: &[OutputDataset]) {
        for output in outputs {
            let ds = self.dataset(&output.dataset, Some(run_id));
            self.run_link(run, new_run, &WRITE, &ds, &output.output_facets);
        }
    }

    /// A run's use or generation of a dataset `ds`: the direct link and,
    /// when the event states `facets` for it, the qualified link through a
    /// node of its class, pointing at `ds`, on which those facets hang.
    /// Without facets the qualified node would say only what the direct
    /// link says, so there is none: PROV-O qualifies a relation to say more
    /// about it. (Most inputs carry no facets: their qualified nodes were a
    /// tenth of the quads of a steady stream of runs.)
    ///
    /// A run's later events (COMPLETE after START) repeat its inputs and
    /// outputs: a lookup of the link, or of the qualified node's type, which
    /// implies the link, replaces the inserts of quads the store holds.
    fn run_link(&mut self, run: &NamedNode, new_run: bool, link: &RunLink, ds: &NamedNode, facets: &Facets) {
        let mut linked = false;
        if !facets.is_empty() {
            let node = (link.node)(run, ds);
            let typed = quad_ref(&node, rdf::TYPE, link.class, run);
            linked = !new_run && self.target.quad(typed);
            if !linked {
                self.insert(run, link.qualified, &node, run);
                self.target.add(typed);
                self.insert(&node, prov::ENTITY, ds, run);
            }
            self.io_facets(&node, ds, link.scope, facets);
        }
        let direct = quad_ref(run, link.direct, ds, run);
        if !linked && (new_run || !self.target.quad(direct)) {
            self.target.add(direct);
        }
    }
}

/// How a run is linked to a dataset it reads or writes.
struct RunLink {
    /// `prov:used` or `prov:generated`.
    direct: NamedNodeRef<'static>,
    /// `prov:qualifiedUsage` or `prov:qualifiedGeneration`.
    qualified: NamedNodeRef<'static>,
    /// The qualified node's class.
    class: NamedNodeRef<'static>,
    /// The qualified node's IRI, from the run's and the dataset's.
    node: fn(&NamedNode, &NamedNode) -> NamedNode,
    /// The scope of the facets on it.
    scope: FacetScope,
}

/// A run reads a dataset.
const READ: RunLink = RunLink {
    direct: prov::USED,
    qualified: prov::QUALIFIED_USAGE,
    class: prov::USAGE,
    node: iri::usage,
    scope: FacetScope::Input,
};

/// A run writes a dataset.
const WRITE: RunLink = RunLink {
    direct: prov::GENERATED,
    qualified: prov::QUALIFIED_GENERATION,
    class: prov::GENERATION,
    node: iri::generation,
    scope: FacetScope::Output,
};

/// The graph writes that record one event, collected.
///
/// `held` says what the store already holds; the mapping asks it about
/// entities' identities and facets, to skip what did not change. Pass
/// [`Nothing`] for the complete writes of the event. Unlike the store's
/// [`Target`], `held` is not told what the event wrote so far: a column
/// two facets of the event name is stated twice.
pub fn map_event(event: &Event, held: &dyn Held) -> Vec<GraphWrite> {
    let mut collect = Collect {
        held,
        writes: Vec::new(),
        facet: None,
    };
    map_into(event, &mut collect);
    collect.writes
}

/// Hands the graph writes that record one event to `target`, in order.
///
/// The mapping asks `target` what the store already holds (its entities'
/// identities, its facets), to skip what did not change.
pub fn map_into(event: &Event, target: &mut dyn Target) {
    let mut w = Writes {
        target,
        touched: Vec::new(),
        event_time: event.event_time,
        time: time_literal(event.event_time),
    };
    match &event.kind {
        EventKind::Run {
            event_type,
            run,
            job,
            inputs,
            outputs,
        } => {
            let job_iri = w.job(job);
            let run_iri = iri::run(run.run_id);
            // A run's types, job and first-seen time are written by its
            // first event; a later one only adds to it.
            let new = !w.target.run(&run_iri);
            if new {
                w.insert(&run_iri, rdf::TYPE, mg::RUN, &run_iri);
                w.insert(&run_iri, rdf::TYPE, prov::ACTIVITY, &run_iri);
                w.insert(&run_iri, mg::OF_JOB, &job_iri, &run_iri);
                w.stamp(&run_iri);
            }
            if let Some(event_type) = event_type {
                let transition = iri::child(
                    &run_iri,
                    "transition",
                    &format!("{}-{}", event.event_time.unix_nanos(), event_type.as_str()),
                );
                w.insert(&run_iri, mg::HAS_TRANSITION, &transition, &run_iri);
                w.insert(&transition, rdf::TYPE, mg::RUN_TRANSITION, &run_iri);
                let event_type_text = LiteralRef::new_simple_literal(event_type.as_str());
                w.insert(&transition, mg::EVENT_TYPE, event_type_text, &run_iri);
                w.target
                    .add(quad_ref(&transition, mg::EVENT_TIME, &w.time, &run_iri));
            }
            let owner = semantic::Owner::Run {
                iri: &run_iri,
                job: &job_iri,
            };
            w.facets(owner, FacetScope::Run, &run.facets);
            w.inputs(&run_iri, new, inputs);
            w.outputs(&run_iri, run.run_id, new, outputs);
            w.target.write(GraphWrite::ResolveRunState {
                run: run_iri,
                transition: event_type.map(|t| (t, event.event_time)),
                new,
            });
        }
        EventKind::Job { job, inputs, outputs } => {
            let job_iri = w.job(job);
            if !inputs.is_empty() || !outputs.is_empty() {
                // A JobEvent states the job's lineage as a whole: it replaces
                // what an earlier JobEvent declared.
                let graph = iri::child(&job_iri, "declared", "io");
                let mut quads = Vec::new();
                // Their input and output facets hang on the job's declared
                // input and output, as a run's hang on its usage and generation.
                for input in inputs {
                    let ds = w.dataset(&input.dataset, None);
                    quads.push(quad(&job_iri, mg::READS, ds.clone(), &graph));
                    let declared = iri::usage(&job_iri, &ds);
                    w.io_facets(&declared, &ds, FacetScope::Input, &input.input_facets);
                }
                for output in outputs {
                    let ds = w.dataset(&output.dataset, None);
                    quads.push(quad(&job_iri, mg::WRITES, ds.clone(), &graph));
                    let declared = iri::generation(&job_iri, &ds);
                    w.io_facets(&declared, &ds, FacetScope::Output, &output.output_facets);
                }
                w.target.write(GraphWrite::ReplaceGraph { graph, quads });
            }
        }
        EventKind::Dataset { dataset } => {
            w.dataset(dataset, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openlineage::parse_event;

    const EVENT: &str = r#"{"eventTime":"2024-05-01T10:00:00Z","eventType":"START","producer":"p",
        "run":{"runId":"43d7db3b-8984-4cda-b237-8c6919b36670"},
        "job":{"namespace":"sched","name":"j","facets":{"custom":{"x":[1,2]}}},
        "inputs":[{"namespace":"pg","name":"a b\"<c>#d/é","facets":{"old":{"_deleted":true}}}],
        "outputs":[{"namespace":"pg","name":"out"}]}"#;

    #[test]
    fn mapping_is_deterministic() {
        let event = parse_event(EVENT).unwrap();
        assert_eq!(map_event(&event, &Nothing), map_event(&event, &Nothing));
    }

    #[test]
    fn facets_go_verbatim_into_their_own_graph_and_deleted_ones_clear_it() {
        let writes = map_event(&parse_event(EVENT).unwrap(), &Nothing);
        let job_facet = iri::facet(&iri::job("sched", "j"), "custom");
        let replaced = writes.iter().find_map(|w| match w {
            GraphWrite::ReplaceFacet { graph, quads, .. } if *graph == job_facet => Some(quads),
            _ => None,
        });
        let json = Literal::new_typed_literal(r#"{"x":[1,2]}"#, vocab::rdf::JSON);
        assert!(replaced.unwrap().iter().any(|q| q.object == json.clone().into()));
        let deleted = iri::facet(&iri::dataset("pg", "a b\"<c>#d/é"), "old");
        assert!(writes.contains(&GraphWrite::ClearFacet(deleted)));
    }

    /// A store that holds every identity and facet already, and the quads
    /// its function says it holds.
    struct Holding<F: Fn(&Quad) -> bool>(F);

    impl<F: Fn(&Quad) -> bool> Held for Holding<F> {
        fn quad(&self, quad: QuadRef<'_>) -> bool {
            self.0(&quad.into_owned())
        }
        fn identified(&self, _: &NamedNode, _: QuadRef<'_>) -> bool {
            true
        }
        fn facet(&self, _: &NamedNode, _: FacetDigest) -> bool {
            true
        }
    }

    /// A store that holds everything already.
    const EVERYTHING: Holding<fn(&Quad) -> bool> = Holding(|_| true);

    #[test]
    fn a_new_schema_is_a_version_written_before_the_facet_and_a_held_one_is_nothing() {
        let event = parse_event(
            r#"{"eventTime":"2024-05-01T10:00:00Z","eventType":"COMPLETE","producer":"p",
            "run":{"runId":"43d7db3b-8984-4cda-b237-8c6919b36670"},"job":{"namespace":"sched","name":"j"},
            "inputs":[{"namespace":"pg","name":"in","facets":{"schema":{"fields":[{"name":"a"}]}}}],
            "outputs":[{"namespace":"pg","name":"out","facets":{"schema":{"fields":[{"name":"b"}]}}}]}"#,
        )
        .unwrap();
        let writes = map_event(&event, &Nothing);
        let position = |wanted: &dyn Fn(&GraphWrite) -> bool| writes.iter().position(wanted);
        for (name, version) in [
            ("in", "2024-05-01T10:00:00Z"),
            ("out", "43d7db3b-8984-4cda-b237-8c6919b36670"),
        ] {
            let ds = iri::dataset("pg", name);
            let facet = iri::facet(&ds, "schema");
            let graph = iri::child(&ds, "version", version);
            let versioned = position(
                &|w| matches!(w, GraphWrite::SchemaVersion { graph: g, facet: f, .. } if *g == graph && *f == facet),
            )
            .unwrap_or_else(|| panic!("no version of {name}: {writes:#?}"));
            let replaced =
                position(&|w| matches!(w, GraphWrite::ReplaceFacet { graph, .. } if *graph == facet));
            assert!(
                replaced > Some(versioned),
                "{name}: the store must compare before the facet is replaced"
            );
            let GraphWrite::SchemaVersion { quads, .. } = &writes[versioned] else {
                unreachable!()
            };
            // Only the output names the run that wrote it.
            let generated = quads.iter().any(|q| q.predicate == prov::WAS_GENERATED_BY);
            assert_eq!(generated, name == "out", "{quads:#?}");
        }
        // A schema the store holds already costs no version and no facet write.
        let writes = map_event(&event, &EVERYTHING);
        assert!(
            !writes.iter().any(|w| matches!(
                w,
                GraphWrite::SchemaVersion { .. } | GraphWrite::ReplaceFacet { .. }
            )),
            "{writes:#?}"
        );
    }

    #[test]
    fn run_events_record_a_transition_and_resolve_state() {
        let writes = map_event(&parse_event(EVENT).unwrap(), &Nothing);
        let run = iri::run(uuid::Uuid::parse_str("43d7db3b-8984-4cda-b237-8c6919b36670").unwrap());
        let start = Some((
            EventType::Start,
            Timestamp::parse("2024-05-01T10:00:00Z").unwrap(),
        ));
        assert_eq!(
            writes.last(),
            Some(&GraphWrite::ResolveRunState {
                run: run.clone(),
                transition: start,
                new: true
            })
        );
        // A run the store knows already keeps its types and first-seen time.
        let again = map_event(&parse_event(EVENT).unwrap(), &EVERYTHING);
        assert!(matches!(
            again.last(),
            Some(GraphWrite::ResolveRunState { new: false, .. })
        ));
        assert!(!again.iter().any(|w| matches!(w,
            GraphWrite::Insert(q) | GraphWrite::SetOnce(q) if q.subject == run.clone().into()
                && (q.predicate == rdf::TYPE || q.predicate == mg::CREATED_AT))));
        assert!(writes.iter().any(|w| matches!(w,
            GraphWrite::Insert(q) if q.predicate == mg::EVENT_TYPE && q.object == Literal::from("START").into())));
        assert!(writes.iter().any(|w| matches!(w,
            GraphWrite::Insert(q) if q.subject == run.clone().into() && q.predicate == prov::USED)));
    }

    #[test]
    fn a_later_event_writes_only_the_inputs_and_outputs_the_store_lacks() {
        let event = parse_event(
            r#"{"eventTime":"2024-05-01T10:05:00Z","eventType":"COMPLETE","producer":"p",
            "run":{"runId":"43d7db3b-8984-4cda-b237-8c6919b36670"},"job":{"namespace":"sched","name":"j"},
            "inputs":[{"namespace":"pg","name":"a"},{"namespace":"pg","name":"b"}],
            "outputs":[{"namespace":"pg","name":"out","outputFacets":{"outputStatistics":{"rowCount":3}}}]}"#,
        )
        .unwrap();
        let run = iri::run(uuid::Uuid::parse_str("43d7db3b-8984-4cda-b237-8c6919b36670").unwrap());
        let linked = |writes: &[GraphWrite], name: &str| -> usize {
            let ds: Term = iri::dataset("pg", name).into();
            writes
                .iter()
                .filter(|w| matches!(w, GraphWrite::Insert(q) if q.object == ds
                    && (q.predicate == prov::USED || q.predicate == prov::GENERATED || q.predicate == prov::ENTITY)))
                .count()
        };
        // The START wrote input `a` and the output, whose facets made a
        // qualified generation; `b` is new in COMPLETE.
        let started = [
            quad(&run, prov::USED, iri::dataset("pg", "a"), &run),
            quad(
                &iri::generation(&run, &iri::dataset("pg", "out")),
                rdf::TYPE,
                prov::GENERATION.into_owned(),
                &run,
            ),
        ];
        let run_type: Term = mg::RUN.into_owned().into();
        let writes = map_event(
            &event,
            &Holding(|q: &Quad| q.object == run_type || started.contains(q)),
        );
        assert_eq!(
            (linked(&writes, "a"), linked(&writes, "b"), linked(&writes, "out")),
            (0, 1, 0),
            "{writes:#?}"
        );
        // A store without them gets all three: the output, which carries
        // facets, with its qualified generation too; the inputs without.
        let writes = map_event(&event, &Holding(|q: &Quad| q.object == run_type));
        assert_eq!(
            (linked(&writes, "a"), linked(&writes, "b"), linked(&writes, "out")),
            (1, 1, 2)
        );
        let generation = iri::generation(&run, &iri::dataset("pg", "out"));
        assert!(writes.iter().any(|w| matches!(w,
            GraphWrite::Insert(q) if q.subject == generation.clone().into() && q.object == prov::GENERATION.into_owned().into())));
        assert!(!writes.iter().any(|w| matches!(w,
            GraphWrite::Insert(q) if q.object == prov::USAGE.into_owned().into())));
    }
}
