//! The GraphQL mutations: writes to the mesh, through the same durable log
//! and the same checks as the REST and SPARQL doors.
//!
//! | mutation | what it writes | same path as |
//! | --- | --- | --- |
//! | `ingestEvent` | one OpenLineage event | `POST /api/v1/lineage` |
//! | `setDatasetOwner` | a DatasetEvent with an `ownership` facet | `POST /api/v1/lineage` |
//! | `tieConcept`, `untieConcept` | `INSERT DATA` / `DELETE DATA` of one `mg:concept` statement | `POST /sparql` (update) |
//!
//! Each resolves once the write is durable and visible, so a query sent after
//! it sees it. With `--api-key` set, every mutation needs
//! `Authorization: Bearer <key>` on the `POST /graphql` request (the handler
//! puts [`Authorized`] into each request's data); queries stay open, as REST
//! reads do.

use async_graphql::{Context, Json, Object, SimpleObject};
use oxigraph::model::NamedNode;
use serde_json::json;
use spargebra::GraphUpdateOperation;
use spargebra::term::{GroundQuad, GroundTerm, Quad};

use super::{gql_error, invalid_parameter};
use crate::api::rest::lineage::{unauthorized, write_events};
use crate::api::sparql::write_update;
use crate::api::{ApiError, AppState};
use crate::error::ErrorCode;
use crate::log::Appended;
use crate::openlineage::Timestamp;
use crate::openlineage::parse::is_array;
use crate::store::iri;
use crate::store::vocab::mg;

/// The `producer` of the events meshgraph writes for `setDatasetOwner`.
pub const PRODUCER: &str = "https://meshgraph.dev/graphql";

/// The spec version of those events: the one meshgraph's fixtures and
/// generator use.
const DATASET_EVENT_SCHEMA: &str = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent";
const OWNERSHIP_FACET_SCHEMA: &str =
    "https://openlineage.io/spec/facets/1-0-1/OwnershipDatasetFacet.json#/$defs/OwnershipDatasetFacet";

/// Whether a GraphQL request may write: `true` when no `--api-key` is
/// configured or the request sent it. `POST /graphql` puts one into every
/// request of a batch, from the HTTP headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Authorized(pub bool);

/// The app, if the request may write; `unauthorized` otherwise.
fn writable(ctx: &Context<'_>) -> async_graphql::Result<AppState> {
    let app = ctx.data::<AppState>()?.clone();
    // A request run outside `POST /graphql` carries no `Authorized`: it may
    // write only when no key is configured.
    let given = ctx.data_opt::<Authorized>().is_some_and(|a| a.0);
    if given || app.config.api_key.is_none() {
        Ok(app)
    } else {
        Err(gql_error(unauthorized()))
    }
}

/// What the log did with a written event.
#[derive(Debug, Clone, SimpleObject)]
pub struct IngestResult {
    /// The event is durable and visible to queries sent from now on.
    pub accepted: bool,
    /// The same bytes were already logged: nothing changed (re-sending an
    /// event is harmless).
    pub duplicate: bool,
}

impl IngestResult {
    fn new(appended: &[Appended]) -> Self {
        Self {
            accepted: true,
            duplicate: matches!(appended, [Appended::Duplicate(_)]),
        }
    }
}

/// One `mg:concept` statement that `tieConcept` or `untieConcept` wrote.
#[derive(Debug, Clone, SimpleObject)]
pub struct ConceptTie {
    /// The concept's IRI.
    pub concept: String,
    /// The dataset's namespace.
    pub namespace: String,
    /// The dataset's name.
    pub name: String,
    /// The column's path (nested names joined by `.`); `null` for the dataset itself.
    pub field: Option<String>,
    /// The statement's subject: the meshgraph IRI of the dataset or column.
    pub subject: String,
    /// The named graph that holds the statement.
    pub graph: String,
}

impl ConceptTie {
    /// Checks the arguments: the concept an absolute IRI, names not empty.
    fn new(
        concept: String,
        namespace: String,
        name: String,
        field: Option<String>,
    ) -> async_graphql::Result<Self> {
        NamedNode::new(concept.as_str()).map_err(|err| {
            invalid_parameter(format!(
                "`concept` must be an absolute IRI such as https://example.com/ontology#Customer, got {concept:?}: {err}"
            ))
        })?;
        not_empty("namespace", &namespace)?;
        not_empty("name", &name)?;
        if let Some(field) = &field {
            not_empty("field", field)?;
        }
        let subject = match &field {
            None => iri::dataset(&namespace, &name),
            Some(field) => iri::field(&namespace, &name, field),
        };
        Ok(Self {
            concept,
            namespace,
            name,
            field,
            subject: subject.into_string(),
            graph: iri::annotations_graph().into_string(),
        })
    }

