//! The SPARQL 1.1 Protocol at `/sparql` and the Graph Store Protocol's read
//! side at `/store`: one test per protocol rule, in the spirit of the W3C
//! protocol test suite, through the real router. Answers are parsed back in
//! their format, not only checked for a content type.

use std::collections::{BTreeSet, HashSet};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use meshgraph::config::Config;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphNameRef, Literal, NamedNode, NamedNodeRef, Quad, QuadRef, Triple};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsParser, SliceQueryResultsParserOutput};
use serde_json::Value;
use tower::ServiceExt;

use crate::support::{TestApp, assert_error, fixture};

const EX: &str = "http://example.com/";
const G1: &str = "http://example.com/g1";
const G2: &str = "http://example.com/g2";

fn ex(local: &str) -> NamedNode {
    NamedNode::new(format!("{EX}{local}")).unwrap()
}

/// An app whose store holds `ex:alpha ex:name "alpha"` in graph g1 and
/// `ex:beta ex:name "beta"` in graph g2, and nothing in the default graph.
fn two_graphs() -> TestApp {
    two_graphs_with(Config::in_memory())
}

fn two_graphs_with(config: Config) -> TestApp {
    let app = TestApp::with(config);
    insert(&app, "alpha", G1);
    insert(&app, "beta", G2);
    app
}

/// Inserts `ex:{name} ex:name "{name}"` into `graph` (`""` for the default
/// graph), directly into the store.
fn insert(app: &TestApp, name: &str, graph: &str) {
    let graph = if graph.is_empty() {
        GraphNameRef::DefaultGraph
    } else {
        NamedNodeRef::new(graph).unwrap().into()
    };
    let subject = ex(name);
    let predicate = ex("name");
    let object = Literal::new_simple_literal(name);
    let quad = QuadRef::new(&subject, &predicate, &object, graph);
    app.app.views.store().oxigraph().insert(quad).unwrap();
}

/// An answer: status, headers and body.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap())
            .unwrap_or_default()
    }

    fn text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// Checks a `{code, message}` error answer; returns the message.
    #[track_caller]
    fn error(&self, status: StatusCode, code: &str) -> String {
        let body = if self.body.is_empty() {
            Value::Null
        } else {
            self.json()
        };
        assert_error(self.status, &body, status, code)
    }

    #[track_caller]
    fn ok(&self) -> &Self {
        assert_eq!(
            self.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        self
    }
}

async fn send(app: &TestApp, request: Request<Body>) -> Answer {
    let response = app.router.clone().oneshot(request).await.expect("router answers");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// `GET /sparql?query=...&{extra}` with an optional `Accept`.
async fn get_query(app: &TestApp, query: &str, extra: &str, accept: Option<&str>) -> Answer {
    let mut uri = format!("/sparql?query={}", encode(query));
    if !extra.is_empty() {
        uri = format!("{uri}&{extra}");
    }
    let mut request = Request::builder().uri(uri);
    if let Some(accept) = accept {
        request = request.header(header::ACCEPT, accept);
    }
    send(app, request.body(Body::empty()).unwrap()).await
}

/// `POST {uri}` with a content type and a body.
async fn post(app: &TestApp, uri: &str, content_type: Option<&str>, body: impl Into<Body>) -> Answer {
    let mut request = Request::builder().method(Method::POST).uri(uri);
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    send(app, request.body(body.into()).unwrap()).await
}

/// The values of `var` in a SPARQL JSON answer, as their lexical forms.
fn json_values(answer: &Value, var: &str) -> BTreeSet<String> {
    answer["results"]["bindings"]
        .as_array()
        .unwrap_or_else(|| panic!("no bindings: {answer}"))
        .iter()
        .filter_map(|b| b[var]["value"].as_str().map(str::to_owned))
        .collect()
}

/// The values of `var` in an answer in a format oxigraph parses (JSON, XML, TSV).
fn parsed_values(format: QueryResultsFormat, body: &[u8], var: &str) -> BTreeSet<String> {
    let SliceQueryResultsParserOutput::Solutions(solutions) =
        QueryResultsParser::from_format(format).for_slice(body).unwrap()
    else {
        panic!("not solutions")
    };
    solutions
        .map(|s| match s.unwrap().get(var).unwrap() {
            oxigraph::model::Term::Literal(l) => l.value().to_owned(),
            other => other.to_string(),
        })
        .collect()
}

fn parsed_boolean(format: QueryResultsFormat, body: &[u8]) -> bool {
    match QueryResultsParser::from_format(format).for_slice(body).unwrap() {
        SliceQueryResultsParserOutput::Boolean(answer) => answer,
        SliceQueryResultsParserOutput::Solutions(_) => panic!("not a boolean"),
    }
}

/// Parses an RDF answer into quads.
fn parsed_quads(format: RdfFormat, body: &[u8]) -> HashSet<Quad> {
    RdfParser::from_format(format)
        .for_slice(body)
        .map(|q| q.unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(body))))
        .collect()
}

fn triples(format: RdfFormat, body: &[u8]) -> HashSet<Triple> {
    parsed_quads(format, body)
        .into_iter()
        .map(|q| {
            assert!(q.graph_name.is_default_graph(), "{q} is in a named graph");
            Triple::from(q)
        })
        .collect()
}

fn name_triple(name: &str) -> Triple {
    Triple::new(ex(name), ex("name"), Literal::new_simple_literal(name))
}

