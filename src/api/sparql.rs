//! `/sparql`: the [SPARQL 1.1 Protocol] over the RDF store.
//!
//! Queries come as `GET ?query=`, as a `POST` of `application/sparql-query`
//! or as a `POST` of an `application/x-www-form-urlencoded` form; updates as
//! a `POST` of `application/sparql-update` or a form with `update=`. Status
//! codes follow oxigraph's server: 400 when the query does not parse (with
//! the parser's line and column), 406 when no format the `Accept` header
//! allows can express the answer ([`super::negotiate`]), 415 for a body of
//! another type, 403 for a `SERVICE` outside the allow-list, and 503 when a
//! query outlives `query_timeout`.
//!
//! meshgraph keeps everything in named graphs (a run's observations in the
//! run's graph, each facet in its own), so a query without a dataset of its
//! own (no `FROM`, no `default-graph-uri`) sees the union of all graphs as
//! its default graph.
//!
//! oxigraph is synchronous and its results are not `Send`: parsing,
//! evaluation and serialization run together in one blocking task and the
//! answer is serialized into a buffer before it is sent, so that a timeout
//! or an evaluation error still becomes a proper status code. A timer
//! cancels the task's [`CancellationToken`] when the timeout elapses.
//!
//! [SPARQL 1.1 Protocol]: https://www.w3.org/TR/sparql11-protocol/

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphName, NamedNode, NamedOrBlankNode};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{
    CancellationToken, PreparedSparqlUpdate, QueryEvaluationError, QueryResults, SparqlEvaluator,
};
use spargebra::algebra::{AggregateExpression, Expression, GraphPattern, OrderExpression};
use spargebra::term::NamedNodePattern;
use spargebra::{GraphUpdateOperation, SparqlParser, SparqlSyntaxError};

use super::negotiate::{self, negotiate};
use super::{ApiError, AppState};
use crate::config::Config;
use crate::error::ErrorCode;

/// `GET /sparql?query=...`: a query in the URL.
pub async fn get_sparql(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(url): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::read(&[url.as_deref().unwrap_or_default().as_bytes()])?;
    if params.update.is_some() {
        return Err(ApiError::bad_parameter(
            "a SPARQL update must be POSTed (application/sparql-update or a form with `update`)",
        ));
    }
    let query = params.query.clone().ok_or_else(missing_query)?;
    run_query(app, headers, query, params).await
}

/// `POST /sparql`: a query or an update, directly in the body or in a form.
pub async fn post_sparql(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(url): RawQuery,
    body: Body,
) -> Result<Response, ApiError> {
    let url = url.unwrap_or_default();
    let essence = content_type(&headers);
    match essence.as_deref() {
        Some("application/sparql-query") => {
            let params = Params::read(&[url.as_bytes()])?;
            if params.query.is_some() {
                return Err(ApiError::bad_parameter(
                    "the query is in the body: do not repeat it as a `query` parameter",
                ));
            }
            let text = read_text(body, &app.config).await?;
            run_query(app, headers, text, params).await
        }
        Some("application/sparql-update") => {
            let params = Params::read(&[url.as_bytes()])?;
            if params.update.is_some() {
                return Err(ApiError::bad_parameter(
                    "the update is in the body: do not repeat it as an `update` parameter",
                ));
            }
            let text = read_text(body, &app.config).await?;
            let request = UpdateRequest::parse(&app.config, text, params).await?;
            post_update(app, request).await
        }
        Some("application/x-www-form-urlencoded") => {
            let form = read_body(body, &app.config).await?;
            let mut params = Params::read(&[url.as_bytes(), &form])?;
            match (params.query.take(), params.update.take()) {
                (Some(query), None) => run_query(app, headers, query, params).await,
                (None, Some(update)) => {
                    let request = UpdateRequest::parse(&app.config, update, params).await?;
                    post_update(app, request).await
                }
                (Some(_), Some(_)) => Err(ApiError::bad_parameter(
                    "a request carries a `query` or an `update`, not both",
                )),
                (None, None) => Err(ApiError::bad_parameter(
                    "the form has neither a `query` nor an `update` parameter",
                )),
            }
        }
        Some(other) => Err(unsupported_media_type(Some(other))),
        None => Err(unsupported_media_type(None)),
    }
}

