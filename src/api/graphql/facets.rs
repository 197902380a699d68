//! Typed standard facets: the `facets` field of datasets, jobs, runs and a
//! run's datasets.
//!
//! Each standard OpenLineage facet meshgraph interprets comes as an object
//! with its fields (`facets { schema { fields { name type } } }`), and any
//! facet, standard or custom, comes verbatim as JSON (`raw`). A typed field
//! reads the facet's stored JSON with the serde types that validated it at
//! ingestion ([`crate::openlineage::facets`]), and only when a query asks
//! for it. It is null when the facet is absent, and also when the stored
//! facet no longer fits its schema (a SPARQL update rewrote it, say): the
//! rest of the query still answers, and `raw` still has the facet as stored.
//!
//! The objects keep the facet schemas' own field names, so a query reads
//! like the OpenLineage spec; maps keyed by column (`columnLineage.fields`,
//! `dataQualityMetrics.columnMetrics`) become lists with the key as `name`.

use async_graphql::{Json, Object};

use super::DateTime;
use super::entities::{Owner, Sql};
use crate::openlineage::facets::{self as ol, FacetScope, StandardFacet};
use crate::store::read::{self, FacetMap};

/// The facet `key` of `facets` read as the standard facet of `variant` in
/// `scope`, wrapped as `wrap`; `None` when absent or no longer of its schema.
macro_rules! typed {
    ($facets:expr, $scope:expr, $key:literal, $variant:ident => $wrap:expr) => {
        match $facets
            .get($key)
            .and_then(|raw| read::standard($scope, $key, raw))
        {
            Some(StandardFacet::$variant(facet)) => Some($wrap(facet)),
            _ => None,
        }
    };
}

/// Facets as one JSON object, each verbatim; only `names` if given.
fn raw(facets: &FacetMap, names: Option<Vec<String>>) -> Json<FacetMap> {
    Json(match names {
        None => facets.clone(),
        Some(names) => facets
            .iter()
            .filter(|(k, _)| names.contains(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    })
}

/// A dataset's current facets: the standard ones typed, any as JSON.
pub struct DatasetFacets<'a>(pub &'a FacetMap);

/// A dataset's current facets: the standard ones typed (each null when
/// absent), any facet as JSON (`raw`).
#[Object]
impl DatasetFacets<'_> {
    /// `schema`: its columns, with nested ones.
    async fn schema(&self) -> Option<SchemaFacet> {
        typed!(self.0, FacetScope::Dataset, "schema", Schema => SchemaFacet)
    }

    /// `dataSource`: the system that holds it.
    async fn data_source(&self) -> Option<DataSourceFacet> {
        typed!(self.0, FacetScope::Dataset, "dataSource", DataSource => DataSourceFacet)
    }

    /// `ownership`: who owns it.
    async fn ownership(&self) -> Option<OwnershipFacet> {
        typed!(self.0, FacetScope::Dataset, "ownership", Ownership => OwnershipFacet)
    }

    /// `documentation`: its description.
    async fn documentation(&self) -> Option<DocumentationFacet> {
        typed!(self.0, FacetScope::Dataset, "documentation", Documentation => DocumentationFacet)
    }

    /// `symlinks`: other names of the same dataset.
    async fn symlinks(&self) -> Option<SymlinksFacet> {
        typed!(self.0, FacetScope::Dataset, "symlinks", Symlinks => SymlinksFacet)
    }

    /// `lifecycleStateChange`: its latest change (CREATE, ALTER, DROP, ...).
    async fn lifecycle_state_change(&self) -> Option<LifecycleStateChangeFacet> {
        typed!(self.0, FacetScope::Dataset, "lifecycleStateChange", LifecycleStateChange => LifecycleStateChangeFacet)
    }

    /// `datasetType`: a table, view, topic, model, ...
    async fn dataset_type(&self) -> Option<DatasetTypeFacet> {
        typed!(self.0, FacetScope::Dataset, "datasetType", DatasetType => DatasetTypeFacet)
    }

    /// `tags`: key/value tags on it and on its columns.
    async fn tags(&self) -> Option<TagsFacet> {
        typed!(self.0, FacetScope::Dataset, "tags", Tags => TagsFacet)
    }

    /// `columnLineage`: which input columns each of its columns comes from.
    async fn column_lineage(&self) -> Option<ColumnLineageFacet> {
        typed!(self.0, FacetScope::Dataset, "columnLineage", ColumnLineage => ColumnLineageFacet)
    }

    /// `dataQualityMetrics`: row count, size and per-column metrics.
    async fn data_quality_metrics(&self) -> Option<DataQualityMetricsFacet> {
        typed!(self.0, FacetScope::Dataset, "dataQualityMetrics", DataQualityMetrics => DataQualityMetricsFacet)
    }

    /// `dataQualityAssertions`: the tests checked on it and their outcome.
    async fn data_quality_assertions(&self) -> Option<DataQualityAssertionsFacet> {
        typed!(self.0, FacetScope::Dataset, "dataQualityAssertions", DataQualityAssertions => DataQualityAssertionsFacet)
    }

    /// Its facets as one JSON object keyed by facet name, each exactly as
    /// sent: custom facets, and standard ones as stored.
    async fn raw(
        &self,
        #[graphql(desc = "Only these facets (all if not given).")] names: Option<Vec<String>>,
    ) -> Json<FacetMap> {
        raw(self.0, names)
    }
}

