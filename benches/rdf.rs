//! RDF benchmark: loading a large document with `meshgraph load`, next to
//! oxigraph's own bulk loader on the same file, in the same run.
//!
//! The data is generated here ([`write_catalog`]): a retail knowledge graph
//! of customers, orders, order lines, products and stores in N-Triples, with
//! the mix of a real dump (IRIs, plain, language-tagged and typed literals,
//! some long descriptions). Phases:
//!
//! - **a. oxigraph bulk loader**: `Store::bulk_loader().load_from_reader`
//!   of the file into a fresh in-memory store, then `commit`;
//! - **b. meshgraph load**: the real binary, `meshgraph load --quiet
//!   --data-dir <fresh dir> FILE`, as a user runs it: parsing the whole
//!   document (a syntax error anywhere loads nothing), then logging it
//!   durably (LZ4, redb, fsync). `load` writes the log only: the store is a
//!   view that a server derives from the log when it starts;
//! - **c. server start-up on that directory**: [`App::open`] replays the
//!   log into the in-memory store (parsing the document again and inserting
//!   its triples), the time until a server on the directory answers; with
//!   b, the time from file to queryable store;
//! - **breakdown**: parsing alone, in-process, to show where the time goes;
//! - **d. `/sparql` latency**: on the store of the last round, served over a
//!   loopback socket, queries answering 10,000 rows, each evaluated
//!   directly by oxigraph (every solution read), directly and serialized
//!   with oxigraph's own SPARQL JSON serializer into a `Vec` (`+ JSON`), and
//!   through `GET /sparql` (SPARQL JSON, the whole answer read by a plain
//!   HTTP/1.1 client on a keep-alive connection); the difference between
//!   the first and the last is what HTTP and serialization cost (target:
//!   under 10% at the median). The three alternate in blocks of a few runs
//!   each, after a few discarded warm-up runs; the table shows the median
//!   and the minimum of each, so that noise shows.
//!
//! The two loaders alternate, `MESHGRAPH_BENCH_ROUNDS` times each; the
//! table shows each round and the best. Run with `cargo bench --bench rdf`.
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `MESHGRAPH_BENCH_TRIPLES` | 1000000 | triples in the generated file |
//! | `MESHGRAPH_BENCH_ROUNDS` | 2 | rounds of each loader |
//! | `MESHGRAPH_BENCH_DIR` | the system temp dir | where files and data directories go |
//! | `MESHGRAPH_BENCH_QUERY_RUNS` | 100 | measured runs of each query, each way |
//! | `MESHGRAPH_BENCH_QUERY_BLOCK` | 10 | runs of one way before the next way's (the ways alternate in blocks) |

mod common;

use common::env;

use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use meshgraph::app::App;
use meshgraph::config::{Config, Storage};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphName, NamedNode};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};

/// The target: `meshgraph load` at least this fraction of the bulk loader's rate.
const TARGET: f64 = 0.80;
/// The target: `/sparql` at most this much slower than oxigraph evaluating directly.
const TARGET_OVERHEAD: f64 = 0.10;
/// Runs of each query, each way, before the measured ones (discarded).
const WARM_UP_RUNS: usize = 5;

/// Queries of 10,000 rows over the catalog: a plain join, a filter on
/// language tags, and an aggregate.
const QUERIES: [(&str, &str); 3] = [
    (
        "orders with customer and total",
        "PREFIX ex: <https://shop.example.org/ns#> SELECT ?order ?customer ?total WHERE { ?order a ex:Order ; ex:customer ?customer ; ex:total ?total } LIMIT 10000",
    ),
    (
        "products with English label and price",
        "PREFIX ex: <https://shop.example.org/ns#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?product ?label ?price WHERE { ?product a ex:Product ; rdfs:label ?label ; ex:price ?price FILTER (lang(?label) = \"en\") } LIMIT 10000",
    ),
    (
        "orders per customer (GROUP BY)",
        "PREFIX ex: <https://shop.example.org/ns#> SELECT ?customer (COUNT(?order) AS ?orders) WHERE { ?order ex:customer ?customer } GROUP BY ?customer LIMIT 10000",
    ),
];