/// Runs a SPARQL update. Not enabled yet: every write must go through the
/// durable log first, and the writer does not take updates yet.
pub async fn post_update(app: AppState, request: UpdateRequest) -> Result<Response, ApiError> {
    let _ = (app, request);
    Err(ApiError::new(
        ErrorCode::MethodNotAllowed,
        "SPARQL Update is not enabled yet",
    ))
}

/// A SPARQL update request, fully read and checked: it parses, its dataset
/// parameters are IRIs that do not clash with the update's own `USING`, it
/// has no `LOAD` and calls no `SERVICE` outside the allow-list.
#[derive(Debug, Clone)]
pub struct UpdateRequest {
    /// The update as the client sent it (the body of an
    /// `application/sparql-update` POST, or the decoded `update` form field):
    /// what the durable log should keep, byte for byte.
    pub text: String,
    /// `text` parsed (without a base IRI: a relative IRI is a syntax error
    /// unless the update declares `BASE`).
    pub update: spargebra::Update,
    /// The `using-graph-uri` parameters, in order: the graphs whose merge is
    /// the default graph of every `WHERE` clause ([protocol §2.2.3]). When
    /// this and `using_named_graph_uris` are both empty, a `WHERE` without
    /// `USING` matches the union of all graphs, as queries do (see
    /// [`UpdateRequest::prepare`]).
    ///
    /// [protocol §2.2.3]: https://www.w3.org/TR/sparql11-protocol/#update-dataset
    pub using_graph_uris: Vec<NamedNode>,
    /// The `using-named-graph-uri` parameters, in order: the named graphs a
    /// `WHERE` clause may match with `GRAPH`.
    pub using_named_graph_uris: Vec<NamedNode>,
}

impl UpdateRequest {
    /// Parses and checks an update and its protocol parameters, in a
    /// blocking task (an `INSERT DATA` can be megabytes).
    async fn parse(config: &Config, text: String, params: Params) -> Result<Self, ApiError> {
        let allowed = config.federation_allow.clone();
        super::rest::blocking(move || {
            let update = SparqlParser::new().parse_update(&text).map_err(syntax_error)?;
            let protocol_dataset =
                !params.using_graph_uris.is_empty() || !params.using_named_graph_uris.is_empty();
            for operation in &update.operations {
                match operation {
                    GraphUpdateOperation::DeleteInsert { using, pattern, .. } => {
                        // Protocol §2.2.3: a request may not give both.
                        if protocol_dataset && using.is_some() {
                            return Err(ApiError::bad_parameter(
                                "using-graph-uri and using-named-graph-uri cannot be combined with an update that has USING or USING NAMED",
                            ));
                        }
                        check_services(pattern, &allowed)?;
                    }
                    GraphUpdateOperation::Load { source, .. } => {
                        return Err(ApiError::new(
                            ErrorCode::Forbidden,
                            format!("LOAD {source} is refused: meshgraph does not fetch documents from the web"),
                        ));
                    }
                    _ => {}
                }
            }
            Ok(Self {
                text,
                update,
                using_graph_uris: params.using_graph_uris,
                using_named_graph_uris: params.using_named_graph_uris,
            })
        })
        .await
    }

    /// The update, ready to run on a store or transaction: the protocol's
    /// dataset (or the union of all graphs) as the dataset of each `WHERE`
    /// without `USING`, and SERVICE calls configured as for queries.
    pub fn prepare(&self, config: &Config) -> PreparedSparqlUpdate {
        let mut prepared = evaluator(config).for_update(self.update.clone());
        let protocol_dataset = !self.using_graph_uris.is_empty() || !self.using_named_graph_uris.is_empty();
        for dataset in prepared.using_datasets_mut() {
            if !dataset.is_default_dataset() {
                continue;
            }
            if protocol_dataset {
                dataset.set_default_graph(
                    self.using_graph_uris
                        .iter()
                        .cloned()
                        .map(GraphName::from)
                        .collect(),
                );
                dataset.set_available_named_graphs(
                    self.using_named_graph_uris
                        .iter()
                        .cloned()
                        .map(NamedOrBlankNode::from)
                        .collect(),
                );
            } else {
                dataset.set_default_graph_as_union();
            }
        }
        prepared
    }
}

