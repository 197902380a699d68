//! OpenLineage: the events pipelines send, read and validated.
//!
//! [`parse::split_body`] cuts a request body into events and
//! [`parse::parse_event`] validates one into an [`Event`]; [`facets`] types
//! the standard facets meshgraph interprets, and [`checked`] remembers the
//! facets that passed their check. Nothing here stores anything:
//! the writer takes validated events to the log and the views.

pub mod checked;
pub mod event;
pub mod facets;
pub mod node_id;
pub mod parse;
pub mod time;

pub use checked::Checked;
pub use event::{Event, EventKind, EventType};
pub use node_id::NodeId;
pub use parse::{ParseError, parse_event, parse_event_with, split_body};
pub use time::Timestamp;
