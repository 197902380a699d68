//! The integration tests: the real router, driven with `oneshot` (no socket),
//! and the real binary where a process must die.

mod support;

mod catalog;
mod demo;
mod durability;
mod generate;
mod graphql;
mod graphql_facets;
mod graphql_mesh;
mod graphql_mutations;
mod graphql_reads;
mod impact;
mod ingest;
mod load;
mod queries;
mod read;
mod search;
mod shared_events;
mod sparql;
mod versions;
mod web;
