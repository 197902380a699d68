//! The durable log: every accepted write, in order, before it is acknowledged.
//!
//! The log is meshgraph's source of truth; the RDF store and the lineage
//! projection are views rebuilt from it at start-up. It lives in one redb
//! file (ACID, fsync on commit). Each record is a sequence number, a kind
//! and the payload exactly as received, LZ4-compressed (JSON shrinks 4-8x),
//! an event's large facets stored apart and once ([`record`]).
//!
//! Tables:
//! - `records`: seq -> kind byte + encoded payload;
//! - `digests`: BLAKE3 of an event's bytes (or encoding) -> seq, so a
//!   retried event is recognised and not logged twice;
//! - `facets`: BLAKE3 of a facet's text -> the text, LZ4-compressed;
//! - `event_times`: (event time in ns, seq) -> (), to page raw events by time.

pub mod record;

use std::path::Path;

use redb::backends::InMemoryBackend;
use redb::{Database, Durability, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};

const RECORDS: TableDefinition<u64, &[u8]> = TableDefinition::new("records");
const DIGESTS: TableDefinition<&[u8], u64> = TableDefinition::new("digests");
const FACETS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("facets");
const EVENT_TIMES: TableDefinition<(i64, u64), ()> = TableDefinition::new("event_times");

use record::{FacetTexts, decode};
pub use record::{KnownFacets, NewRecord, Record, RecordKind};

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

