//! History feeds (Atom, RSS: one entry per public update, newest first, its text always plain
//! text to a reader) and the maintenance calendar (RFC 5545: one VEVENT per window with a
//! stable UID and a SEQUENCE that grows with every update, so calendar apps replace the event
//! instead of adding a copy, and what really happened once a window has started).

use atom_syndication as atom;
use chrono::{DateTime, Duration, Utc};
use icalendar::{Calendar, Component, EventLike, EventStatus};

use super::View;
use super::i18n::{self, Clockface};
use crate::domain::{Event, Lang, Notice, NoticeKind, NoticeState, Update};

/// How many updates the feeds carry.
const FEED_ENTRIES: usize = 50;

/// The shortest event the calendar gives: RFC 5545 wants DTEND after DTSTART, and calendar
/// apps show minutes, so a window completed the moment it started still shows as a minute.
const SHORTEST_EVENT: Duration = Duration::minutes(1);

/// When a window's calendar event starts and ends, to the second (iCalendar's precision). A
/// window that has started carries its actual start, and a completed one its actual finish
/// too (it may have started early and finished before its planned start); every other window
/// its planned window. The end is always at least [`SHORTEST_EVENT`] after the start.
fn calendar_span(n: &Notice) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let (planned_start, planned_end) = (n.starts_at?, n.ends_at?);
    let started = matches!(
        n.state,
        NoticeState::InProgress | NoticeState::Verifying | NoticeState::Completed
    );
    let start = if started {
        n.started_at.unwrap_or(planned_start)
    } else {
        planned_start
    };
    let end = match n.state {
        NoticeState::Completed => n.finished_at.unwrap_or(planned_end),
        _ => planned_end,
    };
    let (start, end) = (whole_seconds(start), whole_seconds(end));
    Some((start, end.max(start + SHORTEST_EVENT)))
}

fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

