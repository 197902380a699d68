//! What standard facets mean, in RDF.
//!
//! Every facet is stored verbatim by [`super`]; this module adds the triples
//! that make a standard facet queryable: columns, owners, column lineage,
//! SQL, data quality, ... [`super::map_into`] calls [`describe`] once per
//! standard facet. Its quads go into the facet's own graph, so a later facet
//! of the same key replaces them together, and `_deleted` removes them; but
//! what never changes is stated once, outside it: a column's dataset and
//! path in the dataset's graph, and the identity of a run or job a parent
//! facet names, unless the run's or job's own events stated it already.
//!
//! Shapes follow PROV-O where it has a term (column lineage is a qualified
//! `prov:Derivation`, ownership a qualified `prov:Attribution`, a parent run
//! `prov:wasInformedBy`), Dublin Core for descriptions, and `mg:` terms
//! (declared in `ontology/meshgraph.ttl`) for the rest. Nodes a facet creates
//! (derivations, attributions, tags, assertions) are named below the facet's
//! graph by position, never blank, so the same facet always yields the same
//! quads. Columns are named by [`iri::field`] wherever they appear, so a
//! column in a schema, a lineage edge, a tag and a metric is one node.
//!
//! This runs on the writer's hot path for every event: the only strings built
//! are IRIs and literals, through one reused key buffer, and each quad is
//! handed on borrowed, never copied.

use std::collections::HashSet;
use std::fmt::Write as _;

use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{Literal, LiteralRef, NamedNode, NamedNodeRef, QuadRef, Term, TermRef};
use uuid::Uuid;

use super::{Held, quad_ref, time_literal};
use crate::openlineage::facets::{
    ColumnLineageFacet, ColumnLineageField, DataQualityAssertionsFacet, DataQualityMetricsFacet, InputField,
    JobRef, OwnershipFacet, ParentRunFacet, SchemaField, SourceCodeLocationFacet, StandardFacet,
    StatisticsFacet, TagsFacet,
};
use crate::store::iri;
use crate::store::vocab::{dcterms, mg, prov};

/// Who a facet belongs to, with what the mapping needs to mint IRIs.
#[derive(Debug, Clone, Copy)]
pub enum Owner<'a> {
    /// A dataset (dataset facets).
    Dataset {
        /// The dataset's IRI.
        iri: &'a NamedNode,
        /// The run writing it, for an output of a run event: a new schema
        /// it reports is a version of the dataset that run produced.
        writer: Option<Uuid>,
    },
    /// A job (job facets).
    Job {
        /// The job's IRI.
        iri: &'a NamedNode,
    },
    /// A run (run facets).
    Run {
        /// The run's IRI.
        iri: &'a NamedNode,
        /// The run's job: a parent run makes the job a child of the parent's job.
        job: &'a NamedNode,
    },
    /// A run's usage of an input or generation of an output (input and output facets).
    Io {
        /// The `prov:Usage` or `prov:Generation` IRI (or, for a JobEvent,
        /// the job's declared input or output).
        iri: &'a NamedNode,
        /// The dataset read or written: per-column metrics name its columns.
        dataset: &'a NamedNode,
    },
}

impl Owner<'_> {
    /// The IRI the facet hangs on.
    pub fn iri(&self) -> &NamedNode {
        match self {
            Self::Dataset { iri, .. }
            | Self::Job { iri, .. }
            | Self::Run { iri, .. }
            | Self::Io { iri, .. } => iri,
        }
    }

    /// The dataset whose columns the facet may name (dataset, input and
    /// output facets).
    fn dataset(&self) -> Option<&NamedNode> {
        match *self {
            Self::Dataset { iri, .. } => Some(iri),
            Self::Io { dataset, .. } => Some(dataset),
            Self::Job { .. } | Self::Run { .. } => None,
        }
    }
}

/// Where [`describe`] puts a facet's meaning, quad by quad; it asks the
/// store, as [`Held`], which quads it holds already (with those added so far).
pub trait Sink: Held {
    /// Adds a quad.
    fn add(&mut self, quad: QuadRef<'_>);
}

/// Hands the meaning of `facet` (held by `owner`, stored as `graph`) to `sink`.
pub fn describe(owner: Owner<'_>, graph: &NamedNode, facet: &StandardFacet, sink: &mut dyn Sink) {
    let mut out = Out {
        graph,
        sink,
        key: String::new(),
    };
    let subject = owner.iri();
    match facet {
        StandardFacet::Schema(f) => {
            if let Some(ds) = owner.dataset() {
                let mut path = String::new();
                schema_fields(&mut out, ds, None, &f.fields, &mut path);
            }
        }
        StandardFacet::ColumnLineage(f) => {
            if let Some(ds) = owner.dataset() {
                column_lineage(&mut out, ds, f);
            }
        }
        StandardFacet::DataSource(f) => {
            out.opt_text(subject, mg::SOURCE_NAME, f.name.as_deref());
            out.opt_uri(subject, mg::SOURCE_URI, f.uri.as_deref());
        }
        StandardFacet::Ownership(f) => ownership(&mut out, subject, f),
        StandardFacet::Documentation(f) => {
            out.text(subject, dcterms::DESCRIPTION, &f.description);
            out.opt_text(subject, mg::DESCRIPTION_CONTENT_TYPE, f.content_type.as_deref());
        }
        StandardFacet::Sql(f) => {
            out.text(subject, mg::SQL_QUERY, &f.query);
            out.opt_text(subject, mg::SQL_DIALECT, f.dialect.as_deref());
        }
        StandardFacet::SourceCodeLocation(f) => source_code_location(&mut out, subject, f),
        StandardFacet::SourceCode(f) => {
            out.text(subject, mg::SOURCE_CODE, &f.source_code);
            out.text(subject, mg::SOURCE_CODE_LANGUAGE, &f.language);
        }
        StandardFacet::JobType(f) => {
            out.text(subject, mg::PROCESSING_TYPE, &f.processing_type);
            out.text(subject, mg::INTEGRATION, &f.integration);
            out.opt_text(subject, mg::JOB_TYPE, f.job_type.as_deref());
        }
        StandardFacet::Parent(f) => {
            if let Owner::Run { iri, job } = owner {
                parent(&mut out, iri, job, f);
            }
        }
        StandardFacet::ErrorMessage(f) => {
            out.text(subject, mg::ERROR_MESSAGE, &f.message);
            out.text(subject, mg::PROGRAMMING_LANGUAGE, &f.programming_language);
            out.opt_text(subject, mg::STACK_TRACE, f.stack_trace.as_deref());
        }
        StandardFacet::NominalTime(f) => {
            out.add(
                subject,
                mg::NOMINAL_START_TIME,
                time_literal(f.nominal_start_time),
            );
            if let Some(end) = f.nominal_end_time {
                out.add(subject, mg::NOMINAL_END_TIME, time_literal(end));
            }
        }
        StandardFacet::Symlinks(f) => {
            for id in &f.identifiers {
                let other = out.dataset(&id.namespace, &id.name);
                out.node(subject, mg::SYMLINK, &other);
                // The kind says what the other identity is (a TABLE name, a
                // storage LOCATION), so it belongs to that identity.
                out.opt_text(&other, mg::SYMLINK_TYPE, id.kind.as_deref());
            }
        }
        StandardFacet::LifecycleStateChange(f) => {
            out.text(subject, mg::LIFECYCLE_STATE_CHANGE, &f.lifecycle_state_change);
            if let Some(prev) = &f.previous_identifier {
                let prev = out.dataset(&prev.namespace, &prev.name);
                out.add(subject, mg::PREVIOUS_IDENTIFIER, prev);
            }
        }
        StandardFacet::DatasetType(f) => {
            out.text(subject, mg::DATASET_TYPE, &f.dataset_type);
            out.opt_text(subject, mg::DATASET_SUBTYPE, f.sub_type.as_deref());
        }
        StandardFacet::Tags(f) => tags(&mut out, subject, owner.dataset(), f),
        StandardFacet::DataQualityMetrics(f) => quality_metrics(&mut out, subject, owner.dataset(), f),
        StandardFacet::DataQualityAssertions(f) => quality_assertions(&mut out, subject, owner.dataset(), f),
        StandardFacet::InputStatistics(f) | StandardFacet::OutputStatistics(f) => {
            statistics(&mut out, subject, f)
        }
    }
}

/// Quads being written into one facet graph.
struct Out<'a> {
    graph: &'a NamedNode,
    sink: &'a mut dyn Sink,
    /// Reused buffer for the last segment of derived node IRIs.
    key: String,
}

