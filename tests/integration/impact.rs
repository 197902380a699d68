//! Impact analysis through `/api/v1/impact`, `/api/v1/column-lineage` and
//! `/api/v1/lineage/diff`, checked against an oracle: a breadth-first
//! search written plainly over the raw events of generated meshes.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use meshgraph::generate::{Generator, GeneratorConfig};
use serde_json::Value;

use crate::support::{TestApp, assert_error, enc};

async fn get_ok(app: &TestApp, path: &str) -> Value {
    let (status, body) = app.get(path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

/// A small mesh whose jobs change their inputs, as NDJSON lines.
fn mesh(seed: u64, days: u32) -> Vec<String> {
    Generator::new(GeneratorConfig {
        seed,
        domains: 2,
        datasets: 120,
        jobs: 70,
        min_columns: 3,
        max_columns: 6,
        hubs: 3,
        chains: 1,
        changing_per_mille: 300,
        days: Some(days),
        ..Default::default()
    })
    .collect()
}

async fn load(events: &[String]) -> TestApp {
    let app = TestApp::new();
    for chunk in events.chunks(200) {
        let (status, body) = app
            .post("/api/v1/lineage", format!("[{}]", chunk.join(",")))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    app
}

/// What the oracle knows of one run.
#[derive(Default, Clone)]
struct OracleRun {
    first: i64,
    completed: Option<i64>,
    inputs: BTreeSet<String>,
    outputs: BTreeSet<String>,
    columns: BTreeSet<(String, String)>,
}

fn nanos(text: &str) -> i64 {
    meshgraph::openlineage::Timestamp::parse(text)
        .unwrap()
        .unix_nanos()
}

/// Per job, its runs, straight from the JSON.
fn oracle_runs(events: &[String]) -> BTreeMap<String, BTreeMap<String, OracleRun>> {
    let mut jobs: BTreeMap<String, BTreeMap<String, OracleRun>> = BTreeMap::new();
    for text in events {
        let e: Value = serde_json::from_str(text).unwrap();
        let job = format!(
            "job:{}:{}",
            e["job"]["namespace"].as_str().unwrap(),
            e["job"]["name"].as_str().unwrap()
        );
        let time = nanos(e["eventTime"].as_str().unwrap());
        let run = jobs
            .entry(job)
            .or_default()
            .entry(e["run"]["runId"].as_str().unwrap().to_owned())
            .or_insert_with(|| OracleRun {
                first: time,
                ..Default::default()
            });
        run.first = run.first.min(time);
        if e["eventType"] == "COMPLETE" {
            run.completed = Some(run.completed.map_or(time, |t: i64| t.max(time)));
        }
        let id = |d: &Value| {
            format!(
                "dataset:{}:{}",
                d["namespace"].as_str().unwrap(),
                d["name"].as_str().unwrap()
            )
        };
        for d in e["inputs"].as_array().into_iter().flatten() {
            run.inputs.insert(id(d));
        }
        for d in e["outputs"].as_array().into_iter().flatten() {
            run.outputs.insert(id(d));
            let out = format!(
                "datasetField:{}:{}",
                d["namespace"].as_str().unwrap(),
                d["name"].as_str().unwrap()
            );
            let fields = d["facets"]["columnLineage"]["fields"].as_object();
            for (field, lineage) in fields.into_iter().flatten() {
                for input in lineage["inputFields"].as_array().unwrap() {
                    let from = format!(
                        "datasetField:{}:{}:{}",
                        input["namespace"].as_str().unwrap(),
                        input["name"].as_str().unwrap(),
                        input["field"].as_str().unwrap()
                    );
                    run.columns.insert((from, format!("{out}:{field}")));
                }
            }
        }
    }
    jobs
}

/// The run whose inputs and outputs are the job's edges at `at` (now if
/// `None`): the latest completed by then, else the latest started by then.
fn holding(runs: &BTreeMap<String, OracleRun>, at: Option<i64>) -> Option<&OracleRun> {
    let by = |t: i64| at.is_none_or(|at| t <= at);
    runs.values()
        .filter(|r| r.completed.is_some_and(by))
        .max_by_key(|r| r.completed)
        .or_else(|| runs.values().filter(|r| by(r.first)).max_by_key(|r| r.first))
}

/// Downstream reachability with distances, as `id@distance`: dataset level
/// (jobs count one hop) or column level.
fn oracle(events: &[String], start: &str, column: bool, at: Option<i64>) -> BTreeSet<String> {
    let mut next: HashMap<String, Vec<(String, u32)>> = HashMap::new();
    for (job, runs) in oracle_runs(events) {
        let Some(run) = holding(&runs, at) else { continue };
        if column {
            for (from, to) in &run.columns {
                next.entry(from.clone()).or_default().push((to.clone(), 1));
            }
        } else {
            for input in &run.inputs {
                next.entry(input.clone()).or_default().push((job.clone(), 1));
            }
            for output in &run.outputs {
                next.entry(job.clone()).or_default().push((output.clone(), 0));
            }
        }
    }
    let mut seen: HashMap<String, u32> = HashMap::from([(start.to_owned(), 0)]);
    let mut queue = VecDeque::from([start.to_owned()]);
    while let Some(node) = queue.pop_front() {
        let d = seen[&node];
        for (to, cost) in next.get(&node).into_iter().flatten() {
            if !seen.contains_key(to) {
                seen.insert(to.clone(), d + cost);
                queue.push_back(to.clone());
            }
        }
    }
    seen.remove(start);
    seen.into_iter().map(|(id, d)| format!("{id}@{d}")).collect()
}

async fn impact(app: &TestApp, node: &str, query: &str) -> Value {
    get_ok(
        app,
        &format!("/api/v1/impact?nodeId={}&limit=all{query}", enc(node)),
    )
    .await
}

fn reached(answer: &Value) -> BTreeSet<String> {
    answer["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| format!("{}@{}", n["id"].as_str().unwrap(), n["distance"]))
        .collect()
}

/// Every dataset an event names, and one column of each output.
fn starts(events: &[String]) -> (Vec<String>, Vec<String>) {
    let mut datasets = BTreeSet::new();
    let mut columns = BTreeSet::new();
    for text in events {
        let e: Value = serde_json::from_str(text).unwrap();
        for d in e["inputs"].as_array().into_iter().flatten() {
            datasets.insert(format!(
                "dataset:{}:{}",
                d["namespace"].as_str().unwrap(),
                d["name"].as_str().unwrap()
            ));
            for f in d["facets"]["schema"]["fields"]
                .as_array()
                .into_iter()
                .flatten()
                .take(1)
            {
                columns.insert(format!(
                    "datasetField:{}:{}:{}",
                    d["namespace"].as_str().unwrap(),
                    d["name"].as_str().unwrap(),
                    f["name"].as_str().unwrap()
                ));
            }
        }
    }
    (datasets.into_iter().collect(), columns.into_iter().collect())
}

#[tokio::test]
async fn impact_equals_a_plain_search_over_the_raw_events() {
    for seed in [1, 2] {
        let events = mesh(seed, 3);
        let app = load(&events).await;
        let (datasets, columns) = starts(&events);
        // Every 7th dataset, and every hub (the most-read ones come first by name order).
        let (mut checked, mut far, mut changed) = (0, 0, 0);
        for start in datasets.iter().step_by(7) {
            let got = reached(&impact(&app, start, "").await);
            assert_eq!(got, oracle(&events, start, false, None), "{start}");
            far += usize::from(got.len() > 5);
            checked += 1;
        }
        for start in columns.iter().step_by(11) {
            let got = reached(&impact(&app, start, "").await);
            assert_eq!(got, oracle(&events, start, true, None), "{start}");
            far += usize::from(got.len() > 1);
            checked += 1;
        }
        // As of the middle of the second day, when some jobs read other tables.
        let first = nanos(
            serde_json::from_str::<Value>(&events[0]).unwrap()["eventTime"]
                .as_str()
                .unwrap(),
        );
        let at = first + 36 * 3_600 * 1_000_000_000;
        let at_text = meshgraph::openlineage::Timestamp::from_unix_nanos(at).to_rfc3339_utc();
        for start in datasets.iter().step_by(9) {
            let answer = impact(&app, start, &format!("&asOf={}", enc(&at_text))).await;
            assert_eq!(
                reached(&answer),
                oracle(&events, start, false, Some(at)),
                "{start} as of {at_text}"
            );
            changed += usize::from(reached(&answer) != reached(&impact(&app, start, "").await));
            checked += 1;
        }
        // The comparison is worth something: long answers, and a past that differs.
        assert!(
            checked > 20 && far > 5 && changed > 0,
            "checked {checked}, far {far}, changed {changed}"
        );
    }
}

#[tokio::test]
async fn answers_page_filter_export_and_explain_paths() {
    let events = mesh(3, 2);
    let app = load(&events).await;
    let (datasets, _) = starts(&events);
    // The dataset with the largest downstream.
    let mut best = (0, String::new());
    for start in &datasets {
        let n = impact(&app, start, "").await["counts"]["reached"]
            .as_u64()
            .unwrap();
        if n > best.0 {
            best = (n, start.clone());
        }
    }
    let (total, start) = best;
    assert!(total > 10, "a mesh with hubs reaches far: {total}");

    let page = get_ok(
        &app,
        &format!("/api/v1/impact?nodeId={}&limit=5&offset=2", enc(&start)),
    )
    .await;
    assert_eq!(page["nodes"].as_array().unwrap().len(), 5);
    assert_eq!(page["page"]["total"], total);
    assert_eq!(page["truncated"], false);
    assert_eq!(page["groups"]["products"], Value::Array(vec![]));
    let all = impact(&app, &start, "&paths=true").await;
    assert_eq!(page["nodes"][0], all["nodes"][2]);
    assert!(
        impact(&app, &start, "").await["nodes"][0].get("path").is_none(),
        "a full export gives `via` only"
    );
    for node in all["nodes"].as_array().unwrap() {
        let path = node["path"].as_array().unwrap();
        assert_eq!(path[0], start.as_str());
        assert_eq!(path.last().unwrap(), &node["id"]);
        assert_eq!(&path[path.len() - 2], &node["via"]);
        let jobs = path
            .iter()
            .filter(|p| p.as_str().unwrap().starts_with("job:"))
            .count();
        assert_eq!(
            node["distance"], jobs,
            "distance counts the jobs on the path: {node}"
        );
    }

    let datasets_only = impact(&app, &start, "&types=DATASET").await;
    assert_eq!(datasets_only["counts"]["listed"], all["counts"]["datasets"]);
    assert_eq!(datasets_only["counts"]["reached"], total);
    let near = impact(&app, &start, "&depth=1").await;
    assert_eq!(near["truncated"], true);
    assert!(
        near["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["distance"] == 1)
    );

    let request = Request::builder()
        .uri(format!("/api/v1/impact?nodeId={}", enc(&start)))
        .header(header::ACCEPT, "text/csv")
        .body(Body::empty())
        .unwrap();
    let (status, csv) = app.send(request).await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8(csv).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "id,type,namespace,name,field,distance,via,owners");
    assert_eq!(lines.len() as u64, total + 1, "every node, not a page");
    // Namespaces hold `://`, names may hold commas: the CSV quotes what it must.
    let first = &all["nodes"][0];
    assert!(lines[1].starts_with(first["id"].as_str().unwrap()));
}

#[tokio::test]
async fn bad_questions_get_clear_errors() {
    let app = load(&mesh(4, 1)).await;
    let (status, body) = app.get("/api/v1/impact").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_parameter");
    let (status, body) = app.get("/api/v1/impact?nodeId=table:x").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_parameter");
    let (status, body) = app
        .get(&format!(
            "/api/v1/impact?nodeId={}",
            enc("dataset:nowhere:nothing")
        ))
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = app
        .get(&format!(
            "/api/v1/impact?nodeId={}&direction=sideways",
            enc("dataset:a:b")
        ))
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_parameter");
    let (status, body) = app
        .get(&format!(
            "/api/v1/impact?nodeId={}&asOf=yesterday",
            enc("dataset:a:b")
        ))
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_parameter");
    let events = mesh(4, 1);
    let job: Value = serde_json::from_str(&events[0]).unwrap();
    let job = format!(
        "job:{}:{}",
        job["job"]["namespace"].as_str().unwrap(),
        job["job"]["name"].as_str().unwrap()
    );
    let (status, body) = app
        .get(&format!("/api/v1/impact?nodeId={}&level=column", enc(&job)))
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_parameter");
    let (status, body) = app.get("/api/v1/lineage/diff?to=2024-01-01T00:00:00Z").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_parameter");
}

/// A COMPLETE run of `job` reading `inputs` and writing `out` with one column `v` derived from `x.v` of each input.
fn run(job: &str, n: u128, time: &str, inputs: &[&str]) -> String {
    let ins: Vec<String> = inputs
        .iter()
        .map(|i| format!(r#"{{"namespace":"db","name":"{i}"}}"#))
        .collect();
    let fields: Vec<String> = inputs
        .iter()
        .map(|i| format!(r#"{{"namespace":"db","name":"{i}","field":"v","transformations":[{{"type":"DIRECT","subtype":"IDENTITY"}}]}}"#))
        .collect();
    format!(
        r#"{{"eventTime":"{time}","eventType":"COMPLETE","producer":"p","run":{{"runId":"{}"}},"job":{{"namespace":"sched","name":"{job}"}},
        "inputs":[{}],"outputs":[{{"namespace":"db","name":"out","facets":{{"columnLineage":{{"fields":{{"v":{{"inputFields":[{}]}}}}}}}}}}]}}"#,
        crate::support::run_id(n),
        ins.join(","),
        fields.join(",")
    )
}

#[tokio::test]
async fn diffs_and_column_lineage_follow_a_job_that_changes_its_inputs() {
    let app = TestApp::new();
    for body in [
        run("j", 1, "2024-01-01T00:00:00Z", &["a", "b"]),
        run("j", 2, "2024-01-02T00:00:00Z", &["a", "c"]),
    ] {
        let (status, answer) = app.post("/api/v1/lineage", body).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }
    let diff = get_ok(
        &app,
        "/api/v1/lineage/diff?from=2024-01-01T12:00:00Z&to=2024-01-02T12:00:00Z",
    )
    .await;
    let links = |key: &str| -> Vec<String> {
        diff[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                format!(
                    "{} -> {}",
                    l["origin"].as_str().unwrap(),
                    l["destination"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(links("appeared"), ["dataset:db:c -> job:sched:j"]);
    assert_eq!(links("disappeared"), ["dataset:db:b -> job:sched:j"]);
    let columns = get_ok(
        &app,
        "/api/v1/lineage/diff?from=2024-01-01T12:00:00Z&level=column",
    )
    .await;
    assert_eq!(columns["appeared"][0]["origin"], "datasetField:db:c:v");
    assert_eq!(columns["disappeared"][0]["origin"], "datasetField:db:b:v");

    // Marquez's column lineage: the output column and its current inputs.
    let graph = get_ok(
        &app,
        &format!("/api/v1/column-lineage?nodeId={}", enc("datasetField:db:out:v")),
    )
    .await;
    let nodes = graph["graph"].as_array().unwrap();
    let out = nodes.iter().find(|n| n["id"] == "datasetField:db:out:v").unwrap();
    assert_eq!(out["type"], "DATASET_FIELD");
    assert_eq!(out["data"]["dataset"], "out");
    let inputs: BTreeSet<&str> = out["data"]["inputFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["dataset"].as_str().unwrap())
        .collect();
    assert_eq!(inputs, BTreeSet::from(["a", "c"]));
    assert_eq!(out["data"]["transformationType"], "IDENTITY");
    assert_eq!(out["inEdges"].as_array().unwrap().len(), 2);
    assert_eq!(nodes.len(), 3);
    // Before the change, b fed the column.
    let past = impact(&app, "datasetField:db:b:v", "&asOf=2024-01-01T12:00:00Z").await;
    assert_eq!(
        reached(&past),
        BTreeSet::from(["datasetField:db:out:v@1".to_owned()])
    );
    assert!(reached(&impact(&app, "datasetField:db:b:v", "").await).is_empty());
}
