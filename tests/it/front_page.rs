//! `/` stays small at any number of notices: it shows the next few of each section and links
//! to `/notices`, which lists every notice the page keeps, served like every public page.

use crate::common;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{Backend, TestApp};
use proptest::prelude::*;
use tangazo::domain::{
    Affected, Event, Lang, Localized, Notice, NoticeId, NoticeKind, NoticeState, Overrides,
    RefCode, Service, ServiceCode, ServiceStatus, SnapshotData, Update, UpdateId,
};
use tangazo::render::page::FRONT_PAGE_BUDGET;
use tangazo::render::{LinkStyle, View};
use tangazo::web::api::{BODY_MAX, NAME_MAX, STILL_WORKS_MAX, TITLE_MAX};

const SERVICES: usize = 8;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, 18, 9, 0, 0).unwrap()
}

/// Kinds of text, from plain words to what costs the most bytes once HTML-escaped.
#[derive(Debug, Clone, Copy)]
enum Style {
    Words,
    Swahili,
    Escaped,
    Emoji,
}

/// A text of exactly `len` characters in `style`, different for each `seed`.
fn long(style: Style, len: usize, seed: usize) -> String {
    let unit = match style {
        Style::Words => "Send money and Pay bill unavailable while we upgrade. ",
        Style::Swahili => "Huduma za M-PESA hazitapatikana wakati wa matengenezo. ",
        Style::Escaped => "<&\"'>",
        Style::Emoji => "😀👨\u{200D}👩\u{200D}👧 é’",
    };
    format!("{seed} {}", unit.repeat(len / unit.chars().count() + 2))
        .chars()
        .take(len)
        .collect()
}

fn both(style: Style, len: usize, seed: usize) -> Localized {
    Localized(BTreeMap::from([
        (Lang::En, long(style, len, seed)),
        (Lang::Sw, long(style, len, seed + 1)),
    ]))
}

fn services(style: Style) -> Vec<Service> {
    (0..SERVICES)
        .map(|i| Service {
            code: ServiceCode::parse(&format!("service-{i}")).unwrap(),
            name: both(style, NAME_MAX, i),
            description: Localized::default(),
            group: long(style, NAME_MAX, i % 2),
            position: i as i64,
            status: ServiceStatus::Operational,
            created_at: now(),
            updated_at: now(),
        })
        .collect()
}

/// A distinct reference code for each `i`.
fn reference(mut i: usize) -> RefCode {
    let a = RefCode::ALPHABET;
    let code: String = (0..RefCode::LEN)
        .map(|_| {
            let c = a[i % a.len()] as char;
            i /= a.len();
            c
        })
        .collect();
    RefCode::parse(&code).unwrap()
}

/// Notice `i` in `state`, every text at its longest, affecting every service.
fn notice(i: usize, state: NoticeState, style: Style) -> (Notice, Update) {
    let incident = matches!(
        state,
        NoticeState::Investigating
            | NoticeState::Identified
            | NoticeState::Monitoring
            | NoticeState::Resolved
    );
    let hours = i as i64;
    let (starts, ends, finished) = match state {
        NoticeState::Scheduled => (
            now() + Duration::hours(hours + 1),
            now() + Duration::hours(hours + 4),
            None,
        ),
        s if s.is_terminal() => (
            now() - Duration::hours(hours + 10),
            now() - Duration::hours(hours + 6),
            Some(now() - Duration::hours(hours + 6)),
        ),
        _ => (
            now() - Duration::hours(hours + 1),
            now() + Duration::hours(3 - hours % 5),
            None,
        ),
    };
    let id = format!("01a21020-1389-755e-a0a8-{i:012}");
    let n = Notice {
        id: NoticeId::new(id.clone()),
        reference: reference(i),
        kind: if incident {
            NoticeKind::Incident
        } else {
            NoticeKind::Maintenance
        },
        state,
        title: both(style, TITLE_MAX, i),
        still_works: both(style, STILL_WORKS_MAX, i),
        draft_body: Localized::default(),
        draft_overrides: Overrides::default(),
        affected: (0..SERVICES)
            .map(|s| Affected {
                service: ServiceCode::parse(&format!("service-{s}")).unwrap(),
                impact: ServiceStatus::UnderMaintenance,
            })
            .collect(),
        starts_at: Some(starts),
        ends_at: Some(ends),
        planned_ends_at: Some(ends),
        published_at: Some(starts - Duration::days(1)),
        started_at: (state != NoticeState::Scheduled).then_some(starts),
        finished_at: finished,
        auto_start: true,
        auto_complete: false,
        sequence: 2,
        created_by: "test".into(),
        created_at: starts - Duration::days(1),
        updated_at: now(),
    };
    let u = Update {
        id: UpdateId::new(format!("{id}-u")),
        notice_id: NoticeId::new(id),
        sequence: 2,
        event: if incident {
            Event::IncidentUpdated
        } else {
            Event::MaintenanceUpdated
        },
        state,
        body: both(style, BODY_MAX, i),
        overrides: Overrides::default(),
        starts_at: n.starts_at,
        ends_at: n.ends_at,
        created_by: "test".into(),
        created_at: now() - Duration::minutes(5),
    };
    (n, u)
}

