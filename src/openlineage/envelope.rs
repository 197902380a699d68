//! The fast way to read an event: a reader made for OpenLineage's envelope
//! (`eventTime`, `run`, `job`, `inputs`, ...) that walks the text once and
//! keeps each facet as the exact text it spans, after checking that the
//! text is well-formed JSON, without building anything from it.
//!
//! serde_json reads the envelope itself about as fast, but to find where a
//! `RawValue` ends it walks the value with its general-purpose parser, a
//! few calls per byte; facets are most of an event's bytes, and that walk
//! cost as much as everything else done to an event on its request's
//! thread. Here strings, which are most of a facet, are skipped eight
//! bytes at a time, and a facet the log already holds (see
//! [`KnownTexts`]) is recognised by its bytes and not read at all.
//!
//! This reader knows only the happy path. On anything else (a syntax
//! error, a missing or mistyped field, a duplicate field, a key with an
//! escape, an enum or UUID it cannot read) it gives up, and the caller
//! reads the event with serde_json, which accepts or refuses it and says
//! why. So it must never accept what serde_json refuses, and must read
//! what it accepts exactly as serde_json does: the tests compare the two on
//! every fixture and on thousands of damaged copies of them.

use std::borrow::Cow;
use std::ops::Range;

use uuid::Uuid;

use super::event::wire::{RawDataset, RawEvent, RawInput, RawOutput, RawRun};
use super::event::{EventType, Facet, Facets};
use super::parse::KnownTexts;
use super::time::Timestamp;

/// An event read from the start of a text.
pub(super) struct Read {
    /// The event.
    pub event: RawEvent<Facet>,
    /// The length of the text it spans.
    pub len: usize,
    /// Where each facet's value lies in the text, in order.
    pub facet_spans: Vec<Range<usize>>,
}

/// Reads the event at the start of `text`, recognising `known` facets, or
/// `None` to leave the event to serde_json.
pub(super) fn read_event<'t>(text: &'t str, known: &'t dyn KnownTexts) -> Option<Read> {
    let mut reader = Reader {
        text,
        at: 0,
        open: Vec::new(),
        facet_spans: Vec::new(),
        known,
    };
    let event = reader.event()?;
    Some(Read {
        event,
        len: reader.at,
        facet_spans: reader.facet_spans,
    })
}

/// A position in the text, the containers open around it while a facet is
/// skipped (`true` for an object), the facets' spans so far, and the facet
/// texts known to be well-formed.
struct Reader<'t> {
    text: &'t str,
    at: usize,
    open: Vec<bool>,
    facet_spans: Vec<Range<usize>>,
    known: &'t dyn KnownTexts,
}

/// Sets a field the first time it is seen; serde refuses a second one.
fn once<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    match slot {
        Some(_) => None,
        None => {
            *slot = Some(value);
            Some(())
        }
    }
}

