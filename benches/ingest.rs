//! Ingest benchmark: how fast meshgraph accepts OpenLineage events, durably.
//!
//! One run generates a fresh synthetic workload with
//! [`meshgraph::generate`] and measures, on that same workload:
//!
//! - **a. single**: one event per `POST /api/v1/lineage`, from concurrent
//!   clients on keep-alive connections, against a real server started
//!   in-process with [`meshgraph::app::serve_app`] on `127.0.0.1:0` with a
//!   fresh data directory on disk (every 201 means logged with fsync and
//!   applied); events/s until the last 201, and p50/p99/max latency;
//! - **b. array / batch**: the same events in JSON arrays of `BATCH` events,
//!   to `POST /api/v1/lineage` (all-or-nothing, 201) and to
//!   `POST /api/v1/lineage/batch` (per-event results, 200), each on a fresh
//!   server, from concurrent clients, in `ROUNDS` rounds (b1 array, b1
//!   batch, b2 array, ...). Every round's server is kept in memory until
//!   the last round: a later round's store grows into fresh memory as a
//!   running server's does, but its transient allocations (bodies, parsed
//!   events, log records) reuse memory that earlier rounds freed, as a
//!   running server's do. Round 1 is a server in a fresh process, whose
//!   every allocation touches new pages: the kernel zeroes each on first
//!   touch, which on a virtual machine can cost a third of the run;
//! - **c. baseline**: oxigraph alone loading the quads meshgraph's store
//!   holds once the workload is in (made untimed with
//!   [`meshgraph::store::Store::apply_events`], read back) into a fresh
//!   `oxigraph::store::Store`, in one transaction (`Transaction::extend`)
//!   and with `bulk_loader().load_quads`; quads/s and the equivalent
//!   events/s. This is the floor: storing the result, without parsing,
//!   mapping, the log, HTTP, or the graphs later events replaced;
//! - **d. restart**: a server opening a data directory whose log holds the
//!   workload (written untimed, through the writer, in batches) and
//!   rebuilding its views from it, as `meshgraph serve` does at start-up;
//! - **breakdown**: where the time of an event goes, measured in-process on
//!   one thread: JSON parse + validation, mapping, encoding the log records
//!   (BLAKE3, LZ4, large facets stored apart), the durable log append
//!   (redb, fsync) by group size, the store transaction by
//!   group size, the lineage projection, the search index; plus HTTP alone
//!   (`GET /health`).
//!
//! Run with `cargo bench --bench ingest`. Timings are noisy on a shared
//! machine: the load average is printed before and after.
//!
//! Environment variables (all optional):
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `MESHGRAPH_BENCH_EVENTS` | 20000 | events in the workload |
//! | `MESHGRAPH_BENCH_SEED` | 42 | generator seed |
//! | `MESHGRAPH_BENCH_JOBS` | 100 | jobs in the synthetic mesh |
//! | `MESHGRAPH_BENCH_TABLES` | 250 | tables (datasets) in the synthetic mesh |
//! | `MESHGRAPH_BENCH_COLUMNS` | `20-50` | columns per table, `MIN-MAX` (event size grows with it) |
//! | `MESHGRAPH_BENCH_CLIENTS` | 8 | concurrent clients posting single events |
//! | `MESHGRAPH_BENCH_BATCH` | 500 | events per array / batch request |
//! | `MESHGRAPH_BENCH_BATCH_CLIENTS` | 4 | concurrent clients posting batches |
//! | `MESHGRAPH_BENCH_ROUNDS` | 2 | rounds of the array and batch phases (with more than one, a row gives each phase's median round) |
//! | `MESHGRAPH_BENCH_PHASES` | `single,array,batch,baseline,restart,breakdown,http` | phases to run, comma-separated |
//! | `MESHGRAPH_BENCH_DIR` | the system temp dir | where the servers' data directories are made |
//!
//! A quick run: `MESHGRAPH_BENCH_EVENTS=2000 cargo bench --bench ingest`.

