//! The entity fields of the GraphQL API: namespaces, datasets (and the
//! versions of their schema), jobs, runs and raw events, as the REST API
//! serves them.
//!
//! Each type wraps what a store reader returns ([`crate::store::read`]) and
//! names its fields as Marquez does, so a GraphQL answer agrees with the
//! REST one field for field. Facets come typed ([`super::facets`]) and
//! byte-for-byte as sent (`raw`).

use std::sync::Arc;

use async_graphql::connection::{ConnectionNameType, EdgeNameType};
use async_graphql::{Context, Enum, Json, Object, OutputType, SimpleObject};
use serde_json::value::RawValue;
use uuid::Uuid;

use super::batch::{DatasetBatch, JobBatch, RunBatch};
use super::facets::{self, DatasetFacets, JobFacets, RunDatasetFacets, RunFacets};
use super::mesh::{CarriedVia, ConceptKind};
use super::pagination::{List, connection, cost, slice, window};
use super::{DateTime, gql_error, invalid_parameter};
use crate::api::rest::blocking;
use crate::api::rest::jobs::job_not_found;
use crate::api::rest::namespaces::namespace_not_found;
use crate::api::{ApiError, AppState};
use crate::app::App;
use crate::catalog::concepts;
use crate::log::EventWindow;
use crate::openlineage::facets::{self as ol, FacetScope, StandardFacet};
use crate::openlineage::{EventType, Timestamp};
use crate::store::read::{
    self, DatasetInfo, DatasetKind, EntityRef, JobInfo, JobKind, Listing, NamespaceInfo, RunInfo,
};

/// Runs a store read on the blocking pool and turns its error into a
/// GraphQL error with its code.
async fn read<T, F>(ctx: &Context<'_>, work: F) -> async_graphql::Result<T>
where
    T: Send + 'static,
    F: FnOnce(&App) -> Result<T, ApiError> + Send + 'static,
{
    let app = ctx.data_unchecked::<AppState>().clone();
    blocking(move || work(&app)).await.map_err(gql_error)
}

/// The app as this request sees it (its reads counted).
fn app<'a>(ctx: &Context<'a>) -> &'a AppState {
    ctx.data_unchecked::<AppState>()
}

fn time(t: Option<Timestamp>) -> Option<DateTime> {
    t.map(DateTime)
}

/// The top-level entity queries.
#[derive(Default)]
pub struct EntityQuery;

/// The top-level entity queries.
#[Object]
impl EntityQuery {
    /// Every namespace events have mentioned, by name.
    #[graphql(complexity = "cost(first, child_complexity)")]
    async fn namespaces(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size (default 100, at most 1000).")] first: Option<i32>,
        #[graphql(desc = "The cursor of the last item already seen.")] after: Option<String>,
    ) -> async_graphql::Result<List<Namespace>> {
        let page = window(first, after.as_deref())?;
        let all = read(ctx, |app| {
            read::namespaces(app.views.store()).map_err(ApiError::internal)
        })
        .await?;
        Ok(slice(page, all.into_iter().map(Namespace).collect()))
    }

    /// One namespace by name; null if unknown.
    async fn namespace(&self, ctx: &Context<'_>, name: String) -> async_graphql::Result<Option<Namespace>> {
        let found = read(ctx, move |app| {
            read::namespace(app.views.store(), &name).map_err(ApiError::internal)
        })
        .await?;
        Ok(found.map(Namespace))
    }

    /// A namespace's datasets, by name; a `not_found` error if the namespace
    /// is unknown.
    #[graphql(complexity = "cost(first, child_complexity)")]
    async fn datasets(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The namespace, e.g. `postgres://db:5432`.")] namespace: String,
        #[graphql(desc = "Page size (default 100, at most 1000).")] first: Option<i32>,
        #[graphql(desc = "The cursor of the last item already seen.")] after: Option<String>,
    ) -> async_graphql::Result<List<Dataset>> {
        datasets_of(ctx, namespace, first, after).await
    }

    /// One dataset; null if unknown.
    async fn dataset(
        &self,
        ctx: &Context<'_>,
        namespace: String,
        name: String,
    ) -> async_graphql::Result<Option<Dataset>> {
        dataset(ctx, namespace, name).await
    }

