//! Real events: every event under `../shared/openlineage/events/`, the
//! complete examples and the facet examples of the OpenLineage spec
//! (`../shared/openlineage/spec/tests/`), and the project's own fixtures
//! (`tests/fixtures/`: Spark, dbt, Airflow, column lineage, `_deleted`).
//!
//! Each is posted to `/api/v1/lineage` and must be accepted (201) and stored:
//! its run, job and datasets exist in the store, and every facet comes back
//! verbatim as the `mg:facetJson` literal of its graph `iri::facet(owner, key)`
//! (or is gone, for `_deleted` and `null` facets). Facet-only examples are
//! wrapped into a minimal RunEvent at the place their JSON Schema gives them
//! (run, job, dataset, input or output facets).
//!
//! `../shared` sits next to the repository (CI always has it); without it
//! these tests fail and say so.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use axum::http::StatusCode;
use meshgraph::openlineage::NodeId;
use meshgraph::store::iri;
use meshgraph::store::vocab::mg;
use oxigraph::model::NamedNode;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};

use crate::support::{TestApp, fixture};

const LINEAGE: &str = "/api/v1/lineage";

/// `../shared/openlineage`, or a failure that says what is missing.
fn shared_openlineage() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/openlineage");
    assert!(
        dir.join("events").is_dir() && dir.join("spec/tests").is_dir(),
        "the shared OpenLineage events and spec are missing: expected {} with `events/` and \
         `spec/tests/` (a checkout of the shared material next to the repository)",
        dir.display()
    );
    dir
}

/// The `.json` files under `dir`, sorted; recursively when `deep`.
fn json_files(dir: &Path, deep: bool) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if deep {
                files.extend(json_files(&path, true));
            }
        } else if path.extension().is_some_and(|e| e == "json") {
            files.push(path);
        }
    }
    files.sort();
    files
}

type RawFacets = BTreeMap<String, Box<RawValue>>;

/// An event read only for its identities and its facets, kept as raw text.
#[derive(Deserialize)]
struct Shape {
    run: Option<RunShape>,
    job: Option<EntityShape>,
    dataset: Option<EntityShape>,
    #[serde(default)]
    inputs: Option<Vec<IoShape>>,
    #[serde(default)]
    outputs: Option<Vec<IoShape>>,
}

#[derive(Deserialize)]
struct RunShape {
    #[serde(rename = "runId")]
    run_id: uuid::Uuid,
    #[serde(default)]
    facets: Option<RawFacets>,
}

#[derive(Deserialize)]
struct EntityShape {
    namespace: String,
    name: String,
    #[serde(default)]
    facets: Option<RawFacets>,
}

#[derive(Deserialize)]
struct IoShape {
    namespace: String,
    name: String,
    #[serde(default)]
    facets: Option<RawFacets>,
    #[serde(default, rename = "inputFacets")]
    input_facets: Option<RawFacets>,
    #[serde(default, rename = "outputFacets")]
    output_facets: Option<RawFacets>,
}

/// What an event should leave in the store.
#[derive(Default)]
struct Expected {
    /// `(node, class)` that must exist.
    nodes: Vec<(NamedNode, oxigraph::model::NamedNodeRef<'static>)>,
    /// `(owner, key)` -> the facet text, or `None` when it must be gone. A
    /// later facet of the same owner and key wins, as in the mapping.
    facets: BTreeMap<(String, String), Option<String>>,
}

impl Expected {
    fn facets(&mut self, owner: &NamedNode, facets: &Option<RawFacets>) {
        for (key, raw) in facets.iter().flatten() {
            let text = raw.get();
            let deleted = text == "null"
                || serde_json::from_str::<Value>(text).is_ok_and(|v| v["_deleted"] == json!(true));
            self.facets.insert(
                (owner.as_str().to_owned(), key.clone()),
                (!deleted).then(|| text.to_owned()),
            );
        }
    }

    fn dataset(&mut self, namespace: &str, name: &str, facets: &Option<RawFacets>) {
        let dataset = iri::dataset(namespace, name);
        self.facets(&dataset, facets);
        self.nodes.push((dataset, mg::DATASET));
    }

