//! From request bytes to validated events, with errors that name the problem.
//!
//! Syntax errors (400) carry the line and column; a missing or wrongly typed
//! field (422) carries its path, e.g. `inputs[1].facets.schema.fields[0].name`.
//! The fast path reads the envelope with [`envelope`], keeping facets as
//! their JSON text; whatever it does not read, serde_json does, in one pass,
//! and only when that fails on data does a second pass run with
//! `serde_path_to_error` to find the path (it cannot see through
//! `RawValue`, so that pass skips facets).

use std::ops::Range;

use serde::de::IgnoredAny;
use serde_json::value::RawValue;
use thiserror::Error;

use super::checked::Checked;
use super::envelope;
use super::event::wire::{RawDataset, RawEvent};
use super::event::{Dataset, Event, EventKind, Facet, Facets, InputDataset, Job, OutputDataset, Run};
use super::facets::FacetScope;

/// Why a document is not an acceptable OpenLineage event.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ParseError {
    /// Not well-formed JSON.
    #[error("malformed JSON at line {line}, column {column}: {reason}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser expected.
        reason: String,
    },
    /// Well-formed, but a required field is missing or has the wrong type.
    #[error("{path}: {reason}")]
    Invalid {
        /// Where, as a path from the event root (`run.runId`).
        path: String,
        /// What is wrong.
        reason: String,
    },
}

impl ParseError {
    fn invalid(path: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid {
            path: path.into(),
            reason: reason.into(),
        }
    }

    /// The same error, with its path placed under `prefix` (e.g. `[3]`).
    pub fn within(self, prefix: &str) -> Self {
        match self {
            Self::Invalid { path, reason } => Self::Invalid {
                path: if path.is_empty() {
                    prefix.to_owned()
                } else if path.starts_with('[') {
                    format!("{prefix}{path}")
                } else {
                    format!("{prefix}.{path}")
                },
                reason,
            },
            syntax => syntax,
        }
    }

    fn from_json(err: &serde_json::Error) -> Self {
        let reason = err.to_string();
        // serde_json appends " at line L column C"; keep the reason alone.
        let reason = reason
            .rsplit_once(" at line ")
            .map_or(reason.as_str(), |(head, _)| head)
            .to_owned();
        if err.is_syntax() || err.is_eof() || err.is_io() {
            Self::Syntax {
                line: err.line(),
                column: err.column(),
                reason,
            }
        } else {
            Self::invalid("", reason)
        }
    }
}

/// Whether a body is a JSON array (of events), by its first non-blank byte.
pub fn is_array(body: &[u8]) -> bool {
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[')
}

/// Texts known to be well-formed JSON values: the large facets of events
/// accepted before. The event reader recognises one where a facet starts
/// by comparing bytes, and skips it instead of reading it again; facets
/// repeat from run to run, and reading them is most of reading an event.
pub trait KnownTexts: Sync {
    /// The length of the known text that `rest` starts with, if any.
    fn known_prefix(&self, rest: &[u8]) -> Option<usize>;
}

/// No text is known.
impl KnownTexts for () {
    fn known_prefix(&self, _: &[u8]) -> Option<usize> {
        None
    }
}

/// A validated event, with where its facets lie in its text.
#[derive(Debug)]
pub struct Located {
    /// The event.
    pub event: Event,
    /// The byte range of each facet's value in the event's text, in order
    /// (empty where serde_json read the event): the log stores large facets
    /// apart and once (see [`crate::log`]) without reading the text again.
    pub facet_spans: Vec<Range<usize>>,
}

/// One event of a request body: its exact text (what the log keeps), and
/// the event or why it is refused.
pub type BodyEvent<'a> = (&'a str, Result<Located, ParseError>);

