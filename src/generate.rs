//! Synthetic OpenLineage events for benchmarks and demos.