/// A small deterministic generator (SplitMix64), so every run loads the same file.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const EX: &str = "https://shop.example.org/";
const WORDS: [&str; 16] = [
    "linen", "oak", "blue", "classic", "travel", "garden", "steel", "cotton", "compact", "deluxe", "eco",
    "vintage", "smart", "kids", "outdoor", "studio",
];

/// Writes about `triples` triples of a retail catalog as N-Triples; returns
/// how many it wrote.
fn write_catalog(path: &Path, triples: usize) -> usize {
    let file = std::fs::File::create(path).expect("create the data file");
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let mut rng = Rng(7);
    let mut written = 0;
    let mut line = String::new();
    // One triple: format it, write it, count it.
    macro_rules! triple {
        ($($arg:tt)*) => {{
            let _ = writeln!(line, $($arg)*);
            out.write_all(line.as_bytes()).expect("write");
            line.clear();
            written += 1;
        }};
    }
    let rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>";
    let label = "<http://www.w3.org/2000/01/rdf-schema#label>";
    // Six triples per product, customer or order; one product and two
    // customers for seven orders.
    let products = (triples / 60).max(1);
    let customers = (triples / 30).max(1);
    let mut i = 0u64;
    while written < triples {
        let kind = i % 10;
        match kind {
            0 => {
                let p = i / 10 % products as u64;
                let name = format!(
                    "{} {}",
                    WORDS[rng.below(16) as usize],
                    WORDS[rng.below(16) as usize]
                );
                triple!("<{EX}product/{p}-{i}> {rdf_type} <{EX}ns#Product> .");
                triple!("<{EX}product/{p}-{i}> {label} \"{name}\"@en .");
                triple!("<{EX}product/{p}-{i}> {label} \"{name} (fr)\"@fr .");
                triple!(
                    "<{EX}product/{p}-{i}> <{EX}ns#price> \"{}.{:02}\"^^<http://www.w3.org/2001/XMLSchema#decimal> .",
                    rng.below(500),
                    rng.below(100)
                );
                let description: Vec<&str> = (0..12 + rng.below(30))
                    .map(|_| WORDS[rng.below(16) as usize])
                    .collect();
                triple!(
                    "<{EX}product/{p}-{i}> <http://purl.org/dc/terms/description> \"{}\" .",
                    description.join(" ")
                );
                triple!(
                    "<{EX}product/{p}-{i}> <{EX}ns#category> <{EX}category/{}> .",
                    rng.below(40)
                );
            }
            1..=2 => {
                let c = i % customers as u64;
                triple!("<{EX}customer/{c}-{i}> {rdf_type} <{EX}ns#Customer> .");
                triple!("<{EX}customer/{c}-{i}> <http://xmlns.com/foaf/0.1/name> \"Customer {c}\" .");
                triple!(
                    "<{EX}customer/{c}-{i}> <http://xmlns.com/foaf/0.1/mbox> <mailto:c{c}@mail.example> ."
                );
                triple!(
                    "<{EX}customer/{c}-{i}> <{EX}ns#since> \"20{:02}-{:02}-{:02}\"^^<http://www.w3.org/2001/XMLSchema#date> .",
                    10 + rng.below(15),
                    1 + rng.below(12),
                    1 + rng.below(28)
                );
                triple!(
                    "<{EX}customer/{c}-{i}> <{EX}ns#homeStore> <{EX}store/{}> .",
                    rng.below(300)
                );
                triple!(
                    "<{EX}customer/{c}-{i}> <{EX}ns#segment> \"{}\" .",
                    WORDS[rng.below(16) as usize]
                );
            }
            _ => {
                triple!("<{EX}order/{i}> {rdf_type} <{EX}ns#Order> .");
                triple!(
                    "<{EX}order/{i}> <{EX}ns#customer> <{EX}customer/{}> .",
                    rng.below(customers as u64)
                );
                triple!(
                    "<{EX}order/{i}> <{EX}ns#placedAt> \"2024-{:02}-{:02}T{:02}:{:02}:00Z\"^^<http://www.w3.org/2001/XMLSchema#dateTime> .",
                    1 + rng.below(12),
                    1 + rng.below(28),
                    rng.below(24),
                    rng.below(60)
                );
                triple!(
                    "<{EX}order/{i}> <{EX}ns#total> \"{}\"^^<http://www.w3.org/2001/XMLSchema#integer> .",
                    rng.below(100_000)
                );
                triple!("<{EX}order/{i}> <{EX}ns#line> <{EX}order/{i}/line/1> .");
                triple!(
                    "<{EX}order/{i}/line/1> <{EX}ns#product> <{EX}product/{}> .",
                    rng.below(products as u64)
                );
            }
        }
        i += 1;
    }
    out.flush().expect("flush");
    written
}

