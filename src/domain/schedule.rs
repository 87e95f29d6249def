//! What the scheduler must do for a notice as it stands: pure, so every change can re-plan in
//! its own transaction and tests can check plans without a clock.

use chrono::{DateTime, Utc};

use super::{Notice, NoticeKind, NoticeState};

/// One time-driven step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Flip a scheduled window to in progress at its start (`auto_start`).
    Start,
    /// At the planned end, still not done: refresh the page (it shows overrunning), alert
    /// staff, and come back after the grace period.
    Overrun,
    /// After the grace: tell everyone it runs over (a `maintenance.overrunning` update).
    OverrunUpdate,
    /// Complete at the end (`auto_complete`).
    Complete,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Start => "start",
            Kind::Overrun => "overrun",
            Kind::OverrunUpdate => "overrun_update",
            Kind::Complete => "complete",
        }
    }

    pub fn parse(raw: &str) -> Option<Kind> {
        [
            Kind::Start,
            Kind::Overrun,
            Kind::OverrunUpdate,
            Kind::Complete,
        ]
        .into_iter()
        .find(|k| k.as_str() == raw)
    }
}

/// The steps a notice needs from now on. An auto-completing window completes at its end
/// instead of overrunning; a finished or draft notice needs nothing.
pub fn plan(n: &Notice) -> Vec<(Kind, DateTime<Utc>)> {
    if n.kind != NoticeKind::Maintenance {
        return Vec::new();
    }
    let (Some(start), Some(end)) = (n.starts_at, n.ends_at) else {
        return Vec::new();
    };
    let mut steps = Vec::new();
    match n.state {
        NoticeState::Scheduled => {
            if n.auto_start {
                steps.push((Kind::Start, start));
            }
        }
        NoticeState::InProgress | NoticeState::Verifying => {}
        _ => return Vec::new(),
    }
    if n.auto_complete {
        steps.push((Kind::Complete, end));
    } else {
        steps.push((Kind::Overrun, end));
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(state: NoticeState, auto_start: bool, auto_complete: bool) -> Notice {
        let mut n = crate::domain::notice::sample_maintenance();
        n.state = state;
        n.auto_start = auto_start;
        n.auto_complete = auto_complete;
        n
    }

    #[test]
    fn scheduled_windows_start_and_then_overrun_or_complete() {
        let n = window(NoticeState::Scheduled, true, false);
        let kinds: Vec<Kind> = plan(&n).into_iter().map(|(k, _)| k).collect();
        assert_eq!(kinds, [Kind::Start, Kind::Overrun]);
        let n = window(NoticeState::Scheduled, false, true);
        let kinds: Vec<Kind> = plan(&n).into_iter().map(|(k, _)| k).collect();
        assert_eq!(kinds, [Kind::Complete]);
        let n = window(NoticeState::InProgress, true, false);
        assert_eq!(plan(&n), [(Kind::Overrun, n.ends_at.unwrap())]);
    }

    #[test]
    fn finished_and_draft_notices_need_nothing() {
        for s in [
            NoticeState::Draft,
            NoticeState::Completed,
            NoticeState::Cancelled,
        ] {
            assert!(plan(&window(s, true, true)).is_empty(), "{s}");
        }
    }
}