    /// The SPARQL update that states (`insert`) or retracts the statement,
    /// built from RDF terms: the arguments are never pasted into SPARQL
    /// text, so no name or IRI can change what the update does. It is logged
    /// as text, like any update, so replay runs exactly this.
    fn update(&self, insert: bool) -> String {
        // Checked in `new`; the IRIs of `iri` are always valid.
        let subject = NamedNode::new_unchecked(self.subject.as_str());
        let concept = NamedNode::new_unchecked(self.concept.as_str());
        let graph = NamedNode::new_unchecked(self.graph.as_str());
        let operation = if insert {
            GraphUpdateOperation::InsertData {
                data: vec![Quad {
                    subject: subject.into(),
                    predicate: mg::CONCEPT.into_owned(),
                    object: concept.into(),
                    graph_name: graph.into(),
                }],
            }
        } else {
            GraphUpdateOperation::DeleteData {
                data: vec![GroundQuad {
                    subject,
                    predicate: mg::CONCEPT.into_owned(),
                    object: GroundTerm::NamedNode(concept),
                    graph_name: graph.into(),
                }],
            }
        };
        spargebra::Update {
            base_iri: None,
            operations: vec![operation],
        }
        .to_string()
    }
}

fn not_empty(argument: &str, value: &str) -> async_graphql::Result<()> {
    if value.is_empty() {
        Err(invalid_parameter(format!("`{argument}` must not be empty")))
    } else {
        Ok(())
    }
}

/// Writes a tie's update through the log.
async fn write_tie(app: &AppState, tie: &ConceptTie, insert: bool) -> async_graphql::Result<()> {
    write_update(app, tie.update(insert), Vec::new(), Vec::new())
        .await
        .map_err(gql_error)
}

/// The root mutation: every write.
#[derive(Default)]
pub struct Mutation;

/// Writes to the mesh, through the durable log: each answers once the write
/// is durable and visible. With an API key configured, each needs
/// `Authorization: Bearer <key>` (else `unauthorized`); queries do not.
#[Object]
impl Mutation {
    /// Ingests one OpenLineage event (RunEvent, JobEvent or DatasetEvent),
    /// validated and written exactly as `POST /api/v1/lineage` does, and
    /// answers once it is durable. `event` is the event as a JSON object, or
    /// its JSON text as a string: the text is logged byte for byte (an
    /// object is logged as meshgraph serializes it). Errors:
    /// `malformed_json` (text that is not JSON), `invalid_event` (not a
    /// valid event, or an array: send arrays to `POST /api/v1/lineage`),
    /// `unauthorized`.
    async fn ingest_event(
        &self,
        ctx: &Context<'_>,
        event: Json<serde_json::Value>,
    ) -> async_graphql::Result<IngestResult> {
        let app = writable(ctx)?;
        let text = match event.0 {
            serde_json::Value::String(text) => text,
            value => value.to_string(),
        };
        if is_array(text.as_bytes()) {
            return Err(gql_error(ApiError::new(
                ErrorCode::InvalidEvent,
                "`ingestEvent` takes one event, not an array: send arrays to POST /api/v1/lineage",
            )));
        }
        let appended = write_events(&app, text.into_bytes()).await.map_err(gql_error)?;
        Ok(IngestResult::new(&appended))
    }

    /// States that a dataset (or, with `field`, one of its columns) holds
    /// data about `concept`: writes `<dataset or column> mg:concept
    /// <concept>` into the annotations graph
    /// (`https://meshgraph.dev/id/graph/annotations`), through the log, as a
    /// SPARQL update would. The catalog then lists the concept on the dataset
    /// (`/api/v1/namespaces/{ns}/datasets/{name}/concepts`) and the dataset
    /// or column under the concept (`concept(iri)`). The dataset need not have been
    /// reported yet; tying twice changes nothing. Errors: `invalid_parameter`
    /// (`concept` not an absolute IRI, an empty name), `unauthorized`.
    async fn tie_concept(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The concept's absolute IRI (an `owl:Class` or a `skos:Concept`).")] concept: String,
        #[graphql(desc = "The dataset's namespace.")] namespace: String,
        #[graphql(desc = "The dataset's name.")] name: String,
        #[graphql(desc = "A column's path (nested names joined by `.`); omit for the dataset.")]
        field: Option<String>,
    ) -> async_graphql::Result<ConceptTie> {
        let app = writable(ctx)?;
        let tie = ConceptTie::new(concept, namespace, name, field)?;
        write_tie(&app, &tie, true).await?;
        Ok(tie)
    }

