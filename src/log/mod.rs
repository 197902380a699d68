//! The durable log: every accepted write, in order, before it is acknowledged.
//!
//! The log is meshgraph's source of truth; the RDF store and the lineage
//! projection are views rebuilt from it at start-up. It lives in one redb
//! file (ACID, fsync on commit). Each record is a sequence number, a kind
//! and the payload exactly as received, LZ4-compressed (JSON shrinks 4-8x).
//!
//! Tables:
//! - `records`: seq -> kind byte + compressed payload;
//! - `digests`: BLAKE3 of an event's bytes -> seq, so a retried event is
//!   recognised and not logged twice;
//! - `event_times`: (event time in ns, seq) -> (), to page raw events by time.

use std::path::Path;

use redb::backends::InMemoryBackend;
use redb::{Database, Durability, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};

const RECORDS: TableDefinition<u64, &[u8]> = TableDefinition::new("records");
const DIGESTS: TableDefinition<&[u8], u64> = TableDefinition::new("digests");
const EVENT_TIMES: TableDefinition<(i64, u64), ()> = TableDefinition::new("event_times");

/// Errors of the log.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LogError {
    /// redb failed (I/O, corruption, a full disk).
    #[error("durable log: {0}")]
    Storage(#[from] redb::Error),
    /// Another process (a running server, a load) has the log open.
    #[error("in use by another meshgraph process (a running server?): stop it, or send the events to it")]
    InUse,
    /// A record could not be decoded (unknown kind or bad compression).
    #[error("durable log: record {seq} is unreadable: {reason}")]
    Corrupt {
        /// The record's sequence number.
        seq: u64,
        /// What is wrong with it.
        reason: String,
    },
}

macro_rules! storage_error {
    ($($ty:ty),*) => {$(
        impl From<$ty> for LogError {
            fn from(err: $ty) -> Self {
                Self::Storage(err.into())
            }
        }
    )*};
}
storage_error!(
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    redb::SetDurabilityError
);

/// What a record holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
#[non_exhaustive]
pub enum RecordKind {
    /// One OpenLineage event, as JSON bytes.
    OpenLineage = 1,
    /// A write to the RDF store other than an event (a document, a dropped
    /// graph, a SPARQL update): a JSON header line, then the body as received
    /// (see [`crate::store::change`]).
    Rdf = 2,
}

impl RecordKind {
    fn from_byte(byte: u8) -> Option<Self> {
        [Self::OpenLineage, Self::Rdf]
            .into_iter()
            .find(|kind| *kind as u8 == byte)
    }
}

/// A record to append, already hashed and compressed: [`NewRecord::new`]
/// does that work wherever the record is made (a request handler), so the
/// single writer only stores bytes.
#[derive(Debug, Clone)]
pub struct NewRecord {
    /// [`digest`] of the payload: identical payloads are logged once.
    /// `None` for records that must be logged every time they are written.
    digest: Option<[u8; 32]>,
    /// The kind byte, then the LZ4-compressed payload.
    value: Vec<u8>,
    /// For events: the event time in ns since the epoch, indexed for paging.
    event_time: Option<i64>,
}

/// The digest that identifies a record's bytes for deduplication: BLAKE3,
/// collision-resistant like SHA-256 but several times faster on this path.
pub fn digest(payload: &[u8]) -> [u8; 32] {
    blake3::hash(payload).into()
}

impl NewRecord {
    /// Encodes `payload` (the bytes exactly as received) as a record of
    /// `kind` whose identical resending is recognised and not logged again.
    pub fn new(kind: RecordKind, payload: &[u8], event_time: Option<i64>) -> Self {
        Self {
            digest: Some(digest(payload)),
            event_time,
            ..Self::unique(kind, payload)
        }
    }

    /// A record logged however often it is written: a graph put again after
    /// another write must be applied again.
    pub fn unique(kind: RecordKind, payload: &[u8]) -> Self {
        // Compressed into a scratch buffer of LZ4's maximum output size,
        // kept by the thread, then copied once into a vector of the right
        // size. lz4_flex's own vector is allocated at the maximum size, then
        // shrunk to fit, which copies it, and we would copy that again to
        // put the kind byte first. A scratch buffer grown for a large
        // document is let go rather than kept by the thread.
        const SCRATCH_KEPT: usize = 1 << 20;
        thread_local! {
            static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let value = SCRATCH.with_borrow_mut(|scratch| {
            let room = lz4_flex::block::get_maximum_output_size(payload.len());
            if scratch.len() < room {
                scratch.resize(room, 0);
            }
            let written = lz4_flex::block::compress_into(payload, scratch)
                .expect("the buffer has LZ4's maximum output size");
            let mut value = Vec::with_capacity(5 + written);
            value.push(kind as u8);
            // The payload's length, as `compress_prepend_size` writes it
            // for `decompress_size_prepended`.
            value.extend_from_slice(&(payload.len() as u32).to_le_bytes());
            value.extend_from_slice(&scratch[..written]);
            if scratch.len() > SCRATCH_KEPT {
                *scratch = Vec::new();
            }
            value
        });
        Self {
            digest: None,
            value,
            event_time: None,
        }
    }
}

/// What became of an appended record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    /// Logged under this sequence number.
    New(u64),
    /// Byte-identical to the record already logged under this number; not logged again.
    Duplicate(u64),
}