    /// Reads an event the way the mapping does: `run` and `job` make a
    /// RunEvent, `job` alone a JobEvent, `dataset` a DatasetEvent.
    fn of(text: &str) -> Self {
        let shape: Shape = serde_json::from_str(text).expect("an event");
        let mut expected = Self::default();
        let inputs = shape.inputs.unwrap_or_default();
        let outputs = shape.outputs.unwrap_or_default();
        if let Some(job) = &shape.job {
            let job_iri = iri::job(&job.namespace, &job.name);
            expected.facets(&job_iri, &job.facets);
            expected.nodes.push((job_iri, mg::JOB));
            let run = shape.run.as_ref().map(|run| {
                let run_iri = iri::run(run.run_id);
                expected.facets(&run_iri, &run.facets);
                expected.nodes.push((run_iri.clone(), mg::RUN));
                run_iri
            });
            for input in &inputs {
                expected.dataset(&input.namespace, &input.name, &input.facets);
                if let Some(run) = &run {
                    expected.facets(
                        &iri::usage(run, &iri::dataset(&input.namespace, &input.name)),
                        &input.input_facets,
                    );
                }
            }
            for output in &outputs {
                expected.dataset(&output.namespace, &output.name, &output.facets);
                if let Some(run) = &run {
                    let generation = iri::generation(run, &iri::dataset(&output.namespace, &output.name));
                    expected.facets(&generation, &output.output_facets);
                }
            }
        } else if let Some(dataset) = &shape.dataset {
            expected.dataset(&dataset.namespace, &dataset.name, &dataset.facets);
        }
        expected
    }

