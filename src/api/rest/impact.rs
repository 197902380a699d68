//! `GET /api/v1/impact`: what a change to a dataset, column or job affects,
//! at any depth, with distances, paths and the owners to tell; as JSON or,
//! with `Accept: text/csv`, as a flat CSV list of every affected node.
//!
//! `GET /api/v1/lineage/diff`: the lineage edges that appeared or
//! disappeared between two times.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::{Params, blocking};
use crate::api::{ApiError, AppState};
use crate::lineage::Projection;
use crate::lineage::ids::{Id, Kind};
use crate::lineage::impact::{Impact, ImpactError, ImpactQuery, Level, Reached, Towards};
use crate::openlineage::{NodeId, Timestamp};

/// Nodes listed per page unless `limit` says otherwise.
const DEFAULT_LIMIT: usize = 100;

/// The JSON answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ImpactJson {
    node_id: String,
    direction: &'static str,
    level: &'static str,
    depth: Option<u32>,
    as_of: Option<String>,
    /// Where the walk started (a dataset's columns at column level).
    start: Vec<String>,
    /// Whether the depth limit left nodes out.
    truncated: bool,
    counts: Counts,
    groups: Groups,
    nodes: Vec<NodeJson>,
    page: PageJson,
}

#[derive(Debug, Serialize)]
struct Counts {
    /// Every node the walk reached.
    reached: usize,
    /// Those the filters kept.
    listed: usize,
    datasets: usize,
    jobs: usize,
    columns: usize,
}

#[derive(Debug, Serialize)]
struct Groups {
    owners: Vec<OwnerJson>,
    /// Data products exposing affected datasets (from DPROD descriptions).
    products: Vec<serde_json::Value>,
    /// Their domains.
    domains: Vec<serde_json::Value>,
}

#[derive(Debug, Serialize)]
struct OwnerJson {
    name: String,
    #[serde(rename = "type")]
    kind: Option<String>,
    datasets: usize,
    jobs: usize,
    columns: usize,
}

#[derive(Debug, Serialize)]
struct NodeJson {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    namespace: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    distance: u32,
    /// The node before this one on a shortest path from the start.
    via: String,
    /// The whole path, start first (unless `paths=false`).
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<Vec<String>>,
    owners: Vec<String>,
}

#[derive(Debug, Serialize)]
struct PageJson {
    offset: usize,
    limit: Option<usize>,
    total: usize,
}

/// The query string of `/impact`.
struct Ask {
    start: NodeId,
    query: ImpactQuery,
    offset: usize,
    limit: Option<usize>,
    paths: bool,
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
    let level = match params.get("level").map(str::trim) {
        None => match start {
            NodeId::DatasetField { .. } => Level::Column,
            _ => Level::Dataset,
        },
        Some(l) if l.eq_ignore_ascii_case("dataset") => Level::Dataset,
        Some(l) if l.eq_ignore_ascii_case("column") => Level::Column,
        Some(other) => {
            return Err(ApiError::bad_parameter(format!(
                "`level` must be dataset or column, got {other:?}"
            )));
        }
    };
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
        offset: params.count("offset", 0)?,
        limit,
        paths: params.flag("paths", true)?,
    })
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
        let projection = app.views.projection();
        let impact = projection.impact(&ask.start, &ask.query).map_err(impact_error)?;
        if csv {
            let body = to_csv(&projection, &impact).map_err(ApiError::internal)?;
            drop(projection);
            return Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response());
        }
        let answer = to_json(&projection, &impact, &ask);
        drop(projection);
        let body = serde_json::to_vec(&answer).map_err(ApiError::internal)?;
        Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
    })
    .await
}