/// A job's current facets: the standard ones typed, any as JSON.
pub struct JobFacets<'a>(pub &'a FacetMap);

/// A job's current facets: the standard ones typed (each null when absent),
/// any facet as JSON (`raw`).
#[Object]
impl JobFacets<'_> {
    /// `sql`: the query it runs.
    async fn sql(&self) -> Option<Sql> {
        typed!(self.0, FacetScope::Job, "sql", Sql => Sql::from)
    }

    /// `sourceCodeLocation`: where its code lives.
    async fn source_code_location(&self) -> Option<SourceCodeLocationFacet> {
        typed!(self.0, FacetScope::Job, "sourceCodeLocation", SourceCodeLocation => SourceCodeLocationFacet)
    }

    /// `sourceCode`: its code, in full.
    async fn source_code(&self) -> Option<SourceCodeFacet> {
        typed!(self.0, FacetScope::Job, "sourceCode", SourceCode => SourceCodeFacet)
    }

    /// `jobType`: batch or streaming, and the integration that runs it.
    async fn job_type(&self) -> Option<JobTypeFacet> {
        typed!(self.0, FacetScope::Job, "jobType", JobType => JobTypeFacet)
    }

    /// `documentation`: its description.
    async fn documentation(&self) -> Option<DocumentationFacet> {
        typed!(self.0, FacetScope::Job, "documentation", Documentation => DocumentationFacet)
    }

    /// `ownership`: who owns it.
    async fn ownership(&self) -> Option<OwnershipFacet> {
        typed!(self.0, FacetScope::Job, "ownership", Ownership => OwnershipFacet)
    }

    /// `tags`: key/value tags on it.
    async fn tags(&self) -> Option<TagsFacet> {
        typed!(self.0, FacetScope::Job, "tags", Tags => TagsFacet)
    }

    /// Its facets as one JSON object keyed by facet name, each exactly as
    /// sent: custom facets, and standard ones as stored.
    async fn raw(
        &self,
        #[graphql(desc = "Only these facets (all if not given).")] names: Option<Vec<String>>,
    ) -> Json<FacetMap> {
        raw(self.0, names)
    }
}

/// A run's facets: the standard ones typed, any as JSON.
pub struct RunFacets<'a>(pub &'a FacetMap);