impl Out<'_> {
    /// The way out of every quad of the facet's graph, borrowed.
    fn put(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, o: TermRef<'_>) {
        self.sink.add(quad_ref(s, p, o, self.graph));
    }

    fn add(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, o: impl Into<Term>) {
        self.put(s, p, o.into().as_ref());
    }

    fn node(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, o: &NamedNode) {
        self.put(s, p, o.as_ref().into());
    }

    fn class(&mut self, s: &NamedNode, class: NamedNodeRef<'_>) {
        self.put(s, rdf::TYPE, class.into());
    }

    fn text(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, value: &str) {
        self.put(s, p, LiteralRef::new_simple_literal(value).into());
    }

    fn opt_text(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, value: Option<&str>) {
        if let Some(value) = value {
            self.text(s, p, value);
        }
    }

    /// A URI as an `xsd:anyURI` literal: producers send connection strings
    /// and URLs that are not always valid IRIs, and a literal cannot break.
    fn opt_uri(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, value: Option<&str>) {
        if let Some(value) = value {
            self.add(s, p, Literal::new_typed_literal(value, xsd::ANY_URI));
        }
    }

    /// An `xsd:integer`, formatted on the stack: every output of every run
    /// has its row count and size, and `Literal::from` allocates twice.
    fn int(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, value: i64) {
        const ROOM: usize = 20; // i64::MIN has 20 characters
        let mut digits = [0u8; ROOM];
        let len = {
            let mut rest = &mut digits[..];
            let _ = std::io::Write::write_fmt(&mut rest, format_args!("{value}"));
            ROOM - rest.len()
        };
        let text = std::str::from_utf8(&digits[..len]).unwrap_or_default();
        self.put(s, p, LiteralRef::new_typed_literal(text, xsd::INTEGER).into());
    }

    fn opt_int(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, value: Option<i64>) {
        if let Some(value) = value {
            self.int(s, p, value);
        }
    }

    fn flag(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, value: bool) {
        let text = if value { "true" } else { "false" };
        self.put(s, p, LiteralRef::new_typed_literal(text, xsd::BOOLEAN).into());
    }

    fn opt_double(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, value: Option<f64>) {
        if let Some(value) = value {
            self.add(s, p, Literal::from(value));
        }
    }

    /// The `index`-th node of kind `word` of this facet: `{graph}/{word}/{index}`.
    fn indexed(&mut self, word: &str, index: usize) -> NamedNode {
        self.key.clear();
        let _ = write!(self.key, "{index}");
        iri::child(self.graph, word, &self.key)
    }

    /// A dataset a facet names by identity (symlink, previous name), typed
    /// and named so it can be found even if no event ever reports it.
    fn dataset(&mut self, namespace: &str, name: &str) -> NamedNode {
        let ds = iri::dataset(namespace, name);
        self.class(&ds, mg::DATASET);
        self.text(&ds, mg::NAME, name);
        self.add(&ds, mg::IN_NAMESPACE, iri::namespace(namespace));
        ds
    }

    /// The column of `dataset` at `path`, stated (see [`Out::state_column`]).
    fn column(&mut self, dataset: &NamedNode, path: &str) -> NamedNode {
        let column = iri::column(dataset, path);
        self.state_column(&column, dataset, path);
        column
    }

    /// States that `column` is a column of `dataset` at `path`, so that any
    /// column leads to its dataset (impact lifts columns to datasets): in
    /// the dataset's own graph, which no facet replaces, once. A schema,
    /// its column lineage and the lineage of every table derived from it
    /// name the same columns; stating them in each facet's graph was a
    /// fifth of the quads a new table costs.
    fn state_column(&mut self, column: &NamedNode, dataset: &NamedNode, path: &str) {
        let typed = quad_ref(column, rdf::TYPE, mg::FIELD, dataset);
        if self.sink.quad(typed) {
            return;
        }
        self.sink.add(typed);
        self.sink.add(quad_ref(column, mg::OF_DATASET, dataset, dataset));
        let path = LiteralRef::new_simple_literal(path);
        self.sink.add(quad_ref(column, mg::FIELD_PATH, path, dataset));
    }
}

/// The columns of a schema, depth first; `path` holds the parent's path.
fn schema_fields(
    out: &mut Out<'_>,
    ds: &NamedNode,
    parent: Option<&NamedNode>,
    fields: &[SchemaField],
    path: &mut String,
) {
    for (index, field) in fields.iter().enumerate() {
        let parent_len = path.len();
        if parent_len > 0 {
            path.push('.');
        }
        path.push_str(&field.name);
        let column = out.column(ds, path);
        out.text(&column, mg::NAME, &field.name);
        out.opt_text(&column, mg::DATA_TYPE, field.data_type.as_deref());
        out.opt_text(&column, dcterms::DESCRIPTION, field.description.as_deref());
        // 1-based like the facet's own `ordinal_position` (schema facet 1-2-0).
        out.int(&column, mg::POSITION, index as i64 + 1);
        match parent {
            None => out.node(ds, mg::HAS_FIELD, &column),
            Some(parent) => out.node(parent, mg::SUB_FIELD, &column),
        }
        if !field.fields.is_empty() {
            schema_fields(out, ds, Some(&column), &field.fields, path);
        }
        path.truncate(parent_len);
    }
}

/// Input columns already described in this facet (by identity, borrowed
/// from the facet), and the IRIs of their datasets (few per facet).
#[derive(Default)]
struct InputColumns<'f> {
    seen: HashSet<(&'f str, &'f str, &'f str)>,
    datasets: Vec<(&'f str, &'f str, NamedNode)>,
}

impl<'f> InputColumns<'f> {
    /// The IRI of an input column; its dataset and path are stated the
    /// first time the facet names it (see [`Out::state_column`]).
    fn column(&mut self, out: &mut Out<'_>, input: &'f InputField) -> NamedNode {
        let found = self
            .datasets
            .iter()
            .position(|(ns, name, _)| *ns == input.namespace && *name == input.name);
        let at = found.unwrap_or_else(|| {
            let iri = iri::dataset(&input.namespace, &input.name);
            self.datasets.push((&input.namespace, &input.name, iri));
            self.datasets.len() - 1
        });
        let dataset = &self.datasets[at].2;
        let column = iri::column(dataset, &input.field);
        if self.seen.insert((&input.namespace, &input.name, &input.field)) {
            out.state_column(&column, dataset, &input.field);
        }
        column
    }
}

