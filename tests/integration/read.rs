//! The Marquez-compatible read API: namespaces, datasets, jobs, runs,
//! lineage and raw events, through the real router.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};

use crate::support::{TestApp, enc};

const NS: &str = "postgres://db.example:5432";
const SCHED: &str = "example-scheduler";
const NASTY: &str = "a b\"<c>#d/é";

const R1: &str = "00000000-0000-4000-8000-000000000001";
const R2: &str = "00000000-0000-4000-8000-000000000002";
const R3: &str = "00000000-0000-4000-8000-000000000003";

/// A run event: `inputs` and `outputs` are dataset objects.
fn run_event(run: &str, ty: &str, time: &str, job: &str, inputs: Value, outputs: Value) -> Value {
    json!({
        "eventType": ty,
        "eventTime": time,
        "producer": "https://example.com/test",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": run},
        "job": {"namespace": SCHED, "name": job},
        "inputs": inputs,
        "outputs": outputs,
    })
}

fn ds(name: &str) -> Value {
    json!({"namespace": NS, "name": name})
}

async fn post(app: &TestApp, body: impl ToString) {
    let (status, answer) = app.post("/api/v1/lineage", body.to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
}

/// GETs `path` and returns the status and the body as text.
async fn get_text(app: &TestApp, path: &str) -> (StatusCode, String) {
    let (status, bytes) = app
        .send(Request::builder().uri(path).body(Body::empty()).unwrap())
        .await;
    (status, String::from_utf8(bytes).unwrap())
}

async fn get_ok(app: &TestApp, path: &str) -> Value {
    let (status, body) = app.get(path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

fn dataset_path(name: &str) -> String {
    format!("/api/v1/namespaces/{}/datasets/{}", enc(NS), enc(name))
}

fn job_path(name: &str) -> String {
    format!("/api/v1/namespaces/{}/jobs/{}", enc(SCHED), enc(name))
}

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn namespaces_are_listed_and_found() {
    let app = TestApp::new();
    post(
        &app,
        run_event(
            R1,
            "START",
            "2024-05-01T10:00:00+02:00",
            "j",
            json!([ds("t")]),
            json!([]),
        ),
    )
    .await;
    let list = get_ok(&app, "/api/v1/namespaces").await;
    assert_eq!(names(&list["namespaces"]), [SCHED, NS]);
    let ns = get_ok(&app, &format!("/api/v1/namespaces/{}", enc(NS))).await;
    assert_eq!(ns["name"], NS);
    assert_eq!(ns["createdAt"], "2024-05-01T08:00:00Z");
    assert_eq!(ns["ownerName"], "anonymous");
    assert_eq!(ns["isHidden"], false);
    let page = get_ok(&app, "/api/v1/namespaces?limit=1&offset=1").await;
    assert_eq!(names(&page["namespaces"]), [NS]);

    let (status, err) = app.get("/api/v1/namespaces/nowhere").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(err["code"], "not_found");
    assert!(err["message"].as_str().unwrap().contains("nowhere"), "{err}");
}

#[tokio::test]
async fn a_dataset_with_any_name_round_trips() {
    let app = TestApp::new();
    post(
        &app,
        run_event(
            R1,
            "COMPLETE",
            "2024-05-01T10:00:00Z",
            "j",
            json!([]),
            json!([ds(NASTY)]),
        ),
    )
    .await;
    let dataset = get_ok(&app, &dataset_path(NASTY)).await;
    assert_eq!(dataset["id"], json!({"namespace": NS, "name": NASTY}));
    assert_eq!(dataset["name"], NASTY);
    assert_eq!(dataset["physicalName"], NASTY);
    assert_eq!(dataset["namespace"], NS);
    assert_eq!(dataset["type"], "DB_TABLE");
    assert_eq!(dataset["sourceName"], "default");
    assert_eq!(dataset["lastModifiedAt"], "2024-05-01T10:00:00Z");
    assert_eq!(dataset["deleted"], false);
    assert!(dataset["currentVersion"].is_string());
    let list = get_ok(&app, &format!("/api/v1/namespaces/{}/datasets", enc(NS))).await;
    assert_eq!(names(&list["datasets"]), [NASTY]);
    assert_eq!(list["totalCount"], 1);

    let (status, err) = app.get(&dataset_path("a b")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(err["message"].as_str().unwrap().contains("a b"), "{err}");
}

/// Custom facets with unusual spacing, key order and number forms: any
/// re-serialization would show.
const CUSTOM_FACETS: [(&str, &str); 2] = [
    (
        "spark.logicalPlan",
        r#"{"_producer":"p","_schemaURL":"s","plan" : [ {"z":1,"a":2.50}, 1e3, "é\u00e9" ]}"#,
    ),
    (
        "environment-properties",
        r#"{ "_producer": "p", "environment-properties": {"b": null, "a": [] } }"#,
    ),
];

#[tokio::test]
async fn dataset_facets_come_back_as_sent_and_shape_the_answer() {
    let app = TestApp::new();
    let facets = format!(
        r#"{{"schema":{{"_producer":"p","_schemaURL":"s","fields":[{{"name":"id","type":"INT","description":"key"}},{{"name":"note"}}]}},
        "dataSource":{{"_producer":"p","_schemaURL":"s","name":"orders-db","uri":"postgres://db.example:5432"}},
        "documentation":{{"_producer":"p","_schemaURL":"s","description":"All orders."}},
        "lifecycleStateChange":{{"_producer":"p","_schemaURL":"s","lifecycleStateChange":"CREATE"}},
        "tags":{{"_producer":"p","_schemaURL":"s","tags":[{{"key":"pii","value":"true","field":"note"}},{{"key":"gold","value":"true"}}]}},
        "{}":{},"{}":{}}}"#,
        CUSTOM_FACETS[0].0, CUSTOM_FACETS[0].1, CUSTOM_FACETS[1].0, CUSTOM_FACETS[1].1
    );
    let event = format!(
        r#"{{"eventType":"COMPLETE","eventTime":"2024-05-01T10:00:00Z","producer":"p","run":{{"runId":"{R1}"}},
        "job":{{"namespace":"{SCHED}","name":"j"}},"outputs":[{{"namespace":"{NS}","name":"orders","facets":{facets}}}]}}"#
    );
    post(&app, event).await;
    let (status, text) = get_text(&app, &dataset_path("orders")).await;
    assert_eq!(status, StatusCode::OK);
    for (key, facet) in CUSTOM_FACETS {
        assert!(
            text.contains(&format!("\"{key}\":{facet}")),
            "{key} not verbatim in {text}"
        );
    }
    let dataset: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        dataset["fields"],
        json!([
            {"name": "id", "type": "INT", "tags": [], "description": "key"},
            {"name": "note", "type": null, "tags": ["pii"], "description": null},
        ])
    );
    assert_eq!(dataset["sourceName"], "orders-db");
    assert_eq!(dataset["description"], "All orders.");
    assert_eq!(dataset["lastLifecycleState"], "CREATE");
    assert_eq!(dataset["tags"], json!(["gold"]));
    assert_eq!(dataset["facets"].as_object().unwrap().len(), 7);

    // A later event deletes one facet and changes the kind.
    let event = format!(
        r#"{{"eventTime":"2024-05-02T10:00:00Z","producer":"p","schemaURL":"https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
        "dataset":{{"namespace":"{NS}","name":"orders","facets":{{"spark.logicalPlan":{{"_producer":"p","_schemaURL":"s","_deleted":true}},
        "datasetType":{{"_producer":"p","_schemaURL":"s","datasetType":"STREAM"}}}}}}}}"#
    );
    post(&app, event).await;
    let dataset = get_ok(&app, &dataset_path("orders")).await;
    let facets = dataset["facets"].as_object().unwrap();
    assert!(!facets.contains_key("spark.logicalPlan"), "{dataset}");
    assert!(facets.contains_key("environment-properties"));
    assert_eq!(dataset["type"], "STREAM");
    assert_eq!(dataset["updatedAt"], "2024-05-02T10:00:00Z");
    assert_eq!(dataset["createdAt"], "2024-05-01T10:00:00Z");
}

