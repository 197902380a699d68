//! Identities interned to integers: datasets, jobs and columns.
//!
//! Every identity gets a dense [`Id`], which is also its node index in the
//! projection's graph, so a traversal works on integers and never touches a
//! string. Namespaces and field names repeat across thousands of identities
//! and are interned once.
//!
//! Symlinks (a dataset known under several names) are a union-find over the
//! ids: [`Ids::find`] gives the canonical id of any alias, and aliased
//! datasets share their columns field by field.

use std::collections::HashMap;

use crate::openlineage::NodeId;

/// An interned identity, and its node index in the projection.
pub type Id = u32;

/// What an identity names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A dataset.
    Dataset,
    /// A job.
    Job,
    /// A column of a dataset.
    Column,
}

impl Kind {
    /// The type name used in answers (`DATASET`, `JOB`, `DATASET_FIELD`, as Marquez).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dataset => "DATASET",
            Self::Job => "JOB",
            Self::Column => "DATASET_FIELD",
        }
    }
}

/// How an identity is spelled, by interned parts.
#[derive(Debug, Clone)]
enum Name {
    /// A dataset or job: namespace and name.
    Entity { namespace: u32, name: Box<str> },
    /// A column: its dataset and field.
    Column { dataset: Id, field: u32 },
}

/// The interned identities.
#[derive(Debug, Default)]
pub struct Ids {
    kinds: Vec<Kind>,
    names: Vec<Name>,
    /// Union-find parents (symlinks); an id is canonical when it is its own parent.
    parents: Vec<Id>,
    namespaces: Strings,
    fields: Strings,
    entities: HashMap<(Kind, u32, Box<str>), Id>,
    columns: HashMap<(Id, u32), Id>,
    /// The columns of each dataset that has any, in the order first seen.
    columns_of: HashMap<Id, Vec<Id>>,
}

/// Strings interned to integers.
#[derive(Debug, Default)]
struct Strings {
    all: Vec<Box<str>>,
    index: HashMap<Box<str>, u32>,
}

impl Strings {
    fn intern(&mut self, text: &str) -> u32 {
        if let Some(&i) = self.index.get(text) {
            return i;
        }
        let i = self.all.len() as u32;
        self.all.push(text.into());
        self.index.insert(text.into(), i);
        i
    }

    fn get(&self, text: &str) -> Option<u32> {
        self.index.get(text).copied()
    }
}

impl Ids {
    /// How many identities there are (ids are `0..len`).
    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    fn push(&mut self, kind: Kind, name: Name) -> Id {
        let id = self.kinds.len() as Id;
        self.kinds.push(kind);
        self.names.push(name);
        self.parents.push(id);
        id
    }

    /// The id of a dataset or job, interned if new.
    pub fn entity(&mut self, kind: Kind, namespace: &str, name: &str) -> Id {
        let ns = self.namespaces.intern(namespace);
        let key = (kind, ns, Box::from(name));
        if let Some(&id) = self.entities.get(&key) {
            return id;
        }
        let id = self.push(
            kind,
            Name::Entity {
                namespace: ns,
                name: name.into(),
            },
        );
        self.entities.insert(key, id);
        id
    }

    /// The id of a column, interned if new. A column of an aliased dataset
    /// is the same column as the canonical dataset's field of that name.
    pub fn column(&mut self, dataset: Id, field: &str) -> Id {
        let f = self.fields.intern(field);
        if let Some(&id) = self.columns.get(&(dataset, f)) {
            return id;
        }
        let id = self.push(Kind::Column, Name::Column { dataset, field: f });
        self.columns.insert((dataset, f), id);
        self.columns_of.entry(dataset).or_default().push(id);
        let canonical = self.find(dataset);
        if canonical != dataset {
            let twin = self.column(canonical, field);
            self.union(id, twin);
        }
        id
    }

    /// The id of a known identity, without interning.
    pub fn lookup(&self, node: &NodeId) -> Option<Id> {
        match node {
            NodeId::Dataset { namespace, name } => self.lookup_entity(Kind::Dataset, namespace, name),
            NodeId::Job { namespace, name } => self.lookup_entity(Kind::Job, namespace, name),
            NodeId::DatasetField {
                namespace,
                name,
                field,
            } => {
                let dataset = self.lookup_entity(Kind::Dataset, namespace, name)?;
                let f = self.fields.get(field)?;
                self.columns.get(&(dataset, f)).copied()
            }
        }
    }

    fn lookup_entity(&self, kind: Kind, namespace: &str, name: &str) -> Option<Id> {
        let ns = self.namespaces.get(namespace)?;
        self.entities.get(&(kind, ns, Box::from(name))).copied()
    }

    /// What an id names.
    pub fn kind(&self, id: Id) -> Kind {
        self.kinds[id as usize]
    }

