//! OpenLineage events: the three kinds, told apart by shape.
//!
//! The wire structs are generic over how a facet is held: reading keeps
//! each facet as the exact text the producer sent ([`Facet`]), so custom
//! facets (`spark.logicalPlan`, `environment-properties`, ...) are stored
//! and returned verbatim without ever being rebuilt; the error path re-reads
//! the document with facets ignored, only to name the offending field (see
//! `parse`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::value::RawValue;
use uuid::Uuid;

use super::digest::{FacetDigest, facet_digest};
use super::facets::{self, FacetError, FacetScope, StandardFacet};
use super::time::Timestamp;

/// Facets by key, each kept as the JSON text the producer sent.
pub type Facets = BTreeMap<String, Facet>;

/// One facet: the JSON text the producer sent, and its [`FacetDigest`],
/// computed as the event is read (on the request's thread), so that the
/// single apply thread, the projection and the search index never hash the
/// text again; and, once read, what it says as a standard facet.
#[derive(Debug)]
pub struct Facet {
    json: Box<str>,
    digest: FacetDigest,
    /// The facet read as the standard facet its key and scope name (`None`
    /// for any other facet): by [`Facet::check`] where validation read it,
    /// else by the first to ask [`Facet::standard`]. The mapping, the
    /// projection and the search index all read a new schema or column
    /// lineage; reading it once, on the request's thread, keeps that work
    /// off the single apply thread.
    standard: OnceLock<Option<StandardFacet>>,
}

impl Facet {
    /// A facet from its JSON text, which the caller has found well-formed.
    pub(crate) fn new(json: Box<str>) -> Self {
        let digest = facet_digest(&json);
        Self {
            json,
            digest,
            standard: OnceLock::new(),
        }
    }

    /// Checks the facet against the schema of the standard facet that its
    /// `key` and `scope` name, if any, and keeps what it read.
    pub(crate) fn check(&self, scope: FacetScope, key: &str) -> Result<(), FacetError> {
        let standard = facets::standard(scope, key, &self.json)?;
        // Already read (a second check of the same facet): the same reading.
        let _ = self.standard.set(standard);
        Ok(())
    }

    /// The facet as the standard facet its `key` and `scope` name (the ones
    /// it came under): `None` for a facet meshgraph does not interpret, a
    /// deletion marker, `null`, or one that breaks its schema (validation
    /// refuses those, so events that got in hold none).
    pub fn standard(&self, scope: FacetScope, key: &str) -> Option<&StandardFacet> {
        self.standard
            .get_or_init(|| facets::standard(scope, key, &self.json).ok().flatten())
            .as_ref()
    }

    /// The facet's JSON text, exactly as sent.
    pub fn get(&self) -> &str {
        &self.json
    }

    /// What the facet says (see [`facet_digest`]).
    pub fn digest(&self) -> FacetDigest {
        self.digest
    }
}

impl<'de> Deserialize<'de> for Facet {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(deserializer).map(|raw| Self::new(raw.into()))
    }
}

/// A validated OpenLineage event of any kind.
#[derive(Debug)]
pub struct Event {
    /// When the event occurred (`eventTime`).
    pub event_time: Timestamp,
    /// The producer URI (`producer`).
    pub producer: String,
    /// The schema URL (`schemaURL`); optional because 1-0-x producers omit it.
    pub schema_url: Option<String>,
    /// What the event is about.
    pub kind: EventKind,
}

/// The three kinds of event of the spec.
#[derive(Debug)]
pub enum EventKind {
    /// A run of a job changed state or reported metadata (`RunEvent`).
    Run {
        /// `eventType`: optional in the spec, so absent means "no transition".
        event_type: Option<EventType>,
        /// The run.
        run: Run,
        /// The job the run belongs to.
        job: Job,
        /// Datasets the run read.
        inputs: Vec<InputDataset>,
        /// Datasets the run wrote.
        outputs: Vec<OutputDataset>,
    },
    /// Static metadata about a job, outside any run (`JobEvent`).
    Job {
        /// The job.
        job: Job,
        /// Datasets the job reads.
        inputs: Vec<InputDataset>,
        /// Datasets the job writes.
        outputs: Vec<OutputDataset>,
    },
    /// Static metadata about a dataset (`DatasetEvent`).
    Dataset {
        /// The dataset.
        dataset: Dataset,
    },
}

impl EventKind {
    /// The name of the kind as in the spec: `RunEvent`, `JobEvent`, `DatasetEvent`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Run { .. } => "RunEvent",
            Self::Job { .. } => "JobEvent",
            Self::Dataset { .. } => "DatasetEvent",
        }
    }
}

/// A run-state transition (`eventType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EventType {
    /// The run started.
    Start,
    /// The run is running (progress update).
    Running,
    /// The run finished successfully.
    Complete,
    /// The run was stopped before finishing.
    Abort,
    /// The run failed.
    Fail,
    /// Extra metadata, no state change.
    Other,
}