/// An evaluator configured from the settings: `SERVICE` calls time out with
/// the query, follow no redirect (a redirect could lead outside the
/// allow-list), and without an allow-list there is no HTTP client at all.
pub fn evaluator(config: &Config) -> SparqlEvaluator {
    let evaluator = SparqlEvaluator::new()
        .with_http_timeout(config.query_timeout)
        .with_http_redirection_limit(0);
    if config.federation_allow.is_empty() {
        evaluator.without_default_http_service_handler()
    } else {
        evaluator
    }
}

/// The protocol parameters of a request, from its URL and its form body.
#[derive(Debug, Default)]
struct Params {
    query: Option<String>,
    update: Option<String>,
    default_graph_uris: Vec<NamedNode>,
    named_graph_uris: Vec<NamedNode>,
    using_graph_uris: Vec<NamedNode>,
    using_named_graph_uris: Vec<NamedNode>,
}

impl Params {
    /// Reads `application/x-www-form-urlencoded` sources (the URL's query
    /// string, a form body); other parameters are ignored, as oxigraph does.
    fn read(sources: &[&[u8]]) -> Result<Self, ApiError> {
        let mut params = Self::default();
        for source in sources {
            for (name, value) in form_urlencoded::parse(source) {
                match name.as_ref() {
                    "query" => set_once(&mut params.query, "query", value.into_owned())?,
                    "update" => set_once(&mut params.update, "update", value.into_owned())?,
                    "default-graph-uri" => params.default_graph_uris.push(graph_iri(&name, &value)?),
                    "named-graph-uri" => params.named_graph_uris.push(graph_iri(&name, &value)?),
                    "using-graph-uri" => params.using_graph_uris.push(graph_iri(&name, &value)?),
                    "using-named-graph-uri" => params.using_named_graph_uris.push(graph_iri(&name, &value)?),
                    _ => {}
                }
            }
        }
        Ok(params)
    }
}

fn set_once(slot: &mut Option<String>, name: &str, value: String) -> Result<(), ApiError> {
    if slot.is_some() {
        return Err(ApiError::bad_parameter(format!(
            "more than one `{name}` parameter"
        )));
    }
    *slot = Some(value);
    Ok(())
}

/// A graph IRI given as a protocol parameter.
fn graph_iri(name: &str, value: &str) -> Result<NamedNode, ApiError> {
    NamedNode::new(value)
        .map_err(|e| ApiError::bad_parameter(format!("`{name}` must be an absolute IRI, got {value:?}: {e}")))
}

fn missing_query() -> ApiError {
    ApiError::bad_parameter("missing the `query` parameter (for example /sparql?query=ASK%20%7B%7D)")
}

/// The request's media type without parameters, lower case.
fn content_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().unwrap_or("?");
    Some(
        value
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase(),
    )
}

fn unsupported_media_type(given: Option<&str>) -> ApiError {
    let expected =
        "send application/sparql-query, application/sparql-update or application/x-www-form-urlencoded";
    ApiError::new(
        ErrorCode::UnsupportedMediaType,
        match given {
            Some(given) => format!("unsupported Content-Type {given:?}; {expected}"),
            None => format!("no Content-Type; {expected}"),
        },
    )
}

/// The body, up to the configured size (413 beyond).
async fn read_body(body: Body, config: &Config) -> Result<Bytes, ApiError> {
    let limit = config.max_body_bytes;
    axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("request body exceeds the limit of {limit} bytes"),
        )
    })
}

/// The body as UTF-8 text (a query or an update).
async fn read_text(body: Body, config: &Config) -> Result<String, ApiError> {
    let bytes = read_body(body, config).await?;
    String::from_utf8(bytes.into()).map_err(|e| {
        ApiError::new(
            ErrorCode::MalformedQuery,
            format!("the body is not UTF-8 text: {e}"),
        )
    })
}

fn syntax_error(err: SparqlSyntaxError) -> ApiError {
    ApiError::new(
        ErrorCode::MalformedQuery,
        format!("the SPARQL does not parse: {err}"),
    )
}

