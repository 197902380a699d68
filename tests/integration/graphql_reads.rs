//! What a GraphQL query costs the RDF store: every answer counts its store
//! reads in `extensions.storeReads`, and a page of datasets with their
//! owners, products, concepts and neighbours costs the same reads whatever
//! its size (a list reads each kind of thing once for all its items).

use axum::http::StatusCode;
use meshgraph::store::iri;
use serde_json::{Value, json};

use crate::support::{TestApp, run_id};

const NS: &str = "warehouse";
/// Datasets in the chain: enough for a page of 100 and more.
const CHAIN: usize = 120;

fn table(i: usize) -> String {
    format!("t{i:03}")
}

/// The facets every table carries: an owner, a schema, a tag that names
/// the concept `PII` by its notation.
fn facets(i: usize) -> Value {
    json!({
        "ownership": {"owners": [{"name": format!("team:{}", i % 3), "type": "MAINTAINER"}]},
        "schema": {"fields": [{"name": "id", "type": "int"}, {"name": "email", "type": "text"}]},
        "tags": {"tags": [{"key": "PII", "value": "true", "field": "email"}]}
    })
}

/// t000 -> load_001 -> t001 -> load_002 -> ... -> t119: every table has the
/// one before it upstream and the one after it downstream.
async fn chain(app: &TestApp) {
    let events: Vec<Value> = (1..CHAIN)
        .map(|i| {
            json!({
                "eventType": "COMPLETE",
                "eventTime": "2026-11-24T10:00:00Z",
                "run": {"runId": run_id(i as u128).to_string()},
                "job": {"namespace": "etl", "name": format!("load_{i:03}")},
                "inputs": [{"namespace": NS, "name": table(i - 1), "facets": facets(i - 1)}],
                "outputs": [{"namespace": NS, "name": table(i), "facets": facets(i)}],
                "producer": "https://meshgraph.dev/tests",
                "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
            })
        })
        .collect();
    let (status, body) = app.post("/api/v1/lineage", Value::from(events).to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // A glossary term the tags name, and a product exposing every table.
    let datasets: Vec<String> = (0..CHAIN)
        .map(|i| format!("<{}>", iri::dataset(NS, &table(i)).as_str()))
        .collect();
    let turtle = format!(
        r#"@prefix dprod: <https://ekgf.github.io/dprod/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <https://example.com/mesh/> .
ex:pii a skos:Concept ; skos:prefLabel "Personal data" ; skos:notation "PII" .
ex:warehouse a dprod:DataProduct ; dcterms:title "Warehouse" ;
  dprod:outputDataset {} ."#,
        datasets.join(", ")
    );
    app.put_turtle("https://example.com/mesh/graph", &turtle).await;
}

const PAGE: &str = "query($first: Int!, $after: String) {
  datasets(namespace: \"warehouse\", first: $first, after: $after) {
    totalCount
    pageInfo { endCursor }
    nodes {
      name
      owners { name type }
      products { id title }
      concepts { id field via }
      upstream(first: 5) { totalCount nodes { name owners { name } } }
      downstream(first: 5) { nodes { name } }
    }
  }
}";