impl<'t> Reader<'t> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    /// Skips JSON's insignificant whitespace.
    fn blank(&mut self) {
        self.at = blanks(self.text.as_bytes(), self.at);
    }

    /// Consumes `byte` if it is the next one after blanks.
    fn eat(&mut self, byte: u8) -> bool {
        self.blank();
        let found = self.peek() == Some(byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.eat(byte).then_some(())
    }

    /// Reads an object, handing each member's key to `member`, which reads
    /// the value.
    fn object(&mut self, mut member: impl FnMut(&mut Self, &'t str) -> Option<()>) -> Option<()> {
        self.expect(b'{')?;
        if self.eat(b'}') {
            return Some(());
        }
        loop {
            self.blank();
            let key = self.key()?;
            self.expect(b':')?;
            self.blank();
            member(self, key)?;
            if !self.eat(b',') {
                return self.expect(b'}');
            }
        }
    }

    /// Reads an array of items that `item` reads.
    fn array<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        if self.eat(b']') {
            return Some(items);
        }
        loop {
            self.blank();
            items.push(item(self)?);
            if !self.eat(b',') {
                self.expect(b']')?;
                return Some(items);
            }
        }
    }

    /// `null` as `None`, anything else as what `read` reads (serde's `Option`).
    fn nullable<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        self.blank();
        if let Some(end) = word_end(self.text.as_bytes(), self.at, b"null") {
            self.at = end;
            return Some(None);
        }
        read(self).map(Some)
    }

    /// A key without escapes (the reader gives up on any other).
    fn key(&mut self) -> Option<&'t str> {
        let start = self.at;
        match self.skip_string()? {
            false => Some(&self.text[start + 1..self.at - 1]),
            true => None,
        }
    }

    /// A string value, unescaped.
    fn string(&mut self) -> Option<Cow<'t, str>> {
        self.blank();
        let start = self.at;
        let escaped = self.skip_string()?;
        let quoted = &self.text[start..self.at];
        if escaped {
            // Rare: let serde_json unescape it (and refuse lone surrogates).
            serde_json::from_str(quoted).ok().map(Cow::Owned)
        } else {
            Some(Cow::Borrowed(&quoted[1..quoted.len() - 1]))
        }
    }

    fn owned_string(&mut self) -> Option<String> {
        self.string().map(Cow::into_owned)
    }

    /// Skips the string that starts here: whether it holds escapes.
    fn skip_string(&mut self) -> Option<bool> {
        let bytes = self.text.as_bytes();
        if bytes.get(self.at) != Some(&b'"') {
            return None;
        }
        let (end, escaped) = string_end(bytes, self.at)?;
        self.at = end;
        Some(escaped)
    }

    /// Skips any value, checking that it is well-formed.
    fn skip_value(&mut self) -> Option<()> {
        self.at = value_end(self.text.as_bytes(), self.at, &mut self.open)?;
        Some(())
    }

    /// Facets by key, each kept as the text of its value.
    fn facets(&mut self) -> Option<Facets> {
        let mut facets = Facets::new();
        self.object(|r, key| {
            let start = r.at;
            match r.known.known_prefix(&r.text.as_bytes()[start..]) {
                Some(len) => r.at += len,
                None => r.skip_value()?,
            }
            let json = &r.text[start..r.at];
            r.facet_spans.push(start..r.at);
            // A repeated key replaces the earlier one, as in serde's map.
            facets.insert(key.to_owned(), Facet::new(json.into()));
            Some(())
        })?;
        Some(facets)
    }

    fn event(&mut self) -> Option<RawEvent<Facet>> {
        let (mut event_time, mut producer, mut schema_url, mut event_type) = (None, None, None, None);
        let (mut run, mut job, mut dataset, mut inputs, mut outputs) = (None, None, None, None, None);
        self.object(|r, key| match key {
            "eventTime" => once(&mut event_time, Timestamp::parse(&r.string()?)?),
            "producer" => once(&mut producer, r.owned_string()?),
            "schemaURL" => once(&mut schema_url, r.nullable(Self::owned_string)?),
            "eventType" => once(&mut event_type, r.nullable(|r| EventType::parse(&r.string()?))?),
            "run" => once(&mut run, r.nullable(Self::run)?),
            "job" => once(&mut job, r.nullable(Self::dataset)?),
            "dataset" => once(&mut dataset, r.nullable(Self::dataset)?),
            "inputs" => once(&mut inputs, r.nullable(|r| r.array(Self::input))?),
            "outputs" => once(&mut outputs, r.nullable(|r| r.array(Self::output))?),
            _ => r.skip_value(),
        })?;
        Some(RawEvent {
            event_time: event_time?,
            producer: producer?,
            schema_url: schema_url.flatten(),
            event_type: event_type.flatten(),
            run: run.flatten(),
            job: job.flatten(),
            dataset: dataset.flatten(),
            inputs: inputs.flatten(),
            outputs: outputs.flatten(),
        })
    }

    fn run(&mut self) -> Option<RawRun<Facet>> {
        let (mut run_id, mut facets) = (None, None);
        self.object(|r, key| match key {
            "runId" => once(&mut run_id, Uuid::try_parse(&r.string()?).ok()?),
            "facets" => once(&mut facets, r.nullable(Self::facets)?),
            _ => r.skip_value(),
        })?;
        Some(RawRun {
            run_id: run_id?,
            facets: facets.flatten(),
        })
    }

    /// A job or a dataset.
    fn dataset(&mut self) -> Option<RawDataset<Facet>> {
        self.io(None).map(|(dataset, _)| dataset)
    }

    fn input(&mut self) -> Option<RawInput<Facet>> {
        let (dataset, io_facets) = self.io(Some("inputFacets"))?;
        Some(RawInput {
            namespace: dataset.namespace,
            name: dataset.name,
            facets: dataset.facets,
            input_facets: io_facets,
        })
    }

    fn output(&mut self) -> Option<RawOutput<Facet>> {
        let (dataset, io_facets) = self.io(Some("outputFacets"))?;
        Some(RawOutput {
            namespace: dataset.namespace,
            name: dataset.name,
            facets: dataset.facets,
            output_facets: io_facets,
        })
    }

    /// A job or dataset (namespace, name and facets), with, for an input or
    /// output, the facets of the read or write under `io_key`.
    fn io(&mut self, io_key: Option<&str>) -> Option<(RawDataset<Facet>, Option<Facets>)> {
        let (mut namespace, mut name, mut facets, mut io_facets) = (None, None, None, None);
        self.object(|r, key| match key {
            "namespace" => once(&mut namespace, r.owned_string()?),
            "name" => once(&mut name, r.owned_string()?),
            "facets" => once(&mut facets, r.nullable(Self::facets)?),
            _ if io_key == Some(key) => once(&mut io_facets, r.nullable(Self::facets)?),
            _ => r.skip_value(),
        })?;
        let dataset = RawDataset {
            namespace: namespace?,
            name: name?,
            facets: facets.flatten(),
        };
        Some((dataset, io_facets.flatten()))
    }
}

