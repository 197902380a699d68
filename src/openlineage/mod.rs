//! OpenLineage: the events pipelines send, read and validated.
//!
//! [`parse::parse_body`] reads a request body's events and
//! [`parse::parse_event`] one event, each validated into an [`Event`]
//! (most through the fast reader in `envelope`); [`facets`] types
//! the standard facets meshgraph interprets, [`digest`] tells what a facet
//! says (computed once per facet, as it is read), [`checked`] remembers
//! the facets that passed their check, and [`KnownTexts`] are the facet
//! texts the reader recognises instead of reading them again. Nothing here stores anything:
//! the writer takes validated events to the log and the views.

pub mod checked;
pub mod digest;
mod envelope;
pub mod event;
pub mod facets;
pub mod node_id;
pub mod parse;
pub mod time;

pub use checked::Checked;
pub use event::{Event, EventKind, EventType};
pub use node_id::NodeId;
pub use parse::{
    BodyEvent, KnownTexts, Located, ParseError, parse_body, parse_event, parse_event_with, parse_located,
};
pub use time::Timestamp;
