//! Demo data from the real events in scenarios.md: M-PESA's services, the April 2015 move of
//! M-PESA to Kenya (back 30 minutes early), an upcoming overnight upgrade, an EcoCash-style
//! migration that is running past its end, and a small resolved incident.
//!
//! Everything goes through the same store functions and state machine staff use; only the
//! clock is set to when each step happened.

use chrono::{DateTime, Duration, TimeZone, Timelike, Utc};

use crate::app::notices;
use crate::config::Settings;
use crate::domain::{
    Action, Affected, Lang, Localized, NoticeId, NoticeKind, NoticeState, Overrides, Service,
    ServiceCode, ServiceStatus,
};
use crate::store::{NewNotice, Store};

/// A demo text in the page's languages: `en` and `sw` as given, French, Portuguese and Arabic
/// from [`MORE`]. Only configured languages are kept: a text stored in a language the page
/// does not offer could not be read back once the server restarts (its tag has no locale).
fn text(languages: &[Lang], en: &str, sw: &str) -> Localized {
    let (_, fr, pt, ar) = more(en);
    Localized(
        [("en", en), ("sw", sw), ("fr", fr), ("pt", pt), ("ar", ar)]
            .into_iter()
            .filter_map(|(tag, t)| {
                let lang = languages.iter().find(|l| l.code() == tag)?;
                Some((*lang, t.to_string()))
            })
            .collect(),
    )
}

/// The French, Portuguese and Arabic of a demo text, by its English.
fn more(en: &str) -> &'static (&'static str, &'static str, &'static str, &'static str) {
    MORE.iter()
        .find(|(e, ..)| *e == en)
        .unwrap_or_else(|| panic!("demo text {en:?} has no French, Portuguese and Arabic in MORE"))
}

