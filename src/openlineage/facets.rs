//! The standard facets meshgraph interprets, typed.
//!
//! Every facet is stored verbatim whatever its key; the ones listed here are
//! also read for their meaning (mapped to RDF, projected into lineage). Their
//! required fields follow the facet JSON Schemas in the OpenLineage spec; a
//! standard facet that breaks its schema is rejected with the path of the
//! offending field, so a typo never silently drops lineage. Optional fields
//! are `Option`, and unknown fields are ignored (facets grow over versions).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;

use super::time::Timestamp;

/// Where a facet sits in an event; the same key means different things in
/// different places (`ownership` of a job vs of a dataset).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacetScope {
    /// `run.facets`
    Run,
    /// `job.facets`
    Job,
    /// `inputs[].facets`, `outputs[].facets`, `dataset.facets`
    Dataset,
    /// `inputs[].inputFacets`
    Input,
    /// `outputs[].outputFacets`
    Output,
}

/// `schema` (dataset): the columns, possibly nested.
#[derive(Debug, Deserialize)]
pub struct SchemaFacet {
    /// Top-level fields in order.
    pub fields: Vec<SchemaField>,
}

/// One column of a [`SchemaFacet`].
#[derive(Debug, Deserialize)]
pub struct SchemaField {
    /// The column name.
    pub name: String,
    /// The type as the source names it.
    #[serde(rename = "type", default)]
    pub data_type: Option<String>,
    /// A description.
    #[serde(default)]
    pub description: Option<String>,
    /// Nested fields (structs, arrays of structs).
    #[serde(default)]
    pub fields: Vec<SchemaField>,
}

/// `dataSource` (dataset): the source system.
#[derive(Debug, Deserialize)]
pub struct DataSourceFacet {
    /// The source's name.
    #[serde(default)]
    pub name: Option<String>,
    /// The source's URI.
    #[serde(default)]
    pub uri: Option<String>,
}

/// `ownership` (dataset or job).
#[derive(Debug, Deserialize)]
pub struct OwnershipFacet {
    /// The owners.
    #[serde(default)]
    pub owners: Vec<Owner>,
}

/// One owner in an [`OwnershipFacet`].
#[derive(Debug, Deserialize)]
pub struct Owner {
    /// The owner, e.g. `team:data-platform` or `user:jdoe`.
    pub name: String,
    /// The kind of ownership, e.g. `MAINTAINER`.
    #[serde(rename = "type", default)]
    pub owner_type: Option<String>,
}

/// `documentation` (dataset or job).
#[derive(Debug, Deserialize)]
pub struct DocumentationFacet {
    /// The description.
    pub description: String,
    /// The MIME type of the description, e.g. `text/markdown`.
    #[serde(rename = "contentType", default)]
    pub content_type: Option<String>,
}

/// `sql` (job).
#[derive(Debug, Deserialize)]
pub struct SqlFacet {
    /// The query text.
    pub query: String,
    /// The SQL dialect.
    #[serde(default)]
    pub dialect: Option<String>,
}

/// `sourceCodeLocation` (job).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceCodeLocationFacet {
    /// The version control system, e.g. `git`.
    #[serde(rename = "type", default)]
    pub vcs: Option<String>,
    /// A URL to the code.
    pub url: String,
    /// The repository URL.
    #[serde(default)]
    pub repo_url: Option<String>,
    /// The path in the repository.
    #[serde(default)]
    pub path: Option<String>,
    /// The commit.
    #[serde(default)]
    pub version: Option<String>,
    /// The tag.
    #[serde(default)]
    pub tag: Option<String>,
    /// The branch.
    #[serde(default)]
    pub branch: Option<String>,
}

/// `sourceCode` (job): the code the job runs, in full.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceCodeFacet {
    /// The language, e.g. `python`.
    pub language: String,
    /// The source code.
    pub source_code: String,
}

/// `jobType` (job).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobTypeFacet {
    /// `BATCH` or `STREAMING`.
    pub processing_type: String,
    /// The integration, e.g. `SPARK`, `DBT`, `AIRFLOW`.
    pub integration: String,
    /// The kind of job, e.g. `QUERY`, `MODEL`, `TASK`.
    #[serde(default)]
    pub job_type: Option<String>,
}

