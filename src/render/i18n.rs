//! The page's words in each language, from its locale, and dates written by its CLDR rules.

use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, Utc};
use chrono_tz::Tz;

use crate::domain::{Event, Indicator, NoticeState, ServiceStatus};
use crate::locale::{Arg, Locale};

/// Declares a struct of fixed labels, each field read from the message `{prefix}-{field}`
/// (underscores as dashes) of a locale.
macro_rules! labels {
    ($(#[$meta:meta])* $name:ident, $prefix:literal, { $($(#[$fmeta:meta])* $field:ident),* $(,)? }) => {
        $(#[$meta])*
        pub struct $name {
            /// The language's tag, for `lang` attributes.
            #[allow(dead_code)] // a page read with several structs takes them from one
            pub lang: &'static str,
            /// `ltr` or `rtl`, for `dir` attributes.
            #[allow(dead_code)]
            pub dir: &'static str,
            $($(#[$fmeta])* pub $field: String,)*
        }

        impl $name {
            pub fn of(loc: &$crate::locale::Locale) -> $name {
                $name {
                    lang: loc.lang.code(),
                    dir: loc.lang.dir(),
                    $($field: loc.text(&format!(
                        "{}-{}",
                        $prefix,
                        stringify!($field).replace('_', "-")
                    )),)*
                }
            }
        }
    };
}
pub(crate) use labels;

labels!(
    /// Fixed labels used by the page templates.
    T, "page", {
        services,
        active,
        upcoming,
        history,
        no_history,
        affected,
        still_works,
        reference,
        details,
        updates,
        window,
        verify_title,
        verify_prompt,
        verify_button,
        verify_official,
        verify_unknown,
        fraud_warning,
        not_found_title,
        not_found_body,
        back,
        machine_readable,
        updated,
        overrunning,
        times_in,
        nothing_planned,
        all_notices,
        all_active,
        all_upcoming,
        all_history,
    }
);

fn id(prefix: &str, code: &str) -> String {
    format!("{prefix}-{}", code.replace(['.', '_'], "-"))
}

pub fn status_label(loc: &Locale, s: ServiceStatus) -> String {
    loc.text(&id("status", s.as_str()))
}

pub fn state_label(loc: &Locale, s: NoticeState) -> String {
    loc.text(&id("state", s.as_str()))
}

pub fn banner(loc: &Locale, i: Indicator) -> String {
    loc.text(&id("banner", i.as_str()))
}

pub fn banner_late(loc: &Locale) -> String {
    loc.text("banner-late")
}

pub fn event_label(loc: &Locale, e: Event) -> String {
    loc.text(&id("event", e.as_str()))
}

/// The text an update gets when staff write none.
pub fn default_body(loc: &Locale, e: Event, window: Option<String>) -> String {
    let w = window.unwrap_or_default();
    loc.format(&id("default-body", e.as_str()), &[("window", Arg::Str(&w))])
}

/// Formats instants in the page's zone, in a language: "Sat, 18 Apr 23:00" (year added when
/// not `now`'s).
#[derive(Clone)]
pub struct Clockface {
    pub tz: Tz,
    pub loc: Arc<Locale>,
    pub now: DateTime<Utc>,
}

impl Clockface {
    /// Times in the page's zone, in `lang`'s words.
    pub fn new(
        settings: &crate::config::Settings,
        lang: crate::domain::Lang,
        now: DateTime<Utc>,
    ) -> Clockface {
        Clockface {
            tz: settings.time_zone,
            loc: settings.locales.get(lang).clone(),
            now,
        }
    }

    pub fn zone_abbr(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.tz).format("%Z").to_string()
    }

    fn this_year(&self) -> i32 {
        self.now.with_timezone(&self.tz).year()
    }

    fn date_time(&self, at: DateTime<Utc>) -> String {
        self.loc
            .date_time(&at.with_timezone(&self.tz), self.this_year())
    }

    fn time(&self, at: DateTime<Utc>) -> String {
        self.loc.time(&at.with_timezone(&self.tz))
    }

    /// "Sat, 18 Apr 23:00 EAT"
    pub fn instant(&self, at: DateTime<Utc>) -> String {
        format!("{} {}", self.date_time(at), self.zone_abbr(at))
    }

    /// "Sat, 18 Apr 23:00 – Sun, 19 Apr 12:00 EAT", or "Sun, 19 Apr 01:00 – 05:00 EAT" within
    /// a day.
    pub fn window(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
        let same_day =
            start.with_timezone(&self.tz).date_naive() == end.with_timezone(&self.tz).date_naive();
        let zs = self.zone_abbr(start);
        let ze = self.zone_abbr(end);
        let head = self.date_time(start);
        let head = if zs != ze {
            format!("{head} {zs}")
        } else {
            head
        };
        if same_day {
            format!("{head} – {} {ze}", self.time(end))
        } else {
            format!("{head} – {} {ze}", self.date_time(end))
        }
    }

    /// "30 min", "1 h 30 min", "1 day 2 h", in whole minutes elapsed, in the locale's words
    /// (the parts joined by its `duration-separator`: Arabic "ساعة واحدة و30 دقيقة").
    pub fn duration(&self, d: Duration) -> String {
        self.minutes(d.num_minutes())
    }

    /// [`Clockface::duration`] of a count of minutes (its sign is dropped).
    pub fn minutes(&self, minutes: i64) -> String {
        let mins = minutes.unsigned_abs() as i64;
        let (days, hours, minutes) = (mins / 1440, (mins % 1440) / 60, mins % 60);
        let mut parts = Vec::new();
        if days > 0 {
            parts.push(self.loc.format("duration-days", &[("n", Arg::Num(days))]));
        }
        if hours > 0 {
            parts.push(self.loc.format("duration-hours", &[("n", Arg::Num(hours))]));
        }
        if minutes > 0 && days == 0 {
            parts.push(
                self.loc
                    .format("duration-minutes", &[("n", Arg::Num(minutes))]),
            );
        }
        if parts.is_empty() {
            parts.push(self.loc.text("duration-under-a-minute"));
        }
        parts.join(&self.loc.text("duration-separator"))
    }

    /// How a finished window ended compared with what was announced, from
    /// [`Notice::minutes_early`](crate::domain::Notice::minutes_early) (negative: late).
    pub fn outcome(&self, minutes_early: i64) -> String {
        let d = self.minutes(minutes_early);
        let args = [("duration", Arg::Str(&d))];
        match minutes_early {
            m if m >= 1 => self.loc.format("outcome-early", &args),
            m if m <= -1 => self.loc.format("outcome-late", &args),
            _ => self.loc.text("outcome-on-time"),
        }
    }

    /// A completed window's first announced end beside its actual one: "Announced to end Sun,
    /// 19 Apr 12:00 EAT; ended Sun, 19 Apr 11:30 EAT".
    pub fn ends(&self, announced: DateTime<Utc>, actual: DateTime<Utc>) -> String {
        let (a, e) = (self.instant(announced), self.instant(actual));
        self.loc.format(
            "ends",
            &[("announced", Arg::Str(&a)), ("ended", Arg::Str(&e))],
        )
    }

    /// "Running 25 min past the planned end (…)" for an overrunning window.
    pub fn overrun(&self, planned_end: DateTime<Utc>) -> String {
        let late = self.duration(self.now - planned_end);
        let planned = self.instant(planned_end);
        self.loc.format(
            "overrun",
            &[("late", Arg::Str(&late)), ("planned", Arg::Str(&planned))],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Lang;
    use crate::locale::Locales;
    use chrono::TimeZone;

    fn eat(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        chrono_tz::Africa::Nairobi
            .with_ymd_and_hms(y, mo, d, h, mi, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn faces(now: DateTime<Utc>) -> Vec<Clockface> {
        let tags: Vec<String> = ["en", "sw", "fr", "pt", "ar"].map(String::from).to_vec();
        let (locales, langs) = Locales::load(None, &tags).unwrap();
        langs
            .iter()
            .map(|l| Clockface {
                tz: chrono_tz::Africa::Nairobi,
                loc: locales.get(*l).clone(),
                now,
            })
            .collect()
    }

    #[test]
    fn the_april_2015_window_reads_like_the_announcement() {
        let [en, sw, fr, pt, ar] = <[Clockface; 5]>::try_from(faces(eat(2015, 4, 16, 9, 0)))
            .unwrap_or_else(|_| panic!("five languages"));
        assert_eq!(en.loc.lang, Lang::En);
        assert_eq!(
            en.window(eat(2015, 4, 18, 23, 0), eat(2015, 4, 19, 12, 0)),
            "Sat, 18 Apr, 23:00 – Sun, 19 Apr, 12:00 EAT"
        );
        assert_eq!(
            en.window(eat(2015, 4, 19, 1, 0), eat(2015, 4, 19, 5, 0)),
            "Sun, 19 Apr, 01:00 – 05:00 EAT",
            "within a day the end is a time"
        );
        assert_eq!(en.outcome(30), "Finished 30 min early");
        assert_eq!(en.outcome(-25 * 60), "Finished 1 day 1 h late");
        assert_eq!(
            en.instant(eat(2016, 8, 19, 11, 30)),
            "Fri, 19 Aug 2016, 11:30 EAT",
            "the year only when it is not this one"
        );
        assert_eq!(
            sw.window(eat(2015, 4, 18, 23, 0), eat(2015, 4, 19, 12, 0)),
            "Jumamosi, 18 Apr, 23:00 – Jumapili, 19 Apr, 12:00 EAT"
        );
        assert_eq!(sw.outcome(30), "Yalikamilika mapema kwa dakika 30");
        // CLDR's names and patterns, and each language's plurals.
        assert!(
            fr.instant(eat(2015, 4, 18, 23, 0))
                .starts_with("sam. 18 avr.")
        );
        assert_eq!(fr.minutes(2 * 1440 + 60), "2 jours 1 h");
        assert_eq!(fr.minutes(1440), "1 jour");
        assert_eq!(pt.minutes(1440 + 60), "1 dia e 1 h");
        assert_eq!(ar.minutes(120), "ساعتين", "Arabic's dual");
        assert_eq!(ar.minutes(90), "ساعة واحدة و30 دقيقة");
        assert!(
            ar.instant(eat(2015, 4, 18, 23, 0))
                .starts_with("السبت، 18 أبريل")
        );
    }
}
