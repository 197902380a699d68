//! The single writer: group commit to the log, then the views, then the ack.
//!
//! Request handlers validate events (or parse a document, vet an update) and
//! hand them over; one OS thread takes
//! whatever is waiting and appends it to the log in one durable transaction
//! (fsync); a second applies each logged group to the views, in store
//! transactions of a few whole requests, answering each request once its
//! transaction is in (see [`apply_events`]). One fsync thus serves many
//! concurrent requests, the next group's fsync overlaps this group's store
//! work, and nothing else ever writes to the store (oxigraph 0.5 does not
//! detect write conflicts).

use std::sync::Arc;
use std::thread::JoinHandle;

use tokio::sync::{mpsc, oneshot};

use crate::log::{Appended, KnownFacets, Log, LogError, NewRecord};
use crate::openlineage::{Checked, Event, Located, ParseError, parse_body, parse_located};
use crate::store::StoreError;
use crate::store::change::{ChangeError, RdfChange};
use crate::views::Views;

/// How many events one group commit takes at most.
const MAX_GROUP: usize = 4_096;

/// How many events one store transaction takes before its requests are
/// answered (see [`apply_events`]); a request is never split.
const APPLY_CHUNK: usize = 256;

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
    /// Validates one event's JSON text and encodes it for the log, which
    /// holds the `known` facets. Called where the request is handled
    /// (through [`Writer::accept`]), so the writer threads do no parsing,
    /// hashing or compression; `meshgraph load` calls it directly.
    pub fn parse(text: &str, checked: &Checked, known: &KnownFacets) -> Result<Self, ParseError> {
        parse_located(text, checked, known).map(|located| Self::new(text, located, known))
    }

    /// Encodes a validated event, whose JSON text is `text`, for the log,
    /// which holds the `known` facets.
    pub fn new(text: &str, located: Located, known: &KnownFacets) -> Self {
        let Located { event, facet_spans } = located;
        let record = NewRecord::event(
            text.as_bytes(),
            &facet_spans,
            event.event_time.unix_nanos(),
            known,
        );
        Self { record, event }
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
    /// Logged, but the change failed when applied (a SPARQL update such as
    /// `CREATE GRAPH` of an existing graph); none of it was applied.
    #[error(transparent)]
    Change(#[from] ChangeError),
    /// The writer has stopped (shutdown).
    #[error("the writer has stopped")]
    Closed,
}

/// An RDF change with its log record. Making the record compresses the
/// change's body, which takes a while for a large document: do it in a
/// blocking task, not on the async runtime.
#[derive(Debug)]
pub struct Staged {
    change: RdfChange,
    record: NewRecord,
}

impl Staged {
    /// Encodes `change` for the log.
    pub fn new(change: RdfChange) -> Self {
        let record = change.record();
        Self { change, record }
    }
}

/// What one request asks the writer to do.
enum Work {
    /// Log and apply events, in one group with whatever else is waiting.
    /// The log stage drops the records once they are appended.
    Events {
        records: Vec<NewRecord>,
        events: Vec<Event>,
    },
    /// Log and apply one RDF change.
    Change(Box<Staged>),
}

impl Work {
    fn records(&self) -> Box<dyn Iterator<Item = &NewRecord> + '_> {
        match self {
            Self::Events { records, .. } => Box::new(records.iter()),
            Self::Change(staged) => Box::new(std::iter::once(&staged.record)),
        }
    }

    fn len(&self) -> usize {
        match self {
            Self::Events { events, .. } => events.len(),
            Self::Change(_) => 1,
        }
    }
}

/// The writer's answer to one request, with the request's events, which
/// the requester frees (see [`Writer::write_blocking`]): the apply thread,
/// which every write waits for, does not.
struct Answer {
    outcome: Result<Vec<Appended>, Arc<WriteError>>,
    spent: Vec<Event>,
}

type Reply = oneshot::Sender<Answer>;

