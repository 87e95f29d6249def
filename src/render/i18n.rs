//! The page's words in each language, and dates written the way people there read them.

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use chrono_tz::Tz;

use crate::domain::{Event, Indicator, Lang, NoticeState, ServiceStatus};

/// Fixed labels used by the page templates.
pub struct T {
    pub lang: &'static str,
    pub services: &'static str,
    pub active: &'static str,
    pub upcoming: &'static str,
    pub history: &'static str,
    pub no_history: &'static str,
    pub affected: &'static str,
    pub still_works: &'static str,
    pub reference: &'static str,
    pub details: &'static str,
    pub updates: &'static str,
    pub window: &'static str,
    pub verify_title: &'static str,
    pub verify_prompt: &'static str,
    pub verify_button: &'static str,
    pub verify_official: &'static str,
    pub verify_unknown: &'static str,
    pub fraud_warning: &'static str,
    pub not_found_title: &'static str,
    pub not_found_body: &'static str,
    pub back: &'static str,
    pub machine_readable: &'static str,
    pub updated: &'static str,
    pub overrunning: &'static str,
    pub times_in: &'static str,
    pub nothing_planned: &'static str,
    /// The page listing every notice, and the links to it from `/`.
    pub all_notices: &'static str,
    pub all_active: &'static str,
    pub all_upcoming: &'static str,
    pub all_history: &'static str,
}

pub fn t(lang: Lang) -> &'static T {
    match lang {
        Lang::En => &EN,
        Lang::Sw => &SW,
    }
}

static EN: T = T {
    lang: "en",
    services: "Services",
    active: "Happening now",
    upcoming: "Planned maintenance",
    history: "Recent history",
    no_history: "No notices in the recent past.",
    affected: "Affected",
    still_works: "Still works",
    reference: "Reference",
    details: "Details and updates",
    updates: "Updates",
    window: "Window",
    verify_title: "Check a message",
    verify_prompt: "Got an SMS or email about maintenance? Enter its reference code to check it is official.",
    verify_button: "Check",
    verify_official: "is an official notice",
    verify_unknown: "No official notice has this reference code. Treat the message as fake.",
    fraud_warning: "We never ask for your PIN or ask you to send money to restore service.",
    not_found_title: "Not found",
    not_found_body: "There is no page at this address.",
    back: "Back to the status page",
    machine_readable: "Feeds and data",
    updated: "Updated",
    overrunning: "Running late",
    times_in: "Times are in",
    nothing_planned: "No maintenance planned.",
    all_notices: "All notices",
    all_active: "Everything happening now",
    all_upcoming: "All planned maintenance",
    all_history: "All recent history",
};

static SW: T = T {
    lang: "sw",
    services: "Huduma",
    active: "Kinachoendelea sasa",
    upcoming: "Matengenezo yaliyopangwa",
    history: "Historia ya karibuni",
    no_history: "Hakuna matangazo ya hivi karibuni.",
    affected: "Zilizoathirika",
    still_works: "Bado zinafanya kazi",
    reference: "Namba ya kumbukumbu",
    details: "Maelezo na taarifa mpya",
    updates: "Taarifa",
    window: "Muda",
    verify_title: "Hakiki ujumbe",
    verify_prompt: "Umepokea SMS au barua pepe kuhusu matengenezo? Weka namba yake ya kumbukumbu uhakiki kama ni rasmi.",
    verify_button: "Hakiki",
    verify_official: "ni tangazo rasmi",
    verify_unknown: "Hakuna tangazo rasmi lenye namba hii ya kumbukumbu. Chukulia ujumbe huo kuwa wa uongo.",
    fraud_warning: "Hatutakuomba PIN yako wala kukutaka utume pesa ili huduma irudi.",
    not_found_title: "Haipatikani",
    not_found_body: "Hakuna ukurasa kwenye anwani hii.",
    back: "Rudi kwenye ukurasa wa hali ya huduma",
    machine_readable: "Milisho na data",
    updated: "Imesasishwa",
    overrunning: "Imechelewa",
    times_in: "Saa ni za",
    nothing_planned: "Hakuna matengenezo yaliyopangwa.",
    all_notices: "Matangazo yote",
    all_active: "Yote yanayoendelea sasa",
    all_upcoming: "Matengenezo yote yaliyopangwa",
    all_history: "Historia yote ya karibuni",
};

