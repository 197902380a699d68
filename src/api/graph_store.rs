//! `/store`: the [SPARQL 1.1 Graph Store Protocol].
//!
//! `GET /store?graph=IRI` answers one named graph, `GET /store?default` the
//! store's default graph, and `GET /store` the whole dataset (named graphs
//! included, so only in N-Quads, TriG or JSON-LD), as oxigraph's server
//! does. `HEAD` answers the same status and headers without the body. A
//! named graph the store does not hold is 404; a format the `Accept` header
//! does not allow is 406 ([`super::negotiate`]).
//!
//! Writes go through the durable log like every write, as one change each:
//! `PUT` replaces a graph with the document (201 if the graph is new, 204
//! otherwise), `POST` adds the document to a graph, or, to `/store` itself,
//! adds a TriG or N-Quads dataset or makes a new graph for a triples
//! document (201 with its IRI in `Location`), and `DELETE` drops a graph
//! (404 if there is none). The document is parsed whole before it is
//! logged: a syntax error is a 400 naming line and column, and nothing of
//! it is written. With `--api-key`, writes need the key.
//!
//! `graph` must be an absolute IRI: behind a proxy the server cannot know
//! its own URL, so it does not resolve relative ones against it.
//!
//! [SPARQL 1.1 Graph Store Protocol]: https://www.w3.org/TR/sparql11-http-rdf-update/

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::Method;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use oxigraph::io::RdfFormat;
use oxigraph::model::{GraphNameRef, NamedNode};

use super::negotiate::{self, negotiate};
use super::rest::lineage::require_api_key;
use super::sparql::{change_error, content_type, read_body, write_error};
use super::{ApiError, AppState};
use crate::error::ErrorCode;
use crate::store::change::{self, Document, Mode, RdfChange};
use crate::store::{document, iri};
use crate::writer::Staged;

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

/// `PUT`, `POST` or `DELETE /store`: a write, through the log.
pub async fn write_store(
    State(app): State<AppState>,
    method: Method,
    headers: HeaderMap,
    RawQuery(url): RawQuery,
    body: Body,
) -> Result<Response, ApiError> {
    require_api_key(&app, &headers)?;
    let target = Target::read(url.as_deref())?;
    let existed = {
        let store = app.views.store().oxigraph().clone();
        let target = match &target {
            Target::Named(graph) => Some(graph.clone()),
            Target::Default | Target::Dataset => None,
        };
        super::rest::blocking(move || match target {
            Some(graph) => store.contains_named_graph(&graph).map_err(ApiError::internal),
            None => Ok(true),
        })
        .await?
    };
    if method == Method::DELETE {
        let dropped = match target {
            Target::Named(graph) if !existed => {
                return Err(ApiError::not_found(format!("the store has no graph {graph}")));
            }
            Target::Named(graph) => change::Target::Named(graph),
            Target::Default => change::Target::Default,
            Target::Dataset => {
                return Err(ApiError::bad_parameter(
                    "DELETE needs `graph` or `default`: the whole dataset is not deleted at once",
                ));
            }
        };
        let staged = Staged::new(RdfChange::Drop(dropped));
        app.writer.change(staged).await.map_err(|e| write_error(&e))?;
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let format = rdf_format(&headers)?;
    let quads = matches!(format, RdfFormat::TriG | RdfFormat::NQuads);
    let mode = if method == Method::PUT {
        Mode::Replace
    } else {
        Mode::Add
    };
    // Where the document goes; a new graph is named here, so the log and
    // every replay put it in the same place.
    let (target, created) = match target {
        Target::Named(_) | Target::Default if quads => {
            return Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                format!(
                    "{} holds named graphs; a graph takes a triples format (Turtle, N-Triples, RDF/XML, JSON-LD)",
                    format.media_type()
                ),
            ));
        }
        Target::Named(graph) => (change::Target::Named(graph), None),
        Target::Default => (change::Target::Default, None),
        Target::Dataset if mode == Mode::Replace => {
            return Err(ApiError::bad_parameter(
                "PUT needs `graph` or `default`: the whole dataset is not replaced at once",
            ));
        }
        Target::Dataset if quads => (change::Target::Default, None),
        Target::Dataset => {
            let graph = iri::new_graph(uuid::Uuid::new_v4());
            (change::Target::Named(graph.clone()), Some(graph))
        }
    };
    let bytes = read_body(body, &app.config).await?;
    let base = match &target {
        change::Target::Named(graph) => Some(graph.as_str().to_owned()),
        change::Target::Default => None,
    };
    let staged = super::rest::blocking(move || {
        Document::check(mode, target, format, base, bytes.into())
            .map(|(doc, _)| Staged::new(RdfChange::Document(doc)))
            .map_err(|err| change_error(err.into()))
    })
    .await?;
    app.writer.change(staged).await.map_err(|e| write_error(&e))?;
    Ok(match created {
        Some(graph) => (
            StatusCode::CREATED,
            [(
                header::LOCATION,
                HeaderValue::from_str(&format!("/store?graph={}", iri::segment(graph.as_str())))
                    .map_err(ApiError::internal)?,
            )],
        )
            .into_response(),
        None if !existed => StatusCode::CREATED.into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

/// The RDF format of a request body, from its `Content-Type` (415 otherwise).
fn rdf_format(headers: &HeaderMap) -> Result<RdfFormat, ApiError> {
    let given = content_type(headers);
    given
        .as_deref()
        .and_then(document::format_of_media_type)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::UnsupportedMediaType,
                format!(
                    "{}; send one of {}",
                    given.map_or("no Content-Type".to_owned(), |t| format!(
                        "unsupported Content-Type {t:?}"
                    )),
                    document::FORMATS.map(|f| f.media_type()).join(", ")
                ),
            )
        })
}
