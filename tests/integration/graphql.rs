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
                facets {{ raw some: raw(names: ["myCustom"]) }}
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
    ] {
        assert_eq!(ds[gql_key], rest[rest_key], "{gql_key}");
    }
    assert_eq!(ds["facets"]["raw"], rest["facets"]);
    assert_eq!(ds["owners"], json!([{"name": "team:core", "type": "MAINTAINER"}]));
    assert_eq!(ds["fields"][0]["description"], "the key");
    assert_eq!(ds["fields"][1]["fields"][0]["fields"][0]["name"], "code");
    assert_eq!(
        ds["facets"]["some"],
        json!({"myCustom": {"keep": "as sent", "n": 1.50}})
    );
    assert_eq!(d["missing"], Value::Null);

    // Facets come back byte-for-byte, as REST serves them.
    let raw = format!(
        r#"{{"eventType":"COMPLETE","eventTime":"2024-05-03T00:00:00Z","producer":"p","run":{{"runId":"{R2}"}},"job":{{"namespace":"{SCHED}","name":"load"}},"outputs":[{{"namespace":"{NS}","name":"zeta","facets":{{"odd":{{"n": 1.50, "z":1, "a": [ 1 ]}}}}}}]}}"#
    );
    let (status, answer) = app.post("/api/v1/lineage", raw).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let query = json!({"query": format!(r#"{{ dataset(namespace: "{NS}", name: "zeta") {{ facets {{ raw(names: ["odd"]) }} }} }}"#)});
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
                    facets {{ raw(names: ["sql"]) }}
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
    assert_eq!(job["facets"]["raw"]["sql"], rest_job["facets"]["sql"]);

    let d = data(
        &app,
        &format!(
            r#"{{ run(id: "{R1}") {{
                id state jobName jobNamespace job {{ name }} createdAt updatedAt startedAt endedAt durationMs jobVersion
                facets {{ raw }}
                inputs {{ namespace name version facets {{ raw }} dataset {{ name }} }}
                outputs {{ namespace name version facets {{ raw }} }}
            }}
            missing: run(id: "00000000-0000-4000-8000-0000000000ff") {{ id }} }}"#
        ),
    )
    .await;
    let run = &d["run"];
    let (_, rest) = app.get(&format!("/api/v1/jobs/runs/{R1}")).await;
    assert_eq!(run["id"], rest["id"]);
    assert_eq!(run["state"], rest["state"]);
    for key in ["createdAt", "updatedAt", "startedAt", "endedAt", "durationMs"] {
        assert_eq!(run[key], rest[key], "{key}");
    }
    assert_eq!(run["facets"]["raw"], rest["facets"]);
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
        run["outputs"][0]["facets"]["raw"],
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

const DAG_NS: &str = "airflow-prod";
const DAG: &str = "finance_nightly";
const TASK: &str = "finance_nightly.load_invoices";
/// The task run of `tests/fixtures/airflow_task.json` and its DAG run.
const TASK_RUN: &str = "0190dbf4-01a2-7c11-b5e8-9e0f1a2b3c4d";
const DAG_RUN: &str = "0190dbf3-ff00-7e01-8a00-abcdefabcdef";

/// A run event of `job` in the Airflow namespace, with a `parent` facet
/// naming the DAG run if `parent` is set.
fn airflow_event(run: &str, ty: &str, time: &str, job: &str, parent: bool) -> Value {
    let facets = if parent {
        json!({"parent": {
            "_producer": "https://example.com/test",
            "_schemaURL": "https://openlineage.io/spec/facets/1-1-0/ParentRunFacet.json#/$defs/ParentRunFacet",
            "run": {"runId": DAG_RUN},
            "job": {"namespace": DAG_NS, "name": DAG},
        }})
    } else {
        json!({})
    };
    json!({
        "eventType": ty,
        "eventTime": time,
        "producer": "https://example.com/test",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": run, "facets": facets},
        "job": {"namespace": DAG_NS, "name": job},
    })
}

/// Names of the nodes of a connection.
fn names(list: &Value) -> Vec<&str> {
    list["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn run_state_history_is_oldest_first_whatever_the_arrival_order() {
    let app = TestApp::new();
    let fixture: Value = serde_json::from_str(&crate::support::fixture("airflow_task.json")).unwrap();
    post(&app, fixture).await;
    post(
        &app,
        airflow_event(TASK_RUN, "COMPLETE", "2024-06-03T01:05:00Z", TASK, true),
    )
    .await;
    // A second run whose FAIL arrives before its START and RUNNING, and
    // whose START is sent twice.
    let r2 = "0190dbf4-01a2-7c11-b5e8-000000000002";
    for (ty, at) in [
        ("FAIL", "2024-06-04T01:09:00Z"),
        ("START", "2024-06-04T01:00:00Z"),
        ("RUNNING", "2024-06-04T01:04:00Z"),
        ("START", "2024-06-04T01:00:00Z"),
    ] {
        post(&app, airflow_event(r2, ty, at, TASK, true)).await;
    }
    let history =
        |run: &str| format!(r#"{{ run(id: "{run}") {{ state stateHistory {{ eventType eventTime }} }} }}"#);
    let d = data(&app, &history(TASK_RUN)).await;
    assert_eq!(d["run"]["state"], "COMPLETED");
    assert_eq!(
        d["run"]["stateHistory"],
        json!([
            {"eventType": "START", "eventTime": "2024-06-03T01:00:07.451827Z"},
            {"eventType": "COMPLETE", "eventTime": "2024-06-03T01:05:00Z"},
        ])
    );
    let d = data(&app, &history(r2)).await;
    assert_eq!(d["run"]["state"], "FAILED");
    assert_eq!(
        d["run"]["stateHistory"],
        json!([
            {"eventType": "START", "eventTime": "2024-06-04T01:00:00Z"},
            {"eventType": "RUNNING", "eventTime": "2024-06-04T01:04:00Z"},
            {"eventType": "FAIL", "eventTime": "2024-06-04T01:09:00Z"},
        ])
    );
    // Through the job's runs too, and REST's run stays Marquez's shape.
    let d = data(
        &app,
        &format!(
            r#"{{ job(namespace: "{DAG_NS}", name: "{TASK}") {{
                latestRun {{ id stateHistory {{ eventType }} }}
                runs {{ nodes {{ stateHistory {{ eventType }} }} }} }} }}"#
        ),
    )
    .await;
    assert_eq!(d["job"]["latestRun"]["id"], r2);
    assert_eq!(
        d["job"]["runs"]["nodes"][1]["stateHistory"][1]["eventType"],
        "COMPLETE"
    );
    let (_, rest) = app.get(&format!("/api/v1/jobs/runs/{r2}")).await;
    assert_eq!(rest["state"], "FAILED");
    assert!(rest.get("stateHistory").is_none(), "{rest}");
}

