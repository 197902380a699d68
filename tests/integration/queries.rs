//! The named SPARQL queries over REST: `/api/v1/queries` lists them,
//! `/api/v1/queries/{name}` runs one with its parameters bound as terms.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use crate::support::{TestApp, assert_error, enc, run_id};

/// A dataset `name` in namespace `ns` whose tags facet has `keys`.
async fn tagged(app: &TestApp, n: u128, name: &str, keys: &[&str]) {
    let tags: Vec<Value> = keys.iter().map(|k| json!({"key": k, "value": "true"})).collect();
    let event = json!({
        "eventType": "COMPLETE",
        "eventTime": "2026-11-24T10:00:00Z",
        "run": {"runId": run_id(n).to_string()},
        "job": {"namespace": "ns", "name": format!("job{n}")},
        "outputs": [{"namespace": "ns", "name": name, "facets": {"tags": {"tags": tags}}}],
        "producer": "https://meshgraph.dev/tests",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
    });
    let (status, body) = app.post("/api/v1/lineage", event.to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// The values of `var` in SPARQL JSON results.
fn column(results: &Value, var: &str) -> Vec<String> {
    results["results"]["bindings"]
        .as_array()
        .unwrap_or_else(|| panic!("not SPARQL JSON results: {results}"))
        .iter()
        .map(|b| b[var]["value"].as_str().unwrap().to_owned())
        .collect()
}

const NASTY: &str = "x\" } ; DROP ALL ; #>";

#[tokio::test]
async fn the_list_names_purpose_parameters_and_caller_of_each_query() {
    let app = TestApp::new();
    let (status, list) = app.get("/api/v1/queries").await;
    assert_eq!(status, StatusCode::OK);
    let queries = list["queries"].as_array().unwrap();
    assert!(queries.len() >= 10, "{list}");
    for q in queries {
        for field in ["name", "purpose", "caller", "query"] {
            assert!(
                !q[field].as_str().unwrap_or_default().is_empty(),
                "{field} of {q}"
            );
        }
        assert!(q["parameters"].is_array(), "{q}");
    }
    let tagged = queries.iter().find(|q| q["name"] == "catalog-tagged").unwrap();
    assert_eq!(tagged["parameters"][0]["name"], "key");
    assert_eq!(tagged["parameters"][0]["kind"], "literal");
    let dataset_tags = queries
        .iter()
        .find(|q| q["name"] == "catalog-dataset-tags")
        .unwrap();
    assert_eq!(dataset_tags["parameters"][0]["kind"], "iris");
}

#[tokio::test]
async fn a_query_runs_with_its_parameters_and_answers_sparql_json() {
    let app = TestApp::new();
    tagged(&app, 1, "orders", &["pii", "a>b"]).await;
    tagged(&app, 2, "customers", &["pii"]).await;
    let request = Request::builder()
        .uri("/api/v1/queries/catalog-tagged?key=pii")
        .body(Body::empty())
        .unwrap();
    let response = tower::ServiceExt::oneshot(app.router.clone(), request)
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/sparql-results+json"
    );
    let (_, results) = app.get("/api/v1/queries/catalog-tagged?key=pii").await;
    assert_eq!(results["head"]["vars"], json!(["key", "carrier"]));
    let mut carriers = column(&results, "carrier");
    carriers.sort();
    assert_eq!(
        carriers,
        [
            "https://meshgraph.dev/id/dataset/ns/customers",
            "https://meshgraph.dev/id/dataset/ns/orders"
        ]
    );
    // An IRI parameter, bare or in <...>.
    for given in [
        "https://meshgraph.dev/id/dataset/ns/orders",
        "<https://meshgraph.dev/id/dataset/ns/orders>",
    ] {
        let (status, results) = app
            .get(&format!(
                "/api/v1/queries/catalog-dataset-tags?dataset={}",
                enc(given)
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{results}");
        let mut keys = column(&results, "key");
        keys.sort();
        assert_eq!(keys, ["a>b", "pii"]);
    }
    // A list parameter: IRIs separated by spaces, each answering.
    let both = "<https://meshgraph.dev/id/dataset/ns/orders> https://meshgraph.dev/id/dataset/ns/customers";
    let (status, results) = app
        .get(&format!(
            "/api/v1/queries/catalog-dataset-tags?dataset={}",
            enc(both)
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{results}");
    let mut datasets = column(&results, "dataset");
    datasets.sort();
    assert_eq!(
        datasets,
        [
            "https://meshgraph.dev/id/dataset/ns/customers",
            "https://meshgraph.dev/id/dataset/ns/orders",
            "https://meshgraph.dev/id/dataset/ns/orders"
        ]
    );
    // A query without parameters.
    let (status, results) = app.get("/api/v1/queries/catalog-tag-keys").await;
    assert_eq!(status, StatusCode::OK);
    let mut keys = column(&results, "key");
    keys.sort();
    assert_eq!(keys, ["a>b", "pii"]);
}

#[tokio::test]
async fn missing_unknown_and_ill_formed_parameters_are_refused() {
    let app = TestApp::new();
    let (status, body) = app.get("/api/v1/queries/catalog-tagged").await;
    let message = assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_parameter");
    assert!(message.contains("key"), "{message}");
    let (status, body) = app.get("/api/v1/queries/catalog-tagged?key=a&other=b").await;
    let message = assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_parameter");
    assert!(message.contains("other"), "{message}");
    let (status, body) = app.get("/api/v1/queries/catalog-tag-keys?key=a").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_parameter");
    for not_an_iri in ["a>b", "relative/path", &format!("<{NASTY}>")] {
        let (status, body) = app
            .get(&format!(
                "/api/v1/queries/catalog-dataset-tags?dataset={}",
                enc(not_an_iri)
            ))
            .await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_parameter");
    }
    let (status, body) = app.get("/api/v1/queries/no-such-query").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn a_parameter_cannot_break_out_of_its_query() {
    let app = TestApp::new();
    tagged(&app, 1, "orders", &["pii", "a>b"]).await;
    let before = app.footprint();
    // Bound as one literal: it matches no tag, and nothing is dropped.
    let (status, results) = app
        .get(&format!("/api/v1/queries/catalog-tagged?key={}", enc(NASTY)))
        .await;
    assert_eq!(status, StatusCode::OK, "{results}");
    assert_eq!(column(&results, "carrier"), Vec::<String>::new());
    assert_eq!(app.footprint(), before);
    // `>` in a literal matches exactly that literal, nothing more.
    let (status, results) = app
        .get(&format!("/api/v1/queries/catalog-tagged?key={}", enc("a>b")))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        column(&results, "carrier"),
        ["https://meshgraph.dev/id/dataset/ns/orders"]
    );
    assert_eq!(column(&results, "key"), ["a>b"]);
    let (_, results) = app
        .get(&format!("/api/v1/queries/catalog-tagged?key={}", enc("a")))
        .await;
    assert_eq!(column(&results, "carrier"), Vec::<String>::new());
    // A tag whose key is the nasty text is found by it, and only by it.
    tagged(&app, 2, "evil", &[NASTY]).await;
    let (_, results) = app
        .get(&format!("/api/v1/queries/catalog-tagged?key={}", enc(NASTY)))
        .await;
    assert_eq!(
        column(&results, "carrier"),
        ["https://meshgraph.dev/id/dataset/ns/evil"]
    );
    let (_, keys) = app.get("/api/v1/queries/catalog-tag-keys").await;
    assert_eq!(column(&keys, "key").len(), 3);
}

#[tokio::test]
async fn a_named_query_over_the_timeout_is_cancelled_with_503() {
    use meshgraph::config::Config;
    use oxigraph::model::vocab::{rdf, rdfs};
    use oxigraph::model::{GraphNameRef, Literal, NamedNode, QuadRef, TermRef};
    use std::time::Duration;

    let app = TestApp::with(Config {
        query_timeout: Duration::from_millis(1),
        ..Config::in_memory()
    });
    // 20,000 classes, each a row of `catalog-concepts`: far more than a
    // millisecond of work.
    let store = app.app.views.store().oxigraph();
    let class = NamedNode::new("http://www.w3.org/2002/07/owl#Class").unwrap();
    for i in 0..20_000 {
        let concept = NamedNode::new(format!("https://shop.example.org/ns#C{i}")).unwrap();
        let label = Literal::new_simple_literal(format!("concept {i}"));
        let statements: [(_, TermRef<'_>); 2] = [
            (rdf::TYPE, class.as_ref().into()),
            (rdfs::LABEL, label.as_ref().into()),
        ];
        for (predicate, object) in statements {
            store
                .insert(QuadRef::new(
                    &concept,
                    predicate,
                    object,
                    GraphNameRef::DefaultGraph,
                ))
                .unwrap();
        }
    }
    let (status, body) = app.get("/api/v1/queries/catalog-concepts").await;
    let message = assert_error(status, &body, StatusCode::SERVICE_UNAVAILABLE, "query_timeout");
    assert!(
        message.contains("0.001 s"),
        "the message names the timeout: {message}"
    );
    // The server is still there for the next query. That one is small, but
    // a millisecond is short on a loaded machine: a few tries.
    let mut statuses = Vec::new();
    for _ in 0..20 {
        let (status, _) = app.get("/api/v1/queries/catalog-tag-keys").await;
        statuses.push(status);
        if status == StatusCode::OK {
            break;
        }
    }
    assert_eq!(statuses.last(), Some(&StatusCode::OK), "{statuses:?}");
}