/// What became of an appended record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    /// Logged under this sequence number.
    New(u64),
    /// Byte-identical to the record already logged under this number; not logged again.
    Duplicate(u64),
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
    known: KnownFacets,
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
        txn.open_table(FACETS)?;
        txn.open_table(EVENT_TIMES)?;
        txn.commit()?;
        let known = KnownFacets::default();
        let txn = db.begin_read()?;
        let mut loaded = 0;
        for entry in txn.open_table(FACETS)?.iter()? {
            let (digest, text) = entry?;
            if let (Ok(digest), Ok(text)) = (digest.value().try_into(), record::decompress(text.value())) {
                loaded += text.len();
                if loaded > record::KNOWN_MAX_BYTES {
                    break;
                }
                known.remember(digest, &text);
            }
        }
        Ok(Self { db, known })
    }

    /// The facets this log holds, for encoding records that refer to them
    /// ([`NewRecord::event`]).
    pub fn known_facets(&self) -> &KnownFacets {
        &self.known
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
        let mut stored: Vec<(&record::Digest, &[u8])> = Vec::new();
        {
            let mut table = txn.open_table(RECORDS)?;
            let mut digests = txn.open_table(DIGESTS)?;
            let mut facets = txn.open_table(FACETS)?;
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
                for (digest, text) in &record.facets {
                    if facets.get(digest.as_slice())?.is_none() {
                        facets.insert(digest.as_slice(), record::compress(&[], text).as_slice())?;
                    }
                    stored.push((digest, text));
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
        for (digest, text) in stored {
            self.known.remember(*digest, text);
        }
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
        let facets = txn.open_table(FACETS)?;
        let mut texts = FacetTexts::new(|d| facet(&facets, d));
        for entry in table.range(from..)? {
            let (seq, value) = entry?;
            visit(decode(seq.value(), value.value(), &mut texts)?)?;
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
        let facets = txn.open_table(FACETS)?;
        let mut texts = FacetTexts::new(|d| facet(&facets, d));
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
            events.push(decode(seq, value.value(), &mut texts)?.payload);
        }
        Ok(EventPage { events, total })
    }
}

/// The compressed text of the facet with this digest, if the log holds it.
fn facet(
    facets: &impl ReadableTable<&'static [u8], &'static [u8]>,
    digest: &record::Digest,
) -> Result<Option<Vec<u8>>, LogError> {
    Ok(facets.get(digest.as_slice())?.map(|text| text.value().to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(payload: &[u8], time: i64) -> NewRecord {
        NewRecord::event(payload, &[], time, &KnownFacets::default())
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

    /// An event whose job holds a large `sql` facet and whose run holds a
    /// large custom facet `n` and a small one; its text and facet spans as
    /// the parser finds them.
    fn with_facets(run: u32, sql: &str, custom: &str) -> (String, Vec<std::ops::Range<usize>>) {
        let text = format!(
            r#"{{"eventTime":"2024-01-01T00:00:0{run}Z","producer":"p","run":{{"runId":"43d7db3b-8984-4cda-b237-8c6919b3667{run}","facets":{{"big":{{"plan":"{custom}"}},"small":{{"n":{run}}}}}}},"job":{{"namespace":"n","name":"j","facets":{{"sql":{{"query":"{sql}"}}}}}}}}"#
        );
        let located = crate::openlineage::parse_located(&text, &crate::openlineage::Checked::default(), &())
            .expect("a valid event");
        (text, located.facet_spans)
    }

    fn all_payloads(log: &Log) -> Vec<Vec<u8>> {
        let mut seen = Vec::new();
        log.scan(1, |r| {
            seen.push(r.payload);
            Ok(())
        })
        .unwrap();
        seen
    }

    fn facets_stored(log: &Log) -> u64 {
        let txn = log.db.begin_read().unwrap();
        txn.open_table(FACETS).unwrap().len().unwrap()
    }

    #[test]
    fn large_facets_are_stored_once_and_events_read_back_byte_for_byte() {
        let log = Log::in_memory().unwrap();
        let known = log.known_facets();
        let sql = "SELECT a FROM t WHERE x = 1 ".repeat(30);
        let plan = |run: u32| format!("plan {run} ").repeat(80);
        let events = [
            with_facets(1, &sql, &plan(1)),
            with_facets(2, &sql, &plan(2)),
            with_facets(3, &sql, &plan(1)),
        ];
        let encode = |(text, spans): &(String, Vec<std::ops::Range<usize>>), known: &KnownFacets| {
            NewRecord::event(text.as_bytes(), spans, 1, known)
        };
        // Three facets of three spans each: the small one stays inline.
        assert_eq!(events[0].1.len(), 3);
        let first = encode(&events[0], known);
        assert_eq!(first.facets.len(), 2);
        assert!(first.value.len() < 400, "the record refers to its large facets");
        log.append(&[first]).unwrap();
        // Once logged, known facets are referred to, not sent again.
        let second = encode(&events[1], known);
        assert_eq!(second.facets.len(), 1, "only the new plan");
        let third = encode(&events[2], known);
        assert!(third.facets.is_empty());
        // A record encoded without knowing still lands once.
        let again = encode(&events[2], &KnownFacets::default());
        assert_eq!(again.facets.len(), 2);
        let appended = log.append(&[second, third, again]).unwrap();
        assert_eq!(
            appended,
            [Appended::New(2), Appended::New(3), Appended::Duplicate(3)]
        );
        assert_eq!(facets_stored(&log), 3);
        let texts: Vec<Vec<u8>> = events.iter().map(|(t, _)| t.clone().into_bytes()).collect();
        assert_eq!(all_payloads(&log), texts);
        let page = log
            .events(EventWindow {
                after: None,
                before: None,
                descending: false,
                offset: 1,
                limit: 1,
            })
            .unwrap();
        assert_eq!(page.events, [texts[1].clone()]);
    }

    #[test]
    fn spans_out_of_order_or_past_the_text_stay_inline() {
        let log = Log::in_memory().unwrap();
        let payload = "x".repeat(2_000);
        let spans = [100..700, 600..1_300, 1_500..2_500, 1_400..1_990];
        let record = NewRecord::event(payload.as_bytes(), &spans, 1, log.known_facets());
        // The first and the last span are stored apart.
        assert_eq!(record.facets.len(), 2);
        log.append(&[record]).unwrap();
        assert_eq!(all_payloads(&log), [payload.into_bytes()]);
    }

    #[test]
    fn a_record_whose_facet_is_missing_is_reported_corrupt() {
        let (text, spans) = with_facets(1, &"q".repeat(600), &"p".repeat(600));
        let knows_all = KnownFacets::default();
        let sent = NewRecord::event(text.as_bytes(), &spans, 1, &knows_all);
        for (digest, text) in &sent.facets {
            knows_all.remember(*digest, text);
        }
        // Encoded against facets another log holds: nothing is sent.
        let log = Log::in_memory().unwrap();
        log.append(&[NewRecord::event(text.as_bytes(), &spans, 1, &knows_all)])
            .unwrap();
        let err = log.scan(1, |_| Ok(())).unwrap_err();
        assert!(
            matches!(&err, LogError::Corrupt { seq: 1, reason } if reason.contains("missing")),
            "{err}"
        );
    }

    #[test]
    fn a_corrupt_record_stops_the_replay_with_the_logs_error() {
        let (text, spans) = with_facets(1, &"q".repeat(600), &"p".repeat(600));
        let knows_all = KnownFacets::default();
        for (digest, facet) in NewRecord::event(text.as_bytes(), &spans, 1, &knows_all).facets {
            knows_all.remember(digest, &facet);
        }
        let log = Log::in_memory().unwrap();
        // More good events than replay reads in one chunk, so the reader
        // has handed some on when it meets the record it cannot read.
        let good = |n: u32| {
            let (text, spans) = with_facets(n % 10, &format!("SELECT {n}"), "x");
            NewRecord::event(text.as_bytes(), &spans, i64::from(n), log.known_facets())
        };
        log.append(&(0..2_500).map(good).collect::<Vec<_>>()).unwrap();
        // Refers to facets this log does not hold.
        log.append(&[NewRecord::event(text.as_bytes(), &spans, 1, &knows_all)])
            .unwrap();
        log.append(&[good(3_000)]).unwrap();
        let views = crate::views::Views::new(crate::store::Store::in_memory().unwrap());
        let err = views.replay(&log).unwrap_err();
        assert!(
            matches!(
                &err,
                crate::views::ReplayError::Log(LogError::Corrupt { reason, .. }) if reason.contains("missing")
            ),
            "{err}"
        );
    }

    #[test]
    fn facets_survive_reopening_and_are_known_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.redb");
        let sql = "SELECT 1 ".repeat(100);
        let first = with_facets(1, &sql, &"a".repeat(600));
        {
            let log = Log::open(&path).unwrap();
            log.append(&[NewRecord::event(
                first.0.as_bytes(),
                &first.1,
                1,
                log.known_facets(),
            )])
            .unwrap();
        }
        let log = Log::open(&path).unwrap();
        let second = with_facets(2, &sql, &"a".repeat(600));
        let record = NewRecord::event(second.0.as_bytes(), &second.1, 2, log.known_facets());
        assert!(record.facets.is_empty(), "the reopened log knows its facets");
        log.append(&[record]).unwrap();
        assert_eq!(all_payloads(&log), [first.0.into_bytes(), second.0.into_bytes()]);
    }
}
