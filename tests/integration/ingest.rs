//! Ingestion through `POST /api/v1/lineage` and `POST /api/v1/lineage/batch`,
//! driven through the real router with `oneshot`.
//!
//! Covers: the three kinds of event told apart by shape, spec versions and
//! timestamp forms; gzip with and without `Content-Encoding`; every refusal
//! (400 malformed JSON, 422 invalid event with the field path, 413, 415, 401)
//! and that a refused request writes nothing; the batch endpoint's per-event
//! answer; idempotent re-sends; run state following event time with terminal
//! states that stick; the API key; names that need percent-encoding.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use meshgraph::config::Config;
use meshgraph::store::iri;
use meshgraph::store::vocab::{mg, prov};
use oxigraph::model::{Literal, NamedNode};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::support::{TestApp, assert_error, gzip, literal_text, run_event, run_id};

const LINEAGE: &str = "/api/v1/lineage";
const BATCH: &str = "/api/v1/lineage/batch";
const JSON: (&str, &str) = ("content-type", "application/json");
const PRODUCER: &str = "https://meshgraph.dev/tests";

/// Request headers, as name and value.
type Headers<'a> = Vec<(&'a str, &'a str)>;

/// A RunEvent with one input and one output, as a JSON value to edit.
fn full_event(run: uuid::Uuid) -> Value {
    json!({
        "eventType": "START",
        "eventTime": "2024-03-01T12:00:00.000Z",
        "run": { "runId": run.to_string() },
        "job": { "namespace": "tests", "name": "job" },
        "inputs": [
            { "namespace": "pg://db:5432", "name": "shop.orders" },
            { "namespace": "pg://db:5432", "name": "shop.customers" }
        ],
        "outputs": [{
            "namespace": "pg://db:5432",
            "name": "shop.totals",
            "facets": { "schema": {
                "_producer": PRODUCER,
                "_schemaURL": "https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json",
                "fields": [{ "name": "total", "type": "DECIMAL" }]
            } }
        }],
        "producer": PRODUCER,
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
    })
}

/// The `xsd:dateTime` object of `(subject, predicate)`, as a UTC instant.
fn time_of(
    app: &TestApp,
    subject: &NamedNode,
    predicate: oxigraph::model::NamedNodeRef<'_>,
) -> Option<String> {
    let rows = app.select(&format!("SELECT ?t WHERE {{ {subject} {predicate} ?t }}"));
    assert!(rows.len() <= 1, "functional property with {} values", rows.len());
    rows.first().and_then(|r| literal_text(&r["t"]))
}

/// Parses an RFC 3339 text into an instant, for comparing times however written.
fn instant(text: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{text:?} is not RFC 3339: {e}"))
        .to_utc()
}

