//! The GraphQL mutations through the real router: each one's effect read
//! back through GraphQL and REST, their error codes, the API-key rule, and
//! that what they write is rebuilt from the log on restart.

use axum::http::StatusCode;
use meshgraph::config::Config;
use serde_json::{Value, json};

use crate::support::{TestApp, enc};

const NS: &str = "postgres://db.example:5432";
const SCHED: &str = "example-scheduler";
const RUN: &str = "00000000-0000-4000-8000-0000000000a1";
const CUSTOMER: &str = "https://example.com/ontology#Customer";
const EMAIL: &str = "https://example.com/glossary/EmailAddress";
const ANNOTATIONS: &str = "https://meshgraph.dev/id/graph/annotations";

const INGEST: &str = "mutation($e: JSON!) { ingestEvent(event: $e) { accepted duplicate } }";
const TIE: &str = "mutation($c: String!, $ns: String!, $n: String!, $f: String) {
    tieConcept(concept: $c, namespace: $ns, name: $n, field: $f) { concept namespace name field subject graph } }";
const UNTIE: &str = "mutation($c: String!, $ns: String!, $n: String!, $f: String) {
    untieConcept(concept: $c, namespace: $ns, name: $n, field: $f) { subject } }";
const OWNER: &str = "mutation($ns: String!, $n: String!, $o: String!, $t: String) {
    setDatasetOwner(namespace: $ns, name: $n, owner: $o, type: $t) { accepted duplicate } }";

/// Job `etl` read `raw` and wrote `clean` (an `email` column, owned by `team:old`).
fn etl_event() -> Value {
    json!({
        "eventType": "COMPLETE",
        "eventTime": "2024-03-01T12:00:00Z",
        "producer": "https://example.com/test",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": RUN},
        "job": {"namespace": SCHED, "name": "etl"},
        "inputs": [{"namespace": NS, "name": "raw"}],
        "outputs": [{"namespace": NS, "name": "clean", "facets": {
            "schema": {"fields": [{"name": "id", "type": "INT"}, {"name": "email", "type": "STRING"}]},
            "ownership": {"owners": [{"name": "team:old", "type": "OWNER"}]},
        }}],
    })
}