    /// What differs between this and the store, one line per difference.
    fn differences(&self, app: &TestApp) -> Vec<String> {
        let mut wrong = Vec::new();
        for (node, class) in &self.nodes {
            if !app.has_type(node, *class) {
                wrong.push(format!("{node} is not a {class}"));
            }
        }
        for ((owner, key), expected) in &self.facets {
            let stored = app.facet_json(&NamedNode::new(owner).unwrap(), key);
            if stored != *expected {
                let show =
                    |t: &Option<String>| t.as_deref().map_or("nothing".into(), |t| format!("{t:.200}"));
                wrong.push(format!(
                    "facet {key:?} of {owner}: stored {}, expected {}",
                    show(&stored),
                    show(expected)
                ));
            }
        }
        wrong
    }
}

/// Posts `text`; returns how many facets were checked, or what went wrong.
async fn post_and_check(app: &TestApp, text: &str) -> Result<usize, String> {
    let (status, body) = app.post(LINEAGE, text.to_owned()).await;
    if status != StatusCode::CREATED {
        return Err(format!("{status}: {body}"));
    }
    let expected = Expected::of(text);
    let wrong = expected.differences(app);
    if wrong.is_empty() {
        Ok(expected.facets.len())
    } else {
        Err(wrong.join("\n    "))
    }
}

/// Posts every file in order to one app; fails listing every file refused or
/// stored wrongly. Returns the app and how many facets were checked.
async fn post_all(files: &[PathBuf]) -> (TestApp, usize) {
    assert!(!files.is_empty(), "no events to post");
    let app = TestApp::new();
    let mut failures = Vec::new();
    let mut facets = 0;
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        match post_and_check(&app, &text).await {
            Ok(checked) => facets += checked,
            Err(why) => failures.push(format!("{}:\n    {why}", file.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} events failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    (app, facets)
}

#[tokio::test]
async fn every_shared_event_is_accepted_and_stored() {
    let files = json_files(&shared_openlineage().join("events"), true);
    let (app, facets) = post_all(&files).await;
    assert_eq!(app.log_len(), files.len() as u64, "one log record per event");
    assert!(facets >= 100, "only {facets} facets checked");
}

#[tokio::test]
async fn the_spec_complete_examples_are_accepted_and_stored() {
    let files = json_files(&shared_openlineage().join("spec/tests"), false);
    post_all(&files).await;
}

/// Where a facet goes in an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Run,
    Job,
    Dataset,
    Input,
    Output,
}

/// Where the spec puts facet type `name` (a directory of `spec/tests/`): the
/// base its JSON Schema in `spec/facets/` extends. A schema file may define
/// several facets (`LineageFacet`: dataset and job); the example's
/// `_schemaURL` fragment picks the one meant.
fn place_of(spec: &Path, name: &str, facet: &Value) -> Place {
    let schema_file = spec.join("facets").join(format!("{name}.json"));
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(&schema_file).unwrap_or_else(|e| panic!("{}: {e}", schema_file.display())),
    )
    .unwrap();
    let candidates: Vec<(&String, &str)> = schema["$defs"]
        .as_object()
        .unwrap_or_else(|| panic!("{}: no $defs", schema_file.display()))
        .iter()
        .filter_map(|(def, body)| {
            let base = body["allOf"]
                .as_array()?
                .iter()
                .find_map(|part| part["$ref"].as_str())?;
            Some((def, base.rsplit('/').next()?))
        })
        .collect();
    let meant = facet["_schemaURL"]
        .as_str()
        .and_then(|url| url.split_once('#'))
        .map_or(name, |(_, fragment)| fragment.rsplit('/').next().unwrap_or(name));
    let common = |a: &str| a.bytes().zip(meant.bytes()).take_while(|(x, y)| x == y).count();
    let (_, base) = candidates
        .iter()
        .max_by_key(|(def, _)| common(def))
        .unwrap_or_else(|| panic!("{}: no facet definition", schema_file.display()));
    match *base {
        "RunFacet" => Place::Run,
        "JobFacet" => Place::Job,
        "DatasetFacet" => Place::Dataset,
        "InputDatasetFacet" => Place::Input,
        "OutputDatasetFacet" => Place::Output,
        other => panic!("{name}: unknown facet base {other}"),
    }
}

/// A minimal RunEvent holding `facet` (`"key": raw`) at `place`, the raw
/// text pasted in unchanged.
fn wrap(run: uuid::Uuid, job_name: &str, place: Place, key: &str, raw: &str) -> String {
    let entry = format!("{}: {raw}", serde_json::to_string(key).unwrap());
    let at = |p: Place| if p == place { entry.as_str() } else { "" };
    format!(
        r#"{{"eventType": "COMPLETE", "eventTime": "2024-06-01T00:00:00Z",
  "producer": "https://meshgraph.dev/tests/spec-facets",
  "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
  "run": {{"runId": "{run}", "facets": {{{}}}}},
  "job": {{"namespace": "spec-facets", "name": {}, "facets": {{{}}}}},
  "inputs": [{{"namespace": "spec", "name": "input", "facets": {{}}, "inputFacets": {{{}}}}}],
  "outputs": [{{"namespace": "spec", "name": "output", "facets": {{{}}}, "outputFacets": {{{}}}}}]}}"#,
        at(Place::Run),
        serde_json::to_string(job_name).unwrap(),
        at(Place::Job),
        at(Place::Input),
        at(Place::Dataset),
        at(Place::Output),
    )
}

