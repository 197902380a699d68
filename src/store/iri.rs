//! Deterministic IRIs for everything meshgraph stores.
//!
//! An IRI is a pure function of an identity, so replaying the log yields the
//! same graph and re-sending an event changes nothing. Names may contain
//! anything (spaces, quotes, `<>`, `#`, `/`, unicode); each part is
//! percent-encoded, everything but RFC 3986 unreserved characters, so no name
//! can break out of its segment or collide with another identity.

use oxigraph::model::NamedNode;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use uuid::Uuid;

/// Prefix of every instance IRI.
pub const ID_BASE: &str = "https://meshgraph.dev/id/";

/// Everything but unreserved characters (`A-Z a-z 0-9 - . _ ~`) is encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one path segment.
pub fn segment(text: &str) -> String {
    utf8_percent_encode(text, SEGMENT).to_string()
}

fn node(iri: String) -> NamedNode {
    // Only ID_BASE, fixed words and encoded segments go in: always a valid IRI.
    NamedNode::new_unchecked(iri)
}

/// A graph made by the Graph Store for a document POSTed without a name.
pub fn new_graph(id: uuid::Uuid) -> NamedNode {
    node(format!("{ID_BASE}graph/{id}"))
}

/// The graph of the annotations written through the API rather than loaded
/// as documents: the `mg:concept` statements of GraphQL's `tieConcept`.
pub fn annotations_graph() -> NamedNode {
    node(format!("{ID_BASE}graph/annotations"))
}

/// A namespace.
pub fn namespace(namespace: &str) -> NamedNode {
    node(format!("{ID_BASE}namespace/{}", segment(namespace)))
}

/// A dataset, by namespace and name.
pub fn dataset(namespace: &str, name: &str) -> NamedNode {
    node(format!(
        "{ID_BASE}dataset/{}/{}",
        segment(namespace),
        segment(name)
    ))
}

/// A column of a dataset, by its field path (nested names joined by `.`).
pub fn field(namespace: &str, name: &str, path: &str) -> NamedNode {
    node(format!(
        "{ID_BASE}dataset/{}/{}/field/{}",
        segment(namespace),
        segment(name),
        segment(path)
    ))
}

/// A job, by namespace and name.
pub fn job(namespace: &str, name: &str) -> NamedNode {
    node(format!("{ID_BASE}job/{}/{}", segment(namespace), segment(name)))
}

/// A run, by its UUID.
pub fn run(run_id: Uuid) -> NamedNode {
    node(format!("{ID_BASE}run/{}", run_id.hyphenated()))
}

/// An owner (team or person), by the name in ownership facets.
pub fn owner(name: &str) -> NamedNode {
    node(format!("{ID_BASE}owner/{}", segment(name)))
}

/// A node (and graph) below another: `{parent}/{word}/{encoded part}`.
pub fn child(parent: &NamedNode, word: &str, part: &str) -> NamedNode {
    node(format!("{}/{word}/{}", parent.as_str(), segment(part)))
}

/// The facet of key `key` on `owner` (an entity, a run, a run's input or
/// output); also the name of the graph that holds that facet.
pub fn facet(owner: &NamedNode, key: &str) -> NamedNode {
    child(owner, "facet", key)
}

/// A run's use of an input dataset (a `prov:Usage`), or a job's declared input.
pub fn usage(activity: &NamedNode, namespace: &str, name: &str) -> NamedNode {
    node(format!(
        "{}/input/{}/{}",
        activity.as_str(),
        segment(namespace),
        segment(name)
    ))
}

/// A run's generation of an output dataset (a `prov:Generation`), or a job's declared output.
pub fn generation(activity: &NamedNode, namespace: &str, name: &str) -> NamedNode {
    node(format!(
        "{}/output/{}/{}",
        activity.as_str(),
        segment(namespace),
        segment(name)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_name_gives_a_valid_distinct_iri() {
        let nasty = "a b\"<c>#d/é";
        let iri = dataset("ns", nasty);
        assert_eq!(
            iri.as_str(),
            "https://meshgraph.dev/id/dataset/ns/a%20b%22%3Cc%3E%23d%2F%C3%A9"
        );
        assert!(NamedNode::new(iri.as_str()).is_ok());
        assert_ne!(dataset("a/b", "c"), dataset("a", "b/c"));
        assert_ne!(field("n", "t", "a.b"), field("n", "t.a", "b"));
    }

    #[test]
    fn iris_are_deterministic() {
        let id = Uuid::parse_str("43D7DB3B-8984-4CDA-B237-8C6919B36670").unwrap();
        assert_eq!(
            run(id).as_str(),
            "https://meshgraph.dev/id/run/43d7db3b-8984-4cda-b237-8c6919b36670"
        );
        assert_eq!(
            facet(&job("s", "j"), "spark.logicalPlan").as_str(),
            "https://meshgraph.dev/id/job/s/j/facet/spark.logicalPlan"
        );
    }
}
