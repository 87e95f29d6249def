//! What the scheduler must do for a notice as it stands: pure, so every change can re-plan in
//! its own transaction and tests can check plans without a clock.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::{Notice, NoticeKind, NoticeState};

/// How an installation reminds: offsets before the start, and SMS quiet hours in the page's
/// zone (an SMS reminder that would fall inside goes out before they begin instead).
#[derive(Debug, Clone)]
pub struct Policy {
    pub reminders: Vec<Duration>,
    /// (from, until) local times, e.g. 21:00–07:00; `None`: no quiet hours.
    pub quiet: Option<(NaiveTime, NaiveTime)>,
    pub zone: Tz,
    /// Hold urgent SMS (started, extended, completed…) published in the quiet hours until they
    /// end; off, they go at once.
    pub hold_urgent: bool,
}

impl Default for Policy {
    /// No reminders: what a store that was not told gets.
    fn default() -> Self {
        Policy {
            reminders: Vec::new(),
            quiet: None,
            zone: chrono_tz::Africa::Nairobi,
            hold_urgent: false,
        }
    }
}

impl Policy {
    /// Whether `at` falls in the quiet hours.
    pub fn is_quiet(&self, at: DateTime<Utc>) -> bool {
        let Some((from, until)) = self.quiet else {
            return false;
        };
        let t = at.with_timezone(&self.zone).time();
        if from <= until {
            from <= t && t < until
        } else {
            t >= from || t < until
        }
    }

    /// `at`, or the start of the quiet period it falls in (the evening before, for a time
    /// after midnight).
    pub fn before_quiet(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        let Some((from, _)) = self.quiet else {
            return at;
        };
        if !self.is_quiet(at) {
            return at;
        }
        let local = at.with_timezone(&self.zone);
        let mut day = local.date_naive();
        if local.time() < from {
            day = day.pred_opt().unwrap_or(day);
        }
        self.zone
            .from_local_datetime(&day.and_time(from))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(at)
    }

    /// `at`, or the end of the quiet period it falls in (the next morning).
    pub fn after_quiet(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        let Some((from, until)) = self.quiet else {
            return at;
        };
        if !self.is_quiet(at) {
            return at;
        }
        let local = at.with_timezone(&self.zone);
        let mut day = local.date_naive();
        if from > until && local.time() >= from {
            day = day.succ_opt().unwrap_or(day);
        }
        self.zone
            .from_local_datetime(&day.and_time(until))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(at)
    }