/// Parses a request body: one event, or a JSON array of events. Each event
/// is read in one pass that also finds where it ends, so a batch is not
/// scanned once to cut it into events and once more to read them. A syntax
/// error anywhere refuses the whole body (its line and column are the
/// body's); an event whose data is wrong is refused alone.
pub fn parse_body<'a>(
    body: &'a [u8],
    checked: &Checked,
    known: &dyn KnownTexts,
) -> Result<Vec<BodyEvent<'a>>, ParseError> {
    let text = std::str::from_utf8(body).map_err(|_| syntax_error(body))?;
    let mut events = Vec::new();
    let mut at = skip_blank(text, 0);
    let array = text[at..].starts_with('[');
    if array {
        at = skip_blank(text, at + 1);
    }
    if !(array && text[at..].starts_with(']')) {
        loop {
            let (event, len) = next_event(&text[at..], checked, known).ok_or_else(|| syntax_error(body))?;
            events.push((&text[at..at + len], event));
            at = skip_blank(text, at + len);
            if !array {
                break;
            }
            match text.as_bytes().get(at) {
                Some(b',') => at = skip_blank(text, at + 1),
                Some(b']') => break,
                _ => return Err(syntax_error(body)),
            }
        }
    }
    if array {
        // The closing bracket.
        at += 1;
    }
    if skip_blank(text, at) == text.len() {
        Ok(events)
    } else {
        Err(syntax_error(body))
    }
}

/// Reads the event at the start of `rest`: the event or why it is
/// refused, and its length in bytes; `None` if it is not well-formed JSON.
fn next_event(
    rest: &str,
    checked: &Checked,
    known: &dyn KnownTexts,
) -> Option<(Result<Located, ParseError>, usize)> {
    if let Some(read) = envelope::read_event(rest, known) {
        let len = read.len;
        return Some((located(read, checked), len));
    }
    let mut typed = serde_json::Deserializer::from_str(rest).into_iter::<RawEvent<Facet>>();
    match typed.next()? {
        Ok(raw) => Some((unlocated(finish(raw, checked)), typed.byte_offset())),
        Err(err) if err.is_data() => {
            // Well-formed but not an event: find where it ends, to go on.
            let mut whole = serde_json::Deserializer::from_str(rest).into_iter::<&RawValue>();
            let value = whole.next()?.ok()?;
            Some((Err(locate(value.get(), &err)), whole.byte_offset()))
        }
        Err(_) => None,
    }
}

/// JSON's insignificant whitespace.
fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// The position of the first non-blank character at or after `at`.
fn skip_blank(text: &str, at: usize) -> usize {
    text[at..].find(|c| !is_blank(c)).map_or(text.len(), |i| at + i)
}

/// The syntax error of a body that is not well-formed JSON, where serde
/// finds it in the whole body.
fn syntax_error(body: &[u8]) -> ParseError {
    match serde_json::from_slice::<IgnoredAny>(body) {
        Err(err) => ParseError::from_json(&err),
        // Unreachable for a body that failed to parse; say something true.
        Ok(_) => ParseError::Syntax {
            line: 1,
            column: 1,
            reason: "not a JSON object or array of objects".into(),
        },
    }
}

/// Parses and validates one event.
pub fn parse_event(text: &str) -> Result<Event, ParseError> {
    parse_event_with(text, &Checked::default())
}

/// Parses and validates one event, skipping the check of standard facets
/// that `checked` saw pass before.
pub fn parse_event_with(text: &str, checked: &Checked) -> Result<Event, ParseError> {
    parse_located(text, checked, &()).map(|located| located.event)
}

/// [`parse_event_with`], recognising `known` facets, with where the
/// event's facets lie in `text`.
pub fn parse_located(text: &str, checked: &Checked, known: &dyn KnownTexts) -> Result<Located, ParseError> {
    if let Some(read) = envelope::read_event(text, known)
        && skip_blank(text, read.len) == text.len()
    {
        return located(read, checked);
    }
    match serde_json::from_str(text) {
        Ok(raw) => unlocated(finish(raw, checked)),
        Err(err) if err.is_data() => Err(locate(text, &err)),
        Err(err) => Err(ParseError::from_json(&err)),
    }
}

/// Validates an event the envelope reader read, keeping its facets' spans.
fn located(read: envelope::Read, checked: &Checked) -> Result<Located, ParseError> {
    let facet_spans = read.facet_spans;
    finish(read.event, checked).map(|event| Located { event, facet_spans })
}

/// An event serde_json read: where its facets lie is not known.
fn unlocated(event: Result<Event, ParseError>) -> Result<Located, ParseError> {
    event.map(|event| Located {
        event,
        facet_spans: Vec::new(),
    })
}

