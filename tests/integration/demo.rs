//! The example retail mesh: the ontology and the DPROD product descriptions
//! of `ontology/retail/` against the lineage of `generate::demo::events`.
//!
//! The files parse and use only declared `mg:` terms; every event is valid;
//! every dataset an output port names is written by a job, and every
//! dataset an input port names is read or written; owners, domains and
//! concepts are declared where the products and the events use them; the
//! columns the products annotate are the columns the pipelines tag. Then
//! the whole lineage goes through the real server, and impact analysis from
//! the CRM reaches the marketing audience.

use std::collections::{BTreeMap, BTreeSet};

use meshgraph::generate::demo;
use meshgraph::openlineage::event::Facets;
use meshgraph::openlineage::facets::{FacetScope, StandardFacet, standard};
use meshgraph::openlineage::{EventKind, EventType, parse_event};
use meshgraph::store::iri;
use meshgraph::store::vocab::mg;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{NamedOrBlankNode, Quad, Term};
use oxigraph::store::Store;

use crate::support::{TestApp, enc, literal_text, select};

const PREFIXES: &str = "
    PREFIX mg: <https://meshgraph.dev/ns#>
    PREFIX dprod: <https://ekgf.github.io/dprod/>
    PREFIX dcat: <http://www.w3.org/ns/dcat#>
    PREFIX dcterms: <http://purl.org/dc/terms/>
    PREFIX prov: <http://www.w3.org/ns/prov#>
    PREFIX foaf: <http://xmlns.com/foaf/0.1/>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX owl: <http://www.w3.org/2002/07/owl#>
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
";

/// A dataset identity: (namespace, name).
type DatasetId = (String, String);

fn parse(name: &str, text: &str) -> Vec<Quad> {
    RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(text)
        .map(|quad| quad.unwrap_or_else(|e| panic!("ontology/retail/{name}: {e}")))
        .collect()
}

/// Every file of `ontology/retail/`, loaded into one store.
fn mesh_store() -> Store {
    let store = Store::new().unwrap();
    for (name, text) in demo::documents() {
        store.extend(parse(name, text)).unwrap();
    }
    store
}

/// Runs a SELECT (with [`PREFIXES`]) and gives each row's values as text:
/// literals by value, IRIs as they are.
fn rows(store: &Store, query: &str) -> Vec<BTreeMap<String, String>> {
    select(store, &format!("{PREFIXES}{query}"))
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|(var, term)| {
                    let text = match &term {
                        Term::NamedNode(node) => node.as_str().to_owned(),
                        _ => literal_text(&term).unwrap_or_else(|| term.to_string()),
                    };
                    (var, text)
                })
                .collect()
        })
        .collect()
}

fn id(row: &BTreeMap<String, String>) -> DatasetId {
    (row["ns"].clone(), row["name"].clone())
}

/// What the demo events say.
#[derive(Default)]
struct Lineage {
    /// Datasets some run completed writing.
    written: BTreeSet<DatasetId>,
    /// Datasets some run read.
    read: BTreeSet<DatasetId>,
    /// Columns per dataset, from `schema` facets.
    fields: BTreeMap<DatasetId, BTreeSet<String>>,
    /// Owner names of `ownership` facets, per dataset (jobs under their own name).
    owners: BTreeMap<DatasetId, BTreeSet<String>>,
    /// Every tag: (dataset, field, key).
    tags: BTreeSet<(DatasetId, Option<String>, String)>,
    event_types: BTreeSet<&'static str>,
}

