//! Messages: every event × channel × language pinned by snapshots, webhook payloads valid
//! against their published schemas, SMS budget and overrides, email headers, preview API.

use crate::common;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::sms_reference::{assert_billed_as, billed};
use common::{Backend, TestApp};
use serde_json::json;
use tangazo::domain::{
    Affected, Event, Lang, Localized, Notice, NoticeKind, NoticeState, Overrides, RefCode, Service,
    ServiceCode, ServiceStatus, UpdateId,
};
use tangazo::render::messages::{self, Envelope, Subject};

fn eat(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    chrono_tz::Africa::Nairobi
        .with_ymd_and_hms(2015, 4, d, h, m, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn text(en: &str, sw: &str) -> Localized {
    Localized(BTreeMap::from([
        (Lang::En, en.to_string()),
        (Lang::Sw, sw.to_string()),
    ]))
}

fn services() -> Vec<Service> {
    [
        ("send-money", "Send money", "Tuma pesa"),
        ("pay-bill", "Pay bill", "Lipa bili"),
        ("buy-goods", "Buy goods", "Nunua bidhaa"),
    ]
    .iter()
    .enumerate()
    .map(|(i, (c, en, sw))| Service {
        code: ServiceCode::parse(c).unwrap(),
        name: text(en, sw),
        description: Localized::default(),
        group: "Payments".into(),
        position: i as i64,
        status: ServiceStatus::Operational,
        created_at: eat(1, 9, 0),
        updated_at: eat(1, 9, 0),
    })
    .collect()
}

/// The April 2015 window, in the state each event leaves it.
fn notice(event: Event) -> Notice {
    let incident = event.as_str().starts_with("incident.");
    let state = match event {
        Event::MaintenanceScheduled
        | Event::MaintenanceRescheduled
        | Event::MaintenanceReminder => NoticeState::Scheduled,
        Event::MaintenanceStarted
        | Event::MaintenanceExtended
        | Event::MaintenanceOverrunning
        | Event::MaintenanceUpdated => NoticeState::InProgress,
        Event::MaintenanceCompleted => NoticeState::Completed,
        Event::MaintenanceCancelled => NoticeState::Cancelled,
        Event::IncidentCreated => NoticeState::Investigating,
        Event::IncidentUpdated => NoticeState::Identified,
        Event::IncidentResolved => NoticeState::Resolved,
        Event::TestPing => NoticeState::Scheduled,
    };
    Notice {
        id: "01a21020-1389-755e-a0a8-46a3c0436007".into(),
        reference: RefCode::parse("H33B3C").unwrap(),
        kind: if incident {
            NoticeKind::Incident
        } else {
            NoticeKind::Maintenance
        },
        state,
        title: if incident {
            text(
                "Pay bill confirmations delayed",
                "Uthibitisho wa Lipa Bili unachelewa",
            )
        } else {
            text(
                "M-PESA moves to its new platform in Kenya",
                "M-PESA inahamia mfumo mpya nchini Kenya",
            )
        },
        still_works: text("Calls, SMS and data.", "Simu, SMS na data."),
        draft_body: Localized::default(),
        draft_overrides: Overrides::default(),
        affected: ["send-money", "pay-bill", "buy-goods"]
            .iter()
            .map(|c| Affected {
                service: ServiceCode::parse(c).unwrap(),
                impact: if incident {
                    ServiceStatus::DegradedPerformance
                } else {
                    ServiceStatus::UnderMaintenance
                },
            })
            .collect(),
        starts_at: Some(eat(18, 23, 0)),
        ends_at: if incident && state != NoticeState::Resolved {
            None
        } else if event == Event::MaintenanceExtended {
            Some(eat(19, 14, 0))
        } else {
            Some(eat(19, 12, 0))
        },
        planned_ends_at: Some(eat(19, 12, 0)),
        published_at: Some(eat(16, 10, 0)),
        started_at: (!matches!(state, NoticeState::Scheduled | NoticeState::Cancelled))
            .then(|| eat(18, 23, 0)),
        finished_at: matches!(
            state,
            NoticeState::Completed | NoticeState::Resolved | NoticeState::Cancelled
        )
        .then(|| eat(19, 11, 30)),
        auto_start: true,
        auto_complete: false,
        sequence: 3,
        created_by: "test".into(),
        created_at: eat(16, 9, 0),
        updated_at: eat(19, 11, 30),
    }
}

fn body(event: Event) -> Localized {
    match event {
        Event::MaintenanceUpdated => text(
            "Data migration is 80% done. Next update at 08:00.",
            "Uhamisho wa data umefikia asilimia 80. Taarifa ijayo saa 08:00.",
        ),
        Event::IncidentCreated => text(
            "Payments go through but confirmations are late.",
            "Malipo yanapita lakini uthibitisho unachelewa.",
        ),
        Event::IncidentUpdated => text(
            "A queue at the SMS gateway is the cause. Do not pay twice.",
            "Chanzo ni foleni ya SMS. Usilipe mara mbili.",
        ),
        Event::IncidentResolved => text(
            "Confirmations arrive on time again.",
            "Uthibitisho unafika kwa wakati tena.",
        ),
        _ => text(
            "Finish urgent payments before Saturday 23:00.",
            "Maliza malipo ya dharura kabla ya Jumamosi saa 23:00.",
        ),
    }
}

fn settings() -> tangazo::config::Settings {
    common::settings("sqlite://unused.db", &[])
}

/// The shipped locales, as an operator would offer them all.
const SHIPPED: &str = "en,sw,fr,pt,ar";

/// The demo notice's words in French, Portuguese and Arabic, by their English text.
const THREE_MORE: &[(&str, &str, &str, &str)] = &[
    (
        "M-PESA moves to its new platform in Kenya",
        "M-PESA passe à sa nouvelle plateforme au Kenya",
        "O M-PESA muda para a nova plataforma no Quénia",
        "M-PESA تنتقل إلى منصتها الجديدة في كينيا",
    ),
    (
        "Pay bill confirmations delayed",
        "Retard des confirmations de paiement de factures",
        "Confirmações de pagamento de contas atrasadas",
        "تأخر تأكيدات دفع الفواتير",
    ),
    (
        "Calls, SMS and data.",
        "Appels, SMS et internet.",
        "Chamadas, SMS e dados.",
        "المكالمات والرسائل والإنترنت.",
    ),
    (
        "Data migration is 80% done. Next update at 08:00.",
        "La migration des données est faite à 80 %. Prochain point à 08:00.",
        "A migração de dados está 80% concluída. Próxima atualização às 08:00.",
        "اكتمل 80% من نقل البيانات. التحديث التالي الساعة 08:00.",
    ),
    (
        "Payments go through but confirmations are late.",
        "Les paiements passent mais les confirmations arrivent en retard.",
        "Os pagamentos passam, mas as confirmações chegam atrasadas.",
        "المدفوعات تتم لكن التأكيدات تتأخر.",
    ),
    (
        "A queue at the SMS gateway is the cause. Do not pay twice.",
        "La cause est une file d'attente à la passerelle SMS. Ne payez pas deux fois.",
        "A causa é uma fila no serviço de SMS. Não pague duas vezes.",
        "السبب طابور في بوابة الرسائل. لا تدفعوا مرتين.",
    ),
    (
        "Confirmations arrive on time again.",
        "Les confirmations arrivent de nouveau à l'heure.",
        "As confirmações voltaram a chegar a tempo.",
        "عادت التأكيدات تصل في وقتها.",
    ),
    (
        "Finish urgent payments before Saturday 23:00.",
        "Effectuez vos paiements urgents avant samedi 23:00.",
        "Faça os pagamentos urgentes antes de sábado às 23:00.",
        "أنهوا مدفوعاتكم العاجلة قبل السبت الساعة 23:00.",
    ),
    (
        "Send money",
        "Envoi d'argent",
        "Enviar dinheiro",
        "تحويل الأموال",
    ),
    (
        "Pay bill",
        "Paiement de factures",
        "Pagar contas",
        "دفع الفواتير",
    ),
    ("Buy goods", "Achats", "Compras", "شراء السلع"),
];

/// `l` with its French, Portuguese and Arabic texts added.
fn five(l: &Localized) -> Localized {
    let en = l.get(Lang::En);
    let (_, fr, pt, ar) = THREE_MORE
        .iter()
        .find(|(e, ..)| *e == en)
        .unwrap_or_else(|| panic!("no translation of {en:?}"));
    let mut out = l.clone();
    for (tag, t) in [("fr", fr), ("pt", pt), ("ar", ar)] {
        out.0
            .insert(Lang::parse(tag).expect("shipped"), t.to_string());
    }
    out
}

fn preview(event: Event, n: &Notice, b: &Localized, overrides: &Overrides) -> messages::Preview {
    preview_with(&settings(), &services(), event, n, b, overrides)
}

fn preview_with(
    settings: &tangazo::config::Settings,
    services: &[Service],
    event: Event,
    n: &Notice,
    b: &Localized,
    overrides: &Overrides,
) -> messages::Preview {
    let subject = Subject {
        event,
        notice: n,
        body: b,
        at: eat(16, 10, 0),
        sequence: 3,
        update_id: &UpdateId::new("01a21020-0000-7000-8000-000000000003"),
        services,
        overrides,
    };
    let p = messages::preview(settings, &subject, eat(16, 10, 0));
    for (lang, sms) in &p.sms {
        assert_billed_as(
            &sms.text,
            sms.encoding.as_str(),
            sms.segments as u64,
            &format!("{event:?} {lang}"),
        );
    }
    p
}

/// Every SMS of an API preview, checked against how a carrier would bill it.
fn assert_preview_billed(p: &serde_json::Value) {
    for (lang, sms) in p["sms"].as_object().expect("sms per language") {
        assert_billed_as(
            sms["text"].as_str().unwrap(),
            sms["encoding"].as_str().unwrap(),
            sms["segments"].as_u64().unwrap(),
            &format!("preview {lang}"),
        );
    }
}

#[test]
fn every_event_channel_and_language_is_pinned() {
    let schemas: std::collections::HashMap<Event, jsonschema::Validator> = Event::ALL
        .iter()
        .map(|e| {
            (
                *e,
                jsonschema::validator_for(&tangazo::render::webhook::schema(*e))
                    .expect("schema compiles"),
            )
        })
        .collect();
    for event in Event::ALL {
        if event == Event::TestPing {
            continue;
        }
        let n = notice(event);
        let p = preview(event, &n, &body(event), &Overrides::default());
        assert!(p.ok, "{event:?}: {:?}", p.errors);
        for lang in [Lang::En, Lang::Sw] {
            let sms = &p.sms[&lang];
            assert_eq!(
                sms.encoding.as_str(),
                "gsm7",
                "{event:?} {lang}: {:?}",
                sms.forcing_ucs2
            );
            assert!(sms.segments <= 2);
            assert!(
                sms.text.contains("H33B3C") && sms.text.contains("status.example.co.ke/v/H33B3C"),
                "every SMS carries the reference and verify URL"
            );
            insta::assert_snapshot!(
                format!("sms-{}-{}", event.as_str(), lang),
                format!(
                    "{}\n---\n{} segment(s), {}, {} units",
                    sms.text,
                    sms.segments,
                    sms.encoding.as_str(),
                    sms.units
                )
            );
            let email = &p.email[&lang];
            insta::assert_snapshot!(
                format!("email-{}-{}", event.as_str(), lang),
                format!("Subject: {}\n\n{}", email.subject, email.text)
            );
            insta::assert_snapshot!(
                format!("email-html-{}-{}", event.as_str(), lang),
                email.html
            );
        }
        insta::assert_json_snapshot!(format!("webhook-{}", event.as_str()), p.webhook);
        let errors: Vec<String> = schemas[&event]
            .iter_errors(&p.webhook)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{event:?} payload breaks its schema: {errors:?}"
        );
        // A payload never validates against another event's schema (the type is pinned).
        let other = if event == Event::MaintenanceScheduled {
            Event::MaintenanceStarted
        } else {
            Event::MaintenanceScheduled
        };
        assert!(!schemas[&other].is_valid(&p.webhook));
    }
    let ping = tangazo::render::webhook::test_ping(&settings(), eat(16, 10, 0));
    assert!(schemas[&Event::TestPing].is_valid(&ping));
    insta::assert_json_snapshot!("webhook-test.ping", ping);
}

/// The demo notice in every shipped locale: every event renders on every channel within each
/// language's SMS budget, Arabic as UCS-2, with the reference and verify URL kept whole.
#[test]
fn every_event_renders_in_every_shipped_locale() {
    let settings = common::settings("sqlite://unused.db", &[("TANGAZO_PAGE_LANGUAGES", SHIPPED)]);
    let services: Vec<Service> = services()
        .into_iter()
        .map(|s| Service {
            name: five(&s.name),
            ..s
        })
        .collect();
    let ar = Lang::parse("ar").unwrap();
    for event in Event::ALL {
        if event == Event::TestPing {
            continue;
        }
        let mut n = notice(event);
        n.title = five(&n.title);
        n.still_works = five(&n.still_works);
        let p = preview_with(
            &settings,
            &services,
            event,
            &n,
            &five(&body(event)),
            &Overrides::default(),
        );
        assert!(p.ok, "{event:?}: {:?}", p.errors);
        assert_eq!(p.sms.len(), 5, "an SMS per language");
        for lang in &settings.languages {
            let sms = &p.sms[lang];
            assert!(
                sms.segments <= settings.sms_budget(*lang),
                "{event:?} {lang}: {} segments",
                sms.segments
            );
            assert!(
                sms.text.contains(" H33B3C status.example.co.ke/v/H33B3C"),
                "{event:?} {lang}: the reference and verify URL end every SMS: {}",
                sms.text
            );
            if *lang == ar {
                assert_eq!(sms.encoding.as_str(), "ucs2", "Arabic goes out as UCS-2");
            }
            let email = &p.email[lang];
            assert!(
                !email.subject.is_empty() && email.text.contains("H33B3C"),
                "{event:?} {lang}: email"
            );
            assert!(
                email
                    .html
                    .contains(&format!("lang=\"{lang}\" dir=\"{}\"", lang.dir())),
                "{event:?} {lang}: the email says its language and direction"
            );
            if [Lang::En, Lang::Sw].contains(lang) {
                continue; // pinned by every_event_channel_and_language_is_pinned
            }
            insta::assert_snapshot!(
                format!("sms-{}-{}", event.as_str(), lang),
                format!(
                    "{}\n---\n{} segment(s), {}, {} units",
                    sms.text,
                    sms.segments,
                    sms.encoding.as_str(),
                    sms.units
                )
            );
            insta::assert_snapshot!(
                format!("email-{}-{}", event.as_str(), lang),
                format!("Subject: {}\n\n{}", email.subject, email.text)
            );
        }
        assert!(p.email[&ar].html.contains("dir=\"rtl\""));
    }
}

#[test]
fn completed_early_and_typographic_punctuation() {
    let n = notice(Event::MaintenanceCompleted);
    let p = preview(
        Event::MaintenanceCompleted,
        &n,
        &body(Event::MaintenanceCompleted),
        &Overrides::default(),
    );
    assert!(p.sms[&Lang::En].text.contains("Finished 30 min early"));
    assert!(
        p.sms[&Lang::Sw]
            .text
            .contains("Yalikamilika mapema kwa dakika 30")
    );

    // Curly quotes and dashes pasted from a word processor must not double the bill.
    let curly = text(
        "It’s “done” – check your balance…",
        "Imekamilika – hakiki salio lako…",
    );
    let p = preview(
        Event::MaintenanceUpdated,
        &notice(Event::MaintenanceUpdated),
        &curly,
        &Overrides::default(),
    );
    assert_eq!(p.sms[&Lang::En].encoding.as_str(), "gsm7");
    assert!(
        p.sms[&Lang::En]
            .text
            .contains("It's \"done\" - check your balance...")
    );
    // A character with no GSM look-alike forces UCS-2 and is named.
    let emoji = text("Done 🎉", "Tayari 🎉");
    let p = preview(
        Event::MaintenanceUpdated,
        &notice(Event::MaintenanceUpdated),
        &emoji,
        &Overrides::default(),
    );
    assert_eq!(p.sms[&Lang::Sw].encoding.as_str(), "ucs2");
    assert_eq!(p.sms[&Lang::Sw].forcing_ucs2, vec!['🎉']);
}

#[test]
fn over_budget_names_template_and_language() {
    let long = text(
        &"Short words only. ".repeat(10),
        &"Maneno mafupi tu. ".repeat(20),
    );
    let p = preview(
        Event::MaintenanceUpdated,
        &notice(Event::MaintenanceUpdated),
        &long,
        &Overrides::default(),
    );
    assert!(!p.ok);
    let msg = &p.errors["sms.sw"];
    assert!(
        msg.contains("Kiswahili text sms-maintenance-updated"),
        "names the language and the message of its locale: {msg}"
    );
    assert!(msg.contains("sms.segment_budget"), "{msg}");
    assert!(
        !p.errors.contains_key("sms.en"),
        "English fits: {:?}",
        p.errors
    );
    assert!(
        p.sms[&Lang::Sw].segments > 2,
        "the preview still shows the text and its count"
    );

    // An override that fits replaces the template and keeps the reference footer.
    let overrides = Overrides {
        sms: text(
            "Update: {affected} still down.",
            "Taarifa: {affected} bado hazipatikani.",
        ),
        email: Localized::default(),
    };
    let p = preview(
        Event::MaintenanceUpdated,
        &notice(Event::MaintenanceUpdated),
        &long,
        &overrides,
    );
    assert!(p.ok, "{:?}", p.errors);
    assert_eq!(
        p.sms[&Lang::Sw].text,
        "Taarifa: Tuma pesa, Lipa bili, Nunua bidhaa bado hazipatikani. Kumb. H33B3C status.example.co.ke/v/H33B3C"
    );
    let bad = Localized(BTreeMap::from([(
        Lang::Sw,
        "Taarifa {kesho} {title".to_string(),
    )]));
    let errs = messages::check_placeholders("sms", &bad);
    assert_eq!(errs.len(), 2);
    assert!(errs.iter().all(|e| e.field == "sms.sw"));
    assert!(errs[0].message.contains("{kesho}"));
}

#[test]
fn reference_splitter_follows_the_published_examples() {
    // Its own tables: 127 basic characters (the escape left out) and 10 extension ones.
    let all_gsm: String = (' '..='~').filter(|&c| c != '`').collect();
    assert_eq!(billed(&all_gsm).encoding, "gsm7");
    assert_eq!(billed("`").encoding, "ucs2");
    // Twilio's calculator's own cases: 307 digits are 153 + 153 + 1; an emoji and 133
    // digits are 67 + 67 + 1 units.
    let digits: String = "1234567890".repeat(31).chars().take(307).collect();
    let b = billed(&digits);
    assert_eq!(b.parts.len(), 3);
    assert_eq!(b.parts[2], "7");
    let b = billed(&format!("😜{}", &digits[1..134]));
    assert_eq!(b.encoding, "ucs2");
    assert_eq!(
        b.parts
            .iter()
            .map(|p| p.chars().count())
            .collect::<Vec<_>>(),
        [66, 67, 1]
    );
    // A family emoji is one character to the carrier.
    let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}";
    let b = billed(&format!("{}{family}{}", "ж".repeat(65), "ж".repeat(10)));
    assert!(b.parts[1].starts_with(family), "{b:?}");
}

