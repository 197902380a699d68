//! How a record is encoded: hashed for deduplication, compressed, and, for
//! an event, with its large facets stored apart.
//!
//! A record's value is a kind byte and the LZ4-compressed payload. An
//! event's facets are most of its bytes (96% in generated workloads), and
//! they repeat from run to run: a table's schema, a job's SQL and column
//! lineage. So an event's facets of [`APART_MIN`] bytes or more are taken
//! out of its text and stored once each, under the BLAKE3 of their text, in
//! the log's `facets` table; the record keeps the rest of the text (the
//! skeleton) and, for each facet, where it goes and its digest. The kind
//! byte's high bit says a record is so encoded:
//!
//! ```text
//! kind | APART, count: u32, count x (offset in skeleton: u32, digest: [u8; 32]),
//! skeleton length: u32, LZ4(skeleton)
//! ```
//!
//! Reading the record puts the facets back where they were: the payload is
//! returned byte for byte as received.

use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;
use std::sync::RwLock;

use crate::openlineage::KnownTexts;

use super::LogError;

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

/// Facet values of at least this many bytes are stored apart, once per
/// distinct text. Smaller ones (a run's nominal time, a dataset's row
/// count) mostly differ from run to run and are cheaper inline. In the
/// benchmark's workload (20,000 events), the facets this size and larger
/// are 91% of the bytes and 574 distinct texts.
const APART_MIN: usize = 512;

/// The kind byte's flag for a record whose large facets are stored apart.
const APART: u8 = 0x80;

/// The BLAKE3 key-derivation context of the digest of a record with facets
/// stored apart: it hashes the record's encoding (skeleton and facet
/// digests), which identifies the payload as surely as its bytes do, and
/// the distinct context keeps it from ever equalling a payload's digest.
const APART_CONTEXT: &str = "meshgraph 2026-12-06 event with its large facets stored apart";

/// A digest: BLAKE3, collision-resistant like SHA-256 but several times
/// faster on this path.
pub type Digest = [u8; 32];

/// The digest that identifies a record's bytes for deduplication, and a
/// facet stored apart.
fn digest(payload: &[u8]) -> Digest {
    blake3::hash(payload).into()
}

/// How many bytes of facet text [`KnownFacets`] keeps before it starts over.
pub(super) const KNOWN_MAX_BYTES: usize = 64 << 20;

/// How many bytes of a text [`KnownFacets`] looks a text up by: its first
/// bytes, so that the event reader can find one where a facet starts
/// without knowing where it ends. Every facet stored apart has that many.
/// Texts that begin alike are common (schemas whose first columns are
/// `id, created_at`): in the benchmark's workload, the 574 large facets
/// fall in 294 groups by their first 256 bytes, one of 47 texts, and in 572
/// groups by their first 512 (`benches/facet_share.py`).
const PREFIX: usize = APART_MIN;

/// How many known texts that begin alike (with the same [`PREFIX`] bytes)
/// are kept: a job whose SQL changes a little every run keeps its latest
/// versions.
const PREFIX_SHARED: usize = 16;

/// The facets the log holds, by their text.
///
/// - A record being encoded refers to a facet the log holds without
///   hashing it with BLAKE3 or sending it again ([`KnownFacets::digest_of`]).
/// - The event reader recognises a facet it holds in an event's text by its
///   bytes, and skips it at the speed of a comparison instead of reading it
///   as JSON: every text here was a facet of an accepted event, so it is a
///   well-formed JSON value (see [`KnownTexts`]).
///
/// A text is looked up by a hash (XXH3) of its first bytes and then
/// compared byte for byte with the stored ones, so a crafted collision only
/// misses the lookup. The log adds the facets it stored once their
/// transaction is committed, so whatever is found here is durable.
/// Forgetting a facet costs only reading and hashing it once more: the log
/// still stores each facet once.
#[derive(Debug, Default)]
pub struct KnownFacets {
    known: RwLock<Known>,
}

/// A facet the log holds: its digest and text.
type Stored = (Digest, Box<[u8]>);

#[derive(Debug, Default)]
struct Known {
    /// XXH3-64 of a text's first [`PREFIX`] bytes -> the facets that begin
    /// so, newest last.
    by_prefix: HashMap<u64, Vec<Stored>>,
    /// The texts' bytes in all.
    bytes: usize,
}

