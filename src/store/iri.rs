//! Deterministic IRIs for everything meshgraph stores.
//!
//! An IRI is a pure function of an identity, so replaying the log yields the
//! same graph and re-sending an event changes nothing. Names may contain
//! anything (spaces, quotes, `<>`, `#`, `/`, unicode); each part is
//! percent-encoded, everything but RFC 3986 unreserved characters, so no name
//! can break out of its segment or collide with another identity.

use oxigraph::model::NamedNode;
use uuid::Uuid;

/// Prefix of every instance IRI.
pub const ID_BASE: &str = "https://meshgraph.dev/id/";

/// The bytes copied as they are: RFC 3986's unreserved characters
/// (`A-Z a-z 0-9 - . _ ~`). Every other byte, UTF-8 bytes included, is
/// percent-encoded.
const UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
        byte += 1;
    }
    table
};

/// Percent-encodes one path segment.
pub fn segment(text: &str) -> String {
    Iri(String::with_capacity(text.len())).encoded(text).0
}

/// An IRI being built, one part after another. Parts are appended to one
/// string: the writer builds several IRIs for every event, and going
/// through `format!` and percent-encoding's `Display` cost a tenth of its
/// time.
struct Iri(String);

impl Iri {
    /// `{ID_BASE}{kind}`.
    fn base(kind: &str) -> Self {
        let mut iri = String::with_capacity(ID_BASE.len() + kind.len() + 64);
        iri.push_str(ID_BASE);
        iri.push_str(kind);
        Self(iri)
    }

    /// `{parent}/{word}`.
    fn under(parent: &NamedNode, word: &str) -> Self {
        let mut iri = String::with_capacity(parent.as_str().len() + word.len() + 48);
        iri.push_str(parent.as_str());
        Self(iri).word(word)
    }

    /// Appends `/{word}`: a fixed word, never encoded.
    fn word(mut self, word: &str) -> Self {
        self.0.push('/');
        self.0.push_str(word);
        self
    }

    /// Appends `/` and `text` percent-encoded.
    fn segment(mut self, text: &str) -> Self {
        self.0.push('/');
        self.encoded(text)
    }

    /// Appends `text` percent-encoded: runs of unreserved characters are
    /// copied whole, any other byte becomes `%XX`. A table lookup per byte:
    /// `percent_encoding`'s iterator, one chunk at a time, took a twentieth
    /// of the writer's time.
    fn encoded(mut self, text: &str) -> Self {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        self.0.reserve(text.len());
        let mut copied = 0;
        for (at, &byte) in text.as_bytes().iter().enumerate() {
            if UNRESERVED[usize::from(byte)] {
                continue;
            }
            // A run of unreserved bytes is ASCII, so it starts and ends on
            // character boundaries.
            if copied < at {
                self.0.push_str(&text[copied..at]);
            }
            self.0.push('%');
            self.0.push(char::from(HEX[usize::from(byte >> 4)]));
            self.0.push(char::from(HEX[usize::from(byte & 0xF)]));
            copied = at + 1;
        }
        if copied < text.len() {
            self.0.push_str(&text[copied..]);
        }
        self
    }

    fn node(self) -> NamedNode {
        // Only ID_BASE, fixed words and encoded segments go in: always a valid IRI.
        NamedNode::new_unchecked(self.0)
    }
}

/// A graph made by the Graph Store for a document POSTed without a name.
pub fn new_graph(id: uuid::Uuid) -> NamedNode {
    Iri::base("graph").word(&id.hyphenated().to_string()).node()
}

/// The graph of the annotations written through the API rather than loaded
/// as documents: the `mg:concept` statements of GraphQL's `tieConcept`.
pub fn annotations_graph() -> NamedNode {
    Iri::base("graph").word("annotations").node()
}

/// A namespace.
pub fn namespace(namespace: &str) -> NamedNode {
    Iri::base("namespace").segment(namespace).node()
}

/// The kind word of dataset IRIs.
const DATASET: &str = "dataset";

/// A dataset, by namespace and name.
pub fn dataset(namespace: &str, name: &str) -> NamedNode {
    Iri::base(DATASET).segment(namespace).segment(name).node()
}

/// A column of a dataset, by its field path (nested names joined by `.`).
pub fn field(namespace: &str, name: &str, path: &str) -> NamedNode {
    column(&dataset(namespace, name), path)
}

/// A column of the dataset of IRI `dataset` (from [`dataset`]): the same
/// IRI as [`field`]'s, without encoding the dataset's names again.
pub fn column(dataset: &NamedNode, path: &str) -> NamedNode {
    child(dataset, "field", path)
}

/// A job, by namespace and name.
pub fn job(namespace: &str, name: &str) -> NamedNode {
    Iri::base("job").segment(namespace).segment(name).node()
}

