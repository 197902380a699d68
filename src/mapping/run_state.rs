//! A run's state from the transitions reported for it.
//!
//! Runs accumulate: every event adds a transition. The state follows event
//! time, not arrival order, and a terminal state (COMPLETE, FAIL, ABORT) is
//! never undone by a late START or RUNNING. OTHER carries metadata only.

use crate::openlineage::{EventType, Timestamp};

/// A run's state and times as derived from its transitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunStatus {
    /// The current state: START maps to RUNNING as in Marquez; `None` when
    /// only OTHER events were seen.
    pub state: Option<EventType>,
    /// The earliest START (or, lacking one, the earliest transition).
    pub started_at: Option<Timestamp>,
    /// The time of the terminal transition, if any.
    pub ended_at: Option<Timestamp>,
}

/// Resolves the state of a run from its transitions, in any order.
pub fn resolve(transitions: &[(EventType, Timestamp)]) -> RunStatus {
    let latest = |pred: fn(EventType) -> bool| {
        transitions
            .iter()
            .filter(|(t, _)| pred(*t))
            .max_by_key(|(t, time)| (*time, *t as u8))
            .copied()
    };
    let terminal = latest(EventType::is_terminal);
    let state = terminal
        .or_else(|| latest(|t| matches!(t, EventType::Start | EventType::Running)))
        .map(|(t, _)| {
            if t == EventType::Start {
                EventType::Running
            } else {
                t
            }
        });
    let started_at = transitions
        .iter()
        .filter(|(t, _)| *t == EventType::Start)
        .map(|(_, time)| *time)
        .min()
        .or_else(|| transitions.iter().map(|(_, time)| *time).min());
    RunStatus {
        state,
        started_at,
        ended_at: terminal.map(|(_, time)| time),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use EventType::*;

    fn at(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn state_follows_event_time_not_arrival() {
        let status = resolve(&[
            (Running, at("2024-01-01T00:05:00Z")),
            (Start, at("2024-01-01T00:00:00Z")),
        ]);
        assert_eq!(status.state, Some(Running));
        assert_eq!(status.started_at, Some(at("2024-01-01T00:00:00Z")));
        assert_eq!(status.ended_at, None);
    }

    #[test]
    fn a_late_running_never_reopens_a_finished_run() {
        let status = resolve(&[
            (Start, at("2024-01-01T00:00:00Z")),
            (Complete, at("2024-01-01T00:10:00Z")),
            (Running, at("2024-01-01T00:20:00Z")),
        ]);
        assert_eq!(status.state, Some(Complete));
        assert_eq!(status.ended_at, Some(at("2024-01-01T00:10:00Z")));
    }

    #[test]
    fn other_events_change_nothing() {
        assert_eq!(resolve(&[(Other, at("2024-01-01T00:00:00Z"))]).state, None);
        let status = resolve(&[
            (Fail, at("2024-01-01T00:10:00Z")),
            (Other, at("2024-01-01T00:30:00Z")),
        ]);
        assert_eq!(status.state, Some(Fail));
    }

    #[test]
    fn start_alone_is_running() {
        assert_eq!(
            resolve(&[(Start, at("2024-01-01T00:00:00Z"))]).state,
            Some(Running)
        );
    }
}
