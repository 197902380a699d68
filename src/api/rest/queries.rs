//! The named SPARQL queries over REST ([`crate::store::queries`]):
//! `GET /api/v1/queries` lists them, `GET /api/v1/queries/{name}?param=value`
//! runs one and answers SPARQL 1.1 JSON results.
//!
//! Each query-string parameter binds the query variable of that name, as a
//! term of the kind the query declares: an `iri` parameter takes an
//! absolute IRI, bare or in `<...>`; a `literal` parameter takes any text,
//! bound as a plain literal exactly as given; a `term` parameter is an IRI
//! if the text is in `<...>` or parses as an absolute IRI (has a scheme),
//! else a plain literal; an `iris` parameter takes IRIs separated by spaces,
//! the rows of the query's `VALUES` block. Values are bound into the parsed
//! query, never pasted into its text. A missing, unknown or ill-formed parameter is a
//! 400 `invalid_parameter`; an unknown query a 404 `not_found`. A query
//! that outlives the query timeout is cancelled: 503 `query_timeout`, as on
//! `/sparql`.

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use oxigraph::sparql::{QueryEvaluationError, QueryResults, SparqlEvaluator};
use serde::Serialize;

use super::{Segments, blocking};
use crate::api::sparql::{Deadline, timed_out};
use crate::api::{ApiError, AppState, results_json};
use crate::store::queries::{self, Parameter, QueryError};

/// The media type of SPARQL JSON results.
const SPARQL_JSON: &str = "application/sparql-results+json";

/// One named query, described.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryJson {
    name: &'static str,
    purpose: String,
    parameters: Vec<Parameter>,
    caller: String,
    /// The SPARQL text, header included.
    query: &'static str,
}

/// `{queries: [...]}`.
#[derive(Debug, Serialize)]
pub struct QueryList {
    queries: Vec<QueryJson>,
}

/// `GET /api/v1/queries`: every named query with its purpose, parameters,
/// caller and text.
pub async fn get_queries() -> Json<QueryList> {
    let queries = queries::ALL
        .iter()
        .map(|q| {
            let header = q.header();
            QueryJson {
                name: q.name,
                purpose: header.purpose.clone(),
                parameters: q.parameters().to_vec(),
                caller: header.caller.clone(),
                query: q.text,
            }
        })
        .collect();
    Json(QueryList { queries })
}

fn query_error(err: QueryError) -> ApiError {
    match err {
        QueryError::Unknown(_) => ApiError::not_found(err.to_string()),
        QueryError::MissingParameter { .. }
        | QueryError::UnknownParameter { .. }
        | QueryError::InvalidParameter { .. } => ApiError::bad_parameter(err.to_string()),
        _ => ApiError::internal(err),
    }
}

/// `GET /api/v1/queries/{name}?param=value`: runs a named query with its
/// parameters bound and answers `application/sparql-results+json`.
pub async fn get_query(
    State(app): State<AppState>,
    Segments(name): Segments<String>,
    params: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(params) = params.map_err(|e| ApiError::bad_parameter(e.body_text()))?;
    let query = queries::get(&name).ok_or_else(|| query_error(QueryError::Unknown(name.clone())))?;
    let mut given: Vec<&String> = params.keys().collect();
    given.sort();
    if let Some(extra) = given
        .into_iter()
        .find(|k| !query.parameters().iter().any(|p| &p.name == *k))
    {
        let declared: Vec<&str> = query.parameters().iter().map(|p| p.name.as_str()).collect();
        return Err(query_error(QueryError::UnknownParameter {
            query: query.name,
            parameter: extra.clone(),
            declared: if declared.is_empty() {
                "none".to_owned()
            } else {
                declared.join(", ")
            },
        }));
    }
    let bindings = query
        .bind_texts(|p| params.get(p).map(String::as_str))
        .map_err(query_error)?
        .into_iter()
        .map(|(name, term)| (name.to_owned(), term))
        .collect::<Vec<_>>();
    let timeout = app.config.query_timeout;
    let deadline = Deadline::start(timeout);
    let evaluator = SparqlEvaluator::new().with_cancellation_token(deadline.token());
    let body = blocking(move || {
        let bindings: Vec<(&str, _)> = bindings.iter().map(|(n, t)| (n.as_str(), t.clone())).collect();
        let evaluation_error = |err: QueryEvaluationError| match err {
            QueryEvaluationError::Cancelled => timed_out(timeout),
            other => ApiError::internal(other),
        };
        // QueryResults is not Send: evaluate and serialize here.
        let results = query
            .execute(evaluator, app.views.store(), &bindings)
            .map_err(|err| match err {
                QueryError::Evaluation { source, .. } => evaluation_error(source),
                other => query_error(other),
            })?;
        serialize(results, evaluation_error)
    })
    .await;
    deadline.stop();
    Ok(([(header::CONTENT_TYPE, SPARQL_JSON)], body?).into_response())
}

/// SPARQL JSON results of a `SELECT` or `ASK`, written as `/sparql` writes them.
fn serialize(
    results: QueryResults<'_>,
    evaluation_error: impl Fn(QueryEvaluationError) -> ApiError,
) -> Result<Vec<u8>, ApiError> {
    match results {
        QueryResults::Boolean(value) => Ok(results_json::boolean(value)),
        QueryResults::Solutions(solutions) => {
            let mut writer = results_json::Solutions::new(solutions.variables());
            for solution in solutions {
                writer.write(&solution.map_err(&evaluation_error)?);
            }
            Ok(writer.finish())
        }
        QueryResults::Graph(_) => Err(ApiError::internal("named queries are SELECT or ASK queries")),
    }
}