/// Evaluates a query in a blocking task, cancelled when the timeout elapses.
async fn run_query(
    app: AppState,
    headers: HeaderMap,
    query: String,
    params: Params,
) -> Result<Response, ApiError> {
    let timeout = app.config.query_timeout;
    let token = CancellationToken::new();
    let evaluator = evaluator(&app.config).with_cancellation_token(token.clone());
    let allowed = app.config.federation_allow.clone();
    let store = app.views.store().oxigraph().clone();
    let span = tracing::Span::current();
    let mut task = tokio::task::spawn_blocking(move || {
        span.in_scope(|| {
            let job = QueryJob {
                store: &store,
                query: &query,
                params: &params,
                headers: &headers,
                allowed: &allowed,
                timeout,
            };
            job.run(evaluator)
        })
    });
    let joined = match tokio::time::timeout(timeout, &mut task).await {
        Ok(joined) => joined,
        Err(_) => {
            // Evaluation and serialization check the token as they go, so the
            // task stops soon; wait for it rather than leave it spinning.
            token.cancel();
            task.await
        }
    };
    let (media_type, bytes) = joined.map_err(ApiError::internal)??;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(media_type)),
            (header::VARY, HeaderValue::from_static("accept")),
        ],
        bytes,
    )
        .into_response())
}

/// Everything a query needs in its blocking task.
struct QueryJob<'a> {
    store: &'a oxigraph::store::Store,
    query: &'a str,
    params: &'a Params,
    headers: &'a HeaderMap,
    allowed: &'a [NamedNode],
    timeout: Duration,
}

/// The answer's media type and bytes.
type Answer = (&'static str, Vec<u8>);

/// The serialization an answer will be written in.
enum Output {
    Solutions(QueryResultsFormat),
    Graph(RdfFormat),
}

impl QueryJob<'_> {
    /// Parses, checks, evaluates and serializes.
    fn run(&self, evaluator: SparqlEvaluator) -> Result<Answer, ApiError> {
        let query = SparqlParser::new()
            .parse_query(self.query)
            .map_err(syntax_error)?;
        let (pattern, graph_answer) = match &query {
            spargebra::Query::Select { pattern, .. } | spargebra::Query::Ask { pattern, .. } => {
                (pattern, false)
            }
            spargebra::Query::Construct { pattern, .. } | spargebra::Query::Describe { pattern, .. } => {
                (pattern, true)
            }
        };
        check_services(pattern, self.allowed)?;
        // Negotiate before evaluating: a 406 should not cost a query.
        let output = if graph_answer {
            Output::Graph(negotiate(self.headers, negotiate::GRAPH)?)
        } else {
            Output::Solutions(negotiate(self.headers, negotiate::SOLUTIONS)?)
        };
        let mut prepared = evaluator.for_query(query);
        let params = self.params;
        if !params.default_graph_uris.is_empty() || !params.named_graph_uris.is_empty() {
            // Protocol §2.1.4: the protocol's dataset overrides the query's.
            let dataset = prepared.dataset_mut();
            dataset.set_default_graph(
                params
                    .default_graph_uris
                    .iter()
                    .cloned()
                    .map(GraphName::from)
                    .collect(),
            );
            dataset.set_available_named_graphs(
                params
                    .named_graph_uris
                    .iter()
                    .cloned()
                    .map(NamedOrBlankNode::from)
                    .collect(),
            );
        } else if prepared.dataset().is_default_dataset() {
            prepared.dataset_mut().set_default_graph_as_union();
        }
        let results = prepared
            .on_store(self.store)
            .execute()
            .map_err(|e| self.evaluation_error(e))?;
        let mut buffer = Vec::new();
        match (results, output) {
            (QueryResults::Solutions(solutions), Output::Solutions(format)) => {
                let mut serializer = QueryResultsSerializer::from_format(format)
                    .serialize_solutions_to_writer(&mut buffer, solutions.variables().to_vec())
                    .map_err(ApiError::internal)?;
                for solution in solutions {
                    let solution = solution.map_err(|e| self.evaluation_error(e))?;
                    serializer.serialize(&solution).map_err(ApiError::internal)?;
                }
                serializer.finish().map_err(ApiError::internal)?;
                Ok((format.media_type(), buffer))
            }
            (QueryResults::Boolean(answer), Output::Solutions(format)) => {
                QueryResultsSerializer::from_format(format)
                    .serialize_boolean_to_writer(&mut buffer, answer)
                    .map_err(ApiError::internal)?;
                Ok((format.media_type(), buffer))
            }
            (QueryResults::Graph(triples), Output::Graph(format)) => {
                let mut serializer = RdfSerializer::from_format(format).for_writer(&mut buffer);
                for triple in triples {
                    let triple = triple.map_err(|e| self.evaluation_error(e))?;
                    serializer
                        .serialize_triple(&triple)
                        .map_err(|e| unwritable(format, e))?;
                }
                serializer.finish().map_err(|e| unwritable(format, e))?;
                Ok((format.media_type(), buffer))
            }
            _ => Err(ApiError::internal("the query form and its results disagree")),
        }
    }

    /// A failed evaluation: cancelled by the timer, refused by the query's
    /// own shape, or a failure of ours or of a remote endpoint.
    fn evaluation_error(&self, err: QueryEvaluationError) -> ApiError {
        match err {
            QueryEvaluationError::Cancelled => ApiError::new(
                ErrorCode::QueryTimeout,
                format!(
                    "the query ran longer than the query timeout of {} and was cancelled",
                    seconds(self.timeout)
                ),
            ),
            QueryEvaluationError::UnsupportedCustomFunction(_)
            | QueryEvaluationError::UnsupportedCustomFunctionArity { .. }
            | QueryEvaluationError::NotExistingSubstitutedVariable(_) => {
                ApiError::new(ErrorCode::MalformedQuery, err.to_string())
            }
            other => ApiError::internal(other),
        }
    }
}

