//! Wiring: open the log, rebuild the views, start the writer, serve HTTP.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use oxigraph::io::RdfFormat;

use crate::config::{Config, Storage};
use crate::log::Appended;
use crate::log::{Log, LogError};
use crate::store::change::{Document, Mode, RdfChange, Target};
use crate::store::{ReadCounter, Store, StoreError};
use crate::views::{ReplayError, Views};
use crate::writer::Staged;
use crate::writer::{Writer, WriterThread};

/// Why meshgraph could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// The data directory could not be created.
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The log could not be opened (in use by another process, unreadable).
    #[error("cannot open the durable log {path}: {source}")]
    Log {
        /// The log file.
        path: String,
        /// The log error.
        source: LogError,
    },
    /// The store could not be created.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The views could not be rebuilt from the log.
    #[error("cannot rebuild the views from the log: {0}")]
    Replay(#[from] ReplayError),
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The server failed while running.
    #[error("server error: {0}")]
    Serve(std::io::Error),
    /// The demo mesh could not be loaded.
    #[error("cannot load the demo mesh: {0}")]
    Demo(String),
}

/// A running meshgraph: the log, the views and the writer.
pub struct App {
    /// The configuration it was started with.
    pub config: Config,
    /// The durable log.
    pub log: Arc<Log>,
    /// The RDF store and the lineage projection.
    pub views: Views,
    /// The single writer.
    pub writer: Writer,
}

impl App {
    /// Opens the log, rebuilds the views from it and starts the writer.
    ///
    /// The returned [`WriterThread`] should be joined after the last
    /// [`App`] is dropped, so queued writes finish before the process exits.
    pub fn open(config: Config) -> Result<(Arc<Self>, WriterThread), AppError> {
        let log = open_log(&config.storage)?;
        let log = Arc::new(log);
        let views = Views::new(Store::in_memory()?);
        let started = Instant::now();
        let events = views.replay(&log)?;
        if events > 0 {
            let (nodes, edges) = views.projection().size();
            tracing::info!(
                events,
                nodes,
                edges,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "views rebuilt from the log"
            );
        }
        let (writer, thread) = Writer::spawn(Arc::clone(&log), views.clone());
        Ok((
            Arc::new(Self {
                config,
                log,
                views,
                writer,
            }),
            thread,
        ))
    }

    /// The same app, counting the reads made through it against the store
    /// in `reads` ([`Views::counting`]): GraphQL serves each request through
    /// one, to report what it cost.
    pub fn counting(&self, reads: &ReadCounter) -> Self {
        Self {
            config: self.config.clone(),
            log: Arc::clone(&self.log),
            views: self.views.counting(reads),
            writer: self.writer.clone(),
        }
    }
}

/// Where the demo's documents go: one graph per file of `ontology/retail/`.
pub const DEMO_GRAPHS: &str = "https://meshgraph.dev/example/retail/graph/";

/// Writes the example retail mesh through the writer, like any client
/// would: each ontology file into its own graph (unless the graph already
/// holds as many triples as the file), then the lineage events (the log
/// recognises those it already has).
pub async fn seed_demo(app: &App) -> Result<(), AppError> {
    let failed = |what: String| AppError::Demo(what);
    for (file, text) in crate::generate::demo::documents() {
        let graph = oxigraph::model::NamedNode::new(format!("{DEMO_GRAPHS}{file}"))
            .map_err(|e| failed(format!("{file}: {e}")))?;
        let store = app.views.store().oxigraph().clone();
        let target = Target::Named(graph.clone());
        let staged = tokio::task::spawn_blocking(move || {
            let (doc, triples) = Document::check(
                Mode::Replace,
                target,
                RdfFormat::Turtle,
                Some(graph.as_str().to_owned()),
                text.into(),
            )
            .map_err(|e| format!("{file}: {e}"))?;
            let held = store
                .quads_for_pattern(None, None, None, Some((&graph).into()))
                .count() as u64;
            Ok::<_, String>((held != triples).then(|| Staged::new(RdfChange::Document(doc))))
        })
        .await
        .map_err(|e| failed(e.to_string()))?
        .map_err(failed)?;
        if let Some(staged) = staged {
            app.writer
                .change(staged)
                .await
                .map_err(|e| failed(format!("{file}: {e}")))?;
        }
    }
    let events = crate::generate::demo::events();
    let accepted = events
        .iter()
        .map(|text| app.writer.accept(text))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| failed(format!("a demo event: {e}")))?;
    let outcomes = app
        .writer
        .write(accepted)
        .await
        .map_err(|e| failed(e.to_string()))?;
    let new = outcomes.iter().filter(|o| matches!(o, Appended::New(_))).count();
    tracing::info!(
        events = events.len(),
        new,
        "demo mesh loaded: see /api/v1/products and /api/v1/domains"
    );
    Ok(())
}

/// Opens (or creates) the durable log of `storage`, making its directory.
pub fn open_log(storage: &Storage) -> Result<Log, AppError> {
    match storage.log_path() {
        Some(path) => {
            if let Storage::Dir(dir) = storage {
                std::fs::create_dir_all(dir).map_err(|source| AppError::DataDir {
                    path: dir.display().to_string(),
                    source,
                })?;
            }
            Log::open(&path).map_err(|source| AppError::Log {
                path: path.display().to_string(),
                source,
            })
        }
        None => Log::in_memory().map_err(|source| AppError::Log {
            path: "(memory)".into(),
            source,
        }),
    }
}

/// Binds `config.bind` and runs the server until `shutdown` resolves.
pub async fn serve(
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), AppError> {
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(|source| AppError::Bind {
            addr: config.bind.to_string(),
            source,
        })?;
    serve_on(listener, config, shutdown).await
}

/// Runs the server on an already bound listener (tests and benchmarks bind
/// port 0) until `shutdown` resolves, then drains in-flight requests and
/// queued writes.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), AppError> {
    let (app, writer_thread) = tokio::task::spawn_blocking(move || App::open(config))
        .await
        .map_err(|e| AppError::Serve(std::io::Error::other(e)))??;
    serve_app(listener, app, writer_thread, shutdown).await
}

/// Serves an opened app (see [`App::open`]) on `listener` until `shutdown`
/// resolves, then drains in-flight requests and queued writes. The ingest
/// benchmark opens the app itself, to keep its views after the server stops.
pub async fn serve_app(
    listener: tokio::net::TcpListener,
    app: Arc<App>,
    writer_thread: WriterThread,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), AppError> {
    crate::alloc::configure();
    if app.config.demo {
        seed_demo(&app).await?;
    }
    let addr = listener.local_addr().map_err(AppError::Serve)?;
    tracing::info!(%addr, storage = ?app.config.storage, "meshgraph listening on http://{addr}");
    let router = crate::api::router(app);
    // Large SPARQL answers stream in chunks: without TCP_NODELAY the last
    // small chunk waits for the client's delayed ACK (about 40 ms).
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::warn!(error = %err, "cannot set TCP_NODELAY");
        }
    });
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(AppError::Serve)?;
    tracing::info!("shutting down: finishing queued writes");
    tokio::task::spawn_blocking(move || writer_thread.join())
        .await
        .map_err(|e| AppError::Serve(std::io::Error::other(e)))?;
    Ok(())
}
