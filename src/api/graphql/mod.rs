//! GraphQL (`/graphql`): placeholder for the schema core; only the mesh
//! fields live here so far.

pub mod mesh;

use async_graphql::{EmptyMutation, EmptySubscription, Schema};

use crate::api::AppState;

/// A schema of the mesh fields alone over `app`, for tests.
pub fn schema_for_tests(app: AppState) -> Schema<mesh::MeshQuery, EmptyMutation, EmptySubscription> {
    Schema::build(mesh::MeshQuery, EmptyMutation, EmptySubscription)
        .data(app)
        .finish()
}
