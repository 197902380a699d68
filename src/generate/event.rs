//! The JSON of one OpenLineage RunEvent, written straight from the mesh.
//!
//! Events are rendered one at a time into a reused string, with no JSON
//! tree in between: at 100,000 datasets a simulated day is a couple of
//! gigabytes of JSON, and building `serde_json::Value`s for it cost more
//! than everything else. Names come from `vocab`'s word lists and numbers,
//! so they are written unescaped; the SQL's newlines are written as `\n`.
//! Every generated event is checked against `parse_event` in the tests.
//!
//! The facets are those real integrations send: `nominalTime` and `parent`
//! (the Airflow DAG run) on every task run, `errorMessage` on a failure,
//! `jobType` and `sql` on the job, `schema` on every dataset, and on
//! outputs, once the run ends, `columnLineage` (field-level and
//! dataset-level) and `outputStatistics`.

use std::fmt::Write as _;

use chrono::{DateTime, SecondsFormat};
use uuid::Uuid;

use super::rng::Rng;
use super::shape::{How, Mesh, Table};
use super::vocab::{ERRORS, Integration};

const SCHEMA_URL: &str = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
const FACET_SCHEMA: &str =
    "https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet";
const FACET_COLUMN_LINEAGE: &str = "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet";
const FACET_SQL: &str = "https://openlineage.io/spec/facets/1-1-0/SQLJobFacet.json#/$defs/SQLJobFacet";
const FACET_JOB_TYPE: &str =
    "https://openlineage.io/spec/facets/2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet";
const FACET_NOMINAL_TIME: &str =
    "https://openlineage.io/spec/facets/1-0-1/NominalTimeRunFacet.json#/$defs/NominalTimeRunFacet";
const FACET_PARENT: &str =
    "https://openlineage.io/spec/facets/1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet";
const FACET_ERROR: &str =
    "https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet";
const FACET_OUTPUT_STATISTICS: &str = "https://openlineage.io/spec/facets/1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet";

/// `write!` into a `String`, which cannot fail.
macro_rules! put {
    ($out:expr, $($arg:tt)*) => {
        $out.write_fmt(format_args!($($arg)*)).expect("writing to a String cannot fail")
    };
}

/// One run of a task on one day.
#[derive(Debug, Clone, Copy)]
pub(super) struct TaskRun {
    pub(super) run_id: Uuid,
    pub(super) start_ms: i64,
    pub(super) end_ms: i64,
    pub(super) failed: bool,
}

/// One run of a DAG on one day.
#[derive(Debug, Clone, Copy)]
pub(super) struct DagRun {
    pub(super) run_id: Uuid,
    pub(super) nominal_ms: i64,
    pub(super) start_ms: i64,
    pub(super) end_ms: i64,
    pub(super) failed: bool,
}