/// A run's facets, accumulated over its events: the standard ones typed
/// (each null when absent), any facet as JSON (`raw`).
#[Object]
impl RunFacets<'_> {
    /// `parent`: the run (and job) that started it, and the root of its tree.
    async fn parent(&self) -> Option<ParentRunFacet> {
        typed!(self.0, FacetScope::Run, "parent", Parent => ParentRunFacet)
    }

    /// `errorMessage`: why it failed.
    async fn error_message(&self) -> Option<ErrorMessageFacet> {
        typed!(self.0, FacetScope::Run, "errorMessage", ErrorMessage => ErrorMessageFacet)
    }

    /// `nominalTime`: the time window it was scheduled for.
    async fn nominal_time(&self) -> Option<NominalTimeFacet> {
        typed!(self.0, FacetScope::Run, "nominalTime", NominalTime => NominalTimeFacet)
    }

    /// `tags`: key/value tags on it.
    async fn tags(&self) -> Option<TagsFacet> {
        typed!(self.0, FacetScope::Run, "tags", Tags => TagsFacet)
    }

    /// Its facets as one JSON object keyed by facet name, each exactly as
    /// sent: custom facets, and standard ones as stored.
    async fn raw(
        &self,
        #[graphql(desc = "Only these facets (all if not given).")] names: Option<Vec<String>>,
    ) -> Json<FacetMap> {
        raw(self.0, names)
    }
}

/// The facets a run gave one dataset it read (`inputFacets`) or wrote
/// (`outputFacets`).
pub struct RunDatasetFacets<'a> {
    facets: &'a FacetMap,
    /// `Input` or `Output`: which facets the run could give.
    scope: FacetScope,
}

impl<'a> RunDatasetFacets<'a> {
    /// The input facets (`scope` [`FacetScope::Input`]) or output facets
    /// ([`FacetScope::Output`]) of a run's dataset.
    pub fn new(facets: &'a FacetMap, scope: FacetScope) -> Self {
        Self { facets, scope }
    }
}

/// The facets a run gave one dataset it read (`inputFacets`) or wrote
/// (`outputFacets`): the standard ones typed (each null when absent, and
/// the input ones always null on an output and the reverse), any facet as
/// JSON (`raw`).
#[Object]
impl RunDatasetFacets<'_> {
    /// `inputStatistics` (inputs): what the run read.
    async fn input_statistics(&self) -> Option<StatisticsFacet> {
        typed!(self.facets, self.scope, "inputStatistics", InputStatistics => StatisticsFacet)
    }

    /// `outputStatistics` (outputs): what the run wrote.
    async fn output_statistics(&self) -> Option<StatisticsFacet> {
        typed!(self.facets, self.scope, "outputStatistics", OutputStatistics => StatisticsFacet)
    }

    /// `dataQualityMetrics` (inputs): the data as the run found it.
    async fn data_quality_metrics(&self) -> Option<DataQualityMetricsFacet> {
        typed!(self.facets, self.scope, "dataQualityMetrics", DataQualityMetrics => DataQualityMetricsFacet)
    }

    /// `dataQualityAssertions` (inputs): the tests the run checked.
    async fn data_quality_assertions(&self) -> Option<DataQualityAssertionsFacet> {
        typed!(self.facets, self.scope, "dataQualityAssertions", DataQualityAssertions => DataQualityAssertionsFacet)
    }

    /// Its facets as one JSON object keyed by facet name, each exactly as
    /// sent: custom facets, and standard ones as stored.
    async fn raw(
        &self,
        #[graphql(desc = "Only these facets (all if not given).")] names: Option<Vec<String>>,
    ) -> Json<FacetMap> {
        raw(self.facets, names)
    }
}

/// The `schema` facet: a dataset's columns.
pub struct SchemaFacet(ol::SchemaFacet);

/// The `schema` facet: a dataset's columns.
#[Object]
impl SchemaFacet {
    /// The top-level columns, in order.
    async fn fields(&self) -> Vec<SchemaField<'_>> {
        self.0.fields.iter().map(SchemaField).collect()
    }
}

/// A column of a `schema` facet, as sent.
pub struct SchemaField<'a>(pub &'a ol::SchemaField);

/// A column of a `schema` facet, as sent.
#[Object]
impl SchemaField<'_> {
    /// The column name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Its type as the source names it.
    #[graphql(name = "type")]
    async fn data_type(&self) -> Option<&str> {
        self.0.data_type.as_deref()
    }

    /// Its description.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// Nested columns (structs, arrays of structs), in order.
    async fn fields(&self) -> Vec<SchemaField<'_>> {
        self.0.fields.iter().map(SchemaField).collect()
    }
}

/// The `dataSource` facet: the system that holds a dataset.
pub struct DataSourceFacet(ol::DataSourceFacet);

