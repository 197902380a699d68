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

        // --- identity and bookkeeping ---
        /// The name of a namespace, dataset, job, field or owner, as sent.
        NAME = "name";
        /// The namespace a dataset or job belongs to.
        IN_NAMESPACE = "namespace";
        /// When meshgraph first heard of the thing (the event time).
        CREATED_AT = "createdAt";
        /// The event time of the latest event about the thing.
        UPDATED_AT = "updatedAt";

        // --- facets kept verbatim ---
        /// Links an entity, run, usage or generation to one of its facets.
        HAS_FACET = "facet";
        /// The key of a facet (`schema`, `spark.logicalPlan`, ...).
        FACET_KEY = "facetKey";
        /// The facet exactly as sent, an `rdf:JSON` literal.
        FACET_JSON = "facetJson";

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
        /// `prov:wasInformedBy`: a run was started by its parent run.
        WAS_INFORMED_BY = "wasInformedBy";
        /// `prov:wasAttributedTo`
        WAS_ATTRIBUTED_TO = "wasAttributedTo";
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

/// RDF terms oxigraph does not export without its RDF 1.2 feature.
pub mod rdf {
    vocabulary! { "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
        /// `rdf:JSON`, the datatype of JSON literals (RDF 1.1 JSON-LD).
        JSON = "JSON";
    }
}