#[tokio::test]
async fn a_single_run_event_is_accepted_and_stored() {
    let app = TestApp::new();
    let run = run_id(1);
    let (status, body) = app.post(LINEAGE, full_event(run).to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(app.log_len(), 1);
    let run_iri = iri::run(run);
    assert!(app.has_type(&run_iri, mg::RUN));
    assert!(app.has_type(&iri::job("tests", "job"), mg::JOB));
    assert!(app.has_type(&iri::dataset("pg://db:5432", "shop.totals"), mg::DATASET));
    // START is reported as RUNNING, as in Marquez.
    assert_eq!(app.run_state(run).as_deref(), Some("RUNNING"));
}

#[tokio::test]
async fn a_json_array_of_events_is_accepted_as_a_whole() {
    let app = TestApp::new();
    let events = json!([
        serde_json::from_str::<Value>(&run_event(run_id(1), "START", "2024-03-01T12:00:00Z")).unwrap(),
        serde_json::from_str::<Value>(&run_event(run_id(1), "COMPLETE", "2024-03-01T12:05:00Z")).unwrap(),
        serde_json::from_str::<Value>(&run_event(run_id(2), "FAIL", "2024-03-01T12:06:00Z")).unwrap(),
    ]);
    let (status, body) = app.post(LINEAGE, format!("  \n{events}")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(app.log_len(), 3);
    assert_eq!(app.run_state(run_id(1)).as_deref(), Some("COMPLETE"));
    assert_eq!(app.run_state(run_id(2)).as_deref(), Some("FAIL"));
    // An empty array is a valid request that writes nothing.
    let (status, _) = app.post(LINEAGE, "[]").await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(app.log_len(), 3);
}

#[tokio::test]
async fn dataset_and_job_events_are_told_apart_by_shape() {
    let app = TestApp::new();
    let dataset_event = json!({
        "eventTime": "2024-03-01T12:00:00Z",
        "producer": PRODUCER,
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
        "dataset": { "namespace": "s3://lake", "name": "raw/events", "facets": {
            "documentation": { "_producer": PRODUCER, "_schemaURL": "https://x/y.json", "description": "raw" }
        } }
    });
    let job_event = json!({
        "eventTime": "2024-03-01T12:00:00Z",
        "producer": PRODUCER,
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent",
        "job": { "namespace": "sched", "name": "declared" },
        "inputs": [{ "namespace": "s3://lake", "name": "raw/events" }],
        "outputs": [{ "namespace": "s3://lake", "name": "clean/events" }]
    });
    // Marquez's tests send JobEvents with an `eventType`; the shape still decides.
    let mut job_event_typed = job_event.clone();
    job_event_typed["eventType"] = json!("COMPLETE");
    job_event_typed["job"]["name"] = json!("declared-typed");
    let mut dataset_event_typed = dataset_event.clone();
    dataset_event_typed["eventType"] = json!("OTHER");
    dataset_event_typed["dataset"]["name"] = json!("raw/typed");

    for event in [&dataset_event, &job_event, &job_event_typed, &dataset_event_typed] {
        let (status, body) = app.post(LINEAGE, event.to_string()).await;
        assert_eq!(status, StatusCode::CREATED, "{body} for {event}");
    }
    assert_eq!(app.log_len(), 4);
    assert!(app.has_type(&iri::dataset("s3://lake", "raw/events"), mg::DATASET));
    assert!(app.has_type(&iri::dataset("s3://lake", "raw/typed"), mg::DATASET));
    assert!(app.has_type(&iri::job("sched", "declared"), mg::JOB));
    assert!(app.has_type(&iri::job("sched", "declared-typed"), mg::JOB));
    // Neither kind creates a run.
    let runs = app.select(&format!("SELECT ?r WHERE {{ ?r a {} }}", mg::RUN));
    assert!(runs.is_empty(), "no run expected, got {runs:?}");
    // The JobEvent's declared lineage is stored as job-level reads/writes.
    let reads = app.select(&format!(
        "SELECT ?d WHERE {{ {} {} ?d }}",
        iri::job("sched", "declared"),
        mg::READS
    ));
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert_eq!(
        app.facet_json(&iri::dataset("s3://lake", "raw/events"), "documentation")
            .as_deref(),
        Some(
            r#"{"_producer":"https://meshgraph.dev/tests","_schemaURL":"https://x/y.json","description":"raw"}"#
        )
    );
}

#[tokio::test]
async fn events_of_spec_1_0_x_without_schema_url_and_of_2_0_x_are_accepted() {
    let app = TestApp::new();
    // 1-0-x: no `schemaURL`, `eventType` present, `definitions` in references.
    let mut v1 = full_event(run_id(1));
    v1.as_object_mut().unwrap().remove("schemaURL");
    let mut v1_with_url = full_event(run_id(2));
    v1_with_url["schemaURL"] =
        json!("https://openlineage.io/spec/1-0-5/OpenLineage.json#/definitions/RunEvent");
    // 2-0-x: `$defs`, and `eventType` is optional.
    let mut v2_untyped = full_event(run_id(3));
    v2_untyped.as_object_mut().unwrap().remove("eventType");
    let mut v2_future = full_event(run_id(4));
    v2_future["schemaURL"] = json!("https://openlineage.io/spec/2-9-9/OpenLineage.json#/$defs/RunEvent");
    for (n, event) in [v1, v1_with_url, v2_untyped, v2_future].iter().enumerate() {
        let (status, body) = app.post(LINEAGE, event.to_string()).await;
        assert_eq!(status, StatusCode::CREATED, "event {n}: {body}");
        assert!(
            app.has_type(&iri::run(run_id(n as u128 + 1)), mg::RUN),
            "event {n} stored"
        );
    }
    // A run without any `eventType` has no state yet.
    assert_eq!(app.run_state(run_id(3)), None);
}

#[tokio::test]
async fn timestamps_in_every_form_producers_send_are_accepted_as_the_right_instant() {
    let app = TestApp::new();
    let mut cases: Vec<(String, String)> = vec![
        ("2024-03-01T12:00:00Z".into(), "2024-03-01T12:00:00Z".into()),
        (
            "2024-03-01T22:00:00.5+10:00".into(),
            "2024-03-01T12:00:00.5Z".into(),
        ),
        ("2024-03-01T06:30:00-05:30".into(), "2024-03-01T12:00:00Z".into()),
        (
            "2024-03-01T12:00:00.186095+00:00".into(),
            "2024-03-01T12:00:00.186095Z".into(),
        ),
        // Python's `str(datetime)`: a space for `T`.
        (
            "2024-03-01 13:00:00.123456+01:00".into(),
            "2024-03-01T12:00:00.123456Z".into(),
        ),
        // No offset: read as UTC (Marquez does the same).
        ("2024-03-01T12:00:00".into(), "2024-03-01T12:00:00Z".into()),
        (
            "2024-03-01T12:00:00.641499".into(),
            "2024-03-01T12:00:00.641499Z".into(),
        ),
        (
            "2024-03-01T12:00:00.123456789".into(),
            "2024-03-01T12:00:00.123456789Z".into(),
        ),
    ];
    // 0 to 9 fractional digits.
    for digits in 0..=9 {
        let fraction = if digits == 0 {
            String::new()
        } else {
            format!(".{}", &"987654321"[..digits])
        };
        let text = format!("2024-03-01T12:00:00{fraction}Z");
        cases.push((text.clone(), text));
    }
    for (n, (sent, expected)) in cases.iter().enumerate() {
        let run = run_id(n as u128);
        let (status, body) = app.post(LINEAGE, run_event(run, "START", sent)).await;
        assert_eq!(status, StatusCode::CREATED, "eventTime {sent:?}: {body}");
        let stored = time_of(&app, &iri::run(run), prov::STARTED_AT_TIME)
            .unwrap_or_else(|| panic!("no start time stored for {sent:?}"));
        assert_eq!(
            instant(&stored),
            instant(expected),
            "eventTime {sent:?} stored as {stored:?}"
        );
    }
}

#[tokio::test]
async fn gzip_bodies_are_read_with_and_without_content_encoding() {
    let app = TestApp::new();
    let declared = gzip(run_event(run_id(1), "START", "2024-03-01T12:00:00Z").as_bytes());
    let (status, body) = app
        .post_with(LINEAGE, &[JSON, ("content-encoding", "gzip")], declared)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Older Java clients gzip without saying so.
    let sniffed = gzip(run_event(run_id(2), "START", "2024-03-01T12:00:00Z").as_bytes());
    let (status, body) = app.post_with(LINEAGE, &[JSON], sniffed).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // The batch endpoint reads gzip the same way.
    let batch = gzip(format!("[{}]", run_event(run_id(3), "START", "2024-03-01T12:00:00Z")).as_bytes());
    let (status, body) = app
        .post_with(BATCH, &[JSON, ("content-encoding", "gzip")], batch)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["summary"]["successful"], 1, "{body}");
    for n in 1..=3 {
        assert_eq!(app.run_state(run_id(n)).as_deref(), Some("RUNNING"), "run {n}");
    }
    // The log keeps the inflated JSON, not the gzip bytes.
    let page = app
        .app
        .log
        .events(meshgraph::log::EventWindow {
            after: None,
            before: None,
            descending: false,
            offset: 0,
            limit: 10,
        })
        .unwrap();
    for raw in &page.events {
        serde_json::from_slice::<Value>(raw).expect("the log holds JSON");
    }
}

#[tokio::test]
async fn a_corrupt_gzip_body_is_400() {
    let app = TestApp::new();
    let event = gzip(run_event(run_id(1), "START", "2024-03-01T12:00:00Z").as_bytes());
    let mut flipped = event.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0xff;
    let truncated = event[..event.len() - 12].to_vec();
    let garbage_declared = b"{\"this is\": \"not gzip\"}".to_vec();
    let garbage_sniffed = [&[0x1f, 0x8b][..], b"definitely not deflate data"].concat();
    for (what, headers, body) in [
        ("flipped byte", vec![JSON, ("content-encoding", "gzip")], flipped),
        ("truncated", vec![JSON, ("content-encoding", "gzip")], truncated),
        (
            "plain JSON declared gzip",
            vec![JSON, ("content-encoding", "gzip")],
            garbage_declared,
        ),
        ("magic then garbage", vec![JSON], garbage_sniffed),
    ] {
        let (status, body) = app.post_with(LINEAGE, &headers, body).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "bad_encoding");
        assert_eq!(app.log_len(), 0, "{what}: nothing written");
    }
}

