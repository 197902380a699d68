//! The GraphQL API at `/graphql` (async-graphql): the whole mesh, navigable
//! in one query.
//!
//! `POST /graphql` runs queries and mutations; `GET /graphql` serves
//! GraphiQL; `GET /graphql/sdl` the schema text. Resolvers call the
//! same store readers as the REST API ([`crate::store::read`]) in blocking
//! tasks, so both answer alike. Every list is a Relay connection
//! ([`pagination`]); errors carry the REST `code` in `extensions.code`;
//! queries are refused before they run when they nest too deep or would cost
//! too much. Mutations ([`mutations`]) write through the durable log, as
//! REST and SPARQL writes do, and need the API key when one is configured.
//!
//! Every answer says in `extensions.storeReads` how many reads of the RDF
//! store it took (pattern lookups and SPARQL evaluations; the lineage
//! projection and the search index are in memory and cost none): each
//! request runs over its own counting view of the app, so that a client
//! can see what a query costs. The items of a list load what their fields
//! need together ([`batch`]), so a page costs the same whatever its size.

pub mod batch;
pub mod entities;
pub mod facets;
pub mod mesh;
pub mod mutations;
pub mod pagination;

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextPrepareRequest, NextRequest,
    NextResolve, NextValidation, ResolveInfo,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{
    EmptySubscription, ErrorExtensions, InputValueError, InputValueResult, MergedObject, Request, Scalar,
    ScalarType, ServerError, ServerResult, ValidationResult, Value, Variables,
};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension as AxumExtension, Router};

use self::mutations::{Authorized, Mutation};
use super::rest::lineage::require_api_key;
use super::{ApiError, AppState};
use crate::error::ErrorCode;
use crate::openlineage::Timestamp;
use crate::store::ReadCounter;

/// The deepest nesting of selections a query may have. Deep enough for the
/// standard introspection query (GraphiQL's) and a dataset's nested fields a
/// few levels down; shallow enough that no query walks the graph unbounded.
pub const MAX_DEPTH: usize = 16;

/// The largest cost a query may have: each field costs 1 and a list field
/// costs its page size (`first`) times what it selects, so a page of 100
/// datasets with 20 fields each costs about 2,000.
pub const MAX_COMPLEXITY: usize = 20_000;

/// The root query: every top-level field.
#[derive(MergedObject, Default)]
pub struct Query(entities::EntityQuery, mesh::MeshQuery);

/// The meshgraph GraphQL schema.
pub type MeshSchema = async_graphql::Schema<Query, Mutation, EmptySubscription>;

/// The response extension that counts a request's store reads.
pub const STORE_READS: &str = "storeReads";

/// Builds the schema over a running app, with the depth and complexity
/// limits; each request sees the app through its own read counter
/// ([`RequestScope`]).
pub fn schema(app: AppState) -> MeshSchema {
    async_graphql::Schema::build(Query::default(), Mutation, EmptySubscription)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .extension(RequestScope(app))
        .extension(ErrorCodes)
        .finish()
}

/// The schema in SDL, as `/graphql/sdl` serves it.
pub fn sdl() -> String {
    // The SDL does not depend on the data: an empty schema prints the same.
    async_graphql::Schema::build(Query::default(), Mutation, EmptySubscription)
        .finish()
        .sdl()
}

/// The `/graphql` routes.
pub fn router(app: AppState) -> Router<AppState> {
    let schema = schema(app);
    Router::new()
        .route("/graphql", get(get_graphiql).post(post_graphql))
        .route("/graphql/sdl", get(get_sdl))
        .layer(AxumExtension(Arc::new(schema)))
}

/// `POST /graphql`: a query or mutation (or a batch of them) as JSON
/// `{query, variables, operationName}`. Always 200 when the body is a
/// GraphQL request, errors in `errors` (GraphQL over HTTP, `application/json`).
async fn post_graphql(
    State(app): State<AppState>,
    AxumExtension(schema): AxumExtension<Arc<MeshSchema>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: async_graphql::BatchRequest = serde_json::from_slice(&body).map_err(|err| {
        ApiError::new(
            ErrorCode::MalformedJson,
            format!("the body is not a GraphQL request `{{\"query\": ...}}`: {err}"),
        )
    })?;
    // Not refused here: queries stay open without the key, and only the
    // mutations, which see this, refuse (`unauthorized`), each on its own.
    let authorized = Authorized(require_api_key(&app, &headers).is_ok());
    let response = schema.execute_batch(request.data(authorized)).await;
    let body = serde_json::to_vec(&response).map_err(ApiError::internal)?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// `GET /graphql`: GraphiQL, pointed at `/graphql`, from the UI's files
/// (`web/graphiql.html` and its vendored scripts: no CDN).
async fn get_graphiql(headers: HeaderMap) -> Result<Response, ApiError> {
    super::web::serve("graphiql.html", &headers)
}

/// `GET /graphql/sdl`: the schema in GraphQL SDL.
async fn get_sdl(AxumExtension(schema): AxumExtension<Arc<MeshSchema>>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        schema.sdl(),
    )
        .into_response()
}