/// Column lineage (columnLineage facet 1-2-0 and the pre-1.0 form).
///
/// For each (output column, input column, transformation), a derivation node
/// in PROV's qualified pattern:
/// `out prov:qualifiedDerivation d . d a mg:ColumnDerivation ; prov:entity in ;
/// mg:transformationType "DIRECT" ; mg:transformationSubtype ... ; mg:masking ...`,
/// plus the unqualified shortcut `out prov:wasDerivedFrom in` that
/// property-path queries follow. Entries of `dataset` (filters, joins, sorts
/// that affect every row) get the same derivation nodes with the output
/// dataset as subject, and the shortcut `dataset prov:wasInfluencedBy in`:
/// the dataset depends on the column without being computed from it.
fn column_lineage(out: &mut Out<'_>, ds: &NamedNode, facet: &ColumnLineageFacet) {
    let mut inputs = InputColumns::default();
    for (field, lineage) in &facet.fields {
        let column = out.column(ds, field);
        for (i, input) in lineage.input_fields.iter().enumerate() {
            let input_column = inputs.column(out, input);
            out.node(&column, prov::WAS_DERIVED_FROM, &input_column);
            // `{output field}/{input index}`: unambiguous, as indexes hold no `/`.
            out.key.clear();
            let _ = write!(out.key, "{field}/{i}");
            derivations(out, "field", &column, &input_column, input, Some(lineage));
        }
    }
    for (i, input) in facet.dataset.iter().enumerate() {
        let input_column = inputs.column(out, input);
        out.node(ds, prov::WAS_INFLUENCED_BY, &input_column);
        out.key.clear();
        let _ = write!(out.key, "{i}");
        derivations(out, "dataset", ds, &input_column, input, None);
    }
}

/// The derivation nodes of one input of `derived`, named
/// `{graph}/{word}/{out.key}/{transformation index}`. Without
/// `transformations`, one node, typed from the deprecated field-level
/// `transformationType` and `transformationDescription` if `legacy` has them.
fn derivations(
    out: &mut Out<'_>,
    word: &str,
    derived: &NamedNode,
    input_column: &NamedNode,
    input: &InputField,
    legacy: Option<&ColumnLineageField>,
) {
    let prefix = out.key.len();
    let node = |out: &mut Out<'_>, k: usize| {
        out.key.truncate(prefix);
        let _ = write!(out.key, "/{k}");
        let d = iri::child(out.graph, word, &out.key);
        out.class(&d, mg::COLUMN_DERIVATION);
        out.node(derived, prov::QUALIFIED_DERIVATION, &d);
        out.node(&d, prov::ENTITY, input_column);
        d
    };
    if input.transformations.is_empty() {
        let d = node(out, 0);
        if let Some(legacy) = legacy {
            if let Some(kind) = legacy.transformation_type.as_deref() {
                let (kind, subtype, masking) = legacy_transformation(kind);
                if let Some(kind) = kind {
                    out.text(&d, mg::TRANSFORMATION_TYPE, kind);
                }
                out.text(&d, mg::TRANSFORMATION_SUBTYPE, subtype);
                if let Some(masking) = masking {
                    out.flag(&d, mg::MASKING, masking);
                }
            }
            out.opt_text(
                &d,
                dcterms::DESCRIPTION,
                legacy.transformation_description.as_deref(),
            );
        }
        return;
    }
    for (k, t) in input.transformations.iter().enumerate() {
        let d = node(out, k);
        out.text(&d, mg::TRANSFORMATION_TYPE, &t.kind);
        out.opt_text(&d, mg::TRANSFORMATION_SUBTYPE, t.subtype.as_deref());
        out.opt_text(&d, dcterms::DESCRIPTION, t.description.as_deref());
        if let Some(masking) = t.masking {
            out.flag(&d, mg::MASKING, masking);
        }
    }
}

/// The pre-1.0 `transformationType` in today's terms (type, subtype,
/// masking), so one query covers both forms. The old facet documents
/// `IDENTITY` (the value as is) and `MASKED` (e.g. a hash of PII): both carry
/// the input's value, hence DIRECT; a mask transforms the value in its row.
/// Any other value is kept as the subtype, with no type.
fn legacy_transformation(kind: &str) -> (Option<&'static str>, &str, Option<bool>) {
    match kind {
        "IDENTITY" => (Some("DIRECT"), "IDENTITY", Some(false)),
        "MASKED" => (Some("DIRECT"), "TRANSFORMATION", Some(true)),
        other => (None, other, None),
    }
}

/// Owners: `subject prov:wasAttributedTo owner` and, for the ownership type,
/// a qualified `prov:Attribution` per entry.
fn ownership(out: &mut Out<'_>, subject: &NamedNode, facet: &OwnershipFacet) {
    for (i, owner) in facet.owners.iter().enumerate() {
        let agent = iri::owner(&owner.name);
        out.class(&agent, prov::AGENT);
        out.text(&agent, mg::NAME, &owner.name);
        out.node(subject, prov::WAS_ATTRIBUTED_TO, &agent);
        let attribution = out.indexed("owner", i);
        out.class(&attribution, mg::OWNERSHIP);
        out.node(subject, prov::QUALIFIED_ATTRIBUTION, &attribution);
        out.add(&attribution, prov::AGENT_PROP, agent);
        out.opt_text(&attribution, mg::OWNERSHIP_TYPE, owner.owner_type.as_deref());
    }
}

fn source_code_location(out: &mut Out<'_>, subject: &NamedNode, f: &SourceCodeLocationFacet) {
    out.opt_uri(subject, mg::CODE_URL, Some(&f.url));
    out.opt_text(subject, mg::CODE_VCS, f.vcs.as_deref());
    out.opt_uri(subject, mg::CODE_REPOSITORY, f.repo_url.as_deref());
    out.opt_text(subject, mg::CODE_PATH, f.path.as_deref());
    out.opt_text(subject, mg::CODE_VERSION, f.version.as_deref());
    out.opt_text(subject, mg::CODE_TAG, f.tag.as_deref());
    out.opt_text(subject, mg::CODE_BRANCH, f.branch.as_deref());
}

/// The run tree: `run mg:parentRun p ; prov:wasInformedBy p ; mg:rootRun r`,
/// each referenced run typed with its job, and the same tree on jobs
/// (`job mg:parentJob pj ; mg:rootJob rj`), so "which runs and jobs did this
/// DAG start" is a pattern, not a join on facet JSON.
fn parent(out: &mut Out<'_>, run: &NamedNode, job: &NamedNode, facet: &ParentRunFacet) {
    let parent_run = iri::run(facet.run.run_id);
    out.node(run, mg::PARENT_RUN, &parent_run);
    out.node(run, prov::WAS_INFORMED_BY, &parent_run);
    let parent_job = referenced_run(out, &parent_run, &facet.job);
    // A self-reference would make the job tree a cycle.
    if parent_job != *job {
        out.add(job, mg::PARENT_JOB, parent_job);
    }
    if let Some(root) = &facet.root {
        let root_run = iri::run(root.run.run_id);
        out.node(run, mg::ROOT_RUN, &root_run);
        let root_job = referenced_run(out, &root_run, &root.job);
        if root_job != *job {
            out.add(job, mg::ROOT_JOB, root_job);
        }
    }
}