/// Runs a query through the router; its `data` and `extensions.storeReads`.
async fn page(app: &TestApp, first: usize, after: Option<&str>) -> (Value, u64) {
    let body = json!({"query": PAGE, "variables": {"first": first, "after": after}});
    let (status, answer) = app.post("/graphql", body.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(answer.get("errors").is_none(), "{answer}");
    let reads = answer["extensions"]["storeReads"]
        .as_u64()
        .unwrap_or_else(|| panic!("no storeReads: {answer}"));
    (answer["data"]["datasets"].clone(), reads)
}

#[tokio::test]
async fn a_page_of_datasets_costs_the_same_reads_whatever_its_size() {
    let app = TestApp::new();
    chain(&app).await;
    // The first answer after an RDF change also reads what documents say
    // (products, concepts), once for every reader until the next change.
    let (_, first_reads) = page(&app, 10, None).await;
    let (ten, ten_reads) = page(&app, 10, None).await;
    assert!(first_reads > ten_reads, "{first_reads} then {ten_reads}");
    let (hundred, hundred_reads) = page(&app, 100, None).await;
    assert_eq!(ten["totalCount"], CHAIN);
    assert_eq!(ten["nodes"].as_array().unwrap().len(), 10);
    assert_eq!(hundred["nodes"].as_array().unwrap().len(), 100);
    assert_eq!(
        ten_reads, hundred_reads,
        "a page of 10 cost {ten_reads} reads, a page of 100 {hundred_reads}"
    );
    // The next page costs the same again.
    let cursor = hundred["pageInfo"]["endCursor"].as_str().unwrap().to_owned();
    let (rest, rest_reads) = page(&app, 100, Some(&cursor)).await;
    assert_eq!(rest["nodes"].as_array().unwrap().len(), CHAIN - 100);
    assert_eq!(rest_reads, hundred_reads);
    // Another document: the next page reads what documents say again.
    app.put_turtle(
        "https://example.com/mesh/other",
        "<https://example.com/a> <https://example.com/b> \"c\" .",
    )
    .await;
    assert_eq!(page(&app, 10, None).await.1, first_reads);
    assert_eq!(page(&app, 100, None).await.1, hundred_reads);
    // And every item has what it was asked for, so no read was skipped.
    for (i, node) in hundred["nodes"].as_array().unwrap().iter().enumerate() {
        assert_eq!(node["name"], table(i));
        assert_eq!(
            node["owners"],
            json!([{"name": format!("team:{}", i % 3), "type": "MAINTAINER"}])
        );
        assert_eq!(
            node["products"],
            json!([{"id": "https://example.com/mesh/warehouse", "title": "Warehouse"}]),
            "{node}"
        );
        assert_eq!(
            node["concepts"],
            json!([{"id": "https://example.com/mesh/pii", "field": "email", "via": "TAG"}]),
            "{node}"
        );
        let up: Vec<&Value> = node["upstream"]["nodes"].as_array().unwrap().iter().collect();
        let down: Vec<&Value> = node["downstream"]["nodes"].as_array().unwrap().iter().collect();
        if i == 0 {
            assert!(up.is_empty(), "{node}");
        } else {
            assert_eq!(up.len(), 1, "{node}");
            assert_eq!(up[0]["name"], table(i - 1));
            assert_eq!(up[0]["owners"][0]["name"], format!("team:{}", (i - 1) % 3));
        }
        assert_eq!(down.len(), 1, "{node}");
        assert_eq!(down[0]["name"], table(i + 1));
    }
}

#[tokio::test]
async fn every_answer_counts_its_store_reads() {
    let app = TestApp::new();
    chain(&app).await;
    let query = |q: &str| json!({"query": q}).to_string();
    // One dataset: the batch read of one.
    let (_, one) = app
        .post(
            "/graphql",
            query(r#"{ dataset(namespace: "warehouse", name: "t001") { name owners { name } } }"#),
        )
        .await;
    assert_eq!(one["data"]["dataset"]["name"], "t001");
    let one = one["extensions"]["storeReads"].as_u64().unwrap();
    assert!(one > 0, "reading a dataset reads the store");
    // Lineage comes from the projection, in memory: no read at all.
    let (_, lineage) = app
        .post(
            "/graphql",
            query(r#"{ lineage(nodeId: "dataset:warehouse:t005", depth: 2) { nodes { id } } }"#),
        )
        .await;
    assert!(!lineage["data"]["lineage"]["nodes"].as_array().unwrap().is_empty());
    assert_eq!(lineage["extensions"]["storeReads"], 0);
    // Each request of a batch counts its own.
    let batch = json!([
        {"query": r#"{ dataset(namespace: "warehouse", name: "t001") { name } }"#},
        {"query": r#"{ lineage(nodeId: "dataset:warehouse:t005") { nodes { id } } }"#}
    ]);
    let (status, answers) = app.post("/graphql", batch.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{answers}");
    assert!(
        answers[0]["extensions"]["storeReads"].as_u64().unwrap() > 0,
        "{answers}"
    );
    assert_eq!(answers[1]["extensions"]["storeReads"], 0, "{answers}");
}