impl Lineage {
    fn of_demo() -> Self {
        let mut lineage = Self::default();
        for text in demo::events() {
            let event = parse_event(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
            let EventKind::Run {
                event_type,
                job,
                inputs,
                outputs,
                ..
            } = event.kind
            else {
                panic!("the demo sends RunEvents only: {text}")
            };
            let event_type = event_type.expect("every demo event has an eventType");
            lineage.event_types.insert(event_type.as_str());
            lineage.facets(FacetScope::Job, (job.namespace, job.name), &job.facets);
            for input in inputs {
                let dataset = input.dataset;
                let id = (dataset.namespace, dataset.name);
                lineage.read.insert(id.clone());
                lineage.facets(FacetScope::Dataset, id, &dataset.facets);
            }
            for output in outputs {
                let dataset = output.dataset;
                let id = (dataset.namespace, dataset.name);
                if event_type == EventType::Complete {
                    lineage.written.insert(id.clone());
                }
                lineage.facets(FacetScope::Dataset, id, &dataset.facets);
            }
        }
        lineage
    }

    fn facets(&mut self, scope: FacetScope, owner: DatasetId, facets: &Facets) {
        for (key, raw) in facets {
            match standard(scope, key, raw.get()).unwrap_or_else(|e| panic!("{key}: {e:?}")) {
                Some(StandardFacet::Schema(schema)) => {
                    let fields = self.fields.entry(owner.clone()).or_default();
                    fields.extend(schema.fields.into_iter().map(|f| f.name));
                }
                Some(StandardFacet::Ownership(ownership)) => {
                    let owners = self.owners.entry(owner.clone()).or_default();
                    owners.extend(ownership.owners.into_iter().map(|o| o.name));
                }
                Some(StandardFacet::Tags(tags)) => {
                    for tag in tags.tags {
                        self.tags.insert((owner.clone(), tag.field, tag.key));
                    }
                }
                _ => {}
            }
        }
    }
}

#[test]
fn the_ontology_files_parse_use_declared_mg_terms_and_no_blank_nodes() {
    let declared: BTreeSet<&str> = mg::ALL.iter().map(|t| t.as_str()).collect();
    for (name, text) in demo::documents() {
        let quads = parse(name, text);
        assert!(quads.len() > 50, "{name}: only {} triples", quads.len());
        for quad in &quads {
            let mut iris = vec![quad.predicate.as_str()];
            match &quad.subject {
                NamedOrBlankNode::NamedNode(node) => iris.push(node.as_str()),
                NamedOrBlankNode::BlankNode(_) => panic!("{name}: a blank node subject in {quad}"),
            }
            match &quad.object {
                Term::NamedNode(node) => iris.push(node.as_str()),
                Term::BlankNode(_) => panic!("{name}: a blank node object in {quad}"),
                _ => {}
            }
            for iri in iris {
                assert!(
                    !iri.starts_with(mg::NAMESPACE) || declared.contains(iri),
                    "{name}: {iri} is not declared in ontology/meshgraph.ttl"
                );
            }
        }
    }
}

#[test]
fn the_documents_are_every_file_of_ontology_retail() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ontology/retail");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    on_disk.sort();
    let mut embedded: Vec<String> = demo::documents().iter().map(|(n, _)| (*n).to_owned()).collect();
    embedded.sort();
    assert_eq!(embedded, on_disk);
    for (name, text) in demo::documents() {
        assert_eq!(std::fs::read_to_string(dir.join(name)).unwrap(), text, "{name}");
    }
}

#[test]
fn every_demo_event_is_valid_and_the_runs_start_complete_and_fail() {
    let events = demo::events();
    assert!(events.len() > 300, "{}", events.len());
    assert_eq!(events, demo::events(), "the demo is deterministic");
    let lineage = Lineage::of_demo();
    assert_eq!(
        lineage.event_types,
        ["COMPLETE", "FAIL", "START"].into_iter().collect()
    );
    // Every written table has a schema of 10-25 columns.
    for dataset in &lineage.written {
        let columns = lineage.fields[dataset].len();
        assert!((10..=25).contains(&columns), "{dataset:?}: {columns} columns");
    }
}

