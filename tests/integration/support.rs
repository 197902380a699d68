//! Shared helpers: an in-memory app, requests, JSON answers, fixtures.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use meshgraph::app::App;
use meshgraph::config::Config;
use serde_json::Value;
use tower::ServiceExt;

/// A running in-memory meshgraph and its router.
pub struct TestApp {
    pub app: Arc<App>,
    pub router: Router,
}

impl TestApp {
    /// An in-memory app with the default configuration.
    pub fn new() -> Self {
        Self::with(Config::in_memory())
    }

    /// An app with a custom configuration.
    pub fn with(config: Config) -> Self {
        let (app, _writer) = App::open(config).expect("app opens");
        let router = meshgraph::api::router(Arc::clone(&app));
        Self { app, router }
    }

    /// An app with a custom configuration, and its writer thread: drop the
    /// app, then join the thread, to release an on-disk data directory.
    pub fn with_writer(config: Config) -> (Self, meshgraph::writer::WriterThread) {
        let (app, writer) = App::open(config).expect("app opens");
        let router = meshgraph::api::router(Arc::clone(&app));
        (Self { app, router }, writer)
    }

    /// Sends a request and returns the status and the body bytes.
    pub async fn send(&self, request: Request<Body>) -> (StatusCode, Vec<u8>) {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router answers");
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        (status, body)
    }

    /// POSTs a JSON body (as given) to `path`.
    pub async fn post(&self, path: &str, body: impl Into<Body>) -> (StatusCode, Value) {
        let request = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.into())
            .unwrap();
        let (status, bytes) = self.send(request).await;
        (status, json_or_null(&bytes))
    }

    /// POSTs a GraphQL query with its variables to `/graphql` and returns
    /// the whole response (`data`, `errors`).
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        let body = serde_json::json!({ "query": query, "variables": variables });
        let (status, answer) = self.post("/graphql", body.to_string()).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        answer
    }

    /// The `data` of a GraphQL query that must answer without errors.
    pub async fn graphql_data(&self, query: &str, variables: Value) -> Value {
        let answer = self.graphql(query, variables).await;
        assert!(answer.get("errors").is_none(), "{query}: {answer}");
        answer["data"].clone()
    }

    /// GETs `path` and parses the JSON answer (`null` for an empty body).
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let request = Request::builder().uri(path).body(Body::empty()).unwrap();
        let (status, bytes) = self.send(request).await;
        (status, json_or_null(&bytes))
    }
}

fn json_or_null(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(bytes)))
    }
}

/// A file under `tests/fixtures/`.
pub fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// URL-encodes a path segment (namespaces contain `://`).
pub fn enc(segment: &str) -> String {
    percent_encoding::utf8_percent_encode(segment, percent_encoding::NON_ALPHANUMERIC).to_string()
}

// ---------------------------------------------------------------------------
// Ingestion helpers: raw requests, what was written, and the store's answers.
// ---------------------------------------------------------------------------

/// An error answer checked for its status and its JSON `{code, message}` body;
/// returns the message.
#[track_caller]
pub fn assert_error(status: StatusCode, body: &Value, expected: StatusCode, code: &str) -> String {
    assert_eq!(status, expected, "wrong status; body: {body}");
    let object = body
        .as_object()
        .unwrap_or_else(|| panic!("error body is not a JSON object: {body}"));
    assert_eq!(
        object.get("code").and_then(Value::as_str),
        Some(code),
        "wrong code: {body}"
    );
    let message = object
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no message: {body}"));
    assert!(!message.is_empty(), "empty message: {body}");
    message.to_owned()
}

/// Gzips bytes.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).expect("gzip in memory");
    encoder.finish().expect("gzip in memory")
}

/// A deterministic run id, distinct for each `n`.
pub fn run_id(n: u128) -> uuid::Uuid {
    uuid::Uuid::from_u128(0x6d65_7368_0000_4000_8000_0000_0000_0000 | n)
}

/// A minimal RunEvent (2-0-2) of job `ns/job`, without inputs or outputs.
pub fn run_event(run: uuid::Uuid, event_type: &str, time: &str) -> String {
    serde_json::json!({
        "eventType": event_type,
        "eventTime": time,
        "run": { "runId": run.to_string() },
        "job": { "namespace": "tests", "name": "job" },
        "producer": "https://meshgraph.dev/tests",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
    })
    .to_string()
}