pub fn status_label(lang: Lang, s: ServiceStatus) -> &'static str {
    use ServiceStatus::*;
    match (lang, s) {
        (Lang::En, Operational) => "Working",
        (Lang::En, UnderMaintenance) => "Under maintenance",
        (Lang::En, DegradedPerformance) => "Slow",
        (Lang::En, PartialOutage) => "Partly unavailable",
        (Lang::En, MajorOutage) => "Unavailable",
        (Lang::Sw, Operational) => "Inafanya kazi",
        (Lang::Sw, UnderMaintenance) => "Matengenezo",
        (Lang::Sw, DegradedPerformance) => "Inasuasua",
        (Lang::Sw, PartialOutage) => "Haipatikani kwa sehemu",
        (Lang::Sw, MajorOutage) => "Haipatikani",
    }
}

pub fn state_label(lang: Lang, s: NoticeState) -> &'static str {
    use NoticeState::*;
    match (lang, s) {
        (Lang::En, Draft) => "Draft",
        (Lang::En, Scheduled) => "Scheduled",
        (Lang::En, InProgress) => "In progress",
        (Lang::En, Verifying) => "Checking services",
        (Lang::En, Completed) => "Completed",
        (Lang::En, Cancelled) => "Cancelled",
        (Lang::En, Investigating) => "Investigating",
        (Lang::En, Identified) => "Cause found",
        (Lang::En, Monitoring) => "Fixed, monitoring",
        (Lang::En, Resolved) => "Resolved",
        (Lang::Sw, Draft) => "Rasimu",
        (Lang::Sw, Scheduled) => "Yamepangwa",
        (Lang::Sw, InProgress) => "Yanaendelea",
        (Lang::Sw, Verifying) => "Tunahakiki huduma",
        (Lang::Sw, Completed) => "Yamekamilika",
        (Lang::Sw, Cancelled) => "Yamefutwa",
        (Lang::Sw, Investigating) => "Tunachunguza",
        (Lang::Sw, Identified) => "Chanzo kimebainika",
        (Lang::Sw, Monitoring) => "Limerekebishwa, tunafuatilia",
        (Lang::Sw, Resolved) => "Limetatuliwa",
    }
}

pub fn banner(lang: Lang, i: Indicator) -> &'static str {
    match (lang, i) {
        (Lang::En, Indicator::None) => "All services are working",
        (Lang::En, Indicator::Maintenance) => "Maintenance in progress",
        (Lang::En, Indicator::Minor) => "Some services are slow",
        (Lang::En, Indicator::Major) => "Some services are unavailable",
        (Lang::En, Indicator::Critical) => "Services are unavailable",
        (Lang::Sw, Indicator::None) => "Huduma zote zinafanya kazi",
        (Lang::Sw, Indicator::Maintenance) => "Matengenezo yanaendelea",
        (Lang::Sw, Indicator::Minor) => "Baadhi ya huduma zinasuasua",
        (Lang::Sw, Indicator::Major) => "Baadhi ya huduma hazipatikani",
        (Lang::Sw, Indicator::Critical) => "Huduma hazipatikani",
    }
}

pub fn banner_late(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Maintenance is running late",
        Lang::Sw => "Matengenezo yamechelewa",
    }
}

