//! The example retail mesh: Acme Retail's lineage, matching the ontology and
//! the data products that ship in `ontology/retail/`.
//!
//! Five domains (sales, customer, fulfilment, finance, marketing) publish
//! thirteen data products, described with DPROD in
//! `ontology/retail/products-*.ttl`; [`documents`] embeds those files and the
//! domain ontology with its business glossary (`retail.ttl`). [`events`] is
//! the OpenLineage that the domains' pipelines send while building those
//! products over five simulated days: Airflow tasks copy the operational
//! databases (Postgres, MySQL, files on S3) into Snowflake's `RAW` layer,
//! dbt models and Spark jobs build every dataset a product's output port
//! names, reading each other's products across domains. Each run sends a
//! `START` and a `COMPLETE` (a few `FAIL`, one retried), with the facets
//! the real integrations send: `schema`, `columnLineage` (with
//! transformation types and subtypes, some masking), `ownership` (the
//! owners named in the product descriptions), `documentation`, `tags`
//! (columns tagged with the full IRI of their glossary concept), `sql`,
//! `sourceCodeLocation`, `jobType`, `parent`, `nominalTime`.
//!
//! Everything is a fixed table: the tables and their columns (each output
//! column with the SQL expression and the input columns it comes from),
//! then the pipelines and the jobs, then a loop that simulates the days.
//! The events are deterministic, byte for byte. The integration test
//! `tests/integration/demo.rs` checks them against the product
//! descriptions: every port's dataset is written or read, every owner and
//! every concept is declared.

use std::collections::HashMap;

use serde_json::{Map, Value, json};
use uuid::Uuid;
use xxhash_rust::xxh3::{xxh3_64, xxh3_128};

use super::vocab::Integration;

// ---------------------------------------------------------------------------
// The platform
// ---------------------------------------------------------------------------

/// Acme's Snowflake account: `RAW` (copies of the sources) and `ANALYTICS`.
const SNOWFLAKE: &str = "snowflake://acme-retail";
/// The data lake bucket: landing files and Spark-built datasets.
const LAKE: &str = "s3://acme-retail-lake";
/// The shop's order database.
const SALES_DB: &str = "postgres://sales-db:5432";
/// The product information management database.
const PIM_DB: &str = "postgres://pim-db:5432";
/// The CRM, customers and their consents.
const CRM_DB: &str = "mysql://crm-db:3306";
/// The payment service's database.
const PAYMENTS_DB: &str = "postgres://payments-db:5432";
/// The warehouse management system.
const WMS_DB: &str = "postgres://wms-db:5432";

/// The business glossary of `ontology/retail/retail.ttl`: a column's
/// concept is tagged with this prefix and the concept's local name.
pub const GLOSSARY: &str = "https://meshgraph.dev/example/retail/glossary/";

/// Midnight UTC of the first simulated day, 2025-03-03 (a Monday).
const FIRST_DAY_UNIX_SECS: i64 = 1_740_960_000;
/// How many days the pipelines run.
const DAYS: u32 = 5;

// ---------------------------------------------------------------------------
// Tables and columns
// ---------------------------------------------------------------------------

/// How an output column depends on an input column (the `columnLineage`
/// transformation type and subtype).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum How {
    /// DIRECT/IDENTITY: the value, unchanged.
    Same,
    /// DIRECT/TRANSFORMATION: the value, computed on.
    Calc,
    /// DIRECT/AGGREGATION: the value, aggregated over rows.
    Agg,
    /// DIRECT/TRANSFORMATION with masking: a hash of the value.
    Hash,
    /// INDIRECT with this subtype (JOIN, FILTER, GROUP_BY, WINDOW, CONDITIONAL).
    Indirect(&'static str),
}

/// An input column an output column (or the whole table) depends on.
#[derive(Debug)]
struct Src {
    table: &'static Table,
    field: &'static str,
    how: How,
}

impl Src {
    const fn new(table: &'static Table, field: &'static str, how: How) -> Self {
        Self { table, field, how }
    }
}

/// DIRECT/IDENTITY: `field` of `table`, unchanged.
const fn same(table: &'static Table, field: &'static str) -> Src {
    Src::new(table, field, How::Same)
}
/// DIRECT/TRANSFORMATION: computed from `field` of `table`.
const fn calc(table: &'static Table, field: &'static str) -> Src {
    Src::new(table, field, How::Calc)
}
/// DIRECT/AGGREGATION: aggregated from `field` of `table`.
const fn agg(table: &'static Table, field: &'static str) -> Src {
    Src::new(table, field, How::Agg)
}
/// DIRECT/TRANSFORMATION, masked: a hash of `field` of `table`.
const fn hash(table: &'static Table, field: &'static str) -> Src {
    Src::new(table, field, How::Hash)
}
/// INDIRECT/JOIN on `field` of `table`.
const fn join(table: &'static Table, field: &'static str) -> Src {
    Src::new(table, field, How::Indirect("JOIN"))
}
/// INDIRECT/FILTER on `field` of `table`.
const fn filter(table: &'static Table, field: &'static str) -> Src {
    Src::new(table, field, How::Indirect("FILTER"))
}
/// INDIRECT/GROUP_BY on `field` of `table`.
const fn group(table: &'static Table, field: &'static str) -> Src {
    Src::new(table, field, How::Indirect("GROUP_BY"))
}
/// INDIRECT/WINDOW (partition, order) on `field` of `table`.
const fn window(table: &'static Table, field: &'static str) -> Src {
    Src::new(table, field, How::Indirect("WINDOW"))
}
/// INDIRECT/CONDITIONAL: `field` of `table` picks the value (a `case when`).
const fn cond(table: &'static Table, field: &'static str) -> Src {
    Src::new(table, field, How::Indirect("CONDITIONAL"))
}

/// A column: its name and type, and for a computed column the SQL
/// expression and the input columns it comes from.
#[derive(Debug)]
struct Column {
    name: &'static str,
    data_type: &'static str,
    /// The SQL expression computing it; empty for a source column.
    expr: &'static str,
    from: &'static [Src],
    /// The glossary concept (local name in [`GLOSSARY`]) the column holds.
    concept: Option<&'static str>,
}

/// A column of an operational source.
const fn col(name: &'static str, data_type: &'static str) -> Column {
    Column {
        name,
        data_type,
        expr: "",
        from: &[],
        concept: None,
    }
}

/// A computed column.
const fn out(
    name: &'static str,
    data_type: &'static str,
    expr: &'static str,
    from: &'static [Src],
) -> Column {
    Column {
        name,
        data_type,
        expr,
        from,
        concept: None,
    }
}

impl Column {
    /// The same column, holding data about the glossary concept `concept`.
    const fn about(self, concept: &'static str) -> Self {
        Column {
            concept: Some(concept),
            ..self
        }
    }
}

