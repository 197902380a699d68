//! GraphQL's mesh fields (`lineage`, `impact`, the catalog, `search`) over
//! the demo retail mesh, each checked against its REST twin; and
//! `GET /api/v1/search`.

use std::collections::{BTreeMap, BTreeSet};

use async_graphql::{Request, Variables};
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, assert_error, enc};

const CUSTOMERS: &str = "dataset:mysql://crm-db:3306:crm.customers";
const EMAIL: &str = "datasetField:mysql://crm-db:3306:crm.customers:email";

async fn demo() -> TestApp {
    let app = TestApp::new();
    meshgraph::app::seed_demo(&app.app).await.unwrap();
    app
}

/// Runs a query on the mesh schema; the data, or the errors as JSON.
async fn gql(app: &TestApp, query: &str, variables: Value) -> Result<Value, Value> {
    let schema = meshgraph::api::graphql::schema(app.app.clone());
    let response = schema
        .execute(Request::new(query).variables(Variables::from_json(variables)))
        .await;
    if response.errors.is_empty() {
        Ok(response.data.into_json().unwrap())
    } else {
        Err(serde_json::to_value(&response.errors).unwrap())
    }
}

async fn gql_ok(app: &TestApp, query: &str, variables: Value) -> Value {
    gql(app, query, variables)
        .await
        .unwrap_or_else(|e| panic!("errors: {e}"))
}

/// The `extensions.code` of the first error.
fn code(errors: &Value) -> &str {
    errors[0]["extensions"]["code"].as_str().unwrap_or_default()
}

const LINEAGE: &str = "query($n: String!, $d: LineageDirection!, $depth: Int!, $l: LineageLevel!) {
  lineage(nodeId: $n, direction: $d, depth: $depth, level: $l) {
    nodes { id type namespace name field }
    edges { origin destination kind job transformationType transformationSubtype masking }
  }
}";

