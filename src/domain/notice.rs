//! Notices (planned maintenance windows and incidents), their states and the only ways they
//! may change. Every change is an [`Action`] applied by [`Notice::apply`], which either refuses
//! with a reason a person can act on or returns the new notice and the [`Event`] that the
//! timeline records and the channels announce.

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use rand::RngExt;
use serde::{Deserialize, Serialize};

use super::ids::{NoticeId, UpdateId};
use super::lang::Localized;
use super::service::{ServiceCode, ServiceStatus};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    Maintenance,
    Incident,
}

impl NoticeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Maintenance => "maintenance",
            NoticeKind::Incident => "incident",
        }
    }

    pub fn parse(raw: &str) -> Result<NoticeKind, String> {
        match raw.trim() {
            "maintenance" => Ok(NoticeKind::Maintenance),
            "incident" => Ok(NoticeKind::Incident),
            other => Err(format!(
                "'{}' is not a kind; use maintenance or incident",
                other.chars().take(40).collect::<String>()
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeState {
    Draft,
    // Maintenance
    Scheduled,
    InProgress,
    Verifying,
    Completed,
    Cancelled,
    // Incident
    Investigating,
    Identified,
    Monitoring,
    Resolved,
}

impl NoticeState {
    pub const ALL: [NoticeState; 10] = [
        NoticeState::Draft,
        NoticeState::Scheduled,
        NoticeState::InProgress,
        NoticeState::Verifying,
        NoticeState::Completed,
        NoticeState::Cancelled,
        NoticeState::Investigating,
        NoticeState::Identified,
        NoticeState::Monitoring,
        NoticeState::Resolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoticeState::Draft => "draft",
            NoticeState::Scheduled => "scheduled",
            NoticeState::InProgress => "in_progress",
            NoticeState::Verifying => "verifying",
            NoticeState::Completed => "completed",
            NoticeState::Cancelled => "cancelled",
            NoticeState::Investigating => "investigating",
            NoticeState::Identified => "identified",
            NoticeState::Monitoring => "monitoring",
            NoticeState::Resolved => "resolved",
        }
    }

    pub fn parse(raw: &str) -> Result<NoticeState, String> {
        NoticeState::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
            .ok_or_else(|| {
                format!(
                    "'{}' is not a state; use one of {}",
                    raw.chars().take(40).collect::<String>(),
                    NoticeState::ALL.map(|s| s.as_str()).join(", ")
                )
            })
    }

    /// Finished notices never change again.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            NoticeState::Completed | NoticeState::Cancelled | NoticeState::Resolved
        )
    }

    /// Whether the notice currently affects its services' status.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            NoticeState::InProgress
                | NoticeState::Verifying
                | NoticeState::Investigating
                | NoticeState::Identified
                | NoticeState::Monitoring
        )
    }
}

impl fmt::Display for NoticeState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What happened to a notice: recorded on each update and used as the message event type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Event {
    #[serde(rename = "maintenance.scheduled")]
    MaintenanceScheduled,
    #[serde(rename = "maintenance.rescheduled")]
    MaintenanceRescheduled,
    #[serde(rename = "maintenance.started")]
    MaintenanceStarted,
    #[serde(rename = "maintenance.extended")]
    MaintenanceExtended,
    #[serde(rename = "maintenance.overrunning")]
    MaintenanceOverrunning,
    #[serde(rename = "maintenance.completed")]
    MaintenanceCompleted,
    #[serde(rename = "maintenance.cancelled")]
    MaintenanceCancelled,
    #[serde(rename = "maintenance.updated")]
    MaintenanceUpdated,
    #[serde(rename = "incident.created")]
    IncidentCreated,
    #[serde(rename = "incident.updated")]
    IncidentUpdated,
    #[serde(rename = "incident.resolved")]
    IncidentResolved,
    /// Sent by the scheduler before a window starts; not a change, so never an update.
    #[serde(rename = "maintenance.reminder")]
    MaintenanceReminder,
    /// A biller's "send test event"; carries no notice.
    #[serde(rename = "test.ping")]
    TestPing,
}