/// The `dataSource` facet: the system that holds a dataset.
#[Object]
impl DataSourceFacet {
    /// The source's name.
    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }

    /// The source's URI, e.g. `postgres://db:5432`.
    async fn uri(&self) -> Option<&str> {
        self.0.uri.as_deref()
    }
}

/// The `ownership` facet of a dataset or job.
pub struct OwnershipFacet(ol::OwnershipFacet);

/// The `ownership` facet of a dataset or job.
#[Object]
impl OwnershipFacet {
    /// The owners, in order.
    async fn owners(&self) -> Vec<Owner> {
        self.0.owners.iter().map(Owner::from).collect()
    }
}

/// The `documentation` facet of a dataset or job.
pub struct DocumentationFacet(ol::DocumentationFacet);

/// The `documentation` facet of a dataset or job.
#[Object]
impl DocumentationFacet {
    /// The description.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// Its MIME type, e.g. `text/markdown`.
    async fn content_type(&self) -> Option<&str> {
        self.0.content_type.as_deref()
    }
}

/// The `symlinks` facet: other names of the same dataset.
pub struct SymlinksFacet(ol::SymlinksFacet);

/// The `symlinks` facet: other names of the same dataset.
#[Object]
impl SymlinksFacet {
    /// The other identifiers.
    async fn identifiers(&self) -> Vec<SymlinkIdentifier<'_>> {
        self.0.identifiers.iter().map(SymlinkIdentifier).collect()
    }
}

/// Another name of a dataset, from its `symlinks` facet.
pub struct SymlinkIdentifier<'a>(&'a ol::SymlinkIdentifier);

/// Another name of a dataset, from its `symlinks` facet.
#[Object]
impl SymlinkIdentifier<'_> {
    /// The namespace.
    async fn namespace(&self) -> &str {
        &self.0.namespace
    }

    /// The name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What kind of name it is, e.g. `TABLE` or `LOCATION`.
    #[graphql(name = "type")]
    async fn kind(&self) -> Option<&str> {
        self.0.kind.as_deref()
    }
}

/// A dataset or job by namespace and name, as a facet names it.
pub struct Identifier<'a>(&'a ol::JobRef);

/// A dataset or job by namespace and name, as a facet names it.
#[Object]
impl Identifier<'_> {
    /// The namespace.
    async fn namespace(&self) -> &str {
        &self.0.namespace
    }

    /// The name.
    async fn name(&self) -> &str {
        &self.0.name
    }
}

/// The `lifecycleStateChange` facet: a dataset's latest change.
pub struct LifecycleStateChangeFacet(ol::LifecycleStateChangeFacet);

/// The `lifecycleStateChange` facet: a dataset's latest change.
#[Object]
impl LifecycleStateChangeFacet {
    /// `ALTER`, `CREATE`, `DROP`, `OVERWRITE`, `RENAME` or `TRUNCATE`.
    async fn lifecycle_state_change(&self) -> &str {
        &self.0.lifecycle_state_change
    }

    /// The dataset's identity before a `RENAME`.
    async fn previous_identifier(&self) -> Option<Identifier<'_>> {
        self.0.previous_identifier.as_ref().map(Identifier)
    }
}

/// The `datasetType` facet.
pub struct DatasetTypeFacet(ol::DatasetTypeFacet);

/// The `datasetType` facet.
#[Object]
impl DatasetTypeFacet {
    /// E.g. `TABLE`, `VIEW`, `TOPIC`, `MODEL`.
    async fn dataset_type(&self) -> &str {
        &self.0.dataset_type
    }

    /// A refinement of the type.
    async fn sub_type(&self) -> Option<&str> {
        self.0.sub_type.as_deref()
    }
}

/// The `tags` facet of a dataset, job or run.
pub struct TagsFacet(ol::TagsFacet);

/// The `tags` facet of a dataset, job or run.
#[Object]
impl TagsFacet {
    /// The tags, in order.
    async fn tags(&self) -> Vec<Tag<'_>> {
        self.0.tags.iter().map(Tag).collect()
    }
}

/// One tag of a `tags` facet.
pub struct Tag<'a>(&'a ol::Tag);

