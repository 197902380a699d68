//! The RDF store: an oxigraph [`Store`](oxigraph::store::Store) behind a small
//! interface, its vocabulary and the deterministic IRIs of what it holds.
//!
//! Only the writer changes it, through [`Store::apply`], one transaction per
//! group commit (oxigraph 0.5 does not detect write conflicts, so nothing else
//! may write). Readers use [`Store::oxigraph`] for patterns and queries, from
//! blocking tasks: oxigraph is synchronous.

pub mod iri;
pub mod read;
pub mod vocab;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use oxigraph::model::{GraphNameRef, Literal, NamedNode, NamedNodeRef, Quad, Term};
use oxigraph::store::{StorageError, Transaction};

use crate::mapping::{GraphWrite, map_event, quad, run_state, time_literal};
use crate::openlineage::{Event, EventType, Timestamp};
use vocab::{mg, prov};

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// oxigraph failed to read or write.
    #[error("RDF store: {0}")]
    Storage(#[from] StorageError),
}

/// The RDF store.
#[derive(Clone)]
pub struct Store {
    inner: oxigraph::store::Store,
    /// The latest event time of each namespace, dataset and job (see
    /// [`GraphWrite::Touch`]); rebuilt with the store on replay.
    updated: Arc<RwLock<HashMap<NamedNode, Timestamp>>>,
}

impl Store {
    /// An empty in-memory store; the views are rebuilt from the log at start-up.
    pub fn in_memory() -> Result<Self, StoreError> {
        Ok(Self {
            inner: oxigraph::store::Store::new()?,
            updated: Arc::default(),
        })
    }

    /// The latest event time of a namespace, dataset or job.
    pub fn updated_at(&self, entity: &NamedNode) -> Option<Timestamp> {
        self.updated
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(entity)
            .copied()
    }

    /// The oxigraph store, for reading (patterns, SPARQL).
    pub fn oxigraph(&self) -> &oxigraph::store::Store {
        &self.inner
    }

    /// Maps and applies events in one transaction, in order. Each event is
    /// mapped against the transaction's current content, so a facet that an
    /// earlier event of the same group changed is never wrongly skipped.
    pub fn apply_events(&self, events: &[&Event]) -> Result<(), StoreError> {
        let mut txn = self.inner.start_transaction()?;
        let mut touched = Vec::new();
        for event in events {
            // A failed lookup only costs a rewrite of an unchanged facet.
            let writes = map_event(event, &|q| txn.contains(q).unwrap_or(false));
            for write in &writes {
                apply_one(&mut txn, write)?;
            }
            touched.extend(writes.into_iter().filter_map(|w| match w {
                GraphWrite::Touch { entity, time, .. } => Some((entity, time)),
                _ => None,
            }));
        }
        txn.commit()?;
        self.raise_updated(touched);
        Ok(())
    }

    /// Applies the writes of many events in one transaction, in order.
    pub fn apply<'a>(&self, writes: impl IntoIterator<Item = &'a GraphWrite>) -> Result<(), StoreError> {
        let mut txn = self.inner.start_transaction()?;
        let mut touched = Vec::new();
        for write in writes {
            if let GraphWrite::Touch { entity, time, .. } = write {
                touched.push((entity.clone(), *time));
            }
            apply_one(&mut txn, write)?;
        }
        txn.commit()?;
        self.raise_updated(touched);
        Ok(())
    }

    /// Records, after a commit, the latest event time of touched entities.
    fn raise_updated(&self, touched: Vec<(NamedNode, Timestamp)>) {
        let mut updated = self.updated.write().unwrap_or_else(|e| e.into_inner());
        for (entity, time) in touched {
            updated
                .entry(entity)
                .and_modify(|latest| *latest = (*latest).max(time))
                .or_insert(time);
        }
    }
}

fn existing(txn: &Transaction<'_>, q: &Quad) -> Result<Vec<Quad>, StorageError> {
    txn.quads_for_pattern(
        Some(q.subject.as_ref()),
        Some(q.predicate.as_ref()),
        None,
        Some(q.graph_name.as_ref()),
    )
    .collect()
}

fn apply_one(txn: &mut Transaction<'_>, write: &GraphWrite) -> Result<(), StorageError> {
    match write {
        GraphWrite::Insert(q) => txn.insert(q),
        GraphWrite::Set(q) => {
            for old in existing(txn, q)? {
                if old != *q {
                    txn.remove(&old);
                }
            }
            txn.insert(q);
        }
        GraphWrite::SetOnce(q) => {
            if existing(txn, q)?.is_empty() {
                txn.insert(q);
            }
        }
        GraphWrite::Touch { known: true, .. } => {}
        GraphWrite::Touch { entity, time, .. } => {
            let created = quad(entity, mg::CREATED_AT, time_literal(*time), entity);
            if existing(txn, &created)?.is_empty() {
                txn.insert(&created);
            }
        }
        GraphWrite::ReplaceGraph { graph, quads } => {
            txn.clear_graph(graph)?;
            txn.extend(quads);
        }
        GraphWrite::ClearGraph(graph) => txn.clear_graph(graph)?,
        GraphWrite::ResolveRunState(run) => resolve_run_state(txn, run)?,
    }
    Ok(())
}

