//! Durability with the real binary: an event acknowledged with 201 survives
//! the process being killed (SIGKILL) while other requests are in flight, and
//! a graceful shutdown (SIGTERM) exits 0 and keeps every acknowledged event.
//!
//! The server is `meshgraph serve` on a free port of 127.0.0.1 over a
//! temporary data directory; eight client threads post events over plain
//! HTTP/1.1 (`std::net::TcpStream`) and record what was acknowledged. After
//! the process is gone, the data directory is reopened, first by a restarted
//! server (asked through `GET /api/v1/events/lineage` and
//! `GET /api/v1/jobs/runs/{id}`) and then in-process, and every acknowledged
//! event must be in the log and in the views rebuilt from it. In-process, the views rebuilt from
//! the log at start-up are exactly the views before the restart.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use meshgraph::app::App;
use meshgraph::config::{Config, Storage};
use meshgraph::log::EventWindow;

use crate::support::{run_event, run_state};

/// How long a server may take to answer `/health` or to exit.
const PATIENCE: Duration = Duration::from_secs(60);

/// A `meshgraph serve` process, killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    stderr: PathBuf,
}

impl Server {
    /// Starts the binary on a free port over `data_dir` and waits until it
    /// answers `/health`.
    fn start(data_dir: &Path) -> Self {
        // The free port is found by binding port 0 and releasing it; another
        // process may take it in between, so retry a few times.
        let mut last_error = String::new();
        for attempt in 0..3 {
            let addr = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
            let stderr = data_dir.with_extension(format!("stderr-{}-{attempt}.log", addr.port()));
            let mut command = Command::new(env!("CARGO_BIN_EXE_meshgraph"));
            for (name, _) in std::env::vars_os() {
                if name.to_string_lossy().starts_with("MESHGRAPH_") {
                    command.env_remove(name);
                }
            }
            let child = command
                .args(["serve", "--bind", &addr.to_string(), "--data-dir"])
                .arg(data_dir)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&stderr).unwrap())
                .spawn()
                .expect("the meshgraph binary starts");
            let mut server = Self { child, addr, stderr };
            match server.wait_healthy() {
                Ok(()) => return server,
                Err(err) => last_error = err,
            }
        }
        panic!("meshgraph did not start: {last_error}");
    }

    /// Polls `/health` until it answers 200 or the process exits.
    fn wait_healthy(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Err(format!("exited with {status}: {}", self.logs()));
            }
            if let Ok((200, _)) = http(self.addr, "GET", "/health", b"") {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(format!(
            "no answer on {} within {PATIENCE:?}: {}",
            self.addr,
            self.logs()
        ))
    }

    /// What the server wrote to stderr.
    fn logs(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// SIGKILL (what `Child::kill` sends on unix), then reap.
    fn kill(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }

    /// SIGTERM, then wait for the process to exit on its own.
    fn terminate(&mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "kill -TERM {pid} failed");
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "no exit within {PATIENCE:?} of SIGTERM: {}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// One HTTP/1.1 request on a fresh connection; the status and the body.
fn http(addr: SocketAddr, method: &str, path: &str, body: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(PATIENCE))?;
    stream.set_write_timeout(Some(PATIENCE))?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("no header end"))?;
    let head = String::from_utf8_lossy(&answer[..split]).to_ascii_lowercase();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("no status"))?;
    let mut body = answer[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        body = dechunk(&body).ok_or_else(|| bad("bad chunked body"))?;
    }
    Ok((status, body))
}

