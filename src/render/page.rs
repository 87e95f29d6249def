//! The public HTML pages: view models built from snapshot data, rendered by askama templates
//! (auto-escaped, so text from staff can never become markup).

use askama::Template;

use super::i18n::{self, Clockface, T};
use super::{Links, View};
use crate::domain::{Lang, Notice, NoticeKind, NoticeState, ServiceStatus, Update, VerifyEntry};
use crate::locale::Locale;

pub struct LangLink {
    pub code: &'static str,
    pub name: &'static str,
    pub url: String,
    pub current: bool,
}

/// What every page shows around its content.
pub struct Chrome {
    pub t: T,
    /// Between the names of a list (", "; Arabic "، ").
    pub list_separator: String,
    pub page_name: String,
    pub home_url: String,
    pub langs: Vec<LangLink>,
    pub zone: String,
    pub zone_name: String,
    pub updated: String,
}

pub struct AffectedView {
    pub name: String,
    pub status: &'static str,
}

pub struct UpdateView {
    pub label: String,
    pub when: String,
    pub body: String,
}

pub struct NoticeView {
    pub url: String,
    pub title: String,
    pub reference: String,
    pub state_label: String,
    pub window: Option<String>,
    pub overrunning: bool,
    pub overrun_note: Option<String>,
    pub outcome: Option<String>,
    /// A completed window's announced end beside its actual one.
    pub ends: Option<String>,
    pub finished: bool,
    pub affected: Vec<AffectedView>,
    pub still_works: Option<String>,
    pub show_latest: bool,
    /// The latest update with the start of its text ([`excerpt`]), for cards.
    pub latest: Option<UpdateView>,
    /// Newest first.
    pub updates: Vec<UpdateView>,
}

pub struct ServiceView {
    pub name: String,
    pub status: &'static str,
    pub label: String,
}

pub struct GroupView {
    pub name: String,
    pub services: Vec<ServiceView>,
}

/// A link from `/` to a section of the full list, shown when `/` leaves some of it out.
pub struct MoreLink {
    pub url: String,
    /// "All planned maintenance (54)"
    pub label: String,
}

#[derive(Template)]
#[template(path = "page/index.html")]
pub struct IndexPage {
    pub c: Chrome,
    pub indicator: &'static str,
    pub banner: String,
    pub active: Vec<NoticeView>,
    pub active_more: Option<MoreLink>,
    pub upcoming: Vec<NoticeView>,
    pub upcoming_more: Option<MoreLink>,
    pub groups: Vec<GroupView>,
    pub history: Vec<NoticeView>,
    pub history_more: Option<MoreLink>,
    pub all_url: String,
}

/// `/notices`: every notice the snapshot keeps, in the sections of `/`.
#[derive(Template)]
#[template(path = "page/notices.html")]
pub struct ListPage {
    pub c: Chrome,
    pub active: Vec<NoticeView>,
    pub upcoming: Vec<NoticeView>,
    pub history: Vec<NoticeView>,
}

/// Cards `/` shows in each section (happening now, planned, history) before it links to
/// `/notices` for the rest; [`FRONT_PAGE_BUDGET`] may make it fewer.
const FRONT_CARDS: [usize; 3] = [5, 5, 5];

/// Bytes `/` may take, whatever the number and the length of the notices: it is the page
/// customers load on a slow phone connection when something is wrong. Cards are left out, one
/// at a time from the section that shows the most, until it fits; each section then links to
/// the full list.
pub const FRONT_PAGE_BUDGET: usize = 30_000;

/// Characters of an update's text a card shows; the notice's own page has all of it.
const EXCERPT_CHARS: usize = 280;

/// The start of `text`, at most [`EXCERPT_CHARS`] user-perceived characters, cut after a word
/// when one ends near the limit, with an ellipsis when something was left out.
fn excerpt(text: &str) -> String {
    use unicode_segmentation::UnicodeSegmentation;
    let Some((cut, _)) = text.grapheme_indices(true).nth(EXCERPT_CHARS) else {
        return text.to_string();
    };
    let head = &text[..cut];
    let at_word = head
        .rfind(char::is_whitespace)
        .filter(|&i| head[i..].chars().count() < EXCERPT_CHARS / 5)
        .unwrap_or(cut);
    format!("{}…", head[..at_word].trim_end())
}