    /// A namespace's jobs, by name; a `not_found` error if the namespace is
    /// unknown.
    #[graphql(complexity = "cost(first, child_complexity)")]
    async fn jobs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The namespace, e.g. the scheduler's name.")] namespace: String,
        #[graphql(desc = "Page size (default 100, at most 1000).")] first: Option<i32>,
        #[graphql(desc = "The cursor of the last item already seen.")] after: Option<String>,
    ) -> async_graphql::Result<List<Job>> {
        jobs_of(ctx, namespace, first, after).await
    }

    /// One job; null if unknown.
    async fn job(
        &self,
        ctx: &Context<'_>,
        namespace: String,
        name: String,
    ) -> async_graphql::Result<Option<Job>> {
        job(ctx, namespace, name).await
    }

    /// One run by its id (a UUID); null if unknown, an `invalid_parameter`
    /// error if the id is not a UUID.
    async fn run(&self, ctx: &Context<'_>, id: async_graphql::ID) -> async_graphql::Result<Option<Run>> {
        let id = Uuid::parse_str(&id)
            .map_err(|_| invalid_parameter(format!("run id {:?} is not a UUID", id.0)))?;
        let found = read(ctx, move |app| {
            read::run(app.views.store(), id).map_err(ApiError::internal)
        })
        .await?;
        Ok(RunBatch::list(app(ctx), found.into_iter().collect()).pop())
    }

    /// The raw OpenLineage events received, newest first by event time, each
    /// exactly as the producer sent it.
    #[graphql(complexity = "cost(first, child_complexity)")]
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only events at or after this time.")] since: Option<DateTime>,
        #[graphql(desc = "Only events at or before this time.")] until: Option<DateTime>,
        #[graphql(desc = "Page size (default 100, at most 1000).")] first: Option<i32>,
        #[graphql(desc = "The cursor of the last item already seen.")] after: Option<String>,
    ) -> async_graphql::Result<List<Json<Box<RawValue>>, EventConnectionName, EventEdgeName>> {
        let page = window(first, after.as_deref())?;
        let window = EventWindow {
            after: since.map(|t| t.0.unix_nanos()),
            before: until.map(|t| t.0.unix_nanos()),
            descending: true,
            offset: page.offset,
            limit: page.limit,
        };
        let found = read(ctx, move |app| app.log.events(window).map_err(ApiError::internal)).await?;
        let events = found
            .events
            .into_iter()
            .map(|bytes| {
                // The log holds events as they were accepted: valid JSON text.
                String::from_utf8(bytes)
                    .map_err(ApiError::internal)
                    .and_then(|text| RawValue::from_string(text).map_err(ApiError::internal))
                    .map(Json)
                    .map_err(gql_error)
            })
            .collect::<async_graphql::Result<Vec<_>>>()?;
        Ok(connection(page, events, found.total))
    }
}

/// Names the event list `EventConnection` (its node type is `JSON`).
pub struct EventConnectionName;

impl ConnectionNameType for EventConnectionName {
    fn type_name<T: OutputType>() -> String {
        "EventConnection".into()
    }
}

/// Names the event list's edges `EventEdge`.
pub struct EventEdgeName;

impl EdgeNameType for EventEdgeName {
    fn type_name<T: OutputType>() -> String {
        "EventEdge".into()
    }
}

async fn datasets_of(
    ctx: &Context<'_>,
    namespace: String,
    first: Option<i32>,
    after: Option<String>,
) -> async_graphql::Result<List<Dataset>> {
    let page = window(first, after.as_deref())?;
    let listing = read(ctx, move |app| {
        read::datasets(app.views.store(), &namespace, page)
            .map_err(ApiError::internal)?
            .ok_or_else(|| namespace_not_found(&namespace))
    })
    .await?;
    Ok(connection(
        page,
        DatasetBatch::list(app(ctx), listing.items),
        listing.total,
    ))
}

async fn dataset(
    ctx: &Context<'_>,
    namespace: String,
    name: String,
) -> async_graphql::Result<Option<Dataset>> {
    let found = read(ctx, move |app| {
        read::dataset(app.views.store(), &namespace, &name).map_err(ApiError::internal)
    })
    .await?;
    Ok(DatasetBatch::list(app(ctx), found.into_iter().collect()).pop())
}

/// How many runs a job is read with: its latest, for `latestRun`.
const LATEST_RUNS: usize = 1;