impl View<'_> {
    fn recent_updates(&self) -> Vec<(&Notice, &Update)> {
        let mut all: Vec<(&Notice, &Update)> = self
            .data
            .notices
            .iter()
            .flat_map(|n| self.updates(n).iter().map(move |u| (n, u)))
            .collect();
        all.sort_by_key(|(_, u)| std::cmp::Reverse((u.created_at, u.sequence)));
        all.truncate(FEED_ENTRIES);
        all
    }

    /// The public URL of a page or feed in `lang`: the page's own link, and for a feed file
    /// `?lang=` (live) or the language's folder (a static export), unless it is the default.
    fn url_in(&self, lang: Lang, path: &str) -> String {
        let feed = path.rsplit('/').next().is_some_and(|f| f.contains('.'));
        let local = match self.links.style {
            _ if !feed => self.links.page(lang, path),
            _ if lang == self.links.default_lang => path.to_string(),
            crate::render::LinkStyle::Live => format!("{path}?lang={lang}"),
            crate::render::LinkStyle::Static => format!("/{lang}{path}"),
        };
        self.public_url(&local)
    }

    fn entry_title(&self, lang: Lang, n: &Notice, u: &Update) -> String {
        format!(
            "{}: {}",
            i18n::event_label(self.settings.locales.get(lang), u.event),
            n.title.get(lang)
        )
    }

    fn entry_text(&self, lang: Lang, n: &Notice, u: &Update) -> String {
        let face = Clockface::new(self.settings, lang, self.now);
        let mut text = u.body.get(lang).to_string();
        if let (Some(s), Some(e)) = (u.starts_at, u.ends_at)
            && n.kind == NoticeKind::Maintenance
        {
            text.push_str(&format!(
                "\n{}: {}",
                i18n::T::of(self.settings.locales.get(lang)).window,
                face.window(s, e)
            ));
        }
        if u.event == Event::MaintenanceCompleted
            && let (Some(minutes), Some((announced, actual))) =
                (n.minutes_early(), n.completed_ends())
        {
            text.push_str(&format!(
                "\n{}. {}.",
                face.outcome(minutes),
                face.ends(announced, actual)
            ));
        }
        text.push_str(&format!(
            "\n{}: {}",
            i18n::T::of(self.settings.locales.get(lang)).reference,
            n.reference
        ));
        text
    }

    /// An entry's text as RSS `<description>` wants it: readers take the description as HTML,
    /// so the text is escaped (as Atom's `type="text"` content is) and its line breaks become
    /// `<br>`, the only markup in it. Staff text never becomes an element.
    fn rss_description(&self, lang: Lang, n: &Notice, u: &Update) -> String {
        self.entry_text(lang, n, u)
            .split('\n')
            .map(|line| {
                askama::filters::escape(line, askama::filters::Html)
                    .map(|s| s.to_string())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join("<br>")
    }

    /// The Atom feed of recent updates in `lang` (`/history.atom?lang=sw`).
    pub fn atom(&self, lang: Lang) -> String {
        let updated = self
            .recent_updates()
            .first()
            .map(|(_, u)| u.created_at)
            .unwrap_or(self.now);
        let mut feed = atom::Feed::default();
        feed.set_title(self.settings.raw.page.name.clone());
        feed.set_id(self.url_in(lang, "/history.atom"));
        feed.set_updated(updated.fixed_offset());
        feed.set_lang(Some(lang.code().to_string()));
        let mut self_link = atom::Link::default();
        self_link.set_href(self.url_in(lang, "/history.atom"));
        self_link.set_rel("self");
        let mut alt = atom::Link::default();
        alt.set_href(self.url_in(lang, "/"));
        feed.set_links(vec![self_link, alt]);
        let mut author = atom::Person::default();
        author.set_name(self.settings.raw.page.name.clone());
        feed.set_authors(vec![author]);
        let entries: Vec<atom::Entry> = self
            .recent_updates()
            .into_iter()
            .map(|(n, u)| {
                let mut e = atom::Entry::default();
                e.set_title(self.entry_title(lang, n, u));
                e.set_id(format!("urn:uuid:{}", u.id));
                e.set_updated(u.created_at.fixed_offset());
                e.set_published(Some(u.created_at.fixed_offset()));
                let mut link = atom::Link::default();
                link.set_href(self.url_in(lang, &format!("/notices/{}", n.id)));
                e.set_links(vec![link]);
                let mut content = atom::Content::default();
                content.set_content_type(Some("text".to_string()));
                content.set_value(Some(self.entry_text(lang, n, u)));
                e.set_content(Some(content));
                e
            })
            .collect();
        feed.set_entries(entries);
        feed.to_string()
    }

    /// The RSS feed of recent updates in `lang` (`/history.rss?lang=sw`).
    pub fn rss(&self, lang: Lang) -> String {
        let mut channel = rss::Channel::default();
        channel.set_title(self.settings.raw.page.name.clone());
        channel.set_link(self.url_in(lang, "/"));
        channel.set_description(format!("{} history", self.settings.raw.page.name));
        channel.set_language(Some(lang.code().to_string()));
        let recent = self.recent_updates();
        if let Some((_, u)) = recent.first() {
            channel.set_last_build_date(Some(u.created_at.to_rfc2822()));
        }
        let items: Vec<rss::Item> = recent
            .into_iter()
            .map(|(n, u)| {
                let mut item = rss::Item::default();
                item.set_title(Some(self.entry_title(lang, n, u)));
                item.set_link(Some(self.url_in(lang, &format!("/notices/{}", n.id))));
                item.set_description(Some(self.rss_description(lang, n, u)));
                item.set_pub_date(Some(u.created_at.to_rfc2822()));
                let mut guid = rss::Guid::default();
                guid.set_value(format!("urn:uuid:{}", u.id));
                guid.set_permalink(false);
                item.set_guid(Some(guid));
                item
            })
            .collect();
        channel.set_items(items);
        channel.to_string()
    }

    /// The maintenance windows as an iCalendar in `lang` (`/maintenance.ics?lang=sw`).
    pub fn ics(&self, lang: Lang) -> String {
        let mut cal = Calendar::new();
        cal.name(&self.settings.raw.page.name);
        cal.append_property(("METHOD", "PUBLISH"));
        let mut windows: Vec<&Notice> = self
            .data
            .notices
            .iter()
            .filter(|n| n.kind == NoticeKind::Maintenance && n.starts_at.is_some())
            .collect();
        windows.sort_by_key(|n| n.starts_at);
        for n in windows {
            let Some((start, end)) = calendar_span(n) else {
                continue;
            };
            let mut description = String::new();
            if let Some(u) = self.updates(n).last() {
                description.push_str(u.body.get(lang));
                description.push('\n');
            }
            if !n.affected.is_empty() {
                let names: Vec<String> = n
                    .affected
                    .iter()
                    .map(|a| {
                        self.service_name(&a.service, lang)
                            .unwrap_or_else(|| a.service.to_string())
                    })
                    .collect();
                description.push_str(&format!(
                    "{}: {}\n",
                    i18n::T::of(self.settings.locales.get(lang)).affected,
                    names.join(&self.settings.locales.get(lang).text("list-separator"))
                ));
            }
            if !n.still_works.is_empty() {
                description.push_str(&format!(
                    "{}: {}\n",
                    i18n::T::of(self.settings.locales.get(lang)).still_works,
                    n.still_works.get(lang)
                ));
            }
            description.push_str(&format!(
                "{}: {}",
                i18n::T::of(self.settings.locales.get(lang)).reference,
                n.reference
            ));
            let mut ev = icalendar::Event::new();
            ev.uid(&format!("{}@{}", n.id, self.settings.public_host()))
                .summary(n.title.get(lang))
                .description(&description)
                .starts(start)
                .ends(end)
                .timestamp(n.updated_at)
                .last_modified(n.updated_at)
                .sequence(u32::try_from(n.sequence).unwrap_or(0))
                .url(&self.url_in(lang, &format!("/notices/{}", n.id)))
                .status(match n.state {
                    NoticeState::Cancelled => EventStatus::Cancelled,
                    _ => EventStatus::Confirmed,
                });
            cal.push(ev.done());
        }
        cal.done().to_string()
    }
}