/// Published notices in the page's three sections, each in the order it is shown.
struct Sections<'n> {
    active: Vec<&'n Notice>,
    upcoming: Vec<&'n Notice>,
    history: Vec<&'n Notice>,
}

#[derive(Template)]
#[template(path = "page/notice.html")]
pub struct NoticePage {
    pub c: Chrome,
    pub n: NoticeView,
}

pub struct FoundView {
    pub url: String,
    pub title: String,
    pub window: Option<String>,
    pub state_label: String,
}

#[derive(Template)]
#[template(path = "page/verify.html")]
pub struct VerifyPage {
    pub c: Chrome,
    pub code: String,
    pub found: Option<FoundView>,
}

i18n::labels!(
    /// Words of the sign-up pages.
    SubscribeText, "page-subscribe", {
        title, intro, address, language, services, all, only, consent, button,
    }
);

i18n::labels!(
    /// Words of the page that sends an unsubscribe link.
    UnsubscribeText, "page-unsubscribe", { heading, intro, label, button }
);

i18n::labels!(
    /// Words of the manage page behind the link in every message.
    ManageText, "page-manage", { heading, none_means_all, save, unsubscribe }
);

i18n::labels!(
    /// Words of the short result pages of the sign-up flow.
    MessageText, "page-message", { code_label, code_button, unsubscribe_button }
);

#[derive(Template)]
#[template(path = "page/subscribe.html")]
pub struct SubscribePage {
    pub c: Chrome,
    pub s: SubscribeText,
    pub error: Option<String>,
    pub address: String,
    pub langs: Vec<(&'static str, &'static str, bool)>,
    pub services: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "page/message.html")]
pub struct MessagePage {
    pub c: Chrome,
    pub heading: String,
    pub text: String,
    pub good: bool,
    pub code_for: Option<String>,
    pub m: MessageText,
    pub unsubscribe_action: Option<String>,
}

#[derive(Template)]
#[template(path = "page/manage.html")]
pub struct ManagePage {
    pub c: Chrome,
    pub s: SubscribeText,
    pub w: ManageText,
    pub flash: Option<String>,
    pub token: String,
    pub address: String,
    pub state: &'static str,
    pub langs: Vec<(&'static str, &'static str, bool)>,
    pub services: Vec<(String, String, bool)>,
}

#[derive(Template)]
#[template(path = "page/unsubscribe.html")]
pub struct UnsubscribePage {
    pub c: Chrome,
    pub w: UnsubscribeText,
    pub error: Option<String>,
}

impl View<'_> {
    /// Unsubscribe by typing the address: we send a link to it, so nobody can stop someone
    /// else's notices.
    pub fn unsubscribe_html(&self, lang: Lang, error: Option<String>) -> String {
        UnsubscribePage {
            c: self.chrome(lang, "/unsubscribe"),
            w: UnsubscribeText::of(self.loc(lang)),
            error,
        }
        .render()
        .expect("unsubscribe template renders")
    }

    /// The manage page behind the link in every message.
    pub fn manage_html(
        &self,
        lang: Lang,
        token: &str,
        address: &str,
        state: &'static str,
        followed: Option<&[crate::domain::ServiceCode]>,
        flash: Option<String>,
    ) -> String {
        ManagePage {
            c: self.chrome(lang, "/subscribe"),
            s: SubscribeText::of(self.loc(lang)),
            w: ManageText::of(self.loc(lang)),
            flash,
            token: token.to_string(),
            address: address.to_string(),
            state,
            langs: self
                .settings
                .languages
                .iter()
                .map(|l| (l.code(), l.native_name(), *l == lang))
                .collect(),
            services: self
                .data
                .services
                .iter()
                .map(|s| {
                    let on = followed.is_some_and(|f| f.contains(&s.code));
                    (s.code.to_string(), s.name.get(lang).to_string(), on)
                })
                .collect(),
        }
        .render()
        .expect("manage template renders")
    }

    pub fn subscribe_html(&self, lang: Lang, error: Option<String>, address: &str) -> String {
        SubscribePage {
            c: self.chrome(lang, "/subscribe"),
            s: SubscribeText::of(self.loc(lang)),
            error,
            address: address.to_string(),
            langs: self
                .settings
                .languages
                .iter()
                .map(|l| (l.code(), l.native_name(), *l == lang))
                .collect(),
            services: self
                .data
                .services
                .iter()
                .map(|s| (s.code.to_string(), s.name.get(lang).to_string()))
                .collect(),
        }
        .render()
        .expect("subscribe template renders")
    }

    /// A short result page; `code_for` adds the SMS code form, `unsubscribe_action` a button.
    pub fn message_html(
        &self,
        lang: Lang,
        heading: &str,
        text: &str,
        good: bool,
        code_for: Option<String>,
        unsubscribe_action: Option<String>,
    ) -> String {
        MessagePage {
            c: self.chrome(lang, "/subscribe"),
            heading: heading.to_string(),
            text: text.to_string(),
            good,
            code_for,
            m: MessageText::of(self.loc(lang)),
            unsubscribe_action,
        }
        .render()
        .expect("message template renders")
    }
}