/// `30 s`, `0.25 s`.
fn seconds(duration: Duration) -> String {
    format!("{} s", duration.as_secs_f64())
}

/// A triple the chosen format cannot write (RDF/XML needs predicates that
/// end in an XML name): the answer is not acceptable in that format.
fn unwritable(format: RdfFormat, err: std::io::Error) -> ApiError {
    match err.kind() {
        std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData => ApiError::new(
            ErrorCode::NotAcceptable,
            format!(
                "the answer cannot be written as {}: {err}; ask for another format",
                format.media_type()
            ),
        ),
        _ => ApiError::internal(err),
    }
}

/// Refuses any `SERVICE` whose endpoint is not in `allowed` (or is a
/// variable, which could name any endpoint), anywhere in the pattern:
/// subqueries, `OPTIONAL`, `MINUS`, `EXISTS` in filters and expressions.
fn check_services(pattern: &GraphPattern, allowed: &[NamedNode]) -> Result<(), ApiError> {
    match pattern {
        GraphPattern::Bgp { .. } | GraphPattern::Path { .. } | GraphPattern::Values { .. } => Ok(()),
        GraphPattern::Join { left, right }
        | GraphPattern::Lateral { left, right }
        | GraphPattern::Union { left, right }
        | GraphPattern::Minus { left, right } => {
            check_services(left, allowed)?;
            check_services(right, allowed)
        }
        GraphPattern::LeftJoin {
            left,
            right,
            expression,
        } => {
            check_services(left, allowed)?;
            check_services(right, allowed)?;
            expression.iter().try_for_each(|e| check_expression(e, allowed))
        }
        GraphPattern::Filter { expr, inner } => {
            check_expression(expr, allowed)?;
            check_services(inner, allowed)
        }
        GraphPattern::Extend {
            inner, expression, ..
        } => {
            check_expression(expression, allowed)?;
            check_services(inner, allowed)
        }
        GraphPattern::OrderBy { inner, expression } => {
            for order in expression {
                let (OrderExpression::Asc(e) | OrderExpression::Desc(e)) = order;
                check_expression(e, allowed)?;
            }
            check_services(inner, allowed)
        }
        GraphPattern::Group {
            inner, aggregates, ..
        } => {
            for (_, aggregate) in aggregates {
                if let AggregateExpression::FunctionCall { expr, .. } = aggregate {
                    check_expression(expr, allowed)?;
                }
            }
            check_services(inner, allowed)
        }
        GraphPattern::Graph { inner, .. }
        | GraphPattern::Project { inner, .. }
        | GraphPattern::Distinct { inner }
        | GraphPattern::Reduced { inner }
        | GraphPattern::Slice { inner, .. } => check_services(inner, allowed),
        GraphPattern::Service { name, inner, .. } => {
            match name {
                NamedNodePattern::NamedNode(endpoint) if allowed.contains(endpoint) => {}
                NamedNodePattern::NamedNode(endpoint) => {
                    return Err(ApiError::new(
                        ErrorCode::Forbidden,
                        if allowed.is_empty() {
                            format!(
                                "SERVICE {endpoint} is refused: federation is off (see --federation-allow)"
                            )
                        } else {
                            format!("SERVICE {endpoint} is refused: it is not in the federation allow-list")
                        },
                    ));
                }
                NamedNodePattern::Variable(variable) => {
                    return Err(ApiError::new(
                        ErrorCode::Forbidden,
                        format!(
                            "SERVICE {variable} is refused: the endpoint must be an IRI of the federation allow-list"
                        ),
                    ));
                }
            }
            // The remote evaluates the inner pattern, but a nested SERVICE
            // is refused all the same: the allow-list is the whole policy.
            check_services(inner, allowed)
        }
    }
}