struct Row {
    name: String,
    elapsed: Duration,
    triples: usize,
    note: String,
}

fn bulk_load(file: &Path) -> (Duration, usize) {
    let started = Instant::now();
    let store = oxigraph::store::Store::new().expect("store");
    let mut loader = store.bulk_loader();
    let reader = std::fs::File::open(file).expect("open");
    loader
        .load_from_reader(RdfParser::from_format(RdfFormat::NTriples), reader)
        .expect("bulk load");
    loader.commit().expect("commit");
    let elapsed = started.elapsed();
    (elapsed, store.len().expect("len"))
}

fn meshgraph_load(file: &Path, data: &Path) -> (Duration, String) {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_meshgraph"))
        .args(["load", "--quiet", "--data-dir"])
        .arg(data)
        .arg(file)
        .env_remove("MESHGRAPH_DATA_DIR")
        .output()
        .expect("run meshgraph load");
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    assert!(
        output.status.success(),
        "meshgraph load failed: {stdout} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    (elapsed, stdout)
}

fn main() {
    // Memory set up as a server sets it up (meshgraph::alloc).
    meshgraph::alloc::configure();
    let triples: usize = env("MESHGRAPH_BENCH_TRIPLES", 1_000_000);
    let rounds: usize = env("MESHGRAPH_BENCH_ROUNDS", 2);
    let dir: PathBuf = std::env::var_os("MESHGRAPH_BENCH_DIR").map_or_else(std::env::temp_dir, PathBuf::from);
    let load_average = || std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "meshgraph RDF benchmark ({} CPUs, load average {})",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        load_average()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let work = tempfile::Builder::new()
        .prefix("meshgraph-bench-rdf-")
        .tempdir_in(&dir)
        .expect("temp dir");
    let file = work.path().join("catalog.nt");
    let started = Instant::now();
    let written = write_catalog(&file, triples);
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    println!(
        "data: {written} triples of N-Triples, {:.1} MB, generated in {:.2} s",
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    let mut rows = Vec::new();
    let mut best_bulk = Duration::MAX;
    let mut best_meshgraph = Duration::MAX;
    let mut best_startup = Duration::MAX;
    let mut last = None;
    for round in 1..=rounds {
        let (elapsed, distinct) = bulk_load(&file);
        best_bulk = best_bulk.min(elapsed);
        rows.push(Row {
            name: format!("a. oxigraph bulk loader, round {round}"),
            elapsed,
            triples: written,
            note: format!("{distinct} distinct triples in the store"),
        });
        let data = tempfile::Builder::new()
            .prefix("meshgraph-bench-rdf-")
            .tempdir_in(&dir)
            .expect("temp dir");
        let (elapsed, summary) = meshgraph_load(&file, data.path());
        best_meshgraph = best_meshgraph.min(elapsed);
        rows.push(Row {
            name: format!("b. meshgraph load (durable), round {round}"),
            elapsed,
            triples: written,
            note: summary.lines().last().unwrap_or_default().to_owned(),
        });
        let started = Instant::now();
        let (app, writer) = App::open(Config {
            storage: Storage::Dir(data.path().to_owned()),
            ..Config::in_memory()
        })
        .expect("open the loaded directory");
        let replay = started.elapsed();
        best_startup = best_startup.min(replay);
        rows.push(Row {
            name: format!("c. server start-up on it (replay), round {round}"),
            elapsed: replay,
            triples: written,
            note: format!(
                "{} triples in the store; b + c = {:.2} s",
                app.views.store().oxigraph().len().expect("len"),
                (elapsed + replay).as_secs_f64()
            ),
        });
        if round == rounds {
            last = Some((app, writer, data));
        } else {
            drop(app);
            writer.join();
        }
    }

    // Where the time goes: parsing alone, as `meshgraph load` parses.
    let bytes = std::fs::read(&file).expect("read");
    let graph = GraphName::from(NamedNode::new_unchecked("https://example.org/g"));
    let started = Instant::now();
    let count =
        meshgraph::store::document::check(&bytes, RdfFormat::NTriples, None, graph, |_| {}).expect("parse");
    rows.push(Row {
        name: "   parse the document (meshgraph::store::document::check)".into(),
        elapsed: started.elapsed(),
        triples: count as usize,
        note: String::new(),
    });

    println!();
    println!("{:<58} {:>12} {:>9}  note", "phase", "triples/s", "wall s");
    println!("{}", "-".repeat(120));
    for row in &rows {
        println!(
            "{:<58} {:>12} {:>9.2}  {}",
            row.name,
            thousands(row.triples as f64 / row.elapsed.as_secs_f64()),
            row.elapsed.as_secs_f64(),
            row.note
        );
    }
    let ratio = best_bulk.as_secs_f64() / best_meshgraph.as_secs_f64();
    println!(
        "\nbest of {rounds}: meshgraph load {} triples/s, oxigraph bulk loader {} triples/s: {:.0}% of the bulk loader (target >= {:.0}%: {})",
        thousands(written as f64 / best_meshgraph.as_secs_f64()),
        thousands(written as f64 / best_bulk.as_secs_f64()),
        ratio * 100.0,
        TARGET * 100.0,
        if ratio >= TARGET { "met" } else { "MISSED" }
    );
    if let Some((app, writer, _data)) = last {
        sparql_latency(
            &app,
            env("MESHGRAPH_BENCH_QUERY_RUNS", 100),
            env("MESHGRAPH_BENCH_QUERY_BLOCK", 10),
        );
        drop(app);
        writer.join();
    }
    println!(
        "file to queryable store (best b + best c): {:.2} s against the bulk loader's {:.2} s ({:.0}%)",
        (best_meshgraph + best_startup).as_secs_f64(),
        best_bulk.as_secs_f64(),
        best_bulk.as_secs_f64() / (best_meshgraph + best_startup).as_secs_f64() * 100.0
    );
    println!("load average at the end: {}", load_average().trim());
}

/// Phase d: each query evaluated directly, serialized directly, and through
/// `/sparql`; median and minimum of `runs` runs each way.
fn sparql_latency(app: &Arc<App>, runs: usize, block: usize) {
    assert!(runs > 0, "MESHGRAPH_BENCH_QUERY_RUNS must be at least 1");
    assert!(block > 0, "MESHGRAPH_BENCH_QUERY_BLOCK must be at least 1");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(("127.0.0.1", 0)))
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = meshgraph::api::router(Arc::clone(app));
    // As `meshgraph serve` does (see `app::serve_on`).
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    runtime.spawn(async move { axum::serve(listener, router).await });
    let mut client = common::Client::connect(addr).expect("connect");
    let store = app.views.store().oxigraph();

    println!("\nd. /sparql, {runs} runs each way after {WARM_UP_RUNS} warm-up runs (p50 and min, ms)");
    println!(
        "{:<38} {:>6} {:>15} {:>15} {:>15} {:>8} {:>15} {:>9}",
        "query (10,000 rows)", "rows", "direct", "+ JSON", "HTTP", "HTTP p90", "overhead", "JSON bytes"
    );
    println!("{}", "-".repeat(131));
    for (name, query) in QUERIES {
        let direct = |serialize: bool| {
            let started = Instant::now();
            let mut prepared = oxigraph::sparql::SparqlEvaluator::new()
                .parse_query(query)
                .expect("query parses");
            prepared.dataset_mut().set_default_graph_as_union();
            let oxigraph::sparql::QueryResults::Solutions(solutions) =
                prepared.on_store(store).execute().expect("query runs")
            else {
                unreachable!("a SELECT")
            };
            let mut rows = 0;
            if serialize {
                let mut serializer = QueryResultsSerializer::from_format(QueryResultsFormat::Json)
                    .serialize_solutions_to_writer(Vec::new(), solutions.variables().to_vec())
                    .expect("serializer");
                for solution in solutions {
                    serializer
                        .serialize(&solution.expect("solution"))
                        .expect("serialize");
                    rows += 1;
                }
                std::hint::black_box(serializer.finish().expect("finish"));
            } else {
                for solution in solutions {
                    std::hint::black_box(solution.expect("solution"));
                    rows += 1;
                }
            }
            (started.elapsed(), rows)
        };
        let path = format!(
            "/sparql?query={}",
            percent_encoding::utf8_percent_encode(query, percent_encoding::NON_ALPHANUMERIC)
        );
        let mut over_http = || {
            let started = Instant::now();
            let (status, body) = client
                .request_with(
                    "GET",
                    &path,
                    &[("Accept", "application/sparql-results+json")],
                    b"",
                )
                .expect("request");
            assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
            (started.elapsed(), body.len())
        };
        let mut rows = 0;
        let mut bytes = 0;
        for _ in 0..WARM_UP_RUNS {
            rows = direct(false).1;
            direct(true);
            bytes = over_http().1;
        }
        let mut direct_times = Vec::with_capacity(runs);
        let mut serialized_times = Vec::with_capacity(runs);
        let mut http_times = Vec::with_capacity(runs);
        while http_times.len() < runs {
            let block = block.min(runs - http_times.len());
            direct_times.extend((0..block).map(|_| direct(false).0));
            serialized_times.extend((0..block).map(|_| direct(true).0));
            http_times.extend((0..block).map(|_| over_http().0));
        }
        for times in [&mut direct_times, &mut serialized_times, &mut http_times] {
            times.sort();
        }
        let quantile = |times: &[Duration], q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
        let ms = |time: Duration| time.as_secs_f64() * 1e3;
        let both = |times: &[Duration]| format!("{:.2} {:.2}", ms(quantile(times, 0.5)), ms(times[0]));
        let overhead =
            |q: f64| quantile(&http_times, q).as_secs_f64() / quantile(&direct_times, q).as_secs_f64() - 1.0;
        let (median, least) = (overhead(0.5), overhead(0.0));
        println!(
            "{:<38} {:>6} {:>15} {:>15} {:>15} {:>8.2} {:>15} {:>9} {}",
            name,
            rows,
            both(&direct_times),
            both(&serialized_times),
            both(&http_times),
            ms(quantile(&http_times, 0.9)),
            format!("{:.1}% {:.1}%", median * 100.0, least * 100.0),
            bytes,
            if median <= TARGET_OVERHEAD {
                "met"
            } else {
                "MISSED"
            }
        );
    }
}

fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