#[tokio::test]
async fn every_spec_facet_example_is_accepted_in_its_place_and_kept_verbatim() {
    let spec = shared_openlineage().join("spec");
    let app = TestApp::new();
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut places = std::collections::BTreeSet::new();
    for (n, file) in json_files(&spec.join("tests"), true).iter().enumerate() {
        let parent = file.parent().unwrap();
        if parent == spec.join("tests") {
            continue; // complete events, not facets
        }
        let facet_type = parent.file_name().unwrap().to_str().unwrap();
        let text = std::fs::read_to_string(file).unwrap();
        let facets: RawFacets = serde_json::from_str(&text).unwrap();
        for (key, raw) in &facets {
            let place = place_of(&spec, facet_type, &serde_json::from_str(raw.get()).unwrap());
            places.insert(format!("{place:?}"));
            let run = uuid::Uuid::from_u128(0x5bec_0000_0000_4000_8000_0000_0000_0000 | n as u128);
            let job_name = format!("{facet_type}/{}", file.file_name().unwrap().to_str().unwrap());
            let event = wrap(run, &job_name, place, key, raw.get());
            let run_iri = iri::run(run);
            let owner = match place {
                Place::Run => run_iri.clone(),
                Place::Job => iri::job("spec-facets", &job_name),
                Place::Dataset => iri::dataset("spec", "output"),
                Place::Input => iri::usage(&run_iri, &iri::dataset("spec", "input")),
                Place::Output => iri::generation(&run_iri, &iri::dataset("spec", "output")),
            };
            checked += 1;
            let (status, body) = app.post(LINEAGE, event.clone()).await;
            if status != StatusCode::CREATED {
                failures.push(format!(
                    "{} as a {place:?} facet: {status} {body}",
                    file.display()
                ));
                continue;
            }
            let stored = app.facet_json(&owner, key);
            if stored.as_deref() != Some(raw.get()) {
                failures.push(format!(
                    "{} as a {place:?} facet: stored {stored:?}, sent {}",
                    file.display(),
                    raw.get()
                ));
            }
        }
    }
    assert!(checked >= 40, "only {checked} facet examples found");
    assert_eq!(places.len(), 5, "every place is exercised: {places:?}");
    assert!(
        failures.is_empty(),
        "{} of {checked} facet examples failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------
// The project's own fixtures.
// ---------------------------------------------------------------------------

/// Posts a fixture, checks it is stored with its facets verbatim, and returns
/// the app and the event as JSON.
async fn post_fixture(name: &str) -> (TestApp, Value) {
    let app = TestApp::new();
    let text = fixture(name);
    post_and_check(&app, &text)
        .await
        .unwrap_or_else(|why| panic!("{name}: {why}"));
    (app, serde_json::from_str(&text).unwrap())
}

/// Looks up a facet's raw text in the fixture itself, by position.
fn raw_facet<'a>(text: &'a str, pointer: &[&str]) -> &'a str {
    fn find<'a>(raw: &'a RawValue, path: &[&str]) -> &'a RawValue {
        let Some((first, rest)) = path.split_first() else {
            return raw;
        };
        if let Ok(index) = first.parse::<usize>() {
            let items: Vec<&RawValue> = serde_json::from_str(raw.get()).unwrap();
            return find(items[index], rest);
        }
        let map: BTreeMap<&str, &RawValue> = serde_json::from_str(raw.get()).unwrap();
        find(map.get(first).unwrap_or_else(|| panic!("no {first}")), rest)
    }
    let root: &RawValue = serde_json::from_str(text).unwrap();
    find(root, pointer).get()
}

fn job_io(app: &TestApp, namespace: &str, name: &str) -> (Vec<NodeId>, Vec<NodeId>) {
    app.app.views.projection().job_io(&NodeId::Job {
        namespace: namespace.into(),
        name: name.into(),
    })
}

fn dataset_id(namespace: &str, name: &str) -> NodeId {
    NodeId::Dataset {
        namespace: namespace.into(),
        name: name.into(),
    }
}

#[tokio::test]
async fn a_spark_event_keeps_its_logical_plan_and_environment_verbatim() {
    let (app, event) = post_fixture("spark_logical_plan.json").await;
    let text = fixture("spark_logical_plan.json");
    let run = uuid::Uuid::parse_str(event["run"]["runId"].as_str().unwrap()).unwrap();
    let run_iri = iri::run(run);
    for key in ["spark.logicalPlan", "environment-properties"] {
        let stored = app
            .facet_json(&run_iri, key)
            .unwrap_or_else(|| panic!("{key} not stored"));
        // Byte for byte: key order, `null`s, `1.2345E7` and spacing included.
        assert_eq!(stored, raw_facet(&text, &["run", "facets", key]), "{key}");
    }
    assert_eq!(app.run_state(run).as_deref(), Some("COMPLETE"));
    let namespace = "abfss://lake@acct.dfs.core.windows.net";
    let (inputs, outputs) = job_io(&app, "spark-prod", event["job"]["name"].as_str().unwrap());
    assert_eq!(inputs, [dataset_id(namespace, "/silver/orders")]);
    assert_eq!(outputs, [dataset_id(namespace, "/gold/daily_revenue")]);
}