/// A record read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Its sequence number.
    pub seq: u64,
    /// What it holds.
    pub kind: RecordKind,
    /// The bytes as received.
    pub payload: Vec<u8>,
}

/// Which raw events to list, by event time (both bounds inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventWindow {
    /// Only events at or after this time (ns since the epoch).
    pub after: Option<i64>,
    /// Only events at or before this time (ns since the epoch).
    pub before: Option<i64>,
    /// Newest first when true.
    pub descending: bool,
    /// Events to skip.
    pub offset: usize,
    /// Events to return at most.
    pub limit: usize,
}

/// A page of raw events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventPage {
    /// The events' bytes, in the requested order.
    pub events: Vec<Vec<u8>>,
    /// How many events the window holds in all.
    pub total: usize,
}

/// The durable log.
pub struct Log {
    db: Database,
}

impl Log {
    /// Opens (or creates) the log file at `path`.
    pub fn open(path: &Path) -> Result<Self, LogError> {
        match Database::create(path) {
            Ok(db) => Self::init(db),
            Err(redb::DatabaseError::DatabaseAlreadyOpen) => Err(LogError::InUse),
            Err(err) => Err(err.into()),
        }
    }

    /// A log in memory, for `--memory`: nothing survives the process.
    pub fn in_memory() -> Result<Self, LogError> {
        Self::init(Database::builder().create_with_backend(InMemoryBackend::new())?)
    }

    fn init(db: Database) -> Result<Self, LogError> {
        let txn = db.begin_write()?;
        txn.open_table(RECORDS)?;
        txn.open_table(DIGESTS)?;
        txn.open_table(EVENT_TIMES)?;
        txn.commit()?;
        Ok(Self { db })
    }

    /// Appends records in one transaction and makes them durable (fsync)
    /// before returning: the group commit of every write waiting.
    pub fn append<'a>(
        &self,
        records: impl IntoIterator<Item = &'a NewRecord>,
    ) -> Result<Vec<Appended>, LogError> {
        let mut txn = self.db.begin_write()?;
        txn.set_durability(Durability::Immediate)?;
        let mut results = Vec::new();
        {
            let mut table = txn.open_table(RECORDS)?;
            let mut digests = txn.open_table(DIGESTS)?;
            let mut times = txn.open_table(EVENT_TIMES)?;
            let mut next = table.last()?.map_or(1, |(seq, _)| seq.value() + 1);
            for record in records {
                if let Some(digest) = &record.digest {
                    if let Some(seq) = digests.get(digest.as_slice())? {
                        results.push(Appended::Duplicate(seq.value()));
                        continue;
                    }
                    digests.insert(digest.as_slice(), next)?;
                }
                table.insert(next, record.value.as_slice())?;
                if let Some(time) = record.event_time {
                    times.insert((time, next), ())?;
                }
                results.push(Appended::New(next));
                next += 1;
            }
        }
        txn.commit()?;
        Ok(results)
    }

    /// Calls `visit` on every record from `from` on, in order (start-up replay).
    pub fn scan(
        &self,
        from: u64,
        mut visit: impl FnMut(Record) -> Result<(), LogError>,
    ) -> Result<(), LogError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(RECORDS)?;
        for entry in table.range(from..)? {
            let (seq, value) = entry?;
            visit(decode(seq.value(), value.value())?)?;
        }
        Ok(())
    }

    /// How many records the log holds.
    pub fn len(&self) -> Result<u64, LogError> {
        let txn = self.db.begin_read()?;
        Ok(txn.open_table(RECORDS)?.len()?)
    }

    /// Whether the log is empty.
    pub fn is_empty(&self) -> Result<bool, LogError> {
        Ok(self.len()? == 0)
    }

    /// Raw events in a time window, paged.
    pub fn events(&self, window: EventWindow) -> Result<EventPage, LogError> {
        let txn = self.db.begin_read()?;
        let times = txn.open_table(EVENT_TIMES)?;
        let records = txn.open_table(RECORDS)?;
        let low = (window.after.unwrap_or(i64::MIN), 0u64);
        let high = (window.before.unwrap_or(i64::MAX), u64::MAX);
        let range = times.range(low..=high)?;
        let mut seqs = Vec::new();
        let mut total = 0;
        let mut keep = |key: (i64, u64)| {
            if total >= window.offset && seqs.len() < window.limit {
                seqs.push(key.1);
            }
            total += 1;
        };
        if window.descending {
            for entry in range.rev() {
                keep(entry?.0.value());
            }
        } else {
            for entry in range {
                keep(entry?.0.value());
            }
        }
        let mut events = Vec::with_capacity(seqs.len());
        for seq in seqs {
            let value = records.get(seq)?.ok_or_else(|| LogError::Corrupt {
                seq,
                reason: "indexed by event time but missing".into(),
            })?;
            events.push(decode(seq, value.value())?.payload);
        }
        Ok(EventPage { events, total })
    }
}