impl Event {
    pub const ALL: [Event; 13] = [
        Event::MaintenanceScheduled,
        Event::MaintenanceRescheduled,
        Event::MaintenanceStarted,
        Event::MaintenanceExtended,
        Event::MaintenanceOverrunning,
        Event::MaintenanceCompleted,
        Event::MaintenanceCancelled,
        Event::MaintenanceUpdated,
        Event::IncidentCreated,
        Event::IncidentUpdated,
        Event::IncidentResolved,
        Event::MaintenanceReminder,
        Event::TestPing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Event::MaintenanceScheduled => "maintenance.scheduled",
            Event::MaintenanceRescheduled => "maintenance.rescheduled",
            Event::MaintenanceStarted => "maintenance.started",
            Event::MaintenanceExtended => "maintenance.extended",
            Event::MaintenanceOverrunning => "maintenance.overrunning",
            Event::MaintenanceCompleted => "maintenance.completed",
            Event::MaintenanceCancelled => "maintenance.cancelled",
            Event::MaintenanceUpdated => "maintenance.updated",
            Event::IncidentCreated => "incident.created",
            Event::IncidentUpdated => "incident.updated",
            Event::IncidentResolved => "incident.resolved",
            Event::MaintenanceReminder => "maintenance.reminder",
            Event::TestPing => "test.ping",
        }
    }

    pub fn parse(raw: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|e| e.as_str() == raw)
    }
}

/// A duration in whole minutes, rounded to the nearest minute with half a minute rounded away
/// from zero: 29 min 30 s is 30 min, and so is 30 min 29.999 s; the same holds for negative
/// durations, so "late" rounds exactly as "early" does.
pub fn round_to_minutes(d: Duration) -> i64 {
    const HALF_MINUTE_MS: i64 = 30_000;
    let ms = d.num_milliseconds();
    let rounded = ms.unsigned_abs().saturating_add(HALF_MINUTE_MS as u64) / 60_000;
    let minutes = i64::try_from(rounded).unwrap_or(i64::MAX);
    if ms < 0 { -minutes } else { minutes }
}

/// A planned window: start strictly before end, no longer than the configured maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Window {
    pub fn new(
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        max_hours: u32,
    ) -> Result<Window, (&'static str, String)> {
        if end <= start {
            return Err(("ends_at", "must be after starts_at".into()));
        }
        if end - start > Duration::hours(i64::from(max_hours)) {
            return Err((
                "ends_at",
                format!(
                    "the window is {} hours long; at most {max_hours} hours are allowed (notice.max_window_hours)",
                    (end - start).num_hours()
                ),
            ));
        }
        Ok(Window { start, end })
    }
}

/// Public reference code customers check at `/verify/{code}`: six characters from an alphabet
/// without look-alikes (no 0/O, 1/I/L), so it survives being read out over the phone.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RefCode(String);

impl RefCode {
    pub const ALPHABET: &'static [u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    pub const LEN: usize = 6;

    pub fn generate() -> RefCode {
        let mut rng = rand::rng();
        let code = (0..Self::LEN)
            .map(|_| Self::ALPHABET[rng.random_range(0..Self::ALPHABET.len())] as char)
            .collect();
        RefCode(code)
    }

    /// Accepts what a customer types: any case, surrounding spaces.
    pub fn parse(raw: &str) -> Option<RefCode> {
        let s = raw.trim().to_ascii_uppercase();
        (s.len() == Self::LEN && s.bytes().all(|b| Self::ALPHABET.contains(&b)))
            .then_some(RefCode(s))
    }

    /// What previews of a notice that is not saved yet show in place of its code, which it
    /// gets when it is saved. As long as a code, so the SMS counts stay right; GSM-7; and
    /// made of a character outside [`RefCode::ALPHABET`], so nobody can read, type or verify
    /// it as a code.
    pub const PLACEHOLDER: &'static str = "------";

    /// See [`RefCode::PLACEHOLDER`]; [`RefCode::parse`] never gives this.
    pub fn placeholder() -> RefCode {
        RefCode(Self::PLACEHOLDER.to_string())
    }

