//! The data-mesh catalog: products, domains and concepts from Turtle
//! descriptions loaded into named graphs, joined with lineage POSTed as
//! OpenLineage events; and the impact answer grouped by product, domain
//! and owner.

use axum::http::StatusCode;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::NamedNode;
use serde_json::{Value, json};

use crate::support::{TestApp, assert_error, enc, fixture, run_id};

const SALES_DB: &str = "postgres://sales-db:5432";
const EX: &str = "https://example.com/mesh/";
const RETAIL: &str = "https://example.com/retail#";
const GLOSSARY: &str = "https://example.com/glossary/";

/// Loads a Turtle document into its own named graph, as a domain team's
/// upload would land.
fn load_turtle(app: &TestApp, graph: &str, text: &str) {
    app.app
        .views
        .store()
        .oxigraph()
        .load_from_slice(
            RdfParser::from_format(RdfFormat::Turtle).with_default_graph(NamedNode::new(graph).unwrap()),
            text.as_bytes(),
        )
        .unwrap_or_else(|e| panic!("{graph}: {e}"));
}

fn dataset(namespace: &str, name: &str, facets: Value) -> Value {
    json!({"namespace": namespace, "name": name, "facets": facets})
}

/// A COMPLETE run of `job` (namespace `mesh`).
fn run(n: u128, job: &str, inputs: Vec<Value>, outputs: Vec<Value>) -> Value {
    json!({
        "eventType": "COMPLETE",
        "eventTime": format!("2026-11-24T10:{n:02}:00Z"),
        "run": {"runId": run_id(n).to_string()},
        "job": {"namespace": "mesh", "name": job},
        "inputs": inputs,
        "outputs": outputs,
        "producer": "https://meshgraph.dev/tests",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
    })
}

/// carts -> load_orders -> orders -> revenue -> finance.revenue
///                                \-> enrich -> customers_enriched -> targets -> campaign_targets
fn events() -> Vec<Value> {
    let plain = || json!({});
    vec![
        run(
            1,
            "load_orders",
            vec![dataset(SALES_DB, "sales.public.carts", plain())],
            vec![dataset(
                SALES_DB,
                "sales.public.orders",
                json!({
                    "ownership": {"owners": [{"name": "team:sales", "type": "MAINTAINER"}]},
                    "schema": {"fields": [{"name": "id", "type": "int"}, {"name": "customer_email", "type": "text"}]},
                    "tags": {"tags": [
                        {"key": "PII", "value": "true", "field": "customer_email"},
                        {"key": "email ADDRESS", "value": "true", "field": "customer_email"},
                        {"key": "unrelated", "value": "x"}
                    ]}
                }),
            )],
        ),
        run(
            2,
            "revenue",
            vec![dataset(SALES_DB, "sales.public.orders", plain())],
            vec![dataset(
                "warehouse",
                "finance.revenue",
                json!({"columnLineage": {"fields": {"total": {"inputFields": [
                    {"namespace": SALES_DB, "name": "sales.public.orders", "field": "id"}
                ]}}}}),
            )],
        ),
        run(
            3,
            "enrich",
            vec![dataset(SALES_DB, "sales.public.orders", plain())],
            vec![dataset(
                "warehouse",
                "marketing.customers_enriched",
                json!({"ownership": {"owners": [{"name": "team:data-platform"}]}}),
            )],
        ),
        run(
            4,
            "targets",
            vec![dataset("warehouse", "marketing.customers_enriched", plain())],
            vec![dataset("warehouse", "marketing.campaign_targets", plain())],
        ),
    ]
}

/// An app with the lineage above and the retail ontology, the glossary,
/// the product descriptions and meshgraph's own ontology loaded.
async fn mesh() -> TestApp {
    let app = TestApp::new();
    let (status, body) = app
        .post("/api/v1/lineage", Value::Array(events()).to_string())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for file in ["retail-ontology.ttl", "glossary.ttl", "products.ttl"] {
        load_turtle(
            &app,
            &format!("https://example.com/graphs/{file}"),
            &fixture(&format!("catalog/{file}")),
        );
    }
    let ontology =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/ontology/meshgraph.ttl")).unwrap();
    load_turtle(&app, "https://meshgraph.dev/ns", &ontology);
    app
}

