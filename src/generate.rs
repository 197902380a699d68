//! Synthetic OpenLineage events for benchmarks and demos.
//!
//! [`Generator`] builds a small data platform from a seed (tables with 20-50
//! typed columns spread over a few storage namespaces, and jobs grouped into
//! Airflow DAGs that read 1-4 tables and write 1-2), then simulates it day by
//! day: every DAG and every task runs once a day, each run sending a `START`
//! and a `COMPLETE` (now and then a `FAIL`) RunEvent as a JSON string, in
//! event-time order. The events look like what real integrations send:
//! `schema` facets on every dataset, `columnLineage` on outputs (each output
//! column derived from 1-3 input columns, `DIRECT`/`INDIRECT` with subtypes),
//! `sql` and `jobType` job facets, `nominalTime` and `parent` run facets,
//! `outputStatistics` and `errorMessage` where they belong.
//!
//! Everything comes from one seeded PRNG ([splitmix64]), so a seed always
//! gives the same events, byte for byte: `benches/ingest.rs` generates its
//! workload with it, and a `meshgraph generate` command can reuse it.
//!
//! ```
//! use meshgraph::generate::{Generator, GeneratorConfig};
//!
//! let events: Vec<String> = Generator::new(GeneratorConfig { seed: 7, ..Default::default() })
//!     .take(10)
//!     .collect();
//! assert!(events.iter().all(|e| meshgraph::openlineage::parse_event(e).is_ok()));
//! ```
//!
//! [splitmix64]: https://prng.di.unimi.it/splitmix64.c

use std::collections::{BTreeSet, VecDeque};

use chrono::{DateTime, SecondsFormat};
use serde::Serialize;
use serde_json::value::{RawValue, to_raw_value};
use serde_json::{Value, json};

/// What to generate. [`Default`] gives a mid-sized platform: 100 jobs in
/// 13 DAGs over 250 tables, about 230 events per simulated day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratorConfig {
    /// The seed: the same seed gives the same events.
    pub seed: u64,
    /// Jobs (Airflow tasks, dbt models, Spark jobs); at least 1.
    pub jobs: usize,
    /// Tables; at least 2. About 30% are sources that no job writes.
    pub tables: usize,
    /// Fewest columns of a table.
    pub min_columns: usize,
    /// Most columns of a table.
    pub max_columns: usize,
    /// Jobs per Airflow DAG (the `parent` of their runs); at least 1.
    pub jobs_per_dag: usize,
    /// Midnight (UTC) of the first simulated day, in seconds since the epoch.
    pub start_unix_secs: i64,
    /// How many task runs in a thousand end in `FAIL` instead of `COMPLETE`.
    pub fail_per_mille: u32,
}

impl Default for GeneratorConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            jobs: 100,
            tables: 250,
            min_columns: 20,
            max_columns: 50,
            jobs_per_dag: 8,
            // 2024-01-01T00:00:00Z
            start_unix_secs: 1_704_067_200,
            fail_per_mille: 20,
        }
    }
}

/// The splitmix64 PRNG: tiny, fast, and good enough for synthetic data.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`), by multiply-shift; the bias is negligible here.
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1_000) < per_mille as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A random (version 4) UUID.
    fn uuid(&mut self) -> uuid::Uuid {
        let bits = (u128::from(self.next_u64()) << 64) | u128::from(self.next_u64());
        uuid::Builder::from_random_bytes(bits.to_be_bytes()).into_uuid()
    }
}

/// Where tables live; each storage names its tables and types its columns its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Storage {
    Postgres,
    S3,
    Snowflake,
}

