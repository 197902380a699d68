//! GraphQL's typed standard facets: every standard dataset, job, run, input
//! and output facet read back as typed objects from one event that carries
//! them all (`fixtures/every_standard_facet.json`), null when absent, and a
//! stored facet that no longer fits its schema answered as null (typed) and
//! as stored (`raw`) without failing the query.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, fixture};

const NS: &str = "postgres://shop-db:5432";
const OUTPUT: &str = "shop.analytics.daily_revenue";
const INPUT: &str = "shop.public.orders";
const JOB_NS: &str = "airflow";
const JOB: &str = "shop_dag.daily_revenue";
const RUN: &str = "0190a1b2-0000-7000-8000-00000000f001";

async fn app_with_every_facet() -> TestApp {
    let app = TestApp::new();
    let (status, answer) = app
        .post("/api/v1/lineage", fixture("every_standard_facet.json"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    app
}

const DATASET_FACETS: &str = r#"query($ns: String!, $name: String!) { dataset(namespace: $ns, name: $name) { facets {
    schema { fields { name type description fields { name type description fields { name } } } }
    dataSource { name uri }
    ownership { owners { name type } }
    documentation { description contentType }
    symlinks { identifiers { namespace name type } }
    lifecycleStateChange { lifecycleStateChange previousIdentifier { namespace name } }
    datasetType { datasetType subType }
    tags { tags { key value source field } }
    columnLineage {
        fields { name transformationDescription transformationType
            inputFields { namespace name field transformations { type subtype description masking } } }
        dataset { namespace name field transformations { type subtype description masking } }
    }
    dataQualityMetrics { rowCount bytes fileCount columnMetrics { name nullCount distinctCount sum count min max } }
    dataQualityAssertions { assertions { assertion success column severity } }
    custom: raw(names: ["example.custom"])
} } }"#;

#[tokio::test]
async fn every_standard_dataset_facet_is_typed() {
    let app = app_with_every_facet().await;
    let d = app
        .graphql_data(DATASET_FACETS, json!({"ns": NS, "name": OUTPUT}))
        .await;
    let facets = &d["dataset"]["facets"];
    let expected = json!({
        "schema": {"fields": [
            {"name": "day", "type": "DATE", "description": "The calendar day.", "fields": []},
            {"name": "store", "type": "STRUCT", "description": null, "fields": [
                {"name": "id", "type": "INT", "description": null, "fields": []},
                {"name": "region", "type": "TEXT", "description": "Sales region.", "fields": []},
            ]},
            {"name": "revenue", "type": "NUMERIC", "description": null, "fields": []},
        ]},
        "dataSource": {"name": "shop-db", "uri": "postgres://shop-db:5432"},
        "ownership": {"owners": [{"name": "team:finance", "type": "OWNER"}]},
        "documentation": {"description": "Daily revenue, one row per store and day.", "contentType": null},
        "symlinks": {"identifiers": [{"namespace": "s3://lake", "name": "analytics/daily_revenue", "type": "LOCATION"}]},
        "lifecycleStateChange": {
            "lifecycleStateChange": "RENAME",
            "previousIdentifier": {"namespace": NS, "name": "shop.analytics.revenue_by_day"},
        },
        "datasetType": {"datasetType": "VIEW", "subType": "MATERIALIZED"},
        "tags": {"tags": [
            {"key": "pii", "value": "false", "source": "DBT", "field": null},
            {"key": "currency", "value": "EUR", "source": null, "field": "revenue"},
        ]},
        "columnLineage": {
            // By output column name, as the facet's map orders them.
            "fields": [
                {
                    "name": "day",
                    "transformationDescription": "date(created_at)",
                    "transformationType": "IDENTITY",
                    "inputFields": [{"namespace": NS, "name": INPUT, "field": "created_at", "transformations": []}],
                },
                {
                    "name": "revenue",
                    "transformationDescription": null,
                    "transformationType": null,
                    "inputFields": [{"namespace": NS, "name": INPUT, "field": "amount", "transformations": [
                        {"type": "DIRECT", "subtype": "AGGREGATION", "description": "sum(amount)", "masking": false},
                    ]}],
                },
            ],
            "dataset": [{"namespace": NS, "name": INPUT, "field": "status", "transformations": [
                {"type": "INDIRECT", "subtype": "FILTER", "description": "status = 'paid'", "masking": null},
            ]}],
        },
        "dataQualityMetrics": {"rowCount": 365, "bytes": 40960, "fileCount": 1, "columnMetrics": [
            {"name": "revenue", "nullCount": 0, "distinctCount": null, "sum": null, "count": null, "min": 10.0, "max": 5000.5},
        ]},
        "dataQualityAssertions": {"assertions": [
            {"assertion": "unique", "success": true, "column": "day", "severity": null},
        ]},
        "custom": {"example.custom": {"anything": [1, 2.50, "as sent"]}},
    });
    assert_eq!(*facets, expected);

    // A dataset that has only a schema: every other typed facet is null.
    let d = app
        .graphql_data(DATASET_FACETS, json!({"ns": NS, "name": INPUT}))
        .await;
    let facets = d["dataset"]["facets"].as_object().unwrap();
    let present: std::collections::BTreeSet<&str> = facets
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(present, ["custom", "schema"].into());
    assert_eq!(facets["custom"], json!({}));
}

