//! The `meshgraph` binary: parse the command line, set up logging, run.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use meshgraph::cli::{Cli, Command, LogFormat};
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    meshgraph::alloc::configure();
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_env("MESHGRAPH_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, not for log files.
        .with_ansi(std::io::stderr().is_terminal());
    match cli.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            // Each error message already names its cause.
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    match cli.command {
        Command::Serve(args) => {
            runtime.block_on(meshgraph::app::serve(args.config(), shutdown_signal()))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Load(args) => {
            let summary = meshgraph::load::load_files(&args)?;
            println!("{summary}");
            Ok(if summary.is_complete() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            })
        }
        Command::Impact(args) => {
            print!("{}", meshgraph::impact_command::run(&args)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Generate(args) => {
            let summary = meshgraph::generate::generate(&args)?;
            // Standard output may be the events themselves.
            eprintln!("{summary}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutdown signal received");
}
