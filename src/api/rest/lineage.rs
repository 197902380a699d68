//! `/api/v1/lineage`: OpenLineage events in (`POST`, `POST /batch`).
//!
//! `POST /lineage` takes one event or an array and is all-or-nothing: one bad
//! event rejects the request and nothing is written. `POST /lineage/batch`
//! follows `OpenLineage.yml`: each event stands alone and the answer lists
//! the ones that failed. `GET /lineage` answers the lineage graph around a
//! node from the projection, in Marquez's shape.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::api::{ApiError, AppState, body};
use crate::error::ErrorCode;
use crate::log::Appended;
use crate::openlineage::ParseError;
use crate::openlineage::parse::is_array;
use crate::writer::WriteError;

/// Refuses a write without the configured API key (`Authorization: Bearer KEY`).
pub fn require_api_key(app: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(expected) = app.config.api_key.as_deref() else {
        return Ok(());
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        // The scheme is case-insensitive (RFC 9110 section 11.1).
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, key)| key.trim());
    if given == Some(expected) {
        Ok(())
    } else {
        Err(unauthorized())
    }
}

/// The answer to a write without the configured API key; GraphQL mutations
/// answer it too.
pub(crate) fn unauthorized() -> ApiError {
    ApiError::new(
        ErrorCode::Unauthorized,
        "this server requires an API key for writes: send `Authorization: Bearer <key>`",
    )
}

/// The answer to an event that does not parse (`malformed_json`) or is not
/// valid OpenLineage (`invalid_event`).
pub(crate) fn parse_error(err: ParseError) -> ApiError {
    let code = match err {
        ParseError::Syntax { .. } => ErrorCode::MalformedJson,
        _ => ErrorCode::InvalidEvent,
    };
    ApiError::new(code, err.to_string())
}

/// The answer to events the writer could not make durable.
pub(crate) fn write_error(err: &WriteError) -> ApiError {
    match err {
        WriteError::Closed => ApiError::new(ErrorCode::Unavailable, "the server is shutting down; retry"),
        other => ApiError::internal(other),
    }
}

/// `POST /api/v1/lineage`: one event or a JSON array of events; 201 once
/// durable, nothing written if any event is refused.
pub async fn post_lineage(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    require_api_key(&app, &headers)?;
    let bytes = body::read_json(&headers, body, app.config.max_body_bytes).await?;
    write_events(&app, bytes).await?;
    Ok(StatusCode::CREATED.into_response())
}

/// Validates one event or a JSON array of events and writes them, all or
/// nothing; resolves once they are durable and visible, with what the log
/// did with each (new or duplicate). `POST /lineage` and GraphQL's
/// `ingestEvent` and `setDatasetOwner` go through here.
pub(crate) async fn write_events(
    app: &AppState,
    bytes: impl AsRef<[u8]> + Send + 'static,
) -> Result<Vec<Appended>, ApiError> {
    // Parsing a large body takes milliseconds: keep it off the async workers.
    // The events are written from the same blocking thread, which frees
    // them once written (see `Writer::write_blocking`).
    let writer = app.writer.clone();
    tokio::task::spawn_blocking(move || {
        let bytes = bytes.as_ref();
        let many = is_array(bytes);
        let accepted = writer
            .accept_body(bytes)
            .map_err(parse_error)?
            .into_iter()
            .enumerate()
            .map(|(i, event)| event.map_err(|e| if many { e.within(&format!("[{i}]")) } else { e }))
            .collect::<Result<Vec<_>, _>>()
            .map_err(parse_error)?;
        if accepted.is_empty() {
            return Ok(Vec::new());
        }
        writer.write_blocking(accepted).map_err(|e| write_error(&e))
    })
    .await
    .map_err(ApiError::internal)?
}

/// The answer of `POST /lineage/batch`, as `OpenLineage.yml` defines it.
#[derive(Debug, Serialize)]
struct BatchAnswer {
    status: &'static str,
    summary: Summary,
    failed_events: Vec<FailedEvent>,
}