#[tokio::test]
async fn dataset_lineage_equals_rest() {
    let app = demo().await;
    for (direction, depth) in [("BOTH", 20), ("UPSTREAM", 2), ("DOWNSTREAM", 1)] {
        let data = gql_ok(
            &app,
            LINEAGE,
            json!({"n": CUSTOMERS, "d": direction, "depth": depth, "l": "DATASET"}),
        )
        .await;
        let (status, rest) = app
            .get(&format!(
                "/api/v1/lineage?nodeId={}&direction={}&depth={depth}",
                enc(CUSTOMERS),
                direction.to_lowercase()
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{rest}");
        let rest_nodes: Vec<&str> = rest["graph"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap())
            .collect();
        let nodes: Vec<&str> = data["lineage"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap())
            .collect();
        assert_eq!(nodes, rest_nodes, "{direction} {depth}");
        if direction == "BOTH" {
            assert!(nodes.len() > 1, "{direction}: {nodes:?}");
        }
        let rest_edges: BTreeSet<(String, String)> = rest["graph"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|n| n["outEdges"].as_array().unwrap())
            .map(|e| {
                (
                    e["origin"].as_str().unwrap().into(),
                    e["destination"].as_str().unwrap().into(),
                )
            })
            .collect();
        let edges = data["lineage"]["edges"].as_array().unwrap();
        let pairs: BTreeSet<(String, String)> = edges
            .iter()
            .map(|e| {
                (
                    e["origin"].as_str().unwrap().into(),
                    e["destination"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(pairs, rest_edges);
        // Reads go into jobs, writes come out of them; the job is named.
        for e in edges {
            let (origin, dest, job) = (
                e["origin"].as_str().unwrap(),
                e["destination"].as_str().unwrap(),
                e["job"].as_str().unwrap(),
            );
            match e["kind"].as_str().unwrap() {
                "READ" => assert!(dest.starts_with("job:") && job == dest, "{e}"),
                "WRITE" => assert!(origin.starts_with("job:") && job == origin, "{e}"),
                other => panic!("kind {other}"),
            }
        }
    }
}

#[tokio::test]
async fn column_lineage_equals_rest_with_transformations() {
    let app = demo().await;
    let data = gql_ok(
        &app,
        LINEAGE,
        json!({"n": EMAIL, "d": "BOTH", "depth": 20, "l": "COLUMN"}),
    )
    .await;
    let (status, rest) = app
        .get(&format!(
            "/api/v1/column-lineage?nodeId={}&withDownstream=true",
            enc(EMAIL)
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{rest}");
    let rest_nodes: Vec<&str> = rest["graph"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    let nodes: Vec<&str> = data["lineage"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(nodes, rest_nodes);
    assert_eq!(nodes[0], EMAIL);
    assert!(nodes.len() > 2, "{nodes:?}");
    let rest_edges: BTreeSet<(String, String)> = rest["graph"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|n| n["inEdges"].as_array().unwrap())
        .map(|e| {
            (
                e["origin"].as_str().unwrap().into(),
                e["destination"].as_str().unwrap().into(),
            )
        })
        .collect();
    let edges = data["lineage"]["edges"].as_array().unwrap();
    let pairs: BTreeSet<(String, String)> = edges
        .iter()
        .map(|e| {
            (
                e["origin"].as_str().unwrap().into(),
                e["destination"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(pairs, rest_edges);
    assert!(
        edges
            .iter()
            .all(|e| e["kind"] == "DERIVE" && e["job"].as_str().unwrap().starts_with("job:"))
    );
    // The hashed copy of the e-mail is a masked derivation.
    assert!(
        edges
            .iter()
            .any(|e| e["masking"] == true && e["destination"].as_str().unwrap().ends_with(":email_sha256")),
        "{edges:?}"
    );
    // Upstream only is REST's default.
    let up = gql_ok(
        &app,
        LINEAGE,
        json!({"n": EMAIL, "d": "UPSTREAM", "depth": 20, "l": "COLUMN"}),
    )
    .await;
    let (_, rest_up) = app
        .get(&format!("/api/v1/column-lineage?nodeId={}", enc(EMAIL)))
        .await;
    assert_eq!(
        up["lineage"]["nodes"].as_array().unwrap().len(),
        rest_up["graph"].as_array().unwrap().len()
    );
}

const IMPACT: &str =
    "query($n: String!, $d: LineageDirection!, $f: ImpactFilters, $first: Int, $after: String) {
  impact(nodeId: $n, direction: $d, filters: $f, first: $first, after: $after) {
    nodeId direction level start truncated
    counts { reached listed datasets jobs columns }
    groups {
      owners { name type types datasets jobs columns distance products sources members }
      products { id title domain distance datasets columns owners members }
      domains { id label distance products members }
    }
    nodes {
      totalCount
      pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { cursor node { id type namespace name field distance via path owners products } }
    }
  }
}";

/// The GraphQL impact answer in REST's JSON shape, to compare.
fn as_rest(impact: &Value) -> Value {
    let nodes: Vec<Value> = impact["nodes"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let mut node = e["node"].clone();
            if node["field"].is_null() {
                node.as_object_mut().unwrap().remove("field");
            }
            node
        })
        .collect();
    json!({
        "nodeId": impact["nodeId"], "direction": impact["direction"], "level": impact["level"],
        "start": impact["start"], "truncated": impact["truncated"], "counts": impact["counts"],
        "groups": impact["groups"], "nodes": nodes,
    })
}

/// Equal documents, compared key by key for a readable failure.
#[track_caller]
fn same(got: &Value, expected: &Value, what: &str) {
    for (key, value) in expected.as_object().unwrap() {
        let lists: Vec<(String, &Value, &Value)> = match key.as_str() {
            "nodes" => vec![(key.clone(), &got[key], value)],
            "groups" => ["owners", "products", "domains"]
                .iter()
                .map(|g| (format!("groups.{g}"), &got[key][g], &value[g]))
                .collect(),
            _ => Vec::new(),
        };
        for (name, g, e) in lists {
            for (i, (g, e)) in g
                .as_array()
                .into_iter()
                .flatten()
                .zip(e.as_array().into_iter().flatten())
                .enumerate()
            {
                assert_eq!(g, e, "{what}: {name}[{i}]");
            }
        }
        assert_eq!(&got[key], value, "{what}: {key}");
    }
}

fn rest_subset(rest: &Value) -> Value {
    json!({
        "nodeId": rest["nodeId"], "direction": rest["direction"], "level": rest["level"],
        "start": rest["start"], "truncated": rest["truncated"], "counts": rest["counts"],
        "groups": rest["groups"], "nodes": rest["nodes"],
    })
}

#[tokio::test]
async fn impact_equals_rest() {
    let app = demo().await;
    for (node, query, filters) in [
        (CUSTOMERS, "", json!(null)),
        (EMAIL, "", json!(null)),
        (
            EMAIL,
            "&excludeMasked=true&excludeIndirect=true",
            json!({"excludeMasked": true, "excludeIndirect": true}),
        ),
        (CUSTOMERS, "&types=DATASET", json!({"types": ["DATASET"]})),
    ] {
        let data = gql_ok(&app, IMPACT, json!({"n": node, "d": "DOWNSTREAM", "f": filters})).await;
        let (status, rest) = app
            .get(&format!("/api/v1/impact?nodeId={}{query}", enc(node)))
            .await;
        assert_eq!(status, StatusCode::OK, "{rest}");
        same(
            &as_rest(&data["impact"]),
            &rest_subset(&rest),
            &format!("{node}{query}"),
        );
        assert_eq!(
            data["impact"]["nodes"]["totalCount"], rest["page"]["total"],
            "{node}{query}"
        );
    }
    // Upstream too, from a product's output.
    let data = gql_ok(&app, IMPACT, json!({"n": EMAIL, "d": "UPSTREAM"})).await;
    let (_, rest) = app
        .get(&format!(
            "/api/v1/impact?nodeId={}&direction=upstream",
            enc(EMAIL)
        ))
        .await;
    same(&as_rest(&data["impact"]), &rest_subset(&rest), "upstream");
    // The groups are there to compare at all.
    let (_, rest) = app
        .get(&format!("/api/v1/impact?nodeId={}", enc(CUSTOMERS)))
        .await;
    assert_eq!(rest["groups"]["domains"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn impact_pages_with_cursors() {
    let app = demo().await;
    let all = gql_ok(
        &app,
        IMPACT,
        json!({"n": CUSTOMERS, "d": "DOWNSTREAM", "first": 1000}),
    )
    .await;
    let every: Vec<Value> = all["impact"]["nodes"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].clone())
        .collect();
    assert!(every.len() > 5);
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = gql_ok(
            &app,
            IMPACT,
            json!({"n": CUSTOMERS, "d": "DOWNSTREAM", "first": 4, "after": after}),
        )
        .await;
        let nodes = &page["impact"]["nodes"];
        seen.extend(
            nodes["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["id"].clone()),
        );
        assert_eq!(nodes["totalCount"].as_u64().unwrap() as usize, every.len());
        if nodes["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = nodes["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen, every);
    let err = gql(
        &app,
        IMPACT,
        json!({"n": CUSTOMERS, "d": "DOWNSTREAM", "after": "x"}),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err), "invalid_parameter", "{err}");
}

#[tokio::test]
async fn errors_carry_rest_codes() {
    let app = demo().await;
    let unknown = "dataset:nowhere:nothing";
    let err = gql(
        &app,
        LINEAGE,
        json!({"n": unknown, "d": "BOTH", "depth": 2, "l": "DATASET"}),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err), "not_found", "{err}");
    let (status, body) = app.get(&format!("/api/v1/lineage?nodeId={}", enc(unknown))).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let err = gql(&app, IMPACT, json!({"n": unknown, "d": "DOWNSTREAM"}))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "not_found", "{err}");
    let err = gql(&app, IMPACT, json!({"n": "nonsense", "d": "DOWNSTREAM"}))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "invalid_parameter", "{err}");
    let err = gql(&app, IMPACT, json!({"n": CUSTOMERS, "d": "BOTH"}))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "invalid_parameter", "{err}");
    let err = gql(
        &app,
        LINEAGE,
        json!({"n": EMAIL, "d": "BOTH", "depth": 2, "l": "DATASET"}),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err), "invalid_parameter", "{err}");
    let err = gql(
        &app,
        "{ lineage(nodeId: \"dataset:mysql://crm-db:3306:crm.customers\", asOf: \"yesterday\") { nodes { id } } }",
        json!({}),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err), "invalid_parameter", "{err}");
}

#[tokio::test]
async fn lineage_as_of_before_any_run_is_the_node_alone() {
    let app = demo().await;
    let data = gql_ok(
        &app,
        "{ lineage(nodeId: \"dataset:mysql://crm-db:3306:crm.customers\", asOf: \"1990-01-01T00:00:00Z\") { nodes { id } edges { origin } } }",
        json!({}),
    )
    .await;
    assert_eq!(data["lineage"]["nodes"].as_array().unwrap().len(), 1, "{data}");
    assert!(data["lineage"]["edges"].as_array().unwrap().is_empty());
    let (_, rest) = app
        .get(&format!(
            "/api/v1/lineage?nodeId={}&asOf=1990-01-01T00:00:00Z",
            enc(CUSTOMERS)
        ))
        .await;
    assert_eq!(rest["graph"].as_array().unwrap().len(), 1, "{rest}");
}

#[tokio::test]
async fn catalog_fields_equal_rest() {
    let app = demo().await;
    let (_, products) = app.get("/api/v1/products?limit=1000").await;
    let (_, domains) = app.get("/api/v1/domains").await;
    let data = gql_ok(
        &app,
        "{ dataProducts { id title description owners { name iri label email } domain { id label }
             lifecycleStatus { id label }
             outputPorts { id title datasets { namespace name iri known nodeId } }
             inputPorts { id title datasets { namespace name iri known } }
             outputDatasets { namespace name iri known } inputDatasets { namespace name iri known }
             upstream { id title domain } downstream { id title domain } }
           domains { id label description products { id title domain } owners { name iri label email }
             dependsOn { id label } dependents { id label } } }",
        json!({}),
    )
    .await;
    // The same documents, field for field (REST omits nothing GraphQL asks).
    let strip = |v: &Value| -> Value {
        let mut v = v.clone();
        for p in v.as_array_mut().unwrap() {
            for port in p["outputPorts"].as_array_mut().unwrap() {
                for d in port["datasets"].as_array_mut().unwrap() {
                    d.as_object_mut().unwrap().remove("nodeId");
                }
            }
        }
        v
    };
    assert_eq!(strip(&data["dataProducts"]), products["products"]);
    assert_eq!(data["domains"], domains["domains"]);
    assert_eq!(data["dataProducts"].as_array().unwrap().len(), 13);
    // A port's dataset has its lineage node id.
    let with_port = data["dataProducts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["outputPorts"].as_array().unwrap())
        .flat_map(|port| port["datasets"].as_array().unwrap())
        .find(|d| d["namespace"].is_string())
        .unwrap();
    assert_eq!(
        with_port["nodeId"].as_str().unwrap(),
        format!(
            "dataset:{}:{}",
            with_port["namespace"].as_str().unwrap(),
            with_port["name"].as_str().unwrap()
        )
    );

    // One of each, by id; an unknown id is null.
    let product = products["products"][0]["id"].as_str().unwrap();
    let domain = domains["domains"][0]["id"].as_str().unwrap();
    let one = gql_ok(
        &app,
        "query($p: String!, $d: String!) { dataProduct(id: $p) { id upstream { id } downstream { id } }
           domain(id: $d) { id products { id } } none: dataProduct(id: \"urn:none\") { id } }",
        json!({"p": product, "d": domain}),
    )
    .await;
    assert_eq!(one["dataProduct"]["id"], product);
    assert_eq!(one["domain"]["id"], domain);
    assert!(one["none"].is_null());
    let (_, rest_product) = app.get(&format!("/api/v1/products/{}", enc(product))).await;
    assert_eq!(
        one["dataProduct"]["upstream"].as_array().unwrap().len(),
        rest_product["upstream"].as_array().unwrap().len()
    );
}

#[tokio::test]
async fn concepts_equal_rest_and_search_by_label() {
    let app = demo().await;
    let (_, rest) = app.get("/api/v1/concepts?limit=10000").await;
    let data = gql_ok(
        &app,
        "{ concepts { id label kind notations broader { id label } narrower { id label }
             superClasses { id label } subClasses { id label } } }",
        json!({}),
    )
    .await;
    // GraphQL enums are upper case.
    let mut expected = rest["concepts"].clone();
    for c in expected.as_array_mut().unwrap() {
        if let Some(kind) = c["kind"].as_str() {
            c["kind"] = json!(kind.to_uppercase());
        }
    }
    assert_eq!(data["concepts"], expected);
    // A concept some columns carry, with everything REST says of it.
    let (carried, detail) = {
        let mut found = None;
        for c in rest["concepts"].as_array().unwrap() {
            let id = c["id"].as_str().unwrap();
            let (_, d) = app.get(&format!("/api/v1/concepts/{}", enc(id))).await;
            if !d["columns"].as_array().unwrap().is_empty() && !d["products"].as_array().unwrap().is_empty() {
                found = Some((id.to_owned(), d));
                break;
            }
        }
        found.expect("a concept carried by columns of a product")
    };
    let one = gql_ok(
        &app,
        "query($i: String!) { concept(iri: $i) { id label kind notations broader { id label } narrower { id label }
             superClasses { id label } subClasses { id label } covers { id label }
             datasets { namespace name iri known concepts via }
             columns { dataset { namespace name iri known } field iri concepts via }
             products { id title domain } domains { id label } } }",
        json!({"i": carried}),
    )
    .await;
    let mut expected = detail.clone();
    // GraphQL enums are upper case.
    let upper = |v: &mut Value| {
        for item in v.as_array_mut().unwrap() {
            for via in item["via"].as_array_mut().unwrap() {
                *via = json!(via.as_str().unwrap().to_uppercase());
            }
        }
    };
    upper(&mut expected["datasets"]);
    upper(&mut expected["columns"]);
    if let Some(kind) = expected["kind"].as_str() {
        expected["kind"] = json!(kind.to_uppercase());
    }
    let mut got = one["concept"].clone();
    if let Some(kind) = got["kind"].as_str() {
        got["kind"] = json!(kind.to_uppercase());
    }
    assert_eq!(got, expected);

    // `search` filters by label, best match first.
    let label = rest["concepts"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|c| c["label"].as_str())
        .unwrap()
        .to_owned();
    let found = gql_ok(
        &app,
        "query($s: String) { concepts(search: $s) { id label } }",
        json!({"s": label.to_uppercase()}),
    )
    .await;
    let found = found["concepts"].as_array().unwrap();
    assert!(!found.is_empty());
    assert_eq!(
        found[0]["label"].as_str().unwrap().to_lowercase(),
        label.to_lowercase()
    );
    assert!(found.len() < rest["concepts"].as_array().unwrap().len());
    let unknown = gql_ok(&app, "{ concept(iri: \"urn:nothing\") { id } }", json!({})).await;
    assert!(unknown["concept"].is_null());
}

const SEARCH: &str = "query($t: String!, $k: [SearchType!], $first: Int) {
  search(text: $t, types: $k, first: $first) { totalCount results { type id name namespace updatedAt match field } }
}";

#[tokio::test]
async fn search_ranks_and_equals_rest() {
    let app = demo().await;
    let data = gql_ok(&app, SEARCH, json!({"t": "customers", "first": 50})).await;
    let results = data["search"]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    // Ranked: never a worse match before a better one.
    let level = |m: &str| {
        ["EXACT", "PREFIX", "WORD_PREFIX", "SUBSTRING"]
            .iter()
            .position(|x| *x == m)
            .unwrap()
    };
    let levels: Vec<usize> = results
        .iter()
        .map(|r| level(r["match"].as_str().unwrap()))
        .collect();
    assert!(levels.windows(2).all(|w| w[0] <= w[1]), "{levels:?}");
    // crm.customers is a word-prefix match of its name; something is found
    // in more than one kind.
    assert!(
        results
            .iter()
            .any(|r| r["id"] == CUSTOMERS && r["match"] == "WORD_PREFIX" && r["field"] == "NAME"),
        "{results:?}"
    );
    let kinds: BTreeSet<&str> = results.iter().map(|r| r["type"].as_str().unwrap()).collect();
    assert!(kinds.len() > 1, "{kinds:?}");

    // REST gives the same hits in Marquez's shape.
    let (status, rest) = app.get("/api/v1/search?q=customers&limit=50").await;
    assert_eq!(status, StatusCode::OK, "{rest}");
    assert_eq!(rest["totalCount"], data["search"]["totalCount"]);
    let rest_ids: Vec<&Value> = rest["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["nodeId"])
        .collect();
    let ids: Vec<&Value> = results.iter().map(|r| &r["id"]).collect();
    assert_eq!(rest_ids, ids);
    let first_dataset = rest["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "DATASET")
        .unwrap();
    for key in ["name", "namespace", "nodeId", "updatedAt"] {
        assert!(first_dataset[key].is_string(), "{key}: {first_dataset}");
    }

    // Kinds and limits.
    let jobs = gql_ok(&app, SEARCH, json!({"t": "customers", "k": ["JOB"], "first": 2})).await;
    let jobs = &jobs["search"];
    assert!(
        jobs["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["type"] == "JOB")
    );
    assert!(jobs["results"].as_array().unwrap().len() <= 2);
    let (_, rest_jobs) = app.get("/api/v1/search?q=customers&filter=JOB&limit=2").await;
    assert_eq!(rest_jobs["totalCount"], jobs["totalCount"]);
    // Products, domains and concepts are found by their labels.
    let (_, products) = app.get("/api/v1/products").await;
    let title = products["products"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|p| p["title"].as_str())
        .unwrap();
    let hit = gql_ok(
        &app,
        SEARCH,
        json!({"t": title.to_lowercase(), "k": ["DATA_PRODUCT"]}),
    )
    .await;
    assert_eq!(hit["search"]["results"][0]["name"], title);
    assert_eq!(hit["search"]["results"][0]["match"], "EXACT");
}

#[tokio::test]
async fn rest_search_refuses_bad_parameters() {
    let app = TestApp::new();
    let (status, body) = app.get("/api/v1/search").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_parameter");
    let (status, body) = app.get("/api/v1/search?q=x&filter=TABLE").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_parameter");
    let (status, body) = app.get("/api/v1/search?q=x&limit=-1").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_parameter");
    let (status, body) = app.get("/api/v1/search?q=nothing").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"totalCount": 0, "results": []}));
}

#[tokio::test]
async fn rest_search_in_a_namespace() {
    let app = demo().await;
    let (_, body) = app
        .get(&format!(
            "/api/v1/search?q=customers&namespace={}&limit=100",
            enc("mysql://crm-db:3306")
        ))
        .await;
    let results = body["results"].as_array().unwrap();
    assert!(!results.is_empty(), "{body}");
    let namespaces: BTreeMap<&str, usize> = results.iter().fold(BTreeMap::new(), |mut m, r| {
        *m.entry(r["namespace"].as_str().unwrap()).or_default() += 1;
        m
    });
    assert_eq!(
        namespaces.keys().copied().collect::<Vec<_>>(),
        ["mysql://crm-db:3306"]
    );
}

#[tokio::test]
async fn a_page_of_datasets_names_its_products_and_jobs_their_datasets() {
    let app = demo().await;
    let data = gql_ok(
        &app,
        r#"{ datasets(namespace: "snowflake://acme-retail", first: 100) {
              nodes { name owners { name } products { id title domain owners } } } }"#,
        json!({}),
    )
    .await;
    let nodes = data["datasets"]["nodes"].as_array().unwrap();
    let orders = nodes
        .iter()
        .find(|n| n["name"] == "ANALYTICS.SALES.FCT_ORDERS")
        .expect("FCT_ORDERS is in the page");
    let products = orders["products"].as_array().unwrap();
    assert_eq!(products.len(), 1, "{orders}");
    assert_eq!(products[0]["title"], "Orders");
    assert_eq!(products[0]["owners"], json!(["team:sales"]));
    // A raw copy belongs to no product.
    let raw = nodes.iter().find(|n| n["name"] == "RAW.CRM.CUSTOMERS").unwrap();
    assert_eq!(raw["products"], json!([]));

    // Every job's inputs, through the loader, equal the REST job's.
    let data = gql_ok(
        &app,
        r#"{ jobs(namespace: "dbt-sales", first: 100) { nodes { name inputs { namespace name } } } }"#,
        json!({}),
    )
    .await;
    let jobs = data["jobs"]["nodes"].as_array().unwrap();
    assert!(!jobs.is_empty());
    for job in jobs {
        let name = job["name"].as_str().unwrap();
        let (_, rest) = app
            .get(&format!("/api/v1/namespaces/dbt-sales/jobs/{}", enc(name)))
            .await;
        let want: BTreeSet<String> = rest["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                format!(
                    "{}:{}",
                    i["namespace"].as_str().unwrap(),
                    i["name"].as_str().unwrap()
                )
            })
            .collect();
        let got: BTreeSet<String> = job["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                format!(
                    "{}:{}",
                    i["namespace"].as_str().unwrap(),
                    i["name"].as_str().unwrap()
                )
            })
            .collect();
        assert_eq!(got, want, "{name}");
    }
}

