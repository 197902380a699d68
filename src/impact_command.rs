//! `meshgraph impact`: impact analysis from the terminal, over a data
//! directory (the server must not be running on it: the log is locked).
//!
//! It rebuilds the views from the log, as the server does at start-up,
//! then asks the projection the same question `/api/v1/impact` answers.

use crate::app::App;
use crate::cli::{ImpactArgs, ImpactFormat};
use crate::config::{Config, Storage};
use crate::lineage::impact::{ImpactQuery, Level, Towards};
use crate::lineage::report::{self, Exposure, Listing};
use crate::openlineage::{NodeId, Timestamp};

/// Answers the question `args` asks; returns what to print.
pub fn run(args: &ImpactArgs) -> anyhow::Result<String> {
    let start = NodeId::parse(&args.node_id).ok_or_else(|| {
        anyhow::anyhow!(
            "{:?} is not dataset:NAMESPACE:NAME, datasetField:NAMESPACE:NAME:FIELD or job:NAMESPACE:NAME",
            args.node_id
        )
    })?;
    let as_of = args
        .as_of
        .as_deref()
        .map(|t| {
            Timestamp::parse(t)
                .map(Timestamp::unix_nanos)
                .ok_or_else(|| anyhow::anyhow!("--as-of {t:?} is not an ISO 8601 date-time"))
        })
        .transpose()?;
    let limit = match args.limit.trim() {
        "all" => None,
        n => Some(
            n.parse()
                .map_err(|_| anyhow::anyhow!("--limit must be a number or `all`, got {n:?}"))?,
        ),
    };
    let dir = &args.data.data_dir;
    if !dir.join(crate::config::LOG_FILE).exists() {
        anyhow::bail!("no meshgraph data in {} (see --data-dir)", dir.display());
    }
    let config = Config {
        storage: Storage::Dir(dir.clone()),
        ..Config::in_memory()
    };
    let (app, writer) = App::open(config)?;
    let query = ImpactQuery {
        towards: if args.upstream {
            Towards::Upstream
        } else {
            Towards::Downstream
        },
        depth: args.depth,
        level: if args.column || matches!(start, NodeId::DatasetField { .. }) {
            Level::Column
        } else {
            Level::Dataset
        },
        as_of,
        ..Default::default()
    };
    // Product descriptions are in the store (rebuilt from the log) when
    // loaded; without any, the product and domain groups are empty.
    let exposure = if args.format == ImpactFormat::Csv {
        Exposure::default()
    } else {
        app.views.described()?.exposure.clone()
    };
    let out = {
        let projection = app.views.projection();
        let impact = projection.impact(&start, &query)?;
        match args.format {
            ImpactFormat::Csv => String::from_utf8(report::csv(&projection, &impact)?)?,
            format => {
                let listing = Listing {
                    offset: 0,
                    limit,
                    paths: format == ImpactFormat::Json && limit.is_some(),
                };
                let report = report::report(&projection, &start, &query, &impact, &listing, &exposure);
                if format == ImpactFormat::Json {
                    serde_json::to_string_pretty(&report)? + "\n"
                } else {
                    report::table(&report)
                }
            }
        }
    };
    drop(app);
    writer.join();
    Ok(out)
}