pub fn event_label(lang: Lang, e: Event) -> &'static str {
    use Event::*;
    match (lang, e) {
        (Lang::En, MaintenanceScheduled) => "Announced",
        (Lang::En, MaintenanceRescheduled) => "Moved",
        (Lang::En, MaintenanceStarted) => "Started",
        (Lang::En, MaintenanceExtended) => "Extended",
        (Lang::En, MaintenanceOverrunning) => "Running late",
        (Lang::En, MaintenanceCompleted) => "Completed",
        (Lang::En, MaintenanceCancelled) => "Cancelled",
        (Lang::En, MaintenanceUpdated) => "Update",
        (Lang::En, IncidentCreated) => "Reported",
        (Lang::En, IncidentUpdated) => "Update",
        (Lang::En, IncidentResolved) => "Resolved",
        (Lang::En, MaintenanceReminder) => "Reminder",
        (Lang::En, TestPing) => "Test",
        (Lang::Sw, MaintenanceScheduled) => "Tangazo",
        (Lang::Sw, MaintenanceRescheduled) => "Muda umebadilishwa",
        (Lang::Sw, MaintenanceStarted) => "Yameanza",
        (Lang::Sw, MaintenanceExtended) => "Muda umeongezwa",
        (Lang::Sw, MaintenanceOverrunning) => "Yamechelewa",
        (Lang::Sw, MaintenanceCompleted) => "Yamekamilika",
        (Lang::Sw, MaintenanceCancelled) => "Yamefutwa",
        (Lang::Sw, MaintenanceUpdated) => "Taarifa",
        (Lang::Sw, IncidentCreated) => "Tatizo limeripotiwa",
        (Lang::Sw, IncidentUpdated) => "Taarifa",
        (Lang::Sw, IncidentResolved) => "Limetatuliwa",
        (Lang::Sw, MaintenanceReminder) => "Kumbusho",
        (Lang::Sw, TestPing) => "Majaribio",
    }
}

/// The text an update gets when staff write none.
pub fn default_body(lang: Lang, e: Event, window: Option<String>) -> String {
    use Event::*;
    let w = window.unwrap_or_default();
    match (lang, e) {
        (Lang::En, MaintenanceScheduled) => format!("Maintenance is planned: {w}."),
        (Lang::En, MaintenanceRescheduled) => format!("The maintenance has moved to {w}."),
        (Lang::En, MaintenanceStarted) => "The maintenance has started.".into(),
        (Lang::En, MaintenanceExtended) => {
            format!("The maintenance is taking longer. New window: {w}.")
        }
        (Lang::En, MaintenanceOverrunning) => {
            "The maintenance is running past its planned end. We will give a new estimate soon."
                .into()
        }
        (Lang::En, MaintenanceCompleted) => {
            "The maintenance is complete and services are back.".into()
        }
        (Lang::En, MaintenanceCancelled) => {
            "The maintenance has been cancelled. Services work as usual.".into()
        }
        (Lang::En, MaintenanceUpdated | IncidentUpdated) => "We have an update.".into(),
        (Lang::En, IncidentCreated) => "We are looking into a problem.".into(),
        (Lang::En, IncidentResolved) => "The problem is fixed and services are back.".into(),
        (Lang::En, MaintenanceReminder) => format!("Reminder: maintenance {w}."),
        (Lang::En, TestPing) => "This is a test message.".into(),
        (Lang::Sw, MaintenanceScheduled) => format!("Matengenezo yamepangwa: {w}."),
        (Lang::Sw, MaintenanceRescheduled) => format!("Matengenezo yamehamishiwa {w}."),
        (Lang::Sw, MaintenanceStarted) => "Matengenezo yameanza.".into(),
        (Lang::Sw, MaintenanceExtended) => {
            format!("Matengenezo yanachukua muda zaidi. Muda mpya: {w}.")
        }
        (Lang::Sw, MaintenanceOverrunning) => {
            "Matengenezo yamepita muda uliopangwa. Tutatoa makadirio mapya hivi karibuni.".into()
        }
        (Lang::Sw, MaintenanceCompleted) => "Matengenezo yamekamilika na huduma zimerudi.".into(),
        (Lang::Sw, MaintenanceCancelled) => {
            "Matengenezo yamefutwa. Huduma zinaendelea kama kawaida.".into()
        }
        (Lang::Sw, MaintenanceUpdated | IncidentUpdated) => "Kuna taarifa mpya.".into(),
        (Lang::Sw, IncidentCreated) => "Tunachunguza tatizo.".into(),
        (Lang::Sw, IncidentResolved) => "Tatizo limetatuliwa na huduma zimerudi.".into(),
        (Lang::Sw, MaintenanceReminder) => format!("Kumbusho: matengenezo {w}."),
        (Lang::Sw, TestPing) => "Huu ni ujumbe wa majaribio.".into(),
    }
}