mod common;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Barrier;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{Client, cpu_per_event, cpu_time, env, load_average, thread_times};
use meshgraph::app::{App, AppError, serve_app};
use meshgraph::config::{Config, DEFAULT_MAX_BODY_BYTES, Storage};
use meshgraph::generate::{Generator, GeneratorConfig};
use meshgraph::lineage::Projection;
use meshgraph::log::{Log, NewRecord, RecordKind};
use meshgraph::mapping::{GraphWrite, Nothing, map_event};
use meshgraph::openlineage::{Checked, Event, parse_event_with, parse_located};
use meshgraph::search::index::SearchIndex;
use meshgraph::views::Views;
use oxigraph::model::Quad;

/// The targets on a 2-core machine, events/s.
const TARGET_SINGLE: f64 = 2_000.0;
const TARGET_BATCHED: f64 = 10_000.0;

struct Settings {
    events: usize,
    seed: u64,
    jobs: usize,
    tables: usize,
    columns: (usize, usize),
    clients: usize,
    batch: usize,
    batch_clients: usize,
    rounds: usize,
    phases: Vec<String>,
    dir: PathBuf,
}

impl Settings {
    fn from_env() -> Self {
        Self {
            events: env("MESHGRAPH_BENCH_EVENTS", 20_000),
            seed: env("MESHGRAPH_BENCH_SEED", 42),
            jobs: env("MESHGRAPH_BENCH_JOBS", 100),
            tables: env("MESHGRAPH_BENCH_TABLES", 250),
            columns: {
                let text: String = env("MESHGRAPH_BENCH_COLUMNS", "20-50".to_owned());
                let (min, max) = text.split_once('-').unwrap_or((&text, &text));
                let parse = |s: &str| {
                    s.trim()
                        .parse()
                        .unwrap_or_else(|_| panic!("MESHGRAPH_BENCH_COLUMNS={text:?}: expected MIN-MAX"))
                };
                (parse(min), parse(max))
            },
            clients: env("MESHGRAPH_BENCH_CLIENTS", 8_usize).max(1),
            batch: env("MESHGRAPH_BENCH_BATCH", 500_usize).max(1),
            batch_clients: env("MESHGRAPH_BENCH_BATCH_CLIENTS", 4_usize).max(1),
            rounds: env("MESHGRAPH_BENCH_ROUNDS", 2_usize).max(1),
            phases: env(
                "MESHGRAPH_BENCH_PHASES",
                "single,array,batch,baseline,restart,breakdown,http".to_owned(),
            )
            .split(',')
            .map(|p| p.trim().to_owned())
            .collect(),
            dir: std::env::var_os("MESHGRAPH_BENCH_DIR").map_or_else(std::env::temp_dir, PathBuf::from),
        }
    }

    fn runs(&self, phase: &str) -> bool {
        self.phases.iter().any(|p| p == phase)
    }
}

// ---------------------------------------------------------------------------
// A real server, in-process, on a fresh data directory.

struct Server {
    addr: SocketAddr,
    views: Views,
    runtime: tokio::runtime::Runtime,
    shutdown: tokio::sync::oneshot::Sender<()>,
    handle: tokio::task::JoinHandle<Result<(), AppError>>,
    data: tempfile::TempDir,
}

impl Server {
    fn start(settings: &Settings) -> Self {
        std::fs::create_dir_all(&settings.dir).expect("bench dir");
        let data = tempfile::Builder::new()
            .prefix("meshgraph-bench-")
            .tempdir_in(&settings.dir)
            .expect("temp data dir");
        // The server's own runtime, sized like `meshgraph serve`'s (one worker per core).
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("server")
            .build()
            .expect("tokio runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(("127.0.0.1", 0)))
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let config = Config {
            bind: addr,
            storage: Storage::Dir(data.path().to_owned()),
            api_key: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            ..Config::in_memory()
        };
        let (app, writer) = App::open(config).expect("open the server's app");
        let views = app.views.clone();
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        let handle = runtime.spawn(serve_app(listener, app, writer, async move {
            let _ = stop.await;
        }));
        let server = Self {
            addr,
            views,
            runtime,
            shutdown,
            handle,
            data,
        };
        // Ready once /health answers (the listener is bound already; this
        // waits for the log to open).
        let mut client = Client::connect(addr).expect("connect");
        let (status, _) = client.request("GET", "/health", b"").expect("health");
        assert_eq!(status, 200, "server not healthy");
        server
    }

    /// Shuts the server down (draining queued writes) and returns how many
    /// records its durable log holds, and its views (see [`phase_batched`]).
    fn stop(self) -> (u64, Views) {
        let _ = self.shutdown.send(());
        self.runtime
            .block_on(self.handle)
            .expect("server task")
            .expect("server ran without error");
        drop(self.runtime);
        let log = Log::open(&self.data.path().join("log.redb")).expect("reopen the log");
        (log.len().expect("log length"), self.views)
    }
}

// ---------------------------------------------------------------------------
// Measurements.

struct Latencies(Vec<Duration>);

impl Latencies {
    fn percentile(&mut self, p: f64) -> Duration {
        self.0.sort_unstable();
        if self.0.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * self.0.len() as f64).ceil() as usize;
        self.0[rank.clamp(1, self.0.len()) - 1]
    }
}