const SELECT_NAMES: &str = "SELECT ?name WHERE { ?s <http://example.com/name> ?name }";

// ---------------------------------------------------------------------------
// Queries: how they come
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_query_comes_by_get() {
    let app = two_graphs();
    let answer = get_query(&app, SELECT_NAMES, "", None).await;
    answer.ok();
    assert_eq!(answer.content_type(), "application/sparql-results+json");
    assert_eq!(
        json_values(&answer.json(), "name"),
        BTreeSet::from(["alpha".into(), "beta".into()])
    );
}

#[tokio::test]
async fn a_query_comes_by_post_directly() {
    let app = two_graphs();
    let answer = post(&app, "/sparql", Some("application/sparql-query"), SELECT_NAMES).await;
    answer.ok();
    assert_eq!(json_values(&answer.json(), "name").len(), 2);
    // Dataset parameters then come in the URL.
    let answer = post(
        &app,
        &format!("/sparql?default-graph-uri={}", encode(G2)),
        Some("application/sparql-query; charset=utf-8"),
        SELECT_NAMES,
    )
    .await;
    assert_eq!(
        json_values(&answer.ok().json(), "name"),
        BTreeSet::from(["beta".into()])
    );
}

#[tokio::test]
async fn a_query_comes_by_post_form() {
    let app = two_graphs();
    let form = format!("query={}&default-graph-uri={}", encode(SELECT_NAMES), encode(G1));
    let answer = post(&app, "/sparql", Some("application/x-www-form-urlencoded"), form).await;
    assert_eq!(
        json_values(&answer.ok().json(), "name"),
        BTreeSet::from(["alpha".into()])
    );
}

// ---------------------------------------------------------------------------
// The dataset
// ---------------------------------------------------------------------------

#[tokio::test]
async fn without_a_dataset_the_default_graph_is_the_union_of_all_graphs() {
    let app = two_graphs();
    insert(&app, "gamma", "");
    let answer = get_query(&app, SELECT_NAMES, "", None).await;
    assert_eq!(
        json_values(&answer.ok().json(), "name"),
        BTreeSet::from(["alpha".into(), "beta".into(), "gamma".into()])
    );
    // Named graphs are still there to be asked for by name.
    let answer = get_query(&app, "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "", None).await;
    assert_eq!(
        json_values(&answer.ok().json(), "g"),
        BTreeSet::from([G1.into(), G2.into()])
    );
}

#[tokio::test]
async fn default_graph_uri_and_named_graph_uri_set_the_dataset() {
    let app = two_graphs();
    let only = |values: &[&str]| values.iter().map(|v| v.to_string()).collect::<BTreeSet<_>>();
    let g1 = encode(G1);
    let g2 = encode(G2);
    let answer = get_query(&app, SELECT_NAMES, &format!("default-graph-uri={g1}"), None).await;
    assert_eq!(json_values(&answer.ok().json(), "name"), only(&["alpha"]));
    // Repeated: the default graph is their merge.
    let answer = get_query(
        &app,
        SELECT_NAMES,
        &format!("default-graph-uri={g1}&default-graph-uri={g2}"),
        None,
    )
    .await;
    assert_eq!(json_values(&answer.ok().json(), "name"), only(&["alpha", "beta"]));
    // Only the named graphs given are visible to GRAPH, and the default graph is empty.
    let answer = get_query(
        &app,
        "SELECT ?g ?name WHERE { GRAPH ?g { ?s <http://example.com/name> ?name } }",
        &format!("named-graph-uri={g2}"),
        None,
    )
    .await;
    let body = answer.ok().json();
    assert_eq!(json_values(&body, "g"), only(&[G2]));
    assert_eq!(json_values(&body, "name"), only(&["beta"]));
    let answer = get_query(&app, SELECT_NAMES, &format!("named-graph-uri={g2}"), None).await;
    assert!(json_values(&answer.ok().json(), "name").is_empty());
    // The protocol's dataset overrides the query's FROM.
    let from_g1 = format!("SELECT ?name FROM <{G1}> WHERE {{ ?s <http://example.com/name> ?name }}");
    let answer = get_query(&app, &from_g1, "", None).await;
    assert_eq!(json_values(&answer.ok().json(), "name"), only(&["alpha"]));
    let answer = get_query(&app, &from_g1, &format!("default-graph-uri={g2}"), None).await;
    assert_eq!(json_values(&answer.ok().json(), "name"), only(&["beta"]));
}

#[tokio::test]
async fn a_dataset_parameter_that_is_not_an_iri_is_400() {
    let app = two_graphs();
    let answer = get_query(&app, SELECT_NAMES, "default-graph-uri=not%20an%20iri", None).await;
    let message = answer.error(StatusCode::BAD_REQUEST, "invalid_parameter");
    assert!(message.contains("default-graph-uri"), "{message}");
}

// ---------------------------------------------------------------------------
// Result formats
// ---------------------------------------------------------------------------

#[tokio::test]
async fn select_answers_in_json_xml_csv_and_tsv() {
    let app = two_graphs();
    let expected = BTreeSet::from(["alpha".to_owned(), "beta".to_owned()]);
    for (accept, format) in [
        ("application/sparql-results+json", QueryResultsFormat::Json),
        ("application/sparql-results+xml", QueryResultsFormat::Xml),
        ("text/tab-separated-values", QueryResultsFormat::Tsv),
    ] {
        let answer = get_query(&app, SELECT_NAMES, "", Some(accept)).await;
        answer.ok();
        assert_eq!(answer.content_type(), format.media_type(), "{accept}");
        assert_eq!(parsed_values(format, &answer.body, "name"), expected, "{accept}");
    }
    // CSV is lossy, so oxigraph does not parse it: read it as CSV.
    let answer = get_query(&app, SELECT_NAMES, "", Some("text/csv")).await;
    answer.ok();
    assert_eq!(answer.content_type(), "text/csv; charset=utf-8");
    let mut reader = csv::Reader::from_reader(answer.body.as_slice());
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), ["name"]);
    let rows: BTreeSet<String> = reader.records().map(|r| r.unwrap()[0].to_owned()).collect();
    assert_eq!(rows, expected);
}