/// A run, by its UUID.
pub fn run(run_id: Uuid) -> NamedNode {
    let mut buffer = Uuid::encode_buffer();
    Iri::base("run")
        .word(run_id.hyphenated().encode_lower(&mut buffer))
        .node()
}

/// An owner (team or person), by the name in ownership facets.
pub fn owner(name: &str) -> NamedNode {
    Iri::base("owner").segment(name).node()
}

/// A node (and graph) below another: `{parent}/{word}/{encoded part}`.
pub fn child(parent: &NamedNode, word: &str, part: &str) -> NamedNode {
    Iri::under(parent, word).segment(part).node()
}

/// The facet of key `key` on `owner` (an entity, a run, a run's input or
/// output); also the name of the graph that holds that facet.
pub fn facet(owner: &NamedNode, key: &str) -> NamedNode {
    child(owner, "facet", key)
}

/// A run's use of an input dataset (a `prov:Usage`), or a job's declared
/// input: `{activity}/input/{namespace}/{name}`; `dataset` is the dataset's
/// IRI (from [`dataset`]).
pub fn usage(activity: &NamedNode, dataset: &NamedNode) -> NamedNode {
    io(activity, "input", dataset)
}

/// A run's generation of an output dataset (a `prov:Generation`), or a
/// job's declared output: `{activity}/output/{namespace}/{name}`; `dataset`
/// is the dataset's IRI (from [`dataset`]).
pub fn generation(activity: &NamedNode, dataset: &NamedNode) -> NamedNode {
    io(activity, "output", dataset)
}

/// `{activity}/{word}/` and the dataset's encoded namespace and name, as
/// its IRI has them: no name is encoded twice.
fn io(activity: &NamedNode, word: &str, dataset: &NamedNode) -> NamedNode {
    let names = dataset
        .as_str()
        .strip_prefix(ID_BASE)
        .and_then(|rest| rest.strip_prefix(DATASET))
        .and_then(|rest| rest.strip_prefix('/'));
    debug_assert!(names.is_some(), "not a dataset IRI: {dataset}");
    let mut iri = Iri::under(activity, word);
    iri.0.push('/');
    iri.0.push_str(names.unwrap_or_default());
    iri.node()
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
    fn every_kind_of_iri_encodes_each_name_as_one_segment() {
        let id = Uuid::parse_str("43d7db3b-8984-4cda-b237-8c6919b36670").unwrap();
        let base = ID_BASE;
        let (ns, name) = ("pg://h:5432", "a b/é");
        let ds = format!("{base}dataset/pg%3A%2F%2Fh%3A5432/a%20b%2F%C3%A9");
        let r = format!("{base}run/{id}");
        for (iri, expected) in [
            (new_graph(id), format!("{base}graph/{id}")),
            (annotations_graph(), format!("{base}graph/annotations")),
            (namespace(ns), format!("{base}namespace/pg%3A%2F%2Fh%3A5432")),
            (dataset(ns, name), ds.clone()),
            (field(ns, name, "x.y z"), format!("{ds}/field/x.y%20z")),
            (
                job(ns, name),
                format!("{base}job/pg%3A%2F%2Fh%3A5432/a%20b%2F%C3%A9"),
            ),
            (run(id), r.clone()),
            (owner("team:x"), format!("{base}owner/team%3Ax")),
            (
                child(&run(id), "transition", "1-START"),
                format!("{r}/transition/1-START"),
            ),
            (facet(&dataset(ns, name), "a~b"), format!("{ds}/facet/a~b")),
            (
                usage(&run(id), &dataset(ns, name)),
                format!("{r}/input/pg%3A%2F%2Fh%3A5432/a%20b%2F%C3%A9"),
            ),
            (
                generation(&run(id), &dataset(ns, "")),
                format!("{r}/output/pg%3A%2F%2Fh%3A5432/"),
            ),
        ] {
            assert_eq!(iri.as_str(), expected);
            assert!(NamedNode::new(iri.as_str()).is_ok(), "{iri}");
        }
        assert_eq!(segment("a/b c"), "a%2Fb%20c");
    }

    #[test]
    fn a_segment_encodes_every_byte_but_the_unreserved_ones() {
        use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
        const RESERVED: &AsciiSet = &NON_ALPHANUMERIC
            .remove(b'-')
            .remove(b'.')
            .remove(b'_')
            .remove(b'~');
        let ascii: String = (0..=127u8).map(char::from).collect();
        for text in [
            "",
            "plain-name_1.v2~x",
            "%",
            "%41",
            "a b\"<c>#d/é",
            "é",
            "zé",
            "éz",
            "日本語/テーブル",
            "emoji 🦀 tail",
            "snowflake://acme.sales",
            ascii.as_str(),
        ] {
            assert_eq!(
                segment(text),
                utf8_percent_encode(text, RESERVED).to_string(),
                "{text:?}"
            );
        }
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
