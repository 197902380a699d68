//! GraphQL benchmark: a page of datasets with their owners, data products
//! and one-hop lineage on a generated mesh of 100,000 datasets, and search
//! over it.
//!
//! One run generates a mesh with [`meshgraph::generate`] (by default
//! 100,000 datasets, 90,000 jobs, one simulated day), adds what the
//! generator does not say, and writes it all through the app's writer (the
//! durable log, then the store, the lineage projection and the search
//! index: the path every HTTP write takes, without a gigabyte of JSON going
//! through a socket):
//!
//! - an owner for every dataset: a DatasetEvent with an `ownership` facet
//!   naming its namespace's team;
//! - DPROD data products, one Turtle document: every `PRODUCT_EVERY`-th
//!   dataset of each namespace, ten to a product, in one domain per
//!   namespace, with the team as the product owner.
//!
//! Then it serves the app on `127.0.0.1:0` and measures, through a socket
//! and one keep-alive connection:
//!
//! - **page**: `datasets(namespace, first: 100, after)` with each
//!   dataset's owners, products, and ten upstream and ten downstream
//!   neighbours, paging through the largest namespace with `after` cursors
//!   (from its start again at its end), `REQUESTS` requests: p50/p99/max
//!   latency, and the store reads each answer reports
//!   (`extensions.storeReads`); the first page is timed apart (the first
//!   answer after the load reads the catalog of products fresh);
//! - **search**: GraphQL `search` and REST `/api/v1/search` over a few
//!   texts (a hub, a column, a table prefix, a substring, two words), each
//!   asked `REQUESTS / texts` times, p50/p99/max;
//! - **overview**: REST `/api/v1/overview`, the web UI's home page (counts,
//!   the latest runs, the jobs whose latest run failed), `REQUESTS / 20`
//!   times (at least 3), p50/p99/max.
//!
//! Tables have `MESHGRAPH_BENCH_COLUMNS` columns (default 5): the whole mesh
//! at the generator's 20-50 columns is about 50 million quads in the
//! in-memory store, more than a 24 GiB machine holds next to the rest.
//!
//! Run with `cargo bench --bench graphql`; a quick run:
//! `MESHGRAPH_BENCH_DATASETS=5000 MESHGRAPH_BENCH_JOBS=4500 cargo bench --bench graphql`.
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `MESHGRAPH_BENCH_SEED` | 42 | generator seed |
//! | `MESHGRAPH_BENCH_DATASETS` | 100000 | datasets in the mesh |
//! | `MESHGRAPH_BENCH_JOBS` | 90000 | jobs (tasks) in the mesh |
//! | `MESHGRAPH_BENCH_COLUMNS` | 5 | columns per table |
//! | `MESHGRAPH_BENCH_PRODUCT_EVERY` | 4 | one dataset in this many is in a product |
//! | `MESHGRAPH_BENCH_REQUESTS` | 200 | requests per measure |

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Client, env, load_average, resident};
use meshgraph::app::App;
use meshgraph::config::Config;
use meshgraph::generate::{Generator, GeneratorConfig};
use meshgraph::store::change::{Document, Mode, RdfChange, Target};
use meshgraph::store::iri;
use meshgraph::writer::{Accepted, Staged};
use oxigraph::io::RdfFormat;
use oxigraph::model::NamedNode;
use serde_json::{Value, json};

