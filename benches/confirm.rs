//! What a lifecycle confirmation's count costs a notice page view: `Store::followers` (the
//! fan-out's own condition, counted per channel in one `GROUP BY`) and
//! `Store::endpoint_followers`, on SQLite with N confirmed subscribers, half of them following
//! all services and half one service each (so the count walks `subscriber_services` for them),
//! against a notice affecting two of the four services. Prints the median of 7 counts, beside
//! the count the notice page made before (`Store::audience`) in the same run; checks that the
//! count equals what publishing then queues.
//!
//! Run: `cargo bench --bench confirm` (BENCH_SUBSCRIBERS=1000000 by default).

use std::time::Instant;

use chrono::{Duration, Utc};
use tangazo::clock::{Clock, SystemClock};
use tangazo::config::Config;
use tangazo::domain::subscriber::{Address, Channel};
use tangazo::domain::{
    Action, Affected, Event, Lang, Localized, NoticeKind, ServiceCode, ServiceStatus,
};
use tangazo::store::{NewNotice, NewSubscriber, Store};

const SERVICES: [&str; 4] = ["send-money", "pay-bill", "buy-goods", "buy-airtime"];

fn main() {
    let n: usize = std::env::var("BENCH_SUBSCRIBERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("confirm.db").display());
        let settings = Config::load(None, [("TANGAZO_DATABASE_URL".to_string(), url.clone())])
            .unwrap()
            .validate()
            .unwrap();
        let store = Store::open(&url, 4).await.unwrap();
        let now = SystemClock.now();
        tangazo::demo::load(&store, &settings, now).await.unwrap();
        let codes: Vec<ServiceCode> = store
            .list_services()
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.code)
            .filter(|c| SERVICES.contains(&c.as_str()))
            .collect();
        assert_eq!(codes.len(), SERVICES.len(), "the demo's services");

        let started = Instant::now();
        let mut import = store.begin_import().await.unwrap();
        let mut batch = Vec::with_capacity(500);
        for i in 0..n {
            let (channel, value) = if i % 4 == 0 {
                (Channel::Email, format!("user{i}@example.co.ke"))
            } else {
                (Channel::Sms, format!("+2547{:08}", i))
            };
            batch.push(NewSubscriber {
                address: Address { channel, value },
                language: if i % 3 == 0 { Lang::En } else { Lang::Sw },
                services: (i % 2 == 1).then(|| vec![codes[(i / 2) % codes.len()].clone()]),
                source: "import",
                confirmed: true,
                expires_at: now,
            });
            if batch.len() == 500 {
                import.add(&batch, now).await.unwrap();
                batch.clear();
            }
        }
        import.add(&batch, now).await.unwrap();
        import.commit().await.unwrap();
        println!(
            "subscribers: {n} loaded in {:.1} s",
            started.elapsed().as_secs_f64()
        );

        let start = now + Duration::hours(30);
        let draft = store
            .create_notice(
                &NewNotice {
                    kind: NoticeKind::Maintenance,
                    title: Localized::single(Lang::En, "Confirmation benchmark"),
                    still_works: Localized::default(),
                    draft_body: Localized::single(Lang::En, "Finish urgent payments first."),
                    draft_overrides: Default::default(),
                    affected: codes[..2]
                        .iter()
                        .map(|c| Affected {
                            service: c.clone(),
                            impact: ServiceStatus::UnderMaintenance,
                        })
                        .collect(),
                    starts_at: Some(start),
                    ends_at: Some(start + Duration::hours(2)),
                    auto_start: true,
                    auto_complete: false,
                },
                "bench",
                now,
            )
            .await
            .unwrap();

        let mut times = Vec::new();
        let mut counted = (0, 0);
        for _ in 0..7 {
            let started = Instant::now();
            counted = store.followers(&draft.id).await.unwrap();
            store
                .endpoint_followers(&draft.id, Event::MaintenanceScheduled)
                .await
                .unwrap();
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "confirmation count ({} SMS, {} email): median {:.0} ms, fastest {:.0} ms, slowest {:.0} ms",
            counted.0, counted.1, times[3], times[0], times[6]
        );
        // Baseline: the count the notice page made before (`Store::audience`, by service codes).
        let mut times = Vec::new();
        for _ in 0..7 {
            let started = Instant::now();
            assert_eq!(store.audience(&codes[..2]).await.unwrap(), counted);
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "baseline, the page's previous audience count: median {:.0} ms, fastest {:.0} ms, slowest {:.0} ms",
            times[3], times[0], times[6]
        );

        let services = store.list_services().await.unwrap();
        // Published as staff publish it: through the application layer.
        let ctx = tangazo::app::notices::Ctx {
            store: &store,
            settings: &settings,
            services: &services,
            actor: "bench",
            now: Utc::now(),
            four_eyes: false,
        };
        let target = tangazo::app::notices::Target::Stored(&draft.id, None);
        let applied = tangazo::app::notices::apply(&ctx, target, Action::Publish, Default::default())
            .await
            .unwrap();
        assert_eq!(
            (applied.queued.sms, applied.queued.email),
            counted,
            "the confirmation counts what the fan-out queues"
        );
        store.close().await;
    });
}
