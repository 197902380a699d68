//! `meshgraph generate`: NDJSON to a file or standard output, the same bytes
//! for the same seed, every event valid, a mesh with hubs, jobs whose inputs
//! change and column lineage on real columns, and files `meshgraph load`
//! accepts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use meshgraph::openlineage::event::Facets;
use meshgraph::openlineage::facets::{FacetScope, StandardFacet, standard};
use meshgraph::openlineage::{EventKind, EventType, parse_event};

/// A small mesh over three days.
const SMALL: &[&str] = &["--seed", "5", "--datasets", "150", "--jobs", "100", "--days", "3"];

fn meshgraph(args: &[&str], out: Option<&Path>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_meshgraph"));
    command.args(args).stdin(Stdio::null());
    if let Some(out) = out {
        command.arg("--out").arg(out);
    }
    // Flags only: the environment of whoever runs the tests stays out.
    for (name, _) in std::env::vars() {
        if name.starts_with("MESHGRAPH_") {
            command.env_remove(name);
        }
    }
    let output = command.output().expect("the meshgraph binary runs");
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn generate(args: &[&str], out: Option<&Path>) -> Output {
    meshgraph(&[&["generate"], args].concat(), out)
}

#[test]
fn the_same_seed_writes_the_same_ndjson_to_a_file_or_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.ndjson"), dir.path().join("b.ndjson"));
    let first = generate(SMALL, Some(&a));
    generate(SMALL, Some(&b));
    let bytes = std::fs::read(&a).unwrap();
    assert_eq!(bytes, std::fs::read(&b).unwrap());
    assert_eq!(generate(SMALL, None).stdout, bytes);
    assert_eq!(generate(SMALL, Some(Path::new("-"))).stdout, bytes);
    assert!(first.stdout.is_empty());

    // The summary goes to standard error and counts what was written.
    let summary = String::from_utf8(first.stderr).unwrap();
    let lines = bytes.iter().filter(|&&b| b == b'\n').count();
    assert!(
        summary.starts_with(&format!(
            "{lines} events, {} bytes: 150 datasets, 100 jobs",
            bytes.len()
        )),
        "{summary}"
    );

    let other = [&["--seed", "6"], &SMALL[2..]].concat();
    assert_ne!(generate(&other, None).stdout, bytes);
}

fn field_names(facets: &Facets) -> BTreeSet<String> {
    let Ok(Some(StandardFacet::Schema(schema))) =
        standard(FacetScope::Dataset, "schema", facets["schema"].get())
    else {
        panic!("no schema facet")
    };
    schema.fields.into_iter().map(|f| f.name).collect()
}

#[test]
fn the_events_describe_a_mesh_with_hubs_changing_jobs_and_column_lineage() {
    let output = generate(&["--seed", "9", "--days", "3", "--changing-share", "0.2"], None);
    let text = String::from_utf8(output.stdout).unwrap();
    // Per day, per job: the datasets its completed run read.
    let mut reads: BTreeMap<i64, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    let mut column_edges = 0;
    for line in text.lines() {
        let event = parse_event(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        let EventKind::Run {
            event_type,
            job,
            inputs,
            outputs,
            ..
        } = &event.kind
        else {
            panic!("a run event")
        };
        if *event_type != Some(EventType::Complete) || inputs.is_empty() {
            continue;
        }
        let day = event.event_time.unix_nanos().div_euclid(86_400 * 1_000_000_000);
        let input_fields: BTreeMap<&str, BTreeSet<String>> = inputs
            .iter()
            .map(|i| (i.dataset.name.as_str(), field_names(&i.dataset.facets)))
            .collect();
        for output in outputs {
            let columns = field_names(&output.dataset.facets);
            assert!((10..=50).contains(&columns.len()));
            let Ok(Some(StandardFacet::ColumnLineage(lineage))) = standard(
                FacetScope::Dataset,
                "columnLineage",
                output.dataset.facets["columnLineage"].get(),
            ) else {
                panic!("no column lineage on {}", output.dataset.name)
            };
            assert_eq!(lineage.fields.len(), columns.len());
            for field in lineage.fields.values() {
                for input in &field.input_fields {
                    assert!(input_fields[input.name.as_str()].contains(&input.field));
                    column_edges += 1;
                }
            }
        }
        reads.entry(day).or_default().insert(
            job.name.clone(),
            inputs.iter().map(|i| i.dataset.name.clone()).collect(),
        );
    }
    assert_eq!(reads.len(), 3, "three days: {:?}", reads.keys());
    assert!(column_edges > 0);

    // The most read dataset is a shared dimension, read far more than most.
    let first_day = reads.values().next().unwrap();
    let mut readers: BTreeMap<&str, usize> = BTreeMap::new();
    for inputs in first_day.values() {
        for input in inputs {
            *readers.entry(input).or_default() += 1;
        }
    }
    let (top, top_readers) = readers.iter().max_by_key(|(_, n)| **n).unwrap();
    let mut counts: Vec<usize> = readers.values().copied().collect();
    counts.sort_unstable();
    let median = counts[counts.len() / 2];
    assert!(top.starts_with("SHARED.CORE.DIM_"), "{top}");
    assert!(
        *top_readers >= 10 * median,
        "{top} read by {top_readers}, the median by {median}"
    );

    // Some jobs read other datasets on the last day than on the first.
    let last_day = reads.values().last().unwrap();
    let changed = first_day
        .iter()
        .filter(|(job, inputs)| last_day.get(*job).is_some_and(|later| later != *inputs))
        .count();
    assert!(changed > 0, "no job changed its inputs");
}

#[test]
fn load_accepts_what_generate_writes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mesh.ndjson");
    generate(SMALL, Some(&file));
    let events = std::fs::read_to_string(&file).unwrap().lines().count();
    let data = dir.path().join("data");
    let output = meshgraph(
        &[
            "load",
            "--quiet",
            "--data-dir",
            data.to_str().unwrap(),
            file.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("{events} events accepted, 0 duplicates, 0 rejected")
    );
}
