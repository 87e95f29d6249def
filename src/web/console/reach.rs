//! What a lifecycle action sends, in words: the confirmation before it ("This sends 12,400 SMS,
//! 3,100 emails and 4 webhooks now") and the result after it ("Queued …"). The numbers come
//! from the fan-out's own queries ([`crate::store::Store::followers`]) before, and from what the
//! fan-out queued after.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::domain::{Event, Notice, NoticeKind, NoticeState};
use crate::store::{Applied, Queued, StoreError};
use crate::web::AppState;

/// `12400` as `12,400`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn count(n: i64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// "a, b and c".
fn list(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The channels with something to send, counted: `sms` left out when it waits.
fn channels(q: Queued, with_sms: bool) -> Vec<String> {
    let mut parts = Vec::new();
    if with_sms && q.sms > 0 {
        parts.push(count(q.sms, "SMS", "SMS"));
    }
    if q.email > 0 {
        parts.push(count(q.email, "email", "emails"));
    }
    if q.webhook > 0 {
        parts.push(count(q.webhook, "webhook", "webhooks"));
    }
    parts
}

const NOBODY: &str = "no subscriber or biller follows the affected services";

/// The confirmation's sentence: what goes out if the action is done now. `sms_wait` is when
/// SMS go instead, when the quiet hours hold them.
pub fn sends(q: Queued, sms_wait: Option<&str>) -> String {
    let held = sms_wait.filter(|_| q.sms > 0);
    let now = channels(q, held.is_none());
    match (now.is_empty(), held) {
        (true, None) => format!("Nothing is sent: {NOBODY}."),
        (false, None) => format!("This sends {} now.", list(&now)),
        (true, Some(at)) => format!(
            "This sends nothing now; the {} wait for the end of the quiet hours ({at}).",
            count(q.sms, "SMS", "SMS")
        ),
        (false, Some(at)) => format!(
            "This sends {} now; the {} wait for the end of the quiet hours ({at}).",
            list(&now),
            count(q.sms, "SMS", "SMS")
        ),
    }
}

/// The result's sentence: what the action queued.
pub fn queued(q: Queued, sms_wait: Option<&str>) -> String {
    let all = channels(q, true);
    if all.is_empty() {
        return format!("Nothing was queued: {NOBODY}.");
    }
    match sms_wait.filter(|_| q.sms > 0) {
        None => format!("Queued {}.", list(&all)),
        Some(at) => format!(
            "Queued {}; the SMS go out when the quiet hours end ({at}).",
            list(&all)
        ),
    }
}

/// The event a console button's action makes, or `None` when it sends nothing (a draft
/// discarded).
pub fn event_of(n: &Notice, action: &str) -> Option<Event> {
    use NoticeKind::*;
    Some(match (n.kind, action) {
        (_, "cancel") if n.state == NoticeState::Draft => return None,
        (Maintenance, "publish") => Event::MaintenanceScheduled,
        (Incident, "publish") => Event::IncidentCreated,
        (Maintenance, "start") => Event::MaintenanceStarted,
        (Maintenance, "extend") => Event::MaintenanceExtended,
        (Maintenance, "reschedule") => Event::MaintenanceRescheduled,
        (Maintenance, "update") => Event::MaintenanceUpdated,
        (Incident, "update") => Event::IncidentUpdated,
        (Maintenance, "complete") => Event::MaintenanceCompleted,
        (Incident, "complete") => Event::IncidentResolved,
        (Maintenance, "cancel") => Event::MaintenanceCancelled,
        _ => return None,
    })
}

/// Who the notice's actions reach now, from the fan-out's own conditions: its subscribers per
/// channel (one query), and its biller endpoints for each of `events`.
pub struct Reach {
    pub sms: i64,
    pub email: i64,
    webhooks: HashMap<Event, i64>,
    /// When SMS sent now would go instead, shown in the page's zone, if the quiet hours hold them.
    pub sms_wait: Option<String>,
}

impl Reach {
    pub async fn of(
        state: &AppState,
        n: &Notice,
        events: impl IntoIterator<Item = Event>,
    ) -> Result<Reach, StoreError> {
        let (sms, email) = state.store.followers(&n.id).await?;
        let mut webhooks = HashMap::new();
        for e in events {
            if let std::collections::hash_map::Entry::Vacant(v) = webhooks.entry(e) {
                v.insert(state.store.endpoint_followers(&n.id, e).await?);
            }
        }
        Ok(Reach {
            sms,
            email,
            webhooks,
            sms_wait: sms_wait(state, state.clock.now()),
        })
    }

    /// What an update with `event` would queue now.
    pub fn queued(&self, event: Event) -> Queued {
        Queued {
            sms: self.sms,
            email: self.email,
            webhook: self.webhooks.get(&event).copied().unwrap_or(0),
        }
    }
}

/// When an SMS written at `at` goes out, if the quiet hours hold it, in the page's zone.
fn sms_wait(state: &AppState, at: DateTime<Utc>) -> Option<String> {
    let goes = state.urgent_sms_at(at);
    (goes > at).then(|| super::page::face(state).instant(goes))
}

/// The flash after an action: what it did and what it queued.
pub fn result(state: &AppState, a: &Applied) -> String {
    let u = &a.update;
    if a.notice.published_at.is_none() {
        return "Done: draft discarded. Nothing was sent, and the public page never showed it."
            .into();
    }
    format!(
        "Done: {} (update #{}). The public page shows it now. {}",
        u.event.as_str(),
        u.sequence,
        queued(a.queued, sms_wait(state, u.created_at).as_deref())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The separators are where they belong: removing them gives the number back, and
        /// every group after the first has three digits.
        #[test]
        fn thousands_groups_by_three(n in any::<i64>()) {
            let s = thousands(n);
            prop_assert_eq!(s.replace(',', "").parse::<i64>().unwrap(), n);
            let groups: Vec<&str> = s.trim_start_matches('-').split(',').collect();
            prop_assert!((1..=3).contains(&groups[0].len()));
            prop_assert!(groups[1..].iter().all(|g| g.len() == 3));
        }
    }

    #[test]
    fn sentences() {
        let q = Queued {
            sms: 12_400,
            email: 3_100,
            webhook: 4,
        };
        assert_eq!(
            sends(q, None),
            "This sends 12,400 SMS, 3,100 emails and 4 webhooks now."
        );
        assert_eq!(
            sends(q, Some("Sun 19 Apr 07:00 EAT")),
            "This sends 3,100 emails and 4 webhooks now; the 12,400 SMS wait for the end of the quiet hours (Sun 19 Apr 07:00 EAT)."
        );
        assert_eq!(
            sends(Queued::default(), Some("Sun 19 Apr 07:00 EAT")),
            "Nothing is sent: no subscriber or biller follows the affected services."
        );
        let one = Queued {
            sms: 1,
            email: 1,
            webhook: 0,
        };
        assert_eq!(sends(one, None), "This sends 1 SMS and 1 email now.");
        assert_eq!(queued(one, None), "Queued 1 SMS and 1 email.");
    }
}
