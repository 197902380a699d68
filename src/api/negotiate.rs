//! Content negotiation for SPARQL answers: which serialization an `Accept`
//! header asks for.
//!
//! The SPARQL endpoint and the Graph Store Protocol both answer in one of a
//! fixed list of formats, in the server's order of preference. Each media
//! range of the header gives its quality (`q`) to the formats it matches,
//! the most specific range winning ([RFC 9110 §12.5.1]); the best-rated
//! format is chosen, ties going to the server's preference. Exact ranges are
//! read with oxigraph's own media-type parsers, so their aliases (`text/xml`,
//! `application/json`, `text/plain`, `x-` prefixes, ...) mean what they mean
//! to an oxigraph server. No `Accept`, or only `*/*`, gives the first format.
//!
//! [RFC 9110 §12.5.1]: https://www.rfc-editor.org/rfc/rfc9110#section-12.5.1

use axum::http::{HeaderMap, header};
use oxigraph::io::{JsonLdProfileSet, RdfFormat};
use oxigraph::sparql::results::QueryResultsFormat;

use super::ApiError;
use crate::error::ErrorCode;

/// A format an answer can be written in.
pub trait Format: Copy + PartialEq {
    /// The media type sent as `Content-Type`.
    fn media_type(self) -> &'static str;
    /// The format a concrete media type names, if any (aliases included).
    fn from_media_type(media_type: &str) -> Option<Self>;
}

impl Format for QueryResultsFormat {
    fn media_type(self) -> &'static str {
        QueryResultsFormat::media_type(self)
    }

    fn from_media_type(media_type: &str) -> Option<Self> {
        QueryResultsFormat::from_media_type(media_type)
    }
}

impl Format for RdfFormat {
    fn media_type(self) -> &'static str {
        RdfFormat::media_type(self)
    }

    fn from_media_type(media_type: &str) -> Option<Self> {
        RdfFormat::from_media_type(media_type)
    }
}

/// SELECT and ASK answers; SPARQL JSON by default.
pub const SOLUTIONS: &[QueryResultsFormat] = &[
    QueryResultsFormat::Json,
    QueryResultsFormat::Xml,
    QueryResultsFormat::Csv,
    QueryResultsFormat::Tsv,
];

/// JSON-LD without a profile, as oxigraph parses `application/ld+json`.
const JSON_LD: RdfFormat = RdfFormat::JsonLd {
    profile: JsonLdProfileSet::empty(),
};

/// A set of triples (CONSTRUCT, DESCRIBE, one graph of the store). N-Triples
/// by default: the bytes an oxigraph server sends for `*/*` (its N-Quads of a
/// default graph), under the media type that names triples; `text/*` gets
/// Turtle.
pub const GRAPH: &[RdfFormat] = &[
    RdfFormat::NTriples,
    RdfFormat::Turtle,
    RdfFormat::NQuads,
    RdfFormat::TriG,
    RdfFormat::RdfXml,
    JSON_LD,
];

/// A whole dataset, named graphs included: only formats that can say which
/// graph a triple is in. N-Quads by default, as oxigraph.
pub const DATASET: &[RdfFormat] = &[RdfFormat::NQuads, RdfFormat::TriG, JSON_LD];

/// One media range of an `Accept` header.
struct Range<'a> {
    /// `*` or the type, lower case.
    kind: String,
    /// `*` or the subtype, lower case.
    subtype: String,
    /// The range as written, without its `q` (aliases are resolved from it).
    text: &'a str,
    /// The quality, 0 to 1.
    q: f32,
}

impl Range<'_> {
    /// How specifically this range matches `format` (3 exact, 2 `type/*`,
    /// 1 `*/*`), or `None` when it does not.
    fn specificity<F: Format>(&self, format: F) -> Option<u8> {
        match (self.kind.as_str(), self.subtype.as_str()) {
            ("*", "*") => Some(1),
            (kind, "*") => format
                .media_type()
                .split('/')
                .next()
                .is_some_and(|k| k.eq_ignore_ascii_case(kind))
                .then_some(2),
            _ => (F::from_media_type(self.text) == Some(format)).then_some(3),
        }
    }
}

/// The format of `formats` (in order of preference) that the request's
/// `Accept` header rates best. 406 `not_acceptable` when it rates none above
/// zero; 400 when the header cannot be read.
pub fn negotiate<F: Format>(headers: &HeaderMap, formats: &[F]) -> Result<F, ApiError> {
    let mut ranges = Vec::new();
    for value in headers.get_all(header::ACCEPT) {
        let text = value
            .to_str()
            .map_err(|_| ApiError::bad_parameter("the Accept header is not ASCII text"))?;
        for part in text.split(',').filter(|p| !p.trim().is_empty()) {
            ranges.push(parse_range(part)?);
        }
    }
    let Some(&first) = formats.first() else {
        return Err(ApiError::internal("content negotiation without formats"));
    };
    if ranges.is_empty() {
        return Ok(first);
    }
    let mut best: Option<(F, f32)> = None;
    for &format in formats {
        // The most specific range that matches says the format's quality.
        let q = ranges
            .iter()
            .filter_map(|range| range.specificity(format).map(|s| (s, range.q)))
            .max_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)))
            .map_or(0.0, |(_, q)| q);
        if q > 0.0 && best.is_none_or(|(_, best_q)| q > best_q) {
            best = Some((format, q));
        }
    }
    best.map(|(format, _)| format).ok_or_else(|| {
        let offered: Vec<&str> = formats.iter().map(|f| f.media_type()).collect();
        ApiError::new(
            ErrorCode::NotAcceptable,
            format!(
                "none of the media types in the Accept header can express this answer; ask for one of {}",
                offered.join(", ")
            ),
        )
    })
}

