//! The single writer: group commit to the log, then the views, then the ack.
//!
//! Request handlers validate events and hand them over; one OS thread takes
//! whatever is waiting and appends it to the log in one durable transaction
//! (fsync); a second applies each logged group to the views in one store
//! transaction and only then answers each waiter. One fsync thus serves many
//! concurrent requests, the next group's fsync overlaps this group's store
//! work, and nothing else ever writes to the store (oxigraph 0.5 does not
//! detect write conflicts).

use std::sync::Arc;
use std::thread::JoinHandle;

use tokio::sync::{mpsc, oneshot};

use crate::log::{Appended, Log, LogError, NewRecord, RecordKind};
use crate::openlineage::{Checked, Event, ParseError, parse_event_with};
use crate::store::StoreError;
use crate::views::Views;

/// How many events one group commit takes at most.
const MAX_GROUP: usize = 4_096;

/// A validated event, with its exact bytes encoded for the log.
#[derive(Debug)]
pub struct Accepted {
    /// The bytes as received, hashed and compressed for the log (what
    /// `/events/lineage` returns).
    pub record: NewRecord,
    /// The validated event.
    pub event: Event,
}

impl Accepted {
    /// Validates one event's JSON text and encodes it for the log. Called
    /// where the request is handled (through [`Writer::accept`]), so the
    /// writer threads do no parsing, hashing or compression.
    fn parse(text: &str, checked: &Checked) -> Result<Self, ParseError> {
        let event = parse_event_with(text, checked)?;
        let record = NewRecord::new(
            RecordKind::OpenLineage,
            text.as_bytes(),
            Some(event.event_time.unix_nanos()),
        );
        Ok(Self { record, event })
    }
}

/// Why a write was not acknowledged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// The log could not make the write durable; nothing was acknowledged.
    #[error(transparent)]
    Log(#[from] LogError),
    /// Logged, but the views could not apply it (they will on restart).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The writer has stopped (shutdown).
    #[error("the writer has stopped")]
    Closed,
}

struct Request {
    events: Vec<Accepted>,
    reply: oneshot::Sender<Result<Vec<Appended>, Arc<WriteError>>>,
}

/// A handle to the writer thread; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Request>,
    /// The standard facets that passed validation, shared by every handler.
    checked: Arc<Checked>,
}

/// Owns the writer thread; dropping every [`Writer`] and calling
/// [`WriterThread::join`] drains what is queued and stops it.
pub struct WriterThread {
    handle: JoinHandle<()>,
}

impl WriterThread {
    /// Waits for the writer to finish what it was given.
    pub fn join(self) {
        if self.handle.join().is_err() {
            tracing::error!("the writer thread panicked");
        }
    }
}

impl Writer {
    /// Starts the writer thread over `log` and `views`.
    pub fn spawn(log: Arc<Log>, views: Views) -> (Self, WriterThread) {
        let (tx, rx) = mpsc::channel(1_024);
        let handle = std::thread::Builder::new()
            .name("meshgraph-writer".into())
            .spawn(move || run(&log, &views, rx))
            .expect("spawning the writer thread");
        let checked = Arc::default();
        (Self { tx, checked }, WriterThread { handle })
    }

    /// Validates one event's JSON text and prepares it for [`Writer::write`].
    pub fn accept(&self, text: &str) -> Result<Accepted, ParseError> {
        Accepted::parse(text, &self.checked)
    }

    /// Logs and applies events; resolves once they are durable and visible.
    pub async fn write(&self, events: Vec<Accepted>) -> Result<Vec<Appended>, Arc<WriteError>> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Request { events, reply })
            .await
            .map_err(|_| Arc::new(WriteError::Closed))?;
        answer.await.map_err(|_| Arc::new(WriteError::Closed))?
    }

    /// [`Writer::write`] from synchronous code (the `load` command).
    pub fn write_blocking(&self, events: Vec<Accepted>) -> Result<Vec<Appended>, Arc<WriteError>> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .blocking_send(Request { events, reply })
            .map_err(|_| Arc::new(WriteError::Closed))?;
        answer.blocking_recv().map_err(|_| Arc::new(WriteError::Closed))?
    }
}

/// A group that went through the log, on its way to the views.
struct Logged {
    group: Vec<Request>,
    outcome: Result<Vec<Appended>, WriteError>,
}

/// Two stages on two threads: while the views apply one group, the log
/// already makes the next one durable, so the fsync wait and the log's CPU
/// overlap with the store's. Groups keep their order through both stages.
fn run(log: &Log, views: &Views, rx: mpsc::Receiver<Request>) {
    // One group in flight between the stages keeps both busy and bounds memory.
    let (to_views, logged) = std::sync::mpsc::sync_channel::<Logged>(1);
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("meshgraph-apply".into())
            .spawn_scoped(scope, || apply_stage(views, logged))
            .expect("spawning the apply thread");
        log_stage(log, rx, to_views);
    });
}

fn log_stage(log: &Log, mut rx: mpsc::Receiver<Request>, to_views: std::sync::mpsc::SyncSender<Logged>) {
    while let Some(first) = rx.blocking_recv() {
        let mut group = vec![first];
        let mut size = group[0].events.len();
        while size < MAX_GROUP {
            match rx.try_recv() {
                Ok(next) => {
                    size += next.events.len();
                    group.push(next);
                }
                Err(_) => break,
            }
        }
        let outcome = log
            .append(group.iter().flat_map(|r| &r.events).map(|a| &a.record))
            .map_err(WriteError::from);
        if to_views.send(Logged { group, outcome }).is_err() {
            break;
        }
    }
}

fn apply_stage(views: &Views, logged: std::sync::mpsc::Receiver<Logged>) {
    for Logged { group, outcome } in logged {
        let outcome = outcome.and_then(|appended| {
            let fresh: Vec<&Event> = group
                .iter()
                .flat_map(|r| &r.events)
                .zip(&appended)
                .filter(|(_, outcome)| matches!(outcome, Appended::New(_)))
                .map(|(a, _)| &a.event)
                .collect();
            match views.apply(&fresh) {
                Ok(()) => Ok(appended),
                Err(err) => {
                    tracing::error!(error = %err, "logged events could not be applied to the views");
                    Err(err.into())
                }
            }
        });
        let outcome = outcome.map_err(Arc::new);
        let mut offset = 0;
        for request in group {
            let answer = match &outcome {
                Ok(all) => Ok(all[offset..offset + request.events.len()].to_vec()),
                Err(err) => Err(Arc::clone(err)),
            };
            offset += request.events.len();
            // The client may have gone away; the write stands regardless.
            let _ = request.reply.send(answer);
        }
    }
}