/// Appends the `START` (`end` false) or the `COMPLETE`/`FAIL` event of a
/// run of `job` on `day` to `out`.
pub(super) fn task_event(
    out: &mut String,
    mesh: &Mesh,
    job: usize,
    day: u32,
    run: &TaskRun,
    dag_run: &DagRun,
    end: bool,
) {
    let spec = mesh.job_spec(job);
    let derivation = mesh.derivation(job, day);
    let integration = spec.integration;
    let producer = integration.producer();
    let (time_ms, event_type) = match (end, run.failed) {
        (false, _) => (run.start_ms, "START"),
        (true, false) => (run.end_ms, "COMPLETE"),
        (true, true) => (run.end_ms, "FAIL"),
    };
    // What varies from run to run (row counts, the error) comes from the run id.
    let mut rng = Rng::derived(run.run_id.as_u128() as u64, 1);
    header(out, time_ms, event_type, producer, run.run_id);
    nominal_time(out, dag_run.nominal_ms);
    let dag = mesh.dag(spec.dag);
    put!(
        out,
        r#","parent":{{"_producer":"{}","_schemaURL":"{FACET_PARENT}","run":{{"runId":"{}"}},"job":{{"namespace":"{}","name":"{}"}}}}"#,
        Integration::Airflow.producer(),
        dag_run.run_id,
        mesh.dag_namespace(dag),
        dag.name,
    );
    if end && run.failed {
        put!(
            out,
            r#","errorMessage":{{"_producer":"{producer}","_schemaURL":"{FACET_ERROR}","message":"{}","programmingLanguage":"{}"}}"#,
            rng.pick(ERRORS),
            integration.language(),
        );
    }
    put!(
        out,
        r#"}}}},"job":{{"namespace":"{}","name":"{}","facets":{{"#,
        mesh.job_namespace(spec),
        spec.name
    );
    job_type(out, integration, integration.task_type());
    put!(
        out,
        r#","sql":{{"_producer":"{producer}","_schemaURL":"{FACET_SQL}","query":""#
    );
    sql(out, mesh, &derivation);
    let dialect = mesh.table(spec.outputs[0]).storage.dialect();
    put!(out, r#"","dialect":"{dialect}"}}}}}},"inputs":["#);
    for (i, &input) in derivation.inputs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let table = mesh.table(input);
        dataset_head(out, mesh, table);
        schema(out, producer, table);
        out.push_str("}}");
    }
    out.push_str(r#"],"outputs":["#);
    for (o, output) in derivation.outputs.iter().enumerate() {
        if o > 0 {
            out.push(',');
        }
        let table = mesh.table(output.table);
        dataset_head(out, mesh, table);
        schema(out, producer, table);
        if end {
            column_lineage(out, mesh, producer, &derivation, o);
            out.push('}');
            if run.failed {
                out.push_str(r#","outputFacets":{}"#);
            } else {
                let rows = rng.between(1_000, 50_000_000);
                let size = rows * rng.between(40, 400);
                put!(
                    out,
                    r#","outputFacets":{{"outputStatistics":{{"_producer":"{producer}","_schemaURL":"{FACET_OUTPUT_STATISTICS}","rowCount":{rows},"size":{size}}}}}"#
                );
            }
            out.push('}');
        } else {
            out.push_str("}}");
        }
    }
    out.push_str("]}");
}

/// Appends the `START` (`end` false) or the `COMPLETE`/`FAIL` event of a DAG run to `out`.
pub(super) fn dag_event(out: &mut String, mesh: &Mesh, dag: u32, run: &DagRun, end: bool) {
    let (time_ms, event_type) = match (end, run.failed) {
        (false, _) => (run.start_ms, "START"),
        (true, false) => (run.end_ms, "COMPLETE"),
        (true, true) => (run.end_ms, "FAIL"),
    };
    let airflow = Integration::Airflow;
    header(out, time_ms, event_type, airflow.producer(), run.run_id);
    nominal_time(out, run.nominal_ms);
    let dag = mesh.dag(dag);
    put!(
        out,
        r#"}}}},"job":{{"namespace":"{}","name":"{}","facets":{{"#,
        mesh.dag_namespace(dag),
        dag.name
    );
    job_type(out, airflow, "DAG");
    out.push_str(r#"}},"inputs":[],"outputs":[]}"#);
}

/// The event's opening, up to the run facets' opening brace.
fn header(out: &mut String, time_ms: i64, event_type: &str, producer: &str, run_id: Uuid) {
    out.push_str(r#"{"eventTime":""#);
    timestamp(out, time_ms);
    put!(
        out,
        r#"","eventType":"{event_type}","producer":"{producer}","schemaURL":"{SCHEMA_URL}","run":{{"runId":"{run_id}","facets":{{"#
    );
}

fn timestamp(out: &mut String, ms: i64) {
    let time = DateTime::from_timestamp_millis(ms).expect("simulated times are within chrono's range");
    out.push_str(&time.to_rfc3339_opts(SecondsFormat::Millis, true));
}

/// `"nominalTime": {...}`: a daily schedule.
fn nominal_time(out: &mut String, nominal_ms: i64) {
    put!(
        out,
        r#""nominalTime":{{"_producer":"{}","_schemaURL":"{FACET_NOMINAL_TIME}","nominalStartTime":""#,
        Integration::Airflow.producer()
    );
    timestamp(out, nominal_ms);
    out.push_str(r#"","nominalEndTime":""#);
    timestamp(out, nominal_ms + 86_400_000);
    out.push_str(r#""}"#);
}

/// `"jobType": {...}`.
fn job_type(out: &mut String, integration: Integration, job_type: &str) {
    put!(
        out,
        r#""jobType":{{"_producer":"{}","_schemaURL":"{FACET_JOB_TYPE}","processingType":"BATCH","integration":"{}","jobType":"{job_type}"}}"#,
        integration.producer(),
        integration.name(),
    );
}

/// `{"namespace": ..., "name": ..., "facets": {` of a dataset.
fn dataset_head(out: &mut String, mesh: &Mesh, table: &Table) {
    put!(
        out,
        r#"{{"namespace":"{}","name":"{}","facets":{{"#,
        mesh.table_namespace(table),
        table.name
    );
}

/// `"schema": {...}`: every column with its type, some with a description.
fn schema(out: &mut String, producer: &str, table: &Table) {
    put!(
        out,
        r#""schema":{{"_producer":"{producer}","_schemaURL":"{FACET_SCHEMA}","fields":["#
    );
    for (i, column) in table.columns.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(r#"{"name":""#);
        column.write_name(out);
        put!(out, r#"","type":"{}""#, table.column_type(i));
        if column.described {
            let mut name = String::new();
            column.write_name(&mut name);
            put!(
                out,
                r#","description":"The {} of the record""#,
                name.replace('_', " ")
            );
        }
        out.push('}');
    }
    out.push_str("]}");
}

/// `t{input}.{column}`: an input column as the SQL names it.
fn qualified(out: &mut String, mesh: &Mesh, inputs: &[u32], input: u8, field: u16) {
    put!(out, "t{input}.");
    mesh.table(inputs[usize::from(input)]).columns[usize::from(field)].write_name(out);
}

/// The `sql` facet's query (JSON-escaped): one `INSERT ... SELECT` per
/// output, each column computed from its `DIRECT` sources.
fn sql(out: &mut String, mesh: &Mesh, derivation: &super::shape::Derivation) {
    let inputs = &derivation.inputs;
    for (o, output) in derivation.outputs.iter().enumerate() {
        if o > 0 {
            out.push_str(r";\n\n");
        }
        let table = mesh.table(output.table);
        put!(out, r"INSERT INTO {}\nSELECT ", table.name);
        for (c, sources) in output.sources.chunk_by(|a, b| a.column == b.column).enumerate() {
            if c > 0 {
                out.push_str(r",\n       ");
            }
            let direct = sources.iter().filter(|s| !matches!(s.how, How::Indirect(_)));
            let (open, separator, close) = match sources[0].how {
                How::Identity => ("", "", ""),
                How::Aggregation => ("sum(", " + ", ")"),
                How::Masked => ("sha2(concat(", ", ", "), 256)"),
                _ => ("coalesce(", ", ", ")"),
            };
            out.push_str(open);
            for (i, source) in direct.enumerate() {
                if i > 0 {
                    out.push_str(separator);
                }
                qualified(out, mesh, inputs, source.input, source.field);
            }
            out.push_str(close);
            out.push_str(" AS ");
            table.columns[usize::from(sources[0].column)].write_name(out);
        }
        put!(out, r"\nFROM {} AS t0", mesh.table(inputs[0]).name);
        for (i, &input) in inputs.iter().enumerate().skip(1) {
            put!(
                out,
                r"\nJOIN {} AS t{i} ON t{i}.id = t0.id",
                mesh.table(input).name
            );
        }
        out.push_str(r"\nWHERE ");
        qualified(out, mesh, inputs, 0, output.filter);
        out.push_str(" IS NOT NULL");
    }
}

/// One entry of `inputFields` or `dataset`: an input column and how it is used.
fn input_field(out: &mut String, mesh: &Mesh, inputs: &[u32], input: u8, field: u16, how: How) {
    let table = mesh.table(inputs[usize::from(input)]);
    put!(
        out,
        r#"{{"namespace":"{}","name":"{}","field":""#,
        mesh.table_namespace(table),
        table.name
    );
    table.columns[usize::from(field)].write_name(out);
    out.push_str(r#"","transformations":[{"type":""#);
    let (kind, subtype, masking, function) = match how {
        How::Identity => ("DIRECT", "IDENTITY", false, None),
        How::Transformation => ("DIRECT", "TRANSFORMATION", false, Some("coalesce(")),
        How::Masked => ("DIRECT", "TRANSFORMATION", true, Some("sha2(")),
        How::Aggregation => ("DIRECT", "AGGREGATION", false, Some("sum(")),
        How::Indirect(subtype) => ("INDIRECT", subtype, false, None),
    };
    put!(out, r#"{kind}","subtype":"{subtype}""#);
    if let Some(function) = function {
        put!(out, r#","description":"{function}"#);
        qualified(out, mesh, inputs, input, field);
        out.push_str(if how == How::Masked { r#", 256)""# } else { r#")""# });
    } else if subtype == "JOIN" && input > 0 && field == 0 {
        put!(out, r#","description":"t{input}.id = t0.id""#);
    }
    put!(out, r#","masking":{masking}}}]}}"#);
}

/// `"columnLineage": {...}` of output `o`: per column its input columns, and
/// the joins and the filter that shape the whole dataset.
fn column_lineage(
    out: &mut String,
    mesh: &Mesh,
    producer: &str,
    derivation: &super::shape::Derivation,
    o: usize,
) {
    let output = &derivation.outputs[o];
    let inputs = &derivation.inputs;
    let table = mesh.table(output.table);
    put!(
        out,
        r#","columnLineage":{{"_producer":"{producer}","_schemaURL":"{FACET_COLUMN_LINEAGE}","fields":{{"#
    );
    for (c, sources) in output.sources.chunk_by(|a, b| a.column == b.column).enumerate() {
        if c > 0 {
            out.push(',');
        }
        out.push('"');
        table.columns[usize::from(sources[0].column)].write_name(out);
        out.push_str(r#"":{"inputFields":["#);
        for (i, source) in sources.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            input_field(out, mesh, inputs, source.input, source.field, source.how);
        }
        out.push_str("]}");
    }
    out.push_str(r#"},"dataset":["#);
    for i in 1..inputs.len() {
        // Every table has its `id` first: the join key.
        input_field(out, mesh, inputs, i as u8, 0, How::Indirect("JOIN"));
        out.push(',');
    }
    input_field(out, mesh, inputs, 0, output.filter, How::Indirect("FILTER"));
    out.push_str("]}");
}