#[tokio::test]
async fn malformed_json_is_400_naming_line_and_column() {
    let app = TestApp::new();
    let (status, body) = app
        .post(LINEAGE, "{\n  \"eventTime\": ,\n  \"producer\": \"p\"\n}")
        .await;
    let message = assert_error(status, &body, StatusCode::BAD_REQUEST, "malformed_json");
    assert!(
        message.contains("line 2") && message.contains("column 16"),
        "{message}"
    );

    // Inside an array, the position is in the whole body.
    let good = run_event(run_id(1), "START", "2024-03-01T12:00:00Z");
    let (status, body) = app
        .post(LINEAGE, format!("[{good},\n{good},\n{{\"run\": }}]"))
        .await;
    let message = assert_error(status, &body, StatusCode::BAD_REQUEST, "malformed_json");
    assert!(message.contains("line 3"), "{message}");

    for bad in [
        "",
        "not json",
        "{\"eventTime\": \"2024-03-01T12:00:00Z\"",
        "[{}, ",
        "{} {}",
    ] {
        let (status, body) = app.post(LINEAGE, bad).await;
        let message = assert_error(status, &body, StatusCode::BAD_REQUEST, "malformed_json");
        assert!(
            message.contains("line") && message.contains("column"),
            "{bad:?}: {message}"
        );
    }
    assert_eq!(app.log_len(), 0);
}

/// Edits a JSON document: sets (or, with `None`, removes) the value at a
/// dotted path whose parts are object keys or array indices.
fn edit(event: &Value, path: &str, value: Option<Value>) -> String {
    let mut event = event.clone();
    let (parent, last) = path.rsplit_once('.').map_or(("", path), |(p, l)| (p, l));
    let mut target = &mut event;
    for part in parent.split('.').filter(|p| !p.is_empty()) {
        target = match part.parse::<usize>() {
            Ok(i) => &mut target[i],
            Err(_) => &mut target[part],
        };
    }
    match (value, last.parse::<usize>()) {
        (Some(v), Ok(i)) => target[i] = v,
        (Some(v), Err(_)) => target[last] = v,
        (None, Ok(i)) => {
            target.as_array_mut().unwrap().remove(i);
        }
        (None, Err(_)) => {
            target
                .as_object_mut()
                .unwrap()
                .remove(last)
                .expect("the field exists");
        }
    }
    event.to_string()
}

#[tokio::test]
async fn a_missing_required_field_is_422_naming_where() {
    let app = TestApp::new();
    let event = full_event(run_id(1));
    // (field removed, what the message must name)
    for (path, names) in [
        ("run.runId", &["run", "runId"][..]),
        ("job.name", &["job", "name"]),
        ("job.namespace", &["job", "namespace"]),
        ("eventTime", &["eventTime"]),
        ("producer", &["producer"]),
        ("inputs.1.name", &["inputs[1]", "name"]),
        (
            "outputs.0.facets.schema.fields.0.name",
            &["outputs[0].facets.schema.fields[0]", "name"],
        ),
        ("job", &["job"]),
    ] {
        let (status, body) = app.post(LINEAGE, edit(&event, path, None)).await;
        let message = assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_event");
        for name in names {
            assert!(
                message.contains(name),
                "without {path}: {message:?} should name {name:?}"
            );
        }
    }
    assert_eq!(app.log_len(), 0);
}

#[tokio::test]
async fn a_missing_field_is_named_by_its_full_path() {
    let app = TestApp::new();
    let event = full_event(run_id(1));
    for (path, full) in [
        ("run.runId", "run.runId"),
        ("inputs.1.name", "inputs[1].name"),
        (
            "outputs.0.facets.schema.fields.0.name",
            "outputs[0].facets.schema.fields[0].name",
        ),
        ("eventTime", "eventTime"),
    ] {
        let (status, body) = app.post(LINEAGE, edit(&event, path, None)).await;
        let message = assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_event");
        assert!(
            message.starts_with(full),
            "without {path}: {message:?} should start with {full:?}"
        );
    }
}

