//! Server configuration, as resolved from flags and `MESHGRAPH_*` variables.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use oxigraph::model::NamedNode;

/// Where meshgraph keeps its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// In a directory: the durable log is `log.redb` inside it.
    Dir(PathBuf),
    /// In memory only: everything is lost when the process ends.
    Memory,
}

impl Storage {
    /// The log file, for on-disk storage.
    pub fn log_path(&self) -> Option<PathBuf> {
        match self {
            Self::Dir(dir) => Some(dir.join(LOG_FILE)),
            Self::Memory => None,
        }
    }
}

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// The address to listen on.
    pub bind: SocketAddr,
    /// Where the data lives.
    pub storage: Storage,
    /// When set, writes must carry `Authorization: Bearer <key>`.
    pub api_key: Option<String>,
    /// The largest request body accepted, in bytes, after decompression.
    pub max_body_bytes: usize,
    /// How long a SPARQL query may run (evaluation and serialization) before
    /// it is cancelled and answered with 503.
    pub query_timeout: Duration,
    /// The SPARQL endpoints a query may call with `SERVICE`; any other is
    /// refused with 403. Empty (the default) turns federation off.
    pub federation_allow: Vec<NamedNode>,
    /// Load the example retail mesh at start-up (its ontology, data products
    /// and lineage), unless the data already holds it.
    pub demo: bool,
}

impl Config {
    /// A configuration for tests and embedding: in memory, default limits.
    pub fn in_memory() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            storage: Storage::Memory,
            api_key: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            query_timeout: DEFAULT_QUERY_TIMEOUT,
            federation_allow: Vec::new(),
            demo: false,
        }
    }
}

/// The durable log's file name inside a data directory.
pub const LOG_FILE: &str = "log.redb";

/// 32 MiB: large Spark events with logical plans fit comfortably.
pub const DEFAULT_MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// 30 s: long enough for an analytical query over a large mesh, short
/// enough that a runaway cross product does not hold a core for long.
pub const DEFAULT_QUERY_TIMEOUT: Duration = Duration::from_secs(30);