fn to_json(projection: &Projection, impact: &Impact, ask: &Ask) -> ImpactJson {
    let ids = projection.ids();
    let name = |id: Id| ids.node_id(id).to_string();
    let by_id: HashMap<Id, Reached> = if ask.paths {
        impact.nodes.iter().map(|r| (r.id, *r)).collect()
    } else {
        HashMap::new()
    };
    let end = ask.limit.map_or(impact.nodes.len(), |l| {
        ask.offset.saturating_add(l).min(impact.nodes.len())
    });
    let page = impact.nodes.get(ask.offset.min(end)..end).unwrap_or_default();
    let nodes = page
        .iter()
        .map(|r| NodeJson {
            id: name(r.id),
            kind: ids.kind(r.id).as_str(),
            namespace: ids.namespace(r.id).to_owned(),
            name: ids.name(r.id).to_owned(),
            field: ids.field(r.id).map(str::to_owned),
            distance: r.distance,
            via: name(r.via),
            path: ask.paths.then(|| {
                projection
                    .path_to(impact, &by_id, r.id)
                    .into_iter()
                    .map(name)
                    .collect()
            }),
            owners: projection.owners(r.id).map(|o| o.name.to_string()).collect(),
        })
        .collect();
    let count = |kind| impact.nodes.iter().filter(|r| ids.kind(r.id) == kind).count();
    let owners = projection
        .owner_groups(&impact.nodes)
        .into_iter()
        .map(|g| OwnerJson {
            name: g.owner.name.to_string(),
            kind: g.owner.kind.as_deref().map(str::to_owned),
            datasets: g.datasets,
            jobs: g.jobs,
            columns: g.columns,
        })
        .collect();
    ImpactJson {
        node_id: ask.start.to_string(),
        direction: match ask.query.towards {
            Towards::Downstream => "downstream",
            Towards::Upstream => "upstream",
        },
        level: match ask.query.level {
            Level::Dataset => "dataset",
            Level::Column => "column",
        },
        depth: ask.query.depth,
        as_of: ask
            .query
            .as_of
            .map(|t| Timestamp::from_unix_nanos(t).to_rfc3339_utc()),
        start: impact.start.iter().map(|&id| name(id)).collect(),
        truncated: impact.truncated,
        counts: Counts {
            reached: impact.reached,
            listed: impact.nodes.len(),
            datasets: count(Kind::Dataset),
            jobs: count(Kind::Job),
            columns: count(Kind::Column),
        },
        groups: Groups {
            owners,
            products: Vec::new(),
            domains: Vec::new(),
        },
        nodes,
        page: PageJson {
            offset: ask.offset,
            limit: ask.limit,
            total: impact.nodes.len(),
        },
    }
}

/// Every listed node, one per line: `id,type,namespace,name,field,distance,via,owners`.
fn to_csv(projection: &Projection, impact: &Impact) -> Result<Vec<u8>, csv::Error> {
    let ids = projection.ids();
    let mut out = csv::Writer::from_writer(Vec::with_capacity(impact.nodes.len() * 96));
    out.write_record([
        "id",
        "type",
        "namespace",
        "name",
        "field",
        "distance",
        "via",
        "owners",
    ])?;
    let mut owners = String::new();
    for r in &impact.nodes {
        owners.clear();
        for (i, o) in projection.owners(r.id).enumerate() {
            if i > 0 {
                owners.push(';');
            }
            owners.push_str(&o.name);
        }
        out.write_record([
            ids.node_id(r.id).to_string().as_str(),
            ids.kind(r.id).as_str(),
            ids.namespace(r.id),
            ids.name(r.id),
            ids.field(r.id).unwrap_or(""),
            r.distance.to_string().as_str(),
            ids.node_id(r.via).to_string().as_str(),
            owners.as_str(),
        ])?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
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
    let level = match params.get("level").map(str::trim) {
        None => Level::Dataset,
        Some(l) if l.eq_ignore_ascii_case("dataset") => Level::Dataset,
        Some(l) if l.eq_ignore_ascii_case("column") => Level::Column,
        Some(other) => {
            return Err(ApiError::bad_parameter(format!(
                "`level` must be dataset or column, got {other:?}"
            )));
        }
    };
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
