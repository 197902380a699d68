//! RDF documents: their formats, and parsing them whole or not at all.
//!
//! Ontologies, data-product descriptions and any other RDF reach the store as
//! documents (a file given to `meshgraph load`, a body sent to the Graph
//! Store endpoint). A document is [`check`]ed completely before anything is
//! logged, so a syntax error refuses the whole document and names where it
//! is. Applying it parses it again, streaming each quad into the store's
//! transaction: no document is ever held in memory as quads.

use std::io::Read;

use oxigraph::io::{RdfFormat, RdfParseError, RdfParser, RdfSyntaxError};
use oxigraph::model::{GraphName, Quad};

/// Why a document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// The document does not parse; nothing of it is kept.
    #[error("{}{message}", position(*.line, *.column))]
    Syntax {
        /// 1-based line of the error, when the parser knows it.
        line: Option<u64>,
        /// 1-based column of the error, when the parser knows it.
        column: Option<u64>,
        /// What the parser expected.
        message: String,
    },
    /// The base IRI given with the document is not an IRI.
    #[error("invalid base IRI {iri:?}: {reason}")]
    Base {
        /// The base given.
        iri: String,
        /// Why it is not an IRI.
        reason: String,
    },
}

fn position(line: Option<u64>, column: Option<u64>) -> String {
    match (line, column) {
        (Some(line), Some(column)) => format!("line {line}, column {column}: "),
        (Some(line), None) => format!("line {line}: "),
        _ => String::new(),
    }
}

/// The RDF formats meshgraph reads and writes, by media type.
pub const FORMATS: [RdfFormat; 6] = [
    RdfFormat::Turtle,
    RdfFormat::TriG,
    RdfFormat::NTriples,
    RdfFormat::NQuads,
    RdfFormat::RdfXml,
    RdfFormat::JsonLd {
        profile: oxigraph::io::JsonLdProfileSet::empty(),
    },
];

/// The format of a media type (parameters such as `charset` ignored).
pub fn format_of_media_type(media_type: &str) -> Option<RdfFormat> {
    let essence = media_type.split(';').next().unwrap_or_default().trim();
    RdfFormat::from_media_type(essence).filter(|f| *f != RdfFormat::N3)
}

/// The format of a file, by its extension. `.json` is not taken as JSON-LD:
/// for meshgraph a `.json` file holds OpenLineage events.
pub fn format_of_extension(extension: &str) -> Option<RdfFormat> {
    match extension.to_ascii_lowercase().as_str() {
        "json" | "txt" | "n3" => None,
        "owl" => Some(RdfFormat::RdfXml),
        other => RdfFormat::from_extension(other),
    }
}

/// The quads of a document, in order, as it is parsed. Triples of the
/// document's default graph are put in `graph`. Blank nodes are renamed
/// apart, so two documents that both say `_:b0` never share a node. `read`
/// is called with the number of bytes the parser takes in each time it reads
/// on (a progress bar).
pub fn quads<'a>(
    bytes: &'a [u8],
    format: RdfFormat,
    base: Option<&str>,
    graph: GraphName,
    read: impl FnMut(usize) + 'a,
) -> Result<impl Iterator<Item = Result<Quad, DocumentError>> + 'a, DocumentError> {
    let mut parser = RdfParser::from_format(format)
        .with_default_graph(graph)
        .rename_blank_nodes();
    if let Some(base) = base {
        parser = parser.with_base_iri(base).map_err(|e| DocumentError::Base {
            iri: base.to_owned(),
            reason: e.to_string(),
        })?;
    }
    Ok(parser.for_reader(Counting { bytes, read }).map(|quad| {
        quad.map_err(|err| match err {
            RdfParseError::Syntax(err) => syntax(err),
            // Reading a slice cannot fail; say so if it ever does.
            RdfParseError::Io(err) => DocumentError::Syntax {
                line: None,
                column: None,
                message: err.to_string(),
            },
        })
    }))
}