#[tokio::test]
async fn a_wrongly_typed_field_is_422_naming_its_path() {
    let app = TestApp::new();
    let event = full_event(run_id(1));
    for (path, value, named) in [
        ("run.runId", json!(42), "run.runId"),
        ("run.runId", json!("not-a-uuid"), "run.runId"),
        ("eventTime", json!("yesterday"), "eventTime"),
        ("eventTime", json!(1_709_294_400), "eventTime"),
        ("eventType", json!("DONE"), "eventType"),
        ("job.name", json!(["j"]), "job.name"),
        ("inputs.1.name", json!(5), "inputs[1].name"),
        ("inputs", json!({}), "inputs"),
        (
            "outputs.0.facets.schema.fields.0.name",
            json!(7),
            "outputs[0].facets.schema.fields[0].name",
        ),
        (
            "outputs.0.facets.schema.fields",
            json!("total"),
            "outputs[0].facets.schema.fields",
        ),
        ("job", json!("job"), "job"),
    ] {
        let (status, body) = app.post(LINEAGE, edit(&event, path, Some(value.clone()))).await;
        let message = assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_event");
        assert!(
            message.contains(named),
            "{path} = {value}: {message:?} should name {named:?}"
        );
    }
    // Inside an array, the path starts with the event's index.
    let good = |n| full_event(run_id(n));
    let mut bad = good(3);
    bad["run"]["runId"] = json!("nope");
    let (status, body) = app
        .post(LINEAGE, json!([good(1), good(2), bad]).to_string())
        .await;
    let message = assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_event");
    assert!(message.contains("[2].run.runId"), "{message}");
    let (status, body) = app.post(LINEAGE, json!([good(1), 7]).to_string()).await;
    let message = assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_event");
    assert!(message.starts_with("[1]"), "{message}");
    // A document that is no event at all.
    for not_an_event in [
        "{}",
        "null",
        "42",
        r#"{"eventTime":"2024-03-01T12:00:00Z","producer":"p"}"#,
    ] {
        let (status, body) = app.post(LINEAGE, not_an_event).await;
        assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_event");
    }
    assert_eq!(app.log_len(), 0);
}