/// Validates a deserialized event: its kind by shape, its standard facets.
fn finish(raw: RawEvent<Facet>, checked: &Checked) -> Result<Event, ParseError> {
    let kind = classify(
        raw.run,
        raw.job,
        raw.dataset,
        raw.inputs,
        raw.outputs,
        raw.event_type,
    )?;
    check_standard_facets(&kind, checked)?;
    Ok(Event {
        event_time: raw.event_time,
        producer: raw.producer,
        schema_url: raw.schema_url,
        kind,
    })
}

/// serde reports a missing field at its parent (`run: missing field
/// `runId``); name the field itself (`run.runId`), as clients expect.
fn with_missing_field(path: &str, reason: &str) -> String {
    let missing = reason
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(field, _)| field);
    match missing {
        Some(field) if path.is_empty() => field.to_owned(),
        Some(field) => format!("{path}.{field}"),
        None => path.to_owned(),
    }
}

/// Re-reads a document whose data did not fit, to name the field at fault.
fn locate(text: &str, fast: &serde_json::Error) -> ParseError {
    let mut de = serde_json::Deserializer::from_str(text);
    match serde_path_to_error::deserialize::<_, RawEvent<IgnoredAny>>(&mut de) {
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            let mut located = ParseError::from_json(&inner);
            if let ParseError::Invalid { path: p, reason } = &mut located {
                *p = with_missing_field(if path == "." { "" } else { &path }, reason);
            }
            located
        }
        // Facets themselves (not their contents) are of the wrong type, e.g.
        // `"facets": {"x": 1}` is fine but `"facets": 3` is not.
        Ok(_) => ParseError::from_json(fast),
    }
}

fn facets_of(map: Option<Facets>) -> Facets {
    map.unwrap_or_default()
}

fn dataset(raw: RawDataset<Facet>) -> Dataset {
    Dataset {
        namespace: raw.namespace,
        name: raw.name,
        facets: facets_of(raw.facets),
    }
}

fn as_job(raw: RawDataset<Facet>) -> Job {
    Job {
        namespace: raw.namespace,
        name: raw.name,
        facets: facets_of(raw.facets),
    }
}

/// Tells the kind of event by its shape: `dataset` makes a DatasetEvent,
/// `run` a RunEvent, `job` alone a JobEvent (`eventType` is optional and
/// cannot be relied on).
fn classify(
    run: Option<super::event::wire::RawRun<Facet>>,
    job: Option<RawDataset<Facet>>,
    dataset_field: Option<RawDataset<Facet>>,
    inputs: Option<Vec<super::event::wire::RawInput<Facet>>>,
    outputs: Option<Vec<super::event::wire::RawOutput<Facet>>>,
    event_type: Option<super::event::EventType>,
) -> Result<EventKind, ParseError> {
    let inputs = || -> Vec<InputDataset> {
        inputs
            .unwrap_or_default()
            .into_iter()
            .map(|i| InputDataset {
                dataset: Dataset {
                    namespace: i.namespace,
                    name: i.name,
                    facets: facets_of(i.facets),
                },
                input_facets: facets_of(i.input_facets),
            })
            .collect()
    };
    let outputs = outputs
        .unwrap_or_default()
        .into_iter()
        .map(|o| OutputDataset {
            dataset: Dataset {
                namespace: o.namespace,
                name: o.name,
                facets: facets_of(o.facets),
            },
            output_facets: facets_of(o.output_facets),
        })
        .collect();
    // The spec's schemas decide: a RunEvent has `run` and `job` (the spec's
    // own full example also carries a stray `dataset`); a DatasetEvent has
    // `dataset` and not both of them; a JobEvent has `job` and no `run`.
    match (dataset_field, run, job) {
        (_, Some(run), Some(job)) => Ok(EventKind::Run {
            event_type,
            run: Run {
                run_id: run.run_id,
                facets: facets_of(run.facets),
            },
            job: as_job(job),
            inputs: inputs(),
            outputs,
        }),
        (Some(ds), _, _) => Ok(EventKind::Dataset { dataset: dataset(ds) }),
        (None, Some(_), None) => Err(ParseError::invalid(
            "job",
            "missing field `job` (a RunEvent needs `run` and `job`)",
        )),
        (None, None, Some(job)) => Ok(EventKind::Job {
            job: as_job(job),
            inputs: inputs(),
            outputs,
        }),
        (None, None, None) => Err(ParseError::invalid(
            "",
            "not an OpenLineage event: expected `run` and `job` (RunEvent), `job` (JobEvent) or `dataset` (DatasetEvent)",
        )),
    }
}