#[derive(Template)]
#[template(path = "page/not_found.html")]
pub struct NotFoundPage {
    pub c: Chrome,
}

impl View<'_> {
    pub(super) fn loc(&self, lang: Lang) -> &std::sync::Arc<Locale> {
        self.settings.locales.get(lang)
    }

    fn face(&self, lang: Lang) -> Clockface {
        Clockface {
            tz: self.settings.time_zone,
            loc: self.loc(lang).clone(),
            now: self.now,
        }
    }

    /// `path` is the live path of the page being rendered (for the language links).
    fn chrome(&self, lang: Lang, path: &str) -> Chrome {
        let face = self.face(lang);
        Chrome {
            t: T::of(self.loc(lang)),
            list_separator: self.loc(lang).text("list-separator"),
            page_name: self.settings.raw.page.name.clone(),
            home_url: self.links.page(lang, "/"),
            langs: self
                .settings
                .languages
                .iter()
                .map(|&l| LangLink {
                    code: l.code(),
                    name: l.native_name(),
                    url: self.links.page(l, path),
                    current: l == lang,
                })
                .collect(),
            zone: face.zone_abbr(self.now),
            zone_name: self.settings.time_zone.name().to_string(),
            updated: face.instant(self.now),
        }
    }

    fn update_view(&self, lang: Lang, u: &Update) -> UpdateView {
        UpdateView {
            label: i18n::event_label(self.loc(lang), u.event),
            when: self.face(lang).instant(u.created_at),
            body: u.body.get(lang).to_string(),
        }
    }

    pub(super) fn notice_view(&self, lang: Lang, n: &Notice, show_latest: bool) -> NoticeView {
        let face = self.face(lang);
        let overrunning = n.is_overrunning(self.now);
        let updates: Vec<UpdateView> = self
            .updates(n)
            .iter()
            .rev()
            .map(|u| self.update_view(lang, u))
            .collect();
        let window = match (n.kind, n.starts_at, n.ends_at) {
            (NoticeKind::Maintenance, Some(s), Some(e)) => Some(face.window(s, e)),
            (NoticeKind::Incident, Some(s), Some(e)) => Some(face.window(s, e)),
            (NoticeKind::Incident, Some(s), None) => Some(face.instant(s)),
            _ => None,
        };
        NoticeView {
            url: self.links.page(lang, &format!("/notices/{}", n.id)),
            title: n.title.get(lang).to_string(),
            reference: n.reference.to_string(),
            state_label: i18n::state_label(self.loc(lang), n.state),
            window,
            overrunning,
            overrun_note: overrunning
                .then(|| n.ends_at.map(|e| face.overrun(e)))
                .flatten(),
            outcome: n.minutes_early().map(|m| face.outcome(m)).or_else(|| {
                (n.state == NoticeState::Completed || n.state == NoticeState::Resolved)
                    .then(|| n.finished_at.map(|f| face.instant(f)))
                    .flatten()
            }),
            ends: n.completed_ends().map(|(a, e)| face.ends(a, e)),
            finished: n.state.is_terminal(),
            affected: n
                .affected
                .iter()
                .map(|a| AffectedView {
                    name: self
                        .service_name(&a.service, lang)
                        .unwrap_or_else(|| a.service.to_string()),
                    status: a.impact.as_str(),
                })
                .collect(),
            still_works: (!n.still_works.is_empty()).then(|| n.still_works.get(lang).to_string()),
            show_latest,
            latest: self.updates(n).last().map(|u| UpdateView {
                body: excerpt(u.body.get(lang)),
                ..self.update_view(lang, u)
            }),
            updates,
        }
    }

    fn sections(&self) -> Sections<'_> {
        let notices = &self.data.notices;
        let mut active: Vec<&Notice> = notices.iter().filter(|n| n.state.is_active()).collect();
        active.sort_by_key(|n| n.starts_at);
        let mut upcoming: Vec<&Notice> = notices
            .iter()
            .filter(|n| n.state == NoticeState::Scheduled)
            .collect();
        upcoming.sort_by_key(|n| n.starts_at);
        let mut history: Vec<&Notice> = notices.iter().filter(|n| n.state.is_terminal()).collect();
        history.sort_by_key(|n| std::cmp::Reverse(n.finished_at));
        history.truncate(self.settings.raw.page.history_size as usize);
        Sections {
            active,
            upcoming,
            history,
        }
    }

    fn groups(&self, lang: Lang) -> Vec<GroupView> {
        let mut groups: Vec<GroupView> = Vec::new();
        for s in &self.data.services {
            let status = self
                .statuses
                .get(&s.code)
                .copied()
                .unwrap_or(ServiceStatus::Operational);
            let view = ServiceView {
                name: s.name.get(lang).to_string(),
                status: status.as_str(),
                label: i18n::status_label(self.loc(lang), status),
            };
            match groups.iter_mut().find(|g| g.name == s.group) {
                Some(g) => g.services.push(view),
                None => groups.push(GroupView {
                    name: s.group.clone(),
                    services: vec![view],
                }),
            }
        }
        groups
    }

    fn cards(&self, lang: Lang, notices: &[&Notice], show_latest: bool) -> Vec<NoticeView> {
        notices
            .iter()
            .map(|n| self.notice_view(lang, n, show_latest))
            .collect()
    }

    /// `/` with the first `shown[i]` cards of each section.
    fn render_index(&self, lang: Lang, s: &Sections<'_>, shown: [usize; 3]) -> String {
        // A window past its end is not "in progress" as planned: the banner says it is late.
        let late = s.active.iter().any(|n| n.is_overrunning(self.now));
        let (indicator, banner) = match self.indicator {
            crate::domain::Indicator::Maintenance if late => {
                ("late", i18n::banner_late(self.loc(lang)))
            }
            i => (i.as_str(), i18n::banner(self.loc(lang), i)),
        };
        let t = T::of(self.loc(lang));
        let all_url = self.links.page(lang, "/notices");
        let more = |all: &[&Notice], shown: usize, label: &str, anchor: &str| {
            (all.len() > shown).then(|| MoreLink {
                url: format!("{all_url}#{anchor}"),
                label: format!("{label} ({})", all.len()),
            })
        };
        IndexPage {
            c: self.chrome(lang, "/"),
            indicator,
            banner,
            active: self.cards(lang, &s.active[..shown[0]], true),
            active_more: more(&s.active, shown[0], &t.all_active, "active"),
            upcoming: self.cards(lang, &s.upcoming[..shown[1]], true),
            upcoming_more: more(&s.upcoming, shown[1], &t.all_upcoming, "planned"),
            groups: self.groups(lang),
            history: self.cards(lang, &s.history[..shown[2]], false),
            history_more: more(&s.history, shown[2], &t.all_history, "history"),
            all_url: all_url.clone(),
        }
        .render()
        .expect("index template renders")
    }

    /// `/`: the next few of each section, and never more than [`FRONT_PAGE_BUDGET`] bytes
    /// while there are cards left to leave out.
    pub fn index_html(&self, lang: Lang) -> String {
        let s = self.sections();
        let mut shown = [
            FRONT_CARDS[0].min(s.active.len()),
            FRONT_CARDS[1].min(s.upcoming.len()),
            FRONT_CARDS[2].min(s.history.len()),
        ];
        loop {
            let html = self.render_index(lang, &s, shown);
            if html.len() < FRONT_PAGE_BUDGET {
                return html;
            }
            // One card less from the section that shows the most (history first on a tie,
            // what is happening now last), so that each keeps its next few.
            match (0..3).max_by_key(|&i| (shown[i], i)) {
                Some(i) if shown[i] > 0 => shown[i] -= 1,
                _ => return html,
            }
        }
    }

    /// `/notices`: every notice the page keeps, with the same cards as `/`.
    pub fn list_html(&self, lang: Lang) -> String {
        let s = self.sections();
        ListPage {
            c: self.chrome(lang, "/notices"),
            active: self.cards(lang, &s.active, true),
            upcoming: self.cards(lang, &s.upcoming, true),
            history: self.cards(lang, &s.history, false),
        }
        .render()
        .expect("list template renders")
    }

    pub fn notice_html(&self, lang: Lang, n: &Notice) -> String {
        NoticePage {
            c: self.chrome(lang, &format!("/notices/{}", n.id)),
            n: self.notice_view(lang, n, false),
        }
        .render()
        .expect("notice template renders")
    }

    pub fn verify_html(&self, lang: Lang, code: &str, entry: Option<&VerifyEntry>) -> String {
        let face = self.face(lang);
        VerifyPage {
            c: self.chrome(lang, &format!("/verify/{code}")),
            code: code.chars().take(12).collect(),
            found: entry.map(|e| FoundView {
                url: self.links.page(lang, &format!("/notices/{}", e.notice_id)),
                title: e.title.get(lang).to_string(),
                window: match (e.starts_at, e.ends_at) {
                    (Some(s), Some(en)) => Some(face.window(s, en)),
                    (Some(s), None) => Some(face.instant(s)),
                    _ => e.published_at.map(|p| face.instant(p)),
                },
                state_label: i18n::state_label(self.loc(lang), e.state),
            }),
        }
        .render()
        .expect("verify template renders")
    }

    pub fn not_found_html(&self, lang: Lang) -> String {
        NotFoundPage {
            c: self.chrome(lang, "/"),
        }
        .render()
        .expect("not found template renders")
    }
}

