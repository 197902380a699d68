//! Writes to the RDF store that are not OpenLineage events: a document put
//! into or added to a graph, a graph dropped, a SPARQL update.
//!
//! Each is checked where the request arrives (the document parsed through,
//! the update parsed and vetted), logged as one record, and applied by the
//! writer in one store transaction, like events. The record is a one-line
//! JSON header and the body as received (the document's bytes, the update's
//! text), so replay re-parses exactly what was accepted.

use oxigraph::io::RdfFormat;
use oxigraph::model::{GraphName, NamedNode, NamedOrBlankNode};
use oxigraph::sparql::SparqlEvaluator;
use oxigraph::store::Transaction;
use serde::{Deserialize, Serialize};
use spargebra::GraphUpdateOperation;
use spargebra::algebra::Function;

use super::algebra::{self, Use};
use super::document::{self, DocumentError};
use super::federation;
use crate::log::{NewRecord, RecordKind};

/// A named graph, or the store's default graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The store's own default graph (meshgraph itself writes only named graphs).
    Default,
    /// A named graph.
    Named(NamedNode),
}

impl Target {
    /// The graph name of the target.
    pub fn graph_name(&self) -> GraphName {
        match self {
            Self::Default => GraphName::DefaultGraph,
            Self::Named(node) => node.clone().into(),
        }
    }

    fn to_header(&self) -> Option<String> {
        match self {
            Self::Default => None,
            Self::Named(node) => Some(node.as_str().to_owned()),
        }
    }

    fn from_header(graph: Option<String>) -> Result<Self, ChangeError> {
        graph.map_or(Ok(Self::Default), |iri| {
            NamedNode::new(iri.clone())
                .map(Self::Named)
                .map_err(|e| ChangeError::Record(format!("graph {iri:?}: {e}")))
        })
    }
}

/// What a document does to its graphs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The document's graphs become exactly what it says (Graph Store PUT,
    /// `meshgraph load`): the target graph, and every named graph the
    /// document names, are cleared first.
    Replace,
    /// The document's quads are added to what the graphs hold (Graph Store POST).
    Add,
}

/// An RDF document, checked, with what is needed to log and apply it.
#[derive(Debug)]
pub struct Document {
    /// Replace or add.
    pub mode: Mode,
    /// Where the document's default-graph triples go.
    pub target: Target,
    /// Its format.
    pub format: RdfFormat,
    /// The base IRI relative IRIs resolve against.
    pub base: Option<String>,
    /// The bytes as received.
    pub bytes: Vec<u8>,
}

/// A SPARQL update, parsed and vetted, with its protocol dataset.
#[derive(Debug, Clone)]
pub struct Update {
    /// The text as received.
    pub text: String,
    /// Its base IRI.
    pub base: Option<String>,
    /// `using-graph-uri` parameters: the default graph of its WHERE clauses.
    pub using: Vec<NamedNode>,
    /// `using-named-graph-uri` parameters: the named graphs of its WHERE clauses.
    pub using_named: Vec<NamedNode>,
    /// The parsed update.
    parsed: spargebra::Update,
}

/// One non-event write.
#[derive(Debug)]
pub enum RdfChange {
    /// Put or add a document.
    Document(Document),
    /// Remove a graph and everything in it.
    Drop(Target),
    /// Run a SPARQL update.
    Update(Update),
}

