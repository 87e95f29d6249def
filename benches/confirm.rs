//! What a lifecycle confirmation's count costs a notice page view: `Store::followers` (the
//! fan-out's own condition, counted per channel in one `GROUP BY`) and
//! `Store::endpoint_followers`, on SQLite with N confirmed subscribers, half of them following
//! all services and half one service each (so the count walks `subscriber_services` for them),
//! against a notice affecting two of the four services. Prints the median of 7 counts, beside
//! the count the notice page made before (`Store::audience`) in the same run; checks that the
//! count equals what publishing then queues.
//!
//! Run: `cargo bench --bench confirm` (BENCH_SUBSCRIBERS=1000000 by default).

mod common;

use std::time::Instant;

use chrono::Duration;
use tangazo::clock::{Clock, SystemClock};
use tangazo::domain::{Event, ServiceCode};

const SERVICES: [&str; 4] = ["send-money", "pay-bill", "buy-goods", "buy-airtime"];

fn main() {
    let n = common::env_or("BENCH_SUBSCRIBERS", 1_000_000) as usize;
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let dir = tempfile::tempdir().unwrap();
        let (_, settings, store) = common::demo_store(dir.path(), "confirm.db").await;
        let now = SystemClock.now();
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
        common::import(&store, n, now, |i| {
            common::mixed_subscriber(i, (i % 2 == 1).then(|| vec![codes[(i / 2) % codes.len()].clone()]), now)
        })
        .await;
        println!(
            "subscribers: {n} loaded in {:.1} s",
            started.elapsed().as_secs_f64()
        );

        let start = now + Duration::hours(30);
        let draft =
            common::draft_window(&store, "Confirmation benchmark", &codes[..2], start, now).await;

        let mut times = Vec::new();
        let mut counted = (0, 0);
        for _ in 0..7 {
            let started = Instant::now();
            counted = store.followers(&draft).await.unwrap();
            store
                .endpoint_followers(&draft, Event::MaintenanceScheduled)
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
        let applied = common::publish_applied(&store, &settings, &services, &draft, now).await;
        assert_eq!(
            (applied.queued.sms, applied.queued.email),
            counted,
            "the confirmation counts what the fan-out queues"
        );
        store.close().await;
    });
}
