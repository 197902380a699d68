//! Vocabulary constants: the terms of `ontology/meshgraph.ttl` and the
//! standard vocabularies meshgraph reuses (PROV-O, DCAT, DPROD, SKOS, Dublin
//! Core). Code never spells an IRI of a term inline; it names a constant here,
//! and a test checks that every `mg:` term is declared in the ontology file.

/// Declares one vocabulary: a `const` per term and `ALL`, the list of them.
macro_rules! vocabulary {
    ($namespace:literal; $($(#[$doc:meta])* $name:ident = $local:literal;)*) => {
        /// The namespace IRI of this vocabulary.
        pub const NAMESPACE: &str = $namespace;
        $(
            $(#[$doc])*
            pub const $name: oxigraph::model::NamedNodeRef<'static> =
                oxigraph::model::NamedNodeRef::new_unchecked(concat!($namespace, $local));
        )*
        /// Every term this module declares.
        #[allow(dead_code)]
        pub const ALL: &[oxigraph::model::NamedNodeRef<'static>] = &[$($name),*];
    };
}

/// meshgraph's own terms (`mg:`), documented in `ontology/meshgraph.ttl`.
pub mod mg {
    vocabulary! { "https://meshgraph.dev/ns#";
        // --- classes ---
        /// An OpenLineage namespace: a data source or a scheduler.
        NAMESPACE_CLASS = "Namespace";
        /// A dataset reported by pipelines (also `dcat:Dataset`, `prov:Entity`).
        DATASET = "Dataset";
        /// A column of a dataset, possibly nested.
        FIELD = "Field";
        /// A job: the recipe that runs produce (a `prov:Plan`).
        JOB = "Job";
        /// One execution of a job (a `prov:Activity`).
        RUN = "Run";
        /// One reported state change of a run (an event with its `eventType`).
        RUN_TRANSITION = "RunTransition";
        /// A facet as the producer sent it.
        FACET = "Facet";
        /// A version of a dataset's schema (a `prov:specializationOf` the dataset).
        DATASET_VERSION = "DatasetVersion";

        // --- identity and bookkeeping ---
        /// The name of a namespace, dataset, job, field or owner, as sent.
        NAME = "name";
        /// The namespace a dataset or job belongs to.
        IN_NAMESPACE = "namespace";
        /// When meshgraph first heard of the thing (the event time).
        CREATED_AT = "createdAt";
        /// The event time of the latest state transition of a run.
        UPDATED_AT = "updatedAt";

        // --- facets kept verbatim ---
        /// Links an entity, run, usage or generation to one of its facets.
        HAS_FACET = "facet";
        /// The key of a facet (`schema`, `spark.logicalPlan`, ...).
        FACET_KEY = "facetKey";
        /// The facet exactly as sent, an `rdf:JSON` literal.
        FACET_JSON = "facetJson";
        /// The `schema` facet of a dataset version, exactly as sent (`rdf:JSON`).
        SCHEMA_JSON = "schemaJson";

        // --- runs ---
        /// The job a run is a run of.
        OF_JOB = "job";
        /// Links a run to each of its reported transitions.
        HAS_TRANSITION = "transition";
        /// The `eventType` of a transition (START, RUNNING, COMPLETE, ...).
        EVENT_TYPE = "eventType";
        /// The `eventTime` of a transition.
        EVENT_TIME = "eventTime";
        /// The current state of a run, following event time; terminal states stick.
        STATE = "state";

        // --- job-level lineage from JobEvents ---
        /// A dataset a job declares it reads (JobEvent `inputs`).
        READS = "reads";
        /// A dataset a job declares it writes (JobEvent `outputs`).
        WRITES = "writes";

        // --- classes minted for standard facets ---
        /// How one column (or a whole dataset) is derived from one input
        /// column by one transformation (a qualified `prov:Derivation`).
        COLUMN_DERIVATION = "ColumnDerivation";
        /// An owner's attribution of a dataset or job, with its ownership
        /// type (a qualified `prov:Attribution`).
        OWNERSHIP = "Ownership";
        /// A key/value tag on a dataset, column, job or run.
        TAG = "Tag";
        /// A data quality test on a dataset or column, with its outcome.
        DATA_QUALITY_ASSERTION = "DataQualityAssertion";

        // --- schema (columns) ---
        /// A dataset's top-level column (nested ones hang on their parent).
        HAS_FIELD = "field";
        /// The dataset a column (top-level or nested) belongs to.
        OF_DATASET = "ofDataset";
        /// A nested column of a struct column.
        SUB_FIELD = "subField";
        /// A column's path from the top: nested names joined by `.`.
        FIELD_PATH = "fieldPath";
        /// A column's type, as the source system names it.
        DATA_TYPE = "dataType";
        /// A column's 1-based position among its siblings.
        POSITION = "position";

        // --- column lineage ---
        /// `DIRECT` or `INDIRECT`: whether the value flows from the input.
        TRANSFORMATION_TYPE = "transformationType";
        /// E.g. `IDENTITY`, `TRANSFORMATION`, `AGGREGATION`, `JOIN`, `FILTER`.
        TRANSFORMATION_SUBTYPE = "transformationSubtype";
        /// Whether a transformation masks the data (hash, redaction).
        MASKING = "masking";

        // --- ownership and documentation ---
        /// The kind of ownership, e.g. `MAINTAINER`.
        OWNERSHIP_TYPE = "ownershipType";
        /// The MIME type of a documentation description, e.g. `text/markdown`.
        DESCRIPTION_CONTENT_TYPE = "descriptionContentType";

        // --- dataSource ---
        /// The name of a dataset's source system.
        SOURCE_NAME = "sourceName";
        /// The URI of a dataset's source system.
        SOURCE_URI = "sourceUri";

        // --- sql, sourceCodeLocation, jobType ---
        /// The SQL text a job runs.
        SQL_QUERY = "sqlQuery";
        /// The SQL dialect of [`SQL_QUERY`].
        SQL_DIALECT = "sqlDialect";
        /// A URL to a job's source code.
        CODE_URL = "codeUrl";
        /// The version control system of a job's code, e.g. `git`.
        CODE_VCS = "codeVcs";
        /// The repository URL of a job's code.
        CODE_REPOSITORY = "codeRepository";
        /// The path of a job's code in its repository.
        CODE_PATH = "codePath";
        /// The commit of a job's code.
        CODE_VERSION = "codeVersion";
        /// The tag of a job's code.
        CODE_TAG = "codeTag";
        /// The branch of a job's code.
        CODE_BRANCH = "codeBranch";
        /// The source code a job runs, in full (`sourceCode` facet).
        SOURCE_CODE = "sourceCode";
        /// The language of [`SOURCE_CODE`], e.g. `python`.
        SOURCE_CODE_LANGUAGE = "sourceCodeLanguage";
        /// `BATCH` or `STREAMING`.
        PROCESSING_TYPE = "processingType";
        /// The integration that reports a job, e.g. `SPARK`, `DBT`, `AIRFLOW`.
        INTEGRATION = "integration";
        /// The kind of job, e.g. `QUERY`, `MODEL`, `TASK`, `DAG`.
        JOB_TYPE = "jobType";

        // --- parent ---
        /// The run that started this run.
        PARENT_RUN = "parentRun";
        /// The run at the root of this run's tree.
        ROOT_RUN = "rootRun";
        /// The job whose run starts this job's runs.
        PARENT_JOB = "parentJob";
        /// The job at the root of this job's tree.
        ROOT_JOB = "rootJob";

        // --- errorMessage, nominalTime ---
        /// Why a run failed.
        ERROR_MESSAGE = "errorMessage";
        /// The language of the program that failed.
        PROGRAMMING_LANGUAGE = "programmingLanguage";
        /// The stack trace of a failure.
        STACK_TRACE = "stackTrace";
        /// The scheduled start of a run.
        NOMINAL_START_TIME = "nominalStartTime";
        /// The scheduled end of a run.
        NOMINAL_END_TIME = "nominalEndTime";

        // --- symlinks, lifecycleStateChange, datasetType ---
        /// Another identity (namespace, name) of the same dataset.
        SYMLINK = "symlink";
        /// The kind of a symlinked identity, e.g. `TABLE`, `LOCATION`.
        SYMLINK_TYPE = "symlinkType";
        /// The latest change of a dataset: ALTER, CREATE, DROP, OVERWRITE, RENAME or TRUNCATE.
        LIFECYCLE_STATE_CHANGE = "lifecycleStateChange";
        /// The dataset's identity before a RENAME.
        PREVIOUS_IDENTIFIER = "previousIdentifier";
        /// E.g. `TABLE`, `VIEW`, `TOPIC`, `MODEL`.
        DATASET_TYPE = "datasetType";
        /// A refinement of [`DATASET_TYPE`].
        DATASET_SUBTYPE = "datasetSubtype";

        // --- tags ---
        /// Links a dataset, column, job or run to a tag.
        HAS_TAG = "tag";
        /// A tag's key, e.g. `pii`.
        TAG_KEY = "tagKey";
        /// A tag's value, e.g. `true`.
        TAG_VALUE = "tagValue";
        /// Who set a tag, e.g. `DBT`, `USER`.
        TAG_SOURCE = "tagSource";

        // --- data quality and statistics ---
        /// Number of rows (of a dataset, or read or written by a run).
        ROW_COUNT = "rowCount";
        /// Size in bytes (of a dataset, or read or written by a run).
        BYTE_SIZE = "byteSize";
        /// Number of files (of a dataset, or read or written by a run).
        FILE_COUNT = "fileCount";
        /// Number of null values in a column.
        NULL_COUNT = "nullCount";
        /// Number of distinct values in a column.
        DISTINCT_COUNT = "distinctCount";
        /// Number of values in a column.
        VALUE_COUNT = "valueCount";
        /// Sum of a column's values.
        VALUE_SUM = "valueSum";
        /// Smallest value of a column.
        MIN_VALUE = "minValue";
        /// Largest value of a column.
        MAX_VALUE = "maxValue";
        /// Links a dataset or input to a data quality assertion checked on it.
        HAS_ASSERTION = "assertion";
        /// What an assertion tests, e.g. `not_null`, `unique`.
        ASSERTION_TYPE = "assertionType";
        /// Whether an assertion held.
        SUCCESS = "success";
        /// How bad a failed assertion is, e.g. `error`, `warn`.
        SEVERITY = "severity";
        /// The column an assertion is about.
        ON_FIELD = "onField";

        // --- data mesh: domains, products' datasets, concepts ---
        /// A data-mesh domain, what `dprod:domain` points at.
        DOMAIN = "Domain";
        /// The OpenLineage namespace of the dataset a product's `dcat:Dataset` stands for.
        DATASET_NAMESPACE = "datasetNamespace";
        /// The OpenLineage name of the dataset a product's `dcat:Dataset` stands for.
        DATASET_NAME = "datasetName";
        /// An ontology class or glossary concept a dataset or column holds
        /// data about (a `dcterms:subject`).
        CONCEPT = "concept";
    }
}

/// PROV-O, <http://www.w3.org/ns/prov#>.
pub mod prov {
    vocabulary! { "http://www.w3.org/ns/prov#";
        /// `prov:Entity`
        ENTITY_CLASS = "Entity";
        /// `prov:Activity`
        ACTIVITY = "Activity";
        /// `prov:Plan`
        PLAN = "Plan";
        /// `prov:Agent`
        AGENT = "Agent";
        /// `prov:Usage`
        USAGE = "Usage";
        /// `prov:Generation`
        GENERATION = "Generation";
        /// `prov:used`: a run read a dataset.
        USED = "used";
        /// `prov:generated`: a run wrote a dataset.
        GENERATED = "generated";
        /// `prov:qualifiedUsage`
        QUALIFIED_USAGE = "qualifiedUsage";
        /// `prov:qualifiedGeneration`
        QUALIFIED_GENERATION = "qualifiedGeneration";
        /// `prov:entity`
        ENTITY = "entity";
        /// `prov:startedAtTime`
        STARTED_AT_TIME = "startedAtTime";
        /// `prov:endedAtTime`
        ENDED_AT_TIME = "endedAtTime";
        /// `prov:wasDerivedFrom`
        WAS_DERIVED_FROM = "wasDerivedFrom";
        /// `prov:wasGeneratedBy`: the run that wrote a dataset version.
        WAS_GENERATED_BY = "wasGeneratedBy";
        /// `prov:specializationOf`: a dataset version is a version of its dataset.
        SPECIALIZATION_OF = "specializationOf";
        /// `prov:wasInformedBy`: a run was started by its parent run.
        WAS_INFORMED_BY = "wasInformedBy";
        /// `prov:wasAttributedTo`
        WAS_ATTRIBUTED_TO = "wasAttributedTo";
        /// `prov:wasInfluencedBy`: a dataset depends on a column it is not computed from.
        WAS_INFLUENCED_BY = "wasInfluencedBy";
        /// `prov:Derivation`
        DERIVATION = "Derivation";
        /// `prov:qualifiedDerivation`: from the derived entity to its derivation.
        QUALIFIED_DERIVATION = "qualifiedDerivation";
        /// `prov:Attribution`
        ATTRIBUTION = "Attribution";
        /// `prov:qualifiedAttribution`: from an entity to its attribution.
        QUALIFIED_ATTRIBUTION = "qualifiedAttribution";
        /// `prov:agent`: the agent of a qualified attribution.
        AGENT_PROP = "agent";
    }
}

/// DCAT 3, <http://www.w3.org/ns/dcat#>.
pub mod dcat {
    vocabulary! { "http://www.w3.org/ns/dcat#";
        /// `dcat:Dataset`
        DATASET = "Dataset";
        /// `dcat:keyword`
        KEYWORD = "keyword";
    }
}

/// Dublin Core terms, <http://purl.org/dc/terms/>.
pub mod dcterms {
    vocabulary! { "http://purl.org/dc/terms/";
        /// `dcterms:description`
        DESCRIPTION = "description";
        /// `dcterms:identifier`
        IDENTIFIER = "identifier";
        /// `dcterms:title`
        TITLE = "title";
    }
}

/// The DPROD data-product ontology, <https://ekgf.github.io/dprod/>.
pub mod dprod {
    vocabulary! { "https://ekgf.github.io/dprod/";
        /// `dprod:DataProduct`
        DATA_PRODUCT = "DataProduct";
    }
}

/// SKOS, <http://www.w3.org/2004/02/skos/core#>.
pub mod skos {
    vocabulary! { "http://www.w3.org/2004/02/skos/core#";
        /// `skos:Concept`
        CONCEPT = "Concept";
        /// `skos:prefLabel`
        PREF_LABEL = "prefLabel";
    }
}

/// OWL, <http://www.w3.org/2002/07/owl#>: the kinds of declarations in
/// `ontology/meshgraph.ttl`.
pub mod owl {
    vocabulary! { "http://www.w3.org/2002/07/owl#";
        /// `owl:Ontology`
        ONTOLOGY = "Ontology";
        /// `owl:Class`
        CLASS = "Class";
        /// `owl:ObjectProperty`
        OBJECT_PROPERTY = "ObjectProperty";
        /// `owl:DatatypeProperty`
        DATATYPE_PROPERTY = "DatatypeProperty";
    }
}

/// RDF terms oxigraph does not export without its RDF 1.2 feature.
pub mod rdf {
    vocabulary! { "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
        /// `rdf:JSON`, the datatype of JSON literals (RDF 1.1 JSON-LD).
        JSON = "JSON";
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use oxigraph::io::{RdfFormat, RdfParser};
    use oxigraph::model::vocab::{rdf as rdf_, rdfs};
    use oxigraph::model::{NamedOrBlankNode, Term};

    use super::{mg, owl};

    const ONTOLOGY: &str = include_str!("../../ontology/meshgraph.ttl");

    /// Per subject IRI of the ontology: its `rdf:type`s and whether it has
    /// an `rdfs:comment` and an `rdfs:label`.
    fn declarations() -> HashMap<String, (HashSet<String>, bool, bool)> {
        let mut out: HashMap<String, (HashSet<String>, bool, bool)> = HashMap::new();
        for quad in RdfParser::from_format(RdfFormat::Turtle).for_slice(ONTOLOGY) {
            let quad = quad.expect("ontology/meshgraph.ttl is valid Turtle");
            let NamedOrBlankNode::NamedNode(subject) = quad.subject else {
                continue;
            };
            let entry = out.entry(subject.into_string()).or_default();
            if quad.predicate == rdf_::TYPE {
                if let Term::NamedNode(class) = quad.object {
                    entry.0.insert(class.into_string());
                }
            } else if quad.predicate == rdfs::COMMENT {
                entry.1 = true;
            } else if quad.predicate == rdfs::LABEL {
                entry.2 = true;
            }
        }
        out
    }

    #[test]
    fn every_mg_term_is_declared_and_documented_in_the_ontology() {
        let declared = declarations();
        let kinds = [owl::CLASS, owl::OBJECT_PROPERTY, owl::DATATYPE_PROPERTY].map(|k| k.as_str().to_owned());
        for term in mg::ALL {
            let Some((types, comment, label)) = declared.get(term.as_str()) else {
                panic!("{term} is not in ontology/meshgraph.ttl")
            };
            assert_eq!(
                kinds.iter().filter(|k| types.contains(*k)).count(),
                1,
                "{term} must be exactly one of owl:Class, owl:ObjectProperty, owl:DatatypeProperty: {types:?}"
            );
            assert!(*comment, "{term} has no rdfs:comment");
            assert!(*label, "{term} has no rdfs:label");
        }
    }

    #[test]
    fn the_ontology_declares_no_term_the_code_does_not_know() {
        let known: HashSet<&str> = mg::ALL.iter().map(|t| t.as_str()).collect();
        let stale: Vec<String> = declarations()
            .into_keys()
            .filter(|iri| iri.starts_with(mg::NAMESPACE) && !known.contains(iri.as_str()))
            .collect();
        assert!(
            stale.is_empty(),
            "declared in the ontology but not in vocab::mg: {stale:?}"
        );
        // Every term has one name: no two constants for the same IRI.
        assert_eq!(known.len(), mg::ALL.len());
    }
}
