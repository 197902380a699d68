//! The command line: `meshgraph serve`, `meshgraph load` and `meshgraph generate`.
//!
//! Every flag can also be set by a `MESHGRAPH_*` environment variable, so the
//! server is configured the same way in a shell, a container or systemd.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use oxigraph::model::NamedNode;

use crate::config::{Config, DEFAULT_MAX_BODY_BYTES, DEFAULT_QUERY_TIMEOUT, Storage};
use crate::generate::GeneratorConfig;

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
    /// Write a synthetic data mesh as OpenLineage events (NDJSON), for benchmarks and demos.
    Generate(GenerateArgs),
    /// Impact analysis over the data directory: what a change to a dataset, column or job affects.
    Impact(ImpactArgs),
}

/// How `meshgraph impact` prints its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImpactFormat {
    /// A text table.
    Table,
    /// The JSON of `/api/v1/impact`.
    Json,
    /// One CSV line per affected node.
    Csv,
}

/// Flags of `meshgraph impact`.
#[derive(Debug, Args)]
pub struct ImpactArgs {
    /// The node: dataset:NAMESPACE:NAME, datasetField:NAMESPACE:NAME:FIELD or job:NAMESPACE:NAME.
    pub node_id: String,
    /// Walk upstream (what the node comes from) instead of downstream (what it affects).
    #[arg(long)]
    pub upstream: bool,
    /// At most this many hops (jobs, or column derivations); no limit by default.
    #[arg(long)]
    pub depth: Option<u32>,
    /// Walk column derivations (implied by a datasetField node).
    #[arg(long)]
    pub column: bool,
    /// The lineage as it was at this time (ISO 8601), instead of now.
    #[arg(long)]
    pub as_of: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ImpactFormat::Table)]
    pub format: ImpactFormat,
    /// Nodes listed by the table and JSON formats: a number, or `all` (CSV lists all).
    #[arg(long, default_value = "50")]
    pub limit: String,
    /// Where the data lives.
    #[command(flatten)]
    pub data: DataArgs,
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
    /// Seconds a SPARQL query may run before it is cancelled (503); decimals allowed.
    #[arg(long, env = "MESHGRAPH_QUERY_TIMEOUT", value_name = "SECONDS",
          default_value_t = DEFAULT_QUERY_TIMEOUT.as_secs_f64(), value_parser = seconds)]
    pub query_timeout: f64,
    /// A SPARQL endpoint that queries may call with SERVICE (repeat the flag, or
    /// separate with commas); any other endpoint is refused. None by default.
    #[arg(long, env = "MESHGRAPH_FEDERATION_ALLOW", value_name = "IRI", value_delimiter = ',', value_parser = iri)]
    pub federation_allow: Vec<NamedNode>,
    /// Load the example retail mesh (its domain ontology, thirteen DPROD data
    /// products in five domains, and five days of their pipelines' lineage),
    /// so there is something to explore; a restart does not load it twice.
    #[arg(long, env = "MESHGRAPH_DEMO")]
    pub demo: bool,
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
            query_timeout: Duration::from_secs_f64(self.query_timeout),
            federation_allow: self.federation_allow.clone(),
            demo: self.demo,
        }
    }
}

/// Flags of `meshgraph load`.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// Files to load: OpenLineage events (`.json`: one event or an array;
    /// `.ndjson`/`.jsonl`: one per line) or RDF documents (`.ttl`, `.trig`,
    /// `.nt`, `.nq`, `.rdf`/`.owl`/`.xml`, `.jsonld`), each into its own graph.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The format of every file, instead of guessing from the extension: a
    /// media type (`text/turtle`), an RDF extension (`ttl`), or `openlineage`.
    #[arg(long, env = "MESHGRAPH_LOAD_FORMAT")]
    pub format: Option<String>,
    /// The named graph an RDF document goes into (replacing it); by default
    /// the document's own `file:` URL, so reloading a file replaces what it
    /// loaded before. Only with a single RDF file.
    #[arg(long, env = "MESHGRAPH_LOAD_GRAPH")]
    pub graph: Option<String>,
    /// Where the data lives.
    #[command(flatten)]
    pub data: DataArgs,
    /// Hide the progress bar.
    #[arg(long, env = "MESHGRAPH_QUIET")]
    pub quiet: bool,
}

/// Flags of `meshgraph generate`; the defaults make a small mesh.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Where to write the events, one per line; `-` or absent for standard output.
    #[arg(long, short, env = "MESHGRAPH_GENERATE_OUT")]
    pub out: Option<PathBuf>,
    /// The seed: the same seed and sizes give the same bytes.
    #[arg(long, env = "MESHGRAPH_GENERATE_SEED", default_value_t = GeneratorConfig::default().seed)]
    pub seed: u64,
    /// Business domains, each with its own databases, warehouse and pipelines.
    #[arg(long, env = "MESHGRAPH_GENERATE_DOMAINS", default_value_t = GeneratorConfig::default().domains)]
    pub domains: usize,
    /// Datasets: sources plus the jobs' outputs (each job writes one or two).
    #[arg(long, env = "MESHGRAPH_GENERATE_DATASETS", default_value_t = GeneratorConfig::default().datasets)]
    pub datasets: usize,
    /// Jobs (Airflow tasks, dbt models, Spark jobs), not counting their DAGs.
    #[arg(long, env = "MESHGRAPH_GENERATE_JOBS", default_value_t = GeneratorConfig::default().jobs)]
    pub jobs: usize,
    /// Simulated days; every job runs once a day.
    #[arg(long, env = "MESHGRAPH_GENERATE_DAYS", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..))]
    pub days: u32,
    /// Columns per table, `MIN-MAX` (or one number).
    #[arg(long, env = "MESHGRAPH_GENERATE_COLUMNS", default_value = "10-50")]
    pub columns: ColumnRange,
    /// Shared dimensions (customer, date, product, ...) that jobs of every domain join, the first the most.
    #[arg(long, env = "MESHGRAPH_GENERATE_HUBS", default_value_t = GeneratorConfig::default().hubs)]
    pub hubs: usize,
    /// Long chains of 50-200 jobs, each reading the previous one's output.
    #[arg(long, env = "MESHGRAPH_GENERATE_CHAINS", default_value_t = GeneratorConfig::default().chains)]
    pub chains: usize,
    /// Share of pipeline jobs (0 to 1) that drop an input for another on some day after the first.
    #[arg(long, env = "MESHGRAPH_GENERATE_CHANGING_SHARE", default_value_t = 0.05, value_parser = share)]
    pub changing_share: f64,
}

