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
//! evaluation and serialization run together in one blocking task, writing
//! into a [`Sink`]. An answer up to [`CHUNK`] bytes is sent whole, so that a
//! timeout or an evaluation error still becomes a proper status code; a
//! larger one streams in chunks while the query goes on (memory stays
//! bounded, the client reads the first rows early), and a failure after the
//! first chunk cuts the connection short, as in oxigraph's server. A timer
//! cancels the task's [`CancellationToken`] when the timeout elapses. SPARQL
//! JSON, the default and most asked-for format, has its own writer
//! ([`super::results_json`]); the other formats use `sparesults`/`oxrdfio`.
//!
//! [SPARQL 1.1 Protocol]: https://www.w3.org/TR/sparql11-protocol/

use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphName, NamedNode, NamedOrBlankNode};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{CancellationToken, QueryEvaluationError, QueryResults, SparqlEvaluator};
use spargebra::{SparqlParser, SparqlSyntaxError};

use super::negotiate::{self, negotiate};
use super::rest::lineage::require_api_key;
use super::results_json;
use super::{ApiError, AppState};
use crate::config::Config;
use crate::error::ErrorCode;
use crate::store::change::{ChangeError, RdfChange, Update};
use crate::store::federation;
use crate::writer::{Staged, WriteError};

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
            post_update(app, &headers, text, params).await
        }
        Some("application/x-www-form-urlencoded") => {
            let form = read_body(body, &app.config).await?;
            let mut params = Params::read(&[url.as_bytes(), &form])?;
            match (params.query.take(), params.update.take()) {
                (Some(query), None) => run_query(app, headers, query, params).await,
                (None, Some(update)) => post_update(app, &headers, update, params).await,
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

/// Runs a SPARQL update: parsed and vetted here, then logged and applied
/// by the writer like every write; 204 once it is durable and visible.
async fn post_update(
    app: AppState,
    headers: &HeaderMap,
    text: String,
    params: Params,
) -> Result<Response, ApiError> {
    require_api_key(&app, headers)?;
    write_update(&app, text, params.using_graph_uris, params.using_named_graph_uris).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Parses and vets a SPARQL update, then logs and applies it; resolves once
/// it is durable and visible. `POST /sparql` and GraphQL's `tieConcept` and
/// `untieConcept` go through here.
pub(crate) async fn write_update(
    app: &AppState,
    text: String,
    using: Vec<NamedNode>,
    using_named: Vec<NamedNode>,
) -> Result<(), ApiError> {
    let staged = super::rest::blocking(move || {
        Update::parse(text, None, using, using_named)
            .map(|update| Staged::new(RdfChange::Update(update)))
            .map_err(change_error)
    })
    .await?;
    app.writer.change(staged).await.map_err(|err| write_error(&err))
}

/// The answer to a change the writer refused or failed.
pub(super) fn write_error(err: &WriteError) -> ApiError {
    match err {
        WriteError::Change(err) => change_error_ref(err),
        WriteError::Closed => ApiError::new(ErrorCode::Unavailable, "the server is shutting down"),
        other => ApiError::internal(other),
    }
}

/// The answer to a change that is refused before it is logged.
pub(super) fn change_error(err: ChangeError) -> ApiError {
    change_error_ref(&err)
}

fn change_error_ref(err: &ChangeError) -> ApiError {
    match err {
        ChangeError::Syntax(message) => ApiError::new(ErrorCode::MalformedQuery, message.clone()),
        ChangeError::Document(err) => ApiError::new(ErrorCode::MalformedRdf, err.to_string()),
        ChangeError::Refused(message) => ApiError::new(ErrorCode::Forbidden, message.clone()),
        ChangeError::Using(message) => ApiError::bad_parameter(message.clone()),
        ChangeError::Failed(_) => ApiError::new(ErrorCode::UpdateFailed, err.to_string()),
        other => ApiError::internal(other),
    }
}

fn refused(err: federation::Refused) -> ApiError {
    ApiError::new(ErrorCode::Forbidden, err.to_string())
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
pub(super) fn content_type(headers: &HeaderMap) -> Option<String> {
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
pub(super) async fn read_body(body: Body, config: &Config) -> Result<Bytes, ApiError> {
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
    let deadline = Deadline::start(timeout);
    let evaluator = evaluator(&app.config).with_cancellation_token(deadline.token());
    let allowed = app.config.federation_allow.clone();
    let store = app.views.store().oxigraph().clone();
    let span = tracing::Span::current();
    let (started, mut streaming) = oneshot::channel();
    let (chunks, received) = mpsc::channel(4);
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
            let mut sink = Sink {
                buffer: Vec::new(),
                media_type: "",
                started: Some(started),
                chunks,
                streaming: false,
            };
            let outcome = job.run(evaluator, &mut sink);
            sink.finish(outcome)
        })
    });
    tokio::select! {
        biased;
        Ok(media_type) = &mut streaming => {
            // The rest streams from the task; the deadline holds until it ends.
            tokio::spawn(async move {
                let _ = task.await;
                deadline.stop();
            });
            let body = Body::from_stream(futures_util::stream::unfold(received, |mut received| async move {
                received.recv().await.map(|chunk| (chunk, received))
            }));
            Ok(answer(media_type, body))
        }
        joined = &mut task => {
            deadline.stop();
            match joined.map_err(ApiError::internal)?? {
                Finished::Whole(media_type, bytes) => Ok(answer(media_type, Body::from(bytes))),
                Finished::Streamed => Err(ApiError::internal("a streamed answer was not started")),
            }
        }
    }
}

fn answer(media_type: &'static str, body: Body) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(media_type)),
            (header::VARY, HeaderValue::from_static("accept")),
        ],
        body,
    )
        .into_response()
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

