//! The GraphQL API's entity fields through the real router: every top-level
//! field, answers that agree with REST, pagination, the limits, error codes,
//! GraphiQL, and the SDL snapshot.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};

use crate::support::{TestApp, enc};

const NS: &str = "postgres://db.example:5432";
const SCHED: &str = "example-scheduler";
const R1: &str = "00000000-0000-4000-8000-000000000001";
const R2: &str = "00000000-0000-4000-8000-000000000002";

fn event(run: &str, ty: &str, time: &str, job: Value, inputs: Value, outputs: Value) -> Value {
    json!({
        "eventType": ty,
        "eventTime": time,
        "producer": "https://example.com/test",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": run, "facets": {"custom": {"x": 1.50, "a": [1, 2]}}},
        "job": job,
        "inputs": inputs,
        "outputs": outputs,
    })
}

async fn post(app: &TestApp, body: Value) {
    let (status, answer) = app.post("/api/v1/lineage", body.to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
}

/// Runs a query and returns the whole response (`data`, `errors`).
async fn gql(app: &TestApp, query: &str) -> Value {
    let (status, body) = app.post("/graphql", json!({ "query": query }).to_string()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Runs a query that must succeed and returns its `data`.
async fn data(app: &TestApp, query: &str) -> Value {
    let body = gql(app, query).await;
    assert!(body.get("errors").is_none(), "{query}: {body}");
    body["data"].clone()
}

/// The code of the first error of a query that must fail.
async fn error_code(app: &TestApp, query: &str) -> String {
    let body = gql(app, query).await;
    let error = &body["errors"][0];
    assert!(!error["message"].as_str().unwrap_or("").is_empty(), "{body}");
    error["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no code: {body}"))
        .to_owned()
}

/// A job `etl` that read `raw` and wrote `clean` (with schema, ownership and
/// documentation), plus two more datasets for paging.
async fn mesh() -> TestApp {
    let app = TestApp::new();
    let job = json!({"namespace": SCHED, "name": "etl", "facets": {
        "sql": {"query": "INSERT INTO clean SELECT * FROM raw", "dialect": "postgres"},
        "documentation": {"description": "cleans raw"},
    }});
    let clean = json!({"namespace": NS, "name": "clean", "facets": {
        "schema": {"fields": [
            {"name": "id", "type": "INT", "description": "the key"},
            {"name": "address", "type": "STRUCT", "fields": [
                {"name": "city", "type": "STRING", "fields": [{"name": "code", "type": "STRING"}]}
            ]}
        ]},
        "ownership": {"owners": [{"name": "team:core", "type": "MAINTAINER"}]},
        "documentation": {"description": "clean rows"},
        "myCustom": {"keep": "as sent", "n": 1.50},
    }});
    post(
        &app,
        event(
            R1,
            "START",
            "2024-05-01T00:00:00Z",
            job.clone(),
            json!([{"namespace": NS, "name": "raw"}]),
            json!([clean]),
        ),
    )
    .await;
    post(
        &app,
        event(
            R1,
            "COMPLETE",
            "2024-05-01T00:10:00Z",
            job.clone(),
            json!([]),
            json!([]),
        ),
    )
    .await;
    post(
        &app,
        event(
            R2,
            "START",
            "2024-05-02T00:00:00Z",
            json!({"namespace": SCHED, "name": "load"}),
            json!([]),
            json!([{"namespace": NS, "name": "archive"}, {"namespace": NS, "name": "zeta"}]),
        ),
    )
    .await;
    app
}

#[tokio::test]
async fn namespaces_and_datasets_agree_with_rest() {
    let app = mesh().await;
    let d = data(
        &app,
        r#"{ namespaces { totalCount nodes { name createdAt updatedAt } }
             namespace(name: "postgres://db.example:5432") { name datasets(first: 1) { nodes { name } } jobs { totalCount } }
             unknown: namespace(name: "nope") { name } }"#,
    )
    .await;
    let names: Vec<&str> = d["namespaces"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, [SCHED, NS]);
    let (_, rest) = app.get("/api/v1/namespaces").await;
    assert_eq!(
        d["namespaces"]["nodes"][0]["createdAt"],
        rest["namespaces"][0]["createdAt"]
    );
    assert_eq!(d["namespace"]["datasets"]["nodes"][0]["name"], "archive");
    assert_eq!(d["namespace"]["jobs"]["totalCount"], 0);
    assert_eq!(d["unknown"], Value::Null);

    let d = data(
        &app,
        &format!(
            r#"{{ dataset(namespace: "{NS}", name: "clean") {{
                namespace name type sourceName description tags createdAt updatedAt lastModifiedAt currentVersion
                owners {{ name type }}
                fields {{ name type description tags fields {{ name type fields {{ name type }} }} }}
                facets
                some: facets(keys: ["myCustom"])
            }}
            missing: dataset(namespace: "{NS}", name: "nope") {{ name }} }}"#
        ),
    )
    .await;
    let ds = &d["dataset"];
    let (status, rest) = app
        .get(&format!("/api/v1/namespaces/{}/datasets/clean", enc(NS)))
        .await;
    assert_eq!(status, StatusCode::OK);
    for (gql_key, rest_key) in [
        ("namespace", "namespace"),
        ("name", "name"),
        ("type", "type"),
        ("sourceName", "sourceName"),
        ("description", "description"),
        ("createdAt", "createdAt"),
        ("updatedAt", "updatedAt"),
        ("lastModifiedAt", "lastModifiedAt"),
        ("currentVersion", "currentVersion"),
        ("facets", "facets"),
    ] {
        assert_eq!(ds[gql_key], rest[rest_key], "{gql_key}");
    }
    assert_eq!(ds["owners"], json!([{"name": "team:core", "type": "MAINTAINER"}]));
    assert_eq!(ds["fields"][0]["description"], "the key");
    assert_eq!(ds["fields"][1]["fields"][0]["fields"][0]["name"], "code");
    assert_eq!(ds["some"], json!({"myCustom": {"keep": "as sent", "n": 1.50}}));
    assert_eq!(d["missing"], Value::Null);

    // Facets come back byte-for-byte, as REST serves them.
    let raw = format!(
        r#"{{"eventType":"COMPLETE","eventTime":"2024-05-03T00:00:00Z","producer":"p","run":{{"runId":"{R2}"}},"job":{{"namespace":"{SCHED}","name":"load"}},"outputs":[{{"namespace":"{NS}","name":"zeta","facets":{{"odd":{{"n": 1.50, "z":1, "a": [ 1 ]}}}}}}]}}"#
    );
    let (status, answer) = app.post("/api/v1/lineage", raw).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let query = json!({"query": format!(r#"{{ dataset(namespace: "{NS}", name: "zeta") {{ facets(keys: ["odd"]) }} }}"#)});
    let (_, bytes) = app
        .send(
            Request::post("/graphql")
                .header("content-type", "application/json")
                .body(Body::from(query.to_string()))
                .unwrap(),
        )
        .await;
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        text.contains(r#"{"odd":{"n": 1.50, "z":1, "a": [ 1 ]}}"#),
        "{text}"
    );

    let d = data(
        &app,
        &format!(r#"{{ datasets(namespace: "{NS}") {{ totalCount nodes {{ name }} }} }}"#),
    )
    .await;
    assert_eq!(d["datasets"]["totalCount"], 4);
    assert_eq!(
        error_code(&app, r#"{ datasets(namespace: "nope") { totalCount } }"#).await,
        "not_found"
    );
}

#[tokio::test]
async fn jobs_and_runs_agree_with_rest() {
    let app = mesh().await;
    let d = data(
        &app,
        &format!(
            r#"{{ jobs(namespace: "{SCHED}") {{ totalCount nodes {{ name type }} }}
                job(namespace: "{SCHED}", name: "etl") {{
                    name namespace description type
                    sql {{ query dialect }}
                    inputs {{ name namespace }}
                    outputs {{ name owners {{ name }} }}
                    latestRun {{ id state }}
                    runs(first: 10) {{ totalCount nodes {{ id state durationMs }} }}
                    facets(keys: ["sql"])
                }}
                none: job(namespace: "{SCHED}", name: "nope") {{ name }} }}"#
        ),
    )
    .await;
    assert_eq!(d["jobs"]["totalCount"], 2);
    assert_eq!(d["jobs"]["nodes"][0]["name"], "etl");
    assert_eq!(d["jobs"]["nodes"][0]["type"], "BATCH");
    let job = &d["job"];
    assert_eq!(
        job["sql"],
        json!({"query": "INSERT INTO clean SELECT * FROM raw", "dialect": "postgres"})
    );
    assert_eq!(job["description"], "cleans raw");
    assert_eq!(job["inputs"], json!([{"name": "raw", "namespace": NS}]));
    assert_eq!(job["outputs"][0]["name"], "clean");
    assert_eq!(job["outputs"][0]["owners"][0]["name"], "team:core");
    assert_eq!(job["latestRun"], json!({"id": R1, "state": "COMPLETED"}));
    assert_eq!(job["runs"]["totalCount"], 1);
    assert_eq!(job["runs"]["nodes"][0]["durationMs"], 600_000);
    assert_eq!(d["none"], Value::Null);
    let (_, rest_job) = app
        .get(&format!("/api/v1/namespaces/{}/jobs/etl", enc(SCHED)))
        .await;
    assert_eq!(job["facets"]["sql"], rest_job["facets"]["sql"]);

    let d = data(
        &app,
        &format!(
            r#"{{ run(id: "{R1}") {{
                id state jobName jobNamespace job {{ name }} createdAt updatedAt startedAt endedAt durationMs jobVersion
                facets
                inputs {{ namespace name version facets dataset {{ name }} }}
                outputs {{ namespace name version facets }}
            }}
            missing: run(id: "00000000-0000-4000-8000-0000000000ff") {{ id }} }}"#
        ),
    )
    .await;
    let run = &d["run"];
    let (_, rest) = app.get(&format!("/api/v1/jobs/runs/{R1}")).await;
    assert_eq!(run["id"], rest["id"]);
    assert_eq!(run["state"], rest["state"]);
    for key in [
        "createdAt",
        "updatedAt",
        "startedAt",
        "endedAt",
        "durationMs",
        "facets",
    ] {
        assert_eq!(run[key], rest[key], "{key}");
    }
    assert_eq!(run["jobVersion"], rest["jobVersion"]["version"]);
    assert_eq!(run["job"]["name"], "etl");
    assert_eq!(run["inputs"][0]["name"], "raw");
    assert_eq!(
        run["inputs"][0]["version"],
        rest["inputDatasetVersions"][0]["datasetVersionId"]["version"]
    );
    assert_eq!(run["inputs"][0]["dataset"]["name"], "raw");
    assert_eq!(
        run["outputs"][0]["version"],
        rest["outputDatasetVersions"][0]["datasetVersionId"]["version"]
    );
    assert_eq!(
        run["outputs"][0]["facets"],
        rest["outputDatasetVersions"][0]["facets"]
    );
    assert_eq!(d["missing"], Value::Null);
    assert_eq!(
        error_code(&app, r#"{ run(id: "not-a-uuid") { id } }"#).await,
        "invalid_parameter"
    );
    assert_eq!(
        error_code(&app, r#"{ jobs(namespace: "nope") { totalCount } }"#).await,
        "not_found"
    );
}

#[tokio::test]
async fn events_are_newest_first_in_a_time_window() {
    let app = mesh().await;
    let d = data(&app, "{ events { totalCount nodes } }").await;
    assert_eq!(d["events"]["totalCount"], 3);
    let times: Vec<&str> = d["events"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["eventTime"].as_str().unwrap())
        .collect();
    assert_eq!(
        times,
        [
            "2024-05-02T00:00:00Z",
            "2024-05-01T00:10:00Z",
            "2024-05-01T00:00:00Z"
        ]
    );
    let (_, rest) = app.get("/api/v1/events/lineage").await;
    assert_eq!(d["events"]["nodes"], rest["events"]);
    let d = data(
        &app,
        r#"{ events(since: "2024-05-01T00:05:00Z", until: "2024-05-01T12:00:00+02:00", first: 1) {
              totalCount edges { cursor node } pageInfo { hasNextPage hasPreviousPage } } }"#,
    )
    .await;
    assert_eq!(d["events"]["totalCount"], 1);
    assert_eq!(d["events"]["edges"][0]["node"]["eventType"], "COMPLETE");
    assert_eq!(d["events"]["pageInfo"]["hasNextPage"], false);
    assert_eq!(
        error_code(&app, r#"{ events(since: "yesterday") { totalCount } }"#).await,
        "invalid_parameter"
    );
}