/// Reads `type/subtype;param=value;q=0.5`.
fn parse_range(part: &str) -> Result<Range<'_>, ApiError> {
    let mut params = part.split(';');
    let media = params.next().unwrap_or_default().trim();
    let mut q = 1.0;
    for param in params {
        if let Some((name, value)) = param.split_once('=')
            && name.trim().eq_ignore_ascii_case("q")
        {
            q = value
                .trim()
                .parse::<f32>()
                .ok()
                .filter(|q| (0.0..=1.0).contains(q))
                .ok_or_else(|| {
                    ApiError::bad_parameter(format!(
                        "invalid quality {:?} in the Accept header: expected a number from 0 to 1",
                        value.trim()
                    ))
                })?;
        }
    }
    let Some((kind, subtype)) = media.split_once('/') else {
        return Err(ApiError::bad_parameter(format!(
            "invalid media range {media:?} in the Accept header: expected type/subtype"
        )));
    };
    let (kind, subtype) = (
        kind.trim().to_ascii_lowercase(),
        subtype.trim().to_ascii_lowercase(),
    );
    if kind.is_empty() || subtype.is_empty() || (kind == "*" && subtype != "*") {
        return Err(ApiError::bad_parameter(format!(
            "invalid media range {media:?} in the Accept header"
        )));
    }
    Ok(Range {
        kind,
        subtype,
        text: media,
        q,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, value.parse().unwrap());
        headers
    }

    fn solutions(value: &str) -> Result<QueryResultsFormat, ErrorCode> {
        negotiate(&accept(value), SOLUTIONS).map_err(|e| e.0.code)
    }

    fn graph(value: &str) -> Result<RdfFormat, ErrorCode> {
        negotiate(&accept(value), GRAPH).map_err(|e| e.0.code)
    }

    #[test]
    fn defaults_without_accept_or_with_anything() {
        assert_eq!(
            negotiate(&HeaderMap::new(), SOLUTIONS).unwrap(),
            QueryResultsFormat::Json
        );
        assert_eq!(negotiate(&HeaderMap::new(), GRAPH).unwrap(), RdfFormat::NTriples);
        assert_eq!(negotiate(&HeaderMap::new(), DATASET).unwrap(), RdfFormat::NQuads);
        assert_eq!(solutions("*/*"), Ok(QueryResultsFormat::Json));
        assert_eq!(graph("*/*"), Ok(RdfFormat::NTriples));
        assert_eq!(graph("text/*"), Ok(RdfFormat::Turtle));
        assert_eq!(solutions("text/*"), Ok(QueryResultsFormat::Csv));
    }

    #[test]
    fn exact_types_and_aliases() {
        assert_eq!(solutions("text/csv"), Ok(QueryResultsFormat::Csv));
        assert_eq!(
            solutions("text/tab-separated-values"),
            Ok(QueryResultsFormat::Tsv)
        );
        assert_eq!(
            solutions("application/sparql-results+xml"),
            Ok(QueryResultsFormat::Xml)
        );
        assert_eq!(
            solutions("application/sparql-results+json;charset=utf-8"),
            Ok(QueryResultsFormat::Json)
        );
        assert_eq!(solutions("application/json"), Ok(QueryResultsFormat::Json));
        assert_eq!(graph("text/turtle"), Ok(RdfFormat::Turtle));
        assert_eq!(graph("application/ld+json"), Ok(JSON_LD));
        assert_eq!(graph("application/rdf+xml"), Ok(RdfFormat::RdfXml));
        assert_eq!(graph("application/trig"), Ok(RdfFormat::TriG));
    }

    #[test]
    fn quality_decides_then_server_preference() {
        assert_eq!(
            solutions("text/foo;q=0.5 , text/json ; q = 0.7"),
            Ok(QueryResultsFormat::Json)
        );
        assert_eq!(solutions("text/foo;q=0.9,text/csv"), Ok(QueryResultsFormat::Csv));
        assert_eq!(
            solutions("text/csv;q=0.5, text/tab-separated-values"),
            Ok(QueryResultsFormat::Tsv)
        );
        assert_eq!(
            solutions("text/tab-separated-values, text/csv"),
            Ok(QueryResultsFormat::Csv)
        );
        // A specific q=0 excludes a format that a wildcard would allow.
        assert_eq!(
            solutions("application/sparql-results+json;q=0, */*;q=0.1"),
            Ok(QueryResultsFormat::Xml)
        );
        // A browser asking for HTML first still gets something.
        assert_eq!(
            graph("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            Ok(RdfFormat::RdfXml)
        );
    }

    #[test]
    fn nothing_acceptable_is_406_and_garbage_is_400() {
        assert_eq!(solutions("application/foo"), Err(ErrorCode::NotAcceptable));
        assert_eq!(solutions("text/turtle"), Err(ErrorCode::NotAcceptable));
        assert_eq!(
            negotiate(&accept("text/turtle"), DATASET).map_err(|e| e.0.code),
            Err(ErrorCode::NotAcceptable)
        );
        assert_eq!(solutions("image/*"), Err(ErrorCode::NotAcceptable));
        assert_eq!(solutions("*/*;q=0"), Err(ErrorCode::NotAcceptable));
        assert_eq!(solutions("json"), Err(ErrorCode::InvalidParameter));
        assert_eq!(solutions("text/csv;q=high"), Err(ErrorCode::InvalidParameter));
    }
}