async fn jobs_of(
    ctx: &Context<'_>,
    namespace: String,
    first: Option<i32>,
    after: Option<String>,
) -> async_graphql::Result<List<Job>> {
    let page = window(first, after.as_deref())?;
    let listing = read(ctx, move |app| {
        read::jobs(app.views.store(), &namespace, page, LATEST_RUNS)
            .map_err(ApiError::internal)?
            .ok_or_else(|| namespace_not_found(&namespace))
    })
    .await?;
    Ok(connection(
        page,
        JobBatch::list(app(ctx), listing.items),
        listing.total,
    ))
}

async fn job(ctx: &Context<'_>, namespace: String, name: String) -> async_graphql::Result<Option<Job>> {
    let found = read(ctx, move |app| {
        read::job(app.views.store(), &namespace, &name, LATEST_RUNS).map_err(ApiError::internal)
    })
    .await?;
    Ok(JobBatch::list(app(ctx), found.into_iter().collect()).pop())
}

/// A namespace: the scope of dataset and job names (a database, a
/// scheduler).
pub struct Namespace(NamespaceInfo);

/// A namespace: the scope of dataset and job names (a database, a scheduler).
#[Object]
impl Namespace {
    /// Its name, as sent (often a URI such as `postgres://db:5432`).
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// When meshgraph first heard of it (event time).
    async fn created_at(&self) -> Option<DateTime> {
        time(self.0.created_at)
    }

    /// The event time of the latest event that mentioned it.
    async fn updated_at(&self) -> Option<DateTime> {
        time(self.0.updated_at)
    }

    /// Its datasets, by name.
    #[graphql(complexity = "cost(first, child_complexity)")]
    async fn datasets(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size (default 100, at most 1000).")] first: Option<i32>,
        #[graphql(desc = "The cursor of the last item already seen.")] after: Option<String>,
    ) -> async_graphql::Result<List<Dataset>> {
        datasets_of(ctx, self.0.name.clone(), first, after).await
    }

    /// Its jobs, by name.
    #[graphql(complexity = "cost(first, child_complexity)")]
    async fn jobs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size (default 100, at most 1000).")] first: Option<i32>,
        #[graphql(desc = "The cursor of the last item already seen.")] after: Option<String>,
    ) -> async_graphql::Result<List<Job>> {
        jobs_of(ctx, self.0.name.clone(), first, after).await
    }
}

/// What kind of data a dataset holds, in Marquez's terms.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum DatasetType {
    /// A table, file or anything read in batches (the default).
    DbTable,
    /// A stream or topic (the `datasetType` facet says `STREAM` or `TOPIC`).
    Stream,
}

/// A dataset: a table, file, topic or anything a job reads or writes; with
/// the batch of the list it came in ([`DatasetBatch`]).
pub struct Dataset(DatasetInfo, Arc<DatasetBatch>);

impl Dataset {
    /// A dataset of a list, sharing the list's batch.
    pub(super) fn new(info: DatasetInfo, batch: Arc<DatasetBatch>) -> Self {
        Self(info, batch)
    }

    fn key(&self) -> (String, String) {
        (self.0.namespace.clone(), self.0.name.clone())
    }
}

/// A data product that exposes a dataset, in brief (`dataProduct(id)` has
/// the rest).
#[derive(SimpleObject)]
pub struct ExposingProduct {
    /// Its IRI.
    id: String,
    /// Its title.
    title: Option<String>,
    /// Its domain's IRI.
    domain: Option<String>,
    /// Its owners' names.
    owners: Vec<String>,
}

/// A concept a dataset or one of its columns carries, as REST's
/// `/namespaces/{ns}/datasets/{name}/concepts` lists it.
#[derive(SimpleObject)]
pub struct DatasetConcept {
    /// The concept's IRI (`concept(iri)` has its hierarchy and carriers).
    id: String,
    /// Its `skos:prefLabel`, else its `rdfs:label`.
    label: Option<String>,
    /// A class or a glossary term; `null` for an IRI only `mg:concept` names.
    kind: Option<ConceptKind>,
    /// The path of the column that carries it; `null` for the dataset itself.
    field: Option<String>,
    /// How the dataset or column carries it: an `mg:concept` statement or a
    /// tag.
    via: CarriedVia,
    /// The tag key that names it, when `via` is `TAG`.
    tag: Option<String>,
}

impl From<concepts::DatasetConcept> for DatasetConcept {
    fn from(c: concepts::DatasetConcept) -> Self {
        Self {
            id: c.id,
            label: c.label,
            kind: c.kind.map(|kind| match kind {
                concepts::ConceptKind::Class => ConceptKind::Class,
                concepts::ConceptKind::Concept => ConceptKind::Concept,
            }),
            field: c.field,
            via: match c.via {
                concepts::Via::Statement => CarriedVia::Statement,
                concepts::Via::Tag => CarriedVia::Tag,
            },
            tag: c.tag,
        }
    }
}