#[derive(Debug, Serialize)]
struct Summary {
    received: usize,
    successful: usize,
    failed: usize,
    retriable: usize,
    non_retriable: usize,
}

#[derive(Debug, Serialize)]
struct FailedEvent {
    index: usize,
    code: &'static str,
    reason: String,
    retriable: bool,
}

/// `POST /api/v1/lineage/batch`: an array of events, each accepted or refused
/// on its own; 200 with per-event results.
pub async fn post_lineage_batch(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    require_api_key(&app, &headers)?;
    let bytes = body::read_json(&headers, body, app.config.max_body_bytes).await?;
    if !is_array(&bytes) {
        return Err(ApiError::new(
            ErrorCode::InvalidEvent,
            "a batch is a JSON array of events",
        ));
    }
    // Parsed and written on one blocking thread, as `write_events` does.
    let writer = app.writer.clone();
    let (received, failed) = tokio::task::spawn_blocking(move || {
        let events = writer.accept_body(&bytes)?;
        let received = events.len();
        let mut failed = Vec::new();
        let mut accepted = Vec::new();
        let mut indices = Vec::new();
        for (index, event) in events.into_iter().enumerate() {
            match event {
                Ok(a) => {
                    indices.push(index);
                    accepted.push(a);
                }
                Err(err) => failed.push(FailedEvent {
                    index,
                    code: parse_error(err.clone()).0.code.as_str(),
                    reason: err.to_string(),
                    retriable: false,
                }),
            }
        }
        if !accepted.is_empty()
            && let Err(err) = writer.write_blocking(accepted)
        {
            // Nothing of this batch was acknowledged: every valid event may be retried.
            let api = write_error(&err);
            failed.extend(indices.into_iter().map(|index| FailedEvent {
                index,
                code: api.0.code.as_str(),
                reason: api.0.message.clone(),
                retriable: true,
            }));
            failed.sort_by_key(|f| f.index);
        }
        Ok::<_, ParseError>((received, failed))
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(parse_error)?;
    let retriable = failed.iter().filter(|f| f.retriable).count();
    let answer = BatchAnswer {
        status: if failed.is_empty() {
            "success"
        } else {
            "partial_success"
        },
        summary: Summary {
            received,
            successful: received - failed.len(),
            failed: failed.len(),
            retriable,
            non_retriable: failed.len() - retriable,
        },
        failed_events: failed,
    };
    Ok((StatusCode::OK, axum::Json(answer)).into_response())
}

// --- GET /api/v1/lineage: the lineage graph around a node ---

use std::collections::HashMap;

use axum::Json;

use super::datasets::DatasetJson;
use super::jobs::{JobIo, JobJson, job_io};
use super::{Params, blocking};
use crate::lineage::Direction;
use crate::openlineage::NodeId;
use crate::store::read;

/// Marquez's default depth.
const DEFAULT_DEPTH: usize = 20;

/// `{graph: [...]}`.
#[derive(Debug, Serialize)]
pub struct LineageGraph {
    graph: Vec<GraphNode>,
}

/// One node of the graph with the edges that touch it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphNode {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    /// `null` only if the store lost the entity the projection knows (never expected).
    data: Option<NodeData>,
    in_edges: Vec<GraphEdge>,
    out_edges: Vec<GraphEdge>,
}

/// The dataset or job object, as its own endpoint answers it.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum NodeData {
    /// A dataset node.
    Dataset(Box<DatasetJson>),
    /// A job node (with `latestRun`, without `latestRuns`).
    Job(Box<JobJson>),
}

/// An edge, in the direction data flows.
#[derive(Debug, Clone, Serialize)]
pub struct GraphEdge {
    origin: String,
    destination: String,
}

fn direction(params: &Params) -> Result<Direction, ApiError> {
    match params.get("direction").map(str::trim) {
        None => Ok(Direction::Both),
        Some(d) if d.eq_ignore_ascii_case("both") => Ok(Direction::Both),
        Some(d) if d.eq_ignore_ascii_case("upstream") => Ok(Direction::Upstream),
        Some(d) if d.eq_ignore_ascii_case("downstream") => Ok(Direction::Downstream),
        Some(other) => Err(ApiError::bad_parameter(format!(
            "`direction` must be upstream, downstream or both, got {other:?}"
        ))),
    }
}