/// `parent` (run): the run that started this one, and the root of the tree.
#[derive(Debug, Deserialize)]
pub struct ParentRunFacet {
    /// The parent run.
    pub run: RunRef,
    /// The parent job.
    pub job: JobRef,
    /// The root run and job, when the tree is deeper than two.
    #[serde(default)]
    pub root: Option<RootRef>,
}

/// A reference to a run by id.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunRef {
    /// The run's UUID.
    pub run_id: uuid::Uuid,
}

/// A reference to a job (or dataset) by namespace and name.
#[derive(Debug, Deserialize)]
pub struct JobRef {
    /// The namespace.
    pub namespace: String,
    /// The name.
    pub name: String,
}

/// The `root` of a [`ParentRunFacet`].
#[derive(Debug, Deserialize)]
pub struct RootRef {
    /// The root run.
    pub run: RunRef,
    /// The root job.
    pub job: JobRef,
}

/// `errorMessage` (run).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorMessageFacet {
    /// The error message.
    pub message: String,
    /// The language of the failing program.
    pub programming_language: String,
    /// The stack trace.
    #[serde(default)]
    pub stack_trace: Option<String>,
}

/// `nominalTime` (run): the scheduled time window.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NominalTimeFacet {
    /// The scheduled start.
    pub nominal_start_time: Timestamp,
    /// The scheduled end.
    #[serde(default)]
    pub nominal_end_time: Option<Timestamp>,
}

/// `columnLineage` (dataset): which input fields each output field comes from.
#[derive(Debug, Deserialize)]
pub struct ColumnLineageFacet {
    /// Per output field.
    #[serde(default)]
    pub fields: BTreeMap<String, ColumnLineageField>,
    /// Input fields that affect the whole dataset (filters, joins, ...).
    #[serde(default)]
    pub dataset: Vec<InputField>,
}

/// The derivation of one output field.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ColumnLineageField {
    /// The input fields it is derived from.
    pub input_fields: Vec<InputField>,
    /// Deprecated field-level description (pre-1.0 facet).
    #[serde(default)]
    pub transformation_description: Option<String>,
    /// Deprecated field-level type, e.g. `IDENTITY` (pre-1.0 facet).
    #[serde(default)]
    pub transformation_type: Option<String>,
}

/// An input field in a [`ColumnLineageFacet`].
#[derive(Debug, Deserialize)]
pub struct InputField {
    /// The input dataset's namespace.
    pub namespace: String,
    /// The input dataset's name.
    pub name: String,
    /// The input field.
    pub field: String,
    /// How the input becomes the output.
    #[serde(default)]
    pub transformations: Vec<Transformation>,
}

/// A transformation of an [`InputField`].
#[derive(Debug, Deserialize)]
pub struct Transformation {
    /// `DIRECT` or `INDIRECT`.
    #[serde(rename = "type")]
    pub kind: String,
    /// E.g. `IDENTITY`, `TRANSFORMATION`, `AGGREGATION`, `JOIN`, `FILTER`.
    #[serde(default)]
    pub subtype: Option<String>,
    /// Free text, often the expression.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether the value is masked (hashed, redacted).
    #[serde(default)]
    pub masking: Option<bool>,
}

/// `symlinks` (dataset): other names of the same dataset.
#[derive(Debug, Deserialize)]
pub struct SymlinksFacet {
    /// The other identifiers.
    #[serde(default)]
    pub identifiers: Vec<SymlinkIdentifier>,
}

/// One identifier in a [`SymlinksFacet`].
#[derive(Debug, Deserialize)]
pub struct SymlinkIdentifier {
    /// The namespace.
    pub namespace: String,
    /// The name.
    pub name: String,
    /// The kind of identifier, e.g. `TABLE`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
}

/// `lifecycleStateChange` (dataset).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleStateChangeFacet {
    /// `ALTER`, `CREATE`, `DROP`, `OVERWRITE`, `RENAME` or `TRUNCATE`.
    pub lifecycle_state_change: String,
    /// The dataset's identity before a RENAME.
    #[serde(default)]
    pub previous_identifier: Option<JobRef>,
}

/// `datasetType` (dataset).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatasetTypeFacet {
    /// E.g. `TABLE`, `VIEW`, `TOPIC`, `MODEL`.
    pub dataset_type: String,
    /// A refinement of the type.
    #[serde(default)]
    pub sub_type: Option<String>,
}