const ACTIVE: [NoticeState; 5] = [
    NoticeState::InProgress,
    NoticeState::Verifying,
    NoticeState::Investigating,
    NoticeState::Identified,
    NoticeState::Monitoring,
];
const FINISHED: [NoticeState; 3] = [
    NoticeState::Completed,
    NoticeState::Cancelled,
    NoticeState::Resolved,
];

fn data(active: usize, upcoming: usize, history: usize, style: Style) -> SnapshotData {
    let mut notices = Vec::new();
    let mut updates = HashMap::new();
    let states = (0..active)
        .map(|i| ACTIVE[i % ACTIVE.len()])
        .chain((0..upcoming).map(|_| NoticeState::Scheduled))
        .chain((0..history).map(|i| FINISHED[i % FINISHED.len()]));
    for (i, state) in states.enumerate() {
        let (n, u) = notice(i, state, style);
        updates.insert(n.id.clone(), vec![u]);
        notices.push(n);
    }
    SnapshotData {
        revision: 1,
        services: services(style),
        notices,
        updates,
        references: HashMap::new(),
    }
}

fn href(lang: Lang, n: &Notice) -> String {
    if lang == Lang::En {
        format!("href=\"/notices/{}\"", n.id)
    } else {
        format!("href=\"/notices/{}?lang={lang}\"", n.id)
    }
}

/// The ids of `section` that `html` links to, which must be its first ones in order.
fn shown_prefix(html: &str, lang: Lang, section: &[&Notice]) -> usize {
    let shown = section
        .iter()
        .take_while(|n| html.contains(&href(lang, n)))
        .count();
    assert!(
        section[shown..]
            .iter()
            .all(|n| !html.contains(&href(lang, n))),
        "`/` shows the first cards of each section, in order"
    );
    shown
}

/// Checks the rule on one set of notices: `/` under budget in every language, showing the
/// first cards of each section and linking to the full list, which holds every notice.
fn check(data: &SnapshotData, style: Style) {
    let settings = common::settings("sqlite://unused.db", &[]);
    let view = View::new(data, &settings, now(), LinkStyle::Live);
    let by_start = |pick: fn(NoticeState) -> bool| {
        let mut v: Vec<&Notice> = data.notices.iter().filter(|n| pick(n.state)).collect();
        v.sort_by_key(|n| n.starts_at);
        v
    };
    let active = by_start(|s| s.is_active());
    let upcoming = by_start(|s| s == NoticeState::Scheduled);
    let mut history: Vec<&Notice> = data
        .notices
        .iter()
        .filter(|n| n.state.is_terminal())
        .collect();
    history.sort_by_key(|n| std::cmp::Reverse(n.finished_at));
    for lang in [Lang::En, Lang::Sw] {
        let html = view.index_html(lang);
        assert!(
            html.len() < FRONT_PAGE_BUDGET && html.len() < 30_000,
            "{lang} `/` is {} bytes with {} notices ({style:?})",
            html.len(),
            data.notices.len()
        );
        let list = if lang == Lang::En {
            "href=\"/notices\"".to_string()
        } else {
            format!("href=\"/notices?lang={lang}\"")
        };
        assert!(html.contains(&list), "`/` links to the full list");
        for (section, anchor) in [
            (&active, "active"),
            (&upcoming, "planned"),
            (&history, "history"),
        ] {
            let shown = shown_prefix(&html, lang, section);
            if matches!(style, Style::Words | Style::Swahili) {
                assert_eq!(
                    shown,
                    section.len().min(5),
                    "{anchor}: the next five at most"
                );
            }
            let more = format!("{}#{anchor}\">", &list[6..list.len() - 1]);
            assert_eq!(
                html.contains(&more),
                shown < section.len(),
                "{anchor}: a link to the rest when some are left out"
            );
            if shown < section.len() {
                assert!(html.contains(&format!(" ({})</a>", section.len())));
            }
        }
    }
}