/// Checks that a whole document parses; returns how many quads it states.
pub fn check(
    bytes: &[u8],
    format: RdfFormat,
    base: Option<&str>,
    graph: GraphName,
    read: impl FnMut(usize),
) -> Result<u64, DocumentError> {
    let mut count = 0;
    for quad in quads(bytes, format, base, graph, read)? {
        quad?;
        count += 1;
    }
    Ok(count)
}

/// A reader over bytes that reports how much was read.
struct Counting<'a, F> {
    bytes: &'a [u8],
    read: F,
}

impl<F: FnMut(usize)> Read for Counting<'_, F> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.bytes.read(buf)?;
        (self.read)(n);
        Ok(n)
    }
}

fn syntax(err: RdfSyntaxError) -> DocumentError {
    let start = err.location().map(|l| l.start);
    let message = err.to_string();
    // The Turtle family already says where; say it once.
    let located = message.contains(" line ");
    DocumentError::Syntax {
        line: start.filter(|_| !located).map(|p| p.line + 1),
        column: start.filter(|_| !located).map(|p| p.column + 1),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::NamedNode;

    fn graph() -> GraphName {
        NamedNode::new_unchecked("https://example.org/g").into()
    }

    fn parse(bytes: &[u8], format: RdfFormat, base: Option<&str>) -> Result<Vec<Quad>, DocumentError> {
        quads(bytes, format, base, graph(), |_| {})?.collect()
    }

    #[test]
    fn triples_go_to_the_graph_and_quads_keep_theirs() {
        let ttl = "@prefix ex: <https://example.org/> . ex:a ex:p ex:b , ex:c .";
        let parsed = parse(ttl.as_bytes(), RdfFormat::Turtle, None).unwrap();
        assert_eq!(parsed.len(), 2);
        assert!(parsed.iter().all(|q| q.graph_name == graph()));

        let trig = "<https://example.org/a> <https://example.org/p> 1 .
            <https://example.org/h> { <https://example.org/a> <https://example.org/p> 2 }";
        let parsed = parse(trig.as_bytes(), RdfFormat::TriG, None).unwrap();
        assert_eq!(parsed[0].graph_name, graph());
        assert_eq!(
            parsed[1].graph_name,
            NamedNode::new_unchecked("https://example.org/h").into()
        );
        assert_eq!(
            check(trig.as_bytes(), RdfFormat::TriG, None, graph(), |_| {}),
            Ok(2)
        );
    }

    #[test]
    fn a_syntax_error_names_line_and_column_and_keeps_nothing() {
        let ttl = "@prefix ex: <https://example.org/> .\nex:a ex:p ex:b .\nex:c ex:p \"open .\n";
        let err = check(ttl.as_bytes(), RdfFormat::Turtle, None, graph(), |_| {}).unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
        let xml = "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n<rdf:Description>\n</rdf:RDF>";
        let err = check(xml.as_bytes(), RdfFormat::RdfXml, None, graph(), |_| {}).unwrap_err();
        assert!(matches!(err, DocumentError::Syntax { .. }), "{err}");
    }

    #[test]
    fn relative_iris_resolve_against_the_base() {
        let parsed = parse(
            b"<a> <p> <b> .",
            RdfFormat::Turtle,
            Some("https://example.org/doc/"),
        )
        .unwrap();
        assert_eq!(parsed[0].subject.to_string(), "<https://example.org/doc/a>");
        assert!(matches!(
            parse(b"", RdfFormat::Turtle, Some("not an iri")),
            Err(DocumentError::Base { .. })
        ));
    }

    #[test]
    fn formats_by_media_type_and_extension() {
        assert_eq!(
            format_of_media_type("text/turtle; charset=utf-8"),
            Some(RdfFormat::Turtle)
        );
        assert_eq!(
            format_of_media_type("application/n-quads"),
            Some(RdfFormat::NQuads)
        );
        assert_eq!(format_of_media_type("text/html"), None);
        assert_eq!(format_of_extension("TTL"), Some(RdfFormat::Turtle));
        assert_eq!(format_of_extension("owl"), Some(RdfFormat::RdfXml));
        assert_eq!(format_of_extension("json"), None);
        assert!(matches!(
            format_of_extension("jsonld"),
            Some(RdfFormat::JsonLd { .. })
        ));
    }
}