impl Known {
    /// The facets whose text begins as `text` does.
    fn alike(&self, text: &[u8]) -> &[Stored] {
        text.get(..PREFIX)
            .and_then(|head| self.by_prefix.get(&xxhash_rust::xxh3::xxh3_64(head)))
            .map_or(&[], Vec::as_slice)
    }

    /// The facet that `rest` starts with. Facets are whole JSON values, so
    /// none is the start of another: there is at most one.
    fn starting(&self, rest: &[u8]) -> Option<&Stored> {
        self.alike(rest).iter().find(|(_, text)| rest.starts_with(text))
    }
}

impl KnownFacets {
    /// The digest of `text` if the log holds that facet.
    fn digest_of(&self, text: &[u8]) -> Option<Digest> {
        let known = self.known.read().expect("known facets lock");
        let (digest, stored) = known.starting(text)?;
        (stored.len() == text.len()).then_some(*digest)
    }

    /// Remembers a facet the log now holds (durably): its digest and text.
    /// A text shorter than [`PREFIX`] is never stored apart, and not kept.
    pub(super) fn remember(&self, digest: Digest, text: &[u8]) {
        let Some(head) = text.get(..PREFIX) else {
            return;
        };
        let mut known = self.known.write().expect("known facets lock");
        if known.bytes + text.len() > KNOWN_MAX_BYTES {
            *known = Known::default();
        }
        let alike = known
            .by_prefix
            .entry(xxhash_rust::xxh3::xxh3_64(head))
            .or_default();
        if alike.iter().any(|(_, stored)| **stored == *text) {
            return;
        }
        let mut freed = 0;
        if alike.len() == PREFIX_SHARED {
            freed = alike.remove(0).1.len();
        }
        alike.push((digest, text.into()));
        known.bytes = known.bytes + text.len() - freed;
    }
}

impl KnownTexts for KnownFacets {
    fn known_prefix(&self, rest: &[u8]) -> Option<usize> {
        let known = self.known.read().expect("known facets lock");
        known.starting(rest).map(|(_, text)| text.len())
    }
}

/// A record to append, already hashed and compressed: made wherever the
/// record is made (a request handler), so the single writer only stores bytes.
#[derive(Debug, Clone)]
pub struct NewRecord {
    /// [`digest`] of the payload (or of its encoding, for an event with
    /// facets apart): identical payloads are logged once. `None` for
    /// records that must be logged every time they are written.
    pub(super) digest: Option<Digest>,
    /// The kind byte, then the encoded payload.
    pub(super) value: Vec<u8>,
    /// For events: the event time in ns since the epoch, indexed for paging.
    pub(super) event_time: Option<i64>,
    /// The facets the record refers to that were not known to be in the
    /// log. The log stores those it lacks.
    pub(super) facets: Vec<Stored>,
}

impl NewRecord {
    /// Encodes an event's JSON `payload` (the bytes exactly as received),
    /// whose facets' values lie at `facet_spans` (ascending and disjoint;
    /// any other span is left inline), as a record whose identical resending
    /// is recognised and not logged again. Facets of [`APART_MIN`] bytes or
    /// more are stored apart; those in `known` are only referred to.
    pub fn event(payload: &[u8], facet_spans: &[Range<usize>], event_time: i64, known: &KnownFacets) -> Self {
        let kind = RecordKind::OpenLineage;
        let mut apart = facet_spans
            .iter()
            .filter(|span| span.len() >= APART_MIN)
            .peekable();
        if apart.peek().is_none() {
            return Self {
                digest: Some(digest(payload)),
                event_time: Some(event_time),
                ..Self::unique(kind, payload)
            };
        }
        // The header (kind byte, count, then an offset and digest per
        // facet), the skeleton, and the facets to send.
        let mut header = vec![kind as u8 | APART, 0, 0, 0, 0];
        let mut skeleton = Vec::with_capacity(payload.len() / 8);
        let mut facets = Vec::new();
        let mut count: u32 = 0;
        let mut from = 0;
        for span in apart {
            if span.start < from || span.end > payload.len() {
                continue;
            }
            skeleton.extend_from_slice(&payload[from..span.start]);
            from = span.end;
            let text = &payload[span.clone()];
            let digest = known.digest_of(text).unwrap_or_else(|| {
                let digest = digest(text);
                if !facets.iter().any(|(d, _)| *d == digest) {
                    facets.push((digest, text.into()));
                }
                digest
            });
            header.extend_from_slice(&(skeleton.len() as u32).to_le_bytes());
            header.extend_from_slice(&digest);
            count += 1;
        }
        skeleton.extend_from_slice(&payload[from..]);
        header[1..5].copy_from_slice(&count.to_le_bytes());
        let mut hasher = blake3::Hasher::new_derive_key(APART_CONTEXT);
        hasher.update(&header[1..]);
        hasher.update(&skeleton);
        Self {
            digest: Some(hasher.finalize().into()),
            value: compress(&header, &skeleton),
            event_time: Some(event_time),
            facets,
        }
    }