/// An SMS whose accented letter (e + U+0301) straddles the end of the first part is three
/// parts to the carrier, not two: the segment budget (two by default) must refuse it and the
/// preview must show three.
#[test]
fn a_cluster_across_the_part_boundary_counts_as_the_carrier_bills() {
    let n = notice(Event::MaintenanceUpdated);
    let footer = format!(
        " Ref {} status.example.co.ke/v/{}",
        n.reference, n.reference
    );
    // 66 + 2 + filler + footer = 134 units: two full parts if the accent were cut off.
    let filler = 134 - 68 - footer.chars().count();
    let sms = format!("{}e\u{301}{}", "ж".repeat(66), "ж".repeat(filler));
    let overrides = Overrides {
        sms: Localized::single(Lang::En, sms),
        email: Localized::default(),
    };
    let p = preview(
        Event::MaintenanceUpdated,
        &n,
        &body(Event::MaintenanceUpdated),
        &overrides,
    );
    let en = &p.sms[&Lang::En];
    assert_eq!(en.units, 134);
    assert_eq!(en.segments, 3, "{:?}", en.parts);
    let msg = &p.errors["sms.en"];
    assert!(msg.contains("renders 3 SMS segments"), "{msg}");
}

#[test]
fn overrides_write_a_literal_brace_doubled() {
    let overrides = Overrides {
        sms: text("Code {{A}}: {title}", "Namba {{A}}: {title}"),
        email: text("Set {{x}} and {{{reference}}}", "{{{{}}}}"),
    };
    let n = notice(Event::MaintenanceUpdated);
    let p = preview(
        Event::MaintenanceUpdated,
        &n,
        &body(Event::MaintenanceUpdated),
        &overrides,
    );
    assert!(p.ok, "{:?}", p.errors);
    assert!(
        p.sms[&Lang::En]
            .text
            .starts_with("Code {A}: M-PESA moves to its new platform in Kenya Ref H33B3C"),
        "{}",
        p.sms[&Lang::En].text
    );
    assert!(p.email[&Lang::En].text.contains("Set {x} and {H33B3C}"));
    assert!(p.email[&Lang::Sw].text.contains("{{}}"));
    assert!(messages::check_placeholders("sms", &overrides.sms).is_empty());
    assert!(messages::check_placeholders("email", &overrides.email).is_empty());
}