/// `GET /api/v1/lineage?nodeId=&depth=20&direction=both&includeSiblings=false&asOf=`:
/// the datasets and jobs around `nodeId` (`dataset:NS:NAME` or `job:NS:NAME`),
/// up to `depth` job hops away; with `asOf`, the edges that held then.
///
/// Unlike Marquez, the default walk follows the arrows: upstream and
/// downstream of the node, not every job that merely reads a dataset on the
/// way; `includeSiblings=true` gives Marquez's undirected walk.
pub async fn get_lineage(
    State(app): State<AppState>,
    params: Params,
) -> Result<Json<LineageGraph>, ApiError> {
    let text = params
        .get("nodeId")
        .ok_or_else(|| ApiError::bad_parameter("`nodeId` is required, e.g. dataset:NAMESPACE:NAME"))?;
    let start = NodeId::parse(text).ok_or_else(|| {
        ApiError::bad_parameter(format!(
            "`nodeId` {text:?} is not dataset:NAMESPACE:NAME or job:NAMESPACE:NAME"
        ))
    })?;
    if let NodeId::DatasetField { .. } = start {
        return Err(ApiError::bad_parameter(format!(
            "`nodeId` {text:?} names a column: ask /api/v1/column-lineage"
        )));
    }
    let depth = params.count("depth", DEFAULT_DEPTH)?;
    let direction = direction(&params)?;
    let siblings = params.flag("includeSiblings", false)?;
    let as_of = params
        .time("asOf")?
        .map(crate::openlineage::Timestamp::unix_nanos);
    blocking(move || {
        // Walk and read job edges under one read lock, then let the writer go
        // while the store is read.
        let (subgraph, ios) = {
            let projection = app.views.projection();
            let subgraph = projection
                .lineage(&start, direction, depth, siblings, as_of)
                .ok_or_else(|| ApiError::not_found(format!("node {start} not found")))?;
            let ios: HashMap<NodeId, JobIo> = subgraph
                .nodes
                .iter()
                .filter_map(|id| match id {
                    NodeId::Job { namespace, name } => {
                        Some((id.clone(), job_io(&projection, namespace, name)))
                    }
                    _ => None,
                })
                .collect();
            (subgraph, ios)
        };
        let mut ins: HashMap<&NodeId, Vec<GraphEdge>> = HashMap::new();
        let mut outs: HashMap<&NodeId, Vec<GraphEdge>> = HashMap::new();
        for (from, to) in &subgraph.edges {
            let edge = GraphEdge {
                origin: from.to_string(),
                destination: to.to_string(),
            };
            outs.entry(from).or_default().push(edge.clone());
            ins.entry(to).or_default().push(edge);
        }
        let store = app.views.store();
        let mut graph = Vec::with_capacity(subgraph.nodes.len());
        for id in &subgraph.nodes {
            let (kind, data) = match id {
                NodeId::Dataset { namespace, name } => (
                    "DATASET",
                    read::dataset(store, namespace, name)
                        .map_err(ApiError::internal)?
                        .map(|ds| NodeData::Dataset(Box::new(ds.into()))),
                ),
                NodeId::Job { namespace, name } => (
                    "JOB",
                    read::job(store, namespace, name, 1)
                        .map_err(ApiError::internal)?
                        .map(|job| {
                            let io = ios.get(id).cloned().unwrap_or_default();
                            NodeData::Job(Box::new(JobJson::new(job, io, false)))
                        }),
                ),
                // The projection holds datasets and jobs only.
                NodeId::DatasetField { .. } => continue,
            };
            graph.push(GraphNode {
                id: id.to_string(),
                kind,
                data,
                in_edges: ins.remove(id).unwrap_or_default(),
                out_edges: outs.remove(id).unwrap_or_default(),
            });
        }
        Ok(Json(LineageGraph { graph }))
    })
    .await
}
