//! `meshgraph load`: events from JSON, JSON-array and NDJSON files into a
//! data directory, with a summary; idempotent on reload; refused while a
//! server holds the directory.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use meshgraph::app::App;
use meshgraph::config::{Config, Storage};

use crate::support::{run_event, run_id};

fn load(data_dir: &Path, files: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meshgraph"))
        .args(["load", "--quiet", "--data-dir"])
        .arg(data_dir)
        .args(files)
        .env_remove("MESHGRAPH_DATA_DIR")
        .stdin(Stdio::null())
        .output()
        .expect("the meshgraph binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn loads_json_arrays_and_ndjson_and_reports_what_it_refused() {
    let dir = tempfile::tempdir().unwrap();
    let single = dir.path().join("single.json");
    std::fs::write(&single, run_event(run_id(1), "START", "2024-03-01T12:00:00Z")).unwrap();
    let array = dir.path().join("array.json");
    std::fs::write(
        &array,
        format!(
            "[\n{},\n{}\n]",
            run_event(run_id(2), "START", "2024-03-01T12:00:00Z"),
            run_event(run_id(2), "COMPLETE", "2024-03-01T12:05:00Z")
        ),
    )
    .unwrap();
    let ndjson = dir.path().join("events.ndjson");
    std::fs::write(
        &ndjson,
        format!(
            "{}\n\n{}\n{{\"eventTime\":\"2024-03-01T12:00:00Z\"}}\n",
            run_event(run_id(3), "START", "2024-03-01T12:00:00Z"),
            run_event(run_id(3), "FAIL", "2024-03-01T12:09:00Z")
        ),
    )
    .unwrap();
    let data = dir.path().join("data");

    let first = load(&data, &[&single, &array, &ndjson]);
    let summary = stdout(&first);
    assert_eq!(
        first.status.code(),
        Some(2),
        "a refusal makes a non-zero exit: {summary}"
    );
    assert!(
        summary.starts_with("5 events accepted, 0 duplicates, 1 rejected"),
        "{summary}"
    );
    assert!(
        summary.contains("events.ndjson:4"),
        "the refusal names file and line: {summary}"
    );
    assert!(summary.contains("producer"), "and the field: {summary}");

    // Loading again logs nothing new.
    let again = load(&data, &[&single, &array]);
    assert!(again.status.success(), "{}", stdout(&again));
    assert!(
        stdout(&again).starts_with("0 events accepted, 3 duplicates, 0 rejected"),
        "{}",
        stdout(&again)
    );

    let config = Config {
        storage: Storage::Dir(data),
        ..Config::in_memory()
    };
    let (app, writer) = App::open(config).unwrap();
    assert_eq!(app.log.len().unwrap(), 5);
    let (nodes, _) = app.views.projection().size();
    assert!(nodes >= 1, "the views are rebuilt from what was loaded");
    drop(app);
    writer.join();
}

#[test]
fn refuses_a_data_directory_that_a_server_holds() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = Config {
        storage: Storage::Dir(data.clone()),
        ..Config::in_memory()
    };
    let (app, writer) = App::open(config).unwrap();
    let file = dir.path().join("one.json");
    std::fs::write(&file, run_event(run_id(1), "START", "2024-03-01T12:00:00Z")).unwrap();
    let output = load(&data, &[&file]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("log.redb"), "the error names the log: {stderr}");
    assert_eq!(app.log.len().unwrap(), 0);
    drop(app);
    writer.join();
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = load(&dir.path().join("data"), &[&dir.path().join("nope.json")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("nope.json"), "{stderr}");
}