    pub fn is_placeholder(&self) -> bool {
        self.0 == Self::PLACEHOLDER
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RefCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Affected {
    pub service: ServiceCode,
    /// The status the service has while the notice is active.
    pub impact: ServiceStatus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub id: NoticeId,
    pub reference: RefCode,
    pub kind: NoticeKind,
    pub state: NoticeState,
    pub title: Localized,
    /// What customers can still do ("cash at agents unaffected").
    pub still_works: Localized,
    /// What the first public update says, written with the draft.
    pub draft_body: Localized,
    /// Message overrides for the first publication.
    pub draft_overrides: Overrides,
    pub affected: Vec<Affected>,
    /// Maintenance: the planned window. Incident: when it began (`ends_at` when resolved).
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    /// The end as first announced, so the history can say how late or early it finished.
    pub planned_ends_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub auto_start: bool,
    pub auto_complete: bool,
    /// Sequence of the latest update; grows by one with every update.
    pub sequence: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    pub id: UpdateId,
    pub notice_id: NoticeId,
    pub sequence: i64,
    pub event: Event,
    /// The notice's state after this update.
    pub state: NoticeState,
    pub body: Localized,
    /// SMS and email texts staff wrote for this update instead of the templates.
    pub overrides: Overrides,
    /// The window as it stood after this update.
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// Staff-written replacements for the SMS and email template texts, per language.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// Replaces the SMS text before the reference footer.
    pub sms: Localized,
    /// Replaces the opening paragraph of the email.
    pub email: Localized,
}

impl Overrides {
    pub fn is_empty(&self) -> bool {
        self.sms.is_empty() && self.email.is_empty()
    }
}

/// Every way a published notice can change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Publish,
    Start,
    Extend {
        ends_at: DateTime<Utc>,
    },
    Reschedule {
        window: Window,
    },
    Complete,
    Cancel,
    /// A timeline update, optionally moving the state (maintenance: in_progress ⇄ verifying;
    /// incident: investigating, identified, monitoring, resolved).
    Post {
        state: Option<NoticeState>,
    },
    /// The scheduler's honest word that a window is past its end and not done: an update,
    /// no state change, no invented new end.
    Overrun,
    /// A reminder before a window starts, to one channel's followers (SMS and email remind at
    /// different times: SMS keeps out of quiet hours). No state change.
    Remind {
        channel: super::subscriber::Channel,
    },
}

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Action::Publish => "publish",
            Action::Start => "start",
            Action::Extend { .. } => "extend",
            Action::Reschedule { .. } => "reschedule",
            Action::Complete => "complete",
            Action::Cancel => "cancel",
            Action::Post { .. } => "update",
            Action::Overrun => "overrun",
            Action::Remind { .. } => "remind",
        }
    }
}

/// Why an action was refused: the field to point at and a sentence for the person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct Refused {
    pub field: &'static str,
    pub message: String,
}

fn refuse<T>(field: &'static str, message: impl Into<String>) -> Result<T, Refused> {
    Err(Refused {
        field,
        message: message.into(),
    })
}

impl Notice {
    /// Past its planned end and not finished: shown honestly as overrunning.
    pub fn is_overrunning(&self, now: DateTime<Utc>) -> bool {
        self.kind == NoticeKind::Maintenance
            && matches!(self.state, NoticeState::InProgress | NoticeState::Verifying)
            && self.ends_at.is_some_and(|end| now > end)
    }

    /// How long before (positive) or after (negative) the announced end the window finished;
    /// `None` until a maintenance window is completed.
    pub fn finished_early_by(&self) -> Option<Duration> {
        if self.kind != NoticeKind::Maintenance || self.state != NoticeState::Completed {
            return None;
        }
        Some(self.announced_end()? - self.finished_at?)
    }

    /// The end as first announced (before any extension), which early and late are measured
    /// against.
    pub fn announced_end(&self) -> Option<DateTime<Utc>> {
        self.planned_ends_at.or(self.ends_at)
    }

    /// A completed window's announced end and its actual one, shown side by side.
    pub fn completed_ends(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        self.finished_early_by()?;
        Some((self.announced_end()?, self.finished_at?))
    }

    /// [`Notice::finished_early_by`] in whole minutes, as every channel says it (SMS, email,
    /// page, feeds, webhook): one rounding, so a customer never reads "29 min early" in one
    /// place and "30 min early" in another.
    pub fn minutes_early(&self) -> Option<i64> {
        self.finished_early_by().map(round_to_minutes)
    }