impl GenerateArgs {
    /// The generator configuration these flags describe.
    pub fn config(&self) -> GeneratorConfig {
        GeneratorConfig {
            seed: self.seed,
            domains: self.domains,
            datasets: self.datasets,
            jobs: self.jobs,
            min_columns: self.columns.min,
            max_columns: self.columns.max,
            hubs: self.hubs,
            chains: self.chains,
            changing_per_mille: (self.changing_share * 1_000.0).round() as u32,
            days: Some(self.days),
            ..GeneratorConfig::default()
        }
    }
}

/// A number of columns, from `min` to `max`, written `MIN-MAX` or `N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnRange {
    /// Fewest columns.
    pub min: usize,
    /// Most columns.
    pub max: usize,
}

impl FromStr for ColumnRange {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (min, max) = text.split_once('-').unwrap_or((text, text));
        let parse = |s: &str| {
            s.trim()
                .parse::<usize>()
                .ok()
                .filter(|&n| (1..=1_000).contains(&n))
        };
        match (parse(min), parse(max)) {
            (Some(min), Some(max)) if min <= max => Ok(Self { min, max }),
            _ => Err(format!("{text:?}: expected MIN-MAX with 1 <= MIN <= MAX <= 1000")),
        }
    }
}

impl fmt::Display for ColumnRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.min, self.max)
    }
}

/// A positive number of seconds, small enough to be a [`Duration`].
fn seconds(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(secs) if secs > 0.0 && Duration::try_from_secs_f64(secs).is_ok() => Ok(secs),
        _ => Err(format!("{text:?}: expected a positive number of seconds")),
    }
}

/// An absolute IRI (a SPARQL endpoint).
fn iri(text: &str) -> Result<NamedNode, String> {
    NamedNode::new(text.trim()).map_err(|e| format!("{text:?} is not an absolute IRI: {e}"))
}

/// A share from 0 to 1.
fn share(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(share) if (0.0..=1.0).contains(&share) => Ok(share),
        _ => Err(format!("{text:?}: expected a number from 0 to 1")),
    }
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

    #[test]
    fn serve_takes_a_query_timeout_and_federation_endpoints() {
        let cli = Cli::try_parse_from(["meshgraph", "serve"]).unwrap();
        let Command::Serve(args) = cli.command else {
            panic!()
        };
        assert_eq!(args.config().query_timeout, DEFAULT_QUERY_TIMEOUT);
        assert!(args.config().federation_allow.is_empty());
        let cli = Cli::try_parse_from([
            "meshgraph",
            "serve",
            "--query-timeout",
            "2.5",
            "--federation-allow",
            "http://a.example/sparql",
            "--federation-allow",
            "http://b.example/sparql,http://c.example/sparql",
        ])
        .unwrap();
        let Command::Serve(args) = cli.command else {
            panic!()
        };
        let config = args.config();
        assert_eq!(config.query_timeout, Duration::from_millis(2_500));
        let allowed: Vec<&str> = config.federation_allow.iter().map(NamedNode::as_str).collect();
        assert_eq!(
            allowed,
            [
                "http://a.example/sparql",
                "http://b.example/sparql",
                "http://c.example/sparql"
            ]
        );
        for bad in [
            ["--query-timeout", "0"],
            ["--query-timeout", "-1"],
            ["--query-timeout", "soon"],
            ["--federation-allow", "not an iri"],
        ] {
            assert!(
                Cli::try_parse_from(["meshgraph", "serve", bad[0], bad[1]]).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn generate_flags_make_a_generator_config() {
        let cli = Cli::try_parse_from(["meshgraph", "generate"]).unwrap();
        let Command::Generate(args) = cli.command else {
            panic!()
        };
        let config = args.config();
        assert_eq!(config.days, Some(2));
        assert_eq!((config.min_columns, config.max_columns), (10, 50));
        assert_eq!(config.changing_per_mille, 50);
        assert_eq!(args.out, None);
        let cli = Cli::try_parse_from([
            "meshgraph",
            "generate",
            "--out",
            "mesh.ndjson",
            "--datasets",
            "100000",
            "--jobs",
            "90000",
            "--columns",
            "20",
            "--changing-share",
            "0.1",
        ])
        .unwrap();
        let Command::Generate(args) = cli.command else {
            panic!()
        };
        let config = args.config();
        assert_eq!((config.datasets, config.jobs), (100_000, 90_000));
        assert_eq!((config.min_columns, config.max_columns), (20, 20));
        assert_eq!(config.changing_per_mille, 100);
        for bad in [
            ["--columns", "50-10"],
            ["--columns", "0"],
            ["--changing-share", "2"],
            ["--days", "0"],
        ] {
            assert!(
                Cli::try_parse_from(["meshgraph", "generate", bad[0], bad[1]]).is_err(),
                "{bad:?}"
            );
        }
    }
}
