//! Impact benchmark: downstream impact on a large generated mesh, from the
//! projection, over HTTP, and next to oxigraph's SPARQL property paths.
//!
//! One run generates a mesh with [`meshgraph::generate`] (by default 100,000
//! datasets, 90,000 jobs, 20 columns per table, hub tables read by thousands
//! of jobs), takes it into an in-memory app's projection, and reports,
//! from the same start nodes (the hubs and random datasets, with one column
//! of each for column level):
//!
//! - **rebuild**: the projection rebuilt from the raw events (parse +
//!   observe), the time the start-up replay spends on it, its heap size per
//!   edge (an estimate from capacities) and the process's resident-memory
//!   growth per edge;
//! - **in-process**: p50/p99/max of `Projection::impact` downstream at dataset
//!   and column level (after one walk that builds the snapshot of current
//!   edges, reported on its own), and the equivalent SPARQL 1.1 property path
//!   (reachability only: `(^prov:used/prov:generated)+` over runs at dataset
//!   level, `^prov:wasDerivedFrom+` at column level) evaluated by oxigraph, in
//!   the same process, on a store holding the quads those paths walk exactly
//!   as meshgraph's mapping writes them (the whole mesh as RDF, about 50
//!   million quads, does not fit a 24 GiB machine), on the first
//!   `SPARQL_STARTS` starts (hubs first);
//! - **HTTP**: `GET /api/v1/impact` end to end through a socket: the summary
//!   answer (counts, groups, first 100 nodes with paths), and the full JSON
//!   and CSV exports of the largest answers.
//!
//! Run with `cargo bench --bench impact`; a quick run:
//! `MESHGRAPH_BENCH_DATASETS=5000 MESHGRAPH_BENCH_JOBS=4500 cargo bench --bench impact`.
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `MESHGRAPH_BENCH_SEED` | 42 | generator seed |
//! | `MESHGRAPH_BENCH_DATASETS` | 100000 | datasets in the mesh |
//! | `MESHGRAPH_BENCH_JOBS` | 90000 | jobs (tasks) in the mesh |
//! | `MESHGRAPH_BENCH_COLUMNS` | 20 | columns per table |
//! | `MESHGRAPH_BENCH_DAYS` | 1 | simulated days (each job runs once a day) |
//! | `MESHGRAPH_BENCH_HUBS` | 20 | hub tables |
//! | `MESHGRAPH_BENCH_STARTS` | 200 | random start datasets (besides the hubs) |
//! | `MESHGRAPH_BENCH_SPARQL_STARTS` | 40 | starts also asked in SPARQL (each can take seconds) |

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Client, env, load_average, resident};
use meshgraph::app::App;
use meshgraph::config::Config;
use meshgraph::generate::{Generator, GeneratorConfig};
use meshgraph::lineage::Projection;
use meshgraph::lineage::ids::Id;
use meshgraph::lineage::impact::{ImpactQuery, Level};
use meshgraph::openlineage::{NodeId, parse_event};
use meshgraph::store::iri;
use oxigraph::sparql::{QueryResults, SparqlEvaluator};