    pub fn window(&self) -> Option<Window> {
        Some(Window {
            start: self.starts_at?,
            end: self.ends_at?,
        })
    }

    /// Applies `action` at `now`, returning the changed notice and the event it produced.
    pub fn apply(
        &self,
        action: &Action,
        now: DateTime<Utc>,
        max_window_hours: u32,
    ) -> Result<(Notice, Event), Refused> {
        use NoticeKind::*;
        use NoticeState::*;
        let mut n = self.clone();
        n.updated_at = now;
        let state = self.state;
        let verb = action.name();
        if state.is_terminal() {
            return refuse(
                "state",
                format!(
                    "the notice is {state}; a finished notice cannot {verb} (post a new notice instead)"
                ),
            );
        }
        if state == Draft && !matches!(action, Action::Publish | Action::Cancel) {
            return refuse(
                "state",
                format!("the notice is a draft; publish it before you {verb} it"),
            );
        }
        let event = match (self.kind, action) {
            (_, Action::Publish) => {
                if state != Draft {
                    return refuse(
                        "state",
                        format!("the notice is already published ({state})"),
                    );
                }
                n.published_at = Some(now);
                match self.kind {
                    Maintenance => {
                        let Some(w) = self.window() else {
                            return refuse(
                                "starts_at",
                                "a maintenance window needs starts_at and ends_at",
                            );
                        };
                        if w.end <= now {
                            return refuse(
                                "ends_at",
                                "the window has already ended; change ends_at before publishing",
                            );
                        }
                        n.state = Scheduled;
                        n.planned_ends_at = Some(w.end);
                        Event::MaintenanceScheduled
                    }
                    Incident => {
                        n.state = Investigating;
                        n.starts_at = Some(self.starts_at.unwrap_or(now).min(now));
                        n.started_at = n.starts_at;
                        Event::IncidentCreated
                    }
                }
            }
            (Maintenance, Action::Start) => {
                if state != Scheduled {
                    return refuse(
                        "state",
                        format!("only a scheduled window can start; this one is {state}"),
                    );
                }
                n.state = InProgress;
                n.started_at = Some(now);
                Event::MaintenanceStarted
            }
            (Maintenance, Action::Extend { ends_at }) => {
                let current = self.ends_at.expect("published maintenance has a window");
                if *ends_at <= current {
                    return refuse(
                        "ends_at",
                        "an extension must end later than the current end; to finish earlier, complete the window",
                    );
                }
                if *ends_at <= now {
                    return refuse("ends_at", "the new end is in the past");
                }
                let start = self.starts_at.expect("published maintenance has a window");
                Window::new(start, *ends_at, max_window_hours).or_else(|(f, m)| refuse(f, m))?;
                n.ends_at = Some(*ends_at);
                Event::MaintenanceExtended
            }
            (Maintenance, Action::Reschedule { window }) => {
                if state != Scheduled {
                    return refuse(
                        "state",
                        format!(
                            "only a window that has not started can be rescheduled; this one is {state} (extend it instead)"
                        ),
                    );
                }
                if window.end <= now {
                    return refuse("ends_at", "the new window has already ended");
                }
                n.starts_at = Some(window.start);
                n.ends_at = Some(window.end);
                n.planned_ends_at = Some(window.end);
                Event::MaintenanceRescheduled
            }
            (Maintenance, Action::Complete) => {
                if !matches!(state, InProgress | Verifying) {
                    return refuse(
                        "state",
                        format!(
                            "only a window in progress can be completed; this one is {state} (start it, or cancel it)"
                        ),
                    );
                }
                n.state = Completed;
                n.finished_at = Some(now);
                Event::MaintenanceCompleted
            }
            (Maintenance, Action::Cancel) => {
                if !matches!(state, Draft | Scheduled | InProgress) {
                    return refuse(
                        "state",
                        format!("a window that is {state} cannot be cancelled; complete it"),
                    );
                }
                n.state = Cancelled;
                n.finished_at = Some(now);
                Event::MaintenanceCancelled
            }
            (Maintenance, Action::Remind { .. }) => {
                if state != Scheduled || self.starts_at.is_none_or(|s| s <= now) {
                    return refuse(
                        "state",
                        format!(
                            "a reminder is only for a window that has not started; this one is {state}"
                        ),
                    );
                }
                Event::MaintenanceReminder
            }
            (Maintenance, Action::Overrun) => {
                if !self.is_overrunning(now) {
                    return refuse(
                        "state",
                        format!(
                            "only a window in progress past its end is overrunning; this one is {state}"
                        ),
                    );
                }
                Event::MaintenanceOverrunning
            }
            (Maintenance, Action::Post { state: target }) => {
                match target {
                    None => {}
                    Some(Verifying) if state == InProgress => n.state = Verifying,
                    Some(InProgress) if state == Verifying => n.state = InProgress,
                    Some(t) if *t == state => {}
                    Some(t) => {
                        return refuse(
                            "status",
                            format!(
                                "an update cannot move a {state} window to {t}; use start, complete or cancel"
                            ),
                        );
                    }
                }
                Event::MaintenanceUpdated
            }
            (Incident, Action::Complete) => {
                n.state = Resolved;
                n.finished_at = Some(now);
                n.ends_at = Some(now);
                Event::IncidentResolved
            }
            (Incident, Action::Post { state: target }) => match target {
                Some(Resolved) => {
                    n.state = Resolved;
                    n.finished_at = Some(now);
                    n.ends_at = Some(now);
                    Event::IncidentResolved
                }
                Some(t @ (Investigating | Identified | Monitoring)) => {
                    n.state = *t;
                    Event::IncidentUpdated
                }
                Some(t) => {
                    return refuse(
                        "status",
                        format!(
                            "'{t}' is not an incident status; use investigating, identified, monitoring or resolved"
                        ),
                    );
                }
                None => Event::IncidentUpdated,
            },
            (Incident, Action::Cancel) if state == Draft => {
                n.state = Resolved;
                n.finished_at = Some(now);
                Event::IncidentResolved
            }
            (Incident, other) => {
                return refuse(
                    "action",
                    format!(
                        "an incident cannot {}; post an update or resolve it",
                        other.name()
                    ),
                );
            }
        };
        n.sequence = self.sequence + 1;
        Ok((n, event))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2015, 4, 18, 20, 0, 0).unwrap() + Duration::hours(h)
    }

    fn maintenance() -> Notice {
        sample_maintenance()
    }

    #[test]
    fn overrun_is_an_update_only_past_the_end() {
        let n = maintenance();
        let (n, _) = n.apply(&Action::Publish, t(-50), 168).unwrap();
        let (n, _) = n.apply(&Action::Start, t(0), 168).unwrap();
        assert!(n.apply(&Action::Overrun, t(12), 168).is_err(), "not yet");
        let (after, e) = n.apply(&Action::Overrun, t(14), 168).unwrap();
        assert_eq!(
            (after.state, e),
            (NoticeState::InProgress, Event::MaintenanceOverrunning)
        );
        assert_eq!(after.ends_at, n.ends_at, "no end is invented");
    }
}

