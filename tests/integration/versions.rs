//! Versions of a dataset's schema: GraphQL's `Dataset.versions` and REST's
//! `/namespaces/{ns}/datasets/{name}/versions[/{version}]`. A version is
//! recorded when an event changes the schema: two runs writing different
//! schemas, then one writing the second again, make two versions, newest
//! first, each with its columns as they were; the same versions come back
//! after a restart, rebuilt from the log.

use axum::http::StatusCode;
use meshgraph::config::{Config, Storage};
use serde_json::{Value, json};

use crate::support::{TestApp, assert_error, enc};

const NS: &str = "postgres://db.example:5432";
const NAME: &str = "public.customers";
const R1: &str = "00000000-0000-4000-8000-0000000000c1";
const R2: &str = "00000000-0000-4000-8000-0000000000c2";
const R3: &str = "00000000-0000-4000-8000-0000000000c3";

/// A COMPLETE event of run `run` (of job `job`) writing the dataset with
/// these schema fields.
fn write(run: &str, job: &str, time: &str, fields: Value) -> String {
    json!({
        "eventType": "COMPLETE",
        "eventTime": time,
        "producer": format!("https://example.com/{job}"),
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": run},
        "job": {"namespace": "scheduler", "name": job},
        "outputs": [{"namespace": NS, "name": NAME, "facets": {"schema": {
            "_producer": format!("https://example.com/{job}"),
            "_schemaURL": "https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet",
            "fields": fields,
        }}}],
    })
    .to_string()
}

fn first_schema() -> Value {
    json!([{"name": "id", "type": "INT"}, {"name": "name", "type": "TEXT", "description": "Full name."}])
}

fn second_schema() -> Value {
    json!([
        {"name": "id", "type": "BIGINT"},
        {"name": "name", "type": "TEXT", "description": "Full name."},
        {"name": "address", "type": "STRUCT", "fields": [{"name": "city", "type": "TEXT"}]},
    ])
}

/// Two runs with different schemas, then a third (another job) with the
/// second schema again.
async fn post_history(app: &TestApp) {
    for body in [
        write(R1, "load_customers", "2024-04-01T00:00:00Z", first_schema()),
        write(R2, "load_customers", "2024-04-02T00:00:00Z", second_schema()),
        write(R3, "backfill_customers", "2024-04-03T00:00:00Z", second_schema()),
    ] {
        let (status, answer) = app.post("/api/v1/lineage", body).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }
}

const VERSIONS: &str = r#"query($ns: String!, $name: String!, $first: Int, $after: String) {
    dataset(namespace: $ns, name: $name) {
        currentVersion
        versions(first: $first, after: $after) {
            totalCount
            pageInfo { hasNextPage endCursor }
            nodes {
                id createdAt
                run { id jobName outputs { name version } }
                job { namespace name }
                fields { name type description fields { name type } }
            }
        }
    }
}"#;

async fn versions(app: &TestApp, first: Option<i32>, after: Option<&str>) -> Value {
    let d = app
        .graphql_data(
            VERSIONS,
            json!({"ns": NS, "name": NAME, "first": first, "after": after}),
        )
        .await;
    d["dataset"].clone()
}