/// French (Kinshasa, Abidjan), Portuguese (Maputo, European spelling, avoiding words the 1990
/// agreement respelled) and Arabic (Modern Standard, addressing customers in the polite plural)
/// for every demo text, by its English. French texts that can reach an SMS keep to the GSM-7
/// alphabet (no ç ê â î ô û), so they fit French's two-part budget.
const MORE: &[(&str, &str, &str, &str)] = &[
    // Services.
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
    (
        "Buy airtime",
        "Achat de crédit",
        "Comprar crédito",
        "شراء رصيد المكالمات",
    ),
    (
        "Cash at agents",
        "Espèces chez l'agent",
        "Depósitos e levantamentos",
        "الإيداع والسحب",
    ),
    (
        "Bank to M-PESA",
        "Banque vers M-PESA",
        "Banco para M-PESA",
        "من البنك إلى M-PESA",
    ),
    (
        "Balance and statements",
        "Solde et relevés",
        "Saldo e movimentos",
        "الرصيد وكشف الحساب",
    ),
    (
        "USSD menu (*334#)",
        "Menu USSD (*334#)",
        "Menu USSD (*334#)",
        "قائمة USSD (*334#)",
    ),
    (
        "M-PESA app",
        "Application M-PESA",
        "Aplicação M-PESA",
        "تطبيق M-PESA",
    ),
    // 1. The move to Kenya.
    (
        "M-PESA moves to its new platform in Kenya",
        "M-PESA passe à sa nouvelle plateforme au Kenya",
        "O M-PESA muda-se para a nova plataforma no Quénia",
        "انتقال M-PESA إلى منصتها الجديدة في كينيا",
    ),
    (
        "Calls, SMS and data are not affected.",
        "Appels, SMS et internet.",
        "Chamadas, SMS e dados.",
        "المكالمات والرسائل والإنترنت.",
    ),
    (
        "All M-PESA transactions stop from Saturday 23:00 while we move M-PESA's systems to Kenya. Finish urgent payments before then and keep some cash.",
        "Toutes les transactions M-PESA seront suspendues à partir de samedi 23:00, le temps de transférer les systèmes de M-PESA au Kenya. Effectuez vos paiements urgents avant cette heure et gardez un peu d'argent liquide sur vous.",
        "Todas as operações M-PESA param a partir de sábado às 23:00, enquanto transferimos os sistemas do M-PESA para o Quénia. Faça os pagamentos urgentes antes dessa hora e tenha algum dinheiro consigo.",
        "تتوقف جميع معاملات M-PESA اعتبارًا من السبت الساعة 23:00 أثناء نقل أنظمة M-PESA إلى كينيا. أنجزوا مدفوعاتكم العاجلة قبل هذا الموعد واحتفظوا ببعض النقود.",
    ),
    (
        "M-PESA is back, 30 minutes early. Check your balance and recent transactions.",
        "M-PESA est de retour, avec 30 minutes d'avance. Vérifiez votre solde et vos dernières transactions.",
        "O M-PESA voltou, 30 minutos antes do previsto. Verifique o seu saldo e os últimos movimentos.",
        "عادت M-PESA للعمل قبل موعدها بـ30 دقيقة. تحققوا من رصيدكم ومن معاملاتكم الأخيرة.",
    ),
    // 2. The Pay bill incident.
    (
        "Pay bill confirmations delayed",
        "Retard des confirmations de paiement de factures",
        "Confirmações de pagamento de contas com atraso",
        "تأخر رسائل تأكيد دفع الفواتير",
    ),
    (
        "Payments go through.",
        "Les paiements passent normalement.",
        "Os pagamentos são processados normalmente.",
        "المدفوعات تتم بشكل طبيعي.",
    ),
    (
        "Some Pay bill payments go through but the confirmation SMS arrives late.",
        "Certains paiements de factures passent, mais le SMS de confirmation arrive en retard.",
        "Alguns pagamentos de contas passam, mas o SMS de confirmação chega com atraso.",
        "تتم بعض عمليات دفع الفواتير، لكن رسالة التأكيد تصل متأخرة.",
    ),
    (
        "A queue at the SMS gateway is the cause. Your payments are safe; do not pay twice.",
        "Le retard vient d'une file d'attente sur la passerelle SMS. Vos paiements sont bien pris en compte : ne payez pas deux fois.",
        "A causa é uma fila de espera no serviço de SMS. Os seus pagamentos estão seguros: não pague duas vezes.",
        "السبب تراكم الرسائل في بوابة الرسائل النصية. مدفوعاتكم آمنة، فلا تدفعوا مرتين.",
    ),
    (
        "Confirmations arrive on time again.",
        "Les confirmations arrivent de nouveau à l'heure.",
        "As confirmações voltaram a chegar a horas.",
        "عادت رسائل التأكيد تصل في موعدها.",
    ),
    // 3. The migration running late.
    (
        "Core platform migration",
        "Migration de la plateforme principale",
        "Migração da plataforma principal",
        "الانتقال إلى منصة رئيسية جديدة",
    ),
    (
        "Calls, SMS and data. Buying airtime with a scratch card.",
        "Appels, SMS et internet. Recharge de crédit avec une carte à gratter.",
        "Chamadas, SMS e dados. Recarga de crédito com cartão de raspar.",
        "المكالمات والرسائل والإنترنت. شحن الرصيد ببطاقات الخدش.",
    ),
    (
        "All M-PESA money services stop {window} while we move to a new platform.",
        "Tous les services financiers M-PESA seront suspendus {window} pour le passage à une nouvelle plateforme.",
        "Todos os serviços financeiros M-PESA param {window}, enquanto mudamos para uma nova plataforma.",
        "تتوقف جميع الخدمات المالية في M-PESA {window} أثناء انتقالنا إلى منصة جديدة.",
    ),
    (
        "We are moving to a new core platform. All money services stop for 24 hours.",
        "Nous passons à une nouvelle plateforme principale. Tous les services financiers seront suspendus pendant 24 heures.",
        "Estamos a mudar para uma nova plataforma principal. Todos os serviços financeiros param durante 24 horas.",
        "ننتقل إلى منصة رئيسية جديدة، وستتوقف جميع الخدمات المالية لمدة 24 ساعة.",
    ),
    (
        "The migration is taking longer than planned. Services are not back yet; we will post a new estimate within two hours.",
        "La migration prend plus de temps que prévu. Les services ne sont pas encore rétablis ; nous publierons une nouvelle estimation d'ici deux heures.",
        "A migração está a demorar mais do que o previsto. Os serviços ainda não voltaram; publicaremos uma nova estimativa dentro de duas horas.",
        "تستغرق عملية الانتقال وقتًا أطول من المخطط له. لم تعد الخدمات إلى العمل بعد، وسننشر موعدًا تقديريًا جديدًا خلال ساعتين.",
    ),
    // 4. The next overnight upgrade.
    (
        "Scheduled M-PESA upgrade",
        "Mise à niveau programmée de M-PESA",
        "Melhoria programada do M-PESA",
        "ترقية مجدولة لخدمة M-PESA",
    ),
    (
        "Cash at agents. Calls, SMS and data.",
        "Espèces chez l'agent. Appels, SMS et internet.",
        "Depósitos e levantamentos. Chamadas, SMS e dados.",
        "الإيداع والسحب. المكالمات والرسائل والإنترنت.",
    ),
    (
        "We are upgrading M-PESA overnight. Finish urgent payments before 01:00 and keep some cash. Trust only messages with a reference code you can check on this page.",
        "Nous mettons M-PESA à niveau cette nuit. Effectuez vos paiements urgents avant 01:00 et gardez un peu d'argent liquide sur vous. Ne vous fiez qu'aux messages portant un code de référence que vous pouvez vérifier sur cette page.",
        "Vamos fazer melhorias no M-PESA durante a noite. Faça os pagamentos urgentes antes da 01:00 e tenha algum dinheiro consigo. Confie apenas em mensagens com um código de referência que possa verificar nesta página.",
        "نُجري ترقية لخدمة M-PESA خلال الليل. أنجزوا مدفوعاتكم العاجلة قبل الساعة 01:00 واحتفظوا ببعض النقود. لا تثقوا إلا بالرسائل التي تحمل رمزًا مرجعيًا يمكنكم التحقق منه على هذه الصفحة.",
    ),
];

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
    // Every demo text below is `text(en, sw)`, in the page's languages.
    let text = |en: &str, sw: &str| text(&settings.languages, en, sw);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::store::NoticeFilter;

    fn settings(languages: &str) -> Settings {
        let env = [
            ("TANGAZO_PAGE_LANGUAGES", languages),
            // A host as long as an operator's, since every SMS ends with the verify URL.
            ("TANGAZO_SERVER_PUBLIC_URL", "https://status.example.co.ke"),
        ];
        let env = env.map(|(k, v)| (k.to_string(), v.to_string()));
        Config::load(None, env).unwrap().validate().unwrap()
    }

    /// Loads the demo into a fresh SQLite file and returns every text a customer reads.
    async fn loaded(settings: &Settings) -> Vec<(String, Localized)> {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("demo.db").display());
        let store = Store::open(&url, 1).await.unwrap();
        assert!(load(&store, settings, Utc::now()).await.unwrap());
        let mut texts = Vec::new();
        for s in store.list_services().await.unwrap() {
            texts.push((format!("service {}", s.code.as_str()), s.name));
        }
        let all = NoticeFilter {
            limit: 100,
            ..Default::default()
        };
        for n in store.list_notices(&all).await.unwrap() {
            let what = n.title.get(Lang::En).to_string();
            for u in store.get_updates(&n.id).await.unwrap() {
                texts.push((format!("{what}: update {}", u.sequence), u.body));
            }
            texts.push((format!("{what}: title"), n.title));
            texts.push((format!("{what}: still works"), n.still_works));
        }
        texts
    }

    /// Every demo text has its French, Portuguese and Arabic (a text missing from `MORE`
    /// panics here), and an operator offering all five languages gets every text in each,
    /// with every SMS within each language's budget (the load is refused otherwise).
    #[tokio::test]
    async fn the_demo_speaks_every_shipped_language() {
        let settings = settings("en,sw,fr,pt,ar");
        for (what, text) in loaded(&settings).await {
            for lang in &settings.languages {
                assert!(
                    text.0.get(lang).is_some_and(|t| !t.is_empty()),
                    "{what} lacks {lang}: {text:?}"
                );
            }
        }
    }

    /// Languages the page does not offer are left out, so the rows read back after a restart.
    #[tokio::test]
    async fn the_demo_keeps_to_the_configured_languages() {
        let settings = settings("fr,en");
        for (what, text) in loaded(&settings).await {
            let langs: Vec<&str> = text.0.keys().map(|l| l.code()).collect();
            assert_eq!(langs, ["en", "fr"], "{what}");
        }
    }

    #[test]
    fn more_has_one_entry_per_english_text() {
        for (i, (en, fr, pt, ar)) in MORE.iter().enumerate() {
            assert!(
                MORE[..i].iter().all(|(e, ..)| e != en),
                "{en:?} is in MORE twice"
            );
            assert!(![fr, pt, ar].iter().any(|t| t.trim().is_empty()), "{en:?}");
            assert_eq!(
                en.contains("{window}"),
                [fr, pt, ar].iter().all(|t| t.contains("{window}")),
                "{en:?}: placeholders are kept"
            );
        }
    }
}