/// A draft maintenance window 20:00–09:00 UTC on 18–19 April 2015, for tests.
#[cfg(test)]
pub(crate) fn sample_maintenance() -> Notice {
    use crate::domain::Lang;
    use chrono::TimeZone;
    let t = |h: i64| Utc.with_ymd_and_hms(2015, 4, 18, 20, 0, 0).unwrap() + Duration::hours(h);
    {
        Notice {
            id: "n1".into(),
            reference: RefCode::generate(),
            kind: NoticeKind::Maintenance,
            state: NoticeState::Draft,
            title: Localized::single(Lang::En, "M-PESA upgrade"),
            still_works: Localized::default(),
            draft_body: Localized::default(),
            draft_overrides: Overrides::default(),
            affected: vec![],
            starts_at: Some(t(0)),
            ends_at: Some(t(13)),
            planned_ends_at: None,
            published_at: None,
            started_at: None,
            finished_at: None,
            auto_start: true,
            auto_complete: false,
            sequence: 0,
            created_by: "test".into(),
            created_at: t(-48),
            updated_at: t(-48),
        }
    }
}

#[cfg(test)]
mod more_tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2015, 4, 18, 20, 0, 0).unwrap() + Duration::hours(h)
    }

    fn maintenance() -> Notice {
        sample_maintenance()
    }

    #[test]
    fn the_april_2015_window_completes_early() {
        let n = maintenance();
        let (n, e) = n.apply(&Action::Publish, t(-50), 168).unwrap();
        assert_eq!(
            (n.state, e, n.sequence),
            (NoticeState::Scheduled, Event::MaintenanceScheduled, 1)
        );
        let (n, e) = n.apply(&Action::Start, t(0), 168).unwrap();
        assert_eq!(
            (n.state, e),
            (NoticeState::InProgress, Event::MaintenanceStarted)
        );
        assert!(!n.is_overrunning(t(12)));
        let later = t(12) + Duration::minutes(30);
        let (n, e) = n.apply(&Action::Complete, later, 168).unwrap();
        assert_eq!(
            (n.state, e, n.sequence),
            (NoticeState::Completed, Event::MaintenanceCompleted, 3)
        );
        assert_eq!(n.finished_early_by(), Some(Duration::minutes(30)));
    }

    #[test]
    fn an_overrun_is_extended_then_completed_late() {
        let (n, _) = maintenance().apply(&Action::Publish, t(-50), 168).unwrap();
        let (n, _) = n.apply(&Action::Start, t(0), 168).unwrap();
        assert!(n.is_overrunning(t(14)));
        let (n, e) = n
            .apply(&Action::Extend { ends_at: t(37) }, t(14), 168)
            .unwrap();
        assert_eq!(e, Event::MaintenanceExtended);
        assert!(!n.is_overrunning(t(14)));
        let (n, _) = n.apply(&Action::Complete, t(37), 168).unwrap();
        assert_eq!(n.finished_early_by(), Some(-Duration::hours(24)));
    }

    #[test]
    fn invalid_transitions_are_refused_with_reasons() {
        let draft = maintenance();
        let err = draft.apply(&Action::Start, t(0), 168).unwrap_err();
        assert!(err.message.contains("draft"), "{err}");
        let (sched, _) = draft.apply(&Action::Publish, t(-50), 168).unwrap();
        assert_eq!(
            sched
                .apply(&Action::Publish, t(-49), 168)
                .unwrap_err()
                .field,
            "state"
        );
        assert_eq!(
            sched.apply(&Action::Complete, t(1), 168).unwrap_err().field,
            "state"
        );
        let err = sched
            .apply(&Action::Extend { ends_at: t(5) }, t(1), 168)
            .unwrap_err();
        assert_eq!(err.field, "ends_at");
        let err = sched
            .apply(&Action::Extend { ends_at: t(500) }, t(1), 168)
            .unwrap_err();
        assert!(err.message.contains("max_window_hours"), "{err}");
        let (done, _) = sched
            .apply(&Action::Start, t(0), 168)
            .and_then(|(n, _)| n.apply(&Action::Complete, t(1), 168))
            .unwrap();
        for a in [
            Action::Start,
            Action::Cancel,
            Action::Complete,
            Action::Post { state: None },
        ] {
            assert!(
                done.apply(&a, t(2), 168)
                    .unwrap_err()
                    .message
                    .contains("finished")
            );
        }
        let mut past = maintenance();
        past.ends_at = Some(t(-60));
        past.starts_at = Some(t(-70));
        assert_eq!(
            past.apply(&Action::Publish, t(0), 168).unwrap_err().field,
            "ends_at"
        );
    }

    #[test]
    fn reschedule_only_before_start() {
        let (n, _) = maintenance().apply(&Action::Publish, t(-50), 168).unwrap();
        let w = Window::new(t(24), t(30), 168).unwrap();
        let (moved, e) = n
            .apply(&Action::Reschedule { window: w }, t(-40), 168)
            .unwrap();
        assert_eq!(e, Event::MaintenanceRescheduled);
        assert_eq!(
            (moved.starts_at, moved.planned_ends_at),
            (Some(t(24)), Some(t(30)))
        );
        let (started, _) = moved.apply(&Action::Start, t(24), 168).unwrap();
        assert_eq!(
            started
                .apply(&Action::Reschedule { window: w }, t(25), 168)
                .unwrap_err()
                .field,
            "state"
        );
    }

    #[test]
    fn incidents_move_through_their_states() {
        let mut n = maintenance();
        n.kind = NoticeKind::Incident;
        n.starts_at = None;
        n.ends_at = None;
        let (n, e) = n.apply(&Action::Publish, t(0), 168).unwrap();
        assert_eq!(
            (n.state, e),
            (NoticeState::Investigating, Event::IncidentCreated)
        );
        assert!(n.apply(&Action::Start, t(1), 168).is_err());
        assert!(n.apply(&Action::Cancel, t(1), 168).is_err());
        let (n, e) = n
            .apply(
                &Action::Post {
                    state: Some(NoticeState::Identified),
                },
                t(1),
                168,
            )
            .unwrap();
        assert_eq!(
            (n.state, e),
            (NoticeState::Identified, Event::IncidentUpdated)
        );
        let bad = n.apply(
            &Action::Post {
                state: Some(NoticeState::Verifying),
            },
            t(1),
            168,
        );
        assert_eq!(bad.unwrap_err().field, "status");
        let (n, e) = n.apply(&Action::Complete, t(2), 168).unwrap();
        assert_eq!(
            (n.state, e, n.sequence),
            (NoticeState::Resolved, Event::IncidentResolved, 3)
        );
    }

    #[test]
    fn windows_and_codes() {
        assert!(Window::new(t(1), t(1), 168).is_err());
        assert!(Window::new(t(0), t(169), 168).is_err());
        assert!(Window::new(t(0), t(168), 168).is_ok());
        for _ in 0..100 {
            let c = RefCode::generate();
            assert_eq!(RefCode::parse(&c.as_str().to_lowercase()), Some(c));
        }
        assert_eq!(RefCode::parse("MP0K2Q"), None, "0 is not in the alphabet");
        assert_eq!(RefCode::parse("MP7K2"), None);
    }

    /// The placeholder of unsaved previews cannot pass for a code, takes a code's room, and
    /// keeps an SMS in GSM-7.
    #[test]
    fn placeholder_is_no_code() {
        let p = RefCode::placeholder();
        assert!(p.is_placeholder());
        assert_eq!(p.as_str().len(), RefCode::LEN);
        assert_eq!(RefCode::parse(p.as_str()), None);
        assert!(
            p.as_str()
                .bytes()
                .all(|b| !RefCode::ALPHABET.contains(&b.to_ascii_uppercase()))
        );
        let sms = crate::domain::sms::encode(&format!("Ref {p}"));
        assert_eq!(sms.encoding, crate::domain::sms::Encoding::Gsm7);
        assert_eq!(sms.units, 4 + RefCode::LEN);
        assert!(!RefCode::generate().is_placeholder());
    }
}