/// Answers up to this size are sent whole, so that a failure while
/// writing them still gets its status code; beyond it, the answer streams
/// in chunks of about this size while the query goes on, and the client
/// reads the first rows while the last are evaluated. A failure after the
/// first chunk can only cut the connection short (as in oxigraph's server).
const CHUNK: usize = 256 * 1024;

/// Where a query writes its answer: a buffer, which becomes a stream of
/// chunks once it outgrows [`CHUNK`].
struct Sink {
    buffer: Vec<u8>,
    media_type: &'static str,
    /// Told the media type when streaming starts.
    started: Option<oneshot::Sender<&'static str>>,
    chunks: mpsc::Sender<Result<Bytes, std::io::Error>>,
    streaming: bool,
}

impl Sink {
    /// Takes bytes of the answer (without copying them when nothing is
    /// buffered: the JSON writer hands over whole chunks).
    fn send(&mut self, bytes: Vec<u8>) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            self.buffer = bytes;
        } else {
            self.buffer.extend_from_slice(&bytes);
        }
        self.stream_if_large()
    }

    /// Streams what is buffered once the answer is large.
    fn stream_if_large(&mut self) -> std::io::Result<()> {
        if self.buffer.len() >= CHUNK {
            self.stream()?;
        }
        Ok(())
    }

    /// Sends what is buffered as the next chunk, starting the stream.
    fn stream(&mut self) -> std::io::Result<()> {
        if let Some(started) = self.started.take() {
            // The handler may have given up (timeout): the send below says so.
            let _ = started.send(self.media_type);
            self.streaming = true;
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buffer));
        self.chunks
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away"))
    }

    /// Ends the answer: the rest of the stream, or the whole answer.
    fn finish(mut self, outcome: Result<&'static str, ApiError>) -> Result<Finished, ApiError> {
        match outcome {
            Ok(_) if self.streaming => {
                let _ = self.stream();
                Ok(Finished::Streamed)
            }
            Ok(media_type) => Ok(Finished::Whole(media_type, self.buffer)),
            Err(err) if self.streaming => {
                // Cut the stream: the client must not take a truncated answer as whole.
                let _ = self
                    .chunks
                    .blocking_send(Err(std::io::Error::other(err.0.message.clone())));
                Err(err)
            }
            Err(err) => Err(err),
        }
    }
}

