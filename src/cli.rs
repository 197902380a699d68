//! The command line: `meshgraph serve` and `meshgraph load`.
//!
//! Every flag can also be set by a `MESHGRAPH_*` environment variable, so the
//! server is configured the same way in a shell, a container or systemd.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::{Config, DEFAULT_MAX_BODY_BYTES, Storage};

/// meshgraph: the lineage and knowledge graph of a data mesh.
#[derive(Debug, Parser)]
#[command(name = "meshgraph", version, about)]
pub struct Cli {
    /// Log output format.
    #[arg(long, global = true, env = "MESHGRAPH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (OpenLineage ingestion and the Marquez-compatible API).
    Serve(ServeArgs),
    /// Ingest OpenLineage events from files (JSON, JSON arrays, NDJSON) into the data directory.
    Load(LoadArgs),
}

/// Where the data lives.
#[derive(Debug, Args)]
pub struct DataArgs {
    /// Data directory (the durable log lives here).
    #[arg(long, env = "MESHGRAPH_DATA_DIR", default_value = "meshgraph-data")]
    pub data_dir: PathBuf,
}

/// Flags of `meshgraph serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (5000 is Marquez's port, which OpenLineage clients default to).
    #[arg(long, env = "MESHGRAPH_BIND", default_value = "127.0.0.1:5000")]
    pub bind: SocketAddr,
    /// Where the data lives.
    #[command(flatten)]
    pub data: DataArgs,
    /// Keep everything in memory: nothing is written to disk or survives a restart.
    #[arg(long, env = "MESHGRAPH_MEMORY")]
    pub memory: bool,
    /// Require `Authorization: Bearer <KEY>` on writes; without it, keys are accepted and ignored.
    #[arg(long, env = "MESHGRAPH_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Largest request body accepted, in bytes, after decompression.
    #[arg(long, env = "MESHGRAPH_MAX_BODY_BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,
}

impl ServeArgs {
    /// The server configuration these flags describe.
    pub fn config(&self) -> Config {
        Config {
            bind: self.bind,
            storage: if self.memory {
                Storage::Memory
            } else {
                Storage::Dir(self.data.data_dir.clone())
            },
            api_key: self.api_key.clone().filter(|k| !k.is_empty()),
            max_body_bytes: self.max_body_bytes,
        }
    }
}

/// Flags of `meshgraph load`.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// Files to load: a JSON event, a JSON array of events, or NDJSON (one event per line).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Where the data lives.
    #[command(flatten)]
    pub data: DataArgs,
    /// Hide the progress bar.
    #[arg(long, env = "MESHGRAPH_QUIET")]
    pub quiet: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn serve_defaults_to_marquez_port_and_local_data() {
        let cli = Cli::try_parse_from(["meshgraph", "serve"]).unwrap();
        let Command::Serve(args) = cli.command else {
            panic!()
        };
        let config = args.config();
        assert_eq!(config.bind.to_string(), "127.0.0.1:5000");
        assert_eq!(config.storage, Storage::Dir("meshgraph-data".into()));
        let cli = Cli::try_parse_from(["meshgraph", "serve", "--memory", "--api-key", "k"]).unwrap();
        let Command::Serve(args) = cli.command else {
            panic!()
        };
        assert_eq!(args.config().storage, Storage::Memory);
        assert_eq!(args.config().api_key.as_deref(), Some("k"));
    }
}
