//! Readers over the RDF store: entities as the REST and GraphQL layers need them.