/// One tag of a `tags` facet.
#[Object]
impl Tag<'_> {
    /// The key, e.g. `pii`.
    async fn key(&self) -> &str {
        &self.0.key
    }

    /// The value.
    async fn value(&self) -> &str {
        &self.0.value
    }

    /// Who set it, e.g. `DBT`.
    async fn source(&self) -> Option<&str> {
        self.0.source.as_deref()
    }

    /// The column it applies to (dataset tags only); null for the dataset itself.
    async fn field(&self) -> Option<&str> {
        self.0.field.as_deref()
    }
}

/// The `columnLineage` facet: where each column of a dataset comes from.
pub struct ColumnLineageFacet(ol::ColumnLineageFacet);

/// The `columnLineage` facet: where each column of a dataset comes from.
#[Object]
impl ColumnLineageFacet {
    /// Per output column, by name: the input columns it is derived from.
    async fn fields(&self) -> Vec<ColumnLineageField<'_>> {
        self.0
            .fields
            .iter()
            .map(|(name, field)| ColumnLineageField { name, field })
            .collect()
    }

    /// Input columns that affect the whole dataset rather than one column
    /// (filters, joins, sorts).
    async fn dataset(&self) -> Vec<ColumnLineageInput<'_>> {
        self.0.dataset.iter().map(ColumnLineageInput).collect()
    }
}

/// How one output column is derived, from a `columnLineage` facet.
pub struct ColumnLineageField<'a> {
    name: &'a str,
    field: &'a ol::ColumnLineageField,
}

/// How one output column is derived, from a `columnLineage` facet.
#[Object]
impl ColumnLineageField<'_> {
    /// The output column (its path for a nested one).
    async fn name(&self) -> &str {
        self.name
    }

    /// The input columns it is derived from.
    async fn input_fields(&self) -> Vec<ColumnLineageInput<'_>> {
        self.field.input_fields.iter().map(ColumnLineageInput).collect()
    }

    /// The transformation's description (the pre-1.0 facet's field-level form).
    async fn transformation_description(&self) -> Option<&str> {
        self.field.transformation_description.as_deref()
    }

    /// The transformation's type, e.g. `IDENTITY` (the pre-1.0 facet's
    /// field-level form).
    async fn transformation_type(&self) -> Option<&str> {
        self.field.transformation_type.as_deref()
    }
}

/// An input column of a `columnLineage` facet, with how it is transformed.
pub struct ColumnLineageInput<'a>(&'a ol::InputField);

/// An input column of a `columnLineage` facet, with how it is transformed.
#[Object]
impl ColumnLineageInput<'_> {
    /// The input dataset's namespace.
    async fn namespace(&self) -> &str {
        &self.0.namespace
    }

    /// The input dataset's name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The input column.
    async fn field(&self) -> &str {
        &self.0.field
    }

    /// How the input becomes the output.
    async fn transformations(&self) -> Vec<ColumnTransformation<'_>> {
        self.0.transformations.iter().map(ColumnTransformation).collect()
    }
}

/// One transformation of an input column in a `columnLineage` facet.
pub struct ColumnTransformation<'a>(&'a ol::Transformation);

/// One transformation of an input column in a `columnLineage` facet.
#[Object]
impl ColumnTransformation<'_> {
    /// `DIRECT` (the value flows from the input) or `INDIRECT` (the input
    /// only filters, joins, sorts, ...).
    #[graphql(name = "type")]
    async fn kind(&self) -> &str {
        &self.0.kind
    }

    /// E.g. `IDENTITY`, `TRANSFORMATION`, `AGGREGATION`, `JOIN`, `FILTER`.
    async fn subtype(&self) -> Option<&str> {
        self.0.subtype.as_deref()
    }

    /// Free text, often the expression.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// Whether the value is masked (hashed, redacted).
    async fn masking(&self) -> Option<bool> {
        self.0.masking
    }
}

/// The `dataQualityMetrics` facet of a dataset or of a run's input.
pub struct DataQualityMetricsFacet(ol::DataQualityMetricsFacet);

/// The `dataQualityMetrics` facet of a dataset or of a run's input.
#[Object]
impl DataQualityMetricsFacet {
    /// Number of rows.
    async fn row_count(&self) -> Option<i64> {
        self.0.row_count
    }