const DAYS_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const DAYS_SW: [&str; 7] = [
    "Jumatatu", "Jumanne", "Jumatano", "Alhamisi", "Ijumaa", "Jumamosi", "Jumapili",
];
const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const MONTHS_SW: [&str; 12] = [
    "Jan", "Feb", "Mac", "Apr", "Mei", "Jun", "Jul", "Ago", "Sep", "Okt", "Nov", "Des",
];

/// Formats instants in the page's zone: "Sat 18 Apr 23:00" (year added when not `now`'s).
#[derive(Clone, Copy)]
pub struct Clockface {
    pub tz: Tz,
    pub lang: Lang,
    pub now: DateTime<Utc>,
}

impl Clockface {
    pub fn zone_abbr(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.tz).format("%Z").to_string()
    }

    fn date(&self, at: DateTime<Utc>) -> String {
        let l = at.with_timezone(&self.tz);
        let wd = l.weekday().num_days_from_monday() as usize;
        let m = l.month0() as usize;
        let (days, months) = match self.lang {
            Lang::En => (DAYS_EN, MONTHS_EN),
            Lang::Sw => (DAYS_SW, MONTHS_SW),
        };
        let mut s = format!("{} {} {}", days[wd], l.day(), months[m]);
        if l.year() != self.now.with_timezone(&self.tz).year() {
            s.push_str(&format!(" {}", l.year()));
        }
        s
    }

    fn time(&self, at: DateTime<Utc>) -> String {
        let l = at.with_timezone(&self.tz);
        format!("{:02}:{:02}", l.hour(), l.minute())
    }

    /// "Sat 18 Apr 23:00 EAT"
    pub fn instant(&self, at: DateTime<Utc>) -> String {
        format!("{} {} {}", self.date(at), self.time(at), self.zone_abbr(at))
    }

    /// "Sat 18 Apr 23:00 – Sun 19 Apr 12:00 EAT", or "Sun 19 Apr 01:00 – 05:00 EAT" within a day.
    pub fn window(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
        let same_day =
            start.with_timezone(&self.tz).date_naive() == end.with_timezone(&self.tz).date_naive();
        let zs = self.zone_abbr(start);
        let ze = self.zone_abbr(end);
        let head = format!("{} {}", self.date(start), self.time(start));
        let head = if zs != ze {
            format!("{head} {zs}")
        } else {
            head
        };
        if same_day {
            format!("{head} – {} {ze}", self.time(end))
        } else {
            format!("{head} – {} {} {ze}", self.date(end), self.time(end))
        }
    }

    /// "30 min", "1 h 30 min", "1 day 2 h" (Swahili: "dakika 30", "saa 1 dakika 30", "siku 1 saa 2"),
    /// in whole minutes elapsed.
    pub fn duration(&self, d: Duration) -> String {
        self.minutes(d.num_minutes())
    }

    /// [`Clockface::duration`] of a count of minutes (its sign is dropped).
    pub fn minutes(&self, minutes: i64) -> String {
        let mins = minutes.unsigned_abs();
        let (days, hours, minutes) = (mins / 1440, (mins % 1440) / 60, mins % 60);
        let mut parts = Vec::new();
        match self.lang {
            Lang::En => {
                if days > 0 {
                    parts.push(format!("{days} day{}", if days == 1 { "" } else { "s" }));
                }
                if hours > 0 {
                    parts.push(format!("{hours} h"));
                }
                if minutes > 0 && days == 0 {
                    parts.push(format!("{minutes} min"));
                }
            }
            Lang::Sw => {
                if days > 0 {
                    parts.push(format!("siku {days}"));
                }
                if hours > 0 {
                    parts.push(format!("saa {hours}"));
                }
                if minutes > 0 && days == 0 {
                    parts.push(format!("dakika {minutes}"));
                }
            }
        }
        if parts.is_empty() {
            parts.push(match self.lang {
                Lang::En => "under a minute".into(),
                Lang::Sw => "chini ya dakika moja".into(),
            });
        }
        parts.join(" ")
    }

    /// How a finished window ended compared with what was announced, from
    /// [`Notice::minutes_early`](crate::domain::Notice::minutes_early) (negative: late).
    pub fn outcome(&self, minutes_early: i64) -> String {
        let d = self.minutes(minutes_early);
        match (self.lang, minutes_early) {
            (Lang::En, m) if m >= 1 => format!("Finished {d} early"),
            (Lang::En, m) if m <= -1 => format!("Finished {d} late"),
            (Lang::En, _) => "Finished on time".into(),
            (Lang::Sw, m) if m >= 1 => format!("Yalikamilika mapema kwa {d}"),
            (Lang::Sw, m) if m <= -1 => format!("Yalichelewa kwa {d}"),
            (Lang::Sw, _) => "Yalikamilika kwa wakati".into(),
        }
    }

    /// A completed window's first announced end beside its actual one: "Announced to end Sun
    /// 19 Apr 12:00 EAT; ended Sun 19 Apr 11:30 EAT".
    pub fn ends(&self, announced: DateTime<Utc>, actual: DateTime<Utc>) -> String {
        let (a, e) = (self.instant(announced), self.instant(actual));
        match self.lang {
            Lang::En => format!("Announced to end {a}; ended {e}"),
            Lang::Sw => format!("Yalitangazwa kuisha {a}; yalikamilika {e}"),
        }
    }

    /// "Running late: planned to end Sun 19 Apr 12:00 EAT" for an overrunning window.
    pub fn overrun(&self, planned_end: DateTime<Utc>) -> String {
        let late = self.duration(self.now - planned_end);
        match self.lang {
            Lang::En => format!(
                "Running {late} past the planned end ({}). We will post a new estimate.",
                self.instant(planned_end)
            ),
            Lang::Sw => format!(
                "Imepita muda uliopangwa ({}) kwa {late}. Tutatoa makadirio mapya.",
                self.instant(planned_end)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn eat(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        chrono_tz::Africa::Nairobi
            .with_ymd_and_hms(y, mo, d, h, mi, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn the_april_2015_window_reads_like_the_announcement() {
        let f = Clockface {
            tz: chrono_tz::Africa::Nairobi,
            lang: Lang::En,
            now: eat(2015, 4, 16, 9, 0),
        };
        assert_eq!(
            f.window(eat(2015, 4, 18, 23, 0), eat(2015, 4, 19, 12, 0)),
            "Sat 18 Apr 23:00 – Sun 19 Apr 12:00 EAT"
        );
        assert_eq!(
            f.window(eat(2015, 4, 19, 1, 0), eat(2015, 4, 19, 5, 0)),
            "Sun 19 Apr 01:00 – 05:00 EAT"
        );
        assert_eq!(f.outcome(30), "Finished 30 min early");
        assert_eq!(f.outcome(-25 * 60), "Finished 1 day 1 h late");
        let sw = Clockface {
            lang: Lang::Sw,
            ..f
        };
        assert_eq!(
            sw.window(eat(2015, 4, 18, 23, 0), eat(2015, 4, 19, 12, 0)),
            "Jumamosi 18 Apr 23:00 – Jumapili 19 Apr 12:00 EAT"
        );
        assert_eq!(sw.outcome(30), "Yalikamilika mapema kwa dakika 30");
        let next_year = Clockface {
            now: eat(2016, 1, 1, 0, 0),
            ..f
        };
        assert_eq!(
            next_year.instant(eat(2015, 4, 19, 11, 30)),
            "Sun 19 Apr 2015 11:30 EAT"
        );
    }
}