#[tokio::test]
async fn a_version_per_schema_change_newest_first_with_fields_as_they_were() {
    let app = TestApp::new();
    post_history(&app).await;
    let ds = versions(&app, None, None).await;
    let list = &ds["versions"];
    assert_eq!(list["totalCount"], 2, "{list}");
    let [newest, oldest] = list["nodes"].as_array().unwrap().as_slice() else {
        panic!("{list}")
    };
    assert_eq!(newest["createdAt"], "2024-04-02T00:00:00Z");
    assert_eq!(newest["run"]["id"], R2);
    assert_eq!(
        newest["job"],
        json!({"namespace": "scheduler", "name": "load_customers"})
    );
    assert_eq!(
        newest["fields"],
        json!([
            {"name": "id", "type": "BIGINT", "description": null, "fields": []},
            {"name": "name", "type": "TEXT", "description": "Full name.", "fields": []},
            {"name": "address", "type": "STRUCT", "description": null, "fields": [{"name": "city", "type": "TEXT"}]},
        ])
    );
    assert_eq!(oldest["createdAt"], "2024-04-01T00:00:00Z");
    assert_eq!(oldest["run"]["id"], R1);
    assert_eq!(
        oldest["fields"],
        json!([
            {"name": "id", "type": "INT", "description": null, "fields": []},
            {"name": "name", "type": "TEXT", "description": "Full name.", "fields": []},
        ])
    );
    // A version's id is the version its run wrote, as runs report it.
    for version in [newest, oldest] {
        assert_eq!(version["run"]["outputs"][0]["version"], version["id"]);
    }
    assert_ne!(newest["id"], oldest["id"]);
    // The third run changed nothing: the current version is its write, not
    // a new version of the schema.
    let (_, run3) = app.get(&format!("/api/v1/jobs/runs/{R3}")).await;
    assert_eq!(
        ds["currentVersion"],
        run3["outputDatasetVersions"][0]["datasetVersionId"]["version"]
    );

    // Pages: one at a time, newest first.
    let page = versions(&app, Some(1), None).await;
    assert_eq!(page["versions"]["nodes"][0]["id"], newest["id"]);
    assert_eq!(page["versions"]["pageInfo"]["hasNextPage"], true);
    let cursor = page["versions"]["pageInfo"]["endCursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = versions(&app, Some(1), Some(&cursor)).await;
    assert_eq!(page["versions"]["nodes"][0]["id"], oldest["id"]);
    assert_eq!(page["versions"]["pageInfo"]["hasNextPage"], false);

    // A DatasetEvent with another schema: a version no run wrote.
    let event = json!({
        "eventTime": "2024-04-04T00:00:00Z",
        "producer": "https://example.com/catalog",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
        "dataset": {"namespace": NS, "name": NAME, "facets": {"schema": {"fields": [{"name": "id", "type": "BIGINT"}]}}},
    });
    let (status, answer) = app.post("/api/v1/lineage", event.to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let ds = versions(&app, None, None).await;
    assert_eq!(ds["versions"]["totalCount"], 3);
    let latest = &ds["versions"]["nodes"][0];
    assert_eq!(latest["createdAt"], "2024-04-04T00:00:00Z");
    assert_eq!(latest["run"], Value::Null);
    assert_eq!(latest["job"], Value::Null);
    assert_eq!(latest["fields"][0]["name"], "id");
    assert_eq!(ds["versions"]["nodes"][1]["id"], newest["id"]);
}

#[tokio::test]
async fn rest_lists_the_same_versions_and_finds_each_by_id() {
    let app = TestApp::new();
    post_history(&app).await;
    let gql = versions(&app, None, None).await;
    let base = format!("/api/v1/namespaces/{}/datasets/{}/versions", enc(NS), enc(NAME));
    let (status, rest) = app.get(&base).await;
    assert_eq!(status, StatusCode::OK, "{rest}");
    assert_eq!(rest["totalCount"], 2);
    let listed = rest["versions"].as_array().unwrap();
    for (version, node) in listed.iter().zip(gql["versions"]["nodes"].as_array().unwrap()) {
        assert_eq!(version["version"], node["id"]);
        assert_eq!(
            version["id"],
            json!({"namespace": NS, "name": NAME, "version": node["id"]})
        );
        assert_eq!(version["createdAt"], node["createdAt"]);
        assert_eq!(version["createdByRun"]["id"], node["run"]["id"]);
        let fields: Vec<(&Value, &Value)> = version["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (&f["name"], &f["type"]))
            .collect();
        let expected: Vec<(&Value, &Value)> = node["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (&f["name"], &f["type"]))
            .collect();
        assert_eq!(fields, expected);
    }
    let newest = &listed[0];
    assert_eq!(newest["name"], NAME);
    assert_eq!(newest["namespace"], NS);
    assert_eq!(newest["type"], "DB_TABLE");
    assert_eq!(newest["sourceName"], "default");
    assert_eq!(
        newest["fields"][1],
        json!({"name": "name", "type": "TEXT", "tags": [], "description": "Full name."})
    );
    // Its facets: the schema facet exactly as that run sent it.
    assert_eq!(
        newest["facets"]["schema"]["_producer"],
        "https://example.com/load_customers"
    );
    assert_eq!(newest["facets"]["schema"]["fields"], second_schema());
    assert_eq!(newest["createdByRun"]["state"], "COMPLETED");

    // limit and offset page the list.
    let (_, page) = app.get(&format!("{base}?limit=1&offset=1")).await;
    assert_eq!(page["totalCount"], 2);
    assert_eq!(page["versions"].as_array().unwrap().len(), 1);
    assert_eq!(page["versions"][0]["version"], listed[1]["version"]);

    // One version by id, as listed.
    let id = listed[1]["version"].as_str().unwrap();
    let (status, one) = app.get(&format!("{base}/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one, listed[1]);

    // What is not there.
    let (status, body) = app
        .get(&format!("{base}/00000000-0000-4000-8000-000000000000"))
        .await;
    let message = assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    assert!(message.contains("no version"), "{message}");
    let (status, body) = app.get(&format!("{base}/not-a-uuid")).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_parameter");
    let unknown = format!("/api/v1/namespaces/{}/datasets/nope/versions", enc(NS));
    let (status, body) = app.get(&unknown).await;
    let message = assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    assert!(message.contains("\"nope\""), "{message}");
    let (status, body) = app.get(&format!("{unknown}/{id}")).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = app.get(&format!("{base}?limit=-1")).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_parameter");
}

#[tokio::test]
async fn versions_are_rebuilt_from_the_log_on_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        storage: Storage::Dir(dir.path().to_owned()),
        ..Config::in_memory()
    };
    let (app, writer) = TestApp::with_writer(config.clone());
    post_history(&app).await;
    let before = versions(&app, None, None).await;
    assert_eq!(before["versions"]["totalCount"], 2);
    let rest_path = format!("/api/v1/namespaces/{}/datasets/{}/versions", enc(NS), enc(NAME));
    let (_, rest_before) = app.get(&rest_path).await;
    drop(app);
    writer.join();

    let (app, writer) = TestApp::with_writer(config);
    assert_eq!(versions(&app, None, None).await, before);
    assert_eq!(app.get(&rest_path).await.1, rest_before);
    drop(app);
    writer.join();
}