/// Answers a request; the client may have gone away, and the write stands
/// regardless.
fn answer(reply: Reply, outcome: Result<Vec<Appended>, Arc<WriteError>>, spent: Vec<Event>) {
    let _ = reply.send(Answer { outcome, spent });
}

struct Request {
    work: Work,
    reply: Reply,
}

/// A handle to the writer thread; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Request>,
    /// The standard facets that passed validation, shared by every handler.
    checked: Arc<Checked>,
    /// The log written to, whose known facets events refer to.
    log: Arc<Log>,
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
        let thread_log = Arc::clone(&log);
        let handle = std::thread::Builder::new()
            .name("meshgraph-writer".into())
            .spawn(move || run(&thread_log, &views, rx))
            .expect("spawning the writer thread");
        let checked = Arc::default();
        (Self { tx, checked, log }, WriterThread { handle })
    }

    /// Validates one event's JSON text and prepares it for [`Writer::write`].
    pub fn accept(&self, text: &str) -> Result<Accepted, ParseError> {
        Accepted::parse(text, &self.checked, self.log.known_facets())
    }

    /// Validates the events of a request body (one event or a JSON array)
    /// and prepares each for [`Writer::write`]; fails whole on a syntax
    /// error (see [`parse_body`]).
    pub fn accept_body(&self, body: &[u8]) -> Result<Vec<Result<Accepted, ParseError>>, ParseError> {
        Ok(parse_body(body, &self.checked, self.log.known_facets())?
            .into_iter()
            .map(|(text, event)| event.map(|located| Accepted::new(text, located, self.log.known_facets())))
            .collect())
    }

    /// Logs and applies events; resolves once they are durable and visible.
    pub async fn write(&self, accepted: Vec<Accepted>) -> Result<Vec<Appended>, Arc<WriteError>> {
        let (request, answer) = Request::events(accepted);
        self.tx
            .send(request)
            .await
            .map_err(|_| Arc::new(WriteError::Closed))?;
        Answer::received(answer.await)
    }

    /// [`Writer::write`] for a blocking thread, which waits for the answer.
    /// A request handler that parsed its events on a blocking thread writes
    /// them from there: the events come back with the answer and are freed
    /// by the thread that allocated them, where mimalloc frees fastest and
    /// reuses the memory for the next request.
    pub fn write_blocking(&self, accepted: Vec<Accepted>) -> Result<Vec<Appended>, Arc<WriteError>> {
        let (request, answer) = Request::events(accepted);
        self.tx
            .blocking_send(request)
            .map_err(|_| Arc::new(WriteError::Closed))?;
        Answer::received(answer.blocking_recv())
    }

    /// Logs and applies an RDF change; resolves once it is durable and visible.
    pub async fn change(&self, staged: Staged) -> Result<(), Arc<WriteError>> {
        let (reply, answer) = oneshot::channel();
        let request = Request {
            work: Work::Change(Box::new(staged)),
            reply,
        };
        self.tx
            .send(request)
            .await
            .map_err(|_| Arc::new(WriteError::Closed))?;
        Answer::received(answer.await).map(drop)
    }
}

impl Request {
    /// A request to log and apply `accepted`, and where its answer arrives.
    fn events(accepted: Vec<Accepted>) -> (Self, oneshot::Receiver<Answer>) {
        let (records, events) = accepted.into_iter().map(|a| (a.record, a.event)).unzip();
        let (reply, answer) = oneshot::channel();
        let work = Work::Events { records, events };
        (Self { work, reply }, answer)
    }
}