/// One line of the results table.
struct Row {
    name: String,
    events: usize,
    elapsed: Duration,
    bytes: usize,
    latencies: Option<Latencies>,
    target: Option<f64>,
    note: String,
}

impl Row {
    fn rate(&self) -> f64 {
        self.events as f64 / self.elapsed.as_secs_f64()
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1e3)
}

fn thousands(x: f64) -> String {
    let n = x.round() as u64;
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What [`post_all`] measured.
struct Posted {
    /// From the first request sent to the last answer received.
    elapsed: Duration,
    /// Every request's latency.
    latencies: Latencies,
    /// Answers/s over the first and the last 10% of the answers: shows
    /// whether ingest slows down as the server fills up.
    first_and_last_tenth: (f64, f64),
}

/// Posts `bodies` from `clients` concurrent keep-alive connections, each
/// taking the next body. `check` validates an answer.
fn post_all(
    addr: SocketAddr,
    path: &str,
    bodies: &[&[u8]],
    clients: usize,
    check: &(dyn Fn(usize, u16, &[u8]) + Sync),
) -> Posted {
    let next = AtomicUsize::new(0);
    let clients = clients.min(bodies.len()).max(1);
    let barrier = Barrier::new(clients + 1);
    let elapsed = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..clients)
            .map(|_| {
                let (next, barrier) = (&next, &barrier);
                scope.spawn(move || {
                    let mut client = Client::connect(addr).expect("connect");
                    let mut latencies = Vec::with_capacity(bodies.len() / clients + 1);
                    barrier.wait();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(body) = bodies.get(i) else { break };
                        let sent = Instant::now();
                        let (status, answer) = client.request("POST", path, body).expect("request");
                        latencies.push((sent, sent.elapsed()));
                        check(i, status, &answer);
                    }
                    latencies
                })
            })
            .collect();
        barrier.wait();
        let started = Instant::now();
        let mut all = Vec::with_capacity(bodies.len());
        for worker in workers {
            all.extend(worker.join().expect("client thread"));
        }
        (started, started.elapsed(), all)
    });
    let (started, elapsed, timed) = (elapsed.0, elapsed.1, elapsed.2);
    let mut done: Vec<Duration> = timed
        .iter()
        .map(|(sent, took)| (*sent + *took) - started)
        .collect();
    done.sort_unstable();
    let n = done.len();
    let tenth = n.div_ceil(10).max(1);
    let first = tenth as f64 / done[tenth - 1].as_secs_f64();
    let before_last = if n > tenth {
        done[n - tenth - 1]
    } else {
        Duration::ZERO
    };
    let last = tenth as f64 / (done[n - 1] - before_last).as_secs_f64();
    Posted {
        elapsed,
        latencies: Latencies(timed.into_iter().map(|(_, took)| took).collect()),
        first_and_last_tenth: (first, last),
    }
}

fn expect_status(want: u16) -> impl Fn(usize, u16, &[u8]) + Sync {
    move |i, status, answer| {
        assert_eq!(
            status,
            want,
            "request {i}: {}",
            String::from_utf8_lossy(&answer[..answer.len().min(500)])
        );
    }
}