/// p50, p99 and max of some durations, in milliseconds.
fn spread(mut times: Vec<Duration>) -> (f64, f64, f64) {
    if times.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    times.sort();
    let at = |p: f64| times[((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    (ms(at(0.5)), ms(at(0.99)), ms(*times.last().unwrap()))
}

/// One line of the report.
fn row(name: &str, times: Vec<Duration>, note: &str) {
    let n = times.len();
    let (p50, p99, max) = spread(times);
    println!("{name:<52} {n:>6} {p50:>10.3} {p99:>10.3} {max:>10.3}  {note}");
}

fn main() {
    // Memory set up as a server sets it up (meshgraph::alloc).
    meshgraph::alloc::configure();
    let seed = env("MESHGRAPH_BENCH_SEED", 42u64);
    let config = GeneratorConfig {
        seed,
        domains: 12,
        datasets: env("MESHGRAPH_BENCH_DATASETS", 100_000),
        jobs: env("MESHGRAPH_BENCH_JOBS", 90_000),
        min_columns: env("MESHGRAPH_BENCH_COLUMNS", 20),
        max_columns: env("MESHGRAPH_BENCH_COLUMNS", 20),
        hubs: env("MESHGRAPH_BENCH_HUBS", 20),
        chains: 4,
        days: Some(env("MESHGRAPH_BENCH_DAYS", 1)),
        ..Default::default()
    };
    let random_starts: usize = env("MESHGRAPH_BENCH_STARTS", 200);
    let sparql_starts: usize = env("MESHGRAPH_BENCH_SPARQL_STARTS", 40);
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "meshgraph impact benchmark ({cpus} CPUs, load average {})",
        load_average()
    );

    let started = Instant::now();
    let generator = Generator::new(config.clone());
    let mesh = generator.mesh();
    let hubs: Vec<NodeId> = mesh
        .hubs()
        .map(|d| {
            let (ns, name) = mesh.dataset(d);
            NodeId::dataset(ns, name)
        })
        .collect();
    let mut random = Vec::new();
    let mut state = seed ^ 0x9E37_79B9_7F4A_7C15;
    for _ in 0..random_starts {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let (ns, name) = mesh.dataset((state % mesh.datasets() as u64) as usize);
        random.push(NodeId::dataset(ns, name));
    }
    let events: Vec<String> = generator.collect();
    let bytes: usize = events.iter().map(String::len).sum();
    println!(
        "mesh: {} datasets, {} jobs, {}-{} columns, {} days: {} events, {:.2} GB, generated in {:.1} s",
        config.datasets,
        config.jobs,
        config.min_columns,
        config.max_columns,
        config.days.unwrap_or(1),
        events.len(),
        bytes as f64 / 1e9,
        started.elapsed().as_secs_f64()
    );

    // The projection alone, from the raw events: what start-up spends on it.
    let before = resident();
    let t = Instant::now();
    let mut projection = Projection::new();
    let mut parse = Duration::ZERO;
    for text in &events {
        let p = Instant::now();
        let event = parse_event(text).expect("generated events are valid");
        parse += p.elapsed();
        projection.observe(&event);
    }
    let rebuild = t.elapsed();
    let grown = resident().saturating_sub(before);
    let (nodes, edges) = projection.size();
    let column_edges = projection.columns().edge_count();
    println!(
        "projection: {nodes} nodes, {edges} edges ({column_edges} column derivations); rebuilt from the events in {:.2} s \
         ({:.2} s of it parsing JSON, {:.2} s observing); heap estimate {:.0} bytes/edge; resident growth {:.0} bytes/edge",
        rebuild.as_secs_f64(),
        parse.as_secs_f64(),
        (rebuild - parse).as_secs_f64(),
        projection.heap_bytes() as f64 / edges as f64,
        grown as f64 / edges as f64,
    );
    drop(projection);

    // The app serving the impact API: its projection, from the same events.
    // (Its RDF store stays empty: the whole mesh as RDF, about 50 million
    // quads, does not fit this machine's memory; `/impact` reads only the
    // projection.)
    let (app, writer) = App::open(Config::in_memory()).expect("app");
    for chunk in events.chunks(2_000) {
        let parsed: Vec<_> = chunk.iter().map(|e| parse_event(e).expect("valid")).collect();
        app.views.project(&parsed.iter().collect::<Vec<_>>());
    }

    // For SPARQL, the quads the property paths walk, as meshgraph's mapping
    // writes them (same IRIs, same predicates, runs in their own graphs),
    // taken from the raw events by a plain reader: `run prov:used dataset`,
    // `run prov:generated dataset`, `output column prov:wasDerivedFrom input column`.
    let t = Instant::now();
    let store = oxigraph::store::Store::new().expect("store");
    let mut loader = store.bulk_loader();
    let mut quads = Vec::new();
    for text in &events {
        lineage_quads(text, &mut quads);
    }
    let quad_count = quads.len();
    loader.load_quads(quads).expect("loaded");
    loader.commit().expect("committed");
    println!(
        "SPARQL store: {quad_count} lineage quads loaded in {:.1} s; resident {:.1} GB",
        t.elapsed().as_secs_f64(),
        resident() as f64 / 1e9
    );
    drop(events);

    // Start nodes: the hubs first, then random datasets; one column of each.
    let starts: Vec<NodeId> = hubs.iter().chain(&random).cloned().collect();
    let columns: Vec<NodeId> = {
        let projection = app.views.projection();
        let ids = projection.ids();
        starts
            .iter()
            .filter_map(|s| {
                let id = projection.find(s)?;
                let col: Id = *ids.columns_of(id).first()?;
                Some(ids.node_id(col))
            })
            .collect()
    };

    println!(
        "\n{:<52} {:>6} {:>10} {:>10} {:>10}  note",
        "measure (downstream impact)", "n", "p50 ms", "p99 ms", "max ms"
    );
    println!("{}", "-".repeat(120));
    let timed = |level: Level, nodes: &[NodeId]| -> (Vec<Duration>, Vec<usize>) {
        let projection = app.views.projection();
        let query = ImpactQuery {
            level,
            ..Default::default()
        };
        let mut times = Vec::new();
        let mut sizes = Vec::new();
        for node in nodes {
            let t = Instant::now();
            let impact = projection.impact(node, &query).expect("known node");
            times.push(t.elapsed());
            sizes.push(impact.nodes.len());
        }
        (times, sizes)
    };
    // The first large walk after a change builds the contiguous snapshot of
    // the entity graph; time it apart, then measure walks on a still graph.
    let (cold, _) = timed(Level::Dataset, &starts[..1]);
    row(
        "a. in-process, first large walk after a change",
        cold,
        "builds the snapshot of current edges, then walks the top hub",
    );
    let (dataset_times, dataset_sizes) = timed(Level::Dataset, &starts);
    let largest = dataset_sizes.iter().max().copied().unwrap_or(0);
    row(
        "a. in-process, dataset level",
        dataset_times.clone(),
        &format!(
            "largest answer {largest} nodes; median {} nodes",
            median(&dataset_sizes)
        ),
    );
    let (column_times, column_sizes) = timed(Level::Column, &columns);
    row(
        "a. in-process, column level",
        column_times.clone(),
        &format!(
            "largest answer {} columns; median {}",
            column_sizes.iter().max().copied().unwrap_or(0),
            median(&column_sizes)
        ),
    );

    // SPARQL property paths on the same store, on the first starts.
    let count = |query: &str| -> usize {
        let mut prepared = SparqlEvaluator::new().parse_query(query).expect("valid query");
        // The lineage lives in named graphs (one per run): ask their union,
        // as meshgraph's SPARQL endpoint does.
        prepared.dataset_mut().set_default_graph_as_union();
        match prepared.on_store(&store).execute().expect("query runs") {
            QueryResults::Solutions(mut rows) => rows
                .next()
                .and_then(Result::ok)
                .and_then(|r| r.get("n").map(|n| n.to_string()))
                .and_then(|n| n.split('"').nth(1).and_then(|v| v.parse().ok()))
                .unwrap_or(0),
            _ => 0,
        }
    };
    let prov = "http://www.w3.org/ns/prov#";
    let mut sparql_dataset = Vec::new();
    let mut ours_dataset = Vec::new();
    let mut sparql_sizes = Vec::new();
    for (i, node) in starts.iter().take(sparql_starts).enumerate() {
        let NodeId::Dataset { namespace, name } = node else {
            continue;
        };
        let query = format!(
            "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ <{}> (^<{prov}used>/<{prov}generated>)+ ?x }}",
            iri::dataset(namespace, name).as_str()
        );
        let t = Instant::now();
        sparql_sizes.push(count(&query));
        sparql_dataset.push(t.elapsed());
        ours_dataset.push(dataset_times[i]);
    }
    let (_, sparql_p99, _) = spread(sparql_dataset.clone());
    let (_, ours_p99, _) = spread(ours_dataset.clone());
    row(
        "a. SPARQL property path, dataset level (oxigraph)",
        sparql_dataset,
        &format!(
            "same {} starts: ours p99 {:.3} ms, {:.0}x faster; largest SPARQL answer {} datasets",
            ours_dataset.len(),
            ours_p99,
            sparql_p99 / ours_p99.max(1e-9),
            sparql_sizes.iter().max().copied().unwrap_or(0)
        ),
    );
    let mut sparql_column = Vec::new();
    let mut ours_column = Vec::new();
    for (i, node) in columns.iter().take(sparql_starts).enumerate() {
        let NodeId::DatasetField {
            namespace,
            name,
            field,
        } = node
        else {
            continue;
        };
        let query = format!(
            "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x <{prov}wasDerivedFrom>+ <{}> }}",
            iri::field(namespace, name, field).as_str()
        );
        let t = Instant::now();
        count(&query);
        sparql_column.push(t.elapsed());
        ours_column.push(column_times[i]);
    }
    let (_, sparql_p99, _) = spread(sparql_column.clone());
    let (_, ours_p99, _) = spread(ours_column.clone());
    row(
        "a. SPARQL property path, column level (oxigraph)",
        sparql_column,
        &format!(
            "same {} starts: ours p99 {:.3} ms, {:.0}x faster",
            ours_column.len(),
            ours_p99,
            sparql_p99 / ours_p99.max(1e-9)
        ),
    );

    // Over HTTP, through a socket.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(("127.0.0.1", 0)))
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = meshgraph::api::router(Arc::clone(&app));
    runtime.spawn(async move { axum::serve(listener, router).await });
    let mut client = Client::connect(addr).expect("connect");
    let path = |node: &NodeId, rest: &str| {
        format!(
            "/api/v1/impact?nodeId={}{rest}",
            percent_encoding::utf8_percent_encode(&node.to_string(), percent_encoding::NON_ALPHANUMERIC)
        )
    };
    let mut summary = Vec::new();
    for node in &starts {
        let t = Instant::now();
        let (status, _) = client
            .request("GET", &path(node, "&limit=100"), b"")
            .expect("answer");
        summary.push(t.elapsed());
        assert_eq!(status, 200);
    }
    row(
        "b. HTTP summary (counts, groups, 100 nodes + paths)",
        summary,
        "every start, dataset level",
    );
    let mut biggest: Vec<(usize, &NodeId)> = dataset_sizes.iter().copied().zip(&starts).collect();
    biggest.sort_by_key(|b| std::cmp::Reverse(b.0));
    biggest.truncate(5);
    for (accept, query, name) in [
        (
            "application/json",
            "&limit=all&paths=false",
            "JSON (distance + via)",
        ),
        ("application/json", "&limit=all", "JSON with whole paths"),
        ("text/csv", "", "CSV"),
    ] {
        let mut times = Vec::new();
        let mut sizes = Vec::new();
        for (n, node) in &biggest {
            let target = path(node, query);
            let t = Instant::now();
            let (status, body) = client
                .request_with("GET", &target, &[("Accept", accept)], b"")
                .expect("answer");
            times.push(t.elapsed());
            assert_eq!(status, 200);
            sizes.push(format!("{n} nodes/{:.1} MB", body.len() as f64 / 1e6));
        }
        row(
            &format!("b. HTTP full export, {name}, the 5 largest answers"),
            times,
            &sizes.join(", "),
        );
    }
    println!("\nload average at the end: {}", load_average());
    drop(client);
    // The server's router holds the app: stop it first, then the writer.
    drop(runtime);
    drop(app);
    writer.join();
}

fn median(sizes: &[usize]) -> usize {
    let mut v = sizes.to_vec();
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or(0)
}

/// The lineage quads of one event, as the mapping writes them.
fn lineage_quads(text: &str, out: &mut Vec<oxigraph::model::Quad>) {
    use oxigraph::model::{GraphName, NamedNode, Quad};
    let prov = |local: &str| NamedNode::new_unchecked(format!("http://www.w3.org/ns/prov#{local}"));
    let event: serde_json::Value = serde_json::from_str(text).expect("JSON");
    let Some(run) = event["run"]["runId"]
        .as_str()
        .and_then(|r| uuid::Uuid::parse_str(r).ok())
    else {
        return;
    };
    let run = iri::run(run);
    let graph = GraphName::NamedNode(run.clone());
    let name = |d: &serde_json::Value| {
        (
            d["namespace"].as_str().unwrap_or_default().to_owned(),
            d["name"].as_str().unwrap_or_default().to_owned(),
        )
    };
    for d in event["inputs"].as_array().into_iter().flatten() {
        let (ns, n) = name(d);
        out.push(Quad::new(
            run.clone(),
            prov("used"),
            iri::dataset(&ns, &n),
            graph.clone(),
        ));
    }
    for d in event["outputs"].as_array().into_iter().flatten() {
        let (ns, n) = name(d);
        let ds = iri::dataset(&ns, &n);
        out.push(Quad::new(
            run.clone(),
            prov("generated"),
            ds.clone(),
            graph.clone(),
        ));
        let facet = GraphName::NamedNode(iri::facet(&ds, "columnLineage"));
        for (field, lineage) in d["facets"]["columnLineage"]["fields"]
            .as_object()
            .into_iter()
            .flatten()
        {
            for input in lineage["inputFields"].as_array().into_iter().flatten() {
                let (ins, inn) = name(input);
                out.push(Quad::new(
                    iri::field(&ns, &n, field),
                    prov("wasDerivedFrom"),
                    iri::field(&ins, &inn, input["field"].as_str().unwrap_or_default()),
                    facet.clone(),
                ));
            }
        }
    }
}
