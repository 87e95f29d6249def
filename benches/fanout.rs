//! Fan-out: publishing a notice to N confirmed subscribers (the whole lifecycle action: state
//! machine, message checks, update, audit, outbox `INSERT … SELECT`), against the baseline of a
//! bare `INSERT … SELECT` of the same rows into the same table (same indexes and foreign keys),
//! in the same run and database (SQLite). Target ratio (baseline time / Tangazo time) ≥ 0.8.
//!
//! Run: `cargo bench --bench fanout` (BENCH_SUBSCRIBERS=1000000 by default).

use std::time::Instant;

use chrono::{Duration, Utc};
use sqlx::Connection;
use tangazo::clock::{Clock, SystemClock};
use tangazo::config::Config;
use tangazo::domain::subscriber::{Address, Channel};
use tangazo::domain::{Action, Affected, Lang, Localized, NoticeKind, ServiceCode, ServiceStatus};
use tangazo::store::{NewNotice, NewSubscriber, Store};

fn main() {
    let n: usize = std::env::var("BENCH_SUBSCRIBERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("fanout.db").display());
        let settings = Config::load(None, [("TANGAZO_DATABASE_URL".to_string(), url.clone())])
            .unwrap()
            .validate()
            .unwrap();
        let store = Store::open(&url, 4).await.unwrap();
        let now = SystemClock.now();
        tangazo::demo::load(&store, &settings, now).await.unwrap();

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
                services: None,
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
        println!("subscribers: {n} loaded in {:.1} s", started.elapsed().as_secs_f64());

        let start = now + Duration::hours(30);
        let draft = store
            .create_notice(
                &NewNotice {
                    kind: NoticeKind::Maintenance,
                    title: Localized::single(Lang::En, "Fan-out benchmark"),
                    still_works: Localized::default(),
                    draft_body: Localized::single(Lang::En, "Finish urgent payments first."),
                    draft_overrides: Default::default(),
                    affected: vec![Affected {
                        service: ServiceCode::parse("send-money").unwrap(),
                        impact: ServiceStatus::UnderMaintenance,
                    }],
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
        let services = store.list_services().await.unwrap();

        let started = Instant::now();
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
        let update = tangazo::app::notices::apply(&ctx, target, Action::Publish, Default::default())
            .await
            .unwrap().update;
        let tangazo_secs = started.elapsed().as_secs_f64();
        store.close().await;

        // Baseline: the same rows, bare, into the same table once Tangazo's rows are gone.
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM deliveries WHERE update_id = $1")
            .bind(&update.id)
            .fetch_one(&mut conn)
            .await
            .unwrap();
        sqlx::query("PRAGMA foreign_keys = ON").execute(&mut conn).await.unwrap();
        sqlx::query("DELETE FROM deliveries").execute(&mut conn).await.unwrap();
        let started = Instant::now();
        let done = sqlx::query(
            "INSERT INTO deliveries (id, notice_id, update_id, sequence, event, channel, subscriber_id, \
             language, state, attempts, next_attempt_at, created_at) \
             SELECT $2 || ':' || s.id, $1, $2, 1, 'maintenance.scheduled', s.channel, s.id, s.language, 'pending', 0, 0, 0 \
             FROM subscribers s WHERE s.state = 'confirmed' AND (s.all_services = 1 OR EXISTS ( \
               SELECT 1 FROM subscriber_services ss JOIN notice_services ns ON ns.service_code = ss.service_code \
               WHERE ss.subscriber_id = s.id AND ns.notice_id = $1))",
        )
        .bind(&draft.id)
        .bind(&update.id)
        .execute(&mut conn)
        .await
        .unwrap()
        .rows_affected();
        let baseline_secs = started.elapsed().as_secs_f64();
        assert_eq!(queued as u64, done, "both queued the same rows");
        println!("deliveries queued: {queued}");
        println!("tangazo publish (action + fan-out, one transaction): {tangazo_secs:.2} s");
        println!("baseline bare INSERT … SELECT: {baseline_secs:.2} s");
        println!("ratio baseline/tangazo: {:.2}", baseline_secs / tangazo_secs);
    });
}