/// Why a change was refused or failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChangeError {
    /// The document does not parse.
    #[error(transparent)]
    Document(#[from] DocumentError),
    /// The update does not parse.
    #[error("SPARQL update syntax error: {0}")]
    Syntax(String),
    /// The update is valid SPARQL that meshgraph refuses: `LOAD`, `SERVICE`
    /// or a function such as `NOW()`, whose results the log could not replay.
    #[error("{0}")]
    Refused(String),
    /// `using-graph-uri` or `using-named-graph-uri` with an update that has
    /// its own `USING` or `WITH` (SPARQL 1.1 Protocol section 2.2.3).
    #[error("{0}")]
    Using(String),
    /// The update failed while running (e.g. `CREATE GRAPH` of a graph that
    /// exists); nothing of it was applied.
    #[error("SPARQL update failed: {0}")]
    Failed(String),
    /// The store failed.
    #[error("store: {0}")]
    Storage(#[from] oxigraph::store::StorageError),
    /// A logged record is not a change this version can read.
    #[error("unreadable change record: {0}")]
    Record(String),
}

/// The record header: what the body is and what to do with it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
enum Header {
    Document {
        mode: Mode,
        /// Absent: the default graph.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        graph: Option<String>,
        /// The media type.
        format: String,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        base: Option<String>,
    },
    Drop {
        #[serde(skip_serializing_if = "Option::is_none", default)]
        graph: Option<String>,
    },
    Update {
        #[serde(skip_serializing_if = "Option::is_none", default)]
        base: Option<String>,
        #[serde(skip_serializing_if = "Vec::is_empty", default)]
        using: Vec<String>,
        #[serde(rename = "usingNamed", skip_serializing_if = "Vec::is_empty", default)]
        using_named: Vec<String>,
    },
}

impl Document {
    /// Checks that a document for `mode` into `target` parses, all of it;
    /// returns it with the number of quads it states.
    pub fn check(
        mode: Mode,
        target: Target,
        format: RdfFormat,
        base: Option<String>,
        bytes: Vec<u8>,
    ) -> Result<(Self, u64), DocumentError> {
        Self::check_counting(mode, target, format, base, bytes, |_| {})
    }

    /// [`Document::check`], reporting the bytes parsed as it goes (a progress bar).
    pub fn check_counting(
        mode: Mode,
        target: Target,
        format: RdfFormat,
        base: Option<String>,
        bytes: Vec<u8>,
        read: impl FnMut(usize),
    ) -> Result<(Self, u64), DocumentError> {
        let count = document::check(&bytes, format, base.as_deref(), target.graph_name(), read)?;
        let doc = Self {
            mode,
            target,
            format,
            base,
            bytes,
        };
        Ok((doc, count))
    }

    /// Streams the document into `txn`. When replacing, the target graph is
    /// cleared first and every other graph the document names (TriG,
    /// N-Quads) just before its first quad, so the document's graphs end up
    /// holding exactly what it says.
    fn apply(&self, txn: &mut Transaction<'_>) -> Result<(), ChangeError> {
        if self.mode == Mode::Replace {
            clear(txn, &self.target)?;
        }
        let target = self.target.graph_name();
        if let Target::Named(graph) = &self.target {
            // An empty document still makes its graph exist.
            txn.insert_named_graph(graph);
        }
        let mut seen: Vec<GraphName> = vec![target.clone()];
        for quad in document::quads(&self.bytes, self.format, self.base.as_deref(), target, |_| {})? {
            let quad = quad?;
            if self.mode == Mode::Replace
                && seen.last() != Some(&quad.graph_name)
                && !seen.contains(&quad.graph_name)
            {
                txn.clear_graph(&quad.graph_name)?;
                seen.push(quad.graph_name.clone());
            }
            txn.insert(&quad);
        }
        Ok(())
    }
}

impl Update {
    /// Parses and vets an update. `LOAD` and `SERVICE` are refused: the log
    /// would keep the URL, not what it answered, so replay could not rebuild
    /// the same graph. So are `NOW()`, `RAND()`, `UUID()` and `STRUUID()`,
    /// whose values replay would not reproduce. (`BNODE()` and blank nodes
    /// are kept: replay makes other blank nodes, but the same graph.)
    pub fn parse(
        text: String,
        base: Option<String>,
        using: Vec<NamedNode>,
        using_named: Vec<NamedNode>,
    ) -> Result<Self, ChangeError> {
        let mut parser = spargebra::SparqlParser::new();
        if let Some(base) = &base {
            parser = parser
                .with_base_iri(base)
                .map_err(|e| ChangeError::Syntax(format!("invalid base IRI {base:?}: {e}")))?;
        }
        let parsed = parser
            .parse_update(&text)
            .map_err(|e| ChangeError::Syntax(e.to_string()))?;
        for operation in &parsed.operations {
            match operation {
                GraphUpdateOperation::Load { source, .. } => {
                    return Err(ChangeError::Refused(format!(
                        "LOAD <{}> is not accepted: send the document to the graph store (PUT /store?graph=...) \
                         or use `meshgraph load`, so that the log keeps its content",
                        source.as_str()
                    )));
                }
                GraphUpdateOperation::DeleteInsert {
                    using: own, pattern, ..
                } => {
                    if own.is_some() && (!using.is_empty() || !using_named.is_empty()) {
                        return Err(ChangeError::Using(
                            "using-graph-uri / using-named-graph-uri cannot be combined with an update that has USING or WITH"
                                .into(),
                        ));
                    }
                    federation::check_services(pattern, &[]).map_err(|refused| {
                        ChangeError::Refused(format!(
                            "{refused}; in an update it always is: the log keeps the update, not what the endpoint answered"
                        ))
                    })?;
                    algebra::walk(pattern, &mut |found| match found {
                        Use::Function(
                            function @ (Function::Now | Function::Rand | Function::Uuid | Function::StrUuid),
                        ) => Err(ChangeError::Refused(format!(
                            "{function}() is not accepted in an update: the log keeps the update, and \
                             replaying it would give {function}() another value; put the value in the \
                             update as a literal"
                        ))),
                        _ => Ok(()),
                    })?;
                }
                _ => {}
            }
        }
        Ok(Self {
            text,
            base,
            using,
            using_named,
            parsed,
        })
    }

    /// Runs the update inside `txn`. The WHERE clauses of an update without
    /// USING (nor `using-graph-uri`) see the union of all graphs as their
    /// default graph, as queries do.
    fn run(&self, txn: &mut Transaction<'_>) -> Result<(), ChangeError> {
        // No HTTP client: an update never leaves the store (see `parse`).
        let mut prepared = SparqlEvaluator::new()
            .without_default_http_service_handler()
            .for_update(self.parsed.clone());
        for dataset in prepared.using_datasets_mut() {
            if !self.using.is_empty() || !self.using_named.is_empty() {
                dataset.set_default_graph(self.using.iter().cloned().map(GraphName::from).collect());
                dataset.set_available_named_graphs(
                    self.using_named
                        .iter()
                        .cloned()
                        .map(NamedOrBlankNode::from)
                        .collect(),
                );
            } else if dataset.is_default_dataset() {
                dataset.set_default_graph_as_union();
            }
        }
        prepared
            .on_transaction(txn)
            .execute()
            .map_err(|e| ChangeError::Failed(e.to_string()))
    }
}

impl RdfChange {
    /// The log record of the change. Changes are never deduplicated: putting
    /// the same document again after another one must restore it.
    pub fn record(&self) -> NewRecord {
        NewRecord::unique(RecordKind::Rdf, &self.payload())
    }

    /// The header line, then the body.
    fn payload(&self) -> Vec<u8> {
        let (header, body): (Header, &[u8]) = match self {
            Self::Document(doc) => (
                Header::Document {
                    mode: doc.mode,
                    graph: doc.target.to_header(),
                    format: doc.format.media_type().to_owned(),
                    base: doc.base.clone(),
                },
                &doc.bytes,
            ),
            Self::Drop(target) => (
                Header::Drop {
                    graph: target.to_header(),
                },
                &[],
            ),
            Self::Update(update) => (
                Header::Update {
                    base: update.base.clone(),
                    using: update.using.iter().map(|n| n.as_str().to_owned()).collect(),
                    using_named: update.using_named.iter().map(|n| n.as_str().to_owned()).collect(),
                },
                update.text.as_bytes(),
            ),
        };
        let mut payload = serde_json::to_vec(&header).expect("a header always serializes");
        payload.push(b'\n');
        payload.extend_from_slice(body);
        payload
    }

    /// Reads a logged change back, parsing its body again.
    pub fn from_record(payload: &[u8]) -> Result<Self, ChangeError> {
        let split = memchr::memchr(b'\n', payload).unwrap_or(payload.len());
        let header: Header =
            serde_json::from_slice(&payload[..split]).map_err(|e| ChangeError::Record(e.to_string()))?;
        let body = payload.get(split + 1..).unwrap_or_default();
        let node = |iri: String| NamedNode::new(iri).map_err(|e| ChangeError::Record(e.to_string()));
        Ok(match header {
            Header::Document {
                mode,
                graph,
                format,
                base,
            } => {
                let format = document::format_of_media_type(&format)
                    .ok_or_else(|| ChangeError::Record(format!("unknown format {format:?}")))?;
                // Checked when it was accepted: applying it parses it again.
                Self::Document(Document {
                    mode,
                    target: Target::from_header(graph)?,
                    format,
                    base,
                    bytes: body.to_vec(),
                })
            }
            Header::Drop { graph } => Self::Drop(Target::from_header(graph)?),
            Header::Update {
                base,
                using,
                using_named,
            } => {
                let text =
                    String::from_utf8(body.to_vec()).map_err(|e| ChangeError::Record(e.to_string()))?;
                Self::Update(Update::parse(
                    text,
                    base,
                    using.into_iter().map(node).collect::<Result<_, _>>()?,
                    using_named.into_iter().map(node).collect::<Result<_, _>>()?,
                )?)
            }
        })
    }

    /// Applies the change inside `txn`.
    pub(super) fn apply(&self, txn: &mut Transaction<'_>) -> Result<(), ChangeError> {
        match self {
            Self::Document(doc) => doc.apply(txn),
            Self::Drop(Target::Named(graph)) => Ok(txn.remove_named_graph(graph)?),
            Self::Drop(Target::Default) => clear(txn, &Target::Default),
            Self::Update(update) => update.run(txn),
        }
    }
}

fn clear(txn: &mut Transaction<'_>, target: &Target) -> Result<(), ChangeError> {
    match target {
        Target::Default => txn.clear_graph(oxigraph::model::GraphNameRef::DefaultGraph)?,
        Target::Named(graph) => txn.clear_graph(graph)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(iri: &str) -> NamedNode {
        NamedNode::new_unchecked(iri)
    }

    #[test]
    fn records_read_back_as_the_same_change() {
        let (doc, count) = Document::check(
            Mode::Replace,
            Target::Named(named("https://example.org/g")),
            RdfFormat::Turtle,
            Some("https://example.org/".into()),
            b"<a> <p> \"x\" .".to_vec(),
        )
        .unwrap();
        assert_eq!(count, 1);
        let record = RdfChange::Document(doc).payload();
        let RdfChange::Document(back) = RdfChange::from_record(&record).unwrap() else {
            panic!("a document")
        };
        assert_eq!(back.mode, Mode::Replace);
        assert_eq!(back.target, Target::Named(named("https://example.org/g")));
        assert_eq!(back.bytes, b"<a> <p> \"x\" .");
        assert_eq!(back.base.as_deref(), Some("https://example.org/"));

        let update = Update::parse(
            "INSERT DATA { <s> <p> <o> }".into(),
            Some("https://example.org/".into()),
            vec![named("https://example.org/g")],
            vec![],
        )
        .unwrap();
        let record = RdfChange::Update(update).payload();
        let RdfChange::Update(back) = RdfChange::from_record(&record).unwrap() else {
            panic!("an update")
        };
        assert_eq!(back.using, [named("https://example.org/g")]);
        assert_eq!(back.text, "INSERT DATA { <s> <p> <o> }");

        let record = RdfChange::Drop(Target::Default).payload();
        assert!(matches!(
            RdfChange::from_record(&record).unwrap(),
            RdfChange::Drop(Target::Default)
        ));
    }

    fn put(store: &crate::store::Store, mode: Mode, trig: &str) {
        let (doc, _) = Document::check(
            mode,
            Target::Named(named("https://example.org/g")),
            RdfFormat::TriG,
            None,
            trig.as_bytes().to_vec(),
        )
        .unwrap();
        store.apply_change(&RdfChange::Document(doc)).unwrap();
    }

    fn objects(store: &crate::store::Store, graph: &str) -> Vec<String> {
        let graph = named(graph);
        let mut objects: Vec<String> = store
            .oxigraph()
            .quads_for_pattern(None, None, None, Some((&graph).into()))
            .map(|q| q.unwrap().object.to_string())
            .collect();
        objects.sort();
        objects
    }

    #[test]
    fn replacing_clears_the_target_and_the_graphs_the_document_names_only() {
        let store = crate::store::Store::in_memory().unwrap();
        let s = "<https://example.org/s> <https://example.org/p>";
        put(
            &store,
            Mode::Replace,
            &format!("{s} 1 . <https://example.org/h> {{ {s} 2 }} <https://example.org/k> {{ {s} 3 }}"),
        );
        put(
            &store,
            Mode::Replace,
            &format!("{s} 4 . <https://example.org/h> {{ {s} 5 }}"),
        );
        assert_eq!(
            objects(&store, "https://example.org/g"),
            ["\"4\"^^<http://www.w3.org/2001/XMLSchema#integer>"]
        );
        assert_eq!(
            objects(&store, "https://example.org/h"),
            ["\"5\"^^<http://www.w3.org/2001/XMLSchema#integer>"]
        );
        // Not named by the second document: left as it was.
        assert_eq!(objects(&store, "https://example.org/k").len(), 1);
        // Adding keeps what was there.
        put(&store, Mode::Add, &format!("{s} 6 ."));
        assert_eq!(objects(&store, "https://example.org/g").len(), 2);
        // Dropping removes the graph.
        store
            .apply_change(&RdfChange::Drop(Target::Named(named("https://example.org/h"))))
            .unwrap();
        assert!(objects(&store, "https://example.org/h").is_empty());
        assert!(
            !store
                .oxigraph()
                .contains_named_graph(&named("https://example.org/h"))
                .unwrap()
        );
    }

    #[test]
    fn updates_see_the_union_of_graphs_unless_told_otherwise_and_fail_whole() {
        let store = crate::store::Store::in_memory().unwrap();
        put(
            &store,
            Mode::Replace,
            "<https://example.org/s> <https://example.org/p> 1 .",
        );
        let update = |text: &str, using: Vec<NamedNode>| {
            let update = Update::parse(text.into(), None, using, vec![]).unwrap();
            store.apply_change(&RdfChange::Update(update))
        };
        // The WHERE clause finds the triple in graph g through the union.
        update(
            "INSERT { GRAPH <https://example.org/out> { ?s <https://example.org/q> ?o } } WHERE { ?s <https://example.org/p> ?o }",
            vec![],
        )
        .unwrap();
        assert_eq!(objects(&store, "https://example.org/out").len(), 1);
        // With using-graph-uri, only that graph.
        update(
            "INSERT { GRAPH <https://example.org/out2> { ?s ?p ?o } } WHERE { ?s ?p ?o }",
            vec![named("https://example.org/none")],
        )
        .unwrap();
        assert!(objects(&store, "https://example.org/out2").is_empty());
        // A failing operation leaves nothing of the update behind.
        let failed = update(
            "INSERT DATA { GRAPH <https://example.org/x> { <https://example.org/a> <https://example.org/b> 1 } } ; CREATE GRAPH <https://example.org/g>",
            vec![],
        );
        assert!(matches!(failed, Err(ChangeError::Failed(_))), "{failed:?}");
        assert!(objects(&store, "https://example.org/x").is_empty());
    }

    #[test]
    fn load_service_unreplayable_functions_and_conflicting_datasets_are_refused() {
        let refused =
            |text: &str, using: Vec<NamedNode>| Update::parse(text.into(), None, using, vec![]).err();
        assert!(matches!(
            refused("LOAD <http://example.org/x.ttl>", vec![]),
            Some(ChangeError::Refused(_))
        ));
        assert!(matches!(
            refused(
                "INSERT { ?s ?p ?o } WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
                vec![]
            ),
            Some(ChangeError::Refused(_))
        ));
        assert!(matches!(
            refused(
                "DELETE { ?s ?p ?o } USING <http://example.org/g> WHERE { ?s ?p ?o }",
                vec![named("http://example.org/h")]
            ),
            Some(ChangeError::Using(_))
        ));
        assert!(refused("DELETE WHERE { ?s ?p ?o }", vec![named("http://example.org/h")]).is_none());
        // Values replay would not reproduce, wherever they hide.
        for text in [
            "INSERT { ?s <http://example.org/at> ?t } WHERE { ?s ?p ?o BIND (NOW() AS ?t) }",
            "INSERT { ?s <http://example.org/r> ?o } WHERE { ?s ?p ?o FILTER (RAND() < 0.5) }",
            "INSERT { ?s <http://example.org/id> ?u } WHERE { { SELECT ?s (UUID() AS ?u) { ?s ?p ?o } } }",
            "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER EXISTS { ?s ?q ?x FILTER (STR(?x) = STRUUID()) } }",
        ] {
            let err = refused(text, vec![]);
            assert!(
                matches!(&err, Some(ChangeError::Refused(m)) if m.contains("replaying it")),
                "{text}: {err:?}"
            );
        }
        assert!(
            refused(
                "INSERT { ?s <http://example.org/b> ?b } WHERE { ?s ?p ?o BIND (BNODE() AS ?b) }",
                vec![]
            )
            .is_none()
        );
        assert!(matches!(
            refused("INSERT DATA {", vec![]),
            Some(ChangeError::Syntax(_))
        ));
    }
}