#[test]
fn email_has_one_click_unsubscribe_and_encoded_subject() {
    let mut n = notice(Event::MaintenanceScheduled);
    n.title = text(
        "Send money – Pay bill unavailable",
        "Tuma pesa – Lipa bili hazitapatikana",
    );
    let p = preview(
        Event::MaintenanceScheduled,
        &n,
        &body(Event::MaintenanceScheduled),
        &Overrides::default(),
    );
    let email = &p.email[&Lang::Sw];
    assert!(email.html.contains(messages::UNSUBSCRIBE_MARKER));
    let msg = email
        .message(&Envelope {
            from: "M-PESA status <status@example.co.ke>",
            to: "wanjiku@example.com",
            unsubscribe_url: "https://status.example.co.ke/unsubscribe/abc?x=1&y=2",
            unsubscribe_mailto: "unsubscribe@example.co.ke",
            message_id: "<01a21020.sw@status.example.co.ke>",
        })
        .unwrap();
    // Unfold header lines (RFC 5322 folding) before looking at them.
    let raw = String::from_utf8(msg.formatted())
        .unwrap()
        .replace("\r\n ", " ");
    assert!(raw.contains("List-Unsubscribe: <https://status.example.co.ke/unsubscribe/abc?x=1&y=2>, <mailto:unsubscribe@example.co.ke?subject=unsubscribe>"), "{raw}");
    assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    assert!(raw.contains("Message-ID: <01a21020.sw@status.example.co.ke>"));
    let subject_line = raw.lines().find(|l| l.starts_with("Subject: ")).unwrap();
    assert!(
        subject_line.contains("=?utf-8?b?"),
        "non-ASCII subject is encoded: {subject_line}"
    );
    assert!(subject_line.is_ascii());
    assert!(raw.contains("multipart/alternative"));
    assert!(
        !raw.contains(messages::UNSUBSCRIBE_MARKER),
        "the marker is replaced per recipient"
    );
    assert!(
        !email.html.contains("<script") && !email.html.contains("src=\"http"),
        "no scripts or external assets"
    );
}