/// Types a run named by a parent facet and links it to its job, which may
/// never send events of its own (a scheduler's DAG run); returns the job.
/// A run or job whose own events stated this already (in its own graph) is
/// not stated again: every child run of a DAG run names it.
fn referenced_run(out: &mut Out<'_>, run: &NamedNode, job: &JobRef) -> NamedNode {
    let job_iri = iri::job(&job.namespace, &job.name);
    if !out.sink.run(run) {
        out.class(run, mg::RUN);
        out.node(run, mg::OF_JOB, &job_iri);
    }
    // The first type triple a job's own events write, in its own graph.
    if !out
        .sink
        .identified(&job_iri, quad_ref(&job_iri, rdf::TYPE, mg::JOB, &job_iri))
    {
        out.class(&job_iri, mg::JOB);
        out.text(&job_iri, mg::NAME, &job.name);
        out.add(&job_iri, mg::IN_NAMESPACE, iri::namespace(&job.namespace));
    }
    job_iri
}

/// Tags as nodes (`mg:Tag` with key, value, source); a dataset tag with a
/// `field` hangs on that column instead of the dataset.
fn tags(out: &mut Out<'_>, subject: &NamedNode, ds: Option<&NamedNode>, facet: &TagsFacet) {
    for (i, tag) in facet.tags.iter().enumerate() {
        let node = out.indexed("tag", i);
        out.class(&node, mg::TAG);
        out.text(&node, mg::TAG_KEY, &tag.key);
        out.text(&node, mg::TAG_VALUE, &tag.value);
        out.opt_text(&node, mg::TAG_SOURCE, tag.source.as_deref());
        match (ds, tag.field.as_deref().filter(|f| !f.is_empty())) {
            (Some(ds), Some(field)) => {
                let column = out.column(ds, field);
                out.add(&column, mg::HAS_TAG, node);
            }
            // Only dataset tags name fields; a job or run tag, or an empty
            // field, hangs on the owner.
            _ => out.add(subject, mg::HAS_TAG, node),
        }
    }
}

/// Dataset-level metrics on the dataset (or the run's usage of it, for an
/// input facet), per-column metrics on the column IRIs; the facet's graph
/// says which observation a value comes from.
fn quality_metrics(
    out: &mut Out<'_>,
    subject: &NamedNode,
    ds: Option<&NamedNode>,
    facet: &DataQualityMetricsFacet,
) {
    out.opt_int(subject, mg::ROW_COUNT, facet.row_count);
    out.opt_int(subject, mg::BYTE_SIZE, facet.bytes);
    out.opt_int(subject, mg::FILE_COUNT, facet.file_count);
    let Some(ds) = ds else { return };
    for (field, metrics) in &facet.column_metrics {
        let column = out.column(ds, field);
        out.opt_int(&column, mg::NULL_COUNT, metrics.null_count);
        out.opt_int(&column, mg::DISTINCT_COUNT, metrics.distinct_count);
        // The facet types these as JSON numbers, not integers: xsd:double.
        out.opt_double(&column, mg::VALUE_SUM, metrics.sum);
        out.opt_double(&column, mg::VALUE_COUNT, metrics.count);
        out.opt_double(&column, mg::MIN_VALUE, metrics.min);
        out.opt_double(&column, mg::MAX_VALUE, metrics.max);
    }
}

/// One `mg:DataQualityAssertion` node per assertion, on the dataset (or
/// usage) and, if it names one, on the column.
fn quality_assertions(
    out: &mut Out<'_>,
    subject: &NamedNode,
    ds: Option<&NamedNode>,
    facet: &DataQualityAssertionsFacet,
) {
    for (i, assertion) in facet.assertions.iter().enumerate() {
        let node = out.indexed("assertion", i);
        out.class(&node, mg::DATA_QUALITY_ASSERTION);
        out.node(subject, mg::HAS_ASSERTION, &node);
        out.text(&node, mg::ASSERTION_TYPE, &assertion.assertion);
        out.flag(&node, mg::SUCCESS, assertion.success);
        out.opt_text(&node, mg::SEVERITY, assertion.severity.as_deref());
        // The spec: an empty column means the whole dataset.
        if let (Some(ds), Some(field)) = (ds, assertion.column.as_deref().filter(|c| !c.is_empty())) {
            let column = out.column(ds, field);
            out.add(&node, mg::ON_FIELD, column);
        }
    }
}

/// inputStatistics / outputStatistics, on the run's `prov:Usage` or
/// `prov:Generation`: what this run read or wrote, not the dataset's size.
fn statistics(out: &mut Out<'_>, subject: &NamedNode, facet: &StatisticsFacet) {
    out.opt_int(subject, mg::ROW_COUNT, facet.row_count);
    out.opt_int(subject, mg::BYTE_SIZE, facet.size);
    out.opt_int(subject, mg::FILE_COUNT, facet.file_count);
}

#[cfg(test)]
mod tests {
    use oxigraph::model::{GraphName, NamedOrBlankNode, Quad, Term};
    use oxigraph::sparql::{QueryResults, SparqlEvaluator};
    use serde_json::value::RawValue;

    use super::*;
    use crate::openlineage::digest::FacetDigest;
    use crate::openlineage::facets::{self, FacetScope};
    use crate::openlineage::parse_event;
    use crate::store::Store;

    /// The quads added, over a store that holds nothing else.
    impl Held for Vec<Quad> {
        fn quad(&self, quad: QuadRef<'_>) -> bool {
            self.iter().any(|q| q.as_ref() == quad)
        }
        fn identified(&self, _: &NamedNode, typed: QuadRef<'_>) -> bool {
            self.quad(typed)
        }
        fn facet(&self, _: &NamedNode, _: FacetDigest) -> bool {
            false
        }
    }

    impl Sink for Vec<Quad> {
        fn add(&mut self, quad: QuadRef<'_>) {
            self.push(quad.into_owned());
        }
    }

    const RUN_ID: &str = "01a20e4a-937e-747b-8edf-2427de7d14c8";

    /// Describes one facet, checking what holds for every facet: all quads
    /// in the facet's graph, no blank nodes, the same quads twice.
    fn describe_json(owner: Owner<'_>, scope: FacetScope, key: &str, json: &str) -> Vec<Quad> {
        let raw = RawValue::from_string(json.to_owned()).unwrap();
        let facet = facets::standard(scope, key, raw.get())
            .unwrap()
            .expect("a standard facet");
        let graph = iri::facet(owner.iri(), key);
        let mut quads = Vec::new();
        describe(owner, &graph, &facet, &mut quads);
        assert!(!quads.is_empty(), "{key} means nothing");
        for q in &quads {
            // A column's identity goes to its dataset's graph.
            let identity = [rdf::TYPE, mg::OF_DATASET, mg::FIELD_PATH].contains(&q.predicate.as_ref())
                && q.graph_name
                    .to_string()
                    .starts_with(&format!("<{}dataset/", iri::ID_BASE));
            if !identity {
                assert_eq!(q.graph_name, GraphName::NamedNode(graph.clone()), "{q}");
            }
            assert!(matches!(q.subject, NamedOrBlankNode::NamedNode(_)), "{q}");
            assert!(!matches!(q.object, Term::BlankNode(_)), "{q}");
        }
        let mut again = Vec::new();
        describe(owner, &graph, &facet, &mut again);
        assert_eq!(quads, again);
        quads
    }

    fn is(q: &Quad, s: &NamedNode, p: NamedNodeRef<'_>) -> bool {
        matches!(&q.subject, NamedOrBlankNode::NamedNode(n) if n == s) && q.predicate == p
    }

    fn has(quads: &[Quad], s: &NamedNode, p: NamedNodeRef<'_>, o: impl Into<Term>) -> bool {
        let o = o.into();
        quads.iter().any(|q| is(q, s, p) && q.object == o)
    }