#[tokio::test]
async fn every_standard_job_and_run_facet_is_typed() {
    let app = app_with_every_facet().await;
    let d = app
        .graphql_data(
            r#"query($ns: String!, $name: String!, $run: ID!) {
                job(namespace: $ns, name: $name) { facets {
                    sql { query dialect }
                    sourceCodeLocation { type url repoUrl path version tag branch }
                    sourceCode { language sourceCode }
                    jobType { processingType integration jobType }
                    documentation { description contentType }
                    ownership { owners { name type } }
                    tags { tags { key value source field } }
                } }
                run(id: $run) { facets {
                    parent { run { runId } job { namespace name } root { run { runId } job { namespace name } } }
                    errorMessage { message programmingLanguage stackTrace }
                    nominalTime { nominalStartTime nominalEndTime }
                    tags { tags { key value source } }
                    engine: raw(names: ["processing_engine"])
                } }
            }"#,
            json!({"ns": JOB_NS, "name": JOB, "run": RUN}),
        )
        .await;
    assert_eq!(
        d["job"]["facets"],
        json!({
            "sql": {
                "query": "INSERT INTO shop.analytics.daily_revenue SELECT date(created_at), sum(amount) FROM shop.public.orders",
                "dialect": "postgres",
            },
            "sourceCodeLocation": {
                "type": "git",
                "url": "https://git.example.com/shop/blob/4f2a9c1/dags/revenue.py",
                "repoUrl": "https://git.example.com/shop",
                "path": "dags/revenue.py",
                "version": "4f2a9c1",
                "tag": "v1.2.0",
                "branch": "main",
            },
            "sourceCode": {"language": "python", "sourceCode": "def daily_revenue(ctx):\n    return run_sql(ctx)\n"},
            "jobType": {"processingType": "BATCH", "integration": "AIRFLOW", "jobType": "TASK"},
            "documentation": {"description": "Revenue per store and day.", "contentType": "text/markdown"},
            "ownership": {"owners": [{"name": "team:finance", "type": "MAINTAINER"}, {"name": "user:ana", "type": null}]},
            "tags": {"tags": [{"key": "tier", "value": "gold", "source": null, "field": null}]},
        })
    );
    assert_eq!(
        d["run"]["facets"],
        json!({
            "parent": {
                "run": {"runId": "0190a1b2-0000-7000-8000-00000000f000"},
                "job": {"namespace": "airflow", "name": "shop_dag"},
                "root": {
                    "run": {"runId": "0190a1b2-0000-7000-8000-0000000ff000"},
                    "job": {"namespace": "airflow", "name": "nightly"},
                },
            },
            "errorMessage": {
                "message": "division by zero",
                "programmingLanguage": "python",
                "stackTrace": "Traceback (most recent call last): ZeroDivisionError",
            },
            // Answered in UTC, as every time.
            "nominalTime": {"nominalStartTime": "2024-06-01T00:00:00Z", "nominalEndTime": "2024-06-01T22:00:00Z"},
            "tags": {"tags": [{"key": "env", "value": "prod", "source": "USER"}]},
            // Not a facet meshgraph types: JSON only.
            "engine": {"processing_engine": {"version": "2.9.1", "name": "Airflow", "openlineageAdapterVersion": "1.14.0"}},
        })
    );
}