#[test]
fn every_output_port_dataset_is_written_and_every_input_port_dataset_is_read() {
    let store = mesh_store();
    let lineage = Lineage::of_demo();

    let outputs = rows(
        &store,
        "SELECT ?product ?ns ?name WHERE {
           ?product a dprod:DataProduct ; dprod:outputPort ?port .
           ?port a dcat:DataService ; dprod:isAccessServiceOf ?dist .
           ?dist a dcat:Distribution ; dprod:isDistributionOf ?ds .
           ?ds a dcat:Dataset ; mg:datasetNamespace ?ns ; mg:datasetName ?name .
         }",
    );
    let products: BTreeSet<&String> = outputs.iter().map(|r| &r["product"]).collect();
    assert!(products.len() >= 12, "{products:?}");
    for row in &outputs {
        assert!(
            lineage.written.contains(&id(row)),
            "{}: no job writes {:?}",
            row["product"],
            id(row)
        );
    }

    let inputs = rows(
        &store,
        "SELECT ?product ?ns ?name WHERE {
           ?product a dprod:DataProduct ; dprod:inputPort ?port .
           ?port a dcat:DataService ; dprod:isAccessServiceOf/dprod:isDistributionOf ?ds .
           ?ds a dcat:Dataset ; mg:datasetNamespace ?ns ; mg:datasetName ?name .
         }",
    );
    assert!(inputs.len() >= products.len());
    for row in &inputs {
        let dataset = id(row);
        assert!(
            lineage.read.contains(&dataset) || lineage.written.contains(&dataset),
            "{}: no job reads or writes {dataset:?}",
            row["product"]
        );
    }

    // The ports and the products' own dprod:inputDataset / dprod:outputDataset agree.
    let stated = |property: &str| -> BTreeSet<(String, DatasetId)> {
        rows(
            &store,
            &format!(
                "SELECT ?product ?ns ?name WHERE {{
                   ?product {property} ?ds . ?ds mg:datasetNamespace ?ns ; mg:datasetName ?name .
                 }}"
            ),
        )
        .iter()
        .map(|r| (r["product"].clone(), id(r)))
        .collect()
    };
    let by_port = |rows: &[BTreeMap<String, String>]| -> BTreeSet<(String, DatasetId)> {
        rows.iter().map(|r| (r["product"].clone(), id(r))).collect()
    };
    assert_eq!(stated("dprod:outputDataset"), by_port(&outputs));
    assert_eq!(stated("dprod:inputDataset"), by_port(&inputs));
}

#[test]
fn products_depend_on_each_other_across_domains() {
    let store = mesh_store();
    let edges = rows(
        &store,
        "SELECT DISTINCT ?consumer ?producer ?from ?to WHERE {
           ?consumer dprod:inputDataset ?ds ; dprod:domain ?to .
           ?producer dprod:outputDataset ?ds ; dprod:domain ?from .
           FILTER (?from != ?to)
         }",
    );
    let domain_pairs: BTreeSet<(&String, &String)> = edges.iter().map(|r| (&r["from"], &r["to"])).collect();
    assert!(domain_pairs.len() >= 6, "{domain_pairs:?}");

    // Every domain is a mg:Domain with a label and a description, and has 2-3 products.
    let domains = rows(
        &store,
        "SELECT ?domain (COUNT(?product) AS ?products) WHERE {
           ?product a dprod:DataProduct ; dprod:domain ?domain .
           ?domain a mg:Domain ; rdfs:label ?label ; dcterms:description ?description .
         } GROUP BY ?domain",
    );
    assert!(domains.len() >= 4, "{domains:?}");
    for row in &domains {
        let products: usize = row["products"].parse().unwrap();
        assert!((2..=3).contains(&products), "{row:?}");
    }
    let products = rows(&store, "SELECT ?p WHERE { ?p a dprod:DataProduct }").len();
    let in_domains: usize = domains
        .iter()
        .map(|r| r["products"].parse::<usize>().unwrap())
        .sum();
    assert_eq!(in_domains, products, "every product is in a declared domain");
}

