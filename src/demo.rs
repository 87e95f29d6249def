//! Demo data from the real events in scenarios.md: M-PESA's services, the April 2015 move of
//! M-PESA to Kenya (back 30 minutes early), an upcoming overnight upgrade, an EcoCash-style
//! migration that is running past its end, and a small resolved incident.
//!
//! Everything goes through the same store functions and state machine staff use; only the
//! clock is set to when each step happened.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Timelike, Utc};

use crate::app::notices;
use crate::config::Settings;
use crate::domain::{
    Action, Affected, Lang, Localized, NoticeId, NoticeKind, NoticeState, Overrides, Service,
    ServiceCode, ServiceStatus,
};
use crate::store::{NewNotice, Store};

fn text(en: &str, sw: &str) -> Localized {
    Localized(BTreeMap::from([
        (Lang::En, en.to_string()),
        (Lang::Sw, sw.to_string()),
    ]))
}

const SERVICES: [(&str, &str, &str, &str); 9] = [
    ("send-money", "Send money", "Tuma pesa", "Payments"),
    ("pay-bill", "Pay bill", "Lipa bili", "Payments"),
    ("buy-goods", "Buy goods", "Nunua bidhaa", "Payments"),
    (
        "buy-airtime",
        "Buy airtime",
        "Nunua muda wa maongezi",
        "Payments",
    ),
    (
        "agent-cash",
        "Cash at agents",
        "Pesa kwa wakala",
        "Agents and banks",
    ),
    (
        "bank-to-wallet",
        "Bank to M-PESA",
        "Kutoka benki kwenda M-PESA",
        "Agents and banks",
    ),
    (
        "balance",
        "Balance and statements",
        "Salio na taarifa",
        "Agents and banks",
    ),
    (
        "ussd-menu",
        "USSD menu (*334#)",
        "Menyu ya USSD (*334#)",
        "Channels",
    ),
    ("app", "M-PESA app", "Programu ya M-PESA", "Channels"),
];

fn affected(codes: &[&str], impact: ServiceStatus) -> Vec<Affected> {
    codes
        .iter()
        .map(|c| Affected {
            service: ServiceCode::parse(c).expect("demo codes are valid"),
            impact,
        })
        .collect()
}

fn eat(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono_tz::Africa::Nairobi
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("valid demo time")
        .with_timezone(&Utc)
}

struct Loader<'a> {
    store: &'a Store,
    settings: &'a Settings,
    services: Vec<Service>,
}

impl Loader<'_> {
    async fn act(
        &self,
        id: &NoticeId,
        action: Action,
        body: Option<Localized>,
        at: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let ctx = notices::Ctx {
            store: self.store,
            settings: self.settings,
            services: &self.services,
            actor: "demo",
            now: at,
            // The demo replays history as one author; four-eyes is for people.
            four_eyes: false,
        };
        let target = notices::Target::Stored(id, None);
        let texts = notices::Texts {
            body,
            overrides: None,
        };
        notices::apply(&ctx, target, action, texts).await?;
        Ok(())
    }

    async fn create(&self, new: NewNotice, at: DateTime<Utc>) -> anyhow::Result<NoticeId> {
        Ok(self.store.create_notice(&new, "demo", at).await?.id)
    }
}