    /// Retracts what `tieConcept` stated: removes `<dataset or column>
    /// mg:concept <concept>` from the annotations graph. A statement loaded
    /// in another graph (an RDF document, a SPARQL update) and a `tags`
    /// facet entry naming the concept stay: remove them where they came
    /// from. Untying what is not tied changes nothing. Errors as `tieConcept`.
    async fn untie_concept(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The concept's absolute IRI.")] concept: String,
        #[graphql(desc = "The dataset's namespace.")] namespace: String,
        #[graphql(desc = "The dataset's name.")] name: String,
        #[graphql(desc = "A column's path (nested names joined by `.`); omit for the dataset.")]
        field: Option<String>,
    ) -> async_graphql::Result<ConceptTie> {
        let app = writable(ctx)?;
        let tie = ConceptTie::new(concept, namespace, name, field)?;
        write_tie(&app, &tie, false).await?;
        Ok(tie)
    }

    /// Sets a dataset's owner: writes an OpenLineage DatasetEvent (producer
    /// `https://meshgraph.dev/graphql`, `eventTime` now) whose `ownership`
    /// facet names `owner` (with `type`, e.g. `MAINTAINER`, if given),
    /// through the same path as `ingestEvent`. Like any ownership facet it
    /// **replaces** the dataset's ownership facet: `owner` becomes its only
    /// owner, in the store, the dataset's `owners` and impact's owner groups.
    /// The dataset is created if pipelines never reported it. Errors:
    /// `invalid_parameter` (an empty name or owner), `unauthorized`.
    async fn set_dataset_owner(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The dataset's namespace.")] namespace: String,
        #[graphql(desc = "The dataset's name.")] name: String,
        #[graphql(desc = "The owner's name, e.g. `team:sales-data`.")] owner: String,
        #[graphql(name = "type", desc = "The kind of ownership, e.g. `MAINTAINER`.")] owner_type: Option<
            String,
        >,
    ) -> async_graphql::Result<IngestResult> {
        let app = writable(ctx)?;
        not_empty("namespace", &namespace)?;
        not_empty("name", &name)?;
        not_empty("owner", &owner)?;
        let mut entry = json!({ "name": owner });
        if let Some(kind) = owner_type {
            entry["type"] = kind.into();
        }
        let event = json!({
            "eventTime": Timestamp::from(chrono::Utc::now()).to_rfc3339_utc(),
            "producer": PRODUCER,
            "schemaURL": DATASET_EVENT_SCHEMA,
            "dataset": {
                "namespace": namespace,
                "name": name,
                "facets": {
                    "ownership": {
                        "_producer": PRODUCER,
                        "_schemaURL": OWNERSHIP_FACET_SCHEMA,
                        "owners": [entry],
                    },
                },
            },
        });
        let appended = write_events(&app, event.to_string().into_bytes())
            .await
            .map_err(gql_error)?;
        Ok(IngestResult::new(&appended))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tie_update_is_built_from_terms_and_parses_back() {
        // Quotes, `>` and braces in names stay inside their IRI segments.
        let tie = ConceptTie::new(
            "https://example.com/o#Customer".into(),
            "ns".into(),
            "a> } DROP ALL; {".into(),
            Some("x\"y".into()),
        )
        .unwrap();
        for insert in [true, false] {
            let text = tie.update(insert);
            let parsed = spargebra::SparqlParser::new().parse_update(&text).unwrap();
            assert_eq!(parsed.operations.len(), 1, "{text}");
            assert!(text.contains(&format!("<{}>", tie.subject)), "{text}");
        }
        assert!(tie.update(true).starts_with("INSERT DATA"));
        assert!(tie.update(false).starts_with("DELETE DATA"));
    }

    #[test]
    fn a_concept_must_be_an_absolute_iri() {
        for bad in ["Customer", "", "<https://example.com/x>", "http://exa mple.com/x"] {
            assert!(
                ConceptTie::new(bad.into(), "ns".into(), "ds".into(), None).is_err(),
                "{bad:?}"
            );
        }
    }
}