fn decode(seq: u64, value: &[u8]) -> Result<Record, LogError> {
    let corrupt = |reason: String| LogError::Corrupt { seq, reason };
    let (&kind, compressed) = value.split_first().ok_or_else(|| corrupt("empty".into()))?;
    let kind = RecordKind::from_byte(kind).ok_or_else(|| corrupt(format!("unknown kind {kind}")))?;
    let payload = lz4_flex::decompress_size_prepended(compressed).map_err(|e| corrupt(e.to_string()))?;
    Ok(Record { seq, kind, payload })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(payload: &[u8], time: i64) -> NewRecord {
        NewRecord::new(RecordKind::OpenLineage, payload, Some(time))
    }

    #[test]
    fn appends_in_order_and_dedups_identical_payloads() {
        let log = Log::in_memory().unwrap();
        let first = log
            .append(&[event(b"{\"a\":1}", 5), event(b"{\"b\":2}", 3)])
            .unwrap();
        assert_eq!(first, [Appended::New(1), Appended::New(2)]);
        let again = log
            .append(&[
                event(b"{\"b\":2}", 3),
                event(b"{\"c\":3}", 4),
                event(b"{\"c\":3}", 4),
            ])
            .unwrap();
        assert_eq!(
            again,
            [Appended::Duplicate(2), Appended::New(3), Appended::Duplicate(3)]
        );
        let mut seen = Vec::new();
        log.scan(2, |r| {
            seen.push((r.seq, r.payload));
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, [(2, b"{\"b\":2}".to_vec()), (3, b"{\"c\":3}".to_vec())]);
        assert_eq!(log.len().unwrap(), 3);
    }

    #[test]
    fn reads_back_records_of_any_size() {
        let log = Log::in_memory().unwrap();
        // Small, then larger than the scratch buffer a thread keeps, then
        // small again after that buffer was let go.
        let big: Vec<u8> = (0..3_000_000u32).flat_map(|i| (i % 251).to_le_bytes()).collect();
        let payloads = [b"{}".to_vec(), big, b"[1,2]".to_vec()];
        let records: Vec<NewRecord> = payloads
            .iter()
            .map(|p| NewRecord::unique(RecordKind::OpenLineage, p))
            .collect();
        log.append(&records).unwrap();
        let mut seen = Vec::new();
        log.scan(1, |r| {
            seen.push(r.payload);
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, payloads);
    }

    #[test]
    fn pages_events_by_time() {
        let log = Log::in_memory().unwrap();
        log.append(&[event(b"t5", 5), event(b"t1", 1), event(b"t3", 3), event(b"t9", 9)])
            .unwrap();
        let page = |after, before, descending, offset, limit| {
            log.events(EventWindow {
                after,
                before,
                descending,
                offset,
                limit,
            })
            .unwrap()
        };
        let all = page(None, None, true, 0, 10);
        assert_eq!(
            all.events,
            [b"t9".to_vec(), b"t5".to_vec(), b"t3".to_vec(), b"t1".to_vec()]
        );
        assert_eq!(all.total, 4);
        let window = page(Some(3), Some(5), false, 1, 10);
        assert_eq!(window.events, [b"t5".to_vec()]);
        assert_eq!(window.total, 2);
    }

    #[test]
    fn survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.redb");
        Log::open(&path).unwrap().append(&[event(b"kept", 1)]).unwrap();
        let log = Log::open(&path).unwrap();
        assert_eq!(
            log.events(EventWindow {
                after: None,
                before: None,
                descending: false,
                offset: 0,
                limit: 5
            })
            .unwrap()
            .events,
            [b"kept".to_vec()]
        );
        assert_eq!(log.append(&[event(b"next", 2)]).unwrap(), [Appended::New(2)]);
    }
}