/// Loads the demo into an empty database. Returns false (and changes nothing) when services
/// already exist, so it is safe to run on every `serve --demo`.
pub async fn load(store: &Store, settings: &Settings, now: DateTime<Utc>) -> anyhow::Result<bool> {
    if !store.list_services().await?.is_empty() {
        return Ok(false);
    }
    let created = eat(2015, 4, 1, 9, 0);
    for (i, (code, en, sw, group)) in SERVICES.iter().enumerate() {
        store
            .insert_service(
                &Service {
                    code: ServiceCode::parse(code).expect("demo codes are valid"),
                    name: text(en, sw),
                    description: Localized::default(),
                    group: group.to_string(),
                    position: i as i64,
                    status: ServiceStatus::Operational,
                    created_at: created,
                    updated_at: created,
                },
                "demo",
            )
            .await?;
    }
    let l = Loader {
        store,
        settings,
        services: store.list_services().await?,
    };
    let all_money = [
        "send-money",
        "pay-bill",
        "buy-goods",
        "bank-to-wallet",
        "agent-cash",
        "balance",
    ];

    // 1. M-PESA moves home, April 2015: announced Thursday, Sat 23:00 – Sun 12:00, back 11:30.
    let id = l
        .create(
            NewNotice {
                kind: NoticeKind::Maintenance,
                title: text(
                    "M-PESA moves to its new platform in Kenya",
                    "M-PESA inahamia mfumo mpya nchini Kenya",
                ),
                still_works: text("Calls, SMS and data are not affected.", "Simu, SMS na data haziathiriki."),
                draft_overrides: Default::default(),
                draft_body: text(
                    "All M-PESA transactions stop from Saturday 23:00 while we move M-PESA's systems to Kenya. Finish urgent payments before then and keep some cash.",
                    "Huduma zote za M-PESA zitasimama kuanzia Jumamosi saa 23:00 tunapohamishia mifumo ya M-PESA nchini Kenya. Maliza malipo ya dharura kabla ya muda huo na uwe na pesa taslimu.",
                ),
                affected: affected(&all_money, ServiceStatus::UnderMaintenance),
                starts_at: Some(eat(2015, 4, 18, 23, 0)),
                ends_at: Some(eat(2015, 4, 19, 12, 0)),
                auto_start: true,
                auto_complete: false,
            },
            eat(2015, 4, 16, 9, 0),
        )
        .await?;
    l.act(&id, Action::Publish, None, eat(2015, 4, 16, 10, 0))
        .await?;
    l.act(&id, Action::Start, None, eat(2015, 4, 18, 23, 0))
        .await?;
    l.act(
        &id,
        Action::Complete,
        Some(text(
            "M-PESA is back, 30 minutes early. Check your balance and recent transactions.",
            "M-PESA imerudi, dakika 30 kabla ya muda uliopangwa. Hakiki salio lako na miamala yako ya karibuni.",
        )),
        eat(2015, 4, 19, 11, 30),
    )
    .await?;

    // 2. A small incident a few days ago, resolved.
    let t0 = now - Duration::days(3);
    let id = l
        .create(
            NewNotice {
                kind: NoticeKind::Incident,
                title: text(
                    "Pay bill confirmations delayed",
                    "Uthibitisho wa Lipa Bili unachelewa",
                ),
                still_works: text("Payments go through.", "Malipo yanapita."),
                draft_overrides: Default::default(),
                draft_body: text(
                    "Some Pay bill payments go through but the confirmation SMS arrives late.",
                    "Baadhi ya malipo ya Lipa Bili yanapita lakini SMS ya uthibitisho inachelewa.",
                ),
                affected: affected(&["pay-bill"], ServiceStatus::DegradedPerformance),
                starts_at: None,
                ends_at: None,
                auto_start: false,
                auto_complete: false,
            },
            t0,
        )
        .await?;
    l.act(&id, Action::Publish, None, t0).await?;
    l.act(
        &id,
        Action::Post {
            state: Some(NoticeState::Identified),
        },
        Some(text(
            "A queue at the SMS gateway is the cause. Your payments are safe; do not pay twice.",
            "Chanzo ni foleni kwenye mfumo wa SMS. Malipo yako yako salama; usilipe mara mbili.",
        )),
        t0 + Duration::minutes(25),
    )
    .await?;
    l.act(
        &id,
        Action::Complete,
        Some(text(
            "Confirmations arrive on time again.",
            "Uthibitisho unafika kwa wakati tena.",
        )),
        t0 + Duration::minutes(70),
    )
    .await?;

    // 3. An EcoCash-style migration: a 24-hour window that is now running past its end.
    let start = now - Duration::hours(30);
    let id = l
        .create(
            NewNotice {
                kind: NoticeKind::Maintenance,
                title: text("Core platform migration", "Kuhamia mfumo mkuu mpya"),
                still_works: text(
                    "Calls, SMS and data. Buying airtime with a scratch card.",
                    "Simu, SMS na data. Kununua muda wa maongezi kwa kadi ya kukwangua.",
                ),
                // Eight services make a long SMS; staff write a short one, as they would.
                draft_overrides: Overrides {
                    sms: text(
                        "All M-PESA money services stop {window} while we move to a new platform.",
                        "Huduma zote za pesa za M-PESA zitasimama {window} tunapohamia mfumo mpya.",
                    ),
                    email: Localized::default(),
                },
                draft_body: text(
                    "We are moving to a new core platform. All money services stop for 24 hours.",
                    "Tunahamia mfumo mkuu mpya. Huduma zote za pesa zitasimama kwa saa 24.",
                ),
                affected: affected(
                    &[
                        "send-money",
                        "pay-bill",
                        "buy-goods",
                        "buy-airtime",
                        "bank-to-wallet",
                        "balance",
                        "ussd-menu",
                        "app",
                    ],
                    ServiceStatus::UnderMaintenance,
                ),
                starts_at: Some(start),
                ends_at: Some(start + Duration::hours(24)),
                auto_start: true,
                auto_complete: false,
            },
            start - Duration::days(8),
        )
        .await?;
    l.act(&id, Action::Publish, None, start - Duration::days(7))
        .await?;
    l.act(&id, Action::Start, None, start).await?;
    l.act(
        &id,
        Action::Post { state: None },
        Some(text(
            "The migration is taking longer than planned. Services are not back yet; we will post a new estimate within two hours.",
            "Uhamisho unachukua muda zaidi ya uliopangwa. Huduma bado hazijarudi; tutatoa makadirio mapya ndani ya saa mbili.",
        )),
        start + Duration::hours(25),
    )
    .await?;

    // 4. The next overnight upgrade, 01:00–05:00 in the page's zone, at least six hours away.
    let local = (now + Duration::hours(6)).with_timezone(&settings.time_zone);
    let mut day = local.date_naive();
    if local.hour() >= 1 {
        day = day.succ_opt().expect("date in range");
    }
    let start = settings
        .time_zone
        .from_local_datetime(&day.and_hms_opt(1, 0, 0).expect("valid time"))
        .earliest()
        .expect("01:00 exists")
        .with_timezone(&Utc);
    let id = l
        .create(
            NewNotice {
                kind: NoticeKind::Maintenance,
                title: text("Scheduled M-PESA upgrade", "Uboreshaji wa M-PESA uliopangwa"),
                still_works: text(
                    "Cash at agents. Calls, SMS and data.",
                    "Pesa kwa wakala. Simu, SMS na data.",
                ),
                draft_overrides: Default::default(),
                draft_body: text(
                    "We are upgrading M-PESA overnight. Finish urgent payments before 01:00 and keep some cash. Trust only messages with a reference code you can check on this page.",
                    "Tunaboresha M-PESA usiku. Maliza malipo ya dharura kabla ya saa 01:00 na uwe na pesa taslimu. Amini tu ujumbe wenye namba ya kumbukumbu unayoweza kuhakiki kwenye ukurasa huu.",
                ),
                affected: affected(
                    &["send-money", "pay-bill", "buy-goods", "balance", "ussd-menu", "app"],
                    ServiceStatus::UnderMaintenance,
                ),
                starts_at: Some(start),
                ends_at: Some(start + Duration::hours(4)),
                auto_start: true,
                auto_complete: false,
            },
            now - Duration::hours(2),
        )
        .await?;
    l.act(&id, Action::Publish, None, now - Duration::hours(1))
        .await?;
    Ok(true)
}