/// Where the JSON value that starts at `at` (after blanks) ends, if it is
/// well-formed. Iterative, so nesting costs no stack (serde_json sets no
/// depth limit on what it skips either); `open` is scratch for the
/// containers open around the position, `true` for an object. One loop
/// over local positions: this walk is most of the reader's work.
fn value_end(bytes: &[u8], mut at: usize, open: &mut Vec<bool>) -> Option<usize> {
    open.clear();
    loop {
        at = blanks(bytes, at);
        at = match *bytes.get(at)? {
            b'"' => string_end(bytes, at)?.0,
            b'-' | b'0'..=b'9' => number_end(bytes, at)?,
            b't' => word_end(bytes, at, b"true")?,
            b'f' => word_end(bytes, at, b"false")?,
            b'n' => word_end(bytes, at, b"null")?,
            bracket @ (b'{' | b'[') => {
                let object = bracket == b'{';
                let inner = blanks(bytes, at + 1);
                if bytes.get(inner) == Some(&if object { b'}' } else { b']' }) {
                    inner + 1
                } else {
                    open.push(object);
                    at = if object {
                        member_key_end(bytes, inner)?
                    } else {
                        inner
                    };
                    continue;
                }
            }
            _ => return None,
        };
        // A value ended: close what it ends, or go on to the next one.
        loop {
            let Some(&object) = open.last() else {
                return Some(at);
            };
            at = blanks(bytes, at);
            match *bytes.get(at)? {
                b',' if object => {
                    at = member_key_end(bytes, at + 1)?;
                    break;
                }
                b',' => {
                    at += 1;
                    break;
                }
                b'}' if object => {
                    at += 1;
                    open.pop();
                }
                b']' if !object => {
                    at += 1;
                    open.pop();
                }
                _ => return None,
            }
        }
    }
}