/// Reads a run's transitions and sets its state, start and end time.
fn resolve_run_state(txn: &mut Transaction<'_>, run: &NamedNode) -> Result<(), StorageError> {
    let graph = GraphNameRef::NamedNode(run.as_ref());
    let mut transitions = Vec::new();
    for q in txn.quads_for_pattern(
        Some(run.as_ref().into()),
        Some(mg::HAS_TRANSITION),
        None,
        Some(graph),
    ) {
        let Term::NamedNode(t) = q?.object else { continue };
        let kind = object_literal(txn, &t, mg::EVENT_TYPE, graph)?.and_then(|l| EventType::parse(l.value()));
        let time = object_literal(txn, &t, mg::EVENT_TIME, graph)?.and_then(|l| Timestamp::parse(l.value()));
        if let (Some(kind), Some(time)) = (kind, time) {
            transitions.push((kind, time));
        }
    }
    let status = run_state::resolve(&transitions);
    let mut set = |predicate: NamedNodeRef<'_>, value: Option<Literal>| -> Result<(), StorageError> {
        let old: Vec<Quad> = txn
            .quads_for_pattern(Some(run.as_ref().into()), Some(predicate), None, Some(graph))
            .collect::<Result<_, _>>()?;
        for q in old {
            txn.remove(&q);
        }
        if let Some(value) = value {
            txn.insert(&quad(run, predicate, value, run));
        }
        Ok(())
    };
    set(mg::STATE, status.state.map(|s| Literal::from(s.as_str())))?;
    set(prov::STARTED_AT_TIME, status.started_at.map(time_literal))?;
    set(prov::ENDED_AT_TIME, status.ended_at.map(time_literal))?;
    let latest = transitions.iter().map(|(_, time)| *time).max();
    if latest.is_some() {
        set(mg::UPDATED_AT, latest.map(time_literal))?;
    }
    Ok(())
}

fn object_literal(
    txn: &Transaction<'_>,
    subject: &NamedNode,
    predicate: NamedNodeRef<'_>,
    graph: GraphNameRef<'_>,
) -> Result<Option<Literal>, StorageError> {
    for q in txn.quads_for_pattern(Some(subject.as_ref().into()), Some(predicate), None, Some(graph)) {
        if let Term::Literal(l) = q?.object {
            return Ok(Some(l));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openlineage::parse_event;
    use crate::store::vocab::rdf;
    use oxigraph::model::GraphNameRef;

    fn dataset_event(time: &str, description: &str) -> Event {
        parse_event(&format!(
            r#"{{"eventTime":"{time}","producer":"p","dataset":{{"namespace":"n","name":"d",
            "facets":{{"documentation":{{"description":"{description}"}}}}}}}}"#
        ))
        .unwrap()
    }

    /// The first object of `(subject, predicate, *)` in any graph, if any.
    fn first_object(
        store: &oxigraph::store::Store,
        subject: NamedNodeRef<'_>,
        predicate: NamedNodeRef<'_>,
    ) -> Result<Option<Term>, StoreError> {
        Ok(store
            .quads_for_pattern(Some(subject.into()), Some(predicate), None, None)
            .next()
            .transpose()?
            .map(|q| q.object))
    }

    fn facet_json(store: &Store) -> Vec<String> {
        let graph = iri::facet(&iri::dataset("n", "d"), "documentation");
        store
            .oxigraph()
            .quads_for_pattern(
                None,
                Some(mg::FACET_JSON),
                None,
                Some(GraphNameRef::NamedNode(graph.as_ref())),
            )
            .map(|q| match q.unwrap().object {
                Term::Literal(l) => {
                    assert_eq!(l.datatype(), rdf::JSON);
                    l.value().to_owned()
                }
                other => panic!("{other}"),
            })
            .collect()
    }

    #[test]
    fn an_unchanged_facet_is_skipped_only_when_it_is_still_current() {
        let store = Store::in_memory().unwrap();
        let v1 = dataset_event("2024-01-01T00:00:00Z", "one");
        store.apply_events(&[&v1]).unwrap();
        // In one group: v2 replaces v1, then v1 comes back. The second event
        // must not be skipped for matching what the store held before the group.
        let v2 = dataset_event("2024-01-02T00:00:00Z", "two");
        let v1_again = dataset_event("2024-01-03T00:00:00Z", "one");
        store.apply_events(&[&v2, &v1_again]).unwrap();
        assert_eq!(facet_json(&store), [r#"{"description":"one"}"#]);
        let before = store.oxigraph().len().unwrap();
        store.apply_events(&[&v1_again]).unwrap();
        assert_eq!(store.oxigraph().len().unwrap(), before);
    }

    #[test]
    fn updated_at_is_the_latest_event_time_and_created_at_the_first_seen() {
        let store = Store::in_memory().unwrap();
        store
            .apply_events(&[&dataset_event("2024-01-02T00:00:00Z", "x")])
            .unwrap();
        store
            .apply_events(&[&dataset_event("2024-01-01T00:00:00Z", "x")])
            .unwrap();
        let ds = iri::dataset("n", "d");
        assert_eq!(store.updated_at(&ds), Timestamp::parse("2024-01-02T00:00:00Z"));
        let created = first_object(store.oxigraph(), ds.as_ref(), mg::CREATED_AT).unwrap();
        assert_eq!(
            created,
            Some(time_literal(Timestamp::parse("2024-01-02T00:00:00Z").unwrap()).into())
        );
    }
}