fn phase_single(settings: &Settings, events: &[String]) -> Row {
    let server = Server::start(settings);
    let bodies: Vec<&[u8]> = events.iter().map(|e| e.as_bytes()).collect();
    let cpu = cpu_time();
    let posted = post_all(
        server.addr,
        "/api/v1/lineage",
        &bodies,
        settings.clients,
        &expect_status(201),
    );
    let cpu = cpu_per_event(cpu, events.len());
    let (logged, _) = server.stop();
    assert_eq!(logged as usize, events.len(), "every event logged");
    let (first, last) = posted.first_and_last_tenth;
    Row {
        name: format!("a. single POST /lineage, {} clients", settings.clients),
        events: events.len(),
        elapsed: posted.elapsed,
        bytes: bodies.iter().map(|b| b.len()).sum(),
        latencies: Some(posted.latencies),
        target: Some(TARGET_SINGLE),
        note: format!(
            "201 = fsynced + applied; first 10%: {}/s, last 10%: {}/s; {cpu}",
            thousands(first),
            thousands(last)
        ),
    }
}

fn arrays(events: &[String], batch: usize) -> Vec<Vec<u8>> {
    events
        .chunks(batch)
        .map(|chunk| {
            let mut body = Vec::with_capacity(chunk.iter().map(|e| e.len() + 1).sum::<usize>() + 2);
            body.push(b'[');
            for (i, event) in chunk.iter().enumerate() {
                if i > 0 {
                    body.push(b',');
                }
                body.extend_from_slice(event.as_bytes());
            }
            body.push(b']');
            body
        })
        .collect()
}

/// One round of batched POSTs to `path`, on a fresh server. Returns the
/// server's views as well: the caller keeps them until every round has run,
/// so that each round's store grows into memory the process has never used,
/// as a running server's store does, while request buffers and parsed
/// events reuse what earlier rounds freed, as they do in a running server.
fn phase_batched(settings: &Settings, events: &[String], path: &str, round: usize) -> (Row, Views) {
    let owned = arrays(events, settings.batch);
    let bodies: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
    let server = Server::start(settings);
    let batch_endpoint = path.ends_with("/batch");
    let sizes: Vec<usize> = events.chunks(settings.batch).map(<[String]>::len).collect();
    let check = move |i: usize, status: u16, answer: &[u8]| {
        if batch_endpoint {
            assert_eq!(status, 200, "batch {i}: {}", String::from_utf8_lossy(answer));
            let answer: serde_json::Value = serde_json::from_slice(answer).expect("JSON answer");
            assert_eq!(
                answer["summary"]["successful"].as_u64(),
                Some(sizes[i] as u64),
                "batch {i}: {answer}"
            );
        } else {
            expect_status(201)(i, status, answer);
        }
    };
    let cpu = cpu_time();
    let posted = post_all(server.addr, path, &bodies, settings.batch_clients, &check);
    let cpu = cpu_per_event(cpu, events.len());
    // The server started with this phase: its apply thread's time is the phase's.
    let per_event = |t: Duration| t.as_secs_f64() * 1e6 / events.len() as f64;
    let apply = thread_times("meshgraph-apply").map_or_else(
        || "n/a".to_owned(),
        |(ran, waited)| format!("{:.0} us/event, waited {:.0}", per_event(ran), per_event(waited)),
    );
    let (logged, views) = server.stop();
    assert_eq!(logged as usize, events.len(), "every event logged");
    let kind = if batch_endpoint { "batch" } else { "array" };
    let row = Row {
        name: format!(
            "b{round}. {kind} POST {}, {}/req, {} clients",
            path.trim_start_matches("/api/v1"),
            settings.batch,
            settings.batch_clients
        ),
        events: events.len(),
        elapsed: posted.elapsed,
        bytes: bodies.iter().map(|b| b.len()).sum(),
        latencies: Some(posted.latencies),
        target: Some(TARGET_BATCHED),
        note: format!(
            "latency per request; first 10%: {}/s, last 10%: {}/s; {cpu}; apply thread {apply}",
            thousands(posted.first_and_last_tenth.0 * settings.batch as f64),
            thousands(posted.first_and_last_tenth.1 * settings.batch as f64)
        ),
    };
    (row, views)
}