/// `tags` (dataset, job or run).
#[derive(Debug, Deserialize)]
pub struct TagsFacet {
    /// The tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// One tag of a [`TagsFacet`].
#[derive(Debug, Deserialize)]
pub struct Tag {
    /// The key.
    pub key: String,
    /// The value.
    pub value: String,
    /// Who set it.
    #[serde(default)]
    pub source: Option<String>,
    /// The field it applies to (dataset tags only).
    #[serde(default)]
    pub field: Option<String>,
}

/// `dataQualityMetrics` (dataset or input).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataQualityMetricsFacet {
    /// Number of rows.
    #[serde(default)]
    pub row_count: Option<i64>,
    /// Size in bytes.
    #[serde(default)]
    pub bytes: Option<i64>,
    /// Number of files.
    #[serde(default)]
    pub file_count: Option<i64>,
    /// Per-column metrics.
    #[serde(default)]
    pub column_metrics: BTreeMap<String, ColumnMetrics>,
}

/// Metrics of one column in a [`DataQualityMetricsFacet`].
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ColumnMetrics {
    /// Null values.
    #[serde(default)]
    pub null_count: Option<i64>,
    /// Distinct values.
    #[serde(default)]
    pub distinct_count: Option<i64>,
    /// Sum of values.
    #[serde(default)]
    pub sum: Option<f64>,
    /// Count of values.
    #[serde(default)]
    pub count: Option<f64>,
    /// Minimum.
    #[serde(default)]
    pub min: Option<f64>,
    /// Maximum.
    #[serde(default)]
    pub max: Option<f64>,
}

/// `dataQualityAssertions` (dataset or input).
#[derive(Debug, Deserialize)]
pub struct DataQualityAssertionsFacet {
    /// The assertions checked.
    pub assertions: Vec<Assertion>,
}

/// One assertion of a [`DataQualityAssertionsFacet`].
#[derive(Debug, Deserialize)]
pub struct Assertion {
    /// What was asserted, e.g. `not_null`.
    pub assertion: String,
    /// Whether it held.
    pub success: bool,
    /// The column it is about.
    #[serde(default)]
    pub column: Option<String>,
    /// How bad a failure is.
    #[serde(default)]
    pub severity: Option<String>,
}

/// `inputStatistics` (input) and `outputStatistics` (output).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatisticsFacet {
    /// Rows read or written.
    #[serde(default)]
    pub row_count: Option<i64>,
    /// Bytes read or written.
    #[serde(default)]
    pub size: Option<i64>,
    /// Files read or written.
    #[serde(default)]
    pub file_count: Option<i64>,
}

/// A standard facet, typed.
#[derive(Debug)]
#[allow(missing_docs)] // each variant is named for its facet type
pub enum StandardFacet {
    Schema(SchemaFacet),
    DataSource(DataSourceFacet),
    Ownership(OwnershipFacet),
    Documentation(DocumentationFacet),
    Sql(SqlFacet),
    SourceCodeLocation(SourceCodeLocationFacet),
    SourceCode(SourceCodeFacet),
    JobType(JobTypeFacet),
    Parent(ParentRunFacet),
    ErrorMessage(ErrorMessageFacet),
    NominalTime(NominalTimeFacet),
    ColumnLineage(ColumnLineageFacet),
    Symlinks(SymlinksFacet),
    LifecycleStateChange(LifecycleStateChangeFacet),
    DatasetType(DatasetTypeFacet),
    Tags(TagsFacet),
    DataQualityMetrics(DataQualityMetricsFacet),
    DataQualityAssertions(DataQualityAssertionsFacet),
    InputStatistics(StatisticsFacet),
    OutputStatistics(StatisticsFacet),
}

/// Why a standard facet was refused: the path inside the facet and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetError {
    /// Path below the facet, e.g. `fields[2].name` (empty for the facet itself).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

fn typed<T: for<'de> Deserialize<'de>>(json: &str) -> Result<T, FacetError> {
    // The common case (a valid facet) reads fast; only a failure pays for
    // the path tracking that names the field at fault.
    if let Ok(facet) = serde_json::from_str(json) {
        return Ok(facet);
    }
    let mut de = serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        FacetError {
            path: if path == "." { String::new() } else { path },
            message: err.into_inner().to_string(),
        }
    })
}

/// Whether a facet removes the facet of its key instead of setting it:
/// `null`, or a deletion marker (`"_deleted": true`).
pub fn removes(json: &str) -> bool {
    json == "null" || is_deleted(json)
}

