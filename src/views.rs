//! The views derived from the log: the RDF store, the lineage projection
//! and the search index; and what documents say of the mesh ([`Described`]),
//! read from the store once after each RDF change, and the catalog of
//! products and domains linked through the lineage ([`Views::catalog`]),
//! made once after each change of either.
//!
//! [`Views::apply`] (events) and [`Views::apply_change`] (documents, dropped
//! graphs, SPARQL updates) are the one way a logged record reaches them,
//! used both by the writer after each group commit and by the start-up
//! replay, so the views after a restart are exactly the views before it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};

use crate::catalog::{Catalog, CatalogError, Described};
use crate::lineage::Projection;
use crate::log::{Log, LogError, RecordKind};
use crate::openlineage::{Checked, Event, parse_located};
use crate::search::index::SearchIndex;
use crate::store::change::{ChangeError, RdfChange};
use crate::store::{ReadCounter, Store, StoreError};

/// From how many events [`Views::apply`] brings the projection and the
/// search index up to date on a second thread. Observing takes ~8 us an
/// event, starting a thread a few tens of microseconds: below this, the
/// thread would cost more than a twentieth of what it takes over.
const CONCURRENT_FROM: usize = 64;

/// The store, the projection and the search index, shared by the writer
/// and every reader.
#[derive(Clone)]
pub struct Views {
    store: Store,
    projection: Arc<RwLock<Projection>>,
    search: Arc<RwLock<SearchIndex>>,
    /// How many RDF changes were applied: what documents and updates say
    /// (products, domains, concepts) is read again after each.
    rdf_changes: Arc<AtomicU64>,
    described: Arc<Mutex<Option<ReadAfter>>>,
    /// How many times events changed the projection.
    projection_changes: Arc<AtomicU64>,
    linked: Arc<Mutex<Option<LinkedAfter>>>,
}

/// What documents say, and the count of RDF changes it was read after.
type ReadAfter = (u64, Arc<Described>);

/// The linked catalog, and the counts of RDF and projection changes it was
/// made after.
type LinkedAfter = ((u64, u64), Arc<Catalog>);

impl Views {
    /// Empty views.
    pub fn new(store: Store) -> Self {
        Self {
            store,
            projection: Arc::default(),
            search: Arc::default(),
            rdf_changes: Arc::default(),
            described: Arc::default(),
            projection_changes: Arc::default(),
            linked: Arc::default(),
        }
    }

    /// The RDF store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The same views, their store reads counted in `reads`
    /// ([`Store::counting`]).
    pub fn counting(&self, reads: &ReadCounter) -> Self {
        Self {
            store: self.store.counting(reads),
            ..self.clone()
        }
    }