/// [`check_services`] inside an expression (`EXISTS`, `NOT EXISTS`).
fn check_expression(expression: &Expression, allowed: &[NamedNode]) -> Result<(), ApiError> {
    match expression {
        Expression::NamedNode(_)
        | Expression::Literal(_)
        | Expression::Variable(_)
        | Expression::Bound(_) => Ok(()),
        Expression::Exists(pattern) => check_services(pattern, allowed),
        Expression::Or(a, b)
        | Expression::And(a, b)
        | Expression::Equal(a, b)
        | Expression::SameTerm(a, b)
        | Expression::Greater(a, b)
        | Expression::GreaterOrEqual(a, b)
        | Expression::Less(a, b)
        | Expression::LessOrEqual(a, b)
        | Expression::Add(a, b)
        | Expression::Subtract(a, b)
        | Expression::Multiply(a, b)
        | Expression::Divide(a, b) => {
            check_expression(a, allowed)?;
            check_expression(b, allowed)
        }
        Expression::UnaryPlus(a) | Expression::UnaryMinus(a) | Expression::Not(a) => {
            check_expression(a, allowed)
        }
        Expression::If(a, b, c) => {
            check_expression(a, allowed)?;
            check_expression(b, allowed)?;
            check_expression(c, allowed)
        }
        Expression::In(a, list) => {
            check_expression(a, allowed)?;
            list.iter().try_for_each(|e| check_expression(e, allowed))
        }
        Expression::Coalesce(list) | Expression::FunctionCall(_, list) => {
            list.iter().try_for_each(|e| check_expression(e, allowed))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(query: &str, allowed: &[&str]) -> Result<(), ErrorCode> {
        let allowed: Vec<NamedNode> = allowed.iter().map(|iri| NamedNode::new(*iri).unwrap()).collect();
        let query = SparqlParser::new().parse_query(query).unwrap();
        let (spargebra::Query::Select { pattern, .. }
        | spargebra::Query::Ask { pattern, .. }
        | spargebra::Query::Construct { pattern, .. }
        | spargebra::Query::Describe { pattern, .. }) = &query;
        check_services(pattern, &allowed).map_err(|e| e.0.code)
    }

    #[test]
    fn services_are_found_wherever_they_hide() {
        let remote = "http://remote.example/sparql";
        for query in [
            "SELECT * { SERVICE <http://remote.example/sparql> { ?s ?p ?o } }",
            "SELECT * { ?a ?b ?c OPTIONAL { SERVICE <http://remote.example/sparql> { ?s ?p ?o } } }",
            "SELECT * { ?a ?b ?c MINUS { SERVICE <http://remote.example/sparql> { ?a ?p ?o } } }",
            "SELECT * { ?a ?b ?c FILTER EXISTS { SERVICE <http://remote.example/sparql> { ?a ?p ?o } } }",
            "SELECT * { ?a ?b ?c FILTER (!(1 = 2 || NOT EXISTS { SERVICE <http://remote.example/sparql> { ?a ?p ?o } })) }",
            "SELECT * { ?a ?b ?c BIND (IF(EXISTS { SERVICE <http://remote.example/sparql> {} }, 1, 0) AS ?x) }",
            "SELECT * { { SELECT ?s { SERVICE <http://remote.example/sparql> { ?s ?p ?o } } LIMIT 1 } }",
            "SELECT (COUNT(*) AS ?n) { GRAPH ?g { SERVICE SILENT <http://remote.example/sparql> { ?s ?p ?o } } } GROUP BY ?g",
            "ASK { { ?s ?p ?o } UNION { SERVICE <http://remote.example/sparql> { ?s ?p ?o } } }",
            "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://remote.example/sparql> { ?s ?p ?o } }",
            "SELECT * { ?s ?p ?o } ORDER BY (EXISTS { SERVICE <http://remote.example/sparql> {} })",
        ] {
            assert_eq!(check(query, &[]), Err(ErrorCode::Forbidden), "{query}");
            assert_eq!(check(query, &[remote]), Ok(()), "{query}");
        }
        assert_eq!(
            check("SELECT * { SERVICE ?endpoint { ?s ?p ?o } }", &[remote]),
            Err(ErrorCode::Forbidden)
        );
        assert_eq!(
            check(
                "SELECT * { SERVICE <http://remote.example/sparql> { SERVICE <http://other.example/sparql> {} } }",
                &[remote]
            ),
            Err(ErrorCode::Forbidden)
        );
        assert_eq!(check("SELECT * { ?s ?p ?o }", &[]), Ok(()));
    }

    #[test]
    fn a_prepared_update_matches_the_union_or_the_protocol_dataset() {
        use oxigraph::model::{GraphNameRef, NamedNodeRef, QuadRef};
        let iri = |s: &str| NamedNode::new(format!("http://example.com/{s}")).unwrap();
        let run = |using: Vec<NamedNode>| {
            let store = oxigraph::store::Store::new().unwrap();
            let (s, p, o) = (iri("s"), iri("p"), iri("o"));
            store
                .insert(QuadRef::new(
                    &s,
                    &p,
                    &o,
                    NamedNodeRef::new("http://example.com/g").unwrap(),
                ))
                .unwrap();
            let text = "INSERT { GRAPH <http://example.com/copy> { ?s ?p ?o } } WHERE { ?s ?p ?o }";
            let request = UpdateRequest {
                text: text.into(),
                update: SparqlParser::new().parse_update(text).unwrap(),
                using_graph_uris: using,
                using_named_graph_uris: Vec::new(),
            };
            request
                .prepare(&Config::in_memory())
                .on_store(&store)
                .execute()
                .unwrap();
            let copy = NamedNodeRef::new("http://example.com/copy").unwrap();
            store
                .quads_for_pattern(None, None, None, Some(GraphNameRef::from(copy)))
                .count()
        };
        assert_eq!(run(Vec::new()), 1, "WHERE sees the union of all graphs");
        assert_eq!(run(vec![iri("g")]), 1, "using-graph-uri names the graph");
        assert_eq!(
            run(vec![iri("elsewhere")]),
            0,
            "using-graph-uri limits the graphs"
        );
    }

    #[test]
    fn protocol_parameters_repeat_and_are_iris() {
        let params = Params::read(&[
            b"query=ASK%20%7B%7D&default-graph-uri=http%3A%2F%2Fa.example%2F",
            b"default-graph-uri=http://b.example/&named-graph-uri=http://c.example/&other=1",
        ])
        .unwrap();
        assert_eq!(params.query.as_deref(), Some("ASK {}"));
        assert_eq!(params.default_graph_uris.len(), 2);
        assert_eq!(params.named_graph_uris.len(), 1);
        let err = Params::read(&[b"query=ASK%7B%7D", b"query=ASK%7B%7D"]).unwrap_err();
        assert_eq!(err.0.code, ErrorCode::InvalidParameter);
        let err = Params::read(&[b"default-graph-uri=not%20an%20iri"]).unwrap_err();
        assert_eq!(err.0.code, ErrorCode::InvalidParameter);
    }
}