/// Whether a facet is a deletion marker (`"_deleted": true`).
fn is_deleted(json: &str) -> bool {
    #[derive(Deserialize)]
    struct Marker {
        #[serde(rename = "_deleted", default)]
        deleted: bool,
    }
    // Cheap test first: a facet that never says `_deleted` is not a marker.
    // The searcher is built once: building it cost more than most searches.
    static MARKER: LazyLock<memchr::memmem::Finder<'static>> =
        LazyLock::new(|| memchr::memmem::Finder::new(b"\"_deleted\""));
    MARKER.find(json.as_bytes()).is_some() && serde_json::from_str::<Marker>(json).is_ok_and(|m| m.deleted)
}

/// Reads a facet (its JSON text) as the standard facet its key and scope
/// name, if any.
///
/// `Ok(None)`: not a facet meshgraph interprets (kept verbatim only), a
/// deletion marker, or `null`. `Err`: a standard facet that breaks its schema.
pub fn standard(scope: FacetScope, key: &str, json: &str) -> Result<Option<StandardFacet>, FacetError> {
    use FacetScope::*;
    use StandardFacet as F;
    if removes(json) {
        return Ok(None);
    }
    let facet = match (scope, key) {
        (Dataset, "schema") => F::Schema(typed(json)?),
        (Dataset, "dataSource") => F::DataSource(typed(json)?),
        (Dataset | Job, "ownership") => F::Ownership(typed(json)?),
        (Dataset | Job, "documentation") => F::Documentation(typed(json)?),
        (Job, "sql") => F::Sql(typed(json)?),
        (Job, "sourceCodeLocation") => F::SourceCodeLocation(typed(json)?),
        (Job, "sourceCode") => F::SourceCode(typed(json)?),
        (Job, "jobType") => F::JobType(typed(json)?),
        (Run, "parent") => F::Parent(typed(json)?),
        (Run, "errorMessage") => F::ErrorMessage(typed(json)?),
        (Run, "nominalTime") => F::NominalTime(typed(json)?),
        (Dataset, "columnLineage") => F::ColumnLineage(typed(json)?),
        (Dataset, "symlinks") => F::Symlinks(typed(json)?),
        (Dataset, "lifecycleStateChange") => F::LifecycleStateChange(typed(json)?),
        (Dataset, "datasetType") => F::DatasetType(typed(json)?),
        (Dataset | Job | Run, "tags") => F::Tags(typed(json)?),
        (Dataset | Input, "dataQualityMetrics") => F::DataQualityMetrics(typed(json)?),
        (Dataset | Input, "dataQualityAssertions") => F::DataQualityAssertions(typed(json)?),
        (Input, "inputStatistics") => F::InputStatistics(typed(json)?),
        (Output, "outputStatistics") => F::OutputStatistics(typed(json)?),
        _ => return Ok(None),
    };
    Ok(Some(facet))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_schema_with_nested_fields() {
        let facet = standard(
            FacetScope::Dataset,
            "schema",
            r#"{"fields":[{"name":"a","type":"struct","fields":[{"name":"b"}]}]}"#,
        )
        .unwrap();
        let Some(StandardFacet::Schema(schema)) = facet else {
            panic!("{facet:?}")
        };
        assert_eq!(schema.fields[0].fields[0].name, "b");
    }

    #[test]
    fn names_the_path_of_a_broken_field() {
        let err = standard(
            FacetScope::Dataset,
            "schema",
            r#"{"fields":[{"name":"a"},{"type":"int"}]}"#,
        )
        .unwrap_err();
        assert_eq!(err.path, "fields[1]");
        assert!(err.message.contains("name"), "{}", err.message);
    }

    #[test]
    fn custom_keys_and_deletions_are_not_interpreted() {
        for (key, text) in [
            ("spark.logicalPlan", r#"{"plan":[1,2]}"#),
            ("schema", r#"{"_deleted":true}"#),
            ("schema", "null"),
        ] {
            assert!(standard(FacetScope::Dataset, key, text).unwrap().is_none());
        }
        assert!(is_deleted(r#"{"_producer":"x","_deleted":true}"#));
        assert!(!is_deleted(r#"{"_deleted":false}"#));
    }

    #[test]
    fn the_same_key_means_different_things_by_scope() {
        let sql = r#"{"query":"select 1"}"#;
        assert!(standard(FacetScope::Job, "sql", sql).unwrap().is_some());
        assert!(standard(FacetScope::Dataset, "sql", sql).unwrap().is_none());
    }
}