impl EventType {
    /// The spec's spelling, e.g. `COMPLETE`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Start => "START",
            Self::Running => "RUNNING",
            Self::Complete => "COMPLETE",
            Self::Abort => "ABORT",
            Self::Fail => "FAIL",
            Self::Other => "OTHER",
        }
    }

    /// Parses the spec's spelling.
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Start,
            Self::Running,
            Self::Complete,
            Self::Abort,
            Self::Fail,
            Self::Other,
        ]
        .into_iter()
        .find(|t| t.as_str() == text)
    }

    /// COMPLETE, FAIL and ABORT end a run; nothing later undoes them.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Complete | Self::Fail | Self::Abort)
    }
}

/// A run: its id and facets.
#[derive(Debug)]
pub struct Run {
    /// The run's UUID.
    pub run_id: Uuid,
    /// Run facets.
    pub facets: Facets,
}

/// A job: its identity and facets.
#[derive(Debug)]
pub struct Job {
    /// The job's namespace (often the scheduler).
    pub namespace: String,
    /// The job's name, unique within its namespace.
    pub name: String,
    /// Job facets.
    pub facets: Facets,
}

/// A dataset: its identity and facets.
#[derive(Debug)]
pub struct Dataset {
    /// The dataset's namespace (the data source, e.g. `postgres://host:5432`).
    pub namespace: String,
    /// The dataset's name, unique within its namespace.
    pub name: String,
    /// Dataset facets (the dataset's current description).
    pub facets: Facets,
}

/// A dataset read by a run, with the facets that describe that read.
#[derive(Debug)]
pub struct InputDataset {
    /// The dataset.
    pub dataset: Dataset,
    /// `inputFacets`: about this read only (statistics, quality metrics).
    pub input_facets: Facets,
}

/// A dataset written by a run, with the facets that describe that write.
#[derive(Debug)]
pub struct OutputDataset {
    /// The dataset.
    pub dataset: Dataset,
    /// `outputFacets`: about this write only (statistics).
    pub output_facets: Facets,
}

/// The wire form, generic over how facets are held (`F`): [`Facet`] to
/// keep them, `IgnoredAny` to skip them when only looking for an error path.
pub(crate) mod wire {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub(crate) struct RawEvent<F> {
        pub event_time: Timestamp,
        pub producer: String,
        #[serde(rename = "schemaURL", default)]
        pub schema_url: Option<String>,
        #[serde(default)]
        pub event_type: Option<EventType>,
        #[serde(default = "Option::default")]
        pub run: Option<RawRun<F>>,
        #[serde(default = "Option::default")]
        pub job: Option<RawDataset<F>>,
        #[serde(default = "Option::default")]
        pub dataset: Option<RawDataset<F>>,
        #[serde(default = "Option::default")]
        pub inputs: Option<Vec<RawInput<F>>>,
        #[serde(default = "Option::default")]
        pub outputs: Option<Vec<RawOutput<F>>>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub(crate) struct RawRun<F> {
        pub run_id: Uuid,
        #[serde(default = "Option::default")]
        pub facets: Option<BTreeMap<String, F>>,
    }

    /// A job or a dataset: both are a namespace, a name and facets.
    #[derive(Debug, Deserialize)]
    pub(crate) struct RawDataset<F> {
        pub namespace: String,
        pub name: String,
        #[serde(default = "Option::default")]
        pub facets: Option<BTreeMap<String, F>>,
    }

    // No `#[serde(flatten)]` here: it buffers the input, which `RawValue`
    // cannot be read back from.
    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub(crate) struct RawInput<F> {
        pub namespace: String,
        pub name: String,
        #[serde(default = "Option::default")]
        pub facets: Option<BTreeMap<String, F>>,
        #[serde(default = "Option::default")]
        pub input_facets: Option<BTreeMap<String, F>>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub(crate) struct RawOutput<F> {
        pub namespace: String,
        pub name: String,
        #[serde(default = "Option::default")]
        pub facets: Option<BTreeMap<String, F>>,
        #[serde(default = "Option::default")]
        pub output_facets: Option<BTreeMap<String, F>>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_facet_is_read_as_a_standard_facet_once_by_its_check_or_its_first_reader() {
        let schema = Facet::new(r#"{"fields":[{"name":"a"}]}"#.into());
        schema.check(FacetScope::Dataset, "schema").unwrap();
        assert!(schema.standard.get().is_some(), "the check keeps what it read");
        assert!(matches!(
            schema.standard(FacetScope::Dataset, "schema"),
            Some(StandardFacet::Schema(s)) if s.fields[0].name == "a"
        ));
        let custom = Facet::new(r#"{"plan":[1]}"#.into());
        assert!(
            custom
                .standard(FacetScope::Dataset, "spark.logicalPlan")
                .is_none()
        );
        let broken = Facet::new(r#"{"fields":[{"type":"int"}]}"#.into());
        assert!(broken.check(FacetScope::Dataset, "schema").is_err());
    }

    #[test]
    fn a_facet_keeps_its_exact_text_and_the_digest_of_it() {
        let text = r#"{ "_producer":"p", "fields" : [ {"name":"é\u00e9"} ] }"#;
        let facets: Facets = serde_json::from_str(&format!(r#"{{"schema":{text}}}"#)).unwrap();
        let facet = &facets["schema"];
        assert_eq!(facet.get(), text);
        assert_eq!(facet.digest(), facet_digest(text));
    }
}