#[test]
fn every_owner_in_the_lineage_owns_a_product_and_owns_its_datasets() {
    let store = mesh_store();
    let lineage = Lineage::of_demo();
    let owners = rows(
        &store,
        "SELECT ?product ?owner ?ns ?name WHERE {
           ?product dprod:dataProductOwner ?agent ; dprod:outputDataset ?ds .
           ?agent a prov:Agent ; mg:name ?owner ; foaf:name ?fullName ; foaf:mbox ?mbox .
           { ?agent a foaf:Organization } UNION { ?agent a foaf:Person }
           ?ds mg:datasetNamespace ?ns ; mg:datasetName ?name .
         }",
    );
    let products = rows(&store, "SELECT ?p WHERE { ?p a dprod:DataProduct }").len();
    let owned: BTreeSet<&String> = owners.iter().map(|r| &r["product"]).collect();
    assert_eq!(owned.len(), products, "every product has a described owner");

    let names: BTreeSet<&String> = owners.iter().map(|r| &r["owner"]).collect();
    assert!(names.iter().any(|n| n.starts_with("team:")) && names.iter().any(|n| n.starts_with("user:")));
    for (owner, used) in &lineage.owners {
        for name in used {
            assert!(names.contains(name), "{owner:?}: {name} owns no data product");
        }
    }
    // The product owner is an owner of every dataset the product outputs.
    for row in &owners {
        assert!(
            lineage
                .owners
                .get(&id(row))
                .is_some_and(|o| o.contains(&row["owner"])),
            "{:?} does not name {} in its ownership facet",
            id(row),
            row["owner"]
        );
    }
}

#[test]
fn every_concept_is_declared_and_annotated_columns_are_the_tagged_columns() {
    let store = mesh_store();
    let lineage = Lineage::of_demo();
    let retail = demo::documents()
        .into_iter()
        .find(|(name, _)| *name == "retail.ttl")
        .unwrap();
    let declared: BTreeSet<String> = {
        let ontology = Store::new().unwrap();
        ontology.extend(parse(retail.0, retail.1)).unwrap();
        rows(
            &ontology,
            "SELECT ?c WHERE { { ?c a owl:Class } UNION { ?c a skos:Concept } }",
        )
        .into_iter()
        .map(|r| r["c"].clone())
        .collect()
    };

    let used = rows(&store, "SELECT DISTINCT ?c WHERE { ?s mg:concept ?c }");
    assert!(used.len() > 20);
    for row in &used {
        assert!(
            declared.contains(&row["c"]),
            "{} is not declared in retail.ttl",
            row["c"]
        );
    }
    let concept_tags: BTreeSet<(DatasetId, String, String)> = lineage
        .tags
        .iter()
        .filter(|(_, _, key)| key.contains("://"))
        .map(|(dataset, field, key)| {
            assert!(
                declared.contains(key),
                "tag key {key} is not declared in retail.ttl"
            );
            let field = field.clone().unwrap_or_else(|| panic!("{key} tags no column"));
            (dataset.clone(), field, key.clone())
        })
        .collect();
    assert!(concept_tags.len() > 40, "{}", concept_tags.len());

    // Column annotations: by a node with namespace, name and path, or by
    // the column's meshgraph IRI.
    let mut columns_by_iri = BTreeMap::new();
    for (dataset, fields) in &lineage.fields {
        for field in fields {
            let column = iri::field(&dataset.0, &dataset.1, field);
            columns_by_iri.insert(column.into_string(), (dataset.clone(), field.clone()));
        }
    }
    let annotations: BTreeSet<(DatasetId, String, String)> = rows(
        &store,
        "SELECT ?column ?ns ?name ?path ?concept WHERE {
           ?column mg:concept ?concept .
           FILTER NOT EXISTS { ?column a dcat:Dataset }
           OPTIONAL { ?column mg:datasetNamespace ?ns ; mg:datasetName ?name ; mg:fieldPath ?path }
         }",
    )
    .into_iter()
    .map(|row| {
        let (dataset, field) = match row.get("path") {
            Some(path) => (id(&row), path.clone()),
            None => columns_by_iri
                .get(&row["column"])
                .cloned()
                .unwrap_or_else(|| panic!("{} is no column of the lineage", row["column"])),
        };
        assert!(
            lineage.fields.get(&dataset).is_some_and(|f| f.contains(&field)),
            "{dataset:?} has no column {field}"
        );
        (dataset, field, row["concept"].clone())
    })
    .collect();
    assert_eq!(annotations, concept_tags);
}