impl TestApp {
    /// POSTs raw bytes with the given headers (no default Content-Type).
    pub async fn post_with(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<Body>,
    ) -> (StatusCode, Value) {
        let mut request = Request::builder().method(Method::POST).uri(path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let (status, bytes) = self.send(request.body(body.into()).unwrap()).await;
        (status, json_or_null(&bytes))
    }

    /// Writes a Turtle document into the named graph `graph` through the
    /// Graph Store Protocol (`PUT /store?graph=`), as a domain team would:
    /// through the log and the writer, so every view sees it.
    pub async fn put_turtle(&self, graph: &str, turtle: &str) {
        let request = Request::builder()
            .method(Method::PUT)
            .uri(format!("/store?graph={}", enc(graph)))
            .header(header::CONTENT_TYPE, "text/turtle")
            .body(Body::from(turtle.to_owned()))
            .unwrap();
        let (status, body) = self.send(request).await;
        assert!(
            status.is_success(),
            "PUT {graph}: {status} {}",
            String::from_utf8_lossy(&body)
        );
    }

    /// How many records the durable log holds.
    pub fn log_len(&self) -> u64 {
        self.app.log.len().expect("log readable")
    }

    /// How many quads the store holds.
    pub fn store_len(&self) -> usize {
        self.app.views.store().oxigraph().len().expect("store readable")
    }

    /// The log length and store size together, to check that nothing was written.
    pub fn footprint(&self) -> (u64, usize) {
        (self.log_len(), self.store_len())
    }

    /// Runs a SPARQL SELECT over the union of all graphs; each row maps a
    /// variable name to its term.
    pub fn select(&self, query: &str) -> Vec<std::collections::BTreeMap<String, oxigraph::model::Term>> {
        select(self.app.views.store().oxigraph(), query)
    }

    /// The `mg:state` of a run, as stored.
    pub fn run_state(&self, run: uuid::Uuid) -> Option<String> {
        run_state(self.app.views.store().oxigraph(), run)
    }

    /// The `mg:facetJson` literal of the facet `key` of `owner`, as stored.
    pub fn facet_json(&self, owner: &oxigraph::model::NamedNode, key: &str) -> Option<String> {
        facet_json(self.app.views.store().oxigraph(), owner, key)
    }

    /// Whether the store holds `<subject> a <class>` in any graph.
    pub fn has_type(
        &self,
        subject: &oxigraph::model::NamedNode,
        class: oxigraph::model::NamedNodeRef<'_>,
    ) -> bool {
        let query = format!("ASK {{ GRAPH ?g {{ {subject} a {class} }} }}");
        let evaluated = oxigraph::sparql::SparqlEvaluator::new()
            .parse_query(&query)
            .expect("query parses")
            .on_store(self.app.views.store().oxigraph())
            .execute()
            .expect("query runs");
        match evaluated {
            oxigraph::sparql::QueryResults::Boolean(answer) => answer,
            _ => panic!("ASK did not answer a boolean"),
        }
    }
}

/// Runs a SPARQL SELECT over the union of all graphs of `store`.
pub fn select(
    store: &oxigraph::store::Store,
    query: &str,
) -> Vec<std::collections::BTreeMap<String, oxigraph::model::Term>> {
    let mut prepared = oxigraph::sparql::SparqlEvaluator::new()
        .parse_query(query)
        .unwrap_or_else(|e| panic!("query does not parse ({e}): {query}"));
    prepared.dataset_mut().set_default_graph_as_union();
    let oxigraph::sparql::QueryResults::Solutions(solutions) =
        prepared.on_store(store).execute().expect("query runs")
    else {
        panic!("not a SELECT: {query}")
    };
    solutions
        .map(|solution| {
            let solution = solution.expect("solution");
            solution
                .iter()
                .map(|(var, term)| (var.as_str().to_owned(), term.clone()))
                .collect()
        })
        .collect()
}

/// The text of a literal (`None` for other terms).
pub fn literal_text(term: &oxigraph::model::Term) -> Option<String> {
    match term {
        oxigraph::model::Term::Literal(l) => Some(l.value().to_owned()),
        _ => None,
    }
}

/// The `mg:state` of a run in `store`.
pub fn run_state(store: &oxigraph::store::Store, run: uuid::Uuid) -> Option<String> {
    let query = format!(
        "SELECT ?state WHERE {{ {} {} ?state }}",
        meshgraph::store::iri::run(run),
        meshgraph::store::vocab::mg::STATE
    );
    let rows = select(store, &query);
    assert!(rows.len() <= 1, "a run has one state, got {rows:?}");
    rows.first().and_then(|row| literal_text(&row["state"]))
}

/// The `mg:facetJson` of the facet `key` of `owner` in `store`: the facet's
/// graph is `iri::facet(owner, key)`.
pub fn facet_json(
    store: &oxigraph::store::Store,
    owner: &oxigraph::model::NamedNode,
    key: &str,
) -> Option<String> {
    let graph = meshgraph::store::iri::facet(owner, key);
    let query = format!(
        "SELECT ?json WHERE {{ GRAPH {graph} {{ {graph} {} ?json }} }}",
        meshgraph::store::vocab::mg::FACET_JSON
    );
    // `GRAPH`: the facet must be in its own named graph, not only somewhere.
    let oxigraph::sparql::QueryResults::Solutions(solutions) = oxigraph::sparql::SparqlEvaluator::new()
        .parse_query(&query)
        .expect("query parses")
        .on_store(store)
        .execute()
        .expect("query runs")
    else {
        unreachable!()
    };
    let values: Vec<String> = solutions
        .map(|s| literal_text(s.expect("solution").get("json").expect("bound")).expect("literal"))
        .collect();
    assert!(
        values.len() <= 1,
        "one JSON literal per facet graph, got {values:?}"
    );
    values.into_iter().next()
}