    /// Size in bytes.
    async fn bytes(&self) -> Option<i64> {
        self.0.bytes
    }

    /// Number of files.
    async fn file_count(&self) -> Option<i64> {
        self.0.file_count
    }

    /// Per column, by name.
    async fn column_metrics(&self) -> Vec<ColumnMetrics<'_>> {
        self.0
            .column_metrics
            .iter()
            .map(|(name, metrics)| ColumnMetrics { name, metrics })
            .collect()
    }
}

/// The metrics of one column, from a `dataQualityMetrics` facet.
pub struct ColumnMetrics<'a> {
    name: &'a str,
    metrics: &'a ol::ColumnMetrics,
}

/// The metrics of one column, from a `dataQualityMetrics` facet.
#[Object]
impl ColumnMetrics<'_> {
    /// The column.
    async fn name(&self) -> &str {
        self.name
    }

    /// Null values.
    async fn null_count(&self) -> Option<i64> {
        self.metrics.null_count
    }

    /// Distinct values.
    async fn distinct_count(&self) -> Option<i64> {
        self.metrics.distinct_count
    }

    /// Sum of the values.
    async fn sum(&self) -> Option<f64> {
        self.metrics.sum
    }

    /// Count of the values.
    async fn count(&self) -> Option<f64> {
        self.metrics.count
    }

    /// Smallest value.
    async fn min(&self) -> Option<f64> {
        self.metrics.min
    }

    /// Largest value.
    async fn max(&self) -> Option<f64> {
        self.metrics.max
    }
}

/// The `dataQualityAssertions` facet of a dataset or of a run's input.
pub struct DataQualityAssertionsFacet(ol::DataQualityAssertionsFacet);

/// The `dataQualityAssertions` facet of a dataset or of a run's input.
#[Object]
impl DataQualityAssertionsFacet {
    /// The assertions checked, in order.
    async fn assertions(&self) -> Vec<DataQualityAssertion<'_>> {
        self.0.assertions.iter().map(DataQualityAssertion).collect()
    }
}

/// One test of a `dataQualityAssertions` facet and its outcome.
pub struct DataQualityAssertion<'a>(&'a ol::Assertion);

/// One test of a `dataQualityAssertions` facet and its outcome.
#[Object]
impl DataQualityAssertion<'_> {
    /// What was tested, e.g. `not_null`.
    async fn assertion(&self) -> &str {
        &self.0.assertion
    }

    /// Whether it held.
    async fn success(&self) -> bool {
        self.0.success
    }

    /// The column it tests; null for the whole dataset.
    async fn column(&self) -> Option<&str> {
        self.0.column.as_deref()
    }

    /// How bad a failure is, e.g. `error`, `warn`.
    async fn severity(&self) -> Option<&str> {
        self.0.severity.as_deref()
    }
}

/// The `inputStatistics` or `outputStatistics` facet: what a run read or wrote.
pub struct StatisticsFacet(ol::StatisticsFacet);

/// The `inputStatistics` or `outputStatistics` facet: what a run read or
/// wrote of one dataset.
#[Object]
impl StatisticsFacet {
    /// Rows read or written.
    async fn row_count(&self) -> Option<i64> {
        self.0.row_count
    }

    /// Bytes read or written.
    async fn size(&self) -> Option<i64> {
        self.0.size
    }

    /// Files read or written.
    async fn file_count(&self) -> Option<i64> {
        self.0.file_count
    }
}

/// The `sourceCodeLocation` facet: where a job's code lives.
pub struct SourceCodeLocationFacet(ol::SourceCodeLocationFacet);

/// The `sourceCodeLocation` facet: where a job's code lives.
#[Object]
impl SourceCodeLocationFacet {
    /// The version control system, e.g. `git`.
    #[graphql(name = "type")]
    async fn vcs(&self) -> Option<&str> {
        self.0.vcs.as_deref()
    }

    /// A URL to the code.
    async fn url(&self) -> &str {
        &self.0.url
    }

    /// The repository's URL.
    async fn repo_url(&self) -> Option<&str> {
        self.0.repo_url.as_deref()
    }

    /// The path in the repository.
    async fn path(&self) -> Option<&str> {
        self.0.path.as_deref()
    }