    /// A record logged however often it is written: a graph put again after
    /// another write must be applied again.
    pub fn unique(kind: RecordKind, payload: &[u8]) -> Self {
        Self {
            digest: None,
            value: compress(&[kind as u8], payload),
            event_time: None,
            facets: Vec::new(),
        }
    }
}

/// `prefix`, then `payload`'s length (u32, as lz4_flex's
/// `compress_prepend_size` writes it) and its LZ4 compression.
///
/// Compressed into a scratch buffer of LZ4's maximum output size, kept by
/// the thread, then copied once into a vector of the right size: lz4_flex's
/// own vector is allocated at the maximum size, then shrunk to fit, which
/// copies it, and we would copy that again to put the prefix first. A
/// scratch buffer grown for a large document is let go rather than kept.
pub(super) fn compress(prefix: &[u8], payload: &[u8]) -> Vec<u8> {
    const SCRATCH_KEPT: usize = 1 << 20;
    thread_local! {
        static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    SCRATCH.with_borrow_mut(|scratch| {
        let room = lz4_flex::block::get_maximum_output_size(payload.len());
        if scratch.len() < room {
            scratch.resize(room, 0);
        }
        let written = lz4_flex::block::compress_into(payload, scratch)
            .expect("the buffer has LZ4's maximum output size");
        let mut value = Vec::with_capacity(prefix.len() + 4 + written);
        value.extend_from_slice(prefix);
        value.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        value.extend_from_slice(&scratch[..written]);
        if scratch.len() > SCRATCH_KEPT {
            *scratch = Vec::new();
        }
        value
    })
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

/// The facets stored apart that one read of the log puts back into its
/// records, each fetched and decompressed once: an event's large facets
/// repeat from record to record, and start-up reads every record. Holds
/// at most [`KNOWN_MAX_BYTES`] of text, and starts over past it.
pub(super) struct FacetTexts<F> {
    /// The compressed text of the facet with a digest, if the log holds it.
    fetch: F,
    texts: HashMap<Digest, Rc<[u8]>>,
    bytes: usize,
}

impl<F: FnMut(&Digest) -> Result<Option<Vec<u8>>, LogError>> FacetTexts<F> {
    pub(super) fn new(fetch: F) -> Self {
        Self {
            fetch,
            texts: HashMap::new(),
            bytes: 0,
        }
    }

    /// The text of the facet with `digest`, which record `seq` refers to.
    fn text(&mut self, seq: u64, digest: &Digest) -> Result<Rc<[u8]>, LogError> {
        if let Some(text) = self.texts.get(digest) {
            return Ok(Rc::clone(text));
        }
        let corrupt = |reason: String| LogError::Corrupt { seq, reason };
        let compressed =
            (self.fetch)(digest)?.ok_or_else(|| corrupt(format!("facet {} is missing", hex(digest))))?;
        let text: Rc<[u8]> = decompress(&compressed)
            .map_err(|reason| corrupt(format!("facet {}: {reason}", hex(digest))))?
            .into();
        if self.bytes + text.len() > KNOWN_MAX_BYTES {
            self.texts.clear();
            self.bytes = 0;
        }
        self.bytes += text.len();
        self.texts.insert(*digest, Rc::clone(&text));
        Ok(text)
    }
}

/// Decodes the record `seq` from its `value`, putting each facet stored
/// apart back from `facets`.
pub(super) fn decode<F: FnMut(&Digest) -> Result<Option<Vec<u8>>, LogError>>(
    seq: u64,
    value: &[u8],
    facets: &mut FacetTexts<F>,
) -> Result<Record, LogError> {
    let corrupt = |reason: String| LogError::Corrupt { seq, reason };
    let (&byte, rest) = value.split_first().ok_or_else(|| corrupt("empty".into()))?;
    let kind = RecordKind::from_byte(byte & !APART).ok_or_else(|| corrupt(format!("unknown kind {byte}")))?;
    if byte & APART == 0 {
        let payload = decompress(rest).map_err(corrupt)?;
        return Ok(Record { seq, kind, payload });
    }
    let truncated = || corrupt("truncated header".into());
    let (count, mut rest) = rest.split_first_chunk::<4>().ok_or_else(truncated)?;
    let mut refs = Vec::new();
    for _ in 0..u32::from_le_bytes(*count) {
        let (offset, after) = rest.split_first_chunk::<4>().ok_or_else(truncated)?;
        let (digest, after) = after.split_first_chunk::<32>().ok_or_else(truncated)?;
        refs.push((u32::from_le_bytes(*offset) as usize, digest));
        rest = after;
    }
    let skeleton = decompress(rest).map_err(corrupt)?;
    let mut payload = Vec::with_capacity(skeleton.len() * 8);
    let mut from = 0;
    for (offset, digest) in refs {
        let piece = skeleton
            .get(from..offset)
            .ok_or_else(|| corrupt(format!("facet offset {offset} out of order or past the text")))?;
        payload.extend_from_slice(piece);
        from = offset;
        payload.extend_from_slice(&facets.text(seq, digest)?);
    }
    payload.extend_from_slice(&skeleton[from..]);
    Ok(Record { seq, kind, payload })
}

pub(super) fn decompress(compressed: &[u8]) -> Result<Vec<u8>, String> {
    lz4_flex::decompress_size_prepended(compressed).map_err(|e| e.to_string())
}

fn hex(digest: &Digest) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_facet_is_found_by_its_text_only() {
        let known = KnownFacets::default();
        let query = |q: &str| format!("{{\"query\":\"{}{q}\"}}", "SELECT a, b, c ".repeat(40));
        let text = query("FROM t");
        assert_eq!(known.digest_of(text.as_bytes()), None);
        known.remember(digest(text.as_bytes()), text.as_bytes());
        assert_eq!(known.digest_of(text.as_bytes()), Some(digest(text.as_bytes())));
        // The same first bytes, then others.
        assert_eq!(known.digest_of(query("FROM u").as_bytes()), None);
        // Another text under the same hash of its first bytes (a collision,
        // made here by hand) is not taken for the stored one.
        let forged = format!("{{\"query\":\"{}\"}}", "DROP TABLE t; ".repeat(50));
        let head = xxhash_rust::xxh3::xxh3_64(&forged.as_bytes()[..PREFIX]);
        let stored = (digest(text.as_bytes()), text.as_bytes().into());
        known.known.write().unwrap().by_prefix.insert(head, vec![stored]);
        assert_eq!(known.digest_of(forged.as_bytes()), None);
        assert_eq!(known.known_prefix(forged.as_bytes()), None);
    }

    #[test]
    fn a_known_facet_is_recognised_where_a_text_starts_with_it() {
        let known = KnownFacets::default();
        let facet = format!("{{\"query\":\"{}\"}}", "SELECT 1 ".repeat(60));
        let event = format!("{facet},\"next\":{}", "1".repeat(300));
        assert_eq!(known.known_prefix(event.as_bytes()), None);
        known.remember(digest(facet.as_bytes()), facet.as_bytes());
        assert_eq!(known.known_prefix(event.as_bytes()), Some(facet.len()));
        // The same first bytes, then others: not it.
        let changed = event.replacen("SELECT 1 \"", "SELECT 2 \"", 1);
        assert_eq!(known.known_prefix(changed.as_bytes()), None);
        // Too short to be a known facet.
        assert_eq!(known.known_prefix(&facet.as_bytes()[..100]), None);
    }

    #[test]
    fn known_facets_start_over_when_full() {
        let known = KnownFacets::default();
        let big = vec![b'x'; KNOWN_MAX_BYTES / 2 + 1];
        let other = vec![b'y'; KNOWN_MAX_BYTES / 2 + 1];
        known.remember(digest(&big), &big);
        assert_eq!(known.digest_of(&big), Some(digest(&big)));
        known.remember(digest(&other), &other);
        assert_eq!(known.digest_of(&big), None, "forgotten");
        assert_eq!(known.digest_of(&other), Some(digest(&other)));
    }
}