/// p50, p99 and max, in the unit of the values.
fn spread(mut values: Vec<f64>) -> (f64, f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    values.sort_by(f64::total_cmp);
    let at = |p: f64| values[((values.len() as f64 * p).ceil() as usize).clamp(1, values.len()) - 1];
    (at(0.5), at(0.99), values[values.len() - 1])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// One line of the report.
fn row(name: &str, times: Vec<Duration>, note: &str) {
    let n = times.len();
    let (p50, p99, max) = spread(times.into_iter().map(ms).collect());
    println!("{name:<46} {n:>6} {p50:>9.2} {p99:>9.2} {max:>9.2}  {note}");
}

/// The owner pipelines name for a namespace's datasets.
fn team(namespace: &str) -> String {
    let short: String = namespace
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect();
    format!("team:{}", short.trim_matches('-'))
}

/// The DatasetEvent that sets a dataset's owner.
fn ownership(namespace: &str, name: &str) -> String {
    json!({
        "eventTime": "2024-01-02T00:00:00Z",
        "producer": "https://meshgraph.dev/benches/graphql",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
        "dataset": {"namespace": namespace, "name": name, "facets": {
            "ownership": {"owners": [{"name": team(namespace), "type": "MAINTAINER"}]}
        }}
    })
    .to_string()
}

/// The data products, in Turtle: every `every`-th dataset of each
/// namespace, ten to a product, one domain per namespace. Returns the
/// document and how many products and datasets it names.
fn products(by_namespace: &BTreeMap<&str, Vec<&str>>, every: usize) -> (String, usize, usize) {
    let mut ttl = String::from(
        "@prefix dprod: <https://ekgf.github.io/dprod/> .\n\
         @prefix dcterms: <http://purl.org/dc/terms/> .\n\
         @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\
         @prefix mg: <https://meshgraph.dev/ns#> .\n\
         @prefix ex: <https://example.com/bench/> .\n",
    );
    let (mut products, mut covered) = (0, 0);
    for (n, (namespace, names)) in by_namespace.iter().enumerate() {
        let team = team(namespace);
        ttl.push_str(&format!(
            "ex:domain-{n} a mg:Domain ; rdfs:label \"Domain of {namespace}\" .\n\
             ex:owner-{n} mg:name \"{team}\" .\n"
        ));
        let chosen: Vec<&&str> = names.iter().step_by(every.max(1)).collect();
        for (p, datasets) in chosen.chunks(10).enumerate() {
            let iris: Vec<String> = datasets
                .iter()
                .map(|name| format!("<{}>", iri::dataset(namespace, name).as_str()))
                .collect();
            ttl.push_str(&format!(
                "ex:product-{n}-{p} a dprod:DataProduct ; dcterms:title \"Product {p} of {namespace}\" ;\n  \
                 dprod:domain ex:domain-{n} ; dprod:dataProductOwner ex:owner-{n} ;\n  \
                 dprod:outputDataset {} .\n",
                iris.join(", ")
            ));
            products += 1;
            covered += datasets.len();
        }
    }
    (ttl, products, covered)
}

/// Writes events through the app's writer, in groups as the log and the
/// views take them; how many.
fn write(app: &App, runtime: &tokio::runtime::Runtime, mut texts: impl Iterator<Item = String>) -> usize {
    let mut written = 0;
    loop {
        let group: Vec<Accepted> = texts
            .by_ref()
            .take(2_000)
            .map(|text| app.writer.accept(&text).expect("valid event"))
            .collect();
        if group.is_empty() {
            return written;
        }
        written += group.len();
        runtime.block_on(app.writer.write(group)).expect("written");
    }
}

const PAGE: &str = "query($ns: String!, $after: String) {
  datasets(namespace: $ns, first: 100, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      namespace name
      owners { name type }
      products { id title domain owners }
      upstream(first: 10) { totalCount nodes { namespace name } }
      downstream(first: 10) { totalCount nodes { namespace name } }
    }
  }
}";

const SEARCH: &str = "query($text: String!) {
  search(text: $text, first: 20) { totalCount results { type id name namespace match field } }
}";