    /// The commit.
    async fn version(&self) -> Option<&str> {
        self.0.version.as_deref()
    }

    /// The tag.
    async fn tag(&self) -> Option<&str> {
        self.0.tag.as_deref()
    }

    /// The branch.
    async fn branch(&self) -> Option<&str> {
        self.0.branch.as_deref()
    }
}

/// The `sourceCode` facet: a job's code, in full.
pub struct SourceCodeFacet(ol::SourceCodeFacet);

/// The `sourceCode` facet: a job's code, in full.
#[Object]
impl SourceCodeFacet {
    /// The language, e.g. `python`.
    async fn language(&self) -> &str {
        &self.0.language
    }

    /// The code.
    async fn source_code(&self) -> &str {
        &self.0.source_code
    }
}

/// The `jobType` facet.
pub struct JobTypeFacet(ol::JobTypeFacet);

/// The `jobType` facet.
#[Object]
impl JobTypeFacet {
    /// `BATCH` or `STREAMING`.
    async fn processing_type(&self) -> &str {
        &self.0.processing_type
    }

    /// The integration that runs the job, e.g. `SPARK`, `DBT`, `AIRFLOW`.
    async fn integration(&self) -> &str {
        &self.0.integration
    }

    /// The kind of job, e.g. `QUERY`, `MODEL`, `TASK`, `DAG`.
    async fn job_type(&self) -> Option<&str> {
        self.0.job_type.as_deref()
    }
}

/// The `parent` facet: the run that started a run, and the root of its tree.
pub struct ParentRunFacet(ol::ParentRunFacet);

/// The `parent` facet: the run that started a run (an Airflow task's DAG
/// run, say), and the root of its tree.
#[Object]
impl ParentRunFacet {
    /// The parent run.
    async fn run(&self) -> RunReference<'_> {
        RunReference(&self.0.run)
    }

    /// The parent run's job.
    async fn job(&self) -> Identifier<'_> {
        Identifier(&self.0.job)
    }

    /// The run at the root of the tree, and its job, when it is deeper
    /// than two.
    async fn root(&self) -> Option<ParentRunRoot<'_>> {
        self.0.root.as_ref().map(ParentRunRoot)
    }
}

/// A run by its id, as a `parent` facet names it (`run(id)` has the rest).
pub struct RunReference<'a>(&'a ol::RunRef);

/// A run by its id, as a `parent` facet names it (`run(id)` has the rest).
#[Object]
impl RunReference<'_> {
    /// The run's id (a UUID).
    async fn run_id(&self) -> async_graphql::ID {
        self.0.run_id.into()
    }
}

/// The `root` of a `parent` facet.
pub struct ParentRunRoot<'a>(&'a ol::RootRef);

/// The root run of a run tree, and its job, from a `parent` facet.
#[Object]
impl ParentRunRoot<'_> {
    /// The root run.
    async fn run(&self) -> RunReference<'_> {
        RunReference(&self.0.run)
    }

    /// The root run's job.
    async fn job(&self) -> Identifier<'_> {
        Identifier(&self.0.job)
    }
}

/// The `errorMessage` facet: why a run failed.
pub struct ErrorMessageFacet(ol::ErrorMessageFacet);

/// The `errorMessage` facet: why a run failed.
#[Object]
impl ErrorMessageFacet {
    /// The error message.
    async fn message(&self) -> &str {
        &self.0.message
    }

    /// The language of the program that failed.
    async fn programming_language(&self) -> &str {
        &self.0.programming_language
    }

    /// The stack trace.
    async fn stack_trace(&self) -> Option<&str> {
        self.0.stack_trace.as_deref()
    }
}

/// The `nominalTime` facet: the time window a run was scheduled for.
pub struct NominalTimeFacet(ol::NominalTimeFacet);

/// The `nominalTime` facet: the time window a run was scheduled for.
#[Object]
impl NominalTimeFacet {
    /// The scheduled start.
    async fn nominal_start_time(&self) -> DateTime {
        DateTime(self.0.nominal_start_time)
    }

    /// The scheduled end.
    async fn nominal_end_time(&self) -> Option<DateTime> {
        self.0.nominal_end_time.map(DateTime)
    }
}