#[tokio::test]
async fn ask_answers_in_json_xml_csv_and_tsv() {
    let app = two_graphs();
    let yes = "ASK { <http://example.com/alpha> ?p ?o }";
    let no = "ASK { <http://example.com/nobody> ?p ?o }";
    for format in [
        QueryResultsFormat::Json,
        QueryResultsFormat::Xml,
        QueryResultsFormat::Tsv,
    ] {
        let answer = get_query(&app, yes, "", Some(format.media_type())).await;
        assert!(parsed_boolean(format, &answer.ok().body), "{format:?}");
        let answer = get_query(&app, no, "", Some(format.media_type())).await;
        assert!(!parsed_boolean(format, &answer.ok().body), "{format:?}");
    }
    let answer = get_query(&app, yes, "", None).await;
    assert_eq!(answer.ok().json()["boolean"], true);
    let answer = get_query(&app, yes, "", Some("text/csv")).await;
    assert_eq!(answer.ok().text(), "true");
}

#[tokio::test]
async fn construct_answers_in_every_rdf_format() {
    let app = two_graphs();
    let query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }";
    let expected = HashSet::from([name_triple("alpha"), name_triple("beta")]);
    for (accept, format) in [
        ("text/turtle", RdfFormat::Turtle),
        ("application/n-triples", RdfFormat::NTriples),
        ("application/n-quads", RdfFormat::NQuads),
        ("application/trig", RdfFormat::TriG),
        ("application/rdf+xml", RdfFormat::RdfXml),
        (
            "application/ld+json",
            RdfFormat::from_media_type("application/ld+json").unwrap(),
        ),
    ] {
        let answer = get_query(&app, query, "", Some(accept)).await;
        answer.ok();
        assert_eq!(answer.content_type(), format.media_type(), "{accept}");
        assert_eq!(triples(format, &answer.body), expected, "{accept}");
    }
}

#[tokio::test]
async fn describe_answers_a_graph() {
    let app = two_graphs();
    let answer = get_query(&app, "DESCRIBE <http://example.com/alpha>", "", None).await;
    answer.ok();
    assert_eq!(answer.content_type(), "application/n-triples");
    assert_eq!(
        triples(RdfFormat::NTriples, &answer.body),
        HashSet::from([name_triple("alpha")])
    );
}

#[tokio::test]
async fn accept_is_negotiated_with_qualities_and_wildcards() {
    let app = two_graphs();
    let cases = [
        ("*/*", "application/sparql-results+json"),
        (
            "text/csv;q=0.5, text/tab-separated-values",
            "text/tab-separated-values; charset=utf-8",
        ),
        ("text/foo;q=0.9, text/csv", "text/csv; charset=utf-8"),
        (
            "application/sparql-results+json;q=0, */*;q=0.1",
            "application/sparql-results+xml",
        ),
        ("text/*", "text/csv; charset=utf-8"),
    ];
    for (accept, media_type) in cases {
        let answer = get_query(&app, SELECT_NAMES, "", Some(accept)).await;
        assert_eq!(answer.ok().content_type(), media_type, "{accept}");
    }
    let construct = "CONSTRUCT WHERE { ?s ?p ?o }";
    for (accept, media_type) in [
        ("*/*", "application/n-triples"),
        ("text/*", "text/turtle"),
        ("application/rdf+xml;q=0.5, text/turtle;q=0.8", "text/turtle"),
    ] {
        let answer = get_query(&app, construct, "", Some(accept)).await;
        assert_eq!(answer.ok().content_type(), media_type, "{accept}");
    }
}

// ---------------------------------------------------------------------------
// Refusals
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_syntax_error_is_400_with_its_position() {
    let app = two_graphs();
    let answer = get_query(&app, "SELECT ?s WHERE { ?s ?p }", "", None).await;
    let message = answer.error(StatusCode::BAD_REQUEST, "malformed_query");
    assert!(
        message.contains("1:"),
        "the message names line and column: {message}"
    );
    let answer = post(&app, "/sparql", Some("application/sparql-query"), "SELECT").await;
    answer.error(StatusCode::BAD_REQUEST, "malformed_query");
}

#[tokio::test]
async fn no_acceptable_format_is_406() {
    let app = two_graphs();
    let answer = get_query(&app, SELECT_NAMES, "", Some("text/turtle")).await;
    let message = answer.error(StatusCode::NOT_ACCEPTABLE, "not_acceptable");
    assert!(message.contains("application/sparql-results+json"), "{message}");
    let answer = get_query(&app, "CONSTRUCT WHERE { ?s ?p ?o }", "", Some("text/csv")).await;
    answer.error(StatusCode::NOT_ACCEPTABLE, "not_acceptable");
    let answer = get_query(&app, SELECT_NAMES, "", Some("application/foo")).await;
    answer.error(StatusCode::NOT_ACCEPTABLE, "not_acceptable");
}