/// Marquez's source name for datasets without a `dataSource` facet.
const DEFAULT_SOURCE: &str = "default";

/// A dataset: a table, file, topic or anything a job reads or writes.
#[Object]
impl Dataset {
    /// Its namespace.
    async fn namespace(&self) -> &str {
        &self.0.namespace
    }

    /// Its name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Table or stream (`datasetType` facet).
    #[graphql(name = "type")]
    async fn kind(&self) -> DatasetType {
        match self.0.kind {
            DatasetKind::Table => DatasetType::DbTable,
            DatasetKind::Stream => DatasetType::Stream,
        }
    }

    /// The `dataSource` facet's name, `default` without one.
    async fn source_name(&self) -> &str {
        self.0.source_name.as_deref().unwrap_or(DEFAULT_SOURCE)
    }

    /// The `documentation` facet's description.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// Its columns from the `schema` facet, in order, with nested fields.
    async fn fields(&self) -> Vec<Field> {
        self.0.fields.iter().cloned().map(Field).collect()
    }

    /// Keys of the dataset-level entries of the `tags` facet.
    async fn tags(&self) -> &[String] {
        &self.0.tags
    }

    /// Its owners from the `ownership` facet.
    async fn owners(&self) -> Vec<Owner> {
        self.0.owners.iter().cloned().map(Owner::from).collect()
    }

    /// The data products whose output ports expose it (the catalog is read
    /// once for its whole list).
    async fn products(&self) -> async_graphql::Result<Vec<ExposingProduct>> {
        let products = self.1.products(&self.key()).await?;
        Ok(products
            .into_iter()
            .map(|p| ExposingProduct {
                id: p.id,
                title: p.title,
                domain: p.domain.map(|(id, _)| id),
                owners: p.owners,
            })
            .collect())
    }

    /// The concepts it and its columns carry, by `mg:concept` statement or
    /// by a tag whose key names the concept; its own first (`field` null),
    /// then its columns'. Read once for its whole list.
    async fn concepts(&self) -> async_graphql::Result<Vec<DatasetConcept>> {
        let concepts = self.1.concepts(&self.key()).await?;
        Ok(concepts.into_iter().map(DatasetConcept::from).collect())
    }

    /// The datasets one job upstream of it in the current lineage: those
    /// read by the jobs whose latest completed runs write it, by namespace
    /// and name (`lineage(depth: 1)` has the jobs between). From the lineage
    /// projection; the page of every dataset of its list is read together.
    #[graphql(complexity = "cost(first, child_complexity)")]
    async fn upstream(
        &self,
        #[graphql(desc = "Page size (default 100, at most 1000).")] first: Option<i32>,
        #[graphql(desc = "The cursor of the last item already seen.")] after: Option<String>,
    ) -> async_graphql::Result<List<Dataset>> {
        self.neighbours(true, first, after).await
    }

    /// The datasets one job downstream of it in the current lineage: those
    /// written by the jobs whose latest completed runs read it, by namespace
    /// and name.
    #[graphql(complexity = "cost(first, child_complexity)")]
    async fn downstream(
        &self,
        #[graphql(desc = "Page size (default 100, at most 1000).")] first: Option<i32>,
        #[graphql(desc = "The cursor of the last item already seen.")] after: Option<String>,
    ) -> async_graphql::Result<List<Dataset>> {
        self.neighbours(false, first, after).await
    }

    /// When meshgraph first heard of it (event time).
    async fn created_at(&self) -> Option<DateTime> {
        time(self.0.created_at)
    }

    /// The event time of the latest event that mentioned it.
    async fn updated_at(&self) -> Option<DateTime> {
        time(self.0.updated_at)
    }

    /// When a completed run last wrote it.
    async fn last_modified_at(&self) -> Option<DateTime> {
        time(self.0.last_modified_at)
    }

    /// The `lifecycleStateChange` facet's state (`CREATE`, `DROP`, ...).
    async fn last_lifecycle_state(&self) -> Option<&str> {
        self.0.last_lifecycle_state.as_deref()
    }

    /// The id of its current version: the latest run that wrote it.
    async fn current_version(&self) -> async_graphql::ID {
        self.0.current_version.into()
    }