#[tokio::test]
async fn lists_page_with_cursors() {
    let app = mesh().await;
    let page = |after: Option<&str>| {
        let after = after.map(|c| format!(r#", after: "{c}""#)).unwrap_or_default();
        format!(
            r#"{{ datasets(namespace: "{NS}", first: 2{after}) {{
                totalCount edges {{ cursor node {{ name }} }}
                pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} }} }}"#
        )
    };
    let first = data(&app, &page(None)).await;
    let list = &first["datasets"];
    assert_eq!(list["totalCount"], 4);
    assert_eq!(list["edges"][0]["node"]["name"], "archive");
    assert_eq!(list["edges"][1]["node"]["name"], "clean");
    assert_eq!(list["pageInfo"]["hasNextPage"], true);
    assert_eq!(list["pageInfo"]["hasPreviousPage"], false);
    let end = list["pageInfo"]["endCursor"].as_str().unwrap();
    assert_eq!(list["edges"][1]["cursor"], end);
    let second = data(&app, &page(Some(end))).await;
    let list = &second["datasets"];
    let names: Vec<&str> = list["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["raw", "zeta"]);
    assert_eq!(list["pageInfo"]["hasNextPage"], false);
    assert_eq!(list["pageInfo"]["hasPreviousPage"], true);
    let past = data(&app, &page(Some(list["pageInfo"]["endCursor"].as_str().unwrap()))).await;
    assert_eq!(past["datasets"]["edges"], json!([]));
    assert_eq!(past["datasets"]["pageInfo"]["hasNextPage"], false);

    let zero = data(
        &app,
        r#"{ namespaces(first: 0) { totalCount nodes { name } pageInfo { hasNextPage } } }"#,
    )
    .await;
    assert_eq!(zero["namespaces"]["nodes"], json!([]));
    assert_eq!(zero["namespaces"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(
        error_code(&app, r#"{ namespaces(first: -1) { totalCount } }"#).await,
        "invalid_parameter"
    );
    assert_eq!(
        error_code(&app, r#"{ namespaces(first: 5000) { totalCount } }"#).await,
        "invalid_parameter"
    );
    assert_eq!(
        error_code(&app, r#"{ namespaces(after: "bogus") { totalCount } }"#).await,
        "invalid_parameter"
    );
}

#[tokio::test]
async fn limits_and_malformed_queries_are_refused_with_codes() {
    let app = mesh().await;
    let deep = format!(
        r#"{{ dataset(namespace: "{NS}", name: "clean") {{ {} name {} }} }}"#,
        "fields {".repeat(20),
        "}".repeat(20)
    );
    let body = gql(&app, &deep).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "query_too_complex",
        "{body}"
    );
    assert!(
        body["errors"][0]["message"].as_str().unwrap().contains("16"),
        "{body}"
    );
    assert!(body["data"].is_null(), "nothing ran: {body}");
    let costly = format!(
        r#"{{ jobs(namespace: "{SCHED}", first: 1000) {{ nodes {{ runs(first: 1000) {{ nodes {{ id }} }} }} }} }}"#
    );
    let body = gql(&app, &costly).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "query_too_complex",
        "{body}"
    );
    assert!(
        body["errors"][0]["message"].as_str().unwrap().contains("20000"),
        "{body}"
    );
    assert_eq!(error_code(&app, "{ namespaces { ").await, "malformed_query");
    assert_eq!(error_code(&app, "{ nosuchfield }").await, "malformed_query");
    let (status, body) = app.post("/graphql", "not json").await;
    crate::support::assert_error(status, &body, StatusCode::BAD_REQUEST, "malformed_json");

    // GraphiQL's introspection query fits the limits.
    let introspection = r#"query IntrospectionQuery { __schema { queryType { name } types { ...FullType } directives { name args { ...InputValue } } } }
      fragment FullType on __Type { kind name description fields(includeDeprecated: true) { name args { ...InputValue } type { ...TypeRef } } inputFields { ...InputValue } enumValues(includeDeprecated: true) { name } possibleTypes { ...TypeRef } }
      fragment InputValue on __InputValue { name type { ...TypeRef } defaultValue }
      fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } }"#;
    let d = data(&app, introspection).await;
    assert_eq!(d["__schema"]["queryType"]["name"], "Query");
}

#[tokio::test]
async fn graphiql_and_the_sdl_are_served() {
    let app = TestApp::new();
    let (status, bytes) = app
        .send(Request::get("/graphql").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(bytes).unwrap();
    assert!(html.contains("GraphiQL") && html.contains("<html"), "{html}");
    let (status, bytes) = app
        .send(Request::get("/graphql/sdl").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    let sdl = String::from_utf8(bytes).unwrap();
    assert_eq!(sdl, meshgraph::api::graphql::sdl());
    assert!(sdl.contains("type Query"), "{sdl}");
}

#[test]
fn the_sdl_is_the_reviewed_one() {
    insta::assert_snapshot!("graphql_sdl", meshgraph::api::graphql::sdl());
}