#[tokio::test]
async fn input_and_output_facets_are_typed_where_they_apply() {
    let app = app_with_every_facet().await;
    let io = "name facets {
        inputStatistics { rowCount size fileCount }
        outputStatistics { rowCount size fileCount }
        dataQualityMetrics { rowCount bytes fileCount columnMetrics { name nullCount distinctCount sum count min max } }
        dataQualityAssertions { assertions { assertion success column severity } }
    }";
    let d = app
        .graphql_data(
            &format!("query($run: ID!) {{ run(id: $run) {{ inputs {{ {io} }} outputs {{ {io} }} }} }}"),
            json!({"run": RUN}),
        )
        .await;
    assert_eq!(
        d["run"]["inputs"],
        json!([{
            "name": INPUT,
            "facets": {
                // Beyond 32 bits: GraphQL's Int carries the whole count.
                "inputStatistics": {"rowCount": 1200, "size": 3_000_000_000_i64, "fileCount": 3},
                "outputStatistics": null,
                "dataQualityMetrics": {"rowCount": 1200, "bytes": 3_000_000_000_i64, "fileCount": null, "columnMetrics": [
                    {"name": "amount", "nullCount": 2, "distinctCount": 900, "sum": 51234.5, "count": 1198.0, "min": 0.5, "max": 999.99},
                ]},
                "dataQualityAssertions": {"assertions": [
                    {"assertion": "not_null", "success": false, "column": "amount", "severity": "error"},
                    {"assertion": "row_count_positive", "success": true, "column": null, "severity": null},
                ]},
            },
        }])
    );
    // Input facets are never read on an output, and the reverse.
    assert_eq!(
        d["run"]["outputs"],
        json!([{
            "name": OUTPUT,
            "facets": {
                "inputStatistics": null,
                "outputStatistics": {"rowCount": 365, "size": 40960, "fileCount": 1},
                "dataQualityMetrics": null,
                "dataQualityAssertions": null,
            },
        }])
    );
}

/// Rewrites the stored JSON of facet `key` of `owner` through SPARQL Update,
/// which writes what it is told: the store then holds a facet that breaks
/// its schema.
async fn rewrite_facet(app: &TestApp, owner: &oxigraph::model::NamedNode, key: &str, json: &str) {
    let graph = meshgraph::store::iri::facet(owner, key);
    let literal = oxigraph::model::Literal::new_typed_literal(json, meshgraph::store::vocab::rdf::JSON);
    let predicate = meshgraph::store::vocab::mg::FACET_JSON;
    let update = format!(
        "DELETE {{ GRAPH {graph} {{ {graph} {predicate} ?old }} }}
         INSERT {{ GRAPH {graph} {{ {graph} {predicate} {literal} }} }}
         WHERE {{ GRAPH {graph} {{ {graph} {predicate} ?old }} }}"
    );
    let (status, answer) = app
        .post_with(
            "/sparql",
            &[("content-type", "application/sparql-update")],
            update,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{answer}");
}

#[tokio::test]
async fn a_stored_facet_that_breaks_its_schema_is_null_typed_and_kept_raw() {
    let app = app_with_every_facet().await;
    let dataset = meshgraph::store::iri::dataset(NS, OUTPUT);
    rewrite_facet(&app, &dataset, "schema", r#"{"fields":"not a list"}"#).await;
    let job = meshgraph::store::iri::job(JOB_NS, JOB);
    rewrite_facet(&app, &job, "sql", r#"{"dialect":"postgres"}"#).await;

    let answer = app
        .graphql(
            r#"query($ns: String!, $name: String!, $jns: String!, $job: String!) {
                dataset(namespace: $ns, name: $name) {
                    name fields { name }
                    facets { schema { fields { name } } ownership { owners { name } } raw(names: ["schema"]) }
                }
                job(namespace: $jns, name: $job) { sql { query } facets { sql { query } jobType { integration } raw(names: ["sql"]) } }
            }"#,
            json!({"ns": NS, "name": OUTPUT, "jns": JOB_NS, "job": JOB}),
        )
        .await;
    assert!(answer.get("errors").is_none(), "{answer}");
    let d = &answer["data"];
    assert_eq!(d["dataset"]["name"], OUTPUT);
    assert_eq!(d["dataset"]["fields"], json!([]));
    assert_eq!(d["dataset"]["facets"]["schema"], Value::Null);
    // The other facets are untouched.
    assert_eq!(
        d["dataset"]["facets"]["ownership"],
        json!({"owners": [{"name": "team:finance"}]})
    );
    assert_eq!(
        d["dataset"]["facets"]["raw"],
        json!({"schema": {"fields": "not a list"}})
    );
    assert_eq!(d["job"]["sql"], Value::Null);
    assert_eq!(d["job"]["facets"]["sql"], Value::Null);
    assert_eq!(d["job"]["facets"]["jobType"], json!({"integration": "AIRFLOW"}));
    assert_eq!(d["job"]["facets"]["raw"], json!({"sql": {"dialect": "postgres"}}));
}