    /// Its current facets: the standard ones typed, any as JSON.
    async fn facets(&self) -> DatasetFacets<'_> {
        DatasetFacets(&self.0.facets)
    }

    /// The versions of its schema, newest first: one each time an event
    /// reported a schema other than the one it had (a run that rewrites it
    /// with the same columns makes none). A version a run wrote has the id
    /// of that run's output (`RunDataset.version`); `currentVersion` names
    /// the latest write, which is listed here only if it changed the schema.
    #[graphql(complexity = "cost(first, child_complexity)")]
    async fn versions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size (default 100, at most 1000).")] first: Option<i32>,
        #[graphql(desc = "The cursor of the last item already seen.")] after: Option<String>,
    ) -> async_graphql::Result<List<DatasetVersion>> {
        let page = window(first, after.as_deref())?;
        let (namespace, name) = (self.0.namespace.clone(), self.0.name.clone());
        let listing = read(ctx, move |app| {
            read::dataset_versions(app.views.store(), &namespace, &name, page).map_err(ApiError::internal)
        })
        .await?;
        Ok(connection(
            page,
            listing.items.into_iter().map(DatasetVersion::from).collect(),
            listing.total,
        ))
    }
}

/// A version of a dataset's schema.
pub struct DatasetVersion {
    version: read::DatasetVersion,
    /// Its `schema` facet, typed; `None` if it no longer fits its schema.
    schema: Option<ol::SchemaFacet>,
}

impl From<read::DatasetVersion> for DatasetVersion {
    fn from(version: read::DatasetVersion) -> Self {
        let schema = match read::standard(FacetScope::Dataset, "schema", &version.schema) {
            Some(StandardFacet::Schema(schema)) => Some(schema),
            _ => None,
        };
        Self { version, schema }
    }
}

/// A version of a dataset's schema: the columns an event reported when it
/// changed them.
#[Object]
impl DatasetVersion {
    /// Its id (a UUID). For a version a run wrote, the same as that run's
    /// `outputs { version }` for the dataset.
    async fn id(&self) -> async_graphql::ID {
        self.version.id.into()
    }

    /// The event time of the event that reported this schema.
    async fn created_at(&self) -> DateTime {
        DateTime(self.version.created_at)
    }

    /// The run that wrote the dataset with this schema; null when it was
    /// reported by a run that read the dataset, or by a DatasetEvent or
    /// JobEvent.
    async fn run(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Run>> {
        let Some(id) = self.version.run else {
            return Ok(None);
        };
        let found = read(ctx, move |app| {
            read::run(app.views.store(), id).map_err(ApiError::internal)
        })
        .await?;
        Ok(RunBatch::list(app(ctx), found.into_iter().collect()).pop())
    }

    /// The job of that run.
    async fn job(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Job>> {
        match self.version.job.clone() {
            Some(at) => job(ctx, at.namespace, at.name).await,
            None => Ok(None),
        }
    }

    /// Its columns as they were then, in order, with nested ones (empty if
    /// the stored schema no longer fits the `schema` facet's).
    async fn fields(&self) -> Vec<facets::SchemaField<'_>> {
        self.schema
            .iter()
            .flat_map(|schema| &schema.fields)
            .map(facets::SchemaField)
            .collect()
    }
}

impl Dataset {
    /// A page of its neighbours upstream or downstream.
    async fn neighbours(
        &self,
        upstream: bool,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<List<Dataset>> {
        let page = window(first, after.as_deref())?;
        let (items, total) = self.1.neighbours(&self.key(), upstream, page).await?;
        Ok(connection(page, items, total))
    }
}

/// A column, possibly with nested columns.
pub struct Field(read::Field);

/// A column, possibly with nested columns.
#[Object]
impl Field {
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

    /// Keys of the `tags` facet entries aimed at this column (top-level
    /// columns only).
    async fn tags(&self) -> &[String] {
        &self.0.tags
    }