fn main() {
    // Memory set up as a server sets it up (meshgraph::alloc).
    meshgraph::alloc::configure();
    let config = GeneratorConfig {
        seed: env("MESHGRAPH_BENCH_SEED", 42u64),
        domains: 12,
        datasets: env("MESHGRAPH_BENCH_DATASETS", 100_000),
        jobs: env("MESHGRAPH_BENCH_JOBS", 90_000),
        min_columns: env("MESHGRAPH_BENCH_COLUMNS", 5),
        max_columns: env("MESHGRAPH_BENCH_COLUMNS", 5),
        hubs: 20,
        chains: 4,
        days: Some(1),
        ..Default::default()
    };
    let every: usize = env("MESHGRAPH_BENCH_PRODUCT_EVERY", 4);
    let requests: usize = env("MESHGRAPH_BENCH_REQUESTS", 200);
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "meshgraph GraphQL benchmark ({cpus} CPUs, load average {})",
        load_average()
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let before = resident();
    let started = Instant::now();
    let (app, writer) = App::open(Config::in_memory()).expect("app");
    let mut generator = Generator::new(config.clone());
    // The mesh borrows the generator, which the events are taken from next.
    let datasets: Vec<(String, String)> = {
        let mesh = generator.mesh();
        (0..mesh.datasets())
            .map(|d| {
                let (namespace, name) = mesh.dataset(d);
                (namespace.to_owned(), name.to_owned())
            })
            .collect()
    };
    let mut by_namespace: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (namespace, name) in &datasets {
        by_namespace.entry(namespace).or_default().push(name);
    }
    let owners = datasets
        .iter()
        .map(|(namespace, name)| ownership(namespace, name));
    let (document, product_count, covered) = products(&by_namespace, every);

    let lineage_events = write(&app, &runtime, &mut generator);
    let owner_events = write(&app, &runtime, owners);
    let graph = NamedNode::new("https://example.com/bench/products").expect("IRI");
    let (doc, triples) = Document::check(
        Mode::Replace,
        Target::Named(graph.clone()),
        RdfFormat::Turtle,
        Some(graph.into_string()),
        document.into_bytes(),
    )
    .expect("the products parse");
    runtime
        .block_on(app.writer.change(Staged::new(RdfChange::Document(doc))))
        .expect("products written");
    let loaded = started.elapsed();
    let (nodes, edges) = app.views.projection().size();
    let quads = app.views.store().oxigraph().len().unwrap_or(0);
    println!(
        "mesh: {} datasets in {} namespaces, {} jobs, {} columns a table; {lineage_events} lineage events, \
         {owner_events} ownership events, {product_count} products over {covered} datasets ({triples} triples); \
         written through the log in {:.1} s; {quads} quads, projection {nodes} nodes / {edges} edges; \
         resident {:.1} GB",
        datasets.len(),
        by_namespace.len(),
        config.jobs,
        config.min_columns,
        loaded.as_secs_f64(),
        resident().saturating_sub(before) as f64 / 1e9,
    );

    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(("127.0.0.1", 0)))
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = meshgraph::api::router(Arc::clone(&app));
    runtime.spawn(async move { axum::serve(listener, router).await });
    let mut client = Client::connect(addr).expect("connect");
    let mut post = |query: &str, variables: Value| -> (Duration, Value) {
        let body = json!({"query": query, "variables": variables}).to_string();
        let t = Instant::now();
        let (status, answer) = client
            .request("POST", "/graphql", body.as_bytes())
            .expect("answer");
        let elapsed = t.elapsed();
        assert_eq!(status, 200);
        let answer: Value = serde_json::from_slice(&answer).expect("JSON");
        assert!(answer.get("errors").is_none(), "{answer}");
        (elapsed, answer)
    };

    println!(
        "\n{:<46} {:>6} {:>9} {:>9} {:>9}  note",
        "measure", "n", "p50 ms", "p99 ms", "max ms"
    );
    println!("{}", "-".repeat(110));
    let (namespace, members) = by_namespace
        .iter()
        .max_by_key(|(_, names)| names.len())
        .expect("a namespace");
    let mut after: Option<String> = None;
    let mut times = Vec::new();
    let mut reads = Vec::new();
    let (mut items, mut neighbours, mut with_products) = (0, 0, 0);
    for i in 0..=requests {
        let (elapsed, answer) = post(PAGE, json!({"ns": namespace, "after": after}));
        let page = &answer["data"]["datasets"];
        for node in page["nodes"].as_array().expect("nodes") {
            items += 1;
            neighbours += node["upstream"]["nodes"].as_array().map_or(0, Vec::len)
                + node["downstream"]["nodes"].as_array().map_or(0, Vec::len);
            with_products += usize::from(!node["products"].as_array().is_none_or(Vec::is_empty));
        }
        after = page["pageInfo"]["hasNextPage"]
            .as_bool()
            .unwrap_or(false)
            .then(|| page["pageInfo"]["endCursor"].as_str().map(str::to_owned))
            .flatten();
        let count = answer["extensions"]["storeReads"].as_u64().expect("storeReads");
        if i == 0 {
            row(
                "page of 100 datasets, the first",
                vec![elapsed],
                &format!("{count} store reads; reads the catalog of products"),
            );
        } else {
            times.push(elapsed);
            reads.push(count as f64);
        }
    }
    let (reads_p50, _, reads_max) = spread(reads.clone());
    let reads_min = reads.iter().copied().fold(f64::INFINITY, f64::min);
    row(
        "page of 100 datasets + owners, products, 1-hop",
        times,
        &format!(
            "{namespace} ({} datasets); store reads per request: min {reads_min}, median {reads_p50}, max {reads_max}; \
             {:.1} neighbours and {:.0}% with a product per dataset",
            members.len(),
            neighbours as f64 / items as f64,
            100.0 * with_products as f64 / items as f64
        ),
    );

    let texts = [
        "customer".to_owned(),
        "customer_id".to_owned(),
        "dim_".to_owned(),
        "omer".to_owned(),
        "orders daily".to_owned(),
        datasets[datasets.len() / 2].1.clone(),
    ];
    let mut gql = Vec::new();
    let mut totals = Vec::new();
    for i in 0..requests {
        let text = &texts[i % texts.len()];
        let (elapsed, answer) = post(SEARCH, json!({"text": text}));
        gql.push(elapsed);
        if i < texts.len() {
            totals.push(format!("{text:?} {}", answer["data"]["search"]["totalCount"]));
        }
    }
    row(
        "GraphQL search, 20 hits",
        gql,
        &format!("hits in all: {}", totals.join(", ")),
    );
    let mut rest = Vec::new();
    for i in 0..requests {
        let text = &texts[i % texts.len()];
        let path = format!(
            "/api/v1/search?q={}&limit=20",
            percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC)
        );
        let t = Instant::now();
        let (status, _) = client.request("GET", &path, b"").expect("answer");
        rest.push(t.elapsed());
        assert_eq!(status, 200);
    }
    row("REST /api/v1/search, limit 20", rest, "the same texts");

    let mut overview = Vec::new();
    let mut runs = 0;
    for _ in 0..(requests / 20).max(3) {
        let t = Instant::now();
        let (status, answer) = client.request("GET", "/api/v1/overview", b"").expect("answer");
        overview.push(t.elapsed());
        assert_eq!(status, 200);
        let answer: Value = serde_json::from_slice(&answer).expect("JSON");
        runs = answer["counts"]["runs"].as_u64().expect("counts.runs");
    }
    row(
        "REST /api/v1/overview (the home page)",
        overview,
        &format!("counts, recent runs and failing jobs over {runs} runs"),
    );
    println!("\nload average at the end: {}", load_average());
    drop(client);
    // The server's router holds the app: stop it first, then the writer.
    drop(runtime);
    drop(app);
    writer.join();
}
