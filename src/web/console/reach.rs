//! What a lifecycle action sends, in words: the confirmation before it ("This sends 12,400 SMS,
//! 3,100 emails and 4 webhooks now") and the result after it ("Queued …"). The numbers come
//! from the fan-out's own queries ([`crate::store::Store::followers`]) before, and from what the
//! fan-out queued after.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::domain::{Event, Notice, NoticeKind, NoticeState};
use crate::locale::{Arg, Locale};
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

/// "12,400 SMS", "1 email", "3 webhooks": `id`'s words for the count `n`.
fn count(loc: &Locale, id: &str, n: i64) -> String {
    let shown = thousands(n);
    loc.format(id, &[("n", Arg::Num(n)), ("count", Arg::Str(&shown))])
}

/// "a, b and c", as the language joins the last of a list.
fn list(loc: &Locale, parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => {
            let init = init.join(&loc.text("list-separator"));
            loc.format(
                "console-reach-list",
                &[("init", Arg::Str(&init)), ("last", Arg::Str(last))],
            )
        }
    }
}

/// The counts of what is queued on each channel, skipping empty ones (and the SMS unless
/// `with_sms`).
fn channels(loc: &Locale, q: Queued, with_sms: bool) -> Vec<String> {
    let mut parts = Vec::new();
    if with_sms && q.sms > 0 {
        parts.push(count(loc, "console-reach-sms", q.sms));
    }
    if q.email > 0 {
        parts.push(count(loc, "console-reach-email", q.email));
    }
    if q.webhook > 0 {
        parts.push(count(loc, "console-reach-webhook", q.webhook));
    }
    parts
}

/// What pressing a button would send, for its confirmation: "This sends 12,400 SMS, 3,100
/// emails and 4 webhooks now." During the quiet hours the SMS wait for `sms_wait`.
pub fn sends(loc: &Locale, q: Queued, sms_wait: Option<&str>) -> String {
    let held = sms_wait.filter(|_| q.sms > 0);
    let now = channels(loc, q, held.is_none());
    let list = list(loc, &now);
    match (now.is_empty(), held) {
        (true, None) => loc.text("console-reach-nothing-sent"),
        (false, None) => loc.format("console-reach-sends", &[("list", Arg::Str(&list))]),
        (true, Some(at)) => loc.format(
            "console-reach-sends-held-only",
            &[
                ("sms", Arg::Str(&count(loc, "console-reach-sms", q.sms))),
                ("at", Arg::Str(at)),
            ],
        ),
        (false, Some(at)) => loc.format(
            "console-reach-sends-held",
            &[
                ("list", Arg::Str(&list)),
                ("sms", Arg::Str(&count(loc, "console-reach-sms", q.sms))),
                ("at", Arg::Str(at)),
            ],
        ),
    }
}

/// What an action queued, for the page after it: "Queued 12,400 SMS and 3,100 emails."
pub fn queued(loc: &Locale, q: Queued, sms_wait: Option<&str>) -> String {
    let all = channels(loc, q, true);
    if all.is_empty() {
        return loc.text("console-reach-nothing-queued");
    }
    let list = list(loc, &all);
    match sms_wait.filter(|_| q.sms > 0) {
        None => loc.format("console-reach-queued", &[("list", Arg::Str(&list))]),
        Some(at) => loc.format(
            "console-reach-queued-held",
            &[("list", Arg::Str(&list)), ("at", Arg::Str(at))],
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
        loc: &Arc<Locale>,
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
            sms_wait: sms_wait(state, loc, state.clock.now()),
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
fn sms_wait(state: &AppState, loc: &Arc<Locale>, at: DateTime<Utc>) -> Option<String> {
    let goes = state.urgent_sms_at(at);
    (goes > at).then(|| super::page::face(state, loc).instant(goes))
}

/// The flash after an action: what it did and what it queued.
pub fn result(state: &AppState, loc: &Arc<Locale>, a: &Applied) -> String {
    let u = &a.update;
    if a.notice.published_at.is_none() {
        return loc.text("console-reach-discarded");
    }
    let queued = queued(loc, a.queued, sms_wait(state, loc, u.created_at).as_deref());
    loc.format(
        "console-reach-done",
        &[
            ("event", Arg::Str(u.event.as_str())),
            ("sequence", Arg::Str(&u.sequence.to_string())),
            ("queued", Arg::Str(&queued)),
        ],
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
        let (locales, _) =
            crate::locale::Locales::load(None, &["en".to_string()]).expect("English loads");
        let en = locales.get(crate::domain::Lang::En).clone();
        let sends = |q, at| sends(&en, q, at);
        let queued = |q, at| queued(&en, q, at);
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