/// Checks the standard facets of one map of facets, found at the path
/// `at` makes (only made for an error).
fn check_facets(
    facets: &Facets,
    scope: FacetScope,
    at: impl Fn() -> String,
    checked: &Checked,
) -> Result<(), ParseError> {
    for (key, raw) in facets {
        // A run's facets are described anew in the run's own graphs, so the
        // apply thread needs them read even where the memo knows them (the
        // `parent` of every task of a DAG run is the same): read them here.
        let read = || raw.check(scope, key);
        match scope {
            FacetScope::Run => read(),
            _ => checked.check(scope, key, raw.digest(), read),
        }
        .map_err(|err| {
            let mut path = format!("{}.{key}", at());
            if !err.path.is_empty() {
                if !err.path.starts_with('[') {
                    path.push('.');
                }
                path.push_str(&err.path);
            }
            ParseError::invalid(with_missing_field(&path, &err.message), err.message)
        })?;
    }
    Ok(())
}

fn check_standard_facets(kind: &EventKind, checked: &Checked) -> Result<(), ParseError> {
    let check_io = |inputs: &[InputDataset], outputs: &[OutputDataset]| {
        for (i, input) in inputs.iter().enumerate() {
            check_facets(
                &input.dataset.facets,
                FacetScope::Dataset,
                || format!("inputs[{i}].facets"),
                checked,
            )?;
            check_facets(
                &input.input_facets,
                FacetScope::Input,
                || format!("inputs[{i}].inputFacets"),
                checked,
            )?;
        }
        for (i, output) in outputs.iter().enumerate() {
            check_facets(
                &output.dataset.facets,
                FacetScope::Dataset,
                || format!("outputs[{i}].facets"),
                checked,
            )?;
            check_facets(
                &output.output_facets,
                FacetScope::Output,
                || format!("outputs[{i}].outputFacets"),
                checked,
            )?;
        }
        Ok::<_, ParseError>(())
    };
    match kind {
        EventKind::Run {
            run,
            job,
            inputs,
            outputs,
            ..
        } => {
            check_facets(&run.facets, FacetScope::Run, || "run.facets".into(), checked)?;
            check_facets(&job.facets, FacetScope::Job, || "job.facets".into(), checked)?;
            check_io(inputs, outputs)
        }
        EventKind::Job { job, inputs, outputs } => {
            check_facets(&job.facets, FacetScope::Job, || "job.facets".into(), checked)?;
            check_io(inputs, outputs)
        }
        EventKind::Dataset { dataset } => check_facets(
            &dataset.facets,
            FacetScope::Dataset,
            || "dataset.facets".into(),
            checked,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{"eventTime":"2020-12-28T19:51:01.641Z","run":{"runId":"43d7db3b-8984-4cda-b237-8c6919b36670"},"job":{"namespace":"ns","name":"j"},"producer":"p"}"#;

    fn invalid_path(text: &str) -> String {
        match parse_event(text) {
            Err(ParseError::Invalid { path, .. }) => path,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn tells_kinds_apart_by_shape() {
        assert_eq!(parse_event(MINIMAL).unwrap().kind.name(), "RunEvent");
        let job =
            r#"{"eventTime":"2020-12-28T19:51:01Z","producer":"p","job":{"namespace":"ns","name":"j"}}"#;
        assert_eq!(parse_event(job).unwrap().kind.name(), "JobEvent");
        let ds =
            r#"{"eventTime":"2020-12-28T19:51:01Z","producer":"p","dataset":{"namespace":"ns","name":"d"}}"#;
        assert_eq!(parse_event(ds).unwrap().kind.name(), "DatasetEvent");
    }

    #[test]
    fn syntax_errors_carry_the_position() {
        let err = parse_event("{\n  \"eventTime\": ,}").unwrap_err();
        assert!(
            matches!(
                err,
                ParseError::Syntax {
                    line: 2,
                    column: 16,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn missing_and_mistyped_fields_carry_their_path() {
        assert_eq!(
            invalid_path(&MINIMAL.replace("\"producer\":\"p\"", "\"x\":1")),
            "producer"
        );
        assert_eq!(
            invalid_path(&MINIMAL.replace("43d7db3b-8984-4cda-b237-8c6919b36670", "nope")),
            "run.runId"
        );
        assert_eq!(
            invalid_path(&MINIMAL.replace("\"name\":\"j\"", "\"name\":7")),
            "job.name"
        );
        assert_eq!(
            invalid_path(&MINIMAL.replace("2020-12-28T19:51:01.641Z", "soon")),
            "eventTime"
        );
        let bad_input = MINIMAL.replace(
            "\"producer\"",
            r#""inputs":[{"namespace":"n","name":"a"},{"namespace":"n"}],"producer""#,
        );
        assert_eq!(invalid_path(&bad_input), "inputs[1].name");
        let bad_facet = MINIMAL.replace(
            "\"producer\"",
            r#""outputs":[{"namespace":"n","name":"a","facets":{"schema":{"fields":[{"type":"int"}]}}}],"producer""#,
        );
        assert_eq!(
            invalid_path(&bad_facet),
            "outputs[0].facets.schema.fields[0].name"
        );
        assert_eq!(invalid_path(&MINIMAL.replace("\"job\"", "\"jab\"")), "job");
        assert_eq!(
            invalid_path(r#"{"eventTime":"2020-12-28T19:51:01Z","producer":"p"}"#),
            ""
        );
    }

    #[test]
    fn unknown_event_types_are_refused() {
        let text = MINIMAL.replace("\"producer\"", "\"eventType\":\"DONE\",\"producer\"");
        assert_eq!(invalid_path(&text), "eventType");
    }

    #[test]
    fn facets_are_kept_verbatim() {
        let custom = r#"{ "plan" : [1, 2.50, "x"] }"#;
        let text = MINIMAL.replace(
            "\"namespace\":\"ns\",\"name\":\"j\"",
            &format!("\"namespace\":\"ns\",\"name\":\"j\",\"facets\":{{\"spark.logicalPlan\":{custom}}}"),
        );
        let EventKind::Run { job, .. } = parse_event(&text).unwrap().kind else {
            panic!()
        };
        assert_eq!(job.facets["spark.logicalPlan"].get(), custom);
    }

    #[test]
    fn bodies_are_one_event_or_an_array_each_with_its_exact_text() {
        fn parse<'a>(body: &'a str) -> Result<Vec<BodyEvent<'a>>, ParseError> {
            parse_body(body.as_bytes(), &Checked::default(), &())
        }
        let body = format!(" \n{MINIMAL}\n");
        let one = parse(&body).unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].0, MINIMAL);
        assert!(one[0].1.is_ok());
        let body = format!("[{MINIMAL},\n  {MINIMAL} ]");
        let two = parse(&body).unwrap();
        assert_eq!(
            two.iter().map(|(text, _)| *text).collect::<Vec<_>>(),
            [MINIMAL; 2]
        );
        assert!(parse("[ ]").unwrap().is_empty());
        // An event whose data is wrong is refused alone, with its path.
        let body = format!(r#"[{MINIMAL}, {{"eventTime": 3}}, 7, {MINIMAL}]"#);
        let mixed = parse(&body).unwrap();
        assert_eq!(mixed.len(), 4);
        assert_eq!(mixed[1].0, r#"{"eventTime": 3}"#);
        assert!(matches!(&mixed[1].1, Err(ParseError::Invalid { path, .. }) if path == "eventTime"));
        assert_eq!(mixed[2].0, "7");
        assert!(matches!(mixed[2].1, Err(ParseError::Invalid { .. })));
        assert!(mixed[3].1.is_ok());
        // A syntax error anywhere refuses the body, at the body's line and column.
        for broken in [
            "[1,",
            "[{}",
            "[{} {}]",
            "[{}],",
            "{} {}",
            "",
            "[{\"a\":}]",
            "\n\n  [{]",
        ] {
            let Err(ParseError::Syntax { line, column, .. }) = parse(broken) else {
                panic!("{broken:?} was not refused whole")
            };
            let expected = serde_json::from_str::<IgnoredAny>(broken).unwrap_err();
            assert_eq!((line, column), (expected.line(), expected.column()), "{broken:?}");
        }
        assert!(matches!(
            parse_body(b"[\xff]", &Checked::default(), &()),
            Err(ParseError::Syntax { .. })
        ));
    }
}