#[tokio::test]
async fn jobs_link_to_their_parent_and_children() {
    let app = TestApp::new();
    let fixture: Value = serde_json::from_str(&crate::support::fixture("airflow_task.json")).unwrap();
    post(&app, fixture).await;
    post(
        &app,
        airflow_event(
            "0190dbf4-01a2-7c11-b5e8-000000000003",
            "START",
            "2024-06-03T01:02:00Z",
            "finance_nightly.extract",
            true,
        ),
    )
    .await;
    // A job with no parent facet.
    post(
        &app,
        airflow_event(
            "0190dbf4-01a2-7c11-b5e8-000000000004",
            "START",
            "2024-06-03T01:03:00Z",
            "standalone",
            false,
        ),
    )
    .await;
    let query = format!(
        r#"{{ task: job(namespace: "{DAG_NS}", name: "{TASK}") {{
              parentJobName
              parent {{ namespace name createdAt latestRun {{ id }} runs {{ totalCount }}
                        children {{ totalCount nodes {{ name parent {{ name }} }} }} }}
              children {{ totalCount }} }}
            standalone: job(namespace: "{DAG_NS}", name: "standalone") {{ parent {{ name }} children {{ totalCount }} }}
            page: job(namespace: "{DAG_NS}", name: "{TASK}") {{ parent {{
              children(first: 1) {{ totalCount nodes {{ name }} pageInfo {{ hasNextPage }} }} }} }} }}"#
    );
    // The DAG never sent an event: it is known only from the parent facets.
    let d = data(&app, &query).await;
    let task = &d["task"];
    assert_eq!(task["parentJobName"], DAG);
    let dag = &task["parent"];
    assert_eq!(dag["namespace"], DAG_NS);
    assert_eq!(dag["name"], DAG);
    assert_eq!(dag["createdAt"], Value::Null);
    assert_eq!(dag["latestRun"], Value::Null);
    assert_eq!(dag["runs"]["totalCount"], 0);
    assert_eq!(dag["children"]["totalCount"], 2);
    assert_eq!(
        names(&dag["children"]),
        ["finance_nightly.extract", "finance_nightly.load_invoices"]
    );
    assert_eq!(dag["children"]["nodes"][1]["parent"]["name"], DAG);
    assert_eq!(task["children"]["totalCount"], 0);
    assert_eq!(
        d["standalone"],
        json!({"parent": null, "children": {"totalCount": 0}})
    );
    let page = &d["page"]["parent"]["children"];
    assert_eq!(names(page), ["finance_nightly.extract"]);
    assert_eq!(page["pageInfo"]["hasNextPage"], true);

    // Once the DAG reports its own run, the parent is the whole job.
    for (ty, at) in [
        ("START", "2024-06-03T01:00:00Z"),
        ("COMPLETE", "2024-06-03T01:30:00Z"),
    ] {
        post(&app, airflow_event(DAG_RUN, ty, at, DAG, false)).await;
    }
    let d = data(&app, &query).await;
    let dag = &d["task"]["parent"];
    assert_eq!(dag["createdAt"], "2024-06-03T01:00:00Z");
    assert_eq!(dag["latestRun"]["id"], DAG_RUN);
    assert_eq!(dag["runs"]["totalCount"], 1);
    assert_eq!(dag["children"]["totalCount"], 2);
    let d = data(
        &app,
        &format!(r#"{{ job(namespace: "{DAG_NS}", name: "{DAG}") {{ parent {{ name }} children {{ nodes {{ name }} }} }} }}"#),
    )
    .await;
    assert_eq!(d["job"]["parent"], Value::Null);
    assert_eq!(
        names(&d["job"]["children"]),
        ["finance_nightly.extract", "finance_nightly.load_invoices"]
    );

    // A later run of the task without a parent facet: the task's parent
    // follows its latest run, while the DAG still lists it, as a job one of
    // whose runs it started.
    post(
        &app,
        airflow_event(
            "0190dbf4-01a2-7c11-b5e8-000000000005",
            "START",
            "2024-06-05T00:00:00Z",
            TASK,
            false,
        ),
    )
    .await;
    let d = data(&app, &query).await;
    assert_eq!(d["task"]["parentJobName"], Value::Null);
    assert_eq!(d["task"]["parent"], Value::Null);
    let d = data(
        &app,
        &format!(r#"{{ job(namespace: "{DAG_NS}", name: "{DAG}") {{ children {{ totalCount }} }} }}"#),
    )
    .await;
    assert_eq!(d["job"]["children"]["totalCount"], 2);
}
