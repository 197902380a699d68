//! meshgraph: the lineage and knowledge graph of a data mesh.
//!
//! # Architecture
//!
//! ```text
//!  POST /api/v1/lineage ─► validate ─► log thread ─► durable log (redb, fsync)
//!                                           │  group commit      │
//!                                           │                    └─► apply thread ─► oxigraph Store (RDF)
//!                                           └─ ack (201) after log + apply       └► lineage projection
//!  readers (REST, CLI) ─► Store and projection, never the log (but raw events)
//! ```
//!
//! - [`openlineage`]: event types, validation, node ids.
//! - [`log`]: the durable log of every accepted write; the source of truth.
//! - [`mapping`]: pure functions from an event to RDF graph writes.
//! - [`store`]: the oxigraph store, its vocabulary and the readers over it.
//! - [`lineage`]: the in-memory lineage projection (datasets, jobs, columns
//!   through time), impact analysis, diffs and the Marquez lineage walk.
//! - [`catalog`]: data products, domains, owners and concepts from the
//!   descriptions teams load, joined with the lineage.
//! - [`search`]: search across the mesh by name, label and description,
//!   over an in-memory index kept up to date with the other views.
//! - [`views`]: the store, the projection and the search index, and how a
//!   logged event reaches them.
//! - [`load`]: `meshgraph load`, events from files.
//! - [`impact_command`]: `meshgraph impact`, impact analysis from the terminal.
//! - [`writer`]: the single writer: group commit to the log, then the views
//!   (two threads, pipelined).
//! - [`app`]: wires the pieces together, rebuilds views at start-up.
//! - [`api`]: HTTP transport (axum); the only module that knows HTTP.
//! - [`generate`]: `meshgraph generate`, a synthetic data mesh as OpenLineage
//!   events, for benchmarks and demos.
//! - [`cli`], [`config`]: the command line and its configuration.
//! - [`alloc`]: the memory allocator (mimalloc) and its tuning.
//!
//! The documentation is for the people who work on meshgraph, private items
//! included (`cargo doc --document-private-items`, as CI builds it), so
//! public docs may link to private items.
#![allow(rustdoc::private_intra_doc_links)]

pub mod alloc;
pub mod api;
pub mod app;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod error;
pub mod generate;
pub mod impact_command;
pub mod lineage;
pub mod load;
pub mod log;
pub mod mapping;
pub mod openlineage;
pub mod search;
pub mod store;
pub mod views;
pub mod writer;