/// An event padded with a custom facet to about `size` bytes.
fn padded_event(run: uuid::Uuid, size: usize) -> String {
    let mut event = full_event(run);
    event["run"]["facets"] = json!({ "padding": { "_producer": PRODUCER, "_schemaURL": "https://x/p.json",
        "text": "x".repeat(size) } });
    event.to_string()
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let app = TestApp::with(Config {
        max_body_bytes: 4_096,
        ..Config::in_memory()
    });
    let fits = padded_event(run_id(1), 2_000);
    assert!(fits.len() < 4_096);
    let (status, body) = app.post(LINEAGE, fits).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let too_big = padded_event(run_id(2), 5_000);
    let (status, body) = app.post(LINEAGE, too_big.clone()).await;
    assert_error(status, &body, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    let (status, body) = app.post(BATCH, format!("[{too_big}]")).await;
    assert_error(status, &body, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    // The limit applies to the inflated body: small compressed, too big inflated.
    let compressed = gzip(too_big.as_bytes());
    assert!(compressed.len() < 4_096);
    let (status, body) = app
        .post_with(LINEAGE, &[JSON, ("content-encoding", "gzip")], compressed)
        .await;
    assert_error(status, &body, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert_eq!(app.log_len(), 1);
}

#[tokio::test]
async fn the_default_limit_takes_bodies_beyond_axums_2_mib() {
    let app = TestApp::new();
    let large = padded_event(run_id(1), 3 << 20);
    let (status, body) = app.post(LINEAGE, large).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(app.log_len(), 1);
}

#[tokio::test]
async fn a_gzip_bomb_is_413_without_being_inflated_whole() {
    const LIMIT: usize = 256 * 1024;
    let app = TestApp::with(Config {
        max_body_bytes: LIMIT,
        ..Config::in_memory()
    });
    // 64 gzip members of 1 MiB of spaces each (~1 KiB compressed apiece), then a
    // corrupt member. A server that stops inflating at the limit answers 413;
    // one that inflates everything first reaches the corrupt tail (400) after
    // 64 MiB, and one that inflates without bound would go on forever.
    let member = gzip(&vec![b' '; 1 << 20]);
    let mut bomb: Vec<u8> = std::iter::repeat_n(member.as_slice(), 64)
        .flatten()
        .copied()
        .collect();
    bomb.extend_from_slice(&[0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff, 0xde, 0xad, 0xbe, 0xef]);
    assert!(
        bomb.len() < LIMIT / 2,
        "the bomb itself fits the limit: {}",
        bomb.len()
    );
    for headers in [vec![JSON, ("content-encoding", "gzip")], vec![JSON]] {
        let (status, body) = app.post_with(LINEAGE, &headers, bomb.clone()).await;
        assert_error(status, &body, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    }
    assert_eq!(app.log_len(), 0);
}

#[tokio::test]
async fn unsupported_content_types_and_encodings_are_415() {
    let app = TestApp::new();
    let event = run_event(run_id(1), "START", "2024-03-01T12:00:00Z");
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
    ] {
        let (status, body) = app
            .post_with(LINEAGE, &[("content-type", content_type)], event.clone())
            .await;
        assert_error(
            status,
            &body,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        );
        let (status, body) = app
            .post_with(BATCH, &[("content-type", content_type)], format!("[{event}]"))
            .await;
        assert_error(
            status,
            &body,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        );
    }
    let (status, body) = app
        .post_with(LINEAGE, &[JSON, ("content-encoding", "br")], event.clone())
        .await;
    assert_error(
        status,
        &body,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    assert_eq!(app.log_len(), 0);
    // JSON in its usual spellings is fine, and so is no Content-Type at all.
    for (n, headers) in [
        vec![("content-type", "application/json; charset=utf-8")],
        vec![("content-type", "application/vnd.openlineage+json")],
        vec![],
    ]
    .into_iter()
    .enumerate()
    {
        let event = run_event(run_id(10 + n as u128), "START", "2024-03-01T12:00:00Z");
        let (status, body) = app.post_with(LINEAGE, &headers, event).await;
        assert_eq!(status, StatusCode::CREATED, "{headers:?}: {body}");
    }
}

#[tokio::test]
async fn every_error_body_is_json_code_and_message() {
    let app = TestApp::with(Config {
        max_body_bytes: 1_024,
        api_key: Some("k".into()),
        ..Config::in_memory()
    });
    let auth = ("authorization", "Bearer k");
    let cases: Vec<(Headers<'_>, Vec<u8>, StatusCode, &str)> = vec![
        (
            vec![JSON],
            b"{".to_vec(),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            vec![JSON, auth],
            b"{".to_vec(),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            vec![JSON, auth],
            b"{}".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_event",
        ),
        (
            vec![JSON, auth],
            vec![b' '; 2_000],
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
        (
            vec![("content-type", "text/plain"), auth],
            b"{}".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            vec![JSON, auth, ("content-encoding", "gzip")],
            b"{}".to_vec(),
            StatusCode::BAD_REQUEST,
            "bad_encoding",
        ),
    ];
    for (headers, body, status, code) in cases {
        let (got, answer) = app.post_with(LINEAGE, &headers, body).await;
        // Without the key, every write is refused first.
        if !headers.contains(&auth) {
            assert_error(got, &answer, StatusCode::UNAUTHORIZED, "unauthorized");
        } else {
            assert_error(got, &answer, status, code);
        }
    }
    let (status, body) = app.get("/api/v1/no/such/route").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn a_wrong_method_is_405_with_a_json_body() {
    let app = TestApp::new();
    for (method, path) in [
        (Method::PUT, LINEAGE),
        (Method::DELETE, LINEAGE),
        (Method::GET, BATCH),
        (Method::POST, "/health"),
    ] {
        let request = Request::builder()
            .method(method.clone())
            .uri(path)
            .body(Body::empty())
            .unwrap();
        let response = app.router.clone().oneshot(request).await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        let bytes = http_body_util::BodyExt::collect(response.into_body())
            .await
            .unwrap()
            .to_bytes();
        let body: Value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| panic!("{method} {path}: not JSON: {:?}", String::from_utf8_lossy(&bytes)));
        assert!(body["code"].is_string() && body["message"].is_string(), "{body}");
    }
}

#[tokio::test]
async fn a_refused_request_writes_nothing() {
    let app = TestApp::with(Config {
        max_body_bytes: 8_192,
        ..Config::in_memory()
    });
    // Something to change, so "unchanged" means something.
    let (status, _) = app.post(LINEAGE, full_event(run_id(100)).to_string()).await;
    assert_eq!(status, StatusCode::CREATED);
    let before = app.footprint();
    assert!(before.0 == 1 && before.1 > 0);

    let good = |n| full_event(run_id(n));
    let mut bad_middle = good(2);
    bad_middle["job"].as_object_mut().unwrap().remove("name");
    let mut bad_last = good(3);
    bad_last["eventTime"] = json!("not a time");
    let refused: Vec<(&str, Headers<'_>, Vec<u8>)> = vec![
        (
            "one bad event of three (middle)",
            vec![JSON],
            json!([good(1), bad_middle, good(3)]).to_string().into(),
        ),
        (
            "one bad event of three (last)",
            vec![JSON],
            json!([good(1), good(2), bad_last]).to_string().into(),
        ),
        (
            "malformed JSON after good events",
            vec![JSON],
            format!("[{},{}, {{", good(1), good(2)).into(),
        ),
        ("invalid event", vec![JSON], b"{}".to_vec()),
        ("too large", vec![JSON], padded_event(run_id(4), 10_000).into()),
        (
            "wrong content type",
            vec![("content-type", "text/plain")],
            good(5).to_string().into(),
        ),
        (
            "corrupt gzip",
            vec![JSON, ("content-encoding", "gzip")],
            good(6).to_string().into(),
        ),
    ];
    for (what, headers, body) in refused {
        let (status, answer) = app.post_with(LINEAGE, &headers, body).await;
        assert!(status.is_client_error(), "{what}: {status} {answer}");
        assert_eq!(app.footprint(), before, "{what}: the log or the store changed");
    }
    for n in 1..=6 {
        assert!(
            !app.has_type(&iri::run(run_id(n)), mg::RUN),
            "run {n} must not exist"
        );
    }
    // Refused for want of the API key: nothing written either.
    let keyed = TestApp::with(Config {
        api_key: Some("k".into()),
        ..Config::in_memory()
    });
    let (status, _) = keyed.post(LINEAGE, good(1).to_string()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = keyed.post(BATCH, json!([good(1)]).to_string()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(keyed.footprint(), (0, 0));
}

#[tokio::test]
async fn the_batch_endpoint_accepts_each_event_on_its_own() {
    let app = TestApp::new();
    let good = |n| full_event(run_id(n));
    let mut no_run_id = good(2);
    no_run_id["run"].as_object_mut().unwrap().remove("runId");
    let mut bad_time = good(4);
    bad_time["eventTime"] = json!("tomorrow");
    let batch = json!([good(1), no_run_id, good(3), bad_time, 42]);
    let (status, body) = app.post(BATCH, batch.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "partial_success", "{body}");
    assert_eq!(body["summary"]["received"], 5, "{body}");
    assert_eq!(body["summary"]["successful"], 2, "{body}");
    assert_eq!(body["summary"]["failed"], 3, "{body}");
    let failed = body["failed_events"].as_array().expect("failed_events");
    let indices: Vec<u64> = failed.iter().map(|f| f["index"].as_u64().unwrap()).collect();
    assert_eq!(indices, [1, 3, 4], "{body}");
    for (f, named) in failed.iter().zip(["runId", "eventTime", ""]) {
        let reason = f["reason"].as_str().expect("reason");
        assert!(!reason.is_empty() && reason.contains(named), "{f}");
        assert_eq!(f["retriable"], false, "a refused event is not retriable: {f}");
    }
    // The good events are stored, the bad ones are not.
    assert_eq!(app.log_len(), 2);
    assert_eq!(app.run_state(run_id(1)).as_deref(), Some("RUNNING"));
    assert_eq!(app.run_state(run_id(3)).as_deref(), Some("RUNNING"));
    assert!(!app.has_type(&iri::run(run_id(4)), mg::RUN));

    // All good: success, no failures.
    let (status, body) = app.post(BATCH, json!([good(5), good(6)]).to_string()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "success", "{body}");
    assert_eq!(body["summary"]["received"], 2);
    assert_eq!(body["summary"]["successful"], 2);
    assert_eq!(body["summary"]["failed"], 0);
    assert_eq!(body["failed_events"], json!([]));
    assert_eq!(app.log_len(), 4);

    // Every event refused: 200 all the same, nothing written.
    let (status, body) = app.post(BATCH, json!([{}, 7]).to_string()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["summary"]["successful"], 0, "{body}");
    assert_eq!(body["summary"]["failed"], 2, "{body}");
    assert_eq!(app.log_len(), 4);

    // An empty batch, a body that is no array, one that is no JSON.
    let (status, body) = app.post(BATCH, "[]").await;
    assert_eq!(
        (status, &body["summary"]["received"]),
        (StatusCode::OK, &json!(0)),
        "{body}"
    );
    let (status, body) = app.post(BATCH, good(7).to_string()).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_event");
    let (status, body) = app.post(BATCH, "[{").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "malformed_json");
    assert_eq!(app.log_len(), 4);
}

#[tokio::test]
async fn re_sending_an_identical_event_changes_nothing() {
    let app = TestApp::new();
    let event = full_event(run_id(1)).to_string();
    let (status, _) = app.post(LINEAGE, event.clone()).await;
    assert_eq!(status, StatusCode::CREATED);
    let once = app.footprint();
    let (status, _) = app.post(LINEAGE, event.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "a retry is acknowledged");
    assert_eq!(app.footprint(), once, "single re-send");
    let (status, _) = app.post(LINEAGE, format!("[{event},{event}]")).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(app.footprint(), once, "array of the same event twice");
    let (status, body) = app.post(BATCH, format!("[{event}]")).await;
    assert_eq!(
        (status, &body["summary"]["successful"]),
        (StatusCode::OK, &json!(1)),
        "{body}"
    );
    assert_eq!(app.footprint(), once, "batch re-send");
    let (status, _) = app.post_with(LINEAGE, &[JSON], gzip(event.as_bytes())).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(app.footprint(), once, "gzipped re-send");
    // The same event written differently is a new log record, but the graph
    // it maps to is the same (IRIs are functions of identities).
    let pretty = serde_json::to_string_pretty(&full_event(run_id(1))).unwrap();
    let (status, _) = app.post(LINEAGE, pretty).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(app.footprint(), (once.0 + 1, once.1), "reformatted re-send");
}

#[tokio::test]
async fn runs_accumulate_what_each_event_reports() {
    let app = TestApp::new();
    let run = run_id(1);
    let start = json!({
        "eventType": "START", "eventTime": "2024-03-01T12:00:00Z", "producer": PRODUCER,
        "run": { "runId": run.to_string(), "facets": { "first": { "a": 1 } } },
        "job": { "namespace": "tests", "name": "job" },
        "inputs": [{ "namespace": "pg", "name": "in" }]
    });
    let complete = json!({
        "eventType": "COMPLETE", "eventTime": "2024-03-01T12:10:00Z", "producer": PRODUCER,
        "run": { "runId": run.to_string(), "facets": { "second": { "b": 2 } } },
        "job": { "namespace": "tests", "name": "job" },
        "outputs": [{ "namespace": "pg", "name": "out" }]
    });
    for event in [start, complete] {
        let (status, body) = app.post(LINEAGE, event.to_string()).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let run_iri = iri::run(run);
    let used = app.select(&format!("SELECT ?d WHERE {{ {run_iri} {} ?d }}", prov::USED));
    let generated = app.select(&format!("SELECT ?d WHERE {{ {run_iri} {} ?d }}", prov::GENERATED));
    assert_eq!(used.len(), 1, "the START's input is kept: {used:?}");
    assert_eq!(
        generated.len(),
        1,
        "the COMPLETE's output is added: {generated:?}"
    );
    assert_eq!(app.facet_json(&run_iri, "first").as_deref(), Some(r#"{"a":1}"#));
    assert_eq!(app.facet_json(&run_iri, "second").as_deref(), Some(r#"{"b":2}"#));
    assert_eq!(app.run_state(run).as_deref(), Some("COMPLETE"));
    let started = time_of(&app, &run_iri, prov::STARTED_AT_TIME).expect("start time");
    let ended = time_of(&app, &run_iri, prov::ENDED_AT_TIME).expect("end time");
    assert_eq!(instant(&started), instant("2024-03-01T12:00:00Z"));
    assert_eq!(instant(&ended), instant("2024-03-01T12:10:00Z"));
}

#[tokio::test]
async fn a_late_start_or_running_never_reopens_a_finished_run() {
    let app = TestApp::new();
    for (n, terminal) in ["COMPLETE", "FAIL", "ABORT"].into_iter().enumerate() {
        let run = run_id(n as u128);
        let post = |event_type: &'static str, time: &'static str| {
            let app = &app;
            async move {
                let (status, body) = app.post(LINEAGE, run_event(run, event_type, time)).await;
                assert_eq!(status, StatusCode::CREATED, "{body}");
                app.run_state(run)
            }
        };
        assert_eq!(
            post("START", "2024-03-01T12:00:00Z").await.as_deref(),
            Some("RUNNING")
        );
        assert_eq!(
            post(terminal, "2024-03-01T12:10:00Z").await.as_deref(),
            Some(terminal)
        );
        // Late arrivals, with an earlier and a later event time.
        for (late, time) in [
            ("RUNNING", "2024-03-01T12:05:00Z"),
            ("START", "2024-03-01T11:59:00Z"),
            ("RUNNING", "2024-03-01T12:20:00Z"),
            ("START", "2024-03-01T12:30:00Z"),
            ("OTHER", "2024-03-01T12:40:00Z"),
        ] {
            assert_eq!(
                post(late, time).await.as_deref(),
                Some(terminal),
                "{late} at {time} after {terminal} reopened the run"
            );
        }
        let ended = time_of(&app, &iri::run(run), prov::ENDED_AT_TIME).expect("end time");
        assert_eq!(instant(&ended), instant("2024-03-01T12:10:00Z"), "{terminal}");
    }
}

/// Every permutation of `items`.
fn permutations<T: Clone>(items: &[T]) -> Vec<Vec<T>> {
    if items.len() <= 1 {
        return vec![items.to_vec()];
    }
    let mut all = Vec::new();
    for i in 0..items.len() {
        let mut rest = items.to_vec();
        let first = rest.remove(i);
        for mut tail in permutations(&rest) {
            tail.insert(0, first.clone());
            all.push(tail);
        }
    }
    all
}

#[tokio::test]
async fn run_state_follows_event_time_whatever_the_arrival_order() {
    let app = TestApp::new();
    // (events of one run, the state once all have arrived)
    let scenarios: [(&[(&str, &str)], &str); 4] = [
        (
            &[
                ("START", "2024-03-01T12:00:00Z"),
                ("RUNNING", "2024-03-01T12:05:00Z"),
            ],
            "RUNNING",
        ),
        (
            &[
                ("START", "2024-03-01T12:00:00Z"),
                ("RUNNING", "2024-03-01T12:05:00Z"),
                ("COMPLETE", "2024-03-01T12:10:00Z"),
                ("RUNNING", "2024-03-01T12:15:00Z"),
            ],
            "COMPLETE",
        ),
        // Two terminal events: the later event time wins, not the later arrival.
        (
            &[
                ("START", "2024-03-01T12:00:00Z"),
                ("COMPLETE", "2024-03-01T12:10:00Z"),
                ("FAIL", "2024-03-01T12:20:00Z"),
            ],
            "FAIL",
        ),
        (
            &[
                ("START", "2024-03-01T12:00:00+02:00"),
                ("ABORT", "2024-03-01T11:00:00Z"),
                ("COMPLETE", "2024-03-01T10:30:00Z"),
            ],
            "ABORT",
        ),
    ];
    let mut n = 0;
    for (events, expected) in scenarios {
        for order in permutations(events) {
            n += 1;
            let run = run_id(n);
            for (event_type, time) in &order {
                let (status, body) = app.post(LINEAGE, run_event(run, event_type, time)).await;
                assert_eq!(status, StatusCode::CREATED, "{body}");
            }
            assert_eq!(
                app.run_state(run).as_deref(),
                Some(expected),
                "arrival order {order:?}"
            );
        }
    }
}

#[tokio::test]
async fn writes_need_the_api_key_when_one_is_configured() {
    let app = TestApp::with(Config {
        api_key: Some("s3cret".into()),
        ..Config::in_memory()
    });
    let event = |n| run_event(run_id(n), "START", "2024-03-01T12:00:00Z");
    for auth in [
        None,
        Some("Bearer wrong"),
        Some("s3cret"),
        Some("Basic czNjcmV0"),
        Some("Bearer"),
    ] {
        let mut headers = vec![JSON];
        headers.extend(auth.map(|a| ("authorization", a)));
        let (status, body) = app.post_with(LINEAGE, &headers, event(1)).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
        let (status, body) = app.post_with(BATCH, &headers, format!("[{}]", event(1))).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    assert_eq!(app.log_len(), 0);
    let (status, body) = app
        .post_with(LINEAGE, &[JSON, ("authorization", "Bearer s3cret")], event(1))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = app
        .post_with(
            BATCH,
            &[JSON, ("authorization", "Bearer s3cret")],
            format!("[{}]", event(2)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.log_len(), 2);
    // Reads need no key.
    let (status, _) = app.get("/health").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn without_a_configured_key_any_key_is_accepted() {
    let app = TestApp::new();
    for (n, auth) in [None, Some("Bearer whatever"), Some("Basic Zm9vOmJhcg==")]
        .into_iter()
        .enumerate()
    {
        let mut headers = vec![JSON];
        headers.extend(auth.map(|a| ("authorization", a)));
        let event = run_event(run_id(n as u128), "START", "2024-03-01T12:00:00Z");
        let (status, body) = app.post_with(LINEAGE, &headers, event).await;
        assert_eq!(status, StatusCode::CREATED, "{auth:?}: {body}");
    }
}

#[tokio::test]
async fn a_401_says_how_to_authenticate() {
    let app = TestApp::with(Config {
        api_key: Some("k".into()),
        ..Config::in_memory()
    });
    let request = Request::builder()
        .method(Method::POST)
        .uri(LINEAGE)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(run_event(run_id(1), "START", "2024-03-01T12:00:00Z")))
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let challenge = response
        .headers()
        .get(header::WWW_AUTHENTICATE)
        .map(|v| v.to_str().unwrap().to_owned());
    assert!(
        challenge.as_deref().is_some_and(|c| c.starts_with("Bearer")),
        "{challenge:?}"
    );
}

#[tokio::test]
async fn a_dataset_with_a_nasty_name_is_stored_under_a_valid_iri() {
    let app = TestApp::new();
    let name = "a b\"<c>#d/é";
    let namespace = "weird ns://x?y=1&z=<2>";
    let mut event = full_event(run_id(1));
    event["outputs"][0]["namespace"] = json!(namespace);
    event["outputs"][0]["name"] = json!(name);
    let (status, body) = app.post(LINEAGE, event.to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let dataset_event = json!({
        "eventTime": "2024-03-01T12:00:00Z", "producer": PRODUCER,
        "dataset": { "namespace": namespace, "name": name, "facets": { "custom": { "n": name } } }
    });
    let (status, body) = app.post(LINEAGE, dataset_event.to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let dataset = iri::dataset(namespace, name);
    NamedNode::new(dataset.as_str()).expect("a valid IRI");
    assert!(app.has_type(&dataset, mg::DATASET));
    // Found again by its name, exactly as sent.
    let rows = app.select(&format!(
        "SELECT ?d WHERE {{ ?d {} {} }}",
        mg::NAME,
        Literal::from(name)
    ));
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["d"], dataset.clone().into());
    let generated = app.select(&format!(
        "SELECT ?d WHERE {{ {} {} ?d }}",
        iri::run(run_id(1)),
        prov::GENERATED
    ));
    assert_eq!(generated.len(), 1);
    assert_eq!(generated[0]["d"], dataset.clone().into());
    let facet = app.facet_json(&dataset, "custom").expect("facet stored");
    assert_eq!(serde_json::from_str::<Value>(&facet).unwrap()["n"], name);
    // Every IRI in the store is valid, not only the dataset's.
    for quad in app.app.views.store().oxigraph().iter() {
        let quad = quad.unwrap();
        if let oxigraph::model::NamedOrBlankNode::NamedNode(s) = &quad.subject {
            NamedNode::new(s.as_str()).unwrap_or_else(|e| panic!("{s}: {e}"));
        }
        if let oxigraph::model::GraphName::NamedNode(g) = &quad.graph_name {
            NamedNode::new(g.as_str()).unwrap_or_else(|e| panic!("{g}: {e}"));
        }
    }
}

#[tokio::test]
async fn updated_at_is_the_latest_event_time_whatever_the_arrival_order() {
    let app = TestApp::new();
    let dataset_event = |time: &str| {
        json!({
            "eventTime": time, "producer": PRODUCER,
            "dataset": { "namespace": "pg", "name": "t" }
        })
        .to_string()
    };
    for time in ["2024-03-01T12:00:00Z", "2024-03-01T11:00:00Z"] {
        let (status, body) = app.post(LINEAGE, dataset_event(time)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let run = run_id(1);
    for (event_type, time) in [
        ("COMPLETE", "2024-03-01T12:00:00Z"),
        ("START", "2024-03-01T11:00:00Z"),
    ] {
        let (status, body) = app.post(LINEAGE, run_event(run, event_type, time)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    for path in [
        "/api/v1/namespaces/pg/datasets/t".to_owned(),
        "/api/v1/namespaces/tests/jobs/job".to_owned(),
        format!("/api/v1/jobs/runs/{run}"),
    ] {
        let (status, body) = app.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        let updated = body["updatedAt"].as_str().expect("updatedAt");
        assert_eq!(instant(updated), instant("2024-03-01T12:00:00Z"), "{path}");
    }
}

#[tokio::test]
async fn an_accepted_content_type_is_honoured() {
    let app = TestApp::new();
    let ndjson = format!(
        "{}\n{}\n",
        run_event(run_id(1), "START", "2024-03-01T12:00:00Z"),
        run_event(run_id(2), "START", "2024-03-01T12:00:00Z")
    );
    let (status, body) = app
        .post_with(LINEAGE, &[("content-type", "application/x-ndjson")], ndjson)
        .await;
    // Either NDJSON is read (both events stored) or the type is refused (415).
    match status {
        StatusCode::CREATED => assert_eq!(app.log_len(), 2),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            assert_error(
                status,
                &body,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
            );
        }
        other => panic!("NDJSON declared as such: {other} {body}"),
    }
}

#[tokio::test]
async fn a_job_event_keeps_its_input_and_output_facets() {
    let app = TestApp::new();
    let event = json!({
        "eventTime": "2024-03-01T12:00:00Z", "producer": PRODUCER,
        "job": { "namespace": "sched", "name": "declared" },
        "inputs": [{ "namespace": "pg", "name": "in", "inputFacets": { "custom": { "marker": "input-7d1f" } } }],
        "outputs": [{ "namespace": "pg", "name": "out", "outputFacets": { "custom": { "marker": "output-7d1f" } } }]
    });
    let (status, body) = app.post(LINEAGE, event.to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Wherever the mapping hangs them, each must be kept verbatim in a facet graph.
    for marker in ["input-7d1f", "output-7d1f"] {
        let json = format!(r#"{{"marker":"{marker}"}}"#);
        let rows = app.select(&format!(
            "SELECT ?g WHERE {{ GRAPH ?g {{ ?g {} ?json }} FILTER(str(?json) = {}) }}",
            mg::FACET_JSON,
            Literal::from(json.as_str())
        ));
        assert_eq!(rows.len(), 1, "{marker}: {rows:?}");
    }
}
