//! Marquez-style node ids: `dataset:NS:NAME`, `job:NS:NAME`,
//! `datasetField:NS:NAME:FIELD`.
//!
//! Namespaces are often URIs (`postgres://db.example:5432`), so the separator
//! is a colon that does not start `//` or a port number, as Marquez reads it.

use std::fmt;

/// A node of the lineage graph, as clients name it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeId {
    /// A dataset.
    Dataset {
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
    /// A job.
    Job {
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
    /// A column of a dataset.
    DatasetField {
        /// The dataset's namespace.
        namespace: String,
        /// The dataset's name.
        name: String,
        /// The field (path).
        field: String,
    },
}

/// Byte offsets of the colons that separate parts: not followed by `//` or a digit.
fn separators(text: &str) -> impl Iterator<Item = usize> + '_ {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().filter_map(move |(i, &b)| {
        let rest = &bytes[i + 1..];
        let starts_uri_or_port = rest.starts_with(b"//") || rest.first().is_some_and(u8::is_ascii_digit);
        (b == b':' && !starts_uri_or_port).then_some(i)
    })
}

impl NodeId {
    /// Parses a node id; `None` names nothing meshgraph knows.
    pub fn parse(text: &str) -> Option<Self> {
        let (kind, rest) = text.split_once(':')?;
        let first = separators(rest).next()?;
        let (namespace, tail) = (&rest[..first], &rest[first + 1..]);
        if namespace.is_empty() || tail.is_empty() {
            return None;
        }
        match kind {
            "dataset" => Some(Self::Dataset {
                namespace: namespace.to_owned(),
                name: tail.to_owned(),
            }),
            "job" => Some(Self::Job {
                namespace: namespace.to_owned(),
                name: tail.to_owned(),
            }),
            "datasetField" => {
                let last = separators(tail).last()?;
                let (name, field) = (&tail[..last], &tail[last + 1..]);
                (!name.is_empty() && !field.is_empty()).then(|| Self::DatasetField {
                    namespace: namespace.to_owned(),
                    name: name.to_owned(),
                    field: field.to_owned(),
                })
            }
            _ => None,
        }
    }

    /// A dataset's id.
    pub fn dataset(namespace: &str, name: &str) -> Self {
        Self::Dataset {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        }
    }

    /// A job's id.
    pub fn job(namespace: &str, name: &str) -> Self {
        Self::Job {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        }
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Dataset { namespace, name } => write!(f, "dataset:{namespace}:{name}"),
            Self::Job { namespace, name } => write!(f, "job:{namespace}:{name}"),
            Self::DatasetField {
                namespace,
                name,
                field,
            } => write!(f, "datasetField:{namespace}:{name}:{field}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_uri_namespaces_with_ports() {
        assert_eq!(
            NodeId::parse("dataset:postgres://db.example:5432:shop.public.orders"),
            Some(NodeId::dataset(
                "postgres://db.example:5432",
                "shop.public.orders"
            ))
        );
        assert_eq!(
            NodeId::parse("job:example-scheduler:nightly.order_totals"),
            Some(NodeId::job("example-scheduler", "nightly.order_totals"))
        );
        assert_eq!(
            NodeId::parse("datasetField:postgres://db:5432:shop.orders:amount"),
            Some(NodeId::DatasetField {
                namespace: "postgres://db:5432".into(),
                name: "shop.orders".into(),
                field: "amount".into()
            })
        );
    }

    #[test]
    fn display_and_parse_round_trip() {
        for id in [
            "dataset:ns:a b\"<c>#d/é",
            "job:s3://bucket:folder/file.csv",
            "datasetField:ns:t:c",
        ] {
            assert_eq!(NodeId::parse(id).unwrap().to_string(), id);
        }
    }

    #[test]
    fn rejects_what_names_nothing() {
        for bad in [
            "",
            "dataset",
            "dataset:ns",
            "dataset::x",
            "table:ns:x",
            "datasetField:ns:t",
        ] {
            assert_eq!(NodeId::parse(bad), None, "{bad}");
        }
    }
}