#[test]
fn front_page_shows_the_next_five_of_each_and_stays_small() {
    // The case that was reported: 54 planned windows, with a full history and more happening
    // at once than anyone hopes for.
    for style in [Style::Words, Style::Swahili, Style::Escaped, Style::Emoji] {
        check(&data(12, 54, 50, style), style);
    }
    check(&data(0, 0, 0, Style::Words), Style::Words);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn front_page_stays_under_budget_at_any_number_of_notices(
        active in 0usize..30,
        upcoming in 0usize..120,
        history in 0usize..50,
        style in prop_oneof![
            Just(Style::Words), Just(Style::Swahili), Just(Style::Escaped), Just(Style::Emoji)
        ],
    ) {
        check(&data(active, upcoming, history, style), style);
    }
}

#[test]
fn the_full_list_holds_every_notice_in_every_language() {
    let settings = common::settings("sqlite://unused.db", &[]);
    for style in [Style::Words, Style::Emoji] {
        let data = data(12, 54, 50, style);
        let view = View::new(&data, &settings, now(), LinkStyle::Live);
        for lang in [Lang::En, Lang::Sw] {
            let html = view.list_html(lang);
            for n in &data.notices {
                assert!(html.contains(&href(lang, n)), "{lang}: {} missing", n.id);
            }
            for anchor in ["id=\"active\"", "id=\"planned\"", "id=\"history\""] {
                assert!(html.contains(anchor), "{anchor}");
            }
        }
    }
}

/// `/notices` over HTTP: linked from `/`, from the snapshot in both languages, compressed,
/// with an ETag and 304.
async fn the_list_is_served_like_every_public_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    let mut ids = Vec::new();
    for i in 0..8 {
        let v = app
            .publish_window(&format!("Window {i}"), 2 + i * 3, 2)
            .await;
        ids.push(v["id"].as_str().unwrap().to_string());
    }
    app.running.state.snapshot.refresh().await.unwrap();
    let index = app.text("/").await;
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(
            index.contains(&format!("/notices/{id}\"")),
            i < 5,
            "window {i}"
        );
    }
    assert!(
        index.contains("<a href=\"/notices#planned\">All planned maintenance (8)</a>"),
        "{index}"
    );
    let sw = app.text("/?lang=sw").await;
    assert!(
        sw.contains("<a href=\"/notices?lang=sw#planned\">Matengenezo yote yaliyopangwa (8)</a>")
    );

    for (path, words) in [
        ("/notices", "All notices"),
        ("/notices?lang=sw", "Matangazo yote"),
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status(), 200);
        let etag = r.headers()["etag"].to_str().unwrap().to_string();
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let body = r.text().await.unwrap();
        assert!(body.contains(words), "{body}");
        for id in &ids {
            assert!(
                body.contains(&format!("/notices/{id}")),
                "{path} lists {id}"
            );
        }
        let again = app
            .client
            .get(format!("{}{path}", app.url))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304);
        for encoding in ["br", "gzip"] {
            let r = app
                .client
                .get(format!("{}{path}", app.url))
                .header("accept-encoding", encoding)
                .send()
                .await
                .unwrap();
            assert_eq!(r.headers()["content-encoding"], encoding);
            assert_ne!(r.headers()["etag"].to_str().unwrap(), etag);
        }
    }
    let sw = app
        .client
        .get(format!("{}/notices", app.url))
        .header("accept-language", "sw")
        .send()
        .await
        .unwrap();
    assert!(sw.text().await.unwrap().contains("Matangazo yote"));
}

on_both_backends!(the_list_is_served_like_every_public_page);