    /// Nested columns (structs, arrays of structs), in order.
    async fn fields(&self) -> Vec<Field> {
        self.0.fields.iter().cloned().map(Field).collect()
    }
}

/// An owner named by an `ownership` facet.
#[derive(SimpleObject)]
pub struct Owner {
    /// The owner, e.g. `team:data-platform` or `user:jdoe`.
    name: String,
    /// The kind of ownership, e.g. `MAINTAINER`.
    #[graphql(name = "type")]
    owner_type: Option<String>,
}

impl From<read::Owner> for Owner {
    fn from(owner: read::Owner) -> Self {
        Self {
            name: owner.name,
            owner_type: owner.owner_type,
        }
    }
}

impl From<&ol::Owner> for Owner {
    fn from(owner: &ol::Owner) -> Self {
        Self {
            name: owner.name.clone(),
            owner_type: owner.owner_type.clone(),
        }
    }
}

/// How a job runs, in Marquez's terms.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum JobType {
    /// Runs to completion (the default).
    Batch,
    /// A streaming job (`jobType.processingType` is `STREAMING`).
    Stream,
    /// A long-running service (`jobType.jobType` is `SERVICE`).
    Service,
}

/// A job's SQL, from its `sql` facet.
#[derive(SimpleObject)]
pub struct Sql {
    /// The query text.
    query: String,
    /// The SQL dialect, if the producer named it.
    dialect: Option<String>,
}

impl From<ol::SqlFacet> for Sql {
    fn from(sql: ol::SqlFacet) -> Self {
        Self {
            query: sql.query,
            dialect: sql.dialect,
        }
    }
}

/// A job: a pipeline step that reads and writes datasets; with its latest
/// run and the batch of the list it came in ([`JobBatch`]).
pub struct Job(JobInfo, Option<Run>, Arc<JobBatch>);

impl Job {
    /// A job of a list, sharing the list's batch.
    pub(super) fn new(info: JobInfo, latest: Option<Run>, batch: Arc<JobBatch>) -> Self {
        Self(info, latest, batch)
    }
}

/// A job: a pipeline step that reads and writes datasets.
#[Object]
impl Job {
    /// Its namespace.
    async fn namespace(&self) -> &str {
        &self.0.namespace
    }

    /// Its name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Batch, stream or service (`jobType` facet).
    #[graphql(name = "type")]
    async fn kind(&self) -> JobType {
        match self.0.kind {
            JobKind::Batch => JobType::Batch,
            JobKind::Stream => JobType::Stream,
            JobKind::Service => JobType::Service,
        }
    }

    /// The `documentation` facet's description.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// The `sourceCodeLocation` facet's URL.
    async fn location(&self) -> Option<&str> {
        self.0.location.as_deref()
    }

    /// Keys of the `tags` facet's entries.
    async fn tags(&self) -> &[String] {
        &self.0.tags
    }

    /// Its SQL (`sql` facet).
    async fn sql(&self) -> Option<Sql> {
        self.0.sql.clone().map(|sql| Sql {
            query: sql.query,
            dialect: sql.dialect,
        })
    }

    /// The name of the parent job named by its latest run's `parent` facet.
    async fn parent_job_name(&self) -> Option<&str> {
        self.0.parent.as_ref().map(|p| p.name.as_str())
    }

    /// The parent job named by its latest run's `parent` facet (an Airflow
    /// task's DAG, say); a parent that never sent events of its own has only
    /// its namespace and name. Null without one, or if the facet names the
    /// job itself (the store keeps no such cycle either).
    async fn parent(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Job>> {
        let Some(parent) = self.0.parent.clone() else {
            return Ok(None);
        };
        if parent.namespace == self.0.namespace && parent.name == self.0.name {
            return Ok(None);
        }
        let found = read(ctx, move |app| {
            read::job_or_reference(app.views.store(), &parent, LATEST_RUNS).map_err(ApiError::internal)
        })
        .await?;
        Ok(JobBatch::list(app(ctx), found.into_iter().collect()).pop())
    }

    /// The jobs any of whose runs named this job in their `parent` facet (an
    /// Airflow DAG's tasks, say), by namespace then name.
    #[graphql(complexity = "cost(first, child_complexity)")]
    async fn children(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size (default 100, at most 1000).")] first: Option<i32>,
        #[graphql(desc = "The cursor of the last item already seen.")] after: Option<String>,
    ) -> async_graphql::Result<List<Job>> {
        let page = window(first, after.as_deref())?;
        let job = self.entity_ref();
        let listing = read(ctx, move |app| {
            read::job_children(app.views.store(), &job, page, LATEST_RUNS)
                .map_err(ApiError::internal)?
                .ok_or_else(|| job_not_found(&job.namespace, &job.name))
        })
        .await?;
        Ok(connection(
            page,
            JobBatch::list(app(ctx), listing.items),
            listing.total,
        ))
    }

    /// When meshgraph first heard of it (event time).
    async fn created_at(&self) -> Option<DateTime> {
        time(self.0.created_at)
    }

    /// The event time of the latest event that mentioned it.
    async fn updated_at(&self) -> Option<DateTime> {
        time(self.0.updated_at)
    }

    /// Its current facets: the standard ones typed, any as JSON.
    async fn facets(&self) -> JobFacets<'_> {
        JobFacets(&self.0.facets)
    }