/// The columns of a table.
#[derive(Debug)]
enum Columns {
    Own(&'static [Column]),
    /// A copy of an operational table into Snowflake `RAW`: the same columns
    /// (in Snowflake's types) and `_loaded_at`.
    CopyOf(&'static Table),
}

/// A dataset: a source table, a `RAW` copy, or a data product's table.
#[derive(Debug)]
struct Table {
    namespace: &'static str,
    name: &'static str,
    description: &'static str,
    /// `ownership` facet: (owner name, type). The names are the `mg:name`s
    /// of product owners in `ontology/retail/products-*.ttl`.
    owners: &'static [(&'static str, &'static str)],
    columns: Columns,
    /// What follows the select list in the SQL that builds it (or the
    /// extract query's `from`); `{ds}` is the run's day.
    from_sql: &'static str,
    /// Input columns that shape every row: joins, filters, groupings.
    shaped_by: &'static [Src],
    /// Dataset-level tags besides the glossary concepts of columns.
    tags: &'static [(&'static str, &'static str)],
}

impl Table {
    /// The table's columns as (name, type, concept); a `RAW` copy maps its
    /// source's types to Snowflake's.
    fn fields(&self) -> Vec<(&'static str, String, Option<&'static str>)> {
        match self.columns {
            Columns::Own(columns) => columns
                .iter()
                .map(|c| (c.name, c.data_type.to_owned(), c.concept))
                .collect(),
            Columns::CopyOf(source) => source
                .fields()
                .into_iter()
                .map(|(name, data_type, _)| (name, snowflake_type(&data_type), None))
                .chain([("_loaded_at", "TIMESTAMP_LTZ".to_owned(), None)])
                .collect(),
        }
    }

    #[cfg(test)]
    fn is(&self, other: &Table) -> bool {
        (self.namespace, self.name) == (other.namespace, other.name)
    }
}

/// The Snowflake type a loader gives a source column.
fn snowflake_type(source: &str) -> String {
    let lower = source.to_ascii_lowercase();
    let args = lower.find('(').map_or("", |i| &lower[i..]);
    match lower.split('(').next().unwrap_or_default() {
        "bigint" | "integer" | "int" | "int64" => "NUMBER(38,0)".to_owned(),
        "numeric" | "decimal" => format!("NUMBER{args}"),
        "tinyint" if args == "(1)" => "BOOLEAN".to_owned(),
        "boolean" | "bool" => "BOOLEAN".to_owned(),
        "date" | "date32" => "DATE".to_owned(),
        "timestamptz" => "TIMESTAMP_TZ".to_owned(),
        "timestamp" | "datetime" | "timestamp[us]" => "TIMESTAMP_NTZ".to_owned(),
        "uuid" => "VARCHAR(36)".to_owned(),
        "varchar" | "char" => format!("VARCHAR{args}"),
        _ => "VARCHAR".to_owned(),
    }
}

const TEAM_SALES: &str = "team:sales";
const TEAM_CUSTOMER: &str = "team:customer";
const TEAM_FULFILMENT: &str = "team:fulfilment";
const TEAM_FINANCE: &str = "team:finance";
const TEAM_MARKETING: &str = "team:marketing";
const ANNA: &str = "user:anna.schmidt";
const LI: &str = "user:li.wei";
const TOM: &str = "user:tom.berg";
const PRIYA: &str = "user:priya.nair";

// --- operational sources (read only) ----------------------------------------

#[rustfmt::skip]
static CRM_CUSTOMERS: Table = Table {
    namespace: CRM_DB,
    name: "crm.customers",
    description: "Customers of the CRM, one row per customer account, soft-deleted on erasure requests.",
    owners: &[],
    columns: Columns::Own(&[
        col("customer_id", "bigint"),
        col("first_name", "varchar(100)"),
        col("last_name", "varchar(100)"),
        col("email", "varchar(255)"),
        col("phone", "varchar(32)"),
        col("birth_date", "date"),
        col("street", "varchar(255)"),
        col("city", "varchar(100)"),
        col("postal_code", "varchar(16)"),
        col("country_code", "char(2)"),
        col("loyalty_tier", "varchar(16)"),
        col("loyalty_points", "int"),
        col("preferred_store_id", "int"),
        col("signup_channel", "varchar(32)"),
        col("created_at", "datetime"),
        col("updated_at", "datetime"),
        col("is_deleted", "tinyint(1)"),
    ]),
    from_sql: "",
    shaped_by: &[],
    tags: &[],
};

#[rustfmt::skip]
static CRM_CONSENTS: Table = Table {
    namespace: CRM_DB,
    name: "crm.consents",
    description: "Every consent a customer granted or withdrew, per processing purpose.",
    owners: &[],
    columns: Columns::Own(&[
        col("consent_id", "bigint"),
        col("customer_id", "bigint"),
        col("purpose", "varchar(32)"),
        col("granted", "tinyint(1)"),
        col("channel", "varchar(32)"),
        col("source", "varchar(32)"),
        col("policy_version", "varchar(16)"),
        col("ip_address", "varchar(45)"),
        col("granted_at", "datetime"),
        col("withdrawn_at", "datetime"),
        col("updated_at", "datetime"),
    ]),
    from_sql: "",
    shaped_by: &[],
    tags: &[],
};

#[rustfmt::skip]
static SALES_ORDERS: Table = Table {
    namespace: SALES_DB,
    name: "sales.public.orders",
    description: "Orders of the web shop, the app and the store tills.",
    owners: &[],
    columns: Columns::Own(&[
        col("order_id", "bigint"),
        col("order_number", "varchar(20)"),
        col("customer_id", "bigint"),
        col("store_id", "integer"),
        col("channel", "varchar(16)"),
        col("status", "varchar(16)"),
        col("currency", "char(3)"),
        col("payment_method", "varchar(16)"),
        col("coupon_code", "varchar(32)"),
        col("campaign_id", "varchar(64)"),
        col("shipping_postal_code", "varchar(16)"),
        col("shipping_country_code", "char(2)"),
        col("shipping_amount", "numeric(12,2)"),
        col("tax_amount", "numeric(12,2)"),
        col("ordered_at", "timestamptz"),
        col("updated_at", "timestamptz"),
    ]),
    from_sql: "",
    shaped_by: &[],
    tags: &[],
};

#[rustfmt::skip]
static SALES_ORDER_LINES: Table = Table {
    namespace: SALES_DB,
    name: "sales.public.order_lines",
    description: "The lines of every order: product, quantity, price, discount and tax rate.",
    owners: &[],
    columns: Columns::Own(&[
        col("order_line_id", "bigint"),
        col("order_id", "bigint"),
        col("line_number", "integer"),
        col("product_id", "bigint"),
        col("sku", "varchar(32)"),
        col("quantity", "integer"),
        col("unit_price", "numeric(12,2)"),
        col("discount_amount", "numeric(12,2)"),
        col("tax_rate", "numeric(5,4)"),
        col("line_status", "varchar(16)"),
        col("created_at", "timestamptz"),
    ]),
    from_sql: "",
    shaped_by: &[],
    tags: &[],
};

#[rustfmt::skip]
static PIM_PRODUCTS: Table = Table {
    namespace: PIM_DB,
    name: "pim.public.products",
    description: "The product catalogue as merchandising maintains it.",
    owners: &[],
    columns: Columns::Own(&[
        col("product_id", "bigint"),
        col("sku", "varchar(32)"),
        col("product_name", "varchar(255)"),
        col("brand", "varchar(100)"),
        col("category", "varchar(64)"),
        col("subcategory", "varchar(64)"),
        col("list_price", "numeric(12,2)"),
        col("unit_cost", "numeric(12,4)"),
        col("currency", "char(3)"),
        col("weight_grams", "integer"),
        col("is_active", "boolean"),
        col("launched_on", "date"),
        col("supplier_id", "bigint"),
        col("updated_at", "timestamptz"),
    ]),
    from_sql: "",
    shaped_by: &[],
    tags: &[],
};

#[rustfmt::skip]
static PAYMENTS: Table = Table {
    namespace: PAYMENTS_DB,
    name: "payments.public.payments",
    description: "Payments captured through the payment service provider; cards are tokenised by the PSP.",
    owners: &[],
    columns: Columns::Own(&[
        col("payment_id", "uuid"),
        col("order_id", "bigint"),
        col("psp_reference", "varchar(64)"),
        col("method", "varchar(16)"),
        col("card_brand", "varchar(16)"),
        col("card_bin", "varchar(6)"),
        col("card_last4", "char(4)"),
        col("card_token", "varchar(64)"),
        col("billing_name", "varchar(255)"),
        col("billing_email", "varchar(255)"),
        col("amount", "numeric(12,2)"),
        col("currency", "char(3)"),
        col("status", "varchar(16)"),
        col("refunded_amount", "numeric(12,2)"),
        col("captured_at", "timestamptz"),
        col("created_at", "timestamptz"),
        col("updated_at", "timestamptz"),
    ]),
    from_sql: "",
    shaped_by: &[],
    tags: &[],
};

#[rustfmt::skip]
static WMS_SHIPMENTS: Table = Table {
    namespace: WMS_DB,
    name: "wms.public.shipments",
    description: "Shipments leaving the warehouses, with carrier tracking.",
    owners: &[],
    columns: Columns::Own(&[
        col("shipment_id", "bigint"),
        col("order_id", "bigint"),
        col("warehouse_id", "integer"),
        col("carrier", "varchar(32)"),
        col("service_level", "varchar(16)"),
        col("tracking_number", "varchar(64)"),
        col("recipient_name", "varchar(255)"),
        col("ship_to_street", "varchar(255)"),
        col("ship_to_postal_code", "varchar(16)"),
        col("ship_to_city", "varchar(100)"),
        col("ship_to_country_code", "char(2)"),
        col("parcel_count", "integer"),
        col("weight_grams", "integer"),
        col("shipping_cost", "numeric(10,2)"),
        col("status", "varchar(16)"),
        col("promised_at", "timestamptz"),
        col("shipped_at", "timestamptz"),
        col("delivered_at", "timestamptz"),
    ]),
    from_sql: "",
    shaped_by: &[],
    tags: &[],
};

#[rustfmt::skip]
static WMS_STOCK_LEVELS: Table = Table {
    namespace: WMS_DB,
    name: "wms.public.stock_levels",
    description: "Stock per product and warehouse, updated on every pick, receipt and count.",
    owners: &[],
    columns: Columns::Own(&[
        col("warehouse_id", "integer"),
        col("product_id", "bigint"),
        col("sku", "varchar(32)"),
        col("on_hand", "integer"),
        col("reserved", "integer"),
        col("in_transit", "integer"),
        col("reorder_point", "integer"),
        col("bin_location", "varchar(16)"),
        col("last_counted_at", "timestamptz"),
        col("updated_at", "timestamptz"),
    ]),
    from_sql: "",
    shaped_by: &[],
    tags: &[],
};

#[rustfmt::skip]
static ADS_CAMPAIGN_SPEND: Table = Table {
    namespace: LAKE,
    name: "landing/ads/campaign_spend",
    description: "Daily campaign spend exported by the advertising platforms (Parquet).",
    owners: &[],
    columns: Columns::Own(&[
        col("report_date", "date32"),
        col("platform", "string"),
        col("account_id", "string"),
        col("campaign_id", "string"),
        col("campaign_name", "string"),
        col("ad_group", "string"),
        col("impressions", "int64"),
        col("clicks", "int64"),
        col("spend", "decimal(12,2)"),
        col("currency", "string"),
        col("conversions", "int64"),
        col("ingested_at", "timestamp[us]"),
    ]),
    from_sql: "",
    shaped_by: &[],
    tags: &[],
};

// --- the RAW layer: copies of the sources in Snowflake ---------------------

#[rustfmt::skip]
static RAW_CUSTOMERS: Table = Table {
    namespace: SNOWFLAKE,
    name: "RAW.CRM.CUSTOMERS",
    description: "Daily incremental copy of crm.customers.",
    owners: &[(TEAM_CUSTOMER, "MAINTAINER")],
    columns: Columns::CopyOf(&CRM_CUSTOMERS),
    from_sql: "from crm.customers\nwhere updated_at >= '{ds}'",
    shaped_by: &[],
    tags: &[("layer", "raw")],
};

#[rustfmt::skip]
static RAW_CONSENTS: Table = Table {
    namespace: SNOWFLAKE,
    name: "RAW.CRM.CONSENTS",
    description: "Daily incremental copy of crm.consents.",
    owners: &[(TEAM_CUSTOMER, "MAINTAINER")],
    columns: Columns::CopyOf(&CRM_CONSENTS),
    from_sql: "from crm.consents\nwhere updated_at >= '{ds}'",
    shaped_by: &[],
    tags: &[("layer", "raw")],
};

#[rustfmt::skip]
static RAW_ORDERS: Table = Table {
    namespace: SNOWFLAKE,
    name: "RAW.SALES.ORDERS",
    description: "Daily incremental copy of sales.public.orders.",
    owners: &[(TEAM_SALES, "MAINTAINER")],
    columns: Columns::CopyOf(&SALES_ORDERS),
    from_sql: "from sales.public.orders\nwhere updated_at >= '{ds}'",
    shaped_by: &[],
    tags: &[("layer", "raw")],
};

#[rustfmt::skip]
static RAW_ORDER_LINES: Table = Table {
    namespace: SNOWFLAKE,
    name: "RAW.SALES.ORDER_LINES",
    description: "Daily incremental copy of sales.public.order_lines.",
    owners: &[(TEAM_SALES, "MAINTAINER")],
    columns: Columns::CopyOf(&SALES_ORDER_LINES),
    from_sql: "from sales.public.order_lines\nwhere created_at >= '{ds}'",
    shaped_by: &[],
    tags: &[("layer", "raw")],
};

#[rustfmt::skip]
static RAW_PRODUCTS: Table = Table {
    namespace: SNOWFLAKE,
    name: "RAW.PIM.PRODUCTS",
    description: "Daily full copy of pim.public.products.",
    owners: &[(TEAM_SALES, "MAINTAINER")],
    columns: Columns::CopyOf(&PIM_PRODUCTS),
    from_sql: "from pim.public.products",
    shaped_by: &[],
    tags: &[("layer", "raw")],
};

#[rustfmt::skip]
static RAW_PAYMENTS: Table = Table {
    namespace: SNOWFLAKE,
    name: "RAW.PAYMENTS.PAYMENTS",
    description: "Daily incremental copy of payments.public.payments.",
    owners: &[(TEAM_FINANCE, "MAINTAINER")],
    columns: Columns::CopyOf(&PAYMENTS),
    from_sql: "from payments.public.payments\nwhere updated_at >= '{ds}'",
    shaped_by: &[],
    tags: &[("layer", "raw"), ("pci", "in-scope")],
};

#[rustfmt::skip]
static RAW_CAMPAIGN_SPEND: Table = Table {
    namespace: SNOWFLAKE,
    name: "RAW.ADS.CAMPAIGN_SPEND",
    description: "The advertising platforms' daily spend files, loaded as they land.",
    owners: &[(TEAM_MARKETING, "MAINTAINER")],
    columns: Columns::CopyOf(&ADS_CAMPAIGN_SPEND),
    // Loaded with COPY INTO (the job's SQL), not extracted with a query.
    from_sql: "",
    shaped_by: &[],
    tags: &[("layer", "raw")],
};

// --- customer domain products ---------------------------------------------

#[rustfmt::skip]
static DIM_CUSTOMER: Table = Table {
    namespace: SNOWFLAKE,
    name: "ANALYTICS.CUSTOMER.DIM_CUSTOMER",
    description: "One row per customer, deduplicated and cleaned: contact data, address, loyalty. The customer golden record of the Customer 360 product.",
    owners: &[(TEAM_CUSTOMER, "DATA_OWNER")],
    columns: Columns::Own(&[
        out("customer_key", "VARCHAR(32)", "md5(cast(c.customer_id as varchar))", &[calc(&RAW_CUSTOMERS, "customer_id")]),
        out("customer_id", "NUMBER(38,0)", "c.customer_id", &[same(&RAW_CUSTOMERS, "customer_id")]),
        out("first_name", "VARCHAR(100)", "initcap(c.first_name)", &[calc(&RAW_CUSTOMERS, "first_name")]).about("PersonName"),
        out("last_name", "VARCHAR(100)", "initcap(c.last_name)", &[calc(&RAW_CUSTOMERS, "last_name")]).about("PersonName"),
        out("full_name", "VARCHAR(201)", "initcap(c.first_name || ' ' || c.last_name)",
            &[calc(&RAW_CUSTOMERS, "first_name"), calc(&RAW_CUSTOMERS, "last_name")]).about("PersonName"),
        out("email", "VARCHAR(255)", "lower(trim(c.email))", &[calc(&RAW_CUSTOMERS, "email")]).about("EmailAddress"),
        out("email_domain", "VARCHAR(255)", "split_part(lower(c.email), '@', 2)", &[calc(&RAW_CUSTOMERS, "email")]),
        out("phone", "VARCHAR(32)", "regexp_replace(c.phone, '[^+0-9]', '')", &[calc(&RAW_CUSTOMERS, "phone")]).about("PhoneNumber"),
        out("birth_date", "DATE", "c.birth_date", &[same(&RAW_CUSTOMERS, "birth_date")]).about("DateOfBirth"),
        out("age_band", "VARCHAR(8)", "case when datediff(year, c.birth_date, current_date) < 25 then '18-24' when datediff(year, c.birth_date, current_date) < 45 then '25-44' when datediff(year, c.birth_date, current_date) < 65 then '45-64' else '65+' end",
            &[cond(&RAW_CUSTOMERS, "birth_date")]),
        out("street", "VARCHAR(255)", "c.street", &[same(&RAW_CUSTOMERS, "street")]).about("PostalAddress"),
        out("city", "VARCHAR(100)", "c.city", &[same(&RAW_CUSTOMERS, "city")]),
        out("postal_code", "VARCHAR(16)", "upper(replace(c.postal_code, ' ', ''))", &[calc(&RAW_CUSTOMERS, "postal_code")]).about("PostalAddress"),
        out("country_code", "VARCHAR(2)", "upper(c.country_code)", &[calc(&RAW_CUSTOMERS, "country_code")]),
        out("loyalty_tier", "VARCHAR(16)", "coalesce(c.loyalty_tier, 'none')", &[calc(&RAW_CUSTOMERS, "loyalty_tier")]),
        out("loyalty_points", "NUMBER(38,0)", "c.loyalty_points", &[same(&RAW_CUSTOMERS, "loyalty_points")]),
        out("preferred_store_id", "NUMBER(38,0)", "c.preferred_store_id", &[same(&RAW_CUSTOMERS, "preferred_store_id")]),
        out("signup_channel", "VARCHAR(32)", "c.signup_channel", &[same(&RAW_CUSTOMERS, "signup_channel")]),
        out("is_active", "BOOLEAN", "not c.is_deleted", &[calc(&RAW_CUSTOMERS, "is_deleted")]),
        out("first_seen_at", "TIMESTAMP_NTZ", "c.created_at", &[same(&RAW_CUSTOMERS, "created_at")]),
        out("updated_at", "TIMESTAMP_NTZ", "c.updated_at", &[same(&RAW_CUSTOMERS, "updated_at")]),
    ]),
    from_sql: "from RAW.CRM.CUSTOMERS c\nqualify row_number() over (partition by c.customer_id order by c._loaded_at desc) = 1",
    shaped_by: &[
        window(&RAW_CUSTOMERS, "customer_id"),
        window(&RAW_CUSTOMERS, "_loaded_at"),
    ],
    tags: &[("tier", "gold"), ("pii", "true")],
};

#[rustfmt::skip]
static CUSTOMER_CONSENTS: Table = Table {
    namespace: SNOWFLAKE,
    name: "ANALYTICS.CUSTOMER.CUSTOMER_CONSENTS",
    description: "The current consent of every customer per purpose: email marketing, profiling, third-party ads. Marketing may only target customers opted in here.",
    owners: &[(LI, "DATA_OWNER"), (TEAM_CUSTOMER, "MAINTAINER")],
    columns: Columns::Own(&[
        out("customer_key", "VARCHAR(32)", "d.customer_key", &[same(&DIM_CUSTOMER, "customer_key")]),
        out("customer_id", "NUMBER(38,0)", "k.customer_id", &[same(&RAW_CONSENTS, "customer_id")]),
        out("email_marketing_opt_in", "BOOLEAN", "boolor_agg(k.purpose = 'email_marketing' and k.granted and k.withdrawn_at is null)",
            &[agg(&RAW_CONSENTS, "granted"), cond(&RAW_CONSENTS, "purpose"), cond(&RAW_CONSENTS, "withdrawn_at")]).about("MarketingConsent"),
        out("profiling_opt_in", "BOOLEAN", "boolor_agg(k.purpose = 'profiling' and k.granted and k.withdrawn_at is null)",
            &[agg(&RAW_CONSENTS, "granted"), cond(&RAW_CONSENTS, "purpose"), cond(&RAW_CONSENTS, "withdrawn_at")]).about("Consent"),
        out("third_party_ads_opt_in", "BOOLEAN", "boolor_agg(k.purpose = 'third_party_ads' and k.granted and k.withdrawn_at is null)",
            &[agg(&RAW_CONSENTS, "granted"), cond(&RAW_CONSENTS, "purpose"), cond(&RAW_CONSENTS, "withdrawn_at")]).about("MarketingConsent"),
        out("consent_channel", "VARCHAR(32)", "max_by(k.channel, k.updated_at)", &[agg(&RAW_CONSENTS, "channel")]),
        out("consent_source", "VARCHAR(32)", "max_by(k.source, k.updated_at)", &[agg(&RAW_CONSENTS, "source")]),
        out("policy_version", "VARCHAR(16)", "max(k.policy_version)", &[agg(&RAW_CONSENTS, "policy_version")]),
        out("last_granted_at", "TIMESTAMP_NTZ", "max(k.granted_at)", &[agg(&RAW_CONSENTS, "granted_at")]),
        out("last_withdrawn_at", "TIMESTAMP_NTZ", "max(k.withdrawn_at)", &[agg(&RAW_CONSENTS, "withdrawn_at")]),
        out("updated_at", "TIMESTAMP_NTZ", "max(k.updated_at)", &[agg(&RAW_CONSENTS, "updated_at")]),
    ]),
    from_sql: "from RAW.CRM.CONSENTS k\njoin ANALYTICS.CUSTOMER.DIM_CUSTOMER d on d.customer_id = k.customer_id\ngroup by d.customer_key, k.customer_id",
    shaped_by: &[
        join(&RAW_CONSENTS, "customer_id"),
        join(&DIM_CUSTOMER, "customer_id"),
        group(&DIM_CUSTOMER, "customer_key"),
        group(&RAW_CONSENTS, "customer_id"),
    ],
    tags: &[("tier", "gold"), ("gdpr", "art-7")],
};

#[rustfmt::skip]
static CUSTOMER_SEGMENTS: Table = Table {
    namespace: SNOWFLAKE,
    name: "ANALYTICS.CUSTOMER.CUSTOMER_SEGMENTS",
    description: "Daily RFM scoring of every active customer, with lifetime value and churn risk from the scoring models.",
    owners: &[(TEAM_CUSTOMER, "DATA_OWNER")],
    columns: Columns::Own(&[
        out("customer_key", "string", "d.customer_key", &[same(&DIM_CUSTOMER, "customer_key")]),
        out("customer_id", "bigint", "d.customer_id", &[same(&DIM_CUSTOMER, "customer_id")]),
        out("email_sha256", "string", "sha2(concat(d.email, :salt), 256)", &[hash(&DIM_CUSTOMER, "email")]).about("PseudonymisedIdentifier"),
        out("country_code", "string", "d.country_code", &[same(&DIM_CUSTOMER, "country_code")]),
        out("loyalty_tier", "string", "d.loyalty_tier", &[same(&DIM_CUSTOMER, "loyalty_tier")]),
        out("first_order_at", "timestamp", "min(o.ordered_at)", &[agg(&FCT_ORDERS, "ordered_at")]),
        out("last_order_at", "timestamp", "max(o.ordered_at)", &[agg(&FCT_ORDERS, "ordered_at")]),
        out("recency_days", "int", "datediff(current_date(), max(o.ordered_at))", &[agg(&FCT_ORDERS, "ordered_at")]),
        out("orders_90d", "bigint", "count(distinct o.order_id) filter (where o.ordered_at >= current_date() - interval 90 days)",
            &[agg(&FCT_ORDERS, "order_id"), cond(&FCT_ORDERS, "ordered_at")]),
        out("net_revenue_90d", "decimal(18,2)", "sum(o.net_amount) filter (where o.ordered_at >= current_date() - interval 90 days)",
            &[agg(&FCT_ORDERS, "net_amount"), cond(&FCT_ORDERS, "ordered_at")]).about("NetRevenue"),
        out("avg_order_value", "decimal(18,2)", "avg(o.net_amount)", &[agg(&FCT_ORDERS, "net_amount")]).about("AverageOrderValue"),
        out("lifetime_net_revenue", "decimal(18,2)", "sum(o.net_amount)", &[agg(&FCT_ORDERS, "net_amount")]).about("NetRevenue"),
        out("clv_estimate", "decimal(18,2)", "clv_model.predict(recency_days, orders_90d, lifetime_net_revenue)",
            &[agg(&FCT_ORDERS, "net_amount"), agg(&FCT_ORDERS, "order_id"), agg(&FCT_ORDERS, "ordered_at")]).about("CustomerLifetimeValue"),
        out("churn_risk_score", "double", "churn_model.predict_proba(recency_days, orders_90d)",
            &[agg(&FCT_ORDERS, "ordered_at"), agg(&FCT_ORDERS, "order_id")]).about("ChurnRisk"),
        out("rfm_segment", "string", "case when recency_days <= 30 and orders_90d >= 3 then 'champion' when recency_days <= 90 then 'active' when recency_days <= 365 then 'at_risk' else 'lapsed' end",
            &[cond(&FCT_ORDERS, "ordered_at"), cond(&FCT_ORDERS, "order_id")]),
        out("preferred_channel", "string", "mode(o.channel)", &[agg(&FCT_ORDERS, "channel")]),
        out("scored_at", "timestamp", "current_timestamp()", &[]),
    ]),
    from_sql: "from ANALYTICS.CUSTOMER.DIM_CUSTOMER d\nleft join ANALYTICS.SALES.FCT_ORDERS o on o.customer_key = d.customer_key\nwhere d.is_active\ngroup by d.customer_key",
    shaped_by: &[
        join(&DIM_CUSTOMER, "customer_key"),
        join(&FCT_ORDERS, "customer_key"),
        group(&DIM_CUSTOMER, "customer_key"),
        filter(&DIM_CUSTOMER, "is_active"),
    ],
    tags: &[("tier", "silver"), ("model", "rfm-v3")],
};

// --- sales domain products -------------------------------------------------

#[rustfmt::skip]
static DIM_PRODUCT: Table = Table {
    namespace: SNOWFLAKE,
    name: "ANALYTICS.SALES.DIM_PRODUCT",
    description: "The product catalogue, one row per SKU, with price band and unit cost.",
    owners: &[(TEAM_SALES, "DATA_OWNER")],
    columns: Columns::Own(&[
        out("product_key", "VARCHAR(32)", "md5(p.sku)", &[calc(&RAW_PRODUCTS, "sku")]),
        out("product_id", "NUMBER(38,0)", "p.product_id", &[same(&RAW_PRODUCTS, "product_id")]),
        out("sku", "VARCHAR(32)", "p.sku", &[same(&RAW_PRODUCTS, "sku")]),
        out("product_name", "VARCHAR(255)", "p.product_name", &[same(&RAW_PRODUCTS, "product_name")]),
        out("brand", "VARCHAR(100)", "p.brand", &[same(&RAW_PRODUCTS, "brand")]),
        out("category", "VARCHAR(64)", "initcap(p.category)", &[calc(&RAW_PRODUCTS, "category")]),
        out("subcategory", "VARCHAR(64)", "initcap(p.subcategory)", &[calc(&RAW_PRODUCTS, "subcategory")]),
        out("list_price", "NUMBER(12,2)", "p.list_price", &[same(&RAW_PRODUCTS, "list_price")]),
        out("unit_cost", "NUMBER(12,4)", "p.unit_cost", &[same(&RAW_PRODUCTS, "unit_cost")]).about("CostOfGoodsSold"),
        out("currency", "VARCHAR(3)", "p.currency", &[same(&RAW_PRODUCTS, "currency")]),
        out("weight_grams", "NUMBER(38,0)", "p.weight_grams", &[same(&RAW_PRODUCTS, "weight_grams")]),
        out("is_active", "BOOLEAN", "p.is_active", &[same(&RAW_PRODUCTS, "is_active")]),
        out("launched_on", "DATE", "p.launched_on", &[same(&RAW_PRODUCTS, "launched_on")]),
        out("supplier_id", "NUMBER(38,0)", "p.supplier_id", &[same(&RAW_PRODUCTS, "supplier_id")]),
        out("price_band", "VARCHAR(8)", "case when p.list_price < 20 then 'entry' when p.list_price < 100 then 'core' else 'premium' end",
            &[cond(&RAW_PRODUCTS, "list_price")]),
        out("updated_at", "TIMESTAMP_TZ", "p.updated_at", &[same(&RAW_PRODUCTS, "updated_at")]),
    ]),
    from_sql: "from RAW.PIM.PRODUCTS p\nqualify row_number() over (partition by p.product_id order by p._loaded_at desc) = 1",
    shaped_by: &[
        window(&RAW_PRODUCTS, "product_id"),
        window(&RAW_PRODUCTS, "_loaded_at"),
    ],
    tags: &[("tier", "gold")],
};

#[rustfmt::skip]
static FCT_ORDERS: Table = Table {
    namespace: SNOWFLAKE,
    name: "ANALYTICS.SALES.FCT_ORDERS",
    description: "One row per order of every channel, with its customer and its gross, discount, tax and net amounts. Test orders are left out.",
    owners: &[(TEAM_SALES, "DATA_OWNER")],
    columns: Columns::Own(&[
        out("order_id", "NUMBER(38,0)", "o.order_id", &[same(&RAW_ORDERS, "order_id")]),
        out("order_number", "VARCHAR(20)", "o.order_number", &[same(&RAW_ORDERS, "order_number")]),
        out("customer_key", "VARCHAR(32)", "d.customer_key", &[same(&DIM_CUSTOMER, "customer_key")]),
        out("customer_id", "NUMBER(38,0)", "o.customer_id", &[same(&RAW_ORDERS, "customer_id")]),
        out("store_id", "NUMBER(38,0)", "o.store_id", &[same(&RAW_ORDERS, "store_id")]),
        out("channel", "VARCHAR(16)", "lower(o.channel)", &[calc(&RAW_ORDERS, "channel")]),
        out("order_status", "VARCHAR(16)", "o.status", &[same(&RAW_ORDERS, "status")]),
        out("currency", "VARCHAR(3)", "o.currency", &[same(&RAW_ORDERS, "currency")]),
        out("payment_method", "VARCHAR(16)", "o.payment_method", &[same(&RAW_ORDERS, "payment_method")]),
        out("coupon_code", "VARCHAR(32)", "o.coupon_code", &[same(&RAW_ORDERS, "coupon_code")]),
        out("campaign_id", "VARCHAR(64)", "o.campaign_id", &[same(&RAW_ORDERS, "campaign_id")]),
        out("ship_to_postal_code", "VARCHAR(16)", "o.shipping_postal_code", &[same(&RAW_ORDERS, "shipping_postal_code")]).about("PostalAddress"),
        out("ship_to_country_code", "VARCHAR(2)", "o.shipping_country_code", &[same(&RAW_ORDERS, "shipping_country_code")]),
        out("item_count", "NUMBER(38,0)", "sum(l.quantity)", &[agg(&RAW_ORDER_LINES, "quantity")]),
        out("gross_amount", "NUMBER(18,2)", "sum(l.quantity * l.unit_price)",
            &[agg(&RAW_ORDER_LINES, "quantity"), agg(&RAW_ORDER_LINES, "unit_price")]).about("GrossRevenue"),
        out("discount_amount", "NUMBER(18,2)", "sum(l.discount_amount)", &[agg(&RAW_ORDER_LINES, "discount_amount")]),
        out("tax_amount", "NUMBER(18,2)", "o.tax_amount", &[same(&RAW_ORDERS, "tax_amount")]).about("TaxAmount"),
        out("shipping_amount", "NUMBER(18,2)", "o.shipping_amount", &[same(&RAW_ORDERS, "shipping_amount")]),
        out("net_amount", "NUMBER(18,2)", "sum((l.quantity * l.unit_price - l.discount_amount) / (1 + l.tax_rate))",
            &[
                agg(&RAW_ORDER_LINES, "quantity"),
                agg(&RAW_ORDER_LINES, "unit_price"),
                agg(&RAW_ORDER_LINES, "discount_amount"),
                agg(&RAW_ORDER_LINES, "tax_rate"),
            ]).about("NetRevenue"),
        out("ordered_at", "TIMESTAMP_TZ", "o.ordered_at", &[same(&RAW_ORDERS, "ordered_at")]),
        out("ordered_date", "DATE", "to_date(o.ordered_at)", &[calc(&RAW_ORDERS, "ordered_at")]),
        out("updated_at", "TIMESTAMP_TZ", "greatest(o.updated_at, max(l.created_at))", &[calc(&RAW_ORDERS, "updated_at"), agg(&RAW_ORDER_LINES, "created_at")]),
    ]),
    from_sql: "from RAW.SALES.ORDERS o\njoin RAW.SALES.ORDER_LINES l on l.order_id = o.order_id and l.line_status <> 'cancelled'\nleft join ANALYTICS.CUSTOMER.DIM_CUSTOMER d on d.customer_id = o.customer_id\nwhere o.status <> 'test'\ngroup by all",
    shaped_by: &[
        join(&RAW_ORDERS, "order_id"),
        join(&RAW_ORDER_LINES, "order_id"),
        join(&RAW_ORDERS, "customer_id"),
        join(&DIM_CUSTOMER, "customer_id"),
        group(&RAW_ORDERS, "order_id"),
        filter(&RAW_ORDERS, "status"),
        filter(&RAW_ORDER_LINES, "line_status"),
    ],
    tags: &[("tier", "gold")],
};

#[rustfmt::skip]
static FCT_ORDER_LINES: Table = Table {
    namespace: SNOWFLAKE,
    name: "ANALYTICS.SALES.FCT_ORDER_LINES",
    description: "One row per order line with its product, amounts (gross, net of discount and tax), cost and margin.",
    owners: &[(TEAM_SALES, "DATA_OWNER")],
    columns: Columns::Own(&[
        out("order_line_id", "NUMBER(38,0)", "l.order_line_id", &[same(&RAW_ORDER_LINES, "order_line_id")]),
        out("order_id", "NUMBER(38,0)", "l.order_id", &[same(&RAW_ORDER_LINES, "order_id")]),
        out("line_number", "NUMBER(38,0)", "l.line_number", &[same(&RAW_ORDER_LINES, "line_number")]),
        out("product_id", "NUMBER(38,0)", "l.product_id", &[same(&RAW_ORDER_LINES, "product_id")]),
        out("sku", "VARCHAR(32)", "l.sku", &[same(&RAW_ORDER_LINES, "sku")]),
        out("product_name", "VARCHAR(255)", "p.product_name", &[same(&DIM_PRODUCT, "product_name")]),
        out("category", "VARCHAR(64)", "p.category", &[same(&DIM_PRODUCT, "category")]),
        out("brand", "VARCHAR(100)", "p.brand", &[same(&DIM_PRODUCT, "brand")]),
        out("store_id", "NUMBER(38,0)", "o.store_id", &[same(&RAW_ORDERS, "store_id")]),
        out("channel", "VARCHAR(16)", "lower(o.channel)", &[calc(&RAW_ORDERS, "channel")]),
        out("quantity", "NUMBER(38,0)", "l.quantity", &[same(&RAW_ORDER_LINES, "quantity")]),
        out("unit_price", "NUMBER(12,2)", "l.unit_price", &[same(&RAW_ORDER_LINES, "unit_price")]),
        out("gross_line_amount", "NUMBER(18,2)", "l.quantity * l.unit_price",
            &[calc(&RAW_ORDER_LINES, "quantity"), calc(&RAW_ORDER_LINES, "unit_price")]).about("GrossRevenue"),
        out("discount_amount", "NUMBER(12,2)", "l.discount_amount", &[same(&RAW_ORDER_LINES, "discount_amount")]),
        out("net_line_amount", "NUMBER(18,2)", "(l.quantity * l.unit_price - l.discount_amount) / (1 + l.tax_rate)",
            &[
                calc(&RAW_ORDER_LINES, "quantity"),
                calc(&RAW_ORDER_LINES, "unit_price"),
                calc(&RAW_ORDER_LINES, "discount_amount"),
                calc(&RAW_ORDER_LINES, "tax_rate"),
            ]).about("NetRevenue"),
        out("tax_amount", "NUMBER(18,2)", "(l.quantity * l.unit_price - l.discount_amount) * l.tax_rate / (1 + l.tax_rate)",
            &[
                calc(&RAW_ORDER_LINES, "quantity"),
                calc(&RAW_ORDER_LINES, "unit_price"),
                calc(&RAW_ORDER_LINES, "discount_amount"),
                calc(&RAW_ORDER_LINES, "tax_rate"),
            ]).about("TaxAmount"),
        out("unit_cost", "NUMBER(12,4)", "p.unit_cost", &[same(&DIM_PRODUCT, "unit_cost")]).about("CostOfGoodsSold"),
        out("line_margin", "NUMBER(18,2)", "(l.quantity * l.unit_price - l.discount_amount) / (1 + l.tax_rate) - l.quantity * p.unit_cost",
            &[
                calc(&RAW_ORDER_LINES, "quantity"),
                calc(&RAW_ORDER_LINES, "unit_price"),
                calc(&RAW_ORDER_LINES, "discount_amount"),
                calc(&RAW_ORDER_LINES, "tax_rate"),
                calc(&DIM_PRODUCT, "unit_cost"),
            ]).about("GrossMargin"),
        out("line_status", "VARCHAR(16)", "l.line_status", &[same(&RAW_ORDER_LINES, "line_status")]),
        out("ordered_at", "TIMESTAMP_TZ", "o.ordered_at", &[same(&RAW_ORDERS, "ordered_at")]),
        out("ordered_date", "DATE", "to_date(o.ordered_at)", &[calc(&RAW_ORDERS, "ordered_at")]),
    ]),
    from_sql: "from RAW.SALES.ORDER_LINES l\njoin RAW.SALES.ORDERS o on o.order_id = l.order_id\nleft join ANALYTICS.SALES.DIM_PRODUCT p on p.product_id = l.product_id\nwhere o.status <> 'test'",
    shaped_by: &[
        join(&RAW_ORDER_LINES, "order_id"),
        join(&RAW_ORDERS, "order_id"),
        join(&RAW_ORDER_LINES, "product_id"),
        join(&DIM_PRODUCT, "product_id"),
        filter(&RAW_ORDERS, "status"),
    ],
    tags: &[("tier", "gold")],
};

#[rustfmt::skip]
static AGG_DAILY_SALES: Table = Table {
    namespace: SNOWFLAKE,
    name: "ANALYTICS.SALES.AGG_DAILY_SALES",
    description: "Sales per day, store, channel, country and category: orders, customers, units, revenue and margin. The numbers of the daily sales report.",
    owners: &[(ANNA, "DATA_OWNER"), (TEAM_SALES, "MAINTAINER")],
    columns: Columns::Own(&[
        out("sales_date", "DATE", "l.ordered_date", &[same(&FCT_ORDER_LINES, "ordered_date")]),
        out("store_id", "NUMBER(38,0)", "l.store_id", &[same(&FCT_ORDER_LINES, "store_id")]),
        out("channel", "VARCHAR(16)", "l.channel", &[same(&FCT_ORDER_LINES, "channel")]),
        out("country_code", "VARCHAR(2)", "o.ship_to_country_code", &[same(&FCT_ORDERS, "ship_to_country_code")]),
        out("category", "VARCHAR(64)", "l.category", &[same(&FCT_ORDER_LINES, "category")]),
        out("orders_count", "NUMBER(38,0)", "count(distinct l.order_id)", &[agg(&FCT_ORDER_LINES, "order_id")]),
        out("customers_count", "NUMBER(38,0)", "count(distinct o.customer_key)", &[agg(&FCT_ORDERS, "customer_key")]),
        out("units_sold", "NUMBER(38,0)", "sum(l.quantity)", &[agg(&FCT_ORDER_LINES, "quantity")]),
        out("gross_revenue", "NUMBER(18,2)", "sum(l.gross_line_amount)", &[agg(&FCT_ORDER_LINES, "gross_line_amount")]).about("GrossRevenue"),
        out("discount_amount", "NUMBER(18,2)", "sum(l.discount_amount)", &[agg(&FCT_ORDER_LINES, "discount_amount")]),
        out("net_revenue", "NUMBER(18,2)", "sum(l.net_line_amount)", &[agg(&FCT_ORDER_LINES, "net_line_amount")]).about("NetRevenue"),
        out("tax_amount", "NUMBER(18,2)", "sum(l.tax_amount)", &[agg(&FCT_ORDER_LINES, "tax_amount")]).about("TaxAmount"),
        out("gross_margin", "NUMBER(18,2)", "sum(l.line_margin)", &[agg(&FCT_ORDER_LINES, "line_margin")]).about("GrossMargin"),
        out("avg_basket_value", "NUMBER(18,2)", "sum(l.net_line_amount) / count(distinct l.order_id)",
            &[agg(&FCT_ORDER_LINES, "net_line_amount"), agg(&FCT_ORDER_LINES, "order_id")]).about("AverageOrderValue"),
    ]),
    from_sql: "from ANALYTICS.SALES.FCT_ORDER_LINES l\njoin ANALYTICS.SALES.FCT_ORDERS o on o.order_id = l.order_id\nwhere l.line_status <> 'cancelled'\ngroup by 1, 2, 3, 4, 5",
    shaped_by: &[
        join(&FCT_ORDER_LINES, "order_id"),
        join(&FCT_ORDERS, "order_id"),
        group(&FCT_ORDER_LINES, "ordered_date"),
        group(&FCT_ORDER_LINES, "store_id"),
        group(&FCT_ORDER_LINES, "channel"),
        group(&FCT_ORDERS, "ship_to_country_code"),
        group(&FCT_ORDER_LINES, "category"),
        filter(&FCT_ORDER_LINES, "line_status"),
    ],
    tags: &[("tier", "gold"), ("report", "daily-sales")],
};

// --- fulfilment domain products --------------------------------------------

#[rustfmt::skip]
static FCT_SHIPMENTS: Table = Table {
    namespace: SNOWFLAKE,
    name: "ANALYTICS.FULFILMENT.FCT_SHIPMENTS",
    description: "One row per shipment with its order, carrier, promised and actual times and lead time. Recipient names are hashed, street addresses left out.",
    owners: &[(TEAM_FULFILMENT, "DATA_OWNER")],
    columns: Columns::Own(&[
        out("shipment_id", "bigint", "s.shipment_id", &[same(&WMS_SHIPMENTS, "shipment_id")]),
        out("order_id", "bigint", "s.order_id", &[same(&WMS_SHIPMENTS, "order_id")]),
        out("customer_key", "string", "o.customer_key", &[same(&FCT_ORDERS, "customer_key")]),
        out("warehouse_id", "int", "s.warehouse_id", &[same(&WMS_SHIPMENTS, "warehouse_id")]),
        out("carrier", "string", "s.carrier", &[same(&WMS_SHIPMENTS, "carrier")]),
        out("service_level", "string", "s.service_level", &[same(&WMS_SHIPMENTS, "service_level")]),
        out("tracking_number", "string", "s.tracking_number", &[same(&WMS_SHIPMENTS, "tracking_number")]),
        out("recipient_name_hash", "string", "sha2(s.recipient_name, 256)", &[hash(&WMS_SHIPMENTS, "recipient_name")]).about("PseudonymisedIdentifier"),
        out("ship_to_postal_code", "string", "s.ship_to_postal_code", &[same(&WMS_SHIPMENTS, "ship_to_postal_code")]).about("PostalAddress"),
        out("ship_to_city", "string", "s.ship_to_city", &[same(&WMS_SHIPMENTS, "ship_to_city")]),
        out("ship_to_country_code", "string", "s.ship_to_country_code", &[same(&WMS_SHIPMENTS, "ship_to_country_code")]),
        out("parcel_count", "int", "s.parcel_count", &[same(&WMS_SHIPMENTS, "parcel_count")]),
        out("weight_kg", "decimal(10,3)", "s.weight_grams / 1000", &[calc(&WMS_SHIPMENTS, "weight_grams")]),
        out("shipping_cost", "decimal(10,2)", "s.shipping_cost", &[same(&WMS_SHIPMENTS, "shipping_cost")]).about("ShippingCost"),
        out("shipment_status", "string", "s.status", &[same(&WMS_SHIPMENTS, "status")]),
        out("order_channel", "string", "o.channel", &[same(&FCT_ORDERS, "channel")]),
        out("ordered_at", "timestamp", "o.ordered_at", &[same(&FCT_ORDERS, "ordered_at")]),
        out("promised_at", "timestamp", "s.promised_at", &[same(&WMS_SHIPMENTS, "promised_at")]),
        out("shipped_at", "timestamp", "s.shipped_at", &[same(&WMS_SHIPMENTS, "shipped_at")]),
        out("delivered_at", "timestamp", "s.delivered_at", &[same(&WMS_SHIPMENTS, "delivered_at")]),
        out("lead_time_hours", "double", "(unix_timestamp(s.delivered_at) - unix_timestamp(o.ordered_at)) / 3600",
            &[calc(&WMS_SHIPMENTS, "delivered_at"), calc(&FCT_ORDERS, "ordered_at")]).about("DeliveryLeadTime"),
        out("is_late", "boolean", "s.delivered_at > s.promised_at", &[calc(&WMS_SHIPMENTS, "delivered_at"), calc(&WMS_SHIPMENTS, "promised_at")]),
    ]),
    from_sql: "",
    shaped_by: &[
        join(&WMS_SHIPMENTS, "order_id"),
        join(&FCT_ORDERS, "order_id"),
        filter(&WMS_SHIPMENTS, "status"),
    ],
    tags: &[("tier", "gold")],
};

#[rustfmt::skip]
static AGG_DELIVERY_PERFORMANCE: Table = Table {
    namespace: SNOWFLAKE,
    name: "ANALYTICS.FULFILMENT.AGG_DELIVERY_PERFORMANCE",
    description: "Delivery performance per ship date, warehouse, carrier, service level and country: on-time rate, lead times, shipping cost.",
    owners: &[(TEAM_FULFILMENT, "DATA_OWNER")],
    columns: Columns::Own(&[
        out("ship_date", "DATE", "to_date(s.shipped_at)", &[calc(&FCT_SHIPMENTS, "shipped_at")]),
        out("warehouse_id", "NUMBER(38,0)", "s.warehouse_id", &[same(&FCT_SHIPMENTS, "warehouse_id")]),
        out("carrier", "VARCHAR(32)", "s.carrier", &[same(&FCT_SHIPMENTS, "carrier")]),
        out("service_level", "VARCHAR(16)", "s.service_level", &[same(&FCT_SHIPMENTS, "service_level")]),
        out("ship_to_country_code", "VARCHAR(2)", "s.ship_to_country_code", &[same(&FCT_SHIPMENTS, "ship_to_country_code")]),
        out("shipments_count", "NUMBER(38,0)", "count(s.shipment_id)", &[agg(&FCT_SHIPMENTS, "shipment_id")]),
        out("delivered_count", "NUMBER(38,0)", "count(s.delivered_at)", &[agg(&FCT_SHIPMENTS, "delivered_at")]),
        out("late_count", "NUMBER(38,0)", "count_if(s.is_late)", &[agg(&FCT_SHIPMENTS, "is_late")]),
        out("on_time_rate", "FLOAT", "1 - count_if(s.is_late) / nullif(count(s.delivered_at), 0)",
            &[agg(&FCT_SHIPMENTS, "is_late"), agg(&FCT_SHIPMENTS, "delivered_at")]).about("OnTimeDeliveryRate"),
        out("avg_lead_time_hours", "FLOAT", "avg(s.lead_time_hours)", &[agg(&FCT_SHIPMENTS, "lead_time_hours")]).about("DeliveryLeadTime"),
        out("p95_lead_time_hours", "FLOAT", "percentile_cont(0.95) within group (order by s.lead_time_hours)",
            &[agg(&FCT_SHIPMENTS, "lead_time_hours")]).about("DeliveryLeadTime"),
        out("total_shipping_cost", "NUMBER(18,2)", "sum(s.shipping_cost)", &[agg(&FCT_SHIPMENTS, "shipping_cost")]).about("ShippingCost"),
        out("avg_shipping_cost_per_parcel", "NUMBER(18,2)", "sum(s.shipping_cost) / nullif(sum(s.parcel_count), 0)",
            &[agg(&FCT_SHIPMENTS, "shipping_cost"), agg(&FCT_SHIPMENTS, "parcel_count")]),
    ]),
    from_sql: "from ANALYTICS.FULFILMENT.FCT_SHIPMENTS s\nwhere s.shipped_at is not null\ngroup by 1, 2, 3, 4, 5",
    shaped_by: &[
        group(&FCT_SHIPMENTS, "shipped_at"),
        group(&FCT_SHIPMENTS, "warehouse_id"),
        group(&FCT_SHIPMENTS, "carrier"),
        group(&FCT_SHIPMENTS, "service_level"),
        group(&FCT_SHIPMENTS, "ship_to_country_code"),
        filter(&FCT_SHIPMENTS, "shipped_at"),
    ],
    tags: &[("tier", "silver")],
};

#[rustfmt::skip]
static INVENTORY_SNAPSHOT: Table = Table {
    namespace: LAKE,
    name: "curated/fulfilment/inventory_snapshot",
    description: "Daily stock snapshot per warehouse and product: available units, days of cover from the last 28 days of sales, stock value at cost, reorder flag (Parquet).",
    owners: &[(TEAM_FULFILMENT, "DATA_OWNER")],
    columns: Columns::Own(&[
        out("snapshot_date", "date", "current_date()", &[]),
        out("warehouse_id", "int", "k.warehouse_id", &[same(&WMS_STOCK_LEVELS, "warehouse_id")]),
        out("product_id", "bigint", "k.product_id", &[same(&WMS_STOCK_LEVELS, "product_id")]),
        out("sku", "string", "k.sku", &[same(&WMS_STOCK_LEVELS, "sku")]),
        out("product_name", "string", "p.product_name", &[same(&DIM_PRODUCT, "product_name")]),
        out("category", "string", "p.category", &[same(&DIM_PRODUCT, "category")]),
        out("on_hand", "int", "k.on_hand", &[same(&WMS_STOCK_LEVELS, "on_hand")]),
        out("reserved", "int", "k.reserved", &[same(&WMS_STOCK_LEVELS, "reserved")]),
        out("available", "int", "k.on_hand - k.reserved", &[calc(&WMS_STOCK_LEVELS, "on_hand"), calc(&WMS_STOCK_LEVELS, "reserved")]),
        out("in_transit", "int", "k.in_transit", &[same(&WMS_STOCK_LEVELS, "in_transit")]),
        out("reorder_point", "int", "k.reorder_point", &[same(&WMS_STOCK_LEVELS, "reorder_point")]),
        out("needs_reorder", "boolean", "k.on_hand - k.reserved + k.in_transit <= k.reorder_point",
            &[
                calc(&WMS_STOCK_LEVELS, "on_hand"),
                calc(&WMS_STOCK_LEVELS, "reserved"),
                calc(&WMS_STOCK_LEVELS, "in_transit"),
                calc(&WMS_STOCK_LEVELS, "reorder_point"),
            ]),
        out("units_sold_28d", "bigint", "sum(l.quantity)", &[agg(&FCT_ORDER_LINES, "quantity"), cond(&FCT_ORDER_LINES, "ordered_date")]),
        out("days_of_cover", "double", "(k.on_hand - k.reserved) / (sum(l.quantity) / 28)",
            &[calc(&WMS_STOCK_LEVELS, "on_hand"), calc(&WMS_STOCK_LEVELS, "reserved"), agg(&FCT_ORDER_LINES, "quantity")]),
        out("stock_value", "decimal(18,2)", "(k.on_hand - k.reserved) * p.unit_cost",
            &[calc(&WMS_STOCK_LEVELS, "on_hand"), calc(&WMS_STOCK_LEVELS, "reserved"), calc(&DIM_PRODUCT, "unit_cost")]).about("InventoryValue"),
        out("last_counted_at", "timestamp", "k.last_counted_at", &[same(&WMS_STOCK_LEVELS, "last_counted_at")]),
    ]),
    from_sql: "",
    shaped_by: &[
        join(&WMS_STOCK_LEVELS, "product_id"),
        join(&DIM_PRODUCT, "product_id"),
        join(&FCT_ORDER_LINES, "product_id"),
        group(&FCT_ORDER_LINES, "product_id"),
        filter(&FCT_ORDER_LINES, "ordered_date"),
        filter(&DIM_PRODUCT, "is_active"),
    ],
    tags: &[("tier", "silver"), ("format", "parquet")],
};

// --- finance domain products -----------------------------------------------

#[rustfmt::skip]
static FCT_PAYMENTS: Table = Table {
    namespace: SNOWFLAKE,
    name: "ANALYTICS.FINANCE.FCT_PAYMENTS",
    description: "One row per payment with its order and customer: amounts captured and refunded, method and card brand. Only the last four card digits are kept; card token and billing email are hashed.",
    owners: &[(TEAM_FINANCE, "DATA_OWNER")],
    columns: Columns::Own(&[
        out("payment_id", "VARCHAR(36)", "p.payment_id", &[same(&RAW_PAYMENTS, "payment_id")]),
        out("order_id", "NUMBER(38,0)", "p.order_id", &[same(&RAW_PAYMENTS, "order_id")]),
        out("customer_key", "VARCHAR(32)", "o.customer_key", &[same(&FCT_ORDERS, "customer_key")]),
        out("psp_reference", "VARCHAR(64)", "p.psp_reference", &[same(&RAW_PAYMENTS, "psp_reference")]),
        out("payment_method", "VARCHAR(16)", "lower(p.method)", &[calc(&RAW_PAYMENTS, "method")]),
        out("card_brand", "VARCHAR(16)", "p.card_brand", &[same(&RAW_PAYMENTS, "card_brand")]),
        out("card_last4", "VARCHAR(4)", "p.card_last4", &[same(&RAW_PAYMENTS, "card_last4")]).about("PaymentCardNumber"),
        out("card_fingerprint", "VARCHAR(64)", "sha2(p.card_token, 256)", &[hash(&RAW_PAYMENTS, "card_token")]).about("PseudonymisedIdentifier"),
        out("billing_email_hash", "VARCHAR(64)", "sha2(lower(trim(p.billing_email)), 256)", &[hash(&RAW_PAYMENTS, "billing_email")]).about("PseudonymisedIdentifier"),
        out("amount", "NUMBER(12,2)", "p.amount", &[same(&RAW_PAYMENTS, "amount")]),
        out("currency", "VARCHAR(3)", "p.currency", &[same(&RAW_PAYMENTS, "currency")]),
        out("refunded_amount", "NUMBER(12,2)", "coalesce(p.refunded_amount, 0)", &[calc(&RAW_PAYMENTS, "refunded_amount")]),
        out("net_collected", "NUMBER(12,2)", "p.amount - coalesce(p.refunded_amount, 0)",
            &[calc(&RAW_PAYMENTS, "amount"), calc(&RAW_PAYMENTS, "refunded_amount")]).about("CashCollected"),
        out("payment_status", "VARCHAR(16)", "p.status", &[same(&RAW_PAYMENTS, "status")]),
        out("captured_at", "TIMESTAMP_TZ", "p.captured_at", &[same(&RAW_PAYMENTS, "captured_at")]),
        out("captured_date", "DATE", "to_date(p.captured_at)", &[calc(&RAW_PAYMENTS, "captured_at")]),
        out("order_channel", "VARCHAR(16)", "o.channel", &[same(&FCT_ORDERS, "channel")]),
    ]),
    from_sql: "from RAW.PAYMENTS.PAYMENTS p\njoin ANALYTICS.SALES.FCT_ORDERS o on o.order_id = p.order_id\nwhere p.status in ('captured', 'refunded', 'partially_refunded')",
    shaped_by: &[
        join(&RAW_PAYMENTS, "order_id"),
        join(&FCT_ORDERS, "order_id"),
        filter(&RAW_PAYMENTS, "status"),
    ],
    tags: &[("tier", "gold"), ("pci", "out-of-scope")],
};

#[rustfmt::skip]
static FCT_REVENUE: Table = Table {
    namespace: SNOWFLAKE,
    name: "ANALYTICS.FINANCE.FCT_REVENUE",
    description: "Revenue per order line as finance books it: gross, net, tax, cost of goods sold, margin, allocated shipping cost, refunds, and the revenue recognised once the goods are delivered (IFRS 15).",
    owners: &[(TOM, "DATA_OWNER"), (TEAM_FINANCE, "MAINTAINER")],
    columns: Columns::Own(&[
        out("revenue_date", "DATE", "coalesce(to_date(s.delivered_at), l.ordered_date)", &[calc(&FCT_SHIPMENTS, "delivered_at"), calc(&FCT_ORDER_LINES, "ordered_date")]),
        out("order_id", "NUMBER(38,0)", "l.order_id", &[same(&FCT_ORDER_LINES, "order_id")]),
        out("order_line_id", "NUMBER(38,0)", "l.order_line_id", &[same(&FCT_ORDER_LINES, "order_line_id")]),
        out("product_id", "NUMBER(38,0)", "l.product_id", &[same(&FCT_ORDER_LINES, "product_id")]),
        out("category", "VARCHAR(64)", "l.category", &[same(&FCT_ORDER_LINES, "category")]),
        out("channel", "VARCHAR(16)", "l.channel", &[same(&FCT_ORDER_LINES, "channel")]),
        out("store_id", "NUMBER(38,0)", "l.store_id", &[same(&FCT_ORDER_LINES, "store_id")]),
        out("currency", "VARCHAR(3)", "p.currency", &[same(&FCT_PAYMENTS, "currency")]),
        out("gross_revenue", "NUMBER(18,2)", "l.gross_line_amount", &[same(&FCT_ORDER_LINES, "gross_line_amount")]).about("GrossRevenue"),
        out("discount_amount", "NUMBER(18,2)", "l.discount_amount", &[same(&FCT_ORDER_LINES, "discount_amount")]),
        out("net_revenue", "NUMBER(18,2)", "l.net_line_amount", &[same(&FCT_ORDER_LINES, "net_line_amount")]).about("NetRevenue"),
        out("tax_amount", "NUMBER(18,2)", "l.tax_amount", &[same(&FCT_ORDER_LINES, "tax_amount")]).about("TaxAmount"),
        out("cogs", "NUMBER(18,2)", "l.quantity * l.unit_cost", &[calc(&FCT_ORDER_LINES, "quantity"), calc(&FCT_ORDER_LINES, "unit_cost")]).about("CostOfGoodsSold"),
        out("gross_margin", "NUMBER(18,2)", "l.line_margin", &[same(&FCT_ORDER_LINES, "line_margin")]).about("GrossMargin"),
        out("allocated_shipping_cost", "NUMBER(18,2)", "s.shipping_cost * l.net_line_amount / sum(l.net_line_amount) over (partition by l.order_id)",
            &[calc(&FCT_SHIPMENTS, "shipping_cost"), calc(&FCT_ORDER_LINES, "net_line_amount")]).about("ShippingCost"),
        out("refunded_amount", "NUMBER(18,2)", "p.refunded_amount * l.net_line_amount / sum(l.net_line_amount) over (partition by l.order_id)",
            &[calc(&FCT_PAYMENTS, "refunded_amount"), calc(&FCT_ORDER_LINES, "net_line_amount")]),
        out("recognised_revenue", "NUMBER(18,2)", "case when s.delivered_at is not null then l.net_line_amount - p.refunded_amount * l.net_line_amount / sum(l.net_line_amount) over (partition by l.order_id) else 0 end",
            &[
                calc(&FCT_ORDER_LINES, "net_line_amount"),
                calc(&FCT_PAYMENTS, "refunded_amount"),
                cond(&FCT_SHIPMENTS, "delivered_at"),
            ]).about("RecognisedRevenue"),
        out("recognition_status", "VARCHAR(16)", "case when p.payment_status = 'refunded' then 'reversed' when s.delivered_at is not null then 'recognised' else 'deferred' end",
            &[cond(&FCT_SHIPMENTS, "delivered_at"), cond(&FCT_PAYMENTS, "payment_status")]),
    ]),
    from_sql: "from ANALYTICS.SALES.FCT_ORDER_LINES l\njoin ANALYTICS.FINANCE.FCT_PAYMENTS p on p.order_id = l.order_id\nleft join ANALYTICS.FULFILMENT.FCT_SHIPMENTS s on s.order_id = l.order_id\nwhere p.payment_status <> 'failed'",
    shaped_by: &[
        join(&FCT_ORDER_LINES, "order_id"),
        join(&FCT_PAYMENTS, "order_id"),
        join(&FCT_SHIPMENTS, "order_id"),
        filter(&FCT_PAYMENTS, "payment_status"),
    ],
    tags: &[("tier", "gold"), ("sox", "in-scope")],
};

// --- marketing domain products ---------------------------------------------

#[rustfmt::skip]
static FCT_CAMPAIGN_PERFORMANCE: Table = Table {
    namespace: SNOWFLAKE,
    name: "ANALYTICS.MARKETING.FCT_CAMPAIGN_PERFORMANCE",
    description: "Campaign performance per day: spend, clicks, the orders and net revenue attributed to the campaign (last paid click), new customers, ROAS and CPA.",
    owners: &[(TEAM_MARKETING, "DATA_OWNER")],
    columns: Columns::Own(&[
        out("performance_date", "DATE", "a.report_date", &[same(&RAW_CAMPAIGN_SPEND, "report_date")]),
        out("platform", "VARCHAR", "a.platform", &[same(&RAW_CAMPAIGN_SPEND, "platform")]),
        out("campaign_id", "VARCHAR", "a.campaign_id", &[same(&RAW_CAMPAIGN_SPEND, "campaign_id")]),
        out("campaign_name", "VARCHAR", "a.campaign_name", &[same(&RAW_CAMPAIGN_SPEND, "campaign_name")]),
        out("impressions", "NUMBER(38,0)", "sum(a.impressions)", &[agg(&RAW_CAMPAIGN_SPEND, "impressions")]),
        out("clicks", "NUMBER(38,0)", "sum(a.clicks)", &[agg(&RAW_CAMPAIGN_SPEND, "clicks")]),
        out("spend", "NUMBER(12,2)", "sum(a.spend)", &[agg(&RAW_CAMPAIGN_SPEND, "spend")]).about("AdSpend"),
        out("currency", "VARCHAR", "a.currency", &[same(&RAW_CAMPAIGN_SPEND, "currency")]),
        out("click_through_rate", "FLOAT", "sum(a.clicks) / nullif(sum(a.impressions), 0)",
            &[agg(&RAW_CAMPAIGN_SPEND, "clicks"), agg(&RAW_CAMPAIGN_SPEND, "impressions")]).about("ClickThroughRate"),
        out("attributed_orders", "NUMBER(38,0)", "count(distinct o.order_id)", &[agg(&FCT_ORDERS, "order_id")]),
        out("attributed_net_revenue", "NUMBER(18,2)", "sum(o.net_amount)", &[agg(&FCT_ORDERS, "net_amount")]).about("NetRevenue"),
        out("new_customers", "NUMBER(38,0)", "count(distinct case when to_date(c.first_order_at) = a.report_date then o.customer_key end)",
            &[agg(&FCT_ORDERS, "customer_key"), cond(&CUSTOMER_SEGMENTS, "first_order_at")]),
        out("return_on_ad_spend", "FLOAT", "sum(o.net_amount) / nullif(sum(a.spend), 0)",
            &[agg(&FCT_ORDERS, "net_amount"), agg(&RAW_CAMPAIGN_SPEND, "spend")]).about("ReturnOnAdSpend"),
        out("cost_per_acquisition", "NUMBER(18,2)", "sum(a.spend) / nullif(count(distinct case when to_date(c.first_order_at) = a.report_date then o.customer_key end), 0)",
            &[
                agg(&RAW_CAMPAIGN_SPEND, "spend"),
                agg(&FCT_ORDERS, "customer_key"),
                cond(&CUSTOMER_SEGMENTS, "first_order_at"),
            ]).about("CostPerAcquisition"),
    ]),
    from_sql: "from RAW.ADS.CAMPAIGN_SPEND a\nleft join ANALYTICS.SALES.FCT_ORDERS o on o.campaign_id = a.campaign_id and o.ordered_date = a.report_date\nleft join ANALYTICS.CUSTOMER.CUSTOMER_SEGMENTS c on c.customer_key = o.customer_key\ngroup by 1, 2, 3, 4, 8",
    shaped_by: &[
        join(&RAW_CAMPAIGN_SPEND, "campaign_id"),
        join(&FCT_ORDERS, "campaign_id"),
        join(&RAW_CAMPAIGN_SPEND, "report_date"),
        join(&FCT_ORDERS, "ordered_date"),
        join(&FCT_ORDERS, "customer_key"),
        join(&CUSTOMER_SEGMENTS, "customer_key"),
        group(&RAW_CAMPAIGN_SPEND, "report_date"),
        group(&RAW_CAMPAIGN_SPEND, "platform"),
        group(&RAW_CAMPAIGN_SPEND, "campaign_id"),
    ],
    tags: &[("tier", "silver")],
};

#[rustfmt::skip]
static EMAIL_AUDIENCE: Table = Table {
    namespace: LAKE,
    name: "marketing/audiences/email_audience",
    description: "Today's email audience: active customers opted in to email marketing, with their segment and scores, for the email service provider. Holds clear-text email addresses (Parquet).",
    owners: &[(PRIYA, "DATA_OWNER"), (TEAM_MARKETING, "MAINTAINER")],
    columns: Columns::Own(&[
        out("audience_date", "date", "current_date()", &[]),
        out("customer_key", "string", "d.customer_key", &[same(&DIM_CUSTOMER, "customer_key")]),
        out("email", "string", "d.email", &[same(&DIM_CUSTOMER, "email")]).about("EmailAddress"),
        out("email_sha256", "string", "s.email_sha256", &[same(&CUSTOMER_SEGMENTS, "email_sha256")]).about("PseudonymisedIdentifier"),
        out("first_name", "string", "d.first_name", &[same(&DIM_CUSTOMER, "first_name")]).about("PersonName"),
        out("country_code", "string", "d.country_code", &[same(&DIM_CUSTOMER, "country_code")]),
        out("loyalty_tier", "string", "d.loyalty_tier", &[same(&DIM_CUSTOMER, "loyalty_tier")]),
        out("rfm_segment", "string", "s.rfm_segment", &[same(&CUSTOMER_SEGMENTS, "rfm_segment")]),
        out("churn_risk_score", "double", "s.churn_risk_score", &[same(&CUSTOMER_SEGMENTS, "churn_risk_score")]).about("ChurnRisk"),
        out("clv_estimate", "decimal(18,2)", "s.clv_estimate", &[same(&CUSTOMER_SEGMENTS, "clv_estimate")]).about("CustomerLifetimeValue"),
        out("preferred_channel", "string", "s.preferred_channel", &[same(&CUSTOMER_SEGMENTS, "preferred_channel")]),
        out("audience_name", "string", "case when s.churn_risk_score > 0.7 then 'win_back' when s.rfm_segment = 'champion' then 'vip' else 'newsletter' end",
            &[cond(&CUSTOMER_SEGMENTS, "churn_risk_score"), cond(&CUSTOMER_SEGMENTS, "rfm_segment")]),
        out("exported_at", "timestamp", "current_timestamp()", &[]),
    ]),
    from_sql: "",
    shaped_by: &[
        join(&DIM_CUSTOMER, "customer_key"),
        join(&CUSTOMER_CONSENTS, "customer_key"),
        join(&CUSTOMER_SEGMENTS, "customer_key"),
        filter(&CUSTOMER_CONSENTS, "email_marketing_opt_in"),
        filter(&DIM_CUSTOMER, "is_active"),
        filter(&DIM_CUSTOMER, "email"),
    ],
    tags: &[("tier", "silver"), ("format", "parquet"), ("pii", "true")],
};

// ---------------------------------------------------------------------------
// Pipelines and jobs
// ---------------------------------------------------------------------------

/// A parent job whose runs start the runs of its jobs: an Airflow DAG or a
/// `dbt run` invocation. It runs once a day.
#[derive(Debug)]
struct Pipeline {
    namespace: &'static str,
    name: &'static str,
    tool: Integration,
    /// Minutes after midnight (UTC) it is scheduled at.
    schedule_minute: i64,
    /// The team that maintains it (its jobs' `ownership` facet).
    team: &'static str,
    /// The git repository of its code.
    repo: &'static str,
}

/// How a job gets its `sql` facet.
#[derive(Debug, Clone, Copy)]
enum Sql {
    /// `select <columns of the output> <from_sql of the output>`.
    Select,
    /// The extract query of a copy job: the source's columns, then the `RAW`
    /// table's `from_sql`.
    Extract,
    /// A statement as is; `{ds}` is the day.
    Text(&'static str),
    /// No `sql` facet (Spark DataFrame jobs).
    None,
}

/// A job: one Airflow task, dbt model or Spark job writing one dataset.
#[derive(Debug)]
struct Job {
    pipeline: &'static Pipeline,
    namespace: &'static str,
    name: &'static str,
    description: &'static str,
    /// Path of its code in the pipeline's repository.
    code_path: &'static str,
    inputs: &'static [&'static Table],
    output: &'static Table,
    sql: Sql,
}

static SALES_INGEST: Pipeline = Pipeline {
    namespace: "airflow-sales",
    name: "sales_ingest",
    tool: Integration::Airflow,
    schedule_minute: 60,
    team: TEAM_SALES,
    repo: "https://github.com/acme-retail/sales-airflow",
};
static CUSTOMER_INGEST: Pipeline = Pipeline {
    namespace: "airflow-customer",
    name: "customer_ingest",
    tool: Integration::Airflow,
    schedule_minute: 60,
    team: TEAM_CUSTOMER,
    repo: "https://github.com/acme-retail/customer-airflow",
};
static FINANCE_INGEST: Pipeline = Pipeline {
    namespace: "airflow-finance",
    name: "finance_ingest",
    tool: Integration::Airflow,
    schedule_minute: 75,
    team: TEAM_FINANCE,
    repo: "https://github.com/acme-retail/finance-airflow",
};
static MARKETING_INGEST: Pipeline = Pipeline {
    namespace: "airflow-marketing",
    name: "marketing_ingest",
    tool: Integration::Airflow,
    schedule_minute: 90,
    team: TEAM_MARKETING,
    repo: "https://github.com/acme-retail/marketing-airflow",
};
static DBT_CUSTOMER: Pipeline = Pipeline {
    namespace: "dbt-customer",
    name: "dbt-run-acme_customer",
    tool: Integration::Dbt,
    schedule_minute: 120,
    team: TEAM_CUSTOMER,
    repo: "https://github.com/acme-retail/customer-dbt",
};
static DBT_SALES: Pipeline = Pipeline {
    namespace: "dbt-sales",
    name: "dbt-run-acme_sales",
    tool: Integration::Dbt,
    schedule_minute: 120,
    team: TEAM_SALES,
    repo: "https://github.com/acme-retail/sales-dbt",
};
static CUSTOMER_SCORING: Pipeline = Pipeline {
    namespace: "airflow-customer",
    name: "customer_scoring",
    tool: Integration::Airflow,
    schedule_minute: 180,
    team: TEAM_CUSTOMER,
    repo: "https://github.com/acme-retail/customer-spark",
};
static FULFILMENT_DAILY: Pipeline = Pipeline {
    namespace: "airflow-fulfilment",
    name: "fulfilment_daily",
    tool: Integration::Airflow,
    schedule_minute: 180,
    team: TEAM_FULFILMENT,
    repo: "https://github.com/acme-retail/fulfilment-spark",
};
static DBT_FULFILMENT: Pipeline = Pipeline {
    namespace: "dbt-fulfilment",
    name: "dbt-run-acme_fulfilment",
    tool: Integration::Dbt,
    schedule_minute: 240,
    team: TEAM_FULFILMENT,
    repo: "https://github.com/acme-retail/fulfilment-dbt",
};
static DBT_FINANCE: Pipeline = Pipeline {
    namespace: "dbt-finance",
    name: "dbt-run-acme_finance",
    tool: Integration::Dbt,
    schedule_minute: 240,
    team: TEAM_FINANCE,
    repo: "https://github.com/acme-retail/finance-dbt",
};
static DBT_MARKETING: Pipeline = Pipeline {
    namespace: "dbt-marketing",
    name: "dbt-run-acme_marketing",
    tool: Integration::Dbt,
    schedule_minute: 270,
    team: TEAM_MARKETING,
    repo: "https://github.com/acme-retail/marketing-dbt",
};
static MARKETING_AUDIENCES: Pipeline = Pipeline {
    namespace: "airflow-marketing",
    name: "marketing_audiences",
    tool: Integration::Airflow,
    schedule_minute: 300,
    team: TEAM_MARKETING,
    repo: "https://github.com/acme-retail/marketing-spark",
};

/// Every pipeline, in schedule order.
static PIPELINES: [&Pipeline; 12] = [
    &SALES_INGEST,
    &CUSTOMER_INGEST,
    &FINANCE_INGEST,
    &MARKETING_INGEST,
    &DBT_CUSTOMER,
    &DBT_SALES,
    &CUSTOMER_SCORING,
    &FULFILMENT_DAILY,
    &DBT_FULFILMENT,
    &DBT_FINANCE,
    &DBT_MARKETING,
    &MARKETING_AUDIENCES,
];

/// Every job, each after the jobs whose outputs it reads.
static JOBS: [Job; 21] = [
    // Airflow: copy the operational databases into RAW.
    Job {
        pipeline: &SALES_INGEST,
        namespace: "airflow-sales",
        name: "sales_ingest.load_orders",
        description: "Copies the orders changed since the last run from the shop database into RAW.SALES.ORDERS.",
        code_path: "dags/sales_ingest.py",
        inputs: &[&SALES_ORDERS],
        output: &RAW_ORDERS,
        sql: Sql::Extract,
    },
    Job {
        pipeline: &SALES_INGEST,
        namespace: "airflow-sales",
        name: "sales_ingest.load_order_lines",
        description: "Copies the order lines created since the last run into RAW.SALES.ORDER_LINES.",
        code_path: "dags/sales_ingest.py",
        inputs: &[&SALES_ORDER_LINES],
        output: &RAW_ORDER_LINES,
        sql: Sql::Extract,
    },
    Job {
        pipeline: &SALES_INGEST,
        namespace: "airflow-sales",
        name: "sales_ingest.load_products",
        description: "Copies the whole product catalogue from the PIM into RAW.PIM.PRODUCTS.",
        code_path: "dags/sales_ingest.py",
        inputs: &[&PIM_PRODUCTS],
        output: &RAW_PRODUCTS,
        sql: Sql::Extract,
    },
    Job {
        pipeline: &CUSTOMER_INGEST,
        namespace: "airflow-customer",
        name: "customer_ingest.load_customers",
        description: "Copies the customers changed since the last run from the CRM into RAW.CRM.CUSTOMERS.",
        code_path: "dags/customer_ingest.py",
        inputs: &[&CRM_CUSTOMERS],
        output: &RAW_CUSTOMERS,
        sql: Sql::Extract,
    },
    Job {
        pipeline: &CUSTOMER_INGEST,
        namespace: "airflow-customer",
        name: "customer_ingest.load_consents",
        description: "Copies the consents changed since the last run from the CRM into RAW.CRM.CONSENTS.",
        code_path: "dags/customer_ingest.py",
        inputs: &[&CRM_CONSENTS],
        output: &RAW_CONSENTS,
        sql: Sql::Extract,
    },
    Job {
        pipeline: &FINANCE_INGEST,
        namespace: "airflow-finance",
        name: "finance_ingest.load_payments",
        description: "Copies the payments changed since the last run from the payment service into RAW.PAYMENTS.PAYMENTS.",
        code_path: "dags/finance_ingest.py",
        inputs: &[&PAYMENTS],
        output: &RAW_PAYMENTS,
        sql: Sql::Extract,
    },
    Job {
        pipeline: &MARKETING_INGEST,
        namespace: "airflow-marketing",
        name: "marketing_ingest.load_campaign_spend",
        description: "Loads the advertising platforms' spend files of the day from the landing bucket into RAW.ADS.CAMPAIGN_SPEND.",
        code_path: "dags/marketing_ingest.py",
        inputs: &[&ADS_CAMPAIGN_SPEND],
        output: &RAW_CAMPAIGN_SPEND,
        sql: Sql::Text(
            "COPY INTO RAW.ADS.CAMPAIGN_SPEND\nFROM @RAW.ADS.LANDING_ADS/campaign_spend/{ds}/\nFILE_FORMAT = (TYPE = PARQUET)\nMATCH_BY_COLUMN_NAME = CASE_INSENSITIVE",
        ),
    },
    // dbt: the customer and sales models.
    Job {
        pipeline: &DBT_CUSTOMER,
        namespace: "dbt-customer",
        name: "analytics.customer.acme_customer.dim_customer",
        description: "dbt model dim_customer: the customer golden record.",
        code_path: "models/marts/dim_customer.sql",
        inputs: &[&RAW_CUSTOMERS],
        output: &DIM_CUSTOMER,
        sql: Sql::Select,
    },
    Job {
        pipeline: &DBT_CUSTOMER,
        namespace: "dbt-customer",
        name: "analytics.customer.acme_customer.customer_consents",
        description: "dbt model customer_consents: the current consent per customer and purpose.",
        code_path: "models/marts/customer_consents.sql",
        inputs: &[&RAW_CONSENTS, &DIM_CUSTOMER],
        output: &CUSTOMER_CONSENTS,
        sql: Sql::Select,
    },
    Job {
        pipeline: &DBT_SALES,
        namespace: "dbt-sales",
        name: "analytics.sales.acme_sales.dim_product",
        description: "dbt model dim_product: the product catalogue.",
        code_path: "models/marts/dim_product.sql",
        inputs: &[&RAW_PRODUCTS],
        output: &DIM_PRODUCT,
        sql: Sql::Select,
    },
    Job {
        pipeline: &DBT_SALES,
        namespace: "dbt-sales",
        name: "analytics.sales.acme_sales.fct_orders",
        description: "dbt model fct_orders: orders with their customer and amounts.",
        code_path: "models/marts/fct_orders.sql",
        inputs: &[&RAW_ORDERS, &RAW_ORDER_LINES, &DIM_CUSTOMER],
        output: &FCT_ORDERS,
        sql: Sql::Select,
    },
    Job {
        pipeline: &DBT_SALES,
        namespace: "dbt-sales",
        name: "analytics.sales.acme_sales.fct_order_lines",
        description: "dbt model fct_order_lines: order lines with product, amounts and margin.",
        code_path: "models/marts/fct_order_lines.sql",
        inputs: &[&RAW_ORDER_LINES, &RAW_ORDERS, &DIM_PRODUCT],
        output: &FCT_ORDER_LINES,
        sql: Sql::Select,
    },
    Job {
        pipeline: &DBT_SALES,
        namespace: "dbt-sales",
        name: "analytics.sales.acme_sales.agg_daily_sales",
        description: "dbt model agg_daily_sales: the daily sales report.",
        code_path: "models/reporting/agg_daily_sales.sql",
        inputs: &[&FCT_ORDER_LINES, &FCT_ORDERS],
        output: &AGG_DAILY_SALES,
        sql: Sql::Select,
    },
    // Spark: scoring and fulfilment, started by Airflow.
    Job {
        pipeline: &CUSTOMER_SCORING,
        namespace: "spark-customer",
        name: "score_customer_segments.execute_save_into_data_source_command.analytics_customer_customer_segments",
        description: "Spark job scoring every active customer (RFM, lifetime value, churn risk) into ANALYTICS.CUSTOMER.CUSTOMER_SEGMENTS.",
        code_path: "jobs/score_customer_segments.py",
        inputs: &[&DIM_CUSTOMER, &FCT_ORDERS],
        output: &CUSTOMER_SEGMENTS,
        sql: Sql::None,
    },
    Job {
        pipeline: &FULFILMENT_DAILY,
        namespace: "spark-fulfilment",
        name: "build_fct_shipments.execute_save_into_data_source_command.analytics_fulfilment_fct_shipments",
        description: "Spark job reading the warehouse management system's shipments over JDBC and joining them to their orders.",
        code_path: "jobs/build_fct_shipments.py",
        inputs: &[&WMS_SHIPMENTS, &FCT_ORDERS],
        output: &FCT_SHIPMENTS,
        sql: Sql::None,
    },
    Job {
        pipeline: &FULFILMENT_DAILY,
        namespace: "spark-fulfilment",
        name: "build_inventory_snapshot.execute_insert_into_hadoop_fs_relation_command.curated_fulfilment_inventory_snapshot",
        description: "Spark job snapshotting stock levels with product cost and the last 28 days of sales.",
        code_path: "jobs/build_inventory_snapshot.py",
        inputs: &[&WMS_STOCK_LEVELS, &DIM_PRODUCT, &FCT_ORDER_LINES],
        output: &INVENTORY_SNAPSHOT,
        sql: Sql::None,
    },
    // dbt: fulfilment, finance and marketing models.
    Job {
        pipeline: &DBT_FULFILMENT,
        namespace: "dbt-fulfilment",
        name: "analytics.fulfilment.acme_fulfilment.agg_delivery_performance",
        description: "dbt model agg_delivery_performance: on-time rate and lead times.",
        code_path: "models/reporting/agg_delivery_performance.sql",
        inputs: &[&FCT_SHIPMENTS],
        output: &AGG_DELIVERY_PERFORMANCE,
        sql: Sql::Select,
    },
    Job {
        pipeline: &DBT_FINANCE,
        namespace: "dbt-finance",
        name: "analytics.finance.acme_finance.fct_payments",
        description: "dbt model fct_payments: payments with their order, card data reduced to what PCI DSS allows.",
        code_path: "models/marts/fct_payments.sql",
        inputs: &[&RAW_PAYMENTS, &FCT_ORDERS],
        output: &FCT_PAYMENTS,
        sql: Sql::Select,
    },
    Job {
        pipeline: &DBT_FINANCE,
        namespace: "dbt-finance",
        name: "analytics.finance.acme_finance.fct_revenue",
        description: "dbt model fct_revenue: revenue per order line as the general ledger books it.",
        code_path: "models/marts/fct_revenue.sql",
        inputs: &[&FCT_ORDER_LINES, &FCT_PAYMENTS, &FCT_SHIPMENTS],
        output: &FCT_REVENUE,
        sql: Sql::Select,
    },
    Job {
        pipeline: &DBT_MARKETING,
        namespace: "dbt-marketing",
        name: "analytics.marketing.acme_marketing.fct_campaign_performance",
        description: "dbt model fct_campaign_performance: spend against attributed orders and revenue.",
        code_path: "models/marts/fct_campaign_performance.sql",
        inputs: &[&RAW_CAMPAIGN_SPEND, &FCT_ORDERS, &CUSTOMER_SEGMENTS],
        output: &FCT_CAMPAIGN_PERFORMANCE,
        sql: Sql::Select,
    },
    // Spark: the audience for the email service provider.
    Job {
        pipeline: &MARKETING_AUDIENCES,
        namespace: "spark-marketing",
        name: "build_email_audience.execute_insert_into_hadoop_fs_relation_command.marketing_audiences_email_audience",
        description: "Spark job selecting today's email audience: active customers opted in to email marketing, with their segment.",
        code_path: "jobs/build_email_audience.py",
        inputs: &[&DIM_CUSTOMER, &CUSTOMER_CONSENTS, &CUSTOMER_SEGMENTS],
        output: &EMAIL_AUDIENCE,
        sql: Sql::None,
    },
];

/// A run that fails: the job, the day (0-based), whether Airflow retries it
/// (and the retry succeeds), and the error.
struct Failure {
    job: &'static str,
    day: u32,
    retried: bool,
    message: &'static str,
}

static FAILURES: [Failure; 3] = [
    Failure {
        job: "customer_ingest.load_consents",
        day: 1,
        retried: true,
        message: "(2013, 'Lost connection to MySQL server during query')",
    },
    Failure {
        job: "analytics.finance.acme_finance.fct_revenue",
        day: 2,
        retried: false,
        message: "Database Error in model fct_revenue (models/marts/fct_revenue.sql)\n  100038 (22018): Numeric value 'n/a' is not recognized",
    },
    Failure {
        job: "build_email_audience.execute_insert_into_hadoop_fs_relation_command.marketing_audiences_email_audience",
        day: 3,
        retried: false,
        message: "Job aborted due to stage failure: Container killed by YARN for exceeding memory limits. 9.1 GB of 9 GB physical memory used.",
    },
];

// ---------------------------------------------------------------------------
// The simulation
// ---------------------------------------------------------------------------

const SCHEMA_URL: &str = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
// The standard facets, as `{version}/{name}`: see [`facet`].
const FACET_SCHEMA: &str = "1-2-0/SchemaDatasetFacet";
const FACET_DATA_SOURCE: &str = "1-0-1/DatasourceDatasetFacet";
const FACET_COLUMN_LINEAGE: &str = "1-2-0/ColumnLineageDatasetFacet";
const FACET_OWNERSHIP: &str = "1-0-1/OwnershipDatasetFacet";
const FACET_JOB_OWNERSHIP: &str = "1-0-1/OwnershipJobFacet";
const FACET_DOCUMENTATION: &str = "1-1-0/DocumentationDatasetFacet";
const FACET_JOB_DOCUMENTATION: &str = "1-1-0/DocumentationJobFacet";
const FACET_TAGS: &str = "1-0-0/TagsDatasetFacet";
const FACET_DATASET_TYPE: &str = "1-0-1/DatasetTypeDatasetFacet";
const FACET_OUTPUT_STATISTICS: &str = "1-0-2/OutputStatisticsOutputDatasetFacet";
const FACET_SQL: &str = "1-1-0/SQLJobFacet";
const FACET_SOURCE_CODE_LOCATION: &str = "1-1-0/SourceCodeLocationJobFacet";
const FACET_JOB_TYPE: &str = "2-0-4/JobTypeJobFacet";
const FACET_PARENT: &str = "1-2-0/ParentRunFacet";
const FACET_NOMINAL_TIME: &str = "1-0-1/NominalTimeRunFacet";
const FACET_ERROR: &str = "1-0-1/ErrorMessageRunFacet";
const FACET_PROCESSING_ENGINE: &str = "1-1-1/ProcessingEngineRunFacet";
/// The custom `dbt_version` facet of the dbt integration.
const FACET_DBT_VERSION: &str = "https://github.com/OpenLineage/OpenLineage/tree/main/integration/common/openlineage/schema/dbt-version-run-facet.json";

/// One run of a job or a pipeline on one day.
#[derive(Debug, Clone, Copy)]
struct RunPlan {
    run_id: Uuid,
    start_ms: i64,
    end_ms: i64,
    failed: bool,
}

/// A deterministic number in `low..high` for `key`.
fn spread(key: &str, low: i64, high: i64) -> i64 {
    low + (xxh3_64(key.as_bytes()) % (high - low) as u64) as i64
}

/// A UUIDv7 for a run starting at `start_ms`, its random bits from `key`.
fn run_id(key: &str, start_ms: i64) -> Uuid {
    let bits = xxh3_128(key.as_bytes()).to_le_bytes();
    let mut random = [0; 10];
    random.copy_from_slice(&bits[..10]);
    uuid::Builder::from_unix_timestamp_millis(start_ms as u64, &random).into_uuid()
}

fn timestamp(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .expect("simulated times are within chrono's range")
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A facet: `body` with `_producer` and `_schemaURL`; `schema` is a
/// standard facet's `{version}/{name}`, or a custom facet's schema URL.
fn facet(producer: &str, schema: &str, body: Value) -> Value {
    let schema_url = if schema.starts_with("https://") {
        schema.to_owned()
    } else {
        let name = schema.rsplit('/').next().unwrap_or(schema);
        format!("https://openlineage.io/spec/facets/{schema}.json#/$defs/{name}")
    };
    let mut facet = Map::new();
    facet.insert("_producer".into(), producer.into());
    facet.insert("_schemaURL".into(), schema_url.into());
    if let Value::Object(fields) = body {
        facet.extend(fields);
    }
    Value::Object(facet)
}

/// The version of the tool and the OpenLineage integration behind a producer.
fn engine(tool: Integration) -> Value {
    let (name, version, adapter) = match tool {
        Integration::Airflow => ("Airflow", "2.10.4", "1.14.0"),
        Integration::Dbt => ("dbt", "1.8.7", "1.24.2"),
        Integration::Spark => ("spark", "3.5.3", "1.24.2"),
    };
    json!({"name": name, "version": version, "openlineageAdapterVersion": adapter})
}

/// A git commit of `repo`: it changes once, on day 3, for the sales dbt
/// project (a new release of the models).
fn commit(repo: &str, day: u32) -> String {
    let release = u32::from(repo.ends_with("sales-dbt") && day >= 3);
    let key = format!("{repo}@{release}");
    format!(
        "{:032x}{:08x}",
        xxh3_128(key.as_bytes()),
        xxh3_64(key.as_bytes()) as u32
    )
}

fn schema_facet(producer: &str, table: &Table) -> Value {
    let fields: Vec<Value> = table
        .fields()
        .into_iter()
        .map(|(name, data_type, _)| json!({"name": name, "type": data_type}))
        .collect();
    facet(producer, FACET_SCHEMA, json!({ "fields": fields }))
}

/// An input dataset, or the start of an output dataset: identity, `schema`
/// and `dataSource`.
fn dataset(producer: &str, table: &Table) -> Map<String, Value> {
    let source = table
        .namespace
        .split_once("://")
        .map_or(table.namespace, |(scheme, _)| scheme);
    let mut facets = Map::new();
    facets.insert("schema".into(), schema_facet(producer, table));
    facets.insert(
        "dataSource".into(),
        facet(
            producer,
            FACET_DATA_SOURCE,
            json!({"name": source, "uri": table.namespace}),
        ),
    );
    let mut dataset = Map::new();
    dataset.insert("namespace".into(), table.namespace.into());
    dataset.insert("name".into(), table.name.into());
    dataset.insert("facets".into(), Value::Object(facets));
    dataset
}

/// `(type, subtype, masking)` of a transformation.
fn transformation(how: How) -> (&'static str, &'static str, bool) {
    match how {
        How::Same => ("DIRECT", "IDENTITY", false),
        How::Calc => ("DIRECT", "TRANSFORMATION", false),
        How::Agg => ("DIRECT", "AGGREGATION", false),
        How::Hash => ("DIRECT", "TRANSFORMATION", true),
        How::Indirect(subtype) => ("INDIRECT", subtype, false),
    }
}

/// The `inputFields` of one output column (or of the whole dataset): one
/// entry per input column, with every transformation through which it counts.
fn input_fields(sources: &[Src], expr: &str) -> Vec<Value> {
    let mut fields: Vec<Value> = Vec::new();
    for src in sources {
        let (kind, subtype, masking) = transformation(src.how);
        let mut step = json!({"type": kind, "subtype": subtype, "masking": masking});
        if matches!(src.how, How::Calc | How::Agg | How::Hash) && !expr.is_empty() {
            step["description"] = expr.into();
        }
        let key = json!({"namespace": src.table.namespace, "name": src.table.name, "field": src.field});
        let existing = fields.iter_mut().find(|f| {
            f["namespace"] == key["namespace"] && f["name"] == key["name"] && f["field"] == key["field"]
        });
        match existing {
            Some(field) => field["transformations"]
                .as_array_mut()
                .expect("transformations is an array")
                .push(step),
            None => {
                let mut field = key;
                field["transformations"] = json!([step]);
                fields.push(field);
            }
        }
    }
    fields
}

fn column_lineage(producer: &str, table: &Table) -> Value {
    let mut fields = Map::new();
    match table.columns {
        Columns::Own(columns) => {
            for column in columns.iter().filter(|c| !c.from.is_empty()) {
                fields.insert(
                    column.name.into(),
                    json!({"inputFields": input_fields(column.from, column.expr)}),
                );
            }
        }
        Columns::CopyOf(source) => {
            for (name, _, _) in source.fields() {
                let copy = [Src {
                    table: source,
                    field: name,
                    how: How::Same,
                }];
                fields.insert(name.into(), json!({"inputFields": input_fields(&copy, "")}));
            }
        }
    }
    facet(
        producer,
        FACET_COLUMN_LINEAGE,
        json!({"fields": fields, "dataset": input_fields(table.shaped_by, "")}),
    )
}

/// The `tags` facet of an output: its own tags, and per column holding a
/// glossary concept a tag whose key is the concept's IRI.
fn tags(producer: &str, table: &Table, source: &str) -> Option<Value> {
    let mut tags: Vec<Value> = table
        .tags
        .iter()
        .map(|(key, value)| json!({"key": key, "value": value, "source": source}))
        .collect();
    for (name, _, concept) in table.fields() {
        if let Some(concept) = concept {
            tags.push(json!({"key": format!("{GLOSSARY}{concept}"), "value": "true", "source": source, "field": name}));
        }
    }
    (!tags.is_empty()).then(|| facet(producer, FACET_TAGS, json!({ "tags": tags })))
}

/// The `sql` facet's query of a job on `day` (`YYYY-MM-DD`), and its dialect.
fn sql(job: &Job, day: &str) -> Option<(String, &'static str)> {
    let dialect = |namespace: &'static str| namespace.split_once("://").map_or("", |(scheme, _)| scheme);
    let select = |table: &Table, expressions: Vec<String>| {
        format!(
            "select\n    {}\n{}",
            expressions.join(",\n    "),
            table.from_sql.replace("{ds}", day)
        )
    };
    match job.sql {
        Sql::Select => {
            let Columns::Own(columns) = job.output.columns else {
                return None;
            };
            let expressions = columns
                .iter()
                .map(|c| format!("{} as {}", c.expr, c.name))
                .collect();
            Some((select(job.output, expressions), dialect(job.output.namespace)))
        }
        Sql::Extract => {
            let source = job.inputs[0];
            let expressions = source
                .fields()
                .into_iter()
                .map(|(name, _, _)| name.to_owned())
                .collect();
            Some((select(job.output, expressions), dialect(source.namespace)))
        }
        Sql::Text(text) => Some((text.replace("{ds}", day), dialect(job.output.namespace))),
        Sql::None => None,
    }
}

/// Rows written by a run: a size per table that grows a little each day.
fn row_count(table: &Table, day: u32) -> i64 {
    let base = spread(table.name, 20_000, 40_000_000);
    base + base / 250 * i64::from(day)
}

/// What is common to every event of a run: the header and the run facets.
struct EventHead<'a> {
    time_ms: i64,
    event_type: &'static str,
    producer: &'static str,
    run: &'a RunPlan,
    run_facets: Map<String, Value>,
}

fn event(head: EventHead<'_>, job: Value, inputs: Vec<Value>, outputs: Vec<Value>) -> (i64, String) {
    let event = json!({
        "eventTime": timestamp(head.time_ms),
        "eventType": head.event_type,
        "producer": head.producer,
        "schemaURL": SCHEMA_URL,
        "run": {"runId": head.run.run_id.to_string(), "facets": head.run_facets},
        "job": job,
        "inputs": inputs,
        "outputs": outputs,
    });
    (head.time_ms, event.to_string())
}

/// The run facets every run of `tool` sends; Airflow adds the schedule.
fn run_facets(
    tool: Integration,
    producer: &str,
    nominal_ms: i64,
    parent: Option<(&Pipeline, &RunPlan)>,
) -> Map<String, Value> {
    let mut facets = Map::new();
    facets.insert(
        "processing_engine".into(),
        facet(producer, FACET_PROCESSING_ENGINE, engine(tool)),
    );
    if tool == Integration::Dbt {
        facets.insert(
            "dbt_version".into(),
            facet(producer, FACET_DBT_VERSION, json!({"version": "1.8.7"})),
        );
    }
    if tool == Integration::Airflow || parent.is_some_and(|(p, _)| p.tool == Integration::Airflow) {
        facets.insert(
            "nominalTime".into(),
            facet(
                producer,
                FACET_NOMINAL_TIME,
                json!({"nominalStartTime": timestamp(nominal_ms), "nominalEndTime": timestamp(nominal_ms + 86_400_000)}),
            ),
        );
    }
    if let Some((pipeline, run)) = parent {
        let parent_job = json!({"namespace": pipeline.namespace, "name": pipeline.name});
        let parent_run = json!({"runId": run.run_id.to_string()});
        facets.insert(
            "parent".into(),
            facet(
                producer,
                FACET_PARENT,
                json!({"job": parent_job, "run": parent_run, "root": {"job": parent_job, "run": parent_run}}),
            ),
        );
    }
    facets
}

fn job_type(tool: Integration, job_type: &str) -> Value {
    facet(
        tool.producer(),
        FACET_JOB_TYPE,
        json!({"processingType": "BATCH", "integration": tool.name(), "jobType": job_type}),
    )
}

/// The two (or, with a failure, one more) events of a pipeline's run.
fn pipeline_events(pipeline: &Pipeline, run: &RunPlan, nominal_ms: i64, out: &mut Vec<(i64, String)>) {
    let producer = pipeline.tool.producer();
    let kind = if pipeline.tool == Integration::Dbt {
        "JOB"
    } else {
        "DAG"
    };
    let mut job_facets = Map::new();
    job_facets.insert("jobType".into(), job_type(pipeline.tool, kind));
    job_facets.insert(
        "ownership".into(),
        facet(
            producer,
            FACET_JOB_OWNERSHIP,
            json!({"owners": [{"name": pipeline.team, "type": "MAINTAINER"}]}),
        ),
    );
    let job = json!({"namespace": pipeline.namespace, "name": pipeline.name, "facets": job_facets});
    for (time_ms, event_type) in [
        (run.start_ms, "START"),
        (run.end_ms, if run.failed { "FAIL" } else { "COMPLETE" }),
    ] {
        let head = EventHead {
            time_ms,
            event_type,
            producer,
            run,
            run_facets: run_facets(pipeline.tool, producer, nominal_ms, None),
        };
        out.push(event(head, job.clone(), Vec::new(), Vec::new()));
    }
}

/// The `START` and `COMPLETE`/`FAIL` events of one run of `job` on `day`.
fn job_events(
    job: &Job,
    day: u32,
    run: &RunPlan,
    parent: &RunPlan,
    nominal_ms: i64,
    error: Option<&str>,
    out: &mut Vec<(i64, String)>,
) {
    // A Spark job reports through the Spark integration, whoever starts it.
    let tool = if job.namespace.starts_with("spark-") {
        Integration::Spark
    } else {
        job.pipeline.tool
    };
    let producer = tool.producer();
    let nominal = timestamp(nominal_ms);
    let date = &nominal[..10];
    let mut job_facets = Map::new();
    job_facets.insert("jobType".into(), job_type(tool, tool.task_type()));
    if let Some((query, dialect)) = sql(job, date) {
        job_facets.insert(
            "sql".into(),
            facet(producer, FACET_SQL, json!({"query": query, "dialect": dialect})),
        );
    }
    let version = commit(job.pipeline.repo, day);
    job_facets.insert(
        "sourceCodeLocation".into(),
        facet(
            producer,
            FACET_SOURCE_CODE_LOCATION,
            json!({
                "type": "git",
                "url": format!("{}/blob/{version}/{}", job.pipeline.repo, job.code_path),
                "repoUrl": job.pipeline.repo,
                "path": job.code_path,
                "version": version,
                "branch": "main",
            }),
        ),
    );
    job_facets.insert(
        "documentation".into(),
        facet(
            producer,
            FACET_JOB_DOCUMENTATION,
            json!({"description": job.description}),
        ),
    );
    job_facets.insert(
        "ownership".into(),
        facet(
            producer,
            FACET_JOB_OWNERSHIP,
            json!({"owners": [{"name": job.pipeline.team, "type": "MAINTAINER"}]}),
        ),
    );
    let job_json = json!({"namespace": job.namespace, "name": job.name, "facets": job_facets});
    let inputs: Vec<Value> = job
        .inputs
        .iter()
        .map(|table| Value::Object(dataset(producer, table)))
        .collect();

    for end in [false, true] {
        let table = job.output;
        let mut output = dataset(producer, table);
        let facets = output["facets"].as_object_mut().expect("facets is an object");
        facets.insert(
            "documentation".into(),
            facet(
                producer,
                FACET_DOCUMENTATION,
                json!({"description": table.description}),
            ),
        );
        let owners: Vec<Value> = table
            .owners
            .iter()
            .map(|(name, kind)| json!({"name": name, "type": kind}))
            .collect();
        facets.insert(
            "ownership".into(),
            facet(producer, FACET_OWNERSHIP, json!({ "owners": owners })),
        );
        let dataset_type = if table.namespace == LAKE { "FILE" } else { "TABLE" };
        facets.insert(
            "datasetType".into(),
            facet(producer, FACET_DATASET_TYPE, json!({"datasetType": dataset_type})),
        );
        if let Some(tags) = tags(producer, table, tool.name()) {
            facets.insert("tags".into(), tags);
        }
        let mut run_facets = run_facets(tool, producer, nominal_ms, Some((job.pipeline, parent)));
        let (time_ms, event_type) = match (end, error) {
            (false, _) => (run.start_ms, "START"),
            (true, None) => (run.end_ms, "COMPLETE"),
            (true, Some(message)) => {
                run_facets.insert(
                    "errorMessage".into(),
                    facet(
                        producer,
                        FACET_ERROR,
                        json!({"message": message, "programmingLanguage": tool.language()}),
                    ),
                );
                (run.end_ms, "FAIL")
            }
        };
        if end && error.is_none() {
            facets.insert("columnLineage".into(), column_lineage(producer, table));
            let rows = row_count(table, day);
            let bytes = rows * 18 * table.fields().len() as i64;
            output.insert(
                "outputFacets".into(),
                json!({"outputStatistics": facet(producer, FACET_OUTPUT_STATISTICS, json!({"rowCount": rows, "size": bytes}))}),
            );
        }
        let head = EventHead {
            time_ms,
            event_type,
            producer,
            run,
            run_facets,
        };
        out.push(event(
            head,
            job_json.clone(),
            inputs.clone(),
            vec![Value::Object(output)],
        ));
    }
}

/// The OpenLineage RunEvents (JSON, one per string) of five days of Acme
/// Retail's pipelines, in event-time order: every job of every pipeline,
/// each run a `START` then a `COMPLETE` or `FAIL`, and the runs of the
/// pipelines (Airflow DAGs, `dbt run`s) that are their parents.
///
/// Together they write every dataset the output ports of
/// `ontology/retail/products-*.ttl` name, and read or write every dataset
/// their input ports name. The same bytes every call.
pub fn events() -> Vec<String> {
    let mut out: Vec<(i64, String)> = Vec::new();
    for day in 0..DAYS {
        let midnight_ms = (FIRST_DAY_UNIX_SECS + i64::from(day) * 86_400) * 1_000;
        let nominal = |pipeline: &Pipeline| midnight_ms + pipeline.schedule_minute * 60_000;
        // Each pipeline run starts a little after its schedule.
        let mut pipeline_runs: Vec<RunPlan> = PIPELINES
            .iter()
            .map(|p| {
                let key = format!("{}/{}/{day}", p.namespace, p.name);
                let start_ms = nominal(p) + spread(&key, 2_000, 90_000);
                RunPlan {
                    run_id: run_id(&key, start_ms),
                    start_ms,
                    end_ms: start_ms,
                    failed: false,
                }
            })
            .collect();
        let index = |pipeline: &Pipeline| {
            PIPELINES
                .iter()
                .position(|p| std::ptr::eq(*p, pipeline))
                .expect("every job's pipeline is in PIPELINES")
        };
        // When each table was last written today: readers start after that.
        let mut written: HashMap<(&str, &str), i64> = HashMap::new();
        for job in JOBS.iter() {
            let p = index(job.pipeline);
            let ready = job
                .inputs
                .iter()
                .filter_map(|t| written.get(&(t.namespace, t.name)).copied())
                .fold(pipeline_runs[p].start_ms, i64::max);
            let failure = FAILURES.iter().find(|f| f.job == job.name && f.day == day);
            let mut start_ms = ready;
            for attempt in 0.. {
                let key = format!("{}/{}/{day}/{attempt}", job.namespace, job.name);
                start_ms += spread(&key, 3_000, 45_000);
                let (low, high) = match job.pipeline.tool {
                    _ if job.namespace.starts_with("spark-") => (240_000, 900_000),
                    Integration::Dbt => (20_000, 300_000),
                    _ => (30_000, 240_000),
                };
                let end_ms = start_ms + spread(&format!("{key}/duration"), low, high);
                let failed = failure.is_some() && attempt == 0;
                let run = RunPlan {
                    run_id: run_id(&key, start_ms),
                    start_ms,
                    end_ms,
                    failed,
                };
                let error = failure.filter(|_| failed).map(|f| f.message);
                job_events(
                    job,
                    day,
                    &run,
                    &pipeline_runs[p],
                    nominal(job.pipeline),
                    error,
                    &mut out,
                );
                let parent = &mut pipeline_runs[p];
                parent.end_ms = parent.end_ms.max(end_ms);
                if !failed {
                    written.insert((job.output.namespace, job.output.name), end_ms);
                    break;
                }
                if !failure.is_some_and(|f| f.retried) {
                    parent.failed = true;
                    break;
                }
                // Airflow retries five minutes later, as a new run.
                start_ms = end_ms + 300_000;
            }
        }
        for (pipeline, run) in PIPELINES.iter().zip(&mut pipeline_runs) {
            run.end_ms += spread(&format!("{}/{day}/end", pipeline.name), 2_000, 20_000);
            pipeline_events(pipeline, run, nominal(pipeline), &mut out);
        }
    }
    // Stable: events at the same millisecond keep the order they were made in.
    out.sort_by_key(|(time_ms, _)| *time_ms);
    out.into_iter().map(|(_, event)| event).collect()
}

/// The files of `ontology/retail/`: the domain ontology with its business
/// glossary (`retail.ttl`) and one file of DPROD data products per domain
/// (`products-<domain>.ttl`), as (file name, Turtle text). Load each into
/// its own named graph; the file name is the graph name's last segment.
pub fn documents() -> Vec<(&'static str, &'static str)> {
    vec![
        ("retail.ttl", include_str!("../../ontology/retail/retail.ttl")),
        (
            "products-sales.ttl",
            include_str!("../../ontology/retail/products-sales.ttl"),
        ),
        (
            "products-customer.ttl",
            include_str!("../../ontology/retail/products-customer.ttl"),
        ),
        (
            "products-fulfilment.ttl",
            include_str!("../../ontology/retail/products-fulfilment.ttl"),
        ),
        (
            "products-finance.ttl",
            include_str!("../../ontology/retail/products-finance.ttl"),
        ),
        (
            "products-marketing.ttl",
            include_str!("../../ontology/retail/products-marketing.ttl"),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openlineage::parse_event;

    #[test]
    fn every_input_column_is_a_column_of_an_input_of_the_job() {
        let mut seen: Vec<&Table> = Vec::new();
        for job in JOBS.iter() {
            // Jobs come after the jobs that write what they read.
            for input in job.inputs {
                let producer = JOBS.iter().position(|j| j.output.is(input));
                let me = JOBS.iter().position(|j| std::ptr::eq(j, job));
                assert!(
                    producer < me,
                    "{} reads {} before it is written",
                    job.name,
                    input.name
                );
            }
            assert!(
                !seen.iter().any(|t| t.is(job.output)),
                "{} written twice",
                job.output.name
            );
            seen.push(job.output);
            let sources: Vec<&Src> = match job.output.columns {
                Columns::Own(columns) => columns
                    .iter()
                    .flat_map(|c| c.from)
                    .chain(job.output.shaped_by)
                    .collect(),
                Columns::CopyOf(source) => {
                    assert!(job.inputs[0].is(source));
                    Vec::new()
                }
            };
            for src in sources {
                assert!(
                    job.inputs.iter().any(|t| t.is(src.table)),
                    "{}: {} is not an input",
                    job.name,
                    src.table.name
                );
                assert!(
                    src.table.fields().iter().any(|(name, _, _)| *name == src.field),
                    "{}: {}.{} does not exist",
                    job.name,
                    src.table.name,
                    src.field
                );
            }
        }
    }

    #[test]
    fn product_tables_have_ten_to_twenty_five_unique_columns() {
        for job in JOBS.iter() {
            let fields = job.output.fields();
            assert!(
                (10..=25).contains(&fields.len()),
                "{}: {}",
                job.output.name,
                fields.len()
            );
            let mut names: Vec<_> = fields.iter().map(|(n, _, _)| *n).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), fields.len(), "{}", job.output.name);
        }
    }

    #[test]
    fn events_are_valid_deterministic_and_in_time_order() {
        let events = events();
        assert_eq!(events, super::events());
        let times: Vec<String> = events
            .iter()
            .map(|e| {
                parse_event(e).unwrap_or_else(|err| panic!("{err}: {e}"));
                serde_json::from_str::<Value>(e).unwrap()["eventTime"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
        // Every job and pipeline runs every day; one failure is retried.
        assert_eq!(
            events.len(),
            (DAYS as usize * (JOBS.len() + PIPELINES.len()) + 1) * 2
        );
        for state in ["\"START\"", "\"COMPLETE\"", "\"FAIL\""] {
            assert!(events.iter().any(|e| e.contains(state)), "{state}");
        }
    }

    #[test]
    fn raw_copies_map_source_types_to_snowflake() {
        assert_eq!(snowflake_type("numeric(12,2)"), "NUMBER(12,2)");
        assert_eq!(snowflake_type("tinyint(1)"), "BOOLEAN");
        assert_eq!(snowflake_type("varchar(255)"), "VARCHAR(255)");
        assert_eq!(snowflake_type("timestamp[us]"), "TIMESTAMP_NTZ");
        assert_eq!(snowflake_type("string"), "VARCHAR");
    }
}