#[tokio::test]
async fn the_server_takes_the_demo_and_impact_reaches_from_the_crm_to_the_email_audience() {
    let app = TestApp::new();
    let events: Vec<serde_json::Value> = demo::events()
        .iter()
        .map(|e| serde_json::from_str(e).unwrap())
        .collect();
    let (status, body) = app
        .post("/api/v1/lineage", serde_json::to_string(&events).unwrap())
        .await;
    assert_eq!(status, axum::http::StatusCode::CREATED, "{body}");

    let impact = |node: String, query: &'static str| {
        let app = &app;
        async move {
            let (status, body) = app
                .get(&format!("/api/v1/impact?nodeId={}&limit=all{query}", enc(&node)))
                .await;
            assert_eq!(status, axum::http::StatusCode::OK, "{body}");
            body
        }
    };
    let ids = |body: &serde_json::Value| -> BTreeSet<String> {
        body["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap().to_owned())
            .collect()
    };

    // Dataset level: the CRM's customers reach every domain's products.
    let from_crm = impact("dataset:mysql://crm-db:3306:crm.customers".into(), "").await;
    let reached = ids(&from_crm);
    for dataset in [
        "dataset:snowflake://acme-retail:ANALYTICS.CUSTOMER.DIM_CUSTOMER",
        "dataset:snowflake://acme-retail:ANALYTICS.SALES.FCT_ORDERS",
        "dataset:snowflake://acme-retail:ANALYTICS.FINANCE.FCT_REVENUE",
        "dataset:snowflake://acme-retail:ANALYTICS.MARKETING.FCT_CAMPAIGN_PERFORMANCE",
        "dataset:s3://acme-retail-lake:marketing/audiences/email_audience",
    ] {
        assert!(reached.contains(dataset), "{dataset} not in {reached:?}");
    }
    let owners: BTreeSet<&str> = from_crm["groups"]["owners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    for owner in ["team:customer", "team:sales", "team:finance", "user:priya.nair"] {
        assert!(owners.contains(owner), "{owner} not in {owners:?}");
    }

    // Column level: the email flows in clear into the audience, and hashed
    // into the segments; without masked derivations only the clear path stays.
    let email = "datasetField:mysql://crm-db:3306:crm.customers:email".to_owned();
    let hashed = "datasetField:snowflake://acme-retail:ANALYTICS.CUSTOMER.CUSTOMER_SEGMENTS:email_sha256";
    let clear = "datasetField:s3://acme-retail-lake:marketing/audiences/email_audience:email";
    let all = ids(&impact(email.clone(), "").await);
    assert!(all.contains(hashed) && all.contains(clear), "{all:?}");
    let unmasked = ids(&impact(email, "&excludeMasked=true").await);
    assert!(
        !unmasked.contains(hashed) && unmasked.contains(clear),
        "{unmasked:?}"
    );
}

#[tokio::test]
async fn serve_demo_seeds_a_living_mesh_once() {
    let app = TestApp::new();
    meshgraph::app::seed_demo(&app.app).await.unwrap();
    let seeded = app.log_len();
    assert_eq!(seeded as usize, demo::events().len() + demo::documents().len());

    let (status, products) = app.get("/api/v1/products?limit=100").await;
    assert_eq!(status, 200, "{products}");
    assert_eq!(products["products"].as_array().unwrap().len(), 13, "{products}");
    let (_, domains) = app.get("/api/v1/domains").await;
    assert_eq!(domains["domains"].as_array().unwrap().len(), 5, "{domains}");

    // Impact from a CRM table reaches products, domains and owners.
    let node = enc("dataset:mysql://crm-db:3306:crm.customers");
    let (status, impact) = app.get(&format!("/api/v1/impact?nodeId={node}")).await;
    assert_eq!(status, 200, "{impact}");
    assert!(
        impact["groups"]["products"].as_array().unwrap().len() >= 5,
        "{impact}"
    );
    assert_eq!(
        impact["groups"]["domains"].as_array().unwrap().len(),
        5,
        "{impact}"
    );

    // A restart with --demo again writes nothing new.
    meshgraph::app::seed_demo(&app.app).await.unwrap();
    assert_eq!(app.log_len(), seeded);
}