    /// The datasets it reads now: those of its latest completed run.
    async fn inputs(&self) -> async_graphql::Result<Vec<Dataset>> {
        self.io(true).await
    }

    /// The datasets it writes now: those of its latest completed run.
    async fn outputs(&self) -> async_graphql::Result<Vec<Dataset>> {
        self.io(false).await
    }

    /// Its newest run.
    async fn latest_run(&self) -> Option<&Run> {
        self.1.as_ref()
    }

    /// Its runs, newest first.
    #[graphql(complexity = "cost(first, child_complexity)")]
    async fn runs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size (default 100, at most 1000).")] first: Option<i32>,
        #[graphql(desc = "The cursor of the last item already seen.")] after: Option<String>,
    ) -> async_graphql::Result<List<Run>> {
        let page = window(first, after.as_deref())?;
        let (namespace, name) = (self.0.namespace.clone(), self.0.name.clone());
        let listing = read(ctx, move |app| {
            // Unknown in its own right, a job that is here was named by a
            // parent facet (see `parent`) and has reported no run.
            Ok(read::runs(app.views.store(), &namespace, &name, page)
                .map_err(ApiError::internal)?
                .unwrap_or(Listing {
                    items: Vec::new(),
                    total: 0,
                }))
        })
        .await?;
        Ok(connection(
            page,
            RunBatch::list(app(ctx), listing.items),
            listing.total,
        ))
    }
}

impl Job {
    fn entity_ref(&self) -> EntityRef {
        EntityRef {
            namespace: self.0.namespace.clone(),
            name: self.0.name.clone(),
        }
    }

    /// Its current inputs or outputs from the lineage projection, each read
    /// from the store (a dataset the projection knows is in the store);
    /// those of every job of its list are read together.
    async fn io(&self, inputs: bool) -> async_graphql::Result<Vec<Dataset>> {
        let key = (self.0.namespace.clone(), self.0.name.clone());
        self.2.io(&key, inputs).await
    }
}

/// A run's state, in Marquez's words.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    /// No state reported yet.
    New,
    /// Started, not finished.
    Running,
    /// Finished successfully.
    Completed,
    /// Finished with a failure.
    Failed,
    /// Stopped before finishing.
    Aborted,
}

/// The `eventType` of an OpenLineage run event.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum RunEventType {
    /// The run started.
    Start,
    /// The run is running (a progress update).
    Running,
    /// The run finished successfully.
    Complete,
    /// The run was stopped before finishing.
    Abort,
    /// The run failed.
    Fail,
    /// Extra metadata, no change of state.
    Other,
}

impl From<EventType> for RunEventType {
    fn from(ty: EventType) -> Self {
        match ty {
            EventType::Start => Self::Start,
            EventType::Running => Self::Running,
            EventType::Complete => Self::Complete,
            EventType::Abort => Self::Abort,
            EventType::Fail => Self::Fail,
            EventType::Other => Self::Other,
        }
    }
}

/// One state change reported for a run: an event's type at its event time.
#[derive(SimpleObject)]
pub struct RunTransition {
    /// The event's `eventType`, as sent (not Marquez's state name).
    event_type: RunEventType,
    /// The event's `eventTime`.
    event_time: DateTime,
}

/// A run of a job, accumulated over every event sent for it; with the
/// batch of the list it came in ([`RunBatch`]).
pub struct Run(RunInfo, Arc<RunBatch>);

impl Run {
    /// A run of a list, sharing the list's batch.
    pub(super) fn new(info: RunInfo, batch: Arc<RunBatch>) -> Self {
        Self(info, batch)
    }

    fn datasets<'a>(&'a self, which: &'a [read::RunDataset], scope: FacetScope) -> Vec<RunDataset<'a>> {
        which.iter().map(|ds| RunDataset(ds, scope, &self.1)).collect()
    }
}

/// A run of a job, accumulated over every event sent for it.
#[Object]
impl Run {
    /// Its id (a UUID).
    async fn id(&self) -> async_graphql::ID {
        self.0.id.into()
    }

