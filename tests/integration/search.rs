//! The search index follows what is written: events add datasets, columns
//! and jobs and change their descriptions and schemas; documents and
//! updates change products, domains and concepts; and after a restart the
//! index rebuilt from the log answers as before.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use meshgraph::app::App;
use meshgraph::config::{Config, Storage};
use serde_json::{Value, json};

use crate::support::{TestApp, enc, run_id};

const DB: &str = "postgres://db:5432";
const DOCS: &str = "https://example.com/mesh/products";

/// `GET /api/v1/search`: the hits as (type, nodeId, match, field).
async fn search(app: &TestApp, q: &str, filter: &str) -> Vec<(String, String, String, String)> {
    let (status, body) = app
        .get(&format!("/api/v1/search?q={}&filter={filter}&limit=100", enc(q)))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap_or_default().to_owned();
            (text("type"), text("nodeId"), text("match"), text("field"))
        })
        .collect()
}

/// The node ids of the hits.
async fn found(app: &TestApp, q: &str, filter: &str) -> Vec<String> {
    search(app, q, filter).await.into_iter().map(|h| h.1).collect()
}

async fn post(app: &TestApp, event: Value) {
    let (status, body) = app.post("/api/v1/lineage", event.to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// A DatasetEvent setting facets of `sales.orders`.
fn orders(time: &str, facets: Value) -> Value {
    json!({
        "eventTime": time,
        "dataset": {"namespace": DB, "name": "sales.orders", "facets": facets},
        "producer": "https://meshgraph.dev/tests",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
    })
}

/// `load_orders` wrote `sales.orders`, with a description and a schema.
async fn seed(app: &TestApp) {
    post(
        app,
        json!({
            "eventType": "COMPLETE",
            "eventTime": "2026-11-24T10:00:00Z",
            "run": {"runId": run_id(1).to_string()},
            "job": {"namespace": "etl", "name": "load_orders",
                    "facets": {"documentation": {"description": "Copies the shop's orders nightly"}}},
            "outputs": [{"namespace": DB, "name": "sales.orders", "facets": {
                "documentation": {"description": "Every order placed in the shop"},
                "schema": {"fields": [
                    {"name": "order_id", "type": "int", "description": "The order's number"},
                    {"name": "amount", "type": "decimal"}
                ]}
            }}],
            "producer": "https://meshgraph.dev/tests",
            "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        }),
    )
    .await;
}

const ORDERS: &str = "dataset:postgres://db:5432:sales.orders";

#[tokio::test]
async fn events_add_and_change_what_search_finds() {
    let app = TestApp::new();
    assert!(found(&app, "orders", "").await.is_empty());
    seed(&app).await;
    assert_eq!(
        search(&app, "sales.orders", "").await[0],
        ("DATASET".into(), ORDERS.into(), "EXACT".into(), "NAME".into())
    );
    assert_eq!(found(&app, "load", "JOB").await, ["job:etl:load_orders"]);
    assert_eq!(found(&app, "nightly", "JOB").await, ["job:etl:load_orders"]);
    assert_eq!(
        found(&app, "amount", "DATASET_FIELD").await,
        [format!("datasetField:{DB}:sales.orders:amount")]
    );
    assert_eq!(
        search(&app, "order's number", "DATASET_FIELD").await,
        [(
            "DATASET_FIELD".into(),
            format!("datasetField:{DB}:sales.orders:order_id"),
            "WORD_PREFIX".into(),
            "DESCRIPTION".into()
        )]
    );
    assert_eq!(found(&app, "placed shop", "DATASET").await, [ORDERS]);

    // A later documentation facet replaces the description.
    post(
        &app,
        orders(
            "2026-11-25T10:00:00Z",
            json!({"documentation": {"description": "Refunded or not"}}),
        ),
    )
    .await;
    assert!(found(&app, "placed shop", "DATASET").await.is_empty());
    assert_eq!(found(&app, "refunded", "DATASET").await, [ORDERS]);
    // A new schema replaces the columns.
    post(
        &app,
        orders(
            "2026-11-26T10:00:00Z",
            json!({"schema": {"fields": [{"name": "order_id", "type": "bigint"}, {"name": "total"}]}}),
        ),
    )
    .await;
    assert!(found(&app, "amount", "DATASET_FIELD").await.is_empty());
    assert_eq!(
        found(&app, "total", "DATASET_FIELD").await,
        [format!("datasetField:{DB}:sales.orders:total")]
    );
    // Its description went with the old schema.
    assert!(found(&app, "order's number", "").await.is_empty());
    // A deleted facet removes what it said.
    post(
        &app,
        orders(
            "2026-11-27T10:00:00Z",
            json!({"documentation": {"_deleted": true}}),
        ),
    )
    .await;
    assert!(found(&app, "refunded", "").await.is_empty());
    assert_eq!(found(&app, "orders", "DATASET").await, [ORDERS]);
}

const PRODUCT: &str = r#"@prefix dprod: <https://ekgf.github.io/dprod/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix mg: <https://meshgraph.dev/ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <https://example.com/mesh/> .
ex:order-book a dprod:DataProduct ; dcterms:title "Order book" ;
  dcterms:description "All orders, cleaned" ; dprod:domain ex:sales .
ex:sales a mg:Domain ; rdfs:label "Sales" ."#;

#[tokio::test]
async fn documents_and_updates_change_products_domains_and_concepts() {
    let app = TestApp::new();
    seed(&app).await;
    assert!(found(&app, "order book", "DATA_PRODUCT").await.is_empty());
    app.put_turtle(DOCS, PRODUCT).await;
    assert_eq!(
        search(&app, "order book", "DATA_PRODUCT").await,
        [(
            "DATA_PRODUCT".into(),
            "https://example.com/mesh/order-book".into(),
            "EXACT".into(),
            "NAME".into()
        )]
    );
    assert_eq!(
        found(&app, "sales", "DOMAIN").await,
        ["https://example.com/mesh/sales"]
    );
    // A SPARQL update: a glossary term.
    let update = "INSERT DATA { GRAPH <https://example.com/glossary> {
        <https://example.com/glossary/order> a <http://www.w3.org/2004/02/skos/core#Concept> ;
          <http://www.w3.org/2004/02/skos/core#prefLabel> \"Customer order\" } }";
    let request = Request::builder()
        .method(Method::POST)
        .uri("/sparql")
        .header(header::CONTENT_TYPE, "application/sparql-update")
        .body(Body::from(update))
        .unwrap();
    let (status, body) = app.send(request).await;
    assert!(
        status.is_success(),
        "{status}: {}",
        String::from_utf8_lossy(&body)
    );
    assert_eq!(
        found(&app, "customer order", "CONCEPT").await,
        ["https://example.com/glossary/order"]
    );
    // Dropping the document drops its product and domain.
    let request = Request::builder()
        .method(Method::DELETE)
        .uri(format!("/store?graph={}", enc(DOCS)))
        .body(Body::empty())
        .unwrap();
    let (status, _) = app.send(request).await;
    assert!(status.is_success(), "{status}");
    assert!(
        found(&app, "order book", "")
            .await
            .iter()
            .all(|id| !id.contains("order-book"))
    );
    assert!(found(&app, "sales", "DOMAIN").await.is_empty());
}

#[tokio::test]
async fn the_index_rebuilt_after_a_restart_answers_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = move || Config {
        storage: Storage::Dir(data.clone()),
        ..Config::in_memory()
    };
    let (app, writer) = TestApp::with_writer(config());
    seed(&app).await;
    post(
        &app,
        orders(
            "2026-11-25T10:00:00Z",
            json!({"documentation": {"description": "Refunded or not"}}),
        ),
    )
    .await;
    app.put_turtle(DOCS, PRODUCT).await;
    let queries = ["orders", "order", "refunded", "amount", "sales", "load"];
    let mut before = Vec::new();
    for q in queries {
        before.push(search(&app, q, "").await);
    }
    assert!(before.iter().all(|hits| !hits.is_empty()), "{before:?}");
    drop(app);
    tokio::task::spawn_blocking(move || writer.join()).await.unwrap();

    let (reopened, writer) = tokio::task::spawn_blocking(move || App::open(config()))
        .await
        .unwrap()
        .expect("reopens");
    let reopened = TestApp {
        router: meshgraph::api::router(reopened.clone()),
        app: reopened,
    };
    for (q, hits) in queries.into_iter().zip(before) {
        assert_eq!(search(&reopened, q, "").await, hits, "{q}");
    }
    drop(reopened);
    tokio::task::spawn_blocking(move || writer.join()).await.unwrap();
}