impl std::io::Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        self.stream_if_large()?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// How a query's answer went out.
enum Finished {
    /// Small enough to send whole: its media type and bytes.
    Whole(&'static str, Vec<u8>),
    /// Streamed: the handler has already answered.
    Streamed,
}

/// The serialization an answer will be written in.
enum Output {
    Solutions(QueryResultsFormat),
    Graph(RdfFormat),
}

impl QueryJob<'_> {
    /// Parses, checks, evaluates and serializes into `sink`; returns the
    /// media type.
    fn run(&self, evaluator: SparqlEvaluator, sink: &mut Sink) -> Result<&'static str, ApiError> {
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
        federation::check_services(pattern, self.allowed).map_err(refused)?;
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
        let media_type = match &output {
            Output::Solutions(format) => format.media_type(),
            Output::Graph(format) => format.media_type(),
        };
        sink.media_type = media_type;
        match (results, output) {
            (QueryResults::Solutions(solutions), Output::Solutions(QueryResultsFormat::Json)) => {
                let mut writer = results_json::Solutions::new(solutions.variables());
                for solution in solutions {
                    writer.write(&solution.map_err(|e| self.evaluation_error(e))?);
                    if writer.len() >= CHUNK {
                        sink.send(writer.take()).map_err(ApiError::internal)?;
                    }
                }
                sink.send(writer.finish()).map_err(ApiError::internal)?;
            }
            (QueryResults::Boolean(answer), Output::Solutions(QueryResultsFormat::Json)) => {
                sink.send(results_json::boolean(answer))
                    .map_err(ApiError::internal)?;
            }
            (QueryResults::Solutions(solutions), Output::Solutions(format)) => {
                let mut serializer = QueryResultsSerializer::from_format(format)
                    .serialize_solutions_to_writer(&mut *sink, solutions.variables().to_vec())
                    .map_err(ApiError::internal)?;
                for solution in solutions {
                    let solution = solution.map_err(|e| self.evaluation_error(e))?;
                    serializer.serialize(&solution).map_err(ApiError::internal)?;
                }
                serializer.finish().map_err(ApiError::internal)?;
            }
            (QueryResults::Boolean(answer), Output::Solutions(format)) => {
                QueryResultsSerializer::from_format(format)
                    .serialize_boolean_to_writer(&mut *sink, answer)
                    .map_err(ApiError::internal)?;
            }
            (QueryResults::Graph(triples), Output::Graph(format)) => {
                let mut serializer = RdfSerializer::from_format(format).for_writer(&mut *sink);
                for triple in triples {
                    let triple = triple.map_err(|e| self.evaluation_error(e))?;
                    serializer
                        .serialize_triple(&triple)
                        .map_err(|e| unwritable(format, e))?;
                }
                serializer.finish().map_err(|e| unwritable(format, e))?;
            }
            _ => return Err(ApiError::internal("the query form and its results disagree")),
        }
        Ok(media_type)
    }

    /// A failed evaluation: cancelled by the timer, refused by the query's
    /// own shape, or a failure of ours or of a remote endpoint.
    fn evaluation_error(&self, err: QueryEvaluationError) -> ApiError {
        match err {
            QueryEvaluationError::Cancelled => timed_out(self.timeout),
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

/// The answer to a query cancelled when it outlived `timeout`.
pub(super) fn timed_out(timeout: Duration) -> ApiError {
    ApiError::new(
        ErrorCode::QueryTimeout,
        format!(
            "the query ran longer than the query timeout of {} and was cancelled",
            seconds(timeout)
        ),
    )
}

/// A query's time limit: cancels its [`CancellationToken`] when the timeout
/// elapses, unless stopped first. Evaluation and serialization check the
/// token as they go, so a query stops soon after. Dropping it leaves the
/// timer running: a query whose client went away is still cancelled.
pub(super) struct Deadline {
    token: CancellationToken,
    timer: tokio::task::JoinHandle<()>,
}

impl Deadline {
    /// Starts the timer; needs the tokio runtime.
    pub(super) fn start(timeout: Duration) -> Self {
        let token = CancellationToken::new();
        let timer = tokio::spawn({
            let token = token.clone();
            async move {
                tokio::time::sleep(timeout).await;
                token.cancel();
            }
        });
        Self { token, timer }
    }

    /// The token to give the query's evaluator.
    pub(super) fn token(&self) -> CancellationToken {
        self.token.clone()
    }

    /// Stops the timer: the query is over.
    pub(super) fn stop(self) {
        self.timer.abort();
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