#[cfg(test)]
mod rounding {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Around every half-minute boundary: a millisecond short of it rounds down, the
        /// boundary and past it round up, and late rounds exactly as early does.
        #[test]
        fn early_and_late_round_to_the_nearest_minute(
            minutes in 0i64..100_000,
            ms in 0i64..60_000,
        ) {
            let d = Duration::minutes(minutes) + Duration::milliseconds(ms);
            let expected = if ms < 30_000 { minutes } else { minutes + 1 };
            prop_assert_eq!(round_to_minutes(d), expected);
            prop_assert_eq!(round_to_minutes(-d), -expected);
        }

        #[test]
        fn the_half_minute_itself(minutes in 0i64..100_000, off in 1i64..=30_000) {
            let boundary = Duration::minutes(minutes) + Duration::seconds(30);
            prop_assert_eq!(round_to_minutes(boundary), minutes + 1);
            prop_assert_eq!(round_to_minutes(boundary - Duration::milliseconds(off)), minutes);
            prop_assert_eq!(round_to_minutes(-boundary), -(minutes + 1));
        }
    }

    #[test]
    fn the_reported_window_finished_30_min_early() {
        let (n, _) = sample_maintenance()
            .apply(&Action::Publish, sample_maintenance().created_at, 168)
            .unwrap();
        let start = n.starts_at.unwrap();
        let (n, _) = n.apply(&Action::Start, start, 168).unwrap();
        let end = n.ends_at.unwrap();
        let finish = end - Duration::minutes(29) - Duration::seconds(57);
        let (n, _) = n.apply(&Action::Complete, finish, 168).unwrap();
        assert_eq!(n.minutes_early(), Some(30));
    }
}