#[tokio::test]
async fn a_body_of_another_type_is_415() {
    let app = two_graphs();
    let answer = post(&app, "/sparql", Some("text/plain"), SELECT_NAMES).await;
    let message = answer.error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    assert!(message.contains("text/plain"), "{message}");
    let answer = post(&app, "/sparql", None, SELECT_NAMES).await;
    answer.error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
}

#[tokio::test]
async fn a_missing_or_repeated_query_is_400() {
    let app = two_graphs();
    let answer = send(
        &app,
        Request::builder().uri("/sparql").body(Body::empty()).unwrap(),
    )
    .await;
    let message = answer.error(StatusCode::BAD_REQUEST, "invalid_parameter");
    assert!(message.contains("query"), "{message}");
    let answer = post(
        &app,
        "/sparql",
        Some("application/x-www-form-urlencoded"),
        "default-graph-uri=x",
    )
    .await;
    answer.error(StatusCode::BAD_REQUEST, "invalid_parameter");
    let twice = format!("query={0}&query={0}", encode(SELECT_NAMES));
    let answer = post(&app, "/sparql", Some("application/x-www-form-urlencoded"), twice).await;
    answer.error(StatusCode::BAD_REQUEST, "invalid_parameter");
    let answer = post(
        &app,
        &format!("/sparql?query={}", encode(SELECT_NAMES)),
        Some("application/sparql-query"),
        SELECT_NAMES,
    )
    .await;
    answer.error(StatusCode::BAD_REQUEST, "invalid_parameter");
}

// ---------------------------------------------------------------------------
// Timeout
// ---------------------------------------------------------------------------

/// An app with a query timeout of 0.3 s and 2,000 triples, whose cross
/// products are far too many solutions to finish within it.
fn app_for_slow_queries() -> TestApp {
    let app = TestApp::with(Config {
        query_timeout: Duration::from_millis(300),
        ..Config::in_memory()
    });
    let store = app.app.views.store().oxigraph();
    for i in 0..2_000 {
        let quad = Quad::new(
            ex(&format!("s{i}")),
            ex("p"),
            Literal::from(i),
            GraphNameRef::DefaultGraph,
        );
        store.insert(&quad).unwrap();
    }
    app
}

#[tokio::test]
async fn a_query_over_the_timeout_is_cancelled_with_503() {
    // A three-way cross product is 8e9 solutions, hours of work.
    let app = app_for_slow_queries();
    let slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }";
    let started = Instant::now();
    let answer = get_query(&app, slow, "", None).await;
    let elapsed = started.elapsed();
    let message = answer.error(StatusCode::SERVICE_UNAVAILABLE, "query_timeout");
    assert!(
        message.contains("0.3 s"),
        "the message names the timeout: {message}"
    );
    // Not a timing assertion: the full query takes hours, so any answer
    // within a minute means the evaluation was cancelled.
    assert!(elapsed < Duration::from_secs(60), "answered after {elapsed:?}");
    eprintln!("cancelled after {elapsed:?}");
    // The server is still there for the next query.
    let answer = get_query(&app, "ASK { ?s ?p ?o }", "", None).await;
    assert_eq!(answer.ok().json()["boolean"], true);
}

#[tokio::test]
async fn a_streamed_answer_cut_by_the_timeout_breaks_off_rather_than_ending_whole() {
    let app = app_for_slow_queries();
    // 4,000,000 rows: the answer streams long before the timeout stops it.
    let many = "SELECT * WHERE { ?a ?p ?b . ?c ?q ?d }";
    let request = Request::builder()
        .uri(format!("/sparql?query={}", encode(many)))
        .header(header::ACCEPT, "application/sparql-results+json")
        .body(Body::empty())
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "it streams");
    let mut body = response.into_body();
    let mut received = 0;
    let broke_off = loop {
        match body.frame().await {
            Some(Ok(frame)) => received += frame.data_ref().map_or(0, |data| data.len()),
            Some(Err(_)) => break true,
            None => break false,
        }
    };
    assert!(
        received > 256 * 1024,
        "rows came before the timeout: {received} bytes"
    );
    assert!(broke_off, "a cut answer must not end like a whole one");
    // The server is still there for the next query.
    let answer = get_query(&app, "ASK { ?s ?p ?o }", "", None).await;
    assert_eq!(answer.ok().json()["boolean"], true);
}

// ---------------------------------------------------------------------------
// Federation
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_service_outside_the_allow_list_is_403() {
    let app = two_graphs_with(Config {
        federation_allow: vec![NamedNode::new("http://allowed.example/sparql").unwrap()],
        ..Config::in_memory()
    });
    // Port 9 (discard) on loopback: nothing is contacted, the query is refused first.
    let query = "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <http://127.0.0.1:9/sparql> { ?s ?q ?x } } }";
    let answer = get_query(&app, query, "", None).await;
    let message = answer.error(StatusCode::FORBIDDEN, "forbidden");
    assert!(
        message.contains("<http://127.0.0.1:9/sparql>"),
        "names the endpoint: {message}"
    );
    let answer = get_query(
        &app,
        "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
        "",
        None,
    )
    .await;
    answer.error(StatusCode::FORBIDDEN, "forbidden");
    // Without an allow-list, federation is off.
    let off = two_graphs();
    let query = "SELECT * WHERE { SERVICE <http://allowed.example/sparql> { ?s ?p ?o } }";
    let message = get_query(&off, query, "", None)
        .await
        .error(StatusCode::FORBIDDEN, "forbidden");
    assert!(message.contains("federation is off"), "{message}");
}

