//! `/api/v1/lineage`: OpenLineage events in (`POST`, `POST /batch`).
//!
//! `POST /lineage` takes one event or an array and is all-or-nothing: one bad
//! event rejects the request and nothing is written. `POST /lineage/batch`
//! follows `OpenLineage.yml`: each event stands alone and the answer lists
//! the ones that failed.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::api::{ApiError, AppState, body};
use crate::error::ErrorCode;
use crate::openlineage::{ParseError, parse_event, split_body};
use crate::writer::{Accepted, WriteError};

/// Refuses a write without the configured API key (`Authorization: Bearer KEY`).
pub fn require_api_key(app: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(expected) = app.config.api_key.as_deref() else {
        return Ok(());
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    if given == Some(expected) {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::Unauthorized,
            "this server requires an API key for writes: send `Authorization: Bearer <key>`",
        ))
    }
}

fn parse_error(err: ParseError) -> ApiError {
    let code = match err {
        ParseError::Syntax { .. } => ErrorCode::MalformedJson,
        _ => ErrorCode::InvalidEvent,
    };
    ApiError::new(code, err.to_string())
}

fn write_error(err: &WriteError) -> ApiError {
    match err {
        WriteError::Closed => ApiError::new(ErrorCode::Unavailable, "the server is shutting down; retry"),
        other => ApiError::internal(other),
    }
}

fn accept(text: &str) -> Result<Accepted, ParseError> {
    Ok(Accepted {
        raw: text.into(),
        event: parse_event(text)?,
    })
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
    // Parsing a large body takes milliseconds: keep it off the async workers.
    let accepted = tokio::task::spawn_blocking(move || {
        let parts = split_body(&bytes)?;
        let many = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
        parts
            .iter()
            .enumerate()
            .map(|(i, raw)| accept(raw.get()).map_err(|e| if many { e.within(&format!("[{i}]")) } else { e }))
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(parse_error)?;
    if !accepted.is_empty() {
        app.writer.write(accepted).await.map_err(|e| write_error(&e))?;
    }
    Ok(StatusCode::CREATED.into_response())
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
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'[') {
        return Err(ApiError::new(
            ErrorCode::InvalidEvent,
            "a batch is a JSON array of events",
        ));
    }
    let (received, mut failed, accepted) = tokio::task::spawn_blocking(move || {
        let parts = split_body(&bytes)?;
        let mut failed = Vec::new();
        let mut accepted = Vec::new();
        for (index, raw) in parts.iter().enumerate() {
            match accept(raw.get()) {
                Ok(a) => accepted.push((index, a)),
                Err(err) => failed.push(FailedEvent {
                    index,
                    code: parse_error(err.clone()).0.code.as_str(),
                    reason: err.to_string(),
                    retriable: false,
                }),
            }
        }
        Ok::<_, ParseError>((parts.len(), failed, accepted))
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(parse_error)?;
    let indices: Vec<usize> = accepted.iter().map(|(i, _)| *i).collect();
    if !accepted.is_empty()
        && let Err(err) = app
            .writer
            .write(accepted.into_iter().map(|(_, a)| a).collect())
            .await
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