impl Storage {
    fn namespace(self) -> &'static str {
        match self {
            Self::Postgres => "postgres://warehouse:5432",
            Self::S3 => "s3://lake",
            Self::Snowflake => "snowflake://acme-eu.snowflakecomputing.com",
        }
    }

    /// A column type for a column called `name`.
    fn column_type(self, name: &str, rng: &mut Rng) -> &'static str {
        let kind = if name == "id" || name.ends_with("_id") {
            0
        } else if name.ends_with("_at") {
            1
        } else if name.starts_with("is_") {
            2
        } else {
            3 + rng.below(3)
        };
        let types: [&str; 6] = match self {
            Self::Postgres => [
                "bigint",
                "timestamp",
                "boolean",
                "varchar",
                "numeric(18,2)",
                "integer",
            ],
            Self::S3 => [
                "int64",
                "timestamp[us]",
                "bool",
                "string",
                "decimal(18,2)",
                "double",
            ],
            Self::Snowflake => [
                "NUMBER(38,0)",
                "TIMESTAMP_NTZ",
                "BOOLEAN",
                "VARCHAR",
                "NUMBER(18,2)",
                "FLOAT",
            ],
        };
        types[kind]
    }
}

/// The tools that run jobs, with how they name and type them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Integration {
    Airflow,
    Dbt,
    Spark,
}

impl Integration {
    fn namespace(self) -> &'static str {
        match self {
            Self::Airflow => "airflow",
            Self::Dbt => "dbt_analytics",
            Self::Spark => "spark",
        }
    }

    fn producer(self) -> &'static str {
        match self {
            Self::Airflow => "https://github.com/apache/airflow/tree/providers-openlineage/1.14.0",
            Self::Dbt => "https://github.com/OpenLineage/OpenLineage/tree/1.24.2/integration/dbt",
            Self::Spark => "https://github.com/OpenLineage/OpenLineage/tree/1.24.2/integration/spark",
        }
    }

    /// `(integration, jobType)` of the `jobType` facet.
    fn job_type(self) -> (&'static str, &'static str) {
        match self {
            Self::Airflow => ("AIRFLOW", "TASK"),
            Self::Dbt => ("DBT", "MODEL"),
            Self::Spark => ("SPARK", "JOB"),
        }
    }
}

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

const DOMAINS: &[&str] = &[
    "sales",
    "finance",
    "marketing",
    "logistics",
    "hr",
    "product",
    "support",
];
const ENTITIES: &[&str] = &[
    "orders",
    "customers",
    "invoices",
    "payments",
    "shipments",
    "products",
    "campaigns",
    "sessions",
    "employees",
    "tickets",
    "refunds",
    "inventory",
    "suppliers",
    "contracts",
];
const COLUMN_WORDS: &[&str] = &[
    "customer_id",
    "order_id",
    "product_id",
    "account_id",
    "session_id",
    "employee_id",
    "created_at",
    "updated_at",
    "shipped_at",
    "delivered_at",
    "ingested_at",
    "is_active",
    "is_deleted",
    "amount",
    "currency",
    "status",
    "country",
    "region",
    "city",
    "postal_code",
    "email",
    "phone",
    "quantity",
    "price",
    "discount",
    "tax",
    "total",
    "channel",
    "campaign",
    "sku",
    "category",
    "warehouse",
    "carrier",
    "invoice_number",
    "payment_method",
    "score",
    "segment",
    "revenue",
    "cost",
    "margin",
    "device",
    "browser",
    "latitude",
    "longitude",
    "department",
    "salary",
    "source_system",
    "batch_id",
];
/// Prefixes that tell apart two columns of the same kind in one table.
const QUALIFIERS: &[&str] = &[
    "billing",
    "shipping",
    "primary",
    "secondary",
    "source",
    "target",
    "last",
    "first",
    "avg",
    "max",
    "min",
    "net",
    "gross",
    "local",
    "prev",
];
const ERRORS: &[&str] = &[
    "relation does not exist",
    "division by zero",
    "duplicate key value violates unique constraint",
    "Container killed by YARN for exceeding memory limits",
    "connection reset by peer",
];

struct Column {
    name: String,
    data_type: &'static str,
}

struct Table {
    storage: Storage,
    name: String,
    columns: Vec<Column>,
    /// The `schema` facet; the same wherever the table appears.
    schema: Value,
}

impl Table {
    fn namespace(&self) -> &'static str {
        self.storage.namespace()
    }
}

