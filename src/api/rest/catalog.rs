//! The data-mesh catalog over REST: `/api/v1/products`, `/api/v1/domains`,
//! `/api/v1/concepts` and the concepts of a dataset
//! (`/api/v1/namespaces/{namespace}/datasets/{dataset}/concepts`).
//!
//! Ids are IRIs, percent-encoded as one path segment
//! (`/api/v1/products/https%3A%2F%2Fexample.com%2Fproducts%2Forders`).
//! Lists are Marquez-style `{"products": [...], "totalCount": n}` with
//! `limit` (default 100) and `offset`. The catalog ([`crate::catalog`])
//! runs in a blocking task; handlers only shape its answers.

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use super::datasets::dataset_not_found;
use super::{Params, Segments, blocking};
use crate::api::{ApiError, AppState};
use crate::catalog::concepts::{self, Concept, ConceptDetail, DatasetConcepts};
use crate::catalog::{Catalog, CatalogError, Domain, Product};
use crate::store::read::Page;

fn internal(err: CatalogError) -> ApiError {
    ApiError::internal(err)
}

fn page<T>(items: Vec<T>, page: Page) -> (Vec<T>, usize) {
    let total = items.len();
    (
        items.into_iter().skip(page.offset).take(page.limit).collect(),
        total,
    )
}

/// `{products: [...], totalCount}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductList {
    products: Vec<Product>,
    total_count: usize,
}

/// `GET /api/v1/products`: every data product, by IRI (`limit`, `offset`).
pub async fn get_products(
    State(app): State<AppState>,
    params: Params,
) -> Result<Json<ProductList>, ApiError> {
    let page_of = params.page()?;
    let catalog = blocking(move || Catalog::read(&app.views).map_err(internal)).await?;
    let (products, total_count) = page(catalog.products, page_of);
    Ok(Json(ProductList {
        products,
        total_count,
    }))
}

/// `GET /api/v1/products/{id}`: one data product; 404 if no product has that IRI.
pub async fn get_product(
    State(app): State<AppState>,
    Segments(id): Segments<String>,
) -> Result<Json<Product>, ApiError> {
    let catalog = blocking(move || Catalog::read(&app.views).map_err(internal)).await?;
    catalog
        .products
        .into_iter()
        .find(|p| p.id == id)
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no data product {id:?}")))
}

/// `{domains: [...], totalCount}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainList {
    domains: Vec<Domain>,
    total_count: usize,
}

/// `GET /api/v1/domains`: every domain, by IRI (`limit`, `offset`).
pub async fn get_domains(State(app): State<AppState>, params: Params) -> Result<Json<DomainList>, ApiError> {
    let page_of = params.page()?;
    let catalog = blocking(move || Catalog::read(&app.views).map_err(internal)).await?;
    let (domains, total_count) = page(catalog.domains, page_of);
    Ok(Json(DomainList { domains, total_count }))
}

/// `GET /api/v1/domains/{id}`: one domain; 404 if unknown.
pub async fn get_domain(
    State(app): State<AppState>,
    Segments(id): Segments<String>,
) -> Result<Json<Domain>, ApiError> {
    let catalog = blocking(move || Catalog::read(&app.views).map_err(internal)).await?;
    catalog
        .domains
        .into_iter()
        .find(|d| d.id == id)
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no domain {id:?}")))
}

/// `{concepts: [...], totalCount}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConceptList {
    concepts: Vec<Concept>,
    total_count: usize,
}

/// `GET /api/v1/concepts`: every concept, by IRI (`limit`, `offset`).
pub async fn get_concepts(
    State(app): State<AppState>,
    params: Params,
) -> Result<Json<ConceptList>, ApiError> {
    let page_of = params.page()?;
    let all = blocking(move || concepts::concepts(&app.views).map_err(internal)).await?;
    let (concepts, total_count) = page(all, page_of);
    Ok(Json(ConceptList {
        concepts,
        total_count,
    }))
}

/// `GET /api/v1/concepts/{iri}`: a concept with the datasets, columns,
/// products and domains that carry it; 404 if unknown.
pub async fn get_concept(
    State(app): State<AppState>,
    Segments(id): Segments<String>,
) -> Result<Json<ConceptDetail>, ApiError> {
    let lookup = id.clone();
    blocking(move || concepts::concept(&app.views, &lookup).map_err(internal))
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no concept {id:?}")))
}

/// `GET /api/v1/namespaces/{namespace}/datasets/{dataset}/concepts`: the
/// concepts a dataset and its columns carry; 404 if pipelines never reported
/// the dataset and no description gives it a concept.
pub async fn get_dataset_concepts(
    State(app): State<AppState>,
    Segments((namespace, name)): Segments<(String, String)>,
) -> Result<Json<DatasetConcepts>, ApiError> {
    let (ns, n) = (namespace.clone(), name.clone());
    blocking(move || concepts::dataset_concepts(&app.views, &ns, &n).map_err(internal))
        .await?
        .map(Json)
        .ok_or_else(|| dataset_not_found(&namespace, &name))
}