#[tokio::test]
async fn a_dbt_event_is_stored_with_its_sql_assertions_and_custom_facets() {
    let (app, event) = post_fixture("dbt_model.json").await;
    let run = uuid::Uuid::parse_str(event["run"]["runId"].as_str().unwrap()).unwrap();
    assert_eq!(app.run_state(run).as_deref(), Some("COMPLETE"));
    let job = iri::job("dbt-finance", "finance_marts.fct_invoices");
    let sql = app.facet_json(&job, "sql").expect("sql facet");
    assert!(
        sql.contains(r#"\"analytics\".\"staging\".\"stg_invoices\""#),
        "{sql}"
    );
    let usage = iri::usage(
        &iri::run(run),
        &iri::dataset(
            "postgres://warehouse.internal:5432",
            "analytics.staging.stg_invoices",
        ),
    );
    let assertions = app
        .facet_json(&usage, "dataQualityAssertions")
        .expect("input facet on the usage");
    assert!(assertions.contains("accepted_values"), "{assertions}");
    let (inputs, outputs) = job_io(&app, "dbt-finance", "finance_marts.fct_invoices");
    assert_eq!(inputs.len(), 2, "{inputs:?}");
    assert_eq!(
        outputs,
        [dataset_id(
            "postgres://warehouse.internal:5432",
            "analytics.marts.fct_invoices"
        )]
    );
}

#[tokio::test]
async fn an_airflow_task_event_is_stored_with_its_parent_facet() {
    let (app, event) = post_fixture("airflow_task.json").await;
    let text = fixture("airflow_task.json");
    let run = uuid::Uuid::parse_str(event["run"]["runId"].as_str().unwrap()).unwrap();
    assert_eq!(app.run_state(run).as_deref(), Some("RUNNING"));
    let parent = app.facet_json(&iri::run(run), "parent").expect("parent facet");
    assert_eq!(parent, raw_facet(&text, &["run", "facets", "parent"]));
    let airflow = app
        .facet_json(&iri::run(run), "airflow")
        .expect("custom airflow facet");
    assert_eq!(airflow, raw_facet(&text, &["run", "facets", "airflow"]));
    // The COMPLETE that follows finishes the same run.
    let mut complete = event.clone();
    complete["eventType"] = json!("COMPLETE");
    complete["eventTime"] = json!("2024-06-03T01:02:44.018Z");
    let (status, body) = app.post(LINEAGE, complete.to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(app.run_state(run).as_deref(), Some("COMPLETE"));
}

#[tokio::test]
async fn a_column_lineage_event_keeps_its_transformations() {
    let (app, _) = post_fixture("column_lineage.json").await;
    let text = fixture("column_lineage.json");
    let output = iri::dataset("trino://trino.internal:8080", "marts.public.customer_360");
    let stored = app
        .facet_json(&output, "columnLineage")
        .expect("columnLineage facet");
    assert_eq!(
        stored,
        raw_facet(&text, &["outputs", "0", "facets", "columnLineage"])
    );
    let facet: Value = serde_json::from_str(&stored).unwrap();
    assert_eq!(
        facet["fields"]["email_hash"]["inputFields"][0]["transformations"][0]["masking"],
        true
    );
    assert_eq!(facet["dataset"][0]["transformations"][0]["subtype"], "FILTER");
    let (inputs, _) = job_io(&app, "trino-etl", "customer_360");
    assert_eq!(inputs.len(), 2, "{inputs:?}");
}

#[tokio::test]
async fn a_dataset_event_with_deleted_facets_removes_them() {
    let app = TestApp::new();
    for name in ["dataset_event_owned.json", "dataset_event_deleted_facet.json"] {
        post_and_check(&app, &fixture(name))
            .await
            .unwrap_or_else(|why| panic!("{name}: {why}"));
    }
    let dataset = iri::dataset(
        "snowflake://acme-eu.snowflakecomputing.com",
        "SALES.PUBLIC.CUSTOMERS",
    );
    assert!(app.has_type(&dataset, mg::DATASET));
    for gone in ["ownership", "tags"] {
        assert_eq!(app.facet_json(&dataset, gone), None, "{gone} should be deleted");
        let graph = iri::facet(&dataset, gone);
        let left = app.select(&format!("SELECT * WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"));
        assert!(left.is_empty(), "{gone}: its graph still holds {left:?}");
    }
    let kept = app
        .facet_json(&dataset, "documentation")
        .expect("documentation is untouched");
    assert!(kept.contains("EU sales entity"), "{kept}");
    // Deleting again, or deleting what never existed, is fine.
    let (status, body) = app
        .post(LINEAGE, fixture("dataset_event_deleted_facet.json"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}