    /// The namespace of the job it is a run of.
    async fn job_namespace(&self) -> &str {
        &self.0.job.namespace
    }

    /// The name of the job it is a run of.
    async fn job_name(&self) -> &str {
        &self.0.job.name
    }

    /// The job it is a run of.
    async fn job(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Job>> {
        job(ctx, self.0.job.namespace.clone(), self.0.job.name.clone()).await
    }

    /// Every state change reported for it, oldest first by event time
    /// (whatever order the events arrived in); several at one instant come
    /// in lifecycle order, START before COMPLETE. Each event with an
    /// `eventType` counts once, however often it was sent.
    async fn state_history(&self) -> Vec<RunTransition> {
        self.0
            .state_history
            .iter()
            .map(|t| RunTransition {
                event_type: t.event_type.into(),
                event_time: DateTime(t.event_time),
            })
            .collect()
    }

    /// Its state, following event time; a finished run stays finished.
    async fn state(&self) -> RunState {
        match self.0.state {
            None | Some(EventType::Other) => RunState::New,
            Some(EventType::Start | EventType::Running) => RunState::Running,
            Some(EventType::Complete) => RunState::Completed,
            Some(EventType::Fail) => RunState::Failed,
            Some(EventType::Abort) => RunState::Aborted,
        }
    }

    /// The event time of its first event received.
    async fn created_at(&self) -> Option<DateTime> {
        time(self.0.created_at)
    }

    /// The event time of its latest event received.
    async fn updated_at(&self) -> Option<DateTime> {
        time(self.0.updated_at)
    }

    /// When it started.
    async fn started_at(&self) -> Option<DateTime> {
        time(self.0.started_at)
    }

    /// When it reached its terminal state.
    async fn ended_at(&self) -> Option<DateTime> {
        time(self.0.ended_at)
    }

    /// From start to end, in milliseconds, once both are known.
    async fn duration_ms(&self) -> Option<i64> {
        match (self.0.started_at, self.0.ended_at) {
            (Some(start), Some(end)) => Some((end.to_utc() - start.to_utc()).num_milliseconds()),
            _ => None,
        }
    }

    /// The `nominalTime` facet's start.
    async fn nominal_start_time(&self) -> Option<DateTime> {
        time(self.0.nominal_start_time)
    }

    /// The `nominalTime` facet's end.
    async fn nominal_end_time(&self) -> Option<DateTime> {
        time(self.0.nominal_end_time)
    }

    /// The version of the job it ran: a hash of the job, its inputs, outputs
    /// and source location.
    async fn job_version(&self) -> async_graphql::ID {
        self.0.job_version.into()
    }

    /// Its run facets: the standard ones typed, any as JSON.
    async fn facets(&self) -> RunFacets<'_> {
        RunFacets(&self.0.facets)
    }

    /// The datasets it read, as it read them.
    async fn inputs(&self) -> Vec<RunDataset<'_>> {
        self.datasets(&self.0.inputs, FacetScope::Input)
    }

    /// The datasets it wrote, as it wrote them.
    async fn outputs(&self) -> Vec<RunDataset<'_>> {
        self.datasets(&self.0.outputs, FacetScope::Output)
    }
}

/// A dataset as one run read ([`FacetScope::Input`]) or wrote
/// ([`FacetScope::Output`]) it, with the batch of the run's list, which
/// reads the datasets as they are now.
pub struct RunDataset<'a>(&'a read::RunDataset, FacetScope, &'a RunBatch);

/// A dataset as one run read or wrote it.
#[Object]
impl RunDataset<'_> {
    /// The dataset's namespace.
    async fn namespace(&self) -> &str {
        &self.0.namespace
    }

    /// The dataset's name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The version the run read (the latest earlier write) or wrote (its own).
    async fn version(&self) -> async_graphql::ID {
        self.0.version.into()
    }

    /// The run's `inputFacets` or `outputFacets` for it: the standard ones
    /// typed, any as JSON.
    async fn facets(&self) -> RunDatasetFacets<'_> {
        RunDatasetFacets::new(&self.0.facets, self.1)
    }

    /// The dataset as it is now (read together with the other datasets of
    /// its run's list).
    async fn dataset(&self) -> async_graphql::Result<Option<Dataset>> {
        let key = (self.0.namespace.clone(), self.0.name.clone());
        self.2.dataset(&key).await
    }
}