/// Language links: the live site selects languages with `?lang=`, the static export with a
/// path prefix, because a static host cannot read query strings.
impl Links {
    pub fn page(&self, lang: Lang, path: &str) -> String {
        let default = lang == self.default_lang;
        match self.style {
            super::LinkStyle::Live if default => path.to_string(),
            super::LinkStyle::Live => format!("{path}?lang={}", lang.code()),
            super::LinkStyle::Static => {
                let prefix = if default {
                    String::new()
                } else {
                    format!("/{}", lang.code())
                };
                if path == "/" {
                    format!("{prefix}/")
                } else {
                    format!("{prefix}{path}/")
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_ends_after_a_word_and_never_inside_a_character() {
        assert_eq!(excerpt("Short text."), "Short text.");
        let exact = "x".repeat(EXCERPT_CHARS);
        assert_eq!(excerpt(&exact), exact);

        let words = "Pay bill is down. ".repeat(40);
        let e = excerpt(&words);
        assert!(
            e.ends_with("down.…") || e.ends_with("bill…") || e.ends_with("is…"),
            "{e}"
        );
        assert!(e.chars().count() <= EXCERPT_CHARS + 1);
        assert!(words.starts_with(e.trim_end_matches('…')));

        // No space near the limit: cut at the limit, between whole emoji.
        let family = "👨\u{200D}👩\u{200D}👧";
        let e = excerpt(&family.repeat(EXCERPT_CHARS + 5));
        assert_eq!(e, format!("{}…", family.repeat(EXCERPT_CHARS)));
    }
}