    /// Parses `"24h,1h,90m"` and `"21:00-07:00"` (empty: none).
    pub fn parse(reminders: &str, quiet: &str, zone: Tz) -> Result<Policy, String> {
        let mut offsets = Vec::new();
        for raw in reminders
            .split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            let (n, unit) = raw.split_at(raw.len() - 1);
            let n: i64 = n
                .parse()
                .map_err(|_| format!("'{raw}' is not a duration such as 24h or 90m"))?;
            offsets.push(match unit {
                "h" => Duration::hours(n),
                "m" => Duration::minutes(n),
                "d" => Duration::days(n),
                _ => return Err(format!("'{raw}' is not a duration such as 24h or 90m")),
            });
        }
        let quiet = match quiet.trim() {
            "" => None,
            q => {
                let (a, b) = q
                    .split_once('-')
                    .ok_or_else(|| format!("'{q}' is not a range such as 21:00-07:00"))?;
                let t = |s: &str| {
                    NaiveTime::parse_from_str(s.trim(), "%H:%M")
                        .map_err(|_| format!("'{q}' is not a range such as 21:00-07:00"))
                };
                Some((t(a)?, t(b)?))
            }
        };
        Ok(Policy {
            reminders: offsets,
            quiet,
            zone,
            hold_urgent: false,
        })
    }
}

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
    /// Remind SMS followers (moved out of quiet hours).
    RemindSms,
    /// Remind email followers.
    RemindEmail,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Start => "start",
            Kind::Overrun => "overrun",
            Kind::OverrunUpdate => "overrun_update",
            Kind::Complete => "complete",
            Kind::RemindSms => "remind_sms",
            Kind::RemindEmail => "remind_email",
        }
    }

    pub const ALL: [Kind; 6] = [
        Kind::Start,
        Kind::Overrun,
        Kind::OverrunUpdate,
        Kind::Complete,
        Kind::RemindSms,
        Kind::RemindEmail,
    ];

    pub fn parse(raw: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// The steps a notice needs from now on. An auto-completing window completes at its end
/// instead of overrunning; a finished or draft notice needs nothing. Reminders already past
/// when the window is planned are not planned (a window published 30 minutes ahead gets no
/// "tomorrow" reminder).
pub fn plan(n: &Notice, policy: &Policy, now: DateTime<Utc>) -> Vec<(Kind, DateTime<Utc>)> {
    if n.kind != NoticeKind::Maintenance {
        return Vec::new();
    }
    let (Some(start), Some(end)) = (n.starts_at, n.ends_at) else {
        return Vec::new();
    };
    let mut steps = Vec::new();
    match n.state {
        NoticeState::Scheduled => {
            for offset in &policy.reminders {
                let email = start - *offset;
                let sms = policy.before_quiet(email);
                if sms > now {
                    steps.push((Kind::RemindSms, sms));
                }
                if email > now {
                    steps.push((Kind::RemindEmail, email));
                }
            }
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
        let p = Policy::default();
        let now = n.starts_at.unwrap() - Duration::days(2);
        let kinds: Vec<Kind> = plan(&n, &p, now).into_iter().map(|(k, _)| k).collect();
        assert_eq!(kinds, [Kind::Start, Kind::Overrun]);
        let n = window(NoticeState::Scheduled, false, true);
        let kinds: Vec<Kind> = plan(&n, &p, now).into_iter().map(|(k, _)| k).collect();
        assert_eq!(kinds, [Kind::Complete]);
        let n = window(NoticeState::InProgress, true, false);
        assert_eq!(plan(&n, &p, now), [(Kind::Overrun, n.ends_at.unwrap())]);
    }

    #[test]
    fn every_kind_reads_back() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Kind::parse("nap"), None);
    }

    #[test]
    fn finished_and_draft_notices_need_nothing() {
        for s in [
            NoticeState::Draft,
            NoticeState::Completed,
            NoticeState::Cancelled,
        ] {
            let n = window(s, true, true);
            assert!(plan(&n, &Policy::default(), n.created_at).is_empty(), "{s}");
        }
    }

    /// 18 April 2015, 23:00 EAT start: SMS reminders keep out of 21:00–07:00 EAT, email ones
    /// do not need to.
    #[test]
    fn sms_reminders_go_before_quiet_hours() {
        let n = window(NoticeState::Scheduled, true, false);
        let p = Policy::parse("24h,1h", "21:00-07:00", chrono_tz::Africa::Nairobi).unwrap();
        let start = n.starts_at.unwrap();
        let steps = plan(&n, &p, start - Duration::days(2));
        let at = |k: Kind| -> Vec<String> {
            steps
                .iter()
                .filter(|(kind, _)| *kind == k)
                .map(|(_, t)| {
                    t.with_timezone(&chrono_tz::Africa::Nairobi)
                        .format("%a %H:%M")
                        .to_string()
                })
                .collect()
        };
        assert_eq!(at(Kind::RemindSms), ["Fri 21:00", "Sat 21:00"]);
        assert_eq!(at(Kind::RemindEmail), ["Fri 23:00", "Sat 22:00"]);
        // Planned two hours before the start: only the one-hour reminders remain, and the SMS
        // one (moved to 21:00) is already past.
        let late = plan(&n, &p, start - Duration::hours(2));
        let kinds: Vec<Kind> = late.iter().map(|(k, _)| *k).collect();
        assert_eq!(kinds, [Kind::RemindEmail, Kind::Start, Kind::Overrun]);
        // 03:00 falls in the quiet hours of the evening before.
        let three = start + Duration::hours(4);
        assert_eq!(
            p.before_quiet(three)
                .with_timezone(&chrono_tz::Africa::Nairobi)
                .format("%a %H:%M")
                .to_string(),
            "Sat 21:00"
        );
        let local = |t: DateTime<Utc>| {
            t.with_timezone(&chrono_tz::Africa::Nairobi)
                .format("%a %H:%M")
                .to_string()
        };
        assert_eq!(
            local(p.after_quiet(start)),
            "Sun 07:00",
            "23:00 waits for the morning"
        );
        assert_eq!(local(p.after_quiet(three)), "Sun 07:00");
        assert_eq!(
            local(p.after_quiet(start - Duration::hours(3))),
            "Sat 20:00"
        );
        assert!(Policy::parse("24x", "", chrono_tz::UTC).is_err());
        assert!(Policy::parse("1h", "21:00", chrono_tz::UTC).is_err());
    }
}