impl Answer {
    /// The outcome of a request from its answer, which the writer sends
    /// unless it stopped; the events that came back are dropped here, on
    /// the requester's thread.
    fn received(answer: Result<Self, oneshot::error::RecvError>) -> Result<Vec<Appended>, Arc<WriteError>> {
        let Self { outcome, spent } = answer.map_err(|_| Arc::new(WriteError::Closed))?;
        drop(spent);
        outcome
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
        let mut size = group[0].work.len();
        while size < MAX_GROUP {
            match rx.try_recv() {
                Ok(next) => {
                    size += next.work.len();
                    group.push(next);
                }
                Err(_) => break,
            }
        }
        let outcome = log
            .append(group.iter().flat_map(|r| r.work.records()))
            .map_err(WriteError::from);
        // Logged (or refused): the records are done with, and are freed
        // here rather than on the busier apply thread.
        for request in &mut group {
            if let Work::Events { records, .. } = &mut request.work {
                *records = Vec::new();
            }
        }
        if to_views.send(Logged { group, outcome }).is_err() {
            break;
        }
    }
}

fn apply_stage(views: &Views, logged: std::sync::mpsc::Receiver<Logged>) {
    for Logged { group, outcome } in logged {
        let appended = match outcome {
            Ok(appended) => appended,
            Err(err) => {
                let err = Arc::new(err);
                for Request { work, reply } in group {
                    let spent = match work {
                        Work::Events { events, .. } => events,
                        Work::Change(_) => Vec::new(),
                    };
                    answer(reply, Err(Arc::clone(&err)), spent);
                }
                continue;
            }
        };
        // Runs of event requests are applied together, in one store
        // transaction; a change is applied alone, in its place in the order.
        let mut pending: Vec<(Vec<Event>, Reply, &[Appended])> = Vec::new();
        let mut offset = 0;
        for Request { work, reply } in group {
            let mine = &appended[offset..offset + work.len()];
            offset += work.len();
            match work {
                Work::Events { events, .. } => pending.push((events, reply, mine)),
                Work::Change(staged) => {
                    apply_events(views, std::mem::take(&mut pending));
                    let outcome = match mine {
                        [Appended::New(_)] => views.apply_change(&staged.change).map_err(|err| {
                            if let ChangeError::Storage(err) = &err {
                                tracing::error!(error = %err, "a logged change could not be applied to the store");
                            }
                            Arc::new(WriteError::Change(err))
                        }),
                        _ => Ok(()),
                    };
                    answer(reply, outcome.map(|()| mine.to_vec()), Vec::new());
                }
            }
        }
        apply_events(views, pending);
    }
}

/// Applies the new events of consecutive requests and answers each request,
/// a few requests at a time: a transaction takes whole requests until it
/// holds [`APPLY_CHUNK`] events, and its requests are answered as soon as it
/// is applied. Answering a whole group at once would send every client its
/// answer at the same moment; they would all send their next batch together
/// and the apply thread would wait, idle, while those are parsed.
fn apply_events(views: &Views, requests: Vec<(Vec<Event>, Reply, &[Appended])>) {
    let mut chunk = Vec::new();
    let mut size = 0;
    for request in requests {
        size += request.0.len();
        chunk.push(request);
        if size >= APPLY_CHUNK {
            apply_chunk(views, std::mem::take(&mut chunk));
            size = 0;
        }
    }
    apply_chunk(views, chunk);
}

/// Applies the new events of consecutive requests in one transaction, then
/// answers each request.
fn apply_chunk(views: &Views, requests: Vec<(Vec<Event>, Reply, &[Appended])>) {
    if requests.is_empty() {
        return;
    }
    let fresh: Vec<&Event> = requests
        .iter()
        .flat_map(|(events, _, appended)| events.iter().zip(appended.iter()))
        .filter(|(_, outcome)| matches!(outcome, Appended::New(_)))
        .map(|(event, _)| event)
        .collect();
    let outcome = views.apply(&fresh).map_err(|err| {
        tracing::error!(error = %err, "logged events could not be applied to the views");
        Arc::new(WriteError::from(err))
    });
    for (events, reply, appended) in requests {
        let mine = match &outcome {
            Ok(()) => Ok(appended.to_vec()),
            Err(err) => Err(Arc::clone(err)),
        };
        answer(reply, mine, events);
    }
}