#[tokio::test]
async fn a_page_of_datasets_lists_their_concepts_as_rest_does() {
    let app = demo().await;
    let ns = "snowflake://acme-retail";
    let data = gql_ok(
        &app,
        r#"query($ns: String!) { datasets(namespace: $ns, first: 100) {
              nodes { name concepts { id label kind field via tag } } } }"#,
        json!({"ns": ns}),
    )
    .await;
    let nodes = data["datasets"]["nodes"].as_array().unwrap();
    assert!(!nodes.is_empty());
    // REST spells enums in camelCase, GraphQL in SCREAMING_CASE; the rest is
    // the same, in the same order.
    let lower = |v: &Value| match v.as_str() {
        Some(s) => json!(s.to_lowercase()),
        None => Value::Null,
    };
    let mut vias = BTreeSet::new();
    for node in nodes {
        let name = node["name"].as_str().unwrap();
        let (status, rest) = app
            .get(&format!(
                "/api/v1/namespaces/{}/datasets/{}/concepts",
                enc(ns),
                enc(name)
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{name}: {rest}");
        let got: Vec<Value> = node["concepts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                vias.insert(c["via"].as_str().unwrap().to_owned());
                json!({
                    "id": c["id"], "label": c["label"], "kind": lower(&c["kind"]),
                    "field": c["field"], "via": lower(&c["via"]), "tag": c["tag"],
                })
            })
            .collect();
        let want: Vec<Value> = rest["concepts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                json!({
                    "id": c["id"], "label": c["label"], "kind": c["kind"],
                    "field": c["field"], "via": c["via"], "tag": c["tag"],
                })
            })
            .collect();
        assert_eq!(got, want, "{name}");
    }
    // The page exercises both ways of carrying a concept, so the comparison
    // is not of empty lists.
    assert_eq!(
        vias,
        BTreeSet::from(["STATEMENT".to_owned(), "TAG".to_owned()]),
        "{data}"
    );
}
