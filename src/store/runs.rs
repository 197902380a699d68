//! The transitions of the runs in progress, kept by the writer so that an
//! event of a known run sets the run's state without reading it back.
//!
//! Every run event adds a transition to its run's graph and sets the run's
//! state, start, end and update time from all of its transitions
//! ([`run_state::resolve`]). Reading the transitions and the four values
//! back costs about ten pattern reads per event, each hashing the run's IRI
//! again. The writer instead remembers the transitions of each run it has
//! seen: it then knows what the store holds (the status of those
//! transitions) and writes only what the new transition changes.
//!
//! What is remembered is always what the store says, or forgotten:
//! - a run's first event ([`GraphWrite::ResolveRunState`] says the run is
//!   new) starts from no transitions, without reading;
//! - a run the writer does not remember (after a restart, or finished, or
//!   forgotten) is read back from the store, as before;
//! - a finished run (COMPLETE, FAIL, ABORT) is forgotten at commit: few
//!   runs hear anything after that, and the table stays as small as the
//!   number of runs in progress;
//! - an RDF change may have rewritten a run's graph by hand: everything is
//!   forgotten ([`Runs::forget`]);
//! - a transaction that fails leaves the table as it was: changes are
//!   staged in [`Staged`] and kept only at commit.
//!
//! [`GraphWrite::ResolveRunState`]: crate::mapping::GraphWrite::ResolveRunState

use oxigraph::model::{GraphNameRef, Literal, NamedNode, NamedNodeRef, Quad, Term};
use oxigraph::store::{StorageError, Transaction};

use super::vocab::{mg, prov};
use super::{Keyed, graph_key, object_literal};
use crate::mapping::{quad, run_state, time_literal};
use crate::openlineage::{EventType, Timestamp};

/// One transition: the event type and event time of a run event.
pub type Transition = (EventType, Timestamp);

/// At most this many runs in progress are remembered; past it the table
/// starts over (a run that is not remembered is only read back).
const MAX_RUNS: usize = 100_000;

/// The transitions of the runs in progress, as of the last commit, by the
/// run's [`graph_key`].
#[derive(Debug, Default)]
pub(super) struct Runs {
    known: Keyed<Vec<Transition>>,
}

/// What one transaction changed: each run's transitions after it.
#[derive(Debug, Default)]
pub(super) struct Staged {
    changed: Keyed<Vec<Transition>>,
}

impl Staged {
    /// Whether the run of key `run` is remembered, as of this transaction:
    /// then the store holds its identity, which its first event wrote.
    pub(super) fn knows(&self, runs: &Runs, run: u128) -> bool {
        self.changed.contains_key(&run) || runs.known.contains_key(&run)
    }
}

impl Runs {
    /// Keeps what a committed transaction staged.
    pub(super) fn commit(&mut self, staged: Staged) {
        if self.known.len() + staged.changed.len() > MAX_RUNS {
            self.known.clear();
        }
        for (run, transitions) in staged.changed {
            let finished = run_state::resolve(&transitions)
                .state
                .is_some_and(EventType::is_terminal);
            if finished {
                self.known.remove(&run);
            } else {
                self.known.insert(run, transitions);
            }
        }
    }

    /// Forgets every run: the store may have been changed behind the writer.
    pub(super) fn forget(&mut self) {
        self.known.clear();
    }

    /// Whether no run is remembered.
    #[cfg(test)]
    pub(super) fn is_empty(&self) -> bool {
        self.known.is_empty()
    }
}

/// Adds `transition` (if the event had a type) to `run` and sets the run's
/// state and times to match. `new`: the run had no event before this one,
/// so it has no transitions yet.
pub(super) fn resolve(
    txn: &mut Transaction<'_>,
    runs: &Runs,
    staged: &mut Staged,
    run: &NamedNode,
    transition: Option<Transition>,
    new: bool,
) -> Result<(), StorageError> {
    let key = graph_key(run);
    let remembered = staged
        .changed
        .get(&key)
        .or_else(|| runs.known.get(&key))
        .cloned()
        .or_else(|| new.then(Vec::new));
    let transitions = match remembered {
        Some(mut transitions) => {
            let before = status(&transitions);
            if let Some(t) = transition.filter(|t| !transitions.contains(t)) {
                transitions.push(t);
            }
            let after = status(&transitions);
            for ((predicate, old), (_, value)) in before.into_iter().zip(after) {
                if old != value {
                    if let Some(old) = old {
                        txn.remove(&quad(run, predicate, old.literal(), run));
                    }
                    if let Some(value) = value {
                        txn.insert(&quad(run, predicate, value.literal(), run));
                    }
                }
            }
            transitions
        }
        None => read_back(txn, run)?,
    };
    staged.changed.insert(key, transitions);
    Ok(())
}

/// One of the values [`status`] gives a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Value {
    State(EventType),
    Time(Timestamp),
}

impl Value {
    /// The literal the store holds. Built only for a value that changed:
    /// most events change one or two of the four, and each time literal
    /// costs a formatting here and a parse in oxigraph.
    fn literal(self) -> Literal {
        match self {
            Self::State(state) => Literal::from(state.as_str()),
            Self::Time(time) => time_literal(time),
        }
    }
}

/// What the store holds for a run with these transitions: its state,
/// start, end and update time (absent values are not stated).
fn status(transitions: &[Transition]) -> [(NamedNodeRef<'static>, Option<Value>); 4] {
    let status = run_state::resolve(transitions);
    let latest = transitions.iter().map(|(_, time)| *time).max();
    [
        (mg::STATE, status.state.map(Value::State)),
        (prov::STARTED_AT_TIME, status.started_at.map(Value::Time)),
        (prov::ENDED_AT_TIME, status.ended_at.map(Value::Time)),
        (mg::UPDATED_AT, latest.map(Value::Time)),
    ]
}

/// Reads a run's transitions from the store (this transaction's transition
/// included) and sets its state and times from them, whatever the store
/// held; returns the transitions.
fn read_back(txn: &mut Transaction<'_>, run: &NamedNode) -> Result<Vec<Transition>, StorageError> {
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
    for (predicate, value) in status(&transitions) {
        let old: Vec<Quad> = txn
            .quads_for_pattern(Some(run.as_ref().into()), Some(predicate), None, Some(graph))
            .collect::<Result<_, _>>()?;
        let new = value.map(|value| quad(run, predicate, value.literal(), run));
        // Most events leave these as they were; rewriting them anyway would
        // leave a dead version behind in the store each time.
        if old.len() == usize::from(new.is_some()) && new.as_ref().is_none_or(|n| old[0] == *n) {
            continue;
        }
        for q in old {
            txn.remove(&q);
        }
        if let Some(new) = new {
            txn.insert(&new);
        }
    }
    Ok(transitions)
}
