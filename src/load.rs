//! `meshgraph load`: OpenLineage events from files into the data directory.
//!
//! A file is one JSON event, a JSON array of events, or NDJSON (one event per
//! line). Events go through the same validation and the same writer as HTTP
//! ingestion, in groups, so a load is as durable and idempotent as a POST.

use std::fmt;
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};

use crate::app::{App, AppError};
use crate::cli::LoadArgs;
use crate::config::{Config, DEFAULT_MAX_BODY_BYTES, Storage};
use crate::log::Appended;
use crate::openlineage::{ParseError, split_body};
use crate::writer::Accepted;

/// Events handed to the writer at once.
const GROUP: usize = 1_000;

/// Why a load could not run at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The data directory could not be opened (for example, a server holds it).
    #[error(transparent)]
    Open(#[from] AppError),
    /// The writer failed; what was acknowledged before stays.
    #[error("writing failed: {0}")]
    Write(String),
}

/// What a load did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LoadSummary {
    /// Events newly logged.
    pub accepted: u64,
    /// Events already in the log (identical bytes).
    pub duplicates: u64,
    /// Events refused, with where and why (the first 20 are kept).
    pub rejected: u64,
    /// `file:line: reason` of the first refusals.
    pub errors: Vec<String>,
}

impl fmt::Display for LoadSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} events accepted, {} duplicates, {} rejected",
            self.accepted, self.duplicates, self.rejected
        )?;
        for err in &self.errors {
            write!(f, "\n  rejected: {err}")?;
        }
        if self.rejected as usize > self.errors.len() {
            write!(
                f,
                "\n  ... and {} more",
                self.rejected as usize - self.errors.len()
            )?;
        }
        Ok(())
    }
}

impl LoadSummary {
    fn reject(&mut self, place: String, err: &ParseError) {
        self.rejected += 1;
        if self.errors.len() < 20 {
            self.errors.push(format!("{place}: {err}"));
        }
    }
}

/// Cuts a file into events with the line each starts on: a JSON document
/// (object or array) or, when that fails to parse as a whole, NDJSON.
fn events_of(text: &str) -> Vec<(usize, Result<&str, ParseError>)> {
    match split_body(text.as_bytes()) {
        Ok(parts) => parts
            .into_iter()
            .map(|raw| {
                let offset = raw.get().as_ptr() as usize - text.as_ptr() as usize;
                (text[..offset].matches('\n').count() + 1, Ok(raw.get()))
            })
            .collect(),
        Err(whole) => {
            let lines: Vec<_> = text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .map(|(i, l)| (i + 1, Ok(l)))
                .collect();
            // One non-empty line that is not JSON: report the document's error.
            if lines.len() <= 1 {
                vec![(1, Err(whole))]
            } else {
                lines
            }
        }
    }
}

/// Loads the files named in `args`.
pub fn load_files(args: &LoadArgs) -> Result<LoadSummary, LoadError> {
    let config = Config {
        storage: Storage::Dir(args.data.data_dir.clone()),
        max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        ..Config::in_memory()
    };
    let (app, writer_thread) = App::open(config)?;
    let total_bytes: u64 = args
        .files
        .iter()
        .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .sum();
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(total_bytes)
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg}")
            .expect("valid template"),
    );
    let mut summary = LoadSummary::default();
    let result = args
        .files
        .iter()
        .try_for_each(|path| load_file(&app, path, &bar, &mut summary));
    bar.finish_and_clear();
    drop(app);
    writer_thread.join();
    result.map(|()| summary)
}

fn load_file(app: &App, path: &Path, bar: &ProgressBar, summary: &mut LoadSummary) -> Result<(), LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let mut group = Vec::with_capacity(GROUP);
    let flush = |group: &mut Vec<Accepted>, summary: &mut LoadSummary| -> Result<(), LoadError> {
        if group.is_empty() {
            return Ok(());
        }
        let outcomes = app
            .writer
            .write_blocking(std::mem::take(group))
            .map_err(|e| LoadError::Write(e.to_string()))?;
        for outcome in outcomes {
            match outcome {
                Appended::New(_) => summary.accepted += 1,
                Appended::Duplicate(_) => summary.duplicates += 1,
            }
        }
        bar.set_message(format!("{} events", summary.accepted + summary.duplicates));
        Ok(())
    };
    for (line, part) in events_of(&text) {
        let place = format!("{}:{line}", path.display());
        match part.and_then(|text| app.writer.accept(text)) {
            Ok(accepted) => group.push(accepted),
            Err(err) => summary.reject(place, &err),
        }
        if group.len() >= GROUP {
            flush(&mut group, summary)?;
        }
    }
    flush(&mut group, summary)?;
    bar.inc(text.len() as u64);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_documents_arrays_and_ndjson() {
        assert_eq!(events_of("{\"a\":1}").len(), 1);
        let array = events_of("[\n{\"a\":1},\n{\"b\":2}\n]");
        assert_eq!(array.iter().map(|(l, _)| *l).collect::<Vec<_>>(), [2, 3]);
        let ndjson = events_of("{\"a\":1}\n\n{\"b\":2}\n{broken\n");
        assert_eq!(ndjson.iter().map(|(l, _)| *l).collect::<Vec<_>>(), [1, 3, 4]);
        assert!(matches!(
            events_of("{broken")[0].1,
            Err(ParseError::Syntax { .. })
        ));
    }
}