/// Sends a GraphQL request (with extra headers) and returns the response.
async fn gql_with(app: &TestApp, headers: &[(&str, &str)], query: &str, variables: Value) -> Value {
    let mut all = vec![("content-type", "application/json")];
    all.extend_from_slice(headers);
    let body = json!({ "query": query, "variables": variables }).to_string();
    let (status, body) = app.post_with("/graphql", &all, body).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn gql(app: &TestApp, query: &str, variables: Value) -> Value {
    gql_with(app, &[], query, variables).await
}

/// Runs a request that must succeed and returns its `data`.
async fn data(app: &TestApp, query: &str, variables: Value) -> Value {
    let body = gql(app, query, variables).await;
    assert!(body.get("errors").is_none(), "{query}: {body}");
    body["data"].clone()
}

/// The `extensions.code` of the only error of a request that must fail.
fn code(body: &Value) -> &str {
    assert_eq!(body["errors"].as_array().map(Vec::len), Some(1), "{body}");
    assert!(
        !body["errors"][0]["message"].as_str().unwrap_or("").is_empty(),
        "{body}"
    );
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no code: {body}"))
}

/// The concepts REST lists on a dataset, as `(field, id, via)`.
async fn rest_concepts(app: &TestApp, name: &str) -> Vec<(Value, String, String)> {
    let path = format!("/api/v1/namespaces/{}/datasets/{}/concepts", enc(NS), enc(name));
    let (status, body) = app.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["concepts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["field"].clone(),
                c["id"].as_str().unwrap().to_owned(),
                c["via"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// A dataset's owners through GraphQL, as `(name, type)`.
async fn owners(app: &TestApp, name: &str) -> Value {
    let d = data(
        app,
        "query($ns: String!, $n: String!) { dataset(namespace: $ns, name: $n) { owners { name type } } }",
        json!({"ns": NS, "n": name}),
    )
    .await;
    d["dataset"]["owners"].clone()
}

fn tie_vars(concept: &str, name: &str, field: Option<&str>) -> Value {
    json!({"c": concept, "ns": NS, "n": name, "f": field})
}

#[tokio::test]
async fn ingest_event_writes_an_event_as_post_lineage_does() {
    let app = TestApp::new();
    let d = data(&app, INGEST, json!({"e": etl_event()})).await;
    assert_eq!(d["ingestEvent"], json!({"accepted": true, "duplicate": false}));
    assert_eq!(app.log_len(), 1);
    // Visible at once, to REST and GraphQL alike.
    let (status, clean) = app
        .get(&format!("/api/v1/namespaces/{}/datasets/clean", enc(NS)))
        .await;
    assert_eq!(status, StatusCode::OK, "{clean}");
    let d = data(
        &app,
        r#"{ lineage(nodeId: "dataset:postgres://db.example:5432:clean", direction: UPSTREAM) { nodes { id } } }"#,
        json!({}),
    )
    .await;
    let ids: Vec<&str> = d["lineage"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"job:example-scheduler:etl"), "{d}");
    // The same event again is a duplicate: logged once.
    let d = data(&app, INGEST, json!({"e": etl_event()})).await;
    assert_eq!(d["ingestEvent"], json!({"accepted": true, "duplicate": true}));
    assert_eq!(app.log_len(), 1);
    // As text, the bytes are kept as sent: other bytes, a new record.
    let text = serde_json::to_string_pretty(&etl_event()).unwrap();
    let d = data(&app, INGEST, json!({"e": text})).await;
    assert_eq!(d["ingestEvent"]["duplicate"], false);
    let d = data(&app, INGEST, json!({"e": text})).await;
    assert_eq!(d["ingestEvent"]["duplicate"], true);
    assert_eq!(app.log_len(), 2);
    // A JobEvent and a DatasetEvent are events too.
    let job = json!({"eventTime": "2024-03-02T00:00:00Z", "producer": "https://example.com/test",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent",
        "job": {"namespace": SCHED, "name": "declared"}, "inputs": [], "outputs": []});
    let dataset = json!({"eventTime": "2024-03-02T00:00:00Z", "producer": "https://example.com/test",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
        "dataset": {"namespace": NS, "name": "static"}});
    for event in [job, dataset] {
        let d = data(&app, INGEST, json!({"e": event})).await;
        assert_eq!(d["ingestEvent"]["accepted"], true);
    }
    assert_eq!(app.log_len(), 4);
    let (status, _) = app
        .get(&format!("/api/v1/namespaces/{}/datasets/static", enc(NS)))
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn ingest_event_refuses_what_post_lineage_refuses_with_the_same_codes() {
    let app = TestApp::new();
    let mut no_job = etl_event();
    no_job.as_object_mut().unwrap().remove("job");
    let mut bad_time = etl_event();
    bad_time["eventTime"] = json!("yesterday");
    let cases = [
        (json!("{\"eventTime\": "), "malformed_json"),
        (json!("not json"), "malformed_json"),
        (no_job.clone(), "invalid_event"),
        (bad_time.clone(), "invalid_event"),
        (json!({"hello": "world"}), "invalid_event"),
        (json!(42), "invalid_event"),
    ];
    for (event, expected) in cases {
        let body = gql(&app, INGEST, json!({"e": event})).await;
        assert_eq!(code(&body), expected, "{event}: {body}");
        // REST answers the same bytes with the same code.
        let text = match &event {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        let (_, rest) = app.post("/api/v1/lineage", text).await;
        assert_eq!(rest["code"], expected, "{event}: {rest}");
    }
    // One event per mutation: an array is refused, not half-written.
    let body = gql(&app, INGEST, json!({"e": [etl_event()]})).await;
    assert_eq!(code(&body), "invalid_event");
    assert_eq!(app.log_len(), 0);
}

#[tokio::test]
async fn tie_and_untie_concept_show_in_the_catalog() {
    let app = TestApp::new();
    data(&app, INGEST, json!({"e": etl_event()})).await;
    let d = data(&app, TIE, tie_vars(CUSTOMER, "clean", None)).await;
    assert_eq!(
        d["tieConcept"],
        json!({
            "concept": CUSTOMER, "namespace": NS, "name": "clean", "field": null,
            "subject": format!("https://meshgraph.dev/id/dataset/{}/clean", enc_segment(NS)),
            "graph": ANNOTATIONS,
        })
    );
    let d = data(&app, TIE, tie_vars(EMAIL, "clean", Some("email"))).await;
    assert!(
        d["tieConcept"]["subject"]
            .as_str()
            .unwrap()
            .ends_with("/clean/field/email")
    );
    // Tying again changes nothing.
    data(&app, TIE, tie_vars(CUSTOMER, "clean", None)).await;
    assert_eq!(
        rest_concepts(&app, "clean").await,
        vec![
            (Value::Null, CUSTOMER.to_owned(), "statement".to_owned()),
            (json!("email"), EMAIL.to_owned(), "statement".to_owned()),
        ]
    );
    // The concept's side lists the dataset and the column.
    let concept = |iri: &str| {
        let iri = iri.to_owned();
        let app = &app;
        async move {
            data(
                app,
                "query($i: String!) { concept(iri: $i) { datasets { name } columns { field dataset { name } } } }",
                json!({"i": iri}),
            )
            .await["concept"]
                .clone()
        }
    };
    assert_eq!(concept(CUSTOMER).await["datasets"], json!([{"name": "clean"}]));
    assert_eq!(
        concept(EMAIL).await["columns"],
        json!([{"field": "email", "dataset": {"name": "clean"}}])
    );
    // Untied, both are gone.
    data(&app, UNTIE, tie_vars(CUSTOMER, "clean", None)).await;
    data(&app, UNTIE, tie_vars(EMAIL, "clean", Some("email"))).await;
    assert_eq!(rest_concepts(&app, "clean").await, vec![]);
    assert_eq!(concept(CUSTOMER).await, Value::Null);
    // Untying what is not tied is harmless.
    data(&app, UNTIE, tie_vars(CUSTOMER, "clean", None)).await;
}

/// `iri::segment`: everything but unreserved characters percent-encoded.
fn enc_segment(text: &str) -> String {
    meshgraph::store::iri::segment(text)
}

#[tokio::test]
async fn a_tie_names_any_dataset_without_reaching_into_sparql() {
    // Quotes, `>`, braces and a would-be second operation stay a name.
    let app = TestApp::new();
    let nasty = "odd> } ; DROP ALL ; INSERT DATA { <a:b> <c:d> \"e\" }";
    data(&app, TIE, tie_vars(CUSTOMER, nasty, Some("a.b \"c\""))).await;
    let quads: Vec<String> = app
        .app
        .views
        .store()
        .oxigraph()
        .iter()
        .map(|q| q.unwrap().to_string())
        .collect();
    assert_eq!(quads.len(), 1, "{quads:?}");
    assert!(
        quads[0].ends_with(&format!("<{CUSTOMER}> <{ANNOTATIONS}>")),
        "{quads:?}"
    );
    assert_eq!(
        rest_concepts(&app, nasty).await,
        vec![(json!("a.b \"c\""), CUSTOMER.to_owned(), "statement".to_owned())]
    );
    data(&app, UNTIE, tie_vars(CUSTOMER, nasty, Some("a.b \"c\""))).await;
    assert_eq!(app.app.views.store().oxigraph().len().unwrap(), 0);
}

#[tokio::test]
async fn tie_concept_refuses_bad_arguments_with_invalid_parameter() {
    let app = TestApp::new();
    for (mutation, vars) in [
        (TIE, tie_vars("Customer", "clean", None)),
        (TIE, tie_vars("", "clean", None)),
        (TIE, tie_vars("https://exa mple.com/x", "clean", None)),
        (TIE, tie_vars(CUSTOMER, "", None)),
        (TIE, tie_vars(CUSTOMER, "clean", Some(""))),
        (UNTIE, tie_vars("#Customer", "clean", None)),
        (OWNER, json!({"ns": NS, "n": "clean", "o": ""})),
        (OWNER, json!({"ns": NS, "n": "", "o": "team:x"})),
    ] {
        let body = gql(&app, mutation, vars.clone()).await;
        assert_eq!(code(&body), "invalid_parameter", "{vars}: {body}");
    }
    assert_eq!(app.log_len(), 0);
}

#[tokio::test]
async fn set_dataset_owner_replaces_the_ownership_facet_everywhere() {
    let app = TestApp::new();
    data(&app, INGEST, json!({"e": etl_event()})).await;
    assert_eq!(
        owners(&app, "clean").await,
        json!([{"name": "team:old", "type": "OWNER"}])
    );
    let d = data(
        &app,
        OWNER,
        json!({"ns": NS, "n": "clean", "o": "team:new", "t": "MAINTAINER"}),
    )
    .await;
    assert_eq!(
        d["setDatasetOwner"],
        json!({"accepted": true, "duplicate": false})
    );
    // The store, REST and GraphQL: the new owner alone.
    assert_eq!(
        owners(&app, "clean").await,
        json!([{"name": "team:new", "type": "MAINTAINER"}])
    );
    let (_, rest) = app
        .get(&format!("/api/v1/namespaces/{}/datasets/clean", enc(NS)))
        .await;
    assert_eq!(
        rest["facets"]["ownership"]["owners"],
        json!([{"name": "team:new", "type": "MAINTAINER"}]),
        "{rest}"
    );
    assert_eq!(
        rest["facets"]["ownership"]["_producer"],
        "https://meshgraph.dev/graphql"
    );
    // The projection: impact's owner groups follow.
    let impact = data(
        &app,
        r#"{ impact(nodeId: "dataset:postgres://db.example:5432:raw") { groups { owners { name } } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(
        impact["impact"]["groups"]["owners"],
        json!([{"name": "team:new"}]),
        "{impact}"
    );
    // The event is in the log as a DatasetEvent like any other.
    let (_, events) = app.get("/api/v1/events/lineage?limit=1").await;
    let event = &events["events"][0];
    assert_eq!(event["producer"], "https://meshgraph.dev/graphql", "{events}");
    assert_eq!(event["dataset"]["name"], "clean");
    // Without a type; a dataset never reported is created.
    data(&app, OWNER, json!({"ns": NS, "n": "new", "o": "user:jdoe"})).await;
    assert_eq!(
        owners(&app, "new").await,
        json!([{"name": "user:jdoe", "type": null}])
    );
}

#[tokio::test]
async fn mutations_need_the_api_key_when_one_is_configured_and_queries_do_not() {
    let app = TestApp::with(Config {
        api_key: Some("s3cret".into()),
        ..Config::in_memory()
    });
    let mutations = [
        (INGEST, json!({"e": etl_event()})),
        (TIE, tie_vars(CUSTOMER, "clean", None)),
        (UNTIE, tie_vars(CUSTOMER, "clean", None)),
        (OWNER, json!({"ns": NS, "n": "clean", "o": "team:x"})),
    ];
    for auth in [None, Some("Bearer wrong"), Some("s3cret"), Some("Basic czNjcmV0")] {
        let headers: Vec<(&str, &str)> = auth.map(|a| ("authorization", a)).into_iter().collect();
        for (mutation, vars) in &mutations {
            let body = gql_with(&app, &headers, mutation, vars.clone()).await;
            assert_eq!(code(&body), "unauthorized", "{auth:?} {mutation}: {body}");
        }
        // Queries stay open.
        let body = gql_with(&app, &headers, "{ namespaces { totalCount } }", json!({})).await;
        assert!(body.get("errors").is_none(), "{body}");
    }
    assert_eq!(app.log_len(), 0);
    // In a batch, each request is judged alone: the query runs, the mutation is refused.
    let batch = json!([
        {"query": "{ namespaces { totalCount } }"},
        {"query": INGEST, "variables": {"e": etl_event()}},
    ]);
    let (status, body) = app
        .post_with(
            "/graphql",
            &[("content-type", "application/json")],
            batch.to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body[0].get("errors").is_none(), "{body}");
    assert_eq!(code(&body[1]), "unauthorized");
    assert_eq!(app.log_len(), 0);
    // With the key, every mutation goes through.
    let auth = [("authorization", "Bearer s3cret")];
    for (mutation, vars) in &mutations {
        let body = gql_with(&app, &auth, mutation, vars.clone()).await;
        assert!(body.get("errors").is_none(), "{mutation}: {body}");
    }
    assert_eq!(app.log_len(), 4);
}

#[tokio::test]
async fn mutations_are_rebuilt_from_the_log_on_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        storage: meshgraph::config::Storage::Dir(dir.path().to_owned()),
        ..Config::in_memory()
    };
    let (app, writer) = TestApp::with_writer(config.clone());
    data(&app, INGEST, json!({"e": etl_event()})).await;
    data(&app, TIE, tie_vars(CUSTOMER, "clean", None)).await;
    data(&app, TIE, tie_vars(EMAIL, "clean", Some("email"))).await;
    data(&app, UNTIE, tie_vars(EMAIL, "clean", Some("email"))).await;
    data(&app, OWNER, json!({"ns": NS, "n": "clean", "o": "team:new"})).await;
    let concepts = rest_concepts(&app, "clean").await;
    assert_eq!(
        concepts,
        vec![(Value::Null, CUSTOMER.to_owned(), "statement".to_owned())]
    );
    let owned = owners(&app, "clean").await;
    assert_eq!(owned, json!([{"name": "team:new", "type": null}]));
    drop(app);
    writer.join();

    let (app, writer) = TestApp::with_writer(config);
    assert_eq!(rest_concepts(&app, "clean").await, concepts);
    assert_eq!(owners(&app, "clean").await, owned);
    drop(app);
    writer.join();
}