/// The median round of a batched phase, with the spread of all rounds: on
/// a shared machine one round's rate swings with its neighbours' load, and
/// the median of several is the figure to compare with the target.
fn median_row(settings: &Settings, phase: &str, events: usize, rates: &[f64]) -> Row {
    let mut sorted = rates.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    let median = if sorted.len().is_multiple_of(2) {
        (sorted[middle - 1] + sorted[middle]) / 2.0
    } else {
        sorted[middle]
    };
    let reached = rates.iter().filter(|&&rate| rate >= TARGET_BATCHED).count();
    Row {
        name: format!("b. {phase}, median of {} rounds", rates.len()),
        events,
        elapsed: Duration::from_secs_f64(events as f64 / median),
        bytes: 0,
        latencies: None,
        target: Some(TARGET_BATCHED),
        note: format!(
            "{} per request; rounds from {}/s to {}/s, {reached} of {} at the target",
            settings.batch,
            thousands(sorted[0]),
            thousands(sorted[sorted.len() - 1]),
            rates.len()
        ),
    }
}

/// A server restarting on a directory whose log holds the workload: the
/// log is written untimed, through the writer, in batches; then
/// [`App::open`] rebuilds the views from it, timed.
fn phase_restart(settings: &Settings, events: &[String]) -> Row {
    std::fs::create_dir_all(&settings.dir).expect("bench dir");
    let data = tempfile::Builder::new()
        .prefix("meshgraph-bench-")
        .tempdir_in(&settings.dir)
        .expect("temp data dir");
    let config = || Config {
        storage: Storage::Dir(data.path().to_owned()),
        ..Config::in_memory()
    };
    let (app, writer) = App::open(config()).expect("open a fresh directory");
    for body in arrays(events, settings.batch) {
        let accepted = app
            .writer
            .accept_body(&body)
            .expect("generated bodies are well-formed")
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
            .expect("generated events validate");
        app.writer.write_blocking(accepted).expect("written");
    }
    drop(app);
    writer.join();
    let (opened, elapsed) = timed(|| App::open(config()));
    let (app, writer) = opened.expect("reopen the directory");
    let quads = app.views.store().oxigraph().len().expect("store size");
    drop(app);
    writer.join();
    Row {
        name: "d. restart: views rebuilt from the log".to_owned(),
        events: events.len(),
        elapsed,
        bytes: 0,
        latencies: None,
        target: None,
        note: format!(
            "{} quads; the log read and parsed on one thread while another applies it",
            thousands(quads as f64)
        ),
    }
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let value = f();
    (value, started.elapsed())
}

/// Parses and validates every event as the server does: with one memo of
/// the standard facets that passed, so each distinct facet is checked once.
fn parse_all(events: &[String]) -> Vec<Event> {
    let checked = Checked::default();
    events
        .iter()
        .map(|e| parse_event_with(e, &checked).expect("generated events validate"))
        .collect()
}

fn phase_baseline(events: &[String], rows: &mut Vec<Row>) {
    // What meshgraph's store holds once the workload is in, made untimed.
    let parsed = parse_all(events);
    let store = meshgraph::store::Store::in_memory().expect("store");
    for group in parsed.chunks(500) {
        store
            .apply_events(&group.iter().collect::<Vec<_>>())
            .expect("apply");
    }
    drop(parsed);
    let quads: Vec<Quad> = store
        .oxigraph()
        .iter()
        .collect::<Result<_, _>>()
        .expect("read the store");
    drop(store);
    let quad_count = quads.len();
    let bytes: usize = events.iter().map(String::len).sum();

    let store = oxigraph::store::Store::new().expect("store");
    let ((), elapsed) = timed(|| {
        let mut txn = store.start_transaction().expect("transaction");
        txn.extend(&quads);
        txn.commit().expect("commit");
    });
    drop(store);
    rows.push(Row {
        name: "c. oxigraph Transaction::extend, 1 txn".into(),
        events: events.len(),
        elapsed,
        bytes,
        latencies: None,
        target: None,
        note: format!(
            "{} quads (meshgraph's store at the end), {} quads/s",
            thousands(quad_count as f64),
            thousands(quad_count as f64 / elapsed.as_secs_f64())
        ),
    });

    let store = oxigraph::store::Store::new().expect("store");
    let ((), elapsed) = timed(move || {
        let mut loader = store.bulk_loader();
        loader.load_quads(quads).expect("bulk load");
        loader.commit().expect("bulk commit");
    });
    rows.push(Row {
        name: "c. oxigraph bulk_loader().load_quads".into(),
        events: events.len(),
        elapsed,
        bytes,
        latencies: None,
        target: None,
        note: format!("{} quads/s", thousands(quad_count as f64 / elapsed.as_secs_f64())),
    });
}