async fn get_ok(app: &TestApp, path: &str) -> Value {
    let (status, body) = app.get(path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

fn ids(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect()
}

fn ex(local: &str) -> String {
    format!("{EX}{local}")
}

fn names(datasets: &Value) -> Vec<(String, bool)> {
    datasets
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap().to_owned(),
                d["known"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn products_have_owners_domains_ports_datasets_and_lineage_neighbours() {
    let app = mesh().await;
    let list = get_ok(&app, "/api/v1/products").await;
    assert_eq!(list["totalCount"], 3);
    assert_eq!(
        ids(&list["products"]),
        [
            ex("campaigns-product"),
            ex("orders-product"),
            ex("revenue-product")
        ]
    );
    let page = get_ok(&app, "/api/v1/products?limit=1&offset=1").await;
    assert_eq!(ids(&page["products"]), [ex("orders-product")]);
    assert_eq!(page["totalCount"], 3);

    let orders = get_ok(&app, &format!("/api/v1/products/{}", enc(&ex("orders-product")))).await;
    assert_eq!(orders["title"], "Orders");
    assert_eq!(orders["description"], "Every order, as placed.");
    assert_eq!(
        orders["owners"],
        json!([{"name": "team:sales", "iri": ex("team-sales"), "label": "Sales team", "email": "sales@example.com"}])
    );
    assert_eq!(orders["domain"], json!({"id": ex("sales"), "label": "Sales"}));
    assert_eq!(
        orders["lifecycleStatus"],
        json!({"id": "https://ekgf.github.io/dprod/data/lifecycle-status/Consume", "label": "Consume"})
    );
    assert_eq!(
        ids(&orders["outputPorts"]),
        [ex("online-port"), ex("orders-port")]
    );
    assert_eq!(orders["outputPorts"][1]["title"], "Orders table");
    assert_eq!(
        orders["outputPorts"][1]["datasets"],
        json!([{
            "namespace": SALES_DB,
            "name": "sales.public.orders",
            "iri": "https://meshgraph.dev/id/dataset/postgres%3A%2F%2Fsales-db%3A5432/sales.public.orders",
            "known": true
        }])
    );
    // Described but never reported by a pipeline.
    assert_eq!(
        names(&orders["outputDatasets"]),
        [
            ("sales.public.online_orders".to_owned(), false),
            ("sales.public.orders".to_owned(), true)
        ]
    );
    assert_eq!(ids(&orders["inputPorts"]), [ex("carts-port")]);
    assert_eq!(
        names(&orders["inputDatasets"]),
        [("sales.public.carts".to_owned(), true)]
    );
    // Revenue reads the orders table (and lineage says so too); campaigns
    // only through lineage, two jobs away.
    assert_eq!(
        ids(&orders["downstream"]),
        [ex("campaigns-product"), ex("revenue-product")]
    );
    assert_eq!(orders["downstream"][1]["domain"], ex("finance"));
    assert_eq!(orders["upstream"], json!([]));

    let revenue = get_ok(&app, &format!("/api/v1/products/{}", enc(&ex("revenue-product")))).await;
    assert_eq!(ids(&revenue["upstream"]), [ex("orders-product")]);
    assert_eq!(revenue["downstream"], json!([]));
    assert_eq!(revenue["outputPorts"], json!([]));
    // Named by its meshgraph IRI: namespace and name read back from it.
    assert_eq!(
        revenue["outputDatasets"],
        json!([{
            "namespace": "warehouse",
            "name": "finance.revenue",
            "iri": "https://meshgraph.dev/id/dataset/warehouse/finance.revenue",
            "known": true
        }])
    );
    assert_eq!(revenue["lifecycleStatus"], Value::Null);
    let campaigns = get_ok(
        &app,
        &format!("/api/v1/products/{}", enc(&ex("campaigns-product"))),
    )
    .await;
    assert_eq!(ids(&campaigns["upstream"]), [ex("orders-product")]);

    let (status, body) = app.get(&format!("/api/v1/products/{}", enc(&ex("nope")))).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = app.get("/api/v1/products?limit=x").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_parameter");
}

#[tokio::test]
async fn domains_have_products_owners_and_dependencies() {
    let app = mesh().await;
    let list = get_ok(&app, "/api/v1/domains").await;
    assert_eq!(list["totalCount"], 3);
    assert_eq!(
        ids(&list["domains"]),
        [ex("finance"), ex("marketing"), ex("sales")]
    );

    let sales = get_ok(&app, &format!("/api/v1/domains/{}", enc(&ex("sales")))).await;
    assert_eq!(sales["label"], "Sales");
    assert_eq!(sales["description"], "Orders and carts.");
    assert_eq!(ids(&sales["products"]), [ex("orders-product")]);
    assert_eq!(sales["products"][0]["title"], "Orders");
    assert_eq!(sales["owners"][0]["name"], "team:sales");
    assert_eq!(sales["dependsOn"], json!([]));
    assert_eq!(
        sales["dependents"],
        json!([{"id": ex("finance"), "label": "Finance"}, {"id": ex("marketing"), "label": "Marketing"}])
    );
    let marketing = get_ok(&app, &format!("/api/v1/domains/{}", enc(&ex("marketing")))).await;
    assert_eq!(
        marketing["dependsOn"],
        json!([{"id": ex("sales"), "label": "Sales"}])
    );
    assert_eq!(marketing["dependents"], json!([]));
    assert_eq!(marketing["owners"][0]["name"], "team:marketing");

    let (status, body) = app.get(&format!("/api/v1/domains/{}", enc(&ex("nope")))).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn domains_depend_on_each_other_only_through_lineage_that_holds_now() {
    // Without the enrich and targets runs, marketing depends on nothing;
    // once they come in, the catalog read before them is not kept.
    let app = TestApp::new();
    let all = events();
    for (events, linked) in [(&all[..2], false), (&all[2..], true)] {
        let (status, _) = app
            .post("/api/v1/lineage", Value::Array(events.to_vec()).to_string())
            .await;
        assert_eq!(status, StatusCode::CREATED);
        if !linked {
            load_turtle(&app, "https://example.com/g", &fixture("catalog/products.ttl"));
        }
        let marketing = get_ok(&app, &format!("/api/v1/domains/{}", enc(&ex("marketing")))).await;
        let sales = if linked { vec![ex("sales")] } else { vec![] };
        assert_eq!(ids(&marketing["dependsOn"]), sales);
        let campaigns = get_ok(
            &app,
            &format!("/api/v1/products/{}", enc(&ex("campaigns-product"))),
        )
        .await;
        assert_eq!(
            names(&campaigns["outputDatasets"]),
            [("marketing.campaign_targets".to_owned(), linked)]
        );
        let orders = if linked {
            vec![ex("orders-product")]
        } else {
            vec![]
        };
        assert_eq!(ids(&campaigns["upstream"]), orders);
        // Revenue takes the orders table as input all along.
        let finance = get_ok(&app, &format!("/api/v1/domains/{}", enc(&ex("finance")))).await;
        assert_eq!(ids(&finance["dependsOn"]), [ex("sales")]);
    }
}

#[tokio::test]
async fn concepts_list_classes_and_glossary_terms_with_their_hierarchy() {
    let app = mesh().await;
    let list = get_ok(&app, "/api/v1/concepts?limit=100").await;
    let all = ids(&list["concepts"]);
    for expected in [
        format!("{RETAIL}Order"),
        format!("{RETAIL}OnlineOrder"),
        format!("{RETAIL}Customer"),
        format!("{GLOSSARY}PersonalData"),
        format!("{GLOSSARY}EmailAddress"),
    ] {
        assert!(all.contains(&expected.as_str()), "{expected} in {all:?}");
    }
    assert!(
        !all.iter().any(|c| c.starts_with("https://meshgraph.dev/ns#")
            || c.starts_with("http://www.w3.org/")
            || c.starts_with("https://ekgf.github.io/dprod/")),
        "the vocabularies meshgraph builds on are not concepts: {all:?}"
    );
    assert_eq!(list["totalCount"], all.len());
    let order = list["concepts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == format!("{RETAIL}Order"))
        .unwrap();
    assert_eq!(order["label"], "Order", "English over French");
    assert_eq!(order["kind"], "class");
    assert_eq!(
        order["subClasses"],
        json!([{"id": format!("{RETAIL}OnlineOrder"), "label": "Online order"}])
    );
    let email = get_ok(
        &app,
        &format!("/api/v1/concepts/{}", enc(&format!("{GLOSSARY}EmailAddress"))),
    )
    .await;
    assert_eq!(email["kind"], "concept");
    // Stated as skos:narrower on the broader term.
    assert_eq!(
        email["broader"],
        json!([{"id": format!("{GLOSSARY}PersonalData"), "label": "Personal data"}])
    );
    let (status, body) = app
        .get(&format!(
            "/api/v1/concepts/{}",
            enc("https://example.com/nothing")
        ))
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn a_concept_is_carried_through_subclasses_narrower_terms_and_tags() {
    let app = mesh().await;
    let order = get_ok(
        &app,
        &format!("/api/v1/concepts/{}", enc(&format!("{RETAIL}Order"))),
    )
    .await;
    assert_eq!(ids(&order["covers"]), [format!("{RETAIL}OnlineOrder")]);
    let datasets: Vec<(&str, &Value, &Value)> = order["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["name"].as_str().unwrap(), &d["concepts"], &d["via"]))
        .collect();
    assert_eq!(
        datasets,
        [
            (
                "sales.public.online_orders",
                &json!([format!("{RETAIL}OnlineOrder")]),
                &json!(["statement"])
            ),
            (
                "sales.public.orders",
                &json!([format!("{RETAIL}Order")]),
                &json!(["statement"])
            ),
        ]
    );
    assert_eq!(ids(&order["products"]), [ex("orders-product")]);
    assert_eq!(order["domains"], json!([{"id": ex("sales"), "label": "Sales"}]));
    assert_eq!(order["columns"], json!([]));

    // Personal data: the orders' email column by two tags (one names the
    // concept by notation, the other a narrower term by label, in another
    // case), the campaign targets' email column by a statement on a node
    // that names the column.
    let pii = get_ok(
        &app,
        &format!("/api/v1/concepts/{}", enc(&format!("{GLOSSARY}PersonalData"))),
    )
    .await;
    assert_eq!(
        pii["columns"],
        json!([
            {
                "dataset": {
                    "namespace": SALES_DB,
                    "name": "sales.public.orders",
                    "iri": "https://meshgraph.dev/id/dataset/postgres%3A%2F%2Fsales-db%3A5432/sales.public.orders",
                    "known": true
                },
                "field": "customer_email",
                "iri": "https://meshgraph.dev/id/dataset/postgres%3A%2F%2Fsales-db%3A5432/sales.public.orders/field/customer_email",
                "concepts": [format!("{GLOSSARY}EmailAddress"), format!("{GLOSSARY}PersonalData")],
                "via": ["tag"]
            },
            {
                "dataset": {
                    "namespace": "warehouse",
                    "name": "marketing.campaign_targets",
                    "iri": "https://meshgraph.dev/id/dataset/warehouse/marketing.campaign_targets",
                    "known": true
                },
                "field": "email",
                "iri": "https://meshgraph.dev/id/dataset/warehouse/marketing.campaign_targets/field/email",
                "concepts": [format!("{GLOSSARY}EmailAddress")],
                "via": ["statement"]
            }
        ])
    );
    assert_eq!(pii["datasets"], json!([]));
    assert_eq!(
        ids(&pii["products"]),
        [ex("campaigns-product"), ex("orders-product")]
    );
    assert_eq!(ids(&pii["domains"]), [ex("marketing"), ex("sales")]);

    // A broader glossary term covers the revenue dataset, named by IRI.
    let finance = get_ok(
        &app,
        &format!("/api/v1/concepts/{}", enc(&format!("{GLOSSARY}Finance"))),
    )
    .await;
    assert_eq!(
        names(&finance["datasets"]),
        [("finance.revenue".to_owned(), true)]
    );
    assert_eq!(ids(&finance["products"]), [ex("revenue-product")]);
    assert_eq!(ids(&finance["domains"]), [ex("finance")]);
    // The narrower term alone does not cover its broader one.
    let email = get_ok(
        &app,
        &format!("/api/v1/concepts/{}", enc(&format!("{GLOSSARY}EmailAddress"))),
    )
    .await;
    assert_eq!(email["columns"].as_array().unwrap().len(), 2);
    assert_eq!(
        email["columns"][0]["concepts"],
        json!([format!("{GLOSSARY}EmailAddress")])
    );
}

#[tokio::test]
async fn a_dataset_lists_its_concepts_and_its_columns() {
    let app = mesh().await;
    let orders = get_ok(
        &app,
        &format!(
            "/api/v1/namespaces/{}/datasets/{}/concepts",
            enc(SALES_DB),
            enc("sales.public.orders")
        ),
    )
    .await;
    assert_eq!(orders["dataset"]["known"], true);
    assert_eq!(
        orders["concepts"],
        json!([
            {"field": null, "id": format!("{RETAIL}Order"), "label": "Order", "kind": "class", "via": "statement", "tag": null},
            {"field": "customer_email", "id": format!("{GLOSSARY}EmailAddress"), "label": "Email address", "kind": "concept", "via": "tag", "tag": "email ADDRESS"},
            {"field": "customer_email", "id": format!("{GLOSSARY}PersonalData"), "label": "Personal data", "kind": "concept", "via": "tag", "tag": "PII"}
        ])
    );
    // Described, never reported: still answered, with its concept.
    let online = get_ok(
        &app,
        &format!(
            "/api/v1/namespaces/{}/datasets/{}/concepts",
            enc(SALES_DB),
            enc("sales.public.online_orders")
        ),
    )
    .await;
    assert_eq!(online["dataset"]["known"], false);
    assert_eq!(online["concepts"][0]["id"], format!("{RETAIL}OnlineOrder"));
    // Reported, without concepts.
    let carts = get_ok(
        &app,
        &format!(
            "/api/v1/namespaces/{}/datasets/{}/concepts",
            enc(SALES_DB),
            enc("sales.public.carts")
        ),
    )
    .await;
    assert_eq!(carts["concepts"], json!([]));
    let (status, body) = app
        .get(&format!(
            "/api/v1/namespaces/{}/datasets/nope/concepts",
            enc(SALES_DB)
        ))
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn impact_is_grouped_by_product_domain_and_owner() {
    let app = mesh().await;
    let answer = get_ok(
        &app,
        &format!(
            "/api/v1/impact?nodeId={}",
            enc(&format!("dataset:{SALES_DB}:sales.public.orders"))
        ),
    )
    .await;
    let groups = &answer["groups"];
    assert_eq!(
        groups["products"],
        json!([
            {
                "id": ex("revenue-product"), "title": "Revenue", "domain": ex("finance"),
                "distance": 1, "datasets": 1, "columns": 0, "owners": ["team:finance"],
                "members": ["dataset:warehouse:finance.revenue"]
            },
            {
                "id": ex("campaigns-product"), "title": "Campaigns", "domain": ex("marketing"),
                "distance": 2, "datasets": 1, "columns": 0, "owners": ["team:marketing"],
                "members": ["dataset:warehouse:marketing.campaign_targets"]
            }
        ])
    );
    assert_eq!(
        groups["domains"],
        json!([
            {"id": ex("finance"), "label": "Finance", "distance": 1, "products": [ex("revenue-product")],
             "members": ["dataset:warehouse:finance.revenue"]},
            {"id": ex("marketing"), "label": "Marketing", "distance": 2, "products": [ex("campaigns-product")],
             "members": ["dataset:warehouse:marketing.campaign_targets"]}
        ])
    );
    let owners: Vec<(&str, &Value, &Value, &Value)> = groups["owners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["name"].as_str().unwrap(),
                &o["distance"],
                &o["sources"],
                &o["members"],
            )
        })
        .collect();
    assert_eq!(
        owners,
        [
            (
                "team:data-platform",
                &json!(1),
                &json!(["ownership"]),
                &json!(["dataset:warehouse:marketing.customers_enriched"])
            ),
            (
                "team:finance",
                &json!(1),
                &json!(["product"]),
                &json!(["dataset:warehouse:finance.revenue"])
            ),
            (
                "team:marketing",
                &json!(2),
                &json!(["product"]),
                &json!(["dataset:warehouse:marketing.campaign_targets"])
            ),
        ]
    );
    assert_eq!(groups["owners"][1]["products"], json!([ex("revenue-product")]));
    assert_eq!(groups["owners"][0]["type"], Value::Null);
    let revenue = answer["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "dataset:warehouse:finance.revenue")
        .unwrap();
    assert_eq!(revenue["products"], json!([ex("revenue-product")]));

    // Upstream of the campaign targets: the orders product and the owner
    // both its description and an ownership facet name, merged.
    let up = get_ok(
        &app,
        &format!(
            "/api/v1/impact?direction=upstream&nodeId={}",
            enc("dataset:warehouse:marketing.campaign_targets")
        ),
    )
    .await;
    assert_eq!(ids(&up["groups"]["products"]), [ex("orders-product")]);
    assert_eq!(up["groups"]["products"][0]["distance"], 2);
    let sales = up["groups"]["owners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "team:sales")
        .unwrap();
    assert_eq!(sales["sources"], json!(["ownership", "product"]));
    assert_eq!(sales["type"], "MAINTAINER");
    assert_eq!(sales["datasets"], 1);
    assert_eq!(
        sales["members"],
        json!([format!("dataset:{SALES_DB}:sales.public.orders")])
    );

    // Column level: a column counts for the products exposing its dataset.
    let columns = get_ok(
        &app,
        &format!(
            "/api/v1/impact?nodeId={}",
            enc(&format!("datasetField:{SALES_DB}:sales.public.orders:id"))
        ),
    )
    .await;
    assert_eq!(
        columns["groups"]["products"],
        json!([{
            "id": ex("revenue-product"), "title": "Revenue", "domain": ex("finance"),
            "distance": 1, "datasets": 0, "columns": 1, "owners": ["team:finance"],
            "members": ["datasetField:warehouse:finance.revenue:total"]
        }])
    );
    assert_eq!(ids(&columns["groups"]["domains"]), [ex("finance")]);
    assert_eq!(columns["groups"]["owners"][0]["columns"], 1);
    // The CSV list is as it was: no groups.
    let request = axum::http::Request::builder()
        .uri(format!(
            "/api/v1/impact?nodeId={}",
            enc(&format!("dataset:{SALES_DB}:sales.public.orders"))
        ))
        .header(axum::http::header::ACCEPT, "text/csv")
        .body(axum::body::Body::empty())
        .unwrap();
    let (status, csv) = app.send(request).await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.starts_with("id,type,namespace,name,field,distance,via,owners\n"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 7);
}

/// Runs the meshgraph binary with `args`; returns its standard output.
fn meshgraph(args: &[&str]) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_meshgraph"))
        .args(args)
        .env_remove("MESHGRAPH_DATA_DIR")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("the meshgraph binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "meshgraph {args:?}: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[tokio::test]
async fn descriptions_loaded_through_the_log_group_the_impact_command_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let events_file = dir.path().join("events.ndjson");
    let lines: Vec<String> = events().iter().map(Value::to_string).collect();
    std::fs::write(&events_file, lines.join("\n")).unwrap();
    let products = dir.path().join("products.ttl");
    std::fs::write(&products, fixture("catalog/products.ttl")).unwrap();
    let (data_dir, events_path, products_path) = (
        data.to_str().unwrap(),
        events_file.to_str().unwrap(),
        products.to_str().unwrap(),
    );
    meshgraph(&["load", "--quiet", "--data-dir", data_dir, events_path]);
    meshgraph(&["load", "--quiet", "--data-dir", data_dir, products_path]);

    let json = meshgraph(&[
        "impact",
        &format!("dataset:{SALES_DB}:sales.public.orders"),
        "--format",
        "json",
        "--data-dir",
        data_dir,
    ]);
    let answer: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        ids(&answer["groups"]["products"]),
        [ex("revenue-product"), ex("campaigns-product")]
    );
    assert_eq!(
        ids(&answer["groups"]["domains"]),
        [ex("finance"), ex("marketing")]
    );
    let table = meshgraph(&[
        "impact",
        &format!("dataset:{SALES_DB}:sales.public.orders"),
        "--data-dir",
        data_dir,
    ]);
    assert!(
        table.contains(&format!(
            "product {} (Revenue): 1 datasets, 0 columns, from distance 1",
            ex("revenue-product")
        )),
        "{table}"
    );

    // A server on the same directory rebuilds the catalog from the log.
    let (app, writer) = TestApp::with_writer(meshgraph::config::Config {
        storage: meshgraph::config::Storage::Dir(data.clone()),
        ..meshgraph::config::Config::in_memory()
    });
    let orders = get_ok(&app, &format!("/api/v1/products/{}", enc(&ex("orders-product")))).await;
    assert_eq!(
        ids(&orders["downstream"]),
        [ex("campaigns-product"), ex("revenue-product")]
    );
    drop(app);
    writer.join();
}
