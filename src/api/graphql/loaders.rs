//! DataLoaders: when a page of items each asks for the same kind of thing
//! (every job of a page its input datasets, every dataset its data
//! products or its concepts), the requests made together are answered by one blocking task
//! over one catalog read, not one per item.
//!
//! The loaders live in the schema's data and do not cache: they only batch
//! what is asked at the same time, so an answer is never older than the
//! request.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;

use super::gql_error;
use crate::api::rest::blocking;
use crate::api::{ApiError, AppState};
use crate::catalog::Catalog;
use crate::catalog::concepts::{self, DatasetConcept};
use crate::lineage::report::ExposedProduct;
use crate::openlineage::NodeId;
use crate::store::read::{self, DatasetInfo};

/// A dataset's identity: namespace and name.
pub type DatasetKey = (String, String);

/// Datasets by namespace and name, read from the store.
pub struct DatasetLoader(pub AppState);

impl Loader<DatasetKey> for DatasetLoader {
    type Value = DatasetInfo;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[DatasetKey]) -> Result<HashMap<DatasetKey, DatasetInfo>, Self::Error> {
        let app = self.0.clone();
        let keys = keys.to_vec();
        blocking(move || {
            let mut found = HashMap::with_capacity(keys.len());
            for (namespace, name) in keys {
                if let Some(info) =
                    read::dataset(app.views.store(), &namespace, &name).map_err(ApiError::internal)?
                {
                    found.insert((namespace, name), info);
                }
            }
            Ok(found)
        })
        .await
        .map_err(gql_error)
    }
}

/// The data products that expose each dataset (by their output ports), from
/// one read of the catalog per batch.
pub struct ProductLoader(pub AppState);

impl Loader<DatasetKey> for ProductLoader {
    type Value = Vec<ExposedProduct>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[DatasetKey],
    ) -> Result<HashMap<DatasetKey, Vec<ExposedProduct>>, Self::Error> {
        let app = self.0.clone();
        let keys = keys.to_vec();
        blocking(move || {
            let exposure = Catalog::read_store(app.views.store())
                .map_err(ApiError::internal)?
                .exposure();
            Ok(keys
                .into_iter()
                .map(|(namespace, name)| {
                    let id = NodeId::Dataset {
                        namespace: namespace.clone(),
                        name: name.clone(),
                    };
                    let products = exposure.products_of(&id).cloned().collect();
                    ((namespace, name), products)
                })
                .collect())
        })
        .await
        .map_err(gql_error)
    }
}

/// The concepts each dataset and its columns carry, as REST's
/// `/namespaces/{ns}/datasets/{name}/concepts` lists them: one read of the
/// concept index, the catalog and the concept statements per batch
/// ([`concepts::datasets_concepts`]).
pub struct ConceptLoader(pub AppState);

impl Loader<DatasetKey> for ConceptLoader {
    type Value = Vec<DatasetConcept>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[DatasetKey],
    ) -> Result<HashMap<DatasetKey, Vec<DatasetConcept>>, Self::Error> {
        let app = self.0.clone();
        let keys = keys.to_vec();
        blocking(move || concepts::datasets_concepts(&app.views, &keys).map_err(ApiError::internal))
            .await
            .map_err(gql_error)
    }
}