/// Decodes a chunked HTTP/1.1 body.
fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..line]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[line + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

/// What the client threads saw.
#[derive(Default)]
struct Traffic {
    /// The exact bytes of every event acknowledged with 201 (or counted as
    /// successful by the batch endpoint).
    acknowledged: Mutex<Vec<(uuid::Uuid, String)>>,
    /// Requests sent and not yet answered.
    in_flight: AtomicUsize,
    /// Set to stop the threads.
    stop: AtomicBool,
}

impl Traffic {
    fn acknowledged(&self) -> Vec<(uuid::Uuid, String)> {
        self.acknowledged.lock().unwrap().clone()
    }
}

/// Starts `threads` clients posting distinct events until stopped or until
/// the server stops answering: single events, arrays and batches.
fn clients(addr: SocketAddr, threads: u128, traffic: &Arc<Traffic>) -> Vec<std::thread::JoinHandle<()>> {
    (0..threads)
        .map(|thread| {
            let traffic = Arc::clone(traffic);
            std::thread::spawn(move || {
                for i in 0u128.. {
                    if traffic.stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let events: Vec<(uuid::Uuid, String)> = (0..1 + (i % 3))
                        .map(|k| {
                            let run = uuid::Uuid::from_u128((thread << 96) | (i << 8) | k | 1 << 127);
                            let minute = i % 60;
                            (
                                run,
                                run_event(run, "COMPLETE", &format!("2024-03-01T12:{minute:02}:00Z")),
                            )
                        })
                        .collect();
                    let (path, body) = match i % 3 {
                        0 => ("/api/v1/lineage", events[0].1.clone()),
                        1 => {
                            let all: Vec<&str> = events.iter().map(|(_, e)| e.as_str()).collect();
                            ("/api/v1/lineage", format!("[{}]", all.join(",")))
                        }
                        _ => {
                            let all: Vec<&str> = events.iter().map(|(_, e)| e.as_str()).collect();
                            ("/api/v1/lineage/batch", format!("[{}]", all.join(",")))
                        }
                    };
                    traffic.in_flight.fetch_add(1, Ordering::SeqCst);
                    let answer = http(addr, "POST", path, body.as_bytes());
                    traffic.in_flight.fetch_sub(1, Ordering::SeqCst);
                    let acknowledged = match &answer {
                        Ok((201, _)) => true,
                        Ok((200, body)) => {
                            let body: serde_json::Value = serde_json::from_slice(body).unwrap();
                            assert_eq!(body["summary"]["failed"], 0, "{body}");
                            true
                        }
                        // The server is gone (killed or shutting down).
                        Err(_) => return,
                        Ok((status, body)) => {
                            // 503 while shutting down is an honest refusal; nothing else is.
                            assert_eq!(*status, 503, "{}", String::from_utf8_lossy(body));
                            false
                        }
                    };
                    if acknowledged {
                        traffic.acknowledged.lock().unwrap().extend(events);
                    }
                }
            })
        })
        .collect()
}

/// Waits until at least `count` events were acknowledged and a request is in flight.
fn wait_for_traffic(traffic: &Traffic, count: usize) {
    let deadline = Instant::now() + PATIENCE;
    while traffic.acknowledged.lock().unwrap().len() < count || traffic.in_flight.load(Ordering::SeqCst) == 0
    {
        assert!(
            Instant::now() < deadline,
            "the clients got too few acknowledgements"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Asks a running server for every acknowledged event: byte for byte from
/// `GET /api/v1/events/lineage`, and its run from `GET /api/v1/jobs/runs/{id}`.
fn assert_served(addr: SocketAddr, acknowledged: &[(uuid::Uuid, String)]) {
    #[derive(serde::Deserialize)]
    struct Page {
        events: Vec<Box<serde_json::value::RawValue>>,
        #[serde(rename = "totalCount")]
        total_count: usize,
    }
    let (status, body) = http(addr, "GET", "/api/v1/events/lineage?limit=1000000", b"").unwrap();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let page: Page = serde_json::from_slice(&body).expect("Marquez's events page");
    assert_eq!(page.events.len(), page.total_count, "one page holds them all");
    let served: HashSet<&str> = page.events.iter().map(|e| e.get()).collect();
    let lost = acknowledged
        .iter()
        .filter(|(_, raw)| !served.contains(raw.as_str()))
        .count();
    assert_eq!(lost, 0, "acknowledged events missing from /events/lineage");
    for (run, _) in acknowledged {
        let (status, body) = http(addr, "GET", &format!("/api/v1/jobs/runs/{run}"), b"").unwrap();
        let body = String::from_utf8_lossy(&body);
        assert_eq!(status, 200, "run {run}: {body}");
        let run_json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(run_json["state"], "COMPLETED", "run {run}: {body}");
    }
}

/// Opens the data directory in-process (no server may hold it) and checks
/// that every acknowledged event is in the log, byte for byte, and that the
/// views rebuilt from the log know its run.
fn assert_all_kept(data_dir: &Path, acknowledged: &[(uuid::Uuid, String)]) {
    let (app, writer) = App::open(Config {
        storage: Storage::Dir(data_dir.to_owned()),
        ..Config::in_memory()
    })
    .expect("the data directory reopens");
    let page = app
        .log
        .events(EventWindow {
            after: None,
            before: None,
            descending: false,
            offset: 0,
            limit: usize::MAX,
        })
        .unwrap();
    let logged: HashSet<&[u8]> = page.events.iter().map(Vec::as_slice).collect();
    let lost: Vec<&uuid::Uuid> = acknowledged
        .iter()
        .filter(|(_, raw)| !logged.contains(raw.as_bytes()))
        .map(|(run, _)| run)
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged events are not in the log, e.g. run {}",
        lost.len(),
        acknowledged.len(),
        lost[0]
    );
    let store = app.views.store().oxigraph();
    for (run, _) in acknowledged {
        assert_eq!(
            run_state(store, *run).as_deref(),
            Some("COMPLETE"),
            "run {run} in the views"
        );
    }
    drop(app);
    writer.join();
}

#[test]
fn acknowledged_events_survive_sigkill_during_writes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut server = Server::start(&data);

    let traffic = Arc::new(Traffic::default());
    let threads = clients(server.addr, 8, &traffic);
    wait_for_traffic(&traffic, 200);
    server.kill();
    traffic.stop.store(true, Ordering::SeqCst);
    for thread in threads {
        thread.join().expect("client thread");
    }
    let acknowledged = traffic.acknowledged();
    assert!(acknowledged.len() >= 200);

    // The restarted server replays the log.
    let mut restarted = Server::start(&data);
    let (status, health) = http(restarted.addr, "GET", "/health", b"").unwrap();
    assert_eq!(status, 200);
    let health: serde_json::Value = serde_json::from_slice(&health).unwrap();
    let nodes = health["lineage"]["nodes"].as_u64().unwrap_or(0);
    assert!(nodes >= 1, "the restarted server rebuilt nothing: {health}");
    assert_served(restarted.addr, &acknowledged);
    // Writes still work after the restart, and are kept like the others.
    let after = uuid::Uuid::from_u128(7);
    let late = run_event(after, "COMPLETE", "2024-03-02T00:00:00Z");
    let (status, _) = http(restarted.addr, "POST", "/api/v1/lineage", late.as_bytes()).unwrap();
    assert_eq!(status, 201, "{}", restarted.logs());
    let status = restarted.terminate();
    assert!(status.success(), "exit {status}: {}", restarted.logs());

    let mut expected = acknowledged;
    expected.push((after, late));
    assert_all_kept(&data, &expected);
}

#[test]
fn sigterm_exits_cleanly_and_keeps_acknowledged_events() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut server = Server::start(&data);

    let traffic = Arc::new(Traffic::default());
    let threads = clients(server.addr, 8, &traffic);
    wait_for_traffic(&traffic, 100);
    let status = server.terminate();
    traffic.stop.store(true, Ordering::SeqCst);
    for thread in threads {
        thread.join().expect("client thread");
    }
    // Exit code 0, not death by signal: the handler ran and the writer drained.
    assert!(status.success(), "exit {status} after SIGTERM: {}", server.logs());
    let acknowledged = traffic.acknowledged();
    let mut restarted = Server::start(&data);
    assert_served(restarted.addr, &acknowledged);
    let status = restarted.terminate();
    assert!(status.success(), "exit {status}: {}", restarted.logs());
    assert_all_kept(&data, &acknowledged);
}

/// Every quad of a store, as sorted N-Quads lines.
fn dump(store: &oxigraph::store::Store) -> Vec<String> {
    let mut quads: Vec<String> = store.iter().map(|q| q.unwrap().to_string()).collect();
    quads.sort();
    quads
}

#[tokio::test]
async fn views_rebuilt_from_the_log_equal_the_views_before_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = move || Config {
        storage: Storage::Dir(data.clone()),
        ..Config::in_memory()
    };
    let (app, writer) = crate::support::TestApp::with_writer(config());
    let mut bodies: Vec<String> = [
        "spark_logical_plan.json",
        "dbt_model.json",
        "airflow_task.json",
        "column_lineage.json",
        "dataset_event_owned.json",
        "dataset_event_deleted_facet.json",
    ]
    .into_iter()
    .map(crate::support::fixture)
    .collect();
    // Out-of-order and late run events, arrays among them, and a re-send.
    let run = |n| crate::support::run_id(n);
    bodies.push(run_event(run(1), "COMPLETE", "2024-03-01T12:10:00Z"));
    bodies.push(run_event(run(1), "START", "2024-03-01T12:00:00Z"));
    bodies.push(format!(
        "[{},{}]",
        run_event(run(2), "START", "2024-03-01T12:00:00Z"),
        run_event(run(2), "RUNNING", "2024-03-01T12:30:00Z")
    ));
    bodies.push(run_event(run(1), "RUNNING", "2024-03-01T12:20:00Z"));
    bodies.push(run_event(run(1), "COMPLETE", "2024-03-01T12:10:00Z"));
    for body in bodies {
        let (status, answer) = app.post("/api/v1/lineage", body).await;
        assert_eq!(status, axum::http::StatusCode::CREATED, "{answer}");
    }
    // Changes between events: replay must apply each where the log has it.
    // Applied after the mesh below, this one would remove its descriptions;
    // applied before the fixtures, it would leave theirs.
    let (status, answer) = app
        .post_with(
            "/sparql",
            &[("content-type", "application/sparql-update")],
            "DELETE WHERE { GRAPH ?g { ?s <http://purl.org/dc/terms/description> ?o } }",
        )
        .await;
    assert!(status.is_success(), "{status} {answer}");
    // A generated mesh whose jobs change their inputs: edges with closed
    // time spans. More events than replay parses in one chunk, so that
    // replay's reading and applying overlap.
    let mesh: Vec<String> = meshgraph::generate::Generator::new(meshgraph::generate::GeneratorConfig {
        datasets: 60,
        jobs: 30,
        min_columns: 3,
        max_columns: 5,
        changing_per_mille: 500,
        days: Some(40),
        ..Default::default()
    })
    .collect();
    assert!(mesh.len() > 2_000, "a mesh of {} events", mesh.len());
    let (status, answer) = app.post("/api/v1/lineage", format!("[{}]", mesh.join(","))).await;
    assert_eq!(status, axum::http::StatusCode::CREATED, "{answer}");
    app.put_turtle(
        "https://example.org/docs/sales",
        "<https://example.org/sales> <http://purl.org/dc/terms/description> \"Sales\" .",
    )
    .await;
    let (status, answer) = app
        .post(
            "/api/v1/lineage",
            run_event(run(3), "START", "2024-03-02T08:00:00Z"),
        )
        .await;
    assert_eq!(status, axum::http::StatusCode::CREATED, "{answer}");
    let before = dump(app.app.views.store().oxigraph());
    let listings_before = listings(&app).await;
    let projection_before = app.app.views.projection().edge_list();
    assert!(
        projection_before.len() > 50,
        "too few edges to compare: {}",
        projection_before.len()
    );
    let log_before = app.log_len();
    assert!(before.len() > 100, "too little to compare: {}", before.len());
    drop(app);
    tokio::task::spawn_blocking(move || writer.join()).await.unwrap();

    let (reopened, writer) = tokio::task::spawn_blocking(move || App::open(config()))
        .await
        .unwrap()
        .expect("reopens");
    assert_eq!(reopened.log.len().unwrap(), log_before);
    assert_eq!(reopened.views.projection().edge_list(), projection_before);
    let after = dump(reopened.views.store().oxigraph());
    let (before_set, after_set): (HashSet<&String>, HashSet<&String>) =
        (before.iter().collect(), after.iter().collect());
    let missing: Vec<&&String> = before_set.difference(&after_set).take(5).collect();
    let extra: Vec<&&String> = after_set.difference(&before_set).take(5).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "the rebuilt store differs: missing {missing:#?}, extra {extra:#?}"
    );
    assert_eq!(
        run_state(reopened.views.store().oxigraph(), run(1)).as_deref(),
        Some("COMPLETE")
    );
    // What the store keeps beside the graph (each namespace's members, the
    // runs that wrote each dataset) is rebuilt too: the listings, with each
    // dataset's version and last modification, are the same.
    let reopened = crate::support::TestApp {
        router: meshgraph::api::router(reopened.clone()),
        app: reopened,
    };
    assert_eq!(listings(&reopened).await, listings_before);
    drop(reopened);
    writer.join();
}

/// Every namespace's datasets and jobs, as `GET /api/v1/namespaces/{ns}/datasets`
/// and `/jobs` list them.
async fn listings(app: &crate::support::TestApp) -> Vec<serde_json::Value> {
    let (_, namespaces) = app.get("/api/v1/namespaces?limit=1000").await;
    let mut out = Vec::new();
    for ns in namespaces["namespaces"].as_array().expect("namespaces") {
        let name = crate::support::enc(ns["name"].as_str().expect("a name"));
        for what in ["datasets", "jobs"] {
            let (_, listing) = app
                .get(&format!("/api/v1/namespaces/{name}/{what}?limit=1000"))
                .await;
            out.push(listing);
        }
    }
    assert!(out.len() > 4, "too few listings to compare: {out:?}");
    out
}
