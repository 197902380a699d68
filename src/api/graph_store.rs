//! `/store`: the read side of the [SPARQL 1.1 Graph Store Protocol].
//!
//! `GET /store?graph=IRI` answers one named graph, `GET /store?default` the
//! store's default graph, and `GET /store` the whole dataset (named graphs
//! included, so only in N-Quads, TriG or JSON-LD), as oxigraph's server
//! does. `HEAD` answers the same status and headers without the body. A
//! named graph the store does not hold is 404; a format the `Accept` header
//! does not allow is 406 ([`super::negotiate`]).
//!
//! Writes (`PUT`, `POST`, `DELETE`) are not served here: like every write,
//! they must go through the durable log.
//!
//! `graph` must be an absolute IRI: behind a proxy the server cannot know
//! its own URL, so it does not resolve relative ones against it.
//!
//! [SPARQL 1.1 Graph Store Protocol]: https://www.w3.org/TR/sparql11-http-rdf-update/

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use oxigraph::io::RdfFormat;
use oxigraph::model::{GraphNameRef, NamedNode};

use super::negotiate::{self, negotiate};
use super::{ApiError, AppState};

/// What a request addresses.
enum Target {
    /// `?graph=IRI`: one named graph.
    Named(NamedNode),
    /// `?default`: the store's own default graph. Not the union of all
    /// graphs that queries see as their default graph: the Graph Store
    /// Protocol addresses graphs as stored, so that a later `PUT ?default`
    /// replaces exactly what `GET ?default` shows. meshgraph keeps what it
    /// derives in named graphs, so this graph is normally empty, and it
    /// always exists (as in oxigraph).
    Default,
    /// Neither: the whole dataset.
    Dataset,
}

impl Target {
    fn read(url: Option<&str>) -> Result<Self, ApiError> {
        let mut graph = None;
        let mut default = false;
        for (name, value) in form_urlencoded::parse(url.unwrap_or_default().as_bytes()) {
            match name.as_ref() {
                "graph" if graph.is_some() => {
                    return Err(ApiError::bad_parameter("more than one `graph` parameter"));
                }
                "graph" => {
                    graph = Some(NamedNode::new(value.as_ref()).map_err(|e| {
                        ApiError::bad_parameter(format!(
                            "`graph` must be an absolute IRI, got {value:?}: {e}"
                        ))
                    })?);
                }
                "default" => default = true,
                _ => {}
            }
        }
        match (graph, default) {
            (Some(_), true) => Err(ApiError::bad_parameter("give `graph` or `default`, not both")),
            (Some(graph), false) => Ok(Self::Named(graph)),
            (None, true) => Ok(Self::Default),
            (None, false) => Ok(Self::Dataset),
        }
    }

    /// The formats this target can be written in.
    fn formats(&self) -> &'static [RdfFormat] {
        match self {
            Self::Named(_) | Self::Default => negotiate::GRAPH,
            Self::Dataset => negotiate::DATASET,
        }
    }
}

/// `GET /store`: a graph, or the whole dataset.
pub async fn get_store(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(url): RawQuery,
) -> Result<Response, ApiError> {
    let target = Target::read(url.as_deref())?;
    let store = app.views.store().oxigraph().clone();
    let (format, bytes) = super::rest::blocking(move || {
        check_exists(&store, &target)?;
        let format = negotiate(&headers, target.formats())?;
        let bytes = match &target {
            Target::Named(graph) => store.dump_graph_to_writer(graph, format, Vec::new()),
            Target::Default => store.dump_graph_to_writer(GraphNameRef::DefaultGraph, format, Vec::new()),
            Target::Dataset => store.dump_to_writer(format, Vec::new()),
        }
        .map_err(ApiError::internal)?;
        Ok((format, bytes))
    })
    .await?;
    Ok((headers_for(format), bytes).into_response())
}

/// `HEAD /store`: the status and headers of `GET`, without the body.
pub async fn head_store(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(url): RawQuery,
) -> Response {
    let answer = async {
        let target = Target::read(url.as_deref())?;
        let store = app.views.store().oxigraph().clone();
        super::rest::blocking(move || {
            check_exists(&store, &target)?;
            negotiate(&headers, target.formats())
        })
        .await
    };
    match answer.await {
        Ok(format) => (headers_for(format), Body::empty()).into_response(),
        // A HEAD answer has no body, errors included.
        Err(err) => {
            let status =
                StatusCode::from_u16(err.0.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, Body::empty()).into_response()
        }
    }
}

/// 404 for a named graph the store does not hold.
fn check_exists(store: &oxigraph::store::Store, target: &Target) -> Result<(), ApiError> {
    if let Target::Named(graph) = target
        && !store.contains_named_graph(graph).map_err(ApiError::internal)?
    {
        return Err(ApiError::not_found(format!("the store has no graph {graph}")));
    }
    Ok(())
}

fn headers_for(format: RdfFormat) -> [(header::HeaderName, HeaderValue); 2] {
    [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static(format.media_type()),
        ),
        (header::VARY, HeaderValue::from_static("accept")),
    ]
}