#[tokio::test]
async fn datasets_are_paged_by_name() {
    let app = TestApp::new();
    let outputs: Vec<Value> = ["c", "a", "d", "b"].iter().map(|n| ds(n)).collect();
    post(
        &app,
        run_event(
            R1,
            "COMPLETE",
            "2024-05-01T10:00:00Z",
            "j",
            json!([]),
            json!(outputs),
        ),
    )
    .await;
    let base = format!("/api/v1/namespaces/{}/datasets", enc(NS));
    let page = get_ok(&app, &format!("{base}?limit=2&offset=1")).await;
    assert_eq!(names(&page["datasets"]), ["b", "c"]);
    assert_eq!(page["totalCount"], 4);
    // Jobs share the namespace index but are not datasets.
    let jobs = get_ok(&app, &format!("/api/v1/namespaces/{}/datasets", enc(SCHED))).await;
    assert_eq!(jobs["totalCount"], 0);
    for bad in ["limit=-1", "offset=x", "limit=1.5"] {
        let (status, err) = app.get(&format!("{base}?{bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(err["code"], "invalid_parameter");
    }
}

#[tokio::test]
async fn runs_accumulate_and_a_finished_run_stays_finished() {
    let app = TestApp::new();
    let mut start = run_event(
        R1,
        "START",
        "2024-05-01T10:00:00Z",
        "j",
        json!([ds("in")]),
        json!([]),
    );
    start["run"]["facets"] = json!({
        "nominalTime": {"_producer": "p", "_schemaURL": "s", "nominalStartTime": "2024-05-01T09:00:00Z"},
        "custom": {"_producer": "p", "_schemaURL": "s", "first": true},
    });
    post(&app, &start).await;
    let running = get_ok(&app, &format!("/api/v1/jobs/runs/{R1}")).await;
    assert_eq!(running["state"], "RUNNING");
    assert_eq!(running["endedAt"], Value::Null);

    let mut complete = run_event(
        R1,
        "COMPLETE",
        "2024-05-01T10:00:02.5Z",
        "j",
        json!([]),
        json!([{"namespace": NS, "name": "out",
            "outputFacets": {"outputStatistics": {"_producer": "p", "_schemaURL": "s", "rowCount": 7}}}]),
    );
    complete["run"]["facets"] = json!({"other": {"_producer": "p", "_schemaURL": "s", "second": true}});
    post(&app, &complete).await;
    // A RUNNING sent late, with a later event time, reopens nothing.
    post(
        &app,
        run_event(R1, "RUNNING", "2024-05-01T10:05:00Z", "j", json!([]), json!([])),
    )
    .await;

    let run = get_ok(&app, &format!("/api/v1/jobs/runs/{R1}")).await;
    assert_eq!(run["id"], R1);
    assert_eq!(run["state"], "COMPLETED");
    assert_eq!(run["startedAt"], "2024-05-01T10:00:00Z");
    assert_eq!(run["endedAt"], "2024-05-01T10:00:02.500Z");
    assert_eq!(run["durationMs"], 2500);
    assert_eq!(run["nominalStartTime"], "2024-05-01T09:00:00Z");
    assert_eq!(run["nominalEndTime"], Value::Null);
    assert_eq!(run["createdAt"], "2024-05-01T10:00:00Z");
    let facets = run["facets"].as_object().unwrap();
    assert!(
        ["nominalTime", "custom", "other"]
            .iter()
            .all(|k| facets.contains_key(*k)),
        "{run}"
    );
    assert_eq!(run["jobVersion"]["namespace"], SCHED);
    assert_eq!(run["jobVersion"]["name"], "j");
    let inputs = run["inputDatasetVersions"].as_array().unwrap();
    assert_eq!(inputs.len(), 1);
    assert_eq!(inputs[0]["datasetVersionId"]["name"], "in");
    let outputs = run["outputDatasetVersions"].as_array().unwrap();
    assert_eq!(outputs[0]["datasetVersionId"]["name"], "out");
    assert_eq!(outputs[0]["facets"]["outputStatistics"]["rowCount"], 7);
    let out = get_ok(&app, &dataset_path("out")).await;
    assert_eq!(out["currentVersion"], outputs[0]["datasetVersionId"]["version"]);

    let runs = get_ok(&app, &format!("{}/runs", job_path("j"))).await;
    assert_eq!(runs["totalCount"], 1);
    assert_eq!(runs["runs"][0]["state"], "COMPLETED");

    let facets = get_ok(&app, &format!("/api/v1/jobs/runs/{R1}/facets?type=run")).await;
    assert_eq!(facets["runId"], R1);
    assert_eq!(facets["facets"]["custom"]["first"], true);
}

#[tokio::test]
async fn a_job_that_stops_reading_a_table_no_longer_lists_it() {
    let app = TestApp::new();
    post(
        &app,
        run_event(
            R1,
            "COMPLETE",
            "2024-05-01T10:00:00Z",
            "j",
            json!([ds("a"), ds("b")]),
            json!([ds("out")]),
        ),
    )
    .await;
    let inputs = |job: &Value| {
        names(&job["inputs"])
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(inputs(&get_ok(&app, &job_path("j")).await), ["a", "b"]);
    post(
        &app,
        run_event(
            R2,
            "START",
            "2024-05-02T10:00:00Z",
            "j",
            json!([ds("a")]),
            json!([ds("out")]),
        ),
    )
    .await;
    // Until the new run completes, the completed one speaks for the job.
    let job = get_ok(&app, &job_path("j")).await;
    assert_eq!(inputs(&job), ["a", "b"]);
    assert_eq!(job["latestRun"]["id"], R2);
    assert_eq!(job["latestRun"]["state"], "RUNNING");
    post(
        &app,
        run_event(R2, "COMPLETE", "2024-05-02T10:10:00Z", "j", json!([]), json!([])),
    )
    .await;
    let job = get_ok(&app, &job_path("j")).await;
    assert_eq!(inputs(&job), ["a"]);
    assert_eq!(names(&job["outputs"]), ["out"]);
    assert_eq!(job["latestRuns"].as_array().unwrap().len(), 2);
    assert_eq!(job["currentVersion"], job["latestRun"]["jobVersion"]["version"]);
    let runs = get_ok(&app, &format!("{}/runs?limit=1&offset=1", job_path("j"))).await;
    assert_eq!(runs["totalCount"], 2);
    assert_eq!(runs["runs"][0]["id"], R1);
    // The two runs read different tables: different job versions.
    let r1 = get_ok(&app, &format!("/api/v1/jobs/runs/{R1}")).await;
    assert_ne!(
        r1["jobVersion"]["version"],
        job["latestRun"]["jobVersion"]["version"]
    );
}

#[tokio::test]
async fn jobs_are_shaped_from_their_facets() {
    let app = TestApp::new();
    let mut event = run_event(
        R1,
        "START",
        "2024-05-01T10:00:00Z",
        "etl.load",
        json!([]),
        json!([]),
    );
    event["job"]["facets"] = json!({
        "jobType": {"_producer": "p", "_schemaURL": "s", "processingType": "STREAMING", "integration": "FLINK"},
        "sourceCodeLocation": {"_producer": "p", "_schemaURL": "s", "type": "git", "url": "https://git.example/etl"},
        "documentation": {"_producer": "p", "_schemaURL": "s", "description": "Loads."},
    });
    event["run"]["facets"] = json!({"parent": {"_producer": "p", "_schemaURL": "s",
        "run": {"runId": R3}, "job": {"namespace": SCHED, "name": "etl"}}});
    post(&app, &event).await;
    let job = get_ok(&app, &job_path("etl.load")).await;
    assert_eq!(job["id"], json!({"namespace": SCHED, "name": "etl.load"}));
    assert_eq!(job["type"], "STREAM");
    assert_eq!(job["location"], "https://git.example/etl");
    assert_eq!(job["description"], "Loads.");
    assert_eq!(job["parentJobName"], "etl");
    assert_eq!(job["simpleName"], "load");
    assert_eq!(job["facets"]["jobType"]["integration"], "FLINK");
    let facets = get_ok(&app, &format!("/api/v1/jobs/runs/{R1}/facets?type=job")).await;
    assert_eq!(facets["facets"], job["facets"]);
    let list = get_ok(&app, &format!("/api/v1/namespaces/{}/jobs", enc(SCHED))).await;
    assert_eq!(names(&list["jobs"]), ["etl.load"]);
    assert_eq!(list["totalCount"], 1);
}

/// a -> j1 -> b -> j2 -> c, and j3 that also reads b and writes d.
async fn chain() -> TestApp {
    let app = TestApp::new();
    for (i, (run, job, input, output)) in [(R1, "j1", "a", "b"), (R2, "j2", "b", "c"), (R3, "j3", "b", "d")]
        .into_iter()
        .enumerate()
    {
        let time = format!("2024-05-01T10:00:0{i}Z");
        post(
            &app,
            run_event(
                run,
                "COMPLETE",
                &time,
                job,
                json!([ds(input)]),
                json!([ds(output)]),
            ),
        )
        .await;
    }
    app
}

async fn lineage(app: &TestApp, node: &str, query: &str) -> Value {
    get_ok(app, &format!("/api/v1/lineage?nodeId={}{query}", enc(node))).await
}

fn node_ids(graph: &Value) -> Vec<String> {
    let mut ids: Vec<String> = graph["graph"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

fn dataset_id(name: &str) -> String {
    format!("dataset:{NS}:{name}")
}

fn job_id(name: &str) -> String {
    format!("job:{SCHED}:{name}")
}

#[tokio::test]
async fn lineage_follows_direction_depth_and_siblings() {
    let app = chain().await;
    let c = dataset_id("c");
    let up = lineage(&app, &c, "&direction=upstream").await;
    let mut expected = vec![
        dataset_id("a"),
        dataset_id("b"),
        c.clone(),
        job_id("j1"),
        job_id("j2"),
    ];
    expected.sort();
    assert_eq!(node_ids(&up), expected);
    // The default walk (both ways, no siblings) adds nothing downstream of c.
    assert_eq!(node_ids(&lineage(&app, &c, "").await), expected);
    let undirected = lineage(&app, &c, "&includeSiblings=true").await;
    assert!(node_ids(&undirected).contains(&job_id("j3")));
    assert!(node_ids(&undirected).contains(&dataset_id("d")));

    let down = lineage(&app, &dataset_id("a"), "&direction=downstream&depth=1").await;
    assert_eq!(node_ids(&down), [dataset_id("a"), dataset_id("b"), job_id("j1")]);
    let none = lineage(&app, &dataset_id("a"), "&direction=UPSTREAM").await;
    assert_eq!(node_ids(&none), [dataset_id("a")]);

    let graph = lineage(&app, &job_id("j2"), "&direction=both&depth=20").await;
    let nodes = graph["graph"].as_array().unwrap();
    assert_eq!(nodes[0]["id"], job_id("j2"), "the start node comes first");
    let j2 = &nodes[0];
    assert_eq!(j2["type"], "JOB");
    assert_eq!(j2["data"]["name"], "j2");
    assert_eq!(j2["data"]["latestRun"]["id"], R2);
    assert_eq!(
        j2["inEdges"],
        json!([{"origin": dataset_id("b"), "destination": job_id("j2")}])
    );
    assert_eq!(
        j2["outEdges"],
        json!([{"origin": job_id("j2"), "destination": dataset_id("c")}])
    );
    let b = nodes.iter().find(|n| n["id"] == dataset_id("b")).unwrap();
    assert_eq!(b["type"], "DATASET");
    assert_eq!(b["data"]["id"], json!({"namespace": NS, "name": "b"}));
    assert_eq!(b["inEdges"][0]["origin"], job_id("j1"));
}

#[tokio::test]
async fn lineage_refuses_bad_parameters_and_unknown_nodes() {
    let app = chain().await;
    for query in [
        String::new(),
        "?nodeId=table:x:y".into(),
        "?nodeId=dataset:onlynamespace".into(),
        format!("?nodeId={}&depth=-1", enc(&dataset_id("a"))),
        format!("?nodeId={}&direction=sideways", enc(&dataset_id("a"))),
        format!("?nodeId={}&includeSiblings=maybe", enc(&dataset_id("a"))),
    ] {
        let (status, err) = app.get(&format!("/api/v1/lineage{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {err}");
        assert_eq!(err["code"], "invalid_parameter");
    }
    let (status, err) = app
        .get(&format!("/api/v1/lineage?nodeId={}", enc(&dataset_id("zz"))))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(err["code"], "not_found");
}

#[tokio::test]
async fn events_are_paged_by_time_and_returned_as_sent() {
    let app = TestApp::new();
    let raw = |i: usize| {
        format!(
            r#"{{"eventType":"START", "eventTime":"2024-05-0{i}T00:00:00Z","producer":"p","run":{{"runId":"00000000-0000-4000-8000-00000000000{i}"}},"job":{{"namespace":"{SCHED}","name":"j{i}","facets":{{"x":{{"n": 1.50}}}}}}}}"#
        )
    };
    // Sent out of time order: paging follows event time.
    for i in [2, 1, 3] {
        post(&app, raw(i)).await;
    }
    let (status, text) = get_text(&app, "/api/v1/events/lineage").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        text,
        format!(
            r#"{{"events":[{},{},{}],"totalCount":3}}"#,
            raw(3),
            raw(2),
            raw(1)
        )
    );
    let job_names = |page: &Value| -> Vec<String> {
        page["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["job"]["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let asc = get_ok(&app, "/api/v1/events/lineage?sortDirection=asc&limit=2").await;
    assert_eq!(job_names(&asc), ["j1", "j2"]);
    assert_eq!(asc["totalCount"], 3);
    let offset = get_ok(&app, "/api/v1/events/lineage?limit=1&offset=1").await;
    assert_eq!(job_names(&offset), ["j2"]);
    let after = get_ok(&app, "/api/v1/events/lineage?after=2024-05-02T00:00:00Z").await;
    assert_eq!(job_names(&after), ["j3", "j2"]);
    let before = get_ok(
        &app,
        &format!(
            "/api/v1/events/lineage?before={}",
            enc("2024-05-02T01:00:00+01:00")
        ),
    )
    .await;
    assert_eq!(job_names(&before), ["j2", "j1"]);
    assert_eq!(before["totalCount"], 2);
    for bad in [
        "before=yesterday",
        "after=2024-13-01T00:00:00Z",
        "sortDirection=up",
        "limit=many",
    ] {
        let (status, err) = app.get(&format!("/api/v1/events/lineage?{bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(err["code"], "invalid_parameter");
    }
}

#[tokio::test]
async fn unknown_things_are_404_and_malformed_ids_400() {
    let app = TestApp::new();
    post(
        &app,
        run_event(
            R1,
            "START",
            "2024-05-01T10:00:00Z",
            "j",
            json!([ds("t")]),
            json!([]),
        ),
    )
    .await;
    for path in [
        "/api/v1/namespaces/nowhere/datasets".to_owned(),
        "/api/v1/namespaces/nowhere/jobs".to_owned(),
        dataset_path("missing"),
        job_path("missing"),
        format!("{}/runs", job_path("missing")),
        format!("/api/v1/jobs/runs/{R2}"),
        format!("/api/v1/jobs/runs/{R2}/facets?type=run"),
    ] {
        let (status, err) = app.get(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {err}");
        assert_eq!(err["code"], "not_found");
    }
    for path in [
        "/api/v1/jobs/runs/not-a-uuid".to_owned(),
        format!("/api/v1/jobs/runs/{R1}/facets"),
        format!("/api/v1/jobs/runs/{R1}/facets?type=dataset"),
        format!("{}/runs?limit=x", job_path("j")),
    ] {
        let (status, err) = app.get(&path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {err}");
        assert_eq!(err["code"], "invalid_parameter");
    }
}