#[tokio::test]
async fn a_service_in_the_allow_list_is_queried_over_http() {
    // The remote: another meshgraph, on a loopback port, with beta's owner.
    let remote = TestApp::new();
    let owner = Triple::new(ex("beta"), ex("owner"), Literal::new_simple_literal("team beta"));
    remote
        .app
        .views
        .store()
        .oxigraph()
        .insert(QuadRef::new(
            &owner.subject,
            &owner.predicate,
            &owner.object,
            NamedNodeRef::new(G2).unwrap(),
        ))
        .unwrap();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let endpoint = format!("http://{}/sparql", listener.local_addr().unwrap());
    let server = tokio::spawn(axum::serve(listener, remote.router.clone()).into_future());

    let app = two_graphs_with(Config {
        federation_allow: vec![NamedNode::new(&endpoint).unwrap()],
        ..Config::in_memory()
    });
    // A join of local names with remote owners.
    let query = format!(
        "SELECT ?name ?owner WHERE {{ ?s <http://example.com/name> ?name \
         SERVICE <{endpoint}> {{ ?s <http://example.com/owner> ?owner }} }}"
    );
    let answer = post(&app, "/sparql", Some("application/sparql-query"), query).await;
    let body = answer.ok().json();
    let rows = body["results"]["bindings"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{body}");
    assert_eq!(rows[0]["name"]["value"], "beta");
    assert_eq!(rows[0]["owner"]["value"], "team beta");
    server.abort();
}

// ---------------------------------------------------------------------------
// Updates: parsed and checked, then refused until the writer takes them
// ---------------------------------------------------------------------------

const INSERT: &str =
    "INSERT DATA { GRAPH <http://example.com/g3> { <http://example.com/a> <http://example.com/b> 1 } }";

#[tokio::test]
async fn an_update_is_logged_then_applied_by_post_directly_or_by_form() {
    let app = two_graphs();
    let (log_before, _) = app.footprint();
    let answer = post(&app, "/sparql", Some("application/sparql-update"), INSERT).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.text());
    assert_eq!(app.footprint().0, log_before + 1, "the update is in the log");
    let ask = "ASK { GRAPH <http://example.com/g3> { <http://example.com/a> <http://example.com/b> 1 } }";
    assert!(
        get_query(&app, ask, "", None).await.json()["boolean"]
            .as_bool()
            .unwrap()
    );

    // A form, with using-graph-uri: the WHERE sees g1 only, not the union.
    let update = "INSERT { GRAPH <http://example.com/copy> { ?s ?p ?o } } WHERE { ?s ?p ?o }";
    let form = format!("update={}&using-graph-uri={}", encode(update), encode(G1));
    let answer = post(&app, "/sparql", Some("application/x-www-form-urlencoded"), form).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.text());
    let copied = "SELECT ?name { GRAPH <http://example.com/copy> { ?s <http://example.com/name> ?name } }";
    assert_eq!(
        json_values(&get_query(&app, copied, "", None).await.json(), "name"),
        BTreeSet::from(["alpha".to_owned()])
    );
}

#[tokio::test]
async fn an_update_that_fails_when_it_runs_changes_nothing() {
    let app = two_graphs();
    let before = app.store_len();
    // CREATE of a graph that exists fails, after the INSERT before it ran.
    let update = format!("{INSERT} ; CREATE GRAPH <{G1}>");
    let answer = post(&app, "/sparql", Some("application/sparql-update"), update).await;
    let message = answer.error(StatusCode::BAD_REQUEST, "update_failed");
    assert!(message.contains("already exists"), "{message}");
    assert_eq!(app.store_len(), before, "none of it was applied");
}

