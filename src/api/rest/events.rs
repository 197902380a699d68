//! `GET /api/v1/events/lineage`: the raw OpenLineage events received, paged
//! by event time, each returned byte-for-byte as the producer sent it.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::{Params, blocking};
use crate::api::{ApiError, AppState};
use crate::log::EventWindow;

/// `GET /api/v1/events/lineage?before=&after=&sortDirection=asc|desc&limit=&offset=`:
/// `{events: [...], totalCount}`, newest first by default. `before` and
/// `after` bound the event time, both inclusive; `totalCount` counts the
/// whole window, not the page.
pub async fn get_lineage_events(State(app): State<AppState>, params: Params) -> Result<Response, ApiError> {
    let page = params.page()?;
    let descending = match params.get("sortDirection").map(str::trim) {
        None => true,
        Some(dir) if dir.eq_ignore_ascii_case("desc") => true,
        Some(dir) if dir.eq_ignore_ascii_case("asc") => false,
        Some(other) => {
            return Err(ApiError::bad_parameter(format!(
                "`sortDirection` must be asc or desc, got {other:?}"
            )));
        }
    };
    let window = EventWindow {
        after: params.time("after")?.map(|t| t.unix_nanos()),
        before: params.time("before")?.map(|t| t.unix_nanos()),
        descending,
        offset: page.offset,
        limit: page.limit,
    };
    let found = blocking(move || app.log.events(window).map_err(ApiError::internal)).await?;
    // Splice the logged bytes in as they are: re-serializing would reorder
    // keys and reformat numbers, and the events are served as evidence.
    let size = found.events.iter().map(|e| e.len() + 1).sum::<usize>() + 40;
    let mut body = Vec::with_capacity(size);
    body.extend_from_slice(b"{\"events\":[");
    for (i, event) in found.events.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(event);
    }
    body.extend_from_slice(format!("],\"totalCount\":{}}}", found.total).as_bytes());
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}
