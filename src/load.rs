//! `meshgraph load`: OpenLineage events and RDF documents from files into
//! the data directory.
//!
//! An events file is one JSON event, a JSON array of events, or NDJSON (one
//! event per line). Events go through the same validation as HTTP ingestion
//! and into the durable log in groups, so a load is as durable and
//! idempotent as a POST. An RDF document (Turtle, TriG, N-Triples, N-Quads,
//! RDF/XML, JSON-LD) is parsed whole, then logged as one record that
//! replaces its named graph, as a Graph Store `PUT` would: a document that
//! does not parse loads nothing and is reported with its line and column.
//!
//! Load writes the log only. The views (the in-memory store, the lineage
//! projection) are derived from the log when a server starts on the
//! directory; building them here would be thrown away when the command ends.

use std::fmt;
use std::io::Read as _;
use std::path::Path;
use std::time::{Duration, Instant};

use oxigraph::io::RdfFormat;
use oxigraph::model::NamedNode;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use indicatif::{ProgressBar, ProgressStyle};

use crate::app::{AppError, open_log};
use crate::cli::LoadArgs;
use crate::config::Storage;
use crate::log::{Appended, KnownFacets, Log, LogError};
use crate::openlineage::{Checked, ParseError, parse_body};
use crate::store::change::{Document, Mode, RdfChange, Target};
use crate::store::document;
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
    /// The log failed; what was written before stays.
    #[error(transparent)]
    Log(#[from] LogError),
    /// The format of a file is unknown or not one meshgraph reads.
    #[error("{0}")]
    Format(String),
    /// `--graph` is not an absolute IRI, or names one graph for several documents.
    #[error("{0}")]
    Graph(String),
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
    /// RDF documents loaded.
    pub documents: u64,
    /// RDF documents refused (they do not parse); nothing of them was loaded.
    pub refused_documents: u64,
    /// Triples (or quads) in the documents loaded.
    pub triples: u64,
    /// Time spent on RDF documents: reading, parsing, logging, applying.
    pub rdf_time: Duration,
}

impl fmt::Display for LoadSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} events accepted, {} duplicates, {} rejected",
            self.accepted, self.duplicates, self.rejected
        )?;
        if self.documents + self.refused_documents > 0 {
            let seconds = self.rdf_time.as_secs_f64();
            write!(
                f,
                "\n{} RDF documents loaded ({} triples in {seconds:.2} s, {:.0} triples/s), {} refused",
                self.documents,
                self.triples,
                self.triples as f64 / seconds.max(1e-9),
                self.refused_documents
            )?;
        }
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
        self.note(format!("{place}: {err}"));
    }

    fn note(&mut self, error: String) {
        if self.errors.len() < 20 {
            self.errors.push(error);
        }
    }

    /// Whether everything given was loaded.
    pub fn is_complete(&self) -> bool {
        self.rejected == 0 && self.refused_documents == 0
    }
}

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    OpenLineage,
    Rdf(RdfFormat),
}

/// The kind of a file: `--format` if given, else its extension.
fn kind_of(path: &Path, format: Option<&str>) -> Result<Kind, LoadError> {
    if let Some(format) = format {
        return match format.to_ascii_lowercase().as_str() {
            "openlineage" | "json" | "ndjson" | "application/json" => Ok(Kind::OpenLineage),
            other => document::format_of_media_type(other)
                .or_else(|| document::format_of_extension(other))
                .map(Kind::Rdf)
                .ok_or_else(|| {
                    LoadError::Format(format!(
                        "unknown --format {format:?}: use openlineage, a media type (text/turtle) or an extension (ttl)"
                    ))
                }),
        };
    }
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
    match extension.to_ascii_lowercase().as_str() {
        "json" | "ndjson" | "jsonl" => Ok(Kind::OpenLineage),
        other => document::format_of_extension(other)
            .map(Kind::Rdf)
            .ok_or_else(|| {
                LoadError::Format(format!(
                    "cannot tell the format of {} from its extension: use --format",
                    path.display()
                ))
            }),
    }
}

