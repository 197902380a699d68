//! `GET /api/v1/impact`: what a change to a dataset, column or job affects,
//! at any depth, with distances, paths, and the data products, domains and
//! owners to tell (from the catalog, [`crate::catalog`]); as JSON or,
//! with `Accept: text/csv`, as a flat CSV list of every affected node.
//!
//! `GET /api/v1/lineage/diff`: the lineage edges that appeared or
//! disappeared between two times.

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::{Params, blocking};
use crate::api::{ApiError, AppState};
use crate::lineage::ids::{Id, Kind};
use crate::lineage::impact::{ImpactError, ImpactQuery, Level, Towards};
use crate::lineage::report::{self, Listing};
use crate::openlineage::{NodeId, Timestamp};

/// Nodes listed per page unless `limit` says otherwise.
const DEFAULT_LIMIT: usize = 100;

/// The query string of `/impact`.
struct Ask {
    start: NodeId,
    query: ImpactQuery,
    listing: Listing,
}

fn ask(params: &Params) -> Result<Ask, ApiError> {
    let text = params.get("nodeId").ok_or_else(|| {
        ApiError::bad_parameter(
            "`nodeId` is required, e.g. dataset:NAMESPACE:NAME or datasetField:NAMESPACE:NAME:FIELD",
        )
    })?;
    let start = NodeId::parse(text).ok_or_else(|| {
        ApiError::bad_parameter(format!(
            "`nodeId` {text:?} is not dataset:NAMESPACE:NAME, datasetField:NAMESPACE:NAME:FIELD or job:NAMESPACE:NAME"
        ))
    })?;
    let towards = match params.get("direction").map(str::trim) {
        None => Towards::Downstream,
        Some(d) if d.eq_ignore_ascii_case("downstream") => Towards::Downstream,
        Some(d) if d.eq_ignore_ascii_case("upstream") => Towards::Upstream,
        Some(other) => {
            return Err(ApiError::bad_parameter(format!(
                "`direction` must be downstream or upstream, got {other:?}"
            )));
        }
    };
    let implied = match start {
        NodeId::DatasetField { .. } => Level::Column,
        _ => Level::Dataset,
    };
    let level = level(params, implied)?;
    if level == Level::Dataset && matches!(start, NodeId::DatasetField { .. }) {
        return Err(ApiError::bad_parameter(
            "a datasetField starts a column-level walk: drop `level` or say level=column",
        ));
    }
    let depth = match params.get("depth") {
        None => None,
        Some(_) => Some(u32::try_from(params.count("depth", 0)?).unwrap_or(u32::MAX)),
    };
    let list = |name: &str| -> Vec<String> {
        params
            .get(name)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let kinds = list("types")
        .iter()
        .map(|t| match t.to_ascii_uppercase().as_str() {
            "DATASET" => Ok(Kind::Dataset),
            "JOB" => Ok(Kind::Job),
            "DATASET_FIELD" | "COLUMN" => Ok(Kind::Column),
            _ => Err(ApiError::bad_parameter(format!(
                "`types` lists DATASET, JOB or DATASET_FIELD, got {t:?}"
            ))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let limit = match params.get("limit").map(str::trim) {
        Some(all) if all.eq_ignore_ascii_case("all") => None,
        _ => Some(params.count("limit", DEFAULT_LIMIT)?),
    };
    Ok(Ask {
        start,
        query: ImpactQuery {
            towards,
            depth,
            level,
            as_of: params.time("asOf")?.map(Timestamp::unix_nanos),
            exclude_indirect: params.flag("excludeIndirect", false)?,
            exclude_masked: params.flag("excludeMasked", false)?,
            namespaces: list("namespaces"),
            kinds,
        },
        listing: Listing {
            offset: params.count("offset", 0)?,
            limit,
            // Whole paths for a page; a full export gives `via`, the same
            // paths in compact form, unless asked.
            paths: params.flag("paths", limit.is_some())?,
        },
    })
}

/// `level=dataset|column`.
fn level(params: &Params, default: Level) -> Result<Level, ApiError> {
    match params.get("level").map(str::trim) {
        None => Ok(default),
        Some(l) if l.eq_ignore_ascii_case("dataset") => Ok(Level::Dataset),
        Some(l) if l.eq_ignore_ascii_case("column") => Ok(Level::Column),
        Some(other) => Err(ApiError::bad_parameter(format!(
            "`level` must be dataset or column, got {other:?}"
        ))),
    }
}

fn impact_error(err: ImpactError) -> ApiError {
    match err {
        ImpactError::Unknown(_) => ApiError::not_found(err.to_string()),
        ImpactError::ColumnLevelFromJob => ApiError::bad_parameter(err.to_string()),
    }
}

/// Whether the client asked for CSV.
fn wants_csv(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.split(',').any(|t| t.trim().starts_with("text/csv")))
}

/// `GET /api/v1/impact?nodeId=…&direction=downstream&depth=&level=dataset&asOf=&namespaces=&types=&excludeIndirect=&excludeMasked=&limit=100&offset=0&paths=true`.
pub async fn get_impact(
    State(app): State<AppState>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, ApiError> {
    let ask = ask(&params)?;
    let csv = wants_csv(&headers);
    blocking(move || {
        // The products exposing datasets, taken before the projection is
        // locked (the CSV list has no groups).
        let described = (!csv)
            .then(|| app.views.described())
            .transpose()
            .map_err(ApiError::internal)?;
        let projection = app.views.projection();
        let impact = projection.impact(&ask.start, &ask.query).map_err(impact_error)?;
        let Some(described) = described else {
            let body = report::csv(&projection, &impact).map_err(ApiError::internal)?;
            drop(projection);
            return Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response());
        };
        let answer = report::report(
            &projection,
            &ask.start,
            &ask.query,
            &impact,
            &ask.listing,
            &described.exposure,
        );
        drop(projection);
        let body = serde_json::to_vec(&answer).map_err(ApiError::internal)?;
        Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
    })
    .await
}

/// One edge of a diff.
#[derive(Debug, Serialize)]
struct LinkJson {
    origin: String,
    destination: String,
    job: String,
}

/// `GET /api/v1/lineage/diff?from=T1&to=T2&level=dataset`: the edges that
/// appeared and disappeared between two times (`to` defaults to now).
pub async fn get_lineage_diff(State(app): State<AppState>, params: Params) -> Result<Response, ApiError> {
    let from = params
        .time("from")?
        .ok_or_else(|| ApiError::bad_parameter("`from` is required, e.g. 2024-01-31T00:00:00Z"))?;
    let to = params.time("to")?;
    if to.is_some_and(|to| to.unix_nanos() < from.unix_nanos()) {
        return Err(ApiError::bad_parameter("`to` is before `from`"));
    }
    let level = level(&params, Level::Dataset)?;
    blocking(move || {
        let projection = app.views.projection();
        let diff = projection.diff(from.unix_nanos(), to.map(Timestamp::unix_nanos), level);
        let ids = projection.ids();
        let links = |links: &[crate::lineage::diff::Link]| -> Vec<LinkJson> {
            links
                .iter()
                .map(|l| LinkJson {
                    origin: ids.node_id(l.from).to_string(),
                    destination: ids.node_id(l.to).to_string(),
                    job: ids.node_id(l.job).to_string(),
                })
                .collect()
        };
        let answer = serde_json::json!({
            "from": from.to_rfc3339_utc(),
            "to": to.map(Timestamp::to_rfc3339_utc),
            "level": if level == Level::Column { "column" } else { "dataset" },
            "appeared": links(&diff.appeared),
            "disappeared": links(&diff.disappeared),
        });
        Ok(axum::Json(answer).into_response())
    })
    .await
}

/// One column of a Marquez column-lineage graph.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ColumnNode {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    data: ColumnData,
    in_edges: Vec<ColumnEdge>,
    out_edges: Vec<ColumnEdge>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ColumnData {
    namespace: String,
    dataset: String,
    field: String,
    field_type: Option<String>,
    transformation_description: Option<String>,
    transformation_type: Option<&'static str>,
    input_fields: Vec<InputFieldJson>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct InputFieldJson {
    namespace: String,
    dataset: String,
    field: String,
    transformation_description: Option<String>,
    transformation_type: Option<&'static str>,
    /// `DIRECT` or `INDIRECT`, with the subtype in `transformationType`.
    transformation_kind: Option<&'static str>,
    masking: bool,
}

#[derive(Debug, Serialize)]
struct ColumnEdge {
    origin: String,
    destination: String,
}

/// `GET /api/v1/column-lineage?nodeId=…&depth=20&withDownstream=false&asOf=`, as
/// Marquez answers it: the columns upstream of a column (or of every column
/// of a dataset), and downstream too if asked, with their current
/// derivations (or those that held at `asOf`).
pub async fn get_column_lineage(State(app): State<AppState>, params: Params) -> Result<Response, ApiError> {
    let text = params.get("nodeId").ok_or_else(|| {
        ApiError::bad_parameter(
            "`nodeId` is required, e.g. datasetField:NAMESPACE:NAME:FIELD or dataset:NAMESPACE:NAME",
        )
    })?;
    let start = NodeId::parse(text).ok_or_else(|| {
        ApiError::bad_parameter(format!(
            "`nodeId` {text:?} is not datasetField:NAMESPACE:NAME:FIELD or dataset:NAMESPACE:NAME"
        ))
    })?;
    let depth = u32::try_from(params.count("depth", 20)?).unwrap_or(u32::MAX);
    let downstream = params.flag("withDownstream", false)?;
    let as_of = params.time("asOf")?.map(Timestamp::unix_nanos);
    blocking(move || {
        let projection = app.views.projection();
        let members = projection
            .column_lineage(&start, depth, true, downstream, as_of)
            .map_err(impact_error)?;
        let seen: std::collections::HashSet<Id> = members.iter().copied().collect();
        let ids = projection.ids();
        let mut nodes = Vec::with_capacity(members.len());
        for &id in &members {
            let mut input_fields = Vec::new();
            let mut in_edges = Vec::new();
            for link in projection.derivations_at(id, petgraph::Direction::Incoming, as_of) {
                let (from, t) = (link.from, link.transform);
                input_fields.push(InputFieldJson {
                    namespace: ids.namespace(from).to_owned(),
                    dataset: ids.name(from).to_owned(),
                    field: ids.field(from).unwrap_or_default().to_owned(),
                    transformation_description: None,
                    transformation_type: t.subtype().or(t.kind()),
                    transformation_kind: t.kind(),
                    masking: t.masking,
                });
                if seen.contains(&from) {
                    in_edges.push(ColumnEdge {
                        origin: ids.node_id(from).to_string(),
                        destination: ids.node_id(id).to_string(),
                    });
                }
            }
            let out_edges = projection
                .derivations_at(id, petgraph::Direction::Outgoing, as_of)
                .map(|link| link.to)
                .filter(|to| seen.contains(to))
                .map(|to| ColumnEdge {
                    origin: ids.node_id(id).to_string(),
                    destination: ids.node_id(to).to_string(),
                })
                .collect();
            nodes.push(ColumnNode {
                id: ids.node_id(id).to_string(),
                kind: "DATASET_FIELD",
                data: ColumnData {
                    namespace: ids.namespace(id).to_owned(),
                    dataset: ids.name(id).to_owned(),
                    field: ids.field(id).unwrap_or_default().to_owned(),
                    field_type: None,
                    transformation_description: None,
                    transformation_type: input_fields.first().and_then(|f| f.transformation_type),
                    input_fields,
                },
                in_edges,
                out_edges,
            });
        }
        Ok(axum::Json(serde_json::json!({ "graph": nodes })).into_response())
    })
    .await
}