/// Where an event's time goes, stage by stage, in-process on one thread.
fn phase_breakdown(settings: &Settings, events: &[String], rows: &mut Vec<Row>) {
    let n = events.len();
    let bytes: usize = events.iter().map(String::len).sum();
    let mut row = |name: String, elapsed: Duration, note: String| {
        rows.push(Row {
            name,
            events: n,
            elapsed,
            bytes,
            latencies: None,
            target: None,
            note,
        });
    };
    let per_event = |elapsed: Duration| format!("{:.1} us/event", elapsed.as_secs_f64() * 1e6 / n as f64);

    // Events are read and encoded for the log as a server does: a batch at
    // a time, against the facets the log holds by then (each batch is
    // appended, untimed, before the next is read).
    let checked = Checked::default();
    let known_log = Log::in_memory().expect("log");
    let known = known_log.known_facets();
    let (mut parse_time, mut encode_time) = (Duration::ZERO, Duration::ZERO);
    let mut parsed = Vec::with_capacity(n);
    let mut encoded: Vec<NewRecord> = Vec::with_capacity(n);
    for batch in events.chunks(settings.batch) {
        let (located, took) = timed(|| {
            batch
                .iter()
                .map(|e| parse_located(e, &checked, known).expect("generated events validate"))
                .collect::<Vec<_>>()
        });
        parse_time += took;
        let (records, took) = timed(|| {
            batch
                .iter()
                .zip(&located)
                .map(|(e, l)| {
                    NewRecord::event(
                        e.as_bytes(),
                        &l.facet_spans,
                        l.event.event_time.unix_nanos(),
                        known,
                    )
                })
                .collect::<Vec<_>>()
        });
        encode_time += took;
        known_log.append(&records).expect("append");
        parsed.extend(located.into_iter().map(|l| l.event));
        encoded.extend(records);
    }
    drop(known_log);
    row(
        "   parse + validate (checked facets memo, known facets recognised)".into(),
        parse_time,
        per_event(parse_time),
    );

    // Each event's writes are counted and dropped before the next is
    // mapped: kept, the writes of 20,000 events fill about 20 GB.
    let mut elapsed = Duration::ZERO;
    // What the writes are, per event: Set/SetOnce look the store up before writing.
    let mut kinds = [0usize; 6];
    for event in &parsed {
        let (writes, took) = timed(|| map_event(event, &Nothing));
        elapsed += took;
        for write in &writes {
            kinds[match write {
                GraphWrite::Insert(_) => 0,
                GraphWrite::Set(_) => 1,
                GraphWrite::SetOnce(_) => 2,
                GraphWrite::ReplaceGraph { .. }
                | GraphWrite::ReplaceFacet { .. }
                | GraphWrite::SchemaVersion { .. } => 3,
                GraphWrite::ClearFacet(_) => 4,
                _ => 5,
            }] += 1;
        }
    }
    let each = |k: usize| kinds[k] as f64 / n as f64;
    row(
        "   map_event, every facet (a new store)".into(),
        elapsed,
        format!(
            "{}; per event {:.1} Insert, {:.1} Set, {:.1} SetOnce, {:.1} ReplaceGraph, {:.1} other",
            per_event(elapsed),
            each(0),
            each(1),
            each(2),
            each(3),
            each(4) + each(5)
        ),
    );

    row(
        "   log CPU: encoding (BLAKE3, LZ4, large facets apart)".into(),
        encode_time,
        per_event(encode_time),
    );

    // The fixed cost of a durable redb commit: tiny records, one per commit.
    let commit_cost = {
        let dir = tempfile::Builder::new()
            .prefix("meshgraph-bench-log-")
            .tempdir_in(&settings.dir)
            .expect("temp dir");
        let log = Log::open(&dir.path().join("log.redb")).expect("log");
        let commits = 300;
        let ((), elapsed) = timed(|| {
            for i in 0..commits {
                let payload = format!("{{\"n\":{i}}}");
                let record = NewRecord::unique(RecordKind::OpenLineage, payload.as_bytes());
                log.append(&[record]).expect("append");
            }
        });
        Row {
            name: "   log commit (fsync), 1 tiny record/commit".into(),
            events: commits as usize,
            elapsed,
            bytes: 0,
            latencies: None,
            target: None,
            note: format!("commits/s; {} ms/commit", ms(elapsed / commits as u32)),
        }
    };

    for group in [settings.clients, settings.batch] {
        let dir = tempfile::Builder::new()
            .prefix("meshgraph-bench-log-")
            .tempdir_in(&settings.dir)
            .expect("temp dir");
        let log = Log::open(&dir.path().join("log.redb")).expect("log");
        let ((), elapsed) = timed(|| {
            for records in encoded.chunks(group) {
                log.append(records).expect("append");
            }
        });
        let commits = n.div_ceil(group);
        row(
            format!("   log append (fsync), {group}/commit"),
            elapsed,
            format!(
                "{}, {} ms/commit",
                per_event(elapsed),
                ms(elapsed / commits as u32)
            ),
        );
    }

    for group in [settings.clients, settings.batch] {
        let store = meshgraph::store::Store::in_memory().expect("store");
        // Per chunk, to see whether applying gets slower as the store grows.
        let mut chunk_times = Vec::new();
        let ((), elapsed) = timed(|| {
            for chunk in parsed.chunks(group) {
                let started = Instant::now();
                let refs: Vec<&meshgraph::openlineage::Event> = chunk.iter().collect();
                store.apply_events(&refs).expect("apply");
                chunk_times.push((chunk.len(), started.elapsed()));
            }
        });
        let commits = n.div_ceil(group);
        let tenth = |times: &mut dyn Iterator<Item = &(usize, Duration)>| {
            let (count, time) = times
                .take(commits.div_ceil(10))
                .fold((0, Duration::ZERO), |(c, t), (n, d)| (c + n, t + *d));
            time.as_secs_f64() * 1e6 / count.max(1) as f64
        };
        row(
            format!("   map + store apply (1 txn), {group}/txn"),
            elapsed,
            format!(
                "{}, {} ms/txn; first 10%: {:.0} us/event, last 10%: {:.0} us/event; {} quads at end",
                per_event(elapsed),
                ms(elapsed / commits as u32),
                tenth(&mut chunk_times.iter()),
                tenth(&mut chunk_times.iter().rev()),
                thousands(store.oxigraph().len().unwrap_or(0) as f64)
            ),
        );
    }

    let mut projection = Projection::new();
    let ((), elapsed) = timed(|| {
        for event in &parsed {
            projection.observe(event);
        }
    });
    row(
        "   lineage projection observe".into(),
        elapsed,
        per_event(elapsed),
    );
    let mut index = SearchIndex::default();
    let ((), elapsed) = timed(|| {
        for event in &parsed {
            index.observe(event);
        }
    });
    row("   search index observe".into(), elapsed, per_event(elapsed));
    rows.push(commit_cost);
}