/// Characters a `file:` URL path must encode.
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The `file:` URL of a path: the graph (and base IRI) of a loaded document.
fn file_iri(path: &Path) -> Result<NamedNode, LoadError> {
    let absolute = std::fs::canonicalize(path).map_err(|source| LoadError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let text = absolute.to_string_lossy().replace('\\', "/");
    let text = if text.starts_with('/') {
        text
    } else {
        format!("/{text}")
    };
    NamedNode::new(format!("file://{}", utf8_percent_encode(&text, PATH)))
        .map_err(|e| LoadError::Graph(format!("no IRI for {}: {e}", path.display())))
}

/// Reads a file's events, each with the line it starts on: a JSON document
/// (object or array) or, when that fails to parse as a whole, NDJSON.
fn events_of(
    text: &str,
    checked: &Checked,
    known: &KnownFacets,
) -> Vec<(usize, Result<Accepted, ParseError>)> {
    match parse_body(text.as_bytes(), checked, known) {
        Ok(events) => events
            .into_iter()
            .map(|(event_text, event)| {
                let offset = event_text.as_ptr() as usize - text.as_ptr() as usize;
                let line = text[..offset].matches('\n').count() + 1;
                (
                    line,
                    event.map(|located| Accepted::new(event_text, located, known)),
                )
            })
            .collect(),
        Err(whole) => {
            let lines: Vec<_> = text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .collect();
            // One non-empty line that is not JSON: report the document's error.
            if lines.len() <= 1 {
                vec![(1, Err(whole))]
            } else {
                lines
                    .into_iter()
                    .map(|(i, l)| (i + 1, Accepted::parse(l, checked, known)))
                    .collect()
            }
        }
    }
}

/// Loads the files named in `args`.
pub fn load_files(args: &LoadArgs) -> Result<LoadSummary, LoadError> {
    let log = open_log(&Storage::Dir(args.data.data_dir.clone()))?;
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
    let result = load_all(&log, args, &bar, &mut summary);
    bar.finish_and_clear();
    result.map(|()| summary)
}

fn load_all(
    log: &Log,
    args: &LoadArgs,
    bar: &ProgressBar,
    summary: &mut LoadSummary,
) -> Result<(), LoadError> {
    let kinds = args
        .files
        .iter()
        .map(|path| kind_of(path, args.format.as_deref()))
        .collect::<Result<Vec<_>, _>>()?;
    let graph = match &args.graph {
        Some(iri) => {
            if kinds.iter().filter(|k| matches!(k, Kind::Rdf(_))).count() > 1 {
                return Err(LoadError::Graph(
                    "--graph names one graph: load one RDF document at a time with it".into(),
                ));
            }
            Some(
                NamedNode::new(iri)
                    .map_err(|e| LoadError::Graph(format!("--graph {iri:?} is not an IRI: {e}")))?,
            )
        }
        None => None,
    };
    for (path, kind) in args.files.iter().zip(kinds) {
        match kind {
            Kind::OpenLineage => load_events(log, path, bar, summary)?,
            Kind::Rdf(format) => load_document(log, path, format, graph.clone(), bar, summary)?,
        }
    }
    Ok(())
}

fn load_document(
    log: &Log,
    path: &Path,
    format: RdfFormat,
    graph: Option<NamedNode>,
    bar: &ProgressBar,
    summary: &mut LoadSummary,
) -> Result<(), LoadError> {
    let started = Instant::now();
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|mut file| file.read_to_end(&mut bytes))
        .map_err(|source| LoadError::Read {
            path: path.display().to_string(),
            source,
        })?;
    let base = file_iri(path)?;
    let graph = graph.unwrap_or_else(|| base.clone());
    bar.set_message(format!("parsing {}", path.display()));
    let checked = Document::check_counting(
        Mode::Replace,
        Target::Named(graph),
        format,
        Some(base.into_string()),
        bytes,
        |n| bar.inc(n as u64),
    );
    let (doc, triples) = match checked {
        Ok(checked) => checked,
        Err(err) => {
            summary.refused_documents += 1;
            summary.note(format!("{}: {err}", path.display()));
            summary.rdf_time += started.elapsed();
            return Ok(());
        }
    };
    bar.set_message(format!("writing {triples} triples"));
    log.append([&RdfChange::Document(doc).record()])?;
    summary.documents += 1;
    summary.triples += triples;
    summary.rdf_time += started.elapsed();
    Ok(())
}

fn load_events(
    log: &Log,
    path: &Path,
    bar: &ProgressBar,
    summary: &mut LoadSummary,
) -> Result<(), LoadError> {
    let checked = Checked::default();
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let mut group = Vec::with_capacity(GROUP);
    let flush = |group: &mut Vec<Accepted>, summary: &mut LoadSummary| -> Result<(), LoadError> {
        if group.is_empty() {
            return Ok(());
        }
        let outcomes = log.append(group.iter().map(|a| &a.record))?;
        group.clear();
        for outcome in outcomes {
            match outcome {
                Appended::New(_) => summary.accepted += 1,
                Appended::Duplicate(_) => summary.duplicates += 1,
            }
        }
        bar.set_message(format!("{} events", summary.accepted + summary.duplicates));
        Ok(())
    };
    for (line, event) in events_of(&text, &checked, log.known_facets()) {
        let place = format!("{}:{line}", path.display());
        match event {
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
    fn reads_documents_arrays_and_ndjson() {
        let checked = Checked::default();
        let lines = |text: &str| -> Vec<(usize, bool)> {
            events_of(text, &checked, &KnownFacets::default())
                .iter()
                .map(|(line, event)| (*line, event.is_ok()))
                .collect()
        };
        let event = r#"{"eventTime":"2024-01-01T00:00:00Z","producer":"p","run":{"runId":"43d7db3b-8984-4cda-b237-8c6919b36670"},"job":{"namespace":"n","name":"j"}}"#;
        assert_eq!(lines(event), [(1, true)]);
        assert_eq!(
            lines(&format!("[\n{event},\n{{\"b\":2}}\n]")),
            [(2, true), (3, false)]
        );
        let ndjson = format!("{event}\n\n{{\"b\":2}}\n{{broken\n");
        assert_eq!(lines(&ndjson), [(1, true), (3, false), (4, false)]);
        assert!(matches!(
            events_of("{broken", &checked, &KnownFacets::default())[0].1,
            Err(ParseError::Syntax { .. })
        ));
    }
}