    /// The namespace of a dataset or job, or of a column's dataset.
    pub fn namespace(&self, id: Id) -> &str {
        match &self.names[id as usize] {
            Name::Entity { namespace, .. } => &self.namespaces.all[*namespace as usize],
            Name::Column { dataset, .. } => self.namespace(*dataset),
        }
    }

    /// The name of a dataset or job, or of a column's dataset.
    pub fn name(&self, id: Id) -> &str {
        match &self.names[id as usize] {
            Name::Entity { name, .. } => name,
            Name::Column { dataset, .. } => self.name(*dataset),
        }
    }

    /// A column's field; `None` for datasets and jobs.
    pub fn field(&self, id: Id) -> Option<&str> {
        match &self.names[id as usize] {
            Name::Entity { .. } => None,
            Name::Column { field, .. } => Some(&self.fields.all[*field as usize]),
        }
    }

    /// A column's dataset; `None` for datasets and jobs.
    pub fn dataset_of(&self, id: Id) -> Option<Id> {
        match &self.names[id as usize] {
            Name::Entity { .. } => None,
            Name::Column { dataset, .. } => Some(*dataset),
        }
    }

    /// The columns a dataset has been seen with.
    pub fn columns_of(&self, dataset: Id) -> &[Id] {
        self.columns_of.get(&dataset).map_or(&[], Vec::as_slice)
    }

    /// The Marquez-style node id of an identity.
    pub fn node_id(&self, id: Id) -> NodeId {
        let (namespace, name) = (self.namespace(id).to_owned(), self.name(id).to_owned());
        match self.kind(id) {
            Kind::Dataset => NodeId::Dataset { namespace, name },
            Kind::Job => NodeId::Job { namespace, name },
            Kind::Column => NodeId::DatasetField {
                namespace,
                name,
                field: self.field(id).unwrap_or_default().to_owned(),
            },
        }
    }

    /// The canonical id of an identity (itself unless symlinked to another).
    pub fn find(&self, mut id: Id) -> Id {
        while self.parents[id as usize] != id {
            id = self.parents[id as usize];
        }
        id
    }

    /// Makes `alias` another name of `canonical`; returns the identities
    /// whose canonical id changed (the alias and, for datasets, its columns),
    /// empty if they were already one.
    pub fn union(&mut self, alias: Id, canonical: Id) -> Vec<Id> {
        let (a, c) = (self.find(alias), self.find(canonical));
        if a == c {
            return Vec::new();
        }
        self.parents[a as usize] = c;
        let mut moved = vec![a];
        if self.kind(a) == Kind::Dataset {
            for column in self.columns_of(a).to_vec() {
                let field = self.field(column).unwrap_or_default().to_owned();
                let twin = self.column(c, &field);
                moved.extend(self.union(column, twin));
            }
        }
        moved
    }

    /// Approximate heap bytes held, for the benchmark's bytes-per-edge figure.
    pub fn heap_bytes(&self) -> usize {
        let strings = |s: &Strings| s.all.iter().map(|t| 2 * (t.len() + 16) + 24).sum::<usize>();
        self.kinds.capacity()
            + self.names.capacity() * std::mem::size_of::<Name>()
            + self.parents.capacity() * 4
            + strings(&self.namespaces)
            + strings(&self.fields)
            + self.entities.keys().map(|k| k.2.len() + 40).sum::<usize>()
            + self
                .names
                .iter()
                .map(|n| match n {
                    Name::Entity { name, .. } => name.len(),
                    Name::Column { .. } => 0,
                })
                .sum::<usize>()
            + self.columns.capacity() * 20
            + self
                .columns_of
                .values()
                .map(|v| v.capacity() * 4 + 40)
                .sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_round_trip_and_columns_follow_symlinks() {
        let mut ids = Ids::default();
        let a = ids.entity(Kind::Dataset, "pg://h:5432", "public.a");
        assert_eq!(ids.entity(Kind::Dataset, "pg://h:5432", "public.a"), a);
        let job = ids.entity(Kind::Job, "pg://h:5432", "public.a");
        assert_ne!(job, a, "a job and a dataset may share a name");
        let col = ids.column(a, "id");
        assert_eq!(
            ids.node_id(col),
            NodeId::DatasetField {
                namespace: "pg://h:5432".into(),
                name: "public.a".into(),
                field: "id".into()
            }
        );
        assert_eq!(ids.lookup(&ids.node_id(col)), Some(col));

        let b = ids.entity(Kind::Dataset, "s3://bucket", "a");
        let moved = ids.union(b, a);
        assert_eq!(moved, [b]);
        assert_eq!(ids.find(b), a);
        // A column seen later under the alias is the canonical column.
        let alias_col = ids.column(b, "id");
        assert_eq!(ids.find(alias_col), col);
        assert!(ids.union(b, a).is_empty());
    }
}