#[tokio::test]
async fn updates_and_graph_store_writes_need_the_api_key_when_one_is_set() {
    let app = two_graphs_with(Config {
        api_key: Some("s3cret".into()),
        ..Config::in_memory()
    });
    let answer = post(&app, "/sparql", Some("application/sparql-update"), INSERT).await;
    answer.error(StatusCode::UNAUTHORIZED, "unauthorized");
    let answer = store_write(
        &app,
        Method::PUT,
        "graph=http://example.com/k",
        Some("text/turtle"),
        "<a:b> <a:c> <a:d> .",
        None,
    )
    .await;
    answer.error(StatusCode::UNAUTHORIZED, "unauthorized");
    let answer = store_write(
        &app,
        Method::DELETE,
        &format!("graph={}", encode(G1)),
        None,
        "",
        None,
    )
    .await;
    answer.error(StatusCode::UNAUTHORIZED, "unauthorized");
    // Reads stay open; with the key, writes pass.
    assert_eq!(
        get_query(&app, SELECT_NAMES, "", None).await.status,
        StatusCode::OK
    );
    let answer = store_write(
        &app,
        Method::PUT,
        "graph=http://example.com/k",
        Some("text/turtle"),
        "<a:b> <a:c> <a:d> .",
        Some("s3cret"),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
}

#[tokio::test]
async fn a_bad_update_is_refused_before_it_could_run() {
    let app = two_graphs();
    let answer = post(
        &app,
        "/sparql",
        Some("application/sparql-update"),
        "INSERT DATA { <a> }",
    )
    .await;
    let message = answer.error(StatusCode::BAD_REQUEST, "malformed_query");
    assert!(message.contains("1:"), "{message}");
    // LOAD would fetch a document from the web.
    let load = "LOAD <http://127.0.0.1:9/data.ttl>";
    let answer = post(&app, "/sparql", Some("application/sparql-update"), load).await;
    answer.error(StatusCode::FORBIDDEN, "forbidden");
    let service = "DELETE { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }";
    let answer = post(&app, "/sparql", Some("application/sparql-update"), service).await;
    answer.error(StatusCode::FORBIDDEN, "forbidden");
    // USING in the update and using-graph-uri in the request contradict each other.
    let using = "DELETE { ?s ?p ?o } USING <http://example.com/g1> WHERE { ?s ?p ?o }";
    let answer = post(
        &app,
        &format!("/sparql?using-graph-uri={}", encode(G2)),
        Some("application/sparql-update"),
        using,
    )
    .await;
    answer.error(StatusCode::BAD_REQUEST, "invalid_parameter");
    // An update never comes by GET, and a form has one operation.
    let answer = send(
        &app,
        Request::builder()
            .uri(format!("/sparql?update={}", encode(INSERT)))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    answer.error(StatusCode::BAD_REQUEST, "invalid_parameter");
    let both = format!("update={}&query={}", encode(INSERT), encode(SELECT_NAMES));
    let answer = post(&app, "/sparql", Some("application/x-www-form-urlencoded"), both).await;
    answer.error(StatusCode::BAD_REQUEST, "invalid_parameter");
}

// ---------------------------------------------------------------------------
// Graph Store Protocol (read side)
// ---------------------------------------------------------------------------

async fn get_store(app: &TestApp, params: &str, accept: Option<&str>) -> Answer {
    store_request(app, Method::GET, params, accept).await
}

async fn store_request(app: &TestApp, method: Method, params: &str, accept: Option<&str>) -> Answer {
    let uri = if params.is_empty() {
        "/store".to_owned()
    } else {
        format!("/store?{params}")
    };
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(accept) = accept {
        request = request.header(header::ACCEPT, accept);
    }
    send(app, request.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn gsp_get_answers_a_named_graph_in_every_rdf_format() {
    let app = two_graphs();
    let graph = format!("graph={}", encode(G1));
    for format in [
        RdfFormat::NTriples,
        RdfFormat::Turtle,
        RdfFormat::NQuads,
        RdfFormat::TriG,
        RdfFormat::RdfXml,
        RdfFormat::from_media_type("application/ld+json").unwrap(),
    ] {
        let answer = get_store(&app, &graph, Some(format.media_type())).await;
        answer.ok();
        assert_eq!(answer.content_type(), format.media_type());
        // The graph's triples, without saying which graph they came from.
        assert_eq!(
            triples(format, &answer.body),
            HashSet::from([name_triple("alpha")]),
            "{format}"
        );
    }
    let answer = get_store(&app, &graph, None).await;
    assert_eq!(answer.ok().content_type(), "application/n-triples");
}

#[tokio::test]
async fn gsp_default_is_the_stored_default_graph_not_the_union() {
    let app = two_graphs();
    let answer = get_store(&app, "default", Some("text/turtle")).await;
    assert!(triples(RdfFormat::Turtle, &answer.ok().body).is_empty());
    insert(&app, "gamma", "");
    let answer = get_store(&app, "default", Some("text/turtle")).await;
    assert_eq!(
        triples(RdfFormat::Turtle, &answer.ok().body),
        HashSet::from([name_triple("gamma")])
    );
}

#[tokio::test]
async fn gsp_get_without_a_graph_answers_the_whole_dataset() {
    let app = two_graphs();
    insert(&app, "gamma", "");
    let expected: HashSet<Quad> = app
        .app
        .views
        .store()
        .oxigraph()
        .iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(expected.len(), 3);
    for format in [RdfFormat::NQuads, RdfFormat::TriG] {
        let answer = get_store(&app, "", Some(format.media_type())).await;
        assert_eq!(answer.ok().content_type(), format.media_type());
        assert_eq!(parsed_quads(format, &answer.body), expected, "{format}");
    }
    let answer = get_store(&app, "", None).await;
    assert_eq!(answer.ok().content_type(), "application/n-quads");
    // A format without named graphs cannot hold the dataset.
    let answer = get_store(&app, "", Some("text/turtle")).await;
    answer.error(StatusCode::NOT_ACCEPTABLE, "not_acceptable");
}

#[tokio::test]
async fn gsp_a_graph_the_store_does_not_hold_is_404() {
    let app = two_graphs();
    let answer = get_store(
        &app,
        &format!("graph={}", encode("http://example.com/nothing")),
        None,
    )
    .await;
    let message = answer.error(StatusCode::NOT_FOUND, "not_found");
    assert!(message.contains("http://example.com/nothing"), "{message}");
}

#[tokio::test]
async fn gsp_an_unacceptable_format_is_406_and_a_bad_target_is_400() {
    let app = two_graphs();
    let graph = format!("graph={}", encode(G1));
    let answer = get_store(&app, &graph, Some("application/sparql-results+json")).await;
    answer.error(StatusCode::NOT_ACCEPTABLE, "not_acceptable");
    let answer = get_store(&app, &format!("{graph}&default"), None).await;
    answer.error(StatusCode::BAD_REQUEST, "invalid_parameter");
    let answer = get_store(&app, "graph=relative/iri", None).await;
    answer.error(StatusCode::BAD_REQUEST, "invalid_parameter");
}

#[tokio::test]
async fn gsp_head_answers_the_headers_of_get_without_a_body() {
    let app = two_graphs();
    let graph = format!("graph={}", encode(G1));
    let answer = store_request(&app, Method::HEAD, &graph, Some("text/turtle")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.content_type(), "text/turtle");
    assert!(answer.body.is_empty());
    let missing = format!("graph={}", encode("http://example.com/nothing"));
    let answer = store_request(&app, Method::HEAD, &missing, None).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert!(answer.body.is_empty());
    let answer = store_request(&app, Method::HEAD, &graph, Some("text/csv")).await;
    assert_eq!(answer.status, StatusCode::NOT_ACCEPTABLE);
    assert!(answer.body.is_empty());
    let answer = store_request(&app, Method::HEAD, "", None).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.content_type(), "application/n-quads");
}

// ---------------------------------------------------------------------------
// Over the lineage meshgraph derives from OpenLineage events
// ---------------------------------------------------------------------------

#[tokio::test]
async fn lineage_from_events_is_queryable_and_its_graphs_readable() {
    let app = TestApp::new();
    let (status, body) = app.post("/api/v1/lineage", fixture("dbt_model.json")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let job = meshgraph::store::iri::job("dbt-finance", "finance_marts.fct_invoices");

    // The union default graph joins what the event put in several graphs.
    let query = format!("SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ {job} ?p ?o }} }}");
    let answer = get_query(&app, &query, "", None).await;
    let graphs = json_values(&answer.ok().json(), "g");
    assert!(!graphs.is_empty(), "the job is somewhere in the store");
    let ask = format!("ASK {{ {job} ?p ?o }}");
    assert_eq!(get_query(&app, &ask, "", None).await.ok().json()["boolean"], true);

    // Each of those graphs reads back whole through the Graph Store Protocol.
    for graph in graphs {
        let answer = get_store(&app, &format!("graph={}", encode(&graph)), Some("text/turtle")).await;
        let read = triples(RdfFormat::Turtle, &answer.ok().body);
        let construct = format!("CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}");
        let answer = get_query(&app, &construct, "", Some("application/n-triples")).await;
        assert_eq!(read, triples(RdfFormat::NTriples, &answer.ok().body), "{graph}");
    }
}

// ---------------------------------------------------------------------------
// Graph Store Protocol (writes)
// ---------------------------------------------------------------------------

async fn store_write(
    app: &TestApp,
    method: Method,
    params: &str,
    content_type: Option<&str>,
    body: &str,
    key: Option<&str>,
) -> Answer {
    let mut request = Request::builder().method(method).uri(format!("/store?{params}"));
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    if let Some(key) = key {
        request = request.header(header::AUTHORIZATION, format!("Bearer {key}"));
    }
    send(app, request.body(Body::from(body.to_owned())).unwrap()).await
}

const TTL: &str =
    "@prefix ex: <http://example.com/> . ex:gamma ex:name \"gamma\" . <rel> ex:name \"relative\" .";

#[tokio::test]
async fn gsp_put_creates_then_replaces_a_graph() {
    let app = two_graphs();
    let g = format!("graph={}", encode("http://example.com/g9"));
    let answer = store_write(&app, Method::PUT, &g, Some("text/turtle"), TTL, None).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    let got = get_store(&app, &g, Some("application/n-triples")).await;
    let stored = triples(RdfFormat::NTriples, &got.body);
    assert!(stored.contains(&name_triple("gamma")));
    // Relative IRIs resolve against the graph's IRI.
    let relative = NamedNode::new("http://example.com/rel").unwrap();
    assert!(
        stored.iter().any(|t| t.subject == relative.clone().into()),
        "{stored:?}"
    );

    let answer = store_write(
        &app,
        Method::PUT,
        &g,
        Some("application/n-triples"),
        "<http://example.com/delta> <http://example.com/name> \"delta\" .",
        None,
    )
    .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.text());
    let got = get_store(&app, &g, Some("application/n-triples")).await;
    assert_eq!(
        triples(RdfFormat::NTriples, &got.body),
        HashSet::from([name_triple("delta")])
    );
}

#[tokio::test]
async fn gsp_post_adds_to_a_graph() {
    let app = two_graphs();
    let g1 = format!("graph={}", encode(G1));
    let answer = store_write(&app, Method::POST, &g1, Some("text/turtle"), TTL, None).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.text());
    let got = get_store(&app, &g1, Some("application/n-triples")).await;
    let stored = triples(RdfFormat::NTriples, &got.body);
    assert!(stored.contains(&name_triple("alpha")) && stored.contains(&name_triple("gamma")));
}

#[tokio::test]
async fn gsp_post_to_the_store_adds_a_dataset_or_makes_a_new_graph() {
    let app = two_graphs();
    let trig = "<http://example.com/g7> { <http://example.com/eta> <http://example.com/name> \"eta\" }";
    let answer = store_write(&app, Method::POST, "", Some("application/trig"), trig, None).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.text());
    let got = get_store(
        &app,
        &format!("graph={}", encode("http://example.com/g7")),
        Some("application/n-triples"),
    )
    .await;
    assert_eq!(got.status, StatusCode::OK);

    let answer = store_write(&app, Method::POST, "", Some("text/turtle"), TTL, None).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    let location = answer.headers[header::LOCATION].to_str().unwrap().to_owned();
    let params = location.strip_prefix("/store?").unwrap();
    let got = get_store(&app, params, Some("application/n-triples")).await;
    assert!(triples(RdfFormat::NTriples, &got.body).contains(&name_triple("gamma")));
}

#[tokio::test]
async fn gsp_delete_drops_a_graph_and_404s_an_unknown_one() {
    let app = two_graphs();
    let g1 = format!("graph={}", encode(G1));
    let answer = store_write(&app, Method::DELETE, &g1, None, "", None).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.text());
    get_store(&app, &g1, None)
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    let answer = store_write(&app, Method::DELETE, &g1, None, "", None).await;
    answer.error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn gsp_a_broken_document_is_400_with_its_position_and_writes_nothing() {
    let app = two_graphs();
    let (log_before, _) = app.footprint();
    let before = app.store_len();
    let broken = "<http://example.com/a> <http://example.com/b> 1 .\n<http://example.com/a> <http://example.com/b> \"open .";
    let g1 = format!("graph={}", encode(G1));
    let answer = store_write(&app, Method::PUT, &g1, Some("text/turtle"), broken, None).await;
    let message = answer.error(StatusCode::BAD_REQUEST, "malformed_rdf");
    assert!(message.contains("line 2"), "{message}");
    assert_eq!((app.footprint().0, app.store_len()), (log_before, before));
    // A wrong or missing Content-Type is 415; quads into one graph too.
    let answer = store_write(&app, Method::PUT, &g1, Some("text/html"), "x", None).await;
    answer.error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    let answer = store_write(&app, Method::PUT, &g1, None, "x", None).await;
    answer.error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    let answer = store_write(&app, Method::PUT, &g1, Some("application/n-quads"), "", None).await;
    answer.error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    // The whole dataset is not replaced at once.
    let answer = store_write(&app, Method::PUT, "", Some("application/trig"), "", None).await;
    answer.error(StatusCode::BAD_REQUEST, "invalid_parameter");
}

#[tokio::test]
async fn graph_store_writes_and_updates_are_rebuilt_from_the_log_on_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        storage: meshgraph::config::Storage::Dir(dir.path().to_owned()),
        ..Config::in_memory()
    };
    let dump = |app: &TestApp| {
        let mut quads: Vec<String> = app
            .app
            .views
            .store()
            .oxigraph()
            .iter()
            .map(|q| q.unwrap().to_string())
            .collect();
        quads.sort();
        quads
    };
    let (app, writer) = TestApp::with_writer(config.clone());
    let g = format!("graph={}", encode("http://example.com/g9"));
    for (method, content_type, body) in [
        (Method::PUT, Some("text/turtle"), TTL),
        (
            Method::POST,
            Some("application/n-triples"),
            "<http://example.com/x> <http://example.com/y> _:b .",
        ),
        (Method::PUT, Some("text/turtle"), TTL),
    ] {
        let answer = store_write(&app, method, &g, content_type, body, None).await;
        assert!(answer.status.is_success(), "{}", answer.text());
    }
    let answer = post(&app, "/sparql", Some("application/sparql-update"), INSERT).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    let answer = store_write(
        &app,
        Method::DELETE,
        &format!("graph={}", encode("http://example.com/g3")),
        None,
        "",
        None,
    )
    .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    let before = dump(&app);
    assert!(!before.is_empty());
    drop(app);
    writer.join();

    let (app, writer) = TestApp::with_writer(config);
    assert_eq!(dump(&app), before);
    drop(app);
    writer.join();
}

#[tokio::test]
async fn a_large_answer_streams_whole_in_every_results_format() {
    let app = TestApp::new();
    let store = app.app.views.store().oxigraph();
    let graph = NamedNodeRef::new(G1).unwrap();
    let padding = "x".repeat(200);
    for i in 0..3_000 {
        let subject = ex(&format!("s{i}"));
        let object = Literal::new_simple_literal(format!("{i} \"quoted\" {padding}"));
        store
            .insert(QuadRef::new(&subject, &ex("p"), &object, graph))
            .unwrap();
    }
    let query = "SELECT ?s ?o WHERE { ?s <http://example.com/p> ?o }";
    for format in [
        QueryResultsFormat::Json,
        QueryResultsFormat::Xml,
        QueryResultsFormat::Tsv,
    ] {
        let answer = get_query(&app, query, "", Some(format.media_type())).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert!(answer.body.len() > 512 * 1024, "large enough to stream");
        assert_eq!(
            parsed_values(format, &answer.body, "s").len(),
            3_000,
            "{format:?}"
        );
    }
    let construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }";
    let answer = get_query(&app, construct, "", Some("application/n-triples")).await;
    assert_eq!(triples(RdfFormat::NTriples, &answer.body).len(), 3_000);
}