/// HTTP and the runtime alone: `GET /health` round trips from the same clients.
fn phase_http(settings: &Settings, n: usize) -> Row {
    let server = Server::start(settings);
    let next = AtomicUsize::new(0);
    let barrier = Barrier::new(settings.clients + 1);
    let addr = server.addr;
    let elapsed = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..settings.clients)
            .map(|_| {
                let (next, barrier) = (&next, &barrier);
                scope.spawn(move || {
                    let mut client = Client::connect(addr).expect("connect");
                    barrier.wait();
                    while next.fetch_add(1, Ordering::Relaxed) < n {
                        let (status, _) = client.request("GET", "/health", b"").expect("health");
                        assert_eq!(status, 200);
                    }
                })
            })
            .collect();
        barrier.wait();
        let started = Instant::now();
        for worker in workers {
            worker.join().expect("client thread");
        }
        started.elapsed()
    });
    server.stop();
    Row {
        name: format!("   HTTP only: GET /health, {} clients", settings.clients),
        events: n,
        elapsed,
        bytes: 0,
        latencies: None,
        target: None,
        note: "requests/s, no write".into(),
    }
}

fn print_table(rows: &mut [Row]) {
    println!(
        "\n{:<46} {:>10} {:>8} {:>8} {:>8} {:>8} {:>9}  {:<8} note",
        "phase", "events/s", "MB/s", "p50 ms", "p99 ms", "max ms", "wall s", "target"
    );
    println!("{}", "-".repeat(140));
    for row in rows.iter_mut() {
        let (p50, p99, max) = match &mut row.latencies {
            Some(l) => (
                ms(l.percentile(50.0)),
                ms(l.percentile(99.0)),
                ms(l.percentile(100.0)),
            ),
            None => ("".into(), "".into(), "".into()),
        };
        let target = match row.target {
            Some(t) if row.rate() >= t => format!(">={} ok", thousands(t)),
            Some(t) => format!(">={} MISS", thousands(t)),
            None => String::new(),
        };
        let mbps = if row.bytes > 0 {
            format!("{:.1}", row.bytes as f64 / 1e6 / row.elapsed.as_secs_f64())
        } else {
            String::new()
        };
        println!(
            "{:<46} {:>10} {:>8} {:>8} {:>8} {:>8} {:>9.2}  {:<8} {}",
            row.name,
            thousands(row.rate()),
            mbps,
            p50,
            p99,
            max,
            row.elapsed.as_secs_f64(),
            target,
            row.note
        );
    }
}