    /// The lineage projection, for reading.
    pub fn projection(&self) -> RwLockReadGuard<'_, Projection> {
        // A panic while holding the lock leaves a projection that is still
        // consistent per event; keep serving it.
        self.projection.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The search index ([`crate::search`] reads it, and refreshes its
    /// products, domains and concepts after RDF changes).
    pub fn search_index(&self) -> &RwLock<SearchIndex> {
        &self.search
    }

    /// How many RDF changes were applied so far.
    pub fn rdf_changes(&self) -> u64 {
        self.rdf_changes.load(Ordering::Acquire)
    }

    /// What documents and updates say of the mesh: read from the store (six
    /// named queries, counted as this handle's reads) the first time it is
    /// asked for after an RDF change, then shared. Readers asking meanwhile
    /// wait for that one read.
    pub fn described(&self) -> Result<Arc<Described>, CatalogError> {
        let mut cached = self.described.lock().unwrap_or_else(|e| e.into_inner());
        // Taken before reading: a change landing during the read makes the
        // next caller read again.
        let changes = self.rdf_changes();
        if let Some((read_after, described)) = &*cached
            && *read_after == changes
        {
            return Ok(Arc::clone(described));
        }
        let described = Arc::new(Described::read(&self.store)?);
        *cached = Some((changes, Arc::clone(&described)));
        Ok(described)
    }

    /// The products and domains documents describe, checked against the
    /// lineage projection (which datasets are known, which products feed
    /// which): made the first time it is asked for after an RDF change or
    /// a change of the projection, then shared. Linking walks the lineage
    /// downstream of every product, which takes seconds on a mesh of
    /// thousands of products; readers asking meanwhile wait for that one.
    pub fn catalog(&self) -> Result<Arc<Catalog>, CatalogError> {
        let mut cached = self.linked.lock().unwrap_or_else(|e| e.into_inner());
        // Taken before linking: a change landing meanwhile makes the next
        // caller link again.
        let changes = (
            self.rdf_changes(),
            self.projection_changes.load(Ordering::Acquire),
        );
        if let Some((made_after, catalog)) = &*cached
            && *made_after == changes
        {
            return Ok(Arc::clone(catalog));
        }
        let mut catalog = self.described()?.catalog.clone();
        catalog.link(&self.projection());
        let catalog = Arc::new(catalog);
        *cached = Some((changes, Arc::clone(&catalog)));
        Ok(catalog)
    }

    /// Applies events, in order: one store transaction, and the projection
    /// and the search index. These two read nothing from the store, so for
    /// a large group they take the events on a second thread while the
    /// store transaction runs: the writer applies on one thread, which
    /// bounds how fast meshgraph ingests. They take the events even if the
    /// store refuses them, as they will be taken again from the log at the
    /// next start.
    pub fn apply(&self, events: &[&Event]) -> Result<(), StoreError> {
        if events.len() < CONCURRENT_FROM {
            let stored = self.store.apply_events(events);
            self.observe(events);
            return stored;
        }
        std::thread::scope(|scope| {
            // Named, so that it is not taken for the writer's apply thread
            // (whose name a thread would otherwise inherit) in `top -H`.
            std::thread::Builder::new()
                .name("meshgraph-observe".into())
                .spawn_scoped(scope, || self.observe(events))
                .expect("spawning the observe thread");
            self.store.apply_events(events)
        })
    }

    /// Takes events into the projection and the search index.
    fn observe(&self, events: &[&Event]) {
        self.project(events);
        let mut search = self.search.write().unwrap_or_else(|e| e.into_inner());
        for event in events {
            search.observe(event);
        }
    }

    /// Applies a change to the RDF store. The lineage projection and the
    /// search index's datasets and jobs are built from events only, so they
    /// are left as they are; the index reads products, domains and concepts
    /// again at its next search.
    pub fn apply_change(&self, change: &RdfChange) -> Result<(), ChangeError> {
        let applied = self.store.apply_change(change);
        // Counted even if it failed: a failed change may have done nothing,
        // and reading the catalog once more is always safe.
        self.rdf_changes.fetch_add(1, Ordering::AcqRel);
        applied
    }

    /// Takes events into the projection only, leaving the store as it is:
    /// for tools that need lineage without its RDF (the impact benchmark
    /// serves a mesh too large for the store of a small machine this way).
    pub fn project(&self, events: &[&Event]) {
        let mut projection = self.projection.write().unwrap_or_else(|e| e.into_inner());
        for event in events {
            projection.observe(event);
        }
        // Counted once the change is in: a reader that sees the new count
        // reads the new projection.
        self.projection_changes.fetch_add(1, Ordering::AcqRel);
    }

    /// Rebuilds the views from every record of the log; returns how many
    /// events were applied.
    ///
    /// Two stages, as in the writer: a second thread reads the log and
    /// parses its events, in chunks, while this one applies the chunk
    /// before; the store, which takes one writer at a time, then bounds the
    /// restart, not reading plus parsing plus the store in turn.
    pub fn replay(&self, log: &Log) -> Result<u64, ReplayError> {
        // Two chunks in flight keep both threads busy and bound memory.
        let (send, chunks) = mpsc::sync_channel::<Replayed>(2);
        // Applied events go back to be freed by the thread that made them,
        // off the thread that bounds the replay.
        let (give_back, spent) = mpsc::channel::<Vec<Event>>();
        std::thread::scope(|scope| {
            let reader = std::thread::Builder::new()
                .name("meshgraph-replay".into())
                .spawn_scoped(scope, move || read_for_replay(log, &send, &spent))
                .expect("spawning the replay thread");
            let applied = self.apply_replayed(chunks, &give_back);
            // A failure here dropped the receiver, which stops the reader.
            let read = reader
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            let applied = applied?;
            read?;
            Ok(applied)
        })
    }

    /// Applies what [`read_for_replay`] sends, in the log's order, until it
    /// is done or something cannot be applied.
    fn apply_replayed(
        &self,
        chunks: Receiver<Replayed>,
        give_back: &Sender<Vec<Event>>,
    ) -> Result<u64, ReplayError> {
        let mut applied = 0;
        for chunk in chunks {
            match chunk {
                Replayed::Events(events) => {
                    self.apply(&events.iter().collect::<Vec<_>>())?;
                    applied += events.len() as u64;
                    // The reader may be done: then they are freed here.
                    let _ = give_back.send(events);
                }
                Replayed::Change { seq, change } => {
                    match change.and_then(|change| self.apply_change(&change)) {
                        Ok(()) => {}
                        // An update that failed when it was sent (it was
                        // logged before it ran) fails again the same way.
                        Err(ChangeError::Storage(err)) => return Err(ReplayError::Store(err.into())),
                        Err(err) => tracing::warn!(seq, error = %err, "logged change not applied"),
                    }
                }
            }
        }
        Ok(applied)
    }
}

/// What the replay's reader hands on, in the log's order.
enum Replayed {
    /// Consecutive events, parsed.
    Events(Vec<Event>),
    /// An RDF change, read from its record.
    Change {
        /// The record's sequence number, for the warning if it fails.
        seq: u64,
        /// The change, or why its record could not be read as one.
        change: Result<RdfChange, ChangeError>,
    },
}

/// Reads every record of the log and sends its events, parsed, in chunks,
/// and its RDF changes, each after the events logged before it; frees the
/// chunks that come back `spent`. Stops early, without error, when the
/// receiver is gone (the views refused a write).
fn read_for_replay(
    log: &Log,
    send: &SyncSender<Replayed>,
    spent: &Receiver<Vec<Event>>,
) -> Result<(), LogError> {
    const CHUNK: usize = 2_000;
    let mut pending: Vec<Event> = Vec::with_capacity(CHUNK);
    // Logged events repeat their facets as they did when they arrived:
    // check each distinct standard facet once, as the writer does.
    let checked = Checked::default();
    // Set when the receiver is gone; the scan is then stopped with an error
    // that is not the log's.
    let mut receiver_gone = false;
    let mut hand_on = |chunk: Replayed, seq: u64| {
        spent.try_iter().for_each(drop);
        send.send(chunk).map_err(|_| {
            receiver_gone = true;
            LogError::Corrupt {
                seq,
                reason: "replay stopped".into(),
            }
        })
    };
    let scanned = log.scan(1, |record| {
        match record.kind {
            RecordKind::OpenLineage => {
                let parsed = std::str::from_utf8(&record.payload)
                    .map_err(|e| e.to_string())
                    .and_then(|text| {
                        parse_located(text, &checked, log.known_facets())
                            .map(|located| located.event)
                            .map_err(|e| e.to_string())
                    });
                match parsed {
                    Ok(event) => pending.push(event),
                    // Accepted once, so this only happens if validation
                    // became stricter; keep the record, skip the event.
                    Err(reason) => {
                        tracing::warn!(seq = record.seq, %reason, "logged event no longer validates; skipped")
                    }
                }
            }
            RecordKind::Rdf => {
                // Keep the log's order: the events before the change first.
                if !pending.is_empty() {
                    hand_on(Replayed::Events(std::mem::take(&mut pending)), record.seq)?;
                }
                let change = RdfChange::from_record(&record.payload);
                hand_on(
                    Replayed::Change {
                        seq: record.seq,
                        change,
                    },
                    record.seq,
                )?;
            }
        }
        if pending.len() >= CHUNK {
            let chunk = std::mem::replace(&mut pending, Vec::with_capacity(CHUNK));
            hand_on(Replayed::Events(chunk), record.seq)?;
        }
        Ok(())
    });
    match scanned {
        Ok(()) if !pending.is_empty() => {
            // The receiver may be gone meanwhile: then the rest is not wanted.
            let _ = send.send(Replayed::Events(pending));
            Ok(())
        }
        Err(_) if receiver_gone => Ok(()),
        scanned => scanned,
    }
}

/// Why the views could not be rebuilt.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The log could not be read.
    #[error(transparent)]
    Log(#[from] LogError),
    /// The store refused a write.
    #[error(transparent)]
    Store(#[from] StoreError),
}