/// A job and the JSON of it that does not change from run to run.
struct JobSpec {
    integration: Integration,
    /// `{"namespace", "name", "facets": {jobType, sql}}`.
    job: Box<RawValue>,
    /// The `inputs` array, each with its `schema`.
    inputs: Box<RawValue>,
    /// The `outputs` array with `schema` only (what a `START` says).
    outputs_start: Box<RawValue>,
    /// Per output: namespace, name and facets with `schema` and `columnLineage`.
    outputs_complete: Vec<(&'static str, String, Box<RawValue>)>,
}

struct Dag {
    name: String,
    /// `{"namespace", "name", "facets": {jobType}}`.
    job: Box<RawValue>,
    /// Scheduled start, in seconds after midnight.
    schedule: i64,
    /// Its jobs, in run order.
    jobs: Vec<usize>,
}

/// The JSON of one RunEvent; fields in the order clients usually send them.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunEventJson<'a> {
    event_time: &'a str,
    event_type: &'static str,
    producer: &'static str,
    #[serde(rename = "schemaURL")]
    schema_url: &'static str,
    run: RunJson,
    job: &'a RawValue,
    inputs: &'a RawValue,
    outputs: Outputs<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunJson {
    run_id: uuid::Uuid,
    facets: Value,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Outputs<'a> {
    Raw(&'a RawValue),
    Listed(Vec<OutputJson<'a>>),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OutputJson<'a> {
    namespace: &'static str,
    name: &'a str,
    facets: &'a RawValue,
    output_facets: Value,
}

/// One event before serialization, for sorting a day by time.
struct Pending {
    time_ms: i64,
    seq: usize,
    json: String,
}

/// A deterministic, endless stream of OpenLineage RunEvents (JSON strings).
///
/// Iterate it (it never ends by itself: `.take(n)`); events come day after
/// day, in event-time order within a day (and overall, as long as a DAG's
/// tasks finish within the day, as they do with the default sizes), the same
/// for the same [`GeneratorConfig`].
pub struct Generator {
    config: GeneratorConfig,
    rng: Rng,
    tables: Vec<Table>,
    jobs: Vec<JobSpec>,
    dags: Vec<Dag>,
    day: i64,
    queue: VecDeque<String>,
}

fn raw(value: &impl Serialize) -> Box<RawValue> {
    to_raw_value(value).expect("generated JSON serializes")
}

fn timestamp(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .expect("simulated times are within chrono's range")
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Generator {
    /// Builds the platform (tables, jobs, DAGs) from the configuration; the
    /// events are made lazily, one simulated day at a time.
    ///
    /// Out-of-range sizes are raised to the least that works (2 tables, 1 job,
    /// 1 column, 1 job per DAG).
    pub fn new(mut config: GeneratorConfig) -> Self {
        config.tables = config.tables.max(2);
        config.jobs = config.jobs.max(1);
        config.min_columns = config.min_columns.max(1);
        config.max_columns = config.max_columns.max(config.min_columns);
        config.jobs_per_dag = config.jobs_per_dag.max(1);
        let mut rng = Rng(config.seed);
        let tables = (0..config.tables)
            .map(|index| Self::table(&config, index, &mut rng))
            .collect::<Vec<_>>();
        let dag_count = config.jobs.div_ceil(config.jobs_per_dag);
        let mut dags: Vec<Dag> = (0..dag_count)
            .map(|d| {
                let name = format!("{}_pipeline_{d:02}", rng.pick(DOMAINS));
                let job = raw(&json!({
                    "namespace": Integration::Airflow.namespace(),
                    "name": name,
                    "facets": { "jobType": job_type_facet(Integration::Airflow, "DAG") },
                }));
                // Nightly DAGs, scheduled between midnight and 6am on the quarter hour.
                let schedule = rng.below(24) as i64 * 900;
                Dag {
                    name,
                    job,
                    schedule,
                    jobs: Vec::new(),
                }
            })
            .collect();
        // About 30% of the tables are sources: read, never written.
        let sources = (config.tables * 3 / 10).max(1);
        let mut next_output = sources;
        let mut jobs = Vec::with_capacity(config.jobs);
        let mut names = BTreeSet::new();
        for index in 0..config.jobs {
            let mut outputs = Vec::new();
            for _ in 0..rng.between(1, 2) {
                if next_output >= config.tables {
                    next_output = sources;
                }
                if !outputs.contains(&next_output) {
                    outputs.push(next_output);
                }
                next_output += 1;
            }
            // Inputs come before every output: the lineage graph is acyclic.
            let upstream = *outputs.iter().min().expect("at least one output");
            let mut inputs = BTreeSet::new();
            for _ in 0..rng.between(1, 4).min(upstream) {
                // Biased towards recent tables, as layered pipelines are.
                let lo = upstream.saturating_sub(rng.between(1, upstream.clamp(1, 40)));
                inputs.insert(rng.between(lo, upstream - 1));
            }
            let dag = index / config.jobs_per_dag;
            dags[dag].jobs.push(index);
            let inputs: Vec<usize> = inputs.into_iter().collect();
            jobs.push(Self::job(
                &tables, index, dag, &inputs, &outputs, &mut names, &mut rng,
            ));
        }
        Self {
            config,
            rng,
            tables,
            jobs,
            dags,
            day: 0,
            queue: VecDeque::new(),
        }
    }

    /// How many jobs (tasks, not DAGs) the platform has.
    pub fn jobs(&self) -> usize {
        self.jobs.len()
    }

    /// How many tables the platform has.
    pub fn tables(&self) -> usize {
        self.tables.len()
    }

    fn table(config: &GeneratorConfig, index: usize, rng: &mut Rng) -> Table {
        let layer = match index * 10 / config.tables {
            0..=2 => "raw",
            3..=6 => "stg",
            _ => "mart",
        };
        let storage = match (layer, rng.below(3)) {
            ("raw", 0) | ("stg", 0) => Storage::S3,
            ("raw", _) => Storage::Postgres,
            ("mart", 0) => Storage::Postgres,
            _ => Storage::Snowflake,
        };
        let domain = rng.pick(DOMAINS);
        let entity = rng.pick(ENTITIES);
        let name = match storage {
            Storage::Postgres => format!("warehouse.{domain}.{layer}_{entity}_{index:04}"),
            Storage::S3 => format!("lake/{layer}/{domain}/{entity}_{index:04}"),
            Storage::Snowflake => format!(
                "ANALYTICS.{}.{}_{}_{index:04}",
                domain.to_uppercase(),
                layer.to_uppercase(),
                entity.to_uppercase()
            ),
        };
        let count = rng.between(config.min_columns, config.max_columns);
        let mut seen = BTreeSet::new();
        let mut columns = Vec::with_capacity(count);
        for i in 0..count {
            let word = if i == 0 { "id" } else { *rng.pick(COLUMN_WORDS) };
            let data_type = storage.column_type(word, rng);
            let mut name = word.to_owned();
            if seen.contains(&name) {
                name = format!("{}_{word}", rng.pick(QUALIFIERS));
            }
            if seen.contains(&name) {
                name = format!("{name}_{i}");
            }
            seen.insert(name.clone());
            columns.push(Column { name, data_type });
        }
        let schema = Self::schema_facet(&columns, rng);
        Table {
            storage,
            name,
            columns,
            schema,
        }
    }

    fn schema_facet(columns: &[Column], rng: &mut Rng) -> Value {
        let fields: Vec<Value> = columns
            .iter()
            .map(|c| {
                let mut field = json!({ "name": c.name, "type": c.data_type, "fields": [] });
                // dbt and catalog-backed integrations often carry descriptions.
                if rng.chance(200) {
                    field["description"] =
                        Value::from(format!("The {} of the record", c.name.replace('_', " ")));
                }
                field
            })
            .collect();
        json!({ "_producer": Integration::Spark.producer(), "_schemaURL": FACET_SCHEMA, "fields": fields })
    }

    fn job(
        tables: &[Table],
        index: usize,
        dag: usize,
        inputs: &[usize],
        outputs: &[usize],
        names: &mut BTreeSet<String>,
        rng: &mut Rng,
    ) -> JobSpec {
        let integration = *rng.pick(&[Integration::Airflow, Integration::Dbt, Integration::Spark]);
        let first_out = &tables[outputs[0]];
        let entity = first_out
            .name
            .rsplit(['.', '/'])
            .next()
            .unwrap_or("table")
            .to_lowercase();
        let name = match integration {
            Integration::Airflow => format!("etl_dag_{dag:02}.load_{entity}"),
            Integration::Dbt => format!("analytics.models.{entity}"),
            Integration::Spark => format!("spark_{entity}_{index:03}"),
        };
        // Two jobs may write the same table; job names stay unique.
        let name = if names.contains(&name) {
            format!("{name}_{index:03}")
        } else {
            name
        };
        names.insert(name.clone());
        let alias = |i: usize| format!("t{i}");
        let mut statements = Vec::new();
        let mut outputs_complete = Vec::new();
        let mut outputs_start = Vec::new();
        for &out in outputs {
            let table = &tables[out];
            let mut fields = serde_json::Map::new();
            let mut select = Vec::new();
            for column in &table.columns {
                let n = rng.between(1, 3);
                let mut input_fields = Vec::new();
                let mut args = Vec::new();
                let direct = match n {
                    1 => *rng.pick(&[
                        "IDENTITY",
                        "IDENTITY",
                        "IDENTITY",
                        "TRANSFORMATION",
                        "AGGREGATION",
                    ]),
                    _ => *rng.pick(&["TRANSFORMATION", "TRANSFORMATION", "AGGREGATION"]),
                };
                for k in 0..n {
                    let which = rng.below(inputs.len());
                    let source = &tables[inputs[which]];
                    let field = &rng.pick(&source.columns).name;
                    let qualified = format!("{}.{field}", alias(which));
                    let transformation = if k > 0 && rng.chance(300) {
                        let subtype =
                            *rng.pick(&["JOIN", "FILTER", "GROUP_BY", "SORT", "WINDOW", "CONDITIONAL"]);
                        json!({ "type": "INDIRECT", "subtype": subtype, "masking": false })
                    } else {
                        args.push(qualified.clone());
                        let masking = direct == "TRANSFORMATION" && rng.chance(30);
                        let mut t = json!({ "type": "DIRECT", "subtype": direct, "masking": masking });
                        if direct != "IDENTITY" {
                            t["description"] = Value::from(match (direct, masking) {
                                ("AGGREGATION", _) => format!("sum({qualified})"),
                                (_, true) => format!("sha2({qualified}, 256)"),
                                _ => format!("coalesce({qualified})"),
                            });
                        }
                        t
                    };
                    input_fields.push(json!({
                        "namespace": source.namespace(),
                        "name": source.name,
                        "field": field,
                        "transformations": [transformation],
                    }));
                }
                let expression = match (direct, args.len()) {
                    ("IDENTITY", _) => args[0].clone(),
                    ("AGGREGATION", _) => format!("sum({})", args.join(" + ")),
                    _ => format!("coalesce({})", args.join(", ")),
                };
                select.push(format!("{expression} AS {}", column.name));
                fields.insert(column.name.clone(), json!({ "inputFields": input_fields }));
            }
            // Joins and filters shape the whole output: dataset-level lineage.
            let mut dataset_level = Vec::new();
            for (i, &input) in inputs.iter().enumerate().skip(1) {
                let source = &tables[input];
                dataset_level.push(json!({
                    "namespace": source.namespace(), "name": source.name, "field": "id",
                    "transformations": [{ "type": "INDIRECT", "subtype": "JOIN", "description": format!("{}.id = t0.id", alias(i)), "masking": false }],
                }));
            }
            let filtered = &tables[inputs[0]];
            let filter_column = &rng.pick(&filtered.columns).name;
            dataset_level.push(json!({
                "namespace": filtered.namespace(), "name": filtered.name, "field": filter_column,
                "transformations": [{ "type": "INDIRECT", "subtype": "FILTER", "masking": false }],
            }));
            let joins: String = inputs
                .iter()
                .enumerate()
                .skip(1)
                .map(|(i, &t)| {
                    format!(
                        "\nJOIN {} AS {} ON {}.id = t0.id",
                        tables[t].name,
                        alias(i),
                        alias(i)
                    )
                })
                .collect();
            statements.push(format!(
                "INSERT INTO {}\nSELECT {}\nFROM {} AS t0{joins}\nWHERE t0.{filter_column} IS NOT NULL",
                table.name,
                select.join(",\n       "),
                tables[inputs[0]].name,
            ));
            outputs_start.push(json!({
                "namespace": table.namespace(), "name": table.name, "facets": { "schema": table.schema },
            }));
            let facets = json!({
                "schema": table.schema,
                "columnLineage": {
                    "_producer": integration.producer(),
                    "_schemaURL": FACET_COLUMN_LINEAGE,
                    "fields": fields,
                    "dataset": dataset_level,
                },
            });
            outputs_complete.push((table.namespace(), table.name.clone(), raw(&facets)));
        }
        let inputs_json: Vec<Value> = inputs
            .iter()
            .map(|&i| {
                let table = &tables[i];
                json!({
                    "namespace": table.namespace(), "name": table.name,
                    "facets": { "schema": table.schema },
                })
            })
            .collect();
        let dialect = match tables[outputs[0]].storage {
            Storage::Postgres => "postgres",
            Storage::S3 => "spark",
            Storage::Snowflake => "snowflake",
        };
        let (_, job_type) = integration.job_type();
        let job = json!({
            "namespace": integration.namespace(),
            "name": name,
            "facets": {
                "jobType": job_type_facet(integration, job_type),
                "sql": {
                    "_producer": integration.producer(), "_schemaURL": FACET_SQL,
                    "query": statements.join(";\n\n"), "dialect": dialect,
                },
            },
        });
        JobSpec {
            integration,
            job: raw(&job),
            inputs: raw(&inputs_json),
            outputs_start: raw(&outputs_start),
            outputs_complete,
        }
    }

    /// Simulates the next day: every DAG runs, its tasks one after another
    /// (sometimes overlapping); the day's events are queued in time order.
    fn simulate_day(&mut self) {
        let midnight_ms = (self.config.start_unix_secs + self.day * 86_400) * 1_000;
        let empty = RawValue::from_string("[]".into()).expect("valid JSON");
        let mut day = Vec::new();
        for dag in &self.dags {
            let dag_run = self.rng.uuid();
            let nominal_ms = midnight_ms + dag.schedule * 1_000;
            let nominal = json!({
                "_producer": Integration::Airflow.producer(),
                "_schemaURL": FACET_NOMINAL_TIME,
                "nominalStartTime": timestamp(nominal_ms),
                "nominalEndTime": timestamp(nominal_ms + 86_400_000),
            });
            let dag_start = nominal_ms + self.rng.between(1_000, 120_000) as i64;
            let mut cursor = dag_start;
            let mut dag_end = dag_start;
            let mut dag_failed = false;
            for &j in &dag.jobs {
                let job = &self.jobs[j];
                let run_id = self.rng.uuid();
                let start = cursor + self.rng.between(500, 60_000) as i64;
                let end = start + self.rng.between(5_000, 1_800_000) as i64;
                // Some tasks run in parallel with the next one.
                cursor = if self.rng.chance(300) { start } else { end };
                dag_end = dag_end.max(end);
                let failed = self.rng.chance(self.config.fail_per_mille);
                dag_failed |= failed;
                let parent = json!({
                    "_producer": Integration::Airflow.producer(),
                    "_schemaURL": FACET_PARENT,
                    "run": { "runId": dag_run },
                    "job": { "namespace": Integration::Airflow.namespace(), "name": dag.name },
                });
                let mut facets = json!({ "nominalTime": nominal, "parent": parent });
                let started = RunEventJson {
                    event_time: &timestamp(start),
                    event_type: "START",
                    producer: job.integration.producer(),
                    schema_url: SCHEMA_URL,
                    run: RunJson {
                        run_id,
                        facets: facets.clone(),
                    },
                    job: &job.job,
                    inputs: &job.inputs,
                    outputs: Outputs::Raw(&job.outputs_start),
                };
                day.push(Pending {
                    time_ms: start,
                    seq: day.len(),
                    json: serde_json::to_string(&started).expect("serializes"),
                });
                if failed {
                    facets["errorMessage"] = json!({
                        "_producer": job.integration.producer(),
                        "_schemaURL": FACET_ERROR,
                        "message": self.rng.pick(ERRORS),
                        "programmingLanguage": if job.integration == Integration::Spark { "JAVA" } else { "PYTHON" },
                    });
                }
                let outputs = job
                    .outputs_complete
                    .iter()
                    .map(|(namespace, name, out_facets)| {
                        let rows = self.rng.between(1_000, 50_000_000);
                        OutputJson {
                            namespace,
                            name,
                            facets: out_facets,
                            output_facets: if failed {
                                json!({})
                            } else {
                                json!({ "outputStatistics": {
                                    "_producer": job.integration.producer(),
                                    "_schemaURL": FACET_OUTPUT_STATISTICS,
                                    "rowCount": rows,
                                    "size": rows * self.rng.between(40, 400),
                                }})
                            },
                        }
                    })
                    .collect();
                let finished = RunEventJson {
                    event_time: &timestamp(end),
                    event_type: if failed { "FAIL" } else { "COMPLETE" },
                    producer: job.integration.producer(),
                    schema_url: SCHEMA_URL,
                    run: RunJson { run_id, facets },
                    job: &job.job,
                    inputs: &job.inputs,
                    outputs: Outputs::Listed(outputs),
                };
                day.push(Pending {
                    time_ms: end,
                    seq: day.len(),
                    json: serde_json::to_string(&finished).expect("serializes"),
                });
            }
            for (time_ms, event_type) in [
                (dag_start, "START"),
                (dag_end + 1_000, if dag_failed { "FAIL" } else { "COMPLETE" }),
            ] {
                let event = RunEventJson {
                    event_time: &timestamp(time_ms),
                    event_type,
                    producer: Integration::Airflow.producer(),
                    schema_url: SCHEMA_URL,
                    run: RunJson {
                        run_id: dag_run,
                        facets: json!({ "nominalTime": nominal }),
                    },
                    job: &dag.job,
                    inputs: &empty,
                    outputs: Outputs::Raw(&empty),
                };
                day.push(Pending {
                    time_ms,
                    seq: day.len(),
                    json: serde_json::to_string(&event).expect("serializes"),
                });
            }
        }
        day.sort_by_key(|p| (p.time_ms, p.seq));
        self.queue.extend(day.into_iter().map(|p| p.json));
        self.day += 1;
    }
}

fn job_type_facet(integration: Integration, job_type: &str) -> Value {
    let (name, _) = integration.job_type();
    json!({
        "_producer": integration.producer(),
        "_schemaURL": FACET_JOB_TYPE,
        "processingType": "BATCH",
        "integration": name,
        "jobType": job_type,
    })
}

impl Iterator for Generator {
    type Item = String;

    /// The next event; never `None`.
    fn next(&mut self) -> Option<String> {
        while self.queue.is_empty() {
            self.simulate_day();
        }
        self.queue.pop_front()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (usize::MAX, None)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::openlineage::facets::{FacetScope, StandardFacet, standard};
    use crate::openlineage::{Event, EventKind, EventType, parse_event};

    fn small(seed: u64) -> GeneratorConfig {
        GeneratorConfig {
            seed,
            jobs: 20,
            tables: 50,
            ..Default::default()
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_events() {
        let a: Vec<String> = Generator::new(small(1)).take(300).collect();
        let b: Vec<String> = Generator::new(small(1)).take(300).collect();
        let c: Vec<String> = Generator::new(small(2)).take(300).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn sizes_out_of_range_are_raised() {
        let config = GeneratorConfig {
            jobs: 0,
            tables: 0,
            min_columns: 0,
            max_columns: 0,
            jobs_per_dag: 0,
            ..Default::default()
        };
        let events: Vec<String> = Generator::new(config).take(20).collect();
        assert!(events.iter().all(|e| parse_event(e).is_ok()));
    }

    fn run_parts(event: &Event) -> (EventType, uuid::Uuid, &crate::openlineage::event::Job) {
        match &event.kind {
            EventKind::Run {
                event_type, run, job, ..
            } => (event_type.expect("has a type"), run.run_id, job),
            other => panic!("not a run event: {}", other.name()),
        }
    }

    /// Every event validates, in time order, over several days; each run
    /// starts once and ends once; task runs have the promised shape.
    #[test]
    fn events_are_valid_and_realistic() {
        let config = small(3);
        let generator = Generator::new(config.clone());
        let per_day = 2 * (generator.jobs() + config.jobs.div_ceil(config.jobs_per_dag));
        let mut last_time = i64::MIN;
        let mut runs: BTreeMap<uuid::Uuid, Vec<EventType>> = BTreeMap::new();
        let mut job_runs: BTreeMap<String, usize> = BTreeMap::new();
        let mut task_events = 0;
        for text in generator.take(per_day * 3) {
            let event = parse_event(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
            let time = event.event_time.unix_nanos();
            assert!(time >= last_time, "events come in time order");
            last_time = time;
            let (event_type, run_id, job) = run_parts(&event);
            runs.entry(run_id).or_default().push(event_type);
            *job_runs
                .entry(format!("{}/{}", job.namespace, job.name))
                .or_default() += 1;
            let EventKind::Run {
                run, inputs, outputs, ..
            } = &event.kind
            else {
                unreachable!()
            };
            assert!(run.facets.contains_key("nominalTime"));
            if job.name.contains("_pipeline_") {
                assert!(inputs.is_empty() && outputs.is_empty());
                continue;
            }
            task_events += 1;
            assert!(run.facets.contains_key("parent"));
            assert!(job.facets.contains_key("sql") && job.facets.contains_key("jobType"));
            assert!((1..=4).contains(&inputs.len()), "{} inputs", inputs.len());
            assert!((1..=2).contains(&outputs.len()), "{} outputs", outputs.len());
            for dataset in inputs
                .iter()
                .map(|i| &i.dataset)
                .chain(outputs.iter().map(|o| &o.dataset))
            {
                let Ok(Some(StandardFacet::Schema(schema))) =
                    standard(FacetScope::Dataset, "schema", &dataset.facets["schema"])
                else {
                    panic!("no schema on {}", dataset.name)
                };
                assert!((20..=50).contains(&schema.fields.len()));
            }
            if event_type == EventType::Complete {
                for output in outputs {
                    let Ok(Some(StandardFacet::ColumnLineage(lineage))) = standard(
                        FacetScope::Dataset,
                        "columnLineage",
                        &output.dataset.facets["columnLineage"],
                    ) else {
                        panic!("no column lineage on {}", output.dataset.name)
                    };
                    assert!(!lineage.fields.is_empty());
                    for field in lineage.fields.values() {
                        assert!((1..=3).contains(&field.input_fields.len()));
                        for input in &field.input_fields {
                            assert!(inputs.iter().any(|i| i.dataset.name == input.name));
                            let kind = input.transformations[0].kind.as_str();
                            assert!(kind == "DIRECT" || kind == "INDIRECT");
                            assert!(input.transformations[0].subtype.is_some());
                        }
                    }
                    assert!(output.output_facets.contains_key("outputStatistics"));
                }
            }
        }
        assert!(task_events > 0);
        for (run, types) in &runs {
            assert_eq!(types.len(), 2, "run {run}: {types:?}");
            assert_eq!(types[0], EventType::Start);
            assert!(types[1].is_terminal());
        }
        // Every job and DAG ran once a day.
        assert!(job_runs.values().all(|&n| n == 6), "{job_runs:?}");
    }

    #[test]
    fn namespaces_are_varied() {
        let mut namespaces = BTreeSet::new();
        for text in Generator::new(small(4)).take(200) {
            let event = parse_event(&text).unwrap();
            if let EventKind::Run {
                job, inputs, outputs, ..
            } = &event.kind
            {
                namespaces.insert(job.namespace.clone());
                namespaces.extend(inputs.iter().map(|i| i.dataset.namespace.clone()));
                namespaces.extend(outputs.iter().map(|o| o.dataset.namespace.clone()));
            }
        }
        assert!(namespaces.len() >= 5, "{namespaces:?}");
    }
}