/// Past the key and the colon of an object member that starts at `at`
/// (after blanks).
fn member_key_end(bytes: &[u8], at: usize) -> Option<usize> {
    let at = blanks(bytes, at);
    if bytes.get(at) != Some(&b'"') {
        return None;
    }
    let at = blanks(bytes, string_end(bytes, at)?.0);
    (bytes.get(at) == Some(&b':')).then_some(at + 1)
}

/// Past JSON's insignificant whitespace from `at`.
fn blanks(bytes: &[u8], mut at: usize) -> usize {
    while matches!(bytes.get(at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        at += 1;
    }
    at
}

fn word_end(bytes: &[u8], at: usize, word: &[u8]) -> Option<usize> {
    bytes[at..].starts_with(word).then_some(at + word.len())
}

/// Past the string whose opening quote is at `at`, and whether it holds
/// escapes. Inlined: an event holds thousands of strings of a few bytes
/// each, and a call's saving and restoring of registers cost a fifth of
/// the scan.
#[inline(always)]
fn string_end(bytes: &[u8], at: usize) -> Option<(usize, bool)> {
    let mut at = at + 1;
    let mut escaped = false;
    loop {
        at = special(bytes, at)?;
        match bytes[at] {
            b'"' => return Some((at + 1, escaped)),
            b'\\' => {
                escaped = true;
                at += match bytes.get(at + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => 2,
                    b'u' if bytes.get(at + 2..at + 6)?.iter().all(u8::is_ascii_hexdigit) => 6,
                    _ => return None,
                };
            }
            // A control character, which JSON strings may not hold.
            _ => return None,
        }
    }
}

/// Past the number that starts at `at`, as JSON's grammar has it.
fn number_end(bytes: &[u8], at: usize) -> Option<usize> {
    let digits = |mut at: usize| {
        while bytes.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        at
    };
    let mut at = at + usize::from(bytes.get(at) == Some(&b'-'));
    at = match bytes.get(at)? {
        b'0' => at + 1,
        b'1'..=b'9' => digits(at + 1),
        _ => return None,
    };
    if bytes.get(at) == Some(&b'.') {
        let fraction = digits(at + 1);
        if fraction == at + 1 {
            return None;
        }
        at = fraction;
    }
    if matches!(bytes.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(bytes.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        let exponent = digits(at);
        if exponent == at {
            return None;
        }
        at = exponent;
    }
    // `01` is not a number (serde_json says so too).
    if bytes.get(at).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Some(at)
}

/// The position of the first `"`, `\` or control character at or after
/// `at`, looking at eight bytes at a time.
#[inline]
fn special(bytes: &[u8], mut at: usize) -> Option<usize> {
    const ONES: u64 = u64::MAX / 255;
    const HIGH: u64 = ONES << 7;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes(chunk.try_into().ok()?);
        // The classic "has a zero byte" test, on the word xor each byte we
        // look for, and "has a byte under 0x20". A flag can be wrong only
        // above a right one, so the lowest flag is always right.
        let quote = word ^ (ONES * u64::from(b'"'));
        let backslash = word ^ (ONES * u64::from(b'\\'));
        let found = (quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (word.wrapping_sub(ONES * 0x20) & !word);
        let found = found & HIGH;
        if found != 0 {
            return Some(at + found.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    bytes[at.min(bytes.len())..]
        .iter()
        .position(|&b| matches!(b, b'"' | b'\\' | 0..=0x1f))
        .map(|i| at + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What serde_json makes of the event at the start of `text`.
    fn by_serde(text: &str) -> Option<(RawEvent<Facet>, usize)> {
        let mut events = serde_json::Deserializer::from_str(text).into_iter::<RawEvent<Facet>>();
        let event = events.next()?.ok()?;
        Some((event, events.byte_offset()))
    }

    /// The reader agrees with serde_json on `text`, or leaves it to it;
    /// whether it read it.
    fn agrees(text: &str) -> bool {
        let Some(Read { event: fast, len, .. }) = read_event(text, &()) else {
            return false;
        };
        let Some((slow, slow_len)) = by_serde(text) else {
            panic!("read what serde_json refuses: {text}");
        };
        assert_eq!(len, slow_len, "{text}");
        assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{text}");
        true
    }

    fn fixtures() -> Vec<String> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
        let mut texts: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "json"))
            .map(|path| std::fs::read_to_string(path).unwrap())
            .collect();
        assert!(texts.len() >= 5, "the fixtures moved");
        texts.push(TRICKY.to_owned());
        texts
    }

    /// An event with what a reader can get wrong: escapes, unknown members
    /// of every type, numbers in every form, blanks everywhere, nesting.
    const TRICKY: &str = r#" { "eventType" : "COMPLETE" , "x" : [ true , false , null , -0 , 1.5e+3 , 2E-2 , 10 , { } , [ ] ] ,
        "eventTime":"2024-05-01T10:00:00.5+02:00", "producer":"p\u00e9\n\"q\"", "schemaURL": null,
        "run":{"runId":"{43d7db3b-8984-4cda-b237-8c6919b36670}","facets":{"a b":{"k":"\ud800 \\ \/ \b\f\r\t","n":[[[[[[1]]]]]]},"e":"","z":null,"a b":[1]}},
        "job":{"namespace":"n\u0000s","name":"j","facets":null,"extra":{"name":"ignored"}},
        "inputs":[{"namespace":"pg","name":"a b\"<c>#d/é","inputFacets":{"s":{"rowCount":1}}},{"namespace":"pg","name":"t","outputFacets":1}],
        "outputs":[]}"#;

    #[test]
    fn reads_every_fixture_as_serde_json_does() {
        for text in fixtures() {
            assert!(agrees(&text), "left to serde_json: {text}");
        }
    }

    /// Every facet's text, in the order of the event's text.
    fn facet_texts(event: &RawEvent<Facet>) -> Vec<&str> {
        let maps = [
            event.run.as_ref().and_then(|r| r.facets.as_ref()),
            event.job.as_ref().and_then(|j| j.facets.as_ref()),
            event.dataset.as_ref().and_then(|d| d.facets.as_ref()),
        ];
        let inputs = event
            .inputs
            .iter()
            .flatten()
            .flat_map(|i| [&i.facets, &i.input_facets]);
        let outputs = event
            .outputs
            .iter()
            .flatten()
            .flat_map(|o| [&o.facets, &o.output_facets]);
        maps.into_iter()
            .chain(inputs.chain(outputs).map(Option::as_ref))
            .flatten()
            .flat_map(|facets| facets.values().map(Facet::get))
            .collect()
    }

    /// Recognises the texts it holds, as the log's known facets do, and
    /// counts how often it did.
    struct Texts(Vec<String>, std::sync::atomic::AtomicUsize);

    impl KnownTexts for Texts {
        fn known_prefix(&self, rest: &[u8]) -> Option<usize> {
            let found = self.0.iter().find(|t| rest.starts_with(t.as_bytes()))?;
            self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Some(found.len())
        }
    }

    #[test]
    fn known_facets_are_skipped_and_read_as_if_scanned() {
        for text in fixtures() {
            let scanned = read_event(&text, &()).expect("read");
            let facets = scanned.facet_spans.iter().map(|s| text[s.clone()].to_owned());
            let known = Texts(facets.collect(), 0.into());
            let recognised = read_event(&text, &known).expect("read");
            assert_eq!(format!("{:?}", recognised.event), format!("{:?}", scanned.event));
            assert_eq!(recognised.facet_spans, scanned.facet_spans);
            assert_eq!(recognised.len, scanned.len);
            assert_eq!(known.1.into_inner(), scanned.facet_spans.len(), "{text}");
        }
    }

    #[test]
    fn facet_spans_are_each_facets_text_in_order() {
        let mut spanned = 0;
        for text in fixtures() {
            let Read {
                event, facet_spans, ..
            } = read_event(&text, &()).expect("read");
            let mut from_spans: Vec<&str> = facet_spans.iter().map(|span| &text[span.clone()]).collect();
            let mut from_event = facet_texts(&event);
            assert!(facet_spans.windows(2).all(|w| w[0].end <= w[1].start), "{text}");
            // The maps are ordered by key; the spans by place in the text.
            // (TRICKY repeats a key, and the map keeps only the later facet.)
            from_spans.sort_unstable();
            from_event.sort_unstable();
            if text != TRICKY {
                assert_eq!(from_spans, from_event, "{text}");
            }
            spanned += facet_spans.len();
        }
        assert!(spanned > 20, "the fixtures hold facets");
    }

    #[test]
    fn gives_up_where_serde_json_refuses_and_on_escaped_keys() {
        let event = |body: &str| format!(r#"{{"eventTime":"2024-05-01T10:00:00Z","producer":"p",{body}}}"#);
        let job = |facet: &str| {
            event(&format!(
                r#""job":{{"namespace":"ns","name":"j","facets":{{"a":{facet}}}}}"#
            ))
        };
        let refused = [
            event(r#""producer":"again""#),
            event(r#""eventType":"START","eventType":"START""#),
            event(r#""eventType":"start""#),
            r#"{"eventTime":null,"producer":"p","job":{"namespace":"ns","name":"j"}}"#.to_owned(),
            event(r#""run":{"runId":"not-a-uuid"}"#),
            event(r#""job":{"namespace":"ns","name":"\ud800"}"#),
            event(r#""job":{"namespace":"ns"}"#),
            job("01"),
            job("1."),
            job("1e"),
            job("-"),
            job(r#""\x""#),
            job(r#""\u12""#),
            job("\"\t\""),
            job("[1,]"),
            job(r#"{"b":1,}"#),
            job("{1:2}"),
            job("tru"),
            job("nullx"),
            job("[1 2]"),
        ];
        for text in refused {
            assert!(by_serde(&text).is_none(), "serde_json reads {text}");
            assert!(read_event(&text, &()).is_none(), "{text}");
        }
        // Read by serde_json, left to it: escaped keys, structs as arrays.
        for text in [
            event(r#""job":{"namespace":"ns","n\u0061me":"j"}"#),
            event(r#""job":{"namespace":"ns","name":"j","facets":{"\u0061":{}}}"#),
            event(r#""job":["ns","j"]"#),
        ] {
            assert!(by_serde(&text).is_some(), "serde_json refuses {text}");
            assert!(read_event(&text, &()).is_none(), "{text}");
        }
        // Deep nesting in a facet is read (serde_json reads it too).
        let deep = format!("{}{}", "[".repeat(500), "]".repeat(500));
        assert!(agrees(&job(&deep)));
    }

    #[test]
    fn damaged_events_are_refused_or_read_as_serde_json_does() {
        const INSERTS: [&str; 17] = [
            "\"", "\\", "{", "}", "[", "]", ",", ":", " ", "0", "-", ".", "e", "\u{1}", "n", "u", "é",
        ];
        let mut read = 0;
        let mut cases = 0;
        for text in fixtures() {
            let step = (text.len() / 80).max(1);
            for at in (0..text.len())
                .step_by(step)
                .filter(|&at| text.is_char_boundary(at))
            {
                let next = (at + 1..=text.len())
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(at);
                let mut damaged = vec![text[..at].to_owned(), format!("{}{}", &text[..at], &text[next..])];
                for insert in INSERTS {
                    damaged.push(format!("{}{insert}{}", &text[..at], &text[at..]));
                    damaged.push(format!("{}{insert}{}", &text[..at], &text[next..]));
                }
                for text in damaged {
                    cases += 1;
                    read += usize::from(agrees(&text));
                }
            }
        }
        // Many damages leave a valid event (a blank, a digit in a string).
        assert!(read > cases / 10, "read {read} of {cases}");
    }
}
