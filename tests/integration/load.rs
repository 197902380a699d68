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

/// The triples of a graph, as sorted N-Triples-like lines, from the views
/// rebuilt from `data` (so this also checks replay).
fn graph_of(data: &Path, graph: &str) -> Vec<String> {
    let config = Config {
        storage: Storage::Dir(data.to_owned()),
        ..Config::in_memory()
    };
    let (app, writer) = App::open(config).unwrap();
    let graph = oxigraph::model::NamedNode::new(graph).unwrap();
    let mut triples: Vec<String> = app
        .views
        .store()
        .oxigraph()
        .quads_for_pattern(None, None, None, Some((&graph).into()))
        .map(|q| {
            let q = q.unwrap();
            format!("{} {} {}", q.subject, q.predicate, q.object)
        })
        .collect();
    triples.sort();
    drop(app);
    writer.join();
    triples
}

fn file_graph(path: &Path) -> String {
    format!("file://{}", std::fs::canonicalize(path).unwrap().display())
}

#[test]
fn rdf_documents_load_into_their_own_graph_and_a_reload_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let ttl = dir.path().join("retail.ttl");
    std::fs::write(
        &ttl,
        "@prefix ex: <https://example.org/> .\n<Customer> a ex:Class ; ex:label \"Customer\" .\n",
    )
    .unwrap();
    let nt = dir.path().join("more.nt");
    std::fs::write(&nt, "<https://example.org/a> <https://example.org/p> \"1\" .\n").unwrap();

    let first = load(&data, &[&ttl, &nt]);
    assert!(first.status.success(), "{}", stdout(&first));
    assert!(
        stdout(&first).contains("2 RDF documents loaded (3 triples"),
        "{}",
        stdout(&first)
    );
    let graph = file_graph(&ttl);
    // Relative IRIs resolve against the file's URL.
    let customer = format!(
        "<file://{}/Customer>",
        std::fs::canonicalize(dir.path()).unwrap().display()
    );
    assert_eq!(
        graph_of(&data, &graph),
        [
            format!(
                "{customer} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://example.org/Class>"
            ),
            format!("{customer} <https://example.org/label> \"Customer\""),
        ]
    );

    // Reloading the edited file replaces its graph; the other graph stays.
    std::fs::write(&ttl, "<https://example.org/b> <https://example.org/p> \"2\" .\n").unwrap();
    let again = load(&data, &[&ttl]);
    assert!(again.status.success(), "{}", stdout(&again));
    assert_eq!(
        graph_of(&data, &graph),
        ["<https://example.org/b> <https://example.org/p> \"2\""]
    );
    assert_eq!(graph_of(&data, &file_graph(&nt)).len(), 1);
}

#[test]
fn a_broken_rdf_document_loads_nothing_and_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let ttl = dir.path().join("broken.ttl");
    // Many good triples first: none of them may be loaded.
    let mut text: String = (0..500)
        .map(|i| format!("<https://example.org/s{i}> <https://example.org/p> {i} .\n"))
        .collect();
    text.push_str("<https://example.org/x> <https://example.org/p> \"unterminated .\n");
    std::fs::write(&ttl, text).unwrap();
    let output = load(&data, &[&ttl]);
    let summary = stdout(&output);
    assert_eq!(output.status.code(), Some(2), "{summary}");
    assert!(summary.contains("0 RDF documents loaded"), "{summary}");
    assert!(summary.contains("broken.ttl"), "names the file: {summary}");
    assert!(summary.contains("line 501"), "names the line: {summary}");
    assert!(summary.contains("column"), "and the column: {summary}");
    assert!(graph_of(&data, &file_graph(&ttl)).is_empty());
}

#[test]
fn graph_and_format_flags_choose_where_and_how() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("vocab.data");
    std::fs::write(
        &file,
        "<https://example.org/a> <https://example.org/p> <https://example.org/b> .",
    )
    .unwrap();
    let unknown = load(&data, &[&file]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("--format"));

    let output = Command::new(env!("CARGO_BIN_EXE_meshgraph"))
        .args([
            "load",
            "--quiet",
            "--format",
            "application/n-triples",
            "--graph",
            "https://example.org/vocab",
            "--data-dir",
        ])
        .arg(&data)
        .arg(&file)
        .env_remove("MESHGRAPH_DATA_DIR")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stdout(&output));
    assert_eq!(graph_of(&data, "https://example.org/vocab").len(), 1);
}
