//! The words a generated mesh is made of: domains, storages and their
//! namespaces, the tools that run jobs, table and column names, errors.
//!
//! Names come only from these fixed lists (and numbers), so they never
//! need escaping in JSON or quoting in SQL; `event.rs` relies on that.

/// Business domains, each owning its sources and pipelines. Past the end of
/// the list, names repeat with a number (`sales2`).
const DOMAINS: &[&str] = &[
    "sales",
    "marketing",
    "finance",
    "logistics",
    "hr",
    "product",
    "support",
    "payments",
    "inventory",
    "risk",
    "procurement",
    "web",
    "mobile",
    "billing",
    "legal",
    "partners",
];

/// The name of domain `index`.
pub(super) fn domain_name(index: usize) -> String {
    let base = DOMAINS[index % DOMAINS.len()];
    match index / DOMAINS.len() {
        0 => base.to_owned(),
        round => format!("{base}{}", round + 1),
    }
}

/// The shared dimensions that every domain joins, most joined first. Past
/// the end of the list, names repeat with a number (`customer_13`).
const HUBS: &[&str] = &[
    "customer",
    "date",
    "product",
    "geography",
    "currency",
    "employee",
    "supplier",
    "channel",
    "store",
    "account",
    "campaign",
    "warehouse",
];

/// The entity of hub `rank`.
pub(super) fn hub_entity(rank: usize) -> String {
    let base = HUBS[rank % HUBS.len()];
    match rank / HUBS.len() {
        0 => base.to_owned(),
        _ => format!("{base}_{rank}"),
    }
}

/// What tables are about.
pub(super) const ENTITIES: &[&str] = &[
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
    "leads",
    "returns",
    "events",
    "accounts",
];

/// Column names; `id` (index 0) is every table's first column.
pub(super) const COLUMN_WORDS: &[&str] = &[
    "id",
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

/// Prefixes that tell apart two columns of the same kind in one table;
/// index 0 means none.
pub(super) const QUALIFIERS: &[&str] = &[
    "",
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

/// Why a run fails.
pub(super) const ERRORS: &[&str] = &[
    "relation does not exist",
    "division by zero",
    "duplicate key value violates unique constraint",
    "Container killed by YARN for exceeding memory limits",
    "connection reset by peer",
];

/// Subtypes of `INDIRECT` field-level lineage.
pub(super) const INDIRECT_SUBTYPES: &[&str] =
    &["JOIN", "FILTER", "GROUP_BY", "SORT", "WINDOW", "CONDITIONAL"];

/// Where tables live; each storage names its tables and types its columns its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Storage {
    /// An operational PostgreSQL database.
    Postgres,
    /// An operational MySQL database.
    MySql,
    /// Files in an object store (Parquet, Delta).
    S3,
    /// The warehouse.
    Snowflake,
}

/// The kinds of column, in the order of [`Storage::column_type`]'s tables.
const KIND_ID: u8 = 0;
const KIND_TIME: u8 = 1;
const KIND_FLAG: u8 = 2;
/// The other kinds are drawn among `KIND_OTHER..KIND_OTHER + 3`.
pub(super) const KIND_OTHER: u8 = 3;

/// The kind of a column called `word`, before the random part.
pub(super) fn column_kind(word: &str) -> Option<u8> {
    if word == "id" || word.ends_with("_id") {
        Some(KIND_ID)
    } else if word.ends_with("_at") {
        Some(KIND_TIME)
    } else if word.starts_with("is_") {
        Some(KIND_FLAG)
    } else {
        None
    }
}

impl Storage {
    /// The column type for a column of kind `kind` (see [`column_kind`]).
    pub(super) fn column_type(self, kind: u8) -> &'static str {
        let types: [&str; 6] = match self {
            Self::Postgres => [
                "bigint",
                "timestamp",
                "boolean",
                "varchar",
                "numeric(18,2)",
                "integer",
            ],
            Self::MySql => [
                "bigint",
                "datetime",
                "tinyint(1)",
                "varchar(255)",
                "decimal(18,2)",
                "int",
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
        types[usize::from(kind)]
    }

    /// The SQL dialect of the `sql` facet of a job writing here.
    pub(super) fn dialect(self) -> &'static str {
        match self {
            Self::Postgres => "postgres",
            Self::MySql => "mysql",
            Self::S3 => "spark",
            Self::Snowflake => "snowflake",
        }
    }
}

/// The tools that run jobs, with how they name and type them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Integration {
    /// Airflow tasks (and the DAGs that are their parents).
    Airflow,
    /// dbt models.
    Dbt,
    /// Spark applications.
    Spark,
}

impl Integration {
    pub(super) fn producer(self) -> &'static str {
        match self {
            Self::Airflow => "https://github.com/apache/airflow/tree/providers-openlineage/1.14.0",
            Self::Dbt => "https://github.com/OpenLineage/OpenLineage/tree/1.24.2/integration/dbt",
            Self::Spark => "https://github.com/OpenLineage/OpenLineage/tree/1.24.2/integration/spark",
        }
    }

    /// `integration` of the `jobType` facet.
    pub(super) fn name(self) -> &'static str {
        match self {
            Self::Airflow => "AIRFLOW",
            Self::Dbt => "DBT",
            Self::Spark => "SPARK",
        }
    }

    /// `jobType` of the `jobType` facet for a task (not a DAG).
    pub(super) fn task_type(self) -> &'static str {
        match self {
            Self::Airflow => "TASK",
            Self::Dbt => "MODEL",
            Self::Spark => "JOB",
        }
    }

    /// `programmingLanguage` of the `errorMessage` facet.
    pub(super) fn language(self) -> &'static str {
        match self {
            Self::Spark => "JAVA",
            Self::Airflow | Self::Dbt => "PYTHON",
        }
    }
}