async fn api_refuses_messages_that_cannot_be_sent(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_services().await;
    let v = app.publish_window("Upgrade", 5, 3).await;
    let id = v["id"].as_str().unwrap();
    let long = "Maneno mafupi tu. ".repeat(25);
    let (s, e) = app
        .act(
            id,
            "updates",
            Some(json!({"body": {"en": "Going well.", "sw": long}})),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(
        e["errors"]["sms.sw"]
            .as_str()
            .unwrap()
            .contains("sms-maintenance-updated")
    );
    let (_, n) = app
        .api("GET", &format!("/notices/{id}"), &app.viewer, None)
        .await;
    assert_eq!(
        n["updates"].as_array().unwrap().len(),
        1,
        "nothing was written"
    );
    assert_eq!(n["sequence"], 1);

    let (s, e) = app.act(id, "updates", Some(json!({"body": {"en": "Going well.", "sw": long}, "sms": {"sw": "Taarifa {kesho}"}}))).await;
    assert_eq!(s, 422);
    assert!(
        e["errors"]["sms.sw"]
            .as_str()
            .unwrap()
            .contains("unknown placeholder {kesho}"),
        "{e}"
    );
    // A literal brace is written doubled; a lone one is refused and the message says so.
    let (s, e) = app
        .act(
            id,
            "updates",
            Some(json!({"body": {"en": "Going well."}, "email": {"en": "Codes {A to Z"}})),
        )
        .await;
    assert_eq!(s, 422);
    let msg = e["errors"]["email.en"].as_str().unwrap();
    assert!(msg.contains("write {{ for a literal '{'"), "{msg}");
    let (s, e) = app
        .act(
            id,
            "updates",
            Some(json!({"body": {"en": "Going well.", "sw": ""}, "email": {"sw": " "}})),
        )
        .await;
    assert_eq!(s, 422);
    assert!(
        e["errors"]["body.sw"]
            .as_str()
            .unwrap()
            .contains("must not be empty"),
        "{e}"
    );
    assert!(
        e["errors"]["email.sw"]
            .as_str()
            .unwrap()
            .contains("must not be empty"),
        "{e}"
    );
    let (s, v) = app.act(id, "updates", Some(json!({"body": {"en": "Going well.", "sw": long}, "sms": {"en": "Going well: {affected}.", "sw": "Inaendelea vizuri: {affected}."}}))).await;
    assert_eq!(s, 200, "an SMS override rescues a long body: {v}");
    assert_eq!(v["update"]["sms"]["sw"], "Inaendelea vizuri: {affected}.");
    let (s, p) = app
        .api(
            "POST",
            &format!("/notices/{id}/preview"),
            &app.editor,
            Some(json!({"sms": {"en": "Dial *334# {{not a placeholder}} {title}"}})),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    assert!(
        p["sms"]["en"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Dial *334# {not a placeholder} Upgrade"),
        "{p}"
    );

    // Preview of the latest message and of an unsaved draft.
    let (s, p) = app
        .api("POST", &format!("/notices/{id}/preview"), &app.editor, None)
        .await;
    assert_eq!(s, 200, "{p}");
    assert_preview_billed(&p);
    assert_eq!(p["event"], "maintenance.updated");
    assert!(
        p["sms"]["sw"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Inaendelea vizuri: Tuma pesa, Lipa bili.")
    );
    let (s, p) = app
        .api(
            "POST",
            &format!("/notices/{id}/preview"),
            &app.editor,
            Some(json!({"event": "maintenance.extended", "body": {"en": "It’s taking longer 😬"}})),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    assert_preview_billed(&p);
    assert_eq!(
        p["sms"]["en"]["encoding"], "gsm7",
        "the template does not use the body"
    );
    assert_eq!(p["email"]["en"]["subject"], "Maintenance extended: Upgrade");
    let start = app.now() + Duration::hours(30);
    let (s, p) = app
        .api("POST", "/notices/preview", &app.editor, Some(json!({
            "kind": "maintenance", "title": {"en": "Night upgrade"}, "affected": [{"service": "pay-bill"}],
            "starts_at": start.to_rfc3339(), "ends_at": (start + Duration::hours(4)).to_rfc3339(),
            "sms": {"en": "Pay bill down {window} – sorry 😬"}
        })))
        .await;
    assert_eq!(s, 200, "{p}");
    assert_preview_billed(&p);
    assert_eq!(p["event"], "maintenance.scheduled");
    assert_eq!(p["sms"]["en"]["encoding"], "ucs2");
    assert_eq!(p["sms"]["en"]["forcing_ucs2"], json!(["😬"]));
    assert_eq!(p["webhook"]["type"], "maintenance.scheduled");
    let (_, list) = app.api("GET", "/notices", &app.viewer, None).await;
    assert_eq!(
        list["notices"].as_array().unwrap().len(),
        1,
        "preview saves nothing"
    );

    // Schemas are public.
    let r = app.get("/api/v1/schemas/maintenance.extended.json").await;
    assert_eq!(r.status(), 200);
    let schema: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        schema["properties"]["type"]["const"],
        "maintenance.extended"
    );
    assert_eq!(app.get("/api/v1/schemas/nope.json").await.status(), 404);
    let r = app.get("/v/h33b3c").await;
    assert_eq!(r.status(), 308);
    assert_eq!(r.headers()["location"], "/verify/h33b3c");
}

on_both_backends!(api_refuses_messages_that_cannot_be_sent);