/// A GraphQL error with the REST error's message and its `code` in
/// `extensions.code`.
pub fn gql_error(err: ApiError) -> async_graphql::Error {
    let code = err.0.code;
    async_graphql::Error::new(err.0.message).extend_with(|_, ext| ext.set("code", code.as_str()))
}

/// An `invalid_parameter` GraphQL error.
pub fn invalid_parameter(message: impl Into<String>) -> async_graphql::Error {
    gql_error(ApiError::bad_parameter(message))
}

/// Gives each request the app (its [`AppState`] data) through a view that
/// counts its store reads ([`App::counting`](crate::app::App::counting)),
/// and answers the count in the response's `extensions.storeReads`.
/// async-graphql makes a new extension for each request (each of a batch
/// too), so counts never mix.
struct RequestScope(AppState);

impl ExtensionFactory for RequestScope {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Counted {
            app: self.0.clone(),
            reads: ReadCounter::default(),
        })
    }
}

/// One request's view of the app and its read counter.
struct Counted {
    app: AppState,
    reads: ReadCounter,
}

#[async_graphql::async_trait::async_trait]
impl Extension for Counted {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> async_graphql::Response {
        let response = next.run(ctx).await;
        response.extension(STORE_READS, Value::from(self.reads.get()))
    }

    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let app: AppState = Arc::new(self.app.counting(&self.reads));
        next.run(ctx, request.data(app)).await
    }
}

/// Gives the errors async-graphql raises itself a code from the shared
/// table, and the limit errors a message that names the limit:
/// `malformed_query` for a query that does not parse or fit the schema,
/// `query_too_complex` for one over [`MAX_DEPTH`] or [`MAX_COMPLEXITY`], and
/// `invalid_parameter` for an argument value that does not parse (a bad
/// `DateTime`), which async-graphql finds only while resolving the field.
struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodes)
    }
}

/// The messages of async-graphql's limit checks (`validation/mod.rs`);
/// a test pins them.
const TOO_DEEP: &str = "Query is nested too deep.";
const TOO_COMPLEX: &str = "Query is too complex.";

fn with_code(mut err: ServerError, code: ErrorCode) -> ServerError {
    let ext = err.extensions.get_or_insert_with(Default::default);
    if ext.get("code").is_none() {
        ext.set("code", code.as_str());
    }
    err
}

#[async_graphql::async_trait::async_trait]
impl Extension for ErrorCodes {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables)
            .await
            .map_err(|err| with_code(err, ErrorCode::MalformedQuery))
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        // Resolvers' own errors already carry a code; what is left is an
        // argument that failed to parse.
        next.run(ctx, info)
            .await
            .map_err(|err| with_code(err, ErrorCode::InvalidParameter))
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|mut err| {
                    let code = if err.message == TOO_DEEP {
                        err.message = format!(
                            "the query nests selections deeper than the limit of {MAX_DEPTH} levels; split it or select less"
                        );
                        ErrorCode::QueryTooComplex
                    } else if err.message == TOO_COMPLEX {
                        err.message = format!(
                            "the query would cost more than the limit of {MAX_COMPLEXITY} (each field costs 1, a list costs `first` times what it selects); ask for smaller pages or fewer fields"
                        );
                        ErrorCode::QueryTooComplex
                    } else {
                        ErrorCode::MalformedQuery
                    };
                    with_code(err, code)
                })
                .collect()
        })
    }
}

/// An ISO 8601 date-time, answered in UTC as REST does
/// (`2024-01-31T12:00:00.123Z`); any offset is accepted as input.
#[derive(Debug, Clone, Copy)]
pub struct DateTime(pub Timestamp);

#[Scalar(name = "DateTime")]
/// An ISO 8601 date-time such as `2024-01-31T12:00:00.123Z`; answers are in UTC.
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => Timestamp::parse(text).map(DateTime).ok_or_else(|| {
                InputValueError::custom(format!(
                    "expected an ISO 8601 date-time such as 2024-01-31T12:00:00Z, got {text:?}"
                ))
            }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339_utc())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_messages_are_async_graphqls() {
        // If async-graphql rewords its limit errors, the codes and messages
        // above silently stop applying: this catches it.
        let schema = async_graphql::Schema::build(Query::default(), Mutation, EmptySubscription)
            .limit_depth(1)
            .finish();
        let response = futures_executor_block_on(schema.execute("{ namespaces { totalCount } }"));
        assert_eq!(response.errors[0].message, TOO_DEEP);
        let schema = async_graphql::Schema::build(Query::default(), Mutation, EmptySubscription)
            .limit_complexity(1)
            .finish();
        let response = futures_executor_block_on(schema.execute("{ namespaces { totalCount } }"));
        assert_eq!(response.errors[0].message, TOO_COMPLEX);
    }

    fn futures_executor_block_on<F: std::future::Future>(fut: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(fut)
    }
}