    fn objects<'q>(quads: &'q [Quad], s: &NamedNode, p: NamedNodeRef<'_>) -> Vec<&'q Term> {
        quads.iter().filter(|q| is(q, s, p)).map(|q| &q.object).collect()
    }

    fn node(term: &Term) -> NamedNode {
        match term {
            Term::NamedNode(n) => n.clone(),
            other => panic!("not an IRI: {other}"),
        }
    }

    fn text(value: &str) -> Literal {
        Literal::new_simple_literal(value)
    }

    /// The derivation nodes from `input` to `derived`.
    fn derivations(quads: &[Quad], derived: &NamedNode, input: &NamedNode) -> Vec<NamedNode> {
        objects(quads, derived, prov::QUALIFIED_DERIVATION)
            .into_iter()
            .map(node)
            .filter(|d| has(quads, d, prov::ENTITY, input.clone()))
            .collect()
    }

    /// The only element of `items`.
    fn one<T: std::fmt::Debug>(items: Vec<T>) -> T {
        let [item] = <[T; 1]>::try_from(items).unwrap_or_else(|items| panic!("expected one: {items:?}"));
        item
    }

    fn dataset_owner(iri: &NamedNode) -> Owner<'_> {
        Owner::Dataset { iri, writer: None }
    }

    #[test]
    fn schema_gives_each_nested_column_its_path_iri_parent_and_position() {
        let ds = iri::dataset("pg", "public.users");
        let quads = describe_json(
            dataset_owner(&ds),
            FacetScope::Dataset,
            "schema",
            r#"{"fields":[{"name":"id","type":"int","description":"the key"},
                {"name":"address","type":"struct","fields":[{"name":"city","type":"string"},
                  {"name":"geo","type":"struct","fields":[{"name":"lat","type":"double"}]}]}]}"#,
        );
        let col = |path| iri::field("pg", "public.users", path);
        let (id, address, geo, lat) = (
            col("id"),
            col("address"),
            col("address.geo"),
            col("address.geo.lat"),
        );
        assert_eq!(
            lat.as_str(),
            "https://meshgraph.dev/id/dataset/pg/public.users/field/address.geo.lat"
        );
        assert!(has(&quads, &ds, mg::HAS_FIELD, id.clone()));
        assert!(has(&quads, &ds, mg::HAS_FIELD, address.clone()));
        assert!(
            !has(&quads, &ds, mg::HAS_FIELD, geo.clone()),
            "nested columns hang on their parent"
        );
        assert!(has(&quads, &address, mg::SUB_FIELD, col("address.city")));
        assert!(has(&quads, &address, mg::SUB_FIELD, geo.clone()));
        assert!(has(&quads, &geo, mg::SUB_FIELD, lat.clone()));
        for column in [&id, &address, &geo, &lat] {
            assert!(has(&quads, column, rdf::TYPE, mg::FIELD.into_owned()));
            assert!(has(&quads, column, mg::OF_DATASET, ds.clone()));
        }
        assert!(has(&quads, &lat, mg::NAME, text("lat")));
        assert!(has(&quads, &lat, mg::FIELD_PATH, text("address.geo.lat")));
        assert!(has(&quads, &lat, mg::DATA_TYPE, text("double")));
        assert!(has(&quads, &id, dcterms::DESCRIPTION, text("the key")));
        assert!(has(&quads, &id, mg::POSITION, Literal::from(1_i64)));
        assert!(has(&quads, &geo, mg::POSITION, Literal::from(2_i64)));
        assert!(has(&quads, &lat, mg::POSITION, Literal::from(1_i64)));
    }

    #[test]
    fn column_lineage_qualifies_each_transformation_and_keeps_the_shortcut() {
        let ds = iri::dataset("pg", "out");
        let quads = describe_json(
            dataset_owner(&ds),
            FacetScope::Dataset,
            "columnLineage",
            r#"{"fields":{
                "total":{"inputFields":[
                  {"namespace":"pg","name":"orders","field":"amount","transformations":[
                    {"type":"DIRECT","subtype":"AGGREGATION","description":"sum(amount)","masking":false}]},
                  {"namespace":"pg","name":"orders","field":"status","transformations":[
                    {"type":"INDIRECT","subtype":"FILTER"}]}]},
                "email_hash":{"inputFields":[
                  {"namespace":"crm","name":"users","field":"email","transformations":[
                    {"type":"DIRECT","subtype":"TRANSFORMATION","masking":true},
                    {"type":"INDIRECT","subtype":"JOIN"}]}]},
                "email_domain":{"inputFields":[{"namespace":"crm","name":"users","field":"email"}]}},
              "dataset":[{"namespace":"pg","name":"orders","field":"region","transformations":[
                {"type":"INDIRECT","subtype":"GROUP_BY"}]}]}"#,
        );
        let total = iri::field("pg", "out", "total");
        let amount = iri::field("pg", "orders", "amount");
        let email = iri::field("crm", "users", "email");
        let email_hash = iri::field("pg", "out", "email_hash");

        let sum = one(derivations(&quads, &total, &amount));
        assert!(has(&quads, &sum, rdf::TYPE, mg::COLUMN_DERIVATION.into_owned()));
        assert!(has(&quads, &sum, mg::TRANSFORMATION_TYPE, text("DIRECT")));
        assert!(has(&quads, &sum, mg::TRANSFORMATION_SUBTYPE, text("AGGREGATION")));
        assert!(has(&quads, &sum, dcterms::DESCRIPTION, text("sum(amount)")));
        assert!(has(&quads, &sum, mg::MASKING, Literal::from(false)));
        assert!(has(&quads, &total, prov::WAS_DERIVED_FROM, amount.clone()));
        let status = iri::field("pg", "orders", "status");
        assert!(has(&quads, &total, prov::WAS_DERIVED_FROM, status.clone()));
        let filter = one(derivations(&quads, &total, &status));
        assert!(has(&quads, &filter, mg::TRANSFORMATION_TYPE, text("INDIRECT")));

        let hashing = derivations(&quads, &email_hash, &email);
        assert_eq!(hashing.len(), 2, "two transformations, two derivations");
        assert!(
            hashing
                .iter()
                .any(|d| has(&quads, d, mg::MASKING, Literal::from(true))
                    && has(&quads, d, mg::TRANSFORMATION_SUBTYPE, text("TRANSFORMATION")))
        );
        assert!(
            hashing
                .iter()
                .any(|d| has(&quads, d, mg::TRANSFORMATION_SUBTYPE, text("JOIN")))
        );
        // Without transformations, still one (untyped) derivation.
        let domain = iri::field("pg", "out", "email_domain");
        assert_eq!(derivations(&quads, &domain, &email).len(), 1);

        // Dataset-level lineage: the whole output depends on the column.
        let region = iri::field("pg", "orders", "region");
        let group_by = one(derivations(&quads, &ds, &region));
        assert!(has(
            &quads,
            &group_by,
            mg::TRANSFORMATION_SUBTYPE,
            text("GROUP_BY")
        ));
        assert!(has(&quads, &ds, prov::WAS_INFLUENCED_BY, region.clone()));
        assert!(!has(&quads, &ds, prov::WAS_DERIVED_FROM, region.clone()));

        // Every derivation has its own node; input columns lead to their dataset, once.
        let all = quads
            .iter()
            .filter(|q| q.predicate == rdf::TYPE && q.object == mg::COLUMN_DERIVATION.into_owned().into())
            .count();
        assert_eq!(all, 6);
        assert!(has(&quads, &email, mg::OF_DATASET, iri::dataset("crm", "users")));
        assert!(has(&quads, &total, mg::OF_DATASET, ds.clone()));
        assert_eq!(objects(&quads, &email, rdf::TYPE).len(), 1);
    }

    #[test]
    fn old_column_lineage_reads_field_level_type_and_description() {
        let ds = iri::dataset("n", "t");
        let quads = describe_json(
            dataset_owner(&ds),
            FacetScope::Dataset,
            "columnLineage",
            r#"{"fields":{
                "a":{"inputFields":[{"namespace":"n","name":"src","field":"a"}],
                     "transformationType":"IDENTITY","transformationDescription":"identical"},
                "h":{"inputFields":[{"namespace":"n","name":"src","field":"email"}],"transformationType":"MASKED"},
                "b":{"inputFields":[{"namespace":"n","name":"src","field":"b","transformations":[{"type":"INDIRECT"}]}],
                     "transformationType":"MASKED"}}}"#,
        );
        let out = |f| iri::field("n", "t", f);
        let src = |f| iri::field("n", "src", f);
        let a = one(derivations(&quads, &out("a"), &src("a")));
        assert!(has(&quads, &a, mg::TRANSFORMATION_TYPE, text("DIRECT")));
        assert!(has(&quads, &a, mg::TRANSFORMATION_SUBTYPE, text("IDENTITY")));
        assert!(has(&quads, &a, mg::MASKING, Literal::from(false)));
        assert!(has(&quads, &a, dcterms::DESCRIPTION, text("identical")));
        let h = one(derivations(&quads, &out("h"), &src("email")));
        assert!(has(&quads, &h, mg::TRANSFORMATION_TYPE, text("DIRECT")));
        assert!(has(&quads, &h, mg::MASKING, Literal::from(true)));
        // `transformations` win over the deprecated form.
        let b = one(derivations(&quads, &out("b"), &src("b")));
        assert_eq!(
            objects(&quads, &b, mg::TRANSFORMATION_TYPE),
            [&text("INDIRECT").into()]
        );
        assert!(objects(&quads, &b, mg::MASKING).is_empty());
    }

    #[test]
    fn ownership_attributes_the_entity_to_owner_agents_with_their_type() {
        let job = iri::job("airflow", "etl");
        let owner = Owner::Job { iri: &job };
        let quads = describe_json(
            owner,
            FacetScope::Job,
            "ownership",
            r#"{"owners":[{"name":"team:data platform","type":"MAINTAINER"},{"name":"user:jdoe"}]}"#,
        );
        let team = iri::owner("team:data platform");
        assert_eq!(
            team.as_str(),
            "https://meshgraph.dev/id/owner/team%3Adata%20platform"
        );
        let jdoe = iri::owner("user:jdoe");
        for agent in [&team, &jdoe] {
            assert!(has(&quads, agent, rdf::TYPE, prov::AGENT.into_owned()));
            assert!(has(&quads, &job, prov::WAS_ATTRIBUTED_TO, agent.clone()));
        }
        assert!(has(&quads, &team, mg::NAME, text("team:data platform")));
        let attributions: Vec<NamedNode> = objects(&quads, &job, prov::QUALIFIED_ATTRIBUTION)
            .into_iter()
            .map(node)
            .collect();
        assert_eq!(attributions.len(), 2);
        let of = |agent: &NamedNode| {
            attributions
                .iter()
                .find(|a| has(&quads, a, prov::AGENT_PROP, agent.clone()))
                .unwrap()
                .clone()
        };
        assert!(has(&quads, &of(&team), rdf::TYPE, mg::OWNERSHIP.into_owned()));
        assert!(has(&quads, &of(&team), mg::OWNERSHIP_TYPE, text("MAINTAINER")));
        assert!(objects(&quads, &of(&jdoe), mg::OWNERSHIP_TYPE).is_empty());
    }

    #[test]
    fn parent_links_runs_and_jobs_to_parent_and_root() {
        let run = iri::run(Uuid::parse_str(RUN_ID).unwrap());
        let job = iri::job("airflow", "dag.task");
        let quads = describe_json(
            Owner::Run { iri: &run, job: &job },
            FacetScope::Run,
            "parent",
            r#"{"run":{"runId":"11111111-1111-4111-8111-111111111111"},"job":{"namespace":"airflow","name":"dag"},
                "root":{"run":{"runId":"22222222-2222-4222-8222-222222222222"},
                        "job":{"namespace":"airflow","name":"root dag"}}}"#,
        );
        let parent = iri::run(Uuid::parse_str("11111111-1111-4111-8111-111111111111").unwrap());
        let root = iri::run(Uuid::parse_str("22222222-2222-4222-8222-222222222222").unwrap());
        let (parent_job, root_job) = (iri::job("airflow", "dag"), iri::job("airflow", "root dag"));
        assert!(has(&quads, &run, mg::PARENT_RUN, parent.clone()));
        assert!(has(&quads, &run, prov::WAS_INFORMED_BY, parent.clone()));
        assert!(has(&quads, &run, mg::ROOT_RUN, root.clone()));
        assert!(has(&quads, &parent, rdf::TYPE, mg::RUN.into_owned()));
        assert!(has(&quads, &parent, mg::OF_JOB, parent_job.clone()));
        assert!(has(&quads, &root, mg::OF_JOB, root_job.clone()));
        assert!(has(&quads, &job, mg::PARENT_JOB, parent_job.clone()));
        assert!(has(&quads, &job, mg::ROOT_JOB, root_job.clone()));
        assert!(has(&quads, &root_job, mg::NAME, text("root dag")));
        assert!(has(
            &quads,
            &root_job,
            mg::IN_NAMESPACE,
            iri::namespace("airflow")
        ));

        // A run whose parent is a run of the same job does not make the job its own parent.
        let quads = describe_json(
            Owner::Run { iri: &run, job: &job },
            FacetScope::Run,
            "parent",
            r#"{"run":{"runId":"11111111-1111-4111-8111-111111111111"},"job":{"namespace":"airflow","name":"dag.task"}}"#,
        );
        assert!(has(&quads, &run, mg::PARENT_RUN, parent));
        assert!(objects(&quads, &job, mg::PARENT_JOB).is_empty());
    }

    #[test]
    fn integers_are_the_literals_oxigraph_makes_of_them() {
        let graph = iri::dataset("n", "t");
        let mut quads = Vec::new();
        let mut out = Out {
            graph: &graph,
            sink: &mut quads,
            key: String::new(),
        };
        let values = [i64::MIN, -1, 0, 7, i64::MAX];
        for value in values {
            out.int(&graph, mg::ROW_COUNT, value);
        }
        let objects: Vec<Term> = quads.into_iter().map(|q| q.object).collect();
        let expected: Vec<Term> = values.into_iter().map(|v| Literal::from(v).into()).collect();
        assert_eq!(objects, expected);
    }

    #[test]
    fn statistics_and_input_metrics_go_on_the_usage_or_generation() {
        let run = iri::run(Uuid::parse_str(RUN_ID).unwrap());
        let ds = iri::dataset("s3://bucket", "events");
        let usage = iri::usage(&run, &ds);
        let io = |iri| Owner::Io { iri, dataset: &ds };
        let stats = r#"{"rowCount":10,"size":2048,"fileCount":3}"#;
        let quads = describe_json(io(&usage), FacetScope::Input, "inputStatistics", stats);
        assert!(has(&quads, &usage, mg::ROW_COUNT, Literal::from(10_i64)));
        assert!(has(&quads, &usage, mg::BYTE_SIZE, Literal::from(2048_i64)));
        assert!(has(&quads, &usage, mg::FILE_COUNT, Literal::from(3_i64)));
        assert_eq!(
            Literal::from(10_i64).datatype(),
            xsd::INTEGER,
            "counts are xsd:integer"
        );
        let generation = iri::generation(&run, &ds);
        let quads = describe_json(io(&generation), FacetScope::Output, "outputStatistics", stats);
        assert!(has(&quads, &generation, mg::ROW_COUNT, Literal::from(10_i64)));
        assert!(!has(&quads, &ds, mg::ROW_COUNT, Literal::from(10_i64)));

        let quads = describe_json(
            io(&usage),
            FacetScope::Input,
            "dataQualityMetrics",
            r#"{"rowCount":5,"columnMetrics":{"user id":{"nullCount":1,"distinctCount":4,"min":0.5,"max":9}}}"#,
        );
        let column = iri::field("s3://bucket", "events", "user id");
        assert!(has(&quads, &usage, mg::ROW_COUNT, Literal::from(5_i64)));
        assert!(has(&quads, &column, mg::NULL_COUNT, Literal::from(1_i64)));
        assert!(has(&quads, &column, mg::DISTINCT_COUNT, Literal::from(4_i64)));
        assert!(has(&quads, &column, mg::MIN_VALUE, Literal::from(0.5)));
        assert!(has(&quads, &column, mg::MAX_VALUE, Literal::from(9.0)));
        assert!(has(&quads, &column, mg::OF_DATASET, ds.clone()));
    }

    #[test]
    fn tags_and_assertions_name_columns_when_they_say_so() {
        let ds = iri::dataset("pg", "users");
        let quads = describe_json(
            dataset_owner(&ds),
            FacetScope::Dataset,
            "tags",
            r#"{"tags":[{"key":"pii","value":"true","source":"DBT","field":"email"},
                {"key":"tier","value":"gold","field":""}]}"#,
        );
        let email = iri::field("pg", "users", "email");
        let [pii] = &objects(&quads, &email, mg::HAS_TAG)[..] else {
            panic!()
        };
        let pii = node(pii);
        assert!(has(&quads, &pii, rdf::TYPE, mg::TAG.into_owned()));
        assert!(has(&quads, &pii, mg::TAG_KEY, text("pii")));
        assert!(has(&quads, &pii, mg::TAG_VALUE, text("true")));
        assert!(has(&quads, &pii, mg::TAG_SOURCE, text("DBT")));
        let [tier] = &objects(&quads, &ds, mg::HAS_TAG)[..] else {
            panic!()
        };
        assert!(has(&quads, &node(tier), mg::TAG_VALUE, text("gold")));

        let quads = describe_json(
            dataset_owner(&ds),
            FacetScope::Dataset,
            "dataQualityAssertions",
            r#"{"assertions":[{"assertion":"not_null","success":false,"column":"email","severity":"error"},
                {"assertion":"row_count","success":true}]}"#,
        );
        let assertions: Vec<NamedNode> = objects(&quads, &ds, mg::HAS_ASSERTION)
            .into_iter()
            .map(node)
            .collect();
        assert_eq!(assertions.len(), 2);
        let not_null = assertions
            .iter()
            .find(|a| has(&quads, a, mg::ASSERTION_TYPE, text("not_null")))
            .unwrap();
        assert!(has(&quads, not_null, mg::SUCCESS, Literal::from(false)));
        assert!(has(&quads, not_null, mg::SEVERITY, text("error")));
        assert!(has(&quads, not_null, mg::ON_FIELD, email));
        assert_eq!(
            assertions
                .iter()
                .filter(|a| !objects(&quads, a, mg::ON_FIELD).is_empty())
                .count(),
            1
        );
    }

    /// Asserts that `json` (facet `key`) states `subject predicate object`.
    fn states(
        owner: Owner<'_>,
        scope: FacetScope,
        key: &str,
        json: &str,
        p: NamedNodeRef<'_>,
        o: impl Into<Term>,
    ) {
        let quads = describe_json(owner, scope, key, json);
        let o = o.into();
        assert!(
            has(&quads, owner.iri(), p, o.clone()),
            "{key}: no {p} {o} in {quads:#?}"
        );
    }

    #[test]
    fn job_facets_become_properties_of_the_job() {
        let job = iri::job("ns", "j");
        let j = Owner::Job { iri: &job };
        let scope = FacetScope::Job;
        let sql = r#"{"query":"select 1","dialect":"ansi"}"#;
        states(j, scope, "sql", sql, mg::SQL_QUERY, text("select 1"));
        states(j, scope, "sql", sql, mg::SQL_DIALECT, text("ansi"));
        let code = r#"{"language":"python","sourceCode":"print(1)"}"#;
        states(j, scope, "sourceCode", code, mg::SOURCE_CODE, text("print(1)"));
        states(
            j,
            scope,
            "sourceCode",
            code,
            mg::SOURCE_CODE_LANGUAGE,
            text("python"),
        );
        let doc = r##"{"description":"# Hi","contentType":"text/markdown"}"##;
        states(j, scope, "documentation", doc, dcterms::DESCRIPTION, text("# Hi"));
        states(
            j,
            scope,
            "documentation",
            doc,
            mg::DESCRIPTION_CONTENT_TYPE,
            text("text/markdown"),
        );
        let job_type = r#"{"processingType":"BATCH","integration":"DBT","jobType":"MODEL"}"#;
        states(j, scope, "jobType", job_type, mg::PROCESSING_TYPE, text("BATCH"));
        states(j, scope, "jobType", job_type, mg::INTEGRATION, text("DBT"));
        states(j, scope, "jobType", job_type, mg::JOB_TYPE, text("MODEL"));
        let code =
            r#"{"type":"git","url":"https://g/x","repoUrl":"https://g","path":"a.py","branch":"main"}"#;
        let uri = |v| Literal::new_typed_literal(v, xsd::ANY_URI);
        states(
            j,
            scope,
            "sourceCodeLocation",
            code,
            mg::CODE_URL,
            uri("https://g/x"),
        );
        states(
            j,
            scope,
            "sourceCodeLocation",
            code,
            mg::CODE_REPOSITORY,
            uri("https://g"),
        );
        states(j, scope, "sourceCodeLocation", code, mg::CODE_VCS, text("git"));
        states(j, scope, "sourceCodeLocation", code, mg::CODE_PATH, text("a.py"));
        states(
            j,
            scope,
            "sourceCodeLocation",
            code,
            mg::CODE_BRANCH,
            text("main"),
        );
    }

    #[test]
    fn dataset_facets_become_properties_of_the_dataset() {
        let ds = iri::dataset("ns", "t");
        let d = dataset_owner(&ds);
        let scope = FacetScope::Dataset;
        states(
            d,
            scope,
            "documentation",
            r#"{"description":"users"}"#,
            dcterms::DESCRIPTION,
            text("users"),
        );
        let source = r#"{"name":"pg","uri":"postgres://h:5432/db"}"#;
        states(d, scope, "dataSource", source, mg::SOURCE_NAME, text("pg"));
        let uri = Literal::new_typed_literal("postgres://h:5432/db", xsd::ANY_URI);
        states(d, scope, "dataSource", source, mg::SOURCE_URI, uri);
        let kind = r#"{"datasetType":"VIEW","subType":"MATERIALIZED"}"#;
        states(d, scope, "datasetType", kind, mg::DATASET_TYPE, text("VIEW"));
        states(
            d,
            scope,
            "datasetType",
            kind,
            mg::DATASET_SUBTYPE,
            text("MATERIALIZED"),
        );

        let rename =
            r#"{"lifecycleStateChange":"RENAME","previousIdentifier":{"namespace":"ns","name":"old"}}"#;
        states(
            d,
            scope,
            "lifecycleStateChange",
            rename,
            mg::LIFECYCLE_STATE_CHANGE,
            text("RENAME"),
        );
        let old = iri::dataset("ns", "old");
        states(
            d,
            scope,
            "lifecycleStateChange",
            rename,
            mg::PREVIOUS_IDENTIFIER,
            old,
        );

        let quads = describe_json(
            d,
            scope,
            "symlinks",
            r#"{"identifiers":[{"namespace":"hive","name":"db.t","type":"TABLE"}]}"#,
        );
        let table = iri::dataset("hive", "db.t");
        assert!(has(&quads, &ds, mg::SYMLINK, table.clone()));
        assert!(has(&quads, &table, mg::SYMLINK_TYPE, text("TABLE")));
        assert!(has(&quads, &table, rdf::TYPE, mg::DATASET.into_owned()));
        assert!(has(&quads, &table, mg::IN_NAMESPACE, iri::namespace("hive")));
    }

    #[test]
    fn run_facets_become_properties_of_the_run() {
        let job = iri::job("ns", "j");
        let run = iri::run(Uuid::parse_str(RUN_ID).unwrap());
        let r = Owner::Run { iri: &run, job: &job };
        let scope = FacetScope::Run;
        let error = r#"{"message":"boom","programmingLanguage":"python","stackTrace":"at x"}"#;
        states(r, scope, "errorMessage", error, mg::ERROR_MESSAGE, text("boom"));
        states(
            r,
            scope,
            "errorMessage",
            error,
            mg::PROGRAMMING_LANGUAGE,
            text("python"),
        );
        states(r, scope, "errorMessage", error, mg::STACK_TRACE, text("at x"));
        let nominal =
            r#"{"nominalStartTime":"2024-05-01T00:00:00Z","nominalEndTime":"2024-05-02T00:00:00+02:00"}"#;
        let time = |v| Literal::new_typed_literal(v, xsd::DATE_TIME);
        states(
            r,
            scope,
            "nominalTime",
            nominal,
            mg::NOMINAL_START_TIME,
            time("2024-05-01T00:00:00Z"),
        );
        states(
            r,
            scope,
            "nominalTime",
            nominal,
            mg::NOMINAL_END_TIME,
            time("2024-05-01T22:00:00Z"),
        );
        // A run tag names no column, whatever it says.
        let quads = describe_json(
            r,
            scope,
            "tags",
            r#"{"tags":[{"key":"env","value":"prod","field":"ignored"}]}"#,
        );
        assert_eq!(objects(&quads, &run, mg::HAS_TAG).len(), 1);
    }

    /// A realistic event (after the Python client's column lineage example)
    /// through the whole path: mapping, store, SPARQL over the union graph.
    /// DISTINCT because oxigraph's union default graph repeats a triple once
    /// per graph that holds it (a column's dataset is stated by both the
    /// schema and the columnLineage facets).
    #[test]
    fn sparql_finds_a_column_derivation_with_its_transformation() {
        let event = parse_event(&format!(
            r#"{{"eventTime":"2026-11-24T16:01:38.186095+00:00","eventType":"COMPLETE",
            "producer":"https://example.com/my-emitter/0.1",
            "schemaURL":"https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
            "run":{{"runId":"{RUN_ID}","facets":{{"tags":{{"_producer":"p","_schemaURL":"s",
                "tags":[{{"key":"openlineage_client_version","source":"OPENLINEAGE_CLIENT","value":"1.54.0"}}]}}}}}},
            "job":{{"namespace":"example-scheduler","name":"nightly.order_totals","facets":{{
                "sql":{{"_producer":"p","_schemaURL":"s","query":"insert into order_totals select sum(amount) from orders"}}}}}},
            "inputs":[{{"namespace":"postgres://db.example:5432","name":"shop.public.orders","facets":{{
                "schema":{{"_producer":"p","_schemaURL":"s","fields":[
                    {{"name":"id","type":"integer","fields":[]}},{{"name":"amount","type":"numeric","fields":[]}}]}}}},
                "inputFacets":{{"inputStatistics":{{"_producer":"p","_schemaURL":"s","rowCount":1200}}}}}}],
            "outputs":[{{"namespace":"postgres://db.example:5432","name":"shop.public.order_totals","facets":{{
                "columnLineage":{{"_producer":"p","_schemaURL":"s","dataset":[],"fields":{{"total":{{"inputFields":[
                    {{"namespace":"postgres://db.example:5432","name":"shop.public.orders","field":"amount",
                      "transformations":[{{"type":"DIRECT","subtype":"AGGREGATION","description":"sum(amount)","masking":false}}]}}]}}}}}},
                "schema":{{"_producer":"p","_schemaURL":"s","fields":[{{"name":"total","type":"numeric","fields":[]}}]}}}},
                "outputFacets":{{}}}}]}}"#
        ))
        .unwrap();
        let store = Store::in_memory().unwrap();
        store.apply_events(&[&event]).unwrap();

        let mut query = SparqlEvaluator::new()
            .parse_query(
                "PREFIX mg: <https://meshgraph.dev/ns#>
                 PREFIX prov: <http://www.w3.org/ns/prov#>
                 SELECT DISTINCT ?job ?output ?input ?type ?subtype ?masking ?description ?inputType ?rows WHERE {
                   ?out prov:qualifiedDerivation ?d ; mg:fieldPath ?output ; mg:ofDataset ?outDs .
                   ?d a mg:ColumnDerivation ; prov:entity ?in ; mg:transformationType ?type ;
                      mg:transformationSubtype ?subtype ; mg:masking ?masking ;
                      <http://purl.org/dc/terms/description> ?description .
                   ?in mg:fieldPath ?input ; mg:ofDataset ?inDs ; mg:dataType ?inputType .
                   ?out prov:wasDerivedFrom ?in .
                   ?run prov:generated ?outDs ; prov:qualifiedUsage ?usage ; mg:job/mg:sqlQuery ?sql .
                   ?usage prov:entity ?inDs ; mg:rowCount ?rows .
                   ?run mg:job/mg:name ?job .
                 }",
            )
            .unwrap();
        query.dataset_mut().set_default_graph_as_union();
        let QueryResults::Solutions(solutions) = query.on_store(store.oxigraph()).execute().unwrap() else {
            panic!("a SELECT gives solutions")
        };
        let rows: Vec<_> = solutions.collect::<Result<_, _>>().unwrap();
        assert_eq!(rows.len(), 1, "{rows:?}");
        let get = |var: &str| rows[0].get(var).cloned().unwrap();
        assert_eq!(get("job"), text("nightly.order_totals").into());
        assert_eq!(get("output"), text("total").into());
        assert_eq!(get("input"), text("amount").into());
        assert_eq!(get("inputType"), text("numeric").into());
        assert_eq!(get("type"), text("DIRECT").into());
        assert_eq!(get("subtype"), text("AGGREGATION").into());
        assert_eq!(get("masking"), Literal::from(false).into());
        assert_eq!(get("description"), text("sum(amount)").into());
        assert_eq!(get("rows"), Literal::from(1200_i64).into());
    }
}