fn main() {
    let started = Instant::now();
    // Memory set up as a server sets it up (meshgraph::alloc), for every
    // phase alike: the baseline and the breakdown too.
    meshgraph::alloc::configure();
    let settings = Settings::from_env();
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "meshgraph ingest benchmark ({cpus} CPUs, load average {})",
        load_average()
    );

    let config = GeneratorConfig {
        seed: settings.seed,
        jobs: settings.jobs,
        datasets: settings.tables,
        min_columns: settings.columns.0,
        max_columns: settings.columns.1,
        ..Default::default()
    };
    let (events, elapsed) = timed(|| Generator::new(config).take(settings.events).collect::<Vec<_>>());
    let bytes: usize = events.iter().map(String::len).sum();
    println!(
        "workload: {} events (seed {}, {} jobs, {} tables of {}-{} columns), {:.1} MB of JSON, \
         {:.1} KB/event on average, {:.0} KB max; generated in {:.2} s",
        events.len(),
        settings.seed,
        settings.jobs,
        settings.tables,
        settings.columns.0,
        settings.columns.1,
        bytes as f64 / 1e6,
        bytes as f64 / 1e3 / events.len().max(1) as f64,
        events.iter().map(String::len).max().unwrap_or(0) as f64 / 1e3,
        elapsed.as_secs_f64()
    );
    println!("data directories under {}", settings.dir.display());

    let mut rows = Vec::new();
    let step = |name: &str| {
        eprintln!(
            "[{:>7.1}s] {name} ... (load {})",
            started.elapsed().as_secs_f64(),
            load_average()
        );
    };
    if settings.runs("single") {
        step("single-event POSTs");
        rows.push(phase_single(&settings, &events));
    }
    let batched: Vec<(&str, &str)> = [("array", "/api/v1/lineage"), ("batch", "/api/v1/lineage/batch")]
        .into_iter()
        .filter(|(phase, _)| settings.runs(phase))
        .collect();
    let mut kept = Vec::new();
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); batched.len()];
    for round in 1..=settings.rounds {
        for (&(phase, path), rates) in batched.iter().zip(&mut rates) {
            step(&format!("{phase} POSTs, round {round}"));
            let (row, views) = phase_batched(&settings, &events, path, round);
            rates.push(row.rate());
            rows.push(row);
            kept.push(views);
        }
    }
    drop(kept);
    if settings.rounds > 1 {
        for (&(phase, _), rates) in batched.iter().zip(&rates) {
            rows.push(median_row(&settings, phase, events.len(), rates));
        }
    }
    if settings.runs("baseline") {
        step("oxigraph baseline");
        phase_baseline(&events, &mut rows);
    }
    if settings.runs("restart") {
        step("restart");
        rows.push(phase_restart(&settings, &events));
    }
    if settings.runs("breakdown") {
        step("breakdown");
        phase_breakdown(&settings, &events, &mut rows);
    }
    if settings.runs("http") {
        step("HTTP only");
        rows.push(phase_http(&settings, events.len()));
    }
    print_table(&mut rows);
    println!("\nload average at the end: {}", load_average());
}
